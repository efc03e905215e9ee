/* header_views.c: reqc_response_header_views, the header lines as borrowed
 * byte views, many per call:
 *
 *   - one call reads every line, in received order, repeats kept, each view
 *     the same bytes reqc_response_header_at returns (an empty value is a
 *     length of 0 with a valid pointer), and the count is the header count;
 *   - a fixed array of 2 reads the same lines in turns (`first` += 2); a
 *     `first` past the end writes nothing and still gives the count; the
 *     count alone comes from a NULL array of capacity 0;
 *   - a history entry (a redirect hop) has views of its own lines;
 *   - bad arguments are refused with REQC_E_INVALID_ARGUMENT and write
 *     nothing. */
#include <strings.h>

#include "check.h"

#define PATH "/response-headers?X-A=1&X-A=2&X-B=three&X-Empty="

/* The view equals the C string (same bytes, same length). */
static int same_text(const char *ptr, size_t len, const char *c) {
    return ptr != NULL && c != NULL && strlen(c) == len && memcmp(ptr, c, len) == 0;
}

static reqc_response *get(const char *path) {
    reqc_request *req = check_new_request("GET", URL(path));
    reqc_response *resp = NULL;
    if (!req) return NULL;
    CHECK_OK(reqc_send(req, &resp), req);
    reqc_request_free(req);
    return resp;
}

static void test_one_call_reads_every_line(void) {
    reqc_response *resp = get(PATH);
    reqc_header_view views[64];
    size_t i, count = 999, n;
    int a = 0, saw_b = 0, saw_empty = 0;
    if (!resp) return;
    n = reqc_response_header_count(resp);
    CHECK(n >= 5 && n <= 64);
    CHECK_OK(reqc_response_header_views(resp, 0, views, 64, &count), NULL);
    CHECK(count == n);
    for (i = 0; i < count && i < 64; i++) {
        const char *name = NULL, *value = NULL;
        CHECK_OK(reqc_response_header_at(resp, i, &name, &value), NULL);
        CHECK(same_text(views[i].name, views[i].name_len, name));
        CHECK(same_text(views[i].value, views[i].value_len, value));
        if (same_text(views[i].name, views[i].name_len, "X-A")) {
            /* repeats in received order */
            CHECK(same_text(views[i].value, views[i].value_len, a == 0 ? "1" : "2"));
            a++;
        }
        if (same_text(views[i].name, views[i].name_len, "X-B"))
            saw_b = same_text(views[i].value, views[i].value_len, "three");
        if (same_text(views[i].name, views[i].name_len, "X-Empty")) {
            saw_empty = 1;
            CHECK(views[i].value_len == 0);
            CHECK(views[i].value != NULL);
        }
    }
    CHECK(a == 2);
    CHECK(saw_b);
    CHECK(saw_empty);
    reqc_response_free(resp);
}

static void test_fixed_array_in_turns(void) {
    reqc_response *resp = get(PATH);
    reqc_header_view all[64], two[2];
    size_t count = 0, turn_count = 0, first, got = 0;
    if (!resp) return;
    CHECK_OK(reqc_response_header_views(resp, 0, all, 64, &count), NULL);
    CHECK(count >= 5 && count <= 64);
    for (first = 0; first < count; first += 2) {
        size_t i, n = count - first < 2 ? count - first : 2;
        two[1].name = NULL;
        CHECK_OK(reqc_response_header_views(resp, first, two, 2, &turn_count), NULL);
        CHECK(turn_count == count);
        for (i = 0; i < n; i++, got++) {
            CHECK(two[i].name == all[first + i].name && two[i].name_len == all[first + i].name_len);
            CHECK(two[i].value == all[first + i].value && two[i].value_len == all[first + i].value_len);
        }
        if (n == 1) CHECK(two[1].name == NULL); /* nothing past the last line */
    }
    CHECK(got == count);
    /* past the end: nothing written, the count still given */
    two[0].name = NULL;
    turn_count = 0;
    CHECK_OK(reqc_response_header_views(resp, count, two, 2, &turn_count), NULL);
    CHECK(turn_count == count);
    CHECK(two[0].name == NULL);
    /* the count alone */
    turn_count = 0;
    CHECK_OK(reqc_response_header_views(resp, 0, NULL, 0, &turn_count), NULL);
    CHECK(turn_count == count);
    reqc_response_free(resp);
}

static void test_history_entry_has_its_own(void) {
    reqc_response *resp = get("/redirect/1");
    const reqc_response *hop = NULL;
    reqc_header_view views[64];
    size_t i, count = 0;
    int saw_location = 0;
    if (!resp) return;
    CHECK(reqc_response_status(resp) == 200);
    CHECK_OK(reqc_response_history_at(resp, 0, &hop), NULL);
    if (hop) {
        CHECK(reqc_response_status(hop) == 302);
        CHECK_OK(reqc_response_header_views(hop, 0, views, 64, &count), NULL);
        CHECK(count == reqc_response_header_count(hop));
        for (i = 0; i < count && i < 64; i++)
            if (views[i].name_len == 8 && strncasecmp(views[i].name, "Location", 8) == 0)
                saw_location = views[i].value_len > 0;
        CHECK(saw_location);
    }
    reqc_response_free(resp);
}

static void test_bad_arguments(void) {
    reqc_response *resp = get("/get");
    reqc_header_view views[2];
    size_t count = 77;
    CHECK(reqc_response_header_views(NULL, 0, views, 2, &count) == REQC_E_INVALID_ARGUMENT);
    CHECK(count == 77);
    if (!resp) return;
    CHECK(reqc_response_header_views(resp, 0, views, 2, NULL) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_response_header_views(resp, 0, NULL, 2, &count) == REQC_E_INVALID_ARGUMENT);
    CHECK(count == 77);
    reqc_response_free(resp);
}

int main(void) {
    RUN(test_one_call_reads_every_line);
    RUN(test_fixed_array_in_turns);
    RUN(test_history_entry_has_its_own);
    RUN(test_bad_arguments);
    return check_summary();
}
