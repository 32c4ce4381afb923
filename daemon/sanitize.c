/* sanitize.c — HTML fragment to plain text and to allowlisted HTML, and
 * RFC 3986 reference resolution (see include/sanitize.h).
 *
 * One libxml2 HTML SAX pass feeds both outputs, so a fragment is parsed
 * once whatever the caller asks for. The fragment is wrapped in a <div> we
 * drop again: without a parent element libxml2 would invent <p> elements
 * around leading text.
 */
#include "sanitize.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "bytes8.h"
#include "url.h"
#include "utf8.h"

/* Elements kept in sanitized HTML (everything else: tag dropped, content
 * kept, except the DROP_CONTENT ones). Sorted for bsearch. */
static const char *const allowed_elements[] = {
	"a", "abbr", "acronym", "address", "area", "article", "aside", "b",
	"bdi", "bdo", "big", "blockquote", "br", "caption", "center", "cite",
	"code", "col", "colgroup", "dd", "del", "details", "dfn", "dir", "div",
	"dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1",
	"h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins",
	"kbd", "label", "li", "map", "mark", "menu", "ol", "p", "pre", "q",
	"s", "samp", "section", "small", "span", "strike", "strong", "sub",
	"summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
	"time", "tr", "tt", "u", "ul", "var", "wbr",
};

static const char *const allowed_attrs[] = {
	"abbr", "align", "alt", "axis", "border", "cellpadding",
	"cellspacing", "char", "charoff", "cite", "class", "clear", "color",
	"cols", "colspan", "compact", "coords", "datetime", "dir", "face",
	"headers", "height", "href", "hreflang", "hspace", "id", "ismap",
	"label", "lang", "longdesc", "name", "nohref", "noshade", "nowrap",
	"rel", "rev", "rows", "rowspan", "rules", "scope", "shape", "size",
	"span", "src", "start", "summary", "tabindex", "target", "title",
	"type", "valign", "value", "vspace", "width",
};

/* Elements whose content is dropped as well as their tags. */
static const char *const drop_content_elements[] = {
	"applet", "noembed", "script", "style", "template",
};

/* Void elements: written as <x />, and their end events ignored. */
static const char *const void_elements[] = {
	"area", "br", "col", "hr", "img", "wbr",
};

/* Elements that separate words in plain text. */
static const char *const block_elements[] = {
	"address", "article", "aside", "blockquote", "br", "caption", "dd",
	"details", "div", "dl", "dt", "figcaption", "figure", "footer",
	"form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "img",
	"li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
	"tbody", "td", "tfoot", "th", "thead", "tr", "ul",
};

static const char *const url_attrs[] = {
	"cite", "href", "longdesc", "src",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* strcasecmp() in the C locale (the program never sets another) against
 * a set's lowercase name, inline: five calls of it per element event
 * were 4% of a feed's parse. */
static int
cmp_str(const void *k, const void *e)
{
	const unsigned char *a = k, *b = *(const unsigned char *const *)e;
	int ca;

	for (;; a++, b++) {
		ca = *a >= 'A' && *a <= 'Z' ? *a + ('a' - 'A') : *a;
		if (ca != *b || !ca)
			return ca - *b;
	}
}

static int
in_set(const char *s, const char *const *set, size_t n)
{
	return bsearch(s, set, n, sizeof(*set), cmp_str) != NULL;
}

#define IN(s, set) in_set((const char *)(s), set, NELEM(set))

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* ---- plain text accumulation ------------------------------------------ */

struct textout {
	struct buf *b;
	size_t start;  /* where our output begins in b */
	int space;     /* a separator is pending */
	int err;
};

static void
text_put(struct textout *t, const char *s, size_t len)
{
	const char *end = s + len;
	char *o, *start;
	int space;

	if (t->err || len == 0)
		return;
	/* At most one separator per call is ever pending, so len + 1
	 * bytes always suffice: write in place. */
	if (buf_grow(t->b, len + 1) < 0) {
		t->err = -ENOMEM;
		return;
	}
	start = t->b->data + t->start;
	o = t->b->data + t->b->len;
	/* The pending separator in a local: t->space through a pointer would
	 * be reloaded after every byte stored (char stores alias it). */
	space = t->space;
	while (s < end) {
		/* After a character: blocks are copied as they are while
		 * they hold no control byte, no two spaces in a row and no
		 * space last (it might start a run). */
		if (!space && o > start) {
			size_t k = b8_span_folded((const unsigned char *)s,
						  (size_t)(end - s));

			memcpy(o, s, k);
			o += k;
			s += k;
			if (s >= end)
				break;
		}
		if (is_ws((unsigned char)*s)) {
			space = 1;
			s++;
			continue;
		}
		if (space && o > start)
			*o++ = ' ';
		space = 0;
		*o++ = *s++;
	}
	t->space = space;
	t->b->len = (size_t)(o - t->b->data);
	*o = '\0';
}

int
sanitize_fold(const char *s, size_t len, struct buf *out)
{
	struct textout t = {out, out->len, 0, 0};

	text_put(&t, s, len);
	return t.err;
}

int
sanitize_escape(const char *s, size_t len, struct buf *out)
{
	size_t i, from = 0;
	const char *rep;

	for (i = 0; i < len; i++) {
		unsigned char c;

		/* Most bytes need no escape: blocks of 16 or 8 while none
		 * is one of the four, then one compare per byte. */
		i += b8_span_noesc((const unsigned char *)s + i, len - i);
		if (i >= len)
			break;
		c = (unsigned char)s[i];
		if (c > '>' || (c != '&' && c != '<' && c != '>' && c != '"'))
			continue;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		default: continue;
		}
		if (buf_append(out, s + from, i - from) < 0 ||
		    buf_puts(out, rep) < 0)
			return -ENOMEM;
		from = i + 1;
	}
	return buf_append(out, s + from, len - from);
}

