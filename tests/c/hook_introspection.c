/* hook_introspection.c: what a hook (and a response) can read of a request.
 *
 * The request getters (reqc_request_header, _header_count, _header_at,
 * reqc_request_body, reqc_request_body_kind) on a request being built, on
 * the lent request of an ARGS and of a PRE_REQUEST hook (the prepared
 * request, exactly as sent), and reqc_response_request (the request as sent,
 * on the final response, on history hops and in a RESPONSE hook). Then the
 * signing hook of examples/signing_hook.c against the test server's
 * /reqc/signed, which recomputes the signature from what it received. */
#include "check.h"

#define SIGNING_HOOK_NO_MAIN
#include "../../examples/signing_hook.c"

static char signing_key[] = "reqc-test-signing-key";

/* The bytes of a request's body as a NUL-terminated copy (static). */
static const char *body_text(const reqc_request *request) {
    static char buf[4096];
    size_t len = 0;
    const unsigned char *body = reqc_request_body(request, &len);
    if (body == NULL)
        return "(null)";
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, body, len);
    buf[len] = 0;
    return buf;
}

/* ---- the getters on a request being built ---- */

static void test_headers_by_name_and_index(void) {
    reqc_request *req = check_new_request("GET", URL("/get"));
    const char *name = NULL, *value = NULL, *first;
    if (req == NULL)
        return;
    CHECK(reqc_request_header_count(req) == 0);
    CHECK(reqc_request_header(req, "X-Absent") == NULL);
    CHECK_OK(reqc_request_set_header(req, "X-One", "1"), req);
    CHECK_OK(reqc_request_add_header(req, "X-Two", "a"), req);
    CHECK_OK(reqc_request_add_header(req, "X-Two", "b"), req);
    CHECK_OK(reqc_request_set_header(req, "Accept", NULL), req); /* a removal */
    CHECK_OK(reqc_request_set_header(req, "X-Empty", ""), req);

    /* By name: case-insensitive, the first value of a repeated name. */
    CHECK_STR_EQ(reqc_request_header(req, "x-one"), "1");
    CHECK_STR_EQ(reqc_request_header(req, "X-TWO"), "a");
    CHECK_STR_EQ(reqc_request_header(req, "X-Empty"), "");
    CHECK(reqc_request_header(req, "Accept") == NULL); /* removed: not shown */
    CHECK(reqc_request_header(req, NULL) == NULL);
    CHECK(reqc_request_header(NULL, "X-One") == NULL);

    /* By index, in order, removals not counted. */
    CHECK(reqc_request_header_count(req) == 4);
    CHECK_OK(reqc_request_header_at(req, 0, &name, &value), req);
    CHECK_STR_EQ(name, "X-One");
    CHECK_STR_EQ(value, "1");
    CHECK_OK(reqc_request_header_at(req, 2, &name, &value), req);
    CHECK_STR_EQ(name, "X-Two");
    CHECK_STR_EQ(value, "b");
    CHECK_OK(reqc_request_header_at(req, 3, &name, NULL), req); /* outs may be NULL */
    CHECK_STR_EQ(name, "X-Empty");
    CHECK_OK(reqc_request_header_at(req, 1, NULL, NULL), req);
    name = value = "untouched";
    CHECK(reqc_request_header_at(req, 4, &name, &value) == REQC_E_NOT_FOUND);
    CHECK_STR_EQ(name, "untouched"); /* written only on success */
    CHECK(reqc_request_header_at(NULL, 0, &name, &value) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_request_header_count(NULL) == 0);

    /* A pointer lives until the request changes: an unchanged header gives
     * the same pointer again, and it still reads the same after other calls. */
    first = reqc_request_header(req, "X-One");
    CHECK(reqc_request_header(req, "X-ONE") == first);
    CHECK_OK(reqc_request_set_header(req, "X-Other", "z"), req);
    CHECK_STR_EQ(reqc_request_header(req, "X-Other"), "z");
    CHECK_STR_EQ(first, "1");
    CHECK_OK(reqc_request_set_header(req, "X-One", "changed"), req);
    CHECK_STR_EQ(reqc_request_header(req, "X-One"), "changed");
    reqc_request_free(req);
}

static int read_nothing(void *userdata, uint8_t *buf, size_t capacity, size_t *written) {
    (void)userdata;
    (void)buf;
    (void)capacity;
    *written = 0;
    return 0;
}

