#!/bin/bash
# test_systemd.sh — briefwatchd under systemd, without systemd as PID 1.
#
# Usage: tests/integration/test_systemd.sh [BUILD_DIR]   (default: build)
#
#   1. systemd-analyze verify on the units (placeholders filled in, ExecStart
#      pointing at the built daemon, man: links checked against our pages)
#   2. systemd-analyze security --offline=true --threshold=15 (exposure ≤ 1.5)
#   3. make install DESTDIR=... PREFIX=/usr, checked file by file; the
#      installed sysusers.d/tmpfiles.d files applied to a scratch root; the
#      installed man pages lint-free
#   4. the daemon started by systemd-socket-activate with NOTIFY_SOCKET at a
#      datagram socket this script owns and WATCHDOG_USEC set: READY=1,
#      STATUS=, WATCHDOG=1 at the right period, RELOADING=1 + MONOTONIC_USEC
#      then READY=1 around SIGHUP, STOPPING=1 and exit 0 on SIGTERM, the
#      activated socket answering {"op":"status"}, the socket path left alone
#
# One line per check ("ok", "FAIL" or "skip"); exit 0 only if nothing failed.
# Skips everything, cleanly, when systemd-analyze is not installed.
# Environment: BRIEFWATCHD overrides the daemon binary (default
# BUILD_DIR/briefwatchd); KEEP_TMP=1 keeps the scratch directory.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=${1:-build}
case $B in /*) bdir=$B ;; *) bdir=$root/$B ;; esac
daemon=${BRIEFWATCHD:-$bdir/briefwatchd}

failures=0
ok()   { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
skip() { echo "skip - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "skip - systemd-analyze not installed (Debian package systemd): nothing tested"
	exit 0
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bw-systemd.XXXXXX")
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "# scratch directory kept: $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT

finish() {
	if [ $failures -eq 0 ]; then
		echo "# all systemd checks passed"
		exit 0
	fi
	echo "# $failures systemd check(s) failed"
	[ "${KEEP_TMP:-0}" = 1 ] || echo "# rerun with KEEP_TMP=1 to keep $TMP"
	exit 1
}

# wait_for SECONDS COMMAND...: poll until the command succeeds. The limit
# only stops a hung test; no check depends on how fast anything is.
wait_for() {
	local limit=$(($1 * 10)) i=0
	shift
	while ! "$@"; do
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
		sleep 0.1
	done
	return 0
}

# --- 1. unit files --------------------------------------------------------

units=$TMP/units
mkdir -p "$units"
# make install's substitution, then ExecStart at the built binary:
# verify insists that the executable exists.
for f in "$root"/systemd/briefwatchd.service "$root"/systemd/briefwatchd.socket; do
	sed "s|@SBINDIR@/briefwatchd|$daemon|g;s|@SBINDIR@|/usr/sbin|g;s|@BINDIR@/briefwatch|$bdir/briefwatch|g;s|@BINDIR@|/usr/bin|g;s|@SYSCONFDIR@|/etc|g" \
		"$f" >"$units/$(basename "$f")"
done

if grep -q '@[A-Z]*@' "$units"/*; then
	fail "units: placeholders other than @SBINDIR@/@BINDIR@/@SYSCONFDIR@ left: $(grep -ho '@[A-Z]*@' "$units"/* | sort -u | tr '\n' ' ')"
else
	ok "units: only @SBINDIR@, @BINDIR@ and @SYSCONFDIR@ placeholders"
fi

for k in 'Type=notify' 'NotifyAccess=main' 'WatchdogSec=30s' \
	"ExecReload=$bdir/briefwatch --socket /run/briefwatch/briefwatch.sock reload" 'User=briefwatch' \
	'StateDirectory=briefwatch' 'RuntimeDirectory=briefwatch' \
	'RuntimeDirectoryPreserve=yes' 'ProtectSystem=strict' \
	'CapabilityBoundingSet=' 'SystemCallFilter=@system-service' \
	'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'; do
	if grep -qxF "$k" "$units/briefwatchd.service"; then
		ok "briefwatchd.service has $k"
	else
		fail "briefwatchd.service lacks the line $k"
	fi
done
for k in 'ListenStream=/run/briefwatch/briefwatch.sock' 'SocketMode=0660' \
	'SocketGroup=briefwatch' 'FileDescriptorName=sub' \
	'Service=briefwatchd.service'; do
	if grep -qxF "$k" "$units/briefwatchd.socket"; then
		ok "briefwatchd.socket has $k"
	else
		fail "briefwatchd.socket lacks the line $k"
	fi
done

if [ ! -x "$daemon" ]; then
	fail "systemd-analyze verify: $daemon is not built (run make first)"
else
	# Documentation=man:... is checked by running man(1): point it at our
	# own pages so a missing or misnamed page fails here.
	man_path=$TMP/man
	for m in "$root"/docs/man/*.[1-8]; do
		[ -e "$m" ] || continue
		s=${m##*.}
		mkdir -p "$man_path/man$s"
		cp "$m" "$man_path/man$s/"
	done
	if out=$(MANPATH=$man_path systemd-analyze verify "$units/briefwatchd.service" "$units/briefwatchd.socket" 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify briefwatchd.service briefwatchd.socket: clean"
	else
		fail "systemd-analyze verify: $out"
	fi
fi

# --- 2. exposure -------------------------------------------------------------

sec_out=$(systemd-analyze security --offline=true --threshold=15 "$units/briefwatchd.service" 2>&1)
sec_rc=$?
exposure=$(printf '%s\n' "$sec_out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ $sec_rc -eq 0 ] && [ -n "$exposure" ]; then
	ok "systemd-analyze security --offline=true --threshold=15: exposure $exposure (≤ 1.5)"
else
	fail "systemd-analyze security --threshold=15: exit $sec_rc, exposure '${exposure:-?}'"
	printf '%s\n' "$sec_out" | grep '✗' | sed 's/^/#   /'
fi
# The same command must reject an unconfined unit, or the check above
# proves nothing.
printf '[Service]\nExecStart=/bin/true\n' >"$TMP/plain.service"
if systemd-analyze security --offline=true --threshold=15 "$TMP/plain.service" >/dev/null 2>&1; then
	fail "security --threshold=15 accepts an unconfined unit: the check is void"
else
	ok "security --threshold=15 rejects an unconfined unit (the check can fail)"
fi

# --- 3. make install ------------------------------------------------------------

dest=$TMP/dest
if make -s -C "$root" install DESTDIR="$dest" PREFIX=/usr B="$B" >"$TMP/install.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
	declare -A want=(
		[usr/sbin/briefwatchd]=755
		[usr/bin/briefwatch]=755
		[etc/briefwatch/briefwatch.conf]=644
		[usr/lib/systemd/system/briefwatchd.service]=644
		[usr/lib/systemd/system/briefwatchd.socket]=644
		[usr/lib/sysusers.d/briefwatch.conf]=644
		[usr/lib/tmpfiles.d/briefwatch.conf]=644
		[usr/share/man/man8/briefwatchd.8]=644
		[usr/share/man/man1/briefwatch.1]=644
		[usr/share/man/man5/briefwatch.conf.5]=644
	)
	for p in "$root"/etc/profiles/*.conf; do
		[ -e "$p" ] && want[etc/briefwatch/profiles/$(basename "$p")]=644
	done
	for f in $(printf '%s\n' "${!want[@]}" | sort); do
		if [ ! -f "$dest/$f" ]; then
			fail "installed: /$f missing"
		elif [ "$(stat -c %a "$dest/$f")" != "${want[$f]}" ]; then
			fail "installed: /$f mode $(stat -c %a "$dest/$f"), want ${want[$f]}"
		else
			ok "installed: /$f (${want[$f]})"
		fi
	done
	extra=$(cd "$dest" && find . -type f | sed 's|^\./||' | sort | while read -r f; do
		[ -n "${want[$f]+x}" ] || echo "/$f"
	done)
	if [ -n "$extra" ]; then
		fail "installed files this test does not know (add them here): $(echo $extra)"
	else
		ok "installed: nothing unexpected"
	fi

	iu=$dest/usr/lib/systemd/system
	check "installed briefwatchd.service runs /usr/sbin/briefwatchd with /etc/briefwatch/briefwatch.conf" \
		grep -qxF 'ExecStart=/usr/sbin/briefwatchd --config /etc/briefwatch/briefwatch.conf --foreground' "$iu/briefwatchd.service"
	# /bin/kill (procps) is not on a minimal system; the client is ours.
	check "installed briefwatchd.service reloads with /usr/bin/briefwatch reload" \
		grep -qxF 'ExecReload=/usr/bin/briefwatch --socket /run/briefwatch/briefwatch.sock reload' "$iu/briefwatchd.service"
	if grep -q '@[A-Z]*@' "$iu"/briefwatchd.*; then
		fail "installed units still contain placeholders"
	else
		ok "installed units: placeholders substituted"
	fi
	conf=$dest/etc/briefwatch/briefwatch.conf
	# The shipped configuration must use the directories the unit provides.
	check "installed briefwatch.conf: database in StateDirectory (/var/lib/briefwatch)" \
		grep -Eq '^[[:space:]]*database[[:space:]]*=[[:space:]]*/var/lib/briefwatch/' "$conf"
	check "installed briefwatch.conf: socket is the socket unit's path" \
		grep -Eq '^[[:space:]]*socket[[:space:]]*=[[:space:]]*/run/briefwatch/briefwatch\.sock[[:space:]]*$' "$conf"
	if cc_out=$("$dest/usr/sbin/briefwatchd" --check-config --config "$conf" 2>&1); then
		ok "installed briefwatchd --check-config accepts the installed config ($cc_out)"
	else
		fail "installed briefwatchd --check-config: $cc_out"
	fi

	# sysusers.d and tmpfiles.d, applied to a scratch root.
	sysroot=$TMP/sysroot
	mkdir -p "$sysroot/etc"
	if systemd-sysusers --root="$sysroot" "$dest/usr/lib/sysusers.d/briefwatch.conf" >"$TMP/sysusers.log" 2>&1; then
		ok "systemd-sysusers applies the installed sysusers.d file"
		check "sysusers: user briefwatch, home /var/lib/briefwatch, no login shell" \
			grep -Eq '^briefwatch:x:[0-9]+:[0-9]+:[^:]*:/var/lib/briefwatch:/usr/sbin/nologin$' "$sysroot/etc/passwd"
		check "sysusers: group briefwatch-admin" grep -q '^briefwatch-admin:' "$sysroot/etc/group"
		check "sysusers: a system uid (< 1000)" \
			awk -F: '$1 == "briefwatch" && $3 < 1000 { f = 1 } END { exit !f }' "$sysroot/etc/passwd"
		if systemd-tmpfiles --root="$sysroot" --create "$dest/usr/lib/tmpfiles.d/briefwatch.conf" >"$TMP/tmpfiles.log" 2>&1; then
			ok "systemd-tmpfiles applies the installed tmpfiles.d file"
			uid=$(awk -F: '$1 == "briefwatch" { print $3 }' "$sysroot/etc/passwd")
			for d in run/briefwatch var/lib/briefwatch; do
				got=$(stat -c '%a %u' "$sysroot/$d" 2>/dev/null)
				if [ "$got" = "750 $uid" ]; then
					ok "tmpfiles: /$d mode 750, owned by briefwatch"
				else
					fail "tmpfiles: /$d is '$got', want '750 $uid'"
				fi
			done
		else
			fail "systemd-tmpfiles: $(cat "$TMP/tmpfiles.log")"
		fi
	else
		fail "systemd-sysusers: $(cat "$TMP/sysusers.log")"
	fi

	# Man pages: groff with all warnings, and man(1) can find and render them.
	for m in man8/briefwatchd.8 man1/briefwatch.1 man5/briefwatch.conf.5; do
		f=$dest/usr/share/man/$m
		[ -f "$f" ] || continue
		w=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$f" 2>&1)
		if [ -z "$w" ]; then
			ok "groff -man -ww: $m has no warnings"
		else
			fail "groff -man -ww $m: $(echo "$w" | head -3)"
		fi
		name=$(basename "$m"); sect=${name##*.}; name=${name%.*}
		if MANPATH=$dest/usr/share/man MANWIDTH=80 man "$sect" "$name" 2>/dev/null | grep -q .; then
			ok "man $sect $name renders from the installed tree"
		else
			fail "man $sect $name: not found or empty"
		fi
	done

	if make -s -C "$root" uninstall DESTDIR="$dest" PREFIX=/usr B="$B" >>"$TMP/install.log" 2>&1; then
		left=$(cd "$dest" && find . -type f ! -path './etc/*' | sed 's|^\.||')
		if [ -z "$left" ]; then
			ok "make uninstall removes everything outside /etc (configuration is kept)"
		else
			fail "make uninstall leaves: $(echo $left)"
		fi
	else
		fail "make uninstall: $(tail -3 "$TMP/install.log")"
	fi
else
	fail "make install: $(tail -5 "$TMP/install.log")"
fi

# --- 4. the daemon under socket activation --------------------------------------

if ! command -v systemd-socket-activate >/dev/null 2>&1; then
	skip "live: systemd-socket-activate not installed (package systemd)"
	finish
fi
if ! command -v python3 >/dev/null 2>&1; then
	fail "live: python3 is needed for the notify socket"
	exit 1
fi
if [ ! -x "$daemon" ]; then
	fail "live: $daemon is not built"
	exit 1
fi

live=$TMP/live
mkdir -p "$live/state" "$live/www"
nlog=$live/notify.log
python3 "$here/systemd_notify.py" "$live/notify.sock" "$nlog" &
pids+=($!)
if ! wait_for 10 test -e "$nlog"; then
	fail "live: notify receiver did not start"
	exit 1
fi

# A local feed server, so STATUS= has a feed to talk about.
www_log=$live/www.log
cat >"$live/www/feed.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>Ministry of Examples: press briefings</title>
<link>http://127.0.0.1/</link>
<description>Transcripts of press briefings</description>
<item>
<title>Press briefing by the spokesperson, 3 March</title>
<link>http://127.0.0.1/briefings/0303.html</link>
<guid>http://127.0.0.1/briefings/0303.html</guid>
<pubDate>Mon, 03 Mar 2025 14:00:00 GMT</pubDate>
<description>The spokesperson took questions on the summit.</description>
</item>
</channel>
</rss>
EOF
port=
if [ -f "$root/tests/fixtures/server.py" ]; then
	python3 "$root/tests/fixtures/server.py" --root "$live/www" --port 0 \
		--port-file "$live/port" --log "$www_log" 2>>"$live/www.err" &
	pids+=($!)
	wait_for 10 test -s "$live/port" && port=$(cat "$live/port")
fi

conf=$live/briefwatch.conf
write_conf() {
	{
		printf '[daemon]\n'
		printf 'database = %s\n' "$live/state/briefwatch.db"
		# Not the activated path: if the daemon bound its own socket
		# instead of using the passed fd, it would appear here.
		printf 'socket = %s\n' "$live/own.sock"
		printf 'allow_private = yes\nfetch_pages = no\ninterval = 1h\n'
		printf 'log_level = info\n'
		if [ -n "$port" ]; then
			printf '\n[feed ministry]\nurl = http://127.0.0.1:%s/feed.xml\n' "$port"
		fi
		for extra in "$@"; do
			printf '\n[feed %s]\nurl = http://127.0.0.1:%s/feed.xml\n' "$extra" "${port:-9}"
		done
	} >"$conf"
}
write_conf

# ask SOCKET JSON: send one request line, print the first reply line.
ask() {
	python3 - "$1" "$2" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(15)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while b"\n" not in buf:
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
print(buf.split(b"\n", 1)[0].decode("utf-8", "replace"))
EOF
}

# notify_has PATTERN: an ERE over the payload part of the notify log.
notify_has() { cut -d' ' -f2- "$nlog" | grep -Eq "$1"; }
notify_count() { cut -d' ' -f2- "$nlog" | grep -Ec "$1"; }

sock=$live/sub.sock
wd_usec=2000000
NOTIFY_SOCKET=$live/notify.sock WATCHDOG_USEC=$wd_usec \
	systemd-socket-activate -l "$sock" --fdname=sub \
	-E NOTIFY_SOCKET -E WATCHDOG_USEC \
	"$daemon" --config "$conf" --foreground >"$live/daemon.out" 2>"$live/daemon.err" &
dpid=$!
pids+=($dpid)
if ! wait_for 10 test -S "$sock"; then
	fail "live: systemd-socket-activate did not listen on $sock"
	exit 1
fi

# The first connection starts the daemon (Accept=no: it is exec'd with the
# listening socket as fd 3) and must be answered once it is ready.
reply=$(ask "$sock" '{"op":"status"}' 2>"$live/ask.err")
if printf '%s' "$reply" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if isinstance(d, dict) and d.get("type") != "error" else 1)' 2>/dev/null; then
	ok "live: the activated socket answers {\"op\":\"status\"}: $(printf '%s' "$reply" | cut -c1-100)"
