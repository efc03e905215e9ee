#!/usr/bin/env bash
# Checks that reqc.hpp covers the C API (tests/coverage.py), then builds
# the C++ suite with CMake and runs it against libreqc's test server: g++
# C++17 natively and under AddressSanitizer + UBSan, clang++ C++20, and g++
# C++17 linked statically to libreqc.a (checked with ldd: no libreqc.so, no
# libcurl); REQC_CPP_ALL=1 adds the rest. Extra arguments go to the test binary
# (e.g. --gtest_filter=Cpp.Map*). Needs `make build` first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
mkdir -p build/cpp
lib_dir=${REQC_LIB_DIR:-$root/target/release}

compilers=(g++)
command -v clang++ >/dev/null 2>&1 && compilers+=(clang++)

# Every C function of include/reqc.json is reachable from reqc.hpp, or is
# listed in coverage.py as left out on purpose, with the reason.
python3 bindings/cpp/tests/coverage.py

# reqc.hpp stands alone (includes what it uses) and is clean under stricter
# warnings than the suite's, in C++17 and C++20.
for cxx in "${compilers[@]}"; do
    for std in 17 20; do
        printf '#include "reqc.hpp"\nint main() { return reqc::version().empty(); }\n' |
            "$cxx" -std=c++$std -Wall -Wextra -Werror -pedantic -Wshadow -Wconversion \
                -Iinclude -Ibindings/cpp/include -x c++ -fsyntax-only -
    done
    echo "== reqc.hpp alone: clean with $cxx, C++17 and C++20"
done

# name  compiler  standard  sanitize  static
# In `make test` (which must stay under 30 minutes on two cores): g++ as
# C++17, under ASan/UBSan and statically linked; clang++ as C++20 (a second
# compiler and the newer standard at once; reqc.hpp alone is checked above
# with both compilers in both standards). REQC_CPP_ALL=1 runs every compiler
# in every configuration (C++17, C++20, ASan/UBSan) and the static build.
configs=()
for cxx in "${compilers[@]}"; do
    if [[ ${REQC_CPP_ALL:-} == 1 ]]; then
        configs+=("$cxx-17 $cxx 17 OFF OFF" "$cxx-20 $cxx 20 OFF OFF" "$cxx-17-asan $cxx 17 ON OFF")
    elif [[ $cxx == g++ ]]; then
        configs+=("$cxx-17 $cxx 17 OFF OFF" "$cxx-17-asan $cxx 17 ON OFF")
    else
        configs+=("$cxx-20 $cxx 20 OFF OFF")
    fi
done
configs+=("g++-17-static g++ 17 OFF ON")

for config in "${configs[@]}"; do
    read -r name cxx std san static <<<"$config"
    dir=build/cpp/$name
    echo "== C++ suite: $name"
    cmake -S bindings/cpp -B "$dir" -DCMAKE_CXX_COMPILER="$cxx" -DREQC_CXX_STANDARD="$std" \
        -DREQC_SANITIZE="$san" -DREQC_STATIC="$static" -DREQC_LIB_DIR="$lib_dir" -DCMAKE_BUILD_TYPE=Debug >"$dir.log" 2>&1 ||
        { cat "$dir.log"; exit 1; }
    nice cmake --build "$dir" >>"$dir.log" 2>&1 || { cat "$dir.log"; exit 1; }
    if [[ $static == ON ]] && ldd "$dir/reqc_cpp_tests" | grep -Eq 'libreqc|libcurl'; then
        ldd "$dir/reqc_cpp_tests"; echo "$dir/reqc_cpp_tests should have libreqc inside"; exit 1
    fi
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        LD_LIBRARY_PATH=$lib_dir tests/with-server.sh "$dir/reqc_cpp_tests" --gtest_brief=1 "$@"
done
