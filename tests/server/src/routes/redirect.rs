//! Redirect chains: /redirect/{n}, /relative-redirect/{n},
//! /absolute-redirect/{n}, /redirect-to.

use super::int;
use crate::request::Req;
use crate::response::{self, Resp};

/// The hop count, or the error answer (404 not an int; 500 for 0 like httpbin's assert).
fn count(n: &str) -> Result<u64, Box<Resp>> {
    match int(n) {
        None => Err(Box::new(response::not_found())),
        Some(0) => Err(Box::new(response::server_error())),
        Some(n) => Ok(n),
    }
}

pub fn redirect(req: &Req, n: &str) -> Resp {
    let n = match count(n) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let absolute = req
        .arg("absolute")
        .map(|v| v.eq_ignore_ascii_case("true"))
        .unwrap_or(false);
    let base = if absolute {
        req.base_url()
    } else {
        String::new()
    };
    if n == 1 {
        return response::flask_redirect(&format!("{base}/get"));
    }
    let kind = if absolute { "absolute" } else { "relative" };
    response::flask_redirect(&format!("{base}/{kind}-redirect/{}", n - 1))
}

pub fn relative(n: &str) -> Resp {
    let n = match count(n) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    if n == 1 {
        return response::bare_redirect(302, "/get");
    }
    response::bare_redirect(302, &format!("/relative-redirect/{}", n - 1))
}

pub fn absolute(req: &Req, n: &str) -> Resp {
    let n = match count(n) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let base = req.base_url();
    if n == 1 {
        return response::flask_redirect(&format!("{base}/get"));
    }
    response::flask_redirect(&format!("{base}/absolute-redirect/{}", n - 1))
}

pub fn redirect_to(req: &Req) -> Resp {
    let Some(url) = req.arg_ci("url") else {
        // httpbin raises KeyError -> 500
        return response::server_error();
    };
    let mut code = 302;
    if let Some(s) = req.arg_ci("status_code") {
        match s.trim().parse::<u16>() {
            Ok(c) if (300..400).contains(&c) => code = c,
            Ok(_) => {}
            Err(_) => return response::server_error(),
        }
    }
    response::bare_redirect(code, &url)
}
