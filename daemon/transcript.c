/* transcript.c — briefing page (HTML bytes) → briefing record.
 *
 * Steps: choose the charset and parse with libxml2's HTML parser (no
 * network, errors silenced, recovery on); choose a profile (argument, URL
 * host, or the profile whose "detect" XPath matches); read the metadata
 * (profile XPaths first, then generic rules); find the body (profile XPath,
 * else the element holding the most paragraph text); flatten it into
 * paragraphs; split paragraphs into turns at speaker labels
 * (transcript_label.c). Rules are documented in docs/transcripts.md.
 */
#include "transcript.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "buf.h"
#include "date.h"
#include "lang.h"
#include "pdf.h"
#include "profiles.h"
#include "transcript_int.h"
#include "utf8.h"

#define TX_MAX_DEFAULT (8u << 20)
#define TX_FIELD_MAX 4096
#define TX_LABEL_CACHE 16

/* ---- small helpers --------------------------------------------------- */

static int
set_err(char **err, int rc, const char *msg)
{
	if (err)
		*err = strdup(msg);
	return rc;
}

/* Is the element or attribute name lc, ignoring ASCII case? lc's first
 * byte is lower case; comparing it first saves most calls. */
static int
name_is(const xmlChar *name, const char *lc)
{
	unsigned char c = name[0];

	if (c >= 'A' && c <= 'Z')
		c = (unsigned char)(c + 32);
	return c == (unsigned char)lc[0] &&
	       !strcasecmp((const char *)name, lc);
}

static const char *
attr(xmlNodePtr n, const char *name)
{
	xmlAttrPtr a;

	for (a = n->properties; a; a = a->next)
		if (name_is(a->name, name) && a->children &&
		    a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
	return NULL;
}

static int
is_el(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       name_is(n->name, name);
}

/* Folded text of a node (all descendants), malloc'd, NULL when empty.
 * Running out of memory sets *err to -ENOMEM (and gives NULL): the helpers
 * that cannot return an error record it there, and transcript_parse()
 * fails at the end rather than keep a record with a field missing. */
static char *
node_text(xmlNodePtr n, int *err)
{
	struct buf b = BUF_INIT;
	int sp = 0, rc = 0;
	char *s;

	if (!n)
		return NULL;
	if (n->type == XML_ATTRIBUTE_NODE || n->type == XML_TEXT_NODE) {
		xmlChar *c = xmlNodeGetContent(n);

		if (c) {
			rc = tx_fold(&b, (const char *)c,
				     strlen((const char *)c), &sp);
			xmlFree(c);
		}
	} else {
		xmlNodePtr c;
		struct {
			xmlNodePtr n;
		} stack[64];
		size_t d = 0;

		c = n->children;
		while (c) {
			if (c->type == XML_TEXT_NODE && c->content) {
				rc = tx_fold(&b, (const char *)c->content,
					     strlen((const char *)c->content),
					     &sp);
				if (rc < 0)
					break;
			} else if (c->type == XML_ELEMENT_NODE &&
				   is_el(c, "br")) {
				sp = 1;
			}
			if (c->type == XML_ELEMENT_NODE && c->children &&
			    !is_el(c, "script") && !is_el(c, "style") &&
			    d < 64) {
				stack[d++].n = c;
				c = c->children;
				continue;
			}
			while (!c->next && d > 0)
				c = stack[--d].n;
			c = c->next;
			if (b.len > TX_FIELD_MAX)
				break;
		}
	}
	tx_rtrim(&b);
	if (rc < 0 || b.len == 0) {
		if (rc < 0)
			*err = -ENOMEM;
		buf_free(&b);
		return NULL;
	}
	s = buf_detach(&b);
	if (!s)
		*err = -ENOMEM;
	return s;
}

/* ---- charset ---------------------------------------------------------- */

/* The charset named in the first bytes' <meta>, copied into out. */
static int
meta_charset(const char *h, size_t len, char *out, size_t cap)
{
	size_t lim = len < 4096 ? len : 4096, i, n;
	const char *p;

	for (i = 0; i + 8 < lim; i++) {
		if (strncasecmp(h + i, "charset", 7))
			continue;
		p = h + i + 7;
		while (p < h + lim && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= h + lim || *p != '=')
			continue;
		p++;
		while (p < h + lim && (*p == ' ' || *p == '"' || *p == '\''))
			p++;
		for (n = 0; p + n < h + lim && n + 1 < cap &&
			    (isalnum((unsigned char)p[n]) || strchr("-_:.", p[n]));
		     n++)
			out[n] = p[n];
		out[n] = 0;
		if (n)
			return 0;
	}
	return -ENOENT;
}

/* The encoding name to hand libxml2 (WHATWG aliases applied). */
static const char *
charset_name(const char *cs)
{
	static const char *const latin[] = {
		"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii",
		"ascii", "iso_8859-1", "l1", "cp1252", "windows-1252",
		"x-cp1252", NULL,
	};
	size_t i;

	if (!cs || !*cs)
		return NULL;
	for (i = 0; latin[i]; i++)
		if (!strcasecmp(cs, latin[i]))
			return "windows-1252";
	if (!strcasecmp(cs, "utf8") || !strcasecmp(cs, "utf-8") ||
	    !strcasecmp(cs, "unicode-1-1-utf-8"))
		return "UTF-8";
	return cs;
}

/* Does it look like HTML? (Extension and Content-Type are not trusted.) */
static int
sniff_html(const char *h, size_t len)
{
	static const char *const tags[] = {
		"<!doctype html", "<html", "<head", "<body", "<p", "<div",
		"<title", "<meta", "<article", "<main", "<section", "<h1",
		"<table", "<span", "<br", NULL,
	};
	size_t lim = len < 2048 ? len : 2048, i, j;

	for (i = 0; i < lim; i++) {
		if (h[i] != '<')
			continue;
		for (j = 0; tags[j]; j++) {
			size_t n = strlen(tags[j]);

			if (i + n <= len && !strncasecmp(h + i, tags[j], n) &&
			    (i + n == len || !isalnum((unsigned char)h[i + n])))
				return 1;
		}
	}
	return 0;
}

/* Are the NUL bytes of a page binary content rather than a stray byte or
 * two in a text (red-team pass 2: one NUL in the first 2 KiB made a page
 * "not an HTML document")? Binary data (an image, a compressed body, a
 * UTF-16 text) holds C0 control bytes all over: about one byte in ten
 * for compressed data, every other byte for UTF-16. Text holds tabs and
 * line ends, and ESC in ISO-2022 text. So: more than 8 control bytes
 * (besides those) plus one in 64 of the first 2 KiB (40 in 2 KiB) is
 * binary. */
static int
binary_nuls(const char *h, size_t len)
{
	size_t lim = len < 2048 ? len : 2048, i, ctl = 0;
	unsigned char c;

	for (i = 0; i < lim; i++) {
		c = (unsigned char)h[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
		    c != '\f' && c != 0x1b)
			ctl++;
	}
	return ctl > 8 + lim / 64;
}

/* ---- XPath ------------------------------------------------------------ */

/* Evaluate the "||"-separated alternatives of expr; the first that yields
 * nodes wins. Returns the node set object (free with
 * xmlXPathFreeObject) or NULL. */
static xmlXPathObjectPtr
xp_eval(xmlXPathContextPtr ctx, const char *expr)
{
	char one[1024];
	const char *p = expr;

	while (p && *p) {
		const char *e = strstr(p, "||");
		size_t n = e ? (size_t)(e - p) : strlen(p);
		xmlXPathObjectPtr o;

		if (n && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = 0;
			o = xmlXPathEvalExpression((const xmlChar *)one, ctx);
			if (o && o->type == XPATH_NODESET && o->nodesetval &&
			    o->nodesetval->nodeNr > 0)
				return o;
			xmlXPathFreeObject(o);
		}
		p = e ? e + 2 : NULL;
	}
	return NULL;
}

/* Text of the first node the expression matches (attribute value or
 * folded element text); malloc'd or NULL (*err: see node_text). */
static char *
xp_text(xmlXPathContextPtr ctx, const char *expr, int *err)
{
	xmlXPathObjectPtr o;
	char *s = NULL;
	int i;

	if (!expr || !*expr)
		return NULL;
	o = xp_eval(ctx, expr);
	for (i = 0; o && !s && i < o->nodesetval->nodeNr; i++)
		s = node_text(o->nodesetval->nodeTab[i], err);
	xmlXPathFreeObject(o);
	return s;
}

/* ---- page metadata from <head> ---------------------------------------- */

struct meta {
	char *title, *og_title, *site, *desc, *og_desc, *keywords;
	char *published, *kind, *locale;
	char *ld_published; /* JSON-LD "datePublished" */
};

static void
meta_free(struct meta *m)
{
	free(m->title);
	free(m->og_title);
	free(m->site);
	free(m->desc);
	free(m->og_desc);
	free(m->keywords);
	free(m->published);
	free(m->ld_published);
	free(m->kind);
	free(m->locale);
}

static void
meta_set(char **dst, const char *v, int *err)
{
	struct buf b = BUF_INIT;
	int sp = 0;

	if (*dst || !v)
		return;
	if (tx_fold(&b, v, strnlen(v, TX_FIELD_MAX), &sp) < 0)
		*err = -ENOMEM;
	tx_rtrim(&b);
	if (b.len && !*err && !(*dst = buf_detach(&b)))
		*err = -ENOMEM;
	buf_free(&b);
}

/* "datePublished": "2026-12-02T10:15:00+11:00" in JSON-LD (schema.org):
 * the value as written, or NULL. */
static char *
ld_date(const char *j, int *err)
{
	const char *p = strstr(j, "\"datePublished\""), *q;
	char *r;

	if (!p)
		return NULL;
	p += strlen("\"datePublished\"");
	while (*p == ' ' || *p == ':' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '"')
		return NULL;
	q = strchr(++p, '"');
	if (!q || q - p < 8 || q - p > 40)
		return NULL;
	if (!(r = strndup(p, (size_t)(q - p))))
		*err = -ENOMEM;
	return r;
}

static void
meta_scan(xmlNodePtr n, struct meta *m, int depth, int *err)
{
	static const char *const pubkeys[] = {
		"article:published_time", "og:published_time", "dc.date",
		"dc.date.issued", "dcterms.date", "dcterms.issued", "date",
		"pubdate", "publish-date", "datepublished",
		"govuk:first-published-at", "sailthru.date",
		"parsely-pub-date", NULL,
	};
	size_t i;

	for (; n && depth < 40; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(n, "title") && !m->title) {
			m->title = node_text(n, err);
		} else if (is_el(n, "meta")) {
			const char *k = attr(n, "property");
			const char *v = attr(n, "content");

			if (!k)
				k = attr(n, "name");
			if (!k)
				k = attr(n, "itemprop");
			if (!k)
				k = attr(n, "http-equiv");
			if (!k || !v)
				continue;
			if (!strcasecmp(k, "og:title"))
				meta_set(&m->og_title, v, err);
			else if (!strcasecmp(k, "og:site_name"))
				meta_set(&m->site, v, err);
			else if (!strcasecmp(k, "description"))
				meta_set(&m->desc, v, err);
			else if (!strcasecmp(k, "og:description"))
				meta_set(&m->og_desc, v, err);
			else if (!strcasecmp(k, "keywords"))
				meta_set(&m->keywords, v, err);
			else if (!strcasecmp(k, "og:locale") ||
				 !strcasecmp(k, "dc.language") ||
				 !strcasecmp(k, "content-language"))
				meta_set(&m->locale, v, err);
			else if (!strcasecmp(k, "govuk:format") ||
				 !strcasecmp(k, "dc.type"))
				meta_set(&m->kind, v, err);
			for (i = 0; pubkeys[i]; i++)
				if (!strcasecmp(k, pubkeys[i]))
					meta_set(&m->published, v, err);
		} else if (is_el(n, "script") && attr(n, "type") &&
			   strstr(attr(n, "type"), "ld+json") && !m->ld_published &&
			   n->children && n->children->content) {
			m->ld_published = ld_date((const char *)n->children->content,
						  err);
			continue;
		} else if (is_el(n, "body")) {
			continue;
		}
		if (n->children)
			meta_scan(n->children, m, depth + 1, err);
	}
}

