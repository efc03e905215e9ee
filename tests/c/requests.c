/* requests.c: libreqc's requests and responses through the C ABI, against the
 * libreqc test server (or PyPI's httpbin with REQC_TEST_HTTPBIN=1).
 *
 * Every test asserts what the server echoed and what the caller got back, and
 * frees every handle it made (the suite also runs under valgrind).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"

/* ---- helpers ------------------------------------------------------------ */

/* A new request, or NULL (failing the test) when creation fails. */

/* Sends and returns the response, or NULL (failing the test) on an error. */
static reqc_response *send_ok(reqc_request *req) {
    reqc_response *resp = NULL;
    reqc_code rc = reqc_send(req, &resp);
    if (rc != REQC_OK) {
        fprintf(stderr, "  FAIL: reqc_send gave %s (%s)\n", reqc_code_name(rc),
                reqc_request_error(req));
        check_failed_now = 1;
        return NULL;
    }
    if (resp == NULL) {
        fprintf(stderr, "  FAIL: reqc_send gave REQC_OK and no response\n");
        check_failed_now = 1;
    }
    return resp;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int contains(const char *s, const char *needle) {
    return s != NULL && strstr(s, needle) != NULL;
}

/* Percent-encodes `s` for a query value, into a static buffer. */
static const char *urlencode(const char *s) {
    static char buf[4096];
    static const char hex[] = "0123456789ABCDEF";
    size_t j = 0;
    for (; *s && j + 4 < sizeof buf; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf[j++] = (char)c;
        } else {
            buf[j++] = '%';
            buf[j++] = hex[c >> 4];
            buf[j++] = hex[c & 15];
        }
    }
    buf[j] = 0;
    return buf;
}

/* The port of a base URL like http://127.0.0.1:40001, or 80. */
static int base_port(const char *base) {
    const char *host = strstr(base, "://");
    const char *colon;
    host = host ? host + 3 : base;
    colon = strrchr(host, ':');
    return colon ? atoi(colon + 1) : 80;
}

/* The host of a base URL, into a static buffer. */
static const char *base_host(const char *base) {
    static char buf[256];
    const char *host = strstr(base, "://");
    size_t n = 0;
    host = host ? host + 3 : base;
    while (host[n] && host[n] != ':' && host[n] != '/' && n + 1 < sizeof buf) {
        buf[n] = host[n];
        n++;
    }
    buf[n] = 0;
    return buf;
}

/* A body read callback over a fixed string, in small pieces, restartable. */
struct reader {
    const char *data;
    size_t len, pos;
    int calls;
    int freed;
};

static int read_body(void *userdata, uint8_t *buf, size_t capacity, size_t *written) {
    struct reader *r = userdata;
    size_t n = r->len - r->pos;
    r->calls++;
    if (n > 7) n = 7; /* several calls, on purpose */
    if (n > capacity) n = capacity;
    memcpy(buf, r->data + r->pos, n);
    r->pos += n;
    *written = n;
    if (n == 0) r->pos = 0; /* the end: the next send starts over */
    return 0;
}

static void free_reader(void *userdata) {
    struct reader *r = userdata;
    r->freed++;
}

/* A data callback counting bytes; stops after `stop_after` bytes when > 0. */
struct counter {
    size_t bytes;
    int calls;
    size_t stop_after;
    int freed;
};

static int count_data(void *userdata, const uint8_t *data, size_t len) {
    struct counter *c = userdata;
    (void)data;
    c->bytes += len;
    c->calls++;
    if (c->stop_after > 0 && c->bytes >= c->stop_after) return 1;
    return 0;
}

static void free_counter(void *userdata) {
    struct counter *c = userdata;
    c->freed++;
}

/* ---- query, bodies, methods --------------------------------------------- */

