//! A streamed response: `open` runs a send as far as the final hop's head
//! (redirects, retries, cookies and hooks as for any send, through the one
//! `Exchange`), then the caller pulls the body with `Stream::read` at its
//! own pace. The transfer pauses while the reader has a buffer's worth to
//! take (`pull`), so a slow reader holds about one buffer, never the body.

use std::sync::Arc;

use url::Url;

use super::cancel::CancelToken;
use super::collect::Collector;
use super::cookies::CookieJar;
use super::digest::Nonces;
use super::drive::{self, Reached, Stops};
use super::environment::Environment;
use super::error::{Code, Error, Result};
use super::layers::Layer;
use super::log::{self as logline, HopLog, Level};
use super::pull::{Lent, Pull};
use super::redact;
use super::request::{Method, Request};
use super::response::Response;
use super::send::Exchange;
use super::transfer::Driver;

/// Where a lane goes back when its stream is done with it and its
/// connection may be reused (a session's pool).
pub type Home<L> = Box<dyn FnOnce(L) + Send>;

/// The body of an opened response, still on the wire.
pub struct Stream<L: Driver> {
    /// The lane that runs the transfer; `None` once it went home.
    lane: Option<L>,
    home: Option<Home<L>>,
    pull: Pull,
    /// Cancel wakes the lane's waits for as long as the stream lives.
    stops: Stops,
    /// The method and URL of the transfer the body comes from, which
    /// messages name ("GET http://…", redacted): the text is made only when
    /// there is a message, not at every open (a format and a URL
    /// serialization, ~1.2k instructions). Not the response's request: a
    /// RESPONSE hook may replace the response with another send's.
    transfer: (Method, Url),
    /// The final hop's log, for the line of a failure while reading.
    log: Option<Arc<HopLog>>,
    state: State,
}

enum State {
    /// The transfer runs (or is paused for the reader).
    Running,
    /// The transfer ended: the whole body arrived (`None`), or it failed.
    /// Every read after the last byte returns this.
    Ended(Option<Error>),
}

/// Sends `request` as `send::send` does (same layers, jar, nonces, hooks,
/// redirects and retries), but returns once the final hop's status and
/// headers are in, with the transfer still running on `lane` for the body:
/// the final response (its body empty, `streamed` set) and the stream to
/// read the body from. The RESPONSE hooks see that response at this point.
/// `home` takes the lane back when the stream ends with the whole body in
/// (its connection may then be reused). On failure the lane is dropped
/// with its connections, as a failed session send does.
pub fn open<L: Driver>(
    request: &Request,
    below: &Arc<Layer>,
    mut lane: L,
    cancel: &CancelToken,
    jar: Option<Arc<CookieJar>>,
    nonces: Option<Arc<Nonces>>,
    home: Option<Home<L>>,
) -> Result<(Box<Response>, Stream<L>)> {
    let mut exchange = Exchange::new(request.into(), below, jar, nonces)?;
    loop {
        let mut collector = exchange.next_hop(&Environment::live())?;
        // A new hand-over per hop: nothing of an earlier attempt leaks in.
        let pull = Pull::new();
        collector.set_pull(pull.clone());
        let reached = if cancel.is_cancelled() {
            Err(Error::new(Code::Cancelled, "cancelled"))
        } else {
            drive::transfer_to_head(&mut lane, exchange.hop(), &mut collector, cancel, &pull)
        };
        // A stopped run (cancel, deadline, a broken lane) ends the hop as
        // a failed transfer does.
        let reached = reached.unwrap_or_else(|e| Reached::Ended(Err(e)));
        let hop = exchange.hop();
        let log = hop.log.clone();
        let transfer = (hop.method.clone(), hop.url.clone());
        let (info, state) = match reached {
            Reached::Head(info) => (info, State::Running),
            Reached::Ended(outcome) if pull.has_head() => {
                // The body ended (or failed) in the step that brought the
                // head: it is the reader's to see, after the bytes.
                let info = outcome.as_ref().cloned().unwrap_or_default();
                let end = outcome.err().map(|e| name(e, &what(&transfer)));
                (info, State::Ended(end))
            }
            // Ended before any head was handed over: a failure (retried, or
            // the open's error), a hop libreqc leaves (a redirect, a retried
            // status), or, rarely, a final response whose body the collector
            // kept because it expected libreqc to leave the hop (a redirect
            // whose Location the engine then refused). That body is read
            // from the stream as a buffered send would return it.
            Reached::Ended(outcome) => {
                if let Some(mut response) = exchange.finish_hop(collector, outcome)? {
                    pull.push(&std::mem::take(&mut response.body), None);
                    response.streamed = true;
                    let stream = Stream::new(
                        lane,
                        home,
                        pull,
                        cancel,
                        (transfer, log),
                        State::Ended(None),
                    );
                    return Ok((response, stream));
                }
                wait_to_retry(&exchange, cancel)?;
                continue;
            }
        };
        let head = pull.take_head().unwrap_or_default();
        match exchange.finish_hop(Collector::pulled_head(head), Ok(info)) {
            Ok(Some(response)) => {
                let stream = Stream::new(lane, home, pull, cancel, (transfer, log), state);
                return Ok((response, stream));
            }
            // A RESPONSE hook turned the response into a redirect or a
            // retried status: this transfer's body is not wanted.
            Ok(None) => {
                lane.abort_all();
                wait_to_retry(&exchange, cancel)?;
            }
            Err(e) => {
                lane.abort_all();
                return Err(e);
            }
        }
    }
}

