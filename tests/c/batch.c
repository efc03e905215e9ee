/* batch.c: reqc_batch_*, the concurrent map (Requests' async.map): results in
 * order with per-item codes, hooks/defaults/cookies per item, on_complete,
 * cancel, the run deadline, free order, poll and epoll driving, h2c
 * multiplexing, the seed example and bad input.
 *
 * REQC_SMALL=1, or running under valgrind, makes the item counts smaller. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "eloop.h"
#include "ports.h"

/* REQC_SMALL=1, or running under valgrind (which preloads its vgpreload_*
 * libraries into the program), asks for small sizes. */
static int contains(const char *s, const char *needle) {
    return s != NULL && strstr(s, needle) != NULL;
}

/* Adds a GET of `url` to `b` (with a request timeout when timeout_ms > 0);
 * returns the item's index, or (size_t)-1. */
static size_t add_get(reqc_batch *b, const char *url, int64_t timeout_ms) {
    reqc_request *req = NULL;
    size_t idx = (size_t)-1;
    CHECK_OK(reqc_request_new("GET", url, &req, NULL), req);
    if (!req) return idx;
    if (timeout_ms > 0) CHECK_OK(reqc_request_set_timeout_ms(req, timeout_ms), req);
    CHECK_OK(reqc_batch_add(b, req, &idx), b);
    reqc_request_free(req);
    return idx;
}

static size_t add_get_i(reqc_batch *b, int i) {
    char path[64];
    snprintf(path, sizeof path, "/get?i=%d", i);
    return add_get(b, URL(path), 0);
}

/* Checks that `resp` is a 200 echoing args {"i": "<i>"}. */
static void check_echo_i(const reqc_response *resp, int i) {
    char needle[64];
    CHECK(reqc_response_status(resp) == 200);
    snprintf(needle, sizeof needle, "\"i\": \"%d\"", i);
    CHECK_JSON_HAS(reqc_response_text(resp), needle);
}

/* Checks item `i`'s result code; frees the response if any. */
static void check_result(reqc_batch *b, size_t i, reqc_code want, int echo_i) {
    reqc_response *resp = NULL;
    reqc_code rc = reqc_batch_result(b, i, &resp);
    if (rc != want) {
        fprintf(stderr, "  FAIL: item %zu gave %s, want %s (%s)\n", i, reqc_code_name(rc),
                reqc_code_name(want), reqc_batch_item_error(b, i));
        check_failed_now = 1;
    }
    if (rc == REQC_OK) {
        CHECK(resp != NULL);
        if (echo_i >= 0) check_echo_i(resp, echo_i);
        reqc_response_free(resp);
    } else {
        CHECK(resp == NULL);
    }
}

/* ---- results in order, with per-item codes ---- */

static void test_mixed_results(void) {
    reqc_batch *b = NULL;
    const char *refused = refused_url();
    char refused_copy[128];
    size_t i, n_good = check_small() ? 4 : 12, idx_refused, idx_timeout;
    int64_t t0, took;
    snprintf(refused_copy, sizeof refused_copy, "%s", refused);
    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    if (!b) return;
    for (i = 0; i < n_good / 2; i++) CHECK(add_get_i(b, (int)i) == i);
    idx_refused = add_get(b, refused_copy, 0);
    idx_timeout = add_get(b, URL("/delay/5"), 300);
    for (i = n_good / 2; i < n_good; i++) CHECK(add_get_i(b, (int)i) == i + 2);
    CHECK(idx_refused == n_good / 2);
    CHECK(idx_timeout == n_good / 2 + 1);
    CHECK(reqc_batch_count(b) == n_good + 2);

    t0 = now_ms();
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    took = now_ms() - t0;
    printf("  %zu items in %lld ms\n", reqc_batch_count(b), (long long)took);
    CHECK(took < 2500);

    for (i = 0; i < n_good + 2; i++) {
        if (i == idx_refused) {
            check_result(b, i, REQC_E_CONNECT, -1);
            CHECK(contains(reqc_batch_item_error(b, i), refused_copy));
        } else if (i == idx_timeout) {
            check_result(b, i, REQC_E_TIMEOUT, -1);
            CHECK(contains(reqc_batch_item_error(b, i), "/delay/5"));
        } else {
            int want_i = (int)(i < idx_refused ? i : i - 2);
            check_result(b, i, REQC_OK, want_i);
            CHECK_STR_EQ(reqc_batch_item_error(b, i), "");
        }
    }
    /* a result is moved out once */
    {
        reqc_response *r = NULL;
        CHECK_CODE(reqc_batch_result(b, 0, &r), REQC_E_NOT_FOUND, b);
        CHECK(r == NULL);
    }
    reqc_batch_free(b);
}

