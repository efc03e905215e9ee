// The C++ API's suite: every class, every callback kind throwing, move
// semantics and lent views, against libreqc's test server (REQC_TEST_URL,
// set by tests/with-server.sh). Run natively and under ASan/UBSan by
// bindings/cpp/run-tests.sh.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "printers.hpp"
#include "server.hpp"
#include "reqc.hpp"

namespace {

using reqc_test::base;
using reqc_test::has;
using reqc_test::url;
const char *refused = "http://127.0.0.1:1/";

// The exception type the callbacks throw: the caller must get this very
// object back, not a reqc::Error.
struct Boom : std::runtime_error {
    explicit Boom(const std::string &where) : std::runtime_error("boom in " + where) {}
};

class Cpp : public reqc_test::ServerTest {};

// ------------------------------------------------------------ the types

static_assert(!std::is_copy_constructible_v<reqc::Session>);
static_assert(!std::is_copy_constructible_v<reqc::Request>);
static_assert(!std::is_copy_constructible_v<reqc::Response>);
static_assert(!std::is_copy_constructible_v<reqc::Batch>);
static_assert(!std::is_copy_assignable_v<reqc::Response>);
static_assert(std::is_nothrow_move_constructible_v<reqc::Session>);
static_assert(std::is_nothrow_move_constructible_v<reqc::Request>);
static_assert(std::is_nothrow_move_constructible_v<reqc::Response>);
static_assert(std::is_nothrow_move_constructible_v<reqc::Batch>);
static_assert(std::is_nothrow_move_assignable_v<reqc::Response>);
static_assert(std::is_base_of_v<std::runtime_error, reqc::Error>);
// Views are cheap copies that own nothing.
static_assert(std::is_trivially_copyable_v<reqc::RequestView>);
static_assert(std::is_trivially_copyable_v<reqc::ResponseView>);

TEST(Types, ErrorCarriesCodeAndMessage) {
    try {
        reqc::Request r("GET", "not a url");
        FAIL() << "no throw";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::InvalidUrl);
        EXPECT_STREQ(e.name(), "REQC_E_INVALID_URL");
        EXPECT_TRUE(has(e.what(), "not a url"));
    }
    reqc::Request r = reqc::Request::get("http://127.0.0.1/");
    try {
        r.header("bad name", "x");
        FAIL() << "no throw";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::InvalidArgument);
        EXPECT_STRNE(e.what(), "REQC_E_INVALID_ARGUMENT") << "the handle's message, not just the code";
    }
    EXPECT_TRUE(has(reqc::version(), "libreqc/"));
}

// --------------------------------------------------------- move semantics

TEST_F(Cpp, MovedFromRequestHoldsNothing) {
    reqc::Request a = reqc::Request::get(url("/get")).header("X-Moved", "yes");
    reqc_request *raw = a.native_handle();
    reqc::Request b = std::move(a);
    EXPECT_EQ(a.native_handle(), nullptr);
    EXPECT_EQ(b.native_handle(), raw);
    EXPECT_THROW(a.header("X", "1"), reqc::Error);
    reqc::Request c = reqc::Request::get(url("/get"));
    c = std::move(b); // the old c is freed (ASan would see a leak)
    EXPECT_EQ(c.native_handle(), raw);
    reqc::Response resp = reqc::send(c);
    EXPECT_TRUE(has(resp.text(), "X-Moved"));
}

TEST_F(Cpp, MovedResponseKeepsItsBytesAndViews) {
    reqc::Response r1 = reqc::get(url("/redirect/2"));
    std::string_view body = r1.body();
    reqc::ResponseView hop = r1.history()[0];
    reqc::Response r2 = std::move(r1);
    EXPECT_FALSE(static_cast<bool>(r1));
    EXPECT_EQ(r1.status(), 0);
    EXPECT_EQ(r2.body().data(), body.data()) << "a move moves the handle, not the bytes";
    EXPECT_EQ(hop.status(), 302) << "a history view stays valid while its owner lives, moved or not";
    reqc::Response r3;
    r3 = std::move(r2);
    EXPECT_EQ(r3.status(), 200);
}

