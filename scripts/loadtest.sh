#!/usr/bin/env bash
# HTTP load test of a Kairos release binary: GET /v2/slots and the booking page over a month
# with 500 existing bookings, and POST /v2/bookings throughput, with the server's memory sampled
# throughout.
#
# Usage (from anywhere; relative paths given by the caller are taken from the caller's directory,
# the defaults from the repository root):
#   scripts/loadtest.sh                                   # SQLite in a fresh temp dir
#   LOADTEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kairos_load scripts/loadtest.sh
#
# Environment:
#   KAIROS_BIN             binary to test             [default: target/release/kairos]
#   LOADTEST_DATABASE_URL  sqlite://... or postgres://... (a postgres database is DROPPED and
#                          recreated)                 [default: sqlite://<temp dir>/kairos.db]
#   LOADTEST_OUT           summary JSON               [default: target/loadtest/<backend>.json]
#   LOADTEST_BOOKINGS      bookings seeded into the queried month        [default: 500]
#   LOADTEST_BOOK_DURATION length of the POST /v2/bookings phase (wrk -d); longer runs show
#                          whether throughput holds as the host's history grows  [default: 15s]
#   LOADTEST_KEEP_TMP=1    keep the temp dir (database, server log) for inspection
#   LOADTEST_SCENARIO      throughput: the phases above, with the abuse limits off (every
#                          request comes from 127.0.0.1, which would be held to 30 bookings);
#                          limits: the default abuse limits on, 127.0.0.1 trusted as a proxy;
#                          one client (X-Forwarded-For 203.0.113.5) floods POST /v2/bookings
#                          for LOADTEST_FLOOD_DURATION [15s] while 20 other clients book once
#                          each; writes <stem>-limits.txt;
#                          calendars: throughput, with LOADTEST_CALENDARS [10] ICS feeds
#                          connected to the host, which then hang 10 s (LOADTEST_CALENDAR_MODE
#                          hang) or answer 500 (error) while every connection syncs every 10 s:
#                          compare its slots and booker figures with a throughput run;
#                          console: LOADTEST_BOOKINGS [100000] bookings over 50 event types
#                          written straight into the database, then every console page signed
#                          in (wrk -t1 -c2 for LOADTEST_CONSOLE_DURATION [5s] each), a table of
#                          p50/p99 per page in <stem>.txt (default stem <backend>-console;
#                          scripts/loadtest/console.sh); LOADTEST_CONSOLE_PAGES, an awk
#                          regular expression, measures only the pages whose name matches
#                                                               [default: throughput]
#
# Needs: wrk (apt-get install -y wrk), curl, python3 (stdlib only), psql for PostgreSQL runs.
# Raw wrk output (<stem>-slots.txt, <stem>-bookings.txt), RSS samples (<stem>-rss.txt) and the
# server log (<stem>-server.log) are kept next to the JSON.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELPERS="$REPO_ROOT/scripts/loadtest"

# The load shape is fixed so runs stay comparable; change it here, not per run.
SLOTS_THREADS=2 SLOTS_CONNECTIONS=64 SLOTS_DURATION=20s WARMUP_DURATION=3s
BOOK_THREADS=2 BOOK_CONNECTIONS=16 BOOK_DURATION=${LOADTEST_BOOK_DURATION:-15s}

