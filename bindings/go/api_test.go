package reqc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

// The public API's settings, hook-context methods, batch options and
// global defaults, each checked on an outcome: what the server received
// (its echo, the test proxy's log, its connection count) or what the
// caller got (a status, a protocol, an error code, a log line).

// outcome names a send's result: "ok" or the error's code name.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	var e *reqc.Error
	if errors.As(err, &e) {
		return e.Code.String()
	}
	return err.Error()
}

// controlClient reaches the test server's control listener through
// net/http, not libreqc: a default proxy a test sets must not apply to it,
// and neither must the environment's.
var controlClient = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 5 * time.Second}

// control decodes the JSON of a GET to the control listener.
func control(t *testing.T, path string, v any) {
	t.Helper()
	ctl := os.Getenv("REQC_TEST_CONTROL")
	if ctl == "" {
		t.Skip("no control listener (libreqc's test server only)")
	}
	resp, err := controlClient.Get(ctl + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("control %s: %v", path, err)
	}
}

// proxyLogEntry is one request the test proxy received.
type proxyLogEntry struct {
	Method             string  `json:"method"`
	Target             string  `json:"target"`
	ProxyAuthorization *string `json:"proxy_authorization"`
}

// proxyLogged is the test proxy's entry whose target holds tag (nil: none).
// Tests look for their own tag rather than reset the log, so that they
// can run in parallel.
func proxyLogged(t *testing.T, tag string) *proxyLogEntry {
	t.Helper()
	var log []proxyLogEntry
	control(t, "/proxy-log", &log)
	for i := range log {
		if strings.Contains(log[i].Target, tag) {
			return &log[i]
		}
	}
	return nil
}

var tags atomic.Int64

// newTag is a query value no other request of the run carries.
func newTag() string { return fmt.Sprintf("api-%d-%d", os.Getpid(), tags.Add(1)) }

// silentTLS is an https:// URL to the listener that accepts and never
// answers: a TLS handshake to it stalls in the connect phase.
func silentTLS() string {
	silent := os.Getenv("REQC_TEST_SILENT")
	if silent == "" {
		return ""
	}
	return "https://" + strings.TrimPrefix(silent, "http://") + "/"
}

// Observers: each sends r through s and names what the send showed.

func sendCode(t *testing.T, s *reqc.Session, r *reqc.Request) string {
	t.Helper()
	resp, err := s.Do(context.Background(), r)
	if err == nil {
		resp.Close()
	}
	return outcome(err)
}

// sendStatus: the status, or the code and, after too many redirects, the
// status of the redirect that was not followed (Error.Response).
func sendStatus(t *testing.T, s *reqc.Session, r *reqc.Request) string {
	t.Helper()
	resp, err := s.Do(context.Background(), r)
	if err != nil {
		var e *reqc.Error
		if errors.As(err, &e) && e.Response != nil {
			return fmt.Sprintf("%s after %d", e.Code, e.Response.StatusCode)
		}
		return outcome(err)
	}
	resp.Close()
	return strconv.Itoa(resp.StatusCode)
}

func sendProto(t *testing.T, s *reqc.Session, r *reqc.Request) string {
	t.Helper()
	resp, err := s.Do(context.Background(), r)
	if err != nil {
		return outcome(err)
	}
	resp.Close()
	return resp.Proto
}

// echoed: the value of a header as the server's echo shows it ("none").
func echoed(name string) func(*testing.T, *reqc.Session, *reqc.Request) string {
	return func(t *testing.T, s *reqc.Session, r *reqc.Request) string {
		t.Helper()
		resp, err := s.Do(context.Background(), r)
		if err != nil {
			return outcome(err)
		}
		if v := header(decode(t, resp), name); v != "" {
			return v
		}
		return "none"
	}
}

// viaProxy: "proxied" when the test proxy logged this very request,
// "direct" when the send succeeded without it.
func viaProxy(t *testing.T, s *reqc.Session, r *reqc.Request) string {
	t.Helper()
	tag := newTag()
	r.Params = append(r.Params, reqc.Param{Name: "tag", Value: tag})
	if got := sendCode(t, s, r); got != "ok" {
		return got
	}
	if proxyLogged(t, tag) != nil {
		return "proxied"
	}
	return "direct"
}

// secretInLog: a verbose log at LogHeaders of a send carrying X-Api-Key
// and X-Plain: "redacted" or "shown", for X-Api-Key's value. X-Plain's
// value must be in the log, or a missing secret would prove nothing.
func secretInLog(t *testing.T, s *reqc.Session, r *reqc.Request) string {
	t.Helper()
	var buf safeBuffer
	must(t, s.SetLogger(&buf, reqc.LogHeaders))
	defer func() { must(t, s.SetLogger(nil, reqc.LogOff)) }()
	r.Header = http.Header{"X-Api-Key": {"key-s3cret-41"}, "X-Plain": {"plain-value-42"}}
	if got := sendCode(t, s, r); got != "ok" {
		return got
	}
	out := buf.String()
	switch {
	case !strings.Contains(out, "plain-value-42"):
		return "no header values logged"
	case strings.Contains(out, "key-s3cret-41"):
		return "shown"
	case strings.Contains(out, "X-Api-Key: ***"):
		return "redacted"
	}
	return "no X-Api-Key line"
}

