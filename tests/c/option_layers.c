/* option_layers.c: which setting exists on which layer, and that unsetting it
 * on a layer (reqc_request_unset, reqc_session_unset, reqc_config_unset)
 * hands it back to the layer below, checked on what the server or the caller
 * sees.
 *
 * One row per reqc_option. A row with two values runs the chain: the config
 * sets value 0 (where the option exists there), the session value 1, the
 * request value 0 (where it exists there); the send shows value 0. Unset on
 * the request: value 1 shows. Unset on the session: the config's value 0 (or
 * the built-in default). Unset on the config: the built-in default. A row with
 * one value (no second value can be set: a client certificate, a secret mark)
 * sets it on each layer alone, then unsets it there: the built-in shows.
 *
 * What is seen: the send's code (timeouts, TLS verification, CA, client
 * certificate, TLS 1.3 floor against the TLS 1.2-only listener, body cap), how
 * long a stalled TLS handshake took (connect timeout), the status (redirects),
 * the HTTP version, the echo of /headers and /get (user agent, auth, headers,
 * params, a secret header dropped across origins), the test proxy's log
 * (proxy, trust_env with http_proxy set) and which log callback got lines.
 *
 * The process environment's proxy and CA variables are cleared first, so the
 * built-in defaults are known. Rows needing listeners only libreqc's test
 * server has skip with --httpbin. Everything is freed (valgrind).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"

enum layer { CONFIG, SESSION, REQUEST };
static const char *const LAYER_NAME[] = {"config", "session", "request"};
#define AT_CONFIG (1u << CONFIG)
#define AT_SESSION (1u << SESSION)
#define AT_REQUEST (1u << REQUEST)
#define AT_ALL (AT_CONFIG | AT_SESSION | AT_REQUEST)

/* Fails the running test when `expr` is not REQC_OK, naming the layer call. */
#define SET_OK(expr)                                                                 \
    do {                                                                             \
        reqc_code set_rc_ = (expr);                                                  \
        if (set_rc_ != REQC_OK) {                                                    \
            fprintf(stderr, "  FAIL %s:%d: %s gave %s\n", __FILE__, __LINE__, #expr, \
                    reqc_code_name(set_rc_));                                        \
            check_failed_now = 1;                                                    \
        }                                                                            \
    } while (0)

/* ---- one row of the table ------------------------------------------------ */

typedef struct row {
    const char *name;
    reqc_option option;
    unsigned layers;  /* where the option exists */
    int values;       /* 2: the chain; 1: each layer alone */
    const char *need; /* an environment variable the row needs, or NULL */
    const char *(*url)(void);
    /* Settings that stay the same through the row (another option's), or NULL. */
    void (*prepare)(reqc_session *s, reqc_request *r);
    /* Sets value `v` (0 or 1) on layer `at`. */
    void (*set)(enum layer at, reqc_session *s, reqc_request *r, int v);
    /* Sends `r` through `s` and names what the send showed. */
    const char *(*observe)(reqc_session *s, reqc_request *r);
    /* What value 0, value 1 and the built-in default show. */
    const char *shows[3];
    void (*cleanup)(void);
} row;

/* ---- observations -------------------------------------------------------- */

static int64_t bound_ms(void) { return check_small() ? 30000 : 10000; }

/* Sends; the response (owned, may be NULL) in *out, the code returned. */
static reqc_code send_it(reqc_session *s, reqc_request *r, reqc_response **out) {
    reqc_code rc;
    *out = NULL;
    rc = reqc_session_send(s, r, out);
    if (rc != REQC_OK) printf("    (%s)\n", reqc_request_error(r));
    return rc;
}

/* The code's name: "REQC_OK", "REQC_E_TIMEOUT", ... */
static const char *code_seen(reqc_session *s, reqc_request *r) {
    reqc_response *resp;
    reqc_code rc = send_it(s, r, &resp);
    reqc_response_free(resp);
    return reqc_code_name(rc);
}

/* "ok" or "failed" (TLS failures vary in code by libcurl's TLS library and
 * by when the server's alert arrives). */
