#!/usr/bin/env python3
"""The learned schedule inside the running daemon, and schedule-sim
(issue 26).

Real parts only: tests/fixtures/server.py on 127.0.0.1, the real
briefwatchd and CLI, a real SQLite file. Checks read what the daemon
decided (`status --json`, `feeds`, `metrics`, the feed_sched table), never
how long something took.

1. A feed whose first poll shows six weeks of items dated on weekdays
   14:00-22:00 UTC: the daemon learns them (schedule "learned", busy hours
   "Mon-Fri 14-22 UTC"), stores the pattern, reads the feed's <ttl> and
   <skipHours>, and places the next poll within max_interval.
2. A new item dated two minutes ago: its detection delay lands in the
   histogram (status and Prometheus metrics).
3. Restarted with the feed gone (404), the daemon still knows the pattern:
   it came from the database.
4. The config keys: schedule and respect_hints accept their values and
   refuse others with a clear message.
5. schedule-sim on a generated timeline: the summary line, --json, and
   clear errors for bad input.

Usage: test_schedule.py [BUILD_DIR]   (exit 0 pass, 1 fail)
"""
import email.utils
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

SRCDIR = os.environ.get("SRCDIR") or os.path.realpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
B = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else
                     os.environ.get("B", os.path.join(SRCDIR, "build")))
sys.path.insert(0, os.path.join(SRCDIR, "tests", "integration"))
import common  # noqa: E402
from common import fail, wait_for  # noqa: E402

TMP = tempfile.mkdtemp(prefix="bw-schedule-")
WWW = os.path.join(TMP, "www")


def cleanup():
    common.reap()
    shutil.rmtree(TMP, ignore_errors=True)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok - " + msg)


def cli(*args, sock=None):
    argv = [B + "/briefwatch"] + (["--socket", sock] if sock else []) + \
        list(args)
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


# ---- the feed -----------------------------------------------------------------

NOW = int(time.time())
DAY = 86400


def office_times(weeks, per_day=6):
    """Weekday items between 14:00 and 22:00 UTC, newest first."""
    out = []
    day0 = NOW - NOW % DAY - weeks * 7 * DAY
    for d in range(weeks * 7):
        start = day0 + d * DAY
        if time.gmtime(start).tm_wday >= 5:
            continue
        for k in range(per_day):
            out.append(start + 14 * 3600 + k * 4800 + (d * 977) % 4800)
    return sorted((t for t in out if t < NOW - 3600), reverse=True)


def write_feed(times, name="office.xml"):
    items = "".join(
        "<item><title>Item %d</title><link>http://example.org/%d</link>"
        "<guid>id-%d</guid><pubDate>%s</pubDate></item>\n"
        % (t, t, t, email.utils.formatdate(t, usegmt=True)) for t in times)
    body = ("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
            "<title>Office</title><link>http://example.org/</link>"
            "<ttl>20</ttl><skipHours><hour>3</hour></skipHours>\n%s"
            "</channel></rss>\n" % items)
    path = os.path.join(WWW, name)
    with open(path + ".tmp", "w") as fh:
        fh.write(body)
    os.rename(path + ".tmp", path)


class Daemon:
    def __init__(self, name, conf):
        self.conf = os.path.join(TMP, name + ".conf")
        self.sock = os.path.join(TMP, "d.sock")
        self.db = os.path.join(TMP, "d.db")
        self.log = os.path.join(TMP, name + ".log")
        with open(self.conf, "w") as fh:
            fh.write(conf.replace("{DB}", self.db).replace("{SOCK}",
                                                           self.sock))
        common.log = self.log
        self.proc = common.start_daemon(B, self.conf, "--foreground", mode="w",
                                        stdout=subprocess.DEVNULL)
        common.wait_socket(self.sock, self.proc)

    def feed(self, name):
        r = cli("status", "--json", sock=self.sock)
        if r.returncode != 0:
            fail("status: " + r.stderr)
        for f in json.loads(r.stdout)["feeds"]:
            if f["name"] == name:
                return f
        fail("no feed " + name)

    def polled(self, name, n):
        return wait_for(20, lambda: (lambda f: f if f["polls"] >= n else None)(
            self.feed(name)), "%s: %d polls" % (name, n))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        if self.proc.wait(timeout=20) != 0:
            fail("daemon exit status %d" % self.proc.returncode)
        if os.path.exists(self.sock):
            os.unlink(self.sock)


