"""Shared plumbing for the torture drivers (crash.py, diskfull.py):
the fixture HTTP server, a daemon configuration for a generated corpus,
starting and stopping briefwatchd, a reconnecting subscriber that records
every event it receives, and the database checks.

Everything runs on loopback in a temp dir; nothing here sleeps as an
assertion: every wait is a poll for a condition with a deadline.
"""
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

SRCDIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402


class Failure(Exception):
    pass


def wait_for(timeout, fn, what):
    """Call fn every 50 ms until it returns a true value; return it, or
    raise Failure(what) after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise Failure("timed out (%ds) waiting for %s" % (timeout, what))
        time.sleep(0.05)


class Fixture:
    """tests/fixtures/server.py serving root; .base, .log_path."""

    def __init__(self, root, tmp):
        self.root = root
        self.log_path = os.path.join(tmp, "http.log")
        port_file = os.path.join(tmp, "port")
        self.err = open(os.path.join(tmp, "server.err"), "w")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(SRCDIR, "tests/fixtures/server.py"),
             "--root", root, "--port", "0", "--port-file", port_file,
             "--log", self.log_path], stderr=self.err)
        wait_for(10, lambda: os.path.exists(port_file), "the fixture server")
        with open(port_file) as fh:
            self.port = int(fh.read())
        self.base = "http://127.0.0.1:%d" % self.port

    def requests(self, path):
        """[(status, if_none_match)] for every logged request of path."""
        out = []
        try:
            with open(self.log_path) as fh:
                for line in fh:
                    f = line.rstrip("\n").split("\t")
                    if len(f) >= 4 and f[1] == path:
                        out.append((f[2], f[3]))
        except FileNotFoundError:
            pass
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()


def snapshot_build(build, tmp):
    """Copy briefwatchd and briefwatch into tmp/bin: a long run must not
    pick up a binary that someone rebuilds in the middle of it."""
    dst = os.path.join(tmp, "bin")
    os.makedirs(dst, exist_ok=True)
    for attempt in range(20):
        for name in ("briefwatchd", "briefwatch"):
            shutil.copy2(os.path.join(build, name), os.path.join(dst, name))
        # A binary copied while the linker was writing it does not run:
        # copy again once the build settles.
        ok = all(subprocess.run([os.path.join(dst, name), "--version"],
                                capture_output=True).returncode == 0
                 for name in ("briefwatchd", "briefwatch"))
        if ok:
            return dst
        time.sleep(0.5)
    raise Failure("%s/briefwatchd or briefwatch does not run (--version)" % build)


def write_config(path, db, sock, base, feeds, prefix="f", extra=""):
    lines = ["[daemon]", "database = %s" % db, "socket = %s" % sock,
             "allow_private = yes", "interval = 1h", "max_per_host = 8",
             "max_connections = 16"]
    if extra:
        lines.append(extra)
    for i in range(feeds):
        name = "%s%02d" % (prefix, i)
        lines += ["[feed %s]" % name, "url = %s/feeds/%s.xml" % (base, name),
                  "profile = nato"]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


class Daemon:
    """One briefwatchd process (argv prefix allows valgrind and friends)."""

    def __init__(self, build, conf, log_path, prefix=(), preexec=None):
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            list(prefix) + [os.path.join(build, "briefwatchd"), "--config",
                            conf, "--foreground"],
            stdout=self.log, stderr=self.log, preexec_fn=preexec)
        self.pid = self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def kill9(self):
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        rc = self.proc.wait()
        self.log.close()
        return rc

    def term(self, timeout=60):
        if self.alive():
            os.kill(self.pid, signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure("daemon did not stop within %ds of SIGTERM" % timeout)
        finally:
            self.log.close()
        return rc


def request(sock_path, obj, timeout=5.0):
    """One request on a fresh connection; the reply dict or None."""
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(json.dumps(obj).encode() + b"\n")
        buf = b""
        while b"\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                return None
            buf += chunk
        s.close()
        return json.loads(buf.split(b"\n", 1)[0])
    except (OSError, ValueError):
        return None


def status(sock_path):
    r = request(sock_path, {"op": "status"})
    return r if r and "state" in r else None


def idle(sock_path, head):
    """The daemon's head is head and every feed has been polled since it
    started and is not polling now."""
    st = status(sock_path)
    if not st or st.get("head") != head:
        return False
    return all(f.get("polls", 0) >= 1 and f.get("state") != "polling"
               for f in st.get("feeds", []))


class Subscriber(threading.Thread):
    """Subscribes with since=last seq received, reconnecting whenever the
    daemon goes away, and records every briefing event as
    (connection number, seq, briefing id, url). An incomplete line at EOF
    (the daemon died mid-write) is discarded and counted."""

    def __init__(self, sock_path):
        super().__init__(daemon=True)
        self.sock_path = sock_path
        self.events = []
        self.last = 0
        self.connections = 0
        self.partial_lines = 0
        self.problems = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)

    def seq(self):
        with self.lock:
            return self.last

    def wait_seq(self, target, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.last < target:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True

    def run(self):
        while not self.stopping.is_set():
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.sock_path)
            except OSError:
                s.close()
                time.sleep(0.02)
                continue
            try:
                self.session(s)
            except OSError:
                pass
            finally:
                s.close()

    def session(self, s):
        since = self.seq()
        s.sendall(json.dumps({"op": "subscribe", "since": since}).encode()
                  + b"\n")
        s.settimeout(0.2)
        conn = None
        buf = b""
        while not self.stopping.is_set():
            try:
                chunk = s.recv(262144)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                if buf:
                    self.partial_lines += 1
                return
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                m = json.loads(line)
                t = m.get("type", "")
                if t == "subscribed":
                    with self.lock:
                        self.connections += 1
                        conn = self.connections
                    if m.get("seq") != since:
                        self.problems.append(
                            "subscribed at %r, asked since %d" % (m.get("seq"), since))
                elif t.startswith("briefing."):
                    if conn is None:
                        self.problems.append("event before subscribed: %r" % line[:80])
                    b = m["briefing"]
                    with self.cond:
                        if m["seq"] <= self.last:
                            self.problems.append(
                                "seq %d after %d (conn %s)" % (m["seq"], self.last, conn))
                        self.events.append((conn, m["seq"], b["id"], b["url"], t))
                        self.last = max(self.last, m["seq"])
                        self.cond.notify_all()
                elif t == "overflow":
                    return
                elif t == "error":
                    self.problems.append("error: %r" % m)

    def stop(self):
        self.stopping.set()
        self.join(5)


def check_database(db, expected_urls, fts_tables=("turns_fts", "heads_fts")):
    """The end-state checks; returns a dict of figures, raises Failure."""
    c = sqlite3.connect(db)
    try:
        ic = [r[0] for r in c.execute("PRAGMA integrity_check")]
        if ic != ["ok"]:
            raise Failure("integrity_check: %s" % ic[:10])
        # The FTS tables use briefwatch's tokenizer: the sqlite3 shell
        # loads it (build/bwtok.so; not every Python can load extensions).
        ext = os.path.join(os.environ.get("B", "build"), "bwtok")
        for t in fts_tables:
            r = subprocess.run(
                ["sqlite3", "-bail", db, ".load " + ext,
                 "INSERT INTO %s(%s) VALUES('integrity-check')" % (t, t)],
                capture_output=True, text=True, timeout=300)
            if r.returncode != 0 or r.stderr.strip():
                raise Failure("FTS integrity-check of %s: %s" % (
                    t, (r.stderr or r.stdout).strip()))
        n, nd = c.execute("SELECT count(*), count(DISTINCT url) FROM briefings").fetchone()
        urls = {r[0] for r in c.execute("SELECT url FROM briefings")}
        if n != len(expected_urls) or nd != n:
            raise Failure("%d briefings (%d distinct URLs), expected %d"
                          % (n, nd, len(expected_urls)))
        missing = set(expected_urls) - urls
        if missing:
            raise Failure("%d items never stored, e.g. %s"
                          % (len(missing), sorted(missing)[:3]))
        ev = c.execute("SELECT seq, type, briefing_id FROM events ORDER BY rowid").fetchall()
        seqs = [e[0] for e in ev]
        if any(b <= a for a, b in zip(seqs, seqs[1:])):
            raise Failure("event seq not strictly increasing")
        bad = [e for e in ev if e[1] != "briefing.new"]
        if bad:
            raise Failure("unexpected events (content never changed): %s" % bad[:3])
        per = {}
        for e in ev:
            per[e[2]] = per.get(e[2], 0) + 1
        ids = {r[0] for r in c.execute("SELECT id FROM briefings")}
        if set(per) != ids or any(v != 1 for v in per.values()):
            dup = [k for k, v in per.items() if v != 1]
            raise Failure("not one event per briefing: %d events, %d briefings,"
                          " duplicates %s, without event %s"
                          % (len(ev), len(ids), dup[:5], sorted(ids - set(per))[:5]))
        items = c.execute("SELECT count(*) FROM items").fetchone()[0]
        revs = c.execute("SELECT count(*), max(n) FROM revisions").fetchone()
        if items != n or revs != (n, 1):
            raise Failure("%d feed items and (revisions, highest) %s for %d "
                          "briefings: something was stored twice" % (items, revs, n))
        turns = c.execute("SELECT count(*) FROM turns").fetchone()[0]
        return {"briefings": n, "events": len(ev), "head": seqs[-1] if seqs else 0,
                "items": items, "turns": turns,
                "event_rows": {s: (b) for s, _, b in ev}}
    finally:
        c.close()


def check_received(sub, db_figures, db):
    """Every received event is stored, refers to the stored briefing with
    its URL, and the union of what was received is the whole log."""
    c = sqlite3.connect(db)
    try:
        url_of = dict(c.execute("SELECT id, url FROM briefings"))
    finally:
        c.close()
    rows = db_figures["event_rows"]
    if sub.problems:
        raise Failure("subscriber: %s" % sub.problems[:5])
    seen = set()
    for conn, seq, bid, url, _ in sub.events:
        if seq not in rows:
            raise Failure("received seq %d, which is not in the event log" % seq)
        if rows[seq] != bid or url_of.get(bid) != url:
            raise Failure("received seq %d for briefing %d %s; stored: %s %s"
                          % (seq, bid, url, rows[seq], url_of.get(rows[seq])))
        if seq in seen:
            raise Failure("seq %d received twice" % seq)
        seen.add(seq)
    gap = set(rows) - seen
    if gap:
        raise Failure("%d logged events never received, e.g. %s"
                      % (len(gap), sorted(gap)[:5]))
    return len(seen)


def rng(seed):
    return random.Random(seed)


generate = corpus.generate