TEST_F(Cpp, MovedSessionAndBatchKeepWorking) {
    reqc::Session s1;
    s1.header("X-Session", "moved");
    reqc::Session s2 = std::move(s1);
    EXPECT_EQ(s1.native_handle(), nullptr);
    EXPECT_THROW(s1.header("X", "1"), reqc::Error);
    EXPECT_TRUE(has(s2.get(url("/headers")).text(), "moved"));

    reqc::Batch b1(s2);
    b1.add(reqc::Request::get(url("/get")));
    reqc::Batch b2 = std::move(b1);
    EXPECT_EQ(b1.native_handle(), nullptr);
    b2.perform();
    EXPECT_EQ(b2.result(0).value().status(), 200);
}

// ------------------------------------------------------ requests, responses

TEST_F(Cpp, BuilderSendsEverything) {
    auto req = reqc::Request::post(url("/post")).header("X-A", "1").add_header("X-B", "2").param("q", "a b&c").json(
        R"({"k": [1, 2]})");
    reqc::Response r = reqc::send(req);
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.reason(), "OK");
    std::string_view t = r.text();
    EXPECT_TRUE(has(t, "\"X-A\": \"1\"")) << t;
    EXPECT_TRUE(has(t, "\"q\": \"a b&c\"")) << t;
    EXPECT_TRUE(has(t, "application/json")) << t;
    EXPECT_TRUE(has(r.url(), "q=a+b%26c") || has(r.url(), "q=a%20b%26c")) << r.url();
    EXPECT_EQ(req.method(), "POST");
}

TEST_F(Cpp, FreeHelpers) {
    reqc::Response g = reqc::get(url("/get"), {{"one", "1"}}, {{"X-Helper", "yes"}});
    EXPECT_TRUE(has(g.text(), "\"one\": \"1\""));
    EXPECT_TRUE(has(g.text(), "X-Helper"));
    reqc::Response p = reqc::post(url("/post"), R"({"a": 1})");
    EXPECT_TRUE(has(p.text(), "\"a\": 1"));
    reqc::Response f = reqc::post_form(url("/post"), {{"field", "value"}});
    EXPECT_TRUE(has(f.text(), "\"field\": \"value\""));
    EXPECT_THROW(reqc::get(refused), reqc::Error);
}

TEST_F(Cpp, HeadersAreIterable) {
    reqc::Response r =
        reqc::get(url("/response-headers"), {{"X-Rep", "1"}, {"X-Rep", "2"}, {"X-Empty", ""}});
    std::vector<std::string> reps;
    bool content_type = false, empty = false;
    for (auto [name, value] : r.headers()) {
        if (name == "X-Rep" || name == "x-rep") reps.emplace_back(value);
        if (name == "Content-Type" || name == "content-type") content_type = true;
        // Views of the line's bytes: the name's exact length, an empty value.
        if (name == "X-Empty" || name == "x-empty") empty = value.empty() && value.data() != nullptr;
    }
    EXPECT_EQ(reps, (std::vector<std::string>{"1", "2"}));
    EXPECT_TRUE(content_type);
    EXPECT_TRUE(empty);
    // Each line as reqc_response_header_at gives it, byte for byte.
    size_t i = 0;
    for (auto [name, value] : r.headers()) {
        const char *n = nullptr, *v = nullptr;
        ASSERT_EQ(reqc_response_header_at(r.native_handle(), i++, &n, &v), REQC_OK);
        EXPECT_EQ(name, std::string_view(n));
        EXPECT_EQ(value, std::string_view(v));
    }
    EXPECT_EQ(r.headers().size(), static_cast<size_t>(std::distance(r.headers().begin(), r.headers().end())));
    EXPECT_EQ(r.header("x-rep").value_or(""), "1");
    EXPECT_FALSE(r.header("X-None").has_value());
}