// quickTimeout: REQC_E_TIMEOUT only when it came within a second (the
// request's total timeout is longer: it was not that one).
var quickTimeout = quickTimeoutWithin(time.Second)

// layerRow is one setting as a Request field, a Session setter and a
// global default, and what a send shows with the setting in place and
// once it is unset (the built-in default; "" when showing it takes too
// long).
type layerRow struct {
	name    string
	needs   string // an environment variable the row needs, or ""
	reqc    bool   // needs libreqc's own test server
	feature string // a HasFeature name the row needs, or ""
	newReq  func() *reqc.Request
	request func(r *reqc.Request)
	session func(s *reqc.Session) error
	config  func() error
	option  reqc.Option
	observe func(t *testing.T, s *reqc.Session, r *reqc.Request) string
	set     string
	builtin string
}

func (row layerRow) skip(t *testing.T) {
	t.Helper()
	if row.reqc {
		reqcOnly(t)
	}
	if row.needs != "" && os.Getenv(row.needs) == "" {
		t.Skipf("%s not set (run under tests/with-server.sh)", row.needs)
	}
	if row.feature != "" && !reqc.HasFeature(row.feature) {
		t.Skipf("libreqc has no %s", row.feature)
	}
}

func (row layerRow) expect(t *testing.T, s *reqc.Session, state, want string) {
	t.Helper()
	if got := row.observe(t, s, row.newReq()); got != want {
		t.Errorf("%s: %s, want %s", state, got, want)
	}
}

// The three layers of a row; what each sets is unset at its level.

func (row layerRow) runRequest(t *testing.T) {
	t.Helper()
	s := newSession(t)
	r := row.newReq()
	row.request(r)
	if got := row.observe(t, s, r); got != row.set {
		t.Errorf("request field: %s, want %s", got, row.set)
	}
	if row.builtin != "" {
		row.expect(t, s, "request without it", row.builtin)
	}
}

func (row layerRow) runSession(t *testing.T) {
	t.Helper()
	s := newSession(t)
	must(t, row.session(s))
	row.expect(t, s, "session setter", row.set)
	if row.builtin != "" {
		must(t, s.Unset(row.option))
		row.expect(t, s, "after Session.Unset", row.builtin)
	}
}

// runConfig changes the process's defaults: never from a parallel test.
func (row layerRow) runConfig(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { _ = reqc.UnsetDefault(row.option) })
	must(t, row.config())
	s := newSession(t)
	row.expect(t, s, "global default", row.set)
	if row.builtin != "" {
		must(t, reqc.UnsetDefault(row.option))
		// The same session: the config is read at each send.
		row.expect(t, s, "after UnsetDefault", row.builtin)
	}
}

// builtinUA is libreqc's own User-Agent, "libreqc/VERSION": the first word
// of Version's line (the linked libcurl's follow).
func builtinUA() string { return strings.Fields(reqc.Version())[0] }

func get(url string) func() *reqc.Request {
	return func() *reqc.Request { return &reqc.Request{URL: url} }
}

