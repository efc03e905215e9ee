package reqc

import (
	"runtime"
	"testing"
	"time"
)

// A scratch's C memory is freed once nothing refers to the scratch (the
// pool drops its items at a GC): sends do not leak it.
func TestScratchMemoryIsFreed(t *testing.T) {
	before := scratchLive.Load()
	for range 16 {
		sc := newScratch()
		sc.hbuf[0], sc.body[len(sc.body)-1] = 'x', 'y' // the views reach the ends of C's buffers
	}
	if got := scratchLive.Load(); got < before+16 {
		t.Fatalf("live scratches %d after making 16 more than %d", got, before)
	}
	// Cleanups run on their own goroutine after a GC: wait for them (the
	// limit only stops a test that would otherwise hang).
	for limit := time.Now().Add(30 * time.Second); scratchLive.Load() > before; {
		if time.Now().After(limit) {
			t.Fatalf("live scratches %d, want at most %d: C memory not freed", scratchLive.Load(), before)
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}
