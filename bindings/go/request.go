package reqc

/*
#include "bridge.h"
#include <stdlib.h>
*/
import "C"

import (
	"encoding/json"
	"io"
	"net/http"
	"runtime/cgo"
	"sort"
	"time"
	"unsafe"
)

// Request is a plain Go value describing one request. Nothing C is kept in
// it: each send turns it into a new C request (reqc_request_new and its
// setters), sends that and frees it, so a Request can be sent any number of
// times, from several goroutines at once, as long as no one changes it
// meanwhile. Zero fields leave the setting to the session (and the global
// config below it).
type Request struct {
	Method string // "" means GET
	URL    string

	// Header: each name's values are sent in order (names sorted). A name
	// present with no values (h["Accept"] = nil) removes that header, also
	// one the session or libreqc would add.
	Header http.Header
	// Params are appended to the URL's query, in order, encoded for you.
	Params []Param

	// The body: at most one of Body, BodyReader, JSON, Form, Files.
	Body        []byte
	ContentType string    // for Body ("" : none sent)
	BodyReader  io.Reader // streamed up; BodyLength -1 when unknown (chunked)
	BodyLength  int64
	JSON        any     // encoded with encoding/json; json.RawMessage and []byte are sent as they are
	Form        []Param // application/x-www-form-urlencoded (with Files: multipart fields)
	Files       []File  // multipart/form-data

	// Buffered asks for the whole body before Do returns (reqc_send): read
	// errors and the body cap are then Do's error, and RESPONSE hooks can
	// replace the body. Otherwise Response.Body streams it (reqc_open).
	Buffered bool

	// BodyWriter, when set, receives the response body as it arrives
	// (reqc_request_set_data_callback) instead of Response.Body. Each Write's
	// slice is valid only during the call, as io.Writer says.
	BodyWriter io.Writer

	Auth          Auth // nil: the session's
	UserAgent     string
	Cookies       []Param // sent as Cookie, beside the session's jar
	SecretHeaders []string

	Timeout          time.Duration // the whole send (0: the session's)
	ReadTimeout      time.Duration // the longest wait for the next byte
	ConnectTimeout   time.Duration
	Redirects        *Redirects // nil: the session's (libreqc follows, 30 by default)
	MaxResponseBytes int64      // 0: the session's
	HTTPVersion      HTTPVersion
	SpeedFloor       *SpeedFloor
	Proxy            string // "": the session's (see NoProxy)
	// NoProxy sends this request directly: no proxy, neither the session's,
	// the config's nor the environment's (Proxy must then be "").
	NoProxy  bool
	TrustEnv *bool // take proxies from the environment (HTTP_PROXY, ...)
	Retry    *Retry
	TLS      *TLS

	// Hooks run after the session's hooks of the same kind.
	Hooks []Hook
}

// Param is one name/value pair of a query, a form or a cookie list.
type Param struct{ Name, Value string }

// File is one file part of a multipart body: Data from memory, or, when
// Path is set, the file at Path (read at send time).
type File struct {
	Field, Filename, ContentType string
	Data                         []byte
	Path                         string
}

// SpeedFloor fails a transfer slower than BytesPerSecond for Window.
type SpeedFloor struct {
	BytesPerSecond int64
	Window         time.Duration
}

// TLS holds a request's TLS settings; zero fields leave the session's.
type TLS struct {
	Verify     *bool  // check the certificate and host name (default true)
	CAFile     string // PEM file of trusted CAs, instead of the system's
	CADir      string // directory of trusted CAs (c_rehash layout)
	CAPEM      []byte // trusted CAs in memory
	ClientCert string // client certificate file (PEM)
	ClientKey  string // its key ("" : in ClientCert)
	MinVersion TLSVersion
}

// TLSVersion is the lowest TLS version to accept (reqc_tls_version).
type TLSVersion int

// TLS versions.
const (
	TLS12 TLSVersion = C.REQC_TLS_VERSION_1_2
	TLS13 TLSVersion = C.REQC_TLS_VERSION_1_3
)

// Redirects says whether libreqc follows redirects, and how many at most.
type Redirects struct {
	Follow bool
	Max    int
}

// Retry configures retries with backoff (see include/reqc.h "Retries"):
// Attempts counts the first try; Statuses replaces the default list (429,
// 502, 503, 504) when not nil; Backoff and BackoffCap shape the waits.
type Retry struct {
	Attempts   int
	Statuses   []int
	Backoff    time.Duration
	BackoffCap time.Duration
	AllMethods bool
}

