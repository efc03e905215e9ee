package reqc_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

// Response.Body is streamed: Do returns with the head, the body arrives as
// it is read.
func TestBodyStreamed(t *testing.T) {
	s := newSession(t)
	start := time.Now()
	resp, err := s.Get(context.Background(), base+"/drip?duration=0.6&numbytes=3&delay=0")
	must(t, err)
	head := time.Since(start)
	b, err := resp.Bytes()
	must(t, err)
	// The drip takes ~400 ms: the head comes well before the body's end.
	if total := time.Since(start); string(b) != "***" || total < 300*time.Millisecond || head > total-200*time.Millisecond {
		t.Errorf("body %q: head after %v, body after %v", b, head, time.Since(start))
	}
	// Small reads, big reads and io.Copy all see the same bytes.
	want := do(t, s, &reqc.Request{URL: base + "/bytes/100000?seed=7", Buffered: true})
	wantBody, _ := want.Bytes()
	for name, read := range map[string]func(io.Reader) ([]byte, error){
		"io.ReadAll":   io.ReadAll,
		"7-byte reads": readInSevens,
		"io.Copy": func(r io.Reader) ([]byte, error) {
			var out bytes.Buffer
			_, err := io.Copy(&out, r)
			return out.Bytes(), err
		},
	} {
		resp := do(t, s, &reqc.Request{URL: base + "/bytes/100000?seed=7"})
		got, err := read(resp.Body)
		resp.Body.Close()
		if err != nil || sha256.Sum256(got) != sha256.Sum256(wantBody) {
			t.Errorf("%s: %d bytes, %v", name, len(got), err)
		}
		if _, err := resp.Body.Read(make([]byte, 1)); err == nil {
			t.Errorf("%s: read after close", name)
		}
	}
}

// A body that is all in when its head is (the C stream is over at the
// open) is taken whole in the open's cgo call, as far as 16 KiB; past that
// the body streams on from where the open stopped. Either way Read, Bytes
// and io.Copy see the body's bytes in order, decoded, whatever the size
// around that bound.
func TestBodyTakenWithItsHead(t *testing.T) {
	reqcOnly(t)
	s := newSession(t)
	readers := map[string]func(io.Reader) ([]byte, error){
		"Bytes":        nil,
		"io.Copy":      func(r io.Reader) ([]byte, error) { var b bytes.Buffer; _, err := io.Copy(&b, r); return b.Bytes(), err },
		"7-byte reads": readInSevens,
	}
	for _, size := range []int{0, 1, 16383, 16384, 16385, 100000} {
		for _, gz := range []string{"", "&gzip=1"} { // gzip: a few KiB on the wire, the size decoded
			for name, read := range readers {
				resp, err := s.Get(context.Background(), fmt.Sprintf("%s/reqc/pattern?bytes=%d%s", base, size, gz))
				must(t, err)
				var got []byte
				if read == nil {
					got, err = resp.Bytes()
				} else {
					got, err = read(resp.Body)
					resp.Body.Close()
				}
				bad := err != nil || len(got) != size
				for i := 0; !bad && i < len(got); i++ {
					bad = got[i] != byte(i%251)
				}
				if bad {
					t.Errorf("%d bytes%s, %s: got %d bytes (%v)", size, gz, name, len(got), err)
				}
			}
		}
	}
}

// A small body cut short (the connection closed after half of its
// Content-Length) may be over at the open, failed: the bytes that came are
// read first, then the failure, as for a body that streams; every read
// after it fails the same way.
func TestSmallBodyCutShortFailsAfterItsBytes(t *testing.T) {
	reqcOnly(t)
	s := newSession(t)
	for _, read := range []func(*reqc.Response) ([]byte, error){
		(*reqc.Response).Bytes,
		func(r *reqc.Response) ([]byte, error) { defer r.Body.Close(); return readInSevens(r.Body) },
	} {
		resp, err := s.Get(context.Background(), base+"/reqc/pattern?bytes=2000&cut=1")
		must(t, err)
		got, err := read(resp)
		if !errors.Is(err, reqc.ErrRecv) || len(got) > 1000 {
			t.Errorf("cut body: %d bytes, %v (want at most 1000 bytes, then REQC_E_RECV)", len(got), err)
		}
		for i := range got {
			if got[i] != byte(i%251) {
				t.Fatalf("byte %d is %d", i, got[i])
			}
		}
	}
}

