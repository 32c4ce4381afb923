/* feed.c — RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.x into struct
 * feed_doc (see include/feed.h and docs/feeds.md).
 *
 * XML goes through libxml2's SAX2 push parser: no tree is built, so memory
 * is the input plus the output whatever the feed's size. Bytes are first
 * decoded to UTF-8 (feed_enc.c) and bare '&' / HTML entities repaired, so
 * libxml2 always sees UTF-8 and is told to ignore the declared encoding.
 *
 * Elements are recognised only as direct children of the element they
 * belong to (an <id> inside an entry's <image> is not the entry's id), with
 * a keyword table per namespace in the manner of sfeed.
 */
#include "feed.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "buf.h"
#include "date.h"
#include "feed_int.h"
#include "sanitize.h"
#include "url.h"
#include "utf8.h"

void
feed_limits_default(struct feed_limits *l)
{
	l->max_bytes = 16u << 20;
	l->max_entries = 5000;
	l->max_field = 1u << 20;
}

/* ---- element keywords ---------------------------------------------------- */

enum ns {
	NS_CORE, /* none, RSS 0.90/1.0/2.0, Atom 0.3/1.0 */
	NS_DC,
	NS_DCTERMS,
	NS_CONTENT,
	NS_XHTML,
	NS_RDF,
	NS_OTHER,
};

enum el {
	E_NONE, E_RSS, E_RDF, E_CHANNEL, E_FEED, E_ITEM, E_ENTRY, E_SKIP,
	E_TITLE, E_LINK, E_DESC, E_SUBTITLE, E_ID, E_GUID, E_LANG, E_RIGHTS,
	E_UPDATED, E_PUBLISHED, E_AUTHOR, E_CATEGORY, E_SUMMARY, E_CONTENT,
	E_BODY, E_NAME, E_EMAIL, E_URI,
};

struct kw {
	enum ns ns;
	const char *name;
	enum el el;
};

static const struct kw keywords[] = {
	{NS_CORE, "title", E_TITLE},
	{NS_CORE, "link", E_LINK},
	{NS_CORE, "description", E_DESC},
	{NS_CORE, "item", E_ITEM},
	{NS_CORE, "entry", E_ENTRY},
	{NS_CORE, "guid", E_GUID},
	{NS_CORE, "pubDate", E_PUBLISHED},
	{NS_CORE, "id", E_ID},
	{NS_CORE, "updated", E_UPDATED},
	{NS_CORE, "published", E_PUBLISHED},
	{NS_CORE, "summary", E_SUMMARY},
	{NS_CORE, "content", E_CONTENT},
	{NS_CORE, "author", E_AUTHOR},
	{NS_CORE, "category", E_CATEGORY},
	{NS_CORE, "name", E_NAME},
	{NS_CORE, "email", E_EMAIL},
	{NS_CORE, "uri", E_URI},
	{NS_CORE, "url", E_URI},
	{NS_CORE, "homepage", E_URI},
	{NS_CORE, "channel", E_CHANNEL},
	{NS_CORE, "rss", E_RSS},
	{NS_CORE, "feed", E_FEED},
	{NS_CORE, "subtitle", E_SUBTITLE},
	{NS_CORE, "tagline", E_SUBTITLE},
	{NS_CORE, "language", E_LANG},
	{NS_CORE, "copyright", E_RIGHTS},
	{NS_CORE, "rights", E_RIGHTS},
	{NS_CORE, "lastBuildDate", E_UPDATED},
	{NS_CORE, "modified", E_UPDATED},
	{NS_CORE, "issued", E_PUBLISHED},
	{NS_CORE, "managingEditor", E_AUTHOR},
	{NS_CORE, "body", E_BODY},
	{NS_CORE, "fullitem", E_BODY},
	{NS_DC, "title", E_TITLE},
	{NS_DC, "description", E_DESC},
	{NS_DC, "language", E_LANG},
	{NS_DC, "rights", E_RIGHTS},
	{NS_DC, "date", E_UPDATED},
	{NS_DC, "creator", E_AUTHOR},
	{NS_DC, "author", E_AUTHOR},
	{NS_DC, "subject", E_CATEGORY},
	{NS_DCTERMS, "modified", E_UPDATED},
	{NS_DCTERMS, "issued", E_PUBLISHED},
	{NS_CONTENT, "encoded", E_BODY},
	{NS_XHTML, "body", E_BODY},
	{NS_XHTML, "div", E_BODY},
	{NS_RDF, "RDF", E_RDF},
};

