//! A batch: Requests' async `map`, as many exchanges at once on one lane of
//! a session (a curl multi handle), on the calling thread.
//!
//! At most `concurrency` transfers (and easy handles) exist at once; items
//! wait in a queue until a slot frees, so memory stays flat however many
//! items wait. Results are kept until taken, or handed to `on_complete` as
//! they land and not kept at all. Two locks, never held while calling out
//! to the caller: `items` (the queue and the results), briefly, so callbacks
//! may add items or read results; `run` (the lane and the exchanges in
//! flight) for a whole step, so only one thread drives at a time.
//!
//! The per-host cap is enforced here, not by libcurl: its
//! `CURLMOPT_MAX_HOST_CONNECTIONS` only limits new connections, so a pool
//! already holding idle ones would let every transfer run at once. An item
//! (or a redirect hop) whose host is at its cap waits until a transfer to
//! that host ends.
//!
//! A run is either driven by `perform` / `poll`, or started by
//! `start_watched` and driven by the caller's event loop (`act`); neither
//! takes over the other's run. The event loop's socket and timer callbacks
//! are installed on the lane for that run only. Whoever drives, the lane is
//! stepped and stopped (cancel, deadline) by the engine's one driver,
//! `drive`, as a blocking send's is.
//!
//! Items come from `add` (each kept, with its result, until the batch
//! goes) and then from the source (`set_source`), pulled one at a time when
//! a slot frees and nothing added waits: a source-fed item exists only
//! while it runs, its result goes to `on_complete` alone, and nothing of it
//! stays after, so a source of a million items costs what `concurrency` of
//! them cost. Both kinds share one running index.
//!
//! An item waiting to retry (`core::retry`) holds no transfer slot: it
//! sits in `Run::retries` with its not-before time, while the other items
//! run; `perform` and `poll` wait on the lane no longer than until the
//! first of those times, and a due retry takes the next free slot before
//! any queued item. Nothing sleeps.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, Instant};

use url::Url;

use super::batch_items::{Entry, Items};
use super::cancel::CancelToken;
use super::drive::{Stop, Stopped, Stops, STEP_WAIT};
use super::environment::Environment;
use super::error::{Code, Error, Result};
use super::layers::Layer;
use super::request::Request;
use super::response::Response;
use super::send::Exchange;
use super::session::Session;
use super::transfer::{Driver, Finished, NewLane, SocketWatcher};

pub const DEFAULT_CONCURRENCY: usize = 64;

/// Receives each item's result as it lands (index, result).
pub type OnComplete = Box<dyn FnMut(usize, Result<Box<Response>>) + Send>;

/// Pulls the batch's next request when a slot frees, given the index the
/// item gets: `Ok(Some(request))` runs it, `Ok(None)` ends the feed, an
/// error ends it too, and the run that pulled reports that error once
/// what is in flight has finished.
pub type Source = Box<dyn FnMut(usize) -> Result<Option<Request>> + Send>;

/// The source and where its feed stands.
#[derive(Default)]
struct Feed {
    /// Taken out while it is called (no lock is held while calling out).
    source: Option<Source>,
    /// False once the source said the end or failed: it is not called
    /// again until a new source is set.
    open: bool,
    /// The source's failure, for the call that ends the run to return.
    failure: Option<Error>,
}

/// Hashes the batch's own item indexes (keys no one else chooses, so no
/// flooding to resist): one multiplication instead of SipHash, which the
/// map of exchanges in flight otherwise pays several times per item. The
/// lane's map of running transfers, keyed by the same indexes, uses it too.
pub type ByIndex = BuildHasherDefault<IndexHasher>;

#[derive(Default)]
pub struct IndexHasher(u64);

