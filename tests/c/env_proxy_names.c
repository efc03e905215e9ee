/* env_proxy_names.c: every upper-case spelling of the environment's proxy
 * variables counts, as the lower-case one does (urllib's order: lower case
 * first). libreqc spells the names of the http and https variables out
 * rather than making them at every hop; these tests pin the spellings that
 * env_rules.c does not reach: ALL_PROXY, and HTTPS_PROXY, which stays in
 * use in a CGI program (REQUEST_METHOD set: only HTTP_PROXY is ignored
 * there, the "httpoxy" rule).
 *
 * The test server's proxy (REQC_TEST_PROXY) logs every request it carried
 * with its Proxy-Authorization, which proves the variable was read. Every
 * test skips without libreqc's test server. The environment is changed with
 * setenv only while no other thread runs.
 */
#define _POSIX_C_SOURCE 200809L

#include "check.h"

static const char *const env_names[] = {
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
    "ALL_PROXY",  "no_proxy",   "NO_PROXY",    "REQUEST_METHOD",
};

static void clear_env(void) {
    size_t i;
    for (i = 0; i < sizeof env_names / sizeof env_names[0]; i++) unsetenv(env_names[i]);
}

/* "http://user:password@127.0.0.1:PORT" of the test proxy. */
static const char *proxy_with(const char *userinfo) {
    static char buf[512];
    snprintf(buf, sizeof buf, "http://%s@%s", userinfo,
             check_env("REQC_TEST_PROXY") + strlen("http://"));
    return buf;
}

/* GET `url` through `s`; the status, 0 on failure. */
static int get_status(reqc_session *s, const char *url) {
    reqc_request *req = check_new_request("GET", url);
    reqc_response *resp = NULL;
    int status = 0;
    if (req == NULL) return 0;
    /* Loading a CA store is slow under valgrind. */
    CHECK_OK(reqc_request_set_timeout_ms(req, check_small() ? 90000 : 20000), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    if (resp != NULL) status = reqc_response_status(resp);
    reqc_response_free(resp);
    reqc_request_free(req);
    return status;
}

/* ALL_PROXY in upper case carries a plain-http send. */
static void test_all_proxy_upper_case(void) {
    reqc_session *s = NULL;
    NEED("REQC_TEST_PROXY");
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL) return;
    clear_env();
    setenv("ALL_PROXY", proxy_with("alluser:AllPassw0rd9"), 1);
    check_stats_reset();
    CHECK(get_status(s, URL("/get?all-upper")) == 200);
    CHECK(check_proxied_with("/get?all-upper", "YWxsdXNlcjpBbGxQYXNzdzByZDk=") == 1);
    clear_env();
    reqc_session_free(s);
}

/* HTTPS_PROXY in upper case carries an https send (a CONNECT tunnel), in a
 * CGI program too; http_proxy is not the one used for https, and the
 * control port bypasses the proxies by an upper-case NO_PROXY entry. */
static void test_https_proxy_upper_case(void) {
    reqc_session *s = NULL;
    const char *tls;
    NEED("REQC_TEST_PROXY");
    NEED("REQC_TEST_TLS");
    NEED("REQC_TEST_CA_FILE");
    tls = check_env("REQC_TEST_TLS") + strlen("https://");
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL) return;
    CHECK_OK(reqc_session_set_ca_file(s, check_env("REQC_TEST_CA_FILE")), NULL);
    clear_env();
    setenv("http_proxy", "http://127.0.0.1:1", 1);
    setenv("NO_PROXY", check_env("REQC_TEST_CONTROL") + strlen("http://"), 1);
    setenv("HTTPS_PROXY", proxy_with("envuser:EnvPassw0rd9"), 1);
    setenv("REQUEST_METHOD", "GET", 1);
    check_stats_reset();
    CHECK(get_status(s, check_url_at(check_env("REQC_TEST_TLS"), "/get")) == 200);
    CHECK(check_proxied_with(tls, "ZW52dXNlcjpFbnZQYXNzdzByZDk=") == 1);
    clear_env();
    reqc_session_free(s);
}

int main(void) {
    clear_env();
    RUN(test_all_proxy_upper_case);
    RUN(test_https_proxy_upper_case);
    return check_summary();
}
