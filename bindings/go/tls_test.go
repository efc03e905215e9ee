package reqc_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/libreqc/libreqc/bindings/go"
)

// TestTLS: a request's TLS settings, and the same through the global
// config, against the test server's TLS listeners (tests/with-server.sh).
func TestTLS(t *testing.T) {
	reqcOnly(t)
	tlsURL, tls12URL, ca := os.Getenv("REQC_TEST_TLS"), os.Getenv("REQC_TEST_TLS12"), os.Getenv("REQC_TEST_CA_FILE")
	if tlsURL == "" || tls12URL == "" || ca == "" {
		t.Skip("no TLS listeners (run under tests/with-server.sh)")
	}
	pem, err := os.ReadFile(ca)
	must(t, err)
	s := newSession(t)
	get := func(url string, tl *reqc.TLS) error {
		_, err := s.Do(context.Background(), &reqc.Request{URL: url + "/", TLS: tl, Buffered: true})
		return err
	}
	off := false
	for _, c := range []struct {
		name string
		url  string
		tls  *reqc.TLS
		want error // nil: the send succeeds
	}{
		{"untrusted", tlsURL, nil, reqc.ErrTLS},
		{"CAFile", tlsURL, &reqc.TLS{CAFile: ca}, nil},
		{"CAPEM", tlsURL, &reqc.TLS{CAPEM: pem}, nil},
		{"Verify off", tlsURL, &reqc.TLS{Verify: &off}, nil},
		{"MinVersion over the server's", tls12URL, &reqc.TLS{CAFile: ca, MinVersion: reqc.TLS13}, reqc.ErrTLS},
		{"MinVersion met", tls12URL, &reqc.TLS{CAFile: ca, MinVersion: reqc.TLS12}, nil},
		{"NUL in CADir", tlsURL, &reqc.TLS{CADir: "a\x00b"}, reqc.ErrInvalidArgument},
	} {
		if err := get(c.url, c.tls); (c.want == nil && err != nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("request %s: %v, want %v", c.name, err, c.want)
		}
	}

	// The global config: under every session's and request's settings.
	t.Cleanup(func() { _ = reqc.ResetDefaults() })
	must(t, reqc.SetDefaultTLS(reqc.TLS{CAPEM: pem}))
	if err := get(tlsURL, nil); err != nil {
		t.Errorf("SetDefaultTLS CAPEM: %v", err)
	}
	must(t, reqc.SetDefaultTLS(reqc.TLS{MinVersion: reqc.TLS13}))
	if err := get(tls12URL, nil); !errors.Is(err, reqc.ErrTLS) {
		t.Errorf("SetDefaultTLS MinVersion: %v", err)
	}
	if err := get(tls12URL, &reqc.TLS{MinVersion: reqc.TLS12}); err != nil {
		t.Errorf("the request's MinVersion over the config's: %v", err)
	}
	if err := reqc.SetDefaultTLS(reqc.TLS{ClientCert: "a\x00b"}); !errors.Is(err, reqc.ErrInvalidArgument) {
		t.Errorf("SetDefaultTLS NUL: %v", err)
	}
	must(t, reqc.ResetDefaults())
	if err := get(tlsURL, nil); !errors.Is(err, reqc.ErrTLS) {
		t.Errorf("after ResetDefaults: %v", err)
	}
}
