// reqc.hpp: libreqc's C++ API, header-only, C++17 (clean under C++20).
//
// A thin layer over include/reqc.h: it holds no HTTP logic of its own, it
// makes the C API feel like C++ (docs/cpp.md is the guide).
//
//  - Values: every constant family of the C API is a scoped enum here whose
//    values are the C constants (reqc::Code, HttpVersion, TlsVersion,
//    Timing, BodyKind, HookKind, HookResult, LogLevel, LogFlag, Watch), HookId is a
//    strong id, and every duration is a std::chrono duration.
//  - Ownership: Session, Request, Response and Batch are move-only and own
//    their C handle (RAII). RequestView, ResponseView and HookContext are
//    lent, and so is PreparedRequest (read-only): they never free anything
//    and live only as long as the C call or the object that lent them (a
//    hook's request and response: the hook call; a history entry and a
//    response's request: its Response).
//  - Errors: failures throw reqc::Error (a std::runtime_error carrying the
//    reqc::Code and the message libreqc gave: the handle's, or the one
//    reqc_request_new hands back for an invalid URL). The non-throwing
//    forms (Session::try_send, reqc::try_send, Batch/map results) return a
//    reqc::Result instead.
//  - Callbacks (hooks, log sinks, on_complete, body read and data
//    callbacks, event-loop socket and timer callbacks) are any callable.
//    They are moved into a heap holder that C owns and frees through its
//    free_userdata, exactly once, after the last possible call. No
//    exception ever crosses into C: each trampoline catches everything,
//    answers "abort" where the callback kind can (hooks:
//    REQC_HOOK_RESULT_ABORT; read: non-zero, REQC_E_CALLBACK; data:
//    non-zero, REQC_E_ABORTED; on_complete, socket and timer callbacks: the
//    batch is cancelled; a log sink cannot stop anything and the send goes
//    on), and keeps the exception for the thread that made the C call,
//    which rethrows it as soon as that call returns. The slot is per
//    thread, not per object: libreqc runs every callback on the thread that
//    called send or perform, and a Session may send from many threads at
//    once.
//  - Strings in are std::string_view (copied by libreqc); strings out are
//    std::string_view borrowed from their Response (valid until it is
//    freed or moved from) unless the signature says std::string.
//
// Every C function is called by its full name, and
// bindings/cpp/tests/coverage.py checks against include/reqc.json that each
// one is reachable from here or listed as left out on purpose.
#ifndef REQC_HPP
#define REQC_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "reqc.h"

namespace reqc {

// ---------------------------------------------------------------- values

// A result code (reqc_code): Ok or one of the REQC_E_* values.
enum class Code : reqc_code {
    Ok = REQC_OK,
    InvalidArgument = REQC_E_INVALID_ARGUMENT,
    InvalidUrl = REQC_E_INVALID_URL,
    UnsupportedProtocol = REQC_E_UNSUPPORTED_PROTOCOL,
    InvalidState = REQC_E_INVALID_STATE,
    NotFound = REQC_E_NOT_FOUND,
    Io = REQC_E_IO,
    Resolve = REQC_E_RESOLVE,
    Connect = REQC_E_CONNECT,
    Timeout = REQC_E_TIMEOUT,
    Tls = REQC_E_TLS,
    Send = REQC_E_SEND,
    Recv = REQC_E_RECV,
    Protocol = REQC_E_PROTOCOL,
    Proxy = REQC_E_PROXY,
    TooManyRedirects = REQC_E_TOO_MANY_REDIRECTS,
    BodyTooLarge = REQC_E_BODY_TOO_LARGE,
    Cancelled = REQC_E_CANCELLED,
    Aborted = REQC_E_ABORTED,
    Callback = REQC_E_CALLBACK,
    Transport = REQC_E_TRANSPORT,
    Panic = REQC_E_PANIC,
};
// "REQC_E_TIMEOUT" (static storage).
inline const char *name(Code code) noexcept { return reqc_code_name(static_cast<reqc_code>(code)); }

// The HTTP version to ask for (reqc_http_version), or the one a response used.
enum class HttpVersion : reqc_http_version {
    Any = REQC_HTTP_VERSION_ANY,
    V1_0 = REQC_HTTP_VERSION_1_0,
    V1_1 = REQC_HTTP_VERSION_1_1,
    V2 = REQC_HTTP_VERSION_2,
    V2PriorKnowledge = REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE,
    V3 = REQC_HTTP_VERSION_3, // only ever reported, never asked for
};

// The oldest TLS version accepted (reqc_tls_version).
enum class TlsVersion : reqc_tls_version {
    V1_2 = REQC_TLS_VERSION_1_2,
    V1_3 = REQC_TLS_VERSION_1_3,
};

// A setting that can be unset on a layer (reqc_option): Request::unset,
// Session::unset, config::unset put the layer below back in charge.
enum class Option : reqc_option {
    Timeout = REQC_OPTION_TIMEOUT,
    ReadTimeout = REQC_OPTION_READ_TIMEOUT,
    ConnectTimeout = REQC_OPTION_CONNECT_TIMEOUT,
    Redirects = REQC_OPTION_REDIRECTS,
    HttpVersion = REQC_OPTION_HTTP_VERSION,
    SpeedFloor = REQC_OPTION_SPEED_FLOOR,
    MaxResponseBytes = REQC_OPTION_MAX_RESPONSE_BYTES,
    VerifyTls = REQC_OPTION_VERIFY_TLS,
    Ca = REQC_OPTION_CA, // CA file, directory and PEM together
    ClientCert = REQC_OPTION_CLIENT_CERT,
    MinTlsVersion = REQC_OPTION_MIN_TLS_VERSION,
    Proxy = REQC_OPTION_PROXY,
    TrustEnv = REQC_OPTION_TRUST_ENV,
    UserAgent = REQC_OPTION_USER_AGENT,
    Auth = REQC_OPTION_AUTH,                   // requests and sessions only
    Headers = REQC_OPTION_HEADERS,
    Params = REQC_OPTION_PARAMS,               // requests and sessions only
    SecretHeaders = REQC_OPTION_SECRET_HEADERS,
    Log = REQC_OPTION_LOG,                     // sessions and the config only
    Retries = REQC_OPTION_RETRIES,
    RetryStatuses = REQC_OPTION_RETRY_STATUSES,
    RetryBackoff = REQC_OPTION_RETRY_BACKOFF,
    RetryAllMethods = REQC_OPTION_RETRY_ALL_METHODS,
};

// A point of a response's timeline (reqc_timing), for ResponseView::timing.
enum class Timing : reqc_timing {
    Dns = REQC_TIMING_DNS,
    Connect = REQC_TIMING_CONNECT,
    Tls = REQC_TIMING_TLS,
    FirstByte = REQC_TIMING_FIRST_BYTE,
    Total = REQC_TIMING_TOTAL,
};

// What kind of body a request carries (reqc_body_kind).
enum class BodyKind : reqc_body_kind {
    None = REQC_BODY_KIND_NONE,
    Bytes = REQC_BODY_KIND_BYTES,
    Json = REQC_BODY_KIND_JSON,
    Form = REQC_BODY_KIND_FORM,
    Multipart = REQC_BODY_KIND_MULTIPART,
    Callback = REQC_BODY_KIND_CALLBACK,
};

// Which point of a send calls a hook (reqc_hook_kind).
enum class HookKind : reqc_hook_kind {
    Args = REQC_HOOK_KIND_ARGS,
    PreRequest = REQC_HOOK_KIND_PRE_REQUEST,
    PostRequest = REQC_HOOK_KIND_POST_REQUEST,
    // Status and headers are in, no body byte yet: return HookResult::Abort
    // to refuse the body (Typhoeus' on_headers).
    Headers = REQC_HOOK_KIND_HEADERS,
    Response = REQC_HOOK_KIND_RESPONSE,
};
// What a hook answers (reqc_hook_result).
enum class HookResult : reqc_hook_result {
    Continue = REQC_HOOK_RESULT_CONTINUE,
    Error = REQC_HOOK_RESULT_ERROR,
    Abort = REQC_HOOK_RESULT_ABORT,
};
// A hook registration (reqc_hook_id), from add_hook, for remove_hook.
enum class HookId : reqc_hook_id {};

// How much a log sink receives (reqc_log_level), and how (reqc_log_flag).
enum class LogLevel : reqc_log_level {
    Off = REQC_LOG_LEVEL_OFF,
    Requests = REQC_LOG_LEVEL_REQUESTS,
    Headers = REQC_LOG_LEVEL_HEADERS,
    Wire = REQC_LOG_LEVEL_WIRE,
};
enum class LogFlag : reqc_log_flag {
    None = 0,
    ShowSecrets = REQC_LOG_FLAG_SHOW_SECRETS,
};
constexpr LogFlag operator|(LogFlag a, LogFlag b) noexcept {
    return static_cast<LogFlag>(static_cast<reqc_log_flag>(a) | static_cast<reqc_log_flag>(b));
}
constexpr LogFlag operator&(LogFlag a, LogFlag b) noexcept {
    return static_cast<LogFlag>(static_cast<reqc_log_flag>(a) & static_cast<reqc_log_flag>(b));
}
constexpr LogFlag &operator|=(LogFlag &a, LogFlag b) noexcept { return a = a | b; }

// What an event loop watches a socket for, or found on it (reqc_watch):
// In, Out, InOut (== In | Out), or Remove (stop watching).
enum class Watch : reqc_watch {
    In = REQC_WATCH_IN,
    Out = REQC_WATCH_OUT,
    InOut = REQC_WATCH_INOUT,
    Remove = REQC_WATCH_REMOVE,
};
constexpr Watch operator|(Watch a, Watch b) noexcept {
    return static_cast<Watch>(static_cast<reqc_watch>(a) | static_cast<reqc_watch>(b));
}
constexpr Watch operator&(Watch a, Watch b) noexcept {
    return static_cast<Watch>(static_cast<reqc_watch>(a) & static_cast<reqc_watch>(b));
}

// ---------------------------------------------------------------- errors

// A libreqc failure: code() is the reqc::Code, what() the message libreqc
// gave (e.g. "REQC_E_TIMEOUT: timed out after 200 ms: GET http://…"), or
// the code's name when it gave none.
class Error : public std::runtime_error {
public:
    Error(Code code, const std::string &message)
        : std::runtime_error(message.empty() ? std::string(reqc::name(code)) : message), code_(code) {}
    Code code() const noexcept { return code_; }
    // "REQC_E_TIMEOUT", static.
    const char *name() const noexcept { return reqc::name(code_); }

private:
    Code code_;
};

namespace detail {

// A NUL-terminated copy of a string_view for one C call, made as
// `detail::str(v).c_str()` and gone at the end of the full expression.
// Short strings (URLs, header names and values: nearly all) are copied
// into the object itself, so the per-call copy costs no allocation; longer
// ones go to the heap. Neither copied nor moved: C++17 returns it in place.
class CStr {
public:
    explicit CStr(std::string_view v) {
        if (v.size() < sizeof small_) {
            v.copy(small_, v.size());
            small_[v.size()] = '\0';
            p_ = small_;
        } else {
            big_.assign(v);
            p_ = big_.c_str();
        }
    }
    CStr(const CStr &) = delete;
    CStr &operator=(const CStr &) = delete;
    const char *c_str() const noexcept { return p_; }

private:
    char small_[256];
    std::string big_;
    const char *p_;
};
inline CStr str(std::string_view v) { return CStr(v); }
inline std::string nz(const char *s) { return s ? std::string(s) : std::string(); }
constexpr Code code(reqc_code rc) noexcept { return static_cast<Code>(rc); }

// Takes over a string libreqc handed out as owned (a `char **` out) and
// returns a copy; the original is freed with reqc_string_free, also when
// the copy throws.
inline std::string take_string(char *owned) {
    std::unique_ptr<char, void (*)(char *)> guard(owned, reqc_string_free);
    return nz(owned);
}

// The exception a callback threw on this thread, kept until the C call that
// ran the callback returns. Per thread: callbacks run on the calling thread.
inline std::exception_ptr &pending() {
    thread_local std::exception_ptr slot;
    return slot;
}

// Called inside every trampoline's catch (...): keeps the first exception.
inline void stash() noexcept {
    if (!pending()) pending() = std::current_exception();
}

// Runs one C call that may call back, with a fresh slot (an outer call's
// exception, e.g. a hook that sends, is kept aside and restored). Returns
// the call's code and whatever a callback threw during it.
template <class Call> std::pair<reqc_code, std::exception_ptr> guarded(Call &&call) {
    std::exception_ptr outer = std::exchange(pending(), nullptr);
    reqc_code rc = call();
    std::exception_ptr mine = std::exchange(pending(), std::move(outer));
    return {rc, std::move(mine)};
}

// A callable on the heap, owned by C: `release` is the free_userdata.
template <class F> struct Holder {
    F fn;
    static void release(void *p) noexcept { delete static_cast<Holder *>(p); }
};
template <class F> Holder<std::decay_t<F>> *hold(F &&f) { return new Holder<std::decay_t<F>>{std::forward<F>(f)}; }

struct FreeRequest {
    void operator()(reqc_request *p) const noexcept { reqc_request_free(p); }
};
struct FreeResponse {
    void operator()(reqc_response *p) const noexcept { reqc_response_free(p); }
};
struct FreeSession {
    void operator()(reqc_session *p) const noexcept { reqc_session_free(p); }
};
struct FreeBatch {
    void operator()(reqc_batch *p) const noexcept { reqc_batch_free(p); }
};
struct FreeCookieList {
    void operator()(reqc_cookie_list *p) const noexcept { reqc_cookie_list_free(p); }
};
struct FreeStream {
    void operator()(reqc_stream *p) const noexcept { reqc_stream_free(p); }
};

} // namespace detail

// ---------------------------------------------------------------- cookies

// One cookie, copied out of a session's jar or a response.
struct Cookie {
    std::string domain, path, name, value;
    bool include_subdomains = false, secure = false, http_only = false;
    int64_t expires = 0; // Unix seconds; 0 for a session cookie
};

namespace detail {
inline Cookie copy_cookie(const reqc_cookie *c) {
    return Cookie{nz(reqc_cookie_domain(c)),          nz(reqc_cookie_path(c)),
                  nz(reqc_cookie_name(c)),            nz(reqc_cookie_value(c)),
                  reqc_cookie_include_subdomains(c) != 0, reqc_cookie_secure(c) != 0,
                  reqc_cookie_http_only(c) != 0,      reqc_cookie_expires(c)};
}
} // namespace detail

// ------------------------------------------------------- request getters

// The getters shared by every kind of request: Request, RequestView and
// PreparedRequest. They return copies (libreqc's strings live only until
// the request changes). Which headers a request shows depends on where it
// comes from: one you build shows what you set on it; a PRE_REQUEST hook's
// and a response's (PreparedRequest) show every header as it went out,
// every layer merged, secrets included (see reqc_request_header).
template <class Self> class RequestReads {
public:
    std::string url() const { return detail::nz(reqc_request_url(ch())); }
    std::string method() const { return detail::nz(reqc_request_method(ch())); }
    // The first value of header `name` (case-insensitive), if shown.
    std::optional<std::string> header(std::string_view name) const {
        const char *v = reqc_request_header(ch(), detail::str(name).c_str());
        return v ? std::optional<std::string>(v) : std::nullopt;
    }
    // Every header shown, in the order sent.
    std::vector<std::pair<std::string, std::string>> headers() const {
        std::vector<std::pair<std::string, std::string>> all;
        for (size_t i = 0, n = reqc_request_header_count(ch()); i < n; i++) {
            const char *name = nullptr, *value = nullptr;
            if (reqc_request_header_at(ch(), i, &name, &value) == REQC_OK)
                all.emplace_back(detail::nz(name), detail::nz(value));
        }
        return all;
    }
    BodyKind body_kind() const noexcept { return static_cast<BodyKind>(reqc_request_body_kind(ch())); }
    // The body's bytes exactly as they go out (JSON text, urlencoded form);
    // nullopt when there are none to show: no body, a multipart body or a
    // streamed one (body_kind() tells which).
    std::optional<std::string> body() const {
        size_t len = 0;
        const uint8_t *b = reqc_request_body(ch(), &len);
        if (!b) return std::nullopt;
        return std::string(reinterpret_cast<const char *>(b), len);
    }

protected:
    const reqc_request *ch() const noexcept { return static_cast<const Self &>(*this).native_handle(); }
};

// The request a response was produced by, as it was sent (Requests'
// r.request): lent by its response (valid until that is freed), read-only.
class PreparedRequest : public RequestReads<PreparedRequest> {
public:
    explicit PreparedRequest(const reqc_request *r) noexcept : r_(r) {}
    const reqc_request *native_handle() const noexcept { return r_; }

private:
    const reqc_request *r_;
};

// ------------------------------------------------------------- responses

// One response header: name as the server spelled it, and its value.
using Header = std::pair<std::string_view, std::string_view>;

// A response that is not owned: a hook's response, a history entry, or a
// view of a Response. Valid while its owner is (see each getter's source).
class ResponseView {
public:
    explicit ResponseView(const reqc_response *r = nullptr) noexcept : r_(r) {}
    const reqc_response *native_handle() const noexcept { return r_; }

