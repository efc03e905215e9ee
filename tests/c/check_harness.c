/* check_harness.c: tests/c/check.h itself. A failed CHECK_CODE / CHECK_OK
 * prints the message of the handle the call was on (a request, session or
 * batch), only the code's name for NULL, and never a request's stale
 * message after a call on another handle. Needs no server. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "check.h"

/* Runs `stmt` (an expected failure of the harness) with stderr captured into
 * `buf`, and leaves the running test's verdict as it was. */
#define CAPTURE(buf, stmt)                                                           \
    do {                                                                             \
        int capture_verdict_ = check_failed_now;                                     \
        FILE *capture_file_ = tmpfile();                                             \
        int capture_fd_ = dup(2);                                                    \
        size_t capture_n_ = 0;                                                       \
        fflush(stderr);                                                              \
        if (capture_file_ != NULL && capture_fd_ >= 0)                               \
            dup2(fileno(capture_file_), 2);                                          \
        stmt;                                                                        \
        fflush(stderr);                                                              \
        if (capture_fd_ >= 0) {                                                      \
            dup2(capture_fd_, 2);                                                    \
            close(capture_fd_);                                                      \
        }                                                                            \
        if (capture_file_ != NULL) {                                                 \
            rewind(capture_file_);                                                   \
            capture_n_ = fread((buf), 1, sizeof(buf) - 1, capture_file_);            \
            fclose(capture_file_);                                                   \
        }                                                                            \
        (buf)[capture_n_] = 0;                                                       \
        CHECK(check_failed_now == 1); /* the failure was seen */                     \
        check_failed_now = capture_verdict_;                                         \
    } while (0)

static int has(const char *text, const char *needle) {
    return needle != NULL && *needle != 0 && strstr(text, needle) != NULL;
}

static void test_session_call_prints_the_sessions_message(void) {
    reqc_session *s = NULL;
    char out[4096], message[1024];
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL) return;
    CAPTURE(out, CHECK_OK(reqc_session_set_proxy(s, "gopher://127.0.0.1:1"), s));
    snprintf(message, sizeof message, "%s", reqc_session_error(s));
    CHECK(*message != 0);
    if (check_failed_now) printf("  it printed: %s", out);
    CHECK(has(out, "reqc_session_set_proxy"));
    CHECK(has(out, "want REQC_OK"));
    CHECK(has(out, message));
    reqc_session_free(s);
}

/* The old habit, a session call checked with a request that failed before:
 * the request's message is not the cause, so it is not printed. */
static void test_session_call_never_prints_a_requests_message(void) {
    reqc_session *s = NULL;
    reqc_request *req = check_new_request("GET", "http://127.0.0.1:1/");
    char out[4096], stale[1024];
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL || req == NULL) goto out;
    CHECK(reqc_request_set_header(req, "bad name", "v") == REQC_E_INVALID_ARGUMENT);
    snprintf(stale, sizeof stale, "%s", reqc_request_error(req));
    CHECK(*stale != 0);
    CAPTURE(out, CHECK_OK(reqc_session_set_proxy(s, "gopher://127.0.0.1:1"), req));
    if (check_failed_now) printf("  it printed: %s", out);
    CHECK(has(out, "reqc_session_set_proxy"));
    CHECK(!has(out, stale));
    CHECK(has(out, "want REQC_OK\n")); /* no "(message)" part */
out:
    reqc_request_free(req);
    reqc_session_free(s);
}

static void test_request_call_prints_the_requests_message(void) {
    reqc_request *req = check_new_request("GET", "http://127.0.0.1:1/");
    char out[4096], message[1024];
    if (req == NULL) return;
    CAPTURE(out, CHECK_OK(reqc_request_set_header(req, "bad name", "v"), req));
    snprintf(message, sizeof message, "%s", reqc_request_error(req));
    if (check_failed_now) printf("  it printed: %s", out);
    CHECK(has(out, message));
    CHECK(has(out, "REQC_E_INVALID_ARGUMENT"));
    reqc_request_free(req);
}

static void test_batch_call_prints_the_batchs_message(void) {
    reqc_batch *b = NULL;
    char out[4096], message[1024];
    CHECK_OK(reqc_batch_new(NULL, &b), b);
    if (b == NULL) return;
    CAPTURE(out, CHECK_CODE(reqc_batch_set_max_concurrency(b, 0), REQC_OK, b));
    snprintf(message, sizeof message, "%s", reqc_batch_error(b));
    if (check_failed_now) printf("  it printed: %s", out);
    CHECK(*message != 0);
    CHECK(has(out, message));
    reqc_batch_free(b);
}

static void test_no_handle_prints_the_code_name_only(void) {
    char out[4096];
    CAPTURE(out, CHECK_OK(reqc_session_new(NULL), NULL));
    if (check_failed_now) printf("  it printed: %s", out);
    CHECK(has(out, "gave REQC_E_INVALID_ARGUMENT, want REQC_OK\n"));
}

int main(void) {
    RUN(test_session_call_prints_the_sessions_message);
    RUN(test_session_call_never_prints_a_requests_message);
    RUN(test_request_call_prints_the_requests_message);
    RUN(test_batch_call_prints_the_batchs_message);
    RUN(test_no_handle_prints_the_code_name_only);
    return check_summary();
}
