#!/usr/bin/env bash
# Errors that name the thing and the cause (issue #22 item 13): a database
# path whose directory is missing, that is a directory, that is not a
# database, that cannot be created by the daemon's uid; a socket the user
# may not use for want of its group; a feed URL pointing at a port where
# something other than HTTP answers.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
TMP=$(mktemp -d)
chmod 755 "$TMP"
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok - $*"; }
says() { # says FILE TEXT
	grep -qF -- "$2" "$1" || { cat "$1"; fail "does not say: $2"; }
}

conf() { # conf NAME DATABASE
	printf '[daemon]\ndatabase = %s\nsocket = %s/%s.sock\n' "$2" "$TMP" "$1" > "$TMP/$1.conf"
}
conf nodir "$TMP/nodir/bw.db"
"$B/briefwatchd" --config "$TMP/nodir.conf" --once 2>"$TMP/err" && fail "started on a missing directory"
says "$TMP/err" "cannot start: database $TMP/nodir/bw.db: the directory $TMP/nodir does not exist"
printf 'not a database, just text that is long enough\n' > "$TMP/text.db"
conf text "$TMP/text.db"
"$B/briefwatchd" --config "$TMP/text.conf" --once 2>"$TMP/err" && fail "started on a text file"
says "$TMP/err" "database $TMP/text.db: is not an SQLite database"
ok "daemon: a missing directory and a non-database are named with their cause"

"$B/briefwatch" --db /tmp list 2>"$TMP/err" && fail "list on a directory"
says "$TMP/err" "database /tmp: is a directory"
"$B/briefwatch" --db "$TMP/text.db" list 2>"$TMP/err" && fail "list on a text file"
says "$TMP/err" "database $TMP/text.db: is not an SQLite database"
"$B/briefwatch" --db "$TMP/none.db" list 2>"$TMP/err" && fail "list on nothing"
says "$TMP/err" "database $TMP/none.db: does not exist"
ok "cli: --db that is a directory, not a database, or missing says so"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -m 755 "$TMP/ro"
	chmod 555 "$TMP/ro"
	conf ro "$TMP/ro/bw.db"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$B/briefwatchd" --config "$TMP/ro.conf" --once 2>"$TMP/err" && fail "created a database in a read-only directory"
	says "$TMP/err" "database $TMP/ro/bw.db: cannot be created: the directory $TMP/ro is not writable by uid 65534"

	# A real daemon; its socket is root's and group root's, mode 0660.
	conf live "$TMP/live.db"
	"$B/briefwatchd" --config "$TMP/live.conf" --foreground 2>"$TMP/live.log" &
	PIDS+=($!)
	wait_for 10 test -S "$TMP/live.sock" || fail "daemon did not start"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$B/briefwatch" --socket "$TMP/live.sock" status 2>"$TMP/err" && fail "status without the group"
	says "$TMP/err" "permission denied: the socket is for group root (mode 0660) and uid 65534 is not in it"
	ok "uid 65534: an unwritable database directory and a socket of another group are explained"
else
	echo "# not root or no setpriv: the permission cases are skipped"
fi

# issue #22 item 14: a database on read-only media (here a read-only bind
# mount in a mount namespace of the test's own) opens read-only.
if unshare -m true 2>/dev/null; then
	mkdir -p "$TMP/media"
	printf '<?xml version="1.0"?><rss version="2.0"><channel><title>M</title><item><title>On the disc</title><link>http://example.org/m</link><guid>m-1</guid><description>x</description></item></channel></rss>\n' > "$TMP/m.xml"
	python3 "$SRCDIR/tests/fixtures/server.py" --root "$TMP" --port 0 --port-file "$TMP/mport" 2>/dev/null &
	PIDS+=($!)
	wait_for 10 test -s "$TMP/mport" || fail "fixture server"
	printf '[daemon]\ndatabase = %s/media/bw.db\nsocket = %s/m.sock\nallow_private = yes\nfetch_pages = no\n[feed m]\nurl = http://127.0.0.1:%s/m.xml\n' \
		"$TMP" "$TMP" "$(cat "$TMP/mport")" > "$TMP/m.conf"
	"$B/briefwatchd" --config "$TMP/m.conf" --once 2>/dev/null || true
	unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" --db "$1/bw.db" list' \
		sh "$TMP/media" "$B/briefwatch" > "$TMP/ro.out" 2>&1 || { cat "$TMP/ro.out"; fail "list on read-only media"; }
	grep -q 'On the disc' "$TMP/ro.out" || { cat "$TMP/ro.out"; fail "list on read-only media showed nothing"; }
	ok "a database on read-only media opens read-only"
else
	echo "# no mount namespace: the read-only media case is skipped"
fi

# Another protocol on the feed's port.
python3 - "$TMP/port" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(b"SSH-2.0-OpenSSH_9.2 not http\r\n")
    c.shutdown(socket.SHUT_WR)
    c.recv(4096)
    c.close()
PY
PIDS+=($!)
wait_for 10 test -s "$TMP/port" || fail "the fake service did not start"
printf '[daemon]\ndatabase = %s/ssh.db\nsocket = %s/ssh.sock\nallow_private = yes\n[feed ssh]\nurl = http://127.0.0.1:%s/feed.xml\n' \
	"$TMP" "$TMP" "$(cat "$TMP/port")" > "$TMP/ssh.conf"
"$B/briefwatchd" --config "$TMP/ssh.conf" --once 2>"$TMP/err" || true
says "$TMP/err" "the server did not answer in HTTP (another service on that port?)"
! grep -q "scheme not allowed" "$TMP/err" || fail "a non-HTTP port is still reported as a scheme"
ok "a port where another protocol answers is reported as such, not as a scheme"

# issue #22 item 13: the last failed reload is in `status` until a good one.
conf rl "$TMP/rl.db"
"$B/briefwatchd" --config "$TMP/rl.conf" --foreground 2>"$TMP/rl.log" &
PIDS+=($!)
wait_for 10 test -S "$TMP/rl.sock" || fail "daemon did not start"
"$B/briefwatch" --socket "$TMP/rl.sock" status --json > "$TMP/st.json"
! grep -q '"last_reload' "$TMP/st.json" || fail "status shows a reload before any"
printf 'interval = whenever\n' >> "$TMP/rl.conf"
"$B/briefwatch" --socket "$TMP/rl.sock" reload 2>"$TMP/err" && fail "a bad file reloaded"
"$B/briefwatch" --socket "$TMP/rl.sock" status > "$TMP/st.txt"
says "$TMP/st.txt" "failed at"
says "$TMP/st.txt" "interval"
"$B/briefwatch" --socket "$TMP/rl.sock" status --json > "$TMP/st.json"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["last_reload_error"] and "whenever" in j["last_reload_error"], j' "$TMP/st.json" \
	|| fail "status --json lacks last_reload_error"
conf rl "$TMP/rl.db"
"$B/briefwatch" --socket "$TMP/rl.sock" reload >/dev/null || fail "a good file did not reload"
"$B/briefwatch" --socket "$TMP/rl.sock" status --json > "$TMP/st.json"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["last_reload_error"] is None and j["last_reload"].startswith("ok at"), j' "$TMP/st.json" \
	|| fail "a good reload did not clear last_reload_error"
ok "status shows the last failed reload and why, until a good one"
