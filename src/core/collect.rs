//! Receives a hop's response as it arrives: head lines, then body bytes,
//! which are decoded (Content-Encoding) and buffered or streamed to the
//! caller's callback, within the size cap. The body of a hop libreqc will
//! leave (a redirect it follows, a digest challenge it answers) is neither
//! decoded nor kept beyond its first bytes. A pulled hop (`core::stream`)
//! hands its head over as soon as it is complete, and its body to the
//! reader through a `Pull` (straight into the reader's buffer while it
//! waits in a read), asking the transport to pause while the reader has a
//! buffer's worth to take.

use std::sync::Arc;

use super::body::DataSink;
use super::decode::{Decoder, Halt};
use super::defaults;
use super::digest;
use super::error::{Code, Error};
use super::head::Head;
use super::hooks::{HookKind, SentInfo};
use super::pull::{Lent, Pull};
use super::redirect;

#[derive(Default)]
enum Mode {
    /// No body byte yet: the head decides at the first byte.
    #[default]
    Undecided,
    Buffer,
    Stream,
    /// Handed to a reader through the collector's `Pull`.
    Pull,
    /// A hop libreqc will leave (a redirect it follows, a digest challenge
    /// it answers): its body is counted against the cap (so an endless one ends) but not decoded (garbage in it does
    /// not stop the send), and only its start is kept, for the history.
    Skip,
}

/// Why the collector asked the transport to stop.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Stop {
    TooLarge,
    Aborted,
    /// A hook of this kind (run from inside the transfer) answered ABORT.
    HookAborted(HookKind),
    /// The body is not valid for its Content-Encoding.
    Undecodable(String),
}

/// What the transport does with body bytes it handed to `Collector::write`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Take {
    /// Taken, all of them.
    All,
    /// None taken: pause the transfer and hand them over again once the
    /// reader resumed it (the reader has a buffer's worth to take).
    Pause,
    /// None taken: end the transfer (`stop_error` says why).
    Stop,
    /// Taken, all of them, and they filled the buffer the reader lent:
    /// pause the transfer now, so the rest of the transport's step waits
    /// in the network for the next read instead of being kept aside and
    /// copied twice.
    AllThenPause,
}

/// Runs the POST_REQUEST hooks; false aborts the transfer.
pub type OnSent = Box<dyn FnMut(&SentInfo) -> bool + Send>;

/// Runs the HEADERS hooks on the hop's final head, with what the transfer
/// knows of the connection; false aborts the transfer.
pub type OnHead = Box<dyn FnMut(&Head, &SentInfo) -> bool + Send>;

#[derive(Default)]
pub struct Collector {
    pub head: Head,
    pub body: Vec<u8>,
    /// Body bytes counted against the cap: decoded ones, or as received
    /// for a followed redirect.
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
    on_head: Option<OnHead>,
    /// The connection, kept for `on_head` (set only when there is one).
    sent_info: Option<SentInfo>,
    /// Undoes the Content-Encoding; `None` keeps the body as received.
    decoder: Option<Decoder>,
    /// Statuses the engine will retry: their bodies are skipped (never
    /// streamed to the caller's callback nor decoded).
    retried: Option<Arc<[u16]>>,
    /// Set when the final hop's body is pulled by a reader (`core::stream`).
    pull: Option<Pull>,
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

    /// The final hop's head and body go to a reader through `pull` (a hop
    /// libreqc leaves, a redirect or a retried status, is skipped as ever).
    pub fn set_pull(&mut self, pull: Pull) {
        self.pull = Some(pull);
    }

    /// A collector that holds only the head of a pulled hop, whose body
    /// goes on arriving through its `Pull`: what the engine builds the
    /// response from at open time.
    pub fn pulled_head(head: Head) -> Collector {
        Collector {
            head,
            mode: Mode::Pull,
            ..Collector::default()
        }
    }

    /// True when the hop's body is to go to a reader (`set_pull`), decided
    /// or not: a transport reads such a body from the network in smaller
    /// pieces.
    pub fn pulls(&self) -> bool {
        self.pull.is_some()
    }

    /// True when the hop's body goes to a reader rather than the response.
    pub fn pulled(&self) -> bool {
        matches!(self.mode, Mode::Pull)
    }

