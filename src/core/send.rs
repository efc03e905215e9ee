//! One send: merge the layers, then run hop after hop, following redirects
//! itself (one transfer per hop), and build the response with its history.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use url::Url;

use super::body::{Body, DataSink};
use super::cancel::CancelToken;
use super::collect::{Collector, OnHead};
use super::cookies::CookieJar;
use super::decode;
use super::defaults;
use super::digest::{Nonces, Round, Sent};
use super::drive;
use super::environment::Environment;
use super::error::{Code, Error, Result};
use super::hooks::{HookData, HookKind, HookList, Warnings};
use super::layers::{self, percent_decode, Layer};
use super::log::{self as logline, HopLog, Level, Logger, Secrets};
use super::options::{Auth, HttpVersion, Options};
use super::redact;
use super::redirect;
use super::request::{method_of, HeaderEdits, HeaderText, Method, Request};
use super::response::Response;
use super::retry::{self, Policy};
use super::transfer::{Driver, Hop, HopBody, HopInfo, Upload};

/// Sends `request` (borrowed, or owned: a copy made for this send, whose
/// parts it then takes instead of copying them) on `lane` with `below` (session over config) as the
/// lower layers, one blocking transfer per hop (`drive::transfer`), following redirects and answering digest challenges.
/// Each hop sends the cookies of `jar` (a session's) that apply to its URL
/// and stores the cookies its response sets; without a jar, a jar for this
/// send alone keeps them across its redirect hops and digest rounds (as
/// Requests' `requests.get` does). With `nonces` (a session's), digest auth
/// reuses the nonces earlier sends learnt. Hooks and log lines run on the
/// calling thread.
pub fn send<'a>(
    request: impl Into<Cow<'a, Request>>,
    below: &Arc<Layer>,
    lane: &mut dyn Driver,
    cancel: &CancelToken,
    jar: Option<Arc<CookieJar>>,
    nonces: Option<Arc<Nonces>>,
) -> Result<Box<Response>> {
    let mut exchange = Exchange::new(request.into(), below, jar, nonces)?;
    loop {
        // The environment as it is at each hop: a `setenv` between sends
        // (or in a hook) is seen by the next hop.
        let mut collector = exchange.next_hop(&Environment::live())?;
        let outcome = if cancel.is_cancelled() {
            Err(Error::new(Code::Cancelled, "cancelled"))
        } else {
            drive::transfer(lane, exchange.hop(), &mut collector, cancel)
        };
        if let Some(response) = exchange.finish_hop(collector, outcome)? {
            return Ok(response);
        }
        // A retry waits on the cancel token: a cancel ends the wait at once.
        if let Some(at) = exchange.not_before() {
            if !cancel.wait_until(at) {
                return Err(Error::new(
                    Code::Cancelled,
                    "cancelled while waiting to retry",
                ));
            }
        }
    }
}

/// A send borrows the caller's request, or takes a copy made for it.
impl<'a> From<&'a Request> for Cow<'a, Request> {
    fn from(request: &'a Request) -> Self {
        Cow::Borrowed(request)
    }
}

impl From<Request> for Cow<'_, Request> {
    fn from(request: Request) -> Self {
        Cow::Owned(request)
    }
}

/// One send in progress, as a state machine that runs no transfer itself:
/// the caller asks for the next hop, runs it on a transport (a blocking lane
/// or a batch's multi handle), and hands the outcome back. Hooks, cookies,
/// logging and redirects happen here, so a single send and a batch item
/// behave the same.
pub struct Exchange {
    hooks: HookList,
    on_data: Option<Arc<dyn DataSink>>,
    chain: Chain,
    jar: Arc<CookieJar>,
    /// The session's digest nonces, or this send's own.
    nonces: Arc<Nonces>,
    /// Digest state of the current URL (reset by a redirect).
    digest_round: Round,
    /// The `Authorization` answering the challenge just received, for the
    /// next hop.
    digest_answer: Option<String>,
    started: Instant,
    history: Vec<Response>,
    current: Option<Current>,
    /// What hooks reported; made by the first hook run (a send without
    /// hooks makes none).
    warnings: Option<Warnings>,
    retry: Policy,
    /// Retries made so far in this send (every hop's).
    retries: u32,
    /// The attempt at the current hop, from 1.
    attempt: u32,
    /// The statuses of the current hop's earlier attempts (0: no response).
    attempts: Vec<u16>,
    /// When the next hop, a retry, may start.
    not_before: Option<Instant>,
}

/// The hop on the wire.
struct Current {
    hop: Hop,
    log: Option<Arc<HopLog>>,
    what: String,
    started: Instant,
    /// The engine answers a digest challenge to this hop.
    digest: bool,
}

