//! Routing for the origin listeners: httpbin 0.10.4 endpoints and `/reqc/*`.
//!
//! Method rules follow Flask/httpbin: a GET route also answers HEAD, and an
//! OPTIONS to a route that does not list it gets Flask's automatic answer
//! (200, empty body, `Allow`). Every response gets httpbin's CORS headers.

mod auth;
mod cookies;
mod digest;
mod dynamic;
mod echo;
mod encoded;
mod encoding;
mod formats;
mod inspection;
mod pattern;
mod redirect;
mod reqc;
mod retry;
mod signed;
mod status;

use crate::request::{decode_segment, Req};
use crate::response::{self, Resp};
use crate::state::Shared;

const GET: &[&str] = &["GET"];
const GET_POST: &[&str] = &["GET", "POST"];
const POST: &[&str] = &["POST"];
const PUT: &[&str] = &["PUT"];
const PATCH: &[&str] = &["PATCH"];
const DELETE: &[&str] = &["DELETE"];
/// Any method, custom verbs included; OPTIONS reaches the handler too.
const ANY: &[&str] = &[];

/// Early answer for a method the route does not take (405 or automatic OPTIONS).
fn gate(req: &Req, allowed: &[&str]) -> Option<Resp> {
    if allowed.is_empty() {
        return None;
    }
    let m = req.method.as_str();
    if allowed.contains(&m) || (m == "HEAD" && allowed.contains(&"GET")) {
        return None;
    }
    let mut allow: Vec<&str> = allowed.to_vec();
    if allowed.contains(&"GET") {
        allow.push("HEAD");
    }
    allow.push("OPTIONS");
    let allow = allow.join(", ");
    if m == "OPTIONS" {
        let mut r = response::html(200, "");
        response::set(&mut r, "allow", &allow);
        return Some(r);
    }
    Some(response::method_not_allowed(&allow))
}

/// `route!(req, METHODS, handler-expression)`
macro_rules! route {
    ($req:expr, $methods:expr, $handler:expr) => {
        match gate(&$req, $methods) {
            Some(early) => early,
            None => $handler,
        }
    };
}

