package reqc_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"
	"time"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

func TestTransportUnderHTTPClient(t *testing.T) {
	s := newSession(t)
	client := &http.Client{Transport: &reqc.Transport{Session: s}}

	// Redirects are http.Client's: one RoundTrip per hop.
	resp, err := client.Get(base + "/redirect/3")
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/get" || !strings.Contains(string(body), `"url"`) {
		t.Errorf("redirects: %d %s", resp.StatusCode, resp.Request.URL)
	}
	if resp.ProtoMajor != 1 || resp.ProtoMinor != 1 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("proto %s header %v", resp.Proto, resp.Header)
	}
	noFollow := &http.Client{Transport: client.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get(base + "/redirect/1")
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 302 {
		t.Errorf("CheckRedirect: %d", resp.StatusCode)
	}

	// Cookies set on a redirect are sent on the next hop (the session's jar).
	resp, err = client.Get(base + "/cookies/set?tc=1")
	must(t, err)
	var c struct{ Cookies map[string]string }
	must(t, json.NewDecoder(resp.Body).Decode(&c))
	resp.Body.Close()
	if c.Cookies["tc"] != "1" {
		t.Errorf("cookies %v", c.Cookies)
	}
	// Or http.Client's Jar, with a Transport over a private session.
	jar, _ := cookiejar.New(nil)
	jc := &http.Client{Transport: &reqc.Transport{}, Jar: jar}
	resp, err = jc.Get(base + "/cookies/set?jc=2")
	must(t, err)
	resp.Body.Close()
	if cs := jar.Cookies(resp.Request.URL); len(cs) != 1 || cs[0].Value != "2" {
		t.Errorf("client jar %v", cs)
	}

	// Timeouts: http.Client.Timeout and a request context's deadline.
	tc := &http.Client{Transport: client.Transport, Timeout: 150 * time.Millisecond}
	start := time.Now()
	_, err = tc.Get(base + "/delay/5")
	var ue interface{ Timeout() bool }
	if err == nil || !errors.As(err, &ue) || !ue.Timeout() || time.Since(start) > 2*time.Second {
		t.Errorf("client timeout: %v after %v", err, time.Since(start))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	hr, _ := http.NewRequestWithContext(ctx, "GET", base+"/delay/5", nil)
	_, err = client.Do(hr)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("context deadline: %v", err)
	}

	// A body streamed up, known length and chunked; headers and Host.
	for _, length := range []int64{11, -1} {
		hr, _ = http.NewRequest("POST", base+"/post", io.NopCloser(strings.NewReader("hello world")))
		hr.ContentLength = length
		hr.Header.Set("Content-Type", "text/plain")
		hr.Header.Set("X-Go", "1")
		resp, err = client.Do(hr)
		must(t, err)
		var e echo
		must(t, json.NewDecoder(resp.Body).Decode(&e))
		resp.Body.Close()
		if e.Data != "hello world" || header(e, "X-Go") != "1" || header(e, "Content-Type") != "text/plain" {
			t.Errorf("post (length %d): %+v", length, e)
		}
	}
	// A gzip body arrives decoded, flagged Uncompressed.
	resp, err = client.Get(base + "/gzip")
	must(t, err)
	var g struct{ Gzipped bool }
	must(t, json.NewDecoder(resp.Body).Decode(&g))
	resp.Body.Close()
	if !g.Gzipped || !resp.Uncompressed || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip: %v %v %v", g.Gzipped, resp.Uncompressed, resp.Header)
	}
	// HEAD.
	resp, err = client.Head(base + "/get")
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength <= 0 || strconv.FormatInt(resp.ContentLength, 10) != resp.Header.Get("Content-Length") {
		t.Errorf("HEAD %d, ContentLength %d, header %q", resp.StatusCode, resp.ContentLength, resp.Header.Get("Content-Length"))
	}
	// HEAD of a compressed body: the length is not the decoded body's.
	resp, err = client.Head(base + "/gzip")
	must(t, err)
	resp.Body.Close()
	if !resp.Uncompressed || resp.ContentLength != -1 {
		t.Errorf("HEAD gzip: Uncompressed %v, ContentLength %d", resp.Uncompressed, resp.ContentLength)
	}
}
