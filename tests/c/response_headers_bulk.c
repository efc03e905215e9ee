/* response_headers_bulk.c: a response's header lines are kept in one buffer
 * per head (core::headers). These pin what C reads through it: a head larger
 * than the buffer first made for it (many lines, long values) keeps every line
 * in order with repeats; look-ups are case-insensitive and give the first
 * value; a RESPONSE hook that removes and sets headers leaves the other lines
 * as they were. Uses httpbin's /response-headers (also on PyPI's httpbin).
 */
#include "check.h"

#define LINES 40

/* The value of line k: long enough that LINES of them pass 512 bytes many
 * times over, and each one different. */
static void value_of(int k, char *out, size_t size) {
    snprintf(out, size, "v%02d-abcdefghijklmnopqrstuvwxyz0123456789", k);
}

static void test_a_large_head_keeps_every_line_in_order(void) {
    char url[8192], value[64];
    size_t at = 0;
    at += (size_t)snprintf(url + at, sizeof url - at, "%s", URL("/response-headers?"));
    for (int k = 0; k < LINES; k++) {
        value_of(k, value, sizeof value);
        /* Even lines are all named X-Rep (repeats); odd ones X-Odd-NN. */
        if (k % 2 == 0)
            at += (size_t)snprintf(url + at, sizeof url - at, "%sX-Rep=%s", k ? "&" : "", value);
        else
            at += (size_t)snprintf(url + at, sizeof url - at, "&X-Odd-%02d=%s", k, value);
    }
    CHECK(at < sizeof url);
    reqc_request *req = check_new_request("GET", url);
    reqc_response *resp = NULL;
    if (!req) return;
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp) {
        size_t n = reqc_response_header_count(resp);
        int rep = 0, odd = 0;
        CHECK(n >= LINES);
        for (size_t i = 0; i < n; i++) {
            const char *name = NULL, *v = NULL;
            char want[64], odd_name[32];
            CHECK_OK(reqc_response_header_at(resp, i, &name, &v), req);
            if (!name || !v) continue;
            if (strcmp(name, "X-Rep") == 0) {
                value_of(2 * rep++, want, sizeof want);
                CHECK_STR_EQ(v, want);
            } else if (strncmp(name, "X-Odd-", 6) == 0) {
                int k = 2 * odd++ + 1;
                snprintf(odd_name, sizeof odd_name, "X-Odd-%02d", k);
                CHECK_STR_EQ(name, odd_name);
                value_of(k, want, sizeof want);
                CHECK_STR_EQ(v, want);
            }
        }
        CHECK(rep == LINES / 2);
        CHECK(odd == LINES / 2);
        value_of(0, value, sizeof value);
        CHECK_STR_EQ(reqc_response_header(resp, "x-rep"), value);
        value_of(LINES - 1, value, sizeof value);
        CHECK_STR_EQ(reqc_response_header(resp, "X-ODD-39"), value);
        CHECK(reqc_response_header(resp, "X-None") == NULL);
        CHECK(reqc_response_header_at(resp, n, NULL, NULL) == REQC_E_NOT_FOUND);
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

static int edit_headers(void *userdata, int kind, reqc_hook_ctx *ctx) {
    int *ok = userdata;
    (void)kind;
    *ok = reqc_hook_ctx_set_response_header(ctx, "x-b", NULL) == REQC_OK &&
          reqc_hook_ctx_set_response_header(ctx, "X-A", "replaced") == REQC_OK &&
          reqc_hook_ctx_set_response_header(ctx, "X-New", "new") == REQC_OK;
    return REQC_HOOK_RESULT_CONTINUE;
}

static void test_hook_edits_leave_the_other_lines(void) {
    reqc_request *req =
        check_new_request("GET", URL("/response-headers?X-A=1&X-B=2&X-C=3&X-A=4&X-B=5&X-D=6"));
    reqc_response *resp = NULL;
    int ok = -1;
    if (!req) return;
    CHECK_OK(reqc_request_add_hook(req, REQC_HOOK_KIND_RESPONSE, edit_headers, &ok, NULL, NULL), req);
    CHECK_OK(reqc_send(req, &resp), req);
    CHECK(ok == 1);
    if (resp) {
        size_t n = reqc_response_header_count(resp);
        const char *order[8];
        int seen = 0;
        for (size_t i = 0; i < n; i++) {
            const char *name = NULL, *v = NULL;
            CHECK_OK(reqc_response_header_at(resp, i, &name, &v), req);
            int ours = name && (strcmp(name, "X-A") == 0 || strcmp(name, "X-B") == 0 ||
                                strcmp(name, "X-C") == 0 || strcmp(name, "X-D") == 0 ||
                                strcmp(name, "X-New") == 0);
            if (ours && seen < 8) order[seen++] = name;
            CHECK(name == NULL || strcmp(name, "X-B") != 0);
        }
        /* C and D where they were; the set ones at the end, once each. */
        CHECK(seen == 4);
        if (seen == 4) {
            CHECK_STR_EQ(order[0], "X-C");
            CHECK_STR_EQ(order[1], "X-D");
            CHECK_STR_EQ(order[2], "X-A");
            CHECK_STR_EQ(order[3], "X-New");
        }
        CHECK_STR_EQ(reqc_response_header(resp, "X-A"), "replaced");
        CHECK_STR_EQ(reqc_response_header(resp, "x-d"), "6");
        CHECK_STR_EQ(reqc_response_header(resp, "X-New"), "new");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

int main(void) {
    RUN(test_a_large_head_keeps_every_line_in_order);
    RUN(test_hook_edits_leave_the_other_lines);
    return check_summary();
}