    int status() const noexcept { return reqc_response_status(r_); }
    std::string_view reason() const noexcept { return reqc_response_reason(r_); }
    std::string_view url() const noexcept { return reqc_response_url(r_); }
    // The decoded body bytes (may hold NULs).
    std::string_view body() const noexcept {
        size_t len = 0;
        const uint8_t *b = reqc_response_body(r_, &len);
        return b ? std::string_view(reinterpret_cast<const char *>(b), len) : std::string_view();
    }
    // The body as UTF-8 text (from the declared charset), as Requests' r.text.
    std::string_view text() const noexcept { return reqc_response_text(r_); }
    // True for a Stream's response (and what RESPONSE hooks see of it at
    // open time): its body is read from the Stream, so body() is empty.
    bool streamed() const noexcept { return reqc_response_is_streamed(r_) != 0; }
    std::optional<std::string_view> encoding() const noexcept {
        const char *e = reqc_response_encoding(r_);
        return e ? std::optional<std::string_view>(e) : std::nullopt;
    }
    // The first value of header `name` (case-insensitive), if any.
    std::optional<std::string_view> header(std::string_view name) const {
        const char *v = reqc_response_header(r_, detail::str(name).c_str());
        return v ? std::optional<std::string_view>(v) : std::nullopt;
    }
    // The target of the first Link with relation `rel`, if any.
    std::optional<std::string_view> link(std::string_view rel) const {
        const char *v = reqc_response_link(r_, detail::str(rel).c_str());
        return v ? std::optional<std::string_view>(v) : std::nullopt;
    }
    std::chrono::microseconds elapsed() const noexcept {
        return std::chrono::microseconds(reqc_response_elapsed_us(r_));
    }
    // A point of this hop's timeline (Timing::Dns … Total) from its start.
    std::chrono::microseconds timing(Timing phase) const noexcept {
        return std::chrono::microseconds(reqc_response_timing_us(r_, static_cast<reqc_timing>(phase)));
    }
    // One link of the Link headers: its target as written and its rel.
    struct Link {
        std::string_view url, rel;
    };
    std::vector<Link> links() const {
        std::vector<Link> all;
        for (size_t i = 0, n = reqc_response_link_count(r_); i < n; i++) {
            const char *u = "", *rel = "";
            if (reqc_response_link_at(r_, i, &u, &rel) == REQC_OK) all.push_back(Link{u, rel});
        }
        return all;
    }
    std::optional<std::string_view> link_param(size_t index, std::string_view name) const {
        const char *v = reqc_response_link_param(r_, index, detail::str(name).c_str());
        return v ? std::optional<std::string_view>(v) : std::nullopt;
    }
    // What hooks that answered HookResult::Error left, in the order they ran.
    std::vector<std::string_view> warnings() const {
        std::vector<std::string_view> all;
        for (size_t i = 0, n = reqc_response_warning_count(r_); i < n; i++) {
            const char *w = nullptr;
            if (reqc_response_warning_at(r_, i, &w) == REQC_OK) all.emplace_back(w);
        }
        return all;
    }
    // The status each attempt at this hop got, oldest first (0: no
    // response); one entry when it was not retried, none for a response
    // no send made.
    std::vector<int> attempts() const {
        std::vector<int> all;
        for (size_t i = 0, n = reqc_response_attempt_count(r_); i < n; i++) {
            int status = 0;
            if (reqc_response_attempt_at(r_, i, &status) == REQC_OK) all.push_back(status);
        }
        return all;
    }
    HttpVersion http_version() const noexcept { return static_cast<HttpVersion>(reqc_response_http_version(r_)); }
    std::string_view remote_ip() const noexcept { return reqc_response_remote_ip(r_); }
    int remote_port() const noexcept { return reqc_response_remote_port(r_); }
    // The request that produced this hop, as it was sent (Requests'
    // r.request), lent by this response; nullopt for one no send made.
    std::optional<PreparedRequest> request() const noexcept {
        const reqc_request *q = reqc_response_request(r_);
        return q ? std::optional<PreparedRequest>(PreparedRequest(q)) : std::nullopt;
    }
    // The cookies this hop's Set-Cookie headers stored, as the jar keeps them.
    std::vector<Cookie> cookies() const {
        std::vector<Cookie> all;
        for (size_t i = 0, n = reqc_response_cookie_count(r_); i < n; i++) {
            const reqc_cookie *c = nullptr;
            if (reqc_response_cookie_at(r_, i, &c) == REQC_OK) all.push_back(detail::copy_cookie(c));
        }
        return all;
    }

