/* headers_hook.c: the HEADERS hook kind (REQC_HOOK_KIND_HEADERS, Typhoeus'
 * on_headers): it runs once per hop when the final status line and all the
 * headers are in, before any body byte reaches the caller, in every send
 * style (reqc_send, reqc_session_send, batches through perform, poll and an
 * event loop; with and without a data callback), over HTTP/1.1, h2c and TLS.
 *
 * Each test records the order of events (H: a HEADERS hook, D: a data
 * callback call, R: a RESPONSE hook) and checks what the hook saw. Aborting
 * from HEADERS ends the send with REQC_E_ABORTED before any body byte: the
 * data callback never runs, no response is handed out, and the aborted
 * connection is not reused. Redirect hops and retried attempts run it too;
 * interim 1xx responses and a proxy's CONNECT reply do not.
 *
 * Tests of libreqc-only listeners (h2c, TLS, proxy, /reqc/flaky) skip
 * themselves against PyPI's httpbin. Everything is freed (valgrind, ASan).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "eloop.h"

/* ---- recording ------------------------------------------------------------- */

#define MAX_HEADS 16

/* What the hooks and the data callback saw, and what the HEADERS hook does. */
struct rec {
    char events[256];
    size_t n_events;
    /* per HEADERS call */
    size_t heads;
    int status[MAX_HEADS], hop[MAX_HEADS], attempt[MAX_HEADS], version[MAX_HEADS];
    int reused[MAX_HEADS];
    char content_type[MAX_HEADS][64];
    long content_length[MAX_HEADS];
    int body_empty, ip_ok, url_ok, request_ok, setters_refused;
    /* the data callback */
    int data_calls;
    long data_bytes;
    /* policy: abort when the Content-Type contains `abort_type`, when the
     * Content-Length is over `abort_over` (>= 0), at hop `abort_hop` (>= 0);
     * answer ERROR instead of ABORT when `error_instead` */
    const char *abort_type;
    long abort_over;
    int abort_hop;
    int error_instead;
};

static void rec_init(struct rec *r) {
    memset(r, 0, sizeof *r);
    r->abort_over = -1;
    r->abort_hop = -1;
    r->body_empty = r->ip_ok = r->url_ok = r->request_ok = r->setters_refused = 1;
}

static void note(struct rec *r, char c) {
    if (r->n_events + 1 < sizeof r->events) r->events[r->n_events++] = c;
    r->events[r->n_events] = 0;
}

static reqc_hook_result on_headers(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    struct rec *r = userdata;
    const reqc_response *resp = reqc_hook_ctx_response(ctx);
    const char *ct, *cl, *url;
    const reqc_request *sent;
    reqc_request *lent;
    size_t body_len = 99, i = r->heads;
    int abort = 0;
    if (kind != REQC_HOOK_KIND_HEADERS || resp == NULL) {
        r->body_empty = 0;
        return REQC_HOOK_RESULT_CONTINUE;
    }
    note(r, 'H');
    if (i >= MAX_HEADS) return REQC_HOOK_RESULT_CONTINUE;
    r->heads++;
    r->status[i] = reqc_response_status(resp);
    r->hop[i] = reqc_hook_ctx_hop(ctx);
    r->attempt[i] = reqc_hook_ctx_attempt(ctx);
    r->version[i] = reqc_response_http_version(resp);
    r->reused[i] = reqc_hook_ctx_connection_reused(ctx);
    ct = reqc_response_header(resp, "Content-Type");
    snprintf(r->content_type[i], sizeof r->content_type[i], "%s", ct ? ct : "");
    cl = reqc_response_header(resp, "Content-Length");
    r->content_length[i] = cl ? strtol(cl, NULL, 10) : -1;
    (void)reqc_response_body(resp, &body_len);
    if (body_len != 0) r->body_empty = 0;
    if (strcmp(reqc_response_remote_ip(resp), "127.0.0.1") != 0 ||
        strcmp(reqc_hook_ctx_remote_ip(ctx), "127.0.0.1") != 0 || reqc_hook_ctx_remote_port(ctx) <= 0)
        r->ip_ok = 0;
    url = reqc_response_url(resp);
    if (url == NULL || strncmp(url, "http", 4) != 0) r->url_ok = 0;
    /* the request as sent, both ways */
    sent = reqc_response_request(resp);
    lent = reqc_hook_ctx_request(ctx);
    if (sent == NULL || lent == NULL || strcmp(reqc_request_method(sent), "GET") != 0 ||
        strcmp(reqc_request_url(lent), url) != 0)
        r->request_ok = 0;
    /* read-only: the response setters refuse */
    if (reqc_hook_ctx_set_response_status(ctx, 500) != REQC_E_INVALID_ARGUMENT ||
        strstr(reqc_hook_ctx_error(ctx), "read-only") == NULL ||
        reqc_hook_ctx_set_response_header(ctx, "X-A", "b") != REQC_E_INVALID_ARGUMENT ||
        reqc_hook_ctx_set_response_body(ctx, (const uint8_t *)"x", 1) != REQC_E_INVALID_ARGUMENT)
        r->setters_refused = 0;
    if (r->abort_type != NULL && strstr(r->content_type[i], r->abort_type) != NULL) abort = 1;
    if (r->abort_over >= 0 && r->content_length[i] > r->abort_over) abort = 1;
    if (r->abort_hop >= 0 && r->hop[i] == r->abort_hop) abort = 1;
    if (!abort) return REQC_HOOK_RESULT_CONTINUE;
    return r->error_instead ? REQC_HOOK_RESULT_ERROR : REQC_HOOK_RESULT_ABORT;
}

