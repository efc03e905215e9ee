package reqc

/*
#include "bridge.h"
*/
import "C"

import (
	"unsafe"
)

// HookKind says at which point of a send a hook runs (reqc_hook_kind).
type HookKind int

// Hook kinds, in the order a send meets them.
const (
	// HookArgs sees a per-send copy of the request, changeable.
	HookArgs HookKind = C.REQC_HOOK_KIND_ARGS
	// HookPreRequest runs before each hop's transfer with the request as it
	// goes out (every layer's headers merged): header changes are sent,
	// other changes (URL, method, body) are ignored, as in C.
	HookPreRequest HookKind = C.REQC_HOOK_KIND_PRE_REQUEST
	// HookPostRequest runs after each transfer, also a failed one (Err says why).
	HookPostRequest HookKind = C.REQC_HOOK_KIND_POST_REQUEST
	// HookResponse runs for every response, each redirect hop included; it
	// may change the response.
	HookResponse HookKind = C.REQC_HOOK_KIND_RESPONSE
	// HookHeaders runs once a hop's status and headers are in, before any
	// body byte: Response() has them (empty body, read-only); returning an
	// error refuses the body (the send fails with ErrAborted).
	HookHeaders HookKind = C.REQC_HOOK_KIND_HEADERS
)

// HookFunc is a hook. Return nil to go on; return an error to abort the send
// (it fails with ErrAborted, and errors.Is finds your error in it); wrap it
// with Warning to go on instead, with a warning logged.
// A panic or runtime.Goexit in a hook aborts the send and is repeated in the
// goroutine that called the send once libreqc has returned.
//
// A hook runs on a goroutine of its own while the sending goroutine waits,
// so it may itself send through its session; it must not Close that session.
type HookFunc func(h *HookContext) error

// Hook is a HookFunc and the kind it runs for.
type Hook struct {
	Kind HookKind
	Func HookFunc

	id HookID // set by Session.AddHook
}

// HookID names a session hook for RemoveHook.
type HookID uint64

type warning struct{ err error }

func (w *warning) Error() string { return w.err.Error() }
func (w *warning) Unwrap() error { return w.err }

// Warning wraps a hook's error so that the send goes on: libreqc logs a
// warning naming the hook kind and the request, also kept in
// Response.Warnings (REQC_HOOK_RESULT_ERROR). The error's own text stays in
// Go: the C API has no way to carry it.
func Warning(err error) error { return &warning{err} }

// AddHook adds a hook to every later send of the session; session hooks run
// before a request's, in the order added.
func (s *Session) AddHook(kind HookKind, fn HookFunc) (HookID, error) {
	if fn == nil {
		return 0, argError("nil HookFunc")
	}
	if kind < HookArgs || kind > HookHeaders {
		return 0, argError("unknown HookKind")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrClosed
	}
	s.nextHook++
	id := s.nextHook
	// Copy on write: sends in flight keep the slice they took.
	hooks := make([]Hook, len(s.hooks), len(s.hooks)+1)
	copy(hooks, s.hooks)
	s.hooks = append(hooks, Hook{Kind: kind, Func: fn, id: id})
	return id, nil
}

// RemoveHook removes a hook added by AddHook (ErrNotFound if it is not there).
func (s *Session) RemoveHook(id HookID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, h := range s.hooks {
		if h.id == id {
			hooks := make([]Hook, 0, len(s.hooks)-1)
			hooks = append(hooks, s.hooks[:i]...)
			s.hooks = append(hooks, s.hooks[i+1:]...)
			return nil
		}
	}
	return &Error{Code: CodeNotFound, Message: "REQC_E_NOT_FOUND: no such hook on this session"}
}

// HookContext is what a hook sees. It is valid only during the hook's call:
// afterwards every method fails with ErrInvalidState or returns zero values.
type HookContext struct {
	Kind HookKind
	ctx  *C.reqc_hook_ctx
}

func invalidHook() error {
	return &Error{Code: CodeInvalidState, Message: "REQC_E_INVALID_STATE: no request to change here: " +
		"the hook context is used after its hook returned, or in a hook kind that has none to change " +
		"(POST_REQUEST, RESPONSE)"}
}

func (h *HookContext) req() *C.reqc_request {
	if h.ctx == nil {
		return nil
	}
	return C.reqc_hook_ctx_request(h.ctx)
}

func (h *HookContext) reqFail(p *C.reqc_request, rc C.reqc_code) error {
	if rc == C.REQC_OK {
		return nil
	}
	return newError(rc, C.reqc_request_error(p))
}

// Method is the request's method.
func (h *HookContext) Method() string { return goString(C.reqc_request_method(h.req())) }

// URL is the request's URL (this hop's, in PRE_REQUEST of a redirect).
func (h *HookContext) URL() string { return goString(C.reqc_request_url(h.req())) }

// RequestHeader is the request's first value of a header ("" if absent).
func (h *HookContext) RequestHeader(name string) string {
	p := h.req()
	cn, err := cstr("header name", name)
	if p == nil || err != nil {
		return ""
	}
	return goString(C.reqc_request_header(p, cn))
}

