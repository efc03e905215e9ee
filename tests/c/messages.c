/* messages.c: failure codes and messages (issue 10 §7).
 *
 * Every failure of a send names its code, what failed, and the method and
 * URL (userinfo removed): walked here through each failure path of the
 * engine. Also: a short read callback is REQC_E_CALLBACK saying so; hook
 * warnings stay on the response; logging can be switched off without an fd;
 * a URL with CR/LF is REQC_E_INVALID_URL, as docs/SECURITY.md says.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <unistd.h>

#include "check.h"

/* base URL with "user:secret@" put after the scheme, plus path. */
static const char *with_userinfo(const char *path) {
    static char buf[4][1024];
    static int next;
    char *b = buf[next++ % 4];
    const char *base = check_env("REQC_TEST_URL");
    const char *host = strstr(base, "://");
    snprintf(b, sizeof buf[0], "http://user:secret@%s%s", host != NULL ? host + 3 : base, path);
    return b;
}

/* The message must name the code, the method and the URL as sent (no
 * userinfo), and `what` (a phrase saying what failed). */
static void check_message(reqc_request *req, reqc_code rc, reqc_code want, const char *method,
                          const char *path, const char *what) {
    char named[1200];
    const char *msg = reqc_request_error(req);
    if (rc != want) {
        fprintf(stderr, "  FAIL: %s %s gave %s, want %s (%s)\n", method, path,
                reqc_code_name(rc), reqc_code_name(want), msg);
        check_failed_now = 1;
        return;
    }
    snprintf(named, sizeof named, "%s %s", method, URL(path));
    if (strncmp(msg, reqc_code_name(want), strlen(reqc_code_name(want))) != 0 ||
        strstr(msg, named) == NULL || strstr(msg, what) == NULL || strstr(msg, "secret") != NULL ||
        strstr(msg, "user") != NULL) {
        fprintf(stderr, "  FAIL: message \"%s\" should start with %s, name \"%s\" and say \"%s\", "
                        "without userinfo\n", msg, reqc_code_name(want), named, what);
        check_failed_now = 1;
    }
}

static int hook_kind_to_abort;
static int abort_hook(void *ud, int kind, reqc_hook_ctx *ctx) {
    (void)ud;
    (void)ctx;
    return kind == hook_kind_to_abort ? REQC_HOOK_RESULT_ABORT : REQC_HOOK_RESULT_CONTINUE;
}

