#!/usr/bin/env bash
# Adding and removing feeds over the socket (the add_feed / remove_feed ops,
# `briefwatch add-feed` / `remove-feed`): a feed added at run time is polled
# at once, kept in the feeds file across reloads and restarts, and removed
# again; every bad request gets its own error and changes nothing; the
# configuration file's feeds cannot be removed or shadowed from the socket;
# an unprivileged peer is refused.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 (the shell) is not installed"; exit 77; }
TMP=$(mktemp -d)
FIXTURE_PID= DAEMON_PID=
cleanup() {
	[ -z "$DAEMON_PID" ] || kill "$DAEMON_PID" 2>/dev/null || true
	[ -z "$FIXTURE_PID" ] || kill "$FIXTURE_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$TMP/daemon.log" ] && tail -n 20 "$TMP/daemon.log"; exit 1; }
ok() { echo "ok - $*"; }

# expect_exit CODE MESSAGE-REGEX CMD...: CMD exits CODE and says so on stderr.
expect_exit() {
	local want=$1 re=$2 rc=0
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = "$want" ] || { cat "$TMP/err"; fail "$* exited $rc, not $want"; }
	grep -Eq -- "$re" "$TMP/err" || { cat "$TMP/err"; fail "$*: message does not match $re"; }
}

mkdir -p "$TMP/www" "$TMP/state"
chmod 755 "$TMP"  # uid nobody must reach the socket
start_fixture_server "$TMP/www" "$TMP"
render "$SRCDIR/tests/fixtures/demo/www" "$TMP/www"
cat > "$TMP/bw.conf" <<CONF
[daemon]
database = $TMP/state/bw.db
socket = $TMP/bw.sock
socket_mode = 0666
allow_private = yes
[feed nato]
url = $BASE/feeds/nato.xml
profile = nato
CONF
FEEDS_FILE=$TMP/state/feeds.conf
CLI=("$B/briefwatch" --socket "$TMP/bw.sock")
q() { sqlite3 "$TMP/state/bw.db" "$1"; }
feed_names() {
	"${CLI[@]}" feeds --json | python3 -c '
import json, sys
print(" ".join(sorted(f["name"] + ":" + f["source"] for f in json.load(sys.stdin)["feeds"])))'
}
start_daemon() {
	"$B/briefwatchd" --config "$TMP/bw.conf" --foreground 2>>"$TMP/daemon.log" &
	DAEMON_PID=$!
	wait_for 10 "${CLI[@]}" status --json || fail "daemon did not answer"
}
stop_daemon() {
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "daemon exited non-zero"
	DAEMON_PID=
}

start_daemon
[ "$(feed_names)" = "nato:config" ] || fail "feeds at start: $(feed_names)"
[ ! -e "$FEEDS_FILE" ] || fail "a feeds file exists before any add"

# ---- add ------------------------------------------------------------------
"${CLI[@]}" add-feed wh "$BASE/feeds/whitehouse.atom" --profile whitehouse \
	--interval 2h > "$TMP/out" || fail "add-feed failed"
grep -qx 'added "wh"' "$TMP/out" || fail "add-feed output: $(cat "$TMP/out")"
# Polled at once (the interval is 2 h): its briefing arrives.
wait_for 30 sh -c "[ \"\$(sqlite3 '$TMP/state/bw.db' \"SELECT count(*) FROM briefings WHERE feed = 'wh'\")\" = 1 ]" ||
	fail "the added feed was not polled"
[ "$(feed_names)" = "nato:config wh:feeds_file" ] || fail "feeds after add: $(feed_names)"
grep -qx '\[feed wh\]' "$FEEDS_FILE" || fail "feeds file lacks [feed wh]"
grep -qx "url = $BASE/feeds/whitehouse.atom" "$FEEDS_FILE" || fail "feeds file lacks the url"
grep -qx 'profile = whitehouse' "$FEEDS_FILE" || fail "feeds file lacks the profile"
grep -qx 'interval = 2h' "$FEEDS_FILE" || fail "feeds file lacks the interval"
grep -q 'feed "wh" added' "$TMP/daemon.log" || fail "the add is not logged"
grep -q 'accepted "add_feed" from uid' "$TMP/daemon.log" || fail "the privileged op is not audited"
ok "add-feed starts polling at once and saves the feed in the feeds file"

# ---- bad adds: each has its own error, nothing changes ------------------------
cp "$FEEDS_FILE" "$TMP/feeds.before"
expect_exit 1 'conflict: .*"wh" exists' "${CLI[@]}" add-feed wh "$BASE/x.xml"
expect_exit 1 'conflict: .*"nato" exists' "${CLI[@]}" add-feed nato "$BASE/x.xml"
expect_exit 1 'bad_request: .*not http:// or https://' "${CLI[@]}" add-feed ftpfeed ftp://127.0.0.1/x.xml
expect_exit 1 'bad_request: feed names' "${CLI[@]}" add-feed 'bad name' "$BASE/x.xml"
expect_exit 1 'bad_request: interval "soon"' "${CLI[@]}" add-feed slow "$BASE/x.xml" --interval soon
expect_exit 1 'bad_request: .*unknown profile "nosuch"' "${CLI[@]}" add-feed p "$BASE/x.xml" --profile nosuch
printf '%s\n' '{"op":"add_feed","feed":"nourl"}' | socat -t 2 - UNIX-CONNECT:"$TMP/bw.sock" > "$TMP/nourl"
grep -q '"code":"bad_request".*needs \\"url\\"' "$TMP/nourl" || fail "add_feed without url: $(cat "$TMP/nourl")"
# A newline in a value would smuggle a section into the file: refused.
printf '%s\n' "{\"op\":\"add_feed\",\"feed\":\"inj\",\"url\":\"$BASE/x.xml\\n[daemon]\\ndatabase = /tmp/evil.db\"}" |
	socat -t 2 - UNIX-CONNECT:"$TMP/bw.sock" > "$TMP/inj"
