/* tour.c: a short tour of libreqc's C API.
 *
 * Run it against an httpbin-compatible server (the README's `make demo`
 * starts libreqc's test server and sets REQC_TEST_URL):
 *
 *     REQC_TEST_URL=http://127.0.0.1:8080 ./tour
 *
 * Every call returns a reqc_code (REQC_OK or REQC_E_*); after a failure,
 * reqc_request_error(req) says what went wrong. Every handle is freed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reqc.h"

static const char *base;

/* base + path, in a static buffer. */
static const char *url(const char *path) {
    static char buf[2][1024];
    static int next;
    char *b = buf[next++ % 2];
    snprintf(b, sizeof buf[0], "%s%s", base, path);
    return b;
}

static void title(const char *text) {
    printf("\n== %s\n", text);
}

/* Sends `req`, printing the method, URL, status and time taken. Returns the
 * response, or NULL after printing the error. */
static reqc_response *send_and_show(reqc_request *req, const char *method, const char *u) {
    reqc_response *resp = NULL;
    reqc_code rc;
    printf("-> %s %s\n", method, u);
    rc = reqc_send(req, &resp);
    if (rc != REQC_OK) {
        printf("<- failed: %s\n   %s\n", reqc_code_name(rc), reqc_request_error(req));
        return NULL;
    }
    printf("<- %d %s (%.1f ms)\n", reqc_response_status(resp), reqc_response_reason(resp),
           (double)reqc_response_elapsed_us(resp) / 1000.0);
    return resp;
}

/* Prints a body, indented, cut at `max` bytes. */
static void show_body(const reqc_response *resp, size_t max) {
    size_t len = 0;
    const uint8_t *body = reqc_response_body(resp, &len);
    size_t shown = len < max ? len : max;
    int line_start = 1;
    printf("   body (%zu bytes):\n", len);
    for (size_t i = 0; i < shown; i++) {
        if (line_start) printf("   | ");
        putchar(body[i]);
        line_start = body[i] == '\n';
    }
    if (!line_start) putchar('\n');
    if (len > max) printf("   | ...\n");
}

static void get_with_params(void) {
    reqc_request *req = NULL;
    reqc_response *resp;
    const char *u = url("/get?lang=c");
    title("GET with query parameters");
    if (reqc_request_new("GET", u, &req, NULL) != REQC_OK) return;
    reqc_request_add_param(req, "q", "hello world & more"); /* encoded for you */
    reqc_request_set_header(req, "X-Tour", "1");
    resp = send_and_show(req, "GET", u);
    if (resp) {
        printf("   Content-Type: %s\n", reqc_response_header(resp, "content-type"));
        printf("   final URL: %s\n", reqc_response_url(resp));
        show_body(resp, 600);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void post_json(void) {
    reqc_request *req = NULL;
    reqc_response *resp;
    const char *u = url("/post");
    title("POST a JSON body");
    if (reqc_request_new("POST", u, &req, NULL) != REQC_OK) return;
    reqc_request_set_json(req, "{\"name\": \"libreqc\", \"tags\": [\"http\", \"c\"]}");
    resp = send_and_show(req, "POST", u);
    if (resp) show_body(resp, 800);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void redirects(void) {
    reqc_request *req = NULL;
    reqc_response *resp;
    const char *u = url("/redirect/3");
    title("Following redirects");
    if (reqc_request_new("GET", u, &req, NULL) != REQC_OK) return;
    resp = send_and_show(req, "GET", u);
    if (resp) {
        size_t n = reqc_response_history_count(resp);
        printf("   %zu hops:\n", n);
        const reqc_response *hop = NULL;
        for (size_t i = 0; reqc_response_history_at(resp, i, &hop) == REQC_OK; i++) {
            printf("   %zu. %d %s  (Location: %s)\n", i + 1, reqc_response_status(hop),
                   reqc_response_url(hop), reqc_response_header(hop, "Location"));
        }
        printf("   then %d %s\n", reqc_response_status(resp), reqc_response_url(resp));
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void basic_auth(void) {
    reqc_request *req = NULL;
    reqc_response *resp;
    const char *u = url("/basic-auth/alice/s3cret");
    title("Basic auth");
    if (reqc_request_new("GET", u, &req, NULL) != REQC_OK) return;
    reqc_request_set_auth_basic(req, "alice", "wrong");
    resp = send_and_show(req, "GET", u);
    if (resp) printf("   (a wrong password is a response, not an error)\n");
    reqc_response_free(resp);
    reqc_request_set_auth_basic(req, "alice", "s3cret");
    resp = send_and_show(req, "GET", u);
    if (resp) show_body(resp, 200);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void timeout(void) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    reqc_code rc;
    const char *u = url("/delay/3");
    title("A timeout");
    if (reqc_request_new("GET", u, &req, NULL) != REQC_OK) return;
    reqc_request_set_timeout_ms(req, 500);
    printf("-> GET %s, with a 500 ms timeout\n", u);
    rc = reqc_send(req, &resp);
    printf("<- %s (code %d)\n   message: %s\n", reqc_code_name(rc), rc, reqc_request_error(req));
    reqc_response_free(resp); /* NULL here: free is a no-op */
    reqc_request_free(req);
}

struct progress {
    size_t bytes;
    int chunks;
};

static int on_data(void *userdata, const uint8_t *data, size_t len) {
    struct progress *p = userdata;
    (void)data; /* a real program would write it somewhere */
    p->bytes += len;
    p->chunks++;
    return 0; /* non-zero would stop the download with REQC_E_ABORTED */
}

static void streamed_download(void) {
    reqc_request *req = NULL;
    reqc_response *resp;
    struct progress p = {0, 0};
    const char *u = url("/bytes/102400"); /* httpbin's largest /bytes */
    title("A streamed download");
    if (reqc_request_new("GET", u, &req, NULL) != REQC_OK) return;
    reqc_request_set_data_callback(req, on_data, &p, NULL);
    resp = send_and_show(req, "GET", u);
    if (resp) {
        size_t buffered = 0;
        reqc_response_body(resp, &buffered);
        printf("   received %zu bytes in %d chunks (buffered: %zu)\n", p.bytes, p.chunks,
               buffered);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

int main(void) {
    base = getenv("REQC_TEST_URL");
    if (base == NULL || *base == 0) {
        fprintf(stderr,
                "tour: REQC_TEST_URL is not set.\n"
                "Point it at an httpbin-compatible server, e.g.\n"
                "    REQC_TEST_URL=http://127.0.0.1:8080 ./tour\n"
                "or run `make demo`, which starts libreqc's test server for you.\n");
        return 2;
    }
    printf("%s\n", reqc_version());
    printf("server: %s\n", base);
    get_with_params();
    post_json();
    redirects();
    basic_auth();
    timeout();
    streamed_download();
    return 0;
}
