package reqc

/*
#include "bridge.h"
*/
import "C"

import (
	"context"
	"iter"
	"runtime/cgo"
	"sync/atomic"
	"time"
)

// Result is one request's outcome in a batch: a Response or an error.
type Result struct {
	Index    int // the request's index in the slice given to Map or All
	Response *Response
	Err      error
}

// MapOption configures Map and All.
type MapOption func(*mapConfig)

type mapConfig struct {
	concurrency int
	perHost     int
	timeout     time.Duration
}

// DefaultConcurrency is how many transfers a batch runs at once when no
// Concurrency option is given: libreqc's own default
// (REQC_BATCH_DEFAULT_CONCURRENCY).
const DefaultConcurrency = C.REQC_BATCH_DEFAULT_CONCURRENCY

// Concurrency is how many transfers run at once (default: DefaultConcurrency).
func Concurrency(n int) MapOption { return func(c *mapConfig) { c.concurrency = n } }

// MaxPerHost caps the transfers to one host at once (0: no cap).
func MaxPerHost(n int) MapOption { return func(c *mapConfig) { c.perHost = n } }

// BatchTimeout is a deadline for the whole batch: unfinished items end
// with ErrTimeout.
func BatchTimeout(d time.Duration) MapOption { return func(c *mapConfig) { c.timeout = d } }

// batch is one C batch of a Map or All call.
type batch struct {
	ptr     *C.reqc_batch
	cfg     mapConfig
	index   []int    // batch index -> index in reqs
	failed  []Result // requests that could not be built: never sent
	state   *callState
	session *Session
	done    func()
}

func (b *batch) free() {
	C.reqc_batch_free(b.ptr)
	b.done()
}

// batchStepMs bounds how long one step of a run waits for the network.
const batchStepMs = 200

// run runs every item of the batch to its end, in steps (reqc_batch_poll)
// rather than in one call that runs the whole batch, and returns the run's
// code.
// Why: a batch's complete callbacks return to this goroutine on the same P,
// so it is never rescheduled; ten milliseconds into one long cgo call,
// sysmon would take its P at every tick and each callback would have to
// win it back (see blocking.go). Between steps beforeBlockingCall yields
// at most once per yieldEvery, which keeps sysmon asleep.
func (b *batch) run() C.reqc_code {
	for {
		beforeBlockingCall()
		out := C.reqcgo_batch_poll(b.ptr, batchStepMs)
		if out.code != C.REQC_OK || out.len != 0 {
			return out.code
		}
	}
}

// finish frees the batch, then repeats in the calling goroutine a panic or
// Goexit of user code during the run (a hook's, the sequence's, the log
// sink's).
func (b *batch) finish() {
	b.free()
	b.session.logPanic.take(b.state)
	b.state.rethrow()
}

// stepResults holds what one step of a run took (the complete callback
// appends to it, on the goroutine that polls), for the loop to be handed
// once the step has returned: the loop body never runs inside a C call.
type stepResults struct {
	items []Result
	drop  bool // the loop has stopped: what the rest of the run takes is discarded
}

func (q *stepResults) deliver(r Result) {
	if !q.drop {
		q.items = append(q.items, r)
	}
}

// yieldAll runs the batch in steps on the calling goroutine and, between
// steps, hands each result the last step took (and what q already holds)
// to yield. refill, when not nil, runs before each step (AllSeq builds the
// requests the source will take there). It returns the run's code, or
// false when the loop stopped early (a break; a panic or Goexit of the loop
// body or of refill goes through it): the rest of the batch is then
// cancelled and run to its end, its results dropped.
//
// Why on the calling goroutine rather than a goroutine of its own feeding
// a channel: a result that crosses goroutines costs a wake-up and, while
// the batch goroutine sits in C with the loop's goroutine runnable, a
// hand-off of its P to another thread (about 2 µs an item, measured on the
// bench's batch; see bench/FINDINGS.md). The price: a slow loop body holds
// the batch back (as a C complete callback does), so hand heavy work to
// other goroutines.
func (b *batch) yieldAll(ctx context.Context, q *stepResults, refill func(), yield func(int, Result) bool) (C.reqc_code, bool) {
	stop := cancelOnDone(ctx, func() { C.reqc_batch_cancel(b.ptr) })
	defer stop()
	finished := false
	defer func() {
		if !finished {
			q.drop = true
			clear(q.items)
			C.reqc_batch_cancel(b.ptr)
			b.run()
		}
	}()
	code, ended := C.reqc_code(C.REQC_OK), false
	for {
		for i, res := range q.items {
			q.items[i] = Result{} // the loop's now: nothing kept here
			if e, ok := res.Err.(*Error); ok && e.Code == CodeAborted {
				e.cause = b.state.abortCause()
			}
			if !yield(res.Index, res) {
				return C.REQC_OK, false
			}
		}
		q.items = q.items[:0]
		if ended {
			finished = true
			return code, true
		}
		if refill != nil {
			refill()
		}
		beforeBlockingCall()
		out := C.reqcgo_batch_poll(b.ptr, batchStepMs)
		code, ended = out.code, out.code != C.REQC_OK || out.len != 0
	}
}

