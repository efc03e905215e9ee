package reqc

/*
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Response is a response copied out of libreqc: the C response is freed as
// soon as its fields are read.
type Response struct {
	StatusCode int
	Reason     string // e.g. "OK"
	Proto      string // "HTTP/1.1", "HTTP/2.0", ...
	Header     http.Header
	// Body is the response body. Close it (or call Bytes, Text or JSON,
	// which do) when done.
	Body io.ReadCloser
	// URL is the final URL, after redirects.
	URL string
	// History holds the earlier hops of a redirect chain, oldest first.
	History []*Response
	// Attempts holds the status of each attempt when retries ran (0 for an
	// attempt that got no response).
	Attempts   []int
	Timings    Timings
	RemoteIP   string
	RemotePort int
	// Request is the Request that was sent.
	Request *Request
	// Encoding is the body's character set, from Content-Type or sniffed.
	Encoding string
	// Links are the Link header's entries, in order.
	Links []Link
	// Warnings are what libreqc noticed but did not fail on (e.g. a cookie
	// refused), one line each.
	Warnings []string

	cookies []*http.Cookie
	mem     memBody // Body when the body was copied whole (one allocation with r)
	attempt [1]int  // Attempts' array when there was one attempt (one allocation with r)
}

// memBody is Response.Body for a body copied whole (Buffered, batches,
// redirect hops): Bytes hands its bytes over instead of copying them again.
type memBody struct{ rest []byte }

func (b *memBody) Read(p []byte) (int, error) {
	if len(b.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, b.rest)
	b.rest = b.rest[n:]
	return n, nil
}

func (b *memBody) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(b.rest)
	b.rest = b.rest[n:]
	return int64(n), err
}

// take is what is left, all at once, without a copy (the caller owns it).
func (b *memBody) take() []byte {
	out := b.rest
	b.rest = nil
	if out == nil {
		out = []byte{}
	}
	return out
}

func (b *memBody) Close() error { return nil }

// Link is one entry of a Link header: its URL, rel, and other params.
type Link struct {
	URL, Rel string
	Params   map[string]string
}

// Timings is the transfer's breakdown, each from the start of the transfer.
type Timings struct {
	DNS, Connect, TLS, FirstByte, Total time.Duration
	Elapsed                             time.Duration // the whole send, redirects included
}

// Status is the status line's text, e.g. "200 OK", as http.Response has it.
func (r *Response) Status() string {
	if r.Reason == "" {
		return strconv.Itoa(r.StatusCode)
	}
	return strconv.Itoa(r.StatusCode) + " " + r.Reason
}

// Bytes reads the whole body and closes it.
func (r *Response) Bytes() ([]byte, error) {
	defer r.Body.Close()
	switch b := r.Body.(type) {
	case *streamBody:
		return b.readAll()
	case *memBody:
		return b.take(), nil
	}
	return io.ReadAll(r.Body)
}

// Text is Bytes as a string.
func (r *Response) Text() (string, error) {
	b, err := r.Bytes()
	return string(b), err
}

// JSON decodes the whole body into v and closes it.
func (r *Response) JSON(v any) error {
	b, err := r.Bytes()
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Close closes the body.
func (r *Response) Close() error { return r.Body.Close() }

// Cookies are the cookies this response set (its Set-Cookie headers that
// the jar accepted).
func (r *Response) Cookies() []*http.Cookie { return r.cookies }

func protoName(v C.int) string {
	switch v {
	case C.REQC_HTTP_VERSION_1_0:
		return "HTTP/1.0"
	case C.REQC_HTTP_VERSION_2, C.REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE:
		return "HTTP/2.0"
	case C.REQC_HTTP_VERSION_3:
		return "HTTP/3.0"
	}
	return "HTTP/1.1"
}

func us(v C.int64_t) time.Duration { return time.Duration(v) * time.Microsecond }

// responseScratch is what a send or newResponse hands C to fill: reused
// (a sync.Pool) so that a response costs no allocation for it. The buffers
// are C memory (reqcgo_scratch, bridge.h), which cgo passes without the
// pointer check it makes of Go memory; hbuf and body are Go views of them.
// The C memory lives as long as the scratch: a cleanup frees it once the
// pool has dropped the scratch and nothing else refers to it.
type responseScratch struct {
	c    *C.reqcgo_scratch
	info *C.reqcgo_response_info
	hbuf []byte
	body []byte
}

var scratchPool = sync.Pool{New: func() any { return newScratch() }}

func newScratch() *responseScratch {
	// cgo's C.malloc never returns nil (it crashes the program when out of
	// memory, as a Go allocation would).
	c := (*C.reqcgo_scratch)(C.malloc(C.sizeof_reqcgo_scratch))
	*c = C.reqcgo_scratch{}
	sc := &responseScratch{
		c:    c,
		info: &c.info,
		hbuf: unsafe.Slice((*byte)(unsafe.Pointer(&c.headers[0])), len(c.headers)),
		body: unsafe.Slice((*byte)(unsafe.Pointer(&c.body[0])), len(c.body)),
	}
	scratchLive.Add(1)
	runtime.AddCleanup(sc, func(c *C.reqcgo_scratch) {
		C.free(unsafe.Pointer(c))
		scratchLive.Add(-1)
	}, c)
	return sc
}

// scratchLive counts the scratches whose C memory is not freed yet (for
// the test that the cleanup frees it).
var scratchLive atomic.Int64

// put returns sc to the pool. info.body may point at sc's body (an open's
// body): cleared, so that nothing read later can take it for this send's.
func (sc *responseScratch) put() {
	sc.info.body = nil
	scratchPool.Put(sc)
}

// newResponse copies a C response (and its history) into Go. The caller
// still owns resp.
func newResponse(resp *C.reqc_response, req *Request) *Response {
	// One cgo call reads the scalars, the first attempt and (when they fit
	// in hbuf, as they usually do) the packed header lines.
	sc := scratchPool.Get().(*responseScratch)
	defer sc.put()
	C.reqcgo_response_read(resp, sc.info, &sc.c.headers[0], C.size_t(len(sc.hbuf)))
	return responseFrom(resp, sc.info, sc.hbuf, req)
}

// responseFrom is newResponse once reqcgo_response_read has filled info and
// hbuf (Go's pooled scratch, or the C frame of a batch's complete
// callback): it copies what the Response keeps.
func responseFrom(resp *C.reqc_response, info *C.reqcgo_response_info, hbuf []byte, req *Request) *Response {
	r := &Response{
		StatusCode: int(info.status),
		Reason:     reasonString(view(info.reason, info.reason_len)),
		Proto:      protoName(info.http_version),
		URL:        urlString(view(info.url, info.url_len), req),
		RemoteIP:   remoteIPString(view(info.remote_ip, info.remote_ip_len)),
		RemotePort: int(info.remote_port),
		Request:    req,
		Timings: Timings{
			DNS: us(info.timing_us[C.REQC_TIMING_DNS]), Connect: us(info.timing_us[C.REQC_TIMING_CONNECT]),
			TLS: us(info.timing_us[C.REQC_TIMING_TLS]), FirstByte: us(info.timing_us[C.REQC_TIMING_FIRST_BYTE]),
			Total: us(info.timing_us[C.REQC_TIMING_TOTAL]), Elapsed: us(info.elapsed_us),
		},
	}
	text, body, count := copyOut(resp, info, hbuf)
	r.Header = readHeaders(text, count)
	// An empty body (every streamed head: its body is read later) shares
	// http.NoBody: two allocations fewer per send.
	r.Body = http.NoBody
	if len(body) > 0 {
		r.mem.rest = body
		r.Body = &r.mem
	}
	for i := C.size_t(0); i < info.history_count; i++ {
		var hop *C.reqc_response
		if C.reqc_response_history_at(resp, i, &hop) == C.REQC_OK {
			r.History = append(r.History, newResponse(hop, req))
		}
	}
	switch {
	case info.attempt_count == 1: // the usual case: no allocation of its own
		r.attempt[0] = int(info.first_attempt)
		r.Attempts = r.attempt[:]
	case info.attempt_count > 1:
		r.Attempts = make([]int, 1, int(info.attempt_count))
		r.Attempts[0] = int(info.first_attempt)
	}
	for i := C.size_t(1); i < info.attempt_count; i++ {
		var st C.int
		if C.reqc_response_attempt_at(resp, i, &st) == C.REQC_OK {
			r.Attempts = append(r.Attempts, int(st))
		}
	}
	r.Encoding = encodingString(view(info.encoding, info.encoding_len))
	for i := C.size_t(0); i < info.warning_count; i++ {
		var w *C.char
		if C.reqc_response_warning_at(resp, i, &w) == C.REQC_OK {
			r.Warnings = append(r.Warnings, goString(w))
		}
	}
	// Parsed Link entries exist only with a Link header: no call without one.
	var links C.size_t
	if _, ok := r.Header["Link"]; ok {
		links = C.reqc_response_link_count(resp)
	}
	for i := C.size_t(0); i < links; i++ {
		var u, rel *C.char
		if C.reqc_response_link_at(resp, i, &u, &rel) == C.REQC_OK {
			r.Links = append(r.Links, Link{URL: goString(u), Rel: goString(rel), Params: linkParams(resp, i)})
		}
	}
	for i := C.size_t(0); i < info.cookie_count; i++ {
		var c *C.reqc_cookie
		if C.reqc_response_cookie_at(resp, i, &c) == C.REQC_OK {
			r.cookies = append(r.cookies, goCookie(c))
		}
	}
	return r
}

// copyOut copies the packed header lines (each its name's and value's
// lengths, then the name and the value, as reqcgo_response_headers writes
// them: in buf when they fitted, else read again) and the body into one allocation: the header text is a string over
// its start, the body the rest, capped so that an append to the body never
// writes over the text. It returns the text, the body and the number of
// header lines.
func copyOut(resp *C.reqc_response, info *C.reqcgo_response_info, buf []byte) (string, []byte, int) {
	need, n, bodyLen := int(info.headers_len), int(info.header_count), int(info.body_len)
	if need+bodyLen == 0 {
		return "", nil, n
	}
	mem := make([]byte, need+bodyLen)
	if need <= len(buf) {
		copy(mem, buf[:need])
	} else if need > 0 {
		var count C.size_t
		got := int(C.reqcgo_response_headers(resp, (*C.char)(unsafe.Pointer(&mem[0])), C.size_t(need), &count))
		if got != need { // cannot happen (a response does not change): no lines rather than wrong ones
			need, count = 0, 0
		}
		n = int(count)
	}
	if bodyLen > 0 {
		copy(mem[len(mem)-bodyLen:], unsafe.Slice((*byte)(unsafe.Pointer(info.body)), bodyLen))
	}
	// mem is ours alone and its text part is never written again: no
	// second copy for the string.
	return unsafe.String(unsafe.SliceData(mem), need), mem[len(mem)-bodyLen : len(mem) : len(mem)], n
}

// readHeaders turns the n header lines packed in text into an http.Header,
// repeated names included, in order, with few allocations: every value is
// a slice of text (a name too, unless headerKey has it as a constant).
func readHeaders(text string, n int) http.Header {
	h := make(http.Header, n)
	if n == 0 {
		return h
	}
	values := make([]string, n)
	// Is a name repeated? With a few lines, comparing with the keys before
	// it costs less than a map lookup (most compare by length alone).
	var seenBuf [16]string
	seen := seenBuf[:0]
	for i := range values {
		nameLen, a := uvarint(text)
		valueLen, b := uvarint(text[a:])
		text = text[a+b:]
		name := text[:nameLen]
		values[i] = text[nameLen : nameLen+valueLen]
		text = text[nameLen+valueLen:]
		k := headerKey(name)
		repeated := false
		if n <= len(seenBuf) {
			for _, prev := range seen {
				if prev == k {
					repeated = true
					break
				}
			}
			seen = append(seen, k)
		} else {
			_, repeated = h[k]
		}
		if repeated {
			h[k] = append(h[k], values[i])
		} else {
			h[k] = values[i : i+1 : i+1]
		}
	}
	return h
}

// uvarint reads a length bridge.c's put_length wrote at the start of text:
// the length and how many bytes it took. Almost every length is one byte,
// read here inline.
func uvarint(text string) (int, int) {
	if text[0] < 0x80 {
		return int(text[0]), 1
	}
	return uvarintLong(text)
}

//go:noinline // the rare case: kept out of readHeaders' loop
func uvarintLong(text string) (int, int) {
	n, size := binary.Uvarint(unsafe.Slice(unsafe.StringData(text), len(text)))
	if size <= 0 {
		// bridge.c writes none such; a panic here is repeated by the
		// caller's goroutine (callState.catch in a complete callback).
		panic("reqc: a packed header length runs past the end")
	}
	return int(n), size
}

// linkParams reads a Link entry's params other than rel, for the usual
// names (libreqc looks each one up by name).
func linkParams(resp *C.reqc_response, i C.size_t) map[string]string {
	var out map[string]string
	for _, name := range []string{"title", "type", "anchor", "hreflang", "media"} {
		cn, _ := cstr("param", name)
		if v := C.reqc_response_link_param(resp, i, cn); v != nil {
			if out == nil {
				out = map[string]string{}
			}
			out[name] = C.GoString(v)
		}
	}
	return out
}

// Link returns the URL of the Link header entry with rel ("" if none), as
// reqc_response_link does.
func (r *Response) Link(rel string) string {
	for _, l := range r.Links {
		if l.Rel == rel {
			return l.URL
		}
	}
	return ""
}

// view is a borrowed C string of known length as a Go string, for
// comparing before copying: valid only while its owner lives.
func view(p *C.char, n C.size_t) string {
	if p == nil || n == 0 {
		return ""
	}
	return unsafe.String((*byte)(unsafe.Pointer(p)), int(n))
}

// reasonString copies a reason phrase, without an allocation for the usual
// ones.
func reasonString(v string) string {
	switch v {
	case "":
		return ""
	case "OK":
		return "OK"
	case "Created":
		return "Created"
	case "No Content":
		return "No Content"
	case "Moved Permanently":
		return "Moved Permanently"
	case "Found":
		return "Found"
	case "Not Modified":
		return "Not Modified"
	case "Bad Request":
		return "Bad Request"
	case "Unauthorized":
		return "Unauthorized"
	case "Forbidden":
		return "Forbidden"
	case "Not Found":
		return "Not Found"
	case "Internal Server Error":
		return "Internal Server Error"
	case "Service Unavailable":
		return "Service Unavailable"
	}
	return strings.Clone(v)
}

// urlString copies the final URL, or shares the request's URL string when
// they are the same (no redirect, nothing normalized).
func urlString(v string, req *Request) string {
	if req != nil && req.URL == v {
		return req.URL
	}
	return strings.Clone(v)
}

// lastRemoteIP is the last remote IP copied: most responses come from the
// same few servers, so most share one string.
var lastRemoteIP atomic.Pointer[string]

func remoteIPString(v string) string {
	if v == "" {
		return ""
	}
	if last := lastRemoteIP.Load(); last != nil && *last == v {
		return *last
	}
	s := strings.Clone(v)
	lastRemoteIP.Store(&s)
	return s
}

// encodingString copies a charset name, without an allocation for the
// usual ones.
func encodingString(v string) string {
	switch v {
	case "":
		return ""
	case "utf-8":
		return "utf-8"
	case "UTF-8":
		return "UTF-8"
	case "iso-8859-1":
		return "iso-8859-1"
	case "ISO-8859-1":
		return "ISO-8859-1"
	}
	return strings.Clone(v)
}
