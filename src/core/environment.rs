//! What the process environment contributes to a send when its layers trust
//! it (Requests' `trust_env`, on by default): the proxy for a URL from
//! `http_proxy` / `https_proxy` / `all_proxy` minus `no_proxy`, and the CA
//! bundle from `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`, `SSL_CERT_FILE` and
//! `SSL_CERT_DIR`.
//!
//! libreqc reads these itself and hands libcurl only the result: libcurl's
//! own reading could not be turned off per session, and its trace prints the
//! variables' values, passwords included.
//!
//! They are read through an [`Environment`]. A send's hops read the
//! process environment as it is (`Environment::live`); a batch takes a
//! snapshot per driving call (`perform`, `poll`, a socket or timer
//! action) that reads each variable at most once, so the hops started in
//! one call share the reads (four `getenv` calls a hop, each a scan of
//! `environ`, were ~2k instructions of a batch item) while a `setenv`
//! between two calls is seen by the items started after it.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::net::IpAddr;
use std::path::PathBuf;

use url::Url;

use super::options::{CaCerts, Options, TlsOptions};

/// The proxy a hop to `url` goes through (`None`: none) and its TLS
/// settings, once the environment has filled what no layer set: a layer's
/// proxy ("" included) and a layer's CA (file, directory or PEM) always win
/// over the environment's; with verification off no CA is needed.
pub fn resolve(env: &Environment, options: &Options, url: &Url) -> (Option<String>, TlsOptions) {
    let trusted = options.trust_env.unwrap_or(true);
    let proxy = match &options.proxy {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(p.clone()),
        None if trusted => proxy_for(env, url),
        None => None,
    };
    let mut tls = options.tls.clone();
    if trusted && tls.ca.is_none() && tls.verify != Some(false) && url.scheme() == "https" {
        let bundle = env.ca_bundle();
        if bundle.file.is_some() || bundle.dir.is_some() {
            let CaBundle { file, dir } = bundle.into_owned();
            tls.ca = Some(CaCerts {
                file,
                dir,
                pem: None,
            });
        }
    }
    (proxy, tls)
}

/// The variables a hop may read. A snapshot keeps each in the slot its
/// discriminant numbers (no look-up by name at each read); `name` pairs
/// each with its spelling, so no table of names must be kept in step.
#[derive(Clone, Copy)]
enum Var {
    HttpProxy,
    HttpProxyUpper,
    HttpsProxy,
    HttpsProxyUpper,
    AllProxy,
    AllProxyUpper,
    NoProxy,
    NoProxyUpper,
    RequestMethod,
    RequestsCaBundle,
    CurlCaBundle,
    SslCertFile,
    SslCertDir,
}

impl Var {
    /// How many there are: the slots of a snapshot.
    const COUNT: usize = Var::SslCertDir as usize + 1;

    fn name(self) -> &'static str {
        match self {
            Var::HttpProxy => "http_proxy",
            Var::HttpProxyUpper => "HTTP_PROXY",
            Var::HttpsProxy => "https_proxy",
            Var::HttpsProxyUpper => "HTTPS_PROXY",
            Var::AllProxy => "all_proxy",
            Var::AllProxyUpper => "ALL_PROXY",
            Var::NoProxy => "no_proxy",
            Var::NoProxyUpper => "NO_PROXY",
            Var::RequestMethod => "REQUEST_METHOD",
            Var::RequestsCaBundle => "REQUESTS_CA_BUNDLE",
            Var::CurlCaBundle => "CURL_CA_BUNDLE",
            Var::SslCertFile => "SSL_CERT_FILE",
            Var::SslCertDir => "SSL_CERT_DIR",
        }
    }
}

/// A variable: one a snapshot keeps, or another (read at each ask).
enum Name {
    Kept(Var),
    Other(String),
}

const HTTP_PROXY: (Name, Name) = (Name::Kept(Var::HttpProxy), Name::Kept(Var::HttpProxyUpper));
const HTTPS_PROXY: (Name, Name) = (
    Name::Kept(Var::HttpsProxy),
    Name::Kept(Var::HttpsProxyUpper),
);
const ALL_PROXY: (Name, Name) = (Name::Kept(Var::AllProxy), Name::Kept(Var::AllProxyUpper));
const NO_PROXY: (Name, Name) = (Name::Kept(Var::NoProxy), Name::Kept(Var::NoProxyUpper));
const REQUEST_METHOD: Name = Name::Kept(Var::RequestMethod);
const REQUESTS_CA_BUNDLE: Name = Name::Kept(Var::RequestsCaBundle);
const CURL_CA_BUNDLE: Name = Name::Kept(Var::CurlCaBundle);
const SSL_CERT_FILE: Name = Name::Kept(Var::SslCertFile);
const SSL_CERT_DIR: Name = Name::Kept(Var::SslCertDir);

