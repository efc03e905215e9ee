/* credentials.c: credentials and sensitive headers across redirects, proxy
 * credentials, and cookie scoping, through libreqc's C ABI.
 *
 * Credential kinds (each set on the REQUEST and, separately, as SESSION
 * defaults): basic auth, digest auth, bearer token, an Authorization header
 * set by hand, a Proxy-Authorization header set by hand, a Cookie header set
 * by hand, a header marked secret. Each rides with a non-secret custom header
 * (X-Plain) that must always arrive.
 *
 * Redirect scenarios, for every kind x layer:
 *   cross   origin1 -> origin2 /headers            : stripped
 *   same    origin1 -> origin1 /headers            : kept
 *   chain22 origin1 -> origin2 -> origin2 /headers : stripped
 *   chain21 origin1 -> origin2 -> origin1 /headers : stripped (gone for good)
 *   tls     https origin -> http origin1 /headers  : stripped
 * Digest only answers a challenge, so for it the final target is
 * /digest-auth/auth/duser/<pw> on that origin: 200 when the credentials
 * survived (same-origin), 401 when they were dropped.
 *
 * Also: a POST answered by 303 is re-sent as a bodiless GET; proxy
 * credentials reach only the proxy (plain and CONNECT); cookies are not sent
 * to another host name on the same port. After each case the same session
 * still serves GET /get -> 200. Without the test server (--httpbin) the cases
 * needing a second listener type skip.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdint.h>

#include "check.h"
#include "clock.h"

/* ---- helpers ------------------------------------------------------------ */

static int g_cases;        /* redirect-credential cases run */
static int g_case_failed;  /* of which failed */

static int64_t bound_ms(void) { return check_small() ? 30000 : 10000; }

#define NEED(name)                                                                    \
    do {                                                                              \
        if (check_env_or_null(name) == NULL)                                                \
            SKIP(name " is not set (not libreqc's test server)");                     \
    } while (0)

/* Percent-encodes `in` into `out` (every byte but unreserved ones). */
static void url_encode(const char *in, char *out, size_t cap) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *in && o + 4 < cap; in++) {
        unsigned char c = (unsigned char)*in;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = 0;
}

/* base + "/redirect-to?url=" + encoded target, in `out`. */
static void redirect_url(char *out, size_t cap, const char *base, const char *target) {
    char enc[2048];
    url_encode(target, enc, sizeof enc);
    snprintf(out, cap, "%s/redirect-to?url=%s", base, enc);
}

/* Case-insensitive substring search. */
static int ci_contains(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n) return 1;
    }
    return 0;
}

/* A new session with no proxy and the test CA (when there is one). */
static reqc_session *new_session(void) {
    reqc_session *s = NULL;
    reqc_code rc = reqc_session_new(&s);
    if (rc != REQC_OK || s == NULL) {
        fprintf(stderr, "  FAIL: reqc_session_new gave %s\n", reqc_code_name(rc));
        check_failed_now = 1;
        return NULL;
    }
    if (reqc_session_set_proxy(s, "") != REQC_OK) {
        fprintf(stderr, "  FAIL: reqc_session_set_proxy: %s\n", reqc_session_error(s));
        check_failed_now = 1;
    }
    if (check_env_or_null("REQC_TEST_CA_FILE") &&
        reqc_session_set_ca_file(s, check_env_or_null("REQC_TEST_CA_FILE")) != REQC_OK) {
        fprintf(stderr, "  FAIL: reqc_session_set_ca_file: %s\n", reqc_session_error(s));
        check_failed_now = 1;
    }
    return s;
}

/* Sends `req` through `s` (or alone when s is NULL), printing a failure and
 * bounding the time; the response or NULL. */
