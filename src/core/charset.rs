//! The charset a response declares, and its body as UTF-8 text, by the rules
//! of Python Requests (`r.encoding`, `r.text`).

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// The charset `content_type` (a Content-Type value) declares, lower-cased:
/// its `charset` parameter (quotes removed); else "iso-8859-1" for `text/*`
/// (RFC 2616's default, which Requests keeps); else "utf-8" for
/// `application/json` (RFC 8259); else `None`. Allocates only to lower-case
/// a charset the server sent in upper case: a binding may ask for it on
/// every response.
pub fn declared(content_type: Option<&str>) -> Option<Cow<'_, str>> {
    let content_type = content_type?;
    let mut parts = content_type.split(';');
    let media_type = parts.next().unwrap_or("").trim();
    for param in parts {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        if name.trim_matches(STRIP).eq_ignore_ascii_case("charset") {
            let value = value.trim_matches(STRIP);
            if !value.is_empty() {
                return Some(lower_case(value));
            }
        }
    }
    let prefixed = |prefix: &str| {
        media_type
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    if prefixed("text/") {
        Some(Cow::Borrowed("iso-8859-1"))
    } else if media_type.eq_ignore_ascii_case("application/json") {
        Some(Cow::Borrowed("utf-8"))
    } else {
        None
    }
}

/// `text` in ASCII lower case, borrowed when it is already.
fn lower_case(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// What Requests strips around parameter names and values.
const STRIP: &[char] = &[' ', '\t', '"', '\''];

/// `body` as UTF-8, decoded from `charset`; invalid sequences become U+FFFD.
/// No charset, or one nobody knows, decodes as UTF-8 (Requests would guess
/// with chardet instead). Borrowed when the bytes are already what UTF-8
/// text would be, so the common case copies nothing.
pub fn to_utf8<'a>(body: &'a [u8], charset: Option<&str>) -> Cow<'a, str> {
    let encoding = charset
        .and_then(|label| Encoding::for_label(label.as_bytes()))
        .unwrap_or(UTF_8);
    if encoding == WINDOWS_1252 && !charset.is_some_and(names_windows_1252) {
        // WHATWG maps ISO-8859-1 (and ASCII) to windows-1252, which gives
        // 0x80-0x9F other characters; Requests (Python's codecs) decodes
        // ISO-8859-1 byte for code point.
        return encoding_rs::mem::decode_latin1(body);
    }
    // A BOM stays in the text, as with Python's codec of the same name.
    encoding.decode_without_bom_handling(body).0
}

fn names_windows_1252(label: &str) -> bool {
    matches!(
        label.trim().to_ascii_lowercase().as_str(),
        "windows-1252" | "cp1252" | "x-cp1252"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_charsets() {
        assert_eq!(declared(None), None);
        assert_eq!(
            declared(Some("text/html; charset=UTF-8")).as_deref(),
            Some("utf-8")
        );
        assert_eq!(
            declared(Some("text/plain;CHARSET=\"Shift_JIS\"")).as_deref(),
            Some("shift_jis")
        );
        assert_eq!(declared(Some("text/csv")).as_deref(), Some("iso-8859-1"));
        assert_eq!(declared(Some("application/json")).as_deref(), Some("utf-8"));
        assert_eq!(declared(Some("application/octet-stream")), None);
        assert_eq!(declared(Some("image/png; charset=")), None);
        // The media type's case does not matter (no copy is made of it).
        assert_eq!(declared(Some(" Text/CSV ")).as_deref(), Some("iso-8859-1"));
        assert_eq!(
            declared(Some("Application/JSON; q=1")).as_deref(),
            Some("utf-8")
        );
        assert_eq!(declared(Some("tex")), None);
        assert_eq!(declared(Some("application/jsonx")), None);
        // A lower-case charset is the header's own text; an upper-case one
        // a lower-cased copy.
        assert!(matches!(
            declared(Some("text/html; charset=utf-8")),
            Some(Cow::Borrowed("utf-8"))
        ));
        assert!(matches!(
            declared(Some("text/html; charset=UTF-8")),
            Some(Cow::Owned(_))
        ));
    }

    #[test]
    fn decodes_to_utf8() {
        assert_eq!(to_utf8(b"caf\xe9", Some("iso-8859-1")), "caf\u{e9}");
        assert_eq!(to_utf8(b"\x80", Some("latin1")), "\u{80}");
        assert_eq!(to_utf8(b"\x80", Some("windows-1252")), "\u{20ac}");
        assert_eq!(
            to_utf8(b"\x93\xfa\x96\x7b\x8c\xea", Some("shift_jis")),
            "\u{65e5}\u{672c}\u{8a9e}"
        );
        assert_eq!(to_utf8(b"a\xffb", Some("utf-8")), "a\u{fffd}b");
        assert_eq!(to_utf8(b"a\xffb", None), "a\u{fffd}b");
        assert_eq!(to_utf8(b"ok", Some("no-such-charset")), "ok");
        assert!(matches!(
            to_utf8(b"plain", Some("iso-8859-1")),
            Cow::Borrowed(_)
        ));
    }
}
