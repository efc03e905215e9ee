/* truncated.c: a response cut short is REQC_E_RECV, whatever libcurl says.
 *
 * The test server's hostile listeners (tests/server/src/hostile/cut.rs and
 * h2.rs) send a response and close at every point where one can be cut: in
 * the status line, in the head, after the head with a Content-Length not
 * met, in a chunk-size line, mid-chunk, before the last chunk, in the
 * trailer; and on HTTP/2 a stream reset, a connection closed or a GOAWAY
 * before END_STREAM. Each runs over plain HTTP/1.1, HTTP/1.1 over TLS (a
 * clean close_notify, so only the framing tells the cut), h2c and h2 over
 * TLS. A failed send writes no response, and the session still works after.
 *
 * The bundled libcurl 8.22 returns CURLE_OK for a head that never ended
 * (`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n` then close): libreqc
 * sees every head line and refuses it itself.
 *
 * Skips itself without the test server's hostile listeners (--httpbin).
 */
#include "check.h"

/* A session for one way to reach the hostile scenarios. */
typedef struct {
    const char *name;
    const char *base_env; /* REQC_TEST_HOSTILE or REQC_TEST_TLS_HOSTILE */
    int http_version;
} way;

static const way H1 = {"http/1.1", "REQC_TEST_HOSTILE", REQC_HTTP_VERSION_1_1};
static const way H1_TLS = {"http/1.1 over TLS", "REQC_TEST_TLS_HOSTILE", REQC_HTTP_VERSION_1_1};
static const way H2C = {"h2c", "REQC_TEST_HOSTILE", REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE};
static const way H2_TLS = {"h2 over TLS", "REQC_TEST_TLS_HOSTILE", REQC_HTTP_VERSION_2};

static reqc_session *session_for(const way *w) {
    reqc_session *s = NULL;
    if (reqc_session_new(&s) != REQC_OK) {
        check_failed_now = 1;
        return NULL;
    }
    CHECK(reqc_session_set_http_version(s, w->http_version) == REQC_OK);
    CHECK(reqc_session_set_timeout_ms(s, 10000) == REQC_OK);
    if (strstr(w->base_env, "TLS") != NULL)
        CHECK(reqc_session_set_ca_file(s, check_env("REQC_TEST_CA_FILE")) == REQC_OK);
    return s;
}

/* Sends GET base+path; checks the code, that a failure writes no response,
 * and returns the response of a success (owned) or NULL. */
static reqc_response *get(reqc_session *s, const way *w, const char *path, reqc_code want) {
    reqc_request *req = check_new_request("GET", check_url_at(check_env(w->base_env), path));
    reqc_response *resp = NULL;
    reqc_code rc;
    if (req == NULL || s == NULL) {
        reqc_request_free(req);
        return NULL;
    }
    rc = reqc_session_send(s, req, &resp);
    printf("  %-18s %-26s -> %s %s\n", w->name, path, reqc_code_name(rc),
           rc != REQC_OK ? reqc_request_error(req) : "");
    if (rc != want) {
        fprintf(stderr, "  FAIL: %s %s gave %s (status %d), want %s: %s\n", w->name, path,
                reqc_code_name(rc), resp != NULL ? reqc_response_status(resp) : 0,
                reqc_code_name(want), reqc_request_error(req));
        check_failed_now = 1;
    }
    if (rc != REQC_OK) CHECK(resp == NULL);
    reqc_request_free(req);
    if (rc != REQC_OK) return NULL;
    return resp;
}

/* The session still works: a well-formed answer on the same listener. */
static void still_works(reqc_session *s, const way *w, const char *path) {
    reqc_response *resp = get(s, w, path, REQC_OK);
    CHECK(resp != NULL && reqc_response_status(resp) == 200);
    if (resp != NULL) CHECK_STR_EQ(reqc_response_text(resp), "ok");
    reqc_response_free(resp);
}

static const char *const H1_CUTS[] = {
    "/cut/status-line",  "/cut/after-status", "/cut/in-header",    "/cut/head-chunked",
    "/cut/head-length",  "/cut/after-interim", "/cut/length-empty", "/cut/length-short",
    "/cut/chunk-size",   "/cut/mid-chunk",    "/cut/before-last-chunk", "/cut/in-trailer",
};

static void h1_cuts(const way *w) {
    reqc_session *s;
    size_t i;
    NEED("REQC_TEST_HOSTILE");
    NEED("REQC_TEST_TLS_HOSTILE");
    s = session_for(w);
    for (i = 0; i < sizeof H1_CUTS / sizeof H1_CUTS[0]; i++) {
        reqc_response_free(get(s, w, H1_CUTS[i], REQC_E_RECV));
        still_works(s, w, "/");
    }
    reqc_session_free(s);
}