else
	fail "live: {\"op\":\"status\"} on the activated socket got '$(printf '%s' "$reply" | cut -c1-200)' $(cat "$live/ask.err")"
fi

if wait_for 15 notify_has '^READY=1'; then
	ok "live: READY=1 received"
else
	fail "live: no READY=1 (notify log: $(tr '\n' ' ' <"$nlog"))"
fi
if notify_has '(^|\|)STATUS=[^|]+'; then
	ok "live: STATUS= received: $(cut -d' ' -f2- "$nlog" | grep -o 'STATUS=[^|]*' | head -1)"
else
	fail "live: no STATUS= line"
fi
if [ -e "$live/own.sock" ]; then
	fail "live: the daemon bound its own socket although one was passed"
else
	ok "live: the daemon used the passed socket (none bound at the config path)"
fi

# require_alive WHAT: a daemon that died makes every later check moot;
# say so once, with its exit status and last words, and stop.
require_alive() {
	local rc sig=
	kill -0 "$dpid" 2>/dev/null && return 0
	wait "$dpid"
	rc=$?
	[ $rc -gt 128 ] && sig=", signal $((rc - 128))"
	fail "live: the daemon died (exit status $rc$sig) before $1; last stderr: $(tail -3 "$live/daemon.err" | tr '\n' ' ')"
	finish
}

