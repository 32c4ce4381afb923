#!/usr/bin/python3
"""Differential test: `briefwatch parse feed` against python3-feedparser on
real feeds (tests/differential/corpus, see SOURCES.md there).

    compare.py [--briefwatch build/briefwatch] [--only SUBSTR] [--all-known]
               [--quiet] [FILE...]

For each feed both parsers read the same bytes (no URL, no HTTP headers) and
these fields are compared:

  feed     title, link, subtitle, language, updated (falls back to published
           on both sides)
  entries  count; for each entry in document order: id, title, link,
           published, updated, author name, author email, summary, content

Text fields are compared as plain text: feedparser's value is reduced to
text when its type is HTML (tags dropped, script/style content dropped,
entities decoded) and both sides are whitespace-folded; a space at a bare
tag boundary is optional ("<p>a</p><p>b</p>" reads "ab" or "a b").  Dates are
compared as UTC instants to the second.  An entry without a summary gets its
content as summary on our side, as feedparser does.

Every difference is printed with its kind, then a summary by kind.  A kind
is "<field>:<how>", how = missing (feedparser has a value, briefwatch none),
extra (the reverse) or differ; "entries.count:differ"; "parse:refused"
(briefwatch exits 1-125 where feedparser finds a feed; nothing when neither
finds one) or "parse:crashed" (a signal, exit > 125, no answer, not JSON).  known.txt lists the accepted disagreements; the exit
status is 1 when a difference is not listed there, 2 when a parser cannot
run, else 0.
"""

import argparse
import calendar
import collections
import fnmatch
import html.parser
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
KNOWN = os.path.join(HERE, "known.txt")
FEED_EXT = (".xml", ".rss", ".atom", ".rdf")

try:
    import feedparser
except ImportError:  # pragma: no cover - reported, not hidden
    sys.stderr.write("compare.py: python3-feedparser is missing "
                     "(apt-get install python3-feedparser, or make deps)\n")
    sys.exit(2)

# --------------------------------------------------------------------------
# text normalisation

# Unicode whitespace (U+00A0 too): feedparser strips it at the ends of a
# value (str.strip()), briefwatch folds only ASCII whitespace; neither is
# a difference a reader sees.
WS_RE = re.compile(r"\s+")
SEP = "\ue000"
SEP_WS_RE = re.compile(r"[\s\ue000]+")


def fold(s):
    return WS_RE.sub(" ", s).strip()


class _Stripper(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        self.out.append(SEP)

    def handle_startendtag(self, tag, attrs):
        self.out.append(SEP)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        self.out.append(SEP)

    def handle_comment(self, data):
        self.out.append(SEP)

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def text_pattern(value, is_html):
    """(regex, display text) for feedparser's value reduced to plain text."""
    if not is_html:
        t = fold(value)
        return re.escape(t), t
    p = _Stripper()
    p.feed(value)
    p.close()
    text = "".join(p.out)
    text = WS_RE.sub(" ", text).strip(" " + SEP)
    pieces = re.split("(" + SEP_WS_RE.pattern + ")", text)
    pat, shown = [], []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            pat.append(re.escape(piece))
            shown.append(piece)
        else:
            ws = WS_RE.search(piece) is not None
            pat.append(" " if ws else " ?")
            shown.append(" " if ws else "")
    return "".join(pat), "".join(shown)


def is_html_type(detail):
    t = (detail or {}).get("type", "text/html") or "text/html"
    return t in ("text/html", "application/xhtml+xml") or t.endswith("html")


# --------------------------------------------------------------------------
# dates

ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$")


def iso_epoch(value):
    if not isinstance(value, str):
        return None
    m = ISO_RE.match(value.strip())
    if not m:
        return "unparsable:" + value
    y, mo, d, hh, mi, ss, tz = m.groups()
    t = calendar.timegm((int(y), int(mo), int(d), int(hh or 0), int(mi or 0),
                         int(ss or 0), 0, 0, 0))
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        t -= sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)
    return t