/// Where a hop reads the environment's proxy and CA variables: the
/// process environment as it is at each ask (`live`), or a snapshot that
/// reads each variable at most once, when first asked for, while it lives
/// (`snapshot`; not shared between threads). A variable outside [`Var`]
/// (another scheme's proxy) is read at each ask either way.
pub struct Environment(Option<Box<Kept>>);

/// A snapshot's values, each read once.
#[derive(Default)]
struct Kept {
    values: [OnceCell<Option<String>>; Var::COUNT],
    ca_bundle: OnceCell<CaBundle>,
}

impl Environment {
    /// Reads at each ask: what a single send's hop uses (a snapshot would
    /// cost more than it saves over the few reads of one hop).
    pub fn live() -> Environment {
        Environment(None)
    }

    /// A snapshot that has read nothing yet.
    pub fn snapshot() -> Environment {
        Environment(Some(Box::default()))
    }

    /// A variable's value, `None` when unset or empty (an empty value
    /// means "none" for every variable here, as in Requests and curl).
    fn var(&self, name: &Name) -> Option<Cow<'_, str>> {
        match (name, &self.0) {
            (Name::Kept(var), Some(kept)) => kept.values[*var as usize]
                .get_or_init(|| read(var.name()))
                .as_deref()
                .map(Cow::Borrowed),
            (Name::Kept(var), None) => read(var.name()).map(Cow::Owned),
            (Name::Other(name), _) => read(name).map(Cow::Owned),
        }
    }

    /// The lowercase name first, then the uppercase one (urllib's order).
    fn either_case(&self, (lower, upper): &(Name, Name)) -> Option<Cow<'_, str>> {
        self.var(lower).or_else(|| self.var(upper))
    }

    /// [`ca_bundle_of`] this environment (in a snapshot, its `is_dir`
    /// check made once too).
    fn ca_bundle(&self) -> Cow<'_, CaBundle> {
        match &self.0 {
            Some(kept) => Cow::Borrowed(kept.ca_bundle.get_or_init(|| ca_bundle_of(self))),
            None => Cow::Owned(ca_bundle_of(self)),
        }
    }
}

/// A variable's value as the process has it now, `None` when unset or
/// empty.
fn read(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A scheme's proxy variable in both cases, spelled out for the schemes a
/// URL here can have (no name is formatted at every hop); any other scheme
/// gets its names made.
fn proxy_names(scheme: &str) -> (Name, Name) {
    match scheme {
        "http" => HTTP_PROXY,
        "https" => HTTPS_PROXY,
        other => {
            let lower = format!("{other}_proxy");
            let upper = lower.to_ascii_uppercase();
            (Name::Other(lower), Name::Other(upper))
        }
    }
}

/// The proxy the environment names for `url`, or `None` (no variable, or
/// the host is in `no_proxy`). `HTTP_PROXY` in upper case is ignored in a
/// CGI program (`REQUEST_METHOD` set), where a client's `Proxy:` header
/// lands in it (the "httpoxy" attack), as urllib and curl do.
pub fn proxy_for(env: &Environment, url: &Url) -> Option<String> {
    let scheme = url.scheme();
    let (lower, upper) = proxy_names(scheme);
    // REQUEST_METHOD is read only when the upper-case name is what would
    // be used: one environment read less on every hop without a proxy.
    let named = env.var(&lower).or_else(|| {
        let upper = env.var(&upper)?;
        (scheme != "http" || env.var(&REQUEST_METHOD).is_none()).then_some(upper)
    });
    let proxy = named.or_else(|| env.either_case(&ALL_PROXY))?;
    if let Some(list) = env.either_case(&NO_PROXY) {
        if bypasses(&list, url) {
            return None;
        }
    }
    // "host:port" without a scheme is an http proxy (Requests and curl).
    Some(if proxy.contains("://") {
        proxy.into_owned()
    } else {
        format!("http://{proxy}")
    })
}

/// True when `url`'s host matches an entry of a `no_proxy` list: `*`, a
/// domain (itself and its subdomains; a leading dot is optional), an IP
/// address or a CIDR block, each optionally with `:port`.
pub fn bypasses(list: &str, url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let port = url.port_or_known_default();
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| entry == "*" || entry_matches(&entry.to_ascii_lowercase(), &host, port))
}

