/* streaming_download.c: a download read at the program's own pace, with a
 * progress line.
 *
 * reqc_session_open returns as soon as the status and headers are in: the
 * program looks at them (status, Content-Length) before any body byte, then
 * pulls the body with reqc_stream_read into a fixed buffer and writes it to
 * a file. libreqc holds about 64 KiB of it at a time, whatever the size.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -Iinclude -o streaming_download \
 *      examples/streaming_download.c -Ltarget/release -lreqc
 *   ./streaming_download URL [FILE]
 *   make demo runs it against the local test server (REQC_TEST_URL), whose
 *   /reqc/pattern?bytes=N sends N bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reqc.h"

/* Prints "\r  bytes so far / total (percent)"; total < 0: unknown. */
static void progress(long long done, long long total) {
    if (total > 0)
        printf("\r  %lld / %lld bytes (%3lld%%)", done, total, done * 100 / total);
    else
        printf("\r  %lld bytes", done);
    fflush(stdout);
}

int main(int argc, char **argv) {
    const char *base = getenv("REQC_TEST_URL");
    char default_url[1024];
    const char *url = argc > 1 ? argv[1] : NULL;
    const char *path = argc > 2 ? argv[2] : NULL;
    reqc_session *session = NULL;
    reqc_request *req = NULL;
    reqc_stream *stream = NULL;
    FILE *out = NULL;
    static uint8_t buf[64 * 1024];
    int status = 1;

    if (url == NULL) {
        if (base == NULL || *base == 0) {
            fprintf(stderr, "usage: streaming_download URL [FILE] (or run it through make demo)\n");
            return 2;
        }
        snprintf(default_url, sizeof default_url, "%s/reqc/pattern?bytes=%d", base, 20 << 20);
        url = default_url;
    }
    if (reqc_session_new(&session) != REQC_OK ||
        reqc_request_new("GET", url, &req, NULL) != REQC_OK) {
        fprintf(stderr, "cannot create the session or the request (%s)\n", reqc_request_error(req));
        goto done;
    }
    /* The whole download, head to last byte, within 60 s. */
    reqc_request_set_timeout_ms(req, 60000);
    if (reqc_session_open(session, req, &stream) != REQC_OK) {
        fprintf(stderr, "open failed: %s\n", reqc_request_error(req));
        goto done;
    }

    /* The head is in, no body byte read yet: decide before downloading. */
    const reqc_response *head = reqc_stream_response(stream);
    const char *length = reqc_response_header(head, "Content-Length");
    long long total = length != NULL ? atoll(length) : -1;
    printf("GET %s\n  %d %s, %s bytes announced\n", reqc_response_url(head),
           reqc_response_status(head), reqc_response_reason(head), length ? length : "no length:");
    if (reqc_response_status(head) != 200) {
        fprintf(stderr, "not downloading a %d\n", reqc_response_status(head));
        goto done;
    }
    if (path != NULL && (out = fopen(path, "wb")) == NULL) {
        perror(path);
        goto done;
    }

    long long got = 0, shown = -1, printed = -1;
    for (;;) {
        size_t n = 0;
        reqc_code rc = reqc_stream_read(stream, buf, sizeof buf, &n);
        if (rc != REQC_OK) {
            printf("\n");
            fprintf(stderr, "read failed after %lld bytes: %s\n", got, reqc_stream_error(stream));
            goto done;
        }
        if (n == 0) break; /* the end */
        if (out != NULL && fwrite(buf, 1, n, out) != n) {
            perror(path);
            goto done;
        }
        got += (long long)n;
        /* The progress line redrawn every 10% (every MiB without a length),
         * not at every read. */
        if (total > 0 ? got * 10 / total != shown : got / (1 << 20) != shown) {
            shown = total > 0 ? got * 10 / total : got / (1 << 20);
            progress(got, total);
            printed = got;
        }
    }
    if (printed != got) progress(got, total);
    printf("\n  done%s%s\n", path ? ", written to " : "", path ? path : "");
    status = total < 0 || got == total ? 0 : 1;

done:
    if (out != NULL) fclose(out);
    /* Freed before the end, a stream closes its connection; at the end,
     * the session keeps it for the next request. */
    reqc_stream_free(stream);
    reqc_request_free(req);
    reqc_session_free(session);
    return status;
}