def fp_epoch(st):
    return calendar.timegm(st) if st else None


def show_epoch(t):
    if t is None or isinstance(t, str):
        return t
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


# --------------------------------------------------------------------------
# the two sides, as {field: value} with value a str, an int (epoch) or None;
# text fields are (pattern, display) on feedparser's side.

def fp_text(d, key):
    v = d.get(key)
    if v is None:
        return None
    return text_pattern(v, is_html_type(d.get(key + "_detail")))


ID_HASH = "urn:briefwatch:*"


def id_as_link(d, version):
    """feedparser reads an Atom <id> like an RSS <guid> whose isPermaLink
    defaults to true: with no link of its own, the id becomes the link
    (even "x" or a urn:uuid).  Such a link is in none of its <link>s.
    briefwatch does the same only for an id that is an http(s) address,
    so only the others are not counted."""
    link = d.get("link")
    return version.startswith("atom") and link is not None and link == d.get("id") and \
        link not in [l.get("href") for l in d.get("links", [])] and \
        not re.match(r"(?i)https?://", link)


def fp_side(path):
    r = feedparser.parse(path)
    f = r.feed
    feed = {
        "feed.title": fp_text(f, "title"),
        "feed.link": f.get("link"),
        "feed.subtitle": fp_text(f, "subtitle"),
        "feed.language": f.get("language"),
        "feed.updated": fp_epoch(dict.get(f, "updated_parsed")
                                 or dict.get(f, "published_parsed")),
    }
    if id_as_link(f, r.get("version") or ""):
        feed["feed.link"] = None
    entries = []
    for e in r.entries:
        ad = e.get("author_detail") or {}
        summary = e.get("summary")
        content = e.get("content") or []
        ent = {
            "id": e.get("id"),
            "title": fp_text(e, "title"),
            "link": None if id_as_link(e, r.get("version") or "") else e.get("link"),
            "published": fp_epoch(e.get("published_parsed")),
            "updated": fp_epoch(e.get("updated_parsed")),
            "author.name": ad.get("name"),
            "author.email": ad.get("email"),
            # feedparser copies the content into a missing summary, without
            # a summary_detail: the content's type is the summary's
            "summary": (text_pattern(summary, is_html_type(
                e.get("summary_detail") or (content[0] if content else None)))
                        if summary is not None else None),
            "content": (text_pattern(content[0].get("value", ""),
                                     is_html_type(content[0]))
                        if content else None),
        }
        # briefwatch always gives an id (docs/feeds.md "Item identity"):
        # without guid/id it is the link, else a hash (urn:briefwatch:...)
        if ent["id"] is None:
            ent["id"] = ent["link"] if ent["link"] else ID_HASH
        # feedparser's updated_parsed falls back to published_parsed when
        # there is no updated element; it is not a date of its own then
        if not dict.__contains__(e, "updated_parsed"):
            ent["updated"] = None
        entries.append(ent)
    return feed, entries


