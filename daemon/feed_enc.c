/* feed_enc.c — charset detection and decoding to UTF-8 for feed_parse(),
 * plus the pre-pass that repairs ampersands and HTML entities (see
 * include/feed.h, docs/feeds.md "Encodings").
 *
 * Precedence (RFC 7303 section 3): a BOM wins, then the charset parameter
 * of the HTTP Content-Type, then the XML declaration, then UTF-16/32
 * sniffed from the first bytes, then UTF-8. text/<x> types without a
 * charset report "us-ascii" when the bytes are ASCII (what RFC 3023 and
 * feedparser say; the decoded text is the same either way) and otherwise
 * fall through to the XML declaration as RFC 7303 says.
 */
#include "feed.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "buf.h"
#include "feed_int.h"
#include "utf8.h"

static int
is_ascii(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] & 0x80)
			return 0;
	return 1;
}

static void
lower_copy(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i;

	if (n >= cap)
		n = cap - 1;
	for (i = 0; i < n; i++)
		dst[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
	dst[n] = '\0';
}

/* Split "type/sub; charset=x" into lower-case media type and charset
 * (empty when absent or malformed). */
static void
parse_content_type(const char *ct, char *media, size_t mcap, char *cs,
		   size_t ccap)
{
	const char *p = ct, *e, *v;

	media[0] = cs[0] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	e = p;
	while (*e && *e != ';' && *e != ' ' && *e != '\t')
		e++;
	lower_copy(media, mcap, p, (size_t)(e - p));
	while ((p = strchr(e, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		e = p;
		while (*e && *e != '=' && *e != ';' && *e != ' ')
			e++;
		if ((size_t)(e - p) != 7 || strncasecmp(p, "charset", 7))
			continue;
		while (*e == ' ' || *e == '\t')
			e++;
		if (*e != '=')
			continue;
		v = e + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '"' || *v == '\'')
			v++;
		e = v;
		while (*e && *e != ';' && *e != '"' && *e != '\'' &&
		       *e != ' ')
			e++;
		lower_copy(cs, ccap, v, (size_t)(e - v));
	}
}

/* The encoding="..." of an XML declaration at s (ASCII-compatible view). */
static void
xml_decl_encoding(const char *s, size_t len, char *enc, size_t cap)
{
	const char *end, *p;
	char q;

	enc[0] = '\0';
	/* Real feeds put blank lines (or a second BOM) before it; the XML
	 * parser is told the same (feed_xml_parse). */
	while (len && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++, len--;
	if (len < 6 || memcmp(s, "<?xml", 5))
		return;
	end = memchr(s, '>', len);
	if (!end)
		return;
	for (p = s + 5; p + 8 < end; p++) {
		if (memcmp(p, "encoding", 8))
			continue;
		p += 8;
		while (p < end && (*p == ' ' || *p == '=' || *p == '\t'))
			p++;
		if (p >= end || (*p != '"' && *p != '\''))
			return;
		q = *p++;
		const char *v = p;
		while (p < end && *p != q)
			p++;
		lower_copy(enc, cap, v, (size_t)(p - v));
		return;
	}
}

static int
xml_media(const char *m)
{
	size_t n = strlen(m);

	if (!strcmp(m, "application/xml") || !strcmp(m, "text/xml") ||
	    !strcmp(m, "application/xml-dtd") ||
	    !strcmp(m, "application/xml-external-parsed-entity") ||
	    !strcmp(m, "text/xml-external-parsed-entity"))
		return 1;
	return n > 4 && !strcmp(m + n - 4, "+xml");
}

/* iconv-decode s as enc into out; invalid input becomes U+FFFD. Returns
 * the number of replacements, or -EINVAL (unknown charset), -ENOMEM. */
static long
iconv_decode(const char *enc, const char *s, size_t len, struct buf *out)
{
	iconv_t cd = iconv_open("UTF-8", enc);
	char *in = (char *)s, *o;
	size_t inleft = len, oleft, r;
	long bad = 0;

	if (cd == (iconv_t)-1)
		return errno == EINVAL ? -EINVAL : -ENOMEM;
	while (inleft) {
		if (buf_grow(out, inleft * 2 + 16) < 0) {
			bad = -ENOMEM;
			break;
		}
		o = out->data + out->len;
		oleft = out->cap - out->len - 1;
		r = iconv(cd, &in, &inleft, &o, &oleft);
		out->len = (size_t)(o - out->data);
		out->data[out->len] = '\0';
		if (r != (size_t)-1)
			continue;
		if (errno == E2BIG)
			continue;
		/* EILSEQ or EINVAL (truncated at the end): skip a byte. */
		if (buf_puts(out, "\xef\xbf\xbd") < 0) {
			bad = -ENOMEM;
			break;
		}
		bad++;
		in++;
		inleft--;
	}
	iconv_close(cd);
	return bad;
}

static int set_bozo(char **bozo, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
set_bozo(char **bozo, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return feed_bozo_add(bozo, tmp);
}

/* A BOM or the byte pattern of "<?" (XML 1.0 appendix F): the encoding
 * into sniff (empty when none); returns the BOM's length. */
static size_t
sniff_encoding(const unsigned char *u, size_t len, char sniff[16])
{
	static const struct {
		const char *bytes;
		size_t n, bom;
		const char *enc;
	} pats[] = {
		{"\x00\x00\xfe\xff", 4, 4, "utf-32be"},
		{"\xff\xfe\x00\x00", 4, 4, "utf-32le"},
		{"\xef\xbb\xbf", 3, 3, "utf-8"},
		{"\xfe\xff", 2, 2, "utf-16be"},
		{"\xff\xfe", 2, 2, "utf-16le"},
		{"\x00\x00\x00\x3c", 4, 0, "utf-32be"},
		{"\x3c\x00\x00\x00", 4, 0, "utf-32le"},
		{"\x00\x3c\x00\x3f", 4, 0, "utf-16be"},
		{"\x3c\x00\x3f\x00", 4, 0, "utf-16le"},
		{"\x4c\x6f\xa7\x94", 4, 0, "cp037"},
	};
	size_t i;

	sniff[0] = '\0';
	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
		if (len >= pats[i].n && !memcmp(u, pats[i].bytes, pats[i].n)) {
			strcpy(sniff, pats[i].enc);
			return pats[i].bom;
		}
	return 0;
}

/* The encoding the XML declaration names (into xenc), read through an
 * ASCII view of the head of a sniffed UTF-16/32 stream. */
static void
declared_encoding(const unsigned char *u, size_t len, size_t bom,
		  const char *sniff, char xenc[40])
{
	char head[256];
	size_t i, n;

	if (!strncmp(sniff, "utf-16", 6) || !strncmp(sniff, "utf-32", 6)) {
		size_t w = sniff[4] == '1' ? 2 : 4, lo;

		lo = strstr(sniff, "be") ? w - 1 : 0;
		for (i = bom, n = 0; i + w <= len && n < sizeof(head) - 1;
		     i += w)
			head[n++] = (char)u[i + lo];
	} else {
		n = len - bom < sizeof(head) - 1 ? len - bom : sizeof(head) - 1;
		memcpy(head, u + bom, n);
	}
	xml_decl_encoding(head, n, xenc, 40);
	if (!strcmp(xenc, "gb2312"))
		strcpy(xenc, "gb18030");
}

/* The charset to decode with, into enc (RFC 7303's precedence; see the
 * top of this file). 0 or -ENOMEM. */
static int
choose_charset(const unsigned char *u, size_t len, const char *content_type,
	       size_t bom, const char *sniff, const char *xenc, char enc[40],
	       char **bozo)
{
	char media[64] = "", hcs[40] = "";
	int text_default = 0;

	if (content_type && *content_type) {
		parse_content_type(content_type, media, sizeof(media), hcs,
				   sizeof(hcs));
		if (!xml_media(media) && set_bozo(bozo, "Content-Type %s%s "
						  "is not an XML media type",
						  media, "") < 0)
			return -ENOMEM;
		if (!hcs[0] && !strncmp(media, "text/", 5))
			text_default = 1;
	}
	if (!strcmp(hcs, "gb2312"))
		strcpy(hcs, "gb18030");

	if (bom)
		strcpy(enc, sniff);
	else if (hcs[0])
		snprintf(enc, 40, "%s", hcs);
	else if (text_default && is_ascii(u, len))
		strcpy(enc, "us-ascii");
	else if (text_default && set_bozo(bozo, "%s without charset holds "
					  "non-ASCII bytes; used the XML "
					  "declaration%s", media, "") < 0)
		return -ENOMEM;
	else if (xenc[0] && !(sniff[0] && strncmp(xenc, "utf-", 4) &&
			      strncmp(sniff, "cp", 2)))
		snprintf(enc, 40, "%s", xenc);
	else if (sniff[0])
		strcpy(enc, sniff);
	else
		strcpy(enc, "utf-8");
	/* "utf-16" with no BOM declared in a sniffed stream: be specific. */
	if ((!strcmp(enc, "utf-16") || !strcmp(enc, "utf-32")) && sniff[0])
		strcpy(enc, sniff);
	return 0;
}

/* Charsets of one byte per character: a feed labelled with one of them
 * whose bytes are all valid UTF-8, with multi-byte sequences, is UTF-8
 * mislabelled (no real Latin-1 or Cyrillic text pairs every high byte
 * into a valid sequence). */
static int
single_byte_charset(const char *enc)
{
	static const char *const prefixes[] = {
		"iso-8859", "iso8859", "iso_8859", "latin", "l1", "windows-12",
		"cp12", "koi8", "us-ascii", "ascii", "mac", "x-mac", "ibm",
		"cp437", "cp850", "cp866", "tis-620",
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(enc, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

/* Decode data (BOM removed) from enc into out. 1: data is valid UTF-8 as
 * it is, nothing copied; 0: out holds the text; -ENOMEM. enc may change
 * to the charset really used. bom: a BOM named enc (it is not second-
 * guessed). */
static int
decode(const char *data, size_t len, char enc[40], const char *xenc,
       int bom, struct buf *out, char **bozo)
{
	const unsigned char *u = (const unsigned char *)data;
	size_t vm, bad;
	long r;

	if (!bom && single_byte_charset(enc) &&
	    utf8_scan(u, len, &vm) == 0 && vm > 0) {
		/* Mislabelled UTF-8: read it as what it is. */
		if (set_bozo(bozo, "declared %s, but the bytes are valid "
			     "UTF-8; read as utf-8%s", enc, "") < 0)
			return -ENOMEM;
		strcpy(enc, "utf-8");
		return 1;
	}
	if (!strcmp(enc, "utf-8") || !strcmp(enc, "utf8") ||
	    !strcmp(enc, "us-ascii") || !strcmp(enc, "ascii")) {
		bad = utf8_scan(u, len, &vm);
		if (bad == 0)
			return 1;
		/* Invalid sequences. The text is UTF-8 with damaged bytes
		 * when valid multi-byte sequences are at least as many (or a
		 * BOM says UTF-8); otherwise it is legacy 8-bit text,
		 * almost always windows-1252, in which a valid sequence is
		 * an accident ("\xe9\xa0\xbb" is "é »"): the whole text
		 * is decoded as windows-1252, not a mix. */
		if (bom || vm >= bad) {
			if (set_bozo(bozo, "invalid %s byte sequences read "
				     "as windows-1252%s", enc, "") < 0)
				return -ENOMEM;
			return utf8_repair_cp1252(u, len, out) < 0 ?
				       -ENOMEM : 0;
		}
		if (set_bozo(bozo, "bytes are not %s; decoded as "
			     "windows-1252%s", enc, "") < 0)
			return -ENOMEM;
		strcpy(enc, "windows-1252");
		return utf8_from_cp1252(u, len, out) < 0 ? -ENOMEM : 0;
	}
	r = iconv_decode(enc, data, len, out);
	if (r == -EINVAL) {
		/* Unknown charset name: try the declaration, then UTF-8. */
		if (set_bozo(bozo, "unknown charset \"%s\"%s", enc, "") < 0)
			return -ENOMEM;
		if (xenc[0] && strcmp(xenc, enc) &&
		    (r = iconv_decode(xenc, data, len, out)) >= 0) {
			snprintf(enc, 40, "%s", xenc);
		} else if (r == -ENOMEM) {
			return -ENOMEM;
		} else {
			buf_reset(out);
			strcpy(enc, "utf-8");
			if (utf8_repair(u, len, out) < 0)
				return -ENOMEM;
			r = 0;
		}
	}
	if (r < 0)
		return (int)r;
	if (r > 0 && set_bozo(bozo, "invalid %s byte sequences replaced%s",
			      enc, "") < 0)
		return -ENOMEM;
	return 0;
}

/* Decide the charset and decode data to UTF-8 (feed_int.h): sniff, read
 * the declaration, choose, decode. */
int
feed_enc_decode(const char *data, size_t len, const char *content_type,
		struct buf *out, const char **start, size_t *outlen,
		char enc[40], char **bozo)
{
	const unsigned char *u = (const unsigned char *)data;
	char sniff[16], xenc[40];
	size_t bom;
	int r;

	bom = sniff_encoding(u, len, sniff);
	declared_encoding(u, len, bom, sniff, xenc);
	if ((r = choose_charset(u, len, content_type, bom, sniff, xenc, enc,
				bozo)) < 0)
		return r;
	r = decode(data + bom, len - bom, enc, xenc, bom != 0, out, bozo);
	if (r < 0)
		return r;
	if (r == 1) {
		*start = data + bom;
		*outlen = len - bom;
		return 0;
	}
	*start = out->data ? out->data : "";
	*outlen = out->len;
	return 0;
}

/* ---- the repair pre-pass ------------------------------------------------ */

static const char *
find(const char *s, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	while (s + n <= end) {
		const char *p = memchr(s, needle[0], (size_t)(end - s));
		if (!p || p + n > end)
			return NULL;
		if (!memcmp(p, needle, n))
			return p;
		s = p + 1;
	}
	return NULL;
}

static int
is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* Length of a well-formed reference at p ("&amp;", "&#38;", "&#x26;"),
 * or 0; for an HTML entity name, *cp gets its code point. */
static size_t
ref_len(const char *p, const char *end, unsigned *cp, int *predef)
{
	const char *q = p + 1;
	char name[40];
	size_t n;
	const htmlEntityDesc *e;

	*cp = 0;
	*predef = 0;
	if (q < end && *q == '#') {
		unsigned long v = 0;
		int upper = 0;

		q++;
		if (q < end && (*q == 'x' || *q == 'X')) {
			const char *h;

			upper = *q == 'X';
			h = ++q;
			while (q < end && ((*q >= '0' && *q <= '9') ||
					   ((*q | 0x20) >= 'a' &&
					    (*q | 0x20) <= 'f'))) {
				v = v * 16 + (unsigned long)(*q <= '9' ?
				    *q - '0' : (*q | 0x20) - 'a' + 10);
				if (v > 0x10ffff)
					v = 0x110000;
				q++;
			}
			if (q == h)
				return 0;
		} else {
			const char *d = q;
			while (q < end && *q >= '0' && *q <= '9') {
				v = v * 10 + (unsigned long)(*q - '0');
				if (v > 0x10ffff)
					v = 0x110000;
				q++;
			}
			if (q == d)
				return 0;
		}
		if (q >= end || *q != ';')
			return 0;
		/* "&#146;" means windows-1252's quote on real sites. */
		if (utf8_cp1252_c1((unsigned)v))
			*cp = utf8_cp1252_c1((unsigned)v);
		else if (upper && v > 0 && v <= 0x10ffff)
			*cp = (unsigned)v; /* XML only knows "&#x" */
		return (size_t)(q + 1 - p);
	}
	/* The predefined five first, without a copy or a lookup. */
	{
		static const struct {
			const char *ref;
			size_t n;
			unsigned cp;
		} pre[] = {
			{"&amp;", 5, '&'}, {"&lt;", 4, '<'}, {"&gt;", 4, '>'},
			{"&quot;", 6, '"'}, {"&apos;", 6, '\''},
		};
		size_t i;

		for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
			if (q < end && *q == pre[i].ref[1] &&
			    (size_t)(end - p) >= pre[i].n &&
			    !memcmp(p, pre[i].ref, pre[i].n)) {
				*cp = pre[i].cp;
				*predef = 1;
				return pre[i].n;
			}
	}
	while (q < end && is_name_char((unsigned char)*q))
		q++;
	n = (size_t)(q - p - 1);
	if (n == 0 || n >= sizeof(name) || q >= end || *q != ';')
		return 0;
	memcpy(name, p + 1, n);
	name[n] = '\0';
	e = htmlEntityLookup((const xmlChar *)name);
	if (!e)
		return 0;
	*cp = e->value;
	return n + 2;
}

/* A named reference written without its semicolon, as in "Tom &amp
 * Jerry" or "&copy 2024": one of the five XML names or a Latin-1 HTML
 * name (the ones browsers decode without ';'), followed by neither a
 * name character nor '=' (so "?a=1&copy=2" stays a query). Its length
 * and *cp, or 0. */
static size_t
legacy_ref_len(const char *p, const char *end, unsigned *cp)
{
	const char *q = p + 1;
	char name[8];
	size_t n;
	const htmlEntityDesc *e;

	while (q < end && is_name_char((unsigned char)*q))
		q++;
	n = (size_t)(q - p - 1);
	if (n < 2 || n >= sizeof(name) || q >= end || *q == ';' || *q == '=')
		return 0;
	memcpy(name, p + 1, n);
	name[n] = '\0';
	if (!strcmp(name, "apos")) {
		*cp = '\'';
		return n + 1;
	}
	e = htmlEntityLookup((const xmlChar *)name);
	if (!e || !(e->value == '&' || e->value == '<' || e->value == '>' ||
		    e->value == '"' || (e->value >= 160 && e->value <= 255)))
		return 0;
	*cp = e->value;
	return n + 1;
}

/* The entities a DOCTYPE's internal subset declares with a plain value:
 * text and character references only ("&#160;"), nothing that refers to
 * another entity, nothing external. Such a subset is dropped from the
 * document (libxml2 never sees a declaration) and each reference to one
 * of these names is replaced by its value here, within a budget: nothing
 * is expanded twice and the copy grows by at most the input's length. */
#define MAX_DECL 64
#define MAX_DECL_VALUE 512

static size_t name_len(const char *p, const char *end);

struct decls {
	const char *name[MAX_DECL], *val[MAX_DECL];
	size_t nlen[MAX_DECL], vlen[MAX_DECL];
	size_t n, budget;
};

static int
is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Read the declarations of the subset [b, e): 0 when every general
 * entity is plain (parameter entities are ignored: never fetched, never
 * used once the subset is gone), -1 for one that is external, refers to
 * another entity, or is too long or too many (refused as before). */
static int
read_decls(const char *b, const char *e, struct decls *d)
{
	const char *q = b;

	while ((q = find(q, e, "<!ENTITY")) != NULL) {
		const char *nm, *v, *ve;
		char quote;

		q += 8;
		while (q < e && is_xml_space(*q))
			q++;
		if (q < e && *q == '%')
			continue; /* a parameter entity */
		nm = q;
		q += name_len(q, e);
		if (q == nm)
			return -1;
		while (q < e && is_xml_space(*q))
			q++;
		if (q >= e || (*q != '"' && *q != '\''))
			return -1; /* SYSTEM or PUBLIC: external */
		quote = *q;
		v = q + 1;
		ve = memchr(v, quote, (size_t)(e - v));
		if (!ve || ve - v > MAX_DECL_VALUE || d->n == MAX_DECL)
			return -1;
		for (q = v; q < ve; q++)
			if (*q == '%' || *q == '<' ||
			    (*q == '&' && (q + 1 >= ve || q[1] != '#')))
				return -1;
		d->name[d->n] = nm;
		d->nlen[d->n] = name_len(nm, e);
		d->val[d->n] = v;
		d->vlen[d->n] = (size_t)(ve - v);
		d->n++;
		q = ve + 1;
	}
	return 0;
}

/* The declared entity referred to at amp ("&name;"): its index, or -1. */
static int
decl_ref(const struct decls *d, const char *amp, const char *end)
{
	size_t i, n = name_len(amp + 1, end);

	if (!d->n || !n || amp + 1 + n >= end || amp[1 + n] != ';')
		return -1;
	for (i = d->n; i-- > 0;)
		if (d->nlen[i] == n && !memcmp(d->name[i], amp + 1, n))
			return (int)i;
	return -1;
}

/* Copy s to out (only when something needs fixing: *fixed says so) with
 * bare '&' escaped and HTML entity references turned into character
 * references; comments, CDATA and PIs are left alone. Also reports a
 * DOCTYPE that declares entities and an unterminated CDATA section.
 *
 * Every '&' the parser is to see as an entity reference comes out as a
 * character reference ("&amp;" and a bare '&' as "&#38;", "&lt;" as
 * "&#60;"): after its first recoverable error libxml2 (2.9) drops every
 * named entity reference in content, predefined ones included
 * (xmlParseReference returns early once wellFormed is 0), while
 * character references are always delivered. So the meaning of the text
 * after an error never depends on the error. In attribute values both
 * forms read the same. */
/* "&#<cp>;" into tmp (at least 12 bytes): its length. */
static size_t
charref(unsigned cp, char *tmp)
{
	char d[12];
	size_t n = 0, i = 0;

	if (cp >= 10 && cp < 100) {
		/* '&', '<', '>', '"': what escaped HTML is made of */
		tmp[0] = '&';
		tmp[1] = '#';
		tmp[2] = (char)('0' + cp / 10);
		tmp[3] = (char)('0' + cp % 10);
		tmp[4] = ';';
		return 5;
	}
	do
		d[n++] = (char)('0' + cp % 10);
	while ((cp /= 10) != 0);
	tmp[i++] = '&';
	tmp[i++] = '#';
	while (n)
		tmp[i++] = d[--n];
	tmp[i++] = ';';
	return i;
}

/* The open elements the pre-pass has seen (names point into the text),
 * kept the way libxml2 keeps them in recovery: an end tag pops exactly
 * one element whatever its name. */
struct tags {
	struct {
		const char *name;
		size_t len;
		unsigned char cls; /* name_class() */
	} *v;
	size_t n, cap;
	int off; /* too deep or out of memory: no longer modelled */
};

static int
name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || c >= 0x80;
}

/* The bytes name_len() takes: is_name_char(), ':' and every byte >= 0x80
 * (a table: it runs over every tag name of the document). */
#define NC8(c) ((c) >= 0x80)
#define NCR(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || \
		((c) >= '0' && (c) <= '9') || (c) == '_' || (c) == '-' || \
		(c) == '.' || (c) == ':' || NC8(c))
#define NC4(c) NCR(c), NCR((c) + 1), NCR((c) + 2), NCR((c) + 3)
#define NC16(c) NC4(c), NC4((c) + 4), NC4((c) + 8), NC4((c) + 12)
#define NC64(c) NC16(c), NC16((c) + 16), NC16((c) + 32), NC16((c) + 48)
static const unsigned char name_byte[256] = {
	NC64(0), NC64(64), NC64(128), NC64(192),
};

static size_t
name_len(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && name_byte[(unsigned char)*q])
		q++;
	return (size_t)(q - p);
}

/* The local part of a qualified name. */
static const char *
local_part(const char *name, size_t *len)
{
	const char *c = memchr(name, ':', *len);

	if (!c)
		return name;
	*len -= (size_t)(c + 1 - name);
	return c + 1;
}

/* Which open element does end tag name (at p, n bytes) close? Its
 * index + 1, the innermost one, compared without prefix and case
 * ("</Item>" for "<item>" still closes one); 0: none. */
static size_t
tags_has(const struct tags *t, const char *p, size_t n)
{
	size_t i, ln = n, l2;
	const char *lp = local_part(p, &ln), *l;

	for (i = t->n; i-- > 0;) {
		l2 = t->v[i].len;
		l = local_part(t->v[i].name, &l2);
		if (l2 == ln && !strncasecmp(l, lp, ln))
			return i + 1;
	}
	return 0;
}

static void
tags_push(struct tags *t, const char *name, size_t len, unsigned cls)
{
	if (t->off)
		return;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		void *v = ncap <= 4096 ? realloc(t->v, ncap * sizeof(*t->v)) :
			  NULL;

		if (!v) {
			t->off = 1;
			return;
		}
		t->v = v;
		t->cap = ncap;
	}
	t->v[t->n].name = name;
	t->v[t->n].len = len;
	t->v[t->n].cls = (unsigned char)cls;
	t->n++;
}

/* What the pre-pass knows of an element name (its local part, any
 * case), as bits: one lookup per start tag, kept with the open element.
 *
 * N_TEXT: a feed's one-line text fields; they hold text, never elements.
 * N_ENTRY_FIELD: the elements of an item or entry; one of them starting
 * while a text field is still open means the field's end tag is missing
 * ("<title>A<link>...": the title does not hold the link).
 * N_DESC, N_AFTER_DESC: a description left open (it may hold naked HTML,
 * so only the N_AFTER_DESC elements, which HTML has not, end it, and a
 * bare "<link>" or "<title>" without attributes).
 * N_ENTRY: an item or entry left open (the next one starts: items do not
 * nest). */
enum {
	N_TEXT = 1, N_ENTRY_FIELD = 2, N_DESC = 4, N_AFTER_DESC = 8,
	N_ENTRY = 16,
};

static const struct {
	const char *name;
	size_t len;
	unsigned char bits;
} known_names[] = {
	{"title", 5, N_TEXT | N_ENTRY_FIELD},
	{"link", 4, N_TEXT | N_ENTRY_FIELD},
	{"guid", 4, N_TEXT | N_ENTRY_FIELD | N_AFTER_DESC},
	{"id", 2, N_TEXT | N_ENTRY_FIELD},
	{"pubdate", 7, N_TEXT | N_ENTRY_FIELD | N_AFTER_DESC},
	{"updated", 7, N_TEXT | N_ENTRY_FIELD | N_AFTER_DESC},
	{"published", 9, N_TEXT | N_ENTRY_FIELD | N_AFTER_DESC},
	{"issued", 6, N_TEXT | N_ENTRY_FIELD},
	{"modified", 8, N_TEXT | N_ENTRY_FIELD},
	{"date", 4, N_TEXT | N_ENTRY_FIELD},
	{"language", 8, N_TEXT | N_ENTRY_FIELD},
	{"comments", 8, N_TEXT | N_ENTRY_FIELD | N_AFTER_DESC},
	{"item", 4, N_ENTRY_FIELD | N_AFTER_DESC | N_ENTRY},
	{"entry", 5, N_ENTRY_FIELD | N_AFTER_DESC | N_ENTRY},
	{"description", 11, N_ENTRY_FIELD | N_DESC},
	{"summary", 7, N_ENTRY_FIELD | N_DESC},
	{"content", 7, N_ENTRY_FIELD},
	{"encoded", 7, N_ENTRY_FIELD | N_AFTER_DESC},
	{"author", 6, N_ENTRY_FIELD},
	{"creator", 7, N_ENTRY_FIELD | N_AFTER_DESC},
	{"category", 8, N_ENTRY_FIELD | N_AFTER_DESC},
	{"enclosure", 9, N_ENTRY_FIELD | N_AFTER_DESC},
	{"subject", 7, N_ENTRY_FIELD},
	{"source", 6, N_ENTRY_FIELD},
};

static unsigned
name_class(const char *name, size_t n)
{
	const char *l = local_part(name, &n);
	size_t i;

	if (!n)
		return 0;
	/* The names are lowercase: the first letter rules most out. */
	for (i = 0; i < sizeof(known_names) / sizeof(known_names[0]); i++)
		if ((l[0] | 0x20) == known_names[i].name[0] &&
		    known_names[i].len == n &&
		    !strncasecmp(l, known_names[i].name, n))
			return known_names[i].bits;
	return 0;
}

/* The end of the start tag at lt ('>' outside quoted values, or end) and
 * whether it closes itself. */
static const char *
tag_end(const char *lt, const char *end, int *empty)
{
	const char *q = lt + 1;
	char quote = 0;

	*empty = 0;
	for (; q < end; q++) {
		if (quote) {
			if (*q == quote)
				quote = 0;
		} else if (*q == '"' || *q == '\'') {
			quote = *q;
		} else if (*q == '>') {
			*empty = q[-1] == '/';
			return q;
		}
	}
	return end;
}

/* An HTML element that never has content (<br>, <img>), left open as
 * HTML writes it: without its end tag right after it (the XHTML
 * "<br></br>" stays as it is). link, meta, base and source are not
 * counted: feeds have elements of those names with content. */
static int
open_void_element(const char *name, size_t n, const char *after,
		  const char *end)
{
	static const char *const v[] = {"br", "hr", "img", "input", "wbr",
					"area", "col", "embed", "param",
					"track", "keygen"};
	size_t i;

	if (n < 2 || n > 6) /* no name of the list is shorter or longer */
		return 0;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if ((name[0] | 0x20) == v[i][0] && strlen(v[i]) == n &&
		    !strncasecmp(name, v[i], n))
			break;
	if (i == sizeof(v) / sizeof(v[0]))
		return 0;
	return !((size_t)(end - after) >= n + 3 && after[0] == '<' &&
		 after[1] == '/' && !strncasecmp(after + 2, name, n) &&
		 after[2 + n] == '>');
}

/* Whether the start tag [lt, gt) has an attribute written as HTML
 * allows and XML does not: an unquoted value (target=_blank) or none at
 * all (<input disabled>). */
static int
tag_needs_quotes(const char *lt, const char *gt)
{
	const char *q = lt + 1 + name_len(lt + 1, gt), *a, *c;

	while (q < gt) {
		while (q < gt && is_xml_space(*q))
			q++;
		if (q >= gt || *q == '/')
			return 0;
		a = q;
		while (q < gt && !is_xml_space(*q) && *q != '=' && *q != '/')
			q++;
		if (q == a)
			return 0; /* garbage: left to the parser */
		while (q < gt && is_xml_space(*q))
			q++;
		if (q >= gt || *q != '=')
			return 1;
		q++;
		while (q < gt && is_xml_space(*q))
			q++;
		if (q >= gt || (*q != '"' && *q != '\''))
			return 1;
		c = memchr(q + 1, *q, (size_t)(gt - q - 1));
		if (!c)
			return 0;
		q = c + 1;
	}
	return 0;
}

/* Append the attribute value [v, e) to out between '"', a bare '&' and
 * '<' escaped and any '"' in it as a reference. */
static int
put_value(struct buf *out, const char *v, const char *e)
{
	unsigned cp;
	int predef, rc;

	if (buf_putc(out, '"') < 0)
		return -1;
	for (; v < e; v++) {
		if (*v == '&' && !ref_len(v, e, &cp, &predef))
			rc = buf_puts(out, "&#38;");
		else if (*v == '<')
			rc = buf_puts(out, "&#60;");
		else if (*v == '"')
			rc = buf_puts(out, "&#34;");
		else
			rc = buf_putc(out, *v);
		if (rc < 0)
			return -1;
	}
	return buf_putc(out, '"');
}

/* Write the start tag [lt, gt] (gt at its '>') to out with every
 * attribute value quoted and a valueless attribute given its name as
 * value (disabled="disabled", what HTML means by it). */
static int
put_quoted_tag(struct buf *out, const char *lt, const char *gt)
{
	const char *q = lt + 1 + name_len(lt + 1, gt), *a, *ae, *v, *ve;

	if (buf_append(out, lt, (size_t)(q - lt)) < 0)
		return -1;
	while (q < gt) {
		a = q;
		while (q < gt && is_xml_space(*q))
			q++;
		if (q >= gt || *q == '/') {
			q = a;
			break;
		}
		if (buf_append(out, a, (size_t)(q - a)) < 0)
			return -1;
		a = q;
		while (q < gt && !is_xml_space(*q) && *q != '=' && *q != '/')
			q++;
		ae = q;
		if (a == ae)
			break;
		if (buf_append(out, a, (size_t)(ae - a)) < 0 ||
		    buf_putc(out, '=') < 0)
			return -1;
		while (q < gt && is_xml_space(*q))
			q++;
		if (q >= gt || *q != '=') {
			if (put_value(out, a, ae) < 0)
				return -1;
			continue;
		}
		q++;
		while (q < gt && is_xml_space(*q))
			q++;
		if (q < gt && (*q == '"' || *q == '\'')) {
			v = q + 1;
			ve = memchr(v, *q, (size_t)(gt - v));
			if (!ve)
				ve = gt;
			q = ve < gt ? ve + 1 : gt;
		} else {
			v = q;
			while (q < gt && !is_xml_space(*q) &&
			       !(*q == '/' && q + 1 == gt))
				q++;
			ve = q;
		}
		if (put_value(out, v, ve) < 0)
			return -1;
	}
	return buf_append(out, q, (size_t)(gt + 1 - q));
}

/* Copy s to out (only when something needs fixing: *fixed says so) with
 * bare '&' escaped and HTML entity references turned into character
 * references; comments, CDATA and PIs are left alone. Also reports a
 * DOCTYPE that declares entities and an unterminated CDATA section.
 *
 * Every '&' the parser is to see as an entity reference comes out as a
 * character reference ("&amp;" and a bare '&' as "&#38;", "&lt;" as
 * "&#60;"): after its first recoverable error libxml2 (2.9) drops every
 * named entity reference in content, predefined ones included
 * (xmlParseReference returns early once wellFormed is 0), while
 * character references are always delivered. So the meaning of the text
 * after an error never depends on the error. In attribute values both
 * forms read the same.
 *
 * Two errors that would end libxml2's parse early are repaired too: a
 * '<' that starts no markup ("a < b", or inside an attribute value)
 * becomes "&#60;" (libxml2 halts on it), and an end tag that closes no
 * open element is dropped (libxml2 pops one element for every end tag,
 * so a stray "</p>" in a description closed the item, the next one the
 * channel, and the rest of the document was "extra content"). */
int
feed_enc_repair(const char *s, size_t len, struct buf *out, int *fixed,
		int *has_entity_decl, int *unclosed_cdata)
{
	const char *p = s, *end = s + len, *from = s, *q;
	const char *amp = len ? memchr(s, '&', len) : NULL;
	const char *lt = len ? memchr(s, '<', len) : NULL;
	const char *in_tag = s;
	unsigned cp;
	size_t n;
	char tmp[16];
	int predef, empty, rc = 0, di;
	struct tags tags = {NULL, 0, 0, 0};
	struct decls decls;

	decls.n = 0;
	decls.budget = len;


	*fixed = *has_entity_decl = *unclosed_cdata = 0;
	while (p < end) {
		/* The next '&' and '<', each searched for again only once
		 * passed (a document without '&' is scanned once). */
		if (amp && amp < p)
			amp = memchr(p, '&', (size_t)(end - p));
		if (lt && lt < p)
			lt = memchr(p, '<', (size_t)(end - p));

		if (lt && (!amp || lt < amp)) {
			p = lt + 1;
			if (lt < in_tag || end - lt < 2 || (!name_start(
			    (unsigned char)lt[1]) && lt[1] != '/' &&
			    lt[1] != '!' && lt[1] != '?')) {
				/* Not markup: a '<' in text or in an
				 * attribute value. */
				if (buf_append(out, from, (size_t)(lt - from))
				    < 0 || buf_puts(out, "&#60;") < 0)
					goto nomem;
				from = p;
				*fixed |= 1 | 4;
			} else if (end - lt >= 4 && !memcmp(lt, "<!--", 4)) {
				q = find(lt + 4, end, "-->");
				p = q ? q + 3 : end;
			} else if (end - lt >= 9 &&
				   !memcmp(lt, "<![CDATA[", 9)) {
				q = find(lt + 9, end, "]]>");
				if (!q)
					*unclosed_cdata = 1;
				p = q ? q + 3 : end;
			} else if (end - lt >= 2 && lt[1] == '?') {
				q = find(lt + 2, end, "?>");
				p = q ? q + 2 : end;
			} else if (end - lt >= 9 &&
				   !memcmp(lt, "<!DOCTYPE", 9)) {
				/* An internal subset runs to "]>". */
				const char *gt = memchr(lt, '>', (size_t)(end - lt));
				const char *br = memchr(lt, '[', (size_t)(end - lt));
				if (br && (!gt || br < gt)) {
					q = find(br, end, "]");
					if (find(br, q ? q : end, "<!ENTITY") &&
					    (!q || read_decls(br, q, &decls) < 0 ||
					     !(gt = memchr(q, '>', (size_t)(end - q))))) {
						*has_entity_decl = 1;
						p = q ? q + 1 : end;
					} else if (find(br, q, "<!ENTITY")) {
						/* Plain declarations: the
						 * DOCTYPE goes, its entities
						 * are replaced below. */
						if (buf_append(out, from, (size_t)
							       (lt - from)) < 0)
							goto nomem;
						p = from = gt + 1;
						*fixed |= 1 | 16;
					} else {
						p = q ? q + 1 : end;
					}
				} else {
					p = gt ? gt + 1 : end;
				}
			} else if (lt[1] == '/' && !tags.off) {
				n = name_len(lt + 2, end);
				q = memchr(lt, '>', (size_t)(end - lt));
				size_t at = tags.n && n ?
					    tags_has(&tags, lt + 2, n) : 0;

				if (at && at < tags.n) {
					/* It closes an element below others
					 * left open ("<description><p>Hi
					 * <b>there</description>"): their
					 * end tags first, as HTML implies
					 * them; libxml2 would pop only the
					 * innermost, and the item's next
					 * elements would fall inside. */
					if (buf_append(out, from, (size_t)
						       (lt - from)) < 0)
						goto nomem;
					while (tags.n > at) {
						tags.n--;
						if (buf_puts(out, "</") < 0 ||
						    buf_append(out,
							tags.v[tags.n].name,
							tags.v[tags.n].len) < 0 ||
						    buf_putc(out, '>') < 0)
							goto nomem;
					}
					from = lt;
					tags.n--;
					*fixed |= 1 | 128;
				} else if (at) {
					tags.n--;
					if ((tags.v[tags.n].len != n ||
					     memcmp(tags.v[tags.n].name, lt + 2,
						    n)) && q) {
						/* "<Title>x</title>": the end
						 * tag spelled as its start
						 * tag (libxml2 reports the
						 * mismatch as an error). */
						if (buf_append(out, from,
						       (size_t)(lt - from)) < 0 ||
						    buf_puts(out, "</") < 0 ||
						    buf_append(out,
							tags.v[tags.n].name,
							tags.v[tags.n].len) < 0 ||
						    buf_putc(out, '>') < 0)
							goto nomem;
						p = from = q + 1;
						*fixed |= 1;
					}
				} else if (n && q) {
					/* Closes nothing that is open. */
					if (buf_append(out, from, (size_t)
						       (lt - from)) < 0)
						goto nomem;
					p = from = q + 1;
					*fixed |= 1 | 8;
				}
			} else if (name_start((unsigned char)lt[1])) {
				int vd, nq;
				unsigned cls;

				n = name_len(lt + 1, end);
				in_tag = tag_end(lt, end, &empty);
				vd = !empty && in_tag < end &&
				     open_void_element(lt + 1, n, in_tag + 1,
						       end);
				unsigned top = tags.n ?
					tags.v[tags.n - 1].cls : 0;

				cls = name_class(lt + 1, n);
				if (tags.n && !tags.off &&
				    (((top & N_TEXT) && (cls & N_ENTRY_FIELD)) ||
				     ((top & N_DESC) &&
				      ((cls & N_AFTER_DESC) ||
				       (lt + 1 + n < end && lt[1 + n] == '>' &&
					((n == 4 &&
					  !strncasecmp(lt + 1, "link", 4)) ||
					 (n == 5 &&
					  !strncasecmp(lt + 1, "title",
						       5)))))) ||
				     ((top & N_ENTRY) && (cls & N_ENTRY)))) {
					/* A text field left open: closed
					 * before the next field starts. */
					tags.n--;
					if (buf_append(out, from, (size_t)
						       (lt - from)) < 0 ||
					    buf_puts(out, "</") < 0 ||
					    buf_append(out, tags.v[tags.n].name,
						       tags.v[tags.n].len) < 0 ||
					    buf_putc(out, '>') < 0)
						goto nomem;
					from = lt;
					*fixed |= 1 | 128;
				}
				if (!empty && !vd)
					tags_push(&tags, lt + 1, n, cls);
				nq = in_tag < end &&
				     tag_needs_quotes(lt, in_tag);
				if (vd || nq) {
					/* HTML's unquoted attributes in a
					 * feed written by hand or by a
					 * template: quoted, read as HTML
					 * reads them; an open <br> or
					 * <img> closed (it would swallow
					 * what follows it). */
					if (buf_append(out, from, (size_t)
						       (lt - from)) < 0 ||
					    (nq ? put_quoted_tag(out, lt, in_tag) :
					     buf_append(out, lt, (size_t)
							(in_tag + 1 - lt))) < 0)
						goto nomem;
					if (vd) {
						out->len--; /* the '>' */
						if (buf_puts(out, "/>") < 0)
							goto nomem;
					}
					p = from = in_tag + 1;
					*fixed |= 1 | (nq ? 32 : 0) |
						  (vd ? 64 : 0);
				}
			}
			continue;
		}
		if (!amp)
			break;
		di = decl_ref(&decls, amp, end);
		if (di >= 0 && decls.vlen[di] <= decls.budget) {
			const char *v = decls.val[di];
			size_t k;

			if (buf_append(out, from, (size_t)(amp - from)) < 0)
				goto nomem;
			/* Quotes as references: the value may land in an
			 * attribute. */
			for (k = 0; k < decls.vlen[di]; k++)
				if ((v[k] == '"' || v[k] == '\'' ?
				     buf_puts(out, v[k] == '"' ? "&#34;" :
						   "&#39;") :
				     buf_putc(out, v[k])) < 0)
					goto nomem;
			decls.budget -= decls.vlen[di];
			p = from = amp + 2 + decls.nlen[di];
			*fixed |= 1;
			continue;
		}
		n = ref_len(amp, end, &cp, &predef);
		if (!n)
			n = legacy_ref_len(amp, end, &cp);
		if (n && !cp) {
			p = amp + n;
			continue;
		}
		if (n) {
			/* The text before it and the reference in one
			 * reservation (most documents take this path for
			 * every "&lt;" of their escaped HTML). */
			size_t k = (size_t)(amp - from);
			char *o;

			if (buf_grow(out, k + sizeof(tmp)) < 0)
				goto nomem;
			o = out->data + out->len;
			memcpy(o, from, k);
			o += k;
			o += charref(cp, o);
			*o = '\0';
			out->len = (size_t)(o - out->data);
			p = from = amp + n;
		} else {
			if (buf_append(out, from, (size_t)(amp - from)) < 0)
				goto nomem;
			if (buf_puts(out, "&#38;") < 0)
				goto nomem;
			p = from = amp + 1;
		}
		/* 1: a copy was made; 2: the input was not well-formed. */
		*fixed |= 1;
		if (!n || (amp[1] != '#' && !predef))
			*fixed |= 2;
	}
	if (*fixed && buf_append(out, from, (size_t)(end - from)) < 0)
		goto nomem;
	goto out;
nomem:
	rc = -ENOMEM;
out:
	free(tags.v);
	return rc;
}