static reqc_hook_result on_response(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    (void)kind;
    (void)ctx;
    note(userdata, 'R');
    return REQC_HOOK_RESULT_CONTINUE;
}

static int on_data(void *userdata, const uint8_t *data, size_t len) {
    struct rec *r = userdata;
    (void)data;
    if (r->data_calls++ == 0) note(r, 'D');
    r->data_bytes += (long)len;
    return 0;
}

/* A GET of `url` with the HEADERS hook (and a RESPONSE hook) recording into
 * `r`; streamed to the data callback when `stream`. */
static reqc_request *recorded(const char *url, struct rec *r, int stream) {
    reqc_request *req = check_new_request("GET", url);
    if (req == NULL) return NULL;
    CHECK_OK(reqc_request_set_timeout_ms(req, check_small() ? 30000 : 10000), req);
    CHECK_OK(reqc_request_set_proxy(req, ""), req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_HEADERS, on_headers, r, NULL, NULL), req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, on_response, r, NULL, NULL), req);
    if (stream) CHECK_OK(reqc_request_set_data_callback(req, on_data, r, NULL), req);
    return req;
}

/* The checks every HEADERS call passes, whatever the test. */
static void check_views(const struct rec *r) {
    CHECK(r->body_empty);
    CHECK(r->ip_ok);
    CHECK(r->url_ok);
    CHECK(r->request_ok);
    CHECK(r->setters_refused);
}

/* ---- transports ------------------------------------------------------------ */

struct transport {
    const char *name;
    const char *base_env; /* the listener */
    reqc_http_version version;
    int want_version; /* what the response says */
};

static const struct transport transports[] = {
    {"h1", "REQC_TEST_URL", REQC_HTTP_VERSION_1_1, 11},
    {"h2c", "REQC_TEST_URL", REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE, 20},
    {"tls", "REQC_TEST_TLS", REQC_HTTP_VERSION_2, 20},
};

/* False when `t` needs libreqc's test server and this is httpbin. */
static int available(const struct transport *t) {
    if (strcmp(t->name, "h1") == 0) return 1;
    return !check_is_httpbin() && check_env_or_null(t->base_env) != NULL &&
           check_env_or_null("REQC_TEST_CA_FILE") != NULL;
}

static reqc_request *over(const struct transport *t, const char *path, struct rec *r, int stream) {
    reqc_request *req = recorded(check_url_at(check_env(t->base_env), path), r, stream);
    if (req == NULL) return NULL;
    CHECK_OK(reqc_request_set_http_version(req, t->version), req);
    if (strcmp(t->name, "tls") == 0)
        CHECK_OK(reqc_request_set_ca_file(req, check_env("REQC_TEST_CA_FILE")), req);
    return req;
}

/* ---- before the body ------------------------------------------------------- */

