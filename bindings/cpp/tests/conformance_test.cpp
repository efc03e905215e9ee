// The language-neutral conformance cases (tests/conformance/*.json, schema in
// its README.md), run through the C++ API: one GoogleTest test per case,
// registered at start-up, doing what the C runner (tests/gen/conformance.py)
// does, so C and C++ are shown to send the same bytes and get the same results.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "printers.hpp"
#include "reqc.hpp"

#ifndef REQC_CONFORMANCE_DIR
#error "REQC_CONFORMANCE_DIR must name tests/conformance"
#endif

using nlohmann::json;

namespace {

std::string env(const char *name) {
    const char *v = std::getenv(name);
    return v ? v : "";
}

// "{base}", "{base2}" and "{hostport}" replaced.
std::string subst(std::string s) {
    std::string base = env("REQC_TEST_URL");
    std::string hostport = base.find("://") != std::string::npos ? base.substr(base.find("://") + 3) : base;
    const std::pair<std::string, std::string> reps[] = {
        {"{base}", base}, {"{base2}", env("REQC_TEST_URL2")}, {"{hostport}", hostport}};
    for (const auto &[from, to] : reps)
        for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
            s.replace(at, from.size(), to);
    return s;
}

std::string target(const json &spec) {
    if (spec.contains("path")) return subst("{base}" + spec["path"].get<std::string>());
    std::string u = spec["url"].get<std::string>();
    return subst(u.rfind("/", 0) == 0 ? "{base}" + u : u);
}

reqc::Code code_of(const std::string &name) {
    for (int c = 0; c < 100; c++)
        if (name == reqc_code_name(c)) return static_cast<reqc::Code>(c);
    ADD_FAILURE() << "unknown code " << name;
    return static_cast<reqc::Code>(-1);
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

const json *member(const json &obj, const std::string &key, bool nocase) {
    if (!obj.is_object()) return nullptr;
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (nocase ? iequal(it.key(), key) : it.key() == key) return &it.value();
    return nullptr;
}

// `got` holds `want`: objects by subset (keys under "headers"
// case-insensitive; an empty object wants an empty one), arrays equal in length and element by element, scalars equal.
void subset(const json *got, const json &want, const std::string &path, bool nocase = false) {
    ASSERT_NE(got, nullptr) << path << " is missing";
    if (want.is_object()) {
        ASSERT_TRUE(got->is_object()) << path << " is not an object";
        ASSERT_TRUE(!want.empty() || got->empty()) << path << " has " << got->size() << " members, want none";
        for (auto it = want.begin(); it != want.end(); ++it)
            subset(member(*got, it.key(), nocase), it.value(), path + "." + it.key(), it.key() == "headers");
    } else if (want.is_array()) {
        ASSERT_TRUE(got->is_array() && got->size() == want.size()) << path << " is not an array of " << want.size();
        for (size_t i = 0; i < want.size(); i++) subset(&(*got)[i], want[i], path + "[" + std::to_string(i) + "]");
    } else if (want.is_number()) {
        ASSERT_TRUE(got->is_number()) << path << " is " << got->dump() << ", want " << want.dump();
        EXPECT_EQ(got->get<double>(), want.get<double>()) << path;
    } else {
        EXPECT_EQ(*got, want) << path;
    }
}

template <class Target> void set_auth(Target &t, const json &auth) {
    if (auth.is_string() && auth == "none") {
        if constexpr (std::is_same_v<Target, reqc::Request>) t.auth_none();
        return;
    }
    if (auth.contains("basic")) t.auth_basic(auth["basic"][0].get<std::string>(), auth["basic"][1].get<std::string>());
    if (auth.contains("digest"))
        t.auth_digest(auth["digest"][0].get<std::string>(), auth["digest"][1].get<std::string>());
    if (auth.contains("bearer")) t.auth_bearer(auth["bearer"].get<std::string>());
}

std::optional<std::string> opt_str(const json &obj, const char *key) {
    if (!obj.contains(key) || obj[key].is_null()) return std::nullopt;
    return obj[key].get<std::string>();
}

// A key this runner does not know fails the case (the schema grew: teach
// this runner, as tests/gen/conformance.py was).
void known_keys(const json &obj, std::initializer_list<const char *> keys, const char *what) {
    for (auto it = obj.begin(); it != obj.end(); ++it)
        EXPECT_TRUE(std::any_of(keys.begin(), keys.end(), [&](const char *k) { return it.key() == k; }))
            << "unknown " << what << " key " << it.key();
}

void run_case(const json &c) {
    known_keys(c, {"name", "about", "session", "request", "expect", "pending", "reqc_only"}, "case");
    known_keys(c.value("session", json::object()),
               {"headers", "params", "auth", "user_agent", "cookies", "before", "timeout_ms", "read_timeout_ms"}, "session");
    known_keys(c["request"], {"method", "path", "url", "headers", "params", "body", "auth", "timeout_ms", "read_timeout_ms",
                              "redirects", "max_response_bytes"}, "request");
    known_keys(c.value("expect", json::object()),
               {"code", "status", "history", "history_status", "url", "body_length", "response_headers",
                "response_headers_all", "response_headers_absent", "response_headers_present", "json_subset",
                "headers_absent", "json_absent"}, "expect");
    if (c.contains("pending") && env("REQC_CONFORMANCE_PENDING").empty())
        GTEST_SKIP() << "pending: " << c["pending"].get<std::string>();
    if (c.contains("reqc_only") && !env("REQC_TEST_HTTPBIN").empty())
        GTEST_SKIP() << "libreqc's test server only: " << c["reqc_only"].get<std::string>();
    const json &r = c["request"];
    const json e = c.value("expect", json::object());
    reqc::Code want = code_of(e.value("code", "REQC_OK"));

    std::unique_ptr<reqc::Session> s;
    if (c.contains("session")) {
        const json &sj = c["session"];
        s = std::make_unique<reqc::Session>();
        for (const auto &h : sj.value("headers", json::array())) {
            if (h[1].is_null()) s->remove_header(h[0].get<std::string>());
            else s->add_header(h[0].get<std::string>(), h[1].get<std::string>());
        }
        for (const auto &p : sj.value("params", json::array())) s->param(p[0].get<std::string>(), p[1].get<std::string>());
        if (sj.contains("auth")) set_auth(*s, sj["auth"]);
        if (sj.contains("user_agent")) s->user_agent(sj["user_agent"].get<std::string>());
        if (sj.contains("timeout_ms")) s->timeout(std::chrono::milliseconds(sj["timeout_ms"].get<int64_t>()));
        if (sj.contains("read_timeout_ms"))
            s->read_timeout(std::chrono::milliseconds(sj["read_timeout_ms"].get<int64_t>()));
        for (const auto &ck : sj.value("cookies", json::array()))
            s->set_cookie(subst("{base}" + ck[0].get<std::string>()), ck[1].get<std::string>());
        for (const auto &b : sj.value("before", json::array()))
            s->send(reqc::Request(b.value("method", "GET"), target(b)));
    }

    std::optional<reqc::Request> req;
    try {
        req.emplace(r.value("method", "GET"), target(r));
    } catch (const reqc::Error &err) {
        EXPECT_EQ(err.code(), want) << err.what();
        return;
    }
    for (const auto &h : r.value("headers", json::array())) {
        if (h[1].is_null()) req->remove_header(h[0].get<std::string>());
        else req->add_header(h[0].get<std::string>(), subst(h[1].get<std::string>()));
    }
    for (const auto &p : r.value("params", json::array())) req->param(p[0].get<std::string>(), subst(p[1].get<std::string>()));
    if (r.contains("body")) {
        const json &b = r["body"];
        std::string kind = b["kind"].get<std::string>();
        if (kind == "bytes") {
            auto ct = opt_str(b, "content_type");
            req->body(b["data"].get<std::string>(), ct ? std::optional<std::string_view>(*ct) : std::nullopt);
        } else if (kind == "json") {
            req->json(b["text"].get<std::string>());
        } else {
            for (const auto &f : b.value("fields", json::array())) req->form(f[0].get<std::string>(), f[1].get<std::string>());
            for (const auto &f : b.value("files", json::array())) {
                auto ct = opt_str(f, "content_type");
                req->file_data(f["field"].get<std::string>(), f["filename"].get<std::string>(), f["data"].get<std::string>(),
                               ct ? std::optional<std::string_view>(*ct) : std::nullopt);
            }
        }
    }
    if (r.contains("auth")) set_auth(*req, r["auth"]);
    if (r.contains("timeout_ms")) req->timeout(std::chrono::milliseconds(r["timeout_ms"].get<int64_t>()));
    if (r.contains("read_timeout_ms")) req->read_timeout(std::chrono::milliseconds(r["read_timeout_ms"].get<int64_t>()));
    if (r.contains("redirects"))
        req->redirects(r["redirects"].value("follow", true), r["redirects"].value("max", 30));
    if (r.contains("max_response_bytes")) req->max_response_bytes(r["max_response_bytes"].get<uint64_t>());

    reqc::Result res = s ? s->try_send(*req) : reqc::try_send(*req);
    ASSERT_EQ(res.code(), want) << reqc::name(res.code()) << ": " << res.message();
    if (want != reqc::Code::Ok && e.size() == 1) return;
    // After REQC_E_TOO_MANY_REDIRECTS the keys apply to the last response.
    std::optional<reqc::Response> last;
    if (want == reqc::Code::TooManyRedirects) {
        last = req->last_response();
        ASSERT_TRUE(last.has_value()) << "no last response";
    } else {
        ASSERT_EQ(want, reqc::Code::Ok) << "only REQC_OK and REQC_E_TOO_MANY_REDIRECTS have a response to check";
    }
    reqc::Response &resp = last ? *last : res.value();
    if (e.contains("status")) {
        EXPECT_EQ(resp.status(), e["status"].get<int>());
    }
    if (e.contains("history")) {
        EXPECT_EQ(resp.history().size(), e["history"].get<size_t>());
    }
    if (e.contains("history_status")) {
        std::vector<int> got;
        for (reqc::ResponseView hop : resp.history()) got.push_back(hop.status());
        got.resize(std::min(got.size(), e["history_status"].size()));
        EXPECT_EQ(got, e["history_status"].get<std::vector<int>>());
    }
    if (e.contains("url")) {
        EXPECT_EQ(std::string(resp.url()), target(json{{"url", e["url"]}}));
    }
    if (e.contains("body_length")) {
        EXPECT_EQ(resp.body().size(), e["body_length"].get<size_t>());
    }
    // (Named: items() refers to its json, which a temporary would not outlive.)
    const json headers = e.value("response_headers", json::object());
    const json headers_all = e.value("response_headers_all", json::object());
    for (const auto &[name, value] : headers.items())
        EXPECT_EQ(resp.header(name).value_or("(absent)"), subst(value.get<std::string>())) << name;
    for (const auto &[name, values] : headers_all.items()) {
        std::vector<std::string> got;
        for (auto [n, v] : resp.headers())
            if (iequal(n, name)) got.emplace_back(v);
        EXPECT_EQ(got, values.get<std::vector<std::string>>()) << name;
    }
    for (const auto &name : e.value("response_headers_present", json::array()))
        EXPECT_TRUE(resp.header(name.get<std::string>()).has_value()) << name;
    for (const auto &name : e.value("response_headers_absent", json::array()))
        EXPECT_FALSE(resp.header(name.get<std::string>()).has_value()) << name;
    if (e.contains("json_subset") || e.contains("headers_absent") || e.contains("json_absent")) {
        json body = json::parse(resp.text(), nullptr, false);
        ASSERT_FALSE(body.is_discarded()) << "the body is not JSON:\n" << resp.text();
        if (e.contains("json_subset")) subset(&body, json::parse(subst(e["json_subset"].dump())), "$");
        for (const auto &name : e.value("headers_absent", json::array()))
            EXPECT_EQ(member(body["headers"], name.get<std::string>(), true), nullptr) << name << " was received";
        for (const auto &pair : e.value("json_absent", json::array())) {
            const json *obj = member(body, pair[0].get<std::string>(), false);
            ASSERT_NE(obj, nullptr) << "no object " << pair[0];
            EXPECT_EQ(member(*obj, pair[1].get<std::string>(), true), nullptr) << pair << " is there";
        }
    }
}

class Case : public ::testing::Test {
public:
    explicit Case(json c) : c_(std::move(c)) {}
    void TestBody() override { run_case(c_); }

private:
    json c_;
};

// One test per case, named after its file and name.
int register_cases() {
    std::vector<std::filesystem::path> files;
    for (const auto &f : std::filesystem::directory_iterator(REQC_CONFORMANCE_DIR))
        if (f.path().extension() == ".json") files.push_back(f.path());
    std::sort(files.begin(), files.end());
    int n = 0;
    for (const auto &path : files) {
        std::ifstream in(path);
        json cases = json::parse(in);
        std::string suite = "Conformance_" + path.stem().string();
        for (const json &c : cases) {
            std::string name = c["name"].get<std::string>();
            ::testing::RegisterTest(suite.c_str(), name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                                    [c]() -> ::testing::Test * { return new Case(c); });
            n++;
        }
    }
    return n;
}

const int registered = register_cases();

TEST(Conformance, CasesWereFound) {
    EXPECT_GE(registered, 60);
    if (env("REQC_TEST_URL").empty()) GTEST_SKIP() << "REQC_TEST_URL is not set";
}

} // namespace
