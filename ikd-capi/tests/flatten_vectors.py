#!/usr/bin/env python3
"""Writes test-vectors/cases/*.json as a flat file the C test program reads without a JSON
parser: for each case, fields as `<key> <length>\\n<bytes>\\n`, lists as `<key>s <count>\\n` then
their items, and `end 0` after each case. Used by scripts/test-c.sh.

Usage: flatten_vectors.py CASES_DIR OUT_FILE
"""

import base64
import json
import pathlib
import sys
from datetime import datetime


def main():
    cases_dir, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    buf = bytearray()

    def field(key, value):
        data = value if isinstance(value, bytes) else str(value).encode()
        buf.extend(f"{key} {len(data)}\n".encode() + data + b"\n")

    def items(key, values):
        buf.extend(f"{key}s {len(values)}\n".encode())
        for v in values:
            field(key, v)

    n = 0
    for path in sorted(cases_dir.glob("*.json")):
        c = json.loads(path.read_text(encoding="utf-8"))
        field("name", c["name"])
        field("clock", int(datetime.fromisoformat(c["clock"].replace("Z", "+00:00")).timestamp()))
        field("skew", c["skew_seconds"])
        if c.get("trust_list"):
            field("trust_list", c["trust_list"]["text"])
            items("root", c["trust_list"]["root_keys"])
            items("status_list", [base64.b64decode(s["base64"]) for s in c.get("status_lists") or []])
        else:
            field("trust_store", json.dumps(c["trust_store"]))
        policy = c["input"].get("policy")
        if policy:
            field("policy", policy["name"])
            field("policies", json.dumps([policy]))
        if "challenge" in c["input"]:
            field("challenge", c["input"]["challenge"])
        items("seen", c["input"].get("seen_before", []))
        field("text", c["input"]["qr_text"])
        field("verdict", c["expected"]["verdict"])
        field("code", c["expected"]["code"])
        items("list_error", c["expected"].get("list_errors", []))
        items("stage", [f"{k}={v}" for k, v in c["expected"]["stages"].items()])
        buf.extend(b"end 0\n\n")
        n += 1
    out.write_bytes(bytes(buf))
    print(f"flatten_vectors: {n} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
