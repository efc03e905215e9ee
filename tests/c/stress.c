/* stress.c: one libreqc session shared by 8 threads.
 *
 * 8 pthreads send 2,000 requests in all (80 with REQC_SMALL=1, for valgrind)
 * through ONE session, mixing GET /anything?i=N with header X-Req: N, POST
 * /anything with body "body-N", cookie sets (/cookies/set?t<thread>=<i>,
 * which redirects to /cookies) and cookie reads. Every response is checked
 * against what the server echoed for that very request (N matches). After a
 * barrier every thread reads /cookies and must see every thread's cookie.
 * With the control port (REQC_TEST_CONTROL) the connections the server saw
 * are counted: the session keeps at most 8 idle lanes, so at most 8 + slack.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>

#include "check.h"

#define THREADS 8
#define CONN_SLACK 2

static reqc_session *shared;
static pthread_barrier_t barrier;
static char base_url[200]; /* REQC_TEST_URL, copied before the threads start */
static int per_thread;
static atomic_int failures;
static atomic_int sent;
static atomic_int n_get, n_post, n_cookie_set, n_cookie_get;

/* Thread-safe failure report (check.h's CHECK is for the main thread). */
#define TCHECK(cond, ...)                                                            \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "  FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);        \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
            atomic_fetch_add(&failures, 1);                                          \
        }                                                                            \
    } while (0)

static int has(const char *text, const char *needle) {
    return text != NULL && check_json_has(text, needle);
}

/* Sends `req` through the shared session; the response or NULL (a failure). */
static reqc_response *tsend(reqc_request *req, const char *what) {
    reqc_response *resp = NULL;
    reqc_code rc;
    if (req == NULL) {
        atomic_fetch_add(&failures, 1);
        return NULL;
    }
    rc = reqc_session_send(shared, req, &resp);
    atomic_fetch_add(&sent, 1);
    TCHECK(rc == REQC_OK, "%s gave %s (%s)", what, reqc_code_name(rc), reqc_request_error(req));
    if (rc != REQC_OK) return NULL;
    TCHECK(reqc_response_status(resp) == 200, "%s: status %d", what, reqc_response_status(resp));
    return resp;
}

static reqc_request *mkreq(const char *method, const char *url) {
    reqc_request *req = NULL;
    reqc_code rc = reqc_request_new(method, url, &req, NULL);
    TCHECK(rc == REQC_OK, "reqc_request_new(%s, %s): %s", method, url, reqc_code_name(rc));
    return req;
}

static void do_get(int n) {
    char url[256], hv[32], want[128], what[64];
    reqc_request *req;
    reqc_response *resp;
    snprintf(url, sizeof url, "%s/anything?i=%d", base_url, n);
    snprintf(hv, sizeof hv, "%d", n);
    snprintf(what, sizeof what, "GET i=%d", n);
    req = mkreq("GET", url);
    if (req != NULL) reqc_request_set_header(req, "X-Req", hv);
    resp = tsend(req, what);
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        snprintf(want, sizeof want, "\"args\": {\"i\": \"%d\"}", n);
        TCHECK(has(t, want), "%s: echo lacks %s:\n%s", what, want, t);
        snprintf(want, sizeof want, "\"X-Req\": \"%d\"", n);
        TCHECK(has(t, want), "%s: echo lacks %s:\n%s", what, want, t);
        TCHECK(has(t, "\"method\": \"GET\""), "%s: method:\n%s", what, t);
        TCHECK(has(t, "\"data\": \"\""), "%s: data not empty:\n%s", what, t);
    }
    atomic_fetch_add(&n_get, 1);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void do_post(int n) {
    char url[256], body[32], want[128], what[64];
    reqc_request *req;
    reqc_response *resp;
    snprintf(url, sizeof url, "%s/anything", base_url);
    snprintf(body, sizeof body, "body-%d", n);
    snprintf(what, sizeof what, "POST body-%d", n);
    req = mkreq("POST", url);
    if (req != NULL) reqc_request_set_body(req, (const uint8_t *)body, strlen(body), "text/plain");
    resp = tsend(req, what);
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        snprintf(want, sizeof want, "\"data\": \"%s\"", body);
        TCHECK(has(t, want), "%s: echo lacks %s:\n%s", what, want, t);
        TCHECK(has(t, "\"method\": \"POST\""), "%s: method:\n%s", what, t);
        TCHECK(has(t, "\"args\": {}"), "%s: args not empty:\n%s", what, t);
        TCHECK(!has(t, "X-Req"), "%s: has another request's X-Req:\n%s", what, t);
    }
    atomic_fetch_add(&n_post, 1);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* Sets t<tid>=<i> (the redirect lands on /cookies, which must show it). */
