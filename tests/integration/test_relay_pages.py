#!/usr/bin/env python3
"""The relay's pages, read back message by message: a backlog of more
than two pages of events (the relay reads 1,024 at a time) from several
feeds, with `briefing.updated` events among them and holes in the log (one
inside a page, one of a single event, one right where a page begins), relayed
into a new stream by a real nats-server -js. Every stream message is then
fetched on its own ($JS.API.STREAM.MSG.GET, over a plain socket) and
checked: the stream holds, in order, each event exactly once and a gap
note before the first event after each hole; each event's message has
the subject <prefix>.ev.<new|updated>.<feed>, the headers Nats-Msg-Id
(<origin>:<seq>), Briefwatch-Seq and Briefwatch-Origin, and the event's
line byte for byte as its body.

    tests/integration/test_relay_pages.py BUILD
"""
import base64
import json
import os
import socket
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import natsrelay  # noqa: E402
from common import fail, wait_for  # noqa: E402

FEEDS = 6
PER = 420            # 2,520 new events, plus the updates
# inside the first page, a single event inside the second, and right
# after the second page's last event (row 2,048 is seq 2,060): the third
# page starts with a gap
HOLES = [(1000, 1010), (1500, 1500), (2061, 2070)]


class RawNats:
    """Just enough of the NATS protocol to ask JetStream's API."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.line()  # INFO
        self.s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n'
                       b"SUB _INBOX.pages 1\r\nPING\r\n")
        while self.line() != b"PONG":
            pass

    def line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                fail("nats-server closed the connection")
            self.buf += d
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def take(self, n):
        while len(self.buf) < n + 2:
            d = self.s.recv(65536)
            if not d:
                fail("nats-server closed the connection")
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n + 2:]
        return out

    def request(self, subject, body):
        self.s.sendall(b"PUB %s _INBOX.pages %d\r\n%s\r\n" % (subject.encode(), len(body), body))
        while True:
            ln = self.line()
            if ln == b"PING":
                self.s.sendall(b"PONG\r\n")
                continue
            if ln.startswith(b"MSG "):
                return json.loads(self.take(int(ln.split()[-1])))
            if ln.startswith(b"HMSG "):
                return json.loads(self.take(int(ln.split()[-1]))[int(ln.split()[-2]):])
            if ln.startswith(b"-ERR"):
                fail("nats-server: %s" % ln.decode())

    def msg(self, stream, seq):
        r = self.request("$JS.API.STREAM.MSG.GET." + stream, json.dumps({"seq": seq}).encode())
        if "message" not in r:
            fail("stream %s message %d: %r" % (stream, seq, r))
        m = r["message"]
        hdrs = {}
        raw = base64.b64decode(m.get("hdrs", "")).decode()
        for ln in raw.split("\r\n")[1:]:
            if ln:
                k, v = ln.split(":", 1)
                hdrs[k.strip()] = v.strip()
        return m["subject"], hdrs, base64.b64decode(m.get("data", ""))

    def close(self):
        self.s.close()


def main():
    env = natsrelay.Env("bw-relay-pages-", feeds=FEEDS,
                        relay_extra="stream = PAGES\nsubject_prefix = pages\nack_wait = 2s\n")
    try:
        ns = natsrelay.Nats(env.tmp, "n1")
        db = os.path.join(env.tmp, "a.db")
        # 1. the events, with no server to relay them to yet
        dead = "nats://127.0.0.1:%d" % natsrelay.free_port()
        env.start_daemon("a", [dead], db=db)
        env.grow(PER)
        env.poll_all("a")
        wait_for(60, lambda: (env.status("a") or {}).get("head", 0) >= FEEDS * PER,
                 "%d events" % (FEEDS * PER))
        # some items of f2 change and new ones come: briefing.updated and
        # briefing.new events of one feed next to each other
        env.items[2] += 3
        env.write_feed(2)
        with open(os.path.join(env.www, "f2.xml")) as fh:
            x = fh.read()
        for i in range(5):
            x = x.replace("<title>Briefing 2-%d</title>" % i,
                          "<title>Briefing 2-%d, corrected</title>" % i)
        with open(os.path.join(env.www, "f2.xml"), "w") as fh:
            fh.write(x)
        env.cli("a", "poll", "f2")
        wait_for(60, lambda: (env.status("a") or {}).get("head", 0) >= FEEDS * PER + 8,
                 "the update events")
        d = env.daemons["a"][0]
        d.terminate()
        d.wait()
        c = sqlite3.connect(db)
        for lo, hi in HOLES:
            c.execute("DELETE FROM events WHERE seq BETWEEN ? AND ?", (lo, hi))
        c.commit()
        rows = c.execute("SELECT seq, type, feed, json FROM events ORDER BY seq").fetchall()
        origin = c.execute("SELECT value FROM meta WHERE key = 'origin'").fetchone()[0]
        c.close()
        if rows[2047][0] != 2060 or rows[2048][0] != 2071:
            fail("the third page does not begin after a hole: rows 2048, 2049 are seqs %d, %d"
                 % (rows[2047][0], rows[2048][0]))
        if not any(a[2] == b[2] and a[1] != b[1] for a, b in zip(rows, rows[1:])):
            fail("no briefing.updated event next to a briefing.new one of its feed: %r"
                 % [r[:3] for r in rows[-10:]])
        # 2. relayed into a new stream
        ns.start()
        env.start_daemon("b", [ns.url()], db=db)
        env.wait_lag0("b")
        want = []
        prev = 0
        for seq, typ, feed, line in rows:
            if seq != prev + 1:
                want.append(("gap", prev + 1, seq - 1))
            want.append(("ev", seq, typ, feed, line))
            prev = seq
        raw = RawNats(ns.port)
        got = raw.request("$JS.API.STREAM.INFO.PAGES", b"")
        n = got["state"]["messages"]
        if n != len(want) or got["state"]["last_seq"] != len(want):
            fail("stream holds %d messages (last %d), want %d: %d events and %d gap notes"
                 % (n, got["state"]["last_seq"], len(want), len(rows), len(HOLES)))
        for i, w in enumerate(want, 1):
            subj, hdrs, body = raw.msg("PAGES", i)
            if w[0] == "gap":
                note = {"type": "gap", "from": w[1], "to": w[2]}
                if subj != "pages.ctl.gap" or json.loads(body) != note:
                    fail("stream message %d: %s %r, want the gap note %r" % (i, subj, body, note))
                continue
            _, seq, typ, feed, line = w
            esubj = "pages.ev.%s.%s" % ("updated" if typ == "briefing.updated" else "new", feed)
            if subj != esubj:
                fail("event %d: subject %s, want %s" % (seq, subj, esubj))
            eh = {"Nats-Msg-Id": "%s:%d" % (origin, seq), "Briefwatch-Seq": str(seq),
                  "Briefwatch-Origin": origin}
            if any(hdrs.get(k) != v for k, v in eh.items()):
                fail("event %d: headers %r, want %r" % (seq, hdrs, eh))
            if body != line.encode():
                fail("event %d: body differs from its line (%d bytes, line %d)"
                     % (seq, len(body), len(line.encode())))
        raw.close()
        if env.relay("b")["gaps"] != len(HOLES):
            fail("status counts %d gaps, want %d" % (env.relay("b")["gaps"], len(HOLES)))
        print("ok - %d events in %d pages relayed, %d of them updates, from %d feeds, with %d holes: "
              "each once, in order, subject, headers and line byte for byte; a gap note before each hole's next event"
              % (len(rows), (len(rows) + 1023) // 1024,
                 sum(1 for r in rows if r[1] == "briefing.updated"), FEEDS, len(HOLES)))
    finally:
        env.cleanup()


if __name__ == "__main__":
    main()