static void test_hook_aborts_name_request(void) {
    static const struct {
        int kind;
        const char *what;
    } cases[] = {
        {REQC_HOOK_KIND_ARGS, "an args hook aborted the request"},
        {REQC_HOOK_KIND_PRE_REQUEST, "a pre_request hook aborted the request"},
        {REQC_HOOK_KIND_POST_REQUEST, "a post_request hook aborted the request"},
        {REQC_HOOK_KIND_RESPONSE, "a response hook aborted the request"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reqc_request *req = check_new_request("POST", with_userinfo("/post"));
        reqc_response *resp = NULL;
        if (req == NULL) return;
        hook_kind_to_abort = cases[i].kind;
        CHECK_OK(reqc_request_add_hook(req, cases[i].kind, abort_hook, NULL, NULL, NULL), req);
        check_message(req, reqc_send(req, &resp), REQC_E_ABORTED, "POST", "/post", cases[i].what);
        CHECK(resp == NULL);
        reqc_request_free(req);
    }
}

static int stop_data(void *ud, const uint8_t *data, size_t len) {
    (void)ud;
    (void)data;
    (void)len;
    return 1;
}

struct short_body {
    int calls;
};
static int short_read(void *ud, uint8_t *buf, size_t cap, size_t *written) {
    struct short_body *b = ud;
    if (b->calls++ == 0 && cap >= 10) {
        memset(buf, 'x', 10);
        *written = 10;
    } else {
        *written = 0;
    }
    return 0;
}
static int failing_read(void *ud, uint8_t *buf, size_t cap, size_t *written) {
    (void)ud;
    (void)buf;
    (void)cap;
    (void)written;
    return 7;
}

/* One request per failure path of a send, each through URL-with-userinfo. */
static void test_every_failure_names_code_and_request(void) {
    reqc_request *req;
    reqc_response *resp = NULL;
    struct short_body sb = {0};

    /* total timeout */
    req = check_new_request("GET", with_userinfo("/delay/3"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_timeout_ms(req, 300), req);
    check_message(req, reqc_send(req, &resp), REQC_E_TIMEOUT, "GET", "/delay/3", "");
    reqc_request_free(req);

    /* too many redirects */
    req = check_new_request("GET", with_userinfo("/redirect/3"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_redirects(req, 1, 0), req);
    resp = NULL;
    check_message(req, reqc_send(req, &resp), REQC_E_TOO_MANY_REDIRECTS, "GET", "/redirect/3",
                  "more than 0 redirects");
    reqc_response_free(resp);
    resp = NULL;
    reqc_request_free(req);

    /* body over the cap */
    req = check_new_request("GET", with_userinfo("/bytes/5000"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_max_response_bytes(req, 100), req);
    check_message(req, reqc_send(req, &resp), REQC_E_BODY_TOO_LARGE, "GET", "/bytes/5000",
                  "exceeds the cap");
    reqc_request_free(req);

    /* the data callback stops */
    req = check_new_request("GET", with_userinfo("/bytes/100"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_data_callback(req, stop_data, NULL, NULL), req);
    check_message(req, reqc_send(req, &resp), REQC_E_ABORTED, "GET", "/bytes/100",
                  "the data callback asked to stop");
    reqc_request_free(req);

    /* a multipart file that is gone by the time of the send */
    req = check_new_request("POST", with_userinfo("/post"));
    if (req == NULL) return;
    {
        char path[] = "/tmp/reqc-messages-XXXXXX";
        int fd = mkstemp(path);
        CHECK(fd >= 0);
        if (fd >= 0) close(fd);
        CHECK_OK(reqc_request_add_file(req, "f", path, NULL, NULL), req);
        unlink(path);
        check_message(req, reqc_send(req, &resp), REQC_E_IO, "POST", "/post", "cannot read file");
    }
    reqc_request_free(req);

    /* a read callback that announced 100 bytes and supplied 10 */
    req = check_new_request("POST", with_userinfo("/post"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_body_callback(req, 100, short_read, &sb, NULL), req);
    check_message(req, reqc_send(req, &resp), REQC_E_CALLBACK, "POST", "/post",
                  "after 10 of the 100 bytes announced");
    reqc_request_free(req);

    /* a read callback that fails */
    req = check_new_request("POST", with_userinfo("/post"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_body_callback(req, -1, failing_read, NULL, NULL), req);
    check_message(req, reqc_send(req, &resp), REQC_E_CALLBACK, "POST", "/post",
                  "the body read callback failed");
    reqc_request_free(req);

    /* cancelled before it started */
    req = check_new_request("GET", with_userinfo("/get"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_cancel(req), req);
    check_message(req, reqc_send(req, &resp), REQC_E_CANCELLED, "GET", "/get", "cancelled");
    reqc_request_free(req);
    CHECK(resp == NULL);
}

/* A redirect to a refused scheme and a refused connection name the request. */
static void test_redirect_and_connect_failures(void) {
    reqc_request *req;
    reqc_response *resp = NULL;
    if (check_is_httpbin()) SKIP("needs libreqc's test server (/redirect-to to ftp)");
    req = check_new_request("GET", with_userinfo("/redirect-to?url=ftp%3A%2F%2Fx%2F"));
    if (req == NULL) return;
    check_message(req, reqc_send(req, &resp), REQC_E_UNSUPPORTED_PROTOCOL, "GET",
                  "/redirect-to?url=ftp%3A%2F%2Fx%2F", "refused redirect");
    reqc_request_free(req);
    req = check_new_request("GET", "http://user:secret@127.0.0.1:1/x");
    if (req == NULL) return;
    {
        reqc_code rc = reqc_send(req, &resp);
        const char *msg = reqc_request_error(req);
        CHECK(rc == REQC_E_CONNECT);
        CHECK(strncmp(msg, "REQC_E_CONNECT", 14) == 0);
        CHECK(strstr(msg, "GET http://127.0.0.1:1/x") != NULL);
        CHECK(strstr(msg, "secret") == NULL);
    }
    reqc_request_free(req);
}

static int warn_hook(void *ud, int kind, reqc_hook_ctx *ctx) {
    (void)ud;
    (void)ctx;
    return kind == REQC_HOOK_KIND_RESPONSE || kind == REQC_HOOK_KIND_ARGS ? REQC_HOOK_RESULT_ERROR
                                                                 : REQC_HOOK_RESULT_CONTINUE;
}

/* REQC_HOOK_RESULT_ERROR with no log sink: the warnings are on the response. */
static void test_hook_warnings_on_response(void) {
    reqc_request *req = check_new_request("GET", with_userinfo("/redirect/1"));
    reqc_response *resp = NULL;
    char want[1200];
    if (req == NULL) return;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, warn_hook, NULL, NULL, NULL), req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, warn_hook, NULL, NULL, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp != NULL) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK(reqc_response_warning_count(resp) == 3);
        snprintf(want, sizeof want, "an args hook reported an error at hop 0: GET %s",
                 URL("/redirect/1"));
        CHECK_STR_EQ(check_warning(resp, 0), want);
        snprintf(want, sizeof want, "a response hook reported an error at hop 0: GET %s",
                 URL("/redirect/1"));
        CHECK_STR_EQ(check_warning(resp, 1), want);
        snprintf(want, sizeof want, "a response hook reported an error at hop 1: GET %s",
                 URL("/get"));
        CHECK_STR_EQ(check_warning(resp, 2), want);
        CHECK(check_warning(resp, 3) == NULL);
    }
    reqc_response_free(resp);
    resp = NULL;
    /* A send without warnings has none. */
    CHECK_OK(reqc_request_set_url(req, URL("/get")), req);
    reqc_request_free(req);
    req = check_new_request("GET", URL("/get"));
    if (req == NULL) return;
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_warning_count(resp) == 0);
    CHECK(check_warning(resp, 0) == NULL);
    CHECK(reqc_response_warning_count(NULL) == 0);
    CHECK(check_warning(NULL, 0) == NULL);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* Switching logging off needs no file descriptor. */
static void test_log_off_without_fd(void) {
    reqc_session *s = NULL;
    if (reqc_session_new(&s) != REQC_OK) {
        check_failed_now = 1;
        return;
    }
    CHECK(reqc_session_set_verbose_fd(s, -1, REQC_LOG_LEVEL_OFF, 0) == REQC_OK);
    CHECK(reqc_session_set_verbose_fd(s, -1, REQC_LOG_LEVEL_REQUESTS, 0) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_config_set_verbose_fd(-1, REQC_LOG_LEVEL_OFF, 0) == REQC_OK);
    CHECK(reqc_config_set_verbose_fd(-1, REQC_LOG_LEVEL_REQUESTS, 0) == REQC_E_INVALID_ARGUMENT);
    reqc_session_free(s);
    CHECK(reqc_config_reset() == REQC_OK);
}

/* docs/SECURITY.md: a URL with CR or LF is REQC_E_INVALID_URL. */
static void test_url_with_crlf_is_invalid_url(void) {
    reqc_request *req = NULL;
    CHECK(reqc_request_new("GET", "http://127.0.0.1/a\r\nX-Injected: 1", &req, NULL) ==
          REQC_E_INVALID_URL);
    CHECK(req == NULL);
    CHECK(reqc_request_new("GET", "http://127.0.0.1/a\nb", &req, NULL) == REQC_E_INVALID_URL);
    req = check_new_request("GET", URL("/get"));
    if (req == NULL) return;
    CHECK_CODE(reqc_request_set_url(req, "http://127.0.0.1/a\rb"), REQC_E_INVALID_URL, req);
    reqc_request_free(req);
}

int main(void) {
    RUN(test_hook_aborts_name_request);
    RUN(test_every_failure_names_code_and_request);
    RUN(test_redirect_and_connect_failures);
    RUN(test_hook_warnings_on_response);
    RUN(test_log_off_without_fd);
    RUN(test_url_with_crlf_is_invalid_url);
    return check_summary();
}
