package reqc_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

// A body copied whole (Buffered) reads the same through Read, Bytes after a
// partial Read, and io.Copy (WriteTo); an empty one is an empty, non-nil
// slice.
func TestBufferedBodyReads(t *testing.T) {
	s := newSession(t)
	url := base + "/bytes/3000?seed=3"
	want, err := do(t, s, &reqc.Request{URL: url, Buffered: true}).Bytes()
	must(t, err)
	if len(want) != 3000 {
		t.Fatalf("got %d bytes", len(want))
	}

	r := do(t, s, &reqc.Request{URL: url, Buffered: true})
	p := make([]byte, 100)
	n, err := r.Body.Read(p)
	must(t, err)
	rest, err := r.Bytes()
	must(t, err)
	if got := append(p[:n:n], rest...); !bytes.Equal(got, want) {
		t.Errorf("Read then Bytes: %d bytes, differ", len(got))
	}
	if again, _ := r.Bytes(); len(again) != 0 {
		t.Errorf("Bytes after the end: %d bytes", len(again))
	}

	r = do(t, s, &reqc.Request{URL: url, Buffered: true})
	var out bytes.Buffer
	if _, err := io.Copy(&out, r.Body); err != nil || !bytes.Equal(out.Bytes(), want) {
		t.Errorf("io.Copy: %d bytes, %v", out.Len(), err)
	}

	empty, err := do(t, s, &reqc.Request{URL: base + "/bytes/0", Buffered: true}).Bytes()
	if err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("empty body: %v %v", empty, err)
	}
}

// Header lines longer than the first read's buffer (512 bytes) are read
// again whole; a response sent once has one attempt, its status.
func TestLongHeadersAndOneAttempt(t *testing.T) {
	s := newSession(t)
	long := strings.Repeat("v", 3000)
	resp := do(t, s, &reqc.Request{URL: base + "/response-headers", Buffered: true,
		Params: []reqc.Param{{"X-Long", long}, {"X-Rep", "1"}, {"X-Rep", "2"}}})
	if got := resp.Header.Get("X-Long"); got != long {
		t.Errorf("X-Long: %d bytes", len(got))
	}
	if got := resp.Header.Values("X-Rep"); len(got) != 2 || got[0] != "1" || got[1] != "2" {
		t.Errorf("X-Rep: %q", got)
	}
	if len(resp.Attempts) != 1 || resp.Attempts[0] != 200 {
		t.Errorf("attempts %v", resp.Attempts)
	}
}

// A copied body shares one allocation with the header text (copyOut):
// writing into what Bytes returns, or appending to it, leaves every header
// as it was, whether the header lines fitted the first read or were read
// again.
func TestBodyBesideHeaders(t *testing.T) {
	s := newSession(t)
	for _, long := range []int{0, 3000} {
		params := []reqc.Param{{"X-A", "a"}}
		if long > 0 {
			params = append(params, reqc.Param{Name: "X-Long", Value: strings.Repeat("v", long)})
		}
		resp := do(t, s, &reqc.Request{URL: base + "/response-headers", Buffered: true, Params: params})
		body, err := resp.Bytes()
		must(t, err)
		if !bytes.Contains(body, []byte(`"X-A"`)) {
			t.Fatalf("body %q", body)
		}
		for i := range body {
			body[i] = '!'
		}
		body = append(body, strings.Repeat("z", 4096)...)
		if got := resp.Header.Get("X-A"); got != "a" {
			t.Errorf("%d: X-A %q after the body was written", long, got)
		}
		if got := resp.Header.Get("X-Long"); len(got) != long || strings.Trim(got, "v") != "" {
			t.Errorf("%d: X-Long changed (%d bytes)", long, len(got))
		}
		if got := resp.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("%d: Content-Type %q", long, got)
		}
	}
}

// A batch item's response is read by bridge.c's complete trampoline into its
// own frame: header lines longer than that frame's buffer are read again
// from Go during the callback, and so are a redirect's hops; each item's
// body, headers, history and attempts come out whole.
func TestMapItemsReadInTheTrampoline(t *testing.T) {
	s := newSession(t)
	long := strings.Repeat("v", 3000)
	reqs := []*reqc.Request{
		{URL: base + "/response-headers", Params: []reqc.Param{{"X-Long", long}, {"X-Rep", "1"}, {"X-Rep", "2"}}},
		{URL: base + "/redirect/2"},
		{URL: base + "/bytes/3000?seed=5"},
	}
	res, err := s.Map(context.Background(), reqs, reqc.Concurrency(3))
	must(t, err)
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("item %d: %v", i, r.Err)
		}
		if len(r.Response.Attempts) != 1 || r.Response.Attempts[0] != 200 {
			t.Errorf("item %d: attempts %v", i, r.Response.Attempts)
		}
	}
	h := res[0].Response.Header
	if h.Get("X-Long") != long || len(h.Values("X-Rep")) != 2 || h.Get("Content-Type") != "application/json" {
		t.Errorf("long head: X-Long %d bytes, X-Rep %q, Content-Type %q", len(h.Get("X-Long")), h.Values("X-Rep"), h.Get("Content-Type"))
	}
	if b, _ := res[0].Response.Bytes(); !bytes.Contains(b, []byte(long)) {
		t.Errorf("long head's body: %d bytes", len(b))
	}
	if hist := res[1].Response.History; len(hist) != 2 || hist[0].StatusCode != 302 || hist[1].Header.Get("Location") == "" {
		t.Errorf("redirect history: %d hops", len(hist))
	}
	if b, _ := res[2].Response.Bytes(); len(b) != 3000 {
		t.Errorf("body: %d bytes", len(b))
	}
}
