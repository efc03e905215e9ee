/* env_rules.c: what the process environment may do to a send, and that no
 * password reaches a log or an error message whatever its source.
 *
 * - Proxies from the environment (http_proxy, HTTP_PROXY, all_proxy,
 *   no_proxy) are honoured by default, as Requests does, and not at all
 *   with reqc_session_set_trust_env(s, 0) or reqc_config_set_trust_env(0);
 *   a proxy a layer sets beats the environment and ignores no_proxy.
 * - The CA bundle from REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE and
 *   SSL_CERT_DIR, under the same rule; a CA a layer sets wins.
 * - Proxy passwords from the environment, the session API, the global config
 *   and the target URL's userinfo are absent from every log level
 *   (REQUESTS, HEADERS, WIRE) and from every error message.
 *
 * The test server's proxy (REQC_TEST_PROXY) logs the Proxy-Authorization it
 * received, which proves the credentials were used. Every test skips without
 * libreqc's test server. The environment is changed with setenv only while
 * no other thread runs.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <unistd.h>

#include "check.h"

/* ---- environment -------------------------------------------------------- */

static const char *const env_names[] = {
    "http_proxy",  "HTTP_PROXY",         "https_proxy",    "HTTPS_PROXY",   "all_proxy",
    "ALL_PROXY",   "no_proxy",           "NO_PROXY",       "REQUEST_METHOD", "SSL_CERT_FILE",
    "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
};

static void clear_env(void) {
    size_t i;
    for (i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
        unsetenv(env_names[i]);
}

/* "127.0.0.1:PORT" of the test proxy. */
static const char *proxy_hostport(void) {
    return check_env("REQC_TEST_PROXY") + strlen("http://");
}

/* A proxy URL with `userinfo@` in front of the test proxy's address. */
static const char *proxy_with(const char *userinfo) {
    static char buf[4][512];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "http://%s@%s", userinfo, proxy_hostport());
    return b;
}

/* ---- a log that keeps every line ---------------------------------------- */

#define MAX_LINES 2048

typedef struct {
    char *lines[MAX_LINES];
    int n;
} line_log;

static void collect_line(void *userdata, int level, const char *line) {
    line_log *l = userdata;
    (void)level;
    if (l->n < MAX_LINES) l->lines[l->n++] = strdup(line);
}

static void line_log_clear(line_log *l) {
    int i;
    for (i = 0; i < l->n; i++) free(l->lines[i]);
    l->n = 0;
}

/* Fails the running test for every line holding one of `secrets`. */
static void check_lines_clean(const line_log *l, const char *const *secrets, const char *what) {
    int i, k;
    for (i = 0; i < l->n; i++)
        for (k = 0; secrets[k] != NULL; k++)
            if (strstr(l->lines[i], secrets[k]) != NULL) {
                fprintf(stderr, "  FAIL: %s: secret %s logged: %s\n", what, secrets[k],
                        l->lines[i]);
                check_failed_now = 1;
            }
}

static void check_text_clean(const char *text, const char *const *secrets, const char *what) {
    int k;
    for (k = 0; secrets[k] != NULL; k++)
        if (text != NULL && strstr(text, secrets[k]) != NULL) {
            fprintf(stderr, "  FAIL: %s: secret %s in \"%s\"\n", what, secrets[k], text);
            check_failed_now = 1;
        }
}

static const int levels[] = {REQC_LOG_LEVEL_REQUESTS, REQC_LOG_LEVEL_HEADERS, REQC_LOG_LEVEL_WIRE};
static const char *const level_names[] = {"REQUESTS", "HEADERS", "WIRE"};

/* ---- sending ------------------------------------------------------------ */

/* The body of the last response get_logged received (truncated). */
static char last_body[8192];

/* GET `url` through `s` (its log going to `lines` at `level` when `lines`
 * is not NULL). Returns the code; the status in *status (0 without a
 * response); the request's error message copied to `err`. */