/* ---- the HTML pass ------------------------------------------------------ */

struct san {
	struct textout text;
	struct buf *html;
	const char *base;
	int wrapper;   /* our <div> has been seen */
	int depth;     /* open elements inside the wrapper */
	int drop;      /* depth inside a drop-content element */
	int err;
	htmlParserCtxtPtr ctxt;
};

static void
html_attr(struct san *s, const char *name, const char *value)
{
	char *abs = NULL;
	int rc = 0;

	if (!IN(name, allowed_attrs))
		return;
	if (IN(name, url_attrs)) {
		if (!url_is_safe(value))
			return;
		abs = url_resolve(s->base, value);
		if (!abs) {
			s->err = -ENOMEM;
			return;
		}
		if (!url_is_safe(abs)) {
			free(abs);
			return;
		}
		value = abs;
	}
	rc |= buf_putc(s->html, ' ');
	rc |= buf_puts(s->html, name);
	rc |= buf_puts(s->html, "=\"");
	rc |= sanitize_escape(value, strlen(value), s->html);
	rc |= buf_putc(s->html, '"');
	if (rc)
		s->err = -ENOMEM;
	free(abs);
}

/* What the allowlists say of an element name, as bits. */
enum {
	EL_KNOWN = 1, EL_DROP = 2, EL_BLOCK = 4, EL_ALLOWED = 8, EL_VOID = 16,
};

static unsigned
el_flags(const char *name)
{
	return EL_KNOWN | (IN(name, drop_content_elements) ? EL_DROP : 0) |
	       (IN(name, block_elements) ? EL_BLOCK : 0) |
	       (IN(name, allowed_elements) ? EL_ALLOWED : 0) |
	       (IN(name, void_elements) ? EL_VOID : 0);
}

static void
start_el(struct san *s, const char *name, unsigned fl,
	 const xmlChar **attrs)
{
	size_t i;

	if (s->wrapper == 0) {
		s->wrapper = 1;
		return;
	}
	s->depth++;
	if (s->drop) {
		s->drop++;
		return;
	}
	if (fl & EL_DROP) {
		s->drop = 1;
		return;
	}
	if (s->text.b && (fl & EL_BLOCK))
		s->text.space = 1;
	if (!s->html || !(fl & EL_ALLOWED))
		return;
	if (buf_putc(s->html, '<') < 0 || buf_puts(s->html, name) < 0)
		s->err = -ENOMEM;
	for (i = 0; attrs && attrs[i]; i += 2)
		html_attr(s, (const char *)attrs[i],
			  attrs[i + 1] ? (const char *)attrs[i + 1] : "");
	if (buf_puts(s->html, (fl & EL_VOID) ? " />" : ">") < 0)
		s->err = -ENOMEM;
}

static void
end_el(struct san *s, const char *name, unsigned fl)
{
	if (s->depth == 0)
		return; /* the wrapper */
	s->depth--;
	if (s->drop) {
		s->drop--;
		return;
	}
	if (s->text.b && (fl & EL_BLOCK))
		s->text.space = 1;
	if (!s->html || !(fl & EL_ALLOWED) || (fl & EL_VOID))
		return;
	if (buf_puts(s->html, "</") < 0 || buf_puts(s->html, name) < 0 ||
	    buf_putc(s->html, '>') < 0)
		s->err = -ENOMEM;
}

