/* free_in_use.c: the one free rule. Freeing a request, session or batch
 * while a call is using it (from one of that call's callbacks, or from
 * another thread) gives up the caller's reference at once; the handle goes
 * when the call returns. The call finishes as usual, the handle's callbacks
 * still run until then, and free_userdata runs once, after the last
 * possible callback, on the thread of the call that ended last. valgrind
 * and ASan runs check that nothing leaks and nothing is used after free.
 *
 * The "another thread" tests are deterministic: the first callback tells
 * the main thread the call is under way and waits until it has freed the
 * handle, so the free always lands while the call is in flight. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "check.h"

/* What one handle's callbacks saw. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void *handle;           /* the handle a callback frees, or NULL */
    int (*free_in_callback)(void *handle); /* how, or NULL: another thread frees */
    int every_call_waits;   /* each call before the free waits (several sends) */
    int started;            /* callbacks that said "under way" */
    int freed;              /* the handle was freed */
    int calls;              /* callback calls */
    int calls_after_free;
    int userdata_freed;     /* free_userdata calls */
    int calls_after_userdata_freed;
    pthread_t userdata_thread; /* where free_userdata ran */
} watch;

static void watch_init(watch *w, void *handle, int (*free_in_callback)(void *)) {
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->handle = handle;
    w->free_in_callback = free_in_callback;
}

static void watch_destroy(watch *w) {
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
}

static int free_request(void *h) { reqc_request_free(h); return 0; }
static int free_session(void *h) { reqc_session_free(h); return 0; }
static int free_batch(void *h) { reqc_batch_free(h); return 0; }

/* One callback call: counts it; the first one frees the handle (when the
 * test frees from a callback) or tells the main thread and waits for its
 * free (when another thread frees). */
static void watch_call(watch *w) {
    int first;
    pthread_mutex_lock(&w->mu);
    w->calls++;
    if (w->freed) w->calls_after_free++;
    if (w->userdata_freed) w->calls_after_userdata_freed++;
    first = !w->freed && (w->every_call_waits || w->started == 0);
    pthread_mutex_unlock(&w->mu);
    if (!first) return;
    if (w->free_in_callback != NULL) {
        pthread_mutex_lock(&w->mu);
        w->freed = 1;
        w->started = 1;
        pthread_mutex_unlock(&w->mu);
        w->free_in_callback(w->handle);
        return;
    }
    pthread_mutex_lock(&w->mu);
    w->started++;
    pthread_cond_broadcast(&w->cv);
    while (!w->freed) pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

/* The main thread: waits for `n` calls under way, frees, lets them go on. */
static void watch_free_when_started(watch *w, int n, void (*free_fn)(void *), void *handle) {
    pthread_mutex_lock(&w->mu);
    while (w->started < n) pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
    free_fn(handle);
    pthread_mutex_lock(&w->mu);
    w->freed = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void watch_release(void *userdata) {
    watch *w = userdata;
    pthread_mutex_lock(&w->mu);
    w->userdata_freed++;
    w->userdata_thread = pthread_self();
    pthread_mutex_unlock(&w->mu);
}

static int on_data(void *userdata, const uint8_t *data, size_t len) {
    (void)data;
    (void)len;
    watch_call(userdata);
    return 0;
}

static reqc_hook_result on_hook(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    (void)kind;
    (void)ctx;
    watch_call(userdata);
    return REQC_HOOK_RESULT_CONTINUE;
}

static void on_log(void *userdata, reqc_log_level level, const char *line) {
    (void)level;
    (void)line;
    watch_call(userdata);
}

static void on_complete(void *userdata, reqc_batch *batch, size_t index, reqc_code code,
                        reqc_response *response) {
    (void)batch;
    (void)index;
    (void)code;
    reqc_response_free(response);
    watch_call(userdata);
}

static void free_void_request(void *h) { reqc_request_free(h); }
static void free_void_session(void *h) { reqc_session_free(h); }
static void free_void_batch(void *h) { reqc_batch_free(h); }

/* ---- requests ------------------------------------------------------------ */

static void test_request_freed_in_its_data_callback(void) {
    reqc_request *req = check_new_request("GET", URL("/drip?numbytes=4&duration=0.4"));
    reqc_response *resp = NULL;
    watch w;
    watch_init(&w, req, free_request);
    CHECK_OK(reqc_request_set_data_callback(req, on_data, &w, watch_release), req);
    /* The send goes on after the free and returns its response. */
    CHECK(reqc_send(req, &resp) == REQC_OK);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(w.freed == 1);
    CHECK(w.calls >= 2);
    CHECK(w.calls_after_free >= 1);
    /* free_userdata ran once, after the last call, before the send returned. */
    CHECK(w.userdata_freed == 1);
    CHECK(w.calls_after_userdata_freed == 0);
    CHECK(pthread_equal(w.userdata_thread, pthread_self()));
    reqc_response_free(resp);
    watch_destroy(&w);
}

static void test_request_freed_in_its_hook(void) {
    reqc_request *req = check_new_request("GET", URL("/redirect/2"));
    reqc_response *resp = NULL;
    watch w;
    watch_init(&w, req, free_request);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, on_hook, &w, watch_release, NULL), req);
    CHECK(reqc_send(req, &resp) == REQC_OK);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(reqc_response_history_count(resp) == 2);
    /* One RESPONSE hook per hop: the two after the free still ran. */
    CHECK(w.calls == 3);
    CHECK(w.calls_after_free == 2);
    CHECK(w.userdata_freed == 1);
    CHECK(w.calls_after_userdata_freed == 0);
    reqc_response_free(resp);
    watch_destroy(&w);
}

