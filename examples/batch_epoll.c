/* batch_epoll.c: drives a batch from the program's own epoll loop.
 *
 * With reqc_batch_set_socket_callbacks, libreqc never waits by itself: it
 * tells the program which sockets to watch (on_socket: REQC_WATCH_IN, _OUT,
 * _INOUT, or REQC_WATCH_REMOVE) and when to call back (on_timer: a timeout in
 * ms, or -1 for none). The program's loop waits in epoll_wait, reports ready
 * sockets with reqc_batch_socket_action and an expired timer with
 * reqc_batch_timeout_action, until `done`. This is how a batch joins an
 * existing event loop (epoll, libuv, libevent) next to the program's other
 * descriptors. Linux only (epoll).
 *
 * Build and run against libreqc's test server (or any httpbin):
 *   cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -o batch_epoll \
 *       examples/batch_epoll.c -Ltarget/release -lreqc
 *   REQC_TEST_URL=http://127.0.0.1:PORT LD_LIBRARY_PATH=target/release ./batch_epoll
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "reqc.h"

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop {
    int epfd;
    int64_t deadline; /* when to call reqc_batch_timeout_action; -1: no timer */
};

/* on_socket: mirror libreqc's wishes into the epoll set. */
static void on_socket(void *userdata, int fd, int what) {
    struct loop *lp = userdata;
    struct epoll_event ev;
    if (what == REQC_WATCH_REMOVE) {
        /* the socket may be closed already (epoll then dropped it): ignore errors */
        epoll_ctl(lp->epfd, EPOLL_CTL_DEL, fd, NULL);
        return;
    }
    memset(&ev, 0, sizeof ev);
    ev.events = ((what & REQC_WATCH_IN) ? EPOLLIN : 0u) | ((what & REQC_WATCH_OUT) ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    /* MOD for a socket already watched, ADD for a new one */
    if (epoll_ctl(lp->epfd, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT)
        if (epoll_ctl(lp->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
            perror("batch_epoll: epoll_ctl ADD");
}

/* on_timer: remember when libreqc wants reqc_batch_timeout_action. */
static void on_timer(void *userdata, int64_t timeout_ms) {
    struct loop *lp = userdata;
    lp->deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

int main(void) {
    const char *base = getenv("REQC_TEST_URL");
    struct loop lp = {-1, -1};
    reqc_batch *b = NULL;
    int done = 0, iterations = 0, failures = 0;
    size_t i, n = 10;
    reqc_code rc = REQC_OK;

    if (base == NULL || *base == 0) {
        fprintf(stderr, "batch_epoll: set REQC_TEST_URL to an httpbin base URL, "
                        "e.g. http://127.0.0.1:8080\n");
        return 2;
    }
    lp.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (lp.epfd < 0) {
        perror("batch_epoll: epoll_create1");
        return 1;
    }
    if (reqc_batch_new(NULL, &b) != REQC_OK ||
        reqc_batch_set_socket_callbacks(b, on_socket, on_timer, &lp, NULL) != REQC_OK) {
        fprintf(stderr, "batch_epoll: setup failed\n");
        reqc_batch_free(b);
        close(lp.epfd);
        return 1;
    }
    for (i = 0; i < n; i++) {
        char url[1024];
        reqc_request *req = NULL;
        snprintf(url, sizeof url, "%s/get?i=%zu", base, i);
        rc = reqc_request_new("GET", url, &req, NULL);
        if (rc == REQC_OK) rc = reqc_batch_add(b, req, NULL);
        reqc_request_free(req);
        if (rc != REQC_OK) {
            fprintf(stderr, "batch_epoll: %s: %s\n", url, reqc_code_name(rc));
            goto out;
        }
    }

    rc = reqc_batch_start(b, &done);
    while (rc == REQC_OK && !done) {
        struct epoll_event events[64];
        int timeout, ready, k;
        int64_t now = now_ms();
        /* wait until a socket is ready or the timer is due (never forever) */
        if (lp.deadline < 0)
            timeout = 1000;
        else
            timeout = lp.deadline <= now ? 0 : (int)(lp.deadline - now);
        ready = epoll_wait(lp.epfd, events, 64, timeout);
        iterations++;
        if (ready < 0) {
            if (errno == EINTR) continue;
            perror("batch_epoll: epoll_wait");
            rc = REQC_E_TRANSPORT;
            break;
        }
        for (k = 0; k < ready && rc == REQC_OK && !done; k++) {
            int what = 0;
            if (events[k].events & EPOLLIN) what |= REQC_WATCH_IN;
            if (events[k].events & EPOLLOUT) what |= REQC_WATCH_OUT;
            if (events[k].events & (EPOLLERR | EPOLLHUP)) what |= REQC_WATCH_INOUT;
            rc = reqc_batch_socket_action(b, events[k].data.fd, what, &done);
        }
        if (rc == REQC_OK && !done && lp.deadline >= 0 && now_ms() >= lp.deadline) {
            lp.deadline = -1;
            rc = reqc_batch_timeout_action(b, &done);
        }
    }
    if (rc != REQC_OK) {
        fprintf(stderr, "batch_epoll: %s\n", reqc_batch_error(b));
        goto out;
    }

    printf("%zu requests done after %d epoll_wait calls:\n", n, iterations);
    for (i = 0; i < n; i++) {
        reqc_response *resp = NULL;
        if (reqc_batch_result(b, i, &resp) == REQC_OK) {
            printf("  <Response [%d]> %s\n", reqc_response_status(resp), reqc_response_url(resp));
            reqc_response_free(resp);
        } else {
            printf("  failed: %s\n", reqc_batch_item_error(b, i));
            failures++;
        }
    }
out:
    reqc_batch_free(b);
    close(lp.epfd);
    return rc != REQC_OK || failures ? 1 : 0;
}
