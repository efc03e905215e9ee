/* logging.c: verbose logging. Line formats at REQC_LOG_LEVEL_REQUESTS, that no
 * secret reaches the log at any level (HTTP/1.1 and h2c) unless
 * REQC_LOG_FLAG_SHOW_SECRETS asks for it, file-descriptor sinks (global and per
 * session, REQC_LOG_LEVEL_OFF) and the lifetime of a log callback's userdata. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <fcntl.h>
#include <unistd.h>

#include "check.h"

#define MAX_LINES 4096

typedef struct {
    char *lines[MAX_LINES];
    int n;
    int dropped;
} line_log;

static void collect_line(void *userdata, int level, const char *line) {
    line_log *l = userdata;
    (void)level;
    if (l->n < MAX_LINES)
        l->lines[l->n++] = strdup(line);
    else
        l->dropped++;
}

static void line_log_clear(line_log *l) {
    int i;
    for (i = 0; i < l->n; i++)
        free(l->lines[i]);
    l->n = 0;
    l->dropped = 0;
}

static void line_log_dump(const line_log *l) {
    int i;
    for (i = 0; i < l->n; i++)
        fprintf(stderr, "    | %s\n", l->lines[i]);
}

/* Length of a leading `YYYY-MM-DDTHH:MM:SS.ffffff`, or 0. */
static size_t timestamp_len(const char *line) {
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddddd";
    size_t i;
    for (i = 0; shape[i]; i++) {
        if (shape[i] == 'd') {
            if (!isdigit((unsigned char)line[i]))
                return 0;
        } else if (line[i] != shape[i]) {
            return 0;
        }
    }
    return i;
}

/* `<ts>   METHOD   URL`, exactly. */
static int is_start_line(const char *line, const char *method, const char *url) {
    size_t t = timestamp_len(line);
    char want[4096];
    if (t == 0)
        return 0;
    snprintf(want, sizeof want, "   %s   %s", method, url);
    return strcmp(line + t, want) == 0;
}

/* `<ts>   200 OK   <ms> ms   METHOD   URL`. */
static int is_end_line(const char *line, const char *method, const char *url) {
    size_t t = timestamp_len(line), n, k;
    char tail[4096];
    const char *p;
    if (t == 0)
        return 0;
    p = line + t;
    if (strncmp(p, "   200 OK   ", 12) != 0)
        return 0;
    p += 12;
    if (!isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p) || *p == '.')
        p++;
    snprintf(tail, sizeof tail, " ms   %s   %s", method, url);
    n = strlen(p);
    k = strlen(tail);
    return n == k && strcmp(p, tail) == 0;
}

static void test_request_lines(void) {
    reqc_session *s = NULL;
    reqc_request *reqs[3] = {NULL, NULL, NULL};
    const char *methods[3] = {"GET", "POST", "GET"};
    char urls[3][1024];
    line_log lines;
    int i, j, starts = 0, ends = 0;

    lines.n = 0;
    lines.dropped = 0;
    snprintf(urls[0], sizeof urls[0], "%s", URL("/get"));
    snprintf(urls[1], sizeof urls[1], "%s", URL("/post"));
    snprintf(urls[2], sizeof urls[2], "%s", URL("/headers"));
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL)
        return;
    CHECK_OK(reqc_session_set_log_callback(s, REQC_LOG_LEVEL_REQUESTS, 0, collect_line, &lines, NULL), s);
    for (i = 0; i < 3; i++) {
        reqc_response *resp = NULL;
        CHECK_OK(reqc_request_new(methods[i], urls[i], &reqs[i], NULL), reqs[i]);
        if (reqs[i] == NULL)
            continue;
        if (i == 1)
            CHECK_OK(reqc_request_set_body(reqs[i], (const uint8_t *)"abc", 3, "text/plain"), reqs[i]);
        CHECK_OK(reqc_session_send(s, reqs[i], &resp), reqs[i]);
        if (resp != NULL)
            CHECK(reqc_response_status(resp) == 200);
        reqc_response_free(resp);
    }
    /* The session's sink ends with it: free before reading the lines. */
    reqc_session_free(s);

    for (i = 0; i < 3; i++) {
        int st = 0, en = 0;
        for (j = 0; j < lines.n; j++) {
            if (is_start_line(lines.lines[j], methods[i], urls[i]))
                st++;
            if (is_end_line(lines.lines[j], methods[i], urls[i])) {
                en++;
                CHECK(strstr(lines.lines[j], "200 OK") != NULL);
                CHECK(strstr(lines.lines[j], " ms ") != NULL);
            }
        }
        /* GET /get and GET /headers differ in URL: one each. */
        if (st != 1 || en != 1) {
            fprintf(stderr, "  %s %s: %d start lines, %d completion lines, want 1 and 1\n",
                    methods[i], urls[i], st, en);
            CHECK(!"one start and one completion line per request");
        }
        starts += st;
        ends += en;
    }
    CHECK(starts == 3 && ends == 3);
    if (lines.n != 6) {
        fprintf(stderr, "  %d lines at REQC_LOG_LEVEL_REQUESTS, want 6:\n", lines.n);
        CHECK(lines.n == 6);
    }
    /* Start before completion for each request. */
    if (lines.n == 6)
        for (i = 0; i < 3; i++) {
            CHECK(is_start_line(lines.lines[2 * i], methods[i], urls[i]));
            CHECK(is_end_line(lines.lines[2 * i + 1], methods[i], urls[i]));
        }
    if (check_failed_now > 0)
        line_log_dump(&lines);
    line_log_clear(&lines);
    for (i = 0; i < 3; i++)
        reqc_request_free(reqs[i]);
}

