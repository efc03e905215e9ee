/* digest.c: HTTP digest auth answered by libreqc itself (RFC 7616), one hop
 * per challenge:
 *   - every algorithm (MD5, SHA, SHA-256, SHA-512 and their -sess forms),
 *     RFC 2069's form without qop, and userhash;
 *   - the 401 challenge appears in the history;
 *   - cookies the 401 sets are stored (session jar, or the send's own) and
 *     sent with the answer (?require-cookie=true);
 *   - after a redirect a fresh challenge is answered; never across origins;
 *   - a session reuses the nonce: N requests cost N+1 round trips, with an
 *     increasing nonce count (the test server refuses a replayed count);
 *   - stale=true is answered once more without counting as a failure;
 *   - a wrong password gives the second 401 as the final response;
 *   - the RESPONSE hook sees the 401; a batch answers challenges too.
 * Against PyPI's httpbin (--httpbin) the cases it supports run too: MD5,
 * SHA-256, SHA-512, cookies, redirect, stale (counted with its cookie).
 */
#include "check.h"

static const char *header_or_empty(const reqc_response *r, const char *name) {
    const char *v = r != NULL ? reqc_response_header(r, name) : NULL;
    return v != NULL ? v : "";
}

/* Sends `req` through `s` (or alone with s == NULL); NULL on failure. */
static reqc_response *send_via(reqc_session *s, reqc_request *req) {
    reqc_response *resp = NULL;
    reqc_code rc = s != NULL ? reqc_session_send(s, req, &resp) : reqc_send(req, &resp);
    if (rc != REQC_OK) {
        fprintf(stderr, "  FAIL: send gave %s (%s)\n", reqc_code_name(rc), reqc_request_error(req));
        check_failed_now = 1;
        return NULL;
    }
    return resp;
}

/* GET `url` with digest credentials u/p through `s` (or alone). */
static reqc_response *digest_get(reqc_session *s, const char *url, const char *password) {
    reqc_request *req = check_new_request("GET", url);
    reqc_response *resp;
    if (req == NULL) return NULL;
    if (s == NULL) CHECK_OK(reqc_request_set_auth_digest(req, "u", password), req);
    resp = send_via(s, req);
    reqc_request_free(req);
    return resp;
}

static reqc_session *digest_session(const char *password) {
    reqc_session *s = NULL;
    if (reqc_session_new(&s) != REQC_OK) {
        check_failed_now = 1;
        return NULL;
    }
    if (reqc_session_set_auth_digest(s, "u", password) != REQC_OK) check_failed_now = 1;
    return s;
}

/* 200 with {"authenticated": true, "user": "u"}. */
static void check_authenticated(const reqc_response *resp) {
    CHECK(resp != NULL && reqc_response_status(resp) == 200);
    if (resp == NULL) return;
    CHECK_JSON_HAS(reqc_response_text(resp), "\"authenticated\": true");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"user\": \"u\"");
}

/* The response's history is exactly `n` hops with these statuses. */
static void check_history(const reqc_response *resp, size_t n, const int *statuses) {
    size_t i;
    if (resp == NULL) return;
    if (reqc_response_history_count(resp) != n) {
        fprintf(stderr, "  FAIL: history has %zu hops, want %zu\n",
                reqc_response_history_count(resp), n);
        check_failed_now = 1;
        return;
    }
    for (i = 0; i < n; i++) {
        const reqc_response *hop = check_hop(resp, i);
        if (hop == NULL || reqc_response_status(hop) != statuses[i]) {
            fprintf(stderr, "  FAIL: history[%zu] is %d, want %d\n", i,
                    hop != NULL ? reqc_response_status(hop) : -1, statuses[i]);
            check_failed_now = 1;
        }
    }
}

static const int ONE_401[] = {401};

/* The algorithms PyPI's httpbin 0.10.4 offers (others fall back to MD5). */
static int httpbin_has(const char *algorithm) {
    return strcmp(algorithm, "MD5") == 0 || strcmp(algorithm, "SHA-256") == 0 ||
           strcmp(algorithm, "SHA-512") == 0;
}

