//! The one driver of transfers on a lane, for a blocking send and a batch
//! alike: it steps the lane, and once the run must stop (cancelled, or past
//! its deadline) it aborts every transfer still running and says why. A
//! blocking send is its special case of one transfer (`transfer`); a batch
//! runs many through the same `Stops`, between its own bookkeeping.
//!
//! It lives in the engine, not in the transport: what stops a run is the
//! engine's decision, and the lane (`Driver`) only carries transfers out.

use std::time::{Duration, Instant};

use super::cancel::{CancelToken, WakerGuard};
use super::collect::Collector;
use super::error::{Code, Error, Result};
use super::transfer::{Driver, Hop, HopInfo};

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
    lane.start(ONLY, hop, std::mem::take(collector))?;
    let stops = Stops::new(&*lane, cancel, None);
    loop {
        if let Some(stopped) = stops.stop_if_due(&mut *lane) {
            take_back(collector, stopped.aborted);
            return Err(match stopped.why {
                Stop::Cancelled => Error::new(Code::Cancelled, "cancelled"),
                Stop::DeadlinePassed => Error::new(Code::Timeout, "the deadline passed"),
            });
        }
        let finished = match lane.step(STEP_WAIT) {
            Ok(finished) => finished,
            Err(e) => {
                take_back(collector, lane.abort_all());
                return Err(e);
            }
        };
        if let Some(done) = finished.into_iter().find(|f| f.id == ONLY) {
            *collector = done.collector;
            return done.outcome;
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
    use crate::core::layers::Layer;
    use crate::core::request::Request;
    use crate::core::send::Exchange;
    use crate::core::transfer::{Finished, SocketWatcher};
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
        fn step(&mut self, _timeout: Duration) -> Result<Vec<Finished>> {
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
        let mut exchange = Exchange::new(&request, &Layer::default(), None, None).unwrap();
        let collector = exchange.next_hop().unwrap();
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
