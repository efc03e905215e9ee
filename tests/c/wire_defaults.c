/* wire_defaults.c: the default request head, pinned as it goes on the wire
 * (issue 17). libcurl formats each custom header byte by byte (~100
 * instructions a byte in 8.22), and sending User-Agent and Accept-Encoding
 * through CURLOPT_USERAGENT / CURLOPT_ACCEPT_ENCODING instead saves only the
 * parsing of two list entries (measured: ~1.5k instructions a request of
 * ~99k) while it reorders the head: libcurl writes its User-Agent before its
 * own Accept, and its Accept-Encoding before every custom header. Not taken.
 * These checks pin the order and values any such change must keep:
 *
 *  - a plain send: host, accept, user-agent, accept-encoding, in that order;
 *  - session and request headers go between user-agent and accept-encoding,
 *    layer order kept, on the first send of a handle and on the next one (the
 *    handle reused without a reset);
 *  - a caller's User-Agent / Accept-Encoding replaces the default in its
 *    place; a removed one is not sent;
 *  - the values: `libreqc/<version>`, libcurl's Accept (any type),
 *    `gzip, deflate, br, zstd`.
 *
 * Header order needs /reqc/header-names (libreqc's test server); the value
 * check also runs against httpbin.
 */
#include "check.h"

/* A heap copy of `text` (C11 has no strdup). */
static char *copy_of(const char *text) {
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);
    if (copy != NULL) memcpy(copy, text, n);
    return copy;
}

/* The header names `s` (may be NULL) and `req` (freed here) send, one a
 * line, lowercase, in wire order; "" on failure. Owned by the caller. */
static char *names_sent(reqc_session *s, reqc_request *req) {
    reqc_response *resp = NULL;
    char *names = NULL;
    const char *text;
    if (req == NULL) return copy_of("");
    if (s != NULL) {
        CHECK_OK(reqc_session_send(s, req, &resp), req);
    } else {
        CHECK_OK(reqc_send(req, &resp), req);
    }
    text = resp ? reqc_response_text(resp) : NULL;
    names = copy_of(text ? text : "");
    reqc_response_free(resp);
    reqc_request_free(req);
    return names;
}

#define CHECK_NAMES(s, req, want)                                                    \
    do {                                                                             \
        char *names_ = names_sent((s), (req));                                       \
        CHECK_STR_EQ(names_, (want));                                                \
        free(names_);                                                                \
    } while (0)

static void test_plain_send_order(void) {
    if (check_is_httpbin()) SKIP("/reqc/header-names is libreqc's test server only");
    CHECK_NAMES(NULL, check_new_request("GET", URL("/reqc/header-names")),
                "host\naccept\nuser-agent\naccept-encoding\n");
}

static void test_layer_headers_go_between(void) {
    reqc_session *s = NULL;
    int i;
    if (check_is_httpbin()) SKIP("/reqc/header-names is libreqc's test server only");
    CHECK(reqc_session_new(&s) == REQC_OK);
    CHECK(reqc_session_set_header(s, "X-Session", "s") == REQC_OK);
    /* Twice: the second send reuses the lane's handle as configured. */
    for (i = 0; i < 2; i++) {
        reqc_request *req = check_new_request("GET", URL("/reqc/header-names"));
        CHECK_OK(reqc_request_set_header(req, "X-Request", "r"), req);
        CHECK_NAMES(s, req,
                    "host\naccept\nuser-agent\nx-session\nx-request\naccept-encoding\n");
    }
    reqc_session_free(s);
}

static void test_callers_defaults_keep_place_or_go(void) {
    reqc_session *s = NULL;
    reqc_request *req;
    if (check_is_httpbin()) SKIP("/reqc/header-names is libreqc's test server only");
    CHECK(reqc_session_new(&s) == REQC_OK);
    CHECK(reqc_session_set_header(s, "X-Session", "s") == REQC_OK);
    /* A request's Accept-Encoding is its own header, in its own place. */
    req = check_new_request("GET", URL("/reqc/header-names"));
    CHECK_OK(reqc_request_set_header(req, "Accept-Encoding", "identity"), req);
    CHECK_OK(reqc_request_set_header(req, "X-Request", "r"), req);
    CHECK_NAMES(s, req, "host\naccept\nuser-agent\nx-session\naccept-encoding\nx-request\n");
    /* A session's User-Agent replaces the built-in one in its place. */
    CHECK(reqc_session_set_user_agent(s, "agent/1") == REQC_OK);
    CHECK_NAMES(s, check_new_request("GET", URL("/reqc/header-names")),
                "host\naccept\nuser-agent\nx-session\naccept-encoding\n");
    /* Removed ones are not sent at all. */
    req = check_new_request("GET", URL("/reqc/header-names"));
    CHECK_OK(reqc_request_set_header(req, "User-Agent", NULL), req);
    CHECK_OK(reqc_request_set_header(req, "Accept-Encoding", NULL), req);
    CHECK_NAMES(s, req, "host\naccept\nx-session\n");
    reqc_session_free(s);
}

static void test_default_values(void) {
    reqc_request *req = check_new_request("GET", URL("/headers"));
    reqc_response *resp = NULL;
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"User-Agent\": \"libreqc/" REQC_VERSION_STRING "\"");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"Accept\": \"*/*\"");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"Accept-Encoding\": \"gzip, deflate, br, zstd\"");
    reqc_response_free(resp);
    reqc_request_free(req);
}

int main(void) {
    reqc_config_reset();
    RUN(test_plain_send_order);
    RUN(test_layer_headers_go_between);
    RUN(test_callers_defaults_keep_place_or_go);
    RUN(test_default_values);
    return check_summary();
}
