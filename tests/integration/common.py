"""What the Python integration tests share: a failure that shows the tail
of the daemon's log, waiting for a condition, the processes a test starts
(the fixture HTTP server, receivers that announce their port in a file,
briefwatchd) and stopping every one of them.

    import common
    common.log = os.path.join(tmp, "daemon.log")   # shown by fail()
    bindir = common.copy_binaries(B, tmp)
    base = common.start_fixture_server(www, os.path.join(tmp, "port"))
    d = common.start_daemon(bindir, conf)          # in common.procs
    common.wait_answers(bindir, sock)
    try: ... finally: common.reap()
"""
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time

# The source tree (tests/fixtures/ is below it).
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

log = None    # the daemon's log file, once the test has one
procs = []    # every process the test started
LOG_TAIL = 40  # lines of the log fail() shows


def fail(msg):
    print("FAIL: " + msg)
    if log and os.path.exists(log):
        print("--- daemon log (tail)")
        with open(log, errors="replace") as f:
            print("".join(f.readlines()[-LOG_TAIL:]))
    sys.exit(1)


def wait_for(timeout, cond, what, errors=()):
    """Poll cond() every 0.1 s for at most timeout seconds (a bound, not a
    measurement); its first truthy value, or fail(). An exception of one
    of the types in errors counts as "not yet"."""
    end = time.monotonic() + timeout
    while True:
        try:
            v = cond()
        except errors:
            v = None
        if v:
            return v
        if time.monotonic() > end:
            fail("timed out waiting for " + what)
        time.sleep(0.1)


def reap():
    """Kill what is still running of common.procs, newest first."""
    for p in reversed(procs):
        if p.poll() is None:
            p.kill()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def start(argv, stderr=subprocess.DEVNULL, **kw):
    """Popen(argv) recorded in procs (reap() stops it). stderr: a path
    (appended to), a file, or a subprocess constant."""
    if isinstance(stderr, str):
        stderr = open(stderr, "a")
    p = subprocess.Popen(argv, stderr=stderr, **kw)
    procs.append(p)
    return p


def start_with_port(argv, port_file, what, stderr=subprocess.DEVNULL, timeout=10):
    """Start a fixture that writes the port it listens on to port_file
    (argv passes port_file to it); (process, port) once it has."""
    if os.path.exists(port_file):
        os.unlink(port_file)
    p = start(argv, stderr=stderr)

    def ready():
        if p.poll() is not None:
            fail("%s exited at start (status %s)" % (what, p.returncode))
        try:
            with open(port_file) as f:
                return f.read().strip()
        except FileNotFoundError:
            return None
    return p, int(wait_for(timeout, ready, what))


def start_fixture_server(root, port_file, http_log=None, stderr=subprocess.DEVNULL):
    """tests/fixtures/server.py serving root on a free loopback port
    (http_log: its request log); the base URL."""
    argv = [sys.executable, os.path.join(SRC, "tests/fixtures/server.py"),
            "--root", root, "--port", "0", "--port-file", port_file]
    if http_log:
        argv += ["--log", http_log]
    _, port = start_with_port(argv, port_file, "fixture server", stderr=stderr)
    return "http://127.0.0.1:%d" % port


def copy_binaries(bindir, tmp):
    """Private copies of briefwatchd and briefwatch in tmp (a concurrent
    rebuild must not swap them mid-test); tmp, the new bindir."""
    for exe in ("briefwatchd", "briefwatch"):
        shutil.copy2(os.path.join(bindir, exe), os.path.join(tmp, exe))
    return tmp


def rss(title, items, link=None):
    """An RSS 2.0 document: the channel's title, its items (XML text) and,
    with link, the channel's link and a description."""
    head = "<link>%s/</link><description>d</description>\n" % link if link else ""
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title>'
            "%s%s</channel></rss>\n" % (title, head, items))


def write_file(path, text):
    """Write path whole or not at all (the fixture server may be reading
    it): a temporary file renamed over it."""
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def fork_as_nobody(child):
    """Run child(w) in a forked process as uid nobody (no supplementary
    groups), w the write end of a pipe; child's return ends the process
    (status 0, 1 after an exception, which is written to w first: the
    child never returns into the test). Returns (pid, r), r the read end."""
    nobody = pwd.getpwnam("nobody")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            child(w)
            status = 0
        except BaseException as e:
            try:
                os.write(w, ('{"child_error": %s}' % json.dumps(repr(e))).encode())
            except BaseException:
                pass
        finally:
            os._exit(status)
    os.close(w)
    return pid, r


def render(src, dst, base):
    """Copy the fixture tree src to dst, with {BASE} in each *.in file
    replaced by base (the served copy loses the .in); each file written
    whole (a temporary file renamed over it)."""
    for root, _, files in os.walk(src):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), src)
            out = os.path.join(dst, rel[:-3] if rel.endswith(".in") else rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(os.path.join(root, name), "rb") as f:
                data = f.read()
            if rel.endswith(".in"):
                data = data.replace(b"{BASE}", base.encode())
            with open(out + ".tmp", "wb") as f:
                f.write(data)
            os.rename(out + ".tmp", out)


def daemon_section(db, sock, **keys):
    """The [daemon] section the tests start from: database, socket,
    allow_private = yes (the fixtures are on 127.0.0.1), then keys in
    order (fetch_pages="no", interval="1h", ...)."""
    text = "[daemon]\ndatabase = %s\nsocket = %s\nallow_private = yes\n" % (db, sock)
    return text + "".join("%s = %s\n" % kv for kv in keys.items())


def start_daemon(bindir, conf, *args, mode="a", **popen):
    """briefwatchd --config conf args..., its stderr to common.log (opened
    with mode), in procs; popen: more Popen arguments (stdout=...). Does
    not wait: see wait_answers/wait_socket."""
    return start([os.path.join(bindir, "briefwatchd"), "--config", conf] + list(args),
                 stderr=open(log, mode), **popen)


def cli(bindir, sock, *args, timeout=20):
    """briefwatch --socket sock args...: the CompletedProcess (text)."""
    return subprocess.run([os.path.join(bindir, "briefwatch"), "--socket", sock] + list(args),
                          capture_output=True, text=True, timeout=timeout)


def wait_answers(bindir, sock, timeout=10):
    """Until the daemon answers `briefwatch status` on sock."""
    wait_for(timeout, lambda: cli(bindir, sock, "status", "--json").returncode == 0,
             "the daemon")


def wait_socket(sock, proc=None, timeout=10):
    """Until sock exists; fail() if proc exits first."""
    def ready():
        if proc is not None and proc.poll() is not None:
            fail("the daemon exited at start (status %s)" % proc.returncode)
        return os.path.exists(sock)
    wait_for(timeout, ready, "the daemon's socket " + sock)


def stop_daemon(d, timeout=30):
    """SIGTERM to the daemon d; fail() unless it exits 0 within timeout."""
    d.send_signal(signal.SIGTERM)
    try:
        rc = d.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        fail("the daemon did not exit within %d s of SIGTERM" % timeout)
    if rc != 0:
        fail("daemon exit status %d" % rc)


def read_jsonl(path):
    """The whole lines of a JSON-lines file a fixture is still writing, each
    parsed; [] while it does not exist."""
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.endswith("\n")]
    except FileNotFoundError:
        return []
