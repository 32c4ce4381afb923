/* output_feed.c — type = feed (docs/outputs.md): an Atom 1.0 file and/or
 * a JSON Feed 1.1 file of the last `items` matching briefings, each with
 * its title, link, speakers, summary and the snippet that matched,
 * replaced atomically (fileio_replace) on each new match.
 *
 * The entries live in the output_items table: a delivery writes the files
 * with the new entry first, then stores the entry and the cursor in one
 * transaction, so a crash in between only writes the same entry again.
 * At start the files are written from the table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "fileio.h"
#include "log.h"
#include "output_int.h"
#include "store.h"

#define SNIPPET_MAX 400

struct entry {
	int64_t seq, bid;
	json_t *j;
};

struct flist {
	struct entry *v;
	size_t n, cap;
};

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int
flist_add(struct flist *l, int64_t seq, int64_t bid, json_t *j)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].seq = seq;
	l->v[l->n].bid = bid;
	l->v[l->n].j = j;
	l->n++;
	return 0;
}

static void
flist_free(struct flist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		json_decref(l->v[i].j);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct load {
	struct flist *l;
	size_t keep;
	int64_t skip_bid; /* an entry of this briefing is already first */
};

static int
load_cb(void *arg, int64_t seq, int64_t bid, const char *entry)
{
	struct load *ld = arg;
	json_t *j;

	if (ld->l->n >= ld->keep || bid == ld->skip_bid)
		return 0;
	if (!(j = json_loads(entry, 0, NULL)))
		return 0; /* not ours: skipped */
	if (flist_add(ld->l, seq, bid, j) < 0) {
		json_decref(j);
		return -ENOMEM;
	}
	return 0;
}

/* XML text: & < > " escaped; characters XML 1.0 forbids dropped. */
static void
xml_esc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			buf_puts(b, "&amp;");
		else if (c == '<')
			buf_puts(b, "&lt;");
		else if (c == '>')
			buf_puts(b, "&gt;");
		else if (c == '"')
			buf_puts(b, "&quot;");
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			continue;
		else
			buf_putc(b, (char)c);
	}
}

static void
now_rfc3339(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *
entry_time(const json_t *e, const char *fallback)
{
	const char *s = jstr(e, "stored");

	return *s ? s : fallback;
}

static void
feed_id(struct buf *b, const struct output *o, const char *what)
{
	buf_printf(b, "tag:%s,2026:briefwatch/%s/%s",
		   o->c.origin ? o->c.origin : "briefwatch.invalid",
		   o->c.name, what);
}

static char *
make_atom(const struct output *o, const struct flist *l)
{
	struct buf b = BUF_INIT;
	char now[32];
	size_t i, k;

	now_rfc3339(now);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		 "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>");
	feed_id(&b, o, "feed");
	buf_puts(&b, "</id>\n  <title>");
	if (o->c.title)
		xml_esc(&b, o->c.title);
	else
		buf_printf(&b, "briefwatch: %s", o->c.name);
	buf_printf(&b, "</title>\n  <updated>%s</updated>\n",
		   l->n ? entry_time(l->v[0].j, now) : now);
	if (o->c.link) {
		buf_puts(&b, "  <link rel=\"self\" href=\"");
		xml_esc(&b, o->c.link);
		buf_puts(&b, "\"/>\n");
	}
	buf_puts(&b, "  <author><name>briefwatch</name></author>\n"
		 "  <generator>briefwatch</generator>\n");
	for (i = 0; i < l->n; i++) {
		const json_t *e = l->v[i].j;
		const json_t *br = json_object_get(e, "briefing"), *sp;
		const char *url = jstr(br, "url");

		buf_puts(&b, "  <entry>\n    <id>");
		if (*url) {
			xml_esc(&b, url);
		} else {
			char what[64];

			snprintf(what, sizeof(what), "briefing/%lld",
				 (long long)l->v[i].bid);
			feed_id(&b, o, what);
		}
		buf_puts(&b, "</id>\n    <title>");
		xml_esc(&b, *jstr(br, "title") ? jstr(br, "title")
					       : "(untitled)");
		buf_puts(&b, "</title>\n");
		if (*url) {
			buf_puts(&b, "    <link rel=\"alternate\" href=\"");
			xml_esc(&b, url);
			buf_puts(&b, "\"/>\n");
		}
		buf_printf(&b, "    <updated>%s</updated>\n",
			   entry_time(e, now));
		json_array_foreach(json_object_get(br, "speakers"), k, sp) {
			buf_puts(&b, "    <author><name>");
			xml_esc(&b, jstr(sp, "name"));
			buf_puts(&b, "</name></author>\n");
		}
		if (*jstr(br, "kind")) {
			buf_puts(&b, "    <category term=\"");
			xml_esc(&b, jstr(br, "kind"));
			buf_puts(&b, "\"/>\n");
		}
		if (*jstr(br, "summary")) {
			buf_puts(&b, "    <summary type=\"text\">");
			xml_esc(&b, jstr(br, "summary"));
			buf_puts(&b, "</summary>\n");
		}
		if (*jstr(e, "snippet")) {
			buf_puts(&b, "    <content type=\"text\">");
			xml_esc(&b, jstr(e, "snippet"));
			buf_puts(&b, "</content>\n");
		}
		buf_puts(&b, "  </entry>\n");
	}
	buf_puts(&b, "</feed>\n");
	return buf_detach(&b);
}

