/* batch_shared.c: an added item shares its request with the handle it was
 * added from (no copy per item: the batch of N identical items holds one
 * request), and still keeps the request as it was when added:
 *
 *   - the same handle added several times, changed between the adds (header,
 *     parameter, method and URL) and freed before the run: every item sends
 *     what the handle held at its add, nothing of the later changes;
 *   - an ARGS hook that changes its per-send copy (a counter in a header)
 *     changes that item only: the items that share the request each see it
 *     unchanged, and so does the handle afterwards;
 *   - a request that was added, then handed to the batch by its source
 *     callback and changed there first: the added item is unchanged. */
#include "check.h"

static reqc_response *result_of(reqc_batch *b, size_t i) {
    reqc_response *resp = NULL;
    CHECK_CODE(reqc_batch_result(b, i, &resp), REQC_OK, b);
    if (resp) CHECK(reqc_response_status(resp) == 200);
    return resp;
}

static void test_changes_after_add(void) {
    reqc_batch *b = NULL;
    reqc_request *req = check_new_request("GET", URL("/get"));
    reqc_response *resp;
    size_t i, idx = 99;
    CHECK_OK(reqc_batch_new(NULL, &b), b);
    if (!req || !b) return;
    CHECK_OK(reqc_request_set_header(req, "X-Item", "first"), req);
    CHECK_OK(reqc_request_add_param(req, "item", "first"), req);
    CHECK_OK(reqc_batch_add(b, req, &idx), b); /* 0 */
    CHECK(idx == 0);
    CHECK_OK(reqc_batch_add(b, req, &idx), b); /* 1: the same, unchanged */
    CHECK(idx == 1);
    CHECK_OK(reqc_request_set_header(req, "X-Item", "second"), req);
    CHECK_OK(reqc_request_add_param(req, "extra", "yes"), req);
    CHECK_OK(reqc_batch_add(b, req, &idx), b); /* 2 */
    CHECK_OK(reqc_request_set_method(req, "POST"), req);
    CHECK_OK(reqc_request_set_url(req, URL("/post")), req);
    CHECK_OK(reqc_batch_add(b, req, &idx), b); /* 3 */
    CHECK(idx == 3);
    reqc_request_free(req);

    CHECK_OK(reqc_batch_perform(b), b);
    for (i = 0; i < 2; i++) {
        resp = result_of(b, i);
        if (!resp) continue;
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Item\": \"first\"");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"item\": \"first\"");
        CHECK_JSON_LACKS(reqc_response_text(resp), "\"extra\"");
        CHECK_JSON_HAS(reqc_response_text(resp), "/get?item=first\"");
        reqc_response_free(resp);
    }
    resp = result_of(b, 2);
    if (resp) {
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Item\": \"second\"");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"extra\": \"yes\"");
        CHECK_JSON_HAS(reqc_response_text(resp), "/get?item=first&extra=yes\"");
        reqc_response_free(resp);
    }
    resp = result_of(b, 3);
    if (resp) {
        /* /post answers POST only: the method and the URL changed together. */
        CHECK_JSON_HAS(reqc_response_text(resp), "/post?item=first&extra=yes\"");
        CHECK_JSON_HAS(reqc_response_text(resp), "\"X-Item\": \"second\"");
        reqc_response_free(resp);
    }
    reqc_batch_free(b);
}

