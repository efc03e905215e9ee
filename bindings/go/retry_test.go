package reqc_test

import (
	"context"
	"testing"
	"time"

	reqc "github.com/libreqc/libreqc/bindings/go"
)

// TestRetryLevels: the same retry policy through a request, a session and
// the global config (Attempts, Statuses, backoff, AllMethods), each level
// over the one below it.
func TestRetryLevels(t *testing.T) {
	reqcOnly(t)
	fast := reqc.Retry{Attempts: 3, Backoff: time.Millisecond, BackoffCap: 2 * time.Millisecond}
	with := func(change func(*reqc.Retry)) reqc.Retry {
		rt := fast
		change(&rt)
		return rt
	}
	attempts := func(s *reqc.Session, method, status string, rt *reqc.Retry) int {
		t.Helper()
		resp, err := s.Do(context.Background(), &reqc.Request{Method: method, URL: base + "/status/" + status, Retry: rt, Buffered: true})
		must(t, err)
		return len(resp.Attempts)
	}
	check := func(level string, got, want int) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %d attempts, want %d", level, got, want)
		}
	}
	s := newSession(t)
	// The request's policy.
	check("request 503", attempts(s, "GET", "503", &fast), 3)
	check("request Statuses", attempts(s, "GET", "503", ptrRetry(with(func(r *reqc.Retry) { r.Statuses = []int{500} }))), 1)
	check("request POST", attempts(s, "POST", "503", &fast), 1)
	check("request AllMethods", attempts(s, "POST", "503", ptrRetry(with(func(r *reqc.Retry) { r.AllMethods = true }))), 3)

	// The session's, under a request's.
	must(t, s.SetRetry(with(func(r *reqc.Retry) { r.Statuses = []int{500}; r.AllMethods = true })))
	check("session 500", attempts(s, "POST", "500", nil), 3)
	check("session Statuses", attempts(s, "GET", "503", nil), 1)
	check("request over session", attempts(s, "GET", "503", ptrRetry(with(func(r *reqc.Retry) { r.Statuses = []int{503} }))), 3)

	// The global config's, under a session's.
	t.Cleanup(func() { _ = reqc.ResetDefaults() })
	must(t, reqc.SetDefaultRetry(with(func(r *reqc.Retry) { r.Statuses = []int{502}; r.AllMethods = true })))
	fresh := newSession(t)
	check("config 502", attempts(fresh, "POST", "502", nil), 3)
	check("config Statuses", attempts(fresh, "GET", "503", nil), 1)
	check("session over config", attempts(s, "GET", "502", nil), 1)
	must(t, reqc.ResetDefaults())
	check("after ResetDefaults", attempts(fresh, "GET", "502", nil), 1)
}

func ptrRetry(r reqc.Retry) *reqc.Retry { return &r }
