/* raw_full.c: plain libcurl, written the way an expert would, returning to
 * its caller what a libreqc send returns: the request libreqc sends (its two
 * default headers) and, per response, an owned object with the status, the
 * reason phrase, every header line (name and value, trimmed, in order), the
 * body (sized from Content-Length), the final URL, the server's address and
 * port, and the first-byte and total times. The caller checks it and frees
 * it, as bench/reqc_client.c does with a reqc_response.
 *
 * It is the measure of how much of libreqc's cost over bench/raw_curl.c is
 * the result it hands back (which any client must build) and how much is
 * libreqc's own: compare the two with callgrind (bench/FINDINGS.md). Not a
 * row of `make bench`.
 *
 *   raw_full MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND
 *
 * MODE: seq (one reused easy handle, the URL set again for each send, as a
 * new request per send does) or batch (a multi with a pool of CONCURRENCY
 * easy handles, recycled). HTTP is 1 or 2 (h2c, prior knowledge). */
#include "common.h"

#include <curl/curl.h>

/* What a send hands back to its caller. */
typedef struct {
    long status;
    char *reason;
    char *headers; /* each line as "name\0value\0", in order */
    size_t headers_len, headers_cap, header_count;
    char *body;
    size_t body_len, body_cap;
    char *url, *ip;
    long port;
    curl_off_t first_byte_us, total_us;
    CURL *easy;
} response;

static struct curl_slist *default_headers;

static int append(char **buf, size_t *len, size_t *cap, const char *p, size_t n) {
    if (*len + n > *cap) {
        size_t want = *cap ? *cap : 256;
        while (want < *len + n) want *= 2;
        char *grown = realloc(*buf, want);
        if (!grown) return 0;
        *buf = grown;
        *cap = want;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    return 1;
}

static void trim(const char **p, size_t *n) {
    while (*n && (**p == ' ' || **p == '\t')) (*p)++, (*n)--;
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r' ||
                  (*p)[*n - 1] == '\n'))
        (*n)--;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud) {
    response *r = ud;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        /* A new head (after a 1xx): status, reason, no lines yet. */
        const char *sp = memchr(line, ' ', n);
        r->headers_len = r->header_count = 0;
        free(r->reason);
        r->reason = NULL;
        if (!sp) return n;
        r->status = strtol(sp + 1, NULL, 10);
        const char *reason = memchr(sp + 1, ' ', n - (size_t)(sp + 1 - line));
        size_t rn = reason ? n - (size_t)(reason - line) : 0;
        if (reason) trim(&reason, &rn);
        r->reason = strndup(reason ? reason : "", rn);
        return n;
    }
    const char *colon = memchr(line, ':', n);
    if (!colon) return n; /* the blank line */
    const char *name = line, *value = colon + 1;
    size_t nn = (size_t)(colon - line), vn = n - nn - 1;
    trim(&name, &nn);
    trim(&value, &vn);
    if (!append(&r->headers, &r->headers_len, &r->headers_cap, name, nn) ||
        !append(&r->headers, &r->headers_len, &r->headers_cap, "", 1) ||
        !append(&r->headers, &r->headers_len, &r->headers_cap, value, vn) ||
        !append(&r->headers, &r->headers_len, &r->headers_cap, "", 1))
        return 0;
    r->header_count++;
    return n;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud) {
    response *r = ud;
    size_t n = size * nmemb;
    if (!r->body_cap) {
        curl_off_t cl = -1;
        if (curl_easy_getinfo(r->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK && cl > 0) {
            r->body = malloc((size_t)cl + 1);
            if (r->body) r->body_cap = (size_t)cl + 1;
        }
    }
    return append(&r->body, &r->body_len, &r->body_cap, ptr, n) ? n : 0;
}

/* A fresh response for the next transfer on `e`. */
static response *start(CURL *e) {
    response *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->easy = e;
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    return r;
}

/* What the transfer left behind, copied into r once it is done. */
static void finish(response *r) {
    char *s = NULL;
    curl_easy_getinfo(r->easy, CURLINFO_EFFECTIVE_URL, &s);
    r->url = strdup(s ? s : "");
    s = NULL;
    curl_easy_getinfo(r->easy, CURLINFO_PRIMARY_IP, &s);
    r->ip = strdup(s ? s : "");
    curl_easy_getinfo(r->easy, CURLINFO_PRIMARY_PORT, &r->port);
    curl_easy_getinfo(r->easy, CURLINFO_STARTTRANSFER_TIME_T, &r->first_byte_us);
    curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME_T, &r->total_us);
}

