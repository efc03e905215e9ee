/* reqc_client.c: libreqc through its C API, the counterpart of raw_curl.c.
 *
 *   reqc_client MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND
 *
 * MODE:
 *   seq         COUNT sends on one session, a new request per send (the
 *               realistic pattern: build, send, read, free).
 *   seq_reuse   COUNT sends on one session of one request handle.
 *   batch       COUNT copies of one request in one reqc_batch at
 *               CONCURRENCY; on_complete checks and frees each response.
 *   batch_source  the same COUNT GETs fed lazily by a source callback
 *               (reqc_batch_set_source_callback) that makes a new request
 *               per item when a slot frees: memory follows CONCURRENCY, not
 *               COUNT.
 *   get_mem     COUNT downloads buffered in the response (reqc_response_body).
 *   get_stream  COUNT downloads through reqc_request_set_data_callback (counts bytes).
 *   get_pull    COUNT downloads through the pull API: reqc_session_open, then
 *               reqc_stream_read into a 64 KiB buffer until the end.
 *   abi         COUNT times: reqc_request_new, 10 reqc_request_add_header,
 *               10 reqc_request_add_param, reqc_request_free; no I/O.
 *   version     prints reqc_version().
 * HTTP is 1 (HTTP/1.1) or 2 (h2c with prior knowledge, set on the session).
 */
#include "common.h"

#include "reqc.h"

typedef struct {
    long long expect;
    long good, done;
    long long bytes;
} tally;

static void on_complete(void *ud, reqc_batch *b, size_t index, reqc_code code, reqc_response *resp) {
    tally *t = ud;
    (void)b;
    (void)index;
    t->done++;
    if (code == REQC_OK) {
        size_t len = 0;
        reqc_response_body(resp, &len);
        if (reqc_response_status(resp) == 200 && (long long)len == t->expect) t->good++;
        t->bytes += (long long)len;
        reqc_response_free(resp);
    }
}

/* The source of batch_source: a new GET of `url` per item, `count` of them. */
typedef struct {
    const char *url;
    long count, made;
} feed;

static reqc_code next_request(void *ud, size_t index, reqc_request **request_out) {
    feed *f = ud;
    (void)index;
    if (f->made == f->count) return REQC_OK; /* the end */
    f->made++;
    return reqc_request_new("GET", f->url, request_out, NULL);
}

static int count_data(void *ud, const uint8_t *data, size_t len) {
    (void)data;
    *(size_t *)ud += len;
    return 0;
}