/* ---- hooks, session defaults and cookies apply to items ---- */

struct hook_count {
    int count;
    int wrong_thread;
    pthread_t thread;
};

static int count_response(void *userdata, int kind, reqc_hook_ctx *ctx) {
    struct hook_count *hc = userdata;
    if (kind != REQC_HOOK_KIND_RESPONSE || reqc_hook_ctx_response(ctx) == NULL) hc->wrong_thread++;
    if (!pthread_equal(pthread_self(), hc->thread)) hc->wrong_thread++;
    hc->count++;
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_session_hooks_defaults_cookies(void) {
    reqc_session *s = NULL;
    reqc_batch *b = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    struct hook_count hc = {0, 0, pthread_self()};
    size_t i, n = check_small() ? 6 : 30, idx_headers, idx_cookies;

    CHECK_OK(reqc_session_new(&s), NULL);
    if (!s) return;
    CHECK_CODE(reqc_session_set_header(s, "X-Batch-Default", "from-session"), REQC_OK, s);
    /* a cookie set by a response, through the session */
    CHECK_OK(reqc_request_new("GET", URL("/cookies/set?batchcookie=yum"), &req, NULL), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    reqc_response_free(resp);
    reqc_request_free(req);
    CHECK_CODE(reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, count_response, &hc, NULL, NULL), REQC_OK,
               NULL);

    CHECK_CODE(reqc_batch_new(s, &b), REQC_OK, b);
    if (!b) {
        reqc_session_free(s);
        return;
    }
    for (i = 0; i < n; i++) add_get_i(b, (int)i);
    idx_headers = add_get(b, URL("/headers"), 0);
    idx_cookies = add_get(b, URL("/cookies"), 0);
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    CHECK(hc.count == (int)(n + 2));
    CHECK(hc.wrong_thread == 0);
    if (hc.count != (int)(n + 2)) printf("  hook ran %d times for %zu items\n", hc.count, n + 2);

    for (i = 0; i < n; i++) check_result(b, i, REQC_OK, (int)i);
    resp = NULL;
    CHECK_CODE(reqc_batch_result(b, idx_headers, &resp), REQC_OK, b);
    if (resp) {
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Batch-Default\": \"from-session\"");
        reqc_response_free(resp);
    }
    resp = NULL;
    CHECK_CODE(reqc_batch_result(b, idx_cookies, &resp), REQC_OK, b);
    if (resp) {
        CHECK_JSON_HAS(reqc_response_text(resp), "\"batchcookie\": \"yum\"");
        reqc_response_free(resp);
    }
    reqc_batch_free(b);
    reqc_session_free(s);
}

/* ---- on_complete ---- */

#define OC_MAX 64

struct oc_state {
    int seen[OC_MAX];
    reqc_code code[OC_MAX];
    int status[OC_MAX];
    int completions;
    int followups_added;
    int add_failures;
    int freed;
    size_t refused_index;
    int wrong_thread;
    pthread_t thread;
};

static void oc_free(void *userdata) {
    struct oc_state *st = userdata;
    st->freed++;
}

static void on_complete_record(void *userdata, reqc_batch *b, size_t index, reqc_code code,
                               reqc_response *resp) {
    struct oc_state *st = userdata;
    if (!pthread_equal(pthread_self(), st->thread)) st->wrong_thread++;
    if (index < OC_MAX) {
        st->seen[index]++;
        st->code[index] = code;
        st->status[index] = resp ? reqc_response_status(resp) : -1;
    }
    if ((code == REQC_OK) != (resp != NULL)) st->add_failures += 100;
    reqc_response_free(resp); /* the callback owns it */
    st->completions++;
    if (st->followups_added < 3) {
        reqc_request *req = NULL;
        char path[64];
        size_t idx = 0;
        snprintf(path, sizeof path, "/get?i=%d", 100 + st->followups_added);
        if (reqc_request_new("GET", URL(path), &req, NULL) != REQC_OK ||
            reqc_batch_add(b, req, &idx) != REQC_OK)
            st->add_failures++;
        reqc_request_free(req);
        st->followups_added++;
    }
}