static reqc_code get_logged(reqc_session *s, const char *url, int level, line_log *lines,
                            int *status, char *err, size_t errlen) {
    reqc_request *req = check_new_request("GET", url);
    reqc_response *resp = NULL;
    reqc_code rc;
    *status = 0;
    if (err) *err = 0;
    if (req == NULL) return REQC_E_INVALID_ARGUMENT;
    if (lines != NULL)
        CHECK_OK(reqc_session_set_log_callback(s, level, 0, collect_line, lines, NULL), s);
    /* Loading a CA store is slow under valgrind. */
    CHECK_OK(reqc_request_set_timeout_ms(req, check_small() ? 90000 : 20000), req);
    rc = reqc_session_send(s, req, &resp);
    last_body[0] = 0;
    if (resp != NULL) {
        *status = reqc_response_status(resp);
        snprintf(last_body, sizeof last_body, "%s", reqc_response_text(resp));
    }
    if (err) snprintf(err, errlen, "%s", reqc_request_error(req));
    reqc_response_free(resp);
    reqc_request_free(req);
    return rc;
}

static reqc_session *new_session(void) {
    reqc_session *s = NULL;
    if (reqc_session_new(&s) != REQC_OK) {
        fprintf(stderr, "  FAIL: reqc_session_new\n");
        check_failed_now = 1;
        return NULL;
    }
    return s;
}

/* Requests for the main origin the proxy saw (check_control's own calls,
 * which the environment's proxy may carry too, are not counted). */
static int proxy_log_entries(void) {
    return check_proxied_with(check_env("REQC_TEST_URL"), NULL);
}

/* ---- proxy from the environment ----------------------------------------- */

static const char *const env_secrets[] = {"EnvPassw0rd9", "ZW52dXNlcjpFbnZQYXNzdzByZDk", NULL};

/* http_proxy with credentials: used (the proxy saw them), and no level logs
 * the password or its base64; trust_env 0 reads nothing. */
static void test_env_proxy_used_and_hidden(void) {
    size_t i;
    NEED("REQC_TEST_PROXY");
    for (i = 0; i < 3; i++) {
        reqc_session *s = new_session();
        line_log lines = {{0}, 0};
        int status;
        char err[1024];
        char what[64];
        if (s == NULL) return;
        clear_env();
        setenv("http_proxy", proxy_with("envuser:EnvPassw0rd9"), 1);
        check_stats_reset();
        CHECK_OK(get_logged(s, URL("/get"), levels[i], &lines, &status, err, sizeof err), NULL);
        CHECK(status == 200);
        CHECK(check_proxied_with("/get", "ZW52dXNlcjpFbnZQYXNzdzByZDk=") == 1);
        snprintf(what, sizeof what, "env proxy, level %s", level_names[i]);
        check_lines_clean(&lines, env_secrets, what);
        CHECK(lines.n >= 2);
        line_log_clear(&lines);

        /* Off for this session: straight to the server. */
        CHECK(reqc_session_set_trust_env(s, 0) == REQC_OK);
        check_stats_reset();
        CHECK_OK(get_logged(s, URL("/get"), levels[i], &lines, &status, err, sizeof err), NULL);
        CHECK(status == 200);
        CHECK(proxy_log_entries() == 0);
        check_lines_clean(&lines, env_secrets, what);
        line_log_clear(&lines);
        reqc_session_free(s);
    }
    clear_env();
}

/* https_proxy for an https URL: a CONNECT tunnel carrying the credentials,
 * which no level logs (libcurl's CONNECT trace included). */
