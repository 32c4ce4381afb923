/* feed_fp.c — what the XML and JSON Feed parsers share while they fill a
 * struct feed_doc: errors and bozo reasons, bounded strings, entries,
 * links, people and tags (daemon/feed_int.h). A module of its own so that
 * the driver (feed.c) calls the parsers and the parsers call these, and
 * no two modules call each other.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "date.h"
#include "feed.h"
#include "feed_int.h"

void
fp_fail(struct fp *p, int err, const char *msg)
{
	if (p->err)
		return;
	p->err = err;
	free(p->errmsg);
	p->errmsg = strdup(msg);
	if (p->ctxt)
		xmlStopParser(p->ctxt);
}

/* Is r one of the reasons joined in all (a whole one: between the start
 * or "; " and the end or "; ")? Reasons may hold "; " themselves, so a
 * repeat of a two-part reason is found too. */
static int
has_reason(const char *all, const char *r)
{
	size_t n = strlen(r);
	const char *s;

	for (s = all; (s = strstr(s, r)); s++)
		if ((s == all || (s - all >= 2 && !memcmp(s - 2, "; ", 2))) &&
		    (!s[n] || !memcmp(s + n, "; ", 2)))
			return 1;
	return 0;
}

int
feed_bozo_add(char **reason, const char *add)
{
	static const char more[] = "; ...";
	size_t have, n = strlen(add);
	char *t;

	if (!*reason) {
		*reason = strdup(add);
		return *reason ? 0 : -ENOMEM;
	}
	have = strlen(*reason);
	if (!n || has_reason(*reason, add) ||
	    (have >= sizeof(more) - 1 &&
	     !strcmp(*reason + have - (sizeof(more) - 1), more)))
		return 0;
	if (have + 2 + n + sizeof(more) - 1 > FEED_BOZO_MAX) {
		/* Full: say that more happened, once; later reasons are
		 * dropped, so the order stays the order of the causes. */
		if (have + sizeof(more) - 1 > FEED_BOZO_MAX)
			return 0;
		add = more + 2;
		n = sizeof(more) - 3;
	}
	t = realloc(*reason, have + 2 + n + 1);
	if (!t)
		return -ENOMEM;
	memcpy(t + have, "; ", 2);
	memcpy(t + have + 2, add, n + 1);
	*reason = t;
	return 0;
}

void
fp_bozo(struct fp *p, const char *reason)
{
	p->doc->bozo = 1;
	if (feed_bozo_add(&p->doc->bozo_reason, reason) < 0)
		fp_fail(p, -ENOMEM, "out of memory");
}

char *
fp_strdup(struct fp *p, const char *s)
{
	char *r = strdup(s);

	if (!r)
		fp_fail(p, -ENOMEM, "out of memory");
	return r;
}

/* Truncate b at max bytes, backing up to a UTF-8 boundary. */
void
fp_truncate(struct buf *b, size_t max)
{
	size_t n = max;

	if (b->len <= max)
		return;
	while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;
	b->len = n;
	b->data[n] = '\0';
}

char *
fp_detach(struct fp *p, struct buf *b)
{
	char *s;

	fp_truncate(b, p->lim.max_field);
	s = buf_detach(b);
	if (!s)
		fp_fail(p, -ENOMEM, "out of memory");
	return s;
}

/* ---- links, people, tags ------------------------------------------------- */

void
fp_add_link(struct fp *p, struct feed_link **links, size_t *n, char *href,
	 char *rel, char *type, char *title)
{
	struct feed_link *l = NULL;

	if (!rel)
		rel = fp_strdup(p, "alternate");
	if (href && rel && !p->err)
		l = realloc(*links, (*n + 1) * sizeof(**links));
	if (!l) {
		free(href), free(rel), free(type), free(title);
		if (!p->err)
			fp_fail(p, -ENOMEM, "out of memory");
		return;
	}
	*links = l;
	l[*n].href = href;
	l[*n].rel = rel;
	l[*n].type = type;
	l[*n].title = title;
	(*n)++;
}

void
fp_person_free(struct feed_person *a)
{
	free(a->name);
	free(a->email);
	free(a->url);
	a->name = a->email = a->url = NULL;
}

int
fp_person_copy(struct feed_person *dst, const struct feed_person *src)
{
	dst->name = src->name ? strdup(src->name) : NULL;
	dst->email = src->email ? strdup(src->email) : NULL;
	dst->url = src->url ? strdup(src->url) : NULL;
	if ((src->name && !dst->name) || (src->email && !dst->email) ||
	    (src->url && !dst->url)) {
		fp_person_free(dst);
		return -ENOMEM;
	}
	return 0;
}

