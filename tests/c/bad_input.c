/* bad_input.c: every bad input gets its specific code, never a crash; failed
 * calls leave out-parameters alone and put a message on the handle. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>

#include "check.h"

/* A URL for tests that never send: nothing needs to listen there. */
#define NOWHERE "http://127.0.0.1:9/"

static int freed_count;

static void count_free(void *userdata) {
    (void)userdata;
    freed_count++;
}

static int read_nothing(void *userdata, uint8_t *buf, size_t capacity, size_t *written) {
    (void)userdata;
    (void)buf;
    (void)capacity;
    *written = 0;
    return 0;
}

static int take_data(void *userdata, const uint8_t *data, size_t len) {
    (void)userdata;
    (void)data;
    (void)len;
    return 0;
}

static reqc_request *new_req(const char *url) {
    reqc_request *req = NULL;
    reqc_code rc = reqc_request_new("GET", url, &req, NULL);
    if (rc != REQC_OK || req == NULL) {
        fprintf(stderr, "  FAIL: reqc_request_new(GET, %s) gave %s\n", url, reqc_code_name(rc));
        check_failed_now = 1;
        return NULL;
    }
    return req;
}

/* Checks `expr` gives `want`, that `req` then has a non-empty message, and
 * prints the message on failure. */
#define CHECK_FAILS(expr, want, req)                                                 \
    do {                                                                             \
        CHECK_CODE(expr, want, req);                                                 \
        if (*reqc_request_error(req) == 0) {                                         \
            fprintf(stderr, "  FAIL %s:%d: no message after %s\n", __FILE__,         \
                    __LINE__, #expr);                                                \
            check_failed_now = 1;                                                    \
        }                                                                            \
    } while (0)

/* reqc_request_new with a bad argument: `want`, and *out untouched. */
static void check_new_fails(const char *method, const char *url, reqc_code want, int line) {
    reqc_request *sentinel = (reqc_request *)&freed_count;
    reqc_request *out = sentinel;
    reqc_code rc = reqc_request_new(method, url, &out, NULL);
    if (rc != want) {
        fprintf(stderr, "  FAIL line %d: reqc_request_new(\"%s\", \"%s\") gave %s, want %s\n",
                line, method ? method : "(null)", url ? url : "(null)", reqc_code_name(rc),
                reqc_code_name(want));
        check_failed_now = 1;
    }
    if (out != sentinel) {
        fprintf(stderr, "  FAIL line %d: reqc_request_new wrote *out on failure\n", line);
        check_failed_now = 1;
        if (rc == REQC_OK) reqc_request_free(out);
    }
}

#define CHECK_NEW_FAILS(m, u, want) check_new_fails((m), (u), (want), __LINE__)

static void test_new_null_arguments(void) {
    reqc_request *req = NULL;
    CHECK_NEW_FAILS(NULL, NOWHERE, REQC_E_INVALID_ARGUMENT);
    CHECK_NEW_FAILS("GET", NULL, REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_request_new("GET", NOWHERE, NULL, NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_request_new(NULL, NULL, NULL, NULL) == REQC_E_INVALID_ARGUMENT);
    /* and a good one works */
    CHECK(reqc_request_new("GET", NOWHERE, &req, NULL) == REQC_OK && req != NULL);
    CHECK_STR_EQ(reqc_request_error(req), "");
    reqc_request_free(req);
}

static void test_new_bad_method(void) {
    CHECK_NEW_FAILS("GE T", NOWHERE, REQC_E_INVALID_ARGUMENT);
    CHECK_NEW_FAILS("GET\r\n", NOWHERE, REQC_E_INVALID_ARGUMENT);
    CHECK_NEW_FAILS("GET\r\nX-Injected: 1", NOWHERE, REQC_E_INVALID_ARGUMENT);
    CHECK_NEW_FAILS("", NOWHERE, REQC_E_INVALID_ARGUMENT);
    CHECK_NEW_FAILS("GET(", NOWHERE, REQC_E_INVALID_ARGUMENT);
    CHECK_NEW_FAILS("G\xff", NOWHERE, REQC_E_INVALID_ARGUMENT);
    CHECK_NEW_FAILS("G\xc3\xa9T", NOWHERE, REQC_E_INVALID_ARGUMENT); /* UTF-8, not a token */
}

static void test_new_bad_url(void) {
    static char long_url[70 * 1024];
    size_t n;
    CHECK_NEW_FAILS("GET", "not a url", REQC_E_INVALID_URL);
    CHECK_NEW_FAILS("GET", "http://", REQC_E_INVALID_URL);
    CHECK_NEW_FAILS("GET", "/relative/path", REQC_E_INVALID_URL);
    /* longer than 64 KiB */
    strcpy(long_url, "http://127.0.0.1:9/");
    n = strlen(long_url);
    memset(long_url + n, 'a', sizeof long_url - n - 1);
    long_url[sizeof long_url - 1] = 0;
    CHECK_NEW_FAILS("GET", long_url, REQC_E_INVALID_URL);
}

static void test_new_unsupported_protocol(void) {
    CHECK_NEW_FAILS("GET", "ftp://x/", REQC_E_UNSUPPORTED_PROTOCOL);
    CHECK_NEW_FAILS("GET", "file:///etc/passwd", REQC_E_UNSUPPORTED_PROTOCOL);
    CHECK_NEW_FAILS("GET", "gopher://x/", REQC_E_UNSUPPORTED_PROTOCOL);
}

static void test_new_invalid_utf8(void) {
    CHECK_NEW_FAILS("GET", "http://127.0.0.1:9/\xff", REQC_E_INVALID_ARGUMENT);
    CHECK_NEW_FAILS("GET", "http://\xc3(/", REQC_E_INVALID_ARGUMENT);
    CHECK_NEW_FAILS("\xff", NOWHERE, REQC_E_INVALID_ARGUMENT);
}

static void test_bad_headers(void) {
    reqc_request *req = new_req(NOWHERE);
    if (!req) return;
    CHECK_STR_EQ(reqc_request_error(req), "");
    CHECK_FAILS(reqc_request_set_header(req, "X Bad", "v"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_header(req, "X:Bad", "v"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_header(req, "", "v"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_header(req, "X-Ok", "a\r\nX-Injected: 1"),
                REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_header(req, "X-Ok", "a\nb"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_header(req, "X-Ok", "a\rb"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_header(req, "X-\xff", "v"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_header(req, "X-Ok", "\xff"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_header(req, NULL, "v"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_header(req, "X Bad", "v"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_header(req, "X:Bad", "v"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_header(req, "X-Ok", "a\r\nX-Injected: 1"),
                REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_header(req, "X-Ok", "\xff"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_header(req, NULL, "v"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_header(req, "X-Ok", NULL), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_mark_secret_header(req, "X Bad"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_mark_secret_header(req, NULL), REQC_E_INVALID_ARGUMENT, req);
    /* a good call after a bad one still works */
    CHECK_OK(reqc_request_set_header(req, "X-Ok", "fine"), req);
    reqc_request_free(req);
}

/* After rejected headers, what goes out is only the good ones. */
static void test_rejected_header_not_sent(void) {
    reqc_request *req = new_req(URL("/headers"));
    reqc_response *resp = NULL;
    if (!req) return;
    CHECK_CODE(reqc_request_set_header(req, "X-Ok", "a\r\nX-Injected: 1"),
               REQC_E_INVALID_ARGUMENT, req);
    CHECK_CODE(reqc_request_add_header(req, "X-Also", "b\nX-Injected2: 1"),
               REQC_E_INVALID_ARGUMENT, req);
    CHECK_OK(reqc_request_set_header(req, "X-Good", "yes"), req);
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_LACKS(t, "Injected");
        CHECK_JSON_LACKS(t, "\"X-Ok\"");
        CHECK_JSON_LACKS(t, "\"X-Also\"");
        CHECK_JSON_HAS(t, "\"X-Good\": \"yes\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_bad_bodies_and_strings(void) {
    reqc_request *req = new_req(NOWHERE);
    if (!req) return;
    CHECK_FAILS(reqc_request_set_body(req, NULL, 5, NULL), REQC_E_INVALID_ARGUMENT, req);
    CHECK_OK(reqc_request_set_body(req, NULL, 0, NULL), req);
    CHECK_FAILS(reqc_request_set_body(req, (const uint8_t *)"x", 1, "text/plain\r\nX: 1"),
                REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_json(req, NULL), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_json(req, "{\"a\": \"\xff\"}"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_param(req, NULL, "v"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_param(req, "k", NULL), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_param(req, "k", "\xff"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_form_field(req, NULL, "v"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_form_field(req, "k", "\xfe"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_file(req, "f", NULL, NULL, NULL), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_file(req, NULL, "/etc/hostname", NULL, NULL),
                REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_file(req, "f", "/nonexistent/reqc/file", NULL, NULL), REQC_E_IO,
                req);
    CHECK_FAILS(reqc_request_add_file_data(req, "f", NULL, (const uint8_t *)"x", 1, NULL),
                REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_add_file_data(req, "f", "f.bin", NULL, 5, NULL),
                REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_auth_basic(req, NULL, "p"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_auth_basic(req, "u", NULL), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_auth_basic(req, "u:x", "p"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_auth_basic(req, "\xff", "p"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_auth_digest(req, NULL, "p"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_auth_bearer(req, NULL), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_auth_bearer(req, "tok\r\nX: 1"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_method(req, NULL), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_method(req, "GE T"), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_url(req, NULL), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_url(req, "not a url"), REQC_E_INVALID_URL, req);
    CHECK_FAILS(reqc_request_set_url(req, "ftp://x/"), REQC_E_UNSUPPORTED_PROTOCOL, req);
    CHECK_FAILS(reqc_request_set_url(req, "http://x/\xff"), REQC_E_INVALID_ARGUMENT, req);
    reqc_request_free(req);
}

static void test_bad_numbers(void) {
    reqc_request *req = new_req(NOWHERE);
    if (!req) return;
    CHECK_FAILS(reqc_request_set_http_version(req, 7), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_http_version(req, -1), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_http_version(req, 30), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_redirects(req, 1, -1), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_redirects(req, 2, 5), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_redirects(req, -1, 5), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_timeout_ms(req, -5), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_connect_timeout_ms(req, 0), REQC_E_INVALID_ARGUMENT, req);
    CHECK_FAILS(reqc_request_set_connect_timeout_ms(req, -1), REQC_E_INVALID_ARGUMENT, req);
    /* the good values */
    CHECK_OK(reqc_request_set_http_version(req, REQC_HTTP_VERSION_ANY), req);
    CHECK_OK(reqc_request_set_http_version(req, REQC_HTTP_VERSION_1_0), req);
    CHECK_OK(reqc_request_set_http_version(req, REQC_HTTP_VERSION_1_1), req);
    CHECK_OK(reqc_request_set_http_version(req, REQC_HTTP_VERSION_2), req);
    CHECK_OK(reqc_request_set_http_version(req, REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE), req);
    CHECK_OK(reqc_request_set_redirects(req, 0, 0), req);
    CHECK_OK(reqc_request_set_timeout_ms(req, 0), req);
    CHECK_OK(reqc_request_set_connect_timeout_ms(req, 1), req);
    CHECK_OK(reqc_request_set_max_response_bytes(req, 0), req);
    reqc_request_free(req);
}

static void test_body_callback_bad_arguments_free_once(void) {
    int token = 0;
    reqc_request *req = new_req(NOWHERE);
    if (!req) return;
    freed_count = 0;
    CHECK_FAILS(reqc_request_set_body_callback(req, 10, NULL, &token, count_free),
                REQC_E_INVALID_ARGUMENT, req);
    CHECK(freed_count == 1);
    freed_count = 0;
    CHECK_FAILS(reqc_request_set_body_callback(req, -2, read_nothing, &token, count_free),
                REQC_E_INVALID_ARGUMENT, req);
    CHECK(freed_count == 1);
    /* NULL handle: free_userdata still runs once */
    freed_count = 0;
    CHECK(reqc_request_set_body_callback(NULL, 10, read_nothing, &token, count_free) ==
          REQC_E_INVALID_ARGUMENT);
    CHECK(freed_count == 1);
    freed_count = 0;
    CHECK(reqc_request_set_data_callback(NULL, take_data, &token, count_free) == REQC_E_INVALID_ARGUMENT);
    CHECK(freed_count == 1);
    reqc_request_free(req);
    CHECK(freed_count == 1);
}

static void test_null_handle_everywhere(void) {
    reqc_request *out = (reqc_request *)&freed_count;
    reqc_response *resp = (reqc_response *)&freed_count;
    const uint8_t b[1] = {0};
    const reqc_code E = REQC_E_INVALID_ARGUMENT;
    CHECK(reqc_request_set_method(NULL, "GET") == E);
    CHECK(reqc_request_set_url(NULL, NOWHERE) == E);
    CHECK(reqc_request_set_header(NULL, "X", "v") == E);
    CHECK(reqc_request_add_header(NULL, "X", "v") == E);
    CHECK(reqc_request_add_param(NULL, "k", "v") == E);
    CHECK(reqc_request_set_body(NULL, b, 1, NULL) == E);
    CHECK(reqc_request_set_json(NULL, "{}") == E);
    CHECK(reqc_request_add_form_field(NULL, "k", "v") == E);
    CHECK(reqc_request_add_file(NULL, "f", "/etc/hostname", NULL, NULL) == E);
    CHECK(reqc_request_add_file_data(NULL, "f", "f.bin", b, 1, NULL) == E);
    CHECK(reqc_request_set_body_callback(NULL, 1, read_nothing, NULL, NULL) == E);
    CHECK(reqc_request_set_data_callback(NULL, take_data, NULL, NULL) == E);
    CHECK(reqc_request_set_auth_basic(NULL, "u", "p") == E);
    CHECK(reqc_request_set_auth_digest(NULL, "u", "p") == E);
    CHECK(reqc_request_set_auth_bearer(NULL, "t") == E);
    CHECK(reqc_request_set_auth_none(NULL) == E);
    CHECK(reqc_request_set_timeout_ms(NULL, 100) == E);
    CHECK(reqc_request_set_connect_timeout_ms(NULL, 100) == E);
    CHECK(reqc_request_set_redirects(NULL, 1, 5) == E);
    CHECK(reqc_request_set_http_version(NULL, REQC_HTTP_VERSION_1_1) == E);
    CHECK(reqc_request_set_max_response_bytes(NULL, 100) == E);
    CHECK(reqc_request_mark_secret_header(NULL, "X") == E);
    CHECK(reqc_request_cancel(NULL) == E);
    CHECK(reqc_request_clone(NULL, &out) == E);
    CHECK(out == (reqc_request *)&freed_count);
    CHECK(reqc_send(NULL, &resp) == E);
    CHECK(resp == (reqc_response *)&freed_count);
    CHECK(reqc_send(NULL, NULL) == E);
    CHECK_STR_EQ(reqc_request_error(NULL), "");
}

static void test_free_null(void) {
    reqc_request_free(NULL);
    reqc_response_free(NULL);
    CHECK(1);
}

static void test_response_getters_null(void) {
    size_t len = 77;
    const char *name = "sentinel-name", *value = "sentinel-value";
    const uint8_t *body = reqc_response_body(NULL, &len);
    CHECK(body == NULL);
    CHECK(len == 0 || len == 77);
    CHECK(reqc_response_body(NULL, NULL) == NULL);
    CHECK(reqc_response_status(NULL) == 0);
    CHECK_STR_EQ(reqc_response_reason(NULL), "");
    CHECK_STR_EQ(reqc_response_text(NULL), "");
    CHECK(reqc_response_header(NULL, "Content-Type") == NULL);
    CHECK(reqc_response_header(NULL, NULL) == NULL);
    CHECK(reqc_response_header_count(NULL) == 0);
    CHECK(reqc_response_header_at(NULL, 0, &name, &value) == REQC_E_INVALID_ARGUMENT);
    CHECK_STR_EQ(name, "sentinel-name");
    CHECK_STR_EQ(value, "sentinel-value");
    CHECK_STR_EQ(reqc_response_url(NULL), "");
    CHECK(reqc_response_history_count(NULL) == 0);
    {
        const reqc_response *hop = (const reqc_response *)&name; /* a sentinel */
        const char *warning = "sentinel-warning";
        CHECK(reqc_response_history_at(NULL, 0, &hop) == REQC_E_INVALID_ARGUMENT);
        CHECK(hop == (const reqc_response *)&name);
        CHECK(reqc_response_warning_at(NULL, 0, &warning) == REQC_E_INVALID_ARGUMENT);
        CHECK_STR_EQ(warning, "sentinel-warning");
    }
    CHECK(reqc_response_elapsed_us(NULL) == 0);
    CHECK(reqc_response_timing_us(NULL, REQC_TIMING_TOTAL) == -1);
    CHECK(reqc_response_http_version(NULL) == 0);
    CHECK_STR_EQ(reqc_response_remote_ip(NULL), "");
    CHECK(reqc_response_remote_port(NULL) == 0);
}

static void test_send_null_out(void) {
    reqc_request *req = new_req(URL("/get"));
    if (!req) return;
    CHECK_FAILS(reqc_send(req, NULL), REQC_E_INVALID_ARGUMENT, req);
    reqc_request_free(req);
}

static void test_header_at_out_of_range_and_history_free(void) {
    reqc_request *req = new_req(URL("/redirect/1"));
    reqc_response *resp = NULL;
    if (!req) return;
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp) {
        size_t n = reqc_response_header_count(resp);
        const char *name = "sentinel-name", *value = "sentinel-value";
        const reqc_response *hop = check_hop(resp, 0);
        CHECK(reqc_response_header_at(resp, n, &name, &value) == REQC_E_NOT_FOUND);
        CHECK(reqc_response_header_at(resp, (size_t)-1, &name, &value) == REQC_E_NOT_FOUND);
        CHECK_STR_EQ(name, "sentinel-name");
        CHECK_STR_EQ(value, "sentinel-value");
        CHECK(reqc_response_header(resp, NULL) == NULL);
        {
            const reqc_response *past = hop;
            const char *warning = "sentinel-warning";
            CHECK(reqc_response_history_at(resp, 1, &past) == REQC_E_NOT_FOUND);
            CHECK(reqc_response_history_at(resp, (size_t)-1, &past) == REQC_E_NOT_FOUND);
            CHECK(past == hop); /* untouched on failure */
            CHECK(reqc_response_history_at(resp, 0, NULL) == REQC_OK); /* outs may be NULL */
            CHECK(reqc_response_warning_at(resp, 0, &warning) == REQC_E_NOT_FOUND);
            CHECK_STR_EQ(warning, "sentinel-warning");
        }
        CHECK(reqc_response_timing_us(resp, 99) == -1);
        /* freeing a history entry is a no-op: it belongs to its parent */
        CHECK(hop != NULL);
        reqc_response_free((reqc_response *)hop);
        CHECK(reqc_response_status(hop) == 302);
        CHECK(reqc_response_history_count(resp) == 1);
        CHECK(reqc_response_status(resp) == 200);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* Handles are tagged: a response passed where a request is expected (and
 * the other way round) is refused, not misread. */
static void test_wrong_handle_type(void) {
    reqc_request *req = new_req(URL("/get"));
    reqc_response *resp = NULL;
    if (!req) return;
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp) {
        reqc_request *fake = (reqc_request *)resp;
        reqc_request *out = (reqc_request *)&freed_count;
        reqc_response *r2 = (reqc_response *)&freed_count;
        const char *name = "sentinel";
        CHECK(reqc_request_set_header(fake, "X", "v") == REQC_E_INVALID_ARGUMENT);
        CHECK(reqc_request_set_url(fake, NOWHERE) == REQC_E_INVALID_ARGUMENT);
        CHECK(reqc_request_set_timeout_ms(fake, 10) == REQC_E_INVALID_ARGUMENT);
        CHECK(reqc_request_cancel(fake) == REQC_E_INVALID_ARGUMENT);
        CHECK(reqc_request_clone(fake, &out) == REQC_E_INVALID_ARGUMENT);
        CHECK(out == (reqc_request *)&freed_count);
        CHECK(reqc_send(fake, &r2) == REQC_E_INVALID_ARGUMENT);
        CHECK(r2 == (reqc_response *)&freed_count);
        CHECK_STR_EQ(reqc_request_error(fake), "");
        /* a request read as a response gives neutral values */
        CHECK(reqc_response_status((reqc_response *)req) == 0);
        CHECK_STR_EQ(reqc_response_text((reqc_response *)req), "");
        CHECK(reqc_response_header_count((reqc_response *)req) == 0);
        CHECK(reqc_response_header_at((reqc_response *)req, 0, &name, NULL) ==
              REQC_E_INVALID_ARGUMENT);
        CHECK_STR_EQ(name, "sentinel");
        /* and the real response is unharmed */
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(reqc_response_text(resp), "\"url\":");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* A failed send leaves *out alone, and the message names the URL. */
static void test_failed_send_leaves_out(void) {
    reqc_request *req = new_req(URL("/redirect-to?url=ftp%3A%2F%2Fexample.com%2F"));
    reqc_response *sentinel = (reqc_response *)&freed_count;
    reqc_response *out = sentinel;
    if (!req) return;
    CHECK_FAILS(reqc_send(req, &out), REQC_E_UNSUPPORTED_PROTOCOL, req);
    CHECK(out == sentinel);
    CHECK(strstr(reqc_request_error(req), "ftp://example.com/") != NULL ||
          strstr(reqc_request_error(req), "/redirect-to") != NULL);
    reqc_request_free(req);
}

int main(void) {
    RUN(test_new_null_arguments);
    RUN(test_new_bad_method);
    RUN(test_new_bad_url);
    RUN(test_new_unsupported_protocol);
    RUN(test_new_invalid_utf8);
    RUN(test_bad_headers);
    RUN(test_rejected_header_not_sent);
    RUN(test_bad_bodies_and_strings);
    RUN(test_bad_numbers);
    RUN(test_body_callback_bad_arguments_free_once);
    RUN(test_null_handle_everywhere);
    RUN(test_free_null);
    RUN(test_response_getters_null);
    RUN(test_send_null_out);
    RUN(test_header_at_out_of_range_and_history_free);
    RUN(test_wrong_handle_type);
    RUN(test_failed_send_leaves_out);
    (void)check_is_httpbin;
    return check_summary();
}
