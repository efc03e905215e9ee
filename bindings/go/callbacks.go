package reqc

// Every C callback of the package reaches Go through one of the exported
// trampolines below (bridge.c registers them). Userdata is a runtime/cgo.Handle,
// deleted in reqcgoFree when libreqc drops the registration: C never keeps a
// Go pointer.
//
// User code (hooks, io.Reader/io.Writer bodies, log sinks) never unwinds
// through libreqc's frames: a panic or runtime.Goexit there would leave
// handles marked in use forever. Each call of user code runs on its own
// goroutine (the only way to survive runtime.Goexit, which t.Fatal calls),
// the trampoline waits for it, returns "abort" to libreqc on a panic or a
// Goexit, and the Go call that started the send repeats it after the C call
// has returned.

/*
#include "bridge.h"
*/
import "C"

import (
	"errors"
	"io"
	"runtime"
	"runtime/cgo"
	"sync"
	"unsafe"
	"weak"
)

// outcome says how a call of user code ended, when not normally.
type outcome struct {
	panicked bool
	value    any
	goexit   bool
}

func (o outcome) failed() bool { return o.panicked || o.goexit }

// runUser runs fn on a goroutine of its own and waits for it, catching a
// panic or runtime.Goexit.
func runUser(fn func()) (out outcome) {
	done := make(chan struct{})
	go func() {
		normal := false
		defer func() {
			if !normal {
				if r := recover(); r != nil {
					out = outcome{panicked: true, value: r}
				} else {
					out = outcome{goexit: true}
				}
			}
			close(done)
		}()
		fn()
		normal = true
	}()
	<-done
	return out
}

// callState collects what user code did during one C call (a send or a
// batch run), for the caller to act on once the call returns.
type callState struct {
	mu      sync.Mutex
	failure *outcome // the first panic or Goexit
	cause   error    // the first error a hook returned to abort
}

func (cs *callState) fail(o outcome) {
	cs.mu.Lock()
	if cs.failure == nil {
		cs.failure = &o
	}
	cs.mu.Unlock()
}

func (cs *callState) abort(err error) {
	cs.mu.Lock()
	if cs.cause == nil {
		cs.cause = err
	}
	cs.mu.Unlock()
}

// rethrow repeats, in the calling goroutine, a panic or Goexit of user code.
func (cs *callState) rethrow() {
	cs.mu.Lock()
	f := cs.failure
	cs.mu.Unlock()
	if f == nil {
		return
	}
	if f.goexit {
		runtime.Goexit()
	}
	panic(f.value)
}

// catch, deferred by a callback that runs only the binding's own code,
// records a panic of that code (a bug) to be repeated once the C call
// returns, as rethrow does for user code, rather than let it unwind
// through libreqc's frames (which would leave its handles in use).
func (cs *callState) catch() {
	if r := recover(); r != nil {
		cs.fail(outcome{panicked: true, value: r})
	}
}

func (cs *callState) abortCause() error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.cause
}

//export reqcgoFree
func reqcgoFree(h C.uintptr_t) {
	if b, ok := cgo.Handle(h).Value().(*logBinding); ok {
		b.released()
	}
	cgo.Handle(h).Delete()
}

// hookBinding is a hook's userdata: the Go func and the send it belongs to.
type hookBinding struct {
	fn    HookFunc
	state *callState
}

//export reqcgoHook
func reqcgoHook(h C.uintptr_t, kind C.reqc_hook_kind, ctx *C.reqc_hook_ctx) C.reqc_hook_result {
	b := cgo.Handle(h).Value().(*hookBinding)
	hc := &HookContext{Kind: HookKind(kind), ctx: ctx}
	var err error
	o := runUser(func() { err = b.fn(hc) })
	hc.ctx = nil // lent for the call only
	if o.failed() {
		b.state.fail(o)
		return C.REQC_HOOK_RESULT_ABORT
	}
	if err != nil {
		var w *warning
		if errors.As(err, &w) {
			return C.REQC_HOOK_RESULT_ERROR
		}
		b.state.abort(err)
		return C.REQC_HOOK_RESULT_ABORT
	}
	return C.REQC_HOOK_RESULT_CONTINUE
}

// readerBinding is an upload body's userdata.
type readerBinding struct {
	r     io.Reader
	state *callState
}

//export reqcgoRead
func reqcgoRead(h C.uintptr_t, buf *C.uint8_t, capacity C.size_t, written *C.size_t) C.int {
	b := cgo.Handle(h).Value().(*readerBinding)
	dst := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(capacity))
	n := 0
	var err error
	o := runUser(func() {
		// A Read of 0 bytes and no error is not the end: try again.
		for tries := 0; n == 0 && err == nil && tries < 100; tries++ {
			n, err = b.r.Read(dst)
		}
	})
	if o.failed() {
		b.state.fail(o)
		return 1
	}
	if err != nil && err != io.EOF {
		b.state.abort(err)
		return 1
	}
	*written = C.size_t(n)
	return 0
}

