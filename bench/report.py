"""Turns bench.py's results into docs/BENCHMARKS.md (standard library only).

    report.py RESULTS.jsonl MACHINE.txt PROFILE.json > BENCHMARKS.md

Figures come only from measurements whose client verified every status and
byte count (ok=true); failed measurements are counted and shown, never used.
Every figure is the median over rounds with the spread (min-max); ratios
are medians of per-round ratios (the rows of a round ran back to back, so
pairing them cancels drift between rounds).
"""

import json
import os
import statistics
import sys
from collections import defaultdict

RAW = "raw libcurl (bundled)"
RAW_HDRS = "raw libcurl (bundled) + libreqc's default headers"
RAW_FULL = "raw libcurl (bundled) returning libreqc's result"
NAIVE = "raw libcurl naive multi (bundled)"
REQC_SEQ = "libreqc (new request per send)"
REQC_BATCH = "libreqc batch"
REQC_SOURCE = "libreqc batch fed by a source callback"
REQC_ADDED = "libreqc batch, every item added first"
# (h): scenario -> item count, in table order.
SOURCE_COUNTS = {"h_rss_10k": 10_000, "h_rss_100k": 100_000, "h_rss_1m": 1_000_000}
MB = 1e6

GO_HTTP = "Go net/http"
GO_REQC = "Go libreqc binding"
# The bindings' sequential floors (bench.py): libreqc's C send, no binding.
GO_FLOOR = "Go: libreqc's C send in one cgo call, no binding (floor)"
RB_FLOOR = "Ruby: libreqc's C send in bare ruby-ffi calls, no gem (floor)"
GO_SCENARIOS = [("go_seq", "sequential keep-alive, 64-byte GETs", "req"),
                ("go_batch_h1", "batch of 64-byte GETs at concurrency 64, HTTP/1.1", "req"),
                ("go_batch_h2c", "batch of 64-byte GETs at concurrency 64, h2c", "req"),
                ("go_get_stream", "100 MiB streamed download", "mb")]

# Issue 17's thresholds. The old "4x a naive multi" target is retired (the
# naive column stays in (b) as information).
TARGETS = {"go": 1.0, "seq": 0.97, "throughput": 0.95, "download": 0.97, "rss": 1.2, "flat": 1.10, "cpp": 0.98}

# The C++ binding (bench/reqc_client.cpp) against the C client doing the
# same work: (scenario, what, unit, C row, C++ row).
CPP_SEQ = "libreqc C++ binding (Session::get, new request per send)"
CPP_BATCH = "libreqc C++ binding batch (Batch::on_complete)"
CPP_PAIRS = [
    ("a_seq", "sequential, new request per send", "req", REQC_SEQ, CPP_SEQ),
    ("b_batch_h1", "batch @64, HTTP/1.1", "req", REQC_BATCH, CPP_BATCH),
    ("b_batch_h2c", "batch @64, h2c", "req", REQC_BATCH, CPP_BATCH),
    ("c_get_mem", "100 MiB into memory", "mb", "libreqc buffered", "libreqc C++ binding buffered (Session::get)"),
    ("c_get_stream", "100 MiB streamed, on_data", "mb", "libreqc on_data", "libreqc C++ binding on_data"),
    ("c_get_stream", "100 MiB pulled", "mb", "libreqc pull", "libreqc C++ binding pull (Stream::chunks)"),
]


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def machine(path):
    info = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            info[k] = v
    return info


class Data:
    def __init__(self, rows):
        self.ok = defaultdict(dict)       # (scenario, client) -> round -> row
        self.failed = defaultdict(int)
        self.order = defaultdict(list)    # scenario -> clients in table order
        for r in rows:
            key = (r["scenario"], r["client"])
            if r["client"] not in self.order[r["scenario"]]:
                self.order[r["scenario"]].append(r["client"])
            if r.get("ok"):
                self.ok[key][r["round"]] = r
            else:
                self.failed[key] += 1

    def series(self, sc, client, fn):
        rounds = self.ok.get((sc, client), {})
        return {k: fn(v) for k, v in rounds.items() if v["wall_s"] > 0}

    def tput(self, sc, client, unit="req"):
        if unit == "req":
            return self.series(sc, client, lambda r: r["requests"] / r["wall_s"])
        return self.series(sc, client, lambda r: r["bytes"] / r["wall_s"] / MB)

    def ratio(self, sc, client, ref, unit="req"):
        return med(self.round_ratios(sc, client, ref, unit))

    def round_ratios(self, sc, client, ref, unit="req"):
        """The client's rate over ref's, one per round both ran in."""
        a, b = self.tput(sc, client, unit), self.tput(sc, ref, unit)
        return [a[k] / b[k] for k in a if k in b and b[k] > 0]

    def cpu_ratio(self, sc, client, ref):
        """Median of per-round ratios of client CPU per request (or per download)."""
        a, b = self.cpu_us(sc, client), self.cpu_us(sc, ref)
        common = [k for k in a if k in b and b[k] > 0]
        return med([a[k] / b[k] for k in common]) if common else None

    def cpu_us(self, sc, client):
        return self.series(sc, client, lambda r: r["cpu_s"] / r["requests"] * 1e6)

    def rss(self, sc, client):
        return self.series(sc, client, lambda r: r["rss_kib"])


def med(xs):
    xs = list(xs)
    return statistics.median(xs) if xs else None


def fmt(x, digits=0):
    if x is None:
        return "n/a"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def spread(s, digits=0):
    if not s:
        return "n/a"
    v = list(s.values())
    return f"{fmt(min(v), digits)}–{fmt(max(v), digits)}"


def ratio_s(x):
    return "n/a" if x is None else f"{x:.2f}x"