static void test_every_algorithm(void) {
    static const char *algorithms[] = {"MD5",     "MD5-sess",     "SHA",     "SHA-sess",
                                       "SHA-256", "SHA-256-sess", "SHA-512", "SHA-512-sess"};
    size_t i;
    for (i = 0; i < sizeof algorithms / sizeof algorithms[0]; i++) {
        char path[128];
        reqc_response *resp;
        const reqc_response *challenge;
        if (check_is_httpbin() && !httpbin_has(algorithms[i])) continue;
        snprintf(path, sizeof path, "/digest-auth/auth/u/p/%s", algorithms[i]);
        resp = digest_get(NULL, URL(path), "p");
        if (resp == NULL || reqc_response_status(resp) != 200)
            fprintf(stderr, "  (algorithm %s)\n", algorithms[i]);
        check_authenticated(resp);
        /* The challenge is a hop of its own, kept in the history. */
        check_history(resp, 1, ONE_401);
        challenge = resp != NULL ? check_hop(resp, 0) : NULL;
        CHECK(strstr(header_or_empty(challenge, "WWW-Authenticate"), algorithms[i]) != NULL);
        reqc_response_free(resp);
    }
}

static void test_qop_forms_and_userhash(void) {
    reqc_response *resp;
    if (check_is_httpbin()) SKIP("httpbin has no challenge without qop and no userhash");
    /* RFC 2069's form: the challenge has no qop, the answer no nc/cnonce. */
    resp = digest_get(NULL, URL("/digest-auth/legacy/u/p/MD5"), "p");
    check_authenticated(resp);
    CHECK(strstr(header_or_empty(check_hop(resp, 0), "WWW-Authenticate"),
                 "qop") == NULL);
    reqc_response_free(resp);
    /* A server offering both qop values gets qop=auth. */
    resp = digest_get(NULL, URL("/digest-auth/both/u/p/SHA-256"), "p");
    check_authenticated(resp);
    reqc_response_free(resp);
    /* RFC 7616 userhash: the user name goes hashed. */
    resp = digest_get(NULL, URL("/digest-auth/auth/u/p/SHA-512-sess?userhash=true"), "p");
    check_authenticated(resp);
    reqc_response_free(resp);
}

/* True when the session's jar holds a cookie `name`. */
static int jar_has(reqc_session *s, const char *name) {
    reqc_cookie_list *list = NULL;
    size_t i;
    int found = 0;
    if (reqc_session_cookies(s, &list) != REQC_OK) return 0;
    for (i = 0; i < reqc_cookie_list_count(list); i++) {
        const reqc_cookie *c = NULL;
        if (reqc_cookie_list_at(list, i, &c) == REQC_OK && strcmp(reqc_cookie_name(c), name) == 0) found = 1;
    }
    reqc_cookie_list_free(list);
    return found;
}

static void test_cookies_of_the_challenge(void) {
    /* httpbin 0.10.4 fails with 500 on a digest answer to a URL with a
     * query (it adds bytes to a str), so there require-cookie cannot be
     * asked for; its stale countdown (test_stale_nonce) rides on the
     * challenge's cookie instead. */
    const char *url = check_is_httpbin() ? URL("/digest-auth/auth/u/p/SHA-256")
                                         : URL("/digest-auth/auth/u/p/SHA-256?require-cookie=true");
    reqc_session *s = digest_session("p");
    reqc_response *resp;
    if (s == NULL) return;
    /* The server only accepts the answer with the cookie its 401 set. */
    resp = digest_get(s, url, "p");
    check_authenticated(resp);
    check_history(resp, 1, ONE_401);
    /* stale_after is set by the challenge only: the 401's cookies are kept. */
    CHECK(jar_has(s, "stale_after"));
    CHECK(jar_has(s, "fake"));
    reqc_response_free(resp);
    reqc_session_free(s);
    /* Without a session, the send keeps them for its own next hop. */
    resp = digest_get(NULL, url, "p");
    check_authenticated(resp);
    reqc_response_free(resp);
}

