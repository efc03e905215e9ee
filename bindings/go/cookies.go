package reqc

/*
#include "bridge.h"
*/
import "C"

import (
	"net/http"
	"time"
)

// The session's cookie jar (kept by libreqc, in Rust, with the public
// suffix list): read, set, delete, import and export.

func goCookie(c *C.reqc_cookie) *http.Cookie {
	hc := &http.Cookie{
		Name:     goString(C.reqc_cookie_name(c)),
		Value:    goString(C.reqc_cookie_value(c)),
		Domain:   goString(C.reqc_cookie_domain(c)),
		Path:     goString(C.reqc_cookie_path(c)),
		Secure:   C.reqc_cookie_secure(c) != 0,
		HttpOnly: C.reqc_cookie_http_only(c) != 0,
	}
	if exp := int64(C.reqc_cookie_expires(c)); exp > 0 {
		hc.Expires = time.Unix(exp, 0)
	}
	if C.reqc_cookie_include_subdomains(c) != 0 && hc.Domain != "" && hc.Domain[0] != '.' {
		hc.Domain = "." + hc.Domain
	}
	return hc
}

// SetCookie stores a cookie as if the response of url had sent the
// Set-Cookie line setCookie (e.g. "a=1; Path=/").
func (s *Session) SetCookie(url, setCookie string) error {
	cu, err := cstr("URL", url)
	if err != nil {
		return err
	}
	cc, err := cstr("Set-Cookie", setCookie)
	if err != nil {
		return err
	}
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_set_cookie(p, cu, cc) })
}

// Cookie is the value of the cookie name that a request to url would send
// (ErrNotFound when none).
func (s *Session) Cookie(url, name string) (string, error) {
	cu, err := cstr("URL", url)
	if err != nil {
		return "", err
	}
	cn, err := cstr("cookie name", name)
	if err != nil {
		return "", err
	}
	var out *C.char
	if err := s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_get_cookie(p, cu, cn, &out) }); err != nil {
		return "", err
	}
	defer C.reqc_string_free(out)
	return C.GoString(out), nil
}

// Cookies lists every cookie of the jar.
func (s *Session) Cookies() ([]*http.Cookie, error) {
	var list *C.reqc_cookie_list
	if err := s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_cookies(p, &list) }); err != nil {
		return nil, err
	}
	defer C.reqc_cookie_list_free(list)
	n := C.reqc_cookie_list_count(list)
	out := make([]*http.Cookie, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		var c *C.reqc_cookie
		if C.reqc_cookie_list_at(list, i, &c) == C.REQC_OK {
			out = append(out, goCookie(c))
		}
	}
	return out, nil
}

// DeleteCookie removes one cookie (ErrNotFound when there is none).
func (s *Session) DeleteCookie(domain, path, name string) error {
	cd, err := cstr("domain", domain)
	if err != nil {
		return err
	}
	cp, err := cstr("path", path)
	if err != nil {
		return err
	}
	cn, err := cstr("cookie name", name)
	if err != nil {
		return err
	}
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_delete_cookie(p, cd, cp, cn) })
}

// ClearCookies empties the jar.
func (s *Session) ClearCookies() error {
	return s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_clear_cookies(p) })
}

// ExportCookies writes the jar in the Netscape cookies.txt format.
func (s *Session) ExportCookies() (string, error) {
	var out *C.char
	if err := s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_export_cookies(p, &out) }); err != nil {
		return "", err
	}
	defer C.reqc_string_free(out)
	return C.GoString(out), nil
}

// ImportCookies adds the cookies of a Netscape cookies.txt text and says
// how many.
func (s *Session) ImportCookies(text string) (int, error) {
	ct, err := cstr("cookies text", text)
	if err != nil {
		return 0, err
	}
	var n C.size_t
	if err := s.call(func(p *C.reqc_session) C.reqc_code { return C.reqc_session_import_cookies(p, ct, &n) }); err != nil {
		return 0, err
	}
	return int(n), nil
}