impl Exchange {
    /// Merges the layers; runs the ARGS hooks on a per-send copy, so the
    /// caller's request stays as it was (an owned `request` is that copy
    /// already).
    pub fn new(
        request: Cow<'_, Request>,
        below: &Arc<Layer>,
        jar: Option<Arc<CookieJar>>,
        nonces: Option<Arc<Nonces>>,
    ) -> Result<Exchange> {
        let started = Instant::now();
        let hooks = request.hooks.after(&below.hooks);
        let on_data = request.on_data.clone();
        let mut warnings = None;
        let chain = if hooks.has(HookKind::Args) {
            let options = request.options.over(&below.options);
            let mut copy = request.into_owned();
            let what = describe(&copy.method, &copy.url);
            // A warning of an ARGS hook goes to the log the request would use.
            let log = options
                .log
                .clone()
                .filter(|l| l.level > Level::Off)
                .map(|logger| {
                    HopLog::new(
                        logger,
                        &options.secret_headers,
                        options.auth.as_ref(),
                        Vec::new(),
                    )
                });
            hooks.run(
                HookKind::Args,
                (0, 1),
                HookData::Request(&mut copy),
                log.as_ref(),
                &what,
                warnings.get_or_insert_with(Warnings::default),
            )?;
            Chain::new(Cow::Owned(copy), below)?
        } else {
            Chain::new(request, below)?
        };
        let retry = Policy::of(&chain.merged.options.retry);
        Ok(Exchange {
            hooks,
            on_data,
            chain,
            jar: jar.unwrap_or_default(),
            nonces: nonces.unwrap_or_default(),
            digest_round: Round::default(),
            digest_answer: None,
            started,
            history: Vec::new(),
            current: None,
            warnings,
            retry,
            retries: 0,
            attempt: 1,
            attempts: Vec::new(),
            not_before: None,
        })
    }

    /// Prepares the next hop (cookies, PRE_REQUEST hooks, the start log
    /// line) and the collector its response goes to; `hop()` is the hop.
    /// Its proxy and CA come from `env` (a snapshot: see `environment`).
    pub fn next_hop(&mut self, env: &Environment) -> Result<Collector> {
        self.not_before = None;
        let number = (self.history.len() as u32, self.attempt);
        let hop_started = Instant::now();
        let mut hop = self.chain.hop(self.started, env)?;
        add_cookies(&mut hop, &self.jar, &self.chain.cookies);
        let digest = self.add_digest(&mut hop);
        let log = self
            .chain
            .merged
            .options
            .log
            .clone()
            .filter(|l| l.level > Level::Off)
            .map(|logger| Arc::new(hop_log(logger, &self.chain.merged.options, &hop)));
        // Only hook warnings name the request: no formatting without hooks.
        let what = if self.hooks.is_empty() {
            String::new()
        } else {
            describe(&hop.method, &hop.url)
        };
        if self.hooks.has(HookKind::PreRequest) {
            pre_request(
                &self.hooks,
                number,
                &mut hop,
                &self.chain.body,
                log.as_deref(),
                &what,
                self.warnings.get_or_insert_with(Warnings::default),
            )?;
        }
        hop.log = log.clone();
        if let Some(log) = &log {
            let mut line = logline::start_line(&hop.method, &redact::url(&hop.url));
            if self.attempt > 1 {
                line.push_str(&format!("   (attempt {})", self.attempt));
            }
            log.emit(Level::Requests, &line);
        }
        let mut collector = Collector::new(
            self.chain.buffer_cap,
            self.chain.stream_cap,
            self.on_data.clone(),
            self.chain.follows_another(),
        );
        if digest {
            collector.set_digest(self.digest_round);
        }
        if self.may_retry(&hop.method) {
            collector.set_retried(self.retry.statuses.clone());
        }
        if self.hooks.has(HookKind::PostRequest) {
            let (hooks, log, what) = (self.hooks.clone(), log.clone(), what.clone());
            let warnings = self.warnings.get_or_insert_with(Warnings::default).clone();
            collector.set_on_sent(Box::new(move |info| {
                hooks
                    .run(
                        HookKind::PostRequest,
                        number,
                        HookData::Sent(info),
                        log.as_deref(),
                        &what,
                        &warnings,
                    )
                    .is_ok()
            }));
        }
        if self.hooks.has(HookKind::Headers) {
            let warnings = self.warnings.get_or_insert_with(Warnings::default).clone();
            collector.set_on_head(self.on_head(&hop, number, log.clone(), what.clone(), warnings));
        }
        self.current = Some(Current {
            hop,
            log,
            what,
            started: hop_started,
            digest,
        });
        Ok(collector)
    }