static void test_env_https_proxy_connect(void) {
    size_t i;
    NEED("REQC_TEST_PROXY");
    NEED("REQC_TEST_TLS");
    for (i = 0; i < 3; i++) {
        reqc_session *s = new_session();
        line_log lines = {{0}, 0};
        int status;
        char err[1024], what[64];
        const char *tls = check_env("REQC_TEST_TLS") + strlen("https://");
        if (s == NULL) return;
        clear_env();
        /* http_proxy must not be the one used for https; the control port
         * (plain http) bypasses it by a host:port entry. */
        setenv("http_proxy", "http://127.0.0.1:1", 1);
        setenv("no_proxy", check_env("REQC_TEST_CONTROL") + strlen("http://"), 1);
        setenv("https_proxy", proxy_with("envuser:EnvPassw0rd9"), 1);
        CHECK(reqc_session_set_ca_file(s, check_env("REQC_TEST_CA_FILE")) == REQC_OK);
        check_stats_reset();
        CHECK_OK(get_logged(s, check_url_at(check_env("REQC_TEST_TLS"), "/get"), levels[i],
                            &lines, &status, err, sizeof err),
                 NULL);
        CHECK(status == 200);
        CHECK(check_proxied_with(tls, "ZW52dXNlcjpFbnZQYXNzdzByZDk=") == 1);
        snprintf(what, sizeof what, "env https_proxy, level %s", level_names[i]);
        check_lines_clean(&lines, env_secrets, what);
        check_text_clean(err, env_secrets, what);
        line_log_clear(&lines);
        reqc_session_free(s);
    }
    clear_env();
}

/* Upper-case HTTP_PROXY and all_proxy count too; HTTP_PROXY not in a CGI
 * program (REQUEST_METHOD set). */
static void test_env_proxy_names(void) {
    reqc_session *s;
    int status;
    NEED("REQC_TEST_PROXY");
    s = new_session();
    if (s == NULL) return;

    clear_env();
    setenv("HTTP_PROXY", proxy_with("envuser:EnvPassw0rd9"), 1);
    check_stats_reset();
    CHECK_OK(get_logged(s, URL("/get?upper"), 0, NULL, &status, NULL, 0), NULL);
    CHECK(status == 200);
    CHECK(check_proxied_with("/get?upper", "ZW52dXNlcjpFbnZQYXNzdzByZDk=") == 1);

    setenv("REQUEST_METHOD", "GET", 1);
    check_stats_reset();
    CHECK_OK(get_logged(s, URL("/get?cgi"), 0, NULL, &status, NULL, 0), NULL);
    CHECK(status == 200);
    CHECK(proxy_log_entries() == 0);

    clear_env();
    setenv("all_proxy", proxy_with("alluser:AllPassw0rd9"), 1);
    check_stats_reset();
    CHECK_OK(get_logged(s, URL("/get?all"), 0, NULL, &status, NULL, 0), NULL);
    CHECK(status == 200);
    CHECK(check_proxied_with("/get?all", "YWxsdXNlcjpBbGxQYXNzdzByZDk=") == 1);

    /* "host:port" without a scheme is an http proxy. */
    clear_env();
    setenv("http_proxy", proxy_hostport(), 1);
    check_stats_reset();
    CHECK_OK(get_logged(s, URL("/get?bare"), 0, NULL, &status, NULL, 0), NULL);
    CHECK(status == 200);
    CHECK(check_proxied_with("/get?bare", NULL) == 1);
    reqc_session_free(s);
    clear_env();
}

/* no_proxy bypasses the environment's proxy, not a proxy a layer sets. */
static void test_no_proxy(void) {
    reqc_session *s;
    int status;
    char err[1024];
    NEED("REQC_TEST_PROXY");
    s = new_session();
    if (s == NULL) return;
    clear_env();
    /* A proxy nobody listens on: a send through it fails. */
    setenv("http_proxy", "http://127.0.0.1:1", 1);
    CHECK(get_logged(s, URL("/get"), 0, NULL, &status, err, sizeof err) != REQC_OK);

    setenv("no_proxy", "example.com, 127.0.0.1", 1);
    CHECK_OK(get_logged(s, URL("/get"), 0, NULL, &status, err, sizeof err), NULL);
    CHECK(status == 200);
    unsetenv("no_proxy");
    setenv("NO_PROXY", "127.0.0.0/8", 1);
    CHECK_OK(get_logged(s, URL("/get"), 0, NULL, &status, err, sizeof err), NULL);
    CHECK(status == 200);
    setenv("NO_PROXY", "*", 1);
    CHECK_OK(get_logged(s, URL("/get"), 0, NULL, &status, err, sizeof err), NULL);
    CHECK(status == 200);
    setenv("NO_PROXY", "other.example, 10.0.0.0/8", 1);
    CHECK(get_logged(s, URL("/get"), 0, NULL, &status, err, sizeof err) != REQC_OK);

    /* "" on the session: no proxy, whatever the environment says. */
    CHECK(reqc_session_set_proxy(s, "") == REQC_OK);
    CHECK_OK(get_logged(s, URL("/get"), 0, NULL, &status, err, sizeof err), NULL);
    CHECK(status == 200);

    /* A session proxy is used although no_proxy names the host. */
    setenv("NO_PROXY", "127.0.0.1", 1);
    CHECK(reqc_session_set_proxy(s, proxy_with("apiuser:ApiPassw0rd9")) == REQC_OK);
    check_stats_reset();
    CHECK_OK(get_logged(s, URL("/get?explicit"), 0, NULL, &status, err, sizeof err), NULL);
    CHECK(status == 200);
    CHECK(check_proxied_with("/get?explicit", "YXBpdXNlcjpBcGlQYXNzdzByZDk=") == 1);
    reqc_session_free(s);
    clear_env();
}

