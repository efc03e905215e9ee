#!/usr/bin/env bash
# bench/run.sh: libreqc's benchmark suite, the single entry point (`make bench`).
#
#   bench/run.sh                  full run (5 rounds), writes docs/BENCHMARKS.md
#   BENCH_QUICK=1 bench/run.sh    smoke run with small counts (< 2 minutes),
#                                 report in bench/.out/quick/BENCHMARKS.quick.md
#
# Environment: BENCH_ONLY (a regex over scenario names: only those run; the
# report goes to bench/.out/only/BENCHMARKS.only.md), BENCH_ROUNDS (rounds,
# default 5; 2 when quick), BENCH_PROFILE
# (1: always run the callgrind profile, 0: never; default: full runs only),
# BENCH_REPORT (where the markdown goes), BENCH_SERVER_CPU / BENCH_CLIENT_CPU
# (default 1 and 0), BENCH_NO_BUILD=1 (use target/release as it is).
#
# What it does: installs what is missing (nginx, wrk, h2load, valgrind,
# python3-venv, libcurl4-openssl-dev, libssl-dev, g++; a venv in bench/.venv with
# requests and pycurl), builds libreqc and the clients into bench/.build,
# starts nginx on loopback (one worker pinned to the server CPU, keep-alive,
# no access log; HTTP/1.1 and h2c listeners), runs every client pinned to
# the client CPU in interleaved rounds, and writes the report.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
BUILD=$BENCH/.build
OUT=$BENCH/.out
cd "$ROOT"

QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = "0" ] && QUICK=
SERVER_CPU=${BENCH_SERVER_CPU:-1}
CLIENT_CPU=${BENCH_CLIENT_CPU:-0}
export BENCH_CLIENT_CPU=$CLIENT_CPU
if [ -n "${BENCH_ONLY:-}" ]; then
    # Some scenarios only: never overwrite the full report or its raw data.
    OUT=$BENCH/.out/only
    PROFILE=${BENCH_PROFILE:-0}
    REPORT=${BENCH_REPORT:-$OUT/BENCHMARKS.only.md}
elif [ -n "$QUICK" ]; then
    OUT=$BENCH/.out/quick   # a smoke run keeps the full run's raw data
    PROFILE=${BENCH_PROFILE:-0}
    REPORT=${BENCH_REPORT:-$OUT/BENCHMARKS.quick.md}
else
    PROFILE=${BENCH_PROFILE:-1}
    REPORT=${BENCH_REPORT:-$ROOT/docs/BENCHMARKS.md}
fi
log() { printf '==> %s\n' "$*" >&2; }
T0=$(date +%s)

# ------------------------------------------------------------ dependencies
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
need=()
for p in nginx wrk nghttp2-client valgrind python3-venv libcurl4-openssl-dev libssl-dev \
         pkg-config util-linux gcc g++ ruby ruby-ffi ruby-typhoeus; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Debian starts nginx on port 80 on install; the benchmark runs its own.

# pycurl is built from source against Debian's libcurl (its binary wheel
# bundles a libcurl of its own, which is not the one it should be compared with).
VENV=$BENCH/.venv
DEB_CURL=$(pkg-config --modversion libcurl)
if ! "$VENV/bin/python" -c "import requests, pycurl, sys; sys.exit(pycurl.version_info()[1] != '$DEB_CURL')" 2>/dev/null; then
    log "setting up $VENV (requests, pycurl built against libcurl $DEB_CURL)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check requests
    PYCURL_SSL_LIBRARY=openssl "$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall \
        --no-cache-dir --no-binary pycurl pycurl
fi

# ------------------------------------------------------------ builds
if [ -z "${BENCH_NO_BUILD:-}" ]; then
    log "cargo build --release --workspace"
    if ! cargo build --release --workspace 2>"$BENCH/.cargo.log"; then
        tail -20 "$BENCH/.cargo.log" >&2
        [ -f target/release/libreqc.so ] || { log "libreqc does not build"; exit 1; }
        log "WARNING: cargo build failed; benchmarking the existing target/release/libreqc.so"
    fi
fi
mkdir -p "$BUILD" "$OUT"
# A private copy of the library: a rebuild during the run changes nothing.
cp -f target/release/libreqc.so "$BUILD/libreqc.so"
ln -sf libreqc.so "$BUILD/libreqc.so.0"

