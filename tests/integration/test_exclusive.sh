#!/usr/bin/env bash
# One daemon per database (issue #22 item 2): a second briefwatchd on the
# same database is refused with the first one's pid, before it creates
# anything; a second one on the same socket with another database is
# refused before that database is created; --once is refused the same way.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
TMP=$(mktemp -d)
DAEMON_PID= FIXTURE_PID=
cleanup() {
	for p in $DAEMON_PID $FIXTURE_PID; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$TMP"/*.log; do echo "--- $f"; cat "$f"; done; exit 1; }
ok() { echo "ok - $*"; }

mkdir -p "$TMP/www" "$TMP/a" "$TMP/b"
start_fixture_server "$TMP/www" "$TMP"
printf '<rss version="2.0"><channel><title>t</title></channel></rss>' > "$TMP/www/feed.xml"
conf() { # conf FILE DB SOCKET
	cat > "$1" <<CONF
[daemon]
database = $2
socket = $3
allow_private = yes
interval = 1h
feeds_file = none
[feed one]
url = $BASE/feed.xml
CONF
}
conf "$TMP/a.conf" "$TMP/a/bw.db" "$TMP/a/bw.sock"
"$B/briefwatchd" --config "$TMP/a.conf" 2>"$TMP/a.log" &
DAEMON_PID=$!
wait_for 10 test -S "$TMP/a/bw.sock" || fail "first daemon did not start"

# same database, another socket
conf "$TMP/b.conf" "$TMP/a/bw.db" "$TMP/b/bw.sock"
rc=0
timeout 20 "$B/briefwatchd" --config "$TMP/b.conf" 2>"$TMP/b.log" || rc=$?
[ "$rc" -eq 1 ] || fail "second daemon on the same database: exit $rc, want 1"
grep -q "database $TMP/a/bw.db is in use by another briefwatchd (pid $DAEMON_PID" "$TMP/b.log" ||
	fail "the refusal does not name the database and pid $DAEMON_PID"
[ ! -e "$TMP/b/bw.sock" ] || fail "the refused daemon created its socket"
ok "a second daemon on the same database is refused with the holder's pid"

rc=0
timeout 20 "$B/briefwatchd" --once --config "$TMP/b.conf" 2>"$TMP/b1.log" || rc=$?
[ "$rc" -eq 1 ] || fail "--once on a database in use: exit $rc, want 1"
grep -q "pid $DAEMON_PID" "$TMP/b1.log" || fail "--once refusal does not name the pid"
ok "--once on a database in use is refused too"

# another database, the same socket: nothing created
conf "$TMP/c.conf" "$TMP/b/other.db" "$TMP/a/bw.sock"
rc=0
timeout 20 "$B/briefwatchd" --config "$TMP/c.conf" 2>"$TMP/c.log" || rc=$?
[ "$rc" -eq 1 ] || fail "second daemon on the same socket: exit $rc, want 1"
grep -q "a live daemon already answers on" "$TMP/c.log" || fail "no clear refusal for the live socket"
ls "$TMP/b" | grep -q "other.db" && fail "the refused daemon created $(ls "$TMP/b")"
ok "a live socket is refused before the database is created"

# the first daemon still works; once it is gone, its database is free
"$B/briefwatch" --socket "$TMP/a/bw.sock" status >/dev/null || fail "first daemon stopped answering"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "first daemon did not exit 0"
DAEMON_PID=
timeout 60 "$B/briefwatchd" --once --config "$TMP/b.conf" 2>"$TMP/b2.log" || fail "database not free after the holder exited"
ok "the lock ends with its holder"
