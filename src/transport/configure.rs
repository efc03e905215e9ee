//! Configures an easy handle for one hop, from scratch: every safety-relevant
//! option is set explicitly, nothing is inherited from the previous transfer.

use std::ffi::{c_long, CStr};
use std::time::Duration;

use curl::easy::{Easy2, Form, HttpVersion as CurlVersion, List, NetRc, SslVersion};

use super::handler::Callbacks;
use super::idle::IdleClock;
use super::share::Share;
use crate::core::body::{form_param, PartContent};
use crate::core::log::Level;
use crate::core::options::{HttpVersion, TlsOptions, TlsVersion};
use crate::core::transfer::{Hop, HopBody};

/// `CURLOPT_PROTOCOLS_STR` (libcurl 7.85), which curl-sys does not define.
const CURLOPT_PROTOCOLS_STR: curl_sys::CURLoption = curl_sys::CURLOPTTYPE_OBJECTPOINT + 318;
const HTTP_ONLY: &CStr = c"http,https";
/// `CURLOPT_SUPPRESS_CONNECT_HEADERS` (libcurl 7.54), which curl-sys does
/// not define.
const CURLOPT_SUPPRESS_CONNECT_HEADERS: curl_sys::CURLoption = curl_sys::CURLOPTTYPE_LONG + 265;

/// What an easy handle holds from its last setup, when that setup may be
/// kept for the next transfer (see `configure`): the hop it was configured
/// for from scratch (its URL and timeout aside), and the URL, timeout and
/// transfer token libcurl holds now. An option whose value is already the one
/// wanted is not set again.
pub struct Kept {
    hop: Hop,
    url: String,
    /// `CURLOPT_TIMEOUT_MS` as set (`timeout_ms`).
    timeout_ms: u64,
    /// `CURLOPT_PRIVATE`, once the lane has set it (a reset clears it).
    token: Option<usize>,
    /// `CURLOPT_BUFFERSIZE` as set.
    receive_buffer: usize,
}

/// Resets `easy` and applies `hop`, sharing `share`'s DNS and TLS session
/// caches when given, with network reads of up to `receive_buffer` bytes
/// (`RECEIVE_BUFFER` or `PULL_RECEIVE_BUFFER`). The callbacks' state is
/// replaced too.
///
/// When the handle's last transfer had the very same setup but for its URL
/// and remaining timeout (`Hop::same_setup`: no body, same method, headers,
/// auth, TLS…), only those two (and the receive buffer) are set, and each
/// only when it differs from what the handle holds: the result is the
/// state a reset and full configuration would give, for a fraction of the
/// work (profiled: ~14,000 instructions a send; a URL or timeout not set
/// again, ~600 and ~230 more).
/// Anything else takes the full path.
pub fn configure(
    easy: &mut Easy2<Callbacks>,
    hop: &Hop,
    share: Option<&Share>,
    receive_buffer: usize,
) -> Result<(), curl::Error> {
    let callbacks = easy.get_mut();
    callbacks.upload = None;
    callbacks.read_error = None;
    // A new clock per transfer, also when the setup is reused as is.
    callbacks.idle = hop.read_timeout.map(IdleClock::new);
    let timeout = timeout_ms(hop.timeout);
    let changed = callbacks
        .configured
        .as_ref()
        .filter(|kept| kept.hop.same_setup(hop))
        .map(|kept| {
            (
                kept.url != hop.url.as_str(),
                kept.timeout_ms != timeout,
                kept.receive_buffer != receive_buffer,
            )
        });
    if let Some((url_changed, timeout_changed, buffer_changed)) = changed {
        let told = tell(
            easy,
            url_changed.then_some(hop),
            timeout_changed.then_some(timeout),
            buffer_changed.then_some(receive_buffer),
        );
        let callbacks = easy.get_mut();
        match (told, callbacks.configured.as_mut()) {
            (Ok(()), Some(kept)) => {
                if url_changed {
                    kept.url.clear();
                    kept.url.push_str(hop.url.as_str());
                }
                kept.timeout_ms = timeout;
                kept.receive_buffer = receive_buffer;
                return Ok(());
            }
            // A failed setopt leaves the handle unknown: the next
            // transfer configures it from scratch.
            (told, _) => {
                callbacks.configured = None;
                return told;
            }
        }
    }
    callbacks.configured = None;
    configure_from_scratch(easy, hop, share)?;
    easy.buffer_size(receive_buffer)?;
    let plain = matches!(hop.body, HopBody::None) && hop.log.is_none();
    easy.get_mut().configured = plain.then(|| Kept {
        hop: hop.clone(),
        url: hop.url.as_str().to_owned(),
        timeout_ms: timeout,
        token: None,
        receive_buffer,
    });
    Ok(())
}

