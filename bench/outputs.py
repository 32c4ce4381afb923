#!/usr/bin/env python3
"""Webhook output under a hostile receiver (issue 25's measure).

    bench/outputs.py [BUILD_DIR]      (BENCH_QUICK=1: 2,000 events, 5 s down)

1. N events (10,000) to a receiver (tests/fixtures/webhook_recv.py) that
   answers 500 to 20 % of requests at random and is down (process killed,
   port closed) for 30 s in the middle: prints the distinct seqs received,
   whether they came in order, and the repeats (each must be of a request
   in flight when a failure hit).
2. Latency: 200 single-briefing commits, one every 50 ms, with a healthy
   receiver and a `briefwatch tail` subscriber: commit -> webhook received
   beside commit -> socket subscriber, p50/p99 (from the event's "stored"
   time, taken as its row is written, to the arrival).
Exit 1 when a seq is missing or out of order.
"""
import calendar
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = os.environ.get("BENCH_QUICK") == "1"
N = int(os.environ.get("BENCH_OUT_EVENTS", "2000" if QUICK else "10000"))
DOWN = float(os.environ.get("BENCH_OUT_DOWN", "5" if QUICK else "30"))
LAT = 50 if QUICK else 200
FEEDS = 20
tmp = tempfile.mkdtemp(prefix="bw-bench-out-")
procs = []