def throughput_table(d, sc, unit, extra_naive=False):
    out = []
    u = "req/s" if unit == "req" else "MB/s"
    cpu_head = "client CPU µs/req" if unit == "req" else "client CPU ms/download"
    head = f"| client | {u} (median) | spread (min–max) | {cpu_head} | peak RSS KiB | vs raw libcurl (bundled) |"
    sep = "|---|---:|---:|---:|---:|---:|"
    if extra_naive:
        head += " vs naive multi |"
        sep += "---:|"
    out += [head, sep]
    for client in d.order.get(sc, []):
        t = d.tput(sc, client, unit)
        cpu = d.cpu_us(sc, client)
        cpu_m = med(cpu.values())
        if unit != "req" and cpu_m is not None:
            cpu_m /= 1000.0
        rss = med(d.rss(sc, client).values())
        note = f" ({d.failed[(sc, client)]} failed runs dropped)" if d.failed.get((sc, client)) else ""
        n = {r["requests"] for r in d.ok.get((sc, client), {}).values()}
        label = client + (f" [{min(n):,} req]" if n and unit == "req" and client.startswith("Python") else "")
        line = (f"| {label}{note} | {fmt(med(t.values()), 1 if unit != 'req' else 0)} | "
                f"{spread(t, 1 if unit != 'req' else 0)} | {fmt(cpu_m, 1)} | {fmt(rss)} | "
                f"{ratio_s(d.ratio(sc, client, RAW, unit)) if client != RAW else '1.00x'} |")
        if extra_naive:
            line += f" {ratio_s(d.ratio(sc, client, NAIVE, unit))} |"
        out.append(line)
    return out


RB_REQC = "Ruby reqc gem (Session#get)"
RB_REQC_MAP = "Ruby reqc gem (Reqc.map)"
RB_NETHTTP = "Ruby Net::HTTP (keep-alive)"
RB_TYPHOEUS = "Ruby Typhoeus (Debian libcurl)"
RB_HYDRA = "Ruby Typhoeus Hydra (Debian libcurl)"
RUBY_TARGETS = [
    ("(f) Ruby sequential: reqc gem / Net::HTTP", "rb_seq", RB_REQC, RB_NETHTTP, 1.5),
    ("(f) Ruby sequential: reqc gem / Typhoeus", "rb_seq", RB_REQC, RB_TYPHOEUS, 2.0),
    ("(f) Ruby batch @64: reqc gem Reqc.map / Typhoeus Hydra", "rb_batch", RB_REQC_MAP, RB_HYDRA, 5.0),
]


def ruby_section(d):
    """(f): the Ruby rows, with each row's ratio to Net::HTTP and Typhoeus."""
    if not d.order.get("rb_seq") and not d.order.get("rb_batch"):
        return []
    o = ["## (f) Ruby: the reqc gem beside Net::HTTP and Typhoeus", ""]
    o.append("`bench/ruby/rbclient.rb`, one Ruby process per measurement, pinned like every client: the "
             "reqc gem (`bindings/ruby`, ruby-ffi over this run's libreqc.so) with a `Reqc::Session` "
             "(sequential) and `Reqc.map(urls, concurrency: 64)` (batch); Net::HTTP in one "
             "`Net::HTTP.start` block (keep-alive); Debian's Typhoeus (Ethon over Debian's libcurl): "
             "`Typhoeus.get` (its pooled easy handle keeps the connection) and a `Typhoeus::Hydra` with "
             "`max_concurrency: 64`. Every row checks each status and body size.")
    o.append("")
    for sc, title, refs in (("rb_seq", "Sequential 64-byte GETs on one keep-alive connection",
                             (RB_NETHTTP, RB_TYPHOEUS)),
                            ("rb_batch", "64-byte GETs in one batch at concurrency 64", (RB_HYDRA,))):
        if not d.order.get(sc):
            continue
        o += [f"### {title}", ""]
        head = "| client | req/s (median) | spread (min–max) | client CPU µs/req | peak RSS KiB | vs raw libcurl (bundled) |"
        sep = "|---|---:|---:|---:|---:|---:|"
        for ref in refs:
            head += f" vs {ref.replace('Ruby ', '').replace(' (Debian libcurl)', '')} |"
            sep += "---:|"
        o += [head, sep]
        for client in d.order[sc]:
            t = d.tput(sc, client)
            note = f" ({d.failed[(sc, client)]} failed runs dropped)" if d.failed.get((sc, client)) else ""
            line = (f"| {client}{note} | {fmt(med(t.values()))} | {spread(t)} | "
                    f"{fmt(med(d.cpu_us(sc, client).values()), 1)} | {fmt(med(d.rss(sc, client).values()))} | "
                    f"{ratio_s(d.ratio(sc, client, RAW)) if client != RAW else '1.00x'} |")
            for ref in refs:
                line += f" {ratio_s(d.ratio(sc, client, ref)) if client != ref else '1.00x'} |"
            o.append(line)
        o.append("")
    return o