/* ---- where the content is --------------------------------------------- */

static const char *const skip_tags[] = {
	"script", "style", "noscript", "nav", "aside", "footer",
	"button", "figure", "figcaption", "select", "input", "textarea",
	"iframe", "svg", "template", "object", "embed", "video", "audio",
	"canvas", "map", "img", "head", "meta", "link", "header", "menu",
	"dialog", NULL,
};

static const char *const skip_classes[] = {
	"share", "social", "related", "breadcrumb", "cookie", "subscribe",
	"newsletter", "caption", "promo", "sidebar", "advert", "comment",
	"toolbar", "addthis", "dpb-index", "visually-hidden",
	"visuallyhidden", "sr-only", "screen-reader", "skip-link",
	"feedback", "pagination", "post-navigation", "nav-links", "banner",
	"print-button", "video-links", "media-links", "tags", "byline-share",
	"footnote-nav", "signup",
	/* lists of other articles: "latest news", "most read", teasers */
	"latest-news", "news-latest", "latestnews", "latest-updates",
	"latestupdates", "latest-strip", "most-read", "mostread",
	"most-popular", "trending", "teaser", "widget", "read-next",
	"readnext", "more-news", "morenews", NULL,
};

static int
in_tag_list(xmlNodePtr n, const char *const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (name_is(n->name, list[i]))
			return 1;
	return 0;
}

static int
has_skip_class(xmlNodePtr n)
{
	const char *v[3] = {attr(n, "class"), attr(n, "id"), attr(n, "role")};
	char low[256];
	size_t i, j, k;

	for (i = 0; i < 3; i++) {
		if (!v[i])
			continue;
		for (k = 0; v[i][k] && k + 1 < sizeof(low); k++)
			low[k] = (char)tolower((unsigned char)v[i][k]);
		low[k] = 0;
		if (i == 2) {
			if (!strcmp(low, "navigation") ||
			    !strcmp(low, "complementary") ||
			    !strcmp(low, "contentinfo") ||
			    !strcmp(low, "banner"))
				return 1;
			continue;
		}
		for (j = 0; skip_classes[j]; j++)
			if (strstr(low, skip_classes[j]))
				return 1;
	}
	return 0;
}

static int
skipped(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE &&
	       (in_tag_list(n, skip_tags) || has_skip_class(n) ||
		attr(n, "hidden"));
}

static size_t
text_len(xmlNodePtr n, int depth)
{
	size_t t = 0;

	for (n = n->children; n && depth < 64; n = n->next) {
		if (n->type == XML_TEXT_NODE && n->content)
			t += strlen((const char *)n->content);
		else if (n->type == XML_ELEMENT_NODE && !skipped(n))
			t += text_len(n, depth + 1);
	}
	return t;
}

struct cand {
	xmlNodePtr node;
	size_t score;
};

struct cands {
	struct cand v[256];
	size_t n;
};

static void
cand_add(struct cands *c, xmlNodePtr n, size_t s)
{
	size_t i;

	if (!n || n->type != XML_ELEMENT_NODE)
		return;
	for (i = 0; i < c->n; i++)
		if (c->v[i].node == n) {
			c->v[i].score += s;
			return;
		}
	if (c->n < sizeof(c->v) / sizeof(c->v[0])) {
		c->v[c->n].node = n;
		c->v[c->n++].score = s;
	}
}

/* Readability-style scoring: each paragraph's text counts fully for its
 * parent and half for its grandparent. */
static void
score_walk(xmlNodePtr n, struct cands *c, int depth)
{
	for (; n && depth < 64; n = n->next) {
		if (n->type == XML_TEXT_NODE && n->content && n->parent &&
		    depth > 0 &&
		    (is_el(n->parent, "div") || is_el(n->parent, "td") ||
		     is_el(n->parent, "section") || is_el(n->parent, "article") ||
		     is_el(n->parent, "main") || is_el(n->parent, "font") ||
		     is_el(n->parent, "center"))) {
			/* text between <br>s straight in a <div>: paragraphs
			 * too (info.gov.hk, older ministry pages) */
			size_t t = strlen((const char *)n->content);

			if (t > 80) {
				cand_add(c, n->parent, t);
				cand_add(c, n->parent->parent, t / 2);
			}
			continue;
		}
		if (n->type != XML_ELEMENT_NODE || skipped(n))
			continue;
		if (is_el(n, "p") || is_el(n, "pre") || is_el(n, "blockquote")) {
			size_t t = text_len(n, 0);

			if (t > 20 && n->parent) {
				cand_add(c, n->parent, t);
				cand_add(c, n->parent->parent, t / 2);
			}
			continue;
		}
		score_walk(n->children, c, depth + 1);
	}
}

static xmlNodePtr
generic_body(xmlDocPtr doc, int *err)
{
	struct cands *c = calloc(1, sizeof(*c));
	xmlNodePtr root = xmlDocGetRootElement(doc), best = NULL, n;
	size_t i, bs = 0;

	if (!root)
		goto out;
	for (n = root->children; n && !is_el(n, "body"); n = n->next)
		;
	if (!n)
		n = root;
	best = n;
	if (!c) {
		*err = -ENOMEM;
		goto out;
	}
	score_walk(n->children, c, 0);
	for (i = 0; i < c->n; i++)
		if (c->v[i].score > bs) {
			bs = c->v[i].score;
			best = c->v[i].node;
		}
out:
	free(c);
	return best;
}

/* Text of the paragraphs under n (as score_walk counts them), and the
 * part of n's text inside links. */
static size_t
para_text(xmlNodePtr n, int depth)
{
	size_t t = 0;

	for (n = n->children; n && depth < 64; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || skipped(n))
			continue;
		if (is_el(n, "p") || is_el(n, "pre") || is_el(n, "blockquote"))
			t += text_len(n, 0);
		else
			t += para_text(n, depth + 1);
	}
	return t;
}

static size_t
link_text(xmlNodePtr n, int depth)
{
	size_t t = 0;

	for (n = n->children; n && depth < 64; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || skipped(n))
			continue;
		t += is_el(n, "a") ? text_len(n, 0) : link_text(n, depth + 1);
	}
	return t;
}

#define BODY_PARTS 16

/* The text split in sibling blocks around an image, an embed or an
 * advert (content management systems' "paragraph" components): the
 * chosen block, raised to the ancestor that holds no other paragraphs,
 * and its siblings that hold a quarter of its paragraph text or more,
 * not mostly links, in document order. Returns how many went to v. */
static int
body_parts(xmlNodePtr best, xmlNodePtr *v)
{
	xmlNodePtr u = best, s;
	size_t pt, st;
	int n = 0;

	if (!best)
		return 0;
	pt = para_text(u, 0);
	while (u->parent && u->parent->type == XML_ELEMENT_NODE &&
	       !is_el(u->parent, "body") && !is_el(u->parent, "html") &&
	       para_text(u->parent, 0) == pt)
		u = u->parent;
	if (!u->parent || u->parent->type != XML_ELEMENT_NODE || pt == 0) {
		v[0] = best;
		return 1;
	}
	for (s = u->parent->children; s && n < BODY_PARTS; s = s->next) {
		if (s == u) {
			v[n++] = best;
			continue;
		}
		if (s->type != XML_ELEMENT_NODE || skipped(s) || is_el(s, "h1"))
			continue;
		st = para_text(s, 0);
		if (st > 100 && st * 4 >= pt && link_text(s, 0) * 3 < text_len(s, 0))
			v[n++] = s;
	}
	return n;
}

/* ---- paragraphs -------------------------------------------------------- */

struct blk {
	char *text;
	size_t len;
	size_t lead;  /* bytes of a leading bold run */
	int heading;
	int em_only;  /* all text emphasised: an editor's note */
	int center;
};

struct walk {
	struct blk *v;
	size_t n, cap;
	struct buf cur;
	int space;
	int lead_state; /* 0 nothing yet, 1 inside the first bold, 2 done */
	xmlNodePtr lead_node;
	size_t lead;
	size_t em_bytes, all_bytes;
	size_t toc_bytes; /* text inside in-page links (<a href="#...">) */
	int em_depth;
	int heading, center;
	xmlNodePtr *drop;
	int ndrop;
	int rc;
};

static int
flush(struct walk *w)
{
	struct blk *b;

	tx_rtrim(&w->cur);
	/* a line made only of in-page links is a table of contents */
	if (w->toc_bytes && w->toc_bytes + 1 >= w->all_bytes)
		buf_reset(&w->cur);
	if (w->cur.len && w->rc == 0) {
		if (w->n == w->cap) {
			size_t nc = w->cap ? 2 * w->cap : 64;
			struct blk *v = realloc(w->v, nc * sizeof(*v));

			if (!v) {
				w->rc = -ENOMEM;
				goto reset;
			}
			w->v = v;
			w->cap = nc;
		}
		b = &w->v[w->n];
		b->len = w->cur.len;
		/* an exact copy: cur keeps its room for the next paragraph */
		b->text = malloc(b->len + 1);
		if (b->text)
			memcpy(b->text, w->cur.data, b->len + 1);
		if (!b->text) {
			w->rc = -ENOMEM;
			goto reset;
		}
		b->lead = w->lead_state == 2 ? w->lead : 0;
		if (b->lead > b->len)
			b->lead = b->len;
		b->heading = w->heading;
		b->center = w->center;
		b->em_only = w->all_bytes > 0 && w->em_bytes * 10 >= w->all_bytes * 9;
		w->n++;
	}
reset:
	buf_reset(&w->cur);
	w->space = 0;
	w->lead_state = 0;
	w->lead_node = NULL;
	w->lead = 0;
	w->em_bytes = w->all_bytes = w->toc_bytes = 0;
	return w->rc;
}

