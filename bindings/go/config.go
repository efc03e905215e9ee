package reqc

// #include "reqc.h"
import "C"

import "time"

// The global config: process-wide defaults under every session's
// (reqc_config_*). Each call is thread-safe and applies to later sends.

func configFail(rc C.reqc_code) error {
	if rc == C.REQC_OK {
		return nil
	}
	return newError(rc, C.reqc_config_error())
}

// Version is libreqc's version and the linked libcurl's, e.g.
// "libreqc/0.1.0 libcurl/8.22.0 OpenSSL/3.0.19 zlib/1.2.13 nghttp2/1.68.1"
// (VersionNumber is the number alone).
func Version() string { return C.GoString(C.reqc_version()) }

// HasFeature reports whether the linked libreqc has a feature ("http2", ...).
func HasFeature(name string) bool {
	cn, err := cstr("feature", name)
	if err != nil {
		return false
	}
	return C.reqc_has_feature(cn) != 0
}

// SetDefaultUserAgent sets the process-wide User-Agent.
func SetDefaultUserAgent(agent string) error {
	ca, err := cstr("user agent", agent)
	if err != nil {
		return err
	}
	return configFail(C.reqc_config_set_user_agent(ca))
}

// SetDefaultHeader sets a process-wide header (nil value: removes it).
func SetDefaultHeader(name string, value *string) error {
	cn, err := cstr("header name", name)
	if err != nil {
		return err
	}
	cv, err := cstrOrNil("header value", value)
	if err != nil {
		return err
	}
	return configFail(C.reqc_config_set_header(cn, cv))
}

// SetDefaultTimeout sets the process-wide total timeout of a send.
func SetDefaultTimeout(d time.Duration) error {
	return configFail(C.reqc_config_set_timeout_ms(ms(d)))
}

// SetDefaultProxy sets the process-wide proxy.
func SetDefaultProxy(proxy string) error {
	cp, err := cstr("proxy", proxy)
	if err != nil {
		return err
	}
	return configFail(C.reqc_config_set_proxy(cp))
}

// UnsetDefault hands a process-wide setting back to the built-in default.
func UnsetDefault(o Option) error {
	return configFail(C.reqc_config_unset(C.reqc_option(o)))
}

// ResetDefaults forgets every process-wide setting.
func ResetDefaults() error {
	return configFail(C.reqc_config_reset())
}

// VersionNumber is libreqc's version as 0xMMmmpp.
func VersionNumber() uint32 { return uint32(C.reqc_version_number()) }

// AddDefaultHeader adds a process-wide header value.
func AddDefaultHeader(name, value string) error {
	cn, err := cstr("header name", name)
	if err != nil {
		return err
	}
	cv, err := cstr("header value", value)
	if err != nil {
		return err
	}
	return configFail(C.reqc_config_add_header(cn, cv))
}

// SetDefaultReadTimeout sets the process-wide wait for each next byte.
func SetDefaultReadTimeout(d time.Duration) error {
	return configFail(C.reqc_config_set_read_timeout_ms(ms(d)))
}

// SetDefaultConnectTimeout sets the process-wide connect timeout.
func SetDefaultConnectTimeout(d time.Duration) error {
	return configFail(C.reqc_config_set_connect_timeout_ms(ms(d)))
}

// SetDefaultRedirects sets the process-wide redirect policy.
func SetDefaultRedirects(follow bool, max int) error {
	return configFail(C.reqc_config_set_redirects(cbool(follow), C.int(max)))
}

// SetDefaultMaxResponseBytes caps every response body (0: no cap).
func SetDefaultMaxResponseBytes(n int64) error {
	return configFail(C.reqc_config_set_max_response_bytes(C.uint64_t(n)))
}

// SetDefaultHTTPVersion sets the process-wide HTTP version.
func SetDefaultHTTPVersion(v HTTPVersion) error {
	return configFail(C.reqc_config_set_http_version(C.reqc_http_version(v)))
}

// SetDefaultSpeedFloor fails transfers slower than bytesPerSecond for window.
func SetDefaultSpeedFloor(bytesPerSecond int64, window time.Duration) error {
	return configFail(C.reqc_config_set_speed_floor(C.int64_t(bytesPerSecond), ms(window)))
}

// MarkDefaultSecretHeader treats a header as a secret in every send.
func MarkDefaultSecretHeader(name string) error {
	cn, err := cstr("header name", name)
	if err != nil {
		return err
	}
	return configFail(C.reqc_config_mark_secret_header(cn))
}

// SetDefaultTLS applies TLS settings process-wide (zero fields: unchanged).
func SetDefaultTLS(t TLS) error {
	return t.apply(tlsSetters{
		verify:     func(v C.int) C.reqc_code { return C.reqc_config_set_verify_tls(v) },
		caFile:     func(path *C.char) C.reqc_code { return C.reqc_config_set_ca_file(path) },
		caDir:      func(path *C.char) C.reqc_code { return C.reqc_config_set_ca_dir(path) },
		caPEM:      func(d *C.uint8_t, n C.size_t) C.reqc_code { return C.reqc_config_set_ca_pem(d, n) },
		clientCert: func(c, k *C.char) C.reqc_code { return C.reqc_config_set_client_cert(c, k) },
		minVersion: func(v C.reqc_tls_version) C.reqc_code { return C.reqc_config_set_min_tls_version(v) },
		fail:       configFail,
	})
}

// SetDefaultTrustEnv says whether proxies come from the environment.
func SetDefaultTrustEnv(trust bool) error {
	return configFail(C.reqc_config_set_trust_env(cbool(trust)))
}

// SetDefaultRetry sets the process-wide retry policy (see Retry).
func SetDefaultRetry(rt Retry) error {
	return configFail(rt.apply(retrySetters{
		attempts:   func(n C.int) C.reqc_code { return C.reqc_config_set_retries(n) },
		statuses:   func(st *C.int, n C.size_t) C.reqc_code { return C.reqc_config_set_retry_statuses(st, n) },
		backoff:    func(b, c C.int64_t) C.reqc_code { return C.reqc_config_set_retry_backoff_ms(b, c) },
		allMethods: func(on C.int) C.reqc_code { return C.reqc_config_set_retry_all_methods(on) },
	}))
}