log() { printf '[loadtest] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Caller-given relative paths mean the caller's directory; defaults mean the repository's.
absolute() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
if [[ -n "${KAIROS_BIN:-}" ]]; then BIN=$(absolute "$KAIROS_BIN"); else BIN="$REPO_ROOT/target/release/kairos"; fi
[[ -x "$BIN" ]] || die "no executable at $BIN (build it with: cargo build --release)"
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || die "$tool is not installed (Debian: apt-get install -y $tool)"
done

TMP=$(mktemp -d -t kairos-loadtest.XXXXXX)
RAW=""
SERVER_PID="" SAMPLER_PID=""
cleanup() {
    local status=$?
    # Only the two processes this script started are stopped, by their ids.
    if [[ -n "$SAMPLER_PID" ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        # SIGTERM lets in-flight requests finish; don't wait the full 30 s grace period.
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    [[ -n "$RAW" && -f "$TMP/server.log" ]] && cp "$TMP/server.log" "$RAW-server.log"
    if [[ "${LOADTEST_KEEP_TMP:-0}" == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SCENARIO=${LOADTEST_SCENARIO:-throughput}
LOG_LEVEL=warn
case "$SCENARIO" in
    throughput)
        # One address makes every request here: measure the server, not the abuse limits.
        export KAIROS_RATE_LIMIT_PER_IP=off KAIROS_RATE_LIMIT_PER_HOST=off ;;
    console)
        # The seeded webhook points at 127.0.0.1 (nothing triggers it). Each request's server
        # time is read from its closing log line.
        LOG_LEVEL=warn,kairos::http::request_log=info
        export KAIROS_RATE_LIMIT_PER_IP=off KAIROS_RATE_LIMIT_PER_HOST=off \
            KAIROS_WEBHOOK_ALLOW_PRIVATE=true KAIROS_LOG_FORMAT=json ;;
    calendars)
        export KAIROS_RATE_LIMIT_PER_IP=off KAIROS_RATE_LIMIT_PER_HOST=off \
            KAIROS_CALENDAR_ALLOW_PRIVATE=true KAIROS_CALENDAR_SYNC_INTERVAL=10 ;;
    limits)
        # The default limits, and the clients told apart by X-Forwarded-For from 127.0.0.1.
        unset KAIROS_RATE_LIMIT_PER_IP KAIROS_RATE_LIMIT_PER_HOST
        export KAIROS_TRUSTED_PROXIES=127.0.0.1 ;;
    *) die "LOADTEST_SCENARIO must be throughput, calendars, limits or console, got $SCENARIO" ;;
esac

DB_URL=${LOADTEST_DATABASE_URL:-sqlite://$TMP/kairos.db}
case "$DB_URL" in
    sqlite:*) BACKEND=sqlite ;;
    postgres:* | postgresql:*) BACKEND=postgres ;;
    *) die "LOADTEST_DATABASE_URL must start with sqlite:// or postgres://, got $DB_URL" ;;
esac
STEM=$BACKEND
[[ $SCENARIO == console ]] && STEM=$BACKEND-console
if [[ -n "${LOADTEST_OUT:-}" ]]; then OUT=$(absolute "$LOADTEST_OUT"); else OUT="$REPO_ROOT/target/loadtest/$STEM.json"; fi
OUT_DIR=$(dirname "$OUT")
mkdir -p "$OUT_DIR"
RAW="${OUT%.json}"  # raw wrk output, RSS samples and server log go next to the JSON, same stem

