package reqc

/*
#include "bridge.h"
*/
import "C"

import (
	"context"
	"io"
	"log/slog"
	"runtime/cgo"
	"sync"
	"time"
	"weak"
)

// LogLevel is how much libreqc logs (reqc_log_level).
type LogLevel int

// Log levels.
const (
	LogOff LogLevel = C.REQC_LOG_LEVEL_OFF
	// LogRequests: a line when each request starts and one when it ends.
	LogRequests LogLevel = C.REQC_LOG_LEVEL_REQUESTS
	// LogHeaders adds request and response headers.
	LogHeaders LogLevel = C.REQC_LOG_LEVEL_HEADERS
	// LogWire adds libcurl's trace.
	LogWire LogLevel = C.REQC_LOG_LEVEL_WIRE
)

// Secrets (Authorization, cookies, marked headers, URL passwords) are
// redacted at every level unless LogShowSecrets is passed.
const LogShowSecrets = C.REQC_LOG_FLAG_SHOW_SECRETS

// writerSink writes each line and a newline to w; one line at a time, so
// lines of concurrent sends never interleave.
func writerSink(w io.Writer) func(LogLevel, string) {
	var mu sync.Mutex
	return func(_ LogLevel, line string) {
		mu.Lock()
		defer mu.Unlock()
		_, _ = io.WriteString(w, line+"\n")
	}
}

// slogSink hands each line to h as a record: LogRequests lines at
// slog.LevelInfo, headers and wire lines at slog.LevelDebug.
func slogSink(h slog.Handler) func(LogLevel, string) {
	return func(level LogLevel, line string) {
		l := slog.LevelDebug
		if level <= LogRequests {
			l = slog.LevelInfo
		}
		ctx := context.Background()
		if !h.Enabled(ctx, l) {
			return
		}
		rec := slog.NewRecord(time.Now(), l, line, 0)
		rec.AddAttrs(slog.String("logger", "reqc"))
		_ = h.Handle(ctx, rec)
	}
}

// SetLogger logs the session's sends to w at level (LogOff: stop).
// A panic of w is repeated by the session's next send to return.
func (s *Session) SetLogger(w io.Writer, level LogLevel) error {
	if w == nil || level == LogOff {
		return s.setLog(nil, LogOff)
	}
	return s.setLog(writerSink(w), level)
}

// SetLogHandler logs the session's sends to a slog.Handler at level.
func (s *Session) SetLogHandler(h slog.Handler, level LogLevel) error {
	if h == nil || level == LogOff {
		return s.setLog(nil, LogOff)
	}
	return s.setLog(slogSink(h), level)
}

func (s *Session) setLog(write func(LogLevel, string), level LogLevel) error {
	if write == nil {
		return s.call(func(p *C.reqc_session) C.reqc_code {
			return C.reqc_session_set_verbose_fd(p, -1, C.REQC_LOG_LEVEL_OFF, 0)
		})
	}
	// The session holds the sink (the userdata only weakly: see
	// logBinding) from before libreqc can call it until it releases it.
	sink := &logSink{write: write}
	s.mu.Lock()
	if s.logSinks == nil {
		s.logSinks = map[*logSink]struct{}{}
	}
	s.logSinks[sink] = struct{}{}
	s.mu.Unlock()
	b := &logBinding{sink: weak.Make(sink), owner: weak.Make(s), pending: s.logPanic}
	registered := false // else libreqc releases b, also when it refuses it
	err := s.call(func(p *C.reqc_session) C.reqc_code {
		registered = true
		return C.reqcgo_session_set_log(p, C.reqc_log_level(level), 0, C.uintptr_t(cgo.NewHandle(b)))
	})
	if !registered { // a closed session
		b.released()
	}
	return err
}

// globalLogPanic holds a panic of the global log sink for the next send.
var globalLogPanic = &pendingPanic{}

// SetLogger logs every send of the process to w at level, unless a session
// sets its own sink (reqc_config_set_log_callback). nil or LogOff stops it.
func SetLogger(w io.Writer, level LogLevel) error {
	if w == nil || level == LogOff {
		return configFail(C.reqc_config_set_verbose_fd(-1, C.REQC_LOG_LEVEL_OFF, 0))
	}
	return setGlobalLog(writerSink(w), level)
}

// SetLogHandler logs every send of the process to a slog.Handler.
func SetLogHandler(h slog.Handler, level LogLevel) error {
	if h == nil || level == LogOff {
		return configFail(C.reqc_config_set_verbose_fd(-1, C.REQC_LOG_LEVEL_OFF, 0))
	}
	return setGlobalLog(slogSink(h), level)
}

func setGlobalLog(write func(LogLevel, string), level LogLevel) error {
	sink := &logSink{write: write}
	h := cgo.NewHandle(&logBinding{sink: weak.Make(sink), keep: sink, pending: globalLogPanic})
	return configFail(C.reqcgo_config_set_log(C.reqc_log_level(level), 0, C.uintptr_t(h)))
}
