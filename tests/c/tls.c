/* tls.c: libreqc's TLS through the C ABI, against the test server's TLS
 * listeners (REQC_TEST_TLS and friends): trust from a CA file or PEM bytes,
 * HTTP/2 by ALPN, certificate failures (self-signed, wrong host, expired, no
 * CA), verification turned off for one request only (and that connection not
 * reused by a verifying one), client certificates, a TLS 1.3 floor.
 *
 * Every test asserts the code (REQC_E_TLS where deterministic), a time bound,
 * and that the same session still works afterwards (GET URL("/get") -> 200).
 * Without the test server (--httpbin) every test skips. Everything is freed
 * (the suite also runs under valgrind).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>

#include "check.h"
#include "clock.h"

/* ---- helpers ------------------------------------------------------------ */

/* Generous bound on any one send here (TLS handshakes are slow under valgrind). */
static int64_t bound_ms(void) { return check_small() ? 30000 : 10000; }

#define AT(base_env, path) check_url_at(check_env(base_env), (path))

/* A new session with no proxy (whatever the environment says), or NULL. */
static reqc_session *new_session(void) {
    reqc_session *s = NULL;
    reqc_code rc = reqc_session_new(&s);
    if (rc != REQC_OK || s == NULL) {
        fprintf(stderr, "  FAIL: reqc_session_new gave %s\n", reqc_code_name(rc));
        check_failed_now = 1;
        return NULL;
    }
    if (reqc_session_set_proxy(s, "") != REQC_OK) {
        fprintf(stderr, "  FAIL: reqc_session_set_proxy: %s\n", reqc_session_error(s));
        check_failed_now = 1;
    }
    return s;
}

/* A session trusting the test CA from its file. */
static reqc_session *ca_session(void) {
    reqc_session *s = new_session();
    reqc_code rc;
    if (s == NULL) return NULL;
    rc = reqc_session_set_ca_file(s, check_env("REQC_TEST_CA_FILE"));
    if (rc != REQC_OK) {
        fprintf(stderr, "  FAIL: reqc_session_set_ca_file gave %s (%s)\n", reqc_code_name(rc),
                reqc_session_error(s));
        check_failed_now = 1;
    }
    return s;
}

/* GET `url` through `s` (s may be NULL: reqc_send); code, elapsed ms printed
 * and bounded; the response (owned) in *out. `verify` < 0 leaves the request's
 * TLS verification at the session's setting. */
static reqc_code get(reqc_session *s, const char *url, int verify, reqc_response **out) {
    reqc_request *req = check_new_request("GET", url);
    reqc_response *resp = NULL;
    reqc_code rc;
    int64_t t0, ms;
    *out = NULL;
    if (req == NULL) return REQC_E_INVALID_ARGUMENT;
    CHECK_OK(reqc_request_set_timeout_ms(req, bound_ms()), req);
    if (verify >= 0) CHECK_OK(reqc_request_set_verify_tls(req, verify), req);
    t0 = now_ms();
    rc = s ? reqc_session_send(s, req, &resp) : reqc_send(req, &resp);
    ms = now_ms() - t0;
    printf("  GET %s%s -> %s in %lld ms%s%s\n", url, verify == 0 ? " (verify off)" : "",
           reqc_code_name(rc), (long long)ms, rc != REQC_OK ? ": " : "",
           rc != REQC_OK ? reqc_request_error(req) : "");
    CHECK(ms < bound_ms() + 2000);
    if (rc != REQC_OK) {
        const char *e = reqc_request_error(req);
        CHECK(e != NULL && *e != 0);
        CHECK(resp == NULL);
    }
    reqc_request_free(req);
    *out = resp;
    return rc;
}

/* GET that must give `want`; with REQC_OK, the status must be 200. */
static void expect_get(reqc_session *s, const char *url, int verify, reqc_code want) {
    reqc_response *resp = NULL;
    reqc_code rc = get(s, url, verify, &resp);
    if (rc != want) {
        fprintf(stderr, "  FAIL: GET %s gave %s, want %s\n", url, reqc_code_name(rc),
                reqc_code_name(want));
        check_failed_now = 1;
    }
    if (rc == REQC_OK && resp != NULL) CHECK(reqc_response_status(resp) == 200);
    reqc_response_free(resp);
}

