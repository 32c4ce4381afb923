#!/usr/bin/env bash
# allow_private = yes opens loopback and private networks, not link-local
# (169.254.0.0/16: cloud metadata services) unless the address is named in
# allow_addrs (issue #22 item 3). Everything runs inside a network
# namespace of the test's own (unshare -n, or -rn when not root) with only
# its loopback up, 169.254.169.254 and 10.66.0.1 added to that loopback and
# a fixture server listening on each: no packet can reach a real metadata
# service. Three runs of `briefwatchd --once`:
#   1. allow_private = yes: the 10.66.0.1 feed is stored, the link-local
#      one is refused by the address policy (and nothing reaches its
#      server);
#   2. allow_private = yes, allow_addrs = 169.254.169.254: both stored;
#   3. the fe80::/10 classification is in test_fetch (a zone-scoped URL
#      needs an interface this namespace does not have).
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export B SRCDIR

if [ "${BW_IN_NETNS:-}" != 1 ]; then
	if [ "$(id -u)" = 0 ]; then ns=(unshare -n); else ns=(unshare -rn); fi
	if ! "${ns[@]}" true 2>/dev/null; then
		echo "cannot create a network namespace"
		exit 77
	fi
	BW_IN_NETNS=1 exec "${ns[@]}" bash "$0" "$B"
fi

TMP=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- daemon log"; tail -n 40 "$TMP/d.log" 2>/dev/null; exit 1; }
ok() { echo "ok - $*"; }

ip link set lo up
ip addr add 169.254.169.254/32 dev lo
ip addr add 10.66.0.1/32 dev lo
# Nothing but loopback exists here.
[ "$(ip -o link show | grep -vc ': lo:')" = 0 ] || fail "the namespace has more than loopback"

mkdir -p "$TMP/www/feeds"
feed() {
	printf '<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title>' "$1"
	printf '<item><title>Item of %s</title><link>http://example.org/%s</link><guid>%s-1</guid><description>x</description></item>' "$1" "$1" "$1"
	printf '</channel></rss>\n'
}
feed meta > "$TMP/www/feeds/meta.xml"
feed intranet > "$TMP/www/feeds/intranet.xml"
for host in 169.254.169.254 10.66.0.1; do
	python3 "$SRCDIR/tests/fixtures/server.py" --root "$TMP/www" --host "$host" \
		--port 0 --port-file "$TMP/port.$host" --log "$TMP/http.$host.log" \
		2>"$TMP/server.$host.err" &
	PIDS+=($!)
done
for host in 169.254.169.254 10.66.0.1; do
	for _ in $(seq 100); do [ -s "$TMP/port.$host" ] && break; sleep 0.1; done
	[ -s "$TMP/port.$host" ] || fail "fixture server on $host did not start"
done
MPORT=$(cat "$TMP/port.169.254.169.254")
IPORT=$(cat "$TMP/port.10.66.0.1")

run() { # run NAME EXTRA_DAEMON_LINES
	cat > "$TMP/$1.conf" <<CONF
[daemon]
database = $TMP/$1.db
socket = $TMP/$1.sock
allow_private = yes
fetch_pages = no
$2
[feed metadata]
url = http://169.254.169.254:$MPORT/feeds/meta.xml
[feed intranet]
url = http://10.66.0.1:$IPORT/feeds/intranet.xml
CONF
	"$B/briefwatchd" --config "$TMP/$1.conf" --once 2>"$TMP/d.log" || true
}
stored() { # stored NAME FEED
	python3 - "$TMP/$1.db" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*) FROM items WHERE feed = ?", (sys.argv[2],)).fetchone()[0])
PY
}

run private ""
[ "$(stored private intranet)" = 1 ] || fail "allow_private = yes did not open 10.66.0.1"
[ "$(stored private metadata)" = 0 ] || fail "allow_private = yes reached 169.254.169.254"
grep -q '"metadata".*connect to 169.254.169.254 refused by address policy' "$TMP/d.log" ||
	fail "the log does not say the link-local feed was refused"
[ ! -s "$TMP/http.169.254.169.254.log" ] || fail "a request reached the link-local server"
ok "allow_private = yes: 10.66.0.1 polled, 169.254.169.254 refused by the address policy"

run allowed "allow_addrs = 169.254.169.254"
[ "$(stored allowed metadata)" = 1 ] || fail "allow_addrs = 169.254.169.254 did not open it"
[ "$(stored allowed intranet)" = 1 ] || fail "the intranet feed was lost"
ok "allow_addrs = 169.254.169.254 opens that one link-local address"
