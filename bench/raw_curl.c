/* raw_curl.c: the reference client, plain libcurl written the way an expert
 * would, built twice by bench/run.sh: against the static libcurl that
 * libreqc bundles (curl-sys's build) and against Debian's libcurl.
 *
 *   raw_curl MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND
 *
 * MODE:
 *   seq         COUNT GETs one after another on one reused easy handle
 *               (keep-alive), body copied into a reused buffer.
 *   batch       COUNT GETs through one multi handle with a pool of
 *               CONCURRENCY easy handles, each recycled as soon as its
 *               transfer finishes (curl_multi_poll loop).
 *   naive       COUNT GETs: all COUNT easy handles made and added to one
 *               multi at once (connections capped at CONCURRENCY through
 *               CURLMOPT_MAX_TOTAL_CONNECTIONS, the rest wait in libcurl's
 *               pending queue).
 *   get_mem     COUNT downloads, each into a fresh in-memory buffer (sized
 *               from Content-Length when known, else grown by doubling).
 *   get_stream  COUNT downloads into a write callback that only counts bytes.
 *   abi         COUNT builds of a request with 10 headers (curl_slist) and
 *               10 query params (CURLU), then freed; ns per build.
 *   version     prints curl_version().
 *   seq_hdrs, batch_hdrs
 *               seq and batch sending the two request headers libreqc adds
 *               to every GET by default (User-Agent, Accept-Encoding), so
 *               the request on the wire is libreqc's: a like-for-like row.
 * HTTP is 1 (HTTP/1.1) or 2 (h2c, prior knowledge; PIPEWAIT so that
 * concurrent transfers multiplex on one connection). EXPECT is the body
 * size every response must have, status must be 200: otherwise ok=false.
 */
#include "common.h"

#include <curl/curl.h>

typedef struct {
    char *data;
    size_t len, cap;
    int preallocated;
    CURL *easy;
} membuf;

