# libreqc's build and test entry points. `make demo` and `make test` are the
# two to know; see README.md. Every target installs what it needs if missing.

# bash, for PIPESTATUS in the fuzz target.
SHELL := /bin/bash

CARGO ?= cargo
CC ?= cc

RELEASE := target/release
LIB := $(RELEASE)/libreqc.so
SYSTEM_TARGET := target/system-curl
# A debug build: it compiles in half the CPU of a release one (127 s against
# 280 from a fresh clone), and its C-test run adds Rust's overflow checks and
# debug assertions to what the other runs check.
SYSTEM_LIB_DIR := $(SYSTEM_TARGET)/debug
SYSTEM_LIB := $(SYSTEM_LIB_DIR)/libreqc.so
# libreqc.so.N, N from build.rs (docs/ABI.md: the soname rule).
SONAME := libreqc.so.$(shell sed -n 's/^const SONAME_MAJOR: &str = "\([0-9]*\)";/\1/p' build.rs)

# The C tests: every tests/c/*.c is one program, plus the programs generated
# from the header (build/gen/NAME.c by tests/gen/NAME.py).
GEN_TESTS := $(patsubst tests/gen/%.py,%,$(wildcard tests/gen/*.py))
C_TESTS := $(patsubst tests/c/%.c,%,$(wildcard tests/c/*.c)) $(GEN_TESTS)
C_FLAGS := -std=c11 -Wall -Wextra -Werror -g -Iinclude -Itests/c
C_LIBS := -lreqc -lpthread

# The stages of `make test`, in order (lint first: it fails fastest).
STAGES := lint build check-header check-symbols check-abi check-static check-hot-code rust-tests c-tests c-tests-asan \
	cpp-tests ruby-tests go-tests c-tests-system-curl check-install fuzz

# The C side of the C tests built with AddressSanitizer and UBSan, once.
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# The C++ API's suite (bindings/cpp, GoogleTest through CMake): g++ in C++17,
# under ASan/UBSan and static; clang++ in C++20 (REQC_CPP_ALL=1: every one).
CPP_EXAMPLES := $(patsubst examples/cpp/%.cpp,%,$(wildcard examples/cpp/*.cpp))
CXX_FLAGS := -std=c++17 -Wall -Wextra -Werror -pedantic -g -Iinclude -Ibindings/cpp/include

# The Go binding (bindings/go) finds libreqc through pkg-config; for the
# build tree, build/pkgconfig holds uninstalled reqc.pc (libreqc.so, with an
# rpath to it) and reqc-static.pc (libreqc.a by path, for -tags reqc_static).
GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
GO_PC_DIR := build/pkgconfig
GO_ENV := PKG_CONFIG_PATH=$(CURDIR)/$(GO_PC_DIR)

# Fuzzing is time-boxed: 60 s a target in `make fuzz`, 20 s in `make test`
# (which must stay under 30 minutes on two cores; building the targets takes
# most of the stage); `make fuzz FUZZ_SECONDS=3600` digs deeper.
FUZZ_SECONDS ?= 60
TEST_FUZZ_SECONDS := 20
FUZZ_TARGETS := $(patsubst fuzz/fuzz_targets/%.rs,%,$(wildcard fuzz/fuzz_targets/*.rs))

# A regenerated include/reqc.h fails the build in CI and in `make test`, not
# in a developer's `make build`, where the header legitimately changes.
STRICT_HEADER ?= $(if $(CI),1,)

# Installs Debian packages that are missing: $(call need,PKG...).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_INSTALL := $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq
need = @for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing$$missing"; $(APT_INSTALL) $$missing; fi

# Generated from include/reqc.json by `make build`, committed like the header.
RUBY_API := bindings/ruby/lib/reqc/native/api.rb

# cargo builds in parallel itself; make's steps must run in order.
.NOTPARALLEL:
FORCE:
.PHONY: background-build-deps fuzz-build go-pc go-tests bench all build lint check-header check-symbols check-abi abi-baseline check-static check-hot-code hot-code c-tests c-tests-asan cpp-tests ruby-tests ruby-deps c-tests-system-curl fuzz \
	rust-tests test demo clean distclean build-deps system-curl-lib install uninstall vendored-lib \
	check-install

all: build

build-deps:
	$(call need,pkg-config libssl-dev)

# The library (with libcurl built in) and the test server.
build: build-deps
	$(CARGO) build --release --workspace
	@# The C programs link to the soname; cargo makes only libreqc.so.
	ln -sf libreqc.so $(RELEASE)/$(SONAME)
	@# The Ruby binding's ffi table follows include/reqc.json (when Ruby is here).
	@! command -v ruby >/dev/null 2>&1 || ruby bindings/ruby/tools/generate.rb >/dev/null
	@if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --quiet -- include/ $(RUBY_API); then \
		echo "include/reqc.h changed: commit the regenerated header (and $(RUBY_API))"; \
		git diff --stat -- include/ $(RUBY_API); \
		if [ -n "$(STRICT_HEADER)" ]; then exit 1; fi; \
	fi

lint: build-deps
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy
	$(CARGO) fmt --all -- --check
	@# Every target: the integration tests and the test server's too.
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings
	@# The fuzz targets are their own crate, built only by the fuzz stage at
	@# the end of `make test`: checked here, a change of core's API that
	@# breaks them fails in the first minute, not the twentieth. In the main
	@# target directory and profile, so the dependencies clippy just checked
	@# are not checked again (a fresh clone: 165 s of CPU down to 66).
	$(CARGO) check --release --manifest-path fuzz/Cargo.toml --bins --target-dir $(CURDIR)/target

# The header must compile cleanly as C11 and as C++17.
check-header:
	@mkdir -p build
	@printf '#include "reqc.h"\nint main(void) { return reqc_version() == 0; }\n' \
		>build/header-check.c
	gcc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude -c -o build/header-check-c.o build/header-check.c
	g++ -std=c++17 -Wall -Wextra -Werror -Iinclude -x c++ -c -o build/header-check-cxx.o build/header-check.c
	@echo "include/reqc.h compiles as C11 and C++17"

# Only reqc_* may be exported (the bundled libcurl stays hidden), and the
# soname carries the ABI's major version.
check-symbols: build
	@others=$$(nm -D --defined-only $(LIB) | awk '{print $$NF}' | grep -v '^reqc_' || true); \
	if [ -n "$$others" ]; then echo "$(LIB) exports symbols other than reqc_*:"; \
		echo "$$others"; exit 1; fi
	@readelf -d $(LIB) | grep -qF 'Library soname: [$(SONAME)]' || \
		{ echo "$(LIB): SONAME is not $(SONAME)"; readelf -d $(LIB) | grep SONAME; exit 1; }
	@[ "$(SONAME)" = "libreqc.so.$(firstword $(subst ., ,$(VERSION)))" ] || \
		{ echo "$(SONAME) is not libreqc.so.MAJOR for version $(VERSION) (docs/ABI.md)"; exit 1; }
	@echo "$(LIB): $$(nm -D --defined-only $(LIB) | wc -l) symbols, all reqc_*; SONAME $(SONAME)"

# The C ABI (each function's parameter and return types, the structs, the
# REQC_* constants' values; abi/dump.sh says how) against the committed
# baseline. Additions pass; anything else is a break that needs the soname
# rule of docs/ABI.md and a deliberate `make abi-baseline`.
ABI_BASELINE := abi/libreqc.abi
ABI_NOW := build/abi/libreqc.abi
check-abi: build
	$(call need,abigail-tools)
	@mkdir -p $(dir $(ABI_NOW))
	abi/dump.sh $(LIB) $(ABI_NOW)
	@[ -f $(ABI_BASELINE) ] || { echo "no $(ABI_BASELINE): run make abi-baseline and commit it"; exit 1; }
	@rc=0; abidiff --no-added-syms $(ABI_BASELINE) $(ABI_NOW) >$(ABI_NOW).diff 2>&1 || rc=$$?; \
	if [ $$rc -ne 0 ]; then cat $(ABI_NOW).diff; \
		echo "ABI changed: $(LIB) against $(ABI_BASELINE) (abidiff exit $$rc, report above)."; \
		echo "If deliberate, apply the soname rule in docs/ABI.md and run make abi-baseline."; \
		exit 1; fi
	@added=$$(abidiff $(ABI_BASELINE) $(ABI_NOW) | grep -c '^ *\[A\]' || true); \
	echo "ABI: compatible with $(ABI_BASELINE)$$( [ "$$added" -gt 0 ] && \
		echo " ($$added additions, recorded at the next make abi-baseline)")"

# Rewrites the committed baseline from the current build: only on purpose
# (a release, or a break with the soname rule applied; see docs/ABI.md).
abi-baseline: build
	$(call need,abigail-tools)
	abi/dump.sh $(LIB) $(ABI_BASELINE)
	@echo "wrote $(ABI_BASELINE): commit it with the change that made it"

# A program linked statically against libreqc.a (what native apps do) works:
# the bundled libcurl, nghttp2 and the Rust runtime are inside; OpenSSL and
# zlib come from the system.
STATIC_LIBS := -lssl -lcrypto -lz -lpthread -ldl -lm
check-static: build
	@mkdir -p build
	$(CC) $(C_FLAGS) -o build/smoke-static tests/c/smoke.c $(RELEASE)/libreqc.a $(STATIC_LIBS)
	@! ldd build/smoke-static | grep -q libreqc || { echo "build/smoke-static links libreqc.so"; exit 1; }
	tests/run-c-tests.sh build/smoke-static

# libreqc.so's hot functions are laid out together (build.rs, link/hot-code.sh
# says why: ~1.5 MB less resident memory per process). The committed list
# must still name the hot code of this build; `make hot-code` rewrites it.
check-hot-code: build
	$(call need,valgrind)
	link/hot-code.sh --check

hot-code: build
	$(call need,valgrind)
	link/hot-code.sh

rust-tests: build-deps
	$(CARGO) test --release --workspace

# Every compiled program is one rule of this shape:
#   $(call program,TARGETS,SOURCE,COMPILER AND FLAGS,LIBRARY DIR[,MORE PREREQUISITES])
# TARGETS is a pattern (dir/%) or a static pattern (list: dir/%). Always
# recompiled (a second or two): a binary left by another compiler
# invocation must not stand in for one built with these flags.
define program
$(1): $(2) $(5) FORCE
	@mkdir -p $$(@D)
	$(3) -o $$@ $$< -L$(4) $$(C_LIBS)
endef

# The C tests in one build directory: every tests/c/NAME.c, and the programs
# generated from the header (build/gen/NAME.c, so a new function is tested
# the day it exists): $(call c_tests,DIR,COMPILER AND FLAGS,LIBRARY DIR).
c_tests = $(eval $(call program,$(1)/%,tests/c/%.c,$(2),$(3))) \
	$(eval $(call program,$(addprefix $(1)/,$(GEN_TESTS)): $(1)/%,build/gen/%.c,$(2),$(3)))

build/gen/%.c: tests/gen/%.py include/reqc.h include/reqc.json FORCE
	@mkdir -p $(@D)
	python3 $< include/reqc.h $@
# Against the bundled-libcurl build, its C side also under ASan/UBSan, and
# against the system-curl build.
$(call c_tests,tests/c/bin,$$(CC) $$(C_FLAGS),$(RELEASE))
$(call c_tests,tests/c/bin-asan,$$(CC) $$(C_FLAGS) $$(ASAN_FLAGS),$(RELEASE))
$(call c_tests,tests/c/bin-system,$$(CC) $$(C_FLAGS),$(SYSTEM_LIB_DIR))

# Natively, under valgrind, and against PyPI's httpbin (which checks that
# the test server behaves like the real thing). The valgrind run, the longest,
# runs beside the other two: each run starts its own servers on its own ports,
# and valgrind keeps to one core, so on two cores this saves minutes. Its
# output is kept in a log and printed whole when it ends.
C_TESTS_VALGRIND_LOG := build/c-tests-valgrind.log
c-tests: build $(addprefix tests/c/bin/,$(C_TESTS))
	$(call need,valgrind)
	@# The httpbin venv needs ensurepip, which Debian's python3 has only with python3-venv.
	@python3 -c 'import ensurepip, venv' 2>/dev/null || { $(APT_INSTALL) python3-venv; }
	@mkdir -p build; rc=0; \
	tests/run-c-tests.sh --valgrind $(C_TESTS) >$(C_TESTS_VALGRIND_LOG) 2>&1 & vg=$$!; \
	tests/run-c-tests.sh $(C_TESTS) || rc=1; \
	tests/run-c-tests.sh --httpbin $(C_TESTS) || rc=1; \
	wait $$vg || rc=1; \
	echo "=== the valgrind run ($(C_TESTS_VALGRIND_LOG)):"; cat $(C_TESTS_VALGRIND_LOG); \
	exit $$rc

# The C tests once more, their C side under AddressSanitizer and UBSan (the
# Rust side is checked by valgrind above and by the fuzzers below).
c-tests-asan: build $(addprefix tests/c/bin-asan/,$(C_TESTS))
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run-c-tests.sh --bin-dir tests/c/bin-asan $(C_TESTS)

cpp-tests: build
	$(call need,libgtest-dev cmake nlohmann-json3-dev clang)
	bindings/cpp/run-tests.sh

# The Ruby binding (bindings/ruby, ruby-ffi): its generated ffi table is up
# to date with include/reqc.json, its minitest suite passes against the test
# server, and its gem builds and installs offline (bindings/ruby/run-tests.sh).
RUBY_PACKAGES := ruby ruby-ffi ruby-minitest rake
ruby-deps:
	$(call need,$(RUBY_PACKAGES))

ruby-tests: build ruby-deps
	bindings/ruby/run-tests.sh

# The .pc files of the build tree, for `go build` / `go test` of
# bindings/go without `make install`: PKG_CONFIG_PATH=$(CURDIR)/build/pkgconfig.
go-pc:
	@mkdir -p $(GO_PC_DIR)
	@printf '%s\n' 'Name: reqc' 'Description: libreqc, uninstalled (the build tree)' \
		'Version: $(VERSION)' 'Libs: -L$(CURDIR)/$(RELEASE) -Wl,-rpath,$(CURDIR)/$(RELEASE) -lreqc' \
		'Cflags: -I$(CURDIR)/include' >$(GO_PC_DIR)/reqc.pc
	@printf '%s\n' 'Name: reqc-static' 'Description: libreqc.a, uninstalled (the build tree)' \
		'Version: $(VERSION)' 'Libs: $(CURDIR)/$(RELEASE)/libreqc.a $(STATIC_LIBS)' \
		'Cflags: -I$(CURDIR)/include' >$(GO_PC_DIR)/reqc-static.pc
	@echo "wrote $(GO_PC_DIR)/reqc.pc and reqc-static.pc"

# The Go binding: gofmt, go vet, go test -race against the test server, then
# a test binary linked statically (-tags reqc_static) that must not need
# libreqc.so runs the examples and a test. Everything is built with -race so
# that the standard library is compiled once (the slow part in a fresh
# GOCACHE).
go-tests: build go-pc
	@command -v $(GO) >/dev/null || { echo "go-tests: no Go toolchain ($(GO))"; exit 1; }
	@fmt=$$(cd bindings/go && gofmt -l .); [ -z "$$fmt" ] || { echo "gofmt -l: $$fmt"; exit 1; }
	cd bindings/go && $(GO_ENV) $(GO) vet -race ./...
	cd bindings/go && $(GO_ENV) ../../tests/with-server.sh $(GO) test -race -count=1 ./...
	cd bindings/go && $(GO_ENV) $(GO) vet -tags reqc_static ./...
	cd bindings/go && $(GO_ENV) $(GO) test -c -race -tags reqc_static -o ../../build/go/reqc-static.test .
	@! ldd build/go/reqc-static.test | grep -q libreqc || { echo "build/go/reqc-static.test links libreqc.so"; exit 1; }
	cd bindings/go && ../../tests/with-server.sh ../../build/go/reqc-static.test -test.count=1

# Each fuzz target for FUZZ_SECONDS from its committed seed corpus (found
# inputs go to a scratch directory; a crash leaves its input in
# fuzz/artifacts/ and fails). cargo fuzz needs the nightly toolchain.
# The targets are built first (fuzz-build) with their whole output, so one
# that no longer compiles shows why (the runs keep only libFuzzer's summary
# lines).
NO_NIGHTLY := ! $(CARGO) +nightly --version >/dev/null 2>&1
fuzz-build:
	@if $(NO_NIGHTLY); then echo "fuzz: skipped: no nightly Rust toolchain here (cargo fuzz needs one)"; exit 0; fi; \
	command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked; \
	cd fuzz && $(CARGO) +nightly fuzz build -O

fuzz: fuzz-build
	@if $(NO_NIGHTLY); then exit 0; fi; \
	cd fuzz && for t in $(FUZZ_TARGETS); do \
		scratch=$$(mktemp -d); \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(CARGO) +nightly fuzz run -O $$t $$scratch corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 2>&1 | \
			grep -E 'DONE|Done|ERROR|panicked|SUMMARY|stat::number_of_executed_units|crash-' ; \
		rc=$${PIPESTATUS[0]}; rm -rf $$scratch; [ $$rc -eq 0 ] || exit $$rc; \
	done

system-curl-lib: build-deps
	$(call need,libcurl4-openssl-dev)
	$(CARGO) build --no-default-features --target-dir $(SYSTEM_TARGET)
	ln -sf libreqc.so $(SYSTEM_LIB_DIR)/$(SONAME)
	@ldd $(SYSTEM_LIB) | grep -E 'libcurl\.so\.4 => /' || \
		{ echo "$(SYSTEM_LIB) does not link the system libcurl:"; ldd $(SYSTEM_LIB); exit 1; }

# `build` for the test server; the C tests link the system-curl library.
c-tests-system-curl: build system-curl-lib $(addprefix tests/c/bin-system/,$(C_TESTS))
	tests/run-c-tests.sh --lib-dir $(SYSTEM_LIB_DIR) --bin-dir tests/c/bin-system $(C_TESTS)

# Every stage in order, each with a banner and its duration; stops at the
# first failure and ends with a table of the durations.
#
# The builds that only the last stages need (BACKGROUND_BUILDS: the
# system-curl and vendored libraries, the fuzz targets; about 15 minutes of
# CPU from a fresh clone) start once `build` has passed, in the background at
# SCHED_IDLE: the test stages in between leave a core idle most of the time
# (valgrind runs on one, the rest waits on sockets and timers), and an idle-
# class process runs only on a core nobody else wants, so no test is slowed.
# A stage that needs one of those builds makes it again: cargo's lock on the
# target directory makes it wait for a build still in progress and then find
# it fresh; a background build that failed fails there, with its output. The
# packages the background builds install come first, in the foreground, so two
# apt-gets never race. Its log: $(BACKGROUND_LOG). Measured in CI (with the
# debug system-curl build): c-tests-system-curl 190 -> 99 s, check-install
# 239 -> 9, fuzz 377 -> 132; the stages it overlaps ran ~10% slower.
BACKGROUND_BUILDS := system-curl-lib vendored-lib fuzz-build
BACKGROUND_LOG := build/background-builds.log
background-build-deps: build-deps
	$(call need,libcurl4-openssl-dev)

test:
	@set -e; times=""; bg=""; \
	stop_bg() { [ -z "$$bg" ] || kill -TERM -- -$$bg 2>/dev/null || true; }; \
	trap stop_bg EXIT; trap 'stop_bg; exit 130' INT TERM; \
	for stage in $(STAGES); do \
		echo; echo "===== $$stage"; start=$$(date +%s); \
		if ! $(MAKE) --no-print-directory $$stage STRICT_HEADER=1 FUZZ_SECONDS=$(TEST_FUZZ_SECONDS); then \
			echo "===== $$stage FAILED after $$(( $$(date +%s) - start )) s"; exit 1; fi; \
		secs=$$(( $$(date +%s) - start )); \
		echo "===== $$stage passed in $$secs s"; times="$$times$$stage $$secs s\n"; \
		if [ $$stage = build ]; then \
			$(MAKE) --no-print-directory background-build-deps; mkdir -p $(dir $(BACKGROUND_LOG)); \
			setsid chrt --idle 0 $(MAKE) --no-print-directory -k $(BACKGROUND_BUILDS) >$(BACKGROUND_LOG) 2>&1 & bg=$$!; \
			echo "===== building $(BACKGROUND_BUILDS) in the background at SCHED_IDLE ($(BACKGROUND_LOG))"; \
		fi; \
	done; \
	echo; echo "===== stage durations"; printf "$$times"

# The examples, the tour first, against one locally started test server.
EXAMPLES := tour $(filter-out tour,$(patsubst examples/%.c,%,$(wildcard examples/*.c)))
EXAMPLE_FLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -Iinclude
$(eval $(call program,build/examples/%,examples/%.c,$$(CC) $$(EXAMPLE_FLAGS),$(RELEASE)))
$(eval $(call program,build/examples/cpp/%,examples/cpp/%.cpp,$$(CXX) $$(CXX_FLAGS),$(RELEASE),bindings/cpp/include/reqc.hpp))

RUBY_EXAMPLES := tour $(filter-out tour,$(patsubst examples/ruby/%.rb,%,$(wildcard examples/ruby/*.rb)))
demo: build ruby-deps $(addprefix build/examples/,$(EXAMPLES)) $(addprefix build/examples/cpp/,$(CPP_EXAMPLES))
	tests/with-server.sh sh -c 'for e in $(EXAMPLES); do \
		printf "\n===== examples/%s.c\n" $$e; \
		LD_LIBRARY_PATH=$(RELEASE) build/examples/$$e || exit 1; done; \
		for e in $(CPP_EXAMPLES); do \
		printf "\n===== examples/cpp/%s.cpp\n" $$e; \
		LD_LIBRARY_PATH=$(RELEASE) build/examples/cpp/$$e || exit 1; done; \
		for e in $(RUBY_EXAMPLES); do \
		printf "\n===== examples/ruby/%s.rb\n" $$e; \
		LD_LIBRARY_PATH=$(RELEASE) ruby -Ibindings/ruby/lib examples/ruby/$$e.rb || exit 1; done'


# Installing. `make install PREFIX=/usr/local DESTDIR=` installs the header,
# libreqc.so.X.Y.Z with its .so.0 and .so links, libreqc.a, reqc.pc and
# reqc-static.pc, and the CMake package (reqc::reqc, reqc::reqc_static);
# `make uninstall` with the same variables removes exactly those files.
# FLAVOUR=vendored installs the fully static build (OpenSSL and zlib inside
# libreqc.a too; `make vendored-lib` builds it).
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
FLAVOUR ?= system-ssl
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
VENDORED_TARGET := target/vendored
INSTALL_BUILD = $(if $(filter vendored,$(FLAVOUR)),$(VENDORED_TARGET)/release,$(RELEASE))
INSTALL_ENV = PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) INCLUDEDIR=$(INCLUDEDIR) DESTDIR=$(DESTDIR) \
	BUILD=$(INSTALL_BUILD) FLAVOUR=$(FLAVOUR) VERSION=$(VERSION)

install: $(if $(filter vendored,$(FLAVOUR)),vendored-lib,build)
	$(INSTALL_ENV) packaging/install.sh install

uninstall:
	$(INSTALL_ENV) packaging/install.sh uninstall

# The fully static flavour: libcurl, nghttp2, OpenSSL and zlib all inside.
vendored-lib: build-deps
	$(CARGO) build --release --features vendored --target-dir $(VENDORED_TARGET)

# Install into a temporary prefix and build and run C and C++ programs
# through pkg-config and CMake, shared, static and vendored-static.
check-install: build vendored-lib
	$(call need,cmake pkg-config)
	tests/install/check.sh $(RELEASE) $(VENDORED_TARGET)/release $(VERSION)

# The benchmark against raw libcurl and the peers (not part of `make test`:
# no timed tests). Rewrites docs/BENCHMARKS.md; BENCH_QUICK=1 for a smoke run.
bench:
	bench/run.sh

clean:
	$(CARGO) clean
	rm -rf build tests/c/bin tests/c/bin-system tests/c/bin-asan fuzz/target

# Also the httpbin venv, which tests/httpbin.sh recreates on demand.
distclean: clean
	rm -rf .venv/httpbin
