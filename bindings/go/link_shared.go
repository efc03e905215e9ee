//go:build !reqc_static

package reqc

// Linked against libreqc.so through pkg-config: `reqc.pc` from `make install`
// or, for an uninstalled build, build/pkgconfig/reqc.pc (`make go-pc`), which
// also sets an rpath to target/release.

// #cgo pkg-config: reqc
import "C"
