/* opml.c — OPML feed lists in and out (see include/opml.h).
 *
 * The parser is a libxml2 SAX run over the bytes: no tree is built, so
 * memory follows the feeds found, not the document's size. Outlines carry
 * everything in attributes, so only element starts and ends matter.
 */
#include "opml.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>

/* Outline nesting we follow; libxml2 itself stops at 256 levels. */
#define OPML_MAX_DEPTH 256

/* A small open-addressing table of strings (copies), for names (keyed
 * without regard to case, with the next suffix to try) and URLs. */
struct hent {
	char *key;
	unsigned next;
};

struct hset {
	struct hent *v;
	size_t cap, n;
	int fold;
};

static uint64_t
hs_hash(const struct hset *h, const char *s)
{
	uint64_t x = 1469598103934665603u;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (h->fold && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		x = (x ^ c) * 1099511628211u;
	}
	return x;
}

static struct hent *
hs_find(const struct hset *h, const char *key)
{
	size_t i;

	if (!h->cap)
		return NULL;
	for (i = hs_hash(h, key) & (h->cap - 1); h->v[i].key;
	     i = (i + 1) & (h->cap - 1))
		if ((h->fold ? strcasecmp : strcmp)(h->v[i].key, key) == 0)
			return &h->v[i];
	return NULL;
}

/* Add key (copied) unless present. 0 or -ENOMEM. */
static int
hs_add(struct hset *h, const char *key, unsigned next)
{
	size_t i;

	if (hs_find(h, key))
		return 0;
	if ((h->n + 1) * 2 > h->cap) {
		struct hset g = {NULL, h->cap ? h->cap * 2 : 64, 0, h->fold};

		g.v = calloc(g.cap, sizeof(*g.v));
		if (!g.v)
			return -ENOMEM;
		for (i = 0; i < h->cap; i++) {
			size_t j;

			if (!h->v[i].key)
				continue;
			for (j = hs_hash(&g, h->v[i].key) & (g.cap - 1);
			     g.v[j].key; j = (j + 1) & (g.cap - 1))
				;
			g.v[j] = h->v[i];
			g.n++;
		}
		free(h->v);
		*h = g;
	}
	for (i = hs_hash(h, key) & (h->cap - 1); h->v[i].key;
	     i = (i + 1) & (h->cap - 1))
		;
	h->v[i].key = strdup(key);
	if (!h->v[i].key)
		return -ENOMEM;
	h->v[i].next = next;
	h->n++;
	return 0;
}

static void
hs_free(struct hset *h)
{
	size_t i;

	for (i = 0; i < h->cap; i++)
		free(h->v[i].key);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

struct op {
	xmlParserCtxtPtr ctxt;
	const struct opml_opts *opts;
	struct opml_list *out;
	size_t cap;
	int err;
	struct buf errmsg;
	int depth;          /* open elements */
	int seen_root;
	struct buf cat;     /* category path of the open outlines */
	size_t catlen[OPML_MAX_DEPTH + 1]; /* cat.len before each level */
	/* Per level: an outline without xmlUrl (1), which had children (2):
	 * one that ends without any was a note, not a category. */
	unsigned char kind[OPML_MAX_DEPTH + 1];
	struct hset names;  /* taken and given names, folded */
	struct hset urls;   /* URLs given */
	struct hset known;  /* opts->known_urls */
};

static void
op_fail(struct op *p, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
op_fail(struct op *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->err)
		return;
	p->err = err;
	buf_reset(&p->errmsg);
	va_start(ap, fmt);
	buf_vprintf(&p->errmsg, fmt, ap);
	va_end(ap);
	if (p->ctxt)
		xmlStopParser(p->ctxt);
}

static int
op_line(struct op *p)
{
	return p->ctxt ? xmlSAX2GetLineNumber(p->ctxt) : 0;
}

int
opml_valid_name(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      *s == '.'))
			return 0;
	return n > 0 && n <= OPML_NAME_MAX;
}

/* An attribute value as a string. With entity substitution off, libxml2
 * hands "&" (from &amp; or &#38;) on as "&#38;" for a later pass that
 * SAX users must do themselves; no other reference can remain, since
 * entity declarations are refused. Whitespace is trimmed. NULL: ENOMEM. */