static void test_body_kinds(void) {
    reqc_request *req = check_new_request("POST", URL("/post"));
    const unsigned char *body;
    static const unsigned char bytes[] = {'a', 0, 'b', 0xff};
    size_t len = 99;
    if (req == NULL)
        return;
    /* None. */
    body = reqc_request_body(req, &len);
    CHECK(body == NULL && len == 0);
    CHECK(reqc_request_body_kind(req) == REQC_BODY_KIND_NONE);
    /* Bytes, NUL and all. */
    CHECK_OK(reqc_request_set_body(req, bytes, sizeof bytes, "application/octet-stream"), req);
    body = reqc_request_body(req, &len);
    CHECK(body != NULL && len == sizeof bytes && memcmp(body, bytes, sizeof bytes) == 0);
    CHECK(reqc_request_body_kind(req) == REQC_BODY_KIND_BYTES);
    CHECK(reqc_request_body(req, NULL) == body); /* len_out may be NULL */
    /* An empty body of bytes is not "no body". */
    CHECK_OK(reqc_request_set_body(req, NULL, 0, NULL), req);
    len = 99;
    body = reqc_request_body(req, &len);
    CHECK(body != NULL && len == 0);
    CHECK(reqc_request_body_kind(req) == REQC_BODY_KIND_BYTES);
    /* JSON. */
    CHECK_OK(reqc_request_set_json(req, "{\"k\": 1}"), req);
    CHECK_STR_EQ(body_text(req), "{\"k\": 1}");
    CHECK(reqc_request_body_kind(req) == REQC_BODY_KIND_JSON);
    /* Form fields: the urlencoded bytes that go out. */
    CHECK_OK(reqc_request_add_form_field(req, "a", "1"), req);
    CHECK_OK(reqc_request_add_form_field(req, "b", "x y&z"), req);
    CHECK_STR_EQ(body_text(req), "a=1&b=x+y%26z");
    reqc_request_body(req, &len);
    CHECK(len == strlen("a=1&b=x+y%26z"));
    CHECK(reqc_request_body_kind(req) == REQC_BODY_KIND_FORM);
    /* Multipart: no bytes before the transfer. */
    CHECK_OK(reqc_request_add_file_data(req, "f", "f.txt", (const uint8_t *)"hi", 2, NULL), req);
    len = 99;
    CHECK(reqc_request_body(req, &len) == NULL && len == 0);
    CHECK(reqc_request_body_kind(req) == REQC_BODY_KIND_MULTIPART);
    /* A callback body: its bytes exist only as the callback hands them over. */
    CHECK_OK(reqc_request_set_body_callback(req, -1, read_nothing, NULL, NULL), req);
    len = 99;
    CHECK(reqc_request_body(req, &len) == NULL && len == 0);
    CHECK(reqc_request_body_kind(req) == REQC_BODY_KIND_CALLBACK);
    /* NULL. */
    len = 99;
    CHECK(reqc_request_body(NULL, &len) == NULL && len == 0);
    CHECK(reqc_request_body_kind(NULL) == REQC_BODY_KIND_NONE);
    reqc_request_free(req);
}

/* ---- the lent request of ARGS and PRE_REQUEST hooks ---- */

typedef struct {
    int calls;
    int kind;
    char method[16];
    char url[512];
    char session_header[64];
    char own_header[64];
    char authorization[128];
    char cookie[128];
    char content_type[128];
    char content_length[32];
    char user_agent[64];
    char body[256];
    int body_kind;
    size_t count;
    int all_at_ok; /* every index below count reads, and count itself is NOT_FOUND */
} seen;

static void copy(char *dst, size_t size, const char *src) {
    snprintf(dst, size, "%s", src ? src : "(null)");
}