grep -q '"code":"bad_request"' "$TMP/inj" || fail "a value with a newline was not refused: $(cat "$TMP/inj")"
cmp -s "$FEEDS_FILE" "$TMP/feeds.before" || fail "a refused add changed the feeds file"
[ "$(feed_names)" = "nato:config wh:feeds_file" ] || fail "a refused add changed the feeds: $(feed_names)"
ok "bad adds are refused with their own errors and change nothing"

# ---- remove: only feeds_file feeds -----------------------------------------
expect_exit 1 'conflict: feed "nato" is defined in .*bw.conf' "${CLI[@]}" remove-feed nato
expect_exit 1 'not_found: no feed called "nosuch"' "${CLI[@]}" remove-feed nosuch
expect_exit 2 'takes no option' "${CLI[@]}" remove-feed wh --interval 5m
ok "configuration-file feeds and unknown feeds are not removed"

# ---- unprivileged peers are refused ------------------------------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	expect_exit 1 'forbidden' setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$B/briefwatch" --socket "$TMP/bw.sock" add-feed evil "$BASE/x.xml"
	expect_exit 1 'forbidden' setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$B/briefwatch" --socket "$TMP/bw.sock" remove-feed wh
	[ "$(feed_names)" = "nato:config wh:feeds_file" ] || fail "an unprivileged peer changed the feeds"
	ok "uid nobody gets forbidden"
else
	echo "# not root or no setpriv: unprivileged check skipped"
fi

# ---- survives reload and restart ---------------------------------------------
kill -HUP "$DAEMON_PID"
wait_for 10 grep -q 'reload:' "$TMP/daemon.log" || fail "no reload"
[ "$(feed_names)" = "nato:config wh:feeds_file" ] || fail "feeds after reload: $(feed_names)"
stop_daemon
start_daemon
[ "$(feed_names)" = "nato:config wh:feeds_file" ] || fail "feeds after restart: $(feed_names)"
ok "an added feed survives SIGHUP and a restart"

# ---- remove, then restart ------------------------------------------------------
"${CLI[@]}" remove-feed wh > "$TMP/out" || fail "remove-feed failed"
grep -qx 'removed "wh"' "$TMP/out" || fail "remove-feed output: $(cat "$TMP/out")"
[ "$(feed_names)" = "nato:config" ] || fail "feeds after remove: $(feed_names)"
! grep -q 'feed wh' "$FEEDS_FILE" || fail "the feeds file still has wh"
[ "$(q "SELECT count(*) FROM briefings WHERE feed = 'wh'")" = 1 ] || fail "removing the feed lost its briefing"
stop_daemon
start_daemon
[ "$(feed_names)" = "nato:config" ] || fail "feeds after remove and restart: $(feed_names)"
ok "remove-feed stops the feed for good and keeps its briefings"

# ---- the configuration file wins a name clash ------------------------------------
"${CLI[@]}" add-feed dup "$BASE/feeds/whitehouse.atom" >/dev/null || fail "add dup"
cat >> "$TMP/bw.conf" <<CONF
[feed dup]
url = $BASE/feeds/nato.xml
CONF
kill -HUP "$DAEMON_PID"
wait_for 10 grep -q 'ignored: the configuration file has feeds of the same name' "$TMP/daemon.log" ||
	fail "the shadowed feeds-file entry is not reported"
[ "$(feed_names)" = "dup:config nato:config" ] || fail "feeds after the clash: $(feed_names)"
ok "a name in both files: the configuration file's feed is used, with a warning"
stop_daemon

# ---- an unwritable feeds file: refused, nothing added ------------------------------
sed -i "s|^socket = .*|&\nfeeds_file = $TMP/missing-dir/feeds.conf|" "$TMP/bw.conf"
start_daemon
expect_exit 1 'cannot write .*missing-dir/feeds.conf' "${CLI[@]}" add-feed late "$BASE/x.xml"
[ "$(feed_names)" = "dup:config nato:config" ] || fail "a failed write added the feed: $(feed_names)"
stop_daemon
sed -i "s|^feeds_file = .*|feeds_file = none|" "$TMP/bw.conf"
start_daemon
expect_exit 1 'feeds_file = none' "${CLI[@]}" add-feed late "$BASE/x.xml"
stop_daemon
ok "feeds_file unwritable or none: add-feed fails and changes nothing"