static const struct {
	const char *uri;
	enum ns ns;
} namespaces[] = {
	{"http://www.w3.org/2005/Atom", NS_CORE},
	{"http://purl.org/rss/1.0/", NS_CORE},
	{"http://purl.org/dc/elements/1.1/", NS_DC},
	{"http://purl.org/rss/1.0/modules/content/", NS_CONTENT},
	{"http://purl.org/atom/ns#", NS_CORE},
	{"http://my.netscape.com/rdf/simple/0.9/", NS_CORE},
	{"http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF},
	{"http://purl.org/dc/terms/", NS_DCTERMS},
	{"http://www.w3.org/1999/xhtml", NS_XHTML},
	{"http://backend.userland.com/rss2", NS_CORE},
	{"http://blogs.law.harvard.edu/tech/rss", NS_CORE},
	{"http://backend.userland.com/rss", NS_CORE},
	{"http://purl.org/net/rss1.1#", NS_CORE},
	{"http://example.com/newformat#", NS_CORE},
	{"http://purl.org/atom/ns#draft-ietf-atompub-format-08", NS_CORE},
};

static enum ns
ns_of(const char *uri, const char *prefix)
{
	size_t i;

	if (!uri) {
		/* An undeclared prefix (already reported as an error):
		 * guess from the conventional prefixes. */
		if (!prefix)
			return NS_CORE;
		if (!strcmp(prefix, "dc"))
			return NS_DC;
		if (!strcmp(prefix, "content"))
			return NS_CONTENT;
		if (!strcmp(prefix, "atom"))
			return NS_CORE;
		return NS_OTHER;
	}
	for (i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
		if (!strcmp(uri, namespaces[i].uri))
			return namespaces[i].ns;
	if (!strncmp(uri, "http://www.w3.org/2005/Atom", 27))
		return NS_CORE;
	return NS_OTHER;
}

static enum el
el_of(enum ns ns, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (keywords[i].ns == ns && keywords[i].name[0] == name[0] &&
		    !strcmp(keywords[i].name, name))
			return keywords[i].el;
	return E_NONE;
}

/* ---- parser state -------------------------------------------------------- */

enum ctx { C_ROOT, C_WRAP, C_FEED, C_ENTRY, C_PERSON, C_FIELD, C_SKIP };

struct frame {
	enum ctx ctx;
	char *base;      /* xml:base in effect (owned when base_owned) */
	int base_owned;
};

enum mode { M_TEXT, M_HTML, M_XHTML, M_AUTO };

struct capture {
	int active;
	size_t depth;       /* stack depth of the field element */
	enum ctx parent;    /* C_FEED, C_ENTRY or C_PERSON */
	enum el el;
	enum mode mode;
	int base64;
	int markup;         /* child elements were serialised */
	int is_atom_id;
	int permalink;      /* guid isPermaLink (default true) */
	int rel_alt;        /* a text <link> without rel or rel=alternate */
	int skip_div;       /* depth of an xhtml wrapper div not copied */
	int truncated;
	struct buf src;
	char *base;         /* borrowed from the frame */
};

struct fp {
	struct feed_doc *doc;
	const char *base_url; /* the document's address, borrowed */
	struct feed_limits lim;
	xmlParserCtxtPtr ctxt;
	int err;
	char *errmsg;
	int xml_error;      /* first libxml2 error recorded as bozo */
	struct frame *stack;
	size_t depth, cap;
	int root;           /* root element seen and recognised */
	int atom;
	int netscape;       /* DOCTYPE names Netscape's RSS 0.91 */
	struct capture c;
	struct feed_person person;
	struct buf person_text;
	int person_parent;  /* C_FEED or C_ENTRY */
	int person_has_child;
	size_t entries_cap;
	int entry_open;
	int entry_dropped;
	int guid_permalink;
	int entry_has_guid;
	struct feed_entry *e; /* current entry, NULL outside one */
	char *feed_published;
	char *root_ns;      /* an unknown namespace the root element used */
	char *lang;         /* xml:lang of the root or feed element */
	char *about;        /* rdf:about of the current item */
};

static void
fail(struct fp *p, int err, const char *msg)
{
	if (p->err)
		return;
	p->err = err;
	free(p->errmsg);
	p->errmsg = strdup(msg);
	if (p->ctxt)
		xmlStopParser(p->ctxt);
}

static void
bozo(struct fp *p, const char *reason)
{
	if (p->doc->bozo)
		return;
	p->doc->bozo = 1;
	p->doc->bozo_reason = strdup(reason);
	if (!p->doc->bozo_reason)
		fail(p, -ENOMEM, "out of memory");
}

static char *
xstrdup(struct fp *p, const char *s)
{
	char *r = strdup(s);

	if (!r)
		fail(p, -ENOMEM, "out of memory");
	return r;
}

/* Truncate b at max bytes, backing up to a UTF-8 boundary. */
static void
truncate_utf8(struct buf *b, size_t max)
{
	size_t n = max;

	if (b->len <= max)
		return;
	while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;
	b->len = n;
	b->data[n] = '\0';
}

static char *
detach_field(struct fp *p, struct buf *b)
{
	char *s;

	truncate_utf8(b, p->lim.max_field);
	s = buf_detach(b);
	if (!s)
		fail(p, -ENOMEM, "out of memory");
	return s;
}

static const char *
cur_base(struct fp *p)
{
	return p->depth ? p->stack[p->depth - 1].base : p->base_url;
}

static int
push(struct fp *p, enum ctx ctx, const char *xbase, size_t xlen)
{
	struct frame *f;
	const char *parent = cur_base(p);

	if (p->depth == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 32;
		f = realloc(p->stack, ncap * sizeof(*f));
		if (!f) {
			fail(p, -ENOMEM, "out of memory");
			return -ENOMEM;
		}
		p->stack = f;
		p->cap = ncap;
	}
	f = &p->stack[p->depth];
	f->ctx = ctx;
	f->base = (char *)parent;
	f->base_owned = 0;
	if (xbase) {
		char *rel = strndup(xbase, xlen), *abs;

		abs = rel ? url_resolve(parent, rel) : NULL;
		free(rel);
		if (!abs) {
			fail(p, -ENOMEM, "out of memory");
			return -ENOMEM;
		}
		f->base = abs;
		f->base_owned = 1;
	}
	p->depth++;
	return 0;
}

static void
pop(struct fp *p)
{
	struct frame *f = &p->stack[--p->depth];

	if (f->base_owned)
		free(f->base);
	f->base = NULL;
}

/* SAX2 attributes: localname, prefix, URI, value, end. */
static const char *
attr(const xmlChar **attrs, int n, const char *uri, const char *name,
     size_t *len)
{
	int i;

	for (i = 0; i < n; i++) {
		const xmlChar **a = attrs + 5 * i;
		if (strcmp((const char *)a[0], name))
			continue;
		if (uri ? (!a[2] || strcmp((const char *)a[2], uri)) :
			  a[2] != NULL)
			continue;
		*len = (size_t)(a[4] - a[3]);
		return (const char *)a[3];
	}
	return NULL;
}

/* Copy an attribute value. Without entity substitution libxml2 hands
 * every '&' in a value over as "&#38;" (whatever the source wrote), so
 * that sequence always stands for '&'. */
static char *
value_dup(const char *v, size_t len)
{
	char *s = strndup(v, len), *r, *w;

	if (!s)
		return NULL;
	for (r = w = s; *r;) {
		if (!strncmp(r, "&#38;", 5)) {
			*w++ = '&';
			r += 5;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

static char *
attr_dup(struct fp *p, const xmlChar **attrs, int n, const char *name)
{
	size_t len;
	const char *v = attr(attrs, n, NULL, name, &len);
	char *s;

	if (!v)
		return NULL;
	s = value_dup(v, len);
	if (!s)
		fail(p, -ENOMEM, "out of memory");
	return s;
}

static int
attr_is(const xmlChar **attrs, int n, const char *name, const char *val)
{
	size_t len;
	const char *v = attr(attrs, n, NULL, name, &len);

	return v && len == strlen(val) && !strncasecmp(v, val, len);
}

/* ---- links, people, tags ------------------------------------------------- */

static void
add_link(struct fp *p, struct feed_link **links, size_t *n, char *href,
	 char *rel, char *type, char *title)
{
	struct feed_link *l = NULL;

	if (!rel)
		rel = xstrdup(p, "alternate");
	if (href && rel && !p->err)
		l = realloc(*links, (*n + 1) * sizeof(**links));
	if (!l) {
		free(href), free(rel), free(type), free(title);
		if (!p->err)
			fail(p, -ENOMEM, "out of memory");
		return;
	}
	*links = l;
	l[*n].href = href;
	l[*n].rel = rel;
	l[*n].type = type;
	l[*n].title = title;
	(*n)++;
}

static void
person_free(struct feed_person *a)
{
	free(a->name);
	free(a->email);
	free(a->url);
	a->name = a->email = a->url = NULL;
}

static int
person_copy(struct feed_person *dst, const struct feed_person *src)
{
	dst->name = src->name ? strdup(src->name) : NULL;
	dst->email = src->email ? strdup(src->email) : NULL;
	dst->url = src->url ? strdup(src->url) : NULL;
	if ((src->name && !dst->name) || (src->email && !dst->email) ||
	    (src->url && !dst->url)) {
		person_free(dst);
		return -ENOMEM;
	}
	return 0;
}

static int
is_email_char(unsigned char c)
{
	return c > ' ' && !strchr("()<>[],;:\"'", c);
}

/* "jo@example.com (Jo Doe)", "Jo Doe <jo@example.com>", "Jo Doe". */
static void
person_from_text(struct fp *p, struct feed_person *a, const char *s)
{
	const char *at = strchr(s, '@'), *b, *e;
	struct buf name = BUF_INIT, tmp = BUF_INIT;

	if (!at) {
		a->name = *s ? xstrdup(p, s) : NULL;
		return;
	}
	for (b = at; b > s && is_email_char((unsigned char)b[-1]);)
		b--;
	for (e = at; *e && is_email_char((unsigned char)*e);)
		e++;
	if (e - b > 2 && b < at && e > at + 1) {
		a->email = strndup(b, (size_t)(e - b));
		if (!a->email) {
			fail(p, -ENOMEM, "out of memory");
			return;
		}
		if (!strncasecmp(a->email, "mailto", 6)) {
			/* "mailto:x@y" keeps the scheme out */
			char *c = strchr(a->email, ':');
			if (c)
				memmove(a->email, c + 1, strlen(c));
		}
	} else {
		b = e = at;
	}
	if (buf_append(&tmp, s, (size_t)(b - s)) < 0 ||
	    buf_puts(&tmp, e) < 0) {
		fail(p, -ENOMEM, "out of memory");
		goto out;
	}
	/* Drop the brackets that surrounded the address. */
	for (size_t i = 0; i < tmp.len; i++)
		if (strchr("()<>", tmp.data[i]))
			tmp.data[i] = ' ';
	if (sanitize_fold(tmp.data, tmp.len, &name) < 0)
		fail(p, -ENOMEM, "out of memory");
	if (name.len)
		a->name = detach_field(p, &name);
out:
	buf_free(&name);
	buf_free(&tmp);
}

static void
add_tag(struct fp *p, char *tag)
{
	char **t;
	struct feed_entry *e = p->e;

	if (!tag)
		return;
	if (!e || !*tag) {
		free(tag);
		return;
	}
	t = realloc(e->tags, (e->ntags + 1) * sizeof(*t));
	if (!t) {
		free(tag);
		fail(p, -ENOMEM, "out of memory");
		return;
	}
	e->tags = t;
	t[e->ntags++] = tag;
}

static void
add_author(struct fp *p, enum ctx parent, struct feed_person *a)
{
	struct feed_entry *e = p->e;
	struct feed_person *n;

	if (!a->name && !a->email && !a->url)
		return;
	if (parent == C_FEED) {
		if (!p->doc->feed.author.name && !p->doc->feed.author.email &&
		    !p->doc->feed.author.url) {
			p->doc->feed.author = *a;
			memset(a, 0, sizeof(*a));
		}
		person_free(a);
		return;
	}
	if (!e) {
		person_free(a);
		return;
	}
	n = realloc(e->authors, (e->nauthors + 1) * sizeof(*n));
	if (!n) {
		person_free(a);
		fail(p, -ENOMEM, "out of memory");
		return;
	}
	e->authors = n;
	n[e->nauthors++] = *a;
	memset(a, 0, sizeof(*a));
}

/* ---- entries ------------------------------------------------------------ */

static void
entry_begin(struct fp *p)
{
	struct feed_doc *d = p->doc;
	struct feed_entry *n;

	if (d->nentries == p->entries_cap) {
		size_t ncap = p->entries_cap ? p->entries_cap * 2 : 16;
		n = realloc(d->entries, ncap * sizeof(*n));
		if (!n) {
			fail(p, -ENOMEM, "out of memory");
			return;
		}
		d->entries = n;
		p->entries_cap = ncap;
	}
	p->e = &d->entries[d->nentries++];
	memset(p->e, 0, sizeof(*p->e));
	p->guid_permalink = 0;
	p->entry_has_guid = 0;
}

static uint64_t
fnv1a(uint64_t h, const char *s)
{
	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h ^ 0xff; /* field separator */
}

/* The identity rule of docs/feeds.md: guid/id, else the link, else
 * "urn:briefwatch:" + FNV-1a 64 of title, date and (only when both are
 * missing) summary/content. */
static void
entry_end(struct fp *p)
{
	struct feed_entry *e = p->e;
	char tmp[64];
	uint64_t h;

	if (!e)
		return;
	p->e = NULL;
	if (!e->id && p->about) {
		e->id = p->about;
		p->about = NULL;
	}
	if (!e->link && p->guid_permalink && e->id)
		e->link = xstrdup(p, e->id);
	if (e->nauthors && person_copy(&e->author, &e->authors[0]) < 0)
		fail(p, -ENOMEM, "out of memory");
	if (!e->id && e->link)
		e->id = xstrdup(p, e->link);
	if (!e->id) {
		h = fnv1a(0xcbf29ce484222325ull, e->title);
		h = fnv1a(h, e->published ? e->published : e->updated);
		if (!e->title && !e->published && !e->updated)
			h = fnv1a(h, e->summary ? e->summary : e->content);
		snprintf(tmp, sizeof(tmp), "urn:briefwatch:%016llx",
			 (unsigned long long)h);
		e->id = xstrdup(p, tmp);
	}
}

/* ---- field capture -------------------------------------------------------- */

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decode base64 in place (whitespace and garbage skipped). */
static void
b64_decode(struct buf *b)
{
	size_t i, o = 0;
	unsigned acc = 0;
	int bits = 0, v;

	for (i = 0; i < b->len; i++) {
		if (b->data[i] == '=')
			break;
		v = b64val((unsigned char)b->data[i]);
		if (v < 0)
			continue;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			b->data[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	b->len = o;
	if (b->data)
		b->data[o] = '\0';
}

static int
looks_like_html(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if (end - p >= 3 && p[1] == '/' &&
		    ((p[2] | 0x20) >= 'a' && (p[2] | 0x20) <= 'z'))
			return 1;
		if (end - p >= 3 && (p[1] | 0x20) >= 'a' &&
		    (p[1] | 0x20) <= 'z') {
			const char *gt = memchr(p, '>', (size_t)(end - p));
			if (gt && gt[-1] == '/')
				return 1;
			if (gt && (gt - p == 2 || !strncasecmp(p, "<br", 3) ||
				   !strncasecmp(p, "<img", 4)))
				return 1;
		}
		p++;
	}
	for (p = s; (p = memchr(p, '&', (size_t)(end - p))) != NULL; p++) {
		const char *q = p + 1;
		if (q < end && *q == '#')
			q++;
		while (q < end && ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z'
				   ? 1 : (*q >= '0' && *q <= '9')))
			q++;
		if (q < end && *q == ';' && q > p + 1)
			return 1;
	}
	return 0;
}

static void
set_once(char **dst, char *v)
{
	if (!v || (*dst && (**dst || !*v))) {
		free(v);
		return;
	}
	free(*dst);
	*dst = v;
}

/* Dates: a later element overrides an earlier one (feedparser does). */
static void
set_last(char **dst, char *v)
{
	if (!v)
		return;
	free(*dst);
	*dst = v;
}

/* url_resolve() returns NULL only for lack of memory. */
static char *
resolve(struct fp *p, const char *base, const char *ref)
{
	char *r = url_resolve(base, ref);

	if (!r)
		fail(p, -ENOMEM, "out of memory");
	return r;
}

static char *
date_of(struct fp *p, const char *s)
{
	struct date_value dv;
	char out[DATE_ISO_MAX];

	if (!s || !*s || date_parse(s, strlen(s), &dv) < 0)
		return NULL;
	date_format_utc(dv.epoch, out);
	return xstrdup(p, out);
}

static void
finish_link_text(struct fp *p, char *text, struct feed_link **links,
		 size_t *n, char **link)
{
	char *abs;

	if (!text || !*text) {
		free(text);
		return;
	}
	abs = url_resolve(cur_base(p), text);
	free(text);
	if (!abs) {
		fail(p, -ENOMEM, "out of memory");
		return;
	}
	if (link && !*link)
		*link = xstrdup(p, abs);
	add_link(p, links, n, abs, NULL, xstrdup(p, "text/html"), NULL);
}

/* The field element at the top of the stack ends. */
static void
capture_finish(struct fp *p)
{
	struct capture *c = &p->c;
	struct buf text = BUF_INIT, html = BUF_INIT;
	struct feed_entry *e = p->e;
	struct feed_doc *d = p->doc;
	enum mode mode = c->mode;
	int want_html;
	char *t, *h = NULL;

	c->active = 0;
	if (c->base64) {
		b64_decode(&c->src);
		if (utf8_fix(&c->src) < 0)
			fail(p, -ENOMEM, "out of memory");
	}
	truncate_utf8(&c->src, p->lim.max_field);
	if (mode == M_AUTO)
		mode = c->markup || looks_like_html(c->src.data ?
			c->src.data : "", c->src.len) ? M_HTML : M_TEXT;
	if (c->markup && mode == M_TEXT)
		mode = M_HTML;
	want_html = c->parent == C_ENTRY &&
		    (c->el == E_SUMMARY || c->el == E_DESC ||
		     c->el == E_CONTENT || c->el == E_BODY);
	if (c->src.len && memchr(c->src.data, '\0', c->src.len))
		c->src.len = strlen(c->src.data); /* base64 of binary */
	if (mode == M_TEXT) {
		if (sanitize_fold(buf_str(&c->src), c->src.len, &text) < 0 ||
		    (want_html && sanitize_escape(buf_str(&c->src),
						  c->src.len, &html) < 0))
			fail(p, -ENOMEM, "out of memory");
	} else if (sanitize_html(buf_str(&c->src), c->src.len, c->base,
				 &text, want_html ? &html : NULL) < 0) {
		fail(p, -ENOMEM, "out of memory");
	}
	buf_reset(&c->src);
	t = detach_field(p, &text);
	if (want_html)
		h = detach_field(p, &html);
	if (p->err)
		goto out;

	if (c->parent == C_PERSON) {
		p->person_has_child = 1;
		if (c->el == E_NAME)
			set_once(&p->person.name, t), t = NULL;
		else if (c->el == E_EMAIL)
			set_once(&p->person.email, t), t = NULL;
		else if (c->el == E_URI && *t) {
			set_once(&p->person.url, resolve(p, c->base, t));
		}
	} else if (c->parent == C_FEED) {
		switch (c->el) {
		case E_TITLE: set_once(&d->feed.title, t), t = NULL; break;
		case E_DESC:
		case E_SUBTITLE:
			set_once(&d->feed.subtitle, t), t = NULL;
			break;
		case E_LINK:
			finish_link_text(p, t, &d->feed.links,
					 &d->feed.nlinks, &d->feed.link);
			t = NULL;
			break;
		case E_ID:
			if (*t)
				set_once(&d->feed.id, p->atom ?
					 resolve(p, c->base, t) :
					 xstrdup(p, t));
			break;
		case E_LANG: set_once(&d->feed.language, t), t = NULL; break;
		case E_RIGHTS: set_once(&d->feed.rights, t), t = NULL; break;
		case E_UPDATED:
			set_once(&d->feed.updated, date_of(p, t));
			break;
		case E_PUBLISHED:
			set_once(&p->feed_published, date_of(p, t));
			break;
		default:
			break;
		}
	} else if (c->parent == C_ENTRY && e) {
		switch (c->el) {
		case E_TITLE: set_once(&e->title, t), t = NULL; break;
		case E_LINK:
			finish_link_text(p, t, &e->links, &e->nlinks,
					 c->rel_alt ? &e->link : NULL);
			t = NULL;
			break;
		case E_GUID:
		case E_ID:
			if (*t && !e->id) {
				p->guid_permalink = c->el == E_GUID &&
						    c->permalink;
				e->id = c->is_atom_id ?
					url_resolve(c->base, t) :
					xstrdup(p, t);
				if (!e->id)
					fail(p, -ENOMEM, "out of memory");
			}
			break;
		case E_DESC:
		case E_SUMMARY:
			if (e->summary && *e->summary && !e->content &&
			    c->mode != M_TEXT && !p->atom) {
				e->content = t, t = NULL;
				e->content_html = h, h = NULL;
			} else if (!e->summary || (!*e->summary && *t)) {
				free(e->summary);
				e->summary = t, t = NULL;
				free(e->summary_html);
				e->summary_html = h, h = NULL;
			}
			break;
		case E_CONTENT:
		case E_BODY:
			if (!e->content || (!*e->content && *t)) {
				free(e->content);
				e->content = t, t = NULL;
				free(e->content_html);
				e->content_html = h, h = NULL;
			}
			break;
		case E_UPDATED:
			set_last(&e->updated, date_of(p, t));
			break;
		case E_PUBLISHED:
			set_last(&e->published, date_of(p, t));
			break;
		case E_CATEGORY:
			add_tag(p, t), t = NULL;
			break;
		default:
			break;
		}
	}
out:
	free(t);
	free(h);
}

static int
lc_eq(const char *v, size_t n, const char *s)
{
	return v && n == strlen(s) && !strncasecmp(v, s, n);
}

/* Decide how a text construct's content is to be read. */
static void
capture_begin(struct fp *p, enum ctx parent, enum el el, int atomish,
	      const xmlChar **attrs, int nattrs)
{
	struct capture *c = &p->c;
	size_t tn = 0, mn = 0;
	const char *type = attr(attrs, nattrs, NULL, "type", &tn);
	const char *mode = attr(attrs, nattrs, NULL, "mode", &mn);

	c->active = 1;
	c->depth = p->depth;
	c->parent = parent;
	c->el = el;
	c->base64 = 0;
	c->markup = 0;
	c->skip_div = 0;
	c->truncated = 0;
	c->base = (char *)cur_base(p);
	c->is_atom_id = el == E_ID && atomish;
	c->permalink = !attr_is(attrs, nattrs, "isPermaLink", "false");
	c->rel_alt = !attr(attrs, nattrs, NULL, "rel", &mn) ||
		     attr_is(attrs, nattrs, "rel", "alternate");
	buf_reset(&c->src);
	if (type && tn == 0)
		type = NULL;
	if (type) {
		if (lc_eq(type, tn, "text") || lc_eq(type, tn, "text/plain"))
			c->mode = M_TEXT;
		else if (lc_eq(type, tn, "html") ||
			 lc_eq(type, tn, "text/html"))
			c->mode = M_HTML;
		else if (lc_eq(type, tn, "xhtml") ||
			 lc_eq(type, tn, "application/xhtml+xml") ||
			 (tn >= 3 && !strncasecmp(type + tn - 3, "xml", 3)))
			c->mode = M_XHTML;
		else if (tn > 5 && !strncasecmp(type, "text/", 5))
			c->mode = M_TEXT;
		else if (atomish)
			c->mode = M_TEXT, c->base64 = 1;
		else
			c->mode = atomish ? M_TEXT : M_AUTO;
	} else if (el == E_BODY) {
		c->mode = M_HTML;
	} else if (atomish) {
		c->mode = M_TEXT;
	} else if (el == E_DESC) {
		c->mode = M_HTML;
	} else {
		c->mode = M_AUTO;
	}
	if (mode) {
		if (lc_eq(mode, mn, "base64"))
			c->base64 = 1;
		else if (lc_eq(mode, mn, "xml"))
			c->mode = M_XHTML;
	}
}

/* Append a start tag to the capture (markup inside a text construct). */
static void
capture_start_tag(struct fp *p, const char *name, const xmlChar **attrs,
		  int nattrs)
{
	struct buf *b = &p->c.src;
	int i, rc = 0;

	p->c.markup = 1;
	rc |= buf_putc(b, '<');
	rc |= buf_puts(b, name);
	for (i = 0; i < nattrs && !rc; i++) {
		const xmlChar **a = attrs + 5 * i;
		const char *an = (const char *)a[0];
		char *v = value_dup((const char *)a[3], (size_t)(a[4] - a[3]));
		char *abs = NULL;

		if (!v) {
			rc = -ENOMEM;
			break;
		}
		if (a[1] && !strcmp((const char *)a[1], "xml")) {
			free(v);
			continue;
		}
		if (!strcmp(an, "href") || !strcmp(an, "src")) {
			abs = url_resolve(cur_base(p), v);
			if (!abs)
				rc = -ENOMEM;
		}
		rc |= buf_putc(b, ' ');
		rc |= buf_puts(b, an);
		rc |= buf_puts(b, "=\"");
		rc |= sanitize_escape(abs ? abs : v, strlen(abs ? abs : v), b);
		rc |= buf_putc(b, '"');
		free(v);
		free(abs);
	}
	rc |= buf_putc(b, '>');
	if (rc)
		fail(p, -ENOMEM, "out of memory");
}

static void
capture_text(struct fp *p, const char *s, size_t n)
{
	struct capture *c = &p->c;
	size_t room = p->lim.max_field + 4 > c->src.len ?
		      p->lim.max_field + 4 - c->src.len : 0;
	int rc;

	if (c->base64)
		room = room > SIZE_MAX / 2 ? SIZE_MAX : room * 2;
	if (n > room) {
		n = room;
		c->truncated = 1;
	}
	if (!n)
		return;
	if (c->mode == M_XHTML)
		rc = sanitize_escape(s, n, &c->src);
	else
		rc = buf_append(&c->src, s, n);
	if (rc < 0)
		fail(p, -ENOMEM, "out of memory");
}

/* ---- SAX callbacks --------------------------------------------------------- */

static void
set_version(struct fp *p, const char *v)
{
	snprintf(p->doc->version, sizeof(p->doc->version), "%s", v);
}

static enum ctx
root_element(struct fp *p, enum el el, const char *uri, const char *name,
	     const xmlChar **attrs, int nattrs, const xmlChar **nss, int nns)
{
	size_t vn = 0;
	const char *v = attr(attrs, nattrs, NULL, "version", &vn);
	int i;

	switch (el) {
	case E_RSS:
		if (lc_eq(v, vn, "2.0") || lc_eq(v, vn, "2") ||
		    lc_eq(v, vn, "2.00"))
			set_version(p, "rss20");
		else if (lc_eq(v, vn, "0.91"))
			set_version(p, p->netscape ? "rss091n" : "rss091u");
		else if (lc_eq(v, vn, "0.92"))
			set_version(p, "rss092");
		else if (lc_eq(v, vn, "0.93"))
			set_version(p, "rss093");
		else if (lc_eq(v, vn, "0.94"))
			set_version(p, "rss094");
		else if (lc_eq(v, vn, "0.90"))
			set_version(p, "rss090");
		else if (v && vn > 1 && v[0] == '2')
			set_version(p, "rss20");
		else
			set_version(p, "rss");
		return C_WRAP;
	case E_RDF:
		set_version(p, "rss10");
		for (i = 0; i < nns; i++)
			if (nss[2 * i + 1] && !strcmp((const char *)
			    nss[2 * i + 1], "http://my.netscape.com/rdf/"
			    "simple/0.9/"))
				set_version(p, "rss090");
		return C_WRAP;
	case E_FEED:
		p->atom = 1;
		if (uri && !strcmp(uri, "http://www.w3.org/2005/Atom"))
			set_version(p, "atom10");
		else if (lc_eq(v, vn, "0.3") || (uri && !strcmp(uri,
			 "http://purl.org/atom/ns#")))
			set_version(p, "atom03");
		else if (lc_eq(v, vn, "0.2"))
			set_version(p, "atom02");
		else if (lc_eq(v, vn, "0.1"))
			set_version(p, "atom01");
		else
			set_version(p, "atom");
		return C_FEED;
	case E_CHANNEL:
		set_version(p, "rss");
		return C_FEED;
	default:
		break;
	}
	(void)name;
	return C_ROOT;
}

static void
atom_link(struct fp *p, enum ctx parent, const xmlChar **attrs, int n)
{
	char *href = attr_dup(p, attrs, n, "href"), *abs, *rel, *type;
	struct feed_link **links;
	size_t *nl;
	char **link;

	if (!href)
		return;
	abs = url_resolve(cur_base(p), href);
	free(href);
	if (!abs) {
		fail(p, -ENOMEM, "out of memory");
		return;
	}
	if (parent == C_FEED) {
		links = &p->doc->feed.links;
		nl = &p->doc->feed.nlinks;
		link = &p->doc->feed.link;
	} else {
		links = &p->e->links;
		nl = &p->e->nlinks;
		link = &p->e->link;
	}
	rel = attr_dup(p, attrs, n, "rel");
	type = attr_dup(p, attrs, n, "type");
	if (!type)
		type = xstrdup(p, rel && !strcmp(rel, "self") ?
			       "application/atom+xml" : "text/html");
	if (!*link && (!rel || !strcmp(rel, "alternate")))
		*link = xstrdup(p, abs);
	add_link(p, links, nl, abs, rel, type,
		 attr_dup(p, attrs, n, "title"));
}

static void
lang_of(struct fp *p, const xmlChar **attrs, int nattrs)
{
	size_t n;
	const char *v = attr(attrs, nattrs, "http://www.w3.org/XML/1998/"
			     "namespace", "lang", &n);

	if (!v)
		v = attr(attrs, nattrs, NULL, "lang", &n);
	if (!v || !n || p->lang)
		return;
	p->lang = value_dup(v, n);
	if (!p->lang)
		fail(p, -ENOMEM, "out of memory");
}

static void
on_start(void *ctx, const xmlChar *xlocal, const xmlChar *xprefix,
	 const xmlChar *xuri, int nns, const xmlChar **nss, int nattrs,
	 int ndefaulted, const xmlChar **attrs)
{
	struct fp *p = ctx;
	const char *name = (const char *)xlocal, *uri = (const char *)xuri;
	enum ctx parent = p->depth ? p->stack[p->depth - 1].ctx : C_ROOT;
	enum ctx me = C_SKIP;
	enum el el;
	size_t bn = 0;
	const char *xb;
	int atomish, special = 0;
	enum ns ns;

	(void)ndefaulted;
	if (p->err)
		return;
	if (p->c.active) {
		if (p->c.mode == M_XHTML && !p->c.markup &&
		    p->depth == p->c.depth + 0 && !strcmp(name, "div") &&
		    p->c.skip_div == 0 && uri &&
		    !strcmp(uri, "http://www.w3.org/1999/xhtml") &&
		    p->c.src.len == strspn(buf_str(&p->c.src), " \t\r\n")) {
			/* Atom's xhtml wrapper div is not content. */
			p->c.skip_div = (int)p->depth + 1;
			push(p, C_FIELD, NULL, 0);
			return;
		}
		xb = attr(attrs, nattrs, "http://www.w3.org/XML/1998/"
			  "namespace", "base", &bn);
		if (push(p, C_FIELD, xb, bn) == 0)
			capture_start_tag(p, name, attrs, nattrs);
		return;
	}
	ns = uri && p->root_ns && !strcmp(uri, p->root_ns) ? NS_CORE :
	     ns_of(uri, (const char *)xprefix);
	el = el_of(ns, name);
	if (parent == C_ROOT && !p->root && uri && ns == NS_OTHER) {
		/* A feed in a namespace we do not know ("necho", "pie",
		 * "rss2.1"): its own namespace is the core one. */
		el = el_of(NS_CORE, name);
		if (el == E_RSS || el == E_FEED || el == E_CHANNEL) {
			p->root_ns = strdup(uri);
			if (!p->root_ns) {
				fail(p, -ENOMEM, "out of memory");
				return;
			}
			ns = NS_CORE;
		}
	}
	atomish = p->atom || (uri && (!strncmp(uri,
		"http://www.w3.org/2005/Atom", 27) || !strcmp(uri,
		"http://purl.org/atom/ns#")));
	xb = attr(attrs, nattrs, "http://www.w3.org/XML/1998/namespace",
		  "base", &bn);

	switch (parent) {
	case C_ROOT:
		if (p->root) {
			me = C_SKIP;
			break;
		}
		me = root_element(p, el, uri, name, attrs, nattrs, nss, nns);
		if (me == C_ROOT) {
			char msg[160];
			snprintf(msg, sizeof(msg), "not a feed: root element "
				 "<%.100s>", name);
			fail(p, -EINVAL, msg);
			return;
		}
		p->root = 1;
		if (push(p, me, xb, bn) < 0)
			return;
		lang_of(p, attrs, nattrs);
		return;
	case C_WRAP:
		if (el == E_CHANNEL)
			me = C_FEED;
		else if (el == E_ITEM || el == E_ENTRY)
			me = C_ENTRY;
		break;
	case C_FEED:
		if (el == E_ITEM || el == E_ENTRY)
			me = C_ENTRY;
		else if (el == E_AUTHOR)
			me = C_PERSON;
		else if (el == E_LINK && attr(attrs, nattrs, NULL, "href", &bn))
			me = C_SKIP, special = 1;
		else if (el >= E_TITLE && el <= E_PUBLISHED && el != E_GUID)
			me = C_FIELD;
		if (el == E_SUMMARY)
			me = C_SKIP;
		break;
	case C_ENTRY:
		if (el == E_AUTHOR)
			me = C_PERSON;
		else if (el == E_LINK && attr(attrs, nattrs, NULL, "href", &bn))
			me = C_SKIP, special = 1;
		else if (el == E_CATEGORY && attr(attrs, nattrs, NULL, "term",
						  &bn))
			me = C_SKIP, special = 2;
		else if ((el >= E_TITLE && el <= E_PUBLISHED &&
			  el != E_LANG && el != E_RIGHTS &&
			  el != E_SUBTITLE) ||
			 (el >= E_CATEGORY && el <= E_BODY))
			me = C_FIELD;
		break;
	case C_PERSON:
		if (el == E_NAME || el == E_EMAIL || el == E_URI)
			me = C_FIELD;
		break;
	default:
		break;
	}
	/* the href lookup above clobbered bn */
	xb = attr(attrs, nattrs, "http://www.w3.org/XML/1998/namespace",
		  "base", &bn);
	if (me == C_ENTRY) {
		if (p->doc->nentries >= p->lim.max_entries) {
			char msg[96];
			snprintf(msg, sizeof(msg), "more than %zu entries; "
				 "the rest were dropped",
				 p->lim.max_entries);
			bozo(p, msg);
			me = C_SKIP;
		} else {
			entry_begin(p);
		}
	}
	if (push(p, me, xb, bn) < 0)
		return;
	if (me == C_FEED && !p->lang)
		lang_of(p, attrs, nattrs);
	if (me == C_ENTRY) {
		free(p->about);
		p->about = NULL;
		xb = attr(attrs, nattrs, "http://www.w3.org/1999/02/22-rdf-"
			  "syntax-ns#", "about", &bn);
		if (xb && bn && !(p->about = value_dup(xb, bn)))
			fail(p, -ENOMEM, "out of memory");
	}
	if (special == 1) {
		atom_link(p, parent, attrs, nattrs);
	} else if (special == 2) {
		add_tag(p, attr_dup(p, attrs, nattrs, "term"));
	} else if (me == C_PERSON) {
		p->person_parent = parent;
		p->person_has_child = 0;
		person_free(&p->person);
		buf_reset(&p->person_text);
	} else if (me == C_FIELD) {
		capture_begin(p, parent, el, atomish, attrs, nattrs);
		if (ns == NS_XHTML)
			p->c.mode = M_XHTML;
	}
}

/* Close the frame at the top of the stack. */
static void
end_frame(struct fp *p, const char *name)
{
	struct frame *f = &p->stack[p->depth - 1];
	struct buf folded = BUF_INIT;

	if (p->c.active && p->depth > p->c.depth) {
		if ((int)p->depth == p->c.skip_div) {
			p->c.skip_div = -1;
		} else if (name && buf_puts(&p->c.src, "</") |
			   buf_puts(&p->c.src, name) |
			   buf_putc(&p->c.src, '>')) {
			fail(p, -ENOMEM, "out of memory");
		}
	} else if (p->c.active && p->depth == p->c.depth) {
		capture_finish(p);
	} else if (f->ctx == C_PERSON) {
		if (!p->person_has_child && p->person_text.len) {
			if (sanitize_fold(p->person_text.data,
					  p->person_text.len, &folded) < 0)
				fail(p, -ENOMEM, "out of memory");
			else
				person_from_text(p, &p->person,
						 buf_str(&folded));
			buf_free(&folded);
		}
		add_author(p, (enum ctx)p->person_parent, &p->person);
	} else if (f->ctx == C_ENTRY) {
		entry_end(p);
	}
	pop(p);
}

static void
on_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
       const xmlChar *uri)
{
	struct fp *p = ctx;

	(void)prefix;
	(void)uri;
	if (p->err || !p->depth)
		return;
	end_frame(p, (const char *)local);
}

static void
on_chars(void *ctx, const xmlChar *ch, int len)
{
	struct fp *p = ctx;

	if (p->err || len <= 0 || !p->depth)
		return;
	if (p->c.active) {
		capture_text(p, (const char *)ch, (size_t)len);
	} else if (p->stack[p->depth - 1].ctx == C_PERSON &&
		   p->person_text.len < 4096) {
		if (buf_append(&p->person_text, ch, (size_t)len) < 0)
			fail(p, -ENOMEM, "out of memory");
	}
}

static void
on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
		   const xmlChar *sys)
{
	struct fp *p = ctx;

	(void)name;
	(void)sys;
	if (ext && strstr((const char *)ext, "Netscape"))
		p->netscape = 1;
}

static void
on_entity_decl(void *ctx, const xmlChar *name, int type,
	       const xmlChar *pub, const xmlChar *sys, xmlChar *content)
{
	(void)name, (void)type, (void)pub, (void)sys, (void)content;
	fail(ctx, -EPERM, "the document declares entities (refused)");
}

static void
on_error(void *ctx, xmlErrorPtr e)
{
	struct fp *p = ctx;
	char msg[200];
	size_t n;

	/* libxml2 ran out of memory: what it parsed is not the document. */
	if (e && e->code == XML_ERR_NO_MEMORY) {
		fail(p, -ENOMEM, "out of memory");
		return;
	}
	if (!e || e->level < XML_ERR_ERROR || p->doc->bozo)
		return;
	snprintf(msg, sizeof(msg), "line %d: %s", e->line,
		 e->message ? e->message : "not well-formed");
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	bozo(p, msg);
}

/* ---- JSON Feed ------------------------------------------------------------ */

static char *
jstr(struct fp *p, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	char tmp[32];

	if (json_is_string(v) && *json_string_value(v))
		return xstrdup(p, json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(tmp, sizeof(tmp), "%lld",
			 (long long)json_integer_value(v));
		return xstrdup(p, tmp);
	}
	return NULL;
}

static char *
jtext(struct fp *p, json_t *o, const char *key, int html, char **html_out,
      const char *base)
{
	json_t *v = json_object_get(o, key);
	struct buf text = BUF_INIT, h = BUF_INIT;
	const char *s;
	size_t n;
	int rc;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n > p->lim.max_field)
		n = p->lim.max_field;
	if (html)
		rc = sanitize_html(s, n, base, &text, html_out ? &h : NULL);
	else
		rc = sanitize_fold(s, n, &text) |
		     (html_out ? sanitize_escape(s, n, &h) : 0);
	if (rc < 0)
		fail(p, -ENOMEM, "out of memory");
	if (html_out)
		*html_out = detach_field(p, &h);
	buf_free(&h);
	if (!text.len) {
		buf_free(&text);
		return NULL;
	}
	return detach_field(p, &text);
}

static void
json_person(struct fp *p, json_t *a, struct feed_person *out)
{
	out->name = jtext(p, a, "name", 0, NULL, NULL);
	out->url = jstr(p, a, "url");
}

static void
json_link(struct fp *p, json_t *o, const char *key, const char *rel,
	  struct feed_link **links, size_t *n, char **link, const char *base)
{
	char *v = jstr(p, o, key), *abs;

	if (!v)
		return;
	abs = url_resolve(base, v);
	free(v);
	if (!abs) {
		fail(p, -ENOMEM, "out of memory");
		return;
	}
	if (link && !*link)
		*link = xstrdup(p, abs);
	add_link(p, links, n, abs, xstrdup(p, rel), NULL, NULL);
}

static int
parse_json(struct fp *p, const char *s, size_t n, const char *base)
{
	json_error_t jerr;
	json_t *root = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr), *v;
	json_t *items, *it, *a;
	struct feed_doc *d = p->doc;
	const char *ver;
	size_t i, k;
	char msg[200], *t;

	if (!root)
		root = json_loadb(s, n, 0, &jerr);
	if (!json_is_object(root)) {
		snprintf(msg, sizeof(msg), "not a feed: JSON error at line "
			 "%d: %s", jerr.line, jerr.text);
		json_decref(root);
		fail(p, -EINVAL, msg);
		return p->err;
	}
	v = json_object_get(root, "version");
	ver = json_is_string(v) ? json_string_value(v) : "";
	if (strncmp(ver, "https://jsonfeed.org/version/", 29)) {
		json_decref(root);
		fail(p, -EINVAL, "not a feed: JSON without a JSON Feed version");
		return p->err;
	}
	set_version(p, !strcmp(ver + 29, "1") ? "json10" : "json11");
	d->encoding = xstrdup(p, "utf-8");
	d->feed.title = jtext(p, root, "title", 0, NULL, NULL);
	d->feed.subtitle = jtext(p, root, "description", 0, NULL, NULL);
	d->feed.language = jtext(p, root, "language", 0, NULL, NULL);
	json_link(p, root, "home_page_url", "alternate", &d->feed.links,
		  &d->feed.nlinks, &d->feed.link, base);
	json_link(p, root, "feed_url", "self", &d->feed.links,
		  &d->feed.nlinks, NULL, base);
	a = json_object_get(root, "authors");
	a = json_is_array(a) ? json_array_get(a, 0) :
			       json_object_get(root, "author");
	if (json_is_object(a))
		json_person(p, a, &d->feed.author);
	/* Without the document's address, item URLs resolve against the
	 * address the feed gives for itself. */
	if (!base) {
		v = json_object_get(root, "feed_url");
		if (!json_is_string(v))
			v = json_object_get(root, "home_page_url");
		base = json_is_string(v) ? json_string_value(v) : NULL;
	}
	items = json_object_get(root, "items");
	json_array_foreach(items, i, it) {
		struct feed_entry *e;

		if (!json_is_object(it) || p->err)
			continue;
		if (d->nentries >= p->lim.max_entries) {
			snprintf(msg, sizeof(msg), "more than %zu entries; "
				 "the rest were dropped", p->lim.max_entries);
			bozo(p, msg);
			break;
		}
		entry_begin(p);
		if (!(e = p->e))
			break;
		e->id = jstr(p, it, "id");
		e->title = jtext(p, it, "title", 0, NULL, NULL);
		json_link(p, it, "url", "alternate", &e->links, &e->nlinks,
			  &e->link, base);
		json_link(p, it, "external_url", "related", &e->links,
			  &e->nlinks, NULL, base);
		e->content = jtext(p, it, "content_html", 1,
				   &e->content_html, e->link ? e->link : base);
		if (!e->content) {
			free(e->content_html);
			e->content_html = NULL;
			e->content = jtext(p, it, "content_text", 0,
					   &e->content_html, NULL);
		}
		e->summary = jtext(p, it, "summary", 0, &e->summary_html,
				   NULL);
		t = jstr(p, it, "date_published");
		e->published = date_of(p, t);
		free(t);
		t = jstr(p, it, "date_modified");
		e->updated = date_of(p, t);
		free(t);
		v = json_object_get(it, "tags");
		json_array_foreach(v, k, a)
			if (json_is_string(a))
				add_tag(p, xstrdup(p, json_string_value(a)));
		v = json_object_get(it, "authors");
		if (!json_is_array(v) && json_is_object(json_object_get(it,
							    "author")))
			v = json_pack("[O]", json_object_get(it, "author"));
		else
			json_incref(v);
		json_array_foreach(v, k, a) {
			struct feed_person pp = {NULL, NULL, NULL};
			if (!json_is_object(a))
				continue;
			json_person(p, a, &pp);
			add_author(p, C_ENTRY, &pp);
		}
		json_decref(v);
		entry_end(p);
	}
	json_decref(root);
	return p->err;
}

/* ---- the driver ----------------------------------------------------------- */

static int
parse_xml(struct fp *p, const char *s, size_t n)
{
	xmlSAXHandler sax;
	size_t off, chunk;
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		   XML_PARSE_RECOVER | XML_PARSE_IGNORE_ENC |
		   XML_PARSE_NOCDATA;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_chars;
	sax.cdataBlock = on_chars;
	sax.internalSubset = on_internal_subset;
	sax.entityDecl = on_entity_decl;
	sax.serror = on_error;
	p->ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, NULL);
	if (!p->ctxt) {
		fail(p, -ENOMEM, "out of memory");
		return p->err;
	}
	xmlCtxtUseOptions(p->ctxt, opts);
	xmlSwitchEncoding(p->ctxt, XML_CHAR_ENCODING_UTF8);
	for (off = 0; !p->err && off < n; off += chunk) {
		chunk = n - off > (1u << 20) ? (1u << 20) : n - off;
		xmlParseChunk(p->ctxt, s + off, (int)chunk, 0);
		if (p->ctxt->disableSAX && p->ctxt->instate == XML_PARSER_EOF)
			break;
	}
	if (!p->err)
		xmlParseChunk(p->ctxt, NULL, 0, 1);
	if (!p->err && !p->ctxt->wellFormed)
		bozo(p, "not well-formed XML");
	/* libxml2 makes a document to hang a DTD on when it meets a
	 * DOCTYPE with declarations, even in pure SAX mode. */
	if (p->ctxt->myDoc) {
		xmlFreeDoc(p->ctxt->myDoc);
		p->ctxt->myDoc = NULL;
	}
	xmlFreeParserCtxt(p->ctxt);
	p->ctxt = NULL;
	/* A truncated document leaves elements open: close them so the
	 * entries seen so far are complete. */
	while (!p->err && p->depth)
		end_frame(p, NULL);
	return p->err;
}