static int look(void *userdata, int kind, reqc_hook_ctx *ctx) {
    seen *s = userdata;
    reqc_request *r = reqc_hook_ctx_request(ctx);
    const char *name, *value;
    size_t i;
    s->calls++;
    s->kind = kind;
    copy(s->method, sizeof s->method, reqc_request_method(r));
    copy(s->url, sizeof s->url, reqc_request_url(r));
    copy(s->session_header, sizeof s->session_header, reqc_request_header(r, "x-session"));
    copy(s->own_header, sizeof s->own_header, reqc_request_header(r, "X-Own"));
    copy(s->authorization, sizeof s->authorization, reqc_request_header(r, "Authorization"));
    copy(s->cookie, sizeof s->cookie, reqc_request_header(r, "Cookie"));
    copy(s->content_type, sizeof s->content_type, reqc_request_header(r, "Content-Type"));
    copy(s->content_length, sizeof s->content_length, reqc_request_header(r, "Content-Length"));
    copy(s->user_agent, sizeof s->user_agent, reqc_request_header(r, "User-Agent"));
    copy(s->body, sizeof s->body, body_text(r));
    s->body_kind = reqc_request_body_kind(r);
    s->count = reqc_request_header_count(r);
    s->all_at_ok = 1;
    for (i = 0; i < s->count; i++)
        if (reqc_request_header_at(r, i, &name, &value) != REQC_OK || name == NULL ||
            value == NULL)
            s->all_at_ok = 0;
    if (reqc_request_header_at(r, s->count, &name, &value) != REQC_E_NOT_FOUND)
        s->all_at_ok = 0;
    if (kind == REQC_HOOK_KIND_PRE_REQUEST &&
        reqc_request_set_header(r, "X-Added-After-Reading", "yes") != REQC_OK)
        return REQC_HOOK_RESULT_ABORT;
    return REQC_HOOK_RESULT_CONTINUE;
}

/* A session with a header, basic auth, a cookie and a param, and a request
 * with its own header, param and JSON body. */
static void setup(reqc_session **session, reqc_request **request, const char *path) {
    *session = NULL;
    *request = NULL;
    CHECK_OK(reqc_session_new(session), NULL);
    if (*session == NULL)
        return;
    CHECK_OK(reqc_session_set_header(*session, "X-Session", "s1"), NULL);
    CHECK_OK(reqc_session_set_auth_basic(*session, "user", "pass"), NULL);
    CHECK_OK(reqc_session_set_cookie(*session, URL("/"), "jar=j1"), NULL);
    CHECK_OK(reqc_session_add_param(*session, "sp", "1"), NULL);
    *request = check_new_request("POST", URL(path));
    if (*request == NULL)
        return;
    CHECK_OK(reqc_request_set_header(*request, "X-Own", "o1"), *request);
    CHECK_OK(reqc_request_add_param(*request, "rp", "2"), *request);
    CHECK_OK(reqc_request_set_json(*request, "{\"n\": 12}"), *request);
}

static void test_args_hook_sees_the_request_as_built(void) {
    reqc_session *s;
    reqc_request *req;
    reqc_response *resp = NULL;
    static seen args;
    memset(&args, 0, sizeof args);
    setup(&s, &req, "/anything");
    if (req == NULL)
        goto out;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, look, &args, NULL, NULL), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(args.calls == 1);
    CHECK_STR_EQ(args.method, "POST");
    CHECK_STR_EQ(args.url, URL("/anything")); /* params join the URL when it is sent */
    CHECK_STR_EQ(args.own_header, "o1");
    CHECK_STR_EQ(args.session_header, "(null)");
    CHECK_STR_EQ(args.authorization, "(null)");
    CHECK_STR_EQ(args.content_length, "(null)");
    CHECK(args.count == 1);
    CHECK(args.all_at_ok);
    CHECK_STR_EQ(args.body, "{\"n\": 12}");
    CHECK(args.body_kind == REQC_BODY_KIND_JSON);
out:
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

static void test_pre_request_sees_the_prepared_request(void) {
    reqc_session *s;
    reqc_request *req;
    reqc_response *resp = NULL;
    static seen pre;
    memset(&pre, 0, sizeof pre);
    setup(&s, &req, "/anything");
    if (req == NULL)
        goto out;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_PRE_REQUEST, look, &pre, NULL, NULL), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    if (resp == NULL)
        goto out;
    CHECK(pre.calls == 1);
    CHECK(pre.kind == REQC_HOOK_KIND_PRE_REQUEST);
    CHECK_STR_EQ(pre.method, "POST");
    CHECK_STR_EQ(pre.url, URL("/anything?sp=1&rp=2"));
    CHECK_STR_EQ(pre.session_header, "s1");
    CHECK_STR_EQ(pre.own_header, "o1");
    CHECK_STR_EQ(pre.authorization, "Basic dXNlcjpwYXNz");
    CHECK_STR_EQ(pre.cookie, "jar=j1");
    CHECK_STR_EQ(pre.content_type, "application/json");
    CHECK_STR_EQ(pre.content_length, "9");
    CHECK(strncmp(pre.user_agent, "libreqc/", 8) == 0);
    CHECK_STR_EQ(pre.body, "{\"n\": 12}");
    CHECK(pre.body_kind == REQC_BODY_KIND_JSON);
    CHECK(pre.count >= 8);
    CHECK(pre.all_at_ok);
    /* What the hook saw is what the server got, plus the header it added. */
    CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Added-After-Reading\": \"yes\"");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Session\": \"s1\"");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"Content-Length\": \"9\"");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"Cookie\": \"jar=j1\"");
