//! The `Url` of a plain http(s) URL, made without the url crate's general
//! parser, which cost about 6k instructions per request (its host parser
//! alone half of that: IDNA for a name, IPv4 parsing and printing back for
//! an address), a fifteenth of a small request's CPU.
//!
//! "Plain" is a shape the general parser keeps byte for byte (only a
//! default port is dropped and an empty path becomes `/`):
//! - `http://` or `https://`, in lower case;
//! - a host that is an IPv4 address in canonical dotted decimal (what
//!   `Ipv4Addr`'s parser accepts: four decimal numbers up to 255 without
//!   leading zeros), or a name of lower-case ASCII letters, digits and `-`
//!   in non-empty dot-separated labels, none of them an IDNA `xn--` label,
//!   the last one starting with a letter (so the WHATWG host parser does
//!   not take it for an IPv4 number);
//! - an optional port of 1 to 5 digits without a leading zero, up to 65535;
//! - a path, query and fragment of bytes the parser never encodes or
//!   rewrites: ASCII letters, digits, `-._~!$&()*+,;=:@/`, `%` followed by
//!   two hex digits, and `?` in the query and fragment; no path segment
//!   starting with `.` or `%2e` (dot segments are resolved by the parser),
//!   no second `#`.
//!
//! Anything else is `None`, and goes to the general parser. The `Url` is
//! assembled with the url crate's own `Url::deserialize_internal` (its
//! representation, as `Url::serialize_internal` writes it). The tests below
//! compare that representation, field by field, with `Url::parse`'s over a
//! table of edge cases and a random search.

use std::net::Ipv4Addr;

use serde::de::value::{Error as DeError, SeqDeserializer};
use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, SeqAccess, VariantAccess, Visitor,
};
use url::Url;

/// The `Url` of `text` when it has the plain shape (see the module's
/// comment), exactly as `Url::parse` would make it; `None` otherwise.
pub fn parse(text: &str) -> Option<Url> {
    let bytes = text.as_bytes();
    let (scheme_end, default_port) = if bytes.starts_with(b"http://") {
        (4, 80)
    } else if bytes.starts_with(b"https://") {
        (5, 443)
    } else {
        return None;
    };
    let host_start = scheme_end + 3;
    let authority_end = memchr::memchr3(b'/', b'?', b'#', &bytes[host_start..])
        .map_or(bytes.len(), |at| host_start + at);
    let authority = &text[host_start..authority_end];
    let (host_text, port_text) = match memchr::memchr(b':', authority.as_bytes()) {
        Some(colon) => (&authority[..colon], Some(&authority[colon + 1..])),
        None => (authority, None),
    };
    let host = host(host_text)?;
    let port = match port_text {
        Some(text) => Some(port(text)?),
        None => None,
    };
    let rest = &text[authority_end..];
    let (query_at, fragment_at) = marks(rest.as_bytes())?;

    let host_end = host_start + host_text.len();
    let mut serialization = String::with_capacity(text.len() + 1);
    serialization.push_str(&text[..host_end]);
    let port = port.filter(|&p| p != default_port);
    if port.is_some() {
        serialization.push_str(&text[host_end..authority_end]);
    }
    let path_start = serialization.len();
    if !rest.starts_with('/') {
        serialization.push('/');
    }
    let rest_start = serialization.len();
    serialization.push_str(rest);
    // At most `MAX_URL_LEN` (64 KiB) long, checked by the caller; `None`
    // (the general parser) beyond what a u32 holds all the same.
    let at = |i: usize| u32::try_from(i).ok();
    let representation = Representation {
        serialization,
        scheme_end: at(scheme_end)?,
        // No user name: it ends where the host starts.
        username_end: at(host_start)?,
        host_start: at(host_start)?,
        host_end: at(host_end)?,
        host,
        port,
        path_start: at(path_start)?,
        query_start: match query_at {
            Some(q) => Some(at(rest_start + q)?),
            None => None,
        },
        fragment_start: match fragment_at {
            Some(f) => Some(at(rest_start + f)?),
            None => None,
        },
    };
    Url::deserialize_internal(Fields {
        representation,
        next: 0,
    })
    .ok()
}