    /// The HEADERS hooks of the prepared `hop`, for its collector to run
    /// once the hop's final head is in: they see the response as far as it
    /// is known (no body) and the request as sent. Built only when there
    /// are HEADERS hooks: a send without them pays nothing.
    fn on_head(
        &self,
        hop: &Hop,
        number: (u32, u32),
        log: Option<Arc<HopLog>>,
        what: String,
        warnings: Warnings,
    ) -> OnHead {
        let hooks = self.hooks.clone();
        let url = hop.url.as_str().to_owned();
        let request = Arc::new(sent_view(hop, &self.chain.body, hop.headers.clone()));
        let (started, attempts) = (Instant::now(), self.attempts.clone());
        Box::new(move |head, sent| {
            let mut response = Response {
                status: head.status,
                reason: head.reason.clone(),
                http_version: head.http_version,
                headers: head.headers.clone(),
                url: url.clone(),
                elapsed: started.elapsed(),
                remote_ip: sent.remote_ip.clone(),
                remote_port: sent.remote_port,
                request: Some(request.clone()),
                attempts: attempts.iter().copied().chain([head.status]).collect(),
                ..Response::default()
            };
            hooks
                .run(
                    HookKind::Headers,
                    number,
                    HookData::Head(&mut response, sent),
                    log.as_deref(),
                    &what,
                    &warnings,
                )
                .is_ok()
        })
    }

    /// True when the hop may be tried again: retries are left, the method
    /// is one the policy retries, and the body can be sent again (a body
    /// from a read callback cannot: it is never retried).
    fn may_retry(&self, method: &str) -> bool {
        self.retries + 1 < self.retry.max_attempts
            && self.retry.allows_method(method)
            && !matches!(self.chain.body, Body::Stream { .. })
    }

    /// When the next hop (a retry) may start; `None`: at once.
    pub fn not_before(&self) -> Option<Instant> {
        self.not_before
    }

    /// Plans the next attempt at the hop just finished, which got `status`
    /// (0: no response) and `got` (for the log): counts it, picks the wait
    /// (the server's `retry_after`, else backoff) and ends the send with
    /// `Code::Timeout` when the wait would pass the total timeout.
    fn plan_retry(
        &mut self,
        (method, url): (&str, &Url),
        log: Option<&HopLog>,
        status: u16,
        retry_after: Option<Duration>,
        got: &str,
    ) -> Result<()> {
        self.retries += 1;
        self.attempt += 1;
        self.attempts.push(status);
        let wait = self.retry.wait(self.retries, retry_after);
        let at = Instant::now() + wait;
        if let Some(total) = self.chain.merged.options.timeout.filter(|t| !t.is_zero()) {
            if at >= self.started + total {
                return Err(Error::new(
                    Code::Timeout,
                    format!(
                        "timed out after {} ms: waiting {} ms for attempt {} would pass the total timeout (last attempt: {got}): {} {}",
                        total.as_millis(),
                        wait.as_millis(),
                        self.attempt,
                        method,
                        redact::url(url)
                    ),
                ));
            }
        }
        if let Some(log) = log {
            log.emit(
                Level::Requests,
                &logline::retry_line(method, &redact::url(url), got, self.attempt, wait),
            );
        }
        self.not_before = Some(at);
        Ok(())
    }