int
feed_parse(const char *data, size_t len, const char *content_type,
	   const char *base_url, const struct feed_limits *limits,
	   struct feed_doc **out, char **err)
{
	struct fp p;
	struct buf dec = BUF_INIT, fix = BUF_INIT;
	const char *s;
	size_t n, i;
	char enc[40], *why = NULL, msg[96];
	int rc, fixed, decl, cdata;

	memset(&p, 0, sizeof(p));
	if (limits)
		p.lim = *limits;
	else
		feed_limits_default(&p.lim);
	*err = NULL;
	p.base_url = base_url;
	if (len > p.lim.max_bytes) {
		snprintf(msg, sizeof(msg), "input of %zu bytes is over the "
			 "limit of %zu", len, p.lim.max_bytes);
		*err = strdup(msg);
		return -EFBIG;
	}
	p.doc = calloc(1, sizeof(*p.doc));
	if (!p.doc) {
		rc = -ENOMEM;
		fail(&p, rc, "out of memory");
		goto done;
	}
	/* JSON Feed: the first non-blank byte (after a BOM) is '{'. */
	i = (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) ? 3 : 0;
	while (i < len && strchr(" \t\r\n", data[i]))
		i++;
	if (i < len && data[i] == '{') {
		rc = parse_json(&p, data + i, len - i, base_url);
		goto done;
	}
	rc = feed_enc_decode(data, len, content_type, &dec, &s, &n, enc, &why);
	if (rc < 0) {
		free(why);
		fail(&p, rc, "out of memory");
		goto done;
	}
	p.doc->encoding = xstrdup(&p, enc);
	if (why) {
		bozo(&p, why);
		free(why);
	}
	rc = feed_enc_repair(s, n, &fix, &fixed, &decl, &cdata);
	if (rc < 0) {
		fail(&p, rc, "out of memory");
		goto done;
	}
	if (decl) {
		rc = -EPERM;
		fail(&p, rc, "the document declares entities (refused)");
		goto done;
	}
	if (cdata)
		bozo(&p, "unterminated CDATA section");
	if (fixed & 2)
		bozo(&p, "undefined entity or unescaped '&' repaired");
	if (fixed) {
		s = fix.data;
		n = fix.len;
	}
	rc = parse_xml(&p, s, n);
	if (!rc && !p.root) {
		rc = -EINVAL;
		fail(&p, rc, "not a feed: no root element");
	}
	if (!rc && !p.doc->feed.language && p.lang) {
		p.doc->feed.language = p.lang;
		p.lang = NULL;
	}
	if (!rc && !p.doc->feed.updated && p.feed_published) {
		p.doc->feed.updated = p.feed_published;
		p.feed_published = NULL;
	}
done:
	rc = p.err;
	buf_free(&dec);
	buf_free(&fix);
	buf_free(&p.c.src);
	buf_free(&p.person_text);
	person_free(&p.person);
	while (p.depth)
		pop(&p);
	free(p.stack);
	free(p.feed_published);
	free(p.root_ns);
	free(p.lang);
	free(p.about);
	if (rc) {
		feed_doc_free(p.doc);
		*err = p.errmsg;
		return rc;
	}
	free(p.errmsg);
	*out = p.doc;
	return 0;
}

