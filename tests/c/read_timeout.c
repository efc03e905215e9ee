/* read_timeout.c: the read (idle) timeout, Requests' `timeout=(connect, read)`:
 * the longest wait for the next byte once connected, on the request, session
 * and global-config layers, in single sends and batches, told apart from the
 * connect and total timeouts (all three are REQC_E_TIMEOUT; the message of a
 * read timeout says so).
 *
 * Stalls come from the hostile listener (REQC_TEST_HOSTILE: /stall-mid-body,
 * /stall-mid-head, /never-answer); /delay/N runs against PyPI's httpbin too.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"

static int64_t slack_ms(void) { return check_small() ? 4000 : 0; }

static const char *hostile(const char *path) {
    const char *base = check_env_or_null("REQC_TEST_HOSTILE");
    return base != NULL ? check_url_at(base, path) : NULL;
}

/* Sends `req` (through `s` when not NULL) expecting `want`; returns the
 * milliseconds it took and copies the failure message to `msg`. */
static int64_t send_expect(reqc_session *s, reqc_request *req, reqc_code want, char *msg,
                           size_t cap) {
    reqc_response *resp = NULL;
    int64_t t0 = now_ms();
    reqc_code rc = s != NULL ? reqc_session_send(s, req, &resp) : reqc_send(req, &resp);
    int64_t took = now_ms() - t0;
    if (rc != want) {
        fprintf(stderr, "  FAIL: %s gave %s, want %s (%s)\n", "send", reqc_code_name(rc),
                reqc_code_name(want), reqc_request_error(req));
        check_failed_now = 1;
    }
    if (msg != NULL) snprintf(msg, cap, "%s", rc == REQC_OK ? "" : reqc_request_error(req));
    reqc_response_free(resp);
    return took;
}

#define HAS(msg, part)                                                                 \
    do {                                                                               \
        if (strstr((msg), (part)) == NULL) {                                           \
            fprintf(stderr, "  FAIL %s:%d: message \"%s\" lacks \"%s\"\n", __FILE__,   \
                    __LINE__, (msg), (part));                                          \
            check_failed_now = 1;                                                      \
        }                                                                              \
    } while (0)
#define LACKS(msg, part)                                                               \
    do {                                                                               \
        if (strstr((msg), (part)) != NULL) {                                           \
            fprintf(stderr, "  FAIL %s:%d: message \"%s\" has \"%s\"\n", __FILE__,     \
                    __LINE__, (msg), (part));                                          \
            check_failed_now = 1;                                                      \
        }                                                                              \
    } while (0)

/* A stall after headers and half the body: ended by the read timeout, long
 * before the total timeout, with a message that names it and the URL. */
