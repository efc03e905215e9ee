//! Retries: which outcomes of a hop are tried again, and how long to wait
//! before the next attempt (exponential backoff with full jitter, or the
//! server's `Retry-After`, both bounded by a cap). The send state machine
//! (`send::Exchange`) asks; it never sleeps here: a blocking send waits on
//! its cancel token, a batch keeps a not-before time in its scheduler.

use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime};

use super::error::Code;

/// The statuses retried unless a layer sets its own list: rate limiting and
/// the gateway and availability errors a server or proxy sends when it may
/// answer shortly (urllib3's `Retry.RETRY_AFTER_STATUS_CODES` plus 502, 504).
pub const DEFAULT_STATUSES: [u16; 4] = [429, 502, 503, 504];
/// `DEFAULT_STATUSES` shared: a policy or the built-in layer takes a
/// reference, not an allocation, per send.
fn default_statuses() -> Arc<[u16]> {
    static SHARED: LazyLock<Arc<[u16]>> = LazyLock::new(|| Arc::new(DEFAULT_STATUSES));
    SHARED.clone()
}
/// First backoff bound (doubles each retry) and the cap on any wait.
pub const DEFAULT_BACKOFF: Backoff = Backoff {
    base: Duration::from_millis(100),
    cap: Duration::from_secs(10),
};

/// The wait before retry `n` (from 1) is a random time in
/// `[0, min(cap, base * 2^(n-1))]` (full jitter); a `Retry-After` wait is
/// cut to `cap`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

/// The retry settings a layer may hold; `None` fields fall through to the
/// layer below, as every option does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetryOptions {
    /// Attempts of one send in all, the first included; 1 turns retries off
    /// (the built-in default).
    pub max_attempts: Option<u32>,
    /// The response statuses that are retried.
    pub statuses: Option<Arc<[u16]>>,
    pub backoff: Option<Backoff>,
    /// Retry every method, not just the idempotent ones.
    pub all_methods: Option<bool>,
}

impl RetryOptions {
    pub fn over(&self, lower: &RetryOptions) -> RetryOptions {
        RetryOptions {
            max_attempts: self.max_attempts.or(lower.max_attempts),
            statuses: self.statuses.clone().or_else(|| lower.statuses.clone()),
            backoff: self.backoff.or(lower.backoff),
            all_methods: self.all_methods.or(lower.all_methods),
        }
    }

    /// The built-in values: one attempt, the default statuses and backoff,
    /// idempotent methods only.
    pub fn builtin() -> RetryOptions {
        RetryOptions {
            max_attempts: Some(1),
            statuses: Some(default_statuses()),
            backoff: Some(DEFAULT_BACKOFF),
            all_methods: Some(false),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == RetryOptions::default()
    }
}

/// The merged policy one send follows.
#[derive(Clone, Debug)]
pub struct Policy {
    pub max_attempts: u32,
    pub statuses: Arc<[u16]>,
    pub backoff: Backoff,
    pub all_methods: bool,
}

impl Policy {
    pub fn of(merged: &RetryOptions) -> Policy {
        // The built-in values (`builtin()`) where the layers set none.
        Policy {
            max_attempts: merged.max_attempts.unwrap_or(1).max(1),
            statuses: merged.statuses.clone().unwrap_or_else(default_statuses),
            backoff: merged.backoff.unwrap_or(DEFAULT_BACKOFF),
            all_methods: merged.all_methods.unwrap_or(false),
        }
    }

    /// True when `method` may be sent again: the idempotent methods of RFC
    /// 9110 §9.2.2, or any method when the caller opted in.
    pub fn allows_method(&self, method: &str) -> bool {
        self.all_methods || is_idempotent(method)
    }

    pub fn retries_status(&self, status: u16) -> bool {
        self.statuses.contains(&status)
    }

    /// The wait before retry `retry` (from 1): `retry_after` (the server's,
    /// already read) cut to the cap, else full jitter.
    pub fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.backoff.cap);
        }
        let shift = retry.saturating_sub(1).min(30);
        let bound = self
            .backoff
            .base
            .saturating_mul(1u32 << shift)
            .min(self.backoff.cap);
        jitter(bound)
    }
}

pub fn is_idempotent(method: &str) -> bool {
    matches!(
        method,
        "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE" | "TRACE"
    )
}

/// True for the failures that say the connection failed or was lost
/// (refused, reset, closed before or during the response), which a new
/// attempt on a fresh connection may get past. Not timeouts (the total
/// timeout bounds the whole send), TLS, DNS or protocol errors.
pub fn retries_error(code: Code) -> bool {
    matches!(code, Code::Connect | Code::Send | Code::Recv)
}

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, read
/// against `now`; a date in the past is no wait. `None` for anything else.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    // IMF-fixdate is RFC 2822's form (the obsolete RFC 850 and asctime
    // forms are not read: no server in use sends them for Retry-After).
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(date);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A uniformly random duration in `[0, bound]`, from the OS random source.
fn jitter(bound: Duration) -> Duration {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        return bound / 2;
    }
    let nanos = bound.as_nanos().min(u64::MAX as u128) as u64;
    if nanos == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(u64::from_le_bytes(bytes) % (nanos + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_both_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:40 GMT", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:30 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-1", now), None);
    }

    #[test]
    fn backoff_is_bounded() {
        let policy = Policy::of(&RetryOptions {
            backoff: Some(Backoff {
                base: Duration::from_millis(100),
                cap: Duration::from_millis(250),
            }),
            ..RetryOptions::default()
        });
        for retry in 1..40 {
            let bound = Duration::from_millis(100 * (1u64 << (retry - 1).min(20)))
                .min(Duration::from_millis(250));
            assert!(policy.wait(retry, None) <= bound);
        }
        assert_eq!(
            policy.wait(1, Some(Duration::from_secs(60))),
            Duration::from_millis(250)
        );
    }

    #[test]
    fn methods() {
        let policy = Policy::of(&RetryOptions::default());
        assert!(policy.allows_method("GET") && policy.allows_method("DELETE"));
        assert!(!policy.allows_method("POST") && !policy.allows_method("PATCH"));
        assert_eq!(policy.max_attempts, 1);
    }
}
