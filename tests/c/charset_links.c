/* charset_links.c: the response's declared charset and its body as UTF-8 text
 * (Requests' r.encoding / r.text), and parsed Link headers (r.links).
 *
 * /reqc/charset/... and /reqc/links are libreqc's test server's own and skip
 * against PyPI's httpbin; /encoding/utf8 and /response-headers run on both.
 */
#include "check.h"

/* GET path -> response (NULL, failing the test, on error). */
static reqc_response *get(const char *path) {
    reqc_request *req = check_new_request("GET", URL(path));
    reqc_response *resp = NULL;
    if (req == NULL) return NULL;
    CHECK_OK(reqc_send(req, &resp), req);
    reqc_request_free(req);
    return resp;
}

#define NEED_REQC_SERVER()                                                            \
    do {                                                                              \
        if (check_is_httpbin()) SKIP("libreqc's test server endpoint");              \
    } while (0)

static void test_utf8_declared(void) {
    reqc_response *resp = get("/encoding/utf8");
    size_t len = 0;
    const unsigned char *body;
    if (resp == NULL) return;
    CHECK_STR_EQ(reqc_response_encoding(resp), "utf-8");
    body = reqc_response_body(resp, &len);
    /* Valid UTF-8 is its own text: the very bytes, not a copy. */
    CHECK((const char *)body == reqc_response_text(resp));
    CHECK(strstr(reqc_response_text(resp), "\xe2\x88\x80") != NULL); /* U+2200 */
    reqc_response_free(resp);
}

static void test_latin1_declared(void) {
    reqc_response *resp;
    NEED_REQC_SERVER();
    resp = get("/reqc/charset/latin1");
    if (resp == NULL) return;
    CHECK_STR_EQ(reqc_response_encoding(resp), "iso-8859-1");
    CHECK_STR_EQ(reqc_response_text(resp), "caf\xc3\xa9 \xc2\xa3");
    /* The raw bytes stay available. */
    CHECK(memcmp(reqc_response_body(resp, NULL), "caf\xe9 \xa3", 6) == 0);
    /* The same pointer on every call: converted once, kept on the response. */
    CHECK(reqc_response_text(resp) == reqc_response_text(resp));
    reqc_response_free(resp);
}

static void test_text_without_charset_is_latin1(void) {
    reqc_response *resp;
    NEED_REQC_SERVER();
    resp = get("/reqc/charset/latin1-default");
    if (resp == NULL) return;
    CHECK_STR_EQ(reqc_response_encoding(resp), "iso-8859-1");
    CHECK_STR_EQ(reqc_response_text(resp), "caf\xc3\xa9 \xc2\xa3");
    reqc_response_free(resp);
}

static void test_shift_jis(void) {
    reqc_response *resp;
    NEED_REQC_SERVER();
    resp = get("/reqc/charset/shift_jis");
    if (resp == NULL) return;
    CHECK_STR_EQ(reqc_response_encoding(resp), "shift_jis");
    CHECK_STR_EQ(reqc_response_text(resp), "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
    reqc_response_free(resp);
}

static void test_invalid_utf8_replaced(void) {
    reqc_response *resp;
    NEED_REQC_SERVER();
    resp = get("/reqc/charset/bad-utf8");
    if (resp == NULL) return;
    CHECK_STR_EQ(reqc_response_encoding(resp), "utf-8");
    CHECK_STR_EQ(reqc_response_text(resp), "a\xef\xbf\xbd" "b");
    reqc_response_free(resp);
}

static void test_json_is_utf8_and_binary_has_none(void) {
    reqc_response *resp;
    NEED_REQC_SERVER();
    resp = get("/reqc/charset/json");
    if (resp == NULL) return;
    CHECK_STR_EQ(reqc_response_encoding(resp), "utf-8");
    CHECK_STR_EQ(reqc_response_text(resp), "{\"k\": \"\xc3\xa9\"}");
    reqc_response_free(resp);
    resp = get("/reqc/charset/binary");
    if (resp == NULL) return;
    CHECK(reqc_response_encoding(resp) == NULL);
    /* No charset: read as UTF-8, invalid bytes replaced. */
    CHECK_STR_EQ(reqc_response_text(resp), "a\xef\xbf\xbd" "b");
    reqc_response_free(resp);
}

static void test_null_arguments(void) {
    CHECK(reqc_response_encoding(NULL) == NULL);
    CHECK_STR_EQ(reqc_response_text(NULL), "");
    CHECK(reqc_response_link(NULL, "next") == NULL);
    CHECK(reqc_response_link_count(NULL) == 0);
    CHECK(reqc_response_link_at(NULL, 0, NULL, NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_response_link_param(NULL, 0, "rel") == NULL);
}

static void test_links_from_several_headers(void) {
    reqc_response *resp;
    const char *url = NULL, *rel = NULL;
    NEED_REQC_SERVER();
    resp = get("/reqc/links");
    if (resp == NULL) return;
    CHECK(reqc_response_link_count(resp) == 3);
    CHECK_STR_EQ(reqc_response_link(resp, "next"), "http://api.example/items?page=3");
    CHECK_STR_EQ(reqc_response_link(resp, "LAST"), "http://api.example/items?page=9");
    /* rel="prev first" holds two relation types; the target is as sent. */
    CHECK_STR_EQ(reqc_response_link(resp, "prev"), "/items?page=1");
    CHECK_STR_EQ(reqc_response_link(resp, "first"), "/items?page=1");
    CHECK(reqc_response_link(resp, "self") == NULL);
    CHECK(reqc_response_link(resp, NULL) == NULL);
    CHECK(reqc_response_link_at(resp, 2, &url, &rel) == REQC_OK);
    CHECK_STR_EQ(url, "/items?page=1");
    CHECK_STR_EQ(rel, "prev first");
    CHECK_STR_EQ(reqc_response_link_param(resp, 2, "Title"), "a, \"b\"; c");
    CHECK(reqc_response_link_param(resp, 2, "type") == NULL);
    CHECK(reqc_response_link_param(resp, 3, "rel") == NULL);
    url = rel = NULL;
    CHECK(reqc_response_link_at(resp, 3, &url, &rel) == REQC_E_NOT_FOUND);
    CHECK(url == NULL && rel == NULL);
    reqc_response_free(resp);
}

static void test_links_via_response_headers(void) {
    /* Runs against PyPI's httpbin too. */
    reqc_response *resp = get(
        "/response-headers?Link=%3C%2Fpage%2F2%3E%3B%20rel%3D%22next%22%2C%20%3C%2Fpage%2F5%3E%3B%20rel%3D%22last%22");
    if (resp == NULL) return;
    CHECK(reqc_response_link_count(resp) == 2);
    CHECK_STR_EQ(reqc_response_link(resp, "next"), "/page/2");
    CHECK_STR_EQ(reqc_response_link(resp, "last"), "/page/5");
    reqc_response_free(resp);
    resp = get("/get");
    if (resp == NULL) return;
    CHECK(reqc_response_link_count(resp) == 0);
    CHECK(reqc_response_link(resp, "next") == NULL);
    reqc_response_free(resp);
}

int main(void) {
    RUN(test_utf8_declared);
    RUN(test_latin1_declared);
    RUN(test_text_without_charset_is_latin1);
    RUN(test_shift_jis);
    RUN(test_invalid_utf8_replaced);
    RUN(test_json_is_utf8_and_binary_has_none);
    RUN(test_null_arguments);
    RUN(test_links_from_several_headers);
    RUN(test_links_via_response_headers);
    return check_summary();
}
