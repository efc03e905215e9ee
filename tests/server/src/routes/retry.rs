//! The retry scenarios of the origins (see `crate::flaky`).

use std::time::{Duration, SystemTime};

use crate::flaky;
use crate::request::Req;
use crate::response::{self, Resp};

/// `/reqc/flaky?key=K&fail=N[&status=S][&retry_after=SECS][&retry_after_date=SECS]`,
/// any method: the first N requests of key K get status S (default 503),
/// with `Retry-After` in seconds or as an HTTP-date SECS from now when
/// asked; later ones get 200. Every answer says which request of the key
/// it was, in `X-Reqc-Attempt` and the body (`fail 1`, `ok 3`).
pub fn flaky(req: &Req) -> Resp {
    let key = req.arg("key").unwrap_or_default();
    let fail: u64 = req.arg("fail").and_then(|v| v.parse().ok()).unwrap_or(0);
    let status: u16 = req
        .arg("status")
        .and_then(|v| v.parse().ok())
        .filter(|s| (200..=599).contains(s))
        .unwrap_or(503);
    let n = flaky::hit(&key);
    let mut r = if n <= fail {
        let mut r = response::text(status, "text/plain", format!("fail {n}"));
        if let Some(secs) = req.arg("retry_after") {
            response::set(&mut r, "retry-after", &secs);
        }
        if let Some(secs) = req
            .arg("retry_after_date")
            .and_then(|v| v.parse::<u64>().ok())
        {
            let at = SystemTime::now() + Duration::from_secs(secs);
            response::set(&mut r, "retry-after", &super::inspection::httpdate(at));
        }
        r
    } else {
        response::text(200, "text/plain", format!("ok {n}"))
    };
    response::set(&mut r, "x-reqc-attempt", &n.to_string());
    r
}

/// `/reqc/flaky-count?key=K`: how many requests key K saw, as text.
pub fn flaky_count(req: &Req) -> Resp {
    let key = req.arg("key").unwrap_or_default();
    response::text(200, "text/plain", flaky::count(&key).to_string())
}