static const char *ok_seen(reqc_session *s, reqc_request *r) {
    reqc_response *resp;
    reqc_code rc = send_it(s, r, &resp);
    reqc_response_free(resp);
    return rc == REQC_OK ? "ok" : "failed";
}

static const char *status_seen(reqc_session *s, reqc_request *r) {
    reqc_response *resp;
    reqc_code rc = send_it(s, r, &resp);
    const char *seen = rc != REQC_OK                       ? reqc_code_name(rc)
                       : reqc_response_status(resp) == 302 ? "302"
                       : reqc_response_status(resp) == 200 ? "200"
                                                           : "other status";
    reqc_response_free(resp);
    return seen;
}

static const char *version_seen(reqc_session *s, reqc_request *r) {
    reqc_response *resp;
    reqc_code rc = send_it(s, r, &resp);
    const char *seen = rc != REQC_OK ? reqc_code_name(rc)
                       : reqc_response_http_version(resp) == 10 ? "1.0"
                       : reqc_response_http_version(resp) == 11 ? "1.1"
                                                                : "other version";
    reqc_response_free(resp);
    return seen;
}

/* "value-0" or "value-1" when the echo holds it, else "none". */
static const char *echo_seen(reqc_session *s, reqc_request *r) {
    reqc_response *resp;
    reqc_code rc = send_it(s, r, &resp);
    const char *seen = reqc_code_name(rc), *text;
    if (rc == REQC_OK) {
        text = reqc_response_text(resp);
        seen = strstr(text, "value-0") ? "value-0" : strstr(text, "value-1") ? "value-1" : "none";
    }
    reqc_response_free(resp);
    return seen;
}

/* "proxied" when the test proxy logged the request, else "direct". */
static const char *proxy_seen(reqc_session *s, reqc_request *r) {
    reqc_response *resp;
    reqc_code rc;
    char *log;
    const char *seen;
    check_stats_reset();
    rc = send_it(s, r, &resp);
    reqc_response_free(resp);
    if (rc != REQC_OK) return reqc_code_name(rc);
    log = check_control("GET", "/proxy-log");
    /* Only the entry of this request counts: the control calls go through
     * reqc_send, so through a proxy the config sets, and are logged too. */
    seen = log != NULL && strstr(log, "/get\"") != NULL ? "proxied" : "direct";
    free(log);
    return seen;
}

/* "fast" when the stalled handshake ended well before the total timeout. */
static const char *connect_seen(reqc_session *s, reqc_request *r) {
    reqc_response *resp;
    int64_t t0 = now_ms(), ms;
    reqc_code rc = send_it(s, r, &resp);
    ms = now_ms() - t0;
    reqc_response_free(resp);
    printf("    %s after %lld ms\n", reqc_code_name(rc), (long long)ms);
    if (rc != REQC_E_TIMEOUT) return reqc_code_name(rc);
    return ms < 1000 ? "fast" : "slow";
}

/* How many attempts the send made: "1", "2", "3"... */
static const char *attempts_seen(reqc_session *s, reqc_request *r) {
    static const char *const names[] = {"0", "1", "2", "3", "more"};
    reqc_response *resp;
    reqc_code rc = send_it(s, r, &resp);
    size_t n = rc == REQC_OK ? reqc_response_attempt_count(resp) : 0;
    reqc_response_free(resp);
    if (rc != REQC_OK) return reqc_code_name(rc);
    return names[n < 4 ? n : 4];
}

static int log_lines[2];

static void count_line(void *userdata, reqc_log_level level, const char *line) {
    (void)level;
    (void)line;
    (*(int *)userdata)++;
}

static const char *log_seen(reqc_session *s, reqc_request *r) {
    reqc_response *resp;
    reqc_code rc;
    log_lines[0] = log_lines[1] = 0;
    rc = send_it(s, r, &resp);
    reqc_response_free(resp);
    if (rc != REQC_OK) return reqc_code_name(rc);
    return log_lines[0] > 0 ? "value-0" : log_lines[1] > 0 ? "value-1" : "none";
}

/* ---- URLs ---------------------------------------------------------------- */

