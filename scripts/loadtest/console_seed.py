#!/usr/bin/env python3
"""Seed a running Kairos for the console load test (stdlib only; psql for PostgreSQL).

Over the HTTP API, as the owner (OWNER_KEY): TEAMS teams with the four hosts as members and
FEW as a plain member of the first (their acceptance written into the database); 25 personal event types and 25 team event types (round
robin over the hosts, FEW a host of the first); one webhook. Then BOOKINGS bookings written
straight into the database in set-based statements (bookings, then their claims and
attendees from them, then insights' roll-ups, hourly and daily), since 100,000 bookings through POST /v2/bookings would take hours:

- the n-th booking is organised by user n % 5 (the owner on a personal event type, a host on a
  team event type), one an hour per organiser from about 417 days ago, so half are past;
- every 7th is cancelled (its claim inactive), every 11th else unconfirmed (PENDING);
- every 1,000th of the first host's goes to FEW instead: FEW organises 0.1% of them.

Prints one JSON object on stdout: the ids the page list needs. Progress goes to stderr.

Usage: console_seed.py BASE_URL OWNER_KEY DATABASE_URL HOST_IDS(comma) FEW_ID [BOOKINGS]
"""

import datetime as dt
import json
import sqlite3
import subprocess
import sys

from seed import request

TEAMS = 5
PERSONAL_EVENTS = 25
TEAM_EVENTS_EACH = 5
COLUMNS = ("uid", "event_type_id", "user_id", "status", "start_at", "end_at", "title",
           "ical_uid", "created_at")


def execute(url, sql):
    """One SQL statement on the server's database."""
    if url.startswith("sqlite:"):
        db = sqlite3.connect(url.removeprefix("sqlite://"), timeout=60)
        with db:
            db.execute(sql)
        db.close()
    else:
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql], check=True,
                       stdout=subprocess.DEVNULL)


def setup(base, key, url, hosts, few):
    """Teams, memberships, event types and a webhook; the ids the bookings need."""
    personal = [
        request(base, "POST", "/v2/event-types", key=key, expect=(201,), body={
            "title": f"Personal {n}", "slug": f"personal-{n}", "lengthInMinutes": 30,
        })["data"]["id"]
        for n in range(PERSONAL_EVENTS)
    ]
    teams, team_events = [], []
    for t in range(TEAMS):
        team = request(base, "POST", "/v2/teams", key=key, expect=(201,),
                       body={"name": f"Team {t}", "slug": f"team-{t}"})["data"]["id"]
        teams.append(team)
        members = hosts + ([few] if t == 0 else [])
        for user in members:
            request(base, "POST", f"/v2/teams/{team}/memberships", key=key, expect=(201,),
                    body={"userId": user, "role": "MEMBER"})
        # Accepting is the member's to do (with their own key): done for them here.
        execute(url, f"UPDATE memberships SET accepted = TRUE WHERE team_id = {team}")
        for e in range(TEAM_EVENTS_EACH):
            team_events.append(request(
                base, "POST", f"/v2/teams/{team}/event-types", key=key, expect=(201,), body={
                    "title": f"Team {t} event {e}", "slug": f"team-{t}-event-{e}",
                    "lengthInMinutes": 30, "schedulingType": "ROUND_ROBIN",
                    "hosts": [{"userId": u} for u in members],
                })["data"]["id"])
    webhook = request(base, "POST", "/v2/webhooks", key=key, expect=(201,), body={
        "subscriberUrl": "http://127.0.0.1:9/kairos", "triggers": ["BOOKING_CREATED"],
    })["data"]["id"]
    return personal, teams, team_events, webhook


def bookings(count, owner, hosts, few, personal, team_events, now):
    """The booking rows, in COLUMNS order."""
    organisers = [owner] + hosts
    first = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=count // 10)
    for n in range(count):
        u, k = n % len(organisers), n // len(organisers)
        user, event = organisers[u], (personal[k % len(personal)] if u == 0
                                      else team_events[k % len(team_events)])
        if u == 1 and k % 200 == 0:
            user, event = few, team_events[0]
        start = first + dt.timedelta(hours=k)
        status = "CANCELLED" if n % 7 == 0 else "PENDING" if n % 11 == 0 else "ACCEPTED"
        uid = f"load-{n:06d}"
        created = min(now, start - dt.timedelta(days=7))
        stamp = lambda t: t.strftime("%Y-%m-%d %H:%M:%S")
        yield (uid, event, user, status, stamp(start), stamp(start + dt.timedelta(minutes=30)),
               f"Meeting {n} between Load and Guest {n}", f"{uid}@kairos", stamp(created))


# Claims and attendees from the seeded bookings, the same SQL on both backends. Claims go in
# latest first: SQLite's overlap trigger then scans one neighbour per insert, not the history.
# The insights roll-ups, as the migration 2026-12-10-120000_booking_hours fills them (when the
# binary has it): the seed writes bookings past the application, which recounts on each write.
ROLL_UP = """INSERT INTO booking_hours (hour, event_type_id, user_id, organiser, status,
       rescheduled, no_show, bookings, lead_seconds)
       SELECT hour, event_type_id, user_id, organiser, status, rescheduled, no_show,
              SUM(bookings), SUM(lead_seconds) FROM booking_host_outcomes
       GROUP BY hour, event_type_id, user_id, organiser, status, rescheduled, no_show"""
