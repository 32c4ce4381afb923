#!/usr/bin/env python3
"""bench/relay.py — the NATS relay under a 10,000-briefing ingest.

    bench/relay.py BUILD [--write] [--runs N] [--case feed|pages|both]
    (BENCH_QUICK=1: 2,000 briefings, 1 run)

Also section 8 of bench/run (`bench/run --only 8`), which calls run_section.

Each run starts nats-server -js and the fixture HTTP server
(tests/fixtures/server.py) on 127.0.0.1, then briefwatchd with a [relay]
section and log_level debug, a socket subscriber (`briefwatch tail --json`)
and a remote consumer (`briefwatch tail --nats URL --json`, an ephemeral
pull consumer), both reading live. One poll of each of 20 feeds ingests
the briefings, in two cases:

  - feed-only items (`fetch_pages = no`): each item stored as it is, the
    writer's fastest case;
  - briefings (`fetch_pages = yes`): each item's page fetched from the
    fixture server and extracted: the transcript pages of bench/run's
    sections 3 and 4 (bench/corpus.py gen_pages, 400 pages of 20-150 KB,
    taken from bench/run's cache when it has them), each linked under
    its own URL (`?copy=K` appended), so every item is a new briefing
    with a real page's turns; max_per_host = 8, recheck = no.

Measured:

  - the writer's commit rate: events committed per second during the
    ingest, counted from the daemon's "store: committed N briefings, events
    up to seq S, at T" lines: the events of every COMMIT but the first,
    divided by the time from the first COMMIT to the last (the first
    COMMIT's events were made before the span began). Strict: the writer
    at its sustained peak, not the whole ingest with fetching and parsing;
  - relay lag to 0: from the last COMMIT to the relay's own "caught up"
    debug line whose burst reaches the last event (the ack of the last
    event arrived); the maximum lag from `status`, sampled every 100 ms
    (a status call counts the tables: sampling faster slows the daemon);
  - relay throughput on its own: a second daemon relays a copy of the
    finished database into a fresh stream; events / the relay's own time
    from reading the first page to the ack of the last event (its "caught
    up" line; no status polling meanwhile), and that rate / the writer's
    commit rate;
  - CPU time per relayed event of each party during that backlog, from
    /proc/PID/task/TID/schedstat (nanoseconds): the relay thread (its id
    from the daemon's debug line "relay: thread TID"), the NATS client's
    threads (every other thread of that daemon but its main thread: the
    client's reader, flusher, ack dispatcher and message collector; the
    daemon's own idle workers add next to nothing) and nats-server (every
    thread, from before that daemon started to the last ack);
  - commit -> delivery latency per event, p50/p99/max, for the socket
    subscriber and the remote consumer, both read by the same kind of
    process (the CLI) with arrival times taken the same way. The commit
    time of an event is that of its batch's COMMIT line.

BENCH_RELAY_EXTRA="window = 1024;ack_wait = 2s" adds [relay] keys (";" between
them). --write appends the table to bench/RESULTS-relay.md. Needs nats-server
(make deps). Machines are shared and noisy: the load average is printed;
several runs are given with their median.
"""
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
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
PAGES = 400  # transcript pages, as bench/run's sections 3 and 4
CACHE = os.environ.get("BENCH_CACHE") or "/tmp/briefwatch-bench-cache"


def pages_dir(tmp):
    """bench/run's cached corpus of PAGES transcript pages when it is
    there (same parameters), else a fresh one under tmp."""
    d = os.path.join(CACHE, "pages-%d" % PAGES)
    want = json.dumps({"v": 1, "n": PAGES}, sort_keys=True)
    stamp = os.path.join(d, ".params")
    if os.path.exists(stamp) and open(stamp).read() == want:
        return d
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import corpus
    d = os.path.join(tmp, "pages")
    corpus.gen_pages(d, PAGES, seed=7)
    return d