/// Sets the URL of `hop`, the timeout `ms` and the receive buffer's size,
/// each when given.
fn tell(
    easy: &mut Easy2<Callbacks>,
    hop: Option<&Hop>,
    ms: Option<u64>,
    receive_buffer: Option<usize>,
) -> Result<(), curl::Error> {
    if let Some(hop) = hop {
        set_url(easy, hop.url.as_str())?;
    }
    if let Some(ms) = ms {
        easy.timeout(Duration::from_millis(ms))?;
    }
    if let Some(size) = receive_buffer {
        easy.buffer_size(size)?;
    }
    Ok(())
}

/// The `CURLOPT_TIMEOUT_MS` for what is left of a send's total timeout:
/// whole milliseconds, as libcurl counts them (so the remaining time of
/// sends made in the same millisecond of their own clocks is one value, not
/// set again), and at least 1: a timeout under a millisecond must not
/// become libcurl's 0, "no timeout". `None`: 0.
fn timeout_ms(timeout: Option<Duration>) -> u64 {
    timeout.map_or(0, |t| {
        u64::try_from(t.as_millis()).unwrap_or(u64::MAX).max(1)
    })
}

/// True when `easy`'s `CURLOPT_PRIVATE` is `token` already (set by
/// `set_token` since the handle's last reset).
pub fn has_token(easy: &Callbacks, token: usize) -> bool {
    easy.configured
        .as_ref()
        .is_some_and(|kept| kept.token == Some(token))
}

/// Notes that `easy`'s `CURLOPT_PRIVATE` is `token` now, for `has_token`.
pub fn set_token(easy: &mut Callbacks, token: usize) {
    if let Some(kept) = easy.configured.as_mut() {
        kept.token = Some(token);
    }
}

/// `CURLOPT_BUFFERSIZE`, the most libcurl reads from the network at once
/// (it still hands the body callback at most 16 KiB a call), for a body
/// that is buffered or streamed to a data callback. libcurl's default,
/// 16 KiB, costs a `recv` per 16 KiB: a 100 MiB download against nginx on
/// loopback took 48-65 ms of CPU and ran at 1.5-1.75 GB/s; with 256 KiB,
/// 15-22 ms and 2.5-3.9 GB/s (64 KiB: 23-39 ms; 1 MiB no better).
///
/// It is one buffer per multi handle (libcurl's `xfer_buf`), which libcurl
/// frees whenever the multi has no transfer left and allocates at the
/// next: after the first such free glibc's malloc raises its mmap
/// threshold and serves it from the heap, so a sequential send makes no
/// system call and no page fault for it (strace, fault counts). A small
/// response touches its first page.
pub const RECEIVE_BUFFER: usize = 256 * 1024;

/// The same for a pulled body (`reqc_stream_read`): what one network read
/// brings beyond the reader's buffer is kept for the next reads, and while
/// no read waits a paused transfer holds one more read aside, so this bounds
/// the memory an unread stream holds beyond `pull::HIGH_WATER`. 64 KiB
/// keeps that bound near its old value and still pulls ~2 GB/s here.
pub const PULL_RECEIVE_BUFFER: usize = 64 * 1024;

/// The longest URL `set_url` hands libcurl from the stack.
const STACK_URL: usize = 512;

/// Sets CURLOPT_URL. libcurl copies the string, so a URL that fits is
/// handed over from a NUL-terminated copy on the stack rather than the curl
/// crate's heap `CString` (one allocation and free less per send; profiled
/// at ~300 instructions); a longer one takes the crate's path.
fn set_url(easy: &mut Easy2<Callbacks>, url: &str) -> Result<(), curl::Error> {
    let bytes = url.as_bytes();
    // No NUL check: `url::Url` percent-encodes NUL (and a NUL inside
    // would only shorten the string libcurl reads; `buf` ends in one).
    if bytes.len() >= STACK_URL {
        return easy.url(url);
    }
    let mut buf = [0u8; STACK_URL];
    buf[..bytes.len()].copy_from_slice(bytes);
    // SAFETY: `easy.raw()` is a live easy handle owned by `easy`; `buf`
    // holds `url` followed by at least one NUL (it is longer than `url`), and
    // libcurl copies the string before curl_easy_setopt returns, so the
    // stack buffer only has to live for the call.
    let rc = unsafe { curl_sys::curl_easy_setopt(easy.raw(), curl_sys::CURLOPT_URL, buf.as_ptr()) };
    if rc != curl_sys::CURLE_OK {
        return Err(curl::Error::new(rc));
    }
    Ok(())
}

