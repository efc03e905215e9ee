//! A lane: one curl multi handle (which owns a connection cache) and a pool
//! of easy handles, driven on the calling thread by the engine's driver
//! (`core::drive`): a single send runs one transfer on it; a batch runs
//! many. Transfers on one lane reuse its keep-alive connections and
//! multiplex HTTP/2 streams.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use curl::easy::Easy2;
use curl::multi::{Easy2Handle, Events, Multi};

use super::configure::{configure, has_token, set_token, PULL_RECEIVE_BUFFER, RECEIVE_BUFFER};
use super::errors::from_curl;
use super::handler::{hop_info, Callbacks, LentRoom, RawEasy};
use super::share::Share;
use crate::core::batch::ByIndex;
use crate::core::collect::Collector;
use crate::core::error::{Code, Error, Result};
use crate::core::pull::Lent;
use crate::core::transfer::{Driver, Finished, Hop, HopInfo, NewLane, SocketWatcher, Watch};

/// How long one wait on the sockets may last, whatever the caller asks (a
/// `reqc_batch_poll` with a long timeout included). A wake-up (cancel) cuts
/// it short; this bound only limits how stale a lost wake-up could make it.
const MAX_WAIT: Duration = Duration::from_millis(200);

/// The transfers a lane runs, by id (a batch's item indexes; a send's
/// single id), hashed with one multiplication rather than SipHash.
type Running = HashMap<usize, Easy2Handle<Callbacks>, ByIndex>;

pub struct Lane {
    multi: Multi,
    idle: Vec<Easy2<Callbacks>>,
    max_idle: usize,
    running: Running,
    /// The transfers `collect_finished` found ended, between its two steps
    /// (empty otherwise; kept for its capacity).
    done: Vec<(usize, std::result::Result<(), curl::Error>)>,
    /// An emptied list of finished transfers handed back (`recycle`), the
    /// next step's: a `Finished` carries a whole collector, so a batch
    /// step's list is tens of KiB, and allocating and freeing one per step
    /// cost ~600 instructions a batch item (the large request made malloc
    /// consolidate its fast bins each time).
    spare: Vec<Finished>,
    /// The remote IP of the last transfer retired, shared with the next
    /// ones to the same address (`hop_info`).
    remote_ip: Arc<str>,
    /// Set once the caller's event loop watches the sockets.
    watched: bool,
    /// Wakes a wait on this lane's sockets; made once, registered per send.
    waker: Arc<dyn Fn() + Send + Sync>,
    /// The session's DNS and TLS session caches. Last, so it is dropped
    /// after the easy handles that use it.
    share: Option<Arc<Share>>,
}

// SAFETY: libcurl lets a multi handle and its easy handles be used from any
// thread, one thread at a time (libcurl-thread(3)). A lane is only ever used
// by its owner (`&mut self`), and a session hands each lane to one send or
// batch at a time, so moving it between threads never makes two threads use
// it at once. The callbacks' state (`Callbacks`) holds only `Send` data.
unsafe impl Send for Lane {}

impl Default for Lane {
    fn default() -> Self {
        Lane::new()
    }
}

fn multi_error(what: &str, e: curl::MultiError) -> Error {
    Error::new(Code::Transport, format!("{what}: {e}"))
}

impl Lane {
    pub fn new() -> Lane {
        let mut multi = Multi::new();
        if super::version::http2_reuse_broken() {
            // Before libcurl 8.0 a second stream on an HTTP/2 connection can
            // fail (curl issue #10634): no multiplexing at all there.
            let _ = multi.pipelining(false, false);
        }
        let waker = multi.waker();
        Lane {
            waker: Arc::new(move || {
                let _ = waker.wakeup();
            }),
            multi,
            idle: Vec::new(),
            max_idle: 1,
            running: HashMap::default(),
            done: Vec::new(),
            spare: Vec::new(),
            remote_ip: Arc::from(""),
            watched: false,
            share: None,
        }
    }

    /// A lane whose transfers share `share`'s DNS and TLS session caches.
    pub fn with_share(share: Arc<Share>) -> Lane {
        let mut lane = Lane::new();
        lane.share = Some(share);
        lane
    }