    /// A response with one of `statuses` will be retried: skip its body.
    pub fn set_retried(&mut self, statuses: Arc<[u16]>) {
        self.retried = Some(statuses);
    }

    /// True once body bytes went to the caller's data callback: such a
    /// hop cannot be tried again (the caller would see them twice).
    pub fn streamed_any(&self) -> bool {
        matches!(self.mode, Mode::Stream) && self.received > 0
    }

    pub fn set_on_sent(&mut self, on_sent: OnSent) {
        self.on_sent = Some(on_sent);
    }

    /// Calls `on_head` once the hop's final head is complete (see
    /// `header_line`).
    pub fn set_on_head(&mut self, on_head: OnHead) {
        self.on_head = Some(on_head);
    }

    /// True when the transport should report the request as sent (once, at
    /// the first response byte, before any body byte).
    pub fn wants_sent(&self) -> bool {
        self.on_sent.is_some() || (self.on_head.is_some() && self.sent_info.is_none())
    }

    /// The request went out and the response began; false stops the transfer.
    pub fn sent(&mut self, info: &SentInfo) -> bool {
        if self.on_head.is_some() {
            self.sent_info = Some(info.clone());
        }
        let Some(mut on_sent) = self.on_sent.take() else {
            return true;
        };
        if on_sent(info) {
            true
        } else {
            self.stop = Some(Stop::HookAborted(HookKind::PostRequest));
            false
        }
    }

    /// True once the hop's final head (status 200 and up) is complete: its
    /// status and headers are known and no body byte has been taken before
    /// it. What a caller waiting for "headers are in" checks after a step.
    pub fn has_final_head(&self) -> bool {
        self.head.complete && self.head.status >= 200
    }

    /// Takes one raw head line; false stops the transfer.
    ///
    /// This is the one place that knows a hop's head is complete: the line
    /// that completes a final head (status 200 and up: interim 1xx heads
    /// and their blank lines are not final; trailers after the body do
    /// not complete it again) is the moment "status and headers are in, no
    /// body byte yet", where `on_head` runs.
    #[inline] // once per head line, from one caller: a call less per line
    pub fn header_line(&mut self, line: &[u8]) -> bool {
        let was_complete = self.head.complete;
        self.head.feed(line);
        if was_complete || !self.has_final_head() {
            return true;
        }
        if let Some(on_head) = self.on_head.as_mut() {
            let info = self.sent_info.take().unwrap_or_default();
            let go_on = on_head(&self.head, &info);
            self.sent_info = Some(info);
            if !go_on {
                self.stop = Some(Stop::HookAborted(HookKind::Headers));
                return false;
            }
        }
        // A pulled hop decides at the end of its final head, not at the
        // first body byte: the reader gets the head before any body byte
        // arrives (and after the HEADERS hooks let it through).
        if self.pull.is_some() && matches!(self.mode, Mode::Undecided) {
            self.decide();
        }
        true
    }

    /// Takes body bytes as received: all of them, none for now (pause), or
    /// none ever (stop the transfer).
    pub fn write(&mut self, data: &[u8]) -> Take {
        self.write_into(data, None)
    }

    /// `write`, while the reader of a pulled hop waits in a read with its
    /// buffer lent (`lent`): the decoded bytes go into it first, so most
    /// are copied once, from the transport's buffer to the reader's.
    pub fn write_into(&mut self, data: &[u8], mut lent: Option<&mut Lent<'_>>) -> Take {
        if matches!(self.mode, Mode::Undecided) {
            self.decide();
        }
        if matches!(self.mode, Mode::Skip) {
            return if self.skip(data) {
                Take::All
            } else {
                Take::Stop
            };
        }
        if let (Mode::Pull, Some(pull)) = (&self.mode, &self.pull) {
            if pull.full() {
                pull.set_paused();
                return Take::Pause;
            }
        }
        let result = match self.decoder.take() {
            None => self.deliver(data, lent.as_deref_mut()),
            Some(mut decoder) => {
                let result =
                    decoder.feed(data, &mut |piece| self.deliver(piece, lent.as_deref_mut()));
                self.decoder = Some(decoder);
                result
            }
        };
        let filled = lent.is_some_and(|lent| lent.room() == 0);
        match result {
            Ok(()) if filled && self.pause_for_the_reader() => Take::AllThenPause,
            Ok(()) => Take::All,
            Err(Halt::Sink) => Take::Stop,
            Err(Halt::Invalid(message)) => {
                self.stop = Some(Stop::Undecodable(message));
                Take::Stop
            }
        }
    }