// HTTPVersion is the HTTP version to speak (reqc_http_version).
type HTTPVersion int

// HTTP versions.
const (
	HTTPAny             HTTPVersion = C.REQC_HTTP_VERSION_ANY
	HTTP10              HTTPVersion = C.REQC_HTTP_VERSION_1_0
	HTTP11              HTTPVersion = C.REQC_HTTP_VERSION_1_1
	HTTP2               HTTPVersion = C.REQC_HTTP_VERSION_2
	HTTP2PriorKnowledge HTTPVersion = C.REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE
	HTTP3               HTTPVersion = C.REQC_HTTP_VERSION_3
)

// Auth is a way to authenticate: BasicAuth, DigestAuth, BearerAuth or NoAuth.
type Auth interface{ isAuth() }

// BasicAuth sends the user and password with HTTP Basic.
type BasicAuth struct{ User, Password string }

// DigestAuth answers an HTTP Digest challenge.
type DigestAuth struct{ User, Password string }

// BearerAuth sends "Authorization: Bearer <token>".
type BearerAuth string

// NoAuth sends no credentials, not even the session's.
type NoAuth struct{}

func (BasicAuth) isAuth()  {}
func (DigestAuth) isAuth() {}
func (BearerAuth) isAuth() {}
func (NoAuth) isAuth()     {}

// NewRequest is a shorthand for &Request{Method: method, URL: url}.
func NewRequest(method, url string) *Request {
	return &Request{Method: method, URL: url}
}

// cRequest is one send's C request and what its callbacks report to.
type cRequest struct {
	ptr   *C.reqc_request
	state *callState
}

func (cr *cRequest) free() {
	C.reqc_request_free(cr.ptr)
}

// fail turns a failed setter's code into an error with the request's message.
func (cr *cRequest) fail(rc C.reqc_code) error {
	if rc == C.REQC_OK {
		return nil
	}
	return newError(rc, C.reqc_request_error(cr.ptr))
}

// cGET is the usual method as a C string, built once (C only reads it).
var cGET = (*C.char)(unsafe.Pointer(unsafe.StringData("GET\x00")))

// toC builds the C request for one send; session hooks (sessionHooks) are
// registered first, so they run before the request's, and report to state.
func (r *Request) toC(sessionHooks []Hook, state *callState) (*cRequest, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	cm := cGET
	if method != http.MethodGet {
		var err error
		if cm, err = cstr("method", method); err != nil {
			return nil, err
		}
	}
	cu, err := cstr("URL", r.URL)
	if err != nil {
		return nil, err
	}
	out := C.reqcgo_request_new(cm, cu)
	if out.code != C.REQC_OK {
		e := newError(out.code, out.msg)
		C.reqc_string_free(out.msg)
		return nil, e
	}
	cr := &cRequest{ptr: (*C.reqc_request)(out.ptr), state: state}
	// Freed on an error and on a panic too: configure runs user code (a
	// json.Marshaler of JSON).
	built := false
	defer func() {
		if !built {
			cr.free()
		}
	}()
	if err := r.configure(cr, sessionHooks); err != nil {
		return nil, err
	}
	built = true
	return cr, nil
}