/* A redirect logs a start and completion line per transfer. */
static void test_lines_per_hop(void) {
    reqc_session *s = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    line_log lines;
    int j, starts = 0, ends = 0;

    lines.n = 0;
    lines.dropped = 0;
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_request_new("GET", URL("/redirect/2"), &req, NULL), req);
    if (s == NULL || req == NULL)
        goto out;
    CHECK_OK(reqc_session_set_log_callback(s, REQC_LOG_LEVEL_REQUESTS, 0, collect_line, &lines, NULL), s);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    for (j = 0; j < lines.n; j++) {
        size_t t = timestamp_len(lines.lines[j]);
        if (t == 0)
            continue;
        if (strncmp(lines.lines[j] + t, "   GET   ", 9) == 0)
            starts++;
        else if (strstr(lines.lines[j], " ms   GET   "))
            ends++;
    }
    CHECK(starts == 3);
    CHECK(ends == 3);
    CHECK(is_start_line(lines.lines[0], "GET", URL("/redirect/2")));
    if (check_failed_now > 0)
        line_log_dump(&lines);
out:
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
    line_log_clear(&lines);
}

/* ---- secrets ---- */

static const char *const secrets[] = {
    "S3cretPassw0rd",
    "dXNlcjpTM2NyZXRQYXNzdzByZA==", /* base64("user:S3cretPassw0rd") */
    "dXNlcjpTM2NyZXRQYXNzdzByZA",
    "TOK-abcdef123456",
    "C00kieValue99",
    "KEY-zyx987",
};
#define NSECRETS ((int)(sizeof secrets / sizeof secrets[0]))

/* Sends the requests carrying secrets through a session logging at `level`
 * over `version`; returns 0 when a send failed. */
static int send_secret_requests(int version, reqc_log_level level, reqc_log_flag flags,
                                line_log *lines) {
    reqc_session *s = NULL;
    reqc_request *basic = NULL, *bearer = NULL;
    reqc_response *resp = NULL;
    int ok = 1;

    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_request_new("GET", URL("/anything/basic"), &basic, NULL), basic);
    CHECK_OK(reqc_request_new("GET", URL("/bearer"), &bearer, NULL), bearer);
    if (s == NULL || basic == NULL || bearer == NULL) {
        ok = 0;
        goto out;
    }
    CHECK_OK(reqc_session_set_http_version(s, version), s);
    CHECK_OK(reqc_session_set_log_callback(s, level, flags, collect_line, lines, NULL), s);
    CHECK_OK(reqc_session_set_cookie(s, URL("/"), "sid=C00kieValue99"), s);
    CHECK_OK(reqc_session_set_header(s, "X-Api-Key", "KEY-zyx987"), s);
    CHECK_OK(reqc_session_mark_secret_header(s, "X-Api-Key"), s);
    CHECK_OK(reqc_request_set_auth_basic(basic, "user", "S3cretPassw0rd"), basic);
    CHECK_OK(reqc_request_set_auth_bearer(bearer, "TOK-abcdef123456"), bearer);

    CHECK_OK(reqc_session_send(s, basic, &resp), basic);
    if (resp == NULL) {
        ok = 0;
    } else {
        /* The secrets were sent. */
        CHECK(reqc_response_status(resp) == 200);
        CHECK(reqc_response_http_version(resp) == (version == REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE ? 20 : 11));
        CHECK_JSON_HAS(reqc_response_text(resp), "Basic dXNlcjpTM2NyZXRQYXNzdzByZA==");
        CHECK_JSON_HAS(reqc_response_text(resp), "KEY-zyx987");
        CHECK_JSON_HAS(reqc_response_text(resp), "sid=C00kieValue99");
    }
    reqc_response_free(resp);
    resp = NULL;
    CHECK_OK(reqc_session_send(s, bearer, &resp), bearer);
    if (resp == NULL)
        ok = 0;
    else
        CHECK(reqc_response_status(resp) == 200);