static char *
attr_dup(const xmlChar *v, const xmlChar *end)
{
	const char *s = (const char *)v, *e = (const char *)end;
	char *out, *o;

	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
			 e[-1] == '\r'))
		e--;
	out = o = malloc((size_t)(e - s) + 1);
	if (!out)
		return NULL;
	while (s < e) {
		if (e - s >= 5 && memcmp(s, "&#38;", 5) == 0) {
			*o++ = '&';
			s += 5;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* ASCII letters for the Latin-1 supplement (U+00C0..U+00FF), so a
 * French or German title keeps its words in the slug; '-' for the rest. */
static const char latin1[] =
	"AAAAAAACEEEEIIII" "DNOOOOO-OUUUUYTs"
	"aaaaaaaceeeeiiii" "dnooooo-ouuuuyty";

/* Append a lower-case slug of s to b (at most max bytes): letters and
 * digits kept, Latin-1 letters folded to ASCII, every other run becomes
 * one '-'; no leading or trailing '-'. */
static int
slugify(struct buf *b, const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	int dash = 0;

	while (*u && b->len < max) {
		char c = 0;

		if ((*u >= 'a' && *u <= 'z') || (*u >= '0' && *u <= '9') ||
		    *u == '_' || *u == '.') {
			c = (char)*u;
		} else if (*u >= 'A' && *u <= 'Z') {
			c = (char)(*u - 'A' + 'a');
		} else if (*u == 0xc3 && u[1] >= 0x80 && u[1] <= 0xbf) {
			c = latin1[u[1] - 0x80];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			u++;
		}
		u++;
		if (c == '-' || !c) {
			dash = b->len > 0;
			continue;
		}
		if (dash && b->len + 2 > max)
			break;
		if (dash && buf_putc(b, '-') < 0)
			return -ENOMEM;
		dash = 0;
		if (buf_putc(b, c) < 0)
			return -ENOMEM;
	}
	/* Cut inside a word: end at the previous word instead. */
	if (b->len >= max && *u && (isalnum(*u) || *u >= 0x80)) {
		char *d = memrchr(b->data, '-', b->len);

		if (d && d > b->data) {
			b->len = (size_t)(d - b->data);
			b->data[b->len] = '\0';
		}
	}
	while (b->len && (b->data[b->len - 1] == '.' ||
			  b->data[b->len - 1] == '_'))
		b->data[--b->len] = '\0';
	return 0;
}

/* The host of an http(s) URL without "www." (a name of last resort). */
static int
host_slug(struct buf *b, const char *url, size_t max)
{
	const char *h = strstr(url, "://"), *e;
	char host[256];
	size_t n;

	if (!h)
		return 0;
	h += 3;
	e = h + strcspn(h, "/?#:");
	if (memchr(h, '@', (size_t)(e - h)))
		h = (const char *)memchr(h, '@', (size_t)(e - h)) + 1;
	if ((size_t)(e - h) > 4 && strncasecmp(h, "www.", 4) == 0)
		h += 4;
	n = (size_t)(e - h) < sizeof(host) ? (size_t)(e - h) : sizeof(host) - 1;
	memcpy(host, h, n);
	host[n] = '\0';
	return slugify(b, host, max);
}

/* A unique name for a feed titled title (may be NULL) at url. */
static char *
make_name(struct op *p, const char *title, const char *url)
{
	struct buf b = BUF_INIT;
	struct hent *e;
	size_t base;
	unsigned k;

	/* Room for "-NNNNN" within the 64 bytes. */
	if (title && opml_valid_name(title) && strlen(title) <= 57) {
		if (buf_puts(&b, title) < 0)
			goto nomem;
	} else {
		if (title && slugify(&b, title, 57) < 0)
			goto nomem;
		if (!b.len && host_slug(&b, url, 57) < 0)
			goto nomem;
		if (!b.len && buf_puts(&b, "feed") < 0)
			goto nomem;
	}
	base = b.len;
	/* The base remembers the next suffix to try, so n feeds with one
	 * title cost O(n), not O(n^2). */
	e = hs_find(&p->names, buf_str(&b));
	if (e) {
		for (k = e->next; ; k++) {
			b.len = base;
			b.data[base] = '\0';
			if (buf_printf(&b, "-%u", k) < 0)
				goto nomem;
			if (!hs_find(&p->names, buf_str(&b)))
				break;
		}
		e->next = k + 1;
	}
	if (hs_add(&p->names, buf_str(&b), 2) < 0)
		goto nomem;
	return buf_detach(&b);
nomem:
	buf_free(&b);
	return NULL;
}

/* Trimmed xmlUrl → a URL for the configuration: http(s) only, spaces and
 * non-ASCII bytes percent-encoded, control characters refused. */
static int
clean_url(const char *in, char **out)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)in;
	struct buf b = BUF_INIT;

	*out = NULL;
	if (strncasecmp(in, "http://", 7) != 0 &&
	    strncasecmp(in, "https://", 8) != 0)
		return -EINVAL;
	for (; *u; u++) {
		if (*u < 0x20 || *u == 0x7f) {
			buf_free(&b);
			return -EINVAL;
		}
		if (*u == ' ' || *u >= 0x80) {
			char e[3] = {'%', hex[*u >> 4], hex[*u & 15]};

			if (buf_append(&b, e, 3) < 0)
				goto nomem;
		} else if (buf_putc(&b, (char)*u) < 0) {
			goto nomem;
		}
	}
	*out = buf_detach(&b);
	return *out ? 0 : -ENOMEM;
nomem:
	buf_free(&b);
	return -ENOMEM;
}

