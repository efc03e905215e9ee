/* hook_removal.c: reqc_request_remove_hook and reqc_session_remove_hook (as
 * Requests' deregister_hook): ids, removal stops the hook from the next
 * send on, unknown ids, free_userdata exactly once after the last send that
 * could call the hook (a running send keeps its hooks), removal from inside
 * a running hook and from another thread. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <time.h>

#include "check.h"

typedef struct {
    int calls;
    int frees;
    int frees_seen_in_call; /* `frees` as the last call saw it */
    /* To remove a hook from inside a hook: where and which. */
    reqc_request *request;
    reqc_session *session;
    reqc_hook_id remove_id;
    reqc_code remove_rc;
    int removed;
} counter;

static int count_hook(void *userdata, int kind, reqc_hook_ctx *ctx) {
    counter *c = userdata;
    (void)kind;
    (void)ctx;
    c->calls++;
    c->frees_seen_in_call = c->frees;
    return REQC_HOOK_RESULT_CONTINUE;
}

static void count_free(void *userdata) {
    ((counter *)userdata)->frees++;
}

/* Removes `remove_id` from its request or session at its first call. */
static int removing_hook(void *userdata, int kind, reqc_hook_ctx *ctx) {
    counter *c = userdata;
    count_hook(userdata, kind, ctx);
    if (!c->removed) {
        c->removed = 1;
        c->remove_rc = c->request != NULL ? reqc_request_remove_hook(c->request, c->remove_id)
                                          : reqc_session_remove_hook(c->session, c->remove_id);
    }
    return REQC_HOOK_RESULT_CONTINUE;
}

static int send_ok(reqc_session *s, reqc_request *req) {
    reqc_response *resp = NULL;
    reqc_code rc = s != NULL ? reqc_session_send(s, req, &resp) : reqc_send(req, &resp);
    int ok = rc == REQC_OK && reqc_response_status(resp) == 200;
    if (!ok)
        fprintf(stderr, "  send: %s: %s\n", reqc_code_name(rc), reqc_request_error(req));
    reqc_response_free(resp);
    return ok;
}

static void test_ids_unique_and_nonzero(void) {
    reqc_session *s = NULL;
    reqc_request *a = check_new_request("GET", URL("/get"));
    reqc_request *b = check_new_request("GET", URL("/get"));
    reqc_hook_id ids[6];
    int i, j, kind;
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL || a == NULL || b == NULL)
        goto out;
    for (i = 0, kind = REQC_HOOK_KIND_ARGS; i < 2; i++, kind++) {
        ids[3 * i] = 0;
        ids[3 * i + 1] = 0;
        ids[3 * i + 2] = 0;
        CHECK_OK(reqc_request_add_hook(a, kind, count_hook, NULL, NULL, &ids[3 * i]), a);
        CHECK_OK(reqc_request_add_hook(b, kind, count_hook, NULL, NULL, &ids[3 * i + 1]), b);
        CHECK_OK(reqc_session_add_hook(s, kind, count_hook, NULL, NULL, &ids[3 * i + 2]), NULL);
    }
    for (i = 0; i < 6; i++) {
        CHECK(ids[i] != 0);
        for (j = 0; j < i; j++)
            CHECK(ids[i] != ids[j]);
    }
    /* hook_id_out may be NULL. */
    CHECK_OK(reqc_request_add_hook(a, REQC_HOOK_KIND_RESPONSE, count_hook, NULL, NULL, NULL), a);
out:
    reqc_request_free(a);
    reqc_request_free(b);
    reqc_session_free(s);
}

static void test_request_removal_stops_the_hook(void) {
    static counter kept, gone;
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_hook_id kept_id = 0, gone_id = 0;
    memset(&kept, 0, sizeof kept);
    memset(&gone, 0, sizeof gone);
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, count_hook, &kept, count_free,
                                   &kept_id),
             req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, count_hook, &gone, count_free,
                                   &gone_id),
             req);
    CHECK(send_ok(NULL, req));
    CHECK(kept.calls == 1 && gone.calls == 1);
    CHECK_OK(reqc_request_remove_hook(req, gone_id), req);
    /* No copy and no send holds it any more: released now, once. */
    CHECK(gone.frees == 1);
    CHECK(send_ok(NULL, req));
    CHECK(send_ok(NULL, req));
    CHECK(kept.calls == 3);
    CHECK(gone.calls == 1);
    CHECK(gone.frees == 1);
    CHECK(kept.frees == 0);
    reqc_request_free(req);
    CHECK(kept.frees == 1);
    CHECK(gone.frees == 1);
}

