#!/usr/bin/env bash
# Regenerates link/hot-code.order: the functions of libreqc.so that common
# work runs (sequential sends, batches, sourced batches, downloads, pulls,
# over HTTP/1.1 and h2c), hottest first. build.rs hands the file to the
# linker (lld's --symbol-ordering-file), which lays these functions out
# together at the start of .text.
#
# Why: the kernel maps a shared library's code into a process in 64 KiB
# windows around each page it touches. Left in link order, the ~0.5 MB of
# code a request runs is spread over ~2.1 MB of windows of libreqc.so's
# 3 MB of text; laid out together it fits in ~0.6 MB. That is 1.5 MB less
# resident memory in every process that loads libreqc.so (bench/FINDINGS.md).
#
# Rust symbol names carry a hash of the crate's build metadata (rustc
# version, dependency versions, features), so rerun this after changing
# any of them; `make check-hot-code` says when the list has gone stale.
# Needs valgrind and a built library (`make build`).
#
# Usage: link/hot-code.sh           rewrite link/hot-code.order
#        link/hot-code.sh --check   fail if the committed list names less
#                                   than 99% of the hot code of this build,
#                                   or if the build did not lay it out together
set -euo pipefail
CHECK=${1:-}
cd "$(dirname "$0")/.."
LIB=$PWD/target/release/libreqc.so
[ -f "$LIB" ] || { echo "no $LIB: run make build first" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cc -O2 -g -std=gnu11 -Iinclude -o "$WORK/client" bench/reqc_client.c \
    -Ltarget/release -lreqc -lpthread -Wl,-rpath,"$PWD/target/release"

# One callgrind run per kind of work; mangled names (--demangle=no) are what
# the linker matches.
tests/with-server.sh bash -c '
    set -e
    run() { valgrind --tool=callgrind --demangle=no --callgrind-out-file="$1" \
        "'"$WORK"'/client" "${@:2}" x x 1 >/dev/null 2>&1; }
    n=0
    for http in 1 2; do
        for mode in seq seq_reuse; do
            run "'"$WORK"'/cg.$((n++))" $mode "$REQC_TEST_URL/bytes/64" 200 1 $http 64
        done
        for mode in batch batch_source; do
            run "'"$WORK"'/cg.$((n++))" $mode "$REQC_TEST_URL/bytes/64" 500 64 $http 64
        done
        for mode in get_mem get_stream get_pull; do
            run "'"$WORK"'/cg.$((n++))" $mode "$REQC_TEST_URL/bytes/102400" 20 1 $http 102400
        done
    done
    # Most HTTP/1.1 servers (nginx, Apache) answer "Connection: keep-alive",
    # which libcurl parses on a path of its own (Curl_compareheader): ~2
    # more 64 KiB windows of code per process when it is not in the list.
    ka="$REQC_TEST_URL/response-headers?Connection=keep-alive"
    size=$(python3 -c "import sys, urllib.request as u; print(len(u.urlopen(sys.argv[1]).read()))" "$ka")
    run "'"$WORK"'/cg.$((n++))" seq "$ka" 200 1 1 "$size"
    run "'"$WORK"'/cg.$((n++))" batch_source "$ka" 500 64 1 "$size"
'

OUT=link/hot-code.order
[ "$CHECK" = --check ] && OUT=$WORK/fresh.order
python3 - "$WORK" "$LIB" > "$OUT" <<'PY'
import glob, re, subprocess, sys
work, lib = sys.argv[1], sys.argv[2]
cost = {}  # mangled name -> self instructions over all runs
for path in sorted(glob.glob(work + "/cg.*")):
    objs, fns, ob, fn, skip = {}, {}, None, None, False
    for line in open(path, errors="replace"):
        m = re.match(r"^(c?ob|c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if m:
            kind, ident, name = m.groups()
            if kind.endswith("ob"):
                if name:
                    objs[ident] = name
                if kind == "ob":
                    ob = objs[ident]
            else:
                # A name is first given where it is met, often as a callee
                # (cfn=) of another object's function (reqc_* from the
                # client): the object its cost belongs to is the current
                # ob= at its fn= line, not the one where it was named.
                if name:
                    fns[ident] = name
                if kind == "fn":
                    # "name'2": callgrind's mark of a recursion level.
                    fn = (re.sub(r"'\d+$", "", fns[ident]), ob)
            continue
        if line.startswith("calls="):
            skip = True  # the next cost line is the callee's, inclusive
            continue
        if re.match(r"^[+-]?\d|^\*", line):
            if skip:
                skip = False
            elif fn and fn[1] and fn[1].endswith("libreqc.so"):
                parts = line.split()
                if len(parts) >= 2:
                    cost[fn[0]] = cost.get(fn[0], 0) + int(parts[1])
nm = subprocess.run(["nm", "--defined-only", lib], capture_output=True, text=True).stdout
defined = {p[2] for p in (l.split() for l in nm.splitlines()) if len(p) == 3 and p[1] in "tTW"}
names = sorted((n for n in cost if n in defined), key=lambda n: (-cost[n], n))
# Run by real batches but not reliably by the profiled ones: libcurl closes
# the oldest idle connection when a transfer ends with the pool over 4x the
# transfers still running (the end of a batch; under valgrind's timing it
# may not happen). Left out, it costs a 64 KiB window of its own.
names += [n for n in ("cpool_get_oldest_idle",) if n in defined and n not in names]
print("# Generated by link/hot-code.sh: libreqc.so's hot functions, hottest")
print("# first, for the linker's --symbol-ordering-file (see build.rs).")
print("\n".join(names))
PY
if [ "$CHECK" != --check ]; then
    echo "link/hot-code.order: $(grep -vc '^#' link/hot-code.order) functions"
    exit 0
fi
# The share of this build's hot code (by size) the committed list names.
python3 - "$OUT" link/hot-code.order "$LIB" <<'PY'
import os, subprocess, sys
fresh, committed, lib = sys.argv[1:4]
names = lambda f: {l.strip() for l in open(f) if l.strip() and not l.startswith("#")}
size = {}
for l in subprocess.run(["nm", "-S", "--defined-only", lib], capture_output=True, text=True).stdout.splitlines():
    p = l.split()
    if len(p) == 4:
        size[p[3]] = int(p[1], 16)
hot, listed = names(fresh), names(committed)
total = sum(size.get(n, 0) for n in hot)
covered = sum(size.get(n, 0) for n in hot & listed)
share = covered / total if total else 1.0
print(f"link/hot-code.order names {share:.0%} of this build's hot code "
      f"({covered} of {total} bytes, {len(hot - listed)} hot functions unlisted)")
# 99%: a few stray functions cost more than their size, each can pull a
# 64 KiB window of the file into memory. A list that named 96% (36 hot
# functions renamed by one change) left a 10,000-item batch's peak RSS
# ~600 KiB higher (7.99 against 7.38 MiB, bench section (d)).
if share < 0.99:
    print("stale: run link/hot-code.sh and commit link/hot-code.order")
    sys.exit(1)

# And the linker laid them out together: the listed functions present span
# about their own size (left in link order they spanned ~6 times it).
where = []
for l in subprocess.run(["nm", "-S", "--defined-only", lib], capture_output=True, text=True).stdout.splitlines():
    p = l.split()
    if len(p) == 4 and p[2] in "tTW" and p[3] in listed:
        where.append((int(p[0], 16), int(p[1], 16)))
span = max(a + s for a, s in where) - min(a for a, _ in where)
size = sum(s for _, s in where)
print(f"the listed functions ({size} bytes) lie within {span} bytes of .text")
if span > 1.5 * size and os.environ.get("REQC_HOT_CODE_ORDER") != "0" and os.uname().machine == "x86_64":
    print("not laid out together: build.rs did not hand the list to the linker "
          "(is the linker rustc's lld? see hot_code_first in build.rs)")
    sys.exit(1)
PY
