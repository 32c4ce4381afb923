/* store_put.c — store_put_briefing: dedupe, revisions, turns, the outbox
 * event. Rules in docs/store.md.
 */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "store_impl.h"
#include "url.h"

/* ---- helpers ------------------------------------------------------------------- */

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Step a write statement to completion. */
static int
run(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	int r = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store_fail(s, rc);

	sqlite3_reset(st);
	return r;
}

/* A single int64 from a lookup; *out 0 when no row. */
static int
lookup_id(struct store *s, sqlite3_stmt *st, int64_t *out)
{
	int rc = sqlite3_step(st);

	*out = 0;
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		return store_fail(s, rc);
	sqlite3_reset(st);
	return 0;
}

int
store_item_lookup_fp(struct store *s, const char *feed, const char *item_id,
		     const char *url, int64_t *briefing_id,
		     uint64_t *fingerprint)
{
	sqlite3_stmt *st;
	char *key;
	int r, rc;

	*briefing_id = 0;
	if (fingerprint)
		*fingerprint = 0;
	if (feed && item_id) {
		if (!(st = store_stmt(s, ST_ITEM_GET)))
			return -EIO;
		store_bind_str(st, 1, feed);
		store_bind_str(st, 2, item_id);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*briefing_id = sqlite3_column_int64(st, 0);
			if (fingerprint)
				*fingerprint =
					(uint64_t)sqlite3_column_int64(st, 1);
		} else if (rc != SQLITE_DONE) {
			return store_fail(s, rc);
		}
		sqlite3_reset(st);
		if (*briefing_id)
			return 0;
	}
	if (!url)
		return 0;
	if (!(key = url_key(url)))
		return store_failf(s, -ENOMEM, "out of memory");
	if (!(st = store_stmt(s, ST_URL_GET))) {
		free(key);
		return -EIO;
	}
	store_bind_str(st, 1, key);
	r = lookup_id(s, st, briefing_id);
	sqlite3_reset(st);
	free(key);
	return r;
}

int
store_item_lookup(struct store *s, const char *feed, const char *item_id,
		  const char *url, int64_t *briefing_id)
{
	return store_item_lookup_fp(s, feed, item_id, url, briefing_id, NULL);
}

int
store_item_mark(struct store *s, const char *feed, const char *item_id,
		int64_t briefing_id, uint64_t fingerprint)
{
	sqlite3_stmt *st;
	int rc;

	if (!feed || !item_id || briefing_id <= 0)
		return store_failf(s, -EINVAL, "item mark: missing feed, item or briefing");
	if (!(st = store_stmt(s, ST_ITEM_MARK)))
		return -EIO;
	store_bind_str(st, 1, feed);
	store_bind_str(st, 2, item_id);
	sqlite3_bind_int64(st, 3, briefing_id);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 5, (sqlite3_int64)fingerprint);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc);
	return 0;
}

/* ---- the put --------------------------------------------------------------------- */

struct put {
	struct store *s;
	struct briefing *b;
	const char *feed, *item_id;
	int64_t now, id, rev;    /* rev: the revision being written */
	const struct store_record *r; /* record text, head, hash, key */
	uint64_t fp;             /* the feed item's fingerprint, or 0 */
	json_t *rec;             /* record as JSON (with turns) */
	json_t *changes;         /* briefing.updated only */
	/* name → speakers.id, for this put */
	struct { const char *name; int64_t id; } *spk;
	size_t nspk;
};

static int
speaker_id(struct put *p, const char *name, const char *role, int64_t *out)
{
	struct store *s = p->s;
	sqlite3_stmt *st;
	void *nv;
	size_t i;
	int r;

	for (i = 0; i < p->nspk; i++)
		if (strcmp(p->spk[i].name, name) == 0) {
			*out = p->spk[i].id;
			return 0;
		}
	if (!role) {
		const struct speaker *sp = briefing_find_speaker(p->b, name);

		role = sp ? sp->role : NULL;
	}
	if (!(st = store_stmt(s, ST_SPEAKER_UPSERT)))
		return -EIO;
	store_bind_str(st, 1, name);
	store_bind_str(st, 2, role);
	if ((r = run(s, st)) < 0)
		return r;
	if (!(st = store_stmt(s, ST_SPEAKER_ID)))
		return -EIO;
	store_bind_str(st, 1, name);
	if ((r = lookup_id(s, st, out)) < 0)
		return r;
	nv = realloc(p->spk, (p->nspk + 1) * sizeof(*p->spk));
	if (!nv)
		return store_failf(s, -ENOMEM, "out of memory");
	p->spk = nv;
	p->spk[p->nspk].name = name;
	p->spk[p->nspk].id = *out;
	p->nspk++;
	return 0;
}