static void test_session_removal_stops_the_hook(void) {
    static counter kept, gone;
    reqc_session *s = NULL;
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_hook_id kept_id = 0, gone_id = 0;
    memset(&kept, 0, sizeof kept);
    memset(&gone, 0, sizeof gone);
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL || req == NULL)
        goto out;
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_PRE_REQUEST, count_hook, &kept, count_free,
                                   &kept_id),
             NULL);
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_PRE_REQUEST, count_hook, &gone, count_free,
                                   &gone_id),
             NULL);
    CHECK(send_ok(s, req));
    CHECK(kept.calls == 1 && gone.calls == 1);
    CHECK_OK(reqc_session_remove_hook(s, gone_id), NULL);
    CHECK(gone.frees == 1);
    CHECK(send_ok(s, req));
    CHECK(kept.calls == 2);
    CHECK(gone.calls == 1);
    /* The id is gone: removing it again is NOT_FOUND. */
    CHECK(reqc_session_remove_hook(s, gone_id) == REQC_E_NOT_FOUND);
out:
    reqc_request_free(req);
    reqc_session_free(s);
    CHECK(kept.frees == 1);
    CHECK(gone.frees == 1);
}

static void test_unknown_ids(void) {
    reqc_session *s = NULL, *other_session = NULL;
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_request *other = check_new_request("GET", URL("/get"));
    reqc_hook_id req_id = 0, other_id = 0, session_id = 0;
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_session_new(&other_session), NULL);
    if (s == NULL || other_session == NULL || req == NULL || other == NULL)
        goto out;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, count_hook, NULL, NULL, &req_id), req);
    CHECK_OK(reqc_request_add_hook(other, REQC_HOOK_KIND_ARGS, count_hook, NULL, NULL, &other_id),
             other);
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_ARGS, count_hook, NULL, NULL, &session_id),
             NULL);

    /* Requests: 0, another request's id, a session's id. */
    CHECK(reqc_request_remove_hook(req, 0) == REQC_E_NOT_FOUND);
    CHECK(strstr(reqc_request_error(req), "REQC_E_NOT_FOUND") != NULL);
    CHECK(strstr(reqc_request_error(req), "no hook with id 0 on this request") != NULL);
    CHECK(reqc_request_remove_hook(req, other_id) == REQC_E_NOT_FOUND);
    CHECK(strstr(reqc_request_error(req), "no hook with id") != NULL);
    CHECK(reqc_request_remove_hook(req, session_id) == REQC_E_NOT_FOUND);
    /* Sessions: 0, a request's id, another session's. */
    CHECK(reqc_session_remove_hook(s, 0) == REQC_E_NOT_FOUND);
    CHECK(strstr(reqc_session_error(s), "no hook with id 0 on this session") != NULL);
    CHECK(reqc_session_remove_hook(s, req_id) == REQC_E_NOT_FOUND);
    CHECK(reqc_session_remove_hook(other_session, session_id) == REQC_E_NOT_FOUND);
    CHECK(strstr(reqc_session_error(other_session), "no hook with id") != NULL);
    /* NULL handles. */
    CHECK(reqc_request_remove_hook(NULL, req_id) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_remove_hook(NULL, session_id) == REQC_E_INVALID_ARGUMENT);
    /* None of that removed anything: each id still works once, on its own handle. */
    CHECK_OK(reqc_request_remove_hook(other, other_id), other);
    CHECK_OK(reqc_request_remove_hook(req, req_id), req);
    CHECK(reqc_request_remove_hook(req, req_id) == REQC_E_NOT_FOUND);
    CHECK_OK(reqc_session_remove_hook(s, session_id), NULL);
out:
    reqc_request_free(req);
    reqc_request_free(other);
    reqc_session_free(s);
    reqc_session_free(other_session);
}

/* A copy made before the removal keeps the registration (and runs the
 * hook); the userdata is freed when that copy goes. A copy made after does
 * not have it. */
