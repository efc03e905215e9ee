package reqc_test

import (
	"fmt"
	"slices"
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
