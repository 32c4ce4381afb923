#!/usr/bin/env python3
"""A deterministic briefing corpus for the crash, disk-full and shutdown
tests: FEEDS RSS 2.0 feeds of ITEMS items each, and one briefing page per
item in the shape of a NATO "opinions" transcript page
(<p><strong>Name (Role):</strong> text</p> turns, Q: turns, header with
title, subtitle and date, navigation, footer).

Everything comes from random.Random(seed): the same arguments give
byte-identical files. The people and words are synthetic.

    corpus.py DIR BASE [--feeds N] [--items N] [--seed S] [--prefix P]
              [--turns LO-HI]

writes DIR/feeds/<prefix>NN.xml and DIR/cps/en/natohq/opinions_<prefix>NN_I.htm
(BASE is the fixture server's http://127.0.0.1:PORT) and prints, one per
line, the page URLs of every item (the set a test expects to be stored).
As a module: generate(dir, base, ...) returns that list.
"""
import argparse
import html
import os
import random

WORDS = """ministry government minister secretary council alliance partners
allies security defence cooperation sanctions agreement summit meeting
delegation region border support assistance humanitarian reconstruction
energy infrastructure cyber resilience deterrence readiness exercise forces
deployment mission ceasefire negotiations dialogue framework commitment
budget funding investment capability training equipment maritime space
command headquarters operation presence rotation election institutions
reform governance transparency citizens communities refugees trade exports
supply chains climate emissions policy strategy review assessment report
partnership declaration statement announcement decision proposal
consultation colleagues counterparts officials experts committee""".split()

VERBS = """discussed agreed welcomed reaffirmed announced underlined stressed
noted confirmed reviewed addressed supported outlined presented
highlighted examined""".split()

FIRST = """Anna Jens Sven Oana Maria Peter Laura Thomas Ingrid Kofi Amina
Rafael Sofia Henrik Claire David Elena Marek Lucia Ahmed Yuki Priya Tomas
Katrin Jonas Helga Pedro Irene Mikael Nadia""".split()

LAST = """Lindqvist Moreau Kowalski Okafor Brennan Castellano Virtanen
Nakamura Haddad Petrov Jansen Ferreira Dubois Novak Aydin Mensah Rasmussen
Costa Eriksen Varga Silva Larsen Horvat Weber""".split()

ROLES = ["NATO Secretary General", "Deputy Secretary General",
         "Prime Minister of Estonia", "Minister of Defence of Norway",
         "Foreign Minister of Portugal", "President of Finland",
         "Chair of the Military Committee", "NATO Spokesperson"]

OUTLETS = ["Reuters", "AFP", "Latvian Radio", "Deutsche Welle", "EFE",
           "Polish Press Agency", "Politico Europe", "NHK"]

MONTHS = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.",
          "Sep.", "Oct.", "Nov.", "Dec."]
RFC_MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
           "Oct", "Nov", "Dec"]
RFC_DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def sentence(r):
    n = r.randint(8, 18)
    w = [r.choice(WORDS) for _ in range(n)]
    w.insert(r.randint(1, n - 1), r.choice(VERBS))
    s = " ".join(w)
    return s[0].upper() + s[1:] + "."


def para(r, k):
    return " ".join(sentence(r) for _ in range(k))