void
fp_add_tag(struct fp *p, char *tag)
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
		fp_fail(p, -ENOMEM, "out of memory");
		return;
	}
	e->tags = t;
	t[e->ntags++] = tag;
}

void
fp_add_author(struct fp *p, enum ctx parent, struct feed_person *a)
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
		fp_person_free(a);
		return;
	}
	if (!e) {
		fp_person_free(a);
		return;
	}
	n = realloc(e->authors, (e->nauthors + 1) * sizeof(*n));
	if (!n) {
		fp_person_free(a);
		fp_fail(p, -ENOMEM, "out of memory");
		return;
	}
	e->authors = n;
	n[e->nauthors++] = *a;
	memset(a, 0, sizeof(*a));
}

/* ---- entries ------------------------------------------------------------ */

void
fp_entry_begin(struct fp *p)
{
	struct feed_doc *d = p->doc;
	struct feed_entry *n;

	if (d->nentries == p->entries_cap) {
		size_t ncap = p->entries_cap ? p->entries_cap * 2 : 16;
		n = realloc(d->entries, ncap * sizeof(*n));
		if (!n) {
			fp_fail(p, -ENOMEM, "out of memory");
			return;
		}
		d->entries = n;
		p->entries_cap = ncap;
	}
	p->e = &d->entries[d->nentries++];
	memset(p->e, 0, sizeof(*p->e));
	free(p->media_text);
	free(p->media_html);
	free(p->media_title);
	p->media_text = p->media_html = p->media_title = NULL;
	p->guid_permalink = 0;
	p->entry_has_guid = 0;
	p->summary_itunes = 0;
}

static int
is_html_type(const char *t)
{
	return !t || !strcasecmp(t, "text/html") ||
	       !strcasecmp(t, "application/xhtml+xml");
}

/* The page a reader opens: when the chosen link is an alternate of
 * another type (a PDF, an MP3) and an HTML alternate follows, the first
 * HTML alternate is the link (as feedparser and browsers choose). */
void
fp_prefer_html_link(char **link, const struct feed_link *l, size_t n)
{
	size_t i, cur = n;

	if (!*link)
		return;
	for (i = 0; i < n && cur == n; i++)
		if (l[i].href && !strcmp(l[i].href, *link) &&
		    !strcmp(l[i].rel, "alternate"))
			cur = i;
	if (cur == n || is_html_type(l[cur].type))
		return;
	for (i = 0; i < n; i++) {
		if (i != cur && l[i].href && !strcmp(l[i].rel, "alternate") &&
		    is_html_type(l[i].type)) {
			char *h = strdup(l[i].href);

			if (h) {
				free(*link);
				*link = h;
			}
			return;
		}
	}
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
void
fp_entry_end(struct fp *p)
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
		e->link = fp_strdup(p, e->id);
	if (e->nauthors && fp_person_copy(&e->author, &e->authors[0]) < 0)
		fp_fail(p, -ENOMEM, "out of memory");
	/* the id falls back on the link the entry ends up with */
	fp_prefer_html_link(&e->link, e->links, e->nlinks);
	if (!e->id && e->link)
		e->id = fp_strdup(p, e->link);
	/* media:title: the title of an item that has none (a video or
	 * podcast feed that names its items only there) */
	if ((!e->title || !*e->title) && p->media_title) {
		free(e->title);
		e->title = p->media_title;
		p->media_title = NULL;
	}
	if (!e->id) {
		h = fnv1a(0xcbf29ce484222325ull, e->title);
		h = fnv1a(h, e->published ? e->published : e->updated);
		if (!e->title && !e->published && !e->updated)
			h = fnv1a(h, e->summary ? e->summary : e->content);
		snprintf(tmp, sizeof(tmp), "urn:briefwatch:%016llx",
			 (unsigned long long)h);
		e->id = fp_strdup(p, tmp);
	}
	/* media:description: the text of an item that has no other (after
	 * the identity, which it does not change) */
	if ((!e->summary || !*e->summary) && (!e->content || !*e->content) &&
	    p->media_text) {
		free(e->summary);
		free(e->summary_html);
		e->summary = p->media_text;
		e->summary_html = p->media_html;
		p->media_text = p->media_html = NULL;
	}
	free(p->media_text);
	free(p->media_html);
	free(p->media_title);
	p->media_text = p->media_html = p->media_title = NULL;
}

char *
fp_date(struct fp *p, const char *s)
{
	struct date_value dv;
	char out[DATE_ISO_MAX];

	if (!s || !*s || date_parse(s, strlen(s), &dv) < 0)
		return NULL;
	date_format_utc(dv.epoch, out);
	return fp_strdup(p, out);
}

void
fp_set_version(struct fp *p, const char *v)
{
	snprintf(p->doc->version, sizeof(p->doc->version), "%s", v);
}
