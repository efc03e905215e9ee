// The C API 1.0 surface as C++ spells it: every enum equal to its C
// constants, std::chrono durations, reqc::Error with libreqc's own
// messages, hook ids and removal, log levels and flags, the event-loop
// mode, and the functions the binding did not wrap before 1.0, each with
// an outcome checked against libreqc's test server.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "printers.hpp"
#include "reqc.hpp"

namespace {

std::string env(const char *name) {
    const char *v = std::getenv(name);
    return v ? v : "";
}
std::string url(const std::string &path) { return env("REQC_TEST_URL") + path; }
bool has(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

struct Boom : std::runtime_error {
    explicit Boom(const std::string &where) : std::runtime_error("boom in " + where) {}
};

class Surface : public ::testing::Test {
protected:
    void SetUp() override {
        if (env("REQC_TEST_URL").empty()) GTEST_SKIP() << "REQC_TEST_URL is not set: run through tests/with-server.sh";
    }
};

// ------------------------------------------- every enum is its C family

template <class E> constexpr auto c(E e) { return static_cast<std::underlying_type_t<E>>(e); }

static_assert(std::is_same_v<std::underlying_type_t<reqc::Code>, reqc_code>);
static_assert(c(reqc::Code::Ok) == REQC_OK);
static_assert(c(reqc::Code::InvalidArgument) == REQC_E_INVALID_ARGUMENT);
static_assert(c(reqc::Code::InvalidUrl) == REQC_E_INVALID_URL);
static_assert(c(reqc::Code::UnsupportedProtocol) == REQC_E_UNSUPPORTED_PROTOCOL);
static_assert(c(reqc::Code::InvalidState) == REQC_E_INVALID_STATE);
static_assert(c(reqc::Code::NotFound) == REQC_E_NOT_FOUND);
static_assert(c(reqc::Code::Io) == REQC_E_IO);
static_assert(c(reqc::Code::Resolve) == REQC_E_RESOLVE);
static_assert(c(reqc::Code::Connect) == REQC_E_CONNECT);
static_assert(c(reqc::Code::Timeout) == REQC_E_TIMEOUT);
static_assert(c(reqc::Code::Tls) == REQC_E_TLS);
static_assert(c(reqc::Code::Send) == REQC_E_SEND);
static_assert(c(reqc::Code::Recv) == REQC_E_RECV);
static_assert(c(reqc::Code::Protocol) == REQC_E_PROTOCOL);
static_assert(c(reqc::Code::Proxy) == REQC_E_PROXY);
static_assert(c(reqc::Code::TooManyRedirects) == REQC_E_TOO_MANY_REDIRECTS);
static_assert(c(reqc::Code::BodyTooLarge) == REQC_E_BODY_TOO_LARGE);
static_assert(c(reqc::Code::Cancelled) == REQC_E_CANCELLED);
static_assert(c(reqc::Code::Aborted) == REQC_E_ABORTED);
static_assert(c(reqc::Code::Callback) == REQC_E_CALLBACK);
static_assert(c(reqc::Code::Transport) == REQC_E_TRANSPORT);
static_assert(c(reqc::Code::Panic) == REQC_E_PANIC);

static_assert(std::is_same_v<std::underlying_type_t<reqc::HttpVersion>, reqc_http_version>);
static_assert(c(reqc::HttpVersion::Any) == REQC_HTTP_VERSION_ANY);
static_assert(c(reqc::HttpVersion::V1_0) == REQC_HTTP_VERSION_1_0);
static_assert(c(reqc::HttpVersion::V1_1) == REQC_HTTP_VERSION_1_1);
static_assert(c(reqc::HttpVersion::V2) == REQC_HTTP_VERSION_2);
static_assert(c(reqc::HttpVersion::V2PriorKnowledge) == REQC_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
static_assert(c(reqc::HttpVersion::V3) == REQC_HTTP_VERSION_3);

static_assert(std::is_same_v<std::underlying_type_t<reqc::TlsVersion>, reqc_tls_version>);
static_assert(c(reqc::TlsVersion::V1_2) == REQC_TLS_VERSION_1_2);
static_assert(c(reqc::TlsVersion::V1_3) == REQC_TLS_VERSION_1_3);

static_assert(std::is_same_v<std::underlying_type_t<reqc::Timing>, reqc_timing>);
static_assert(c(reqc::Timing::Dns) == REQC_TIMING_DNS);
static_assert(c(reqc::Timing::Connect) == REQC_TIMING_CONNECT);
static_assert(c(reqc::Timing::Tls) == REQC_TIMING_TLS);
static_assert(c(reqc::Timing::FirstByte) == REQC_TIMING_FIRST_BYTE);
static_assert(c(reqc::Timing::Total) == REQC_TIMING_TOTAL);

static_assert(std::is_same_v<std::underlying_type_t<reqc::HookKind>, reqc_hook_kind>);
static_assert(c(reqc::HookKind::Args) == REQC_HOOK_KIND_ARGS);
static_assert(c(reqc::HookKind::PreRequest) == REQC_HOOK_KIND_PRE_REQUEST);
static_assert(c(reqc::HookKind::PostRequest) == REQC_HOOK_KIND_POST_REQUEST);
static_assert(c(reqc::HookKind::Headers) == REQC_HOOK_KIND_HEADERS);
static_assert(c(reqc::HookKind::Response) == REQC_HOOK_KIND_RESPONSE);

static_assert(std::is_same_v<std::underlying_type_t<reqc::HookResult>, reqc_hook_result>);
static_assert(c(reqc::HookResult::Continue) == REQC_HOOK_RESULT_CONTINUE);
static_assert(c(reqc::HookResult::Error) == REQC_HOOK_RESULT_ERROR);
static_assert(c(reqc::HookResult::Abort) == REQC_HOOK_RESULT_ABORT);

static_assert(std::is_same_v<std::underlying_type_t<reqc::HookId>, reqc_hook_id>);

static_assert(std::is_same_v<std::underlying_type_t<reqc::LogLevel>, reqc_log_level>);
static_assert(c(reqc::LogLevel::Off) == REQC_LOG_LEVEL_OFF);
static_assert(c(reqc::LogLevel::Requests) == REQC_LOG_LEVEL_REQUESTS);
static_assert(c(reqc::LogLevel::Headers) == REQC_LOG_LEVEL_HEADERS);
static_assert(c(reqc::LogLevel::Wire) == REQC_LOG_LEVEL_WIRE);
static_assert(std::is_same_v<std::underlying_type_t<reqc::LogFlag>, reqc_log_flag>);
static_assert(c(reqc::LogFlag::None) == 0);
static_assert(c(reqc::LogFlag::ShowSecrets) == REQC_LOG_FLAG_SHOW_SECRETS);
static_assert((reqc::LogFlag::None | reqc::LogFlag::ShowSecrets) == reqc::LogFlag::ShowSecrets);
static_assert((reqc::LogFlag::ShowSecrets & reqc::LogFlag::None) == reqc::LogFlag::None);

static_assert(std::is_same_v<std::underlying_type_t<reqc::Watch>, reqc_watch>);
static_assert(c(reqc::Watch::In) == REQC_WATCH_IN);
static_assert(c(reqc::Watch::Out) == REQC_WATCH_OUT);
static_assert(c(reqc::Watch::InOut) == REQC_WATCH_INOUT);
static_assert(c(reqc::Watch::Remove) == REQC_WATCH_REMOVE);
static_assert((reqc::Watch::In | reqc::Watch::Out) == reqc::Watch::InOut);

// Durations are std::chrono: any unit converts, a bare number does not.
template <class T, class = void> struct takes_bare_window : std::false_type {};
template <class T>
struct takes_bare_window<T, std::void_t<decltype(std::declval<T &>().speed_floor(int64_t{1}, int64_t{1}))>>
    : std::true_type {};
static_assert(!takes_bare_window<reqc::Session>::value, "a window is a std::chrono duration, never a bare number");
static_assert(!takes_bare_window<reqc::Request>::value, "a window is a std::chrono duration, never a bare number");

TEST(SurfaceValues, CodeNamesAndVersionNumber) {
    EXPECT_STREQ(reqc::name(reqc::Code::TooManyRedirects), "REQC_E_TOO_MANY_REDIRECTS");
    EXPECT_STREQ(reqc::Error(reqc::Code::Io, "").what(), "REQC_E_IO") << "no message: the code's name";
    EXPECT_EQ(reqc::version_number(), static_cast<uint32_t>(REQC_VERSION_NUMBER)) << "header and library agree";
}

// ---------------------------------------------- reqc::Error's messages

TEST(SurfaceErrors, InvalidUrlCarriesLibreqcsMessage) {
    try {
        reqc::Request r("GET", "ftp://host/file");
        FAIL() << "no throw";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::UnsupportedProtocol);
        // reqc_request_new's message_out, not a message made up in C++.
        EXPECT_TRUE(has(e.what(), "REQC_E_UNSUPPORTED_PROTOCOL")) << e.what();
        EXPECT_TRUE(has(e.what(), "\"ftp\"")) << e.what();
        EXPECT_TRUE(has(e.what(), "ftp://host/file")) << e.what();
    }
    try {
        reqc::Request r("GET", "http://exa mple.com/");
        FAIL() << "no throw";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::InvalidUrl);
        EXPECT_TRUE(has(e.what(), "REQC_E_INVALID_URL: ")) << e.what();
        EXPECT_TRUE(has(e.what(), "exa mple.com")) << e.what();
    }
    try {
        reqc::Request r("BAD METHOD", "http://127.0.0.1/");
        FAIL() << "no throw";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::InvalidArgument);
        EXPECT_STRNE(e.what(), "REQC_E_INVALID_ARGUMENT") << "a message, not just the code's name";
    }
}

