// Batch::source, the lazy item source (reqc_batch_set_source_callback):
// items pulled one at a time as slots free, results to on_complete only,
// the end, and a throwing source (caught in the trampoline, which cancels
// the batch; perform() rethrows the very exception).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "printers.hpp"
#include "server.hpp"
#include "reqc.hpp"

namespace {

using reqc_test::has;
using reqc_test::url;

struct SourceBoom : std::runtime_error {
    SourceBoom() : std::runtime_error("boom in source") {}
};

class BatchSource : public reqc_test::ServerTest {};

TEST_F(BatchSource, PullsEachItemAndHandsResultsToOnComplete) {
    reqc::Batch b;
    const size_t n = 20;
    size_t calls = 0, in_flight_max = 0, pulled = 0, done = 0;
    std::vector<int> seen(n, 0);
    b.max_concurrency(4);
    b.on_complete([&](size_t index, reqc::Result r) {
        done++;
        ASSERT_LT(index, n);
        seen[index]++;
        ASSERT_TRUE(r.ok()) << r.message();
        EXPECT_TRUE(has(r->text(), "\"i\": \"" + std::to_string(index) + "\"")) << index;
    });
    b.source([&](size_t index) -> std::optional<reqc::Request> {
        calls++;
        in_flight_max = std::max(in_flight_max, pulled - done);
        if (index >= n) return std::nullopt;
        pulled++;
        return reqc::Request::get(url("/get")).param("i", std::to_string(index));
    });
    b.perform();
    EXPECT_EQ(calls, n + 1);
    EXPECT_LT(in_flight_max, 4u) << "pulled only into a free slot";
    EXPECT_EQ(seen, std::vector<int>(n, 1));
    EXPECT_EQ(b.size(), n);
    EXPECT_EQ(b.result(0).code(), reqc::Code::NotFound) << "a source-fed result is not kept";
}

TEST_F(BatchSource, ThrowingSourceCancelsAndIsRethrown) {
    reqc::Batch b;
    size_t done = 0, calls = 0;
    b.max_concurrency(2);
    b.on_complete([&](size_t, reqc::Result r) {
        EXPECT_TRUE(r.ok()) << r.message();
        done++;
    });
    b.source([&](size_t index) -> std::optional<reqc::Request> {
        calls++;
        if (index == 3) throw SourceBoom();
        return reqc::Request::get(url("/get"));
    });
    try {
        b.perform();
        FAIL() << "no throw";
    } catch (const SourceBoom &e) {
        EXPECT_EQ(std::string(e.what()), "boom in source");
    }
    EXPECT_EQ(calls, 4u);
    EXPECT_LE(done, 3u) << "items ended by the cancel are not handed over";
    b.perform(); // cancelled, the feed over: nothing more, nothing thrown
    EXPECT_EQ(calls, 4u);
}

TEST_F(BatchSource, AMovedFromRequestIsRefusedNotTheEnd) {
    reqc::Batch b;
    size_t calls = 0;
    b.on_complete([](size_t, reqc::Result) {});
    b.source([&](size_t) -> std::optional<reqc::Request> {
        calls++;
        reqc::Request req = reqc::Request::get(url("/get"));
        reqc::Request taken = std::move(req);
        return std::optional<reqc::Request>(std::move(req)); // the moved-from one
    });
    try {
        b.perform();
        FAIL() << "the feed ended quietly";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::InvalidArgument) << e.what();
    }
    EXPECT_EQ(calls, 1u);
}

TEST_F(BatchSource, WithoutOnCompleteIsRefused) {
    reqc::Batch b;
    b.source([](size_t) -> std::optional<reqc::Request> { return std::nullopt; });
    try {
        b.perform();
        FAIL() << "no throw";
    } catch (const reqc::Error &e) {
        EXPECT_EQ(e.code(), reqc::Code::InvalidState);
    }
}

TEST_F(BatchSource, CallableReleasedWithTheBatch) {
    auto token = std::make_shared<int>(1);
    {
        reqc::Batch b;
        b.source([token](size_t) -> std::optional<reqc::Request> { return std::nullopt; });
        EXPECT_EQ(token.use_count(), 2);
        b.source([token](size_t) -> std::optional<reqc::Request> { return std::nullopt; });
        EXPECT_EQ(token.use_count(), 2) << "the replaced callable was released";
    }
    EXPECT_EQ(token.use_count(), 1);
}

} // namespace
