/* pull_direct.c: reqc_stream_read hands the body straight to the caller's
 * buffer while it waits (one copy), pauses the transfer once the buffer is
 * full, and keeps for the next reads only the end of a network read that
 * did not fit. The bytes come out whole and
 * in order whatever the sizes of the reads (1 byte at a time, far larger
 * than what libreqc keeps, sizes that change from read to read), plain,
 * chunked, gzip-decoded, over h2c and TLS; and a large buffer takes more
 * than libreqc ever keeps in one read: the bytes did not pass through it.
 *
 * Bodies come from the test server's /reqc/pattern (byte i is i % 251), so
 * these tests skip themselves against PyPI's httpbin. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <time.h>

#include "check.h"

#define NEED_TEST_SERVER()                                                           \
    do {                                                                             \
        if (check_is_httpbin()) SKIP("/reqc/pattern is libreqc's test server's");    \
    } while (0)

/* The most unread body the old pull could hold, so the most one read could
 * return: its 64 KiB pause mark plus one 16 KiB network read. */
#define OLD_MOST_PER_READ (80 * 1024)

/* `base` + /reqc/pattern?bytes=N plus `extra` query text. */
static const char *pattern_at(const char *base, long long bytes, const char *extra) {
    static char url[8][512];
    static int next;
    char *u = url[next++ % 8];
    snprintf(u, sizeof url[0], "%s/reqc/pattern?bytes=%lld%s", base, bytes, extra);
    return u;
}

static void nap_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Opens `url` on `session` and reads it to the end with reads of the sizes
 * in `caps` (in turn, `ncaps` of them), napping `nap` ms before each read;
 * checks the pattern from offset 0 and the end. Returns the bytes read (-1
 * after a mismatch or a failed read) and the largest read in *largest. */
static long long read_with(reqc_session *session, const char *url, const size_t *caps,
                           size_t ncaps, long nap, size_t *largest) {
    reqc_request *req = check_new_request("GET", url);
    reqc_stream *stream = NULL;
    size_t most = 0, max_cap = 0, k;
    long long total = 0;
    uint8_t *buf;
    if (!req) return -1;
    reqc_request_set_timeout_ms(req, 30000);
    CHECK_OK(reqc_session_open(session, req, &stream), req);
    reqc_request_free(req);
    if (!stream) return -1;
    CHECK(reqc_response_status(reqc_stream_response(stream)) == 200);
    for (k = 0; k < ncaps; k++)
        if (caps[k] > max_cap) max_cap = caps[k];
    /* One guard byte past the largest cap: a read never writes past its cap. */
    buf = malloc(max_cap + 1);
    for (k = 0;; k++) {
        size_t cap = caps[k % ncaps], n = 99, i;
        if (nap) nap_ms(nap);
        buf[cap] = 0xA5;
        reqc_code rc = reqc_stream_read(stream, buf, cap, &n);
        if (rc != REQC_OK || n > cap || buf[cap] != 0xA5) {
            fprintf(stderr, "  FAIL: read %zu of %zu at %lld: %s %s\n", n, cap, total,
                    reqc_code_name(rc), reqc_stream_error(stream));
            check_failed_now = 1;
            total = -1;
            break;
        }
        if (n == 0) break;
        for (i = 0; i < n; i++) {
            if (buf[i] != (uint8_t)((total + (long long)i) % 251)) {
                fprintf(stderr, "  FAIL: byte %lld is %d, want %d (read of %zu)\n",
                        total + (long long)i, buf[i], (int)((total + (long long)i) % 251), cap);
                check_failed_now = 1;
                free(buf);
                reqc_stream_free(stream);
                return -1;
            }
        }
        if (n > most) most = n;
        total += (long long)n;
    }
    if (total >= 0) {
        /* The end is sticky. */
        size_t n = 99;
        CHECK_OK(reqc_stream_read(stream, buf, 1, &n), NULL);
        CHECK(n == 0);
    }
    free(buf);
    reqc_stream_free(stream);
    if (largest) *largest = most;
    return total;
}

static reqc_session *new_session(int h2c) {
    reqc_session *s = NULL;
    CHECK_OK(reqc_session_new(&s), s);
    if (s && h2c) CHECK_OK(reqc_session_set_http_version(s, REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE), s);
    return s;
}

/* ---- a large buffer is filled straight ---- */

/* A 1 MiB buffer, the reader napping before each read so the network has
 * bytes waiting: some read returns more than the old pull could ever hold
 * (its kept bytes were all a read could get), so those bytes went straight
 * into the buffer. */
