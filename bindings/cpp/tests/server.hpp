// What the C++ suites share about the test server they run against
// (tests/with-server.sh sets REQC_TEST_URL): its URLs, and a fixture that
// skips a test when it is not there.
#ifndef REQC_TEST_SERVER_HPP
#define REQC_TEST_SERVER_HPP

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace reqc_test {

// The test server's base URL ("" when not set).
inline std::string base() {
    const char *u = std::getenv("REQC_TEST_URL");
    return u ? u : "";
}
inline std::string url(const std::string &path) { return base() + path; }
// True when the server is PyPI's httpbin (REQC_TEST_HTTPBIN=1), which has
// none of libreqc's /reqc/* endpoints.
inline bool is_httpbin() {
    const char *v = std::getenv("REQC_TEST_HTTPBIN");
    return v && std::string_view(v) == "1";
}
inline bool has(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// A test that needs the server: skipped without it.
class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (base().empty()) GTEST_SKIP() << "REQC_TEST_URL is not set: run through tests/with-server.sh";
    }
};

} // namespace reqc_test

#endif
