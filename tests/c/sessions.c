/* sessions.c: libreqc's sessions through the C ABI: defaults and how they
 * merge with a request's settings, the cookie jar, connection reuse, and
 * recovery after failures. Runs against the libreqc test server (or PyPI's
 * httpbin with REQC_TEST_HTTPBIN=1: tests needing the control port skip).
 *
 * Every test asserts what the server echoed and what the caller got back, and
 * frees every handle it made (the suite also runs under valgrind).
 * REQC_SMALL=1 makes the loops shorter (for valgrind).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "ports.h"

/* ---- helpers ------------------------------------------------------------ */

/* A new session, or NULL (failing the test). */
static reqc_session *new_session(void) {
    reqc_session *s = NULL;
    reqc_code rc = reqc_session_new(&s);
    if (rc != REQC_OK || s == NULL) {
        fprintf(stderr, "  FAIL: reqc_session_new gave %s\n", reqc_code_name(rc));
        check_failed_now = 1;
        return NULL;
    }
    return s;
}

/* A new request, or NULL (failing the test). */

/* Sends through `s`; the response, or NULL (failing the test) on an error. */
static reqc_response *ssend_ok(reqc_session *s, reqc_request *req) {
    reqc_response *resp = NULL;
    reqc_code rc;
    if (s == NULL || req == NULL) {
        check_failed_now = 1;
        return NULL;
    }
    rc = reqc_session_send(s, req, &resp);
    if (rc != REQC_OK) {
        fprintf(stderr, "  FAIL: reqc_session_send(%s) gave %s (%s)\n",
                reqc_response_url(resp), reqc_code_name(rc), reqc_request_error(req));
        check_failed_now = 1;
        return NULL;
    }
    if (resp == NULL) {
        fprintf(stderr, "  FAIL: reqc_session_send gave REQC_OK and no response\n");
        check_failed_now = 1;
    }
    return resp;
}

/* One GET of `url` through `s`; the response or NULL (failing the test). */
static reqc_response *sget(reqc_session *s, const char *url) {
    reqc_request *req = check_new_request("GET", url);
    reqc_response *resp = req ? ssend_ok(s, req) : NULL;
    reqc_request_free(req);
    return resp;
}

static long stats_connections(void) { return check_stats("connections"); }

/* ---- the seed's examples ------------------------------------------------ */

static void test_seed_cookies_persist(void) {
    reqc_session *s = new_session();
    reqc_response *r1 = sget(s, URL("/cookies/set/sessioncookie/123456789"));
    reqc_response *r2 = sget(s, URL("/cookies"));
    if (r2 != NULL) {
        CHECK(reqc_response_status(r2) == 200);
        CHECK_JSON_HAS(reqc_response_text(r2), "\"sessioncookie\": \"123456789\"");
    }
    reqc_response_free(r1);
    reqc_response_free(r2);
    reqc_session_free(s);
}

