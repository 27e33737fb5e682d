#!/usr/bin/env python3
"""Classifies a flat `perf report --no-children --sort dso,sym --stdio -g none` of ikd-server
into components and prints a Markdown table (share of the server's samples, largest first).

Used by scripts/load-test.sh; the components are those of docs/SERVER.md §11. The first
pattern that matches a line wins, so the order matters: the signature check before SHA-256,
the kernel's scheduling before the rest of the kernel.
"""
import re
import sys

COMPONENTS = [
    ("Ed25519 signature (curve25519-dalek, SHA-512)", r"curve25519|ed25519|sha512|subtle::"),
    ("SHA-256 (commitment tree, audit chain hash)", r"sha256|sha2::"),
    ("SQLite (audit insert, WAL)", r"sqlite|walIndex|walChecksum|pcache|btree[A-Z]|Vdbe|rusqlite|libsqlite"),
    ("kernel: scheduling and wake-ups", r"\[k\] .*(switch|schedule|spin_unlock|futex|wake|irqentry|ttwu|enqueue|dequeue|update_curr|pick_next)"),
    ("kernel: network (loopback TCP)", r"\[k\] .*(tcp|sock|skb|ip_|inet|netif|net_|__dev|loopback|nf_)"),
    ("kernel: other (syscalls, files)", r"\[k\]"),
    ("JSON (serde_json)", r"serde|itoa|ryu"),
    ("allocator and memcpy (mimalloc, libc)", r"\bmi_|_mi_|malloc|\bfree\b|memmove|memcpy|memset|memcmp"),
    ("logging (tracing)", r"tracing|core::fmt|fmt::write|Formatter"),
    ("metrics (prometheus)", r"prometheus|ikd_server::metrics"),
    ("ikd_core (decode, claims, checks, view)", r"ikd_core"),
    ("HTTP and runtime (hyper, axum, tower, tokio)", r"hyper|axum|tower|http::|tokio|futures|mio|bytes::"),
    ("ikd_server (handlers, audit writer)", r"ikd_server"),
]


def main(path):
    totals = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+(.*)", line)
        if not m:
            continue
        share = float(m.group(1))
        text = m.group(2) + " " + m.group(3)
        for name, pattern in COMPONENTS:
            if re.search(pattern, text):
                totals[name] = totals.get(name, 0.0) + share
                break
        else:
            totals["other"] = totals.get("other", 0.0) + share
    print("| component | share of server CPU samples |")
    print("| --- | --- |")
    for name, share in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {share:.1f} % |")


if __name__ == "__main__":
    main(sys.argv[1])
