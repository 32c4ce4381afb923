#!/usr/bin/python3
"""Deterministic synthetic corpora for bench/run.

Everything here is generated from a seeded PRNG, so two runs with the same
parameters produce byte-identical files. The text is our own synthetic prose
(a small vocabulary of press-office words arranged into sentences); the
markup follows the shapes real publishers use:

  feeds   RSS 2.0 (dc:creator, category, guid isPermaLink="false", RFC 822
          pubDate, description with escaped HTML) and Atom 1.0 (published,
          updated, author, summary/content type="html"), about one in four
          feeds Atom.
  pages   briefing pages of 20-150 KB: <head> with meta, navigation menu,
          breadcrumb, header with title/date/location, a body of turns in
          three label styles (<strong>Name (Role):</strong>, ALL-CAPS
          "MS. NAME:", a label alone in its paragraph), Q:/QUESTION: turns,
          share bar, related links and a long footer.

Usage (also imported by bench/run):
  corpus.py feeds DIR N ITEMS [--seed S] [--desc-sentences K]
  corpus.py pages DIR N [--seed S]
"""

import html
import os
import random
import sys
import time

WORDS = """
ministry government minister secretary council alliance partners allies
security defence cooperation sanctions agreement summit meeting delegation
region border support assistance humanitarian aid reconstruction energy
infrastructure cyber resilience deterrence readiness exercise forces troops
deployment mission mandate ceasefire negotiations dialogue framework
commitment budget funding investment capability training equipment air
maritime land space command headquarters operation presence rotation
election democracy institutions reform governance transparency accountability
citizens communities refugees migration trade tariffs exports supply chains
climate emissions targets policy strategy review assessment report findings
partnership declaration communique statement announcement today tomorrow
yesterday week month year decision process proposal discussion consultation
colleagues counterparts representatives officials experts committee panel
""".split()

CONNECT = """the a our their this that these those every each further
important significant clear strong close continued additional new""".split()

VERBS = """discussed agreed welcomed reaffirmed announced underlined stressed
noted confirmed reviewed addressed condemned supported expected called
considered raised outlined presented highlighted examined""".split()

FIRST = """Anna Jens Sven Oana Maria Peter Laura Thomas Ingrid Kofi Amina
Rafael Sofia Henrik Claire David Elena Marek Lucia Ahmed Yuki Priya
Tomas Katrin Jonas Helga Pedro Irene Mikael Nadia""".split()

LAST = """Lindqvist Moreau Kowalski Okafor Brennan Castellano Virtanen
Nakamura Haddad Petrov Jansen Ferreira Halvorsen Dubois Novak Aydin
Mensah Rasmussen Costa Eriksen Varga Silva Larsen Horvat Weber""".split()

ROLES = ["Spokesperson", "Secretary General", "Minister of Defence",
	 "Foreign Minister", "Deputy Spokesperson", "Ambassador",
	 "Director of Communications", "Under Secretary", "Prime Minister",
	 "High Representative"]

OUTLETS = ["Morning Courier", "Northern Broadcasting", "Daily Ledger",
	   "Radio Meridian", "Baltic Wire", "Continental Press Agency",
	   "Evening Standard-Herald", "Global Affairs Weekly"]

CITIES = ["Brussels", "Tallinn", "Vilnius", "Warsaw", "Geneva", "New York",
	  "Washington", "London", "Oslo", "Madrid", "Bucharest", "Riga"]

TOPICS = ["sanctions", "cyber defence", "energy security", "border security",
	  "humanitarian access", "air policing", "maritime security",
	  "the summit preparations", "defence spending", "arms control",
	  "climate and security", "the reconstruction conference"]

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
	  "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class Prose:
	"""A pool of pre-built sentences: fast to draw from, deterministic."""

	def __init__(self, rng, n=4000):
		self.rng = rng
		self.sentences = [self._sentence() for _ in range(n)]

	def _sentence(self):
		r = self.rng
		words = [r.choice(CONNECT), r.choice(WORDS), r.choice(WORDS)]
		words += [r.choice(VERBS)]
		for _ in range(r.randint(4, 16)):
			words.append(r.choice(WORDS if r.random() < .7 else CONNECT))
		if r.random() < .3:
			words.append("on " + r.choice(TOPICS))
		if r.random() < .15:
			words.insert(r.randint(1, len(words) - 1),
				     "\u2014 in " + r.choice(CITIES) + " \u2014")
		s = " ".join(words)
		return s[0].upper() + s[1:] + r.choice(".....?!")

	def para(self, lo=2, hi=5):
		r = self.rng
		return " ".join(r.choice(self.sentences)
				for _ in range(r.randint(lo, hi)))