// layerRows are the settings that exist on all three layers.
func layerRows() []layerRow {
	proxy := os.Getenv("REQC_TEST_PROXY")
	const dead = "http://127.0.0.1:1" // refused
	off := false
	return []layerRow{
		{
			name: "UserAgent", newReq: get(base + "/headers"),
			request: func(r *reqc.Request) { r.UserAgent = "api-ua/1" },
			session: func(s *reqc.Session) error { return s.SetUserAgent("api-ua/1") },
			config:  func() error { return reqc.SetDefaultUserAgent("api-ua/1") },
			option:  reqc.OptionUserAgent, observe: echoed("User-Agent"),
			set: "api-ua/1", builtin: builtinUA(),
		},
		{
			name: "Header", newReq: get(base + "/headers"),
			request: func(r *reqc.Request) { r.Header = http.Header{"X-Layer": {"layered"}} },
			session: func(s *reqc.Session) error { return s.SetHeader("X-Layer", ptr("layered")) },
			config:  func() error { return reqc.SetDefaultHeader("X-Layer", ptr("layered")) },
			option:  reqc.OptionHeaders, observe: echoed("X-Layer"),
			set: "layered", builtin: "none",
		},
		{
			// A nil value removes a header libreqc adds itself.
			name: "HeaderRemoved", newReq: get(base + "/headers"),
			request: func(r *reqc.Request) { r.Header = http.Header{"Accept": nil} },
			session: func(s *reqc.Session) error { return s.SetHeader("Accept", nil) },
			config:  func() error { return reqc.SetDefaultHeader("Accept", nil) },
			option:  reqc.OptionHeaders, observe: echoed("Accept"),
			set: "none", builtin: "*/*",
		},
		{
			name: "HeaderAdded", newReq: get(base + "/headers"),
			request: func(r *reqc.Request) { r.Header = http.Header{"X-Multi": {"a", "b"}} },
			session: func(s *reqc.Session) error {
				return errors.Join(s.AddHeader("X-Multi", "a"), s.AddHeader("X-Multi", "b"))
			},
			config: func() error {
				return errors.Join(reqc.AddDefaultHeader("X-Multi", "a"), reqc.AddDefaultHeader("X-Multi", "b"))
			},
			option: reqc.OptionHeaders, observe: echoed("X-Multi"),
			set: "a,b", builtin: "none",
		},
		{
			name: "RedirectsOff", newReq: get(base + "/redirect/1"),
			request: func(r *reqc.Request) { r.Redirects = &reqc.Redirects{Follow: false} },
			session: func(s *reqc.Session) error { return s.SetRedirects(false, 0) },
			config:  func() error { return reqc.SetDefaultRedirects(false, 0) },
			option:  reqc.OptionRedirects, observe: sendStatus,
			set: "302", builtin: "200",
		},
		{
			name: "RedirectsMax", newReq: get(base + "/redirect/3"),
			request: func(r *reqc.Request) { r.Redirects = &reqc.Redirects{Follow: true, Max: 1} },
			session: func(s *reqc.Session) error { return s.SetRedirects(true, 1) },
			config:  func() error { return reqc.SetDefaultRedirects(true, 1) },
			option:  reqc.OptionRedirects, observe: sendStatus,
			set: "REQC_E_TOO_MANY_REDIRECTS after 302", builtin: "200",
		},
		{
			// Buffered: the cap is the send's error.
			name: "MaxResponseBytes", newReq: func() *reqc.Request { return &reqc.Request{URL: base + "/bytes/5000", Buffered: true} },
			request: func(r *reqc.Request) { r.MaxResponseBytes = 100 },
			session: func(s *reqc.Session) error { return s.SetMaxResponseBytes(100) },
			config:  func() error { return reqc.SetDefaultMaxResponseBytes(100) },
			option:  reqc.OptionMaxResponseBytes, observe: sendCode,
			set: "REQC_E_BODY_TOO_LARGE", builtin: "ok",
		},
		{
			// libreqc's server answers in the request's version.
			name: "HTTP10", reqc: true, newReq: get(base + "/get"),
			request: func(r *reqc.Request) { r.HTTPVersion = reqc.HTTP10 },
			session: func(s *reqc.Session) error { return s.SetHTTPVersion(reqc.HTTP10) },
			config:  func() error { return reqc.SetDefaultHTTPVersion(reqc.HTTP10) },
			option:  reqc.OptionHTTPVersion, observe: sendProto,
			set: "HTTP/1.0", builtin: "HTTP/1.1",
		},
		{
			// The test server speaks h2c with prior knowledge on its
			// origins. Once it is unset, HTTPAny may still reuse the
			// session's idle h2c connection (TestAPIHTTPVersion): the
			// built-in is not looked at here.
			name: "HTTP2PriorKnowledge", reqc: true, feature: "http2", newReq: get(base + "/get"),
			request: func(r *reqc.Request) { r.HTTPVersion = reqc.HTTP2PriorKnowledge },
			session: func(s *reqc.Session) error { return s.SetHTTPVersion(reqc.HTTP2PriorKnowledge) },
			config:  func() error { return reqc.SetDefaultHTTPVersion(reqc.HTTP2PriorKnowledge) },
			option:  reqc.OptionHTTPVersion, observe: sendProto,
			set: "HTTP/2.0",
		},
		{
			name: "Proxy", needs: "REQC_TEST_PROXY", newReq: get(base + "/anything"),
			request: func(r *reqc.Request) { r.Proxy = proxy },
			session: func(s *reqc.Session) error { return s.SetProxy(proxy) },
			config:  func() error { return reqc.SetDefaultProxy(proxy) },
			option:  reqc.OptionProxy, observe: viaProxy,
			set: "proxied", builtin: "direct",
		},
		{
			name: "ProxyUnreachable", newReq: get(base + "/anything"),
			request: func(r *reqc.Request) { r.Proxy = dead },
			session: func(s *reqc.Session) error { return s.SetProxy(dead) },
			config:  func() error { return reqc.SetDefaultProxy(dead) },
			option:  reqc.OptionProxy, observe: sendCode,
			set: "REQC_E_PROXY", builtin: "ok",
		},
		{
			name: "SecretHeader", newReq: get(base + "/headers"),
			request: func(r *reqc.Request) { r.SecretHeaders = []string{"X-Api-Key"} },
			session: func(s *reqc.Session) error { return s.MarkSecretHeader("X-Api-Key") },
			config:  func() error { return reqc.MarkDefaultSecretHeader("X-Api-Key") },
			option:  reqc.OptionSecretHeaders, observe: secretInLog,
			set: "redacted", builtin: "shown",
		},
		{
			name: "Timeout", newReq: get(base + "/delay/0.6"),
			request: func(r *reqc.Request) { r.Timeout = 200 * time.Millisecond },
			session: func(s *reqc.Session) error { return s.SetTimeout(200 * time.Millisecond) },
			config:  func() error { return reqc.SetDefaultTimeout(200 * time.Millisecond) },
			option:  reqc.OptionTimeout, observe: sendCode,
			set: "REQC_E_TIMEOUT", builtin: "ok",
		},
		{
			// No byte for 0.6 s: the read timeout ends the wait.
			name: "ReadTimeout", newReq: get(base + "/delay/0.6"),
			request: func(r *reqc.Request) { r.ReadTimeout = 200 * time.Millisecond },
			session: func(s *reqc.Session) error { return s.SetReadTimeout(200 * time.Millisecond) },
			config:  func() error { return reqc.SetDefaultReadTimeout(200 * time.Millisecond) },
			option:  reqc.OptionReadTimeout, observe: sendCode,
			set: "REQC_E_TIMEOUT", builtin: "ok",
		},
		{
			// The TLS handshake is part of the connect phase; the
			// request's 3 s total timeout would end it too, later. Without
			// the setting the send waits those 3 s: not looked at.
			name: "ConnectTimeout", needs: "REQC_TEST_SILENT",
			newReq: func() *reqc.Request {
				return &reqc.Request{URL: silentTLS(), Timeout: 3 * time.Second, TLS: &reqc.TLS{Verify: &off}}
			},
			request: func(r *reqc.Request) { r.ConnectTimeout = 200 * time.Millisecond },
			session: func(s *reqc.Session) error { return s.SetConnectTimeout(200 * time.Millisecond) },
			config:  func() error { return reqc.SetDefaultConnectTimeout(200 * time.Millisecond) },
			option:  reqc.OptionConnectTimeout, observe: quickTimeout,
			set: "REQC_E_TIMEOUT",
		},
		{
			// 10 bytes a second for 3 s, under a floor of 1000 over 1 s:
			// ended after about a second. The built-in floor (10 bytes a
			// second over a minute) lets it finish, in 3 s: not looked at.
			// Buffered: the body is read within the send.
			name: "SpeedFloor", reqc: true,
			newReq: func() *reqc.Request {
				return &reqc.Request{URL: base + "/reqc/slow-body?bytes=30&interval_ms=100", Buffered: true}
			},
			request: func(r *reqc.Request) { r.SpeedFloor = &reqc.SpeedFloor{BytesPerSecond: 1000, Window: time.Second} },
			session: func(s *reqc.Session) error { return s.SetSpeedFloor(1000, time.Second) },
			config:  func() error { return reqc.SetDefaultSpeedFloor(1000, time.Second) },
			option:  reqc.OptionSpeedFloor, observe: quickTimeoutWithin(2500 * time.Millisecond),
			set: "REQC_E_TIMEOUT",
		},
	}
}