static void test_copies_and_free_userdata(void) {
    static counter c;
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_request *before = NULL, *after = NULL;
    reqc_hook_id id = 0;
    memset(&c, 0, sizeof c);
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, count_hook, &c, count_free, &id), req);
    CHECK_OK(reqc_request_clone(req, &before), req);
    CHECK_OK(reqc_request_remove_hook(req, id), req);
    CHECK(c.frees == 0); /* `before` still holds it */
    CHECK_OK(reqc_request_clone(req, &after), req);
    CHECK(send_ok(NULL, after));
    CHECK(c.calls == 0);
    CHECK(send_ok(NULL, before));
    CHECK(c.calls == 1);
    CHECK(reqc_request_remove_hook(after, id) == REQC_E_NOT_FOUND);
    CHECK_OK(reqc_request_remove_hook(before, id), before);
    CHECK(c.frees == 1);
    reqc_request_free(before);
    reqc_request_free(after);
    reqc_request_free(req);
    CHECK(c.frees == 1);
}

/* A hook removes itself at hop 0 of a two-redirect send: it still runs on
 * hops 1 and 2 (the running send keeps its hooks), its userdata is not
 * freed during the send, it is freed once the send returns, and the next
 * send does not run it. */
static void test_request_hook_removes_itself(void) {
    static counter c;
    reqc_request *req = check_new_request("GET", URL("/redirect/2"));
    reqc_hook_id id = 0;
    memset(&c, 0, sizeof c);
    if (req == NULL)
        return;
    c.request = req;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_PRE_REQUEST, removing_hook, &c, count_free,
                                   &id),
             req);
    c.remove_id = id;
    CHECK(send_ok(NULL, req));
    CHECK(c.remove_rc == REQC_OK);
    CHECK(c.calls == 3);
    CHECK(c.frees_seen_in_call == 0); /* not freed while the send could call it */
    CHECK(c.frees == 1);              /* freed once that send returned */
    CHECK(send_ok(NULL, req));
    CHECK(c.calls == 3);
    reqc_request_free(req);
    CHECK(c.frees == 1);
}

static void test_session_hook_removes_itself(void) {
    static counter c, other;
    reqc_session *s = NULL;
    reqc_request *req = check_new_request("GET", URL("/redirect/2"));
    reqc_hook_id id = 0, other_id = 0;
    memset(&c, 0, sizeof c);
    memset(&other, 0, sizeof other);
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL || req == NULL)
        goto out;
    c.session = s;
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, removing_hook, &c, count_free, &id),
             NULL);
    /* A second hook, removed by the first one's call too (below). */
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, count_hook, &other, count_free,
                                   &other_id),
             NULL);
    c.remove_id = id;
    CHECK(send_ok(s, req));
    CHECK(c.remove_rc == REQC_OK);
    CHECK(c.calls == 3);
    CHECK(c.frees_seen_in_call == 0);
    CHECK(c.frees == 1);
    CHECK(other.calls == 3);
    /* Remove the other one from inside a hook of a new registration. */
    c.removed = 0;
    c.remove_id = other_id;
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, removing_hook, &c, NULL, NULL),
             NULL);
    CHECK(send_ok(s, req));
    CHECK(c.remove_rc == REQC_OK);
    CHECK(other.calls == 6); /* kept by the running send */
    CHECK(other.frees_seen_in_call == 0);
    CHECK(other.frees == 1);
    CHECK(send_ok(s, req));
    CHECK(other.calls == 6);
out:
    reqc_request_free(req);
    reqc_session_free(s);
    CHECK(c.frees == 1);
    CHECK(other.frees == 1);
}

/* Batches: a removal before the run means the run does not call the hook;
 * a removal during the run (from a hook of its first item) leaves the hook
 * to the whole run, which started with it, and frees it when the run ends. */
