//! The one driver of transfers on a lane, for a blocking send and a batch
//! alike: it steps the lane, and once the run must stop (cancelled, or past
//! its deadline) it aborts every transfer still running and says why. A
//! blocking send is its special case of one transfer (`transfer`); a batch
//! runs many through the same `Stops`, between its own bookkeeping; a
//! pulled transfer (`core::stream`) runs to its head (`transfer_to_head`),
//! then as far as its reader asks (`pull_more`).
//!
//! It lives in the engine, not in the transport: what stops a run is the
//! engine's decision, and the lane (`Driver`) only carries transfers out.

use std::time::{Duration, Instant};

use super::cancel::{CancelToken, WakerGuard};
use super::collect::Collector;
use super::error::{Code, Error, Result};
use super::pull::{Lent, Pull};
use super::transfer::{Driver, Finished, Hop, HopInfo};

/// How long one blocking step waits on the sockets at most; a cancel wakes
/// it at once, so this only bounds how stale a lost wake-up could make it.
pub const STEP_WAIT: Duration = Duration::from_millis(200);

/// Why a run ended before its transfers did.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    Cancelled,
    DeadlinePassed,
}

/// A run that had to stop: why, and the transfers that were still running,
/// aborted (their connections closed, never reused), with their collectors.
pub struct Stopped {
    pub why: Stop,
    pub aborted: Vec<(usize, Collector)>,
}

/// What ends a run on a lane early: a cancel token, whose cancel also wakes
/// the lane's wait on its sockets (for as long as this lives), and an
/// optional deadline.
pub struct Stops {
    cancel: CancelToken,
    deadline: Option<Instant>,
    _wake: WakerGuard,
}

impl Stops {
    pub fn new<D: Driver + ?Sized>(
        lane: &D,
        cancel: &CancelToken,
        deadline: Option<Instant>,
    ) -> Stops {
        Stops {
            cancel: cancel.clone(),
            deadline,
            _wake: cancel.on_cancel(lane.waker()),
        }
    }

    /// Why the run must stop now, if it must.
    pub fn due(&self) -> Option<Stop> {
        if self.cancel.is_cancelled() {
            Some(Stop::Cancelled)
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            Some(Stop::DeadlinePassed)
        } else {
            None
        }
    }

    /// When the run must stop: aborts every transfer on `lane` and returns
    /// why, with their collectors. `None`: the run goes on.
    pub fn stop_if_due<D: Driver + ?Sized>(&self, lane: &mut D) -> Option<Stopped> {
        let why = self.due()?;
        Some(Stopped {
            why,
            aborted: lane.abort_all(),
        })
    }
}

/// The transfer id of a blocking send's only transfer.
const ONLY: usize = 0;

/// One transfer, blocking: runs `hop` on `lane` until it ends, feeding its
/// response to `collector`, and returns promptly with `Code::Cancelled` once
/// `cancel` is cancelled. The collector comes back in `collector` whatever
/// the outcome (aborted transfers included), so the engine can tell what
/// arrived.
pub fn transfer<D: Driver + ?Sized>(
    lane: &mut D,
    hop: &Hop,
    collector: &mut Collector,
    cancel: &CancelToken,
) -> Result<HopInfo> {
    match run(lane, hop, collector, cancel, None)? {
        Reached::Ended(outcome) => outcome,
        Reached::Head(info) => Ok(info),
    }
}

/// How far a pulled transfer (`transfer_to_head`) got.
pub enum Reached {
    /// The transfer ended, its collector back: the outcome. When the hop's
    /// `Pull` has a head, the body ended too (in the `Pull`, or failed).
    Ended(Result<HopInfo>),
    /// The hop's head is in its `Pull` and the transfer goes on (transfer
    /// `PULLED` on the lane): what is known of the connection so far.
    Head(HopInfo),
}

/// The transfer id of a pulled transfer on its lane.
pub const PULLED: usize = ONLY;

/// A transfer whose body a reader pulls (`core::stream`): runs `hop` on
/// `lane` until it ends or, when its collector pulls to `pull`, until its
/// final head is in, whichever comes first. Cancel as in `transfer`.
pub fn transfer_to_head<D: Driver + ?Sized>(
    lane: &mut D,
    hop: &Hop,
    collector: &mut Collector,
    cancel: &CancelToken,
    pull: &Pull,
) -> Result<Reached> {
    run(lane, hop, collector, cancel, Some(pull))
}