# A PostgreSQL run must start from an empty database, like the SQLite one does.
if [[ $BACKEND == postgres ]]; then
    DB_NAME=${DB_URL##*/}
    DB_NAME=${DB_NAME%%\?*}
    [[ "$DB_NAME" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "unexpected database name '$DB_NAME' in $DB_URL"
    log "recreating PostgreSQL database $DB_NAME"
    # WITH (FORCE) drops the sessions a previous, interrupted run may have left behind.
    PGOPTIONS='-c client_min_messages=warning' \
        psql -q -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 \
            -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME" >/dev/null
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export KAIROS_DATABASE_URL="$DB_URL" KAIROS_DATA_DIR="$TMP/data" \
    KAIROS_BIND="127.0.0.1:$PORT" KAIROS_LOG_LEVEL="$LOG_LEVEL"
# Run from the temp dir so a kairos.toml in the caller's directory cannot change the setup.
cd "$TMP"

VERSION=$("$BIN" --version)
log "$VERSION on $BACKEND, listening on $BASE"
"$BIN" serve >"$TMP/server.out" 2>"$TMP/server.log" &
SERVER_PID=$!

for _ in $(seq 120); do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.log" >&2; die "the server exited during start-up"; }
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/health" || true) == 200 ]] && break
    sleep 0.5
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/health" || true) == 200 ]] \
    || { cat "$TMP/server.log" >&2; die "GET /health did not answer 200 within 60 s"; }

if [[ $SCENARIO == console ]]; then
    source "$HELPERS/console.sh"
    console_scenario
    exit 0
fi

# --- Seed --------------------------------------------------------------------------------------
"$BIN" user create --email load@example.com --name "Load Host" --timezone UTC >/dev/null
KEY=$("$BIN" api-key create --email load@example.com --name loadtest 2>/dev/null)
[[ "$KEY" == cal_* ]] || die "api-key create printed '$KEY', not a key"

# The month after the current one (UTC), so every slot in it is in the future.
MONTH_FIRST=$(date -u -d "$(date -u +%Y-%m-01) +1 month" +%F)
MONTH_LAST=$(date -u -d "$MONTH_FIRST +1 month -1 day" +%F)
# Booking-throughput slots start three months after that (2027-03-01 for a run in November
# 2026): far from the seeded month, so the two sets of bookings never meet.
BOOK_FROM=$(date -u -d "$MONTH_FIRST +3 months" +%F)
# The seed books without a key, so under the limits it seeds nothing.
SEED_COUNT=${LOADTEST_BOOKINGS:-500}
[[ $SCENARIO == limits ]] && SEED_COUNT=0
log "seeding $SEED_COUNT bookings over $MONTH_FIRST..$MONTH_LAST"
EVENT_TYPE_ID=$(python3 "$HELPERS/seed.py" "$BASE" "$KEY" "$MONTH_FIRST" "$MONTH_LAST" "$SEED_COUNT")

if [[ $SCENARIO == calendars ]]; then
    FEED_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    python3 "$HELPERS/feeds.py" "$FEED_PORT" "$TMP/feeds-misbehave" "${LOADTEST_CALENDAR_MODE:-hang}" &
    FEEDS_PID=$!
    sleep 0.5
    for i in $(seq "${LOADTEST_CALENDARS:-10}"); do
        STATUS=$(curl -s -o "$TMP/feed.json" -w '%{http_code}' -H "Authorization: Bearer $KEY" \
            -H 'Content-Type: application/json' \
            -d "{\"urls\": [\"http://127.0.0.1:$FEED_PORT/feed-$i.ics\"]}" "$BASE/v2/calendars/ics-feed/save")
        [[ "$STATUS" == 201 ]] || die "connecting feed $i answered $STATUS: $(cat "$TMP/feed.json")"
    done
    sleep 2  # the first syncs fill the cache
    touch "$TMP/feeds-misbehave"
    log "connected ${LOADTEST_CALENDARS:-10} ICS feeds; they now ${LOADTEST_CALENDAR_MODE:-hang} on every sync"
fi

SLOTS_URL="$BASE/v2/slots?eventTypeId=$EVENT_TYPE_ID&start=$MONTH_FIRST&end=$MONTH_LAST&timeZone=UTC"
# A fast error page would make a meaningless benchmark: insist on a real answer first.
STATUS=$(curl -s -o "$TMP/slots.json" -w '%{http_code}' "$SLOTS_URL")
[[ "$STATUS" == 200 ]] || die "GET /v2/slots answered $STATUS: $(cat "$TMP/slots.json")"
SLOT_COUNT=$(python3 -c 'import json, sys; print(sum(len(v) for v in json.load(open(sys.argv[1]))["data"].values()))' "$TMP/slots.json")
[[ "$SLOT_COUNT" -gt 0 ]] || die "GET /v2/slots returned no slots: $(head -c 500 "$TMP/slots.json")"
log "one GET /v2/slots: 200, $SLOT_COUNT slots, $(wc -c <"$TMP/slots.json") bytes"

if [[ $SCENARIO == limits ]]; then
    FLOOD_DURATION=${LOADTEST_FLOOD_DURATION:-15s}
    BOOK_BASE=$(date -u -d "$BOOK_FROM" +%s)
    log "limits: one client floods POST /v2/bookings for $FLOOD_DURATION (-t2 -c16); 20 others book once each"
    python3 "$HELPERS/calm.py" "$BASE" "$EVENT_TYPE_ID" $((BOOK_BASE - 7 * 86400)) 20 0.5 >"$TMP/calm.txt" &
    CALM_PID=$!
    LOADTEST_EVENT_TYPE_ID=$EVENT_TYPE_ID LOADTEST_BOOKING_BASE=$BOOK_BASE \
        wrk -t2 -c16 -d"$FLOOD_DURATION" -s "$HELPERS/flood.lua" "$BASE" >"$TMP/flood.txt"
    wait "$CALM_PID"
    cat "$TMP/flood.txt" "$TMP/calm.txt" | tee "$RAW-limits.txt"
    BOOKED=$(curl -s -H "Authorization: Bearer $KEY" "$BASE/v2/bookings?take=1" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["pagination"]["totalItems"])')
    log "bookings in the database: $BOOKED"
    echo "bookings_in_database $BOOKED" >>"$RAW-limits.txt"
    exit 0
fi

sleep 1  # let start-up and seeding allocations settle before calling the process idle
IDLE_RSS_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")
log "idle RSS: $IDLE_RSS_KB kB"

# --- Load --------------------------------------------------------------------------------------
: >"$RAW-rss.txt"
(
    while [[ -r "/proc/$SERVER_PID/status" ]]; do
        awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || true
        sleep 0.5
    done
) >>"$RAW-rss.txt" &
SAMPLER_PID=$!

log "warm-up: GET /v2/slots for $WARMUP_DURATION"
wrk -t"$SLOTS_THREADS" -c"$SLOTS_CONNECTIONS" -d"$WARMUP_DURATION" "$SLOTS_URL" >/dev/null
log "measuring GET /v2/slots: -t$SLOTS_THREADS -c$SLOTS_CONNECTIONS -d$SLOTS_DURATION"
wrk -t"$SLOTS_THREADS" -c"$SLOTS_CONNECTIONS" -d"$SLOTS_DURATION" --latency "$SLOTS_URL" | tee "$RAW-slots.txt"

# The booking page for the same month: one connection, so latency is the server's time per page.
BOOKER_URL="$BASE/load/load?tz=UTC&hour=24&month=${MONTH_FIRST:0:7}&date=$MONTH_FIRST"
STATUS=$(curl -s -o "$TMP/booker.html" -w '%{http_code}' "$BOOKER_URL")
[[ "$STATUS" == 200 ]] || die "the booker page answered $STATUS"
grep -q 'class="slot"' "$TMP/booker.html" || die "the booker page shows no times"
PAGE_BYTES=0
for asset in "$BOOKER_URL" "$BASE/static/kairos.css" "$BASE/static/booker.js"; do
    PAGE_BYTES=$((PAGE_BYTES + $(curl -s -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$asset")))
done
log "booker page with its CSS and JavaScript: $PAGE_BYTES bytes gzip-compressed"
echo "$PAGE_BYTES" >"$RAW-booker-bytes.txt"
log "measuring the booker page: -t1 -c1 -d10s"
wrk -t1 -c1 -d10s --latency "$BOOKER_URL" | tee "$RAW-booker.txt"

log "measuring POST /v2/bookings from $BOOK_FROM: -t$BOOK_THREADS -c$BOOK_CONNECTIONS -d$BOOK_DURATION"
LOADTEST_EVENT_TYPE_ID=$EVENT_TYPE_ID LOADTEST_BOOKING_BASE=$(date -u -d "$BOOK_FROM" +%s) \
    wrk -t"$BOOK_THREADS" -c"$BOOK_CONNECTIONS" -d"$BOOK_DURATION" --latency \
    -s "$HELPERS/bookings.lua" "$BASE" | tee "$RAW-bookings.txt"

kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
[[ -n "${FEEDS_PID:-}" ]] && kill "$FEEDS_PID" 2>/dev/null || true
SAMPLER_PID=""
kill -0 "$SERVER_PID" 2>/dev/null || die "the server died under load; see $RAW-server.log"

# --- Report ------------------------------------------------------------------------------------
LOADTEST_VERSION="$VERSION" LOADTEST_MONTH="$MONTH_FIRST..$MONTH_LAST" LOADTEST_SLOT_COUNT="$SLOT_COUNT" \
    python3 "$HELPERS/summarize.py" "$BACKEND" "$RAW-slots.txt" "$RAW-bookings.txt" \
    "$IDLE_RSS_KB" "$RAW-rss.txt" "$OUT"
