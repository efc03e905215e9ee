/* batch_scale.c: batches at scale, natively only (REQC_SMALL=1, set under
 * valgrind, or running under valgrind, skips everything):
 *
 *   - 10,000 items at concurrency 64 with on_complete freeing each response
 *     all succeed, and the peak RSS of a process running 10,000 items is
 *     within 8 MiB of one running 1,000 (memory is bounded by the
 *     concurrency, not the item count). Peak RSS only grows within a
 *     process, so each size runs in its own fork()ed child.
 *   - with 2,000 descriptors open (so libcurl's sockets are numbered above
 *     FD_SETSIZE, 1024), a batch of 50 items still completes: no select().
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "memory.h"

struct tally {
    size_t ok, failed, bad_status;
    reqc_code first_failure;
    char first_error[512];
};

static void count_and_free(void *userdata, reqc_batch *b, size_t index, reqc_code code,
                           reqc_response *resp) {
    struct tally *t = userdata;
    if (code == REQC_OK) {
        t->ok++;
        if (reqc_response_status(resp) != 200) t->bad_status++;
        reqc_response_free(resp);
    } else {
        if (t->failed++ == 0) {
            t->first_failure = code;
            snprintf(t->first_error, sizeof t->first_error, "%s",
                     reqc_batch_item_error(b, index));
        }
    }
}

/* Runs `n` GETs of /get?i=N at concurrency 64, responses freed as they land.
 * Returns 1 when every item succeeded with a 200. */
static int run_batch(size_t n, struct tally *t, int64_t *took_ms) {
    reqc_batch *b = NULL;
    reqc_request *req = NULL;
    size_t i;
    int64_t t0;
    const char *base = check_env("REQC_TEST_URL");
    char url[256];
    memset(t, 0, sizeof *t);
    if (reqc_batch_new(NULL, &b) != REQC_OK) return 0;
    if (reqc_batch_set_max_concurrency(b, 64) != REQC_OK ||
        reqc_batch_set_complete_callback(b, count_and_free, t, NULL) != REQC_OK) {
        reqc_batch_free(b);
        return 0;
    }
    for (i = 0; i < n; i++) {
        snprintf(url, sizeof url, "%s/get?i=%zu", base, i);
        if (reqc_request_new("GET", url, &req, NULL) != REQC_OK) break;
        if (reqc_batch_add(b, req, NULL) != REQC_OK) break;
        reqc_request_free(req);
        req = NULL;
    }
    reqc_request_free(req);
    t0 = now_ms();
    if (reqc_batch_perform(b) != REQC_OK) {
        fprintf(stderr, "  perform: %s\n", reqc_batch_error(b));
        reqc_batch_free(b);
        return 0;
    }
    *took_ms = now_ms() - t0;
    reqc_batch_free(b);
    return t->ok == n && t->failed == 0 && t->bad_status == 0;
}

/* In the child: runs run_batch(*(size_t *)arg) and reports "success
 * peak-RSS-KiB ok failed non-200 took-ms first-failure|its-message";
 * exits with 0 when the batch fully succeeded. */
static int batch_in_child(void *arg, char *report, size_t size) {
    struct tally t;
    int64_t took = 0;
    int success = run_batch(*(size_t *)arg, &t, &took);
    snprintf(report, size, "%d %ld %zu %zu %zu %lld %s|%s", success, peak_rss_kib(), t.ok,
             t.failed, t.bad_status, (long long)took,
             t.failed ? reqc_code_name(t.first_failure) : "-", t.first_error);
    return success ? 0 : 1;
}

/* Runs run_batch(n) in a child; writes its peak RSS (KiB) to *peak.
 * Returns 1 when the child's batch fully succeeded. */
static int batch_run_in_child(size_t n, long *peak) {
    char buf[1024];
    int success = 0, status;
    long pk = -1;
    size_t nok = 0, nfail = 0, nbad = 0;
    long long took = 0;
    char first[64] = "";
    *peak = -1;
    status = run_in_child(batch_in_child, &n, buf, sizeof buf);
    if (sscanf(buf, "%d %ld %zu %zu %zu %lld %63s", &success, &pk, &nok, &nfail, &nbad, &took,
               first) < 6) {
        printf("  child for %zu items reported nothing (status %d)\n", n, status);
        return 0;
    }
    *peak = pk;
    printf("  %zu items: %zu ok, %zu failed, %zu non-200, %lld ms, peak RSS %ld KiB\n", n, nok,
           nfail, nbad, took, pk);
    if (nfail) printf("  first failure: %s\n", strchr(buf, ' ') ? buf : "");
    return success && status == 0;
}

static void test_10k_items_bounded_memory(void) {
    long peak_1k = -1, peak_10k = -1;
    if (check_small()) SKIP("small sizes asked for (REQC_SMALL=1 or valgrind): too slow");
    if (!RSS_MEANINGFUL) SKIP("AddressSanitizer's allocator quarantine makes RSS meaningless");
    CHECK(batch_run_in_child(1000, &peak_1k));
    CHECK(batch_run_in_child(10000, &peak_10k));
    CHECK(peak_1k > 0);
    CHECK(peak_10k > 0);
    printf("  peak RSS: 1,000 items %ld KiB, 10,000 items %ld KiB, difference %ld KiB\n", peak_1k,
           peak_10k, peak_10k - peak_1k);
    CHECK(peak_10k - peak_1k <= 8 * 1024);
}

static void test_many_fds_no_select(void) {
    struct rlimit rl;
    int fds[2000];
    int opened = 0, i, max_fd = -1;
    struct tally t;
    int64_t took = 0;
    if (check_small()) SKIP("small sizes asked for (REQC_SMALL=1 or valgrind): too slow");
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 2200) SKIP("hard RLIMIT_NOFILE below 2200");
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur < 4096) {
        rlim_t want = rl.rlim_max;
        if (want == RLIM_INFINITY || want > 65536) want = 65536;
        rl.rlim_cur = want;
        CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    }
    for (i = 0; i < 2000; i++) {
        fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fds[i] < 0) break;
        if (fds[i] > max_fd) max_fd = fds[i];
        opened++;
    }
    CHECK(opened == 2000);
    printf("  %d descriptors open, highest %d\n", opened, max_fd);
    CHECK(max_fd >= 2000);
    CHECK(run_batch(50, &t, &took));
    printf("  50 items: %zu ok, %zu failed in %lld ms\n", t.ok, t.failed, (long long)took);
    if (t.failed) printf("  first failure: %s: %s\n", reqc_code_name(t.first_failure), t.first_error);
    for (i = 0; i < opened; i++) close(fds[i]);
}

int main(void) {
    RUN(test_10k_items_bounded_memory);
    RUN(test_many_fds_no_select);
    return check_summary();
}
