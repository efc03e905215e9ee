/* eloop.h: an epoll loop that drives a reqc_batch through its socket and
 * timer callbacks (reqc_batch_set_socket_callbacks), as a program with its
 * own event loop does, for the C tests (header-only: static inline functions).
 *
 *     struct eloop el;
 *     if (eloop_open(&el) != 0) ...;
 *     reqc_batch_set_socket_callbacks(b, eloop_on_socket, eloop_on_timer, &el, eloop_on_free);
 *     reqc_batch_start(b, &done);
 *     if (!done) done = eloop_drive(b, &el, 20000);
 *     ...
 *     eloop_close(&el);
 *
 * The struct counts the callbacks, so tests can check when they ran. */
#ifndef REQC_ELOOP_H
#define REQC_ELOOP_H

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"

struct eloop {
    int epfd;         /* -1 when closed */
    int64_t deadline; /* CLOCK_MONOTONIC ms of the batch's timer, -1: none */
    int socket_calls, timer_calls, freed;
    int ctl_errors; /* epoll_ctl failures other than a socket curl closed */
    int iterations; /* epoll_wait calls in eloop_drive */
};

/* A new loop with no timer and zero counts: 0, or -1 when epoll_create1
 * failed (reported). */
static inline int eloop_open(struct eloop *el) {
    memset(el, 0, sizeof *el);
    el->deadline = -1;
    el->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (el->epfd < 0) {
        CHECK(!"epoll_create1 failed");
        return -1;
    }
    return 0;
}

/* Closes the loop's epoll descriptor (the counts stay). */
static inline void eloop_close(struct eloop *el) {
    if (el->epfd >= 0) close(el->epfd);
    el->epfd = -1;
}

/* reqc_socket_fn: watch `fd` for what the batch asks, or stop. */
static inline void eloop_on_socket(void *userdata, int fd, int what) {
    struct eloop *el = userdata;
    struct epoll_event ev;
    el->socket_calls++;
    if (what == REQC_WATCH_REMOVE) {
        /* curl may have closed it already: EBADF/ENOENT are fine */
        epoll_ctl(el->epfd, EPOLL_CTL_DEL, fd, NULL);
        return;
    }
    memset(&ev, 0, sizeof ev);
    ev.events = ((what & REQC_WATCH_IN) ? EPOLLIN : 0) | ((what & REQC_WATCH_OUT) ? EPOLLOUT : 0);
    ev.data.fd = fd;
    if (epoll_ctl(el->epfd, EPOLL_CTL_MOD, fd, &ev) != 0) {
        if (errno != ENOENT || epoll_ctl(el->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
            el->ctl_errors++;
    }
}

/* reqc_timer_fn: call reqc_batch_timeout_action in `timeout_ms` (-1: never). */
static inline void eloop_on_timer(void *userdata, int64_t timeout_ms) {
    struct eloop *el = userdata;
    el->timer_calls++;
    el->deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* reqc_free_fn for the loop as the callbacks' userdata. */
static inline void eloop_on_free(void *userdata) {
    ((struct eloop *)userdata)->freed++;
}

/* Drives the started run of `b` until it is done (*done_out 1), an action
 * fails, or `limit_ms` have passed (*done_out 0). Returns the failed socket
 * or timeout action's code, REQC_OK when none failed (an epoll_wait failure
 * fails the running test). For a test that expects a run to fail; others
 * call eloop_drive. */
static inline reqc_code eloop_run(reqc_batch *b, struct eloop *el, int64_t limit_ms,
                                  int *done_out) {
    struct epoll_event events[32];
    int64_t t0 = now_ms();
    *done_out = 0;
    while (!*done_out) {
        int timeout, n, k;
        int64_t now = now_ms();
        if (now - t0 >= limit_ms) return REQC_OK;
        timeout = el->deadline < 0 ? 200 : el->deadline <= now ? 0 : (int)(el->deadline - now);
        if (timeout > limit_ms - (now - t0)) timeout = (int)(limit_ms - (now - t0));
        n = epoll_wait(el->epfd, events, 32, timeout);
        el->iterations++;
        if (n < 0) {
            if (errno == EINTR) continue;
            CHECK(!"epoll_wait failed");
            return REQC_OK;
        }
        for (k = 0; k < n && !*done_out; k++) {
            int what = 0;
            reqc_code rc;
            if (events[k].events & EPOLLIN) what |= REQC_WATCH_IN;
            if (events[k].events & EPOLLOUT) what |= REQC_WATCH_OUT;
            if (events[k].events & (EPOLLERR | EPOLLHUP)) what |= REQC_WATCH_INOUT;
            rc = reqc_batch_socket_action(b, events[k].data.fd, what, done_out);
            if (rc != REQC_OK) return rc;
        }
        if (!*done_out && el->deadline >= 0 && now_ms() >= el->deadline) {
            reqc_code rc;
            el->deadline = -1;
            rc = reqc_batch_timeout_action(b, done_out);
            if (rc != REQC_OK) return rc;
        }
    }
    return REQC_OK;
}

/* Drives the started run of `b` until it is done or `max_ms` have passed
 * (max_ms < 0: until done, failing the running test after 60 s). Returns 1
 * when the run is done, else 0; a failed socket or timeout action fails the
 * running test (with the batch's message) and returns 0. */
static inline int eloop_drive(reqc_batch *b, struct eloop *el, int64_t max_ms) {
    int done = 0;
    int64_t limit = max_ms < 0 ? 60000 : max_ms;
    reqc_code rc = eloop_run(b, el, limit, &done);
    CHECK_CODE(rc, REQC_OK, b);
    if (rc != REQC_OK) return 0;
    if (!done && max_ms < 0) {
        fprintf(stderr, "  FAIL: epoll loop not done after %lld ms\n", (long long)limit);
        check_failed_now = 1;
    }
    return done;
}

#endif