/* Insert (update == 0) or update turn i at revision p->rev. */
static int
write_turn(struct put *p, size_t i, int update)
{
	struct store *s = p->s;
	const struct turn *t = &p->b->turns[i];
	int64_t sid = 0;
	sqlite3_stmt *st;
	int r;

	if (t->speaker && (r = speaker_id(p, t->speaker, NULL, &sid)) < 0)
		return r;
	if (t->speaker && t->label && strcmp(t->label, t->speaker) != 0) {
		if (!(st = store_stmt(s, ST_ALIAS_PUT)))
			return -EIO;
		store_bind_str(st, 1, t->label);
		sqlite3_bind_int64(st, 2, sid);
		if ((r = run(s, st)) < 0)
			return r;
	}
	if (!(st = store_stmt(s, update ? ST_TURN_UPD : ST_TURN_INS)))
		return -EIO;
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, p->rev);
	sqlite3_bind_int64(st, 3, (int64_t)i);
	if (sid)
		sqlite3_bind_int64(st, 4, sid);
	sqlite3_bind_int(st, 5, (int)t->type);
	store_bind_str(st, 6, t->label);
	store_bind_str(st, 7, t->asker);
	store_bind_str(st, 8, t->outlet);
	store_bind_str(st, 9, t->text ? t->text : "");
	store_bind_str(st, 10, p->b->lang);
	if ((r = run(s, st)) < 0 || update) /* updates: trigger turns_au */
		return r;
	/* The values turns_src gives for this row, which the delete
	 * trigger will recompute. */
	if (!(st = store_stmt(s, ST_TURN_FTS_INS)))
		return -EIO;
	sqlite3_bind_int64(st, 1, sqlite3_last_insert_rowid(s->db));
	store_bind_str(st, 2, t->speaker ? t->speaker : t->asker);
	store_bind_str(st, 3, t->text ? t->text : "");
	store_bind_str(st, 4, p->b->lang);
	return run(s, st);
}

/* Bind the briefing's own columns to ?2..?9 (url, kind, title, subtitle,
 * published, updated, location, summary) and ?13 (lang). */
static void
bind_fields(sqlite3_stmt *st, const struct briefing *b)
{
	store_bind_str(st, 2, b->url);
	store_bind_str(st, 3, briefing_kind_name(b->kind));
	store_bind_str(st, 4, b->title);
	store_bind_str(st, 5, b->subtitle);
	store_bind_str(st, 6, b->published);
	store_bind_str(st, 7, b->updated);
	store_bind_str(st, 8, b->location);
	store_bind_str(st, 9, b->summary);
	store_bind_str(st, 13, b->lang);
}

/* The (feed, item) → briefing row; with a fingerprint, also the item's
 * fingerprint (what store_item_mark does), in the same statement. */
static int
put_item_row(struct put *p)
{
	sqlite3_stmt *st = store_stmt(p->s, p->fp ? ST_ITEM_MARK : ST_ITEM_PUT);

	if (!st)
		return -EIO;
	store_bind_str(st, 1, p->feed);
	store_bind_str(st, 2, p->item_id);
	sqlite3_bind_int64(st, 3, p->id);
	sqlite3_bind_int64(st, 4, p->now);
	if (p->fp)
		sqlite3_bind_int64(st, 5, (sqlite3_int64)p->fp);
	return run(p->s, st);
}

