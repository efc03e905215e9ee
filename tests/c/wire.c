/* wire.c: what goes on the wire matches Requests where a Requests user would
 * trip on a difference (issue 11), checked on what the server received:
 *
 *  - a body-less POST, PUT, PATCH, DELETE, OPTIONS or custom method sends
 *    `Content-Length: 0` and no Content-Type (libcurl's POST mode would say
 *    application/x-www-form-urlencoded);
 *  - methods are upper-cased (`patch` -> PATCH);
 *  - a `%` not starting a %XX escape is sent as %25 (URL and redirect
 *    Location), valid escapes are kept;
 *  - a multipart name or filename with `"`, CR or LF is escaped as
 *    %22 / %0D / %0A (HTML form encoding), not refused;
 *  - the fragment survives redirects (RFC 9110 §10.2.2);
 *  - each history entry knows how many hops came before it;
 *  - a proxy that refuses the connection is REQC_E_PROXY;
 *  - after REQC_E_TOO_MANY_REDIRECTS the last response and its history stay
 *    readable (reqc_request_last_response);
 *  - a 302 keeps PUT and DELETE (only POST becomes GET), as browsers do and
 *    unlike Requests (documented in the header and docs/c.md).
 *
 * Runs against libreqc's test server and PyPI's httpbin; the checks that need
 * /reqc/ endpoints or methods httpbin's /anything lacks skip themselves there.
 */
#include "check.h"

/* Sends `req` (freed here), returns the response (owned) or NULL. */
static reqc_response *send_ok(reqc_request *req) {
    reqc_response *resp = NULL;
    if (req == NULL) return NULL;
    CHECK_OK(reqc_send(req, &resp), req);
    reqc_request_free(req);
    return resp;
}

/* True when `url` ends with `tail`. */
static int ends_with(const char *url, const char *tail) {
    size_t n = strlen(url), m = strlen(tail);
    return n >= m && strcmp(url + n - m, tail) == 0;
}

#define CHECK_ENDS_WITH(got, tail)                                                   \
    do {                                                                             \
        const char *check_e_ = (got);                                                \
        if (check_e_ == NULL || !ends_with(check_e_, (tail))) {                      \
            fprintf(stderr, "  FAIL %s:%d: %s is \"%s\", want it to end with \"%s\"\n", \
                    __FILE__, __LINE__, #got, check_e_ ? check_e_ : "(null)", (tail)); \
            check_failed_now = 1;                                                    \
        }                                                                            \
    } while (0)

/* ---- no Content-Type without a body ------------------------------------- */

static void bodyless(const char *method) {
    char want[64];
    reqc_response *resp = send_ok(check_new_request(method, URL("/anything")));
    printf("  %s\n", method);
    if (resp == NULL) return;
    CHECK(reqc_response_status(resp) == 200);
    snprintf(want, sizeof want, "\"method\": \"%s\"", method);
    CHECK_JSON_HAS(reqc_response_text(resp), want);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"Content-Length\": \"0\"");
    CHECK_JSON_LACKS(reqc_response_text(resp), "Content-Type");
    reqc_response_free(resp);
}

static void test_bodyless_methods_send_no_content_type(void) {
    bodyless("POST");
    bodyless("PUT");
    bodyless("PATCH");
    bodyless("DELETE");
    /* PyPI httpbin's /anything does not take these two. */
    if (!check_is_httpbin()) {
        bodyless("OPTIONS");
        bodyless("PURGE");
    }
}

static void test_bodyless_post_keeps_callers_content_type(void) {
    reqc_request *req = check_new_request("POST", URL("/anything"));
    reqc_response *resp;
    CHECK_OK(reqc_request_set_header(req, "Content-Type", "application/json"), req);
    resp = send_ok(req);
    if (resp == NULL) return;
    CHECK_JSON_HAS(reqc_response_text(resp), "\"Content-Type\": \"application/json\"");
    reqc_response_free(resp);
}

/* ---- methods upper-cased ------------------------------------------------- */

static void test_methods_are_upper_cased(void) {
    reqc_request *req = check_new_request("patch", URL("/anything"));
    reqc_response *resp;
    CHECK_STR_EQ(reqc_request_method(req), "PATCH");
    resp = send_ok(req);
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"method\": \"PATCH\"");
    reqc_response_free(resp);

    req = check_new_request("GET", URL("/anything"));
    CHECK_OK(reqc_request_set_method(req, "delete"), req);
    CHECK_STR_EQ(reqc_request_method(req), "DELETE");
    resp = send_ok(req);
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"method\": \"DELETE\"");
    reqc_response_free(resp);
}

/* ---- a bare % ------------------------------------------------------------ */

static void test_bare_percent_is_sent_as_25(void) {
    reqc_request *req = check_new_request("GET", URL("/get?buz=%ppicture&ok=%41&end=%"));
    reqc_response *resp;
    CHECK_ENDS_WITH(reqc_request_url(req), "/get?buz=%25ppicture&ok=%41&end=%25");
    resp = send_ok(req);
    if (resp == NULL) return;
    CHECK_ENDS_WITH(reqc_response_url(resp), "/get?buz=%25ppicture&ok=%41&end=%25");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"buz\": \"%ppicture\"");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"ok\": \"A\"");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"end\": \"%\"");
    reqc_response_free(resp);
}

