#!/usr/bin/env python3
"""The other clients of the abuse-limits scenario: COUNT bookers, each from its own address
(X-Forwarded-For 198.51.100.N), each booking once, one every PAUSE seconds, while the flood
runs. Prints `calm_status_<code> <count>` lines (stdlib only).

Usage: calm.py BASE_URL EVENT_TYPE_ID FIRST_SLOT_UNIX COUNT PAUSE
"""

import collections
import datetime as dt
import json
import sys
import time
import urllib.error
import urllib.request


def book(base, event_type_id, start, n):
    body = json.dumps({
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventTypeId": event_type_id,
        "attendee": {"name": "Calm Booker", "email": f"calm{n}@example.com", "timeZone": "UTC"},
    }).encode()
    req = urllib.request.Request(base + "/v2/bookings", data=body, method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("X-Forwarded-For", f"198.51.100.{n % 250 + 1}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, ""
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    base, event_type_id = sys.argv[1].rstrip("/"), int(sys.argv[2])
    first = dt.datetime.fromtimestamp(int(sys.argv[3]), dt.timezone.utc)
    count, pause = int(sys.argv[4]), float(sys.argv[5])
    statuses = collections.Counter()
    for n in range(count):
        status, body = book(base, event_type_id, first + dt.timedelta(minutes=30 * n), n)
        statuses[status] += 1
        if status != 201 and statuses[status] == 1:
            print(f"calm_first_{status} {body}")
        time.sleep(pause)
    for status, seen in sorted(statuses.items()):
        print(f"calm_status_{status} {seen}")


if __name__ == "__main__":
    main()