static void test_seed_defaults_and_auth(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/headers"));
    reqc_response *resp;
    CHECK_CODE(reqc_session_set_header(s, "x-test", "true"), REQC_OK, s);
    CHECK_CODE(reqc_session_set_auth_basic(s, "user", "pass"), REQC_OK, s);
    CHECK_OK(reqc_request_set_header(req, "x-test2", "true"), req);
    resp = ssend_ok(s, req);
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_HAS(t, "\"X-Test\": \"true\"");
        CHECK_JSON_HAS(t, "\"X-Test2\": \"true\"");
        CHECK_JSON_HAS(t, "\"Authorization\": \"Basic dXNlcjpwYXNz\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* ---- merge rules -------------------------------------------------------- */

static void test_request_header_overrides_session(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/headers"));
    reqc_response *resp;
    CHECK_CODE(reqc_session_set_header(s, "X-Test", "session"), REQC_OK, s);
    CHECK_CODE(reqc_session_add_header(s, "X-Multi", "s1"), REQC_OK, s);
    CHECK_OK(reqc_request_set_header(req, "x-test", "request"), req);
    resp = ssend_ok(s, req);
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_HAS(t, "\"X-Test\": \"request\"");
        CHECK_JSON_LACKS(t, "session");
        CHECK_JSON_HAS(t, "\"X-Multi\": \"s1\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    /* The session's default is untouched for the next request. */
    resp = sget(s, URL("/headers"));
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Test\": \"session\"");
    reqc_response_free(resp);
    reqc_session_free(s);
}

static void test_request_null_header_removes_session_default(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/headers"));
    reqc_response *resp;
    CHECK_CODE(reqc_session_set_header(s, "X-Test", "true"), REQC_OK, s);
    CHECK_CODE(reqc_session_set_header(s, "X-Keep", "kept"), REQC_OK, s);
    CHECK_OK(reqc_request_set_header(req, "X-Test", NULL), req);
    resp = ssend_ok(s, req);
    if (resp != NULL) {
        CHECK_JSON_LACKS(reqc_response_text(resp), "X-Test");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Keep\": \"kept\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    /* For that request only: the next one has it again. */
    resp = sget(s, URL("/headers"));
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Test\": \"true\"");
    reqc_response_free(resp);
    reqc_session_free(s);
}

/* Params by name (one precedence rule): the request's `same` replaces the
 * session's, in its place; other session params come first. */
static void test_session_params_before_request_params(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp;
    CHECK_CODE(reqc_session_add_param(s, "a", "1"), REQC_OK, s);
    CHECK_CODE(reqc_session_add_param(s, "same", "s"), REQC_OK, s);
    CHECK_OK(reqc_request_add_param(req, "b", "2"), req);
    CHECK_OK(reqc_request_add_param(req, "same", "r"), req);
    resp = ssend_ok(s, req);
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_HAS(t, "/get?a=1&same=r&b=2\"");
        CHECK_JSON_HAS(t, "\"same\": \"r\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    /* Request params do not stick to the session. */
    resp = sget(s, URL("/get"));
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "/get?a=1&same=s\"");
    reqc_response_free(resp);
    reqc_session_free(s);
}

static void test_request_timeout_overrides_session(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/delay/1"));
    reqc_response *resp = NULL;
    /* Session 100 ms, request 5000 ms: the request's wins, the send succeeds. */
    CHECK_CODE(reqc_session_set_timeout_ms(s, 100), REQC_OK, s);
    CHECK_OK(reqc_request_set_timeout_ms(req, 5000), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(resp != NULL && reqc_response_status(resp) == 200);
    reqc_response_free(resp);
    resp = NULL;
    reqc_request_free(req);

    /* Reversed: session 5000 ms, request 100 ms: a timeout. */
    req = check_new_request("GET", URL("/delay/1"));
    CHECK_CODE(reqc_session_set_timeout_ms(s, 5000), REQC_OK, s);
    CHECK_OK(reqc_request_set_timeout_ms(req, 100), req);
    CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_TIMEOUT, req);
    CHECK(resp == NULL);
    reqc_response_free(resp);
    reqc_request_free(req);

    /* And the session's own 100 ms applies when the request sets none. */
    req = check_new_request("GET", URL("/delay/1"));
    resp = NULL;
    CHECK_CODE(reqc_session_set_timeout_ms(s, 100), REQC_OK, s);
    CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_TIMEOUT, req);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* The global config's limits reach reqc_send and sessions, under their own. */
static void test_global_config_limits(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/delay/2"));
    reqc_response *resp = NULL;
    if (s == NULL || req == NULL) goto out;
    CHECK(reqc_config_set_timeout_ms(300) == REQC_OK);
    CHECK_CODE(reqc_send(req, &resp), REQC_E_TIMEOUT, req);
    CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_TIMEOUT, req);
    CHECK_OK(reqc_session_set_timeout_ms(s, 5000), NULL);      /* the session's wins */
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    reqc_response_free(resp);
    resp = NULL;
    CHECK_OK(reqc_request_set_url(req, URL("/redirect/1")), req);
    CHECK(reqc_config_set_redirects(0, 0) == REQC_OK);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(resp != NULL && reqc_response_status(resp) == 302);
    reqc_response_free(resp);
    resp = NULL;
    CHECK_OK(reqc_request_set_url(req, URL("/bytes/5000")), req);
    CHECK(reqc_config_set_max_response_bytes(1000) == REQC_OK);
    CHECK_CODE(reqc_send(req, &resp), REQC_E_BODY_TOO_LARGE, req);
    CHECK(reqc_config_set_proxy("ftp://127.0.0.1/") == REQC_E_UNSUPPORTED_PROTOCOL);
    CHECK(reqc_config_set_timeout_ms(-1) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_config_reset() == REQC_OK);                          /* back to the defaults */
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(resp != NULL && reqc_response_status(resp) == 200);
out:
    reqc_config_reset();
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

static void test_global_config_under_session(void) {
    reqc_session *s = new_session();
    reqc_response *resp;
    CHECK(reqc_config_set_header("X-Global", "global") == REQC_OK);
    CHECK(reqc_config_set_header("X-Global-Only", "g") == REQC_OK);
    CHECK(reqc_config_set_user_agent("global-agent/1.0") == REQC_OK);

    resp = sget(s, URL("/headers"));
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_HAS(t, "\"X-Global\": \"global\"");
        CHECK_JSON_HAS(t, "\"X-Global-Only\": \"g\"");
        CHECK_JSON_HAS(t, "\"User-Agent\": \"global-agent/1.0\"");
    }
    reqc_response_free(resp);

    /* The session's settings override the global ones. */
    CHECK(reqc_session_set_header(s, "x-global", "session") == REQC_OK);
    CHECK(reqc_session_set_user_agent(s, "session-agent/2.0") == REQC_OK);
    resp = sget(s, URL("/headers"));
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_HAS(t, "\"X-Global\": \"session\"");
        CHECK_JSON_LACKS(t, "\"X-Global\": \"global\"");
        CHECK_JSON_HAS(t, "\"X-Global-Only\": \"g\"");
        CHECK_JSON_HAS(t, "\"User-Agent\": \"session-agent/2.0\"");
        CHECK_JSON_LACKS(t, "global-agent");
    }
    reqc_response_free(resp);

    /* A NULL session value removes the global header for this session. */
    CHECK(reqc_session_set_header(s, "X-Global-Only", NULL) == REQC_OK);
    resp = sget(s, URL("/headers"));
    if (resp != NULL) CHECK_JSON_LACKS(reqc_response_text(resp), "X-Global-Only");
    reqc_response_free(resp);

    CHECK(reqc_config_reset() == REQC_OK);
    reqc_session_free(s);

    /* After the reset a fresh session sees none of it. */
    s = new_session();
    resp = sget(s, URL("/headers"));
    if (resp != NULL) {
        CHECK_JSON_LACKS(reqc_response_text(resp), "X-Global");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"User-Agent\": \"libreqc/");
    }
    reqc_response_free(resp);
    reqc_session_free(s);
}

