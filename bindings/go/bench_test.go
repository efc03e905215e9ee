package reqc_test

import (
	"context"
	"runtime"
	"syscall"
	"testing"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

// The binding's own cost per request, for profiling (not run by go test
// without -bench), against the test server:
//
//	cd bindings/go && ../../tests/with-server.sh go test -run '^$' -bench . -cpuprofile cpu.out
//
// Each reports allocations and the process's voluntary context switches
// per request (csw/op): blocking.go's yield, and batch.go's run in steps,
// keep those near what C needs (a 1,000-item Map went from ~0.10 to ~0.03
// switches per item when it stopped running as one cgo call).

func BenchmarkGet(b *testing.B) {
	s := newSession(b)
	ctx := context.Background()
	benchPerRequest(b, func() {
		resp, err := s.Get(ctx, base+"/bytes/64")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := resp.Bytes(); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkGetBuffered(b *testing.B) {
	s := newSession(b)
	ctx := context.Background()
	req := &reqc.Request{URL: base + "/bytes/64", Buffered: true}
	benchPerRequest(b, func() {
		resp, err := s.Do(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := resp.Bytes(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkMapItem is one item of a Map of 1,000 (ns/op, allocs/op and
// csw/op are per item).
func BenchmarkMapItem(b *testing.B) {
	benchBatchItem(b, func(s *reqc.Session, reqs []*reqc.Request) int {
		res, err := s.Map(context.Background(), reqs, reqc.Concurrency(64))
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
		return len(res)
	})
}

// BenchmarkAllItem is one item of a range over All of 1,000, each result
// dropped as it lands (the bench row's batch).
func BenchmarkAllItem(b *testing.B) {
	benchBatchItem(b, func(s *reqc.Session, reqs []*reqc.Request) int {
		n := 0
		for _, r := range s.All(context.Background(), reqs, reqc.Concurrency(64)) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
			n++
		}
		return n
	})
}

// benchBatchItem runs batches of up to 1,000 items through run until b.N
// items have landed.
func benchBatchItem(b *testing.B, run func(*reqc.Session, []*reqc.Request) int) {
	s := newSession(b)
	const items = 1000
	reqs := make([]*reqc.Request, items)
	one := &reqc.Request{URL: base + "/bytes/64"}
	for i := range reqs {
		reqs[i] = one
	}
	b.ReportAllocs()
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	done := 0
	for done < b.N {
		done += run(s, reqs[:min(items, b.N-done)])
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	b.ReportMetric(float64(after.Nvcsw-before.Nvcsw)/float64(b.N), "csw/op")
}

func benchPerRequest(b *testing.B, one func()) {
	b.ReportAllocs()
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	calls := runtime.NumCgoCall()
	for i := 0; i < b.N; i++ {
		one()
	}
	calls = runtime.NumCgoCall() - calls
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	b.ReportMetric(float64(after.Nvcsw-before.Nvcsw)/float64(b.N), "csw/op")
	b.ReportMetric(float64(calls)/float64(b.N), "cgo/op")
}