fn configure_from_scratch(
    easy: &mut Easy2<Callbacks>,
    hop: &Hop,
    share: Option<&Share>,
) -> Result<(), curl::Error> {
    easy.reset();
    super::handler::install_header_line(easy)?;
    safe_defaults(easy)?;
    if let Some(share) = share.filter(|s| !s.raw().is_null()) {
        // SAFETY: `easy.raw()` is a live easy handle; the share handle is
        // alive and thread-safe (it has lock callbacks), and outlives every
        // easy handle of the lane that holds it (see `Lane`).
        let rc =
            unsafe { curl_sys::curl_easy_setopt(easy.raw(), curl_sys::CURLOPT_SHARE, share.raw()) };
        if rc != curl_sys::CURLE_OK {
            return Err(curl::Error::new(rc));
        }
    }
    set_url(easy, hop.url.as_str())?;
    method_and_body(easy, hop)?;
    // After the reset there is no list: only a hop with headers needs one.
    // User-Agent and basic/bearer Authorization are in the list: the engine
    // decided them by its precedence rule.
    if !hop.headers.is_empty() {
        easy.http_headers(header_list(hop)?)?;
    }
    easy.connect_timeout(hop.connect_timeout)?;
    if hop.timeout.is_some() {
        easy.timeout(Duration::from_millis(timeout_ms(hop.timeout)))?;
    }
    // The progress callback runs the read timeout's clock; without one it
    // stays off, so a plain transfer pays nothing for it.
    easy.progress(hop.read_timeout.is_some())?;
    if hop.speed_floor.bytes_per_second > 0 {
        easy.low_speed_limit(hop.speed_floor.bytes_per_second)?;
        easy.low_speed_time(hop.speed_floor.window)?;
    }
    easy.http_version(match hop.http_version {
        HttpVersion::Any => CurlVersion::Any,
        HttpVersion::Http1_0 => CurlVersion::V10,
        HttpVersion::Http1_1 => CurlVersion::V11,
        HttpVersion::Http2 => CurlVersion::V2TLS,
        HttpVersion::Http2PriorKnowledge => CurlVersion::V2PriorKnowledge,
    })?;
    // Always set, "" included: libcurl would otherwise read http_proxy and
    // no_proxy itself (and print their values, passwords and all, in its
    // trace). The engine has already applied the environment when trusted.
    easy.proxy(hop.proxy.as_deref().unwrap_or(""))?;
    easy.noproxy("")?;
    tls(easy, &hop.tls)?;
    // libcurl's trace is only produced when a sink wants headers or more:
    // with logging off nothing is formatted.
    let traced = hop.log.as_ref().filter(|l| l.wants(Level::Headers));
    easy.verbose(traced.is_some())?;
    easy.get_mut().log = traced.cloned();
    let http2 = match hop.http_version {
        HttpVersion::Http2PriorKnowledge => true,
        HttpVersion::Http2 | HttpVersion::Any => hop.url.scheme() == "https",
        HttpVersion::Http1_0 | HttpVersion::Http1_1 => false,
    };
    if http2 && super::version::http2_reuse_broken() {
        // Correct but slower: one connection per HTTP/2 transfer.
        easy.forbid_reuse(true)?;
    } else {
        // Several transfers of a batch to one HTTP/2 server share its
        // connection as streams rather than each open their own.
        easy.pipewait(http2)?;
    }
    Ok(())
}

fn tls(easy: &mut Easy2<Callbacks>, tls: &TlsOptions) -> Result<(), curl::Error> {
    let verify = tls.verify.unwrap_or(true);
    easy.ssl_verify_peer(verify)?;
    easy.ssl_verify_host(verify)?;
    if let Some(ca) = &tls.ca {
        if let Some(file) = &ca.file {
            easy.cainfo(file)?;
        }
        if let Some(dir) = &ca.dir {
            easy.capath(dir)?;
        }
        if let Some(pem) = &ca.pem {
            easy.ssl_cainfo_blob(pem)?;
        }
    }
    if let Some((cert, key)) = &tls.client_cert {
        easy.ssl_cert(cert)?;
        easy.ssl_key(key)?;
    }
    if let Some(min) = tls.min_version {
        easy.ssl_min_max_version(
            match min {
                TlsVersion::V1_2 => SslVersion::Tlsv12,
                TlsVersion::V1_3 => SslVersion::Tlsv13,
            },
            SslVersion::Default,
        )?;
    }
    Ok(())
}