require_alive "the watchdog checks"
# Watchdog: count pings, then check their spacing against the contract
# (systemd needs one ping per WATCHDOG_USEC; the daemon aims at half).
pings_at_least() { [ "$(notify_count '^WATCHDOG=1$')" -ge "$1" ]; }
if wait_for 20 pings_at_least 4; then
	ok "live: WATCHDOG=1 repeated ($(notify_count '^WATCHDOG=1$') pings)"
	gaps=$(awk '$2 == "WATCHDOG=1" { if (p) print $1 - p; p = $1 }' "$nlog")
	maxgap=$(printf '%s\n' $gaps | sort -n | tail -1)
	mingap=$(printf '%s\n' $gaps | sort -n | head -1)
	if [ "$maxgap" -lt "$wd_usec" ] && [ "$mingap" -gt $((wd_usec / 4)) ]; then
		ok "live: WATCHDOG=1 every $((mingap / 1000))..$((maxgap / 1000)) ms for WATCHDOG_USEC=$((wd_usec / 1000)) ms (half expected)"
	else
		fail "live: WATCHDOG=1 gaps $((mingap / 1000))..$((maxgap / 1000)) ms for WATCHDOG_USEC=$((wd_usec / 1000)) ms"
	fi
else
	fail "live: fewer than 4 WATCHDOG=1 ($(notify_count '^WATCHDOG=1$'))"