static const char *url_delay(void) { return URL("/delay/1"); }
static const char *url_get(void) { return URL("/get"); }
static const char *url_503(void) { return URL("/status/503"); }
static const char *url_headers(void) { return URL("/headers"); }
static const char *url_bytes(void) { return URL("/bytes/1000"); }
static const char *url_redirect(void) { return URL("/redirect/1"); }
static const char *url_drip(void) { return URL("/drip?duration=3&numbytes=3&delay=0"); }
static const char *url_stalled_tls(void) {
    /* The silent listener never answers: the TLS handshake stalls. */
    static char buf[256];
    snprintf(buf, sizeof buf, "https://%s/", check_env("REQC_TEST_SILENT") + strlen("http://"));
    return buf;
}
static const char *url_tls(void) { return check_url_at(check_env("REQC_TEST_TLS"), "/get"); }
static const char *url_self_signed(void) {
    return check_url_at(check_env("REQC_TEST_TLS_SELF_SIGNED"), "/");
}
static const char *url_client_auth(void) {
    return check_url_at(check_env("REQC_TEST_TLS_CLIENT_AUTH"), "/");
}
static const char *url_tls12(void) { return check_url_at(check_env("REQC_TEST_TLS12"), "/"); }
static const char *url_cross_origin(void) {
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/redirect-to?url=%s/headers", check_env("REQC_TEST_URL"),
             check_env("REQC_TEST_URL2"));
    return buf;
}

/* ---- setters, one per row ------------------------------------------------ */

/* Calls the setter of layer `at` with the same arguments. */
#define SET_AT(at, s, r, what, ...)                                                  \
    do {                                                                             \
        if ((at) == CONFIG) SET_OK(reqc_config_##what(__VA_ARGS__));                 \
        else if ((at) == SESSION) SET_OK(reqc_session_##what((s), __VA_ARGS__));     \
        else CHECK_OK(reqc_request_##what((r), __VA_ARGS__), (r));                   \
    } while (0)

/* The same, for the options the config does not have. */
#define SET_SR(at, s, r, what, ...)                                                  \
    do {                                                                             \
        if ((at) == SESSION) SET_OK(reqc_session_##what((s), __VA_ARGS__));          \
        else CHECK_OK(reqc_request_##what((r), __VA_ARGS__), (r));                   \
    } while (0)

static void set_timeout(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_timeout_ms, v == 0 ? 300 : 5000);
}
static void set_read_timeout(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_read_timeout_ms, v == 0 ? 300 : 5000);
}
static void prepare_connect(reqc_session *s, reqc_request *r) {
    (void)s;
    CHECK_OK(reqc_request_set_timeout_ms(r, 1500), r);
    /* No CA store to load (seconds under valgrind, inside the connect
     * phase): only the connect timeout may end the handshake early. */
    CHECK_OK(reqc_request_set_verify_tls(r, 0), r);
    /* One handshake first: OpenSSL's one-time setup (seconds under
     * valgrind) happens in the first send's connect phase. */
    if (check_env_or_null("REQC_TEST_TLS_SELF_SIGNED") != NULL) {
        reqc_request *warm = check_new_request("GET", url_self_signed());
        reqc_response *resp = NULL;
        if (warm != NULL && reqc_request_set_verify_tls(warm, 0) == REQC_OK)
            reqc_send(warm, &resp);
        reqc_response_free(resp);
        reqc_request_free(warm);
    }
}
static void set_connect_timeout(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_connect_timeout_ms, v == 0 ? 200 : 5000);
}
static void set_redirects(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_redirects, v == 0 ? 0 : 1, 5);
}
static void set_http_version(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_http_version, v == 0 ? REQC_HTTP_VERSION_1_0 : REQC_HTTP_VERSION_1_1);
}
static void set_speed_floor(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_speed_floor, v == 0 ? 100 : 0, 1000);
}
static void set_max_bytes(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_max_response_bytes, v == 0 ? 10 : 0);
}
static void set_verify(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_verify_tls, v == 0 ? 0 : 1);
}