/* ---- nothing leaks between requests of one session ---------------------- */

static void test_no_leak_between_requests(void) {
    static const char *methods[] = {"POST", "PUT", "DELETE", "PATCH"};
    reqc_session *s = new_session();
    int round;
    for (round = 0; round < 4; round++) {
        char body[64], hv[64], want[128];
        reqc_request *req = check_new_request(methods[round], URL("/anything"));
        reqc_response *resp;
        if (req == NULL) break;
        snprintf(body, sizeof body, "secret-body-%d", round);
        snprintf(hv, sizeof hv, "custom-%d", round);
        CHECK_OK(reqc_request_set_body(req, (const uint8_t *)body, strlen(body), "text/plain"), req);
        CHECK_OK(reqc_request_set_auth_basic(req, "user", "pass"), req);
        CHECK_OK(reqc_request_set_header(req, "X-Custom", hv), req);
        CHECK_OK(reqc_request_add_param(req, "leak", "yes"), req);
        resp = ssend_ok(s, req);
        if (resp != NULL) {
            const char *t = reqc_response_text(resp);
            snprintf(want, sizeof want, "\"method\": \"%s\"", methods[round]);
            CHECK_JSON_HAS(t, want);
            snprintf(want, sizeof want, "\"data\": \"%s\"", body);
            CHECK_JSON_HAS(t, want);
            snprintf(want, sizeof want, "\"X-Custom\": \"%s\"", hv);
            CHECK_JSON_HAS(t, want);
            CHECK_JSON_HAS(t, "\"Authorization\": \"Basic dXNlcjpwYXNz\"");
        }
        reqc_response_free(resp);
        reqc_request_free(req);

        resp = sget(s, URL("/anything"));
        if (resp != NULL) {
            const char *t = reqc_response_text(resp);
            CHECK_JSON_HAS(t, "\"method\": \"GET\"");
            CHECK_JSON_HAS(t, "\"data\": \"\"");
            CHECK_JSON_HAS(t, "\"args\": {}");
            CHECK_JSON_LACKS(t, "Authorization");
            CHECK_JSON_LACKS(t, "X-Custom");
            CHECK_JSON_LACKS(t, "secret-body");
            CHECK_JSON_LACKS(t, "Content-Type");
            CHECK_JSON_LACKS(t, "Content-Length");
        }
        reqc_response_free(resp);
    }
    reqc_session_free(s);
}

