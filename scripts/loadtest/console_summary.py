#!/usr/bin/env python3
"""The console load test's per-page table and JSON from its wrk outputs (stdlib only).

Usage: console_summary.py BACKEND WRK_OUT OUT_JSON

WRK_OUT holds, per page, a line "== <page name>" and then wrk's --latency output.
"""

import json
import os
import re
import sys

from summarize import parse_wrk_text

TARGET_MS = 50.0


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    backend, wrk_path, out_path = sys.argv[1:]
    text = open(wrk_path, encoding="utf-8", errors="replace").read()
    pages = []
    for name, body in re.findall(r"^== (.*)\n((?:(?!== ).*\n)*)", text, re.M):
        figures = parse_wrk_text(body)
        pages.append({"page": name, **{k: figures.get(k) for k in (
            "p50_ms", "p99_ms", "requests", "requests_per_sec", "non_2xx", "socket_errors")}})
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"backend": backend, "kairos_version": os.environ.get("LOADTEST_VERSION"),
                   "pages": pages}, f, indent=2)
        f.write("\n")
    print(f"\n==== Kairos console load test: {backend} ====")
    print("| page | p50 ms | p99 ms | requests | non-2xx |\n|---|---:|---:|---:|---:|")
    for p in pages:
        flag = "" if (p["p99_ms"] or 0) < TARGET_MS and not p["non_2xx"] else " **over**"
        print(f"| {p['page']}{flag} | {p['p50_ms']} | {p['p99_ms']} | {p['requests']} "
              f"| {p['non_2xx']} |")
    print(f"JSON {out_path}")


if __name__ == "__main__":
    main()