out:
    reqc_response_free(resp);
    reqc_request_free(basic);
    reqc_request_free(bearer);
    reqc_session_free(s);
    return ok;
}

static int count_prefixed(const line_log *l, const char *prefix) {
    int i, n = 0;
    for (i = 0; i < l->n; i++)
        if (strncmp(l->lines[i], prefix, strlen(prefix)) == 0)
            n++;
    return n;
}

static int count_containing(const line_log *l, const char *needle) {
    int i, n = 0;
    for (i = 0; i < l->n; i++)
        if (strstr(l->lines[i], needle) != NULL)
            n++;
    return n;
}

static const char *level_name(int level) {
    switch (level) {
    case REQC_LOG_LEVEL_REQUESTS: return "REQUESTS";
    case REQC_LOG_LEVEL_HEADERS: return "HEADERS";
    case REQC_LOG_LEVEL_WIRE: return "WIRE";
    default: return "?";
    }
}

static void check_no_secrets(int version) {
    int level, i, k;
    for (level = REQC_LOG_LEVEL_REQUESTS; level <= REQC_LOG_LEVEL_WIRE; level++) {
        line_log lines;
        int leaked = 0;
        lines.n = 0;
        lines.dropped = 0;
        if (!send_secret_requests(version, level, 0, &lines)) {
            line_log_clear(&lines);
            continue;
        }
        for (i = 0; i < lines.n; i++)
            for (k = 0; k < NSECRETS; k++)
                if (strstr(lines.lines[i], secrets[k]) != NULL) {
                    fprintf(stderr, "  level %s, HTTP %d: secret %s logged: %s\n",
                            level_name(level), version, secrets[k], lines.lines[i]);
                    leaked = 1;
                }
        CHECK(!leaked);
        CHECK(lines.dropped == 0);
        CHECK(count_prefixed(&lines, "20") >= 4); /* start/completion lines */
        if (level >= REQC_LOG_LEVEL_HEADERS) {
            CHECK(count_prefixed(&lines, "> ") > 0);
            CHECK(count_prefixed(&lines, "< ") > 0);
            if (count_containing(&lines, "***") == 0) {
                fprintf(stderr, "  level %s, HTTP %d: no *** redaction in the log\n",
                        level_name(level), version);
                CHECK(!"redacted values shown as ***");
            }
        }
        if (level == REQC_LOG_LEVEL_WIRE) {
            if (count_prefixed(&lines, "* ") == 0) {
                fprintf(stderr, "  level WIRE, HTTP %d: no \"* \" trace lines\n", version);
                CHECK(!"wire trace lines");
            }
        } else {
            CHECK(count_prefixed(&lines, "* ") == 0);
            if (level == REQC_LOG_LEVEL_REQUESTS)
                CHECK(count_prefixed(&lines, "> ") == 0);
        }
        line_log_clear(&lines);
    }
}

static void test_no_secrets_http11(void) {
    check_no_secrets(REQC_HTTP_VERSION_1_1);
}