    /// Gives the hop the digest `Authorization` it carries, if any: the
    /// answer to the challenge just received, else the origin's known nonce
    /// with the next count. True when the engine answers a digest challenge
    /// to this hop: digest auth is set, no layer set an `Authorization`
    /// header itself, and the body can be sent again.
    fn add_digest(&mut self, hop: &mut Hop) -> bool {
        let Some(Auth::Digest { user, password }) = &hop.auth else {
            return false;
        };
        let explicit = hop
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v.is_some());
        if explicit {
            return false;
        }
        let (sent, value) = match self.digest_answer.take() {
            Some(answer) => (Sent::Answer, Some(answer)),
            None => match self.nonces.reuse(user, password, &hop.method, &hop.url) {
                Some(reused) => (Sent::Reused, Some(reused)),
                None => (Sent::Nothing, None),
            },
        };
        self.digest_round.sent = sent;
        if let Some(value) = value {
            // Only a removal can be there: it must not blank the answer.
            hop.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
            hop.headers
                .push(("Authorization".into(), Some(value.into())));
        }
        // A body streamed from a callback cannot be sent a second time.
        !matches!(self.chain.body, Body::Stream { .. })
    }

    /// When `response` is a digest challenge to answer: counts the answer,
    /// prepares it for the next hop; the challenge's cookies are in the jar
    /// already (`finish_hop`), so they go with the answer.
    fn answers_digest(&mut self, sent: &Request, auth: Option<&Auth>, response: &Response) -> bool {
        let Some(Auth::Digest { user, password }) = auth else {
            return false;
        };
        let Some(challenge) = self
            .digest_round
            .to_answer(response.status, &response.headers)
        else {
            return false;
        };
        self.digest_round.answering();
        self.digest_answer =
            Some(
                self.nonces
                    .answer(challenge, user, password, &sent.method, &sent.url),
            );
        true
    }

    /// The URL the next hop goes to, before `next_hop` prepares it.
    pub fn next_url(&self) -> &Url {
        &self.chain.url
    }

    /// The hop `next_hop` prepared.
    ///
    /// # Panics
    /// If `next_hop` has not prepared one: a bug in the caller.
    pub fn hop(&self) -> &Hop {
        &self
            .current
            .as_ref()
            .expect("next_hop prepares a hop first")
            .hop
    }

    /// Takes the outcome of the hop: stores cookies, logs, runs the RESPONSE
    /// hooks and decides on redirects. `Some` is the final response; `None`
    /// means another hop follows (call `next_hop` again).
    pub fn finish_hop(
        &mut self,
        collector: Collector,
        outcome: Result<HopInfo>,
    ) -> Result<Option<Box<Response>>> {
        let Current {
            hop,
            log,
            what,
            started,
            digest,
        } = self.current.take().expect("next_hop prepares a hop first");
        // A head cut short is a failed hop even when the transport saw none.
        let outcome = outcome.and_then(|info| match collector.cut_short() {
            Some(e) => Err(e),
            None => Ok(info),
        });
        let may_retry = self.may_retry(&hop.method);
        let info = match outcome {
            Ok(info) => info,
            Err(e) => {
                let retryable = may_retry
                    && retry::retries_error(e.code)
                    && collector.stop_error().is_none()
                    && !collector.streamed_any();
                let e = self.hop_error(e, &hop, log.as_deref());
                if retryable {
                    self.plan_retry((&hop.method, &hop.url), log.as_deref(), 0, None, &e.message)?;
                    return Ok(None);
                }
                return Err(e);
            }
        };
        let mut response = build(&hop, collector, info, started.elapsed());
        // One allocation of the right size (a clone and a push grow twice).
        let mut attempts = Vec::with_capacity(self.attempts.len() + 1);
        attempts.extend_from_slice(&self.attempts);
        attempts.push(response.status);
        response.attempts = attempts;
        // The hop's method, URL and headers move into the request recorded
        // on the response (no copies); what follows reads them from there.
        // The chain still holds this hop's body: `next` changes it below.
        let Hop {
            method,
            url,
            headers,
            body: hop_body,
            auth,
            ..
        } = hop;
        let sent = Arc::new(sent_view_of(
            method,
            url,
            &hop_body,
            &self.chain.body,
            headers,
        ));
        response.request = Some(Arc::clone(&sent));
        response.cookies = self.jar.store_response(&sent.url, &response.headers);
        if let Some(log) = &log {
            let line = logline::end_line(
                &sent.method,
                &redact::url(&sent.url),
                response.status,
                &response.reason,
                response.elapsed,
            );
            log.emit(Level::Requests, &line);
        }
        if self.hooks.has(HookKind::Response) {
            let number = (self.history.len() as u32, self.attempt);
            self.hooks.run(
                HookKind::Response,
                number,
                HookData::Response(&mut response),
                log.as_deref(),
                &what,
                self.warnings.get_or_insert_with(Warnings::default),
            )?;
        }
        if may_retry && self.retry.retries_status(response.status) {
            let after = response
                .header("retry-after")
                .and_then(|v| retry::retry_after(v, SystemTime::now()));
            let got = format!("{} {}", response.status, response.reason);
            if let Err(mut e) = self.plan_retry(
                (&sent.method, &sent.url),
                log.as_deref(),
                response.status,
                after,
                &got,
            ) {
                // The caller may still read the last attempt's response.
                e.response = Some(response);
                return Err(e);
            }
            return Ok(None);
        }
        // The next hop is a new one: its attempts count from 1.
        self.attempt = 1;
        self.attempts.clear();
        self.finish_response(&sent, auth.as_ref(), response, digest)
    }

    /// A failed hop's error, worded and logged.
    fn hop_error(&self, e: Error, hop: &Hop, log: Option<&HopLog>) -> Error {
        // libcurl's words may quote a proxy URL or a header: no secret of
        // the hop may reach the message.
        let mut e = with_url(via_proxy(e, hop), hop);
        e.message = hop_secrets(&self.chain.merged.options, hop).redact(&e.message);
        if let Some(log) = log {
            log.emit(
                Level::Requests,
                &logline::error_line(&hop.method, &redact::url(&hop.url), &e.message),
            );
        }
        e
    }

    /// A hop's response that is not retried: answers a digest challenge,
    /// follows a redirect, or ends the send.
    fn finish_response(
        &mut self,
        sent: &Request,
        auth: Option<&Auth>,
        mut response: Box<Response>,
        digest: bool,
    ) -> Result<Option<Box<Response>>> {
        if digest && self.answers_digest(sent, auth, &response) {
            self.history.push(into_history(*response));
            return Ok(None);
        }
        let next = match self.chain.next(&response) {
            Ok(next) => next,
            Err(mut e) => {
                if e.code == Code::TooManyRedirects {
                    // The caller may still read where the chain went.
                    response.elapsed = self.started.elapsed();
                    let mut history = std::mem::take(&mut self.history);
                    history.append(&mut response.history);
                    response.history = history;
                    e.response = Some(response);
                }
                return Err(e);
            }
        };
        match next {
            Some(()) => {
                // The redirect's target may challenge anew.
                self.digest_round = Round::default();
                self.digest_answer = None;
                self.history.push(into_history(*response));
                Ok(None)
            }
            None => {
                response.elapsed = self.started.elapsed();
                let mut history = std::mem::take(&mut self.history);
                history.append(&mut response.history);
                response.history = history;
                response.warnings = self
                    .warnings
                    .as_ref()
                    .map(Warnings::take)
                    .unwrap_or_default();
                Ok(Some(response))
            }
        }
    }
}

