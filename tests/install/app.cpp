// The C++ side of the install check: until the C++ API (reqc.hpp) is
// installed too, a C++17 program using the C header through RAII wrappers.
#include <cstdio>
#include <memory>
#include <string>

#include <reqc.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
        return 2;
    }
    std::string url = std::string(argv[1]) + "/get?from=installed-cxx";
    reqc_request *raw = nullptr;
    if (reqc_request_new("GET", url.c_str(), &raw) != REQC_OK) return 1;
    std::unique_ptr<reqc_request, decltype(&reqc_request_free)> req(raw, reqc_request_free);
    reqc_response *raw_resp = nullptr;
    if (reqc_send(req.get(), &raw_resp) != REQC_OK) {
        std::fprintf(stderr, "send failed: %s\n", reqc_request_error(req.get()));
        return 1;
    }
    std::unique_ptr<reqc_response, decltype(&reqc_response_free)> resp(raw_resp, reqc_response_free);
    std::string body = reqc_response_text(resp.get());
    std::printf("libreqc %s from C++: GET %s -> %d\n", reqc_version(), url.c_str(),
                reqc_response_status(resp.get()));
    return reqc_response_status(resp.get()) == 200 && body.find("installed-cxx") != std::string::npos ? 0 : 1;
}
