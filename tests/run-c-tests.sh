#!/usr/bin/env bash
# Runs compiled C test programs against libreqc's test server:
#
#   tests/run-c-tests.sh [--valgrind] [--httpbin] [--lib-dir DIR] [--bin-dir DIR] PROGRAM...
#
# PROGRAM is a name in --bin-dir (default tests/c/bin) or a path; with none,
# every program in --bin-dir runs. Programs find libreqc through
# LD_LIBRARY_PATH=--lib-dir (default target/release) and the servers through
# the REQC_TEST_* variables (see tests/with-server.sh and tests/c/check.h).
#
# Closing line: "N passed, N failed, N skipped" summed over the programs' own
# summary lines (check_summary() in tests/c/check.h), so N counts tests. A
# program that exits non-zero although its own line showed no failure (a
# crash, a valgrind error, a timeout) adds one to "failed".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
valgrind=() server_mode=() lib_dir=$root/target/release bin_dir=$root/tests/c/bin
while (($#)); do
    case $1 in
    --valgrind)
        # No suppression files: a leak or error in libreqc or its libcurl fails.
        valgrind=(valgrind --error-exitcode=1 --leak-check=full
            --errors-for-leak-kinds=definite --track-origins=yes --quiet)
        # Tests shrink their loops under valgrind (see tests/c/check.h).
        export REQC_SMALL=1
        shift ;;
    --httpbin) server_mode=(--httpbin); shift ;;
    --lib-dir) lib_dir=$2; shift 2 ;;
    --bin-dir) bin_dir=$2; shift 2 ;;
    -*) echo "run-c-tests: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
programs=("$@")
if ((${#programs[@]} == 0)); then
    for f in "$bin_dir"/*; do [[ -x $f ]] && programs+=("$f"); done
fi
if ((${#programs[@]} == 0)); then
    echo "run-c-tests: no test programs in $bin_dir" >&2
    exit 1
fi
# Absolute, as the programs' working directory should not matter.
lib_dir=$(realpath "$lib_dir")

source "$here/with-server.sh"
log=$(mktemp)
trap 'stop_servers; rm -f "$log"' EXIT
start_servers "${server_mode[@]}"

passed=0 failed=0 skipped=0 failed_programs=()
for prog in "${programs[@]}"; do
    [[ $prog == */* ]] || prog=$bin_dir/$prog
    echo "=== $(basename "$prog")${valgrind:+ (valgrind)}${server_mode:+ (httpbin)}"
    # A hung test must not hang CI: 10 minutes per program (valgrind is slow).
    # The program does not inherit the server's stdin (see with-server.sh).
    rc=0
    LD_LIBRARY_PATH=$lib_dir timeout --kill-after=10 "${REQC_TEST_TIMEOUT:-600}" \
        "${valgrind[@]}" "$prog" 2>&1 {SERVER_IN}>&- | tee "$log" || rc=${PIPESTATUS[0]}
    # The program's own "N passed, N failed, N skipped" line, if it got that far.
    p=0 f=0 s=0
    read -r p f s < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' \
        "$log" | tail -n1) || true
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    if ((rc != 0)); then
        failed_programs+=("$(basename "$prog") (exit $rc)")
        ((f > 0)) || failed=$((failed + 1))
    fi
done

echo "=== all ${#programs[@]} programs${valgrind:+ (valgrind)}${server_mode:+ (httpbin)}"
if ((${#failed_programs[@]})); then
    echo "FAILED programs: ${failed_programs[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
((${#failed_programs[@]} == 0))