/* ---- the cookie jar API ------------------------------------------------- */

static void test_cookie_jar_api(void) {
    reqc_session *s = new_session();
    reqc_session *s2 = NULL;
    reqc_cookie_list *list = NULL;
    const reqc_cookie *c = NULL;
    char *value = NULL, *exported = NULL;
    size_t count = 0;
    reqc_response *resp;
    if (s == NULL) return;

    CHECK(reqc_session_set_cookie(s, URL("/"), "jar1=v1; Path=/") == REQC_OK);
    CHECK(reqc_session_set_cookie(s, URL("/"), "jar2=v2; Path=/; HttpOnly") == REQC_OK);
    CHECK(reqc_session_get_cookie(s, URL("/cookies"), "jar1", &value) == REQC_OK);
    CHECK_STR_EQ(value, "v1");
    reqc_string_free(value);
    value = NULL;
    CHECK(reqc_session_get_cookie(s, URL("/cookies"), "nope", &value) == REQC_E_NOT_FOUND);
    CHECK(value == NULL);

    CHECK(reqc_session_cookies(s, &list) == REQC_OK);
    CHECK(reqc_cookie_list_count(list) == 2);
    if (reqc_cookie_list_at(list, 0, &c) == REQC_OK) {
        CHECK_STR_EQ(reqc_cookie_domain(c), "127.0.0.1");
        CHECK_STR_EQ(reqc_cookie_path(c), "/");
        CHECK_STR_EQ(reqc_cookie_name(c), "jar1");
        CHECK_STR_EQ(reqc_cookie_value(c), "v1");
        CHECK(reqc_cookie_include_subdomains(c) == 0);
        CHECK(reqc_cookie_secure(c) == 0);
        CHECK(reqc_cookie_http_only(c) == 0);
        CHECK(reqc_cookie_expires(c) == 0);
    } else {
        CHECK(!"reqc_cookie_list_at(0) failed");
    }
    if (reqc_cookie_list_at(list, 1, &c) == REQC_OK) {
        CHECK_STR_EQ(reqc_cookie_name(c), "jar2");
        CHECK(reqc_cookie_http_only(c) == 1);
    } else {
        CHECK(!"reqc_cookie_list_at(1) failed");
    }
    CHECK(reqc_cookie_list_at(list, 2, &c) == REQC_E_NOT_FOUND);
    CHECK(reqc_cookie_list_at(list, 0, NULL) == REQC_OK);

    /* The snapshot does not change with the jar. */
    CHECK(reqc_session_delete_cookie(s, "127.0.0.1", "/", "jar1") == REQC_OK);
    CHECK(reqc_cookie_list_count(list) == 2);
    reqc_cookie_list_free(list);
    list = NULL;
    CHECK(reqc_session_get_cookie(s, URL("/"), "jar1", &value) == REQC_E_NOT_FOUND);
    CHECK(reqc_session_delete_cookie(s, "127.0.0.1", "/", "jar1") == REQC_E_NOT_FOUND);

    /* The cookie the jar holds is the one sent. */
    resp = sget(s, URL("/cookies"));
    if (resp != NULL) {
        CHECK_JSON_HAS(reqc_response_text(resp), "\"jar2\": \"v2\"");
        CHECK_JSON_LACKS(reqc_response_text(resp), "jar1");
    }
    reqc_response_free(resp);

    /* Export, then import into a new session: it sends the cookie. */
    CHECK(reqc_session_set_cookie(s, URL("/"), "exp=1; Path=/") == REQC_OK);
    CHECK(reqc_session_export_cookies(s, &exported) == REQC_OK);
    CHECK(exported != NULL && strstr(exported, "exp\t1") != NULL);
    s2 = new_session();
    if (exported != NULL && s2 != NULL) {
        CHECK(reqc_session_import_cookies(s2, exported, &count) == REQC_OK);
        CHECK(count == 2);
        resp = sget(s2, URL("/cookies"));
        if (resp != NULL) {
            CHECK_JSON_HAS(reqc_response_text(resp), "\"exp\": \"1\"");
            CHECK_JSON_HAS(reqc_response_text(resp), "\"jar2\": \"v2\"");
        }
        reqc_response_free(resp);
    }
    reqc_string_free(exported);
    /* A malformed line is refused, with a message. */
    if (s2 != NULL) {
        CHECK(reqc_session_import_cookies(s2, "not a cookie line\n", NULL) ==
              REQC_E_INVALID_ARGUMENT);
        CHECK(strlen(reqc_session_error(s2)) > 0);
    }

    /* Clearing empties the jar. */
    CHECK(reqc_session_clear_cookies(s) == REQC_OK);
    CHECK(reqc_session_cookies(s, &list) == REQC_OK);
    CHECK(reqc_cookie_list_count(list) == 0);
    reqc_cookie_list_free(list);
    resp = sget(s, URL("/cookies"));
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"cookies\": {}");
    reqc_response_free(resp);

    /* A response's deletion reaches the jar. */
    resp = sget(s2, URL("/cookies/delete?exp"));
    if (resp != NULL) CHECK_JSON_LACKS(reqc_response_text(resp), "\"exp\"");
    reqc_response_free(resp);
    CHECK(reqc_session_get_cookie(s2, URL("/"), "exp", &value) == REQC_E_NOT_FOUND);

    reqc_session_free(s2);
    reqc_session_free(s);
}