// newBatch builds the C batch: every request is copied in (nothing sent yet).
func (s *Session) newBatch(reqs []*Request, opts []MapOption) (*batch, error) {
	cfg := mapConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	sp, err := s.enter()
	if err != nil {
		return nil, err
	}
	b := &batch{cfg: cfg, state: &callState{}, session: s, done: s.exit}
	if rc := C.reqc_batch_new(sp, &b.ptr); rc != C.REQC_OK {
		s.exit()
		return nil, newError(rc, nil)
	}
	fail := func(rc C.reqc_code) error {
		if rc == C.REQC_OK {
			return nil
		}
		err := newError(rc, C.reqc_batch_error(b.ptr))
		b.free()
		return err
	}
	if cfg.concurrency > 0 {
		if err := fail(C.reqc_batch_set_max_concurrency(b.ptr, C.size_t(cfg.concurrency))); err != nil {
			return nil, err
		}
	}
	if cfg.perHost > 0 {
		if err := fail(C.reqc_batch_set_max_per_host(b.ptr, C.size_t(cfg.perHost))); err != nil {
			return nil, err
		}
	}
	if cfg.timeout > 0 {
		if err := fail(C.reqc_batch_set_timeout_ms(b.ptr, ms(cfg.timeout))); err != nil {
			return nil, err
		}
	}
	hooks := s.hookSnapshot()
	b.index = make([]int, 0, len(reqs))
	// reqc_batch_add copies the C request, so the same *Request given
	// several times is built once (not one with a body reader or writer:
	// each item needs its own).
	built := map[*Request]*cRequest{}
	defer func() {
		for _, cr := range built {
			cr.free()
		}
	}()
	for i, r := range reqs {
		if r == nil {
			b.failed = append(b.failed, Result{Index: i, Err: argError("nil Request")})
			continue
		}
		cr := built[r]
		if cr == nil {
			var err error
			if cr, err = r.toC(hooks, b.state); err != nil {
				b.failed = append(b.failed, Result{Index: i, Err: err})
				continue
			}
			if r.BodyReader == nil && r.BodyWriter == nil {
				built[r] = cr
			}
		}
		rc := C.reqc_batch_add(b.ptr, cr.ptr, nil)
		if built[r] != cr {
			cr.free()
		}
		if err := fail(rc); err != nil {
			return nil, err
		}
		b.index = append(b.index, i)
	}
	return b, nil
}

// Map sends every request concurrently over one libcurl multi handle on the
// calling goroutine's thread (Concurrency(n) at once) and returns their
// results in the order of reqs (all of them kept: for results looked at
// once and dropped, All costs less). One request's failure never fails the
// others. The context cancels the whole batch (items not finished end with
// an error that satisfies errors.Is(err, context.Canceled)). The error is
// for the batch as a whole (a closed session, ...). May block on the network.
func (s *Session) Map(ctx context.Context, reqs []*Request, opts ...MapOption) ([]Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	b, err := s.newBatch(reqs, opts)
	if err != nil {
		return nil, err
	}
	defer b.finish()
	results := make([]Result, len(reqs))
	done := make([]bool, len(reqs))
	for _, f := range b.failed {
		results[f.Index] = f
		done[f.Index] = true
	}
	// Each result is taken as it lands (the callback runs on this goroutine,
	// inside the run's steps), so C holds no finished response.
	run := &batchRun{reqs: reqs, index: b.index, ctxErr: ctx.Err, state: b.state, deliver: func(r Result) {
		results[r.Index] = r
		done[r.Index] = true
	}}
	h := cgo.NewHandle(run)
	if rc := C.reqcgo_batch_set_complete(b.ptr, C.uintptr_t(h)); rc != C.REQC_OK {
		return nil, newError(rc, C.reqc_batch_error(b.ptr))
	}
	stop := cancelOnDone(ctx, func() { C.reqc_batch_cancel(b.ptr) })
	prc := b.run()
	stop()
	cause := b.state.abortCause()
	for i := range results {
		if !done[i] {
			e := &Error{Code: CodeInvalidState, Message: "REQC_E_INVALID_STATE: the batch ended without this item's result"}
			if prc != C.REQC_OK {
				e = newError(prc, C.reqc_batch_error(b.ptr))
			}
			results[i] = Result{Index: i, Err: e}
		}
		if e, ok := results[i].Err.(*Error); ok && e.Code == CodeAborted {
			e.cause = cause
		}
	}
	return results, nil
}

