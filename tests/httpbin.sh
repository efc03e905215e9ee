#!/usr/bin/env bash
# Serves PyPI's httpbin on two free ports of 127.0.0.1, behaving like
# reqc-test-server so tests/with-server.sh treats both alike: prints one line
# {"port":P,"port2":P2} once both answer /get, serves until stdin reaches EOF
# (or SIGTERM/SIGINT), then stops both.
#
# httpbin runs under gunicorn's threaded worker: keep-alive, chunked request
# bodies and concurrent requests (the sync worker serializes them and closes
# every connection). The venv .venv/httpbin is made on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every package pinned, so each machine serves the same httpbin. httpbin
# 0.10.4 works with Flask 3 / Werkzeug 3 (0.10.1 fixed the Werkzeug 3 break);
# flasgger (the /apidocs UI) is optional and left out.
PINS="httpbin==0.10.4
gunicorn==27.0.1
Flask==3.1.3
Werkzeug==3.1.9
Jinja2==3.1.6
MarkupSafe==3.0.4
itsdangerous==2.2.0
click==8.5.1
blinker==1.9.0
brotlicffi==1.2.1.0
cffi==2.1.1
pycparser==3.12
decorator==5.3.1
greenlet==2.0.2
six==1.17.0"

venv=.venv/httpbin
# (Re)create the venv when missing or made from other pins.
if [[ ! -x $venv/bin/gunicorn ]] || [[ "$(cat "$venv/pins.txt" 2>/dev/null)" != "$PINS" ]]; then
    echo "httpbin: creating $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    printf '%s\n' "$PINS" >"$venv/requirements.txt"
    # stdout to stderr: our stdout carries only the ports line.
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        -r "$venv/requirements.txt" >&2
    printf '%s\n' "$PINS" >"$venv/pins.txt"
fi
py=$venv/bin/python

# Two distinct free ports: both sockets are bound at once, then released for
# gunicorn (a tiny race with other programs; a lost race fails the /get wait).
read -r port port2 < <("$py" -c '
import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])')

pids=()
stop() {
    # TERM is gunicorn's graceful stop, bounded by --graceful-timeout.
    ((${#pids[@]} == 0)) || kill -TERM "${pids[@]}" 2>/dev/null || true
    wait
}
trap stop EXIT
trap 'exit 0' TERM INT

for p in "$port" "$port2"; do
    "$venv/bin/gunicorn" --bind "127.0.0.1:$p" --workers 1 --worker-class gthread \
        --threads 16 --graceful-timeout 2 --log-level warning httpbin:app </dev/null >&2 &
    pids+=($!)
done

# Wait until each instance answers /get (gunicorn imports Flask first).
for p in "$port" "$port2"; do
    for ((i = 0; ; i++)); do
        if "$py" -c 'import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=2)' \
            "http://127.0.0.1:$p/get" 2>/dev/null; then
            break
        fi
        if ((i >= 60)) || ! kill -0 "${pids[@]}" 2>/dev/null; then
            echo "httpbin: no answer on port $p" >&2
            exit 1
        fi
        sleep 0.5
    done
done

echo "{\"port\":$port,\"port2\":$port2}"
# Serve until whoever started us closes our stdin. cat runs in the background
# (with our stdin, not the /dev/null bash gives background jobs) because bash
# runs the TERM trap only once a foreground command ends, but it interrupts wait.
cat >/dev/null <&0 &
pids+=($!)
wait $!