// ------------------------------------------------ hook ids and removal

TEST_F(Surface, RemovingARequestHookStopsIt) {
    int calls = 0;
    reqc::Request req = reqc::Request::get(url("/get"));
    reqc::HookId id = req.add_hook(reqc::HookKind::Response, [&](reqc::HookContext &) { calls++; });
    int other = 0;
    reqc::HookId kept = req.add_hook(reqc::HookKind::Args, [&](reqc::HookContext &) { other++; });
    EXPECT_NE(id, kept);
    reqc::send(req);
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(req.remove_hook(id));
    reqc::send(req);
    EXPECT_EQ(calls, 1) << "a removed hook does not run";
    EXPECT_EQ(other, 2) << "the other hook still runs";
    EXPECT_FALSE(req.remove_hook(id)) << "removed once";
    EXPECT_FALSE(req.remove_hook(reqc::HookId{0})) << "never an id";
}

TEST_F(Surface, RemovingASessionHookStopsItAndReleasesIt) {
    auto token = std::make_shared<int>(0);
    reqc::Session s;
    int calls = 0;
    reqc::HookId id = s.add_hook(reqc::HookKind::PreRequest, [&calls, token](reqc::HookContext &) { calls++; });
    s.hook(reqc::HookKind::Args, [](reqc::HookContext &) {}).header("X-Chained", "1"); // still chains
    EXPECT_EQ(s.get(url("/get")).status(), 200);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(token.use_count(), 2);
    EXPECT_TRUE(s.remove_hook(id));
    EXPECT_EQ(token.use_count(), 1) << "the callable is released once nothing holds the registration";
    EXPECT_EQ(s.get(url("/get")).status(), 200);
    EXPECT_EQ(calls, 1) << "a removed hook does not run";
    EXPECT_FALSE(s.remove_hook(id));
}

