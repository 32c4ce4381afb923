#!/usr/bin/env python3
"""The disk fills up in the middle of an ingest; then space returns.

    diskfull.py BUILD [--mode tmpfs|rlimit] [--items N] [--keep]

--mode tmpfs (needs root and mount(2)): the database lives on a small
    tmpfs; a ballast file takes every free byte, so SQLite's writes fail
    with ENOSPC (SQLITE_FULL). Space returns when the ballast is deleted.
--mode rlimit: RLIMIT_FSIZE of the running daemon is lowered to the
    current size of its database files (prlimit(2) on its pid), so any
    growth fails with EFBIG and the kernel sends SIGXFSZ, whose default
    action kills the process: the daemon must ignore it. Space returns when
    the limit is lifted.

Phase A, resume by itself:
  1. two feeds of 5 items each are ingested (10 briefings);
  2. the disk fills; feed d00 publishes N more items and is polled;
  3. asserted while full (256 KiB are left, so the first small batches
     may still fit): `status` says "degraded", the daemon keeps answering,
     not all items are stored, none is announced that is not stored, and
     d00's stored validators (feeds.etag, feeds.last_modified) are
     unchanged;
  4. space returns, no command given: the daemon stores everything by
     itself, status returns to "running", d00's validators now match the
     feed, and a re-poll is answered 304.
Phase B, stopped while full:
  5. the disk fills again, d00 publishes more, is polled, degraded; the
     daemon is stopped (SIGTERM, exit 0) with the write still failing;
  6. space returns, the daemon starts again: its first request for d00
     carries the validators from before the disk filled and is answered
     200 (not 304), and every item is stored.
Phase C, killed while full: as B, but the daemon gets SIGKILL instead of
  SIGTERM while its writes fail.
Throughout: the daemon never died by itself, PRAGMA integrity_check and the FTS
integrity-check pass, one event per briefing, and a reconnecting
subscriber received every event, none that is not stored.
"""
import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

RLIMIT_FSIZE = 1


def feed_state(db, name):
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return c.execute("SELECT etag, last_modified FROM feeds WHERE name=?",
                         (name,)).fetchone()
    finally:
        c.close()


def stored(db):
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return c.execute("SELECT count(*) FROM briefings").fetchone()[0]
    finally:
        c.close()