/* ARGS hook: stamps its per-send copy with the number of sends so far. */
static reqc_hook_result stamp(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    int *sends = userdata;
    char text[16];
    (void)kind;
    snprintf(text, sizeof text, "%d", ++*sends);
    if (reqc_request_set_header(reqc_hook_ctx_request(ctx), "X-Stamp", text) != REQC_OK)
        return REQC_HOOK_RESULT_ABORT;
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_args_hook_changes_one_item(void) {
    enum { N = 4 };
    reqc_batch *b = NULL;
    reqc_request *req = check_new_request("GET", URL("/headers"));
    int sends = 0, seen[N + 1] = {0};
    size_t i;
    CHECK_OK(reqc_batch_new(NULL, &b), b);
    if (!req || !b) return;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_ARGS, stamp, &sends, NULL, NULL), req);
    for (i = 0; i < N; i++) CHECK_OK(reqc_batch_add(b, req, NULL), b);
    CHECK_OK(reqc_batch_set_max_concurrency(b, 2), b);
    CHECK_OK(reqc_batch_perform(b), b);
    CHECK(sends == N);
    /* Every item was stamped once, each with its own number: no item saw
     * another's stamp, though they share one request. */
    for (i = 0; i < N; i++) {
        reqc_response *resp = result_of(b, i);
        int n;
        const char *text, *at;
        if (!resp) continue;
        text = reqc_response_text(resp);
        at = text ? strstr(text, "\"X-Stamp\"") : NULL;
        CHECK(at != NULL);
        if (at && sscanf(at, "\"X-Stamp\": \"%d\"", &n) == 1 && n >= 1 && n <= N) seen[n]++;
        reqc_response_free(resp);
    }
    for (i = 1; i <= N; i++) CHECK(seen[i] == 1);
    /* The handle never saw a stamp either. */
    CHECK(reqc_request_header(req, "X-Stamp") == NULL);
    reqc_request_free(req);
    reqc_batch_free(b);
}

struct feed {
    reqc_request *req; /* added once already; handed over by the source */
    int pulled;
};

static reqc_code give_added(void *userdata, size_t index, reqc_request **request_out) {
    struct feed *f = userdata;
    (void)index;
    if (f->pulled++ > 0 || !f->req) {
        *request_out = NULL;
        return REQC_OK;
    }
    /* Changed before it is handed over: the added item must not see it. */
    if (reqc_request_set_header(f->req, "X-Item", "sourced") != REQC_OK) return REQC_E_INVALID_STATE;
    *request_out = f->req;
    f->req = NULL;
    return REQC_OK;
}

static reqc_response *handed[2];

static void keep_both(void *userdata, reqc_batch *batch, size_t index, reqc_code code,
                      reqc_response *response) {
    (void)userdata;
    (void)batch;
    CHECK(code == REQC_OK);
    if (index < 2 && !handed[index]) {
        handed[index] = response;
        return;
    }
    reqc_response_free(response);
}

static void test_source_hands_over_an_added_request(void) {
    reqc_batch *b = NULL;
    struct feed f = {check_new_request("GET", URL("/headers")), 0};
    size_t i;
    CHECK_OK(reqc_batch_new(NULL, &b), b);
    if (!f.req || !b) return;
    CHECK_OK(reqc_request_set_header(f.req, "X-Item", "added"), f.req);
    CHECK_OK(reqc_batch_add(b, f.req, NULL), b); /* 0 */
    CHECK_OK(reqc_batch_set_source_callback(b, give_added, &f, NULL), b); /* 1 */
    handed[0] = handed[1] = NULL;
    CHECK_OK(reqc_batch_set_complete_callback(b, keep_both, NULL, NULL), b);
    CHECK_OK(reqc_batch_perform(b), b);
    CHECK(f.pulled == 2);
    CHECK(handed[0] != NULL && handed[1] != NULL);
    if (handed[0]) {
        CHECK_JSON_HAS(reqc_response_text(handed[0]), "\"X-Item\": \"added\"");
        CHECK_JSON_LACKS(reqc_response_text(handed[0]), "sourced");
    }
    if (handed[1]) CHECK_JSON_HAS(reqc_response_text(handed[1]), "\"X-Item\": \"sourced\"");
    for (i = 0; i < 2; i++) reqc_response_free(handed[i]);
    reqc_batch_free(b);
}

int main(void) {
    RUN(test_changes_after_add);
    RUN(test_args_hook_changes_one_item);
    RUN(test_source_hands_over_an_added_request);
    return check_summary();
}