def cpp_section(d, prof):
    """(i): the C++ binding's rows beside the C client's, same scenarios."""
    pairs = [p for p in CPP_PAIRS if d.order.get(p[0]) and p[4] in d.order[p[0]]]
    if not pairs:
        return []
    o = ["## (i) C++: the binding (reqc.hpp) beside the C API", ""]
    o.append("`bench/reqc_client.cpp` does the work of `bench/reqc_client.c` the way a C++ user writes it "
             "with `bindings/cpp/include/reqc.hpp` (g++ -O2, C++17, over the same libreqc.so): sequential "
             "`Session::get(url)` (a new `Request` per send, the `Response` freed at the end of each "
             "iteration, `body()` a `std::string_view`); the batch is a `reqc::Batch` on the Session with "
             "the request added N times and an `on_complete` lambda taking each `reqc::Result`; downloads "
             "are `Session::get` (buffered), `Request::on_data` with a lambda, and `Session::open` read "
             "through `Stream::chunks()` (64 KiB). Every response is checked as in C. The rows ran in the "
             "same rounds as the C rows (the tables above); ratios are medians of per-round ratios.")
    o.append("")
    o.append("| scenario | C API | C++ binding | unit | C++ / C | client CPU (C, C++) | CPU C++ / C | peak RSS KiB (C, C++) |")
    o.append("|---|---:|---:|---|---:|---|---:|---|")
    for sc, what, unit, c, cpp in pairs:
        digits = 1 if unit != "req" else 0
        a, b = med(d.tput(sc, c, unit).values()), med(d.tput(sc, cpp, unit).values())
        ca, cb = med(d.cpu_us(sc, c).values()), med(d.cpu_us(sc, cpp).values())
        if unit != "req":
            ca, cb = (x / 1000.0 if x is not None else None for x in (ca, cb))
        cpu_unit = "µs/req" if unit == "req" else "ms/download"
        fails = sum(d.failed.get((sc, x), 0) for x in (c, cpp))
        o.append(f"| {what}{f' ({fails} failed runs dropped)' if fails else ''} | {fmt(a, digits)} | {fmt(b, digits)} | "
                 f"{'req/s' if unit == 'req' else 'MB/s'} | {ratio_s(d.ratio(sc, cpp, c, unit))} | "
                 f"{fmt(ca, 1)}, {fmt(cb, 1)} {cpu_unit} | {ratio_s(d.cpu_ratio(sc, cpp, c))} | "
                 f"{fmt(med(d.rss(sc, c).values()))}, {fmt(med(d.rss(sc, cpp).values()))} |")
    o.append("")
    cases = (prof or {}).get("cases", {})
    labs = [lab for lab in sorted({k.split("/")[0] for k in cases}) if f"{lab}/reqc_cpp" in cases and f"{lab}/reqc" in cases]
    if labs:
        o.append("Instructions per request (callgrind, measured as in the profile section below):")
        o.append("")
        o.append("| case | C API Ir/req | C++ binding Ir/req | C++ / C |")
        o.append("|---|---:|---:|---:|")
        for lab in labs:
            a, b = cases[f"{lab}/reqc"]["ir_per_request"], cases[f"{lab}/reqc_cpp"]["ir_per_request"]
            o.append(f"| {lab} | {fmt(a)} | {fmt(b)} | {b / a:.3f}x |")
        o.append("")
    return o


def source_section(d):
    """(h): peak RSS of a sourced batch at 10k / 100k / 1M items."""
    scs = [sc for sc in SOURCE_COUNTS if d.order.get(sc)]
    if not scs:
        return []
    o = ["## (h) Peak RSS of a batch fed by a source callback, by item count", ""]
    o.append("64-byte GETs (HTTP/1.1) at concurrency 64. libreqc's batch pulls each request from "
             "`reqc_batch_set_source_callback` when a slot frees (`bench/reqc_client.c` mode "
             "`batch_source`: a new `reqc_request_new` per item, each response checked and freed in the "
             "complete callback); raw libcurl's pooled multi (`bench/raw_curl.c` batch) recycles 64 easy "
             "handles, so it is lazy by construction. The batch with every item added first "
             "(`reqc_batch_add`, mode `batch`) is shown up to 100,000 items for what the source saves. "
             "Peak RSS = the client process's ru_maxrss, medians over the rounds these rows ran in.")
    o.append("")
    clients = []
    for sc in scs:
        for c in d.order[sc]:
            if c not in clients:
                clients.append(c)
    head = "| client |" + "".join(f" peak RSS KiB, {SOURCE_COUNTS[sc]:,} items |" for sc in scs)
    head += " largest / smallest | vs raw at the same count (largest) | req/s at the largest |"
    o += [head, "|---|" + "---:|" * (len(scs) + 3)]
    for client in clients:
        vals = [med(d.rss(sc, client).values()) for sc in scs]
        have = [(sc, v) for sc, v in zip(scs, vals) if v]
        grow = have[-1][1] / have[0][1] if len(have) > 1 else None
        last = have[-1][0] if have else None
        raw_last = med(d.rss(last, RAW).values()) if last else None
        note = "".join(f" ({d.failed[(sc, client)]} failed runs dropped in {sc})"
                       for sc in scs if d.failed.get((sc, client)))
        o.append(f"| {client}{note} |" + "".join(f" {fmt(v)} |" for v in vals)
                 + f" {ratio_s(grow)} | {ratio_s(have[-1][1] / raw_last) if have and raw_last else 'n/a'} |"
                 + f" {fmt(med(d.tput(last, client).values())) if last else 'n/a'} |")
    o.append("")
    return o