static void
on_start(void *ctx, const xmlChar *xname, const xmlChar **attrs)
{
	struct san *s = ctx;

	/* The wrapper and dropped content need no lookup. */
	start_el(s, (const char *)xname, s->wrapper && !s->drop ?
		 el_flags((const char *)xname) : 0, attrs);
}

static void
on_end(void *ctx, const xmlChar *xname)
{
	struct san *s = ctx;

	end_el(s, (const char *)xname, s->depth && !s->drop ?
	       el_flags((const char *)xname) : 0);
}

static void on_chars_fixed(struct san *s, const char *ch, size_t len);

/* U+0080-U+009F as windows-1252 means them: what "&#146;" meant on the
 * pages that wrote it. */
static int
c1_fix(const char *s, size_t n, struct buf *out)
{
	size_t i, from = 0;
	unsigned cp;
	char u[4];

	for (i = 0; i + 1 < n; i++) {
		if ((unsigned char)s[i] != 0xc2)
			continue;
		cp = utf8_cp1252_c1((unsigned char)s[i + 1]);
		if (!cp)
			continue;
		if (buf_append(out, s + from, i - from) < 0 ||
		    buf_append(out, u, utf8_put(cp, u)) < 0)
			return -ENOMEM;
		from = i + 2;
		i++;
	}
	return buf_append(out, s + from, n - from);
}

static void
on_chars(void *ctx, const xmlChar *xch, int len)
{
	struct san *s = ctx;
	const char *ch = (const char *)xch;
	struct buf tmp = BUF_INIT;

	if (s->drop || len <= 0)
		return;
	if (memchr(ch, 0xc2, (size_t)len)) {
		if (c1_fix(ch, (size_t)len, &tmp) < 0) {
			s->err = -ENOMEM;
			return;
		}
		on_chars_fixed(s, tmp.data, tmp.len);
		buf_free(&tmp);
		return;
	}
	on_chars_fixed(s, ch, (size_t)len);
}

static void
on_chars_fixed(struct san *s, const char *ch, size_t len)
{
	if (s->text.b)
		text_put(&s->text, ch, len);
	if (s->html && sanitize_escape(ch, len, s->html) < 0)
		s->err = -ENOMEM;
}

/* libxml2 2.9.14 can loop forever after one of its own allocations
 * failed: stop the parse when it reports one. */
static void
on_error(void *ctx, xmlErrorPtr e)
{
	struct san *s = ctx;

	if (e && e->code == XML_ERR_NO_MEMORY) {
		s->err = -ENOMEM;
		if (s->ctxt)
			xmlStopParser(s->ctxt);
	}
}

static int
ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* A name browsers decode without its semicolon (HTML's legacy named
 * references: the Latin-1 entities, amp, lt, gt, quot and the upper-case
 * AMP, LT, GT, QUOT, COPY, REG): the name libxml2 knows into out. */
static int
legacy_entity(const char *name, size_t n, char out[8])
{
	static const char *const upper[] = {"AMP", "LT", "GT", "QUOT",
					    "COPY", "REG"};
	const htmlEntityDesc *e;
	size_t i;

	if (n < 2 || n > 6)
		return 0;
	memcpy(out, name, n);
	out[n] = '\0';
	for (i = 0; i < sizeof(upper) / sizeof(upper[0]); i++)
		if (!strcmp(out, upper[i])) {
			for (i = 0; i < n; i++)
				out[i] = (char)(out[i] | 0x20);
			return 1;
		}
	if (!strcmp(out, "amp") || !strcmp(out, "lt") || !strcmp(out, "gt") ||
	    !strcmp(out, "quot"))
		return 1;
	e = htmlEntityLookup((const xmlChar *)out);
	return e && e->value >= 160 && e->value <= 255;
}

/* Append html to doc with the semicolon that legacy named references
 * lack ("&quotHi", "&copy 2024", "&eacutee") added, as a browser reads
 * them (HTML's named character reference state): the longest legacy
 * name that starts the run of letters and digits, unless the whole run
 * is an entity ended by ';'; in an attribute value not when a letter,
 * digit or '=' follows ("?a=1&copy=2" is a query). libxml2's HTML parser
 * keeps them as text. 0 or -ENOMEM. */