fn entry_matches(entry: &str, host: &str, port: Option<u16>) -> bool {
    // An optional ":port" (not inside a bare IPv6 address).
    let (name, want_port) = match entry.rsplit_once(':') {
        Some((n, p)) if !n.contains(':') || n.ends_with(']') => match p.parse::<u16>() {
            Ok(p) => (n, Some(p)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    };
    if want_port.is_some_and(|p| Some(p) != port) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return match name.split_once('/') {
            Some((net, bits)) => in_block(ip, net, bits),
            None => name.parse::<IpAddr>().is_ok_and(|n| n == ip),
        };
    }
    let name = name.trim_start_matches('.');
    !name.is_empty()
        && (host == name
            || host
                .strip_suffix(name)
                .is_some_and(|rest| rest.ends_with('.')))
}

/// True when `ip` lies in the block `net`/`bits`.
fn in_block(ip: IpAddr, net: &str, bits: &str) -> bool {
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

/// Where the environment says trusted CA certificates are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaBundle {
    pub file: Option<PathBuf>,
    pub dir: Option<PathBuf>,
}

/// The CA bundle the environment names: the first of `REQUESTS_CA_BUNDLE`,
/// `CURL_CA_BUNDLE` and `SSL_CERT_FILE` that is set (a directory there
/// counts as a CA directory, as in Requests), and `SSL_CERT_DIR`.
fn ca_bundle_of(env: &Environment) -> CaBundle {
    let mut bundle = CaBundle::default();
    let named = env
        .var(&REQUESTS_CA_BUNDLE)
        .or_else(|| env.var(&CURL_CA_BUNDLE))
        .or_else(|| env.var(&SSL_CERT_FILE))
        .map(|p| PathBuf::from(&*p));
    match named {
        Some(path) if path.is_dir() => bundle.dir = Some(path),
        Some(path) => bundle.file = Some(path),
        None => {}
    }
    if bundle.dir.is_none() {
        bundle.dir = env.var(&SSL_CERT_DIR).map(|p| PathBuf::from(&*p));
    }
    bundle
}

#[cfg(test)]
mod tests {
    use super::bypasses;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn kept_names_are_spelled_as_the_environment_spells_them() {
        use super::*;
        let name = |n: &Name| match n {
            Name::Kept(var) => var.name(),
            Name::Other(_) => "",
        };
        let pair = |(l, u): &(Name, Name)| (name(l), name(u));
        assert_eq!(pair(&HTTP_PROXY), ("http_proxy", "HTTP_PROXY"));
        assert_eq!(pair(&HTTPS_PROXY), ("https_proxy", "HTTPS_PROXY"));
        assert_eq!(pair(&ALL_PROXY), ("all_proxy", "ALL_PROXY"));
        assert_eq!(pair(&NO_PROXY), ("no_proxy", "NO_PROXY"));
        assert_eq!(name(&REQUEST_METHOD), "REQUEST_METHOD");
        assert_eq!(name(&REQUESTS_CA_BUNDLE), "REQUESTS_CA_BUNDLE");
        assert_eq!(name(&CURL_CA_BUNDLE), "CURL_CA_BUNDLE");
        assert_eq!(name(&SSL_CERT_FILE), "SSL_CERT_FILE");
        assert_eq!(name(&SSL_CERT_DIR), "SSL_CERT_DIR");
    }

    #[test]
    fn no_proxy_entries() {
        assert!(bypasses("*", &u("http://a.b/")));
        assert!(bypasses("example.com", &u("http://example.com/")));
        assert!(bypasses("example.com", &u("http://www.example.com/")));
        assert!(bypasses(".example.com", &u("http://www.example.com/")));
        assert!(!bypasses("example.com", &u("http://badexample.com/")));
        assert!(bypasses("x, 127.0.0.1", &u("http://127.0.0.1:8080/")));
        assert!(bypasses("127.0.0.0/8", &u("http://127.1.2.3/")));
        assert!(!bypasses("10.0.0.0/8", &u("http://127.1.2.3/")));
        assert!(bypasses("localhost:8080", &u("http://localhost:8080/")));
        assert!(!bypasses("localhost:8080", &u("http://localhost:9090/")));
        assert!(bypasses("::1", &u("http://[::1]:80/")));
        assert!(bypasses("[::1]:80", &u("http://[::1]/")));
        assert!(!bypasses("", &u("http://a/")));
    }
}
