package main

// The floor of any Go binding whose sends wait in C (mode seq_floor): the
// C client's send (bench/reqc_client.c's seq loop: request_new, send,
// status, body, frees) made in one cgo call, with nothing on the Go side
// but the loop. Not a binding: it returns no Response, no http.Header, no
// body to the caller, and maps no context. Beside net/http in go_seq it
// shows what is left of the Go row's target once the binding costs
// nothing: the rest is libreqc's C send and where it waits.

/*
#cgo pkg-config: reqc
#include <reqc.h>
#include <stdlib.h>

// One send: the response's status, its body's length in *len.
static int floor_send(reqc_session *s, const char *url, long long *len) {
    reqc_request *req = NULL;
    reqc_response *resp = NULL;
    if (reqc_request_new("GET", url, &req, NULL) != REQC_OK) return -1;
    reqc_code rc = reqc_session_send(s, req, &resp);
    reqc_request_free(req);
    if (rc != REQC_OK) return -(int)rc;
    size_t n = 0;
    reqc_response_body(resp, &n);
    *len = (long long)n;
    int status = reqc_response_status(resp);
    reqc_response_free(resp);
    return status;
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"libreqc/bench/go/row"
)

// floor runs a.Count sends as floor_send does them, on a session set up as
// the binding's row sets its own (HTTP/1.1, no Accept-Encoding).
func floor(a row.Args) (int64, bool) {
	var s *C.reqc_session
	if C.reqc_session_new(&s) != C.REQC_OK {
		return 0, false
	}
	defer C.reqc_session_free(s)
	name := C.CString("Accept-Encoding")
	url := C.CString(a.URL)
	defer C.free(unsafe.Pointer(name))
	defer C.free(unsafe.Pointer(url))
	if C.reqc_session_set_http_version(s, C.REQC_HTTP_VERSION_1_1) != C.REQC_OK ||
		C.reqc_session_set_header(s, name, nil) != C.REQC_OK {
		return 0, false
	}
	// The binding's yield before a blocking call, without which sysmon's
	// hand-offs cost every send 10-25 µs more: bindings/go/blocking.go's
	// beforeBlockingCall (unexported there), with its period (yieldEvery),
	// for this one goroutine.
	last := time.Now()
	return a.Sequential("goreqc", func() (int64, error) {
		if now := time.Now(); now.Sub(last) >= 5*time.Millisecond {
			last = now
			runtime.Gosched()
		}
		var n C.longlong
		status := C.floor_send(s, url, &n)
		if status < 0 {
			return 0, fmt.Errorf("floor_send: code %d", -status)
		}
		return int64(n), a.Check(int(status), int64(n))
	})
}