static void test_fresh_challenge_after_redirect(void) {
    static const int REDIRECT_401[] = {302, 401};
    static const int CHAIN[] = {401, 302, 401};
    reqc_session *s = digest_session("p");
    reqc_response *resp;
    char path[256];
    if (s == NULL) return;
    /* A redirect to a digest-protected path: its challenge is answered. */
    snprintf(path, sizeof path, "/redirect-to?url=%s", "/digest-auth/auth/u/p/SHA-512");
    resp = digest_get(s, URL(path), "p");
    check_authenticated(resp);
    check_history(resp, 2, REDIRECT_401);
    reqc_response_free(resp);
    reqc_session_free(s);

    if (check_is_httpbin()) return;
    /* Authenticated with MD5, redirected to a SHA-256 realm: the reused MD5
     * nonce is refused there, and the new challenge is answered. */
    s = digest_session("p");
    if (s == NULL) return;
    resp = digest_get(s, URL("/digest-auth/auth/u/p/MD5?redirect=/digest-auth/auth/u/p/SHA-256"),
                      "p");
    check_authenticated(resp);
    check_history(resp, 3, CHAIN);
    reqc_response_free(resp);
    reqc_session_free(s);
}

static void test_never_across_origins(void) {
    static const int REDIRECT[] = {302};
    reqc_session *s = digest_session("p");
    reqc_response *resp;
    char path[512];
    if (s == NULL) return;
    /* Learn a nonce on origin 1, then go to origin 2: nothing is answered
     * there, not even with origin 1's nonce. */
    resp = digest_get(s, URL("/digest-auth/auth/u/p/MD5"), "p");
    check_authenticated(resp);
    reqc_response_free(resp);
    snprintf(path, sizeof path, "/redirect-to?url=%s", URL2("/digest-auth/auth/u/p/MD5"));
    resp = digest_get(s, URL(path), "p");
    CHECK(resp != NULL && reqc_response_status(resp) == 401);
    check_history(resp, 1, REDIRECT);
    reqc_response_free(resp);
    reqc_session_free(s);
}

static void test_nonce_reused_in_a_session(void) {
    int i, n = 5;
    reqc_session *s;
    long before, after;
    NEED("REQC_TEST_CONTROL");
    s = digest_session("p");
    if (s == NULL) return;
    before = check_stats("digest_requests");
    for (i = 0; i < n; i++) {
        /* Other paths of the origin too: the nonce is the origin's. */
        reqc_response *resp =
            digest_get(s, URL(i % 2 ? "/digest-auth/auth/u/p/SHA-256?x=1"
                                    : "/digest-auth/auth/u/p/SHA-256"),
                       "p");
        check_authenticated(resp);
        /* Only the first request meets a challenge. */
        CHECK(resp != NULL && reqc_response_history_count(resp) == (i == 0 ? 1u : 0u));
        reqc_response_free(resp);
    }
    after = check_stats("digest_requests");
    /* N requests, N+1 round trips (not 2N): the server also refused any
     * repeated nonce count, so the count went up each time. */
    if (after - before != n + 1) {
        fprintf(stderr, "  FAIL: %ld round trips for %d requests, want %d\n", after - before, n,
                n + 1);
        check_failed_now = 1;
    }
    reqc_session_free(s);
}

static void test_stale_nonce(void) {
    /* The nonce is good for 2 requests (httpbin: its stale_after cookie
     * counts down), then the server says stale=true. */
    const char *url = URL("/digest-auth/auth/u/p/MD5/2");
    reqc_session *s = digest_session("p");
    reqc_response *resp = NULL;
    long before = 0;
    int i;
    if (s == NULL) return;
    if (!check_is_httpbin()) before = check_stats("digest_requests");
    for (i = 0; i < 3; i++) {
        reqc_response_free(resp);
        resp = digest_get(s, url, "p");
        check_authenticated(resp);
    }
    /* The third met the stale challenge and was answered with the new nonce. */
    check_history(resp, 1, ONE_401);
    if (resp != NULL && reqc_response_history_count(resp) == 1) {
        const char *www = header_or_empty(check_hop(resp, 0), "WWW-Authenticate");
        CHECK(strstr(www, "stale=TRUE") != NULL || strstr(www, "stale=True") != NULL);
    }
    reqc_response_free(resp);
    /* Round trips: 2 + 1 + 2. */
    if (!check_is_httpbin()) CHECK(check_stats("digest_requests") - before == 5);
    reqc_session_free(s);
}

