/* url_shapes.c: a request's URL as libreqc reads it back, for the plain
 * shape nearly every URL has (made without the general URL parser, see
 * src/core/plain_url.rs) and for the shapes beside it that still go
 * through the parser: the same normalization either way (default port
 * dropped, empty path "/", case, dot segments, stray '%'), and the same
 * refusals. A guard of the fast path at the C surface; its proof of
 * equivalence is the Rust unit tests of plain_url.rs. */
#include "check.h"

struct shape {
    const char *in;
    const char *want;
};

static void check_shapes(const struct shape *shapes, size_t n) {
    for (size_t i = 0; i < n; i++) {
        reqc_request *req = NULL;
        char *message = NULL;
        reqc_code rc = reqc_request_new("GET", shapes[i].in, &req, &message);
        if (rc != REQC_OK) {
            fprintf(stderr, "  FAIL: %s gave %s: %s\n", shapes[i].in, reqc_code_name(rc),
                    message ? message : "");
            check_failed_now = 1;
            reqc_string_free(message);
            continue;
        }
        CHECK_STR_EQ(reqc_request_url(req), shapes[i].want);
        reqc_request_free(req);
    }
}

static void test_plain_urls_read_back_as_the_parser_writes_them(void) {
    static const struct shape shapes[] = {
        {"http://127.0.0.1:8080/get?a=b", "http://127.0.0.1:8080/get?a=b"},
        {"http://127.0.0.1:80/get", "http://127.0.0.1/get"},
        {"https://127.0.0.1:443", "https://127.0.0.1/"},
        {"https://127.0.0.1:80", "https://127.0.0.1:80/"},
        {"https://example.com?q", "https://example.com/?q"},
        {"https://example.com#top", "https://example.com/#top"},
        {"http://a-b.example:65535/x_y~z/(1)*+,;=:@!$&/%41?k=v/?#f?/",
         "http://a-b.example:65535/x_y~z/(1)*+,;=:@!$&/%41?k=v/?#f?/"},
    };
    check_shapes(shapes, sizeof shapes / sizeof shapes[0]);
}

static void test_other_urls_are_normalized_by_the_parser(void) {
    static const struct shape shapes[] = {
        {"HTTP://Example.COM:80/a/./b/../c", "http://example.com/a/c"},
        {"http://h/%2e%2E/x", "http://h/x"},
        {"http://h/p%zz?q=%pp", "http://h/p%25zz?q=%25pp"},
        {"http://127.1/", "http://127.0.0.1/"},
        {"http://0x7f.0.0.1:8080", "http://127.0.0.1:8080/"},
        {"http://[::1]:8080/x", "http://[::1]:8080/x"},
        {"http://user:pw@h/", "http://user:pw@h/"},
        {"http://h./", "http://h./"},
        {"http://h/a b", "http://h/a%20b"},
        {"http://h/{x}", "http://h/%7Bx%7D"},
        {"http://b\xc3\xbc" "cher.example/", "http://xn--bcher-kva.example/"},
    };
    check_shapes(shapes, sizeof shapes / sizeof shapes[0]);
}

static void test_refusals_are_unchanged(void) {
    static const struct {
        const char *url;
        reqc_code want;
    } bad[] = {
        {"ftp://h/", REQC_E_UNSUPPORTED_PROTOCOL},
        {"http://", REQC_E_INVALID_URL},
        {"http://:80/", REQC_E_INVALID_URL},
        {"http://1.2.3.256/", REQC_E_INVALID_URL},
        {"http://h:65536/", REQC_E_INVALID_URL},
        {"http://h/a\tb", REQC_E_INVALID_URL},
        {"http://h/\r\nX-Evil: 1", REQC_E_INVALID_URL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        reqc_request *req = NULL;
        char *message = NULL;
        reqc_code rc = reqc_request_new("GET", bad[i].url, &req, &message);
        if (rc != bad[i].want || req != NULL || message == NULL || *message == 0) {
            fprintf(stderr, "  FAIL: %s gave %s, want %s with a message\n", bad[i].url,
                    reqc_code_name(rc), reqc_code_name(bad[i].want));
            check_failed_now = 1;
        }
        reqc_string_free(message);
        reqc_request_free(req);
    }
}

/* A plain URL sends, and the response's URL is the request's. */
static void test_a_plain_url_sends(void) {
    const char *url = URL("/get?shape=plain");
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    CHECK_OK(reqc_request_new("GET", url, &req, NULL), req);
    if (req == NULL)
        return;
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp != NULL) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_STR_EQ(reqc_response_url(resp), url);
        reqc_response_free(resp);
    }
    reqc_request_free(req);
}

int main(void) {
    RUN(test_plain_urls_read_back_as_the_parser_writes_them);
    RUN(test_other_urls_are_normalized_by_the_parser);
    RUN(test_refusals_are_unchanged);
    RUN(test_a_plain_url_sends);
    return check_summary();
}
