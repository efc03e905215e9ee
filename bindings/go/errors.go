package reqc

// #include "reqc.h"
import "C"

import (
	"context"
	"errors"
)

// Code is a libreqc result code (reqc_code): 0 is success, every other value
// names one kind of failure and never changes.
type Code int

// The result codes of include/reqc.h.
const (
	CodeOK                  Code = C.REQC_OK
	CodeInvalidArgument     Code = C.REQC_E_INVALID_ARGUMENT
	CodeInvalidURL          Code = C.REQC_E_INVALID_URL
	CodeUnsupportedProtocol Code = C.REQC_E_UNSUPPORTED_PROTOCOL
	CodeInvalidState        Code = C.REQC_E_INVALID_STATE
	CodeNotFound            Code = C.REQC_E_NOT_FOUND
	CodeIO                  Code = C.REQC_E_IO
	CodeResolve             Code = C.REQC_E_RESOLVE
	CodeConnect             Code = C.REQC_E_CONNECT
	CodeTimeout             Code = C.REQC_E_TIMEOUT
	CodeTLS                 Code = C.REQC_E_TLS
	CodeSend                Code = C.REQC_E_SEND
	CodeRecv                Code = C.REQC_E_RECV
	CodeProtocol            Code = C.REQC_E_PROTOCOL
	CodeProxy               Code = C.REQC_E_PROXY
	CodeTooManyRedirects    Code = C.REQC_E_TOO_MANY_REDIRECTS
	CodeBodyTooLarge        Code = C.REQC_E_BODY_TOO_LARGE
	CodeCancelled           Code = C.REQC_E_CANCELLED
	CodeAborted             Code = C.REQC_E_ABORTED
	CodeCallback            Code = C.REQC_E_CALLBACK
	CodeTransport           Code = C.REQC_E_TRANSPORT
	CodePanic               Code = C.REQC_E_PANIC
)

// String is the code's C name, e.g. "REQC_E_TIMEOUT".
func (c Code) String() string {
	return C.GoString(C.reqc_code_name(C.reqc_code(c)))
}

// Error is every failure this package reports: the libreqc code and its
// message ("REQC_E_TIMEOUT: ..."). errors.Is matches it against the sentinel
// of its code (ErrTimeout, ...), against context.Canceled or
// context.DeadlineExceeded when the context ended the call, and against the
// error a hook returned to abort the send.
type Error struct {
	Code    Code
	Message string

	// Response is, after ErrTooManyRedirects, the redirect that was not
	// followed (with its history), as Requests' TooManyRedirects.response.
	Response *Response

	sentinel bool
	ctxErr   error // the context's error when the context ended the call
	cause    error // a hook's error that aborted the send
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code.String()
	}
	return e.Message
}

// Is matches the sentinel error of e's code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.sentinel && t.Code == e.Code
}

// Unwrap gives the context's error and a hook's error, if any.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.ctxErr != nil {
		errs = append(errs, e.ctxErr)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// Timeout reports whether the call ran out of time (libreqc's timeout or
// the context's deadline), as net.Error does.
func (e *Error) Timeout() bool {
	return e.Code == CodeTimeout || errors.Is(e.ctxErr, context.DeadlineExceeded)
}

func sentinel(c Code) *Error { return &Error{Code: c, sentinel: true} }

// Sentinel errors, one per code: errors.Is(err, reqc.ErrTimeout).
var (
	ErrInvalidArgument     = sentinel(CodeInvalidArgument)
	ErrInvalidURL          = sentinel(CodeInvalidURL)
	ErrUnsupportedProtocol = sentinel(CodeUnsupportedProtocol)
	ErrInvalidState        = sentinel(CodeInvalidState)
	ErrNotFound            = sentinel(CodeNotFound)
	ErrIO                  = sentinel(CodeIO)
	ErrResolve             = sentinel(CodeResolve)
	ErrConnect             = sentinel(CodeConnect)
	ErrTimeout             = sentinel(CodeTimeout)
	ErrTLS                 = sentinel(CodeTLS)
	ErrSend                = sentinel(CodeSend)
	ErrRecv                = sentinel(CodeRecv)
	ErrProtocol            = sentinel(CodeProtocol)
	ErrProxy               = sentinel(CodeProxy)
	ErrTooManyRedirects    = sentinel(CodeTooManyRedirects)
	ErrBodyTooLarge        = sentinel(CodeBodyTooLarge)
	ErrCancelled           = sentinel(CodeCancelled)
	ErrAborted             = sentinel(CodeAborted)
	ErrCallback            = sentinel(CodeCallback)
	ErrTransport           = sentinel(CodeTransport)
	ErrPanic               = sentinel(CodePanic)
)

// ErrClosed is returned by calls on a closed Session.
var ErrClosed = &Error{Code: CodeInvalidState, Message: "REQC_E_INVALID_STATE: the session is closed"}

// newError builds the error of a failed call from its code and the message
// libreqc left on the handle (msg may be NULL).
func newError(code C.reqc_code, msg *C.char) *Error {
	e := &Error{Code: Code(code)}
	if msg != nil {
		e.Message = C.GoString(msg)
	}
	if e.Message == "" {
		e.Message = e.Code.String()
	}
	return e
}

func argError(text string) *Error {
	return &Error{Code: CodeInvalidArgument, Message: "REQC_E_INVALID_ARGUMENT: " + text}
}
