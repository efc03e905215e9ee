/* hostile.c: libreqc against a deliberately broken HTTP server (the test
 * server's hostile listener, REQC_TEST_HOSTILE; see tests/server/src/hostile/).
 *
 * One test per hostile path, all through ONE session. Each test asserts:
 *  - the outcome: the specific reqc_code where it is deterministic, else one of
 *    a named set (the code name and reqc_request_error are printed);
 *  - that it came within its configured timeout (measured with now_ms, with a
 *    generous bound; extra slack under valgrind);
 *  - no crash, bounded memory (peak RSS for the gzip bombs);
 *  - that the SAME session still works afterwards: GET URL("/get") -> 200.
 *
 * Without the test server (--httpbin: REQC_TEST_HOSTILE is unset) every test
 * skips. REQC_SMALL=1 (valgrind) keeps the bombs' caps small and skips the
 * RSS bound (valgrind's own memory is counted in ru_maxrss).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>

#include "check.h"
#include "clock.h"
#include "memory.h"

/* ---- helpers ------------------------------------------------------------ */

static reqc_session *g_s; /* the one session every test goes through */
static int g_scenarios;   /* hostile scenarios exercised (printed at the end) */

/* Extra milliseconds allowed on every time bound under valgrind. */
static int64_t slack_ms(void) { return check_small() ? 4000 : 0; }

static const char *hostile_base(void) {
    const char *v = getenv("REQC_TEST_HOSTILE");
    return (v != NULL && *v != 0) ? v : NULL;
}

#define HOSTILE(path) check_url_at(hostile_base(), (path))
#define NEED_HOSTILE()                                                                \
    do {                                                                              \
        if (hostile_base() == NULL || g_s == NULL)                                    \
            SKIP("REQC_TEST_HOSTILE is not set (not libreqc's test server)");         \
        g_scenarios++;                                                                \
    } while (0)

/* Percent-encodes `in` into `out` (every byte but unreserved ones). */
static void url_encode(const char *in, char *out, size_t cap) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *in && o + 4 < cap; in++) {
        unsigned char c = (unsigned char)*in;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = 0;
}

/* The outcome of one send: code, response (owned) and elapsed ms. */
typedef struct {
    reqc_code rc;
    reqc_response *resp;
    int64_t ms;
} outcome;

/* Sends `req` through the shared session, timing it. */
static outcome timed_send(reqc_request *req) {
    outcome o = {REQC_E_INVALID_ARGUMENT, NULL, 0};
    int64_t t0 = now_ms();
    if (req == NULL) {
        check_failed_now = 1;
        return o;
    }
    o.rc = reqc_session_send(g_s, req, &o.resp);
    o.ms = now_ms() - t0;
    printf("  %s -> %s in %lld ms%s%s\n", reqc_request_url(req), reqc_code_name(o.rc),
           (long long)o.ms, o.rc != REQC_OK ? ": " : "",
           o.rc != REQC_OK ? reqc_request_error(req) : "");
    if (o.rc != REQC_OK && o.resp != NULL) {
        fprintf(stderr, "  FAIL: a failed send wrote a response\n");
        check_failed_now = 1;
    }
    return o;
}

/* A failing send must come back with a non-empty message naming the error. */
static void check_error_text(reqc_request *req) {
    const char *e = reqc_request_error(req);
    CHECK(e != NULL && *e != 0);
}

/* Checks that the shared session still serves GET URL("/get") with 200. */
static void check_session_still_works(void) {
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp = NULL;
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_timeout_ms(req, 10000), req);
    CHECK_OK(reqc_session_send(g_s, req, &resp), req);
    if (resp != NULL) CHECK(reqc_response_status(resp) == 200);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* The common shape: GET `path` on the hostile port with a total timeout of
 * `timeout_ms`, expect `want` within `bound_ms`, then the session still works. */
static void expect_code(const char *path, int64_t timeout_ms, reqc_code want,
                        int64_t bound_ms) {
    reqc_request *req = check_new_request("GET", HOSTILE(path));
    outcome o;
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_timeout_ms(req, timeout_ms), req);
    o = timed_send(req);
    CHECK_CODE(o.rc, want, req);
    check_error_text(req);
    CHECK(o.ms < bound_ms + slack_ms());
    reqc_response_free(o.resp);
    reqc_request_free(req);
    check_session_still_works();
}

