/* hooks.c: event hooks (REQC_HOOK_KIND_ARGS, _PRE_REQUEST, _POST_REQUEST,
 * _RESPONSE) on requests and sessions: how often and in which order they
 * run, what they see, what they may change, their answers (CONTINUE, ERROR,
 * ABORT) and the lifetime of their userdata. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "check.h"

/* ---- a log of hook calls ---- */

#define MAX_CALLS 64

typedef struct {
    int who; /* 0: session hook, 1: request hook */
    int kind;
    int hop;
    int status;     /* RESPONSE: the hop's status */
    char ip[64];    /* POST_REQUEST: remote ip */
    int port;       /* POST_REQUEST: remote port */
    int reused;     /* POST_REQUEST: connection reused */
    pthread_t thread;
} hook_call;

typedef struct {
    hook_call calls[MAX_CALLS];
    int n;
} call_log;

typedef struct {
    call_log *log;
    int who;
} recorder;

static int record_hook(void *userdata, int kind, reqc_hook_ctx *ctx) {
    recorder *r = userdata;
    hook_call *c;
    if (r->log->n >= MAX_CALLS)
        return REQC_HOOK_RESULT_CONTINUE;
    c = &r->log->calls[r->log->n++];
    memset(c, 0, sizeof *c);
    c->who = r->who;
    c->kind = kind;
    c->hop = reqc_hook_ctx_hop(ctx);
    c->thread = pthread_self();
    if (kind == REQC_HOOK_KIND_RESPONSE)
        c->status = reqc_response_status(reqc_hook_ctx_response(ctx));
    if (kind == REQC_HOOK_KIND_POST_REQUEST) {
        const char *ip = reqc_hook_ctx_remote_ip(ctx);
        snprintf(c->ip, sizeof c->ip, "%s", ip ? ip : "(null)");
        c->port = reqc_hook_ctx_remote_port(ctx);
        c->reused = reqc_hook_ctx_connection_reused(ctx);
    }
    return REQC_HOOK_RESULT_CONTINUE;
}

/* The port of REQC_TEST_URL (http://127.0.0.1:P). */
static int server_port(void) {
    const char *u = check_env("REQC_TEST_URL");
    const char *colon = strrchr(u, ':');
    return colon ? atoi(colon + 1) : -1;
}

static int count_calls(const call_log *log, int who, int kind) {
    int i, n = 0;
    for (i = 0; i < log->n; i++)
        if (log->calls[i].who == who && log->calls[i].kind == kind)
            n++;
    return n;
}

static void test_counts_and_order(void) {
    static call_log log;
    recorder sess_rec = {&log, 0}, req_rec = {&log, 1};
    reqc_session *s = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    pthread_t me = pthread_self();
    int kind, who, i, hop, port = server_port();
    /* What must be seen, in order: ARGS once, then per transfer
     * PRE_REQUEST, POST_REQUEST, RESPONSE, each session hook first. */
    int want_kind[20], want_who[20], want_hop[20], nwant = 0;

    memset(&log, 0, sizeof log);
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_request_new("GET", URL("/redirect/2"), &req, NULL), req);
    if (s == NULL || req == NULL)
        goto out;
    for (kind = REQC_HOOK_KIND_ARGS; kind <= REQC_HOOK_KIND_RESPONSE; kind++) {
        CHECK_OK(reqc_session_add_hook(s, kind, record_hook, &sess_rec, NULL, NULL), s);
        CHECK_OK(reqc_request_add_hook(req, kind, record_hook, &req_rec, NULL, NULL), req);
    }
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    if (resp == NULL)
        goto out;
    CHECK(reqc_response_status(resp) == 200);

    for (who = 0; who < 2; who++) {
        CHECK(count_calls(&log, who, REQC_HOOK_KIND_ARGS) == 1);
        CHECK(count_calls(&log, who, REQC_HOOK_KIND_PRE_REQUEST) == 3);
        CHECK(count_calls(&log, who, REQC_HOOK_KIND_POST_REQUEST) == 3);
        CHECK(count_calls(&log, who, REQC_HOOK_KIND_RESPONSE) == 3);
    }
    CHECK(log.n == 20);

    for (who = 0; who < 2; who++) {
        want_kind[nwant] = REQC_HOOK_KIND_ARGS;
        want_who[nwant] = who;
        want_hop[nwant++] = 0;
    }
    for (hop = 0; hop < 3; hop++)
        for (kind = REQC_HOOK_KIND_PRE_REQUEST; kind <= REQC_HOOK_KIND_RESPONSE; kind++)
            for (who = 0; who < 2; who++) {
                want_kind[nwant] = kind;
                want_who[nwant] = who;
                want_hop[nwant++] = hop;
            }
    for (i = 0; i < log.n && i < nwant; i++) {
        const hook_call *c = &log.calls[i];
        if (c->kind != want_kind[i] || c->who != want_who[i] || c->hop != want_hop[i]) {
            fprintf(stderr, "  call %d: kind %d who %d hop %d, want kind %d who %d hop %d\n", i,
                    c->kind, c->who, c->hop, want_kind[i], want_who[i], want_hop[i]);
            CHECK(!"hook calls in the expected order");
        }
        CHECK(pthread_equal(c->thread, me));
        if (c->kind == REQC_HOOK_KIND_RESPONSE)
            CHECK(c->status == (c->hop < 2 ? 302 : 200));
        if (c->kind == REQC_HOOK_KIND_POST_REQUEST) {
            CHECK_STR_EQ(c->ip, "127.0.0.1");
            CHECK(c->port == port);
            if (c->reused != (c->hop == 0 ? 0 : 1)) {
                fprintf(stderr, "  hop %d: connection_reused %d, want %d\n", c->hop, c->reused,
                        c->hop == 0 ? 0 : 1);
                CHECK(!"connection_reused 0 on the first transfer, 1 after");
            }
        }
    }

