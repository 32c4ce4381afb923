/* feed_out.c — struct feed_doc out: as a jansson tree (feed_doc_to_json)
 * and as the JSON text json_dumps() would make of it (feed_doc_dump). */
#include "feed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"

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
 * feed_doc_to_json() without building the jansson tree. What it buys: on
 * bench/corpus.py's 30 feeds of 300 items (9.1 MB), parsing takes 902M
 * instructions; building, dumping and freeing the tree took 1,816M more,
 * this writer takes 195M (callgrind, 2026-12-06). test_feed.c's
 * test_json_text_is_what_jansson_writes_for_every_fixture and
 * test_json_text_escapes_and_replaces_like_jansson hold it to jansson. */

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

/* Room for n more bytes and the NUL, written at the pointer returned and
 * closed by jw_done(); NULL after a failure. The writers below reserve
 * once and store bytes, instead of one buf_append() per piece: keys and
 * indentation were half the cost of the dump. */
static char *
jw_room(struct jw *w, size_t n)
{
	if (w->err)
		return NULL;
	if ((w->b.cap < w->b.len + n + 1 || !w->b.data) &&
	    buf_grow(&w->b, n) < 0) {
		w->err = -ENOMEM;
		return NULL;
	}
	return w->b.data + w->b.len;
}

static void
jw_done(struct jw *w, char *o)
{
	w->b.len = (size_t)(o - w->b.data);
	*o = '\0';
}

/* The bytes jw_nl_at() may write. */
static size_t
jw_nl_len(const struct jw *w)
{
	return w->indent ? 1 + w->indent * (size_t)w->depth : 1;
}

/* jansson's dump_indent(), at o. */
static char *
jw_nl_at(const struct jw *w, char *o, int space)
{
	if (w->indent) {
		size_t n = w->indent * (size_t)w->depth;

		*o++ = '\n';
		memset(o, ' ', n);
		o += n;
	} else if (space && !w->compact) {
		*o++ = ' ';
	}
	return o;
}

/* The separator before a value: ',' unless it is the first, then the
 * line break and indentation; at o (room for 1 + jw_nl_len()). */
static char *
jw_item_at(struct jw *w, char *o)
{
	if (!w->first)
		*o++ = ',';
	o = jw_nl_at(w, o, !w->first);
	w->first = 0;
	return o;
}

static void
jw_item(struct jw *w)
{
	char *o = jw_room(w, 1 + jw_nl_len(w));

	if (o)
		jw_done(w, jw_item_at(w, o));
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
	char *o;

	w->depth--;
	if (!(o = jw_room(w, jw_nl_len(w) + 1)))
		return;
	if (!w->first)
		o = jw_nl_at(w, o, 0);
	*o++ = c;
	jw_done(w, o);
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

/* A member's key: the separator, "key" and ':' (": " unless compact).
 * Keys are this file's own ASCII names: nothing to escape. */
static void
jw_key(struct jw *w, const char *key)
{
	size_t n = strlen(key);
	char *o = jw_room(w, 1 + jw_nl_len(w) + n + 4);

	if (!o)
		return;
	o = jw_item_at(w, o);
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	if (!w->compact)
		*o++ = ' ';
	jw_done(w, o);
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
