/* feed_json.c — JSON Feed 1.0/1.1 into struct feed_doc (feed.c's JSON
 * half; see docs/feeds.md). */
#include "feed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "feed_int.h"
#include "sanitize.h"
#include "url.h"

static char *
jstr(struct fp *p, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	char tmp[32];

	if (json_is_string(v) && *json_string_value(v))
		return fp_strdup(p, json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(tmp, sizeof(tmp), "%lld",
			 (long long)json_integer_value(v));
		return fp_strdup(p, tmp);
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
		fp_fail(p, -ENOMEM, "out of memory");
	if (html_out)
		*html_out = fp_detach(p, &h);
	buf_free(&h);
	if (!text.len) {
		buf_free(&text);
		return NULL;
	}
	return fp_detach(p, &text);
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
		fp_fail(p, -ENOMEM, "out of memory");
		return;
	}
	if (link && !*link)
		*link = fp_strdup(p, abs);
	fp_add_link(p, links, n, abs, fp_strdup(p, rel), NULL, NULL);
}

/* The feed's own fields. Returns the base for item URLs: the document's
 * address or, without one, the address the feed gives for itself. */
static const char *
json_feed_fields(struct fp *p, json_t *root, const char *base)
{
	struct feed_doc *d = p->doc;
	json_t *a, *v;

	d->encoding = fp_strdup(p, "utf-8");
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
	if (!base) {
		v = json_object_get(root, "feed_url");
		if (!json_is_string(v))
			v = json_object_get(root, "home_page_url");
		base = json_is_string(v) ? json_string_value(v) : NULL;
	}
	return base;
}

/* One item into a new entry. */
static void
json_item(struct fp *p, json_t *it, const char *base)
{
	struct feed_entry *e;
	json_t *v, *a;
	size_t k;
	char *t;

	fp_entry_begin(p);
	if (!(e = p->e))
		return;
	e->id = jstr(p, it, "id");
	e->title = jtext(p, it, "title", 0, NULL, NULL);
	json_link(p, it, "url", "alternate", &e->links, &e->nlinks, &e->link,
		  base);
	json_link(p, it, "external_url", "related", &e->links, &e->nlinks,
		  NULL, base);
	e->content = jtext(p, it, "content_html", 1, &e->content_html,
			   e->link ? e->link : base);
	if (!e->content) {
		free(e->content_html);
		e->content_html = NULL;
		e->content = jtext(p, it, "content_text", 0, &e->content_html,
				   NULL);
	}
	e->summary = jtext(p, it, "summary", 0, &e->summary_html, NULL);
	t = jstr(p, it, "date_published");
	e->published = fp_date(p, t);
	free(t);
	t = jstr(p, it, "date_modified");
	e->updated = fp_date(p, t);
	free(t);
	v = json_object_get(it, "tags");
	json_array_foreach(v, k, a)
		if (json_is_string(a))
			fp_add_tag(p, fp_strdup(p, json_string_value(a)));
	v = json_object_get(it, "authors");
	if (!json_is_array(v) && json_is_object(json_object_get(it, "author")))
		v = json_pack("[O]", json_object_get(it, "author"));
	else
		json_incref(v);
	json_array_foreach(v, k, a) {
		struct feed_person pp = {NULL, NULL, NULL};
		if (!json_is_object(a))
			continue;
		json_person(p, a, &pp);
		fp_add_author(p, C_ENTRY, &pp);
	}
	json_decref(v);
	fp_entry_end(p);
}

int
feed_json_parse(struct fp *p, const char *s, size_t n, const char *base)
{
	json_error_t jerr;
	/* JSON_ALLOW_NUL: one "\u0000" in an item refused the whole feed */
	json_t *root = json_loadb(s, n, JSON_REJECT_DUPLICATES |
				 JSON_ALLOW_NUL, &jerr), *v;
	json_t *items, *it;
	const char *ver;
	size_t i;
	char msg[200];

	if (!root)
		root = json_loadb(s, n, JSON_ALLOW_NUL, &jerr);
	if (!json_is_object(root)) {
		snprintf(msg, sizeof(msg), "not a feed: JSON error at line "
			 "%d: %s", jerr.line, jerr.text);
		json_decref(root);
		fp_fail(p, -EINVAL, msg);
		return p->err;
	}
	v = json_object_get(root, "version");
	ver = json_is_string(v) ? json_string_value(v) : "";
	/* The version URL's scheme varies in real feeds ("http://" in
	 * early JSON Feed 1 publishers): the same version either way. */
	if (!strncmp(ver, "https://", 8))
		ver += 8;
	else if (!strncmp(ver, "http://", 7))
		ver += 7;
	else
		ver = "";
	if (strncmp(ver, "jsonfeed.org/version/", 21)) {
		json_decref(root);
		fp_fail(p, -EINVAL,
			"not a feed: JSON without a JSON Feed version");
		return p->err;
	}
	fp_set_version(p, !strcmp(ver + 21, "1") ? "json10" : "json11");
	base = json_feed_fields(p, root, base);
	items = json_object_get(root, "items");
	json_array_foreach(items, i, it) {
		if (!json_is_object(it) || p->err)
			continue;
		if (p->doc->nentries >= p->lim.max_entries) {
			snprintf(msg, sizeof(msg), "more than %zu entries; "
				 "the rest were dropped", p->lim.max_entries);
			fp_bozo(p, msg);
			break;
		}
		json_item(p, it, base);
	}
	json_decref(root);
	return p->err;
}
