/* retries.c: retries with backoff (reqc_*_set_retries and friends).
 *
 * The test server's flaky endpoints count requests per key
 * (`/reqc/flaky?key=K&fail=N&status=S`, the hostile listener's
 * `/flaky/reset-before-response` and `/flaky/reset-mid-body`, and
 * `/reqc/flaky-count?key=K`), so every assertion is a count or an order the
 * server saw, or a number libreqc reports (attempts, the wait in its log
 * line): no timed assertions, only generous bounds that catch a hang.
 * Every test needs libreqc's test server: under REQC_TEST_HTTPBIN=1 they
 * skip.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "eloop.h"

#define NEED_SERVER()                                                                \
    do {                                                                             \
        if (check_is_httpbin())                                                      \
            SKIP("the flaky endpoints are libreqc's test server's");                 \
    } while (0)

#define NEED_HOSTILE()                                                               \
    do {                                                                             \
        NEED_SERVER();                                                               \
        NEED("REQC_TEST_HOSTILE");                                                   \
    } while (0)

/* A key no other run of the same server used. */
static const char *new_key(const char *name) {
    static char bufs[8][128];
    static int next;
    static int serial;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s-%ld-%d", name, (long)getpid(), serial++);
    return b;
}

static const char *flaky_url(const char *key, int fail, int status, const char *extra) {
    static char path[512];
    snprintf(path, sizeof path, "/reqc/flaky?key=%s&fail=%d&status=%d%s", key, fail, status,
             extra ? extra : "");
    return URL(path);
}

/* How many requests the server saw for `key` (-1 on failure). */
static long server_count(const char *key) {
    char path[256];
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    long n = -1;
    snprintf(path, sizeof path, "/reqc/flaky-count?key=%s", key);
    if (reqc_request_new("GET", URL(path), &req, NULL) != REQC_OK)
        return -1;
    if (reqc_send(req, &resp) == REQC_OK && reqc_response_status(resp) == 200)
        n = strtol(reqc_response_text(resp), NULL, 10);
    reqc_response_free(resp);
    reqc_request_free(req);
    return n;
}

/* A request with `attempts` attempts and no backoff (fast tests). */
static reqc_request *retrying(const char *method, const char *url, int attempts) {
    reqc_request *req = check_new_request(method, url);
    if (req == NULL)
        return NULL;
    if (reqc_request_set_retries(req, attempts) != REQC_OK ||
        reqc_request_set_retry_backoff_ms(req, 0, 0) != REQC_OK) {
        reqc_request_free(req);
        return NULL;
    }
    return req;
}

static int attempt_status(const reqc_response *resp, size_t i) {
    int status = -1;
    if (reqc_response_attempt_at(resp, i, &status) != REQC_OK)
        return -1;
    return status;
}

/* ---- what is retried ------------------------------------------------------ */

