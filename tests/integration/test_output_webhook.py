#!/usr/bin/env python3
"""Webhook outputs against real local receivers (tests/fixtures/
webhook_recv.py): 400 events through a receiver that fails 20 % at random,
drops connections, delays, and a kill -9 of the daemon while a delivery is
in flight: every event received, in order, signed, with the idempotency
key; repeats only of the request in flight at a failure, counted. Then a
4xx stops the output until `briefwatch output retry`, 503s make it
`failing` until its next success, a 429's Retry-After is honoured, and a
second output (slack format, filtered) is unaffected by the first one's
receiver. Real parts: fixture HTTP server, briefwatchd, SQLite, Unix
socket, HTTP receivers.

    test_output_webhook.py BUILD_DIR
"""
import json
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import time

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import common  # noqa: E402
from common import fail, wait_for  # noqa: E402

FEEDS = 4
PER = 100
N = FEEDS * PER
tmp = tempfile.mkdtemp(prefix="bw-owh-")
common.log = os.path.join(tmp, "daemon.log")


def start_receiver(name, *extra, port=0):
    pf = os.path.join(tmp, name + ".port")
    return common.start_with_port(
        [sys.executable, os.path.join(SRC, "tests/fixtures/webhook_recv.py"),
         "--port", str(port), "--port-file", pf,
         "--log", os.path.join(tmp, name + ".log")] + list(extra),
        pf, "receiver " + name, stderr=os.path.join(tmp, name + ".err"))


def entries(name):
    return common.read_jsonl(os.path.join(tmp, name + ".log"))


def received(name):
    return [e for e in entries(name) if e["outcome"] in ("ok", "late-ok")]


def set_control(mode, **kw):
    kw["mode"] = mode
    with open(os.path.join(tmp, "ctl.tmp"), "w") as f:
        json.dump(kw, f)
    os.rename(os.path.join(tmp, "ctl.tmp"), os.path.join(tmp, "ctl"))


def cli(*args):
    return common.cli(B, sock, *args)


def output_status(name):
    r = cli("status", "--json")
    if r.returncode:
        return {}
    for o in json.loads(r.stdout).get("outputs", []):
        if o["name"] == name:
            return o
    return {}


def start_daemon():
    d = common.start_daemon(B, conf)
    common.wait_answers(B, sock)
    return d


def add_item(feed, tag):
    path = os.path.join(www, "f%d.xml" % feed)
    with open(path) as f:
        text = f.read()
    item = ("<item><title>Extra %s</title><link>%s/x/%s.html</link><guid>x-%s</guid>"
            "<description>Added later.</description></item>\n" % (tag, base, tag, tag))
    text = text.replace("</channel>", item + "</channel>")
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)
    r = cli("poll", "f%d" % feed)
    if r.returncode:
        fail("poll f%d: %s" % (feed, r.stderr))