static void test_on_complete(void) {
    reqc_batch *b = NULL;
    struct oc_state st;
    size_t i, n = 6, total;
    memset(&st, 0, sizeof st);
    st.thread = pthread_self();
    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    if (!b) return;
    for (i = 0; i < n; i++) add_get_i(b, (int)i);
    st.refused_index = add_get(b, refused_url(), 0);
    CHECK_CODE(reqc_batch_set_complete_callback(b, on_complete_record, &st, oc_free), REQC_OK, b);
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    total = reqc_batch_count(b);
    CHECK(total == n + 1 + 3);
    CHECK(st.followups_added == 3);
    CHECK(st.add_failures == 0);
    CHECK(st.wrong_thread == 0);
    CHECK(st.completions == (int)total);
    for (i = 0; i < total && i < OC_MAX; i++) {
        if (st.seen[i] != 1) {
            fprintf(stderr, "  FAIL: item %zu completed %d times\n", i, st.seen[i]);
            check_failed_now = 1;
        }
        if (i == st.refused_index) {
            CHECK(st.code[i] == REQC_E_CONNECT);
            CHECK(contains(reqc_batch_item_error(b, i), "/refused"));
        } else {
            CHECK(st.code[i] == REQC_OK);
            CHECK(st.status[i] == 200);
        }
    }
    for (i = 0; i < total; i++) {
        reqc_response *r = NULL;
        reqc_code rc = reqc_batch_result(b, i, &r);
        CHECK(r == NULL);
        if (i == st.refused_index) {
            /* no response was handed over; either answer is defensible */
            CHECK(rc == REQC_E_CONNECT || rc == REQC_E_NOT_FOUND);
            printf("  result of the failed, handed-over item: %s\n", reqc_code_name(rc));
        } else {
            CHECK(rc == REQC_E_NOT_FOUND);
        }
    }
    CHECK(st.freed == 0);
    reqc_batch_free(b);
    CHECK(st.freed == 1);
}

/* ---- cancel ---- */

struct batch_canceller {
    reqc_batch *b;
    long delay_ms;
    reqc_code rc;
    pthread_t thread;
};

static void *cancel_batch_later(void *arg) {
    struct batch_canceller *c = arg;
    sleep_ms(c->delay_ms);
    c->rc = reqc_batch_cancel(c->b);
    return NULL;
}

static void test_cancel_from_thread(void) {
    reqc_batch *b = NULL;
    struct batch_canceller c;
    size_t i, idx_fast;
    int64_t t0, took;
    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    if (!b) return;
    idx_fast = add_get_i(b, 7);
    for (i = 0; i < 5; i++) add_get(b, URL("/delay/10"), 0);
    c.b = b;
    c.delay_ms = 300;
    c.rc = -1;
    if (pthread_create(&c.thread, NULL, cancel_batch_later, &c) != 0) {
        CHECK(!"pthread_create");
        reqc_batch_free(b);
        return;
    }
    t0 = now_ms();
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    took = now_ms() - t0;
    pthread_join(c.thread, NULL);
    printf("  cancelled run returned after %lld ms\n", (long long)took);
    CHECK(c.rc == REQC_OK);
    CHECK(took < 2000);
    check_result(b, idx_fast, REQC_OK, 7); /* finished before the cancel */
    for (i = 1; i < 6; i++) {
        check_result(b, i, REQC_E_CANCELLED, -1);
        CHECK(contains(reqc_batch_item_error(b, i), "/delay/10"));
    }
    /* a cancelled batch stays cancelled: an item added now cannot run */
    add_get_i(b, 8);
    t0 = now_ms();
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    CHECK(now_ms() - t0 < 1000);
    check_result(b, 6, REQC_E_CANCELLED, -1);
    reqc_batch_free(b);
}

struct cancel_in_cb {
    reqc_code code[8];
    int calls[8];
    reqc_code cancel_rc;
};

static void on_complete_cancel(void *userdata, reqc_batch *b, size_t index, reqc_code code,
                               reqc_response *resp) {
    struct cancel_in_cb *st = userdata;
    if (index < 8) {
        st->code[index] = code;
        st->calls[index]++;
    }
    reqc_response_free(resp);
    if (index == 0) st->cancel_rc = reqc_batch_cancel(b);
}