/* The test CA as PEM bytes, read once. */
static char ca_pem[16384];
static size_t ca_pem_len;
static void load_ca_pem(void) {
    FILE *f = fopen(check_env("REQC_TEST_CA_FILE"), "rb");
    CHECK(f != NULL);
    if (f == NULL) return;
    ca_pem_len = fread(ca_pem, 1, sizeof ca_pem, f);
    fclose(f);
}

/* Value 0 trusts the test CA (a file on the config and session, PEM bytes on
 * the request); value 1 trusts a certificate that signed nothing the server
 * shows (the client certificate, as a CA file). */
static void set_ca(enum layer at, reqc_session *s, reqc_request *r, int v) {
    const char *file = check_env(v == 0 ? "REQC_TEST_CA_FILE" : "REQC_TEST_CLIENT_CERT_FILE");
    if (at == REQUEST && v == 0) {
        if (ca_pem_len == 0) load_ca_pem();
        CHECK_OK(reqc_request_set_ca_pem(r, (const uint8_t *)ca_pem, ca_pem_len), r);
        return;
    }
    SET_AT(at, s, r, set_ca_file, file);
}
static void prepare_request_ca(reqc_session *s, reqc_request *r) {
    (void)s;
    CHECK_OK(reqc_request_set_ca_file(r, check_env("REQC_TEST_CA_FILE")), r);
}
static void set_client_cert(enum layer at, reqc_session *s, reqc_request *r, int v) {
    (void)v;
    SET_AT(at, s, r, set_client_cert, check_env("REQC_TEST_CLIENT_CERT_FILE"),
           check_env("REQC_TEST_CLIENT_KEY_FILE"));
}
static void set_min_tls(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_min_tls_version, v == 0 ? REQC_TLS_VERSION_1_3 : REQC_TLS_VERSION_1_2);
}
static void set_proxy(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_proxy, v == 0 ? check_env("REQC_TEST_PROXY") : "");
}
static void prepare_env_proxy(reqc_session *s, reqc_request *r) {
    (void)s;
    (void)r;
    setenv("http_proxy", check_env("REQC_TEST_PROXY"), 1);
}
static void cleanup_env_proxy(void) { unsetenv("http_proxy"); }
static void set_trust_env(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_trust_env, v == 0 ? 0 : 1);
}
static void set_user_agent(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_user_agent, v == 0 ? "value-0" : "value-1");
}
static void set_auth(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_SR(at, s, r, set_auth_bearer, v == 0 ? "value-0" : "value-1");
}
static void set_headers(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_header, "X-Layer", v == 0 ? "value-0" : "value-1");
}
static void set_params(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_SR(at, s, r, add_param, "p", v == 0 ? "value-0" : "value-1");
}
static void prepare_secret(reqc_session *s, reqc_request *r) {
    (void)s;
    CHECK_OK(reqc_request_set_header(r, "X-Secret", "value-0"), r);
}
static void set_secret(enum layer at, reqc_session *s, reqc_request *r, int v) {
    (void)v;
    SET_AT(at, s, r, mark_secret_header, "X-Secret");
}
static void prepare_retries(reqc_session *s, reqc_request *r) {
    (void)s;
    CHECK_OK(reqc_request_set_retry_backoff_ms(r, 1, 1), r);
}
static void set_retries(enum layer at, reqc_session *s, reqc_request *r, int v) {
    SET_AT(at, s, r, set_retries, v == 0 ? 3 : 2);
}
static void set_log(enum layer at, reqc_session *s, reqc_request *r, int v) {
    (void)r;
    if (at == CONFIG)
        SET_OK(reqc_config_set_log_callback(REQC_LOG_LEVEL_REQUESTS, 0, count_line, &log_lines[v],
                                            NULL));
    else
        SET_OK(reqc_session_set_log_callback(s, REQC_LOG_LEVEL_REQUESTS, 0, count_line,
                                             &log_lines[v], NULL));
}

/* ---- the table ------------------------------------------------------------ */