static int
append_legacy_refs(struct buf *doc, const char *html, size_t len)
{
	const char *p = html, *end = html + len, *from = html, *q;
	char name[40], known[8];
	int in_tag = 0, quote = 0;
	size_t n, k;

	if (!memchr(html, '&', len))
		return buf_append(doc, html, len);
	for (; p < end; p++) {
		if (in_tag) {
			if (quote && *p == quote)
				quote = 0;
			else if (!quote && (*p == '"' || *p == '\''))
				quote = *p;
			else if (!quote && *p == '>')
				in_tag = 0;
			if (*p != '&')
				continue;
		} else if (*p == '<') {
			if (p + 1 < end && (((p[1] | 0x20) >= 'a' &&
					     (p[1] | 0x20) <= 'z') ||
					    p[1] == '/'))
				in_tag = 1, quote = 0;
			continue;
		}
		if (*p != '&')
			continue;
		for (q = p + 1, n = 0; q < end && ascii_alnum((unsigned char)*q)
		     && n < sizeof(name) - 1; q++)
			name[n++] = *q;
		name[n] = '\0';
		if (n < 2)
			continue;
		if (q < end && *q == ';' && htmlEntityLookup((const xmlChar *)
							     name))
			continue;
		for (k = n < 6 ? n : 6; k >= 2; k--)
			if (legacy_entity(name, k, known))
				break;
		if (k < 2)
			continue;
		q = p + 1 + k;
		if (q < end && *q == ';')
			continue;
		if (in_tag && q < end && (ascii_alnum((unsigned char)*q) ||
					  *q == '='))
			continue;
		if (buf_append(doc, from, (size_t)(p - from)) < 0 ||
		    buf_putc(doc, '&') < 0 || buf_puts(doc, known) < 0 ||
		    buf_putc(doc, ';') < 0)
			return -ENOMEM;
		from = q;
		p = q - 1;
	}
	return buf_append(doc, from, (size_t)(end - from));
}

int
sanitize_html_libxml(const char *html, size_t len, const char *base_url,
		     struct buf *text, struct buf *html_out)
{
	struct san s;
	xmlSAXHandler sax, *oldsax;
	htmlParserCtxtPtr ctxt;
	static const char open[] = "<div>", close[] = "</div>";
	struct buf doc = BUF_INIT;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	s.text.b = text;
	s.text.start = text ? text->len : 0;
	s.html = html_out;
	s.base = base_url;
	if (len == 0)
		return 0;
	/* No markup and no references: the text is the text. */
	if (!memchr(html, '<', len) && !memchr(html, '&', len)) {
		struct buf tmp = BUF_INIT;
		const char *src = html;
		size_t n = len;

		if (memchr(html, 0xc2, len)) {
			if (c1_fix(html, len, &tmp) < 0)
				return -ENOMEM;
			src = tmp.data;
			n = tmp.len;
		}
		if (text)
			text_put(&s.text, src, n);
		if (html_out && sanitize_escape(src, n, html_out) < 0)
			rc = -ENOMEM;
		buf_free(&tmp);
		return rc ? rc : s.text.err;
	}
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElement = on_start;
	sax.endElement = on_end;
	sax.characters = on_chars;
	sax.ignorableWhitespace = on_chars;
	sax.serror = on_error;
	/* script/style text arrives as cdataBlock: ignored on purpose. */
	/* One parse over memory, not libxml2's push parser: 2.9.14's push
	 * parser leaks when htmlCreatePushParserCtxt runs out of memory and
	 * can loop forever in htmlParseChunk after a failed allocation. */
	if (len > INT_MAX - sizeof(open) - sizeof(close))
		return -ENOMEM; /* libxml2 takes an int length */
	if (buf_grow(&doc, sizeof(open) + len + sizeof(close)) < 0 ||
	    buf_append(&doc, open, sizeof(open) - 1) < 0 ||
	    append_legacy_refs(&doc, html, len) < 0 ||
	    buf_append(&doc, close, sizeof(close) - 1) < 0) {
		buf_free(&doc);
		return -ENOMEM;
	}
	ctxt = htmlCreateMemoryParserCtxt(doc.data, (int)doc.len);
	if (!ctxt) {
		buf_free(&doc);
		return -ENOMEM;
	}
	/* Our handler for the parse (as htmlSAXParseDoc does it). */
	oldsax = ctxt->sax;
	ctxt->sax = &sax;
	ctxt->userData = &s;
	s.ctxt = ctxt;
	htmlCtxtUseOptions(ctxt, HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
				 HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED |
				 HTML_PARSE_COMPACT);
	xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
	htmlParseDocument(ctxt);
	ctxt->sax = oldsax;
	ctxt->userData = NULL;
	if (ctxt->myDoc) {
		xmlFreeDoc(ctxt->myDoc);
		ctxt->myDoc = NULL;
	}
	htmlFreeParserCtxt(ctxt);
	buf_free(&doc);
	rc = s.err ? s.err : s.text.err;
	return rc;
}