/// The one loop of a single transfer: steps the lane until the transfer
/// ends or `pull` has its head; stops it on cancel; gives the collector
/// back on every ending.
fn run<D: Driver + ?Sized>(
    lane: &mut D,
    hop: &Hop,
    collector: &mut Collector,
    cancel: &CancelToken,
    pull: Option<&Pull>,
) -> Result<Reached> {
    lane.start(ONLY, hop, std::mem::take(collector))?;
    let stops = Stops::new(&*lane, cancel, None);
    loop {
        if let Some(stopped) = stops.stop_if_due(&mut *lane) {
            let error = stopped.error();
            take_back(collector, stopped.aborted);
            return Err(error);
        }
        let finished = match lane.perform_one(ONLY) {
            Ok(finished) => finished,
            Err(e) => {
                take_back(collector, lane.abort_all());
                return Err(e);
            }
        };
        if let Some(done) = finished {
            *collector = done.collector;
            return Ok(Reached::Ended(done.outcome));
        }
        if pull.is_some_and(Pull::has_head) {
            return Ok(Reached::Head(lane.info(ONLY)));
        }
        if let Err(e) = lane.wait(STEP_WAIT) {
            take_back(collector, lane.abort_all());
            return Err(e);
        }
    }
}

/// The pulled transfer (`PULLED`) on `lane`, run until its reader has
/// bytes (in `into`, the reader's buffer lent for this call, or kept in
/// `pull`) or the transfer ends: resumes it first when its collector paused
/// it. `Ok(None)`: bytes are there; `Ok(Some(_))`: the transfer ended (its
/// bytes, if any, are there too). A due stop aborts it. Whatever the
/// outcome, `into.filled()` bytes were written into the reader's buffer.
pub fn pull_more<D: Driver + ?Sized>(
    lane: &mut D,
    stops: &Stops,
    pull: &Pull,
    into: &mut Lent<'_>,
) -> Result<Option<Finished>> {
    if pull.take_paused() {
        if let Err(e) = lane.resume(PULLED, into) {
            return Err(ended_by(lane.abort_all()).unwrap_or(e));
        }
    }
    loop {
        if let Some(stopped) = stops.stop_if_due(&mut *lane) {
            return Err(stopped.error());
        }
        // Bytes the resume handed over beyond the lent buffer, or a buffer
        // it filled; bytes that leave room do not end the call: one step
        // without waiting may fill the buffer further.
        if pull.unread() > 0 || into.room() == 0 {
            return Ok(None);
        }
        let finished = match lane.perform_into(PULLED, into) {
            Ok(finished) => finished,
            Err(e) => return Err(ended_by(lane.abort_all()).unwrap_or(e)),
        };
        if let Some(done) = finished.into_iter().find(|f| f.id == PULLED) {
            return Ok(Some(done));
        }
        if into.filled() > 0 || pull.unread() > 0 {
            return Ok(None);
        }
        lane.wait(STEP_WAIT)?;
    }
}

/// Why the collector of an aborted transfer stopped it, if it did.
fn ended_by(aborted: Vec<(usize, Collector)>) -> Option<Error> {
    aborted.into_iter().next().and_then(|(_, c)| c.stop_error())
}

impl Stopped {
    /// The error a stopped run ends with.
    pub fn error(&self) -> Error {
        match self.why {
            Stop::Cancelled => Error::new(Code::Cancelled, "cancelled"),
            Stop::DeadlinePassed => Error::new(Code::Timeout, "the deadline passed"),
        }
    }
}