TEST_F(Surface, HookIdFromOneRequestIsNotAnother) {
    reqc::Request a = reqc::Request::get(url("/get"));
    reqc::Request b = reqc::Request::get(url("/get"));
    reqc::HookId id = a.add_hook(reqc::HookKind::Args, [](reqc::HookContext &) {});
    EXPECT_FALSE(b.remove_hook(id));
    EXPECT_TRUE(a.remove_hook(id));
}

// ------------------------------------------------- log levels and flags

TEST_F(Surface, LogLevelAndShowSecretsFlag) {
    const std::string token = "tok-8c1f";
    auto lines_for = [&](reqc::LogLevel level, reqc::LogFlag flags) {
        reqc::Session s;
        std::vector<std::pair<reqc::LogLevel, std::string>> lines;
        s.auth_bearer(token).on_log(level, flags, [&](reqc::LogLevel at, std::string_view line) {
            lines.emplace_back(at, std::string(line));
        });
        s.get(url("/get"));
        return lines;
    };
    auto joined = [](const std::vector<std::pair<reqc::LogLevel, std::string>> &lines) {
        std::string all;
        for (auto &l : lines) all += l.second + "\n";
        return all;
    };
    auto requests = lines_for(reqc::LogLevel::Requests, reqc::LogFlag::None);
    ASSERT_FALSE(requests.empty());
    for (auto &l : requests) EXPECT_EQ(l.first, reqc::LogLevel::Requests) << l.second;
    EXPECT_FALSE(has(joined(requests), "Authorization")) << "REQUESTS has no headers";

    auto headers = lines_for(reqc::LogLevel::Headers, reqc::LogFlag::None);
    EXPECT_TRUE(has(joined(headers), "Authorization")) << joined(headers);
    EXPECT_TRUE(has(joined(headers), "***"));
    EXPECT_FALSE(has(joined(headers), token)) << "secrets are redacted by default";

    auto shown = lines_for(reqc::LogLevel::Headers, reqc::LogFlag::None | reqc::LogFlag::ShowSecrets);
    EXPECT_TRUE(has(joined(shown), token)) << "LogFlag::ShowSecrets shows them";

    // A sink may take the line alone.
    reqc::Session s;
    int n = 0;
    s.on_log(reqc::LogLevel::Requests, [&](std::string_view) { n++; });
    s.get(url("/get"));
    EXPECT_GT(n, 0);
}

// Reads what a descriptor-backed log wrote to a temporary file.
std::string slurp(FILE *f) {
    std::fflush(f);
    std::rewind(f);
    std::string all;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) all.append(buf, n);
    return all;
}

TEST_F(Surface, VerboseToADescriptor) {
    FILE *session_log = std::tmpfile();
    FILE *global_log = std::tmpfile();
    ASSERT_TRUE(session_log && global_log);
    {
        reqc::Session s;
        s.auth_bearer("tok-fd-1").verbose(fileno(session_log), reqc::LogLevel::Headers, reqc::LogFlag::ShowSecrets);
        s.get(url("/get"));
    }
    std::string text = slurp(session_log);
    EXPECT_TRUE(has(text, "GET")) << text;
    EXPECT_TRUE(has(text, "tok-fd-1")) << text;

    reqc::config::verbose(fileno(global_log), reqc::LogLevel::Requests);
    reqc::get(url("/status/204"));
    reqc::config::verbose(-1, reqc::LogLevel::Off);
    reqc::get(url("/status/205"));
    text = slurp(global_log);
    EXPECT_TRUE(has(text, "/status/204")) << text;
    EXPECT_FALSE(has(text, "/status/205")) << "LogLevel::Off stops it";
    EXPECT_THROW(reqc::config::verbose(-1, reqc::LogLevel::Requests), reqc::Error);
    std::fclose(session_log);
    std::fclose(global_log);
}

// ------------------------------------------------- durations as chrono