func (r *Request) configure(cr *cRequest, sessionHooks []Hook) error {
	p := cr.ptr
	if len(r.Header) > 0 {
		names := make([]string, 0, len(r.Header))
		for name := range r.Header {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			values := r.Header[name]
			cn, err := cstr("header name", name)
			if err != nil {
				return err
			}
			if len(values) == 0 {
				if err := cr.fail(C.reqc_request_set_header(p, cn, nil)); err != nil {
					return err
				}
				continue
			}
			for i, v := range values {
				cv, err := cstr("header value", v)
				if err != nil {
					return err
				}
				var rc C.reqc_code
				if i == 0 {
					rc = C.reqc_request_set_header(p, cn, cv)
				} else {
					rc = C.reqc_request_add_header(p, cn, cv)
				}
				if err := cr.fail(rc); err != nil {
					return err
				}
			}
		}
	}
	for _, prm := range r.Params {
		if err := setPair(cr, "param", prm, func(n, v *C.char) C.reqc_code { return C.reqc_request_add_param(p, n, v) }); err != nil {
			return err
		}
	}
	for _, c := range r.Cookies {
		if err := setPair(cr, "cookie", c, func(n, v *C.char) C.reqc_code { return C.reqc_request_set_cookie(p, n, v) }); err != nil {
			return err
		}
	}
	for _, name := range r.SecretHeaders {
		cn, err := cstr("header name", name)
		if err != nil {
			return err
		}
		if err := cr.fail(C.reqc_request_mark_secret_header(p, cn)); err != nil {
			return err
		}
	}
	if err := r.setBody(cr); err != nil {
		return err
	}
	if r.BodyWriter != nil {
		h := cgo.NewHandle(&writerBinding{w: r.BodyWriter, state: cr.state})
		if err := cr.fail(C.reqcgo_request_set_data_writer(p, C.uintptr_t(h))); err != nil {
			return err
		}
	}
	if err := r.setAuth(cr); err != nil {
		return err
	}
	if r.UserAgent != "" {
		ca, err := cstr("user agent", r.UserAgent)
		if err != nil {
			return err
		}
		if err := cr.fail(C.reqc_request_set_user_agent(p, ca)); err != nil {
			return err
		}
	}
	if r.Timeout > 0 {
		if err := cr.fail(C.reqc_request_set_timeout_ms(p, ms(r.Timeout))); err != nil {
			return err
		}
	}
	if r.ReadTimeout > 0 {
		if err := cr.fail(C.reqc_request_set_read_timeout_ms(p, ms(r.ReadTimeout))); err != nil {
			return err
		}
	}
	if r.ConnectTimeout > 0 {
		if err := cr.fail(C.reqc_request_set_connect_timeout_ms(p, ms(r.ConnectTimeout))); err != nil {
			return err
		}
	}
	if r.Redirects != nil {
		if err := cr.fail(C.reqc_request_set_redirects(p, cbool(r.Redirects.Follow), C.int(r.Redirects.Max))); err != nil {
			return err
		}
	}
	if r.MaxResponseBytes > 0 {
		if err := cr.fail(C.reqc_request_set_max_response_bytes(p, C.uint64_t(r.MaxResponseBytes))); err != nil {
			return err
		}
	}
	if r.HTTPVersion != HTTPAny {
		if err := cr.fail(C.reqc_request_set_http_version(p, C.reqc_http_version(r.HTTPVersion))); err != nil {
			return err
		}
	}
	if r.Proxy != "" || r.NoProxy {
		if r.Proxy != "" && r.NoProxy {
			return argError("Request.Proxy and Request.NoProxy are both set")
		}
		cp, err := cstr("proxy", r.Proxy) // "": no proxy at all (reqc.h)
		if err != nil {
			return err
		}
		if err := cr.fail(C.reqc_request_set_proxy(p, cp)); err != nil {
			return err
		}
	}
	if r.TrustEnv != nil {
		if err := cr.fail(C.reqc_request_set_trust_env(p, cbool(*r.TrustEnv))); err != nil {
			return err
		}
	}
	if r.SpeedFloor != nil {
		if err := cr.fail(C.reqc_request_set_speed_floor(p, C.int64_t(r.SpeedFloor.BytesPerSecond), ms(r.SpeedFloor.Window))); err != nil {
			return err
		}
	}
	if r.TLS != nil {
		if err := r.setTLS(cr); err != nil {
			return err
		}
	}
	if r.Retry != nil {
		if err := r.setRetry(cr); err != nil {
			return err
		}
	}
	for _, hooks := range [][]Hook{sessionHooks, r.Hooks} {
		for _, hk := range hooks {
			if hk.Func == nil {
				return argError("a hook with a nil Func")
			}
			h := cgo.NewHandle(&hookBinding{fn: hk.Func, state: cr.state})
			if err := cr.fail(C.reqcgo_request_add_hook(p, C.reqc_hook_kind(hk.Kind), C.uintptr_t(h), nil)); err != nil {
				return err
			}
		}
	}
	return nil
}

