package reqc_test

// The seed's tour in Go: session cookies, default headers and auth, Map,
// hooks, verbose logging. Each Example runs as a test (go test checks its
// Output) against the test server; base is its URL.

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

// A session keeps the cookies servers set and sends them back.
func ExampleSession_cookies() {
	ctx := context.Background()
	s, err := reqc.NewSession()
	if err != nil {
		panic(err)
	}
	defer s.Close()

	resp, err := s.Get(ctx, base+"/cookies/set/sessioncookie/123456789")
	if err != nil {
		panic(err)
	}
	var got struct{ Cookies map[string]string }
	if err := resp.JSON(&got); err != nil {
		panic(err)
	}
	fmt.Println(got.Cookies["sessioncookie"])
	value, _ := s.Cookie(base+"/", "sessioncookie")
	fmt.Println(value)
	// Output:
	// 123456789
	// 123456789
}

// Defaults on a session apply to every request; a request's own setting wins.
func ExampleSession_SetHeader() {
	ctx := context.Background()
	s, _ := reqc.NewSession()
	defer s.Close()
	s.SetAuth(reqc.BasicAuth{User: "user", Password: "pass"})
	xTest := "true"
	s.SetHeader("X-Test", &xTest)

	// Both X-Test (the session's) and X-Test2 (the request's) are sent.
	resp, err := s.Do(ctx, &reqc.Request{URL: base + "/headers", Header: map[string][]string{"X-Test2": {"true"}}})
	if err != nil {
		panic(err)
	}
	var got struct{ Headers map[string]string }
	resp.JSON(&got)
	fmt.Println(got.Headers["X-Test"], got.Headers["X-Test2"], strings.HasPrefix(got.Headers["Authorization"], "Basic "))
	// Output: true true true
}

// Map sends many requests concurrently on one thread and returns the
// results in order.
func ExampleSession_Map() {
	ctx := context.Background()
	s, _ := reqc.NewSession()
	defer s.Close()
	var reqs []*reqc.Request
	for _, code := range []string{"200", "404", "201", "503"} {
		reqs = append(reqs, reqc.NewRequest("GET", base+"/status/"+code))
	}
	reqs = append(reqs, reqc.NewRequest("GET", "http://127.0.0.1:1/"))
	results, err := s.Map(ctx, reqs, reqc.Concurrency(64))
	if err != nil {
		panic(err)
	}
	for _, r := range results {
		if r.Err != nil {
			fmt.Println(r.Index, "failed:", r.Err.(*reqc.Error).Code)
			continue
		}
		fmt.Println(r.Index, r.Response.StatusCode)
		r.Response.Close()
	}
	// Output:
	// 0 200
	// 1 404
	// 2 201
	// 3 503
	// 4 failed: REQC_E_CONNECT
}

// Hooks: the seed's print_url (a response hook) and hack_headers (a hook
// that changes the request before it goes out).
func ExampleSession_AddHook() {
	ctx := context.Background()
	s, _ := reqc.NewSession()
	defer s.Close()

	printURL := func(h *reqc.HookContext) error {
		fmt.Println(strings.Replace(h.Response().URL, base, "{base}", 1))
		return nil
	}
	hackHeaders := func(h *reqc.HookContext) error {
		hacked := "yes"
		return h.SetRequestHeader("X-Hacked", &hacked)
	}
	s.AddHook(reqc.HookResponse, printURL)
	s.AddHook(reqc.HookArgs, hackHeaders)

	resp, err := s.Get(ctx, base+"/redirect/1")
	if err != nil {
		panic(err)
	}
	var got struct{ Headers map[string]string }
	resp.JSON(&got) // /redirect/1 ends at /get, which echoes the headers
	fmt.Println("X-Hacked:", got.Headers["X-Hacked"])
	// Output:
	// {base}/redirect/1
	// {base}/get
	// X-Hacked: yes
}

// Verbose logging to an io.Writer (a slog.Handler works too: SetLogHandler).
// This writer blanks the time stamps, elapsed times and port to keep the
// output stable.
func ExampleSession_SetLogger() {
	ctx := context.Background()
	s, _ := reqc.NewSession()
	defer s.Close()
	s.SetLogger(stableLog{}, reqc.LogRequests)
	resp, err := s.Get(ctx, base+"/get")
	if err != nil {
		panic(err)
	}
	resp.Close()
	// Output:
	// TIME   GET   {base}/get
	// TIME   200 OK   ELAPSED   GET   {base}/get
}

type stableLog struct{}

var stamp = regexp.MustCompile(`^\S+`)
var elapsed = regexp.MustCompile(`[0-9.]+ ms`)

func (stableLog) Write(p []byte) (int, error) {
	line := stamp.ReplaceAllString(string(p), "TIME")
	line = elapsed.ReplaceAllString(line, "ELAPSED")
	io.WriteString(stdout, strings.ReplaceAll(line, base, "{base}"))
	return len(p), nil
}
