/* timings_reuse.c: a hop's DNS, connect and TLS timings on a new and on a
 * reused connection (issue 17). libreqc asks libcurl for those three only
 * when the transfer made its connection (CURLINFO_NUM_CONNECTS > 0): on a
 * reused one libcurl records none of them, and the header promises 0. These
 * checks pin both sides of that: a new connection's phases are reported, a
 * reused one's are 0, over http:// and over TLS (libreqc's TLS listener).
 */
#include "check.h"

/* Sends GET `url` on `s` and returns the response (NULL after a failure). */
static reqc_response *get(reqc_session *s, const char *url) {
    reqc_request *req = check_new_request("GET", url);
    reqc_response *resp = NULL;
    if (!req) return NULL;
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    reqc_request_free(req);
    return resp;
}

static int64_t timing(const reqc_response *resp, reqc_timing phase) {
    return reqc_response_timing_us(resp, phase);
}

/* A new connection's phases are reported (TLS too when `tls`). */
static void check_new_connection(const reqc_response *resp, int tls) {
    CHECK(timing(resp, REQC_TIMING_CONNECT) > 0);
    CHECK(timing(resp, REQC_TIMING_DNS) <= timing(resp, REQC_TIMING_CONNECT));
    if (tls)
        CHECK(timing(resp, REQC_TIMING_TLS) >= timing(resp, REQC_TIMING_CONNECT));
    else
        CHECK(timing(resp, REQC_TIMING_TLS) == 0);
}

/* Two GETs of `url` on one session: the first makes the connection, the
 * second reuses it (DNS, connect and TLS are 0; first byte and total are
 * still there). Except over HTTP/2 with a libcurl before 8.0 (the system
 * libcurl of c-tests-system-curl), where libreqc opens a connection per
 * HTTP/2 transfer (reqc_has_feature("http2-multiplexing") is 0, curl issue
 * #10634): the second is then a new connection, and reports its phases. */
static void check_new_then_reused(reqc_session *s, const char *url, int tls) {
    reqc_response *first = get(s, url);
    reqc_response *second = first ? get(s, url) : NULL;
    if (first && second) {
        CHECK(reqc_response_status(first) == 200);
        check_new_connection(first, tls);
        CHECK(reqc_response_status(second) == 200);
        if (reqc_response_http_version(second) == REQC_HTTP_VERSION_2 &&
            !reqc_has_feature("http2-multiplexing")) {
            check_new_connection(second, tls);
        } else {
            CHECK(timing(second, REQC_TIMING_DNS) == 0);
            CHECK(timing(second, REQC_TIMING_CONNECT) == 0);
            CHECK(timing(second, REQC_TIMING_TLS) == 0);
        }
        CHECK(timing(second, REQC_TIMING_FIRST_BYTE) > 0);
        CHECK(timing(second, REQC_TIMING_TOTAL) >= timing(second, REQC_TIMING_FIRST_BYTE));
    }
    reqc_response_free(first);
    reqc_response_free(second);
}

static void test_http_new_then_reused(void) {
    reqc_session *s = NULL;
    CHECK_OK(reqc_session_new(&s), NULL);
    if (!s) return;
    check_new_then_reused(s, URL("/bytes/64"), 0);
    reqc_session_free(s);
}

static void test_tls_new_then_reused(void) {
    reqc_session *s = NULL;
    NEED("REQC_TEST_TLS");
    CHECK_OK(reqc_session_new(&s), NULL);
    if (!s) return;
    CHECK(reqc_session_set_ca_file(s, check_env("REQC_TEST_CA_FILE")) == REQC_OK);
    check_new_then_reused(s, check_url_at(check_env("REQC_TEST_TLS"), "/bytes/64"), 1);
    reqc_session_free(s);
}

int main(void) {
    RUN(test_http_new_then_reused);
    RUN(test_tls_new_then_reused);
    return check_summary();
}
