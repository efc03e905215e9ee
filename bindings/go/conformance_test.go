package reqc_test

// The language-neutral conformance cases (tests/conformance/*.json, schema
// in its README.md) through the Go API: one subtest per case, doing what the
// C runner (tests/gen/conformance.py) and the C++ one do.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

type confCase struct {
	Name     string          `json:"name"`
	About    string          `json:"about"`
	Pending  string          `json:"pending"`
	ReqcOnly string          `json:"reqc_only"`
	Session  *confSession    `json:"session"`
	Request  confRequest     `json:"request"`
	Expect   json.RawMessage `json:"expect"`
}

type confSession struct {
	Headers       [][2]*string  `json:"headers"`
	Params        [][2]string   `json:"params"`
	Auth          any           `json:"auth"`
	UserAgent     *string       `json:"user_agent"`
	Cookies       [][2]string   `json:"cookies"`
	TimeoutMS     int64         `json:"timeout_ms"`
	ReadTimeoutMS int64         `json:"read_timeout_ms"`
	Before        []confRequest `json:"before"`
}

type confRequest struct {
	Method        string       `json:"method"`
	Path          *string      `json:"path"`
	URL           string       `json:"url"`
	Headers       [][2]*string `json:"headers"`
	Params        [][2]string  `json:"params"`
	Body          *confBody    `json:"body"`
	Auth          any          `json:"auth"`
	TimeoutMS     int64        `json:"timeout_ms"`
	ReadTimeoutMS int64        `json:"read_timeout_ms"`
	Redirects     *struct {
		Follow *bool `json:"follow"`
		Max    *int  `json:"max"`
	} `json:"redirects"`
	MaxResponseBytes int64 `json:"max_response_bytes"`
}

type confBody struct {
	Kind        string      `json:"kind"`
	Data        string      `json:"data"`
	ContentType *string     `json:"content_type"`
	Text        string      `json:"text"`
	Fields      [][2]string `json:"fields"`
	Files       []struct {
		Field       string  `json:"field"`
		Filename    string  `json:"filename"`
		Data        string  `json:"data"`
		ContentType *string `json:"content_type"`
	} `json:"files"`
}

type confExpect struct {
	Code                   string              `json:"code"`
	Status                 *int                `json:"status"`
	History                *int                `json:"history"`
	HistoryStatus          []int               `json:"history_status"`
	URL                    *string             `json:"url"`
	BodyLength             *int                `json:"body_length"`
	ResponseHeaders        map[string]string   `json:"response_headers"`
	ResponseHeadersAll     map[string][]string `json:"response_headers_all"`
	ResponseHeadersPresent []string            `json:"response_headers_present"`
	ResponseHeadersAbsent  []string            `json:"response_headers_absent"`
	JSONSubset             json.RawMessage     `json:"json_subset"`
	HeadersAbsent          []string            `json:"headers_absent"`
	JSONAbsent             [][2]string         `json:"json_absent"`
}

func subst(s string) string {
	hostport := base[strings.Index(base, "://")+3:]
	return strings.NewReplacer("{base2}", base2, "{base}", base, "{hostport}", hostport).Replace(s)
}

func confTarget(path *string, url string) string {
	if path != nil {
		return subst("{base}" + *path)
	}
	if strings.HasPrefix(url, "/") {
		return subst("{base}" + url)
	}
	return subst(url)
}

func confAuth(a any) reqc.Auth {
	switch v := a.(type) {
	case string:
		if v == "none" {
			return reqc.NoAuth{}
		}
	case map[string]any:
		if p, ok := v["basic"].([]any); ok {
			return reqc.BasicAuth{User: p[0].(string), Password: p[1].(string)}
		}
		if p, ok := v["digest"].([]any); ok {
			return reqc.DigestAuth{User: p[0].(string), Password: p[1].(string)}
		}
		if tok, ok := v["bearer"].(string); ok {
			return reqc.BearerAuth(tok)
		}
	}
	return nil
}

