package reqc

/*
#include "bridge.h"
*/
import "C"

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// Session keeps cookies, connections, default settings and hooks across
// requests, like Requests' Session and http.Client. It is safe for
// concurrent use by many goroutines; Close it when done.
//
// Each send blocks its goroutine's OS thread for the whole transfer (the
// transfer runs in C on the calling thread). Many goroutines sending at once
// hold as many threads; to fan out many requests, use Map or All, which run
// them all on one thread over one libcurl multi handle.
type Session struct {
	ptr *C.reqc_session

	mu       sync.Mutex // guards closed, hooks; entry into C calls
	closed   bool
	inflight sync.WaitGroup
	hooks    []Hook
	nextHook HookID
	logPanic *pendingPanic // set once by NewSession: sends read it unlocked
	// The log sinks libreqc may still call (see logBinding).
	logSinks map[*logSink]struct{}
	cleanup  runtime.Cleanup
}

// NewSession makes a session with libreqc's defaults (and the global
// config's).
func NewSession() (*Session, error) {
	var p *C.reqc_session
	if rc := C.reqc_session_new(&p); rc != C.REQC_OK {
		return nil, newError(rc, nil)
	}
	s := &Session{ptr: p, logPanic: &pendingPanic{}}
	// A safety net only: Close is the way to free a session.
	s.cleanup = runtime.AddCleanup(s, func(p *C.reqc_session) { C.reqc_session_free(p) }, p)
	return s, nil
}

// Close frees the session once the calls in flight on it have returned
// (cancel their contexts to end them sooner). Later calls return ErrClosed.
// Do not call Close from the session's own hooks.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.inflight.Wait()
	// The cleanup registered by NewSession would free it a second time.
	s.cleanup.Stop()
	p := s.ptr
	s.ptr = nil
	C.reqc_session_free(p)
	return nil
}

// enter marks a call that uses s.ptr; exit ends it. (A method rather than
// a returned func: no closure to allocate per send.)
func (s *Session) enter() (*C.reqc_session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	s.inflight.Add(1)
	return s.ptr, nil
}

// exit ends a call marked by enter.
func (s *Session) exit() {
	s.inflight.Done()
	runtime.KeepAlive(s)
}

// fail turns a failed session setter's code into an error.
func (s *Session) fail(p *C.reqc_session, rc C.reqc_code) error {
	if rc == C.REQC_OK {
		return nil
	}
	return newError(rc, C.reqc_session_error(p))
}

// call runs one session setter.
func (s *Session) call(set func(p *C.reqc_session) C.reqc_code) error {
	p, err := s.enter()
	if err != nil {
		return err
	}
	defer s.exit()
	return s.fail(p, set(p))
}

func (s *Session) hookSnapshot() []Hook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hooks
}

// Do sends req through the session. The context's cancellation and deadline
// end the send (errors.Is(err, context.Canceled / DeadlineExceeded)).
// A 4xx or 5xx status is a response, not an error. May block on the network;
// holds the calling goroutine's OS thread meanwhile.
func (s *Session) Do(ctx context.Context, req *Request) (*Response, error) {
	return send(ctx, s, req)
}

// Get sends a GET through the session.
func (s *Session) Get(ctx context.Context, url string) (*Response, error) {
	return s.Do(ctx, &Request{Method: http.MethodGet, URL: url})
}

// Post sends body with the content type through the session.
func (s *Session) Post(ctx context.Context, url, contentType string, body []byte) (*Response, error) {
	if body == nil {
		body = []byte{}
	}
	return s.Do(ctx, &Request{Method: http.MethodPost, URL: url, Body: body, ContentType: contentType})
}

// Get sends a GET without a session (no cookies or connections kept).
func Get(ctx context.Context, url string) (*Response, error) {
	return Do(ctx, &Request{Method: http.MethodGet, URL: url})
}

// Do sends req without a session (reqc_send): cookies and connections are
// not kept between calls. May block on the network.
func Do(ctx context.Context, req *Request) (*Response, error) {
	return send(ctx, nil, req)
}

// send is every single send: build the C request, send it with the context
// mapped to reqc_request_cancel, copy the response out, free the C side,
// then repeat any panic of user code. Its few returns keep its defers
// open-coded (a plain call each); sendC, the rest, has one.
func send(ctx context.Context, s *Session, req *Request) (*Response, error) {
	if err := sendable(ctx, req); err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	state := &callState{}
	defer state.rethrow()
	var sp *C.reqc_session
	var hooks []Hook
	logPanic := globalLogPanic
	if s != nil {
		p, err := s.enter()
		if err != nil {
			return nil, err
		}
		defer s.exit()
		sp, hooks, logPanic = p, s.hookSnapshot(), s.logPanic
	}
	defer logPanic.take(state)
	return sendC(ctx, sp, hooks, req, state)
}