static const char *const block_tags[] = {
	"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
	"blockquote", "section", "article", "table", "tr", "td", "th", "dl",
	"dt", "dd", "pre", "address", "main", "hr", "center", NULL,
};

static int
is_dropped(const struct walk *w, xmlNodePtr n)
{
	int i;

	for (i = 0; i < w->ndrop; i++)
		if (w->drop[i] == n)
			return 1;
	return 0;
}

/* Lists whose text is mostly links are navigation (index lists). */
static int
link_list(xmlNodePtr n)
{
	size_t all, links = 0;
	xmlNodePtr c, d;

	if (!is_el(n, "ul") && !is_el(n, "ol"))
		return 0;
	all = text_len(n, 0);
	for (c = n->children; c; c = c->next)
		for (d = c->children; d; d = d->next)
			if (is_el(d, "a"))
				links += text_len(d, 0);
	return all == 0 || links * 2 > all;
}

static int
is_centered(xmlNodePtr n)
{
	const char *c = attr(n, "class"), *s = attr(n, "style"),
		   *a = attr(n, "align");

	return (c && strstr(c, "center")) || (s && strstr(s, "center")) ||
	       (a && !strcasecmp(a, "center")) || is_el(n, "center");
}

static void
walk(struct walk *w, xmlNodePtr n, int depth)
{
	for (; n && w->rc == 0; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			size_t before = w->cur.len, len;

			if (!n->content)
				continue;
			len = strlen((const char *)n->content);
			if ((w->rc = tx_fold(&w->cur, (const char *)n->content,
					     len, &w->space)) < 0)
				return;
			if (w->cur.len > before) {
				if (w->lead_state == 0)
					w->lead_state = 2, w->lead = 0;
				w->all_bytes += w->cur.len - before;
				if (w->em_depth)
					w->em_bytes += w->cur.len - before;
			}
			continue;
		}
		if (n->type != XML_ELEMENT_NODE || depth > 200)
			continue;
		if (skipped(n) || is_dropped(w, n) || link_list(n))
			continue;
		if (is_el(n, "br")) {
			flush(w);
			continue;
		}
		if (in_tag_list(n, block_tags)) {
			int h = n->name[0] == 'h' && n->name[1] >= '1' &&
				n->name[1] <= '6' && !n->name[2];

			flush(w);
			w->heading = h;
			w->center = is_centered(n);
			walk(w, n->children, depth + 1);
			flush(w);
			w->heading = 0;
			w->center = 0;
			continue;
		}
		if (is_el(n, "strong") || is_el(n, "b")) {
			int mine = w->lead_state == 0 && w->cur.len == 0;

			if (mine)
				w->lead_state = 1, w->lead_node = n;
			walk(w, n->children, depth + 1);
			if (mine && w->lead_state == 1) {
				w->lead_state = 2;
				w->lead = w->cur.len;
			}
			continue;
		}
		if (is_el(n, "a") && attr(n, "href") && attr(n, "href")[0] == '#' &&
		    attr(n, "href")[1]) {
			size_t before = w->all_bytes;

			walk(w, n->children, depth + 1);
			w->toc_bytes += w->all_bytes - before;
			continue;
		}
		if (is_el(n, "em") || is_el(n, "i")) {
			w->em_depth++;
			walk(w, n->children, depth + 1);
			w->em_depth--;
			continue;
		}
		walk(w, n->children, depth + 1);
	}
}

static void
walk_free(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i].text);
	free(w->v);
	buf_free(&w->cur);
}

/* ---- turns -------------------------------------------------------------- */

struct xturn {
	enum turn_type type;
	const char *speaker; /* borrowed from people */
	char *label;
	char *time; /* a time code printed with the label, or NULL */
	char *asker, *outlet; /* stated in the label ("Frage (Keller)",
			       * "AFP", "法新社记者"), or NULL */
	struct buf text;
};

struct ctx {
	const struct transcript_opts *o;
	const struct profile *p;
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
	struct briefing *b;
	struct meta m;
	struct tx_people pp;
	struct buf corpus;
	struct buf body; /* the opening of the body text */
	size_t first_label; /* the block of the first label, or w->n */
	unsigned lang;      /* lang_bit()s of the page's language tables */
	struct {
		char text[96];
		struct tx_label l;
	} lc[TX_LABEL_CACHE]; /* labels seen (label_cached) */
	size_t nlc, lc_next;
	struct {
		char text[96];
		size_t len;
		const char *name; /* borrowed from pp */
	} rc[TX_LABEL_CACHE]; /* labels resolved (resolved) */
	size_t nrc, rc_next;
	char *principal, *principal_role;
	struct xturn *t;
	size_t nt;
	struct buf location;
	int err; /* sticky -ENOMEM from a helper that returns no error */
};

/* The profile's value for a field: NULL when unset. */
#define PF(c, f) ((c)->p ? (c)->p->f : NULL)