func (r confRequest) toRequest() *reqc.Request {
	req := &reqc.Request{Method: r.Method, URL: confTarget(r.Path, r.URL)}
	if req.Method == "" {
		req.Method = "GET"
	}
	if len(r.Headers) > 0 {
		req.Header = http.Header{}
		for _, h := range r.Headers {
			if h[1] == nil {
				req.Header[*h[0]] = nil
			} else {
				req.Header[*h[0]] = append(req.Header[*h[0]], subst(*h[1]))
			}
		}
	}
	for _, p := range r.Params {
		req.Params = append(req.Params, reqc.Param{Name: p[0], Value: subst(p[1])})
	}
	if b := r.Body; b != nil {
		switch b.Kind {
		case "bytes":
			req.Body = []byte(b.Data)
			if b.ContentType != nil {
				req.ContentType = *b.ContentType
			}
		case "json":
			req.JSON = json.RawMessage(b.Text)
		default:
			for _, f := range b.Fields {
				req.Form = append(req.Form, reqc.Param{Name: f[0], Value: f[1]})
			}
			for _, f := range b.Files {
				file := reqc.File{Field: f.Field, Filename: f.Filename, Data: []byte(f.Data)}
				if f.ContentType != nil {
					file.ContentType = *f.ContentType
				}
				req.Files = append(req.Files, file)
			}
		}
	}
	req.Auth = confAuth(r.Auth)
	req.Timeout = time.Duration(r.TimeoutMS) * time.Millisecond
	req.ReadTimeout = time.Duration(r.ReadTimeoutMS) * time.Millisecond
	if r.Redirects != nil {
		rd := &reqc.Redirects{Follow: true, Max: 30}
		if r.Redirects.Follow != nil {
			rd.Follow = *r.Redirects.Follow
		}
		if r.Redirects.Max != nil {
			rd.Max = *r.Redirects.Max
		}
		req.Redirects = rd
	}
	req.MaxResponseBytes = r.MaxResponseBytes
	return req
}

func TestConformance(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "tests", "conformance", "*.json"))
	if len(files) == 0 {
		t.Fatal("no conformance cases")
	}
	n := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []confCase
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields() // a new schema key must be taught here
		if err := dec.Decode(&cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, c := range cases {
			n++
			t.Run(c.Name, func(t *testing.T) { runCase(t, c) })
		}
	}
	if n < 50 {
		t.Errorf("only %d cases", n)
	}
}