/// A plain host: an IPv4 address or a plain name (see the module's comment).
fn host(text: &str) -> Option<Host> {
    let bytes = text.as_bytes();
    if bytes.iter().all(|&b| b.is_ascii_digit() || b == b'.') {
        // Every other all-digit host the WHATWG parser reads otherwise
        // (octal, fewer parts) or refuses.
        return text.parse::<Ipv4Addr>().ok().map(Host::Ipv4);
    }
    let plain_byte = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    let mut last = "";
    for label in text.split('.') {
        if label.is_empty() || label.starts_with("xn--") || !label.bytes().all(|b| plain_byte(&b)) {
            return None;
        }
        last = label;
    }
    last.as_bytes()
        .first()
        .is_some_and(u8::is_ascii_lowercase)
        .then_some(Host::Domain)
}

/// A plain port: 1 to 5 digits, no leading zero, at most 65535.
fn port(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    let plain =
        (1..=5).contains(&bytes.len()) && bytes[0] != b'0' && bytes.iter().all(u8::is_ascii_digit);
    if plain {
        text.parse().ok()
    } else {
        None
    }
}

/// Where the query's `?` and the fragment's `#` are in `rest` (the part
/// after the host and port), when all of it is plain (see the module's
/// comment); `None` otherwise.
fn marks(rest: &[u8]) -> Option<(Option<usize>, Option<usize>)> {
    let (mut query, mut fragment) = (None, None);
    let mut i = 0;
    while i < rest.len() {
        let b = rest[i];
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => {}
            b'-' | b'.' | b'_' | b'~' | b'!' | b'$' | b'&' | b'(' | b')' | b'*' | b'+' | b','
            | b';' | b'=' | b':' | b'@' => {}
            b'%' => {
                let escape = rest.get(i + 1..i + 3)?;
                if !escape.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                i += 2;
            }
            b'/' if query.is_none() && fragment.is_none() => {
                // A segment starting like a dot segment ("." or "%2e",
                // any case): the parser may remove or rewrite it.
                let next = &rest[i + 1..];
                let dotted = next.starts_with(b".")
                    || (next.len() >= 3 && next[..3].eq_ignore_ascii_case(b"%2e"));
                if dotted {
                    return None;
                }
            }
            b'/' => {}
            b'?' if query.is_none() && fragment.is_none() => query = Some(i),
            b'?' => {}
            b'#' if fragment.is_none() => fragment = Some(i),
            _ => return None,
        }
        i += 1;
    }
    Some((query, fragment))
}

/// The url crate's representation of a URL (`Url`'s private fields).
struct Representation {
    serialization: String,
    scheme_end: u32,
    username_end: u32,
    host_start: u32,
    host_end: u32,
    host: Host,
    port: Option<u16>,
    path_start: u32,
    query_start: Option<u32>,
    fragment_start: Option<u32>,
}

/// A `Representation` as `Url::deserialize_internal` reads it: a sequence
/// of its fields, in their order, handed over one by one (`next`).
struct Fields {
    representation: Representation,
    next: u8,
}

/// `value`'s serde deserializer.
fn de<'de, T: IntoDeserializer<'de, DeError>>(value: T) -> T::Deserializer {
    value.into_deserializer()
}

impl<'de> Deserializer<'de> for Fields {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(&mut self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> SeqAccess<'de> for Fields {
    type Error = DeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, DeError> {
        let r = &mut self.representation;
        let value = match self.next {
            0 => seed.deserialize(de(std::mem::take(&mut r.serialization))),
            1 => seed.deserialize(de(r.scheme_end)),
            2 => seed.deserialize(de(r.username_end)),
            3 => seed.deserialize(de(r.host_start)),
            4 => seed.deserialize(de(r.host_end)),
            5 => seed.deserialize(r.host),
            6 => seed.deserialize(Maybe(r.port)),
            7 => seed.deserialize(de(r.path_start)),
            8 => seed.deserialize(Maybe(r.query_start)),
            9 => seed.deserialize(Maybe(r.fragment_start)),
            _ => return Ok(None),
        };
        self.next += 1;
        value.map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(10 - usize::from(self.next.min(10)))
    }
}

/// An optional field.
struct Maybe<T>(Option<T>);

impl<'de, T: IntoDeserializer<'de, DeError>> Deserializer<'de> for Maybe<T> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Some(value) => visitor.visit_some(de(value)),
            None => visitor.visit_none(),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The host, as the url crate's representation names it.
#[derive(Clone, Copy)]
enum Host {
    Domain,
    Ipv4(Ipv4Addr),
}

/// The url crate's `HostInternal` variant indices: None, Domain, Ipv4, Ipv6.
const DOMAIN: u32 = 1;
const IPV4: u32 = 2;

impl<'de> Deserializer<'de> for Host {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> EnumAccess<'de> for Host {
    type Error = DeError;
    type Variant = Host;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Host), DeError> {
        let index = match self {
            Host::Domain => DOMAIN,
            Host::Ipv4(_) => IPV4,
        };
        Ok((seed.deserialize(de(index))?, self))
    }
}