// quickTimeoutWithin is quickTimeout with another bound.
func quickTimeoutWithin(d time.Duration) func(*testing.T, *reqc.Session, *reqc.Request) string {
	return func(t *testing.T, s *reqc.Session, r *reqc.Request) string {
		t.Helper()
		start := time.Now()
		got := sendCode(t, s, r)
		if got == "REQC_E_TIMEOUT" && time.Since(start) > d {
			return "slow timeout"
		}
		return got
	}
}

// TestAPIRequestAndSessionSettings: each setting as a Request field and as
// a Session setter shows on the send; Session.Unset hands it back to the
// built-in default.
func TestAPIRequestAndSessionSettings(t *testing.T) {
	for _, row := range layerRows() {
		t.Run(row.name+"/request", func(t *testing.T) {
			t.Parallel()
			row.skip(t)
			row.runRequest(t)
		})
		t.Run(row.name+"/session", func(t *testing.T) {
			t.Parallel()
			row.skip(t)
			row.runSession(t)
		})
	}
}

// TestAPIDefaults: the same settings as global defaults (SetDefault*,
// MarkDefaultSecretHeader), each undone by UnsetDefault. Not parallel:
// the defaults apply to every send of the process.
func TestAPIDefaults(t *testing.T) {
	for _, row := range layerRows() {
		t.Run(row.name, func(t *testing.T) {
			row.skip(t)
			row.runConfig(t)
		})
	}
}

// TestAPITrustEnv: with http_proxy naming a dead proxy, a send that trusts
// the environment fails with ErrProxy and one that does not succeeds, on
// each layer; a request's choice beats its session's, and a session's
// explicit "no proxy" beats the environment's. Not parallel (t.Setenv).
func TestAPITrustEnv(t *testing.T) {
	const dead = "http://127.0.0.1:1"
	for _, k := range []string{"http_proxy", "HTTP_PROXY"} {
		t.Setenv(k, dead)
	}
	for _, k := range []string{"no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"} {
		t.Setenv(k, "")
	}
	off, on := false, true
	row := layerRow{
		newReq:  get(base + "/get"),
		request: func(r *reqc.Request) { r.TrustEnv = &off },
		session: func(s *reqc.Session) error { return s.SetTrustEnv(false) },
		config:  func() error { return reqc.SetDefaultTrustEnv(false) },
		option:  reqc.OptionTrustEnv, observe: sendCode,
		set: "ok", builtin: "REQC_E_PROXY",
	}
	t.Run("request", row.runRequest)
	t.Run("session", row.runSession)
	t.Run("config", row.runConfig)

	s := newSession(t)
	must(t, s.SetTrustEnv(false))
	if got := sendCode(t, s, &reqc.Request{URL: base + "/get", TrustEnv: &on}); got != "REQC_E_PROXY" {
		t.Errorf("request TrustEnv true over session false: %s", got)
	}
	s = newSession(t)
	must(t, s.SetProxy(""))
	if got := sendCode(t, s, &reqc.Request{URL: base + "/get"}); got != "ok" {
		t.Errorf(`SetProxy("") with an environment proxy: %s`, got)
	}
	// A request's NoProxy beats the environment's proxy and the session's.
	s = newSession(t)
	if got := sendCode(t, s, &reqc.Request{URL: base + "/get", NoProxy: true}); got != "ok" {
		t.Errorf("NoProxy with an environment proxy: %s", got)
	}
	must(t, s.SetProxy(dead))
	if got := sendCode(t, s, &reqc.Request{URL: base + "/get"}); got != "REQC_E_PROXY" {
		t.Errorf("session proxy: %s", got)
	}
	if got := sendCode(t, s, &reqc.Request{URL: base + "/get", NoProxy: true}); got != "ok" {
		t.Errorf("NoProxy over the session's proxy: %s", got)
	}
	_, err := s.Do(context.Background(), &reqc.Request{URL: base + "/get", Proxy: dead, NoProxy: true})
	if !errors.Is(err, reqc.ErrInvalidArgument) {
		t.Errorf("Proxy and NoProxy both set: %v", err)
	}
}

