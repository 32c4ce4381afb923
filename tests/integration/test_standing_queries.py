#!/usr/bin/env python3
"""Standing queries do not stall the daemon (issue #22 item 1).

200 subscribers hold the costliest query a socket user can write
(`a* OR b* OR ... OR z*`, every word of the archive), 10 more hold
`zebras`, and 1,000 new items arrive. The daemon evaluates each distinct
query once per batch of events, off its loop thread, so:

- every subscriber gets exactly the events its query matches, in order;
- a `ping` on another connection is answered all along (worst figure
  reported; the assertion is a generous bound, far under the 18 s seen
  before the fix, because the machine running the tests is shared);
- ingest time is reported beside the same run with 200 unfiltered
  subscribers (target: within 2x; reported, not asserted).

A query the daemon cannot afford is refused at subscribe with a clear
error (`too_costly`), checked at the end.

Real parts: fixture HTTP server, briefwatchd, SQLite, Unix sockets.

    test_standing_queries.py BUILD_DIR      (BW_SQ_SUBS=N, default 200)
"""
import json
import os
import selectors
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import common  # noqa: E402
from client import Client  # noqa: E402
from common import fail, wait_for  # noqa: E402

SUBS = int(os.environ.get("BW_SQ_SUBS", "200"))
ZSUBS = 10
FEEDS, PER = 10, 100
ITEMS = FEEDS * PER
ALPHA = " OR ".join("%s*" % chr(c) for c in range(ord("a"), ord("z") + 1))
WORDS = ("ministers discussed border controls energy security reconstruction "
         "conference delegations agreed maritime patrols summit harbour "
         "fisheries quota tariffs vaccines satellites wheat exports").split()


def zebra(f, i):
    return (f * PER + i) % 7 == 3


def item(f, i):
    words = " ".join(WORDS[(f * 31 + i * 7 + k) % len(WORDS)] for k in range(40))
    extra = " zebras crossed the square" if zebra(f, i) else ""
    return ("<item><title>Note %d-%d on %s</title><link>http://b.example/%d/%d</link>"
            "<guid>q-%d-%d</guid><description>%s%s.</description></item>"
            % (f, i, WORDS[i % len(WORDS)], f, i, f, i, words, extra))


def write_feeds(www, full):
    for f in range(FEEDS):
        body = "".join(item(f, i) for i in range(PER)) if full else ""
        common.write_file(os.path.join(www, "f%d.xml" % f), common.rss("F%d" % f, body))


