/* batch_map.c: the seed's async.map, in C.
 *
 *   urls = [...]
 *   rs = (async.get(u, hooks={'response': print_url}) for u in urls)
 *   async.map(rs)   # [<Response [200]>, <Response [200]>, ...]
 *
 * Four URLs go into one batch and run concurrently; a session RESPONSE hook
 * runs once per item, on this thread, as each response lands; then the
 * results are printed in the order the URLs were added, whatever order they
 * finished in.
 *
 * Build and run against libreqc's test server (or any httpbin):
 *   cc -std=c11 -Wall -Wextra -Werror -Iinclude -o batch_map examples/batch_map.c \
 *       -Ltarget/release -lreqc
 *   REQC_TEST_URL=http://127.0.0.1:PORT LD_LIBRARY_PATH=target/release ./batch_map
 */
#include <stdio.h>
#include <stdlib.h>

#include "reqc.h"

/* The response hook: Requests' hooks={'response': print_url}. */
static int print_url(void *userdata, int kind, reqc_hook_ctx *ctx) {
    int *calls = userdata;
    (void)kind;
    (*calls)++;
    printf("hook: %s answered %d\n", reqc_response_url(reqc_hook_ctx_response(ctx)),
           reqc_response_status(reqc_hook_ctx_response(ctx)));
    return REQC_HOOK_RESULT_CONTINUE;
}

int main(void) {
    static const char *paths[] = {"/get", "/html", "/json", "/robots.txt"};
    const size_t n = sizeof paths / sizeof paths[0];
    const char *base = getenv("REQC_TEST_URL");
    reqc_session *s = NULL;
    reqc_batch *b = NULL;
    int hook_calls = 0, failures = 0;
    size_t i;
    reqc_code rc;

    if (base == NULL || *base == 0) {
        fprintf(stderr, "batch_map: set REQC_TEST_URL to an httpbin base URL, "
                        "e.g. http://127.0.0.1:8080\n");
        return 2;
    }
    if (reqc_session_new(&s) != REQC_OK ||
        reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, print_url, &hook_calls, NULL, NULL) != REQC_OK ||
        reqc_batch_new(s, &b) != REQC_OK) {
        fprintf(stderr, "batch_map: setup failed\n");
        reqc_session_free(s);
        return 1;
    }
    reqc_session_free(s); /* the batch keeps its session alive */

    for (i = 0; i < n; i++) {
        char url[1024];
        reqc_request *req = NULL;
        snprintf(url, sizeof url, "%s%s", base, paths[i]);
        rc = reqc_request_new("GET", url, &req, NULL);
        if (rc == REQC_OK) rc = reqc_batch_add(b, req, NULL); /* the batch copies it */
        reqc_request_free(req);
        if (rc != REQC_OK) {
            fprintf(stderr, "batch_map: %s: %s\n", url, reqc_code_name(rc));
            reqc_batch_free(b);
            return 1;
        }
    }

    rc = reqc_batch_perform(b); /* async.map: all at once, back when all are done */
    if (rc != REQC_OK) {
        fprintf(stderr, "batch_map: %s\n", reqc_batch_error(b));
        reqc_batch_free(b);
        return 1;
    }

    printf("[\n");
    for (i = 0; i < n; i++) {
        reqc_response *resp = NULL;
        rc = reqc_batch_result(b, i, &resp);
        if (rc == REQC_OK) {
            printf("  <Response [%d]>\n", reqc_response_status(resp));
            reqc_response_free(resp);
        } else {
            /* Requests' map puts None here; we say why */
            printf("  None  (%s)\n", reqc_batch_item_error(b, i));
            failures++;
        }
    }
    printf("]\n");
    printf("the response hook ran %d times for %zu items\n", hook_calls, n);
    reqc_batch_free(b);
    return failures || hook_calls != (int)n ? 1 : 0;
}