static size_t write_mem(char *ptr, size_t size, size_t nmemb, void *ud) {
    membuf *b = ud;
    size_t n = size * nmemb;
    if (b->len + n > b->cap) {
        size_t want = b->cap ? b->cap : 16384;
        if (!b->preallocated && b->easy) {
            curl_off_t cl = -1;
            b->preallocated = 1;
            if (curl_easy_getinfo(b->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
                cl > 0 && (size_t)cl >= b->len + n)
                want = (size_t)cl;
        }
        while (want < b->len + n) want *= 2;
        char *p = realloc(b->data, want);
        if (!p) return 0;
        b->data = p;
        b->cap = want;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    return n;
}

static size_t write_count(char *ptr, size_t size, size_t nmemb, void *ud) {
    (void)ptr;
    *(size_t *)ud += size * nmemb;
    return size * nmemb;
}

/* libreqc's default request headers, set by the *_hdrs modes. libcurl
 * formats each custom header line byte by byte (lib/http.c), so sending
 * them costs raw libcurl what it costs libreqc. */
static struct curl_slist *libreqc_headers;

static void setup_easy(CURL *e, const char *url, int http) {
    curl_easy_setopt(e, CURLOPT_URL, url);
    if (libreqc_headers) curl_easy_setopt(e, CURLOPT_HTTPHEADER, libreqc_headers);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    if (http == 2) {
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
        curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    }
}

static int status_ok(CURL *e) {
    long code = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    return code == 200;
}

/* One pooled transfer slot of the batch modes. */
typedef struct {
    CURL *easy;
    size_t got;
} slot;

static int run_multi(const char *url, long count, long conc, int http, long long expect,
                     int naive, long *done_ok, long long *bytes) {
    CURLM *m = curl_multi_init();
    long started = 0, finished = 0, good = 0;
    long long total = 0;
    long nslots = naive ? count : conc;
    slot *slots = calloc((size_t)nslots, sizeof *slots);
    if (!m || !slots) return 0;
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, conc);
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, conc);
    if (http == 2) curl_multi_setopt(m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    for (long i = 0; i < nslots && started < count; i++) {
        slots[i].easy = curl_easy_init();
        setup_easy(slots[i].easy, url, http);
        curl_easy_setopt(slots[i].easy, CURLOPT_WRITEFUNCTION, write_count);
        curl_easy_setopt(slots[i].easy, CURLOPT_WRITEDATA, &slots[i].got);
        curl_easy_setopt(slots[i].easy, CURLOPT_PRIVATE, &slots[i]);
        curl_multi_add_handle(m, slots[i].easy);
        started++;
    }
    while (finished < count) {
        int running = 0, numfds = 0, q = 0;
        if (curl_multi_perform(m, &running) != CURLM_OK) break;
        CURLMsg *msg;
        while ((msg = curl_multi_info_read(m, &q)) != NULL) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *e = msg->easy_handle;
            slot *s = NULL;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&s);
            finished++;
            if (msg->data.result == CURLE_OK && status_ok(e) && (long long)s->got == expect) {
                good++;
            } else if (finished - good == 1) {
                long code = 0;
                curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
                fprintf(stderr, "raw_curl: first failure: %s, status %ld, %zu bytes\n",
                        curl_easy_strerror(msg->data.result), code, s->got);
            }
            total += (long long)s->got;
            s->got = 0;
            curl_multi_remove_handle(m, e);
            if (!naive && started < count) {
                /* recycle: same options, connection cache lives in the multi */
                curl_multi_add_handle(m, e);
                started++;
            } else {
                curl_easy_cleanup(e);
                s->easy = NULL;
            }
        }
        if (finished >= count) break;
        if (curl_multi_poll(m, NULL, 0, 1000, &numfds) != CURLM_OK) break;
    }
    for (long i = 0; i < nslots; i++)
        if (slots[i].easy) {
            curl_multi_remove_handle(m, slots[i].easy);
            curl_easy_cleanup(slots[i].easy);
        }
    free(slots);
    curl_multi_cleanup(m);
    *done_ok = good;
    *bytes = total;
    return good == count && finished == count;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "version") == 0) {
        printf("%s\n", curl_version());
        return 0;
    }
    if (argc < 10) {
        fprintf(stderr, "usage: raw_curl MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND\n");
        return 2;
    }
    char mode_buf[32];
    const char *mode = argv[1], *url = argv[2];
    size_t mlen = strlen(mode);
    if (mlen > 5 && mlen < sizeof mode_buf && strcmp(mode + mlen - 5, "_hdrs") == 0) {
        memcpy(mode_buf, mode, mlen - 5);
        mode_buf[mlen - 5] = '\0';
        mode = mode_buf;
        libreqc_headers = curl_slist_append(NULL, "User-Agent: libreqc/0.1.0");
        libreqc_headers = curl_slist_append(libreqc_headers, "Accept-Encoding: gzip, deflate, br, zstd");
    }
    long count = atol(argv[3]), conc = atol(argv[4]);
    int http = atoi(argv[5]);
    long long expect = atoll(argv[6]);
    const char *scenario = argv[7], *client = argv[8];
    int round = atoi(argv[9]);
    int ok = 1;
    long long bytes = 0;

    curl_global_init(CURL_GLOBAL_DEFAULT);

    if (strcmp(mode, "abi") == 0) {
        char name[32], value[64];
        bench_mark m = bench_start();
        for (long i = 0; i < count; i++) {
            struct curl_slist *h = NULL;
            CURLU *u = curl_url();
            curl_url_set(u, CURLUPART_URL, url, 0);
            for (int k = 0; k < 10; k++) {
                snprintf(name, sizeof name, "X-Bench-%d: value-%d", k, k);
                h = curl_slist_append(h, name);
            }
            for (int k = 0; k < 10; k++) {
                snprintf(value, sizeof value, "p%d=value %d", k, k);
                curl_url_set(u, CURLUPART_QUERY, value, CURLU_APPENDQUERY | CURLU_URLENCODE);
            }
            char *full = NULL;
            curl_url_get(u, CURLUPART_URL, &full, 0);
            if (!full || !h) ok = 0;
            curl_free(full);
            curl_url_cleanup(u);
            curl_slist_free_all(h);
        }
        bench_report(scenario, client, round, count, 0, m, ok);
        return ok ? 0 : 1;
    }

    bench_mark m = bench_start();
    if (strcmp(mode, "seq") == 0) {
        CURL *e = curl_easy_init();
        membuf buf = {0};
        setup_easy(e, url, http);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_mem);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &buf);
        for (long i = 0; i < count; i++) {
            buf.len = 0;
            CURLcode rc = curl_easy_perform(e);
            if (rc != CURLE_OK || !status_ok(e) || (long long)buf.len != expect) {
                ok = 0;
                fprintf(stderr, "raw_curl: request %ld: %s, %zu bytes\n", i, curl_easy_strerror(rc), buf.len);
                break;
            }
            bytes += (long long)buf.len;
        }
        free(buf.data);
        curl_easy_cleanup(e);
    } else if (strcmp(mode, "batch") == 0 || strcmp(mode, "naive") == 0) {
        long good = 0;
        ok = run_multi(url, count, conc, http, expect, mode[0] == 'n', &good, &bytes);
        if (!ok) fprintf(stderr, "raw_curl: %ld of %ld good\n", good, count);
    } else if (strcmp(mode, "get_mem") == 0 || strcmp(mode, "get_stream") == 0) {
        int mem = strcmp(mode, "get_mem") == 0;
        CURL *e = curl_easy_init();
        setup_easy(e, url, http);
        for (long i = 0; i < count && ok; i++) {
            membuf buf = {0};
            size_t got = 0;
            buf.easy = e;
            if (mem) {
                curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_mem);
                curl_easy_setopt(e, CURLOPT_WRITEDATA, &buf);
            } else {
                curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_count);
                curl_easy_setopt(e, CURLOPT_WRITEDATA, &got);
            }
            CURLcode rc = curl_easy_perform(e);
            size_t n = mem ? buf.len : got;
            if (rc != CURLE_OK || !status_ok(e) || (long long)n != expect) {
                ok = 0;
                fprintf(stderr, "raw_curl: download: %s, %zu bytes\n", curl_easy_strerror(rc), n);
            }
            bytes += (long long)n;
            free(buf.data);
        }
        curl_easy_cleanup(e);
    } else {
        fprintf(stderr, "raw_curl: unknown mode %s\n", mode);
        return 2;
    }
    bench_report(scenario, client, round, count, bytes, m, ok);
    curl_slist_free_all(libreqc_headers);
    curl_global_cleanup();
    return ok ? 0 : 1;
}