def wait_for(timeout, cond, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    sys.exit("timed out waiting for " + what)


def receiver(port=0):
    pf = os.path.join(tmp, "recv.port")
    if os.path.exists(pf):
        os.unlink(pf)
    p = subprocess.Popen([sys.executable, os.path.join(SRC, "tests/fixtures/webhook_recv.py"),
                          "--port", str(port), "--port-file", pf,
                          "--log", os.path.join(tmp, "recv.log"),
                          "--control", os.path.join(tmp, "ctl"),
                          "--secret-file", os.path.join(tmp, "secret"),
                          "--fail-rate", "0.2", "--seed", "11"])
    procs.append(p)
    wait_for(10, lambda: os.path.exists(pf), "the receiver")
    return p, int(open(pf).read())


def entries():
    with open(os.path.join(tmp, "recv.log")) as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


def ok_entries():
    return [e for e in entries() if e["outcome"] in ("ok", "late-ok")]


def stored_unix(ev):
    s = ev["stored"]  # 2026-11-28T19:52:01.482113Z
    sec, frac = s[:-1].split(".")
    return calendar.timegm(time.strptime(sec, "%Y-%m-%dT%H:%M:%S")) + float("0." + frac)


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


try:
    www = os.path.join(tmp, "www", "feeds")
    os.makedirs(www)
    srv = subprocess.Popen([sys.executable, os.path.join(SRC, "tests/fixtures/server.py"),
                            "--root", os.path.join(tmp, "www"), "--port", "0",
                            "--port-file", os.path.join(tmp, "port")],
                           stderr=subprocess.DEVNULL)
    procs.append(srv)
    wait_for(10, lambda: os.path.exists(os.path.join(tmp, "port")), "fixture server")
    base = "http://127.0.0.1:%s" % open(os.path.join(tmp, "port")).read().strip()
    per = N // FEEDS
    for f in range(FEEDS):
        items = "".join(
            "<item><title>Briefing %d-%d</title><link>%s/b/%d/%d.html</link>"
            "<guid>b-%d-%d</guid><description>Remarks, number %d.</description></item>\n"
            % (f, i, base, f, i, f, i, i) for i in range(per))
        with open(os.path.join(www, "f%d.xml" % f), "w") as fh:
            fh.write('<?xml version="1.0"?><rss version="2.0"><channel><title>F%d</title>'
                     "<link>%s/</link><description>d</description>\n%s</channel></rss>\n"
                     % (f, base, items))
    with open(os.path.join(www, "lat.xml"), "w") as fh:
        fh.write('<?xml version="1.0"?><rss version="2.0"><channel><title>L</title>'
                 "<link>%s/</link><description>d</description>\n</channel></rss>\n" % base)
    with open(os.path.join(tmp, "secret"), "w") as f:
        f.write("bench-secret\n")
    with open(os.path.join(tmp, "ctl"), "w") as f:
        f.write('{"mode": "ok"}')
    recv, port = receiver()
    sock = os.path.join(tmp, "bw.sock")
    conf = os.path.join(tmp, "bw.conf")
    with open(conf, "w") as fh:
        fh.write("[daemon]\ndatabase = %s/bw.db\nsocket = %s\nallow_private = yes\n"
                 "fetch_pages = no\ninterval = 1h\n" % (tmp, sock))
        for f in range(FEEDS):
            fh.write("[feed f%d]\nurl = %s/feeds/f%d.xml\n" % (f, base, f))
        fh.write("[feed lat]\nurl = %s/feeds/lat.xml\n" % base)
        fh.write("[output bench]\ntype = webhook\nurl = http://127.0.0.1:%d/\n"
                 "secret_file = %s/secret\nstart = beginning\ntimeout = 2s\n"
                 "backoff = 20ms\nmax_backoff = 2s\nmax_attempts = 5\n" % (port, tmp))
    t0 = time.monotonic()
    d = subprocess.Popen([os.path.join(B, "briefwatchd"), "--config", conf],
                         stderr=open(os.path.join(tmp, "daemon.log"), "w"))
    procs.append(d)
    wait_for(600, lambda: len(ok_entries()) >= N // 2, "half the events")
    recv.send_signal(signal.SIGKILL)
    recv.wait()
    down_at = time.time()
    time.sleep(DOWN)
    recv, _ = receiver(port)
    wait_for(600, lambda: len({e["seq"] for e in ok_entries()}) >= N, "all events")
    took = time.monotonic() - t0
    got = sorted(ok_entries(), key=lambda e: e["t"])
    seqs = [e["seq"] for e in got]
    db = sqlite3.connect(os.path.join(tmp, "bw.db"))
    logseqs = {r[0] for r in db.execute("SELECT seq FROM events")}
    inorder = all(b >= a for a, b in zip(seqs, seqs[1:]))
    repeats = sum(1 for a, b in zip(seqs, seqs[1:]) if a == b)
    fails = sum(1 for e in entries() if e["outcome"].startswith("status"))
    late = sum(1 for e in got if e["outcome"] == "late-ok")
    bad_sig = sum(1 for e in got if e["sig"] != "ok")
    print("1. %d events, receiver failing 20%% at random and down %.0f s: "
          "%d distinct seqs received of %d in the log, in order: %s, repeats: %d "
          "(late answers to timed-out requests: %d), 500s answered: %d, "
          "bad signatures: %d, %.1f s in all"
          % (N, DOWN, len(set(seqs)), len(logseqs), "yes" if inorder else "NO",
             repeats, late, fails, bad_sig, took))
    ok1 = set(seqs) == logseqs and inorder and bad_sig == 0

    # 2. latency, healthy receiver, beside a socket subscriber
    with open(os.path.join(tmp, "ctl"), "w") as f:
        f.write('{"mode": "ok", "fail_rate": 0}')
    head = max(logseqs)
    sub_arr = {}
    tail = subprocess.Popen([os.path.join(B, "briefwatch"), "--socket", sock, "tail",
                             "--json", "--since", str(head)], stdout=subprocess.PIPE)
    procs.append(tail)

    def read_tail():
        for line in tail.stdout:
            now = time.time()
            ev = json.loads(line)
            if "seq" in ev and "stored" in ev:
                sub_arr[ev["seq"]] = now - stored_unix(ev)
    threading.Thread(target=read_tail, daemon=True).start()
    items = ""
    for i in range(LAT):
        items = ("<item><title>Lat %d</title><link>%s/l/%d.html</link><guid>l-%d</guid>"
                 "<description>x</description></item>\n" % (i, base, i, i)) + items
        with open(os.path.join(www, "lat.xml.tmp"), "w") as fh:
            fh.write('<?xml version="1.0"?><rss version="2.0"><channel><title>L</title>'
                     "<link>%s/</link><description>d</description>\n%s</channel></rss>\n"
                     % (base, items))
        os.rename(os.path.join(www, "lat.xml.tmp"), os.path.join(www, "lat.xml"))
        subprocess.run([os.path.join(B, "briefwatch"), "--socket", sock, "poll", "lat"],
                       stdout=subprocess.DEVNULL)
        time.sleep(0.05)
    wait_for(60, lambda: len([e for e in ok_entries() if e["seq"] > head]) >= LAT,
             "latency events at the receiver")
    wait_for(20, lambda: len(sub_arr) >= LAT, "latency events at the subscriber")
    hook_lat = [e["t"] - stored_unix(e["body"]) for e in ok_entries() if e["seq"] > head]
    sub_lat = list(sub_arr.values())
    print("2. latency stored -> received over %d single-briefing commits: webhook "
          "p50 %.1f ms p99 %.1f ms; socket subscriber p50 %.1f ms p99 %.1f ms"
          % (LAT, 1000 * pct(hook_lat, 50), 1000 * pct(hook_lat, 99),
             1000 * pct(sub_lat, 50), 1000 * pct(sub_lat, 99)))
    d.send_signal(signal.SIGTERM)
    d.wait(timeout=30)
    sys.exit(0 if ok1 else 1)
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    if os.environ.get("BENCH_KEEP") != "1":
        shutil.rmtree(tmp, ignore_errors=True)
