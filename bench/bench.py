"""libreqc's benchmark runner (standard library only); bench/run.sh calls it.

    bench.py run     OUT.jsonl   runs every scenario's rows, interleaved rounds
    bench.py profile OUT.json    callgrind instruction counts per request

Configuration comes from the environment that run.sh sets: BENCH_BIN (the
built clients), BENCH_PY (the venv's python), BENCH_H1 / BENCH_H2 (the nginx
base URLs), BENCH_ROUNDS, BENCH_QUICK, and BENCH_ONLY (a regular expression:
only the scenarios whose name it matches run, e.g. BENCH_ONLY='^(go|rb)_').

Adding a client row: add its program to PROGRAMS (an argv prefix that takes
MODE URL COUNT CONCURRENCY HTTP EXPECT SCENARIO CLIENT ROUND and prints the
JSON line of bench/common.h) and a Row to the scenarios that should run it.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("BENCH_BIN", os.path.join(HERE, ".build"))
PY = os.environ.get("BENCH_PY", os.path.join(HERE, ".venv", "bin", "python"))
H1 = os.environ.get("BENCH_H1", "http://127.0.0.1:18080")
H2 = os.environ.get("BENCH_H2", "http://127.0.0.1:18081")
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2" if QUICK else "5"))
ONLY = re.compile(os.environ.get("BENCH_ONLY", ""))
# spawn: a small launcher that reports the child's rusage (see spawn.c)
CLIENT_CPU = os.environ.get("BENCH_CLIENT_CPU", "0")
PIN = [os.path.join(BIN, "spawn"), "taskset", "-c", CLIENT_CPU]

BIG = 100 * 1024 * 1024
SMALL = 64

# Counts: full run, and BENCH_QUICK=1's smoke run.
N_SEQ = 2000 if QUICK else 20000
N_BATCH = 1000 if QUICK else 10000
N_RSS_SMALL = 1000
# (g) peak RSS of a sourced batch by item count: the counts are the point,
# so a quick run keeps them (and runs them in one round only).
N_SOURCE = (10_000, 100_000, 1_000_000)
N_ADDED_MAX = 100_000   # the all-added batch beside it, up to this count
SOURCE_ROUNDS = 1 if QUICK else 2
N_DOWNLOAD = 1 if QUICK else 5      # 100 MiB downloads per measurement
N_ABI = 20000 if QUICK else 300000
WRK_SECONDS = 1 if QUICK else 4
CONC = 64

# Programs: argv prefixes. Every one takes the common arguments.
PROGRAMS = {
    "raw_bundled": [os.path.join(BIN, "raw_curl_bundled")],
    "raw_debian": [os.path.join(BIN, "raw_curl_debian")],
    # raw libcurl returning to its caller what libreqc returns (bench/raw_full.c):
    # the measure of what libreqc's result costs any client (profiled, and
    # its rate in (a) and (b): the ceiling of a client returning that result)
    "raw_full": [os.path.join(BIN, "raw_full_bundled")],
    "reqc": [os.path.join(BIN, "reqc_client")],
    # the same work through the C++ binding (bench/reqc_client.cpp, reqc.hpp)
    "reqc_cpp": [os.path.join(BIN, "reqc_client_cpp")],
    "go": [os.path.join(BIN, "gobench")],
    "goreqc": [os.path.join(BIN, "goreqc")],
    "pycurl": [PY, os.path.join(HERE, "python", "pyclient.py"), "pycurl"],
    "requests": [PY, os.path.join(HERE, "python", "pyclient.py"), "requests"],
    # The Ruby rows (bench/ruby/rbclient.rb): the reqc gem finds the run's
    # private copy of libreqc through REQC_LIB; Typhoeus runs on Debian's libcurl.
    "rb_reqc": ["env", f"REQC_LIB={os.path.join(BIN, 'libreqc.so.0')}", "ruby",
                f"-I{os.path.join(os.path.dirname(HERE), 'bindings', 'ruby', 'lib')}",
                os.path.join(HERE, "ruby", "rbclient.rb"), "reqc"],
    "rb_nethttp": ["ruby", os.path.join(HERE, "ruby", "rbclient.rb"), "nethttp"],
    "rb_typhoeus": ["ruby", os.path.join(HERE, "ruby", "rbclient.rb"), "typhoeus"],
    # server ceilings: own wrappers below
    "wrk": None,
    "h2load": None,
}


@dataclass
class Row:
    client: str          # the row's label in the report
    program: str         # key of PROGRAMS
    mode: str            # seq, seq_reuse, batch, naive, get_mem, get_stream, abi
    scale: float = 1.0   # fraction of the scenario's count (slow clients)


@dataclass
class Scenario:
    name: str
    path: str            # /64b or /100m
    count: int
    http: int            # 1 or 2
    expect: int
    rows: list = field(default_factory=list)
    conc: int = 1
    rounds: int = 0      # runs in rounds 1..rounds only (0: every round)


RAW = "raw libcurl (bundled)"
RAW_DEB = "raw libcurl (Debian)"
# The request libreqc puts on the wire: raw libcurl plus libreqc's two
# default headers (like for like; the targets stay against plain raw).
RAW_HDRS = "raw libcurl (bundled) + libreqc's default headers"
NAIVE = "raw libcurl naive multi (bundled)"
# Raw libcurl returning what libreqc returns (bench/raw_full.c: the default
# headers sent, an owned response with every header line, body, URL,
# address and timings built and freed per request). Not a target: what a
# client returning that result can reach, beside the targets' plain raw.
RAW_FULL = "raw libcurl (bundled) returning libreqc's result"
GO_HTTP = "Go net/http"
GO_REQC = "Go libreqc binding"
# The floors of the bindings' sequential rows (not targets): libreqc's C
# send with no binding around it, made from Go in one cgo call
# (bench/go-reqc/floor.go) and from Ruby in bare ruby-ffi calls
# (bench/ruby/rbclient.rb seq_floor). Beside the standard client they show
# what is left of a binding's target once the binding itself costs nothing.
GO_FLOOR = "Go: libreqc's C send in one cgo call, no binding (floor)"
RB_FLOOR = "Ruby: libreqc's C send in bare ruby-ffi calls, no gem (floor)"

# The C++ binding's rows sit beside the C rows they are compared with
# (report.py: "C++ binding / C", target >= 0.98x).
CPP_SEQ = "libreqc C++ binding (Session::get, new request per send)"
CPP_BATCH = "libreqc C++ binding batch (Batch::on_complete)"
CPP_MEM = "libreqc C++ binding buffered (Session::get)"
CPP_STREAM = "libreqc C++ binding on_data"
CPP_PULL = "libreqc C++ binding pull (Stream::chunks)"

REQC_SOURCE = "libreqc batch fed by a source callback"
REQC_ADDED = "libreqc batch, every item added first"

RB_REQC = "Ruby reqc gem (Session#get)"
RB_REQC_MAP = "Ruby reqc gem (Reqc.map)"
RB_NETHTTP = "Ruby Net::HTTP (keep-alive)"
RB_TYPHOEUS = "Ruby Typhoeus (Debian libcurl)"
RB_HYDRA = "Ruby Typhoeus Hydra (Debian libcurl)"

SCENARIOS = [
    Scenario("a_seq", "/64b", N_SEQ, 1, SMALL, [
        Row(RAW, "raw_bundled", "seq"),
        Row(RAW_HDRS, "raw_bundled", "seq_hdrs"),
        Row(RAW_FULL, "raw_full", "seq"),
        Row(RAW_DEB, "raw_debian", "seq"),
        Row("libreqc (new request per send)", "reqc", "seq"),
        Row("libreqc (one request reused)", "reqc", "seq_reuse"),
        Row(CPP_SEQ, "reqc_cpp", "seq"),
        Row("Go net/http", "go", "seq"),
        Row("pycurl", "pycurl", "seq"),
        Row("Python requests", "requests", "seq", 0.25),
        Row("wrk -t1 -c1 (server ceiling)", "wrk", "seq"),
    ]),
    Scenario("b_batch_h1", "/64b", N_BATCH, 1, SMALL, [
        Row(RAW, "raw_bundled", "batch"),
        Row(RAW_HDRS, "raw_bundled", "batch_hdrs"),
        Row(RAW_FULL, "raw_full", "batch"),
        Row(NAIVE, "raw_bundled", "naive"),
        Row(RAW_DEB, "raw_debian", "batch"),
        Row("libreqc batch", "reqc", "batch"),
        Row(CPP_BATCH, "reqc_cpp", "batch"),
        Row("Go net/http", "go", "batch"),
        Row("pycurl", "pycurl", "batch"),
        Row("Python requests (64 threads)", "requests", "batch", 0.25),
        Row("wrk -t1 -c64 (server ceiling)", "wrk", "batch"),
    ], CONC),
    Scenario("b_batch_h2c", "/64b", N_BATCH, 2, SMALL, [
        Row(RAW, "raw_bundled", "batch"),
        Row(RAW_HDRS, "raw_bundled", "batch_hdrs"),
        Row(RAW_FULL, "raw_full", "batch"),
        Row(NAIVE, "raw_bundled", "naive"),
        # Debian's libcurl 7.88.1 (and pycurl, built on it) fail every h2c
        # request after the first on a connection: curl/curl#10634, fixed in 8.0.
        Row("libreqc batch", "reqc", "batch"),
        Row(CPP_BATCH, "reqc_cpp", "batch"),
        Row("Go net/http", "go", "batch"),
        Row("h2load -c1 -m64 (server ceiling)", "h2load", "batch"),
    ], CONC),
    Scenario("c_get_mem", "/100m", N_DOWNLOAD, 1, BIG, [
        Row(RAW, "raw_bundled", "get_mem"),
        Row(RAW_DEB, "raw_debian", "get_mem"),
        Row("libreqc buffered", "reqc", "get_mem"),
        Row(CPP_MEM, "reqc_cpp", "get_mem"),
        Row("Go net/http", "go", "get_mem"),
        Row("pycurl", "pycurl", "get_mem"),
        Row("Python requests", "requests", "get_mem"),
    ]),
    Scenario("c_get_stream", "/100m", N_DOWNLOAD, 1, BIG, [
        Row(RAW, "raw_bundled", "get_stream"),
        Row(RAW_DEB, "raw_debian", "get_stream"),
        Row("libreqc on_data", "reqc", "get_stream"),
        Row("libreqc pull", "reqc", "get_pull"),
        Row(CPP_STREAM, "reqc_cpp", "get_stream"),
        Row(CPP_PULL, "reqc_cpp", "get_pull"),
        Row("Go net/http", "go", "get_stream"),
        Row("pycurl", "pycurl", "get_stream"),
        Row("Python requests", "requests", "get_stream"),
    ]),
    Scenario("d_rss_1k", "/64b", N_RSS_SMALL, 1, SMALL, [
        Row(RAW, "raw_bundled", "batch"),
        Row(NAIVE, "raw_bundled", "naive"),
        Row(RAW_DEB, "raw_debian", "batch"),
        Row("libreqc batch", "reqc", "batch"),
        Row("Go net/http", "go", "batch"),
        Row("pycurl", "pycurl", "batch"),
    ], CONC),
    # Ruby (issue 16): the reqc gem beside Net::HTTP and Typhoeus, raw
    # libcurl as the common reference.
    Scenario("rb_seq", "/64b", N_SEQ, 1, SMALL, [
        Row(RAW, "raw_bundled", "seq"),
        Row(RB_REQC, "rb_reqc", "seq"),
        Row(RB_FLOOR, "rb_reqc", "seq_floor"),
        Row(RB_NETHTTP, "rb_nethttp", "seq"),
        Row(RB_TYPHOEUS, "rb_typhoeus", "seq"),
    ]),
    Scenario("rb_batch", "/64b", N_BATCH, 1, SMALL, [
        Row(RAW, "raw_bundled", "batch"),
        Row(RB_REQC_MAP, "rb_reqc", "batch"),
        Row(RB_HYDRA, "rb_typhoeus", "batch"),
    ], CONC),
    # The Go binding (bench/go-reqc) beside net/http, in scenarios of their
    # own so that BENCH_ONLY='^go_' measures just them.
    Scenario("go_seq", "/64b", N_SEQ, 1, SMALL, [
        Row(GO_HTTP, "go", "seq"),
        Row(GO_REQC, "goreqc", "seq"),
        Row(GO_FLOOR, "goreqc", "seq_floor"),
    ]),
    Scenario("go_batch_h1", "/64b", N_BATCH, 1, SMALL, [
        Row(GO_HTTP, "go", "batch"),
        Row(GO_REQC, "goreqc", "batch"),
    ], CONC),
    Scenario("go_batch_h2c", "/64b", N_BATCH, 2, SMALL, [
        Row(GO_HTTP, "go", "batch"),
        Row(GO_REQC, "goreqc", "batch"),
    ], CONC),
    Scenario("go_get_stream", "/100m", N_DOWNLOAD, 1, BIG, [
        Row(GO_HTTP, "go", "get_stream"),
        Row(GO_REQC, "goreqc", "get_stream"),
    ]),
] + [
    # Issue 17: a batch fed by a source callback holds only what is in
    # flight, so its peak RSS stays flat from 10k to 1M items; the raw
    # pooled multi is the reference (its pool is lazy by construction),
    # and the all-added batch shows what the source saves.
    Scenario(f"h_rss_{n // 1000}k" if n < 1_000_000 else f"h_rss_{n // 1_000_000}m", "/64b", n, 1, SMALL, [
        Row(RAW, "raw_bundled", "batch"),
        Row(REQC_SOURCE, "reqc", "batch_source"),
    ] + ([Row(REQC_ADDED, "reqc", "batch")] if n <= N_ADDED_MAX else []), CONC, SOURCE_ROUNDS)
    for n in N_SOURCE
] + [
    Scenario("e_abi", "/64b", N_ABI, 1, 0, [
        Row("libreqc: request_new + 10 add_header + 10 add_param + free", "reqc", "abi"),
        Row("raw libcurl: curl_url + 10 slist_append + 10 CURLU query + free", "raw_bundled", "abi"),
    ]),
]

# Rows the report leaves out of the round-robin when their tool is missing.
OPTIONAL = {"go": "gobench", "goreqc": "goreqc", "h2load": "h2load", "rb_reqc": "ruby", "rb_nethttp": "ruby",
            "rb_typhoeus": "ruby-typhoeus"}


def have(program):
    if program in ("wrk", "h2load"):
        return subprocess.run(["sh", "-c", f"command -v {program}"], capture_output=True).returncode == 0
    if program.startswith("rb_"):
        if not shutil.which("ruby"):
            return False
        lib = {"rb_reqc": "ffi", "rb_nethttp": "net/http", "rb_typhoeus": "typhoeus"}[program]
        return subprocess.run(["ruby", "-e", f"require '{lib}'"], capture_output=True).returncode == 0
    argv = PROGRAMS[program]
    return os.path.exists(argv[0])


def run_child(argv, timeout):
    """Runs argv, returns (rc, stdout, stderr, rusage of the child)."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return -9, out.decode(), err.decode() + "\ntimed out", None
    return p.returncode, out.decode(), err.decode(), None


