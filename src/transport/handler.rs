//! The libcurl callbacks of one transfer: head lines and body bytes go to the
//! engine's `Collector`, upload bytes come from the hop's `Upload`.

use std::io::SeekFrom;

use std::ffi::{c_char, c_long, c_void, CStr};
use std::sync::Arc;

use curl::easy::{Easy2, Handler, InfoType, ReadError, SeekResult, WriteError};

use crate::core::collect::{Collector, Take};
use crate::core::hooks::SentInfo;
use crate::core::log::{HopLog, Trace};
use crate::core::pull::Lent;
use crate::core::transfer::Upload;

use super::idle::IdleClock;

/// The easy handle the callbacks belong to, for `curl_easy_getinfo` from
/// inside a callback.
#[derive(Clone, Copy)]
pub struct RawEasy(pub *mut curl_sys::CURL);

// SAFETY: the pointer is only used by the thread running the transfer, from
// inside the transfer's own callbacks (see `sent_info`) or by the lane
// between its steps (`hop_info`).
unsafe impl Send for RawEasy {}

/// The unwritten rest of a reader's buffer, lent to a pulled transfer's
/// write callback for one `curl_multi_perform` or `curl_easy_pause` call
/// (`Lane::perform_into`, `Lane::resume`), and how much of it the callback
/// wrote.
pub struct LentRoom {
    ptr: *mut u8,
    len: usize,
    pub written: usize,
}

// SAFETY: a `LentRoom` only exists inside a lane call made by the thread
// that owns the borrow it comes from (see `LentRoom::lend`); it never
// crosses threads while set, the `Send` only lets the lane move between
// calls.
unsafe impl Send for LentRoom {}

impl LentRoom {
    /// Records `into`'s unwritten rest. The caller must clear the room
    /// (`Callbacks::lent = None`) before the borrow of `into` ends: the lane
    /// sets it right before one libcurl call and takes it back right after,
    /// unwinding included.
    pub fn lend(into: &mut Lent<'_>) -> LentRoom {
        let rest = into.rest();
        LentRoom {
            ptr: rest.as_mut_ptr(),
            len: rest.len(),
            written: 0,
        }
    }

