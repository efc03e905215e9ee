//! The contract between the engine and the transport: one `Hop` in, one
//! `HopInfo` out, the response's head and body landing in a `Collector`.
//! The engine decides everything; the transport only carries it out.

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::body::{BodySource, FilePart};
use super::collect::Collector;
use super::error::Result;
use super::log::HopLog;
use super::options::{Auth, HttpVersion, SpeedFloor, TlsOptions};
use super::pull::Lent;
use super::request::{HeaderText, Method};

/// Everything one transfer needs, fully decided: nothing is inherited from an
/// earlier transfer.
#[derive(Clone)]
pub struct Hop {
    pub method: Method,
    /// Query params applied; no user info (that became `auth`).
    pub url: Url,
    /// In order, every layer merged (`core::layers`): User-Agent, basic and
    /// bearer `Authorization` included. `None` removes a header libcurl
    /// would add by itself.
    pub headers: Vec<(HeaderText, Option<HeaderText>)>,
    pub body: HopBody,
    /// Digest auth, when it won the `Authorization` header: the engine
    /// answers its challenges (`core::digest`). Every other auth is already
    /// in `headers`; the transport applies no auth itself.
    pub auth: Option<Auth>,
    pub connect_timeout: Duration,
    /// What is left of the send's total timeout; `None` for no limit.
    pub timeout: Option<Duration>,
    /// The longest wait for the next byte once connected; `None` for none.
    pub read_timeout: Option<Duration>,
    pub http_version: HttpVersion,
    /// Decided with the environment already applied (see `environment`):
    /// `None` is no proxy at all, and the transport reads no environment.
    pub proxy: Option<String>,
    pub tls: TlsOptions,
    pub speed_floor: SpeedFloor,
    /// Set when a log sink wants this hop's headers or libcurl's trace.
    pub log: Option<Arc<HopLog>>,
}

impl Hop {
    /// True when `other` needs the very same transfer configuration as
    /// `self` but for its URL path and remaining timeout: same method,
    /// headers, auth, TLS, proxy, scheme and limits, and both without a body
    /// or a trace log. A transport may then skip reconfiguring from scratch.
    /// The destructuring names every field (no `..`): a new field of `Hop`
    /// does not compile here until someone decides whether it matters.
    pub fn same_setup(&self, other: &Hop) -> bool {
        let Hop {
            method,
            url,
            headers,
            body,
            auth,
            connect_timeout,
            timeout: _,
            read_timeout,
            http_version,
            proxy,
            tls,
            speed_floor,
            log,
        } = self;
        matches!((body, &other.body), (HopBody::None, HopBody::None))
            && log.is_none()
            && other.log.is_none()
            && url.scheme() == other.url.scheme()
            && *method == other.method
            && *headers == other.headers
            && *auth == other.auth
            && *connect_timeout == other.connect_timeout
            && *read_timeout == other.read_timeout
            && *http_version == other.http_version
            && *proxy == other.proxy
            && *tls == other.tls
            && *speed_floor == other.speed_floor
    }
}

#[derive(Clone, Debug)]
pub enum HopBody {
    None,
    /// Sent from the start at each hop; `length` None means chunked.
    Upload {
        upload: Upload,
        length: Option<u64>,
    },
    Multipart {
        fields: Vec<(String, String)>,
        files: Vec<FilePart>,
    },
}

/// Where upload bytes come from. A transport may call `rewind` to send the
/// body again on the same hop (when libcurl retries on a new connection).
#[derive(Clone)]
pub enum Upload {
    Bytes { data: Arc<[u8]>, pos: usize },
    Stream(Arc<dyn BodySource>),
}

impl Upload {
    pub fn bytes(data: Arc<[u8]>) -> Upload {
        Upload::Bytes { data, pos: 0 }
    }

    pub fn read(&mut self, buf: &mut [u8]) -> std::result::Result<usize, String> {
        match self {
            Upload::Bytes { data, pos } => {
                let n = buf.len().min(data.len() - *pos);
                buf[..n].copy_from_slice(&data[*pos..*pos + n]);
                *pos += n;
                Ok(n)
            }
            Upload::Stream(source) => source.read(buf),
        }
    }

    /// Back to the start; false when the source cannot be read twice.
    pub fn rewind(&mut self) -> bool {
        match self {
            Upload::Bytes { pos, .. } => {
                *pos = 0;
                true
            }
            Upload::Stream(_) => false,
        }
    }
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Upload::Bytes { data, pos } => write!(f, "Bytes({}/{})", pos, data.len()),
            Upload::Stream(_) => write!(f, "Stream"),
        }
    }
}

/// What the transport learned about the connection.
#[derive(Clone, Debug, Default)]
pub struct HopInfo {
    /// Shared with the lane's other transfers to the same address.
    pub remote_ip: Arc<str>,
    pub remote_port: u16,
    pub timings: super::response::Timings,
    /// True when the transfer ran on a connection an earlier transfer opened.
    pub reused_connection: bool,
}

