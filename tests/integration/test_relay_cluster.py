#!/usr/bin/env python3
"""The NATS relay against a 3-node JetStream cluster on three loopback
ports, the stream with 3 replicas: the stream's leader is killed with
SIGKILL while events are being relayed, another node takes over, the
killed one comes back; the stream ends an exact, in-order copy of the
events table (0 lost, 0 duplicated), read from each node.

    test_relay_cluster.py BUILD_DIR
"""
import json
import os
import subprocess
import time

import natsrelay
from common import fail, wait_for

env = natsrelay.Env("bw-cluster-", feeds=4, relay_extra="ack_wait = 2s\nreplicas = 3\n")
t0 = time.monotonic()
try:
    ports = [natsrelay.free_port() for _ in range(3)]
    cports = [natsrelay.free_port() for _ in range(3)]
    routes = ["nats://127.0.0.1:%d" % p for p in cports]
    nodes = [natsrelay.Nats(env.tmp, "n%d" % i, port=ports[i], cluster_port=cports[i],
                            routes=[r for j, r in enumerate(routes) if j != i])
             for i in range(3)]
    for n in nodes:
        n.start()
    urls = [n.url() for n in nodes]
    db = os.path.join(env.tmp, "a.db")

    env.grow(100)
    env.start_daemon("a", urls)
    env.poll_all("a")
    wait_for(30, lambda: len(env.events(db)) == 400, "400 events")
    # a cluster needs a moment to elect the stream's leader and create it
    env.wait_lag0("a", timeout=60)
    env.check_copy(urls[0], db, "3-node cluster, replicas 3")

    def leader():
        # the node whose log says last that it became the stream's leader
        # ("[pid] YYYY/MM/DD HH:MM:SS.ffffff [INF] JetStream cluster new
        # stream leader for '$G > BRIEFWATCH'")
        best, when = None, ""
        for n in nodes:
            with open(n.log) as fh:
                for line in fh:
                    if "new stream leader" in line and "BRIEFWATCH" in line:
                        t = " ".join(line.split()[1:3])
                        if t > when:
                            best, when = n, t
        return best

    for rnd in range(2):
        victim = leader()
        if victim is None:
            fail("no stream leader found in the servers' logs")
        env.grow(500)
        env.poll_all("a")
        time.sleep(0.2)
        victim.kill()
        print("killed the stream's leader %s mid-stream" % victim.name)
        wait_for(60, lambda: len(env.events(db)) == sum(env.items), "all events stored")
        env.wait_lag0("a", timeout=120)
        alive = [n for n in nodes if n is not victim]
        env.check_copy(alive[0].url(), db, "stream leader %s killed" % victim.name)
        victim.start()
        time.sleep(1)
    for n in nodes:
        wait_for(60, lambda: env.stream(n.url()) == env.events(db),
                 "node %s to hold the whole stream" % n.name)
    print("ok - every node reads back the same %d events" % len(env.events(db)))
    print("ok - test_relay_cluster took %.1f s" % (time.monotonic() - t0))
finally:
    env.cleanup()