TEST_F(Surface, SpeedFloorTakesChronoWindows) {
    using namespace std::chrono_literals;
    // /drip sends one byte a second: far under a floor of 1000 B/s.
    auto started = std::chrono::steady_clock::now();
    reqc::Result slow = reqc::try_send(reqc::Request::get(url("/drip?duration=8&numbytes=8")).speed_floor(1000, 1s));
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(slow.code(), reqc::Code::Timeout) << slow.message();
    EXPECT_LT(took, 5s) << "the 1 s window ends it, long before the 8 s body";

    reqc::Session s;
    s.speed_floor(1000, 500ms);
    started = std::chrono::steady_clock::now();
    EXPECT_EQ(s.try_send(reqc::Request::get(url("/drip?duration=8&numbytes=8"))).code(), reqc::Code::Timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    EXPECT_EQ(s.get(url("/bytes/100")).status(), 200) << "a fast transfer is above the floor";
    EXPECT_THROW(s.speed_floor(-1, 1s), reqc::Error);
}

TEST_F(Surface, TimingsAndVersionsAreTyped) {
    reqc::Response r = reqc::send(reqc::Request::get(url("/get")).http_version(reqc::HttpVersion::V1_1));
    EXPECT_EQ(r.http_version(), reqc::HttpVersion::V1_1);
    EXPECT_GE(r.timing(reqc::Timing::Total), r.timing(reqc::Timing::FirstByte));
    EXPECT_GE(r.timing(reqc::Timing::FirstByte), r.timing(reqc::Timing::Connect));
    reqc::Session s;
    s.http_version(reqc::HttpVersion::V1_0);
    EXPECT_EQ(s.get(url("/get")).http_version(), reqc::HttpVersion::V1_0) << "the session's version was asked for";
}

TEST_F(Surface, MinimumTlsVersion) {
    std::string tls = env("REQC_TEST_TLS"), ca = env("REQC_TEST_CA_FILE");
    if (tls.empty() || ca.empty()) GTEST_SKIP() << "no TLS listener (libreqc's test server only)";
    reqc::Session s;
    s.ca_file(ca).min_tls_version(reqc::TlsVersion::V1_3);
    EXPECT_EQ(s.get(tls + "/get").status(), 200);
    reqc::Session strict;
    strict.min_tls_version(reqc::TlsVersion::V1_2);
    EXPECT_EQ(strict.try_send(reqc::Request::get(tls + "/get")).code(), reqc::Code::Tls) << "without its CA";
}

// ------------------------------------------ functions wrapped for 1.0

TEST_F(Surface, RequestCookieAndUserAgent) {
    reqc::Request req = reqc::Request::get(url("/headers")).cookie("flavour", "oat").cookie("gone", "1").user_agent(
        "surface-test/1.0");
    req.remove_cookie("gone");
    std::string_view t;
    reqc::Response r = reqc::send(req);
    t = r.text();
    EXPECT_TRUE(has(t, "flavour=oat")) << t;
    EXPECT_FALSE(has(t, "gone=1")) << t;
    EXPECT_TRUE(has(t, "surface-test/1.0")) << t;
    EXPECT_THROW(req.cookie("bad name", "x"), reqc::Error);
}

TEST_F(Surface, ResponseCookies) {
    reqc::Session s;
    reqc::Response r = s.get(url("/cookies/set?flavour=oat"));
    std::vector<reqc::Cookie> stored;
    for (reqc::ResponseView hop : r.history())
        for (auto &ck : hop.cookies()) stored.push_back(ck);
    for (auto &ck : r.cookies()) stored.push_back(ck);
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].name, "flavour");
    EXPECT_EQ(stored[0].value, "oat");
    EXPECT_EQ(stored[0].domain, "127.0.0.1");
}

// ------------------------------------------- reading requests (hooks)

static_assert(std::is_same_v<std::underlying_type_t<reqc::BodyKind>, reqc_body_kind>);
static_assert(c(reqc::BodyKind::None) == REQC_BODY_KIND_NONE);
static_assert(c(reqc::BodyKind::Bytes) == REQC_BODY_KIND_BYTES);
static_assert(c(reqc::BodyKind::Json) == REQC_BODY_KIND_JSON);
static_assert(c(reqc::BodyKind::Form) == REQC_BODY_KIND_FORM);
static_assert(c(reqc::BodyKind::Multipart) == REQC_BODY_KIND_MULTIPART);
static_assert(c(reqc::BodyKind::Callback) == REQC_BODY_KIND_CALLBACK);
static_assert(std::is_trivially_copyable_v<reqc::PreparedRequest>);

TEST(SurfaceRequests, GettersOnABuiltRequest) {
    reqc::Request req = reqc::Request::post("http://127.0.0.1/x").header("X-A", "1").add_header("X-B", "2").add_header(
        "X-B", "3");
    EXPECT_EQ(req.header("x-a").value_or(""), "1") << "case-insensitive";
    EXPECT_FALSE(req.header("X-None").has_value());
    auto headers = req.headers();
    ASSERT_EQ(headers.size(), 3u);
    EXPECT_EQ(headers[2], (std::pair<std::string, std::string>{"X-B", "3"}));
    EXPECT_EQ(req.body_kind(), reqc::BodyKind::None);
    EXPECT_FALSE(req.body().has_value());
    req.json(R"({"k": 1})");
    EXPECT_EQ(req.body_kind(), reqc::BodyKind::Json);
    EXPECT_EQ(req.body().value_or(""), R"({"k": 1})");
    req.body("", "text/plain");
    EXPECT_EQ(req.body_kind(), reqc::BodyKind::Bytes);
    EXPECT_EQ(req.body(), std::optional<std::string>("")) << "an empty body of bytes is not no body";
    reqc::Request form = reqc::Request::post("http://127.0.0.1/x").form("a", "1").form("b", "x y");
    EXPECT_EQ(form.body_kind(), reqc::BodyKind::Form);
    EXPECT_EQ(form.body().value_or(""), "a=1&b=x+y");
    form.file_data("f", "f.txt", "data");
    EXPECT_EQ(form.body_kind(), reqc::BodyKind::Multipart);
    EXPECT_FALSE(form.body().has_value()) << "multipart bytes exist only during the transfer";
}

// Strings go to C through a NUL-terminated copy kept inside the call's
// temporary when short (< 256 bytes) and on the heap when longer: both
// sides of the boundary, and views that are not NUL-terminated (a slice of
// a longer buffer), must reach libreqc whole and exact.
TEST(SurfaceRequests, StringsOfAnyLengthReachLibreqcExactly) {
    const std::string buffer = std::string(300, 'v') + "TAIL";
    for (size_t n : {size_t{0}, size_t{1}, size_t{254}, size_t{255}, size_t{256}, size_t{257}, size_t{300}}) {
        std::string_view value(buffer.data(), n); // followed by more 'v's, not by a NUL
        std::string path = "/" + std::string(n, 'p');
        std::string url_and_more = "http://127.0.0.1" + path + "#not-part-of-the-view";
        reqc::Request req = reqc::Request::post(std::string_view(url_and_more).substr(0, 17 + n))
                                .header("X-Len", value)
                                .body(value, std::string_view("text/plainXXX").substr(0, 10));
        EXPECT_EQ(req.url(), "http://127.0.0.1" + path) << n;
        EXPECT_EQ(req.header("X-Len").value_or("?"), std::string(n, 'v')) << n;
        EXPECT_EQ(req.body().value_or("?"), std::string(n, 'v')) << n;
    }
}

