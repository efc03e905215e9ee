// Command goreqc is the "Go libreqc binding" row of libreqc's benchmarks: the
// same work as bench/go (Go's net/http) through the Go binding. Same
// arguments and JSON line as bench/raw_curl.c:
//
//	goreqc MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND
//
// MODE: seq (one Session, a new Request per send, keep-alive), batch (a
// range over Session.All of COUNT requests at CONCURRENCY: each result
// checked as it lands and dropped, as bench/go's goroutines do with
// theirs), batch_map (the same through Session.Map, which by contract keeps
// all COUNT results until it returns), batch_seq (Session.AllSeq over a
// sequence), get_mem (Response.Bytes), get_stream (Response.Body, streamed,
// copied to a counting writer), seq_floor (no binding: the C send in one
// cgo call, floor.go). HTTP 2 is h2c with prior knowledge.
package main

import (
	"context"
	"fmt"
	"io"
	"iter"
	"os"
	"runtime"
	"slices"

	"libreqc/bench/go/row"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

// countingDiscard counts what it is given and keeps nothing.
type countingDiscard struct{ n int64 }

func (c *countingDiscard) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "version" {
		fmt.Println(reqc.Version())
		return
	}
	a := row.Parse("goreqc")
	mode, url := a.Mode, a.URL

	// Pinned to one CPU, GOMAXPROCS is 1. Before the binding yielded
	// before blocking calls (bindings/go/blocking.go), sysmon then took its
	// P during each one; now 1 and 2 cost the same (docs/go.md), and 2 is
	// kept so that rows stay comparable with earlier runs.
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	ctx := context.Background()
	s, err := reqc.NewSession()
	if err != nil {
		fmt.Fprintln(os.Stderr, "goreqc:", err)
		os.Exit(1)
	}
	defer s.Close()
	version := reqc.HTTP11
	if a.HTTP == 2 {
		version = reqc.HTTP2PriorKnowledge
	}
	must := func(err error) {
		if err != nil {
			fmt.Fprintln(os.Stderr, "goreqc:", err)
			os.Exit(1)
		}
	}
	must(s.SetHTTPVersion(version))
	// As net/http's row: no compression asked for.
	must(s.SetHeader("Accept-Encoding", nil))

	get := func() (int64, error) {
		resp, err := s.Get(ctx, url)
		if err != nil {
			return 0, err
		}
		var n int64
		if mode == "get_stream" {
			// Response.Body streams (libreqc's pull API); io.Copy reads it
			// 64 KiB at a time through its WriteTo.
			sink := &countingDiscard{}
			_, err = io.Copy(sink, resp.Body)
			resp.Body.Close()
			n = sink.n
		} else {
			var b []byte
			b, err = resp.Bytes()
			n = int64(len(b))
		}
		if err != nil {
			return n, err
		}
		return n, a.Check(resp.StatusCode, n)
	}

	ok := true
	var total int64
	clock := row.Start()
	switch mode {
	case "seq", "get_mem", "get_stream":
		total, ok = a.Sequential("goreqc", get)
	case "batch", "batch_map", "batch_seq":
		total, ok = batch(s, a)
	case "seq_floor":
		total, ok = floor(a)
	default:
		fmt.Fprintln(os.Stderr, "goreqc: unknown mode", mode)
		os.Exit(2)
	}
	clock.Report(a, total, ok)
}

// batch runs COUNT GETs at CONCURRENCY (modes batch, batch_map and
// batch_seq) and returns the body bytes read and whether every response
// was good.
func batch(s *reqc.Session, a row.Args) (int64, bool) {
	ctx := context.Background()
	one := &reqc.Request{URL: a.URL} // a Request is a value read at each send: one serves all
	reqs := make([]*reqc.Request, a.Count)
	for i := range reqs {
		reqs[i] = one
	}
	conc := reqc.Concurrency(a.Concurrency)
	var results iter.Seq2[int, reqc.Result]
	switch a.Mode {
	case "batch":
		results = s.All(ctx, reqs, conc)
	case "batch_seq":
		results = s.AllSeq(ctx, slices.Values(reqs), conc)
	default:
		kept, err := s.Map(ctx, reqs, conc)
		if err != nil {
			fmt.Fprintln(os.Stderr, "goreqc:", err)
			os.Exit(1)
		}
		results = slices.All(kept)
	}
	var total int64
	good := 0
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		b, _ := r.Response.Bytes()
		total += int64(len(b))
		if a.Check(r.Response.StatusCode, int64(len(b))) == nil {
			good++
		}
	}
	if good != a.Count {
		fmt.Fprintf(os.Stderr, "goreqc: %d of %d good\n", good, a.Count)
		return total, false
	}
	return total, true
}
