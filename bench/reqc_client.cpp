// reqc_client.cpp: libreqc through its C++ binding (bindings/cpp/include/reqc.hpp),
// the counterpart of reqc_client.c, written the way a C++ user would.
//
//   reqc_client_cpp MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND
//
// The same arguments and the same JSON line (bench/common.h) as
// reqc_client.c, and every response verified (status 200, EXPECT bytes).
// MODE:
//   seq           COUNT Session::get(url) on one Session: a new Request per
//                 send, the Response freed at the end of each iteration.
//   seq_reuse     COUNT Session::send of one Request.
//   batch         one Batch on the Session: the same Request added COUNT
//                 times, max_concurrency(CONCURRENCY), an on_complete lambda
//                 that takes each Result and checks it (freed as it goes).
//   batch_source  the same GETs fed lazily by Batch::source (a new Request
//                 per item when a slot frees).
//   get_mem       COUNT downloads buffered in the Response (Response::body()).
//   get_stream    COUNT downloads through Request::on_data (counts bytes).
//   get_pull      COUNT downloads through Session::open, read with
//                 Stream::chunks() (64 KiB chunks).
//   version       prints reqc::version().
// HTTP is 1 (HTTP/1.1) or 2 (h2c with prior knowledge, set on the Session).
// Any failure is a reqc::Error: printed, and the measurement is reported
// with ok=false so the runner drops it.
#include "common.h"

#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "reqc.hpp"

namespace {

struct Args {
    std::string mode, url;
    long count = 0, conc = 0;
    int http = 1;
    long long expect = 0;
    const char *scenario = "", *client = "";
    int round = 0;
};

// What the loop saw: bytes received and whether every response was right.
struct Tally {
    long long bytes = 0;
    long good = 0;
    bool ok = true;
};

// Checks one buffered response and adds it to the tally.
void check(Tally &t, const reqc::ResponseView &r, long long expect) {
    std::size_t len = r.body().size();
    t.bytes += static_cast<long long>(len);
    if (r.status() == 200 && static_cast<long long>(len) == expect) {
        t.good++;
    } else {
        std::cerr << "reqc_client_cpp: status " << r.status() << ", " << len << " bytes\n";
        t.ok = false;
    }
}

Tally run(const Args &a, reqc::Session &s) {
    Tally t;
    if (a.mode == "seq") {
        for (long i = 0; i < a.count && t.ok; i++) check(t, s.get(a.url), a.expect);
    } else if (a.mode == "seq_reuse") {
        reqc::Request req = reqc::Request::get(a.url);
        for (long i = 0; i < a.count && t.ok; i++) check(t, s.send(req), a.expect);
    } else if (a.mode == "batch" || a.mode == "batch_source") {
        reqc::Batch batch(s);
        batch.max_concurrency(static_cast<std::size_t>(a.conc));
        batch.on_complete([&](std::size_t index, reqc::Result r) {
            if (r)
                check(t, r.value(), a.expect);
            else if (t.ok) {
                std::cerr << "reqc_client_cpp: item " << index << ": " << r.message() << "\n";
                t.ok = false;
            }
        });
        long made = 0; // the source's count: lives as long as the batch runs
        if (a.mode == "batch_source") {
            batch.source([&](std::size_t) -> std::optional<reqc::Request> {
                if (made == a.count) return std::nullopt;
                made++;
                return reqc::Request::get(a.url);
            });
        } else {
            reqc::Request req = reqc::Request::get(a.url);
            for (long i = 0; i < a.count; i++) batch.add(req);
        }
        batch.perform();
        if (t.good != a.count) {
            std::cerr << "reqc_client_cpp: " << t.good << " of " << a.count << " good\n";
            t.ok = false;
        }
    } else if (a.mode == "get_mem") {
        for (long i = 0; i < a.count && t.ok; i++) check(t, s.get(a.url), a.expect);
    } else if (a.mode == "get_stream") {
        for (long i = 0; i < a.count && t.ok; i++) {
            long long got = 0;
            reqc::Response r = s.send(reqc::Request::get(a.url).on_data([&](std::string_view chunk) {
                got += static_cast<long long>(chunk.size());
            }));
            t.bytes += got;
            if (r.status() != 200 || got != a.expect) {
                std::cerr << "reqc_client_cpp: download: status " << r.status() << ", " << got << " bytes\n";
                t.ok = false;
            }
        }
    } else if (a.mode == "get_pull") {
        for (long i = 0; i < a.count && t.ok; i++) {
            long long got = 0;
            reqc::Stream stream = s.open(reqc::Request::get(a.url));
            for (std::string_view chunk : stream.chunks()) got += static_cast<long long>(chunk.size());
            t.bytes += got;
            if (stream.response().status() != 200 || got != a.expect) {
                std::cerr << "reqc_client_cpp: pull: status " << stream.response().status() << ", " << got
                          << " bytes\n";
                t.ok = false;
            }
        }
    } else {
        throw std::invalid_argument("unknown mode " + a.mode);
    }
    return t;
}

} // namespace

int main(int argc, char **argv) {
    if (argc >= 2 && std::strcmp(argv[1], "version") == 0) {
        std::cout << reqc::version() << "\n";
        return 0;
    }
    if (argc < 10) {
        std::cerr << "usage: reqc_client_cpp MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND\n";
        return 2;
    }
    Args a;
    a.mode = argv[1];
    a.url = argv[2];
    a.count = std::atol(argv[3]);
    a.conc = std::atol(argv[4]);
    a.http = std::atoi(argv[5]);
    a.expect = std::atoll(argv[6]);
    a.scenario = argv[7];
    a.client = argv[8];
    a.round = std::atoi(argv[9]);
    try {
        reqc::Session s;
        s.http_version(a.http == 2 ? reqc::HttpVersion::V2PriorKnowledge : reqc::HttpVersion::V1_1);
        bench_mark m = bench_start();
        Tally t;
        try {
            t = run(a, s);
        } catch (const reqc::Error &e) {
            std::cerr << "reqc_client_cpp: " << e.what() << "\n";
            t.ok = false;
        }
        bench_report(a.scenario, a.client, a.round, a.count, t.bytes, m, t.ok ? 1 : 0);
        return t.ok ? 0 : 1;
    } catch (const std::exception &e) {
        std::cerr << "reqc_client_cpp: " << e.what() << "\n";
        return 2;
    }
}