    /// Records in the `Pull` of a pulled hop that the transport pauses it
    /// for the reader; false for any other hop.
    fn pause_for_the_reader(&self) -> bool {
        match (&self.mode, &self.pull) {
            (Mode::Pull, Some(pull)) => {
                pull.set_paused();
                true
            }
            _ => false,
        }
    }

    fn cap(&self) -> u64 {
        match self.mode {
            Mode::Stream | Mode::Pull => self.stream_cap,
            _ => self.buffer_cap,
        }
    }

    /// Takes decoded bytes: buffered or streamed, within the cap.
    fn deliver(
        &mut self,
        data: &[u8],
        lent: Option<&mut Lent<'_>>,
    ) -> std::result::Result<(), Halt> {
        self.received += data.len() as u64;
        let cap = self.cap();
        if cap > 0 && self.received > cap {
            self.stop = Some(Stop::TooLarge);
            return Err(Halt::Sink);
        }
        match (&self.mode, &self.stream, &self.pull) {
            (Mode::Stream, Some(sink), _) => {
                if !sink.write(data) {
                    self.stop = Some(Stop::Aborted);
                    return Err(Halt::Sink);
                }
            }
            (Mode::Pull, _, Some(pull)) => pull.push(data, lent),
            _ => self.body.extend_from_slice(data),
        }
        Ok(())
    }

    /// Takes the raw body of a redirect that will be followed: read to the
    /// end (so the connection can be reused), its start kept.
    fn skip(&mut self, data: &[u8]) -> bool {
        self.received += data.len() as u64;
        if self.buffer_cap > 0 && self.received > self.buffer_cap {
            self.stop = Some(Stop::TooLarge);
            return false;
        }
        let room = defaults::HISTORY_BODY.saturating_sub(self.body.len());
        self.body.extend_from_slice(&data[..room.min(data.len())]);
        true
    }

