//! The outcome codes every failure carries, and the error type of the engine.
//!
//! The numbers are part of the C ABI (`REQC_*` in `include/reqc.h`, defined in
//! `ffi/code.rs`): they are explicit, grouped, and never renumbered.

use std::fmt;

use super::response::Response;

/// Why an operation failed. Discriminants equal the C `reqc_code` values.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Code {
    /// An argument was NULL, not UTF-8, held a NUL, CR or LF, or was out of range.
    InvalidArgument = 1,
    /// The URL could not be parsed or has no host.
    InvalidUrl = 2,
    /// The URL's scheme is not http or https (also on a redirect).
    UnsupportedProtocol = 3,
    /// The call is not allowed in the handle's current state.
    InvalidState = 4,
    /// What was asked for does not exist (an index out of range, an unknown name).
    NotFound = 5,
    /// A local file could not be read (a multipart file part).
    Io = 6,
    /// The host's name could not be resolved.
    Resolve = 10,
    /// The connection was refused or could not be made.
    Connect = 11,
    /// The connect, read or total timeout expired, or the low-speed floor.
    Timeout = 12,
    /// TLS failed: handshake, certificate verification, or a TLS setting.
    Tls = 13,
    /// Sending the request failed (connection lost while sending).
    Send = 14,
    /// Receiving the response failed (connection lost, short body, bad chunking).
    Recv = 15,
    /// The server's reply was not valid HTTP.
    Protocol = 16,
    /// The proxy refused or failed the request.
    Proxy = 17,
    /// More redirects than the request allows.
    TooManyRedirects = 20,
    /// The decoded response body exceeded the size cap.
    BodyTooLarge = 21,
    /// `reqc_request_cancel` (or a batch cancel) ended the send.
    Cancelled = 22,
    /// A callback or hook asked to stop.
    Aborted = 23,
    /// The body read callback reported an error, or supplied fewer or more
    /// bytes than it announced.
    Callback = 24,
    /// Any other failure of the transfer; the message names libcurl's error.
    Transport = 30,
    /// A bug: a panic inside libreqc was caught at the C boundary.
    Panic = 99,
}

impl Code {
    /// Every code, for tables and tests.
    pub const ALL: [Code; 21] = [
        Code::InvalidArgument,
        Code::InvalidUrl,
        Code::UnsupportedProtocol,
        Code::InvalidState,
        Code::NotFound,
        Code::Io,
        Code::Resolve,
        Code::Connect,
        Code::Timeout,
        Code::Tls,
        Code::Send,
        Code::Recv,
        Code::Protocol,
        Code::Proxy,
        Code::TooManyRedirects,
        Code::BodyTooLarge,
        Code::Cancelled,
        Code::Aborted,
        Code::Callback,
        Code::Transport,
        Code::Panic,
    ];

    /// The C name of the code, e.g. `REQC_E_TIMEOUT`.
    pub fn name(self) -> &'static str {
        match self {
            Code::InvalidArgument => "REQC_E_INVALID_ARGUMENT",
            Code::InvalidUrl => "REQC_E_INVALID_URL",
            Code::UnsupportedProtocol => "REQC_E_UNSUPPORTED_PROTOCOL",
            Code::InvalidState => "REQC_E_INVALID_STATE",
            Code::NotFound => "REQC_E_NOT_FOUND",
            Code::Io => "REQC_E_IO",
            Code::Resolve => "REQC_E_RESOLVE",
            Code::Connect => "REQC_E_CONNECT",
            Code::Timeout => "REQC_E_TIMEOUT",
            Code::Tls => "REQC_E_TLS",
            Code::Send => "REQC_E_SEND",
            Code::Recv => "REQC_E_RECV",
            Code::Protocol => "REQC_E_PROTOCOL",
            Code::Proxy => "REQC_E_PROXY",
            Code::TooManyRedirects => "REQC_E_TOO_MANY_REDIRECTS",
            Code::BodyTooLarge => "REQC_E_BODY_TOO_LARGE",
            Code::Cancelled => "REQC_E_CANCELLED",
            Code::Aborted => "REQC_E_ABORTED",
            Code::Callback => "REQC_E_CALLBACK",
            Code::Transport => "REQC_E_TRANSPORT",
            Code::Panic => "REQC_E_PANIC",
        }
    }

    /// The code with this C value, if there is one.
    pub fn from_i32(value: i32) -> Option<Code> {
        Code::ALL.into_iter().find(|c| *c as i32 == value)
    }
}

/// A failure: its code and a message for humans (naming the URL where there is one).
#[derive(Clone, Debug)]
pub struct Error {
    pub code: Code,
    pub message: String,
    /// The last response received before the failure, when the caller may
    /// still want it: the redirect that went over the limit
    /// (`Code::TooManyRedirects`), with the hops before it as its history.
    pub response: Option<Box<Response>>,
}

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            response: None,
        }
    }

    /// The code and message alone: a copy that does not duplicate the
    /// response a failure may carry (kept once, by whoever holds `self`).
    pub fn summary(&self) -> Error {
        Error::new(self.code, self.message.clone())
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(Code::InvalidArgument, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
