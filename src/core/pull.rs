//! The hand-over between a pulled transfer and its reader (`core::stream`):
//! the final hop's head once it is in, and the decoded body bytes the
//! reader has not taken yet, at most about `HIGH_WATER` of them. The
//! collector fills it from the transport's callbacks; when it holds
//! `HIGH_WATER` bytes the collector asks the transport to pause the
//! transfer, and the reader resumes it once it has taken them all. So a slow
//! reader holds one such buffer, never the body.

use std::sync::{Arc, Mutex, PoisonError};

use super::head::Head;

/// How many unread bytes make the collector pause the transfer: four of
/// libcurl's default write chunks (16 KiB), enough that a reader with a
/// usual buffer rarely waits on the network, small against any body.
pub const HIGH_WATER: usize = 64 * 1024;

/// Shared by the collector (in the transport's callbacks) and the reader;
/// both run on the thread that reads, the lock only makes it `Send`.
#[derive(Clone, Default)]
pub struct Pull(Arc<Mutex<Inner>>);

#[derive(Default)]
struct Inner {
    /// The final hop's head, once complete.
    head: Option<Head>,
    /// Unread bytes are `bytes[start..]`.
    bytes: Vec<u8>,
    start: usize,
    /// The collector paused the transfer and it was not resumed yet.
    paused: bool,
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

    /// True when the reader has `HIGH_WATER` bytes or more to take: the
    /// collector takes no more and pauses the transfer (`paused`).
    pub fn full(&self) -> bool {
        let inner = self.lock();
        inner.bytes.len() - inner.start >= HIGH_WATER
    }

    /// Appends decoded body bytes.
    pub fn push(&self, data: &[u8]) {
        let mut inner = self.lock();
        if inner.start > 0 {
            // Unread bytes to the front: the buffer never grows past
            // what is unread plus one chunk.
            let start = inner.start;
            inner.bytes.drain(..start);
            inner.start = 0;
        }
        inner.bytes.extend_from_slice(data);
    }

    /// Records that the collector paused the transfer.
    pub fn set_paused(&self) {
        self.lock().paused = true;
    }

    /// True when the transfer was paused; it counts as resumed from now on.
    pub fn take_paused(&self) -> bool {
        std::mem::take(&mut self.lock().paused)
    }

    /// How many bytes the reader can take now.
    pub fn unread(&self) -> usize {
        let inner = self.lock();
        inner.bytes.len() - inner.start
    }

    /// Moves up to `buf.len()` unread bytes into `buf`; returns how many.
    pub fn read(&self, buf: &mut [u8]) -> usize {
        let mut inner = self.lock();
        let start = inner.start;
        let n = buf.len().min(inner.bytes.len() - start);
        buf[..n].copy_from_slice(&inner.bytes[start..start + n]);
        inner.start += n;
        if inner.start == inner.bytes.len() {
            inner.bytes.clear();
            inner.start = 0;
        }
        n
    }

    /// Lets go of the buffer's memory (the reader is done).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.bytes = Vec::new();
        inner.start = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_come_out_in_order_across_partial_reads() {
        let pull = Pull::new();
        pull.push(b"hello ");
        let mut buf = [0u8; 4];
        assert_eq!(pull.read(&mut buf), 4);
        assert_eq!(&buf, b"hell");
        pull.push(b"world");
        let mut rest = [0u8; 32];
        let n = pull.read(&mut rest);
        assert_eq!(&rest[..n], b"o world");
        assert_eq!(pull.unread(), 0);
    }

    #[test]
    fn full_at_the_high_water_mark() {
        let pull = Pull::new();
        pull.push(&vec![0; HIGH_WATER - 1]);
        assert!(!pull.full());
        pull.push(b"x");
        assert!(pull.full());
        let mut buf = vec![0; 10];
        pull.read(&mut buf);
        assert!(!pull.full());
    }
}
