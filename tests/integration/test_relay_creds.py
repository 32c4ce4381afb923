#!/usr/bin/env python3
"""The NATS relay with a credentials file (`[relay] credentials =`, a user
JWT and its nkey seed) against a real nats-server -c CONF on 127.0.0.1 in
operator mode: JWTs signed by an operator and its accounts, a memory
resolver preloaded with the accounts, JetStream enabled for the relay's
account. Debian 12 has no `nsc`; tests/fixtures/natsauth.py makes the keys,
the JWTs, the .creds files and the server's configuration.

  1. no credentials: the server refuses the relay (Authorization
     Violation) and `briefwatch tail --nats` without --creds: so the
     server really requires them and what follows proves they are used.
  2. the right .creds: the relay connects and relays; lag 0.
  3. a .creds of a user signed by an account the server does not know
     (another operator's): the relay in error with the server's reason,
     logged once at error level, ingest goes on, nothing published.
  4. a .creds whose seed is another user's than its JWT's: the same.
  5. an expired user JWT: the same; a user of an account without
     JetStream limits: the relay in error with "JetStream not enabled".
     A malformed .creds (no seed): the same, with the client's reason.
  6. a missing .creds file: the same, with the path; then the file is
     written and the relay, which reads it at each connection, relays (a
     stream of its own, so its origin is not fenced by daemon 2's).
  7. daemon 2 relays more, stops; `briefwatch tail --nats --creds` reads
     the stream back: an exact, in-order copy of its events table; the
     same for daemon 6's stream.
  8. plain nkey authentication (`[relay] nkey = SEEDFILE`, no JWT) against
     a second server whose `authorization { users = [{nkey: U...}] }`
     lists one user's public key: that user's seed relays, read back with
     `tail --nats --nkey` (exact copy); another user's seed is refused
     (Authorization Violation); no nkey is refused; a missing or
     malformed seed file, or an account's seed, stops briefwatchd at
     start with the reason, and fails a reload (the relay goes on).

    test_relay_creds.py BUILD_DIR
"""
import os
import signal
import subprocess
import sys
import time

import natsrelay
from common import fail, wait_for

sys.path.insert(0, os.path.join(natsrelay.SRC, "tests", "fixtures"))
import natsauth  # noqa: E402

natsrelay.need_nats()
if not natsauth.HAVE_CRYPTO:
    print("SKIP: python3-cryptography is not installed (apt-get install python3-cryptography, or make deps)")
    raise SystemExit(77)

# natsauth's encoding against the operator seed and public key published
# in the nkeys.net README (the nkey format's own example)
_k = natsauth.Key("operator", natsauth.decode(
    "SOAELH6NJCEK4HST5644G4HK7TOAFZGRRJHNM4EUKUY7PPNDLIKO5IH4JM")[2:])
if (_k.public, _k.seed) != ("ODPWIBQJVIQ42462QAFI2RKJC4RZHCQSIVPRDDHWFCJAP52NRZK6Z2YC",
                            "SOAELH6NJCEK4HST5644G4HK7TOAFZGRRJHNM4EUKUY7PPNDLIKO5IH4JM"):
    fail("natsauth: the published nkey example encodes as %s / %s" % (_k.public, _k.seed))

env = natsrelay.Env("bw-creds-", feeds=2)
t0 = time.monotonic()


def path(name):
    return os.path.join(env.tmp, name)


class OperatorNats(natsrelay.Nats):
    """nats-server -c FILE in operator mode (natsauth.server_conf)."""

    def __init__(self, tmp, name, conf_text):
        super().__init__(tmp, name)
        self.conf_text = conf_text

    def start(self):
        conf = os.path.join(self.tmp, "nats-%s.conf" % self.name)
        with open(conf, "w") as fh:
            fh.write(self.conf_text(self.port, self.store))
        self.p = subprocess.Popen([natsrelay.NATS, "-c", conf], stdout=subprocess.DEVNULL,
                                  stderr=open(self.log, "a"))
        natsrelay.procs.append(self.p)
        wait_for(10, lambda: natsrelay.port_open(self.port), "nats-server " + self.name)