/* ---- the fast path ------------------------------------------------------
 *
 * Most feed bodies are simple, well-formed HTML: a few paragraphs, links,
 * emphasis, lists, the common entities. For those, a strict hand-written
 * tokenizer produces the same events libxml2 would (same names, same
 * attributes, same character data) and feeds them to the same handlers,
 * at a fraction of the cost of setting up an HTML parser per field.
 *
 * It declines (and the caller falls back to libxml2) on anything whose
 * treatment by libxml2 is not a plain start/end/characters sequence:
 * elements outside its table, nestings that make libxml2 close or open
 * elements implicitly, stray or missing end tags, comments, doctype,
 * processing instructions, unquoted or valueless or repeated attributes,
 * unknown or unterminated entities, control characters, carriage returns
 * and invalid UTF-8.
 *
 * What it buys: feed_parse() plus the JSON dump of bench/corpus.py's
 * feeds (30 feeds of 300 items, 9.1 MB, escaped-HTML bodies) takes 1,097M
 * instructions with it and 1,591M with libxml2 for every field (callgrind,
 * 2026-12-06): a third of the parse. Kept honest by the differential
 * tests: test_sanitize.c's fast-path cases and tests/fuzz/fuzz_sanitize.c
 * require both paths to give the same bytes wherever this one accepts. */

enum fast_kind {
	FK_INLINE, /* phrasing content only */
	FK_VOID,   /* no content, no end tag (may be written <x/>) */
	FK_PARA,   /* block holding phrasing content only */
	FK_FLOW,   /* block holding blocks or phrasing content */
	FK_LIST,   /* ul, ol: li only */
	FK_LI,
	FK_HR,     /* void, but a block */
};

struct fast_el {
	const char *name;
	unsigned char kind;
};

/* Sorted for bsearch. */
static const struct fast_el fast_elements[] = {
	{"a", FK_INLINE}, {"abbr", FK_INLINE}, {"article", FK_FLOW},
	{"aside", FK_FLOW}, {"b", FK_INLINE}, {"big", FK_INLINE},
	{"blockquote", FK_FLOW}, {"br", FK_VOID}, {"cite", FK_INLINE},
	{"code", FK_INLINE}, {"dfn", FK_INLINE}, {"div", FK_FLOW},
	{"em", FK_INLINE}, {"figcaption", FK_FLOW}, {"figure", FK_FLOW},
	{"font", FK_INLINE}, {"footer", FK_FLOW}, {"h1", FK_PARA},
	{"h2", FK_PARA}, {"h3", FK_PARA}, {"h4", FK_PARA}, {"h5", FK_PARA},
	{"h6", FK_PARA}, {"header", FK_FLOW}, {"hr", FK_HR},
	{"i", FK_INLINE}, {"img", FK_VOID}, {"kbd", FK_INLINE},
	{"li", FK_LI}, {"mark", FK_INLINE}, {"ol", FK_LIST},
	{"p", FK_PARA}, {"q", FK_INLINE}, {"s", FK_INLINE},
	{"samp", FK_INLINE}, {"section", FK_FLOW}, {"small", FK_INLINE},
	{"span", FK_INLINE}, {"strike", FK_INLINE}, {"strong", FK_INLINE},
	{"sub", FK_INLINE}, {"sup", FK_INLINE}, {"time", FK_INLINE},
	{"tt", FK_INLINE}, {"u", FK_INLINE}, {"ul", FK_LIST},
	{"var", FK_INLINE}, {"wbr", FK_VOID},
};

struct fast_ent {
	const char *name;
	const char *utf8;
};

/* Sorted for bsearch; the values are libxml2's (HTML 4 entities). */
static const struct fast_ent fast_entities[] = {
	{"amp", "&"}, {"apos", "'"}, {"bull", "\xe2\x80\xa2"},
	{"copy", "\xc2\xa9"}, {"euro", "\xe2\x82\xac"}, {"gt", ">"},
	{"hellip", "\xe2\x80\xa6"}, {"laquo", "\xc2\xab"},
	{"ldquo", "\xe2\x80\x9c"}, {"lsquo", "\xe2\x80\x98"}, {"lt", "<"},
	{"mdash", "\xe2\x80\x94"}, {"middot", "\xc2\xb7"},
	{"nbsp", "\xc2\xa0"}, {"ndash", "\xe2\x80\x93"}, {"quot", "\""},
	{"raquo", "\xc2\xbb"}, {"rdquo", "\xe2\x80\x9d"},
	{"reg", "\xc2\xae"}, {"rsquo", "\xe2\x80\x99"},
	{"trade", "\xe2\x84\xa2"},
};

