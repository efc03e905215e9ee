/* retrying_client.c: a session that retries what a busy server refuses.
 *
 * The session tries every idempotent request up to 4 times: after a failed
 * connection or a 429/502/503/504, it waits (exponential backoff with full
 * jitter from 200 ms, at most 5 s, or the server's Retry-After) and sends
 * again. A hook prints each attempt; the response says how many it took.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -Iinclude -o retrying_client \
 *      examples/retrying_client.c -Ltarget/release -lreqc
 *   make demo runs it against the local test server (REQC_TEST_URL), whose
 *   /reqc/flaky?key=K&fail=N answers 503 to the first N requests of key K.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "reqc.h"

static reqc_hook_result show_attempt(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    (void)userdata;
    (void)kind;
    const reqc_response *resp = reqc_hook_ctx_response(ctx);
    printf("  attempt %d: %d %s\n", reqc_hook_ctx_attempt(ctx), reqc_response_status(resp),
           reqc_response_reason(resp));
    return REQC_HOOK_RESULT_CONTINUE;
}

int main(void) {
    const char *base = getenv("REQC_TEST_URL");
    char url[1024];
    reqc_session *session = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    int status = 1;

    if (base == NULL || *base == 0) {
        fprintf(stderr, "REQC_TEST_URL is not set: run this through make demo\n");
        return 2;
    }
    /* A key of our own: the server fails its first two requests. */
    snprintf(url, sizeof url, "%s/reqc/flaky?key=example-%ld&fail=2&status=503", base,
             (long)time(NULL));

    if (reqc_session_new(&session) != REQC_OK) {
        fprintf(stderr, "cannot create a session\n");
        return 1;
    }
    if (reqc_session_set_retries(session, 4) != REQC_OK ||
        reqc_session_set_retry_backoff_ms(session, 200, 5000) != REQC_OK ||
        reqc_session_add_hook(session, REQC_HOOK_KIND_RESPONSE, show_attempt, NULL, NULL,
                              NULL) != REQC_OK) {
        fprintf(stderr, "session setup failed: %s\n", reqc_session_error(session));
        goto done;
    }
    if (reqc_request_new("GET", url, &req, NULL) != REQC_OK) {
        fprintf(stderr, "cannot create a request for %s\n", url);
        goto done;
    }
    reqc_code rc = reqc_session_send(session, req, &resp);
    if (rc != REQC_OK) {
        /* The attempts ran out on a failed connection, or the total
         * timeout passed while waiting: the last failure is the outcome. */
        fprintf(stderr, "%s: %s\n", reqc_code_name(rc), reqc_request_error(req));
        goto done;
    }
    printf("%d after %zu attempts:", reqc_response_status(resp), reqc_response_attempt_count(resp));
    for (size_t i = 0; i < reqc_response_attempt_count(resp); i++) {
        int attempt_status = 0;
        reqc_response_attempt_at(resp, i, &attempt_status);
        printf(" %d", attempt_status);
    }
    printf("\n");
    status = reqc_response_status(resp) == 200 ? 0 : 1;

done:
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(session);
    return status;
}
