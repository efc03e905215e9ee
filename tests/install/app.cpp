// The C++ side of the install check: a C++17 program using the installed
// reqc.hpp (header-only, over the installed C library), as docs/cpp.md shows.
#include <cstdio>
#include <string>

#include <reqc.hpp>

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
        return 2;
    }
    std::string url = std::string(argv[1]) + "/get";
    try {
        reqc::Response r = reqc::get(url, {{"from", "installed-cxx"}});
        std::printf("libreqc %s from C++: GET %s -> %d\n", reqc_version(), url.c_str(), r.status());
        return r.status() == 200 && r.text().find("installed-cxx") != std::string_view::npos ? 0 : 1;
    } catch (const reqc::Error &e) {
        std::fprintf(stderr, "send failed: %s\n", e.what());
        return 1;
    }
}