static void test_http1_cuts_are_recv(void) { h1_cuts(&H1); }
static void test_http1_tls_cuts_are_recv(void) { h1_cuts(&H1_TLS); }

/* The issue's own case, through reqc_send (no session) as well. */
static void test_head_without_blank_line_via_reqc_send(void) {
    reqc_request *req;
    reqc_response *resp = NULL;
    NEED("REQC_TEST_HOSTILE");
    req = check_new_request("GET", check_url_at(check_env("REQC_TEST_HOSTILE"), "/cut/head-chunked"));
    CHECK_CODE(reqc_send(req, &resp), REQC_E_RECV, req);
    CHECK(resp == NULL);
    CHECK(strstr(reqc_request_error(req), "/cut/head-chunked") != NULL);
    reqc_request_free(req);
}

/* A body without a length ends at the close: that is whole, not cut. */
static void close_delimited(const way *w) {
    reqc_session *s;
    reqc_response *resp;
    NEED("REQC_TEST_HOSTILE");
    NEED("REQC_TEST_TLS_HOSTILE");
    s = session_for(w);
    resp = get(s, w, "/close-delimited", REQC_OK);
    CHECK(resp != NULL && reqc_response_status(resp) == 200);
    if (resp != NULL) CHECK_STR_EQ(reqc_response_text(resp), "hello");
    reqc_response_free(resp);
    reqc_session_free(s);
}

static void test_close_delimited_body_is_whole(void) { close_delimited(&H1); }
static void test_close_delimited_body_is_whole_tls(void) { close_delimited(&H1_TLS); }

/* A 302 whose head never ended is not followed to its Location. */
static void test_cut_redirect_is_not_followed(void) {
    reqc_session *s;
    NEED("REQC_TEST_HOSTILE");
    s = session_for(&H1);
    CHECK(reqc_session_set_redirects(s, 1, 5) == REQC_OK);
    reqc_response_free(get(s, &H1, "/cut/redirect-head", REQC_E_RECV));
    reqc_session_free(s);
}

static const char *const H2_CUTS[] = {
    "/h2/reset-mid-body",
    "/h2/close-mid-body",
    "/h2/close-after-headers",
    "/h2/goaway-mid-body",
};

static void h2_cuts(const way *w) {
    reqc_session *s;
    size_t i;
    NEED("REQC_TEST_HOSTILE");
    NEED("REQC_TEST_TLS_HOSTILE");
    s = session_for(w);
    for (i = 0; i < sizeof H2_CUTS / sizeof H2_CUTS[0]; i++) {
        reqc_response_free(get(s, w, H2_CUTS[i], REQC_E_RECV));
        still_works(s, w, "/h2/ok");
    }
    reqc_session_free(s);
}

static void test_h2c_cuts_are_recv(void) { h2_cuts(&H2C); }
static void test_h2_tls_cuts_are_recv(void) { h2_cuts(&H2_TLS); }

/* A batch item gets the same rule as a single send. */
static void test_batch_item_cut_is_recv(void) {
    reqc_session *s;
    reqc_batch *b = NULL;
    reqc_request *req;
    reqc_response *resp = NULL;
    NEED("REQC_TEST_HOSTILE");
    s = session_for(&H1);
    CHECK(reqc_batch_new(s, &b) == REQC_OK);
    req = check_new_request("GET", check_url_at(check_env("REQC_TEST_HOSTILE"), "/cut/head-chunked"));
    CHECK(reqc_batch_add(b, req, NULL) == REQC_OK);
    reqc_request_free(req);
    req = check_new_request("GET", check_url_at(check_env("REQC_TEST_HOSTILE"), "/"));
    CHECK(reqc_batch_add(b, req, NULL) == REQC_OK);
    reqc_request_free(req);
    CHECK(reqc_batch_perform(b) == REQC_OK);
    CHECK(reqc_batch_result(b, 0, &resp) == REQC_E_RECV);
    CHECK(resp == NULL);
    CHECK(strstr(reqc_batch_item_error(b, 0), "head") != NULL);
    CHECK(reqc_batch_result(b, 1, &resp) == REQC_OK);
    CHECK(resp != NULL && reqc_response_status(resp) == 200);
    reqc_response_free(resp);
    reqc_batch_free(b);
    reqc_session_free(s);
}

int main(void) {
    RUN(test_http1_cuts_are_recv);
    RUN(test_http1_tls_cuts_are_recv);
    RUN(test_head_without_blank_line_via_reqc_send);
    RUN(test_close_delimited_body_is_whole);
    RUN(test_close_delimited_body_is_whole_tls);
    RUN(test_cut_redirect_is_not_followed);
    RUN(test_h2c_cuts_are_recv);
    RUN(test_h2_tls_cuts_are_recv);
    RUN(test_batch_item_cut_is_recv);
    return check_summary();
}