out:
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

static void test_pre_request_content_length(void) {
    static const char *methods[] = {"GET", "HEAD", "POST", "DELETE"};
    static const char *want[] = {"(null)", "(null)", "0", "0"};
    static seen pre;
    size_t i;
    for (i = 0; i < 4; i++) {
        reqc_request *req = check_new_request(methods[i], URL("/anything"));
        reqc_response *resp = NULL;
        memset(&pre, 0, sizeof pre);
        if (req == NULL)
            return;
        CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_PRE_REQUEST, look, &pre, NULL, NULL),
                 req);
        CHECK_OK(reqc_send(req, &resp), req);
        CHECK_STR_EQ(pre.content_length, want[i]);
        CHECK_STR_EQ(pre.body, "(null)");
        CHECK(pre.body_kind == REQC_BODY_KIND_NONE);
        CHECK_STR_EQ(pre.content_type, "(null)");
        reqc_response_free(resp);
        reqc_request_free(req);
    }
}

/* A hook may not change Content-Length (libcurl writes it from the body):
 * the body still arrives whole. */
static int bad_length(void *userdata, int kind, reqc_hook_ctx *ctx) {
    (void)userdata;
    (void)kind;
    reqc_request_set_header(reqc_hook_ctx_request(ctx), "Content-Length", "1");
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_pre_request_content_length_is_libcurls(void) {
    reqc_request *req = check_new_request("POST", URL("/anything"));
    reqc_response *resp = NULL;
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_set_body(req, (const uint8_t *)"hello", 5, "text/plain"), req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_PRE_REQUEST, bad_length, NULL, NULL, NULL),
             req);
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp != NULL) {
        CHECK_JSON_HAS(reqc_response_text(resp), "\"data\": \"hello\"");
        CHECK_STR_EQ(reqc_request_header(reqc_response_request(resp), "Content-Length"), "5");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- reqc_response_request ---- */

static void test_response_request_final(void) {
    reqc_session *s;
    reqc_request *req;
    reqc_response *resp = NULL;
    const reqc_request *sent;
    setup(&s, &req, "/anything");
    if (req == NULL)
        goto out;
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    if (resp == NULL)
        goto out;
    sent = reqc_response_request(resp);
    CHECK(sent != NULL);
    CHECK(reqc_response_request(resp) == sent); /* the same handle each time */
    CHECK_STR_EQ(reqc_request_method(sent), "POST");
    CHECK_STR_EQ(reqc_request_url(sent), URL("/anything?sp=1&rp=2"));
    CHECK_STR_EQ(reqc_request_header(sent, "X-Session"), "s1");
    CHECK_STR_EQ(reqc_request_header(sent, "x-own"), "o1");
    /* Secrets as sent: the request is the caller's own. */
    CHECK_STR_EQ(reqc_request_header(sent, "Authorization"), "Basic dXNlcjpwYXNz");
    CHECK_STR_EQ(reqc_request_header(sent, "Cookie"), "jar=j1");
    CHECK_STR_EQ(reqc_request_header(sent, "Content-Length"), "9");
    CHECK_STR_EQ(body_text(sent), "{\"n\": 12}");
    reqc_request_free((reqc_request *)sent); /* a no-op: it belongs to the response */
    CHECK_STR_EQ(reqc_request_method(reqc_response_request(resp)), "POST");
    /* The caller's request is unchanged. */
    CHECK(reqc_request_header(req, "X-Session") == NULL);
    CHECK(reqc_response_request(NULL) == NULL);
out:
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* A 303 turns the POST into a GET without body: the final request shows
 * that, the history hop shows the POST with its body. */
static void test_response_request_history(void) {
    reqc_request *req = check_new_request(
        "POST", URL("/redirect-to?url=%2Fanything&status_code=303"));
    reqc_response *resp = NULL;
    const reqc_response *hop;
    const reqc_request *sent;
    size_t len = 99;
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_set_body(req, (const uint8_t *)"payload", 7, "text/plain"), req);
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp == NULL)
        goto out;
    CHECK(reqc_response_status(resp) == 200);
    sent = reqc_response_request(resp);
    CHECK_STR_EQ(reqc_request_method(sent), "GET");
    CHECK_STR_EQ(reqc_request_url(sent), URL("/anything"));
    CHECK(reqc_request_body(sent, &len) == NULL && len == 0);
    CHECK(reqc_request_body_kind(sent) == REQC_BODY_KIND_NONE);
    CHECK(reqc_request_header(sent, "Content-Type") == NULL);
    CHECK(reqc_request_header(sent, "Content-Length") == NULL);
    CHECK(reqc_response_history_count(resp) == 1);
    hop = check_hop(resp, 0);
    CHECK(hop != NULL);
    if (hop != NULL) {
        const reqc_request *first = reqc_response_request(hop);
        CHECK_STR_EQ(reqc_request_method(first), "POST");
        CHECK_STR_EQ(reqc_request_url(first), URL("/redirect-to?url=%2Fanything&status_code=303"));
        CHECK_STR_EQ(body_text(first), "payload");
        CHECK_STR_EQ(reqc_request_header(first, "Content-Type"), "text/plain");
        CHECK_STR_EQ(reqc_request_header(first, "Content-Length"), "7");
    }
out:
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* A 307 keeps method and body. */
static void test_response_request_307_keeps_body(void) {
    reqc_request *req = check_new_request(
        "PUT", URL("/redirect-to?url=%2Fanything&status_code=307"));
    reqc_response *resp = NULL;
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_set_json(req, "[1]"), req);
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp != NULL) {
        const reqc_request *sent = reqc_response_request(resp);
        CHECK_STR_EQ(reqc_request_method(sent), "PUT");
        CHECK_STR_EQ(body_text(sent), "[1]");
        CHECK(reqc_request_body_kind(sent) == REQC_BODY_KIND_JSON);
        CHECK_STR_EQ(reqc_request_header(reqc_response_request(check_hop(resp, 0)), "Content-Length"),
                     "3");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* A redirect to another origin drops the credentials: the hops' requests
 * show it (the first hop carried them, the second did not). */
static void test_response_request_cross_origin(void) {
    char path[1024], target[512];
    const char *p;
    size_t n = 0;
    reqc_request *req;
    reqc_response *resp = NULL;
    snprintf(target, sizeof target, "%s", URL2("/anything"));
    n = (size_t)snprintf(path, sizeof path, "/redirect-to?url=");
    for (p = target; *p && n + 4 < sizeof path; p++)
        n += (size_t)snprintf(path + n, sizeof path - n, (*p == ':' || *p == '/') ? "%%%02X" : "%c",
                              (unsigned char)*p);
    req = check_new_request("GET", URL(path));
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_set_auth_bearer(req, "tok"), req);
    CHECK_OK(reqc_request_set_header(req, "X-Key", "k1"), req);
    CHECK_OK(reqc_request_mark_secret_header(req, "X-Key"), req);
    CHECK_OK(reqc_request_set_header(req, "X-Plain", "p1"), req);
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp != NULL) {
        const reqc_request *first = reqc_response_request(check_hop(resp, 0));
        const reqc_request *last = reqc_response_request(resp);
        CHECK_STR_EQ(reqc_request_header(first, "Authorization"), "Bearer tok");
        CHECK_STR_EQ(reqc_request_header(first, "X-Key"), "k1");
        CHECK(reqc_request_header(last, "Authorization") == NULL);
        CHECK(reqc_request_header(last, "X-Key") == NULL);
        CHECK_STR_EQ(reqc_request_header(last, "X-Plain"), "p1");
        CHECK_STR_EQ(reqc_request_url(last), URL2("/anything"));
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* A batch's results carry their requests too. */
static void test_response_request_from_a_batch(void) {
    reqc_batch *b = NULL;
    reqc_request *req = check_new_request("PATCH", URL("/anything"));
    reqc_response *resp = NULL;
    size_t index = 0;
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_set_json(req, "{}"), req);
    CHECK_OK(reqc_batch_new(NULL, &b), b);
    if (b == NULL)
        goto out;
    CHECK_OK(reqc_batch_add(b, req, &index), b);
    CHECK_OK(reqc_batch_perform(b), b);
    CHECK_OK(reqc_batch_result(b, index, &resp), b);
    if (resp != NULL) {
        const reqc_request *sent = reqc_response_request(resp);
        CHECK_STR_EQ(reqc_request_method(sent), "PATCH");
        CHECK_STR_EQ(reqc_request_header(sent, "Content-Length"), "2");
        CHECK_STR_EQ(body_text(sent), "{}");
    }
out:
    reqc_response_free(resp);
    reqc_batch_free(b);
    reqc_request_free(req);
}

