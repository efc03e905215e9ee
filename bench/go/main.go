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
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func cpuSeconds() (float64, int64) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t := float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6 + float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6
	return t, ru.Maxrss
}

func main() {
	if len(os.Args) < 10 {
		fmt.Fprintln(os.Stderr, "usage: gobench MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND")
		os.Exit(2)
	}
	mode, url := os.Args[1], os.Args[2]
	count, _ := strconv.Atoi(os.Args[3])
	conc, _ := strconv.Atoi(os.Args[4])
	httpv, _ := strconv.Atoi(os.Args[5])
	expect, _ := strconv.ParseInt(os.Args[6], 10, 64)
	scenario, clientName, round := os.Args[7], os.Args[8], os.Args[9]

	tr := &http.Transport{
		MaxIdleConns:        conc + 1,
		MaxIdleConnsPerHost: conc + 1,
		MaxConnsPerHost:     conc,
		DisableCompression:  true,
	}
	if httpv == 2 {
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
		if resp.StatusCode != 200 || n != expect {
			return n, fmt.Errorf("status %d, %d bytes", resp.StatusCode, n)
		}
		return n, nil
	}

	ok := true
	var total int64
	cpu0, _ := cpuSeconds()
	t0 := time.Now()
	switch mode {
	case "seq", "get_mem", "get_stream":
		for i := 0; i < count; i++ {
			n, err := get(mode == "get_stream")
			total += n
			if err != nil {
				fmt.Fprintln(os.Stderr, "gobench:", err)
				ok = false
				break
			}
		}
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
	wall := time.Since(t0).Seconds()
	cpu1, rss := cpuSeconds()
	fmt.Printf("{\"scenario\":%q,\"client\":%q,\"round\":%s,\"requests\":%d,\"bytes\":%d,\"wall_s\":%.6f,\"cpu_s\":%.6f,\"rss_kib\":%d,\"ok\":%t}\n",
		scenario, clientName, round, count, total, wall, cpu1-cpu0, rss, ok)
	if !ok {
		os.Exit(1)
	}
}
