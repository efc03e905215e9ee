//! Cancellation that any thread may trigger, and that wakes a transfer blocked
//! waiting on its sockets.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Instant;

type Waker = Arc<dyn Fn() + Send + Sync>;

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    next_id: AtomicU64,
    wakers: Mutex<Wakers>,
}

/// The registered wakers by id. A blocking send registers one at a time:
/// it is kept in place, so a new request's first send allocates no list.
#[derive(Default)]
struct Wakers {
    first: Option<(u64, Waker)>,
    more: Vec<(u64, Waker)>,
}

impl Wakers {
    fn push(&mut self, id: u64, wake: Waker) {
        if self.first.is_none() {
            self.first = Some((id, wake));
        } else {
            self.more.push((id, wake));
        }
    }

    fn remove(&mut self, id: u64) {
        if self.first.as_ref().is_some_and(|(first, _)| *first == id) {
            self.first = None;
        } else {
            self.more.retain(|(other, _)| *other != id);
        }
    }

    fn all(&self) -> Vec<Waker> {
        self.first
            .iter()
            .chain(&self.more)
            .map(|(_, w)| w.clone())
            .collect()
    }
}

/// Shared by a request (or batch) and every send in flight for it. Once
/// cancelled it stays cancelled, like a Go context.
#[derive(Clone, Default)]
pub struct CancelToken(Arc<Inner>);

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Marks the token cancelled and wakes every transfer waiting on it.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        let wakers = self
            .0
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .all();
        for wake in wakers {
            wake();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Waits until `until`, or less when the token is cancelled meanwhile
    /// (a retry's backoff): false when cancelled. The wait is a condition
    /// variable that `cancel` signals, so it ends at once, never at the
    /// end of a sleep.
    pub fn wait_until(&self, until: Instant) -> bool {
        let woken = Arc::new((Mutex::new(false), Condvar::new()));
        let signal = woken.clone();
        let _guard = self.on_cancel(Arc::new(move || {
            let (flag, condvar) = &*signal;
            *flag.lock().unwrap_or_else(PoisonError::into_inner) = true;
            condvar.notify_all();
        }));
        let (flag, condvar) = &*woken;
        let mut done = flag.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            // Checked under the lock: a cancel between registering and
            // waiting has either set the flag or set `cancelled` already.
            if *done || self.is_cancelled() {
                return false;
            }
            let now = Instant::now();
            if now >= until {
                return true;
            }
            done = condvar
                .wait_timeout(done, until - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Registers `wake` to be called on cancel while the guard lives.
    pub fn on_cancel(&self, wake: Waker) -> WakerGuard {
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed);
        self.0
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(id, wake);
        WakerGuard {
            token: self.clone(),
            id,
        }
    }
}

/// Unregisters a waker when the transfer that installed it ends.
pub struct WakerGuard {
    token: CancelToken,
    id: u64,
}

impl Drop for WakerGuard {
    fn drop(&mut self) {
        self.token
            .0
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn wakes_registered_only() {
        let token = CancelToken::new();
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        let guard = token.on_cancel(Arc::new(move || {
            h.fetch_add(1, Ordering::SeqCst);
        }));
        drop(guard);
        let h = hits.clone();
        let _guard = token.on_cancel(Arc::new(move || {
            h.fetch_add(10, Ordering::SeqCst);
        }));
        token.cancel();
        assert!(token.is_cancelled());
        assert_eq!(hits.load(Ordering::SeqCst), 10);
    }

    #[test]
    fn every_registered_waker_wakes_whichever_went_first() {
        let token = CancelToken::new();
        let hits = Arc::new(AtomicUsize::new(0));
        let add = |n: usize| {
            let h = hits.clone();
            token.on_cancel(Arc::new(move || {
                h.fetch_add(n, Ordering::SeqCst);
            }))
        };
        let (a, b, c) = (add(1), add(10), add(100));
        drop(a);
        let d = add(1000);
        drop(c);
        token.cancel();
        assert_eq!(hits.load(Ordering::SeqCst), 1010);
        drop((b, d));
        token.cancel();
        assert_eq!(hits.load(Ordering::SeqCst), 1010);
    }

    #[test]
    fn cancel_ends_a_wait() {
        let token = CancelToken::new();
        let start = Instant::now();
        assert!(token.wait_until(start + std::time::Duration::from_millis(20)));
        let other = token.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            other.cancel();
        });
        assert!(!token.wait_until(Instant::now() + std::time::Duration::from_secs(60)));
        t.join().unwrap();
    }
}