// TestAPIProxyCredentials: a proxy URL's user and password go to the
// proxy alone (Proxy-Authorization in its log), never to the origin.
func TestAPIProxyCredentials(t *testing.T) {
	t.Parallel()
	proxy := os.Getenv("REQC_TEST_PROXY")
	if proxy == "" {
		t.Skip("no test proxy (run under tests/with-server.sh)")
	}
	s := newSession(t)
	must(t, s.SetProxy(strings.Replace(proxy, "http://", "http://pu:pp@", 1)))
	tag := newTag()
	resp, err := s.Do(context.Background(), &reqc.Request{URL: base + "/headers", Params: []reqc.Param{{Name: "tag", Value: tag}}})
	must(t, err)
	e := decode(t, resp)
	entry := proxyLogged(t, tag)
	if entry == nil || entry.ProxyAuthorization == nil || *entry.ProxyAuthorization != "Basic cHU6cHA=" {
		t.Errorf("proxy log entry %+v", entry)
	}
	if v := header(e, "Proxy-Authorization"); v != "" {
		t.Errorf("the origin got Proxy-Authorization %q", v)
	}
}

// TestAPISecretHeaderCrossOrigin: a header marked secret (request or
// session) is dropped on a redirect to another origin; unmarked, it is kept.
func TestAPISecretHeaderCrossOrigin(t *testing.T) {
	t.Parallel()
	marked := newSession(t)
	must(t, marked.MarkSecretHeader("X-Api-Key"))
	for _, c := range []struct {
		name    string
		s       *reqc.Session
		secrets []string
		want    string
	}{
		{"unmarked", newSession(t), nil, "k1"},
		{"request SecretHeaders", newSession(t), []string{"X-Api-Key"}, ""},
		{"session MarkSecretHeader", marked, nil, ""},
	} {
		resp, err := c.s.Do(context.Background(), &reqc.Request{
			URL:           base + "/redirect-to",
			Params:        []reqc.Param{{Name: "url", Value: base2 + "/headers"}},
			Header:        http.Header{"X-Api-Key": {"k1"}, "X-Plain": {"p1"}},
			SecretHeaders: c.secrets,
		})
		must(t, err)
		e := decode(t, resp)
		if header(e, "X-Api-Key") != c.want || header(e, "X-Plain") != "p1" {
			t.Errorf("%s: %s received X-Api-Key %q X-Plain %q", c.name, base2, header(e, "X-Api-Key"), header(e, "X-Plain"))
		}
	}
}

// TestAPIHookChangesRequest: SetURL and SetMethod in an ARGS hook change
// what the server receives. In PRE_REQUEST only header changes are sent
// (reqc.h, REQC_HOOK_KIND_PRE_REQUEST): a new URL or method there is
// ignored, though both setters return nil (see the report on hooks.go).
func TestAPIHookChangesRequest(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	for _, c := range []struct {
		name             string
		kind             reqc.HookKind
		act              func(h *reqc.HookContext) error
		method, url, sig string
	}{
		{"SetURL in ARGS", reqc.HookArgs, func(h *reqc.HookContext) error {
			return h.SetURL(base + "/anything/args")
		}, "GET", base + "/anything/args", ""},
		{"SetMethod in ARGS", reqc.HookArgs, func(h *reqc.HookContext) error {
			return h.SetMethod("PUT")
		}, "PUT", base + "/anything", ""},
		{"both in ARGS, to another origin", reqc.HookArgs, func(h *reqc.HookContext) error {
			return errors.Join(h.SetMethod("PATCH"), h.SetURL(base2+"/anything/other"))
		}, "PATCH", base2 + "/anything/other", ""},
		{"PRE_REQUEST", reqc.HookPreRequest, func(h *reqc.HookContext) error {
			return errors.Join(h.SetURL(base+"/anything/pre"), h.SetMethod("DELETE"), h.SetRequestHeader("X-Sig", ptr("signed")))
		}, "GET", base + "/anything", "signed"},
	} {
		resp, err := s.Do(context.Background(), &reqc.Request{URL: base + "/anything", Hooks: []reqc.Hook{{Kind: c.kind, Func: c.act}}})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		e := decode(t, resp)
		if e.Method != c.method || e.URL != c.url || header(e, "X-Sig") != c.sig {
			t.Errorf("%s: the server got %s %s X-Sig %q, want %s %s %q", c.name, e.Method, e.URL, header(e, "X-Sig"), c.method, c.url, c.sig)
		}
	}
	// POST_REQUEST and RESPONSE lend no request: the setters fail there.
	var errs []error
	resp, err := s.Do(context.Background(), &reqc.Request{URL: base + "/anything", Hooks: []reqc.Hook{
		{Kind: reqc.HookPostRequest, Func: func(h *reqc.HookContext) error {
			errs = append(errs, h.SetURL(base+"/status/500"), h.SetMethod("POST"))
			return nil
		}},
		{Kind: reqc.HookResponse, Func: func(h *reqc.HookContext) error {
			errs = append(errs, h.SetURL(base+"/status/500"), h.SetMethod("POST"))
			return nil
		}},
	}})
	must(t, err)
	e := decode(t, resp)
	for i, err := range errs {
		if !errors.Is(err, reqc.ErrInvalidState) {
			t.Errorf("setter %d outside ARGS/PRE_REQUEST: %v", i, err)
		}
	}
	if len(errs) != 4 || e.Method != "GET" || e.URL != base+"/anything" {
		t.Errorf("%d setter calls; the server got %s %s", len(errs), e.Method, e.URL)
	}
}