typedef struct {
    reqc_session *session; /* NULL: reqc_send */
    reqc_request *request;
    reqc_code rc;
    int status;
    pthread_t self;
} sender;

static void *send_thread(void *arg) {
    sender *s = arg;
    reqc_response *resp = NULL;
    s->self = pthread_self();
    s->rc = s->session != NULL ? reqc_session_send(s->session, s->request, &resp)
                               : reqc_send(s->request, &resp);
    s->status = reqc_response_status(resp);
    reqc_response_free(resp);
    return NULL;
}

static void test_request_freed_from_another_thread_during_its_send(void) {
    sender s = {0};
    pthread_t t;
    watch w;
    s.request = check_new_request("GET", URL("/drip?numbytes=3&duration=0.3"));
    watch_init(&w, NULL, NULL);
    CHECK_OK(reqc_request_set_data_callback(s.request, on_data, &w, watch_release), s.request);
    CHECK(pthread_create(&t, NULL, send_thread, &s) == 0);
    watch_free_when_started(&w, 1, free_void_request, s.request);
    pthread_join(t, NULL);
    CHECK(s.rc == REQC_OK);
    CHECK(s.status == 200);
    CHECK(w.calls_after_free >= 1);
    CHECK(w.userdata_freed == 1);
    CHECK(w.calls_after_userdata_freed == 0);
    /* The sending thread held the last reference. */
    CHECK(pthread_equal(w.userdata_thread, t));
    watch_destroy(&w);
}

/* ---- sessions ------------------------------------------------------------ */