    // Every header line in received order: `for (auto [name, value] : r.headers())`.
    class Headers {
    public:
        class iterator {
        public:
            using iterator_category = std::input_iterator_tag;
            using value_type = Header;
            using difference_type = std::ptrdiff_t;
            using pointer = void;
            using reference = Header;
            iterator(const reqc_response *r, size_t i) : r_(r), i_(i) {}
            // A view of the line's own bytes: no C string is made for it.
            Header operator*() const {
                reqc_header_view v{};
                size_t count = 0;
                if (reqc_response_header_views(r_, i_, &v, 1, &count) != REQC_OK || i_ >= count)
                    return {};
                return {std::string_view(v.name, v.name_len), std::string_view(v.value, v.value_len)};
            }
            iterator &operator++() { ++i_; return *this; }
            iterator operator++(int) { iterator t = *this; ++i_; return t; }
            bool operator==(const iterator &o) const { return i_ == o.i_; }
            bool operator!=(const iterator &o) const { return i_ != o.i_; }

        private:
            const reqc_response *r_;
            size_t i_;
        };
        explicit Headers(const reqc_response *r) : r_(r) {}
        iterator begin() const { return {r_, 0}; }
        iterator end() const { return {r_, size()}; }
        size_t size() const { return reqc_response_header_count(r_); }

    private:
        const reqc_response *r_;
    };
    Headers headers() const { return Headers(r_); }

    // The earlier hops (redirects, answered digest challenges), oldest
    // first, as views borrowed from this response.
    class History {
    public:
        class iterator {
        public:
            using iterator_category = std::input_iterator_tag;
            using value_type = ResponseView;
            using difference_type = std::ptrdiff_t;
            using pointer = void;
            using reference = ResponseView;
            iterator(const reqc_response *r, size_t i) : r_(r), i_(i) {}
            ResponseView operator*() const { return ResponseView(hop(r_, i_)); }
            iterator &operator++() { ++i_; return *this; }
            iterator operator++(int) { iterator t = *this; ++i_; return t; }
            bool operator==(const iterator &o) const { return i_ == o.i_; }
            bool operator!=(const iterator &o) const { return i_ != o.i_; }

        private:
            const reqc_response *r_;
            size_t i_;
        };
        explicit History(const reqc_response *r) : r_(r) {}
        iterator begin() const { return {r_, 0}; }
        iterator end() const { return {r_, size()}; }
        size_t size() const { return reqc_response_history_count(r_); }
        ResponseView operator[](size_t i) const { return ResponseView(hop(r_, i)); }
        static const reqc_response *hop(const reqc_response *r, size_t i) noexcept {
            const reqc_response *h = nullptr;
            return reqc_response_history_at(r, i, &h) == REQC_OK ? h : nullptr;
        }

