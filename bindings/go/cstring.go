package reqc

// #include "reqc.h"
import "C"

import (
	"strings"
	"time"
	"unsafe"
)

// cstr gives a NUL-terminated copy of s in Go memory, valid for the C call it
// is passed to (C copies every string it keeps). A NUL inside s is refused:
// C would silently cut the string there.
func cstr(what, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, argError(what + " contains a NUL byte")
	}
	b := make([]byte, len(s)+1)
	copy(b, s)
	return (*C.char)(unsafe.Pointer(&b[0])), nil
}

// cstrOrNil is cstr, or NULL for a nil pointer (the C "remove" value).
func cstrOrNil(what string, s *string) (*C.char, error) {
	if s == nil {
		return nil, nil
	}
	return cstr(what, *s)
}

// cbytes points at b's bytes for one C call ((NULL, 0) for empty).
func cbytes(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

// goString copies a borrowed C string ("" for NULL).
func goString(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

// ms converts a duration to whole milliseconds, rounding a positive
// sub-millisecond duration up so that it never turns into "no limit".
func ms(d time.Duration) C.int64_t {
	if d <= 0 {
		return 0
	}
	return C.int64_t((d + time.Millisecond - 1) / time.Millisecond)
}