/* In a RESPONSE hook, the hop's response has the hop's request. */
static char response_hook_urls[2][512];
static int response_hook_n;

static int note_request_url(void *userdata, int kind, reqc_hook_ctx *ctx) {
    const reqc_request *sent = reqc_response_request(reqc_hook_ctx_response(ctx));
    (void)userdata;
    (void)kind;
    if (response_hook_n < 2)
        copy(response_hook_urls[response_hook_n++], sizeof response_hook_urls[0],
             reqc_request_url(sent));
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_response_request_in_response_hook(void) {
    reqc_request *req = check_new_request("GET", URL("/redirect/1"));
    reqc_response *resp = NULL;
    response_hook_n = 0;
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, note_request_url, NULL, NULL,
                                   NULL),
             req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(response_hook_n == 2);
    CHECK_STR_EQ(response_hook_urls[0], URL("/redirect/1"));
    CHECK_STR_EQ(response_hook_urls[1], URL("/get"));
    if (resp != NULL)
        CHECK_STR_EQ(reqc_request_url(reqc_response_request(resp)), URL("/get"));
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- the signing hook against /reqc/signed ---- */

/* Sends `req` through `s` and returns the status (0 on failure). */
static int send_status(reqc_session *s, reqc_request *req, reqc_code want) {
    reqc_response *resp = NULL;
    int status = 0;
    CHECK_CODE(reqc_session_send(s, req, &resp), want, req);
    if (resp != NULL) {
        status = reqc_response_status(resp);
        if (status != 200)
            printf("  server: %s\n", reqc_response_text(resp));
    }
    reqc_response_free(resp);
    return status;
}

static reqc_session *signing_session(void) {
    reqc_session *s = NULL;
    CHECK_OK(reqc_session_new(&s), NULL);
    if (s == NULL)
        return NULL;
    CHECK_OK(reqc_session_set_header(s, "X-Tenant", "acme"), NULL);
    CHECK_OK(reqc_session_set_auth_bearer(s, "token-1"), NULL);
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_PRE_REQUEST, signing_hook, signing_key, NULL,
                                   NULL),
             NULL);
    return s;
}

