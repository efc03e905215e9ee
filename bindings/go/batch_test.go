package reqc_test

import (
	"context"
	"iter"
	"testing"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

// All and AllSeq run the batch on the goroutine of the loop, between the
// loop body's calls: a hook and the loop body never run at once, so they
// may share plain variables (go test -race checks it; with the batch on a
// goroutine of its own, a later item's hook ran during the loop body).
func TestAllLoopBodyBetweenSteps(t *testing.T) {
	s := newSession(t)
	hooked := 0 // written by the hook, read by the loop body: no lock
	_, err := s.AddHook(reqc.HookPostRequest, func(*reqc.HookContext) error {
		hooked++
		return nil
	})
	must(t, err)
	const n = 60
	reqs := make([]*reqc.Request, n)
	for i := range reqs {
		reqs[i] = &reqc.Request{URL: base + "/bytes/64"}
	}
	seq := func(yield func(*reqc.Request) bool) {
		for _, r := range reqs {
			if !yield(r) {
				return
			}
		}
	}
	forms := map[string]iter.Seq2[int, reqc.Result]{
		"All":    s.All(context.Background(), reqs, reqc.Concurrency(8)),
		"AllSeq": s.AllSeq(context.Background(), seq, reqc.Concurrency(8)),
	}
	for name, results := range forms {
		hooked = 0
		yielded := 0
		for _, r := range results {
			if r.Err != nil {
				t.Fatalf("%s: %v", name, r.Err)
			}
			yielded++
			// Each yielded item's hook has run; later ones may have too,
			// but none runs now.
			if hooked < yielded {
				t.Errorf("%s: %d hooks ran before result %d", name, hooked, yielded)
			}
			r.Response.Close()
		}
		if yielded != n || hooked != n {
			t.Errorf("%s: %d results, %d hooks", name, yielded, hooked)
		}
	}
}
