package reqc

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Why the binding yields before a blocking C call.
//
// Go's sysmon takes a goroutine that has not been rescheduled for 10 ms
// (the runtime's forcePreemptNS) for one running too long. A goroutine
// that only sends, one request after another, is never rescheduled: its
// cgo calls return to it on the same P. So after its first 10 ms, at every
// sysmon tick (20 µs) during each blocking call, sysmon takes its P, hands
// it off and wakes a thread for it, and the call's return must win a P
// back: measured on a sequential keep-alive loop, 2.5 context switches and
// ~10-25 µs of CPU more per send than the same loop in C (with GOMAXPROCS
// 2, a P to spare). A yield now and then restarts that clock, which leaves
// sysmon asleep: the loop then costs what C does. A batch is the same
// case from inside: its complete callbacks come back to the goroutine that
// runs it on the same P, so batch.go runs it in steps with a yield between
// them rather than in one call.
//
// The yield is throttled: one runtime.Gosched per yieldEvery, shared by
// every goroutine (best effort: with several goroutines sending, the
// scheduler switches among them anyway). A yield is not free: with a P
// idle, Gosched wakes a thread to look for work (wakep), two context
// switches. Half of sysmon's 10 ms is often enough: 4,000 sequential sends
// went from ~1.36 to ~1.23 voluntary context switches each with 5 ms
// instead of 1 (C: 1.0).
const yieldEvery = 5 * time.Millisecond

var (
	yieldEpoch = time.Now() // monotonic origin of lastYield
	lastYield  atomic.Int64 // nanoseconds since yieldEpoch
)

// beforeBlockingCall is called just before a cgo call that may block on the
// network (a send, an open, a body read, a step of a batch's run).
func beforeBlockingCall() {
	now := int64(time.Since(yieldEpoch))
	if last := lastYield.Load(); now-last >= int64(yieldEvery) && lastYield.CompareAndSwap(last, now) {
		runtime.Gosched()
	}
}