/* ---- output and cleanup ------------------------------------------------- */

static json_t *
jnull_str(const char *s)
{
	json_t *v;

	if (!s)
		return json_null();
	/* Every string is UTF-8 by construction; never let one bad string
	 * lose the whole document. */
	v = json_string(s);
	return v ? v : json_string("\xef\xbf\xbd");
}

static json_t *
person_json(const struct feed_person *a)
{
	return json_pack("{s:o,s:o,s:o}", "name", jnull_str(a->name),
			 "email", jnull_str(a->email), "url",
			 jnull_str(a->url));
}

static json_t *
links_json(const struct feed_link *l, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr && i < n; i++)
		if (json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:o}",
		    "href", jnull_str(l[i].href), "rel", jnull_str(l[i].rel),
		    "type", jnull_str(l[i].type), "title",
		    jnull_str(l[i].title))) < 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static json_t *
entry_json(const struct feed_entry *e)
{
	json_t *o, *authors = json_array(), *tags = json_array();
	size_t i;

	for (i = 0; authors && i < e->nauthors; i++)
		json_array_append_new(authors, person_json(&e->authors[i]));
	for (i = 0; tags && i < e->ntags; i++)
		json_array_append_new(tags, json_string(e->tags[i]));
	o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
		      "s:o}",
		      "id", jnull_str(e->id), "title", jnull_str(e->title),
		      "link", jnull_str(e->link),
		      "links", links_json(e->links, e->nlinks),
		      "published", jnull_str(e->published),
		      "updated", jnull_str(e->updated),
		      "author", person_json(&e->author),
		      "authors", authors, "tags", tags,
		      "summary", jnull_str(e->summary),
		      "content", jnull_str(e->content),
		      "summary_html", jnull_str(e->summary_html),
		      "content_html", jnull_str(e->content_html));
	return o;
}