    /// Runs `write` with the part of the room not written yet, and counts
    /// what it wrote there.
    fn with<T>(&mut self, write: impl FnOnce(&mut Lent<'_>) -> T) -> T {
        // SAFETY: `ptr..ptr + len` is the unwritten rest of a `&mut [u8]`
        // that the lane call running this callback borrows mutably for its
        // whole duration (`LentRoom::lend`), on this thread; no other
        // reference to it is used meanwhile, and the room is cleared before
        // that call returns. `written <= len` (a `Lent` never writes past
        // its buffer), so the slice stays inside it.
        let rest = unsafe {
            std::slice::from_raw_parts_mut(self.ptr.add(self.written), self.len - self.written)
        };
        let mut lent = Lent::new(rest);
        let result = write(&mut lent);
        self.written += lent.filled();
        result
    }
}

/// The state libcurl's callbacks reach, owned by the lane's easy handle and
/// filled anew for every transfer.
#[derive(Default)]
pub struct Callbacks {
    pub collector: Collector,
    pub upload: Option<Upload>,
    /// The body length the caller announced, and how much of it was read.
    pub upload_length: Option<u64>,
    pub uploaded: u64,
    /// The message of a failed upload read callback.
    pub read_error: Option<String>,
    pub log: Option<Arc<HopLog>>,
    pub easy: Option<RawEasy>,
    /// The read timeout's clock, when the hop has one (progress on then).
    pub idle: Option<IdleClock>,
    /// What this handle is configured with, when it may be reused as is
    /// (see `configure`).
    pub configured: Option<super::configure::Kept>,
    /// The reader's buffer, while a pulled transfer's reader waits in a
    /// read (set for one libcurl call at a time).
    pub lent: Option<LentRoom>,
    /// Set while `Lane::resume` unpauses the transfer.
    pub resuming: bool,
}

/// What libcurl knows of the connection, asked from inside a callback (or
/// by the lane that runs the transfer, between two of its steps).
/// `known`, when given, is the last remote IP its caller saw: a transfer to
/// the same address shares that text (a batch's transfers mostly go to one
/// server: no allocation, and no free with each response), and a new
/// address replaces it.
fn sent_info(easy: RawEasy, known: Option<&mut Arc<str>>) -> SentInfo {
    let mut ip: *const c_char = std::ptr::null();
    let mut port: c_long = 0;
    let mut connects: c_long = 0;
    // SAFETY: `easy.0` is the handle whose callback is running (set by the
    // lane before the transfer and cleared after), or a handle of the lane
    // calling between its steps (running, or just removed from its multi); curl_easy_getinfo may be called
    // from inside a transfer's callbacks and between steps. Each out-pointer has the
    // type its CURLINFO_* option documents (char*, long, long); the IP string
    // is owned by libcurl and copied before the callback returns.
    unsafe {
        curl_sys::curl_easy_getinfo(easy.0, curl_sys::CURLINFO_PRIMARY_IP, &mut ip);
        curl_sys::curl_easy_getinfo(easy.0, curl_sys::CURLINFO_PRIMARY_PORT, &mut port);
        curl_sys::curl_easy_getinfo(easy.0, curl_sys::CURLINFO_NUM_CONNECTS, &mut connects);
    }
    let remote_ip = if ip.is_null() {
        Arc::from("")
    } else {
        // SAFETY: non-NULL, NUL-terminated and alive for this callback.
        let ip = unsafe { CStr::from_ptr(ip) }.to_bytes();
        match known {
            Some(known) if known.as_bytes() == ip => Arc::clone(known),
            Some(known) => {
                *known = String::from_utf8_lossy(ip).into();
                Arc::clone(known)
            }
            None => String::from_utf8_lossy(ip).into(),
        }
    };
    SentInfo {
        remote_ip,
        remote_port: u16::try_from(port).unwrap_or(0),
        reused_connection: connects == 0,
    }
}

/// `CURLINFO_OFF_T`, the type class of the `*_TIME_T` infos (libcurl
/// 7.61), which curl-sys does not define.
const CURLINFO_OFF_T: curl_sys::CURLINFO = 0x60_0000;
const CURLINFO_TOTAL_TIME_T: curl_sys::CURLINFO = CURLINFO_OFF_T + 50;
const CURLINFO_NAMELOOKUP_TIME_T: curl_sys::CURLINFO = CURLINFO_OFF_T + 51;
const CURLINFO_CONNECT_TIME_T: curl_sys::CURLINFO = CURLINFO_OFF_T + 52;
const CURLINFO_STARTTRANSFER_TIME_T: curl_sys::CURLINFO = CURLINFO_OFF_T + 54;
const CURLINFO_APPCONNECT_TIME_T: curl_sys::CURLINFO = CURLINFO_OFF_T + 56;

/// What libcurl knows of a transfer: the connection, and the timings so far
/// (all of them once it finished). Asked by the lane, between its steps,
/// of a running transfer (a pulled one, at its head) or of one it retires.
/// `known` as in `sent_info`.
pub fn hop_info(easy: RawEasy, known: Option<&mut Arc<str>>) -> crate::core::transfer::HopInfo {
    let sent = sent_info(easy, known);
    // The `*_TIME_T` infos: libcurl's own microseconds, the same numbers
    // the `*_TIME` doubles are made from, without a round trip through
    // floating point seconds.
    let time = |option: curl_sys::CURLINFO| {
        let mut micros: curl_sys::curl_off_t = 0;
        // SAFETY: `easy.0` is a live easy handle of the lane calling this
        // (running, or just removed from its multi), used by that thread
        // alone; each CURLINFO_*_TIME_T writes a curl_off_t.
        unsafe { curl_sys::curl_easy_getinfo(easy.0, option, &mut micros) };
        std::time::Duration::from_micros(u64::try_from(micros).unwrap_or(0))
    };
    // A transfer on a reused connection has no DNS, connect or TLS phase:
    // libcurl resets its timers per transfer and sets those three only
    // while it makes a connection (NUM_CONNECTS then counts it), so they
    // are 0 and not asked for (three getinfo calls, ~470 instructions, on
    // every keep-alive request).
    let (dns, connect, tls) = if sent.reused_connection {
        Default::default()
    } else {
        (
            time(CURLINFO_NAMELOOKUP_TIME_T),
            time(CURLINFO_CONNECT_TIME_T),
            time(CURLINFO_APPCONNECT_TIME_T),
        )
    };
    crate::core::transfer::HopInfo {
        remote_ip: sent.remote_ip,
        remote_port: sent.remote_port,
        timings: crate::core::response::Timings {
            dns,
            connect,
            tls,
            first_byte: time(CURLINFO_STARTTRANSFER_TIME_T),
            total: time(CURLINFO_TOTAL_TIME_T),
        },
        reused_connection: sent.reused_connection,
    }
}

/// True once the transfer is past connect and TLS (libcurl records the
/// pre-transfer time then, at least 1 µs).
fn connected(easy: RawEasy) -> bool {
    let mut seconds: f64 = 0.0;
    // SAFETY: `easy.0` is the handle whose progress callback is running (see
    // `sent_info`); CURLINFO_PRETRANSFER_TIME writes a double.
    unsafe {
        curl_sys::curl_easy_getinfo(easy.0, curl_sys::CURLINFO_PRETRANSFER_TIME, &mut seconds);
    }
    seconds > 0.0
}

impl Handler for Callbacks {
    fn write(&mut self, data: &[u8]) -> Result<usize, WriteError> {
        let collector = &mut self.collector;
        let taken = match self.lent.as_mut() {
            Some(room) => room.with(|lent| collector.write_into(data, Some(lent))),
            None => collector.write(data),
        };
        match taken {
            Take::All => Ok(data.len()),
            // Not from inside `Lane::resume`'s unpause (a pause nested in
            // an unpause would be undone by it): the bytes after these are
            // kept, and the next read's resume finds the transfer running.
            Take::AllThenPause if self.resuming => Ok(data.len()),
            Take::AllThenPause => {
                if let Some(easy) = self.easy {
                    // SAFETY: `easy.0` is the handle whose write callback is
                    // running (see `sent_info`); libcurl lets a transfer's
                    // callbacks pause it (curl_easy_pause(3)): with
                    // CURLPAUSE_RECV it reads no more and calls this callback
                    // no more until the lane resumes it (`Lane::resume`).
                    unsafe { curl_sys::curl_easy_pause(easy.0, curl_sys::CURLPAUSE_RECV) };
                }
                if let Some(idle) = self.idle.as_mut() {
                    idle.hold();
                }
                Ok(data.len())
            }
            // libcurl keeps `data` and hands it over again once the lane
            // resumes the transfer (`Lane::resume`); a paused transfer is
            // not idle, the reader is.
            Take::Pause => {
                if let Some(idle) = self.idle.as_mut() {
                    idle.hold();
                }
                Err(WriteError::Pause)
            }
            // Returning fewer bytes than given makes libcurl stop with
            // CURLE_WRITE_ERROR; the collector remembers why.
            Take::Stop => Ok(0),
        }
    }