fi

require_alive "SIGHUP"
# Reload: a new feed in the file, SIGHUP, RELOADING=1 then READY=1.
before=$(wc -l <"$nlog")
write_conf added
kill -HUP "$dpid" 2>/dev/null
if wait_for 15 sh -c "tail -n +$((before + 1)) '$nlog' | cut -d' ' -f2- | grep -q '^READY=1'"; then
	after=$(tail -n +$((before + 1)) "$nlog")
	rl=$(printf '%s\n' "$after" | grep -n 'RELOADING=1' | head -1 | cut -d: -f1)
	rd=$(printf '%s\n' "$after" | cut -d' ' -f2- | grep -n '^READY=1' | head -1 | cut -d: -f1)
	if [ -n "$rl" ] && [ "$rl" -lt "$rd" ]; then
		ok "live: SIGHUP gives RELOADING=1, then READY=1"
	else
		fail "live: SIGHUP: RELOADING=1 not before READY=1: $(printf '%s' "$after" | tr '\n' ' ')"
	fi
	line=$(printf '%s\n' "$after" | grep 'RELOADING=1' | head -1)
	recv=${line%% *}
	mono=$(printf '%s' "$line" | grep -o 'MONOTONIC_USEC=[0-9]*' | cut -d= -f2)
	if [ -n "$mono" ] && [ "$mono" -le "$recv" ] && [ "$mono" -gt 0 ]; then
		ok "live: RELOADING=1 carries MONOTONIC_USEC=$mono (CLOCK_MONOTONIC, before receipt)"
	else
		fail "live: RELOADING=1 without a plausible MONOTONIC_USEC: '$line'"
	fi