// All is Map as an iterator: it yields (index, result) as each request
// lands, in completion order, and keeps none of them: use it rather than
// Map when each result is looked at and dropped. Breaking out of the loop
// cancels the rest of the batch. The batch runs on the loop's goroutine (its
// thread), in steps, and the loop body between them: a hook and the loop
// body never run at once, and a slow loop body holds the batch back (hand
// heavy work to other goroutines).
func (s *Session) All(ctx context.Context, reqs []*Request, opts ...MapOption) iter.Seq2[int, Result] {
	return func(yield func(int, Result) bool) {
		if ctx == nil {
			ctx = context.Background()
		}
		b, err := s.newBatch(reqs, opts)
		if err != nil {
			for i := range reqs {
				if !yield(i, Result{Index: i, Err: err}) {
					return
				}
			}
			return
		}
		defer b.finish()
		q := &stepResults{items: append(make([]Result, 0, 2*b.concurrency()), b.failed...)}
		run := &batchRun{reqs: reqs, index: b.index, ctxErr: ctx.Err, state: b.state, deliver: q.deliver}
		h := cgo.NewHandle(run)
		if rc := C.reqcgo_batch_set_complete(b.ptr, C.uintptr_t(h)); rc != C.REQC_OK {
			err := newError(rc, C.reqc_batch_error(b.ptr))
			for i := range reqs {
				if !yield(i, Result{Index: i, Err: err}) {
					return
				}
			}
			return
		}
		seen := make([]bool, len(reqs))
		prc, ended := b.yieldAll(ctx, q, nil, func(i int, r Result) bool {
			seen[i] = true
			return yield(i, r)
		})
		if ended && prc != C.REQC_OK {
			err := newError(prc, C.reqc_batch_error(b.ptr))
			for i, ok := range seen {
				if !ok && !yield(i, Result{Index: i, Err: err}) {
					return
				}
			}
		}
	}
}

// AllSeq is All over a sequence of requests pulled as the batch has room
// (reqc_batch_set_source_callback): at most about twice Concurrency
// requests (in flight and built ahead) and one step's responses exist at
// once however many the sequence yields, so it maps over more requests
// than fit in memory. It yields (position in reqs,
// result) as each lands. As in All, the batch runs on the loop's goroutine;
// between its steps the next requests are pulled from the sequence and
// built, up to Concurrency of them ahead, so a panic or Goexit there goes
// through the loop as its own would. Breaking out of the loop cancels the
// rest.
func (s *Session) AllSeq(ctx context.Context, reqs iter.Seq[*Request], opts ...MapOption) iter.Seq2[int, Result] {
	return func(yield func(int, Result) bool) {
		if ctx == nil {
			ctx = context.Background()
		}
		b, err := s.newBatch(nil, opts)
		if err != nil {
			yield(0, Result{Err: err})
			return
		}
		defer b.finish()
		next, stopPull := iter.Pull(reqs)
		defer stopPull()
		room := b.concurrency()
		q := &stepResults{items: make([]Result, 0, 2*room)}
		ahead := room
		if pullInCallback.Load() {
			ahead = 0
		}
		sourced := map[int]sourcedItem{}
		run := &batchRun{sourced: sourced, ctxErr: ctx.Err, state: b.state, deliver: q.deliver}
		src := &sourceRun{next: next, hooks: s.hookSnapshot(), state: b.state, sourced: sourced, failed: q.deliver,
			ready: make([]readyItem, 0, ahead), room: ahead}
		hc, hs := cgo.NewHandle(run), cgo.NewHandle(src)
		if rc := C.reqcgo_batch_set_complete(b.ptr, C.uintptr_t(hc)); rc != C.REQC_OK {
			cgo.Handle(hs).Delete() // never given to C
			yield(0, Result{Err: newError(rc, C.reqc_batch_error(b.ptr))})
			return
		}
		if rc := C.reqcgo_batch_set_source(b.ptr, C.uintptr_t(hs)); rc != C.REQC_OK {
			yield(0, Result{Err: newError(rc, C.reqc_batch_error(b.ptr))})
			return
		}
		defer src.freeReady() // after the run: what was built and never taken
		// REQC_E_CALLBACK: the sequence panicked in the source callback,
		// which finish repeats.
		prc, ended := b.yieldAll(ctx, q, src.refill, yield)
		if ended && prc != C.REQC_OK && prc != C.REQC_E_CALLBACK {
			yield(-1, Result{Index: -1, Err: newError(prc, C.reqc_batch_error(b.ptr))})
		}
	}
}

// pullInCallback turns AllSeq's building ahead off: every request is then
// pulled inside the source callback, its fallback (the tests run both).
var pullInCallback atomic.Bool

// concurrency is the batch's concurrency, for sizing what waits in Go.
func (b *batch) concurrency() int {
	if b.cfg.concurrency > 0 {
		return b.cfg.concurrency
	}
	return DefaultConcurrency
}