# The libcurl libreqc bundles: curl-sys's static build (the newest, if
# several build dirs exist), and the nghttp2 it was built with.
newest() { ls -t "$@" 2>/dev/null | head -1; }
CURL_A=$(newest target/release/build/curl-sys-*/out/build/libcurl.a)
NGHTTP2_A=$(newest target/release/build/libnghttp2-sys-*/out/i/lib/libnghttp2.a)
[ -n "$CURL_A" ] && [ -n "$NGHTTP2_A" ] || { log "no bundled libcurl.a under target/release/build"; exit 1; }
CURL_INC=$(dirname "$(dirname "$CURL_A")")/include
CFLAGS="-O2 -g -std=gnu11 -Wall -Wextra"

cc $CFLAGS -o "$BUILD/spawn" "$BENCH/spawn.c"
log "building clients in $BUILD (bundled curl: $CURL_A)"
cc $CFLAGS -DCURL_STATICLIB -I"$CURL_INC" -o "$BUILD/raw_curl_bundled" "$BENCH/raw_curl.c" \
    "$CURL_A" "$NGHTTP2_A" -lssl -lcrypto -lz -lpthread
cc $CFLAGS -o "$BUILD/raw_curl_debian" "$BENCH/raw_curl.c" $(pkg-config --cflags --libs libcurl)
cc $CFLAGS -DCURL_STATICLIB -I"$CURL_INC" -o "$BUILD/raw_full_bundled" "$BENCH/raw_full.c" \
    "$CURL_A" "$NGHTTP2_A" -lssl -lcrypto -lz -lpthread
cc $CFLAGS -Iinclude -o "$BUILD/reqc_client" "$BENCH/reqc_client.c" \
    -L"$BUILD" -lreqc -lpthread -Wl,-rpath,"$BUILD"
# The C++ binding's client: reqc.hpp is header-only, so this measures the
# binding as a user's -O2 build inlines it, over the same libreqc.so.
g++ -O2 -g -std=c++17 -Wall -Wextra -Iinclude -Ibindings/cpp/include -o "$BUILD/reqc_client_cpp" \
    "$BENCH/reqc_client.cpp" -L"$BUILD" -lreqc -lpthread -Wl,-rpath,"$BUILD"

# Go: the standard library's h2c client needs Go 1.24 (http.Protocols).
GO=$(command -v go || true)
[ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
rm -f "$BUILD/gobench"
if [ -n "$GO" ] && (cd "$BENCH/go" && GOFLAGS=-mod=mod GOTOOLCHAIN=local "$GO" build -o "$BUILD/gobench" .) 2>"$OUT/go-build.log"; then
    :
else
    log "WARNING: no Go >= 1.24 toolchain; the Go rows are skipped (see $OUT/go-build.log)"
fi
# The Go binding's row (bench/go-reqc) links this run's copy of libreqc.so
# through a pkg-config file of its own.
mkdir -p "$BUILD/pkgconfig"
printf '%s\n' 'Name: reqc' 'Description: libreqc (bench copy)' 'Version: 0' \
    "Libs: -L$BUILD -Wl,-rpath,$BUILD -lreqc" "Cflags: -I$ROOT/include" >"$BUILD/pkgconfig/reqc.pc"
rm -f "$BUILD/goreqc"
if [ -n "$GO" ] && (cd "$BENCH/go-reqc" && PKG_CONFIG_PATH="$BUILD/pkgconfig" GOFLAGS=-mod=mod GOTOOLCHAIN=local \
        "$GO" build -o "$BUILD/goreqc" .) 2>>"$OUT/go-build.log"; then
    :
else
    log "WARNING: the Go binding's bench client does not build; its rows are skipped (see $OUT/go-build.log)"
fi

# ------------------------------------------------------------ server
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P1=$(free_port); P2=$(free_port)
while [ "$P2" = "$P1" ]; do P2=$(free_port); done
SRV=$(mktemp -d /tmp/reqc-bench-nginx.XXXXXX)
NGINX_PID=
cleanup() {
    if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
    rm -rf "$SRV"
}
trap cleanup EXIT INT TERM
mkdir -p "$SRV/www" "$SRV/tmp"
head -c 64 /dev/zero | tr '\0' 'x' >"$SRV/www/64b"
head -c $((1024 * 1024)) /dev/urandom >"$SRV/www/1m"
head -c $((100 * 1024 * 1024)) /dev/urandom >"$SRV/www/100m"
MASK=1$(printf '%*s' "$SERVER_CPU" '' | tr ' ' 0)
USER_LINE=; [ "$(id -u)" = 0 ] && USER_LINE="user root;"
cat >"$SRV/nginx.conf" <<EOF
$USER_LINE
worker_processes 1;
worker_cpu_affinity $MASK;
daemon off;
pid $SRV/nginx.pid;
error_log $SRV/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000;
    keepalive_timeout 300s;
    client_body_temp_path $SRV/tmp;
    proxy_temp_path $SRV/tmp;
    fastcgi_temp_path $SRV/tmp;
    uwsgi_temp_path $SRV/tmp;
    scgi_temp_path $SRV/tmp;
    default_type application/octet-stream;
    server { listen 127.0.0.1:$P1; root $SRV/www; }
    server { listen 127.0.0.1:$P2 http2; root $SRV/www; }
}
EOF
taskset -c "$SERVER_CPU" nginx -c "$SRV/nginx.conf" -p "$SRV" &
NGINX_PID=$!
export BENCH_H1=http://127.0.0.1:$P1 BENCH_H2=http://127.0.0.1:$P2
export BENCH_BIN=$BUILD BENCH_PY=$VENV/bin/python BENCH_QUICK=${QUICK:-0}
for _ in $(seq 100); do
    "$BUILD/raw_curl_debian" seq "$BENCH_H1/64b" 1 1 1 64 check check 0 >/dev/null 2>&1 && break
    sleep 0.05