    /// Takes the finished transfers out of the multi handle.
    fn collect_finished(&mut self) -> Vec<Finished> {
        let done = self.ended();
        if done.is_empty() {
            // No allocation, and the spare list stays for a step that
            // has something to hand over.
            self.done = done;
            return Vec::new();
        }
        // Sized once: a `Finished` carries a whole collector (hundreds of
        // bytes), and a list grown from empty copied every one of them at
        // each doubling (~800 instructions a batch item).
        let mut finished = std::mem::take(&mut self.spare);
        finished.reserve(done.len());
        self.retire_ended(done, |f| finished.push(f));
        finished
    }

    /// Takes the finished transfers out of the multi handle, handing each
    /// to `take` as it comes (no list of them made).
    fn each_finished(&mut self, take: impl FnMut(Finished)) {
        let done = self.ended();
        self.retire_ended(done, take);
    }

    /// The ids and results of the transfers libcurl reports ended, in the
    /// lane's own list (kept between calls: no allocation a step; hand it
    /// back through `retire_ended`).
    fn ended(&mut self) -> Vec<(usize, std::result::Result<(), curl::Error>)> {
        let mut done = std::mem::take(&mut self.done);
        self.multi.messages(|msg| {
            if let (Ok(id), Some(result)) = (msg.token(), msg.result()) {
                done.push((id, result));
            }
        });
        done
    }

    /// Retires the transfers of `done` (from `ended`), handing each to
    /// `take`, and keeps the emptied list for the next step.
    fn retire_ended(
        &mut self,
        mut done: Vec<(usize, std::result::Result<(), curl::Error>)>,
        mut take: impl FnMut(Finished),
    ) {
        for (id, result) in done.drain(..) {
            let Some(handle) = self.running.remove(&id) else {
                continue;
            };
            let mut retired = self.retire(handle);
            let outcome = match result {
                Ok(()) => Ok(retired.info),
                Err(mut e) => {
                    // libcurl's own words for what went wrong, if any.
                    if let Some(detail) = retired.detail.take().filter(|d| !d.is_empty()) {
                        e.set_extra(detail);
                    }
                    Err(explain(&e, &retired))
                }
            };
            take(Finished {
                id,
                collector: retired.collector,
                outcome,
            });
        }
        self.done = done;
    }

    /// Removes a transfer from the multi handle and keeps its easy handle
    /// for reuse. An unfinished transfer's connection is closed by libcurl,
    /// so a cancelled body is never read by the next request.
    fn retire(&mut self, handle: Easy2Handle<Callbacks>) -> Retired {
        let Ok(mut easy) = self.multi.remove2(handle) else {
            return Retired::default();
        };
        let info = hop_info(RawEasy(easy.raw()), Some(&mut self.remote_ip));
        let detail = easy.take_error_buf();
        let callbacks = easy.get_mut();
        let collector = std::mem::take(&mut callbacks.collector);
        let upload_error = callbacks.read_error.take();
        let read_timeout = callbacks.idle.take().and_then(|idle| idle.expired());
        callbacks.upload = None;
        callbacks.easy = None;
        callbacks.log = None;
        // `resume` clears it after its unpause, but not when a callback's
        // panic unwinds through it: the next transfer must pause as usual.
        callbacks.resuming = false;
        if self.idle.len() < self.max_idle {
            self.idle.push(easy);
        }
        Retired {
            collector,
            info,
            upload_error,
            read_timeout,
            detail,
        }
    }
}

/// Runs `call` (one libcurl call that may run transfer `id`'s write
/// callback) with `into` lent to that transfer's collector, and counts what
/// it wrote there. The room is taken back before this returns, also when
/// `call` unwinds (a panic in a callback, re-raised by the curl crate): no
/// pointer to `into` outlives the call.
fn lend<T>(
    running: &mut Running,
    id: usize,
    into: &mut Lent<'_>,
    call: impl FnOnce(&Running) -> T,
) -> T {
    let Some(handle) = running.get_mut(&id) else {
        return call(running);
    };
    handle.get_mut().lent = Some(LentRoom::lend(into));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(running)));
    let written = running
        .get_mut(&id)
        .and_then(|handle| handle.get_mut().lent.take())
        .map_or(0, |room| room.written);
    into.advance(written);
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// What is left of a transfer taken out of the multi handle.
#[derive(Default)]
struct Retired {
    collector: Collector,
    info: HopInfo,
    /// The message of a failed upload read callback.
    upload_error: Option<String>,
    /// The read timeout, when it expired and ended the transfer.
    read_timeout: Option<Duration>,
    /// libcurl's error buffer.
    detail: Option<String>,
}