static int
write_common(struct put *p, const char *url_key)
{
	struct store *s = p->s;
	sqlite3_stmt *st;
	size_t i;
	int r;

	for (i = 0; i < p->b->nspeakers; i++) {
		const struct speaker *sp = &p->b->speakers[i];
		int64_t id;

		if (sp->name &&
		    (r = speaker_id(p, sp->name, sp->role, &id)) < 0)
			return r;
	}
	if (!(st = store_stmt(s, ST_URL_PUT)))
		return -EIO;
	store_bind_str(st, 1, url_key);
	sqlite3_bind_int64(st, 2, p->id);
	if ((r = run(s, st)) < 0)
		return r;
	if (p->item_id && (r = put_item_row(p)) < 0)
		return r;
	if (!(st = store_stmt(s, ST_REV_INS)))
		return -EIO;
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, p->rev);
	store_bind_str(st, 3, p->r->text);
	sqlite3_bind_int64(st, 4, (int64_t)p->r->hash);
	sqlite3_bind_int64(st, 5, p->now);
	return run(s, st);
}

static int
put_new(struct put *p, const char *url_key)
{
	struct store *s = p->s;
	sqlite3_stmt *st;
	size_t i;
	int r;

	if (!(st = store_stmt(s, ST_BRIEFING_INS)))
		return -EIO;
	store_bind_str(st, 1, p->feed);
	bind_fields(st, p->b);
	sqlite3_bind_int64(st, 10, (int64_t)p->r->hash);
	sqlite3_bind_int64(st, 11, p->now);
	if ((r = run(s, st)) < 0)
		return r;
	p->id = sqlite3_last_insert_rowid(s->db);
	p->rev = 1;
	if (!(st = store_stmt(s, ST_HEAD_FTS_INS)))
		return -EIO;
	sqlite3_bind_int64(st, 1, p->id);
	store_bind_str(st, 2, p->b->title);
	store_bind_str(st, 3, p->b->summary);
	store_bind_str(st, 4, p->b->lang);
	if ((r = run(s, st)) < 0)
		return r;
	for (i = 0; i < p->b->nturns; i++)
		if ((r = write_turn(p, i, 0)) < 0)
			return r;
	return write_common(p, url_key);
}

static int
append_idx(json_t *arr, size_t i)
{
	return json_array_append_new(arr, json_integer((json_int_t)i));
}

/* The record as a jansson tree, without id and feed (as make_record). */
static json_t *
record_tree(struct briefing *b)
{
	int64_t id = b->id;
	char *feed = b->feed;
	json_t *j;

	b->id = 0;
	b->feed = NULL;
	j = briefing_to_json(b, 1);
	b->id = id;
	b->feed = feed;
	return j;
}

/* Compare the new record with the stored one: the changes summary of
 * docs/store.md, and the turns to rewrite. */
static int
diff(struct put *p, const json_t *old, json_t **out)
{
	static const char *const fields[] = {
		"url", "kind", "title", "subtitle", "published", "updated",
		"location", "summary", "speakers",
	};
	json_t *ch = json_object(), *f = json_array(), *t = json_object();
	json_t *add = json_array(), *ed = json_array(), *rm = json_array();
	const json_t *ot = json_object_get(old, "turns"), *nt;
	size_t i, on = json_array_size(ot), nn;
	int r = 0;

	/* The tree of the new record, built only here (an update). */
	if (!p->rec)
		p->rec = record_tree(p->b);
	nt = json_object_get(p->rec, "turns");
	nn = json_array_size(nt);
	if (!ch || !f || !t || !add || !ed || !rm || !p->rec) {
		r = -ENOMEM;
		goto done;
	}
	for (i = 0; r == 0 && i < sizeof(fields) / sizeof(fields[0]); i++) {
		const json_t *a = json_object_get(old, fields[i]);
		const json_t *b = json_object_get(p->rec, fields[i]);

		if (!a)
			a = json_null();
		if (!b)
			b = json_null();
		if (!json_equal((json_t *)a, (json_t *)b))
			r = json_array_append_new(f, json_string(fields[i]));
	}
	for (i = 0; r == 0 && i < (on > nn ? on : nn); i++) {
		if (i >= on)
			r = append_idx(add, i);
		else if (i >= nn)
			r = append_idx(rm, i);
		else if (!json_equal(json_array_get(ot, i),
				     json_array_get(nt, i)))
			r = append_idx(ed, i);
	}
	if (r == 0)
		r = json_object_set(t, "added", add) |
		    json_object_set(t, "edited", ed) |
		    json_object_set(t, "removed", rm) |
		    json_object_set(ch, "fields", f) |
		    json_object_set(ch, "turns", t);
	if (r) {
		r = -ENOMEM;
		goto done;
	}
	*out = ch;
	ch = NULL;
done:
	json_decref(ch);
	json_decref(f);
	json_decref(t);
	json_decref(add);
	json_decref(ed);
	json_decref(rm);
	return r;
}