/// A hop the send leaves behind keeps its status, headers and URL, and its
/// body only up to `defaults::HISTORY_BODY`: what one send holds stays
/// bounded by its cap, whatever the number of hops.
fn into_history(mut response: Response) -> Response {
    if response.body.len() > defaults::HISTORY_BODY {
        response.body.truncate(defaults::HISTORY_BODY);
    }
    response.body.shrink_to_fit();
    response
}

/// Through a proxy, the only connection a hop makes is to the proxy (it
/// reaches the origin itself and answers for it): a connection that could
/// not be made is the proxy's, `Code::Proxy`, as a proxy that does not
/// resolve already is.
fn via_proxy(e: Error, hop: &Hop) -> Error {
    let proxied = hop.proxy.as_deref().is_some_and(|p| !p.is_empty());
    if proxied && e.code == Code::Connect {
        Error::new(
            Code::Proxy,
            format!("could not connect to the proxy: {}", e.message),
        )
    } else {
        e
    }
}

/// Method and URL for a message, without the URL's userinfo (the first hop
/// still has it: it becomes auth when the hop is prepared).
fn describe(method: &str, url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    format!("{method} {shown}")
}

/// Runs the PRE_REQUEST hooks on the view of the prepared hop
/// (`sent_view`); the headers they leave are what is sent. The
/// Content-Length the view shows is libcurl's to write (from the body), so
/// it goes back out of the hop's headers whatever a hook did to it.
fn pre_request(
    hooks: &HookList,
    hop_number: (u32, u32),
    hop: &mut Hop,
    body: &Body,
    log: Option<&HopLog>,
    what: &str,
    warnings: &Warnings,
) -> Result<()> {
    let headers = std::mem::take(&mut hop.headers);
    let caller_sets_length = headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    let mut view = sent_view(hop, body, headers);
    let result = hooks.run(
        HookKind::PreRequest,
        hop_number,
        HookData::Request(&mut view),
        log,
        what,
        warnings,
    );
    hop.headers = view.headers.0;
    if !caller_sets_length {
        hop.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("content-length"));
    }
    result
}

/// The request a hop sends, as a PRE_REQUEST hook and
/// `reqc_response_request` show it: the hop's method, its URL (params
/// applied, no user info), `headers` (every layer merged, cookies and
/// digest `Authorization` attached; removals stay as `None`), then the
/// `Content-Length` libcurl will write when it is known before the
/// transfer (a body of bytes, or none on a method that sends `0`), and the
/// body the hop carries. No params, cookies, options or hooks of its own:
/// they are already in the URL and headers.
fn sent_view(hop: &Hop, body: &Body, headers: Vec<(HeaderText, Option<HeaderText>)>) -> Request {
    sent_view_of(
        hop.method.clone(),
        hop.url.clone(),
        &hop.body,
        body,
        headers,
    )
}