def head(db):
    return len(env.events(db))


def log_lines(name, prefix):
    with open(path(name + ".log"), errors="replace") as fh:
        return [l for l in fh if l.startswith(prefix)]


def refused(name, words, what, logged="<3>relay: cannot connect to NATS"):
    """The relay of daemon name is in error with one of words in its
    last_error, says so once in its log, publishes nothing, and its
    ingest goes on."""
    def err():
        r = env.relay(name)
        return r and r["state"] == "error" and any(w in r["last_error"] for w in words)
    wait_for(30, err, "%s: the relay in error (%s)" % (what, " or ".join(words)))
    db = path(name + ".db")
    wait_for(30, lambda: head(db) >= env.feeds * env.items[0], "%s: ingest" % what)
    r = env.relay(name)
    if r["acked"] != 0 or r["published"] != 0 or r["state"] != "error":
        fail("%s: the relay published: %r" % (what, r))
    lines = log_lines(name, logged)
    if not lines:
        fail("%s: no error line in the log" % what)
    if len(lines) > 2:
        fail("%s: the error logged %d times, not once: %r" % (what, len(lines), lines[:3]))
    print("ok - %s: status says \"%s\"; logged once; ingest went on (%d events), nothing published"
          % (what, r["last_error"], head(db)))


def creds_conf(creds, **extra):
    keys = {"credentials": creds, "ack_wait": "2s"}
    keys.update(extra)
    return "".join("%s = %s\n" % (k, v) for k, v in keys.items() if v is not None)


def no_sanitizer_report(what, stderr):
    """Under make check-sanitize, a failing command must not fail by a
    sanitizer's report (a leak or worse on its error path)."""
    if "Sanitizer" in stderr or "runtime error:" in stderr:
        fail("%s: a sanitizer report:\n%s" % (what, stderr[-3000:]))


def tail(url, *args):
    r = subprocess.run([os.path.join(env.B, "briefwatch"), "tail", "--nats", url,
                        "--since", "0", "--json", "--idle-exit", "2s"] + list(args),
                       capture_output=True, text=True, timeout=120)
    no_sanitizer_report("tail --nats " + " ".join(args), r.stderr)
    return r


def check_copy(url, db, what, *args):
    ev = env.events(db)
    r = tail(url, *args)
    if r.returncode != 0:
        fail("%s: tail --nats: exit %d: %s" % (what, r.returncode, r.stderr))
    st = r.stdout.splitlines()
    if st != ev:
        fail("%s: the stream (%d messages) is not the events table (%d events)"
             % (what, len(st), len(ev)))
    print("ok - %s: stream = events table, %d events, in order, 0 lost, 0 duplicated"
          % (what, len(ev)))