static void test_signing_hook_valid(void) {
    reqc_session *s;
    reqc_request *req;
    if (check_is_httpbin())
        SKIP("/reqc/signed is libreqc's test server's");
    s = signing_session();
    req = check_new_request("POST", URL("/reqc/signed"));
    if (s == NULL || req == NULL)
        goto out;
    CHECK_OK(reqc_request_add_param(req, "account", "42"), req);
    CHECK_OK(reqc_request_set_header(req, "X-Amount", "100.00"), req);
    CHECK_OK(reqc_request_add_header(req, "X-Tag", "a"), req);
    CHECK_OK(reqc_request_add_header(req, "X-Tag", "b"), req);
    CHECK_OK(reqc_request_set_json(req, "{\"to\": \"bob\"}"), req);
    CHECK(send_status(s, req, REQC_OK) == 200);
    /* A form body, a bytes body, none. */
    CHECK_OK(reqc_request_add_form_field(req, "to", "carol & dave"), req);
    CHECK(send_status(s, req, REQC_OK) == 200);
    CHECK_OK(reqc_request_set_body(req, (const uint8_t *)"\x01\x00raw", 5, "application/octet-stream"), req);
    CHECK(send_status(s, req, REQC_OK) == 200);
    CHECK_OK(reqc_request_set_method(req, "GET"), req);
    CHECK_OK(reqc_request_set_body(req, NULL, 0, NULL), req);
    CHECK(send_status(s, req, REQC_OK) == 200);
out:
    reqc_request_free(req);
    reqc_session_free(s);
}

