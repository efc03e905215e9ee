//! Checks applied to everything a caller hands in, before it reaches a transfer:
//! methods and header names are HTTP tokens, header values carry no CR, LF or
//! NUL, URLs parse and are http or https, proxies speak a scheme libcurl is
//! asked for, user names hold no `:`, files exist when they are named, and
//! a status a hook sets is a status.

use std::path::{Path, PathBuf};

use super::error::{Code, Error, Result};
use url::Url;

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// True when `s` is a non-empty RFC 9110 token.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

pub fn method(method: &str) -> Result<()> {
    if is_token(method) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "method {method:?} is not an HTTP token"
        )))
    }
}

pub fn header_name(name: &str) -> Result<()> {
    if is_token(name) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "header name {name:?} is not an HTTP token"
        )))
    }
}

pub fn header_value(name: &str, value: &str) -> Result<()> {
    if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | b'\0')) {
        Err(Error::invalid(format!(
            "value of header {name:?} contains CR, LF or NUL"
        )))
    } else {
        Ok(())
    }
}

pub fn header(name: &str, value: &str) -> Result<()> {
    header_name(name)?;
    header_value(name, value)
}

/// True for the only schemes libreqc will ever speak.
pub fn is_http_scheme(scheme: &str) -> bool {
    scheme == "http" || scheme == "https"
}

/// The longest URL accepted (libcurl's own limit is 8 MB; nobody needs 64 KiB).
pub const MAX_URL_LEN: usize = 64 * 1024;

/// Parses an absolute http(s) URL.
pub fn url(text: &str) -> Result<Url> {
    if text.len() > MAX_URL_LEN {
        return Err(Error::new(
            Code::InvalidUrl,
            format!("URL is {} bytes long, more than {MAX_URL_LEN}", text.len()),
        ));
    }
    // Nearly every URL has the plain shape, which the general parser keeps
    // as it is: made directly, the same `Url` for a tenth of the work.
    match super::plain_url::parse(text) {
        Some(plain) => Ok(plain),
        None => general_url(text),
    }
}

/// `url` by the url crate's general parser, for any shape.
pub(super) fn general_url(text: &str) -> Result<Url> {
    // The url crate silently strips tabs and newlines; a URL that holds them is
    // almost certainly an injection attempt, so refuse it instead.
    if text.bytes().any(|b| b.is_ascii_control()) {
        return Err(Error::new(
            Code::InvalidUrl,
            "URL contains a control character".to_string(),
        ));
    }
    let parsed = Url::parse(&quote_bare_percent(text)).map_err(|e| {
        let shown = super::redact::url_text(text);
        Error::new(Code::InvalidUrl, format!("{shown:?}: {e}"))
    })?;
    scheme_and_host(&parsed)?;
    Ok(parsed)
}

