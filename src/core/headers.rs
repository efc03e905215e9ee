//! A response's header lines as received: every name and value in one
//! string, with where each one is. A head costs two allocations however
//! many lines it has (a pair of Strings per line cost two per line, and as
//! many frees with the response).

use std::fmt;

/// Header lines in received order; names as the server spelled them;
/// repeats kept.
#[derive(Clone, Default)]
pub struct Headers {
    /// Every name and value, back to back (and text of removed lines, until
    /// the headers are dropped: removals are rare and only move spans).
    text: String,
    /// Each line's name and value in `text`.
    spans: Vec<Span>,
}

/// One line: its name is `text[start..mid]`, its value `text[mid..end]`.
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    mid: usize,
    end: usize,
}

impl Headers {
    /// Room for `lines` lines of `bytes` bytes in all, at once.
    pub fn with_capacity(lines: usize, bytes: usize) -> Headers {
        Headers {
            text: String::with_capacity(bytes),
            spans: Vec::with_capacity(lines),
        }
    }

    /// Adds a line at the end.
    pub fn push(&mut self, name: &str, value: &str) {
        let start = self.text.len();
        self.text.push_str(name);
        let mid = self.text.len();
        self.text.push_str(value);
        self.spans.push(Span {
            start,
            mid,
            end: self.text.len(),
        });
    }

    /// Appends `more` to the last line's value, after one space (an
    /// obs-fold continuation line); nothing without a line.
    pub fn extend_last(&mut self, more: &str) {
        let Some(last) = self.spans.last().copied() else {
            return;
        };
        if last.end != self.text.len() {
            // Not at the end of the text (lines were removed after it): a
            // copy at the end, in its place, can grow.
            let (name, value) = self.span_text(last);
            let (name, value) = (name.to_owned(), value.to_owned());
            self.spans.pop();
            self.push(&name, &value);
        }
        self.text.push(' ');
        self.text.push_str(more);
        if let Some(last) = self.spans.last_mut() {
            last.end = self.text.len();
        }
    }

    /// Removes every line named `name` (ASCII case-insensitive).
    pub fn remove_all(&mut self, name: &str) {
        let text = &self.text;
        self.spans
            .retain(|s| !text[s.start..s.mid].eq_ignore_ascii_case(name));
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The `index`th line's name and value.
    pub fn at(&self, index: usize) -> Option<(&str, &str)> {
        self.spans.get(index).map(|&s| self.span_text(s))
    }

    /// Every line's name and value, in received order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &str)> + ExactSizeIterator + '_ {
        self.spans.iter().map(|&s| self.span_text(s))
    }

    /// The first value of `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.spans
            .iter()
            .find(|s| self.named(s, name))
            .map(|s| &self.text[s.mid..s.end])
    }

    /// Every value of `name` (ASCII case-insensitive), in received order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.spans
            .iter()
            .filter(move |s| self.named(s, name))
            .map(|s| &self.text[s.mid..s.end])
    }

    /// Whether line `s` is named `name`: a look-up compares names only, as
    /// bytes (the same comparison as `str`'s, without its char-boundary
    /// checks of the slice).
    #[inline]
    fn named(&self, s: &Span, name: &str) -> bool {
        self.text.as_bytes()[s.start..s.mid].eq_ignore_ascii_case(name.as_bytes())
    }

    #[inline]
    fn span_text(&self, s: Span) -> (&str, &str) {
        (&self.text[s.start..s.mid], &self.text[s.mid..s.end])
    }
}

/// Equal when the lines are (whatever text removed lines left behind).
impl PartialEq for Headers {
    fn eq(&self, other: &Headers) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Headers {}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(lines: I) -> Headers {
        let mut headers = Headers::default();
        for (name, value) in lines {
            headers.push(name.as_ref(), value.as_ref());
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_in_order_with_repeats_and_case_insensitive_lookup() {
        let mut h = Headers::with_capacity(4, 64);
        h.push("Content-Type", "text/plain");
        h.push("X-Multi", "a");
        h.push("x-multi", "b");
        assert_eq!(h.len(), 3);
        assert_eq!(h.at(1), Some(("X-Multi", "a")));
        assert_eq!(h.at(3), None);
        assert_eq!(h.get("X-MULTI"), Some("a"));
        assert_eq!(h.all("x-multi").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(h.get("none"), None);
    }

    #[test]
    fn removal_and_folding_keep_the_other_lines() {
        let mut h: Headers = [("A", "1"), ("B", "2"), ("a", "3")].into_iter().collect();
        h.remove_all("a");
        assert_eq!(h, [("B", "2")].into_iter().collect());
        h.push("C", "x");
        h.extend_last("y");
        assert_eq!(h.iter().collect::<Vec<_>>(), [("B", "2"), ("C", "x y")]);
        // The last line is no longer at the end of the text: still grows.
        h.push("D", "1");
        h.remove_all("d");
        h.extend_last("z");
        assert_eq!(h.iter().collect::<Vec<_>>(), [("B", "2"), ("C", "x y z")]);
        assert_eq!(format!("{h:?}"), r#"[("B", "2"), ("C", "x y z")]"#);
        let mut empty = Headers::default();
        empty.extend_last("nothing");
        assert!(empty.is_empty());
    }
}