fn int(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

pub async fn dispatch(req: Req, shared: &Shared) -> Resp {
    let segs: Vec<String> = req
        .path()
        .trim_start_matches('/')
        .split('/')
        .map(decode_segment)
        .collect();
    let s: Vec<&str> = segs.iter().map(|s| s.as_str()).collect();

    let resp = match s.as_slice() {
        // Request inspection / HTTP methods
        ["get"] => route!(req, GET, echo::get(&req)),
        ["post"] => route!(req, POST, echo::method(&req)),
        ["put"] => route!(req, PUT, echo::method(&req)),
        ["patch"] => route!(req, PATCH, echo::method(&req)),
        ["delete"] => route!(req, DELETE, echo::method(&req)),
        ["anything", ..] => route!(req, ANY, echo::anything(&req)),
        ["headers"] => route!(req, GET, echo::headers(&req)),
        ["ip"] => route!(req, GET, echo::ip(&req)),
        ["user-agent"] => route!(req, GET, echo::user_agent(&req)),
        ["uuid"] => route!(req, GET, dynamic::uuid()),

        // Status codes and redirects
        ["status", codes] => route!(req, ANY, status::status(codes)),
        ["redirect", n] => route!(req, GET, redirect::redirect(&req, n)),
        ["relative-redirect", n] => route!(req, GET, redirect::relative(n)),
        ["absolute-redirect", n] => route!(req, GET, redirect::absolute(&req, n)),
        ["redirect-to"] => route!(req, ANY, redirect::redirect_to(&req)),

        // Cookies
        ["cookies"] => route!(req, GET, cookies::view(&req)),
        ["cookies", "set"] => route!(req, GET, cookies::set_query(&req)),
        ["cookies", "set", name, value] => route!(req, GET, cookies::set_one(name, value)),
        ["cookies", "delete"] => route!(req, GET, cookies::delete(&req)),

        // Auth
        ["basic-auth", user, passwd] => route!(req, GET, auth::basic(&req, user, passwd, 401)),
        ["hidden-basic-auth", user, passwd] => {
            route!(req, GET, auth::basic(&req, user, passwd, 404))
        }
        ["bearer"] => route!(req, GET, auth::bearer(&req)),
        ["digest-auth", qop, user, passwd] => {
            route!(
                req,
                GET,
                digest::digest(&req, shared, qop, user, passwd, None, None)
            )
        }
        ["digest-auth", qop, user, passwd, algorithm] => route!(
            req,
            GET,
            digest::digest(&req, shared, qop, user, passwd, Some(algorithm), None)
        ),
        ["digest-auth", qop, user, passwd, algorithm, stale_after] => route!(
            req,
            GET,
            digest::digest(
                &req,
                shared,
                qop,
                user,
                passwd,
                Some(algorithm),
                Some(stale_after)
            )
        ),

        // Dynamic data
        ["bytes", n] => route!(req, GET, dynamic::bytes(&req, n)),
        ["stream-bytes", n] => route!(req, GET, dynamic::stream_bytes(&req, n)),
        ["stream", n] => route!(req, GET, dynamic::stream(&req, n)),
        ["range", n] => route!(req, GET, dynamic::range(&req, n)),
        ["delay", n] => route!(req, ANY, dynamic::delay(&req, n).await),
        ["drip"] => route!(req, GET, dynamic::drip(&req).await),
        ["base64", value] => route!(req, GET, dynamic::base64(value)),

        // Response inspection
        ["response-headers"] => route!(req, GET_POST, inspection::response_headers(&req)),
        ["cache"] => route!(req, GET, inspection::cache(&req)),
        ["cache", n] => route!(req, GET, inspection::cache_n(&req, n)),
        ["etag", etag] => route!(req, GET, inspection::etag(&req, etag)),

        // Response formats
        ["gzip"] => route!(req, GET, encoding::gzip(&req)),
        ["deflate"] => route!(req, GET, encoding::deflate(&req)),
        ["brotli"] => route!(req, GET, encoding::brotli(&req)),
        [""] => route!(req, GET, formats::landing()),
        ["html"] => route!(req, GET, formats::html()),
        ["json"] => route!(req, GET, formats::json()),
        ["xml"] => route!(req, GET, formats::xml()),
        ["robots.txt"] => route!(req, GET, formats::robots()),
        ["deny"] => route!(req, GET, formats::deny()),
        ["encoding", "utf8"] => route!(req, GET, formats::utf8()),

        // libreqc's own endpoints
        ["reqc", "gzip-bomb"] => route!(req, ANY, reqc::gzip_bomb(&req)),
        ["reqc", "zstd"] => route!(req, GET, encoding::zstd(&req)),
        ["reqc", "encoded"] => route!(req, ANY, encoded::encoded(&req)),
        ["reqc", "echo-raw"] => route!(req, ANY, reqc::echo_raw(&req)),
        ["reqc", "header-names"] => route!(req, ANY, reqc::header_names(&req)),
        ["reqc", "slow-body"] => route!(req, ANY, reqc::slow_body(&req)),
        ["reqc", "charset", name] => route!(req, GET, reqc::charset(name)),
        ["reqc", "links"] => route!(req, GET, reqc::links()),
        ["reqc", "signed"] => route!(req, ANY, signed::signed(&req)),
        ["reqc", "pattern"] => route!(req, ANY, pattern::pattern(&req)),
        ["reqc", "release"] => route!(req, ANY, pattern::release(&req)),
        ["reqc", "flaky"] => route!(req, ANY, retry::flaky(&req)),
        ["reqc", "flaky-count"] => route!(req, GET, retry::flaky_count(&req)),

        _ => response::not_found(),
    };
    cors(&req, resp)
}

/// httpbin's `after_request` CORS headers.
fn cors(req: &Req, mut r: Resp) -> Resp {
    let origin = req.header("origin").unwrap_or_else(|| "*".into());
    response::set(&mut r, "access-control-allow-origin", &origin);
    response::set(&mut r, "access-control-allow-credentials", "true");
    if req.method == hyper::Method::OPTIONS {
        response::set(
            &mut r,
            "access-control-allow-methods",
            "GET, POST, PUT, DELETE, PATCH, OPTIONS",
        );
        response::set(&mut r, "access-control-max-age", "3600");
        if let Some(h) = req.header("access-control-request-headers") {
            response::set(&mut r, "access-control-allow-headers", &h);
        }
    }
    r
}