fn safe_defaults(easy: &mut Easy2<Callbacks>) -> Result<(), curl::Error> {
    // SAFETY: `easy.raw()` is a live easy handle owned by `easy`, and
    // CURLOPT_PROTOCOLS_STR takes a NUL-terminated string that libcurl copies
    // before returning, so the 'static `HTTP_ONLY` is valid for the call.
    let rc = unsafe {
        curl_sys::curl_easy_setopt(easy.raw(), CURLOPT_PROTOCOLS_STR, HTTP_ONLY.as_ptr())
    };
    if rc != curl_sys::CURLE_OK {
        return Err(curl::Error::new(rc));
    }
    // A proxy's CONNECT reply is the tunnel's, not the origin's response:
    // the header callback then sees only the origin's heads, so the first
    // response line and the final head (POST_REQUEST and HEADERS hooks)
    // are the origin's. The trace still shows the reply.
    // SAFETY: as above; this option takes a long.
    let rc = unsafe {
        curl_sys::curl_easy_setopt(easy.raw(), CURLOPT_SUPPRESS_CONNECT_HEADERS, 1 as c_long)
    };
    if rc != curl_sys::CURLE_OK {
        return Err(curl::Error::new(rc));
    }
    easy.signal(false)?;
    easy.netrc(NetRc::Ignored)?;
    easy.follow_location(false)?;
    // No CURLOPT_ACCEPT_ENCODING, no decoding: libreqc sends its own
    // Accept-Encoding and decodes bodies itself (core::decode), the same
    // with any libcurl build. Off explicitly, whatever a reset leaves.
    easy.http_content_decoding(false)?;
    easy.tcp_keepalive(true)?;
    // An HTTP/0.9 reply has no status and no headers: never take one.
    easy.http_09_allowed(false)?;
    Ok(())
}

fn method_and_body(easy: &mut Easy2<Callbacks>, hop: &Hop) -> Result<(), curl::Error> {
    let callbacks = easy.get_mut();
    callbacks.upload = None;
    callbacks.upload_length = None;
    callbacks.uploaded = 0;
    callbacks.read_error = None;
    match &hop.body {
        HopBody::None => match &*hop.method {
            "GET" => easy.get(true)?,
            "HEAD" => easy.nobody(true)?,
            other => {
                // Like Requests: a body-less POST, PUT, DELETE or custom verb
                // still says Content-Length: 0, which some servers require.
                easy.post(true)?;
                easy.post_field_size(0)?;
                if other != "POST" {
                    easy.custom_request(other)?;
                }
            }
        },
        HopBody::Upload { upload, length } => {
            let callbacks = easy.get_mut();
            callbacks.upload = Some(upload.clone());
            callbacks.upload_length = *length;
            easy.post(true)?;
            match length {
                Some(len) => easy.post_field_size(*len)?,
                // Unknown length: libcurl sends it chunked (HTTP/1.1).
                None => easy.post_field_size(u64::MAX)?,
            }
            if hop.method != "POST" {
                easy.custom_request(&hop.method)?;
            }
        }
        HopBody::Multipart { fields, files } => {
            easy.httppost(multipart(fields, files)?)?;
            if hop.method != "POST" {
                easy.custom_request(&hop.method)?;
            }
        }
    }
    Ok(())
}