static int
turn_new(struct ctx *c, enum turn_type type, const char *speaker,
	 const char *label, size_t llen)
{
	struct xturn *v = realloc(c->t, (c->nt + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	c->t = v;
	memset(&v[c->nt], 0, sizeof(v[0]));
	v[c->nt].type = type;
	v[c->nt].speaker = speaker;
	if (label && !(v[c->nt].label = strndup(label, llen)))
		return -ENOMEM;
	c->nt++;
	return 0;
}

static int
turn_para(struct ctx *c, const char *s, size_t n)
{
	struct xturn *t = &c->t[c->nt - 1];
	size_t k;
	int r;

	k = tx_interpreter_note(s, n);
	if (t->text.len == 0 && k < n) {
		s += k;
		n -= k;
	}
	if (n == 0)
		return 0;
	if (t->text.len && (r = buf_puts(&t->text, "\n\n")) < 0)
		return r;
	return buf_append(&t->text, s, n);
}

static int
is_date_line(const char *s, size_t n)
{
	struct date_value dv;

	return n < 48 && date_parse(s, n, &dv) == 0;
}

/* The speaker a label resolved to before (the same label resolves the
 * same way: the people it added are there), or NULL. */
static const char *
resolved(const struct ctx *c, const char *lb, size_t n)
{
	size_t i;

	for (i = 0; i < c->nrc; i++)
		if (c->rc[i].len == n && !memcmp(c->rc[i].text, lb, n))
			return c->rc[i].name;
	return NULL;
}

static void
remember(struct ctx *c, const char *lb, size_t n, const char *name)
{
	size_t i;

	if (n >= sizeof(c->rc[0].text) || !name)
		return;
	i = c->nrc < TX_LABEL_CACHE ? c->nrc++ : c->rc_next++ % TX_LABEL_CACHE;
	memcpy(c->rc[i].text, lb, n);
	c->rc[i].len = n;
	c->rc[i].name = name;
}

/* Asker or outlet a floor label states: "Frage (Keller)" asks Keller,
 * "AFP" and "法新社记者" name the outlet. 0 or -ENOMEM. */
static int
label_asker(struct xturn *t, const char *lb, const struct tx_label *l)
{
	char key[64];
	size_t n = l->name_len, k = strlen("\xe8\xae\xb0\xe8\x80\x85");

	if (l->role_len && !tx_is_interpreter_note(lb + l->role_off,
						    l->role_len))
		return (t->asker = strndup(lb + l->role_off, l->role_len))
			       ? 0 : -ENOMEM;
	{
		/* "JEAN MANGALUZ/PHILIPPINE STAR" */
		const char *sl = memchr(lb, '/', n);

		if (sl && !l->role_len) {
			if (!(t->asker = strndup(lb, (size_t)(sl - lb))) ||
			    !(t->outlet = strndup(sl + 1, n - (size_t)(sl + 1 - lb))))
				return -ENOMEM;
			return 0;
		}
	}
	{
		/* "Question from Chris Mason, BBC News" */
		const char *f = memmem(lb, n, " from ", 6);

		if (f) {
			char *q = strndup(f + 6, n - (size_t)(f + 6 - lb));
			int r;

			if (!q)
				return -ENOMEM;
			char *cm = strchr(q, ',');

			r = 0;
			if (cm) { /* "Name, Outlet" */
				*cm++ = 0;
				while (*cm == ' ')
					cm++;
				if (*cm && !(t->outlet = strdup(cm)))
					r = -ENOMEM;
			}
			if (r == 0 && !(t->asker = strdup(q)))
				r = -ENOMEM;
			free(q);
			return r < 0 ? r : 0;
		}
	}
	if (l->outlet)
		return (t->outlet = strndup(lb, n)) ? 0 : -ENOMEM;
	if (n > k && n < sizeof(key) &&
	    (!memcmp(lb + n - k, "\xe8\xae\xb0\xe8\x80\x85", k) ||
	     !memcmp(lb + n - k, "\xe8\xa8\x98\xe8\x80\x85", k)))
		return (t->outlet = strndup(lb, n - k)) ? 0 : -ENOMEM;
	return 0;
}

/* Who an answer label ("A", "R", "Ответ") stands for: the page's
 * principal speaker, else the last speaker of a statement; NULL when
 * there is neither (the label is then a name like any other). */
static const char *
answer_speaker(struct ctx *c, int *r)
{
	const char *name = NULL, *role = NULL;
	size_t i;

	if (c->principal) {
		*r = tx_resolve(&c->pp, c->principal, strlen(c->principal),
				NULL, 0, &name, &role);
		return *r < 0 ? NULL : name;
	}
	for (i = c->nt; i > 0; i--)
		if (c->t[i - 1].type == TURN_STATEMENT && c->t[i - 1].speaker)
			return c->t[i - 1].speaker;
	return NULL;
}

static int
add_label_turn(struct ctx *c, const struct blk *b, const struct tx_label *l)
{
	const char *name = NULL, *role = NULL;
	int r = 0;

	const char *lb = b->text + l->label_off;

	if (l->kind == TXL_QUESTION) {
		r = turn_new(c, TURN_QUESTION, NULL, lb, l->label_len);
		if (r == 0)
			r = label_asker(&c->t[c->nt - 1], lb, l);
	}
	else if (l->answer && (name = answer_speaker(c, &r)))
		r = turn_new(c, TURN_STATEMENT, name, lb, l->label_len);
	else if (r < 0)
		return r;
	else if ((name = resolved(c, lb, l->label_len)))
		r = turn_new(c, TURN_STATEMENT, name, lb, l->label_len);
	else if ((r = tx_resolve(&c->pp, lb, l->name_len,
				 l->role_len ? lb + l->role_off : NULL,
				 l->role_len, &name, &role)) == 0) {
		remember(c, lb, l->label_len, name);
		r = turn_new(c, TURN_STATEMENT, name, lb, l->label_len);
	}
	if (r == 0 && l->time_len &&
	    !(c->t[c->nt - 1].time = strndup(b->text + l->time_off,
					     l->time_len)))
		r = -ENOMEM;
	return r;
}

/* Labels repeat ("MR. HALVORSEN:" fifty times a page): a paragraph that
 * starts with a label already accepted, then its colon, is that label
 * again; only plain "Label: text" paragraphs are remembered. */
static void
label_cached(struct ctx *c, const struct blk *b, const char *eq,
	     struct tx_label *l)
{
	size_t i, n;

	for (i = 0; i < c->nlc; i++) {
		const struct tx_label *k = &c->lc[i].l;

		n = k->label_len;
		if (b->len > n && !memcmp(b->text, c->lc[i].text, n) &&
		    (b->text[n] == ':' || b->text[n] == ' ')) {
			size_t j = n;

			while (j < b->len && b->text[j] == ' ')
				j++;
			if (j < b->len && b->text[j] == ':' &&
			    memchr(b->text, ':', n + 1) == b->text + j) {
				*l = *k;
				l->rest = j + 1;
				while (l->rest < b->len && b->text[l->rest] == ' ')
					l->rest++;
				return;
			}
		}
	}
	tx_label_parse_lang(b->text, b->len, b->lead, eq, c->lang, l);
	if (l->kind == TXL_NONE || b->lead || l->label_off || l->time_len ||
	    l->label_len >= sizeof(c->lc[0].text) || l->rest <= l->label_len ||
	    b->text[l->label_len] == ')' || b->text[l->label_len] == ']')
		return;
	i = c->nlc < TX_LABEL_CACHE ? c->nlc++ : c->lc_next++ % TX_LABEL_CACHE;
	memcpy(c->lc[i].text, b->text, l->label_len);
	c->lc[i].l = *l;
}

/* Does the paragraph name the person (the surname; for a surname in
 * Cyrillic its stem, case endings aside) without speaking in the first
 * person ("I'm Dana Whitcombe")? */
static int
third_person(const char *t, const char *person)
{
	const char *sp = strrchr(person, ' ');
	const char *sur = sp ? sp + 1 : person;
	size_t n = strlen(sur), i;

	if (n < 4)
		return 0;
	if ((unsigned char)sur[0] == 0xD0 || (unsigned char)sur[0] == 0xD1) {
		if (n < 10)
			return 0; /* a stem of three letters or more */
		n -= 4;   /* two Cyrillic letters of case ending */
	}
	if (!strncmp(t, "I ", 2) || strstr(t, " I ") || strstr(t, "I'm") ||
	    strstr(t, "I\xe2\x80\x99m") || strstr(t, " my ") ||
	    !strncmp(t, "My ", 3))
		return 0;
	for (i = 0; t[i]; i++)
		if (!strncasecmp(t + i, sur, n) &&
		    (i == 0 || !isalnum((unsigned char)t[i - 1])))
			return 1;
	return 0;
}

static int
build_turns(struct ctx *c, struct walk *w)
{
	const char *eq = PF(c, question_labels);
	const char *opener = NULL;
	int started = 0, sp = 0, r;
	size_t i, end = w->n;

	/* emphasised paragraphs closing the body are an editor's note ("Ouça
	 * a íntegra da entrevista ..."), unless bracketed "(Laughter.)" */
	while (end > 0 && w->v[end - 1].em_only &&
	       !strchr("([", w->v[end - 1].text[0]))
		end--;
	if (end <= c->first_label || end == 0)
		end = w->n; /* an all-italic page keeps its text */
	for (i = 0; i < end; i++) {
		const struct blk *b = &w->v[i];
		struct tx_label l;

		if (started && tx_is_end_line(b->text, b->len))
			break;
		if (tx_is_skip_line(b->text, b->len))
			continue;
		if (!b->heading || b->lead)
			label_cached(c, b, eq, &l);
		else
			l.kind = TXL_NONE;
		if (l.kind != TXL_NONE) {
			if ((r = add_label_turn(c, b, &l)) < 0)
				return r;
			started = 1;
			if ((r = turn_para(c, b->text + l.rest,
					   b->len - l.rest)) < 0)
				return r;
			continue;
		}
		if (!started) {
			if (b->em_only || is_date_line(b->text, b->len))
				continue;
			if (b->heading && c->b->title &&
			    !strcasecmp(b->text, c->b->title))
				continue;
			if (b->center && b->len < 80) {
				if (c->location.len &&
				    (r = buf_putc(&c->location, ' ')) < 0)
					return r;
				if ((r = tx_fold(&c->location, b->text, b->len,
						 &sp)) < 0)
					return r;
				continue;
			}
			if (tx_is_header_line(b->text, b->len))
				continue;
			/* a lede before the first label, with nobody named
			 * to say it, is narration ("The President met ...") */
			if (!c->principal && i < c->first_label &&
			    c->first_label < w->n)
				continue;
			/* nor when it names the principal in the third
			 * person ("Владимир Путин встретился с ...
			 * Талгатом Таджуддином") */
			if (c->principal && i < c->first_label &&
			    c->first_label < w->n &&
			    third_person(b->text, c->principal))
				continue;
			if (!opener && c->principal) {
				const char *role = NULL;

				r = tx_resolve(&c->pp, c->principal,
					       strlen(c->principal), NULL, 0,
					       &opener, &role);
				if (r < 0)
					return r;
			}
			if ((r = turn_new(c, TURN_STATEMENT, opener, NULL, 0)))
				return r;
			started = 1;
		}
		if ((r = turn_para(c, b->text, b->len)) < 0)
			return r;
	}
	return 0;
}

static const char *
person_role(const struct ctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->pp.n; i++)
		if (c->pp.v[i].name == name)
			return c->pp.v[i].role;
	return NULL;
}

static int
emit_turns(struct ctx *c)
{
	size_t i;
	int r;

	for (i = 0; i < c->nt; i++) {
		struct xturn *t = &c->t[i];
		char *asker = NULL, *outlet = NULL;

		if (t->text.len == 0)
			continue;
		if (t->type == TURN_QUESTION && !t->asker && !t->outlet &&
		    tx_find_asker(t->text.data, &asker, &outlet) == -ENOMEM)
			return -ENOMEM;
		r = briefing_add_turn(c->b, t->type, t->speaker, t->label,
				      t->asker ? t->asker : asker,
				      t->outlet ? t->outlet : outlet,
				      t->text.data);
		free(asker);
		free(outlet);
		if (r == 0 && t->time)
			r = briefing_set_turn_time(c->b, t->time);
		if (r < 0)
			return r;
		if (t->type == TURN_STATEMENT && t->speaker &&
		    !briefing_find_speaker(c->b, t->speaker) &&
		    (r = briefing_add_speaker(c->b, t->speaker,
					      person_role(c, t->speaker))) < 0)
			return r;
	}
	return 0;
}

/* ---- metadata ----------------------------------------------------------- */

/* "Title | Site", "Title - GOV.UK": drop a site suffix, the part after the
 * last " | " or the first " - " / " – ": the site's name (og:site_name),
 * or a short part holding no digits. "Conferencia matutina | Jueves 29 de
 * agosto, 2019" and "Daily Press Briefing - December 2, 2014" are titles. */
static void
strip_site(char *t, const char *site)
{
	char *p = NULL, *q;
	size_t i, words = 1, skip = 3, maxw = 8;

	for (q = t; (q = strstr(q, " | ")); q++)
		p = q;
	/* "标题_中华人民共和国外交部": CJK titles join the site with '_' */
	if (!p && (q = strrchr(t, '_')) && q > t && (unsigned char)q[1] >= 0xE0 &&
	    !strpbrk(q, "0123456789 ")) {
		*q = 0;
		return;
	}
	if (!p) {
		maxw = 4;
		p = strstr(t, " - ");
		if (!p && (p = strstr(t, " \xe2\x80\x93 ")))
			skip = 5;
	}
	if (!p || p == t)
		return;
	if (site && !strcasecmp(p + skip, site)) {
		*p = 0;
		return;
	}
	for (i = skip; p[i]; i++) {
		if (isdigit((unsigned char)p[i]) || p[i] == ',')
			return; /* a date or a place, not a site */
		words += p[i] == ' ';
	}
	if (words <= maxw)
		*p = 0;
}

static int
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; hay[i]; i++)
		if (!strncasecmp(hay + i, needle, n))
			return 1;
	return 0;
}

/* An h1 that is the site's logo: its class or id says logo, or all it
 * holds is a link to the home page ("/", "/eng/index.do", "/en/"). */
static int
logo_heading(xmlNodePtr n)
{
	const char *k[2] = {attr(n, "class"), attr(n, "id")}, *h;
	xmlNodePtr a = NULL, ch;
	size_t i, slashes = 0;
	int i2;

	for (i2 = 0; i2 < 2; i2++)
		if (k[i2] && (strstr(k[i2], "logo") || strstr(k[i2], "site-name") ||
			      strstr(k[i2], "site-title")))
			return 1;
	for (ch = n->children; ch; ch = ch->next) {
		if (ch->type == XML_TEXT_NODE && ch->content &&
		    ch->content[strspn((const char *)ch->content, " \t\r\n")])
			return 0;
		if (ch->type == XML_ELEMENT_NODE) {
			if (a || !is_el(ch, "a"))
				return 0;
			a = ch;
		}
	}
	if (!a || !(h = attr(a, "href")))
		return 0;
	if (strstr(h, "://"))
		h = strchr(strstr(h, "://") + 3, '/');
	if (!h || !*h)
		return 1;
	if (strstr(h, "/index."))
		return 1;
	for (i = 0; h[i] && h[i] != '?' && h[i] != '#'; i++)
		slashes += h[i] == '/';
	/* "/" or a language root "/en/" */
	return h[0] == '/' && h[i - 1] == '/' && slashes <= 2 && i <= 7;
}

/* The h1 or h2 that printed the title, or NULL. */
static xmlNodePtr
title_node(struct ctx *c, xmlNodePtr n, int depth)
{
	xmlNodePtr r;
	char *t;

	for (; n && depth < 64; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || is_el(n, "head") ||
		    is_el(n, "script") || is_el(n, "nav") || is_el(n, "footer") ||
		    is_el(n, "aside"))
			continue;
		if (is_el(n, "h1") || is_el(n, "h2")) {
			int same;

			t = node_text(n, &c->err);
			same = t && !strcmp(t, c->b->title);
			free(t);
			if (same)
				return n;
			continue;
		}
		if ((r = title_node(c, n->children, depth + 1)))
			return r;
	}
	return NULL;
}

