package reqc

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
)

// Transport is an http.RoundTripper over libreqc, so code that takes an
// *http.Client (SDKs, OAuth2 clients, retrying wrappers) runs on libcurl:
//
//	client := &http.Client{Transport: &reqc.Transport{}}
//
// What maps, and how:
//   - One RoundTrip is one libreqc send of one hop: libreqc's redirect
//     following is off, so http.Client follows redirects itself (its
//     CheckRedirect, its header and auth rules apply), as RoundTripper's
//     contract asks.
//   - Cookies: the Transport's Session keeps the cookies servers set and
//     sends them back (libreqc's jar). Leave http.Client.Jar nil, or give
//     the client a Jar and the Transport a Session you never send cookies
//     through; with both, cookies would be sent twice.
//   - Request.Body is streamed up through a read callback (ContentLength -1:
//     chunked). Request.Context() cancels the send (http.Client.Timeout
//     works through it).
//   - Response.Body streams the body down (libreqc's pull API; the request's
//     context cancels its reads). libreqc decompresses what it asked for
//     (Accept-Encoding), so such a response has Uncompressed set and no
//     Content-Encoding/Content-Length.
//   - Not mapped: trailers (libreqc does not report them), 1xx responses,
//     Request.Close, http.Transport's TLS and proxy settings (configure the
//     Session instead), Response.TLS.
type Transport struct {
	// Session sends the requests; nil: a private session made on first use
	// (never closed: a Transport lives as long as its http.Client).
	Session *Session

	once sync.Once
	err  error
}

func (t *Transport) session() (*Session, error) {
	t.once.Do(func() {
		if t.Session == nil {
			t.Session, t.err = NewSession()
		}
	})
	return t.Session, t.err
}

var noRedirects = &Redirects{Follow: false}

// RoundTrip sends one HTTP request (one hop) and returns its response.
func (t *Transport) RoundTrip(hr *http.Request) (*http.Response, error) {
	closeBody := func() {
		if hr.Body != nil {
			hr.Body.Close()
		}
	}
	s, err := t.session()
	if err != nil {
		closeBody()
		return nil, err
	}
	if hr.URL == nil {
		closeBody()
		return nil, errors.New("reqc: http.Request with a nil URL")
	}
	req := &Request{
		Method:    hr.Method,
		URL:       hr.URL.String(),
		Header:    hr.Header.Clone(),
		Redirects: noRedirects,
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if hr.Host != "" && hr.Host != hr.URL.Host {
		req.Header.Set("Host", hr.Host)
	}
	if hr.Body != nil && hr.Body != http.NoBody {
		req.BodyReader = hr.Body
		req.BodyLength = hr.ContentLength
		if hr.ContentLength == 0 {
			req.BodyLength = -1
		}
		if ct := hr.Header.Get("Content-Type"); ct == "" {
			// libreqc adds no Content-Type of its own for a streamed body.
			req.Header["Content-Type"] = nil
		}
	} else if hr.Method == http.MethodPost || hr.Method == http.MethodPut || hr.Method == http.MethodPatch {
		req.Body = []byte{}
	}
	resp, err := s.Do(hr.Context(), req)
	closeBody()
	if err != nil {
		return nil, err
	}
	out := &http.Response{
		Status:     resp.Status(),
		StatusCode: resp.StatusCode,
		Proto:      resp.Proto,
		Header:     resp.Header,
		Body:       resp.Body,
		Request:    hr,
	}
	out.ProtoMajor, out.ProtoMinor, _ = http.ParseHTTPVersion(resp.Proto)
	out.ContentLength = -1
	if resp.Header.Get("Content-Encoding") != "" {
		// libreqc decoded the body: its length and encoding are no longer these.
		out.Uncompressed = true
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
	} else if cl := resp.Header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil {
			out.ContentLength = n
		}
	}
	return out, nil
}
