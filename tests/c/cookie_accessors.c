/* cookie_accessors.c: reqc_cookie is opaque and read through accessors
 * (reqc_cookie_name, _value, _domain, _path, _expires, _secure, _http_only,
 * _include_subdomains); reqc_cookie_list_at and reqc_response_cookie_at hand
 * out borrowed pointers in the one `_at` shape. */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "check.h"

/* 2031-01-01T00:00:00Z in Unix seconds. */
#define JAN_2031 1924992000LL

static void test_every_field_of_a_listed_cookie(void) {
    reqc_session *s = NULL;
    reqc_cookie_list *list = NULL;
    const reqc_cookie *c = NULL, *again = NULL;
    long long now = (long long)time(NULL);
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK(reqc_session_set_cookie(s, "https://www.h.test/app/x",
                                  "full=v1; Domain=h.test; Path=/app; Secure; HttpOnly; "
                                  "Expires=Wed, 01 Jan 2031 00:00:00 GMT") == REQC_OK);
    CHECK(reqc_session_set_cookie(s, "http://plain.test/", "plain=v2") == REQC_OK);
    CHECK(reqc_session_set_cookie(s, "http://plain.test/", "aged=v3; Max-Age=3600") == REQC_OK);
    CHECK(reqc_session_cookies(s, &list) == REQC_OK);
    CHECK(reqc_cookie_list_count(list) == 3);
    /* Ordered by domain, path and name: h.test first. */
    CHECK(reqc_cookie_list_at(list, 0, &c) == REQC_OK);
    CHECK_STR_EQ(reqc_cookie_name(c), "full");
    CHECK_STR_EQ(reqc_cookie_value(c), "v1");
    CHECK_STR_EQ(reqc_cookie_domain(c), "h.test");
    CHECK_STR_EQ(reqc_cookie_path(c), "/app");
    CHECK(reqc_cookie_expires(c) == JAN_2031);
    CHECK(reqc_cookie_secure(c) == 1);
    CHECK(reqc_cookie_http_only(c) == 1);
    CHECK(reqc_cookie_include_subdomains(c) == 1);
    /* The same cookie, the same pointer: borrowed from the list. */
    CHECK(reqc_cookie_list_at(list, 0, &again) == REQC_OK);
    CHECK(again == c);
    CHECK(reqc_cookie_list_at(list, 1, &c) == REQC_OK);
    CHECK_STR_EQ(reqc_cookie_name(c), "aged");
    CHECK(reqc_cookie_expires(c) >= now + 3590 && reqc_cookie_expires(c) <= now + 3700);
    CHECK(reqc_cookie_list_at(list, 2, &c) == REQC_OK);
    CHECK_STR_EQ(reqc_cookie_name(c), "plain");
    CHECK_STR_EQ(reqc_cookie_domain(c), "plain.test");
    CHECK_STR_EQ(reqc_cookie_path(c), "/");
    CHECK(reqc_cookie_expires(c) == 0); /* a session cookie */
    CHECK(reqc_cookie_secure(c) == 0);
    CHECK(reqc_cookie_http_only(c) == 0);
    CHECK(reqc_cookie_include_subdomains(c) == 0);
    /* The jar changes, the snapshot and its cookies do not. */
    reqc_session_clear_cookies(s);
    CHECK_STR_EQ(reqc_cookie_value(c), "v2");
    reqc_cookie_list_free(list);
    reqc_session_free(s);
}

/* The one `_at` shape: NULL handle, past the end, out not wanted; the out
 * is written only on success. */
static void test_list_at_shape(void) {
    reqc_session *s = NULL;
    reqc_cookie_list *list = NULL;
    const reqc_cookie *c = (const reqc_cookie *)&list; /* a marker: not written on failure */
    const reqc_cookie *marker = c;
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK(reqc_session_set_cookie(s, "http://h.test/", "a=1") == REQC_OK);
    CHECK(reqc_session_cookies(s, &list) == REQC_OK);
    CHECK(reqc_cookie_list_at(NULL, 0, &c) == REQC_E_INVALID_ARGUMENT);
    CHECK(c == marker);
    CHECK(reqc_cookie_list_at(list, 1, &c) == REQC_E_NOT_FOUND);
    CHECK(reqc_cookie_list_at(list, (size_t)-1, &c) == REQC_E_NOT_FOUND);
    CHECK(c == marker);
    CHECK(reqc_cookie_list_at(list, 0, NULL) == REQC_OK);
    CHECK(reqc_cookie_list_at(list, 1, NULL) == REQC_E_NOT_FOUND);
    /* A list is not a cookie: the tag check turns it away. */
    CHECK_STR_EQ(reqc_cookie_name((const reqc_cookie *)list), "");
    reqc_cookie_list_free(list);
    reqc_session_free(s);
}

static void test_accessors_on_null(void) {
    CHECK_STR_EQ(reqc_cookie_name(NULL), "");
    CHECK_STR_EQ(reqc_cookie_value(NULL), "");
    CHECK_STR_EQ(reqc_cookie_domain(NULL), "");
    CHECK_STR_EQ(reqc_cookie_path(NULL), "");
    CHECK(reqc_cookie_expires(NULL) == 0);
    CHECK(reqc_cookie_secure(NULL) == 0);
    CHECK(reqc_cookie_http_only(NULL) == 0);
    CHECK(reqc_cookie_include_subdomains(NULL) == 0);
}

/* The cookies one response stored, borrowed from the response. */
static void test_response_cookie_fields(void) {
    reqc_session *s = NULL;
    reqc_request *req;
    reqc_response *resp = NULL;
    const reqc_cookie *c = NULL;
    if (check_is_httpbin()) SKIP("needs the test server's Set-Cookie attributes on loopback");
    CHECK_OK(reqc_session_new(&s), NULL);
    req = check_new_request(
        "GET", URL("/response-headers?Set-Cookie=r%3D7%3B%20Path%3D%2Fp%3B%20HttpOnly%3B%20Max-Age%3D60"));
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_cookie_count(resp) == 1);
    CHECK(reqc_response_cookie_at(resp, 0, &c) == REQC_OK);
    CHECK_STR_EQ(reqc_cookie_name(c), "r");
    CHECK_STR_EQ(reqc_cookie_value(c), "7");
    CHECK_STR_EQ(reqc_cookie_domain(c), "127.0.0.1");
    CHECK_STR_EQ(reqc_cookie_path(c), "/p");
    CHECK(reqc_cookie_http_only(c) == 1);
    CHECK(reqc_cookie_secure(c) == 0);
    CHECK(reqc_cookie_include_subdomains(c) == 0);
    CHECK(reqc_cookie_expires(c) > (long long)time(NULL));
    CHECK(reqc_response_cookie_at(resp, 1, &c) == REQC_E_NOT_FOUND);
    CHECK(reqc_response_cookie_at(NULL, 0, &c) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_response_cookie_at(resp, 0, NULL) == REQC_OK);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

int main(void) {
    RUN(test_every_field_of_a_listed_cookie);
    RUN(test_list_at_shape);
    RUN(test_accessors_on_null);
    RUN(test_response_cookie_fields);
    return check_summary();
}