    private:
        const reqc_response *r_;
    };
    History history() const { return History(r_); }

protected:
    const reqc_response *r_;
};

// An owned response (move-only; freed with its history when destroyed).
class Response : public ResponseView {
public:
    Response() noexcept = default;
    explicit Response(reqc_response *owned) noexcept : ResponseView(owned) {}
    Response(Response &&o) noexcept : ResponseView(std::exchange(o.r_, nullptr)) {}
    Response &operator=(Response &&o) noexcept {
        if (this != &o) {
            reqc_response_free(const_cast<reqc_response *>(r_));
            r_ = std::exchange(o.r_, nullptr);
        }
        return *this;
    }
    Response(const Response &) = delete;
    Response &operator=(const Response &) = delete;
    ~Response() { reqc_response_free(const_cast<reqc_response *>(r_)); }
    explicit operator bool() const noexcept { return r_ != nullptr; }
    // Gives up ownership (for C code that frees it).
    reqc_response *release() noexcept { return const_cast<reqc_response *>(std::exchange(r_, nullptr)); }
};

// The outcome of a non-throwing send or of one batch item: a Response, or
// a code and message. Never throws until value() is asked of a failure.
class Result {
public:
    Result(Response r) : resp_(std::move(r)), code_(Code::Ok) {}
    Result(Code code, std::string message) : code_(code), message_(std::move(message)) {}
    bool ok() const noexcept { return code_ == Code::Ok; }
    explicit operator bool() const noexcept { return ok(); }
    Code code() const noexcept { return code_; }
    const std::string &message() const noexcept { return message_; }
    Error error() const { return Error(code_, message_); }
    // The response; throws the Error when the send failed.
    Response &value() & {
        if (!ok()) throw error();
        return resp_;
    }
    Response &&value() && {
        if (!ok()) throw error();
        return std::move(resp_);
    }
    Response *operator->() { return &value(); }

private:
    Response resp_;
    Code code_;
    std::string message_;
};

// ------------------------------------------------------------ callbacks

class RequestView;
class HookContext;

namespace detail {
// Turns whatever a hook returns (void, HookResult or int) into the C answer.
template <class F> reqc_hook_result run_hook(F &f, HookContext &ctx);

template <class F> reqc_hook_result hook_trampoline(void *ud, reqc_hook_kind kind, reqc_hook_ctx *ctx) noexcept;

// The body read callback: f(char *buf, size_t capacity) -> bytes written (0: end).
template <class F> int read_trampoline(void *ud, uint8_t *buf, size_t cap, size_t *written) noexcept {
    try {
        *written = static_cast<Holder<F> *>(ud)->fn(reinterpret_cast<char *>(buf), cap);
        return *written > cap ? 1 : 0;
    } catch (...) {
        stash();
        return 1;
    }
}

// The data callback: f(std::string_view chunk) -> void, or bool (false stops).
template <class F> int data_trampoline(void *ud, const uint8_t *data, size_t len) noexcept {
    try {
        std::string_view chunk(reinterpret_cast<const char *>(data), len);
        F &f = static_cast<Holder<F> *>(ud)->fn;
        if constexpr (std::is_void_v<std::invoke_result_t<F &, std::string_view>>) {
            f(chunk);
            return 0;
        } else {
            return f(chunk) ? 0 : 1;
        }
    } catch (...) {
        stash();
        return 1;
    }
}

// A log sink: f(LogLevel level, std::string_view line), or f(std::string_view
// line). It cannot stop a send.
template <class F> void log_trampoline(void *ud, reqc_log_level level, const char *line) noexcept {
    try {
        F &f = static_cast<Holder<F> *>(ud)->fn;
        std::string_view text(line ? line : "");
        if constexpr (std::is_invocable_v<F &, LogLevel, std::string_view>)
            f(static_cast<LogLevel>(level), text);
        else
            f(text);
    } catch (...) {
        stash();
    }
}
template <class F> constexpr void check_log_sink() {
    static_assert(std::is_invocable_v<F &, LogLevel, std::string_view> || std::is_invocable_v<F &, std::string_view>,
                  "a log sink is called as f(reqc::LogLevel, std::string_view) or f(std::string_view)");
}
} // namespace detail

// ------------------------------------------------------------- requests

// The setters shared by an owned Request and a lent RequestView. Each
// returns the object, so calls chain: `Request::get(u).header(...).param(...)`.
// Every setter throws reqc::Error when libreqc refuses the value.
template <class Self> class RequestOps : public RequestReads<Self> {
public:
    // The getters (header(name), headers(), body(), url(), method()…) too.
    using RequestReads<Self>::header;
    using RequestReads<Self>::body;
    using RequestReads<Self>::url;
    using RequestReads<Self>::method;
    // Sets header `name`, replacing earlier values.
    Self &header(std::string_view name, std::string_view value) & {
        return check(reqc_request_set_header(h(), detail::str(name).c_str(), detail::str(value).c_str()));
    }
    Self &&header(std::string_view name, std::string_view value) && { return std::move(header(name, value)); }
    // Adds a header, keeping earlier ones of that name.
    Self &add_header(std::string_view name, std::string_view value) & {
        return check(reqc_request_add_header(h(), detail::str(name).c_str(), detail::str(value).c_str()));
    }
    Self &&add_header(std::string_view name, std::string_view value) && { return std::move(add_header(name, value)); }
    // Removes header `name`: the session's default too, and one libcurl adds.
    Self &remove_header(std::string_view name) & {
        return check(reqc_request_set_header(h(), detail::str(name).c_str(), nullptr));
    }
    Self &&remove_header(std::string_view name) && { return std::move(remove_header(name)); }
    // Appends a query parameter (percent-encoded for you).
    Self &param(std::string_view name, std::string_view value) & {
        return check(reqc_request_add_param(h(), detail::str(name).c_str(), detail::str(value).c_str()));
    }
    Self &&param(std::string_view name, std::string_view value) && { return std::move(param(name, value)); }
    // Sends cookie `name=value` with this request only (Requests' cookies=);
    // it never enters a session's jar. Setting a name again replaces it.
    Self &cookie(std::string_view name, std::string_view value) & {
        return check(reqc_request_set_cookie(h(), detail::str(name).c_str(), detail::str(value).c_str()));
    }
    Self &&cookie(std::string_view name, std::string_view value) && { return std::move(cookie(name, value)); }
    Self &remove_cookie(std::string_view name) & {
        return check(reqc_request_set_cookie(h(), detail::str(name).c_str(), nullptr));
    }
    Self &&remove_cookie(std::string_view name) && { return std::move(remove_cookie(name)); }
    // A body of bytes, with an optional Content-Type.
    Self &body(std::string_view data, std::optional<std::string_view> content_type = std::nullopt) & {
        std::optional<detail::CStr> ct;
        if (content_type) ct.emplace(*content_type);
        return check(reqc_request_set_body(h(), reinterpret_cast<const uint8_t *>(data.data()), data.size(),
                                           ct ? ct->c_str() : nullptr));
    }
    Self &&body(std::string_view data, std::optional<std::string_view> content_type = std::nullopt) && {
        return std::move(body(data, content_type));
    }
    // A JSON body, sent as written, Content-Type application/json.
    Self &json(std::string_view text) & { return check(reqc_request_set_json(h(), detail::str(text).c_str())); }
    Self &&json(std::string_view text) && { return std::move(json(text)); }
    // A form field (urlencoded; multipart once a file is added).
    Self &form(std::string_view name, std::string_view value) & {
        return check(reqc_request_add_form_field(h(), detail::str(name).c_str(), detail::str(value).c_str()));
    }
    Self &&form(std::string_view name, std::string_view value) && { return std::move(form(name, value)); }
    // A multipart file part from memory.
    Self &file_data(std::string_view field, std::string_view filename, std::string_view data,
                    std::optional<std::string_view> content_type = std::nullopt) & {
        std::optional<detail::CStr> ct;
        if (content_type) ct.emplace(*content_type);
        return check(reqc_request_add_file_data(h(), detail::str(field).c_str(), detail::str(filename).c_str(),
                                                reinterpret_cast<const uint8_t *>(data.data()), data.size(),
                                                ct ? ct->c_str() : nullptr));
    }
    Self &&file_data(std::string_view field, std::string_view filename, std::string_view data,
                     std::optional<std::string_view> content_type = std::nullopt) && {
        return std::move(file_data(field, filename, data, content_type));
    }
    // A multipart file part streamed from `path` at send time.
    Self &file(std::string_view field, std::string_view path) & {
        return check(reqc_request_add_file(h(), detail::str(field).c_str(), detail::str(path).c_str(), nullptr, nullptr));
    }
    Self &&file(std::string_view field, std::string_view path) && { return std::move(file(field, path)); }
    Self &auth_basic(std::string_view user, std::string_view password) & {
        return check(reqc_request_set_auth_basic(h(), detail::str(user).c_str(), detail::str(password).c_str()));
    }
    Self &&auth_basic(std::string_view user, std::string_view password) && { return std::move(auth_basic(user, password)); }
    Self &auth_digest(std::string_view user, std::string_view password) & {
        return check(reqc_request_set_auth_digest(h(), detail::str(user).c_str(), detail::str(password).c_str()));
    }
    Self &&auth_digest(std::string_view user, std::string_view password) && { return std::move(auth_digest(user, password)); }
    Self &auth_bearer(std::string_view token) & { return check(reqc_request_set_auth_bearer(h(), detail::str(token).c_str())); }
    Self &&auth_bearer(std::string_view token) && { return std::move(auth_bearer(token)); }
    Self &auth_none() & { return check(reqc_request_set_auth_none(h())); }
    Self &&auth_none() && { return std::move(auth_none()); }
    Self &user_agent(std::string_view agent) & {
        return check(reqc_request_set_user_agent(h(), detail::str(agent).c_str()));
    }
    Self &&user_agent(std::string_view agent) && { return std::move(user_agent(agent)); }
    // The whole send, redirects included; 0 means none.
    Self &timeout(std::chrono::milliseconds t) & { return check(reqc_request_set_timeout_ms(h(), t.count())); }
    Self &&timeout(std::chrono::milliseconds t) && { return std::move(timeout(t)); }
    Self &connect_timeout(std::chrono::milliseconds t) & {
        return check(reqc_request_set_connect_timeout_ms(h(), t.count()));
    }
    Self &&connect_timeout(std::chrono::milliseconds t) && { return std::move(connect_timeout(t)); }
    // The longest wait for the next bytes (idle time); 0 means none.
    Self &read_timeout(std::chrono::milliseconds t) & { return check(reqc_request_set_read_timeout_ms(h(), t.count())); }
    Self &&read_timeout(std::chrono::milliseconds t) && { return std::move(read_timeout(t)); }
    Self &redirects(bool follow, int max = 30) & { return check(reqc_request_set_redirects(h(), follow ? 1 : 0, max)); }
    Self &&redirects(bool follow, int max = 30) && { return std::move(redirects(follow, max)); }
    // Ends a transfer slower than `bytes_per_second` over `window`
    // (REQC_E_TIMEOUT): speed_floor(1000, std::chrono::seconds(10)).
    Self &speed_floor(int64_t bytes_per_second, std::chrono::milliseconds window) & {
        return check(reqc_request_set_speed_floor(h(), bytes_per_second, window.count()));
    }
    Self &&speed_floor(int64_t bytes_per_second, std::chrono::milliseconds window) && {
        return std::move(speed_floor(bytes_per_second, window));
    }
    // Retries (off by default): up to `max_attempts` tries in all, for
    // failed connections and the retry statuses, idempotent methods only
    // unless retry_all_methods(); backoff with full jitter between tries.
    Self &retries(int max_attempts) & { return check(reqc_request_set_retries(h(), max_attempts)); }
    Self &&retries(int max_attempts) && { return std::move(retries(max_attempts)); }
    // The statuses retried, replacing 429, 502, 503, 504 ({}: none).
    Self &retry_statuses(const std::vector<int> &statuses) & {
        return check(reqc_request_set_retry_statuses(h(), statuses.data(), statuses.size()));
    }
    Self &&retry_statuses(const std::vector<int> &statuses) && { return std::move(retry_statuses(statuses)); }
    // Before retry n a random wait in [0, min(cap, base * 2^(n-1))]; `cap`
    // also caps a server's Retry-After.
    Self &retry_backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap) & {
        return check(reqc_request_set_retry_backoff_ms(h(), base.count(), cap.count()));
    }
    Self &&retry_backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap) && {
        return std::move(retry_backoff(base, cap));
    }
    Self &retry_all_methods(bool yes = true) & { return check(reqc_request_set_retry_all_methods(h(), yes ? 1 : 0)); }
    Self &&retry_all_methods(bool yes = true) && { return std::move(retry_all_methods(yes)); }
    Self &http_version(HttpVersion version) & {
        return check(reqc_request_set_http_version(h(), static_cast<reqc_http_version>(version)));
    }
    Self &&http_version(HttpVersion version) && { return std::move(http_version(version)); }
    Self &verify_tls(bool verify) & { return check(reqc_request_set_verify_tls(h(), verify ? 1 : 0)); }
    Self &&verify_tls(bool verify) && { return std::move(verify_tls(verify)); }
    // Per request, as Requests' proxies=, verify=, cert=: each beats the
    // session's and the config's. The CA file, directory and PEM are one
    // setting: a request that sets one uses none of its session's.
    Self &proxy(std::string_view proxy) & { return check(reqc_request_set_proxy(h(), detail::str(proxy).c_str())); }
    Self &&proxy(std::string_view proxy) && { return std::move(this->proxy(proxy)); }
    Self &trust_env(bool trust) & { return check(reqc_request_set_trust_env(h(), trust ? 1 : 0)); }
    Self &&trust_env(bool trust) && { return std::move(trust_env(trust)); }
    Self &ca_file(std::string_view path) & { return check(reqc_request_set_ca_file(h(), detail::str(path).c_str())); }
    Self &&ca_file(std::string_view path) && { return std::move(ca_file(path)); }
    Self &ca_dir(std::string_view path) & { return check(reqc_request_set_ca_dir(h(), detail::str(path).c_str())); }
    Self &&ca_dir(std::string_view path) && { return std::move(ca_dir(path)); }
    Self &ca_pem(std::string_view pem) & {
        return check(reqc_request_set_ca_pem(h(), reinterpret_cast<const uint8_t *>(pem.data()), pem.size()));
    }
    Self &&ca_pem(std::string_view pem) && { return std::move(ca_pem(pem)); }
    Self &client_cert(std::string_view cert, std::string_view key) & {
        return check(reqc_request_set_client_cert(h(), detail::str(cert).c_str(), detail::str(key).c_str()));
    }
    Self &&client_cert(std::string_view cert, std::string_view key) && { return std::move(client_cert(cert, key)); }
    Self &min_tls_version(TlsVersion version) & {
        return check(reqc_request_set_min_tls_version(h(), static_cast<reqc_tls_version>(version)));
    }
    Self &&min_tls_version(TlsVersion version) && { return std::move(min_tls_version(version)); }
    // Forgets this request's value of `option`: the session's applies
    // again, else the config's, else the default (auth_none() is an
    // explicit "no auth"; unset(Option::Auth) sends the session's).
    Self &unset(Option option) & { return check(reqc_request_unset(h(), static_cast<reqc_option>(option))); }
    Self &&unset(Option option) && { return std::move(unset(option)); }
    Self &max_response_bytes(uint64_t max) & { return check(reqc_request_set_max_response_bytes(h(), max)); }
    Self &&max_response_bytes(uint64_t max) && { return std::move(max_response_bytes(max)); }
    Self &secret_header(std::string_view name) & {
        return check(reqc_request_mark_secret_header(h(), detail::str(name).c_str()));
    }
    Self &&secret_header(std::string_view name) && { return std::move(secret_header(name)); }
    Self &method(std::string_view m) & { return check(reqc_request_set_method(h(), detail::str(m).c_str())); }
    Self &&method(std::string_view m) && { return std::move(method(m)); }
    Self &url(std::string_view u) & { return check(reqc_request_set_url(h(), detail::str(u).c_str())); }
    Self &&url(std::string_view u) && { return std::move(url(u)); }

    // After a send failed with Code::TooManyRedirects: the last response
    // (the redirect not followed, with its history), moved out once, as
    // Requests' TooManyRedirects.response. nullopt when there is none.
    std::optional<Response> last_response() const {
        reqc_response *out = nullptr;
        if (reqc_request_last_response(h(), &out) != REQC_OK) return std::nullopt;
        return Response(out);
    }
    // Ends a send of this request in flight on any thread (Code::Cancelled),
    // and every later one. Thread-safe.
    void cancel() const noexcept { reqc_request_cancel(h()); }

    // Registers a hook: f(HookContext&) returning void (continue),
    // HookResult or int; returns its id for remove_hook. Copies of the
    // request made afterwards share it.
    template <class F> HookId add_hook(HookKind kind, F &&f) {
        auto *holder = detail::hold(std::forward<F>(f));
        using H = std::remove_pointer_t<decltype(holder)>;
        reqc_hook_id id = 0;
        check(reqc_request_add_hook(h(), static_cast<reqc_hook_kind>(kind), &detail::hook_trampoline<decltype(H::fn)>,
                                    holder, &H::release, &id));
        return HookId{id};
    }
    // Requests' deregister_hook: later sends (and copies made from now on)
    // no longer run it. False when this request has no hook `id`.
    bool remove_hook(HookId id) {
        reqc_code rc = reqc_request_remove_hook(h(), static_cast<reqc_hook_id>(id));
        if (rc == REQC_E_NOT_FOUND) return false;
        check(rc);
        return true;
    }
    // add_hook for a builder chain (the id is not kept).
    template <class F> Self &hook(HookKind kind, F &&f) & {
        add_hook(kind, std::forward<F>(f));
        return static_cast<Self &>(*this);
    }
    template <class F> Self &&hook(HookKind kind, F &&f) && { return std::move(hook(kind, std::forward<F>(f))); }
    // Streams the body from f(char *buf, size_t capacity) -> bytes written
    // (0 ends the body); `length` -1 when unknown (chunked).
    template <class F> Self &body_callback(int64_t length, F &&f) & {
        auto *holder = detail::hold(std::forward<F>(f));
        using H = std::remove_pointer_t<decltype(holder)>;
        return check(reqc_request_set_body_callback(h(), length, &detail::read_trampoline<decltype(H::fn)>, holder,
                                                    &H::release));
    }
    template <class F> Self &&body_callback(int64_t length, F &&f) && {
        return std::move(body_callback(length, std::forward<F>(f)));
    }
    // Streams the response body to f(std::string_view chunk) (returning void,
    // or bool: false stops the send with Code::Aborted).
    template <class F> Self &on_data(F &&f) & {
        auto *holder = detail::hold(std::forward<F>(f));
        using H = std::remove_pointer_t<decltype(holder)>;
        return check(reqc_request_set_data_callback(h(), &detail::data_trampoline<decltype(H::fn)>, holder, &H::release));
    }
    template <class F> Self &&on_data(F &&f) && { return std::move(on_data(std::forward<F>(f))); }

