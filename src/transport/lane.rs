//! A lane: one curl multi handle (which owns a connection cache) and one
//! reusable easy handle, driven on the calling thread. Consecutive transfers
//! on a lane reuse its keep-alive connections.

use std::sync::Arc;
use std::time::Duration;

use curl::easy::Easy2;
use curl::multi::Multi;

use super::configure::configure;
use super::errors::from_curl;
use super::handler::{Callbacks, RawEasy};
use crate::core::cancel::CancelToken;
use crate::core::collect::Collector;
use crate::core::error::{Code, Error, Result};
use crate::core::response::Timings;
use crate::core::transfer::{Hop, HopInfo, Transport};

/// How long one wait on the sockets may last. Cancellation wakes the wait at
/// once; this bound only limits how stale a missed wake-up could make it.
const MAX_WAIT: Duration = Duration::from_millis(500);

pub struct Lane {
    multi: Multi,
    /// The easy handle between transfers; `None` while one runs.
    idle: Option<Easy2<Callbacks>>,
}

// SAFETY: libcurl lets a multi handle and its easy handles be used from any
// thread, one thread at a time (libcurl-thread(3)). A lane is only ever used
// by its owner (`&mut self`), and a session hands each lane to one send at a
// time, so moving it between threads never makes two threads use it at once.
// The callbacks' state (`Callbacks`) holds only `Send + Sync` data.
unsafe impl Send for Lane {}

impl Default for Lane {
    fn default() -> Self {
        Lane::new()
    }
}

impl Lane {
    pub fn new() -> Lane {
        Lane {
            multi: Multi::new(),
            idle: None,
        }
    }

    fn run(
        &mut self,
        easy: Easy2<Callbacks>,
        cancel: &CancelToken,
    ) -> (Easy2<Callbacks>, Result<()>) {
        let handle = match self.multi.add2(easy) {
            Ok(h) => h,
            Err(e) => {
                // add2 consumed the handle; a fresh one replaces it next time.
                return (
                    Easy2::new(Callbacks::default()),
                    Err(Error::new(
                        Code::Transport,
                        format!("curl_multi_add_handle: {e}"),
                    )),
                );
            }
        };
        let waker = self.multi.waker();
        let _guard = cancel.on_cancel(Arc::new(move || {
            let _ = waker.wakeup();
        }));
        let mut outcome: Option<Result<()>> = None;
        while outcome.is_none() {
            if cancel.is_cancelled() {
                outcome = Some(Err(Error::new(Code::Cancelled, "cancelled")));
                break;
            }
            if let Err(e) = self.multi.perform() {
                outcome = Some(Err(Error::new(
                    Code::Transport,
                    format!("curl_multi_perform: {e}"),
                )));
                break;
            }
            self.multi.messages(|msg| {
                if let Some(result) = msg.result_for2(&handle) {
                    outcome = Some(result.map_err(|e| from_curl(&e)));
                }
            });
            if outcome.is_none() {
                if let Err(e) = self.multi.poll(&mut [], MAX_WAIT) {
                    outcome = Some(Err(Error::new(
                        Code::Transport,
                        format!("curl_multi_poll: {e}"),
                    )));
                }
            }
        }
        // Removing an unfinished transfer makes libcurl close its connection,
        // so a cancelled or failed body is never read by the next request.
        match self.multi.remove2(handle) {
            Ok(easy) => (easy, outcome.unwrap_or(Ok(()))),
            Err(e) => (
                Easy2::new(Callbacks::default()),
                Err(Error::new(
                    Code::Transport,
                    format!("curl_multi_remove_handle: {e}"),
                )),
            ),
        }
    }
}

impl Transport for Lane {
    fn transfer(
        &mut self,
        hop: &Hop,
        collector: &mut Collector,
        cancel: &CancelToken,
    ) -> Result<HopInfo> {
        let mut easy = self
            .idle
            .take()
            .unwrap_or_else(|| Easy2::new(Callbacks::default()));
        configure(&mut easy, hop).map_err(|e| from_curl(&e))?;
        easy.get_mut().collector = std::mem::take(collector);
        easy.get_mut().easy = Some(RawEasy(easy.raw()));
        let (mut easy, result) = self.run(easy, cancel);
        let callbacks = easy.get_mut();
        *collector = std::mem::take(&mut callbacks.collector);
        let upload_error = callbacks.read_error.take();
        callbacks.upload = None;
        callbacks.easy = None;
        callbacks.log = None;
        let info = info(&easy);
        self.idle = Some(easy);
        match result {
            Ok(()) => Ok(info),
            Err(e) if e.code == Code::Aborted => {
                Err(match (collector.stop_error(), upload_error) {
                    (Some(stop), _) => stop,
                    (None, Some(message)) => Error::new(
                        Code::Callback,
                        format!("the body read callback failed: {message}"),
                    ),
                    (None, None) => e,
                })
            }
            Err(e) => Err(e),
        }
    }
}

fn info(easy: &Easy2<Callbacks>) -> HopInfo {
    let time = |t: std::result::Result<Duration, curl::Error>| t.unwrap_or_default();
    HopInfo {
        remote_ip: easy.primary_ip().ok().flatten().unwrap_or("").to_string(),
        remote_port: easy.primary_port().unwrap_or(0),
        timings: Timings {
            dns: time(easy.namelookup_time()),
            connect: time(easy.connect_time()),
            tls: time(easy.appconnect_time()),
            first_byte: time(easy.starttransfer_time()),
            total: time(easy.total_time()),
        },
        reused_connection: easy.num_connects().map(|n| n == 0).unwrap_or(false),
    }
}
