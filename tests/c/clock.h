/* clock.h: time helpers for the C tests that measure or wait.
 * Include after defining _POSIX_C_SOURCE (199309L or later) or _GNU_SOURCE. */
#ifndef REQC_CLOCK_H
#define REQC_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds on the monotonic clock. */
static inline int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps `ms` milliseconds, resuming after signals. */
static inline void sleep_ms(long ms) {
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) {
    }
}

#endif
