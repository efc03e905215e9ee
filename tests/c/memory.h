/* memory.h: peak memory for the C tests that bound it (Linux).
 * Include after defining _POSIX_C_SOURCE (200809L or later) or _GNU_SOURCE. */
#ifndef REQC_MEMORY_H
#define REQC_MEMORY_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* AddressSanitizer keeps freed memory in quarantine (hundreds of MiB): a
 * peak resident set says nothing there, so bounds are checked without it. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_MEANINGFUL 0
#else
#define RSS_MEANINGFUL 1
#endif

/* The process's peak resident set in KiB (VmHWM; getrusage's ru_maxrss
 * where /proc is missing), or -1. */
static inline long peak_rss_kib(void) {
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "VmHWM:", 6) == 0) {
                kib = strtol(line + 6, NULL, 10);
                break;
            }
        fclose(f);
    }
    if (kib < 0) {
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) == 0) kib = ru.ru_maxrss; /* KiB on Linux */
    }
    return kib;
}

/* Runs fn(arg, report, size) in a fork()ed child, so that what it allocates
 * shows in a peak resident set of its own (which starts from the parent's
 * resident pages: measure before the parent grows), and copies the text it
 * leaves in `report` (NUL-terminated) back into the parent's `report`
 * ("" when it wrote none). Returns fn's return value, the child's exit
 * status, or -1 when the child could not run or did not exit. */
static inline int run_in_child(int (*fn)(void *arg, char *report, size_t size), void *arg,
                               char *report, size_t size) {
    int fds[2], status = 0;
    size_t len = 0;
    ssize_t got;
    pid_t pid;
    report[0] = 0;
    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0) return -1;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        int rc;
        close(fds[0]);
        rc = fn(arg, report, size);
        if (write(fds[1], report, strlen(report)) < 0) _exit(3);
        close(fds[1]);
        _exit(rc);
    }
    close(fds[1]);
    while (len < size - 1 && (got = read(fds[0], report + len, size - 1 - len)) != 0) {
        if (got < 0) {
            if (errno == EINTR) continue;
            break;
        }
        len += (size_t)got;
    }
    report[len] = 0;
    close(fds[0]);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

#endif