out:
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* ---- the seed's examples ---- */

static int print_url_calls;
static char print_url_seen[2048];

static int print_url(void *userdata, int kind, reqc_hook_ctx *ctx) {
    const char *url = reqc_request_url(reqc_hook_ctx_request(ctx));
    (void)userdata;
    print_url_calls++;
    snprintf(print_url_seen, sizeof print_url_seen, "%s", url ? url : "(null)");
    printf("  print_url (kind %d): %s\n", kind, print_url_seen);
    return REQC_HOOK_RESULT_CONTINUE;
}

static int hack_headers(void *userdata, int kind, reqc_hook_ctx *ctx) {
    (void)userdata;
    (void)kind;
    if (reqc_request_set_header(reqc_hook_ctx_request(ctx), "X-Testing", "True") != REQC_OK)
        return REQC_HOOK_RESULT_ABORT;
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_print_url(void) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;

    print_url_calls = 0;
    print_url_seen[0] = 0;
    CHECK_OK(reqc_request_new("GET", URL("/redirect/1"), &req, NULL), req);
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, print_url, NULL, NULL, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(print_url_calls == 1); /* once per send, not per hop */
    CHECK_STR_EQ(print_url_seen, URL("/redirect/1"));
    if (resp != NULL)
        CHECK(reqc_response_status(resp) == 200);
    reqc_response_free(resp);
    reqc_request_free(req);
}

static void test_hack_headers(void) {
    reqc_session *s = NULL;
    reqc_request *req = NULL, *plain = NULL;
    reqc_response *resp = NULL;

    /* On the request itself. */
    CHECK_OK(reqc_request_new("GET", URL("/headers"), &req, NULL), req);
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_set_header(req, "X-Mine", "1"), req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, hack_headers, NULL, NULL, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp != NULL) {
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Testing\": \"True\"");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Mine\": \"1\"");
    }
    reqc_response_free(resp);
    resp = NULL;
    reqc_request_free(req);

    /* On a session; then the same request sent without the session shows
     * that the hook changed a per-send copy, not the caller's request. */
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_request_new("GET", URL("/headers"), &plain, NULL), plain);
    if (s == NULL || plain == NULL)
        goto out;
    CHECK_OK(reqc_request_set_header(plain, "X-Mine", "1"), plain);
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_ARGS, hack_headers, NULL, NULL, NULL), s);
    CHECK_OK(reqc_session_send(s, plain, &resp), plain);
    if (resp != NULL) {
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Testing\": \"True\"");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Mine\": \"1\"");
    }
    reqc_response_free(resp);
    resp = NULL;
    CHECK_OK(reqc_send(plain, &resp), plain);
    if (resp != NULL) {
        CHECK_JSON_LACKS(reqc_response_text(resp), "X-Testing");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Mine\": \"1\"");
    }
out:
    reqc_response_free(resp);
    reqc_request_free(plain);
    reqc_session_free(s);
}

/* ---- ARGS may change the URL and the method ---- */

