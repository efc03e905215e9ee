#!/usr/bin/env bash
# Installs or uninstalls libreqc: `packaging/install.sh install|uninstall|list`.
# The Makefile's `install` and `uninstall` targets call it; one list of files
# (below) serves all three verbs, so uninstall removes exactly what install
# wrote. Everything installed is relocatable: the .pc file and the CMake
# package find the prefix from their own location, never from a build path.
#
# Environment (the Makefile passes these):
#   PREFIX   where to install (default /usr/local)
#   LIBDIR   library directory (default $PREFIX/lib)
#   INCLUDEDIR header directory (default $PREFIX/include)
#   DESTDIR  staging root prepended to every path (packagers)
#   BUILD    the cargo output directory holding libreqc.so and libreqc.a
#   FLAVOUR  "system-ssl" (libreqc.a needs the system's OpenSSL and zlib) or
#            "vendored" (libreqc.a has them inside); decides the static link line
#   VERSION  libreqc's version (Cargo.toml)
set -euo pipefail
cd "$(dirname "$0")/.."

verb=${1:?usage: packaging/install.sh install|uninstall|list}
PREFIX=${PREFIX:-/usr/local}
LIBDIR=${LIBDIR:-$PREFIX/lib}
INCLUDEDIR=${INCLUDEDIR:-$PREFIX/include}
DESTDIR=${DESTDIR:-}
BUILD=${BUILD:-target/release}
FLAVOUR=${FLAVOUR:-system-ssl}
VERSION=${VERSION:?VERSION is required}
MAJOR=${VERSION%%.*}

case "$FLAVOUR" in
  system-ssl) static_libs="-lssl -lcrypto -lz -lpthread -ldl -lm"; requires_private="libssl libcrypto zlib"
              flavour_text="OpenSSL and zlib from the system" ;;
  vendored)   static_libs="-lpthread -ldl -lm"; requires_private=""
              flavour_text="OpenSSL and zlib inside too" ;;
  *) echo "install.sh: FLAVOUR must be system-ssl or vendored, not '$FLAVOUR'" >&2; exit 2 ;;
esac

# The relative path from a directory under $PREFIX back to $PREFIX, so the
# .pc file and the CMake package work wherever the tree is moved.
relative_up() { # $1: a directory inside $PREFIX
  local rel=${1#"$PREFIX"/} up="" part
  IFS=/ read -ra parts <<<"$rel"
  for part in "${parts[@]}"; do [ -n "$part" ] && up="$up/.."; done
  echo "${up#/}"
}
case "$LIBDIR/" in "$PREFIX"/*) ;; *) echo "install.sh: LIBDIR must be inside PREFIX" >&2; exit 2 ;; esac
case "$INCLUDEDIR/" in "$PREFIX"/*) ;; *) echo "install.sh: INCLUDEDIR must be inside PREFIX" >&2; exit 2 ;; esac
lib_rel=${LIBDIR#"$PREFIX"/}
include_rel=${INCLUDEDIR#"$PREFIX"/}

# Every installed file, "destination<TAB>source-or-generator".
files() {
  printf '%s\t%s\n' \
    "$INCLUDEDIR/reqc.h" "include/reqc.h" \
    "$LIBDIR/libreqc.so.$VERSION" "$BUILD/libreqc.so" \
    "$LIBDIR/libreqc.so.$MAJOR" "@link libreqc.so.$VERSION" \
    "$LIBDIR/libreqc.so" "@link libreqc.so.$MAJOR" \
    "$LIBDIR/libreqc.a" "$BUILD/libreqc.a" \
    "$LIBDIR/pkgconfig/reqc.pc" "@pc reqc.pc.in" \
    "$LIBDIR/pkgconfig/reqc-static.pc" "@pc reqc-static.pc.in" \
    "$LIBDIR/cmake/reqc/reqcConfig.cmake" "@cmake-config" \
    "$LIBDIR/cmake/reqc/reqcConfigVersion.cmake" "@cmake-version"
  [ -f include/reqc.json ] && printf '%s\t%s\n' "$INCLUDEDIR/reqc.json" "include/reqc.json"
  [ -f bindings/cpp/include/reqc.hpp ] && printf '%s\t%s\n' "$INCLUDEDIR/reqc.hpp" "bindings/cpp/include/reqc.hpp"
  return 0
}

generate() { # $1: generator name, $2: destination path (without DESTDIR)
  local dir; dir=$(dirname "$2")
  case "$1" in
    "@pc "*) sed -e "s|@PREFIX_FROM_PCFILEDIR@|\${pcfiledir}/$(relative_up "$dir")|" \
             -e "s|@LIB_REL@|$lib_rel|" -e "s|@INCLUDE_REL@|$include_rel|" \
             -e "s|@VERSION@|$VERSION|" -e "s|@LIBS_PRIVATE@|$static_libs|" \
             -e "s|@REQUIRES_PRIVATE@|$requires_private|" -e "s|@FLAVOUR_TEXT@|$flavour_text|" \
             "packaging/${1#@pc }" ;;
    @cmake-config) sed -e "s|@PREFIX_FROM_HERE@|$(relative_up "$dir")|" \
             -e "s|@LIB_REL@|$lib_rel|" -e "s|@INCLUDE_REL@|$include_rel|" \
             -e "s|@VERSION@|$VERSION|" -e "s|@MAJOR@|$MAJOR|" -e "s|@FLAVOUR@|$FLAVOUR|" \
             packaging/reqcConfig.cmake.in ;;
    @cmake-version) sed -e "s|@VERSION@|$VERSION|" packaging/reqcConfigVersion.cmake.in ;;
  esac
}

case "$verb" in
  list) files | cut -f1 ;;
  install)
    for f in "$BUILD/libreqc.so" "$BUILD/libreqc.a" include/reqc.h; do
      [ -f "$f" ] || { echo "install.sh: $f is missing: run make build first" >&2; exit 1; }
    done
    files | while IFS=$'\t' read -r dest src; do
      mkdir -p "$DESTDIR$(dirname "$dest")"
      case "$src" in
        "@link "*) ln -sfn "${src#@link }" "$DESTDIR$dest" ;;
        @*) generate "$src" "$dest" >"$DESTDIR$dest"; chmod 644 "$DESTDIR$dest" ;;
        *.so) install -m 755 "$src" "$DESTDIR$dest" ;;
        *) install -m 644 "$src" "$DESTDIR$dest" ;;
      esac
      echo "installed $DESTDIR$dest"
    done ;;
  uninstall)
    files | cut -f1 | while read -r dest; do
      if [ -e "$DESTDIR$dest" ] || [ -L "$DESTDIR$dest" ]; then rm -f "$DESTDIR$dest"; echo "removed $DESTDIR$dest"; fi
    done
    # Only the directories that are libreqc's own, and only when empty.
    rmdir "$DESTDIR$LIBDIR/cmake/reqc" 2>/dev/null || true ;;
  *) echo "usage: packaging/install.sh install|uninstall|list" >&2; exit 2 ;;
esac