protected:
    reqc_request *h() const noexcept { return static_cast<const Self &>(*this).native_handle(); }
    Self &check(reqc_code rc) {
        if (rc != REQC_OK) throw Error(detail::code(rc), detail::nz(reqc_request_error(h())));
        return static_cast<Self &>(*this);
    }
};

// A request that is not owned: the one a hook context lends (valid during
// the hook call), or a view of a Request.
class RequestView : public RequestOps<RequestView> {
public:
    explicit RequestView(reqc_request *r) noexcept : r_(r) {}
    reqc_request *native_handle() const noexcept { return r_; }

private:
    reqc_request *r_;
};

// An owned request (move-only). A moved-from Request holds nothing and every
// call on it throws Code::InvalidArgument.
class Request : public RequestOps<Request> {
public:
    // Throws reqc::Error with libreqc's message (e.g. "REQC_E_INVALID_URL:
    // … in \"not a url\"") when the method or URL is refused.
    Request(std::string_view method, std::string_view url) {
        reqc_request *out = nullptr;
        char *message = nullptr;
        reqc_code rc = reqc_request_new(detail::str(method).c_str(), detail::str(url).c_str(), &out, &message);
        if (rc != REQC_OK) throw Error(detail::code(rc), detail::take_string(message));
        h_.reset(out);
    }
    explicit Request(reqc_request *owned) noexcept : h_(owned) {}
    static Request get(std::string_view url) { return Request("GET", url); }
    static Request post(std::string_view url) { return Request("POST", url); }
    static Request put(std::string_view url) { return Request("PUT", url); }
    static Request patch(std::string_view url) { return Request("PATCH", url); }
    static Request del(std::string_view url) { return Request("DELETE", url); }
    static Request head(std::string_view url) { return Request("HEAD", url); }
    static Request options(std::string_view url) { return Request("OPTIONS", url); }

    // An independent copy (callbacks shared, released with the last copy).
    Request clone() const {
        reqc_request *out = nullptr;
        reqc_code rc = reqc_request_clone(h_.get(), &out);
        if (rc != REQC_OK) throw Error(detail::code(rc), detail::nz(reqc_request_error(h_.get())));
        return Request(out);
    }
    reqc_request *native_handle() const noexcept { return h_.get(); }
    reqc_request *release() noexcept { return h_.release(); }
    operator RequestView() const noexcept { return RequestView(h_.get()); }

private:
    std::unique_ptr<reqc_request, detail::FreeRequest> h_;
};

// ---------------------------------------------------------- hook context

// What a hook sees; valid only during the hook call.
class HookContext {
public:
    HookContext(HookKind kind, reqc_hook_ctx *ctx) noexcept : kind_(kind), ctx_(ctx) {}
    HookKind kind() const noexcept { return kind_; }
    int hop() const noexcept { return reqc_hook_ctx_hop(ctx_); }
    // Which attempt at this hop, from 1 (retries count up; ARGS sees 1).
    int attempt() const noexcept { return reqc_hook_ctx_attempt(ctx_); }
    // ARGS and PRE_REQUEST: the request, lent for this call. HEADERS: the
    // request as sent, to read.
    std::optional<RequestView> request() const noexcept {
        reqc_request *r = reqc_hook_ctx_request(ctx_);
        return r ? std::optional<RequestView>(RequestView(r)) : std::nullopt;
    }
    // RESPONSE: the hop's response, lent for this call. HEADERS: the response
    // so far (status, headers, URL, version; empty body), read-only.
    std::optional<ResponseView> response() const noexcept {
        const reqc_response *r = reqc_hook_ctx_response(ctx_);
        return r ? std::optional<ResponseView>(ResponseView(r)) : std::nullopt;
    }
    // POST_REQUEST and HEADERS: the connection.
    std::string_view remote_ip() const noexcept { return reqc_hook_ctx_remote_ip(ctx_); }
    int remote_port() const noexcept { return reqc_hook_ctx_remote_port(ctx_); }
    bool connection_reused() const noexcept { return reqc_hook_ctx_connection_reused(ctx_) != 0; }
    // RESPONSE: edits applied when the hook returns.
    void set_response_status(int status) { check(reqc_hook_ctx_set_response_status(ctx_, status)); }
    void set_response_header(std::string_view name, std::string_view value) {
        check(reqc_hook_ctx_set_response_header(ctx_, detail::str(name).c_str(), detail::str(value).c_str()));
    }
    void remove_response_header(std::string_view name) {
        check(reqc_hook_ctx_set_response_header(ctx_, detail::str(name).c_str(), nullptr));
    }
    void set_response_body(std::string_view body) {
        check(reqc_hook_ctx_set_response_body(ctx_, reinterpret_cast<const uint8_t *>(body.data()), body.size()));
    }
    // RESPONSE: replaces the response, taking it over.
    void set_response(Response &&replacement) {
        check(reqc_hook_ctx_set_response(ctx_, const_cast<reqc_response *>(replacement.native_handle())));
        replacement.release();
    }
    reqc_hook_ctx *native_handle() const noexcept { return ctx_; }

private:
    // A refusal carries the context's message (reqc_hook_ctx_error).
    void check(reqc_code rc) const {
        if (rc != REQC_OK) throw Error(detail::code(rc), detail::nz(reqc_hook_ctx_error(ctx_)));
    }
    HookKind kind_;
    reqc_hook_ctx *ctx_;
};

namespace detail {
template <class F> reqc_hook_result run_hook(F &f, HookContext &ctx) {
    using R = std::invoke_result_t<F &, HookContext &>;
    if constexpr (std::is_void_v<R>) {
        f(ctx);
        return REQC_HOOK_RESULT_CONTINUE;
    } else {
        return static_cast<reqc_hook_result>(f(ctx));
    }
}
template <class F> reqc_hook_result hook_trampoline(void *ud, reqc_hook_kind kind, reqc_hook_ctx *ctx) noexcept {
    try {
        HookContext hc(static_cast<HookKind>(kind), ctx);
        return run_hook(static_cast<Holder<F> *>(ud)->fn, hc);
    } catch (...) {
        stash();
        return REQC_HOOK_RESULT_ABORT;
    }
}
} // namespace detail

// ------------------------------------------------------------------ send

class Batch;

namespace detail {
// Runs a send (reqc_send or reqc_session_send) and turns its outcome into
// a Result, rethrowing what a callback threw.
template <class Call> Result send_result(reqc_request *req, Call &&call) {
    reqc_response *out = nullptr;
    auto [rc, thrown] = guarded([&] { return call(&out); });
    Response resp(rc == REQC_OK ? out : nullptr);
    if (thrown) std::rethrow_exception(thrown);
    if (rc != REQC_OK) return Result(code(rc), nz(reqc_request_error(req)));
    return Result(std::move(resp));
}
} // namespace detail

// Sends without a session (no connection reuse between calls).
inline Result try_send(RequestView req) {
    return detail::send_result(req.native_handle(), [&](reqc_response **out) { return reqc_send(req.native_handle(), out); });
}
inline Response send(RequestView req) { return try_send(req).value(); }

// ---------------------------------------------------------------- streams

// A response whose body is read at your pace (Requests' stream=True): from
// reqc::open or Session::open, which return once the status and headers
// are in. Move-only; destroying it (or close()) before the end stops the
// transfer and closes its connection, unless the body had all arrived.
// Used by one thread at a time; Request::cancel from any thread ends a
// blocked read with reqc::Error (Code::Cancelled).
//
//     reqc::Stream s = session.open(reqc::Request::get(url));
//     if (s.response().status() == 200)
//         for (std::string_view chunk : s.chunks()) out.write(chunk.data(), chunk.size());
class Stream {
public:
    Stream() noexcept = default;
    explicit Stream(reqc_stream *owned) noexcept : h_(owned) {}
    reqc_stream *native_handle() const noexcept { return h_.get(); }
    explicit operator bool() const noexcept { return h_ != nullptr; }

    // Status, headers, URL, history, timings up to the head; body() is
    // empty and streamed() true. Valid until the Stream is closed, moved
    // from or destroyed.
    ResponseView response() const noexcept { return ResponseView(reqc_stream_response(h_.get())); }

