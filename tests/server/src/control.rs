//! The control listener: connection statistics for tests in any language.

use serde_json::json;

use crate::request::Req;
use crate::response::{self, Resp};
use crate::state::Shared;

pub fn handle(req: &Req, shared: &Shared) -> Resp {
    match (req.method.as_str(), req.path()) {
        ("GET" | "HEAD", "/stats") => stats(shared),
        ("POST", "/reset") => {
            shared.counters.reset();
            stats(shared)
        }
        (_, "/stats" | "/reset") => response::method_not_allowed("GET, POST"),
        _ => response::not_found(),
    }
}

fn stats(shared: &Shared) -> Resp {
    let (a, b) = shared.counters.split();
    response::json(
        200,
        &json!({"connections": a + b, "connections_port": a, "connections_port2": b}),
    )
}
