//! State shared by every listener: connection counters and digest nonces.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Default)]
pub struct Counters {
    port: AtomicU64,
    port2: AtomicU64,
}

impl Counters {
    pub fn total(&self) -> u64 {
        let (a, b) = self.split();
        a + b
    }
    pub fn split(&self) -> (u64, u64) {
        (
            self.port.load(Ordering::SeqCst),
            self.port2.load(Ordering::SeqCst),
        )
    }
    pub fn reset(&self) {
        self.port.store(0, Ordering::SeqCst);
        self.port2.store(0, Ordering::SeqCst);
    }
    pub fn incr(&self, second: bool) {
        let c = if second { &self.port2 } else { &self.port };
        c.fetch_add(1, Ordering::SeqCst);
    }
}

/// Nonces issued by digest challenges (bounded; oldest forgotten first).
#[derive(Default)]
pub struct Nonces {
    inner: Mutex<(HashSet<String>, VecDeque<String>)>,
}

const MAX_NONCES: usize = 10_000;

impl Nonces {
    pub fn issue(&self, nonce: String) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if g.0.insert(nonce.clone()) {
            g.1.push_back(nonce);
        }
        while g.1.len() > MAX_NONCES {
            if let Some(old) = g.1.pop_front() {
                g.0.remove(&old);
            }
        }
    }
    pub fn known(&self, nonce: &str) -> bool {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.0.contains(nonce)
    }
}

#[derive(Default)]
pub struct Shared {
    pub counters: Counters,
    pub nonces: Nonces,
}

impl Shared {
    pub fn new() -> Self {
        Self::default()
    }
}
