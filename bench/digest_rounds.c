/* digest_rounds.c: what digest auth costs in a session. N sequential GETs of
 * a digest-protected URL through one session; prints how many requests the
 * test server saw (its control port's digest_requests) and the wall time.
 * With the nonce reused, N requests cost N+1 round trips; answered inside
 * libcurl (libreqc before it answered digest itself), 2N, unless the easy
 * handle happened to be reused without a reset (same headers, no body).
 * A second argument `vary` gives each request its own X-Request-Id header,
 * as many clients do.
 *
 *   cc -O2 -Iinclude -Itests/c -o /tmp/digest_rounds bench/digest_rounds.c \
 *      -Ltarget/release -lreqc
 *   LD_LIBRARY_PATH=target/release tests/with-server.sh /tmp/digest_rounds 100 [vary]
 */
#define _POSIX_C_SOURCE 200809L

#include <time.h>

#include "check.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100, i, ok = 0;
    int vary = argc > 2 && strcmp(argv[2], "vary") == 0;
    const char *url = URL("/digest-auth/auth/u/p/SHA-256");
    reqc_session *s = NULL;
    long before, after;
    double t0, t1;
    if (reqc_session_new(&s) != REQC_OK || reqc_session_set_auth_digest(s, "u", "p") != REQC_OK)
        return 1;
    before = check_stats("digest_requests");
    t0 = now_ms();
    for (i = 0; i < n; i++) {
        reqc_request *req = NULL;
        reqc_response *resp = NULL;
        char id[32];
        if (reqc_request_new("GET", url, &req, NULL) != REQC_OK) return 1;
        snprintf(id, sizeof id, "%d", i);
        if (vary && reqc_request_set_header(req, "X-Request-Id", id) != REQC_OK) return 1;
        if (reqc_session_send(s, req, &resp) == REQC_OK && reqc_response_status(resp) == 200) ok++;
        reqc_response_free(resp);
        reqc_request_free(req);
    }
    t1 = now_ms();
    after = check_stats("digest_requests");
    printf("%s%d requests (%d answered 200): %ld round trips, %.1f ms (%.3f ms a request)\n",
           vary ? "vary: " : "", n, ok,
           after - before, t1 - t0, (t1 - t0) / n);
    reqc_session_free(s);
    return ok == n ? 0 : 1;
}