TEST_F(Cpp, BodyBytesAndTimings) {
    reqc::Response r = reqc::get(url("/bytes/1000"));
    EXPECT_EQ(r.body().size(), 1000u);
    EXPECT_GT(r.elapsed().count(), 0);
    EXPECT_EQ(r.remote_ip(), "127.0.0.1");
    EXPECT_GT(r.remote_port(), 0);
}

TEST_F(Cpp, TrySendNeverThrowsReqcErrors) {
    reqc::Session s;
    reqc::Request req = reqc::Request::get(refused);
    reqc::Result res = s.try_send(req);
    EXPECT_FALSE(res.ok());
    EXPECT_EQ(res.code(), reqc::Code::Connect);
    EXPECT_TRUE(has(res.message(), "127.0.0.1:1")) << res.message();
    try {
        s.send(req);
        FAIL() << "no throw";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::Connect);
    }
    EXPECT_THROW(res.value(), reqc::Error);
    reqc::Result good = reqc::try_send(reqc::Request::get(url("/status/418")));
    ASSERT_TRUE(good.ok()) << "a 4xx is a response, not an error";
    EXPECT_EQ(good->status(), 418);
}

TEST_F(Cpp, Timeouts) {
    reqc::Request slow = reqc::Request::get(url("/delay/2")).timeout(std::chrono::milliseconds(200));
    EXPECT_EQ(reqc::try_send(slow).code(), reqc::Code::Timeout);
    reqc::Session s;
    s.read_timeout(std::chrono::milliseconds(200)).connect_timeout(std::chrono::seconds(5));
    EXPECT_EQ(s.try_send(reqc::Request::get(url("/delay/2"))).code(), reqc::Code::Timeout);
    EXPECT_EQ(s.try_send(reqc::Request::get(url("/delay/2")).read_timeout(std::chrono::seconds(0))).code(), reqc::Code::Ok)
        << "the request's setting wins over the session's";
}

TEST_F(Cpp, LastResponseAfterTooManyRedirects) {
    reqc::Request req = reqc::Request::get(url("/redirect/3")).redirects(true, 1);
    EXPECT_EQ(reqc::try_send(req).code(), reqc::Code::TooManyRedirects);
    std::optional<reqc::Response> last = req.last_response();
    ASSERT_TRUE(last.has_value());
    EXPECT_EQ(last->status(), 302);
    EXPECT_EQ(last->history().size(), 1u);
    EXPECT_FALSE(req.last_response().has_value()) << "moved out once";
}

TEST_F(Cpp, LinksWarningsTimings) {
    reqc::Response r = reqc::get(url("/response-headers"),
                                 {{"Link", "<https://a.example/2>; rel=\"next\"; title=\"two\", </1>; rel=prev"}});
    auto links = r.links();
    ASSERT_EQ(links.size(), 2u);
    EXPECT_EQ(links[0].url, "https://a.example/2");
    EXPECT_EQ(links[1].rel, "prev");
    EXPECT_EQ(r.link("next").value_or(""), "https://a.example/2");
    EXPECT_EQ(r.link_param(0, "title").value_or(""), "two");
    EXPECT_GE(r.timing(reqc::Timing::Total).count(), r.timing(reqc::Timing::FirstByte).count());

    reqc::Request req = reqc::Request::get(url("/get")).hook(reqc::HookKind::Response, [](reqc::HookContext &) {
        return reqc::HookResult::Error;
    });
    reqc::Response w = reqc::send(req);
    ASSERT_EQ(w.warnings().size(), 1u);
    EXPECT_TRUE(has(w.warnings()[0], "/get")) << w.warnings()[0];
}

