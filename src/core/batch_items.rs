//! The items added to a batch: each one's entry (its request until it
//! starts, then its result until taken), found by its index, and the queue
//! of those not started yet.
//!
//! Kept to 16 bytes an item, for a batch may be given millions. No index
//! is stored per entry: items added one after another have consecutive
//! indexes, so only where a source-fed item (which has no entry) took an
//! index between two adds is a jump recorded. The queue is a cursor over
//! the entries, in the order they were added, after the few items put back
//! in front of it (one that waited for room at its host). Storing each
//! entry's index beside it and each queued index in a queue of its own
//! cost 32 bytes an item: a 10,000-item batch's heap peaked 140 KB higher.

use std::collections::VecDeque;
use std::sync::Arc;

use super::error::{Error, Result};
use super::request::Request;
use super::response::Response;

/// Kept small (every payload boxed: 16 bytes, where an unboxed `Error`
/// made it 40).
pub(super) enum Entry {
    /// Shared with the handle it was added from (and every other item added
    /// from it unchanged): an item added N times is one request.
    Pending(Arc<Request>),
    Running,
    Done(Box<Result<Box<Response>>>),
    /// Handed to `on_complete` or taken; the error, if it failed, stays for
    /// `item_error`.
    Gone(Option<Box<Error>>),
}

#[derive(Default)]
pub(super) struct Items {
    /// The added items, in the order added (their indexes only grow).
    entries: Vec<Entry>,
    /// `(position, index)` of each entry whose index does not follow the
    /// one before it, the first entry's included: from one jump to the
    /// next, the entries' indexes are consecutive. One jump unless a
    /// source fed items between two adds.
    jumps: Vec<(usize, usize)>,
    /// Items put back at the head of the queue, first in line.
    requeued: VecDeque<usize>,
    /// The position of the first entry not taken from the queue yet.
    cursor: usize,
    /// The next item's index: added and source-fed items count together.
    pub next_index: usize,
    /// The failure of the source-fed item whose result `on_complete` is
    /// being handed, for `item_error` during that call.
    pub handing: Option<(usize, Error)>,
}

impl Items {
    /// Adds an item that runs `request`, at the end of the queue; returns
    /// its index.
    pub fn add(&mut self, request: Arc<Request>) -> usize {
        let index = self.next_index;
        self.next_index += 1;
        let at = self.entries.len();
        let follows = self
            .jumps
            .last()
            .is_some_and(|&(position, first)| first + (at - position) == index);
        if !follows {
            self.jumps.push((at, index));
        }
        self.entries.push(Entry::Pending(request));
        index
    }

    pub fn entry(&self, index: usize) -> Option<&Entry> {
        self.position(index).map(|at| &self.entries[at])
    }

    pub fn entry_mut(&mut self, index: usize) -> Option<&mut Entry> {
        self.position(index).map(|at| &mut self.entries[at])
    }

    /// True when item `index` was added (a source-fed item has no entry).
    pub fn is_added(&self, index: usize) -> bool {
        self.position(index).is_some()
    }

    /// The next item to start: one put back first, then the added items
    /// in the order added.
    pub fn pop_queued(&mut self) -> Option<usize> {
        if let Some(index) = self.requeued.pop_front() {
            return Some(index);
        }
        if self.cursor == self.entries.len() {
            return None;
        }
        let index = self.index_at(self.cursor);
        self.cursor += 1;
        Some(index)
    }

    /// Puts item `index` back at the head of the queue.
    pub fn requeue(&mut self, index: usize) {
        self.requeued.push_front(index);
    }

    pub fn queue_is_empty(&self) -> bool {
        self.requeued.is_empty() && self.cursor == self.entries.len()
    }

    /// Empties the queue; returns what it held, in order.
    pub fn drain_queue(&mut self) -> Vec<usize> {
        let mut queued: Vec<usize> = self.requeued.drain(..).collect();
        queued.extend((self.cursor..self.entries.len()).map(|at| self.index_at(at)));
        self.cursor = self.entries.len();
        queued
    }

    /// Where item `index`'s entry is, if it has one.
    fn position(&self, index: usize) -> Option<usize> {
        // The last jump at or before `index`.
        let jump = self
            .jumps
            .partition_point(|&(_, first)| first <= index)
            .checked_sub(1)?;
        let (position, first) = self.jumps[jump];
        let at = position + (index - first);
        let end = self
            .jumps
            .get(jump + 1)
            .map_or(self.entries.len(), |&(next, _)| next);
        (at < end).then_some(at)
    }

    /// The index of the entry at `at` (< `entries.len()`, so there is a
    /// jump at 0).
    fn index_at(&self, at: usize) -> usize {
        let jump = self.jumps.partition_point(|&(position, _)| position <= at) - 1;
        let (position, first) = self.jumps[jump];
        first + (at - position)
    }
}

#[cfg(test)]
mod tests {
    use super::{Entry, Items};
    use crate::core::request::Request;
    use std::sync::Arc;

    fn request() -> Arc<Request> {
        Arc::new(Request::new("GET", "http://127.0.0.1/").unwrap())
    }

    /// What each added item costs beside its request: its entry alone.
    #[test]
    fn an_entry_stays_two_words() {
        assert_eq!(std::mem::size_of::<Entry>(), 16);
    }

    /// Indexes taken by source-fed items between adds (which have no
    /// entry) leave the added items found by their own indexes, and
    /// queued in the order added.
    #[test]
    fn added_items_are_found_by_index_around_source_fed_ones() {
        let mut items = Items::default();
        let mut added = Vec::new();
        // 0, 1 added; 2, 3 fed by a source; 4 added; 5 fed; 6, 7, 8 added.
        for fed in [false, false, true, true, false, true, false, false, false] {
            if fed {
                items.next_index += 1;
            } else {
                added.push(items.add(request()));
            }
        }
        assert_eq!(added, [0, 1, 4, 6, 7, 8]);
        for index in 0..12 {
            assert_eq!(
                items.is_added(index),
                added.contains(&index),
                "index {index}"
            );
        }
        *items.entry_mut(6).unwrap() = Entry::Running;
        assert!(matches!(items.entry(6), Some(Entry::Running)));
        assert!(matches!(items.entry(7), Some(Entry::Pending(_))));
        assert!(items.entry(5).is_none());

        assert_eq!(items.pop_queued(), Some(0));
        assert_eq!(items.pop_queued(), Some(1));
        items.requeue(0); // waited for room at its host
        assert_eq!(items.pop_queued(), Some(0));
        assert_eq!(items.pop_queued(), Some(4));
        items.requeue(1);
        assert!(!items.queue_is_empty());
        assert_eq!(items.drain_queue(), [1, 6, 7, 8]);
        assert!(items.queue_is_empty());
        assert_eq!(items.pop_queued(), None);
        // Added after the queue ran dry: queued again.
        assert_eq!(items.add(request()), 9);
        assert_eq!(items.pop_queued(), Some(9));
        assert_eq!(items.pop_queued(), None);
    }
}
