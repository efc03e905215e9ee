/* cookie_jar.c: the cookie jar's refusals and order, at every entry point
 * (reqc_session_set_cookie, a server's Set-Cookie, Netscape import), the
 * per-send jar of reqc_send, an explicit Cookie header, per-request cookies
 * and the cookies one response set.
 */
#define _POSIX_C_SOURCE 200809L

#include "check.h"

static reqc_session *new_session(void) {
    reqc_session *s = NULL;
    if (reqc_session_new(&s) != REQC_OK) check_failed_now = 1;
    return s;
}

/* The value of `name` the jar would send to `url`, or NULL; malloc'd. */
static char *get_cookie(reqc_session *s, const char *url, const char *name) {
    char *v = NULL;
    if (reqc_session_get_cookie(s, url, name, &v) != REQC_OK) return NULL;
    return v;
}

/* True when the jar would send a cookie named `name` to `url`. */
static int sends(reqc_session *s, const char *url, const char *name) {
    char *v = get_cookie(s, url, name);
    reqc_string_free(v);
    return v != NULL;
}

static size_t cookie_count(reqc_session *s) {
    reqc_cookie_list *list = NULL;
    size_t n;
    if (reqc_session_cookies(s, &list) != REQC_OK) return (size_t)-1;
    n = reqc_cookie_list_count(list);
    reqc_cookie_list_free(list);
    return n;
}

/* A Domain that is a public suffix never makes a domain cookie: refused
 * from another host, host-only from the suffix's own host. */
static void test_public_suffix_set_cookie(void) {
    reqc_session *s = new_session();
    CHECK(reqc_session_set_cookie(s, "http://www.example.co.uk/", "a=1; Domain=co.uk") ==
          REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_set_cookie(s, "http://evil.github.io/", "b=1; Domain=github.io") ==
          REQC_E_INVALID_ARGUMENT);
    /* The case: the suffix itself sets it: host-only. */
    CHECK(reqc_session_set_cookie(s, "http://co.uk/", "c=1; Domain=co.uk") == REQC_OK);
    CHECK(sends(s, "http://co.uk/", "c"));
    CHECK(!sends(s, "http://victim.co.uk/", "c"));
    CHECK(reqc_session_set_cookie(s, "http://github.io/", "d=1; Domain=github.io") == REQC_OK);
    CHECK(!sends(s, "http://victim.github.io/", "d"));
    CHECK(reqc_session_set_cookie(s, "http://com/", "e=1; Domain=.com") == REQC_OK);
    CHECK(!sends(s, "http://victim.com/", "e"));
    /* An ordinary registrable domain still makes a domain cookie. */
    CHECK(reqc_session_set_cookie(s, "http://www.example.co.uk/", "f=1; Domain=example.co.uk") ==
          REQC_OK);
    CHECK(sends(s, "http://shop.example.co.uk/", "f"));
    reqc_session_free(s);
}

/* Import: a public-suffix line with subdomains refuses the whole file,
 * and nothing of it is added (all or nothing). */
static void test_public_suffix_import(void) {
    reqc_session *s = new_session();
    size_t count = 99;
    const char *lines[] = {
        "ok.test\tFALSE\t/\tFALSE\t0\tfirst\t1\n.com\tTRUE\t/\tFALSE\t0\tsuper\t1\n",
        "ok.test\tFALSE\t/\tFALSE\t0\tfirst\t1\n.github.io\tTRUE\t/\tFALSE\t0\tsuper\t1\n",
        "ok.test\tFALSE\t/\tFALSE\t0\tfirst\t1\n.co.uk\tTRUE\t/\tFALSE\t0\tsuper\t1\n",
        /* A parse error after a good line. */
        "ok.test\tFALSE\t/\tFALSE\t0\tfirst\t1\nbroken line\n",
        "ok.test\tFALSE\t/\tFALSE\t0\tfirst\t1\nok.test\tFALSE\t/\tFALSE\tsoon\tx\t1\n",
    };
    size_t i;
    for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        CHECK(reqc_session_import_cookies(s, lines[i], &count) == REQC_E_INVALID_ARGUMENT);
        CHECK(strstr(reqc_session_error(s), "line 2") != NULL);
        CHECK(count == 99);
        CHECK(cookie_count(s) == 0);
        CHECK(!sends(s, "http://victim.com/", "super"));
        CHECK(!sends(s, "http://victim.github.io/", "super"));
    }
    /* A host-only line for the suffix's own host is fine and stays host-only. */
    CHECK(reqc_session_import_cookies(s, "github.io\tFALSE\t/\tFALSE\t0\tmine\t1\n", &count) ==
          REQC_OK);
    CHECK(count == 1);
    CHECK(sends(s, "http://github.io/", "mine"));
    CHECK(!sends(s, "http://victim.github.io/", "mine"));
    reqc_session_free(s);
}