TEST_F(Cpp, ConfigDefaultsAndPoll) {
    reqc::config::header("X-Config", "global");
    reqc::Response r = reqc::get(url("/headers"));
    reqc::config::reset();
    EXPECT_TRUE(has(r.text(), "X-Config"));
    EXPECT_FALSE(has(reqc::get(url("/headers")).text(), "X-Config"));
    EXPECT_THROW(reqc::config::header("bad name", "x"), reqc::Error);
    try {
        reqc::config::timeout(std::chrono::milliseconds(-5));
        ADD_FAILURE() << "no throw";
    } catch (const reqc::Error &e) {
        EXPECT_TRUE(has(e.what(), "-5")) << e.what(); // the config's message
    }

    reqc::Session s;
    EXPECT_TRUE(s.get(url("/cookies/set?gone=1")).status() == 200);
    EXPECT_TRUE(s.delete_cookie("127.0.0.1", "/", "gone"));
    EXPECT_FALSE(s.delete_cookie("127.0.0.1", "/", "gone"));

    reqc::Batch b(s);
    b.add(reqc::Request::get(url("/get")));
    int steps = 0;
    while (!b.poll(std::chrono::milliseconds(100)) && steps < 100) steps++;
    EXPECT_EQ(b.result(0).value().status(), 200);
}

TEST_F(Cpp, CancelledRequest) {
    reqc::Request req = reqc::Request::get(url("/get"));
    req.cancel();
    EXPECT_EQ(reqc::try_send(req).code(), reqc::Code::Cancelled);
    EXPECT_EQ(reqc::try_send(req.clone()).code(), reqc::Code::Ok) << "a clone is not cancelled";
}

// ------------------------------------------------------------- sessions

TEST_F(Cpp, SessionDefaultsCookiesAuth) {
    reqc::Session s;
    s.header("X-Default", "d").user_agent("reqc-cpp-test/1").auth_basic("alice", "s3cret");
    reqc::Response h = s.get(url("/headers"));
    EXPECT_TRUE(has(h.text(), "X-Default")) << h.text();
    EXPECT_TRUE(has(h.text(), "reqc-cpp-test/1"));
    EXPECT_EQ(s.get(url("/basic-auth/alice/s3cret")).status(), 200);

    s.get(url("/cookies/set?flavour=oat"));
    EXPECT_EQ(s.cookie(url("/"), "flavour").value_or(""), "oat");
    EXPECT_FALSE(s.cookie(url("/"), "none").has_value());
    EXPECT_TRUE(has(s.get(url("/cookies")).text(), "oat"));
    auto all = s.cookies();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].name, "flavour");
    std::string jar = s.export_cookies();
    s.clear_cookies();
    EXPECT_TRUE(s.cookies().empty());
    EXPECT_EQ(s.import_cookies(jar), 1u);
    EXPECT_EQ(s.cookie(url("/"), "flavour").value_or(""), "oat");
    EXPECT_THROW(s.set_cookie(url("/"), "a=1; Domain=co.uk"), reqc::Error);
}

TEST_F(Cpp, OneSessionManyThreads) {
    reqc::Session s;
    s.header("X-Shared", "1");
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; i++) {
                reqc::Result r = s.try_send(reqc::Request::get(url("/get")).param("t", std::to_string(t)));
                if (r.ok() && r->status() == 200 && has(r->text(), "X-Shared")) ok++;
            }
        });
    for (auto &th : threads) th.join();
    EXPECT_EQ(ok.load(), 40);
}

// ------------------------------------------------------------ lent views

TEST_F(Cpp, HistoryEntriesAreViews) {
    reqc::Response r = reqc::get(url("/redirect/3"));
    ASSERT_EQ(r.history().size(), 3u);
    int n = 0;
    for (reqc::ResponseView hop : r.history()) {
        EXPECT_EQ(hop.status(), 302);
        EXPECT_TRUE(hop.header("Location").has_value());
        n++;
    }
    EXPECT_EQ(n, 3);
    // Copying a view copies a pointer; neither copy frees (ASan checks).
    reqc::ResponseView copy = r.history()[1];
    reqc::ResponseView again = copy;
    EXPECT_EQ(again.native_handle(), copy.native_handle());
    EXPECT_EQ(r.status(), 200);
}

