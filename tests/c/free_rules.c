/* free_rules.c: freeing a handle from inside its own callback (or while it
 * is in use) is refused, leaving REQC_E_INVALID_STATE on the handle; the
 * handle stays usable and is freed afterwards. Also: the request and the
 * response a hook context lends are not the caller's to free. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

static int free_request_on_data(void *userdata, const uint8_t *data, size_t len) {
    (void)data;
    (void)len;
    reqc_request_free((reqc_request *)userdata);
    return 0;
}

static void test_request_freed_inside_its_data_callback_is_refused(void) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    CHECK_OK(reqc_request_new("GET", URL("/bytes/100"), &req, NULL), NULL);
    CHECK_OK(reqc_request_set_data_callback(req, free_request_on_data, req, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(strstr(reqc_request_error(req), "REQC_E_INVALID_STATE") != NULL);
    /* Still alive and usable. */
    CHECK_OK(reqc_request_set_data_callback(req, NULL, NULL, NULL), req);
    reqc_response_free(resp);
    resp = NULL;
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static int free_session_hook(void *userdata, int kind, reqc_hook_ctx *ctx) {
    (void)kind;
    (void)ctx;
    reqc_session_free((reqc_session *)userdata);
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_session_freed_inside_its_hook_is_refused(void) {
    reqc_session *s = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, free_session_hook, s, NULL, NULL), s);
    CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), NULL);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(strstr(reqc_session_error(s), "REQC_E_INVALID_STATE") != NULL);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

static int free_lent_handles_hook(void *userdata, int kind, reqc_hook_ctx *ctx) {
    (void)userdata;
    if (kind == REQC_HOOK_KIND_ARGS) reqc_request_free(reqc_hook_ctx_request(ctx));
    if (kind == REQC_HOOK_KIND_RESPONSE) reqc_response_free((reqc_response *)reqc_hook_ctx_response(ctx));
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_lent_handles_are_not_freed(void) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), NULL);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, free_lent_handles_hook, NULL, NULL, NULL), req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, free_lent_handles_hook, NULL, NULL, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"url\"");
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void free_batch_on_complete(void *userdata, reqc_batch *batch, size_t index, reqc_code code,
                                   reqc_response *response) {
    (void)userdata;
    (void)index;
    (void)code;
    reqc_batch_free(batch);
    reqc_response_free(response);
}

static void test_batch_freed_inside_on_complete_is_refused(void) {
    reqc_batch *b = NULL;
    reqc_request *req = NULL;
    CHECK_OK(reqc_batch_new(NULL, &b), NULL);
    CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), NULL);
    CHECK_OK(reqc_batch_add(b, req, NULL), b);
    CHECK_OK(reqc_batch_add(b, req, NULL), b);
    CHECK_OK(reqc_batch_set_complete_callback(b, free_batch_on_complete, NULL, NULL), b);
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    CHECK(reqc_batch_count(b) == 2);
    reqc_request_free(req);
    reqc_batch_free(b);
}

int main(void) {
    RUN(test_request_freed_inside_its_data_callback_is_refused);
    RUN(test_session_freed_inside_its_hook_is_refused);
    RUN(test_lent_handles_are_not_freed);
    RUN(test_batch_freed_inside_on_complete_is_refused);
    (void)check_is_httpbin;
    return check_summary();
}