def page(r, title, subtitle, day, month, year, turns):
    people = []
    for _ in range(r.randint(1, 3)):
        people.append(("%s %s" % (r.choice(FIRST), r.choice(LAST)),
                       r.choice(ROLES)))
    out = []
    out.append('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    out.append("<!-- briefwatch torture corpus: synthetic people and text -->\n")
    out.append("<title>NATO - Opinion: %s, %d %s %d</title>\n"
               % (html.escape(title), day, MONTHS[month - 1], year))
    out.append('<meta property="og:title" content="%s">\n' % html.escape(title))
    out.append("</head>\n<body class=\"page-opinions lang-en\">\n")
    out.append('<header class="header" role="banner"><nav class="nav-main">'
               '<ul class="list list-inline"><li><a href="/cps/en/natohq/news.htm">'
               'Newsroom</a></li><li><a href="/cps/en/natohq/topics.htm">Topics'
               '</a></li></ul></nav></header>\n')
    out.append('<div class="main" id="main" role="main"><div class="inner">\n'
               '<div class="row">\n<section class="content colspan-l-8" id="content">\n'
               '<header class="content-header">\n')
    out.append('<h1 class="fs-huge">%s</h1>\n' % html.escape(title))
    out.append('<h2 class="fs-large">%s</h2>\n' % html.escape(subtitle))
    out.append('<ul class="event-date list list-inline">\n<li>%d %s %d -</li>\n'
               "</ul>\n</header>\n" % (day, MONTHS[month - 1], year))
    out.append('<div class="content-main">\n')
    named = set()
    for t in range(turns):
        if t and r.random() < 0.3:
            outlet = r.choice(OUTLETS)
            out.append("<p><strong>Q:</strong>&nbsp; %s %s, %s. %s</p>\n"
                       % (r.choice(FIRST), r.choice(LAST), outlet,
                          sentence(r)[:-1] + "?"))
            continue
        name, role = r.choice(people)
        label = name if name in named else "%s (%s)" % (name, role)
        named.add(name)
        out.append("<p><strong>%s:</strong>&nbsp; %s</p>\n"
                   % (html.escape(label), para(r, r.randint(1, 4))))
        if r.random() < 0.4:
            out.append("<p>%s</p>\n" % para(r, r.randint(1, 3)))
    out.append("</div>\n</section>\n</div></div></div>\n")
    out.append('<footer class="footer"><p>North Atlantic Treaty Organization, '
               "Boulevard Leopold III, 1110 Brussels</p></footer>\n"
               "</body>\n</html>\n")
    return "".join(out)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.rename(tmp, path)


def generate(root, base, feeds=40, items=50, seed=1, prefix="f",
             turns=(6, 16)):
    """Write the corpus; return the page URLs of every item."""
    urls = []
    for fi in range(feeds):
        r = random.Random("%s/%s/%d" % (seed, prefix, fi))
        fname = "%s%02d" % (prefix, fi)
        entries = []
        for i in range(items):
            day = 1 + (i % 28)
            month = 1 + (i // 28) % 12
            year = 2026
            hour = r.randint(7, 20)
            title = "%s on %s" % (r.choice(["Press conference",
                                            "Joint press point",
                                            "Doorstep statement",
                                            "Press briefing",
                                            "Remarks"]),
                                  " ".join(r.choice(WORDS) for _ in range(3)))
            subtitle = "by %s %s" % (r.choice(FIRST), r.choice(LAST))
            rel = "/cps/en/natohq/opinions_%s_%d.htm" % (fname, i)
            text = page(r, title, subtitle, day, month, year,
                        r.randint(*turns))
            write(os.path.join(root, rel.lstrip("/")), text)
            url = base + rel
            urls.append(url)
            wd = RFC_DAY[(day + month) % 7]
            entries.append(
                "  <item>\n    <title>%s</title>\n    <link>%s</link>\n"
                "    <description>%s</description>\n"
                "    <pubDate>%s, %02d %s %d %02d:%02d:00 +0100</pubDate>\n"
                '    <guid isPermaLink="false">%s-%d</guid>\n  </item>\n'
                % (html.escape(title), html.escape(url),
                   html.escape(sentence(r)), wd, day, RFC_MON[month - 1],
                   year, hour, r.randint(0, 59), fname, i))
        entries.reverse()  # newest first, as publishers list them
        feed = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n'
                "<channel>\n  <title>Torture feed %s</title>\n"
                "  <link>%s/cps/en/natohq/opinions.htm</link>\n"
                "  <description>Synthetic transcripts</description>\n"
                "  <language>en</language>\n%s</channel>\n</rss>\n"
                % (fname, base, "".join(entries)))
        write(os.path.join(root, "feeds", fname + ".xml"), feed)
    return urls


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("base")
    ap.add_argument("--feeds", type=int, default=40)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--prefix", default="f")
    ap.add_argument("--turns", default="6-16")
    a = ap.parse_args()
    lo, hi = (int(x) for x in a.turns.split("-"))
    for u in generate(a.dir, a.base, a.feeds, a.items, a.seed, a.prefix,
                      (lo, hi)):
        print(u)


if __name__ == "__main__":
    main()