def main():
    os.makedirs(WWW)
    base = common.start_fixture_server(WWW, os.path.join(TMP, "port"))

    # 1. learning from the first poll
    times = office_times(6)
    write_feed(times)
    conf = """[daemon]
database = {DB}
socket = {SOCK}
allow_private = yes
fetch_pages = no
interval = 15m
%s
[feed office]
url = %s/office.xml
"""
    d = Daemon("first", conf % ("", base))
    f = d.polled("office", 1)
    check(f["state"] == "ok", "first poll ok: %s" % f["last_result"])
    check(f["items_learned"] == len(times),
          "all %d dated items learned (%r)" % (len(times), f["items_learned"]))
    check(f["schedule"] == "learned", "schedule learned (%r)" % f["schedule"])
    check(f["busy_hours"] == "Mon-Fri 14-22 UTC",
          "busy hours %r" % f["busy_hours"])
    check(0 < f["next_poll_unix"] - f["last_poll_unix"] <= 3600,
          "next poll within max_interval (default 1 h)")
    check(f["hints"].get("min_interval_s") == 1200 and
          f["hints"].get("skip_hours_mask") == 8,
          "ttl and skipHours read: %r" % f["hints"])
    check(f["detection_delay"]["count"] == 0,
          "the first poll's history is not a detection delay")
    check(f["booked_polls_utc"] == [],
          "no release by the clock, no booked poll: %r"
          % f["booked_polls_utc"])
    con = sqlite3.connect("file:%s?mode=ro" % d.db, uri=True, timeout=10)
    row = con.execute("SELECT state FROM feed_sched WHERE feed = 'office'"
                      ).fetchone()
    con.close()
    check(row is not None and json.loads(row[0])["n"] == len(times),
          "pattern stored in feed_sched")
    r = cli("status", sock=d.sock)
    check(r.returncode == 0 and "busy Mon-Fri 14-22 UTC (learned)" in
          r.stdout, "status shows the busy hours: %r" % r.stdout)

    # 2. a new item: its detection delay
    times.insert(0, int(time.time()) - 120)
    write_feed(times)
    r = cli("poll", "office", sock=d.sock)
    check(r.returncode == 0, "poll accepted")
    f = d.polled("office", 2)
    h = f["detection_delay"]
    le = h["le_s"]
    check(h["count"] == 1 and h["cumulative"][le.index(60)] == 0 and
          h["cumulative"][le.index(300)] == 1,
          "detection delay of ~2 min in the histogram: %r" % h)
    r = cli("metrics", sock=d.sock)
    check(r.returncode == 0 and
          'briefwatch_feed_detection_delay_seconds_bucket{feed="office",'
          'le="300"} 1' in r.stdout and
          'briefwatch_feed_detection_delay_seconds_count{feed="office"} 1'
          in r.stdout, "metrics export the histogram")
    d.stop()

    # 3. restart with the feed gone: the pattern comes from the database
    os.unlink(os.path.join(WWW, "office.xml"))
    d = Daemon("again", conf % ("", base))
    f = d.feed("office")
    check(f["items_learned"] == len(times) and f["schedule"] == "learned",
          "pattern loaded from the database after a restart: %r"
          % f["items_learned"])
    d.stop()
    # a feed's own schedule wins over the daemon's, both ways
    for daemon_extra, feed_extra, want in (
            ("", "schedule = fixed\n", "fixed"),
            ("schedule = fixed", "schedule = adaptive\n", "learned"),
            ("schedule = fixed", "", "fixed")):
        d = Daemon("own", conf % (daemon_extra, base) + feed_extra)
        f = d.feed("office")
        check(f["schedule"] == want and f["items_learned"] == len(times),
              "[daemon] %r, [feed] %r: schedule %r" % (
                  daemon_extra, feed_extra.strip(), f["schedule"]))
        d.stop()

    # 3b. a publisher that also releases at 04:01 UTC every day: a poll
    # is booked just after it (and shown), kept across a restart
    day0 = NOW - NOW % DAY - 6 * 7 * DAY
    clock = [day0 + d * DAY + 4 * 3600 + 60 + (d * 7) % 50
             for d in range(6 * 7)]
    write_feed(sorted(office_times(6) + [t for t in clock if t < NOW - 60],
                      reverse=True), "embargo.xml")
    econf = conf % ("", base) + "[feed embargo]\nurl = %s/embargo.xml\n" % base
    d = Daemon("embargo", econf)
    f = d.polled("embargo", 1)
    check(f["schedule"] == "learned" and
          f["booked_polls_utc"] == ["04:02:30"],
          "releases at 04:01 book a poll at 04:02:30 UTC: %r"
          % f["booked_polls_utc"])
    d.stop()
    os.unlink(os.path.join(WWW, "embargo.xml"))
    d = Daemon("embargo2", econf)
    f = d.feed("embargo")
    check(f["booked_polls_utc"] == ["04:02:30"],
          "the booked poll comes back from the database: %r"
          % f["booked_polls_utc"])
    d.stop()

    # 4. config keys
    for extra, good in (("schedule = fixed\nrespect_hints = yes", True),
                        ("schedule = adaptive\nrespect_hints = no", True),
                        ("schedule = sometimes", False),
                        ("respect_hints = maybe", False)):
        path = os.path.join(TMP, "check.conf")
        with open(path, "w") as fh:
            fh.write(conf.replace("{DB}", d.db).replace("{SOCK}", d.sock)
                     % (extra, base))
        r = subprocess.run([B + "/briefwatchd", "--check-config", "--config",
                            path], capture_output=True, text=True)
        key = extra.split()[0]
        check((r.returncode == 0) == good and
              (good or key in r.stderr),
              "config %r %s" % (extra, "accepted" if good else
                                "refused: " + r.stderr.strip()))

    # 5. schedule-sim
    tl = os.path.join(TMP, "timeline.json")
    with open(tl, "w") as fh:
        json.dump([{"published": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                               time.gmtime(t))}
                   for t in office_times(12)], fh)
    r = cli("schedule-sim", tl, "--interval", "15m")
    last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    m = re.fullmatch(r"freshness: median_s=(\d+) p90_s=(\d+) max_s=(\d+) "
                     r"polls_per_day=([\d.]+)", last)
    check(r.returncode == 0 and m is not None, "schedule-sim summary %r"
          % last)
    check(float(m.group(4)) <= 96 and int(m.group(3)) <= 3600,
          "within budget and max_interval: %s" % last)
    fx = cli("schedule-sim", tl, "--interval", "15m", "--schedule", "fixed")
    fm = re.search(r"median_s=(\d+)", fx.stdout)
    check(fx.returncode == 0 and int(m.group(1)) < int(fm.group(1)),
          "learned median %s s beats fixed %s s" % (m.group(1), fm.group(1)))
    r = cli("schedule-sim", tl, "--interval", "7m30s", "--json")
    j = json.loads(r.stdout)
    check(r.returncode == 0 and j["interval_s"] == 450 and
          len(j["items"]) + j["history"] == len(office_times(12)),
          "schedule-sim --json")
    # --from takes a day (00:00 UTC) as DATE does elsewhere: the same
    # replay as the same instant spelled in full
    times = office_times(12)
    day = time.strftime("%Y-%m-%d", time.gmtime(times[len(times) // 2]))
    a = cli("schedule-sim", tl, "--interval", "15m", "--from", day)
    b = cli("schedule-sim", tl, "--interval", "15m", "--from",
            day + "T00:00:00Z")
    check(a.returncode == 0 and a.stdout == b.stdout and
          "freshness:" in a.stdout,
          "schedule-sim --from %s: %r" % (day, a.stderr.strip()))
    bad = os.path.join(TMP, "bad.json")
    with open(bad, "w") as fh:
        fh.write('[{"published": "yesterday-ish"}]')
    for argv, rc, words in (
            ([tl, "--interval", "soon"], 2, "not a duration"),
            ([tl, "--from", "someday"], 2, "not a date"),
            ([os.path.join(TMP, "missing.json")], 1, "missing.json"),
            ([bad], 1, "item 0"),
            ([], 2, "TIMELINE")):
        r = cli("schedule-sim", *argv)
        check(r.returncode == rc and words in r.stderr and
              len(r.stderr.strip().splitlines()) == 1,
              "schedule-sim %s: exit %d, %r" % (argv, r.returncode,
                                                r.stderr.strip()))
    cleanup()
    print("PASS")


if __name__ == "__main__":
    try:
        main()
    finally:
        cleanup()
