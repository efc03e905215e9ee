package reqc_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

// Response.Header keeps every line, in order, under its canonical name:
// names repeated in other cases, a common name repeated (headerKey's
// constants), and the same with more lines than readHeaders compares one by
// one (it then asks the map).
func TestResponseHeaderLines(t *testing.T) {
	s := newSession(t)
	for _, extra := range []int{0, 20} {
		params := []reqc.Param{{"X-Rep", "1"}, {"x-rep", "2"}, {"Vary", "A"}, {"X-REP", "3"}, {"vary", "B"}}
		for i := range extra {
			params = append(params, reqc.Param{Name: fmt.Sprintf("X-Pad-%d", i), Value: "p"})
		}
		resp := do(t, s, &reqc.Request{URL: base + "/response-headers", Params: params, Buffered: true})
		if got := resp.Header.Values("X-Rep"); !slices.Equal(got, []string{"1", "2", "3"}) {
			t.Errorf("%d more lines: X-Rep %q", extra, got)
		}
		if got := resp.Header.Values("Vary"); !slices.Equal(got, []string{"A", "B"}) {
			t.Errorf("%d more lines: Vary %q", extra, got)
		}
		for i := range extra {
			if got := resp.Header.Get(fmt.Sprintf("X-Pad-%d", i)); got != "p" {
				t.Errorf("X-Pad-%d %q", i, got)
			}
		}
		for k := range resp.Header {
			if k == "x-rep" || k == "X-REP" || k == "vary" {
				t.Errorf("key %q is not canonical", k)
			}
		}
		resp.Close()
	}
}

// Header names and values of every length class the binding packs them
// in (bridge.c writes each length in 1 to 3 bytes; lines past the first
// read's room are read again) come back whole, buffered, streamed and
// from a batch.
func TestResponseHeaderLengths(t *testing.T) {
	s := newSession(t)
	long := func(n int) string { return strings.Repeat("v", n) }
	params := []reqc.Param{{"X-Empty", ""}, {"X-A", "1"}}
	for _, n := range []int{127, 128, 300, 16383, 16384} {
		params = append(params, reqc.Param{Name: fmt.Sprintf("X-Len-%d", n), Value: long(n)})
	}
	longName := "X-" + strings.Repeat("n", 130)
	params = append(params, reqc.Param{Name: longName, Value: "named"})
	check := func(how string, resp *reqc.Response) {
		t.Helper()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", how, resp.StatusCode)
		}
		h := resp.Header
		if v, ok := h["X-Empty"]; !ok || len(v) != 1 || v[0] != "" {
			t.Errorf("%s: X-Empty %q (present %v)", how, v, ok)
		}
		if got := h.Get("X-A"); got != "1" {
			t.Errorf("%s: X-A %q", how, got)
		}
		for _, n := range []int{127, 128, 300, 16383, 16384} {
			if got := h.Get(fmt.Sprintf("X-Len-%d", n)); got != long(n) {
				t.Errorf("%s: X-Len-%d is %d bytes", how, n, len(got))
			}
		}
		if got := h.Get(longName); got != "named" {
			t.Errorf("%s: the 132-byte name's value %q", how, got)
		}
	}
	req := func(buffered bool) *reqc.Request {
		return &reqc.Request{URL: base + "/response-headers", Params: params, Buffered: buffered}
	}
	buffered := do(t, s, req(true))
	check("buffered", buffered)
	buffered.Close()
	streamed := do(t, s, req(false))
	check("streamed", streamed)
	streamed.Close()
	results, err := s.Map(context.Background(), []*reqc.Request{req(true), req(false)})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r.Err != nil {
			t.Fatalf("item %d: %v", i, r.Err)
		}
		check(fmt.Sprintf("batch item %d", i), r.Response)
		r.Response.Close()
	}
}