static void test_cancel_from_on_complete(void) {
    reqc_batch *b = NULL;
    struct cancel_in_cb st;
    size_t i;
    int64_t t0, took;
    memset(&st, 0, sizeof st);
    st.cancel_rc = -1;
    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    if (!b) return;
    add_get_i(b, 0);
    for (i = 0; i < 5; i++) add_get(b, URL("/delay/10"), 0);
    CHECK_CODE(reqc_batch_set_complete_callback(b, on_complete_cancel, &st, NULL), REQC_OK, b);
    t0 = now_ms();
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    took = now_ms() - t0;
    printf("  run cancelled from on_complete returned after %lld ms\n", (long long)took);
    CHECK(took < 2000);
    CHECK(st.cancel_rc == REQC_OK);
    CHECK(st.calls[0] == 1);
    CHECK(st.code[0] == REQC_OK);
    for (i = 1; i < 6; i++) {
        if (st.calls[i] != 1 || st.code[i] != REQC_E_CANCELLED) {
            fprintf(stderr, "  FAIL: item %zu: %d calls, last %s\n", i, st.calls[i],
                    reqc_code_name(st.code[i]));
            check_failed_now = 1;
        }
    }
    reqc_batch_free(b);
}

/* ---- the run's deadline ---- */

static void test_batch_timeout(void) {
    reqc_batch *b = NULL;
    size_t i;
    int64_t t0, took;
    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    if (!b) return;
    CHECK_CODE(reqc_batch_set_timeout_ms(b, 300), REQC_OK, b);
    add_get_i(b, 0);
    for (i = 0; i < 3; i++) add_get(b, URL("/delay/3"), 0);
    t0 = now_ms();
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    took = now_ms() - t0;
    printf("  run with a 300 ms deadline returned after %lld ms\n", (long long)took);
    CHECK(took < 1500);
    CHECK(took >= 250);
    check_result(b, 0, REQC_OK, 0);
    for (i = 1; i < 4; i++) {
        check_result(b, i, REQC_E_TIMEOUT, -1);
        CHECK(contains(reqc_batch_item_error(b, i), "/delay/3"));
    }
    reqc_batch_free(b);
}

/* ---- free order, re-entry ---- */

static void test_free_orders(void) {
    reqc_session *s = NULL;
    reqc_batch *b = NULL;
    /* session freed first: the batch keeps it alive */
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_CODE(reqc_batch_new(s, &b), REQC_OK, b);
    if (!s || !b) return;
    add_get_i(b, 1);
    reqc_session_free(s);
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    check_result(b, 0, REQC_OK, 1);
    add_get_i(b, 2);
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    reqc_batch_free(b); /* item 1's response unclaimed: freed with the batch */

    /* batch freed first, session used after */
    s = NULL;
    b = NULL;
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_CODE(reqc_batch_new(s, &b), REQC_OK, b);
    if (!s || !b) return;
    add_get_i(b, 3);
    add_get_i(b, 4);
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    reqc_batch_free(b);
    {
        reqc_request *req = NULL;
        reqc_response *resp = NULL;
        CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), req);
        CHECK_OK(reqc_session_send(s, req, &resp), req);
        CHECK(reqc_response_status(resp) == 200);
        reqc_response_free(resp);
        reqc_request_free(req);
    }
    reqc_session_free(s);

    /* a batch never run, with items */
    b = NULL;
    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    add_get_i(b, 5);
    reqc_batch_free(b);
}

struct reentry {
    reqc_code perform_rc;
    reqc_code poll_rc;
    reqc_code start_rc;
    int calls;
};

static void on_complete_reenter(void *userdata, reqc_batch *b, size_t index, reqc_code code,
                                reqc_response *resp) {
    struct reentry *st = userdata;
    int done = 0;
    (void)index;
    (void)code;
    reqc_response_free(resp);
    if (st->calls++ == 0) {
        st->perform_rc = reqc_batch_perform(b);
        st->poll_rc = reqc_batch_poll(b, 0, &done);
        st->start_rc = reqc_batch_start(b, &done);
        reqc_batch_free(b); /* takes effect when the outer perform returns */
    }
}