MADE = """INSERT INTO booking_made_hours (hour, event_type_id, bookings)
       SELECT {hour}, event_type_id, COUNT(*) FROM bookings WHERE event_type_id IS NOT NULL
       GROUP BY 1, event_type_id"""
SQLITE_HOUR, POSTGRES_HOUR = "strftime('%Y-%m-%d %H:00:00', created_at)", "date_trunc('hour', created_at)"
# The daily and monthly roll-ups, as the migration 2026-12-21-100000_booking_days fills them
# from the hourly one (when the binary has them).
COARSE = """INSERT INTO {table} ({span}, {key}, status, rescheduled, no_show, bookings, lead_seconds,
       {columns})
       SELECT {start}, {key}, status, rescheduled, no_show, SUM(bookings), SUM(lead_seconds),
              {sums} FROM booking_hours WHERE {rows}
       GROUP BY {start}, {key}, status, rescheduled, no_show ORDER BY {key}, 1"""
SQLITE_COARSE = {"day": "date(hour)", "month": "strftime('%Y-%m-01', hour)",
                 "hod": "CAST(strftime('%H', hour) AS INTEGER)"}
POSTGRES_COARSE = {"day": "CAST(hour AS DATE)", "month": "CAST(date_trunc('month', hour) AS DATE)",
                   "hod": "EXTRACT(HOUR FROM hour)"}


def coarse(sql):
    """The statements that fill the daily and monthly roll-ups, in `sql`'s dialect."""
    columns = ", ".join(f"h{h:02d}" for h in range(24))
    sums = ", ".join(f"SUM(CASE WHEN {sql['hod']} = {h} THEN bookings ELSE 0 END)"
                     for h in range(24))
    return [COARSE.format(table=f"{table}_{span}s", span=span, start=sql[span], key=key,
                          rows=rows, columns=columns, sums=sums)
            for table, key, rows in [
                ("booking_host", "user_id", "TRUE"),
                ("booking_event_type", "event_type_id", "organiser AND event_type_id IS NOT NULL")]
            for span in ["day", "month"]]


DERIVED = [
    """INSERT INTO booking_claims (booking_id, user_id, blocked_start, blocked_end, active)
       SELECT id, user_id, start_at, end_at, status <> 'CANCELLED' FROM bookings
       WHERE uid LIKE 'load-%' ORDER BY start_at DESC""",
    """INSERT INTO attendees (booking_id, email, name, time_zone, created_at)
       SELECT id, 'guest' || substr(uid, 6) || '@example.com', 'Guest ' || substr(uid, 6),
              'Europe/Berlin', created_at FROM bookings WHERE uid LIKE 'load-%'""",
]


def insert_sqlite(path, rows):
    db = sqlite3.connect(path, timeout=60)
    with db:
        db.executemany(f"INSERT INTO bookings ({', '.join(COLUMNS)}) VALUES "
                       f"({', '.join('?' * len(COLUMNS))})", rows)
        rolled = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'booking_hours'").fetchone()
        roll_up = [ROLL_UP, MADE.format(hour=SQLITE_HOUR)] if rolled else []
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'booking_host_days'").fetchone():
            roll_up += coarse(SQLITE_COARSE)
        for sql in DERIVED + roll_up:
            db.execute(sql)
    db.close()


def insert_postgres(url, rows):
    """COPY, derive, then VACUUM ANALYZE, as autovacuum would soon after such a load (it may be
    off, as on the development machine): index-only scans need the visibility map."""
    rolled = subprocess.run(["psql", "-tA", url, "-c", "SELECT to_regclass('booking_hours')"],
                            check=True, capture_output=True, text=True).stdout.strip()
    roll_up = [ROLL_UP, MADE.format(hour=POSTGRES_HOUR)] if rolled else []
    days = subprocess.run(["psql", "-tA", url, "-c", "SELECT to_regclass('booking_host_days')"],
                          check=True, capture_output=True, text=True).stdout.strip()
    if days:
        roll_up += coarse(POSTGRES_COARSE)
    copy = "".join("\t".join(str(v) for v in row) + "\n" for row in rows)
    script = (f"BEGIN;\n\\copy bookings ({', '.join(COLUMNS)}) FROM STDIN\n{copy}\\.\n"
              + "".join(f"{sql};\n" for sql in DERIVED + roll_up) + "COMMIT;\nVACUUM ANALYZE;\n")
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url], input=script.encode(),
                   check=True, stdout=subprocess.DEVNULL)


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    base, key, url = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    hosts = [int(h) for h in sys.argv[4].split(",")]
    few = int(sys.argv[5])
    count = int(sys.argv[6]) if len(sys.argv) == 7 else 100_000
    owner = request(base, "GET", "/v2/me", key=key)["data"]["id"]

    personal, teams, team_events, webhook = setup(base, key, url, hosts, few)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = list(bookings(count, owner, hosts, few, personal, team_events, now))
    if url.startswith("sqlite:"):
        insert_sqlite(url.removeprefix("sqlite://"), rows)
    else:
        insert_postgres(url, rows)
    print(f"seed: {len(personal) + len(team_events)} event types, {count} bookings",
          file=sys.stderr)
    print(json.dumps({
        "event_type": personal[0], "team": teams[0], "team_event_type": team_events[0],
        "webhook": webhook, "booking": rows[len(rows) // 2 + 1][0], "host": hosts[0],
    }))


if __name__ == "__main__":
    main()