static const row ROWS[] = {
    {"TIMEOUT", REQC_OPTION_TIMEOUT, AT_ALL, 2, NULL, url_delay, NULL, set_timeout, code_seen,
     {"REQC_E_TIMEOUT", "REQC_OK", "REQC_OK"}, NULL},
    {"READ_TIMEOUT", REQC_OPTION_READ_TIMEOUT, AT_ALL, 2, NULL, url_delay, NULL,
     set_read_timeout, code_seen, {"REQC_E_TIMEOUT", "REQC_OK", "REQC_OK"}, NULL},
    {"CONNECT_TIMEOUT", REQC_OPTION_CONNECT_TIMEOUT, AT_ALL, 2, "REQC_TEST_SILENT",
     url_stalled_tls, prepare_connect, set_connect_timeout, connect_seen,
     {"fast", "slow", "slow"}, NULL},
    {"REDIRECTS", REQC_OPTION_REDIRECTS, AT_ALL, 2, NULL, url_redirect, NULL, set_redirects,
     status_seen, {"302", "200", "200"}, NULL},
    {"HTTP_VERSION", REQC_OPTION_HTTP_VERSION, AT_ALL, 2, "REQC_TEST_CONTROL", url_get, NULL,
     set_http_version, version_seen, {"1.0", "1.1", "1.1"}, NULL},
    {"SPEED_FLOOR", REQC_OPTION_SPEED_FLOOR, AT_ALL, 2, NULL, url_drip, NULL, set_speed_floor,
     code_seen, {"REQC_E_TIMEOUT", "REQC_OK", "REQC_OK"}, NULL},
    {"MAX_RESPONSE_BYTES", REQC_OPTION_MAX_RESPONSE_BYTES, AT_ALL, 2, NULL, url_bytes, NULL,
     set_max_bytes, code_seen, {"REQC_E_BODY_TOO_LARGE", "REQC_OK", "REQC_OK"}, NULL},
    {"VERIFY_TLS", REQC_OPTION_VERIFY_TLS, AT_ALL, 2, "REQC_TEST_TLS_SELF_SIGNED",
     url_self_signed, NULL, set_verify, ok_seen, {"ok", "failed", "failed"}, NULL},
    {"CA", REQC_OPTION_CA, AT_ALL, 2, "REQC_TEST_TLS", url_tls, NULL, set_ca, ok_seen,
     {"ok", "failed", "failed"}, NULL},
    {"CLIENT_CERT", REQC_OPTION_CLIENT_CERT, AT_ALL, 1, "REQC_TEST_TLS_CLIENT_AUTH",
     url_client_auth, prepare_request_ca, set_client_cert, ok_seen, {"ok", NULL, "failed"}, NULL},
    {"MIN_TLS_VERSION", REQC_OPTION_MIN_TLS_VERSION, AT_ALL, 2, "REQC_TEST_TLS12", url_tls12,
     prepare_request_ca, set_min_tls, ok_seen, {"failed", "ok", "ok"}, NULL},
    {"PROXY", REQC_OPTION_PROXY, AT_ALL, 2, "REQC_TEST_PROXY", url_get, NULL, set_proxy,
     proxy_seen, {"proxied", "direct", "direct"}, NULL},
    {"TRUST_ENV", REQC_OPTION_TRUST_ENV, AT_ALL, 2, "REQC_TEST_PROXY", url_get,
     prepare_env_proxy, set_trust_env, proxy_seen, {"direct", "proxied", "proxied"},
     cleanup_env_proxy},
    {"USER_AGENT", REQC_OPTION_USER_AGENT, AT_ALL, 2, NULL, url_headers, NULL, set_user_agent,
     echo_seen, {"value-0", "value-1", "none"}, NULL},
    {"AUTH", REQC_OPTION_AUTH, AT_SESSION | AT_REQUEST, 2, NULL, url_headers, NULL, set_auth,
     echo_seen, {"value-0", "value-1", "none"}, NULL},
    {"HEADERS", REQC_OPTION_HEADERS, AT_ALL, 2, NULL, url_headers, NULL, set_headers, echo_seen,
     {"value-0", "value-1", "none"}, NULL},
    {"PARAMS", REQC_OPTION_PARAMS, AT_SESSION | AT_REQUEST, 2, NULL, url_get, NULL, set_params,
     echo_seen, {"value-0", "value-1", "none"}, NULL},
    {"SECRET_HEADERS", REQC_OPTION_SECRET_HEADERS, AT_ALL, 1, NULL, url_cross_origin,
     prepare_secret, set_secret, echo_seen, {"none", NULL, "value-0"}, NULL},
    {"RETRIES", REQC_OPTION_RETRIES, AT_ALL, 2, NULL, url_503, prepare_retries, set_retries,
     attempts_seen, {"3", "2", "1"}, NULL},
    {"LOG", REQC_OPTION_LOG, AT_CONFIG | AT_SESSION, 2, NULL, url_get, NULL, set_log, log_seen,
     {"value-0", "value-1", "none"}, NULL},
};

