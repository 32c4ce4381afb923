#!/usr/bin/env python3
"""A reload (SIGHUP) applies a changed [relay] section: the running relay
stops, one with the new settings starts. Two real nats-server -js on
127.0.0.1.

  1. relaying to server A.
  2. [relay] servers changed to server B, SIGHUP: status says the reload
     was good, the relay relays to B from B's (empty) stream: B's stream is
     an exact copy of the events table, and events ingested after the
     reload reach B, not A (A's stream stops where it was).
  3. a [relay] whose TLS CA file does not exist, SIGHUP: the reload fails
     with that reason (status last_reload), the running relay goes on
     relaying to B.
  4. [relay] removed, SIGHUP: status says the relay is off, ingest goes on.
  5. [relay] back (to B), SIGHUP: the relay resumes from B's last message;
     B's stream is an exact copy of the events table.

    test_relay_reload.py BUILD_DIR
"""
import os
import signal
import time

import natsrelay
from common import fail, wait_for

env = natsrelay.Env("bw-reload-", feeds=2, relay_extra="ack_wait = 2s\n")
t0 = time.monotonic()


def head(db):
    return len(env.events(db))


def reload(name, servers, extra=None, relay=True):
    """Rewrite name's configuration and send SIGHUP; wait for status to
    show a reload newer than the last one."""
    def reloads():
        with open(os.path.join(env.tmp, name + ".log")) as fh:
            return sum(1 for l in fh if "reload failed" in l or "feeds added" in l)
    before = reloads()
    saved = env.relay_extra
    if extra is not None:
        env.relay_extra = extra
    path = env.conf(name, servers)
    env.relay_extra = saved
    if not relay:
        with open(path) as fh:
            text = fh.read()
        a = text.index("[relay]")
        b = text.index("[feed ", a)
        with open(path, "w") as fh:
            fh.write(text[:a] + text[b:])
    env.daemons[name][0].send_signal(signal.SIGHUP)
    wait_for(30, lambda: reloads() > before, "the reload of " + name)
    st = env.status(name)
    return {"text": st.get("last_reload"), "error": st.get("last_reload_error")}


try:
    a = natsrelay.Nats(env.tmp, "A")
    b = natsrelay.Nats(env.tmp, "B")
    a.start()
    b.start()
    db = os.path.join(env.tmp, "d.db")

    # 1. relaying to A
    env.grow(10)
    env.start_daemon("d", [a.url()])
    env.poll_all("d")
    wait_for(20, lambda: head(db) >= 20, "20 events")
    env.wait_lag0("d")
    n_a = env.check_copy(a.url(), db, "before the reload, server A")

    # 2. servers changed to B
    lr = reload("d", [b.url()])
    if lr["error"]:
        fail("reload to B: %r" % lr)
    env.wait_lag0("d")
    env.grow(10)
    env.poll_all("d")
    wait_for(20, lambda: head(db) >= 40, "40 events")
    env.wait_lag0("d")
    env.check_copy(b.url(), db, "after the reload to server B")
    if len(env.stream(a.url())) != n_a:
        fail("server A's stream changed after the reload to B")
    print("ok - server A's stream stayed at %d events" % n_a)

    # 3. a reload with a TLS CA file that does not exist fails, the relay goes on
    lr = reload("d", [b.url()], extra="ack_wait = 2s\ntls_ca = %s/no-such-ca.pem\n" % env.tmp)
    if not lr.get("error") or "no-such-ca.pem" not in lr["error"]:
        fail("a reload with a missing CA file: %r" % lr)
    env.grow(5)
    env.poll_all("d")
    wait_for(20, lambda: head(db) >= 50, "50 events")
    env.wait_lag0("d")
    env.check_copy(b.url(), db, "after a failed reload (%s)" % lr["error"])

    # 4. [relay] removed
    lr = reload("d", [b.url()], relay=False)
    if lr.get("error"):
        fail("reload without [relay]: %r" % lr)
    wait_for(10, lambda: env.relay("d") == {"state": "off"}, "the relay off")
    env.grow(5)
    env.poll_all("d")
    wait_for(20, lambda: head(db) >= 60, "60 events")
    if len(env.stream(b.url())) != 50:
        fail("the relay went on after [relay] was removed")
    print("ok - [relay] removed: relay off, ingest went on, the stream kept 50 events")

    # 5. [relay] back
    lr = reload("d", [b.url()])
    if lr.get("error"):
        fail("reload with [relay] back: %r" % lr)
    env.wait_lag0("d")
    env.check_copy(b.url(), db, "[relay] back: resumed from the stream's last message")
    with open(os.path.join(env.tmp, "d.log")) as fh:
        log = fh.read()
    if log.count("reload: [relay] changed: the relay restarted with the new settings") != 2:
        fail("expected two relay restarts in the log")
    d = env.daemons["d"][0]
    d.terminate()
    if d.wait(timeout=30) != 0:
        fail("the daemon exited %d on SIGTERM after its reloads (a sanitizer report?)" % d.returncode)
    print("ok - test_relay_reload (%.0f s)" % (time.monotonic() - t0))
finally:
    env.cleanup()