    // Whether the transfer is over (reqc_stream_is_ended): the whole body
    // arrived, or it failed. read() then never waits on the network. A
    // small body that came with its head is over as soon as open returns.
    // False when closed.
    bool ended() const noexcept { return reqc_stream_is_ended(h_.get()) == 1; }

    // Reads up to `cap` decoded body bytes into `buf`, waiting only until
    // some arrive; returns how many, 0 at the end (and after). Throws
    // reqc::Error on a failure (timeout, body cap, reset, cancel: every
    // later read throws it again), or Code::InvalidArgument when closed or
    // `cap` is 0 (a 0 returned for an empty buffer would read as the end).
    size_t read(void *buf, size_t cap) {
        size_t n = 0;
        auto [rc, thrown] = detail::guarded([&] { return reqc_stream_read(h_.get(), static_cast<uint8_t *>(buf), cap, &n); });
        if (thrown) std::rethrow_exception(thrown);
        if (rc != REQC_OK) throw Error(detail::code(rc), detail::nz(reqc_stream_error(h_.get())));
        return n;
    }
    // Into a contiguous buffer of bytes (std::vector<char>, std::string,
    // std::array<uint8_t, N>, a std::span in C++20...), at most its size.
    template <class Buffer, class = decltype(std::data(std::declval<Buffer &>()))>
    size_t read(Buffer &buf) {
        static_assert(sizeof(*std::data(buf)) == 1, "read() fills a buffer of bytes");
        return read(static_cast<void *>(std::data(buf)), std::size(buf));
    }
    // The rest of the body, as one string (for bodies you know are small).
    std::string read_all() {
        std::string out;
        char buf[64 * 1024];
        for (size_t n; (n = read(buf, sizeof buf)) > 0;) out.append(buf, n);
        return out;
    }

    // The body as an input range of chunks, each at most `chunk_size`
    // bytes and valid until the next one is read:
    // for (std::string_view chunk : stream.chunks()) ... A failure throws
    // from the loop's increment (reqc::Error).
    class Chunks {
    public:
        struct End {};
        class iterator {
        public:
            using iterator_category = std::input_iterator_tag;
            using value_type = std::string_view;
            using difference_type = std::ptrdiff_t;
            using pointer = const std::string_view *;
            using reference = const std::string_view &;
            explicit iterator(Chunks *owner) : owner_(owner) { next(); }
            reference operator*() const noexcept { return chunk_; }
            pointer operator->() const noexcept { return &chunk_; }
            iterator &operator++() {
                next();
                return *this;
            }
            void operator++(int) { next(); }
            friend bool operator==(const iterator &i, End) noexcept { return i.chunk_.empty(); }
            friend bool operator!=(const iterator &i, End e) noexcept { return !(i == e); }
            friend bool operator==(End e, const iterator &i) noexcept { return i == e; }
            friend bool operator!=(End e, const iterator &i) noexcept { return !(i == e); }

        private:
            void next() {
                size_t n = owner_->stream_->read(owner_->buf_.data(), owner_->buf_.size());
                chunk_ = std::string_view(owner_->buf_.data(), n);
            }
            Chunks *owner_;
            std::string_view chunk_;
        };
        Chunks(Stream &stream, size_t chunk_size) : stream_(&stream), buf_(chunk_size ? chunk_size : 1) {}
        // Reads the first chunk.
        iterator begin() { return iterator(this); }
        End end() const noexcept { return {}; }

    private:
        Stream *stream_;
        std::vector<char> buf_;
    };
    Chunks chunks(size_t chunk_size = 64 * 1024) { return Chunks(*this, chunk_size); }

    // Closes now (as destruction does).
    void close() noexcept { h_.reset(); }

private:
    std::unique_ptr<reqc_stream, detail::FreeStream> h_;
};

namespace detail {
// Runs an open (reqc_open or reqc_session_open) and returns the Stream,
// rethrowing what a hook threw, or throwing the failure.
template <class Call> Stream open_stream(reqc_request *req, Call &&call) {
    reqc_stream *out = nullptr;
    auto [rc, thrown] = guarded([&] { return call(&out); });
    Stream stream(rc == REQC_OK ? out : nullptr);
    if (thrown) std::rethrow_exception(thrown);
    if (rc != REQC_OK) throw Error(code(rc), nz(reqc_request_error(req)));
    return stream;
}
} // namespace detail

// Opens without a session: sends like reqc::send, returns once the status
// and headers are in. Throws reqc::Error on failure.
inline Stream open(RequestView req) {
    return detail::open_stream(req.native_handle(), [&](reqc_stream **out) { return reqc_open(req.native_handle(), out); });
}

// One-off calls: reqc::get(url, {{"q", "x"}}, {{"Accept", "text/plain"}}).
using Pairs = std::initializer_list<std::pair<std::string_view, std::string_view>>;
inline Response get(std::string_view url, Pairs params = {}, Pairs headers = {}) {
    Request r = Request::get(url);
    for (auto &p : params) r.param(p.first, p.second);
    for (auto &hd : headers) r.header(hd.first, hd.second);
    return send(r);
}
// A POST with a JSON body: reqc::post(url, R"({"a": 1})").
inline Response post(std::string_view url, std::string_view json, Pairs headers = {}) {
    Request r = Request::post(url);
    r.json(json);
    for (auto &hd : headers) r.header(hd.first, hd.second);
    return send(r);
}
// A POST of form fields: reqc::post_form(url, {{"name", "value"}}).
inline Response post_form(std::string_view url, Pairs fields, Pairs headers = {}) {
    Request r = Request::post(url);
    for (auto &f : fields) r.form(f.first, f.second);
    for (auto &hd : headers) r.header(hd.first, hd.second);
    return send(r);
}

// ------------------------------------------------------------- sessions

// Defaults, cookies and connections shared by the requests sent through it.
// Thread rules (libreqc's): send/try_send/map may run on many threads at once
// through one Session; the setters and cookie calls are thread-safe too.
// Moving or destroying it while another thread uses it is not.
class Session {
public:
    Session() {
        reqc_session *out = nullptr;
        reqc_code rc = reqc_session_new(&out);
        if (rc != REQC_OK) throw Error(detail::code(rc), "");
        h_.reset(out);
    }
    reqc_session *native_handle() const noexcept { return h_.get(); }