static void response_free(response *r) {
    if (!r) return;
    free(r->reason);
    free(r->headers);
    free(r->body);
    free(r->url);
    free(r->ip);
    free(r);
}

/* The caller's check, as bench/reqc_client.c does it. */
static int good(const response *r, long long expect) {
    return r->status == 200 && (long long)r->body_len == expect && r->header_count > 0;
}

static void setup(CURL *e, const char *url, int http) {
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, default_headers);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    if (http == 2) {
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
        curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    }
}

static int run_seq(const char *url, long count, int http, long long expect, long long *bytes) {
    CURL *e = curl_easy_init();
    int ok = e != NULL;
    if (e) setup(e, url, http);
    for (long i = 0; i < count && ok; i++) {
        curl_easy_setopt(e, CURLOPT_URL, url);
        response *r = start(e);
        ok = r && curl_easy_perform(e) == CURLE_OK;
        if (ok) {
            finish(r);
            ok = good(r, expect);
            *bytes += (long long)r->body_len;
        }
        response_free(r);
    }
    curl_easy_cleanup(e);
    return ok;
}

static int run_batch(const char *url, long count, long conc, int http, long long expect,
                     long long *bytes) {
    CURLM *m = curl_multi_init();
    long started = 0, finished = 0, ok_count = 0;
    if (!m) return 0;
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, conc);
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, conc);
    if (http == 2) curl_multi_setopt(m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    for (long i = 0; i < conc && started < count; i++, started++) {
        CURL *e = curl_easy_init();
        setup(e, url, http);
        curl_easy_setopt(e, CURLOPT_PRIVATE, start(e));
        curl_multi_add_handle(m, e);
    }
    while (finished < count) {
        int running = 0, numfds = 0, q = 0;
        CURLMsg *msg;
        if (curl_multi_perform(m, &running) != CURLM_OK) break;
        while ((msg = curl_multi_info_read(m, &q)) != NULL) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *e = msg->easy_handle;
            response *r = NULL;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
            finished++;
            if (r && msg->data.result == CURLE_OK) { /* r: NULL when start's calloc failed */
                finish(r);
                ok_count += good(r, expect);
                *bytes += (long long)r->body_len;
            }
            response_free(r);
            curl_multi_remove_handle(m, e);
            if (started < count) {
                curl_easy_setopt(e, CURLOPT_PRIVATE, start(e));
                curl_multi_add_handle(m, e);
                started++;
            } else {
                curl_easy_cleanup(e);
            }
        }
        if (finished < count && curl_multi_poll(m, NULL, 0, 1000, &numfds) != CURLM_OK) break;
    }
    curl_multi_cleanup(m);
    return ok_count == count;
}

int main(int argc, char **argv) {
    if (argc < 10) {
        fprintf(stderr, "usage: raw_full MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND\n");
        return 2;
    }
    const char *mode = argv[1], *url = argv[2];
    long count = atol(argv[3]), conc = atol(argv[4]);
    int http = atoi(argv[5]), ok;
    long long expect = atoll(argv[6]), bytes = 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    default_headers = curl_slist_append(NULL, "User-Agent: libreqc/0.1.0");
    default_headers = curl_slist_append(default_headers, "Accept-Encoding: gzip, deflate, br, zstd");
    bench_mark m = bench_start();
    if (strcmp(mode, "seq") == 0) {
        ok = run_seq(url, count, http, expect, &bytes);
    } else if (strcmp(mode, "batch") == 0) {
        ok = run_batch(url, count, conc, http, expect, &bytes);
    } else {
        fprintf(stderr, "raw_full: unknown mode %s\n", mode);
        return 2;
    }
    bench_report(argv[7], argv[8], atoi(argv[9]), count, bytes, m, ok);
    curl_slist_free_all(default_headers);
    curl_global_cleanup();
    return ok ? 0 : 1;
}
