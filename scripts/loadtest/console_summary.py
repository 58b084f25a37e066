#!/usr/bin/env python3
"""The console load test's per-page table and JSON from its outputs (stdlib only).

Usage: console_summary.py BACKEND WRK_OUT SERVER_TIMES OUT_JSON

WRK_OUT holds, per page, a line "== <page name>" and then wrk's --latency output; SERVER_TIMES
the same header lines, each followed by the server's time in ms for every measured request (one
a line, from the server's log).
"""

import json
import os
import re
import sys

from summarize import parse_wrk_text

TARGET_MS = 50.0
SECTION = re.compile(r"^== (.*)\n((?:(?!== ).*\n)*)", re.M)


def percentile(values, pct):
    """The nearest-rank percentile of `values` (sorted), or None."""
    if not values:
        return None
    rank = max(1, -(-len(values) * pct // 100))
    return round(values[int(rank) - 1], 2)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    backend, wrk_path, times_path, out_path = sys.argv[1:]
    read = lambda path: open(path, encoding="utf-8", errors="replace").read()
    server = {name: sorted(float(v) for v in body.split())
              for name, body in SECTION.findall(read(times_path))}
    pages = []
    for name, body in SECTION.findall(read(wrk_path)):
        client = parse_wrk_text(body)
        times = server.get(name, [])
        pages.append({
            "page": name,
            "server_p50_ms": percentile(times, 50),
            "server_p99_ms": percentile(times, 99),
            "server_max_ms": round(times[-1], 2) if times else None,
            "requests": len(times),
            "client_p50_ms": client.get("p50_ms"),
            "client_p99_ms": client.get("p99_ms"),
            "non_2xx": client["non_2xx"],
            "socket_errors": client["socket_errors"],
        })
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"backend": backend, "kairos_version": os.environ.get("LOADTEST_VERSION"),
                   "pages": pages}, f, indent=2)
        f.write("\n")
    print(f"\n==== Kairos console load test: {backend}, {os.environ.get('LOADTEST_VERSION')} ====")
    print("| page | server p50 ms | server p99 ms | client p50 ms | client p99 ms | requests |")
    print("|---|---:|---:|---:|---:|---:|")
    for p in pages:
        over = (p["server_p99_ms"] or 0) >= TARGET_MS or p["non_2xx"] or not p["requests"]
        print(f"| {p['page']}{' **over**' if over else ''} | {p['server_p50_ms']} "
              f"| {p['server_p99_ms']} | {p['client_p50_ms']} | {p['client_p99_ms']} "
              f"| {p['requests']} |")
    print(f"JSON {out_path}")


if __name__ == "__main__":
    main()