def cpu_ns(pid, tid):
    """CPU time of a thread in ns (0 once it is gone)."""
    try:
        with open("/proc/%d/task/%d/schedstat" % (pid, tid)) as fh:
            return int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def threads_ns(pid):
    """{tid: CPU ns} of every thread of pid."""
    try:
        tids = [int(t) for t in os.listdir("/proc/%d/task" % pid)]
    except OSError:
        return {}
    return {t: cpu_ns(pid, t) for t in tids}


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
    raise RuntimeError("bench/relay: timed out waiting for " + what)


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


def one_run(B, pages=False):
    """One run: a dict of figures (see the module's doc). pages: the
    briefings case (fetch_pages = yes), else feed-only items."""
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
        if pages:
            os.symlink(pages_dir(tmp), os.path.join(tmp, "www", "pages"))

        def link(f, i):
            if not pages:
                return "%s/b/%d/%d.html" % (base, f, i)
            return "%s/pages/p%05d.html?copy=%d-%d" % (base, (f * PER + i) % PAGES, f, i)

        def write_feeds(per):
            for f in range(FEEDS):
                items = "".join(
                    "<item><title>Briefing %d-%d</title><link>%s</link>"
                    "<guid>b-%d-%d</guid><pubDate>Mon, 02 Nov 2026 10:%02d:%02d GMT</pubDate>"
                    "<description>Remarks on sanctions and cyber defence, number %d.</description>"
                    "</item>\n" % (f, i, link(f, i), f, i, i // 60 % 60, i % 60, i)
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
                         "fetch_pages = %s\ninterval = 1h\nlog_level = debug\n"
                         "max_client_queue = 64M\nmax_per_host = 8\nrecheck = no\n"
                         % (db, tmp, name, "yes" if pages else "no"))
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
        while time.time() - t0 < 1800:
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
            time.sleep(0.1)
        if done_at is None:
            raise RuntimeError("bench/relay: the relay did not catch up")
        wait_for(120, lambda: len(rs.at) >= N and len(rr.at) >= N, "both readers")
        # commit times per seq from the daemon's log
        commit = {}
        prev = 0
        first_commit = last_commit = None
        stored = 0
        span_events = 0
        commits = 0
        with open(log) as fh:
            for line in fh:
                m = re.search(r"store: committed (\d+) briefings, events up to seq (\d+), at ([\d.]+)", line)
                if m:
                    s, t = int(m.group(2)), float(m.group(3))
                    for q in range(prev + 1, s + 1):
                        commit[q] = t
                    if first_commit is not None:
                        span_events += s - prev
                    prev = s
                    stored += int(m.group(1))
                    commits += 1
                    first_commit = t if first_commit is None else first_commit
                    last_commit = t
        caught = caught_up(log)
        zero_at = min((c["at"] for c in caught if c["to"] >= prev), default=None)
        if zero_at is None:
            raise RuntimeError("bench/relay: no \"caught up\" line reaches seq %d" % prev)
        lat_s = [(rs.at[q] - commit[q]) * 1000 for q in commit if q in rs.at]
        lat_r = [(rr.at[q] - commit[q]) * 1000 for q in commit if q in rr.at]
        span = last_commit - first_commit
        writer_rate = span_events / span if span > 0 else float("inf")
        # the looser reading: every event over the whole ingest, from the
        # first poll request to the last COMMIT (fetching and parsing in)
        ingest_rate = prev / (last_commit - t0) if last_commit > t0 else float("inf")
        to_zero = (zero_at - last_commit) * 1000

        # relay throughput on its own: a copy of the database into a new stream
        for p in (subs, rem):
            p.send_signal(signal.SIGTERM)
        d.send_signal(signal.SIGTERM)
        d.wait()
        db2 = os.path.join(tmp, "b.db")
        shutil.copy(db, db2)
        sock2 = os.path.join(tmp, "b.sock")
        blog = os.path.join(tmp, "b.log")
        ns0 = sum(threads_ns(ns.pid).values())
        d2 = subprocess.Popen([bwd, "--config", conf("b", db2, "BENCH2", False)],
                              stderr=open(blog, "w"))
        procs.append(d2)
        # no status calls meanwhile: the relay's own timing, from its log
        wait_for(300, lambda: any(c["to"] >= prev for c in caught_up(blog)),
                 "the backlog relay")
        th = threads_ns(d2.pid)
        ns_ns = sum(threads_ns(ns.pid).values()) - ns0
        c = [c for c in caught_up(blog) if c["to"] >= prev][0]
        rtid = None
        with open(blog) as fh:
            for line in fh:
                m = re.search(r"relay: thread (\d+)", line)
                if m:
                    rtid = int(m.group(1))
        if rtid not in th:
            raise RuntimeError("bench/relay: no relay thread id in the log")
        us = lambda ns_: ns_ / 1000.0 / c["n"]
        cpu = {"relay": us(th[rtid]),
               "client": us(sum(v for t, v in th.items() if t not in (rtid, d2.pid))),
               "server": us(ns_ns)}
        con = sqlite3.connect(db2)
        ev_bytes = con.execute("SELECT sum(length(CAST(json AS BLOB))) FROM events").fetchone()[0]
        con.close()
        if c["from"] != 1:
            raise RuntimeError("bench/relay: the backlog went in more than one burst: %r" % c)
        t_relay = c["ms"] / 1000.0
        relay_rate = c["n"] / t_relay
        return {"stored": stored, "commits": commits, "span": span,
                "writer_rate": writer_rate, "max_lag": max(lag) if lag else 0,
                "to_zero": to_zero, "relay_rate": relay_rate, "t_relay": t_relay,
                "relay_cpu": c["cpu"], "ratio": relay_rate / writer_rate,
                "ingest_rate": ingest_rate, "ratio_ingest": relay_rate / ingest_rate,
                "lat_s": lat_s, "lat_r": lat_r, "cpu": cpu, "ev_bytes": ev_bytes / max(prev, 1),
                "load": os.getloadavg()[0]}
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if os.environ.get("BENCH_KEEP"):
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def caught_up(log):
    out = []
    with open(log) as fh:
        for line in fh:
            m = re.search(r"relay: caught up: events (\d+) to (\d+) \((\d+)\) acknowledged in ([\d.]+) ms "
                          r"\(published in [\d.]+, the relay thread's CPU ([\d.]+)\).* at ([\d.]+)", line)
            if m:
                out.append({"from": int(m.group(1)), "to": int(m.group(2)), "n": int(m.group(3)),
                            "ms": float(m.group(4)), "cpu": float(m.group(5)),
                            "at": float(m.group(6))})
    return out


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def rows_of(runs, case):
    """Rows (case, measure, median, every run) of a list of one_run
    results."""
    def each(key, fmt):
        return ", ".join(fmt % r[key] for r in runs)
    lat_s = [x for r in runs for x in r["lat_s"]]
    lat_r = [x for r in runs for x in r["lat_r"]]
    rows = [
        ("briefings ingested (one poll of %d feeds)" % FEEDS, "%d" % med(runs, "stored"),
         each("stored", "%d")),
        ("writer commit rate: events of the COMMITs after the first / first to last COMMIT",
         "%.0f events/s" % med(runs, "writer_rate"),
         ", ".join("%.0f (%d COMMITs in %.2f s)" % (r["writer_rate"], r["commits"], r["span"])
                   for r in runs)),
        ("relay lag during the ingest, max (status every 100 ms)", "%d events" % med(runs, "max_lag"),
         each("max_lag", "%d")),
        ("relay lag 0 after the last COMMIT (its ack of the last event)",
         "%.0f ms" % med(runs, "to_zero"), each("to_zero", "%.0f")),
        ("relay throughput, a %d-event backlog into a new stream (first page read to last ack)" % N,
         "%.0f events/s" % med(runs, "relay_rate"),
         ", ".join("%.0f (%.3f s, relay thread CPU %.0f ms)" % (r["relay_rate"], r["t_relay"], r["relay_cpu"])
                   for r in runs)),
        ("relay throughput / writer commit rate", "%.1f x" % med(runs, "ratio"), each("ratio", "%.1f")),
        ("CPU per relayed event in the backlog: relay thread / NATS client's threads / nats-server",
         "%.2f / %.2f / %.2f us" % tuple(statistics.median(r["cpu"][k] for r in runs)
                                          for k in ("relay", "client", "server")),
         ", ".join("%.2f / %.2f / %.2f" % (r["cpu"]["relay"], r["cpu"]["client"], r["cpu"]["server"])
                   for r in runs)),
        ("event line (message body), mean", "%.0f bytes" % med(runs, "ev_bytes"), each("ev_bytes", "%.0f")),
        ("load average (1 min) at the end of the run", "%.1f" % med(runs, "load"), each("load", "%.1f")),
        ("for comparison: events / whole ingest (first poll request to last COMMIT); relay throughput / that",
         "%.0f events/s; %.1f x" % (med(runs, "ingest_rate"), med(runs, "ratio_ingest")),
         ", ".join("%.0f; %.1f" % (r["ingest_rate"], r["ratio_ingest"]) for r in runs)),
        ("commit -> socket subscriber (tail --json): p50 / p99 / max",
         "%.1f / %.1f / %.1f ms" % (pct(lat_s, 50), pct(lat_s, 99), max(lat_s)), "all runs pooled"),
        ("commit -> remote consumer (tail --nats --json): p50 / p99 / max",
         "%.1f / %.1f / %.1f ms" % (pct(lat_r, 50), pct(lat_r, 99), max(lat_r)), "all runs pooled"),
    ]
    return [(case,) + r for r in rows]


CASES = {"feed": "feed-only items (fetch_pages = no)",
         "pages": "briefings (fetch_pages = yes)"}


def heading(runs):
    return ("NATS relay, %s, nats-server %s, %d briefings%s, %s, %d CPUs, load average %.1f at the end" %
            (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
             subprocess.run([NATS, "--version"], capture_output=True,
                            text=True).stdout.strip().split()[-1],
             N, " (BENCH_QUICK)" if QUICK else "",
             ", ".join("%s: %d run%s" % (CASES[c], n, "" if n == 1 else "s") for c, n in runs),
             os.cpu_count(), os.getloadavg()[0]))


def run_section(B, runs=None, cases=("feed", "pages")):
    """For bench/run: (heading, header, rows) or (None, why, None) when
    nats-server or the build is missing. The briefings case runs once
    unless runs says otherwise (each run fetches and extracts 10,000
    pages: about a minute)."""
    if not os.path.exists(NATS):
        return None, "nats-server is not installed (make deps)", None
    if not os.path.exists(os.path.join(B, "briefwatchd")):
        return None, "no %s/briefwatchd (run make)" % B, None
    rows, done = [], []
    for case in cases:
        n = runs or (1 if QUICK or case == "pages" else 3)
        res = [one_run(B, pages=case == "pages") for _ in range(n)]
        rows += rows_of(res, CASES[case])
        done.append((case, n))
    return heading(done), ("case", "measure", "median", "each run"), rows
def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    B = os.path.abspath(sys.argv[1])
    write = "--write" in sys.argv
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else None
    case = sys.argv[sys.argv.index("--case") + 1] if "--case" in sys.argv else "both"
    cases = ("feed", "pages") if case == "both" else (case,)
    try:
        head, header, rows = run_section(B, runs, cases)
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 1
    if head is None:
        print("skipped: " + header)
        return 0
    out = ["| " + " | ".join(header) + " |", "|---|---|---|---|"] + \
          ["| %s | %s | %s | %s |" % r for r in rows]
    print(head)
    print("\n".join(out))
    if write:
        with open(os.path.join(SRC, "bench", "RESULTS-relay.md"), "a") as fh:
            fh.write("## %s\n\n%s\n\n" % (head, "\n".join(out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
