/* pdf.c — a PDF page's text as HTML for the transcript rules; see
 * include/pdf.h and docs/transcripts.md "PDF pages".
 */
#include "pdf.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf_lib.h" /* <poppler.h>, its calls through dlopen() */

#include "buf.h"
#include "date.h"
#include "transcript.h"

/* Poppler keeps process-wide state (its GlobalParams, font caches) that
 * it does not promise to guard; PDF pages are rare, so one at a time. The
 * only global of this module, for that reason. */
static pthread_mutex_t pdf_lock = PTHREAD_MUTEX_INITIALIZER;

static int
fail(char **err, int r, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		if (vasprintf(err, fmt, ap) < 0)
			*err = NULL;
		va_end(ap);
	}
	return r;
}

int
pdf_sniff(const char *data, size_t len)
{
	size_t i = 0, n = len < 1024 ? len : 1024;

	if (n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && strchr(" \t\r\n\f", data[i]) && data[i])
		i++;
	if (n - i >= 5 && memcmp(data + i, "%PDF-", 5) == 0)
		return 1;
	/* junk before the header (some servers prepend it; readers accept
	 * it within 1024 bytes), but never inside markup */
	for (; i + 5 <= n; i++) {
		if (data[i] == '<' || data[i] == '\0')
			return 0;
		if (data[i] == '%' && memcmp(data + i, "%PDF-", 5) == 0)
			return 1;
	}
	return 0;
}

/* ---- lines ------------------------------------------------------------------ */

struct line {
	char *text;           /* UTF-8, trimmed */
	double x1, y1, x2, y2; /* box of its characters */
	double size;          /* largest font size, 0 unknown */
	int page;
	int drop;             /* running head/foot or page number */
};

struct doc {
	struct line *v;
	size_t n, cap;
	double *pw, *ph; /* page sizes */
	int pages;
};

static int
push_line(struct doc *d, const char *s, size_t n, const PopplerRectangle *r,
	  size_t nr, double size, int page)
{
	struct line *l;
	size_t i;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (i == n)
		return 0;
	if (d->n == d->cap) {
		size_t c = d->cap ? 2 * d->cap : 256;
		struct line *v = realloc(d->v, c * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = c;
	}
	l = &d->v[d->n];
	memset(l, 0, sizeof(*l));
	if (!(l->text = strndup(s + i, n - i)))
		return -ENOMEM;
	l->x1 = l->y1 = INFINITY;
	l->x2 = l->y2 = -INFINITY;
	for (i = 0; i < nr; i++) {
		if (r[i].x2 <= r[i].x1 && r[i].y2 <= r[i].y1)
			continue;
		l->x1 = fmin(l->x1, r[i].x1);
		l->y1 = fmin(l->y1, r[i].y1);
		l->x2 = fmax(l->x2, r[i].x2);
		l->y2 = fmax(l->y2, r[i].y2);
	}
	if (l->x1 == INFINITY)
		l->x1 = l->y1 = l->x2 = l->y2 = 0;
	l->size = size;
	l->page = page;
	d->n++;
	return 0;
}

/* The largest font size among attrs over characters [a, b). */
static double
size_of(GList *attrs, int a, int b)
{
	double s = 0;
	GList *g;

	for (g = attrs; g; g = g->next) {
		PopplerTextAttributes *t = g->data;

		if (t->end_index >= a && t->start_index < b && t->font_size > s)
			s = t->font_size;
	}
	return s;
}

/* The page's text cut into lines with their boxes. */
static int
read_page(struct doc *d, PopplerPage *pg, int page, size_t *total)
{
	PopplerRectangle *rects = NULL;
	guint nr = 0;
	GList *attrs;
	char *text = poppler_page_get_text(pg);
	const char *p, *e;
	glong ci = 0, nc;
	int r = 0;

	if (!text)
		return 0;
	*total += strlen(text);
	if (*total > PDF_MAX_TEXT) {
		g_free(text);
		return -EFBIG;
	}
	if (!poppler_page_get_text_layout(pg, &rects, &nr))
		nr = 0;
	attrs = poppler_page_get_text_attributes(pg);
	for (p = text; r == 0 && *p; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		nc = g_utf8_strlen(p, e - p);
		r = push_line(d, p, (size_t)(e - p),
			      ci < (glong)nr ? rects + ci : NULL,
			      ci + nc <= (glong)nr ? (size_t)nc
			      : ci < (glong)nr ? (size_t)(nr - ci) : 0,
			      size_of(attrs, (int)ci, (int)(ci + nc)), page);
		ci += nc + (*e ? 1 : 0);
	}
	poppler_page_free_text_attributes(attrs);
	g_free(rects);
	g_free(text);
	return r;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of v[0..n) (sorts v); 0 for none. */
static double
median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), dcmp);
	return v[n / 2];
}