TEST_F(Surface, PreRequestHookReadsTheRequestAsSent) {
    reqc::Session s;
    s.header("X-Session", "s").auth_basic("alice", "pw");
    std::optional<std::string> auth, session_header, body, content_length;
    reqc::Request req = reqc::Request::post(url("/post")).json(R"({"signed": true})").hook(
        reqc::HookKind::PreRequest, [&](reqc::HookContext &ctx) {
            reqc::RequestView sent = *ctx.request();
            auth = sent.header("Authorization");
            session_header = sent.header("X-Session");
            content_length = sent.header("Content-Length");
            body = sent.body();
        });
    EXPECT_EQ(s.send(req).status(), 200);
    EXPECT_EQ(auth.value_or(""), "Basic YWxpY2U6cHc=") << "every layer merged";
    EXPECT_EQ(session_header.value_or(""), "s");
    EXPECT_EQ(content_length.value_or(""), "16");
    EXPECT_EQ(body.value_or(""), R"({"signed": true})");
}

TEST_F(Surface, ResponseHandsBackItsRequest) {
    reqc::Response r = reqc::send(reqc::Request::post(url("/redirect-to")).param("url", "/get").param("status_code", "303")
                                      .header("X-Tour", "1")
                                      .body("payload", "text/plain"));
    ASSERT_EQ(r.status(), 200);
    std::optional<reqc::PreparedRequest> last = r.request();
    ASSERT_TRUE(last.has_value());
    EXPECT_EQ(last->method(), "GET") << "303 turned the POST into a GET";
    EXPECT_EQ(last->url(), url("/get"));
    EXPECT_EQ(last->header("X-Tour").value_or(""), "1");
    EXPECT_FALSE(last->body().has_value()) << "and dropped the body";
    ASSERT_EQ(r.history().size(), 1u);
    std::optional<reqc::PreparedRequest> first = r.history()[0].request();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->method(), "POST");
    EXPECT_EQ(first->body().value_or(""), "payload");
    EXPECT_EQ(first->body_kind(), reqc::BodyKind::Bytes);
}

// A signing hook written with the request getters, as cloud APIs ask: an
// HMAC-SHA256 over method, target, headers and body, checked by the test
// server's /reqc/signed (its canonical form: tests/server/src/routes/signed.rs).
std::string hex(const unsigned char *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < n; i++) out += {digits[p[i] >> 4], digits[p[i] & 15]};
    return out;
}
std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    return hex(md, len);
}
std::string hmac_hex(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char *>(data.data()),
         data.size(), md, &len);
    return hex(md, len);
}
std::string trimmed(std::string v) {
    size_t a = v.find_first_not_of(" \t"), b = v.find_last_not_of(" \t");
    return a == std::string::npos ? std::string() : v.substr(a, b - a + 1);
}

reqc::HookResult sign(reqc::HookContext &ctx) {
    reqc::RequestView req = *ctx.request();
    std::optional<std::string> body = req.body();
    if (!body && req.body_kind() != reqc::BodyKind::None) return reqc::HookResult::Abort; // no bytes to sign
    std::string u = req.url();
    size_t authority = u.find("://") + 3, slash = u.find('/', authority);
    std::map<std::string, std::vector<std::string>> values; // sorted by lower-case name
    values["host"].push_back(u.substr(authority, slash - authority));
    for (auto &[name, value] : req.headers()) {
        std::string lower = name;
        for (char &ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        values[lower].push_back(trimmed(value));
    }
    std::string canonical = req.method() + "\n" + (slash == std::string::npos ? "/" : u.substr(slash)), names;
    for (auto &[name, vs] : values) {
        std::string joined;
        for (auto &v : vs) joined += (joined.empty() ? "" : ",") + v;
        canonical += "\n" + name + ":" + joined;
        names += (names.empty() ? "" : ";") + name;
    }
    canonical += "\n" + sha256_hex(body.value_or(""));
    req.header("X-Signed-Headers", names).header("X-Signature", hmac_hex("reqc-test-signing-key", canonical));
    return reqc::HookResult::Continue;
}

TEST_F(Surface, SigningHookWithTheRequestGetters) {
    if (!env("REQC_TEST_HTTPBIN").empty()) GTEST_SKIP() << "/reqc/signed is libreqc's own endpoint";
    reqc::Session s;
    s.header("X-Tenant", "t1").auth_bearer("tok").hook(reqc::HookKind::PreRequest, sign);
    reqc::Response ok = s.send(reqc::Request::post(url("/reqc/signed")).param("q", "a b").json(R"({"amount": 100})")
                                   .add_header("X-Amount", "100.00"));
    EXPECT_EQ(ok.status(), 200) << ok.text();
    EXPECT_EQ(ok.header("x-reqc-valid").value_or(""), "true");
    EXPECT_EQ(s.send(reqc::Request::get(url("/reqc/signed"))).status(), 200) << "no body: the hash of \"\"";
    reqc::Request multipart = reqc::Request::post(url("/reqc/signed")).file_data("f", "f.txt", "data");
    EXPECT_EQ(s.try_send(multipart).code(), reqc::Code::Aborted) << "a body without bytes is refused, not signed empty";

    reqc::Session unsigned_session;
    EXPECT_EQ(unsigned_session.send(reqc::Request::get(url("/reqc/signed"))).status(), 401);
}

// The opaque reqc_cookie (handles): every accessor reaches reqc::Cookie.
TEST_F(Surface, CookiesThroughTheAccessors) {
    reqc::Session s;
    s.set_cookie(url("/"), "flavour=oat; Path=/; HttpOnly; Max-Age=3600");
    std::vector<reqc::Cookie> all = s.cookies();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].name, "flavour");
    EXPECT_EQ(all[0].value, "oat");
    EXPECT_EQ(all[0].path, "/");
    EXPECT_FALSE(all[0].secure);
    EXPECT_TRUE(all[0].http_only);
    EXPECT_FALSE(all[0].include_subdomains);
    EXPECT_GT(all[0].expires, 0);
}