/// Waits for a planned retry's time; a cancel ends the wait at once.
fn wait_to_retry(exchange: &Exchange, cancel: &CancelToken) -> Result<()> {
    match exchange.not_before() {
        Some(at) if !cancel.wait_until(at) => Err(Error::new(
            Code::Cancelled,
            "cancelled while waiting to retry",
        )),
        _ => Ok(()),
    }
}

/// `e` with the method and URL of the transfer (`what`), as every failure
/// names them.
fn name(e: Error, what: &str) -> Error {
    Error::new(e.code, format!("{}: {what}", e.message))
}

/// "GET http://…", the URL redacted: how a message names a transfer.
fn what((method, url): &(Method, Url)) -> String {
    format!("{method} {}", redact::url(url))
}

impl<L: Driver> Stream<L> {
    fn new(
        lane: L,
        home: Option<Home<L>>,
        pull: Pull,
        cancel: &CancelToken,
        (transfer, log): ((Method, Url), Option<Arc<HopLog>>),
        state: State,
    ) -> Stream<L> {
        let stops = Stops::new(&lane, cancel, None);
        let stream = Stream {
            lane: Some(lane),
            home,
            pull,
            stops,
            transfer,
            log,
            state,
        };
        if let State::Ended(Some(e)) = &stream.state {
            stream.log_failure(e);
        }
        stream
    }

    /// `e` naming the transfer, as `name` does.
    fn named(&self, e: Error) -> Error {
        name(e, &what(&self.transfer))
    }

    /// The log's failure line for the body (the head's end line was
    /// written at open time).
    fn log_failure(&self, e: &Error) {
        if let Some(log) = &self.log {
            let (method, url) = &self.transfer;
            log.emit(
                Level::Requests,
                &logline::error_line(method, &redact::url(url), &e.message),
            );
        }
    }

    /// Moves up to `buf.len()` body bytes into `buf`, waiting only until
    /// some arrive or the body ends: returns how many, 0 at the end (and at
    /// every later call). A failed transfer (timeout, speed floor, body
    /// cap, reset, cancel) fails this read after the bytes that arrived
    /// before it, and every later one. An empty `buf` returns 0 at once.
    ///
    /// Bytes kept from earlier steps come first; once none are, `buf` is
    /// lent to the transfer while it runs, so the bytes land in it straight
    /// from the transport.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let n = self.pull.read(buf);
            if n > 0 {
                return Ok(n);
            }
            match &self.state {
                State::Ended(None) => {
                    self.go_home();
                    return Ok(0);
                }
                State::Ended(Some(e)) => return Err(e.clone()),
                State::Running => {}
            }
            let Some(lane) = self.lane.as_mut() else {
                self.state = State::Ended(None);
                continue;
            };
            let mut into = Lent::new(buf);
            let pulled = drive::pull_more(lane, &self.stops, &self.pull, &mut into);
            let direct = into.filled();
            match pulled {
                Ok(None) => {}
                Ok(Some(done)) => {
                    let end = match done.outcome {
                        Ok(_) => done.collector.cut_short(),
                        Err(e) => Some(e),
                    };
                    self.state = State::Ended(end.map(|e| self.named(e)));
                }
                Err(e) => self.state = State::Ended(Some(self.named(e))),
            }
            if let State::Ended(Some(e)) = &self.state {
                self.log_failure(e);
            }
            // Bytes that arrived before an end or a failure are the
            // caller's first; the next read sees the end.
            if direct > 0 {
                return Ok(direct);
            }
        }
    }

    /// Whether the transfer is over: the rest of the body (or the failure)
    /// is held here, so no `read` waits on the network. A body that came
    /// in the same network read as its head is over at open time.
    pub fn has_ended(&self) -> bool {
        matches!(self.state, State::Ended(_))
    }

    /// The lane back to its home, once the whole body is in: its connection
    /// is kept for the next send.
    fn go_home(&mut self) {
        if let (Some(lane), Some(home)) = (self.lane.take(), self.home.take()) {
            home(lane);
        }
    }
}

/// Closing a stream. When the body is all in (read or not), the lane goes
/// home with its connection. Otherwise the transfer is aborted and the lane
/// dropped: its connection is closed, never reused. Reading the unknown
/// rest to keep the connection could block the closer for as long as the
/// server likes (Go and urllib3 drain only a small bound for that reason);
/// the DNS and TLS session caches are shared, so a new connection costs
/// little.
impl<L: Driver> Drop for Stream<L> {
    fn drop(&mut self) {
        if matches!(self.state, State::Running) && !self.pull.take_paused() {
            // One look without waiting: the rest may have arrived already.
            if let Some(lane) = self.lane.as_mut() {
                if let Ok(finished) = lane.perform() {
                    if let Some(done) = finished.into_iter().find(|f| f.id == drive::PULLED) {
                        if done.outcome.is_ok() && done.collector.cut_short().is_none() {
                            self.state = State::Ended(None);
                        }
                    }
                }
            }
        }
        self.pull.clear();
        if matches!(self.state, State::Ended(None)) {
            self.go_home();
        }
        if let Some(mut lane) = self.lane.take() {
            lane.abort_all();
        }
    }
}
