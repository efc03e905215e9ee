// Command goreqc is the "Go libreqc binding" row of libreqc's benchmarks: the
// same work as bench/go (Go's net/http) through the Go binding. Same
// arguments and JSON line as bench/raw_curl.c:
//
//	goreqc MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND
//
// MODE: seq (one Session, a new Request per send, keep-alive), batch (one
// Session.Map of COUNT requests at CONCURRENCY), get_mem (Response.Bytes),
// get_stream (Response.Body, streamed, copied to a counting writer). HTTP 2 is h2c
// with prior knowledge.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

func cpuSeconds() (float64, int64) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t := float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6 + float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6
	return t, ru.Maxrss
}

// countingDiscard counts what it is given and keeps nothing.
type countingDiscard struct{ n int64 }

func (c *countingDiscard) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func main() {
	if len(os.Args) < 10 {
		fmt.Fprintln(os.Stderr, "usage: goreqc MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND")
		os.Exit(2)
	}
	if os.Args[1] == "version" {
		fmt.Println(reqc.Version())
		return
	}
	mode, url := os.Args[1], os.Args[2]
	count, _ := strconv.Atoi(os.Args[3])
	conc, _ := strconv.Atoi(os.Args[4])
	httpv, _ := strconv.Atoi(os.Args[5])
	expect, _ := strconv.ParseInt(os.Args[6], 10, 64)
	scenario, clientName, round := os.Args[7], os.Args[8], os.Args[9]

	// A blocking cgo call with GOMAXPROCS=1 (what the pinning to one CPU
	// gives) has sysmon take its P back and poll every 20 µs for the whole
	// call; with an idle P to spare it backs off. docs/go.md says so.
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
	if httpv == 2 {
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

	check := func(resp *reqc.Response, n int64) error {
		if resp.StatusCode != 200 || n != expect {
			return fmt.Errorf("status %d, %d bytes", resp.StatusCode, n)
		}
		return nil
	}
	get := func() (int64, error) {
		var n int64
		var resp *reqc.Response
		var err error
		if mode == "get_stream" {
			// Response.Body streams (libreqc's pull API); io.Copy reads it
			// 64 KiB at a time through its WriteTo.
			resp, err = s.Get(ctx, url)
			if err != nil {
				return 0, err
			}
			sink := &countingDiscard{}
			_, err = io.Copy(sink, resp.Body)
			resp.Body.Close()
			n = sink.n
		} else {
			resp, err = s.Get(ctx, url)
			if err != nil {
				return 0, err
			}
			var b []byte
			b, err = resp.Bytes()
			n = int64(len(b))
		}
		if err != nil {
			return n, err
		}
		return n, check(resp, n)
	}

	ok := true
	var total int64
	cpu0, _ := cpuSeconds()
	t0 := time.Now()
	switch mode {
	case "seq", "get_mem", "get_stream":
		for i := 0; i < count; i++ {
			n, err := get()
			total += n
			if err != nil {
				fmt.Fprintln(os.Stderr, "goreqc:", err)
				ok = false
				break
			}
		}
	case "batch":
		reqs := make([]*reqc.Request, count)
		one := &reqc.Request{URL: url}
		for i := range reqs {
			reqs[i] = one // a Request is a value read at each send: one serves all
		}
		good := 0
		results, err := s.Map(ctx, reqs, reqc.Concurrency(conc))
		if err != nil {
			fmt.Fprintln(os.Stderr, "goreqc:", err)
			os.Exit(1)
		}
		for _, r := range results {
			if r.Err != nil {
				continue
			}
			b, _ := r.Response.Bytes()
			total += int64(len(b))
			if check(r.Response, int64(len(b))) == nil {
				good++
			}
		}
		if good != count {
			fmt.Fprintf(os.Stderr, "goreqc: %d of %d good\n", good, count)
			ok = false
		}
	default:
		fmt.Fprintln(os.Stderr, "goreqc: unknown mode", mode)
		os.Exit(2)
	}
	wall := time.Since(t0).Seconds()
	cpu1, rss := cpuSeconds()
	fmt.Printf("{\"scenario\":%q,\"client\":%q,\"round\":%s,\"requests\":%d,\"bytes\":%d,\"wall_s\":%.6f,\"cpu_s\":%.6f,\"rss_kib\":%d,\"ok\":%t}\n",
		scenario, clientName, round, count, total, wall, cpu1-cpu0, rss, ok)
	if !ok {
		os.Exit(1)
	}
}