// sendable refuses a send that cannot start: no request, or a context
// that is done already.
func sendable(ctx context.Context, req *Request) error {
	if req == nil {
		return argError("nil Request")
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return &Error{Code: CodeCancelled, Message: "REQC_E_CANCELLED: " + err.Error(), ctxErr: err}
		}
	}
	return nil
}

// sendC is send once the session is entered: sp (NULL: reqc_send without
// a session) with the session's hooks.
func sendC(ctx context.Context, sp *C.reqc_session, hooks []Hook, req *Request, state *callState) (*Response, error) {
	cr, err := req.toC(hooks, state)
	if err != nil {
		return nil, err
	}
	stop := noCancel
	if ctx.Done() != nil { // else no closure to allocate: ctx can never be done
		stop = cancelOnDone(ctx, func() { C.reqc_request_cancel(cr.ptr) })
	}
	sc := scratchPool.Get().(*responseScratch)
	defer sc.put()
	hbuf, hcap := &sc.c.headers[0], C.size_t(len(sc.hbuf))
	if req.Buffered || req.BodyWriter != nil {
		// The whole body in the response, or to the writer as it arrives.
		beforeBlockingCall()
		out := C.reqcgo_session_send(sp, cr.ptr, sc.info, hbuf, hcap) // reqc_send without a session
		stop()
		if out.code != C.REQC_OK {
			return nil, failed(ctx, cr, out.code, state, req)
		}
		r := responseFrom(out.response, sc.info, sc.hbuf, req)
		C.reqcgo_response_end(out.response, cr.ptr)
		return r, nil
	}
	// Streamed: the head now, the body as Response.Body is read. The C
	// request lives (and the context can cancel it) until the body is
	// closed. A body that came with its head (the transfer is over at the
	// open) is taken whole in the same cgo call instead, as far as it fits
	// in the scratch buffer: it is in memory already, and three cgo calls
	// in all then make the send.
	beforeBlockingCall()
	out := C.reqcgo_session_open(sp, cr.ptr, sc.info, hbuf, hcap,
		&sc.c.body[0], C.size_t(len(sc.body))) // reqc_open without a session
	if out.code != C.REQC_OK {
		stop()
		return nil, failed(ctx, cr, out.code, state, req)
	}
	if out.whole != 0 {
		stop()
		r := responseFrom(out.response, sc.info, sc.hbuf, req)
		C.reqcgo_stream_end(out.stream, cr.ptr)
		return r, nil
	}
	var first []byte // read with the head, short of the end: handed out first
	if n := int(sc.info.body_len); n > 0 {
		first = append([]byte(nil), sc.body[:n]...)
	}
	sc.info.body, sc.info.body_len = nil, 0
	r := responseFrom(out.response, sc.info, sc.hbuf, req)
	body := newStreamBody(ctx, &streamHandles{stream: out.stream, req: cr.ptr, stop: stop})
	body.pending = first
	if cl := r.Header["Content-Length"]; len(cl) == 1 && r.Header["Content-Encoding"] == nil {
		if n, err := strconv.ParseInt(cl[0], 10, 64); err == nil {
			body.size = n
		}
	}
	r.Body = body
	return r, nil
}

// failed is sendError, then frees the C request (after, and even if,
// sendError panics).
func failed(ctx context.Context, cr *cRequest, rc C.reqc_code, state *callState, req *Request) error {
	defer cr.free()
	return sendError(ctx, cr, rc, state, req)
}

// sendError is a failed send's error, with the context's error, a hook's
// error and, after too many redirects, the last response.
func sendError(ctx context.Context, cr *cRequest, rc C.reqc_code, state *callState, req *Request) error {
	e := newError(rc, C.reqc_request_error(cr.ptr))
	if rc == C.REQC_E_CANCELLED {
		e.ctxErr = ctx.Err()
	}
	e.cause = state.abortCause()
	if rc == C.REQC_E_TOO_MANY_REDIRECTS {
		var last *C.reqc_response
		if C.reqc_request_last_response(cr.ptr, &last) == C.REQC_OK {
			e.Response = newResponse(last, req)
			C.reqc_response_free(last)
		}
	}
	return e
}

// noCancel is the stop of a context that can never be done.
func noCancel() {}

// cancelOnDone calls cancel once ctx is done, until the returned stop is
// called; stop waits for a cancel already running, so that the handle it
// uses is not freed under it. Free when ctx can never be done.
func cancelOnDone(ctx context.Context, cancel func()) (stop func()) {
	if ctx.Done() == nil {
		return noCancel
	}
	var wg sync.WaitGroup
	wg.Add(1)
	stopFn := context.AfterFunc(ctx, func() {
		defer wg.Done()
		cancel()
	})
	return func() {
		if stopFn() {
			wg.Done() // never ran
		}
		wg.Wait()
	}
}

