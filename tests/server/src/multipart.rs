//! A small, forgiving multipart/form-data parser (whole body in memory).

pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// The `boundary` parameter of a Content-Type header value.
pub fn boundary(content_type: &str) -> Option<String> {
    params(content_type)
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v)
        .filter(|b| !b.is_empty())
}

/// Split a multipart body into parts. Malformed trailing data is ignored.
pub fn parse(body: &[u8], boundary: &str) -> Vec<Part> {
    let delim = format!("--{boundary}").into_bytes();
    let mut crlf_delim = b"\r\n".to_vec();
    crlf_delim.extend_from_slice(&delim);

    let mut parts = Vec::new();
    // First delimiter: at the very start or after a preamble ending in CRLF.
    let mut pos = if body.starts_with(&delim) {
        delim.len()
    } else {
        match find(body, &crlf_delim, 0) {
            Some(i) => i + crlf_delim.len(),
            None => return parts,
        }
    };
    loop {
        if body[pos..].starts_with(b"--") {
            break;
        }
        // Skip transport padding up to the CRLF ending the delimiter line.
        match find(body, b"\r\n", pos) {
            Some(i) => pos = i + 2,
            None => break,
        }
        let end = find(body, &crlf_delim, pos).unwrap_or(body.len());
        if let Some(p) = parse_part(&body[pos..end]) {
            parts.push(p);
        }
        if end >= body.len() {
            break;
        }
        pos = end + crlf_delim.len();
    }
    parts
}

fn parse_part(raw: &[u8]) -> Option<Part> {
    let (head, data) = if raw.starts_with(b"\r\n") {
        (&raw[..0], &raw[2..])
    } else {
        let i = find(raw, b"\r\n\r\n", 0)?;
        (&raw[..i], &raw[i + 4..])
    };
    let head = String::from_utf8_lossy(head);
    let mut name = None;
    let mut filename = None;
    let mut content_type = None;
    for line in head.split("\r\n") {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let k = k.trim();
        if k.eq_ignore_ascii_case("content-disposition") {
            for (pk, pv) in params(v) {
                if pk.eq_ignore_ascii_case("name") {
                    name = Some(pv);
                } else if pk.eq_ignore_ascii_case("filename") {
                    filename = Some(pv);
                }
            }
        } else if k.eq_ignore_ascii_case("content-type") {
            content_type = Some(v.trim().to_string());
        }
    }
    Some(Part {
        name: name?,
        filename,
        content_type,
        data: data.to_vec(),
    })
}

/// `a; k=v; k2="quoted \" value"` -> [(k, v), (k2, quoted " value)].
fn params(header_value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let s: Vec<char> = header_value.chars().collect();
    let mut i = 0;
    // Skip the leading token (e.g. "form-data" / the media type).
    while i < s.len() && s[i] != ';' {
        i += 1;
    }
    while i < s.len() {
        i += 1; // ';'
        while i < s.len() && s[i].is_whitespace() {
            i += 1;
        }
        let mut key = String::new();
        while i < s.len() && s[i] != '=' && s[i] != ';' {
            key.push(s[i]);
            i += 1;
        }
        let mut val = String::new();
        if i < s.len() && s[i] == '=' {
            i += 1;
            if i < s.len() && s[i] == '"' {
                i += 1;
                while i < s.len() && s[i] != '"' {
                    if s[i] == '\\' && i + 1 < s.len() {
                        i += 1;
                    }
                    val.push(s[i]);
                    i += 1;
                }
                i += 1; // closing quote
                while i < s.len() && s[i] != ';' {
                    i += 1;
                }
            } else {
                while i < s.len() && s[i] != ';' {
                    val.push(s[i]);
                    i += 1;
                }
                val = val.trim().to_string();
            }
        }
        let key = key.trim().to_string();
        if !key.is_empty() {
            out.push((key, val));
        }
    }
    out
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_and_files() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n";
        let parts = parse(body, "XyZ");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "a");
        assert_eq!(parts[0].data, b"b");
        assert!(parts[0].filename.is_none());
        assert_eq!(parts[1].filename.as_deref(), Some("x.txt"));
        assert_eq!(parts[1].data, b"line1\r\nline2");
        assert_eq!(
            boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(),
            Some("XyZ")
        );
    }
}
