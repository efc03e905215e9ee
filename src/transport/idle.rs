//! The read (idle) timeout: libcurl has none, so libreqc ends a transfer
//! from its progress callback once no byte has moved for too long after the
//! connection was made (the connect timeout covers the time before).

use std::time::{Duration, Instant};

/// The clock of one transfer: when a byte last moved, and how long a wait
/// for the next one may last.
pub struct IdleClock {
    limit: Duration,
    last: Instant,
    /// Bytes received and sent when last seen (libcurl's progress counters).
    seen: (f64, f64),
    /// Set when the limit expired and the transfer was ended for it.
    expired: bool,
    /// The transfer is paused for a slow reader: no wait counts meanwhile.
    held: bool,
}

impl IdleClock {
    pub fn new(limit: Duration) -> IdleClock {
        IdleClock {
            limit,
            last: Instant::now(),
            seen: (0.0, 0.0),
            expired: false,
            held: false,
        }
    }

    /// A byte moved that the counters do not show (a header line).
    pub fn touch(&mut self) {
        self.last = Instant::now();
    }

    /// The transfer is paused (its reader has bytes to take): the clock
    /// stops until `resume`.
    pub fn hold(&mut self) {
        self.held = true;
    }

    /// The transfer runs again: the wait for the next byte starts now.
    pub fn resume(&mut self) {
        self.held = false;
        self.last = Instant::now();
    }

    /// Called from libcurl's progress callback with the body bytes received
    /// and sent so far. `connected`: the request is past connect and TLS.
    /// False when the transfer has waited longer than the limit.
    pub fn check(&mut self, received: f64, sent: f64, connected: bool) -> bool {
        let now = Instant::now();
        if self.held || !connected || (received, sent) != self.seen {
            self.seen = (received, sent);
            self.last = now;
            return true;
        }
        if now.duration_since(self.last) > self.limit {
            self.expired = true;
            return false;
        }
        true
    }

    /// The limit, when it expired and ended the transfer.
    pub fn expired(&self) -> Option<Duration> {
        self.expired.then_some(self.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_only_when_connected_and_idle() {
        let mut clock = IdleClock::new(Duration::from_millis(20));
        std::thread::sleep(Duration::from_millis(30));
        assert!(clock.check(0.0, 0.0, false), "connecting is not idle");
        std::thread::sleep(Duration::from_millis(10));
        assert!(clock.check(5.0, 0.0, true), "bytes moved");
        assert!(clock.check(5.0, 0.0, true));
        std::thread::sleep(Duration::from_millis(30));
        assert!(!clock.check(5.0, 0.0, true));
        assert_eq!(clock.expired(), Some(Duration::from_millis(20)));
    }

    #[test]
    fn a_held_clock_does_not_expire() {
        let mut clock = IdleClock::new(Duration::from_millis(20));
        clock.hold();
        std::thread::sleep(Duration::from_millis(30));
        assert!(clock.check(5.0, 0.0, true));
        assert!(clock.check(5.0, 0.0, true));
        clock.resume();
        assert!(clock.check(5.0, 0.0, true));
        std::thread::sleep(Duration::from_millis(30));
        assert!(!clock.check(5.0, 0.0, true));
    }
}