/* A page without an h1: the first h2 whose text the <title> holds
 * ("MFA Press Statement: Transcript of ..." over an h2 "Transcript of
 * ..."), outside navigation and sidebars. */
static char *
heading_in_title(struct ctx *c, xmlNodePtr n, int depth)
{
	char *t;

	for (; n && depth < 64; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || skipped(n))
			continue;
		if (is_el(n, "h2")) {
			t = node_text(n, &c->err);
			if (t && strlen(t) >= 12 && contains_ci(c->m.title, t))
				return t;
			free(t);
			continue;
		}
		if ((t = heading_in_title(c, n->children, depth + 1)))
			return t;
	}
	return NULL;
}

static char *
find_title(struct ctx *c, xmlNodePtr n, int depth, char **first)
{
	char *t;

	for (; n && depth < 64; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(n, "h1") && !has_skip_class(n) && !logo_heading(n)) {
			t = node_text(n, &c->err);
			if (t && c->m.title && contains_ci(c->m.title, t))
				return t;
			if (t && !*first)
				*first = t;
			else
				free(t);
			continue;
		}
		if (is_el(n, "script") || is_el(n, "style") || is_el(n, "nav") ||
		    is_el(n, "footer") || is_el(n, "aside"))
			continue;
		t = find_title(c, n->children, depth + 1, first);
		if (t)
			return t;
	}
	return NULL;
}

/* The record's lang: what the page declares (<html lang>, xml:lang,
 * <meta http-equiv=content-language>, og:locale, dc.language), as a
 * primary subtag; the feed's language is added by the caller when the
 * page says nothing. Never guessed here: the index detects the language
 * of text that declares none (docs/store.md). */
static void
set_record_lang(struct ctx *c)
{
	xmlNodePtr root = xmlDocGetRootElement(c->doc);
	const char *code[3] = {root ? attr(root, "lang") : NULL,
			       root ? attr(root, "xml:lang") : NULL,
			       c->m.locale};
	int i, r = 0;

	for (i = 0; i < 3 && r == 0; i++)
		r = briefing_set_lang(c->b, code[i]);
	if (r < 0)
		c->err = -ENOMEM;
}

static void
set_title(struct ctx *c)
{
	char *first = NULL;

	set_record_lang(c);

	c->b->title = xp_text(c->xp, PF(c, xpath_title), &c->err);
	if (!c->b->title)
		c->b->title = find_title(c, xmlDocGetRootElement(c->doc), 0,
					 &first);
	if (!c->b->title && !first && c->m.title)
		c->b->title = heading_in_title(c, xmlDocGetRootElement(c->doc), 0);
	if (!c->b->title && first)
		c->b->title = first, first = NULL;
	free(first);
	if (!c->b->title && c->m.og_title &&
	    !(c->b->title = strdup(c->m.og_title)))
		c->err = -ENOMEM;
	if (!c->b->title && c->m.title && !(c->b->title = strdup(c->m.title)))
		c->err = -ENOMEM;
	if (c->b->title && c->m.title && !strcmp(c->b->title, c->m.title))
		strip_site(c->b->title, c->m.site);
}

/* A date string for the record: ISO input is kept as written. NULL when
 * s holds no date (or, with *err set, for lack of memory). */
/* "03/12/2026 18h40" (gov.br), "3/12/2026": a numeric date with
 * slashes, read day first on a page that is not in English (or when the
 * first number cannot be a month), month first on an English one. The
 * time after it is left out. 0 and *dv, or -1. */
static int
slash_date(const char *s, size_t n, int dmy, struct date_value *dv)
{
	unsigned v[3] = {0, 0, 0};
	size_t i = 0, k, d;
	char iso[16];

	for (k = 0; k < 3; k++) {
		for (d = 0; i < n && s[i] >= '0' && s[i] <= '9' && d < 4; i++, d++)
			v[k] = v[k] * 10 + (unsigned)(s[i] - '0');
		if (d == 0 || (k < 2 && (d > 2 || i >= n || s[i++] != '/')))
			return -1;
		if (k == 2 && d != 4)
			return -1;
	}
	if (i < n && s[i] != ' ' && s[i] != ',')
		return -1;
	if (v[0] > 12)
		dmy = 1;
	else if (v[1] > 12)
		dmy = 0;
	snprintf(iso, sizeof(iso), "%04u-%02u-%02u", v[2] % 10000u,
		 (dmy ? v[1] : v[0]) % 100u, (dmy ? v[0] : v[1]) % 100u);
	return date_parse(iso, strlen(iso), dv) == 0 ? 0 : -1;
}

/* "2026.12.03" (year first, dots): 0 and *dv, or -1. */
static int
ymd_dots(const char *s, size_t n, struct date_value *dv)
{
	char iso[16];

	if (n < 10 || !isdigit((unsigned char)s[0]) || s[4] != '.' ||
	    s[7] != '.' || strspn(s, "0123456789") != 4 ||
	    strspn(s + 5, "0123456789") != 2 || strspn(s + 8, "0123456789") != 2 ||
	    (n > 10 && s[10] != ' '))
		return -1;
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", s, s + 5, s + 8);
	return date_parse(iso, 10, dv) == 0 ? 0 : -1;
}

/* A date after up to three words without digits ("Publié le 3 décembre
 * 2026", "Veröffentlicht am 3. Dezember 2026", "Опубликовано 3 декабря
 * 2026"): 0 and *dv, or -1. */
static int
after_words(const char *s, size_t n, struct date_value *dv)
{
	size_t i, words = 0;

	for (i = 1; i < n && words < 3; i++) {
		if (isdigit((unsigned char)s[i - 1]))
			return -1;
		if (s[i - 1] != ' ' || s[i] == ' ')
			continue;
		words++;
		if ((isalnum((unsigned char)s[i]) ||
		     ((unsigned char)s[i] >= 0xC3 && (unsigned char)s[i] <= 0xDF)) &&
		    date_parse(s + i, n - i, dv) == 0)
			return 0;
	}
	return -1;
}

static char *
date_value_dmy(const char *s, int dmy, int *err)
{
	struct date_value dv;
	char out[DATE_ISO_MAX], *r;
	size_t n;
	const char *p;

	if (!s)
		return NULL;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '-' || s[n - 1] == '|'))
		n--;
	if (date_parse(s, n, &dv) < 0) {
		p = strchr(s, ':');
		if (p && date_parse(p + 1, strlen(p + 1), &dv) == 0)
			;
		else if (dmy >= 0 && slash_date(s, n, dmy, &dv) == 0)
			;
		else if (ymd_dots(s, n, &dv) == 0)
			; /* "2026.12.03" */
		else if (after_words(s, n, &dv) == 0)
			; /* "Publié le 3 décembre 2026" */
		else if ((p = strstr(s, ", ")) && p - s < 40 &&
			 (size_t)(p + 2 - s) < n &&
			 strcspn(s, "0123456789") > (size_t)(p - s) &&
			 (memchr(p + 2, ' ', n - (size_t)(p + 2 - s)) ||
			  (n - (size_t)(p + 2 - s) >= 8 &&
			   strspn(p + 2, "0123456789./-") ==
				   n - (size_t)(p + 2 - s))) &&
			 date_parse(p + 2, n - (size_t)(p + 2 - s), &dv) == 0)
			; /* "Santander, miércoles 3 de diciembre de 2026" */
		else
			return NULL;
		n = 0;
	}
	if (n >= 10 && isdigit((unsigned char)s[0]) && s[4] == '-' &&
	    s[7] == '-') {
		r = strndup(s, n);
	} else {
		date_format(&dv, out);
		r = strdup(out);
	}
	if (!r)
		*err = -ENOMEM;
	return r;
}

static char *
date_value(const char *s, int *err)
{
	return date_value_dmy(s, -1, err);
}

/* A date the title ends with ("Press Briefing, February 1, 2021",
 * "Conferencia de prensa del 31 de mayo de 2021") or holds in CJK form
 * ("2025年2月19日外交部发言人…"): the page's date when it prints none. */
static char *
date_in_title(const char *t, int *err)
{
	struct date_value dv;
	char out[DATE_ISO_MAX], *r;
	const char *p = strstr(t, "\xe5\xb9\xb4"), *q; /* 年 */
	size_t n = strlen(t), i, words = 0;

	/* "Entretien ... (Paris, 3 décembre 2026)" */
	while (n && (t[n - 1] == ')' || t[n - 1] == ']' || t[n - 1] == ' '))
		n--;

	if (p && p - t >= 4 && (q = strstr(p, "\xe6\x97\xa5"))) { /* 日 */
		const char *a = p - 4;

		if (q - a < 24 && date_parse(a, (size_t)(q + 3 - a), &dv) == 0)
			goto ok;
	}
	for (i = n; i > 0 && words < 8; i--) {
		if (t[i - 1] != ' ')
			continue;
		words++;
	}
	/* i: the start of the last eight words; the longest suffix wins */
	for (; i < n; i++) {
		if (i > 0 && t[i - 1] != ' ')
			continue;
		if (date_parse(t + i, n - i, &dv) == 0)
			goto ok;
	}
	return NULL;
ok:
	date_format(&dv, out);
	if (!(r = strdup(out)))
		*err = -ENOMEM;
	return r;
}

struct dscan {
	char *published, *updated;
	int budget;
	int *err;
	int dmy; /* numeric dates with slashes: 1 day first, 0 month first */
};

/* Walk text in document order for dates printed on the page. */
static void
date_scan(xmlNodePtr n, struct dscan *d, int depth)
{
	for (; n && depth < 64 && d->budget > 0; n = n->next) {
		if (n->type == XML_ELEMENT_NODE) {
			const char *dt;

			if (is_el(n, "script") || is_el(n, "style") ||
			    is_el(n, "nav") || is_el(n, "aside") ||
			    is_el(n, "footer") || is_el(n, "head") ||
			    has_skip_class(n))
				continue;
			if (is_el(n, "time") && (dt = attr(n, "datetime")) &&
			    !d->published)
				d->published = date_value(dt, d->err);
			date_scan(n->children, d, depth + 1);
			continue;
		}
		if (n->type != XML_TEXT_NODE || !n->content)
			continue;
		{
			const char *s = (const char *)n->content;
			size_t len = strlen(s);
			char *t;

			d->budget--;
			if (len > 90 || len < 6)
				continue;
			if (!strpbrk(s, "0123456789"))
				continue;
			t = node_text(n, d->err);
			if (!t)
				continue;
			if (contains_ci(t, "updated")) {
				if (!d->updated)
					d->updated = date_value(t, d->err);
			} else if (!d->published && strlen(t) < 48) {
				d->published = date_value_dmy(t, d->dmy,
							      d->err);
			}
			free(t);
		}
	}
}