static int change_url_method(void *userdata, int kind, reqc_hook_ctx *ctx) {
    reqc_request *r = reqc_hook_ctx_request(ctx);
    (void)userdata;
    (void)kind;
    if (r == NULL || reqc_request_set_url(r, URL("/anything/changed")) != REQC_OK ||
        reqc_request_set_method(r, "PUT") != REQC_OK)
        return REQC_HOOK_RESULT_ABORT;
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_args_changes_url_and_method(void) {
    reqc_session *s = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;

    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_request_new("GET", URL("/anything/original"), &req, NULL), req);
    if (s == NULL || req == NULL)
        goto out;
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_ARGS, change_url_method, NULL, NULL, NULL), s);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    if (resp != NULL) {
        CHECK_JSON_HAS(reqc_response_text(resp), "\"method\": \"PUT\"");
        CHECK_JSON_HAS(reqc_response_text(resp), "/anything/changed\"");
        CHECK_JSON_LACKS(reqc_response_text(resp), "/anything/original");
    }
    reqc_response_free(resp);
    resp = NULL;
    /* The caller's request is unchanged. */
    CHECK_STR_EQ(reqc_request_url(req), URL("/anything/original"));
    CHECK_STR_EQ(reqc_request_method(req), "GET");
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp != NULL) {
        CHECK_JSON_HAS(reqc_response_text(resp), "\"method\": \"GET\"");
        CHECK_JSON_HAS(reqc_response_text(resp), "/anything/original\"");
    }
out:
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* ---- PRE_REQUEST may change headers ---- */

static int pre_edit_headers(void *userdata, int kind, reqc_hook_ctx *ctx) {
    reqc_request *r = reqc_hook_ctx_request(ctx);
    int *calls = userdata;
    (void)kind;
    (*calls)++;
    if (r == NULL)
        return REQC_HOOK_RESULT_ABORT;
    if (reqc_request_set_header(r, "X-Pre", "added") != REQC_OK)
        return REQC_HOOK_RESULT_ABORT;
    if (reqc_request_set_header(r, "X-Session-Drop", NULL) != REQC_OK)
        return REQC_HOOK_RESULT_ABORT;
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_pre_request_headers(void) {
    reqc_session *s = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    int calls = 0;

    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_request_new("GET", URL("/headers"), &req, NULL), req);
    if (s == NULL || req == NULL)
        goto out;
    CHECK_OK(reqc_session_set_header(s, "X-Session-Drop", "dropme"), s);
    CHECK_OK(reqc_session_set_header(s, "X-Session-Keep", "keepme"), s);
    /* Without the hook the session's headers are sent. */
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    if (resp != NULL) {
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Session-Drop\": \"dropme\"");
        CHECK_JSON_LACKS(reqc_response_text(resp), "X-Pre");
    }
    reqc_response_free(resp);
    resp = NULL;

    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_PRE_REQUEST, pre_edit_headers, &calls, NULL, NULL),
             req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(calls == 1);
    if (resp != NULL) {
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Pre\": \"added\"");
        CHECK_JSON_LACKS(reqc_response_text(resp), "X-Session-Drop");
        CHECK_JSON_LACKS(reqc_response_text(resp), "dropme");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Session-Keep\": \"keepme\"");
    }
out:
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

/* ---- RESPONSE may replace or edit the response ---- */

typedef struct {
    reqc_session *s;
    int calls;
    reqc_code inner_rc;
    reqc_code set_rc;
    reqc_code wrong_kind_rc;
} replacer;

static int replace_response(void *userdata, int kind, reqc_hook_ctx *ctx) {
    replacer *r = userdata;
    reqc_request *other = NULL;
    reqc_response *got = NULL;
    (void)kind;
    r->calls++;
    if (reqc_request_new("GET", URL("/get?replaced=1"), &other, NULL) != REQC_OK)
        return REQC_HOOK_RESULT_ABORT;
    /* Sends through the very session whose send called this hook. */
    r->inner_rc = reqc_session_send(r->s, other, &got);
    reqc_request_free(other);
    if (r->inner_rc != REQC_OK)
        return REQC_HOOK_RESULT_ABORT;
    r->set_rc = reqc_hook_ctx_set_response(ctx, got);
    if (r->set_rc != REQC_OK) {
        reqc_response_free(got);
        return REQC_HOOK_RESULT_ABORT;
    }
    return REQC_HOOK_RESULT_CONTINUE;
}

