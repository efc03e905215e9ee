/* session.c: a libreqc session's defaults, and its scoped lifetime.
 *
 * A session carries default headers and auth under every request sent
 * through it (plus a cookie jar and kept-alive connections). This one sends
 * "x-test: true" and basic auth user:pass with every request; the request
 * adds its own "x-test2: true", and the server echoes what it received.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -Iinclude -o session examples/session.c \
 *      -Ltarget/release -lreqc
 *   make demo runs it against the local test server (REQC_TEST_URL); any
 *   httpbin-compatible server works: REQC_TEST_URL=http://host:port ./session
 */
#include <stdio.h>
#include <stdlib.h>

#include "reqc.h"

int main(void) {
    const char *base = getenv("REQC_TEST_URL");
    char url[1024];
    reqc_session *session = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    reqc_code rc;
    int status = 1;

    if (base == NULL || *base == 0) {
        fprintf(stderr, "REQC_TEST_URL is not set: run this through make demo\n");
        return 2;
    }
    snprintf(url, sizeof url, "%s/headers", base);

    /* Create: the session's defaults apply to every request sent through it. */
    if (reqc_session_new(&session) != REQC_OK) {
        fprintf(stderr, "cannot create a session\n");
        return 1;
    }
    if (reqc_session_set_header(session, "x-test", "true") != REQC_OK ||
        reqc_session_set_auth_basic(session, "user", "pass") != REQC_OK) {
        fprintf(stderr, "session setup failed: %s\n", reqc_session_error(session));
        goto done;
    }

    /* Use: a request's own settings come on top of the session's. */
    rc = reqc_request_new("GET", url, &req, NULL);
    if (rc != REQC_OK) {
        fprintf(stderr, "cannot create a request for %s: %s\n", url, reqc_code_name(rc));
        goto done;
    }
    if (reqc_request_set_header(req, "x-test2", "true") != REQC_OK) {
        fprintf(stderr, "bad header: %s\n", reqc_request_error(req));
        goto done;
    }
    rc = reqc_session_send(session, req, &resp);
    if (rc != REQC_OK) {
        fprintf(stderr, "%s: %s\n", reqc_code_name(rc), reqc_request_error(req));
        goto done;
    }
    printf("%d %s\n%s\n", reqc_response_status(resp), reqc_response_reason(resp),
           reqc_response_text(resp));
    status = reqc_response_status(resp) == 200 ? 0 : 1;

done:
    /* Free: the response and request first, then the session (its cookies
     * and connections). Each *_free accepts NULL. */
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(session);
    return status;
}
