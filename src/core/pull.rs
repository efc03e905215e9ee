//! The hand-over between a pulled transfer and its reader (`core::stream`):
//! the final hop's head once it is in, and the decoded body bytes.
//!
//! While the reader waits in a read, its buffer is lent to the collector
//! (`Lent`): body bytes go straight into it, one copy from libcurl's buffer
//! to the reader's. Once they fill it, the transfer pauses (having taken
//! them all: `Take::AllThenPause`) until the next read, so the rest of the
//! network step waits in the socket rather than being copied aside. What
//! does not fit (the end of the network read that filled the buffer, or
//! what arrives while no read waits, at open time) is kept here for the
//! next reads, at most about `HIGH_WATER` of it: past that the collector
//! refuses bytes and the transport pauses the transfer, which the reader
//! resumes once it has taken them all. So a slow reader holds about one
//! buffer, never the body.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};

use super::head::Head;

/// How many kept bytes make the collector refuse more and pause the
/// transfer: two of the network reads a transport makes for a pulled hop
/// (64 KiB), small against any body. Only bytes that arrive while no read
/// waits pile up (a read pauses the transfer once its buffer is full): the
/// open's step, which takes the head and the body's first reads. The read
/// that crosses the mark is kept whole, and the transport may hold one
/// more while paused: what an unread stream holds is about twice this.
pub const HIGH_WATER: usize = 128 * 1024;

/// Shared by the collector (in the transport's callbacks) and the reader;
/// both run on the thread that reads, the lock only makes it `Send`.
#[derive(Clone, Default)]
pub struct Pull(Arc<Mutex<Inner>>);

#[derive(Default)]
struct Inner {
    /// The final hop's head, once complete.
    head: Option<Head>,
    /// Body bytes the reader has not taken yet, oldest first (a ring: taking
    /// bytes never moves the others).
    kept: VecDeque<u8>,
    /// The collector paused the transfer and it was not resumed yet.
    paused: bool,
}

/// The reader's buffer, lent to the collector for as long as the reader
/// waits in one read: body bytes are written into it first.
pub struct Lent<'a> {
    buf: &'a mut [u8],
    filled: usize,
}

