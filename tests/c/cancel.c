/* cancel.c: reqc_request_cancel, from another thread while a send is in
 * flight, before a send, and during a streamed body. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "check.h"
#include "clock.h"

static int contains(const char *s, const char *needle) {
    return s != NULL && strstr(s, needle) != NULL;
}

/* Cancels `req` after `delay_ms`, from its own thread. */
struct canceller {
    reqc_request *req;
    long delay_ms;
    reqc_code rc;
    pthread_t thread;
};

static void *cancel_later(void *arg) {
    struct canceller *c = arg;
    sleep_ms(c->delay_ms);
    c->rc = reqc_request_cancel(c->req);
    return NULL;
}

static int start_canceller(struct canceller *c, reqc_request *req, long delay_ms) {
    c->req = req;
    c->delay_ms = delay_ms;
    c->rc = -1;
    if (pthread_create(&c->thread, NULL, cancel_later, c) != 0) {
        fprintf(stderr, "  FAIL: pthread_create\n");
        check_failed_now = 1;
        return 0;
    }
    return 1;
}

static void test_cancel_in_flight(void) {
    reqc_request *req = NULL;
    reqc_response *resp = (reqc_response *)&req; /* sentinel */
    reqc_response *sentinel = resp;
    struct canceller c;
    int64_t t0, took;
    CHECK_OK(reqc_request_new("GET", URL("/delay/5"), &req, NULL), req);
    if (!req) return;
    if (!start_canceller(&c, req, 200)) {
        reqc_request_free(req);
        return;
    }
    t0 = now_ms();
    CHECK_CODE(reqc_send(req, &resp), REQC_E_CANCELLED, req);
    took = now_ms() - t0;
    CHECK(contains(reqc_request_error(req), "/delay/5"));
    pthread_join(c.thread, NULL);
    CHECK(c.rc == REQC_OK);
    CHECK(resp == sentinel);
    CHECK(took >= 150);
    CHECK(took < 3000);
    /* every later send of it is cancelled too, at once */
    t0 = now_ms();
    CHECK_CODE(reqc_send(req, &resp), REQC_E_CANCELLED, req);
    CHECK(now_ms() - t0 < 1000);
    CHECK(resp == sentinel);
    reqc_request_free(req);
}

static void test_cancel_before_send(void) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    int64_t t0;
    CHECK_OK(reqc_request_new("GET", URL("/delay/5"), &req, NULL), req);
    if (!req) return;
    CHECK_OK(reqc_request_cancel(req), req);
    CHECK_OK(reqc_request_cancel(req), req); /* twice is fine */
    t0 = now_ms();
    CHECK_CODE(reqc_send(req, &resp), REQC_E_CANCELLED, req);
    CHECK(now_ms() - t0 < 1000);
    CHECK(resp == NULL);
    CHECK(contains(reqc_request_error(req), "REQC_E_CANCELLED"));
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_clone_of_cancelled_is_not_cancelled(void) {
    reqc_request *req = NULL, *copy = NULL;
    reqc_response *resp = NULL;
    CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), req);
    if (!req) return;
    CHECK_OK(reqc_request_cancel(req), req);
    CHECK_OK(reqc_request_clone(req, &copy), req);
    if (copy) {
        CHECK_OK(reqc_send(copy, &resp), copy);
        CHECK(resp != NULL && reqc_response_status(resp) == 200);
        if (resp) CHECK_JSON_HAS(reqc_response_text(resp), "/get\"");
        reqc_response_free(resp);
        resp = NULL;
    }
    CHECK_CODE(reqc_send(req, &resp), REQC_E_CANCELLED, req);
    reqc_response_free(resp);
    reqc_request_free(copy);
    reqc_request_free(req);
}

/* Cancelling one request leaves another, sent at the same time, alone. */
struct sender {
    reqc_request *req;
    reqc_code rc;
    int status;
    pthread_t thread;
};

static void *send_in_thread(void *arg) {
    struct sender *s = arg;
    reqc_response *resp = NULL;
    s->rc = reqc_send(s->req, &resp);
    s->status = reqc_response_status(resp);
    reqc_response_free(resp);
    return NULL;
}