// writerBinding is a response body sink's userdata (Request.BodyWriter).
type writerBinding struct {
	w     io.Writer
	state *callState
}

//export reqcgoData
func reqcgoData(h C.uintptr_t, data *C.uint8_t, n C.size_t) C.int {
	b := cgo.Handle(h).Value().(*writerBinding)
	var src []byte
	if n > 0 {
		src = unsafe.Slice((*byte)(unsafe.Pointer(data)), int(n))
	}
	var err error
	o := runUser(func() { _, err = b.w.Write(src) })
	if o.failed() {
		b.state.fail(o)
		return 1
	}
	if err != nil {
		b.state.abort(err)
		return 1
	}
	return 0
}

// logSink is where a session's or the process's log lines go.
type logSink struct {
	write func(level LogLevel, line string)
}

// logBinding is a log sink's userdata. A session's sink is held by its
// Session (Session.logSinks) until libreqc releases the userdata (sends in
// flight keep using a sink replaced meanwhile), and the userdata only
// points at the sink and the session weakly: a cgo.Handle is a GC root, so
// a writer that captures its own session (a struct that both logs and owns
// the session, say) would otherwise keep the session alive for ever. The
// global sink lives as long as the process: the userdata holds it (keep).
type logBinding struct {
	sink  weak.Pointer[logSink]
	keep  *logSink
	owner weak.Pointer[Session] // the session whose logSinks holds sink
	// A panic of the sink: a log line belongs to no one call, so the next
	// send of the session (or of any caller, for the global sink) repeats it.
	pending *pendingPanic
}

// released lets the session drop the sink once libreqc no longer uses it.
// (While the session lives, its set holds the sink: the weak pointer to it
// is still good.)
func (b *logBinding) released() {
	if s := b.owner.Value(); s != nil {
		s.mu.Lock()
		delete(s.logSinks, b.sink.Value())
		s.mu.Unlock()
	}
}

type pendingPanic struct {
	mu sync.Mutex
	o  *outcome
}

func (p *pendingPanic) set(o outcome) {
	p.mu.Lock()
	if p.o == nil {
		p.o = &o
	}
	p.mu.Unlock()
}

// take moves a pending panic into cs.
func (p *pendingPanic) take(cs *callState) {
	if p == nil {
		return
	}
	p.mu.Lock()
	o := p.o
	p.o = nil
	p.mu.Unlock()
	if o != nil {
		cs.fail(*o)
	}
}

//export reqcgoLog
func reqcgoLog(h C.uintptr_t, level C.reqc_log_level, line *C.char) {
	b := cgo.Handle(h).Value().(*logBinding)
	sink := b.sink.Value()
	if sink == nil {
		return // its session is being collected: no one to log for
	}
	text := C.GoString(line)
	o := runUser(func() { sink.write(LogLevel(level), text) })
	if o.failed() {
		b.pending.set(o)
	}
}

// batchRun is a batch's completion userdata: each result is converted and
// its C response freed as it lands, then handed to deliver.
type batchRun struct {
	deliver func(Result)
	state   *callState // the batch's: a panic of the conversion is repeated after the run
	reqs    []*Request
	index   []int               // batch index -> index in reqs
	sourced map[int]sourcedItem // instead of reqs and index, for a source-fed batch
	ctxErr  func() error
}

// sourcedItem is an item of a source-fed batch between its pull and its
// result: its position in the sequence and its Request (for
// Response.Request). Only items in flight are kept, so that memory stays
// bounded however long the sequence.
type sourcedItem struct {
	pos int
	req *Request
}

// reqcgoComplete takes a batch item's result. On success bridge.c has read
// resp into info and hbuf (its own frame, valid during this call) and frees
// resp when this returns.
//
//export reqcgoComplete
func reqcgoComplete(h C.uintptr_t, batch *C.reqc_batch, index C.size_t, code C.reqc_code, resp *C.reqc_response,
	info *C.reqcgo_response_info, hbuf *C.char, hcap C.size_t) {
	run := cgo.Handle(h).Value().(*batchRun)
	defer run.state.catch()
	if completeFault != nil {
		completeFault()
	}
	var i int
	var req *Request
	if run.sourced != nil {
		item := run.sourced[int(index)]
		delete(run.sourced, int(index))
		i, req = item.pos, item.req
	} else {
		i = run.index[int(index)]
		req = run.reqs[i]
	}
	res := Result{Index: i}
	if code == C.REQC_OK && info != nil {
		res.Response = responseFrom(resp, info, unsafe.Slice((*byte)(unsafe.Pointer(hbuf)), int(hcap)), req)
	} else {
		e := newError(code, C.reqc_batch_item_error(batch, index))
		if code == C.REQC_E_CANCELLED {
			e.ctxErr = run.ctxErr()
		}
		res.Err = e
	}
	run.deliver(res)
}

