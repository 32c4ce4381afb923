#!/usr/bin/python3
"""Parse every FILE with Python feedparser (Debian's python3-feedparser) in
one process; the peer driver for bench/run's feed parse section.

  /usr/bin/python3 bench/feedparser_loop.py FILE...

Prints "pages=N bytes=B seconds=S failed=F entries=E" (seconds: the parse
loop only; bench/run times the whole process).
"""

import sys
import time

import feedparser


def main(paths):
	data = []
	for p in paths:
		with open(p, "rb") as f:
			data.append(f.read())
	entries = failed = 0
	t0 = time.monotonic()
	for d in data:
		r = feedparser.parse(d)
		if not r.get("version"):
			failed += 1
		entries += len(r.entries)
	t1 = time.monotonic()
	print("pages=%d bytes=%d seconds=%.6f failed=%d entries=%d" % (
		len(data), sum(map(len, data)), t1 - t0, failed, entries))
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
