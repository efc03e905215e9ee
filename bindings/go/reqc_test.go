package reqc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

func newSession(t testing.TB) *reqc.Session {
	t.Helper()
	s, err := reqc.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// echo is httpbin's echo of a request.
type echo struct {
	Args    map[string]any    `json:"args"`
	Headers map[string]string `json:"headers"`
	Data    string            `json:"data"`
	Form    map[string]any    `json:"form"`
	Files   map[string]any    `json:"files"`
	JSON    any               `json:"json"`
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Cookies map[string]string `json:"cookies"`
}

func do(t *testing.T, s *reqc.Session, req *reqc.Request) *reqc.Response {
	t.Helper()
	resp, err := s.Do(context.Background(), req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return resp
}

func decode(t *testing.T, resp *reqc.Response) echo {
	t.Helper()
	var e echo
	if err := resp.JSON(&e); err != nil {
		t.Fatal(err)
	}
	return e
}

func header(e echo, name string) string {
	for k, v := range e.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func TestResponseFields(t *testing.T) {
	s := newSession(t)
	resp := do(t, s, &reqc.Request{URL: base + "/redirect/2"})
	if resp.StatusCode != 200 || resp.Reason != "OK" || resp.Status() != "200 OK" {
		t.Errorf("status %d %q", resp.StatusCode, resp.Reason)
	}
	if resp.URL != base+"/get" {
		t.Errorf("URL %q", resp.URL)
	}
	if len(resp.History) != 2 || resp.History[0].StatusCode != 302 || resp.History[0].Header.Get("Location") == "" {
		t.Errorf("history %+v", resp.History)
	}
	if resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", resp.Header.Get("content-type"))
	}
	if resp.Proto != "HTTP/1.1" || resp.RemoteIP != "127.0.0.1" || resp.RemotePort == 0 {
		t.Errorf("proto %q remote %s:%d", resp.Proto, resp.RemoteIP, resp.RemotePort)
	}
	if resp.Timings.Total <= 0 || resp.Timings.Elapsed < resp.Timings.Total || resp.Timings.FirstByte <= 0 {
		t.Errorf("timings %+v", resp.Timings)
	}
	if resp.Request == nil || resp.Request.URL != base+"/redirect/2" {
		t.Errorf("request %+v", resp.Request)
	}
	e := decode(t, resp)
	if e.URL != base+"/get" {
		t.Errorf("echo url %q", e.URL)
	}
	// Repeated response headers keep every value, in order.
	resp = do(t, s, &reqc.Request{URL: base + "/response-headers", Params: []reqc.Param{{"X-Rep", "1"}, {"X-Rep", "2"}}})
	if got := resp.Header.Values("X-Rep"); len(got) != 2 || got[0] != "1" || got[1] != "2" {
		t.Errorf("X-Rep %q", got)
	}
	resp.Close()
	// A 404 is a response, not an error.
	resp = do(t, s, &reqc.Request{URL: base + "/status/404"})
	if resp.StatusCode != 404 {
		t.Errorf("status %d", resp.StatusCode)
	}
	text, err := resp.Text()
	if err != nil || text != "" {
		t.Errorf("text %q %v", text, err)
	}
}

func TestRequestFields(t *testing.T) {
	s := newSession(t)
	e := decode(t, do(t, s, &reqc.Request{
		Method: "GET", URL: base + "/anything?x=0",
		Header:    http.Header{"X-A": {"1"}, "X-R": {"a", "b"}, "Accept": nil},
		Params:    []reqc.Param{{"z", "1"}, {"a", "b c"}},
		UserAgent: "go-test/1",
		Cookies:   []reqc.Param{{"k", "v"}},
	}))
	if e.URL != base+"/anything?x=0&z=1&a=b+c" && e.URL != base+"/anything?x=0&z=1&a=b%20c" {
		t.Errorf("url %q", e.URL)
	}
	if header(e, "X-A") != "1" || header(e, "X-R") != "a,b" || header(e, "User-Agent") != "go-test/1" {
		t.Errorf("headers %v", e.Headers)
	}
	if _, ok := e.Headers["Accept"]; ok {
		t.Errorf("Accept sent: %v", e.Headers)
	}
	if !strings.Contains(header(e, "Cookie"), "k=v") {
		t.Errorf("cookie %q", header(e, "Cookie"))
	}

	// Bodies: bytes, JSON (value and raw), form, multipart, a reader.
	e = decode(t, do(t, s, &reqc.Request{Method: "POST", URL: base + "/post", Body: []byte("hi"), ContentType: "text/plain"}))
	if e.Data != "hi" || header(e, "Content-Type") != "text/plain" {
		t.Errorf("bytes body %+v", e)
	}
	e = decode(t, do(t, s, &reqc.Request{Method: "POST", URL: base + "/post", JSON: map[string]int{"n": 1}}))
	if m, ok := e.JSON.(map[string]any); !ok || m["n"] != float64(1) {
		t.Errorf("json body %+v", e.JSON)
	}
	e = decode(t, do(t, s, &reqc.Request{Method: "POST", URL: base + "/post", JSON: json.RawMessage(`{"raw": true}`)}))
	if e.Data != `{"raw": true}` {
		t.Errorf("raw json %q", e.Data)
	}
	e = decode(t, do(t, s, &reqc.Request{Method: "POST", URL: base + "/post", Form: []reqc.Param{{"a", "1"}, {"b", "x y"}}}))
	if e.Form["a"] != "1" || e.Form["b"] != "x y" {
		t.Errorf("form %+v", e.Form)
	}
	e = decode(t, do(t, s, &reqc.Request{Method: "POST", URL: base + "/post", Form: []reqc.Param{{"f", "v"}},
		Files: []reqc.File{{Field: "up", Filename: "a.txt", ContentType: "text/plain", Data: []byte("file body")}}}))
	if e.Form["f"] != "v" || e.Files["up"] != "file body" {
		t.Errorf("multipart %+v %+v", e.Form, e.Files)
	}
	e = decode(t, do(t, s, &reqc.Request{Method: "PUT", URL: base + "/put", BodyReader: strings.NewReader(strings.Repeat("r", 100000)), BodyLength: -1}))
	if len(e.Data) != 100000 {
		t.Errorf("reader body: %d bytes", len(e.Data))
	}
	// More than one body is refused.
	_, err := s.Do(context.Background(), &reqc.Request{Method: "POST", URL: base + "/post", Body: []byte("a"), JSON: 1})
	if !errors.Is(err, reqc.ErrInvalidArgument) {
		t.Errorf("two bodies: %v", err)
	}

	// Auth kinds.
	for _, tc := range []struct {
		path string
		auth reqc.Auth
	}{
		{"/basic-auth/u/p", reqc.BasicAuth{User: "u", Password: "p"}},
		{"/digest-auth/auth/u/p", reqc.DigestAuth{User: "u", Password: "p"}},
		{"/bearer", reqc.BearerAuth("tok")},
	} {
		resp := do(t, s, &reqc.Request{URL: base + tc.path, Auth: tc.auth})
		resp.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", tc.path, resp.StatusCode)
		}
	}
	// Redirects off, a timeout, a body cap.
	resp := do(t, s, &reqc.Request{URL: base + "/redirect/1", Redirects: &reqc.Redirects{Follow: false}})
	if resp.StatusCode != 302 {
		t.Errorf("redirect not followed: %d", resp.StatusCode)
	}
	_, err = s.Do(context.Background(), &reqc.Request{URL: base + "/redirect/5", Redirects: &reqc.Redirects{Follow: true, Max: 2}})
	if !errors.Is(err, reqc.ErrTooManyRedirects) {
		t.Errorf("max redirects: %v", err)
	}
	_, err = s.Do(context.Background(), &reqc.Request{URL: base + "/delay/2", Timeout: 100 * time.Millisecond})
	var re *reqc.Error
	if !errors.Is(err, reqc.ErrTimeout) || !errors.As(err, &re) || !re.Timeout() || !strings.HasPrefix(re.Message, "REQC_E_TIMEOUT") {
		t.Errorf("timeout: %v", err)
	}
	_, err = s.Do(context.Background(), &reqc.Request{URL: base + "/bytes/5000", MaxResponseBytes: 100, Buffered: true})
	if !errors.Is(err, reqc.ErrBodyTooLarge) {
		t.Errorf("body cap: %v", err)
	}
	// Streamed, the cap is met while reading.
	resp, err = s.Do(context.Background(), &reqc.Request{URL: base + "/bytes/5000", MaxResponseBytes: 100})
	must(t, err)
	if _, err = resp.Bytes(); !errors.Is(err, reqc.ErrBodyTooLarge) {
		t.Errorf("streamed body cap: %v", err)
	}
}

func TestRetry(t *testing.T) {
	reqcOnly(t)
	s := newSession(t)
	resp := do(t, s, &reqc.Request{URL: base + "/status/503", Retry: &reqc.Retry{Attempts: 3, Backoff: time.Millisecond, BackoffCap: 2 * time.Millisecond}})
	if resp.StatusCode != 503 || len(resp.Attempts) != 3 {
		t.Errorf("status %d attempts %v", resp.StatusCode, resp.Attempts)
	}
}

func TestNULAndBadInput(t *testing.T) {
	s := newSession(t)
	for name, req := range map[string]*reqc.Request{
		"url":    {URL: base + "/get\x00x"},
		"header": {URL: base + "/get", Header: http.Header{"X": {"a\x00b"}}},
		"param":  {URL: base + "/get", Params: []reqc.Param{{"a\x00", "b"}}},
		"crlf":   {URL: base + "/get", Header: http.Header{"X": {"a\r\nB: c"}}},
		"method": {Method: "GE T", URL: base + "/get"},
	} {
		if _, err := s.Do(context.Background(), req); !errors.Is(err, reqc.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := s.Do(context.Background(), &reqc.Request{URL: "not a url"}); !errors.Is(err, reqc.ErrInvalidURL) {
		t.Errorf("bad url: %v", err)
	}
	if err := s.SetHeader("X-Nul", ptr("a\x00")); !errors.Is(err, reqc.ErrInvalidArgument) {
		t.Errorf("session NUL: %v", err)
	}
	if _, err := s.Do(context.Background(), &reqc.Request{URL: "http://127.0.0.1:1/"}); !errors.Is(err, reqc.ErrConnect) {
		t.Errorf("refused: %v", err)
	}
}

func ptr(s string) *string { return &s }

func TestSessionDefaultsAndCookies(t *testing.T) {
	s := newSession(t)
	must(t, s.SetHeader("X-Default", ptr("d")))
	must(t, s.AddParam("sp", "1"))
	must(t, s.SetAuth(reqc.BasicAuth{User: "u", Password: "p"}))
	must(t, s.SetUserAgent("sess/1"))
	must(t, s.SetTimeout(5*time.Second))
	resp := do(t, s, &reqc.Request{URL: base + "/basic-auth/u/p"})
	if resp.StatusCode != 200 {
		t.Errorf("session auth: %d", resp.StatusCode)
	}
	resp.Close()
	e := decode(t, do(t, s, &reqc.Request{URL: base + "/anything", Auth: reqc.NoAuth{}}))
	if header(e, "X-Default") != "d" || header(e, "Authorization") != "" || header(e, "User-Agent") != "sess/1" || e.Args["sp"] != "1" {
		t.Errorf("defaults %+v", e)
	}
	must(t, s.Unset(reqc.OptionHeaders))
	must(t, s.Unset(reqc.OptionParams))
	e = decode(t, do(t, s, &reqc.Request{URL: base + "/anything"}))
	if header(e, "X-Default") != "" {
		t.Errorf("unset headers: %v", e.Headers)
	}

	// The jar: set by a response, read, listed, exported, imported, deleted.
	resp = do(t, s, &reqc.Request{URL: base + "/cookies/set?a=1&b=2"})
	resp.Close()
	if v, err := s.Cookie(base+"/", "a"); err != nil || v != "1" {
		t.Errorf("cookie a: %q %v", v, err)
	}
	if _, err := s.Cookie(base+"/", "nope"); !errors.Is(err, reqc.ErrNotFound) {
		t.Errorf("missing cookie: %v", err)
	}
	must(t, s.SetCookie(base+"/", "c=3; Path=/"))
	list, err := s.Cookies()
	if err != nil || len(list) != 3 {
		t.Fatalf("cookies %v %v", list, err)
	}
	if list[0].Domain != "127.0.0.1" || list[0].Path == "" {
		t.Errorf("cookie %+v", list[0])
	}
	text, err := s.ExportCookies()
	if err != nil || !strings.Contains(text, "\tc\t3") {
		t.Errorf("export %q %v", text, err)
	}
	must(t, s.DeleteCookie("127.0.0.1", "/", "c"))
	e = decode(t, do(t, s, &reqc.Request{URL: base + "/cookies"}))
	if e.Cookies["a"] != "1" || e.Cookies["c"] != "" {
		t.Errorf("sent cookies %v", e.Cookies)
	}
	must(t, s.ClearCookies())
	if list, _ := s.Cookies(); len(list) != 0 {
		t.Errorf("after clear: %v", list)
	}
	s2 := newSession(t)
	n, err := s2.ImportCookies(text)
	if err != nil || n != 3 {
		t.Errorf("import %d %v", n, err)
	}
	if v, _ := s2.Cookie(base+"/", "b"); v != "2" {
		t.Errorf("imported b %q", v)
	}
	resp = do(t, s, &reqc.Request{URL: base + "/cookies/set?x=9", Redirects: &reqc.Redirects{Follow: false}})
	if c := resp.Cookies(); len(c) != 1 || c[0].Name != "x" || c[0].Value != "9" {
		t.Errorf("response cookies %v", c)
	}
	resp.Close()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestClose(t *testing.T) {
	s, err := reqc.NewSession()
	must(t, err)
	must(t, s.Close())
	must(t, s.Close())
	if _, err := s.Get(context.Background(), base+"/get"); !errors.Is(err, reqc.ErrClosed) {
		t.Errorf("after close: %v", err)
	}
	if err := s.SetUserAgent("x"); !errors.Is(err, reqc.ErrClosed) {
		t.Errorf("setter after close: %v", err)
	}
}

func TestFiftyGoroutinesOneSession(t *testing.T) {
	s := newSession(t)
	must(t, s.SetHeader("X-Shared", ptr("yes")))
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4; i++ {
				resp, err := s.Do(context.Background(), &reqc.Request{URL: base + "/anything", Params: []reqc.Param{{"g", string(rune('A' + g%26))}}})
				if err != nil {
					errs <- err
					return
				}
				var e echo
				if err := resp.JSON(&e); err != nil || header(e, "X-Shared") != "yes" || e.Args["g"] != string(rune('A'+g%26)) {
					errs <- errors.New("wrong echo")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestContextCancelMidSend(t *testing.T) {
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := s.Get(ctx, base+"/delay/5")
	if !errors.Is(err, context.Canceled) || !errors.Is(err, reqc.ErrCancelled) {
		t.Errorf("cancel: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("cancel took %v", time.Since(start))
	}
	ctx, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	_, err = reqc.Get(ctx, base+"/delay/5")
	var re *reqc.Error
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &re) || !re.Timeout() {
		t.Errorf("deadline: %v", err)
	}
	// An already cancelled context sends nothing.
	_, err = s.Get(ctx, base+"/get")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("done context: %v", err)
	}
	// The session still works.
	resp, err := s.Get(context.Background(), base+"/get")
	must(t, err)
	resp.Close()
}

func TestContextCancelMidBodyRead(t *testing.T) {
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) {
		got.Write(p)
		cancel() // the first bytes are in: cancel while the body still arrives
		return len(p), nil
	})
	start := time.Now()
	_, err := s.Do(ctx, &reqc.Request{URL: base + "/drip?duration=3&numbytes=6&delay=0", BodyWriter: w})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancel mid-body: %v", err)
	}
	if got.Len() == 0 || got.Len() >= 6 || time.Since(start) > 2*time.Second {
		t.Errorf("%d bytes in %v", got.Len(), time.Since(start))
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestBodyWriter(t *testing.T) {
	s := newSession(t)
	var buf bytes.Buffer
	resp := do(t, s, &reqc.Request{URL: base + "/bytes/100000", BodyWriter: &buf})
	if buf.Len() != 100000 {
		t.Errorf("writer got %d bytes", buf.Len())
	}
	if b, _ := resp.Bytes(); len(b) != 0 {
		t.Errorf("body also buffered: %d", len(b))
	}
	// A writer's error aborts the send and is in the error.
	boom := errors.New("disk full")
	_, err := s.Do(context.Background(), &reqc.Request{URL: base + "/bytes/1000", BodyWriter: writerFunc(func([]byte) (int, error) { return 0, boom })})
	if !errors.Is(err, reqc.ErrAborted) {
		t.Errorf("writer error: %v", err)
	}
}

func TestMapAndAll(t *testing.T) {
	s := newSession(t)
	var reqs []*reqc.Request
	for i := 0; i < 40; i++ {
		reqs = append(reqs, &reqc.Request{URL: base + "/anything", Params: []reqc.Param{{"i", string(rune('a' + i%26))}}})
	}
	reqs = append(reqs, &reqc.Request{URL: "http://127.0.0.1:1/"}, &reqc.Request{URL: base + "/get\x00"})
	results, err := s.Map(context.Background(), reqs, reqc.Concurrency(8))
	must(t, err)
	if len(results) != 42 {
		t.Fatalf("%d results", len(results))
	}
	for i, r := range results[:40] {
		if r.Err != nil || r.Index != i {
			t.Fatalf("item %d: %v", i, r.Err)
		}
		var e echo
		must(t, r.Response.JSON(&e))
		if e.Args["i"] != string(rune('a'+i%26)) {
			t.Errorf("item %d is %v", i, e.Args)
		}
	}
	if !errors.Is(results[40].Err, reqc.ErrConnect) || !errors.Is(results[41].Err, reqc.ErrInvalidArgument) {
		t.Errorf("failures: %v / %v", results[40].Err, results[41].Err)
	}
	seen := map[int]bool{}
	for i, r := range s.All(context.Background(), reqs[:40], reqc.Concurrency(8)) {
		if r.Err != nil || seen[i] {
			t.Errorf("all %d: %v", i, r.Err)
		}
		seen[i] = true
		r.Response.Close()
	}
	if len(seen) != 40 {
		t.Errorf("All yielded %d", len(seen))
	}
	// Breaking out cancels the rest.
	n := 0
	for range s.All(context.Background(), reqs[:40], reqc.Concurrency(2)) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("break after %d", n)
	}
}

func TestContextCancelMidBatch(t *testing.T) {
	s := newSession(t)
	reqs := []*reqc.Request{{URL: base + "/get"}}
	for i := 0; i < 4; i++ {
		reqs = append(reqs, &reqc.Request{URL: base + "/delay/5"})
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	results, err := s.Map(ctx, reqs, reqc.Concurrency(5))
	must(t, err)
	if results[0].Err != nil {
		t.Errorf("fast item: %v", results[0].Err)
	}
	for _, r := range results[1:] {
		if !errors.Is(r.Err, context.DeadlineExceeded) || !errors.Is(r.Err, reqc.ErrCancelled) {
			t.Errorf("slow item %d: %v", r.Index, r.Err)
		}
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("batch cancel took %v", time.Since(start))
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel2)
	count := 0
	for _, r := range s.All(ctx2, reqs[1:]) {
		count++
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("All item %d: %v", r.Index, r.Err)
		}
	}
	if count != 4 {
		t.Errorf("All yielded %d", count)
	}
}

func TestLogging(t *testing.T) {
	s := newSession(t)
	var buf safeBuffer
	must(t, s.SetLogger(&buf, reqc.LogHeaders))
	resp := do(t, s, &reqc.Request{URL: base + "/get", Header: http.Header{"Authorization": {"Bearer secret-token"}}})
	resp.Close()
	out := buf.String()
	if !strings.Contains(out, "GET") || !strings.Contains(out, base+"/get") || strings.Contains(out, "secret-token") {
		t.Errorf("log:\n%s", out)
	}
	must(t, s.SetLogger(nil, reqc.LogOff))
	resp = do(t, s, &reqc.Request{URL: base + "/get"})
	resp.Close()
	if buf.String() != out {
		t.Errorf("logged after off")
	}
	var lines []string
	var mu sync.Mutex
	h := &recordHandler{fn: func(msg string) { mu.Lock(); lines = append(lines, msg); mu.Unlock() }}
	must(t, s.SetLogHandler(h, reqc.LogRequests))
	resp = do(t, s, &reqc.Request{URL: base + "/status/201"})
	resp.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(lines) < 2 || !strings.Contains(lines[len(lines)-1], "201") {
		t.Errorf("slog lines %q", lines)
	}
}

type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestErrors(t *testing.T) {
	if reqc.CodeTimeout.String() != "REQC_E_TIMEOUT" {
		t.Errorf("code name %q", reqc.CodeTimeout.String())
	}
	_, err := reqc.Get(context.Background(), "ftp://127.0.0.1/")
	var re *reqc.Error
	if !errors.As(err, &re) || re.Code != reqc.CodeUnsupportedProtocol || errors.Is(err, reqc.ErrTimeout) {
		t.Errorf("err %#v", err)
	}
	if reqc.Version() == "" {
		t.Error("no version")
	}
}

func TestResponseLinksEncodingWarnings(t *testing.T) {
	reqcOnly(t)
	s := newSession(t)
	resp := do(t, s, &reqc.Request{URL: base + "/reqc/links"})
	resp.Close()
	if resp.Link("next") != "http://api.example/items?page=3" || resp.Link("last") != "http://api.example/items?page=9" || len(resp.Links) < 3 {
		t.Errorf("links %+v", resp.Links)
	}
	var titled *reqc.Link
	for i := range resp.Links {
		if resp.Links[i].Params["title"] != "" {
			titled = &resp.Links[i]
		}
	}
	if titled == nil || titled.Params["title"] != `a, "b"; c` {
		t.Errorf("link params %+v", resp.Links)
	}
	resp = do(t, s, &reqc.Request{URL: base + "/reqc/charset/latin1"})
	resp.Close()
	if !strings.EqualFold(resp.Encoding, "ISO-8859-1") {
		t.Errorf("encoding %q", resp.Encoding)
	}
	// A hook's Warning is logged and kept on the response.
	resp = do(t, s, &reqc.Request{URL: base + "/get", Hooks: []reqc.Hook{{Kind: reqc.HookArgs, Func: func(*reqc.HookContext) error {
		return reqc.Warning(errors.New("just so you know"))
	}}}})
	resp.Close()
	if len(resp.Warnings) != 1 {
		t.Errorf("warnings %q", resp.Warnings)
	}
}