/* ---- cookie scoping ----------------------------------------------------- */

static void test_cookie_scoping(void) {
    reqc_session *s = new_session();
    reqc_response *resp;
    char *v = NULL;
    if (s == NULL) return;

    /* RFC 6265 8.5: cookies are per host, not per port, so a cookie that
     * origin 1 set is sent to the same host's other port too. */
    resp = sget(s, URL("/cookies/set/portcookie/p1"));
    reqc_response_free(resp);
    resp = sget(s, URL2("/cookies"));
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"portcookie\": \"p1\"");
    reqc_response_free(resp);

    /* Host scoping: a host-only cookie of a.example.test is not b's. */
    CHECK(reqc_session_set_cookie(s, "http://a.example.test/", "hostonly=1") == REQC_OK);
    CHECK(reqc_session_get_cookie(s, "http://a.example.test/", "hostonly", &v) == REQC_OK);
    CHECK_STR_EQ(v, "1");
    reqc_string_free(v);
    v = NULL;
    CHECK(reqc_session_get_cookie(s, "http://b.example.test/", "hostonly", &v) == REQC_E_NOT_FOUND);
    CHECK(reqc_session_get_cookie(s, "http://sub.a.example.test/", "hostonly", &v) ==
          REQC_E_NOT_FOUND);
    CHECK(v == NULL);

    /* A Domain cookie reaches subdomains but not siblings' parents' other names. */
    CHECK(reqc_session_set_cookie(s, "http://a.example.test/", "dom=2; Domain=a.example.test") ==
          REQC_OK);
    CHECK(reqc_session_get_cookie(s, "http://sub.a.example.test/", "dom", &v) == REQC_OK);
    CHECK_STR_EQ(v, "2");
    reqc_string_free(v);
    v = NULL;
    CHECK(reqc_session_get_cookie(s, "http://b.example.test/", "dom", &v) == REQC_E_NOT_FOUND);

    /* Secure: only for https. */
    CHECK(reqc_session_set_cookie(s, "https://c.example.test/", "sec=3; Secure") == REQC_OK);
    CHECK(reqc_session_get_cookie(s, "http://c.example.test/", "sec", &v) == REQC_E_NOT_FOUND);
    CHECK(reqc_session_get_cookie(s, "https://c.example.test/", "sec", &v) == REQC_OK);
    CHECK_STR_EQ(v, "3");
    reqc_string_free(v);
    v = NULL;

    /* Path=/x: for /x and below, not /y nor /xy. */
    CHECK(reqc_session_set_cookie(s, "http://d.example.test/x/page", "p=4; Path=/x") == REQC_OK);
    CHECK(reqc_session_get_cookie(s, "http://d.example.test/y", "p", &v) == REQC_E_NOT_FOUND);
    CHECK(reqc_session_get_cookie(s, "http://d.example.test/xy", "p", &v) == REQC_E_NOT_FOUND);
    CHECK(reqc_session_get_cookie(s, "http://d.example.test/x/deeper", "p", &v) == REQC_OK);
    CHECK_STR_EQ(v, "4");
    reqc_string_free(v);
    v = NULL;
    CHECK(reqc_session_get_cookie(s, "http://d.example.test/x", "p", &v) == REQC_OK);
    reqc_string_free(v);
    v = NULL;

    /* Expired in the past: not stored (or removed). */
    CHECK(reqc_session_set_cookie(s, "http://e.example.test/", "old=5; Max-Age=0") == REQC_OK);
    CHECK(reqc_session_get_cookie(s, "http://e.example.test/", "old", &v) == REQC_E_NOT_FOUND);

    reqc_session_free(s);
}