def spawn_rusage(err):
    """(cpu_s, rss_kib) from spawn's last stderr line."""
    m = re.search(r"SPAWN_RUSAGE cpu_s=([\d.]+) rss_kib=(\d+)", err)
    return (float(m.group(1)), int(m.group(2))) if m else (0.0, 0)


def wrk_row(sc, row, rnd):
    conns = sc.conc if row.mode == "batch" else 1
    argv = PIN + ["wrk", "-t1", f"-c{conns}", f"-d{WRK_SECONDS}s", H1 + sc.path]
    rc, out, err, _ = run_child(argv, WRK_SECONDS + 30)
    cpu, rss = spawn_rusage(err)
    m = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    ok = rc == 0 and m is not None and "Non-2xx" not in out and "Socket errors" not in out
    reqs = int(m.group(1)) if m else 0
    secs = float(m.group(2)) / (1000.0 if m and m.group(3) == "ms" else 1.0) if m else 0.0
    if not ok:
        sys.stderr.write(out + err)
    return dict(requests=reqs, bytes=reqs * sc.expect, wall_s=secs,
                cpu_s=cpu, rss_kib=rss, ok=ok, note="bytes: nominal (wrk checks status only)")


def h2load_row(sc, row, rnd):
    argv = PIN + ["h2load", "-n", str(sc.count), "-c", "1", "-m", str(sc.conc), H2 + sc.path]
    rc, out, err, _ = run_child(argv, 120)
    cpu, rss = spawn_rusage(err)
    m = re.search(r"finished in ([\d.]+)(m?s)", out)
    st = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed", out)
    codes = re.search(r"status codes: (\d+) 2xx", out)
    ok = (rc == 0 and m and st and codes and int(st.group(3)) == sc.count and int(codes.group(1)) == sc.count)
    secs = float(m.group(1)) / (1000.0 if m.group(2) == "ms" else 1.0) if m else 0.0
    if not ok:
        sys.stderr.write(out + err)
    return dict(requests=sc.count, bytes=sc.count * sc.expect, wall_s=secs,
                cpu_s=cpu, rss_kib=rss, ok=bool(ok), note="bytes: nominal (h2load checks status)")