static void do_cookie_set(int tid, int i) {
    char url[256], want[64], what[64];
    reqc_request *req;
    reqc_response *resp;
    snprintf(url, sizeof url, "%s/cookies/set?t%d=%d", base_url, tid, i);
    snprintf(what, sizeof what, "cookie set t%d=%d", tid, i);
    req = mkreq("GET", url);
    resp = tsend(req, what);
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        snprintf(want, sizeof want, "\"t%d\": \"%d\"", tid, i);
        TCHECK(has(t, want), "%s: /cookies lacks %s:\n%s", what, want, t);
    }
    atomic_fetch_add(&n_cookie_set, 1);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* Reads /cookies: this thread's cookie has the value it last set (only this
 * thread sets t<tid>). With `all`, every thread's cookie must be there. */
static void do_cookie_get(int tid, int last, int all) {
    char url[256], want[64], what[64];
    reqc_request *req;
    reqc_response *resp;
    snprintf(url, sizeof url, "%s/cookies", base_url);
    snprintf(what, sizeof what, "cookie read by thread %d", tid);
    req = mkreq("GET", url);
    resp = tsend(req, what);
    if (resp != NULL) {
        const char *t = reqc_response_text(resp);
        int k;
        snprintf(want, sizeof want, "\"t%d\": \"%d\"", tid, last);
        TCHECK(has(t, want), "%s: lacks %s:\n%s", what, want, t);
        for (k = 0; all && k < THREADS; k++) {
            snprintf(want, sizeof want, "\"t%d\":", k);
            TCHECK(has(t, want), "%s after the barrier: lacks thread %d's cookie:\n%s", what,
                   k, t);
        }
    }
    atomic_fetch_add(&n_cookie_get, 1);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void *worker(void *arg) {
    int tid = (int)(intptr_t)arg, i, last = 0;
    /* The first and last ops are a cookie set and a read; the rest mix. */
    do_cookie_set(tid, 0);
    for (i = 1; i < per_thread - 1; i++) {
        int n = tid * 100000 + i;
        switch ((i + tid) % 4) {
        case 0: do_get(n); break;
        case 1: do_post(n); break;
        case 2: do_cookie_set(tid, i); last = i; break;
        default: do_cookie_get(tid, last, 0); break;
        }
    }
    pthread_barrier_wait(&barrier);
    do_cookie_get(tid, last, 1);
    return NULL;
}

static void test_shared_session(void) {
    pthread_t threads[THREADS];
    const char *small = getenv("REQC_SMALL");
    const char *control = getenv("REQC_TEST_CONTROL");
    int total = (small != NULL && strcmp(small, "1") == 0) ? 80 : 2000, t, started = 0;
    long conns = -1;
    reqc_cookie_list *list = NULL;

    per_thread = total / THREADS;
    snprintf(base_url, sizeof base_url, "%s", URL(""));
    if (check_is_httpbin()) control = NULL;
    CHECK(reqc_session_new(&shared) == REQC_OK);
    if (shared == NULL) return;
    pthread_barrier_init(&barrier, NULL, THREADS);

    if (control != NULL && *control) {
        char url[256];
        reqc_request *req = NULL;
        reqc_response *resp = NULL;
        snprintf(url, sizeof url, "%s/reset", control);
        if (reqc_request_new("POST", url, &req, NULL) == REQC_OK) {
            CHECK_OK(reqc_send(req, &resp), req);
            reqc_response_free(resp);
        }
        reqc_request_free(req);
    }

    for (t = 0; t < THREADS; t++) {
        if (pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)t) != 0) break;
        started++;
    }
    CHECK(started == THREADS);
    for (t = 0; t < started; t++) pthread_join(threads[t], NULL);
    pthread_barrier_destroy(&barrier);

    /* The jar holds exactly one cookie per thread. */
    CHECK(reqc_session_cookies(shared, &list) == REQC_OK);
    CHECK(reqc_cookie_list_count(list) == THREADS);
    reqc_cookie_list_free(list);

    if (control != NULL && *control) {
        conns = check_stats("connections");
        CHECK(conns >= 1);
        CHECK(conns <= THREADS + CONN_SLACK);
    }

    printf("  threads %d, requests sent %d (GET %d, POST %d, cookie set %d, cookie read %d),"
           " failures %d, connections %ld%s\n",
           THREADS, atomic_load(&sent), atomic_load(&n_get), atomic_load(&n_post),
           atomic_load(&n_cookie_set), atomic_load(&n_cookie_get), atomic_load(&failures),
           conns, conns < 0 ? " (no control port)" : "");
    CHECK(atomic_load(&sent) == THREADS * per_thread);
    CHECK(atomic_load(&failures) == 0);
    reqc_session_free(shared);
    shared = NULL;
}

int main(void) {
    RUN(test_shared_session);
    return check_summary();
}