json_t *
feed_doc_to_json(const struct feed_doc *d)
{
	json_t *feed, *entries = json_array(), *o;
	size_t i;

	for (i = 0; entries && i < d->nentries; i++)
		if (json_array_append_new(entries,
					  entry_json(&d->entries[i])) < 0) {
			json_decref(entries);
			return NULL;
		}
	feed = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			 "title", jnull_str(d->feed.title),
			 "subtitle", jnull_str(d->feed.subtitle),
			 "link", jnull_str(d->feed.link),
			 "id", jnull_str(d->feed.id),
			 "language", jnull_str(d->feed.language),
			 "rights", jnull_str(d->feed.rights),
			 "updated", jnull_str(d->feed.updated),
			 "author", person_json(&d->feed.author),
			 "links", links_json(d->feed.links, d->feed.nlinks));
	o = json_pack("{s:s,s:o,s:b,s:o,s:o,s:o}", "version", d->version,
		      "encoding", jnull_str(d->encoding), "bozo", d->bozo,
		      "bozo_reason", jnull_str(d->bozo_reason), "feed", feed,
		      "entries", entries);
	return o;
}

/* ---- direct JSON text --------------------------------------------------
 *
 * feed_doc_dump() writes the bytes json_dumps() would write for
 * feed_doc_to_json() without building the jansson tree: for a 300-item
 * feed, building, dumping and freeing the tree cost more than parsing. */