def main():
    rows = load(sys.argv[1])
    info = machine(sys.argv[2])
    prof = None
    if len(sys.argv) > 3 and os.path.exists(sys.argv[3]):
        with open(sys.argv[3]) as f:
            prof = json.load(f)
    d = Data(rows)
    rounds = max((r["round"] for r in rows), default=0)
    quick = info.get("quick", "0") not in ("", "0")

    o = []
    o.append("# libreqc benchmarks")
    o.append("")
    o.append("Generated by `bench/run.sh` (`make bench`); do not edit by hand — rerun it."
             + (" **This is a BENCH_QUICK smoke run: small counts, figures are not meaningful.**" if quick else ""))
    o.append("")
    o.append("## Machine")
    o.append("")
    for k, label in [("date", "date"), ("cpu", "CPU"), ("nproc", "nproc"), ("mem", "memory"),
                     ("os", "OS"), ("kernel", "kernel"), ("curl_bundled", "libcurl bundled in libreqc (raw rows)"),
                     ("reqc", "libreqc"), ("curl_debian", "Debian's libcurl"), ("nginx", "nginx"),
                     ("wrk", "wrk"), ("h2load", "h2load"), ("go", "Go"), ("python", "Python"), ("ruby", "Ruby"),
                     ("cc", "C compiler"), ("cxx", "C++ compiler")]:
        o.append(f"- {label}: {info.get(k, 'n/a')}")
    o.append("")
    load_path = os.path.join(os.path.dirname(sys.argv[1]), "load.json")
    if os.path.exists(load_path):
        with open(load_path) as f:
            bg = json.load(f)
        others = bg.get("other_processes_cpu_s") or {}
        busy = sum(others.values())
        seen = sorted({(r["round"], r.get("background_cpus_before_round", 0)) for r in rows})
        o.append("- background load (CPUs busy with other work just before each round, after waiting "
                 "for a quiet machine): " + ", ".join(f"round {k}: {v:.2f}" for k, v in seen) + ".")
        o.append(f"- the rounds took {bg['wall_s']} s; long-lived other processes used "
                 f"{busy:.1f} CPU-seconds meanwhile (short-lived ones, e.g. other sessions' compilers, "
                 "are not counted here)"
                 + (" (" + ", ".join(f"{k}: {v} s" for k, v in sorted(others.items(), key=lambda kv: -kv[1])[:5]) + ")"
                    if others else "")
                 + (". **The machine was not quiet: figures carry that noise (the interleaved rounds and "
                    "paired ratios limit its effect on the comparisons).**" if busy > 0.05 * bg["wall_s"] else "."))
    o.append("")
    o.append("## Method")
    o.append("")
    o.append(f"- nginx on loopback with a generated config: one worker pinned to CPU 1 "
             "(`worker_cpu_affinity` and `taskset`), keep-alive (`keepalive_requests 100000`), "
             "`access_log off`, sendfile; a 64-byte file, a 1 MiB file and a 100 MiB file made at start; "
             "an HTTP/1.1 listener and an h2c listener (`listen PORT http2;`, prior knowledge).")
    o.append("- Every client runs pinned to CPU 0 (`taskset -c 0`), one process per measurement, and "
             "verifies every status (200) and byte count; a measurement with any failed request is dropped "
             "(and counted) — no figure comes from a failed request. The runner re-checks the byte total.")
    o.append(f"- {rounds} interleaved rounds: each round runs every scenario's rows back to back, the row "
             "order rotated each round. Figures are medians over rounds with the spread (min–max); "
             "\"vs\" columns are medians of per-round ratios.")
    o.append("- wall = the measured work only (clock_gettime); client CPU = user+sys of the client "
             "process over the same span (getrusage; for wrk/h2load the whole process, from wait4); "
             "peak RSS = the process's ru_maxrss (clients are started through `bench/spawn.c`, since "
             "Linux carries ru_maxrss across execve and the Python runner's own RSS would otherwise show). "
             "MB = 10^6 bytes.")
    o.append("- Before each round the runner waits (up to 90 s) until the rest of the machine uses under "
             "0.1 CPU; the load it saw is kept with each measurement in `bench/.out/results.jsonl`.")
    o.append("- raw libcurl is `bench/raw_curl.c`: one reused easy handle for sequential; a multi with "
             "a pool of 64 recycled easy handles for the batch (`PIPEWAIT` + multiplexing for h2c); the "
             "naive variant adds all N easy handles to one multi at once (connections capped at 64). "
             "It is built twice: statically against the very libcurl build libreqc bundles "
             "(curl-sys's `libcurl.a` + nghttp2) and against Debian's `-lcurl`.")
    o.append("- libreqc is `bench/reqc_client.c` through the C API (libreqc.so): sequential sends on a "
             "session make a new request per send (the realistic pattern; a row reusing one request "
             "handle is shown too); the batch uses `reqc_batch_set_complete_callback` freeing each response; "
             "downloads are buffered in the response or streamed through `reqc_request_set_data_callback`.")
    o.append("- The C++ binding is `bench/reqc_client.cpp` (`reqc.hpp`, g++ -O2) doing the same work in "
             "the same scenarios, compared with the C client in (i). The naive multi's column in (b) is "
             "information only (its old 4x target is retired).")
    o.append("- Go net/http (`bench/go`, standard library; h2c via `http.Protocols`), pycurl and Python "
             "requests (`bench/python/pyclient.py`, in `bench/.venv`). Python requests runs a quarter of "
             "the count in (a) and (b) (its rate is what is compared). wrk (HTTP/1.1) and h2load (h2c) "
             "give the server's ceiling.")
    o.append("")

    o.append("## (a) 64-byte GETs, sequential on one keep-alive connection")
    o.append("")
    o += throughput_table(d, "a_seq", "req")
    o.append("")
    o.append("## (b) 64-byte GETs in one batch at concurrency 64")
    o.append("")
    o.append("### HTTP/1.1")
    o.append("")
    o += throughput_table(d, "b_batch_h1", "req", True)
    o.append("")
    o.append("### h2c (HTTP/2, prior knowledge)")
    o.append("")
    o += throughput_table(d, "b_batch_h2c", "req", True)
    o.append("")
    o.append("Debian's libcurl 7.88.1 (and pycurl, built on it) are left out of h2c: every request after "
             "the first on an h2c prior-knowledge connection fails with \"Error in the HTTP2 framing layer\" "
             "(curl/curl#10634, fixed in libcurl 8.0). Python requests has no HTTP/2.")
    o.append("")
    o.append("## (c) 100 MiB download")
    o.append("")
    o.append("### Into memory")
    o.append("")
    o += throughput_table(d, "c_get_mem", "mb")
    o.append("")
    o.append("### Streamed: into a data callback (on_data), or pulled (reqc_stream_read into 64 KiB)")
    o.append("")
    o += throughput_table(d, "c_get_stream", "mb")
    o.append("")

    o.append("## (d) Peak RSS of the batch (b, HTTP/1.1) by item count")
    o.append("")
    o.append("libreqc's client adds every item from one request handle (`reqc_batch_add` shares it "
             "until the handle changes: 16 bytes an item); raw libcurl's pooled multi "
             "likewise sends one URL. A batch of distinct requests holds each one until it starts "
             "(~400 bytes an item): for many items, feed them through a source callback, section (h).")
    o.append("")
    o.append("| client | peak RSS KiB, 1,000 items | peak RSS KiB, 10,000 items | 10k / 1k | vs raw pooled multi at 10k |")
    o.append("|---|---:|---:|---:|---:|")
    raw10 = med(d.rss("b_batch_h1", RAW).values())
    for client in d.order.get("d_rss_1k", []):
        r1 = med(d.rss("d_rss_1k", client).values())
        r10 = med(d.rss("b_batch_h1", client).values())
        o.append(f"| {client} | {fmt(r1)} | {fmt(r10)} | "
                 f"{ratio_s(r10 / r1) if r1 and r10 else 'n/a'} | {ratio_s(r10 / raw10) if raw10 and r10 else 'n/a'} |")
    o.append("")

    o.append("## (e) Cost of the ABI: build and free a request with 10 headers and 10 params")
    o.append("")
    o.append("In-process loop, no I/O, clock_gettime around many iterations.")
    o.append("")
    o.append("| what | ns per request built+freed (median) | spread | calls per build | ns per call |")
    o.append("|---|---:|---:|---:|---:|")
    for client in d.order.get("e_abi", []):
        s = d.series("e_abi", client, lambda r: r["wall_s"] / r["requests"] * 1e9)
        calls = 22 if client.startswith("libreqc") else 24
        m = med(s.values())
        o.append(f"| {client} | {fmt(m)} | {spread(s)} | {calls} | {fmt(m / calls if m else None, 1)} |")
    o.append("")
    o.append("libreqc's 22 calls: `reqc_request_new`, 10 × `reqc_request_add_header`, 10 × "
             "`reqc_request_add_param`, `reqc_request_free`. The raw libcurl equivalent's 24: `curl_url`, "
             "`curl_url_set`, 10 × `curl_slist_append`, 10 × `curl_url_set(APPENDQUERY|URLENCODE)`, "
             "`curl_url_get`, and the frees counted as one.")
    o.append("")

    o += ruby_section(d)
    if any(d.order.get(sc) for sc, _, _ in GO_SCENARIOS):
        o += go_section(d)
    o += source_section(d)
    o += cpp_section(d, prof)
    o += wait_section(d)

    # ---------------------------------------------------------------- targets
    o.append("## Targets")
    o.append("")
    o.append("A rate target's \"measured\" is the median of the per-round ratios; \"rounds\" gives their "
             "range and \"by CPU\" the median per-round ratio of client CPU per request (the reference's "
             "over the client's: above 1 means the client spends less). Where the rounds fall on both sides "
             "of the threshold the result says so: on a 2-vCPU host whose client and server CPUs share a "
             "core, one run does not settle such a target (bench/FINDINGS.md).")
    o.append("")
    o.append("| target | measured | rounds (min–max) | by CPU | threshold | result |")
    o.append("|---|---:|---:|---:|---:|---|")
    missed = []

    def target(name, value, thr, higher=True, pair=None):
        """pair: (scenario, client, reference, unit) of a rate ratio, for its rounds and CPU."""
        rounds, by_cpu = "—", "—"
        straddles = False
        if pair:
            rs = d.round_ratios(*pair)
            if rs:
                rounds = f"{min(rs):.2f}–{max(rs):.2f}x"
                straddles = min(rs) < thr <= max(rs)
            cpu = d.cpu_ratio(pair[0], pair[1], pair[2])
            by_cpu = ratio_s(1 / cpu) if cpu else "n/a"
        if value is None:
            res = "no data"
            missed.append(name)
        else:
            good = value >= thr if higher else value <= thr
            res = "**met**" if good else "**missed**"
            if straddles:
                res += " (rounds on both sides)"
            if not good:
                missed.append(name)
        o.append(f"| {name} | {ratio_s(value)} | {rounds} | {by_cpu} | {'≥' if higher else '≤'} {thr:.2f}x | {res} |")

    def rate_target(name, sc, client, ref, thr, unit="req"):
        target(name, d.ratio(sc, client, ref, unit), thr, pair=(sc, client, ref, unit))

    rate_target("(a) sequential: libreqc (new request per send) / raw libcurl", "a_seq", REQC_SEQ, RAW,
                TARGETS["seq"])
    rate_target("(a) sequential: libreqc (one request reused) / raw libcurl", "a_seq",
                "libreqc (one request reused)", RAW, TARGETS["seq"])
    for sc, lab in (("b_batch_h1", "HTTP/1.1"), ("b_batch_h2c", "h2c")):
        rate_target(f"(b) batch {lab}: libreqc / raw pooled multi", sc, REQC_BATCH, RAW, TARGETS["throughput"])
    rate_target("(c) 100 MiB into memory: libreqc buffered / raw", "c_get_mem", "libreqc buffered", RAW,
                TARGETS["download"], "mb")
    rate_target("(c) 100 MiB streamed: libreqc on_data / raw", "c_get_stream", "libreqc on_data", RAW,
                TARGETS["download"], "mb")
    rate_target("(c) 100 MiB streamed: libreqc pull (reqc_stream_read) / raw", "c_get_stream", "libreqc pull",
                RAW, TARGETS["download"], "mb")
    for sc, what, unit, c, cpp in CPP_PAIRS:
        if (sc, cpp) in d.ok or (sc, cpp) in d.failed:
            rate_target(f"(i) C++ binding / C: {what}", sc, cpp, c, TARGETS["cpp"], unit)
    for name, sc, client, ref, thr in RUBY_TARGETS:
        if (sc, client) in d.ok or (sc, client) in d.failed:
            rate_target(name, sc, client, ref, thr)
    for sc, what, unit in GO_SCENARIOS:
        if d.order.get(sc):
            rate_target(f"Go binding / Go net/http: {what}", sc, GO_REQC, GO_HTTP, TARGETS["go"], unit)
    r10 = med(d.rss("b_batch_h1", REQC_BATCH).values())
    r1 = med(d.rss("d_rss_1k", REQC_BATCH).values())
    target("(d) peak RSS at 10,000 items: libreqc / raw pooled multi", r10 / raw10 if r10 and raw10 else None,
           TARGETS["rss"], higher=False)
    target("(d) flat in item count: libreqc RSS 10,000 / 1,000 items", r10 / r1 if r10 and r1 else None,
           TARGETS["flat"], higher=False)
    s10 = med(d.rss("h_rss_10k", REQC_SOURCE).values())
    s1m = med(d.rss("h_rss_1m", REQC_SOURCE).values())
    raw_s10 = med(d.rss("h_rss_10k", RAW).values())
    if d.order.get("h_rss_10k") or d.order.get("h_rss_1m"):
        target("(h) peak RSS at 10,000 items: libreqc sourced batch / raw pooled multi",
               s10 / raw_s10 if s10 and raw_s10 else None, TARGETS["rss"], higher=False)
        target("(h) flat in item count: libreqc sourced batch RSS 1,000,000 / 10,000 items",
               s1m / s10 if s1m and s10 else None, TARGETS["flat"], higher=False)
    o.append("")
    o.append("\"Flat\" is taken as: peak RSS at the larger count at most 10% above that at the smaller.")
    o.append("")
    # The request-rate rows beside which the two informative lines below
    # put libreqc: (scenario, libreqc's row, label).
    rate_rows = (("a_seq", REQC_SEQ, "sequential, new request per send"),
                 ("b_batch_h1", REQC_BATCH, "batch HTTP/1.1"),
                 ("b_batch_h2c", REQC_BATCH, "batch h2c"))
    like = [(lab, d.ratio(sc, client, RAW_HDRS)) for sc, client, lab in rate_rows]
    if any(r is not None for _, r in like):
        o.append("Like for like (not a target): libreqc against raw libcurl sending the same two default "
                 "headers libreqc sends (User-Agent, Accept-Encoding; libcurl formats each custom header "
                 "byte by byte): " + "; ".join(f"{lab} {ratio_s(r)}" for lab, r in like) + ".")
        o.append("")
    ceiling = [(lab, d.ratio(sc, RAW_FULL, RAW), d.ratio(sc, client, RAW_FULL)) for sc, client, lab in rate_rows]
    if any(c is not None for _, c, _ in ceiling):
        o.append("The ceiling of a client returning libreqc's result (not a target): raw libcurl that sends "
                 "libreqc's default headers and builds, per response, the owned result a libreqc send returns "
                 "(`bench/raw_full.c`), against plain raw libcurl, and libreqc against it: "
                 + "; ".join(f"{lab} {ratio_s(c)} and {ratio_s(r)}" for lab, c, r in ceiling) + ". "
                 "What of a target's gap the first ratio already shows is the result's, not libreqc's.")
        o.append("")

    ruby_seq = next(thr for _, sc, client, ref, thr in RUBY_TARGETS
                    if (sc, client, ref) == ("rb_seq", RB_REQC, RB_NETHTTP))
    floors = [(lab, d.ratio(sc, floor, ref), d.ratio(sc, binding, floor), thr)
              for lab, sc, floor, binding, ref, thr in (
                  ("Go / net/http", "go_seq", GO_FLOOR, GO_REQC, GO_HTTP, TARGETS["go"]),
                  ("Ruby / Net::HTTP", "rb_seq", RB_FLOOR, RB_REQC, RB_NETHTTP, ruby_seq))]
    if any(f is not None for _, f, _, _ in floors):
        o.append("The floor of a binding's sequential row (not a target): libreqc's C send with no binding "
                 "around it, from Go in one cgo call and from Ruby in bare ruby-ffi calls, against the "
                 "language's standard client, and the binding against that floor: "
                 + "; ".join(f"{lab} {ratio_s(f)} (target {thr:.2f}x) and {ratio_s(b)}"
                             for lab, f, b, thr in floors) + ". "
                 "A floor under its target leaves the target out of reach of any binding that waits in "
                 "libreqc's C send, however thin.")
        o.append("")

    # ---------------------------------------------------------------- sanity
    o.append("## Sanity check against the orientation figures")
    o.append("")
    o.append("Measured earlier on this machine with raw libcurl 7.88 (Debian's): sequential ~12,800 req/s "
             "(~50 µs CPU/req), pooled multi ~32,000 req/s, 100 MiB ~1.85 GB/s; naive multi 0.2x of the pool.")
    o.append("")
    seq_deb = med(d.tput("a_seq", "raw libcurl (Debian)").values())
    bat_deb = med(d.tput("b_batch_h1", "raw libcurl (Debian)").values())
    dl_deb = med(d.tput("c_get_stream", "raw libcurl (Debian)", "mb").values())
    nv = d.ratio("b_batch_h1", NAIVE, RAW)
    o.append(f"Here: Debian libcurl sequential {fmt(seq_deb)} req/s, pooled batch {fmt(bat_deb)} req/s, "
             f"100 MiB streamed {fmt(dl_deb)} MB/s; naive/pool (bundled) {ratio_s(nv)}.")
    o.append("")

    # ---------------------------------------------------------------- profile
    if prof:
        o += profile_section(prof, missed)

    findings = os.path.join(os.path.dirname(os.path.abspath(__file__)), "FINDINGS.md")
    if os.path.exists(findings):
        with open(findings) as f:
            o.append(f.read().rstrip())
        o.append("")

    o.append("## How to run")
    o.append("")
    o.append("```sh")
    o.append("bench/run.sh                    # full run (5 rounds, 5-10 min, plus ~7 min for the (h) rows' 2 rounds of up to 1M items), writes docs/BENCHMARKS.md")
    o.append("BENCH_QUICK=1 bench/run.sh      # smoke run (< 2 min), bench/.out/quick/BENCHMARKS.quick.md")
    o.append("BENCH_ROUNDS=9 bench/run.sh     # more rounds")
    o.append("BENCH_PROFILE=0 bench/run.sh    # skip the callgrind profile")
    o.append("```")
    o.append("")
    o.append("Raw measurements: `bench/.out/results.jsonl` (one JSON line per measurement); callgrind "
             "summary: `bench/.out/profile.json`. To add a client row: give `bench/bench.py` the program "
             "in `PROGRAMS` (it takes `MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND` and "
             "prints the JSON line of `bench/common.h`) and a `Row` in each scenario it should run in.")
    print("\n".join(o))