/* The body type size: the size of most characters (lines weighted by
 * their length). 0 when no size is known. */
static double
body_size(const struct doc *d)
{
	double best = 0;
	size_t i, j, most = 0, cnt;

	for (i = 0; i < d->n; i++) {
		if (d->v[i].size <= 0)
			continue;
		for (j = 0, cnt = 0; j < d->n; j++)
			if (fabs(d->v[j].size - d->v[i].size) < 0.5)
				cnt += strlen(d->v[j].text);
		if (cnt > most) {
			most = cnt;
			best = d->v[i].size;
		}
		if (i > 64) /* enough to know; the rest costs O(n^2) */
			break;
	}
	return best;
}

/* ---- running heads, feet, page numbers ------------------------------------ */

/* A line with its digits taken out, lower case ASCII: "Page 3 of 9" and
 * "Page 4 of 9" are the same running foot. */
static void
line_key(const char *s, char *k, size_t cap)
{
	size_t n = 0;

	for (; *s && n + 1 < cap; s++)
		if (!(*s >= '0' && *s <= '9') && *s != ' ')
			k[n++] = (*s >= 'A' && *s <= 'Z') ? *s | 0x20 : *s;
	k[n] = 0;
}

/* "12", "- 12 -", "Page 12", "12 of 30", "12/30", "xii": a page number. */
static int
is_page_number(const char *s)
{
	char k[64];
	size_t i, digits = 0;

	for (i = 0; s[i]; i++)
		digits += s[i] >= '0' && s[i] <= '9';
	line_key(s, k, sizeof(k));
	if (digits && (!*k || !strcmp(k, "--") || !strcmp(k, "page") ||
		       !strcmp(k, "of") || !strcmp(k, "/") ||
		       !strcmp(k, "pageof") || !strcmp(k, "p.") ||
		       !strcmp(k, "seite") || !strcmp(k, "стр.")))
		return 1;
	return strspn(k, "ivxlc") == strlen(k) && *k && strlen(k) <= 6 &&
	       !strchr(s, ' ') && strlen(s) <= 6;
}

#define MARGIN 0.09 /* of the page height: where running heads/feet sit */

static int
in_margin(const struct doc *d, const struct line *l)
{
	double h = d->ph[l->page];

	return l->y2 <= h * MARGIN || l->y1 >= h * (1 - MARGIN);
}

static void
drop_running(struct doc *d)
{
	size_t i, j;
	char ki[128], kj[128];
	double body = body_size(d);

	for (i = 0; i < d->n; i++) {
		struct line *l = &d->v[i];
		int seen = 0, last = l->page;

		if (!in_margin(d, l))
			continue;
		if (is_page_number(l->text) ||
		    (body > 0 && l->size > 0 && l->size < body * 0.85)) {
			l->drop = 1; /* a page number, or small print */
			continue;
		}
		if (d->pages < 2)
			continue;
		line_key(l->text, ki, sizeof(ki));
		for (j = 0; j < d->n && seen < 1; j++) {
			if (j == i || d->v[j].page == last ||
			    !in_margin(d, &d->v[j]))
				continue;
			line_key(d->v[j].text, kj, sizeof(kj));
			if (!strcmp(ki, kj))
				seen++;
		}
		l->drop = seen > 0;
	}
}

/* ---- paragraphs ------------------------------------------------------------- */

/* Does the line start with a speaker label ("MR. KIRBY:", "Q:", "Speaker
 * 1 (00:00):")? Then it starts a paragraph whatever the layout. */
