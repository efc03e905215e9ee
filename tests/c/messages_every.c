/* messages_every.c: every failure leaves a message a caller can read.
 * reqc_request_new through its message_out; the hook context's setters on
 * the context (reqc_hook_ctx_error); the global config in the process
 * (reqc_config_error, not thread-local); reqc_batch_result and
 * reqc_request_last_response on their handle; reqc_batch_new on its
 * session. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "check.h"

/* A marker pointer: an out-parameter still holding it was not written. */
static char marker_byte;
#define MARKER ((void *)&marker_byte)

#define CHECK_HAS(text, needle)                                                      \
    do {                                                                             \
        const char *check_h_ = (text);                                               \
        if (check_h_ == NULL || strstr(check_h_, (needle)) == NULL) {                \
            fprintf(stderr, "  FAIL %s:%d: %s is \"%s\", lacks \"%s\"\n", __FILE__,  \
                    __LINE__, #text, check_h_ ? check_h_ : "(null)", (needle));      \
            check_failed_now = 1;                                                    \
        }                                                                            \
    } while (0)

/* reqc_request_new(method, url) fails with `want`; its message names the
 * code and holds `needle`; with message_out NULL the code is the same. */
static void check_new_fails(const char *method, const char *url, reqc_code want, const char *needle) {
    reqc_request *req = MARKER;
    char *message = MARKER;
    CHECK_CODE(reqc_request_new(method, url, &req, &message), want, NULL);
    CHECK(req == MARKER);
    CHECK(message != MARKER && message != NULL);
    if (message != MARKER && message != NULL) {
        CHECK_HAS(message, reqc_code_name(want));
        CHECK_HAS(message, needle);
        reqc_string_free(message);
    }
    req = MARKER;
    CHECK_CODE(reqc_request_new(method, url, &req, NULL), want, NULL);
    CHECK(req == MARKER);
}

static void test_request_new_messages(void) {
    reqc_request *req = NULL;
    char *message = MARKER;
    check_new_fails("GET", "http://", REQC_E_INVALID_URL, "http://");
    check_new_fails("GET", "not a url", REQC_E_INVALID_URL, "not a url");
    check_new_fails("GET", "ftp://host/file", REQC_E_UNSUPPORTED_PROTOCOL, "ftp");
    check_new_fails("GE T", "http://host/", REQC_E_INVALID_ARGUMENT, "GE T");
    check_new_fails("", "http://host/", REQC_E_INVALID_ARGUMENT, "method");
    check_new_fails(NULL, "http://host/", REQC_E_INVALID_ARGUMENT, "method is NULL");
    check_new_fails("GET", NULL, REQC_E_INVALID_ARGUMENT, "url is NULL");
    check_new_fails("GET", "http://host/\r\nX: y", REQC_E_INVALID_URL, "");
    /* NULL request_out: the message says so. */
    CHECK_CODE(reqc_request_new("GET", "http://host/", NULL, &message), REQC_E_INVALID_ARGUMENT, NULL);
    CHECK(message != MARKER && message != NULL);
    if (message != MARKER && message != NULL) {
        CHECK_HAS(message, "request_out is NULL");
        reqc_string_free(message);
    }
    CHECK_CODE(reqc_request_new("GET", "http://host/", NULL, NULL), REQC_E_INVALID_ARGUMENT, NULL);
    /* Success does not write message_out. */
    message = MARKER;
    CHECK_OK(reqc_request_new("GET", "http://host/", &req, &message), NULL);
    CHECK(message == MARKER);
    reqc_request_free(req);
}

/* What the hook saw of its context's messages. */
typedef struct {
    int kind_seen;
    char before[256];
    reqc_code status_rc, header_rc, body_rc, replace_rc, args_rc;
    char status_msg[256], header_msg[256], body_msg[256], replace_msg[256], args_msg[256];
    char after_success[256];
} hook_saw;

static void copy(char *dst, const char *src) {
    snprintf(dst, 256, "%s", src != NULL ? src : "(null)");
}

static reqc_hook_result message_hook(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    hook_saw *saw = userdata;
    if (kind == REQC_HOOK_KIND_ARGS) {
        saw->args_rc = reqc_hook_ctx_set_response_status(ctx, 200);
        copy(saw->args_msg, reqc_hook_ctx_error(ctx));
        return REQC_HOOK_RESULT_CONTINUE;
    }
    saw->kind_seen = kind;
    copy(saw->before, reqc_hook_ctx_error(ctx));
    saw->status_rc = reqc_hook_ctx_set_response_status(ctx, 42);
    copy(saw->status_msg, reqc_hook_ctx_error(ctx));
    saw->header_rc = reqc_hook_ctx_set_response_header(ctx, "Bad Name", "x");
    copy(saw->header_msg, reqc_hook_ctx_error(ctx));
    saw->body_rc = reqc_hook_ctx_set_response_body(ctx, NULL, 5);
    copy(saw->body_msg, reqc_hook_ctx_error(ctx));
    saw->replace_rc = reqc_hook_ctx_set_response(ctx, NULL);
    copy(saw->replace_msg, reqc_hook_ctx_error(ctx));
    /* A success leaves the last failure's message. */
    reqc_hook_ctx_set_response_header(ctx, "X-Ok", "1");
    copy(saw->after_success, reqc_hook_ctx_error(ctx));
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_hook_ctx_messages(void) {
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp = NULL;
    hook_saw saw;
    memset(&saw, 0, sizeof saw);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, message_hook, &saw, NULL, NULL), req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, message_hook, &saw, NULL, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(saw.kind_seen == REQC_HOOK_KIND_RESPONSE);
    CHECK_STR_EQ(saw.before, "");
    CHECK(saw.status_rc == REQC_E_INVALID_ARGUMENT);
    CHECK_HAS(saw.status_msg, "REQC_E_INVALID_ARGUMENT");
    CHECK_HAS(saw.status_msg, "status 42");
    CHECK(saw.header_rc == REQC_E_INVALID_ARGUMENT);
    CHECK_HAS(saw.header_msg, "Bad Name");
    CHECK(saw.body_rc == REQC_E_INVALID_ARGUMENT);
    CHECK_HAS(saw.body_msg, "NULL");
    CHECK(saw.replace_rc == REQC_E_INVALID_ARGUMENT);
    CHECK_HAS(saw.replace_msg, "replacement");
    CHECK_STR_EQ(saw.after_success, saw.replace_msg);
    /* A response setter outside a RESPONSE hook says why. */
    CHECK(saw.args_rc == REQC_E_INVALID_ARGUMENT);
    CHECK_HAS(saw.args_msg, "RESPONSE hooks only");
    CHECK_STR_EQ(reqc_response_header(resp, "X-Ok"), "1");
    CHECK_STR_EQ(reqc_hook_ctx_error(NULL), "");
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void *fail_config_on_a_thread(void *arg) {
    (void)arg;
    reqc_config_set_connect_timeout_ms(0);
    return NULL;
}

static void test_config_messages(void) {
    pthread_t t;
    CHECK_STR_EQ(reqc_config_error(), "");
    CHECK_CODE(reqc_config_set_timeout_ms(-1), REQC_E_INVALID_ARGUMENT, NULL);
    CHECK_HAS(reqc_config_error(), "REQC_E_INVALID_ARGUMENT");
    CHECK_HAS(reqc_config_error(), "-1");
    /* A success keeps the last failure's message. */
    CHECK_OK(reqc_config_set_timeout_ms(5000), NULL);
    CHECK_HAS(reqc_config_error(), "-1");
    CHECK(reqc_config_set_proxy("ftp://proxy.test:21") != REQC_OK);
    CHECK_HAS(reqc_config_error(), "ftp");
    CHECK_CODE(reqc_config_set_header("Bad Name", "x"), REQC_E_INVALID_ARGUMENT, NULL);
    CHECK_HAS(reqc_config_error(), "Bad Name");
    CHECK_CODE(reqc_config_set_user_agent(NULL), REQC_E_INVALID_ARGUMENT, NULL);
    CHECK_HAS(reqc_config_error(), "user agent is NULL");
    CHECK_CODE(reqc_config_set_redirects(1, -1), REQC_E_INVALID_ARGUMENT, NULL);
    CHECK_HAS(reqc_config_error(), "-1");
    /* The logging setters of the config report here too. */
    CHECK_CODE(reqc_config_set_log_callback(REQC_LOG_LEVEL_REQUESTS, 0, NULL, NULL, NULL),
               REQC_E_INVALID_ARGUMENT, NULL);
    CHECK_HAS(reqc_config_error(), "log callback is NULL");
    /* Not thread-local: a failure on another thread is read here. */
    CHECK(pthread_create(&t, NULL, fail_config_on_a_thread, NULL) == 0);
    pthread_join(t, NULL);
    CHECK_HAS(reqc_config_error(), "connect timeout");
    CHECK_OK(reqc_config_reset(), NULL);
}

static void test_batch_result_messages(void) {
    reqc_batch *batch = NULL;
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_request *bad = check_new_request("GET", "http://127.0.0.1:1/");
    reqc_response *resp = MARKER;
    CHECK_OK(reqc_batch_new(NULL, &batch), NULL);
    CHECK(reqc_batch_add(batch, req, NULL) == REQC_OK);
    CHECK(reqc_batch_add(batch, bad, NULL) == REQC_OK);
    CHECK_STR_EQ(reqc_batch_error(batch), "");
    CHECK(reqc_batch_result(batch, 0, &resp) == REQC_E_INVALID_STATE);
    CHECK_HAS(reqc_batch_error(batch), "item 0 has not finished");
    CHECK(reqc_batch_result(batch, 7, &resp) == REQC_E_NOT_FOUND);
    CHECK_HAS(reqc_batch_error(batch), "no item 7: the batch holds 2");
    CHECK(reqc_batch_result(batch, 0, NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK_HAS(reqc_batch_error(batch), "response_out is NULL");
    CHECK(resp == MARKER);
    CHECK(reqc_batch_perform(batch) == REQC_OK);
    CHECK(reqc_batch_result(batch, 0, &resp) == REQC_OK);
    reqc_response_free(resp);
    resp = MARKER;
    CHECK(reqc_batch_result(batch, 0, &resp) == REQC_E_NOT_FOUND);
    CHECK_HAS(reqc_batch_error(batch), "already taken");
    /* An item's own failure keeps its message with the item. */
    CHECK(reqc_batch_result(batch, 1, &resp) == REQC_E_CONNECT);
    CHECK_HAS(reqc_batch_error(batch), "already taken");
    CHECK_HAS(reqc_batch_item_error(batch, 1), "REQC_E_CONNECT");
    CHECK(resp == MARKER);
    reqc_batch_free(batch);
    reqc_request_free(req);
    reqc_request_free(bad);
}

static void test_last_response_and_batch_new_messages(void) {
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_session *session = NULL;
    CHECK(reqc_request_last_response(req, NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK_HAS(reqc_request_error(req), "response_out is NULL");
    CHECK_OK(reqc_session_new(&session), NULL);
    CHECK(reqc_batch_new(session, NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK_HAS(reqc_session_error(session), "batch_out is NULL");
    /* A send with no request: the session holds the message. */
    CHECK(reqc_session_send(session, NULL, NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK_HAS(reqc_session_error(session), "request is NULL");
    reqc_session_free(session);
    reqc_request_free(req);
}

int main(void) {
    RUN(test_config_messages); /* first: it starts from no config failure */
    RUN(test_request_new_messages);
    RUN(test_hook_ctx_messages);
    RUN(test_batch_result_messages);
    RUN(test_last_response_and_batch_new_messages);
    return check_summary();
}
