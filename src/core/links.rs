//! `Link` headers (RFC 8288), parsed for paginated APIs (Requests' `r.links`).

/// One link: its target as the server wrote it, and its parameters in order
/// (names lower-cased, values unquoted), `rel` among them when present.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    pub params: Vec<(String, String)>,
}

impl Link {
    /// The value of parameter `name` (case-insensitive), the first if repeated.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// True when one of the space-separated relation types in `rel` is
    /// `relation` (relation types compare case-insensitively, RFC 8288 §2.1.1).
    pub fn has_rel(&self, relation: &str) -> bool {
        self.param("rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case(relation))
        })
    }
}

/// Every link of every `Link` header value, in received order. A value that
/// stops making sense ends that value's parsing; the links before it stay.
pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Link> {
    let mut links = Vec::new();
    for value in values {
        Parser { rest: value }.links(&mut links);
    }
    links
}

struct Parser<'a> {
    rest: &'a str,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// link-value *( OWS "," OWS link-value ), empty elements allowed.
    fn links(&mut self, out: &mut Vec<Link>) {
        loop {
            while self.eat(',') {}
            self.skip_space();
            if self.rest.is_empty() {
                return;
            }
            match self.link() {
                Some(link) => out.push(link),
                None => return,
            }
            if !self.eat(',') {
                return;
            }
        }
    }

    /// "<" URI-Reference ">" *( OWS ";" OWS link-param )
    fn link(&mut self) -> Option<Link> {
        if !self.eat('<') {
            return None;
        }
        let end = self.rest.find('>')?;
        let url = self.rest[..end].trim().to_string();
        self.rest = &self.rest[end + 1..];
        let mut params = Vec::new();
        while self.eat(';') {
            self.skip_space();
            let name_len = self
                .rest
                .find(|c: char| !is_token_char(c))
                .unwrap_or(self.rest.len());
            if name_len == 0 {
                // An empty parameter (";;" or a trailing ";").
                continue;
            }
            let name = self.rest[..name_len].to_ascii_lowercase();
            self.rest = &self.rest[name_len..];
            let value = if self.eat('=') {
                self.value()?
            } else {
                String::new()
            };
            params.push((name, value));
        }
        Some(Link { url, params })
    }

    /// token / quoted-string (backslash escapes undone).
    fn value(&mut self) -> Option<String> {
        self.skip_space();
        if let Some(rest) = self.rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = rest.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.rest = &rest[i + 1..];
                        return Some(value);
                    }
                    '\\' => value.push(chars.next()?.1),
                    c => value.push(c),
                }
            }
            None
        } else {
            let len = self
                .rest
                .find(|c: char| !is_token_char(c))
                .unwrap_or(self.rest.len());
            let value = self.rest[..len].to_string();
            self.rest = &self.rest[len..];
            Some(value)
        }
    }
}

/// RFC 9110 tchar, plus '*' already in it; '/' for unquoted rel URIs that
/// servers send in the wild (`rel=http://x/y`) is tolerated too.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~/:".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_links_and_headers() {
        let links = parse([
            r#"<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=9>; rel="last""#,
            r#"</a;b,c>; rel="prev first"; title="x, \"y\"; z""#,
        ]);
        assert_eq!(links.len(), 3);
        assert_eq!(links[0].url, "https://api.example.com/items?page=2");
        assert!(links[0].has_rel("next"));
        assert!(links[1].has_rel("LAST"));
        assert_eq!(links[2].url, "/a;b,c");
        assert!(links[2].has_rel("prev") && links[2].has_rel("first"));
        assert_eq!(links[2].param("title"), Some("x, \"y\"; z"));
    }

    #[test]
    fn tolerates_odd_spacing_and_stops_at_garbage() {
        let links = parse([" ,<a> ;rel=next ;type=text/html , <b>;rel=prev, junk, <c>"]);
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].param("type"), Some("text/html"));
        assert!(links[1].has_rel("prev"));
        assert!(parse(["<unterminated"]).is_empty());
        assert!(parse([""]).is_empty());
    }
}
