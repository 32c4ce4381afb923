#!/usr/bin/env python3
"""Thousands of feeds due at once (a cold `--once`, as after a restart)
keep the daemon's memory bounded: polls and pages are admitted a few dozen
at a time, so peak RSS does not grow with the number of feeds. Also checks
that every item of every feed is stored exactly once.

    test_scale.py BUILD_DIR      (BW_SCALE_FEEDS=N, default 2000)
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import resource

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FEEDS = int(os.environ.get("BW_SCALE_FEEDS", "2000"))
ITEMS = 20


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


tmp = tempfile.mkdtemp(prefix="bw-scale-")
srv = None
try:
    exe = os.path.join(tmp, "briefwatchd")
    shutil.copy2(os.path.join(B, "briefwatchd"), exe)
    www = os.path.join(tmp, "www", "feeds")
    os.makedirs(www)
    for f in range(FEEDS):
        items = "".join(
            "<item><title>Briefing %d-%d</title><link>http://briefings.example/%d/%d</link>"
            "<guid>s-%d-%d</guid><description>Remarks %d on defence and trade.</description></item>"
            % (f, i, f, i, f, i, i) for i in range(ITEMS))
        with open(os.path.join(www, "f%d.xml" % f), "w") as fh:
            fh.write('<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>%s</channel></rss>' % items)
    srv = subprocess.Popen([sys.executable, os.path.join(SRC, "tests/fixtures/server.py"),
                            "--root", os.path.join(tmp, "www"), "--port", "0",
                            "--port-file", os.path.join(tmp, "port")],
                           stderr=subprocess.DEVNULL)
    end = time.monotonic() + 10
    while not os.path.exists(os.path.join(tmp, "port")):
        if time.monotonic() > end:
            fail("fixture server did not start")
        time.sleep(0.1)
    base = "http://127.0.0.1:%s" % open(os.path.join(tmp, "port")).read().strip()
    conf = os.path.join(tmp, "bw.conf")
    with open(conf, "w") as fh:
        fh.write("[daemon]\ndatabase = %s/bw.db\nsocket = %s/bw.sock\nallow_private = yes\n"
                 "fetch_pages = no\nmax_per_host = 8\n" % (tmp, tmp))
        for f in range(FEEDS):
            fh.write("[feed f%d]\nurl = %s/feeds/f%d.xml\n" % (f, base, f))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = subprocess.run([exe, "--config", conf, "--once"], stderr=subprocess.PIPE,
                       timeout=600)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    if r.returncode != 0:
        fail("--once exit %d: %s" % (r.returncode, r.stderr.decode()[-2000:]))
    db = sqlite3.connect(os.path.join(tmp, "bw.db"))
    n = db.execute("SELECT count(*) FROM briefings").fetchone()[0]
    if n != FEEDS * ITEMS:
        fail("%d briefings stored, expected %d" % (n, FEEDS * ITEMS))
    print("ok - %d feeds x %d items stored once each by a cold --once" % (FEEDS, ITEMS))
    asan = b"libasan" in subprocess.run(["ldd", exe], capture_output=True).stdout
    bound = 1500 if asan else 120
    if peak > bound:
        fail("peak RSS %d MB for %d feeds (bound %d MB)" % (peak, FEEDS, bound))
    print("ok - peak RSS %d MB for %d feeds (bound %d MB%s)"
          % (peak, FEEDS, bound, ", ASan build" if asan else ""))
finally:
    if srv:
        srv.kill()
        srv.wait()
    shutil.rmtree(tmp, ignore_errors=True)
