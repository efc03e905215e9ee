/* logging.c: the seed's verbose logging, in C.
 *
 * Requests: `requests.settings.verbose = sys.stderr` logs one line per
 * request. libreqc: reqc_config_set_verbose_fd(2, REQC_LOG_LEVEL_REQUESTS, 0) for the
 * whole process, or a file descriptor or callback per session. Secrets are
 * redacted at every level.
 *
 *   make demo runs it against the local test server (REQC_TEST_URL).
 */
#include <stdio.h>
#include <stdlib.h>

#include "reqc.h"

static int get(reqc_session *s, const char *base, const char *path) {
    char url[512];
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    int status = -1;
    snprintf(url, sizeof url, "%s%s", base, path);
    if (reqc_request_new("GET", url, &req, NULL) != REQC_OK) return -1;
    if (reqc_session_send(s, req, &resp) == REQC_OK) status = reqc_response_status(resp);
    else fprintf(stderr, "%s\n", reqc_request_error(req));
    reqc_response_free(resp);
    reqc_request_free(req);
    return status;
}

int main(void) {
    const char *base = getenv("REQC_TEST_URL");
    reqc_session *s = NULL;
    if (base == NULL || *base == 0) {
        fprintf(stderr, "REQC_TEST_URL is not set: run this through make demo\n");
        return 2;
    }
    if (reqc_session_new(&s) != REQC_OK) return 1;

    /* Every send in the process, one line when it starts and one when it
     * ends (stdout here, so the demo shows it in order). */
    printf("== reqc_config_set_verbose_fd(1, REQC_LOG_LEVEL_REQUESTS, 0)\n");
    fflush(stdout);
    reqc_config_set_verbose_fd(1, REQC_LOG_LEVEL_REQUESTS, 0);
    get(s, base, "/get");
    get(s, base, "/headers");
    get(s, base, "/status/404");

    /* One session at the headers level, with a password and a token that
     * never reach the log. */
    printf("\n== one session at REQC_LOG_LEVEL_HEADERS, with basic auth: the secret is redacted\n");
    fflush(stdout);
    reqc_session_set_verbose_fd(s, 1, REQC_LOG_LEVEL_HEADERS, 0);
    reqc_session_set_auth_basic(s, "user", "hunter2");
    reqc_session_set_header(s, "X-Api-Key", "k-12345");
    reqc_session_mark_secret_header(s, "X-Api-Key");
    get(s, base, "/basic-auth/user/hunter2");

    reqc_config_reset();
    reqc_session_free(s);
    return 0;
}