try:
    B = common.copy_binaries(B, tmp)
    www = os.path.join(tmp, "www", "feeds")
    os.makedirs(www)
    base = common.start_fixture_server(os.path.join(tmp, "www"), os.path.join(tmp, "port"))
    for f in range(FEEDS):
        items = "".join(
            "<item><title>Briefing %d-%d &amp; more</title><link>%s/b/%d/%d.html</link>"
            "<guid>b-%d-%d</guid><pubDate>Mon, 02 Nov 2026 10:%02d:%02d GMT</pubDate>"
            "<description>Remarks on sanctions, number %d.</description></item>\n"
            % (f, i, base, f, i, f, i, i // 60 % 60, i % 60, i) for i in range(PER))
        with open(os.path.join(www, "f%d.xml" % f), "w") as fh:
            fh.write(common.rss("F%d" % f, items, base))
    with open(os.path.join(tmp, "secret"), "w") as f:
        f.write("s3cret-for-tests\n")
    hook, hport = start_receiver("hook", "--secret-file", os.path.join(tmp, "secret"),
                                 "--control", os.path.join(tmp, "ctl"),
                                 "--fail-rate", "0.2", "--seed", "3")
    slack, sport = start_receiver("slack")
    teams, tport = start_receiver("teams")
    sock = os.path.join(tmp, "bw.sock")
    conf = os.path.join(tmp, "bw.conf")
    with open(conf, "w") as fh:
        fh.write(common.daemon_section(tmp + "/bw.db", sock, fetch_pages="no", interval="1h"))
        for f in range(FEEDS):
            fh.write("[feed f%d]\nurl = %s/feeds/f%d.xml\n" % (f, base, f))
        fh.write("[output hook]\ntype = webhook\nurl = http://127.0.0.1:%d/in\n"
                 "secret_file = %s/secret\norigin = newsroom\nstart = beginning\n"
                 "timeout = 1s\nbackoff = 50ms\nmax_backoff = 500ms\nmax_attempts = 6\n"
                 % (hport, tmp))
        fh.write("[output chat]\ntype = webhook\nformat = slack\nurl = http://127.0.0.1:%d/\n"
                 "feeds = f1\nevents = briefing.new\nstart = beginning\n" % sport)
        fh.write("[output card]\ntype = webhook\nformat = teams\nurl = http://127.0.0.1:%d/\n"
                 "feeds = f2\nkinds = other\nstart = beginning\n" % tport)
    set_control("ok")
    d = start_daemon()

    # Misbehaviour while the backlog flows: dropped connections, slow
    # answers, then a kill -9 while a request is held by the receiver.
    wait_for(30, lambda: len(received("hook")) >= 60, "60 deliveries")
    set_control("drop")
    time.sleep(0.5)
    set_control("delay", delay=0.2)
    time.sleep(0.5)
    set_control("ok")
    wait_for(30, lambda: len(received("hook")) >= 150, "150 deliveries")
    set_control("delay", delay=2.5)
    time.sleep(0.6)  # a request is now held by the receiver
    d.send_signal(signal.SIGKILL)
    d.wait()
    set_control("ok")
    d = start_daemon()

    db = sqlite3.connect(os.path.join(tmp, "bw.db"))
    allseqs = [r[0] for r in db.execute("SELECT seq FROM events ORDER BY seq")]
    if len(allseqs) != N:
        wait_for(20, lambda: db.execute("SELECT count(*) FROM events").fetchone()[0] == N,
                 "%d events in the log" % N)
        allseqs = [r[0] for r in db.execute("SELECT seq FROM events ORDER BY seq")]
    wait_for(40, lambda: set(allseqs) <= {e["seq"] for e in received("hook")},
             "every event at the receiver")
    time.sleep(3)  # the held request answers late; nothing else may come
    got = sorted(received("hook"), key=lambda e: e["t"])
    seqs = [e["seq"] for e in got]
    repeats = 0
    for a, b in zip(seqs, seqs[1:]):
        if b < a:
            fail("seq %d arrived after %d: out of order" % (b, a))
        if b == a:
            repeats += 1
    if set(seqs) != set(allseqs):
        fail("receiver has %d distinct seqs, the log %d" % (len(set(seqs)), len(allseqs)))
    fails = [e for e in entries("hook") if e["outcome"] not in ("ok", "late-ok")]
    late = [e for e in got if e["outcome"] == "late-ok"]
    # A repeat is an event whose request was in flight when the daemon
    # gave up on it (timeout, late answer) or was killed: at most the
    # late answers, plus the one held across the kill.
    if repeats > len(late) + 1:
        fail("%d repeats but only %d requests were in flight at a failure" %
             (repeats, len(late) + 1))
    # Each repeated seq is one whose request was answered late (in flight
    # when the daemon gave up on it or was killed).
    late_seqs = {e["seq"] for e in late}
    rep_seqs = {a for a, b in zip(seqs, seqs[1:]) if a == b}
    if not rep_seqs <= late_seqs:
        fail("repeats of seqs %s that were not in flight" % sorted(rep_seqs - late_seqs))
    if any(e["sig"] != "ok" for e in got):
        fail("a request without a valid signature")
    if any(e["key"] != "newsroom/%d" % e["seq"] for e in got):
        fail("an Idempotency-Key is not ORIGIN/SEQ")
    if any(e["body"]["seq"] != e["seq"] for e in got):
        fail("a json body is not the event line of its seq")
    print("ok - %d events delivered in order, %d distinct, %d repeats (%d late answers, "
          "1 kill -9 mid-delivery), %d failed attempts (500, dropped)" %
          (len(got), len(set(seqs)), repeats, len(late), len(fails)))

    # The slack output: only f1's new briefings, slack-formatted.
    f1 = [r[0] for r in db.execute("SELECT seq FROM events WHERE feed = 'f1' ORDER BY seq")]
    wait_for(20, lambda: [e["seq"] for e in received("slack")] == f1, "f1's events at chat")
    b0 = received("slack")[0]["body"]
    if not b0["text"].startswith("*<%s/b/1/" % base) or "&amp; more>*" not in b0["text"]:
        fail("slack body: %r" % b0)
    print("ok - the slack output got exactly f1's %d events, formatted" % len(f1))
    f2 = [r[0] for r in db.execute("SELECT seq FROM events WHERE feed = 'f2' ORDER BY seq")]
    wait_for(20, lambda: [e["seq"] for e in received("teams")] == f2, "f2's events at card")
    c0 = received("teams")[0]["body"]
    if c0.get("@type") != "MessageCard" or not c0["title"].startswith("Briefing 2-") or \
            not c0["potentialAction"][0]["targets"][0]["uri"].startswith(base + "/b/2/"):
        fail("teams body: %r" % c0)
    print("ok - the teams output got exactly f2's %d events as MessageCards" % len(f2))

    # A 4xx stops the output with the reason; retry resumes it.
    set_control("status", status=404)
    add_item(1, "a")
    wait_for(10, lambda: output_status("hook").get("state") == "stopped", "hook stopped")
    st = output_status("hook")
    if "404" not in st.get("last_error", ""):
        fail("stopped without the reason: %r" % st)
    wait_for(10, lambda: len(received("slack")) == len(f1) + 1,
             "the slack output to go on while hook is stopped")
    set_control("ok")
    n = len(received("hook"))
    time.sleep(1.0)
    if len(received("hook")) != n:
        fail("a stopped output delivered without `output retry`")
    r = cli("output", "retry", "hook")
    if r.returncode or "retrying" not in r.stdout:
        fail("output retry: %s %s" % (r.stdout, r.stderr))
    wait_for(10, lambda: len(received("hook")) == n + 1, "delivery after retry")
    r = cli("output", "retry", "nosuch")
    if r.returncode == 0:
        fail("output retry of an unknown output succeeded")
    print("ok - a 404 stopped the output (%s); `output retry` resumed it" % st["last_error"])

    # 503s: retried max_attempts times, then failing; resumes on success.
    set_control("status", status=503)
    add_item(0, "b")
    wait_for(15, lambda: output_status("hook").get("state") == "failing", "hook failing")
    m = cli("metrics")
    if 'briefwatch_output_failing{output="hook"} 1' not in m.stdout:
        fail("metrics do not show the failing output:\n" + m.stdout)
    set_control("ok")
    wait_for(10, lambda: len(received("hook")) == n + 2, "delivery after failing")
    wait_for(5, lambda: output_status("hook").get("state") == "ok", "hook ok again")
    print("ok - 503s made the output failing; its next success resumed it")

    # 429 with Retry-After: 2 — the next attempt waits for it.
    set_control("status", status=429, retry_after=2)
    add_item(0, "c")
    wait_for(10, lambda: any(e["outcome"] == "status:429" for e in entries("hook")), "a 429")
    set_control("ok")
    wait_for(10, lambda: len(received("hook")) == n + 3, "delivery after 429")
    es = entries("hook")
    t429 = [e["t"] for e in es if e["outcome"] == "status:429"][-1]
    tok = received("hook")[-1]["t"]
    if tok - t429 < 1.9:
        fail("retried %.2f s after a 429 with Retry-After: 2" % (tok - t429))
    print("ok - Retry-After: 2 honoured (next attempt after %.2f s)" % (tok - t429))
    common.stop_daemon(d, timeout=20)
finally:
    common.reap()
    shutil.rmtree(tmp, ignore_errors=True)