/* RFC 6265's forbidden characters are refused at every entry point, so
 * whatever the jar holds exports and re-imports. */
static void test_forbidden_characters_everywhere(void) {
    reqc_session *s = new_session();
    reqc_request *req;
    reqc_response *resp = NULL;
    char *text = NULL;
    size_t count = 0;
    /* reqc_session_set_cookie */
    CHECK(reqc_session_set_cookie(s, "http://h.test/", "a=b\tc") == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_set_cookie(s, "http://h.test/", "a\tb=c") == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_set_cookie(s, "http://h.test/", "a b=c") == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_set_cookie(s, "http://h.test/", "a=b\x01") == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_set_cookie(s, "http://h.test/", "a=1; Path=/x\ty") == REQC_E_INVALID_ARGUMENT);
    CHECK(cookie_count(s) == 0);
    /* Import: a value with ';' would smuggle attributes in. */
    CHECK(reqc_session_import_cookies(s, "h.test\tFALSE\t/\tFALSE\t0\ta\tb; Domain=x\n", &count) ==
          REQC_E_INVALID_ARGUMENT);
    /* A server's Set-Cookie with a TAB in the value is dropped. */
    req = check_new_request("GET", URL("/response-headers?Set-Cookie=t%3Da%09b&Set-Cookie=ok%3D1"));
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_cookie_count(resp) == 1);
    CHECK(!sends(s, URL("/"), "t"));
    CHECK(sends(s, URL("/"), "ok"));
    /* What the jar holds exports and re-imports. */
    CHECK(reqc_session_set_cookie(s, "http://h.test/", "q=\"quoted, with spaces\"") == REQC_OK);
    CHECK(reqc_session_export_cookies(s, &text) == REQC_OK);
    reqc_session_clear_cookies(s);
    CHECK(reqc_session_import_cookies(s, text, &count) == REQC_OK);
    CHECK(count == 2);
    reqc_string_free(text);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* reqc_session_get_cookie answers what a request would send first: the
 * longest path, then the earliest created; the same on every run. */
static void test_get_cookie_is_what_is_sent(void) {
    int round;
    for (round = 0; round < 20; round++) {
        reqc_session *s = new_session();
        char *v;
        CHECK(reqc_session_set_cookie(s, "http://h.test/", "n=root; Path=/") == REQC_OK);
        CHECK(reqc_session_set_cookie(s, "http://h.test/x/y", "n=deep; Path=/x/y") == REQC_OK);
        CHECK(reqc_session_set_cookie(s, "http://a.h.test/", "m=first; Path=/") == REQC_OK);
        CHECK(reqc_session_set_cookie(s, "http://a.h.test/", "m=second; Path=/; Domain=h.test") ==
              REQC_OK);
        v = get_cookie(s, "http://h.test/x/y/z", "n");
        CHECK_STR_EQ(v, "deep");
        reqc_string_free(v);
        v = get_cookie(s, "http://h.test/x", "n");
        CHECK_STR_EQ(v, "root");
        reqc_string_free(v);
        v = get_cookie(s, "http://a.h.test/", "m");
        CHECK_STR_EQ(v, "first");
        reqc_string_free(v);
        reqc_session_free(s);
    }
}