def person(rng):
	return rng.choice(FIRST) + " " + rng.choice(LAST)


def rfc822(ts):
	t = time.gmtime(ts)
	return "%s, %02d %s %04d %02d:%02d:%02d +0000" % (
		DAYS[t.tm_wday], t.tm_mday, MONTHS[t.tm_mon - 1], t.tm_year,
		t.tm_hour, t.tm_min, t.tm_sec)


def rfc3339(ts):
	return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def esc(s):
	return html.escape(s, quote=True)


# ---------------------------------------------------------------- feeds --

def item_html(prose, rng, k):
	"""An item description the way CMSs emit it: HTML, escaped once more
	by the feed writer."""
	parts = ["<p>%s</p>" % esc(prose.para(1, 3))]
	for _ in range(max(0, k - 1)):
		p = esc(prose.para(1, 3))
		if rng.random() < .3:
			p = "<strong>%s</strong> %s" % (esc(person(rng)), p)
		if rng.random() < .2:
			p += ' <a href="https://press.example.gov/r/%d">More</a>' % \
				rng.randint(1, 99999)
		parts.append("<p>%s</p>" % p)
	return "\n".join(parts)


def feed_rss(fid, items, rng, prose, desc_k, link_of):
	out = []
	w = out.append
	now = 1700000000 - fid * 37
	w('<?xml version="1.0" encoding="UTF-8"?>\n')
	w('<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
	  'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n')
	w("<title>Ministry %d \u2014 Press briefings &amp; statements</title>\n"
	  % fid)
	w("<link>https://press%d.example.gov/newsroom</link>\n" % fid)
	w("<description>Transcripts, speeches and press releases from "
	  "press office %d</description>\n" % fid)
	w("<language>en-gb</language>\n")
	w("<lastBuildDate>%s</lastBuildDate>\n" % rfc822(now))
	w('<atom:link href="https://press%d.example.gov/rss.xml" rel="self" '
	  'type="application/rss+xml"/>\n' % fid)
	for i in range(items):
		ts = now - i * 5400 - rng.randint(0, 3000)
		title = "%s on %s" % (rng.choice(
			["Press briefing by the Spokesperson",
			 "Joint press conference", "Doorstep statement",
			 "Remarks by the Minister", "Press point"]),
			rng.choice(TOPICS))
		link = link_of(fid, i)
		w("<item>\n<title>%s (%d/%d)</title>\n" % (esc(title), fid, i))
		w("<link>%s</link>\n" % esc(link))
		w('<guid isPermaLink="false">urn:press:%d:%d</guid>\n' % (fid, i))
		w("<pubDate>%s</pubDate>\n" % rfc822(ts))
		w("<dc:creator>Press Office %d</dc:creator>\n" % fid)
		w("<category>%s</category>\n" % esc(rng.choice(TOPICS)))
		w("<description>%s</description>\n</item>\n"
		  % esc(item_html(prose, rng, desc_k)))
	w("</channel>\n</rss>\n")
	return "".join(out)


def feed_atom(fid, items, rng, prose, desc_k, link_of):
	out = []
	w = out.append
	now = 1700000000 - fid * 37
	w('<?xml version="1.0" encoding="utf-8"?>\n')
	w('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n')
	w("<title>Office %d newsroom</title>\n" % fid)
	w("<subtitle>Latest briefings</subtitle>\n")
	w("<id>tag:press%d.example.org,2014:newsroom</id>\n" % fid)
	w("<updated>%s</updated>\n" % rfc3339(now))
	w('<link rel="self" href="https://press%d.example.org/atom.xml"/>\n'
	  % fid)
	w('<link rel="alternate" type="text/html" '
	  'href="https://press%d.example.org/"/>\n' % fid)
	for i in range(items):
		ts = now - i * 5400 - rng.randint(0, 3000)
		title = "%s: %s" % (rng.choice(
			["Transcript", "Speech", "Statement", "Briefing"]),
			rng.choice(TOPICS))
		body = item_html(prose, rng, desc_k)
		w("<entry>\n<title>%s (%d/%d)</title>\n" % (esc(title), fid, i))
		w("<id>tag:press%d.example.org,2014:%d</id>\n" % (fid, i))
		w('<link rel="alternate" type="text/html" href="%s"/>\n'
		  % esc(link_of(fid, i)))
		w("<published>%s</published>\n" % rfc3339(ts))
		w("<updated>%s</updated>\n" % rfc3339(ts + 600))
		w("<author><name>%s</name></author>\n" % esc(person(rng)))
		w('<summary type="html">%s</summary>\n'
		  % esc(body.split("\n", 1)[0]))
		w('<content type="html">%s</content>\n</entry>\n' % esc(body))
	w("</feed>\n")
	return "".join(out)