/* ---- refusals ----------------------------------------------------------- */

static void test_cookie_refusals(void) {
    reqc_session *s = new_session();
    char *v = NULL;
    const char *msg;
    if (s == NULL) return;

    CHECK(reqc_session_set_cookie(s, "http://www.example.co.uk/", "a=b; Domain=co.uk") ==
          REQC_E_INVALID_ARGUMENT);
    msg = reqc_session_error(s);
    if (msg == NULL || strstr(msg, "public suffix") == NULL) {
        fprintf(stderr, "  FAIL: public suffix refusal's message is \"%s\"\n", msg ? msg : "(null)");
        check_failed_now = 1;
    }
    CHECK(reqc_session_get_cookie(s, "http://www.example.co.uk/", "a", &v) == REQC_E_NOT_FOUND);
    CHECK(reqc_session_get_cookie(s, "http://other.co.uk/", "a", &v) == REQC_E_NOT_FOUND);

    CHECK(reqc_session_set_cookie(s, "http://www.example.co.uk/", "a=b\x01" "c") ==
          REQC_E_INVALID_ARGUMENT);
    CHECK(strlen(reqc_session_error(s)) > 0);
    CHECK(reqc_session_get_cookie(s, "http://www.example.co.uk/", "a", &v) == REQC_E_NOT_FOUND);

    /* Domain that is not the URL's. */
    CHECK(reqc_session_set_cookie(s, "http://www.example.co.uk/", "a=b; Domain=evil.test") ==
          REQC_E_INVALID_ARGUMENT);

    /* A bad URL. */
    CHECK(reqc_session_set_cookie(s, "not a url", "a=b") == REQC_E_INVALID_URL);
    CHECK(reqc_session_set_cookie(NULL, "http://x.test/", "a=b") == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_set_cookie(s, "http://x.test/", NULL) == REQC_E_INVALID_ARGUMENT);

    /* The registrable domain itself is fine, and reaches its subdomains. */
    CHECK(reqc_session_set_cookie(s, "http://www.example.co.uk/", "a=b; Domain=example.co.uk") ==
          REQC_OK);
    CHECK(reqc_session_get_cookie(s, "http://shop.example.co.uk/", "a", &v) == REQC_OK);
    CHECK_STR_EQ(v, "b");
    reqc_string_free(v);
    v = NULL;
    CHECK(reqc_session_get_cookie(s, "http://other.co.uk/", "a", &v) == REQC_E_NOT_FOUND);

    reqc_session_free(s);
}

