#!/usr/bin/env bash
# `briefwatch tail` when the daemon stops or restarts (issue #22 item 8):
# it used to exit 0 in silence, so `briefwatch tail | indexer` could not
# tell. Now it says so on stderr, reconnects with backoff and resumes with
# since = the last seq it received (nothing twice, nothing missed); with
# --no-reconnect it exits 1 instead, naming the seq to resume from.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
TMP=$(mktemp -d)
DAEMON_PID= FIXTURE_PID= TAIL_PID= TAIL2_PID=
cleanup() {
	for p in $TAIL_PID $TAIL2_PID $DAEMON_PID $FIXTURE_PID; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- tail stderr"; cat "$TMP/tail.err" 2>/dev/null; echo "--- daemon log"; tail -n 30 "$TMP/daemon.log" 2>/dev/null; exit 1; }
ok() { echo "ok - $*"; }

mkdir -p "$TMP/www/feeds"
start_fixture_server "$TMP/www" "$TMP"
items() { # items N: a feed with items 1..N
	{
		printf '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
		for i in $(seq "$1"); do
			# item 1's title carries U+202E (right-to-left override)
			printf '<item><title>Item %d%s</title><link>http://example.org/%d</link><guid>t-%d</guid><description>x</description></item>' "$i" "$([ "$i" = 1 ] && printf ' \342\200\256gpj.exe')" "$i" "$i"
		done
		printf '</channel></rss>\n'
	} > "$TMP/www/feeds/t.xml.tmp"
	mv "$TMP/www/feeds/t.xml.tmp" "$TMP/www/feeds/t.xml"
}
cat > "$TMP/bw.conf" <<CONF
[daemon]
database = $TMP/bw.db
socket = $TMP/bw.sock
allow_private = yes
fetch_pages = no
interval = 1h
[feed t]
url = $BASE/feeds/t.xml
CONF
start_daemon() {
	"$B/briefwatchd" --config "$TMP/bw.conf" --foreground 2>>"$TMP/daemon.log" &
	DAEMON_PID=$!
	wait_for 10 test -S "$TMP/bw.sock" || fail "daemon did not start"
}
stop_daemon() {
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "daemon exit status $?"
	DAEMON_PID=
}
events() { grep -c '"type":"briefing\.' "$1" 2>/dev/null || true; }
has_events() { [ "$(events "$1")" -ge "$2" ]; }

items 2
start_daemon
"$B/briefwatch" --socket "$TMP/bw.sock" tail --json --since 0 >"$TMP/tail.out" 2>"$TMP/tail.err" &
TAIL_PID=$!
wait_for 20 has_events "$TMP/tail.out" 2 || fail "tail did not print the first 2 events"

stop_daemon
wait_for 10 grep -q 'lost the daemon; reconnecting in .* with --since 2' "$TMP/tail.err" ||
	fail "tail did not say it lost the daemon and would resume after seq 2"
kill -0 "$TAIL_PID" 2>/dev/null || fail "tail exited when the daemon stopped"
ok "daemon stopped: tail says so on stderr and keeps trying"

items 4
LONG=a-feed-name-of-sixty-four-characters-the-longest-one-allowed-xyz
printf '[feed %s]\nurl = %s/feeds/t.xml\n' "$LONG" "$BASE" >> "$TMP/bw.conf"
start_daemon
wait_for 30 has_events "$TMP/tail.out" 4 || fail "tail did not resume after the restart"
sleep 0.5
python3 - "$TMP/tail.out" <<'PY' || fail "events after the reconnect"
import json, sys
seqs = [json.loads(l)["seq"] for l in open(sys.argv[1]) if '"type":"briefing.' in l]
assert seqs == [1, 2, 3, 4], seqs
PY
grep -q 'reconnected' "$TMP/tail.err" || fail "tail did not say it reconnected"
ok "daemon restarted: tail reconnected and resumed after seq 2 (events 1-4, none twice)"

# issue #22 item 6: text output drops bidi controls as it blanks C0/C1.
"$B/briefwatch" --socket "$TMP/bw.sock" tail --since 0 --count 4 >"$TMP/text.out" 2>/dev/null ||
	fail "tail in text mode failed"
grep -q 'Item 1 gpj.exe' "$TMP/text.out" || { cat "$TMP/text.out"; fail "tail text lost the title"; }
! grep -q "$(printf '\342\200\256')" "$TMP/text.out" || fail "tail printed U+202E to the terminal"
grep -q "$(printf '\342\200\256')" "$TMP/tail.out" || fail "the --json stream lost U+202E (it must pass unchanged)"
ok "tail's text output drops U+202E; --json keeps the title as published"

# issue #22 item 14: a user who may use the socket but not read the 0600
# database gets search, show and list through the daemon's search and get
# ops.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 711 "$TMP"
	chmod 600 "$TMP/bw.db"
	chmod 666 "$TMP/bw.sock"
	AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups "$B/briefwatch" --db "$TMP/bw.db" --socket "$TMP/bw.sock")
	"${AS_NOBODY[@]}" search Item > "$TMP/nb.search" 2>&1 || { cat "$TMP/nb.search"; fail "search as a socket-only user"; }
	grep -q 'Item 3' "$TMP/nb.search" || { cat "$TMP/nb.search"; fail "search through the daemon found nothing"; }
	"${AS_NOBODY[@]}" show 3 > "$TMP/nb.show" 2>&1 || { cat "$TMP/nb.show"; fail "show as a socket-only user"; }
	head -1 "$TMP/nb.show" | grep -qx 'Item [0-9]' || { cat "$TMP/nb.show"; fail "show through the daemon"; }
	"${AS_NOBODY[@]}" list > "$TMP/nb.list" 2>&1 || { cat "$TMP/nb.list"; fail "list as a socket-only user"; }
	[ "$(grep -c 'Item' "$TMP/nb.list")" = 4 ] || { cat "$TMP/nb.list"; fail "list through the daemon"; }
	"${AS_NOBODY[@]}" show 99 2>"$TMP/nb.err" && fail "show of a missing briefing succeeded"
	grep -q 'not_found: no briefing' "$TMP/nb.err" || { cat "$TMP/nb.err"; fail "show 99 through the daemon"; }
	ok "a socket user who cannot read the 0600 database searches, shows and lists through the daemon"
