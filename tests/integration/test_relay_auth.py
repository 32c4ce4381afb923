#!/usr/bin/env python3
"""The NATS relay through TLS and user/password against a real nats-server
-js on 127.0.0.1 whose configuration file requires both: TLS with client
certificates verified (`verify: true`) and a user with a password. The CA,
the server's and the client's certificates, and a second CA that signed
none of them, are made with openssl here.

  1. the right settings (tls_ca, tls_cert, tls_key, user, password): the
     relay connects and relays; lag 0.
  2. a wrong password: `status` shows the relay in error with the server's
     reason (Authorization Violation), the log says it once at error level,
     and ingest goes on (the events table grows).
  3. the wrong CA (tls_ca of the second CA): the same, with the TLS reason
     (certificate verify failed).
  4. no client certificate while the server verifies them: the same, with
     the reason the server or the handshake gives.
  5. the daemon of step 1 relays more, is stopped; the server is started
     again on the same store without TLS or users, and the stream read back
     with `briefwatch tail --nats` is an exact, in-order copy of its events
     table.

A credentials file (`credentials =`, a JWT and an nkey seed) needs the
server in operator mode: test_relay_creds.py.

    test_relay_auth.py BUILD_DIR
"""
import os
import shutil
import subprocess
import time

import natsrelay
from common import fail, wait_for

if not shutil.which("openssl"):
    print("SKIP: openssl is not installed")
    raise SystemExit(77)

env = natsrelay.Env("bw-auth-", feeds=2, relay_extra="ack_wait = 2s\n")
t0 = time.monotonic()
pki = os.path.join(env.tmp, "pki")
os.makedirs(pki)


def openssl(*args):
    r = subprocess.run(["openssl"] + list(args), cwd=pki, capture_output=True, text=True)
    if r.returncode != 0:
        fail("openssl %s: %s" % (" ".join(args), r.stderr))


def make_ca(name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "2",
            "-subj", "/CN=briefwatch test " + name)


def make_cert(name, ca, san):
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name)
    with open(os.path.join(pki, name + ".ext"), "w") as fh:
        fh.write("subjectAltName = %s\n" % san)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
            "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext")


def p(name):
    return os.path.join(pki, name)


class SecureNats(natsrelay.Nats):
    """nats-server -c FILE: TLS with client certificates verified and one
    user, or (plain=True) the same store with neither."""

    def __init__(self, tmp, name, plain=False):
        super().__init__(tmp, name)
        self.plain = plain

    def start(self):
        conf = os.path.join(self.tmp, "nats-%s.conf" % self.name)
        with open(conf, "w") as fh:
            fh.write('listen: "127.0.0.1:%d"\nserver_name: "%s"\n'
                     'jetstream { store_dir: "%s" }\n' % (self.port, self.name, self.store))
            if not self.plain:
                fh.write('tls {\n  cert_file: "%s"\n  key_file: "%s"\n  ca_file: "%s"\n'
                         '  verify: true\n  timeout: 2\n}\n'
                         % (p("server.pem"), p("server.key"), p("ca.pem")))
                fh.write('authorization {\n  user: "relay"\n  password: "s3cret-pw"\n}\n')
        self.p = subprocess.Popen([natsrelay.NATS, "-c", conf], stdout=subprocess.DEVNULL,
                                  stderr=open(self.log, "a"))
        natsrelay.procs.append(self.p)
        wait_for(10, lambda: natsrelay.port_open(self.port), "nats-server " + self.name)


def relay_conf(**over):
    keys = {"tls_ca": p("ca.pem"), "tls_cert": p("client.pem"), "tls_key": p("client.key"),
            "user": "relay", "password": "s3cret-pw", "ack_wait": "2s"}
    keys.update(over)
    return "".join("%s = %s\n" % (k, v) for k, v in keys.items() if v is not None)


def head(db):
    return len(env.events(db))


def refused(name, db, words, what):
    """The relay of daemon name is in error with one of words in its
    last_error, says so once in its log, and its ingest goes on."""
    def err():
        r = env.relay(name)
        return r and r["state"] == "error" and any(w in r["last_error"] for w in words)
    wait_for(30, err, "%s: the relay in error (%s)" % (what, " or ".join(words)))
    r = env.relay(name)
    if r["acked"] != 0 or r["published"] != 0:
        fail("%s: the relay published: %r" % (what, r))
    before = head(db)
    env.grow(5)
    env.poll_all(name)
    wait_for(20, lambda: head(db) >= before + 10, "%s: ingest going on" % what)
    st = env.status(name)
    if st["relay"]["state"] != "error":
        fail("%s: relay state %r" % (what, st["relay"]))
    with open(os.path.join(env.tmp, name + ".log")) as fh:
        lines = [l for l in fh if l.startswith("<3>relay: cannot connect to NATS")]
    if not lines:
        fail("%s: no error line in the log" % what)
    if len(lines) > 2:
        fail("%s: the error logged %d times, not once: %r" % (what, len(lines), lines[:3]))
    print("ok - %s: status says \"%s\"; logged once; ingest went on (%d -> %d events)"
          % (what, r["last_error"], before, head(db)))


try:
    make_ca("ca")
    make_ca("other-ca")
    make_cert("server", "ca", "IP:127.0.0.1,DNS:localhost")
    make_cert("client", "ca", "DNS:briefwatch-relay")
    ns = SecureNats(env.tmp, "s1")
    ns.start()
    url = ns.url()

    # 1. the right settings
    env.relay_extra = relay_conf()
    env.grow(20)
    db = os.path.join(env.tmp, "a.db")
    env.start_daemon("a", [url])
    env.poll_all("a")
    wait_for(20, lambda: head(db) >= 40, "40 events in a")
    env.wait_lag0("a")
    r = env.relay("a")
    if r["acked"] != head(db) or r["last_error"]:
        fail("TLS + password: relay %r, head %d" % (r, head(db)))
    print("ok - TLS with a client certificate and user/password: relayed %d events, lag 0"
          % r["acked"])

    # 2. a wrong password (its own database: another origin, so a
    # relay that got through would be fenced, not in error)
    env.relay_extra = relay_conf(password="wrong")
    env.start_daemon("b", [url])
    refused("b", os.path.join(env.tmp, "b.db"), ["Authorization Violation", "authorization"],
            "wrong password")

    # 3. the wrong CA
    env.relay_extra = relay_conf(tls_ca=p("other-ca.pem"))
    env.start_daemon("c", [url])
    refused("c", os.path.join(env.tmp, "c.db"), ["certificate verify failed", "SSL", "TLS"],
            "the wrong CA")

    # 4. no client certificate
    env.relay_extra = relay_conf(tls_cert=None, tls_key=None)
    env.start_daemon("d", [url])
    refused("d", os.path.join(env.tmp, "d.db"),
            ["client certificate"],
            "no client certificate")

    # 5. more events, then the stream read back without TLS
    env.grow(10)
    env.poll_all("a")
    wait_for(20, lambda: head(db) >= 60, "60 events in a")
    env.wait_lag0("a")
    for name in ("a", "b", "c", "d"):
        d = env.daemons[name][0]
        d.terminate()
        if d.wait(timeout=30) != 0:
            fail("daemon %s exited %d on SIGTERM (a sanitizer report?)" % (name, d.returncode))
    ns.p.terminate()
    ns.p.wait(timeout=30)
    plain = SecureNats(env.tmp, "s1", plain=True)
    plain.port = ns.port
    plain.start()
    env.check_copy(plain.url(), db, "TLS + password relay, read back")
    print("ok - test_relay_auth (%.0f s)" % (time.monotonic() - t0))
finally:
    env.cleanup()