static int set_response_in_pre(void *userdata, int kind, reqc_hook_ctx *ctx) {
    replacer *r = userdata;
    (void)kind;
    /* Not a RESPONSE hook: refused, and NULL is refused anyway. */
    r->wrong_kind_rc = reqc_hook_ctx_set_response(ctx, NULL);
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_response_replace(void) {
    reqc_session *s = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    replacer rp;

    memset(&rp, 0, sizeof rp);
    rp.inner_rc = -1;
    rp.set_rc = -1;
    rp.wrong_kind_rc = -1;
    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_request_new("GET", URL("/get?original=1"), &req, NULL), req);
    if (s == NULL || req == NULL)
        goto out;
    rp.s = s;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, replace_response, &rp, NULL, NULL), req);
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_PRE_REQUEST, set_response_in_pre, &rp, NULL, NULL),
             req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    CHECK(rp.calls == 1);
    CHECK(rp.inner_rc == REQC_OK);
    CHECK(rp.set_rc == REQC_OK);
    CHECK(rp.wrong_kind_rc == REQC_E_INVALID_ARGUMENT);
    if (resp != NULL) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(reqc_response_text(resp), "\"replaced\": \"1\"");
        CHECK_JSON_LACKS(reqc_response_text(resp), "original");
    }
out:
    reqc_response_free(resp);
    reqc_request_free(req);
    reqc_session_free(s);
}

static const char hooked_body[] = "hooked body";

