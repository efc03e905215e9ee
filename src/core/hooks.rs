//! Event hooks, as in Requests: ARGS once per send on a per-send copy of the
//! request; PRE_REQUEST, POST_REQUEST, HEADERS and RESPONSE once per
//! transfer (each redirect hop, each attempt). HEADERS (Typhoeus'
//! `on_headers`) runs when a hop's final head is in, before any body byte. Session hooks run before request hooks, each kind in
//! registration order. The same dispatch serves single sends and batches.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::error::{Code, Error, Result};
use super::log::{HopLog, Level};
use super::request::Request;
use super::response::Response;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HookKind {
    Args,
    PreRequest,
    PostRequest,
    /// The hop's final status and headers are in; no body byte yet.
    Headers,
    Response,
}

impl HookKind {
    pub fn name(self) -> &'static str {
        match self {
            HookKind::Args => "args",
            HookKind::PreRequest => "pre_request",
            HookKind::PostRequest => "post_request",
            HookKind::Headers => "headers",
            HookKind::Response => "response",
        }
    }

    /// The kind with its article, for messages: "an args hook".
    pub fn with_article(self) -> String {
        let article = if self == HookKind::Args { "an" } else { "a" };
        format!("{article} {} hook", self.name())
    }
}

/// The warnings of one send's hooks (REQC_HOOK_RESULT_ERROR), kept for its
/// response; shared with the POST_REQUEST hooks that run in a callback.
#[derive(Clone, Debug, Default)]
pub struct Warnings(Arc<Mutex<Vec<String>>>);

impl Warnings {
    pub fn push(&self, warning: String) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(warning);
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// What a hook asks for after it ran.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Something went wrong in the hook: log a warning, go on.
    Warn,
    /// End the send with `Code::Aborted`.
    Abort,
}

/// What the transfer knew once the request was sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SentInfo {
    /// Shared text: a lane hands the same IP to each transfer it retires
    /// on that address without a copy.
    pub remote_ip: Arc<str>,
    pub remote_port: u16,
    pub reused_connection: bool,
}

/// What a hook of each kind may see and change.
pub enum HookData<'a> {
    /// ARGS: the per-send copy of the request (anything may change).
    /// PRE_REQUEST: the prepared hop (headers may change).
    Request(&'a mut Request),
    /// POST_REQUEST.
    Sent(&'a SentInfo),
    /// HEADERS: the hop's response as far as it is known (status, headers,
    /// URL, HTTP version, remote address, the request sent; no body) and
    /// the connection as POST_REQUEST sees it. Only
    /// to read: changes are not kept (`&mut` so a binding can lend it
    /// without a copy).
    Head(&'a mut Response, &'a SentInfo),
    /// RESPONSE: the hop's response; may be changed or replaced.
    Response(&'a mut Response),
}

pub struct HookCall<'a> {
    pub kind: HookKind,
    /// Which transfer of the send, from 0 (0 for ARGS).
    pub hop: u32,
    /// Which attempt at this hop, from 1 (retries count up; 1 for ARGS).
    pub attempt: u32,
    pub data: HookData<'a>,
}

pub trait Hook: Send + Sync {
    fn call(&self, call: &mut HookCall<'_>) -> Flow;
}

/// A registration's id, unique in the process (never 0), so a caller can
/// remove exactly the hook it added, as Requests' `deregister_hook` does.
pub type HookId = u64;

/// The next id; process-wide so an id from one request or session never
/// removes another's hook by accident.
static NEXT_HOOK_ID: AtomicU64 = AtomicU64::new(1);

/// Registrations, shared by every copy of their request or session.
#[derive(Clone, Default)]
pub struct HookList(Vec<(HookId, HookKind, Arc<dyn Hook>)>);

impl HookList {
    /// Adds `hook` after the others of its kind and returns its id.
    pub fn add(&mut self, kind: HookKind, hook: Arc<dyn Hook>) -> HookId {
        let id = NEXT_HOOK_ID.fetch_add(1, Ordering::Relaxed);
        self.0.push((id, kind, hook));
        id
    }

    /// Removes the registration `id`; false when this list has none. The
    /// hook itself is dropped when no copy or running send holds it.
    pub fn remove(&mut self, id: HookId) -> bool {
        let before = self.0.len();
        self.0.retain(|(i, _, _)| *i != id);
        self.0.len() != before
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, kind: HookKind) -> bool {
        self.0.iter().any(|(_, k, _)| *k == kind)
    }

    /// `lower`'s hooks first (the session's), then `self`'s (the request's).
    pub fn after(&self, lower: &HookList) -> HookList {
        let mut all = lower.0.clone();
        all.extend(self.0.iter().cloned());
        HookList(all)
    }

    /// Runs the hooks of `kind` in order. A warning goes to `warnings` and
    /// to the log, naming the kind and the request (`what`: method and
    /// URL); an abort ends the run with `Code::Aborted`, naming them too.
    pub fn run(
        &self,
        kind: HookKind,
        (hop, attempt): (u32, u32),
        data: HookData<'_>,
        log: Option<&HopLog>,
        what: &str,
        warnings: &Warnings,
    ) -> Result<()> {
        let mut call = HookCall {
            kind,
            hop,
            attempt,
            data,
        };
        for (_, _, hook) in self.0.iter().filter(|(_, k, _)| *k == kind) {
            match hook.call(&mut call) {
                Flow::Continue => {}
                Flow::Warn => {
                    warnings.push(format!(
                        "{} reported an error at hop {hop}: {what}",
                        kind.with_article()
                    ));
                    if let Some(log) = log {
                        log.emit(
                            Level::Requests,
                            &format!(
                                "{}   WARNING   {} reported an error   {what}",
                                super::log::timestamp(),
                                kind.with_article()
                            ),
                        );
                    }
                }
                Flow::Abort => {
                    return Err(Error::new(
                        Code::Aborted,
                        format!("{} aborted the request: {what}", kind.with_article()),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for HookList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kinds: Vec<&str> = self.0.iter().map(|(_, k, _)| k.name()).collect();
        write!(f, "HookList({kinds:?})")
    }
}