static void test_batch_runs(void) {
    static counter before, during;
    reqc_session *s = NULL;
    reqc_batch *b = NULL;
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_hook_id before_id = 0, during_id = 0;
    size_t i, index;
    memset(&before, 0, sizeof before);
    memset(&during, 0, sizeof during);
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL || req == NULL)
        goto out;
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, count_hook, &before, count_free,
                                   &before_id),
             s);
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, removing_hook, &during, count_free,
                                   &during_id),
             s);
    during.session = s;
    during.remove_id = during_id;
    CHECK_OK(reqc_batch_new(s, &b), b);
    if (b == NULL)
        goto out;
    CHECK_OK(reqc_batch_set_max_concurrency(b, 1), b);
    for (i = 0; i < 3; i++)
        CHECK_OK(reqc_batch_add(b, req, &index), b);
    CHECK_OK(reqc_session_remove_hook(s, before_id), s); /* added, not yet run */
    CHECK(before.frees == 1);
    CHECK_OK(reqc_batch_perform(b), b);
    CHECK(before.calls == 0);
    CHECK(during.remove_rc == REQC_OK);
    CHECK(during.calls == 3); /* every item of the run that started with it */
    CHECK(during.frees_seen_in_call == 0);
    CHECK(during.frees == 1); /* the run ended */
    /* A new run does not call it. */
    CHECK_OK(reqc_batch_add(b, req, &index), b);
    CHECK_OK(reqc_batch_perform(b), b);
    CHECK(during.calls == 3);
out:
    reqc_batch_free(b);
    reqc_request_free(req);
    reqc_session_free(s);
    CHECK(before.frees == 1);
    CHECK(during.frees == 1);
}

/* ---- removal from another thread while a send runs ---- */

typedef struct {
    reqc_session *session;
    reqc_request *request;
    int ok;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int started; /* the send's PRE_REQUEST ran: the transfer is under way */
} sender;

static int signal_started(void *userdata, int kind, reqc_hook_ctx *ctx) {
    sender *t = userdata;
    (void)kind;
    (void)ctx;
    pthread_mutex_lock(&t->lock);
    t->started = 1;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
    return REQC_HOOK_RESULT_CONTINUE;
}

static void *send_thread(void *arg) {
    sender *t = arg;
    t->ok = send_ok(t->session, t->request);
    return NULL;
}

static void test_removal_while_another_thread_sends(void) {
    static counter c;
    static sender t;
    pthread_t thread;
    reqc_hook_id id = 0;
    memset(&c, 0, sizeof c);
    memset(&t, 0, sizeof t);
    pthread_mutex_init(&t.lock, NULL);
    pthread_cond_init(&t.cond, NULL);
    CHECK_OK(reqc_session_new(&t.session), NULL);
    t.request = check_new_request("GET", URL("/delay/1"));
    if (t.session == NULL || t.request == NULL)
        goto out;
    CHECK_OK(reqc_session_add_hook(t.session, REQC_HOOK_KIND_PRE_REQUEST, signal_started, &t, NULL,
                                   NULL),
             NULL);
    CHECK_OK(reqc_session_add_hook(t.session, REQC_HOOK_KIND_RESPONSE, count_hook, &c, count_free,
                                   &id),
             NULL);
    if (pthread_create(&thread, NULL, send_thread, &t) != 0) {
        CHECK(!"pthread_create");
        goto out;
    }
    pthread_mutex_lock(&t.lock);
    while (!t.started)
        pthread_cond_wait(&t.cond, &t.lock);
    pthread_mutex_unlock(&t.lock);
    /* The send waits a second for /delay/1: remove its RESPONSE hook now. */
    CHECK_OK(reqc_session_remove_hook(t.session, id), NULL);
    CHECK(c.frees == 0); /* the running send still holds it */
    pthread_join(thread, NULL);
    CHECK(t.ok);
    CHECK(c.calls == 1); /* the running send kept it */
    CHECK(c.frees == 1); /* released when that send ended */
    CHECK(send_ok(t.session, t.request));
    CHECK(c.calls == 1);
out:
    reqc_request_free(t.request);
    reqc_session_free(t.session);
    CHECK(c.frees == 1);
    pthread_mutex_destroy(&t.lock);
    pthread_cond_destroy(&t.cond);
}

int main(void) {
    RUN(test_ids_unique_and_nonzero);
    RUN(test_request_removal_stops_the_hook);
    RUN(test_session_removal_stops_the_hook);
    RUN(test_unknown_ids);
    RUN(test_copies_and_free_userdata);
    RUN(test_request_hook_removes_itself);
    RUN(test_session_hook_removes_itself);
    RUN(test_batch_runs);
    RUN(test_removal_while_another_thread_sends);
    return check_summary();
}
