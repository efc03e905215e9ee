/* hooks.c: event hooks, the C form of Requests' `hooks=`.
 *
 *   print_url     an ARGS hook that prints the URL about to be requested
 *   hack_headers  an ARGS hook that adds `X-Testing: True` to what is sent
 *
 * ARGS hooks run once per send on a per-send copy of the request: what they
 * change is sent, and the caller's request stays as it was.
 *
 * Build and run against libreqc's test server (or any httpbin):
 *   cc -std=c11 -Wall -Wextra -Werror -Iinclude -o hooks examples/hooks.c \
 *       -Ltarget/release -lreqc
 *   REQC_TEST_URL=http://127.0.0.1:PORT LD_LIBRARY_PATH=target/release ./hooks
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reqc.h"

static int print_url(void *userdata, int kind, reqc_hook_ctx *ctx) {
    (void)userdata;
    (void)kind;
    printf("print_url: about to request %s\n", reqc_request_url(reqc_hook_ctx_request(ctx)));
    return REQC_HOOK_RESULT_CONTINUE;
}

static int hack_headers(void *userdata, int kind, reqc_hook_ctx *ctx) {
    (void)userdata;
    (void)kind;
    if (reqc_request_set_header(reqc_hook_ctx_request(ctx), "X-Testing", "True") != REQC_OK)
        return REQC_HOOK_RESULT_ERROR; /* logged as a warning; the request goes on */
    printf("hack_headers: added X-Testing: True\n");
    return REQC_HOOK_RESULT_CONTINUE;
}

/* Sends `req` through `s` (or alone when `s` is NULL) and prints the result. */
static int send_and_print(reqc_session *s, reqc_request *req) {
    reqc_response *resp = NULL;
    reqc_code rc = s ? reqc_session_send(s, req, &resp) : reqc_send(req, &resp);
    if (rc != REQC_OK) {
        fprintf(stderr, "send failed: %s: %s\n", reqc_code_name(rc), reqc_request_error(req));
        return 1;
    }
    printf("status %d, body:\n%s\n", reqc_response_status(resp), reqc_response_text(resp));
    reqc_response_free(resp);
    return 0;
}

int main(void) {
    const char *base = getenv("REQC_TEST_URL");
    char url[2048];
    reqc_request *req = NULL;
    reqc_session *s = NULL;
    int failed = 0;

    if (base == NULL || *base == 0) {
        fprintf(stderr, "REQC_TEST_URL is not set: point it at an httpbin, e.g.\n"
                        "  REQC_TEST_URL=http://127.0.0.1:8080 ./hooks\n");
        return 1;
    }

    /* 1. print_url on one request. */
    snprintf(url, sizeof url, "%s/get", base);
    if (reqc_request_new("GET", url, &req, NULL) != REQC_OK) {
        fprintf(stderr, "bad URL %s\n", url);
        return 1;
    }
    printf("== print_url, registered on a request\n");
    if (reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, print_url, NULL, NULL, NULL) != REQC_OK) {
        fprintf(stderr, "add_hook: %s\n", reqc_request_error(req));
        failed = 1;
    }
    failed |= send_and_print(NULL, req);
    reqc_request_free(req);
    req = NULL;

    /* 2. hack_headers on a session: every request it sends gets the header. */
    snprintf(url, sizeof url, "%s/headers", base);
    if (reqc_session_new(&s) != REQC_OK || reqc_request_new("GET", url, &req, NULL) != REQC_OK) {
        fprintf(stderr, "could not create the session or request\n");
        reqc_session_free(s);
        return 1;
    }
    reqc_session_add_hook(s, REQC_HOOK_KIND_ARGS, hack_headers, NULL, NULL, NULL);
    reqc_session_add_hook(s, REQC_HOOK_KIND_ARGS, print_url, NULL, NULL, NULL);
    printf("\n== hack_headers and print_url, registered on a session\n");
    failed |= send_and_print(s, req);

    /* 3. The same request sent without the session: no X-Testing, since the
     * hook changed only that send's copy. */
    printf("\n== the same request without the session (no hooks)\n");
    failed |= send_and_print(NULL, req);

    reqc_request_free(req);
    reqc_session_free(s);
    return failed;
}
