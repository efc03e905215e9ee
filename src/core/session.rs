//! A session: defaults layered under each request, a cookie jar, and a pool
//! of lanes that keeps connections alive between sends. Safe to share across
//! threads: each send checks a lane out for its own use.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use super::cancel::CancelToken;
use super::config;
use super::cookies::CookieJar;
use super::digest::Nonces;
use super::error::Result;
use super::layers::Layer;
use super::request::Request;
use super::response::Response;
use super::send::send;
use super::stream::{self, Stream};
use super::transfer::{Driver, NewLane};

/// How many idle lanes a session keeps (each holds its own connections).
/// More are made when every lane is busy; the extra ones are dropped.
pub const MAX_IDLE_LANES: usize = 8;

/// The session's defaults and the global config, and the two merged.
type MergedLayers = (Arc<Layer>, Arc<Layer>, Arc<Layer>);

pub struct Session<T: NewLane> {
    defaults: RwLock<Arc<Layer>>,
    /// What every lane of the session shares.
    shared: Arc<T::Shared>,
    /// See `layers`.
    merged: Mutex<Option<MergedLayers>>,
    pub jar: Arc<CookieJar>,
    /// The digest nonces the session's sends learnt, reused by the next ones.
    pub nonces: Arc<Nonces>,
    idle: Mutex<Vec<T>>,
}

impl<T: Driver + NewLane> Default for Session<T> {
    fn default() -> Self {
        Session {
            defaults: RwLock::default(),
            shared: Arc::default(),
            merged: Mutex::new(None),
            jar: Arc::new(CookieJar::new()),
            nonces: Arc::new(Nonces::new()),
            idle: Mutex::new(Vec::new()),
        }
    }
}

impl<T: Driver + NewLane> Session<T> {
    pub fn new() -> Session<T> {
        Session::default()
    }

    pub fn defaults(&self) -> Arc<Layer> {
        self.defaults
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Changes the session's defaults; sends see them from their next start.
    pub fn edit_defaults<R>(&self, f: impl FnOnce(&mut Layer) -> Result<R>) -> Result<R> {
        let mut guard = self
            .defaults
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut next = Layer::clone(&guard);
        let out = f(&mut next)?;
        *guard = Arc::new(next);
        // Let go of what the old defaults held (hook registrations).
        *self.merged.lock().unwrap_or_else(PoisonError::into_inner) = None;
        Ok(out)
    }

    /// The session's defaults over the global config over the built-in
    /// defaults, merged once and kept
    /// until either changes (sends are far more frequent than setters).
    /// Not cached while a log sink is set: the cache must not keep a
    /// replaced sink (and its userdata) alive.
    pub fn layers(&self) -> Arc<Layer> {
        let (mine, global) = (self.defaults(), config::global());
        if mine.options.log.is_some() || global.options.log.is_some() {
            return Arc::new(mine.over(&global).over_builtin());
        }
        let mut cache = self.merged.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((m, g, merged)) = &*cache {
            if Arc::ptr_eq(m, &mine) && Arc::ptr_eq(g, &global) {
                return merged.clone();
            }
        }
        let merged = Arc::new(mine.over(&global).over_builtin());
        *cache = Some((mine, global, merged.clone()));
        merged
    }

    /// Sends `request` with the session's defaults over the global config,
    /// its cookies and one of its lanes; an owned `request` (a copy made for
    /// this send) is taken apart instead of copied again.
    pub fn send<'a>(
        &self,
        request: impl Into<std::borrow::Cow<'a, Request>>,
        cancel: &CancelToken,
    ) -> Result<Box<Response>> {
        let below = self.layers();
        let mut lane = self.checkout();
        let result = send(
            request,
            &below,
            &mut lane,
            cancel,
            Some(self.jar.clone()),
            Some(self.nonces.clone()),
        );
        // A send that failed may have ended a transfer early (cancel,
        // timeout, a hook's abort, the body cap). On HTTP/2 libcurl only
        // resets the stream and keeps the connection, which the server may
        // then refuse to serve; a hook's abort promises no reuse at all. The
        // simplest sure way: drop the lane with its connections (the DNS
        // and TLS session caches are shared, so little is lost).
        if result.is_ok() {
            self.checkin(lane);
        }
        result
    }

    /// Opens `request` as a stream (`stream::open`) with the session's
    /// defaults, cookies and one of its lanes. The stream holds the lane,
    /// and the session, until it ends: a stream whose whole body arrived
    /// gives the lane back to the pool; any other drops it with its
    /// connection. Streams may be opened from several threads at once:
    /// each holds a lane of its own.
    pub fn open(
        self: &Arc<Self>,
        request: &Request,
        cancel: &CancelToken,
    ) -> Result<(Box<Response>, Stream<T>)>
    where
        T: Send + 'static,
    {
        let below = self.layers();
        let lane = self.checkout();
        let session = self.clone();
        stream::open(
            request,
            &below,
            lane,
            cancel,
            Some(self.jar.clone()),
            Some(self.nonces.clone()),
            Some(Box::new(move |lane| session.checkin(lane))),
        )
    }

    /// The most recently used idle lane (its connections are the warmest),
    /// or a new one when all are busy: a hook may send through its own
    /// session without waiting for the lane its send holds.
    pub fn checkout(&self) -> T {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_else(|| T::new_lane(&self.shared))
    }

    pub fn checkin(&self, lane: T) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE_LANES {
            idle.push(lane);
        }
    }
}