    fn header(&mut self, data: &[u8]) -> bool {
        if self.collector.wants_sent() {
            let info = self
                .easy
                .map(|easy| sent_info(easy, None))
                .unwrap_or_default();
            if !self.collector.sent(&info) {
                return false;
            }
        }
        if let Some(idle) = self.idle.as_mut() {
            idle.touch();
        }
        // False (a HEADERS hook aborted at the end of the head) makes
        // libcurl stop with CURLE_WRITE_ERROR before any body byte.
        self.collector.header_line(data)
    }

    /// Only called when the hop has a read timeout (see `configure`):
    /// returning false ends the transfer with CURLE_ABORTED_BY_CALLBACK.
    fn progress(&mut self, _dltotal: f64, dlnow: f64, _ultotal: f64, ulnow: f64) -> bool {
        let (Some(idle), Some(easy)) = (self.idle.as_mut(), self.easy) else {
            return true;
        };
        idle.check(dlnow, ulnow, connected(easy))
    }

    fn debug(&mut self, kind: InfoType, data: &[u8]) {
        let Some(log) = &self.log else {
            return;
        };
        let kind = match kind {
            InfoType::Text => Trace::Text,
            InfoType::HeaderOut => Trace::HeaderOut,
            InfoType::HeaderIn => Trace::HeaderIn,
            InfoType::DataOut => Trace::DataOut,
            InfoType::DataIn => Trace::DataIn,
            _ => return,
        };
        log.trace(kind, data);
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ReadError> {
        let Some(upload) = self.upload.as_mut() else {
            return Ok(0);
        };
        let n = upload.read(buf).map_err(|message| {
            self.read_error = Some(message);
            ReadError::Abort
        })?;
        self.uploaded += n as u64;
        match self.upload_length {
            // libcurl would wait for bytes that never come, then fail as
            // if the callback had asked to stop: say what happened.
            Some(length) if n == 0 && self.uploaded < length => {
                self.read_error = Some(format!(
                    "it ended the body after {} of the {length} bytes announced",
                    self.uploaded
                ));
                Err(ReadError::Abort)
            }
            Some(length) if self.uploaded > length => {
                self.read_error = Some(format!(
                    "it supplied more than the {length} bytes announced"
                ));
                Err(ReadError::Abort)
            }
            _ => Ok(n),
        }
    }

    fn seek(&mut self, whence: SeekFrom) -> SeekResult {
        let rewound =
            whence == SeekFrom::Start(0) && self.upload.as_mut().is_some_and(Upload::rewind);
        if rewound {
            self.uploaded = 0;
            SeekResult::Ok
        } else {
            SeekResult::CantSeek
        }
    }
}

/// libcurl's header callback for a lane's handles, in place of the curl
/// crate's (`install_header_line`): the same call of `Callbacks::header`,
/// without the crate's look-up of its thread-local panic slot at every
/// line (a head is about ten lines). A panic in it stops that transfer
/// (libcurl's write error), as the crate's callback does under a multi
/// handle, but leaves no panic in the crate's slot (which nothing of a
/// multi handle takes out again, and which makes the crate's callbacks on
/// this thread refuse to run).
extern "C" fn header_line(
    buffer: *mut c_char,
    size: usize,
    nitems: usize,
    data: *mut c_void,
) -> usize {
    let len = size * nitems;
    if buffer.is_null() || data.is_null() {
        return !0; // not a line: stop the transfer (see below) rather than read through NULL
    }
    let keep_going = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: libcurl hands a header callback `size * nitems` readable
        // bytes at `buffer`, valid for the call; `data` is what
        // `install_header_line` set, the `Callbacks` inside the handle's
        // curl crate box, which does not move while the handle lives, and
        // nothing else uses them during a callback of their transfer (the
        // same access the curl crate's own callbacks make).
        let (line, callbacks) = unsafe {
            (
                std::slice::from_raw_parts(buffer as *const u8, len),
                &mut *(data as *mut Callbacks),
            )
        };
        callbacks.header(line)
    }))
    .unwrap_or(false);
    if keep_going {
        len
    } else {
        // Any other count than `len` makes libcurl stop the transfer.
        !0
    }
}

/// Makes `header_line` the handle's header callback. Set again after every
/// `reset` (which puts the curl crate's back): both options go together, so
/// the handle never pairs one callback with the other's data.
pub fn install_header_line(easy: &mut Easy2<Callbacks>) -> Result<(), curl::Error> {
    let data = easy.get_mut() as *mut Callbacks as *mut c_void;
    let callback: curl_sys::curl_write_callback = header_line;
    // SAFETY: `easy.raw()` is a live easy handle; CURLOPT_HEADERDATA takes
    // a pointer handed back to the callback as is, and
    // CURLOPT_HEADERFUNCTION a `curl_write_callback`, which `header_line`
    // is; `data` stays valid for the handle's life (see `header_line`).
    let rc = unsafe {
        match curl_sys::curl_easy_setopt(easy.raw(), curl_sys::CURLOPT_HEADERDATA, data) {
            curl_sys::CURLE_OK => {
                curl_sys::curl_easy_setopt(easy.raw(), curl_sys::CURLOPT_HEADERFUNCTION, callback)
            }
            rc => rc,
        }
    };
    if rc != curl_sys::CURLE_OK {
        return Err(curl::Error::new(rc));
    }
    Ok(())
}