/// `text` with every `%` that does not start a `%XX` escape written as
/// `%25`. The url crate keeps a stray `%` as it is, which is not a valid URL
/// (`?q=%pp`); Requests' requote_uri sends `%25pp`. Valid escapes are kept.
pub fn quote_bare_percent(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let escape_at = |i: usize| {
        bytes.len() > i + 2 && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit()
    };
    if !(0..bytes.len()).any(|i| bytes[i] == b'%' && !escape_at(i)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        if c == '%' && !escape_at(i) {
            out.push_str("%25");
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Refuses URLs libreqc must not fetch: other schemes, no host.
pub fn scheme_and_host(url: &Url) -> Result<()> {
    if !is_http_scheme(url.scheme()) {
        return Err(Error::new(
            Code::UnsupportedProtocol,
            format!(
                "scheme {:?} is not supported (only http and https): {}",
                url.scheme(),
                super::redact::url(url)
            ),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::new(
            Code::InvalidUrl,
            format!("URL has no host: {}", super::redact::url(url)),
        ));
    }
    Ok(())
}

/// The schemes a proxy URL may have.
pub const PROXY_SCHEMES: [&str; 6] = ["http", "https", "socks5", "socks5h", "socks4", "socks4a"];

/// A proxy URL: it parses and its scheme is one of `PROXY_SCHEMES`. Its
/// credentials never reach the message.
pub fn proxy(url: &str) -> Result<()> {
    let parsed = Url::parse(url).map_err(|e| {
        let shown = super::redact::url_text(url);
        Error::new(Code::InvalidUrl, format!("proxy {shown:?}: {e}"))
    })?;
    if !PROXY_SCHEMES.contains(&parsed.scheme()) {
        return Err(Error::new(
            Code::UnsupportedProtocol,
            format!(
                "proxy scheme {:?} is not http, https, socks4(a) or socks5(h)",
                parsed.scheme()
            ),
        ));
    }
    Ok(())
}

/// A user name for basic or digest auth: `user:password` is how both send
/// it, so a `:` in the name would move the rest into the password.
pub fn user_name(user: &str) -> Result<()> {
    if user.contains(':') {
        return Err(Error::invalid("user name contains ':'"));
    }
    Ok(())
}

/// A path that must exist when it is set (a CA file or directory, a client
/// certificate or key), so a typo fails at the setter rather than as a TLS
/// error at the first send; `what` names it in the message.
pub fn existing_path(path: &str, what: &str) -> Result<PathBuf> {
    let path = PathBuf::from(path);
    std::fs::metadata(&path)
        .map_err(|e| Error::new(Code::Io, format!("{what} {}: {e}", path.display())))?;
    Ok(path)
}

/// A file a multipart part reads at each send: it must open now.
pub fn readable_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .map(drop)
        .map_err(|e| Error::new(Code::Io, format!("cannot read {}: {e}", path.display())))
}

/// A multipart part's content type goes out as a header value inside a
/// quoted context: CR, LF or a quote in it is refused. (Names and filenames
/// are escaped when sent instead.)
pub fn part_content_type(content_type: &str) -> Result<()> {
    if content_type
        .bytes()
        .any(|b| matches!(b, b'\r' | b'\n' | b'"'))
    {
        return Err(Error::invalid("content type contains CR, LF or a quote"));
    }
    Ok(())
}

/// A status code a hook may give a response: three digits, 100 to 999.
pub fn status(status: i64) -> Result<u16> {
    u16::try_from(status)
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| Error::invalid(format!("status {status} is not 100 to 999")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(is_token("GET"));
        assert!(is_token("PURGE"));
        assert!(is_token("X-Custom_1"));
        assert!(!is_token(""));
        assert!(!is_token("GE T"));
        assert!(!is_token("GET\r\n"));
        assert!(!is_token("Name:"));
    }

    #[test]
    fn values() {
        assert!(header("X-A", "b c").is_ok());
        assert_eq!(
            header("X-A", "b\r\nX-Evil: 1").unwrap_err().code,
            Code::InvalidArgument
        );
        assert_eq!(header("X A", "b").unwrap_err().code, Code::InvalidArgument);
    }

    #[test]
    fn urls() {
        assert!(url("http://127.0.0.1:8080/get?a=b").is_ok());
        assert_eq!(url("not a url").unwrap_err().code, Code::InvalidUrl);
        assert_eq!(url("http://").unwrap_err().code, Code::InvalidUrl);
        assert_eq!(
            url("ftp://example.com/").unwrap_err().code,
            Code::UnsupportedProtocol
        );
        assert_eq!(
            url("file:///etc/passwd").unwrap_err().code,
            Code::UnsupportedProtocol
        );
        assert_eq!(url("http://a/\r\nX: y").unwrap_err().code, Code::InvalidUrl);
    }

    #[test]
    fn bare_percent_is_quoted() {
        assert_eq!(quote_bare_percent("http://h/a%20b"), "http://h/a%20b");
        assert_eq!(
            quote_bare_percent("http://h/?buz=%ppicture&x=%2"),
            "http://h/?buz=%25ppicture&x=%252"
        );
        assert_eq!(quote_bare_percent("http://h/%"), "http://h/%25");
        assert_eq!(quote_bare_percent("http://h/é%zz"), "http://h/é%25zz");
        assert_eq!(
            url("http://h/p%zz?q=%pp%41#f%").unwrap().as_str(),
            "http://h/p%25zz?q=%25pp%41#f%25"
        );
    }

    #[test]
    fn proxies() {
        for ok in [
            "http://p:3128",
            "https://p",
            "socks5h://p:1080",
            "socks4a://p",
        ] {
            assert!(proxy(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            proxy("ftp://p").unwrap_err().code,
            Code::UnsupportedProtocol
        );
        let e = proxy("http://user:hunter2@[::1").unwrap_err();
        assert_eq!(e.code, Code::InvalidUrl);
        assert!(!e.message.contains("hunter2"), "{}", e.message);
    }

    #[test]
    fn user_names() {
        assert!(user_name("alice").is_ok());
        assert!(user_name("").is_ok());
        assert_eq!(user_name("a:b").unwrap_err().code, Code::InvalidArgument);
    }

    #[test]
    fn files() {
        let dir = std::env::temp_dir();
        assert_eq!(
            existing_path(dir.to_str().unwrap(), "CA directory").unwrap(),
            dir
        );
        let e = existing_path("/nonexistent/ca.pem", "CA file").unwrap_err();
        assert_eq!(e.code, Code::Io);
        assert!(
            e.message.starts_with("CA file /nonexistent/ca.pem"),
            "{}",
            e.message
        );
        let e = readable_file(Path::new("/nonexistent/part.bin")).unwrap_err();
        assert_eq!(e.code, Code::Io);
        assert!(e.message.starts_with("cannot read /nonexistent/part.bin"));
    }

    #[test]
    fn part_content_types() {
        assert!(part_content_type("text/plain; charset=utf-8").is_ok());
        for bad in ["a\rb", "a\nb", "a\"b"] {
            assert_eq!(
                part_content_type(bad).unwrap_err().code,
                Code::InvalidArgument
            );
        }
    }

    #[test]
    fn statuses() {
        assert_eq!(status(100).unwrap(), 100);
        assert_eq!(status(999).unwrap(), 999);
        for bad in [99, 1000, -1, i64::from(u16::MAX) + 200] {
            assert_eq!(status(bad).unwrap_err().code, Code::InvalidArgument);
        }
    }
}