// Session defaults. Each applies to every later send of the session, below
// what a Request sets (request > session > global config > built-in).

// SetHeader sets a default header; a nil value removes the header (also
// one the global config or libreqc adds).
func (s *Session) SetHeader(name string, value *string) error {
	cn, err := cstr("header name", name)
	if err != nil {
		return err
	}
	cv, err := cstrOrNil("header value", value)
	if err != nil {
		return err
	}
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_header(p, cn, cv) })
}

// AddHeader adds one more value of a default header.
func (s *Session) AddHeader(name, value string) error {
	cn, err := cstr("header name", name)
	if err != nil {
		return err
	}
	cv, err := cstr("header value", value)
	if err != nil {
		return err
	}
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_add_header(p, cn, cv) })
}

// AddParam adds a query parameter to every request.
func (s *Session) AddParam(name, value string) error {
	cn, err := cstr("param name", name)
	if err != nil {
		return err
	}
	cv, err := cstr("param value", value)
	if err != nil {
		return err
	}
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_add_param(p, cn, cv) })
}

// SetAuth sets the default credentials (NoAuth: none).
func (s *Session) SetAuth(a Auth) error {
	switch a := a.(type) {
	case BasicAuth, DigestAuth:
		var user, pass string
		digest := false
		if b, ok := a.(BasicAuth); ok {
			user, pass = b.User, b.Password
		} else {
			d := a.(DigestAuth)
			user, pass, digest = d.User, d.Password, true
		}
		cu, err := cstr("user", user)
		if err != nil {
			return err
		}
		cp, err := cstr("password", pass)
		if err != nil {
			return err
		}
		return s.call(func(p *C.reqc_session) C.reqc_code {
			if digest {
				return C.reqc_session_set_auth_digest(p, cu, cp)
			}
			return C.reqc_session_set_auth_basic(p, cu, cp)
		})
	case BearerAuth:
		ct, err := cstr("token", string(a))
		if err != nil {
			return err
		}
		return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_auth_bearer(p, ct) })
	case NoAuth:
		return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_auth_none(p) })
	}
	return argError("unknown Auth type (use BasicAuth, DigestAuth, BearerAuth or NoAuth values)")
}

// SetUserAgent sets the default User-Agent.
func (s *Session) SetUserAgent(agent string) error {
	ca, err := cstr("user agent", agent)
	if err != nil {
		return err
	}
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_user_agent(p, ca) })
}

// SetTimeout bounds each whole send (0: no limit).
func (s *Session) SetTimeout(d time.Duration) error {
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_timeout_ms(p, ms(d)) })
}

// SetReadTimeout bounds the wait for each next byte.
func (s *Session) SetReadTimeout(d time.Duration) error {
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_read_timeout_ms(p, ms(d)) })
}

// SetConnectTimeout bounds connecting.
func (s *Session) SetConnectTimeout(d time.Duration) error {
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_connect_timeout_ms(p, ms(d)) })
}

// SetRedirects says whether to follow redirects, and how many at most.
func (s *Session) SetRedirects(follow bool, max int) error {
	return s.call(func(p *C.reqc_session) C.reqc_code {
		return C.reqc_session_set_redirects(p, cbool(follow), C.int(max))
	})
}

// SetHTTPVersion sets the HTTP version to speak.
func (s *Session) SetHTTPVersion(v HTTPVersion) error {
	return s.call(func(p *C.reqc_session) C.reqc_code {
		return C.reqc_session_set_http_version(p, C.reqc_http_version(v))
	})
}

// SetMaxResponseBytes caps each response body (0: no cap).
func (s *Session) SetMaxResponseBytes(n int64) error {
	return s.call(func(p *C.reqc_session) C.reqc_code {
		return C.reqc_session_set_max_response_bytes(p, C.uint64_t(n))
	})
}

// SetProxy sends through a proxy ("" : none, not even the environment's).
func (s *Session) SetProxy(proxy string) error {
	cp, err := cstr("proxy", proxy)
	if err != nil {
		return err
	}
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_proxy(p, cp) })
}

// SetVerifyTLS turns certificate and host name checks on or off.
func (s *Session) SetVerifyTLS(verify bool) error {
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_verify_tls(p, cbool(verify)) })
}

// SetCAFile trusts the CA certificates in a PEM file instead of the system's.
func (s *Session) SetCAFile(path string) error {
	cp, err := cstr("path", path)
	if err != nil {
		return err
	}
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_ca_file(p, cp) })
}

// SetCADir trusts the CA certificates of a directory (c_rehash layout).
func (s *Session) SetCADir(path string) error {
	cp, err := cstr("path", path)
	if err != nil {
		return err
	}
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_ca_dir(p, cp) })
}