static void test_get_params(void) {
    reqc_request *req = check_new_request("GET", URL("/get?x=1"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_add_param(req, "q", "a b&c"), req);
    CHECK_OK(reqc_request_add_param(req, "k", "v/x=?"), req);
    CHECK_OK(reqc_request_add_param(req, "k", "two"), req);
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(t, "\"x\": \"1\"");
        CHECK_JSON_HAS(t, "\"q\": \"a b&c\"");
        CHECK_JSON_HAS(t, "\"k\": [\"v/x=?\", \"two\"]");
        /* the URL sent keeps x=1 first, then the encoded params */
        CHECK(contains(reqc_response_url(resp), "/get?x=1&q="));
        CHECK(!contains(reqc_response_url(resp), "a b"));
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_post_form(void) {
    reqc_request *req = check_new_request("POST", URL("/post"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_add_form_field(req, "name", "Ada Lovelace"), req);
    CHECK_OK(reqc_request_add_form_field(req, "expr", "1+1=2&x"), req);
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(t, "\"name\": \"Ada Lovelace\"");
        CHECK_JSON_HAS(t, "\"expr\": \"1+1=2&x\"");
        CHECK_JSON_HAS(t, "\"Content-Type\": \"application/x-www-form-urlencoded\"");
        CHECK_JSON_HAS(t, "\"files\": {}");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_post_json(void) {
    reqc_request *req = check_new_request("POST", URL("/post"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_json(req, "{\"k\": [1, 2], \"s\": \"v\", \"n\": null}"), req);
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(t, "\"Content-Type\": \"application/json\"");
        CHECK_JSON_HAS(t, "\"k\": [1, 2]");
        CHECK_JSON_HAS(t, "\"s\": \"v\"");
        CHECK_JSON_HAS(t, "\"n\": null");
        CHECK_JSON_LACKS(t, "\"json\": null");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_post_raw_bytes(void) {
    static const uint8_t body[] = "raw-bytes-123";
    reqc_request *req = check_new_request("POST", URL("/post"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_body(req, body, sizeof body - 1, "text/x-reqc"), req);
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_HAS(t, "\"data\": \"raw-bytes-123\"");
        CHECK_JSON_HAS(t, "\"Content-Type\": \"text/x-reqc\"");
        CHECK_JSON_HAS(t, "\"Content-Length\": \"13\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* A body with no content type is sent without Content-Type (libcurl's
 * default "application/x-www-form-urlencoded" for POST must not leak in). */
static void test_post_body_without_content_type(void) {
    static const uint8_t body[] = "no type";
    reqc_request *req = check_new_request("POST", URL("/post"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_body(req, body, sizeof body - 1, NULL), req);
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_HAS(t, "\"data\": \"no type\"");
        CHECK_JSON_LACKS(t, "\"Content-Type\"");
        CHECK_JSON_HAS(t, "\"form\": {}");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* The same for a streamed body: no Content-Type unless the caller sets one. */
static void test_body_callback_without_content_type(void) {
    static const char text[] = "untyped stream";
    struct reader r = {text, sizeof text - 1, 0, 0, 0};
    reqc_request *req = check_new_request("POST", URL("/post"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_body_callback(req, (int64_t)r.len, read_body, &r, free_reader),
             req);
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_HAS(t, "\"data\": \"untyped stream\"");
        CHECK_JSON_LACKS(t, "\"Content-Type\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    CHECK(r.freed == 1);
}

static void test_post_binary_echo_raw(void) {
    uint8_t body[300];
    size_t i, len = 0;
    reqc_request *req;
    reqc_response *resp;
    if (check_is_httpbin()) SKIP("/reqc/echo-raw is a libreqc test server endpoint");
    for (i = 0; i < sizeof body; i++) body[i] = (uint8_t)(i * 7);
    req = check_new_request("POST", URL("/reqc/echo-raw"));
    if (!req) return;
    CHECK_OK(reqc_request_set_body(req, body, sizeof body, "application/octet-stream"), req);
    resp = send_ok(req);
    if (resp) {
        const uint8_t *got = reqc_response_body(resp, &len);
        CHECK(len == sizeof body);
        CHECK(got != NULL && len == sizeof body && memcmp(got, body, len) == 0);
        CHECK_STR_EQ(reqc_response_header(resp, "X-Reqc-Body-Length"), "300");
        CHECK_STR_EQ(reqc_response_header(resp, "X-Reqc-Method"), "POST");
        CHECK_STR_EQ(reqc_response_header(resp, "X-Reqc-Transfer-Encoding"), "none");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_post_multipart(void) {
    char path[] = "/tmp/reqc-test-XXXXXX";
    static const char file_text[] = "file-contents-1";
    static const uint8_t mem[] = "in-memory";
    reqc_request *req;
    reqc_response *resp = NULL;
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    CHECK(write(fd, file_text, sizeof file_text - 1) == (ssize_t)(sizeof file_text - 1));
    close(fd);
    req = check_new_request("POST", URL("/post"));
    if (req) {
        CHECK_OK(reqc_request_add_form_field(req, "field", "value 1"), req);
        CHECK_OK(reqc_request_add_file(req, "upload", path, "a.txt", "text/plain"), req);
        CHECK_OK(reqc_request_add_file_data(req, "mem", "mem.bin", mem, sizeof mem - 1, NULL),
                 req);
        resp = send_ok(req);
    }
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(t, "\"field\": \"value 1\"");
        CHECK_JSON_HAS(t, "\"upload\": \"file-contents-1\"");
        CHECK_JSON_HAS(t, "\"mem\": \"in-memory\"");
        CHECK_JSON_HAS(t, "\"Content-Type\": \"multipart/form-data; boundary=");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    unlink(path);
}

static void test_post_body_callback_known_length(void) {
    static const char text[] = "streamed body with a known length";
    struct reader r = {text, sizeof text - 1, 0, 0, 0};
    reqc_request *req = check_new_request("POST", URL("/post"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_body_callback(req, (int64_t)r.len, read_body, &r, free_reader),
             req);
    CHECK_OK(reqc_request_set_header(req, "Content-Type", "text/plain"), req);
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_HAS(t, "\"data\": \"streamed body with a known length\"");
        CHECK_JSON_HAS(t, "\"Content-Length\": \"33\"");
        CHECK_JSON_LACKS(t, "\"Transfer-Encoding\"");
    }
    CHECK(r.calls >= 2);
    reqc_response_free(resp);
    CHECK(r.freed == 0);
    reqc_request_free(req);
    CHECK(r.freed == 1);
}

static void test_post_body_callback_chunked(void) {
    static const char text[] = "streamed body of unknown length, sent chunked";
    struct reader r = {text, sizeof text - 1, 0, 0, 0};
    reqc_request *req = check_new_request("POST", URL("/post"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_body_callback(req, -1, read_body, &r, free_reader), req);
    CHECK_OK(reqc_request_set_header(req, "Content-Type", "text/plain"), req);
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(t, "\"data\": \"streamed body of unknown length, sent chunked\"");
    }
    reqc_response_free(resp);
    resp = NULL;
    if (!check_is_httpbin()) {
        /* the raw view: chunked on the wire, the body intact */
        size_t len = 0;
        const uint8_t *got;
        CHECK_OK(reqc_request_set_url(req, URL("/reqc/echo-raw")), req);
        resp = send_ok(req);
        if (resp) {
            got = reqc_response_body(resp, &len);
            CHECK(len == r.len && memcmp(got, text, len) == 0);
            CHECK_STR_EQ(reqc_response_header(resp, "X-Reqc-Transfer-Encoding"), "chunked");
            CHECK_STR_EQ(reqc_response_header(resp, "X-Reqc-Body-Length"), "45");
            CHECK_STR_EQ(reqc_response_header(resp, "X-Reqc-Content-Type"), "text/plain");
        }
        reqc_response_free(resp);
    }
    CHECK(r.freed == 0);
    reqc_request_free(req);
    CHECK(r.freed == 1);
}

static void test_body_callback_replaced_frees_once(void) {
    static const char text[] = "x";
    struct reader r = {text, 1, 0, 0, 0};
    reqc_request *req = check_new_request("POST", URL("/post"));
    if (!req) return;
    CHECK_OK(reqc_request_set_body_callback(req, 1, read_body, &r, free_reader), req);
    CHECK(r.freed == 0);
    CHECK_OK(reqc_request_set_json(req, "{}"), req); /* replaces the body */
    CHECK(r.freed == 1);
    reqc_request_free(req);
    CHECK(r.freed == 1);
}

static void test_put_patch_delete(void) {
    static const char *const methods[] = {"PUT", "PATCH", "DELETE"};
    static const char *const paths[] = {"/put", "/patch", "/delete"};
    int i;
    for (i = 0; i < 3; i++) {
        char body[64], want[96];
        reqc_request *req = check_new_request(methods[i], URL(paths[i]));
        reqc_response *resp;
        if (!req) return;
        snprintf(body, sizeof body, "body-of-%s", methods[i]);
        snprintf(want, sizeof want, "\"data\": \"%s\"", body);
        CHECK_OK(reqc_request_set_body(req, (const uint8_t *)body, strlen(body), "text/plain"),
                 req);
        resp = send_ok(req);
        if (resp) {
            CHECK(reqc_response_status(resp) == 200);
            CHECK_JSON_HAS(reqc_response_text(resp), want);
        }
        reqc_response_free(resp);
        reqc_request_free(req);
    }
}

static void test_head(void) {
    reqc_request *req = check_new_request("HEAD", URL("/get"));
    reqc_response *resp;
    if (!req) return;
    resp = send_ok(req);
    if (resp) {
        size_t len = 99;
        const uint8_t *b = reqc_response_body(resp, &len);
        CHECK(reqc_response_status(resp) == 200);
        CHECK(b != NULL && len == 0 && b[0] == 0);
        CHECK_STR_EQ(reqc_response_text(resp), "");
        CHECK_STR_EQ(reqc_response_header(resp, "Content-Type"), "application/json");
        CHECK(reqc_response_header(resp, "Content-Length") != NULL);
        CHECK(reqc_response_header_count(resp) > 0);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_custom_verb(void) {
    reqc_request *req = check_new_request("PURGE", URL("/anything/cache"));
    reqc_response *resp;
    if (!req) return;
    resp = send_ok(req);
    if (resp && check_is_httpbin()) {
        /* PyPI's httpbin routes /anything for a fixed set of methods only:
         * Flask's 405 still shows the verb reached it as PURGE, not GET */
        CHECK(reqc_response_status(resp) == 405);
        CHECK(contains(reqc_response_header(resp, "Allow"), "GET"));
    } else if (resp) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(reqc_response_text(resp), "\"method\": \"PURGE\"");
        CHECK_JSON_HAS(reqc_response_text(resp), "/anything/cache\"");
    }
    reqc_response_free(resp);
    if (check_is_httpbin()) {
        reqc_request_free(req);
        return;
    }
    /* set_method changes it on the same handle; echo-raw shows the raw verb */
    CHECK_OK(reqc_request_set_method(req, "MKCOL"), req);
    CHECK_OK(reqc_request_set_url(req, URL("/reqc/echo-raw")), req);
    resp = send_ok(req);
    if (resp) {
        CHECK_STR_EQ(reqc_response_header(resp, "X-Reqc-Method"), "MKCOL");
        CHECK_STR_EQ(reqc_response_header(resp, "X-Reqc-Body-Length"), "0");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- headers --------------------------------------------------------------- */

static void test_headers(void) {
    reqc_request *req = check_new_request("GET", URL("/headers"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_header(req, "X-Test", "true"), req);
    CHECK_OK(reqc_request_add_header(req, "X-Multi", "one"), req);
    CHECK_OK(reqc_request_add_header(req, "X-Multi", "two"), req);
    CHECK_OK(reqc_request_set_header(req, "X-Replace", "old"), req);
    CHECK_OK(reqc_request_set_header(req, "x-replace", "new"), req); /* case-insensitive */
    CHECK_OK(reqc_request_set_header(req, "X-Gone", "soon"), req);
    CHECK_OK(reqc_request_set_header(req, "X-Gone", NULL), req);
    CHECK_OK(reqc_request_set_header(req, "Accept", NULL), req); /* libcurl's default */
    CHECK_OK(reqc_request_set_header(req, "X-Empty", ""), req);
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_HAS(t, "\"X-Test\": \"true\"");
        CHECK_JSON_HAS(t, "\"X-Multi\": \"one,two\"");
        CHECK_JSON_HAS(t, "\"X-Replace\": \"new\"");
        CHECK_JSON_LACKS(t, "old");
        CHECK_JSON_LACKS(t, "\"X-Gone\"");
        CHECK_JSON_LACKS(t, "\"Accept\":");
        CHECK_JSON_HAS(t, "\"X-Empty\": \"\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_default_headers(void) {
    reqc_request *req = check_new_request("GET", URL("/headers"));
    reqc_response *resp;
    if (!req) return;
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK_JSON_HAS(t, "\"Accept\": \"*/*\"");
        CHECK_JSON_HAS(t, "\"Accept-Encoding\":");
        CHECK_JSON_HAS(t, "gzip");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- response fields -------------------------------------------------------- */

static void test_response_fields(void) {
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp;
    if (!req) return;
    resp = send_ok(req);
    if (resp) {
        size_t len = 0;
        const uint8_t *body = reqc_response_body(resp, &len);
        const char *text = reqc_response_text(resp);
        const char *host = base_host(check_env("REQC_TEST_URL"));
        CHECK(reqc_response_status(resp) == 200);
        CHECK_STR_EQ(reqc_response_reason(resp), "OK");
        CHECK(len > 0 && body != NULL && body[len] == 0);
        CHECK(strlen(text) == len && memcmp(body, text, len) == 0);
        CHECK_JSON_HAS(text, "\"url\":");
        CHECK(reqc_response_body(resp, NULL) == body);
        /* case-insensitive lookup */
        CHECK_STR_EQ(reqc_response_header(resp, "content-type"), "application/json");
        CHECK_STR_EQ(reqc_response_header(resp, "CONTENT-TYPE"), "application/json");
        CHECK(reqc_response_header(resp, "X-No-Such-Header") == NULL);
        CHECK_STR_EQ(reqc_response_url(resp), URL("/get"));
        CHECK(reqc_response_history_count(resp) == 0);
        CHECK(check_hop(resp, 0) == NULL);
        CHECK(reqc_response_elapsed_us(resp) > 0);
        CHECK(reqc_response_http_version(resp) == REQC_HTTP_VERSION_1_1);
        if (strcmp(host, "127.0.0.1") == 0)
            CHECK_STR_EQ(reqc_response_remote_ip(resp), "127.0.0.1");
        else
            CHECK(*reqc_response_remote_ip(resp) != 0);
        CHECK(reqc_response_remote_port(resp) == base_port(check_env("REQC_TEST_URL")));
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_response_timings(void) {
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp;
    if (!req) return;
    resp = send_ok(req);
    if (resp) {
        int64_t dns = reqc_response_timing_us(resp, REQC_TIMING_DNS);
        int64_t conn = reqc_response_timing_us(resp, REQC_TIMING_CONNECT);
        int64_t tls = reqc_response_timing_us(resp, REQC_TIMING_TLS);
        int64_t first = reqc_response_timing_us(resp, REQC_TIMING_FIRST_BYTE);
        int64_t total = reqc_response_timing_us(resp, REQC_TIMING_TOTAL);
        CHECK(dns >= 0);
        CHECK(dns <= conn);
        CHECK(conn <= first);
        CHECK(first <= total);
        CHECK(total > 0);
        CHECK(tls == 0); /* http:// */
        CHECK(total <= reqc_response_elapsed_us(resp));
        CHECK(reqc_response_timing_us(resp, 5) == -1);
        CHECK(reqc_response_timing_us(resp, -1) == -1);
        CHECK(reqc_response_timing_us(resp, 1000) == -1);
        if (!(dns <= conn && conn <= first && first <= total))
            fprintf(stderr, "  timings: dns %lld connect %lld first %lld total %lld\n",
                    (long long)dns, (long long)conn, (long long)first, (long long)total);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_response_header_iteration(void) {
    reqc_request *req = check_new_request("GET", URL("/response-headers?X-A=1&X-A=2&X-B=three"));
    reqc_response *resp;
    if (!req) return;
    resp = send_ok(req);
    if (resp) {
        size_t i, n = reqc_response_header_count(resp);
        const char *a_values[4] = {0};
        int a_count = 0, saw_b = 0, saw_ct = 0;
        CHECK(n >= 4);
        for (i = 0; i < n; i++) {
            const char *name = NULL, *value = NULL;
            CHECK_CODE(reqc_response_header_at(resp, i, &name, &value), REQC_OK, req);
            CHECK(name != NULL && value != NULL);
            if (!name || !value) continue;
            if (strcmp(name, "X-A") == 0 && a_count < 4) a_values[a_count++] = value;
            if (strcmp(name, "X-B") == 0) saw_b = strcmp(value, "three") == 0;
            if (strcmp(name, "Content-Type") == 0 || strcmp(name, "content-type") == 0) saw_ct = 1;
        }
        CHECK(a_count == 2);
        if (a_count == 2) {
            CHECK_STR_EQ(a_values[0], "1");
            CHECK_STR_EQ(a_values[1], "2");
        }
        CHECK(saw_b);
        CHECK(saw_ct);
        /* the first value, by case-insensitive lookup */
        CHECK_STR_EQ(reqc_response_header(resp, "x-a"), "1");
        /* either out-pointer may be NULL */
        {
            const char *name = NULL;
            CHECK(reqc_response_header_at(resp, 0, &name, NULL) == REQC_OK && name != NULL);
            CHECK(reqc_response_header_at(resp, 0, NULL, NULL) == REQC_OK);
            CHECK(reqc_response_header_at(resp, n, &name, NULL) == REQC_E_NOT_FOUND);
        }
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_error_statuses_are_responses(void) {
    static const int codes[] = {404, 500, 418};
    int i;
    for (i = 0; i < 3; i++) {
        char path[32];
        reqc_request *req;
        reqc_response *resp = NULL;
        snprintf(path, sizeof path, "/status/%d", codes[i]);
        req = check_new_request("GET", URL(path));
        if (!req) return;
        CHECK_OK(reqc_send(req, &resp), req);
        CHECK(resp != NULL && reqc_response_status(resp) == codes[i]);
        CHECK_STR_EQ(reqc_request_error(req), "");
        reqc_response_free(resp);
        reqc_request_free(req);
    }
    {
        reqc_request *req = check_new_request("GET", URL("/status/404"));
        reqc_response *resp;
        if (!req) return;
        resp = send_ok(req);
        /* "Not Found" from libreqc's server, "NOT FOUND" from Flask's httpbin */
        if (resp) CHECK(strcasecmp(reqc_response_reason(resp), "Not Found") == 0);
        reqc_response_free(resp);
        reqc_request_free(req);
    }
}

/* ---- redirects ---------------------------------------------------------------- */

static void test_redirect_chain(void) {
    reqc_request *req = check_new_request("GET", URL("/redirect/3"));
    reqc_response *resp;
    if (!req) return;
    resp = send_ok(req);
    if (resp) {
        static const char *const hops[] = {"/redirect/3", "/relative-redirect/2",
                                           "/relative-redirect/1"};
        size_t i;
        CHECK(reqc_response_status(resp) == 200);
        CHECK(ends_with(reqc_response_url(resp), "/get"));
        CHECK_STR_EQ(reqc_response_url(resp), URL("/get"));
        CHECK_JSON_HAS(reqc_response_text(resp), "\"url\":");
        CHECK(reqc_response_history_count(resp) == 3);
        for (i = 0; i < 3 && i < reqc_response_history_count(resp); i++) {
            const reqc_response *h = check_hop(resp, i);
            CHECK(h != NULL);
            if (!h) continue;
            CHECK(reqc_response_status(h) == 302);
            CHECK_STR_EQ(reqc_response_url(h), URL(hops[i]));
            CHECK(reqc_response_header(h, "Location") != NULL);
            CHECK(reqc_response_history_count(h) == i); /* hops before it */
            CHECK(reqc_response_elapsed_us(h) > 0);
            CHECK(reqc_response_elapsed_us(h) <= reqc_response_elapsed_us(resp));
        }
        CHECK(check_hop(resp, 3) == NULL);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_absolute_redirect(void) {
    reqc_request *req = check_new_request("GET", URL("/absolute-redirect/2"));
    reqc_response *resp;
    if (!req) return;
    resp = send_ok(req);
    if (resp) {
        const reqc_response *h1 = check_hop(resp, 1);
        CHECK(reqc_response_status(resp) == 200);
        CHECK(ends_with(reqc_response_url(resp), "/get"));
        CHECK(reqc_response_history_count(resp) == 2);
        CHECK(h1 != NULL && reqc_response_status(h1) == 302);
        CHECK(h1 != NULL && ends_with(reqc_response_url(h1), "/absolute-redirect/1"));
        CHECK(h1 != NULL && contains(reqc_response_header(h1, "Location"), "http"));
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_redirects_off(void) {
    reqc_request *req = check_new_request("GET", URL("/redirect/3"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_redirects(req, 0, 0), req);
    resp = send_ok(req);
    if (resp) {
        CHECK(reqc_response_status(resp) == 302);
        CHECK_STR_EQ(reqc_response_header(resp, "Location"), "/relative-redirect/2");
        CHECK_STR_EQ(reqc_response_url(resp), URL("/redirect/3"));
        CHECK(reqc_response_history_count(resp) == 0);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_too_many_redirects(void) {
    reqc_request *req = check_new_request("GET", URL("/redirect/5"));
    reqc_response *resp = (reqc_response *)&resp; /* sentinel */
    reqc_response *sentinel = resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_redirects(req, 1, 2), req);
    CHECK_CODE(reqc_send(req, &resp), REQC_E_TOO_MANY_REDIRECTS, req);
    CHECK(resp == sentinel);
    CHECK(contains(reqc_request_error(req), check_env("REQC_TEST_URL")));
    CHECK(contains(reqc_request_error(req), "REQC_E_TOO_MANY_REDIRECTS"));
    if (resp != sentinel) reqc_response_free(resp);
    /* exactly at the limit is fine */
    CHECK_OK(reqc_request_set_url(req, URL("/redirect/2")), req);
    resp = send_ok(req);
    if (resp) CHECK(reqc_response_history_count(resp) == 2);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static reqc_response *post_redirect(int status, const char *body) {
    char path[128];
    reqc_request *req;
    reqc_response *resp;
    snprintf(path, sizeof path, "/redirect-to?url=%%2Fanything&status_code=%d", status);
    req = check_new_request("POST", URL(path));
    if (!req) return NULL;
    CHECK_OK(reqc_request_set_body(req, (const uint8_t *)body, strlen(body), "text/plain"), req);
    resp = send_ok(req);
    reqc_request_free(req);
    return resp;
}

static void test_post_redirect_303(void) {
    reqc_response *resp = post_redirect(303, "payload-303");
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_status(resp) == 200);
        CHECK(reqc_response_history_count(resp) == 1);
        CHECK_JSON_HAS(t, "\"method\": \"GET\"");
        CHECK_JSON_HAS(t, "\"data\": \"\"");
        CHECK_JSON_LACKS(t, "payload-303");
        CHECK_JSON_LACKS(t, "\"Content-Type\"");
        CHECK_JSON_LACKS(t, "\"Content-Length\": \"11\"");
    }
    reqc_response_free(resp);
}

static void test_post_redirect_307(void) {
    reqc_response *resp = post_redirect(307, "payload-307");
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(t, "\"method\": \"POST\"");
        CHECK_JSON_HAS(t, "\"data\": \"payload-307\"");
        CHECK_JSON_HAS(t, "\"Content-Type\": \"text/plain\"");
    }
    reqc_response_free(resp);
}

static void test_post_redirect_302(void) {
    reqc_response *resp = post_redirect(302, "payload-302");
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_status(resp) == 200);
        CHECK(reqc_response_status(check_hop(resp, 0)) == 302);
        CHECK_JSON_HAS(t, "\"method\": \"GET\"");
        CHECK_JSON_LACKS(t, "payload-302");
    }
    reqc_response_free(resp);
}

static void test_redirect_307_streamed_body_refused(void) {
    static const char text[] = "cannot replay";
    struct reader r = {text, sizeof text - 1, 0, 0, 0};
    reqc_request *req =
        check_new_request("POST", URL("/redirect-to?url=%2Fanything&status_code=307"));
    reqc_response *resp = NULL;
    if (!req) return;
    CHECK_OK(reqc_request_set_body_callback(req, (int64_t)r.len, read_body, &r, free_reader),
             req);
    CHECK_CODE(reqc_send(req, &resp), REQC_E_INVALID_STATE, req);
    CHECK(resp == NULL);
    reqc_response_free(resp);
    reqc_request_free(req);
    CHECK(r.freed == 1);
}

/* ---- credentials across origins ---------------------------------------------- */

/* URL("/redirect-to?url=" + URL2(path)): a redirect to the second origin. */
static const char *cross_origin_url(const char *path2) {
    char target[1024];
    char path[2048];
    snprintf(target, sizeof target, "%s", URL2(path2));
    snprintf(path, sizeof path, "/redirect-to?url=%s", urlencode(target));
    return URL(path);
}

enum cred_kind { CRED_BASIC, CRED_BEARER, CRED_HEADER, CRED_SECRET, CRED_USERINFO };

static void cross_origin_case(enum cred_kind kind) {
    const char *url = cross_origin_url("/headers");
    char userinfo_url[2200];
    reqc_request *req;
    reqc_response *resp;
    if (kind == CRED_USERINFO) {
        const char *base = check_env("REQC_TEST_URL");
        const char *rest = strstr(url, "://");
        (void)base;
        if (!rest) return;
        snprintf(userinfo_url, sizeof userinfo_url, "http://u:p@%s", rest + 3);
        url = userinfo_url;
    }
    req = check_new_request("GET", url);
    if (!req) return;
    CHECK_OK(reqc_request_set_header(req, "X-Keep", "kept"), req);
    switch (kind) {
    case CRED_BASIC: CHECK_OK(reqc_request_set_auth_basic(req, "u", "p"), req); break;
    case CRED_BEARER: CHECK_OK(reqc_request_set_auth_bearer(req, "tok-secret"), req); break;
    case CRED_HEADER:
        CHECK_OK(reqc_request_set_header(req, "Authorization", "Token hand-made"), req);
        break;
    case CRED_SECRET:
        CHECK_OK(reqc_request_set_header(req, "X-Api-Key", "k-secret"), req);
        CHECK_OK(reqc_request_mark_secret_header(req, "x-api-key"), req);
        break;
    case CRED_USERINFO: break;
    }
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_status(resp) == 200);
        CHECK_STR_EQ(reqc_response_url(resp), URL2("/headers"));
        CHECK(reqc_response_history_count(resp) == 1);
        CHECK_JSON_LACKS(t, "\"Authorization\"");
        CHECK_JSON_LACKS(t, "\"X-Api-Key\"");
        CHECK_JSON_LACKS(t, "secret");
        CHECK_JSON_HAS(t, "\"X-Keep\": \"kept\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_cross_origin_drops_basic_auth(void) { cross_origin_case(CRED_BASIC); }
static void test_cross_origin_drops_bearer(void) { cross_origin_case(CRED_BEARER); }
static void test_cross_origin_drops_authorization_header(void) { cross_origin_case(CRED_HEADER); }
static void test_cross_origin_drops_secret_header(void) { cross_origin_case(CRED_SECRET); }
static void test_cross_origin_drops_url_userinfo(void) { cross_origin_case(CRED_USERINFO); }

static void test_same_origin_keeps_auth(void) {
    reqc_request *req = check_new_request("GET", URL("/redirect-to?url=%2Fheaders"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_auth_basic(req, "u", "p"), req);
    CHECK_OK(reqc_request_set_header(req, "X-Api-Key", "k-same"), req);
    CHECK_OK(reqc_request_mark_secret_header(req, "X-Api-Key"), req);
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        CHECK(reqc_response_history_count(resp) == 1);
        CHECK_STR_EQ(reqc_response_url(resp), URL("/headers"));
        CHECK_JSON_HAS(t, "\"Authorization\": \"Basic dTpw\"");
        CHECK_JSON_HAS(t, "\"X-Api-Key\": \"k-same\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- auth --------------------------------------------------------------------------- */

static void test_basic_auth(void) {
    reqc_request *req = check_new_request("GET", URL("/basic-auth/u/p"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_auth_basic(req, "u", "p"), req);
    resp = send_ok(req);
    if (resp) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(reqc_response_text(resp), "\"authenticated\": true");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"user\": \"u\"");
    }
    reqc_response_free(resp);
    /* auth none on the same request: 401 again */
    CHECK_OK(reqc_request_set_auth_none(req), req);
    resp = send_ok(req);
    if (resp) CHECK(reqc_response_status(resp) == 401);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_basic_auth_wrong_password(void) {
    reqc_request *req = check_new_request("GET", URL("/basic-auth/u/p"));
    reqc_response *resp = NULL;
    if (!req) return;
    CHECK_OK(reqc_request_set_auth_basic(req, "u", "wrong"), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(resp != NULL && reqc_response_status(resp) == 401);
    CHECK(resp != NULL && reqc_response_header(resp, "WWW-Authenticate") != NULL);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_digest_auth(void) {
    reqc_request *req = check_new_request("GET", URL("/digest-auth/auth/u/p"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_auth_digest(req, "u", "p"), req);
    resp = send_ok(req);
    if (resp) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(reqc_response_text(resp), "\"authenticated\": true");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"user\": \"u\"");
    }
    reqc_response_free(resp);
    /* and the wrong password is a 401 response */
    CHECK_OK(reqc_request_set_auth_digest(req, "u", "nope"), req);
    resp = send_ok(req);
    if (resp) CHECK(reqc_response_status(resp) == 401);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_bearer_auth(void) {
    reqc_request *req = check_new_request("GET", URL("/bearer"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_auth_bearer(req, "tok123"), req);
    resp = send_ok(req);
    if (resp) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(reqc_response_text(resp), "\"authenticated\": true");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"token\": \"tok123\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_url_userinfo_auth(void) {
    char url[2200];
    const char *full = URL("/basic-auth/u/p");
    const char *rest = strstr(full, "://");
    reqc_request *req;
    reqc_response *resp;
    CHECK(rest != NULL);
    if (!rest) return;
    snprintf(url, sizeof url, "http://u:p@%s", rest + 3);
    req = check_new_request("GET", url);
    if (!req) return;
    resp = send_ok(req);
    if (resp) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(reqc_response_text(resp), "\"authenticated\": true");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- failures ------------------------------------------------------------------------ */

static void test_timeout(void) {
    reqc_request *req = check_new_request("GET", URL("/delay/3"));
    reqc_response *resp = (reqc_response *)&resp;
    reqc_response *sentinel = resp;
    int64_t t0, took;
    if (!req) return;
    CHECK_OK(reqc_request_set_timeout_ms(req, 300), req);
    t0 = now_ms();
    CHECK_CODE(reqc_send(req, &resp), REQC_E_TIMEOUT, req);
    took = now_ms() - t0;
    CHECK(resp == sentinel);
    CHECK(took >= 250);
    CHECK(took < 2000);
    CHECK(contains(reqc_request_error(req), "/delay/3"));
    CHECK(contains(reqc_request_error(req), "REQC_E_TIMEOUT"));
    reqc_request_free(req);
}

static void test_connect_refused(void) {
    struct sockaddr_in addr;
    socklen_t alen = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int port;
    char url[64], portstr[16];
    reqc_request *req;
    reqc_response *resp = NULL;
    CHECK(fd >= 0);
    if (fd < 0) return;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    CHECK(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK(getsockname(fd, (struct sockaddr *)&addr, &alen) == 0);
    port = ntohs(addr.sin_port);
    close(fd); /* nothing listens there now */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/get", port);
    snprintf(portstr, sizeof portstr, ":%d", port);
    req = check_new_request("GET", url);
    if (!req) return;
    CHECK_CODE(reqc_send(req, &resp), REQC_E_CONNECT, req);
    CHECK(resp == NULL);
    CHECK(contains(reqc_request_error(req), portstr));
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- decoding and size caps ------------------------------------------------------------ */

static void test_gzip(void) {
    reqc_request *req = check_new_request("GET", URL("/gzip"));
    reqc_response *resp;
    if (!req) return;
    resp = send_ok(req);
    if (resp) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK(reqc_response_text(resp)[0] == '{');
        CHECK_JSON_HAS(reqc_response_text(resp), "\"gzipped\": true");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_deflate(void) {
    reqc_request *req = check_new_request("GET", URL("/deflate"));
    reqc_response *resp;
    if (!req) return;
    resp = send_ok(req);
    if (resp) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK(reqc_response_text(resp)[0] == '{');
        CHECK_JSON_HAS(reqc_response_text(resp), "\"deflated\": true");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_body_cap(void) {
    reqc_request *req = check_new_request("GET", URL("/gzip"));
    reqc_response *resp = NULL;
    if (!req) return;
    CHECK_OK(reqc_request_set_max_response_bytes(req, 100), req);
    CHECK_CODE(reqc_send(req, &resp), REQC_E_BODY_TOO_LARGE, req);
    CHECK(resp == NULL);
    CHECK(contains(reqc_request_error(req), "/gzip"));
    reqc_response_free(resp);
    /* raising the cap lets it through */
    CHECK_OK(reqc_request_set_max_response_bytes(req, 100000), req);
    resp = send_ok(req);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_gzip_bomb_cap(void) {
    reqc_request *req;
    reqc_response *resp = NULL;
    int64_t t0;
    if (check_is_httpbin()) SKIP("/reqc/gzip-bomb is a libreqc test server endpoint");
    req = check_new_request("GET", URL("/reqc/gzip-bomb?size=10000000"));
    if (!req) return;
    CHECK_OK(reqc_request_set_max_response_bytes(req, 1000000), req);
    t0 = now_ms();
    CHECK_CODE(reqc_send(req, &resp), REQC_E_BODY_TOO_LARGE, req);
    CHECK(resp == NULL);
    CHECK(now_ms() - t0 < 20000);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_brotli_zstd(void) {
    int br = reqc_has_feature("brotli"), zstd = reqc_has_feature("zstd");
    reqc_request *req;
    reqc_response *resp;
    if (!br && !zstd) SKIP("the linked libcurl supports neither brotli nor zstd");
    /* neither server has a br/zstd endpoint: check they are offered */
    req = check_new_request("GET", URL("/headers"));
    if (!req) return;
    resp = send_ok(req);
    if (resp) {
        const char *t = reqc_response_text(resp);
        const char *ae = strstr(t, "\"Accept-Encoding\"");
        CHECK(ae != NULL);
        if (ae) {
            char line[256];
            const char *end = strchr(ae, '\n');
            size_t n = end ? (size_t)(end - ae) : strlen(ae);
            if (n >= sizeof line) n = sizeof line - 1;
            memcpy(line, ae, n);
            line[n] = 0;
            if (br) CHECK(contains(line, "br"));
            if (zstd) CHECK(contains(line, "zstd"));
        }
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- streaming ------------------------------------------------------------------------------ */

static void test_stream_body(void) {
    struct counter c = {0, 0, 0, 0};
    reqc_request *req = check_new_request("GET", URL("/bytes/100000"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_data_callback(req, count_data, &c, free_counter), req);
    resp = send_ok(req);
    if (resp) {
        size_t len = 99;
        reqc_response_body(resp, &len);
        CHECK(reqc_response_status(resp) == 200);
        CHECK(c.bytes == 100000);
        CHECK(c.calls >= 1);
        CHECK(len == 0);
        CHECK_STR_EQ(reqc_response_text(resp), "");
        CHECK_STR_EQ(reqc_response_header(resp, "Content-Length"), "100000");
    }
    reqc_response_free(resp);
    CHECK(c.freed == 0);
    /* NULL turns streaming off and releases the old userdata */
    CHECK_OK(reqc_request_set_data_callback(req, NULL, NULL, NULL), req);
    CHECK(c.freed == 1);
    resp = send_ok(req);
    if (resp) {
        size_t len = 0;
        reqc_response_body(resp, &len);
        CHECK(len == 100000);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    CHECK(c.freed == 1);
}

static void test_stream_redirected_body(void) {
    struct counter c = {0, 0, 0, 0};
    reqc_request *req = check_new_request("GET", URL("/redirect-to?url=%2Fbytes%2F5000"));
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_data_callback(req, count_data, &c, free_counter), req);
    resp = send_ok(req);
    if (resp) {
        CHECK(c.bytes == 5000); /* only the final body is streamed */
        CHECK(reqc_response_history_count(resp) == 1);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
    CHECK(c.freed == 1);
}

static void test_stream_abort(void) {
    struct counter c = {0, 0, 1, 0}; /* stop at the first bytes */
    reqc_request *req = check_new_request("GET", URL("/bytes/100000"));
    reqc_response *resp = (reqc_response *)&c;
    reqc_response *sentinel = resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_data_callback(req, count_data, &c, free_counter), req);
    CHECK_CODE(reqc_send(req, &resp), REQC_E_ABORTED, req);
    CHECK(resp == sentinel);
    CHECK(c.calls == 1);
    CHECK(c.bytes > 0 && c.bytes < 100000);
    CHECK(contains(reqc_request_error(req), "/bytes/100000"));
    reqc_request_free(req);
    CHECK(c.freed == 1);
}

static int read_fail(void *userdata, uint8_t *buf, size_t capacity, size_t *written) {
    (void)userdata;
    (void)buf;
    (void)capacity;
    *written = 0;
    return 1;
}

static void test_body_callback_error(void) {
    reqc_request *req = check_new_request("POST", URL("/post"));
    reqc_response *resp = NULL;
    if (!req) return;
    CHECK_OK(reqc_request_set_body_callback(req, 10, read_fail, NULL, NULL), req);
    CHECK_CODE(reqc_send(req, &resp), REQC_E_CALLBACK, req);
    CHECK(resp == NULL);
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- reuse, version, names --------------------------------------------------------------------- */

static void test_request_reusable(void) {
    static const char text[] = "again and again";
    struct reader r = {text, sizeof text - 1, 0, 0, 0};
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *a, *b;
    if (!req) return;
    a = send_ok(req);
    b = send_ok(req);
    CHECK(a && reqc_response_status(a) == 200);
    CHECK(b && reqc_response_status(b) == 200);
    CHECK(a != b);
    reqc_response_free(a);
    reqc_response_free(b);
    /* changed and sent again, with a restartable streamed body */
    CHECK_OK(reqc_request_set_method(req, "POST"), req);
    CHECK_OK(reqc_request_set_url(req, URL("/post")), req);
    CHECK_OK(reqc_request_set_header(req, "Content-Type", "text/plain"), req);
    CHECK_OK(reqc_request_set_body_callback(req, (int64_t)r.len, read_body, &r, free_reader),
             req);
    a = send_ok(req);
    r.pos = 0; /* the caller starts the callback's data over for the next send */
    b = send_ok(req);
    if (a) CHECK_JSON_HAS(reqc_response_text(a), "\"data\": \"again and again\"");
    if (b) CHECK_JSON_HAS(reqc_response_text(b), "\"data\": \"again and again\"");
    reqc_response_free(a);
    reqc_response_free(b);
    reqc_request_free(req);
    CHECK(r.freed == 1);
}

static void test_clone(void) {
    static const char text[] = "shared";
    struct reader r = {text, sizeof text - 1, 0, 0, 0};
    reqc_request *req = check_new_request("POST", URL("/post"));
    reqc_request *copy = NULL;
    reqc_response *resp;
    if (!req) return;
    CHECK_OK(reqc_request_set_header(req, "X-Orig", "1"), req);
    CHECK_OK(reqc_request_set_header(req, "Content-Type", "text/plain"), req);
    CHECK_OK(reqc_request_set_body_callback(req, (int64_t)r.len, read_body, &r, free_reader),
             req);
    CHECK_OK(reqc_request_clone(req, &copy), req);
    CHECK(copy != NULL && copy != req);
    reqc_request_free(req);
    CHECK(r.freed == 0); /* the copy still holds it */
    if (copy) {
        resp = send_ok(copy);
        if (resp) {
            CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Orig\": \"1\"");
            CHECK_JSON_HAS(reqc_response_text(resp), "\"data\": \"shared\"");
        }
        reqc_response_free(resp);
    }
    reqc_request_free(copy);
    CHECK(r.freed == 1);
}

static void test_version_and_names(void) {
    const char *v = reqc_version();
    CHECK(v != NULL && strncmp(v, "libreqc/", 8) == 0);
    CHECK(contains(v, "libreqc/" REQC_VERSION_STRING));
    CHECK(contains(v, "libcurl/"));
    CHECK_STR_EQ(reqc_code_name(REQC_OK), "REQC_OK");
    CHECK_STR_EQ(reqc_code_name(REQC_E_TIMEOUT), "REQC_E_TIMEOUT");
    CHECK_STR_EQ(reqc_code_name(REQC_E_INVALID_ARGUMENT), "REQC_E_INVALID_ARGUMENT");
    CHECK_STR_EQ(reqc_code_name(REQC_E_PANIC), "REQC_E_PANIC");
    CHECK_STR_EQ(reqc_code_name(7), "REQC_E_UNKNOWN");
    CHECK_STR_EQ(reqc_code_name(-1), "REQC_E_UNKNOWN");
    CHECK_STR_EQ(reqc_code_name(123456), "REQC_E_UNKNOWN");
    CHECK(reqc_has_feature("gzip") == 1);
    CHECK(reqc_has_feature("no-such-feature") == 0);
    CHECK(reqc_has_feature(NULL) == 0);
}

int main(void) {
    RUN(test_version_and_names);
    RUN(test_get_params);
    RUN(test_post_form);
    RUN(test_post_json);
    RUN(test_post_raw_bytes);
    RUN(test_post_body_without_content_type);
    RUN(test_body_callback_without_content_type);
    RUN(test_post_binary_echo_raw);
    RUN(test_post_multipart);
    RUN(test_post_body_callback_known_length);
    RUN(test_post_body_callback_chunked);
    RUN(test_body_callback_replaced_frees_once);
    RUN(test_body_callback_error);
    RUN(test_put_patch_delete);
    RUN(test_head);
    RUN(test_custom_verb);
    RUN(test_headers);
    RUN(test_default_headers);
    RUN(test_response_fields);
    RUN(test_response_timings);
    RUN(test_response_header_iteration);
    RUN(test_error_statuses_are_responses);
    RUN(test_redirect_chain);
    RUN(test_absolute_redirect);
    RUN(test_redirects_off);
    RUN(test_too_many_redirects);
    RUN(test_post_redirect_303);
    RUN(test_post_redirect_307);
    RUN(test_post_redirect_302);
    RUN(test_redirect_307_streamed_body_refused);
    RUN(test_cross_origin_drops_basic_auth);
    RUN(test_cross_origin_drops_bearer);
    RUN(test_cross_origin_drops_authorization_header);
    RUN(test_cross_origin_drops_secret_header);
    RUN(test_cross_origin_drops_url_userinfo);
    RUN(test_same_origin_keeps_auth);
    RUN(test_basic_auth);
    RUN(test_basic_auth_wrong_password);
    RUN(test_digest_auth);
    RUN(test_bearer_auth);
    RUN(test_url_userinfo_auth);
    RUN(test_timeout);
    RUN(test_connect_refused);
    RUN(test_gzip);
    RUN(test_deflate);
    RUN(test_body_cap);
    RUN(test_gzip_bomb_cap);
    RUN(test_brotli_zstd);
    RUN(test_stream_body);
    RUN(test_stream_redirected_body);
    RUN(test_stream_abort);
    RUN(test_request_reusable);
    RUN(test_clone);
    return check_summary();
}