static void test_bare_percent_in_a_param_and_a_location(void) {
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp;
    CHECK_OK(reqc_request_add_param(req, "p", "100%zz"), req);
    resp = send_ok(req);
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"p\": \"100%zz\"");
    reqc_response_free(resp);

    /* The server answers Location: /get?x=%zz (not a valid URL). */
    resp = send_ok(check_new_request("GET", URL("/redirect-to?url=%2Fget%3Fx%3D%25zz")));
    if (resp == NULL) return;
    CHECK(reqc_response_status(resp) == 200);
    CHECK_ENDS_WITH(reqc_response_url(resp), "/get?x=%25zz");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"x\": \"%zz\"");
    reqc_response_free(resp);
}

/* ---- multipart names escaped --------------------------------------------- */

static void test_multipart_quote_and_newline_are_escaped(void) {
    reqc_request *req;
    reqc_response *resp;
    const char *body;
    req = check_new_request("POST", check_is_httpbin() ? URL("/post") : URL("/reqc/echo-raw"));
    CHECK_OK(reqc_request_add_file_data(req, "fi\"eld", "a\"b\r\nc.txt", (const uint8_t *)"hi", 2,
                                        "text/plain"),
             req);
    CHECK_OK(reqc_request_add_form_field(req, "x\"y", "1"), req);
    resp = send_ok(req);
    if (resp == NULL) return;
    CHECK(reqc_response_status(resp) == 200);
    body = reqc_response_text(resp);
    if (check_is_httpbin()) {
        /* Werkzeug reads the HTML form encoding back: %22 is a quote. */
        CHECK_JSON_HAS(body, "\"fi\\\"eld\": \"hi\"");
        CHECK_JSON_HAS(body, "\"x\\\"y\": \"1\"");
    } else {
        CHECK(strstr(body, "name=\"fi%22eld\"; filename=\"a%22b%0D%0Ac.txt\"") != NULL);
        CHECK(strstr(body, "name=\"x%22y\"") != NULL);
        if (strstr(body, "filename=\"a%22b%0D%0Ac.txt\"") == NULL) printf("  body:\n%s\n", body);
    }
    reqc_response_free(resp);

    /* A content type is a header value: CR, LF or a quote stay refused. */
    req = check_new_request("POST", URL("/post"));
    CHECK_CODE(reqc_request_add_file_data(req, "f", "a.txt", (const uint8_t *)"hi", 2,
                                          "text/plain\r\nX-Evil: 1"),
               REQC_E_INVALID_ARGUMENT, req);
    reqc_request_free(req);
}

/* ---- redirects: fragment, history places, 302 keeps PUT/DELETE ------------ */

static void test_fragment_survives_redirects(void) {
    reqc_response *resp = send_ok(check_new_request("GET", URL("/redirect/2#view=edit")));
    if (resp != NULL) {
        CHECK(reqc_response_history_count(resp) == 2);
        CHECK_ENDS_WITH(reqc_response_url(resp), "/get#view=edit");
        CHECK_ENDS_WITH(reqc_response_url(check_hop(resp, 1)),
                        "/relative-redirect/1#view=edit");
    }
    reqc_response_free(resp);

    /* A Location with its own fragment replaces the request's. */
    resp = send_ok(check_new_request("GET", URL("/redirect-to?url=%2Fget%23top#view=edit")));
    if (resp != NULL) CHECK_ENDS_WITH(reqc_response_url(resp), "/get#top");
    reqc_response_free(resp);
}

static void test_history_entries_know_their_place(void) {
    reqc_response *resp = send_ok(check_new_request("GET", URL("/redirect/3")));
    size_t i, j;
    if (resp == NULL) return;
    CHECK(reqc_response_history_count(resp) == 3);
    for (i = 0; i < reqc_response_history_count(resp); i++) {
        const reqc_response *hop = check_hop(resp, i);
        CHECK(hop != NULL);
        if (hop == NULL) continue;
        if (reqc_response_history_count(hop) != i) {
            fprintf(stderr, "  FAIL: history entry %zu says %zu hops before it\n", i,
                    reqc_response_history_count(hop));
            check_failed_now = 1;
        }
        /* The hops before an entry are the final response's own entries. */
        for (j = 0; j < i; j++) CHECK(check_hop(hop, j) == check_hop(resp, j));
        CHECK(check_hop(hop, i) == NULL);
        reqc_response_free((reqc_response *)hop); /* a no-op: it belongs to resp */
    }
    CHECK(check_hop(resp, 3) == NULL);
    reqc_response_free(resp);
}

