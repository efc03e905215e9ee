/* common.h: measurement helpers shared by the C benchmark clients.
 *
 * Every client prints one JSON line per measurement on stdout:
 *   {"scenario":..., "client":..., "round":..., "requests":N, "bytes":B,
 *    "wall_s":..., "cpu_s":..., "rss_kib":..., "ok":true}
 * wall_s and cpu_s (user+sys) cover only the measured work; rss_kib is the
 * process's peak resident set (getrusage ru_maxrss).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#ifndef _GNU_SOURCE /* g++ defines it already */
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct {
    double wall;
    double cpu;
} bench_mark;

static inline double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double bench_cpu(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static inline long bench_maxrss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static inline bench_mark bench_start(void) {
    bench_mark m;
    m.wall = bench_now();
    m.cpu = bench_cpu();
    return m;
}

/* Prints the measurement line; ok is 0 when any request failed or a byte
 * count was wrong, and then the runner drops the figure. */
static inline void bench_report(const char *scenario, const char *client, int round,
                                long requests, long long bytes, bench_mark m, int ok) {
    double wall = bench_now() - m.wall;
    double cpu = bench_cpu() - m.cpu;
    printf("{\"scenario\":\"%s\",\"client\":\"%s\",\"round\":%d,\"requests\":%ld,"
           "\"bytes\":%lld,\"wall_s\":%.6f,\"cpu_s\":%.6f,\"rss_kib\":%ld,\"ok\":%s}\n",
           scenario, client, round, requests, bytes, wall, cpu, bench_maxrss_kib(),
           ok ? "true" : "false");
    fflush(stdout);
}

#endif