#define NROWS (sizeof ROWS / sizeof ROWS[0])

/* ---- running a row ------------------------------------------------------- */

static reqc_code unset_at(enum layer at, reqc_session *s, reqc_request *r, reqc_option option) {
    return at == CONFIG    ? reqc_config_unset(option)
           : at == SESSION ? reqc_session_unset(s, option)
                           : reqc_request_unset(r, option);
}

/* Sends and checks that it showed `want`; `state` says what is set where. */
static void expect(const row *row, reqc_session *s, reqc_request *r, const char *state,
                   const char *want) {
    const char *seen = row->observe(s, r);
    printf("  %-16s %-40s -> %s\n", row->name, state, seen);
    if (strcmp(seen, want) != 0) {
        fprintf(stderr, "  FAIL: %s with %s showed %s, want %s\n", row->name, state, seen, want);
        check_failed_now = 1;
    }
}

static void unset_ok(enum layer at, reqc_session *s, reqc_request *r, const row *row) {
    reqc_code rc = unset_at(at, s, r, row->option);
    if (rc != REQC_OK) {
        fprintf(stderr, "  FAIL: unset %s on the %s gave %s\n", row->name, LAYER_NAME[at],
                reqc_code_name(rc));
        check_failed_now = 1;
    }
}

/* A fresh session and request for the row, with its constant settings. */
static int start(const row *row, reqc_session **s, reqc_request **r) {
    *s = NULL;
    *r = NULL;
    if (reqc_session_new(s) != REQC_OK) {
        check_failed_now = 1;
        return 0;
    }
    *r = check_new_request("GET", row->url());
    if (*r == NULL) return 0;
    /* The whole send is bounded unless the row is about the total timeout. */
    if (row->option != REQC_OPTION_TIMEOUT) CHECK_OK(reqc_request_set_timeout_ms(*r, bound_ms()), *r);
    if (row->prepare != NULL) row->prepare(*s, *r);
    return 1;
}

static void finish(const row *row, reqc_session *s, reqc_request *r) {
    reqc_request_free(r);
    reqc_session_free(s);
    reqc_config_reset();
    if (row->cleanup != NULL) row->cleanup();
}

/* Config 0, session 1, request 0; then unset from the top down. */
static void run_chain(const row *row) {
    int cfg = (row->layers & AT_CONFIG) != 0, req = (row->layers & AT_REQUEST) != 0;
    reqc_session *s;
    reqc_request *r;
    if (!start(row, &s, &r)) {
        finish(row, s, r);
        return;
    }
    if (cfg) row->set(CONFIG, s, r, 0);
    row->set(SESSION, s, r, 1);
    if (req) {
        row->set(REQUEST, s, r, 0);
        expect(row, s, r, cfg ? "config 0, session 1, request 0" : "session 1, request 0",
               row->shows[0]);
        unset_ok(REQUEST, s, r, row);
    }
    expect(row, s, r, cfg ? "config 0, session 1" : "session 1", row->shows[1]);
    unset_ok(SESSION, s, r, row);
    expect(row, s, r, cfg ? "config 0" : "nothing set", row->shows[cfg ? 0 : 2]);
    if (cfg) {
        unset_ok(CONFIG, s, r, row);
        expect(row, s, r, "nothing set", row->shows[2]);
    }
    finish(row, s, r);
}