static void test_perform_from_on_complete(void) {
    reqc_batch *b = NULL;
    struct reentry st = {-1, -1, -1, 0};
    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    if (!b) return;
    add_get_i(b, 0);
    add_get_i(b, 1);
    CHECK_CODE(reqc_batch_set_complete_callback(b, on_complete_reenter, &st, NULL), REQC_OK, b);
    /* The callback freed the batch: gone once perform returns, so no
     * message can be read from it and no second free follows. */
    CHECK(reqc_batch_perform(b) == REQC_OK);
    CHECK(st.calls == 2);
    CHECK(st.perform_rc == REQC_E_INVALID_STATE);
    CHECK(st.poll_rc == REQC_E_INVALID_STATE);
    CHECK(st.start_rc == REQC_E_INVALID_STATE);
    if (st.perform_rc != REQC_E_INVALID_STATE)
        printf("  perform from on_complete gave %s\n", reqc_code_name(st.perform_rc));
}

/* ---- poll loop ---- */

static void test_poll_loop(void) {
    reqc_batch *b = NULL;
    size_t i, n = check_small() ? 5 : 20;
    int done = 0, iterations = 0;
    int64_t t0 = now_ms();
    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    if (!b) return;
    for (i = 0; i < n; i++) add_get_i(b, (int)i);
    add_get(b, URL("/delay/1"), 0);
    while (!done && now_ms() - t0 < 20000) {
        reqc_code rc = reqc_batch_poll(b, 50, &done);
        iterations++;
        if (rc != REQC_OK) {
            CHECK_CODE(rc, REQC_OK, b);
            break;
        }
    }
    printf("  done after %d poll iterations, %lld ms\n", iterations, (long long)(now_ms() - t0));
    CHECK(done == 1);
    CHECK(iterations > 1);
    for (i = 0; i < n; i++) check_result(b, i, REQC_OK, (int)i);
    check_result(b, n, REQC_OK, -1);
    /* polling a finished batch is harmless and says done */
    done = 0;
    CHECK_CODE(reqc_batch_poll(b, 0, &done), REQC_OK, b);
    CHECK(done == 1);
    reqc_batch_free(b);
}

/* ---- h2c: many items multiplexed over few connections ---- */

static void test_h2c_multiplexing(void) {
    reqc_session *s = NULL;
    reqc_batch *b = NULL;
    reqc_response *resp = NULL;
    size_t i, n = check_small() ? 20 : 100;
    long conns;
    int bad_version = 0;
    NEED("REQC_TEST_CONTROL");
    if (!reqc_has_feature("http2")) SKIP("libcurl without http2");
    check_stats_reset();
    CHECK(check_stats("connections") == 0);

    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_CODE(reqc_session_set_http_version(s, REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE), REQC_OK, s);
    CHECK_CODE(reqc_batch_new(s, &b), REQC_OK, b);
    if (!b) {
        reqc_session_free(s);
        return;
    }
    CHECK_CODE(reqc_batch_set_max_concurrency(b, 64), REQC_OK, b);
    for (i = 0; i < n; i++) add_get_i(b, (int)i);
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    for (i = 0; i < n; i++) {
        resp = NULL;
        CHECK_CODE(reqc_batch_result(b, i, &resp), REQC_OK, b);
        if (!resp) continue;
        check_echo_i(resp, (int)i);
        if (reqc_response_http_version(resp) != 20) bad_version++;
        reqc_response_free(resp);
    }
    CHECK(bad_version == 0);
    conns = check_stats("connections");
    printf("  %zu h2c items at concurrency 64 used %ld connection(s)\n", n, conns);
    CHECK(conns >= 1);
    if (reqc_has_feature("http2-multiplexing"))
        CHECK(conns <= 3);
    else
        printf("  skip: connection count: this libcurl (< 8.0) cannot reuse HTTP/2 connections "
               "(curl issue #10634), so libreqc opens one per transfer\n");
    reqc_batch_free(b);
    reqc_session_free(s);
}

/* ---- the seed example: async.map over four URLs with a response hook ---- */

struct seed_hook {
    int calls;
    char lines[8][64];
};