// A HEAD's transfer is over with its head: the Response holds no stream
// (its Body is http.NoBody) and, left unclosed, keeps no connection from
// the session.
func TestBodilessResponseHoldsNoConnection(t *testing.T) {
	reqcOnly(t)
	control := os.Getenv("REQC_TEST_CONTROL")
	if control == "" {
		t.Skip("needs the test server's control port")
	}
	stat := func(key string) int {
		resp, err := http.Get(control + "/stats")
		must(t, err)
		defer resp.Body.Close()
		var m map[string]any
		must(t, json.NewDecoder(resp.Body).Decode(&m))
		n, _ := m[key].(float64)
		return int(n)
	}
	reset, err := http.Post(control+"/reset", "", nil)
	must(t, err)
	reset.Body.Close()
	s := newSession(t)
	for i := 0; i < 3; i++ {
		resp := do(t, s, &reqc.Request{Method: http.MethodHead, URL: base + "/reqc/pattern?bytes=1000"})
		if resp.Body != http.NoBody || resp.Header.Get("Content-Length") != "1000" {
			t.Fatalf("HEAD: body %T, Content-Length %q", resp.Body, resp.Header.Get("Content-Length"))
		}
	}
	if n := stat("connections"); n != 1 {
		t.Errorf("3 unclosed HEAD responses used %d connections, want 1", n)
	}
}

// readInSevens reads r to its end 7 bytes at a time: reads smaller than
// the body's own buffer.
func readInSevens(r io.Reader) ([]byte, error) {
	var out bytes.Buffer
	p := make([]byte, 7)
	for {
		n, err := r.Read(p)
		out.Write(p[:n])
		if err == io.EOF {
			return out.Bytes(), nil
		}
		if err != nil {
			return out.Bytes(), err
		}
	}
}

func TestContextCancelMidBodyReadStreamed(t *testing.T) {
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, err := s.Get(ctx, base+"/drip?duration=4&numbytes=4&delay=0")
	must(t, err)
	p := make([]byte, 1)
	if n, err := resp.Body.Read(p); n != 1 || err != nil {
		t.Fatalf("first byte: %d %v", n, err)
	}
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = io.ReadAll(resp.Body)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, reqc.ErrCancelled) || time.Since(start) > 2*time.Second {
		t.Errorf("cancel mid-body: %v after %v", err, time.Since(start))
	}
	resp.Body.Close()
	// A deadline likewise.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	resp, err = s.Get(ctx2, base+"/drip?duration=4&numbytes=4&delay=0")
	must(t, err)
	_, err = io.ReadAll(resp.Body)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline mid-body: %v", err)
	}
	resp.Body.Close()
}

// Close from another goroutine ends a blocked Read; the session goes on.
func TestBodyCloseWhileReading(t *testing.T) {
	s := newSession(t)
	resp, err := s.Get(context.Background(), base+"/drip?duration=4&numbytes=4&delay=0")
	must(t, err)
	time.AfterFunc(150*time.Millisecond, func() { resp.Body.Close() })
	start := time.Now()
	_, err = io.ReadAll(resp.Body)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Errorf("read after close: %v after %v", err, time.Since(start))
	}
	r2, err := s.Get(context.Background(), base+"/get")
	must(t, err)
	r2.Close()
}

// A body outlives its session's Close (the stream keeps the C session), and
// a body left open does not hold Close up.
func TestBodyOutlivesSession(t *testing.T) {
	s, err := reqc.NewSession()
	must(t, err)
	resp, err := s.Get(context.Background(), base+"/bytes/100000")
	must(t, err)
	open, err := s.Get(context.Background(), base+"/drip?duration=2&numbytes=2&delay=0")
	must(t, err)
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Close waits for an open body")
	}
	b, err := resp.Bytes()
	if err != nil || len(b) != 100000 {
		t.Errorf("after Close: %d bytes, %v", len(b), err)
	}
	open.Close()
}