static void test_session_freed_in_its_hook(void) {
    reqc_session *session = NULL;
    reqc_request *req = check_new_request("GET", URL("/redirect/2"));
    reqc_response *resp = NULL;
    watch w;
    CHECK_OK(reqc_session_new(&session), NULL);
    watch_init(&w, session, free_session);
    CHECK(reqc_session_add_hook(session, REQC_HOOK_KIND_RESPONSE, on_hook, &w, watch_release, NULL) ==
          REQC_OK);
    CHECK_OK(reqc_session_send(session, req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    CHECK(w.calls == 3);
    CHECK(w.calls_after_free == 2);
    CHECK(w.userdata_freed == 1);
    CHECK(w.calls_after_userdata_freed == 0);
    reqc_response_free(resp);
    reqc_request_free(req);
    watch_destroy(&w);
}

static void test_session_freed_in_its_log_callback(void) {
    reqc_session *session = NULL;
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp = NULL;
    watch w;
    CHECK_OK(reqc_session_new(&session), NULL);
    watch_init(&w, session, free_session);
    CHECK(reqc_session_set_log_callback(session, REQC_LOG_LEVEL_REQUESTS, 0, on_log, &w, watch_release) ==
          REQC_OK);
    CHECK_OK(reqc_session_send(session, req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    /* The request line freed it; the status line still came. */
    CHECK(w.calls >= 2);
    CHECK(w.calls_after_free >= 1);
    CHECK(w.userdata_freed == 1);
    CHECK(w.calls_after_userdata_freed == 0);
    reqc_response_free(resp);
    reqc_request_free(req);
    watch_destroy(&w);
}

#define SENDERS 3

static void test_session_freed_while_sends_run_on_other_threads(void) {
    reqc_session *session = NULL;
    sender s[SENDERS];
    pthread_t t[SENDERS];
    watch started, hook;
    int i, ran_on_a_sender = 0;
    CHECK_OK(reqc_session_new(&session), NULL);
    watch_init(&started, NULL, NULL);
    watch_init(&hook, NULL, NULL);
    /* Counted only: never waits. */
    hook.started = 1;
    /* Each send's first body bytes say "under way" and wait for the free. */
    started.every_call_waits = 1;
    CHECK(reqc_session_add_hook(session, REQC_HOOK_KIND_RESPONSE, on_hook, &hook, watch_release, NULL) ==
          REQC_OK);
    for (i = 0; i < SENDERS; i++) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].session = session;
        s[i].request = check_new_request("GET", URL("/drip?numbytes=2&duration=0.2"));
        CHECK_OK(reqc_request_set_data_callback(s[i].request, on_data, &started, NULL), s[i].request);
    }
    for (i = 0; i < SENDERS; i++) CHECK(pthread_create(&t[i], NULL, send_thread, &s[i]) == 0);
    /* All three sends are under way (each holds the session) when it is freed. */
    watch_free_when_started(&started, SENDERS, free_void_session, session);
    pthread_mutex_lock(&hook.mu);
    hook.freed = 1; /* from here on, the session handle is released */
    pthread_mutex_unlock(&hook.mu);
    for (i = 0; i < SENDERS; i++) pthread_join(t[i], NULL);
    for (i = 0; i < SENDERS; i++) {
        CHECK(s[i].rc == REQC_OK);
        CHECK(s[i].status == 200);
        if (pthread_equal(hook.userdata_thread, t[i])) ran_on_a_sender = 1;
        reqc_request_free(s[i].request);
    }
    /* Every send's RESPONSE hook ran; the registration went once, after the
     * last of them, on a sending thread. */
    CHECK(hook.calls == SENDERS);
    CHECK(hook.userdata_freed == 1);
    CHECK(hook.calls_after_userdata_freed == 0);
    CHECK(ran_on_a_sender);
    watch_destroy(&started);
    watch_destroy(&hook);
}

/* ---- batches ------------------------------------------------------------- */

static reqc_batch *new_batch(reqc_session *session, const char **paths, size_t n) {
    reqc_batch *batch = NULL;
    size_t i;
    CHECK_OK(reqc_batch_new(session, &batch), NULL);
    for (i = 0; i < n; i++) {
        reqc_request *req = check_new_request("GET", URL(paths[i]));
        CHECK(reqc_batch_add(batch, req, NULL) == REQC_OK);
        reqc_request_free(req);
    }
    return batch;
}

static void test_batch_freed_in_its_complete_callback(void) {
    const char *paths[] = {"/get", "/drip?numbytes=2&duration=0.2", "/drip?numbytes=2&duration=0.3"};
    reqc_batch *batch = new_batch(NULL, paths, 3);
    watch w;
    watch_init(&w, batch, free_batch);
    CHECK(reqc_batch_set_complete_callback(batch, on_complete, &w, watch_release) == REQC_OK);
    /* The run goes on to its end after the free; then the batch goes. */
    CHECK(reqc_batch_perform(batch) == REQC_OK);
    CHECK(w.calls == 3);
    CHECK(w.calls_after_free == 2);
    CHECK(w.userdata_freed == 1);
    CHECK(w.calls_after_userdata_freed == 0);
    CHECK(pthread_equal(w.userdata_thread, pthread_self()));
    watch_destroy(&w);
}

typedef struct {
    reqc_batch *batch;
    int poll_once; /* 1: one reqc_batch_poll; 0: reqc_batch_perform */
    reqc_code rc;
} runner;

static void *run_thread(void *arg) {
    runner *r = arg;
    int done = 0;
    r->rc = r->poll_once ? reqc_batch_poll(r->batch, 3000, &done) : reqc_batch_perform(r->batch);
    return NULL;
}

static void test_batch_freed_from_another_thread_during_perform(void) {
    const char *paths[] = {"/get", "/drip?numbytes=2&duration=0.2", "/drip?numbytes=2&duration=0.3"};
    runner r = {0};
    pthread_t t;
    watch w;
    r.batch = new_batch(NULL, paths, 3);
    watch_init(&w, NULL, NULL);
    CHECK(reqc_batch_set_complete_callback(r.batch, on_complete, &w, watch_release) == REQC_OK);
    CHECK(pthread_create(&t, NULL, run_thread, &r) == 0);
    watch_free_when_started(&w, 1, free_void_batch, r.batch);
    pthread_join(t, NULL);
    CHECK(r.rc == REQC_OK);
    CHECK(w.calls == 3);
    CHECK(w.calls_after_free == 2);
    CHECK(w.userdata_freed == 1);
    CHECK(w.calls_after_userdata_freed == 0);
    CHECK(pthread_equal(w.userdata_thread, t));
    watch_destroy(&w);
}

/* A batch freed while one reqc_batch_poll runs on another thread goes when
 * that poll returns, which ends its run: the unfinished item's result is
 * dropped, the callbacks' userdata released on the polling thread. */
static void test_batch_freed_from_another_thread_during_poll(void) {
    const char *paths[] = {"/delay/1"};
    reqc_session *session = NULL;
    runner r = {0};
    pthread_t t;
    watch hook, complete;
    CHECK_OK(reqc_session_new(&session), NULL);
    watch_init(&hook, NULL, NULL);
    watch_init(&complete, NULL, NULL);
    CHECK(reqc_session_add_hook(session, REQC_HOOK_KIND_PRE_REQUEST, on_hook, &hook, watch_release, NULL) ==
          REQC_OK);
    r.batch = new_batch(session, paths, 1);
    r.poll_once = 1;
    /* The batch keeps the session alive. */
    reqc_session_free(session);
    CHECK(reqc_batch_set_complete_callback(r.batch, on_complete, &complete, watch_release) == REQC_OK);
    CHECK(pthread_create(&t, NULL, run_thread, &r) == 0);
    /* The PRE_REQUEST hook runs inside the poll and waits for the free. */
    watch_free_when_started(&hook, 1, free_void_batch, r.batch);
    pthread_join(t, NULL);
    CHECK(r.rc == REQC_OK);
    CHECK(hook.calls == 1);
    CHECK(hook.userdata_freed == 1);
    CHECK(complete.userdata_freed == 1);
    CHECK(complete.calls_after_userdata_freed == 0);
    CHECK(pthread_equal(hook.userdata_thread, t));
    CHECK(pthread_equal(complete.userdata_thread, t));
    watch_destroy(&hook);
    watch_destroy(&complete);
}

/* ---- what C never frees -------------------------------------------------- */

static reqc_hook_result free_lent_request(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    (void)userdata;
    (void)kind;
    reqc_request_free(reqc_hook_ctx_request(ctx)); /* a no-op */
    return reqc_request_set_header(reqc_hook_ctx_request(ctx), "X-After", "1") == REQC_OK
               ? REQC_HOOK_RESULT_CONTINUE
               : REQC_HOOK_RESULT_ABORT;
}

static void test_lent_request_and_history_entries_are_not_freed(void) {
    reqc_request *req = check_new_request("GET", URL("/redirect-to?url=/headers"));
    reqc_response *resp = NULL;
    const reqc_response *hop;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, free_lent_request, NULL, NULL, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"X-After\": \"1\"");
    hop = check_hop(resp, 0);
    CHECK(hop != NULL);
    reqc_response_free((reqc_response *)hop); /* a no-op: the entry is resp's */
    CHECK(reqc_response_status(check_hop(resp, 0)) == 302);
    reqc_response_free(resp);
    reqc_request_free(req);
}

int main(void) {
    RUN(test_request_freed_in_its_data_callback);
    RUN(test_request_freed_in_its_hook);
    RUN(test_request_freed_from_another_thread_during_its_send);
    RUN(test_session_freed_in_its_hook);
    RUN(test_session_freed_in_its_log_callback);
    RUN(test_session_freed_while_sends_run_on_other_threads);
    RUN(test_batch_freed_in_its_complete_callback);
    RUN(test_batch_freed_from_another_thread_during_perform);
    RUN(test_batch_freed_from_another_thread_during_poll);
    RUN(test_lent_request_and_history_entries_are_not_freed);
    return check_summary();
}
