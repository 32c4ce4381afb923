#!/usr/bin/env python3
"""The NATS relay refuses a stream that is not its own to continue, and
goes on only after `briefwatch relay-takeover`; event retention spares
what the stream has not acknowledged. Real nats-server -js on 127.0.0.1.

  1. a second daemon (its own database, so another origin) pointed at the
     same stream is fenced: status says why, it publishes nothing, the
     stream stays an exact copy of the first daemon's events table.
  2. a restored older copy of the database (the same origin, a lower head)
     is fenced: the stream is ahead of it. So is the restored copy once its
     head has caught up with different events (its event at the stream's
     last seq differs). After `relay-takeover` it relays again, and the
     stream carries a takeover note, then its new events in order.
  3. retention with the server down for longer than event_retention: the
     daemon's daily upkeep deletes nothing the stream has not acknowledged;
     once the server is back the stream holds every event.

    test_relay_fence.py BUILD_DIR
"""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import natsrelay
from common import fail, wait_for

env = natsrelay.Env("bw-fence-", feeds=2, relay_extra="ack_wait = 2s\n")
t0 = time.monotonic()


def fenced(name, word):
    r = env.relay(name)
    return r and r["state"] == "fenced" and word in r["fence"]


try:
    ns = natsrelay.Nats(env.tmp, "n1")
    ns.start()
    dba = os.path.join(env.tmp, "a.db")
    env.grow(100)
    a = env.start_daemon("a", [ns.url()])
    env.poll_all("a")
    wait_for(30, lambda: len(env.events(dba)) == 200, "200 events")
    env.wait_lag0("a")
    backup = os.path.join(env.tmp, "a-backup.db")
    env.cli("a", "backup", backup)

    # 1. a second daemon with its own database, same stream
    nsock = os.path.join(env.tmp, "notify.sock")
    nlog = os.path.join(env.tmp, "notify.log")
    natsrelay.procs.append(subprocess.Popen(
        [sys.executable, os.path.join(natsrelay.SRC, "tests/integration/systemd_notify.py"),
         nsock, nlog]))
    wait_for(10, lambda: os.path.exists(nlog), "the notify socket")
    b = env.start_daemon("b", [ns.url()], env={"NOTIFY_SOCKET": nsock})
    env.poll_all("b")
    wait_for(30, lambda: fenced("b", "another database"), "b fenced")
    env.poll_all("b")  # a poll's end refreshes STATUS=

    def status_fenced():
        with open(nlog) as fh:
            return "relay FENCED" in fh.read()
    wait_for(15, status_fenced, "STATUS= to say the relay is fenced")
    r = env.relay("b")
    if r["published"] != 0:
        fail("the fenced daemon published %d events" % r["published"])
    st = subprocess.run([os.path.join(env.B, "briefwatch"), "--socket",
                         os.path.join(env.tmp, "b.sock"), "metrics"],
                        capture_output=True, text=True).stdout
    if "briefwatch_relay_fenced 1" not in st:
        fail("metrics do not show the fence")
    with open(os.path.join(env.tmp, "b.log")) as fh:
        if "relay-takeover" not in fh.read():
            fail("b's log does not say how to take over")
    env.grow(50)
    env.poll_all("a")
    env.poll_all("b")
    wait_for(30, lambda: len(env.events(dba)) == 300, "300 events")
    env.wait_lag0("a")
    env.check_copy(ns.url(), dba, "second daemon on the same stream fenced")
    b.send_signal(signal.SIGTERM)
    if b.wait() != 0:
        fail("daemon b exited %d on SIGTERM (a sanitizer report?)" % b.returncode)

    # 2. a restored older copy: same origin, the stream is ahead
    a.send_signal(signal.SIGTERM)
    if a.wait() != 0:
        fail("daemon a exited %d on SIGTERM" % a.returncode)
    shutil.copy(backup, dba)
    for ext in ("-wal", "-shm"):
        if os.path.exists(dba + ext):
            os.unlink(dba + ext)
    stream_before = env.stream(ns.url())
    a = env.start_daemon("a", [ns.url()])
    wait_for(30, lambda: fenced("a", "ahead of our database"), "restored copy fenced")
    print("ok - restored older database fenced: %s" % env.relay("a")["fence"])
    # its head catches up with other events: still fenced, by content
    env.items = [env.items[0] + 60, env.items[1] + 60]
    for f in range(2):
        env.write_feed(f)
    env.poll_all("a")
    wait_for(30, lambda: len(env.events(dba)) == 200 + 220, "420 events in the restored copy")
    wait_for(30, lambda: fenced("a", "differs from ours"), "fenced by content")
    if env.stream(ns.url()) != stream_before:
        fail("the fenced restored copy changed the stream")
    print("ok - restored copy fenced after its head passed the stream's: %s" % env.relay("a")["fence"])
    r = env.cli("a", "relay-takeover")
    if "took over" not in r.stdout:
        fail("relay-takeover: " + r.stdout + r.stderr)
    env.wait_lag0("a")
    head = len(env.events(dba))
    env.grow(10)
    env.poll_all("a")
    wait_for(30, lambda: len(env.events(dba)) == head + 20, "20 more events")
    env.wait_lag0("a")
    st = env.stream(ns.url())
    note = json.loads(st[len(stream_before)])
    after = st[len(stream_before) + 1:]
    ev = env.events(dba)
    if (st[:len(stream_before)] != stream_before or note.get("type") != "takeover"
            or note.get("from") != head or after != ev[head:]):
        fail("after takeover: stream %d, before %d, note %r, after %d, table %d"
             % (len(st), len(stream_before), note, len(after), len(ev)))
    print("ok - relay-takeover: the stream kept its %d messages, a takeover note (from %d), then the %d new events in order"
          % (len(stream_before), head, len(after)))

    # 3. retention while the server is down
    a.send_signal(signal.SIGTERM)
    if a.wait() != 0:
        fail("daemon a exited %d on SIGTERM" % a.returncode)
    conf = env.conf("a", [ns.url()])
    with open(conf) as fh:
        text = fh.read().replace("[daemon]\n", "[daemon]\nevent_retention = 1h\n", 1)
    with open(conf, "w") as fh:
        fh.write(text)
    d = subprocess.Popen([os.path.join(env.B, "briefwatchd"), "--config", conf],
                         stderr=open(os.path.join(env.tmp, "a.log"), "a"),
                         env=dict(os.environ, BW_MAINT_FIRST_MS="6000"))
    natsrelay.procs.append(d)
    started = time.monotonic()
    env.daemons["a"] = (d, conf, os.path.join(env.tmp, "a.sock"))
    wait_for(20, lambda: env.status("a") is not None, "a again")
    env.wait_lag0("a")
    acked = env.relay("a")["acked"]
    ns.kill()
    env.grow(20)
    env.poll_all("a")
    wait_for(30, lambda: len(env.events(dba)) == acked + 40, "40 events while the server is down")
    # every event "two hours old": past event_retention
    c = sqlite3.connect(dba, timeout=10)
    c.execute("UPDATE events SET created = created - 7200")
    c.commit()
    c.close()
    if time.monotonic() - started > 5.5:
        fail("too slow to age the events before the upkeep")
    wait_for(30, lambda: len(env.events(dba)) < acked + 40, "the upkeep to expire events")
    left = sqlite3.connect(dba).execute("SELECT min(seq), count(*) FROM events").fetchone()
    if left != (acked + 1, 40):
        fail("retention left %r, wanted the 40 events after %d" % (left, acked))
    ns.start()
    env.wait_lag0("a", timeout=60)
    st = env.stream(ns.url())
    ev = env.events(dba)
    if st[-40:] != ev or len(set(st)) != len(st):
        fail("after the server came back the stream lacks events")
    print("ok - retention with the server down: the %d acknowledged old events expired, the 40 unacknowledged ones kept; "
          "all reached the stream once the server was back" % acked)

    # 4. a gap that exists anyway (events expired while no relay ran) is
    # announced on <prefix>.ctl.gap before the events after it
    env.relay_extra = "ack_wait = 2s\nstream = GAPS\nsubject_prefix = gaps\n"
    dbc = os.path.join(env.tmp, "c.db")
    env.start_daemon("c", ["nats://127.0.0.1:%d" % natsrelay.free_port()])
    env.poll_all("c")
    wait_for(30, lambda: len(env.events(dbc)) == sum(env.items), "c's events")
    c = env.daemons["c"][0]
    c.send_signal(signal.SIGTERM)
    if c.wait() != 0:
        fail("daemon c exited %d on SIGTERM" % c.returncode)
    db = sqlite3.connect(dbc)
    db.execute("DELETE FROM events WHERE seq <= 15")
    db.commit()
    db.close()
    env.start_daemon("c", [ns.url()])
    env.wait_lag0("c")
    st = env.stream(ns.url(), "--stream", "GAPS", "--subject-prefix", "gaps")
    gap = json.loads(st[0])
    if gap != {"type": "gap", "from": 1, "to": 15} or st[1:] != env.events(dbc):
        fail("gap: stream starts %r, %d messages, table %d" % (st[:1], len(st), len(env.events(dbc))))
    if env.relay("c")["gaps"] != 1:
        fail("status does not count the gap")
    print("ok - events expired before the relay ran: a gap note (1 to 15) on gaps.ctl.gap, then the %d events"
          % (len(st) - 1))
    print("ok - test_relay_fence took %.1f s" % (time.monotonic() - t0))
finally:
    env.cleanup()