static int
put_update(struct put *p, int64_t oldrev, const char *oldtext,
	   const char *url_key)
{
	struct store *s = p->s;
	json_t *old, *v;
	sqlite3_stmt *st;
	size_t i, on;
	int r;

	old = json_loads(oldtext, 0, NULL);
	if (!old)
		return store_failf(s, -EIO, "briefing %lld: stored revision "
				   "is not JSON", (long long)p->id);
	on = json_array_size(json_object_get(old, "turns"));
	r = diff(p, old, &p->changes);
	json_decref(old);
	if (r < 0)
		return store_failf(s, r, "out of memory");
	p->rev = oldrev + 1;
	if (!(st = store_stmt(s, ST_BRIEFING_UPD)))
		return -EIO;
	sqlite3_bind_int64(st, 1, p->id);
	bind_fields(st, p->b);
	sqlite3_bind_int64(st, 10, p->rev);
	sqlite3_bind_int64(st, 11, (int64_t)p->r->hash);
	sqlite3_bind_int64(st, 12, p->now);
	if ((r = run(s, st)) < 0)
		return r;
	/* Only the turns that changed are rewritten: an edit re-indexes
	 * one turn, not the whole transcript. */
	v = json_object_get(json_object_get(p->changes, "turns"), "edited");
	for (i = 0; i < json_array_size(v); i++)
		if ((r = write_turn(p, (size_t)json_integer_value(
						json_array_get(v, i)), 1)) < 0)
			return r;
	if (on > p->b->nturns) {
		if (!(st = store_stmt(s, ST_TURN_DEL_FROM)))
			return -EIO;
		sqlite3_bind_int64(st, 1, p->id);
		sqlite3_bind_int64(st, 2, (int64_t)p->b->nturns);
		if ((r = run(s, st)) < 0)
			return r;
	}
	for (i = on; i < p->b->nturns; i++)
		if ((r = write_turn(p, i, 0)) < 0)
			return r;
	return write_common(p, url_key);
}

/* "stored": when the event row was written (UTC, microseconds), so that
 * a subscriber can measure how late it hears of a briefing. Written by
 * hand: this runs for every event, and snprintf cost more than the row. */
static void
stored_time(char out[28])
{
	struct timespec ts;
	struct tm tm;
	long us;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	us = ts.tv_nsec / 1000;
	/* 2026-11-28T21:40:00.123456Z */
	memcpy(out, "0000-00-00T00:00:00.000000Z", 28);
	for (i = 3, tm.tm_year += 1900; i >= 0; i--, tm.tm_year /= 10)
		out[i] = (char)('0' + tm.tm_year % 10);
	out[5] = (char)('0' + (tm.tm_mon + 1) / 10);
	out[6] = (char)('0' + (tm.tm_mon + 1) % 10);
	out[8] = (char)('0' + tm.tm_mday / 10);
	out[9] = (char)('0' + tm.tm_mday % 10);
	out[11] = (char)('0' + tm.tm_hour / 10);
	out[12] = (char)('0' + tm.tm_hour % 10);
	out[14] = (char)('0' + tm.tm_min / 10);
	out[15] = (char)('0' + tm.tm_min % 10);
	out[17] = (char)('0' + tm.tm_sec / 10);
	out[18] = (char)('0' + tm.tm_sec % 10);
	for (i = 25; i >= 20; i--, us /= 10)
		out[i] = (char)('0' + us % 10);
}

/* The outbox row: the event line exactly as subscribers will get it,
 * {"seq","type","stored","briefing"[,"revision","changes"]}, the briefing
 * as briefing_to_json(b, 0) makes it, from the record's text. */