static reqc_response *send_ok(reqc_session *s, reqc_request *req) {
    reqc_response *resp = NULL;
    reqc_code rc;
    int64_t t0 = now_ms(), ms;
    if (req == NULL) {
        check_failed_now = 1;
        return NULL;
    }
    CHECK_OK(reqc_request_set_timeout_ms(req, bound_ms()), req);
    /* The connect timeout (default 10 s) covers the TLS handshake, which
     * under valgrind on a busy machine once took longer than that. */
    CHECK_OK(reqc_request_set_connect_timeout_ms(req, bound_ms()), req);
    rc = s ? reqc_session_send(s, req, &resp) : reqc_send(req, &resp);
    ms = now_ms() - t0;
    if (rc != REQC_OK) {
        fprintf(stderr, "  FAIL: send %s gave %s (%s)\n", reqc_request_url(req),
                reqc_code_name(rc), reqc_request_error(req));
        check_failed_now = 1;
        return NULL;
    }
    CHECK(ms < bound_ms() + 2000);
    return resp;
}

/* The same session still works: GET URL("/get") -> 200. */
static void check_session_still_works(reqc_session *s) {
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp = send_ok(s, req);
    if (resp != NULL) CHECK(reqc_response_status(resp) == 200);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- credential kinds ------------------------------------------------------ */

typedef struct {
    const char *name;
    int digest;          /* checked through /digest-auth instead of /headers */
    const char *header;  /* the header that carries it, quoted as in the echo */
    const char *secret;  /* a literal that must not leak (as echoed) */
} kind;

/* Request-layer and session-layer values differ, so each case looks for its own. */
static const kind KINDS[2][7] = {
    {
        {"basic", 0, "\"Authorization\"", "YnVzZXI6YmFzaWMtcHctcmVx"},
        {"digest", 1, "\"Authorization\"", "dpw-req"},
        {"bearer", 0, "\"Authorization\"", "bearer-tok-req"},
        {"Authorization by hand", 0, "\"Authorization\"", "hand-auth-req"},
        {"Proxy-Authorization by hand", 0, "\"Proxy-Authorization\"", "hand-proxy-req"},
        {"Cookie by hand", 0, "\"Cookie\"", "hand-cookie-req"},
        {"secret header", 0, "\"X-Api-Key\"", "api-key-req"},
    },
    {
        {"basic", 0, "\"Authorization\"", "YnVzZXI6YmFzaWMtcHctc2Vzcw=="},
        {"digest", 1, "\"Authorization\"", "dpw-sess"},
        {"bearer", 0, "\"Authorization\"", "bearer-tok-sess"},
        {"Authorization by hand", 0, "\"Authorization\"", "hand-auth-sess"},
        {"Proxy-Authorization by hand", 0, "\"Proxy-Authorization\"", "hand-proxy-sess"},
        {"Cookie by hand", 0, "\"Cookie\"", "hand-cookie-sess"},
        {"secret header", 0, "\"X-Api-Key\"", "api-key-sess"},
    },
};
#define NKINDS 7

/* Applies kind `k` on the session (layer 1) or the request (layer 0). */
static void apply_kind(int k, int layer, reqc_session *s, reqc_request *req) {
    reqc_code rc = REQC_OK, rc2 = REQC_OK;
    const char *sfx = layer ? "sess" : "req";
    char v[128];
    switch (k) {
    case 0:
        snprintf(v, sizeof v, "basic-pw-%s", sfx);
        rc = layer ? reqc_session_set_auth_basic(s, "buser", v)
                   : reqc_request_set_auth_basic(req, "buser", v);
        break;
    case 1:
        snprintf(v, sizeof v, "dpw-%s", sfx);
        rc = layer ? reqc_session_set_auth_digest(s, "duser", v)
                   : reqc_request_set_auth_digest(req, "duser", v);
        break;
    case 2:
        snprintf(v, sizeof v, "bearer-tok-%s", sfx);
        rc = layer ? reqc_session_set_auth_bearer(s, v) : reqc_request_set_auth_bearer(req, v);
        break;
    case 3:
        snprintf(v, sizeof v, "Custom hand-auth-%s", sfx);
        rc = layer ? reqc_session_set_header(s, "Authorization", v)
                   : reqc_request_set_header(req, "Authorization", v);
        break;
    case 4:
        snprintf(v, sizeof v, "Basic hand-proxy-%s", sfx);
        rc = layer ? reqc_session_set_header(s, "Proxy-Authorization", v)
                   : reqc_request_set_header(req, "Proxy-Authorization", v);
        break;
    case 5:
        snprintf(v, sizeof v, "handc=hand-cookie-%s", sfx);
        rc = layer ? reqc_session_set_header(s, "Cookie", v)
                   : reqc_request_set_header(req, "Cookie", v);
        break;
    case 6:
        snprintf(v, sizeof v, "api-key-%s", sfx);
        if (layer) {
            rc = reqc_session_set_header(s, "X-Api-Key", v);
            rc2 = reqc_session_mark_secret_header(s, "X-Api-Key");
        } else {
            rc = reqc_request_set_header(req, "X-Api-Key", v);
            rc2 = reqc_request_mark_secret_header(req, "X-Api-Key");
        }
        break;
    }
    if (rc != REQC_OK || rc2 != REQC_OK) {
        fprintf(stderr, "  FAIL: setting %s (%s) gave %s/%s: %s %s\n", KINDS[layer][k].name,
                layer ? "session" : "request", reqc_code_name(rc), reqc_code_name(rc2),
                reqc_session_error(s), reqc_request_error(req));
        check_failed_now = 1;
    }
}

/* Scenarios: where the request starts (given the final target URL). */
enum { SC_CROSS, SC_SAME, SC_CHAIN22, SC_CHAIN21, SC_TLS_TO_HTTP, SC_COUNT };
static const char *SC_NAMES[SC_COUNT] = {
    "origin1 -> origin2", "origin1 -> origin1", "origin1 -> origin2 -> origin2",
    "origin1 -> origin2 -> origin1", "https -> http origin1"};

/* Builds the starting URL of scenario `sc` for final path `path`. */
static void scenario_url(int sc, const char *path, char *out, size_t cap) {
    char inner[2048];
    switch (sc) {
    case SC_CROSS:
        redirect_url(out, cap, check_env("REQC_TEST_URL"), URL2(path));
        break;
    case SC_SAME:
        redirect_url(out, cap, check_env("REQC_TEST_URL"), path);
        break;
    case SC_CHAIN22:
        redirect_url(inner, sizeof inner, check_env("REQC_TEST_URL2"), URL2(path));
        redirect_url(out, cap, check_env("REQC_TEST_URL"), inner);
        break;
    case SC_CHAIN21:
        redirect_url(inner, sizeof inner, check_env("REQC_TEST_URL2"), URL(path));
        redirect_url(out, cap, check_env("REQC_TEST_URL"), inner);
        break;
    case SC_TLS_TO_HTTP:
        redirect_url(out, cap, check_env("REQC_TEST_TLS"), URL(path));
        break;
    }
}

/* Number of redirect hops scenario `sc` takes. */
static size_t scenario_hops(int sc) { return (sc == SC_CHAIN22 || sc == SC_CHAIN21) ? 2 : 1; }

/* One case: kind k on layer, scenario sc, in a fresh session. */
static void run_case(int k, int layer, int sc) {
    const kind *kd = &KINDS[layer][k];
    int kept = sc == SC_SAME;
    int failed_before = check_failed_now;
    reqc_session *s;
    reqc_request *req;
    reqc_response *resp;
    char start[4096], path[128];
    g_cases++;
    check_failed_now = 0;
    s = new_session();
    if (s == NULL) {
        check_failed_now = 1;
        return;
    }
    if (kd->digest)
        snprintf(path, sizeof path, "/digest-auth/auth/duser/dpw-%s", layer ? "sess" : "req");
    else
        snprintf(path, sizeof path, "/headers");
    scenario_url(sc, path, start, sizeof start);
    req = check_new_request("GET", start);
    if (req == NULL) {
        reqc_session_free(s);
        return;
    }
    apply_kind(k, layer, s, req);
    if (layer)
        CHECK(reqc_session_set_header(s, "X-Plain", "plain-value") == REQC_OK);
    else
        CHECK_OK(reqc_request_set_header(req, "X-Plain", "plain-value"), req);
    resp = send_ok(s, req);
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        int status = reqc_response_status(resp);
        /* Digest's challenge is a hop of its own where it is answered. */
        CHECK(reqc_response_history_count(resp) ==
              scenario_hops(sc) + (kd->digest && kept ? 1u : 0u));
        if (kd->digest) {
            /* 200: the credentials answered the challenge; 401: they were gone. */
            if (status != (kept ? 200 : 401)) {
                fprintf(stderr, "  FAIL: digest status %d, want %d\n", status, kept ? 200 : 401);
                check_failed_now = 1;
            }
            if (kept) CHECK_JSON_HAS(t, "\"authenticated\": true");
        } else {
            CHECK(status == 200);
            CHECK_JSON_HAS(t, "\"X-Plain\": \"plain-value\"");
            if (kept) {
                CHECK(ci_contains(t, kd->header));
                CHECK(strstr(t, kd->secret) != NULL);
            } else {
                if (ci_contains(t, kd->header) || strstr(t, kd->secret) != NULL) {
                    fprintf(stderr, "  FAIL: %s or %s leaked\n", kd->header, kd->secret);
                    check_failed_now = 1;
                }
            }
        }
        if (check_failed_now) fprintf(stderr, "  (final URL %s; body:\n%s)\n",
                                      reqc_response_url(resp), t);
    }
    if (check_failed_now) {
        fprintf(stderr, "  FAIL case: %s on the %s, %s (start %s): expected %s\n", kd->name,
                layer ? "session" : "request", SC_NAMES[sc], start,
                kept ? "kept" : "stripped");
        g_case_failed++;
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    check_session_still_works(s);
    reqc_session_free(s);
    if (failed_before) check_failed_now = 1;
}

static void run_scenario(int sc) {
    int k, layer;
    for (layer = 0; layer < 2; layer++)
        for (k = 0; k < NKINDS; k++) run_case(k, layer, sc);
}

static void test_cross_origin_strips(void) { run_scenario(SC_CROSS); }
static void test_same_origin_keeps(void) { run_scenario(SC_SAME); }
static void test_chain_2_2_strips(void) { run_scenario(SC_CHAIN22); }
static void test_chain_2_1_stays_stripped(void) { run_scenario(SC_CHAIN21); }

static void test_https_to_http_strips(void) {
    NEED("REQC_TEST_TLS");
    NEED("REQC_TEST_CA_FILE");
    run_scenario(SC_TLS_TO_HTTP);
}

/* ---- method and body on 303 ------------------------------------------------ */

static void test_post_303_becomes_get(void) {
    reqc_session *s = new_session();
    char start[2048];
    reqc_request *req;
    reqc_response *resp;
    static const char body[] = "post-body-must-not-follow";
    if (s == NULL) return;
    snprintf(start, sizeof start, "%s", URL("/redirect-to?url=%2Fanything&status_code=303"));
    req = check_new_request("POST", start);
    if (req != NULL)
        CHECK_OK(reqc_request_set_body(req, (const uint8_t *)body, sizeof body - 1,
                                       "text/plain"),
                 req);
    resp = send_ok(s, req);
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_status(resp) == 200);
        CHECK(reqc_response_history_count(resp) == 1);
        CHECK_JSON_HAS(t, "\"method\": \"GET\"");
        CHECK_JSON_HAS(t, "\"data\": \"\"");
        CHECK_JSON_LACKS(t, body);
        CHECK(!ci_contains(t, "\"Content-Length\""));
        CHECK(!ci_contains(t, "text/plain"));
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    check_session_still_works(s);
    reqc_session_free(s);
}