def core_idle_s():
    """Seconds the client's CPU has been idle since boot (idle + iowait in
    /proc/stat): around a sequential run, what is not the client's CPU nor
    the hypervisor's is the client waiting for the server."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith(f"cpu{CLIENT_CPU} "):
                v = line.split()
                return (int(v[4]) + int(v[5])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def run_row(sc, row, rnd):
    count = max(1, int(sc.count * row.scale))
    base = H2 if sc.http == 2 else H1
    idle0 = core_idle_s()
    if row.program == "wrk":
        res = wrk_row(sc, row, rnd)
    elif row.program == "h2load":
        res = h2load_row(sc, row, rnd)
    else:
        argv = PIN + PROGRAMS[row.program] + [
            row.mode, base + sc.path, str(count), str(sc.conc), str(sc.http), str(sc.expect),
            sc.name, row.client, str(rnd)]
        rc, out, err, _ = run_child(argv, 600)
        res = None
        for line in out.splitlines():
            if line.startswith("{"):
                res = json.loads(line)
        if res is None or rc != 0:
            sys.stderr.write(f"  {row.client}: exit {rc}\n{err[-2000:]}")
            res = res or dict(requests=count, bytes=0, wall_s=0, cpu_s=0, rss_kib=0)
            res["ok"] = False
        # the runner re-checks what the client claims: status was checked in
        # the client, the byte count is checked here as well
        if res.get("ok") and row.mode != "abi" and res["bytes"] != count * sc.expect:
            sys.stderr.write(f"  {row.client}: {res['bytes']} bytes, expected {count * sc.expect}\n")
            res["ok"] = False
    res.update(scenario=sc.name, client=row.client, program=row.program, mode=row.mode,
               round=rnd, http=sc.http, conc=sc.conc, core_idle_s=round(core_idle_s() - idle0, 2))
    return res


def proc_times():
    """pid -> (name, CPU seconds so far) for every process now alive."""
    tick = os.sysconf("SC_CLK_TCK")
    res = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                st = f.read()
        except OSError:
            continue
        name = st[st.index("(") + 1: st.rindex(")")]
        fields = st[st.rindex(")") + 2:].split()
        res[int(pid)] = (name, (int(fields[11]) + int(fields[12])) / tick)
    return res


def foreign_load(before, after, wall):
    """CPU seconds that processes other than this run's used during it."""
    me = os.getpid()
    used = {}
    for pid, (name, t) in after.items():
        if pid == me or pid not in before or name.startswith("nginx"):
            continue
        d = t - before[pid][1]
        if d > 0.01 * wall:
            used[f"{name} ({pid})"] = round(d, 1)
    return used


