//! The built-in defaults: the bottom layer under global config, session and
//! request. libcurl's own defaults are unsafe for a library (no total timeout,
//! a 300 s connect timeout), so every one of these is set on every transfer.

use std::time::Duration;

use super::options::{HttpVersion, Options, RedirectPolicy, SpeedFloor};

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The whole send, redirects included.
pub const TIMEOUT: Duration = Duration::from_secs(300);
pub const MAX_REDIRECTS: u32 = 30;
/// Cap on a buffered body (every hop) unless the caller sets one. Streamed
/// bodies have no cap unless the caller sets one.
pub const MAX_BUFFERED_BODY: u64 = 256 * 1024 * 1024;
/// The most of a body a history entry keeps: the first 64 KiB. A send holds
/// one hop's body at a time (within the cap); every hop it leaves behind
/// keeps its status, headers and URL and only this much body, so the memory
/// one send holds stays near its cap whatever the number of hops. Redirect
/// bodies are rarely more than a line of HTML.
pub const HISTORY_BODY: usize = 64 * 1024;
/// A transfer that moves fewer than 10 bytes a second for a minute is
/// stalled: end it rather than wait for the total timeout.
pub const SPEED_FLOOR: SpeedFloor = SpeedFloor {
    bytes_per_second: 10,
    window: Duration::from_secs(60),
};

pub fn user_agent() -> String {
    format!("libreqc/{}", env!("CARGO_PKG_VERSION"))
}

/// The bottom layer, with every option set; built once.
pub fn options() -> &'static Options {
    static OPTIONS: std::sync::LazyLock<Options> = std::sync::LazyLock::new(build);
    &OPTIONS
}

fn build() -> Options {
    Options {
        auth: None,
        connect_timeout: Some(CONNECT_TIMEOUT),
        timeout: Some(TIMEOUT),
        // As in Requests: none; the speed floor ends a stalled transfer.
        read_timeout: Some(Duration::ZERO),
        redirects: Some(RedirectPolicy {
            follow: true,
            max: MAX_REDIRECTS,
        }),
        http_version: Some(HttpVersion::Any),
        max_response_bytes: None,
        user_agent: Some(user_agent()),
        secret_headers: Vec::new(),
        proxy: None,
        trust_env: Some(true),
        tls: Default::default(),
        log: None,
        speed_floor: Some(SPEED_FLOOR),
        retry: super::retry::RetryOptions::builtin(),
    }
}