// TestAPIHookReadsRequest: RequestHeaders and RequestBody show the caller's
// request in ARGS, and the request as sent in PRE_REQUEST and HEADERS;
// elsewhere nothing.
func TestAPIHookReadsRequest(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	type seen struct {
		headers [][2]string
		body    string
	}
	got := map[reqc.HookKind]seen{}
	read := func(h *reqc.HookContext) error {
		got[h.Kind] = seen{h.RequestHeaders(), string(h.RequestBody())}
		return nil
	}
	var hooks []reqc.Hook
	for _, k := range []reqc.HookKind{reqc.HookArgs, reqc.HookPreRequest, reqc.HookHeaders, reqc.HookPostRequest, reqc.HookResponse} {
		hooks = append(hooks, reqc.Hook{Kind: k, Func: read})
	}
	resp, err := s.Do(context.Background(), &reqc.Request{Method: "POST", URL: base + "/anything",
		Header: http.Header{"X-B": {"2"}, "X-A": {"1"}}, JSON: map[string]int{"n": 1}, Hooks: hooks})
	must(t, err)
	e := decode(t, resp)
	if e.Data != `{"n":1}` {
		t.Fatalf("the server got body %q", e.Data)
	}
	// ARGS: the request's own headers (the binding sets them by name, in
	// order) and its body; nothing merged in yet.
	args := got[reqc.HookArgs]
	if !slices.Equal(args.headers, [][2]string{{"X-A", "1"}, {"X-B", "2"}}) || args.body != e.Data {
		t.Errorf("ARGS saw %q, body %q", args.headers, args.body)
	}
	// PRE_REQUEST: what goes out, every header of which the server got.
	pre := got[reqc.HookPreRequest]
	names := map[string]bool{}
	for _, kv := range pre.headers {
		names[kv[0]] = true
		if header(e, kv[0]) != kv[1] {
			t.Errorf("PRE_REQUEST shows %s: %q, the server got %q", kv[0], kv[1], header(e, kv[0]))
		}
	}
	if !names["User-Agent"] || !names["Content-Type"] || !names["X-A"] || pre.body != e.Data {
		t.Errorf("PRE_REQUEST saw %q, body %q", pre.headers, pre.body)
	}
	// HEADERS: the request this hop sent.
	if h := got[reqc.HookHeaders]; !slices.Equal(h.headers, pre.headers) || h.body != pre.body {
		t.Errorf("HEADERS saw %q, body %q", h.headers, h.body)
	}
	for _, k := range []reqc.HookKind{reqc.HookPostRequest, reqc.HookResponse} {
		if g := got[k]; len(g.headers) != 0 || g.body != "" {
			t.Errorf("kind %d saw %q, body %q", k, g.headers, g.body)
		}
	}

	// A form's body is its encoding.
	var formBody string
	resp, err = s.Do(context.Background(), &reqc.Request{Method: "POST", URL: base + "/anything",
		Form: []reqc.Param{{Name: "a", Value: "1"}, {Name: "b", Value: "x y"}},
		Hooks: []reqc.Hook{{Kind: reqc.HookArgs, Func: func(h *reqc.HookContext) error {
			formBody = string(h.RequestBody())
			return nil
		}}}})
	must(t, err)
	e = decode(t, resp)
	if formBody != "a=1&b=x+y" || e.Form["a"] != "1" || e.Form["b"] != "x y" {
		t.Errorf("form body in ARGS %q; the server got %v", formBody, e.Form)
	}
}

// TestAPIMaxPerHost: six items to one host capped at one at a time all
// arrive, each its own, over a single connection (the server's count);
// uncapped, they open several at once.
func TestAPIMaxPerHost(t *testing.T) {
	reqcOnly(t)
	connections := func() int {
		var st struct {
			Port int `json:"connections_port"`
		}
		control(t, "/stats", &st)
		return st.Port
	}
	run := func(opts ...reqc.MapOption) int {
		t.Helper()
		s := newSession(t) // no idle connection to reuse
		reqs := make([]*reqc.Request, 6)
		for i := range reqs {
			reqs[i] = &reqc.Request{URL: base + "/delay/0.1", Params: []reqc.Param{{Name: "i", Value: strconv.Itoa(i)}}}
		}
		before := connections()
		results, err := s.Map(context.Background(), reqs, opts...)
		must(t, err)
		for i, r := range results {
			if r.Err != nil || r.Index != i {
				t.Fatalf("item %d: %+v", i, r)
			}
			if e := decode(t, r.Response); e.Args["i"] != strconv.Itoa(i) {
				t.Errorf("item %d got the answer to %v", i, e.Args)
			}
		}
		return connections() - before
	}
	if n := run(reqc.MaxPerHost(1)); n != 1 {
		t.Errorf("MaxPerHost(1): %d connections, want 1", n)
	}
	if n := run(); n < 2 {
		t.Errorf("uncapped: %d connections (the count cannot show concurrency)", n)
	}
}