else
	fail "live: no READY=1 after SIGHUP: $(tail -n +$((before + 1)) "$nlog" | tr '\n' ' ')"
fi
feeds=$(ask "$sock" '{"op":"feeds"}' 2>/dev/null)
if printf '%s' "$feeds" | grep -q '"added"'; then
	ok "live: the feed added before SIGHUP is served after it"
else
	fail "live: {\"op\":\"feeds\"} after reload lacks the added feed: $(printf '%s' "$feeds" | cut -c1-200)"
fi

require_alive "the failed reload"
# A broken file on reload: the old configuration keeps running, READY=1 is
# still sent, and STATUS= says why.
before=$(wc -l <"$nlog")
cp "$conf" "$conf.good"
printf '[daemon]\ninterval = soon\n' >>"$conf"
kill -HUP "$dpid" 2>/dev/null
if wait_for 15 sh -c "tail -n +$((before + 1)) '$nlog' | grep -q 'STATUS=.*reload failed'"; then
	after=$(tail -n +$((before + 1)) "$nlog" | cut -d' ' -f2-)
	if printf '%s\n' "$after" | grep -q '^READY=1'; then
		ok "live: a bad config on SIGHUP: READY=1 and STATUS= says the reload failed"
	else
		fail "live: a bad config on SIGHUP: STATUS= but no READY=1: $(printf '%s' "$after" | tr '\n' ' ')"
	fi