class Space:
    """Takes the free space away and gives it back."""

    def __init__(self, mode, fsdir, slack):
        self.mode = mode
        self.slack = slack
        self.fsdir = fsdir
        self.ballast = os.path.join(fsdir, "ballast")
        self.pid = None

    def fill(self, pid):
        self.pid = pid
        if self.mode == "tmpfs":
            fd = os.open(self.ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            try:
                for size in (1 << 20, 65536, 4096, 512, 1):
                    block = b"\0" * size
                    try:
                        while True:
                            os.write(fd, block)
                    except OSError:
                        pass
                # Leave slack bytes: the disk fills up during the ingest,
                # after the first small writes succeeded.
                size = os.fstat(fd).st_size
                os.ftruncate(fd, max(0, size - self.slack))
            finally:
                os.close(fd)
            st = os.statvfs(self.fsdir)
            return st.f_bavail * st.f_frsize
        size = max(os.path.getsize(os.path.join(self.fsdir, f))
                   for f in os.listdir(self.fsdir)) + self.slack
        subprocess.run(["prlimit", "--pid", str(pid),
                        "--fsize=%d:unlimited" % size], check=True)
        return size

    def free(self):
        if self.mode == "tmpfs":
            os.unlink(self.ballast)
        elif os.path.exists("/proc/%d" % self.pid):
            # (A daemon stopped while full took its limit with it.)
            subprocess.run(["prlimit", "--pid", str(self.pid),
                            "--fsize=unlimited"], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--mode", choices=("tmpfs", "rlimit"), default="tmpfs")
    ap.add_argument("--items", type=int, default=150)
    ap.add_argument("--fs-mb", type=int, default=48)
    ap.add_argument("--slack-kb", type=int, default=256,
                    help="room left when the disk 'fills': small writes "
                    "still succeed, the ingest's batches run out of it")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--ignore-sigxfsz", action="store_true",
                    help="start the daemon with SIGXFSZ already ignored "
                    "(what main.c should do itself)")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="bw-diskfull.")
    fsdir = os.path.join(tmp, "fs")
    os.makedirs(fsdir)
    mounted = False
    if a.mode == "tmpfs":
        r = subprocess.run(["mount", "-t", "tmpfs", "-o",
                            "size=%dm,mode=0755" % a.fs_mb, "tmpfs", fsdir],
                           capture_output=True)
        if r.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            print("cannot mount a tmpfs here (%s)" % r.stderr.decode().strip())
            return 77
        mounted = True
    elif shutil.which("prlimit") is None:
        shutil.rmtree(tmp, ignore_errors=True)
        print("prlimit(1) is missing")
        return 77
    www = os.path.join(tmp, "www")
    db = os.path.join(fsdir, "bw.db")
    sock = os.path.join(tmp, "bw.sock")
    conf = os.path.join(tmp, "bw.conf")
    dlog = os.path.join(tmp, "daemon.log")
    os.makedirs(www)
    fx = h.Fixture(www, tmp)
    space = Space(a.mode, fsdir, a.slack_kb * 1024)
    sub = d = None
    rc = 1
    fig = {"mode": a.mode}
    t0 = time.monotonic()
    try:
        build = h.snapshot_build(a.build, tmp)
        cli = [os.path.join(build, "briefwatch"), "--socket", sock, "--db", db]

        preexec = None
        if a.ignore_sigxfsz:
            def preexec():
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

        def start():
            return h.Daemon(build, conf, dlog, preexec=preexec)

        def until(timeout, fn, what):
            def cond():
                if not d.alive():
                    raise h.Failure("the daemon died (exit %s) waiting for %s"
                                    % (d.proc.returncode, what))
                return fn()
            return h.wait_for(timeout, cond, what)

        def cli_state():
            # What an operator sees: `briefwatch status --json`.
            r = subprocess.run(cli + ["status", "--json"], capture_output=True)
            try:
                return json.loads(r.stdout).get("state") if r.returncode == 0 else None
            except ValueError:
                return None

        def publish(n_d00):
            return h.generate(www, fx.base, 1, n_d00, "df", prefix="d")

        def poll(feed):
            subprocess.run(cli + ["poll", feed], check=True,
                           stdout=subprocess.DEVNULL)

        def d00_requests():
            return fx.requests("/feeds/d00.xml")

        urls_d01 = h.generate(www, fx.base, 2, 5, "df", prefix="d")[5:]
        urls = publish(5) + urls_d01
        h.write_config(conf, db, sock, fx.base, 2, prefix="d")
        sub = h.Subscriber(sock)
        sub.start()
        d = start()
        if not sub.wait_seq(10, 120):
            raise h.Failure("the first 10 briefings were not announced")
        h.wait_for(60, lambda: h.idle(sock, 10), "the first polls to finish")

        for phase in ("A", "B", "C"):
            before = feed_state(db, "d00")
            head = sub.seq()
            if before is None or not before[0]:
                raise h.Failure("phase %s: feed d00 has no stored ETag" % phase)
            left = space.fill(d.pid)
            fig["phase_%s_%s" % (phase, "free_bytes" if a.mode == "tmpfs"
                                  else "fsize_limit")] = left
            n_d00 = 5 + a.items * "_ABC".index(phase)
            urls = publish(n_d00) + urls_d01
            nreq = len(d00_requests())
            poll("d00")
            until(120, lambda: cli_state() == "degraded",
                       "phase %s: status to say degraded" % phase)
            if not d.alive():
                raise h.Failure("phase %s: the daemon died (exit %s)"
                                % (phase, d.proc.returncode))
            reqs = d00_requests()[nreq:]
            if not reqs or reqs[0][0] != "200":
                raise h.Failure("phase %s: d00 was not fetched (200): %s" % (phase, reqs))
            # While full: still serving, nothing stored, validators kept.
            st = h.status(sock)
            if st is None or st.get("head") > stored(db):
                raise h.Failure("phase %s: status while full: %s" % (phase, st))
            if feed_state(db, "d00") != before:
                raise h.Failure("phase %s: d00's validators advanced while the "
                                "disk was full: %s -> %s"
                                % (phase, before, feed_state(db, "d00")))
            # Some small batches may have fit in the slack; the rest wait.
            announced = sub.seq()
            n = stored(db)
            if n >= len(urls) or announced > n:
                raise h.Failure("phase %s: %d stored, %d announced, of %d, "
                                "while full" % (phase, n, announced, len(urls)))
            fig["phase_%s_stored_before_full" % phase] = n - head
            q = subprocess.run(cli + ["search", "alliance", "--json"],
                               capture_output=True)
            if q.returncode != 0:
                raise h.Failure("phase %s: search failed while full: %s"
                                % (phase, q.stderr.decode()))
            # A second feed's poll joins the failing queue and must not
            # disturb anything.
            poll("d01")
            total = len(urls)
            if phase == "A":
                time_full = time.monotonic()
                space.free()
                until(180, lambda: sub.seq() >= total,
                      "phase A: ingest to resume by itself (%d items)" % total)
                fig["phase_A_recovery_s"] = round(time.monotonic() - time_full, 1)
                until(60, lambda: cli_state() == "running",
                           "phase A: status to say running again")
                after = feed_state(db, "d00")
                served = [r for r in d00_requests() if r[0] == "200"]
                if after == before:
                    raise h.Failure("phase A: validators not stored after resuming")
                nreq = len(d00_requests())
                poll("d00")
                h.wait_for(30, lambda: len(d00_requests()) > nreq,
                           "phase A: the re-poll of d00")
                if d00_requests()[nreq][0] != "304":
                    raise h.Failure("phase A: re-poll after resuming not 304: %s"
                                    % d00_requests()[nreq:])
                if served[-1][1] != before[0]:
                    raise h.Failure("phase A: the fetch while full sent %s, "
                                    "expected the old ETag %s" % (served[-1][1], before[0]))
            else:
                if phase == "B":
                    rcd = d.term()
                    if rcd != 0:
                        raise h.Failure("phase B: exit %d on SIGTERM while full" % rcd)
                else:
                    d.kill9()
                d = None
                if feed_state(db, "d00") != before:
                    raise h.Failure("phase %s: validators advanced by the %s"
                                    % (phase, "shutdown" if phase == "B" else "kill"))
                space.free()
                nreq = len(d00_requests())
                d = start()
                until(180, lambda: sub.seq() >= total,
                      "phase %s: all %d items after the restart" % (phase, total))
                first = d00_requests()[nreq]
                if first != ("200", before[0]):
                    raise h.Failure("phase %s: first d00 request after restart was "
                                    "%s, expected 200 with If-None-Match %s"
                                    % (phase, first, before[0]))
                h.wait_for(60, lambda: h.idle(sock, total), "phase %s: idle" % phase)
        if not d.alive():
            raise h.Failure("the daemon died")
        rcd = d.term()
        d = None
        if rcd != 0:
            raise h.Failure("exit %d on SIGTERM" % rcd)
        sub.stop()
        dbf = h.check_database(db, urls)
        received = h.check_received(sub, dbf, db)
        with open(dlog, errors="replace") as fh:
            log = fh.read()
        fig["failed_writes_logged"] = log.count("keeping them and retrying")
        fig["recoveries_logged"] = log.count("writes work again")
        if fig["failed_writes_logged"] < 1 or fig["recoveries_logged"] < 1:
            raise h.Failure("log lacks the failure/recovery lines")
        fig.update({"briefings": dbf["briefings"], "events_received": received,
                    "seconds": round(time.monotonic() - t0, 1)})
        print("ok - disk full (%s): degraded while full, validators kept, "
              "resumed by itself, restart after SIGTERM and SIGKILL re-fetched "
              "with 200, %d briefings, "
              "integrity and FTS checks pass" % (a.mode, dbf["briefings"]))
        print("figures: " + json.dumps(fig, sort_keys=True))
        rc = 0
    except Exception as e:  # noqa: BLE001
        print("FAIL (%s): %s: %s" % (a.mode, type(e).__name__, e))
        if d is not None and not d.alive():
            print("daemon exit status %s (negative: killed by that signal)"
                  % d.proc.returncode)
            if d.proc.returncode == -signal.SIGXFSZ:
                print("BUG: briefwatchd was killed by SIGXFSZ when a write "
                      "passed RLIMIT_FSIZE; main.c must ignore it: "
                      "signal(SIGXFSZ, SIG_IGN) next to SIGPIPE, so the write "
                      "fails with EFBIG and the store degrades instead")
        print("(temp dir: %s)" % tmp)
        try:
            with open(dlog, errors="replace") as fh:
                print("--- daemon log (tail)")
                print("".join(fh.readlines()[-30:]))
        except OSError:
            pass
        a.keep = True
    finally:
        if d is not None:
            d.kill9()
        if sub is not None:
            sub.stop()
        fx.stop()
        if mounted:
            if a.keep:
                for f in os.listdir(fsdir):
                    if f != "ballast":
                        shutil.copy2(os.path.join(fsdir, f),
                                     os.path.join(tmp, "fs-" + f))
            subprocess.run(["umount", "-l", fsdir])
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
