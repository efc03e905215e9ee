//! The session's cookie jar, kept in Rust so it behaves the same over any
//! libcurl: RFC 6265 scoping by domain, path, Secure and expiry (the
//! `cookie_store` crate), refusal of super-cookies on public suffixes (the
//! `psl` crate's built-in list) and of control characters, a bound on its
//! size, and the Netscape cookie-file format that curl and wget read.

use std::sync::{Mutex, MutexGuard, PoisonError};

use cookie_store::{CookieDomain, CookieExpiration, CookieStore, RawCookie};
use url::Url;

use super::error::{Error, Result};
use super::headers::Headers;
use super::validate;

/// At most this many cookies per domain and in all (browsers keep about
/// 180 per domain and a few thousand in all); the oldest go first.
pub const MAX_PER_DOMAIN: usize = 180;
pub const MAX_TOTAL: usize = 3000;

/// One cookie as the jar holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieInfo {
    pub domain: String,
    /// False for a host-only cookie (no Domain attribute).
    pub include_subdomains: bool,
    pub path: String,
    pub secure: bool,
    pub http_only: bool,
    /// Unix seconds; 0 for a session cookie.
    pub expires: i64,
    pub name: String,
    pub value: String,
}

#[derive(Default)]
pub struct CookieJar {
    store: Mutex<CookieStore>,
    /// Insertion order, oldest first, for eviction: (domain, path, name).
    order: Mutex<Vec<(String, String, String)>>,
}

impl CookieJar {
    pub fn new() -> CookieJar {
        CookieJar::default()
    }

    fn store(&self) -> MutexGuard<'_, CookieStore> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cookies a request to `url` sends, in the order RFC 6265 5.4
    /// asks: longer paths first, then earlier creation (then name, for
    /// cookies the jar cannot tell apart), whatever the jar's internal order.
    pub fn sending(&self, url: &Url) -> Vec<(String, String)> {
        let mut matching: Vec<(String, String, String, String)> = {
            let store = self.store();
            // An empty jar (most batches and sends) answers before the
            // store works out the URL's domain and path (~250
            // instructions a hop).
            if store.iter_any().next().is_none() {
                return Vec::new();
            }
            store
                .matches(url)
                .into_iter()
                .map(|c| {
                    (
                        String::from(&c.domain),
                        String::from(&c.path),
                        c.name().to_string(),
                        c.value().to_string(),
                    )
                })
                .collect()
        };
        if matching.is_empty() {
            // Most sends: nothing to order.
            return Vec::new();
        }
        let order = self.order.lock().unwrap_or_else(PoisonError::into_inner);
        let created = |d: &str, p: &str, n: &str| {
            order
                .iter()
                .position(|k| k.0 == d && k.1 == p && k.2 == n)
                .unwrap_or(usize::MAX)
        };
        matching.sort_by_cached_key(|(d, p, n, _)| {
            (std::cmp::Reverse(p.len()), created(d, p, n), n.clone())
        });
        matching.into_iter().map(|(_, _, n, v)| (n, v)).collect()
    }

