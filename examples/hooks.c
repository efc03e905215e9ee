/* hooks.c: event hooks, the C form of Requests' `hooks=`.
 *
 *   print_url     an ARGS hook that prints the URL about to be requested
 *   hack_headers  an ARGS hook that adds `X-Testing: True` to what is sent
 *   json_only     a HEADERS hook (Typhoeus' on_headers) that refuses a body
 *                 that is not JSON, or larger than a limit, before any of it
 *                 is downloaded
 *
 * ARGS hooks run once per send on a per-send copy of the request: what they
 * change is sent, and the caller's request stays as it was. HEADERS hooks
 * run once a hop's status and headers are in, before its first body byte.
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

static int json_only(void *max_bytes, int kind, reqc_hook_ctx *ctx) {
    const reqc_response *head = reqc_hook_ctx_response(ctx);
    const char *type = reqc_response_header(head, "Content-Type");
    const char *length = reqc_response_header(head, "Content-Length");
    (void)kind;
    printf("json_only: %d, Content-Type %s, Content-Length %s\n", reqc_response_status(head),
           type ? type : "(none)", length ? length : "(none)");
    if (type == NULL || strncmp(type, "application/json", 16) != 0)
        return REQC_HOOK_RESULT_ABORT; /* REQC_E_ABORTED, no body byte read */
    if (length != NULL && strtoull(length, NULL, 10) > *(unsigned long long *)max_bytes)
        return REQC_HOOK_RESULT_ABORT;
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
    req = NULL;

    /* 4. json_only on a session: /json comes through, /bytes is refused
     * from its headers (not JSON), before any of its body is downloaded. */
    {
        static unsigned long long max_bytes = 64 * 1024;
        static const char *paths[] = {"/json", "/bytes/100000"};
        size_t i;
        reqc_session_add_hook(s, REQC_HOOK_KIND_HEADERS, json_only, &max_bytes, NULL, NULL);
        printf("\n== json_only, registered on a session\n");
        for (i = 0; i < 2; i++) {
            reqc_response *resp = NULL;
            reqc_code rc;
            snprintf(url, sizeof url, "%s%s", base, paths[i]);
            if (reqc_request_new("GET", url, &req, NULL) != REQC_OK) {
                failed = 1;
                break;
            }
            rc = reqc_session_send(s, req, &resp);
            if (rc == REQC_OK)
                printf("GET %s: status %d, %zu bytes of JSON\n", paths[i], reqc_response_status(resp),
                       strlen(reqc_response_text(resp)));
            else
                printf("GET %s: refused: %s\n", paths[i], reqc_request_error(req));
            /* /json must come through, /bytes must be refused */
            if ((rc == REQC_OK) != (i == 0)) failed = 1;
            reqc_response_free(resp);
            reqc_request_free(req);
            req = NULL;
        }
    }

    reqc_session_free(s);
    return failed;
}
