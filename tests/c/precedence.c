/* precedence.c: the one precedence rule (request > session > config >
 * built-in) for every header-making setting, header and removal, checked on
 * what the server received.
 *
 * For each family (Authorization, User-Agent) every pair of contributors on
 * the request, session and config layers is applied, in both orders, and the
 * header the server saw must be the one of the winner: the higher layer;
 * on one layer an explicit header (or removal) beats the setting; URL user
 * info is the request's auth, under its own auth setting.
 */
#define _POSIX_C_SOURCE 200809L

#include "check.h"

enum layer { CFG = 1, SES = 2, REQ = 3 };

/* One way a layer contributes to a header. `rank` orders contributors of
 * one layer (header or removal 2, setting 1, URL user info 0); `slot` names
 * what it occupies, so two contributors of one slot are not paired. */
struct contributor {
    const char *label;
    enum layer layer;
    int rank;
    const char *slot;
    const char *sent; /* the header value the server sees, NULL for none */
};

/* base64("u:p") = dTpw, base64("su:sp") = c3U6c3A=, base64("lu:lp") = bHU6bHA= */
static const struct contributor AUTH[] = {
    {"request basic auth", REQ, 1, "req-auth", "Basic dTpw"},
    {"request auth none", REQ, 1, "req-auth", NULL},
    {"request header", REQ, 2, "req-hdr", "Bearer req"},
    {"request removal", REQ, 2, "req-hdr", NULL},
    {"URL user info", REQ, 0, "req-url", "Basic bHU6bHA="},
    {"session basic auth", SES, 1, "ses-auth", "Basic c3U6c3A="},
    {"session bearer auth", SES, 1, "ses-auth", "Bearer sestoken"},
    {"session header", SES, 2, "ses-hdr", "Bearer ses"},
    {"session removal", SES, 2, "ses-hdr", NULL},
    {"config header", CFG, 2, "cfg-hdr", "Bearer cfg"},
    {"config removal", CFG, 2, "cfg-hdr", NULL},
};