struct jw {
	struct buf b;
	size_t indent;
	int compact;
	int depth;
	int first; /* nothing written yet at this level */
	int err;
};

static void
jw_raw(struct jw *w, const char *s, size_t n)
{
	if (!w->err && buf_append(&w->b, s, n) < 0)
		w->err = -ENOMEM;
}

/* jansson's dump_indent(). */
static void
jw_nl(struct jw *w, int space)
{
	static const char spaces[] = "                                ";
	size_t n;

	if (w->indent) {
		jw_raw(w, "\n", 1);
		for (n = w->indent * (size_t)w->depth; n > 0;) {
			size_t k = n < sizeof(spaces) - 1 ? n :
						sizeof(spaces) - 1;

			jw_raw(w, spaces, k);
			n -= k;
		}
	} else if (space && !w->compact) {
		jw_raw(w, " ", 1);
	}
}

static void
jw_item(struct jw *w)
{
	if (!w->first)
		jw_raw(w, ",", 1);
	jw_nl(w, !w->first);
	w->first = 0;
}

static void
jw_open(struct jw *w, char c)
{
	jw_raw(w, &c, 1);
	w->depth++;
	w->first = 1;
}

static void
jw_close(struct jw *w, char c)
{
	w->depth--;
	if (!w->first)
		jw_nl(w, 0);
	jw_raw(w, &c, 1);
	w->first = 0;
}

