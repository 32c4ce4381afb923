#!/usr/bin/env bash
# Page re-checks (issue #19), with real parts: the fixture HTTP server,
# the real daemon, a real SQLite file, a real socket subscriber.
#  1. --once twice with recheck = 1s: a page edited on the server (its feed
#     untouched) becomes revision 2 with exactly one briefing.updated naming
#     the edited turn, and its new text is searchable; `show` lists both
#     revisions; a third --once writes nothing (the schedule is over).
#  2. The running daemon (two re-checks per page; the page is edited
#     before the second at the latest): an edited page reaches a live
#     subscriber as one briefing.updated, unchanged pages cost a 304 each,
#     and status and metrics count the re-checks.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
TMP=$(mktemp -d)
DAEMON_PID= FIXTURE_PID= SUB_PID=
cleanup() {
	for p in $SUB_PID $DAEMON_PID $FIXTURE_PID; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$TMP"/*.log; do echo "--- $f"; tail -n 30 "$f"; done; exit 1; }
ok() { echo "ok - $*"; }

mkdir -p "$TMP/www"
start_fixture_server "$TMP/www" "$TMP"
render "$SRCDIR/tests/fixtures/demo/www" "$TMP/www"
PAGE="$TMP/www/cps/en/natohq/opinions_9101.htm"
conf() { # conf DB SOCKET
	cat <<CONF
[daemon]
database = $1
socket = $2
allow_private = yes
interval = 1h
feeds_file = none
recheck = 1s
[feed nato]
url = $BASE/feeds/nato.xml
profile = nato
[feed whitehouse]
url = $BASE/feeds/whitehouse.atom
profile = whitehouse
CONF
}
conf "$TMP/a.db" "$TMP/a.sock" > "$TMP/a.conf"
DB="$TMP/a.db"
q() { sqlite3 "$DB" "$1"; }

timeout 60 "$B/briefwatchd" --once --config "$TMP/a.conf" 2>"$TMP/once1.log" || fail "first --once"
n=$(q "SELECT count(*) FROM briefings")
[ "$n" -eq 3 ] || fail "first run stored $n briefings, want 3"
[ "$(q "SELECT count(*) FROM pages WHERE next_check > 0")" -eq 3 ] || fail "pages not scheduled for a re-check"
id=$(q "SELECT b.id FROM briefings b JOIN pages p ON p.briefing_id = b.id WHERE p.url LIKE '%opinions_9101.htm'")
[ -n "$id" ] || fail "no briefing for the page to edit"

# the publisher edits the page; the feed stays as it was
sed -i 's/protect undersea cables/protect undersea cables and zeppelinfields/' "$PAGE"
grep -q zeppelinfields "$PAGE" || fail "edit did not apply"
sleep 1.2
rc=0
timeout 60 "$B/briefwatchd" --once --config "$TMP/a.conf" 2>"$TMP/once2.log" || rc=$?
[ "$rc" -eq 0 ] || fail "second --once exited $rc"
[ "$(q "SELECT count(*) FROM events WHERE type='briefing.updated'")" -eq 1 ] ||
	fail "want exactly one briefing.updated: $(q "SELECT json FROM events WHERE type='briefing.updated'")"
ev=$(q "SELECT json FROM events WHERE type='briefing.updated'")
python3 - "$ev" "$id" <<'PY' || fail "the event is not the edited page's, or does not name the edited turn: $ev"
import json, sys
e = json.loads(sys.argv[1])
assert e["briefing"]["id"] == int(sys.argv[2]), e
assert e["revision"] == 2, e
assert e["changes"]["turns"]["edited"] == [0], e["changes"]
PY
"$B/briefwatch" --db "$DB" search zeppelinfields > "$TMP/search.out" 2>&1 || fail "search failed"
grep -q "$BASE/cps/en/natohq/opinions_9101.htm\|opinions_9101" "$TMP/search.out" || grep -qi "cable" "$TMP/search.out" ||
	fail "the edited text is not searchable: $(cat "$TMP/search.out")"
"$B/briefwatch" --db "$DB" show "$id" > "$TMP/show.out" 2>&1 || fail "show failed"
grep -q "^Revisions:" "$TMP/show.out" || fail "show lists no revisions"
grep -Eq "^  2  .*turns: 1 edited" "$TMP/show.out" || fail "show does not say what revision 2 changed: $(tail -5 "$TMP/show.out")"
[ "$(q "SELECT sum(checks) FROM pages")" -eq 3 ] || fail "each page re-checked once"
n304=$(awk -F'\t' '$2 !~ /^\/feeds\// && $3 == "304"' "$TMP/http.log" | wc -l)
[ "$n304" -eq 2 ] || fail "the two unchanged pages should cost a 304 each, got $n304"
ok "--once with recheck = 1s: one edited page → revision 2, one briefing.updated naming turn 0, searchable, listed by show; 304 for the others"

timeout 60 "$B/briefwatchd" --once --config "$TMP/a.conf" 2>"$TMP/once3.log" || fail "third --once"
[ "$(q "SELECT count(*) FROM events")" -eq 4 ] || fail "third run wrote events"
[ "$(q "SELECT sum(checks) FROM pages")" -eq 3 ] || fail "third run re-checked pages past their schedule"
ok "after the last age of the schedule a page is left alone"

# 2. the daemon: a live subscriber sees the re-check's briefing.updated
cp "$SRCDIR/tests/fixtures/demo/www/cps/en/natohq/opinions_9102.htm" "$TMP/www/cps/en/natohq/opinions_9102.htm"
conf "$TMP/b.db" "$TMP/b.sock" | sed 's/^recheck = 1s/recheck = 3s 8s/' > "$TMP/b.conf"
DB="$TMP/b.db"
"$B/briefwatchd" --config "$TMP/b.conf" 2>"$TMP/daemon.log" &
DAEMON_PID=$!
wait_for 10 test -S "$TMP/b.sock" || fail "socket did not appear"
python3 "$SRCDIR/tests/integration/client.py" "$TMP/b.sock" --tail --since 0 --timeout 60 >"$TMP/sub.out" 2>"$TMP/sub.log" &
SUB_PID=$!
wait_for 30 head_at_least "$B/briefwatch" "$TMP/b.sock" 3 || fail "3 briefings not stored"
sed -i 's/trains every day/trains every single day/' "$TMP/www/cps/en/natohq/opinions_9102.htm"
wait_for 30 grep -q '"briefing.updated"' "$TMP/sub.out" || fail "no briefing.updated reached the subscriber"
rechecked() {
	"$B/briefwatch" --socket "$TMP/b.sock" status --json > "$TMP/status.json" 2>/dev/null &&
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if s["rechecks"] >= 6 else 1)' "$TMP/status.json"
}
wait_for 40 rechecked || fail "status does not count 6 re-checks: $(cat "$TMP/status.json")"
python3 - "$TMP/status.json" "$TMP/sub.out" <<'PY' || fail "counters or events wrong"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["rechecks"] == 6 and s["rechecks_revised"] == 1, s
assert s["rechecks_not_modified"] == 5 and s["rechecks_gone"] == 0, s
ev = [json.loads(l) for l in open(sys.argv[2]) if '"briefing.updated"' in l]
assert len(ev) == 1, ev
PY
"$B/briefwatch" --socket "$TMP/b.sock" metrics > "$TMP/metrics.out" 2>&1 || fail "metrics"
grep -q '^briefwatch_page_rechecks_total 6$' "$TMP/metrics.out" || fail "metrics lack the re-check counter"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || fail "daemon exit status"
DAEMON_PID=
ok "daemon (recheck = 3s 8s): the edited page reached the subscriber as one briefing.updated; status and metrics count 6 re-checks, 5 × 304, 1 revision"
