#!/usr/bin/env bash
# Instructions per sequential keep-alive GET of the reqc gem (callgrind):
# (Ir at 5N GETs - Ir at N) / 4N of bench/ruby/seq_loop.rb against the test
# server's /bytes/64, in total and outside libreqc's C calls (the total
# minus the inclusive Ir of reqc::ffi::boundary::guard, which every C API
# call runs in). The total moves by about +-1.5k between runs with the
# network's timing (how often libcurl polls); the part outside libreqc, the
# Ruby side and ruby-ffi, repeats to about +-0.5k with the GC running (when
# its runs fall differs) and to about +-10 with GC_OFF=1 (the GC disabled
# during the loop: for comparing two versions' work apart from the GC's).
#
#   [GC_OFF=1] bench/ruby/ir.sh [N]   (default 500; needs `make build` and valgrind)
#
# RUBY_LIB=dir measures another copy of the gem's lib/ (e.g. an older one).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
n=${1:-500}
lib=${RUBY_LIB:-$root/bindings/ruby/lib}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {
    tests/with-server.sh bash -c "GC_OFF=${GC_OFF:-} LD_LIBRARY_PATH='$root/target/release' valgrind --tool=callgrind \
        --callgrind-out-file='$out/cg.$1' ruby -I'$lib' bench/ruby/seq_loop.rb \"\$REQC_TEST_URL/bytes/64\" $1 \
        >/dev/null 2>'$out/err.$1'" 2>/dev/null || { cat "$out/err.$1" >&2; exit 1; }
    local total guard
    total=$(callgrind_annotate "$out/cg.$1" 2>/dev/null | grep 'PROGRAM TOTALS' | tr -d ',' | awk '{print $1}')
    guard=$(callgrind_annotate --inclusive=yes "$out/cg.$1" 2>/dev/null |
        grep 'reqc::ffi::boundary::guard \[' | tr -d ',' | awk '{print $1}')
    echo "$total $guard"
}
read -r a ag < <(run "$n")
read -r b bg < <(run $((5 * n)))
echo "reqc gem, sequential GET${GC_OFF:+ (GC off)}: $(((b - a) / (4 * n))) Ir/GET, $(((b - bg - a + ag) / (4 * n))) outside libreqc's C calls"