static char *
make_json(const struct output *o, const struct flist *l)
{
	json_t *f, *items;
	struct buf id = BUF_INIT, title = BUF_INIT;
	char *out = NULL;
	size_t i, k;

	if (o->c.title)
		buf_puts(&title, o->c.title);
	else
		buf_printf(&title, "briefwatch: %s", o->c.name);
	if (buf_error(&title))
		return NULL;
	f = json_pack("{ss ss}", "version", "https://jsonfeed.org/version/1.1",
		      "title", buf_str(&title));
	buf_free(&title);
	items = json_array();
	if (!f || !items)
		goto out;
	if (o->c.link)
		json_object_set_new(f, "feed_url", json_string(o->c.link));
	json_object_set_new(f, "authors",
			    json_pack("[{ss}]", "name", "briefwatch"));
	for (i = 0; i < l->n; i++) {
		const json_t *e = l->v[i].j;
		const json_t *br = json_object_get(e, "briefing"), *sp;
		json_t *it, *au = json_array(), *names = json_array();
		struct buf text = BUF_INIT;
		const char *url = jstr(br, "url");

		buf_reset(&id);
		if (*url) {
			buf_puts(&id, url);
		} else {
			char what[64];

			snprintf(what, sizeof(what), "briefing/%lld",
				 (long long)l->v[i].bid);
			feed_id(&id, o, what);
		}
		json_array_foreach(json_object_get(br, "speakers"), k, sp) {
			json_array_append_new(au, json_pack("{ss}", "name",
							    jstr(sp, "name")));
			json_array_append_new(names,
					      json_string(jstr(sp, "name")));
		}
		buf_puts(&text, jstr(br, "summary"));
		if (*jstr(e, "snippet")) {
			if (text.len)
				buf_puts(&text, "\n\n");
			buf_puts(&text, jstr(e, "snippet"));
		}
		if (!text.len)
			buf_puts(&text, *jstr(br, "title") ? jstr(br, "title")
							   : "(untitled)");
		it = json_pack("{ss ss ss ss}", "id", buf_str(&id) ?
			       buf_str(&id) : "", "title",
			       *jstr(br, "title") ? jstr(br, "title")
						  : "(untitled)",
			       "content_text", buf_str(&text) ?
			       buf_str(&text) : "", "date_modified",
			       entry_time(e, "1970-01-01T00:00:00Z"));
		buf_free(&text);
		if (!it) {
			json_decref(au);
			json_decref(names);
			goto out;
		}
		if (*url)
			json_object_set_new(it, "url", json_string(url));
		if (*jstr(br, "summary"))
			json_object_set_new(it, "summary",
					    json_string(jstr(br, "summary")));
		if (json_array_size(au))
			json_object_set_new(it, "authors", au);
		else
			json_decref(au);
		if (*jstr(br, "kind"))
			json_object_set_new(it, "tags", json_pack("[s]",
					    jstr(br, "kind")));
		json_object_set_new(it, "_briefwatch", json_pack(
			"{sI sI ss ss so ss}", "seq", (json_int_t)l->v[i].seq,
			"briefing_id", (json_int_t)l->v[i].bid,
			"event", jstr(e, "type"), "feed", jstr(br, "feed"),
			"speakers", names, "snippet", jstr(e, "snippet")));
		json_array_append_new(items, it);
	}
	json_object_set(f, "items", items);
	out = json_dumps(f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
out:
	buf_free(&id);
	json_decref(items);
	json_decref(f);
	return out;
}

static int
write_one(const struct output *o, const char *path, char *text, char **why)
{
	struct fileio_replace fr = {.mode = 0644};
	int r;

	if (!text)
		return -ENOMEM;
	r = fileio_replace(path, text, strlen(text), &fr);
	free(text);
	if (r < 0 && asprintf(why, "%s %s: %s", fr.failed ? fr.failed
			      : "writing", path, strerror(-r)) < 0)
		*why = NULL;
	(void)o;
	return r;
}

static int
write_files(const struct output *o, const struct flist *l, char **why)
{
	int r = 0;

	*why = NULL;
	if (o->c.atom_file)
		r = write_one(o, o->c.atom_file, make_atom(o, l), why);
	if (r == 0 && o->c.json_file)
		r = write_one(o, o->c.json_file, make_json(o, l), why);
	return r;
}

/* The entries as stored, after first (when not NULL). */
static int
load(struct output *o, struct flist *l, int64_t skip_bid)
{
	struct load ld = {l, (size_t)o->c.items, skip_bid};

	return store_output_items(o->os->store, o->c.name, load_cb, &ld);
}

static int
fd_init(struct output *o, char **err)
{
	struct flist l = {0};
	char *why = NULL;
	int r = load(o, &l, -1);

	if (r == 0)
		r = write_files(o, &l, &why);
	flist_free(&l);
	if (r < 0) {
		if (asprintf(err, "output \"%s\": %s", o->c.name,
			     why ? why : store_errmsg(o->os->store)) < 0)
			*err = NULL;
		free(why);
		return r;
	}
	return 0;
}

struct snip {
	struct buf b;
	int query;
};

static int
snip_cb(void *arg, const char *speaker, const char *text, const char *snippet)
{
	struct snip *s = arg;
	const char *t = s->query && snippet ? snippet : text;
	size_t n;

	if (!t)
		return 1;
	if (speaker)
		buf_printf(&s->b, "%s: ", speaker);
	n = strlen(t);
	if (n > SNIPPET_MAX) {
		n = SNIPPET_MAX;
		while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
			n--;
		buf_append(&s->b, t, n);
		buf_puts(&s->b, "\u2026");
	} else {
		buf_append(&s->b, t, n);
	}
	return 1;
}

static int
fd_deliver(struct output *o, const struct store_event *ev, json_t *parsed)
{
	struct snip s = {BUF_INIT, o->c.query != NULL};
	struct flist l = {0};
	json_t *e;
	char *text, *why = NULL;
	int r;

	if (!parsed)
		return -EINVAL;
	r = store_output_turns(o->os->store, ev->briefing_id, o->c.query,
			       o->c.speakers, o->c.nspeakers, 1, snip_cb, &s);
	if (r < 0 && r != 1)
		log_limited("output:snippet", 5, LOG_LVL_WARN,
			    "output \"%s\": snippet of briefing %lld: %s",
			    o->c.name, (long long)ev->briefing_id,
			    store_errmsg(o->os->store));
	e = json_pack("{sI ss ss sO ss}", "seq", (json_int_t)ev->seq,
		      "type", ev->type ? ev->type : "",
		      "stored", jstr(parsed, "stored"),
		      "briefing", json_object_get(parsed, "briefing"),
		      "snippet", buf_str(&s.b) ? buf_str(&s.b) : "");
	buf_free(&s.b);
	if (!e || !(text = json_dumps(e, JSON_COMPACT))) {
		json_decref(e);
		return -ENOMEM;
	}
	json_incref(e);
	if (flist_add(&l, ev->seq, ev->briefing_id, e) < 0) {
		json_decref(e);
		json_decref(e);
		free(text);
		return -ENOMEM;
	}
	r = load(o, &l, ev->briefing_id);
	if (r == 0)
		r = write_files(o, &l, &why);
	flist_free(&l);
	if (r < 0) {
		json_decref(e);
		free(text);
		o->state = OUT_IDLE;
		output_failed(o, 0, -1, why ? why : "cannot build the feed");
		free(why);
		return 0;
	}
	r = store_output_item_add(o->os->store, o->c.name, ev->seq,
				  ev->briefing_id, text, (size_t)o->c.items);
	json_decref(e);
	free(text);
	if (r == -EBUSY) {
		/* The writer holds the write lock: the same event again in a
		 * moment (the files are rewritten the same). */
		o->state = OUT_IDLE;
		o->inflight = 0;
		output_wake_in(o, 5);
		return 0;
	}
	if (r < 0) {
		o->state = OUT_IDLE;
		output_failed(o, 0, -1, store_errmsg(o->os->store));
		return 0;
	}
	o->saved = ev->seq;
	output_done_later(o);
	return 0;
}

const struct output_type_ops output_feed_ops = {
	.init = fd_init,
	.deliver = fd_deliver,
};