/* The hook runs once the status and headers are known and before the first
 * body byte: streamed (H before the first D) and buffered (the body is
 * whole afterwards); it sees status, Content-Type, Content-Length, the URL,
 * the version, the remote address and the request as sent. */
static void test_runs_after_headers_before_body(void) {
    size_t t;
    for (t = 0; t < sizeof transports / sizeof transports[0]; t++) {
        int stream;
        if (!available(&transports[t])) {
            printf("  %s: not available here\n", transports[t].name);
            continue;
        }
        for (stream = 0; stream <= 1; stream++) {
            struct rec r;
            reqc_request *req;
            reqc_response *resp = NULL;
            size_t len = 0;
            rec_init(&r);
            req = over(&transports[t], "/bytes/3000", &r, stream);
            if (req == NULL) return;
            CHECK_OK(reqc_send(req, &resp), req);
            printf("  %s %s: events %s\n", transports[t].name, stream ? "streamed" : "buffered",
                   r.events);
            CHECK_STR_EQ(r.events, stream ? "HDR" : "HR");
            CHECK(r.heads == 1);
            CHECK(r.status[0] == 200 && r.hop[0] == 0 && r.attempt[0] == 1);
            CHECK(r.version[0] == transports[t].want_version);
            CHECK_STR_EQ(r.content_type[0], "application/octet-stream");
            CHECK(r.content_length[0] == 3000);
            check_views(&r);
            if (resp != NULL) {
                (void)reqc_response_body(resp, &len);
                CHECK(reqc_response_status(resp) == 200);
                CHECK(len == (stream ? 0u : 3000u));
                CHECK(reqc_response_warning_count(resp) == 0);
            }
            if (stream) CHECK(r.data_bytes == 3000);
            reqc_response_free(resp);
            reqc_request_free(req);
        }
    }
}

/* ---- abort before the body ------------------------------------------------- */

/* The send ends with REQC_E_ABORTED naming the hook and the request; no
 * body byte was delivered and no response is handed out. */
static void check_aborted(reqc_request *req, reqc_code rc, reqc_response *resp, const struct rec *r) {
    const char *msg = reqc_request_error(req);
    CHECK_CODE(rc, REQC_E_ABORTED, req);
    CHECK(resp == NULL);
    CHECK(r->data_calls == 0 && r->data_bytes == 0);
    CHECK(strchr(r->events, 'D') == NULL && strchr(r->events, 'R') == NULL);
    if (strstr(msg, "a headers hook aborted the request") == NULL || strstr(msg, "GET ") == NULL) {
        fprintf(stderr, "  FAIL: message \"%s\" should name the headers hook and the request\n", msg);
        check_failed_now = 1;
    }
}

/* Refusing a download by Content-Type, then by Content-Length, streamed and
 * buffered, over each transport; a response the hook lets through arrives
 * whole. */
static void test_abort_by_type_and_length(void) {
    size_t t;
    for (t = 0; t < sizeof transports / sizeof transports[0]; t++) {
        int stream, by_length;
        if (!available(&transports[t])) {
            printf("  %s: not available here\n", transports[t].name);
            continue;
        }
        for (stream = 0; stream <= 1; stream++) {
            for (by_length = 0; by_length <= 1; by_length++) {
                struct rec r;
                reqc_request *req;
                reqc_response *resp = NULL;
                reqc_code rc;
                rec_init(&r);
                if (by_length)
                    r.abort_over = 1000;
                else
                    r.abort_type = "application/octet-stream";
                req = over(&transports[t], "/bytes/20000", &r, stream);
                if (req == NULL) return;
                rc = reqc_send(req, &resp);
                printf("  %s %s by %s: %s (%s)\n", transports[t].name,
                       stream ? "streamed" : "buffered", by_length ? "length" : "type",
                       reqc_code_name(rc), reqc_request_error(req));
                check_aborted(req, rc, resp, &r);
                CHECK(r.heads == 1 && r.status[0] == 200);
                reqc_response_free(resp);
                reqc_request_free(req);
            }
        }
        /* the same policies let other responses through, whole */
        {
            struct rec r;
            reqc_request *req;
            reqc_response *resp = NULL;
            size_t len = 0;
            rec_init(&r);
            r.abort_over = 1000;
            req = over(&transports[t], "/bytes/800", &r, 0);
            if (req == NULL) return;
            CHECK_OK(reqc_send(req, &resp), req);
            if (resp != NULL) (void)reqc_response_body(resp, &len);
            CHECK(len == 800);
            CHECK_STR_EQ(r.events, "HR");
            reqc_response_free(resp);
            resp = NULL;
            reqc_request_free(req);
            rec_init(&r);
            r.abort_type = "application/octet-stream";
            r.abort_over = 1000;
            req = over(&transports[t], "/json", &r, 0);
            if (req == NULL) return;
            CHECK_OK(reqc_send(req, &resp), req);
            if (resp != NULL) {
                (void)reqc_response_body(resp, &len);
                CHECK(len > 0);
                CHECK(strstr(reqc_response_text(resp), "slideshow") != NULL);
            }
            CHECK_STR_EQ(r.events, "HR");
            reqc_response_free(resp);
            reqc_request_free(req);
        }
    }
}

