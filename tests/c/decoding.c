/* decoding.c: content decoding done by libreqc (gzip, deflate, br, zstd),
 * the Accept-Encoding it sends, redirect bodies that are not decoded, and
 * the memory bound of one send across its hops (history bodies bounded).
 *
 * Most tests use the test server's /reqc/encoded (see
 * tests/server/src/routes/encoded.rs): a body of a known pattern (byte i is
 * "0123456789abcdef"[i % 16]) or zeros, in any chain of codings, optionally
 * behind a chain of redirects. They skip against PyPI's httpbin; /headers
 * and /brotli run against both.
 *
 * REQC_SMALL=1 (valgrind) shrinks the sizes and skips the RSS bounds.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>

#include "check.h"
#include "clock.h"
#include "memory.h"

#define KIB 1024
#define MIB (1024 * 1024)
#define HISTORY_BODY (64 * KIB) /* what a history entry keeps of its body */

static const char PATTERN[] = "0123456789abcdef";

static int contains(const char *s, const char *sub) {
    return s != NULL && strstr(s, sub) != NULL;
}

/* True when `data` is the first `len` bytes of the pattern (from `offset`). */
static int is_pattern(const uint8_t *data, size_t len, size_t offset) {
    size_t i;
    for (i = 0; i < len; i++)
        if (data[i] != (uint8_t)PATTERN[(offset + i) % 16]) return 0;
    return 1;
}

#define NEED_TEST_SERVER()                                                            \
    do {                                                                              \
        if (check_is_httpbin()) SKIP("/reqc/encoded is a libreqc test server endpoint"); \
    } while (0)

/* Sends, expecting REQC_OK; the response or NULL. */
static reqc_response *send_ok(reqc_request *req) {
    reqc_response *resp = NULL;
    CHECK_CODE(reqc_send(req, &resp), REQC_OK, req);
    return resp;
}

/* The Accept-Encoding value the server saw, from /headers' JSON, into `out`. */
static void seen_accept_encoding(const char *json, char *out, size_t cap) {
    const char *p = strstr(json, "\"Accept-Encoding\"");
    size_t n = 0;
    out[0] = 0;
    if (p == NULL) return;
    p = strchr(p + 17, '"');
    if (p == NULL) return;
    p++;
    while (p[n] != 0 && p[n] != '"' && n + 1 < cap) n++;
    memcpy(out, p, n);
    out[n] = 0;
}

/* ---- features and Accept-Encoding ----------------------------------------------- */

static void test_features(void) {
    CHECK(reqc_has_feature("gzip") == 1);
    CHECK(reqc_has_feature("brotli") == 1);
    CHECK(reqc_has_feature("zstd") == 1);
}

/* What libreqc offers by default: every coding it decodes, in Requests'
 * order, exactly. */