static int check(reqc_code rc, reqc_request *req, const char *what) {
    if (rc == REQC_OK) return 1;
    fprintf(stderr, "reqc_client: %s: %s %s\n", what, reqc_code_name(rc), req ? reqc_request_error(req) : "");
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "version") == 0) {
        printf("%s\n", reqc_version());
        return 0;
    }
    if (argc < 10) {
        fprintf(stderr, "usage: reqc_client MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND\n");
        return 2;
    }
    const char *mode = argv[1], *url = argv[2];
    long count = atol(argv[3]), conc = atol(argv[4]);
    int http = atoi(argv[5]);
    long long expect = atoll(argv[6]);
    const char *scenario = argv[7], *client = argv[8];
    int round = atoi(argv[9]);
    int ok = 1;
    long long bytes = 0;

    if (strcmp(mode, "abi") == 0) {
        static const char *hn[10] = {"X-Bench-0", "X-Bench-1", "X-Bench-2", "X-Bench-3", "X-Bench-4",
                                     "X-Bench-5", "X-Bench-6", "X-Bench-7", "X-Bench-8", "X-Bench-9"};
        static const char *hv[10] = {"value-0", "value-1", "value-2", "value-3", "value-4",
                                     "value-5", "value-6", "value-7", "value-8", "value-9"};
        static const char *pn[10] = {"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"};
        static const char *pv[10] = {"value 0", "value 1", "value 2", "value 3", "value 4",
                                     "value 5", "value 6", "value 7", "value 8", "value 9"};
        bench_mark m = bench_start();
        for (long i = 0; i < count; i++) {
            reqc_request *req = NULL;
            if (reqc_request_new("GET", url, &req, NULL) != REQC_OK) {
                ok = 0;
                break;
            }
            for (int k = 0; k < 10; k++) ok &= reqc_request_add_header(req, hn[k], hv[k]) == REQC_OK;
            for (int k = 0; k < 10; k++) ok &= reqc_request_add_param(req, pn[k], pv[k]) == REQC_OK;
            reqc_request_free(req);
        }
        bench_report(scenario, client, round, count, 0, m, ok);
        return ok ? 0 : 1;
    }

    reqc_session *s = NULL;
    if (reqc_session_new(&s) != REQC_OK) return 1;
    if (reqc_session_set_http_version(s, http == 2 ? REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE : REQC_HTTP_VERSION_1_1) != REQC_OK)
        return 1;

    bench_mark m = bench_start();
    if (strcmp(mode, "seq") == 0 || strcmp(mode, "seq_reuse") == 0) {
        int reuse = strcmp(mode, "seq_reuse") == 0;
        reqc_request *keep = NULL;
        if (reuse && !check(reqc_request_new("GET", url, &keep, NULL), NULL, "request_new")) return 1;
        for (long i = 0; i < count && ok; i++) {
            reqc_request *req = keep;
            reqc_response *resp = NULL;
            if (!reuse && !check(reqc_request_new("GET", url, &req, NULL), NULL, "request_new")) {
                ok = 0;
                break;
            }
            if (check(reqc_session_send(s, req, &resp), req, "send")) {
                size_t len = 0;
                reqc_response_body(resp, &len);
                if (reqc_response_status(resp) != 200 || (long long)len != expect) {
                    fprintf(stderr, "reqc_client: status %d, %zu bytes\n", reqc_response_status(resp), len);
                    ok = 0;
                }
                bytes += (long long)len;
                reqc_response_free(resp);
            } else {
                ok = 0;
            }
            if (!reuse) reqc_request_free(req);
        }
        reqc_request_free(keep);
    } else if (strcmp(mode, "batch") == 0 || strcmp(mode, "batch_source") == 0) {
        /* batch: COUNT copies of one request added up front; batch_source:
         * the same GETs made one at a time by next_request as slots free. */
        int sourced = strcmp(mode, "batch_source") == 0;
        reqc_batch *b = NULL;
        reqc_request *req = NULL;
        tally t = {expect, 0, 0, 0};
        feed f = {url, count, 0};
        if (reqc_batch_new(s, &b) != REQC_OK || reqc_batch_set_max_concurrency(b, (size_t)conc) != REQC_OK ||
            reqc_batch_set_complete_callback(b, on_complete, &t, NULL) != REQC_OK)
            return 1;
        if (sourced) {
            if (reqc_batch_set_source_callback(b, next_request, &f, NULL) != REQC_OK) return 1;
        } else {
            if (!check(reqc_request_new("GET", url, &req, NULL), NULL, "request_new")) return 1;
            for (long i = 0; i < count; i++)
                if (!check(reqc_batch_add(b, req, NULL), req, "batch_add")) return 1;
            reqc_request_free(req);
        }
        if (reqc_batch_perform(b) != REQC_OK) {
            fprintf(stderr, "reqc_client: perform: %s\n", reqc_batch_error(b));
            ok = 0;
        }
        if (t.good != count) {
            fprintf(stderr, "reqc_client: %ld of %ld good (%ld done)\n", t.good, count, t.done);
            /* An added item keeps its message; a sourced one's went with its
             * complete callback. */
            for (long i = 0; i < count && !sourced; i++) {
                const char *e = reqc_batch_item_error(b, (size_t)i);
                if (e && *e) {
                    fprintf(stderr, "reqc_client: item %ld: %s\n", i, e);
                    break;
                }
            }
            ok = 0;
        }
        bytes = t.bytes;
        reqc_batch_free(b);
    } else if (strcmp(mode, "get_mem") == 0 || strcmp(mode, "get_stream") == 0) {
        int mem = strcmp(mode, "get_mem") == 0;
        for (long i = 0; i < count && ok; i++) {
            reqc_request *req = NULL;
            reqc_response *resp = NULL;
            size_t got = 0, len = 0;
            if (!check(reqc_request_new("GET", url, &req, NULL), NULL, "request_new")) return 1;
            if (!mem && !check(reqc_request_set_data_callback(req, count_data, &got, NULL), req, "on_data")) return 1;
            if (check(reqc_session_send(s, req, &resp), req, "send")) {
                reqc_response_body(resp, &len);
                size_t n = mem ? len : got;
                if (reqc_response_status(resp) != 200 || (long long)n != expect) {
                    fprintf(stderr, "reqc_client: download: status %d, %zu bytes\n", reqc_response_status(resp), n);
                    ok = 0;
                }
                bytes += (long long)n;
                reqc_response_free(resp);
            } else {
                ok = 0;
            }
            reqc_request_free(req);
        }
    } else if (strcmp(mode, "get_pull") == 0) {
        static uint8_t buf[64 * 1024];
        for (long i = 0; i < count && ok; i++) {
            reqc_request *req = NULL;
            reqc_stream *stream = NULL;
            long long got = 0;
            if (!check(reqc_request_new("GET", url, &req, NULL), NULL, "request_new")) return 1;
            if (check(reqc_session_open(s, req, &stream), req, "open")) {
                size_t n = 0;
                reqc_code rc;
                while ((rc = reqc_stream_read(stream, buf, sizeof buf, &n)) == REQC_OK && n > 0)
                    got += (long long)n;
                if (rc != REQC_OK || reqc_response_status(reqc_stream_response(stream)) != 200 ||
                    got != expect) {
                    fprintf(stderr, "reqc_client: pull: %s %s, %lld bytes\n", reqc_code_name(rc),
                            reqc_stream_error(stream), got);
                    ok = 0;
                }
                bytes += got;
                reqc_stream_free(stream);
            } else {
                ok = 0;
            }
            reqc_request_free(req);
        }
    } else {
        fprintf(stderr, "reqc_client: unknown mode %s\n", mode);
        return 2;
    }
    bench_report(scenario, client, round, count, bytes, m, ok);
    reqc_session_free(s);
    return ok ? 0 : 1;
}