static int edit_response(void *userdata, int kind, reqc_hook_ctx *ctx) {
    int *ok = userdata;
    (void)kind;
    *ok = reqc_hook_ctx_set_response_status(ctx, 299) == REQC_OK &&
          reqc_hook_ctx_set_response_header(ctx, "X-Hooked", "yes") == REQC_OK &&
          reqc_hook_ctx_set_response_body(ctx, (const uint8_t *)hooked_body,
                                          sizeof hooked_body - 1) == REQC_OK;
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_response_edit(void) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    int ok = -1;

    CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), req);
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, edit_response, &ok, NULL, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(ok == 1);
    if (resp != NULL) {
        CHECK(reqc_response_status(resp) == 299);
        CHECK_STR_EQ(reqc_response_header(resp, "X-Hooked"), "yes");
        CHECK_STR_EQ(reqc_response_text(resp), hooked_body);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

/* ---- REQC_HOOK_RESULT_ERROR and REQC_HOOK_RESULT_ABORT ---- */

#define MAX_LINES 256

typedef struct {
    char *lines[MAX_LINES];
    int n;
} line_log;

static void collect_line(void *userdata, int level, const char *line) {
    line_log *l = userdata;
    (void)level;
    if (l->n < MAX_LINES)
        l->lines[l->n++] = strdup(line);
}

static void line_log_clear(line_log *l) {
    int i;
    for (i = 0; i < l->n; i++)
        free(l->lines[i]);
    l->n = 0;
}

static int fail_hook(void *userdata, int kind, reqc_hook_ctx *ctx) {
    int *calls = userdata;
    (void)kind;
    (void)ctx;
    (*calls)++;
    return REQC_HOOK_RESULT_ERROR;
}

static int abort_hook(void *userdata, int kind, reqc_hook_ctx *ctx) {
    int *calls = userdata;
    (void)kind;
    (void)ctx;
    (*calls)++;
    return REQC_HOOK_RESULT_ABORT;
}

static const char *kind_names[5] = {"", "args", "pre_request", "post_request", "response"};

static void test_hook_error_warns(void) {
    int kind;
    for (kind = REQC_HOOK_KIND_ARGS; kind <= REQC_HOOK_KIND_RESPONSE; kind++) {
        reqc_session *s = NULL;
        reqc_request *req = NULL;
        reqc_response *resp = NULL;
        line_log lines;
        int calls = 0, i, found = 0;
        const char *url = URL("/get?hookerror=1");

        lines.n = 0;
        CHECK_OK(reqc_session_new(&s), NULL);
        CHECK_OK(reqc_request_new("GET", url, &req, NULL), req);
        if (s == NULL || req == NULL)
            goto next;
        CHECK_OK(reqc_session_set_log_callback(s, REQC_LOG_LEVEL_REQUESTS, 0, collect_line, &lines, NULL),
                 req);
        CHECK_OK(reqc_request_add_hook(req, kind, fail_hook, &calls, NULL, NULL), req);
        CHECK_OK(reqc_session_send(s, req, &resp), req);
        CHECK(calls == 1);
        if (resp != NULL)
            CHECK(reqc_response_status(resp) == 200);
        for (i = 0; i < lines.n; i++)
            if (strstr(lines.lines[i], "WARNING") && strstr(lines.lines[i], kind_names[kind]) &&
                strstr(lines.lines[i], url))
                found = 1;
        if (!found) {
            fprintf(stderr, "  no WARNING line naming \"%s\" and %s; lines:\n", kind_names[kind],
                    url);
            for (i = 0; i < lines.n; i++)
                fprintf(stderr, "    %s\n", lines.lines[i]);
            CHECK(found);
        }
    next:
        reqc_response_free(resp);
        reqc_request_free(req);
        reqc_session_free(s);
        line_log_clear(&lines);
    }
}

static void test_hook_abort(void) {
    int kind, where;
    for (where = 0; where < 2; where++) /* 0: request hook, 1: session hook */
        for (kind = REQC_HOOK_KIND_ARGS; kind <= REQC_HOOK_KIND_RESPONSE; kind++) {
            reqc_session *s = NULL;
            reqc_request *req = NULL;
            reqc_response *resp = NULL;
            int calls = 0;

            CHECK_OK(reqc_session_new(&s), NULL);
            CHECK_OK(reqc_request_new("GET", URL("/redirect/1"), &req, NULL), req);
            if (s == NULL || req == NULL)
                goto next;
            if (where == 0)
                CHECK_OK(reqc_request_add_hook(req, kind, abort_hook, &calls, NULL, NULL), req);
            else
                CHECK_OK(reqc_session_add_hook(s, kind, abort_hook, &calls, NULL, NULL), s);
            CHECK_CODE(reqc_session_send(s, req, &resp), REQC_E_ABORTED, req);
            CHECK(resp == NULL);
            CHECK(calls == 1);
            if (strstr(reqc_request_error(req), kind_names[kind]) == NULL) {
                fprintf(stderr, "  abort by %s: error \"%s\" does not name it\n", kind_names[kind],
                        reqc_request_error(req));
                CHECK(!"the error names the hook kind");
            }
        next:
            reqc_response_free(resp);
            reqc_request_free(req);
            reqc_session_free(s);
        }
}

/* ---- free_userdata ---- */

static int noop_hook(void *userdata, int kind, reqc_hook_ctx *ctx) {
    int *calls = userdata;
    (void)kind;
    (void)ctx;
    (*calls)++;
    return REQC_HOOK_RESULT_CONTINUE;
}

typedef struct {
    int calls;
    int freed;
} counted;

static int counted_hook(void *userdata, int kind, reqc_hook_ctx *ctx) {
    return noop_hook(&((counted *)userdata)->calls, kind, ctx);
}

static void counted_free(void *userdata) {
    ((counted *)userdata)->freed++;
}

static void test_free_request_first(void) {
    reqc_session *s = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    counted on_req = {0, 0}, on_sess = {0, 0};

    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), req);
    if (s == NULL || req == NULL) {
        reqc_request_free(req);
        reqc_session_free(s);
        return;
    }
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, counted_hook, &on_req, counted_free, NULL),
             req);
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, counted_hook, &on_sess, counted_free, NULL),
             req);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    reqc_response_free(resp);
    CHECK(on_req.calls == 1 && on_sess.calls == 1);
    CHECK(on_req.freed == 0 && on_sess.freed == 0);
    reqc_request_free(req);
    CHECK(on_req.freed == 1);
    CHECK(on_sess.freed == 0);
    reqc_session_free(s);
    CHECK(on_req.freed == 1);
    CHECK(on_sess.freed == 1);
}

static void test_free_session_first(void) {
    reqc_session *s = NULL;
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    counted on_req = {0, 0}, on_sess = {0, 0};

    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), req);
    if (s == NULL || req == NULL) {
        reqc_request_free(req);
        reqc_session_free(s);
        return;
    }
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, counted_hook, &on_req, counted_free, NULL), req);
    CHECK_OK(reqc_session_add_hook(s, REQC_HOOK_KIND_ARGS, counted_hook, &on_sess, counted_free, NULL), s);
    CHECK_OK(reqc_session_send(s, req, &resp), req);
    reqc_response_free(resp);
    CHECK(on_req.calls == 1 && on_sess.calls == 1);
    reqc_session_free(s);
    CHECK(on_sess.freed == 1);
    CHECK(on_req.freed == 0);
    /* The request still works on its own, with its hook. */
    resp = NULL;
    CHECK_OK(reqc_send(req, &resp), req);
    reqc_response_free(resp);
    CHECK(on_req.calls == 2 && on_sess.calls == 1);
    reqc_request_free(req);
    CHECK(on_req.freed == 1);
    CHECK(on_sess.freed == 1);
}