TEST_F(Cpp, HooksSeeAndChangeLentObjects) {
    reqc::Session s;
    std::vector<std::string> seen;
    s.hook(reqc::HookKind::Args, [&](reqc::HookContext &ctx) {
        seen.push_back("args");
        ctx.request()->header("X-From-Hook", "args"); // the per-send copy
    });
    s.hook(reqc::HookKind::PreRequest, [&](reqc::HookContext &ctx) {
        seen.push_back("pre:" + ctx.request()->url());
        return reqc::HookResult::Continue;
    });
    s.hook(reqc::HookKind::PostRequest, [&](reqc::HookContext &ctx) {
        seen.push_back("post:" + std::string(ctx.remote_ip()));
        EXPECT_GT(ctx.remote_port(), 0);
    });
    s.hook(reqc::HookKind::Response, [&](reqc::HookContext &ctx) {
        reqc::ResponseView r = *ctx.response();
        seen.push_back("response:" + std::to_string(r.status()));
        EXPECT_FALSE(ctx.request().has_value());
        ctx.set_response_header("X-Hooked", "yes");
        return REQC_HOOK_RESULT_CONTINUE; // an int works too
    });
    reqc::Request req = reqc::Request::get(url("/headers"));
    reqc::Response r = s.send(req);
    EXPECT_TRUE(has(r.text(), "X-From-Hook")) << r.text();
    EXPECT_EQ(r.header("X-Hooked").value_or(""), "yes");
    EXPECT_EQ(seen, (std::vector<std::string>{"args", "pre:" + url("/headers"), "post:127.0.0.1", "response:200"}));
    EXPECT_EQ(req.url(), url("/headers"));
    EXPECT_FALSE(has(reqc::send(req).text(), "X-From-Hook")) << "the caller's request stays as it was";
}

TEST_F(Cpp, HookReplacesResponse) {
    std::string replacement_url = url("/status/201");
    reqc::Request req = reqc::Request::get(url("/status/500")).hook(reqc::HookKind::Response, [&](reqc::HookContext &ctx) {
        if (ctx.response()->status() == 500) ctx.set_response(reqc::get(replacement_url));
    });
    EXPECT_EQ(reqc::send(req).status(), 201);
    std::string refused;
    reqc::Request edit = reqc::Request::get(url("/get")).hook(reqc::HookKind::Response, [&](reqc::HookContext &ctx) {
        try {
            ctx.set_response_status(42);
        } catch (const reqc::Error &e) {
            refused = e.what(); // the context's message
        }
        ctx.set_response_status(299);
        ctx.set_response_body("replaced");
    });
    reqc::Response r = reqc::send(edit);
    EXPECT_TRUE(has(refused, "status 42")) << refused;
    EXPECT_EQ(r.status(), 299);
    EXPECT_EQ(r.text(), "replaced");
}

TEST_F(Cpp, HookAbortResult) {
    reqc::Request req = reqc::Request::get(url("/get")).hook(reqc::HookKind::PreRequest, [](reqc::HookContext &) {
        return reqc::HookResult::Abort;
    });
    EXPECT_EQ(reqc::try_send(req).code(), reqc::Code::Aborted);
}