def go_section(d):
    """The Go binding (bench/go-reqc) beside Go's net/http (bench/go)."""
    o = ["## (g) Go: the libreqc binding beside net/http", ""]
    o.append("`bench/go-reqc` does the work of `bench/go` through the Go binding (`bindings/go`): "
             "sequential `Session.Get` on one `Session` (a new C request per send, the body streamed "
             "through the pull API and read with `Response.Bytes`); the batch is a range over one "
             "`Session.All` of all the requests at `Concurrency(64)`, each result checked as it lands "
             "and dropped (net/http: 64 goroutines over one Transport, each response read and dropped; "
             "`Session.Map`, which keeps every result, is `goreqc batch_map`); the "
             "download copies the streamed `Response.Body` to a counting `io.Writer` with `io.Copy` "
             "(64 KiB reads). Both ask for no compression. Pinned to one CPU, the binding's client "
             "sets GOMAXPROCS to 2 (docs/go.md: with 1, sysmon polls every 20 µs during each "
             "blocking cgo call).")
    o.append("")
    o.append("| scenario | net/http | libreqc binding | unit | binding / net/http | client CPU µs/req (net/http, binding) | peak RSS KiB (net/http, binding) |")
    o.append("|---|---:|---:|---|---:|---|---|")
    for sc, what, unit in GO_SCENARIOS:
        if not d.order.get(sc):
            continue
        a = med(d.tput(sc, GO_HTTP, unit).values())
        b = med(d.tput(sc, GO_REQC, unit).values())
        ca, cb = med(d.cpu_us(sc, GO_HTTP).values()), med(d.cpu_us(sc, GO_REQC).values())
        ra, rb = med(d.rss(sc, GO_HTTP).values()), med(d.rss(sc, GO_REQC).values())
        fails = sum(d.failed.get((sc, c), 0) for c in (GO_HTTP, GO_REQC))
        o.append(f"| {what}{f' ({fails} failed runs dropped)' if fails else ''} | {fmt(a, 1 if unit != 'req' else 0)} | "
                 f"{fmt(b, 1 if unit != 'req' else 0)} | {'req/s' if unit == 'req' else 'MB/s'} | "
                 f"{ratio_s(d.ratio(sc, GO_REQC, GO_HTTP, unit))} | {fmt(ca, 1)}, {fmt(cb, 1)} | {fmt(ra)}, {fmt(rb)} |")
    o.append("")
    floor = med(d.tput("go_seq", GO_FLOOR).values())
    if floor:
        o.append(f"The sequential row's floor, `goreqc seq_floor` (`bench/go-reqc/floor.go`): the C client's "
                 f"send (request, `reqc_session_send`, status, body, frees) in one cgo call per send with "
                 f"the binding's yield and nothing else on the Go side: {fmt(floor)} req/s, "
                 f"{fmt(med(d.cpu_us('go_seq', GO_FLOOR).values()), 1)} µs of client CPU a request "
                 "(its ratios to net/http and to the binding: under the Targets table).")
        o.append("")
    return o


