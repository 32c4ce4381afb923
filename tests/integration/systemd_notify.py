#!/usr/bin/env python3
"""Stand in for systemd's notify socket in tests (stdlib only).

Usage: systemd_notify.py SOCKET_PATH LOG_FILE

Binds an AF_UNIX datagram socket at SOCKET_PATH (what $NOTIFY_SOCKET
names) and appends one line per datagram received to LOG_FILE:

    <CLOCK_MONOTONIC at receipt, µs> <payload, newlines written as '|'>

flushed at once, so a test can poll the file. The socket exists before
the first byte is written to LOG_FILE (an empty file is created right
after bind), so a caller that waits for LOG_FILE never races the bind.
Runs until SIGTERM/SIGINT; removes SOCKET_PATH on exit.
"""
import os
import signal
import socket
import sys
import time


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    path, log_path = sys.argv[1], sys.argv[2]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    sock.settimeout(0.2)
    with open(log_path + ".tmp", "w"):
        pass
    os.rename(log_path + ".tmp", log_path)
    with open(log_path, "a", encoding="utf-8", errors="replace") as log:
        while not stop:
            try:
                data = sock.recv(65536)
            except socket.timeout:
                continue
            except InterruptedError:
                continue
            now = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
            text = data.decode("utf-8", errors="replace").replace("\n", "|")
            log.write("%d %s\n" % (now, text))
            log.flush()
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