/* A printable excerpt of s for an error message (no control chars). */
static const char *
excerpt(const char *s, char *tmp, size_t n)
{
	size_t i;

	for (i = 0; s && s[i] && i + 4 < n; i++)
		tmp[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	if (s && s[i])
		memcpy(tmp + i, "...", 3), i += 3;
	tmp[i] = '\0';
	return tmp;
}

static void
add_feed(struct op *p, char *url_raw, char *title)
{
	struct opml_feed *f;
	char *url = NULL, t1[80], t2[120];
	int r;

	if (!url_raw || !*url_raw) {
		p->out->skipped_nourl++;
		goto done;
	}
	r = clean_url(url_raw, &url);
	if (r == -ENOMEM) {
		op_fail(p, -ENOMEM, "out of memory");
		goto done;
	}
	if (r < 0) {
		op_fail(p, -EINVAL,
			"outline \"%s\" (line %d): xmlUrl \"%s\" is not an http:// or https:// address",
			excerpt(title ? title : "", t1, sizeof(t1)), op_line(p),
			excerpt(url_raw, t2, sizeof(t2)));
		goto done;
	}
	if (hs_find(&p->urls, url)) {
		p->out->skipped_dup++;
		goto done;
	}
	if (hs_find(&p->known, url)) {
		p->out->skipped_known++;
		goto done;
	}
	if (p->out->n >= OPML_MAX_FEEDS) {
		op_fail(p, -EFBIG, "more than %d feeds", OPML_MAX_FEEDS);
		goto done;
	}
	if (p->out->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;

		f = realloc(p->out->feeds, cap * sizeof(*f));
		if (!f) {
			op_fail(p, -ENOMEM, "out of memory");
			goto done;
		}
		p->out->feeds = f;
		p->cap = cap;
	}
	if (hs_add(&p->urls, url, 0) < 0) {
		op_fail(p, -ENOMEM, "out of memory");
		goto done;
	}
	f = &p->out->feeds[p->out->n];
	memset(f, 0, sizeof(*f));
	f->name = make_name(p, title && *title ? title : NULL, url);
	f->category = p->cat.len ? strdup(p->cat.data) : NULL;
	if (!f->name || (p->cat.len && !f->category)) {
		free(f->name);
		free(f->category);
		op_fail(p, -ENOMEM, "out of memory");
		goto done;
	}
	f->url = url;
	f->title = title && *title ? title : NULL;
	f->line = op_line(p);
	if (f->title)
		title = NULL;
	url = NULL;
	p->out->n++;
done:
	free(url);
	free(url_raw);
	free(title);
}

static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
	 const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
	 int nb_attributes, int nb_defaulted, const xmlChar **attrs)
{
	struct op *p = ctx;
	const xmlChar *xu = NULL, *xue = NULL, *ti = NULL, *tie = NULL,
		      *tx = NULL, *txe = NULL;
	char *url = NULL, *title = NULL;
	int i;

	(void)prefix;
	(void)uri;
	(void)nb_namespaces;
	(void)namespaces;
	(void)nb_defaulted;
	if (p->err)
		return;
	if (p->depth >= OPML_MAX_DEPTH) {
		op_fail(p, -EFBIG, "outlines nested deeper than %d levels",
			OPML_MAX_DEPTH);
		return;
	}
	p->kind[p->depth] |= 2; /* the parent has a child */
	p->catlen[++p->depth] = p->cat.len;
	p->kind[p->depth] = 0;
	if (!p->seen_root) {
		p->seen_root = 1;
		if (strcmp((const char *)localname, "opml") != 0)
			op_fail(p, -EINVAL,
				"not an OPML document (the root element is <%.40s>, not <opml>)",
				(const char *)localname);
		return;
	}
	if (strcmp((const char *)localname, "outline") != 0)
		return;
	for (i = 0; i < nb_attributes; i++) {
		const char *n = (const char *)attrs[i * 5];

		if (attrs[i * 5 + 1]) /* a namespaced attribute: not OPML's */
			continue;
		if (strcasecmp(n, "xmlUrl") == 0)
			xu = attrs[i * 5 + 3], xue = attrs[i * 5 + 4];
		else if (strcmp(n, "title") == 0)
			ti = attrs[i * 5 + 3], tie = attrs[i * 5 + 4];
		else if (strcmp(n, "text") == 0)
			tx = attrs[i * 5 + 3], txe = attrs[i * 5 + 4];
	}
	if (ti && ti == tie)
		ti = NULL; /* an empty title: try text */
	if ((ti && !(title = attr_dup(ti, tie))) ||
	    (!ti && tx && !(title = attr_dup(tx, txe))) ||
	    (xu && !(url = attr_dup(xu, xue)))) {
		free(title);
		op_fail(p, -ENOMEM, "out of memory");
		return;
	}
	if (xu) {
		add_feed(p, url, title); /* takes both */
		return;
	}
	/* A category: its title joins the path of what it contains. */
	p->kind[p->depth] = 1;
	if (title && *title &&
	    ((p->cat.len && buf_putc(&p->cat, '/') < 0) ||
	     buf_puts(&p->cat, title) < 0))
		op_fail(p, -ENOMEM, "out of memory");
	free(title);
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
       const xmlChar *uri)
{
	struct op *p = ctx;

	(void)localname;
	(void)prefix;
	(void)uri;
	if (p->depth <= 0)
		return;
	if (p->kind[p->depth] == 1)
		p->out->skipped_nourl++;
	p->cat.len = p->catlen[p->depth--];
	if (p->cat.data)
		p->cat.data[p->cat.len] = '\0';
}

