#!/usr/bin/env python3
"""A small stdlib client for the briefwatch subscriber socket
(docs/protocol.md), for integration tests and by hand.

    client.py SOCKET '{"op":"status"}'            one request, print the reply
    client.py SOCKET --tail [--since N] [--count N] [--timeout S]
                                                  subscribe and print lines

As a module:

    with Client(path) as c:
        c.send({"op": "subscribe", "since": 0})
        first = c.recv(timeout=5)          # dict, or None at EOF
        for ev in c.events(timeout=5): ... # briefing events only
"""
import argparse
import json
import socket
import sys
import time


class Timeout(Exception):
    pass


class Client:
    def __init__(self, path, connect_timeout=5.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(connect_timeout)
        self.sock.connect(path)
        self.buf = b""
        self.eof = False

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, obj):
        self.send_raw(json.dumps(obj, separators=(",", ":")).encode() + b"\n")

    def recv_line(self, timeout=5.0):
        """The next line as bytes (without newline), None at EOF; raises
        Timeout when nothing complete arrives within timeout seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if self.eof:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no line within %.1f s" % timeout)
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.eof = True
                if self.buf:
                    line, self.buf = self.buf, b""
                    return line
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def recv(self, timeout=5.0):
        line = self.recv_line(timeout)
        return None if line is None else json.loads(line)

    def request(self, obj, timeout=5.0):
        """Send obj and return the first reply that is not a heartbeat or
        an event."""
        self.send(obj)
        while True:
            r = self.recv(timeout)
            if r is None:
                return None
            t = str(r.get("type", ""))
            if t == "heartbeat" or t.startswith("briefing."):
                continue
            return r

    def events(self, timeout=5.0):
        """Yield briefing events until EOF, overflow or a timeout."""
        while True:
            try:
                r = self.recv(timeout)
            except Timeout:
                return
            if r is None:
                return
            if r.get("type") == "overflow":
                yield r
                return
            if str(r.get("type", "")).startswith("briefing."):
                yield r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("socket")
    ap.add_argument("request", nargs="?", help="one JSON request line")
    ap.add_argument("--tail", action="store_true")
    ap.add_argument("--since", type=int)
    ap.add_argument("--count", type=int, default=-1)
    ap.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args()
    with Client(a.socket) as c:
        if not a.tail:
            if not a.request:
                ap.error("give a request or --tail")
            c.send_raw(a.request.encode() + b"\n")
            line = c.recv_line(a.timeout)
            if line is None:
                return 1
            print(line.decode())
            return 1 if json.loads(line).get("type") == "error" else 0
        req = {"op": "subscribe"}
        if a.since is not None:
            req["since"] = a.since
        c.send(req)
        n = 0
        while a.count < 0 or n < a.count:
            try:
                line = c.recv_line(a.timeout)
            except Timeout:
                return 2
            if line is None:
                return 1
            print(line.decode(), flush=True)
            t = json.loads(line).get("type", "")
            if t.startswith("briefing."):
                n += 1
            elif t in ("overflow", "error"):
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