static void test_status_retried_until_success(void) {
    NEED_SERVER();
    const char *key = new_key("status");
    reqc_request *req = retrying("GET", flaky_url(key, 2, 503, NULL), 3);
    reqc_response *resp = NULL;
    CHECK(req != NULL);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK_STR_EQ(reqc_response_text(resp), "ok 3");
    CHECK(reqc_response_attempt_count(resp) == 3);
    CHECK(attempt_status(resp, 0) == 503);
    CHECK(attempt_status(resp, 1) == 503);
    CHECK(attempt_status(resp, 2) == 200);
    CHECK_CODE(reqc_response_attempt_at(resp, 3, NULL), REQC_E_NOT_FOUND, NULL);
    /* Retries are not history: history stays the redirect chain. */
    CHECK(reqc_response_history_count(resp) == 0);
    CHECK(server_count(key) == 3);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_attempts_run_out_with_the_last_response(void) {
    NEED_SERVER();
    const char *key = new_key("runout");
    reqc_request *req = retrying("GET", flaky_url(key, 10, 502, NULL), 3);
    reqc_response *resp = NULL;
    CHECK(req != NULL);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 502);
    CHECK_STR_EQ(reqc_response_text(resp), "fail 3");
    CHECK(reqc_response_attempt_count(resp) == 3);
    CHECK(server_count(key) == 3);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_off_by_default(void) {
    NEED_SERVER();
    const char *key = new_key("off");
    reqc_request *req = check_new_request("GET", flaky_url(key, 1, 503, NULL));
    reqc_response *resp = NULL;
    CHECK(req != NULL);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 503);
    CHECK(reqc_response_attempt_count(resp) == 1);
    CHECK(attempt_status(resp, 0) == 503);
    CHECK(server_count(key) == 1);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_default_statuses_and_own_list(void) {
    NEED_SERVER();
    static const int defaults[] = {429, 502, 503, 504};
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        const char *key = new_key("default");
        reqc_request *req = retrying("GET", flaky_url(key, 1, defaults[i], NULL), 2);
        reqc_response *resp = NULL;
        CHECK(req != NULL);
        CHECK_OK(reqc_send(req, &resp), req);
        CHECK(reqc_response_status(resp) == 200);
        CHECK(server_count(key) == 2);
        reqc_response_free(resp);
        reqc_request_free(req);
    }
    /* 500 is not in the default list. */
    const char *key = new_key("500");
    reqc_request *req = retrying("GET", flaky_url(key, 1, 500, NULL), 3);
    reqc_response *resp = NULL;
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 500);
    CHECK(server_count(key) == 1);
    reqc_response_free(resp);
    /* Its own list replaces the default one. */
    static const int own[] = {500};
    CHECK_OK(reqc_request_set_retry_statuses(req, own, 1), req);
    key = new_key("own");
    CHECK_OK(reqc_request_set_url(req, flaky_url(key, 1, 500, NULL)), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(server_count(key) == 2);
    reqc_response_free(resp);
    key = new_key("own503");
    CHECK_OK(reqc_request_set_url(req, flaky_url(key, 1, 503, NULL)), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 503);
    CHECK(server_count(key) == 1);
    reqc_response_free(resp);
    /* An empty list: no status is retried. */
    CHECK_OK(reqc_request_set_retry_statuses(req, NULL, 0), req);
    key = new_key("none");
    CHECK_OK(reqc_request_set_url(req, flaky_url(key, 1, 500, NULL)), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 500);
    CHECK(server_count(key) == 1);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_reset_before_response(void) {
    NEED_HOSTILE();
    const char *key = new_key("reset");
    char path[256];
    snprintf(path, sizeof path, "/flaky/reset-before-response?key=%s&fail=2", key);
    reqc_request *req = retrying("GET", check_url_at(check_env("REQC_TEST_HOSTILE"), path), 3);
    reqc_response *resp = NULL;
    CHECK(req != NULL);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(reqc_response_attempt_count(resp) == 3);
    CHECK(attempt_status(resp, 0) == 0);
    CHECK(attempt_status(resp, 1) == 0);
    CHECK(attempt_status(resp, 2) == 200);
    CHECK(server_count(key) == 3);
    reqc_response_free(resp);
    /* Without retries the reset is the send's outcome. */
    key = new_key("reset-off");
    snprintf(path, sizeof path, "/flaky/reset-before-response?key=%s&fail=1", key);
    CHECK_OK(reqc_request_set_url(req, check_url_at(check_env("REQC_TEST_HOSTILE"), path)), req);
    CHECK_OK(reqc_request_set_retries(req, 1), req);
    reqc_code code = reqc_send(req, &resp);
    CHECK(code == REQC_E_RECV || code == REQC_E_SEND);
    CHECK(server_count(key) == 1);
    reqc_request_free(req);
}

/* ---- the idempotency rule ------------------------------------------------- */

static void test_reset_mid_body_idempotent_only(void) {
    NEED_HOSTILE();
    const char *base = check_env("REQC_TEST_HOSTILE");
    char path[256];
    const char *key = new_key("midbody-get");
    snprintf(path, sizeof path, "/flaky/reset-mid-body?key=%s&fail=1", key);
    reqc_request *req = retrying("GET", check_url_at(base, path), 3);
    reqc_response *resp = NULL;
    CHECK(req != NULL);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(reqc_response_attempt_count(resp) == 2);
    CHECK(server_count(key) == 2);
    reqc_response_free(resp);
    reqc_request_free(req);

    /* POST: not idempotent, so the lost response is the outcome. */
    key = new_key("midbody-post");
    snprintf(path, sizeof path, "/flaky/reset-mid-body?key=%s&fail=1", key);
    req = retrying("POST", check_url_at(base, path), 3);
    CHECK(req != NULL);
    CHECK_OK(reqc_request_set_body(req, (const uint8_t *)"x=1", 3, "text/plain"), req);
    CHECK_CODE(reqc_send(req, &resp), REQC_E_RECV, req);
    CHECK(server_count(key) == 1);
    /* Opted in: retried. */
    CHECK_OK(reqc_request_set_retry_all_methods(req, 1), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(server_count(key) == 2);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_methods(void) {
    NEED_SERVER();
    static const char *idempotent[] = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"};
    static const char *others[] = {"POST", "PATCH"};
    for (size_t i = 0; i < 6; i++) {
        const char *key = new_key(idempotent[i]);
        reqc_request *req = retrying(idempotent[i], flaky_url(key, 1, 503, NULL), 2);
        reqc_response *resp = NULL;
        CHECK(req != NULL);
        CHECK_OK(reqc_send(req, &resp), req);
        if (reqc_response_status(resp) != 200)
            printf("  %s got %d\n", idempotent[i], reqc_response_status(resp));
        CHECK(reqc_response_status(resp) == 200);
        CHECK(server_count(key) == 2);
        reqc_response_free(resp);
        reqc_request_free(req);
    }
    for (size_t i = 0; i < 2; i++) {
        const char *key = new_key(others[i]);
        reqc_request *req = retrying(others[i], flaky_url(key, 1, 503, NULL), 2);
        reqc_response *resp = NULL;
        CHECK(req != NULL);
        CHECK_OK(reqc_request_set_json(req, "{\"a\":1}"), req);
        CHECK_OK(reqc_send(req, &resp), req);
        CHECK(reqc_response_status(resp) == 503);
        CHECK(server_count(key) == 1);
        reqc_response_free(resp);
        /* The session's opt-in covers it too (layers). */
        reqc_session *s = NULL;
        CHECK_OK(reqc_session_new(&s), NULL);
        CHECK_OK(reqc_session_set_retry_all_methods(s, 1), s);
        key = new_key(others[i]);
        CHECK_OK(reqc_request_set_url(req, flaky_url(key, 1, 503, NULL)), req);
        CHECK_OK(reqc_session_send(s, req, &resp), req);
        CHECK(reqc_response_status(resp) == 200);
        CHECK(server_count(key) == 2);
        reqc_response_free(resp);
        reqc_session_free(s);
        reqc_request_free(req);
    }
}

static int read_once(void *userdata, uint8_t *buf, size_t capacity, size_t *written) {
    int *done = userdata;
    (void)capacity;
    if (*done) {
        *written = 0;
        return 0;
    }
    memcpy(buf, "abc", 3);
    *written = 3;
    *done = 1;
    return 0;
}

static void test_read_callback_body_never_retried(void) {
    NEED_SERVER();
    const char *key = new_key("stream");
    reqc_request *req = retrying("PUT", flaky_url(key, 1, 503, NULL), 3);
    reqc_response *resp = NULL;
    int done = 0;
    CHECK(req != NULL);
    CHECK_OK(reqc_request_set_body_callback(req, 3, read_once, &done, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 503);
    CHECK(reqc_response_attempt_count(resp) == 1);
    CHECK(server_count(key) == 1);
    reqc_response_free(resp);
    /* Bytes are replayed: the same PUT with a bytes body is retried. */
    key = new_key("bytes");
    CHECK_OK(reqc_request_set_url(req, flaky_url(key, 1, 503, NULL)), req);
    CHECK_OK(reqc_request_set_body(req, (const uint8_t *)"abc", 3, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(server_count(key) == 2);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- waits: Retry-After, the total timeout, cancel ------------------------ */

struct lines {
    pthread_mutex_t lock;
    char text[16384];
};

static void collect_line(void *userdata, reqc_log_level level, const char *line) {
    struct lines *l = userdata;
    (void)level;
    pthread_mutex_lock(&l->lock);
    size_t used = strlen(l->text);
    snprintf(l->text + used, sizeof l->text - used, "%s\n", line);
    pthread_mutex_unlock(&l->lock);
}

/* The wait in ms the first RETRY line of `text` announces (-1: none). */
static double logged_wait(const char *text) {
    const char *p = strstr(text, "RETRY   attempt ");
    if (p == NULL)
        return -1;
    p = strstr(p, " in ");
    return p ? strtod(p + 4, NULL) : -1;
}

static reqc_session *logged_session(struct lines *l) {
    reqc_session *s = NULL;
    memset(l->text, 0, sizeof l->text);
    pthread_mutex_init(&l->lock, NULL);
    if (reqc_session_new(&s) != REQC_OK)
        return NULL;
    if (reqc_session_set_log_callback(s, REQC_LOG_LEVEL_REQUESTS, 0, collect_line, l, NULL) !=
        REQC_OK) {
        reqc_session_free(s);
        return NULL;
    }
    return s;
}

static void test_connection_refused(void) {
    NEED_SERVER();
    struct lines l;
    reqc_session *s = logged_session(&l);
    CHECK(s != NULL);
    /* Port 1 on loopback: nothing listens there. */
    reqc_request *req = retrying("GET", "http://127.0.0.1:1/", 3);
    int64_t start = now_ms();
    CHECK(req != NULL);
    reqc_response *resp = NULL;
    CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_CONNECT, req);
    CHECK(now_ms() - start < 30000);
    CHECK(strstr(l.text, "RETRY   attempt 2 in ") != NULL);
    CHECK(strstr(l.text, "RETRY   attempt 3 in ") != NULL);
    CHECK(strstr(l.text, "RETRY   attempt 4 in ") == NULL);
    reqc_request_free(req);
    reqc_session_free(s);
}

static void test_retry_after_seconds_and_cap(void) {
    NEED_SERVER();
    struct lines l;
    reqc_session *s = logged_session(&l);
    CHECK(s != NULL);
    const char *key = new_key("after");
    reqc_request *req = retrying("GET", flaky_url(key, 1, 503, "&retry_after=1"), 2);
    reqc_response *resp = NULL;
    CHECK_OK(reqc_request_set_retry_backoff_ms(req, 0, 5000), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(server_count(key) == 2);
    CHECK(logged_wait(l.text) == 1000.0);
    reqc_response_free(resp);

    /* Retry-After: 60 is cut to the cap. */
    memset(l.text, 0, sizeof l.text);
    key = new_key("after-cap");
    CHECK_OK(reqc_request_set_url(req, flaky_url(key, 1, 503, "&retry_after=60")), req);
    CHECK_OK(reqc_request_set_retry_backoff_ms(req, 0, 300), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(logged_wait(l.text) == 300.0);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

static void test_retry_after_http_date(void) {
    NEED_SERVER();
    struct lines l;
    reqc_session *s = logged_session(&l);
    CHECK(s != NULL);
    const char *key = new_key("date");
    /* An HTTP-date 2 s ahead, at a second's granularity: 1-2 s from now. */
    reqc_request *req = retrying("GET", flaky_url(key, 1, 503, "&retry_after_date=2"), 2);
    reqc_response *resp = NULL;
    CHECK_OK(reqc_request_set_retry_backoff_ms(req, 0, 5000), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(server_count(key) == 2);
    double wait = logged_wait(l.text);
    if (!(wait > 500.0 && wait <= 2000.0))
        printf("  logged wait %.3f ms\n%s", wait, l.text);
    CHECK(wait > 500.0 && wait <= 2000.0);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

static void test_total_timeout_bounds_the_waits(void) {
    NEED_SERVER();
    const char *key = new_key("timeout");
    reqc_request *req = retrying("GET", flaky_url(key, 10, 503, "&retry_after=30"), 5);
    reqc_response *resp = NULL;
    CHECK(req != NULL);
    CHECK_OK(reqc_request_set_retry_backoff_ms(req, 0, 60000), req);
    CHECK_OK(reqc_request_set_timeout_ms(req, 2000), req);
    int64_t start = now_ms();
    CHECK_CODE(reqc_send(req, &resp), REQC_E_TIMEOUT, req);
    CHECK(now_ms() - start < 20000); /* a hang detector, not a timing assertion */
    CHECK(strstr(reqc_request_error(req), "total timeout") != NULL);
    CHECK(server_count(key) == 1);
    /* The last attempt's response stays readable. */
    reqc_response *last = NULL;
    CHECK_OK(reqc_request_last_response(req, &last), req);
    CHECK(last != NULL && reqc_response_status(last) == 503);
    reqc_response_free(last);
    reqc_request_free(req);
}

struct canceller {
    reqc_request *req;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int responded;
};

static reqc_hook_result note_response(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    struct canceller *c = userdata;
    (void)kind;
    (void)ctx;
    pthread_mutex_lock(&c->lock);
    c->responded++;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
    return REQC_HOOK_RESULT_CONTINUE;
}

static void *cancel_after_first_response(void *arg) {
    struct canceller *c = arg;
    pthread_mutex_lock(&c->lock);
    while (c->responded == 0)
        pthread_cond_wait(&c->cond, &c->lock);
    pthread_mutex_unlock(&c->lock);
    /* Let the send enter its 30 s wait; the cancel must end it. */
    sleep_ms(200);
    reqc_request_cancel(c->req);
    return NULL;
}

static void test_cancel_ends_a_wait(void) {
    NEED_SERVER();
    const char *key = new_key("cancel");
    struct canceller c = {.responded = 0};
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.cond, NULL);
    c.req = retrying("GET", flaky_url(key, 10, 503, "&retry_after=30"), 5);
    CHECK(c.req != NULL);
    CHECK_OK(reqc_request_set_retry_backoff_ms(c.req, 0, 60000), c.req);
    CHECK_OK(reqc_request_set_timeout_ms(c.req, 0), c.req);
    CHECK_OK(reqc_request_add_hook(c.req, REQC_HOOK_KIND_RESPONSE, note_response, &c, NULL, NULL),
             c.req);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, cancel_after_first_response, &c) == 0);
    reqc_response *resp = NULL;
    int64_t start = now_ms();
    CHECK_CODE(reqc_send(c.req, &resp), REQC_E_CANCELLED, c.req);
    CHECK(now_ms() - start < 20000); /* the wait was 30 s: it did not run out */
    pthread_join(t, NULL);
    CHECK(server_count(key) == 1);
    reqc_request_free(c.req);
    pthread_mutex_destroy(&c.lock);
    pthread_cond_destroy(&c.cond);
}

/* ---- each attempt visible ------------------------------------------------- */

struct seen {
    int pre[8], response[8], status[8];
    int n_pre, n_response;
};

static reqc_hook_result record_attempt(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    struct seen *s = userdata;
    if (kind == REQC_HOOK_KIND_PRE_REQUEST && s->n_pre < 8)
        s->pre[s->n_pre++] = reqc_hook_ctx_attempt(ctx);
    if (kind == REQC_HOOK_KIND_RESPONSE && s->n_response < 8) {
        s->status[s->n_response] = reqc_response_status(reqc_hook_ctx_response(ctx));
        s->response[s->n_response++] = reqc_hook_ctx_attempt(ctx);
    }
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_attempt_numbers_in_hooks_and_log(void) {
    NEED_SERVER();
    struct lines l;
    reqc_session *s = logged_session(&l);
    struct seen seen = {{0}, {0}, {0}, 0, 0};
    CHECK(s != NULL);
    const char *key = new_key("visible");
    reqc_request *req = retrying("GET", flaky_url(key, 2, 503, NULL), 3);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_PRE_REQUEST, record_attempt, &seen, NULL,
                                   NULL),
             req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, record_attempt, &seen, NULL, NULL),
             req);
    reqc_response *resp = NULL;
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(seen.n_pre == 3 && seen.n_response == 3);
    for (int i = 0; i < 3; i++) {
        CHECK(seen.pre[i] == i + 1);
        CHECK(seen.response[i] == i + 1);
    }
    CHECK(seen.status[0] == 503 && seen.status[1] == 503 && seen.status[2] == 200);
    CHECK(strstr(l.text, "RETRY   attempt 2 in ") != NULL);
    CHECK(strstr(l.text, "RETRY   attempt 3 in ") != NULL);
    CHECK(strstr(l.text, "(attempt 2)") != NULL);
    CHECK(strstr(l.text, "(attempt 3)") != NULL);
    CHECK(strstr(l.text, "(attempt 4)") == NULL);
    CHECK(reqc_hook_ctx_attempt(NULL) == 1);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}


static void test_redirect_then_retry(void) {
    NEED_SERVER();
    const char *key = new_key("redirect");
    char path[512];
    /* /redirect-to sends a 302 to the flaky URL (percent-encoded). */
    snprintf(path, sizeof path,
             "/redirect-to?url=%%2Freqc%%2Fflaky%%3Fkey%%3D%s%%26fail%%3D1%%26status%%3D503", key);
    reqc_request *req = retrying("GET", URL(path), 3);
    struct seen seen = {{0}, {0}, {0}, 0, 0};
    CHECK(req != NULL);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_PRE_REQUEST, record_attempt, &seen, NULL,
                                   NULL),
             req);
    reqc_response *resp = NULL;
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    /* History is the redirect chain: one 302; the retry is not in it. */
    CHECK(reqc_response_history_count(resp) == 1);
    const reqc_response *first = check_hop(resp, 0);
    CHECK(first != NULL && reqc_response_status(first) == 302);
    CHECK(first != NULL && reqc_response_attempt_count(first) == 1);
    CHECK(reqc_response_attempt_count(resp) == 2);
    CHECK(attempt_status(resp, 0) == 503 && attempt_status(resp, 1) == 200);
    /* PRE_REQUEST: the redirect's hop (attempt 1), then the flaky hop
     * twice (attempts 1 and 2: a new hop counts from 1). */
    CHECK(seen.n_pre == 3);
    CHECK(seen.pre[0] == 1 && seen.pre[1] == 1 && seen.pre[2] == 2);
    CHECK(server_count(key) == 2);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- layers and arguments -------------------------------------------------- */

static void test_layers(void) {
    NEED_SERVER();
    reqc_session *s = NULL;
    reqc_response *resp = NULL;
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_session_set_retries(s, 3), s);
    CHECK_OK(reqc_session_set_retry_backoff_ms(s, 0, 0), s);
    const char *key = new_key("session");
    reqc_request *req = check_new_request("GET", flaky_url(key, 2, 503, NULL));
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(server_count(key) == 3);
    reqc_response_free(resp);
    /* The request's own setting wins. */
    CHECK_OK(reqc_request_set_retries(req, 1), req);
    key = new_key("session-off");
    CHECK_OK(reqc_request_set_url(req, flaky_url(key, 2, 503, NULL)), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_status(resp) == 503);
    CHECK(server_count(key) == 1);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);

    /* The global config, under reqc_send. */
    static const int statuses[] = {418};
    CHECK_OK(reqc_config_set_retries(2), NULL);
    CHECK_OK(reqc_config_set_retry_backoff_ms(0, 0), NULL);
    CHECK_OK(reqc_config_set_retry_statuses(statuses, 1), NULL);
    CHECK_OK(reqc_config_set_retry_all_methods(1), NULL);
    key = new_key("config");
    req = check_new_request("POST", flaky_url(key, 1, 418, NULL));
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(server_count(key) == 2);
    reqc_response_free(resp);
    reqc_request_free(req);
    CHECK_OK(reqc_config_reset(), NULL);
    key = new_key("config-reset");
    req = check_new_request("GET", flaky_url(key, 1, 503, NULL));
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(reqc_response_status(resp) == 503);
    CHECK(server_count(key) == 1);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_bad_arguments(void) {
    reqc_request *req = check_new_request("GET", "http://127.0.0.1:1/");
    reqc_session *s = NULL;
    static const int bad[] = {503, 99};
    CHECK(req != NULL);
    CHECK_CODE(reqc_request_set_retries(req, 0), REQC_E_INVALID_ARGUMENT, req);
    CHECK_CODE(reqc_request_set_retries(req, -1), REQC_E_INVALID_ARGUMENT, req);
    CHECK_CODE(reqc_request_set_retry_statuses(req, bad, 2), REQC_E_INVALID_ARGUMENT, req);
    CHECK_CODE(reqc_request_set_retry_statuses(req, NULL, 2), REQC_E_INVALID_ARGUMENT, req);
    CHECK_CODE(reqc_request_set_retry_backoff_ms(req, -1, 10), REQC_E_INVALID_ARGUMENT, req);
    CHECK_CODE(reqc_request_set_retries(NULL, 2), REQC_E_INVALID_ARGUMENT, NULL);
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_CODE(reqc_session_set_retries(s, 0), REQC_E_INVALID_ARGUMENT, s);
    CHECK_CODE(reqc_session_set_retry_backoff_ms(s, 1, -1), REQC_E_INVALID_ARGUMENT, s);
    CHECK_CODE(reqc_config_set_retries(0), REQC_E_INVALID_ARGUMENT, NULL);
    CHECK_CODE(reqc_config_set_retry_statuses(bad, 2), REQC_E_INVALID_ARGUMENT, NULL);
    CHECK(reqc_response_attempt_count(NULL) == 0);
    CHECK_CODE(reqc_response_attempt_at(NULL, 0, NULL), REQC_E_INVALID_ARGUMENT, NULL);
    reqc_session_free(s);
    reqc_request_free(req);
}

/* ---- batches: a waiting retry delays no other item ------------------------- */

struct order {
    size_t done[16];
    reqc_code code[16];
    size_t attempts[16];
    int n;
    size_t cancel_after; /* cancel the batch once this index lands (or SIZE_MAX) */
};

static void on_landed(void *userdata, reqc_batch *b, size_t index, reqc_code code,
                      reqc_response *resp) {
    struct order *o = userdata;
    if (o->n < 16) {
        o->done[o->n] = index;
        o->code[o->n] = code;
        o->attempts[o->n] = resp ? reqc_response_attempt_count(resp) : 0;
        o->n++;
    }
    if (index == o->cancel_after)
        reqc_batch_cancel(b);
    reqc_response_free(resp);
}

/* Item 0 is told to come back in 2 s; items 1-4 are fine. With one
 * transfer slot, the others can only land first if the waiting retry holds
 * no slot and blocks nothing. */
static reqc_batch *retry_batch(reqc_session *s, struct order *o, const char **slow_key,
                               const char *retry_after) {
    reqc_batch *b = NULL;
    char extra[64];
    snprintf(extra, sizeof extra, "&retry_after=%s", retry_after);
    if (reqc_batch_new(s, &b) != REQC_OK)
        return NULL;
    reqc_batch_set_max_concurrency(b, 1);
    reqc_batch_set_complete_callback(b, on_landed, o, NULL);
    *slow_key = new_key("batch-slow");
    for (int i = 0; i < 5; i++) {
        const char *url = i == 0 ? flaky_url(*slow_key, 1, 503, extra)
                                 : flaky_url(new_key("batch-fast"), 0, 503, NULL);
        reqc_request *req = retrying("GET", url, 3);
        size_t index = 0;
        reqc_request_set_retry_backoff_ms(req, 0, 60000);
        if (req == NULL || reqc_batch_add(b, req, &index) != REQC_OK) {
            reqc_request_free(req);
            reqc_batch_free(b);
            return NULL;
        }
        reqc_request_free(req);
    }
    return b;
}

static void test_batch_retry_waits_without_blocking(void) {
    NEED_SERVER();
    reqc_session *s = NULL;
    struct order o = {.n = 0, .cancel_after = SIZE_MAX};
    const char *slow = NULL;
    CHECK_OK(reqc_session_new(&s), NULL);
    reqc_batch *b = retry_batch(s, &o, &slow, "2");
    CHECK(b != NULL);
    int64_t start = now_ms();
    CHECK_OK(reqc_batch_perform(b), b);
    CHECK(now_ms() - start < 30000); /* hang detector */
    CHECK(o.n == 5);
    /* The four others landed while item 0 waited; item 0 last, 2 attempts. */
    for (int i = 0; i < 4; i++)
        CHECK(o.done[i] == (size_t)i + 1 && o.code[i] == REQC_OK && o.attempts[i] == 1);
    CHECK(o.done[4] == 0 && o.code[4] == REQC_OK && o.attempts[4] == 2);
    CHECK(server_count(slow) == 2);
    reqc_batch_free(b);
    reqc_session_free(s);
}

static void test_batch_poll_retry(void) {
    NEED_SERVER();
    reqc_session *s = NULL;
    struct order o = {.n = 0, .cancel_after = SIZE_MAX};
    const char *slow = NULL;
    CHECK_OK(reqc_session_new(&s), NULL);
    reqc_batch *b = retry_batch(s, &o, &slow, "1");
    CHECK(b != NULL);
    int done = 0, steps = 0;
    int64_t start = now_ms();
    while (!done && now_ms() - start < 30000) {
        CHECK_OK(reqc_batch_poll(b, 5000, &done), b);
        steps++;
    }
    CHECK(done == 1);
    CHECK(o.n == 5 && o.done[4] == 0 && o.attempts[4] == 2);
    CHECK(server_count(slow) == 2);
    reqc_batch_free(b);
    reqc_session_free(s);
}

static void test_batch_cancel_ends_a_waiting_retry(void) {
    NEED_SERVER();
    reqc_session *s = NULL;
    struct order o = {.n = 0, .cancel_after = 4};
    const char *slow = NULL;
    CHECK_OK(reqc_session_new(&s), NULL);
    /* Item 0 would wait 30 s; the batch is cancelled when item 4 lands. */
    reqc_batch *b = retry_batch(s, &o, &slow, "30");
    CHECK(b != NULL);
    int64_t start = now_ms();
    CHECK_OK(reqc_batch_perform(b), b);
    CHECK(now_ms() - start < 20000); /* the 30 s wait did not run out */
    CHECK(o.n == 5);
    CHECK(o.done[4] == 0 && o.code[4] == REQC_E_CANCELLED);
    CHECK(server_count(slow) == 1);
    reqc_batch_free(b);
    reqc_session_free(s);
}

static void test_batch_event_loop_retry(void) {
    NEED_SERVER();
    reqc_session *s = NULL;
    struct order o = {.n = 0, .cancel_after = SIZE_MAX};
    const char *slow = NULL;
    struct eloop el;
    CHECK_OK(reqc_session_new(&s), NULL);
    reqc_batch *b = retry_batch(s, &o, &slow, "1");
    CHECK(b != NULL);
    CHECK(eloop_open(&el) == 0);
    CHECK_OK(reqc_batch_set_socket_callbacks(b, eloop_on_socket, eloop_on_timer, &el,
                                             eloop_on_free),
             b);
    int done = 0;
    CHECK_OK(reqc_batch_start(b, &done), b);
    /* With only the waiting retry left, libcurl has no timer to ask for:
     * the batch's own timer must call the loop back. */
    if (!done)
        done = eloop_drive(b, &el, 30000);
    CHECK(done == 1);
    CHECK(o.n == 5 && o.done[4] == 0 && o.code[4] == REQC_OK && o.attempts[4] == 2);
    CHECK(server_count(slow) == 2);
    reqc_batch_free(b);
    eloop_close(&el);
    reqc_session_free(s);
}

int main(void) {
    RUN(test_status_retried_until_success);
    RUN(test_attempts_run_out_with_the_last_response);
    RUN(test_off_by_default);
    RUN(test_default_statuses_and_own_list);
    RUN(test_reset_before_response);
    RUN(test_connection_refused);
    RUN(test_reset_mid_body_idempotent_only);
    RUN(test_methods);
    RUN(test_read_callback_body_never_retried);
    RUN(test_retry_after_seconds_and_cap);
    RUN(test_retry_after_http_date);
    RUN(test_total_timeout_bounds_the_waits);
    RUN(test_cancel_ends_a_wait);
    RUN(test_attempt_numbers_in_hooks_and_log);
    RUN(test_redirect_then_retry);
    RUN(test_layers);
    RUN(test_bad_arguments);
    RUN(test_batch_retry_waits_without_blocking);
    RUN(test_batch_poll_retry);
    RUN(test_batch_cancel_ends_a_waiting_retry);
    RUN(test_batch_event_loop_retry);
    return check_summary();
}