static void test_cancel_leaves_others_alone(void) {
    reqc_request *victim = NULL, *other = NULL;
    reqc_response *resp = NULL;
    struct canceller c;
    struct sender s;
    CHECK_OK(reqc_request_new("GET", URL("/delay/5"), &victim, NULL), victim);
    CHECK_OK(reqc_request_new("GET", URL("/delay/1"), &other, NULL), other);
    if (!victim || !other) {
        reqc_request_free(victim);
        reqc_request_free(other);
        return;
    }
    s.req = other;
    s.rc = -1;
    s.status = 0;
    if (pthread_create(&s.thread, NULL, send_in_thread, &s) != 0) {
        CHECK(0);
        reqc_request_free(victim);
        reqc_request_free(other);
        return;
    }
    if (start_canceller(&c, victim, 200)) {
        CHECK_CODE(reqc_send(victim, &resp), REQC_E_CANCELLED, victim);
        pthread_join(c.thread, NULL);
    }
    pthread_join(s.thread, NULL);
    CHECK(s.rc == REQC_OK);
    CHECK(s.status == 200);
    reqc_response_free(resp);
    reqc_request_free(victim);
    reqc_request_free(other);
}

/* Counts streamed bytes. */
struct counter {
    size_t bytes;
    int calls;
    int freed;
    reqc_request *cancel_from_callback; /* cancel after the first bytes */
};

static int count_data(void *userdata, const uint8_t *data, size_t len) {
    struct counter *c = userdata;
    (void)data;
    c->bytes += len;
    c->calls++;
    if (c->cancel_from_callback != NULL && c->bytes >= 3)
        reqc_request_cancel(c->cancel_from_callback);
    return 0;
}

static void free_counter(void *userdata) {
    struct counter *c = userdata;
    c->freed++;
}

static void test_cancel_during_streamed_body(void) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    struct counter cnt = {0, 0, 0, NULL};
    struct canceller c;
    int64_t t0, took;
    if (check_is_httpbin()) SKIP("/reqc/slow-body is a libreqc test server endpoint");
    /* 50 bytes, one every 100 ms: 5 s in all; cancelled after 600 ms */
    CHECK_OK(reqc_request_new("GET", URL("/reqc/slow-body?bytes=50&interval_ms=100"), &req, NULL),
             req);
    if (!req) return;
    CHECK_OK(reqc_request_set_data_callback(req, count_data, &cnt, free_counter), req);
    if (!start_canceller(&c, req, 600)) {
        reqc_request_free(req);
        return;
    }
    t0 = now_ms();
    CHECK_CODE(reqc_send(req, &resp), REQC_E_CANCELLED, req);
    took = now_ms() - t0;
    pthread_join(c.thread, NULL);
    CHECK(c.rc == REQC_OK);
    CHECK(resp == NULL);
    CHECK(took < 3000);
    CHECK(cnt.bytes > 0);  /* it was streaming */
    CHECK(cnt.bytes < 50); /* and did not finish */
    reqc_response_free(resp);
    reqc_request_free(req);
    CHECK(cnt.freed == 1);
}

static void test_cancel_from_data_callback(void) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    struct counter cnt = {0, 0, 0, NULL};
    int64_t t0, took;
    if (check_is_httpbin()) SKIP("/reqc/slow-body is a libreqc test server endpoint");
    CHECK_OK(reqc_request_new("GET", URL("/reqc/slow-body?bytes=50&interval_ms=50"), &req, NULL), req);
    if (!req) return;
    cnt.cancel_from_callback = req; /* on the sending thread, from the callback */
    CHECK_OK(reqc_request_set_data_callback(req, count_data, &cnt, free_counter), req);
    t0 = now_ms();
    CHECK_CODE(reqc_send(req, &resp), REQC_E_CANCELLED, req);
    took = now_ms() - t0;
    CHECK(resp == NULL);
    CHECK(took < 2000);
    CHECK(cnt.bytes >= 3 && cnt.bytes < 50);
    reqc_response_free(resp);
    reqc_request_free(req);
    CHECK(cnt.freed == 1);
}

static void test_cancel_null(void) {
    CHECK(reqc_request_cancel(NULL) == REQC_E_INVALID_ARGUMENT);
}

int main(void) {
    RUN(test_cancel_null);
    RUN(test_cancel_before_send);
    RUN(test_cancel_in_flight);
    RUN(test_clone_of_cancelled_is_not_cancelled);
    RUN(test_cancel_leaves_others_alone);
    RUN(test_cancel_during_streamed_body);
    RUN(test_cancel_from_data_callback);
    return check_summary();
}