done
"$BUILD/raw_curl_debian" seq "$BENCH_H1/64b" 1 1 1 64 check check 0 >/dev/null ||
    { log "nginx (HTTP/1.1) does not answer"; cat "$SRV/error.log" >&2; exit 1; }
"$BUILD/raw_curl_bundled" seq "$BENCH_H2/64b" 1 1 2 64 check check 0 >/dev/null ||
    { log "nginx (h2c) does not answer"; cat "$SRV/error.log" >&2; exit 1; }
log "nginx $BENCH_H1 (HTTP/1.1), $BENCH_H2 (h2c), worker on CPU $SERVER_CPU; clients on CPU $CLIENT_CPU"

# ------------------------------------------------------------ machine
{
    echo "nproc=$(nproc)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "kernel=$(uname -srm)"
    echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "curl_bundled=$("$BUILD/raw_curl_bundled" version)"
    echo "curl_debian=$("$BUILD/raw_curl_debian" version)"
    echo "reqc=$("$BUILD/reqc_client" version)"
    echo "nginx=$(nginx -v 2>&1 | sed 's/.*version: //')"
    echo "wrk=$(wrk -v 2>&1 | head -1 | awk '{print $2}')"
    echo "h2load=$(h2load --version 2>&1 | head -1)"
    echo "go=$([ -x "$BUILD/gobench" ] && "$GO" version || echo none)"
    echo "python=$("$VENV/bin/python" -c 'import sys, requests, pycurl; print(sys.version.split()[0], "requests", requests.__version__, "|", pycurl.version)')"
    echo "ruby=$(ruby -e 'require "ffi"; require "typhoeus"; print RUBY_DESCRIPTION.split[0, 2].join(" "), ", ffi ", FFI::VERSION, ", typhoeus ", Typhoeus::VERSION, ", ethon ", Ethon::VERSION' 2>/dev/null || echo none)"
    echo "cc=$(cc --version | head -1)"
    echo "cxx=$(g++ --version | head -1)"
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "quick=${QUICK:-0}"
} >"$OUT/machine.txt"

# ------------------------------------------------------------ run
log "running scenarios (rounds: ${BENCH_ROUNDS:-default})"
python3 "$BENCH/bench.py" run "$OUT/results.jsonl"

rm -f "$OUT/profile.json"
if [ "$PROFILE" = 1 ]; then
    log "callgrind profile (instructions per request)"
    python3 "$BENCH/bench.py" profile "$OUT/profile.json" || log "WARNING: profile failed"
fi

mkdir -p "$(dirname "$REPORT")"
python3 "$BENCH/report.py" "$OUT/results.jsonl" "$OUT/machine.txt" "$OUT/profile.json" >"$REPORT"
log "report: $REPORT ($(($(date +%s) - T0)) s in all)"
cat "$REPORT"
