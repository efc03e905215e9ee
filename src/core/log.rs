//! Verbose logging: a sink with a level, lines in the seed's format, and the
//! redaction of every secret a request carries, at every level.
//!
//! Nothing is formatted unless a sink is set and its level asks for it.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;

use super::options::Auth;

/// What gets logged; each level adds to the one before.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing (a layer's way to turn off a lower layer's sink).
    Off = 0,
    /// A line when each request (each redirect hop) starts, and one when it ends.
    Requests = 1,
    /// Also the request and response headers.
    Headers = 2,
    /// Also libcurl's own trace.
    Wire = 3,
}

/// Where log lines go. Called on the sending thread.
pub trait LogSink: Send + Sync {
    fn line(&self, level: Level, line: &str);
}

/// A sink with its level, as a layer sets it.
#[derive(Clone)]
pub struct Logger {
    pub level: Level,
    pub sink: Arc<dyn LogSink>,
    /// False only when the caller opted out of redaction.
    pub redact: bool,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logger({:?}, redact: {})", self.level, self.redact)
    }
}

impl PartialEq for Logger {
    fn eq(&self, other: &Self) -> bool {
        self.level == other.level
            && self.redact == other.redact
            && Arc::ptr_eq(&self.sink, &other.sink)
    }
}

impl Eq for Logger {}

/// Header names whose values are never logged.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Every secret a hop carries, to scrub from its log lines and from its
/// error messages: secret header names (their values hidden wherever the
/// name appears) and literal secret values (hidden wherever they appear).
pub struct Secrets {
    names: Vec<String>,
    values: Vec<String>,
}

impl Secrets {
    /// `values` are the literal secrets (passwords, tokens, marked header
    /// values, cookie values); the base64 forms of basic credentials are
    /// derived here.
    pub fn new(secret_names: &[String], auth: Option<&Auth>, mut values: Vec<String>) -> Secrets {
        match auth {
            Some(Auth::Basic { user, password }) | Some(Auth::Digest { user, password }) => {
                values.push(password.clone());
                values.push(basic_credentials(user, password));
            }
            Some(Auth::Bearer(token)) => values.push(token.clone()),
            _ => {}
        }
        // Short values would scrub innocent text and tell nothing anyway.
        values.retain(|v| v.len() >= 3);
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        let mut names: Vec<String> = SECRET_HEADERS.iter().map(|s| s.to_string()).collect();
        names.extend(secret_names.iter().cloned());
        Secrets { names, values }
    }

    /// Hides secret header values by name ("Authorization: ***", also in
    /// libcurl's HTTP/2 trace "[authorization: ***]") and every known secret
    /// value wherever it appears.
    pub fn redact(&self, line: &str) -> String {
        let mut out = line.to_string();
        let lower = out.to_ascii_lowercase();
        for name in &self.names {
            let mut from = 0;
            while let Some(at) = lower[from..].find(name.as_str()).map(|i| i + from) {
                let after = at + name.len();
                let starts_name = at == 0 || !is_name_char(lower.as_bytes()[at - 1]);
                if starts_name && lower[after..].starts_with(':') {
                    let value_start = after + 1;
                    let value_end = lower[value_start..]
                        .find([']', '\r', '\n'])
                        .map_or(lower.len(), |i| i + value_start);
                    out.replace_range(value_start..value_end, " ***");
                    return self.scrub(&out);
                }
                from = after;
            }
        }
        self.scrub(&out)
    }

    fn scrub(&self, line: &str) -> String {
        let mut out = line.to_string();
        for secret in &self.values {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "***");
            }
        }
        out
    }
}

/// `user:password` in base64, as it travels in a Basic `Authorization` or
/// `Proxy-Authorization` header.
pub fn basic_credentials(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

/// A hop's logger: the sink plus every secret to scrub from its lines.
pub struct HopLog {
    pub logger: Logger,
    secrets: Secrets,
}

impl HopLog {
    /// See `Secrets::new` for the arguments after `logger`.
    pub fn new(
        logger: Logger,
        secret_names: &[String],
        auth: Option<&Auth>,
        secret_values: Vec<String>,
    ) -> HopLog {
        HopLog::with_secrets(logger, Secrets::new(secret_names, auth, secret_values))
    }

    pub fn with_secrets(logger: Logger, secrets: Secrets) -> HopLog {
        HopLog { logger, secrets }
    }

    pub fn wants(&self, level: Level) -> bool {
        level <= self.logger.level
    }

    /// Logs `line` at `level`, redacted unless the caller opted out.
    pub fn emit(&self, level: Level, line: &str) {
        if !self.wants(level) {
            return;
        }
        if self.logger.redact {
            self.logger.sink.line(level, &self.redact(line));
        } else {
            self.logger.sink.line(level, line);
        }
    }

    /// See `Secrets::redact`.
    pub fn redact(&self, line: &str) -> String {
        self.secrets.redact(line)
    }
}

/// What a line of libcurl's trace is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Trace {
    Text,
    HeaderOut,
    HeaderIn,
    DataOut,
    DataIn,
}

