// Package row is what the Go benchmark rows (bench/go: net/http,
// bench/go-reqc: the Go binding) share: the arguments and the JSON line of
// bench/raw_curl.c, with the process's CPU time and peak RSS.
package row

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Args are a row's command-line arguments:
//
//	PROG MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND
type Args struct {
	Mode, URL               string
	Count, Concurrency      int
	HTTP                    int   // 1 or 2 (h2c with prior knowledge)
	Expect                  int64 // the body size every response must have
	Scenario, Client, Round string
}

// Parse reads the arguments of prog (os.Args), or exits 2 with its usage.
func Parse(prog string) Args {
	if len(os.Args) < 10 {
		fmt.Fprintln(os.Stderr, "usage:", prog, "MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND")
		os.Exit(2)
	}
	a := Args{Mode: os.Args[1], URL: os.Args[2], Scenario: os.Args[7], Client: os.Args[8], Round: os.Args[9]}
	a.Count, _ = strconv.Atoi(os.Args[3])
	a.Concurrency, _ = strconv.Atoi(os.Args[4])
	a.HTTP, _ = strconv.Atoi(os.Args[5])
	a.Expect, _ = strconv.ParseInt(os.Args[6], 10, 64)
	return a
}

// Check is a response's verdict: status 200 and Expect bytes.
func (a Args) Check(status int, n int64) error {
	if status != 200 || n != a.Expect {
		return fmt.Errorf("status %d, %d bytes", status, n)
	}
	return nil
}

// Sequential calls get a.Count times, one after the other, and returns the
// body bytes read and whether every call went well (the first failure is
// printed, prefixed with prog, and ends the run).
func (a Args) Sequential(prog string, get func() (int64, error)) (int64, bool) {
	var total int64
	for i := 0; i < a.Count; i++ {
		n, err := get()
		total += n
		if err != nil {
			fmt.Fprintln(os.Stderr, prog+":", err)
			return total, false
		}
	}
	return total, true
}

// Clock measures a run: wall time and the process's CPU time since Start.
type Clock struct {
	cpu0 float64
	t0   time.Time
}

// Start starts the clock.
func Start() Clock {
	cpu, _ := usage()
	return Clock{cpu0: cpu, t0: time.Now()}
}

// Report prints the row's JSON line for a run of a.Count requests that
// read total body bytes, and exits 1 when it did not go well.
func (c Clock) Report(a Args, total int64, ok bool) {
	wall := time.Since(c.t0).Seconds()
	cpu, rss := usage()
	fmt.Printf("{\"scenario\":%q,\"client\":%q,\"round\":%s,\"requests\":%d,\"bytes\":%d,\"wall_s\":%.6f,\"cpu_s\":%.6f,\"rss_kib\":%d,\"ok\":%t}\n",
		a.Scenario, a.Client, a.Round, a.Count, total, wall, cpu-c.cpu0, rss, ok)
	if !ok {
		os.Exit(1)
	}
}

// usage is the process's CPU seconds (user + system) and peak RSS in KiB.
func usage() (float64, int64) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t := float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6 + float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6
	return t, ru.Maxrss
}