static const struct contributor AGENT[] = {
    {"request user agent", REQ, 1, "req-ua", "req-ua"},
    {"request header", REQ, 2, "req-hdr", "req-hdr"},
    {"request removal", REQ, 2, "req-hdr", NULL},
    {"session user agent", SES, 1, "ses-ua", "ses-ua"},
    {"session header", SES, 2, "ses-hdr", "ses-hdr"},
    {"session removal", SES, 2, "ses-hdr", NULL},
    {"config user agent", CFG, 1, "cfg-ua", "cfg-ua"},
    {"config header", CFG, 2, "cfg-hdr", "cfg-hdr"},
    {"config removal", CFG, 2, "cfg-hdr", NULL},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Applies contributor `c` of the family named `header` (URL user info is
 * in the request's URL from the start). */
static void apply(const char *header, const struct contributor *c, reqc_session *s,
                  reqc_request *req) {
    const char *l = c->label;
    int removal = c->sent == NULL;
    if (strcmp(l, "nothing") == 0) return;
    if (strcmp(l, "request basic auth") == 0) CHECK_OK(reqc_request_set_auth_basic(req, "u", "p"), req);
    else if (strcmp(l, "request auth none") == 0) CHECK_OK(reqc_request_set_auth_none(req), req);
    else if (strcmp(l, "request user agent") == 0) CHECK_OK(reqc_request_set_user_agent(req, "req-ua"), req);
    else if (strncmp(l, "request ", 8) == 0) CHECK_OK(reqc_request_set_header(req, header, removal ? NULL : c->sent), req);
    else if (strcmp(l, "session basic auth") == 0) CHECK(reqc_session_set_auth_basic(s, "su", "sp") == REQC_OK);
    else if (strcmp(l, "session bearer auth") == 0) CHECK(reqc_session_set_auth_bearer(s, "sestoken") == REQC_OK);
    else if (strcmp(l, "session user agent") == 0) CHECK(reqc_session_set_user_agent(s, "ses-ua") == REQC_OK);
    else if (strncmp(l, "session ", 8) == 0) CHECK(reqc_session_set_header(s, header, removal ? NULL : c->sent) == REQC_OK);
    else if (strcmp(l, "config user agent") == 0) CHECK(reqc_config_set_user_agent("cfg-ua") == REQC_OK);
    else if (strncmp(l, "config ", 7) == 0) CHECK(reqc_config_set_header(header, removal ? NULL : c->sent) == REQC_OK);
    else {
        fprintf(stderr, "  FAIL: unknown contributor %s\n", l);
        check_failed_now = 1;
    }
}

/* The contributor that must win among `a` and `b`. */
static const struct contributor *winner(const struct contributor *a, const struct contributor *b) {
    if (a->layer != b->layer) return a->layer > b->layer ? a : b;
    return a->rank > b->rank ? a : b;
}

/* "http://lu:lp@127.0.0.1:port/headers" from the test URL. */
static const char *url_with_userinfo(void) {
    static char buf[2048];
    const char *base = URL("/headers");
    const char *rest = strstr(base, "://");
    if (rest == NULL) return base;
    snprintf(buf, sizeof buf, "%.*s://lu:lp@%s", (int)(rest - base), base, rest + 3);
    return buf;
}

/* Sends GET /headers with contributors `a` then `b` applied; checks that the
 * server saw `want` (NULL: no such header; "libreqc/" prefix: the default). */
static void check_pair(const char *header, const struct contributor *a,
                       const struct contributor *b, const char *want) {
    reqc_session *s = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    const struct contributor *both[2] = {a, b};
    int uses_url = 0, i;
    char needle[256];
    for (i = 0; i < 2; i++)
        if (both[i] != NULL && strcmp(both[i]->label, "URL user info") == 0) uses_url = 1;
    CHECK(reqc_session_new(&s) == REQC_OK);
    req = check_new_request("GET", uses_url ? url_with_userinfo() : URL("/headers"));
    if (s == NULL || req == NULL) goto done;
    for (i = 0; i < 2; i++)
        if (both[i] != NULL && strcmp(both[i]->label, "URL user info") != 0) apply(header, both[i], s, req);
    if (reqc_session_send(s, req, &resp) != REQC_OK) {
        fprintf(stderr, "  FAIL: send with %s + %s: %s\n", a->label, b ? b->label : "-",
                reqc_request_error(req));
        check_failed_now = 1;
        goto done;
    }
    if (want == NULL) {
        snprintf(needle, sizeof needle, "\"%s\":", header);
    } else {
        snprintf(needle, sizeof needle, "\"%s\":\"%s", header, want);
    }
    if ((want == NULL) == check_json_has(reqc_response_text(resp), needle)) {
        fprintf(stderr, "  FAIL: %s: %s, then %s: want %s, got:\n%s\n", header, a->label,
                b ? b->label : "-", want ? want : "none", reqc_response_text(resp));
        check_failed_now = 1;
    }
done:
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
    CHECK(reqc_config_reset() == REQC_OK);
}

static void check_family(const char *header, const struct contributor *list, size_t n,
                         const char *fallback) {
    size_t i, j;
    for (i = 0; i < n; i++) {
        check_pair(header, &list[i], NULL, list[i].sent);
        for (j = 0; j < n; j++) {
            const struct contributor *w;
            if (i == j || strcmp(list[i].slot, list[j].slot) == 0) continue;
            w = winner(&list[i], &list[j]);
            check_pair(header, &list[i], &list[j], w->sent);
        }
    }
    check_pair(header, &(struct contributor){"nothing", CFG, 0, "none", NULL}, NULL, fallback);
}

static void test_authorization_every_pair(void) {
    check_family("Authorization", AUTH, COUNT(AUTH), NULL);
}

static void test_user_agent_every_pair(void) {
    check_family("User-Agent", AGENT, COUNT(AGENT), "libreqc/");
}

/* The cases, on httpbin's own endpoints. */
static void test_request_basic_auth_beats_session_header(void) {
    reqc_session *s = NULL;
    reqc_request *req = check_new_request("GET", URL("/basic-auth/u/p"));
    reqc_response *resp = NULL;
    CHECK(reqc_session_new(&s) == REQC_OK);
    CHECK(reqc_session_set_header(s, "Authorization", "Bearer x") == REQC_OK);
    CHECK(reqc_config_set_header("Authorization", NULL) == REQC_OK);
    CHECK_OK(reqc_request_set_auth_basic(req, "u", "p"), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
    reqc_config_reset();
}

static void test_url_userinfo_beats_session_auth(void) {
    reqc_session *s = NULL;
    char url[2048];
    const char *base = URL("/basic-auth/lu/lp"), *rest = strstr(base, "://");
    reqc_request *req;
    reqc_response *resp = NULL;
    snprintf(url, sizeof url, "%.*s://lu:lp@%s", (int)(rest - base), base, rest + 3);
    req = check_new_request("GET", url);
    CHECK(reqc_session_new(&s) == REQC_OK);
    CHECK(reqc_session_set_auth_basic(s, "su", "sp") == REQC_OK);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    reqc_response_free(resp);
    resp = NULL;
    /* The request's own auth beats its URL's user info. */
    CHECK_OK(reqc_request_set_auth_basic(req, "x", "y"), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_status(resp) == 401);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* Digest answers a challenge: a request's digest auth beats a session's
 * Authorization header (which must then not be sent at all). */
static void test_request_digest_beats_session_header(void) {
    reqc_session *s = NULL;
    reqc_request *req = check_new_request("GET", URL("/digest-auth/auth/u/p"));
    reqc_response *resp = NULL;
    CHECK(reqc_session_new(&s) == REQC_OK);
    CHECK(reqc_session_set_header(s, "Authorization", "Bearer x") == REQC_OK);
    CHECK_OK(reqc_request_set_auth_digest(req, "u", "p"), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(reqc_response_status(resp) == 200);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* Without a session too: the request's layer over the config's. */
static void test_send_without_session(void) {
    reqc_request *req = check_new_request("GET", URL("/headers"));
    reqc_response *resp = NULL;
    CHECK(reqc_config_set_header("User-Agent", "cfg-hdr") == REQC_OK);
    CHECK(reqc_config_set_header("Authorization", "Bearer cfg") == REQC_OK);
    CHECK_OK(reqc_request_set_user_agent(req, "req-ua"), req);
    CHECK_OK(reqc_request_set_auth_bearer(req, "req"), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"User-Agent\": \"req-ua\"");
    CHECK_JSON_HAS(reqc_response_text(resp), "\"Authorization\": \"Bearer req\"");
    reqc_response_free(resp);
    resp = NULL;
    /* Unset: the config decides again. */
    CHECK_OK(reqc_request_set_user_agent(req, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"User-Agent\": \"cfg-hdr\"");
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_config_reset();
}

/* A body's type is the request's Content-Type: it beats a session's
 * Content-Type header; the request's own header beats the body's type. */
static void test_content_type(void) {
    reqc_session *s = NULL;
    reqc_request *req = check_new_request("POST", URL("/anything"));
    reqc_response *resp = NULL;
    CHECK(reqc_session_new(&s) == REQC_OK);
    CHECK(reqc_session_set_header(s, "Content-Type", "text/plain") == REQC_OK);
    CHECK_OK(reqc_request_set_json(req, "{}"), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"Content-Type\": \"application/json\"");
    reqc_response_free(resp);
    resp = NULL;
    CHECK_OK(reqc_request_set_header(req, "Content-Type", "application/x-mine"), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"Content-Type\": \"application/x-mine\"");
    reqc_response_free(resp);
    resp = NULL;
    reqc_request_free(req);
    /* Multipart: libcurl's type with its boundary, not the session's. */
    req = check_new_request("POST", URL("/anything"));
    CHECK_OK(reqc_request_add_file_data(req, "f", "a.txt", (const uint8_t *)"hi", 2, "text/plain"), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK_JSON_HAS(reqc_response_text(resp), "\"Content-Type\": \"multipart/form-data; boundary=");
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* Params by name: all values of a name come from the highest layer that
 * sets it, in the place of the lower layer's first value. */
static void test_params_by_name(void) {
    reqc_session *s = NULL;
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp = NULL;
    CHECK(reqc_session_new(&s) == REQC_OK);
    CHECK(reqc_session_add_param(s, "page", "1") == REQC_OK);
    CHECK(reqc_session_add_param(s, "lang", "en") == REQC_OK);
    CHECK(reqc_session_add_param(s, "page", "2") == REQC_OK);
    CHECK_OK(reqc_request_add_param(req, "page", "9"), req);
    CHECK_OK(reqc_request_add_param(req, "q", "x"), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK_STR_EQ(strstr(reqc_response_url(resp), "?"), "?page=9&lang=en&q=x");
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* A session header that a request overrides keeps its place. */
static void test_overridden_header_keeps_place(void) {
    reqc_session *s = NULL;
    reqc_request *req;
    reqc_response *resp = NULL;
    const char *t, *a, *b, *c;
    if (check_is_httpbin()) SKIP("/reqc/header-names is libreqc's test server only");
    req = check_new_request("GET", URL("/reqc/header-names"));
    CHECK(reqc_session_new(&s) == REQC_OK);
    CHECK(reqc_session_set_header(s, "X-First", "s") == REQC_OK);
    CHECK(reqc_session_set_header(s, "X-Second", "s") == REQC_OK);
    CHECK(reqc_session_set_header(s, "X-Third", "s") == REQC_OK);
    CHECK_OK(reqc_request_set_header(req, "x-first", "r"), req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    t = reqc_response_text(resp);
    a = t ? strstr(t, "x-first\n") : NULL;
    b = t ? strstr(t, "x-second\n") : NULL;
    c = t ? strstr(t, "x-third\n") : NULL;
    CHECK(a != NULL && b != NULL && c != NULL && a < b && b < c);
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

int main(void) {
    reqc_config_reset();
    RUN(test_authorization_every_pair);
    RUN(test_user_agent_every_pair);
    RUN(test_request_basic_auth_beats_session_header);
    RUN(test_url_userinfo_beats_session_auth);
    RUN(test_request_digest_beats_session_header);
    RUN(test_send_without_session);
    RUN(test_content_type);
    RUN(test_params_by_name);
    RUN(test_overridden_header_keeps_place);
    return check_summary();
}
