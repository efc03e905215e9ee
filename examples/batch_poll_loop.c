/* batch_poll_loop.c: drives a batch from the program's own loop.
 *
 * reqc_batch_poll(b, 10, &done) does one step (start what may start, wait at
 * most 10 ms for activity, take what finished) and returns, so the loop can
 * do other work between steps: here it counts ticks and prints a progress
 * line with a spinner every 20 ticks (about every 200 ms while waiting).
 * Every transfer, hook and callback runs inside reqc_batch_poll, on this
 * thread.
 *
 * Build and run against libreqc's test server (or any httpbin):
 *   cc -std=c11 -Wall -Wextra -Werror -Iinclude -o batch_poll_loop \
 *       examples/batch_poll_loop.c -Ltarget/release -lreqc
 *   REQC_TEST_URL=http://127.0.0.1:PORT LD_LIBRARY_PATH=target/release ./batch_poll_loop
 */
#include <stdio.h>
#include <stdlib.h>

#include "reqc.h"

/* on_complete: reports each item as it lands (and owns its response). */
static void landed(void *userdata, reqc_batch *b, size_t index, reqc_code code,
                   reqc_response *resp) {
    int *landed_count = userdata;
    (*landed_count)++;
    if (code == REQC_OK)
        printf("  item %zu: <Response [%d]> %s\n", index, reqc_response_status(resp),
               reqc_response_url(resp));
    else
        printf("  item %zu: %s\n", index, reqc_batch_item_error(b, index));
    reqc_response_free(resp);
}

int main(void) {
    /* /delay/1 makes the spinner visible for a second */
    static const char *paths[] = {"/get?n=1", "/delay/1", "/uuid", "/status/204", "/json"};
    const size_t n = sizeof paths / sizeof paths[0];
    const char *base = getenv("REQC_TEST_URL");
    static const char spinner[] = "|/-\\";
    reqc_batch *b = NULL;
    int done = 0, landed_count = 0;
    long ticks = 0;
    size_t i;
    reqc_code rc;

    if (base == NULL || *base == 0) {
        fprintf(stderr, "batch_poll_loop: set REQC_TEST_URL to an httpbin base URL, "
                        "e.g. http://127.0.0.1:8080\n");
        return 2;
    }
    if (reqc_batch_new(NULL, &b) != REQC_OK) return 1;
    for (i = 0; i < n; i++) {
        char url[1024];
        reqc_request *req = NULL;
        snprintf(url, sizeof url, "%s%s", base, paths[i]);
        rc = reqc_request_new("GET", url, &req, NULL);
        if (rc == REQC_OK) rc = reqc_batch_add(b, req, NULL);
        reqc_request_free(req);
        if (rc != REQC_OK) {
            fprintf(stderr, "batch_poll_loop: %s: %s\n", url, reqc_code_name(rc));
            reqc_batch_free(b);
            return 1;
        }
    }
    reqc_batch_set_complete_callback(b, landed, &landed_count, NULL);

    printf("running %zu requests from a plain loop:\n", n);
    while (!done) {
        rc = reqc_batch_poll(b, 10, &done);
        if (rc != REQC_OK) {
            fprintf(stderr, "batch_poll_loop: %s\n", reqc_batch_error(b));
            reqc_batch_free(b);
            return 1;
        }
        /* the program's other work */
        ticks++;
        if (ticks % 20 == 0) {
            printf("%c tick %ld: %d of %zu done\n", spinner[(ticks / 20) % 4], ticks, landed_count,
                   n);
            fflush(stdout);
        }
    }
    printf("all %zu done after %ld loop ticks\n", n, ticks);
    reqc_batch_free(b);
    return landed_count == (int)n ? 0 : 1;
}
