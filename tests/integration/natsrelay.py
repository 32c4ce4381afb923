"""What the NATS relay tests share (tests/integration/test_relay*.py):
a real nats-server with JetStream on 127.0.0.1 (or three of them in a
cluster), a fixture feed server whose feeds the tests grow, a briefwatchd
with a [relay] section, and the check every test ends with: the stream
read back through `briefwatch tail --nats` is an exact, in-order copy of
the events table.

Skips (exit 77) with a message when nats-server is not installed.
"""
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import common  # noqa: E402
from common import fail, procs, wait_for  # noqa: E402

# BW_NATS_SERVER: another binary, or "none" to see the tests skip
NATS = os.environ.get("BW_NATS_SERVER") or shutil.which("nats-server") or (
    "/usr/sbin/nats-server" if os.path.exists("/usr/sbin/nats-server") else None)
if NATS == "none" or (NATS and not os.path.exists(NATS)):
    NATS = None


def need_nats():
    if not NATS:
        print("SKIP: nats-server is not installed (apt-get install nats-server, or make deps)")
        sys.exit(77)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


class Nats:
    """One nats-server -js on 127.0.0.1; a member of a cluster when routes
    are given."""

    def __init__(self, tmp, name, port=None, cluster_port=None, routes=None):
        self.tmp = tmp
        self.name = name
        self.port = port or free_port()
        self.cluster_port = cluster_port
        self.routes = routes
        self.store = os.path.join(tmp, "js-" + name)
        self.log = os.path.join(tmp, "nats-%s.log" % name)
        self.p = None

    def start(self):
        args = [NATS, "-js", "-a", "127.0.0.1", "-p", str(self.port),
                "-sd", self.store, "--server_name", self.name]
        if self.cluster_port:
            args += ["--cluster_name", "bw", "--cluster",
                     "nats://127.0.0.1:%d" % self.cluster_port,
                     "--routes", ",".join(self.routes)]
        self.p = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                  stderr=open(self.log, "a"))
        procs.append(self.p)
        wait_for(10, lambda: port_open(self.port), "nats-server %s" % self.name)

    def kill(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()

    def url(self):
        return "nats://127.0.0.1:%d" % self.port


class Env:
    """A fixture server with feeds f0..f{feeds-1}, a daemon configuration
    with a [relay] section, helpers to add items and start daemons."""

    def __init__(self, prefix, feeds=4, relay_extra=""):
        need_nats()
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        common.log = os.path.join(self.tmp, "daemon.log")
        self.B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
        for exe in ("briefwatchd", "briefwatch"):
            shutil.copy2(os.path.join(self.B, exe), os.path.join(self.tmp, exe))
        self.B = self.tmp
        self.www = os.path.join(self.tmp, "www", "feeds")
        os.makedirs(self.www)
        self.feeds = feeds
        self.items = [0] * feeds
        srv = subprocess.Popen([sys.executable, os.path.join(SRC, "tests/fixtures/server.py"),
                                "--root", os.path.join(self.tmp, "www"), "--port", "0",
                                "--port-file", os.path.join(self.tmp, "port")],
                               stderr=subprocess.DEVNULL)
        procs.append(srv)
        wait_for(10, lambda: os.path.exists(os.path.join(self.tmp, "port")), "fixture server")
        self.base = "http://127.0.0.1:%s" % open(os.path.join(self.tmp, "port")).read().strip()
        self.relay_extra = relay_extra
        self.daemons = {}
        for f in range(feeds):
            self.write_feed(f)

    def write_feed(self, f):
        n = self.items[f]
        items = "".join(
            "<item><title>Briefing %d-%d</title><link>%s/b/%d/%d.html</link>"
            "<guid>b-%d-%d</guid><pubDate>Mon, 02 Nov 2026 10:%02d:%02d GMT</pubDate>"
            "<description>Remarks on sanctions, number %d.</description></item>\n"
            % (f, i, self.base, f, i, f, i, i // 60 % 60, i % 60, i) for i in range(n))
        path = os.path.join(self.www, "f%d.xml" % f)
        with open(path + ".tmp", "w") as fh:
            fh.write('<?xml version="1.0"?><rss version="2.0"><channel><title>F%d</title>'
                     "<link>%s/</link><description>d</description>\n%s</channel></rss>\n"
                     % (f, self.base, items))
        os.rename(path + ".tmp", path)

    def grow(self, per_feed):
        for f in range(self.feeds):
            self.items[f] += per_feed
            self.write_feed(f)

    def conf(self, name, servers, db=None):
        path = os.path.join(self.tmp, name + ".conf")
        db = db or os.path.join(self.tmp, name + ".db")
        with open(path, "w") as fh:
            fh.write("[daemon]\ndatabase = %s\nsocket = %s/%s.sock\nallow_private = yes\n"
                     "fetch_pages = no\ninterval = 1h\nlog_level = debug\n"
                     % (db, self.tmp, name))
            fh.write("[relay]\nservers = %s\n%s" % (" ".join(servers), self.relay_extra))
            for f in range(self.feeds):
                fh.write("[feed f%d]\nurl = %s/feeds/f%d.xml\n" % (f, self.base, f))
        return path

    def start_daemon(self, name, servers, db=None, env=None):
        conf = self.conf(name, servers, db)
        log = os.path.join(self.tmp, name + ".log")
        common.log = log
        d = subprocess.Popen([os.path.join(self.B, "briefwatchd"), "--config", conf],
                             stderr=open(log, "a"),
                             env=dict(os.environ, **env) if env else None)
        procs.append(d)
        sock = os.path.join(self.tmp, name + ".sock")
        self.daemons[name] = (d, conf, sock)
        wait_for(20, lambda: self.status(name) is not None, "the socket of " + name)
        return d

    def cli(self, name, *args, check=True, timeout=60):
        _, conf, sock = self.daemons[name]
        r = subprocess.run([os.path.join(self.B, "briefwatch"), "--config", conf,
                            "--socket", sock] + list(args),
                           capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            fail("briefwatch %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
        return r

    def poll_all(self, name):
        for f in range(self.feeds):
            self.cli(name, "poll", "f%d" % f)

    def status(self, name):
        import json
        r = self.cli(name, "status", "--json", check=False)
        if r.returncode != 0:
            return None
        return json.loads(r.stdout)

    def relay(self, name):
        st = self.status(name)
        return st.get("relay") if st else None

    def events(self, db):
        c = sqlite3.connect(db)
        try:
            return [row[0] for row in c.execute("SELECT json FROM events ORDER BY seq")]
        finally:
            c.close()

    def stream(self, url, *extra):
        """Every message body of the stream, in stream order."""
        r = subprocess.run([os.path.join(self.B, "briefwatch"), "tail", "--nats", url,
                            "--since", "0", "--json", "--idle-exit", "2s"] + list(extra),
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            fail("tail --nats: exit %d: %s" % (r.returncode, r.stderr))
        return r.stdout.splitlines()

    def check_copy(self, url, db, what):
        """The stream is an exact in-order copy of the events table."""
        ev = self.events(db)
        st = self.stream(url)
        if st != ev:
            seen = set()
            dups = sum(1 for x in st if x in seen or seen.add(x))
            missing = len(set(ev) - set(st))
            extra = len(set(st) - set(ev))
            order = "in order" if [x for x in st if x in set(ev)] == [x for x in ev if x in set(st)] else "OUT OF ORDER"
            fail("%s: stream has %d messages, events table %d (%d duplicated, %d missing, %d not in the table, %s)"
                 % (what, len(st), len(ev), dups, missing, extra, order))
        print("ok - %s: stream = events table, %d events, 0 lost, 0 duplicated" % (what, len(ev)))
        return len(ev)

    def wait_lag0(self, name, timeout=60):
        def ok():
            r = self.relay(name)
            return r and r.get("state") == "relaying" and r.get("lag") == 0
        wait_for(timeout, ok, "relay lag 0 on " + name)

    def cleanup(self):
        common.reap()
        if os.environ.get("BW_KEEP_TMP"):
            print("kept " + self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