/// A curl error, told more precisely by what the callbacks saw.
fn explain(curl: &curl::Error, done: &Retired) -> Error {
    let e = from_curl(curl);
    if (curl.is_http2_error() || curl.is_http2_stream_error()) && done.collector.head.status != 0 {
        // The response had begun: a stream reset or a connection that ended
        // before END_STREAM cut it short, as a close does on HTTP/1.1.
        return Error::new(
            Code::Recv,
            format!("the response was cut short: {}", e.message),
        );
    }
    if e.code != Code::Aborted {
        return e;
    }
    if let Some(limit) = done.read_timeout {
        return Error::new(
            Code::Timeout,
            format!(
                "the read timeout expired: no byte for {} ms",
                limit.as_millis()
            ),
        );
    }
    match (done.collector.stop_error(), &done.upload_error) {
        (Some(stop), _) => stop,
        (None, Some(message)) => Error::new(
            Code::Callback,
            format!("the body read callback failed: {message}"),
        ),
        (None, None) => e,
    }
}

impl Driver for Lane {
    fn start(&mut self, id: usize, hop: &Hop, collector: Collector) -> Result<()> {
        let mut easy = self
            .idle
            .pop()
            .unwrap_or_else(|| Easy2::new(Callbacks::default()));
        let receive_buffer = if collector.pulls() {
            PULL_RECEIVE_BUFFER
        } else {
            RECEIVE_BUFFER
        };
        configure(&mut easy, hop, self.share.as_deref(), receive_buffer)
            .map_err(|e| from_curl(&e))?;
        easy.get_mut().collector = collector;
        easy.get_mut().easy = Some(RawEasy(easy.raw()));
        let mut handle = match self.multi.add2(easy) {
            Ok(handle) => handle,
            Err(e) => return Err(multi_error("curl_multi_add_handle", e)),
        };
        // A kept handle that ran this id last still carries it.
        if !has_token(handle.get_ref(), id) {
            if let Err(e) = handle.set_token(id) {
                self.retire(handle);
                return Err(from_curl(&e));
            }
            set_token(handle.get_mut(), id);
        }
        self.running.insert(id, handle);
        Ok(())
    }

    fn perform(&mut self) -> Result<Vec<Finished>> {
        self.multi
            .perform()
            .map_err(|e| multi_error("curl_multi_perform", e))?;
        Ok(self.collect_finished())
    }

    fn perform_one(&mut self, id: usize) -> Result<Option<Finished>> {
        self.multi
            .perform()
            .map_err(|e| multi_error("curl_multi_perform", e))?;
        let mut found = None;
        self.each_finished(|f| {
            if f.id == id {
                found = Some(f);
            }
        });
        Ok(found)
    }

    fn wait(&mut self, timeout: Duration) -> Result<()> {
        self.multi
            .poll(&mut [], timeout.min(MAX_WAIT))
            .map_err(|e| multi_error("curl_multi_poll", e))?;
        Ok(())
    }

    fn perform_into(&mut self, id: usize, into: &mut Lent<'_>) -> Result<Vec<Finished>> {
        let multi = &self.multi;
        lend(&mut self.running, id, into, |_| multi.perform())
            .map_err(|e| multi_error("curl_multi_perform", e))?;
        Ok(self.collect_finished())
    }

    fn resume(&mut self, id: usize, into: &mut Lent<'_>) -> Result<()> {
        let Some(handle) = self.running.get_mut(&id) else {
            return Ok(());
        };
        let callbacks = handle.get_mut();
        if let Some(idle) = callbacks.idle.as_mut() {
            idle.resume();
        }
        callbacks.resuming = true;
        // libcurl may hand the bytes it kept to the write callback from
        // inside this call (the collector then takes them, or pauses again).
        let resumed = lend(&mut self.running, id, into, |running| {
            running.get(&id).map_or(Ok(()), Easy2Handle::unpause_write)
        });
        if let Some(handle) = self.running.get_mut(&id) {
            handle.get_mut().resuming = false;
        }
        resumed.map_err(|e| from_curl(&e))
    }