static int
starts_label(const char *s)
{
	const char *c = strchr(s, ':');
	int words = 1;
	const char *p;

	if (!c || c == s || c - s > 60 ||
	    !((*s >= 'A' && *s <= 'Z') || (unsigned char)*s >= 0x80))
		return 0;
	for (p = s; p < c; p++) {
		if (*p == ' ')
			words++;
		if (*p == '.' && p + 1 < c && p[1] != ' ')
			return 0; /* a time or a URL */
	}
	return words <= 7 && (c[1] == ' ' || c[1] == 0);
}

static int
html_text(struct buf *o, const char *s)
{
	int r = 0;

	for (; r == 0 && *s; s++) {
		switch (*s) {
		case '&': r = buf_puts(o, "&amp;"); break;
		case '<': r = buf_puts(o, "&lt;"); break;
		case '>': r = buf_puts(o, "&gt;"); break;
		case '"': r = buf_puts(o, "&quot;"); break;
		default:
			r = (unsigned char)*s < 0x20 && *s != '\t' && *s != '\n'
			    ? buf_putc(o, ' ') : buf_putc(o, *s);
		}
	}
	return r;
}

/* A title in the document info worth keeping: not a file name or an
 * authoring tool's placeholder. */
static int
good_title(const char *t)
{
	size_t n = t ? strlen(t) : 0;
	static const char *const ext[] = {".doc", ".docx", ".pdf", ".rtf",
					  ".odt", ".indd", ".txt"};
	size_t i;

	if (n < 3 || !strncmp(t, "Microsoft Word - ", 17) ||
	    !strcasecmp(t, "untitled"))
		return 0;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t k = strlen(ext[i]);

		if (n > k && !strcasecmp(t + n - k, ext[i]))
			return 0;
	}
	return 1;
}

struct para {
	int head;     /* 1: a heading (larger type) */
	struct buf t;
};

/* A date printed in s ("Brussels, 14 March 2025", "March 14, 2025 —
 * 10:00"), as ISO 8601 into iso; 0 or -1. */
static int
find_date(const char *s, char iso[DATE_ISO_MAX])
{
	struct date_value v;
	const char *p = s;
	size_t n = strlen(s);

	if (n > 90 || !strpbrk(s, "0123456789"))
		return -1;
	while (p) {
		while (*p == ' ' || *p == ',' || *p == '|')
			p++;
		if (date_parse(p, strlen(p), &v) == 0 && date_format(&v, iso) > 0)
			return 0;
		p = strpbrk(p, ",|\xe2"); /* ", ", "|", "—"/"–" (UTF-8 E2) */
		if (p && (unsigned char)*p == 0xe2)
			p += strlen(p) >= 3 ? 3 : 1;
	}
	return -1;
}

static void
paras_free(struct para *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_free(&v[i].t);
	free(v);
}

/* The lines as paragraphs: a break where the line spacing opens up, at a
 * first-line indent, after a line that ends short of the measure, at a
 * change between heading and body type, and before a speaker label. */
