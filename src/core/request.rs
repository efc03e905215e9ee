//! A request as the caller builds it: method, URL, headers, params, body and
//! its own layer of options (see `options`).

use std::borrow::Cow;
use std::sync::Arc;

use url::Url;

use super::body::{Body, DataSink};
use super::error::Result;
use super::hooks::HookList;
use super::options::{Options, Settings};
use super::validate;

/// Request headers in order. A `None` value removes the header: from the
/// layers below (a session default) and from libcurl's own defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderEdits(pub Vec<(HeaderText, Option<HeaderText>)>);

/// A header's name or value, shared: a send copies the layers' headers
/// into every hop (and a batch copies each request it is given), and a
/// copy of a shared string is a count, not an allocation and a copy of the
/// text (four of each a hop for the default User-Agent and
/// Accept-Encoding alone).
pub type HeaderText = Arc<str>;

impl HeaderEdits {
    /// Replaces every header of that name; `None` removes it.
    pub fn set(&mut self, name: &str, value: Option<&str>) -> Result<()> {
        validate::header_name(name)?;
        if let Some(v) = value {
            validate::header_value(name, v)?;
        }
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.0.push((name.into(), value.map(HeaderText::from)));
        Ok(())
    }

    /// Adds a header, keeping others of the same name.
    pub fn add(&mut self, name: &str, value: &str) -> Result<()> {
        validate::header(name, value)?;
        // An earlier removal of this name no longer holds.
        self.0
            .retain(|(n, v)| !(v.is_none() && n.eq_ignore_ascii_case(name)));
        self.0.push((name.into(), Some(value.into())));
        Ok(())
    }

    /// True when this layer says anything about the header `name`.
    pub fn mentions(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Drops every entry (values and removals) of the header `name`.
    pub fn remove_all(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Layers `self` over `lower`: every name `self` mentions replaces all of
    /// `lower`'s headers of that name, in the place of the first of them.
    pub fn over(&self, lower: &HeaderEdits) -> HeaderEdits {
        HeaderEdits(super::layers::over_by_name(&self.0, &lower.0, |a, b| {
            a.0.eq_ignore_ascii_case(&b.0)
        }))
    }
}

/// A request, as built by the caller. Cloning is cheap (bodies are shared).
#[derive(Clone)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderEdits,
    pub params: Vec<(String, String)>,
    /// Cookies sent with this request only (never stored in a jar), before
    /// the jar's; one per name.
    pub cookies: Vec<(String, String)>,
    pub body: Body,
    /// Shared until changed: a batch keeps thousands of copies of requests
    /// that mostly leave their options alone.
    pub options: Arc<Options>,
    pub on_data: Option<Arc<dyn DataSink>>,
    pub hooks: HookList,
}

impl std::fmt::Debug for Request {
    // Method, URL and body kind: never header values (they may be secrets).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &super::redact::url(&self.url))
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

/// The one empty `Options` that new requests share until they set one.
pub(super) fn no_options() -> Arc<Options> {
    static EMPTY: std::sync::LazyLock<Arc<Options>> = std::sync::LazyLock::new(Arc::default);
    EMPTY.clone()
}

/// The request's own layer: its headers, params and options.
impl Settings for Request {
    fn headers_mut(&mut self) -> &mut HeaderEdits {
        &mut self.headers
    }
    fn params_mut(&mut self) -> &mut Vec<(String, String)> {
        &mut self.params
    }
    fn options_mut(&mut self) -> &mut Options {
        Request::options_mut(self)
    }
}

/// An upper-cased HTTP method: the standard ones are static text, so a
/// request, its copies (a batch item's, each hop's) and the request
/// recorded on a response share it without allocating (~3 allocations and
/// frees a batch item when it was a `String`).
pub type Method = Cow<'static, str>;

/// `method` upper-cased (Requests does that: `patch` goes out as `PATCH`),
/// as static text when it is a standard method.
pub fn method_of(method: &str) -> Method {
    const STANDARD: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    ];
    match STANDARD.iter().find(|m| m.eq_ignore_ascii_case(method)) {
        Some(m) => Cow::Borrowed(m),
        None => Cow::Owned(method.to_ascii_uppercase()),
    }
}

impl Request {
    pub fn new(method: &str, url: &str) -> Result<Request> {
        validate::method(method)?;
        let url = validate::url(url)?;
        Ok(Request {
            method: method_of(method),
            url,
            headers: HeaderEdits::default(),
            params: Vec::new(),
            cookies: Vec::new(),
            body: Body::None,
            options: no_options(),
            on_data: None,
            hooks: HookList::default(),
        })
    }

    /// The options, to change (copied first if another copy shares them).
    pub fn options_mut(&mut self) -> &mut Options {
        Arc::make_mut(&mut self.options)
    }

    /// Methods are upper-cased, as Requests does: `patch` goes out as
    /// `PATCH` (many servers answer 400 or 405 to a lower-case method).
    pub fn set_method(&mut self, method: &str) -> Result<()> {
        validate::method(method)?;
        self.method = method_of(method);
        Ok(())
    }

    /// Sets this request's own cookie `name` (`None` removes it), checked
    /// as the jar checks a cookie.
    pub fn set_cookie(&mut self, name: &str, value: Option<&str>) -> Result<()> {
        if let Some(value) = value {
            super::cookies::check_pair(name, value)?;
        }
        self.cookies.retain(|(n, _)| n != name);
        if let Some(value) = value {
            self.cookies.push((name.to_string(), value.to_string()));
        }
        Ok(())
    }

    pub fn set_url(&mut self, url: &str) -> Result<()> {
        self.url = validate::url(url)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layers() {
        let mut session = HeaderEdits::default();
        session.set("X-Test", Some("true")).unwrap();
        session.set("Accept", Some("text/plain")).unwrap();
        let mut req = HeaderEdits::default();
        req.set("x-test", None).unwrap();
        req.add("X-Two", "1").unwrap();
        req.add("X-Two", "2").unwrap();
        let merged = req.over(&session);
        let merged: Vec<(&str, Option<&str>)> =
            merged.0.iter().map(|(n, v)| (&**n, v.as_deref())).collect();
        assert_eq!(
            merged,
            vec![
                ("x-test", None),
                ("Accept", Some("text/plain")),
                ("X-Two", Some("1")),
                ("X-Two", Some("2")),
            ]
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert!(Request::new("GET", "http://h/").is_ok());
        assert!(Request::new("G T", "http://h/").is_err());
        let mut h = HeaderEdits::default();
        assert!(h.set("X", Some("a\nb")).is_err());
        assert!(h.add("X:", "a").is_err());
    }
}
