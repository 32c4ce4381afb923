#!/usr/bin/env python3
"""schedeval — replay a publication timeline on several splits with
`briefwatch schedule-sim` and print a table (docs/scheduling.md).

usage: bench/schedeval.py [BRIEFWATCH] [TIMELINE.json] [--intervals 15m,7m30s]
       [--seeds 1,2,3] [--split NAME...]

Splits (each replayed from scratch unless it says otherwise):
  whole     the whole file
  h1        items before the cut (2021-11-01 by default, --cut)
  h2        items from the cut on: a later timeline with no earlier history,
            the shape of the held-back scoring
  h2|h1     the whole file, learning h1 and scoring h2 (--from cut)
  m:A..B    items from month A up to (not including) month B (YYYY-MM)
  shift:H   the whole file shifted by H hours (time-zone independence)
  h2shift:H h2 shifted by H hours
Figures are means over the seeds (jitter), in seconds; ppd = polls a day.
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SPLITS = ["whole", "h1", "h2", "h2|h1", "m:2021-06..2021-08",
                  "m:2021-05..2021-07", "m:2021-07..2021-09", "shift:9.33",
                  "shift:-4.75", "shift:84.4", "h2shift:7.33"]
TARGETS = {"15m": (96, 240, 600, 3600), "7m30s": (192, 120, 300, None)}


def parse(ts):
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))


def iso(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def month(s):
    y, m = s.split("-")
    return datetime.datetime(int(y), int(m), 1, tzinfo=datetime.timezone.utc)


def make_split(items, name, cut, tmp):
    """(path, extra args) for a split."""
    sel, extra = items, []
    if name == "whole":
        pass
    elif name == "h1":
        sel = [t for t in items if t < cut]
    elif name == "h2":
        sel = [t for t in items if t >= cut]
    elif name == "h2|h1":
        extra = ["--from", cut.strftime("%Y-%m-%d")]
    elif name.startswith("m:"):
        a, b = name[2:].split("..")
        sel = [t for t in items if month(a) <= t < month(b)]
    elif name.startswith("shift:"):
        h = float(name[6:])
        sel = [t + datetime.timedelta(hours=h) for t in items]
    elif name.startswith("h2shift:"):
        h = float(name[8:])
        sel = [t + datetime.timedelta(hours=h) for t in items if t >= cut]
    else:
        sys.exit("schedeval: unknown split %s" % name)
    path = os.path.join(tmp, "split%d.json" % abs(hash(name)))
    with open(path, "w") as f:
        json.dump([{"published": iso(t)} for t in sel], f)
    return path, extra, len(sel)


def run(bw, path, extra, interval, seed):
    out = subprocess.run([bw, "schedule-sim", path, "--interval", interval,
                          "--seed", str(seed), "--json"] + extra,
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    return r["median_s"], r["p90_s"], r["max_s"], r["polls_per_day"]


def main():
    args = sys.argv[1:]
    bw = os.path.join(ROOT, "build", "briefwatch")
    tl = os.path.join(ROOT, "..", "shared", "samples", "timelines",
                      "state-2021.json")
    intervals, seeds, splits = ["15m", "7m30s"], [1, 2, 3], []
    cut = datetime.datetime(2021, 11, 1, tzinfo=datetime.timezone.utc)
    pos = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--intervals", "--seeds", "--split", "--cut"):
            if i + 1 >= len(args):
                sys.exit("schedeval: %s needs a value" % a)
            v = args[i + 1]
            if a == "--intervals":
                intervals = v.split(",")
            elif a == "--seeds":
                seeds = [int(x) for x in v.split(",")]
            elif a == "--split":
                splits.append(v)
            else:
                cut = parse(v + "T00:00:00Z")
            i += 2
            continue
        pos.append(a)
        i += 1
    if pos:
        bw = pos[0]
    if len(pos) > 1:
        tl = pos[1]
    splits = splits or DEFAULT_SPLITS
    items = sorted(parse(x["published"]) for x in json.load(open(tl)))
    with tempfile.TemporaryDirectory() as tmp:
        print("%-20s %5s %6s | %7s %7s %7s %7s  %s" %
              ("split", "items", "intvl", "median", "p90", "max", "ppd",
               "target"))
        for name in splits:
            path, extra, n = make_split(items, name, cut, tmp)
            for iv in intervals:
                rs = [run(bw, path, extra, iv, s) for s in seeds]
                med, p90, mx, ppd = (sum(x[k] for x in rs) / len(rs)
                                     for k in range(4))
                worst = max(x[2] for x in rs)
                t = TARGETS.get(iv)
                ok = ""
                if t:
                    ok = "ok" if (ppd <= t[0] and med <= t[1] and
                                  p90 <= t[2] and
                                  (t[3] is None or worst <= t[3])) else "MISS"
                print("%-20s %5d %6s | %7.0f %7.0f %7.0f %7.1f  %s" %
                      (name, n, iv, med, p90, mx, ppd, ok))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
