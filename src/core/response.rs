//! A response as the caller receives it.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use super::error::Result;
use super::headers::Headers;
use super::request::Request;

/// Points in a hop's life, each measured from the hop's start (libcurl's
/// `*_TIME_T` values). A phase that did not happen (DNS or connect on a reused
/// connection) equals the phase before it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    pub dns: Duration,
    pub connect: Duration,
    pub tls: Duration,
    pub first_byte: Duration,
    pub total: Duration,
}

#[derive(Clone, Debug, Default)]
pub struct Response {
    pub status: u16,
    /// Usually the standard phrase, shared (see `Head::reason`).
    pub reason: Cow<'static, str>,
    /// 10, 11, 20 or 30 for HTTP/1.0, 1.1, 2 and 3; 0 if unknown.
    pub http_version: u8,
    /// In received order; names as the server sent them; repeats kept.
    pub headers: Headers,
    /// The decoded body (empty when it was streamed to a callback).
    pub body: Vec<u8>,
    /// This hop's URL (for the final response: where the redirects ended).
    pub url: String,
    /// Earlier hops of a followed redirect chain, oldest first.
    pub history: Vec<Response>,
    /// For the final response: the whole send, redirects included.
    /// For a history entry: that hop alone.
    pub elapsed: Duration,
    pub timings: Timings,
    pub remote_ip: Arc<str>,
    pub remote_port: u16,
    /// What the send's hooks reported with REQC_HOOK_RESULT_ERROR, in order (on
    /// the final response).
    pub warnings: Vec<String>,
    /// The cookies this response's Set-Cookie headers stored (refused ones
    /// are not here), in received order.
    pub cookies: Vec<super::cookies::CookieInfo>,
    /// The request this hop sent, as its PRE_REQUEST hooks left it (see
    /// `send::sent_view`): method, URL with params, every header as sent,
    /// the body. `None` for a response no send made.
    pub request: Option<Arc<Request>>,
    /// The status of each attempt at this hop, oldest first, this one's
    /// last; 0 for an attempt that got no response (the connection failed).
    /// Empty for a response no send made.
    pub attempts: Vec<u16>,
    /// True for the final response of an open stream (`core::stream`):
    /// its body is read from the stream, never held here.
    pub streamed: bool,
}

impl Response {
    /// The first value of the header `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// Every value of the header `name`, in received order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.all(name)
    }

    /// The charset the response declares (see `charset::declared`).
    pub fn encoding(&self) -> Option<Cow<'_, str>> {
        super::charset::declared(self.header("content-type"))
    }

    /// The links of its `Link` headers, in received order.
    pub fn links(&self) -> Vec<super::links::Link> {
        super::links::parse(self.headers_named("link"))
    }
}

/// Changes a RESPONSE hook asks for, checked as they are made and applied
/// together when the hook returns (on the response it leaves, a replacement
/// included).
#[derive(Default)]
pub struct Edits {
    status: Option<u16>,
    /// In order; `None` removes the header.
    headers: Vec<(String, Option<String>)>,
    body: Option<Vec<u8>>,
}

impl Edits {
    /// A new status, 100 to 999; the reason becomes its standard phrase.
    pub fn set_status(&mut self, status: i64) -> Result<()> {
        self.status = Some(super::validate::status(status)?);
        Ok(())
    }

    /// Header `name` set to `value` in place of every value it had; `None`
    /// removes it.
    pub fn set_header(&mut self, name: &str, value: Option<&str>) -> Result<()> {
        super::validate::header_name(name)?;
        if let Some(value) = value {
            super::validate::header_value(name, value)?;
        }
        self.headers
            .push((name.to_string(), value.map(str::to_string)));
        Ok(())
    }

    pub fn set_body(&mut self, body: Vec<u8>) {
        self.body = Some(body);
    }

    pub fn apply(self, response: &mut Response) {
        if let Some(status) = self.status {
            response.status = status;
            response.reason = canonical_reason(status).into();
        }
        for (name, value) in self.headers {
            response.headers.remove_all(&name);
            if let Some(value) = value {
                response.headers.push(&name, &value);
            }
        }
        if let Some(body) = self.body {
            response.body = body;
        }
    }
}

/// The standard reason phrase, for HTTP/2 and 3 responses that carry none.
pub fn canonical_reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::Code;

    #[test]
    fn edits_apply_in_order_when_asked() {
        let mut response = Response {
            status: 200,
            reason: "OK".into(),
            headers: [
                ("Set-Cookie", "a=1"),
                ("X-Keep", "k"),
                ("set-cookie", "b=2"),
            ]
            .into_iter()
            .collect(),
            body: b"old".to_vec(),
            ..Response::default()
        };
        let mut edits = Edits::default();
        edits.set_status(418).unwrap();
        edits.set_header("SET-COOKIE", None).unwrap();
        edits.set_header("X-New", Some("1")).unwrap();
        edits.set_header("X-New", Some("2")).unwrap();
        edits.set_body(b"new".to_vec());
        assert_eq!(
            edits.set_header("X-Bad", Some("a\r\nb")).unwrap_err().code,
            Code::InvalidArgument
        );
        assert_eq!(
            edits.set_header("X Bad", None).unwrap_err().code,
            Code::InvalidArgument
        );
        assert_eq!(
            edits.set_status(99).unwrap_err().code,
            Code::InvalidArgument
        );
        assert_eq!(response.status, 200, "nothing applies before `apply`");
        edits.apply(&mut response);
        assert_eq!((response.status, &*response.reason), (418, "I'm a teapot"));
        assert_eq!(
            response.headers.iter().collect::<Vec<_>>(),
            [("X-Keep", "k"), ("X-New", "2")]
        );
        assert_eq!(response.body, b"new");
    }
}