/* An aborted transfer's connection is not reused (the rest of its body was
 * never read): it is closed, on HTTP/1.1 and on HTTP/2 (h2c) alike, so the
 * next send on the session opens a new one, while a send after a whole
 * response reuses it. */
static void test_aborted_connection_not_reused(void) {
    static const struct {
        const char *name;
        reqc_http_version version;
        int reused_after_abort;
    } cases[] = {
        {"h1", REQC_HTTP_VERSION_1_1, 0},
        {"h2c", REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE, 0},
    };
    size_t c;
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int abort_first;
        if (c > 0 && check_is_httpbin()) {
            printf("  %s: not available here\n", cases[c].name);
            continue;
        }
        for (abort_first = 0; abort_first <= 1; abort_first++) {
            reqc_session *s = NULL;
            struct rec r1, r2;
            reqc_request *req;
            reqc_response *resp = NULL;
            CHECK_OK(reqc_session_new(&s), NULL);
            if (s == NULL) return;
            rec_init(&r1);
            if (abort_first) r1.abort_over = 0;
            req = recorded(URL("/bytes/50000"), &r1, 0);
            if (req == NULL) {
                reqc_session_free(s);
                return;
            }
            CHECK_OK(reqc_request_set_http_version(req, cases[c].version), req);
            CHECK_CODE(reqc_session_send(s, req, &resp), abort_first ? REQC_E_ABORTED : REQC_OK,
                       req);
            reqc_response_free(resp);
            resp = NULL;
            reqc_request_free(req);
            rec_init(&r2);
            req = recorded(URL("/get"), &r2, 0);
            if (req == NULL) {
                reqc_session_free(s);
                return;
            }
            CHECK_OK(reqc_request_set_http_version(req, cases[c].version), req);
            CHECK_OK(reqc_session_send(s, req, &resp), req);
            printf("  %s after %s: reused %d\n", cases[c].name,
                   abort_first ? "an abort" : "a whole response", r2.reused[0]);
            CHECK(r2.heads == 1);
            if (abort_first)
                CHECK(r2.reused[0] == cases[c].reused_after_abort);
            else if (c == 0)
                CHECK(r2.reused[0] == 1);
            /* else: with a libcurl before 8.0.0 libreqc keeps no HTTP/2 connection
             * (curl issue #10634), so the control may be 0 */
            reqc_response_free(resp);
            reqc_request_free(req);
            reqc_session_free(s);
        }
    }
}

/* ---- hops ------------------------------------------------------------------ */

/* Every hop of a redirect chain runs it, as RESPONSE does (hop 0, 1, 2:
 * 302, 302, 200); aborting at a redirect hop ends the send there. */
