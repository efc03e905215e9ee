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

#[cfg(test)]
mod tests {
    #[test]
    fn hides_password() {
        let u = url::Url::parse("http://user:hunter2@h/p").unwrap();
        assert_eq!(super::url(&u), "http://user:***@h/p");
        let u = url::Url::parse("http://h/p").unwrap();
        assert_eq!(super::url(&u), "http://h/p");
    }
}