// ------------------------------------------------------------- retries

// /reqc/flaky fails the first `fail` requests of a key with `status`.
std::string flaky(const std::string &key, int fail, int status = 503) {
    return url("/reqc/flaky?key=cpp-" + key + "&fail=" + std::to_string(fail) + "&status=" + std::to_string(status));
}

TEST_F(Surface, RetriesOnARequest) {
    if (!env("REQC_TEST_HTTPBIN").empty()) GTEST_SKIP() << "/reqc/flaky is libreqc's own endpoint";
    using namespace std::chrono_literals;
    std::vector<int> attempts_seen;
    reqc::Request req = reqc::Request::get(flaky("get", 2)).retries(3).retry_backoff(0ms, 0ms).hook(
        reqc::HookKind::PreRequest, [&](reqc::HookContext &ctx) { attempts_seen.push_back(ctx.attempt()); });
    reqc::Response r = reqc::send(req);
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.attempts(), (std::vector<int>{503, 503, 200}));
    EXPECT_EQ(attempts_seen, (std::vector<int>{1, 2, 3}));
    EXPECT_TRUE(r.history().size() == 0) << "retries are not history";

    reqc::Response once = reqc::get(flaky("once", 1));
    EXPECT_EQ(once.status(), 503) << "off by default";
    EXPECT_EQ(once.attempts(), std::vector<int>{503});

    reqc::Request post = reqc::Request::post(flaky("post", 1)).json("{}").retries(3).retry_backoff(0ms, 0ms);
    EXPECT_EQ(reqc::send(post).status(), 503) << "a POST is not sent twice unasked";
    post.retry_all_methods();
    EXPECT_EQ(reqc::send(post).attempts(), (std::vector<int>{200})) << "the key's second request: ok";
    reqc::Request teapot = reqc::Request::get(flaky("teapot", 1, 418)).retries(2).retry_backoff(0ms, 0ms);
    EXPECT_EQ(reqc::send(teapot).status(), 418) << "418 is not a retry status";
    teapot.retry_statuses({418});
    EXPECT_EQ(reqc::send(teapot).status(), 200);
    EXPECT_THROW(req.retries(0), reqc::Error);
    EXPECT_THROW(req.retry_statuses({42}), reqc::Error);
    EXPECT_THROW(req.retry_backoff(-1ms, 0ms), reqc::Error);
}

TEST_F(Surface, RetriesOnASessionAndTheConfig) {
    if (!env("REQC_TEST_HTTPBIN").empty()) GTEST_SKIP() << "/reqc/flaky is libreqc's own endpoint";
    using namespace std::chrono_literals;
    reqc::Session s;
    s.retries(2).retry_backoff(0ms, 0ms).retry_statuses({502});
    EXPECT_EQ(s.get(flaky("session", 1, 502)).attempts(), (std::vector<int>{502, 200}));
    EXPECT_EQ(s.get(flaky("session-503", 1, 503)).status(), 503) << "503 is off the session's list";
    s.retry_all_methods();
    EXPECT_EQ(s.send(reqc::Request::post(flaky("session-post", 1, 502))).status(), 200);

    reqc::config::retries(2);
    reqc::config::retry_backoff(0ms, 0ms);
    reqc::config::retry_statuses({503});
    reqc::config::retry_all_methods(false);
    reqc::Response r = reqc::get(flaky("config", 1));
    reqc::config::reset();
    EXPECT_EQ(r.attempts(), (std::vector<int>{503, 200})) << "the config's retries";
    EXPECT_EQ(reqc::get(flaky("config-reset", 1)).status(), 503) << "reset: off again";
    EXPECT_THROW(reqc::config::retries(0), reqc::Error);
}

// ---------------------------------------- every layer, and unset (parity)

