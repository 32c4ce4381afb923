#!/usr/bin/env python3
"""bench/relay.py — the NATS relay under a 10,000-briefing ingest.

    bench/relay.py BUILD [--write]        (BENCH_QUICK=1: 2,000 briefings)

Starts nats-server -js and the fixture HTTP server (tests/fixtures/server.py)
on 127.0.0.1, then briefwatchd with a [relay] section and log_level debug,
a socket subscriber (`briefwatch tail --json`) and a remote consumer
(`briefwatch tail --nats URL --json`, an ephemeral pull consumer), both
reading live. One poll of every feed ingests the briefings. Measured:

  - the writer's commit rate (briefings / the span of its commit lines);
  - relay lag (head - acknowledged seq, from `status`, sampled every
    20 ms) during the ingest and how long after the last COMMIT it is 0;
  - relay throughput on its own: a second daemon relays the finished
    database (a copy) into a fresh stream; events / time to lag 0;
  - commit -> delivery latency per event, p50/p99/max, for the socket
    subscriber and the remote consumer, both read by the same kind of
    process (the CLI) with arrival times taken the same way. The commit
    time of an event is that of its batch's "store: committed ... at T"
    line in the daemon's log.

BENCH_RELAY_EXTRA="window = 1024;ack_wait = 2s" adds [relay] keys (";" between
them). --write appends the table to bench/RESULTS-relay.md. Needs nats-server
(make deps). Machines are shared and noisy: read figures from one run.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICK = os.environ.get("BENCH_QUICK") == "1"
N = 2000 if QUICK else 10000
FEEDS = 20
PER = N // FEEDS
NATS = shutil.which("nats-server") or "/usr/sbin/nats-server"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_for(timeout, cond, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise SystemExit("bench/relay: timed out waiting for " + what)


def pct(v, p):
    v = sorted(v)
    if not v:
        return float("nan")
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


def status(sock):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(sock)
        s.sendall(b'{"op":"status"}\n')
        buf = b""
        while b"\n" not in buf:
            d = s.recv(65536)
            if not d:
                return None
            buf += d
        return json.loads(buf.split(b"\n", 1)[0])
    except OSError:
        return None
    finally:
        s.close()


class Reader(threading.Thread):
    """Reads NDJSON lines from a process, time-stamping each event."""

    def __init__(self, proc):
        super().__init__(daemon=True)
        self.proc = proc
        self.at = {}

    def run(self):
        for line in self.proc.stdout:
            t = time.time()
            m = re.match(rb'\{"seq":(\d+),', line)
            if m:
                self.at.setdefault(int(m.group(1)), t)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    B = os.path.abspath(sys.argv[1])
    write = "--write" in sys.argv
    if not os.path.exists(NATS):
        print("skipped: nats-server is not installed (make deps)")
        return 0
    tmp = tempfile.mkdtemp(prefix="bw-bench-relay-")
    procs = []
    try:
        for exe in ("briefwatchd", "briefwatch"):
            shutil.copy2(os.path.join(B, exe), os.path.join(tmp, exe))
        bw, bwd = os.path.join(tmp, "briefwatch"), os.path.join(tmp, "briefwatchd")
        port = free_port()
        ns = subprocess.Popen([NATS, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd",
                               os.path.join(tmp, "js")], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        procs.append(ns)
        url = "nats://127.0.0.1:%d" % port
        www = os.path.join(tmp, "www", "feeds")
        os.makedirs(www)
        srv = subprocess.Popen([sys.executable, os.path.join(SRC, "tests/fixtures/server.py"),
                                "--root", os.path.join(tmp, "www"), "--port", "0",
                                "--port-file", os.path.join(tmp, "port")],
                               stderr=subprocess.DEVNULL)
        procs.append(srv)
        wait_for(10, lambda: os.path.exists(os.path.join(tmp, "port")), "fixture server")
        base = "http://127.0.0.1:%s" % open(os.path.join(tmp, "port")).read().strip()
        def write_feeds(per):
            for f in range(FEEDS):
                items = "".join(
                    "<item><title>Briefing %d-%d</title><link>%s/b/%d/%d.html</link>"
                    "<guid>b-%d-%d</guid><pubDate>Mon, 02 Nov 2026 10:%02d:%02d GMT</pubDate>"
                    "<description>Remarks on sanctions and cyber defence, number %d.</description>"
                    "</item>\n" % (f, i, base, f, i, f, i, i // 60 % 60, i % 60, i)
                    for i in range(per))
                path = os.path.join(www, "f%d.xml" % f)
                with open(path + ".tmp", "w") as fh:
                    fh.write('<?xml version="1.0"?><rss version="2.0"><channel><title>F%d</title>'
                             "<link>%s/</link><description>d</description>\n%s</channel></rss>\n"
                             % (f, base, items))
                os.rename(path + ".tmp", path)

        write_feeds(0)

        def conf(name, db, stream, feeds):
            path = os.path.join(tmp, name + ".conf")
            with open(path, "w") as fh:
                fh.write("[daemon]\ndatabase = %s\nsocket = %s/%s.sock\nallow_private = yes\n"
                         "fetch_pages = no\ninterval = 1h\nlog_level = debug\n"
                         "max_client_queue = 64M\n" % (db, tmp, name))
                fh.write("[relay]\nservers = %s\nstream = %s\nsubject_prefix = %s\n%s\n"
                         % (url, stream, stream.lower(),
                            os.environ.get("BENCH_RELAY_EXTRA", "").replace(";", "\n")))
                if feeds:
                    for f in range(FEEDS):
                        fh.write("[feed f%d]\nurl = %s/feeds/f%d.xml\n" % (f, base, f))
            return path

        db = os.path.join(tmp, "a.db")
        log = os.path.join(tmp, "a.log")
        sock = os.path.join(tmp, "a.sock")
        # empty feeds at first: their start-up polls find nothing
        d = subprocess.Popen([bwd, "--config", conf("a", db, "BENCH", True)],
                             stderr=open(log, "w"))
        procs.append(d)
        wait_for(10, lambda: status(sock) is not None, "the daemon")
        wait_for(10, lambda: (status(sock).get("relay") or {}).get("state") == "relaying",
                 "the relay")
        wait_for(30, lambda: all(f["polls"] > 0 for f in status(sock)["feeds"]),
                 "the start-up polls")
        subs = subprocess.Popen([bw, "--socket", sock, "tail", "--json"],
                                stdout=subprocess.PIPE)
        rem = subprocess.Popen([bw, "tail", "--nats", url, "--stream", "BENCH",
                                "--subject-prefix", "bench", "--json"],
                               stdout=subprocess.PIPE)
        procs += [subs, rem]
        rs, rr = Reader(subs), Reader(rem)
        rs.start()
        rr.start()
        time.sleep(1.0)
        write_feeds(PER)
        lag = []
        t0 = time.time()
        for f in range(FEEDS):
            subprocess.run([bw, "--socket", sock, "poll", "f%d" % f],
                           stdout=subprocess.DEVNULL, check=True)
        last_lag_nonzero = None
        done_at = None
        while time.time() - t0 < 300:
            st = status(sock)
            r = st.get("relay", {}) if st else {}
            now = time.time()
            if r:
                lag.append(r.get("lag", 0))
                if r.get("lag"):
                    last_lag_nonzero = now
                if st["head"] >= N and r.get("lag") == 0:
                    done_at = now
                    break
            time.sleep(0.02)
        if done_at is None:
            raise SystemExit("bench/relay: the relay did not catch up")
        wait_for(60, lambda: len(rs.at) >= N and len(rr.at) >= N, "both readers")
        # commit times per seq from the daemon's log
        commit = {}
        prev = 0
        first_commit = last_commit = None
        stored = 0
        with open(log) as fh:
            for line in fh:
                m = re.search(r"store: committed (\d+) briefings, events up to seq (\d+), at ([\d.]+)", line)
                if m:
                    s, t = int(m.group(2)), float(m.group(3))
                    for q in range(prev + 1, s + 1):
                        commit[q] = t
                    prev = s
                    stored += int(m.group(1))
                    first_commit = t if first_commit is None else first_commit
                    last_commit = t
        lat_s = [(rs.at[q] - commit[q]) * 1000 for q in commit if q in rs.at]
        lat_r = [(rr.at[q] - commit[q]) * 1000 for q in commit if q in rr.at]
        span = last_commit - first_commit
        writer_rate = stored / span if span > 0 else float("inf")
        to_zero = (done_at - last_commit) * 1000

        # relay throughput on its own: a copy of the database into a new stream
        for p in (subs, rem):
            p.send_signal(signal.SIGTERM)
        d.send_signal(signal.SIGTERM)
        d.wait()
        db2 = os.path.join(tmp, "b.db")
        shutil.copy(db, db2)
        sock2 = os.path.join(tmp, "b.sock")
        t1 = time.time()
        d2 = subprocess.Popen([bwd, "--config", conf("b", db2, "BENCH2", False)],
                              stderr=open(os.path.join(tmp, "b.log"), "w"))
        procs.append(d2)
        t_relay = None
        t_sync = None
        while time.time() - t1 < 300:
            st = status(sock2)
            r = (st or {}).get("relay", {})
            if r.get("state") == "relaying" and t_sync is None:
                t_sync = time.time()
            if r.get("state") == "relaying" and r.get("acked", 0) >= N:
                t_relay = time.time() - t_sync
                break
            time.sleep(0.005)
        if t_relay is None:
            raise SystemExit("bench/relay: the backlog relay did not finish")
        relay_rate = N / t_relay

        rows = [
            ("briefings ingested (one poll of %d feeds)" % FEEDS, "%d" % stored),
            ("writer: commit rate", "%.0f briefings/s (%.2f s of commits)" % (writer_rate, span)),
            ("relay lag during the ingest: max", "%d events" % max(lag)),
            ("relay lag 0 after the last COMMIT", "%.0f ms" % to_zero),
            ("relay throughput: a %d-event backlog into a new stream, from its first status as relaying" % N,
             "%.0f events/s (%.2f s) = %.1f x the writer's rate" % (relay_rate, t_relay, relay_rate / writer_rate)),
            ("commit -> socket subscriber (tail --json): p50 / p99 / max",
             "%.1f / %.1f / %.1f ms" % (pct(lat_s, 50), pct(lat_s, 99), max(lat_s))),
            ("commit -> remote consumer (tail --nats --json): p50 / p99 / max",
             "%.1f / %.1f / %.1f ms" % (pct(lat_r, 50), pct(lat_r, 99), max(lat_r))),
        ]
        out = ["| measure | value |", "|---|---|"] + ["| %s | %s |" % r for r in rows]
        head = ("NATS relay, %s, nats-server %s, %d briefings%s, %d CPUs, load average %.1f at the end" %
                (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                 subprocess.run([NATS, "--version"], capture_output=True,
                                text=True).stdout.strip().split()[-1],
                 N, " (BENCH_QUICK)" if QUICK else "", os.cpu_count(),
                 os.getloadavg()[0]))
        print(head)
        print("\n".join(out))
        if write:
            with open(os.path.join(SRC, "bench", "RESULTS-relay.md"), "a") as fh:
                fh.write("## %s\n\n%s\n\n" % (head, "\n".join(out)))
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if os.environ.get("BENCH_KEEP"):
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