/// `sent_view` of a hop's parts, taking the method, URL and headers it is
/// given (a finished hop gives them up: no copies).
fn sent_view_of(
    method: Method,
    url: Url,
    hop_body: &HopBody,
    body: &Body,
    mut headers: Vec<(HeaderText, Option<HeaderText>)>,
) -> Request {
    let has_length = headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    let length = match hop_body {
        HopBody::Upload { length, .. } => *length,
        HopBody::None if !matches!(&*method, "GET" | "HEAD") => Some(0),
        HopBody::None | HopBody::Multipart { .. } => None,
    };
    if let (false, Some(length)) = (has_length, length) {
        headers.push(("Content-Length".into(), Some(length.to_string().into())));
    }
    Request {
        method,
        url,
        headers: HeaderEdits(headers),
        params: Vec::new(),
        cookies: Vec::new(),
        body: body.clone(),
        options: super::request::no_options(),
        on_data: None,
        hooks: HookList::default(),
    }
}

/// The hop's logger, knowing every secret the hop carries.
fn hop_log(logger: Logger, options: &Options, hop: &Hop) -> HopLog {
    HopLog::with_secrets(logger, hop_secrets(options, hop))
}

/// Every secret the hop carries, from whatever source: auth (also from URL
/// userinfo), credential and marked headers, cookies, and the proxy's
/// credentials (set on a layer or taken from the environment).
fn hop_secrets(options: &Options, hop: &Hop) -> Secrets {
    let mut values = Vec::new();
    for (name, value) in &hop.headers {
        let lower = name.to_ascii_lowercase();
        let Some(value) = value else { continue };
        if lower == "cookie" {
            values.extend(
                value
                    .split(';')
                    .filter_map(|c| c.split_once('='))
                    .map(|(_, v)| v.trim().to_string()),
            );
        } else if options.secret_headers.contains(&lower)
            || redirect::CREDENTIAL_HEADERS.contains(&lower.as_str())
        {
            values.push(value.to_string());
        }
    }
    if let Some(proxy) = hop.proxy.as_deref().and_then(|p| Url::parse(p).ok()) {
        if let Some(password) = proxy.password() {
            let (user, plain) = (percent_decode(proxy.username()), percent_decode(password));
            values.push(logline::basic_credentials(&user, &plain));
            values.push(password.to_string());
            values.push(plain);
        }
    }
    Secrets::new(&options.secret_headers, options.auth.as_ref(), values)
}

/// The hop's Cookie header. A Cookie header from any layer is sent as it
/// is, instead of the jar's and the request's own cookies (a removal sends
/// none), as in Requests. Otherwise: the request's own cookies, then the
/// jar's for the hop's URL (in RFC 6265 order) of the names they lack, in
/// one header as RFC 6265 asks.
fn add_cookies(hop: &mut Hop, jar: &CookieJar, own: &[(String, String)]) {
    if hop
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("cookie"))
    {
        return;
    }
    let mut pairs: Vec<String> = own.iter().map(|(n, v)| format!("{n}={v}")).collect();
    pairs.extend(
        jar.sending(&hop.url)
            .into_iter()
            .filter(|(n, _)| !own.iter().any(|(o, _)| o == n))
            .map(|(n, v)| format!("{n}={v}")),
    );
    if !pairs.is_empty() {
        hop.headers
            .push(("Cookie".into(), Some(pairs.join("; ").into())));
    }
}

fn with_url(e: Error, hop: &Hop) -> Error {
    let message = format!("{}: {} {}", e.message, hop.method, redact::url(&hop.url));
    Error::new(e.code, message)
}

/// Boxed here, once: the response then moves as a pointer through
/// `finish_hop`, the send and the FFI instead of as a large struct.
fn build(hop: &Hop, collector: Collector, info: HopInfo, elapsed: Duration) -> Box<Response> {
    let streamed = collector.pulled();
    let Collector { head, body, .. } = collector;
    Box::new(Response {
        status: head.status,
        reason: head.reason,
        http_version: head.http_version,
        headers: head.headers,
        body,
        // The serialization as it is (`to_string` would go through the
        // formatter and grow its buffer).
        url: hop.url.as_str().to_owned(),
        history: Vec::new(),
        elapsed,
        timings: info.timings,
        remote_ip: info.remote_ip,
        remote_port: info.remote_port,
        warnings: Vec::new(),
        cookies: Vec::new(),
        request: None,
        attempts: Vec::new(),
        streamed,
    })
}

/// The `Accept-Encoding` a hop offers when no layer says otherwise: made
/// once, shared by every hop (no allocation a hop).
fn accept_encoding() -> (HeaderText, Option<HeaderText>) {
    static HEADER: OnceLock<(HeaderText, HeaderText)> = OnceLock::new();
    let (name, value) =
        HEADER.get_or_init(|| ("Accept-Encoding".into(), decode::ACCEPT_ENCODING.into()));
    (name.clone(), Some(value.clone()))
}

