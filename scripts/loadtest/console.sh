# The console scenario of scripts/loadtest.sh, sourced by it once the server answers: seed
# LOADTEST_BOOKINGS [100000] bookings over 50 event types (console_seed.py), sign in through
# /auth/login (console_pages.py), then GET each console page (and the API's insights over a
# year, with the owner's key) for LOADTEST_CONSOLE_DURATION [5s] with wrk -t1 -c2, one page at a time (only those whose name matches the awk regular expression
# LOADTEST_CONSOLE_PAGES, when set, e.g. 'search|insights'), and write the per-page p50/p99 table (<stem>.txt and
# the JSON): the server's time (from each request's closing log line, handler start to response
# head) and the client's (wrk, on the same machine: the whole response, connection included). Uses BIN, BASE, DB_URL, BACKEND, HELPERS, TMP, RAW, OUT and VERSION from
# loadtest.sh.

console_scenario() {
    local password=console-load-password duration=${LOADTEST_CONSOLE_DURATION:-5s}
    local hosts="" few id line name header url
    new_user() {
        printf '%s' "$password" | "$BIN" user create --email "$1" --name "$2" --timezone UTC \
            --password-stdin "${@:3}" | sed -n 's/.*(id \([0-9]*\),.*/\1/p'
    }
    new_user owner@example.com "Load Owner" --admin >/dev/null
    for i in 1 2 3 4; do
        id=$(new_user "host$i@example.com" "Host $i")
        hosts=${hosts:+$hosts,}$id
    done
    few=$(new_user few@example.com "Few Bookings")
    KEY=$("$BIN" api-key create --email owner@example.com --name loadtest 2>/dev/null)
    [[ "$KEY" == cal_* ]] || die "api-key create printed '$KEY', not a key"

    log "seeding ${LOADTEST_BOOKINGS:-100000} bookings over 50 event types"
    local started=$SECONDS ids
    ids=$(python3 "$HELPERS/console_seed.py" "$BASE" "$KEY" "$DB_URL" "$hosts" "$few" \
        "${LOADTEST_BOOKINGS:-100000}")
    log "seeded in $((SECONDS - started)) s: $ids"
    python3 "$HELPERS/console_pages.py" "$BASE" "$KEY" "$password" owner@example.com \
        few@example.com "$ids" >"$TMP/pages.tsv"
    if [[ -n "${LOADTEST_CONSOLE_PAGES:-}" ]]; then
        # Only the pages whose name matches (every page is still checked to answer 200 above).
        awk -F'\t' -v want="$LOADTEST_CONSOLE_PAGES" '$1 ~ want' "$TMP/pages.tsv" >"$TMP/some.tsv"
        mv "$TMP/some.tsv" "$TMP/pages.tsv"
        [[ -s "$TMP/pages.tsv" ]] || die "no console page matches LOADTEST_CONSOLE_PAGES=$LOADTEST_CONSOLE_PAGES"
    fi

    log "measuring $(wc -l <"$TMP/pages.tsv") pages: wrk -t1 -c2 -d$duration each"
    : >"$RAW-wrk.txt"
    : >"$RAW-server-times.txt"
    local seen
    while IFS=$'\t' read -r name header url; do
        wrk -t1 -c1 -d1s -H "$header" "$url" >/dev/null  # warm-up
        seen=$(wc -l <"$TMP/server.log")
        printf '== %s\n' "$name" | tee -a "$RAW-server-times.txt" >>"$RAW-wrk.txt"
        wrk -t1 -c2 -d"$duration" --latency -H "$header" "$url" >>"$RAW-wrk.txt"
        # The server's own time for each of these requests, from its closing log line.
        tail -n +$((seen + 1)) "$TMP/server.log" \
            | sed -n 's/.*"message":"request finished".*"latency_ms":\([0-9.e-]*\).*/\1/p' \
            >>"$RAW-server-times.txt"
    done <"$TMP/pages.tsv"
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server died under load; see $RAW-server.log"
    LOADTEST_VERSION="$VERSION" python3 "$HELPERS/console_summary.py" "$BACKEND" \
        "$RAW-wrk.txt" "$RAW-server-times.txt" "$OUT" | tee "$RAW.txt"
}
