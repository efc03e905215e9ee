//! Request inspection: /get, /post, /put, /patch, /delete, /anything,
//! /headers, /ip, /user-agent.

use serde_json::{json, Value};

use crate::httpbin_json::{get_dict, headers as echo_headers};
use crate::request::Req;
use crate::response::{self, Resp};

pub fn get(req: &Req) -> Resp {
    let d = get_dict(req, &["url", "args", "headers", "origin"]);
    response::json(200, &Value::Object(d))
}

/// /post, /put, /patch, /delete
pub fn method(req: &Req) -> Resp {
    let d = get_dict(
        req,
        &[
            "url", "args", "form", "data", "origin", "headers", "files", "json",
        ],
    );
    response::json(200, &Value::Object(d))
}

pub fn anything(req: &Req) -> Resp {
    let d = get_dict(
        req,
        &[
            "url", "args", "headers", "origin", "method", "form", "data", "files", "json",
        ],
    );
    response::json(200, &Value::Object(d))
}

pub fn headers(req: &Req) -> Resp {
    response::json(200, &json!({ "headers": echo_headers(req) }))
}

pub fn ip(req: &Req) -> Resp {
    response::json(200, &json!({ "origin": req.origin() }))
}

pub fn user_agent(req: &Req) -> Resp {
    let ua = req
        .header("user-agent")
        .map(Value::String)
        .unwrap_or(Value::Null);
    response::json(200, &json!({ "user-agent": ua }))
}
