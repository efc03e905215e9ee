// tour.cpp: the tour of libreqc in C++ (reqc.hpp): one-off calls, a session
// with cookies, default headers and auth, the hooks print_url and
// hack_headers (and removing one by its id), an async map, verbose logging
// at a level, a speed floor as a std::chrono window, and an exception
// thrown in a callback coming back to the caller.
//
//   g++ -std=c++17 -Iinclude -Ibindings/cpp/include -o tour examples/cpp/tour.cpp -Ltarget/release -lreqc
//   REQC_TEST_URL=http://127.0.0.1:PORT LD_LIBRARY_PATH=target/release ./tour
//
// `make demo` runs it against libreqc's test server.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "reqc.hpp"

static std::string base;
static std::string url(const std::string &path) { return base + path; }

static void title(const char *text) { std::cout << "\n== " << text << "\n"; }

int main() {
    const char *env = std::getenv("REQC_TEST_URL");
    if (!env || !*env) {
        std::cerr << "REQC_TEST_URL is not set: run this through make demo\n";
        return 2;
    }
    base = env;
    std::cout << reqc::version() << "\n";

    try {
        title("One-off calls");
        reqc::Response r = reqc::get(url("/get"), {{"lang", "c++"}, {"q", "hello world"}});
        std::cout << r.status() << " " << r.reason() << " from " << r.url() << "\n";
        std::cout << "Content-Type: " << r.header("Content-Type").value_or("?") << "\n";
        reqc::Response p = reqc::post(url("/post"), R"({"name": "libreqc", "tags": ["http", "c++"]})");
        std::cout << "POST JSON -> " << p.status() << ", " << p.body().size() << " bytes\n";

        title("A request built step by step, its headers and redirects");
        auto req = reqc::Request::get(url("/redirect/2")).header("X-Tour", "1").param("step", "2");
        reqc::Response red = reqc::send(req);
        for (reqc::ResponseView hop : red.history())
            std::cout << "  " << hop.status() << " " << hop.url() << " -> " << hop.header("Location").value_or("") << "\n";
        std::cout << "  then " << red.status() << " " << red.url() << "\n";
        // Requests' r.request: the request each hop was sent as.
        std::cout << "  sent as " << red.request()->method() << " " << red.request()->url()
                  << " with X-Tour: " << red.request()->header("X-Tour").value_or("?") << "\n";
        for (auto [name, value] : red.headers()) std::cout << "  " << name << ": " << value << "\n";

        title("A session: default headers, basic auth, cookies");
        {
            reqc::Session s; // scoped: its cookies and connections go with it
            s.header("x-test", "true").auth_basic("user", "pass");
            s.get(url("/cookies/set?session=tour"));
            std::cout << "cookie session=" << s.cookie(url("/"), "session").value_or("?") << "\n";
            reqc::Response h = s.send(reqc::Request::get(url("/headers")).header("x-test2", "true"));
            std::cout << h.text() << "\n";
            std::cout << "basic-auth: " << s.get(url("/basic-auth/user/pass")).status() << "\n";
        }

        title("Hooks: print_url and hack_headers");
        {
            reqc::Session s;
            s.hook(reqc::HookKind::Args, [](reqc::HookContext &ctx) {
                std::cout << "print_url: about to request " << ctx.request()->url() << "\n";
            });
            reqc::HookId hack = s.add_hook(reqc::HookKind::Args, [](reqc::HookContext &ctx) {
                ctx.request()->header("X-Testing", "True");
                std::cout << "hack_headers: added X-Testing: True\n";
            });
            std::cout << s.get(url("/headers")).text() << "\n";
            s.remove_hook(hack); // Requests' deregister_hook
            reqc::Response without = s.get(url("/headers"));
            bool gone = without.text().find("X-Testing") == std::string_view::npos;
            std::cout << "hack_headers removed: " << (gone ? "no X-Testing sent" : "X-Testing still sent!") << "\n";
        }

        title("Async map: many requests at once, results in order");
        {
            reqc::Session s;
            std::vector<reqc::Request> reqs;
            for (int i = 0; i < 5; i++) reqs.push_back(reqc::Request::get(url("/delay/0")).param("i", std::to_string(i)));
            reqs.push_back(reqc::Request::get("http://127.0.0.1:1/")); // refused: an error in its slot
            std::vector<reqc::Result> results = s.map(reqs, 3);
            for (size_t i = 0; i < results.size(); i++) {
                if (results[i])
                    std::cout << "  " << i << ": " << results[i]->status() << " " << results[i]->url() << "\n";
                else
                    std::cout << "  " << i << ": " << results[i].message() << "\n";
            }
        }

        title("Verbose logging (the seed's settings.verbose)");
        {
            reqc::Session s;
            s.on_log(reqc::LogLevel::Requests, [](std::string_view line) { std::cout << "log: " << line << "\n"; });
            s.get(url("/get"));
            s.get(url("/status/404"));
        }

        title("A speed floor: at least 1000 bytes/s over any 1 s window");
        {
            using namespace std::chrono_literals;
            reqc::Result slow = reqc::try_send(reqc::Request::get(url("/drip?duration=3&numbytes=3")).speed_floor(1000, 1s));
            std::cout << slow.message() << "\n"; // the message starts with the code's name
        }

        title("An exception in a callback comes back to the caller");
        try {
            reqc::send(reqc::Request::get(url("/get")).hook(reqc::HookKind::Response, [](reqc::HookContext &) {
                throw std::runtime_error("a hook changed its mind");
            }));
        } catch (const std::runtime_error &e) {
            std::cout << "caught: " << e.what() << "\n";
        }

        title("Errors");
        reqc::Result res = reqc::try_send(reqc::Request::get("http://127.0.0.1:1/"));
        std::cout << "try_send: " << (res.code() == reqc::Code::Connect ? "refused" : "?") << ": " << res.message() << "\n";
        try {
            reqc::get("http://127.0.0.1:1/");
        } catch (const reqc::Error &e) {
            if (e.code() == reqc::Code::Connect) std::cout << "reqc::Error: " << e.what() << "\n";
        }
        try { // an invalid URL: the exception carries libreqc's message
            reqc::Request bad("GET", "ftp://example.com/");
        } catch (const reqc::Error &e) {
            std::cout << "reqc::Error: " << e.what() << "\n";
        }
    } catch (const std::exception &e) {
        std::cerr << "tour failed: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