/* The same session still serves plain http and the main TLS origin. */
static void check_session_still_works(reqc_session *s) {
    expect_get(s, URL("/get"), -1, REQC_OK);
}

/* GET REQC_TEST_TLS/get through `s`: 200, an https echo; with HTTP/2 asked for
 * and libcurl able to, the response came over HTTP/2 (ALPN). */
static void check_tls_get(reqc_session *s, int asked_h2) {
    reqc_response *resp = NULL;
    const char *url = AT("REQC_TEST_TLS", "/get");
    reqc_code rc = get(s, url, -1, &resp);
    if (rc != REQC_OK) {
        fprintf(stderr, "  FAIL: GET %s gave %s\n", url, reqc_code_name(rc));
        check_failed_now = 1;
        return;
    }
    CHECK(reqc_response_status(resp) == 200);
    CHECK(strncmp(reqc_response_url(resp), "https://", 8) == 0);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"url\": \"https://");
    printf("  http_version %d\n", reqc_response_http_version(resp));
    if (asked_h2 && reqc_has_feature("http2")) {
        CHECK(reqc_response_http_version(resp) == 20);
    } else if (asked_h2) {
        printf("  (libcurl without http2: version not checked)\n");
    }
    reqc_response_free(resp);
}

/* ---- tests ------------------------------------------------------------- */

static void test_ca_file(void) {
    reqc_session *s;
    NEED("REQC_TEST_TLS");
    s = ca_session();
    if (s == NULL) return;
    check_tls_get(s, 0);
    CHECK(reqc_session_set_http_version(s, REQC_HTTP_VERSION_2) == REQC_OK);
    check_tls_get(s, 1);
    check_session_still_works(s);
    reqc_session_free(s);
}

static void test_ca_pem(void) {
    reqc_session *s;
    FILE *f;
    char *pem = NULL;
    long n;
    NEED("REQC_TEST_TLS");
    f = fopen(check_env("REQC_TEST_CA_FILE"), "rb");
    CHECK(f != NULL);
    if (f == NULL) return;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n > 0) pem = malloc((size_t)n);
    CHECK(pem != NULL && fread(pem, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    if (pem == NULL) return;
    s = new_session();
    if (s != NULL) {
        reqc_code rc = reqc_session_set_ca_pem(s, (const uint8_t *)pem, (size_t)n);
        if (rc != REQC_OK) {
            fprintf(stderr, "  FAIL: reqc_session_set_ca_pem gave %s (%s)\n",
                    reqc_code_name(rc), reqc_session_error(s));
            check_failed_now = 1;
        }
        /* The PEM was copied: the caller's buffer may go now. */
        memset(pem, 0, (size_t)n);
        free(pem);
        pem = NULL;
        check_tls_get(s, 0);
        CHECK(reqc_session_set_http_version(s, REQC_HTTP_VERSION_2) == REQC_OK);
        check_tls_get(s, 1);
        check_session_still_works(s);
    }
    free(pem);
    reqc_session_free(s);
}

static void bad_listener(const char *env) {
    reqc_session *s = ca_session();
    if (s == NULL) return;
    expect_get(s, AT(env, "/"), -1, REQC_E_TLS);
    /* The session is fine for a good TLS origin and for plain http. */
    check_tls_get(s, 0);
    check_session_still_works(s);
    reqc_session_free(s);
}

static void test_self_signed(void) {
    NEED("REQC_TEST_TLS_SELF_SIGNED");
    bad_listener("REQC_TEST_TLS_SELF_SIGNED");
}

static void test_wrong_host(void) {
    NEED("REQC_TEST_TLS_WRONG_HOST");
    bad_listener("REQC_TEST_TLS_WRONG_HOST");
}

static void test_expired(void) {
    NEED("REQC_TEST_TLS_EXPIRED");
    bad_listener("REQC_TEST_TLS_EXPIRED");
}

static void test_no_ca(void) {
    reqc_session *s;
    NEED("REQC_TEST_TLS");
    s = new_session();
    if (s == NULL) return;
    expect_get(s, AT("REQC_TEST_TLS", "/get"), -1, REQC_E_TLS);
    check_session_still_works(s);
    reqc_session_free(s);
}

/* Verification off for ONE request; the next, verifying request through the
 * same session to the same listener must not reuse that connection. */
static void test_verify_off_one_request(void) {
    reqc_session *s;
    reqc_response *resp = NULL;
    const char *url;
    NEED("REQC_TEST_TLS_SELF_SIGNED");
    s = ca_session();
    if (s == NULL) return;
    url = AT("REQC_TEST_TLS_SELF_SIGNED", "/");
    if (get(s, url, 0, &resp) == REQC_OK) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_STR_EQ(reqc_response_text(resp), "ok");
    } else {
        fprintf(stderr, "  FAIL: unverified GET %s failed\n", url);
        check_failed_now = 1;
    }
    reqc_response_free(resp);
    expect_get(s, url, -1, REQC_E_TLS);
    expect_get(s, url, 1, REQC_E_TLS);
    /* And once more without verification: still fine. */
    expect_get(s, url, 0, REQC_OK);
    check_session_still_works(s);
    reqc_session_free(s);
}