// TestAPIBatchTimeout: the batch's deadline ends the unfinished items with
// ErrTimeout, in Map and All, and leaves finished ones alone.
func TestAPIBatchTimeout(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	reqs := []*reqc.Request{{URL: base + "/get"}, {URL: base + "/delay/3"}, {URL: base + "/delay/3"}}
	check := func(form string, r reqc.Result) {
		t.Helper()
		if r.Index == 0 {
			if r.Err != nil || r.Response.StatusCode != 200 {
				t.Errorf("%s: fast item: %+v", form, r)
			}
			return
		}
		if !errors.Is(r.Err, reqc.ErrTimeout) {
			t.Errorf("%s: slow item %d: %v", form, r.Index, r.Err)
		}
	}
	start := time.Now()
	results, err := s.Map(context.Background(), reqs, reqc.BatchTimeout(300*time.Millisecond))
	must(t, err)
	for _, r := range results {
		check("Map", r)
		if r.Response != nil {
			r.Response.Close()
		}
	}
	n := 0
	for _, r := range s.All(context.Background(), reqs, reqc.BatchTimeout(300*time.Millisecond)) {
		n++
		check("All", r)
		if r.Response != nil {
			r.Response.Close()
		}
	}
	if n != len(reqs) {
		t.Errorf("All yielded %d", n)
	}
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Errorf("two batches of /delay/3 under 300 ms deadlines took %v", d)
	}
}

// TestAPIAllYieldsAsTheyLand: All yields in completion order: a slow first
// item comes last, and every index comes once.
func TestAPIAllYieldsAsTheyLand(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	reqs := []*reqc.Request{{URL: base + "/delay/0.5"}, {URL: base + "/get"}, {URL: base + "/get"}, {URL: base + "/get"}}
	var order []int
	for i, r := range s.All(context.Background(), reqs) {
		if r.Err != nil || r.Index != i {
			t.Fatalf("item %d: %+v", i, r)
		}
		r.Response.Close()
		order = append(order, i)
	}
	sorted := slices.Clone(order)
	slices.Sort(sorted)
	if !slices.Equal(sorted, []int{0, 1, 2, 3}) || order[0] == 0 || order[len(order)-1] != 0 {
		t.Errorf("yielded in the order %v", order)
	}
}

// TestAPIHasFeature: what HasFeature reports agrees with what a send does.
func TestAPIHasFeature(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "no-such-feature"} {
		if reqc.HasFeature(name) {
			t.Errorf("HasFeature(%q)", name)
		}
	}
	s := newSession(t)
	resp, err := s.Do(context.Background(), &reqc.Request{URL: base + "/get", HTTPVersion: reqc.HTTP2PriorKnowledge})
	if reqc.HasFeature("http2") {
		if err != nil || resp.Proto != "HTTP/2.0" {
			t.Errorf("http2: %v", err)
		} else {
			resp.Close()
		}
	} else if err == nil {
		t.Errorf("no http2, yet h2c answered %s", resp.Proto)
	}
	if tlsURL, ca := os.Getenv("REQC_TEST_TLS"), os.Getenv("REQC_TEST_CA_FILE"); tlsURL != "" && ca != "" {
		resp, err := s.Do(context.Background(), &reqc.Request{URL: tlsURL + "/get", TLS: &reqc.TLS{CAFile: ca}})
		if reqc.HasFeature("https") != (err == nil) {
			t.Errorf("https: feature %v, send %v", reqc.HasFeature("https"), err)
		}
		if err == nil {
			resp.Close()
		}
	}
	// The content codings: offered, and decoded, exactly when reported.
	for _, c := range []struct{ feature, path, flag, token string }{
		{"gzip", "/gzip", "gzipped", "gzip"}, {"brotli", "/brotli", "brotli", "br"}, {"zstd", "/reqc/zstd", "zstd", "zstd"},
	} {
		if c.feature == "zstd" && os.Getenv("REQC_TEST_HTTPBIN") == "1" {
			continue
		}
		resp, err := s.Get(context.Background(), base+c.path)
		if err != nil {
			t.Errorf("%s: %v", c.feature, err)
			continue
		}
		var body map[string]any
		decoded := resp.JSON(&body) == nil && body[c.flag] == true
		offered := false
		if hs, ok := body["headers"].(map[string]any); ok {
			ae, _ := hs["Accept-Encoding"].(string)
			offered = slices.Contains(strings.Split(strings.ReplaceAll(ae, " ", ""), ","), c.token)
		}
		if has := reqc.HasFeature(c.feature); decoded != has || offered != has {
			t.Errorf("%s: feature %v, decoded %v, offered %v", c.feature, has, decoded, offered)
		}
	}
}

