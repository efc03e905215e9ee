//! Per-key attempt counters for the retry scenarios (`/reqc/flaky` on the
//! origins, `/flaky/*` on the hostile listener): the first `fail` requests
//! of a key fail, the next ones succeed, and `/reqc/flaky-count?key=K`
//! tells a test how many requests the key saw (so a test asserts counts
//! from the server, not wall-clock times). Process-wide: one scenario may
//! span listeners. Bounded: the oldest keys are forgotten past 10,000.

use std::collections::{HashMap, VecDeque};
use std::sync::{LazyLock, Mutex};

const MAX_KEYS: usize = 10_000;

/// Requests per key, and the keys oldest first (to forget).
#[derive(Default)]
struct Counts {
    by_key: HashMap<String, u64>,
    order: VecDeque<String>,
}

static COUNTS: LazyLock<Mutex<Counts>> = LazyLock::new(Default::default);

/// Counts one request of `key` and returns its number, from 1.
pub fn hit(key: &str) -> u64 {
    let mut g = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    if !g.by_key.contains_key(key) {
        g.order.push_back(key.to_string());
        while g.order.len() > MAX_KEYS {
            if let Some(old) = g.order.pop_front() {
                g.by_key.remove(&old);
            }
        }
    }
    let n = g.by_key.entry(key.to_string()).or_default();
    *n += 1;
    *n
}

/// How many requests `key` saw.
pub fn count(key: &str) -> u64 {
    let g = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    g.by_key.get(key).copied().unwrap_or(0)
}