/* ---- connection reuse --------------------------------------------------- */

static void test_connection_reuse(void) {
    reqc_session *s;
    reqc_request *req;
    reqc_response *resp = NULL;
    int i, n = check_small() ? 10 : 100, ok = 1;
    long conns, before;
    NEED("REQC_TEST_CONTROL");
    s = new_session();
    if (s == NULL) return;
    check_stats_reset();
    CHECK(stats_connections() == 0);

    for (i = 0; i < n && ok; i++) {
        char path[64], want[64];
        snprintf(path, sizeof path, "/get?seq=%d", i);
        resp = sget(s, URL(path));
        if (resp == NULL) {
            ok = 0;
            break;
        }
        snprintf(want, sizeof want, "\"seq\": \"%d\"", i);
        CHECK_JSON_HAS(reqc_response_text(resp), want);
        reqc_response_free(resp);
    }
    conns = stats_connections();
    printf("  %d sequential GETs: %ld connection(s)\n", n, conns);
    CHECK(conns == 1);

    /* Redirect hops on the same origin reuse it too. */
    for (i = 0; i < 3; i++) {
        resp = sget(s, URL("/redirect/3"));
        if (resp != NULL) {
            CHECK(reqc_response_status(resp) == 200);
            CHECK(reqc_response_history_count(resp) == 3);
        }
        reqc_response_free(resp);
    }
    conns = stats_connections();
    printf("  + 3 x /redirect/3: %ld connection(s)\n", conns);
    CHECK(conns == 1);

    /* A send that timed out mid-body: its connection is dropped, the next
     * send makes one new connection and gets its own body. */
    if (!check_is_httpbin()) {
        before = conns;
        req = check_new_request("GET", URL("/reqc/slow-body?bytes=100&interval_ms=100"));
        resp = NULL;
        CHECK_OK(reqc_request_set_timeout_ms(req, 300), req);
        CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_TIMEOUT, req);
        reqc_response_free(resp);
        reqc_request_free(req);

        resp = sget(s, URL("/get?after=timeout"));
        if (resp != NULL) {
            const char *t = reqc_response_text(resp);
            CHECK(reqc_response_status(resp) == 200);
            CHECK_JSON_HAS(t, "\"after\": \"timeout\"");
            CHECK_JSON_HAS(t, "/get?after=timeout\"");
            CHECK(strstr(t, "xxx") == NULL);
        }
        reqc_response_free(resp);
        conns = stats_connections();
        printf("  after a mid-body timeout and one more GET: %ld connection(s)\n", conns);
        CHECK(conns == before + 1);

        /* And that new connection is reused again. */
        resp = sget(s, URL("/get?again=1"));
        if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"again\": \"1\"");
        reqc_response_free(resp);
        CHECK(stats_connections() == before + 1);
    }
    reqc_session_free(s);
}