static void test_stall_mid_body(void) {
    char msg[1024];
    reqc_request *req;
    int64_t took;
    NEED("REQC_TEST_HOSTILE");
    req = check_new_request("GET", hostile("/stall-mid-body"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_read_timeout_ms(req, 300), req);
    CHECK_OK(reqc_request_set_timeout_ms(req, 20000), req);
    took = send_expect(NULL, req, REQC_E_TIMEOUT, msg, sizeof msg);
    CHECK(took >= 250 && took < 2500 + slack_ms());
    HAS(msg, "read timeout");
    HAS(msg, "300 ms");
    HAS(msg, "/stall-mid-body");
    reqc_request_free(req);
}

static void test_stall_mid_head_and_no_answer(void) {
    static const char *paths[] = {"/stall-mid-head", "/never-answer"};
    char msg[1024];
    size_t i;
    NEED("REQC_TEST_HOSTILE");
    for (i = 0; i < 2; i++) {
        reqc_request *req = check_new_request("GET", hostile(paths[i]));
        int64_t took;
        if (req == NULL) return;
        CHECK_OK(reqc_request_set_read_timeout_ms(req, 300), req);
        took = send_expect(NULL, req, REQC_E_TIMEOUT, msg, sizeof msg);
        CHECK(took >= 250 && took < 2500 + slack_ms());
        HAS(msg, "read timeout");
        reqc_request_free(req);
    }
}

/* /delay/N answers after N seconds: more than the read timeout fails, less
 * passes. Runs against PyPI's httpbin too. */
static void test_delay(void) {
    char msg[1024];
    reqc_request *req = check_new_request("GET", URL("/delay/2"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_read_timeout_ms(req, 700), req);
    send_expect(NULL, req, REQC_E_TIMEOUT, msg, sizeof msg);
    HAS(msg, "read timeout");
    CHECK_OK(reqc_request_set_url(req, URL("/delay/1")), req);
    CHECK_OK(reqc_request_set_read_timeout_ms(req, 3000), req);
    send_expect(NULL, req, REQC_OK, NULL, 0);
    reqc_request_free(req);
}

/* A body that keeps coming, a byte every 100 ms for 1.5 s, never trips a
 * 600 ms read timeout: it limits the wait between bytes, not the whole. */
static void test_steady_trickle_passes(void) {
    reqc_request *req;
    NEED("REQC_TEST_CONTROL");
    req = check_new_request("GET", URL("/reqc/slow-body?bytes=15&interval_ms=100"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_read_timeout_ms(req, 600 + slack_ms()), req);
    send_expect(NULL, req, REQC_OK, NULL, 0);
    reqc_request_free(req);
}

/* The total timeout is its own: it ends a steady trickle the read timeout
 * lets pass, and its message is not the read timeout's. */
static void test_total_is_not_read(void) {
    char msg[1024];
    reqc_request *req;
    int64_t took;
    NEED("REQC_TEST_CONTROL");
    req = check_new_request("GET", URL("/reqc/slow-body?bytes=30&interval_ms=100"));
    if (req == NULL) return;
    CHECK_OK(reqc_request_set_read_timeout_ms(req, 600 + slack_ms()), req);
    CHECK_OK(reqc_request_set_timeout_ms(req, 800), req);
    took = send_expect(NULL, req, REQC_E_TIMEOUT, msg, sizeof msg);
    CHECK(took < 2500 + slack_ms());
    LACKS(msg, "read timeout");
    reqc_request_free(req);
}

/* A listener whose accept queue is full: a new connection hangs in the
 * handshake, so only a connect timeout can end it. Returns the port or 0. */
static int hanging_listener(int fds[3]) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int i;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fds[0] = socket(AF_INET, SOCK_STREAM, 0);
    if (fds[0] < 0 || bind(fds[0], (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(fds[0], 0) != 0 || getsockname(fds[0], (struct sockaddr *)&a, &len) != 0)
        return 0;
    for (i = 1; i < 3; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        connect(fds[i], (struct sockaddr *)&a, sizeof a);
    }
    return ntohs(a.sin_port);
}

/* While connecting the read clock does not run: a 100 ms read timeout does
 * not end a connect that the 600 ms connect timeout ends. */
static void test_connect_is_not_read(void) {
    char url[128], msg[1024];
    int fds[3] = {-1, -1, -1}, port = hanging_listener(fds), i;
    reqc_request *req;
    int64_t took;
    if (port == 0) SKIP("no listener");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    req = check_new_request("GET", url);
    if (req != NULL) {
        CHECK_OK(reqc_request_set_read_timeout_ms(req, 100), req);
        CHECK_OK(reqc_request_set_connect_timeout_ms(req, 600), req);
        took = send_expect(NULL, req, REQC_E_TIMEOUT, msg, sizeof msg);
        CHECK(took >= 550);
        LACKS(msg, "read timeout");
        HAS(msg, "onnect");
        reqc_request_free(req);
    }
    for (i = 0; i < 3; i++)
        if (fds[i] >= 0) close(fds[i]);
}

/* The session's read timeout applies; a request's 0 turns it off (then the
 * total timeout ends the stall instead). */
static void test_session_layer(void) {
    char msg[1024];
    reqc_session *s = NULL;
    reqc_request *req;
    NEED("REQC_TEST_HOSTILE");
    if (reqc_session_new(&s) != REQC_OK) return;
    CHECK(reqc_session_set_read_timeout_ms(s, 300) == REQC_OK);
    CHECK(reqc_session_set_read_timeout_ms(s, -1) == REQC_E_INVALID_ARGUMENT);
    req = check_new_request("GET", hostile("/stall-mid-body"));
    if (req != NULL) {
        send_expect(s, req, REQC_E_TIMEOUT, msg, sizeof msg);
        HAS(msg, "read timeout");
        CHECK_OK(reqc_request_set_read_timeout_ms(req, 0), req);
        CHECK_OK(reqc_request_set_timeout_ms(req, 1000), req);
        send_expect(s, req, REQC_E_TIMEOUT, msg, sizeof msg);
        LACKS(msg, "read timeout");
        /* The session still works, and a request's own value beats it. */
        CHECK_OK(reqc_request_set_url(req, URL("/reqc/slow-body?bytes=3&interval_ms=500")), req);
        CHECK_OK(reqc_request_set_read_timeout_ms(req, 2000), req);
        CHECK_OK(reqc_request_set_timeout_ms(req, 20000), req);
        send_expect(s, req, REQC_OK, NULL, 0);
        reqc_request_free(req);
    }
    reqc_session_free(s);
}

static void test_config_layer(void) {
    char msg[1024];
    reqc_request *req;
    NEED("REQC_TEST_HOSTILE");
    CHECK(reqc_config_set_read_timeout_ms(-5) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_config_set_read_timeout_ms(300) == REQC_OK);
    req = check_new_request("GET", hostile("/stall-mid-body"));
    if (req != NULL) {
        send_expect(NULL, req, REQC_E_TIMEOUT, msg, sizeof msg);
        HAS(msg, "read timeout");
        reqc_request_free(req);
    }
    CHECK(reqc_config_reset() == REQC_OK);
}

/* In a batch the stalled item times out and the others finish. */
static void test_batch(void) {
    reqc_session *s = NULL;
    reqc_batch *b = NULL;
    reqc_request *stall, *ok;
    reqc_response *resp = NULL;
    size_t i0 = 9, i1 = 9;
    NEED("REQC_TEST_HOSTILE");
    if (reqc_session_new(&s) != REQC_OK || reqc_batch_new(s, &b) != REQC_OK) {
        check_failed_now = 1;
        reqc_session_free(s);
        return;
    }
    stall = check_new_request("GET", hostile("/stall-mid-body"));
    ok = check_new_request("GET", URL("/get"));
    if (stall != NULL && ok != NULL) {
        CHECK_OK(reqc_request_set_read_timeout_ms(stall, 300), stall);
        CHECK(reqc_batch_add(b, stall, &i0) == REQC_OK);
        CHECK(reqc_batch_add(b, ok, &i1) == REQC_OK);
        CHECK(reqc_batch_perform(b) == REQC_OK);
        CHECK(reqc_batch_result(b, i0, &resp) == REQC_E_TIMEOUT);
        HAS(reqc_batch_item_error(b, i0), "read timeout");
        CHECK(reqc_batch_result(b, i1, &resp) == REQC_OK);
        CHECK(reqc_response_status(resp) == 200);
        reqc_response_free(resp);
    }
    reqc_request_free(stall);
    reqc_request_free(ok);
    reqc_batch_free(b);
    reqc_session_free(s);
}

static void test_bad_values(void) {
    reqc_request *req = check_new_request("GET", URL("/get"));
    if (req == NULL) return;
    CHECK_CODE(reqc_request_set_read_timeout_ms(req, -1), REQC_E_INVALID_ARGUMENT, req);
    CHECK(reqc_request_set_read_timeout_ms(NULL, 10) == REQC_E_INVALID_ARGUMENT);
    CHECK(reqc_session_set_read_timeout_ms(NULL, 10) == REQC_E_INVALID_ARGUMENT);
    reqc_request_free(req);
}

int main(void) {
    RUN(test_stall_mid_body);
    RUN(test_stall_mid_head_and_no_answer);
    RUN(test_delay);
    RUN(test_steady_trickle_passes);
    RUN(test_total_is_not_read);
    RUN(test_connect_is_not_read);
    RUN(test_session_layer);
    RUN(test_config_layer);
    RUN(test_batch);
    RUN(test_bad_values);
    return check_summary();
}
