//! Verbose logging, Requests-style: a line per request and response, and at
//! higher levels the headers and libcurl's own trace, to a file descriptor
//! or a callback, set on the global config or on a session (the session's
//! wins). Secrets are redacted at every level unless asked for.
//!
//! Thread rule: sinks are thread-safe to set; lines are written (or the
//! callback called) on the sending thread, one whole line at a time.

// Verbose logging from C.

use std::ffi::{c_char, c_int, c_void, CString};
use std::fs::File;
use std::io::Write;
use std::mem::ManuallyDrop;
use std::os::fd::FromRawFd;
use std::sync::Arc;

use super::callbacks::{reqc_free_fn, Userdata};
use super::code::reqc_code;
use super::options::{self, Target};
use super::session::reqc_session;
use crate::core::error::{Error, Result};
use crate::core::log::{Level, LogSink, Logger};

/// How much a log sink receives: one of the `REQC_LOG_LEVEL_*` constants
/// (each level includes the ones below it).
#[allow(non_camel_case_types)]
pub type reqc_log_level = c_int;
/// Options of a log sink: 0 or `REQC_LOG_FLAG_*` constants OR'ed together.
#[allow(non_camel_case_types)]
pub type reqc_log_flag = c_int;

/// Log nothing (turns off a lower layer's sink).
pub const REQC_LOG_LEVEL_OFF: reqc_log_level = 0;
/// A line when each request (each redirect hop) starts, in the seed's
/// format (`2026-11-23T03:04:23.380175   GET   http://…`, local time), and
/// one with status and elapsed time when it ends; hook warnings.
pub const REQC_LOG_LEVEL_REQUESTS: reqc_log_level = 1;
/// Also the request and response headers.
pub const REQC_LOG_LEVEL_HEADERS: reqc_log_level = 2;
/// Also libcurl's own trace (body sizes, never body bytes).
pub const REQC_LOG_LEVEL_WIRE: reqc_log_level = 3;
/// Log secrets unredacted. By default the values of
/// Authorization, Proxy-Authorization, Cookie, Set-Cookie and secret headers,
/// passwords and tokens (also base64-encoded) are replaced by `***` at every
/// level, libcurl's HTTP/2 trace included.
pub const REQC_LOG_FLAG_SHOW_SECRETS: reqc_log_flag = 0x100;

/// Receives one log line (no trailing newline; valid only during the call)
/// and the level it belongs to, on the thread that sends.
#[allow(non_camel_case_types)]
pub type reqc_log_fn =
    Option<unsafe extern "C" fn(userdata: *mut c_void, level: reqc_log_level, line: *const c_char)>;

struct FdSink(c_int);

impl LogSink for FdSink {
    fn line(&self, _: Level, line: &str) {
        // SAFETY: the caller promised the descriptor stays open while it is
        // set; ManuallyDrop keeps this borrowed File from closing it.
        let mut file = ManuallyDrop::new(unsafe { File::from_raw_fd(self.0) });
        // One write per line, so lines from several threads do not mix.
        let _ = file.write_all(format!("{line}\n").as_bytes());
    }
}

struct CallbackSink {
    log: unsafe extern "C" fn(*mut c_void, reqc_log_level, *const c_char),
    userdata: Userdata,
}

impl LogSink for CallbackSink {
    fn line(&self, level: Level, line: &str) {
        let line = CString::new(line.replace('\0', "\\0")).unwrap_or_default();
        // SAFETY: the caller registered `log` with this userdata; `line`
        // lives until the call returns.
        unsafe { (self.log)(self.userdata.ptr(), level as reqc_log_level, line.as_ptr()) };
    }
}

fn logger(
    level: reqc_log_level,
    flags: reqc_log_flag,
    sink: impl FnOnce() -> Result<Arc<dyn LogSink>>,
) -> Result<Logger> {
    if flags & !REQC_LOG_FLAG_SHOW_SECRETS != 0 {
        return Err(Error::invalid(format!(
            "{flags:#x} has bits that are no REQC_LOG_FLAG_* value"
        )));
    }
    let redact = flags & REQC_LOG_FLAG_SHOW_SECRETS == 0;
    let level = match level {
        REQC_LOG_LEVEL_OFF => Level::Off,
        REQC_LOG_LEVEL_REQUESTS => Level::Requests,
        REQC_LOG_LEVEL_HEADERS => Level::Headers,
        REQC_LOG_LEVEL_WIRE => Level::Wire,
        other => {
            return Err(Error::invalid(format!(
                "{other} is not a REQC_LOG_LEVEL_* value"
            )))
        }
    };
    Ok(Logger {
        level,
        sink: sink()?,
        redact,
    })
}

