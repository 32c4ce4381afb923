#!/usr/bin/env bash
# #22 item 10 end to end: a feed that starts tagging its links
# (?utm_source=rss, fbclid, ...) makes no new revision and keeps the
# briefing's URL; a link first seen with tracking parameters is stored
# without them. Real daemon (--once twice), fixture server, SQLite file.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 (the shell) is not installed"; exit 77; }
TMP=$(mktemp -d)
FIXTURE_PID=
cleanup() {
	[ -z "$FIXTURE_PID" ] || kill "$FIXTURE_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$TMP/once.log" 2>/dev/null; exit 1; }
ok() { echo "ok - $*"; }
q() { sqlite3 "$TMP/bw.db" "$1"; }

mkdir -p "$TMP/www"
start_fixture_server "$TMP/www" "$TMP"
feed() { # feed LINK1 [LINK2]
	local l1=${1//&/&amp;} l2=${2:-}
	l2=${l2//&/&amp;}
	{
		echo '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
		echo "<item><guid>g1</guid><title>One</title><link>$l1</link>"
		echo '<description>First briefing.</description></item>'
		[ -z "$l2" ] || echo "<item><guid>g2</guid><title>Two</title><link>$l2</link><description>Second.</description></item>"
		echo '</channel></rss>'
	} > "$TMP/www/feed.tmp" && mv "$TMP/www/feed.tmp" "$TMP/www/feed.xml"
}
cat > "$TMP/bw.conf" <<CONF
[daemon]
database = $TMP/bw.db
socket = $TMP/bw.sock
allow_private = yes
fetch_pages = no
[feed f]
url = $BASE/feed.xml
CONF

feed "https://press.example.org/b?id=1"
"$B/briefwatchd" --config "$TMP/bw.conf" --once 2>"$TMP/once.log" || fail "first --once failed"
[ "$(q 'SELECT url FROM briefings')" = "https://press.example.org/b?id=1" ] || fail "first URL: $(q 'SELECT url FROM briefings')"
ok "first poll stores the briefing"

sleep 1 # a new mtime for the feed, so the poll is not a 304
feed "https://press.example.org/b?utm_source=rss&id=1&fbclid=Xy&utm_medium=feed" \
     "https://press.example.org/c?mc_cid=1&mc_eid=2&p=3#top"
"$B/briefwatchd" --config "$TMP/bw.conf" --once 2>"$TMP/once.log" || fail "second --once failed"
[ "$(q 'SELECT count(*) FROM revisions WHERE briefing_id = (SELECT id FROM briefings WHERE title = "One")')" = 1 ] ||
	fail "tracking parameters made a new revision"
[ "$(q 'SELECT count(*) FROM events WHERE type = "briefing.updated"')" = 0 ] || fail "an update event was published"
[ "$(q 'SELECT url FROM briefings WHERE title = "One"')" = "https://press.example.org/b?id=1" ] ||
	fail "URL replaced: $(q 'SELECT url FROM briefings WHERE title = "One"')"
ok "a tagged link keeps the briefing, its revision and its URL"
[ "$(q 'SELECT url FROM briefings WHERE title = "Two"')" = "https://press.example.org/c?p=3#top" ] ||
	fail "new URL stored as $(q 'SELECT url FROM briefings WHERE title = "Two"')"
q 'SELECT json FROM events WHERE type = "briefing.new"' | grep -q '"url":"https://press.example.org/c?p=3#top"' ||
	fail "the event does not carry the clean URL"
ok "a new link is stored and announced without its tracking parameters"
