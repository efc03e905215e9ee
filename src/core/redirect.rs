//! Redirect rules: which responses are followed, where to, with which method,
//! and what must not travel to another origin.

use url::Url;

use super::error::{Code, Error, Result};
use super::redact;
use super::validate;

pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The next hop's URL: `location` resolved against the current URL (a bare
/// `%` in it quoted as in a caller's URL). A Location without a fragment
/// keeps the current URL's (RFC 9110 §10.2.2); one with its own replaces it.
pub fn target(current: &Url, location: &str) -> Result<Url> {
    let location = validate::quote_bare_percent(location);
    let mut next = current.join(&location).map_err(|e| {
        Error::new(
            Code::InvalidUrl,
            format!(
                "redirect from {} to an invalid location {location:?}: {e}",
                redact::url(current)
            ),
        )
    })?;
    validate::scheme_and_host(&next).map_err(|e| {
        Error::new(
            e.code,
            format!(
                "refused redirect from {}: {}",
                redact::url(current),
                e.message
            ),
        )
    })?;
    if next.fragment().is_none() {
        next.set_fragment(current.fragment());
    }
    Ok(next)
}

/// The method of the next hop, as browsers and RFC 9110 do it: 303 turns
/// everything but HEAD into GET; 301 and 302 turn POST into GET; 307 and 308
/// keep the method (and body).
pub fn next_method(status: u16, method: &str) -> &str {
    match status {
        303 if method != "HEAD" => "GET",
        301 | 302 if method == "POST" => "GET",
        _ => method,
    }
}

/// True when credentials may follow a hop from `from` to `to`: the same
/// origin, or the same host upgraded from http:80 to https:443 (as Requests
/// allows; CVE-2018-18074 is about getting this wrong).
pub fn keeps_credentials(from: &Url, to: &Url) -> bool {
    if from.host_str() != to.host_str() {
        return false;
    }
    let (fp, tp) = (from.port_or_known_default(), to.port_or_known_default());
    if from.scheme() == to.scheme() {
        return fp == tp;
    }
    from.scheme() == "http" && to.scheme() == "https" && fp == Some(80) && tp == Some(443)
}

/// Headers that carry credentials and never go to another origin.
pub const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn origins() {
        assert!(keeps_credentials(&u("http://a/x"), &u("http://a:80/y")));
        assert!(keeps_credentials(&u("http://a/x"), &u("https://a/y")));
        assert!(!keeps_credentials(&u("https://a/x"), &u("http://a/y")));
        assert!(!keeps_credentials(
            &u("http://a:8080/"),
            &u("http://a:8081/")
        ));
        assert!(!keeps_credentials(
            &u("http://a:8080/"),
            &u("https://a:443/")
        ));
        assert!(!keeps_credentials(&u("http://a/"), &u("http://b/")));
    }

    #[test]
    fn methods() {
        assert_eq!(next_method(303, "PUT"), "GET");
        assert_eq!(next_method(303, "HEAD"), "HEAD");
        assert_eq!(next_method(302, "POST"), "GET");
        assert_eq!(next_method(302, "PUT"), "PUT");
        assert_eq!(next_method(307, "POST"), "POST");
    }

    #[test]
    fn targets() {
        let cur = u("http://h:1/a/b?q");
        assert_eq!(target(&cur, "/c").unwrap().as_str(), "http://h:1/c");
        assert_eq!(target(&cur, "d").unwrap().as_str(), "http://h:1/a/d");
        let with_fragment = u("http://h:1/a#view=edit");
        assert_eq!(
            target(&with_fragment, "/get").unwrap().as_str(),
            "http://h:1/get#view=edit"
        );
        assert_eq!(
            target(&with_fragment, "/get#top").unwrap().as_str(),
            "http://h:1/get#top"
        );
        assert_eq!(
            target(&cur, "/x?q=%zz").unwrap().as_str(),
            "http://h:1/x?q=%25zz"
        );
        assert_eq!(
            target(&cur, "ftp://h/x").unwrap_err().code,
            Code::UnsupportedProtocol
        );
        assert_eq!(
            target(&cur, "file:///etc/passwd").unwrap_err().code,
            Code::UnsupportedProtocol
        );
    }
}