impl Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `usize` keys reach it; any other key still hashes.
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        // Fibonacci hashing: spreads consecutive indexes over the high bits
        // the table's probe and tag bytes use.
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// What a batch holds while it runs: its lane and the exchanges in flight.
struct Run<T> {
    lane: T,
    below: Arc<Layer>,
    /// Boxed: an `Exchange` is ~1 KB, and a table of them inline costs
    /// that per bucket, empty ones too (128 buckets at concurrency 64),
    /// and twice over while it grows; boxed, a bucket is 16 bytes.
    exchanges: HashMap<usize, Box<Exchange>, ByIndex>,
    /// Items waiting to retry (their exchanges stay in `exchanges`), the
    /// earliest not-before time first.
    retries: BinaryHeap<Reverse<(Instant, usize)>>,
    /// In an event-loop run: the caller's watcher, whose one timer also
    /// wakes the first waiting retry.
    retry_timer: Option<Arc<RetryTimer>>,
    /// The batch's cancel and its deadline.
    stops: Stops,
    hosts: HostSlots,
    /// Started by `start_watched`: the caller's event loop drives it.
    watched: bool,
    /// A transfer ended early (an error, a cancel, the deadline). On HTTP/2
    /// libcurl only resets the stream and would pool the connection, which
    /// the server may then refuse to serve: the lane, with its connections,
    /// is dropped at the end of the run instead of going back to the pool.
    tainted: bool,
}

/// The caller's event loop as the lane sees it: sockets pass through, and
/// its one timer fires at the earlier of libcurl's time and the first
/// waiting retry's (libcurl knows nothing of the retries: without this an
/// event loop with only retries left would never be called back).
struct RetryTimer {
    watcher: Arc<dyn SocketWatcher>,
    times: Mutex<TimerTimes>,
}

#[derive(Default)]
struct TimerTimes {
    curl: Option<Instant>,
    retry: Option<Instant>,
    /// When the loop was last asked to call back.
    armed: Option<Instant>,
}

impl RetryTimer {
    /// The first waiting retry's time is `at` (`None`: none waits). Arms
    /// the loop's timer when that changed, and again when the loop's timer
    /// is spent while the retry is still ahead: the loop called back
    /// (`fired`), or the time armed last has passed. A loop may call back a
    /// little early (one that counts whole milliseconds from a truncated
    /// clock does), and then nothing else would call it again: libcurl,
    /// with no transfer left, asks for no timer of its own.
    fn set_retry(&self, at: Option<Instant>) {
        let mut times = lock(&self.times);
        let now = Instant::now();
        let spent = times.armed.is_none_or(|t| t <= now);
        if times.retry != at || (spent && at.is_some_and(|t| t > now)) {
            times.retry = at;
            self.arm(&mut times);
        }
    }

    /// The loop called back (a timeout action): the timer it was asked for
    /// is used up, whether or not its time had come.
    fn fired(&self) {
        lock(&self.times).armed = None;
    }

    fn arm(&self, times: &mut TimerTimes) {
        let at = match (times.curl, times.retry) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        times.armed = at;
        self.watcher
            .timer(at.map(|t| t.saturating_duration_since(Instant::now())));
    }
}

impl SocketWatcher for RetryTimer {
    fn watch(&self, socket: i64, what: super::transfer::Watch) {
        self.watcher.watch(socket, what);
    }

    fn timer(&self, after: Option<Duration>) {
        let mut times = lock(&self.times);
        times.curl = after.map(|d| Instant::now() + d);
        self.arm(&mut times);
    }
}

impl<T> Run<T> {
    /// Items holding a transfer slot: in flight, or about to start; not
    /// those waiting to retry.
    fn busy(&self) -> usize {
        self.exchanges.len().saturating_sub(self.retries.len())
    }

    /// `wait`, cut short to the first retry's not-before time.
    fn until_retry(&self, wait: Duration) -> Duration {
        match self.retries.peek() {
            Some(Reverse((at, _))) => wait.min(at.saturating_duration_since(Instant::now())),
            None => wait,
        }
    }
}

/// How a call wants the run.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Drive {
    /// `perform` / `poll`: a run of their own, or the one they started.
    Loop,
    /// `start_watched`: a new event-loop run; refused if one is under way.
    Start,
    /// `act`: the event-loop run (one starts if none is under way).
    Event,
}