/* The global config's trust_env, under a session's. */
static void test_config_trust_env(void) {
    reqc_session *s;
    int status;
    char err[1024];
    NEED("REQC_TEST_PROXY");
    s = new_session();
    if (s == NULL) return;
    clear_env();
    setenv("http_proxy", "http://127.0.0.1:1", 1);
    CHECK(reqc_config_set_trust_env(0) == REQC_OK);
    CHECK_OK(get_logged(s, URL("/get"), 0, NULL, &status, err, sizeof err), NULL);
    CHECK(status == 200);
    CHECK(reqc_session_set_trust_env(s, 1) == REQC_OK);
    CHECK(get_logged(s, URL("/get"), 0, NULL, &status, err, sizeof err) != REQC_OK);
    CHECK(reqc_config_reset() == REQC_OK);
    CHECK(reqc_config_set_trust_env(2) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_set_trust_env(s, -1) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_set_trust_env(NULL, 0) == REQC_E_INVALID_ARGUMENT);
    reqc_session_free(s);
    clear_env();
}

/* ---- passwords from every source, at every level ------------------------ */

static const char *const all_secrets[] = {
    "EnvPassw0rd9", "ZW52dXNlcjpFbnZQYXNzdzByZDk",
    "ApiPassw0rd9", "YXBpdXNlcjpBcGlQYXNzdzByZDk",
    "CfgPassw0rd9", "Y2ZndXNlcjpDZmdQYXNzdzByZDk",
    "UrlPassw0rd9", "dXJsdXNlcjpVcmxQYXNzdzByZDk",
    "Pct@Passw0rd9", "Pct%40Passw0rd9", "cGN0dXNlcjpQY3RAUGFzc3cwcmQ5",
    NULL,
};

enum source { FROM_ENV, FROM_API, FROM_CONFIG, FROM_API_ENCODED, FROM_URL };
static const char *const source_names[] = {"environment", "session API", "global config",
                                           "session API, percent-encoded", "URL userinfo"};

/* Sets up a proxy with a password from `src` (or, for FROM_URL, returns the
 * target URL with userinfo); `proxy_addr` is "host:port" of the proxy. */
static const char *set_source(reqc_session *s, enum source src, const char *proxy_addr,
                              const char *path) {
    static char url[1024];
    char proxy[512];
    snprintf(url, sizeof url, "%s", URL(path));
    switch (src) {
    case FROM_ENV:
        snprintf(proxy, sizeof proxy, "http://envuser:EnvPassw0rd9@%s", proxy_addr);
        setenv("http_proxy", proxy, 1);
        break;
    case FROM_API:
        snprintf(proxy, sizeof proxy, "http://apiuser:ApiPassw0rd9@%s", proxy_addr);
        CHECK(reqc_session_set_proxy(s, proxy) == REQC_OK);
        break;
    case FROM_CONFIG:
        snprintf(proxy, sizeof proxy, "http://cfguser:CfgPassw0rd9@%s", proxy_addr);
        CHECK(reqc_config_set_proxy(proxy) == REQC_OK);
        break;
    case FROM_API_ENCODED:
        snprintf(proxy, sizeof proxy, "http://pctuser:Pct%%40Passw0rd9@%s", proxy_addr);
        CHECK(reqc_session_set_proxy(s, proxy) == REQC_OK);
        break;
    case FROM_URL:
        snprintf(url, sizeof url, "http://urluser:UrlPassw0rd9@%s%s",
                 check_env("REQC_TEST_URL") + strlen("http://"), path);
        break;
    }
    return url;
}