static_assert(std::is_same_v<std::underlying_type_t<reqc::Option>, reqc_option>);
static_assert(c(reqc::Option::Timeout) == REQC_OPTION_TIMEOUT);
static_assert(c(reqc::Option::ReadTimeout) == REQC_OPTION_READ_TIMEOUT);
static_assert(c(reqc::Option::ConnectTimeout) == REQC_OPTION_CONNECT_TIMEOUT);
static_assert(c(reqc::Option::Redirects) == REQC_OPTION_REDIRECTS);
static_assert(c(reqc::Option::HttpVersion) == REQC_OPTION_HTTP_VERSION);
static_assert(c(reqc::Option::SpeedFloor) == REQC_OPTION_SPEED_FLOOR);
static_assert(c(reqc::Option::MaxResponseBytes) == REQC_OPTION_MAX_RESPONSE_BYTES);
static_assert(c(reqc::Option::VerifyTls) == REQC_OPTION_VERIFY_TLS);
static_assert(c(reqc::Option::Ca) == REQC_OPTION_CA);
static_assert(c(reqc::Option::ClientCert) == REQC_OPTION_CLIENT_CERT);
static_assert(c(reqc::Option::MinTlsVersion) == REQC_OPTION_MIN_TLS_VERSION);
static_assert(c(reqc::Option::Proxy) == REQC_OPTION_PROXY);
static_assert(c(reqc::Option::TrustEnv) == REQC_OPTION_TRUST_ENV);
static_assert(c(reqc::Option::UserAgent) == REQC_OPTION_USER_AGENT);
static_assert(c(reqc::Option::Auth) == REQC_OPTION_AUTH);
static_assert(c(reqc::Option::Headers) == REQC_OPTION_HEADERS);
static_assert(c(reqc::Option::Params) == REQC_OPTION_PARAMS);
static_assert(c(reqc::Option::SecretHeaders) == REQC_OPTION_SECRET_HEADERS);
static_assert(c(reqc::Option::Log) == REQC_OPTION_LOG);
static_assert(c(reqc::Option::Retries) == REQC_OPTION_RETRIES);
static_assert(c(reqc::Option::RetryStatuses) == REQC_OPTION_RETRY_STATUSES);
static_assert(c(reqc::Option::RetryBackoff) == REQC_OPTION_RETRY_BACKOFF);
static_assert(c(reqc::Option::RetryAllMethods) == REQC_OPTION_RETRY_ALL_METHODS);

TEST_F(Surface, PerRequestProxyAndUnset) {
    reqc::Session s;
    s.trust_env(false);
    reqc::Request req = reqc::Request::get(url("/get")).proxy("http://127.0.0.1:1");
    EXPECT_EQ(s.try_send(req).code(), reqc::Code::Proxy) << "the request's own proxy, which is down";
    req.unset(reqc::Option::Proxy);
    EXPECT_EQ(s.send(req).status(), 200) << "unset: no proxy from any layer";
    s.proxy("http://127.0.0.1:1");
    EXPECT_EQ(s.try_send(req).code(), reqc::Code::Proxy) << "the session's proxy applies again";
    s.unset(reqc::Option::Proxy);
    EXPECT_EQ(s.send(req).status(), 200);
}

TEST_F(Surface, PerRequestTls) {
    std::string tls = env("REQC_TEST_TLS"), ca = env("REQC_TEST_CA_FILE");
    if (tls.empty() || ca.empty()) GTEST_SKIP() << "no TLS listener (libreqc's test server only)";
    reqc::Session s;
    EXPECT_EQ(s.try_send(reqc::Request::get(tls + "/get")).code(), reqc::Code::Tls) << "not trusted by default";
    EXPECT_EQ(s.send(reqc::Request::get(tls + "/get").ca_file(ca)).status(), 200) << "the request's CA (Requests' verify=)";
    EXPECT_EQ(s.send(reqc::Request::get(tls + "/get").verify_tls(false)).status(), 200);
    std::string tls12 = env("REQC_TEST_TLS12");
    if (!tls12.empty()) {
        reqc::Request floor = reqc::Request::get(tls12 + "/get").ca_file(ca).min_tls_version(reqc::TlsVersion::V1_3);
        EXPECT_EQ(s.try_send(floor).code(), reqc::Code::Tls) << "a TLS 1.2-only server under a 1.3 floor";
        floor.unset(reqc::Option::MinTlsVersion);
        EXPECT_EQ(s.send(floor).status(), 200);
    }
    std::string mtls = env("REQC_TEST_TLS_CLIENT_AUTH"), cert = env("REQC_TEST_CLIENT_CERT_FILE"),
                key = env("REQC_TEST_CLIENT_KEY_FILE");
    if (!mtls.empty() && !cert.empty()) {
        reqc::Request with_cert = reqc::Request::get(mtls + "/get").ca_file(ca).client_cert(cert, key);
        EXPECT_EQ(s.send(with_cert).status(), 200) << "the request's client certificate (Requests' cert=)";
        with_cert.unset(reqc::Option::ClientCert);
        EXPECT_NE(s.try_send(with_cert).code(), reqc::Code::Ok) << "no certificate: refused";
    }
}

TEST_F(Surface, UnsetOnEachLayer) {
    reqc::config::header("X-Config", "c");
    reqc::config::secret_header("X-Config");
    EXPECT_TRUE(has(reqc::get(url("/headers")).text(), "X-Config"));
    reqc::config::unset(reqc::Option::Headers);
    EXPECT_FALSE(has(reqc::get(url("/headers")).text(), "X-Config"));
    reqc::config::reset();

    reqc::Session s;
    s.header("X-Session", "s").auth_basic("alice", "pw");
    EXPECT_TRUE(has(s.get(url("/headers")).text(), "Basic YWxpY2U6cHc="));
    s.auth_none();
    EXPECT_FALSE(has(s.get(url("/headers")).text(), "Authorization")) << "auth_none on the session";
    s.unset(reqc::Option::Headers);
    EXPECT_FALSE(has(s.get(url("/headers")).text(), "X-Session"));
    EXPECT_THROW(reqc::config::unset(reqc::Option::Auth), reqc::Error) << "the config has no auth";
    reqc::Request req = reqc::Request::get(url("/get"));
    EXPECT_THROW(req.unset(reqc::Option::Log), reqc::Error) << "a request has no log sink";

    if (env("REQC_TEST_HTTPBIN").empty()) {
        using namespace std::chrono_literals;
        reqc::Session retrying;
        retrying.retries(2).retry_backoff(0ms, 0ms);
        reqc::Request flaky_req = reqc::Request::get(url("/reqc/flaky?key=cpp-unset&fail=2")).retries(1);
        EXPECT_EQ(retrying.send(flaky_req).status(), 503) << "the request's one attempt wins";
        flaky_req.unset(reqc::Option::Retries);
        EXPECT_EQ(retrying.send(flaky_req).status(), 200) << "unset: the session's retries apply again";
    }
}