static void keeps_method_on_302(const char *method) {
    reqc_request *req =
        check_new_request(method, URL("/redirect-to?url=%2Fanything&status_code=302"));
    reqc_response *resp;
    char want[64];
    CHECK_OK(reqc_request_set_body(req, (const uint8_t *)"abc", 3, "text/plain"), req);
    resp = send_ok(req);
    if (resp == NULL) return;
    CHECK(reqc_response_status(resp) == 200);
    snprintf(want, sizeof want, "\"method\": \"%s\"", method);
    CHECK_JSON_HAS(reqc_response_text(resp), want);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"data\": \"abc\"");
    reqc_response_free(resp);
}

static void test_302_keeps_put_and_delete(void) {
    reqc_response *resp;
    reqc_request *req;
    keeps_method_on_302("PUT");
    keeps_method_on_302("DELETE");
    /* Only POST becomes a GET (without its body). */
    req = check_new_request("POST", URL("/redirect-to?url=%2Fanything&status_code=302"));
    CHECK_OK(reqc_request_set_body(req, (const uint8_t *)"abc", 3, "text/plain"), req);
    resp = send_ok(req);
    if (resp != NULL) CHECK_JSON_HAS(reqc_response_text(resp), "\"method\": \"GET\"");
    reqc_response_free(resp);
}

/* ---- an unreachable proxy ------------------------------------------------- */

static void test_unreachable_proxy_is_proxy(void) {
    reqc_session *s = NULL;
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp = NULL;
    CHECK(reqc_session_new(&s) == REQC_OK);
    /* Nothing listens on port 1 of the loopback: the connection is refused. */
    CHECK(reqc_session_set_proxy(s, "http://127.0.0.1:1") == REQC_OK);
    CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_PROXY, req);
    CHECK(resp == NULL);
    CHECK(strstr(reqc_request_error(req), "proxy") != NULL);
    printf("  %s\n", reqc_request_error(req));
    reqc_request_free(req);
    reqc_session_free(s);
}

/* ---- the last response after too many redirects -------------------------- */

static void check_last_response(reqc_request *req) {
    reqc_response *last = NULL;
    const reqc_response *first;
    CHECK_OK(reqc_request_last_response(req, &last), req);
    if (last == NULL) return;
    CHECK(reqc_response_status(last) == 302);
    CHECK_ENDS_WITH(reqc_response_url(last), "/relative-redirect/3");
    CHECK(reqc_response_header(last, "Location") != NULL);
    CHECK(reqc_response_history_count(last) == 2);
    first = check_hop(last, 0);
    CHECK(first != NULL && reqc_response_status(first) == 302);
    if (first != NULL) CHECK_ENDS_WITH(reqc_response_url(first), "/redirect/5");
    reqc_response_free(last);
    /* Moved out: a second call finds nothing, and the message stays. */
    last = NULL;
    CHECK(reqc_request_last_response(req, &last) == REQC_E_NOT_FOUND);
    CHECK(last == NULL);
    CHECK(strstr(reqc_request_error(req), "REQC_E_TOO_MANY_REDIRECTS") != NULL);
}

static void test_too_many_redirects_keeps_last_response(void) {
    reqc_request *req = check_new_request("GET", URL("/redirect/5"));
    reqc_response *resp = NULL, *last = NULL;
    reqc_session *s = NULL;
    CHECK_OK(reqc_request_set_redirects(req, 1, 2), req);

    /* Nothing kept before any send. */
    CHECK(reqc_request_last_response(req, &last) == REQC_E_NOT_FOUND);
    CHECK(reqc_request_last_response(NULL, &last) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_request_last_response(req, NULL) == REQC_E_INVALID_ARGUMENT);

    CHECK_CODE(reqc_send(req, &resp), REQC_E_TOO_MANY_REDIRECTS, req);
    CHECK(resp == NULL);
    check_last_response(req);

    /* Through a session too; left untaken, it is freed with the request
     * (valgrind and ASan check that). */
    CHECK(reqc_session_new(&s) == REQC_OK);
    CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_TOO_MANY_REDIRECTS, req);
    check_last_response(req);
    CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_TOO_MANY_REDIRECTS, req);

    /* The next send drops what the last one left. */
    CHECK_OK(reqc_request_set_redirects(req, 1, 10), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_request_last_response(req, &last) == REQC_E_NOT_FOUND);
    reqc_response_free(resp);
    CHECK_OK(reqc_request_set_redirects(req, 1, 2), req);
    CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_TOO_MANY_REDIRECTS, req);
    reqc_session_free(s);
    reqc_request_free(req);
}

int main(void) {
    RUN(test_bodyless_methods_send_no_content_type);
    RUN(test_bodyless_post_keeps_callers_content_type);
    RUN(test_methods_are_upper_cased);
    RUN(test_bare_percent_is_sent_as_25);
    RUN(test_bare_percent_in_a_param_and_a_location);
    RUN(test_multipart_quote_and_newline_are_escaped);
    RUN(test_fragment_survives_redirects);
    RUN(test_history_entries_know_their_place);
    RUN(test_302_keeps_put_and_delete);
    RUN(test_unreachable_proxy_is_proxy);
    RUN(test_too_many_redirects_keeps_last_response);
    return check_summary();
}