static const char *const source_b64[] = {
    "ZW52dXNlcjpFbnZQYXNzdzByZDk=", "YXBpdXNlcjpBcGlQYXNzdzByZDk=",
    "Y2ZndXNlcjpDZmdQYXNzdzByZDk=", "cGN0dXNlcjpQY3RAUGFzc3cwcmQ5", NULL,
};

/* A password from each source is used and never logged, at each level. */
static void test_passwords_never_logged(void) {
    int src;
    size_t i;
    NEED("REQC_TEST_PROXY");
    for (src = FROM_ENV; src <= FROM_URL; src++)
        for (i = 0; i < 3; i++) {
            reqc_session *s = new_session();
            line_log lines = {{0}, 0};
            int status;
            char err[1024], what[128];
            const char *url;
            if (s == NULL) return;
            clear_env();
            url = set_source(s, (enum source)src, proxy_hostport(),
                             src == FROM_URL ? "/headers" : "/get?logged");
            check_stats_reset();
            CHECK_OK(get_logged(s, url, levels[i], &lines, &status, err, sizeof err), NULL);
            snprintf(what, sizeof what, "%s, level %s", source_names[src], level_names[i]);
            if (src == FROM_URL) {
                /* The userinfo became basic auth: the server saw it. */
                CHECK(status == 200);
                CHECK_JSON_HAS(last_body, "Basic dXJsdXNlcjpVcmxQYXNzdzByZDk=");
            } else {
                CHECK(status == 200);
                CHECK(check_proxied_with("/get?logged", source_b64[src]) == 1);
            }
            check_lines_clean(&lines, all_secrets, what);
            check_text_clean(err, all_secrets, what);
            if (lines.n < 2) {
                fprintf(stderr, "  FAIL: %s: only %d log lines\n", what, lines.n);
                check_failed_now = 1;
            }
            line_log_clear(&lines);
            reqc_session_free(s);
            reqc_config_reset();
        }
    clear_env();
}

/* A proxy that fails (nobody listens; a scheme libcurl refuses): the error
 * message and every log line are free of the password, whatever its source. */
static void test_passwords_never_in_errors(void) {
    int src;
    size_t i;
    for (src = FROM_ENV; src <= FROM_API_ENCODED; src++)
        for (i = 0; i < 3; i++) {
            reqc_session *s = new_session();
            line_log lines = {{0}, 0};
            int status;
            char err[1024], what[128];
            const char *url;
            if (s == NULL) return;
            clear_env();
            url = set_source(s, (enum source)src, "127.0.0.1:1", "/get");
            CHECK(get_logged(s, url, levels[i], &lines, &status, err, sizeof err) != REQC_OK);
            snprintf(what, sizeof what, "dead proxy from %s, level %s", source_names[src],
                     level_names[i]);
            CHECK(err[0] != 0);
            check_text_clean(err, all_secrets, what);
            check_lines_clean(&lines, all_secrets, what);
            line_log_clear(&lines);
            reqc_session_free(s);
            reqc_config_reset();
        }
    /* A scheme libcurl does not know, from the environment: libcurl's own
     * message quotes the proxy URL. */
    for (i = 0; i < 3; i++) {
        reqc_session *s = new_session();
        line_log lines = {{0}, 0};
        int status;
        char err[1024];
        if (s == NULL) return;
        clear_env();
        setenv("http_proxy", "bogus://envuser:EnvPassw0rd9@127.0.0.1:1", 1);
        CHECK(get_logged(s, URL("/get"), levels[i], &lines, &status, err, sizeof err) != REQC_OK);
        CHECK(err[0] != 0);
        check_text_clean(err, all_secrets, "bogus env proxy scheme");
        check_lines_clean(&lines, all_secrets, "bogus env proxy scheme");
        line_log_clear(&lines);
        reqc_session_free(s);
    }
    clear_env();
}