else
	fail "live: a bad config on SIGHUP: no STATUS= saying the reload failed: $(tail -n +$((before + 1)) "$nlog" | tr '\n' ' ')"
fi
feeds=$(ask "$sock" '{"op":"feeds"}' 2>/dev/null)
if printf '%s' "$feeds" | grep -q '"added"'; then
	ok "live: after the failed reload the previous configuration still serves"
else
	fail "live: after the failed reload: $(printf '%s' "$feeds" | cut -c1-200)"
fi
mv "$conf.good" "$conf"

require_alive "SIGTERM"
# Stop: STOPPING=1, exit status 0, and the socket path (systemd's, here
# systemd-socket-activate's) left in place.
kill -TERM "$dpid" 2>/dev/null
rc=0
if wait_for 35 sh -c "! kill -0 $dpid 2>/dev/null"; then
	wait "$dpid"
	rc=$?
	if [ $rc -eq 0 ]; then ok "live: exit status 0 after SIGTERM"; else fail "live: exit status $rc after SIGTERM"; fi
else
	fail "live: still running 35 s after SIGTERM"
	kill -KILL "$dpid" 2>/dev/null
fi
if notify_has '^STOPPING=1'; then ok "live: STOPPING=1 received"; else fail "live: no STOPPING=1"; fi
if [ -S "$sock" ]; then
	ok "live: the activated socket's path was not unlinked by the daemon"
else
	fail "live: the daemon unlinked the socket path that systemd owns"
fi
# stderr is the journal under systemd: every line needs a <N> priority.
bad=$(sed -n '/^Execing /,$p' "$live/daemon.err" | sed 1d | grep -Ev '^<[0-7]>' | head -3)
if [ -z "$bad" ]; then
	ok "live: every daemon log line carries a <N> journald priority ($(sed -n '/^Execing /,$p' "$live/daemon.err" | sed 1d | wc -l) lines)"
else
	fail "live: log lines without a priority prefix: $bad"
fi

finish
