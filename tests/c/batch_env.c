/* batch_env.c: when a batch reads the proxy environment.
 *
 * A batch takes one snapshot of the proxy and CA variables per driving call
 * (reqc_batch_perform, reqc_batch_poll, reqc_batch_start and the socket and
 * timeout actions): every hop started during the call uses it, and a
 * setenv made before the next call is seen by the hops that call starts.
 *
 *   - a setenv between two polls of one run: the item started by the first
 *     poll goes direct, the items started by later polls through the proxy;
 *   - a setenv between two performs: the second perform's items use it;
 *   - a setenv from a complete callback is not seen by the items that the
 *     same perform starts after it (the snapshot of the call), only by the
 *     next call's.
 *
 * The test server's proxy (REQC_TEST_PROXY) logs what it carried. Every test
 * skips without libreqc's test server. The environment is changed with
 * setenv only while no other thread runs.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>

#include "check.h"

static const char *const env_names[] = {
    "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
};

static void clear_env(void) {
    size_t i;
    for (i = 0; i < sizeof env_names / sizeof env_names[0]; i++) unsetenv(env_names[i]);
}

static void use_test_proxy(void) {
    setenv("http_proxy", check_env("REQC_TEST_PROXY"), 1);
}

/* Requests carried by the proxy whose target holds `tag`; the environment
 * is cleared first, so the control calls go direct. */
static int proxied(const char *tag) {
    clear_env();
    return check_proxied_with(tag, NULL);
}

/* A batch of `n` GETs of /get?<prefix><i>, one at a time. */
static reqc_batch *new_batch(reqc_session *s, const char *prefix, size_t n) {
    reqc_batch *b = NULL;
    size_t i;
    CHECK_OK(reqc_batch_new(s, &b), s);
    if (b == NULL) return NULL;
    CHECK_OK(reqc_batch_set_max_concurrency(b, 1), b);
    for (i = 0; i < n; i++) {
        char path[64];
        reqc_request *r = NULL;
        snprintf(path, sizeof path, "/get?%s%zu", prefix, i);
        CHECK_OK(reqc_request_new("GET", URL(path), &r, NULL), r);
        CHECK_OK(reqc_batch_add(b, r, NULL), b);
        reqc_request_free(r);
    }
    return b;
}

/* Item `i`'s status, 0 when it failed. */
static int status_of(reqc_batch *b, size_t i) {
    reqc_response *resp = NULL;
    int status = 0;
    if (reqc_batch_result(b, i, &resp) == REQC_OK) {
        status = reqc_response_status(resp);
        reqc_response_free(resp);
    }
    return status;
}

/* The item the first poll started goes direct; a setenv after that poll is
 * seen by the items later polls start. */
static void test_setenv_between_polls(void) {
    reqc_session *s = NULL;
    reqc_batch *b;
    int done = 0, rounds = 0;
    NEED("REQC_TEST_PROXY");
    clear_env();
    check_stats_reset();
    CHECK_OK(reqc_session_new(&s), NULL);
    b = new_batch(s, "envpoll", 3);
    if (b == NULL) goto out;
    CHECK_OK(reqc_batch_poll(b, 0, &done), b);
    CHECK(done == 0);
    use_test_proxy();
    while (!done && rounds++ < 10000) CHECK_OK(reqc_batch_poll(b, 100, &done), b);
    CHECK(done == 1);
    CHECK(status_of(b, 0) == 200 && status_of(b, 1) == 200 && status_of(b, 2) == 200);
    CHECK(proxied("envpoll0") == 0);
    CHECK(proxied("envpoll1") == 1);
    CHECK(proxied("envpoll2") == 1);
    reqc_batch_free(b);
out:
    reqc_session_free(s);
    clear_env();
}

/* A setenv between two performs of one batch: the second one's items use
 * it. */
static void test_setenv_between_performs(void) {
    reqc_session *s = NULL;
    reqc_batch *b;
    reqc_request *r = NULL;
    NEED("REQC_TEST_PROXY");
    clear_env();
    check_stats_reset();
    CHECK_OK(reqc_session_new(&s), NULL);
    b = new_batch(s, "envperf", 1);
    if (b == NULL) goto out;
    CHECK_OK(reqc_batch_perform(b), b);
    use_test_proxy();
    CHECK_OK(reqc_request_new("GET", URL("/get?envperf1"), &r, NULL), r);
    CHECK_OK(reqc_batch_add(b, r, NULL), b);
    reqc_request_free(r);
    CHECK_OK(reqc_batch_perform(b), b);
    CHECK(status_of(b, 0) == 200 && status_of(b, 1) == 200);
    CHECK(proxied("envperf0") == 0);
    CHECK(proxied("envperf1") == 1);
    reqc_batch_free(b);
out:
    reqc_session_free(s);
    clear_env();
}

struct seen {
    int statuses[4];
};

/* Records each item's status; item 0's completion sets http_proxy. */
static void set_proxy_on_first(void *userdata, reqc_batch *batch, size_t index, reqc_code code,
                               reqc_response *response) {
    struct seen *seen = userdata;
    (void)batch;
    if (index < 4) seen->statuses[index] = code == REQC_OK ? reqc_response_status(response) : -1;
    if (index == 0) use_test_proxy();
    reqc_response_free(response);
}

/* A setenv from inside a perform (a complete callback) is not seen by the
 * items that perform starts after it: they use the call's snapshot. The
 * next perform's items see it. */
static void test_setenv_during_perform_waits_for_next_call(void) {
    reqc_session *s = NULL;
    reqc_batch *b;
    reqc_request *r = NULL;
    struct seen seen = {{0}};
    NEED("REQC_TEST_PROXY");
    clear_env();
    check_stats_reset();
    CHECK_OK(reqc_session_new(&s), NULL);
    b = new_batch(s, "envcb", 3);
    if (b == NULL) goto out;
    CHECK_OK(reqc_batch_set_complete_callback(b, set_proxy_on_first, &seen, NULL), b);
    CHECK_OK(reqc_batch_perform(b), b);
    CHECK(getenv("http_proxy") != NULL);
    CHECK_OK(reqc_request_new("GET", URL("/get?envcb3"), &r, NULL), r);
    CHECK_OK(reqc_batch_add(b, r, NULL), b);
    reqc_request_free(r);
    CHECK_OK(reqc_batch_perform(b), b);
    CHECK(seen.statuses[0] == 200 && seen.statuses[1] == 200);
    CHECK(seen.statuses[2] == 200 && seen.statuses[3] == 200);
    CHECK(proxied("envcb0") == 0);
    CHECK(proxied("envcb1") == 0);
    CHECK(proxied("envcb2") == 0);
    CHECK(proxied("envcb3") == 1);
    reqc_batch_free(b);
out:
    reqc_session_free(s);
    clear_env();
}

int main(void) {
    RUN(test_setenv_between_polls);
    RUN(test_setenv_between_performs);
    RUN(test_setenv_during_perform_waits_for_next_call);
    return check_summary();
}
