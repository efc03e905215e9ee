package reqc

/*
#include "bridge.h"
*/
import "C"

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
	"unsafe"
)

// The body of a Response from Do (and Get, Post, Transport) is read through
// libreqc's pull API: reqc_session_open / reqc_open return once the head is
// in, and each Read is one reqc_stream_read, so a body is never held whole
// and a slow reader pauses the transfer (libreqc keeps about 64 KiB).

// minDirectRead is the smallest Read buffer handed to C as it is; smaller
// reads go through the body's own buffer, so that every cgo call moves a
// sizable piece.
const minDirectRead = 32 << 10

var errBodyClosed = errors.New("reqc: read on a closed response body")

// streamHandles are the C side of a streamed body: the stream and the
// request that opened it (its cancel ends a blocked read; it is freed last).
type streamHandles struct {
	stream *C.reqc_stream
	req    *C.reqc_request
	stop   func() // stops the context's cancel of req
}

// endStream frees the stream (at the end of the body or on Close); the
// connection goes back to the session if the body had all arrived.
func (h *streamHandles) endStream() {
	if h.stream != nil {
		C.reqc_stream_free(h.stream)
		h.stream = nil
	}
}

// release frees everything: what Close does, and the cleanup of a body
// never closed.
func (h *streamHandles) release() {
	h.stop()
	h.endStream()
	if h.req != nil {
		C.reqc_request_free(h.req)
		h.req = nil
	}
}

// streamBody is Response.Body for a streamed response.
type streamBody struct {
	mu      sync.Mutex // held by Read and Close: one thread uses the stream at a time
	h       *streamHandles
	ctx     context.Context
	closed  bool
	err     error  // sticky: io.EOF or the read's failure
	size    int64  // Content-Length when known, else -1: sizes buf and Bytes' buffer
	buf     []byte // for reads smaller than minDirectRead
	pending []byte // read into buf, not yet returned
	cleanup runtime.Cleanup
}

func newStreamBody(ctx context.Context, h *streamHandles) *streamBody {
	b := &streamBody{h: h, ctx: ctx, size: -1}
	// A safety net only: a body should be closed.
	b.cleanup = runtime.AddCleanup(b, func(h *streamHandles) { h.release() }, h)
	return b
}

// Read reads the next body bytes: one reqc_stream_read, which waits only
// until some bytes are there. The context given to Do still cancels it.
func (b *streamBody) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errBodyClosed
	}
	if len(b.pending) > 0 {
		n := copy(p, b.pending)
		b.pending = b.pending[n:]
		return n, nil
	}
	if b.err != nil {
		return 0, b.err
	}
	dst := p
	if len(p) < minDirectRead {
		if b.buf == nil {
			b.buf = make([]byte, bufSize(b.size))
		}
		dst = b.buf
	}
	n, err := b.readC(dst)
	if err != nil {
		return 0, err
	}
	if len(p) < minDirectRead {
		c := copy(p, dst[:n])
		b.pending = dst[c:n]
		return c, nil
	}
	return n, nil
}

// readC is one reqc_stream_read into dst; at the end or on a failure the
// stream is freed at once (its connection reused when the body had all
// arrived) and the outcome kept for later reads.
func (b *streamBody) readC(dst []byte) (int, error) {
	beforeBlockingCall()
	out := C.reqcgo_stream_read(b.h.stream, (*C.uint8_t)(unsafe.Pointer(&dst[0])), C.size_t(len(dst)))
	rc, n := out.code, out.len
	if rc != C.REQC_OK {
		e := newError(rc, C.reqc_stream_error(b.h.stream))
		if rc == C.REQC_E_CANCELLED {
			e.ctxErr = b.ctx.Err()
		}
		b.err = e
		b.h.endStream()
		return 0, e
	}
	if n == 0 {
		b.err = io.EOF
		b.h.endStream()
		return 0, io.EOF
	}
	return int(n), nil
}

// WriteTo copies the rest of the body to w with 64 KiB reads (io.Copy uses
// it), whatever buffer io.Copy would have picked.
func (b *streamBody) WriteTo(w io.Writer) (int64, error) {
	var total int64
	b.mu.Lock()
	pending := b.pending
	b.pending = nil
	b.mu.Unlock()
	if len(pending) > 0 {
		n, err := w.Write(pending)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	buf := make([]byte, 64<<10)
	for {
		b.mu.Lock()
		var n int
		err := b.err
		if b.closed {
			err = errBodyClosed
		}
		if err == nil {
			n, err = b.readC(buf)
		}
		b.mu.Unlock()
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// Close ends the body: before its end, the transfer stops and its
// connection is closed (never reused). A Read blocked in another goroutine
// is ended first (it returns an error).
func (b *streamBody) Close() error {
	if !b.mu.TryLock() {
		// A Read is in C: cancel the request to end it. h.req stays valid:
		// only Close frees it, under mu.
		C.reqc_request_cancel(b.h.req)
		b.mu.Lock()
	}
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	b.pending = nil
	b.cleanup.Stop()
	b.h.release()
	return nil
}

// bufSize is the body's small-read buffer: 64 KiB, or less for a body known
// to be smaller (one byte more, to see the end in the same read).
func bufSize(size int64) int {
	if size >= 0 && size < 64<<10 {
		return int(size) + 1
	}
	return 64 << 10
}

// readAll reads the rest of the body in as few reads as the C side allows,
// into a buffer sized from Content-Length when known.
func (b *streamBody) readAll() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errBodyClosed
	}
	out := make([]byte, 0, bufSize(b.size))
	out = append(out, b.pending...)
	b.pending = nil
	for b.err == nil {
		if len(out) == cap(out) {
			out = append(out, make([]byte, 64<<10)...)[:len(out)]
		}
		n, err := b.readC(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
	}
	if b.err != io.EOF {
		return out, b.err
	}
	return out, nil
}
