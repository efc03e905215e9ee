/* bridge.c: libreqc callbacks that forward to the exported Go trampolines
 * (callbacks.go), and response readers that save cgo calls: one call reads a
 * response's scalars, first attempt and packed header lines. */
#include "bridge.h"
#include <string.h>
#include "_cgo_export.h"

static void reqcgo_free(void *userdata) {
    reqcgoFree((uintptr_t)userdata);
}

static reqc_hook_result reqcgo_hook(void *userdata, reqc_hook_kind kind, reqc_hook_ctx *ctx) {
    return reqcgoHook((uintptr_t)userdata, kind, ctx);
}

static int reqcgo_read(void *userdata, uint8_t *buf, size_t capacity, size_t *written) {
    return reqcgoRead((uintptr_t)userdata, buf, capacity, written);
}

static int reqcgo_data(void *userdata, const uint8_t *data, size_t len) {
    return reqcgoData((uintptr_t)userdata, (uint8_t *)data, len);
}

static void reqcgo_log(void *userdata, reqc_log_level level, const char *line) {
    reqcgoLog((uintptr_t)userdata, level, (char *)line);
}

/* A batch item's result. Its response is read here, into this frame (Go
 * copies what it keeps during the call), and freed after: one C-to-Go call
 * per item, with no Go-to-C call inside it. */
static void reqcgo_complete(void *userdata, reqc_batch *batch, size_t index, reqc_code code,
                            reqc_response *response) {
    if (code != REQC_OK || !response) {
        reqcgoComplete((uintptr_t)userdata, batch, index, code, NULL, NULL, NULL, 0);
        return;
    }
    reqcgo_response_info info;
    char headers[REQCGO_HEADERS_CAP];
    reqcgo_response_read(response, &info, headers, sizeof headers);
    reqcgoComplete((uintptr_t)userdata, batch, index, code, response, &info, headers, sizeof headers);
    reqc_response_free(response);
}

static reqc_code reqcgo_source(void *userdata, size_t index, reqc_request **request_out) {
    return reqcgoSource((uintptr_t)userdata, index, request_out);
}

reqcgo_out reqcgo_request_new(const char *method, const char *url) {
    reqcgo_out out = {0};
    reqc_request *request = NULL;
    out.code = reqc_request_new(method, url, &request, &out.msg);
    out.ptr = request;
    return out;
}

/* A NULL session: the send or open without one (reqc_send, reqc_open).
 * Each reads the response's head as newResponse needs it in the same cgo
 * call, and the request and response are freed together after
 * (reqcgo_response_end, reqcgo_stream_end): three cgo calls per send. */
reqcgo_sent reqcgo_session_send(reqc_session *session, const reqc_request *request,
                                reqcgo_response_info *info, char *headers, size_t cap) {
    reqcgo_sent out = {0};
    out.code = session ? reqc_session_send(session, request, &out.response)
                       : reqc_send(request, &out.response);
    if (out.code == REQC_OK) reqcgo_response_read(out.response, info, headers, cap);
    return out;
}

/* An open whose transfer is already over (reqc_stream_is_ended: a small
 * body comes in the network read that brings its head) has its body read
 * here too, into body (Go memory, body_cap bytes), as far as it fits:
 * info->body and info->body_len are those bytes, and whole says they are
 * all of it (the end was read). Such reads never wait. Bytes read without
 * reaching the end are the body's first bytes for Go to hand out before
 * the stream's; a read that fails stops the loop, and the stream, which
 * keeps the failure, reports it at Go's next read. */
reqcgo_sent reqcgo_session_open(reqc_session *session, const reqc_request *request,
                                reqcgo_response_info *info, char *headers, size_t cap,
                                uint8_t *body, size_t body_cap) {
    reqcgo_sent out = {0};
    out.code = session ? reqc_session_open(session, request, &out.stream)
                       : reqc_open(request, &out.stream);
    if (out.code != REQC_OK) return out;
    out.response = (reqc_response *)reqc_stream_response(out.stream);
    reqcgo_response_read(out.response, info, headers, cap);
    if (!reqc_stream_is_ended(out.stream)) return out;
    size_t got = 0, n = 0;
    while (got < body_cap && reqc_stream_read(out.stream, body + got, body_cap - got, &n) == REQC_OK) {
        if (n == 0) {
            out.whole = 1;
            break;
        }
        got += n;
    }
    info->body = body;
    info->body_len = got;
    return out;
}

/* The end of a send: its response, then its request. */
void reqcgo_response_end(reqc_response *response, reqc_request *request) {
    reqc_response_free(response);
    reqc_request_free(request);
}

/* The end of a stream read whole at its open: the stream (its connection
 * goes back to the session), then the request that opened it. */
void reqcgo_stream_end(reqc_stream *stream, reqc_request *request) {
    reqc_stream_free(stream);
    reqc_request_free(request);
}

reqcgo_out reqcgo_stream_read(reqc_stream *stream, uint8_t *buf, size_t cap) {
    reqcgo_out out = {0};
    out.code = reqc_stream_read(stream, buf, cap, &out.len);
    return out;
}

/* One step of a batch's run (reqc_batch_poll): len is 1 when every item
 * has finished. */
