#!/usr/bin/env python3
"""Turn the load test's raw outputs into the summary block and its JSON (stdlib only).

Usage: summarize.py BACKEND SLOTS_WRK_OUT BOOKINGS_WRK_OUT IDLE_RSS_KB RSS_SAMPLES OUT_JSON

RSS_SAMPLES holds one VmRSS reading in kB per line, taken during the load phases.
"""

import json
import os
import re
import sys

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def ms(text):
    """wrk's latency ("812.00us", "3.21ms", "1.02s") in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return round(float(match.group(1)) * UNITS[match.group(2)], 3)


def parse_wrk(path):
    return parse_wrk_text(open(path, encoding="utf-8", errors="replace").read())


def parse_wrk_text(text):
    """wrk's --latency output (and the bookings script's extra lines) as figures."""
    out = {"non_2xx": 0, "socket_errors": 0}
    if m := re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M):
        out["requests_per_sec"] = float(m.group(1))
    if m := re.search(r"^\s+(\d+) requests in ([\d.]+\w+)", text, re.M):
        out["requests"] = int(m.group(1))
    for pct in ("50", "75", "90", "99"):
        if m := re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M):
            out[f"p{pct}_ms"] = ms(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text):
        out["non_2xx"] = int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        out["socket_errors"] = sum(int(g) for g in m.groups())
    # The bookings script's done() hook prints "loadtest_<name> <value>" lines.
    for key, value in re.findall(r"^loadtest_(\w+) (.*)$", text, re.M):
        out[key] = int(value) if value.isdigit() else value
    return out


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    backend, slots_path, bookings_path, idle_kb, samples_path, out_path = sys.argv[1:]
    slots = parse_wrk(slots_path)
    bookings = parse_wrk(bookings_path)
    samples = [int(line) for line in open(samples_path) if line.strip().isdigit()]
    idle_mb = round(int(idle_kb) / 1024, 1)
    peak_mb = round(max(samples) / 1024, 1) if samples else None
    duration_s = bookings.get("duration_us", 0) / 1e6
    created = bookings.get("status_201", 0)

    summary = {
        "backend": backend,
        "kairos_version": os.environ.get("LOADTEST_VERSION"),
        "month": os.environ.get("LOADTEST_MONTH"),
        "slots_in_month": int(os.environ.get("LOADTEST_SLOT_COUNT") or 0),
        "slots": {
            "requests_per_sec": slots.get("requests_per_sec"),
            "p50_ms": slots.get("p50_ms"),
            "p99_ms": slots.get("p99_ms"),
            "requests": slots.get("requests"),
            "non_2xx": slots["non_2xx"],
            "socket_errors": slots["socket_errors"],
        },
        "bookings": {
            "created_per_sec": round(created / duration_s, 1) if duration_s else None,
            "requests_per_sec": bookings.get("requests_per_sec"),
            "p50_ms": bookings.get("p50_ms"),
            "p99_ms": bookings.get("p99_ms"),
            "status_201": created,
            "status_409": bookings.get("status_409", 0),
            "status_other": bookings.get("status_other", 0),
            "socket_errors": bookings["socket_errors"],
            "duration_s": round(duration_s, 2),
            "first_409": bookings.get("first_409"),
            "first_other": bookings.get("first_other"),
            "thread_overflow": bookings.get("thread_overflow", 0),
        },
        "rss_mb": {"idle": idle_mb, "peak_under_load": peak_mb, "samples": len(samples)},
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")

    s, b = summary["slots"], summary["bookings"]
    print(f"""
==== Kairos load test: {backend} ====
GET /v2/slots (month)   {s['requests_per_sec']} req/s   p50 {s['p50_ms']} ms   p99 {s['p99_ms']} ms   non-2xx {s['non_2xx']}   socket errors {s['socket_errors']}
POST /v2/bookings       {b['created_per_sec']} bookings/s   p50 {b['p50_ms']} ms   p99 {b['p99_ms']} ms
  statuses              201: {b['status_201']}   409: {b['status_409']}   other: {b['status_other']}   socket errors: {b['socket_errors']}
RSS                     idle {idle_mb} MB   peak under load {peak_mb} MB ({len(samples)} samples)
JSON                    {out_path}""")
    if b["first_409"]:
        print(f"first 409 body:   {b['first_409']}")
    if b["first_other"]:
        print(f"first other body: {b['first_other']}")
    if b["thread_overflow"]:
        print("WARNING: a wrk thread ran past its slot stretch; 409s may be self-inflicted")


if __name__ == "__main__":
    main()