/* Each hop is signed for itself: a 307 to /reqc/signed. */
static void test_signing_hook_each_hop(void) {
    reqc_session *s;
    reqc_request *req;
    if (check_is_httpbin())
        SKIP("/reqc/signed is libreqc's test server's");
    s = signing_session();
    req = check_new_request("POST",
                            URL("/redirect-to?url=%2Freqc%2Fsigned%3Fx%3D1&status_code=307"));
    if (s == NULL || req == NULL)
        goto out;
    CHECK_OK(reqc_request_set_json(req, "[\"moved\"]"), req);
    CHECK(send_status(s, req, REQC_OK) == 200);
out:
    reqc_request_free(req);
    reqc_session_free(s);
}

/* Signs over other bytes than those sent: the server sees the mismatch. */
static int sign_tampered_body(void *userdata, int kind, reqc_hook_ctx *ctx) {
    (void)kind;
    return sign_request(reqc_hook_ctx_request(ctx), userdata, (const unsigned char *)"{}", 2) ==
                   REQC_OK
               ? REQC_HOOK_RESULT_CONTINUE
               : REQC_HOOK_RESULT_ABORT;
}

/* Changes a signed header after the signature. */
static int tamper_header(void *userdata, int kind, reqc_hook_ctx *ctx) {
    (void)userdata;
    (void)kind;
    reqc_request_set_header(reqc_hook_ctx_request(ctx), "X-Amount", "999.00");
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_signing_hook_tampered(void) {
    reqc_session *s = NULL;
    reqc_request *req;
    if (check_is_httpbin())
        SKIP("/reqc/signed is libreqc's test server's");
    /* A body other than the one signed. */
    CHECK_OK(reqc_session_new(&s), NULL);
    req = check_new_request("POST", URL("/reqc/signed"));
    if (s == NULL || req == NULL)
        goto out;
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_PRE_REQUEST, sign_tampered_body, signing_key,
                                   NULL, NULL),
             NULL);
    CHECK_OK(reqc_request_set_json(req, "{\"to\": \"bob\"}"), req);
    CHECK(send_status(s, req, REQC_OK) == 401);
    reqc_request_free(req);
    reqc_session_free(s);
    /* A header changed after signing (a request hook runs after the session's). */
    s = signing_session();
    req = check_new_request("POST", URL("/reqc/signed"));
    if (s == NULL || req == NULL)
        goto out;
    CHECK_OK(reqc_request_set_header(req, "X-Amount", "100.00"), req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_PRE_REQUEST, tamper_header, NULL, NULL, NULL),
             req);
    CHECK(send_status(s, req, REQC_OK) == 401);
    /* No signature at all. */
    reqc_session_free(s);
    s = NULL;
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK(send_status(s, req, REQC_OK) == 401);
out:
    reqc_request_free(req);
    reqc_session_free(s);
}

/* A multipart body has no bytes to sign: the hook refuses (ABORT). */
static void test_signing_hook_refuses_multipart(void) {
    reqc_session *s;
    reqc_request *req;
    if (check_is_httpbin())
        SKIP("/reqc/signed is libreqc's test server's");
    s = signing_session();
    req = check_new_request("POST", URL("/reqc/signed"));
    if (s == NULL || req == NULL)
        goto out;
    CHECK_OK(reqc_request_add_file_data(req, "f", "f.txt", (const uint8_t *)"hi", 2, NULL), req);
    CHECK(send_status(s, req, REQC_E_ABORTED) == 0);
out:
    reqc_request_free(req);
    reqc_session_free(s);
}

int main(void) {
    RUN(test_headers_by_name_and_index);
    RUN(test_body_kinds);
    RUN(test_args_hook_sees_the_request_as_built);
    RUN(test_pre_request_sees_the_prepared_request);
    RUN(test_pre_request_content_length);
    RUN(test_pre_request_content_length_is_libcurls);
    RUN(test_response_request_final);
    RUN(test_response_request_history);
    RUN(test_response_request_307_keeps_body);
    RUN(test_response_request_cross_origin);
    RUN(test_response_request_from_a_batch);
    RUN(test_response_request_in_response_hook);
    RUN(test_signing_hook_valid);
    RUN(test_signing_hook_each_hop);
    RUN(test_signing_hook_tampered);
    RUN(test_signing_hook_refuses_multipart);
    return check_summary();
}
