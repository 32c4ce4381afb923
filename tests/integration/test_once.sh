#!/usr/bin/env bash
# --once (issue #22 item 9): exits non-zero when any feed failed, its last
# line names the failed feeds, and it never says "retrying in N s" (it
# does not retry). With every feed fine it exits 0.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
TMP=$(mktemp -d)
FIXTURE_PID=
cleanup() {
	for p in $FIXTURE_PID; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- log"; cat "$TMP/once.log" 2>/dev/null; exit 1; }
ok() { echo "ok - $*"; }

mkdir -p "$TMP/www"
start_fixture_server "$TMP/www" "$TMP"
printf '<rss version="2.0"><channel><title>t</title><item><title>A</title><guid>a</guid><description>x</description></item></channel></rss>' > "$TMP/www/good.xml"
cat > "$TMP/bw.conf" <<CONF
[daemon]
database = $TMP/bw.db
socket = $TMP/bw.sock
allow_private = yes
feeds_file = none
fetch_pages = no
[feed good]
url = $BASE/good.xml
[feed gone]
url = $BASE/nosuch.xml
[feed broken]
url = $BASE/_bad/status/503
CONF
rc=0
timeout 60 "$B/briefwatchd" --once --config "$TMP/bw.conf" 2>"$TMP/once.log" || rc=$?
[ "$rc" -eq 1 ] || fail "--once with failed feeds exited $rc, want 1"
last=$(tail -n 1 "$TMP/once.log")
case "$last" in
*"2 of 3 feeds failed"*gone*"HTTP 404"*|*"2 of 3 feeds failed"*broken*gone*) ;;
*) fail "last line does not name the failed feeds: $last" ;;
esac
grep -q broken <<<"$last" || fail "last line does not name feed broken: $last"
grep -q "retrying in" "$TMP/once.log" && fail "--once logged a retry it will not make"
n=$(sqlite3 "$TMP/bw.db" "SELECT count(*) FROM briefings")
[ "$n" -eq 1 ] || fail "the good feed's item was not stored ($n)"
ok "--once: exit 1, last line names the failed feeds, no 'retrying in'"

sed -i '/^\[feed gone\]/,$d' "$TMP/bw.conf"
rc=0
timeout 60 "$B/briefwatchd" --once --config "$TMP/bw.conf" 2>"$TMP/once.log" || rc=$?
[ "$rc" -eq 0 ] || fail "--once with every feed fine exited $rc"
ok "--once: exit 0 when every feed worked"