TEST_F(Cpp, HeadersHookRefusesTheBodyBeforeAnyByte) {
    std::string order;
    size_t streamed = 0;
    auto refuse_binary = [&](reqc::HookContext &ctx) {
        order += 'H';
        auto r = ctx.response();
        EXPECT_TRUE(r.has_value());
        if (!r) return reqc::HookResult::Continue;
        EXPECT_EQ(r->status(), 200);
        EXPECT_TRUE(r->body().empty());
        EXPECT_EQ(ctx.remote_ip(), "127.0.0.1");
        EXPECT_THROW(ctx.set_response_status(500), reqc::Error) << "read-only in HEADERS";
        return r->header("Content-Type").value_or("") == "application/octet-stream" ? reqc::HookResult::Abort
                                                                                  : reqc::HookResult::Continue;
    };
    reqc::Request refused_req = reqc::Request::get(url("/bytes/5000")).hook(reqc::HookKind::Headers, refuse_binary).on_data([&](std::string_view d) {
        order += 'D';
        streamed += d.size();
    });
    reqc::Result result = reqc::try_send(refused_req);
    EXPECT_EQ(result.code(), reqc::Code::Aborted);
    EXPECT_EQ(order, "H");
    EXPECT_EQ(streamed, 0u);

    order.clear();
    reqc::Request json = reqc::Request::get(url("/json")).hook(reqc::HookKind::Headers, refuse_binary).on_data([&](std::string_view d) {
        if (streamed == 0) order += 'D';
        streamed += d.size();
    });
    EXPECT_EQ(reqc::send(json).status(), 200);
    EXPECT_EQ(order, "HD");
    EXPECT_GT(streamed, 0u);
}

// ------------------------------------------------- callbacks, their lifetime

TEST_F(Cpp, CallablesAreReleasedWithTheirOwner) {
    auto token = std::make_shared<int>(0);
    {
        reqc::Session s;
        s.hook(reqc::HookKind::Response, [token](reqc::HookContext &) {});
        s.on_log(reqc::LogLevel::Requests, [token](reqc::LogLevel, std::string_view) {});
        reqc::Request req = reqc::Request::get(url("/get"))
                                .hook(reqc::HookKind::Args, [token](reqc::HookContext &) {})
                                .on_data([token](std::string_view) {});
        reqc::Request copy = req.clone();
        s.send(req);
        reqc::Batch b(s);
        b.on_complete([token](size_t, reqc::Result) {});
        EXPECT_GE(token.use_count(), 6);
    }
    EXPECT_EQ(token.use_count(), 1) << "every free_userdata ran";
}

TEST_F(Cpp, DataCallbackStreams) {
    size_t got = 0;
    reqc::Request req = reqc::Request::get(url("/bytes/5000")).on_data([&](std::string_view chunk) { got += chunk.size(); });
    reqc::Response r = reqc::send(req);
    EXPECT_EQ(got, 5000u);
    EXPECT_TRUE(r.body().empty());
    reqc::Request stop = reqc::Request::get(url("/bytes/5000")).on_data([](std::string_view) { return false; });
    EXPECT_EQ(reqc::try_send(stop).code(), reqc::Code::Aborted);
}

TEST_F(Cpp, ReadCallbackStreamsTheBody) {
    std::string data = "streamed from C++";
    size_t pos = 0;
    reqc::Request req = reqc::Request::post(url("/post")).body_callback(
        static_cast<int64_t>(data.size()), [&](char *buf, size_t cap) {
            size_t n = std::min(cap, data.size() - pos);
            data.copy(buf, n, pos);
            pos += n;
            return n;
        });
    EXPECT_TRUE(has(reqc::send(req).text(), "streamed from C++"));
}

TEST_F(Cpp, LogCallback) {
    reqc::Session s;
    std::vector<std::string> lines;
    s.on_log(reqc::LogLevel::Requests, [&](reqc::LogLevel, std::string_view line) { lines.emplace_back(line); });
    s.get(url("/get"));
    ASSERT_FALSE(lines.empty());
    EXPECT_TRUE(has(lines[0], "GET")) << lines[0];
}

// ----------------------------- no exception crosses into C: every kind

// Sends `req` through `s` and checks that the callback's own exception
// comes back, and that the session and request are usable afterwards
// (nothing was left marked in use by an unwind through libreqc).
void expect_boom(reqc::Session &s, reqc::Request &req, const std::string &where) {
    try {
        s.send(req);
        FAIL() << where << ": no throw";
    } catch (const Boom &e) {
        EXPECT_EQ(std::string(e.what()), "boom in " + where);
    } catch (const std::exception &e) {
        FAIL() << where << ": got " << e.what();
    }
    EXPECT_THROW(s.try_send(req), Boom) << "try_send rethrows the callback's exception too";
}

