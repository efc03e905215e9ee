/* batch_faults.c: batches and connections under faults.
 *
 * - The per-host cap bounds transfers in flight even when the session's
 *   pool already holds idle connections to the host (libcurl's
 *   CURLMOPT_MAX_HOST_CONNECTIONS only limits new connections).
 * - An event-loop run belongs to the event loop: reqc_batch_start a second
 *   time, reqc_batch_perform and reqc_batch_poll during it are refused with
 *   REQC_E_INVALID_STATE.
 * - A freed event-loop batch is never called again: after it is freed (at
 *   the end of its run or in the middle of it), plain sends and a
 *   poll-driven batch on the same session call none of its callbacks, and
 *   its free_userdata has run exactly once, at reqc_batch_free.
 * - A transfer ended early (cancel, total timeout, batch cancel, batch
 *   deadline) leaves no connection for the next request to reuse, on
 *   HTTP/1.1, HTTP/2 over TLS (ALPN) and h2c: the next GET succeeds on a new
 *   connection (the test server counts connections).
 *
 * Every test skips against PyPI's httpbin (the control port and
 * /reqc/slow-body are libreqc's test server's). Timing assertions are lower
 * bounds only.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "eloop.h"

static reqc_session *new_session(void) {
    reqc_session *s = NULL;
    if (reqc_session_new(&s) != REQC_OK) {
        CHECK(!"reqc_session_new");
        return NULL;
    }
    CHECK(reqc_session_set_proxy(s, "") == REQC_OK);
    return s;
}

static void add_get(reqc_batch *b, const char *url) {
    reqc_request *req = check_new_request("GET", url);
    if (req == NULL) return;
    CHECK_CODE(reqc_batch_add(b, req, NULL), REQC_OK, b);
    reqc_request_free(req);
}

/* GET `url` through `s`: the status, 0 on failure (reported). */
static int get_status(reqc_session *s, const char *url) {
    reqc_request *req = check_new_request("GET", url);
    reqc_response *resp = NULL;
    int status = 0;
    if (req == NULL) return 0;
    CHECK_OK(reqc_request_set_timeout_ms(req, 30000), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    if (resp != NULL) status = reqc_response_status(resp);
    reqc_response_free(resp);
    reqc_request_free(req);
    return status;
}

/* ---- the per-host cap ---------------------------------------------------- */

static void test_per_host_cap_with_idle_connections(void) {
    reqc_session *s;
    reqc_batch *b = NULL;
    int64_t t0, took;
    long before, opened;
    int i;
    if (check_is_httpbin()) SKIP("counts connections on the control port");
    s = new_session();
    if (s == NULL) return;
    /* A first batch leaves three idle connections in the session's pool. */
    CHECK_CODE(reqc_batch_new(s, &b), REQC_OK, b);
    for (i = 0; i < 3; i++) add_get(b, URL("/delay/1"));
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    reqc_batch_free(b);
    b = NULL;

    before = check_stats("connections_port");
    CHECK_CODE(reqc_batch_new(s, &b), REQC_OK, b);
    if (b == NULL) goto out;
    CHECK_CODE(reqc_batch_set_max_per_host(b, 1), REQC_OK, b);
    for (i = 0; i < 3; i++) add_get(b, URL("/delay/1"));
    t0 = now_ms();
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    took = now_ms() - t0;
    opened = check_stats("connections_port") - before;
    printf("  cap 1, 3 x /delay/1 with 3 idle connections: %lld ms, %ld new connections\n",
           (long long)took, opened);
    /* One at a time: three seconds of serialized transfers. */
    CHECK(took >= 2900);
    for (i = 0; i < 3; i++) {
        reqc_response *resp = NULL;
        CHECK_CODE(reqc_batch_result(b, (size_t)i, &resp), REQC_OK, b);
        if (resp != NULL) CHECK(reqc_response_status(resp) == 200);
        reqc_response_free(resp);
    }
out:
    reqc_batch_free(b);
    reqc_session_free(s);
}

/* Items for another host are not held up by a capped one, and a redirect
 * hop counts against its own host: 2 hosts x 2 items under cap 1 take at
 * least 2 s (each host's two transfers one after the other). */
static void test_per_host_cap_two_hosts(void) {
    reqc_session *s;
    reqc_batch *b = NULL;
    int64_t t0, took;
    size_t i;
    if (check_is_httpbin()) SKIP("uses the test server's second port");
    s = new_session();
    if (s == NULL) return;
    CHECK_CODE(reqc_batch_new(s, &b), REQC_OK, b);
    if (b == NULL) goto out;
    CHECK_CODE(reqc_batch_set_max_per_host(b, 1), REQC_OK, b);
    add_get(b, URL("/delay/1"));
    add_get(b, URL("/delay/1"));
    add_get(b, URL2("/delay/1"));
    /* Starts on the first host, lands on the second. */
    {
        char url[1024];
        snprintf(url, sizeof url, "%s%s", URL("/redirect-to?url="), URL2("/delay/1"));
        add_get(b, url);
    }
    t0 = now_ms();
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    took = now_ms() - t0;
    printf("  cap 1, 2 hosts x 2 x /delay/1: %lld ms\n", (long long)took);
    CHECK(took >= 1900);
    for (i = 0; i < 4; i++) {
        reqc_response *resp = NULL;
        CHECK_CODE(reqc_batch_result(b, i, &resp), REQC_OK, b);
        if (resp != NULL) CHECK(reqc_response_status(resp) == 200);
        reqc_response_free(resp);
    }
out:
    reqc_batch_free(b);
    reqc_session_free(s);
}

/* ---- event-loop batches --------------------------------------------------- */

/* reqc_batch_start twice, perform and poll during an event-loop run:
 * REQC_E_INVALID_STATE, and the run goes on to the end. */
static void test_event_loop_run_is_the_loops(void) {
    reqc_batch *b = NULL;
    struct eloop el;
    int done = 0;
    reqc_response *resp = NULL;
    if (check_is_httpbin()) SKIP("libreqc test server only");
    eloop_open(&el);
    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    if (b == NULL || el.epfd < 0) goto out;
    CHECK_CODE(reqc_batch_set_socket_callbacks(b, eloop_on_socket, eloop_on_timer, &el,
                                               eloop_on_free),
               REQC_OK, b);
    add_get(b, URL("/delay/1"));
    CHECK_CODE(reqc_batch_start(b, &done), REQC_OK, b);
    CHECK(done == 0);
    CHECK_CODE(reqc_batch_start(b, &done), REQC_E_INVALID_STATE, b);
    CHECK_CODE(reqc_batch_perform(b), REQC_E_INVALID_STATE, b);
    CHECK_CODE(reqc_batch_poll(b, 0, &done), REQC_E_INVALID_STATE, b);
    CHECK(done == 0);
    CHECK(eloop_drive(b, &el, -1));
    CHECK_CODE(reqc_batch_result(b, 0, &resp), REQC_OK, b);
    if (resp != NULL) CHECK(reqc_response_status(resp) == 200);
    reqc_response_free(resp);
    resp = NULL;
    /* After the run: a new one may start, by either means. */
    add_get(b, URL("/get"));
    done = 0;
    CHECK_CODE(reqc_batch_start(b, &done), REQC_OK, b);
    if (!done) CHECK(eloop_drive(b, &el, -1));
    CHECK_CODE(reqc_batch_result(b, 1, &resp), REQC_OK, b);
    reqc_response_free(resp);
    add_get(b, URL("/get"));
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    resp = NULL;
    CHECK_CODE(reqc_batch_result(b, 2, &resp), REQC_OK, b);
    reqc_response_free(resp);
    /* A poll-driven run is not the event loop's either. */
    add_get(b, URL("/delay/1"));
    done = 0;
    CHECK_CODE(reqc_batch_poll(b, 0, &done), REQC_OK, b);
    CHECK(done == 0);
    CHECK_CODE(reqc_batch_start(b, &done), REQC_E_INVALID_STATE, b);
    while (!done) CHECK_CODE(reqc_batch_poll(b, 200, &done), REQC_OK, b);
out:
    reqc_batch_free(b);
    CHECK(el.freed == 1);
    eloop_close(&el);
}

/* After the event-loop batch `b` (over `s`) is freed: free_userdata ran
 * once, and plain sends and a poll-driven batch on `s` call none of its
 * callbacks. */
static void check_never_called_again(reqc_session *s, struct eloop *el) {
    int sockets = el->socket_calls, timers = el->timer_calls;
    int i, n = check_small() ? 100 : 1000, done = 0, ok = 0;
    reqc_batch *b2 = NULL;
    CHECK(el->freed == 1);
    for (i = 0; i < n; i++) ok += get_status(s, URL("/get")) == 200;
    CHECK(ok == n);
    CHECK_CODE(reqc_batch_new(s, &b2), REQC_OK, b2);
    if (b2 != NULL) {
        for (i = 0; i < 5; i++) add_get(b2, URL("/get"));
        while (!done) CHECK_CODE(reqc_batch_poll(b2, 200, &done), REQC_OK, b2);
        CHECK_CODE(reqc_batch_perform(b2), REQC_OK, b2);
    }
    reqc_batch_free(b2);
    if (el->socket_calls != sockets || el->timer_calls != timers) {
        fprintf(stderr, "  FAIL: the freed batch's callbacks ran %d + %d more times\n",
                el->socket_calls - sockets, el->timer_calls - timers);
        check_failed_now = 1;
    }
    CHECK(el->freed == 1);
}

static void test_freed_event_loop_batch_after_its_run(void) {
    reqc_session *s;
    reqc_batch *b = NULL;
    struct eloop el;
    int done = 0, i;
    if (check_is_httpbin()) SKIP("libreqc test server only");
    s = new_session();
    eloop_open(&el);
    if (s == NULL || el.epfd < 0) goto out;
    CHECK_CODE(reqc_batch_new(s, &b), REQC_OK, b);
    if (b == NULL) goto out;
    CHECK_CODE(reqc_batch_set_socket_callbacks(b, eloop_on_socket, eloop_on_timer, &el,
                                               eloop_on_free),
               REQC_OK, b);
    for (i = 0; i < 4; i++) add_get(b, URL("/get"));
    CHECK_CODE(reqc_batch_start(b, &done), REQC_OK, b);
    if (!done) CHECK(eloop_drive(b, &el, -1));
    CHECK(el.socket_calls > 0 && el.timer_calls > 0);
    CHECK(el.freed == 0);
    reqc_batch_free(b);
    eloop_close(&el); /* the loop's state goes with the batch */
    check_never_called_again(s, &el);
out:
    eloop_close(&el);
    reqc_session_free(s);
    CHECK(el.freed == 1);
}

static void test_freed_event_loop_batch_mid_run(void) {
    reqc_session *s;
    reqc_batch *b = NULL;
    struct eloop el;
    int done = 0, sockets, timers;
    if (check_is_httpbin()) SKIP("libreqc test server only");
    s = new_session();
    eloop_open(&el);
    if (s == NULL || el.epfd < 0) goto out;
    CHECK_CODE(reqc_batch_new(s, &b), REQC_OK, b);
    if (b == NULL) goto out;
    CHECK_CODE(reqc_batch_set_socket_callbacks(b, eloop_on_socket, eloop_on_timer, &el,
                                               eloop_on_free),
               REQC_OK, b);
    add_get(b, URL("/delay/2"));
    add_get(b, URL("/delay/2"));
    CHECK_CODE(reqc_batch_start(b, &done), REQC_OK, b);
    if (eloop_drive(b, &el, 300)) {
        fprintf(stderr, "  FAIL: done early: %s / %s\n", reqc_batch_item_error(b, 0),
                reqc_batch_item_error(b, 1));
        check_failed_now = 1;
    }
    sockets = el.socket_calls;
    timers = el.timer_calls;
    reqc_batch_free(b);
    /* Not even while being freed. */
    CHECK(el.socket_calls == sockets && el.timer_calls == timers);
    eloop_close(&el);
    check_never_called_again(s, &el);
out:
    eloop_close(&el);
    reqc_session_free(s);
    CHECK(el.freed == 1);
}

/* ---- ending a transfer early, per protocol -------------------------------- */

struct proto {
    const char *name;
    int version;
    const char *base_env; /* base URL */
    const char *stats_key; /* its connection counter */
    int want_version;      /* reqc_response_http_version */
};

static const struct proto protos[] = {
    {"HTTP/1.1", REQC_HTTP_VERSION_1_1, "REQC_TEST_URL", "connections_port", 11},
    {"h2 over TLS", REQC_HTTP_VERSION_2, "REQC_TEST_TLS", "connections_tls", 20},
    {"h2c", REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE, "REQC_TEST_URL", "connections_port", 20},
};

static reqc_session *proto_session(const struct proto *p) {
    reqc_session *s = new_session();
    if (s == NULL) return NULL;
    CHECK(reqc_session_set_http_version(s, p->version) == REQC_OK);
    if (strcmp(p->base_env, "REQC_TEST_TLS") == 0)
        CHECK(reqc_session_set_ca_file(s, check_env("REQC_TEST_CA_FILE")) == REQC_OK);
    return s;
}

static const char *at(const struct proto *p, const char *path) {
    return check_url_at(check_env(p->base_env), path);
}

/* GET /get through `s`: 200 over the protocol; returns whether it opened a
 * new connection (the server's counter moved). */
static int next_get_opens(reqc_session *s, const struct proto *p) {
    long before = check_stats(p->stats_key);
    reqc_request *req = check_new_request("GET", at(p, "/get"));
    reqc_response *resp = NULL;
    if (req == NULL) return 0;
    CHECK_OK(reqc_request_set_timeout_ms(req, 30000), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    if (resp != NULL) {
        CHECK(reqc_response_status(resp) == 200);
        if (!reqc_has_feature("http2") && p->want_version == 20)
            ;
        else
            CHECK(reqc_response_http_version(resp) == p->want_version);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    return check_stats(p->stats_key) > before;
}

/* A warm connection in the session's pool first, so that the early end
 * has one to poison. */
static void warm(reqc_session *s, const struct proto *p) {
    CHECK(get_status(s, at(p, "/get")) == 200);
}

#define SLOW "/reqc/slow-body?bytes=50&interval_ms=100" /* 5 s of body */

struct on_data_cancel {
    reqc_request *req;
    reqc_batch *batch;
    size_t bytes;
};

static int cancel_after_bytes(void *userdata, const uint8_t *data, size_t len) {
    struct on_data_cancel *c = userdata;
    (void)data;
    c->bytes += len;
    if (c->bytes >= 3) {
        if (c->req != NULL) reqc_request_cancel(c->req);
        if (c->batch != NULL) reqc_batch_cancel(c->batch);
    }
    return 0;
}

enum early_end { BY_CANCEL, BY_TIMEOUT, BY_BATCH_CANCEL, BY_BATCH_DEADLINE };
static const char *const early_names[] = {"cancel", "total timeout", "batch cancel",
                                          "batch deadline"};

/* Ends a download of SLOW early, `how`, through `s`. */
static void end_early(reqc_session *s, const struct proto *p, enum early_end how) {
    reqc_request *req = check_new_request("GET", at(p, SLOW));
    struct on_data_cancel c = {NULL, NULL, 0};
    reqc_response *resp = NULL;
    reqc_batch *b = NULL;
    if (req == NULL) return;
    switch (how) {
    case BY_CANCEL:
        c.req = req;
        CHECK_OK(reqc_request_set_data_callback(req, cancel_after_bytes, &c, NULL), req);
        CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_CANCELLED, req);
        break;
    case BY_TIMEOUT:
        CHECK_OK(reqc_request_set_data_callback(req, cancel_after_bytes, &c, NULL), req);
        CHECK_OK(reqc_request_set_timeout_ms(req, check_small() ? 2500 : 800), req);
        CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_TIMEOUT, req);
        break;
    case BY_BATCH_CANCEL:
    case BY_BATCH_DEADLINE:
        CHECK_CODE(reqc_batch_new(s, &b), REQC_OK, b);
        if (b == NULL) break;
        if (how == BY_BATCH_CANCEL)
            c.batch = b;
        else
            CHECK_CODE(reqc_batch_set_timeout_ms(b, check_small() ? 2500 : 800), REQC_OK, b);
        CHECK_OK(reqc_request_set_data_callback(req, cancel_after_bytes, &c, NULL), req);
        CHECK_CODE(reqc_batch_add(b, req, NULL), REQC_OK, b);
        CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
        CHECK_CODE(reqc_batch_result(b, 0, &resp),
                    how == BY_BATCH_CANCEL ? REQC_E_CANCELLED : REQC_E_TIMEOUT, b);
        reqc_batch_free(b);
        break;
    }
    if (c.bytes == 0 || c.bytes >= 50) {
        fprintf(stderr, "  FAIL: %s, %s: %zu bytes arrived, want some but not all\n", p->name,
                early_names[how], c.bytes);
        check_failed_now = 1;
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void check_early_ends(const struct proto *p) {
    int how;
    for (how = BY_CANCEL; how <= BY_BATCH_DEADLINE; how++) {
        reqc_session *s = proto_session(p);
        int opened;
        if (s == NULL) return;
        warm(s, p);
        end_early(s, p, (enum early_end)how);
        opened = next_get_opens(s, p);
        printf("  %s, %s: the next GET %s\n", p->name, early_names[how],
               opened ? "opened a new connection" : "REUSED a connection");
        if (!opened) {
            fprintf(stderr, "  FAIL: %s, %s: the next GET reused a connection\n", p->name,
                    early_names[how]);
            check_failed_now = 1;
        }
        /* And the session goes on working. */
        CHECK(get_status(s, at(p, "/get")) == 200);
        reqc_session_free(s);
    }
}

static void test_early_end_http11(void) {
    if (check_is_httpbin()) SKIP("libreqc test server only");
    check_early_ends(&protos[0]);
}

static void test_early_end_h2_tls(void) {
    NEED("REQC_TEST_TLS");
    if (!reqc_has_feature("http2")) SKIP("no HTTP/2 in this libcurl");
    check_early_ends(&protos[1]);
}

static void test_early_end_h2c(void) {
    if (check_is_httpbin()) SKIP("libreqc test server only");
    if (!reqc_has_feature("http2")) SKIP("no HTTP/2 in this libcurl");
    check_early_ends(&protos[2]);
}

int main(void) {
    RUN(test_per_host_cap_with_idle_connections);
    RUN(test_per_host_cap_two_hosts);
    RUN(test_event_loop_run_is_the_loops);
    RUN(test_freed_event_loop_batch_after_its_run);
    RUN(test_freed_event_loop_batch_mid_run);
    RUN(test_early_end_http11);
    RUN(test_early_end_h2_tls);
    RUN(test_early_end_h2c);
    return check_summary();
}