def bw_side(cmd, path):
    try:
        p = subprocess.run(cmd + ["parse", "feed", path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
    except subprocess.TimeoutExpired:
        return None, ("parse:crashed", "no answer in 30 s")
    if p.returncode != 0:
        # 1-125: a clear refusal; a signal (negative) or 126+: a crash
        how = "parse:refused" if 0 < p.returncode <= 125 else "parse:crashed"
        return None, (how, "exit %d: %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()))
    try:
        doc = json.loads(p.stdout)
    except ValueError as exc:
        return None, ("parse:crashed", "output is not JSON: %s" % exc)
    f = doc.get("feed") or {}

    def s(v):
        return v if isinstance(v, str) and v != "" else None

    def epoch(v):
        return iso_epoch(v) if s(v) else None

    feed = {
        "feed.title": s(f.get("title")),
        "feed.link": s(f.get("link")),
        "feed.subtitle": s(f.get("subtitle")),
        "feed.language": s(f.get("language")),
        "feed.updated": epoch(f.get("updated")) or epoch(f.get("published")),
    }
    entries = []
    for e in doc.get("entries") or []:
        a = e.get("author") or {}
        if not (s(a.get("name")) or s(a.get("email"))) and e.get("authors"):
            a = e["authors"][0] or {}
        summary, content = e.get("summary"), e.get("content")
        if summary is None and isinstance(e.get("summary_html"), str):
            summary = ""
        if content is None and isinstance(e.get("content_html"), str):
            content = ""
        if summary is None and content is not None:
            summary = content
        entries.append({
            "id": s(e.get("id")),
            "title": e.get("title") if isinstance(e.get("title"), str) else None,
            "link": s(e.get("link")),
            "published": epoch(e.get("published")),
            "updated": epoch(e.get("updated")),
            "author.name": s(a.get("name")),
            "author.email": s(a.get("email")),
            "summary": summary,
            "content": content,
        })
    return (feed, entries), None


# --------------------------------------------------------------------------
# comparison

TEXT_FIELDS = {"feed.title", "feed.subtitle", "title", "summary", "content"}
DATE_FIELDS = {"feed.updated", "published", "updated"}


def compare_value(field, fpv, bwv):
    """None when they agree, else (how, fp display, bw display)."""
    if field in TEXT_FIELDS:
        fp_pat, fp_disp = fpv if fpv is not None else (None, None)
        bw = fold(bwv) if isinstance(bwv, str) else None
        if fp_pat is not None and fp_disp == "":
            fp_pat = None  # an empty element is no value
        if bw == "":
            bw = None
        if fp_pat is None and bw is None:
            return None
        if fp_pat is None:
            return ("extra", None, bw)
        if bw is None:
            return ("missing", fp_disp, None)
        if re.fullmatch(fp_pat, bw):
            return None
        return ("differ", fp_disp, bw)
    if field in DATE_FIELDS:
        if fpv == bwv:
            return None
        if bwv is None:
            return ("missing", show_epoch(fpv), None)
        if fpv is None:
            return ("extra", None, show_epoch(bwv))
        return ("differ", show_epoch(fpv), show_epoch(bwv))
    fpv = fpv if fpv not in ("",) else None
    if field == "id" and fpv == ID_HASH:
        if isinstance(bwv, str) and bwv.startswith("urn:briefwatch:"):
            return None
        fpv = "urn:briefwatch:<hash>"
    if field.endswith("author.name") and isinstance(fpv, str):
        fpv, bwv = fold(fpv) or None, fold(bwv) if isinstance(bwv, str) else bwv
    if fpv == bwv:
        return None
    if bwv is None:
        return ("missing", fpv, None)
    if fpv is None:
        return ("extra", None, bwv)
    return ("differ", fpv, bwv)


def diff_file(cmd, path):
    """List of (where, kind, fp, bw)."""
    out = []
    fp_feed, fp_entries = fp_side(path)
    bw, err = bw_side(cmd, path)
    if bw is None:
        how, msg = err
        if how == "parse:refused" and not fp_entries and not any(fp_feed.values()):
            return []  # both find no feed there
        return [("-", how, None, msg)]
    bw_feed, bw_entries = bw
    for k in fp_feed:
        d = compare_value(k, fp_feed[k], bw_feed[k])
        if d:
            out.append((k, "%s:%s" % (k, d[0]), d[1], d[2]))
    if len(fp_entries) != len(bw_entries):
        out.append(("entries", "entries.count:differ", len(fp_entries), len(bw_entries)))
    for i, (fe, be) in enumerate(zip(fp_entries, bw_entries)):
        for k in fe:
            d = compare_value(k, fe[k], be[k])
            if d:
                out.append(("entry[%d].%s" % (i, k), "entry.%s:%s" % (k, d[0]), d[1], d[2]))
    return out


# --------------------------------------------------------------------------
# known.txt: "FILE-GLOB  WHERE-GLOB  KIND  reason..." (whitespace separated;
# blank lines and lines starting with # ignored).  FILE-GLOB is relative to
# the corpus; WHERE-GLOB matches e.g. "entry[3].published" or "entry[*].id".

def load_known(path):
    rules = []
    if not os.path.exists(path):
        return rules
    with open(path, encoding="utf-8") as fp:
        for n, line in enumerate(fp, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 4:
                sys.stderr.write("%s:%d: needs FILE WHERE KIND REASON\n" % (path, n))
                sys.exit(2)
            rules.append({"file": parts[0], "where": parts[1], "kind": parts[2],
                          "reason": parts[3], "line": n, "used": 0})
    return rules


def known_rule(rules, rel, where, kind):
    for r in rules:
        if fnmatch.fnmatchcase(rel, r["file"]) and \
                fnmatch.fnmatchcase(where, r["where"].replace("[", "[[]")) and \
                fnmatch.fnmatchcase(kind, r["kind"]):
            r["used"] += 1
            return r
    return None


def is_json_feed(path):
    with open(path, "rb") as fp:
        head = fp.read(64)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def corpus_files(args):
    if args.files:
        return [os.path.abspath(f) for f in args.files]
    out = []
    for root, _, names in os.walk(CORPUS):
        for n in names:
            if n.endswith(FEED_EXT):
                out.append(os.path.join(root, n))
    out.sort()
    if args.only:
        out = [f for f in out if args.only in os.path.relpath(f, CORPUS)]
    return out


def short(v, n=90):
    if v is None:
        return "(none)"
    s = str(v)
    return s if len(s) <= n else s[:n - 3] + "..."


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--briefwatch", default="build/briefwatch")
    ap.add_argument("--only", help="corpus files whose path contains this")
    ap.add_argument("--known", default=KNOWN)
    ap.add_argument("--quiet", action="store_true",
                    help="print only the differences not in known.txt")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    cmd = [args.briefwatch]
    if not os.access(args.briefwatch, os.X_OK):
        sys.stderr.write("compare.py: %s is not an executable (make first)\n" % args.briefwatch)
        return 2
    rules = load_known(args.known)
    files = corpus_files(args)
    skipped = [f for f in files if is_json_feed(f)]
    files = [f for f in files if f not in skipped]
    for f in skipped:
        print("skip  %s: JSON Feed, which feedparser 6.0.10 does not read" % f)
    t0 = time.monotonic()
    by_kind = collections.Counter()
    new_by_kind = collections.Counter()
    new = 0
    for path in files:
        rel = os.path.relpath(path, CORPUS)
        if rel.startswith(".."):
            rel = path
        for where, kind, fpv, bwv in diff_file(cmd, path):
            by_kind[kind] += 1
            rule = known_rule(rules, rel, where, kind)
            if rule is None:
                new += 1
                new_by_kind[kind] += 1
            if rule is None or not args.quiet:
                tag = "known" if rule else "NEW"
                print("%-5s %s %s %s\n      feedparser: %s\n      briefwatch: %s"
                      % (tag, kind, rel, where, short(fpv), short(bwv)))
    print("\nsummary by kind (all / not in known.txt):")
    for kind in sorted(by_kind):
        print("  %-28s %4d %4d" % (kind, by_kind[kind], new_by_kind[kind]))
    if not args.files and not args.only:
        for r in rules:
            if not r["used"]:
                print("note: known.txt:%d matches nothing now (%s %s %s): remove it?"
                      % (r["line"], r["file"], r["where"], r["kind"]))
    print("differential: files=%d differences=%d known=%d new=%d (%.1f s)"
          % (len(files), sum(by_kind.values()), sum(by_kind.values()) - new, new,
             time.monotonic() - t0))
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
