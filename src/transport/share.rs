//! A curl share handle: the DNS cache and the TLS session cache that all
//! lanes of one session share, so a new lane neither resolves a name nor
//! runs a full TLS handshake again. Connections are not shared: each lane
//! keeps its own (libcurl forbids sharing a connection cache between
//! threads that run transfers at once).

use std::ffi::c_void;
use std::sync::{Condvar, Mutex, PoisonError};

use curl_sys::{curl_lock_access, curl_lock_data, CURL, CURLSH};

/// A lock libcurl takes in one callback and releases in another, so no
/// guard can span them: a flag under a mutex, waited on with a condvar.
/// libcurl takes and releases these locks a few times a request, nearly
/// always uncontended, and std's `Condvar::notify_one` enters the kernel
/// (a futex wake) whether or not anyone waits: `leave` notifies only when
/// `enter` counted a waiter, so an uncontended pass makes no system call.
#[derive(Default)]
struct Gate {
    state: Mutex<GateState>,
    released: Condvar,
}

#[derive(Default)]
struct GateState {
    taken: bool,
    /// Threads blocked in `enter`, counted under the mutex, so `leave`
    /// sees every waiter that could miss its notification.
    waiting: usize,
}

impl Gate {
    fn enter(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while state.taken {
            state.waiting += 1;
            state = self
                .released
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.waiting -= 1;
        }
        state.taken = true;
    }

    fn leave(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.taken = false;
        let anyone_waiting = state.waiting > 0;
        drop(state);
        if anyone_waiting {
            self.released.notify_one();
        }
    }
}

/// One gate per kind of shared data libcurl locks.
#[derive(Default)]
struct Gates {
    share: Gate,
    dns: Gate,
    ssl: Gate,
}

impl Gates {
    fn of(&self, data: curl_lock_data) -> Option<&Gate> {
        match data {
            curl_sys::CURL_LOCK_DATA_SHARE => Some(&self.share),
            curl_sys::CURL_LOCK_DATA_DNS => Some(&self.dns),
            curl_sys::CURL_LOCK_DATA_SSL_SESSION => Some(&self.ssl),
            _ => None,
        }
    }
}

extern "C" fn lock(_: *mut CURL, data: curl_lock_data, _: curl_lock_access, gates: *mut c_void) {
    // SAFETY: `gates` is the boxed `Gates` of the `Share` that registered
    // this callback; it lives until the share handle is cleaned up.
    if let Some(gate) = unsafe { &*gates.cast::<Gates>() }.of(data) {
        gate.enter();
    }
}

extern "C" fn unlock(_: *mut CURL, data: curl_lock_data, gates: *mut c_void) {
    // SAFETY: as in `lock`.
    if let Some(gate) = unsafe { &*gates.cast::<Gates>() }.of(data) {
        gate.leave();
    }
}

pub struct Share {
    raw: *mut CURLSH,
    /// Boxed so its address, handed to libcurl, never moves. Read only by
    /// libcurl's lock callbacks, through that address; dropped after `drop`
    /// has cleaned the share handle up, so it outlives every callback.
    _gates: Box<Gates>,
}

// SAFETY: libcurl allows one share handle to be used by easy handles in
// several threads at once when lock callbacks are set (libcurl-share(3));
// `new` sets them before any easy handle can see the share. The gates are
// Sync by construction.
unsafe impl Send for Share {}
// SAFETY: as above.
unsafe impl Sync for Share {}

impl Default for Share {
    fn default() -> Self {
        Share::new()
    }
}

impl Share {
    pub fn new() -> Share {
        let gates = Box::<Gates>::default();
        // SAFETY: curl_share_init has no preconditions (curl_global_init has
        // run: the curl crate does it before any handle is made, and
        // `curl::init` below makes sure). Each setopt passes the argument
        // type its option documents: a lock_data value, function pointers
        // of the documented signatures, and the gates' stable address.
        let raw = unsafe {
            curl::init();
            let raw = curl_sys::curl_share_init();
            if !raw.is_null() {
                let user: *const Gates = &*gates;
                curl_sys::curl_share_setopt(raw, curl_sys::CURLSHOPT_USERDATA, user as *mut c_void);
                curl_sys::curl_share_setopt(
                    raw,
                    curl_sys::CURLSHOPT_LOCKFUNC,
                    lock as curl_sys::curl_lock_function,
                );
                curl_sys::curl_share_setopt(
                    raw,
                    curl_sys::CURLSHOPT_UNLOCKFUNC,
                    unlock as curl_sys::curl_unlock_function,
                );
                curl_sys::curl_share_setopt(
                    raw,
                    curl_sys::CURLSHOPT_SHARE,
                    curl_sys::CURL_LOCK_DATA_DNS,
                );
                curl_sys::curl_share_setopt(
                    raw,
                    curl_sys::CURLSHOPT_SHARE,
                    curl_sys::CURL_LOCK_DATA_SSL_SESSION,
                );
            }
            raw
        };
        Share { raw, _gates: gates }
    }

    /// The raw handle for CURLOPT_SHARE; NULL if libcurl could not make one
    /// (then nothing is shared, which is only slower).
    pub fn raw(&self) -> *mut CURLSH {
        self.raw
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        if !self.raw.is_null() {
            // SAFETY: every easy handle that used this share has been
            // cleaned up: lanes hold the share in an Arc and drop their easy
            // handles before it (field order in `Lane`).
            unsafe { curl_sys::curl_share_cleanup(self.raw) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Gate;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Many threads through one gate: never two inside at once, and none
    /// left waiting (a lost wake-up, were `leave` to skip a waiter it
    /// should notify, would hang this test).
    #[test]
    fn gate_admits_one_at_a_time_and_wakes_every_waiter() {
        let gate = Arc::new(Gate::default());
        let inside = Arc::new(AtomicBool::new(false));
        let passes = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (gate, inside, passes) = (gate.clone(), inside.clone(), passes.clone());
                std::thread::spawn(move || {
                    for _ in 0..5_000 {
                        gate.enter();
                        assert!(!inside.swap(true, Ordering::SeqCst), "two threads inside");
                        std::hint::spin_loop();
                        inside.store(false, Ordering::SeqCst);
                        gate.leave();
                        passes.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(passes.load(Ordering::Relaxed), 40_000);
        assert_eq!(gate.state.lock().unwrap().waiting, 0);
    }
}
