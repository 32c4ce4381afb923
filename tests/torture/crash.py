#!/usr/bin/env python3
"""kill -9 briefwatchd at random moments while it ingests a generated
corpus, restart it each time, then let it finish and check the end state.

    crash.py BUILD [--feeds N] [--items N] [--kills N] [--seed S]
                   [--check-every K] [--keep]

First, --startup-kills (5) rounds kill the daemon 0-30 ms after exec
(before and while it creates the database and its schema). Then each
round starts the daemon and kills it (SIGKILL) either a random time
after it started (0-2 s: start-up, schema, first polls, replay) or right
after the subscriber saw a random number of new events (mid-ingest, while
the next batches are being fetched and committed), plus 0-40 ms; in 15 %
of the rounds the kill comes 0-50 ms after a SIGTERM (during the clean
shutdown's last flush). Every
K-th kill the database is opened read-only and PRAGMA quick_check run on
the state the crash left. A subscriber (reconnecting with since = the last
seq it received) records every event throughout.

At the end, after one uninterrupted run until every item is stored and
the subscriber has caught up, then SIGTERM (exit 0 required):
  - every item stored exactly once: count == FEEDS*ITEMS, no duplicate URL,
    every generated URL present;
  - PRAGMA integrity_check = ok, FTS5 integrity-check of turns_fts and
    heads_fts;
  - event seq strictly increasing, exactly one briefing.new per briefing;
  - every event the subscriber received is in the log and names the stored
    briefing (id and URL); none received twice; the union of everything
    received across all reconnects equals the log (no gap).
Prints the figures as one "figures:" JSON line. Exit 0 on success, 1 on
a failed check.
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


def quick_check(db):
    if not os.path.exists(db):
        return "no database yet"
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return ",".join(r[0] for r in c.execute("PRAGMA quick_check"))
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--feeds", type=int, default=40)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--check-every", type=int, default=5)
    ap.add_argument("--startup-kills", type=int, default=5,
                    help="extra kills 0-30 ms after exec, first of all")
    ap.add_argument("--final-timeout", type=int, default=300)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="bw-crash.")
    www = os.path.join(tmp, "www")
    db = os.path.join(tmp, "bw.db")
    sock = os.path.join(tmp, "bw.sock")
    conf = os.path.join(tmp, "bw.conf")
    dlog = os.path.join(tmp, "daemon.log")
    os.makedirs(www)
    fx = h.Fixture(www, tmp)
    sub = None
    d = None
    t0 = time.monotonic()
    rc = 1
    try:
        build = h.snapshot_build(a.build, tmp)
        urls = h.generate(www, fx.base, a.feeds, a.items, a.seed)
        total = len(urls)
        h.write_config(conf, db, sock, fx.base, a.feeds)
        sub = h.Subscriber(sock)
        sub.start()
        r = h.rng("kills/%s" % a.seed)
        # Mid-ingest kills land after k new events, k uniform in [1, total/(2*kills)]:
        # most kills land mid-ingest, before the corpus is complete.
        step = max(2, total // max(1, 2 * a.kills))
        fig = {"kills": 0, "kills_by_time": 0, "kills_mid_ingest": 0,
               "kills_during_shutdown": 0,
               "quick_checks": 0, "heads_at_kill": []}
        # Kills right at start-up, before and while the schema is created
        # (the database does not exist before the first of them).
        fig["startup_kills"] = fig["startup_kills_db_absent"] = 0
        for k in range(a.startup_kills):
            d = h.Daemon(build, conf, dlog)
            deadline = time.monotonic() + r.uniform(0.0, 0.03)
            while time.monotonic() < deadline and d.alive():
                time.sleep(0.001)
            if not d.alive():
                raise h.Failure("daemon died by itself at start-up (exit %s)"
                                % d.proc.returncode)
            d.kill9()
            d = None
            fig["startup_kills"] += 1
            fig["startup_kills_db_absent"] += not os.path.exists(db)
        for k in range(a.kills):
            d = h.Daemon(build, conf, dlog)
            start_seq = sub.seq()
            if start_seq >= total or r.random() < 0.25:
                delay = r.uniform(0.0, 2.0)
                deadline = time.monotonic() + delay
                while time.monotonic() < deadline and d.alive():
                    time.sleep(0.01)
                fig["kills_by_time"] += 1
            else:
                target = start_seq + r.randint(1, step)
                # Generous limit: a loaded machine or a sanitizer build
                # is slow; hitting it only turns this into a timed kill.
                sub.wait_seq(target, 60)
                time.sleep(r.uniform(0, 0.04))
                fig["kills_mid_ingest"] += 1
            if not d.alive():
                raise h.Failure("daemon died by itself (exit %s) in round %d"
                                % (d.proc.returncode, k))
            if r.random() < 0.15:
                # Killed during its clean shutdown (the last flush, closing
                # clients and transfers).
                os.kill(d.pid, signal.SIGTERM)
                deadline = time.monotonic() + r.uniform(0, 0.05)
                while time.monotonic() < deadline and d.alive():
                    time.sleep(0.002)
                fig["kills_during_shutdown"] += 1
            rcd = d.kill9()
            d = None
            # (-SIGTERM: the signal came before the handlers were set up.)
            if rcd not in (0, -signal.SIGKILL, -signal.SIGTERM):
                raise h.Failure("round %d: the daemon exited %d" % (k, rcd))
            fig["kills"] += 1
            fig["heads_at_kill"].append(sub.seq())
            if a.check_every and (k + 1) % a.check_every == 0:
                qc = quick_check(db)
                if qc not in ("ok", "no database yet"):
                    raise h.Failure("quick_check after kill %d: %s" % (k + 1, qc))
                fig["quick_checks"] += 1
        killed_at = sub.seq()
        # The final, uninterrupted run.
        t1 = time.monotonic()
        d = h.Daemon(build, conf, dlog)
        if not sub.wait_seq(total, a.final_timeout):
            raise h.Failure("final run: subscriber at seq %d of %d after %ds"
                            % (sub.seq(), total, a.final_timeout))
        # Nothing still queued (a stray update would show up as an event).
        h.wait_for(60, lambda: h.idle(sock, total), "the daemon to go idle")
        fig["final_run_s"] = round(time.monotonic() - t1, 1)
        rcd = d.term()
        d = None
        if rcd != 0:
            raise h.Failure("daemon exited %d on SIGTERM" % rcd)
        sub.stop()
        dbf = h.check_database(db, urls)
        received = h.check_received(sub, dbf, db)
        fig.update({
            "corpus": total, "feeds": a.feeds, "items_per_feed": a.items,
            "stored_before_final_run": killed_at, "briefings": dbf["briefings"],
            "turns": dbf["turns"], "events": dbf["events"],
            "events_received": received,
            "subscriber_connections": sub.connections,
            "partial_lines_at_kill": sub.partial_lines,
            "seconds": round(time.monotonic() - t0, 1),
        })
        with open(dlog, "rb") as fh:
            fig["daemon_starts"] = fh.read().count(b" feeds, database ")
        heads = fig.pop("heads_at_kill")
        fig["kills_with_progress"] = sum(
            1 for a_, b_ in zip([0] + heads, heads) if b_ > a_)
        print("ok - %d kills (%d mid-ingest), %d briefings stored once, "
              "integrity and FTS checks pass, %d events received over %d "
              "connections with no gap" % (fig["kills"], fig["kills_mid_ingest"],
                                           total, received, sub.connections))
        print("figures: " + json.dumps(fig, sort_keys=True))
        rc = 0
    except Exception as e:  # noqa: BLE001 - any failure is reported alike
        print("FAIL: %s: %s" % (type(e).__name__, e))
        print("(temp dir: %s)" % tmp)
        a.keep = True
        try:
            with open(dlog, errors="replace") as fh:
                print("--- daemon log (tail)")
                print("".join(fh.readlines()[-30:]))
        except OSError:
            pass
    finally:
        if d is not None:
            d.kill9()
        if sub is not None:
            sub.stop()
        fx.stop()
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