#define FAST_MAX_DEPTH 32
#define FAST_MAX_ATTRS 16
#define FAST_MAX_NAME 16

struct fast {
	struct san *s;
	const char *p, *end;
	struct buf scratch; /* attribute names and values, NUL-separated */
	unsigned char stack[FAST_MAX_DEPTH]; /* fast_elements indexes */
	int depth;
	int in_a; /* an <a> is open: libxml2 closes it at the next <a> */
	/* el_flags() of each element met, 0 until then: a fragment meets
	 * few names, many times. */
	unsigned char fl[NELEM(fast_elements)];
};

static unsigned
fast_flags(struct fast *f, const struct fast_el *el)
{
	unsigned char *m = &f->fl[el - fast_elements];

	if (!*m)
		*m = (unsigned char)el_flags(el->name);
	return *m;
}

static int
cmp_fast_el(const void *k, const void *e)
{
	return strcmp(k, ((const struct fast_el *)e)->name);
}

static int
cmp_fast_ent(const void *k, const void *e)
{
	return strcmp(k, ((const struct fast_ent *)e)->name);
}

static int
is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int
is_alnum(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* Length of the valid UTF-8 sequence at p that libxml2 takes as a
 * character (no U+FFFE/U+FFFF either), or 0. */
static size_t
fast_utf8(const unsigned char *p, const unsigned char *end)
{
	size_t n = utf8_seq_len(p, (size_t)(end - p));

	if (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
		return 0;
	return n;
}

/* Decode the reference at p ('&'): its UTF-8 into u (4 bytes), its length
 * into *ulen; returns the bytes consumed, 0 to decline. */
static size_t
fast_entity(const char *p, const char *end, char *u, size_t *ulen)
{
	const char *q = p + 1, *start;
	const struct fast_ent *e;
	unsigned long cp = 0;
	char name[8];
	size_t n = 0;
	int hex = 0;

	if (q < end && *q == '#') {
		q++;
		if (q < end && (*q | 0x20) == 'x')
			hex = 1, q++;
		for (start = q; q < end && q - start < 7; q++) {
			unsigned char c = (unsigned char)*q;

			if (c >= '0' && c <= '9')
				cp = cp * (hex ? 16 : 10) + (c - '0');
			else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				cp = cp * 16 + ((c | 0x20) - 'a' + 10);
			else
				break;
		}
		if (q == start || q >= end || *q != ';')
			return 0;
		if (!(cp == '\t' || cp == '\n' ||
		      (cp >= 0x20 && cp <= 0xd7ff) ||
		      (cp >= 0xe000 && cp <= 0xfffd) ||
		      (cp >= 0x10000 && cp <= 0x10ffff)))
			return 0;
		*ulen = utf8_put(cp, u);
		return (size_t)(q + 1 - p);
	}
	while (q < end && n < sizeof(name) - 1 && is_alnum((unsigned char)*q))
		name[n++] = *q++;
	if (n == 0 || q >= end || *q != ';')
		return 0;
	name[n] = '\0';
	e = bsearch(name, fast_entities, NELEM(fast_entities),
		    sizeof(*fast_entities), cmp_fast_ent);
	if (!e)
		return 0;
	*ulen = strlen(e->utf8);
	memcpy(u, e->utf8, *ulen);
	return (size_t)(q + 1 - p);
}

static const char *
fast_skip_ws(const char *q, const char *end)
{
	while (q < end && (*q == ' ' || *q == '\t' || *q == '\n'))
		q++;
	return q;
}

/* Read a tag or attribute name at *qp, lowercased into name[FAST_MAX_NAME]
 * (tag names: letters and digits; attribute names: also '-').
 * Returns its length, 0 to decline. */
static size_t
fast_name(const char **qp, const char *end, char *name, int attr)
{
	const char *q = *qp;
	size_t n = 0;

	if (q >= end || !is_alpha((unsigned char)*q))
		return 0;
	while (q < end && (is_alnum((unsigned char)*q) ||
			   (attr && *q == '-'))) {
		if (n == FAST_MAX_NAME - 1)
			return 0;
		name[n++] = (char)(*q | (is_alpha((unsigned char)*q) ?
					 0x20 : 0));
		q++;
	}
	name[n] = '\0';
	*qp = q;
	return n;
}

/* Whether an element of kind child may open inside parent (-1: the
 * fragment's top level) without libxml2 closing or opening anything. */
static int
fast_nests(int parent, int child)
{
	if (parent == FK_LIST)
		return child == FK_LI;
	if (child == FK_LI)
		return 0;
	if (parent == FK_PARA || parent == FK_INLINE)
		return child == FK_INLINE || child == FK_VOID;
	return 1;
}

/* Append an attribute value (quoted at *qp) to the scratch buffer with its
 * references decoded. Returns 1 done, 0 to decline, -ENOMEM. */
static int
fast_value(struct fast *f, const char **qp)
{
	const char *q = *qp, *end = f->end, *run;
	char quote, u[4];
	size_t n, ulen;

	if (q >= end || (*q != '"' && *q != '\''))
		return 0;
	quote = *q++;
	for (;;) {
		run = q;
		while (q < end && *q != quote && *q != '&' &&
		       (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80)
			q++;
		if (buf_append(&f->scratch, run, (size_t)(q - run)) < 0)
			return -ENOMEM;
		if (q >= end)
			return 0;
		if (*q == quote)
			break;
		if (*q == '&') {
			n = fast_entity(q, end, u, &ulen);
			if (!n)
				return 0;
			if (buf_append(&f->scratch, u, ulen) < 0)
				return -ENOMEM;
			q += n;
		} else if ((unsigned char)*q >= 0x80) {
			n = fast_utf8((const unsigned char *)q,
				      (const unsigned char *)end);
			if (!n)
				return 0;
			if (buf_append(&f->scratch, q, n) < 0)
				return -ENOMEM;
			q += n;
		} else {
			return 0; /* control character */
		}
	}
	if (buf_putc(&f->scratch, '\0') < 0)
		return -ENOMEM;
	*qp = q + 1;
	return 1;
}

/* A start tag at f->p ('<' and a letter). Returns 1 done, 0 to decline,
 * -ENOMEM. */
static int
fast_start(struct fast *f)
{
	const char *q = f->p + 1, *end = f->end;
	const xmlChar *av[2 * FAST_MAX_ATTRS + 1];
	size_t off[2 * FAST_MAX_ATTRS];
	char name[FAST_MAX_NAME], an[FAST_MAX_NAME];
	const struct fast_el *el;
	int parent, kind, na = 0, i, rc;

	if (!fast_name(&q, end, name, 0))
		return 0;
	el = bsearch(name, fast_elements, NELEM(fast_elements),
		     sizeof(*fast_elements), cmp_fast_el);
	if (!el)
		return 0;
	kind = el->kind;
	parent = f->depth ? fast_elements[f->stack[f->depth - 1]].kind : -1;
	if (!fast_nests(parent, kind) || (f->in_a && !strcmp(name, "a")))
		return 0;
	buf_reset(&f->scratch);
	for (;;) {
		const char *ws = q;

		q = fast_skip_ws(q, end);
		if (q >= end)
			return 0;
		if (*q == '>') {
			q++;
			break;
		}
		if (*q == '/') {
			if (q + 1 >= end || q[1] != '>' ||
			    (kind != FK_VOID && kind != FK_HR))
				return 0;
			q += 2;
			break;
		}
		if (q == ws || na == FAST_MAX_ATTRS ||
		    !fast_name(&q, end, an, 1))
			return 0;
		for (i = 0; i < na; i++)
			if (!strcmp(f->scratch.data + off[2 * i], an))
				return 0;
		q = fast_skip_ws(q, end);
		if (q >= end || *q != '=')
			return 0;
		q = fast_skip_ws(q + 1, end);
		off[2 * na] = f->scratch.len;
		if (buf_append(&f->scratch, an, strlen(an) + 1) < 0)
			return -ENOMEM;
		off[2 * na + 1] = f->scratch.len;
		rc = fast_value(f, &q);
		if (rc <= 0)
			return rc;
		na++;
	}
	for (i = 0; i < 2 * na; i++)
		av[i] = (const xmlChar *)(f->scratch.data + off[i]);
	av[2 * na] = NULL;
	start_el(f->s, el->name, fast_flags(f, el), na ? av : NULL);
	if (kind == FK_VOID || kind == FK_HR) {
		end_el(f->s, el->name, fast_flags(f, el));
	} else {
		if (f->depth == FAST_MAX_DEPTH)
			return 0;
		f->stack[f->depth++] = (unsigned char)(el - fast_elements);
		if (!strcmp(name, "a"))
			f->in_a = 1;
	}
	f->p = q;
	return 1;
}

/* An end tag at f->p ("</"). Returns 1 done, 0 to decline. */
static int
fast_end(struct fast *f)
{
	const char *q = f->p + 2, *end = f->end;
	const struct fast_el *el;
	char name[FAST_MAX_NAME];

	if (!f->depth || !fast_name(&q, end, name, 0))
		return 0;
	el = &fast_elements[f->stack[f->depth - 1]];
	if (strcmp(name, el->name))
		return 0;
	q = fast_skip_ws(q, end);
	if (q >= end || *q != '>')
		return 0;
	f->depth--;
	if (!strcmp(name, "a"))
		f->in_a = 0;
	end_el(f->s, el->name, fast_flags(f, el));
	f->p = q + 1;
	return 1;
}

/* Character data up to the next '<' or '&'. Returns 1, or 0 to decline. */
static int
fast_text(struct fast *f)
{
	const unsigned char *p = (const unsigned char *)f->p;
	const unsigned char *end = (const unsigned char *)f->end, *run = p;
	int blank = 1;
	size_t n;

	while (p < end && *p != '<' && *p != '&') {
		/* Printable ASCII but '<' and '&', in blocks. */
		p += b8_span_text(p, (size_t)(end - p), &blank);
		if (p >= end || *p == '<' || *p == '&')
			break;
		if (*p >= 0x80) {
			n = fast_utf8(p, end);
			if (!n)
				return 0;
			p += n;
			blank = 0;
			continue;
		}
		if (*p < 0x20 && *p != '\t' && *p != '\n')
			return 0;
		if (*p != ' ' && *p != '\t' && *p != '\n')
			blank = 0;
		p++;
	}
	if (!blank && f->depth &&
	    fast_elements[f->stack[f->depth - 1]].kind == FK_LIST)
		return 0;
	on_chars(f->s, run, (int)(p - run));
	f->p = (const char *)p;
	return 1;
}

int
sanitize_html_fast(const char *html, size_t len, const char *base_url,
		   struct buf *text, struct buf *html_out)
{
	struct san s;
	struct fast f;
	size_t text_len = text ? text->len : 0;
	size_t html_len = html_out ? html_out->len : 0;
	char u[4];
	size_t n, ulen;
	int rc = 1;

	if (len > INT_MAX)
		return SANITIZE_DECLINED;
	memset(&s, 0, sizeof(s));
	s.text.b = text;
	s.text.start = text_len;
	s.html = html_out;
	s.base = base_url;
	s.wrapper = 1;
	memset(&f, 0, sizeof(f));
	f.s = &s;
	f.p = html;
	f.end = html + len;
	while (rc > 0 && f.p < f.end && !s.err && !s.text.err) {
		if (*f.p == '&') {
			n = fast_entity(f.p, f.end, u, &ulen);
			if (!n) {
				rc = 0;
				break;
			}
			on_chars(&s, (const xmlChar *)u, (int)ulen);
			f.p += n;
		} else if (*f.p != '<') {
			rc = fast_text(&f);
		} else if (f.p + 1 < f.end && f.p[1] == '/') {
			rc = fast_end(&f);
		} else if (f.p + 1 < f.end &&
			   is_alpha((unsigned char)f.p[1])) {
			rc = fast_start(&f);
		} else {
			rc = 0;
		}
	}
	buf_free(&f.scratch);
	if (rc > 0 && f.depth)
		rc = 0;
	if (rc < 0 || s.err || s.text.err)
		return -ENOMEM;
	if (rc == 0) {
		if (text && text->data) {
			text->len = text_len;
			text->data[text_len] = '\0';
		}
		if (html_out && html_out->data) {
			html_out->len = html_len;
			html_out->data[html_len] = '\0';
		}
		return SANITIZE_DECLINED;
	}
	return 0;
}


int
sanitize_html(const char *html, size_t len, const char *base_url,
	      struct buf *text, struct buf *html_out)
{
	int rc = sanitize_html_fast(html, len, base_url, text, html_out);

	if (rc != SANITIZE_DECLINED)
		return rc;
	return sanitize_html_libxml(html, len, base_url, text, html_out);
}

static void
libxml_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

void
sanitize_libxml_init(void)
{
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, libxml_quiet);
}
