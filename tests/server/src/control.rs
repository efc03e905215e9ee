//! The control listener: connection statistics and the proxy's log for tests
//! in any language.

use std::sync::atomic::Ordering;

use serde_json::{json, Value};

use crate::request::Req;
use crate::response::{self, Resp};
use crate::state::{Shared, Slot};

pub fn handle(req: &Req, shared: &Shared) -> Resp {
    match (req.method.as_str(), req.path()) {
        ("GET" | "HEAD", "/stats") => stats(shared),
        ("POST", "/reset") => {
            shared.counters.reset();
            shared.digest_requests.store(0, Ordering::SeqCst);
            shared.proxy_log.clear();
            stats(shared)
        }
        ("GET" | "HEAD", "/proxy-log") => proxy_log(shared),
        (_, "/stats" | "/reset" | "/proxy-log") => response::method_not_allowed("GET, POST"),
        _ => response::not_found(),
    }
}

fn stats(shared: &Shared) -> Resp {
    let c = &shared.counters;
    let (a, b) = c.split();
    response::json(
        200,
        &json!({
            "connections": a + b,
            "connections_port": a,
            "connections_port2": b,
            "connections_hostile": c.get(Slot::Hostile),
            "connections_tls": c.get(Slot::Tls),
            "connections_proxy": c.get(Slot::Proxy),
            "digest_requests": shared.digest_requests.load(Ordering::SeqCst),
        }),
    )
}

fn proxy_log(shared: &Shared) -> Resp {
    let entries: Vec<Value> = shared
        .proxy_log
        .entries()
        .into_iter()
        .map(|e| {
            json!({
                "method": e.method,
                "target": e.target,
                "proxy_authorization": e.proxy_authorization,
            })
        })
        .collect();
    response::json(200, &Value::Array(entries))
}