reqcgo_out reqcgo_batch_poll(reqc_batch *batch, int64_t timeout_ms) {
    reqcgo_out out = {0};
    int done = 0;
    out.code = reqc_batch_poll(batch, timeout_ms, &done);
    out.len = (size_t)done;
    return out;
}

reqc_code reqcgo_request_add_hook(reqc_request *request, reqc_hook_kind kind, uintptr_t handle,
                                  reqc_hook_id *hook_id_out) {
    return reqc_request_add_hook(request, kind, reqcgo_hook, (void *)handle, reqcgo_free,
                                 hook_id_out);
}

reqc_code reqcgo_request_set_body_reader(reqc_request *request, int64_t length, uintptr_t handle) {
    return reqc_request_set_body_callback(request, length, reqcgo_read, (void *)handle, reqcgo_free);
}

reqc_code reqcgo_request_set_data_writer(reqc_request *request, uintptr_t handle) {
    return reqc_request_set_data_callback(request, reqcgo_data, (void *)handle, reqcgo_free);
}

reqc_code reqcgo_session_set_log(reqc_session *session, reqc_log_level level, reqc_log_flag flags,
                                 uintptr_t handle) {
    return reqc_session_set_log_callback(session, level, flags, reqcgo_log, (void *)handle,
                                         reqcgo_free);
}

reqc_code reqcgo_config_set_log(reqc_log_level level, reqc_log_flag flags, uintptr_t handle) {
    return reqc_config_set_log_callback(level, flags, reqcgo_log, (void *)handle, reqcgo_free);
}

reqc_code reqcgo_batch_set_complete(reqc_batch *batch, uintptr_t handle) {
    return reqc_batch_set_complete_callback(batch, reqcgo_complete, (void *)handle, reqcgo_free);
}

reqc_code reqcgo_batch_set_source(reqc_batch *batch, uintptr_t handle) {
    return reqc_batch_set_source_callback(batch, reqcgo_source, (void *)handle, reqcgo_free);
}

void reqcgo_response_read(const reqc_response *r, reqcgo_response_info *info, char *headers,
                          size_t cap) {
    info->status = reqc_response_status(r);
    info->http_version = reqc_response_http_version(r);
    info->remote_port = reqc_response_remote_port(r);
    info->elapsed_us = reqc_response_elapsed_us(r);
    for (int i = REQC_TIMING_DNS; i <= REQC_TIMING_TOTAL; i++)
        info->timing_us[i] = reqc_response_timing_us(r, i);
    info->history_count = reqc_response_history_count(r);
    info->header_count = reqc_response_header_count(r);
    info->cookie_count = reqc_response_cookie_count(r);
    info->attempt_count = reqc_response_attempt_count(r);
    info->warning_count = reqc_response_warning_count(r);
    info->encoding = reqc_response_encoding(r);
    info->reason = reqc_response_reason(r);
    info->url = reqc_response_url(r);
    info->remote_ip = reqc_response_remote_ip(r);
    info->encoding_len = info->encoding ? strlen(info->encoding) : 0;
    info->reason_len = info->reason ? strlen(info->reason) : 0;
    info->url_len = info->url ? strlen(info->url) : 0;
    info->remote_ip_len = info->remote_ip ? strlen(info->remote_ip) : 0;
    info->body_len = 0;
    info->body = reqc_response_body(r, &info->body_len);
    info->first_attempt = 0;
    if (info->attempt_count > 0) reqc_response_attempt_at(r, 0, &info->first_attempt);
    size_t count;
    info->headers_len = reqcgo_response_headers(r, headers, cap, &count);
}

/* Writes n as a LEB128 varint at p (7 bits a byte, low first, the high bit
 * set on every byte but the last); returns the byte after it. */
static char *put_length(char *p, size_t n) {
    while (n >= 0x80) {
        *p++ = (char)(n | 0x80);
        n >>= 7;
    }
    *p++ = (char)n;
    return p;
}

/* How many bytes put_length writes for n. */
static size_t length_size(size_t n) {
    size_t k = 1;
    for (; n >= 0x80; n >>= 7) k++;
    return k;
}

/* Packs every header line, in order, into buf (cap bytes) as the lengths
 * of its name and of its value (put_length) then the name and the value,
 * so that Go slices them out of one copy without scanning for ends (Go's
 * uvarint reads the lengths back). Returns the size needed: when it is
 * over cap nothing useful was written, and Go calls again with a buffer
 * that large. The lines are read as views of the response's own bytes
 * (reqc_response_header_views), 32 at a time into a stack array: no C
 * string is made for them. */
size_t reqcgo_response_headers(const reqc_response *r, char *buf, size_t cap, size_t *count_out) {
    reqc_header_view views[32];
    size_t need = 0, count = 0;
    for (size_t first = 0; reqc_response_header_views(r, first, views, 32, &count) == REQC_OK &&
                           first < count;
         first += 32) {
        size_t n = count - first < 32 ? count - first : 32;
        for (size_t i = 0; i < n; i++) {
            size_t nl = views[i].name_len, vl = views[i].value_len;
            size_t line = length_size(nl) + length_size(vl) + nl + vl;
            if (need + line <= cap) {
                char *p = put_length(put_length(buf + need, nl), vl);
                memcpy(p, views[i].name, nl);
                memcpy(p + nl, views[i].value, vl);
            }
            need += line;
        }
    }
    *count_out = count;
    return need;
}