# The sequential scenarios whose wall time wait_section splits.
WAIT_SCENARIOS = [("a_seq", "(a)"), ("go_seq", "(g)"), ("rb_seq", "(f)")]


def wait_section(d):
    """Where a sequential request's wall time goes: the client's CPU, and
    the time the client's CPU sat idle, the client waiting for the server
    (runs without bench.py's core_idle_s, older ones, give no section)."""
    def per_req(key):
        return lambda r: r[key] / r["requests"] * 1e6 if key in r else None
    rows = []
    for sc, label in WAIT_SCENARIOS:
        for client in d.order.get(sc, []):
            idle = [v for v in d.series(sc, client, per_req("core_idle_s")).values() if v is not None]
            if not idle:
                continue
            wall = med(1e6 / v for v in d.tput(sc, client).values())
            rows.append(f"| {label} {client} | {fmt(wall, 1)} | {fmt(med(d.cpu_us(sc, client).values()), 1)} "
                        f"| {fmt(med(idle), 1)} |")
    if not rows:
        return []
    o = ["## (j) Where a sequential request's wall time goes", ""]
    o.append("Per request, medians over rounds: wall time; the client's CPU; and the time the client's "
             "CPU sat idle (idle + iowait of that CPU in /proc/stat around the client's run, start-up "
             "included, 10 ms ticks), which is the client waiting for the server's answer. "
             "A client that keeps its CPU busy instead of sleeping until the answer comes (Go's "
             "scheduler spins before it parks a thread) waits less, and its rate is then higher than "
             "its CPU alone says: on this VM waking a sleeping CPU is slow.")
    o.append("")
    o.append("| client | wall µs/req | client CPU µs/req | client CPU idle µs/req |")
    o.append("|---|---:|---:|---:|")
    return o + rows + [""]