impl HopLog {
    /// Logs a piece of libcurl's trace: headers at `Headers`, the rest at
    /// `Wire`. Bodies are summarised by size, never printed.
    pub fn trace(&self, kind: Trace, data: &[u8]) {
        let (level, prefix) = match kind {
            Trace::HeaderOut => (Level::Headers, "> "),
            Trace::HeaderIn => (Level::Headers, "< "),
            Trace::Text => (Level::Wire, "* "),
            Trace::DataOut | Trace::DataIn => (Level::Wire, ""),
        };
        if !self.wants(level) {
            return;
        }
        match kind {
            Trace::DataOut => self.emit(level, &format!("=> sent {} bytes of body", data.len())),
            Trace::DataIn => self.emit(level, &format!("<= received {} bytes of body", data.len())),
            _ => {
                for line in String::from_utf8_lossy(data).lines() {
                    if !line.trim().is_empty() {
                        self.emit(level, &format!("{prefix}{line}"));
                    }
                }
            }
        }
    }
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Local time with microseconds, as the seed prints it.
pub fn timestamp() -> String {
    chrono::Local::now()
        .format("%Y-%m-%dT%H:%M:%S%.6f")
        .to_string()
}

/// The seed's start line: `2026-11-23T03:04:23.380175   GET   http://…`.
pub fn start_line(method: &str, url: &str) -> String {
    format!("{}   {method}   {url}", timestamp())
}

/// The completion line: time, status, elapsed, method and URL.
pub fn end_line(method: &str, url: &str, status: u16, reason: &str, elapsed: Duration) -> String {
    format!(
        "{}   {status} {reason}   {:.3} ms   {method}   {url}",
        timestamp(),
        elapsed.as_secs_f64() * 1000.0
    )
}

/// The retry line: what the attempt got (a status or an error), which
/// attempt comes next and after how long.
pub fn retry_line(method: &str, url: &str, got: &str, next_attempt: u32, wait: Duration) -> String {
    format!(
        "{}   RETRY   attempt {next_attempt} in {:.3} ms   {method}   {url}   {got}",
        timestamp(),
        wait.as_secs_f64() * 1000.0
    )
}

/// The failure line, for a hop that ended in an error.
pub fn error_line(method: &str, url: &str, error: &str) -> String {
    format!("{}   ERROR   {method}   {url}   {error}", timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct Lines(Mutex<Vec<String>>);
    impl LogSink for Lines {
        fn line(&self, _: Level, line: &str) {
            self.0.lock().unwrap().push(line.to_string());
        }
    }

    fn hop(auth: Option<Auth>, values: Vec<String>) -> HopLog {
        let logger = Logger {
            level: Level::Wire,
            sink: Arc::new(Lines(Mutex::new(Vec::new()))),
            redact: true,
        };
        HopLog::new(logger, &["x-api-key".to_string()], auth.as_ref(), values)
    }

    #[test]
    fn redacts_by_name_and_value() {
        let log = hop(
            Some(Auth::Basic {
                user: "user".into(),
                password: "hunter2".into(),
            }),
            vec!["cookievalue".into()],
        );
        assert_eq!(
            log.redact("Authorization: Basic dXNlcjpodW50ZXIy"),
            "Authorization: ***"
        );
        assert_eq!(
            log.redact("[HTTP/2] [1] [authorization: Basic x]"),
            "[HTTP/2] [1] [authorization: ***]"
        );
        assert_eq!(log.redact("X-Api-Key: k"), "X-Api-Key: ***");
        assert_eq!(log.redact("x: dXNlcjpodW50ZXIy hunter2"), "x: *** ***");
        assert_eq!(log.redact("Set-Cookie: a=cookievalue"), "Set-Cookie: ***");
        assert_eq!(
            log.redact("< Content-Type: text/plain"),
            "< Content-Type: text/plain"
        );
    }

    #[test]
    fn start_line_has_seed_format() {
        let line = start_line("GET", "http://h/headers");
        let (ts, rest) = line.split_at(26);
        assert_eq!(rest, "   GET   http://h/headers");
        assert_eq!(&ts[10..11], "T");
        assert_eq!(&ts[19..20], ".");
    }
}