/* Refused URLs do not echo their password in the message. */
static void test_passwords_never_in_refusals(void) {
    reqc_session *s = new_session();
    reqc_request *req = check_new_request("GET", URL("/get"));
    if (s == NULL || req == NULL) goto out;
    CHECK(reqc_session_set_proxy(s, "http://apiuser:ApiPassw0rd9@[zz") == REQC_E_INVALID_URL);
    check_text_clean(reqc_session_error(s), all_secrets, "reqc_session_set_proxy");
    CHECK(strstr(reqc_session_error(s), "apiuser") != NULL);
    CHECK(reqc_request_set_url(req, "http://urluser:UrlPassw0rd9@[zz/") == REQC_E_INVALID_URL);
    check_text_clean(reqc_request_error(req), all_secrets, "reqc_request_set_url");
    CHECK(reqc_request_set_url(req, "http://urluser:UrlPassw0rd9@h:99999/") == REQC_E_INVALID_URL);
    check_text_clean(reqc_request_error(req), all_secrets, "reqc_request_set_url (port)");
out:
    reqc_request_free(req);
    reqc_session_free(s);
}

/* ---- the CA bundle from the environment --------------------------------- */

/* GET REQC_TEST_TLS/get through `s`: the code. */
static reqc_code tls_get(reqc_session *s) {
    int status;
    char err[1024];
    reqc_code rc = get_logged(s, check_url_at(check_env("REQC_TEST_TLS"), "/get"), 0, NULL,
                              &status, err, sizeof err);
    if (rc == REQC_OK) CHECK(status == 200);
    return rc;
}

/* A fresh session (its own connections) for one CA case. */
static reqc_code tls_get_fresh(int trust) {
    reqc_session *s = new_session();
    reqc_code rc;
    if (s == NULL) return REQC_E_INVALID_ARGUMENT;
    if (trust >= 0) CHECK(reqc_session_set_trust_env(s, trust) == REQC_OK);
    rc = tls_get(s);
    reqc_session_free(s);
    return rc;
}

#define EXPECT_TLS(trust, want)                                                        \
    do {                                                                               \
        reqc_code got_ = tls_get_fresh(trust);                                         \
        if (got_ != (want)) {                                                          \
            fprintf(stderr, "  FAIL %s:%d: got %s, want %s\n", __FILE__, __LINE__,     \
                    reqc_code_name(got_), reqc_code_name(want));                       \
            check_failed_now = 1;                                                      \
        }                                                                              \
    } while (0)

static void test_ca_file_from_env(void) {
    const char *ca, *names[] = {"SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"};
    size_t i;
    NEED("REQC_TEST_TLS");
    ca = check_env("REQC_TEST_CA_FILE");
    clear_env();
    EXPECT_TLS(-1, REQC_E_TLS); /* the test CA is not in the built-in store */
    for (i = 0; i < 3; i++) {
        clear_env();
        setenv(names[i], ca, 1);
        printf("  %s\n", names[i]);
        EXPECT_TLS(-1, REQC_OK);
        EXPECT_TLS(1, REQC_OK);
        EXPECT_TLS(0, REQC_E_TLS);
    }
    /* The global config's switch. */
    CHECK(reqc_config_set_trust_env(0) == REQC_OK);
    EXPECT_TLS(-1, REQC_E_TLS);
    EXPECT_TLS(1, REQC_OK);
    CHECK(reqc_config_reset() == REQC_OK);
    clear_env();
}

/* REQUESTS_CA_BUNDLE > CURL_CA_BUNDLE > SSL_CERT_FILE; a CA a layer sets
 * beats them all; with verification off none matters. */