/* The date printed nearest the title: scanned in the h1's parent, then
 * its grandparent, and so on, so that the article's date line wins over
 * a "latest news" strip above it. NULL when the page has no h1 or no
 * date. */
static char *
date_near_title(struct ctx *c, int dmy)
{
	xmlNodePtr h = NULL, a;
	struct dscan d = {NULL, NULL, 4000, &c->err, dmy};

	if (c->b->title)
		h = title_node(c, xmlDocGetRootElement(c->doc), 0);
	for (a = h ? h->parent : NULL; a && a->type == XML_ELEMENT_NODE;
	     a = a->parent) {
		d.budget = 4000;
		date_scan(a->children, &d, 0);
		free(d.updated);
		d.updated = NULL;
		if (d.published || c->err)
			return d.published;
	}
	return NULL;
}

static void
set_dates(struct ctx *c)
{
	struct dscan d = {NULL, NULL, 4000, &c->err, 1};
	char *s;

	{
		/* month first only in US English; no language: neither */
		xmlNodePtr root = xmlDocGetRootElement(c->doc);
		const char *l = root ? attr(root, "lang") : NULL;

		if (!l && root)
			l = attr(root, "xml:lang");
		if (!l || !*l)
			d.dmy = -1;
		else if (!strcasecmp(l, "en") || !strcasecmp(l, "en-us"))
			d.dmy = 0;
	}

	s = xp_text(c->xp, PF(c, xpath_published), &c->err);
	c->b->published = date_value(s, &c->err);
	free(s);
	s = xp_text(c->xp, PF(c, xpath_updated), &c->err);
	c->b->updated = date_value(s, &c->err);
	free(s);
	if (c->b->published && (c->b->updated || PF(c, xpath_updated)))
		return;
	date_scan(xmlDocGetRootElement(c->doc), &d, 0);
	if (!c->b->published && c->m.published)
		c->b->published = date_value(c->m.published, &c->err);
	if (!c->b->published && c->m.ld_published)
		c->b->published = date_value(c->m.ld_published, &c->err);
	if (!c->b->published)
		c->b->published = date_near_title(c, d.dmy);
	if (!c->b->published)
		c->b->published = d.published, d.published = NULL;
	if (!c->b->published && c->b->title)
		c->b->published = date_in_title(c->b->title, &c->err);
	if (!c->b->updated && !PF(c, xpath_updated))
		c->b->updated = d.updated, d.updated = NULL;
	free(d.published);
	free(d.updated);
}

static void
set_kind(struct ctx *c)
{
	const char *k = PF(c, kind);
	char *x = xp_text(c->xp, PF(c, xpath_kind), &c->err);
	size_t i, q = 0, spk = 0;
	int r;

	if (k && (r = briefing_kind_parse(k)) >= 0) {
		c->b->kind = (enum briefing_kind)r;
		goto out;
	}
	for (i = 0; i < c->b->nturns; i++)
		q += c->b->turns[i].type == TURN_QUESTION;
	spk = c->b->nspeakers;
	if (q || spk > 1) {
		c->b->kind = BRIEFING_TRANSCRIPT;
		goto out;
	}
	if (!x && c->m.kind && !(x = strdup(c->m.kind)))
		c->err = -ENOMEM;
	if (x && (contains_ci(x, "speech") || contains_ci(x, "remarks")))
		c->b->kind = BRIEFING_SPEECH;
	else if (x && (contains_ci(x, "release") || contains_ci(x, "news") ||
		       contains_ci(x, "statement")))
		c->b->kind = BRIEFING_RELEASE;
	else if (x && (contains_ci(x, "transcript") ||
		       contains_ci(x, "briefing")))
		c->b->kind = BRIEFING_TRANSCRIPT;
	else if (c->b->nturns && c->b->turns[0].label)
		c->b->kind = BRIEFING_TRANSCRIPT;
	else if (c->b->title && (contains_ci(c->b->title, "press release") ||
				 contains_ci(c->b->title, "statement") ||
				 contains_ci(c->b->title, "readout")))
		c->b->kind = BRIEFING_RELEASE;
	else if (c->b->title && (contains_ci(c->b->title, "speech") ||
				 contains_ci(c->b->title, "remarks") ||
				 contains_ci(c->b->title, "address")))
		c->b->kind = BRIEFING_SPEECH;
	else if (c->b->nturns && c->b->turns[0].speaker)
		c->b->kind = BRIEFING_SPEECH;
	else
		c->b->kind = BRIEFING_OTHER;
out:
	free(x);
}

/* "... in Tallinn" at the end of the summary names the place. */
static char *
location_from_summary(const char *s, int *err)
{
	const char *p = NULL, *q;
	char *r;
	size_t n;

	for (q = s; (q = strstr(q, " in ")); q++)
		p = q + 4;
	if (!p || !isupper((unsigned char)*p))
		return NULL;
	n = strlen(p);
	while (n && strchr(". ", p[n - 1]))
		n--;
	for (q = p; q < p + n; q++)
		if (*q == ' ' && !isupper((unsigned char)q[1]))
			return NULL;
	if (!n || n >= 60)
		return NULL;
	r = strndup(p, n);
	if (!r)
		*err = -ENOMEM;
	return r;
}

static int
corpus_add(struct ctx *c, const char *s)
{
	int r = 0;

	if (s && !(r = buf_puts(&c->corpus, s)))
		r = buf_puts(&c->corpus, " .\n");
	return r;
}

/* A byline naming one person: the first element whose class says
 * byline, author, minister or speaker ("Hon Rachel Tane" on a minister's
 * speech), outside navigation, sidebars and footers. malloc'd or NULL. */
static char *
byline_person(struct ctx *c, xmlNodePtr n, int depth)
{
	static const char *const cls[] = {"byline", "author", "minister",
					  "speaker", NULL};
	char *t, *r;
	size_t i;

	for (; n && depth < 64; n = n->next) {
		const char *k;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(n, "script") || is_el(n, "style") ||
		    is_el(n, "nav") || is_el(n, "aside") ||
		    is_el(n, "footer") || is_el(n, "head") ||
		    has_skip_class(n))
			continue;
		if ((k = attr(n, "class"))) {
			char low[128];

			for (i = 0; k[i] && i + 1 < sizeof(low); i++)
				low[i] = (char)tolower((unsigned char)k[i]);
			low[i] = 0;
			for (i = 0; cls[i]; i++)
				if (strstr(low, cls[i]))
					break;
			if (cls[i] && text_len(n, 0) < 80 &&
			    (t = node_text(n, &c->err))) {
				r = tx_byline_name(t);
				free(t);
				if (r)
					return r;
			}
		}
		if ((r = byline_person(c, n->children, depth + 1)))
			return r;
	}
	return NULL;
}

static int
set_people(struct ctx *c)
{
	char *n = NULL, *r = NULL;
	int rc;

	if ((rc = corpus_add(c, c->b->subtitle)) || (rc = corpus_add(c, c->b->summary)) ||
	    (rc = corpus_add(c, c->m.desc)) || (rc = corpus_add(c, c->b->title)) ||
	    (rc = corpus_add(c, c->m.og_title)) ||
	    (rc = corpus_add(c, c->m.title)) ||
	    (rc = corpus_add(c, c->m.keywords)))
		return rc;
	n = xp_text(c->xp, PF(c, xpath_speaker), &c->err);
	if (n) {
		c->principal = tx_clean_name(n);
		free(n);
		c->principal_role = xp_text(c->xp, PF(c, xpath_speaker_role),
					    &c->err);
		if (!c->principal)
			return -ENOMEM;
	} else if ((rc = tx_find_named_person(buf_str(&c->corpus), &n,
					      &r)) == 0) {
		tx_nominative(n);
		c->principal = n;
		c->principal_role = r;
	} else if (rc == -ENOMEM) {
		return rc;
	} else {
		c->principal = byline_person(c, xmlDocGetRootElement(c->doc), 0);
	}
	c->pp.corpus = buf_str(&c->corpus);
	if (c->principal) {
		if ((rc = corpus_add(c, c->principal)) < 0)
			return rc;
		c->pp.corpus = buf_str(&c->corpus);
		rc = tx_people_add(&c->pp, c->principal, c->principal_role);
		if (rc < 0)
			return rc;
		c->pp.principal = c->principal;
	}
	return 0;
}

/* The page's language picks the tables that refuse labels (field names):
 * <html lang>, else og:locale / dc.language, else a guess from the text;
 * English is always in, and unknown means every table. Floor labels,
 * offices and honorifics are looked up in every table, since a page may
 * quote a label in another language. */
static void
set_lang(struct ctx *c, const struct walk *w)
{
	xmlNodePtr root = xmlDocGetRootElement(c->doc);
	const char *code = root ? attr(root, "lang") : NULL;
	unsigned bit = 0;
	size_t i;

	if (!code && root)
		code = attr(root, "xml:lang");
	if (code)
		bit = lang_bit(code, strlen(code));
	if (!bit && c->m.locale)
		bit = lang_bit(c->m.locale, strlen(c->m.locale));
	for (i = 0; !bit && i < w->n && i < 32; i++)
		bit = lang_guess(w->v[i].text, w->v[i].len);
	c->lang = bit ? bit | lang_bit("en", 2) : LANG_ALL;
}

/* A page that names nobody in its title or summary may name its
 * principal speaker in a header line before the first label
 * ("Spokesperson Lim Jae-won", "Speaker: Ms. Dana Whitcombe, Director,
 * Communications Department"): the first person named there with an
 * office. 0 or -ENOMEM. */
static int
header_principal(struct ctx *c, const struct blk *b)
{
	char *n = NULL, *r = NULL;
	int rc;

	if (!tx_is_header_line(b->text, b->len) ||
	    is_date_line(b->text, b->len))
		return 0;
	rc = tx_find_named_person(b->text, &n, &r);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	c->principal = n;
	c->principal_role = r;
	if ((rc = tx_people_add(&c->pp, n, r)) < 0)
		return rc;
	c->pp.principal = c->principal;
	return 0;
}

/* The lines before the first label (a header block: "TRANSCRIPT OF THE
 * PRIME MINISTER" / "THE HON JOHN HOWARD MP", a list of participants) join
 * the corpus as one run, so that an office and the name on the next line
 * meet; the opening of the body (4 KiB) is searched last for a role-only
 * label ("I'm joined by the Deputy Prime Minister Wayne Swan"). */
