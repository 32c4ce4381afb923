#!/usr/bin/env bash
# A transcript published as a PDF, through a feed, with real parts: the
# fixture HTTP server on 127.0.0.1 serves a PDF drawn by
# tests/fixtures/pdf/mkpdf.py (cairo) under a name that does not say PDF,
# and a damaged PDF; the real daemon stores them; a socket subscriber
# receives the briefing with its speakers, `get` gives its turns, and the
# damaged one is stored from the feed item with a clear log line.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
/usr/bin/python3 -c 'import cairo' 2>/dev/null || { echo "python3-cairo missing (make deps)"; exit 77; }
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

mkdir -p "$TMP/www/docs" "$TMP/www/feeds"
start_fixture_server "$TMP/www" "$TMP"
/usr/bin/python3 "$SRCDIR/tests/fixtures/pdf/mkpdf.py" \
	"$SRCDIR/tests/fixtures/pdf/press_briefing.txt" "$TMP/www/docs/briefing-140325" ||
	fail "cannot draw the PDF"
head -c 3000 "$TMP/www/docs/briefing-140325" > "$TMP/www/docs/broken.pdf"
cat > "$TMP/www/feeds/pdf.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Ministry transcripts</title>
<link>$BASE/</link><description>PDF transcripts</description>
<item><title>Press briefing, 14 March 2025</title>
 <link>$BASE/docs/briefing-140325</link><guid>b-140325</guid>
 <description>The spokesperson's briefing on the corridor talks.</description>
 <pubDate>Fri, 14 Mar 2025 12:00:00 +0100</pubDate></item>
<item><title>Press briefing, 7 March 2025</title>
 <link>$BASE/docs/broken.pdf</link><guid>b-070325</guid>
 <description>Last week's briefing.</description>
 <pubDate>Fri, 07 Mar 2025 12:00:00 +0100</pubDate></item>
</channel></rss>
XML
cat > "$TMP/bw.conf" <<CONF
[daemon]
database = $TMP/bw.db
socket = $TMP/bw.sock
allow_private = yes
interval = 1h
[feed ministry]
url = $BASE/feeds/pdf.xml
CONF

"$B/briefwatchd" --config "$TMP/bw.conf" --foreground 2>"$TMP/daemon.log" &
DAEMON_PID=$!
wait_for 10 test -S "$TMP/bw.sock" || fail "socket did not appear"
mkfifo "$TMP/socat.in"
socat - UNIX-CONNECT:"$TMP/bw.sock" <"$TMP/socat.in" >"$TMP/socat.out" &
SOCAT_PID=$!
exec 3>"$TMP/socat.in"
echo '{"op":"subscribe","since":0}' >&3
wait_for 30 sh -c "[ \$(grep -c '\"type\":\"briefing.new\"' '$TMP/socat.out') -ge 2 ]" ||
	fail "the subscriber did not receive 2 briefings"
ok "two briefings announced"

id=$(python3 - "$TMP/socat.out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ev = {e["briefing"]["url"].rsplit("/", 1)[1]: e["briefing"] for e in ev
      if e.get("type") == "briefing.new"}
b = ev["briefing-140325"]
assert b["kind"] == "transcript", b
assert b["title"] == "Press Briefing by the Spokesperson on the Northern Corridor Talks", b
assert b["published"].startswith("2025-03-14"), b
assert [s["name"] for s in b["speakers"]] == ["Anna Kowalski", "David Okonkwo"], b
broken = ev["broken.pdf"]
assert broken["kind"] == "other" and broken["title"] == "Press briefing, 7 March 2025", broken
print(b["id"])
PY
) || fail "the PDF briefing's event is not what the PDF says"
ok "the PDF's briefing: title, date, speakers"

python3 - "$TMP/bw.sock" "$id" <<'PY' || fail "get did not give the PDF's turns"
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"op":"get","id":%d}\n' % int(sys.argv[2]))
buf = b""
while b"\n" not in buf:
    d = s.recv(65536)
    assert d, buf
    buf += d
r = json.loads(buf.split(b"\n")[0])
t = r["briefing"]["turns"]
assert [x["type"] for x in t] == ["statement", "question", "statement",
    "question", "statement", "statement", "statement"], t
assert t[0]["speaker"] == "Anna Kowalski" and t[5]["speaker"] == "David Okonkwo", t
assert t[0]["text"].startswith("Good afternoon, everyone."), t[0]
assert "\n\nLet me also say" in t[0]["text"], t[0]
assert "Ministry of Foreign Affairs" not in json.dumps(t), t
assert "Page 1" not in json.dumps(t), t
PY
ok "get gives its seven turns, paragraphs kept, running head and foot dropped"

grep -q 'broken.pdf: damaged or unreadable PDF.*storing the feed item only' "$TMP/daemon.log" ||
	fail "no clear log line for the damaged PDF"
ok "the damaged PDF is named in the log and stored from the feed"

"$B/briefwatch" --db "$TMP/bw.db" search 'corridors' --speaker okonkwo --json > "$TMP/search.out" ||
	fail "search failed"
grep -q '"speaker":"David Okonkwo"' "$TMP/search.out" || fail "search did not find the PDF's words: $(cat "$TMP/search.out")"
ok "the PDF's words are searchable"