    fn info(&self, id: usize) -> HopInfo {
        self.running
            .get(&id)
            .map(|handle| hop_info(RawEasy(handle.raw()), None))
            .unwrap_or_default()
    }

    fn abort_all(&mut self) -> Vec<(usize, Collector)> {
        let ids: Vec<usize> = self.running.keys().copied().collect();
        ids.into_iter()
            .filter_map(|id| {
                let handle = self.running.remove(&id)?;
                Some((id, self.retire(handle).collector))
            })
            .collect()
    }

    fn running(&self) -> usize {
        self.running.len()
    }

    fn waker(&self) -> Arc<dyn Fn() + Send + Sync> {
        self.waker.clone()
    }

    fn limit(&mut self, per_host: usize, idle: usize) -> Result<()> {
        self.max_idle = idle.max(1);
        self.multi
            .set_max_host_connections(per_host)
            .map_err(|e| multi_error("CURLMOPT_MAX_HOST_CONNECTIONS", e))
    }

    fn watch_with(&mut self, watcher: Arc<dyn SocketWatcher>) -> Result<()> {
        let sockets = watcher.clone();
        self.multi
            .socket_function(move |socket, events, _token| {
                let what = if events.remove() {
                    Watch::Remove
                } else if events.input_and_output() {
                    Watch::ReadWrite
                } else if events.output() {
                    Watch::Write
                } else {
                    Watch::Read
                };
                sockets.watch(i64::from(socket), what);
            })
            .map_err(|e| multi_error("CURLMOPT_SOCKETFUNCTION", e))?;
        self.multi
            .timer_function(move |after| {
                watcher.timer(after);
                true
            })
            .map_err(|e| multi_error("CURLMOPT_TIMERFUNCTION", e))?;
        self.watched = true;
        Ok(())
    }

    fn unwatch(&mut self) {
        if !self.watched {
            return;
        }
        self.watched = false;
        // No-op closures first: the curl crate drops the old ones, and with
        // them the watcher (the caller's userdata may be freed from now on).
        let _ = self.multi.socket_function(|_, _, _| {});
        let _ = self.multi.timer_function(|_| true);
        // Then no callbacks at all, so later transfers on this lane (a plain
        // send, a poll-driven batch) run without them.
        // SAFETY: `self.multi.raw()` is this lane's live multi handle, used
        // by this thread alone (`&mut self`). CURLMOPT_SOCKETFUNCTION and
        // CURLMOPT_TIMERFUNCTION take a function pointer, NULL meaning none;
        // the data pointers they would be given point into the curl crate's
        // own state, which outlives the handle, and are unused once NULL.
        unsafe {
            let raw = self.multi.raw();
            curl_sys::curl_multi_setopt(
                raw,
                curl_sys::CURLMOPT_SOCKETFUNCTION,
                std::ptr::null::<std::ffi::c_void>(),
            );
            curl_sys::curl_multi_setopt(
                raw,
                curl_sys::CURLMOPT_TIMERFUNCTION,
                std::ptr::null::<std::ffi::c_void>(),
            );
        }
    }

    fn act(
        &mut self,
        socket: Option<i64>,
        readable: bool,
        writable: bool,
    ) -> Result<Vec<Finished>> {
        match socket {
            Some(fd) => {
                let fd = curl::multi::Socket::try_from(fd)
                    .map_err(|_| Error::invalid(format!("socket {fd} is out of range")))?;
                let mut events = Events::new();
                events.input(readable).output(writable);
                self.multi.action(fd, &events)
            }
            None => self.multi.timeout(),
        }
        .map_err(|e| multi_error("curl_multi_socket_action", e))?;
        Ok(self.collect_finished())
    }

    fn recycle(&mut self, mut finished: Vec<Finished>) {
        if finished.capacity() > self.spare.capacity() {
            finished.clear();
            self.spare = finished;
        }
    }
}

/// A lane dropped in the middle of an event-loop run (its batch freed
/// between two event-loop calls): the caller's callbacks come off before the
/// transfers are removed, so nothing calls into the caller's freed state.
impl Drop for Lane {
    fn drop(&mut self) {
        self.unwatch();
        self.abort_all();
    }
}

impl NewLane for Lane {
    type Shared = Share;

    fn new_lane(shared: &Arc<Share>) -> Lane {
        Lane::with_share(shared.clone())
    }
}
