//! What the linked libcurl is and can do.

use std::sync::OnceLock;

/// libcurl's version line, e.g. `libcurl/8.22.0 OpenSSL/3.0.19 zlib/1.2.13 nghttp2/1.68.1`.
pub fn curl_version_line() -> &'static str {
    static LINE: OnceLock<String> = OnceLock::new();
    LINE.get_or_init(|| {
        let v = curl::Version::get();
        let mut line = format!("libcurl/{}", v.version());
        if let Some(ssl) = v.ssl_version() {
            line.push_str(&format!(" {ssl}"));
        }
        if let Some(z) = v.libz_version() {
            line.push_str(&format!(" zlib/{z}"));
        }
        if let Some(h2) = v.nghttp2_version() {
            line.push_str(&format!(" nghttp2/{h2}"));
        }
        line
    })
}

/// True when libreqc, with the libcurl it links, has `feature`: "http2",
/// "http2-multiplexing" (HTTP/2 connections reused and shared by streams),
/// "https", and the content codings "gzip", "brotli", "zstd" (decoded by
/// libreqc itself, so every build has them).
pub fn has_feature(feature: &str) -> bool {
    let v = curl::Version::get();
    match feature {
        "http2" => v.feature_http2(),
        "http2-multiplexing" => v.feature_http2() && !http2_reuse_broken(),
        "https" => v.feature_ssl(),
        // libreqc decodes bodies itself, whatever libcurl can do.
        "gzip" | "brotli" | "zstd" => crate::core::decode::supports(feature),
        _ => false,
    }
}

/// True when the linked libcurl cannot safely reuse an HTTP/2 connection:
/// before 8.0.0 a second stream on a reused connection can fail with
/// "Error in the HTTP2 framing layer" (curl issue #10634, fixed in 8.0.0;
/// Debian 12 ships 7.88.1). Only a build against the system libcurl sees it.
pub fn http2_reuse_broken() -> bool {
    static BROKEN: OnceLock<bool> = OnceLock::new();
    *BROKEN.get_or_init(|| curl::Version::get().version_num() < 0x08_00_00)
}
