#!/usr/bin/env python3
"""Every C function of include/reqc.json is reachable from reqc.hpp, or is
named below with the reason it is left out.

Reads the generated API description (include/reqc.json) and the C++ header,
lists the C functions reqc.hpp never names in code (a call or a
function pointer; comments do not count), and fails on any that is not in
NOT_WRAPPED; it also fails on a NOT_WRAPPED entry that reqc.hpp does call or
that the C API no longer has, so the list cannot go stale.

    python3 bindings/cpp/tests/coverage.py [--list]   # --list: print the mapping
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# C functions the C++ API consciously leaves out, and why.
NOT_WRAPPED = {
    "reqc_response_header_at": "Response::headers() reads each line through "
    "reqc_response_header_views: string_views of the line's own bytes, no C string made",
}


def main() -> int:
    api = json.loads((ROOT / "include/reqc.json").read_text())
    header = (ROOT / "bindings/cpp/include/reqc.hpp").read_text()
    # Comments do not count: a function is reached only by code.
    code = re.sub(r"//[^\n]*", "", header)
    called = set(re.findall(r"\b(reqc_[a-z0-9_]+)\b", code))
    names = [f["name"] for f in api["functions"]]
    missing = [n for n in names if n not in called and n not in NOT_WRAPPED]
    stale = [n for n in NOT_WRAPPED if n in called or n not in names]
    if "--list" in sys.argv:
        for n in names:
            print(f"{n}: {'named' if n in called else 'not wrapped: ' + NOT_WRAPPED.get(n, '?')}")
    for n in missing:
        print(f"coverage: {n} is in include/reqc.json but reqc.hpp never names it "
              "(wrap it, or add it to NOT_WRAPPED in bindings/cpp/tests/coverage.py with the reason)")
    for n in stale:
        print(f"coverage: NOT_WRAPPED lists {n}, which reqc.hpp "
              f"{'names' if n in called else 'cannot call: the C API no longer has it'}")
    wrapped = sum(1 for n in names if n in called)
    print(f"coverage: {wrapped} of {len(names)} C functions named by reqc.hpp, "
          f"{len(NOT_WRAPPED)} left out on purpose, {len(missing)} missing, {len(stale)} stale")
    return 1 if missing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