def short(name, n=110):
    return name if len(name) <= n else name[: n - 1] + "…"


def profile_section(prof, missed):
    o = ["## Profile: instructions per request (callgrind)", ""]
    n1, n2 = prof["n"]
    o.append(f"`valgrind --tool=callgrind` on the client only (nginx runs natively), each case at "
             f"{n1} and {n2} requests; per-request figures are the difference divided by {n2 - n1}, so "
             "start-up and teardown cancel out. Instruction counts (Ir), not time."
             + (f" Targets missed in this run: {', '.join(missed)}." if missed else ""))
    o.append("")
    o.append("\"Same result\" is raw libcurl returning to its caller what libreqc returns "
             "(`bench/raw_full.c`: libreqc's two default headers sent; per response an owned "
             "object with status, reason phrase, every header line, the body, the final URL, "
             "address, port and timings, freed by the caller): what of libreqc's extra is the "
             "result any client must build, and what is libreqc's own.")
    o.append("")
    o.append("| case | raw libcurl Ir/req | libreqc Ir/req | libreqc extra Ir/req | ratio "
             "| raw libcurl, same result Ir/req | libreqc / same result |")
    o.append("|---|---:|---:|---:|---:|---:|---:|")
    cases = prof["cases"]
    labels = sorted({k.split("/")[0] for k in cases})
    for lab in labels:
        raw = cases.get(f"{lab}/raw_bundled")
        rq = cases.get(f"{lab}/reqc")
        if not raw or not rq:
            continue
        a, b = raw["ir_per_request"], rq["ir_per_request"]
        full = cases.get(f"{lab}/raw_full")
        same = (f"{fmt(full['ir_per_request'])} | {b / full['ir_per_request']:.2f}x"
                if full else "— | —")
        o.append(f"| {lab} | {fmt(a)} | {fmt(b)} | {fmt(b - a)} | {b / a:.2f}x | {same} |")
    o.append("")
    for lab in labels:
        raw = cases.get(f"{lab}/raw_bundled")
        rq = cases.get(f"{lab}/reqc")
        if not raw or not rq:
            continue
        o.append(f"### {lab}: where libreqc's extra instructions go")
        o.append("")
        o.append("Exclusive (self) Ir per request, libreqc minus raw libcurl, largest first "
                 "(negative: libreqc spends less there):")
        o.append("")
        o.append("| function [object] | raw Ir/req | libreqc Ir/req | extra Ir/req |")
        o.append("|---|---:|---:|---:|")
        ex_r, ex_q = raw["exclusive"], rq["exclusive"]
        diff = []
        for k in set(ex_r) | set(ex_q):
            kq = k
            # curl is static in both, but in different objects: match by function name
            fn = k.rsplit(" [", 1)[0]
            r_val = sum(v for kk, v in ex_r.items() if kk.rsplit(" [", 1)[0] == fn)
            q_val = sum(v for kk, v in ex_q.items() if kk.rsplit(" [", 1)[0] == fn)
            diff.append((q_val - r_val, fn, r_val, q_val, kq))
        seen = set()
        uniq = []
        for t in sorted(diff, key=lambda t: (-t[0], t[1])):
            if t[1] in seen:
                continue
            seen.add(t[1])
            uniq.append(t)
        # The object shown is where libreqc's client runs the function (else
        # raw's): the same name may be in two objects (curl is static in both).
        where = {}
        for dct in (ex_r, ex_q):
            for kk in sorted(dct):
                if " [" in kk:
                    name, obj = kk.rsplit(" [", 1)
                    where[name] = obj.rstrip("]")
        for dv, fn, r_val, q_val, k in uniq[:20]:
            obj = where.get(fn, "")
            o.append(f"| `{short(fn)}` [{obj}] | {fmt(r_val)} | {fmt(q_val)} | {fmt(dv)} |")
        o.append("")
        o.append("Inclusive Ir per request of functions both clients run (libcurl's phases, libc), "
                 "largest difference first — the same libcurl code doing more work under libreqc:")
        o.append("")
        o.append("| function | raw Ir/req | libreqc Ir/req | extra Ir/req |")
        o.append("|---|---:|---:|---:|")
        def by_name(dct):
            res = {}
            for kk, v in dct.items():
                fn = kk.rsplit(" [", 1)[0]
                if fn in ("main", "(below main)") or fn.startswith(("0x", "__libc_start", "=>")):
                    continue
                res[fn] = max(res.get(fn, 0), v)
            return res
        ir, iq = by_name(raw["inclusive"]), by_name(rq["inclusive"])
        both = [(iq[k] - ir[k], k) for k in ir if k in iq]
        for dv, k in sorted(both, reverse=True)[:15]:
            o.append(f"| `{short(k)}` | {fmt(ir[k])} | {fmt(iq[k])} | {fmt(dv)} |")
        o.append("")
        o.append("libreqc's own code (Rust functions and the C ABI), inclusive Ir per request, largest first:")
        o.append("")
        o.append("| function | inclusive Ir/req |")
        o.append("|---|---:|")
        own = [(v, k) for k, v in rq["inclusive"].items()
               if ("::" in k or k.startswith("reqc_")) and not k.startswith(("std::", "core::", "alloc::"))
               and "libreqc" in k]
        for v, k in sorted(own, reverse=True)[:20]:
            o.append(f"| `{short(k.rsplit(' [', 1)[0])}` | {fmt(v)} |")
        o.append("")
    return o


if __name__ == "__main__":
    main()
