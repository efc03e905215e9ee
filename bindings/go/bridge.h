/* bridge.h: the C side of the Go binding. Each function registers one of the
 * exported Go trampolines (bridge.c) as a libreqc callback, with a
 * runtime/cgo.Handle as userdata, so no Go pointer is ever kept by C. */
#ifndef REQC_GO_BRIDGE_H
#define REQC_GO_BRIDGE_H
#include <stdint.h>
#include <stddef.h>
#include "reqc.h"

/* What one cgo call reads from a response: scalars and borrowed pointers. */
typedef struct reqcgo_response_info {
    int status;
    int http_version;
    int remote_port;
    int64_t elapsed_us;
    int64_t timing_us[REQC_TIMING_TOTAL + 1]; /* indexed by reqc_timing */
    size_t history_count;
    size_t header_count;
    size_t cookie_count;
    size_t attempt_count;
    size_t warning_count;
    const char *encoding; /* each string with its length (strlen), so that */
    const char *reason;   /* Go can compare it before copying it */
    const char *url;
    const char *remote_ip;
    size_t encoding_len;
    size_t reason_len;
    size_t url_len;
    size_t remote_ip_len;
    const uint8_t *body;
    size_t body_len;
    int first_attempt;  /* the first attempt's status (attempt_count >= 1) */
    size_t headers_len; /* what the packed header lines need (over cap: call again) */
} reqcgo_response_info;

/* What the first read of a response's packed header lines has room for
 * (more: read again into a buffer that large). */
#define REQCGO_HEADERS_CAP 1024

/* Fills info and packs the header lines into headers (cap bytes) as
 * reqcgo_response_headers does: one cgo call per response. */
void reqcgo_response_read(const reqc_response *response, reqcgo_response_info *info,
                          char *headers, size_t cap);
size_t reqcgo_response_headers(const reqc_response *response, char *buf, size_t cap,
                               size_t *count_out);

/* What a call with out-parameters wrote, returned by value: a Go local
 * whose address went to C would be a heap allocation per call. */
typedef struct reqcgo_out {
    reqc_code code;
    void *ptr;  /* the handle written on success */
    size_t len; /* the length written on success */
    char *msg;  /* reqc_request_new's message on failure (free with reqc_string_free) */
} reqcgo_out;

/* What a send or an open returns with its head read (reqcgo_response_read)
 * in the same cgo call. */
typedef struct reqcgo_sent {
    reqc_code code;
    reqc_response *response; /* the send's (owned), or the stream's (lent) */
    reqc_stream *stream;     /* an open's */
    int whole;               /* an open's body was read to its end (info->body) */
} reqcgo_sent;

/* How much of an open's body, already all in, one cgo call takes with the
 * head: more is read through the stream. */
#define REQCGO_BODY_CAP 16384

/* What a send hands C to fill: the info, the first read of the header
 * lines, an open's body. In C memory (one malloc per pooled Go scratch,
 * freed by its cleanup): cgo checks each Go pointer a call passes, and for
 * the info, a struct with pointer fields, walks them (~0.9k instructions a
 * send in all); a pointer to C memory is let through at once. */
typedef struct reqcgo_scratch {
    reqcgo_response_info info;
    char headers[REQCGO_HEADERS_CAP];
    uint8_t body[REQCGO_BODY_CAP];
} reqcgo_scratch;

reqcgo_out reqcgo_request_new(const char *method, const char *url);
reqcgo_sent reqcgo_session_send(reqc_session *session, const reqc_request *request,
                                reqcgo_response_info *info, char *headers, size_t cap);
reqcgo_sent reqcgo_session_open(reqc_session *session, const reqc_request *request,
                                reqcgo_response_info *info, char *headers, size_t cap,
                                uint8_t *body, size_t body_cap);
void reqcgo_response_end(reqc_response *response, reqc_request *request);
void reqcgo_stream_end(reqc_stream *stream, reqc_request *request);
reqcgo_out reqcgo_stream_read(reqc_stream *stream, uint8_t *buf, size_t cap);
reqcgo_out reqcgo_batch_poll(reqc_batch *batch, int64_t timeout_ms);

reqc_code reqcgo_request_add_hook(reqc_request *request, reqc_hook_kind kind, uintptr_t handle,
                                  reqc_hook_id *hook_id_out);
reqc_code reqcgo_request_set_body_reader(reqc_request *request, int64_t length, uintptr_t handle);
reqc_code reqcgo_request_set_data_writer(reqc_request *request, uintptr_t handle);
reqc_code reqcgo_session_set_log(reqc_session *session, reqc_log_level level, reqc_log_flag flags,
                                 uintptr_t handle);
reqc_code reqcgo_config_set_log(reqc_log_level level, reqc_log_flag flags, uintptr_t handle);
reqc_code reqcgo_batch_set_complete(reqc_batch *batch, uintptr_t handle);
reqc_code reqcgo_batch_set_source(reqc_batch *batch, uintptr_t handle);
#endif
