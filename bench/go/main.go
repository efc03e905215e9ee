// Command gobench is the Go net/http row of libreqc's benchmarks (standard
// library only). Same arguments and JSON line as bench/raw_curl.c:
//
//	gobench MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND
//
// MODE: seq (one client, keep-alive), batch (CONCURRENCY goroutines over one
// Transport), get_mem (io.ReadAll), get_stream (io.Copy to io.Discard).
// HTTP 2 is h2c with prior knowledge (http.Protocols, Go 1.24+).
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"

	"libreqc/bench/go/row"
)

func main() {
	a := row.Parse("gobench")
	mode, url, count, conc := a.Mode, a.URL, a.Count, a.Concurrency

	tr := &http.Transport{
		MaxIdleConns:        conc + 1,
		MaxIdleConnsPerHost: conc + 1,
		MaxConnsPerHost:     conc,
		DisableCompression:  true,
	}
	if a.HTTP == 2 {
		p := new(http.Protocols)
		p.SetUnencryptedHTTP2(true)
		tr.Protocols = p
	}
	client := &http.Client{Transport: tr}

	get := func(stream bool) (int64, error) {
		resp, err := client.Get(url)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var n int64
		if stream {
			n, err = io.Copy(io.Discard, resp.Body)
		} else {
			var b []byte
			b, err = io.ReadAll(resp.Body)
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
		total, ok = a.Sequential("gobench", func() (int64, error) { return get(mode == "get_stream") })
	case "batch":
		var next, good, bytesTotal int64
		var wg sync.WaitGroup
		for w := 0; w < conc; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for atomic.AddInt64(&next, 1) <= int64(count) {
					n, err := get(false)
					atomic.AddInt64(&bytesTotal, n)
					if err == nil {
						atomic.AddInt64(&good, 1)
					}
				}
			}()
		}
		wg.Wait()
		total = bytesTotal
		if good != int64(count) {
			fmt.Fprintf(os.Stderr, "gobench: %d of %d good\n", good, count)
			ok = false
		}
	default:
		fmt.Fprintln(os.Stderr, "gobench: unknown mode", mode)
		os.Exit(2)
	}
	clock.Report(a, total, ok)
}