TEST_F(Cpp, ThrowingRequestHookOfEachKind) {
    for (auto kind : {reqc::HookKind::Args, reqc::HookKind::PreRequest, reqc::HookKind::PostRequest,
                      reqc::HookKind::Headers, reqc::HookKind::Response}) {
        std::string where = "request hook " + std::to_string(static_cast<int>(kind));
        int calls = 0;
        reqc::Session s;
        reqc::Request req = reqc::Request::get(url("/redirect/1")).hook(kind, [&](reqc::HookContext &) {
            calls++;
            throw Boom(where);
        });
        expect_boom(s, req, where);
        EXPECT_EQ(calls, 2) << where << ": the throw aborted the send (one call per send)";
        EXPECT_EQ(s.get(url("/get")).status(), 200) << where;
        reqc::Request fresh = req.clone();
        (void)fresh;
    }
}

TEST_F(Cpp, ThrowingSessionHookOfEachKind) {
    for (auto kind : {reqc::HookKind::Args, reqc::HookKind::PreRequest, reqc::HookKind::PostRequest,
                      reqc::HookKind::Headers, reqc::HookKind::Response}) {
        std::string where = "session hook " + std::to_string(static_cast<int>(kind));
        bool armed = true;
        reqc::Session s;
        s.hook(kind, [&](reqc::HookContext &) {
            if (armed) throw Boom(where);
        });
        reqc::Request req = reqc::Request::get(url("/get"));
        expect_boom(s, req, where);
        armed = false;
        EXPECT_EQ(s.send(req).status(), 200) << where << ": the session is not left in use";
    }
}

TEST_F(Cpp, ThrowingAnythingIsCarried) {
    reqc::Request req = reqc::Request::get(url("/get")).hook(reqc::HookKind::Args, [](reqc::HookContext &) { throw 42; });
    try {
        reqc::send(req);
        FAIL() << "no throw";
    } catch (int v) {
        EXPECT_EQ(v, 42);
    }
}

TEST_F(Cpp, ThrowingLogCallback) {
    reqc::Session s;
    bool armed = true;
    s.on_log(reqc::LogLevel::Requests, [&](reqc::LogLevel, std::string_view) {
        if (armed) throw Boom("session log");
    });
    reqc::Request req = reqc::Request::get(url("/get"));
    expect_boom(s, req, "session log");
    armed = false;
    EXPECT_EQ(s.send(req).status(), 200);
}

TEST_F(Cpp, ThrowingGlobalLogCallback) {
    reqc::config::on_log(reqc::LogLevel::Requests, [](reqc::LogLevel, std::string_view) { throw Boom("global log"); });
    reqc::Session s;
    reqc::Request req = reqc::Request::get(url("/get"));
    expect_boom(s, req, "global log");
    reqc::config::on_log(reqc::LogLevel::Off, [](reqc::LogLevel, std::string_view) {});
    EXPECT_EQ(s.send(req).status(), 200);
}

TEST_F(Cpp, ThrowingDataCallback) {
    reqc::Session s;
    reqc::Request req = reqc::Request::get(url("/bytes/100")).on_data([](std::string_view) -> bool {
        throw Boom("data");
    });
    expect_boom(s, req, "data");
}

TEST_F(Cpp, ThrowingReadCallback) {
    reqc::Session s;
    reqc::Request req = reqc::Request::post(url("/post")).body_callback(-1, [](char *, size_t) -> size_t {
        throw Boom("read");
    });
    expect_boom(s, req, "read");
    EXPECT_EQ(s.get(url("/get")).status(), 200);
}

