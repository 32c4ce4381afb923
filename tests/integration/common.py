"""What the Python integration tests share: a failure that shows the tail
of the daemon's log, waiting for a condition, and stopping every process
a test started.

    import common
    common.log = os.path.join(tmp, "daemon.log")   # shown by fail()
    common.procs.append(subprocess.Popen(...))
    try: ... finally: common.reap()
"""
import os
import sys
import time

log = None    # the daemon's log file, once the test has one
procs = []    # every process the test started


def fail(msg):
    print("FAIL: " + msg)
    if log and os.path.exists(log):
        print("--- daemon log (tail)")
        with open(log) as f:
            print("".join(f.readlines()[-20:]))
    sys.exit(1)


def wait_for(timeout, cond, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.1)
    fail("timed out waiting for " + what)


def reap():
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
