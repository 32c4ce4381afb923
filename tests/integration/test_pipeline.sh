#!/usr/bin/env bash
# The whole path, feed to subscriber, with real parts: the fixture HTTP
# server on 127.0.0.1, the real daemon, a real SQLite file, and two real
# socket clients (socat and our CLI). Asserts the exact events received and
# the stored rows, replay with `since`, conditional re-polling (304), and a
# briefing published mid-run arriving live.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
TMP=$(mktemp -d)
DAEMON_PID= FIXTURE_PID= SOCAT_PID=
cleanup() {
	exec 3>&- 2>/dev/null || true
	for p in $SOCAT_PID $DAEMON_PID $FIXTURE_PID; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- daemon log"; cat "$TMP/daemon.log" 2>/dev/null; exit 1; }
ok() { echo "ok - $*"; }

mkdir -p "$TMP/www"
start_fixture_server "$TMP/www" "$TMP"
render "$SRCDIR/tests/fixtures/demo/www" "$TMP/www"
cat > "$TMP/bw.conf" <<CONF
[daemon]
database = $TMP/bw.db
socket = $TMP/bw.sock
allow_private = yes
interval = 1h
[feed nato]
url = $BASE/feeds/nato.xml
profile = nato
[feed whitehouse]
url = $BASE/feeds/whitehouse.atom
profile = whitehouse
CONF
"$B/briefwatchd" --check-config --config "$TMP/bw.conf" >/dev/null || fail "--check-config rejected a good config"

"$B/briefwatchd" --config "$TMP/bw.conf" --foreground 2>"$TMP/daemon.log" &
DAEMON_PID=$!
wait_for 10 test -S "$TMP/bw.sock" || fail "socket did not appear"
# A live subscriber from the start (socat as a plain client).
mkfifo "$TMP/socat.in"
socat - UNIX-CONNECT:"$TMP/bw.sock" <"$TMP/socat.in" >"$TMP/socat.out" &
SOCAT_PID=$!
exec 3>"$TMP/socat.in"
echo '{"op":"subscribe","since":0}' >&3
CLI=("$B/briefwatch" --socket "$TMP/bw.sock" --db "$TMP/bw.db")
wait_for 30 head_at_least "$B/briefwatch" "$TMP/bw.sock" 3 || fail "3 briefings not stored"
wait_for 10 sh -c "[ \$(grep -c '\"type\":\"briefing.new\"' '$TMP/socat.out') -ge 3 ]" || fail "socat did not receive 3 events"
ok "three briefings stored and announced"

python3 - "$TMP/socat.out" <<'PY' || fail "events are not what was published"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert lines[0]["type"] == "subscribed", lines[0]
ev = [l for l in lines if l.get("type") == "briefing.new"]
assert len(ev) == 3, ev
seqs = [e["seq"] for e in ev]
assert seqs == sorted(seqs) and len(set(seqs)) == 3, seqs
by_title = {e["briefing"]["title"]: e["briefing"] for e in ev}
assert set(by_title) == {"Press conference", "Joint press point",
    "Press Briefing by Press Secretary Dana Whitfield, November 18, 2026"}, list(by_title)
names = lambda b: [s["name"] for s in b["speakers"]]
assert "Ingrid Halvorsen" in names(by_title["Press conference"]), by_title["Press conference"]
assert "Tomas Berg" in names(by_title["Press conference"])
assert "Andris Kalnins" in names(by_title["Joint press point"])
wh = by_title["Press Briefing by Press Secretary Dana Whitfield, November 18, 2026"]
assert "Dana Whitfield" in names(wh), wh
assert by_title["Press conference"]["published"].startswith("2026-10-14"), by_title["Press conference"]
for e in ev:
    b = e["briefing"]
    assert b["id"] > 0 and b["feed"] in ("nato", "whitehouse") and b["kind"] == "transcript", b
    assert "turns" not in b
    # "stored": when the row was written, UTC with microseconds, recent.
    import datetime, re, time
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", e["stored"]), e["stored"]
    t = datetime.datetime.strptime(e["stored"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    assert time.time() - 120 < t <= time.time() + 1, e["stored"]
print("events ok")
PY
ok "events carry the stored records"

# Stored rows: briefings and turns, attributed.
rows=$(sqlite3 "$TMP/bw.db" "SELECT count(*) FROM briefings") || fail "cannot read the database"
[ "$rows" = 3 ] || fail "expected 3 briefings, found $rows"
"${CLI[@]}" show 1 --json > "$TMP/show.json" || fail "show 1 failed"
python3 - "$TMP/show.json" <<'PY' || fail "stored transcript is wrong"
import json, sys
b = json.load(open(sys.argv[1]))
turns = b["turns"]
assert len(turns) >= 4, turns
qs = [t for t in turns if t["type"] == "question"]
st = [t for t in turns if t["type"] == "statement"]
assert qs and st, turns
assert all(t["speaker"] for t in st), st
print("show ok:", b["title"], len(turns), "turns")
PY
ok "transcript stored with attributed turns"

# Full-text search names the speaker.
"${CLI[@]}" search undersea --json > "$TMP/search.json" || fail "search failed"
grep -q '"speaker": *"Ingrid Halvorsen"\|"speaker":"Ingrid Halvorsen"' "$TMP/search.json" || { cat "$TMP/search.json"; fail "search hit without speaker"; }
ok "search finds a turn and names its speaker"
"${CLI[@]}" search '"unbalanced' >/dev/null 2>"$TMP/search.err" && fail "a malformed query succeeded"
[ -s "$TMP/search.err" ] || fail "a malformed query gave no message"
ok "malformed search query gets an error"

# Replay: a new subscriber with since=1 gets exactly seq 2 and 3, then live.
"${CLI[@]}" tail --since 1 --json --count 2 > "$TMP/replay.out" || fail "tail failed"
python3 - "$TMP/replay.out" <<'PY' || fail "replay wrong"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ev = [e for e in ev if e.get("type", "").startswith("briefing.")]
assert [e["seq"] for e in ev] == [2, 3], [e["seq"] for e in ev]
PY
ok "subscribe since=1 replays exactly the events after 1"

# Mid-run publication: render the late files, poll, the live client gets it.
render "$SRCDIR/tests/fixtures/demo/late" "$TMP/www"
"${CLI[@]}" poll nato >/dev/null || fail "poll refused"
wait_for 20 sh -c "[ \$(grep -c '\"type\":\"briefing.new\"' '$TMP/socat.out') -ge 4 ]" || fail "live event for the new briefing missing"
grep -q 'Doorstep statement' "$TMP/socat.out" || fail "the new event is not the new briefing"
ok "a briefing published mid-run arrives live, once"
[ "$(grep -c '"type":"briefing.new"' "$TMP/socat.out")" = 4 ] || fail "duplicate events"

# An edited briefing: the publisher adds a turn and touches the feed item.
# The page is fetched again and a new revision is announced as
# briefing.updated; the other items are not refetched.
sed -i 's|The first ships will deploy within weeks, not months.|The first ships will deploy within weeks, not months. (Corrected.)|' \
	"$TMP/www/cps/en/natohq/opinions_9101.htm"
sed -i 's|agreed a plan to protect undersea infrastructure.|agreed a plan to protect undersea infrastructure (updated).|' \
	"$TMP/www/feeds/nato.xml"
"${CLI[@]}" poll nato >/dev/null || fail "poll refused"
wait_for 20 grep -q '"type":"briefing.updated"' "$TMP/socat.out" || fail "no briefing.updated event for an edited page"
python3 - "$TMP/socat.out" <<'PY' || fail "update event wrong"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
up = [e for e in ev if e.get("type") == "briefing.updated"]
assert len(up) == 1, up
assert up[0]["briefing"]["title"] == "Press conference", up[0]
assert up[0].get("revision") == 2, up[0]
open(sys.argv[1] + ".id", "w").write(str(up[0]["briefing"]["id"]))
PY
[ "$(grep -c 'opinions_9102.htm' "$TMP/http.log")" = 1 ] || fail "an unchanged item's page was fetched again"
"${CLI[@]}" show "$(cat "$TMP/socat.out.id")" --json | grep -q '(Corrected.)' || fail "the stored transcript is not the new revision"
ok "an edited briefing becomes revision 2, announced as briefing.updated"

# Re-polling an unchanged feed is a conditional request answered 304 and
# writes nothing.
"${CLI[@]}" poll whitehouse >/dev/null
wait_for 10 sh -c "grep -P '/feeds/whitehouse.atom\t304' '$TMP/http.log'" || { cat "$TMP/http.log"; fail "no 304 on re-poll"; }
ok "unchanged feed re-polled with a conditional GET (304)"
[ "$(head_seq "$B/briefwatch" "$TMP/bw.sock")" = 5 ] || fail "re-poll wrote events"

# Metrics in Prometheus text format, from the live daemon.
"${CLI[@]}" metrics > "$TMP/metrics.txt" || fail "metrics failed"
grep -qx 'briefwatch_feeds 2' "$TMP/metrics.txt" || { cat "$TMP/metrics.txt"; fail "metrics: feeds"; }
grep -qx 'briefwatch_event_head 5' "$TMP/metrics.txt" || fail "metrics: head"
grep -q '^briefwatch_feed_polls_total{feed="nato"} [0-9]' "$TMP/metrics.txt" || fail "metrics: per-feed"
ok "metrics in Prometheus text format"

# Clean shutdown.
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "daemon exited non-zero on SIGTERM"
DAEMON_PID=
[ ! -e "$TMP/bw.sock" ] || fail "socket left behind"
grep -q 'handles left open' "$TMP/daemon.log" && fail "loop closed with open handles"
ok "SIGTERM: exit 0, socket removed, loop closed cleanly"

# --once: a fresh database, every feed once, exit 0.
rm -f "$TMP/bw.db"*
"$B/briefwatchd" --config "$TMP/bw.conf" --once 2>"$TMP/once.log" || { cat "$TMP/once.log"; fail "--once failed"; }
rows=$(sqlite3 "$TMP/bw.db" "SELECT count(*) FROM briefings")
[ "$rows" = 4 ] || fail "--once stored $rows briefings, expected 4"
ok "--once ingests everything and exits 0"
