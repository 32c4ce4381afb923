#!/usr/bin/env python3
"""add-output / remove-output: an output added over the socket starts at
once, is kept in outputs.conf beside the database across a restart (with
its cursor: nothing delivered twice), refuses bad settings with the
reason and names the configuration file owns; remove-output stops it and
takes it out of the file. Real parts: fixture HTTP server, briefwatchd,
SQLite, Unix socket, an HTTP receiver.

    test_output_runtime.py BUILD_DIR
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
import common  # noqa: E402
from common import fail, wait_for  # noqa: E402

tmp = tempfile.mkdtemp(prefix="bw-ort-")
common.log = os.path.join(tmp, "daemon.log")


def cli(*args):
    return common.cli(B, sock, *args)


def received():
    try:
        with open(os.path.join(tmp, "recv.log")) as f:
            return [json.loads(x) for x in f if x.endswith("\n") and '"ok"' in x]
    except FileNotFoundError:
        return []


def start_daemon():
    d = common.start_daemon(B, conf)
    common.wait_answers(B, sock)
    return d


def write_feed(n):
    items = "".join("<item><title>B %d</title><link>%s/b/%d.html</link><guid>g%d</guid>"
                    "<description>x</description></item>\n" % (i, base, i, i) for i in range(n))
    common.write_file(os.path.join(www, "f.xml"), common.rss("F", items, base))


try:
    B = common.copy_binaries(B, tmp)
    www = os.path.join(tmp, "www", "feeds")
    os.makedirs(www)
    base = common.start_fixture_server(os.path.join(tmp, "www"), os.path.join(tmp, "port"))
    write_feed(5)
    rp, rport = common.start_with_port(
        [sys.executable, os.path.join(SRC, "tests/fixtures/webhook_recv.py"),
         "--port-file", os.path.join(tmp, "rport"), "--log", os.path.join(tmp, "recv.log")],
        os.path.join(tmp, "rport"), "receiver", stderr=None)
    sock = os.path.join(tmp, "bw.sock")
    conf = os.path.join(tmp, "bw.conf")
    with open(conf, "w") as fh:
        fh.write(common.daemon_section(tmp + "/bw.db", sock, fetch_pages="no", interval="1h"))
        fh.write("[feed f]\nurl = %s/feeds/f.xml\n" % base)
        fh.write("[output fixed]\ntype = feed\njson_file = %s/fixed.json\n" % tmp)
    d = start_daemon()

    r = cli("add-output", "late", "type=webhook", "url=http://127.0.0.1:%d/" % rport,
            "start=beginning", "backoff=100ms")
    if r.returncode or 'added "late"' not in r.stdout:
        fail("add-output: %s %s" % (r.stdout, r.stderr))
    wait_for(15, lambda: len(received()) == 5, "5 events at the added output")
    text = open(os.path.join(tmp, "outputs.conf")).read()
    if "[output late]" not in text or "url = http://127.0.0.1:%d/" % rport not in text:
        fail("outputs.conf:\n" + text)
    print("ok - add-output started a webhook output at once; saved in outputs.conf")

    for args, want in ((["late", "type=webhook", "url=http://x/"], "exists already"),
                       (["fixed", "type=webhook", "url=http://x/"], "exists already"),
                       (["x1", "type=webhook", "url=http://x/", "colour=red"], "unknown key \"colour\""),
                       (["x2", "type=webhook"], "needs url"),
                       (["x3", "type=webhook", "url=http://x/", "query=AND AND"], "query"),
                       # past the socket's term limits, as a subscription's
                       (["x4", "type=webhook", "url=http://x/",
                         "query=" + " OR ".join("w%d" % i for i in range(80))], "too costly")):
        r = cli("add-output", *args)
        if r.returncode == 0 or want not in r.stderr + r.stdout:
            fail("add-output %s: want an error with %r, got %r %r" % (args, want, r.stdout, r.stderr))
    r = cli("remove-output", "fixed")
    if r.returncode == 0 or "configuration file" not in r.stderr + r.stdout:
        fail("remove-output of a config output: %r %r" % (r.stdout, r.stderr))
    if open(os.path.join(tmp, "outputs.conf")).read() != text:
        fail("a refused add changed outputs.conf")
    print("ok - taken names, bad keys, missing url and a bad query are refused with the reason")

    d.send_signal(signal.SIGTERM)
    d.wait(timeout=20)
    write_feed(6)
    d = start_daemon()
    st = json.loads(cli("status", "--json").stdout)["outputs"]
    late = [o for o in st if o["name"] == "late"]
    if not late or late[0]["source"] != "outputs_file":
        fail("after restart: %r" % st)
    wait_for(15, lambda: len(received()) == 6, "the 6th event after restart")
    time.sleep(0.5)
    seqs = [e["seq"] for e in received()]
    if len(set(seqs)) != 6 or seqs != sorted(seqs):
        fail("after restart the receiver got %r" % seqs)
    print("ok - after a restart the added output resumed from its cursor (nothing repeated)")

    r = cli("remove-output", "late")
    if r.returncode or 'removed "late"' not in r.stdout:
        fail("remove-output: %r %r" % (r.stdout, r.stderr))
    if "[output late]" in open(os.path.join(tmp, "outputs.conf")).read():
        fail("remove-output left it in outputs.conf")
    if any(o["name"] == "late" for o in json.loads(cli("status", "--json").stdout)["outputs"]):
        fail("removed output still in status")
    print("ok - remove-output stopped it and took it out of outputs.conf")
    common.stop_daemon(d, timeout=20)
finally:
    common.reap()
    shutil.rmtree(tmp, ignore_errors=True)