TEST_F(Surface, ConfigHasEverySetting) {
    using namespace std::chrono_literals;
    reqc::config::speed_floor(1000, 1s);
    reqc::Result slow = reqc::try_send(reqc::Request::get(url("/drip?duration=8&numbytes=8")));
    reqc::config::unset(reqc::Option::SpeedFloor);
    EXPECT_EQ(slow.code(), reqc::Code::Timeout) << "the config's speed floor";
    reqc::config::http_version(reqc::HttpVersion::V1_0);
    reqc::Response r = reqc::get(url("/get"));
    reqc::config::unset(reqc::Option::HttpVersion);
    EXPECT_EQ(r.http_version(), reqc::HttpVersion::V1_0);
    reqc::config::add_header("X-Twice", "1");
    reqc::config::add_header("X-Twice", "2");
    std::string t(reqc::get(url("/headers")).text());
    reqc::config::reset();
    EXPECT_TRUE(has(t, "\"X-Twice\": \"1,2\"")) << "added twice, both sent: " << t;
    EXPECT_THROW(reqc::config::min_tls_version(static_cast<reqc::TlsVersion>(99)), reqc::Error);
}

// ---------------------------------------------------- event-loop mode

// Drives a batch with poll(2): the loop a program with its own reactor
// would write.
struct PollLoop {
    std::map<int, reqc::Watch> fds;
    std::optional<std::chrono::milliseconds> timer;
    int sockets_seen = 0;

    // The callables to hand to Batch::socket_callbacks.
    void watch(int fd, reqc::Watch what) {
        sockets_seen++;
        if (what == reqc::Watch::Remove)
            fds.erase(fd);
        else
            fds[fd] = what;
    }
    void set_timer(std::optional<std::chrono::milliseconds> after) { timer = after; }

    // Runs the loop until the batch says done (or about 30 s pass).
    void drive(reqc::Batch &b, bool done = false) {
        for (int rounds = 0; !done && rounds < 300; rounds++) {
            std::vector<pollfd> pfds;
            for (auto [fd, what] : fds) {
                short ev = 0;
                if ((what & reqc::Watch::In) == reqc::Watch::In) ev |= POLLIN;
                if ((what & reqc::Watch::Out) == reqc::Watch::Out) ev |= POLLOUT;
                pfds.push_back(pollfd{fd, ev, 0});
            }
            int wait = timer ? static_cast<int>(std::min<int64_t>(timer->count(), 100)) : 100;
            int n = ::poll(pfds.data(), pfds.size(), wait);
            ASSERT_GE(n, 0);
            if (n == 0) {
                done = b.timeout_action();
                continue;
            }
            for (auto &p : pfds) {
                if (!p.revents) continue;
                reqc::Watch got{};
                if (p.revents & (POLLIN | POLLHUP | POLLERR)) got = got | reqc::Watch::In;
                if (p.revents & POLLOUT) got = got | reqc::Watch::Out;
                done = b.socket_action(p.fd, got);
                if (done) break;
            }
        }
        EXPECT_TRUE(done) << "the run did not end";
    }
};

TEST_F(Surface, EventLoopMode) {
    reqc::Session s;
    reqc::Batch b(s);
    PollLoop loop;
    b.socket_callbacks([&](int fd, reqc::Watch what) { loop.watch(fd, what); },
                       [&](std::optional<std::chrono::milliseconds> after) { loop.set_timer(after); });
    for (int i = 0; i < 4; i++) b.add(reqc::Request::get(url("/get")).param("i", std::to_string(i)));
    loop.drive(b, b.start());
    EXPECT_GT(loop.sockets_seen, 0);
    EXPECT_TRUE(loop.fds.empty()) << "every socket was removed at the end";
    for (size_t i = 0; i < 4; i++) {
        reqc::Result r = b.result(i);
        ASSERT_TRUE(r.ok()) << r.message();
        EXPECT_TRUE(has(r->text(), "\"i\": \"" + std::to_string(i) + "\""));
    }
}

TEST_F(Surface, ThrowingSocketCallbackCancelsAndComesBack) {
    reqc::Batch b;
    PollLoop loop;
    bool armed = true;
    b.socket_callbacks(
        [&](int fd, reqc::Watch what) {
            loop.watch(fd, what);
            if (armed && what != reqc::Watch::Remove) {
                armed = false;
                throw Boom("socket callback");
            }
        },
        [&](std::optional<std::chrono::milliseconds> after) { loop.set_timer(after); });
    b.add(reqc::Request::get(url("/delay/2")));
    try {
        loop.drive(b, b.start());
        FAIL() << "no throw";
    } catch (const Boom &e) {
        EXPECT_EQ(std::string(e.what()), "boom in socket callback");
    }
    auto started = std::chrono::steady_clock::now();
    loop.drive(b); // the same run, cancelled by the throw: it ends promptly
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1500));
    EXPECT_EQ(b.result(0).code(), reqc::Code::Cancelled);
}

TEST_F(Surface, ThrowingTimerCallbackComesBack) {
    reqc::Batch b;
    b.socket_callbacks([](int, reqc::Watch) {},
                       [](std::optional<std::chrono::milliseconds>) { throw Boom("timer callback"); });
    b.add(reqc::Request::get(url("/get")));
    EXPECT_THROW(b.start(), Boom);
}

} // namespace