fn multipart(
    fields: &[(String, String)],
    files: &[crate::core::body::FilePart],
) -> Result<Form, curl::Error> {
    let mut form = Form::new();
    let form_err = |e: curl::FormError| curl::Error::new(form_error_code(&e));
    // Names and filenames are escaped here, not by libcurl: libcurl before
    // 7.81 escapes with backslashes, later ones as HTML forms do.
    for (name, value) in fields {
        form.part(&form_param(name))
            .contents(value.as_bytes())
            .add()
            .map_err(form_err)?;
    }
    for file in files {
        // The filename a part shows: the caller's, else the file's own name.
        let filename = match (&file.filename, &file.content) {
            (Some(name), _) => Some(name.as_str()),
            (None, PartContent::File(path)) => path.file_name().and_then(|n| n.to_str()),
            (None, _) => None,
        }
        .map(|name| form_param(name).into_owned());
        let field = form_param(&file.field);
        let mut part = form.part(&field);
        match &file.content {
            PartContent::Text(text) => {
                part.contents(text.as_bytes());
            }
            PartContent::File(path) => {
                part.file(path);
                if let Some(name) = &filename {
                    part.filename(name);
                }
            }
            PartContent::Bytes(data) => {
                part.buffer(filename.as_deref().unwrap_or(&field), data.to_vec());
            }
        }
        if let Some(ct) = &file.content_type {
            part.content_type(ct);
        }
        part.add().map_err(form_err)?;
    }
    Ok(form)
}

fn form_error_code(_e: &curl::FormError) -> curl_sys::CURLcode {
    curl_sys::CURLE_BAD_FUNCTION_ARGUMENT
}

fn header_list(hop: &Hop) -> Result<List, curl::Error> {
    let mut list = List::new();
    for (name, value) in &hop.headers {
        let line = match value {
            // "Name;" is libcurl's syntax for a header with an empty value,
            // "Name:" removes a header libcurl would add itself.
            Some(v) if v.is_empty() => format!("{name};"),
            Some(v) => format!("{name}: {v}"),
            None => format!("{name}:"),
        };
        list.append(&line)?;
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::{configure, timeout_ms, PULL_RECEIVE_BUFFER, RECEIVE_BUFFER};
    use crate::core::defaults::{CONNECT_TIMEOUT, SPEED_FLOOR};
    use crate::core::options::HttpVersion;
    use crate::core::transfer::{Hop, HopBody};
    use crate::transport::handler::Callbacks;
    use curl::easy::Easy2;
    use std::borrow::Cow;
    use std::time::Duration;

    fn plain_hop(url: &str) -> Hop {
        Hop {
            method: Cow::Borrowed("GET"),
            url: url.parse().unwrap(),
            headers: Vec::new(),
            body: HopBody::None,
            auth: None,
            connect_timeout: CONNECT_TIMEOUT,
            timeout: None,
            read_timeout: None,
            http_version: HttpVersion::Any,
            proxy: None,
            tls: Default::default(),
            speed_floor: SPEED_FLOOR,
            log: None,
        }
    }

    fn kept_buffer(easy: &Easy2<Callbacks>) -> Option<usize> {
        easy.get_ref().configured.as_ref().map(|k| k.receive_buffer)
    }

    /// A handle kept with the same setup (the path that skips the reset)
    /// still takes the receive buffer the next hop's reader wants: a pulled
    /// hop after a buffered one must not read 256 KiB at a time (the
    /// memory an unread stream holds is bounded by its reads).
    #[test]
    fn a_kept_setup_follows_the_receive_buffer() {
        let mut easy = Easy2::new(Callbacks::default());
        let first = plain_hop("http://127.0.0.1:9/a");
        configure(&mut easy, &first, None, RECEIVE_BUFFER).unwrap();
        assert_eq!(kept_buffer(&easy), Some(RECEIVE_BUFFER));
        let next = plain_hop("http://127.0.0.1:9/b");
        assert!(first.same_setup(&next));
        configure(&mut easy, &next, None, PULL_RECEIVE_BUFFER).unwrap();
        assert_eq!(kept_buffer(&easy), Some(PULL_RECEIVE_BUFFER));
        configure(&mut easy, &first, None, RECEIVE_BUFFER).unwrap();
        assert_eq!(kept_buffer(&easy), Some(RECEIVE_BUFFER));
    }

    /// What is left of a total timeout, as libcurl's CURLOPT_TIMEOUT_MS:
    /// whole milliseconds, never 0 (libcurl's "no timeout") for time that
    /// is left, however little; no timeout is 0.
    #[test]
    fn a_remaining_timeout_is_whole_milliseconds_and_never_none() {
        assert_eq!(timeout_ms(None), 0);
        assert_eq!(timeout_ms(Some(Duration::ZERO)), 1);
        assert_eq!(timeout_ms(Some(Duration::from_micros(300))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_micros(1_999))), 1);
        assert_eq!(timeout_ms(Some(Duration::from_millis(1_500))), 1_500);
        assert_eq!(timeout_ms(Some(Duration::MAX)), u64::MAX);
    }
}
