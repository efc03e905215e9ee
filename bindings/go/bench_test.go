package reqc_test

import (
	"context"
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
	s := newSession(b)
	ctx := context.Background()
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
		res, err := s.Map(ctx, reqs[:min(items, b.N-done)], reqc.Concurrency(64))
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
		done += len(res)
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	b.ReportMetric(float64(after.Nvcsw-before.Nvcsw)/float64(b.N), "csw/op")
}

func benchPerRequest(b *testing.B, one func()) {
	b.ReportAllocs()
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	for i := 0; i < b.N; i++ {
		one()
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	b.ReportMetric(float64(after.Nvcsw-before.Nvcsw)/float64(b.N), "csw/op")
}
