/* check.h: the tiny test harness of libreqc's C tests.
 *
 * Each test program defines test functions, lists them in main() with RUN(),
 * and ends with `return check_summary();`, which prints the plain closing line
 * "N passed, N failed" and returns non-zero on any failure.
 *
 * The servers under test come from the environment, set by tests/run-c-tests.sh:
 *   REQC_TEST_URL      base URL of the main origin, e.g. http://127.0.0.1:40001
 *   REQC_TEST_URL2     base URL of a second origin (another port)
 *   REQC_TEST_CONTROL  base URL of the test server's control port (connection
 *                      counts); unset when running against PyPI's httpbin
 *   REQC_TEST_HTTPBIN  "1" when the servers are PyPI's httpbin: tests of
 *                      libreqc-only endpoints (/reqc/...) skip themselves
 */
#ifndef REQC_CHECK_H
#define REQC_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reqc.h"

static int check_failed_now;
static int check_passed_count;
static int check_failed_count;
static int check_skipped_count;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);        \
            check_failed_now = 1;                                                    \
        }                                                                            \
    } while (0)

static inline const char *check_no_message(const void *handle) {
    (void)handle;
    return "";
}

/* The message a failed call left on `handle`, by the handle's type: a
 * request's, session's or batch's; "" for NULL or anything else. */
#define CHECK_MESSAGE(handle)                                                        \
    _Generic((handle),                                                               \
        reqc_request *: reqc_request_error,                                          \
        const reqc_request *: reqc_request_error,                                    \
        reqc_session *: reqc_session_error,                                          \
        const reqc_session *: reqc_session_error,                                    \
        reqc_batch *: reqc_batch_error,                                              \
        const reqc_batch *: reqc_batch_error,                                        \
        default: check_no_message)(handle)

/* Whether a failure of the call `expr` (its text) can have left its message
 * on a request: calls on the request, sends, and the tests' own helpers; not
 * a reqc_session_* setter, a batch, cookie or config call, whose message is
 * on another handle (or none). */
static inline int check_message_on_request(const char *expr) {
    return strncmp(expr, "reqc_", 5) != 0 || strncmp(expr, "reqc_request_", 13) == 0 ||
           strncmp(expr, "reqc_send", 9) == 0 || strncmp(expr, "reqc_session_send", 17) == 0;
}

/* Prints a failed CHECK_CODE: the call, the codes, and the message of
 * `handle`, the one the call was on (pass NULL when it has none: then only
 * the code's name). A request's message is left out after a call on
 * another handle, so a stale one is never shown as the cause. */
static inline void check_code_failed(const char *file, int line, const char *expr, reqc_code got,
                                     reqc_code want, const char *message, int is_request) {
    if (message == NULL || (is_request && !check_message_on_request(expr))) message = "";
    fprintf(stderr, "  FAIL %s:%d: %s gave %s, want %s%s%s%s\n", file, line, expr,
            reqc_code_name(got), reqc_code_name(want), *message ? " (" : "", message,
            *message ? ")" : "");
    check_failed_now = 1;
}

#define CHECK_IS_REQUEST(handle)                                                     \
    _Generic((handle), reqc_request *: 1, const reqc_request *: 1, default: 0)

/* Checks that `expr` gives the reqc_code `want`; on failure prints both
 * codes' names and the message of `handle`, the request, session or batch
 * the call was on (NULL: none). */
#define CHECK_CODE(expr, want, handle)                                               \
    do {                                                                             \
        reqc_code check_rc_ = (expr);                                                \
        if (check_rc_ != (want))                                                     \
            check_code_failed(__FILE__, __LINE__, #expr, check_rc_, (want),          \
                              CHECK_MESSAGE(handle), CHECK_IS_REQUEST(handle));      \
    } while (0)

#define CHECK_OK(expr, handle) CHECK_CODE(expr, REQC_OK, handle)

