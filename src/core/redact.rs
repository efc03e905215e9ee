//! What libreqc must never print: URL passwords and secret header values.

use url::Url;

/// The URL as text, with any password replaced by `***`.
pub fn url(url: &Url) -> String {
    if url.password().is_some() {
        let mut shown = url.clone();
        // Cannot fail: the URL has a host (it has a password).
        let _ = shown.set_password(Some("***"));
        shown.to_string()
    } else {
        url.to_string()
    }
}

/// URL text as the caller gave it, parsable or not (for a message about
/// why it was refused), with anything between the `:` of the userinfo and
/// its `@` replaced by `***`.
pub fn url_text(text: &str) -> String {
    let Some(scheme_end) = text.find("://").map(|i| i + 3) else {
        return text.to_string();
    };
    let rest = &text[scheme_end..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let Some(at) = authority.rfind('@') else {
        return text.to_string();
    };
    match authority[..at].find(':') {
        Some(colon) => format!(
            "{}***{}",
            &text[..scheme_end + colon + 1],
            &text[scheme_end + at..]
        ),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hides_password() {
        let u = url::Url::parse("http://user:hunter2@h/p").unwrap();
        assert_eq!(super::url(&u), "http://user:***@h/p");
        let u = url::Url::parse("http://h/p").unwrap();
        assert_eq!(super::url(&u), "http://h/p");
    }

    #[test]
    fn hides_password_in_unparsable_text() {
        assert_eq!(
            super::url_text("http://u:pw@[bad/x@y"),
            "http://u:***@[bad/x@y"
        );
        assert_eq!(
            super::url_text("http://u:p@w@h:99999"),
            "http://u:***@h:99999"
        );
        assert_eq!(super::url_text("http://h/a:b@c"), "http://h/a:b@c");
        assert_eq!(super::url_text("no scheme"), "no scheme");
    }
}
