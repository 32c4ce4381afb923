/* feed_xml.c — RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 into struct feed_doc
 * (feed.c's XML half; see docs/feeds.md).
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

#include <ctype.h>
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
#include "bytes8.h"
#include "feed_int.h"
#include "sanitize.h"
#include "url.h"
#include "utf8.h"

/* ---- element keywords ---------------------------------------------------- */

enum ns {
	NS_CORE, /* none, RSS 0.90/1.0/2.0, Atom 0.3/1.0 */
	NS_DC,
	NS_DCTERMS,
	NS_CONTENT,
	NS_XHTML,
	NS_RDF,
	NS_ITUNES,
	NS_MEDIA,
	NS_OTHER,
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
	/* podcasts: the episode's author and its text when the item has
	 * no other (read as feedparser reads them) */
	{NS_ITUNES, "author", E_AUTHOR},
	{NS_ITUNES, "summary", E_SUMMARY},
	/* Media RSS (YouTube's feeds): a video's description is the entry's
	 * summary when it has no other text */
	{NS_MEDIA, "group", E_MGROUP},
	{NS_MEDIA, "description", E_MDESC},
	{NS_MEDIA, "content", E_MCONTENT},
	{NS_MEDIA, "title", E_MTITLE},
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
	{"http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES},
	{"http://search.yahoo.com/mrss/", NS_MEDIA},
};

static enum ns
ns_of(const char *uri, const char *prefix)
{
	size_t i, ulen;

	if (!uri) {
		/* An undeclared prefix (already reported as an error):
		 * guess from the conventional prefixes (a podcast feed
		 * that forgets xmlns:itunes still means iTunes). */
		static const struct {
			const char *prefix;
			enum ns ns;
		} conv[] = {
			{"dc", NS_DC},
			{"dcterms", NS_DCTERMS},
			{"content", NS_CONTENT},
			{"atom", NS_CORE},
			{"itunes", NS_ITUNES},
			{"media", NS_MEDIA},
			{"rdf", NS_RDF},
			{"xhtml", NS_XHTML},
		};

		if (!prefix)
			return NS_CORE;
		for (i = 0; i < sizeof(conv) / sizeof(conv[0]); i++)
			if (!strcmp(prefix, conv[i].prefix))
				return conv[i].ns;
		return NS_OTHER;
	}
	for (i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
		if (!strcmp(uri, namespaces[i].uri))
			return namespaces[i].ns;
	if (!strncmp(uri, "http://www.w3.org/2005/Atom", 27))
		return NS_CORE;
	/* Real feeds misspell the URIs: without the trailing slash
	 * ("http://purl.org/dc/elements/1.1"), or in another case
	 * (".../DTDs/..."). Read them as the namespace they mean. */
	ulen = strlen(uri);
	while (ulen > 0 && (uri[ulen - 1] == '/' || uri[ulen - 1] == '#'))
		ulen--;
	for (i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		const char *k = namespaces[i].uri;
		size_t klen = strlen(k);

		while (klen > 0 && (k[klen - 1] == '/' || k[klen - 1] == '#'))
			klen--;
		if (klen == ulen && !strncasecmp(uri, k, klen))
			return namespaces[i].ns;
	}
	return NS_OTHER;
}

/* An absolute http(s) address (an Atom <id> that is also the page). */
static int
is_web_url(const char *s)
{
	return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

static enum el
el_of(enum ns ns, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (keywords[i].ns == ns && keywords[i].name[0] == name[0] &&
		    !strcmp(keywords[i].name, name))
			return keywords[i].el;
	/* In another case ("<Title>", "<PubDate>", written by hand or by
	 * old tools): the same element, as feedparser reads it. */
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (keywords[i].ns == ns &&
		    (keywords[i].name[0] | 0x20) == (name[0] | 0x20) &&
		    !strcasecmp(keywords[i].name, name))
			return keywords[i].el;
	return E_NONE;
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
			fp_fail(p, -ENOMEM, "out of memory");
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
			fp_fail(p, -ENOMEM, "out of memory");
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

/* SAX2 attributes: localname, prefix, URI, value, end. The name is
 * matched in any case: feeds write isPermalink, Href, Type, and
 * feedparser reads every attribute name lowercased. */
static const char *
attr(const xmlChar **attrs, int n, const char *uri, const char *name,
     size_t *len)
{
	int i;

	for (i = 0; i < n; i++) {
		const xmlChar **a = attrs + 5 * i;
		if (strcasecmp((const char *)a[0], name))
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
		fp_fail(p, -ENOMEM, "out of memory");
	return s;
}

static int
attr_is(const xmlChar **attrs, int n, const char *name, const char *val)
{
	size_t len;
	const char *v = attr(attrs, n, NULL, name, &len);

	return v && len == strlen(val) && !strncasecmp(v, val, len);
}
/* ---- people ------------------------------------------------------------- */

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
		a->name = *s ? fp_strdup(p, s) : NULL;
		return;
	}
	for (b = at; b > s && is_email_char((unsigned char)b[-1]);)
		b--;
	for (e = at; *e && is_email_char((unsigned char)*e);)
		e++;
	if (e - b > 2 && b < at && e > at + 1 && strchr(e, '@')) {
		/* "a@x, b@y": several people, none of them the one
		 * address; the text is the name, as written. */
		struct buf whole = BUF_INIT;

		if (sanitize_fold(s, strlen(s), &whole) < 0)
			fp_fail(p, -ENOMEM, "out of memory");
		else if (whole.len)
			a->name = fp_detach(p, &whole);
		buf_free(&whole);
		return;
	}
	if (e - b > 2 && b < at && e > at + 1) {
		a->email = strndup(b, (size_t)(e - b));
		if (!a->email) {
			fp_fail(p, -ENOMEM, "out of memory");
			return;
		}
		if (!strncasecmp(a->email, "mailto", 6)) {
			/* "mailto:x@y" keeps the scheme out */
			char *c = strchr(a->email, ':');
			if (c)
				memmove(a->email, c + 1, strlen(c));
		}
		/* "Name (mailto:addr)": the scheme is not part of the
		 * name either. */
		if (b - s >= 7 && !strncasecmp(b - 7, "mailto:", 7))
			b -= 7;
	} else {
		b = e = at;
	}
	if (buf_append(&tmp, s, (size_t)(b - s)) < 0 ||
	    buf_puts(&tmp, e) < 0) {
		fp_fail(p, -ENOMEM, "out of memory");
		goto out;
	}
	/* Drop the brackets that surrounded the address. */
	for (size_t i = 0; i < tmp.len; i++)
		if (strchr("()<>", tmp.data[i]))
			tmp.data[i] = ' ';
	if (sanitize_fold(tmp.data, tmp.len, &name) < 0)
		fp_fail(p, -ENOMEM, "out of memory");
	/* ... and the separator left beside it ("jo@x - Jo", "jo@x, Jo"). */
	if (name.len) {
		size_t i = 0, n = name.len;

		while (i < n && strchr(",;:-/| ", name.data[i]))
			i++;
		while (n > i && strchr(",;:-/| ", name.data[n - 1]))
			n--;
		memmove(name.data, name.data + i, n - i);
		name.len = n - i;
		name.data[name.len] = '\0';
	}
	if (name.len)
		a->name = fp_detach(p, &name);
out:
	buf_free(&name);
	buf_free(&tmp);
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

/* Is b's text base64 that decodes to UTF-8 text? Only the alphabet,
 * white space and final padding, a length that is whole quads, and
 * decoded bytes that are valid UTF-8 without NULs. A content type that
 * is not text only suggests base64 (Atom 0.3); what was written decides,
 * as feedparser's decoding falls back to the text when it fails. */
static int
b64_text(const struct buf *b)
{
	struct buf tmp = BUF_INIT;
	size_t i, n = 0, pad = 0;
	int ok;

	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			n++;
			continue;
		}
		if (pad || b64val(c) < 0 || c == '-' || c == '_')
			return 0;
		n++;
	}
	if (n == 0 || n % 4 || pad > 2)
		return 0;
	if (buf_append(&tmp, b->data, b->len) < 0)
		return 0; /* treated as text: nothing is lost */
	b64_decode(&tmp);
	ok = tmp.len && !memchr(tmp.data, '\0', tmp.len) &&
	     utf8_valid((const unsigned char *)tmp.data, tmp.len);
	buf_free(&tmp);
	return ok;
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
		fp_fail(p, -ENOMEM, "out of memory");
	return r;
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
		fp_fail(p, -ENOMEM, "out of memory");
		return;
	}
	if (link && !*link)
		*link = fp_strdup(p, abs);
	fp_add_link(p, links, n, abs, NULL, fp_strdup(p, "text/html"), NULL);
}

/* Text that was UTF-8, read once more as Latin-1 by the publisher's
 * software and written out as UTF-8 again ("CafÃ©" for "Café", "â€™"
 * for a right quote) is common in real feeds. When every character of a
 * value is at most U+00FF, some above U+007F, and those characters taken
 * as bytes are valid UTF-8, the value is that UTF-8 (feedparser repairs
 * every value the same way). Then C1 controls U+0080-U+009F, which no
 * text means, are read as the windows-1252 characters they stand for
 * (U+0093 is a left double quote). b is valid UTF-8; 0 or -ENOMEM. */
static int
unmojibake(struct buf *b)
{
	const unsigned char *s = (const unsigned char *)b->data;
	unsigned char *lat;
	size_t i, n = 0, high = 0, c1 = 0;
	int latin = 1;

	if (!b->data || !b->len)
		return 0;
	for (i = 0; i < b->len;) {
		size_t l;

		/* ASCII, the most of any value, 8 bytes at a time. */
		i += b8_span_ascii(s + i, b->len - i);
		if (i >= b->len)
			break;
		l = s[i] < 0x80 ? 1 : utf8_seq_len(s + i, b->len - i);
		if (l == 0)
			return 0; /* not UTF-8: leave it */
		if (l == 2 && s[i] <= 0xc3) {
			high++;
			c1 += s[i] == 0xc2 && s[i + 1] < 0xa0;
		} else if (l > 1) {
			latin = 0;
		}
		i += l;
	}
	if (!high)
		return 0;
	if (latin) {
		lat = malloc(b->len);
		if (!lat)
			return -ENOMEM;
		for (i = 0; i < b->len; i++, n++) {
			if (s[i] < 0x80) {
				lat[n] = s[i];
			} else {
				lat[n] = (unsigned char)((s[i] & 0x03) << 6 |
							 (s[i + 1] & 0x3f));
				i++;
			}
		}
		if (utf8_valid(lat, n)) {
			memcpy(b->data, lat, n);
			b->data[n] = '\0';
			b->len = n;
			free(lat);
			return unmojibake(b); /* C1 left in the repaired text */
		}
		free(lat);
	}
	if (c1) {
		struct buf out = BUF_INIT;

		for (i = 0; i < b->len;) {
			unsigned cp = s[i] == 0xc2 && i + 1 < b->len &&
					      s[i + 1] < 0xa0 ?
				      utf8_cp1252_c1(s[i + 1]) :
				      0;
			char u[4];

			if (cp) {
				buf_append(&out, u, utf8_put(cp, u));
				i += 2;
			} else {
				buf_putc(&out, (char)s[i]);
				i++;
			}
		}
		if (out.err) {
			buf_free(&out);
			return -ENOMEM;
		}
		buf_free(b);
		*b = out;
	}
	return 0;
}

/* The captured source as text in *t and, for an entry's summary or
 * content, as sanitized HTML in *h (both malloc'd, NULL on failure). */
static void
capture_render(struct fp *p, char **t, char **h)
{
	struct capture *c = &p->c;
	struct buf text = BUF_INIT, html = BUF_INIT;
	enum mode mode = c->mode;
	int want_html;

	if (c->base64 == 2 && !b64_text(&c->src))
		c->base64 = 0;
	if (c->base64) {
		b64_decode(&c->src);
		if (utf8_fix(&c->src) < 0)
			fp_fail(p, -ENOMEM, "out of memory");
	}
	fp_truncate(&c->src, p->lim.max_field);
	if (unmojibake(&c->src) < 0)
		fp_fail(p, -ENOMEM, "out of memory");
	if (mode == M_AUTO)
		mode = c->markup || looks_like_html(c->src.data ?
			c->src.data : "", c->src.len) ? M_HTML : M_TEXT;
	if (c->markup && mode == M_TEXT)
		mode = M_HTML;
	want_html = (c->parent == C_ENTRY &&
		     (c->el == E_SUMMARY || c->el == E_DESC ||
		      c->el == E_CONTENT || c->el == E_BODY)) ||
		    c->el == E_MDESC;
	if (c->src.len && memchr(c->src.data, '\0', c->src.len))
		c->src.len = strlen(c->src.data); /* base64 of binary */
	/* One allocation each in the usual case, not a doubling from 64
	 * bytes: the text is rarely longer than its source, the HTML a
	 * little. A failure stays in the buffer (its error is sticky) and
	 * comes back from the writes below. */
	if (c->src.len > 64) {
		(void)buf_grow(&text, c->src.len + 1);
		if (want_html)
			(void)buf_grow(&html, c->src.len + c->src.len / 8);
	}
	if (mode == M_TEXT) {
		if (sanitize_fold(buf_str(&c->src), c->src.len, &text) < 0 ||
		    (want_html && sanitize_escape(buf_str(&c->src),
						  c->src.len, &html) < 0))
			fp_fail(p, -ENOMEM, "out of memory");
	} else if (sanitize_html(buf_str(&c->src), c->src.len, c->base,
				 &text, want_html ? &html : NULL) < 0) {
		fp_fail(p, -ENOMEM, "out of memory");
	}
	buf_reset(&c->src);
	*t = fp_detach(p, &text);
	*h = want_html ? fp_detach(p, &html) : NULL;
}

/* A person's child element. Takes *t when it keeps it. */
static void
assign_person(struct fp *p, const struct capture *c, char **t)
{
	p->person_has_child = 1;
	if (c->el == E_NAME)
		set_once(&p->person.name, *t), *t = NULL;
	else if (c->el == E_EMAIL)
		set_once(&p->person.email, *t), *t = NULL;
	else if (c->el == E_URI && **t)
		set_once(&p->person.url, resolve(p, c->base, *t));
}

/* A feed-level field. Takes *t when it keeps it. */
static void
assign_feed(struct fp *p, const struct capture *c, char **t)
{
	struct feed_doc *d = p->doc;

	switch (c->el) {
	case E_TITLE: set_once(&d->feed.title, *t), *t = NULL; break;
	case E_DESC:
	case E_SUBTITLE:
		set_once(&d->feed.subtitle, *t), *t = NULL;
		break;
	case E_LINK:
		finish_link_text(p, *t, &d->feed.links, &d->feed.nlinks,
				 &d->feed.link);
		*t = NULL;
		break;
	case E_ID:
		if (**t)
			set_once(&d->feed.id, p->atom ?
				 resolve(p, c->base, *t) :
				 fp_strdup(p, *t));
		break;
	case E_LANG: set_once(&d->feed.language, *t), *t = NULL; break;
	case E_RIGHTS: set_once(&d->feed.rights, *t), *t = NULL; break;
	case E_UPDATED:
		set_once(&d->feed.updated, fp_date(p, *t));
		break;
	case E_PUBLISHED:
		set_once(&p->feed_published, fp_date(p, *t));
		break;
	default:
		break;
	}
}

/* An entry's field. Takes *t and *h when it keeps them. */
static void
assign_entry(struct fp *p, const struct capture *c, struct feed_entry *e,
	     char **t, char **h)
{
	switch (c->el) {
	case E_TITLE: set_once(&e->title, *t), *t = NULL; break;
	case E_LINK:
		finish_link_text(p, *t, &e->links, &e->nlinks,
				 c->rel_alt ? &e->link : NULL);
		*t = NULL;
		break;
	case E_GUID:
	case E_ID:
		if (**t && !e->id) {
			/* a permalink <guid>, or an Atom <id> that is a
			 * web address: the link of an entry that has none
			 * (feedparser reads <id> as a <guid>) */
			e->id = c->is_atom_id ? url_resolve(c->base, *t) :
						fp_strdup(p, *t);
			if (!e->id)
				fp_fail(p, -ENOMEM, "out of memory");
			p->guid_permalink = c->el == E_GUID ? c->permalink :
					    e->id && is_web_url(e->id);
		}
		break;
	case E_DESC:
	case E_SUMMARY:
		if (p->summary_itunes && c->el == E_DESC && **t) {
			/* The RSS description after an itunes:summary: the
			 * description is the item's text, the iTunes blurb
			 * (a copy, for the podcast directory) goes. */
			free(e->summary);
			e->summary = *t, *t = NULL;
			free(e->summary_html);
			e->summary_html = *h, *h = NULL;
			p->summary_itunes = 0;
		} else if (e->summary && *e->summary && !e->content &&
		    c->mode != M_TEXT && !p->atom) {
			e->content = *t, *t = NULL;
			e->content_html = *h, *h = NULL;
		} else if (!e->summary || (!*e->summary && **t)) {
			free(e->summary);
			e->summary = *t, *t = NULL;
			free(e->summary_html);
			e->summary_html = *h, *h = NULL;
			p->summary_itunes = c->itunes && c->el == E_SUMMARY;
		}
		break;
	case E_CONTENT:
	case E_BODY:
		if (!e->content || (!*e->content && **t)) {
			free(e->content);
			e->content = *t, *t = NULL;
			free(e->content_html);
			e->content_html = *h, *h = NULL;
		}
		break;
	case E_UPDATED:
		set_last(&e->updated, fp_date(p, *t));
		break;
	case E_PUBLISHED:
		set_last(&e->published, fp_date(p, *t));
		break;
	case E_CATEGORY:
		fp_add_tag(p, *t), *t = NULL;
		break;
	case E_MDESC:
		if (!p->media_text && **t) {
			p->media_text = *t, *t = NULL;
			p->media_html = *h, *h = NULL;
		}
		break;
	case E_MTITLE:
		if (!p->media_title && **t)
			p->media_title = *t, *t = NULL;
		break;
	default:
		break;
	}
}

/* The field element at the top of the stack ends: render what it held,
 * then give it to its person, feed or entry. */
static void
capture_finish(struct fp *p)
{
	struct capture *c = &p->c;
	char *t, *h;

	c->active = 0;
	capture_render(p, &t, &h);
	if (p->err)
		goto out;
	if (c->parent == C_PERSON)
		assign_person(p, c, &t);
	else if (c->parent == C_FEED)
		assign_feed(p, c, &t);
	else if ((c->parent == C_ENTRY || c->parent == C_MGROUP) && p->e)
		assign_entry(p, c, p->e, &t, &h);
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
		if (lc_eq(type, tn, "text") || lc_eq(type, tn, "text/plain") ||
		    ((el == E_MDESC || el == E_MTITLE) &&
		     lc_eq(type, tn, "plain")))
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
			c->mode = M_TEXT, c->base64 = 2; /* b64_text() */
		else
			c->mode = atomish ? M_TEXT : M_AUTO;
	} else if (el == E_BODY) {
		c->mode = M_HTML;
	} else if (atomish) {
		c->mode = M_TEXT;
	} else if (el == E_DESC) {
		c->mode = M_HTML;
	} else if (el == E_GUID || el == E_ID) {
		/* An identifier, not a text construct: kept as the XML
		 * gives it, no entity in it read as HTML ("Q&amp;amp;A"
		 * stays "Q&amp;A", as in feedparser). */
		c->mode = M_TEXT;
	} else {
		c->mode = M_AUTO;
	}
	/* Atom 0.3's mode says how the content is written, whatever the
	 * type says (a type that is no MIME type at all is common). */
	if (mode) {
		if (lc_eq(mode, mn, "base64")) {
			c->base64 = 1;
		} else if (lc_eq(mode, mn, "xml")) {
			c->base64 = 0;
			c->mode = M_XHTML;
		} else if (lc_eq(mode, mn, "escaped")) {
			c->base64 = 0;
		}
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
		fp_fail(p, -ENOMEM, "out of memory");
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
		fp_fail(p, -ENOMEM, "out of memory");
}

/* ---- SAX callbacks --------------------------------------------------------- */

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
			fp_set_version(p, "rss20");
		else if (lc_eq(v, vn, "0.91"))
			fp_set_version(p, p->netscape ? "rss091n" : "rss091u");
		else if (lc_eq(v, vn, "0.92"))
			fp_set_version(p, "rss092");
		else if (lc_eq(v, vn, "0.93"))
			fp_set_version(p, "rss093");
		else if (lc_eq(v, vn, "0.94"))
			fp_set_version(p, "rss094");
		else if (lc_eq(v, vn, "0.90"))
			fp_set_version(p, "rss090");
		else if (v && vn > 1 && v[0] == '2')
			fp_set_version(p, "rss20");
		else
			fp_set_version(p, "rss");
		return C_WRAP;
	case E_RDF:
		fp_set_version(p, "rss10");
		for (i = 0; i < nns; i++)
			if (nss[2 * i + 1] && !strcmp((const char *)
			    nss[2 * i + 1], "http://my.netscape.com/rdf/"
			    "simple/0.9/"))
				fp_set_version(p, "rss090");
		return C_WRAP;
	case E_FEED:
		p->atom = 1;
		if (uri && !strcmp(uri, "http://www.w3.org/2005/Atom"))
			fp_set_version(p, "atom10");
		else if (lc_eq(v, vn, "0.3") || (uri && !strcmp(uri,
			 "http://purl.org/atom/ns#")))
			fp_set_version(p, "atom03");
		else if (lc_eq(v, vn, "0.2"))
			fp_set_version(p, "atom02");
		else if (lc_eq(v, vn, "0.1"))
			fp_set_version(p, "atom01");
		else
			fp_set_version(p, "atom");
		return C_FEED;
	case E_CHANNEL:
		fp_set_version(p, "rss");
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
		fp_fail(p, -ENOMEM, "out of memory");
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
	/* rel and type are case-insensitive ("ALTERNATE", "Text/HTML"). */
	for (char *c = rel; c && *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (char *c = type; c && *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (!type)
		type = fp_strdup(p, rel && !strcmp(rel, "self") ?
			       "application/atom+xml" : "text/html");
	if (!*link && (!rel || !strcmp(rel, "alternate")))
		*link = fp_strdup(p, abs);
	fp_add_link(p, links, nl, abs, rel, type,
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
		fp_fail(p, -ENOMEM, "out of memory");
}

#define XML_NS "http://www.w3.org/XML/1998/namespace"

/* An element inside a text construct is markup of its content, except
 * Atom's xhtml wrapper div. */
static void
start_in_capture(struct fp *p, const char *name, const char *uri,
		 const xmlChar **attrs, int nattrs)
{
	size_t bn = 0;
	const char *xb;

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
	xb = attr(attrs, nattrs, XML_NS, "base", &bn);
	if (push(p, C_FIELD, xb, bn) == 0)
		capture_start_tag(p, name, attrs, nattrs);
}

/* The keyword of an element, its namespace in *nsp. */
static enum el
element_of(struct fp *p, enum ctx parent, const char *name, const char *uri,
	   const char *prefix, enum ns *nsp)
{
	enum ns ns = uri && p->root_ns && !strcmp(uri, p->root_ns) ?
		     NS_CORE : ns_of(uri, prefix);
	enum el el = el_of(ns, name);

	if (parent == C_ROOT && !p->root && uri && ns == NS_OTHER) {
		/* A feed in a namespace we do not know ("necho", "pie",
		 * "rss2.1"): its own namespace is the core one. */
		el = el_of(NS_CORE, name);
		if (el == E_RSS || el == E_FEED || el == E_CHANNEL) {
			p->root_ns = strdup(uri);
			if (!p->root_ns)
				fp_fail(p, -ENOMEM, "out of memory");
			ns = NS_CORE;
		}
	}
	*nsp = ns;
	return el;
}

/* The root element: a feed's, or the document is refused. */
static void
start_root(struct fp *p, enum el el, const char *uri, const char *name,
	   const xmlChar **attrs, int nattrs, const xmlChar **nss, int nns)
{
	size_t bn = 0;
	const char *xb = attr(attrs, nattrs, XML_NS, "base", &bn);
	enum ctx me = root_element(p, el, uri, name, attrs, nattrs, nss, nns);
	char msg[160];

	if (me == C_ROOT) {
		snprintf(msg, sizeof(msg), "not a feed: root element "
			 "<%.100s>", name);
		fp_fail(p, -EINVAL, msg);
		return;
	}
	p->root = 1;
	if (push(p, me, xb, bn) < 0)
		return;
	lang_of(p, attrs, nattrs);
}

/* What element el opens inside parent. *special: 1 for a link given by
 * its href, 2 for a category given by its term (both read from the
 * attributes, their content skipped). */
static enum ctx
child_ctx(enum ctx parent, enum el el, const xmlChar **attrs, int nattrs,
	  int *special)
{
	size_t n;

	*special = 0;
	switch (parent) {
	case C_WRAP:
		if (el == E_CHANNEL)
			return C_FEED;
		if (el == E_ITEM || el == E_ENTRY)
			return C_ENTRY;
		break;
	case C_FEED:
		if (el == E_ITEM || el == E_ENTRY)
			return C_ENTRY;
		if (el == E_AUTHOR)
			return C_PERSON;
		if (el == E_LINK && attr(attrs, nattrs, NULL, "href", &n))
			return *special = 1, C_SKIP;
		if (el >= E_TITLE && el <= E_PUBLISHED && el != E_GUID)
			return C_FIELD;
		break;
	case C_ENTRY:
		if (el == E_AUTHOR)
			return C_PERSON;
		if (el == E_LINK && attr(attrs, nattrs, NULL, "href", &n))
			return *special = 1, C_SKIP;
		if (el == E_CATEGORY && attr(attrs, nattrs, NULL, "term", &n))
			return *special = 2, C_SKIP;
		if (el == E_MGROUP || el == E_MCONTENT)
			return C_MGROUP;
		if (el == E_MDESC || el == E_MTITLE)
			return C_FIELD;
		if ((el >= E_TITLE && el <= E_PUBLISHED && el != E_LANG &&
		     el != E_RIGHTS && el != E_SUBTITLE) ||
		    (el >= E_CATEGORY && el <= E_BODY))
			return C_FIELD;
		break;
	case C_PERSON:
		if (el == E_NAME || el == E_EMAIL || el == E_URI)
			return C_FIELD;
		break;
	case C_MGROUP:
		if (el == E_MDESC || el == E_MTITLE)
			return C_FIELD;
		if (el == E_MCONTENT)
			return C_MGROUP;
		break;
	default:
		break;
	}
	return C_SKIP;
}

/* Open the frame of an element below the root and start what it is: an
 * entry (within the limit), a person, a field, a link or category. */
static void
open_element(struct fp *p, enum ctx parent, enum ctx me, int special,
	     enum el el, int atomish, int xhtml, const xmlChar **attrs,
	     int nattrs)
{
	size_t bn = 0;
	const char *xb = attr(attrs, nattrs, XML_NS, "base", &bn), *v;
	char msg[96];

	if (me == C_ENTRY) {
		if (p->doc->nentries >= p->lim.max_entries) {
			snprintf(msg, sizeof(msg), "more than %zu entries; "
				 "the rest were dropped",
				 p->lim.max_entries);
			fp_bozo(p, msg);
			me = C_SKIP;
		} else {
			fp_entry_begin(p);
		}
	}
	if (push(p, me, xb, bn) < 0)
		return;
	if (me == C_FEED && !p->lang)
		lang_of(p, attrs, nattrs);
	if (me == C_ENTRY) {
		free(p->about);
		p->about = NULL;
		v = attr(attrs, nattrs, "http://www.w3.org/1999/02/22-rdf-"
			 "syntax-ns#", "about", &bn);
		if (v && bn && !(p->about = value_dup(v, bn)))
			fp_fail(p, -ENOMEM, "out of memory");
	}
	if (special == 1) {
		atom_link(p, parent, attrs, nattrs);
	} else if (special == 2) {
		fp_add_tag(p, attr_dup(p, attrs, nattrs, "term"));
	} else if (me == C_PERSON) {
		p->person_parent = parent;
		p->person_has_child = 0;
		fp_person_free(&p->person);
		buf_reset(&p->person_text);
	} else if (me == C_FIELD) {
		capture_begin(p, parent, el, atomish, attrs, nattrs);
		if (xhtml)
			p->c.mode = M_XHTML;
	}
}

/* A person element ends: its text, when it had no child elements, is
 * read as "Name <addr>" or "addr (Name)". */
static void
person_finish(struct fp *p)
{
	struct buf folded = BUF_INIT;

	if (!p->person_has_child && p->person_text.len) {
		if (sanitize_fold(p->person_text.data, p->person_text.len,
				  &folded) < 0)
			fp_fail(p, -ENOMEM, "out of memory");
		else
			person_from_text(p, &p->person, buf_str(&folded));
		buf_free(&folded);
	}
	buf_reset(&p->person_text);
	fp_add_author(p, (enum ctx)p->person_parent, &p->person);
}

/* Close the frame at the top of the stack. */
static void
end_frame(struct fp *p, const char *name)
{
	struct frame *f = &p->stack[p->depth - 1];

	if (p->c.active && p->depth > p->c.depth) {
		if ((int)p->depth == p->c.skip_div) {
			p->c.skip_div = -1;
		} else if (name && buf_puts(&p->c.src, "</") |
			   buf_puts(&p->c.src, name) |
			   buf_putc(&p->c.src, '>')) {
			fp_fail(p, -ENOMEM, "out of memory");
		}
	} else if (p->c.active && p->depth == p->c.depth) {
		capture_finish(p);
	} else if (f->ctx == C_PERSON) {
		person_finish(p);
	} else if (f->ctx == C_ENTRY) {
		fp_entry_end(p);
	}
	pop(p);
}

/* Is this start tag, met inside a text construct, an item or entry? Only
 * outside XML content, where an element of the feed's own vocabulary
 * cannot be markup. */
static int
entry_tag_in_capture(struct fp *p, const char *name, const char *uri,
		     const char *prefix)
{
	enum ns ns;
	enum el el;

	if (p->c.mode == M_XHTML || (strcmp(name, "item") &&
				     strcmp(name, "entry")))
		return 0;
	el = element_of(p, C_FIELD, name, uri, prefix, &ns);
	return el == E_ITEM || el == E_ENTRY;
}

/* An item or entry start tag that is not a child of the channel, feed or
 * RDF wrapper: an element left open before it (an unclosed <br> or
 * <itunes:category> in the channel, an unclosed element in the previous
 * item) made the parser nest it there. It still begins an entry, as the
 * start tag of an item does wherever a browser-grade reader meets it:
 * what the open elements above the channel held is finished (a field,
 * a person, the previous entry) and their frames stay on the stack as
 * skipped ones, so the stack still matches libxml2's and their end tags
 * (or the end of the document) pop them later. Returns the context the
 * entry opens in, or parent when no channel or feed is open. */
static enum ctx
stray_entry(struct fp *p, enum ctx parent)
{
	size_t top = p->depth, i;

	while (top > 0 && p->stack[top - 1].ctx != C_FEED &&
	       p->stack[top - 1].ctx != C_WRAP)
		top--;
	if (top == 0)
		return parent;
	if (p->c.active)
		capture_finish(p);
	for (i = p->depth; i-- > top;) {
		struct frame *f = &p->stack[i];

		if (f->ctx == C_PERSON)
			person_finish(p);
		else if (f->ctx == C_ENTRY)
			fp_entry_end(p);
		f->ctx = C_SKIP;
	}
	return p->stack[top - 1].ctx;
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
	int atomish, special = 0;
	enum el el;
	enum ns ns;

	(void)ndefaulted;
	if (p->err)
		return;
	if (p->c.active && !entry_tag_in_capture(p, name, uri,
						 (const char *)xprefix)) {
		start_in_capture(p, name, uri, attrs, nattrs);
		return;
	}
	el = element_of(p, parent, name, uri, (const char *)xprefix, &ns);
	if (p->err)
		return;
	if (parent == C_ROOT && !p->root) {
		start_root(p, el, uri, name, attrs, nattrs, nss, nns);
		return;
	}
	atomish = p->atom || (uri && (!strncmp(uri,
		"http://www.w3.org/2005/Atom", 27) || !strcmp(uri,
		"http://purl.org/atom/ns#")));
	if ((el == E_ITEM || el == E_ENTRY) && parent != C_ROOT &&
	    parent != C_FEED && parent != C_WRAP && ns == NS_CORE)
		parent = stray_entry(p, parent);
	/* RSS without its <channel> start tag: what stands directly in
	 * <rss> is the channel's (not so in RDF, whose channel is a
	 * sibling of the items). */
	if (parent == C_WRAP && el != E_CHANNEL && el != E_ITEM &&
	    el != E_ENTRY && strcmp(p->doc->version, "rss10") &&
	    strcmp(p->doc->version, "rss090"))
		parent = C_FEED;
	if (parent != C_ROOT)
		me = child_ctx(parent, el, attrs, nattrs, &special);
	open_element(p, parent, me, special, el, atomish, ns == NS_XHTML,
		     attrs, nattrs);
	if (me == C_FIELD)
		p->c.itunes = ns == NS_ITUNES;
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
			fp_fail(p, -ENOMEM, "out of memory");
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
	fp_fail(ctx, -EPERM, "the document declares entities (refused)");
}

static void
on_error(void *ctx, xmlErrorPtr e)
{
	struct fp *p = ctx;
	char msg[200];
	size_t n;

	/* libxml2 ran out of memory: what it parsed is not the document. */
	if (e && e->code == XML_ERR_NO_MEMORY) {
		fp_fail(p, -ENOMEM, "out of memory");
		return;
	}
	/* the first libxml2 error only: the later ones follow from it */
	if (!e || e->level < XML_ERR_ERROR || p->xml_error)
		return;
	p->xml_error = 1;
	snprintf(msg, sizeof(msg), "line %d: %s", e->line,
		 e->message ? e->message : "not well-formed");
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	fp_bozo(p, msg);
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
		fp_fail(p, -ENOMEM, "out of memory");
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
	if (!p->err && !p->ctxt->wellFormed && !p->xml_error)
		fp_bozo(p, "not well-formed XML");
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

/* The length of the white space and byte order marks before an XML
 * declaration at the start of s (0 when there is none). */
static size_t
lead_before_decl(const char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		if (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
			      s[i] == '\n'))
			i++;
		else if (n - i >= 3 && !memcmp(s + i, "\xef\xbb\xbf", 3))
			i += 3;
		else
			break;
	}
	return n - i >= 6 && !memcmp(s + i, "<?xml", 5) &&
	       (s[i + 5] == ' ' || s[i + 5] == '\t' || s[i + 5] == '\r' ||
		s[i + 5] == '\n') ? i : 0;
}

/* Text before an XML declaration that is not at the start: a server's
 * warning printed ahead of the feed ("<br />\n<b>Warning</b>: ...
 * <?xml ..."). The length to skip to the declaration, when it comes in
 * the first 8 KiB and no feed element comes before it; else 0. */
static size_t
junk_before_decl(const char *s, size_t n)
{
	static const char *const roots[] = { "<rss", "<feed", "<rdf", "<RDF",
					     "<channel", "<?xml" };
	size_t lim = n < 8192 ? n : 8192, i, k;

	for (i = 1; i + 6 <= lim; i++) {
		if (s[i] != '<')
			continue;
		for (k = 0; k < sizeof(roots) / sizeof(roots[0]); k++)
			if (lim - i >= strlen(roots[k]) &&
			    !strncmp(s + i, roots[k], strlen(roots[k])))
				break;
		if (k == sizeof(roots) / sizeof(roots[0]))
			continue;
		if (k < 5)
			return 0;
		return (s[i + 5] == ' ' || s[i + 5] == '\t' ||
			s[i + 5] == '\r' || s[i + 5] == '\n') ? i : 0;
	}
	return 0;
}

/* Decode data to UTF-8, repair it and parse it as XML into p->doc. */
void
feed_xml_parse(struct fp *p, const char *data, size_t len,
	       const char *content_type)
{
	struct buf dec = BUF_INIT, fix = BUF_INIT, nonul = BUF_INIT;
	const char *s;
	size_t n;
	char enc[40], *why = NULL;
	int rc, fixed, decl, cdata;
	size_t skip;

	rc = feed_enc_decode(data, len, content_type, &dec, &s, &n, enc, &why);
	if (rc < 0) {
		free(why);
		fp_fail(p, rc, "out of memory");
		goto done;
	}
	p->doc->encoding = fp_strdup(p, enc);
	if (why) {
		fp_bozo(p, why);
		free(why);
	}
	skip = lead_before_decl(s, n);
	if (skip) {
		/* Blank lines before "<?xml" (common: a template's newline)
		 * would make the declaration an error; they carry nothing. */
		fp_bozo(p, "whitespace before the XML declaration ignored");
		s += skip;
		n -= skip;
	} else if (!(n >= 5 && !memcmp(s, "<?xml", 5)) &&
		   (skip = junk_before_decl(s, n)) > 0) {
		fp_bozo(p, "text before the XML declaration ignored");
		s += skip;
		n -= skip;
	}
	if (memchr(s, '\0', n)) {
		/* libxml2 ends the document at a NUL: one stray byte lost
		 * every item after it. Dropped (s may point into dec). */
		if (buf_append_no_nuls(&nonul, s, n) < 0) {
			fp_fail(p, -ENOMEM, "out of memory");
			goto done;
		}
		fp_bozo(p, "NUL bytes removed");
		s = nonul.data;
		n = nonul.len;
	}
	rc = feed_enc_repair(s, n, &fix, &fixed, &decl, &cdata);
	if (rc < 0) {
		fp_fail(p, rc, "out of memory");
		goto done;
	}
	if (decl) {
		fp_fail(p, -EPERM, "the document declares entities (refused)");
		goto done;
	}
	if (cdata)
		fp_bozo(p, "unterminated CDATA section");
	if (fixed & 2)
		fp_bozo(p, "undefined entity or unescaped '&' repaired");
	if (fixed & 4)
		fp_bozo(p, "'<' that starts no markup escaped");
	if (fixed & 8)
		fp_bozo(p, "end tag that closes no open element dropped");
	if (fixed & 64)
		fp_bozo(p, "HTML element left open (<br>, <img>) closed");
	if (fixed & 128)
		fp_bozo(p, "end tags of elements left open inserted");
	if (fixed & 32)
		fp_bozo(p, "unquoted or valueless attributes quoted");
	if (fixed & 16)
		fp_bozo(p, "the DOCTYPE's entity declarations were read "
			   "without expansion");
	if (fixed) {
		s = fix.data;
		n = fix.len;
	}
	rc = parse_xml(p, s, n);
	if (!rc && !p->root)
		fp_fail(p, -EINVAL, "not a feed: no root element");
	if (!p->err && !p->doc->feed.language && p->lang) {
		p->doc->feed.language = p->lang;
		p->lang = NULL;
	}
	/* An Atom feed with no alternate link whose <id> is a web address:
	 * that address is its page (feedparser reads it so). */
	if (!p->err && !p->doc->feed.link && p->doc->feed.id &&
	    is_web_url(p->doc->feed.id)) {
		p->doc->feed.link = strdup(p->doc->feed.id);
		if (!p->doc->feed.link)
			fp_fail(p, -ENOMEM, "out of memory");
	}
	if (!p->err && !p->doc->feed.updated && p->feed_published) {
		p->doc->feed.updated = p->feed_published;
		p->feed_published = NULL;
	}
done:
	buf_free(&dec);
	buf_free(&fix);
	buf_free(&nonul);
}

void
feed_xml_release(struct fp *p)
{
	buf_free(&p->c.src);
	buf_free(&p->person_text);
	fp_person_free(&p->person);
	while (p->depth)
		pop(p);
	free(p->stack);
	p->stack = NULL;
	free(p->feed_published);
	free(p->root_ns);
	free(p->lang);
	free(p->about);
	p->feed_published = p->root_ns = p->lang = p->about = NULL;
	free(p->media_text);
	free(p->media_html);
	free(p->media_title);
	p->media_text = p->media_html = p->media_title = NULL;
}
