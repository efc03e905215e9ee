// reqc::Stream, the pull API (reqc_open, reqc_session_open,
// reqc_stream_read): the head before the body, read() into a buffer, the
// chunks() range in range-for, move-only ownership, early close, a failure
// thrown from a read, cancel from another thread, a throwing hook at open
// rethrown, ResponseView::streamed(), and ended(). Bodies come from the test
// server's /reqc/pattern, whose byte i is i % 251.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "printers.hpp"
#include "server.hpp"
#include "reqc.hpp"

namespace {

using namespace std::chrono_literals;

using reqc_test::base;
std::string pattern(long long bytes, const std::string &extra = "") {
    return base() + "/reqc/pattern?bytes=" + std::to_string(bytes) + extra;
}
bool is_pattern(std::string_view bytes, long long from) {
    for (size_t i = 0; i < bytes.size(); i++)
        if (static_cast<unsigned char>(bytes[i]) != (from + static_cast<long long>(i)) % 251) return false;
    return true;
}

struct HookBoom : std::runtime_error {
    HookBoom() : std::runtime_error("boom in hook") {}
};

class Streams : public reqc_test::ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        if (!IsSkipped() && reqc_test::is_httpbin()) GTEST_SKIP() << "/reqc/pattern is libreqc's test server's";
    }
};

static_assert(!std::is_copy_constructible_v<reqc::Stream>, "a Stream owns its handle");
static_assert(std::is_nothrow_move_constructible_v<reqc::Stream>, "a Stream moves");

TEST_F(Streams, ChunksInRangeForReassembleTheBody) {
    reqc::Session s;
    reqc::Stream stream = s.open(reqc::Request::get(pattern(300000, "&chunked=1")));
    EXPECT_EQ(stream.response().status(), 200);
    EXPECT_TRUE(stream.response().streamed());
    EXPECT_TRUE(stream.response().body().empty());
    long long total = 0;
    for (std::string_view chunk : stream.chunks(10000)) {
        ASSERT_LE(chunk.size(), 10000u);
        ASSERT_TRUE(is_pattern(chunk, total)) << "at " << total;
        total += static_cast<long long>(chunk.size());
    }
    EXPECT_EQ(total, 300000);
    // The end is sticky.
    std::array<uint8_t, 16> buf{};
    EXPECT_EQ(stream.read(buf), 0u);
}

TEST_F(Streams, EndedOnceTheBodyIsAllIn) {
    // A HEAD has no body: over with its head.
    reqc::Stream head = reqc::open(reqc::Request("HEAD", pattern(1000)));
    EXPECT_TRUE(head.ended());
    // 4 MB: not all in at the open (libreqc pauses it for the reader).
    reqc::Stream big = reqc::open(reqc::Request::get(pattern(4000000)));
    EXPECT_FALSE(big.ended());
    EXPECT_EQ(big.read_all().size(), 4000000u);
    EXPECT_TRUE(big.ended());
    big.close();
    EXPECT_FALSE(big.ended());
}

TEST_F(Streams, AnEmptyBufferIsRefusedNotTheEnd) {
    reqc::Stream stream = reqc::open(reqc::Request::get(pattern(1000)));
    std::vector<char> empty;
    try {
        stream.read(empty);
        FAIL() << "a 0-byte read returned, as the end would";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::InvalidArgument) << e.what();
    }
    // Refused, not failed: the body is all still there.
    EXPECT_EQ(stream.read_all().size(), 1000u);
}

TEST_F(Streams, ReadIntoBuffersAndReadAll) {
    reqc::Stream stream = reqc::open(reqc::Request::get(pattern(100000)));
    EXPECT_EQ(stream.response().header("Content-Length").value_or(""), "100000");
    std::vector<char> first(1000);
    size_t n = stream.read(first);
    ASSERT_GT(n, 0u);
    ASSERT_LE(n, 1000u);
    EXPECT_TRUE(is_pattern(std::string_view(first.data(), n), 0));
    std::string rest = stream.read_all();
    EXPECT_EQ(rest.size() + n, 100000u);
    EXPECT_TRUE(is_pattern(rest, static_cast<long long>(n)));
}

TEST_F(Streams, MoveAndEarlyClose) {
    reqc::Session s;
    reqc::Stream a = s.open(reqc::Request::get(pattern(4000000)));
    reqc::Stream b = std::move(a);
    EXPECT_FALSE(a);
    ASSERT_TRUE(b);
    std::array<char, 100> buf{};
    EXPECT_GT(b.read(buf), 0u);
    b.close();
    EXPECT_FALSE(b);
    EXPECT_THROW(b.read(buf), reqc::Error);
    // The session goes on (on a new connection).
    EXPECT_EQ(s.get(base() + "/get").status(), 200);
}

TEST_F(Streams, AFailureWhileReadingThrowsWithItsCode) {
    reqc::Stream stream = reqc::open(reqc::Request::get(pattern(500000, "&chunked=1")).max_response_bytes(100000));
    try {
        for (std::string_view chunk : stream.chunks()) (void)chunk;
        FAIL() << "the cap did not stop the body";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::BodyTooLarge) << e.what();
    }
}

TEST_F(Streams, CancelFromAnotherThreadEndsABlockedRead) {
    reqc::Request req = reqc::Request::get(pattern(2000, "&stall_ms=20000"));
    reqc::Stream stream = reqc::open(req);
    std::thread canceller([&] {
        std::this_thread::sleep_for(200ms);
        req.cancel();
    });
    auto t0 = std::chrono::steady_clock::now();
    try {
        stream.read_all();
        ADD_FAILURE() << "the read was not cancelled";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::Cancelled) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
    canceller.join();
}

TEST_F(Streams, AThrowingHookAtOpenIsRethrown) {
    reqc::Request req = reqc::Request::get(pattern(1000));
    req.hook(reqc::HookKind::Response, [](reqc::HookContext &) -> reqc::HookResult { throw HookBoom(); });
    EXPECT_THROW(reqc::open(req), HookBoom);
}

TEST_F(Streams, TheResponseHookSeesAStreamedResponse) {
    int seen = -1;
    reqc::Session s;
    s.hook(reqc::HookKind::Response, [&](reqc::HookContext &ctx) { seen = ctx.response()->streamed() ? 1 : 0; });
    reqc::Stream stream = s.open(reqc::Request::get(pattern(1000)));
    EXPECT_EQ(seen, 1);
    EXPECT_EQ(stream.read_all().size(), 1000u);
    EXPECT_FALSE(s.get(pattern(10)).streamed());
    EXPECT_EQ(seen, 0);
}

TEST_F(Streams, OpenFailureThrows) {
    try {
        reqc::open(reqc::Request::get("http://127.0.0.1:9/"));
        FAIL() << "opened a closed port";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::Connect) << e.what();
    }
}

} // namespace