static void test_free_after_clone(void) {
    reqc_request *req = NULL, *copy = NULL;
    reqc_response *resp = NULL;
    counted c = {0, 0};

    CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), req);
    if (req == NULL)
        return;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_PRE_REQUEST, counted_hook, &c, counted_free, NULL),
             req);
    CHECK_OK(reqc_request_clone(req, &copy), req);
    reqc_request_free(req);
    CHECK(c.freed == 0);
    if (copy != NULL) {
        /* The copy shares the registration. */
        CHECK_OK(reqc_send(copy, &resp), copy);
        reqc_response_free(resp);
        CHECK(c.calls == 1);
        CHECK(c.freed == 0);
        reqc_request_free(copy);
    }
    CHECK(c.freed == 1);
}

static void test_failed_registration_frees(void) {
    reqc_session *s = NULL;
    reqc_request *req = NULL;
    counted c = {0, 0};

    CHECK_OK(reqc_session_new(&s), NULL);
    CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), req);
    if (s == NULL || req == NULL) {
        reqc_request_free(req);
        reqc_session_free(s);
        return;
    }
    CHECK_CODE(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, NULL, &c, counted_free, NULL),
               REQC_E_INVALID_ARGUMENT, req);
    CHECK(c.freed == 1);
    CHECK(reqc_request_error(req)[0] != 0);
    CHECK_CODE(reqc_request_add_hook(req, 9, counted_hook, &c, counted_free, NULL),
               REQC_E_INVALID_ARGUMENT, req);
    CHECK(c.freed == 2);
    CHECK_CODE(reqc_request_add_hook(req, 0, counted_hook, &c, counted_free, NULL),
               REQC_E_INVALID_ARGUMENT, req);
    CHECK(c.freed == 3);
    CHECK_CODE(reqc_session_add_hook(s, REQC_HOOK_KIND_RESPONSE, NULL, &c, counted_free, NULL),
               REQC_E_INVALID_ARGUMENT, req);
    CHECK(c.freed == 4);
    CHECK(reqc_session_error(s)[0] != 0);
    CHECK_CODE(reqc_session_add_hook(s, 9, counted_hook, &c, counted_free, NULL),
               REQC_E_INVALID_ARGUMENT, req);
    CHECK(c.freed == 5);
    /* NULL handles: refused, and the userdata is still released. */
    CHECK_CODE(reqc_request_add_hook(NULL, REQC_HOOK_KIND_ARGS, counted_hook, &c, counted_free, NULL),
               REQC_E_INVALID_ARGUMENT, req);
    CHECK(c.freed == 6);
    CHECK_CODE(reqc_session_add_hook(NULL, REQC_HOOK_KIND_ARGS, counted_hook, &c, counted_free, NULL),
               REQC_E_INVALID_ARGUMENT, req);
    CHECK(c.freed == 7);
    reqc_request_free(req);
    reqc_session_free(s);
    CHECK(c.freed == 7);
    CHECK(c.calls == 0);
}

/* Context getters with NULL and in the wrong kind are harmless. */
static void test_ctx_null(void) {
    CHECK(reqc_hook_ctx_request(NULL) == NULL);
    CHECK(reqc_hook_ctx_response(NULL) == NULL);
    CHECK(reqc_hook_ctx_hop(NULL) == 0);
    CHECK(reqc_hook_ctx_remote_port(NULL) == 0);
    CHECK(reqc_hook_ctx_connection_reused(NULL) == 0);
    CHECK(reqc_hook_ctx_set_response(NULL, NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_hook_ctx_set_response_status(NULL, 200) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_hook_ctx_set_response_header(NULL, "A", "b") == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_hook_ctx_set_response_body(NULL, NULL, 0) == REQC_E_INVALID_ARGUMENT);
}

int main(void) {
    printf("%s against %s\n", reqc_version(),
           check_is_httpbin() ? "PyPI's httpbin" : "reqc-test-server");
    RUN(test_counts_and_order);
    RUN(test_print_url);
    RUN(test_hack_headers);
    RUN(test_args_changes_url_and_method);
    RUN(test_pre_request_headers);
    RUN(test_response_replace);
    RUN(test_response_edit);
    RUN(test_hook_error_warns);
    RUN(test_hook_abort);
    RUN(test_free_request_first);
    RUN(test_free_session_first);
    RUN(test_free_after_clone);
    RUN(test_failed_registration_frees);
    RUN(test_ctx_null);
    return check_summary();
}