static int
put_event(struct put *p, int updated, int64_t *seq)
{
	struct store *s = p->s;
	struct buf line = BUF_INIT;
	sqlite3_stmt *st;
	char stored[28], *changes = NULL;
	const char *type = updated ? "briefing.updated" : "briefing.new";
	int r;

	/* One lookup per transaction; the writer is the only one that adds
	 * events, and its transaction holds the write lock. */
	if (s->seq_next > 0) {
		*seq = s->seq_next;
	} else {
		if (!(st = store_stmt(s, ST_EVENT_NEXT)))
			return -EIO;
		if ((r = lookup_id(s, st, seq)) < 0)
			return r;
	}
	p->b->id = p->id;
	stored_time(stored);
	r = -ENOMEM;
	if (buf_puts(&line, "{\"seq\":") < 0 ||
	    buf_put_int(&line, *seq) < 0 ||
	    buf_puts(&line, ",\"type\":\"") < 0 ||
	    buf_puts(&line, type) < 0 ||
	    buf_puts(&line, "\",\"stored\":\"") < 0 ||
	    buf_puts(&line, stored) < 0 ||
	    buf_puts(&line, "\",\"briefing\":") < 0)
		goto done;
	r = briefing_dump_from_record(p->b, p->r->text, p->r->head, &line);
	if (r < 0) {
		if (r == -EINVAL)
			r = store_failf(s, -EIO, "record text of briefing "
					"%lld is malformed", (long long)p->id);
		goto done;
	}
	r = -ENOMEM;
	if (updated &&
	    (!(changes = json_dumps(p->changes, JSON_COMPACT)) ||
	     buf_puts(&line, ",\"revision\":") < 0 ||
	     buf_put_int(&line, p->rev) < 0 ||
	     buf_puts(&line, ",\"changes\":") < 0 ||
	     buf_puts(&line, changes) < 0))
		goto done;
	if (buf_putc(&line, '}') < 0)
		goto done;
	r = -EIO;
	if (!(st = store_stmt(s, ST_EVENT_INS)))
		goto done;
	sqlite3_bind_int64(st, 1, *seq);
	store_bind_str(st, 2, type);
	sqlite3_bind_int64(st, 3, p->id);
	store_bind_str(st, 4, p->feed);
	sqlite3_bind_text(st, 5, line.data, (int)line.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, p->now);
	r = run(s, st);
	if (r >= 0)
		s->seq_next = *seq + 1;
done:
	if (r == -ENOMEM)
		store_failf(s, r, "out of memory");
	free(changes);
	buf_free(&line);
	return r;
}

/* The record's canonical text: briefing_to_json without id and feed, so
 * the same page through two feeds has one hash. Written directly
 * (briefing_dump_record); the jansson tree is built only for an update's
 * diff. */
int
store_record_make(struct briefing *b, const char *feed, const char *item_id,
		  struct store_record *out)
{
	struct buf text = BUF_INIT;
	char *clean;

	memset(out, 0, sizeof(*out));
	/* A link tagged ?utm_source=rss is the same page: stored (and
	 * compared, and published) without its tracking parameters. */
	if (b->url) {
		if (!(clean = url_strip_tracking(b->url)))
			return -ENOMEM;
		free(b->url);
		b->url = clean;
		out->key = url_key(b->url);
	} else if (asprintf(&out->key, "item:%s\x1f%s", feed ? feed : "",
			  item_id ? item_id : "") < 0)
		out->key = NULL;
	if (!out->key || briefing_dump_record(b, &text, &out->head) < 0 ||
	    !(out->text = buf_detach(&text))) {
		buf_free(&text);
		store_record_clear(out);
		return -ENOMEM;
	}
	out->hash = fnv1a(out->text);
	return 0;
}

void
store_record_clear(struct store_record *r)
{
	free(r->text);
	free(r->key);
	memset(r, 0, sizeof(*r));
}

/* A record stored before records had a lang (schema < 8) that is the
 * same but for it: unchanged, not a new revision of every page on its
 * first re-fetch after the upgrade. (It keeps no lang until a real
 * change: its rows stay indexed as they were, by detection.) */
static int
same_but_lang(struct briefing *b, const char *oldtext)
{
	struct buf t = BUF_INIT;
	char *lang = b->lang;
	int same;

	if (!lang)
		return 0;
	b->lang = NULL;
	same = briefing_dump_record(b, &t, NULL) == 0 && t.data &&
	       strcmp(t.data, oldtext) == 0;
	b->lang = lang;
	buf_free(&t);
	return same;
}

