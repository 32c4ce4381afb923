#!/usr/bin/env bash
# Hostile servers and hostile feeds against the real daemon (issue 9 item 4).
# One daemon, one config: a dozen feeds each pointing at a misbehaviour of
# tests/fixtures/server.py (endless body, 1 B/s drip, gzip bomb, 10,000
# headers, redirect loop, redirects to file: and gopher:, reset mid-body,
# short body) or serving a hostile document (invalid UTF-8, billion laughs,
# XXE with a local file, external DTD), plus two good feeds. Asserts, per
# feed: it ends with its specific error (status --json last_result and the
# daemon log), nothing of the local files reaches the database or the log,
# the daemon's peak RSS stays bounded, and the good feeds' briefings are
# stored and announced regardless.
#
# A second daemon with allow_private = no runs in its own network namespace
# (loopback only, so no packet can leave even if the policy failed) with
# feeds at 169.254.169.254, 10.0.0.1, 127.0.0.1 and [::1]: each is refused
# by the address policy. (Redirects *to* those addresses need the fixture
# server on 127.0.0.1 to be exempt: the config has no allow_addrs key yet.)
#
# The slowest case is the drip: curl's low-speed limit (100 B/s for 20 s,
# not configurable) ends it after ~20 s.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
TMP=$(mktemp -d)
DAEMON_PID= FIXTURE_PID= SUB_PID= D2_PID=
cleanup() {
	for p in $SUB_PID $DAEMON_PID $D2_PID $FIXTURE_PID; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- daemon log"; tail -n 80 "$TMP/daemon.log" 2>/dev/null; exit 1; }
ok() { echo "ok - $*"; }

MARK="bw-secret-$$-$RANDOM-xxe"
MARK2="bw-secret-$$-$RANDOM-dtd"
printf '%s\n' "$MARK" > "$TMP/secret.txt"
printf '<!ENTITY ext "%s">\n' "$MARK2" > "$TMP/ext.dtd"

mkdir -p "$TMP/www/h"
start_fixture_server "$TMP/www" "$TMP"
render "$SRCDIR/tests/fixtures/demo/www" "$TMP/www"

item() { # guid title
	printf '<item><title>%s</title><link>%s/h/%s.html</link><guid>%s</guid><pubDate>Tue, 10 Oct 2023 09:30:00 GMT</pubDate></item>\n' "$2" "$BASE" "$1" "$1"
}
{
	printf '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Bad \xff\xfe bytes</title>\n'
	item badutf8-1 $'Minister \xc3\x28 statement \xed\xa0\x80 end'
	printf '</channel></rss>\n'
} > "$TMP/www/h/badutf8.xml"
{
	printf '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "haha">\n'
	prev=a
	for e in b c d e f g h i j; do
		printf '<!ENTITY %s "' "$e"
		for _ in 1 2 3 4 5 6 7 8 9 10; do printf '&%s;' "$prev"; done
		printf '">\n'
		prev=$e
	done
	printf ']>\n<rss version="2.0"><channel><title>Laughs</title>\n'
	item bomb-1 '&j;'
	printf '</channel></rss>\n'
} > "$TMP/www/h/bomb.xml"
{
	printf '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file://%s/secret.txt">]>\n' "$TMP"
	printf '<rss version="2.0"><channel><title>XXE &x;</title>\n'
	item xxe-1 'Leak: &x;'
	printf '</channel></rss>\n'
} > "$TMP/www/h/xxe.xml"
{
	printf '<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "file://%s/ext.dtd">\n' "$TMP"
	printf '<rss version="2.0"><channel><title>DTD</title>\n'
	item dtd-1 'External: &ext;'
	printf '</channel></rss>\n'
} > "$TMP/www/h/dtd.xml"
# A remote external DTD too: it must not even be requested.
{
	printf '<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "%s/h/remote.dtd">\n' "$BASE"
	printf '<rss version="2.0"><channel><title>Remote DTD</title>\n'
	item rdtd-1 'Remote: &ext;'
	printf '</channel></rss>\n'
} > "$TMP/www/h/rdtd.xml"
printf '<!ENTITY ext "%s">\n' "$MARK2" > "$TMP/www/h/remote.dtd"

# name|path|fetch_pages|expected cause (an extended regex on last_result)
CASES=$(cat <<EOF
endless|/_bad/endless|no|exceeds [0-9]+ bytes
drip|/_bad/drip?bytes=100\&delay=1|no|slower than|timed out
gzipbomb|/_bad/gzipbomb?mb=64|no|exceeds [0-9]+ bytes
headers|/_bad/headers?n=10000|no|headers exceed
loop|/_bad/loop|no|too many redirects
tofile|/_bad/to?url=file:///etc/passwd|no|scheme|[Pp]rotocol
togopher|/_bad/to?url=gopher://127.0.0.1:70/x|no|scheme|[Pp]rotocol
reset|/_bad/reset|no|reset|[Rr]ecv failure|closed
badlength|/_bad/badlength|no|[Tt]ransfer closed|bytes remaining|partial|[Pp]rotocol
EOF
)
DOCS="badutf8 bomb xxe dtd rdtd"

{
	cat <<CONF
[daemon]
database = $TMP/bw.db
socket = $TMP/bw.sock
allow_private = yes
interval = 1h
max_feed_size = 2M
max_page_size = 2M
[feed nato]
url = $BASE/feeds/nato.xml
profile = nato
[feed whitehouse]
url = $BASE/feeds/whitehouse.atom
profile = whitehouse
CONF
	while IFS='|' read -r name path pages _; do
		printf '[feed %s]\nurl = %s%s\nfetch_pages = %s\n' "$name" "$BASE" "${path//\\/}" "$pages"
	done <<<"$CASES"
	for d in $DOCS; do
		printf '[feed %s]\nurl = %s/h/%s.xml\nfetch_pages = no\n' "$d" "$BASE" "$d"
	done
} > "$TMP/bw.conf"
"$B/briefwatchd" --check-config --config "$TMP/bw.conf" >/dev/null || fail "config rejected"

"$B/briefwatchd" --config "$TMP/bw.conf" --foreground 2>"$TMP/daemon.log" &
DAEMON_PID=$!
wait_for 10 test -S "$TMP/bw.sock" || fail "socket did not appear"
python3 "$SRCDIR/tests/integration/client.py" "$TMP/bw.sock" --tail --since 0 \
	--timeout 150 >"$TMP/sub.out" 2>"$TMP/sub.err" &
SUB_PID=$!

status_json() { "$B/briefwatch" --socket "$TMP/bw.sock" status --json >"$TMP/status.json" 2>/dev/null; }
# every feed has finished its first poll
all_polled() {
	status_json || return 1
	python3 - "$TMP/status.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
left = [f["name"] for f in s["feeds"] if f.get("polls", 0) < 1]
sys.exit(1 if left else 0)
PY
}
# 20 s of low-speed window plus load: generous, bounded.
wait_for 120 all_polled || { cat "$TMP/status.json"; fail "not every feed finished its first poll"; }
kill -0 "$DAEMON_PID" || fail "daemon died"
ok "every feed polled once, daemon alive"

python3 - "$TMP/status.json" "$CASES" <<'PY' || fail "a hostile feed did not end with its cause"
import json, re, sys
s = json.load(open(sys.argv[1]))
feeds = {f["name"]: f for f in s["feeds"]}
bad = 0
for line in sys.argv[2].splitlines():
    name, path, pages, cause = line.split("|", 3)
    f = feeds[name]
    res = f.get("last_result", "")
    good = f.get("state") == "failing" and re.search(cause, res)
    print("%-10s %-8s %s" % (name, f.get("state"), res))
    if not good:
        print("  expected state failing and /%s/" % cause)
        bad += 1
sys.exit(1 if bad else 0)
PY
ok "each hostile server ends its poll with its specific error"

for name in $(cut -d'|' -f1 <<<"$CASES"); do
	grep -q "\"$name\"" "$TMP/daemon.log" || fail "no log line names feed $name"
done
ok "the daemon log names every failing feed"

# Hostile documents: parsed, nothing expanded from outside, nothing read.
python3 - "$TMP/status.json" <<'PY' || fail "hostile documents"
import json, sys
feeds = {f["name"]: f for f in json.load(open(sys.argv[1]))["feeds"]}
for n in ("badutf8", "xxe", "dtd", "rdtd", "bomb"):
    print("%-10s %-8s %s" % (n, feeds[n].get("state"), feeds[n].get("last_result")))
# invalid UTF-8 is repaired, not refused
assert feeds["badutf8"]["state"] == "ok", feeds["badutf8"]
# internal entity declarations (bombs, XXE) are refused outright
for n in ("xxe", "bomb"):
    assert "declares entities" in feeds[n]["last_result"], feeds[n]
# an external DTD is never loaded: &ext; stays undefined and is repaired
for n in ("dtd", "rdtd"):
    assert feeds[n]["state"] == "ok", feeds[n]
PY
grep -F -q "$MARK" "$TMP/bw.db"* "$TMP/daemon.log" && fail "XXE: local file content reached the database or the log"
grep -F -q "$MARK2" "$TMP/bw.db"* "$TMP/daemon.log" && fail "external DTD content reached the database or the log"
grep -P -q '\t/h/remote.dtd\t' "$TMP/http.log" && fail "the remote external DTD was fetched"
title=$(sqlite3 "$TMP/bw.db" "SELECT title FROM briefings WHERE feed='badutf8'") || fail "cannot read the db"
[ -n "$title" ] || fail "the invalid UTF-8 feed stored nothing"
python3 -c 'import sys; sys.argv[1].encode("utf-8")' "$title" || fail "stored title is not UTF-8"
blen=$(sqlite3 "$TMP/bw.db" "SELECT coalesce(max(length(title)),0) FROM briefings WHERE feed='bomb'")
[ "$blen" -lt 100000 ] || fail "billion laughs expanded into a $blen-char title"
ok "no XXE, no external DTD, no remote DTD fetch, bombs not expanded, bad UTF-8 repaired"

# Good feeds unaffected: their three briefings stored and announced.
wait_for 30 head_at_least "$B/briefwatch" "$TMP/bw.sock" 3 || fail "good briefings not stored"
n=$(sqlite3 "$TMP/bw.db" "SELECT count(*) FROM briefings WHERE feed IN ('nato','whitehouse')")
[ "$n" = 3 ] || fail "expected 3 good briefings, found $n"
wait_for 20 sh -c "[ \$(grep -c '\"feed\":\"nato\"\|\"feed\":\"whitehouse\"' '$TMP/sub.out') -ge 3 ]" || { cat "$TMP/sub.out"; fail "good briefings not announced"; }
ok "the good feeds' briefings are stored and announced"

hwm=$(awk '/^VmHWM/ {print $2}' /proc/$DAEMON_PID/status)
echo "daemon VmHWM: ${hwm} kB"
[ "$hwm" -lt 204800 ] || fail "daemon peak RSS ${hwm} kB exceeds 200 MB"
ok "peak RSS bounded (${hwm} kB < 200 MB)"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "daemon exited non-zero on SIGTERM"
DAEMON_PID=
ok "clean exit after the hostile run"

# The address policy, in a namespace with only loopback.
if ! unshare -n true 2>/dev/null; then
	echo "SSRF part skipped: cannot create a network namespace"
	exit 0
fi
cat > "$TMP/ssrf.conf" <<CONF
[daemon]
database = $TMP/ssrf.db
socket = $TMP/ssrf.sock
allow_private = no
interval = 1h
[feed metadata]
url = http://169.254.169.254/latest/meta-data/
[feed private]
url = http://10.0.0.1/feed.xml
[feed loopback]
url = http://127.0.0.1:$FIXTURE_PORT/feeds/nato.xml
[feed loopback6]
url = http://[::1]:$FIXTURE_PORT/feeds/nato.xml
CONF
unshare -n sh -c 'ip link set lo up 2>/dev/null; exec "$0" --config "$1" --foreground' \
	"$B/briefwatchd" "$TMP/ssrf.conf" 2>"$TMP/ssrf.log" &
D2_PID=$!
wait_for 10 test -S "$TMP/ssrf.sock" || { cat "$TMP/ssrf.log"; fail "ssrf daemon did not start"; }
ssrf_done() {
	"$B/briefwatch" --socket "$TMP/ssrf.sock" status --json >"$TMP/ssrf.json" 2>/dev/null || return 1
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(any(f.get("polls",0)<1 for f in s["feeds"]))' "$TMP/ssrf.json"
}
wait_for 60 ssrf_done || { cat "$TMP/ssrf.json"; fail "ssrf feeds not polled"; }
python3 - "$TMP/ssrf.json" <<'PY' || fail "address policy"
import json, sys
for f in json.load(open(sys.argv[1]))["feeds"]:
    print("%-10s %s" % (f["name"], f["last_result"]))
    assert f["state"] == "failing" and "refused by address policy" in f["last_result"], f
PY
for name in metadata private loopback loopback6; do
	grep -q "\"$name\".*refused by address policy" "$TMP/ssrf.log" || fail "log does not say $name was refused"
done
ok "169.254.169.254, 10.0.0.1, 127.0.0.1 and ::1 refused by the address policy (allow_private = no)"