/* ---- proxy credentials ----------------------------------------------------- */

/* A session through the test proxy with credentials puser:ppass. */
static reqc_session *proxy_session(void) {
    reqc_session *s = new_session();
    char proxy[512];
    const char *p = check_env("REQC_TEST_PROXY");
    if (s == NULL) return NULL;
    if (strncmp(p, "http://", 7) != 0) {
        fprintf(stderr, "  FAIL: REQC_TEST_PROXY is %s\n", p);
        check_failed_now = 1;
        return s;
    }
    snprintf(proxy, sizeof proxy, "http://puser:ppass@%s", p + 7);
    if (reqc_session_set_proxy(s, proxy) != REQC_OK) {
        fprintf(stderr, "  FAIL: reqc_session_set_proxy(%s): %s\n", proxy, reqc_session_error(s));
        check_failed_now = 1;
    }
    return s;
}

/* Through the proxy: GET `url` -> 200 whose echo lacks the proxy credentials;
 * the proxy log shows a `method` request carrying them. */
static void proxied_get(const char *url, const char *method, const char *target_part) {
    reqc_session *s = proxy_session();
    reqc_request *req;
    reqc_response *resp;
    char *log;
    check_stats_reset();
    if (s == NULL) return;
    req = check_new_request("GET", url);
    resp = send_ok(s, req);
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_status(resp) == 200);
        CHECK(!ci_contains(t, "Proxy-Authorization"));
        CHECK_JSON_LACKS(t, "cHVzZXI6cHBhc3M=");
        CHECK_JSON_LACKS(t, "ppass");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    log = check_control("GET", "/proxy-log");
    if (log != NULL) {
        char want[256];
        printf("  proxy log: %s\n", log);
        snprintf(want, sizeof want, "\"method\": \"%s\"", method);
        CHECK_JSON_HAS(log, want);
        CHECK_JSON_HAS(log, target_part);
        CHECK_JSON_HAS(log, "\"proxy_authorization\": \"Basic cHVzZXI6cHBhc3M=\"");
    }
    free(log);
    /* The same session (still proxied) goes on working. */
    check_session_still_works(s);
    reqc_session_free(s);
}