/// Puts the aborted transfer's collector back where the engine reads it.
fn take_back(collector: &mut Collector, aborted: Vec<(usize, Collector)>) {
    if let Some((_, back)) = aborted.into_iter().next() {
        *collector = back;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::environment::Environment;
    use crate::core::request::Request;
    use crate::core::send::Exchange;
    use crate::core::transfer::SocketWatcher;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A lane whose transfer finishes after `steps_left` steps, or whose
    /// step fails; it counts aborts and wake-ups.
    #[derive(Default)]
    struct FakeLane {
        running: Option<(usize, Collector)>,
        steps_left: usize,
        step_fails: bool,
        aborted: usize,
        wakes: Arc<AtomicUsize>,
    }

    impl Driver for FakeLane {
        fn start(&mut self, id: usize, _hop: &Hop, collector: Collector) -> Result<()> {
            self.running = Some((id, collector));
            Ok(())
        }
        fn perform(&mut self) -> Result<Vec<Finished>> {
            if self.step_fails {
                return Err(Error::new(Code::Transport, "the lane broke"));
            }
            if self.steps_left > 0 {
                self.steps_left -= 1;
                return Ok(Vec::new());
            }
            Ok(self
                .running
                .take()
                .map(|(id, collector)| Finished {
                    id,
                    collector,
                    outcome: Ok(HopInfo::default()),
                })
                .into_iter()
                .collect())
        }
        fn abort_all(&mut self) -> Vec<(usize, Collector)> {
            self.aborted += 1;
            self.running.take().into_iter().collect()
        }
        fn wait(&mut self, _timeout: Duration) -> Result<()> {
            Ok(())
        }
        fn perform_into(&mut self, _id: usize, _into: &mut Lent<'_>) -> Result<Vec<Finished>> {
            self.perform()
        }
        fn resume(&mut self, _id: usize, _into: &mut Lent<'_>) -> Result<()> {
            Ok(())
        }
        fn info(&self, _id: usize) -> HopInfo {
            HopInfo::default()
        }
        fn running(&self) -> usize {
            usize::from(self.running.is_some())
        }
        fn waker(&self) -> Arc<dyn Fn() + Send + Sync> {
            let wakes = self.wakes.clone();
            Arc::new(move || {
                wakes.fetch_add(1, Ordering::SeqCst);
            })
        }
        fn limit(&mut self, _per_host: usize, _idle: usize) -> Result<()> {
            Ok(())
        }
        fn watch_with(&mut self, _watcher: Arc<dyn SocketWatcher>) -> Result<()> {
            Ok(())
        }
        fn unwatch(&mut self) {}
        fn act(&mut self, _s: Option<i64>, _r: bool, _w: bool) -> Result<Vec<Finished>> {
            self.step(Duration::ZERO)
        }
    }

    /// A prepared hop and its collector.
    fn hop() -> (Exchange, Collector) {
        let request = Request::new("GET", "http://127.0.0.1:9/").unwrap();
        let mut exchange = Exchange::new((&request).into(), &Arc::default(), None, None).unwrap();
        let collector = exchange.next_hop(&Environment::live()).unwrap();
        (exchange, collector)
    }

    #[test]
    fn a_transfer_steps_until_it_finishes() {
        let (exchange, mut collector) = hop();
        let mut lane = FakeLane {
            steps_left: 3,
            ..FakeLane::default()
        };
        let cancel = CancelToken::new();
        assert!(transfer(&mut lane, exchange.hop(), &mut collector, &cancel).is_ok());
        assert_eq!((lane.steps_left, lane.aborted), (0, 0));
    }

    #[test]
    fn a_cancelled_transfer_is_aborted_and_its_collector_comes_back() {
        let (exchange, mut collector) = hop();
        collector.head.status = 418;
        let mut lane = FakeLane {
            steps_left: usize::MAX,
            ..FakeLane::default()
        };
        let cancel = CancelToken::new();
        cancel.cancel();
        let e = transfer(&mut lane, exchange.hop(), &mut collector, &cancel).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (Code::Cancelled, "cancelled"));
        assert_eq!(lane.aborted, 1);
        assert_eq!(collector.head.status, 418);
    }

    #[test]
    fn a_failed_step_aborts_the_transfer_and_gives_the_collector_back() {
        let (exchange, mut collector) = hop();
        collector.head.status = 418;
        let mut lane = FakeLane {
            step_fails: true,
            ..FakeLane::default()
        };
        let e = transfer(
            &mut lane,
            exchange.hop(),
            &mut collector,
            &CancelToken::new(),
        )
        .unwrap_err();
        assert_eq!(e.code, Code::Transport);
        assert_eq!(lane.aborted, 1);
        assert_eq!(collector.head.status, 418);
    }

    #[test]
    fn stops_wake_the_lane_while_they_live_and_tell_why() {
        let mut lane = FakeLane::default();
        let cancel = CancelToken::new();
        let past = Instant::now();
        let stops = Stops::new(&lane, &cancel, Some(past));
        assert_eq!(stops.due(), Some(Stop::DeadlinePassed));
        cancel.cancel();
        assert_eq!(lane.wakes.load(Ordering::SeqCst), 1);
        let stopped = stops.stop_if_due(&mut lane).unwrap();
        assert_eq!((stopped.why, lane.aborted), (Stop::Cancelled, 1));
        drop(stops);
        cancel.cancel();
        assert_eq!(lane.wakes.load(Ordering::SeqCst), 1);
        let free = Stops::new(&lane, &CancelToken::new(), None);
        assert!(free.stop_if_due(&mut lane).is_none());
        assert_eq!(lane.aborted, 1);
    }
}
