#!/usr/bin/env python3
"""The NATS relay against a real nats-server -js on 127.0.0.1, through
failures. Each step ends with the stream read back (`briefwatch tail
--nats`) an exact, in-order copy of the events table: 0 lost, 0
duplicated.

  1. relaying: events stored while the relay runs reach the stream
     promptly, woken by the writer's after-COMMIT hook alone (the relay's
     own idle look at the store is set to 10 minutes); status shows the
     relay's state and lag 0.
  2. the daemon killed with SIGKILL mid-stream (the relay with it), started
     again: it resumes from the stream's last message.
  3. nats-server killed with SIGKILL mid-stream and restarted on the same
     store: the relay reconnects and goes on.
  4. the server paused with SIGSTOP for longer than ack_wait, then SIGCONT.
  5. a durable consumer (`tail --nats --durable`) reads part, is killed,
     and resumes where its acks left it.
  6. the daemon and the server killed with SIGKILL at random points, in
     random order, while events are being ingested (BW_RELAY_SEED).

    test_relay.py BUILD_DIR      (BW_KEEP_TMP=1 keeps the directory)
"""
import os
import random
import signal
import subprocess
import time

import natsrelay
from common import fail, wait_for

env = natsrelay.Env("bw-relay-", feeds=4, relay_extra="ack_wait = 2s\nwindow = 64\n")
t0 = time.monotonic()
try:
    ns = natsrelay.Nats(env.tmp, "n1")
    ns.start()
    db = os.path.join(env.tmp, "a.db")

    # 1. plain relaying
    env.grow(50)
    d = env.start_daemon("a", [ns.url()], env={"BW_RELAY_IDLE_MS": "600000"})
    env.wait_lag0("a")  # relaying, caught up, waiting
    t_poll = time.monotonic()
    env.poll_all("a")
    wait_for(30, lambda: len(env.events(db)) == 200, "200 events")
    # without the writer's kick the relay would sleep for 10 minutes
    env.wait_lag0("a", timeout=60)
    print("ok - the writer's after-COMMIT hook woke the relay: 200 events "
          "relayed %.1f s after the polls began" % (time.monotonic() - t_poll))
    r = env.relay("a")
    if r["published"] != 200 or not r["origin"]:
        fail("status: %r" % r)
    env.check_copy(ns.url(), db, "relaying")
    st = subprocess.run([os.path.join(env.B, "briefwatch"), "--socket",
                         os.path.join(env.tmp, "a.sock"), "metrics"],
                        capture_output=True, text=True).stdout
    if "briefwatch_relay_lag 0" not in st or "briefwatch_relay_up 1" not in st:
        fail("metrics lack the relay:\n" + st)
    print("ok - status and metrics show the relay relaying, lag 0")

    # 2. the daemon (and its relay) killed mid-stream, several times
    for rnd in range(3):
        env.grow(500)
        env.poll_all("a")
        # kill once the stream has part of the new events
        base = len(env.events(db))
        time.sleep(0.05 + 0.1 * rnd)
        d.send_signal(signal.SIGKILL)
        d.wait()
        d = env.start_daemon("a", [ns.url()])
        env.poll_all("a")
        wait_for(60, lambda: len(env.events(db)) == sum(env.items), "all events stored")
        env.wait_lag0("a")
    env.check_copy(ns.url(), db, "relay killed with SIGKILL 3 times mid-stream")

    # 3. the server killed mid-stream and restarted
    env.grow(500)
    env.poll_all("a")
    time.sleep(0.1)
    ns.kill()
    time.sleep(1)
    ns.start()
    env.poll_all("a")
    wait_for(60, lambda: len(env.events(db)) == sum(env.items), "all events stored")
    env.wait_lag0("a", timeout=90)
    env.check_copy(ns.url(), db, "nats-server killed with SIGKILL mid-stream, restarted")

    # 4. the server paused past ack_wait
    env.grow(300)
    ns.p.send_signal(signal.SIGSTOP)
    env.poll_all("a")
    time.sleep(5)
    r = env.relay("a")
    if r["lag"] == 0:
        fail("lag 0 while the server is stopped: %r" % r)
    ns.p.send_signal(signal.SIGCONT)
    wait_for(60, lambda: len(env.events(db)) == sum(env.items), "all events stored")
    env.wait_lag0("a", timeout=90)
    env.check_copy(ns.url(), db, "nats-server paused (SIGSTOP) for 5 s")

    # 5. a durable consumer killed and resumed
    total = len(env.events(db))
    first = subprocess.run([os.path.join(env.B, "briefwatch"), "tail", "--nats", ns.url(),
                            "--durable", "t1", "--since", "0", "--json", "--count", "700"],
                           capture_output=True, text=True, timeout=60)
    rest = subprocess.run([os.path.join(env.B, "briefwatch"), "tail", "--nats", ns.url(),
                           "--durable", "t1", "--json", "--idle-exit", "2s"],
                          capture_output=True, text=True, timeout=60)
    if first.returncode or rest.returncode:
        fail("tail --durable: %s %s" % (first.stderr, rest.stderr))
    got = first.stdout.splitlines() + rest.stdout.splitlines()
    if got != env.events(db):
        fail("durable consumer: %d + %d lines, table %d" %
             (len(first.stdout.splitlines()), len(rest.stdout.splitlines()), total))
    one = subprocess.run([os.path.join(env.B, "briefwatch"), "tail", "--nats", ns.url(),
                          "--feed", "f2", "--since", "0", "--json", "--idle-exit", "2s"],
                         capture_output=True, text=True, timeout=60).stdout.splitlines()
    if len(one) != env.items[2] or any('"feed":"f2"' not in x for x in one):
        fail("--feed f2: %d lines" % len(one))
    print("ok - durable consumer stopped after 700 and resumed: %d events once each; --feed filters" % total)

    # 6. both killed at random points, in random order, while ingesting
    rng = random.Random(int(os.environ.get("BW_RELAY_SEED", "23")))
    kills = {"daemon": 0, "server": 0}
    for rnd in range(6):
        env.grow(rng.randint(50, 400))
        env.poll_all("a")
        time.sleep(rng.uniform(0, 0.4))
        who = rng.choice(["daemon", "server", "both"])
        if who in ("server", "both"):
            ns.kill()
            kills["server"] += 1
        if who in ("daemon", "both"):
            d.send_signal(signal.SIGKILL)
            d.wait()
            kills["daemon"] += 1
        time.sleep(rng.uniform(0, 1.0))
        if ns.p.poll() is not None:
            ns.start()
        if d.poll() is not None:
            d = env.start_daemon("a", [ns.url()])
        env.poll_all("a")
    wait_for(60, lambda: len(env.events(db)) == sum(env.items), "all events stored")
    env.wait_lag0("a", timeout=120)
    env.check_copy(ns.url(), db, "random kills (daemon %d, server %d times)"
                   % (kills["daemon"], kills["server"]))
    print("ok - test_relay took %.1f s" % (time.monotonic() - t0))
finally:
    env.cleanup()