static void test_redirect_hops(void) {
    struct rec r;
    reqc_request *req;
    reqc_response *resp = NULL;
    reqc_code rc;
    rec_init(&r);
    req = recorded(URL("/redirect/2"), &r, 1);
    if (req == NULL) return;
    CHECK_OK(reqc_send(req, &resp), req);
    printf("  events %s\n", r.events);
    CHECK_STR_EQ(r.events, "HRHRHDR");
    CHECK(r.heads == 3);
    CHECK(r.hop[0] == 0 && r.hop[1] == 1 && r.hop[2] == 2);
    CHECK(r.status[0] == 302 && r.status[1] == 302 && r.status[2] == 200);
    check_views(&r);
    CHECK(r.data_bytes > 0);
    reqc_response_free(resp);
    resp = NULL;
    reqc_request_free(req);

    rec_init(&r);
    r.abort_hop = 1;
    req = recorded(URL("/redirect/2"), &r, 1);
    if (req == NULL) return;
    rc = reqc_send(req, &resp);
    CHECK_CODE(rc, REQC_E_ABORTED, req);
    CHECK(resp == NULL);
    CHECK_STR_EQ(r.events, "HRH");
    CHECK(r.data_calls == 0);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* Each retried attempt that gets a response runs it (attempts 1, 2, 3). */
static void test_retried_attempts(void) {
    struct rec r;
    reqc_request *req;
    reqc_response *resp = NULL;
    char path[256];
    if (check_is_httpbin()) SKIP("/reqc/flaky is libreqc's test server only");
    snprintf(path, sizeof path, "/reqc/flaky?key=headers-hook-%ld&fail=2&status=503",
             (long)getpid());
    rec_init(&r);
    req = recorded(URL(path), &r, 1);
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_retries(req, 3), req);
    CHECK_OK(reqc_request_set_retry_backoff_ms(req, 0, 0), req);
    CHECK_OK(reqc_send(req, &resp), req);
    printf("  events %s\n", r.events);
    CHECK_STR_EQ(r.events, "HRHRHDR");
    CHECK(r.heads == 3);
    CHECK(r.status[0] == 503 && r.status[1] == 503 && r.status[2] == 200);
    CHECK(r.attempt[0] == 1 && r.attempt[1] == 2 && r.attempt[2] == 3);
    CHECK(r.hop[0] == 0 && r.hop[2] == 0);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* An interim 100 Continue does not run it: only the final 200 does. */
static void test_interim_response_skipped(void) {
    static const uint8_t body[] = "{\"a\": 1}";
    struct rec r;
    reqc_request *req = check_new_request("POST", URL("/post"));
    reqc_response *resp = NULL;
    if (req == NULL) return;
    rec_init(&r);
    CHECK_OK(reqc_request_set_proxy(req, ""), req);
    CHECK_OK(reqc_request_set_http_version(req, REQC_HTTP_VERSION_1_1), req);
    CHECK_OK(reqc_request_set_body(req, body, sizeof body - 1, "application/json"), req);
    CHECK_OK(reqc_request_set_header(req, "Expect", "100-continue"), req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_HEADERS, on_headers, &r, NULL, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(r.heads == 1 && r.status[0] == 200);
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"json\": {\"a\": 1}");
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* Through a proxy's CONNECT tunnel it runs once, for the origin's head,
 * not for the proxy's "200 Connection established". */
static void test_connect_reply_skipped(void) {
    struct rec r;
    reqc_request *req;
    reqc_response *resp = NULL;
    NEED("REQC_TEST_PROXY");
    NEED("REQC_TEST_TLS");
    NEED("REQC_TEST_CA_FILE");
    rec_init(&r);
    req = recorded(check_url_at(check_env("REQC_TEST_TLS"), "/bytes/100"), &r, 0);
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_proxy(req, check_env("REQC_TEST_PROXY")), req);
    CHECK_OK(reqc_request_set_ca_file(req, check_env("REQC_TEST_CA_FILE")), req);
    CHECK_OK(reqc_send(req, &resp), req);
    printf("  events %s, first status %d, type %s\n", r.events, r.status[0], r.content_type[0]);
    CHECK_STR_EQ(r.events, "HR");
    CHECK(r.heads == 1 && r.status[0] == 200);
    CHECK_STR_EQ(r.content_type[0], "application/octet-stream");
    CHECK(r.content_length[0] == 100);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- results other than abort ---------------------------------------------- */

/* CONTINUE changes nothing: the bodies (buffered, decoded, streamed) are the
 * same as without the hook. ERROR is a warning on the response; the send
 * goes on. */
static void test_continue_and_error(void) {
    static const char *paths[] = {"/html", "/gzip", "/bytes/5000?seed=7"};
    size_t p;
    for (p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        struct rec r;
        reqc_request *plain = check_new_request("GET", URL(paths[p]));
        reqc_request *hooked;
        reqc_response *a = NULL, *b = NULL;
        size_t la = 0, lb = 0;
        const uint8_t *ba, *bb;
        rec_init(&r);
        hooked = recorded(URL(paths[p]), &r, 0);
        if (plain == NULL || hooked == NULL) {
            reqc_request_free(plain);
            reqc_request_free(hooked);
            return;
        }
        CHECK_OK(reqc_send(plain, &a), plain);
        CHECK_OK(reqc_send(hooked, &b), hooked);
        if (a != NULL && b != NULL) {
            ba = reqc_response_body(a, &la);
            bb = reqc_response_body(b, &lb);
            CHECK(la > 0 && la == lb && memcmp(ba, bb, la) == 0);
        }
        CHECK_STR_EQ(r.events, "HR");
        reqc_response_free(a);
        reqc_response_free(b);
        reqc_request_free(plain);
        reqc_request_free(hooked);
    }
    {
        struct rec r;
        reqc_request *req;
        reqc_response *resp = NULL;
        const char *w = NULL;
        rec_init(&r);
        r.abort_over = 0;
        r.error_instead = 1;
        req = recorded(URL("/bytes/2000"), &r, 1);
        if (req == NULL) return;
        CHECK_OK(reqc_send(req, &resp), req);
        CHECK(r.data_bytes == 2000);
        CHECK_STR_EQ(r.events, "HDR");
        CHECK(reqc_response_warning_count(resp) == 1);
        CHECK_OK(reqc_response_warning_at(resp, 0, &w), NULL);
        CHECK(w != NULL && strstr(w, "a headers hook reported an error") != NULL);
        reqc_response_free(resp);
        reqc_request_free(req);
    }
}

/* ---- session and request hooks ----------------------------------------------- */

static reqc_hook_result mark_session(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    (void)ctx;
    if (kind == REQC_HOOK_KIND_HEADERS) note(userdata, 'S');
    return REQC_HOOK_RESULT_CONTINUE;
}

static reqc_hook_result abort_session(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    (void)ctx;
    if (kind == REQC_HOOK_KIND_HEADERS) note(userdata, 'A');
    return REQC_HOOK_RESULT_ABORT;
}

/* Session HEADERS hooks run before the request's, as for every kind; a
 * session hook's abort ends the send before the request's hook runs. */
static void test_session_then_request(void) {
    struct rec r;
    reqc_session *s = NULL;
    reqc_request *req;
    reqc_response *resp = NULL;
    reqc_hook_id id = 0;
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL) return;
    CHECK_OK(reqc_session_set_proxy(s, ""), s);
    rec_init(&r);
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_HEADERS, mark_session, &r, NULL, NULL), s);
    req = recorded(URL("/bytes/100"), &r, 1);
    if (req == NULL) {
        reqc_session_free(s);
        return;
    }
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK_STR_EQ(r.events, "SHDR");
    reqc_response_free(resp);
    resp = NULL;

    rec_init(&r);
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_HEADERS, abort_session, &r, NULL, &id), s);
    CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_ABORTED, req);
    CHECK(resp == NULL);
    CHECK_STR_EQ(r.events, "SA");
    CHECK(r.data_calls == 0);
    CHECK_OK(reqc_session_remove_hook(s, id), s);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* ---- batches ------------------------------------------------------------------ */