try:
    # The server's operator, its system account and the relay's account
    # (JetStream on); users of it, and of an account it does not know.
    op = natsauth.Operator("bw-test-op")
    sys_acct = op.account("SYS", jetstream=False)
    op.system_account = sys_acct
    acct = op.account("BRIEFWATCH")
    good = acct.user("relay")
    rogue_op = natsauth.Operator("rogue-op")
    stranger = rogue_op.account("BRIEFWATCH").user("relay")
    other_user = acct.user("other")
    expired = acct.user("relay", expires=time.time() - 3600)
    nojs = op.account("NOJS", jetstream=False)
    natsauth.write_creds(path("expired.creds"), expired)
    natsauth.write_creds(path("nojs.creds"), nojs.user("relay"))
    natsauth.write_creds(path("relay.creds"), good)
    natsauth.write_creds(path("stranger.creds"), stranger)
    with open(path("mixed.creds"), "w") as fh:
        fh.write(natsauth.creds_text(good.jwt, other_user.key.seed))
    with open(path("malformed.creds"), "w") as fh:
        fh.write(natsauth.creds_text(good.jwt, "").replace(
            "-----BEGIN USER NKEY SEED-----\n\n------END USER NKEY SEED------\n", ""))
    ns = OperatorNats(env.tmp, "s1", lambda port, store: natsauth.server_conf(
        op, [sys_acct, acct, nojs], sys_acct, port, store))
    ns.start()
    url = ns.url()
    env.grow(10)

    # 1. no credentials: refused (the server does require them)
    env.relay_extra = "ack_wait = 2s\n"
    env.start_daemon("none", [url])
    env.poll_all("none")
    refused("none", ["Authorization Violation", "authorization"], "no credentials")
    r = tail(url)
    if r.returncode == 0 or "Authorization Violation" not in r.stderr:
        fail("tail --nats without --creds: exit %d, %r" % (r.returncode, r.stderr))
    print("ok - tail --nats without --creds: refused: %s" % r.stderr.strip())

    # 2. the right credentials
    env.relay_extra = creds_conf(path("relay.creds"))
    db = path("a.db")
    env.start_daemon("a", [url])
    env.poll_all("a")
    wait_for(20, lambda: head(db) >= 20, "20 events in a")
    env.wait_lag0("a")
    r = env.relay("a")
    if r["acked"] != head(db) or r["last_error"]:
        fail("credentials: relay %r, head %d" % (r, head(db)))
    print("ok - credentials file: relayed %d events, lag 0" % r["acked"])

    # 3.-6. bad credentials, each daemon with its own database (another
    # origin: a relay that got through would be fenced, not in error)
    bad = [("stranger", path("stranger.creds"), ["Authorization Violation", "authorization"],
            "a user of an account the server does not know"),
           ("mixed", path("mixed.creds"), ["Authorization Violation", "authorization"],
            "a seed that is not the JWT's user's"),
           ("expired", path("expired.creds"), ["Authorization Violation", "authorization"],
            "an expired user JWT"),
           ("malformed", path("malformed.creds"), ["no nkey user seed found"],
            "a malformed credentials file (no seed)"),
           ("missing", path("missing.creds"), ["error opening file", "missing.creds"],
            "a missing credentials file")]
    for name, creds, _, _ in bad:
        extra = {"stream": "BWMISSING", "subject_prefix": "bwmissing"} if name == "missing" else {}
        env.relay_extra = creds_conf(creds, **extra)
        env.start_daemon(name, [url])
        env.poll_all(name)
    env.relay_extra = creds_conf(path("nojs.creds"))
    env.start_daemon("nojs", [url])
    env.poll_all("nojs")
    for name, _, words, what in bad:
        refused(name, words, what)
    refused("nojs", ["JetStream not enabled"], "an account without JetStream",
            logged="<3>relay: stream")
    missing = [l for l in log_lines("missing", "<3>relay:") if "missing.creds" in l]
    if not missing:
        fail("a missing credentials file: the log does not name it")

    # 6. the missing file appears: the relay reads it at its next try
    natsauth.write_creds(path("missing.creds.tmp"), good)
    os.rename(path("missing.creds.tmp"), path("missing.creds"))
    env.wait_lag0("missing")
    r = env.relay("missing")
    if r["acked"] != head(path("missing.db")) or r["acked"] == 0:
        fail("missing credentials, then written: relay %r" % r)
    print("ok - the missing credentials file written: relayed %d events, lag 0" % r["acked"])

    # 7. more events; the streams read back with tail --creds
    env.grow(5)
    env.poll_all("a")
    wait_for(20, lambda: head(db) >= 30, "30 events in a")
    env.wait_lag0("a")
    for name in list(env.daemons):
        d = env.daemons[name][0]
        d.terminate()
        if d.wait(timeout=30) != 0:
            fail("daemon %s exited %d on SIGTERM (a sanitizer report?)" % (name, d.returncode))
    check_copy(url, db, "credentials relay, read back with tail --creds",
               "--creds", path("relay.creds"))
    check_copy(url, path("missing.db"), "the late credentials' relay, read back",
               "--creds", path("relay.creds"), "--stream", "BWMISSING",
               "--subject-prefix", "bwmissing")
    r = tail(url, "--creds", path("stranger.creds"))
    if r.returncode == 0 or "Authorization Violation" not in r.stderr:
        fail("tail --creds of an unknown account: exit %d, %r" % (r.returncode, r.stderr))
    print("ok - tail --creds of an unknown account: refused: %s" % r.stderr.strip())

    # 8. plain nkeys
    nk_user, nk_other = natsauth.Key("user"), natsauth.Key("user")
    for name, key in (("nk.seed", nk_user), ("other.seed", nk_other),
                      ("account.seed", natsauth.Key("account"))):
        with open(path(name), "w") as fh:
            fh.write(key.seed + "\n")
    with open(path("typo.seed"), "w") as fh:
        fh.write(nk_user.seed[:20] + ("A" if nk_user.seed[20] != "A" else "B")
                 + nk_user.seed[21:] + "\n")
    ns2 = OperatorNats(env.tmp, "s2", lambda port, store: (
        'listen: "127.0.0.1:%d"\nserver_name: "s2"\njetstream { store_dir: "%s" }\n'
        "authorization { users = [ {nkey: %s} ] }\n" % (port, store, nk_user.public)))
    ns2.start()
    url2 = ns2.url()
    env.relay_extra = "nkey = %s\nack_wait = 2s\n" % path("nk.seed")
    env.start_daemon("nk", [url2])
    env.poll_all("nk")
    wait_for(20, lambda: head(path("nk.db")) >= 30, "30 events in nk")
    env.wait_lag0("nk")
    print("ok - nkey seed file: relayed %d events, lag 0" % env.relay("nk")["acked"])
    env.relay_extra = "nkey = %s\nack_wait = 2s\n" % path("other.seed")
    env.start_daemon("nkother", [url2])
    env.poll_all("nkother")
    refused("nkother", ["Authorization Violation"], "nkey: a user the server does not list")
    # a reload to a mistyped seed fails with the reason; the relay goes on
    env.relay_extra = "nkey = %s\nack_wait = 2s\n" % path("typo.seed")
    env.conf("nk", [url2])
    env.daemons["nk"][0].send_signal(signal.SIGHUP)
    wait_for(30, lambda: "checksum is wrong" in (env.status("nk").get("last_reload_error") or ""),
             "the reload to a mistyped seed refused")
    env.grow(5)
    env.poll_all("nk")
    wait_for(20, lambda: head(path("nk.db")) >= 40, "40 events in nk")
    env.wait_lag0("nk")
    print("ok - a reload to a mistyped nkey seed: \"%s\"; the relay went on (%d events)"
          % (env.status("nk")["last_reload_error"], env.relay("nk")["acked"]))
    for name in ("nk", "nkother"):
        d = env.daemons[name][0]
        d.terminate()
        if d.wait(timeout=30) != 0:
            fail("daemon %s exited %d on SIGTERM" % (name, d.returncode))
    check_copy(url2, path("nk.db"), "nkey relay, read back with tail --nkey",
               "--nkey", path("nk.seed"))
    r = tail(url2)
    if r.returncode == 0 or "Authorization Violation" not in r.stderr:
        fail("tail --nats without --nkey: exit %d, %r" % (r.returncode, r.stderr))
    print("ok - tail --nats without --nkey: refused")
    for seed, words in ((path("missing.seed"), "No such file or directory"),
                        (path("typo.seed"), "checksum is wrong"),
                        (path("account.seed"), "not a user's"),
                        (path("malformed.creds"), "no nkey seed")):
        env.relay_extra = "nkey = %s\n" % seed
        conf = env.conf("nkbad", [url2])
        r = subprocess.run([os.path.join(env.B, "briefwatchd"), "--config", conf],
                           capture_output=True, text=True, timeout=30)
        no_sanitizer_report("nkey = " + seed, r.stderr)
        if r.returncode == 0 or words not in r.stderr or seed not in r.stderr:
            fail("nkey = %s: briefwatchd exit %d, %r" % (seed, r.returncode, r.stderr[-500:]))
        print("ok - nkey = %s: briefwatchd refuses to start: %s"
              % (os.path.basename(seed), r.stderr.strip().splitlines()[-1]))
    print("ok - test_relay_creds (%.0f s)" % (time.monotonic() - t0))
finally:
    env.cleanup()
