#!/usr/bin/env python3
"""The console pages the console load test drives, signed in (stdlib only).

Signs in through /auth/login as the owner (every booking visible: organiser of the personal
ones, owner of every team) and as FEW (a team member who sees 0.1% of the bookings), finds the
ids the pages need, checks each page answers 200 with a console page (the export with CSV, the
API's insights with JSON, asked with the owner's key), and prints one line per page: name, TAB,
the request header that signs it in (session cookie or API key), TAB, URL.

Usage: console_pages.py BASE_URL OWNER_KEY PASSWORD OWNER_EMAIL FEW_EMAIL SEED_JSON
"""

import datetime as dt
import html
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

from seed import request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url, cookie="", data=None):
    """`cookie`: the session cookie, or a whole header line `Name: value`."""
    req = urllib.request.Request(url, data=data)
    if ": " in cookie:
        req.add_header(*cookie.split(": ", 1))
    elif cookie:
        req.add_header("Cookie", cookie)
    try:
        with OPENER.open(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode(errors="replace")


def cookies(headers):
    """name=value of every Set-Cookie (Secure or not: the test speaks plain HTTP)."""
    return "; ".join(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [])


def sign_in(base, email, password):
    status, headers, body = fetch(f"{base}/auth/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', body)
    if status != 200 or not token:
        sys.exit(f"pages: GET /auth/login answered {status} without a form token")
    form = urllib.parse.urlencode({"_csrf": html.unescape(token.group(1)), "email": email,
                                   "password": password}).encode()
    status, headers, body = fetch(f"{base}/auth/login", cookies(headers), form)
    session = [c for c in cookies(headers).split("; ") if c.startswith("kairos_session=")]
    if status != 303 or not session:
        sys.exit(f"pages: signing in as {email} answered {status}: {body[:500]}")
    return session[0]


def next_page(base, cookie, path):
    """The list's "next page" link."""
    status, _, body = fetch(base + path, cookie)
    link = re.search(r'href="([^"]*after=[^"]*)"', body)
    if status != 200 or not link:
        sys.exit(f"pages: {path} answered {status} with no next page")
    href = html.unescape(link.group(1))
    return path.split("?")[0] + href if href.startswith("?") else href


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    base, key, password, owner_email, few_email = sys.argv[1:6]
    ids = json.loads(sys.argv[6])
    owner, few = sign_in(base, owner_email, password), sign_in(base, few_email, password)
    api = f"Authorization: Bearer {key}"
    schedule = request(base, "GET", "/v2/schedules", key=key)["data"][0]["id"]
    filtered = f"?event_type={ids['team_event_type']}&host={ids['host']}"
    today = dt.datetime.now(dt.timezone.utc).date()
    year = f"start={today - dt.timedelta(days=364)}&end={today}"
    pages = [
        ("event types", owner, "/event-types"),
        ("event type editor", owner, f"/event-types/{ids['event_type']}"),
        ("team event type hosts", owner, f"/teams/{ids['team']}/event-types/{ids['team_event_type']}"),
        ("availability", owner, "/availability"),
        ("schedule editor", owner, f"/availability/{schedule}"),
        ("out of office", owner, "/availability/out-of-office"),
        ("bookings: upcoming", owner, "/bookings/upcoming"),
        ("bookings: upcoming, page 2", owner, next_page(base, owner, "/bookings/upcoming")),
        ("bookings: unconfirmed", owner, "/bookings/unconfirmed"),
        ("bookings: past", owner, "/bookings/past"),
        ("bookings: past, page 2", owner, next_page(base, owner, "/bookings/past")),
        ("bookings: cancelled", owner, "/bookings/cancelled"),
        ("bookings: upcoming, event type + host", owner, f"/bookings/upcoming{filtered}"),
        ("bookings: past, attendee search", owner, "/bookings/past?q=guest%200499"),
        ("bookings: past, attendee search, no match", owner, "/bookings/past?q=nobody"),
        ("bookings: past, date range", owner, "/bookings/past?from=2026-01-01&to=2026-03-31"),
        ("booking detail", owner, f"/bookings/{ids['booking']}"),
        ("bookings: export, event type + host", owner, f"/bookings/export.csv{filtered}&tab=upcoming"),
        ("insights: 30 days", owner, "/insights"),
        ("insights: a year", owner, f"/insights?{year}"),
        ("insights: team, a year", owner, f"/insights?scope=team:{ids['team']}&{year}"),
        ("api insights: a year", api, f"/v2/insights/bookings?{year}"),
        ("api insights: team, a year", api, f"/v2/insights/bookings?teamId={ids['team']}&{year}"),
        ("teams", owner, "/teams"),
        ("team", owner, f"/teams/{ids['team']}"),
        ("calendars", owner, "/apps/installed/calendar"),
        ("webhooks", owner, "/settings/developer/webhooks"),
        ("webhook: new", owner, "/settings/developer/webhooks/new"),
        ("webhook: edit", owner, f"/settings/developer/webhooks/{ids['webhook']}"),
        ("api keys", owner, "/settings/developer/api-keys"),
        ("profile", owner, "/settings/my-account/profile"),
        ("security", owner, "/settings/security"),
        ("admin", owner, "/settings/admin"),
        ("admin users", owner, "/settings/admin/users"),
        ("few: event types", few, "/event-types"),
        ("few: bookings upcoming", few, "/bookings/upcoming"),
        ("few: bookings past", few, "/bookings/past"),
        ("few: bookings cancelled", few, "/bookings/cancelled"),
    ]
    for name, cookie, path in pages:
        status, headers, body = fetch(base + path, cookie)
        kind = headers.get("Content-Type", "")
        wanted = ("text/csv" if ".csv" in path else "application/json" if path.startswith("/v2/")
                  else "text/html")
        if status != 200 or wanted not in kind or (wanted == "text/html" and "console-main" not in body):
            sys.exit(f"pages: {name} ({path}) answered {status} {kind}: {body[:300]}")
        header = cookie if ": " in cookie else f"Cookie: {cookie}"
        print(f"{name}\t{header}\t{base}{path}")


if __name__ == "__main__":
    main()