    Session &header(std::string_view name, std::string_view value) {
        return check(reqc_session_set_header(s(), detail::str(name).c_str(), detail::str(value).c_str()));
    }
    Session &add_header(std::string_view name, std::string_view value) {
        return check(reqc_session_add_header(s(), detail::str(name).c_str(), detail::str(value).c_str()));
    }
    Session &remove_header(std::string_view name) {
        return check(reqc_session_set_header(s(), detail::str(name).c_str(), nullptr));
    }
    Session &param(std::string_view name, std::string_view value) {
        return check(reqc_session_add_param(s(), detail::str(name).c_str(), detail::str(value).c_str()));
    }
    Session &auth_basic(std::string_view user, std::string_view password) {
        return check(reqc_session_set_auth_basic(s(), detail::str(user).c_str(), detail::str(password).c_str()));
    }
    Session &auth_digest(std::string_view user, std::string_view password) {
        return check(reqc_session_set_auth_digest(s(), detail::str(user).c_str(), detail::str(password).c_str()));
    }
    Session &auth_bearer(std::string_view token) {
        return check(reqc_session_set_auth_bearer(s(), detail::str(token).c_str()));
    }
    // No auth for the session's requests, whatever the config says.
    Session &auth_none() { return check(reqc_session_set_auth_none(s())); }
    // Forgets the session's value of `option` (the config's applies again,
    // else the default); Option::Log removes its log sink.
    Session &unset(Option option) { return check(reqc_session_unset(s(), static_cast<reqc_option>(option))); }
    Session &timeout(std::chrono::milliseconds t) { return check(reqc_session_set_timeout_ms(s(), t.count())); }
    Session &connect_timeout(std::chrono::milliseconds t) {
        return check(reqc_session_set_connect_timeout_ms(s(), t.count()));
    }
    Session &read_timeout(std::chrono::milliseconds t) { return check(reqc_session_set_read_timeout_ms(s(), t.count())); }
    Session &redirects(bool follow, int max = 30) { return check(reqc_session_set_redirects(s(), follow ? 1 : 0, max)); }
    Session &http_version(HttpVersion version) {
        return check(reqc_session_set_http_version(s(), static_cast<reqc_http_version>(version)));
    }
    Session &max_response_bytes(uint64_t max) { return check(reqc_session_set_max_response_bytes(s(), max)); }
    // Ends a transfer slower than `bytes_per_second` over `window`.
    Session &speed_floor(int64_t bytes_per_second, std::chrono::milliseconds window) {
        return check(reqc_session_set_speed_floor(s(), bytes_per_second, window.count()));
    }
    Session &secret_header(std::string_view name) {
        return check(reqc_session_mark_secret_header(s(), detail::str(name).c_str()));
    }
    // Retries for the session's requests (see RequestOps::retries).
    Session &retries(int max_attempts) { return check(reqc_session_set_retries(s(), max_attempts)); }
    Session &retry_statuses(const std::vector<int> &statuses) {
        return check(reqc_session_set_retry_statuses(s(), statuses.data(), statuses.size()));
    }
    Session &retry_backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap) {
        return check(reqc_session_set_retry_backoff_ms(s(), base.count(), cap.count()));
    }
    Session &retry_all_methods(bool yes = true) { return check(reqc_session_set_retry_all_methods(s(), yes ? 1 : 0)); }
    Session &user_agent(std::string_view agent) {
        return check(reqc_session_set_user_agent(s(), detail::str(agent).c_str()));
    }
    Session &proxy(std::string_view proxy) { return check(reqc_session_set_proxy(s(), detail::str(proxy).c_str())); }
    Session &trust_env(bool trust) { return check(reqc_session_set_trust_env(s(), trust ? 1 : 0)); }
    Session &verify_tls(bool verify) { return check(reqc_session_set_verify_tls(s(), verify ? 1 : 0)); }
    Session &ca_file(std::string_view path) { return check(reqc_session_set_ca_file(s(), detail::str(path).c_str())); }
    Session &ca_dir(std::string_view path) { return check(reqc_session_set_ca_dir(s(), detail::str(path).c_str())); }
    Session &ca_pem(std::string_view pem) {
        return check(reqc_session_set_ca_pem(s(), reinterpret_cast<const uint8_t *>(pem.data()), pem.size()));
    }
    Session &client_cert(std::string_view cert, std::string_view key) {
        return check(reqc_session_set_client_cert(s(), detail::str(cert).c_str(), detail::str(key).c_str()));
    }
    Session &min_tls_version(TlsVersion version) {
        return check(reqc_session_set_min_tls_version(s(), static_cast<reqc_tls_version>(version)));
    }

    // Cookies.
    Session &set_cookie(std::string_view url, std::string_view set_cookie) {
        return check(reqc_session_set_cookie(s(), detail::str(url).c_str(), detail::str(set_cookie).c_str()));
    }
    // The value a request to `url` would send for cookie `name`.
    std::optional<std::string> cookie(std::string_view url, std::string_view name) {
        char *out = nullptr;
        reqc_code rc = reqc_session_get_cookie(s(), detail::str(url).c_str(), detail::str(name).c_str(), &out);
        if (rc == REQC_E_NOT_FOUND) return std::nullopt;
        check(rc);
        return detail::take_string(out);
    }
    // Removes cookie `name` stored for `domain` and `path`; false when there was none.
    bool delete_cookie(std::string_view domain, std::string_view path, std::string_view name) {
        reqc_code rc = reqc_session_delete_cookie(s(), detail::str(domain).c_str(), detail::str(path).c_str(),
                                                  detail::str(name).c_str());
        if (rc == REQC_E_NOT_FOUND) return false;
        check(rc);
        return true;
    }
    Session &clear_cookies() { return check(reqc_session_clear_cookies(s())); }
    std::vector<Cookie> cookies() {
        reqc_cookie_list *list = nullptr;
        check(reqc_session_cookies(s(), &list));
        std::unique_ptr<reqc_cookie_list, detail::FreeCookieList> owned(list);
        std::vector<Cookie> all;
        for (size_t i = 0, n = reqc_cookie_list_count(list); i < n; i++) {
            const reqc_cookie *c = nullptr;
            if (reqc_cookie_list_at(list, i, &c) != REQC_OK) break;
            all.push_back(detail::copy_cookie(c));
        }
        return all;
    }
    // The jar as a Netscape cookie file, and back.
    std::string export_cookies() {
        char *out = nullptr;
        check(reqc_session_export_cookies(s(), &out));
        return detail::take_string(out);
    }
    size_t import_cookies(std::string_view text) {
        size_t n = 0;
        check(reqc_session_import_cookies(s(), detail::str(text).c_str(), &n));
        return n;
    }

    // Logs the session's sends to file descriptor `fd` (LogLevel::Off
    // silences them), secrets as *** unless `flags` has LogFlag::ShowSecrets.
    Session &verbose(int fd, LogLevel level, LogFlag flags = LogFlag::None) {
        return check(reqc_session_set_verbose_fd(s(), fd, static_cast<reqc_log_level>(level),
                                                 static_cast<reqc_log_flag>(flags)));
    }
    // The same to f(LogLevel, std::string_view line) or f(std::string_view line).
    template <class F> Session &on_log(LogLevel level, LogFlag flags, F &&f) {
        auto *holder = detail::hold(std::forward<F>(f));
        using H = std::remove_pointer_t<decltype(holder)>;
        detail::check_log_sink<decltype(H::fn)>();
        return check(reqc_session_set_log_callback(s(), static_cast<reqc_log_level>(level),
                                                   static_cast<reqc_log_flag>(flags),
                                                   &detail::log_trampoline<decltype(H::fn)>, holder, &H::release));
    }
    template <class F> Session &on_log(LogLevel level, F &&f) { return on_log(level, LogFlag::None, std::forward<F>(f)); }

    // A hook for every request the session sends (see RequestOps::add_hook);
    // returns its id for remove_hook.
    template <class F> HookId add_hook(HookKind kind, F &&f) {
        auto *holder = detail::hold(std::forward<F>(f));
        using H = std::remove_pointer_t<decltype(holder)>;
        reqc_hook_id id = 0;
        check(reqc_session_add_hook(s(), static_cast<reqc_hook_kind>(kind), &detail::hook_trampoline<decltype(H::fn)>,
                                    holder, &H::release, &id));
        return HookId{id};
    }
    // Later sends no longer run hook `id`; false when the session has none.
    bool remove_hook(HookId id) {
        reqc_code rc = reqc_session_remove_hook(s(), static_cast<reqc_hook_id>(id));
        if (rc == REQC_E_NOT_FOUND) return false;
        check(rc);
        return true;
    }
    // add_hook in a chain of setters (the id is not kept).
    template <class F> Session &hook(HookKind kind, F &&f) {
        add_hook(kind, std::forward<F>(f));
        return *this;
    }

    // Sends through the session. Throws reqc::Error on failure, or rethrows
    // what one of the callbacks threw.
    Response send(RequestView req) { return try_send(req).value(); }
    // Never throws reqc::Error: the Result holds the failure. Still rethrows
    // what your own callbacks threw (that exception is yours).
    Result try_send(RequestView req) {
        return detail::send_result(req.native_handle(),
                                   [&](reqc_response **out) { return reqc_session_send(s(), req.native_handle(), out); });
    }
    Response get(std::string_view url) { return send(Request::get(url)); }
    Response post(std::string_view url, std::string_view json) { return send(Request::post(url).json(json)); }
    // Opens a Stream through the session (its defaults, cookies and
    // connections): returns once the status and headers are in. Streams
    // may be opened from several threads at once; each holds a connection
    // until it ends. Throws reqc::Error on failure.
    Stream open(RequestView req) {
        return detail::open_stream(req.native_handle(),
                                   [&](reqc_stream **out) { return reqc_session_open(s(), req.native_handle(), out); });
    }

    // Requests' async.map: sends every request concurrently (at most
    // `concurrency` at once) and returns one Result per request, in order.
    template <class Range> std::vector<Result> map(const Range &requests, size_t concurrency = REQC_BATCH_DEFAULT_CONCURRENCY);
    // The same, handing each result to f(size_t index, Result) as it lands.
    template <class Range, class F> void map(const Range &requests, size_t concurrency, F &&on_complete);

private:
    reqc_session *s() const noexcept { return h_.get(); }
    Session &check(reqc_code rc) {
        if (rc != REQC_OK) throw Error(detail::code(rc), detail::nz(reqc_session_error(h_.get())));
        return *this;
    }
    std::unique_ptr<reqc_session, detail::FreeSession> h_;
};

// --------------------------------------------------------------- batches

namespace detail {
// on_complete: f(size_t index, Result). Throwing cancels the batch, and
// the callable is not called again during that perform.
template <class F>
void complete_trampoline(void *ud, reqc_batch *b, size_t index, reqc_code rc, reqc_response *resp) noexcept {
    try {
        Response owned(resp);
        // After a throw the batch is being cancelled: the items it ends are
        // not handed to the callable any more.
        if (pending()) return;
        if (rc == REQC_OK)
            static_cast<Holder<F> *>(ud)->fn(index, Result(std::move(owned)));
        else
            static_cast<Holder<F> *>(ud)->fn(index, Result(code(rc), nz(reqc_batch_item_error(b, index))));
    } catch (...) {
        stash();
        reqc_batch_cancel(b);
    }
}

// A batch's source: fn(size_t index) -> std::optional<Request>, the next
// request (nullopt: the end). A throw, as from every batch callable,
// cancels the batch: the feed ends and the call running the batch
// rethrows it. A moved-from Request is refused (Code::InvalidArgument, as
// every call on one), not taken for the end.
template <class F> struct SourceHolder {
    F fn;
    reqc_batch *batch;
    static void release(void *p) noexcept { delete static_cast<SourceHolder *>(p); }
    static reqc_code next(void *ud, size_t index, reqc_request **request_out) noexcept {
        auto *self = static_cast<SourceHolder *>(ud);
        try {
            std::optional<Request> next = self->fn(index);
            if (next && !next->native_handle())
                throw Error(Code::InvalidArgument, "Batch::source returned a moved-from Request (std::nullopt ends the feed)");
            if (next) *request_out = next->release();
            return REQC_OK;
        } catch (...) {
            stash();
            reqc_batch_cancel(self->batch);
            return REQC_E_CALLBACK;
        }
    }
};

// The event-loop callables of one batch: on_socket(int fd, Watch what) and
// on_timer(std::optional<std::chrono::milliseconds> after) (nullopt: remove
// the timer). A throw cancels the batch.
template <class S, class T> struct LoopHolder {
    S on_socket;
    T on_timer;
    reqc_batch *batch;
    static void release(void *p) noexcept { delete static_cast<LoopHolder *>(p); }
    static void socket(void *ud, int fd, reqc_watch what) noexcept {
        auto *self = static_cast<LoopHolder *>(ud);
        try {
            self->on_socket(fd, static_cast<Watch>(what));
        } catch (...) {
            stash();
            reqc_batch_cancel(self->batch);
        }
    }
    static void timer(void *ud, int64_t timeout_ms) noexcept {
        auto *self = static_cast<LoopHolder *>(ud);
        try {
            if (timeout_ms < 0)
                self->on_timer(std::optional<std::chrono::milliseconds>());
            else
                self->on_timer(std::optional<std::chrono::milliseconds>(std::chrono::milliseconds(timeout_ms)));
        } catch (...) {
            stash();
            reqc_batch_cancel(self->batch);
        }
    }
};
} // namespace detail

// Many requests at once over one session's connections (or a private
// session). Every callback runs on the thread that calls perform() (or the
// event-loop calls).
class Batch {
public:
    Batch() : Batch(nullptr) {}
    explicit Batch(Session &session) : Batch(session.native_handle()) {}
    reqc_batch *native_handle() const noexcept { return h_.get(); }

