#!/usr/bin/env python3
"""Second red-team pass (docs/reliability-hostile.md, "Second red-team
pass"): the holes it found, each against the real daemon, a real SQLite
file, real Unix sockets and tests/fixtures/server.py.

1. The database deleted, or replaced by a rename (a restored backup),
   or its -wal and -shm deleted, while the daemon runs: a new item is not
   written into the old, unlinked file nor announced; the log names the
   file and the cause, `status` says degraded; after a restart the item is
   stored in the file now at that path. With the -wal deleted, a kill -9
   then keeps every briefing committed before (all were lost).
1b. The lock file (DATABASE.lock) removed while the daemon runs: a
   second daemon on the same database (another socket) is refused, naming
   the cause; the first goes on.
1c. SIGHUP while a poll waits for its pages (no parse in flight): the
   reload freed the profile set the poll still held, and the pages, once
   fetched, were parsed with it (heap-use-after-free; `make
   check-sanitize` reports it, a plain build reads freed memory). Every
   page is stored and the daemon is alive and clean.
1d. A clock that was years ahead when a feed's next due time was stored
   (then corrected): at restart the feed waited for that time, on a
   monotonic timer, i.e. years. Now a stored wait longer than any backoff
   or Retry-After is ignored with a warning and the feed is polled.
1e. The socket path removed while the daemon runs (a cleanup of /run):
   clients got "No such file" until a restart. Now it is bound again at
   the next status refresh (10 s) or reload; a subscriber connected
   before keeps its connection; a regular file put in its place is left
   alone and the log says why.
1f. One feed whose 200 item pages hang (total_timeout = 3s) and a good
   feed on another server polled just after it: the hanging pages held
   every page slot and the good feed's pages waited behind them, timeout
   after timeout (~20 s here; hours with 5000 items at the default 60 s).
   A poll now holds at most a quarter of the slots.
2. An unprivileged peer (uid nobody) holding every client slot: root's
   `status` and `poll` still answer (reserved slots).
3. An open-file limit (200) below what max_clients (256) needs: the
   daemon warns and serves fewer clients, so a flood of 1,000 connections
   by uid nobody neither starves fetches ("connect failed") nor root's
   `poll`; the polled item is stored.
4. A feed answering 200 with an empty body or an image: the error names
   that (no doubled "not a feed: not a feed:").
4b. A NUL byte in one item of an RSS feed (libxml2 ended the document
   there: every later item was lost, the poll said "ok") and "\u0000" in
   a JSON Feed title (the whole feed was refused): every item stored.
5. deflate (and, when the zstd / brotli programs exist, zstd and br)
   bombs for a feed and for a page: the feed ends with "body exceeds",
   the page's item is stored from the feed.
"""
import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("B", "build"))
SRCDIR = os.environ.get("SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(SRCDIR, "tests", "integration"))
import common  # noqa: E402
from client import Client  # noqa: E402
from common import fail  # noqa: E402

TMP = tempfile.mkdtemp()


def ok(msg):
    print("ok -", msg, flush=True)


def status(sock):
    r = common.cli(B, sock, "status", "--json")
    if r.returncode != 0:
        return None
    return json.loads(r.stdout)


def feed_of(st, name):
    return next(f for f in st["feeds"] if f["name"] == name)


def add_item(www, guid, title, base):
    path = os.path.join(www, "feeds", "nato.xml")
    with open(path) as f:
        text = f.read()
    item = ("<item><title>%s</title><link>%s/none/%s.htm</link>"
            "<guid>%s</guid></item>" % (title, base, guid, guid))
    common.write_file(path, text.replace("<item>", item + "<item>", 1))


def log_text():
    try:
        with open(common.log, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def flood_as_nobody(sock, n):
    """A child as uid nobody holding n connections (fewer if refused);
    (pid, connections it made) once they are open. Killed by the caller."""
    def hold(w):
        held = []
        for _ in range(n):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(sock)
            except OSError:
                break
            held.append(s)
        os.write(w, b"%d\n" % len(held))
        os.close(w)
        time.sleep(600)
    pid, r = common.fork_as_nobody(hold)
    got = os.read(r, 64)
    os.close(r)
    return pid, int(got or b"0")


def nato_conf(tag, base, **keys):
    """TMP/tag.db, .sock and .conf, the configuration (keys for [daemon])
    written with one feed, nato, from base: (db, sock, conf)."""
    db, sock, conf = (os.path.join(TMP, tag + ext) for ext in (".db", ".sock", ".conf"))
    common.write_file(conf, common.daemon_section(db, sock, **keys) +
                      "[feed nato]\nurl = %s/feeds/nato.xml\n" % base)
    return db, sock, conf


def stop_flood(pid):
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


# ---- 1. the database file deleted or replaced under the daemon ----------

def part_db(base, www):
    db, sock, conf = nato_conf("db1", base, interval="1h", fetch_pages="no")
    for how in ("replaced", "deleted", "wal"):
        d = common.start_daemon(B, conf, "--foreground")
        common.wait_answers(B, sock)
        common.wait_for(20, lambda: (status(sock) or {}).get("head", 0) >= 2,
                        "the feed's items stored")
        head = status(sock)["head"]
        sub = Client(sock)
        sub.send({"op": "subscribe", "since": head})
        if sub.recv(timeout=10).get("type") != "subscribed":
            fail("subscribe")
        if how == "replaced":
            # an admin restoring a copy: cp, then mv over the live file
            shutil.copy(db, db + ".restore")
            os.rename(db + ".restore", db)
        elif how == "deleted":
            os.unlink(db)
        for ext in ("-wal", "-shm"):
            if os.path.exists(db + ext):
                os.unlink(db + ext)
        guid = "after-" + how
        add_item(www, guid, "Item after the database was " + how, base)
        if common.cli(B, sock, "poll", "nato").returncode != 0:
            fail("poll")
        said = "-wal was deleted" if how == "wal" else "was %s" % how
        common.wait_for(20, lambda: said in log_text(),
                        "the log to say: " + said)
        st = status(sock)
        if st["state"] != "degraded":
            fail("%s database: state %r, not degraded" % (how, st["state"]))
        try:
            ev = sub.recv(timeout=2)
        except Exception:
            ev = None
        if ev and str(ev.get("type", "")).startswith("briefing."):
            fail("%s database: an event was announced from the old file: %r"
                 % (how, ev))
        sub.close()
        if how == "wal":
            # The commits that were only in the deleted WAL were copied
            # into the database file: a crash now loses none of them (it
            # lost every briefing, and the schema, before).
            d.kill()
            d.wait()
            con = sqlite3.connect(db)
            try:
                n = con.execute("SELECT count(*) FROM briefings").fetchone()[0]
            except sqlite3.Error as e:
                fail("-wal deleted, then kill -9: %s" % e)
            finally:
                con.close()
            if n < head:
                fail("-wal deleted, then kill -9: %d of %d briefings left"
                     % (n, head))
        else:
            common.stop_daemon(d)
        # restarted: the item is in the file now at that path
        d = common.start_daemon(B, conf, "--foreground")
        common.wait_answers(B, sock)

        def stored():
            con = sqlite3.connect(db)
            try:
                return con.execute("SELECT count(*) FROM briefings WHERE "
                                   "title LIKE ?", ("%after the database was "
                                                    + how + "%",)).fetchone()[0]
            except sqlite3.Error:
                return 0
            finally:
                con.close()
        common.wait_for(20, stored, "the item stored after the restart")
        common.stop_daemon(d)
        ok("database %s while running: nothing written into the old file "
           "nor announced, log says so, state degraded; stored after the "
           "restart" % how)


def part_lockfile(base):
    db = os.path.join(TMP, "lk.db")
    conf1 = os.path.join(TMP, "lk1.conf")
    conf2 = os.path.join(TMP, "lk2.conf")
    feed = "[feed nato]\nurl = %s/feeds/nato.xml\n" % base
    sock1 = os.path.join(TMP, "lk1.sock")
    common.write_file(conf1, common.daemon_section(
        db, sock1, interval="1h", fetch_pages="no") + feed)
    common.write_file(conf2, common.daemon_section(
        db, os.path.join(TMP, "lk2.sock"), interval="1h",
        fetch_pages="no") + feed)
    d = common.start_daemon(B, conf1, "--foreground")
    common.wait_answers(B, sock1)
    os.unlink(db + ".lock")
    r = subprocess.run([os.path.join(B, "briefwatchd"), "--config", conf2,
                        "--once"], capture_output=True, text=True, timeout=30)
    if r.returncode == 0:
        fail("a second daemon ran on a database in use (lock file removed)")
    if "in use by another briefwatchd" not in r.stderr:
        fail("second daemon: %r" % r.stderr)
    if d.poll() is not None or status(sock1) is None:
        fail("the first daemon stopped answering")
    common.stop_daemon(d)
    ok("lock file removed under a running daemon: a second one refused (%s)"
       % r.stderr.strip().splitlines()[-1][:90])


def part_reload_pages(base, www):
    db = os.path.join(TMP, "rl.db")
    sock = os.path.join(TMP, "rl.sock")
    conf = os.path.join(TMP, "rl.conf")
    items = "".join("<item><title>slow %d</title><link>%s/_bad/slow?delay=1.5"
                    "&amp;n=%d</link><guid>slow-%d</guid></item>" % (i, base, i, i)
                    for i in range(3))
    common.write_file(os.path.join(www, "slow.xml"), common.rss("S", items))
    common.write_file(conf, common.daemon_section(db, sock, interval="1h") +
                      "[feed s]\nurl = %s/slow.xml\n" % base)
    mark = len(log_text())
    d = common.start_daemon(B, conf, "--foreground")
    common.wait_answers(B, sock)

    def page_started():
        with urllib.request.urlopen(base + "/_stats") as f:
            return json.load(f).get("/_bad/slow", 0) >= 1
    common.wait_for(20, page_started, "the first page fetch")
    for _ in range(3):
        d.send_signal(signal.SIGHUP)
        time.sleep(0.05)

    def stored():
        if d.poll() is not None:
            fail("the daemon died after a reload during page fetches")
        con = sqlite3.connect(db)
        try:
            return con.execute("SELECT count(*) FROM briefings").fetchone()[0] >= 3
        finally:
            con.close()
    common.wait_for(30, stored, "the 3 slow pages stored")
    common.stop_daemon(d)
    if "Sanitizer" in log_text()[mark:]:
        fail("sanitizer report after a reload during page fetches")
    ok("SIGHUP while a poll waited for its pages: 3 pages stored, no "
       "use of the freed profile set")


def part_clock(base):
    db, sock, conf = nato_conf("ck", base, interval="1h", fetch_pages="no")
    d = common.start_daemon(B, conf, "--foreground")
    common.wait_answers(B, sock)
    common.wait_for(20, lambda: feed_of(status(sock), "nato").get("polls", 0) >= 1,
                    "the first poll")
    common.stop_daemon(d)
    ahead = int(time.time()) + 10 * 365 * 86400
    con = sqlite3.connect(db)
    con.execute("UPDATE feeds SET next_due = ?, failures = 1", (ahead,))
    con.commit()
    con.close()
    d = common.start_daemon(B, conf, "--foreground")
    common.wait_answers(B, sock)
    st = common.wait_for(20, lambda: (lambda s: s and feed_of(s, "nato").get(
        "polls", 0) >= 1 and s)(status(sock)), "a poll after the restart")
    nxt = feed_of(st, "nato").get("next_poll", "")
    common.stop_daemon(d)
    if "longer than any backoff" not in log_text():
        fail("no warning about the stored next poll")
    ok("next poll stored 10 years ahead (clock was wrong): ignored, polled at "
       "once, next %s" % nxt)


def part_socket_removed(base):
    db, sock, conf = nato_conf("so", base, interval="1h", fetch_pages="no")
    d = common.start_daemon(B, conf, "--foreground")
    common.wait_answers(B, sock)
    sub = Client(sock)
    sub.send({"op": "subscribe", "since": 0})
    if sub.recv(timeout=10).get("type") != "subscribed":
        fail("subscribe")
    os.unlink(sock)
    if status(sock) is not None:
        fail("status answered on a removed socket?")
    d.send_signal(signal.SIGHUP)
    common.wait_for(10, lambda: status(sock), "the socket bound again")
    sub.send({"op": "ping"})
    got = None
    while True:
        got = sub.recv(timeout=10)
        if got is None or got.get("type") not in ("heartbeat",) and \
                not str(got.get("type", "")).startswith("briefing."):
            break
    if not got or got.get("type") != "pong":
        fail("the subscriber connected before lost its connection: %r" % got)
    sub.close()
    # a regular file where the socket was: not removed, the log says so
    os.unlink(sock)
    with open(sock, "w") as f:
        f.write("not a socket\n")
    d.send_signal(signal.SIGHUP)
    common.wait_for(10, lambda: "cannot be bound again" in log_text(),
                    "the log to say the socket cannot be bound again")
    with open(sock) as f:
        if f.read() != "not a socket\n":
            fail("the regular file at the socket path was changed")
    os.unlink(sock)
    d.send_signal(signal.SIGHUP)
    common.wait_for(10, lambda: status(sock), "the socket bound again")
    common.stop_daemon(d)
    if os.path.exists(sock):
        fail("the socket was left behind at exit")
    ok("socket removed while running: bound again on reload, the old "
       "subscriber kept; a file in its place left alone and logged")


def part_fair_pages(base, www):
    db = os.path.join(TMP, "fp.db")
    sock = os.path.join(TMP, "fp.sock")
    conf = os.path.join(TMP, "fp.conf")
    www2 = os.path.join(TMP, "www2")
    os.makedirs(www2, exist_ok=True)
    base2 = common.start_fixture_server(www2, os.path.join(TMP, "port2"))
    common.render(os.path.join(SRCDIR, "tests/fixtures/demo/www"), www2, base2)
    # nato's items appear only once the hanging pages are in flight
    nato = os.path.join(www2, "feeds", "nato.xml")
    with open(nato) as f:
        nato_text = f.read()
    common.write_file(nato, common.rss("NATO", ""))
    items = "".join("<item><title>hang %d</title><link>%s/_bad/hang?n=%d</link>"
                    "<guid>hang-%d</guid></item>" % (i, base, i, i)
                    for i in range(200))
    common.write_file(os.path.join(www, "hang.xml"), common.rss("H", items))
    common.write_file(conf, common.daemon_section(
        db, sock, interval="1h", total_timeout="3s") +
        "[feed hang]\nurl = %s/hang.xml\n" % base +
        "[feed nato]\nurl = %s/feeds/nato.xml\nprofile = nato\n"
        "interval = 2h\n" % base2)
    con = sqlite3.connect(db)
    con.close()
    d = common.start_daemon(B, conf, "--foreground")
    common.wait_answers(B, sock)

    def hanging():
        with urllib.request.urlopen(base + "/_stats") as f:
            return json.load(f).get("/_bad/hang", 0) >= 2
    common.wait_for(20, hanging, "the hanging pages to start")

    def nato_count():
        c = sqlite3.connect(db)
        try:
            return c.execute("SELECT count(*) FROM briefings WHERE "
                             "feed='nato'").fetchone()[0]
        except sqlite3.Error:
            return 0
        finally:
            c.close()
    common.wait_for(20, lambda: feed_of(status(sock), "nato").get(
        "polls", 0) >= 1, "the nato feed's first (empty) poll")
    common.write_file(nato, nato_text)
    t0 = time.monotonic()
    if common.cli(B, sock, "poll", "nato").returncode != 0:
        fail("poll nato")
    common.wait_for(60, lambda: nato_count() >= 2, "the good feed's pages")
    took = time.monotonic() - t0
    common.stop_daemon(d)
    if took > 8:
        fail("the good feed's 2 pages took %.1f s behind 200 hanging pages"
             % took)
    ok("200 hanging pages of one feed: another feed's 2 pages stored in "
       "%.1f s" % took)


# ---- 2 and 3: client slots and the open-file limit -----------------------

def part_slots(base):
    db, sock, conf = nato_conf("sl", base, interval="1h", fetch_pages="no",
                                socket_mode="0666", max_clients="20")
    d = common.start_daemon(B, conf, "--foreground")
    common.wait_answers(B, sock)
    pid, n = flood_as_nobody(sock, 40)
    try:
        time.sleep(0.5)
        with Client(sock) as c:
            r = c.request({"op": "status"}, timeout=10)
        if not r or r.get("type") != "status":
            fail("root's status while nobody holds every slot: %r" % r)
        r = common.cli(B, sock, "poll", "nato")
        if r.returncode != 0:
            fail("root's poll while nobody holds every slot: %s" % r.stderr)
    finally:
        stop_flood(pid)
    common.stop_daemon(d)
    ok("uid nobody holding all %d slots (%d tried): root's status and poll "
       "still answer" % (20, n))


def part_nofile(base, www):
    db, sock, conf = nato_conf("nf", base, interval="1h", fetch_pages="no",
                                socket_mode="0666")

    def low():
        resource.setrlimit(resource.RLIMIT_NOFILE, (200, 200))
    d = common.start(["%s/briefwatchd" % B, "--config", conf, "--foreground"],
                     stderr=open(common.log, "a"), preexec_fn=low)
    common.wait_answers(B, sock)
    common.wait_for(20, lambda: (status(sock) or {}).get("head", 0) >= 2,
                    "the feed's items stored")
    pid, n = flood_as_nobody(sock, 1000)
    try:
        time.sleep(0.5)
        add_item(www, "during-flood", "Item polled during a flood", base)
        r = common.cli(B, sock, "poll", "nato")
        if r.returncode != 0:
            fail("root's poll during the flood: %s" % r.stderr)

        def polled():
            st = status(sock)
            return st and feed_of(st, "nato").get("polls", 0) >= 2 and st
        st = common.wait_for(20, polled, "the second poll")
        res = feed_of(st, "nato")["last_result"]
        if "1 new" not in res:
            fail("poll during a socket flood: %r" % res)
    finally:
        stop_flood(pid)
    if "open-file limit 200 is too low for max_clients = 256" not in log_text():
        fail("no warning about the open-file limit")
    common.stop_daemon(d)
    ok("open-file limit 200 < max_clients 256: warned, %d connections by "
       "nobody, the poll still fetched and stored (%s)" % (n, res))


# ---- 4 and 5: what a feed or page body is -------------------------------

def part_bodies(base, www):
    db = os.path.join(TMP, "bo.db")
    sock = os.path.join(TMP, "bo.sock")
    conf = os.path.join(TMP, "bo.conf")
    encs = ["deflate"]
    if shutil.which("zstd"):
        encs.append("zstd")
    if shutil.which("brotli"):
        encs.append("br")
    items = "".join(
        "<item><title>page %s</title><link>%s/_bad/bomb?enc=%s&amp;mb=16"
        "</link><guid>page-%s</guid></item>" % (e, base, e, e) for e in encs)
    common.write_file(os.path.join(www, "pb.xml"), common.rss("pages", items))
    text = common.daemon_section(db, sock, interval="1h",
                                 max_feed_size="1M", max_page_size="1M")
    text += "[feed pages]\nurl = %s/pb.xml\n" % base
    text += ("[feed empty]\nurl = %s/_bad/typed?type=application/rss%%2Bxml\n"
             "fetch_pages = no\n" % base)
    text += ("[feed image]\nurl = %s/_bad/typed?type=image/png&bytes=3000\n"
             "fetch_pages = no\n" % base)
    for e in encs:
        text += ("[feed f%s]\nurl = %s/_bad/bomb?enc=%s&mb=16&type=application"
                 "/rss%%2Bxml\nfetch_pages = no\n" % (e, base, e))
    nul_items = "".join("<item><title>nul %d%s</title><link>%s/n/%d</link>"
                        "<guid>nul-%d</guid></item>" % (
                            i, "\0" if i == 1 else "", base, i, i)
                        for i in range(4))
    common.write_file(os.path.join(www, "nul.xml"), common.rss("nul", nul_items))
    common.write_file(os.path.join(www, "jnul.json"), json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "j",
        "items": [{"id": "j1", "title": "a\u0000b", "url": base + "/j/1"},
                  {"id": "j2", "title": "two", "url": base + "/j/2"}]}))
    text += "[feed nul]\nurl = %s/nul.xml\nfetch_pages = no\n" % base
    text += "[feed jnul]\nurl = %s/jnul.json\nfetch_pages = no\n" % base
    common.write_file(conf, text)
    d = common.start_daemon(B, conf, "--foreground")
    common.wait_answers(B, sock)

    def done():
        st = status(sock)
        return st and all(f.get("polls", 0) >= 1 for f in st["feeds"]) and \
            feed_of(st, "pages")["state"] == "ok" and st
    st = common.wait_for(40, done, "every feed polled")
    res = {f["name"]: f["last_result"] for f in st["feeds"]}
    for name in ("empty", "image"):
        if "not a feed: not a feed" in res[name]:
            fail("%s: doubled prefix: %r" % (name, res[name]))
    if "the body is empty (0 bytes" not in res["empty"]:
        fail("empty body: %r" % res["empty"])
    if "image/png" not in res["image"]:
        fail("an image as a feed: %r" % res["image"])
    for e in encs:
        if "body exceeds" not in res["f" + e]:
            fail("%s bomb as a feed: %r" % (e, res["f" + e]))
    if "4 new" not in res["nul"] or "2 new" not in res["jnul"]:
        fail("NUL bytes: nul %r, jnul %r" % (res["nul"], res["jnul"]))
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM briefings WHERE feed='pages' AND "
                    "kind='other'").fetchone()[0]
    con.close()
    if n != len(encs):
        fail("bomb pages: %d of %d items stored from the feed" % (n, len(encs)))
    common.stop_daemon(d)
    ok("empty body: %r; image: %r; %s bombs refused as feeds and as pages; "
       "NUL bytes: %r, %r" % (res["empty"], res["image"], "/".join(encs),
                              res["nul"], res["jnul"]))


def main():
    if os.geteuid() != 0:
        print("skipped: needs root to act as uid nobody")
        raise SystemExit(77)
    os.chmod(TMP, 0o755)
    common.log = os.path.join(TMP, "daemon.log")
    www = os.path.join(TMP, "www")
    os.makedirs(www)
    base = common.start_fixture_server(www, os.path.join(TMP, "port"))
    common.render(os.path.join(SRCDIR, "tests/fixtures/demo/www"), www, base)
    try:
        t0 = time.monotonic()
        part_db(base, www)
        part_lockfile(base)
        part_reload_pages(base, www)
        part_clock(base)
        part_socket_removed(base)
        part_fair_pages(base, www)
        part_slots(base)
        part_nofile(base, www)
        part_bodies(base, www)
        text = log_text()
        if "Sanitizer" in text or "runtime error:" in text:
            fail("a sanitizer report in the daemon log")
        ok("all in %.1f s" % (time.monotonic() - t0))
    finally:
        common.reap()
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