static int
paragraphs(struct doc *d, struct para **out, size_t *nout)
{
	double *tmp, lh, gap, body, left, right;
	size_t i, k, n = 0, np = 0;
	struct para *v;
	const struct line *prev = NULL;
	int r = 0;

	*out = NULL;
	*nout = 0;
	if (!(tmp = calloc(d->n + 1, sizeof(*tmp))))
		return -ENOMEM;
	if (!(v = calloc(d->n + 1, sizeof(*v)))) {
		free(tmp);
		return -ENOMEM;
	}
	for (i = 0; i < d->n; i++)
		if (!d->v[i].drop && d->v[i].y2 > d->v[i].y1)
			tmp[n++] = d->v[i].y2 - d->v[i].y1;
	lh = median(tmp, n);
	for (i = 1, n = 0; i < d->n; i++)
		if (d->v[i].page == d->v[i - 1].page &&
		    d->v[i].y1 > d->v[i - 1].y1 && !d->v[i].drop &&
		    !d->v[i - 1].drop)
			tmp[n++] = d->v[i].y1 - d->v[i - 1].y1;
	gap = median(tmp, n);
	body = body_size(d);
	for (i = 0, n = 0; i < d->n; i++)
		if (!d->v[i].drop)
			tmp[n++] = d->v[i].x1;
	left = n ? (qsort(tmp, n, sizeof(*tmp), dcmp), tmp[n / 10]) : 0;
	for (i = 0, n = 0; i < d->n; i++)
		if (!d->v[i].drop)
			tmp[n++] = d->v[i].x2;
	right = n ? (qsort(tmp, n, sizeof(*tmp), dcmp), tmp[n - 1 - n / 10])
		  : 0;
	free(tmp);
	if (lh <= 0)
		lh = 10;
	if (gap <= 0)
		gap = lh * 1.2;
	for (i = 0; r == 0 && i < d->n; i++) {
		const struct line *l = &d->v[i];
		int head = body > 0 && l->size > body * 1.15;
		int phead = prev && body > 0 && prev->size > body * 1.15;
		int brk;

		if (l->drop)
			continue;
		if (!prev || head != phead)
			brk = 1;
		else if (head) /* a heading over two lines stays one */
			brk = l->page != prev->page ||
			      l->y1 - prev->y1 > (prev->y2 - prev->y1) * 1.8;
		else if (l->page == prev->page &&
			 (l->y1 - prev->y1 > gap * 1.35 || l->y1 < prev->y1))
			brk = 1;
		else
			brk = (l->x1 > left + lh * 0.8 &&
			       !(prev->x1 > left + lh * 0.8)) ||
			      prev->x2 < right - (right - left) * 0.2 ||
			      starts_label(l->text);
		if (brk) {
			v[np++].head = head;
		} else {
			/* a word broken over the line: "negotia-" "tions" */
			struct buf *t = &v[np - 1].t;

			k = t->len;
			if (k > 1 && t->data[k - 1] == '-' &&
			    t->data[k - 2] >= 'a' && t->data[k - 2] <= 'z' &&
			    l->text[0] >= 'a' && l->text[0] <= 'z')
				t->data[--t->len] = 0;
			else
				r = buf_putc(t, ' ');
		}
		if (r == 0)
			r = buf_puts(&v[np - 1].t, l->text);
		prev = l;
	}
	if (r < 0) {
		paras_free(v, np);
		return r;
	}
	*out = v;
	*nout = np;
	return 0;
}

#define HEADER_MAX 6 /* paragraphs that may open the document */

static int
build_html(struct doc *d, const char *title, struct buf *o)
{
	struct para *v;
	size_t i, n, hdr = 0;
	char iso[DATE_ISO_MAX];
	int r, h1 = 0, dated = 0;

	if ((r = paragraphs(d, &v, &n)) < 0)
		return r;
	/* The opening: headings and short lines (office, place and date)
	 * before the first long paragraph or speaker label; outside the
	 * article, as a page's header is. */
	while (hdr < n && hdr < HEADER_MAX && v[hdr].t.len < 200 &&
	       !starts_label(v[hdr].t.data))
		hdr++;
	if (hdr == n)
		hdr = 0;
	if (!title)
		for (i = 0; i < n && !title; i++)
			if (v[i].head)
				title = v[i].t.data;
	r = buf_puts(o, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		     "<title>");
	if (r == 0 && title)
		r = html_text(o, title);
	if (r == 0)
		r = buf_puts(o, "</title></head><body><header>\n");
	for (i = 0; r == 0 && i < n; i++) {
		const char *tag = v[i].head ? (h1++ ? "h2" : "h1") : "p";

		if (i == hdr)
			r = buf_puts(o, "</header><article>\n");
		if (r == 0)
			r = buf_printf(o, "<%s>", tag);
		if (r == 0 && i < hdr && !v[i].head && !dated &&
		    find_date(v[i].t.data, iso) == 0) {
			dated = 1;
			r = buf_printf(o, "<time datetime=\"%s\">", iso);
			if (r == 0)
				r = html_text(o, v[i].t.data);
			if (r == 0)
				r = buf_puts(o, "</time>");
		} else if (r == 0) {
			r = html_text(o, v[i].t.data);
		}
		if (r == 0)
			r = buf_printf(o, "</%s>\n", tag);
	}
	if (r == 0 && hdr == 0)
		r = buf_puts(o, "</header><article>\n");
	if (r == 0)
		r = buf_puts(o, "</article></body></html>\n");
	paras_free(v, n);
	return r;
}