def busy_cpus(seconds=1.0):
    """How many CPUs' worth of work the machine did over `seconds` (while this
    runner sits idle, that is other people's load)."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + v[4]
        return sum(v) - idle, sum(v)
    b0, t0 = snap()
    time.sleep(seconds)
    b1, t1 = snap()
    ncpu = os.cpu_count() or 1
    return (b1 - b0) / max(1, t1 - t0) * ncpu


QUIET_WAIT = float(os.environ.get("BENCH_QUIET_WAIT", "0" if QUICK else "90"))


def wait_quiet():
    """Waits (at most QUIET_WAIT s) until other processes use < 0.1 CPU;
    returns the last background load seen, in CPUs."""
    t0 = time.monotonic()
    load = busy_cpus()
    while load > 0.1 and time.monotonic() - t0 < QUIET_WAIT:
        print(f"  waiting for a quiet machine: background load {load:.2f} CPUs", flush=True)
        load = busy_cpus(2.0)
    return load


def cmd_run(out_path):
    rows_total = 0
    before, t_start = proc_times(), time.monotonic()
    with open(out_path, "w") as out:
        for rnd in range(1, ROUNDS + 1):
            bg = wait_quiet()
            t_round = time.monotonic()
            for sc in SCENARIOS:
                if not ONLY.search(sc.name) or (sc.rounds and rnd > sc.rounds):
                    continue
                rows = [r for r in sc.rows if have(r.program)]
                # rotate the order every round so no row always runs first
                k = (rnd - 1) % len(rows) if rows else 0
                for row in rows[k:] + rows[:k]:
                    res = run_row(sc, row, rnd)
                    res["background_cpus_before_round"] = round(bg, 2)
                    out.write(json.dumps(res) + "\n")
                    out.flush()
                    rows_total += 1
                    rate = res["requests"] / res["wall_s"] if res.get("wall_s") else 0
                    flag = "" if res.get("ok") else "  FAILED"
                    print(f"  round {rnd} {sc.name:13} {row.client:58} {rate:12.1f}/s "
                          f"cpu {res.get('cpu_s', 0):7.3f}s rss {res.get('rss_kib', 0):7d} KiB{flag}",
                          flush=True)
            print(f"round {rnd}/{ROUNDS} done in {time.monotonic() - t_round:.1f}s", flush=True)
    wall = time.monotonic() - t_start
    load = {"wall_s": round(wall, 1), "other_processes_cpu_s": foreign_load(before, proc_times(), wall),
            "loadavg_end": open("/proc/loadavg").read().split()[:3]}
    with open(os.path.join(os.path.dirname(out_path), "load.json"), "w") as f:
        json.dump(load, f)
    if load["other_processes_cpu_s"]:
        print(f"WARNING: other processes used CPU during the run: {load['other_processes_cpu_s']}")
    return 0


# ---------------------------------------------------------------- profiling

PROFILE_CASES = [
    # (label, program, mode, http, conc)
    ("seq", "raw_bundled", "seq", 1, 1),
    ("seq", "reqc", "seq", 1, 1),
    ("batch_h1", "raw_bundled", "batch", 1, CONC),
    ("batch_h1", "reqc", "batch", 1, CONC),
    # the C++ binding, compared with "reqc" in report.py's section (i)
    ("seq", "reqc_cpp", "seq", 1, 1),
    ("batch_h1", "reqc_cpp", "batch", 1, CONC),
    ("batch_h2c", "reqc", "batch", 2, CONC),
    ("batch_h2c", "reqc_cpp", "batch", 2, CONC),
    ("batch_h2c", "raw_bundled", "batch", 2, CONC),
    # libcurl returning what libreqc returns: report.py's "same result" column
    ("seq", "raw_full", "seq", 1, 1),
    ("batch_h1", "raw_full", "batch", 1, CONC),
    ("batch_h2c", "raw_full", "batch", 2, CONC),
]
PROFILE_N = tuple(int(x) for x in os.environ.get("BENCH_PROFILE_N", "200,1200").split(","))


def callgrind(program, mode, http, conc, n, outfile):
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={outfile}"] + \
        PROGRAMS[program] + [mode, (H2 if http == 2 else H1) + "/64b", str(n), str(conc),
                             str(http), str(SMALL), "profile", program, "0"]
    rc, out, err, _ = run_child(argv, 900)
    if rc != 0:
        raise RuntimeError(f"callgrind {program} {mode}: exit {rc}: {err[-1500:]}")


def annotate(outfile, inclusive):
    """function -> Ir, from callgrind_annotate (all functions)."""
    argv = ["callgrind_annotate", "--threshold=100", "--auto=no", f"--inclusive={'yes' if inclusive else 'no'}", outfile]
    text = subprocess.run(argv, capture_output=True, text=True).stdout
    total = 0
    funcs = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
            continue
        m = re.match(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.+?)(?: \[(.+)\])?$", line)
        if m and ":" in m.group(2) and not m.group(2).startswith("=>"):
            fn = m.group(2).split(":", 1)[1] if not m.group(2).startswith("???:") else m.group(2)[4:]
            # file:function; Rust paths contain '::' so split on the first ':' only
            # when the left part looks like a file name
            left, _, right = m.group(2).partition(":")
            fn = right if ("." in left or left == "???") else m.group(2)
            obj = os.path.basename(m.group(3)) if m.group(3) else ""
            key = f"{fn} [{obj}]"
            funcs[key] = funcs.get(key, 0) + int(m.group(1).replace(",", ""))
    return total, funcs


def cmd_profile(out_path):
    import tempfile
    tmp = tempfile.mkdtemp(prefix="reqc-callgrind-")
    result = {"n": PROFILE_N, "cases": {}}
    n1, n2 = PROFILE_N
    for label, program, mode, http, conc in PROFILE_CASES:
        files = []
        for n in PROFILE_N:
            f = os.path.join(tmp, f"{label}-{program}-{n}.out")
            print(f"  callgrind {program} {mode} n={n}", flush=True)
            callgrind(program, mode, http, conc, n, f)
            files.append(f)
        (t1, ex1), (t2, ex2) = annotate(files[0], False), annotate(files[1], False)
        (_, in1), (_, in2) = annotate(files[0], True), annotate(files[1], True)
        per_req = (t2 - t1) / (n2 - n1)
        excl = {k: (ex2.get(k, 0) - ex1.get(k, 0)) / (n2 - n1) for k in set(ex1) | set(ex2)}
        incl = {k: (in2.get(k, 0) - in1.get(k, 0)) / (n2 - n1) for k in set(in1) | set(in2)}
        result["cases"][f"{label}/{program}"] = {
            "ir_per_request": per_req,
            "ir_total_n2": t2,
            "exclusive": dict(sorted(excl.items(), key=lambda kv: -kv[1])[:400]),
            "inclusive": dict(sorted(incl.items(), key=lambda kv: -kv[1])[:400]),
            "file": files[1],
        }
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
    print(f"callgrind outputs kept in {tmp}")
    return 0


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("run", "profile"):
        raise SystemExit(__doc__)
    return cmd_run(sys.argv[2]) if sys.argv[1] == "run" else cmd_profile(sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
