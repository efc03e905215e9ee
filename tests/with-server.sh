#!/usr/bin/env bash
# Runs a command with libreqc's test servers up, and stops them afterwards:
#
#   tests/with-server.sh [--httpbin] CMD...
#
# The servers are libreqc's own test server (tests/server; binary from
# $REQC_TEST_SERVER_BIN, default target/release/reqc-test-server) or, with
# --httpbin, two instances of PyPI's httpbin (tests/httpbin.sh). Either prints
# one JSON line {"port":P,"port2":P2[,"control":C]} and serves on 127.0.0.1
# until its stdin reaches EOF. CMD sees REQC_TEST_URL, REQC_TEST_URL2 and
# REQC_TEST_CONTROL (not with --httpbin), or REQC_TEST_HTTPBIN=1.
#
# Other scripts source this file and call start_servers / stop_servers
# themselves (tests/run-c-tests.sh does), so the start logic lives only here.
set -euo pipefail

REQC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# start_servers [--httpbin]: starts the servers and exports the variables.
start_servers() {
    local cmd
    if [[ ${1:-} == --httpbin ]]; then
        cmd=("$REQC_ROOT/tests/httpbin.sh")
    else
        cmd=("${REQC_TEST_SERVER_BIN:-$REQC_ROOT/target/release/reqc-test-server}")
        if [[ ! -x ${cmd[0]} ]]; then
            echo "with-server: no test server at ${cmd[0]}: run 'make build'" >&2
            return 1
        fi
    fi

    # The server's stdin is a fifo whose only writer is this shell: when this
    # shell exits, however it exits, the server sees EOF and stops by itself.
    # Its stdout is a fifo too, so the first line can be read with a timeout.
    local tmp
    tmp=$(mktemp -d)
    mkfifo "$tmp/in" "$tmp/out"
    "${cmd[@]}" <"$tmp/in" >"$tmp/out" &
    SERVER_PID=$!
    exec {SERVER_IN}>"$tmp/in" {SERVER_OUT}<"$tmp/out"
    rm -rf "$tmp" # open fifos outlive their names

    local line=""
    # Up to 300 s: the first --httpbin run creates its venv with pip.
    if ! read -r -t 300 -u "$SERVER_OUT" line; then
        echo "with-server: ${cmd[0]} printed no ports line" >&2
        return 1
    fi
    exec {SERVER_OUT}<&- # nothing more is read; the server writes no more
    local port port2 control
    port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' <<<"$line")
    port2=$(sed -n 's/.*"port2":\([0-9]*\).*/\1/p' <<<"$line")
    control=$(sed -n 's/.*"control":\([0-9]*\).*/\1/p' <<<"$line")
    if [[ -z $port || -z $port2 ]]; then
        echo "with-server: cannot parse the ports line: $line" >&2
        return 1
    fi

    # The hostile, TLS and proxy listeners (libreqc's server only).
    local key value
    for key in hostile tls tls_self_signed tls_wrong_host tls_expired tls_client_auth tls_hostile tls12 silent proxy; do
        value=$(sed -n "s/.*\"$key\":\([0-9]*\).*/\1/p" <<<"$line")
        [[ -n $value ]] || continue
        case $key in
        hostile | proxy | silent) value="http://127.0.0.1:$value" ;;
        *) value="https://127.0.0.1:$value" ;;
        esac
        export "REQC_TEST_${key^^}=$value"
    done
    for key in ca_file client_cert_file client_key_file; do
        value=$(sed -n "s/.*\"$key\":\"\([^\"]*\)\".*/\1/p" <<<"$line")
        [[ -z $value ]] || export "REQC_TEST_${key^^}=$value"
    done

    export REQC_TEST_URL="http://127.0.0.1:$port"
    export REQC_TEST_URL2="http://127.0.0.1:$port2"
    unset REQC_TEST_CONTROL REQC_TEST_HTTPBIN
    if [[ ${1:-} == --httpbin ]]; then
        export REQC_TEST_HTTPBIN=1
    else
        export REQC_TEST_CONTROL="http://127.0.0.1:$control"
    fi
    echo "with-server: $(basename "${cmd[0]}") on $REQC_TEST_URL and $REQC_TEST_URL2" \
        "${REQC_TEST_CONTROL:+(control $REQC_TEST_CONTROL)}" >&2
}

# stop_servers: EOF on the server's stdin, then SIGTERM if it lingers.
# Safe to call more than once (it is meant for an EXIT trap).
stop_servers() {
    [[ -n ${SERVER_PID:-} ]] || return 0
    [[ -z ${SERVER_IN:-} ]] || exec {SERVER_IN}>&-
    local i
    for ((i = 0; i < 50; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID="" SERVER_IN=""
}

# Run as a program rather than sourced: start, run CMD, stop.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    mode=()
    if [[ ${1:-} == --httpbin ]]; then
        mode=(--httpbin)
        shift
    fi
    if (($# == 0)); then
        echo "usage: tests/with-server.sh [--httpbin] CMD..." >&2
        exit 2
    fi
    trap stop_servers EXIT
    start_servers "${mode[@]}"
    # CMD does not inherit the server's stdin: if this shell is killed, the
    # server must see EOF at once, not when CMD ends.
    "$@" {SERVER_IN}>&-
fi
