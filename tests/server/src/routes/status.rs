//! /status/{codes}: one code, or a comma list (optionally `code:weight`).

use rand::Rng;

use crate::response::{self, Resp};

const ASCII_ART: &str = r#"
    -=[ teapot ]=-

       _...._
     .'  _ _ `.
    | ."` ^ `". _,
    \_;`"---"`|//
      |       ;/
      \_     _/
        `"""`
"#;

const REDIRECT_LOCATION: &str = "/redirect/1";

pub fn status(codes: &str) -> Resp {
    let invalid = || response::text(400, "text/plain; charset=utf-8", "Invalid status code");
    let code = if !codes.contains(',') {
        match codes.trim().parse::<u16>() {
            Ok(c) => c,
            Err(_) => return invalid(),
        }
    } else {
        let mut choices = Vec::new();
        for choice in codes.split(',') {
            let (c, w) = match choice.split_once(':') {
                Some((c, w)) => (c, w),
                None => (choice, "1"),
            };
            match (c.trim().parse::<u16>(), w.trim().parse::<f64>()) {
                (Ok(c), Ok(w)) => choices.push((c, w)),
                _ => return invalid(),
            }
        }
        weighted_choice(&choices)
    };
    // hyper cannot send 1xx as a final response; httpbin's codes run 200..=999 here.
    if !(200..=999).contains(&code) {
        return invalid();
    }
    status_code(code)
}

fn weighted_choice(choices: &[(u16, f64)]) -> u16 {
    let total: f64 = choices.iter().map(|c| c.1.max(0.0)).sum();
    let mut x = rand::thread_rng().gen::<f64>() * total;
    for &(c, w) in choices {
        let w = w.max(0.0);
        if x < w {
            return c;
        }
        x -= w;
    }
    choices.last().map(|c| c.0).unwrap_or(200)
}

/// httpbin's `status_code()` helper (also used by auth endpoints).
pub fn status_code(code: u16) -> Resp {
    let with = |body: Option<&'static str>, headers: &[(&str, &str)]| {
        let body = body.map(response::full).unwrap_or_else(response::empty);
        let mut r = response::with_status(code, body);
        for (k, v) in headers {
            response::set(&mut r, k, v);
        }
        r
    };
    match code {
        301 | 302 | 303 | 305 | 307 => with(None, &[("location", REDIRECT_LOCATION)]),
        304 => with(None, &[]),
        401 => with(None, &[("www-authenticate", "Basic realm=\"Fake Realm\"")]),
        402 => with(
            Some("Fuck you, pay me!"),
            &[("x-more-info", "http://vimeo.com/22053820")],
        ),
        406 => with(
            Some("{\"message\": \"Client did not request a supported media type.\", \"accept\": [\"image/webp\", \"image/svg+xml\", \"image/jpeg\", \"image/png\", \"image/*\"]}"),
            &[("content-type", "application/json")],
        ),
        407 => with(None, &[("proxy-authenticate", "Basic realm=\"Fake Realm\"")]),
        418 => with(
            Some(ASCII_ART),
            &[("x-more-info", "http://tools.ietf.org/html/rfc2324")],
        ),
        _ => response::html(code, ""),
    }
}
