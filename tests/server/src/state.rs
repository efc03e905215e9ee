//! State shared by every listener: connection counters, digest nonces and
//! the proxy's request log.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Which connection counter a listener feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Port = 0,
    Port2 = 1,
    Hostile = 2,
    Tls = 3,
    Proxy = 4,
}

#[derive(Default)]
pub struct Counters {
    by_slot: [AtomicU64; 5],
}

impl Counters {
    pub fn get(&self, slot: Slot) -> u64 {
        self.by_slot[slot as usize].load(Ordering::SeqCst)
    }
    /// Connections on the two plain origins (`port` + `port2`).
    pub fn total(&self) -> u64 {
        let (a, b) = self.split();
        a + b
    }
    pub fn split(&self) -> (u64, u64) {
        (self.get(Slot::Port), self.get(Slot::Port2))
    }
    pub fn reset(&self) {
        for c in &self.by_slot {
            c.store(0, Ordering::SeqCst);
        }
    }
    pub fn incr(&self, slot: Slot) {
        self.by_slot[slot as usize].fetch_add(1, Ordering::SeqCst);
    }
}

/// Nonces issued by digest challenges (bounded; oldest forgotten first),
/// each with how often it was accepted and the highest nonce count seen.
#[derive(Default)]
pub struct Nonces {
    inner: Mutex<(HashMap<String, NonceUse>, VecDeque<String>)>,
}

#[derive(Default, Clone, Copy)]
struct NonceUse {
    accepted: u64,
    highest_nc: u64,
}

/// What a correct answer's nonce is worth.
#[derive(Debug, PartialEq, Eq)]
pub enum NonceCheck {
    /// Never issued (or forgotten): the client should retry with a new one.
    Unknown,
    /// Accepted; this many times in all, this answer included.
    Accepted(u64),
    /// Its nonce count is not above the highest seen: a replay.
    Replayed,
}

const MAX_NONCES: usize = 10_000;

impl Nonces {
    pub fn issue(&self, nonce: String) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if g.0.insert(nonce.clone(), NonceUse::default()).is_none() {
            g.1.push_back(nonce);
        }
        while g.1.len() > MAX_NONCES {
            if let Some(old) = g.1.pop_front() {
                g.0.remove(&old);
            }
        }
    }

    /// Checks and counts one use of `nonce` with nonce count `nc` (none
    /// without qop, where replays cannot be told).
    pub fn accept(&self, nonce: &str, nc: Option<u64>) -> NonceCheck {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Some(use_) = g.0.get_mut(nonce) else {
            return NonceCheck::Unknown;
        };
        if let Some(nc) = nc {
            if nc <= use_.highest_nc {
                return NonceCheck::Replayed;
            }
            use_.highest_nc = nc;
        }
        use_.accepted += 1;
        NonceCheck::Accepted(use_.accepted)
    }
}

/// One request the proxy received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyLogEntry {
    /// `CONNECT`, `GET`, ...
    pub method: String,
    /// The request target as sent: `host:port` for CONNECT, an absolute URL otherwise.
    pub target: String,
    /// The `Proxy-Authorization` header the proxy received (it never forwards it).
    pub proxy_authorization: Option<String>,
}

/// What the proxy saw since start or the last reset (bounded).
#[derive(Default)]
pub struct ProxyLog {
    inner: Mutex<Vec<ProxyLogEntry>>,
}

const MAX_PROXY_LOG: usize = 10_000;

impl ProxyLog {
    pub fn record(&self, entry: ProxyLogEntry) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if g.len() < MAX_PROXY_LOG {
            g.push(entry);
        }
    }
    pub fn entries(&self) -> Vec<ProxyLogEntry> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    pub fn clear(&self) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[derive(Default)]
pub struct Shared {
    pub counters: Counters,
    pub nonces: Nonces,
    /// Requests the /digest-auth routes received (round trips a client paid).
    pub digest_requests: AtomicU64,
    pub proxy_log: ProxyLog,
}

impl Shared {
    pub fn new() -> Self {
        Self::default()
    }
}