static void test_proxy_credentials_plain(void) {
    char target[512];
    NEED("REQC_TEST_PROXY");
    NEED("REQC_TEST_CONTROL");
    snprintf(target, sizeof target, "\"target\": \"%s\"", URL("/headers"));
    proxied_get(URL("/headers"), "GET", target);
}

static void test_proxy_credentials_connect(void) {
    char target[512];
    const char *tls;
    NEED("REQC_TEST_PROXY");
    NEED("REQC_TEST_CONTROL");
    NEED("REQC_TEST_TLS");
    NEED("REQC_TEST_CA_FILE");
    tls = check_env("REQC_TEST_TLS");
    /* CONNECT's target is host:port. */
    snprintf(target, sizeof target, "\"target\": \"%s\"", tls + strlen("https://"));
    proxied_get(check_url_at(tls, "/headers"), "CONNECT", target);
}

/* ---- cookies and host names ------------------------------------------------ */

static void test_cookie_not_sent_to_other_host(void) {
    reqc_session *s = new_session();
    reqc_request *req;
    reqc_response *resp;
    const char *base = check_env("REQC_TEST_URL");
    const char *host = strstr(base, "127.0.0.1");
    char other[512];
    if (s == NULL) return;
    if (host == NULL) {
        reqc_session_free(s);
        SKIP("REQC_TEST_URL is not on 127.0.0.1");
    }
    snprintf(other, sizeof other, "%.*slocalhost%s/cookies", (int)(host - base), base,
             host + strlen("127.0.0.1"));
    req = check_new_request("GET", URL("/cookies/set/c/v"));
    resp = send_ok(s, req);
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"c\": \"v\"");
    reqc_response_free(resp);
    reqc_request_free(req);

    req = check_new_request("GET", other);
    resp = send_ok(s, req);
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        printf("  %s -> %s\n", other, t);
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_LACKS(t, "\"c\"");
        CHECK_JSON_HAS(t, "\"cookies\": {}");
    }
    reqc_response_free(resp);
    reqc_request_free(req);

    /* Still sent to its own host. */
    req = check_new_request("GET", URL("/cookies"));
    resp = send_ok(s, req);
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"c\": \"v\"");
    reqc_response_free(resp);
    reqc_request_free(req);
    check_session_still_works(s);
    reqc_session_free(s);
}

int main(void) {
    RUN(test_cross_origin_strips);
    RUN(test_same_origin_keeps);
    RUN(test_chain_2_2_strips);
    RUN(test_chain_2_1_stays_stripped);
    RUN(test_https_to_http_strips);
    RUN(test_post_303_becomes_get);
    RUN(test_proxy_credentials_plain);
    RUN(test_proxy_credentials_connect);
    RUN(test_cookie_not_sent_to_other_host);
    printf("redirect-credential cases: %d run, %d failed (%d kinds x 2 layers x %d scenarios)\n",
           g_cases, g_case_failed, NKINDS, SC_COUNT);
    return check_summary();
}