static void test_client_cert(void) {
    reqc_session *s;
    reqc_response *resp = NULL;
    reqc_code rc;
    const char *url;
    NEED("REQC_TEST_TLS_CLIENT_AUTH");
    url = AT("REQC_TEST_TLS_CLIENT_AUTH", "/");

    /* Without a certificate: refused. Under TLS 1.3 the handshake completes
     * on the client side and the server's alert shows up on the first I/O:
     * REQC_E_TLS, or REQC_E_RECV / REQC_E_SEND depending on whether libcurl
     * was reading or writing (HTTP/2 writes its preface first). */
    s = ca_session();
    if (s == NULL) return;
    rc = get(s, url, -1, &resp);
    printf("  without a client certificate: %s\n", reqc_code_name(rc));
    CHECK(rc == REQC_E_TLS || rc == REQC_E_RECV || rc == REQC_E_SEND);
    reqc_response_free(resp);
    resp = NULL;
    check_session_still_works(s);
    reqc_session_free(s);

    /* With it: 200 "ok". */
    s = ca_session();
    if (s == NULL) return;
    rc = reqc_session_set_client_cert(s, check_env("REQC_TEST_CLIENT_CERT_FILE"),
                                      check_env("REQC_TEST_CLIENT_KEY_FILE"));
    if (rc != REQC_OK) {
        fprintf(stderr, "  FAIL: reqc_session_set_client_cert gave %s (%s)\n",
                reqc_code_name(rc), reqc_session_error(s));
        check_failed_now = 1;
    }
    if (get(s, url, -1, &resp) == REQC_OK) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_STR_EQ(reqc_response_text(resp), "ok");
    } else {
        fprintf(stderr, "  FAIL: GET %s with a client certificate failed\n", url);
        check_failed_now = 1;
    }
    reqc_response_free(resp);
    check_session_still_works(s);
    reqc_session_free(s);
}

static void test_client_cert_missing_file(void) {
    reqc_session *s = new_session();
    if (s == NULL) return;
    CHECK(reqc_session_set_client_cert(s, "/nonexistent/reqc-client.pem",
                                       "/nonexistent/reqc-client-key.pem") == REQC_E_IO);
    CHECK(reqc_session_set_ca_file(s, "/nonexistent/reqc-ca.pem") == REQC_E_IO);
    reqc_session_free(s);
}

static void test_min_tls_1_3(void) {
    reqc_session *s;
    NEED("REQC_TEST_TLS");
    s = ca_session();
    if (s == NULL) return;
    CHECK(reqc_session_set_min_tls_version(s, REQC_TLS_VERSION_1_3) == REQC_OK);
    check_tls_get(s, 0);
    check_session_still_works(s);
    reqc_session_free(s);
}

int main(void) {
    RUN(test_ca_file);
    RUN(test_ca_pem);
    RUN(test_self_signed);
    RUN(test_wrong_host);
    RUN(test_expired);
    RUN(test_no_ca);
    RUN(test_verify_off_one_request);
    RUN(test_client_cert);
    RUN(test_client_cert_missing_file);
    RUN(test_min_tls_1_3);
    return check_summary();
}
