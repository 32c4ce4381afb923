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
import resource

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import common  # noqa: E402
from common import fail  # noqa: E402

FEEDS = int(os.environ.get("BW_SCALE_FEEDS", "2000"))
ITEMS = 20

tmp = tempfile.mkdtemp(prefix="bw-scale-")
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
            fh.write(common.rss("F", items))
    base = common.start_fixture_server(os.path.join(tmp, "www"), os.path.join(tmp, "port"))
    conf = os.path.join(tmp, "bw.conf")
    with open(conf, "w") as fh:
        fh.write(common.daemon_section(tmp + "/bw.db", tmp + "/bw.sock", fetch_pages="no",
                                       max_per_host="8"))
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
    common.reap()
    shutil.rmtree(tmp, ignore_errors=True)