/* Each layer alone: set, then unset. */
static void run_each_layer(const row *row) {
    int at;
    char state[64];
    for (at = CONFIG; at <= REQUEST; at++) {
        reqc_session *s;
        reqc_request *r;
        if (!(row->layers & (1u << at))) continue;
        if (start(row, &s, &r)) {
            row->set(at, s, r, 0);
            snprintf(state, sizeof state, "%s set", LAYER_NAME[at]);
            expect(row, s, r, state, row->shows[0]);
            unset_ok(at, s, r, row);
            snprintf(state, sizeof state, "%s set, then unset", LAYER_NAME[at]);
            expect(row, s, r, state, row->shows[2]);
        }
        finish(row, s, r);
    }
}

static const row *find_row(const char *name) {
    size_t i;
    for (i = 0; i < NROWS; i++)
        if (strcmp(ROWS[i].name, name) == 0) return &ROWS[i];
    fprintf(stderr, "  FAIL: no row %s\n", name);
    check_failed_now = 1;
    return NULL;
}

static void run_row(const char *name) {
    const row *row = find_row(name);
    if (row == NULL) return;
    if (row->need != NULL && check_env_or_null(row->need) == NULL)
        SKIP("needs a listener only libreqc's test server has");
    if (row->values == 2)
        run_chain(row);
    else
        run_each_layer(row);
}

/* ---- tests --------------------------------------------------------------- */

static void test_timeout(void) { run_row("TIMEOUT"); }
static void test_read_timeout(void) { run_row("READ_TIMEOUT"); }
static void test_connect_timeout(void) { run_row("CONNECT_TIMEOUT"); }
static void test_redirects(void) { run_row("REDIRECTS"); }
static void test_http_version(void) { run_row("HTTP_VERSION"); }
static void test_speed_floor(void) { run_row("SPEED_FLOOR"); }
static void test_max_response_bytes(void) { run_row("MAX_RESPONSE_BYTES"); }
static void test_verify_tls(void) { run_row("VERIFY_TLS"); }
static void test_ca(void) { run_row("CA"); }
static void test_client_cert(void) { run_row("CLIENT_CERT"); }
static void test_min_tls_version(void) { run_row("MIN_TLS_VERSION"); }
static void test_proxy(void) { run_row("PROXY"); }
static void test_trust_env(void) { run_row("TRUST_ENV"); }
static void test_user_agent(void) { run_row("USER_AGENT"); }
static void test_auth(void) { run_row("AUTH"); }
static void test_headers(void) { run_row("HEADERS"); }
static void test_params(void) { run_row("PARAMS"); }
static void test_secret_headers(void) { run_row("SECRET_HEADERS"); }
static void test_log(void) { run_row("LOG"); }
static void test_retries(void) { run_row("RETRIES"); }

/* An option a layer does not have, an unknown option and a NULL handle are
 * refused with REQC_E_INVALID_ARGUMENT; the message (on the request, the
 * session, or reqc_config_error) names the option and the layer. Prints the
 * table. */