static void test_wrong_password(void) {
    reqc_session *s;
    reqc_response *resp = digest_get(NULL, URL("/digest-auth/auth/u/p/SHA-256"), "wrong");
    /* One answer per challenge, as Requests: the second 401 is the response. */
    CHECK(resp != NULL && reqc_response_status(resp) == 401);
    check_history(resp, 1, ONE_401);
    CHECK(strstr(header_or_empty(resp, "WWW-Authenticate"), "Digest") != NULL);
    reqc_response_free(resp);
    /* In a session too, again on the next request (no loop, no error). */
    s = digest_session("wrong");
    if (s == NULL) return;
    resp = digest_get(s, URL("/digest-auth/auth/u/p/MD5"), "wrong");
    CHECK(resp != NULL && reqc_response_status(resp) == 401);
    reqc_response_free(resp);
    resp = digest_get(s, URL("/digest-auth/auth/u/p/MD5"), "wrong");
    CHECK(resp != NULL && reqc_response_status(resp) == 401);
    CHECK(resp != NULL && reqc_response_history_count(resp) == 1);
    reqc_response_free(resp);
    reqc_session_free(s);
}

static int count_responses(void *userdata, int kind, reqc_hook_ctx *ctx) {
    (void)ctx;
    if (kind == REQC_HOOK_KIND_RESPONSE) ++*(int *)userdata;
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_response_hook_sees_the_challenge(void) {
    int responses = 0;
    reqc_session *s = digest_session("p");
    reqc_response *resp;
    if (s == NULL) return;
    CHECK(reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, count_responses, &responses, NULL, NULL) ==
          REQC_OK);
    resp = digest_get(s, URL("/digest-auth/auth/u/p/MD5"), "p");
    check_authenticated(resp);
    CHECK(responses == 2);
    reqc_response_free(resp);
    reqc_session_free(s);
}

static void test_batch(void) {
    enum { N = 4 };
    reqc_session *s = digest_session("p");
    reqc_batch *b = NULL;
    long before = 0;
    size_t i, index;
    if (s == NULL) return;
    if (!check_is_httpbin()) before = check_stats("digest_requests");
    CHECK(reqc_batch_new(s, &b) == REQC_OK);
    if (b == NULL) {
        reqc_session_free(s);
        return;
    }
    /* One at a time: the first learns the nonce, the others reuse it. */
    CHECK(reqc_batch_set_max_concurrency(b, 1) == REQC_OK);
    for (i = 0; i < N; i++) {
        reqc_request *req = check_new_request("GET", URL("/digest-auth/auth/u/p/SHA-512"));
        if (req == NULL) continue;
        CHECK_OK(reqc_batch_add(b, req, &index), b);
        reqc_request_free(req);
    }
    CHECK(reqc_batch_perform(b) == REQC_OK);
    for (i = 0; i < N; i++) {
        reqc_response *resp = NULL;
        CHECK(reqc_batch_result(b, i, &resp) == REQC_OK);
        check_authenticated(resp);
        CHECK(resp != NULL && reqc_response_history_count(resp) == (i == 0 ? 1u : 0u));
        reqc_response_free(resp);
    }
    if (!check_is_httpbin()) CHECK(check_stats("digest_requests") - before == N + 1);
    reqc_batch_free(b);
    reqc_session_free(s);
}

int main(void) {
    RUN(test_every_algorithm);
    RUN(test_qop_forms_and_userhash);
    RUN(test_cookies_of_the_challenge);
    RUN(test_fresh_challenge_after_redirect);
    RUN(test_never_across_origins);
    RUN(test_nonce_reused_in_a_session);
    RUN(test_stale_nonce);
    RUN(test_wrong_password);
    RUN(test_response_hook_sees_the_challenge);
    RUN(test_batch);
    return check_summary();
}
