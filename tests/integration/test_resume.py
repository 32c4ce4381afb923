#!/usr/bin/env python3
"""A subscriber killed at random points while 10,000 events are produced,
reconnecting each time with `since` = the last seq it saw, receives every
event: the union of what it got equals the event log, nothing missing.
Meanwhile a client that subscribed and never reads is cut off with an
`overflow` line carrying its resume point, and the daemon's memory stays
bounded. Real parts: fixture HTTP server, briefwatchd, SQLite, Unix socket.

    test_resume.py BUILD_DIR      (BW_RESUME_EVENTS=N to change 10,000)
"""
import bisect
import calendar
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import common  # noqa: E402
from common import fail  # noqa: E402
N = int(os.environ.get("BW_RESUME_EVENTS", "10000"))
FEEDS = 20
PER = N // FEEDS
random.seed(int(os.environ.get("BW_RESUME_SEED", "7")))
tmp = tempfile.mkdtemp(prefix="bw-resume-")
common.log = os.path.join(tmp, "daemon.log")
try:
    # Private copies: a concurrent rebuild must not swap binaries mid-test.
    B = common.copy_binaries(B, tmp)
    www = os.path.join(tmp, "www", "feeds")
    os.makedirs(www)
    base = common.start_fixture_server(os.path.join(tmp, "www"), os.path.join(tmp, "port"))
    for f in range(FEEDS):
        items = "".join(
            "<item><title>Briefing %d-%d</title><link>%s/b/%d/%d.html</link>"
            "<guid>b-%d-%d</guid><pubDate>Mon, 02 Nov 2026 10:%02d:%02d GMT</pubDate>"
            "<description>Remarks on sanctions and cyber defence, number %d.</description></item>\n"
            % (f, i, base, f, i, f, i, i // 60 % 60, i % 60, i) for i in range(PER))
        with open(os.path.join(www, "f%d.xml" % f), "w") as fh:
            fh.write(common.rss("F%d" % f, items, base))
    sock = os.path.join(tmp, "bw.sock")
    with open(os.path.join(tmp, "bw.conf"), "w") as fh:
        fh.write(common.daemon_section(tmp + "/bw.db", sock, fetch_pages="no", interval="1h",
                                       max_client_queue="64k", log_level="debug"))
        for f in range(FEEDS):
            fh.write("[feed f%d]\nurl = %s/feeds/f%d.xml\n" % (f, base, f))
    d = common.start_daemon(B, os.path.join(tmp, "bw.conf"), mode="w")
    common.wait_socket(sock, d)

    # The client that never reads: subscribed from the start, then silent.
    lazy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    lazy.connect(sock)
    lazy.sendall(b'{"op":"subscribe","since":0}\n')

    # Once the daemon cuts it off, the silent client has drain_timeout_ms
    # (5 s) to read its overflow line before it is dropped without it
    # (docs/protocol.md); the killed subscriber below takes longer than
    # that on a loaded machine. So it reads from when the daemon logs
    # the cut-off, not after the rest of the test.
    lazy_got = {}

    def lazy_read():
        mark = "notify: client uid %d pid %d: output queue over" \
            % (os.getuid(), os.getpid())
        with open(common.log, errors="replace") as fh:
            end = time.monotonic() + 240
            tail = ""
            while time.monotonic() < end:
                tail += fh.read()
                if mark in tail:
                    break
                tail = tail[-len(mark):]
                time.sleep(0.02)
        lazy.settimeout(10)
        data = b""
        try:
            while True:
                chunk = lazy.recv(1 << 20)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            lazy_got["timeout"] = True
        lazy_got["data"] = data
    lazy_thread = threading.Thread(target=lazy_read, daemon=True)
    lazy_thread.start()

    # The killed-and-resumed subscriber: `briefwatch tail --json` processes
    # killed with SIGKILL after a random number of lines.
    got = {}
    last = 0
    kills = 0
    deadline = time.monotonic() + 240
    while len(got) < N and time.monotonic() < deadline:
        t = subprocess.Popen([os.path.join(B, "briefwatch"), "--socket", sock,
                              "tail", "--json", "--since", str(last)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        stop_after = random.randint(1, 1500)
        n = 0
        for line in t.stdout:
            ev = json.loads(line)
            if not ev.get("type", "").startswith("briefing."):
                continue
            seq = ev["seq"]
            if seq <= last:
                t.kill()
                fail("seq %d arrived after %d: not increasing" % (seq, last))
            got[seq] = ev["briefing"]["id"]
            last = seq
            n += 1
            if n >= stop_after or len(got) >= N:
                break
        t.send_signal(signal.SIGKILL)
        t.wait()
        kills += 1
    if len(got) < N:
        fail("received %d of %d events after %d reconnects" % (len(got), N, kills))
    print("ok - subscriber killed %d times at random points, resumed with since each time" % kills)

    db = sqlite3.connect(os.path.join(tmp, "bw.db"))
    log = dict(db.execute("SELECT seq, briefing_id FROM events"))
    if set(log) != set(got):
        fail("received %d events, log has %d; missing %s" %
             (len(got), len(log), sorted(set(log) - set(got))[:10]))
    if any(log[s] != got[s] for s in log):
        fail("an event named a different briefing than the log")
    nb = db.execute("SELECT count(*) FROM briefings").fetchone()[0]
    if nb != N:
        fail("%d briefings stored, expected %d" % (nb, N))
    print("ok - the union of received events equals the event log (%d), no gap" % N)

    # At log_level debug the writer logs each durable batch: "store:
    # committed N briefings, events up to seq S, at SEC.USEC" (what
    # bench/sublat.c joins with its reads). The batches must account for
    # every event, in order, each committed after its rows were stamped.
    commits, fans = [], []
    for line in open(common.log, errors="replace"):
        line = line.rstrip("\n")
        m = re.search(r"store: committed (\d+) briefings, events up to seq "
                      r"(\d+), at (\d+)\.(\d{6}) \(commit began "
                      r"(\d+)\.(\d{6})\)$", line)
        if m:
            commits.append((int(m.group(1)), int(m.group(2)),
                            int(m.group(3)) + int(m.group(4)) / 1e6,
                            int(m.group(5)) + int(m.group(6)) / 1e6))
        m = re.search(r"notify: events up to seq (\d+) out to (\d+) subscribers "
                      r"directly, (\d+) line by line, at (\d+)\.(\d{6})$", line)
        if m:
            fans.append((int(m.group(1)), int(m.group(4)) + int(m.group(5)) / 1e6))
    if not commits:
        fail("no 'store: committed' line in the debug log")
    if sum(c[0] for c in commits) != N or commits[-1][1] != max(log):
        fail("commit lines count %d briefings up to seq %d; expected %d up to %d"
             % (sum(c[0] for c in commits), commits[-1][1], N, max(log)))
    if any(a[1] >= b[1] or a[2] > b[2] for a, b in zip(commits, commits[1:])):
        fail("commit lines are not in seq and time order")
    stamps = {}
    for seq, line in db.execute("SELECT seq, json FROM events"):
        st = json.loads(line)["stored"]
        stamps[seq] = calendar.timegm(time.strptime(st[:19], "%Y-%m-%dT%H:%M:%S")) \
            + int(st[20:26]) / 1e6
    upto = [c[1] for c in commits]

    def commit_of(seq):
        """The batch that made event seq durable: the first up to >= seq."""
        i = bisect.bisect_left(upto, seq)
        return commits[i] if i < len(commits) else None

    for seq in sorted(stamps):
        if stamps[seq] > commit_of(seq)[2]:
            fail("event %d stored at %.6f, after its batch committed at %.6f"
                 % (seq, stamps[seq], commit_of(seq)[2]))
    print("ok - %d commit log lines account for every event, each after its rows"
          % len(commits))
    # ... and the notifier's "notify: events up to seq S out to ..." lines
    # say when a fan-out had handed its events to every live subscriber:
    # never before the commit that made the last of them durable began.
    # (Not "before it returned": another connection may read the rows
    # once they are durable, while COMMIT goes on to checkpoint the WAL or
    # the writer waits for a CPU before it reads the clock; a fan-out that
    # an earlier commit started can then hand them out first.)
    if not fans:
        fail("no 'notify: events up to seq' line in the debug log")
    for seq, t in fans:
        c = commit_of(seq)
        if c is None or c[3] > t:
            fail("fan-out up to seq %d at %.6f precedes its commit (%r)" % (seq, t, c))
    print("ok - %d fan-out log lines, each after the commit of its events" % len(fans))

    # The silent client was cut off with an overflow line, and memory
    # stayed bounded while it held its subscription.
    hwm = 0
    for l in open("/proc/%d/status" % d.pid):
        if l.startswith("VmHWM:"):
            hwm = int(l.split()[1]) // 1024
    lazy_thread.join(300)
    if lazy_got.get("timeout") or "data" not in lazy_got:
        fail("the client that never read was not disconnected")
    data = lazy_got["data"]
    if data and not data.endswith(b"\n"):
        fail("the client that never read got a cut line at the end: ...%r" % data[-80:])
    lines = [json.loads(l) for l in data.split(b"\n") if l.strip()]
    if not lines or lines[-1].get("type") != "overflow" or "resume" not in lines[-1]:
        fail("no overflow line at the end for the silent client: %r" % lines[-1:])
    seqs = [l["seq"] for l in lines if l.get("type", "").startswith("briefing.")]
    if seqs and lines[-1]["resume"] != seqs[-1]:
        fail("overflow resume %d is not the last delivered seq %d" % (lines[-1]["resume"], seqs[-1]))
    print("ok - the client that never read got overflow (resume %d after %d events) and was closed"
          % (lines[-1]["resume"], len(seqs)))
    # AddressSanitizer's shadow memory and quarantine multiply RSS.
    asan = b"libasan" in subprocess.run(["ldd", os.path.join(B, "briefwatchd")],
                                        capture_output=True).stdout
    bound = 1500 if asan else 300
    if hwm > bound:
        fail("daemon peak RSS %d MB while a client did not read" % hwm)
    print("ok - daemon peak RSS %d MB (bound %d MB%s)"
          % (hwm, bound, ", ASan build" if asan else ""))
    common.stop_daemon(d)
    print("ok - clean shutdown")
finally:
    common.reap()
    shutil.rmtree(tmp, ignore_errors=True)