static void test_no_secrets_h2c(void) {
    if (!reqc_has_feature("http2"))
        SKIP("libcurl without HTTP/2");
    if (check_is_httpbin())
        SKIP("PyPI's httpbin does not speak h2c");
    check_no_secrets(REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
}

static void test_show_secrets(void) {
    int v, versions[2] = {REQC_HTTP_VERSION_1_1, REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE};
    for (v = 0; v < 2; v++) {
        line_log lines;
        lines.n = 0;
        lines.dropped = 0;
        if (versions[v] == REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE &&
            (!reqc_has_feature("http2") || check_is_httpbin()))
            continue;
        if (send_secret_requests(versions[v], REQC_LOG_LEVEL_HEADERS, REQC_LOG_FLAG_SHOW_SECRETS,
                                 &lines)) {
            CHECK(count_containing(&lines, "dXNlcjpTM2NyZXRQYXNzdzByZA==") > 0);
            CHECK(count_containing(&lines, "TOK-abcdef123456") > 0);
            CHECK(count_containing(&lines, "C00kieValue99") > 0);
            CHECK(count_containing(&lines, "KEY-zyx987") > 0);
            if (check_failed_now > 0) {
                fprintf(stderr, "  HTTP %d with REQC_LOG_FLAG_SHOW_SECRETS:\n", versions[v]);
                line_log_dump(&lines);
            }
        }
        line_log_clear(&lines);
    }
}

/* ---- file-descriptor sinks ---- */

static char *read_fd_all(int fd) {
    off_t size = lseek(fd, 0, SEEK_END);
    char *buf;
    ssize_t got, total = 0;
    if (size < 0)
        return NULL;
    buf = malloc((size_t)size + 1);
    if (buf == NULL)
        return NULL;
    while (total < size) {
        got = pread(fd, buf + total, (size_t)(size - total), total);
        if (got <= 0)
            break;
        total += got;
    }
    buf[total] = 0;
    return buf;
}

static int temp_fd(void) {
    char path[] = "/tmp/reqc-logging-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    return fd;
}

static void send_plain(reqc_session *s, const char *url) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    CHECK_OK(reqc_request_new("GET", url, &req, NULL), req);
    if (req == NULL)
        return;
    if (s != NULL)
        CHECK_OK(reqc_session_send(s, req, &resp), req);
    else
        CHECK_OK(reqc_send(req, &resp), req);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_verbose_fd(void) {
    int fd = temp_fd(), fd2 = temp_fd();
    reqc_session *quiet = NULL, *plain = NULL, *own = NULL;
    char *text = NULL, *text2 = NULL;
    char want[1200];

    CHECK(fd >= 0 && fd2 >= 0);
    if (fd < 0 || fd2 < 0)
        goto out;
    CHECK_OK(reqc_config_set_verbose_fd(fd, REQC_LOG_LEVEL_REQUESTS, 0), NULL);
    CHECK_OK(reqc_session_new(&quiet), NULL);
    CHECK_OK(reqc_session_new(&plain), NULL);
    CHECK_OK(reqc_session_new(&own), NULL);
    if (quiet == NULL || plain == NULL || own == NULL)
        goto out;
    CHECK_OK(reqc_session_set_verbose_fd(quiet, fd, REQC_LOG_LEVEL_OFF, 0), quiet);
    CHECK_OK(reqc_session_set_verbose_fd(own, fd2, REQC_LOG_LEVEL_HEADERS, 0), own);

    send_plain(NULL, URL("/get?global=1"));
    send_plain(plain, URL("/get?plainsession=1"));
    send_plain(quiet, URL("/get?silenced=1"));
    send_plain(own, URL("/get?own=1"));
    CHECK_OK(reqc_config_reset(), NULL);
    send_plain(NULL, URL("/get?afterreset=1"));

    text = read_fd_all(fd);
    text2 = read_fd_all(fd2);
    CHECK(text != NULL && text2 != NULL);
    if (text == NULL || text2 == NULL)
        goto out;
    snprintf(want, sizeof want, "   GET   %s\n", URL("/get?global=1"));
    CHECK(strstr(text, want) != NULL);
    snprintf(want, sizeof want, "   GET   %s\n", URL("/get?plainsession=1"));
    CHECK(strstr(text, want) != NULL);
    CHECK(strstr(text, "200 OK") != NULL);
    CHECK(strstr(text, "silenced") == NULL);
    CHECK(strstr(text, "own=1") == NULL);       /* the session's own sink wins */
    CHECK(strstr(text, "afterreset") == NULL);  /* reset turned the global sink off */
    CHECK(strstr(text, "\n> ") == NULL);        /* REQUESTS level: no headers */
    CHECK(timestamp_len(text) > 0);
    snprintf(want, sizeof want, "   GET   %s\n", URL("/get?own=1"));
    CHECK(strstr(text2, want) != NULL);
    CHECK(strstr(text2, "\n> GET /get?own=1") != NULL);
    CHECK(strstr(text2, "\n< ") != NULL);
    CHECK(strstr(text2, "global=1") == NULL);
    if (check_failed_now > 0)
        fprintf(stderr, "  global fd:\n%s\n  session fd:\n%s\n", text, text2);
out:
    reqc_config_reset();
    free(text);
    free(text2);
    reqc_session_free(quiet);
    reqc_session_free(plain);
    reqc_session_free(own);
    if (fd >= 0)
        close(fd);
    if (fd2 >= 0)
        close(fd2);
}

/* A global callback, and REQC_LOG_LEVEL_OFF on a session silencing it. */
static void test_config_callback(void) {
    line_log lines;
    reqc_session *quiet = NULL;

    lines.n = 0;
    lines.dropped = 0;
    CHECK_OK(reqc_config_set_log_callback(REQC_LOG_LEVEL_REQUESTS, 0, collect_line, &lines, NULL), NULL);
    CHECK_OK(reqc_session_new(&quiet), NULL);
    /* REQC_LOG_LEVEL_OFF through the callback setter (a NULL callback is refused,
     * so pass one that must never be called). */
    if (quiet != NULL)
        CHECK_OK(reqc_session_set_log_callback(quiet, REQC_LOG_LEVEL_OFF, 0, collect_line, &lines, NULL),
                 NULL);
    send_plain(NULL, URL("/get?cb=1"));
    send_plain(quiet, URL("/get?cbquiet=1"));
    CHECK_OK(reqc_config_reset(), NULL);
    send_plain(NULL, URL("/get?cbafter=1"));
    CHECK(count_containing(&lines, "cb=1") == 2);
    CHECK(count_containing(&lines, "cbquiet") == 0);
    CHECK(count_containing(&lines, "cbafter") == 0);
    if (check_failed_now > 0)
        line_log_dump(&lines);
    reqc_session_free(quiet);
    line_log_clear(&lines);
}

/* ---- free_userdata of log callbacks ---- */

static void count_line(void *userdata, int level, const char *line) {
    (void)level;
    (void)line;
    ((int *)userdata)[0]++;
}

static void count_free(void *userdata) {
    ((int *)userdata)[1]++;
}

static void test_log_userdata_freed(void) {
    int a[2] = {0, 0}, b[2] = {0, 0}, c[2] = {0, 0}, g[2] = {0, 0}, h[2] = {0, 0};
    reqc_session *s = NULL;

    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL)
        return;
    CHECK_OK(reqc_session_set_log_callback(s, REQC_LOG_LEVEL_REQUESTS, 0, count_line, a, count_free), s);
    send_plain(s, URL("/get"));
    CHECK(a[0] == 2 && a[1] == 0);
    /* Replaced: a is released, once. */
    CHECK_OK(reqc_session_set_log_callback(s, REQC_LOG_LEVEL_REQUESTS, 0, count_line, b, count_free), s);
    CHECK(a[1] == 1);
    send_plain(s, URL("/get"));
    CHECK(a[0] == 2 && b[0] == 2);
    /* A refused registration (bad level) releases its userdata at once and
     * keeps the current sink. */
    CHECK_CODE(reqc_session_set_log_callback(s, 7, 0, count_line, c, count_free),
               REQC_E_INVALID_ARGUMENT, NULL);
    CHECK(c[1] == 1);
    CHECK(b[1] == 0);
    /* Replaced by an fd sink set to OFF: b released. */
    CHECK_OK(reqc_session_set_verbose_fd(s, 2, REQC_LOG_LEVEL_OFF, 0), s);
    CHECK(b[1] == 1);
    CHECK_OK(reqc_session_set_log_callback(s, REQC_LOG_LEVEL_HEADERS, 0, count_line, c, count_free), s);
    reqc_session_free(s);
    /* Freed with the session. */
    CHECK(c[1] == 2);
    CHECK(a[1] == 1 && b[1] == 1);
    CHECK(c[0] == 0);

    /* The global sink: released when replaced and on reset. */
    CHECK_OK(reqc_config_set_log_callback(REQC_LOG_LEVEL_REQUESTS, 0, count_line, g, count_free), NULL);
    CHECK_OK(reqc_config_set_log_callback(REQC_LOG_LEVEL_REQUESTS, 0, count_line, h, count_free), NULL);
    CHECK(g[1] == 1 && h[1] == 0);
    send_plain(NULL, URL("/get"));
    CHECK(g[0] == 0 && h[0] == 2);
    CHECK_OK(reqc_config_reset(), NULL);
    CHECK(g[1] == 1 && h[1] == 1);
    CHECK_CODE(reqc_config_set_log_callback(-1, 0, count_line, g, count_free),
               REQC_E_INVALID_ARGUMENT, NULL);
    CHECK(g[1] == 2);
    reqc_config_reset();
    CHECK(g[1] == 2 && h[1] == 1);
}

int main(void) {
    printf("%s against %s\n", reqc_version(),
           check_is_httpbin() ? "PyPI's httpbin" : "reqc-test-server");
    reqc_config_reset();
    RUN(test_request_lines);
    RUN(test_lines_per_hop);
    RUN(test_no_secrets_http11);
    RUN(test_no_secrets_h2c);
    RUN(test_show_secrets);
    RUN(test_verbose_fd);
    RUN(test_config_callback);
    RUN(test_log_userdata_freed);
    return check_summary();
}
