#!/usr/bin/env python3
"""`subscribe` filters on the record's `lang` (red-team pass 2: the key was
silently ignored and every event came through). Three feeds declare
`en-GB`, `fr` and no language; with fetch_pages = no each record's `lang`
is its feed's primary subtag. Live subscribers (the fan-out path) and
replaying ones (`since` 0, the replay path) with `"lang":["en"]`,
`"lang":"fr"` and `["fr","en"]` get exactly their events, in order; a
`pong` after the events marks the end of each stream. A region (`en-GB`)
or a word (`english`) is a `bad_request` naming `"lang"`, and an unknown
key is still ignored (docs/protocol.md's forward compatibility).

Real parts: fixture HTTP server, briefwatchd, SQLite, Unix sockets.

    test_subscribe_lang.py BUILD_DIR
"""
import json
import os
import shutil
import sys
import tempfile

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import common  # noqa: E402
from client import Client  # noqa: E402
from common import fail  # noqa: E402

FEEDS = {"uk": "en-GB", "fr": "fr", "none": None}
PER = 3


def feed_text(name, lang, full):
    items = "".join(
        "<item><title>%s note %d</title><link>http://l.example/%s/%d</link>"
        "<guid>%s-%d</guid><description>Remarks %d.</description></item>"
        % (name, i, name, i, name, i, i) for i in range(PER)) if full else ""
    if lang:
        items = "<language>%s</language>" % lang + items
    return common.rss(name, items)


def until_pong(c, tag):
    """The briefing events c receives before the pong of a ping sent now."""
    c.send({"op": "ping", "id": tag})
    got = []
    while True:
        m = c.recv(timeout=30)
        if m is None:
            fail("%s: connection closed" % tag)
        if m.get("type") == "pong":
            return got
        if m.get("type", "").startswith("briefing."):
            got.append(m)
        elif m.get("type") == "error":
            fail("%s: %r" % (tag, m))


def subscribe(sock, req):
    c = Client(sock)
    c.send(dict(req, op="subscribe"))
    r = c.recv(timeout=10)
    if not r or r.get("type") != "subscribed":
        fail("%r: %r" % (req, r))
    return c


def check(tag, events, want_feeds):
    feeds = [e["briefing"]["feed"] for e in events]
    if sorted(feeds) != sorted(f for f in want_feeds for _ in range(PER)):
        fail("%s: got feeds %r, want %d each of %r" % (tag, feeds, PER, want_feeds))
    seqs = [e["seq"] for e in events]
    if seqs != sorted(set(seqs)):
        fail("%s: seqs not increasing: %r" % (tag, seqs))
    for e in events:
        want = {"uk": "en", "fr": "fr"}.get(e["briefing"]["feed"])
        if e["briefing"].get("lang") != want:
            fail("%s: event %d has lang %r, want %r"
                 % (tag, e["seq"], e["briefing"].get("lang"), want))


tmp = tempfile.mkdtemp(prefix="bw-sublang-")
common.log = os.path.join(tmp, "daemon.log")
try:
    B = common.copy_binaries(B, tmp)
    www = os.path.join(tmp, "www", "feeds")
    os.makedirs(www)
    for name, lang in FEEDS.items():
        common.write_file(os.path.join(www, name + ".xml"), feed_text(name, lang, False))
    base = common.start_fixture_server(os.path.join(tmp, "www"), os.path.join(tmp, "port"))
    sock = os.path.join(tmp, "bw.sock")
    with open(os.path.join(tmp, "bw.conf"), "w") as fh:
        fh.write(common.daemon_section(tmp + "/bw.db", sock, fetch_pages="no", interval="1h"))
        for name in FEEDS:
            fh.write("[feed %s]\nurl = %s/feeds/%s.xml\n" % (name, base, name))
    d = common.start_daemon(B, os.path.join(tmp, "bw.conf"), mode="w")
    common.wait_socket(sock, d)

    cases = [("en", {"lang": ["en"]}, ["uk"]),
             ("fr", {"lang": "fr"}, ["fr"]),
             ("fr+EN", {"lang": ["fr", "EN"]}, ["fr", "uk"]),
             ("en+feed", {"lang": ["en"], "feeds": ["fr"]}, []),
             ("all", {"future_key": 1}, list(FEEDS))]
    live = [(tag, subscribe(sock, req), want) for tag, req, want in cases]

    for name, lang in FEEDS.items():
        common.write_file(os.path.join(www, name + ".xml"), feed_text(name, lang, True))
    with Client(sock) as c:
        for name in FEEDS:
            c.send({"op": "poll", "feed": name})
            r = c.recv(timeout=10)
            if not r or r.get("type") != "poll":
                fail("poll %s: %r" % (name, r))
    allc = live[-1][1]
    got_all = []
    while len(got_all) < PER * len(FEEDS):
        m = allc.recv(timeout=30)
        if m is None:
            fail("unfiltered subscriber closed after %d events" % len(got_all))
        if m.get("type", "").startswith("briefing."):
            got_all.append(m)
    for tag, c, want in live[:-1]:
        check("live " + tag, until_pong(c, tag), want)
        c.close()
    check("live all", got_all, list(FEEDS))
    allc.close()
    print("ok - live subscribers with lang filters got exactly their events")

    for tag, req, want in cases:
        with subscribe(sock, dict(req, since=0)) as c:
            check("replay " + tag, until_pong(c, tag), want)
    print("ok - replaying subscribers (since 0) with lang filters got exactly their events")

    # The CLI's tail --lang (repeatable) is the same filter.
    r = common.cli(B, sock, "tail", "--since", "0", "--lang", "fr", "--lang", "EN",
                   "--count", str(2 * PER), "--json", "--no-reconnect")
    if r.returncode != 0:
        fail("tail --lang fr --lang EN: exit %d: %s" % (r.returncode, r.stderr))
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    check("tail --lang fr --lang EN",
          [m for m in lines if m.get("type", "").startswith("briefing.")], ["fr", "uk"])
    r = common.cli(B, sock, "tail", "--since", "0", "--lang", "en-GB", "--no-reconnect")
    if r.returncode == 0 or "lang" not in r.stderr:
        fail("tail --lang en-GB: exit %d, %r; want a refusal naming lang"
             % (r.returncode, r.stderr))
    print("ok - briefwatch tail --lang: the same filter; a region refused: %s"
          % r.stderr.strip())

    for bad in ({"lang": ["en-GB"]}, {"lang": "english"}, {"lang": [1]}):
        with Client(sock) as c:
            c.send(dict(bad, op="subscribe"))
            r = c.recv(timeout=10)
            if not r or r.get("code") != "bad_request" or '"lang"' not in r.get("message", ""):
                fail("%r: %r, want a bad_request naming \"lang\"" % (bad, r))
    print("ok - a region or a word in lang is a bad_request naming \"lang\"")
    common.stop_daemon(d)
    print("ok - clean shutdown")
finally:
    common.reap()
    shutil.rmtree(tmp, ignore_errors=True)
