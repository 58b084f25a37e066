#!/usr/bin/env python3
"""Seed a running Kairos for the load test, over its HTTP API (stdlib only).

Creates an always-open UTC schedule (made the default so the event type uses it), one 30-minute
event type with no notice, and BOOKINGS existing bookings spread over the month being queried,
so GET /v2/slots has real busy time to subtract. Prints the event type id alone on stdout;
progress and errors go to stderr.

Usage: seed.py BASE_URL API_KEY MONTH_START(YYYY-MM-DD) MONTH_END(YYYY-MM-DD) [BOOKINGS]
"""

import datetime as dt
import json
import sys
import urllib.error
import urllib.request

SLOTS_PER_DAY = 48  # 30-minute slots in a UTC day


def request(base, method, path, body=None, key=None, expect=(200,)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    if status not in expect:
        # Verbatim, so a server-side problem can be reported as the server stated it.
        sys.exit(
            f"seed: {method} {path} answered {status}, expected {expect}\n"
            f"request body: {json.dumps(body)}\nresponse body: {raw.decode(errors='replace')}"
        )
    return json.loads(raw) if raw else None


def booking_starts(first, last, count):
    """`count` distinct half-hour starts, spread round-robin over the days first..last.

    Within a day the k-th booking goes to half-hour (k * 48) // per_day, so the bookings of one
    day are spaced evenly over it instead of bunching at midnight.
    """
    days = (last - first).days + 1
    per_day = -(-count // days)  # ceiling: the most bookings any one day gets
    if per_day > SLOTS_PER_DAY:
        sys.exit(f"seed: {count} bookings do not fit in {days} days of {SLOTS_PER_DAY} slots")
    for n in range(count):
        day, k = n % days, n // days
        half_hour = (k * SLOTS_PER_DAY) // per_day
        start = dt.datetime.combine(first + dt.timedelta(days=day), dt.time(), dt.timezone.utc)
        yield start + dt.timedelta(minutes=30 * half_hour)


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    base, key = sys.argv[1].rstrip("/"), sys.argv[2]
    first = dt.date.fromisoformat(sys.argv[3])
    last = dt.date.fromisoformat(sys.argv[4])
    count = int(sys.argv[5]) if len(sys.argv) == 6 else 500

    request(base, "POST", "/v2/schedules", key=key, expect=(201,), body={
        "name": "Always",
        "timeZone": "UTC",
        "isDefault": True,
        "availability": [{
            "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
            "startTime": "00:00",
            "endTime": "23:59",
        }],
    })
    created = request(base, "POST", "/v2/event-types", key=key, expect=(201,), body={
        "title": "Load", "slug": "load", "lengthInMinutes": 30, "minimumBookingNotice": 0,
    })
    event_type_id = created["data"]["id"]

    for n, start in enumerate(booking_starts(first, last, count)):
        # Public endpoint: no API key, as a booker would call it.
        request(base, "POST", "/v2/bookings", expect=(201,), body={
            "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventTypeId": event_type_id,
            "attendee": {"name": "Load Tester", "email": f"load{n}@example.com", "timeZone": "UTC"},
        })
    print(f"seed: event type {event_type_id}, {count} bookings in {first}..{last}", file=sys.stderr)
    print(event_type_id)


if __name__ == "__main__":
    main()