/// The state of a send across its hops: what the next hop will carry.
struct Chain {
    method: Method,
    url: Url,
    /// Every layer merged (`Layer::for_send_shared`): its headers and
    /// options. Shared with the session's cached layers when the request
    /// adds nothing of its own; copied only if a redirect must change it.
    merged: Arc<Layer>,
    /// The request's own cookies; dropped with the credentials.
    cookies: Vec<(String, String)>,
    body: Body,
    redirects_followed: u32,
    buffer_cap: u64,
    stream_cap: u64,
}

impl Chain {
    fn new(request: Cow<'_, Request>, below: &Arc<Layer>) -> Result<Chain> {
        let (merged, url) = Layer::merged_for(&request, below);
        // An owned request gives its parts up; a borrowed one is copied.
        let (method, request_url, cookies, body) = match request {
            Cow::Owned(r) => (r.method, url.unwrap_or(r.url), r.cookies, r.body),
            Cow::Borrowed(r) => (
                r.method.clone(),
                url.unwrap_or_else(|| r.url.clone()),
                r.cookies.clone(),
                r.body.clone(),
            ),
        };
        let mut url = request_url;
        if !merged.params.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(merged.params.iter().map(|(k, v)| (k, v)));
        }
        let (buffer_cap, stream_cap) = match merged.options.max_response_bytes {
            Some(cap) => (cap, cap),
            None => (defaults::MAX_BUFFERED_BODY, 0),
        };
        Ok(Chain {
            method,
            url,
            merged,
            cookies,
            body,
            redirects_followed: 0,
            buffer_cap,
            stream_cap,
        })
    }

    /// True when a redirect answering the next hop would be followed (the
    /// collector then skips its body instead of decoding it).
    fn follows_another(&self) -> bool {
        self.merged
            .options
            .redirects
            .is_some_and(|r| r.follow && self.redirects_followed < r.max)
    }

    /// `e` with the request's method and URL appended, as every failure
    /// message names them.
    fn naming(&self, e: Error) -> Error {
        let message = format!("{}: {} {}", e.message, self.method, redact::url(&self.url));
        Error::new(e.code, message)
    }

    /// The next transfer, fully decided.
    fn hop(&self, started: Instant, env: &Environment) -> Result<Hop> {
        // Room for what this hop adds below and `add_cookies`, `add_digest`
        // and `sent_view` after it (Content-Type, Accept-Encoding, Expect,
        // Cookie, Authorization, Content-Length): one allocation per hop.
        let mut headers = Vec::with_capacity(self.merged.headers.0.len() + 6);
        headers.extend(self.merged.headers.0.iter().cloned());
        let (body, content_type) = hop_body(&self.body).map_err(|e| self.naming(e))?;
        if !self.merged.headers.mentions("content-type") {
            match (content_type, &body) {
                (Some(ct), _) => headers.push(("Content-Type".into(), Some(ct.into()))),
                // libcurl labels every POST-mode body as a form; a body the
                // caller gave no type goes without one, as in Requests. So
                // does a body-less POST, PUT, DELETE… (sent in POST mode to
                // say `Content-Length: 0`): no body, no type.
                (None, HopBody::Upload { .. }) => headers.push(("Content-Type".into(), None)),
                (None, HopBody::None) if !matches!(&*self.method, "GET" | "HEAD") => {
                    headers.push(("Content-Type".into(), None));
                }
                (None, _) => {}
            }
        }
        // libreqc decodes bodies itself (see `decode`): it offers what it can
        // decode, unless a layer sets (or removes) the header. A coding a
        // caller asks for that libreqc cannot decode comes back as received.
        if !self.merged.headers.mentions("accept-encoding") {
            headers.push(accept_encoding());
        }
        // libcurl sends `Expect: 100-continue` for large bodies and waits up to
        // a second for an answer many servers never send. Requests sends none.
        if !matches!(body, HopBody::None) && !self.merged.headers.mentions("expect") {
            headers.push(("Expect".into(), None));
        }
        let timeout = match self.merged.options.timeout {
            Some(t) if t.is_zero() => None,
            Some(t) => {
                let left = t.saturating_sub(started.elapsed());
                if left.is_zero() {
                    return Err(Error::new(
                        Code::Timeout,
                        format!(
                            "timed out after {} ms: {} {}",
                            t.as_millis(),
                            self.method,
                            redact::url(&self.url)
                        ),
                    ));
                }
                Some(left)
            }
            None => None,
        };
        let (proxy, tls) = super::environment::resolve(env, &self.merged.options, &self.url);
        Ok(Hop {
            method: self.method.clone(),
            url: self.url.clone(),
            headers,
            body,
            auth: layers::challenge_auth(&self.merged.options).cloned(),
            connect_timeout: self
                .merged
                .options
                .connect_timeout
                .unwrap_or(defaults::CONNECT_TIMEOUT),
            timeout,
            read_timeout: self.merged.options.read_timeout.filter(|t| !t.is_zero()),
            http_version: self.merged.options.http_version.unwrap_or(HttpVersion::Any),
            proxy,
            tls,
            speed_floor: self
                .merged
                .options
                .speed_floor
                .unwrap_or(defaults::SPEED_FLOOR),
            log: None,
        })
    }

    /// Prepares the chain for the redirect `response` asks for; `None` when
    /// `response` is final.
    fn next(&mut self, response: &Response) -> Result<Option<()>> {
        let Some(policy) = self.merged.options.redirects.filter(|r| r.follow) else {
            return Ok(None);
        };
        // The status first: most responses are no redirect, and it costs
        // no look-up.
        if !redirect::is_redirect(response.status) {
            return Ok(None);
        }
        let Some(location) = response.header("location") else {
            return Ok(None);
        };
        if self.redirects_followed >= policy.max {
            return Err(Error::new(
                Code::TooManyRedirects,
                format!(
                    "more than {} redirects: {} {}",
                    policy.max,
                    self.method,
                    redact::url(&self.url)
                ),
            ));
        }
        let next = redirect::target(&self.url, location).map_err(|e| self.naming(e))?;
        // Static text for a standard method, as in every request.
        let method = method_of(redirect::next_method(response.status, &self.method));
        if method != self.method && method == "GET" {
            self.body = Body::None;
            for name in ["content-type", "content-length", "transfer-encoding"] {
                Arc::make_mut(&mut self.merged)
                    .headers
                    .0
                    .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            }
        } else if matches!(self.body, Body::Stream { .. }) {
            return Err(Error::new(
                Code::InvalidState,
                format!(
                    "a {} redirect needs the body again, but it was streamed from a callback: {} {}",
                    response.status,
                    self.method,
                    redact::url(&self.url)
                ),
            ));
        }
        if !redirect::keeps_credentials(&self.url, &next) {
            self.strip_credentials();
        }
        self.method = method;
        self.url = next;
        self.redirects_followed += 1;
        Ok(Some(()))
    }

    /// Once stripped, credentials stay stripped for the rest of the chain,
    /// even if it comes back to the first origin.
    fn strip_credentials(&mut self) {
        let merged = Arc::make_mut(&mut self.merged);
        merged.options.auth = None;
        self.cookies.clear();
        let secret = &merged.options.secret_headers;
        merged.headers.0.retain(|(n, _)| {
            let lower = n.to_ascii_lowercase();
            !redirect::CREDENTIAL_HEADERS.contains(&lower.as_str()) && !secret.contains(&lower)
        });
    }
}