#define N_ITEMS 5
#define ABORTED_ITEM 2

/* One item's recording and the batch around it. */
struct batch_run {
    struct rec recs[N_ITEMS];
};

/* A batch of N_ITEMS GETs of /bytes/4000 (streamed when `stream`), the
 * item ABORTED_ITEM refused by its HEADERS hook. */
static reqc_batch *new_batch(reqc_session *s, struct batch_run *run, int stream) {
    reqc_batch *b = NULL;
    size_t i;
    CHECK_OK(reqc_batch_new(s, &b), s);
    if (b == NULL) return NULL;
    for (i = 0; i < N_ITEMS; i++) {
        reqc_request *req;
        rec_init(&run->recs[i]);
        if (i == ABORTED_ITEM) run->recs[i].abort_over = 1000;
        req = recorded(URL("/bytes/4000"), &run->recs[i], stream);
        if (req == NULL) break;
        CHECK_OK(reqc_batch_add(b, req, NULL), b);
        reqc_request_free(req);
    }
    return b;
}

/* The aborted item ended with REQC_E_ABORTED before any body byte; every
 * other item has its whole body. */
static void check_batch(reqc_batch *b, struct batch_run *run, int stream) {
    size_t i;
    for (i = 0; i < N_ITEMS; i++) {
        reqc_response *resp = NULL;
        reqc_code rc = reqc_batch_result(b, i, &resp);
        const struct rec *r = &run->recs[i];
        size_t len = 0;
        CHECK(r->heads == 1 && r->status[0] == 200);
        if (i == ABORTED_ITEM) {
            CHECK(rc == REQC_E_ABORTED);
            CHECK(strstr(reqc_batch_item_error(b, i), "a headers hook aborted the request") != NULL);
            CHECK(r->data_calls == 0);
            CHECK_STR_EQ(r->events, "H");
        } else {
            CHECK(rc == REQC_OK);
            if (resp != NULL) (void)reqc_response_body(resp, &len);
            CHECK(len == (stream ? 0u : 4000u));
            if (stream) CHECK(r->data_bytes == 4000);
            CHECK_STR_EQ(r->events, stream ? "HDR" : "HR");
        }
        reqc_response_free(resp);
    }
}