    /// At the first body byte, from the head: the body of a hop libreqc is
    /// about to leave (a redirect it follows, a digest challenge it answers)
    /// is skipped; any other is decoded, then pulled or streamed when the
    /// caller asked for it, else buffered.
    fn decide(&mut self) {
        let followed = (self.follow_redirects
            && redirect::is_redirect(self.head.status)
            && self.head.header("location").is_some())
            || self
                .digest
                .is_some_and(|r| r.to_answer(self.head.status, &self.head.headers).is_some())
            || self
                .retried
                .as_ref()
                .is_some_and(|s| s.contains(&self.head.status));
        if followed {
            self.mode = Mode::Skip;
            return;
        }
        // One pass over the head for the two names read here; the codings
        // are gathered only when there are any (most responses have none).
        // Two look-ups and an empty decoder search cost ~800 instructions.
        let mut announced = None;
        let mut encoded = false;
        for (name, value) in self.head.headers.iter() {
            if name.eq_ignore_ascii_case("content-length") {
                if announced.is_none() {
                    announced = Some(value.parse::<u64>().ok());
                }
            } else if name.eq_ignore_ascii_case("content-encoding") {
                encoded = true;
            }
        }
        let announced = announced.flatten();
        self.decoder = if encoded {
            Decoder::for_codings(self.head.headers.all("content-encoding"))
        } else {
            None
        };
        if let Some(pull) = &self.pull {
            self.mode = Mode::Pull;
            pull.set_head(self.head.hand_over());
            return;
        }
        if self.stream.is_some() {
            self.mode = Mode::Stream;
            return;
        }
        self.mode = Mode::Buffer;
        // Reserve the announced size (plus the NUL the C API appends) so a
        // large body is never copied by reallocation. Not for encoded bodies:
        // their announced size is not the decoded size.
        if let Some(len) = announced {
            let fits = self.buffer_cap == 0 || len <= self.buffer_cap;
            if fits && self.decoder.is_none() {
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
        self.stop.as_ref().map(|stop| match stop {
            Stop::TooLarge => {
                let cap = self.cap();
                Error::new(
                    Code::BodyTooLarge,
                    format!("response body exceeds the cap of {cap} bytes"),
                )
            }
            Stop::Aborted => Error::new(Code::Aborted, "the data callback asked to stop"),
            Stop::HookAborted(kind) => Error::new(
                Code::Aborted,
                format!("{} aborted the request", kind.with_article()),
            ),
            Stop::Undecodable(message) => Error::new(Code::Recv, message.clone()),
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
        assert_eq!(c.write(b"12345"), Take::All);
        assert_eq!(c.write(b"12345"), Take::All);
        assert_eq!(c.write(b"1"), Take::Stop);
        assert_eq!(c.stop_error().unwrap().code, Code::BodyTooLarge);
    }

    struct Count(std::sync::Mutex<usize>);
    impl DataSink for Count {
        fn write(&self, d: &[u8]) -> bool {
            *self.0.lock().unwrap() += d.len();
            true
        }
    }

    /// A collector whose `on_head` counts its calls (and the statuses it
    /// saw) and answers `go_on`.
    fn counting(go_on: bool) -> (Collector, Arc<std::sync::Mutex<Vec<u16>>>) {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut c = Collector::new(0, 0, None, true);
        let log = seen.clone();
        c.set_on_head(Box::new(move |head, _| {
            log.lock().unwrap().push(head.status);
            go_on
        }));
        (c, seen)
    }

    #[test]
    fn on_head_runs_once_at_the_final_head_only() {
        let (mut c, seen) = counting(true);
        for line in [
            "HTTP/1.1 100 Continue\r\n",
            "\r\n",
            "HTTP/1.1 200 OK\r\n",
            "Transfer-Encoding: chunked\r\n",
        ] {
            assert!(c.header_line(line.as_bytes()));
        }
        assert!(seen.lock().unwrap().is_empty(), "not before the blank line");
        assert!(!c.has_final_head(), "a 100 Continue is not the final head");
        assert!(c.header_line(b"\r\n"));
        assert!(c.has_final_head());
        assert_eq!(c.write(b"body"), Take::All);
        // Trailers and their blank line do not run it again.
        assert!(c.header_line(b"X-Trailer: 1\r\n"));
        assert!(c.header_line(b"\r\n"));
        assert_eq!(*seen.lock().unwrap(), vec![200]);
        assert!(c.stop_error().is_none());
    }

    #[test]
    fn on_head_abort_stops_before_the_body_naming_the_hook() {
        let (mut c, _) = counting(false);
        assert!(c.header_line(b"HTTP/2 200 \r\n"));
        assert!(!c.header_line(b"\r\n"));
        let e = c.stop_error().unwrap();
        assert_eq!(e.code, Code::Aborted);
        assert_eq!(e.message, "a headers hook aborted the request");
        assert!(c.body.is_empty());
    }

    #[test]
    fn a_pulled_hop_hands_its_head_over_before_the_body_and_pauses_when_full() {
        let pull = Pull::new();
        let mut c = Collector::new(0, 0, None, true);
        c.set_pull(pull.clone());
        head(&mut c, &["HTTP/1.1 100 Continue", ""]);
        assert!(!pull.has_head(), "an interim head is not the response's");
        head(&mut c, &["HTTP/1.1 200 OK", "Content-Length: 9"]);
        assert!(!pull.has_head());
        head(&mut c, &[""]);
        assert_eq!(pull.take_head().unwrap().status, 200);
        assert!(c.pulled());
        let chunk = vec![7u8; crate::core::pull::HIGH_WATER];
        assert_eq!(c.write(&chunk), Take::All);
        assert_eq!(c.write(b"more"), Take::Pause);
        assert!(pull.take_paused());
        assert!(c.body.is_empty());
        let mut buf = vec![0u8; crate::core::pull::HIGH_WATER];
        assert_eq!(pull.read(&mut buf), crate::core::pull::HIGH_WATER);
        assert_eq!(c.write(b"more"), Take::All);
        assert_eq!(pull.unread(), 4);
    }

    #[test]
    fn a_pulled_hop_fills_the_lent_buffer_then_pauses() {
        let pull = Pull::new();
        let mut c = Collector::new(0, 0, None, true);
        c.set_pull(pull.clone());
        head(&mut c, &["HTTP/1.1 200 OK", ""]);
        let _ = pull.take_head();
        let mut buf = [0u8; 10];
        let mut lent = Lent::new(&mut buf);
        // Room left: taken, the transfer goes on.
        assert_eq!(c.write_into(b"abcd", Some(&mut lent)), Take::All);
        assert!(!pull.take_paused());
        // Filled (the end kept): taken, and the transfer pauses for the
        // reader, so the rest of the step is not copied aside.
        assert_eq!(
            c.write_into(b"efghijkl", Some(&mut lent)),
            Take::AllThenPause
        );
        assert!(pull.take_paused());
        assert_eq!(&buf, b"abcdefghij");
        assert_eq!(pull.unread(), 2);
        // No reader waiting: kept, no pause below the mark.
        assert_eq!(c.write(b"mn"), Take::All);
        assert!(!pull.take_paused());
    }

    #[test]
    fn a_pulled_redirect_is_skipped_and_hands_nothing_over() {
        let pull = Pull::new();
        let mut c = Collector::new(0, 0, None, true);
        c.set_pull(pull.clone());
        head(&mut c, &["HTTP/1.1 302 Found", "Location: /x", ""]);
        assert!(!pull.has_head());
        assert_eq!(c.write(b"moved"), Take::All);
        assert_eq!(pull.unread(), 0);
        assert_eq!(c.body, b"moved");
    }

    #[test]
    fn streams_final_but_buffers_followed_redirect() {
        let sink = Arc::new(Count(Default::default()));
        let mut c = Collector::new(0, 0, Some(sink.clone()), true);
        head(&mut c, &["HTTP/1.1 302 Found", "Location: /x"]);
        c.write(b"moved");
        assert_eq!(c.body, b"moved");
        assert_eq!(*sink.0.lock().unwrap(), 0);
        let mut c = Collector::new(0, 0, Some(sink.clone()), true);
        head(&mut c, &["HTTP/1.1 200 OK"]);
        c.write(b"streamed");
        assert!(c.body.is_empty());
        assert_eq!(*sink.0.lock().unwrap(), 8);
    }
}

#[cfg(test)]
mod decoding_tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), Default::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn collector(lines: &[&str]) -> Collector {
        let mut c = Collector::new(1 << 20, 0, None, true);
        for l in lines {
            c.header_line(l.as_bytes());
        }
        c
    }

    #[test]
    fn decodes_and_caps_the_decoded_size() {
        let mut c = collector(&["HTTP/1.1 200 OK", "Content-Encoding: gzip"]);
        assert_eq!(c.write(&gzip(b"hello")), Take::All);
        assert_eq!(c.body, b"hello");
        let mut c = collector(&["HTTP/1.1 200 OK", "Content-Encoding: gzip"]);
        assert_eq!(c.write(&gzip(&vec![0; 2 << 20])), Take::Stop);
        assert_eq!(c.stop_error().unwrap().code, Code::BodyTooLarge);
        assert!(c.body.len() <= 1 << 20);
    }

    #[test]
    fn garbage_is_recv_but_not_on_a_followed_redirect() {
        let mut c = collector(&["HTTP/1.1 200 OK", "Content-Encoding: gzip"]);
        assert_eq!(c.write(b"not gzip"), Take::Stop);
        assert_eq!(c.stop_error().unwrap().code, Code::Recv);
        let mut c = collector(&[
            "HTTP/1.1 302 Found",
            "Location: /",
            "Content-Encoding: gzip",
        ]);
        assert_eq!(c.write(b"not gzip"), Take::All);
        assert_eq!(c.body, b"not gzip");
        assert!(c.stop_error().is_none());
    }

    #[test]
    fn a_followed_redirect_keeps_only_its_start() {
        let mut c = collector(&["HTTP/1.1 301 Moved", "Location: /"]);
        for _ in 0..10 {
            assert_eq!(c.write(&[b'x'; 50_000]), Take::All);
        }
        assert_eq!(c.body.len(), defaults::HISTORY_BODY);
        // counted against the cap all the same
        assert_eq!(c.write(&vec![b'x'; 1 << 20]), Take::Stop);
        assert_eq!(c.stop_error().unwrap().code, Code::BodyTooLarge);
    }
}