/* The Cookie header the jar sends is in the same order. */
static void test_cookie_header_order(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/headers"));
    reqc_response *resp = NULL;
    CHECK(reqc_session_set_cookie(s, URL("/"), "z=1; Path=/") == REQC_OK);
    CHECK(reqc_session_set_cookie(s, URL("/"), "a=2; Path=/") == REQC_OK);
    CHECK(reqc_session_set_cookie(s, URL("/headers"), "m=3; Path=/headers") == REQC_OK);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"Cookie\": \"m=3; z=1; a=2\"");
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* reqc_send keeps a jar for its own redirect hops. */
static void test_send_keeps_cookies_across_hops(void) {
    reqc_request *req = check_new_request("GET", URL("/cookies/set?a=1"));
    reqc_response *resp = NULL;
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"a\": \"1\"");
    /* The hop that set it tells which cookies it set. */
    CHECK(reqc_response_history_count(resp) == 1);
    if (reqc_response_history_count(resp) == 1) {
        const reqc_response *hop = check_hop(resp, 0);
        const reqc_cookie *c = NULL;
        CHECK(hop != NULL);
        CHECK(reqc_response_cookie_count(hop) == 1);
        CHECK(reqc_response_cookie_at(hop, 0, &c) == REQC_OK);
        CHECK_STR_EQ(reqc_cookie_name(c), "a");
        CHECK_STR_EQ(reqc_cookie_value(c), "1");
        CHECK(reqc_response_cookie_at(hop, 1, &c) == REQC_E_NOT_FOUND);
    }
    CHECK(reqc_response_cookie_count(resp) == 0);
    reqc_response_free(resp);
    resp = NULL;
    /* Nothing is kept between calls. */
    CHECK_OK(reqc_request_set_url(req, URL("/cookies")), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK_JSON_LACKS(reqc_response_text(resp), "\"a\"");
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* An explicit Cookie header replaces what the jar (and the request's own
 * cookies) would add, as in Requests. */
static void test_explicit_cookie_header_replaces_jar(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/cookies"));
    reqc_response *resp = NULL;
    CHECK(reqc_session_set_cookie(s, URL("/"), "a=1") == REQC_OK);
    CHECK_OK(reqc_request_set_header(req, "Cookie", "manual=1"), req);
    CHECK_OK(reqc_request_set_cookie(req, "own", "2"), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"manual\": \"1\"");
    CHECK_JSON_LACKS(reqc_response_text(resp), "\"a\"");
    CHECK_JSON_LACKS(reqc_response_text(resp), "\"own\"");
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* Per-request cookies: sent, beating the jar's of that name, never stored. */
static void test_request_cookies(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/cookies"));
    reqc_response *resp = NULL;
    CHECK(reqc_session_set_cookie(s, URL("/"), "a=jar") == REQC_OK);
    CHECK(reqc_session_set_cookie(s, URL("/"), "b=jar") == REQC_OK);
    CHECK_OK(reqc_request_set_cookie(req, "a", "mine"), req);
    CHECK_OK(reqc_request_set_cookie(req, "c", "x"), req);
    CHECK_OK(reqc_request_set_cookie(req, "c", "3"), req);
    CHECK_CODE(reqc_request_set_cookie(req, "bad", "a\tb"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_CODE(reqc_request_set_cookie(req, "bad name", "1"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"a\": \"mine\"");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"b\": \"jar\"");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"c\": \"3\"");
    reqc_response_free(resp);
    resp = NULL;
    CHECK(cookie_count(s) == 2);
    {
        char *v = get_cookie(s, URL("/"), "a");
        CHECK_STR_EQ(v, "jar");
        reqc_string_free(v);
    }
    /* Removed with NULL. */
    CHECK_OK(reqc_request_set_cookie(req, "c", NULL), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK_JSON_LACKS(reqc_response_text(resp), "\"c\"");
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* Per-request cookies are dropped on a redirect to another origin. */
static void test_request_cookies_not_sent_cross_origin(void) {
    reqc_request *req;
    reqc_response *resp = NULL;
    char url[4096];
    snprintf(url, sizeof url, "%s", URL("/redirect-to?url="));
    strncat(url, URL2("/cookies"), sizeof url - strlen(url) - 1);
    req = check_new_request("GET", url);
    CHECK_OK(reqc_request_set_cookie(req, "secret", "1"), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK_JSON_LACKS(reqc_response_text(resp), "secret");
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* The cookies one response set, through a session. */
static void test_response_cookies(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/cookies/set?x=1&y=2"));
    reqc_response *resp = NULL;
    const reqc_cookie *c = NULL;
    CHECK_OK(reqc_request_set_redirects(req, 0, 0), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_cookie_count(resp) == 2);
    CHECK(reqc_response_cookie_at(resp, 1, &c) == REQC_OK);
    CHECK_STR_EQ(reqc_cookie_name(c), "y");
    CHECK_STR_EQ(reqc_cookie_value(c), "2");
    CHECK_STR_EQ(reqc_cookie_path(c), "/");
    CHECK(reqc_cookie_include_subdomains(c) == 0);
    CHECK(reqc_response_cookie_at(NULL, 0, &c) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_response_cookie_at(resp, 0, NULL) == REQC_OK);
    CHECK(reqc_response_cookie_count(NULL) == 0);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

int main(void) {
    RUN(test_public_suffix_set_cookie);
    RUN(test_public_suffix_import);
    RUN(test_forbidden_characters_everywhere);
    RUN(test_get_cookie_is_what_is_sent);
    RUN(test_cookie_header_order);
    RUN(test_send_keeps_cookies_across_hops);
    RUN(test_explicit_cookie_header_replaces_jar);
    RUN(test_request_cookies);
    RUN(test_request_cookies_not_sent_cross_origin);
    RUN(test_response_cookies);
    return check_summary();
}
