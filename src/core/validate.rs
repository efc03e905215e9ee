//! Checks applied to everything a caller hands in, before it reaches a transfer:
//! methods and header names are HTTP tokens, header values carry no CR, LF or
//! NUL, URLs parse and are http or https.

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
}
