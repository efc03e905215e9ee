//! Receives a hop's response as it arrives: head lines, then body bytes, which
//! are buffered or streamed to the caller's callback, within the size cap.

use std::sync::Arc;

use super::body::DataSink;
use super::digest;
use super::error::{Code, Error};
use super::head::Head;
use super::hooks::SentInfo;
use super::redirect;

#[derive(Default)]
enum Mode {
    /// No body byte yet: the head decides at the first byte.
    #[default]
    Undecided,
    Buffer,
    Stream,
}

/// Why the collector asked the transport to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    TooLarge,
    Aborted,
    HookAborted,
}

/// Runs the POST_REQUEST hooks; false aborts the transfer.
pub type OnSent = Box<dyn FnMut(&SentInfo) -> bool + Send>;

#[derive(Default)]
pub struct Collector {
    pub head: Head,
    pub body: Vec<u8>,
    received: u64,
    /// Cap for a buffered body and for a streamed one; 0 is no cap.
    buffer_cap: u64,
    stream_cap: u64,
    stream: Option<Arc<dyn DataSink>>,
    follow_redirects: bool,
    /// The digest state of the hop, when the engine answers challenges.
    digest: Option<digest::Round>,
    mode: Mode,
    stop: Option<Stop>,
    on_sent: Option<OnSent>,
}

impl Collector {
    pub fn new(
        buffer_cap: u64,
        stream_cap: u64,
        stream: Option<Arc<dyn DataSink>>,
        follow_redirects: bool,
    ) -> Collector {
        Collector {
            buffer_cap,
            stream_cap,
            stream,
            follow_redirects,
            ..Collector::default()
        }
    }

    /// The engine answers a digest challenge to this hop as `round` says.
    pub fn set_digest(&mut self, round: digest::Round) {
        self.digest = Some(round);
    }

    pub fn set_on_sent(&mut self, on_sent: OnSent) {
        self.on_sent = Some(on_sent);
    }

    /// True when the transport should report the request as sent (once, at
    /// the first response byte, before any body byte).
    pub fn wants_sent(&self) -> bool {
        self.on_sent.is_some()
    }

    /// The request went out and the response began; false stops the transfer.
    pub fn sent(&mut self, info: &SentInfo) -> bool {
        let Some(mut on_sent) = self.on_sent.take() else {
            return true;
        };
        if on_sent(info) {
            true
        } else {
            self.stop = Some(Stop::HookAborted);
            false
        }
    }

    pub fn header_line(&mut self, line: &[u8]) {
        self.head.feed(line);
    }

    /// Takes body bytes; false asks the transport to stop the transfer.
    pub fn write(&mut self, data: &[u8]) -> bool {
        if matches!(self.mode, Mode::Undecided) {
            self.decide();
        }
        self.received += data.len() as u64;
        let cap = match self.mode {
            Mode::Stream => self.stream_cap,
            _ => self.buffer_cap,
        };
        if cap > 0 && self.received > cap {
            self.stop = Some(Stop::TooLarge);
            return false;
        }
        match (&self.mode, &self.stream) {
            (Mode::Stream, Some(sink)) => {
                if !sink.write(data) {
                    self.stop = Some(Stop::Aborted);
                    return false;
                }
            }
            _ => self.body.extend_from_slice(data),
        }
        true
    }

    /// Streams the body when the caller asked for it, unless this hop is a
    /// redirect that will be followed or a digest challenge that will be
    /// answered: its body belongs to the history.
    fn decide(&mut self) {
        let followed = (self.follow_redirects
            && redirect::is_redirect(self.head.status)
            && self.head.header("location").is_some())
            || self
                .digest
                .is_some_and(|r| r.to_answer(self.head.status, &self.head.headers).is_some());
        if self.stream.is_some() && !followed {
            self.mode = Mode::Stream;
            return;
        }
        self.mode = Mode::Buffer;
        // Reserve the announced size (plus the NUL the C API appends) so a
        // large body is never copied by reallocation. Not for encoded bodies:
        // their announced size is not the decoded size.
        let announced = self
            .head
            .header("content-length")
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(len) = announced {
            let fits = self.buffer_cap == 0 || len <= self.buffer_cap;
            if fits && self.head.header("content-encoding").is_none() {
                self.body.reserve_exact(len as usize + 1);
            }
        }
    }

    /// The error for a response that ended before its head did (no blank
    /// line after the headers), which the transport may have taken for a
    /// whole response: libcurl 8.x returns success for
    /// `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n` and a close.
    pub fn cut_short(&self) -> Option<Error> {
        (!self.head.complete).then(|| {
            Error::new(
                Code::Recv,
                "the response was cut short: the connection closed before the end of its head",
            )
        })
    }

    /// The error for a transfer this collector stopped, if it stopped one.
    pub fn stop_error(&self) -> Option<Error> {
        self.stop.map(|stop| match stop {
            Stop::TooLarge => {
                let cap = match self.mode {
                    Mode::Stream => self.stream_cap,
                    _ => self.buffer_cap,
                };
                Error::new(
                    Code::BodyTooLarge,
                    format!("response body exceeds the cap of {cap} bytes"),
                )
            }
            Stop::Aborted => Error::new(Code::Aborted, "the data callback asked to stop"),
            Stop::HookAborted => {
                Error::new(Code::Aborted, "a post_request hook aborted the request")
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(c: &mut Collector, lines: &[&str]) {
        for l in lines {
            c.header_line(l.as_bytes());
        }
    }

    #[test]
    fn caps_buffered_body() {
        let mut c = Collector::new(10, 0, None, true);
        head(&mut c, &["HTTP/1.1 200 OK"]);
        assert!(c.write(b"12345"));
        assert!(c.write(b"12345"));
        assert!(!c.write(b"1"));
        assert_eq!(c.stop_error().unwrap().code, Code::BodyTooLarge);
    }

    struct Count(std::sync::Mutex<usize>);
    impl DataSink for Count {
        fn write(&self, d: &[u8]) -> bool {
            *self.0.lock().unwrap() += d.len();
            true
        }
    }

    #[test]
    fn streams_final_but_buffers_followed_redirect() {
        let sink = Arc::new(Count(Default::default()));
        let mut c = Collector::new(0, 0, Some(sink.clone()), true);
        head(&mut c, &["HTTP/1.1 302 Found", "Location: /x"]);
        c.write(b"moved");
        assert_eq!(c.body, b"moved");
        let mut c = Collector::new(0, 0, Some(sink.clone()), true);
        head(&mut c, &["HTTP/1.1 200 OK"]);
        c.write(b"streamed");
        assert!(c.body.is_empty());
        assert_eq!(*sink.0.lock().unwrap(), 8);
    }
}