func runCase(t *testing.T, c confCase) {
	if c.Pending != "" && os.Getenv("REQC_CONFORMANCE_PENDING") == "" {
		t.Skip("pending: " + c.Pending)
	}
	if c.ReqcOnly != "" && os.Getenv("REQC_TEST_HTTPBIN") == "1" {
		t.Skip("libreqc's test server only: " + c.ReqcOnly)
	}
	var e confExpect
	if len(c.Expect) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(c.Expect)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			t.Fatal(err)
		}
	}
	want := e.Code
	if want == "" {
		want = "REQC_OK"
	}
	ctx := context.Background()
	var s *reqc.Session
	if sj := c.Session; sj != nil {
		s = newSession(t)
		for _, h := range sj.Headers {
			if h[1] == nil {
				must(t, s.SetHeader(*h[0], nil))
			} else {
				must(t, s.AddHeader(*h[0], *h[1]))
			}
		}
		for _, p := range sj.Params {
			must(t, s.AddParam(p[0], p[1]))
		}
		if sj.Auth != nil {
			must(t, s.SetAuth(confAuth(sj.Auth)))
		}
		if sj.UserAgent != nil {
			must(t, s.SetUserAgent(*sj.UserAgent))
		}
		if sj.TimeoutMS > 0 {
			must(t, s.SetTimeout(time.Duration(sj.TimeoutMS)*time.Millisecond))
		}
		if sj.ReadTimeoutMS > 0 {
			must(t, s.SetReadTimeout(time.Duration(sj.ReadTimeoutMS)*time.Millisecond))
		}
		for _, ck := range sj.Cookies {
			must(t, s.SetCookie(subst("{base}"+ck[0]), ck[1]))
		}
		for _, b := range sj.Before {
			m := b.Method
			if m == "" {
				m = "GET"
			}
			resp, err := s.Do(ctx, &reqc.Request{Method: m, URL: confTarget(b.Path, b.URL)})
			must(t, err)
			resp.Close()
		}
	}
	req := c.Request.toRequest()
	var resp *reqc.Response
	var err error
	if s != nil {
		resp, err = s.Do(ctx, req)
	} else {
		resp, err = reqc.Do(ctx, req)
	}
	var body []byte
	if err == nil {
		// A streamed body's failure (its cap, a timeout) is the send's code.
		body, err = resp.Bytes()
	}
	got := "REQC_OK"
	var re *reqc.Error
	if err != nil {
		if !errors.As(err, &re) {
			t.Fatalf("not a *reqc.Error: %v", err)
		}
		got = re.Code.String()
	}
	if got != want {
		t.Fatalf("code %s, want %s (%v)", got, want, err)
	}
	if want != "REQC_OK" {
		if want != "REQC_E_TOO_MANY_REDIRECTS" {
			return
		}
		if resp = re.Response; resp == nil {
			if len(c.Expect) > 0 && strings.Count(string(c.Expect), ":") > 1 {
				t.Fatal("no last response after REQC_E_TOO_MANY_REDIRECTS")
			}
			return
		}
	}
	if e.Status != nil && resp.StatusCode != *e.Status {
		t.Errorf("status %d, want %d", resp.StatusCode, *e.Status)
	}
	if e.History != nil && len(resp.History) != *e.History {
		t.Errorf("history %d, want %d", len(resp.History), *e.History)
	}
	if e.HistoryStatus != nil {
		var hs []int
		for _, h := range resp.History {
			hs = append(hs, h.StatusCode)
		}
		if len(hs) > len(e.HistoryStatus) {
			hs = hs[:len(e.HistoryStatus)]
		}
		if !reflect.DeepEqual(hs, e.HistoryStatus) {
			t.Errorf("history statuses %v, want %v", hs, e.HistoryStatus)
		}
	}
	if e.URL != nil && resp.URL != confTarget(nil, *e.URL) {
		t.Errorf("url %q, want %q", resp.URL, confTarget(nil, *e.URL))
	}
	if re != nil {
		body, _ = resp.Bytes()
	}
	if e.BodyLength != nil && len(body) != *e.BodyLength {
		t.Errorf("body length %d, want %d", len(body), *e.BodyLength)
	}
	for name, v := range e.ResponseHeaders {
		if resp.Header.Get(name) != subst(v) {
			t.Errorf("header %s: %q, want %q", name, resp.Header.Get(name), subst(v))
		}
	}
	for name, vs := range e.ResponseHeadersAll {
		if got := resp.Header.Values(name); !reflect.DeepEqual(got, vs) {
			t.Errorf("header %s: %q, want %q", name, got, vs)
		}
	}
	for _, name := range e.ResponseHeadersPresent {
		if len(resp.Header.Values(name)) == 0 {
			t.Errorf("header %s absent", name)
		}
	}
	for _, name := range e.ResponseHeadersAbsent {
		if len(resp.Header.Values(name)) != 0 {
			t.Errorf("header %s present", name)
		}
	}
	if e.JSONSubset == nil && e.HeadersAbsent == nil && e.JSONAbsent == nil {
		return
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("the body is not JSON: %v\n%s", err, body)
	}
	if e.JSONSubset != nil {
		var want any
		must(t, json.Unmarshal([]byte(subst(string(e.JSONSubset))), &want))
		for _, msg := range subset(doc, want, "$", false) {
			t.Error(msg)
		}
	}
	obj, _ := doc.(map[string]any)
	for _, name := range e.HeadersAbsent {
		if _, ok := member(obj["headers"], name, true); ok {
			t.Errorf("%s was received", name)
		}
	}
	for _, pair := range e.JSONAbsent {
		inner, ok := member(obj, pair[0], false)
		if !ok {
			t.Errorf("no object %s", pair[0])
			continue
		}
		if _, ok := member(inner, pair[1], true); ok {
			t.Errorf("%s.%s is there", pair[0], pair[1])
		}
	}
}

func member(obj any, key string, nocase bool) (any, bool) {
	m, ok := obj.(map[string]any)
	if !ok {
		return nil, false
	}
	for k, v := range m {
		if k == key || (nocase && strings.EqualFold(k, key)) {
			return v, true
		}
	}
	return nil, false
}

// subset: got holds want (objects by subset, keys under "headers"
// case-insensitive, an empty object wants an empty one; arrays element by
// element; scalars equal). Returns the differences.
func subset(got, want any, path string, nocase bool) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path + " is not an object"}
		}
		if len(w) == 0 && len(g) != 0 {
			return []string{fmt.Sprintf("%s has %d members, want none", path, len(g))}
		}
		var out []string
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, ok := member(g, k, nocase)
			if !ok {
				out = append(out, path+"."+k+" is missing")
				continue
			}
			out = append(out, subset(v, w[k], path+"."+k, k == "headers")...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s is %v, want %v", path, got, want)}
		}
		var out []string
		for i := range w {
			out = append(out, subset(g[i], w[i], fmt.Sprintf("%s[%d]", path, i), false)...)
		}
		return out
	}
	if !reflect.DeepEqual(got, want) {
		return []string{fmt.Sprintf("%s is %#v, want %#v", path, got, want)}
	}
	return nil
}