static void test_accept_encoding_default(void) {
    reqc_request *req = check_new_request("GET", URL("/headers"));
    reqc_response *resp;
    char ae[128];
    if (req == NULL) return;
    resp = send_ok(req);
    if (resp != NULL) {
        seen_accept_encoding(reqc_response_text(resp), ae, sizeof ae);
        CHECK_STR_EQ(ae, "gzip, deflate, br, zstd");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* A header a layer sets wins (request over session); a removal sends none. */
static void test_accept_encoding_layers(void) {
    reqc_session *s = NULL;
    reqc_request *req = check_new_request("GET", URL("/headers"));
    reqc_response *resp = NULL;
    char ae[128];
    if (req == NULL) return;
    CHECK(reqc_session_new(&s) == REQC_OK);
    CHECK(reqc_session_set_header(s, "Accept-Encoding", "br") == REQC_OK);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    if (resp != NULL) {
        seen_accept_encoding(reqc_response_text(resp), ae, sizeof ae);
        CHECK_STR_EQ(ae, "br");
    }
    reqc_response_free(resp);
    resp = NULL;
    CHECK_OK(reqc_request_set_header(req, "Accept-Encoding", "identity"), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    if (resp != NULL) {
        seen_accept_encoding(reqc_response_text(resp), ae, sizeof ae);
        CHECK_STR_EQ(ae, "identity");
    }
    reqc_response_free(resp);
    resp = NULL;
    CHECK_OK(reqc_request_set_header(req, "Accept-Encoding", NULL), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    if (resp != NULL) CHECK_JSON_LACKS(reqc_response_text(resp), "\"Accept-Encoding\"");
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* ---- decoding ------------------------------------------------------------------- */

/* httpbin's /brotli (the real one too). */
static void test_brotli_endpoint(void) {
    reqc_request *req = check_new_request("GET", URL("/brotli"));
    reqc_response *resp;
    if (req == NULL) return;
    resp = send_ok(req);
    if (resp != NULL) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_STR_EQ(reqc_response_header(resp, "Content-Encoding"), "br");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"brotli\": true");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_zstd_endpoint(void) {
    reqc_request *req;
    reqc_response *resp;
    NEED_TEST_SERVER();
    req = check_new_request("GET", URL("/reqc/zstd"));
    if (req == NULL) return;
    resp = send_ok(req);
    if (resp != NULL) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_STR_EQ(reqc_response_header(resp, "Content-Encoding"), "zstd");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"zstd\": true");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* gzip and deflate as before, through httpbin's endpoints. */
static void test_gzip_deflate_endpoints(void) {
    const char *paths[] = {"/gzip", "/deflate"};
    const char *flags[] = {"\"gzipped\": true", "\"deflated\": true"};
    size_t i;
    for (i = 0; i < 2; i++) {
        reqc_request *req = check_new_request("GET", URL(paths[i]));
        reqc_response *resp;
        if (req == NULL) return;
        resp = send_ok(req);
        if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), flags[i]);
        reqc_response_free(resp);
        reqc_request_free(req);
    }
}

struct collected {
    size_t len;
    int pattern_ok;
};

static int collect(void *userdata, const uint8_t *data, size_t len) {
    struct collected *c = userdata;
    if (!is_pattern(data, len, c->len)) c->pattern_ok = 0;
    c->len += len;
    return 0;
}

/* Every coding and chains of them, buffered and streamed, byte for byte. */
static void test_every_coding(void) {
    const char *codings[] = {"gzip", "x-gzip", "deflate", "deflate-raw", "br",
                             "zstd", "identity", "gzip,br", "zstd,gzip", "br,deflate,zstd"};
    const size_t size = check_small() ? 100 * KIB : 3 * MIB + 7;
    size_t i;
    NEED_TEST_SERVER();
    for (i = 0; i < sizeof codings / sizeof codings[0]; i++) {
        char path[256];
        reqc_request *req;
        reqc_response *resp;
        struct collected c = {0, 1};
        snprintf(path, sizeof path, "/reqc/encoded?size=%zu&coding=%s", size, codings[i]);
        req = check_new_request("GET", URL(path));
        if (req == NULL) return;
        resp = send_ok(req);
        if (resp != NULL) {
            size_t len = 0;
            const uint8_t *body = reqc_response_body(resp, &len);
            if (len != size || !is_pattern(body, len, 0)) {
                fprintf(stderr, "  FAIL: %s: %zu bytes, want %zu of the pattern\n", codings[i],
                        len, size);
                check_failed_now = 1;
            }
        }
        reqc_response_free(resp);
        CHECK_OK(reqc_request_set_data_callback(req, collect, &c, NULL), req);
        resp = send_ok(req);
        if (c.len != size || !c.pattern_ok) {
            fprintf(stderr, "  FAIL: %s streamed: %zu bytes, want %zu of the pattern\n",
                    codings[i], c.len, size);
            check_failed_now = 1;
        }
        reqc_response_free(resp);
        reqc_request_free(req);
    }
}

/* A coding libreqc does not know: the body comes back as received. */
static void test_unknown_coding_is_raw(void) {
    reqc_request *req;
    reqc_response *resp;
    NEED_TEST_SERVER();
    /* the server leaves the body as it is for a name it does not know */
    req = check_new_request("GET", URL("/reqc/encoded?size=1000&coding=x-custom"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_header(req, "Accept-Encoding", "x-custom"), req);
    resp = send_ok(req);
    if (resp != NULL) {
        size_t len = 0;
        const uint8_t *body = reqc_response_body(resp, &len);
        CHECK(len == 1000 && is_pattern(body, len, 0));
        CHECK_STR_EQ(reqc_response_header(resp, "Content-Encoding"), "x-custom");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    /* gzip then an unknown coding: nothing is undone, the gzip bytes stay */
    req = check_new_request("GET", URL("/reqc/encoded?size=1000&coding=gzip,x-custom"));
    if (req == NULL) return;
    resp = send_ok(req);
    if (resp != NULL) {
        size_t len = 0;
        const uint8_t *body = reqc_response_body(resp, &len);
        CHECK(len > 2 && body[0] == 0x1f && body[1] == 0x8b);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* A final response whose body is not what its coding says is REQC_E_RECV. */
static void test_garbage_final_body(void) {
    const char *codings[] = {"gzip", "deflate", "br", "zstd"};
    size_t i;
    NEED_TEST_SERVER();
    for (i = 0; i < 4; i++) {
        char path[128];
        reqc_request *req;
        reqc_response *resp = NULL;
        snprintf(path, sizeof path, "/reqc/encoded?garbage=1&coding=%s", codings[i]);
        req = check_new_request("GET", URL(path));
        if (req == NULL) return;
        CHECK_CODE(reqc_send(req, &resp), REQC_E_RECV, req);
        CHECK(resp == NULL);
        CHECK(contains(reqc_request_error(req), "/reqc/encoded"));
        CHECK(contains(reqc_request_error(req), codings[i][0] == 'b' ? "br" : codings[i]));
        reqc_response_free(resp);
        reqc_request_free(req);
    }
}

/* Bombs in every coding stop at the cap, quickly, with little memory. */
static void test_bombs_stop_at_the_cap(void) {
    const char *codings[] = {"gzip", "deflate", "br", "zstd"};
    const uint64_t cap = check_small() ? 256 * KIB : 4 * MIB;
    const size_t size = check_small() ? 8 * MIB : 256 * MIB;
    size_t i;
    NEED_TEST_SERVER();
    for (i = 0; i < 4; i++) {
        char path[128];
        reqc_request *req;
        reqc_response *resp = NULL;
        int64_t t0 = now_ms();
        snprintf(path, sizeof path, "/reqc/encoded?zeros=1&size=%zu&coding=%s", size, codings[i]);
        req = check_new_request("GET", URL(path));
        if (req == NULL) return;
        CHECK_OK(reqc_request_set_max_response_bytes(req, cap), req);
        CHECK_CODE(reqc_send(req, &resp), REQC_E_BODY_TOO_LARGE, req);
        CHECK(resp == NULL);
        printf("  %s bomb stopped in %lld ms\n", codings[i], (long long)(now_ms() - t0));
        reqc_response_free(resp);
        reqc_request_free(req);
    }
}

/* ---- redirect bodies are not decoded (issue 11, correctness 3) ------------------ */

/* A 302 whose body is not the gzip it claims is followed, as Requests does. */
static void test_garbage_redirect_is_followed(void) {
    const char *codings[] = {"gzip", "br", "zstd", "deflate"};
    size_t i;
    NEED_TEST_SERVER();
    for (i = 0; i < 4; i++) {
        char path[160];
        reqc_request *req;
        reqc_response *resp;
        snprintf(path, sizeof path,
                 "/reqc/encoded?garbage=1&coding=%s&status=302&location=/get", codings[i]);
        req = check_new_request("GET", URL(path));
        if (req == NULL) return;
        resp = send_ok(req);
        if (resp != NULL) {
            const reqc_response *hop = check_hop(resp, 0);
            CHECK(reqc_response_status(resp) == 200);
            CHECK(contains(reqc_response_url(resp), "/get"));
            CHECK(reqc_response_history_count(resp) == 1);
            CHECK(hop != NULL);
            if (hop != NULL) {
                size_t len = 0;
                const uint8_t *body = reqc_response_body(hop, &len);
                CHECK(reqc_response_status(hop) == 302);
                /* kept as received, not decoded */
                CHECK(len == 64 && memcmp(body, "this is not gzip", 16) == 0);
            }
        }
        reqc_response_free(resp);
        reqc_request_free(req);
    }
}

/* Not followed (redirects off), the same 302 is the final response: its body
 * is decoded, so garbage is REQC_E_RECV. */
static void test_garbage_unfollowed_redirect_is_recv(void) {
    reqc_request *req;
    reqc_response *resp = NULL;
    NEED_TEST_SERVER();
    req = check_new_request("GET",
                            URL("/reqc/encoded?garbage=1&coding=gzip&status=302&location=/get"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_redirects(req, 0, 0), req);
    CHECK_CODE(reqc_send(req, &resp), REQC_E_RECV, req);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- the memory one send holds (issue 10 §3) -------------------------------------- */

/* History entries keep status, headers and URL, and the first 64 KiB of
 * their body as received. */
static void test_history_bodies_are_bounded(void) {
    const size_t size = 200 * KIB;
    reqc_request *req;
    reqc_response *resp;
    char path[128];
    NEED_TEST_SERVER();
    snprintf(path, sizeof path, "/reqc/encoded?hops=3&size=%zu", size);
    req = check_new_request("GET", URL(path));
    if (req == NULL) return;
    resp = send_ok(req);
    if (resp != NULL) {
        size_t i, len = 0;
        const uint8_t *body = reqc_response_body(resp, &len);
        CHECK(reqc_response_status(resp) == 200);
        CHECK(len == size && is_pattern(body, len, 0));
        CHECK(reqc_response_history_count(resp) == 3);
        for (i = 0; i < reqc_response_history_count(resp); i++) {
            const reqc_response *hop = check_hop(resp, i);
            char hops[32];
            if (hop == NULL) continue;
            CHECK(reqc_response_status(hop) == 302);
            snprintf(hops, sizeof hops, "hops=%zu", 3 - i);
            CHECK(contains(reqc_response_url(hop), hops));
            snprintf(hops, sizeof hops, "hops=%zu", 2 - i);
            CHECK(contains(reqc_response_header(hop, "Location"), hops));
            body = reqc_response_body(hop, &len);
            CHECK(len == HISTORY_BODY && is_pattern(body, len, 0));
        }
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* A redirect's body, though not kept, counts against the cap as received:
 * an endless one cannot hold a send forever. */
static void test_redirect_body_counts_against_the_cap(void) {
    reqc_request *req;
    reqc_response *resp = NULL;
    NEED_TEST_SERVER();
    req = check_new_request("GET", URL("/reqc/encoded?hops=1&size=300000"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_max_response_bytes(req, 200000), req);
    CHECK_CODE(reqc_send(req, &resp), REQC_E_BODY_TOO_LARGE, req);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* 25 redirect hops, each with 7 MiB (as sent, or a gzip bomb of 7 MiB),
 * under an 8 MiB cap: REQC_OK, and the send holds about one body. */
static void chain(const char *coding) {
    const int hops = check_small() ? 5 : 25;
    const size_t size = check_small() ? 512 * KIB : 7 * MIB;
    const uint64_t cap = check_small() ? 1 * MIB : 8 * MIB;
    long rss0 = peak_rss_kib(), rss1;
    reqc_request *req;
    reqc_response *resp;
    char path[160];
    snprintf(path, sizeof path, "/reqc/encoded?hops=%d&zeros=1&size=%zu%s%s", hops, size,
             *coding ? "&coding=" : "", coding);
    req = check_new_request("GET", URL(path));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_max_response_bytes(req, cap), req);
    CHECK_OK(reqc_request_set_timeout_ms(req, 120000), req);
    resp = send_ok(req);
    rss1 = peak_rss_kib();
    if (resp != NULL) {
        size_t i, len = 0, held = 0;
        reqc_response_body(resp, &len);
        CHECK(reqc_response_status(resp) == 200);
        CHECK(len == size);
        CHECK(reqc_response_history_count(resp) == (size_t)hops);
        for (i = 0; i < reqc_response_history_count(resp); i++) {
            size_t n = 0;
            reqc_response_body(check_hop(resp, i), &n);
            CHECK(n <= HISTORY_BODY);
            held += n;
        }
        printf("  %d hops of %zu bytes (%s): history holds %zu body bytes\n", hops, size,
               *coding ? coding : "identity", held);
    }
    printf("  peak RSS %ld KiB before, %ld KiB after (cap %llu bytes)\n", rss0, rss1,
           (unsigned long long)cap);
    if (check_small()) {
        printf("  (RSS bound not checked under REQC_SMALL/valgrind)\n");
    } else {
        /* The old per-hop rule held 25 x 7 MiB (~175 MiB) here. One body,
         * its growth and libreqc's own footprint fit well under 64 MiB. */
        CHECK(rss1 > 0 && rss1 < 64 * 1024);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_gzip_bomb_redirect_chain(void) {
    NEED_TEST_SERVER();
    chain("gzip");
}

static void test_plain_redirect_chain(void) {
    NEED_TEST_SERVER();
    chain("");
}

int main(void) {
    /* first: peak RSS is a high-water mark, so the memory bounds go before
     * any test that holds big bodies */
    RUN(test_gzip_bomb_redirect_chain);
    RUN(test_plain_redirect_chain);
    RUN(test_history_bodies_are_bounded);
    RUN(test_redirect_body_counts_against_the_cap);
    RUN(test_garbage_redirect_is_followed);
    RUN(test_garbage_unfollowed_redirect_is_recv);
    RUN(test_features);
    RUN(test_accept_encoding_default);
    RUN(test_accept_encoding_layers);
    RUN(test_brotli_endpoint);
    RUN(test_zstd_endpoint);
    RUN(test_gzip_deflate_endpoints);
    RUN(test_every_coding);
    RUN(test_unknown_coding_is_raw);
    RUN(test_garbage_final_body);
    RUN(test_bombs_stop_at_the_cap);
    return check_summary();
}