static void test_ca_precedence(void) {
    const char *ca, *wrong;
    reqc_session *s;
    NEED("REQC_TEST_TLS");
    NEED("REQC_TEST_CLIENT_CERT_FILE");
    ca = check_env("REQC_TEST_CA_FILE");
    /* A PEM certificate that is not the test CA. */
    wrong = check_env("REQC_TEST_CLIENT_CERT_FILE");
    clear_env();
    setenv("REQUESTS_CA_BUNDLE", wrong, 1);
    setenv("CURL_CA_BUNDLE", ca, 1);
    EXPECT_TLS(-1, REQC_E_TLS);
    setenv("REQUESTS_CA_BUNDLE", ca, 1);
    setenv("CURL_CA_BUNDLE", wrong, 1);
    EXPECT_TLS(-1, REQC_OK);
    clear_env();
    setenv("CURL_CA_BUNDLE", wrong, 1);
    setenv("SSL_CERT_FILE", ca, 1);
    EXPECT_TLS(-1, REQC_E_TLS);

    /* The session's CA wins over the environment's, both ways. */
    clear_env();
    setenv("SSL_CERT_FILE", ca, 1);
    s = new_session();
    if (s != NULL) {
        CHECK(reqc_session_set_ca_file(s, wrong) == REQC_OK);
        CHECK(tls_get(s) == REQC_E_TLS);
        reqc_session_free(s);
    }
    setenv("SSL_CERT_FILE", wrong, 1);
    s = new_session();
    if (s != NULL) {
        CHECK(reqc_session_set_ca_file(s, ca) == REQC_OK);
        CHECK(tls_get(s) == REQC_OK);
        reqc_session_free(s);
    }
    s = new_session();
    if (s != NULL) {
        CHECK(reqc_session_set_verify_tls(s, 0) == REQC_OK);
        CHECK(tls_get(s) == REQC_OK);
        reqc_session_free(s);
    }
    clear_env();
}

/* SSL_CERT_DIR, and a directory named by SSL_CERT_FILE's kin: an OpenSSL
 * hashed directory made with the openssl tool (skipped without it). */
static void test_ca_dir_from_env(void) {
    char dir[] = "/tmp/reqc-ca-XXXXXX", cmd[2048], link[512], hash[64] = "";
    const char *ca;
    FILE *p;
    NEED("REQC_TEST_TLS");
    ca = check_env("REQC_TEST_CA_FILE");
    snprintf(cmd, sizeof cmd, "openssl x509 -hash -noout -in '%s' 2>/dev/null", ca);
    p = popen(cmd, "r");
    if (p == NULL) SKIP("no openssl tool");
    if (fgets(hash, sizeof hash, p) == NULL) hash[0] = 0;
    if (pclose(p) != 0 || hash[0] == 0) SKIP("no openssl tool");
    hash[strcspn(hash, "\r\n")] = 0;
    if (mkdtemp(dir) == NULL) {
        CHECK(!"mkdtemp");
        return;
    }
    snprintf(link, sizeof link, "%s/%s.0", dir, hash);
    CHECK(symlink(ca, link) == 0);

    clear_env();
    setenv("SSL_CERT_DIR", dir, 1);
    EXPECT_TLS(-1, REQC_OK);
    EXPECT_TLS(0, REQC_E_TLS);
    clear_env();
    setenv("REQUESTS_CA_BUNDLE", dir, 1);
    EXPECT_TLS(-1, REQC_OK);
    clear_env();
    unlink(link);
    rmdir(dir);
}

int main(void) {
    clear_env();
    RUN(test_env_proxy_used_and_hidden);
    RUN(test_env_https_proxy_connect);
    RUN(test_env_proxy_names);
    RUN(test_no_proxy);
    RUN(test_config_trust_env);
    RUN(test_passwords_never_logged);
    RUN(test_passwords_never_in_errors);
    RUN(test_passwords_never_in_refusals);
    RUN(test_ca_file_from_env);
    RUN(test_ca_precedence);
    RUN(test_ca_dir_from_env);
    return check_summary();
}