TEST_F(Cpp, ThrowingOnCompleteCancelsTheBatch) {
    reqc::Session s;
    std::vector<reqc::Request> reqs;
    for (int i = 0; i < 6; i++) reqs.push_back(reqc::Request::get(url("/delay/0")).param("i", std::to_string(i)));
    int calls = 0;
    try {
        s.map(reqs, 1, [&](size_t, reqc::Result) {
            calls++;
            throw Boom("on_complete");
        });
        FAIL() << "no throw";
    } catch (const Boom &e) {
        EXPECT_EQ(std::string(e.what()), "boom in on_complete");
    }
    EXPECT_EQ(calls, 1) << "the throw cancelled the rest of the batch, and the callable is not called again";
    EXPECT_EQ(s.get(url("/get")).status(), 200);
}

TEST_F(Cpp, ThrowingHookInABatch) {
    reqc::Session s;
    std::vector<reqc::Request> reqs;
    reqs.push_back(reqc::Request::get(url("/get")));
    reqs.push_back(reqc::Request::get(url("/get")).hook(reqc::HookKind::Response, [](reqc::HookContext &) {
        throw Boom("batch hook");
    }));
    EXPECT_THROW(s.map(reqs), Boom);
    EXPECT_EQ(s.map(std::vector<reqc::Request>{}).size(), 0u);
}

TEST_F(Cpp, NestedSendInAHookKeepsExceptionsApart) {
    // A hook that sends and catches an inner callback's exception: the outer
    // send must not see it.
    std::string inner_url = url("/get");
    reqc::Request req = reqc::Request::get(url("/get")).hook(reqc::HookKind::Response, [&](reqc::HookContext &) {
        reqc::Request inner = reqc::Request::get(inner_url).hook(reqc::HookKind::Args, [](reqc::HookContext &) {
            throw Boom("inner");
        });
        EXPECT_THROW(reqc::send(inner), Boom);
    });
    EXPECT_EQ(reqc::send(req).status(), 200);
}

// --------------------------------------------------------------- batches

TEST_F(Cpp, MapReturnsResultsInOrder) {
    reqc::Session s;
    std::vector<reqc::Request> reqs;
    for (int i = 0; i < 8; i++) reqs.push_back(reqc::Request::get(url("/get")).param("i", std::to_string(i)));
    reqs.insert(reqs.begin() + 3, reqc::Request::get(refused));
    std::vector<reqc::Result> results = s.map(reqs, 4);
    ASSERT_EQ(results.size(), 9u);
    for (size_t i = 0, n = 0; i < results.size(); i++) {
        if (i == 3) {
            EXPECT_EQ(results[i].code(), reqc::Code::Connect);
            EXPECT_FALSE(results[i].message().empty());
            continue;
        }
        ASSERT_TRUE(results[i].ok()) << results[i].message();
        EXPECT_TRUE(has(results[i]->text(), "\"i\": \"" + std::to_string(n++) + "\"")) << i;
    }
}

TEST_F(Cpp, MapOnComplete) {
    reqc::Session s;
    std::vector<reqc::Request> reqs;
    for (int i = 0; i < 5; i++) reqs.push_back(reqc::Request::get(url("/status/") + std::to_string(200 + i)));
    std::vector<int> status(5, 0);
    s.map(reqs, 2, [&](size_t i, reqc::Result r) { status[i] = r.value().status(); });
    EXPECT_EQ(status, (std::vector<int>{200, 201, 202, 203, 204}));
}

TEST_F(Cpp, BatchClass) {
    reqc::Batch b; // a private session
    b.max_concurrency(2).max_per_host(2).timeout(std::chrono::seconds(30));
    EXPECT_EQ(b.add(reqc::Request::get(url("/get"))), 0u);
    EXPECT_EQ(b.add(reqc::Request::get(refused)), 1u);
    EXPECT_EQ(b.size(), 2u);
    b.perform();
    EXPECT_EQ(b.result(0).value().status(), 200);
    EXPECT_EQ(b.result(1).code(), reqc::Code::Connect);
    EXPECT_EQ(b.result(0).code(), reqc::Code::NotFound) << "a response is moved out once";
    EXPECT_THROW(b.max_concurrency(0), reqc::Error);
}

} // namespace