/* "connections_hostile" from GET /stats, or -1 (failing the test). */
static long hostile_connections(void) { return check_stats("connections_hostile"); }

/* ---- broken framing ------------------------------------------------------ */

static void test_short_body(void) {
    NEED_HOSTILE();
    expect_code("/short-body", 10000, REQC_E_RECV, 10000);
}

static void test_bad_chunked(void) {
    reqc_request *req;
    outcome o;
    NEED_HOSTILE();
    req = check_new_request("GET", HOSTILE("/bad-chunked"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_timeout_ms(req, 10000), req);
    o = timed_send(req);
    if (o.rc != REQC_E_RECV && o.rc != REQC_E_PROTOCOL) {
        fprintf(stderr, "  FAIL: /bad-chunked gave %s, want RECV or PROTOCOL (%s)\n",
                reqc_code_name(o.rc), reqc_request_error(req));
        check_failed_now = 1;
    }
    check_error_text(req);
    CHECK(o.ms < 10000 + slack_ms());
    reqc_response_free(o.resp);
    reqc_request_free(req);
    check_session_still_works();
}

static void test_reset_mid_body(void) {
    NEED_HOSTILE();
    expect_code("/reset-mid-body", 10000, REQC_E_RECV, 10000);
}

static void test_bad_status_line(void) {
    NEED_HOSTILE();
    expect_code("/bad-status-line", 10000, REQC_E_PROTOCOL, 10000);
}

static void test_http09(void) {
    NEED_HOSTILE();
    expect_code("/http09", 10000, REQC_E_PROTOCOL, 10000);
}

/* ---- slow servers ---------------------------------------------------------- */

static void test_never_answer(void) {
    NEED_HOSTILE();
    expect_code("/never-answer", 500, REQC_E_TIMEOUT, 3000);
}

static void test_byte_a_second(void) {
    reqc_request *req;
    outcome o;
    NEED_HOSTILE();
    req = check_new_request("GET", HOSTILE("/byte-a-second"));
    if (req == NULL) return;
    /* No total timeout shorter than the floor: the speed floor must end it. */
    CHECK_OK(reqc_request_set_timeout_ms(req, 30000), req);
    CHECK_OK(reqc_request_set_speed_floor(req, 100, 2000), req);
    o = timed_send(req);
    CHECK_CODE(o.rc, REQC_E_TIMEOUT, req);
    check_error_text(req);
    CHECK(o.ms < 6000 + slack_ms());
    reqc_response_free(o.resp);
    reqc_request_free(req);
    check_session_still_works();
}

/* A timed-out response on a kept-alive connection must not leave that
 * connection in the pool: the next request to the same port gets its own body
 * on a new connection. Runs FIRST, so that no earlier idle hostile connection
 * sits in the session's pool and could legitimately be reused. */
static void test_keepalive_timeout(void) {
    reqc_request *req;
    outcome o;
    long before, after;
    char *reset;
    NEED_HOSTILE();
    NEED("REQC_TEST_CONTROL");
    reset = check_control("POST", "/reset");
    free(reset);

    req = check_new_request("GET", HOSTILE("/keepalive-timeout"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_timeout_ms(req, 300), req);
    o = timed_send(req);
    CHECK_CODE(o.rc, REQC_E_TIMEOUT, req);
    check_error_text(req);
    CHECK(o.ms < 3000 + slack_ms());
    reqc_response_free(o.resp);
    reqc_request_free(req);

    before = hostile_connections();
    req = check_new_request("GET", HOSTILE("/ok"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_timeout_ms(req, 10000), req);
    o = timed_send(req);
    CHECK_OK(o.rc, req);
    if (o.resp != NULL) {
        CHECK(reqc_response_status(o.resp) == 200);
        CHECK_STR_EQ(reqc_response_text(o.resp), "ok");
    }
    reqc_response_free(o.resp);
    reqc_request_free(req);
    after = hostile_connections();
    printf("  connections_hostile: %ld before /ok, %ld after\n", before, after);
    CHECK(before == 1);
    CHECK(after == before + 1);
    check_session_still_works();
}

/* ---- floods ---------------------------------------------------------------- */

/* Either an error code, or OK with every header readable. */
static void header_flood(const char *path, size_t want_at_least, const char *probe,
                         size_t probe_len) {
    reqc_request *req;
    outcome o;
    req = check_new_request("GET", HOSTILE(path));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_timeout_ms(req, 10000), req);
    o = timed_send(req);
    CHECK(o.ms < 10000 + slack_ms());
    if (o.rc == REQC_OK) {
        size_t n = reqc_response_header_count(o.resp), i, readable = 0;
        const char *v;
        printf("  %s: OK with %zu headers\n", path, n);
        CHECK(n >= want_at_least);
        for (i = 0; i < n; i++) {
            const char *hn = NULL, *hv = NULL;
            if (reqc_response_header_at(o.resp, i, &hn, &hv) == REQC_OK && hn != NULL &&
                hv != NULL)
                readable++;
        }
        CHECK(readable == n);
        CHECK(reqc_response_header_at(o.resp, n, NULL, NULL) == REQC_E_NOT_FOUND);
        v = reqc_response_header(o.resp, probe);
        CHECK(v != NULL && strlen(v) == probe_len);
        CHECK(reqc_response_status(o.resp) == 200);
        CHECK_STR_EQ(reqc_response_text(o.resp), "ok");
    } else {
        printf("  %s: refused with %s (%s)\n", path, reqc_code_name(o.rc),
               reqc_request_error(req));
        CHECK(o.rc != REQC_E_PANIC && o.rc != REQC_E_INVALID_ARGUMENT);
        check_error_text(req);
    }
    reqc_response_free(o.resp);
    reqc_request_free(req);
    check_session_still_works();
}

static void test_huge_headers(void) {
    NEED_HOSTILE();
    header_flood("/huge-headers", 4, "X-Big", 300000);
}

static void test_many_headers(void) {
    NEED_HOSTILE();
    header_flood("/many-headers", 10000, "X-H-9999", 1);
}

static void test_many_cookies(void) {
    reqc_request *req;
    reqc_cookie_list *list = NULL;
    outcome o;
    NEED_HOSTILE();
    CHECK(reqc_session_clear_cookies(g_s) == REQC_OK);
    req = check_new_request("GET", HOSTILE("/many-cookies"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_timeout_ms(req, 10000), req);
    o = timed_send(req);
    CHECK_OK(o.rc, req);
    CHECK(o.ms < 10000 + slack_ms());
    if (o.resp != NULL) {
        CHECK(reqc_response_status(o.resp) == 200);
        CHECK_STR_EQ(reqc_response_text(o.resp), "ok");
    }
    if (reqc_session_cookies(g_s, &list) == REQC_OK) {
        size_t n = reqc_cookie_list_count(list);
        printf("  the jar holds %zu cookies after 1000 Set-Cookie\n", n);
        CHECK(n > 0);
        CHECK(n <= 180);
    } else {
        fprintf(stderr, "  FAIL: reqc_session_cookies: %s\n", reqc_session_error(g_s));
        check_failed_now = 1;
    }
    reqc_cookie_list_free(list);
    reqc_response_free(o.resp);
    reqc_request_free(req);
    check_session_still_works();
    /* They would go to every 127.0.0.1 port: leave the jar empty. */
    CHECK(reqc_session_clear_cookies(g_s) == REQC_OK);
}

/* ---- decompression bombs --------------------------------------------------- */

static void bomb(const char *path) {
    reqc_request *req;
    outcome o;
    const uint64_t cap = check_small() ? (uint64_t)1 << 20 : (uint64_t)16 << 20;
    long rss0 = peak_rss_kib(), rss1;
    req = check_new_request("GET", HOSTILE(path));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_timeout_ms(req, 60000), req);
    CHECK_OK(reqc_request_set_max_response_bytes(req, cap), req);
    o = timed_send(req);
    CHECK_CODE(o.rc, REQC_E_BODY_TOO_LARGE, req);
    check_error_text(req);
    CHECK(o.ms < 60000 + slack_ms());
    rss1 = peak_rss_kib();
    printf("  peak RSS %ld KiB before, %ld KiB after (cap %llu bytes)\n", rss0, rss1,
           (unsigned long long)cap);
    if (check_small()) {
        printf("  (RSS bound not checked under REQC_SMALL/valgrind)\n");
    } else {
        CHECK(rss1 > 0 && rss1 < (long)((cap >> 10) + 100 * 1024));
    }
    reqc_response_free(o.resp);
    reqc_request_free(req);
    check_session_still_works();
}

static void test_gzip_1gib(void) {
    NEED_HOSTILE();
    bomb("/gzip-1gib");
}

/* The bomb as the body of a 302: libreqc follows the redirect without
 * inflating that body (Requests does the same), reads its ~1 MB as received,
 * keeps only its first 64 KiB in the history, and ends at /get. */
static void test_gzip_1gib_redirect(void) {
    reqc_request *req;
    outcome o;
    const uint64_t cap = (uint64_t)16 << 20; /* above the ~1 MB as sent */
    long rss0, rss1;
    NEED_HOSTILE();
    rss0 = peak_rss_kib();
    req = check_new_request("GET", HOSTILE("/gzip-1gib-redirect"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_timeout_ms(req, 60000), req);
    CHECK_OK(reqc_request_set_max_response_bytes(req, cap), req);
    o = timed_send(req);
    CHECK_CODE(o.rc, REQC_OK, req);
    CHECK(o.ms < 60000 + slack_ms());
    if (o.resp != NULL) {
        const reqc_response *hop = check_hop(o.resp, 0);
        size_t len = 0;
        CHECK(reqc_response_status(o.resp) == 200);
        CHECK(reqc_response_history_count(o.resp) == 1);
        if (hop != NULL) {
            CHECK(reqc_response_status(hop) == 302);
            CHECK_STR_EQ(reqc_response_header(hop, "Content-Encoding"), "gzip");
            reqc_response_body(hop, &len);
            CHECK(len == 65536); /* the first 64 KiB, as received */
        }
    }
    rss1 = peak_rss_kib();
    printf("  peak RSS %ld KiB before, %ld KiB after\n", rss0, rss1);
    if (!check_small()) CHECK(rss1 > 0 && rss1 < 100 * 1024);
    reqc_response_free(o.resp);
    reqc_request_free(req);
    check_session_still_works();
}

/* ---- redirects ------------------------------------------------------------- */

static void test_redirect_loop(void) {
    NEED_HOSTILE();
    expect_code("/redirect-loop", 10000, REQC_E_TOO_MANY_REDIRECTS, 10000);
}

static void redirect_scheme(const char *target) {
    char enc[512], path[600];
    url_encode(target, enc, sizeof enc);
    snprintf(path, sizeof path, "/redirect-to?url=%s", enc);
    expect_code(path, 10000, REQC_E_UNSUPPORTED_PROTOCOL, 10000);
}

static void test_redirect_to_file(void) {
    NEED_HOSTILE();
    redirect_scheme("file:///etc/passwd");
}

static void test_redirect_to_ftp(void) {
    NEED_HOSTILE();
    redirect_scheme("ftp://127.0.0.1/");
}

static void test_redirect_to_gopher(void) {
    NEED_HOSTILE();
    redirect_scheme("gopher://127.0.0.1/");
}

/* ---- main ------------------------------------------------------------------ */

int main(void) {
    if (reqc_session_new(&g_s) != REQC_OK) {
        fprintf(stderr, "reqc_session_new failed\n");
        return 1;
    }
    /* No proxy, whatever the environment says. */
    if (reqc_session_set_proxy(g_s, "") != REQC_OK) {
        fprintf(stderr, "reqc_session_set_proxy: %s\n", reqc_session_error(g_s));
        return 1;
    }
    RUN(test_keepalive_timeout); /* first: see the test's comment */
    RUN(test_short_body);
    RUN(test_bad_chunked);
    RUN(test_reset_mid_body);
    RUN(test_never_answer);
    RUN(test_byte_a_second);
    RUN(test_huge_headers);
    RUN(test_many_headers);
    RUN(test_gzip_1gib);
    RUN(test_gzip_1gib_redirect);
    RUN(test_redirect_loop);
    RUN(test_redirect_to_file);
    RUN(test_redirect_to_ftp);
    RUN(test_redirect_to_gopher);
    RUN(test_bad_status_line);
    RUN(test_http09);
    RUN(test_many_cookies);
    reqc_session_free(g_s);
    printf("hostile scenarios exercised: %d\n", g_scenarios);
    return check_summary();
}