static int seed_print_status(void *userdata, int kind, reqc_hook_ctx *ctx) {
    struct seed_hook *h = userdata;
    (void)kind;
    if (h->calls < 8)
        snprintf(h->lines[h->calls], sizeof h->lines[0], "hook: %s",
                 reqc_response_url(reqc_hook_ctx_response(ctx)));
    h->calls++;
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_seed_example(void) {
    static const char *paths[4] = {"/get", "/html", "/json", "/robots.txt"};
    struct seed_hook h;
    reqc_session *s = NULL;
    reqc_batch *b = NULL;
    size_t i;
    memset(&h, 0, sizeof h);
    CHECK_OK(reqc_session_new(&s), NULL);
    if (!s) return;
    CHECK_CODE(reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, seed_print_status, &h, NULL, NULL), REQC_OK,
               NULL);
    CHECK_CODE(reqc_batch_new(s, &b), REQC_OK, b);
    for (i = 0; i < 4; i++) add_get(b, URL(paths[i]), 0);
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    CHECK(h.calls == 4);
    for (i = 0; i < 4; i++) {
        reqc_response *resp = NULL;
        char line[64];
        CHECK_CODE(reqc_batch_result(b, i, &resp), REQC_OK, b);
        snprintf(line, sizeof line, "<Response [%d]>", reqc_response_status(resp));
        printf("  %s\n", line);
        CHECK_STR_EQ(line, "<Response [200]>");
        CHECK(contains(reqc_response_url(resp), paths[i]));
        reqc_response_free(resp);
    }
    for (i = 0; i < 4 && i < (size_t)h.calls; i++) CHECK(contains(h.lines[i], "http://"));
    reqc_batch_free(b);
    reqc_session_free(s);
}

/* ---- bad input ---- */

static int bad_freed;
static void count_free(void *userdata) {
    (void)userdata;
    bad_freed++;
}
static int unused_freed;
static void count_unused_free(void *userdata) {
    (void)userdata;
    unused_freed++;
}
static void noop_complete(void *u, reqc_batch *b, size_t i, reqc_code c, reqc_response *r) {
    (void)u;
    (void)b;
    (void)i;
    (void)c;
    reqc_response_free(r);
}
static void noop_socket(void *u, int fd, int what) {
    (void)u;
    (void)fd;
    (void)what;
}
static void noop_timer(void *u, int64_t ms) {
    (void)u;
    (void)ms;
}