static int
header_people(struct ctx *c, struct walk *w)
{
	const char *eq = PF(c, question_labels);
	size_t i, nb = 0;
	int r = 0, sp = 0;

	set_lang(c, w);
	for (i = 0; i < w->n && r == 0; i++) {
		const struct blk *b = &w->v[i];
		struct tx_label l;

		if ((!b->heading || b->lead) &&
		    tx_label_parse_lang(b->text, b->len, b->lead, eq, c->lang,
					&l) != TXL_NONE)
			break;
		if (b->len > 300 || i >= 16)
			continue;
		if (!c->principal && (r = header_principal(c, b)) < 0)
			break;
		r = buf_append(&c->corpus, b->text, b->len);
		if (r == 0)
			r = buf_putc(&c->corpus, ' ');
	}
	c->first_label = i;
	if (r == 0 && i)
		r = buf_puts(&c->corpus, " .\n");
	for (i = 0; i < w->n && r == 0 && c->body.len < 4096; i++) {
		r = tx_fold(&c->body, w->v[i].text,
			    w->v[i].len < 4096 ? w->v[i].len : 4096, &sp);
		if (r == 0)
			r = buf_puts(&c->body, " .\n");
		nb++;
	}
	c->pp.corpus = buf_str(&c->corpus);
	c->pp.body = nb ? buf_str(&c->body) : NULL;
	return r;
}

static void
set_meta(struct ctx *c)
{
	const char *sx = PF(c, xpath_summary);

	set_title(c);
	c->b->subtitle = xp_text(c->xp, PF(c, xpath_subtitle), &c->err);
	set_dates(c);
	c->b->summary = xp_text(c->xp, sx, &c->err);
	if (!c->b->summary && !sx) {
		const char *d = c->m.desc ? c->m.desc : c->m.og_desc;

		if (d && (!c->b->title || strcasecmp(d, c->b->title)) &&
		    !(c->b->summary = strdup(d)))
			c->err = -ENOMEM;
	}
	c->b->location = xp_text(c->xp, PF(c, xpath_location), &c->err);
}

/* ---- profile detection --------------------------------------------------- */

/* Detect expressions are run against pages of every publisher, so most of
 * them find nothing, and each costs libxml2 a walk over the whole tree.
 * Before running them, one walk of our own rules out those that cannot
 * match. A location path "//NAME[P]..." selects nothing unless some
 * element NAME satisfies each predicate P of its first step (predicates
 * only ever filter), and three shapes of predicate need an attribute
 * holding a literal:
 *   contains(@A,'L')    @A='L'
 *   contains(concat(' ',normalize-space(@A),' '),' L ')
 * (for the last: the first run of L without white space is in @A as
 * written). Other predicates and whatever follows the first step are no
 * condition. An expression that is not made only of such paths, joined by
 * "|" or "||", is always run. The test is weaker than XPath's (names
 * compared ignoring case, substrings for equality), so an expression that
 * can match is always run, and its result decides. What it buys: on the
 * 100 pages of bench/corpus.py under the built-in profiles (none of which
 * they match) transcript_parse() takes 13.3M instructions a page with it,
 * 16.9M without (callgrind, 2026-12-06); test_transcript.c's
 * test_detect_* cases hold it to XPath's answer. */

#define DT_NAME 32
#define DT_LIT 64
#define DT_ATTRS 3
#define DT_CONDS 32

struct dt_cond {
	char name[DT_NAME];
	struct {
		char name[DT_NAME];
		char lit[DT_LIT];
	} a[DT_ATTRS];
	int na;
	int seen; /* an element of the page meets it */
};

struct dt_set {
	struct dt_cond v[DT_CONDS];
	size_t n;
	int all; /* the page could not be checked: everything may match */
};

static int
dt_namech(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
	       ch == '.';
}

static int
dt_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Copy s[0..n) into out (cap bytes) without the white space outside
 * literals. 0 when it does not fit or a literal is left open. */
static int
dt_squeeze(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;
	char q = 0;

	for (i = 0; i < n; i++) {
		if (q) {
			if (s[i] == q)
				q = 0;
		} else if (s[i] == '\'' || s[i] == '"') {
			q = s[i];
		} else if (dt_space(s[i])) {
			continue;
		}
		if (o + 1 >= cap)
			return 0;
		out[o++] = s[i];
	}
	out[o] = 0;
	return !q;
}

/* The index just past the literal, bracket or parenthesis that opens at
 * s[i]; 0 when nothing closes it. */
static size_t
dt_close(const char *s, size_t i)
{
	const char *e;
	int depth = 0;

	for (; s[i]; i++) {
		if (s[i] == '\'' || s[i] == '"') {
			if (!(e = strchr(s + i + 1, s[i])))
				return 0;
			i = (size_t)(e - s);
			if (depth == 0)
				return i + 1;
		} else if (s[i] == '[' || s[i] == '(') {
			depth++;
		} else if (s[i] == ']' || s[i] == ')') {
			if (--depth == 0)
				return i + 1;
			if (depth < 0)
				return 0;
		}
	}
	return 0;
}

/* Copy s[0..n) into out (cap bytes); 0 when it does not fit. */
static int
dt_copy(char *out, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return 0;
	memcpy(out, s, n);
	out[n] = 0;
	return 1;
}

/* ASCII lower case, as name_is() wants its second argument. */
static void
dt_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* "@A" at p followed by sep and a literal: A and the literal into the
 * condition's slot k. The length consumed, or 0 when p is not so. */
static size_t
dt_attr_lit(const char *p, const char *sep, struct dt_cond *c, int k)
{
	size_t i = 1, n = strlen(sep), j;

	if (p[0] != '@' || !dt_namech(p[1]) || p[1] == '.' || p[1] == '-' ||
	    (p[1] >= '0' && p[1] <= '9'))
		return 0;
	while (dt_namech(p[i]))
		i++;
	if (i == 1 || strncmp(p + i, sep, n) ||
	    !dt_copy(c->a[k].name, DT_NAME, p + 1, i - 1))
		return 0;
	dt_lower(c->a[k].name);
	i += n;
	if (p[i] != '\'' && p[i] != '"')
		return 0;
	for (j = i + 1; p[j] && p[j] != p[i]; j++)
		;
	if (!p[j] || !dt_copy(c->a[k].lit, DT_LIT, p + i + 1, j - i - 1))
		return 0;
	return j + 1;
}

/* Add the attribute condition of predicate p[0..n) (squeezed) to c, when
 * it has one of the three shapes. */
static void
dt_pred(const char *p, size_t n, struct dt_cond *c)
{
	static const char cls[] = "contains(concat(' ',normalize-space(";
	static const char mid[] = "),' '),";
	char pred[256], *l;
	size_t e, s;
	int k = c->na;

	if (k >= DT_ATTRS || !dt_copy(pred, sizeof(pred), p, n))
		return;
	if (!strncmp(pred, cls, sizeof(cls) - 1)) {
		e = dt_attr_lit(pred + sizeof(cls) - 1, mid, c, k);
		if (!e || strcmp(pred + sizeof(cls) - 1 + e, ")"))
			return;
		l = c->a[k].lit;
		for (s = 0; dt_space(l[s]); s++)
			;
		for (e = s; l[e] && !dt_space(l[e]); e++)
			;
		memmove(l, l + s, e - s);
		l[e - s] = 0;
	} else if (!strncmp(pred, "contains(", 9)) {
		e = dt_attr_lit(pred + 9, ",", c, k);
		if (!e || strcmp(pred + 9 + e, ")"))
			return;
	} else {
		e = dt_attr_lit(pred, "=", c, k);
		if (!e || pred[e])
			return;
	}
	if (c->a[k].lit[0])
		c->na++;
}

/* Add the conditions of one expression (no "||") to d. 0, or -1 when one
 * of its parts is not a path the conditions cover. */
static int
dt_expr(struct dt_set *d, const char *x, size_t n)
{
	char s[1024];
	size_t i = 0, j;

	if (!dt_squeeze(x, n, s, sizeof(s)))
		return -1;
	for (;;) {
		struct dt_cond *c;

		if (d->n == DT_CONDS || strncmp(s + i, "//", 2))
			return -1;
		c = &d->v[d->n];
		memset(c, 0, sizeof(*c));
		i += 2;
		/* a name starts with a letter or '_' (not "..", "-1") */
		if (!dt_namech(s[i]) || s[i] == '.' || s[i] == '-' ||
		    (s[i] >= '0' && s[i] <= '9'))
			return -1;
		for (j = i; dt_namech(s[j]); j++)
			;
		if (!dt_copy(c->name, DT_NAME, s + i, j - i))
			return -1;
		dt_lower(c->name);
		i = j;
		while (s[i] == '[') {
			j = dt_close(s, i);
			if (!j)
				return -1;
			dt_pred(s + i + 1, j - i - 2, c);
			i = j;
		}
		if (s[i] && s[i] != '/' && s[i] != '|')
			return -1;
		d->n++;
		/* what follows the first step, up to the next "|" */
		while (s[i] && s[i] != '|') {
			if (s[i] == '[' || s[i] == '(' || s[i] == '\'' ||
			    s[i] == '"') {
				if (!(i = dt_close(s, i)))
					return -1;
				continue;
			}
			i++;
		}
		if (!s[i])
			return 0;
		i++;
	}
}

/* Does the element meet the condition? */
static int
dt_match(xmlNodePtr n, const struct dt_cond *c)
{
	xmlAttrPtr a;
	int k, ok;

	if (!name_is(n->name, c->name))
		return 0;
	for (k = 0; k < c->na; k++) {
		ok = 0;
		for (a = n->properties; a && !ok; a = a->next) {
			if (!name_is(a->name, c->a[k].name))
				continue;
			if (!a->children)
				continue; /* no value: "" holds no literal */
			/* a value made of several nodes: assume it matches */
			ok = a->children->type != XML_TEXT_NODE ||
			     a->children->next || !a->children->content ||
			     strstr((const char *)a->children->content,
				    c->a[k].lit);
		}
		if (!ok)
			return 0;
	}
	return 1;
}

/* Mark the conditions some element of doc meets. */
static void
dt_scan(xmlDocPtr doc, struct dt_set *d)
{
	xmlNodePtr n = doc->children;
	size_t i, left = d->n;

	while (n && left) {
		if (n->type == XML_ELEMENT_NODE) {
			for (i = 0; i < d->n; i++)
				if (!d->v[i].seen && dt_match(n, &d->v[i])) {
					d->v[i].seen = 1;
					left--;
				}
			if (n->children) {
				n = n->children;
				continue;
			}
		} else if (n->children && n->type != XML_DTD_NODE) {
			d->all = 1; /* not a tree of elements we walk */
			return;
		}
		while (!n->next && n->parent && n->parent->type ==
		       XML_ELEMENT_NODE)
			n = n->parent;
		n = n->next;
	}
}

