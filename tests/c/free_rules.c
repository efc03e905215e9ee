/* free_rules.c: the request and the response a hook context lends are not
 * the caller's to free. (Freeing a handle while it is in use, from its own
 * callbacks or another thread, is tests/c/free_in_use.c: it is no longer
 * refused but takes effect when the call returns.) */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

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

int main(void) {
    RUN(test_lent_handles_are_not_freed);
    (void)check_is_httpbin;
    return check_summary();
}