static int
put(struct put *p, int64_t *seq)
{
	struct store *s = p->s;
	const char *key = p->r->key;
	char *oldtext = NULL;
	int64_t oldrev = 0, oldhash = 0;
	sqlite3_stmt *st;
	int r;

	if ((r = store_item_lookup(s, p->feed, p->item_id, NULL, &p->id)) < 0)
		goto done;
	if (!p->id) {
		if (!(st = store_stmt(s, ST_URL_GET))) {
			r = -EIO;
			goto done;
		}
		store_bind_str(st, 1, key);
		if ((r = lookup_id(s, st, &p->id)) < 0)
			goto done;
	}
	if (!p->id) {
		r = put_new(p, key);
		if (r == 0)
			r = put_event(p, 0, seq);
		r = r < 0 ? r : STORE_NEW;
		goto done;
	}
	if (!(st = store_stmt(s, ST_LATEST_REV))) {
		r = -EIO;
		goto done;
	}
	sqlite3_bind_int64(st, 1, p->id);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		r = r == SQLITE_DONE
			    ? store_failf(s, -EIO, "briefing %lld has no "
					  "revision", (long long)p->id)
			    : store_fail(s, r);
		sqlite3_reset(st);
		goto done;
	}
	oldrev = sqlite3_column_int64(st, 0);
	oldhash = sqlite3_column_int64(st, 1);
	r = 0;
	oldtext = store_col_dup(st, 2, &r);
	sqlite3_reset(st);
	if (r < 0 || !oldtext) {
		r = store_failf(s, -ENOMEM, "out of memory");
		goto done;
	}
	if (((uint64_t)oldhash == p->r->hash &&
	     strcmp(oldtext, p->r->text) == 0) ||
	    same_but_lang(p->b, oldtext)) {
		/* Unchanged. A new way to reach it (another feed's item)
		 * is remembered; a plain re-fetch writes nothing. */
		r = 0;
		if (p->item_id)
			r = put_item_row(p);
		r = r < 0 ? r : STORE_UNCHANGED;
		goto done;
	}
	r = put_update(p, oldrev, oldtext, key);
	if (r == 0)
		r = put_event(p, 1, seq);
	r = r < 0 ? r : STORE_UPDATED;
done:
	free(oldtext);
	return r;
}

int
store_put_briefing(struct store *s, const char *feed, const char *item_id,
		   struct briefing *b, int64_t *seq)
{
	return store_put_item(s, feed, item_id, 0, b, seq);
}

int
store_put_item(struct store *s, const char *feed, const char *item_id,
	       uint64_t fingerprint, struct briefing *b, int64_t *seq)
{
	return store_put_record(s, feed, item_id, fingerprint, b, NULL, seq);
}

int
store_put_record(struct store *s, const char *feed, const char *item_id,
		 uint64_t fingerprint, struct briefing *b,
		 const struct store_record *rec, int64_t *seq)
{
	struct put p = {0};
	struct store_record own = {0};
	int64_t dummy, oid = b ? b->id : 0;
	int r;

	if (!seq)
		seq = &dummy;
	*seq = 0;
	if (!feed || !b || (!b->url && !item_id))
		return store_failf(s, -EINVAL, "briefing needs a feed and a "
				   "url or item id");
	if (!b->feed && !(b->feed = strdup(feed)))
		return store_failf(s, -ENOMEM, "out of memory");
	p.s = s;
	p.b = b;
	p.feed = feed;
	p.item_id = item_id;
	p.fp = item_id ? fingerprint : 0;
	p.now = store_now();
	if (!rec) {
		if ((r = store_record_make(b, feed, item_id, &own)) < 0) {
			r = store_failf(s, r, "out of memory");
			goto done;
		}
		rec = &own;
	}
	p.r = rec;
	if ((r = store_write_begin(s)) < 0)
		goto done;
	if ((r = put(&p, seq)) >= 0) {
		int k = store_langs_note(s);

		r = k < 0 ? k : r;
	}
	r = store_write_end(s, r);
	if (r >= 0 && p.id)
		b->id = p.id;
	if (r < 0) {
		b->id = oid;
		*seq = 0;
	}
done:
	json_decref(p.rec);
	json_decref(p.changes);
	store_record_clear(&own);
	free(p.spk);
	return r;
}