// SetCAPEM trusts the CA certificates of a PEM text.
func (s *Session) SetCAPEM(pem []byte) error {
	return s.call(func(p *C.reqc_session) C.reqc_code {
		data, n := cbytes(pem)
		return C.reqc_session_set_ca_pem(p, data, n)
	})
}

// SetClientCert presents a client certificate (key "" : in the cert file).
func (s *Session) SetClientCert(cert, key string) error {
	cc, err := cstr("client cert", cert)
	if err != nil {
		return err
	}
	var ck *C.char
	if key != "" {
		if ck, err = cstr("client key", key); err != nil {
			return err
		}
	}
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_client_cert(p, cc, ck) })
}

// SetMinTLSVersion refuses older TLS versions.
func (s *Session) SetMinTLSVersion(v TLSVersion) error {
	return s.call(func(p *C.reqc_session) C.reqc_code {
		return C.reqc_session_set_min_tls_version(p, C.reqc_tls_version(v))
	})
}

// SetTrustEnv says whether proxies come from the environment.
func (s *Session) SetTrustEnv(trust bool) error {
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_trust_env(p, cbool(trust)) })
}

// SetSpeedFloor fails transfers slower than bytesPerSecond for window.
func (s *Session) SetSpeedFloor(bytesPerSecond int64, window time.Duration) error {
	return s.call(func(p *C.reqc_session) C.reqc_code {
		return C.reqc_session_set_speed_floor(p, C.int64_t(bytesPerSecond), ms(window))
	})
}

// MarkSecretHeader redacts a header in logs and drops it on a cross-origin
// redirect, like Authorization.
func (s *Session) MarkSecretHeader(name string) error {
	cn, err := cstr("header name", name)
	if err != nil {
		return err
	}
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_mark_secret_header(p, cn) })
}

// SetRetry sets the retry policy of every send (see Retry).
func (s *Session) SetRetry(rt Retry) error {
	return s.call(func(p *C.reqc_session) C.reqc_code {
		return rt.apply(retrySetters{
			attempts:   func(n C.int) C.reqc_code { return C.reqc_session_set_retries(p, n) },
			statuses:   func(st *C.int, n C.size_t) C.reqc_code { return C.reqc_session_set_retry_statuses(p, st, n) },
			backoff:    func(b, c C.int64_t) C.reqc_code { return C.reqc_session_set_retry_backoff_ms(p, b, c) },
			allMethods: func(on C.int) C.reqc_code { return C.reqc_session_set_retry_all_methods(p, on) },
		})
	})
}

// Option names a setting for Unset.
type Option int

// Options (reqc_option).
const (
	OptionTimeout          Option = C.REQC_OPTION_TIMEOUT
	OptionReadTimeout      Option = C.REQC_OPTION_READ_TIMEOUT
	OptionConnectTimeout   Option = C.REQC_OPTION_CONNECT_TIMEOUT
	OptionRedirects        Option = C.REQC_OPTION_REDIRECTS
	OptionHTTPVersion      Option = C.REQC_OPTION_HTTP_VERSION
	OptionSpeedFloor       Option = C.REQC_OPTION_SPEED_FLOOR
	OptionMaxResponseBytes Option = C.REQC_OPTION_MAX_RESPONSE_BYTES
	OptionVerifyTLS        Option = C.REQC_OPTION_VERIFY_TLS
	OptionCA               Option = C.REQC_OPTION_CA
	OptionClientCert       Option = C.REQC_OPTION_CLIENT_CERT
	OptionMinTLSVersion    Option = C.REQC_OPTION_MIN_TLS_VERSION
	OptionProxy            Option = C.REQC_OPTION_PROXY
	OptionTrustEnv         Option = C.REQC_OPTION_TRUST_ENV
	OptionUserAgent        Option = C.REQC_OPTION_USER_AGENT
	OptionAuth             Option = C.REQC_OPTION_AUTH
	OptionHeaders          Option = C.REQC_OPTION_HEADERS
	OptionParams           Option = C.REQC_OPTION_PARAMS
	OptionSecretHeaders    Option = C.REQC_OPTION_SECRET_HEADERS
	OptionLog              Option = C.REQC_OPTION_LOG
	OptionRetries          Option = C.REQC_OPTION_RETRIES
	OptionRetryStatuses    Option = C.REQC_OPTION_RETRY_STATUSES
	OptionRetryBackoff     Option = C.REQC_OPTION_RETRY_BACKOFF
	OptionRetryAllMethods  Option = C.REQC_OPTION_RETRY_ALL_METHODS
)

// Unset hands a setting back to the global config's (or the built-in)
// value.
func (s *Session) Unset(o Option) error {
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_unset(p, C.reqc_option(o)) })
}