/* ---- the document ------------------------------------------------------------ */

static void
doc_free(struct doc *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	free(d->pw);
	free(d->ph);
}

/* Poppler reports syntax errors of damaged files on its log domain: they
 * are the page's problem, already told by the error we return. */
static void
quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg,
      gpointer data)
{
	(void)domain, (void)level, (void)msg, (void)data;
}

static int
convert(const char *data, size_t len, struct buf *o, char **err)
{
	GBytes *bytes = g_bytes_new_static(data, len);
	GError *ge = NULL;
	PopplerDocument *doc;
	struct doc d = {0};
	gchar *title = NULL;
	size_t total = 0;
	int i, r = 0;

	doc = poppler_document_new_from_bytes(bytes, NULL, &ge);
	if (!doc) {
		if (ge && ge->domain == POPPLER_ERROR &&
		    ge->code == POPPLER_ERROR_ENCRYPTED)
			r = fail(err, -EACCES, "encrypted PDF (it needs a "
				 "password)");
		else
			r = fail(err, -EINVAL, "damaged or unreadable PDF%s%s",
				 ge ? ": " : "", ge ? ge->message : "");
		goto out;
	}
	d.pages = poppler_document_get_n_pages(doc);
	if (d.pages > PDF_MAX_PAGES) {
		r = fail(err, -EFBIG, "PDF of %d pages, more than the limit "
			 "of %d", d.pages, PDF_MAX_PAGES);
		goto out;
	}
	if (d.pages <= 0) {
		r = fail(err, -EINVAL, "PDF without pages");
		goto out;
	}
	d.pw = calloc((size_t)d.pages, sizeof(*d.pw));
	d.ph = calloc((size_t)d.pages, sizeof(*d.ph));
	if (!d.pw || !d.ph) {
		r = fail(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; r == 0 && i < d.pages; i++) {
		PopplerPage *pg = poppler_document_get_page(doc, i);

		if (!pg)
			continue;
		poppler_page_get_size(pg, &d.pw[i], &d.ph[i]);
		r = read_page(&d, pg, i, &total);
		g_object_unref(pg);
	}
	if (r == -EFBIG) {
		fail(err, r, "PDF with more than %u bytes of text",
		     PDF_MAX_TEXT);
		goto out;
	}
	if (r < 0) {
		fail(err, r, "out of memory");
		goto out;
	}
	if (!d.n) {
		r = fail(err, -EINVAL, "PDF without text (scanned pages?)");
		goto out;
	}
	drop_running(&d);
	title = poppler_document_get_title(doc);
	if ((r = build_html(&d, good_title(title) ? title : NULL, o)) < 0)
		fail(err, r, "out of memory");
out:
	g_free(title);
	doc_free(&d);
	if (doc)
		g_object_unref(doc);
	if (ge)
		g_error_free(ge);
	g_bytes_unref(bytes);
	return r;
}

int
pdf_to_html(const char *data, size_t len, char **html, size_t *hlen,
	    char **err)
{
	struct buf o = BUF_INIT;
	const char *why;
	guint h;
	int r;

	if (err)
		*err = NULL;
	*html = NULL;
	*hlen = 0;
	if (!pdf_sniff(data, len))
		return fail(err, -EINVAL, "not a PDF");
	if (pdf_lib_load(&why) < 0)
		return fail(err, -ENOENT, "cannot read PDF pages: %s", why);
	pthread_mutex_lock(&pdf_lock);
	h = g_log_set_handler("Poppler", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL |
			      G_LOG_FLAG_RECURSION, quiet, NULL);
	r = convert(data, len, &o, err);
	g_log_remove_handler("Poppler", h);
	pthread_mutex_unlock(&pdf_lock);
	if (r < 0) {
		buf_free(&o);
		return r;
	}
	*hlen = o.len;
	if (!(*html = buf_detach(&o)))
		return fail(err, -ENOMEM, "out of memory");
	return 0;
}
