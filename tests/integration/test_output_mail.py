#!/usr/bin/env python3
"""type = mail outputs against a local SMTP sink (tests/fixtures/
smtp_sink.py, Debian's python3-aiosmtpd): STARTTLS required and AUTH from
auth_file; one plain-text message per matching briefing with the speaker
turns that matched; a temporary 451 retried; a digest output sending one
message for several briefings; a permanent refusal (530 without auth)
stopping the output with the reason. Real parts: fixture HTTP server (feed
and a transcript page), briefwatchd, SQLite, Unix socket, SMTP server.

    test_output_mail.py BUILD_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

B = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
import common  # noqa: E402
from common import fail, wait_for  # noqa: E402

if subprocess.run(["/usr/bin/python3", "-c", "import aiosmtpd"],
                  capture_output=True).returncode != 0:
    print("python3-aiosmtpd is not installed (make deps)")
    sys.exit(77)
if not shutil.which("openssl"):
    print("openssl is not installed")
    sys.exit(77)

tmp = tempfile.mkdtemp(prefix="bw-omail-")
common.log = os.path.join(tmp, "daemon.log")


def sink(name, *extra):
    pf = os.path.join(tmp, name + ".port")
    return common.start_with_port(
        ["/usr/bin/python3", os.path.join(SRC, "tests/fixtures/smtp_sink.py"),
         "--port-file", pf, "--out", os.path.join(tmp, name + ".jsonl")] + list(extra),
        pf, "smtp sink " + name, stderr=os.path.join(tmp, name + ".err"), timeout=15)[1]


def mails(name):
    return common.read_jsonl(os.path.join(tmp, name + ".jsonl"))


def cli(*args):
    return common.cli(B, sock, *args)


def status(name):
    r = cli("status", "--json")
    for o in json.loads(r.stdout).get("outputs", []) if r.returncode == 0 else []:
        if o["name"] == name:
            return o
    return {}


try:
    B = common.copy_binaries(B, tmp)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", os.path.join(tmp, "key.pem"), "-out", os.path.join(tmp, "cert.pem"),
                    "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True)
    www = os.path.join(tmp, "www")
    os.makedirs(os.path.join(www, "feeds"))
    os.makedirs(os.path.join(www, "press"))
    shutil.copy(os.path.join(SRC, "tests/fixtures/pages/generic_ministry.html"),
                os.path.join(www, "press", "p0.html"))
    base = common.start_fixture_server(www, os.path.join(tmp, "port"))
    items = ("<item><title>Joint press conference</title><link>%s/press/p0.html</link>"
             "<guid>p0</guid><description>Vienna.</description></item>\n" % base)
    for i in range(1, 4):
        items += ("<item><title>Note %d</title><link>%s/press/n%d.html</link><guid>n%d</guid>"
                  "<description>A note.</description></item>\n" % (i, base, i, i))
    with open(os.path.join(www, "feeds", "f.xml"), "w") as fh:
        fh.write(common.rss("F", items, base))
    with open(os.path.join(tmp, "auth"), "w") as fh:
        fh.write("desk:pa55word\n")
    p_tls = sink("tls", "--cert", os.path.join(tmp, "cert.pem"), "--key",
                 os.path.join(tmp, "key.pem"), "--auth", "desk:pa55word", "--fail-first", "1")
    p_dig = sink("digest")
    p_auth = sink("auth", "--auth", "desk:pa55word")
    sock = os.path.join(tmp, "bw.sock")
    conf = os.path.join(tmp, "bw.conf")
    with open(conf, "w") as fh:
        fh.write(common.daemon_section(tmp + "/bw.db", sock, interval="1h"))
        fh.write("[feed f]\nurl = %s/feeds/f.xml\n" % base)
        fh.write("[output desk]\ntype = mail\nurl = smtp://127.0.0.1:%d\nfrom = bw@example.org\n"
                 "to = desk@example.org, chief@example.org\nauth_file = %s/auth\n"
                 "ca_file = %s/cert.pem\nspeakers = Novak\nstart = beginning\n"
                 "backoff = 100ms\nmax_backoff = 1s\n" % (p_tls, tmp, tmp))
        fh.write("[output daily]\ntype = mail\nurl = smtp://127.0.0.1:%d\nstarttls = no\n"
                 "from = bw@example.org\nto = all@example.org\ndigest = 2s\nstart = beginning\n"
                 % p_dig)
        fh.write("[output noauth]\ntype = mail\nurl = smtp://127.0.0.1:%d\nstarttls = no\n"
                 "from = bw@example.org\nto = x@example.org\nstart = beginning\n" % p_auth)
    d = common.start_daemon(B, conf)
    common.wait_answers(B, sock)

    # 1. per briefing, STARTTLS + AUTH, the matching speaker's turns
    wait_for(20, lambda: len(mails("tls")) >= 1, "the message to desk")
    time.sleep(0.5)
    m = mails("tls")
    if len(m) != 1:
        fail("desk got %d messages, want 1 (only the briefing where Novak speaks)" % len(m))
    m = m[0]
    if not m["tls"] or m["auth"] != "desk" or sorted(m["to"]) != ["chief@example.org", "desk@example.org"]:
        fail("envelope: tls %s auth %s to %s" % (m["tls"], m["auth"], m["to"]))
    data = m["data"]
    for want in ("Subject: [briefwatch] Joint press conference", "Content-Type: text/plain; charset=utf-8",
                 base + "/press/p0.html", "Karel Novak:", "Speakers: Lena Brandt (Foreign Minister)"):
        if want not in data:
            fail("message lacks %r:\n%s" % (want, data[:1500]))
    if "Lena Brandt:\r\n" in data:
        fail("a turn of a speaker the filter does not name")
    if any(len(line) > 998 for line in data.split("\r\n")):
        fail("a line longer than 998 bytes")
    st = status("desk")
    if st.get("failures", 0) < 1:
        fail("the 451 was not counted as a failed attempt: %r" % st)
    print("ok - one message per matching briefing over STARTTLS with AUTH, with Novak's "
          "turns only, after a 451 retried")

    # 2. the digest: all 4 briefings in one message, after its interval
    wait_for(15, lambda: len(mails("digest")) >= 1, "the digest")
    time.sleep(0.5)
    dg = mails("digest")
    if len(dg) != 1 or "Subject: [briefwatch] 4 new briefings" not in dg[0]["data"]:
        fail("digest: %d messages: %s" % (len(dg), dg[0]["data"][:400] if dg else ""))
    for t in ("Joint press conference", "Note 1", "Note 2", "Note 3"):
        if t not in dg[0]["data"]:
            fail("digest lacks %r" % t)
    print("ok - one digest message for 4 briefings")

    # 3. a permanent refusal (530) stops the output with the reason
    wait_for(15, lambda: status("noauth").get("state") == "stopped", "noauth stopped")
    if "530" not in status("noauth").get("last_error", ""):
        fail("no reason: %r" % status("noauth"))
    if mails("auth"):
        fail("mail accepted without auth")
    print("ok - a 530 stopped the output: %s" % status("noauth")["last_error"])
    common.stop_daemon(d, timeout=20)
finally:
    common.reap()
    if not os.environ.get("BW_KEEP"):
        shutil.rmtree(tmp, ignore_errors=True)
