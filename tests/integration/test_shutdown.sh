#!/usr/bin/env bash
# Clean shutdown with everything open: a short session (ingest, a live
# subscriber, an idle client, a feed whose fetch is in flight because the
# server never answers, a poll, search and get over the socket), then
# SIGTERM. Asserted: exit 0, the socket removed, uv_loop_close() succeeded
# (main.c logs "handles left open" when it does not), and no leak:
#   1. with "$B/briefwatchd" as built (under `make check-sanitize` that is
#      ASan + LSan, which fail the exit status on any leak or error);
#   2. under valgrind --leak-check=full --error-exitcode=99 (skipped for a
#      sanitizer build; the whole test is a skip, 77, without valgrind).
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
TMP=$(mktemp -d)
DAEMON_PID='' FIXTURE_PID='' SUB_PID='' IDLE_PID=''
cleanup() {
	for p in $SUB_PID $IDLE_PID $DAEMON_PID $FIXTURE_PID; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
LOG=
fail() { echo "FAIL: $*"; [ -z "$LOG" ] || { echo "--- $LOG"; tail -n 80 "$LOG"; }; exit 1; }
ok() { echo "ok - $*"; }

mkdir -p "$TMP/www"
start_fixture_server "$TMP/www" "$TMP"
python3 "$SRCDIR/tests/torture/corpus.py" "$TMP/www" "$BASE" --feeds 2 \
	--items 3 --seed shutdown --prefix s >/dev/null
cat > "$TMP/bw.conf" <<CONF
[daemon]
database = $TMP/bw.db
socket = $TMP/bw.sock
allow_private = yes
interval = 1h
[feed s00]
url = $BASE/feeds/s00.xml
profile = nato
[feed s01]
url = $BASE/feeds/s01.xml
profile = nato
[feed hang]
url = $BASE/_bad/hang
CONF
CLIENT=(python3 "$SRCDIR/tests/integration/client.py" "$TMP/bw.sock")

# session NAME LIMIT_S PREFIX...: one run of the daemon (PREFIX is e.g. a
# valgrind command line) through the whole session; leaves its log in
# $TMP/NAME.log and its exit status in $RC.
session() {
	local name=$1 limit=$2
	shift 2
	LOG=$TMP/$name.log
	rm -f "$TMP"/bw.db*
	: > "$TMP/sub.out"
	"$@" "$B/briefwatchd" --config "$TMP/bw.conf" --foreground >"$LOG" 2>&1 &
	DAEMON_PID=$!
	wait_for "$limit" test -S "$TMP/bw.sock" || fail "$name: socket did not appear"
	"${CLIENT[@]}" --tail --since 0 --timeout 600 >"$TMP/sub.out" 2>&1 &
	SUB_PID=$!
	# An idle client that never subscribes (closed by the shutdown).
	python3 -c 'import socket,sys,time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(600)' \
		"$TMP/bw.sock" &
	IDLE_PID=$!
	wait_for "$limit" head_at_least "$B/briefwatch" "$TMP/bw.sock" 6 ||
		fail "$name: 6 briefings not stored"
	wait_for "$limit" sh -c "[ \$(grep -c '\"type\":\"briefing.new\"' '$TMP/sub.out') -ge 6 ]" ||
		fail "$name: the subscriber did not get 6 events"
	# The hanging feed's fetch is in flight (the server logged it).
	wait_for "$limit" grep -q '/_bad/hang' "$TMP/http.log" || fail "$name: hang feed not polled"
	local n
	n=$(grep -c '/feeds/s00.xml' "$TMP/http.log")
	"${CLIENT[@]}" '{"op":"poll","feed":"s00"}' >/dev/null || fail "$name: poll refused"
	wait_for "$limit" sh -c "[ \$(grep -c '/feeds/s00.xml' '$TMP/http.log') -gt $n ]" ||
		fail "$name: poll did not fetch"
	"${CLIENT[@]}" '{"op":"search","query":"alliance OR security","limit":5}' >"$TMP/search.out" ||
		fail "$name: search failed"
	"${CLIENT[@]}" '{"op":"get","id":1}' | grep -q '"turns"' || fail "$name: get failed"
	"${CLIENT[@]}" '{"op":"status"}' >/dev/null || fail "$name: status failed"
	kill -TERM "$DAEMON_PID"
	RC=0
	wait "$DAEMON_PID" || RC=$?
	DAEMON_PID=
	kill "$IDLE_PID" 2>/dev/null || true
	wait "$SUB_PID" "$IDLE_PID" 2>/dev/null || true
	SUB_PID='' IDLE_PID=''
	[ ! -e "$TMP/bw.sock" ] || fail "$name: socket left behind"
	if grep -q 'handles left open' "$LOG"; then fail "$name: uv_loop_close() failed: handles left open"; fi
	grep -q 'SIGTERM' "$LOG" || fail "$name: no shutdown logged"
}

session plain 60
[ "$RC" = 0 ] || fail "plain: exit status $RC after SIGTERM"
ok "SIGTERM mid-session (live subscriber, idle client, fetch in flight): exit 0, loop closed, socket removed"
LOG=

if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind is not installed: the valgrind half was skipped"
	exit 77
fi
if grep -q '__asan_init' "$B/briefwatchd" 2>/dev/null; then
	ok "sanitizer build: the run above was under ASan/LSan; valgrind skipped"
	exit 0
fi
session valgrind 300 valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
	--error-exitcode=99 --track-fds=no --num-callers=30
if ! grep -q 'ERROR SUMMARY: 0 errors' "$LOG"; then
	grep -q xmlGetGlobalState "$LOG" &&
		echo "hint: libxml2 per-thread state of the libuv pool threads leaked: main.c must call uv_library_shutdown() before xmlCleanupParser()"
	fail "valgrind reported errors"
fi
[ "$RC" = 0 ] || fail "valgrind: exit status $RC (99: valgrind found errors or leaks)"
grep -Eq 'definitely lost: 0 bytes|no leaks are possible' "$LOG" || fail "valgrind: memory definitely lost"
ok "under valgrind: exit 0, 0 errors, nothing definitely, indirectly or possibly lost"
grep -E 'in use at exit|definitely lost|indirectly lost|possibly lost|still reachable' "$LOG" | sed 's/^==[0-9]*== */    /'