/* ---- recovery after a failed send --------------------------------------- */

static void test_session_after_failed_send(void) {
    reqc_session *s = new_session();
    reqc_request *req;
    reqc_response *resp = NULL;
    char url[128];
    int port = closed_port(), i;
    if (s == NULL) return;
    CHECK(port > 0);
    CHECK(reqc_session_set_header(s, "X-Test", "true") == REQC_OK);

    /* Warm the session first, so the failure happens with a live lane. */
    resp = sget(s, URL("/get?warm=1"));
    reqc_response_free(resp);

    for (i = 0; i < 2; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d/get", port);
        req = check_new_request("GET", url);
        resp = NULL;
        CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_CONNECT, req);
        CHECK(resp == NULL);
        CHECK(strlen(reqc_request_error(req)) > 0);
        reqc_response_free(resp);
        reqc_request_free(req);

        resp = sget(s, URL("/headers"));
        if (resp != NULL) {
            CHECK(reqc_response_status(resp) == 200);
            CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Test\": \"true\"");
        }
        reqc_response_free(resp);
    }

    /* Also after an unresolvable name and a bad URL. */
    req = check_new_request("GET", "http://no-such-host.invalid/");
    resp = NULL;
    if (req != NULL) {
        reqc_code rc = reqc_session_send(s, req, &resp);
        CHECK(rc == REQC_E_RESOLVE || rc == REQC_E_PROXY);
        reqc_response_free(resp);
    }
    reqc_request_free(req);
    resp = sget(s, URL("/cookies/set/after/fail"));
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"after\": \"fail\"");
    reqc_response_free(resp);
    reqc_session_free(s);
}

/* ---- NULL handling ------------------------------------------------------ */

static void test_session_null_arguments(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp = NULL;
    reqc_cookie_list *list = NULL;
    char *v = NULL;
    CHECK(reqc_session_new(NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_send(NULL, req, &resp) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_send(s, NULL, &resp) == REQC_E_INVALID_ARGUMENT);
    CHECK(resp == NULL);
    CHECK(reqc_session_set_header(s, "bad name", "v") == REQC_E_INVALID_ARGUMENT);
    CHECK(strlen(reqc_session_error(s)) > 0);
    CHECK(reqc_session_set_header(s, "X-Ok", "bad\r\nvalue") == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_cookies(NULL, &list) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_cookies(s, NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_get_cookie(s, URL("/"), "x", NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_get_cookie(NULL, URL("/"), "x", &v) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_set_timeout_ms(s, -1) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_cookie_list_count(NULL) == 0);
    CHECK_STR_EQ(reqc_session_error(NULL), "");
    reqc_cookie_list_free(NULL);
    reqc_string_free(NULL);
    reqc_session_free(NULL);
    reqc_request_free(req);
    reqc_session_free(s);
}

int main(void) {
    RUN(test_seed_cookies_persist);
    RUN(test_seed_defaults_and_auth);
    RUN(test_request_header_overrides_session);
    RUN(test_request_null_header_removes_session_default);
    RUN(test_session_params_before_request_params);
    RUN(test_request_timeout_overrides_session);
    RUN(test_global_config_under_session);
    RUN(test_global_config_limits);
    RUN(test_no_leak_between_requests);
    RUN(test_cookie_jar_api);
    RUN(test_cookie_scoping);
    RUN(test_cookie_refusals);
    RUN(test_connection_reuse);
    RUN(test_session_after_failed_send);
    RUN(test_session_null_arguments);
    return check_summary();
}