// completeFault, set only by a test (export_test.go), runs at the start of
// each complete callback: a stand-in for a bug of the conversion.
var completeFault func()

// sourceRun is a lazy batch's source userdata. Between the run's steps,
// on the loop's goroutine, refill pulls requests from the caller's
// sequence and builds their C requests; the source callback hands them to
// the batch. Pulling inside the callback instead (its fallback, when the
// batch asks for more than was built ahead) costs a goroutine for runUser
// and a switch to the sequence's coroutine on a thread that cgo keeps
// locked: ~20 µs an item, against ~0.3 from refill.
type sourceRun struct {
	next    func() (*Request, bool)
	hooks   []Hook
	state   *callState
	pulled  int                 // requests taken from the sequence so far
	sourced map[int]sourcedItem // the batchRun's: what each batch index is
	failed  func(Result)        // a request that could not be built: its result now
	ended   bool
	ready   []readyItem // built ahead by refill, taken in order by the callback
	room    int         // how many refill builds ahead: a step starts at most the concurrency's worth
}

// readyItem is a request pulled and built ahead, not yet taken by the batch.
type readyItem struct {
	pos int
	req *Request
	cr  *cRequest
}

// refill pulls and builds requests until room of them wait or the sequence
// ends. It runs in the loop's goroutine outside any C call, so a panic or
// Goexit of the sequence or of building (a json.Marshaler) simply goes
// through the loop.
func (src *sourceRun) refill() {
	for len(src.ready) < src.room && !src.ended {
		r, ok := src.next()
		if !ok {
			src.ended = true
			return
		}
		var cr *cRequest
		var err error
		if r != nil {
			cr, err = r.toC(src.hooks, src.state)
		}
		if pos, ok := src.admit(r, err); ok {
			src.ready = append(src.ready, readyItem{pos: pos, req: r, cr: cr})
		}
	}
}

// admit numbers a request pulled from the sequence (its position in it).
// A nil one, or one whose C request could not be built (err), ends at once
// as its failed result, and admit says false.
func (src *sourceRun) admit(r *Request, err error) (int, bool) {
	pos := src.pulled
	src.pulled++
	switch {
	case r == nil:
		src.failed(Result{Index: pos, Err: argError("nil Request")})
		return pos, false
	case err != nil:
		src.failed(Result{Index: pos, Err: err})
		return pos, false
	}
	return pos, true
}

// take hands the batch the oldest request built ahead.
func (src *sourceRun) take(index int) *C.reqc_request {
	item := src.ready[0]
	n := copy(src.ready, src.ready[1:])
	src.ready[n] = readyItem{}
	src.ready = src.ready[:n]
	src.sourced[index] = sourcedItem{pos: item.pos, req: item.req}
	return item.cr.ptr // the batch takes it over
}

// freeReady frees what was built ahead and never taken (the loop stopped
// early). Only once the run has ended.
func (src *sourceRun) freeReady() {
	for _, item := range src.ready {
		item.cr.free()
	}
	src.ready = nil
}

//export reqcgoSource
func reqcgoSource(h C.uintptr_t, index C.size_t, out **C.reqc_request) C.reqc_code {
	src := cgo.Handle(h).Value().(*sourceRun)
	if len(src.ready) > 0 {
		*out = src.take(int(index))
		return C.REQC_OK
	}
	for !src.ended {
		var r *Request
		var ok bool
		var cr *cRequest
		var err error
		// Building the C request runs user code too (a json.Marshaler of
		// Request.JSON), so it is done under runUser with the pull.
		o := runUser(func() {
			if r, ok = src.next(); ok && r != nil {
				cr, err = r.toC(src.hooks, src.state)
			}
		})
		if o.failed() {
			src.state.fail(o)
			src.ended = true
			return C.REQC_E_CALLBACK
		}
		if !ok {
			src.ended = true
			break
		}
		pos, admitted := src.admit(r, err)
		if !admitted {
			continue
		}
		src.sourced[int(index)] = sourcedItem{pos: pos, req: r}
		*out = cr.ptr // the batch takes it over
		return C.REQC_OK
	}
	*out = nil
	return C.REQC_OK
}