#define CHECK_STR_EQ(got, want)                                                      \
    do {                                                                             \
        const char *check_g_ = (got), *check_w_ = (want);                            \
        if (check_g_ == NULL || strcmp(check_g_, check_w_) != 0) {                   \
            fprintf(stderr, "  FAIL %s:%d: %s is \"%s\", want \"%s\"\n", __FILE__,   \
                    __LINE__, #got, check_g_ ? check_g_ : "(null)", check_w_);       \
            check_failed_now = 1;                                                    \
        }                                                                            \
    } while (0)

/* Substring check, for JSON echoed by the server: compares with all ASCII
 * whitespace removed from both sides, so formatting does not matter. */
static inline int check_json_has(const char *haystack, const char *needle) {
    size_t hn = strlen(haystack), nn = strlen(needle), i, j = 0, k = 0;
    char *h = malloc(hn + 1), *n = malloc(nn + 1);
    int found;
    for (i = 0; i < hn; i++)
        if (haystack[i] != ' ' && haystack[i] != '\n' && haystack[i] != '\r' && haystack[i] != '\t')
            h[j++] = haystack[i];
    h[j] = 0;
    for (i = 0; i < nn; i++)
        if (needle[i] != ' ' && needle[i] != '\n' && needle[i] != '\r' && needle[i] != '\t')
            n[k++] = needle[i];
    n[k] = 0;
    found = strstr(h, n) != NULL;
    free(h);
    free(n);
    return found;
}

#define CHECK_JSON_HAS(text, needle)                                                 \
    do {                                                                             \
        const char *check_t_ = (text);                                               \
        if (check_t_ == NULL || !check_json_has(check_t_, (needle))) {               \
            fprintf(stderr, "  FAIL %s:%d: %s lacks %s; it is:\n%s\n", __FILE__,     \
                    __LINE__, #text, (needle), check_t_ ? check_t_ : "(null)");      \
            check_failed_now = 1;                                                    \
        }                                                                            \
    } while (0)

#define CHECK_JSON_LACKS(text, needle)                                               \
    do {                                                                             \
        const char *check_t_ = (text);                                               \
        if (check_t_ == NULL || check_json_has(check_t_, (needle))) {                \
            fprintf(stderr, "  FAIL %s:%d: %s has %s; it is:\n%s\n", __FILE__,       \
                    __LINE__, #text, (needle), check_t_ ? check_t_ : "(null)");      \
            check_failed_now = 1;                                                    \
        }                                                                            \
    } while (0)

/* Marks the running test skipped, with a reason, and returns from it. */
#define SKIP(reason)                                                                 \
    do {                                                                             \
        printf("  skip: %s\n", (reason));                                            \
        check_failed_now = -1;                                                       \
        return;                                                                      \
    } while (0)

#define RUN(test)                                                                    \
    do {                                                                             \
        check_failed_now = 0;                                                        \
        printf("%s\n", #test);                                                       \
        fflush(stdout);                                                              \
        test();                                                                      \
        if (check_failed_now > 0) {                                                  \
            check_failed_count++;                                                    \
            printf("  FAILED\n");                                                    \
        } else if (check_failed_now < 0) {                                           \
            check_skipped_count++;                                                   \
        } else {                                                                     \
            check_passed_count++;                                                    \
        }                                                                            \
        fflush(stdout);                                                              \
    } while (0)

static inline int check_summary(void) {
    printf("%d passed, %d failed, %d skipped\n", check_passed_count, check_failed_count,
           check_skipped_count);
    return check_failed_count > 0 ? 1 : 0;
}

/* The environment's value of `name`; exits with a message when it is unset. */
static inline const char *check_env(const char *name) {
    const char *v = getenv(name);
    if (v == NULL || *v == 0) {
        fprintf(stderr, "%s is not set: run this through tests/run-c-tests.sh\n", name);
        exit(2);
    }
    return v;
}

/* True when the servers are PyPI's httpbin rather than libreqc's test server. */
static inline int check_is_httpbin(void) {
    const char *v = getenv("REQC_TEST_HTTPBIN");
    return v != NULL && strcmp(v, "1") == 0;
}

/* base + path, in a static rotating buffer (enough for a test's use). */
static inline const char *check_url_at(const char *base, const char *path) {
    static char bufs[8][2048];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s%s", base, path);
    return b;
}

/* True when the tests should use small sizes: REQC_SMALL=1 (set by
 * run-c-tests.sh --valgrind), or running under valgrind anyway. */
static inline int check_small(void) {
    const char *v = getenv("REQC_SMALL"), *pre = getenv("LD_PRELOAD");
    return (v != NULL && strcmp(v, "1") == 0) || (pre != NULL && strstr(pre, "vgpreload") != NULL);
}

/* The environment's value of `name`, or NULL when it is unset or empty. */
static inline const char *check_env_or_null(const char *name) {
    const char *v = getenv(name);
    return (v != NULL && *v != 0) ? v : NULL;
}

/* Skips the running test when `name` is not in the environment (the
 * listeners only libreqc's test server has). */
#define NEED(name)                                                                   \
    do {                                                                             \
        if (check_env_or_null(name) == NULL)                                         \
            SKIP(name " is not set (not libreqc's test server)");                    \
    } while (0)

/* Calls the test server's control port (REQC_TEST_CONTROL; its connections
 * are not counted) and returns the answer, malloc'd (free it), or NULL,
 * failing the running test. */
static inline char *check_control(const char *method, const char *path) {
    const char *base = check_env_or_null("REQC_TEST_CONTROL");
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    char *out = NULL;
    if (base == NULL || reqc_request_new(method, check_url_at(base, path), &req, NULL) != REQC_OK) {
        fprintf(stderr, "  FAIL: no control port for %s %s\n", method, path);
        check_failed_now = 1;
        return NULL;
    }
    reqc_request_set_timeout_ms(req, 10000);
    if (reqc_send(req, &resp) == REQC_OK && reqc_response_status(resp) == 200) {
        const char *t = reqc_response_text(resp);
        out = malloc(strlen(t) + 1);
        if (out != NULL) strcpy(out, t);
    } else {
        fprintf(stderr, "  FAIL: control %s %s: %s\n", method, path, reqc_request_error(req));
        check_failed_now = 1;
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    return out;
}

/* The number after "key": in a JSON text, or -1 (failing the running test). */
static inline long check_json_number(const char *json, const char *key) {
    char quoted[128];
    const char *p;
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    p = json != NULL ? strstr(json, quoted) : NULL;
    if (p != NULL && (p = strchr(p, ':')) != NULL) return strtol(p + 1, NULL, 10);
    fprintf(stderr, "  FAIL: no \"%s\" in %s\n", key, json != NULL ? json : "(nothing)");
    check_failed_now = 1;
    return -1;
}

/* A counter from the control port's GET /stats ("connections", ...). */
static inline long check_stats(const char *key) {
    char *t = check_control("GET", "/stats");
    long n = t != NULL ? check_json_number(t, key) : -1;
    free(t);
    return n;
}

/* Zeroes the control port's counters (and the proxy log). */
static inline void check_stats_reset(void) {
    free(check_control("POST", "/reset"));
}

/* How many requests for a target containing `target` the test proxy
 * (REQC_TEST_PROXY) carried since the last check_stats_reset, counting only
 * those with "Proxy-Authorization: Basic <b64>" unless `b64` is NULL; -1
 * (failing the running test) without a control port. */
static inline int check_proxied_with(const char *target, const char *b64) {
    char *log = check_control("GET", "/proxy-log");
    char want[256];
    const char *p;
    int n = 0;
    if (log == NULL) return -1;
    snprintf(want, sizeof want, "Basic %s", b64 != NULL ? b64 : "");
    /* One JSON object per request, without nested braces. */
    for (p = log; (p = strchr(p, '{')) != NULL; p++) {
        const char *end = strchr(p, '}');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char entry[1024];
        if (len > sizeof entry - 1) len = sizeof entry - 1;
        snprintf(entry, sizeof entry, "%.*s", (int)len, p);
        if (strstr(entry, target) != NULL && (b64 == NULL || strstr(entry, want) != NULL)) n++;
    }
    free(log);
    return n;
}

/* A new request, or NULL (failing the running test) when it cannot be made. */
/* The index'th hop of a response's history, or NULL: the `_at` accessor
 * in expression form, for assertions. */
static inline const reqc_response *check_hop(const reqc_response *response, size_t index) {
    const reqc_response *hop = NULL;
    return reqc_response_history_at(response, index, &hop) == REQC_OK ? hop : NULL;
}

/* The index'th warning of a response, or NULL. */
static inline const char *check_warning(const reqc_response *response, size_t index) {
    const char *warning = NULL;
    return reqc_response_warning_at(response, index, &warning) == REQC_OK ? warning : NULL;
}

static inline reqc_request *check_new_request(const char *method, const char *url) {
    reqc_request *req = NULL;
    reqc_code rc = reqc_request_new(method, url, &req, NULL);
    if (rc != REQC_OK) {
        fprintf(stderr, "  FAIL: reqc_request_new(%s, %s) gave %s\n", method, url,
                reqc_code_name(rc));
        check_failed_now = 1;
        return NULL;
    }
    return req;
}

#define URL(path) check_url_at(check_env("REQC_TEST_URL"), (path))
#define URL2(path) check_url_at(check_env("REQC_TEST_URL2"), (path))

#endif