fn fd_logger(fd: c_int, level: reqc_log_level, flags: reqc_log_flag) -> Result<Logger> {
    logger(level, flags, || {
        if level == REQC_LOG_LEVEL_OFF {
            // Switching logging off needs no descriptor.
            return Ok(Arc::new(Silence) as Arc<dyn LogSink>);
        }
        if fd < 0 {
            return Err(Error::invalid(format!("file descriptor {fd} is negative")));
        }
        Ok(Arc::new(FdSink(fd)))
    })
}

/// A sink that drops every line: what `REQC_LOG_LEVEL_OFF` with no callback gets.
struct Silence;

impl LogSink for Silence {
    fn line(&self, _: Level, _: &str) {}
}

fn callback_logger(
    level: reqc_log_level,
    flags: reqc_log_flag,
    log: reqc_log_fn,
    userdata: Userdata,
) -> Result<Logger> {
    logger(level, flags, || match log {
        Some(log) => Ok(Arc::new(CallbackSink { log, userdata }) as Arc<dyn LogSink>),
        None if level == REQC_LOG_LEVEL_OFF => Ok(Arc::new(Silence)),
        None => Err(Error::invalid("log callback is NULL")),
    })
}

/// Sets the log sink of a layer, through the edit every setter uses.
fn set_sink(target: Target, logger: impl FnOnce() -> Result<Logger>) -> reqc_code {
    // SAFETY: the caller passes NULL or a live handle (the header's rule).
    unsafe {
        options::edit(target, |l| {
            l.options_mut().log = Some(logger()?);
            Ok(())
        })
    }
}

/// Logs every send in the process to `fd` (e.g. 2 for stderr, the C form
/// of Requests' `settings.verbose = sys.stderr`) at `level`, with `flags`
/// (0, or `REQC_LOG_FLAG_SHOW_SECRETS`), unless a
/// session sets its own sink. The descriptor must stay open while it is set;
/// libreqc never closes it. With `REQC_LOG_LEVEL_OFF`, `fd` is ignored (any
/// value, -1 included): logging is off. Thread-safe.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (a negative `fd` with a
/// level other than `REQC_LOG_LEVEL_OFF`, an unknown level or flag).
#[no_mangle]
pub extern "C" fn reqc_config_set_verbose_fd(
    fd: c_int,
    level: reqc_log_level,
    flags: reqc_log_flag,
) -> reqc_code {
    set_sink(Target::Config, || fd_logger(fd, level, flags))
}

/// Logs every send in the process to `log` at `level`, with `flags` (as
/// `reqc_config_set_verbose_fd`), unless a session sets its own sink. With
/// `REQC_LOG_LEVEL_OFF`, `log` may be NULL. `free_userdata` runs exactly once, when the sink is
/// replaced and no send uses it any more (or before this returns if it
/// fails). Thread-safe.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn reqc_config_set_log_callback(
    level: reqc_log_level,
    flags: reqc_log_flag,
    log: reqc_log_fn,
    userdata: *mut c_void,
    free_userdata: reqc_free_fn,
) -> reqc_code {
    let userdata = Userdata::new(userdata, free_userdata);
    set_sink(Target::Config, move || {
        callback_logger(level, flags, log, userdata)
    })
}

/// As `reqc_config_set_verbose_fd`, for the session's sends only (it wins
/// over the global sink; `REQC_LOG_LEVEL_OFF` silences them, with any `fd`, -1
/// included).
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_verbose_fd(
    session: *mut reqc_session,
    fd: c_int,
    level: reqc_log_level,
    flags: reqc_log_flag,
) -> reqc_code {
    set_sink(Target::Session(session), || fd_logger(fd, level, flags))
}

/// As `reqc_config_set_log_callback`, for the session's sends only.
///
/// Returns `REQC_OK` or `REQC_E_INVALID_ARGUMENT` (message on `session`).
#[no_mangle]
pub unsafe extern "C" fn reqc_session_set_log_callback(
    session: *mut reqc_session,
    level: reqc_log_level,
    flags: reqc_log_flag,
    log: reqc_log_fn,
    userdata: *mut c_void,
    free_userdata: reqc_free_fn,
) -> reqc_code {
    let userdata = Userdata::new(userdata, free_userdata);
    set_sink(Target::Session(session), move || {
        callback_logger(level, flags, log, userdata)
    })
}