/// The per-host cap: transfers in flight per host, and who waits for one.
#[derive(Default)]
struct HostSlots {
    /// 0: no cap, and no bookkeeping at all.
    cap: usize,
    in_flight: HashMap<String, usize>,
    /// The host of each item's transfer in flight.
    of_item: HashMap<usize, String>,
    /// Queued items (not started yet) waiting for room at their host.
    parked: HashMap<String, VecDeque<usize>>,
    /// Started items whose next hop (a redirect, or a host an ARGS hook
    /// chose) waits for room at its host.
    waiting: VecDeque<usize>,
}

/// What the cap counts as one host: name and port, as libcurl does.
fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}

impl HostSlots {
    fn has_room(&self, host: &str) -> bool {
        self.cap == 0 || self.in_flight.get(host).copied().unwrap_or(0) < self.cap
    }

    fn started(&mut self, index: usize, host: String) {
        if self.cap > 0 {
            *self.in_flight.entry(host.clone()).or_default() += 1;
            self.of_item.insert(index, host);
        }
    }

    /// Item `index`'s transfer ended; returns a parked item that may now
    /// start, if any.
    fn ended(&mut self, index: usize) -> Option<usize> {
        if self.cap == 0 {
            // No cap: nothing was recorded (and hashing to find so costs).
            return None;
        }
        let host = self.of_item.remove(&index)?;
        if let Some(n) = self.in_flight.get_mut(&host) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.in_flight.remove(&host);
            }
        }
        let parked = self.parked.get_mut(&host)?;
        let next = parked.pop_front();
        if parked.is_empty() {
            self.parked.remove(&host);
        }
        next
    }

    fn park(&mut self, host: String, index: usize) {
        self.parked.entry(host).or_default().push_back(index);
    }
}

/// Queued item `index`'s request, now running; `None` when it was parked
/// to wait for room at its host (or is not pending).
fn take_queued(items: &mut Items, hosts: &mut HostSlots, index: usize) -> Option<Arc<Request>> {
    let entry = items.entry_mut(index)?;
    if let Entry::Pending(request) = &*entry {
        if hosts.cap > 0 {
            let host = host_key(&request.url);
            if !hosts.has_room(&host) {
                hosts.park(host, index);
                return None;
            }
        }
    }
    match std::mem::replace(entry, Entry::Running) {
        Entry::Pending(request) => Some(request),
        other => {
            *entry = other;
            None
        }
    }
}

#[derive(Clone, Copy)]
struct Settings {
    concurrency: usize,
    per_host: usize,
    timeout: Option<Duration>,
}

pub struct Batch<T: NewLane> {
    session: Arc<Session<T>>,
    settings: Mutex<Settings>,
    items: Mutex<Items>,
    run: Mutex<Option<Run<T>>>,
    on_complete: Mutex<Option<OnComplete>>,
    feed: Mutex<Feed>,
    watcher: Mutex<Option<Arc<dyn SocketWatcher>>>,
    cancel: CancelToken,
}

fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T: Driver + NewLane + Send> Batch<T> {
    pub fn session(&self) -> &Arc<Session<T>> {
        &self.session
    }

    /// True while a call drives the batch.
    pub fn is_running(&self) -> bool {
        matches!(self.run.try_lock(), Err(TryLockError::WouldBlock))
    }

    pub fn new(session: Arc<Session<T>>) -> Batch<T> {
        Batch {
            session,
            settings: Mutex::new(Settings {
                concurrency: DEFAULT_CONCURRENCY,
                per_host: 0,
                timeout: None,
            }),
            items: Mutex::default(),
            run: Mutex::new(None),
            on_complete: Mutex::new(None),
            feed: Mutex::default(),
            watcher: Mutex::new(None),
            cancel: CancelToken::new(),
        }
    }

    /// Queues `request` (the caller's copy); nothing is sent yet. Returns
    /// its index. Allowed at any time, also from a callback while the batch
    /// runs.
    pub fn add(&self, request: impl Into<Arc<Request>>) -> usize {
        lock(&self.items).add(request.into())
    }

    /// How many items the batch was given: added, and pulled from the
    /// source so far.
    pub fn len(&self) -> usize {
        lock(&self.items).next_index
    }

    /// True when item `index` was added (and so is kept, with its result);
    /// false for a source-fed item or an index not given yet.
    pub fn is_kept(&self, index: usize) -> bool {
        lock(&self.items).is_added(index)
    }

    /// Feeds the batch from `source` after the added items, one request
    /// each time a slot frees; `None` removes the source. A new source
    /// starts a new feed. Refused while a call drives the batch (from its
    /// callbacks). The replaced source is dropped before this returns.
    pub fn set_source(&self, source: Option<Source>) -> Result<()> {
        if self.is_running() {
            return Err(Error::new(
                Code::InvalidState,
                "the batch is running: set its source between runs",
            ));
        }
        let open = source.is_some();
        let old = std::mem::replace(
            &mut *lock(&self.feed),
            Feed {
                source,
                open,
                failure: None,
            },
        );
        // Dropped here, outside the lock: it may run the caller's code.
        drop(old);
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn set_concurrency(&self, n: usize) -> Result<()> {
        if n == 0 {
            return Err(Error::invalid("concurrency must be at least 1"));
        }
        lock(&self.settings).concurrency = n;
        Ok(())
    }

    /// At most `n` connections per host (0: no cap). Set before running.
    pub fn set_per_host(&self, n: usize) {
        lock(&self.settings).per_host = n;
    }

    /// A deadline for the whole batch, counted from its start.
    pub fn set_timeout(&self, timeout: Option<Duration>) {
        lock(&self.settings).timeout = timeout;
    }

    pub fn set_on_complete(&self, callback: Option<OnComplete>) {
        *lock(&self.on_complete) = callback;
    }

    /// Ends the run promptly: unfinished items fail with `Code::Cancelled`,
    /// finished ones keep their results. Any thread, any time.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Moves out item `index`'s result; `None` when there is none (yet, or
    /// any more).
    pub fn take(&self, index: usize) -> Option<Result<Box<Response>>> {
        let mut items = lock(&self.items);
        let entry = items.entry_mut(index)?;
        match std::mem::replace(entry, Entry::Gone(None)) {
            Entry::Done(result) => {
                *entry = Entry::Gone(
                    result
                        .as_ref()
                        .as_ref()
                        .err()
                        .map(|e| Box::new(e.summary())),
                );
                Some(*result)
            }
            other => {
                *entry = other;
                None
            }
        }
    }

    /// Item `index`'s error, also after its result was taken or handed
    /// over; a source-fed item's only while `on_complete` is handed it.
    pub fn item_error(&self, index: usize) -> Option<Error> {
        let items = lock(&self.items);
        match items.entry(index) {
            Some(Entry::Done(result)) => result.as_ref().as_ref().err().map(Error::summary),
            Some(Entry::Gone(e)) => e.as_deref().cloned(),
            Some(_) => None,
            None => match &items.handing {
                Some((i, e)) if *i == index => Some(e.clone()),
                _ => None,
            },
        }
    }

    /// True when item `index` has finished.
    pub fn is_finished(&self, index: usize) -> bool {
        matches!(
            lock(&self.items).entry(index),
            Some(Entry::Done(_) | Entry::Gone(_))
        )
    }

    /// Runs every item to its end; returns when all have finished (or the
    /// batch was cancelled or its deadline passed).
    pub fn perform(&self) -> Result<()> {
        let env = Environment::snapshot();
        let mut run = self.claim(Drive::Loop)?;
        loop {
            let finished = run.as_mut().map(|r| r.lane.step(r.until_retry(STEP_WAIT)));
            if self.advance(&mut run, finished, &env)? {
                return Ok(());
            }
        }
    }

    /// One step that waits at most `timeout`; true when every item has
    /// finished.
    pub fn poll(&self, timeout: Duration) -> Result<bool> {
        let mut run = self.claim(Drive::Loop)?;
        let finished = run.as_mut().map(|r| r.lane.step(r.until_retry(timeout)));
        self.advance(&mut run, finished, &Environment::snapshot())
    }

    /// The caller's event loop, told what to watch in the runs that
    /// `start_watched` starts (installed for each such run, removed when it
    /// ends).
    pub fn watch_with(&self, watcher: Arc<dyn SocketWatcher>) {
        *lock(&self.watcher) = Some(watcher);
    }

    /// In watched mode: starts the run (the watcher hears which sockets and
    /// timer to watch). True when there was nothing to do.
    pub fn start_watched(&self) -> Result<bool> {
        if lock(&self.watcher).is_none() {
            return Err(Error::new(
                Code::InvalidState,
                "no socket callbacks are set: use perform or poll, or set them first",
            ));
        }
        let mut run = self.claim(Drive::Start)?;
        self.advance(&mut run, None, &Environment::snapshot())
    }

    /// In watched mode: `socket` is ready (or the timer expired, with
    /// `None`). True when every item has finished.
    pub fn act(&self, socket: Option<i64>, readable: bool, writable: bool) -> Result<bool> {
        let mut run = self.claim(Drive::Event)?;
        if socket.is_none() {
            if let Some(timer) = run.as_ref().and_then(|r| r.retry_timer.as_ref()) {
                timer.fired();
            }
        }
        let finished = run.as_mut().map(|r| r.lane.act(socket, readable, writable));
        self.advance(&mut run, finished, &Environment::snapshot())
    }

    /// The run lock, with a run set up if none is under way. Refused while
    /// another call drives the batch (a callback calling perform, say), and
    /// when the run under way is not one `how` may drive.
    fn claim(&self, how: Drive) -> Result<MutexGuard<'_, Option<Run<T>>>> {
        let mut guard = match self.run.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return Err(Error::new(
                Code::InvalidState,
                "the batch is already being run (by another thread or from one of its callbacks)",
            )),
        };
        match (&*guard, how) {
            (None, _) => {
                self.check_feed()?;
                *guard = Some(self.begin(how != Drive::Loop)?);
            }
            (Some(_), Drive::Start) => {
                return Err(Error::new(
                    Code::InvalidState,
                    "the batch's run is already started: drive it with socket_action and timeout_action",
                ))
            }
            (Some(run), Drive::Loop) if run.watched => {
                return Err(Error::new(
                    Code::InvalidState,
                    "an event-loop run started with reqc_batch_start is under way: \
                     drive it with socket_action and timeout_action",
                ))
            }
            (Some(run), Drive::Event) if !run.watched => {
                return Err(Error::new(
                    Code::InvalidState,
                    "the run under way is driven by perform or poll, not by socket callbacks",
                ))
            }
            _ => {}
        }
        Ok(guard)
    }

    /// A source's items' results go to `on_complete` alone: a run without
    /// one would lose them.
    fn check_feed(&self) -> Result<()> {
        let feeding = {
            let feed = lock(&self.feed);
            feed.open && feed.source.is_some()
        };
        if feeding && lock(&self.on_complete).is_none() {
            return Err(Error::new(
                Code::InvalidState,
                "the batch has a source but no complete callback: \
                 its items' results would be lost",
            ));
        }
        Ok(())
    }

    fn begin(&self, watched: bool) -> Result<Run<T>> {
        let settings = *lock(&self.settings);
        let mut retry_timer = None;
        let mut lane = self.session.checkout();
        lane.limit(settings.per_host, settings.concurrency)?;
        if watched {
            let watcher = lock(&self.watcher).clone().ok_or_else(|| {
                Error::new(
                    Code::InvalidState,
                    "no socket callbacks are set: use perform or poll, or set them first",
                )
            })?;
            let timer = Arc::new(RetryTimer {
                watcher,
                times: Mutex::default(),
            });
            if let Err(e) = lane.watch_with(timer.clone()) {
                lane.unwatch();
                return Err(e);
            }
            retry_timer = Some(timer);
        }
        let deadline = settings.timeout.map(|t| Instant::now() + t);
        Ok(Run {
            below: self.session.layers(),
            stops: Stops::new(&lane, &self.cancel, deadline),
            lane,
            exchanges: HashMap::default(),
            retries: BinaryHeap::new(),
            retry_timer,
            hosts: HostSlots {
                cap: settings.per_host,
                ..HostSlots::default()
            },
            watched,
            tainted: false,
        })
    }

    /// Ends a run: the event loop's callbacks come off the lane, which goes
    /// back to the session's pool unless a transfer ended early.
    fn end(&self, mut run: Run<T>) {
        if run.watched {
            run.lane.unwatch();
        }
        if !run.tainted {
            self.session.checkin(run.lane);
        }
    }

    /// Takes the transfers that finished, starts what may start, and ends
    /// the run when nothing is left. True when every item has finished.
    /// The hops it starts take their proxy and CA from `env`, the snapshot
    /// of the driving call (perform, poll, start or act) that runs it.
    fn advance(
        &self,
        guard: &mut MutexGuard<'_, Option<Run<T>>>,
        finished: Option<Result<Vec<Finished>>>,
        env: &Environment,
    ) -> Result<bool> {
        let run = guard.as_mut().expect("claim sets up a run");
        if let Some(mut finished) = finished.transpose()? {
            for done in finished.drain(..) {
                self.finish_hop(run, done, env);
            }
            run.lane.recycle(finished);
        }
        match run.stops.stop_if_due(&mut run.lane) {
            Some(stopped) => self.stop_all(run, stopped),
            None => self.fill(run, env),
        }
        if let Some(timer) = &run.retry_timer {
            timer.set_retry(run.retries.peek().map(|Reverse((at, _))| *at));
        }
        let idle = run.exchanges.is_empty()
            && run.hosts.parked.is_empty()
            && lock(&self.items).queue_is_empty();
        if idle {
            if let Some(run) = guard.take() {
                self.end(run);
            }
            if let Some(failure) = lock(&self.feed).failure.take() {
                return Err(failure);
            }
        }
        Ok(idle)
    }

    /// Starts what may start: hops that waited for room at their host,
    /// then queued items while there is room.
    fn fill(&self, run: &mut Run<T>, env: &Environment) {
        for _ in 0..run.hosts.waiting.len() {
            let Some(index) = run.hosts.waiting.pop_front() else {
                break;
            };
            self.start_or_wait(run, index, env);
        }
        let concurrency = lock(&self.settings).concurrency;
        // Due retries first: they were started before anything queued.
        let now = Instant::now();
        while run.busy() < concurrency {
            match run.retries.peek() {
                Some(Reverse((at, _))) if *at <= now => {}
                _ => break,
            }
            let Some(Reverse((_, index))) = run.retries.pop() else {
                break;
            };
            self.start_or_wait(run, index, env);
        }
        // Added items first, then the source; a callback run on the way
        // may add items, which go before the source's next one.
        while run.busy() < concurrency {
            let next = {
                let mut items = lock(&self.items);
                items
                    .pop_queued()
                    .map(|index| (index, take_queued(&mut items, &mut run.hosts, index)))
            };
            match next {
                Some((index, Some(request))) => {
                    // Copied only when the handle or other items share it.
                    let unshared;
                    let request = match Arc::try_unwrap(request) {
                        Ok(owned) => Cow::Owned(owned),
                        Err(shared) => {
                            unshared = shared;
                            Cow::Borrowed(&*unshared)
                        }
                    };
                    self.begin_item(run, index, request, env)
                }
                Some((_, None)) => {}
                None => match self.pull() {
                    Some((index, request)) => self.begin_item(run, index, Cow::Owned(request), env),
                    None => break,
                },
            }
        }
    }

    /// Sets up item `index`'s exchange and starts it (or lets it wait for
    /// room at its host); a request that cannot start ends with its error.
    fn begin_item(
        &self,
        run: &mut Run<T>,
        index: usize,
        request: Cow<'_, Request>,
        env: &Environment,
    ) {
        match Exchange::new(
            request,
            &run.below,
            Some(self.session.jar.clone()),
            Some(self.session.nonces.clone()),
        ) {
            Ok(exchange) => {
                run.exchanges.insert(index, Box::new(exchange));
                self.start_or_wait(run, index, env);
            }
            Err(e) => self.complete(index, Err(e)),
        }
    }

    /// The source's next request and its index; `None` when there is no
    /// source or its feed has ended (now or before).
    fn pull(&self) -> Option<(usize, Request)> {
        // A cancel (from a callback of this very fill, say) stops the
        // pulling at once; the next step ends the run.
        if self.cancel.is_cancelled() {
            return None;
        }
        let mut source = {
            let mut feed = lock(&self.feed);
            if !feed.open {
                return None;
            }
            feed.source.take()?
        };
        // The index is taken before the call, so an item the source adds
        // while it runs gets the next one.
        let index = {
            let mut items = lock(&self.items);
            items.next_index += 1;
            items.next_index - 1
        };
        let pulled = source(index);
        {
            let mut feed = lock(&self.feed);
            // Put back unless a new source was set meanwhile (from another
            // thread: this one is then dropped below, outside the lock).
            if feed.source.is_none() {
                feed.source = Some(source);
                match &pulled {
                    Ok(Some(_)) => {}
                    Ok(None) => feed.open = false,
                    Err(e) => {
                        feed.open = false;
                        feed.failure = Some(Error::new(
                            e.code,
                            format!(
                                "the source callback failed at item {index}, ending the feed: {}",
                                e.message
                            ),
                        ));
                    }
                }
            }
        }
        match pulled {
            Ok(Some(request)) => Some((index, request)),
            _ => {
                // Give the index back unless the source added items meanwhile.
                let mut items = lock(&self.items);
                if items.next_index == index + 1 {
                    items.next_index = index;
                }
                None
            }
        }
    }

    /// Starts item `index`'s next hop, or keeps it waiting while its host
    /// is at the cap; an item that cannot start ends with its error.
    fn start_or_wait(&self, run: &mut Run<T>, index: usize, env: &Environment) {
        let Some(exchange) = run.exchanges.get(&index) else {
            return;
        };
        if run.hosts.cap > 0 && !run.hosts.has_room(&host_key(exchange.next_url())) {
            run.hosts.waiting.push_back(index);
            return;
        }
        if let Err(e) = self.start_hop(run, index, env) {
            run.exchanges.remove(&index);
            self.complete(index, Err(e));
        }
    }

    /// Prepares and starts the next hop of item `index`.
    fn start_hop(&self, run: &mut Run<T>, index: usize, env: &Environment) -> Result<()> {
        let exchange = run
            .exchanges
            .get_mut(&index)
            .expect("a running item has an exchange");
        let collector = exchange.next_hop(env)?;
        let host = (run.hosts.cap > 0).then(|| host_key(&exchange.hop().url));
        let started = run.lane.start(index, exchange.hop(), collector);
        if let Err(e) = started {
            // Let the exchange log and word the failure as any hop's.
            let exchange = run.exchanges.get_mut(&index).expect("still there");
            return match exchange.finish_hop(Default::default(), Err(e)) {
                Err(e) => Err(e),
                Ok(_) => Err(Error::new(Code::Transport, "the transfer could not start")),
            };
        }
        if let Some(host) = host {
            run.hosts.started(index, host);
        }
        Ok(())
    }

    fn finish_hop(&self, run: &mut Run<T>, done: Finished, env: &Environment) {
        if let Some(parked) = run.hosts.ended(done.id) {
            // Its host has room again: first in line.
            lock(&self.items).requeue(parked);
        }
        if done.outcome.is_err() {
            run.tainted = true;
        }
        let Some(exchange) = run.exchanges.get_mut(&done.id) else {
            return;
        };
        match exchange.finish_hop(done.collector, done.outcome) {
            Ok(Some(response)) => {
                run.exchanges.remove(&done.id);
                self.complete(done.id, Ok(response));
            }
            Ok(None) => match exchange.not_before() {
                // A retry waits without a slot; `fill` starts it when due.
                Some(at) => run.retries.push(Reverse((at, done.id))),
                None => self.start_or_wait(run, done.id, env),
            },
            Err(e) => {
                run.exchanges.remove(&done.id);
                self.complete(done.id, Err(e));
            }
        }
    }

    /// Ends every unfinished item with why the run stopped; the driver has
    /// aborted the transfers that were running.
    fn stop_all(&self, run: &mut Run<T>, stopped: Stopped) {
        let why = &match stopped.why {
            Stop::Cancelled => Error::new(Code::Cancelled, "the batch was cancelled"),
            Stop::DeadlinePassed => Error::new(Code::Timeout, "the batch's deadline passed"),
        };
        run.tainted = true;
        let parked: Vec<usize> = run
            .hosts
            .parked
            .drain()
            .flat_map(|(_, items)| items)
            .collect();
        run.hosts = HostSlots {
            cap: run.hosts.cap,
            ..HostSlots::default()
        };
        for index in parked {
            self.complete(index, Err(why.clone()));
        }
        for (index, collector) in stopped.aborted {
            if let Some(mut exchange) = run.exchanges.remove(&index) {
                let e = exchange.finish_hop(collector, Err(why.clone())).err();
                self.complete(index, Err(e.unwrap_or_else(|| why.clone())));
            }
        }
        run.retries.clear();
        for (index, _) in std::mem::take(&mut run.exchanges) {
            self.complete(index, Err(why.clone()));
        }
        let waiting = lock(&self.items).drain_queue();
        for index in waiting {
            self.complete(index, Err(why.clone()));
        }
    }

    /// Records an added item's result, or hands it to `on_complete`; a
    /// source-fed item's goes to `on_complete` only, and is dropped when
    /// there is none (it was removed during the run).
    fn complete(&self, index: usize, result: Result<Box<Response>>) {
        // Take the callback out, so it may call back into the batch.
        let callback = lock(&self.on_complete).take();
        let failure = result.as_ref().err().map(Error::summary);
        match callback {
            Some(mut callback) => {
                {
                    let mut items = lock(&self.items);
                    match items.entry_mut(index) {
                        Some(entry) => *entry = Entry::Gone(failure.map(Box::new)),
                        None => items.handing = failure.map(|e| (index, e)),
                    }
                }
                callback(index, result);
                lock(&self.items).handing = None;
                let mut slot = lock(&self.on_complete);
                if slot.is_none() {
                    *slot = Some(callback);
                }
            }
            None => {
                if let Some(entry) = lock(&self.items).entry_mut(index) {
                    *entry = Entry::Done(Box::new(result));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RetryTimer;
    use crate::core::transfer::{SocketWatcher, Watch};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    /// The loop's side: every timer the batch asked for.
    #[derive(Default)]
    struct Asked(Mutex<Vec<Option<Duration>>>);

    impl SocketWatcher for Asked {
        fn watch(&self, _socket: i64, _what: Watch) {}
        fn timer(&self, after: Option<Duration>) {
            self.0.lock().unwrap().push(after);
        }
    }

    /// A loop that calls back before the time it was given (its timer is
    /// spent, the retry not due yet) is asked for the timer again; and only
    /// then: an unchanged retry with the timer still set asks for nothing.
    #[test]
    fn a_timer_spent_early_is_asked_for_again() {
        let asked = Arc::new(Asked::default());
        let timer = RetryTimer {
            watcher: asked.clone(),
            times: Mutex::default(),
        };
        let at = Instant::now() + Duration::from_secs(60);
        timer.set_retry(Some(at));
        assert_eq!(asked.0.lock().unwrap().len(), 1);
        timer.set_retry(Some(at)); // nothing changed, the timer is set
        assert_eq!(asked.0.lock().unwrap().len(), 1);
        timer.fired(); // the loop called back early
        timer.set_retry(Some(at));
        let calls = asked.0.lock().unwrap();
        assert_eq!(calls.len(), 2, "the spent timer was not asked for again");
        assert!(calls[1].is_some_and(|d| d > Duration::from_secs(50)));
    }
}