class Reader(threading.Thread):
    """Counts event lines on many subscriber sockets at once; for the
    `zebras` ones it keeps the briefing titles."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sel = selectors.DefaultSelector()
        self.lines = {}
        self.titles = {}
        self.tail = {}
        self.bad = []
        self.stop = False

    def add(self, sock, keep):
        sock.setblocking(False)
        self.lines[sock] = 0
        self.tail[sock] = b""
        if keep:
            self.titles[sock] = []
        self.sel.register(sock, selectors.EVENT_READ)

    def run(self):
        while not self.stop:
            for key, _ in self.sel.select(0.2):
                s = key.fileobj
                try:
                    data = s.recv(1 << 20)
                except BlockingIOError:
                    continue
                if not data:
                    self.sel.unregister(s)
                    self.bad.append("a subscriber was disconnected")
                    continue
                data = self.tail[s] + data
                cut = data.rfind(b"\n") + 1
                self.tail[s] = data[cut:]
                whole = data[:cut]
                self.lines[s] += whole.count(b'"type":"briefing.')
                if b'"overflow"' in whole or b'"type":"error"' in whole:
                    self.bad.append(whole[:300].decode(errors="replace"))
                if s in self.titles:
                    for line in whole.split(b"\n"):
                        if line:
                            ev = json.loads(line)
                            if str(ev.get("type")).startswith("briefing."):
                                self.titles[s].append(ev["briefing"]["title"])


def subscribe(sock_path, query):
    c = Client(sock_path)
    req = {"op": "subscribe"}
    if query:
        req["query"] = query
    r = c.request(req, timeout=60)
    if not r or r.get("type") != "subscribed":
        fail("subscribe %r: %r" % (query, r))
    return c


def run(tmp, base, www, queries):
    """One daemon, SUBS subscribers (query or not), ZSUBS zebras ones, the
    feeds filled and polled. Returns (ingest s, delivery s, pings)."""
    d_dir = tempfile.mkdtemp(dir=tmp)
    sock = os.path.join(d_dir, "bw.sock")
    db = os.path.join(d_dir, "bw.db")
    conf = os.path.join(d_dir, "bw.conf")
    write_feeds(www, False)
    with open(conf, "w") as fh:
        fh.write(common.daemon_section(db, sock, fetch_pages="no", interval="1h",
                                       max_clients="1000"))
        for f in range(FEEDS):
            fh.write("[feed f%d]\nurl = %s/f%d.xml\n" % (f, base, f))
    common.log = os.path.join(d_dir, "daemon.log")
    d = common.start_daemon(B, conf, "--foreground", mode="w")
    common.wait_socket(sock, d, timeout=20)
    ctl = Client(sock)
    wait_for(20, lambda: all(f.get("last_result") for f in
                             ctl.request({"op": "feeds"}).get("feeds", [])),
             "the first (empty) polls")
    reader = Reader()
    clients = []
    for k in range(SUBS):
        clients.append(subscribe(sock, ALPHA if queries else None))
        reader.add(clients[-1].sock, False)
    for k in range(ZSUBS):
        clients.append(subscribe(sock, "zebras"))
        reader.add(clients[-1].sock, True)
    reader.start()

    pings = []
    stop = threading.Event()

    def pinger():
        p = Client(sock)
        while not stop.is_set():
            t = time.monotonic()
            r = p.request({"op": "ping"}, timeout=120)
            pings.append(time.monotonic() - t)
            if not r or r.get("type") != "pong":
                pings.append(float("inf"))
                return
            time.sleep(0.02)
        p.close()
    pt = threading.Thread(target=pinger, daemon=True)
    pt.start()

    write_feeds(www, True)
    t0 = time.monotonic()
    for f in range(FEEDS):
        r = ctl.request({"op": "poll", "feed": "f%d" % f})
        if not r or r.get("type") == "error":
            fail("poll f%d: %r" % (f, r))

    def stored():
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
        try:
            return c.execute("SELECT count(*) FROM briefings").fetchone()[0]
        finally:
            c.close()
    t_ingest = None
    zebras = sum(1 for f in range(FEEDS) for i in range(PER) if zebra(f, i))
    deadline = t0 + 300
    while time.monotonic() < deadline:
        if t_ingest is None and stored() >= ITEMS:
            t_ingest = time.monotonic() - t0
        if t_ingest is not None and all(
                n >= (zebras if s in reader.titles else ITEMS)
                for s, n in reader.lines.items()):
            break
        if reader.bad:
            fail("subscriber trouble: %s" % reader.bad[0])
        time.sleep(0.05)
    else:
        z = [n for s, n in reader.lines.items() if s in reader.titles]
        a = [n for s, n in reader.lines.items() if s not in reader.titles]
        # On a new connection: ctl, which never subscribes, has been
        # closed at the daemon's idle timeout (60 s) by now.
        try:
            with Client(sock) as st:
                status = st.request({"op": "status"}, timeout=20)
        except OSError as e:
            status = "no answer (%s)" % e
        fail("after 300 s: %s briefings stored; events delivered: %d "
             "'zebras' subscribers min %d max %d (of %d), %d others min %d "
             "max %d (of %d); daemon status: %r"
             % (stored(), len(z), min(z), max(z), zebras, len(a),
                min(a or [0]), max(a or [0]), ITEMS, status))
    t_deliver = time.monotonic() - t0
    time.sleep(0.5)  # nothing more, nothing late
    stop.set()
    pt.join(130)
    reader.stop = True
    reader.join(5)
    for s, n in reader.lines.items():
        want = zebras if s in reader.titles else ITEMS
        if n != want:
            fail("a subscriber got %d events, expected %d" % (n, want))
    for s, titles in reader.titles.items():
        want = ["Note %d-%d on %s" % (f, i, WORDS[i % len(WORDS)])
                for f in range(FEEDS) for i in range(PER) if zebra(f, i)]
        if sorted(titles) != sorted(want):
            fail("a zebras subscriber got other events than the %d matching ones" % len(want))
    if reader.bad:
        fail("subscriber trouble: %s" % reader.bad[0])
    for c in clients:
        c.close()
    if d.poll() is not None:
        fail("the daemon died (exit %s)" % d.returncode)
    return d, ctl, t_ingest, t_deliver, pings


tmp = tempfile.mkdtemp(prefix="bw-standing-")
try:
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    base = common.start_fixture_server(www, os.path.join(tmp, "port"))

    d, ctl, plain_ingest, plain_deliver, plain_pings = run(tmp, base, www, False)
    ctl.close()
    d.send_signal(signal.SIGTERM)
    d.wait(30)
    print("# unfiltered: %d subscribers, %d items: ingest %.2f s, all delivered %.2f s, "
          "worst ping %.0f ms" % (SUBS, ITEMS, plain_ingest, plain_deliver,
                                  1000 * max(plain_pings or [0])))

    d, ctl, q_ingest, q_deliver, q_pings = run(tmp, base, www, True)
    worst = max(q_pings or [0])
    print("# standing query a* OR ... OR z*: %d subscribers (+%d 'zebras'), %d items: "
          "ingest %.2f s (%.2fx unfiltered), all delivered %.2f s, %d pings, worst %.0f ms"
          % (SUBS, ZSUBS, ITEMS, q_ingest, q_ingest / max(plain_ingest, 0.001),
             q_deliver, len(q_pings), 1000 * worst))
    print("ok - %d subscribers of a* OR ... OR z* and %d of zebras got exactly their events"
          % (SUBS, ZSUBS))
    if not q_pings:
        fail("no ping was answered")
    # Before the fix: 18 s and more. The bound allows for a busy shared
    # machine; the figure above is the measurement.
    if worst > 3.0:
        fail("a ping waited %.1f s while standing queries were evaluated" % worst)
    print("ok - pings answered throughout (worst %.0f ms)" % (1000 * worst))

    # A query beyond the budget is refused at subscribe, clearly.
    costly = " OR ".join("%s%s*" % (chr(a), chr(b)) for a in range(ord("a"), ord("z") + 1)
                         for b in range(ord("a"), ord("e")))
    with Client(os.path.join(os.path.dirname(common.log), "bw.sock")) as c:
        r = c.request({"op": "subscribe", "query": costly})
        if not r or r.get("type") != "error" or r.get("code") != "too_costly":
            fail("a query of %d prefix terms was not refused as too_costly: %r"
                 % (costly.count("*"), r))
        print("ok - a query beyond the budget is refused: %s" % r.get("message"))
    ctl.close()
    common.stop_daemon(d)
finally:
    common.reap()
    shutil.rmtree(tmp, ignore_errors=True)