/// A transfer a `Driver` finished (or gave up on).
pub struct Finished {
    pub id: usize,
    pub collector: Collector,
    pub outcome: Result<HopInfo>,
}

/// What a driver should watch a socket for, in the caller's event loop.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Watch {
    Read,
    Write,
    ReadWrite,
    /// Stop watching this socket.
    Remove,
}

/// The caller's event loop, told which sockets to watch and when to call
/// back (curl's socket and timer callbacks, in the engine's terms).
pub trait SocketWatcher: Send + Sync {
    fn watch(&self, socket: i64, what: Watch);
    /// Call back after this long; `None` cancels the timer.
    fn timer(&self, after: Option<std::time::Duration>);
}

/// Runs many transfers at once on one connection cache (a curl multi
/// handle), on the calling thread: a lane. Implemented over libcurl in
/// `crate::transport`. The engine drives it (`core::drive`): a batch with
/// many transfers, a blocking send with one. Errors carry the transport's
/// description; the engine adds the URL.
pub trait Driver {
    /// Starts `hop` as transfer `id`, its response going to `collector`.
    fn start(&mut self, id: usize, hop: &Hop, collector: Collector) -> Result<()>;

    /// Runs the transfers as far as they go without waiting, and returns
    /// those that finished.
    fn perform(&mut self) -> Result<Vec<Finished>>;

    /// `perform` on a lane that runs transfer `id` (alone, as a blocking
    /// send does): that transfer, once it finished; any other that finished
    /// is dropped. A transport may spare the list `perform` makes.
    fn perform_one(&mut self, id: usize) -> Result<Option<Finished>> {
        Ok(self.perform()?.into_iter().find(|f| f.id == id))
    }

    /// Waits at most `timeout` for activity on the transfers' sockets (a
    /// wake-up cuts the wait short). A paused transfer is no activity.
    fn wait(&mut self, timeout: std::time::Duration) -> Result<()>;

    /// Runs the transfers, waiting at most `timeout` for activity (a wake-up
    /// cuts the wait short), and returns those that finished.
    fn step(&mut self, timeout: std::time::Duration) -> Result<Vec<Finished>> {
        let finished = self.perform()?;
        if !finished.is_empty() || self.running() == 0 {
            return Ok(finished);
        }
        self.wait(timeout)?;
        self.perform()
    }

    /// `perform`, with `into` lent to transfer `id`'s collector meanwhile
    /// (`Collector::write_into`): that transfer's body bytes go there
    /// first, and `into` counts them. It is lent for this call only.
    fn perform_into(&mut self, id: usize, into: &mut Lent<'_>) -> Result<Vec<Finished>>;

    /// Resumes transfer `id`, which its collector paused (`Take::Pause`):
    /// the bytes it was handed go to the collector again, into `into` first
    /// (as in `perform_into`). A transfer not running is left alone.
    fn resume(&mut self, id: usize, into: &mut Lent<'_>) -> Result<()>;

    /// What the transport knows so far of running transfer `id` (the
    /// connection, timings up to now); the default for one not running.
    fn info(&self, id: usize) -> HopInfo;

    /// Stops every running transfer; their connections are closed, never
    /// reused. Returns their collectors.
    fn abort_all(&mut self) -> Vec<(usize, Collector)>;

    /// How many transfers run now.
    fn running(&self) -> usize;

    /// Cuts a `step` wait short; callable from any thread.
    fn waker(&self) -> std::sync::Arc<dyn Fn() + Send + Sync>;

    /// Caps connections per host (0: no cap) and keeps at most `idle` easy
    /// handles for reuse.
    fn limit(&mut self, per_host: usize, idle: usize) -> Result<()>;

    /// Hands socket watching to the caller's event loop from now on.
    fn watch_with(&mut self, watcher: std::sync::Arc<dyn SocketWatcher>) -> Result<()>;

    /// Stops telling the caller's event loop anything, and lets go of the
    /// watcher: nothing calls it any more.
    fn unwatch(&mut self);

    /// In watched mode: the socket is ready (or, with `None`, the timer
    /// expired). Returns the transfers that finished.
    fn act(&mut self, socket: Option<i64>, readable: bool, writable: bool)
        -> Result<Vec<Finished>>;

    /// Takes back a list `step`, `perform` or `act` returned, once its
    /// caller has emptied it, to fill again: a transport may keep it
    /// rather than allocate a new one each step.
    fn recycle(&mut self, finished: Vec<Finished>) {
        drop(finished);
    }
}

/// Makes the lanes of a session, which share `Shared` (libcurl's DNS and
/// TLS session caches) among them.
pub trait NewLane: Sized {
    type Shared: Default + Send + Sync;
    fn new_lane(shared: &std::sync::Arc<Self::Shared>) -> Self;
}