static void
on_entity_decl(void *ctx, const xmlChar *name, int type,
	       const xmlChar *public_id, const xmlChar *system_id,
	       xmlChar *content)
{
	struct op *p = ctx;

	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	op_fail(p, -EINVAL,
		"line %d: the document declares an entity (\"%.40s\"); entities are not allowed in OPML here",
		op_line(p), (const char *)name);
}

static void
on_error(void *ctx, xmlErrorPtr e)
{
	struct op *p = ctx;
	char msg[160];
	size_t n;

	if (p->err || !e || e->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "error");
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	op_fail(p, -EINVAL, "not well-formed XML: line %d: %s", e->line, msg);
}

void
opml_list_free(struct opml_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->feeds[i].name);
		free(l->feeds[i].url);
		free(l->feeds[i].title);
		free(l->feeds[i].category);
	}
	free(l->feeds);
	memset(l, 0, sizeof(*l));
}

int
opml_parse(const char *data, size_t len, const struct opml_opts *opts,
	   struct opml_list *out, char **err)
{
	struct op *p;
	xmlSAXHandler sax;
	size_t i;
	int r;

	*err = NULL;
	memset(out, 0, sizeof(*out));
	if (len > OPML_MAX_BYTES) {
		*err = strdup("larger than 8 MiB; not a feed list");
		return -EFBIG;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->opts = opts;
	p->out = out;
	p->names.fold = 1;
	for (i = 0; opts && i < opts->ntaken; i++)
		if (opts->taken_names[i] &&
		    hs_add(&p->names, opts->taken_names[i], 2) < 0) {
			r = -ENOMEM;
			goto done;
		}
	for (i = 0; opts && i < opts->nknown; i++)
		if (opts->known_urls[i] &&
		    hs_add(&p->known, opts->known_urls[i], 0) < 0) {
			r = -ENOMEM;
			goto done;
		}
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.entityDecl = on_entity_decl;
	sax.serror = on_error;
	p->ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, NULL);
	if (!p->ctxt) {
		r = -ENOMEM;
		goto done;
	}
	xmlCtxtUseOptions(p->ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
					   XML_PARSE_NOWARNING);
	if (len)
		xmlParseChunk(p->ctxt, data, (int)len, 0);
	if (!p->err)
		xmlParseChunk(p->ctxt, NULL, 0, 1);
	if (!p->err && !p->ctxt->wellFormed)
		op_fail(p, -EINVAL, "not well-formed XML");
	if (!p->err && !p->seen_root)
		op_fail(p, -EINVAL, "empty document; not OPML");
	/* libxml2 hangs a DTD on a document of its own even in SAX mode. */
	if (p->ctxt->myDoc) {
		xmlFreeDoc(p->ctxt->myDoc);
		p->ctxt->myDoc = NULL;
	}
	xmlFreeParserCtxt(p->ctxt);
	p->ctxt = NULL;
	r = p->err;
done:
	if (r < 0) {
		opml_list_free(out);
		*err = p->errmsg.len ? buf_detach(&p->errmsg)
				     : strdup(strerror(-r));
	}
	buf_free(&p->errmsg);
	buf_free(&p->cat);
	hs_free(&p->names);
	hs_free(&p->urls);
	hs_free(&p->known);
	free(p);
	return r;
}