// AllSeq pulls requests from a sequence as the batch has room: built ahead
// between the batch's steps (the usual path), or pulled inside the source
// callback (its fallback).
func TestAllSeq(t *testing.T) {
	for _, ahead := range []bool{true, false} {
		t.Run(map[bool]string{true: "ahead", false: "in-callback"}[ahead], func(t *testing.T) {
			defer reqc.SetBuildAhead(reqc.SetBuildAhead(ahead))
			testAllSeq(t)
		})
	}
}

func testAllSeq(t *testing.T) {
	s := newSession(t)
	const n = 200
	var landed atomic.Int64
	pulled, maxAhead := int64(0), int64(0)
	gen := func(yield func(*reqc.Request) bool) {
		for i := 0; i < n; i++ {
			pulled++
			if ahead := pulled - landed.Load(); ahead > maxAhead {
				maxAhead = ahead
			}
			r := &reqc.Request{URL: base + "/anything", Params: []reqc.Param{{"i", string(rune('a' + i%26))}}}
			switch i {
			case 7: // its C request cannot be built
				r = &reqc.Request{URL: base + "/get\x00"}
			case 11: // no request at all
				r = nil
			}
			if !yield(r) {
				return
			}
		}
	}
	seen := map[int]bool{}
	for i, r := range s.AllSeq(context.Background(), gen, reqc.Concurrency(8)) {
		landed.Add(1)
		if seen[i] {
			t.Errorf("position %d twice", i)
		}
		seen[i] = true
		if i == 7 || i == 11 {
			if !errors.Is(r.Err, reqc.ErrInvalidArgument) {
				t.Errorf("bad request at %d: %v", i, r.Err)
			}
			continue
		}
		if r.Err != nil {
			t.Fatalf("%d: %v", i, r.Err)
		}
		var e echo
		must(t, r.Response.JSON(&e))
		if e.Args["i"] != string(rune('a'+i%26)) {
			t.Errorf("position %d got %v", i, e.Args)
		}
		if rq := r.Response.Request; rq == nil || rq.Params[0].Value != e.Args["i"] {
			t.Errorf("position %d: Response.Request %+v", i, rq)
		}
	}
	if len(seen) != n {
		t.Errorf("%d results", len(seen))
	}
	if maxAhead > 40 {
		t.Errorf("the sequence ran %d ahead of the results", maxAhead)
	}
	// A panic in the sequence is repeated in the loop's goroutine.
	v := recovered(func() {
		for range s.AllSeq(context.Background(), func(yield func(*reqc.Request) bool) {
			yield(&reqc.Request{URL: base + "/get"})
			panic("in the sequence")
		}) {
		}
	})
	if v != "in the sequence" {
		t.Errorf("sequence panic: %v", v)
	}
	// And a Goexit in the sequence ends the loop's goroutine, not libreqc's frames.
	if !goexited(func() {
		for range s.AllSeq(context.Background(), func(yield func(*reqc.Request) bool) {
			yield(&reqc.Request{URL: base + "/get"})
			runtime.Goexit()
		}) {
		}
	}) {
		t.Error("sequence Goexit not repeated")
	}
	// So is a panic of user code run while a pulled request is built (a
	// json.Marshaler): it must not unwind through libreqc's source callback.
	v = recovered(func() {
		for range s.AllSeq(context.Background(), func(yield func(*reqc.Request) bool) {
			yield(&reqc.Request{Method: "POST", URL: base + "/post", JSON: panickyJSON{}})
		}) {
		}
	})
	if v != "in MarshalJSON" {
		t.Errorf("MarshalJSON panic: %v", v)
	}
	// Breaking out stops the pulling.
	count := 0
	for range s.AllSeq(context.Background(), func(yield func(*reqc.Request) bool) {
		for yield(&reqc.Request{URL: base + "/get"}) {
		}
	}, reqc.Concurrency(4)) {
		count++
		if count == 5 {
			break
		}
	}
}

// panickyJSON panics when encoded.
type panickyJSON struct{}

func (panickyJSON) MarshalJSON() ([]byte, error) { panic("in MarshalJSON") }