static void test_bad_input(void) {
    reqc_batch *b = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    size_t idx = 99;
    int done = 0;

    CHECK(reqc_batch_new(NULL, NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_add(NULL, NULL, NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_count(NULL) == 0);
    CHECK(reqc_batch_set_max_concurrency(NULL, 4) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_set_max_per_host(NULL, 4) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_set_timeout_ms(NULL, 10) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_perform(NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_poll(NULL, 0, &done) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_cancel(NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_result(NULL, 0, &resp) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_start(NULL, &done) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_socket_action(NULL, 3, REQC_WATCH_IN, &done) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_timeout_action(NULL, &done) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_batch_item_error(NULL, 0) != NULL);
    CHECK(reqc_batch_error(NULL) != NULL);
    reqc_batch_free(NULL);
    bad_freed = 0;
    CHECK(reqc_batch_set_complete_callback(NULL, noop_complete, NULL, count_free) ==
          REQC_E_INVALID_ARGUMENT);
    CHECK(bad_freed == 1); /* free_userdata runs even when the call fails */
    CHECK(reqc_batch_set_socket_callbacks(NULL, noop_socket, noop_timer, NULL, count_free) ==
          REQC_E_INVALID_ARGUMENT);
    CHECK(bad_freed == 2);

    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    if (!b) return;
    CHECK_STR_EQ(reqc_batch_error(b), "");
    CHECK_CODE(reqc_batch_add(b, NULL, &idx), REQC_E_INVALID_ARGUMENT, b);
    CHECK(idx == 99);
    CHECK(reqc_batch_count(b) == 0);
    CHECK_CODE(reqc_batch_set_max_concurrency(b, 0), REQC_E_INVALID_ARGUMENT, b);
    CHECK(strlen(reqc_batch_error(b)) > 0);
    CHECK_CODE(reqc_batch_set_timeout_ms(b, -1), REQC_E_INVALID_ARGUMENT, b);
    CHECK_CODE(reqc_batch_poll(b, -1, &done), REQC_E_INVALID_ARGUMENT, b);
    CHECK_CODE(reqc_batch_set_socket_callbacks(b, NULL, noop_timer, NULL, count_free),
                REQC_E_INVALID_ARGUMENT, b);
    CHECK(bad_freed == 3);
    CHECK_CODE(reqc_batch_set_max_concurrency(b, 1), REQC_OK, b);
    CHECK_CODE(reqc_batch_set_max_per_host(b, 0), REQC_OK, b);
    CHECK_CODE(reqc_batch_set_timeout_ms(b, 0), REQC_OK, b);

    /* results: out of range, not yet run, NULL out */
    CHECK_CODE(reqc_batch_result(b, 0, &resp), REQC_E_NOT_FOUND, b);
    CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), req);
    CHECK_CODE(reqc_batch_add(b, req, &idx), REQC_OK, b);
    CHECK(idx == 0);
    CHECK_CODE(reqc_batch_result(b, 0, &resp), REQC_E_INVALID_STATE, b);
    CHECK(resp == NULL);
    CHECK_STR_EQ(reqc_batch_item_error(b, 0), "");
    CHECK_CODE(reqc_batch_result(b, 1, &resp), REQC_E_NOT_FOUND, b);
    CHECK_CODE(reqc_batch_result(b, (size_t)-1, &resp), REQC_E_NOT_FOUND, b);
    CHECK_STR_EQ(reqc_batch_item_error(b, 42), "");
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    CHECK_CODE(reqc_batch_result(b, 0, NULL), REQC_E_INVALID_ARGUMENT, b);
    CHECK_CODE(reqc_batch_result(b, 5, &resp), REQC_E_NOT_FOUND, b);
    check_result(b, 0, REQC_OK, -1);
    /* the request is copied: freeing/changing it does not affect the item */
    reqc_request_free(req);
    CHECK_CODE(reqc_batch_set_complete_callback(b, NULL, NULL, NULL), REQC_OK, b);
    /* No callback to keep it for: the userdata is released at once, once. */
    unused_freed = 0;
    CHECK_CODE(reqc_batch_set_complete_callback(b, NULL, NULL, count_unused_free), REQC_OK, b);
    CHECK(unused_freed == 1);
    reqc_batch_free(b);
    CHECK(unused_freed == 1);

    /* an empty batch is done at once, in every mode */
    b = NULL;
    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    CHECK_CODE(reqc_batch_perform(b), REQC_OK, b);
    done = 0;
    CHECK_CODE(reqc_batch_poll(b, 0, &done), REQC_OK, b);
    CHECK(done == 1);
    CHECK_CODE(reqc_batch_set_socket_callbacks(b, noop_socket, noop_timer, NULL, count_free),
                REQC_OK, b);
    done = 0;
    CHECK_CODE(reqc_batch_start(b, &done), REQC_OK, b);
    CHECK(done == 1);
    CHECK(bad_freed == 3);
    reqc_batch_free(b);
    CHECK(bad_freed == 4);
}

/* ---- epoll-driven, through the socket callbacks ---- */

static void test_epoll_loop(void) {
    reqc_batch *b = NULL;
    struct eloop el;
    size_t i, n = 20;
    int done = 0;
    if (eloop_open(&el) != 0) return;
    CHECK_CODE(reqc_batch_new(NULL, &b), REQC_OK, b);
    if (!b) {
        eloop_close(&el);
        return;
    }
    CHECK_CODE(reqc_batch_set_socket_callbacks(b, eloop_on_socket, eloop_on_timer, &el,
                                               eloop_on_free),
               REQC_OK, b);
    for (i = 0; i < n; i++) add_get_i(b, (int)i);
    CHECK_CODE(reqc_batch_start(b, &done), REQC_OK, b);
    if (!done) done = eloop_drive(b, &el, 20000);
    CHECK(done);
    printf("  epoll loop: %d iterations, %d socket and %d timer callbacks\n", el.iterations,
           el.socket_calls, el.timer_calls);
    CHECK(el.socket_calls > 0);
    CHECK(el.timer_calls > 0);
    CHECK(el.ctl_errors == 0);
    for (i = 0; i < n; i++) check_result(b, i, REQC_OK, (int)i);
    CHECK(el.freed == 0);
    reqc_batch_free(b);
    CHECK(el.freed == 1);
    eloop_close(&el);
}

int main(void) {
    RUN(test_mixed_results);
    RUN(test_session_hooks_defaults_cookies);
    RUN(test_on_complete);
    RUN(test_cancel_from_thread);
    RUN(test_cancel_from_on_complete);
    RUN(test_batch_timeout);
    RUN(test_free_orders);
    RUN(test_perform_from_on_complete);
    RUN(test_poll_loop);
    RUN(test_h2c_multiplexing);
    RUN(test_seed_example);
    RUN(test_bad_input);
    RUN(test_epoll_loop);
    return check_summary();
}
