//go:build reqc_static

package reqc

// With `-tags reqc_static`, linked statically against libreqc.a through
// `reqc-static.pc` (libreqc.a by path, so the linker cannot pick the shared
// object): the binary needs no libreqc.so at run time.

// #cgo pkg-config: --static reqc-static
import "C"
