//! Maps libcurl's result codes to libreqc's.

use crate::core::error::{Code, Error};

// libcurl codes that curl-sys does not name (curl.h: CURLcode).
const CURLE_WEIRD_SERVER_REPLY: curl_sys::CURLcode = 8;
const CURLE_PROXY: curl_sys::CURLcode = 97;
const CURLE_TOO_LARGE: curl_sys::CURLcode = 100;

pub fn from_curl(e: &curl::Error) -> Error {
    let code = if e.is_couldnt_resolve_host() {
        Code::Resolve
    } else if e.is_couldnt_connect() {
        Code::Connect
    } else if e.is_operation_timedout() {
        Code::Timeout
    } else if e.is_couldnt_resolve_proxy() {
        Code::Proxy
    } else if e.is_ssl_connect_error()
        || e.is_peer_failed_verification()
        || e.is_ssl_certproblem()
        || e.is_ssl_cipher()
        || e.is_ssl_cacert_badfile()
        || e.is_ssl_crl_badfile()
        || e.is_ssl_shutdown_failed()
        || e.is_ssl_engine_notfound()
        || e.is_ssl_engine_setfailed()
        || e.is_ssl_engine_initfailed()
        || e.is_ssl_issuer_error()
        || e.is_use_ssl_failed()
    {
        Code::Tls
    } else if e.is_send_error() || e.is_send_fail_rewind() {
        Code::Send
    } else if e.is_recv_error() || e.is_partial_file() || e.is_bad_content_encoding() {
        Code::Recv
    } else if e.is_unsupported_protocol() || e.code() == CURLE_TOO_LARGE {
        // libreqc checks every scheme (URL, redirect, proxy) before libcurl
        // sees it, so from libcurl this means a broken reply: an HTTP/0.9
        // or garbled status line, or headers past libcurl's limits.
        Code::Protocol
    } else if e.is_url_malformed() {
        Code::InvalidUrl
    } else if e.code() == CURLE_WEIRD_SERVER_REPLY
        || e.is_http2_error()
        || e.is_http2_stream_error()
    {
        Code::Protocol
    } else if e.code() == CURLE_PROXY {
        Code::Proxy
    } else if e.is_aborted_by_callback() || e.is_write_error() || e.is_read_error() {
        Code::Aborted
    } else if e.is_got_nothing() {
        Code::Recv
    } else {
        Code::Transport
    };
    let mut message = e.description().to_string();
    if let Some(extra) = e.extra_description().filter(|x| !x.is_empty()) {
        message = format!("{message} ({extra})");
    }
    Error::new(code, message)
}