def default_link(fid, i):
	return "https://press%d.example.gov/briefings/%d-%d.htm" % (fid, fid, i)


def gen_feeds(outdir, n, items, seed=1, desc_k=2, link_of=default_link,
	      atom_every=4):
	"""Write n feeds of `items` items to outdir; returns the file names
	(f00000.rss / f00003.atom ...)."""
	os.makedirs(outdir, exist_ok=True)
	rng = random.Random(seed)
	prose = Prose(random.Random(seed + 1000))
	names = []
	for fid in range(n):
		atom = atom_every and fid % atom_every == atom_every - 1
		gen = feed_atom if atom else feed_rss
		name = "f%05d.%s" % (fid, "atom" if atom else "rss")
		data = gen(fid, items, rng, prose, desc_k, link_of)
		with open(os.path.join(outdir, name), "w",
			  encoding="utf-8") as f:
			f.write(data)
		names.append(name)
	return names


# ---------------------------------------------------------------- pages --

NAV = ["Home", "News", "Press releases", "Speeches", "Transcripts",
       "Photos", "Videos", "Events", "About us", "Contact", "Careers",
       "Publications", "Topics", "Countries", "Archive"]


def page_html(pid, rng, prose, target, title):
	"""One briefing page of roughly `target` bytes."""
	host = "www.press%d.example.org" % (pid % 7)
	speakers = []
	for _ in range(rng.randint(2, 4)):
		speakers.append((person(rng), rng.choice(ROLES)))
	mod = speakers[0]
	city = rng.choice(CITIES)
	ts = 1600000000 + pid * 86400 // 3
	date = time.strftime("%d %B %Y", time.gmtime(ts))
	style = pid % 3
	head = []
	w = head.append
	w('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
	w("<title>%s | Press Office</title>\n" % esc(title))
	w('<meta name="description" content="%s">\n' % esc(prose.para(1, 1)))
	w('<meta property="og:title" content="%s">\n' % esc(title))
	w('<link rel="stylesheet" href="/static/site.css">\n')
	w('<script>window.dataLayer=window.dataLayer||[];'
	  'function gtag(){dataLayer.push(arguments);}</script>\n')
	w("</head>\n<body class=\"page-briefing\">\n")
	w('<a class="skip-link" href="#main">Skip to main content</a>\n')
	w('<header class="site-header"><div class="logo"><a href="/">'
	  "Press Office</a></div>\n<nav class=\"main-nav\"><ul>\n")
	for n in NAV:
		w('<li class="menu-item"><a href="/%s/">%s</a><ul class="sub">'
		  % (n.lower().replace(" ", "-"), n))
		for k in range(rng.randint(3, 8)):
			w('<li><a href="/%s/%d">%s %d</a></li>'
			  % (n.lower().replace(" ", "-"), k, n, k))
		w("</ul></li>\n")
	w("</ul></nav></header>\n")
	w('<nav class="breadcrumb"><a href="/">Home</a> &gt; <a href="/news/">'
	  "News</a> &gt; <span>%s</span></nav>\n" % esc(title))
	w('<main id="main"><article class="briefing">\n')
	w('<h1 class="title">%s</h1>\n' % esc(title))
	w('<p class="subtitle">with %s, %s, and %s, %s</p>\n'
	  % (esc(speakers[1][0]), esc(speakers[1][1]),
	     esc(speakers[0][0]), esc(speakers[0][1])))
	w('<div class="meta"><span class="date">%s</span> | '
	  '<span class="location">%s</span></div>\n' % (date, city))
	w('<div class="share"><a href="#">Share</a> <a href="#">Print</a> '
	  '<a href="#">Email</a></div>\n<div class="body">\n')
	w("<p><em>(As delivered)</em></p>\n")

	foot = []
	f = foot.append
	f("<p>###</p>\n</div>\n")
	f('<aside class="related"><h2>Related</h2><ul>\n')
	for k in range(12):
		f('<li><a href="/news/%d">%s</a></li>\n'
		  % (rng.randint(1, 99999), esc(prose.para(1, 1)[:80])))
	f("</ul></aside>\n</article></main>\n")
	f('<footer class="site-footer"><div class="cols">\n')
	for col in range(4):
		f("<ul>")
		for k in range(10):
			f('<li><a href="/f/%d/%d">%s</a></li>'
			  % (col, k, rng.choice(NAV)))
		f("</ul>\n")
	f("<p class=\"legal\">%s</p>\n</div></footer>\n" % esc(prose.para(3, 4)))
	f('<script src="/static/site.js"></script>\n</body>\n</html>\n')

	body = []
	size = sum(map(len, head)) + sum(map(len, foot))
	turn = 0
	while size < target:
		b = []
		if turn % 3 == 2:
			# a question from the floor
			asker = person(rng)
			outlet = rng.choice(OUTLETS)
			q = "Thank you. %s from %s. %s" % (asker, outlet,
							  prose.para(1, 3))
			if style == 1:
				b.append("<p>QUESTION: %s</p>\n" % esc(q))
			elif style == 2:
				b.append("<p><strong>Q</strong></p>\n<p>%s</p>\n"
					 % esc(q))
			else:
				b.append("<p><strong>Q:</strong> %s</p>\n" % esc(q))
		else:
			name, role = rng.choice(speakers[1:]) if turn % 3 == 1 \
				else mod
			if style == 1:
				label = "%s %s:" % (rng.choice(["MS.", "MR."]),
						    name.split()[-1].upper())
				b.append("<p>%s %s</p>\n" % (label,
							     esc(prose.para())))
			elif style == 2:
				b.append("<p><strong>%s</strong></p>\n<p>%s</p>\n"
					 % (esc(name.upper()), esc(prose.para())))
			else:
				b.append("<p><strong>%s (%s):</strong> %s</p>\n"
					 % (esc(name), esc(role),
					    esc(prose.para())))
			for _ in range(rng.randint(0, 3)):
				b.append("<p>%s</p>\n" % esc(prose.para()))
		turn += 1
		s = "".join(b)
		body.append(s)
		size += len(s)
	return "".join(head) + "".join(body) + "".join(foot), host


def gen_pages(outdir, n, seed=7, lo=20 * 1024, hi=150 * 1024):
	"""Write n pages p00000.html ... to outdir and a manifest.tsv of
	name<TAB>url<TAB>title. Sizes are spread evenly over [lo, hi]."""
	os.makedirs(outdir, exist_ok=True)
	rng = random.Random(seed)
	prose = Prose(random.Random(seed + 1000))
	rows = []
	for pid in range(n):
		target = rng.randint(lo, hi)
		title = "%s on %s (%d)" % (rng.choice(
			["Press conference", "Joint press point",
			 "Daily press briefing", "Remarks to the press"]),
			rng.choice(TOPICS), pid)
		data, host = page_html(pid, rng, prose, target, title)
		name = "p%05d.html" % pid
		with open(os.path.join(outdir, name), "w",
			  encoding="utf-8") as f:
			f.write(data)
		rows.append((name, "https://%s/briefings/%05d.htm" % (host, pid),
			     title))
	with open(os.path.join(outdir, "manifest.tsv"), "w",
		  encoding="utf-8") as f:
		for r in rows:
			f.write("\t".join(r) + "\n")
	return rows


def main(argv):
	import argparse
	ap = argparse.ArgumentParser()
	sub = ap.add_subparsers(dest="what", required=True)
	a = sub.add_parser("feeds")
	a.add_argument("dir")
	a.add_argument("n", type=int)
	a.add_argument("items", type=int)
	a.add_argument("--seed", type=int, default=1)
	a.add_argument("--desc-sentences", type=int, default=2)
	a = sub.add_parser("pages")
	a.add_argument("dir")
	a.add_argument("n", type=int)
	a.add_argument("--seed", type=int, default=7)
	o = ap.parse_args(argv)
	if o.what == "feeds":
		gen_feeds(o.dir, o.n, o.items, o.seed, o.desc_sentences)
	else:
		gen_pages(o.dir, o.n, o.seed)


if __name__ == "__main__":
	main(sys.argv[1:])