/* Append s as a JSON string; 0, or -EILSEQ (nothing appended) when s is
 * not UTF-8. */
static int
jw_string(struct jw *w, const char *str)
{
	int r;

	if (w->err)
		return 0;
	r = buf_json_string(&w->b, str);
	if (r == -ENOMEM)
		w->err = r;
	return r == -EILSEQ ? r : 0;
}

static void
jw_key(struct jw *w, const char *key)
{
	jw_item(w);
	jw_string(w, key);
	jw_raw(w, w->compact ? ":" : ": ", w->compact ? 1 : 2);
}

/* A member as jnull_str() makes it: null, the string, or U+FFFD. */
static void
jw_str_member(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	if (!s)
		jw_raw(w, "null", 4);
	else if (jw_string(w, s) < 0)
		jw_string(w, "\xef\xbf\xbd");
}

static void
jw_person(struct jw *w, const char *key, const struct feed_person *a)
{
	if (key)
		jw_key(w, key);
	else
		jw_item(w);
	jw_open(w, '{');
	jw_str_member(w, "name", a->name);
	jw_str_member(w, "email", a->email);
	jw_str_member(w, "url", a->url);
	jw_close(w, '}');
}

static void
jw_links(struct jw *w, const struct feed_link *l, size_t n)
{
	size_t i;

	jw_key(w, "links");
	jw_open(w, '[');
	for (i = 0; i < n; i++) {
		jw_item(w);
		jw_open(w, '{');
		jw_str_member(w, "href", l[i].href);
		jw_str_member(w, "rel", l[i].rel);
		jw_str_member(w, "type", l[i].type);
		jw_str_member(w, "title", l[i].title);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void
jw_entry(struct jw *w, const struct feed_entry *e)
{
	size_t i, mark;

	jw_item(w);
	jw_open(w, '{');
	jw_str_member(w, "id", e->id);
	jw_str_member(w, "title", e->title);
	jw_str_member(w, "link", e->link);
	jw_links(w, e->links, e->nlinks);
	jw_str_member(w, "published", e->published);
	jw_str_member(w, "updated", e->updated);
	jw_person(w, "author", &e->author);
	jw_key(w, "authors");
	jw_open(w, '[');
	for (i = 0; i < e->nauthors; i++)
		jw_person(w, NULL, &e->authors[i]);
	jw_close(w, ']');
	jw_key(w, "tags");
	jw_open(w, '[');
	for (i = 0; i < e->ntags; i++) {
		/* feed_doc_to_json() leaves out a tag jansson refuses. */
		int first = w->first;

		mark = w->b.len;
		jw_item(w);
		if (jw_string(w, e->tags[i]) < 0) {
			w->b.len = mark;
			if (w->b.data)
				w->b.data[mark] = '\0';
			w->first = first;
		}
	}
	jw_close(w, ']');
	jw_str_member(w, "summary", e->summary);
	jw_str_member(w, "content", e->content);
	jw_str_member(w, "summary_html", e->summary_html);
	jw_str_member(w, "content_html", e->content_html);
	jw_close(w, '}');
}

char *
feed_doc_dump(const struct feed_doc *d, size_t flags)
{
	struct jw w;
	size_t i;

	memset(&w, 0, sizeof(w));
	w.indent = flags & JSON_MAX_INDENT;
	w.compact = (flags & JSON_COMPACT) != 0;
	w.first = 1;
	/* Room for the usual case in one allocation. */
	if (buf_grow(&w.b, 4096 + d->nentries * 2048) < 0)
		return NULL;
	jw_open(&w, '{');
	jw_key(&w, "version");
	jw_string(&w, d->version);
	jw_str_member(&w, "encoding", d->encoding);
	jw_key(&w, "bozo");
	jw_raw(&w, d->bozo ? "true" : "false", d->bozo ? 4 : 5);
	jw_str_member(&w, "bozo_reason", d->bozo_reason);
	jw_key(&w, "feed");
	jw_open(&w, '{');
	jw_str_member(&w, "title", d->feed.title);
	jw_str_member(&w, "subtitle", d->feed.subtitle);
	jw_str_member(&w, "link", d->feed.link);
	jw_str_member(&w, "id", d->feed.id);
	jw_str_member(&w, "language", d->feed.language);
	jw_str_member(&w, "rights", d->feed.rights);
	jw_str_member(&w, "updated", d->feed.updated);
	jw_person(&w, "author", &d->feed.author);
	jw_links(&w, d->feed.links, d->feed.nlinks);
	jw_close(&w, '}');
	jw_key(&w, "entries");
	jw_open(&w, '[');
	for (i = 0; i < d->nentries; i++)
		jw_entry(&w, &d->entries[i]);
	jw_close(&w, ']');
	jw_close(&w, '}');
	if (w.err) {
		buf_free(&w.b);
		return NULL;
	}
	return buf_detach(&w.b);
}

static void
links_free(struct feed_link *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(l[i].href);
		free(l[i].rel);
		free(l[i].type);
		free(l[i].title);
	}
	free(l);
}

void
feed_doc_free(struct feed_doc *d)
{
	size_t i, k;

	if (!d)
		return;
	for (i = 0; i < d->nentries; i++) {
		struct feed_entry *e = &d->entries[i];

		free(e->id);
		free(e->title);
		free(e->link);
		links_free(e->links, e->nlinks);
		free(e->published);
		free(e->updated);
		person_free(&e->author);
		for (k = 0; k < e->nauthors; k++)
			person_free(&e->authors[k]);
		free(e->authors);
		for (k = 0; k < e->ntags; k++)
			free(e->tags[k]);
		free(e->tags);
		free(e->summary);
		free(e->content);
		free(e->summary_html);
		free(e->content_html);
	}
	free(d->entries);
	free(d->encoding);
	free(d->bozo_reason);
	free(d->feed.title);
	free(d->feed.subtitle);
	free(d->feed.link);
	free(d->feed.id);
	free(d->feed.language);
	free(d->feed.rights);
	free(d->feed.updated);
	person_free(&d->feed.author);
	links_free(d->feed.links, d->feed.nlinks);
	free(d);
}
