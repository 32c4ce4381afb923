#!/usr/bin/env python3
"""The store's writer sets the pace of page fetching: while it cannot
write (here another process holds the database's write lock, as a long
backup or a stuck disk would), pages already fetched and parsed wait in
memory only up to about 8 MiB of records; no further page is fetched until
the writer catches up. When the lock goes, every briefing is stored and
nothing is lost. Without the cap, every page would be fetched and held in
memory at once.

Real parts: fixture HTTP server, briefwatchd, SQLite (a second process
holding BEGIN IMMEDIATE), briefwatch status over the Unix socket.

    test_backpressure.py BUILD_DIR
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import common  # noqa: E402
from common import fail, wait_for  # noqa: E402
FEEDS, PER = 15, 20
PAGES = FEEDS * PER
SENTENCE = ("The ministers discussed border controls, energy security and "
            "the reconstruction conference, and the delegations agreed to "
            "meet again before the summit to review the maritime patrols. ")


def page(f, i):
    """A transcript page with about 150 KB of text (our own words): a few
    dozen of them hold more records than the writer's queue may."""
    paras = []
    for k in range(200):
        who = "MODERATOR" if k % 3 == 0 else "MS. ARDEN"
        paras.append("<p><strong>%s:</strong> Briefing %d-%d, paragraph %d. %s</p>"
                     % (who, f, i, k, SENTENCE * 4))
    return ("<!DOCTYPE html><html><head><title>Briefing %d-%d</title></head>"
            "<body><main><h1>Press briefing %d-%d</h1>%s</main></body></html>"
            % (f, i, f, i, "\n".join(paras)))


def page_requests():
    with urllib.request.urlopen(base + "/_stats") as r:
        stats = json.load(r)
    return sum(v for k, v in stats.items()
               if isinstance(v, int) and k.startswith("/b/"))


tmp = tempfile.mkdtemp(prefix="bw-backpressure-")
common.log = os.path.join(tmp, "daemon.log")
try:
    B = common.copy_binaries(B, tmp)
    www = os.path.join(tmp, "www")
    os.makedirs(os.path.join(www, "feeds"))
    os.makedirs(os.path.join(www, "b"))
    base = common.start_fixture_server(www, os.path.join(tmp, "port"))
    for f in range(FEEDS):
        items = []
        for i in range(PER):
            with open(os.path.join(www, "b", "%d-%d.html" % (f, i)), "w") as fh:
                fh.write(page(f, i))
            items.append("<item><title>Briefing %d-%d</title><link>%s/b/%d-%d.html</link>"
                         "<guid>b-%d-%d</guid><pubDate>Mon, 02 Nov 2026 10:%02d:00 GMT</pubDate>"
                         "</item>" % (f, i, base, f, i, f, i, i))
        with open(os.path.join(www, "feeds", "f%d.xml" % f), "w") as fh:
            fh.write(common.rss("F%d" % f, "\n".join(items), base))
    sock = os.path.join(tmp, "bw.sock")
    db = os.path.join(tmp, "bw.db")
    conf = os.path.join(tmp, "bw.conf")
    with open(conf, "w") as fh:
        fh.write(common.daemon_section(db, sock, fetch_pages="yes", interval="1h"))
    # The schema first (no feeds yet), then the lock, then the feeds.
    subprocess.run([os.path.join(B, "briefwatchd"), "--config", conf, "--once"],
                   check=True, stderr=subprocess.DEVNULL)
    lock = sqlite3.connect(db, isolation_level=None, timeout=10)
    lock.execute("BEGIN IMMEDIATE")
    with open(conf, "a") as fh:
        for f in range(FEEDS):
            fh.write("[feed f%d]\nurl = %s/feeds/f%d.xml\n" % (f, base, f))
    d = common.start_daemon(B, conf, "--foreground", mode="w")

    # Page fetching must come to a halt well short of every page.
    wait_for(30, lambda: page_requests() > 0, "the first page fetches")
    last, still = -1, 0
    end = time.monotonic() + 60
    while time.monotonic() < end and still < 3:
        time.sleep(1.0)
        n = page_requests()
        still = still + 1 if n == last else 0
        last = n
    if still < 3:
        fail("page fetching never paused while the writer was blocked (%d of %d)"
             % (last, PAGES))
    if last >= PAGES:
        fail("all %d pages were fetched while nothing could be written: no back-pressure"
             % PAGES)
    print("ok - with the database locked, fetching paused after %d of %d pages" % (last, PAGES))
    rss_kb = int([l for l in open("/proc/%d/status" % d.pid) if l.startswith("VmRSS")][0].split()[1])
    print("# daemon RSS while paused: %d kB" % rss_kb)

    # The lock goes: everything is fetched, stored and announced.
    lock.execute("ROLLBACK")
    lock.close()

    def stored():
        c = sqlite3.connect(db, timeout=10)
        try:
            return c.execute("SELECT count(*) FROM briefings").fetchone()[0]
        finally:
            c.close()
    wait_for(120, lambda: stored() == PAGES, "all %d briefings after the lock went" % PAGES)
    if page_requests() != PAGES:
        fail("%d page requests for %d pages" % (page_requests(), PAGES))
    c = sqlite3.connect(db, timeout=10)
    events = c.execute("SELECT count(*) FROM events WHERE type = 'briefing.new'").fetchone()[0]
    turns = c.execute("SELECT count(*) FROM turns").fetchone()[0]
    c.close()
    if events != PAGES:
        fail("%d briefing.new events for %d briefings" % (events, PAGES))
    if turns < PAGES * 150:
        fail("only %d turns stored" % turns)
    print("ok - after the lock, all %d briefings stored once, %d turns, one event each"
          % (PAGES, turns))
    common.stop_daemon(d)
    print("ok - clean exit")
finally:
    common.reap()
    shutil.rmtree(tmp, ignore_errors=True)