impl<'de> VariantAccess<'de> for Host {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, DeError> {
        match self {
            Host::Ipv4(address) => seed.deserialize(Octets(address.octets())),
            Host::Domain => Err(serde::de::Error::custom("a name has no value")),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, DeError> {
        Err(serde::de::Error::custom("no host is a tuple"))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, DeError> {
        Err(serde::de::Error::custom("no host is a struct"))
    }
}

/// An IPv4 address in its non-human-readable form: four bytes (read so,
/// not parsed again from text).
struct Octets([u8; 4]);

impl<'de> Deserializer<'de> for Octets {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(SeqDeserializer::<_, DeError>::new(self.0.into_iter()))
    }

    fn is_human_readable(&self) -> bool {
        false
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of a `Url`'s representation (`Url`'s `==` compares
    /// only the text).
    fn representation(url: &Url) -> String {
        let mut out = Vec::new();
        url.serialize_internal(&mut serde_json::Serializer::new(&mut out))
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Checks that `text`'s plain `Url`, when it has one, is the general
    /// path's; true when it had one.
    fn same_as_the_parser(text: &str) -> bool {
        let Some(plain) = parse(text) else {
            return false;
        };
        let general = crate::core::validate::general_url(text)
            .unwrap_or_else(|e| panic!("{text:?}: plain, but the parser says {e:?}"));
        assert_eq!(representation(&plain), representation(&general), "{text:?}");
        plain.check_invariants().unwrap();
        true
    }

    #[test]
    fn the_common_shapes_are_plain_and_parse_as_the_parser_does() {
        for text in [
            "http://127.0.0.1:8080/get?a=b",
            "http://127.0.0.1:80/bytes/64",
            "https://127.0.0.1:443/",
            "https://127.0.0.1:80/",
            "http://127.0.0.1",
            "http://0.0.0.0:1/",
            "http://255.255.255.255:65535/x",
            "https://example.com",
            "https://example.com?q",
            "https://example.com#f",
            "https://example.com/?",
            "https://example.com/#",
            "http://localhost:8080/a/b/c/",
            "http://a-b.c-d.example/x-y_z~w/(1)*+,;=:@!$&/%41%2F",
            "http://ab--cd.example/",
            "http://-a-.b/",
            "http://a.b1/",
            "http://1.a/",
            "http://123.example/",
            "http://0x1.a/",
            "http://www.example.com/path/to/file.html?x=1&y=2&z=%20#top",
            "http://h/a.b/c./d..e/x.../x",
            "http://h/a?b=/./..&c=?d#e/./?f",
            "http://h//double//slash",
            "http://h/%2f%2F%2d",
            "http://h/x/a%2e",
            "http://h/x%2E",
            "http://averyveryveryveryveryveryveryveryveryveryveryveryveryverylonglabelthatisover63.example/",
        ] {
            assert!(same_as_the_parser(text), "{text:?} is not plain");
        }
    }

    #[test]
    fn every_other_shape_goes_to_the_parser() {
        for text in [
            "HTTP://h/",
            "Http://h/",
            "http://H/",
            "http://Example.com/",
            "ftp://h/",
            "http:/h/",
            "http:h",
            "http://",
            "http:///x",
            "http://h./",
            "http://.h/",
            "http://a..b/",
            "http://xn--nxasmq6b.example/",
            "http://a.xn--p1ai/",
            "http://1.2.3/",
            "http://1.2.3.4.5/",
            "http://01.2.3.4/",
            "http://1.2.3.256/",
            "http://0x7f.0.0.1/",
            "http://127.1/",
            "http://4294967295/",
            "http://a.123/",
            "http://a.0x1/",
            "http://h:/",
            "http://h:0/",
            "http://h:080/",
            "http://h:65536/",
            "http://h:123456/",
            "http://h:8:8/",
            "http://h:x/",
            "http://[::1]/",
            "http://[::1]:8080/",
            "http://user@h/",
            "http://user:pass@h/",
            "http://@h/",
            "http://h/a/../b",
            "http://h/a/./b",
            "http://h/..",
            "http://h/.",
            "http://h/%2e%2E/x",
            "http://h/%2E/x",
            "http://h/.well-known/x",
            "http://h/a b",
            " http://h/",
            "http://h/ ",
            "http://h/\t",
            "http://h/a\\b",
            "http://h/é",
            "http://é.example/",
            "http://h/a%zz",
            "http://h/a%",
            "http://h/a%4",
            "http://h/?q=%pp",
            "http://h/?a'b",
            "http://h/a'b",
            "http://h/a\"b",
            "http://h/<>",
            "http://h/{x}",
            "http://h/a|b",
            "http://h/a^b",
            "http://h/a`b",
            "http://h/a[b]",
            "http://h/#a#b",
            "http://h/\r\n",
            "http://h/\0",
            "http://h\\x",
            "http://h/\x7f",
        ] {
            assert!(parse(text).is_none(), "{text:?} taken as plain");
        }
    }

    /// A random search over URLs made of pieces near every rule's edge.
    #[test]
    fn random_urls_parse_as_the_parser_does() {
        const SCHEME: &[&str] = &["http://", "https://"];
        const SCHEME_EDGE: &[&str] = &["HTTP://", "Https://", "http:", "http:/", "ftp://", ""];
        // Pieces of plain hosts, labels, numbers and ports, and pieces at
        // or over the edge.
        const LABEL: &[&str] = &["a", "z", "b1", "0", "9", "-"];
        const NUMBER: &[&str] = &["0", "1", "9", "10", "99", "100", "255"];
        const HOST_EDGE: &[&str] = &[
            "Z", "é", "00", "01", "256", "0x1", "xn--", ".", "[::1]", "@", " ", "%41", ":",
        ];
        const PORT: &[&str] = &["", ":1", ":80", ":443", ":8080", ":65535"];
        const PORT_EDGE: &[&str] = &[":", ":0", ":080", ":65536", ":123456", ":8:8", ":x"];
        const START: &[&str] = &["", "/", "/", "/", "?", "#"];
        const START_EDGE: &[&str] = &["\\", ".", "a", ":", "@", " "];
        const REST: &[&str] = &[
            "/", "/", "/", "a", "Z", "0", "/a.", "-", ":", "?", "#", "%41", "%2f", "&", "=", "~",
            "_", "!", "*", "@",
        ];
        const REST_EDGE: &[&str] = &[
            "..", "%", "%2e", "%2E", "%zz", "%4", "[", "]", " ", "\t", "é", "\\", "'", "\"", "|",
            "^", "{", "#", "`", "<",
        ];
        let mut random = Xorshift(0x2545_f491_4f6c_dd1d);
        let mut plain = 0;
        for _ in 0..100_000 {
            let mut text = String::from(random.piece(SCHEME, SCHEME_EDGE));
            if random.below(2) == 0 {
                for at in 0..4 {
                    if at > 0 {
                        text.push('.');
                    }
                    text.push_str(random.piece(NUMBER, HOST_EDGE));
                }
            } else {
                for at in 0..1 + random.below(3) {
                    if at > 0 {
                        text.push('.');
                    }
                    for _ in 0..1 + random.below(3) {
                        text.push_str(random.piece(LABEL, HOST_EDGE));
                    }
                }
            }
            text.push_str(random.piece(PORT, PORT_EDGE));
            text.push_str(random.piece(START, START_EDGE));
            for _ in 0..random.below(10) {
                text.push_str(random.piece(REST, REST_EDGE));
            }
            if same_as_the_parser(&text) {
                plain += 1;
            }
        }
        assert!(plain > 20_000, "only {plain} plain URLs: the search misses");
    }

    struct Xorshift(u64);

    impl Xorshift {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        /// A plain piece, or one time in 16 an edge one.
        fn piece(&mut self, plain: &[&'static str], edge: &[&'static str]) -> &'static str {
            if self.below(16) == 0 {
                edge[self.below(edge.len())]
            } else {
                plain[self.below(plain.len())]
            }
        }
    }
}
