#!/usr/bin/env bash
# The install check (`make check-install`, part of `make test`): install
# libreqc into a temporary prefix the way a user would, move the prefix (the
# package must be relocatable), then build and run, against the test server:
#   - a C program through pkg-config, shared (reqc) and static (reqc-static);
#   - C and C++ programs through CMake find_package(reqc): reqc::reqc and
#     reqc::reqc_static;
#   - with the vendored flavour, static programs that need no libcurl, libssl,
#     libcrypto or libz at all: checked with ldd and run in an empty
#     environment;
# and finally uninstall, which must leave nothing behind.
#
#   tests/install/check.sh DEFAULT_BUILD_DIR VENDORED_BUILD_DIR VERSION
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
default_build=$root/${1:?default build dir}
vendored_build=$root/${2:?vendored build dir}
version=${3:?version}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-install: FAIL: $*" >&2; exit 1; }
step() { echo "check-install: $*"; }

install_into() { # $1 prefix, $2 build dir, $3 flavour
    PREFIX=$1 BUILD=$2 FLAVOUR=$3 VERSION=$version packaging/install.sh install >/dev/null
}

# Only libc-level libraries may be needed by a vendored static program.
no_foreign_libs() { # $1 program
    if ldd "$1" | grep -Eq 'libreqc|libcurl|libssl|libcrypto|libz\.|libnghttp2'; then
        ldd "$1"; fail "$1 needs a shared library it should have inside"
    fi
}

# The test server (started once for every program below).
# shellcheck source=../with-server.sh
source tests/with-server.sh
trap 'stop_servers; rm -rf "$tmp"' EXIT
start_servers
base=$REQC_TEST_URL

# 1. The default flavour, installed under one name and used under another.
install_into "$tmp/staged" "$default_build" system-ssl
mv "$tmp/staged" "$tmp/prefix"
prefix=$tmp/prefix
[ "$(readlink "$prefix/lib/libreqc.so")" = libreqc.so.0 ] || fail "libreqc.so does not point at libreqc.so.0"
[ "$(readlink "$prefix/lib/libreqc.so.0")" = "libreqc.so.$version" ] || fail "libreqc.so.0 does not point at libreqc.so.$version"
if grep -rq "$root" "$prefix/lib/pkgconfig" "$prefix/lib/cmake"; then fail "a build path is baked into the package files"; fi

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
step "pkg-config reqc: $(pkg-config --cflags --libs reqc)"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror tests/install/app.c -o "$tmp/pc_shared" $(pkg-config --cflags --libs reqc)
LD_LIBRARY_PATH=$prefix/lib "$tmp/pc_shared" "$base" || fail "pkg-config shared program"
step "pkg-config reqc-static: $(pkg-config --cflags --libs reqc-static)"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror tests/install/app.c -o "$tmp/pc_static" $(pkg-config --cflags --libs reqc-static)
! ldd "$tmp/pc_static" | grep -q libreqc || fail "the static program links libreqc.so"
"$tmp/pc_static" "$base" || fail "pkg-config static program"
unset PKG_CONFIG_PATH

step "CMake find_package(reqc) against $prefix"
cmake -S tests/install -B "$tmp/cmake-default" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror -pedantic" >/dev/null
cmake --build "$tmp/cmake-default" -j2 >/dev/null
for app in app_shared app_cxx; do
    "$tmp/cmake-default/$app" "$base" || fail "CMake $app"
done
for app in app_static app_cxx_static; do
    ! ldd "$tmp/cmake-default/$app" | grep -q libreqc || fail "CMake $app links libreqc.so"
    "$tmp/cmake-default/$app" "$base" || fail "CMake $app"
done

# 2. Uninstall removes exactly what install wrote (the relocated prefix is
# uninstalled by its new name).
PREFIX=$prefix BUILD=$default_build FLAVOUR=system-ssl VERSION=$version packaging/install.sh uninstall >/dev/null
left=$(find "$prefix" -type f -o -type l)
[ -z "$left" ] || fail "uninstall left: $left"

# 3. The vendored flavour: static programs with nothing but libc-level libraries.
install_into "$tmp/vendored" "$vendored_build" vendored
prefix=$tmp/vendored
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
step "vendored: pkg-config reqc-static: $(pkg-config --libs reqc-static)"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror tests/install/app.c -o "$tmp/vendored_pc" $(pkg-config --cflags --libs reqc-static)
unset PKG_CONFIG_PATH
cmake -S tests/install -B "$tmp/cmake-vendored" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cmake-vendored" -j2 --target app_static app_cxx_static >/dev/null
for app in "$tmp/vendored_pc" "$tmp/cmake-vendored/app_static" "$tmp/cmake-vendored/app_cxx_static"; do
    no_foreign_libs "$app"
    # An empty environment: no LD_LIBRARY_PATH, no PATH, nothing to find a
    # libcurl or libssl by.
    env -i "$app" "$base" || fail "$app in an empty environment"
done
step "vendored static programs need only: $(ldd "$tmp/vendored_pc" | awk '{print $1}' | tr '\n' ' ')"
PREFIX=$prefix BUILD=$vendored_build FLAVOUR=vendored VERSION=$version packaging/install.sh uninstall >/dev/null

echo "check-install: 1 passed, 0 failed"