static void test_batch_perform_and_poll(void) {
    reqc_session *s = NULL;
    int stream, poll;
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL) return;
    CHECK_OK(reqc_session_set_proxy(s, ""), s);
    for (poll = 0; poll <= 1; poll++) {
        for (stream = 0; stream <= 1; stream++) {
            struct batch_run run;
            reqc_batch *b = new_batch(s, &run, stream);
            if (b == NULL) break;
            if (poll) {
                int done = 0, rounds = 0;
                while (!done && rounds++ < 2000) CHECK_OK(reqc_batch_poll(b, 50, &done), b);
                CHECK(done);
            } else {
                CHECK_OK(reqc_batch_perform(b), b);
            }
            check_batch(b, &run, stream);
            reqc_batch_free(b);
        }
    }
    reqc_session_free(s);
}

static void test_batch_event_loop(void) {
    reqc_session *s = NULL;
    int stream;
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL) return;
    CHECK_OK(reqc_session_set_proxy(s, ""), s);
    for (stream = 0; stream <= 1; stream++) {
        struct batch_run run;
        struct eloop el;
        int done = 0;
        reqc_batch *b;
        if (eloop_open(&el) != 0) break;
        b = new_batch(s, &run, stream);
        if (b == NULL) {
            eloop_close(&el);
            break;
        }
        CHECK_OK(reqc_batch_set_socket_callbacks(b, eloop_on_socket, eloop_on_timer, &el,
                                                 eloop_on_free),
                 b);
        CHECK_OK(reqc_batch_start(b, &done), b);
        if (!done) done = eloop_drive(b, &el, -1);
        CHECK(done);
        check_batch(b, &run, stream);
        reqc_batch_free(b);
        CHECK(el.freed == 1);
        eloop_close(&el);
    }
    reqc_session_free(s);
}

/* ---- registration --------------------------------------------------------------- */

/* The kind is accepted on requests and sessions and removable by id. */
static void test_registration(void) {
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_session *s = NULL;
    reqc_hook_id id = 0;
    struct rec r;
    if (req == NULL) return;
    rec_init(&r);
    CHECK(REQC_HOOK_KIND_HEADERS == 5);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_HEADERS, on_headers, &r, NULL, &id), req);
    CHECK(id != 0);
    CHECK_OK(reqc_request_remove_hook(req, id), req);
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_HEADERS, on_headers, &r, NULL, &id), s);
    CHECK_OK(reqc_session_remove_hook(s, id), s);
    reqc_session_free(s);
    reqc_request_free(req);
}

int main(void) {
    RUN(test_registration);
    RUN(test_runs_after_headers_before_body);
    RUN(test_abort_by_type_and_length);
    RUN(test_aborted_connection_not_reused);
    RUN(test_redirect_hops);
    RUN(test_retried_attempts);
    RUN(test_interim_response_skipped);
    RUN(test_connect_reply_skipped);
    RUN(test_continue_and_error);
    RUN(test_session_then_request);
    RUN(test_batch_perform_and_poll);
    RUN(test_batch_event_loop);
    return check_summary();
}