/* ---- writing -------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left) that XML 1.0
 * allows, or 0. */
static size_t
xml_char_len(const unsigned char *s, size_t n)
{
	unsigned cp;
	size_t k, i;

	if (s[0] < 0x80)
		return (s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' ||
			s[0] == '\r') && s[0] != 0x7f ? 1 : 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 ||
						  cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return k;
}

/* Append s escaped for a double-quoted XML attribute. */
static int
xml_attr(struct buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), k;
	int r = 0;

	while (r == 0 && n) {
		switch (*u) {
		case '&': r = buf_puts(b, "&amp;"); k = 1; break;
		case '<': r = buf_puts(b, "&lt;"); k = 1; break;
		case '>': r = buf_puts(b, "&gt;"); k = 1; break;
		case '"': r = buf_puts(b, "&quot;"); k = 1; break;
		case '\t': r = buf_puts(b, "&#9;"); k = 1; break;
		case '\n': r = buf_puts(b, "&#10;"); k = 1; break;
		case '\r': r = buf_puts(b, "&#13;"); k = 1; break;
		default:
			k = xml_char_len(u, n);
			if (k)
				r = buf_append(b, u, k);
			else
				r = buf_puts(b, "\xef\xbf\xbd"), k = 1;
		}
		u += k;
		n -= k;
	}
	return r;
}

int
opml_write(const struct opml_feed *feeds, size_t n, const char *title,
	   struct buf *out)
{
	size_t i;
	int r;

	r = buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<opml version=\"2.0\">\n  <head>\n    <title>");
	if (r == 0 && title) {
		/* Element text: the attribute escapes are valid there too. */
		r = xml_attr(out, title);
	}
	if (r == 0)
		r = buf_puts(out, "</title>\n  </head>\n  <body>\n");
	for (i = 0; r == 0 && i < n; i++) {
		const char *name = feeds[i].name ? feeds[i].name : "";

		r = buf_puts(out, "    <outline type=\"rss\" text=\"");
		if (r == 0)
			r = xml_attr(out, name);
		if (r == 0)
			r = buf_puts(out, "\" title=\"");
		if (r == 0)
			r = xml_attr(out, name);
		if (r == 0)
			r = buf_puts(out, "\" xmlUrl=\"");
		if (r == 0)
			r = xml_attr(out, feeds[i].url ? feeds[i].url : "");
		if (r == 0)
			r = buf_puts(out, "\"/>\n");
	}
	if (r == 0)
		r = buf_puts(out, "  </body>\n</opml>\n");
	return r < 0 ? -ENOMEM : 0;
}