func setPair(cr *cRequest, what string, prm Param, set func(n, v *C.char) C.reqc_code) error {
	cn, err := cstr(what+" name", prm.Name)
	if err != nil {
		return err
	}
	cv, err := cstr(what+" value", prm.Value)
	if err != nil {
		return err
	}
	return cr.fail(set(cn, cv))
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func (r *Request) setBody(cr *cRequest) error {
	p := cr.ptr
	kinds := 0
	for _, set := range []bool{r.Body != nil, r.BodyReader != nil, r.JSON != nil, len(r.Form) > 0 || len(r.Files) > 0} {
		if set {
			kinds++
		}
	}
	if kinds > 1 {
		return argError("more than one of Body, BodyReader, JSON and Form/Files set")
	}
	switch {
	case r.Body != nil:
		var ct *C.char
		if r.ContentType != "" {
			var err error
			if ct, err = cstr("content type", r.ContentType); err != nil {
				return err
			}
		}
		data, n := cbytes(r.Body)
		return cr.fail(C.reqc_request_set_body(p, data, n, ct))
	case r.BodyReader != nil:
		length := r.BodyLength
		if length < 0 {
			length = -1
		}
		h := cgo.NewHandle(&readerBinding{r: r.BodyReader, state: cr.state})
		return cr.fail(C.reqcgo_request_set_body_reader(p, C.int64_t(length), C.uintptr_t(h)))
	case r.JSON != nil:
		var text []byte
		switch v := r.JSON.(type) {
		case json.RawMessage:
			text = v
		case []byte:
			text = v
		default:
			var err error
			if text, err = json.Marshal(v); err != nil {
				return argError("JSON: " + err.Error())
			}
		}
		cj, err := cstr("JSON", string(text))
		if err != nil {
			return err
		}
		return cr.fail(C.reqc_request_set_json(p, cj))
	}
	for _, f := range r.Form {
		if err := setPair(cr, "form field", f, func(n, v *C.char) C.reqc_code { return C.reqc_request_add_form_field(p, n, v) }); err != nil {
			return err
		}
	}
	for _, f := range r.Files {
		cf, err := cstr("file field", f.Field)
		if err != nil {
			return err
		}
		cn, err := cstr("file name", f.Filename)
		if err != nil {
			return err
		}
		var ct *C.char
		if f.ContentType != "" {
			if ct, err = cstr("content type", f.ContentType); err != nil {
				return err
			}
		}
		if f.Path != "" {
			cpath, err := cstr("file path", f.Path)
			if err != nil {
				return err
			}
			var cname *C.char
			if f.Filename != "" {
				cname = cn
			}
			if err := cr.fail(C.reqc_request_add_file(p, cf, cpath, cname, ct)); err != nil {
				return err
			}
			continue
		}
		data, n := cbytes(f.Data)
		if err := cr.fail(C.reqc_request_add_file_data(p, cf, cn, data, n, ct)); err != nil {
			return err
		}
	}
	return nil
}

func (r *Request) setAuth(cr *cRequest) error {
	p := cr.ptr
	switch a := r.Auth.(type) {
	case nil:
		return nil
	case BasicAuth, *BasicAuth, DigestAuth, *DigestAuth:
		var user, pass string
		digest := false
		switch a := a.(type) {
		case BasicAuth:
			user, pass = a.User, a.Password
		case *BasicAuth:
			user, pass = a.User, a.Password
		case DigestAuth:
			user, pass, digest = a.User, a.Password, true
		case *DigestAuth:
			user, pass, digest = a.User, a.Password, true
		}
		cu, err := cstr("user", user)
		if err != nil {
			return err
		}
		cp, err := cstr("password", pass)
		if err != nil {
			return err
		}
		if digest {
			return cr.fail(C.reqc_request_set_auth_digest(p, cu, cp))
		}
		return cr.fail(C.reqc_request_set_auth_basic(p, cu, cp))
	case BearerAuth:
		ct, err := cstr("token", string(a))
		if err != nil {
			return err
		}
		return cr.fail(C.reqc_request_set_auth_bearer(p, ct))
	case NoAuth, *NoAuth:
		return cr.fail(C.reqc_request_set_auth_none(p))
	}
	return argError("unknown Auth type")
}

func (r *Request) setRetry(cr *cRequest) error {
	p := cr.ptr
	return cr.fail(r.Retry.apply(retrySetters{
		attempts: func(n C.int) C.reqc_code { return C.reqc_request_set_retries(p, n) },
		statuses: func(st *C.int, n C.size_t) C.reqc_code { return C.reqc_request_set_retry_statuses(p, st, n) },
		backoff:  func(b, c C.int64_t) C.reqc_code { return C.reqc_request_set_retry_backoff_ms(p, b, c) },
		// A request's AllMethods false leaves the session's choice.
		allMethods: func(on C.int) C.reqc_code {
			if on == 0 {
				return C.REQC_OK
			}
			return C.reqc_request_set_retry_all_methods(p, on)
		},
	}))
}

// retrySetters are the C retry setters of one level (a request, a
// session, the global config).
type retrySetters struct {
	attempts   func(C.int) C.reqc_code
	statuses   func(*C.int, C.size_t) C.reqc_code
	backoff    func(base, limit C.int64_t) C.reqc_code
	allMethods func(C.int) C.reqc_code
}

// apply sets the policy through set; the first failed code ends it.
func (rt *Retry) apply(set retrySetters) C.reqc_code {
	if rc := set.attempts(C.int(rt.Attempts)); rc != C.REQC_OK {
		return rc
	}
	if rt.Statuses != nil {
		st, n := cints(rt.Statuses)
		if rc := set.statuses(st, n); rc != C.REQC_OK {
			return rc
		}
	}
	if rt.Backoff > 0 || rt.BackoffCap > 0 {
		if rc := set.backoff(ms(rt.Backoff), ms(rt.BackoffCap)); rc != C.REQC_OK {
			return rc
		}
	}
	return set.allMethods(cbool(rt.AllMethods))
}

// cints copies ints into C memory's shape, in Go memory, for one call.
func cints(v []int) (*C.int, C.size_t) {
	if len(v) == 0 {
		return nil, 0
	}
	out := make([]C.int, len(v))
	for i, x := range v {
		out[i] = C.int(x)
	}
	return &out[0], C.size_t(len(v))
}

func (r *Request) setTLS(cr *cRequest) error {
	p := cr.ptr
	return r.TLS.apply(tlsSetters{
		verify:     func(v C.int) C.reqc_code { return C.reqc_request_set_verify_tls(p, v) },
		caFile:     func(path *C.char) C.reqc_code { return C.reqc_request_set_ca_file(p, path) },
		caDir:      func(path *C.char) C.reqc_code { return C.reqc_request_set_ca_dir(p, path) },
		caPEM:      func(d *C.uint8_t, n C.size_t) C.reqc_code { return C.reqc_request_set_ca_pem(p, d, n) },
		clientCert: func(c, k *C.char) C.reqc_code { return C.reqc_request_set_client_cert(p, c, k) },
		minVersion: func(v C.reqc_tls_version) C.reqc_code { return C.reqc_request_set_min_tls_version(p, v) },
		fail:       cr.fail,
	})
}

// tlsSetters are the C TLS setters of one level (a request, the global
// config) and how that level turns a failed code into an error.
type tlsSetters struct {
	verify     func(C.int) C.reqc_code
	caFile     func(*C.char) C.reqc_code
	caDir      func(*C.char) C.reqc_code
	caPEM      func(*C.uint8_t, C.size_t) C.reqc_code
	clientCert func(cert, key *C.char) C.reqc_code
	minVersion func(C.reqc_tls_version) C.reqc_code
	fail       func(C.reqc_code) error
}

// apply sets t's non-zero fields through set, stopping at the first error.
func (t *TLS) apply(set tlsSetters) error {
	if t.Verify != nil {
		if err := set.fail(set.verify(cbool(*t.Verify))); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		what, path string
		set        func(*C.char) C.reqc_code
	}{{"CA file", t.CAFile, set.caFile}, {"CA dir", t.CADir, set.caDir}} {
		if f.path == "" {
			continue
		}
		cp, err := cstr(f.what, f.path)
		if err != nil {
			return err
		}
		if err := set.fail(f.set(cp)); err != nil {
			return err
		}
	}
	if t.CAPEM != nil {
		data, n := cbytes(t.CAPEM)
		if err := set.fail(set.caPEM(data, n)); err != nil {
			return err
		}
	}
	if t.ClientCert != "" {
		cc, err := cstr("client cert", t.ClientCert)
		if err != nil {
			return err
		}
		var ck *C.char
		if t.ClientKey != "" {
			if ck, err = cstr("client key", t.ClientKey); err != nil {
				return err
			}
		}
		if err := set.fail(set.clientCert(cc, ck)); err != nil {
			return err
		}
	}
	if t.MinVersion != 0 {
		return set.fail(set.minVersion(C.reqc_tls_version(t.MinVersion)))
	}
	return nil
}
