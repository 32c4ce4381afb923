#!/usr/bin/env python3
"""type = feed outputs: an Atom 1.0 and a JSON Feed 1.1 file of the last N
briefings matching a standing query, rewritten atomically on each match,
parsed by feedparser (python3-feedparser) and checked by
tests/fixtures/jsonfeed_check.py; kept across a restart. Real parts:
fixture HTTP server, briefwatchd, SQLite, Unix socket.

    test_output_feed.py BUILD_DIR
"""
import json
import os
import shutil
import signal
import sys
import tempfile
import time

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
sys.path.insert(0, os.path.join(SRC, "tests", "fixtures"))
import common  # noqa: E402
import jsonfeed_check  # noqa: E402
from common import fail, wait_for  # noqa: E402
try:
    import feedparser
except ImportError:
    # Debian's package is for Debian's python3; another python3 may come
    # first on PATH (pyenv).
    if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("python3-feedparser is not installed (make deps)")
    sys.exit(77)

tmp = tempfile.mkdtemp(prefix="bw-ofeed-")
common.log = os.path.join(tmp, "daemon.log")


def cli(*args):
    return common.cli(B, sock, *args)


def write_feed(items):
    body = "".join(
        "<item><title>%s</title><link>%s/b/%d.html</link><guid>g-%d</guid>"
        "<description>%s</description></item>\n" % (t, base, i, i, d)
        for i, (t, d) in enumerate(items))
    common.write_file(os.path.join(www, "f.xml"), common.rss("F", body, base))


def start_daemon():
    d = common.start_daemon(B, conf)
    common.wait_answers(B, sock)
    return d


def check_files(want_titles):
    atom = feedparser.parse(os.path.join(tmp, "out.atom"))
    if atom.bozo:
        fail("feedparser: %s" % atom.bozo_exception)
    if atom.version != "atom10":
        fail("not Atom 1.0: %r" % atom.version)
    titles = [e.title for e in atom.entries]
    if titles != want_titles:
        fail("atom titles %r, want %r" % (titles, want_titles))
    for e in atom.entries:
        if not e.link.startswith(base + "/b/") or "[sanctions]" not in e.content[0].value.lower():
            fail("atom entry without link or matched snippet: %r" % e)
        if not e.summary:
            fail("atom entry without summary")
    with open(os.path.join(tmp, "out.json")) as fh:
        jf = json.load(fh)
    p = jsonfeed_check.problems(jf)
    if p:
        fail("JSON Feed: %s" % p)
    jt = [it["title"] for it in jf["items"]]
    if jt != want_titles:
        fail("json titles %r, want %r" % (jt, want_titles))
    if any("[sanctions]" not in it["_briefwatch"]["snippet"].lower() for it in jf["items"]):
        fail("json item without the matched snippet")
    # Debian 12's feedparser (6.0.10) reads no JSON Feed: the validator
    # above is the check for that file.


if len(jsonfeed_check.problems({"version": "https://jsonfeed.org/version/1",
                                 "items": [{"id": 1, "date_modified": "today"}]})) < 4:
    fail("the JSON Feed validator passes a broken feed")
try:
    B = common.copy_binaries(B, tmp)
    www = os.path.join(tmp, "www", "feeds")
    os.makedirs(www)
    base = common.start_fixture_server(os.path.join(tmp, "www"), os.path.join(tmp, "port"))
    items = []
    for i in range(9):
        if i % 3 == 2:
            items.append(("Weather %d" % i, "Nothing about it."))
        else:
            items.append(("Briefing %d <&> \"q\"" .replace("<&>", "&lt;&amp;&gt;") % i,
                          "Remarks on sanctions and trade, part %d." % i))
    write_feed(items)
    sock = os.path.join(tmp, "bw.sock")
    conf = os.path.join(tmp, "bw.conf")
    with open(conf, "w") as fh:
        fh.write(common.daemon_section(tmp + "/bw.db", sock, fetch_pages="no", interval="1h"))
        fh.write("[feed f]\nurl = %s/feeds/f.xml\n" % base)
        fh.write("[output news]\ntype = feed\natom_file = %s/out.atom\njson_file = %s/out.json\n"
                 "query = sanctions\nitems = 5\nstart = beginning\ntitle = Sanctions desk\n"
                 "link = https://news.example.org/sanctions.atom\n" % (tmp, tmp))
    d = start_daemon()
    matching = [t.replace("&lt;&amp;&gt;", "<&>") for t, desc in items if "sanctions" in desc]
    want = matching[:5]  # the feed lists newest first: stored last, highest seq

    def has(n):
        try:
            return len(json.load(open(os.path.join(tmp, "out.json")))["items"]) == n and \
                json.load(open(os.path.join(tmp, "out.json")))["items"][0]["title"] == want[0]
        except (OSError, ValueError, KeyError, IndexError):
            return False
    wait_for(20, lambda: has(5), "5 entries in the JSON Feed")
    check_files(want)
    print("ok - Atom (feedparser: atom10, no bozo) and JSON Feed 1.1 (validator) of the "
          "last 5 of %d matching briefings, with link, summary and [matched] snippet"
          % len(matching))

    items.append(("Late news", "New sanctions announced."))
    write_feed(items)
    r = cli("poll", "f")
    if r.returncode:
        fail("poll: " + r.stderr)
    want = ["Late news"] + want[:4]
    wait_for(10, lambda: has(5), "the new entry first")
    check_files(want)
    print("ok - a new match is added first, the oldest dropped (5 kept)")

    d.send_signal(signal.SIGKILL)
    d.wait()
    d = start_daemon()
    time.sleep(0.5)
    check_files(want)
    st = [o for o in json.loads(cli("status", "--json").stdout)["outputs"] if o["name"] == "news"]
    if not st or st[0]["state"] != "ok":
        fail("status of the feed output: %r" % st)
    print("ok - after kill -9 and restart the files are rewritten the same, nothing lost")
    common.stop_daemon(d, timeout=20)
finally:
    common.reap()
    if not os.environ.get("BW_KEEP"):
        shutil.rmtree(tmp, ignore_errors=True)