// TestAPIHTTPVersion: on one session, h2c with prior knowledge, then HTTP11
// and HTTP10 (which never take the idle h2c connection); a request's
// version beats its session's.
func TestAPIHTTPVersion(t *testing.T) {
	t.Parallel()
	reqcOnly(t)
	if !reqc.HasFeature("http2") {
		t.Skip("libreqc has no http2")
	}
	s := newSession(t)
	for _, c := range []struct {
		v    reqc.HTTPVersion
		want string
	}{{reqc.HTTP2PriorKnowledge, "HTTP/2.0"}, {reqc.HTTP11, "HTTP/1.1"}, {reqc.HTTP10, "HTTP/1.0"}, {reqc.HTTP2PriorKnowledge, "HTTP/2.0"}} {
		if got := sendProto(t, s, &reqc.Request{URL: base + "/get", HTTPVersion: c.v}); got != c.want {
			t.Errorf("HTTPVersion %d: %s, want %s", c.v, got, c.want)
		}
	}
	must(t, s.SetHTTPVersion(reqc.HTTP11))
	if got := sendProto(t, s, &reqc.Request{URL: base2 + "/get", HTTPVersion: reqc.HTTP2PriorKnowledge}); got != "HTTP/2.0" {
		t.Errorf("request h2c over session HTTP11: %s", got)
	}
	if got := sendProto(t, s, &reqc.Request{URL: base2 + "/get"}); got != "HTTP/1.1" {
		t.Errorf("session HTTP11 with an idle h2c connection: %s", got)
	}
}

// hashedCADir is a directory in OpenSSL's c_rehash layout holding the CA
// at path, made with the openssl tool ("" when it is missing).
func hashedCADir(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("openssl", "x509", "-hash", "-noout", "-in", path).Output()
	if err != nil {
		return ""
	}
	dir := t.TempDir()
	if err := os.Symlink(path, filepath.Join(dir, strings.TrimSpace(string(out))+".0")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestAPISessionTLS: the session's TLS setters (tls_test.go covers the
// Request's TLS and SetDefaultTLS), each undone by Session.Unset, against
// the test server's TLS listeners. A missing client certificate fails
// with a TLS or a receive error, depending on when the server's alert
// lands: "failed" is any error.
func TestAPISessionTLS(t *testing.T) {
	t.Parallel()
	reqcOnly(t)
	tlsURL, ca := os.Getenv("REQC_TEST_TLS"), os.Getenv("REQC_TEST_CA_FILE")
	if tlsURL == "" || ca == "" {
		t.Skip("no TLS listeners (run under tests/with-server.sh)")
	}
	pem, err := os.ReadFile(ca)
	must(t, err)
	trustCA := func(s *reqc.Session) error { return s.SetCAFile(ca) }
	for _, c := range []struct {
		name     string
		url      string // "" : the listener is missing
		trust    func(s *reqc.Session) error
		set      func(s *reqc.Session) error
		option   reqc.Option
		want     string
		unset    string
		anyError bool
	}{
		{name: "SetVerifyTLS", url: os.Getenv("REQC_TEST_TLS_SELF_SIGNED"),
			set: func(s *reqc.Session) error { return s.SetVerifyTLS(false) }, option: reqc.OptionVerifyTLS,
			want: "ok", unset: "REQC_E_TLS"},
		{name: "SetCAFile", url: tlsURL,
			set: func(s *reqc.Session) error { return s.SetCAFile(ca) }, option: reqc.OptionCA,
			want: "ok", unset: "REQC_E_TLS"},
		{name: "SetCAPEM", url: tlsURL,
			set: func(s *reqc.Session) error { return s.SetCAPEM(pem) }, option: reqc.OptionCA,
			want: "ok", unset: "REQC_E_TLS"},
		{name: "SetCADir", url: tlsURL,
			set: func(s *reqc.Session) error {
				dir := hashedCADir(t, ca)
				if dir == "" {
					t.Skip("no openssl tool to hash the CA")
				}
				return s.SetCADir(dir)
			}, option: reqc.OptionCA,
			want: "ok", unset: "REQC_E_TLS"},
		{name: "SetMinTLSVersion", url: os.Getenv("REQC_TEST_TLS12"), trust: trustCA,
			set: func(s *reqc.Session) error { return s.SetMinTLSVersion(reqc.TLS13) }, option: reqc.OptionMinTLSVersion,
			want: "REQC_E_TLS", unset: "ok"},
		{name: "SetClientCert", url: os.Getenv("REQC_TEST_TLS_CLIENT_AUTH"), trust: trustCA,
			set: func(s *reqc.Session) error {
				return s.SetClientCert(os.Getenv("REQC_TEST_CLIENT_CERT_FILE"), os.Getenv("REQC_TEST_CLIENT_KEY_FILE"))
			}, option: reqc.OptionClientCert,
			want: "ok", unset: "failed", anyError: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.url == "" {
				t.Skip("listener missing")
			}
			s := newSession(t)
			if c.trust != nil {
				must(t, c.trust(s))
			}
			send := func() string {
				got := sendCode(t, s, &reqc.Request{URL: c.url + "/get", Timeout: 5 * time.Second})
				if c.anyError && got != "ok" {
					return "failed"
				}
				return got
			}
			must(t, c.set(s))
			if got := send(); got != c.want {
				t.Errorf("set: %s, want %s", got, c.want)
			}
			must(t, s.Unset(c.option))
			if got := send(); got != c.unset {
				t.Errorf("after Unset: %s, want %s", got, c.unset)
			}
		})
	}
}
