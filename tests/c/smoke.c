/* smoke.c: the smallest end-to-end check that libreqc loads, sends a GET and
 * reads the response. If this fails, look here before the other C tests. */
#include "check.h"

static void test_get(void) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;

    CHECK_OK(reqc_request_new("GET", URL("/get"), &req, NULL), req);
    if (req == NULL)
        return;
    CHECK_OK(reqc_send(req, &resp), req);
    if (resp != NULL) {
        CHECK(reqc_response_status(resp) == 200);
        CHECK_JSON_HAS(reqc_response_text(resp), "\"url\"");
    }
    reqc_response_free(resp);
    reqc_request_free(req);
}

int main(void) {
    /* Says what is under test; also uses check_is_httpbin(), which check.h
     * defines static, so that -Werror=unused-function passes. */
    printf("%s against %s\n", reqc_version(),
           check_is_httpbin() ? "PyPI's httpbin" : "reqc-test-server");
    RUN(test_get);
    return check_summary();
}