static void test_large_buffer_filled_straight(void) {
    const size_t caps[] = {1 << 20};
    long long size = check_small() ? 1500000 : 2000000;
    size_t largest = 0;
    reqc_session *s;
    NEED_TEST_SERVER();
    s = new_session(0);
    if (!s) return;
    CHECK(read_with(s, pattern_at(check_env("REQC_TEST_URL"), size, ""), caps, 1, 10,
                    &largest) == size);
    if (largest <= OLD_MOST_PER_READ)
        fprintf(stderr, "  FAIL: the largest read took %zu bytes\n", largest);
    CHECK(largest > OLD_MOST_PER_READ);
    /* Chunked the same. */
    largest = 0;
    CHECK(read_with(s, pattern_at(check_env("REQC_TEST_URL"), size, "&chunked=1"), caps, 1, 10,
                    &largest) == size);
    CHECK(largest > OLD_MOST_PER_READ);
    reqc_session_free(s);
}

/* ---- reads of any size, in order ---- */

static void test_one_byte_reads(void) {
    const size_t caps[] = {1};
    long long size = check_small() ? 30000 : 300000;
    reqc_session *s;
    NEED_TEST_SERVER();
    s = new_session(0);
    if (!s) return;
    CHECK(read_with(s, pattern_at(check_env("REQC_TEST_URL"), size, ""), caps, 1, 0, NULL) ==
          size);
    /* Decoded: each network read inflates to more than the byte taken. */
    CHECK(read_with(s, pattern_at(check_env("REQC_TEST_URL"), size, "&gzip=1"), caps, 1, 0,
                    NULL) == size);
    reqc_session_free(s);
}

/* Sizes that change from read to read: a buffer filled in part, kept bytes
 * taken by a smaller read, then a larger one lent again. */
static const size_t MIXED[] = {1, 7, 65536, 1 << 20, 16384, 3, 200000, 4096, 131072, 131073};
#define NMIXED (sizeof MIXED / sizeof MIXED[0])

static void check_mixed(int h2c, const char *extra, long long size, long nap) {
    reqc_session *s = new_session(h2c);
    if (!s) return;
    long long got = read_with(s, pattern_at(check_env("REQC_TEST_URL"), size, extra), MIXED,
                              NMIXED, nap, NULL);
    if (got != size) fprintf(stderr, "  FAIL: h2c=%d %s: %lld of %lld\n", h2c, extra, got, size);
    CHECK(got == size);
    reqc_session_free(s);
}

static void test_mixed_sizes_plain_and_chunked(void) {
    long long size = check_small() ? 600000 : 3000000;
    NEED_TEST_SERVER();
    check_mixed(0, "", size, 0);
    check_mixed(0, "&chunked=1", size, 0);
    /* With the network ahead of the reader: steps bring more than a read. */
    check_mixed(0, "", size, 2);
}

static void test_mixed_sizes_gzip(void) {
    NEED_TEST_SERVER();
    /* The server builds a gzip body whole: kept small. */
    check_mixed(0, "&gzip=1", 400000, 0);
    check_mixed(0, "&gzip=1&chunked=1", 400000, 1);
}

static void test_mixed_sizes_h2c(void) {
    long long size = check_small() ? 600000 : 2000000;
    NEED_TEST_SERVER();
    check_mixed(1, "", size, 0);
    check_mixed(1, "", size, 1);
    check_mixed(1, "&gzip=1", 400000, 0);
}

static void test_tls_large_and_small_reads(void) {
    const size_t big[] = {1 << 20}, small[] = {1, 100, 70000};
    reqc_session *s;
    long long size = check_small() ? 300000 : 1000000;
    NEED("REQC_TEST_TLS");
    NEED_TEST_SERVER();
    s = new_session(0);
    if (!s) return;
    CHECK_OK(reqc_session_set_ca_file(s, check_env("REQC_TEST_CA_FILE")), s);
    CHECK(read_with(s, pattern_at(check_env("REQC_TEST_TLS"), size, ""), big, 1, 2, NULL) == size);
    CHECK(read_with(s, pattern_at(check_env("REQC_TEST_TLS"), size, ""), small, 3, 0, NULL) ==
          size);
    reqc_session_free(s);
}

int main(void) {
    RUN(test_large_buffer_filled_straight);
    RUN(test_one_byte_reads);
    RUN(test_mixed_sizes_plain_and_chunked);
    RUN(test_mixed_sizes_gzip);
    RUN(test_mixed_sizes_h2c);
    RUN(test_tls_large_and_small_reads);
    return check_summary();
}