static void test_where_each_option_exists(void) {
    reqc_session *s = NULL;
    reqc_request *r = check_new_request("GET", URL("/get"));
    size_t i;
    int at;
    CHECK(reqc_session_new(&s) == REQC_OK);
    if (r == NULL || s == NULL) goto out;
    printf("  %-20s %-8s %-8s %-8s\n", "REQC_OPTION_", "request", "session", "config");
    for (i = 0; i < NROWS; i++) {
        const row *row = &ROWS[i];
        printf("  %-20s", row->name);
        for (at = REQUEST; at >= CONFIG; at--) {
            reqc_code rc = unset_at(at, s, r, row->option);
            int exists = (row->layers & (1u << at)) != 0;
            printf(" %-8s", rc == REQC_OK ? "yes" : "-");
            CHECK(rc == (exists ? REQC_OK : REQC_E_INVALID_ARGUMENT));
            if (!exists) {
                char want[64];
                const char *msg = at == CONFIG    ? reqc_config_error()
                                  : at == SESSION ? reqc_session_error(s)
                                                  : reqc_request_error(r);
                snprintf(want, sizeof want, "REQC_OPTION_%s", row->name);
                if (strstr(msg, want) == NULL || strstr(msg, LAYER_NAME[at]) == NULL) {
                    fprintf(stderr, "  FAIL: message \"%s\" does not name %s on the %s\n", msg,
                            want, LAYER_NAME[at]);
                    check_failed_now = 1;
                }
            }
        }
        printf("\n");
    }
    {
        /* The retry settings beyond REQC_OPTION_RETRIES (tests/c/retries.c
         * checks what they do): on every layer. */
        static const reqc_option more[] = {REQC_OPTION_RETRY_STATUSES, REQC_OPTION_RETRY_BACKOFF,
                                           REQC_OPTION_RETRY_ALL_METHODS};
        for (i = 0; i < sizeof more / sizeof more[0]; i++)
            for (at = REQUEST; at >= CONFIG; at--) CHECK(unset_at(at, s, r, more[i]) == REQC_OK);
    }
    CHECK(reqc_request_unset(r, 0) == REQC_E_INVALID_ARGUMENT);
    CHECK(strstr(reqc_request_error(r), "reqc_option") != NULL);
    CHECK(reqc_session_unset(s, 999) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_config_unset(-1) == REQC_E_INVALID_ARGUMENT);
    CHECK(strstr(reqc_config_error(), "reqc_option") != NULL);
    CHECK(reqc_request_unset(NULL, REQC_OPTION_TIMEOUT) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_unset(NULL, REQC_OPTION_TIMEOUT) == REQC_E_INVALID_ARGUMENT);
out:
    reqc_request_free(r);
    reqc_session_free(s);
    reqc_config_reset();
}

/* Unset is not an explicit value: unsetting the request's auth brings the
 * session's back, where reqc_request_set_auth_none overrides it. */
static void test_unset_is_not_none(void) {
    reqc_session *s = NULL;
    reqc_request *r = check_new_request("GET", URL("/headers"));
    const row *auth = find_row("AUTH");
    CHECK(reqc_session_new(&s) == REQC_OK);
    if (r == NULL || s == NULL || auth == NULL) goto out;
    SET_OK(reqc_session_set_auth_bearer(s, "value-1"));
    CHECK_OK(reqc_request_set_auth_none(r), r);
    expect(auth, s, r, "session 1, request none", "none");
    CHECK(reqc_request_unset(r, REQC_OPTION_AUTH) == REQC_OK);
    expect(auth, s, r, "session 1, request unset", "value-1");
    /* The session's explicit none overrides a config Authorization header. */
    SET_OK(reqc_config_set_header("Authorization", "Bearer value-0"));
    SET_OK(reqc_session_set_auth_none(s));
    expect(auth, s, r, "config header 0, session none", "none");
    CHECK(reqc_session_unset(s, REQC_OPTION_AUTH) == REQC_OK);
    expect(auth, s, r, "config header 0, session unset", "value-0");
out:
    reqc_request_free(r);
    reqc_session_free(s);
    reqc_config_reset();
}

int main(void) {
    static const char *const env_names[] = {
        "http_proxy",     "HTTP_PROXY",   "https_proxy",        "HTTPS_PROXY",
        "all_proxy",      "ALL_PROXY",    "no_proxy",           "NO_PROXY",
        "REQUEST_METHOD", "SSL_CERT_FILE", "SSL_CERT_DIR",      "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
    };
    size_t i;
    for (i = 0; i < sizeof env_names / sizeof env_names[0]; i++) unsetenv(env_names[i]);

    RUN(test_where_each_option_exists);
    RUN(test_timeout);
    RUN(test_read_timeout);
    RUN(test_connect_timeout);
    RUN(test_redirects);
    RUN(test_http_version);
    RUN(test_speed_floor);
    RUN(test_max_response_bytes);
    RUN(test_verify_tls);
    RUN(test_ca);
    RUN(test_client_cert);
    RUN(test_min_tls_version);
    RUN(test_proxy);
    RUN(test_trust_env);
    RUN(test_user_agent);
    RUN(test_auth);
    RUN(test_headers);
    RUN(test_params);
    RUN(test_secret_headers);
    RUN(test_retries);
    RUN(test_log);
    RUN(test_unset_is_not_none);
    return check_summary();
}