// RequestHeaders is every header the request itself sets, in order.
func (h *HookContext) RequestHeaders() [][2]string {
	p := h.req()
	if p == nil {
		return nil
	}
	n := C.reqc_request_header_count(p)
	out := make([][2]string, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		var name, value *C.char
		if C.reqc_request_header_at(p, i, &name, &value) == C.REQC_OK {
			out = append(out, [2]string{goString(name), goString(value)})
		}
	}
	return out
}

// RequestBody is the request's body as set (bytes, JSON, a form's encoding).
func (h *HookContext) RequestBody() []byte {
	p := h.req()
	if p == nil {
		return nil
	}
	var n C.size_t
	b := C.reqc_request_body(p, &n)
	if b == nil || n == 0 {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(b), C.int(n))
}

// SetRequestHeader changes the request (ARGS and PRE_REQUEST: there the
// change is sent); a nil value removes the header.
func (h *HookContext) SetRequestHeader(name string, value *string) error {
	p := h.req()
	if p == nil {
		return invalidHook()
	}
	cn, err := cstr("header name", name)
	if err != nil {
		return err
	}
	cv, err := cstrOrNil("header value", value)
	if err != nil {
		return err
	}
	return h.reqFail(p, C.reqc_request_set_header(p, cn, cv))
}

// SetURL changes the request's URL in an ARGS hook (in PRE_REQUEST the
// change is ignored: only header changes are sent there).
func (h *HookContext) SetURL(url string) error {
	p := h.req()
	if p == nil {
		return invalidHook()
	}
	cu, err := cstr("URL", url)
	if err != nil {
		return err
	}
	return h.reqFail(p, C.reqc_request_set_url(p, cu))
}

// SetMethod changes the request's method in an ARGS hook (in PRE_REQUEST
// the change is ignored: only header changes are sent there).
func (h *HookContext) SetMethod(method string) error {
	p := h.req()
	if p == nil {
		return invalidHook()
	}
	cm, err := cstr("method", method)
	if err != nil {
		return err
	}
	return h.reqFail(p, C.reqc_request_set_method(p, cm))
}

// Response is a copy of the response (RESPONSE hooks; nil elsewhere).
func (h *HookContext) Response() *Response {
	if h.ctx == nil {
		return nil
	}
	r := C.reqc_hook_ctx_response(h.ctx)
	if r == nil {
		return nil
	}
	return newResponse(r, nil)
}

// SetResponseStatus changes the response's status (RESPONSE hooks).
func (h *HookContext) SetResponseStatus(status int) error {
	if h.ctx == nil {
		return invalidHook()
	}
	return h.ctxFail(C.reqc_hook_ctx_set_response_status(h.ctx, C.int(status)))
}

// SetResponseHeader changes (nil value: removes) a response header (RESPONSE hooks).
func (h *HookContext) SetResponseHeader(name string, value *string) error {
	if h.ctx == nil {
		return invalidHook()
	}
	cn, err := cstr("header name", name)
	if err != nil {
		return err
	}
	cv, err := cstrOrNil("header value", value)
	if err != nil {
		return err
	}
	return h.ctxFail(C.reqc_hook_ctx_set_response_header(h.ctx, cn, cv))
}

// SetResponseBody replaces the response body (RESPONSE hooks).
func (h *HookContext) SetResponseBody(body []byte) error {
	if h.ctx == nil {
		return invalidHook()
	}
	data, n := cbytes(body)
	return h.ctxFail(C.reqc_hook_ctx_set_response_body(h.ctx, data, n))
}

func (h *HookContext) ctxFail(rc C.reqc_code) error {
	if rc == C.REQC_OK {
		return nil
	}
	return newError(rc, C.reqc_hook_ctx_error(h.ctx))
}

// Hop is the redirect hop, 0 for the first request.
func (h *HookContext) Hop() int {
	if h.ctx == nil {
		return 0
	}
	return int(C.reqc_hook_ctx_hop(h.ctx))
}

// Attempt is the attempt number within the hop, 1 for the first.
func (h *HookContext) Attempt() int {
	if h.ctx == nil {
		return 0
	}
	return int(C.reqc_hook_ctx_attempt(h.ctx))
}

// RemoteIP is the server's address, once connected.
func (h *HookContext) RemoteIP() string {
	if h.ctx == nil {
		return ""
	}
	return goString(C.reqc_hook_ctx_remote_ip(h.ctx))
}

// RemotePort is the server's port, once connected.
func (h *HookContext) RemotePort() int {
	if h.ctx == nil {
		return 0
	}
	return int(C.reqc_hook_ctx_remote_port(h.ctx))
}

// ConnectionReused reports whether the transfer reused a connection.
func (h *HookContext) ConnectionReused() bool {
	return h.ctx != nil && C.reqc_hook_ctx_connection_reused(h.ctx) != 0
}

// Err is the transfer's failure, in POST_REQUEST ("" when it succeeded).
func (h *HookContext) Err() string {
	if h.ctx == nil {
		return ""
	}
	return goString(C.reqc_hook_ctx_error(h.ctx))
}