/// The hop's body and the Content-Type it implies.
fn hop_body(body: &Body) -> Result<(HopBody, Option<String>)> {
    Ok(match body {
        Body::None => (HopBody::None, None),
        Body::Bytes { data, content_type } => (
            HopBody::Upload {
                upload: Upload::bytes(data.clone()),
                length: Some(data.len() as u64),
            },
            content_type.clone(),
        ),
        Body::Json(data) => (
            HopBody::Upload {
                upload: Upload::bytes(data.clone()),
                length: Some(data.len() as u64),
            },
            Some("application/json".to_string()),
        ),
        Body::Form { fields, files } if files.is_empty() => {
            let data: std::sync::Arc<[u8]> = super::body::urlencoded(fields).into_bytes().into();
            (
                HopBody::Upload {
                    length: Some(data.len() as u64),
                    upload: Upload::bytes(data),
                },
                Some("application/x-www-form-urlencoded".to_string()),
            )
        }
        Body::Form { fields, files } => {
            for file in files {
                if let super::body::PartContent::File(path) = &file.content {
                    std::fs::File::open(path).map_err(|e| {
                        Error::new(
                            Code::Io,
                            format!(
                                "cannot read file {} for part {:?}: {e}",
                                path.display(),
                                file.field
                            ),
                        )
                    })?;
                }
            }
            (
                HopBody::Multipart {
                    fields: fields.clone(),
                    files: files.clone(),
                },
                None,
            )
        }
        Body::Stream { source, length } => (
            HopBody::Upload {
                upload: Upload::Stream(source.clone()),
                length: *length,
            },
            None,
        ),
    })
}