/* Add the conditions of every "||" alternative of expr (split as
 * xp_eval splits it) to d. 0, or -1 (d unchanged) when one of them is not
 * covered: then expr must be run. */
static int
dt_parse(struct dt_set *d, const char *expr)
{
	size_t start = d->n;
	const char *p = expr, *e;

	while (p && *p) {
		e = strstr(p, "||");
		if (dt_expr(d, p, e ? (size_t)(e - p) : strlen(p)) < 0) {
			d->n = start;
			return -1;
		}
		p = e ? e + 2 : NULL;
	}
	return 0;
}

/* The first profile of s whose detect expression matches the page. The
 * expressions that cannot match (see above) are not run. */
static const struct profile *
detect_profile(const struct profile_set *s, xmlDocPtr doc,
	       xmlXPathContextPtr xp)
{
	size_t np = profile_set_count(s), i, k;
	struct dt_set *d = calloc(1, sizeof(*d));
	struct {
		size_t a, b;
		int run;
	} *r = calloc(np ? np : 1, sizeof(*r));
	const struct profile *p, *found = NULL;
	xmlXPathObjectPtr o;

	for (i = 0; d && r && i < np; i++) {
		p = profile_set_at(s, i);
		r[i].a = d->n;
		r[i].run = p->detect && *p->detect && dt_parse(d, p->detect);
		r[i].b = d->n;
	}
	if (d && r)
		dt_scan(doc, d);
	for (i = 0; !found && i < np; i++) {
		p = profile_set_at(s, i);
		if (!p->detect || !*p->detect)
			continue;
		if (d && r && !r[i].run && !d->all) {
			for (k = r[i].a; k < r[i].b && !d->v[k].seen; k++)
				;
			if (k == r[i].b)
				continue; /* cannot match */
		}
		o = xp_eval(xp, p->detect);
		xmlXPathFreeObject(o);
		if (o)
			found = p;
	}
	free(r);
	free(d);
	return found;
}

/* ---- the whole page ------------------------------------------------------ */

static const struct profile *
choose_profile(const struct transcript_opts *o, xmlDocPtr doc,
	       xmlXPathContextPtr xp)
{
	const struct profile_set *s = o->profiles ? o->profiles
						  : profiles_builtin();
	const struct profile *p;

	if (o->profile)
		return o->profile;
	if ((p = profile_set_match_url(s, o->url)))
		return p;
	return detect_profile(s, doc, xp);
}

static int
is_inside(xmlNodePtr n, xmlNodePtr anc)
{
	for (n = n->parent; n; n = n->parent)
		if (n == anc)
			return 1;
	return 0;
}

/* Walk the body: the profile's nodes (outermost only), else the generic
 * choice. Nodes named by xpath_drop are left out. */
static int
walk_body(struct ctx *c, struct walk *w)
{
	xmlXPathObjectPtr bo = NULL, dr = NULL;
	xmlNodePtr *nodes = NULL, one, parts[BODY_PARTS];
	int n = 0, i, j;

	if (PF(c, xpath_body) && *c->p->xpath_body)
		bo = xp_eval(c->xp, c->p->xpath_body);
	if (bo) {
		nodes = bo->nodesetval->nodeTab;
		n = bo->nodesetval->nodeNr;
	} else {
		one = generic_body(c->doc, &c->err);
		nodes = parts;
		n = body_parts(one, parts);
	}
	for (i = 0; i < n && w->rc == 0; i++) {
		for (j = 0; j < n; j++)
			if (j != i && is_inside(nodes[i], nodes[j]))
				break;
		if (j < n || nodes[i]->type != XML_ELEMENT_NODE)
			continue;
		w->ndrop = 0;
		if (PF(c, xpath_drop) && *c->p->xpath_drop) {
			c->xp->node = nodes[i];
			dr = xp_eval(c->xp, c->p->xpath_drop);
			c->xp->node = NULL;
			if (dr) {
				w->drop = dr->nodesetval->nodeTab;
				w->ndrop = dr->nodesetval->nodeNr;
			}
		}
		walk(w, nodes[i]->children, 0);
		flush(w);
		xmlXPathFreeObject(dr);
		dr = NULL;
		w->drop = NULL;
		w->ndrop = 0;
	}
	xmlXPathFreeObject(bo);
	return w->rc;
}

/* The page as a document; NULL when the parser made none (*err is set to
 * -ENOMEM when a copy could not be made). */
static xmlDocPtr
parse_doc(const char *html, size_t len, const struct transcript_opts *o,
	  struct buf *tmp, int *err)
{
	const int opts = HTML_PARSE_NONET | HTML_PARSE_NOERROR |
			 HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER |
			 HTML_PARSE_COMPACT;
	const unsigned char *u = (const unsigned char *)html;
	char mc[64];
	const char *cs = charset_name(o->charset);
	xmlDocPtr doc;

	if (!cs && len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
		cs = "UTF-8";
	else if (!cs && len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
		cs = "UTF-16LE";
	else if (!cs && len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
		cs = "UTF-16BE";
	if (!cs && meta_charset(html, len, mc, sizeof(mc)) == 0)
		cs = charset_name(mc);
	if (!cs)
		cs = utf8_valid(u, len) ? "UTF-8" : "windows-1252";
	if (!strcmp(cs, "windows-1252")) {
		if (utf8_from_cp1252(u, len, tmp) < 0) {
			*err = -ENOMEM;
			return NULL;
		}
		html = tmp->data;
		len = tmp->len;
		cs = "UTF-8";
	} else if (!strcmp(cs, "UTF-8") && !utf8_valid(u, len)) {
		/* libxml2 would fall back to Latin-1 at the first bad byte */
		if (utf8_repair(u, len, tmp) < 0) {
			*err = -ENOMEM;
			return NULL;
		}
		html = tmp->data;
		len = tmp->len;
	}
	if (len > INT32_MAX)
		return NULL;
	doc = htmlReadMemory(html, (int)len, o->url, cs, opts);
	if (!doc && strcmp(cs, "UTF-8")) {
		/* an encoding iconv does not know: read the bytes as UTF-8 */
		buf_reset(tmp);
		if (utf8_repair(u, len, tmp) < 0) {
			*err = -ENOMEM;
			return NULL;
		}
		doc = htmlReadMemory(tmp->data, (int)tmp->len, o->url, "UTF-8",
				     opts);
	}
	return doc;
}

static void
ctx_free(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nt; i++) {
		free(c->t[i].label);
		free(c->t[i].time);
		free(c->t[i].asker);
		free(c->t[i].outlet);
		buf_free(&c->t[i].text);
	}
	free(c->t);
	tx_people_free(&c->pp);
	buf_free(&c->corpus);
	buf_free(&c->body);
	buf_free(&c->location);
	free(c->principal);
	free(c->principal_role);
	meta_free(&c->m);
	if (c->xp)
		xmlXPathFreeContext(c->xp);
	if (c->doc)
		xmlFreeDoc(c->doc);
	briefing_free(c->b);
}

/* A PDF page: pdf_to_html, then transcript_parse of that HTML with o. */
static int
parse_pdf(const char *data, size_t len, const struct transcript_opts *o,
	  struct briefing **out, char **err)
{
	struct transcript_opts h = *o;
	char *html = NULL;
	size_t n;
	int r;

	if ((r = pdf_to_html(data, len, &html, &n, err)) < 0)
		return r;
	h.charset = "UTF-8";
	h.max_bytes = n + 1; /* the PDF passed the size limit already */
	r = transcript_parse(html, n, &h, out, err);
	free(html);
	return r;
}

int
transcript_parse(const char *html, size_t len, const struct transcript_opts *o,
		 struct briefing **out, char **err)
{
	struct ctx c;
	struct walk w;
	struct buf tmp = BUF_INIT, nonul = BUF_INIT;
	size_t max;
	int r;

	if (err)
		*err = NULL;
	*out = NULL;
	if (!o || !o->url || (!html && len))
		return set_err(err, -EINVAL, "no page URL given");
	max = o->max_bytes ? o->max_bytes : TX_MAX_DEFAULT;
	if (len > max)
		return set_err(err, -EFBIG, "page larger than the size limit");
	if (pdf_sniff(html, len)) /* its text as HTML, then the same rules */
		return parse_pdf(html, len, o, out, err);
	if (memchr(html, '\0', len)) {
		/* Stray NULs are dropped, as the feed parser drops them
		 * (libxml2 would end the text at one); binary data stays
		 * refused. */
		if (binary_nuls(html, len))
			return set_err(err, -EINVAL, "not an HTML document");
		if (buf_append_no_nuls(&nonul, html, len) < 0) {
			buf_free(&nonul);
			return set_err(err, -ENOMEM, "out of memory");
		}
		html = nonul.data;
		len = nonul.len;
	}
	if (!sniff_html(html, len)) {
		buf_free(&nonul);
		return set_err(err, -EINVAL, "not an HTML document");
	}
	memset(&c, 0, sizeof(c));
	memset(&w, 0, sizeof(w));
	c.o = o;
	c.doc = parse_doc(html, len, o, &tmp, &c.err);
	buf_free(&tmp);
	buf_free(&nonul);
	if (c.err) {
		r = set_err(err, c.err, "out of memory");
		goto out;
	}
	if (!c.doc || !xmlDocGetRootElement(c.doc)) {
		r = set_err(err, -EINVAL, "the HTML parser found no document");
		goto out;
	}
	c.xp = xmlXPathNewContext(c.doc);
	c.b = briefing_new();
	if (!c.xp || !c.b || !(c.b->url = strdup(o->url))) {
		r = set_err(err, -ENOMEM, "out of memory");
		goto out;
	}
	c.p = choose_profile(o, c.doc, c.xp);
	meta_scan(xmlDocGetRootElement(c.doc), &c.m, 0, &c.err);
	set_meta(&c);
	if ((r = set_people(&c)) < 0 || (r = walk_body(&c, &w)) < 0 ||
	    (r = header_people(&c, &w)) < 0 || (r = build_turns(&c, &w)) < 0 || (r = emit_turns(&c)) < 0) {
		set_err(err, r, "out of memory");
		goto out;
	}
	if (!c.b->location && c.location.len && !PF(&c, xpath_location) &&
	    !(c.b->location = strdup(c.location.data)))
		c.err = -ENOMEM;
	if (!c.b->location && c.b->summary && !PF(&c, xpath_location))
		c.b->location = location_from_summary(c.b->summary, &c.err);
	set_kind(&c);
	if (c.err) {
		r = set_err(err, c.err, "out of memory");
		goto out;
	}
	if (!c.b->title && c.b->nturns == 0) {
		r = set_err(err, -EINVAL, "no title and no text found");
		goto out;
	}
	*out = c.b;
	c.b = NULL;
	r = 0;
out:
	walk_free(&w);
	ctx_free(&c);
	return r;
}