    /// The `Cookie` header value for a request to `url`, if any cookie
    /// applies, in sending order (see `sending`).
    pub fn header_for(&self, url: &Url) -> Option<String> {
        let pairs: Vec<String> = self
            .sending(url)
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    /// Stores every `Set-Cookie` of a response from `url`; refused ones are
    /// dropped silently, as a browser does. Returns the cookies stored.
    pub fn store_response(&self, url: &Url, headers: &Headers) -> Vec<CookieInfo> {
        headers
            .all("set-cookie")
            .filter_map(|value| self.set(url, value).ok().flatten())
            .collect()
    }

    /// Stores `set_cookie` (a Set-Cookie header value) as if `url` sent it,
    /// and returns the cookie as stored (`None`: it was already expired, so
    /// it only deleted its namesake).
    ///
    /// Refused (RFC 6265): a name that is not a token; a value, path or
    /// domain with a control character (TAB included) or `;`, so that every
    /// cookie exports and re-imports; a Domain that is not `url`'s. A Domain
    /// that is a public suffix ("co.uk", "github.io") makes a host-only
    /// cookie when it is `url`'s host itself (RFC 6265 5.3 step 5), and is
    /// refused otherwise: no cookie ever reaches every site under a suffix.
    pub fn set(&self, url: &Url, set_cookie: &str) -> Result<Option<CookieInfo>> {
        let refuse = |why: &str| Err(Error::invalid(format!("cookie refused: {why}")));
        if set_cookie
            .bytes()
            .any(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
        {
            return refuse("it contains a control character");
        }
        let mut raw = match RawCookie::parse(set_cookie) {
            Ok(raw) => raw,
            Err(e) => return refuse(&e.to_string()),
        };
        check_pair(raw.name(), raw.value())?;
        if raw.path().is_some_and(forbidden) || raw.domain().is_some_and(forbidden) {
            return refuse("a control character (TAB included) in its path or domain");
        }
        if let Some(domain) = raw.domain() {
            let domain = domain.trim_start_matches('.').to_ascii_lowercase();
            let host = url.host_str().unwrap_or("").to_ascii_lowercase();
            if is_public_suffix(&domain) {
                if domain != host {
                    return refuse(&format!("Domain={domain} is a public suffix"));
                }
                raw.unset_domain();
            }
        }
        let raw = raw.into_owned();
        let key = {
            let mut store = self.store();
            match store.insert_raw(&raw, url) {
                Ok(_) => {
                    let domain = match CookieDomain::try_from(&raw) {
                        Ok(CookieDomain::Suffix(d)) => d,
                        _ => url.host_str().unwrap_or("").to_ascii_lowercase(),
                    };
                    let stored = store
                        .iter_any()
                        .find(|c| c.name() == raw.name() && String::from(&c.domain) == domain)
                        .map(info);
                    match stored {
                        Some(stored) => stored,
                        None => return refuse("the jar did not keep it"),
                    }
                }
                // An expired cookie deletes its namesake: not an error.
                Err(cookie_store::CookieError::Expired) => return Ok(None),
                Err(e) => return refuse(&e.to_string()),
            }
        };
        self.remember((key.domain.clone(), key.path.clone(), key.name.clone()));
        Ok(Some(key))
    }

    /// Records an insertion and evicts the oldest cookies past the bounds.
    /// A cookie that replaces one of the same domain, path and name keeps
    /// its creation time (RFC 6265 5.3 step 11.3), so its place here.
    fn remember(&self, key: (String, String, String)) {
        let mut order = self.order.lock().unwrap_or_else(PoisonError::into_inner);
        if order.contains(&key) {
            return;
        }
        let domain = key.0.clone();
        order.push(key);
        let mut evict = Vec::new();
        let in_domain = order.iter().filter(|k| k.0 == domain).count();
        if in_domain > MAX_PER_DOMAIN {
            if let Some(i) = order.iter().position(|k| k.0 == domain) {
                evict.push(order.remove(i));
            }
        }
        while order.len() > MAX_TOTAL {
            evict.push(order.remove(0));
        }
        drop(order);
        let mut store = self.store();
        for (d, p, n) in evict {
            store.remove(&d, &p, &n);
        }
    }

    /// The value of cookie `name` that a request to `url` would send.
    /// With several of that name, the first one sent (see `sending`).
    pub fn get(&self, url: &Url, name: &str) -> Option<String> {
        self.sending(url)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Every unexpired cookie, ordered by domain, path and name.
    pub fn list(&self) -> Vec<CookieInfo> {
        let store = self.store();
        let mut all: Vec<CookieInfo> = store.iter_unexpired().map(info).collect();
        all.sort_by(|a, b| (&a.domain, &a.path, &a.name).cmp(&(&b.domain, &b.path, &b.name)));
        all
    }

    /// Removes one cookie; false when there was none.
    pub fn delete(&self, domain: &str, path: &str, name: &str) -> bool {
        let removed = self
            .store()
            .remove(&domain.to_ascii_lowercase(), path, name)
            .is_some();
        let mut order = self.order.lock().unwrap_or_else(PoisonError::into_inner);
        order.retain(|k| !(k.0.eq_ignore_ascii_case(domain) && k.1 == path && k.2 == name));
        removed
    }

    pub fn clear(&self) {
        self.store().clear();
        self.order
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// The jar in the Netscape cookie-file format (session cookies included,
    /// with expiry 0).
    pub fn export_netscape(&self) -> String {
        let mut out = String::from("# Netscape HTTP Cookie File\n# Written by libreqc.\n\n");
        for c in self.list() {
            let domain = if c.include_subdomains {
                format!(".{}", c.domain)
            } else {
                c.domain.clone()
            };
            let prefix = if c.http_only { "#HttpOnly_" } else { "" };
            let flag = |b: bool| if b { "TRUE" } else { "FALSE" };
            out.push_str(&format!(
                "{prefix}{domain}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                flag(c.include_subdomains),
                c.path,
                flag(c.secure),
                c.expires,
                c.name,
                c.value
            ));
        }
        out
    }

    /// Adds the cookies of a Netscape cookie file; returns how many.
    /// Expired cookies are skipped; the same checks apply as for `set`, and
    /// a line that sends a cookie to every site under a public suffix
    /// (`.com`, `.github.io` with subdomains TRUE) is refused. All or
    /// nothing: on any refused or malformed line nothing is added and the
    /// error names the line.
    pub fn import_netscape(&self, text: &str) -> Result<usize> {
        let mut parsed = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let at =
                |why: String| Error::invalid(format!("cookie file line {}: {why}", number + 1));
            let (http_only, line) = match line.strip_prefix("#HttpOnly_") {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let [domain, subdomains, path, secure, expires, name, value] = fields[..] else {
                return Err(at("expected 7 tab-separated fields".into()));
            };
            if fields.iter().any(|f| f.contains(';')) {
                return Err(at("a field contains ';'".into()));
            }
            let expires: i64 = expires
                .parse()
                .map_err(|_| at(format!("bad expiry {expires:?}")))?;
            let host = domain.trim_start_matches('.');
            if subdomains == "TRUE" && is_public_suffix(&host.to_ascii_lowercase()) {
                return Err(at(format!(
                    "{host} is a public suffix: refusing a cookie for every site under it"
                )));
            }
            let secure = secure == "TRUE";
            let scheme = if secure { "https" } else { "http" };
            let url =
                Url::parse(&format!("{scheme}://{host}{path}")).map_err(|e| at(e.to_string()))?;
            let mut line = format!("{name}={value}; Path={path}");
            if subdomains == "TRUE" {
                line.push_str(&format!("; Domain={host}"));
            }
            if secure {
                line.push_str("; Secure");
            }
            if http_only {
                line.push_str("; HttpOnly");
            }
            if expires > 0 {
                if expires <= time::OffsetDateTime::now_utc().unix_timestamp() {
                    continue;
                }
                // The expiry as a date, not as a Max-Age from now: a Max-Age
                // is counted again from the clock when each `set` below
                // stores it, one second later if a second turns meanwhile.
                let date = http_date(expires).ok_or_else(|| at(format!("bad expiry {expires}")))?;
                line.push_str(&format!("; Expires={date}"));
            }
            parsed.push((number, url, line));
        }
        // Every line must pass on a scratch jar before the real one changes.
        let scratch = CookieJar::new();
        for (number, url, line) in &parsed {
            scratch.set(url, line).map_err(|e| {
                Error::invalid(format!("cookie file line {}: {}", number + 1, e.message))
            })?;
        }
        for (_, url, line) in &parsed {
            self.set(url, line)?;
        }
        Ok(parsed.len())
    }
}

/// RFC 6265 4.1.1, as far as every entry point enforces it: the name is a
/// token; the value has no control character (TAB included) and no `;`.
/// (Spaces, quotes, commas and non-ASCII in values are kept, as browsers
/// keep them.) What passes exports to a Netscape file and imports again.
pub fn check_pair(name: &str, value: &str) -> Result<()> {
    if !validate::is_token(name) {
        return Err(Error::invalid(format!(
            "cookie refused: name {name:?} is not a token"
        )));
    }
    if forbidden(value) {
        return Err(Error::invalid(
            "cookie refused: its value has a control character (TAB included) or ';'",
        ));
    }
    Ok(())
}

fn forbidden(s: &str) -> bool {
    s.bytes().any(|b| b < 0x20 || b == 0x7f || b == b';')
}

/// A stored cookie as the jar describes it.
fn info(c: &cookie_store::Cookie<'_>) -> CookieInfo {
    CookieInfo {
        domain: String::from(&c.domain),
        include_subdomains: matches!(c.domain, CookieDomain::Suffix(_)),
        path: String::from(&c.path),
        secure: c.secure().unwrap_or(false),
        http_only: c.http_only().unwrap_or(false),
        expires: match c.expires {
            CookieExpiration::AtUtc(t) => t.unix_timestamp(),
            CookieExpiration::SessionEnd => 0,
        },
        name: c.name().to_string(),
        value: c.value().to_string(),
    }
}

/// The Unix time `secs` as an HTTP date (RFC 9110's IMF-fixdate, the form
/// a cookie's Expires attribute takes), e.g. "Sun, 06 Nov 1994 08:49:37
/// GMT"; `None` past chrono's range. chrono reads the same dates for
/// `Retry-After` (`retry::retry_after`).
fn http_date(secs: i64) -> Option<String> {
    let date = chrono::DateTime::from_timestamp(secs, 0)?;
    Some(date.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

/// True when `domain` is itself a known public suffix ("co.uk", "com").
pub fn is_public_suffix(domain: &str) -> bool {
    psl::suffix(domain.as_bytes())
        .is_some_and(|s| s.is_known() && s.as_bytes().eq_ignore_ascii_case(domain.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn scoping() {
        let jar = CookieJar::new();
        jar.set(&u("http://a.example.com/x/y"), "p=1; Path=/x")
            .unwrap();
        jar.set(&u("http://a.example.com/"), "d=2; Domain=example.com")
            .unwrap();
        jar.set(&u("https://a.example.com/"), "s=3; Secure")
            .unwrap();
        assert_eq!(
            jar.header_for(&u("http://a.example.com/x/z")).as_deref(),
            Some("p=1; d=2")
        );
        assert_eq!(
            jar.header_for(&u("http://b.example.com/")).as_deref(),
            Some("d=2")
        );
        assert_eq!(jar.header_for(&u("http://other.org/")), None);
        assert!(jar
            .header_for(&u("https://a.example.com/"))
            .unwrap()
            .contains("s=3"));
        assert!(!jar
            .header_for(&u("http://a.example.com/"))
            .unwrap()
            .contains("s=3"));
    }

    #[test]
    fn refuses_super_cookies_and_control_chars() {
        let jar = CookieJar::new();
        assert!(jar
            .set(&u("http://www.example.co.uk/"), "a=b; Domain=co.uk")
            .is_err());
        assert!(jar
            .set(&u("http://www.example.co.uk/"), "a=b; Domain=example.co.uk")
            .is_ok());
        assert!(jar.set(&u("http://h.com/"), "a=b\x01c").is_err());
        assert!(jar
            .set(&u("http://h.com/"), "a=b; Domain=other.com")
            .is_err());
    }

    #[test]
    fn netscape_round_trip_and_bound() {
        let jar = CookieJar::new();
        jar.set(&u("http://h.test/"), "a=1").unwrap();
        jar.set(
            &u("https://h.test/p"),
            "b=2; Path=/p; Secure; HttpOnly; Max-Age=3600",
        )
        .unwrap();
        let text = jar.export_netscape();
        let other = CookieJar::new();
        assert_eq!(other.import_netscape(&text).unwrap(), 2);
        assert_eq!(other.list(), jar.list());
        // An expiry is kept to the second, whenever the import runs (it was
        // a Max-Age from the clock, one second off when a second turned
        // during the import).
        let at = |t: i64| format!("h.test\tFALSE\t/\tFALSE\t{t}\tx\t1\n");
        let later = time::OffsetDateTime::now_utc().unix_timestamp() + 86_400 * 400;
        for t in [later, later + 1, 4_102_444_799] {
            let jar = CookieJar::new();
            assert_eq!(jar.import_netscape(&at(t)).unwrap(), 1);
            assert_eq!(jar.list()[0].expires, t);
        }
        assert_eq!(
            http_date(784_111_777).as_deref(),
            Some("Sun, 06 Nov 1994 08:49:37 GMT")
        );
        for i in 0..1000 {
            jar.set(&u("http://h.test/"), &format!("c{i}=v")).unwrap();
        }
        assert!(jar.list().len() <= MAX_PER_DOMAIN);
        assert!(jar.get(&u("http://h.test/"), "c999").is_some());
    }
}