impl<'a> Lent<'a> {
    pub fn new(buf: &'a mut [u8]) -> Lent<'a> {
        Lent { buf, filled: 0 }
    }

    /// How many bytes were written into the buffer.
    pub fn filled(&self) -> usize {
        self.filled
    }

    /// How many bytes the buffer can still take.
    pub fn room(&self) -> usize {
        self.buf.len() - self.filled
    }

    /// The part not written yet (for a transport that lends it on).
    pub fn rest(&mut self) -> &mut [u8] {
        &mut self.buf[self.filled..]
    }

    /// Counts `n` more bytes written into `rest()`.
    pub fn advance(&mut self, n: usize) {
        self.filled = (self.filled + n).min(self.buf.len());
    }

    /// Copies as much of `data` as fits; returns how much.
    fn put(&mut self, data: &[u8]) -> usize {
        let rest = self.rest();
        let n = rest.len().min(data.len());
        rest[..n].copy_from_slice(&data[..n]);
        self.filled += n;
        n
    }
}

impl Pull {
    pub fn new() -> Pull {
        Pull::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The final hop's head is in.
    pub fn set_head(&self, head: Head) {
        self.lock().head = Some(head);
    }

    /// True once the final hop's head is in.
    pub fn has_head(&self) -> bool {
        self.lock().head.is_some()
    }

    /// The final hop's head, once (later calls: `None`).
    pub fn take_head(&self) -> Option<Head> {
        self.lock().head.take()
    }

    /// True when `HIGH_WATER` bytes or more are kept for the reader: the
    /// collector takes no more and pauses the transfer (`paused`).
    pub fn full(&self) -> bool {
        self.lock().kept.len() >= HIGH_WATER
    }

    /// Hands decoded body bytes over: into the reader's buffer while it
    /// waits in a read (`lent`) and as far as they fit, the rest kept for
    /// the next reads. Bytes go to the buffer only while none are kept, so
    /// the reader gets them in order.
    pub fn push(&self, data: &[u8], lent: Option<&mut Lent<'_>>) {
        let mut inner = self.lock();
        let direct = match lent {
            Some(lent) if inner.kept.is_empty() => lent.put(data),
            _ => 0,
        };
        inner.kept.extend(&data[direct..]);
    }

    /// Records that the collector paused the transfer.
    pub fn set_paused(&self) {
        self.lock().paused = true;
    }

    /// True when the transfer was paused; it counts as resumed from now on.
    pub fn take_paused(&self) -> bool {
        std::mem::take(&mut self.lock().paused)
    }

    /// How many kept bytes the reader can take now.
    pub fn unread(&self) -> usize {
        self.lock().kept.len()
    }

    /// Moves up to `buf.len()` kept bytes into `buf`; returns how many.
    pub fn read(&self, buf: &mut [u8]) -> usize {
        let kept = &mut self.lock().kept;
        // A VecDeque reads from one of its two slices at a time; reading
        // one cannot fail.
        let mut n = 0;
        while n < buf.len() {
            match kept.read(&mut buf[n..]) {
                Ok(0) | Err(_) => break,
                Ok(m) => n += m,
            }
        }
        n
    }

    /// Lets go of the kept bytes' memory (the reader is done).
    pub fn clear(&self) {
        self.lock().kept = VecDeque::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_come_out_in_order_across_partial_reads() {
        let pull = Pull::new();
        pull.push(b"hello ", None);
        let mut buf = [0u8; 4];
        assert_eq!(pull.read(&mut buf), 4);
        assert_eq!(&buf, b"hell");
        pull.push(b"world", None);
        let mut rest = [0u8; 32];
        let n = pull.read(&mut rest);
        assert_eq!(&rest[..n], b"o world");
        assert_eq!(pull.unread(), 0);
    }

    #[test]
    fn a_read_takes_kept_bytes_across_the_ring_s_wrap() {
        let pull = Pull::new();
        let mut sink = vec![0u8; HIGH_WATER];
        let mut expected = Vec::new();
        let mut got = Vec::new();
        for round in 0..50u32 {
            let piece: Vec<u8> = (0..3000 + round * 17).map(|i| (i % 251) as u8).collect();
            pull.push(&piece, None);
            expected.extend_from_slice(&piece);
            let n = pull.read(&mut sink[..2000 + round as usize * 11]);
            got.extend_from_slice(&sink[..n]);
        }
        while pull.unread() > 0 {
            let n = pull.read(&mut sink);
            got.extend_from_slice(&sink[..n]);
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn full_at_the_high_water_mark() {
        let pull = Pull::new();
        pull.push(&vec![0; HIGH_WATER - 1], None);
        assert!(!pull.full());
        pull.push(b"x", None);
        assert!(pull.full());
        let mut buf = vec![0; 10];
        pull.read(&mut buf);
        assert!(!pull.full());
    }

    #[test]
    fn a_lent_buffer_is_filled_first_and_the_rest_kept_in_order() {
        let pull = Pull::new();
        let mut buf = [0u8; 8];
        let mut lent = Lent::new(&mut buf);
        pull.push(b"abcde", Some(&mut lent));
        pull.push(b"fghij", Some(&mut lent));
        assert_eq!(lent.filled(), 8);
        // Once bytes are kept, later ones are kept after them.
        pull.push(b"k", Some(&mut lent));
        assert_eq!(&buf, b"abcdefgh");
        let mut rest = [0u8; 8];
        let n = pull.read(&mut rest);
        assert_eq!(&rest[..n], b"ijk");
        // Kept bytes first: a lent buffer with room gets nothing meanwhile.
        pull.push(b"12", None);
        let mut other = [0u8; 8];
        let mut lent = Lent::new(&mut other);
        pull.push(b"34", Some(&mut lent));
        assert_eq!(lent.filled(), 0);
        let n = pull.read(&mut rest);
        assert_eq!(&rest[..n], b"1234");
    }
}