else
	echo "# not root or no setpriv: the socket-only reader is skipped"
fi

# issue #22 item 14: feeds, poll and reload print text unless --json,
# and the feed column fits a 64-character name.
CLI=("$B/briefwatch" --socket "$TMP/bw.sock")
"${CLI[@]}" feeds > "$TMP/feeds.txt" || fail "feeds failed"
python3 - "$TMP/feeds.txt" "$LONG" <<'PY' || { cat "$TMP/feeds.txt"; fail "feeds table"; }
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0].startswith("FEED "), lines
col = lines[0].index("STATE")
assert len(lines) == 3, lines
for l in lines[1:]:
    assert l[col - 1] == " " and l[col] != " ", (col, l)   # the column lines up
assert any(l.startswith(sys.argv[2] + " ") for l in lines[1:])
PY
"${CLI[@]}" feeds --json | python3 -c 'import json,sys; assert len(json.load(sys.stdin)["feeds"]) == 2' ||
	fail "feeds --json is not JSON"
"${CLI[@]}" poll t > "$TMP/poll.txt" || fail "poll failed"
grep -qx 'polling "t" now (briefwatch feeds shows the result)' "$TMP/poll.txt" || { cat "$TMP/poll.txt"; fail "poll text"; }
"${CLI[@]}" reload > "$TMP/reload.txt" || fail "reload failed"
grep -qx 'reloaded: 2 feeds' "$TMP/reload.txt" || { cat "$TMP/reload.txt"; fail "reload text"; }
ok "feeds, poll and reload print text (--json for JSON); the feed column fits a 64-character name"

kill -TERM "$TAIL_PID"
rc=0; wait "$TAIL_PID" || rc=$?
TAIL_PID=
[ "$rc" = 0 ] || fail "tail exit status $rc on SIGTERM"

"$B/briefwatch" --socket "$TMP/bw.sock" tail --json --no-reconnect >"$TMP/tail2.out" 2>"$TMP/tail2.err" &
TAIL2_PID=$!
sleep 0.5 # subscribed (live only: nothing to print)
stop_daemon
rc=0; wait "$TAIL2_PID" || rc=$?
TAIL2_PID=
[ "$rc" = 1 ] || fail "tail --no-reconnect exited $rc when the daemon stopped, not 1"
grep -q 'the daemon closed the connection; resume with --since 4' "$TMP/tail2.err" ||
	{ cat "$TMP/tail2.err"; fail "tail --no-reconnect did not say where to resume"; }
ok "--no-reconnect: exit 1 with the seq to resume from"
