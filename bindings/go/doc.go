// Package reqc is the Go binding of libreqc, "HTTP for humans" over
// libcurl: sessions with cookies, default headers and auth, hooks, verbose
// logging, retries, and a concurrent Map over many requests on one libcurl
// multi handle; and Transport, an http.RoundTripper for code that takes an
// *http.Client.
//
//	s, _ := reqc.NewSession()
//	defer s.Close()
//	resp, err := s.Get(ctx, "https://example.org/")
//	if err != nil { ... }           // *reqc.Error; errors.Is(err, reqc.ErrTimeout), context.Canceled, ...
//	body, _ := resp.Bytes()
//
// Linking: through pkg-config, `#cgo pkg-config: reqc` (install libreqc
// with `make install`, or point PKG_CONFIG_PATH at build/pkgconfig of a
// libreqc build tree after `make go-pc`). With `-tags reqc_static` the
// binary links libreqc.a instead (reqc-static.pc) and needs no libreqc.so.
//
// Threads: a send runs in C on the calling goroutine's OS thread and holds it
// until the response is in; many goroutines sending at once hold as many
// threads. To send many requests, use Session.Map or Session.All: one thread
// and one multi handle for the whole batch.
//
// Callbacks (hooks, io.Reader request bodies, io.Writer response sinks, log
// sinks) run on a goroutine of their own while the send waits; a panic or
// runtime.Goexit in them ends the send and is repeated in the goroutine that
// called it. C never holds a Go pointer: callbacks are reached through
// runtime/cgo.Handle values, released when libreqc drops them.
package reqc