    // Adds a copy of `req`; returns its index.
    size_t add(RequestView req) {
        size_t index = 0;
        check(reqc_batch_add(b(), req.native_handle(), &index));
        return index;
    }
    size_t size() const noexcept { return reqc_batch_count(h_.get()); }
    Batch &max_concurrency(size_t n) { return check(reqc_batch_set_max_concurrency(b(), n)); }
    Batch &max_per_host(size_t n) { return check(reqc_batch_set_max_per_host(b(), n)); }
    Batch &timeout(std::chrono::milliseconds t) { return check(reqc_batch_set_timeout_ms(b(), t.count())); }
    // Each item's result to f(size_t index, Result) as it lands (instead of
    // keeping it for result()). An exception from f cancels the batch and
    // is rethrown by perform().
    template <class F> Batch &on_complete(F &&f) {
        auto *holder = detail::hold(std::forward<F>(f));
        using H = std::remove_pointer_t<decltype(holder)>;
        return check(reqc_batch_set_complete_callback(b(), &detail::complete_trampoline<decltype(H::fn)>, holder, &H::release));
    }
    // Feeds the batch lazily, after the added items: each time a slot
    // frees, f(size_t index) returns the next request (std::optional<
    // Request>, moved into the batch; std::nullopt at the end), so memory
    // follows max_concurrency(), not the item count (a generator over a
    // million URLs). Those items' results go only to on_complete(), which
    // is required; result() on their index is Code::NotFound. A throw from
    // f cancels the batch (the feed ends) and perform() (or the call that
    // ran it) rethrows it.
    template <class F> Batch &source(F &&f) {
        using H = detail::SourceHolder<std::decay_t<F>>;
        auto *holder = new H{std::forward<F>(f), b()};
        return check(reqc_batch_set_source_callback(b(), &H::next, holder, &H::release));
    }
    // Runs every item; rethrows what a callback threw.
    void perform() { run([&] { return reqc_batch_perform(b()); }); }
    // One step for a caller with its own loop: waits at most `timeout` for
    // activity; true when every item has finished. Rethrows as perform().
    bool poll(std::chrono::milliseconds timeout) {
        int done = 0;
        run([&] { return reqc_batch_poll(b(), timeout.count(), &done); });
        return done != 0;
    }

    // Event-loop mode (epoll, poll, libuv, asio…): during a run started
    // with start(), on_socket(int fd, Watch what) says which sockets to
    // watch (Watch::Remove: stop) and on_timer(std::optional<
    // std::chrono::milliseconds> after) when to call timeout_action()
    // (nullopt: no timer); the loop reports back with socket_action() and
    // timeout_action(). Each returns true when every item has finished. A
    // throw from either callable cancels the batch and is rethrown by the
    // call that ran it.
    template <class S, class T> Batch &socket_callbacks(S &&on_socket, T &&on_timer) {
        using H = detail::LoopHolder<std::decay_t<S>, std::decay_t<T>>;
        auto *holder = new H{std::forward<S>(on_socket), std::forward<T>(on_timer), b()};
        return check(reqc_batch_set_socket_callbacks(b(), &H::socket, &H::timer, holder, &H::release));
    }
    bool start() {
        int done = 0;
        run([&] { return reqc_batch_start(b(), &done); });
        return done != 0;
    }
    bool socket_action(int fd, Watch events) {
        int done = 0;
        run([&] { return reqc_batch_socket_action(b(), fd, static_cast<reqc_watch>(events), &done); });
        return done != 0;
    }
    bool timeout_action() {
        int done = 0;
        run([&] { return reqc_batch_timeout_action(b(), &done); });
        return done != 0;
    }

    // From any thread or callback.
    void cancel() noexcept { reqc_batch_cancel(h_.get()); }
    // Item `index`'s response (moved out) or failure.
    Result result(size_t index) {
        reqc_response *out = nullptr;
        reqc_code rc = reqc_batch_result(b(), index, &out);
        if (rc == REQC_OK) return Result(Response(out));
        std::string msg = detail::nz(reqc_batch_item_error(b(), index));
        if (msg.empty()) msg = detail::nz(reqc_batch_error(b()));
        return Result(detail::code(rc), msg);
    }

private:
    explicit Batch(reqc_session *session) {
        reqc_batch *out = nullptr;
        reqc_code rc = reqc_batch_new(session, &out);
        if (rc != REQC_OK) throw Error(detail::code(rc), "");
        h_.reset(out);
    }
    reqc_batch *b() const noexcept { return h_.get(); }
    Batch &check(reqc_code rc) {
        if (rc != REQC_OK) throw Error(detail::code(rc), detail::nz(reqc_batch_error(h_.get())));
        return *this;
    }
    // A run step that may call back: rethrows a callback's exception first.
    template <class Call> void run(Call &&call) {
        auto [rc, thrown] = detail::guarded(std::forward<Call>(call));
        if (thrown) std::rethrow_exception(thrown);
        check(rc);
    }
    std::unique_ptr<reqc_batch, detail::FreeBatch> h_;
};

template <class Range> std::vector<Result> Session::map(const Range &requests, size_t concurrency) {
    Batch batch(*this);
    batch.max_concurrency(concurrency);
    for (const auto &req : requests) batch.add(req);
    batch.perform();
    std::vector<Result> results;
    results.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); i++) results.push_back(batch.result(i));
    return results;
}

template <class Range, class F> void Session::map(const Range &requests, size_t concurrency, F &&on_complete) {
    Batch batch(*this);
    batch.max_concurrency(concurrency);
    batch.on_complete(std::forward<F>(on_complete));
    for (const auto &req : requests) batch.add(req);
    batch.perform();
}

// --------------------------------------------------------- process-wide

// "libreqc/0.1.0 libcurl/8.x …"
inline std::string_view version() noexcept { return reqc_version(); }
// The linked library's version as 0xMMmmpp (REQC_VERSION_NUMBER is the header's).
inline uint32_t version_number() noexcept { return reqc_version_number(); }
inline bool has_feature(std::string_view feature) { return reqc_has_feature(detail::str(feature).c_str()) != 0; }

// The process-wide defaults, under every session's and request's own
// (reqc_config_*). Thread-safe; each throws reqc::Error when refused.
namespace config {
namespace detail {
// A refusal carries the config's message (reqc_config_error: the last
// failed config call in the process, read at once on this thread).
inline void check(reqc_code rc) {
    if (rc != REQC_OK) throw Error(reqc::detail::code(rc), reqc::detail::nz(reqc_config_error()));
}
} // namespace detail
inline void user_agent(std::string_view agent) { detail::check(reqc_config_set_user_agent(std::string(agent).c_str())); }
inline void proxy(std::string_view proxy) { detail::check(reqc_config_set_proxy(std::string(proxy).c_str())); }
inline void trust_env(bool trust) { detail::check(reqc_config_set_trust_env(trust ? 1 : 0)); }
inline void timeout(std::chrono::milliseconds t) { detail::check(reqc_config_set_timeout_ms(t.count())); }
inline void read_timeout(std::chrono::milliseconds t) { detail::check(reqc_config_set_read_timeout_ms(t.count())); }
inline void connect_timeout(std::chrono::milliseconds t) { detail::check(reqc_config_set_connect_timeout_ms(t.count())); }
inline void redirects(bool follow, int max = 30) { detail::check(reqc_config_set_redirects(follow ? 1 : 0, max)); }
inline void max_response_bytes(uint64_t max) { detail::check(reqc_config_set_max_response_bytes(max)); }
inline void verify_tls(bool verify) { detail::check(reqc_config_set_verify_tls(verify ? 1 : 0)); }
inline void retries(int max_attempts) { detail::check(reqc_config_set_retries(max_attempts)); }
inline void retry_statuses(const std::vector<int> &statuses) {
    detail::check(reqc_config_set_retry_statuses(statuses.data(), statuses.size()));
}
inline void retry_backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap) {
    detail::check(reqc_config_set_retry_backoff_ms(base.count(), cap.count()));
}
inline void retry_all_methods(bool yes = true) { detail::check(reqc_config_set_retry_all_methods(yes ? 1 : 0)); }
inline void header(std::string_view name, std::string_view value) {
    detail::check(reqc_config_set_header(std::string(name).c_str(), std::string(value).c_str()));
}
inline void remove_header(std::string_view name) { detail::check(reqc_config_set_header(std::string(name).c_str(), nullptr)); }
inline void add_header(std::string_view name, std::string_view value) {
    detail::check(reqc_config_add_header(std::string(name).c_str(), std::string(value).c_str()));
}
inline void secret_header(std::string_view name) { detail::check(reqc_config_mark_secret_header(std::string(name).c_str())); }
inline void http_version(HttpVersion version) {
    detail::check(reqc_config_set_http_version(static_cast<reqc_http_version>(version)));
}
inline void speed_floor(int64_t bytes_per_second, std::chrono::milliseconds window) {
    detail::check(reqc_config_set_speed_floor(bytes_per_second, window.count()));
}
inline void ca_file(std::string_view path) { detail::check(reqc_config_set_ca_file(std::string(path).c_str())); }
inline void ca_dir(std::string_view path) { detail::check(reqc_config_set_ca_dir(std::string(path).c_str())); }
inline void ca_pem(std::string_view pem) {
    detail::check(reqc_config_set_ca_pem(reinterpret_cast<const uint8_t *>(pem.data()), pem.size()));
}
inline void client_cert(std::string_view cert, std::string_view key) {
    detail::check(reqc_config_set_client_cert(std::string(cert).c_str(), std::string(key).c_str()));
}
inline void min_tls_version(TlsVersion version) {
    detail::check(reqc_config_set_min_tls_version(static_cast<reqc_tls_version>(version)));
}
// Forgets the config's value of `option` (the built-in default applies).
inline void unset(Option option) { detail::check(reqc_config_unset(static_cast<reqc_option>(option))); }
// Logs every send in the process (unless a session sets its own sink) to
// file descriptor `fd`, or to f(LogLevel, std::string_view line) /
// f(std::string_view line).
inline void verbose(int fd, LogLevel level, LogFlag flags = LogFlag::None) {
    detail::check(reqc_config_set_verbose_fd(fd, static_cast<reqc_log_level>(level), static_cast<reqc_log_flag>(flags)));
}
template <class F> void on_log(LogLevel level, LogFlag flags, F &&f) {
    auto *holder = reqc::detail::hold(std::forward<F>(f));
    using H = std::remove_pointer_t<decltype(holder)>;
    reqc::detail::check_log_sink<decltype(H::fn)>();
    detail::check(reqc_config_set_log_callback(static_cast<reqc_log_level>(level), static_cast<reqc_log_flag>(flags),
                                               &reqc::detail::log_trampoline<decltype(H::fn)>, holder, &H::release));
}
template <class F> void on_log(LogLevel level, F &&f) { on_log(level, LogFlag::None, std::forward<F>(f)); }
// Every setting above back to its built-in default (the log sink stays:
// replace it with verbose(-1, LogLevel::Off) or on_log).
inline void reset() { detail::check(reqc_config_reset()); }
} // namespace config

} // namespace reqc

#endif // REQC_HPP
