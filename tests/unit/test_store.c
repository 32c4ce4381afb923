/* test_store.c — the SQLite archive, on real database files in a temp dir.
 * A second plain sqlite3 connection inspects what the store wrote.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "briefing.h"
#include "buf.h"
#include "store.h"
#include "tokenizer.h"
#include "schema_v7.h"

#define FIXTURE BW_SRCDIR "/tests/fixtures/store/press-point.json"

struct env {
	char dir[64];
	char path[96];
	struct store *s;
};

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char *err = NULL;

	assert_non_null(e);
	strcpy(e->dir, "/tmp/bw-store-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/bw.db", e->dir);
	assert_int_equal(store_open(e->path, 0, &e->s, &err), 0);
	assert_null(err);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];

	store_close(e->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static struct briefing *
fixture(void)
{
	json_error_t je;
	json_t *o = json_load_file(FIXTURE, 0, &je);
	struct briefing *b = NULL;

	assert_non_null(o);
	assert_int_equal(briefing_from_json(o, &b), 0);
	json_decref(o);
	return b;
}

static struct briefing *
small(const char *url, const char *title, const char *speaker,
      const char *text)
{
	struct briefing *b = briefing_new();

	assert_non_null(b);
	b->url = strdup(url);
	b->title = strdup(title);
	b->published = strdup("2024-01-10");
	b->kind = BRIEFING_TRANSCRIPT;
	assert_int_equal(briefing_add_speaker(b, speaker, NULL), 0);
	assert_int_equal(briefing_add_turn(b, TURN_STATEMENT, speaker, NULL,
					   NULL, NULL, text), 0);
	return b;
}

static sqlite3 *
inspector(const struct env *e)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(e->path, &db, SQLITE_OPEN_READONLY,
					 NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	return db;
}

static int64_t
q1(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t
count_rows(const struct env *e, const char *sql)
{
	sqlite3 *db = inspector(e);
	int64_t v = q1(db, sql);

	sqlite3_close(db);
	return v;
}

static int64_t
head(struct store *s)
{
	int64_t h = -1;

	assert_int_equal(store_head(s, &h), 0);
	return h;
}

struct events {
	size_t n;
	int64_t seq[64];
	char *json[64];
};

static int
on_event(void *arg, const struct store_event *ev)
{
	struct events *v = arg;

	assert_true(v->n < 64);
	v->seq[v->n] = ev->seq;
	v->json[v->n] = strdup(ev->json);
	v->n++;
	return 0;
}

static void
events_free(struct events *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->json[i]);
	v->n = 0;
}

struct hits {
	size_t n;
	int64_t id[32];
	char *speaker[32];
	char *snippet[32];
};

static int
on_hit(void *arg, const struct store_hit *h)
{
	struct hits *v = arg;

	assert_true(v->n < 32);
	v->id[v->n] = h->id;
	v->speaker[v->n] = h->speaker ? strdup(h->speaker) : NULL;
	v->snippet[v->n] = h->snippet ? strdup(h->snippet) : NULL;
	v->n++;
	return 0;
}

static void
hits_free(struct hits *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->speaker[i]);
		free(v->snippet[i]);
	}
	v->n = 0;
}

static int
search(struct store *s, const struct store_query *q, struct hits *out)
{
	memset(out, 0, sizeof(*out));
	return store_search(s, q, on_hit, out);
}

static int64_t
put(struct store *s, const char *feed, const char *item, struct briefing *b,
    int expect)
{
	int64_t seq = -1;

	assert_int_equal(store_put_briefing(s, feed, item, b, &seq), expect);
	return seq;
}

/* The revision record as stored for briefing id. */
static char *
stored_record(const struct env *e, int64_t id)
{
	sqlite3 *db = inspector(e);
	sqlite3_stmt *st;
	char *v;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT record FROM revisions"
					    " WHERE briefing_id = ?1 ORDER BY n"
					    " DESC LIMIT 1", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = strdup((const char *)sqlite3_column_text(st, 0));
	assert_non_null(v);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Records written by older versions came from json_dumps, and an
 * unchanged briefing is recognised by its text: the store's own writer
 * must give jansson's compact text byte for byte. */
static void
test_record_text_is_exactly_janssons_compact_dump(void **state)
{
	struct env *e = *state;
	struct briefing *b[2] = {
		fixture(),
		small("https://x.example/esc", "Quote \" back\\slash /slash "
		      "\x01\x02\x1f\x7f del", "Ana \xc3\x96z \xe6\x97\xa5",
		      "tab\t nl\n cr\r bs\b ff\f vt\v esc\x1b "
		      "\xf0\x9f\x98\x80 \xe2\x80\xa8 end\\"),
	};
	size_t i;

	for (i = 0; i < 2; i++) {
		int64_t id;
		char *feed, *want, *got;
		json_t *j;

		put(e->s, "f", NULL, b[i], STORE_NEW);
		id = b[i]->id;
		feed = b[i]->feed;
		b[i]->id = 0;
		b[i]->feed = NULL;
		j = briefing_to_json(b[i], 1);
		b[i]->id = id;
		b[i]->feed = feed;
		assert_non_null(j);
		want = json_dumps(j, JSON_COMPACT);
		got = stored_record(e, id);
		assert_string_equal(got, want);
		put(e->s, "f", NULL, b[i], STORE_UNCHANGED);
		free(want);
		free(got);
		json_decref(j);
		briefing_free(b[i]);
	}
}

/* ---- schema and opening ------------------------------------------------------ */

static void
test_item_fingerprint_is_recorded_and_read_back(void **state)
{
	struct env *e = *state;
	struct briefing *b = small("https://example.int/a", "A", "Ann Lee",
				   "Hello.");
	uint64_t fp = 0;
	int64_t id = 0;

	put(e->s, "nato", "item-1", b, STORE_NEW);
	assert_int_equal(store_item_lookup_fp(e->s, "nato", "item-1", NULL,
					      &id, &fp), 0);
	assert_int_equal(id, b->id);
	assert_true(fp == 0);
	assert_int_equal(store_item_mark(e->s, "nato", "item-1", b->id,
					 0xfeedfacecafebeefULL), 0);
	assert_int_equal(store_item_lookup_fp(e->s, "nato", "item-1", NULL,
					      &id, &fp), 0);
	assert_true(fp == 0xfeedfacecafebeefULL);
	/* the same briefing seen through another feed: a new item row */
	assert_int_equal(store_item_mark(e->s, "un", "x", b->id, 7), 0);
	assert_int_equal(store_item_lookup_fp(e->s, "un", "x", NULL, &id, &fp), 0);
	assert_int_equal(id, b->id);
	assert_true(fp == 7);
	/* found by URL only: no fingerprint for this feed */
	assert_int_equal(store_item_lookup_fp(e->s, "gov", "y",
					      "https://example.int/a", &id,
					      &fp), 0);
	assert_int_equal(id, b->id);
	assert_true(fp == 0);
	assert_int_equal(store_item_mark(e->s, "nato", "item-1", 0, 1), -EINVAL);
	briefing_free(b);
}

static void
test_put_item_records_the_fingerprint_on_every_path(void **state)
{
	struct env *e = *state;
	struct briefing *b = small("https://example.int/p", "P", "Ann Lee",
				   "Hello.");
	struct briefing *c = small("https://example.int/p", "P", "Ann Lee",
				   "Hello.");
	struct briefing *d = small("https://example.int/p", "P", "Ann Lee",
				   "Hello, edited.");
	uint64_t fp = 0;
	int64_t id = 0, seq = 0, seq2 = 0;

	(void)state;
	/* new */
	assert_int_equal(store_put_item(e->s, "nato", "i1", 11, b, &seq),
			 STORE_NEW);
	assert_int_equal(store_item_lookup_fp(e->s, "nato", "i1", NULL, &id,
					      &fp), 0);
	assert_true(id == b->id && fp == 11);
	/* unchanged, reached through another feed's item */
	assert_int_equal(store_put_item(e->s, "un", "u1", 22, c, NULL),
			 STORE_UNCHANGED);
	assert_int_equal(store_item_lookup_fp(e->s, "un", "u1", NULL, &id,
					      &fp), 0);
	assert_true(id == b->id && fp == 22);
	/* updated: the new fingerprint replaces the old; seqs go on */
	assert_int_equal(store_put_item(e->s, "nato", "i1", 33, d, &seq2),
			 STORE_UPDATED);
	assert_int_equal(store_item_lookup_fp(e->s, "nato", "i1", NULL, &id,
					      &fp), 0);
	assert_true(id == b->id && fp == 33);
	assert_true(seq2 == seq + 1);
	briefing_free(b);
	briefing_free(c);
	briefing_free(d);
}

static void
test_event_seqs_run_on_within_a_batch_and_after_a_rollback(void **state)
{
	struct env *e = *state;
	struct briefing *b[4];
	int64_t seq[4] = {0};
	char url[64];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		snprintf(url, sizeof(url), "https://example.int/s%d", i);
		b[i] = small(url, "S", "Ann Lee", "Hello.");
	}
	assert_int_equal(store_begin(e->s), 0);
	assert_int_equal(store_put_item(e->s, "f", "a", 1, b[0], &seq[0]), 1);
	assert_int_equal(store_put_item(e->s, "f", "b", 1, b[1], &seq[1]), 1);
	assert_int_equal(store_rollback(e->s), 0);
	/* the rolled-back seqs are handed out again, once */
	assert_int_equal(store_begin(e->s), 0);
	b[0]->id = b[1]->id = 0;
	assert_int_equal(store_put_item(e->s, "f", "a", 1, b[0], &seq[2]), 1);
	assert_int_equal(store_put_item(e->s, "f", "c", 1, b[2], &seq[3]), 1);
	assert_int_equal(store_commit(e->s), 0);
	assert_true(seq[1] == seq[0] + 1);
	assert_true(seq[2] == seq[0]);
	assert_true(seq[3] == seq[2] + 1);
	/* a put in its own transaction continues after the batch */
	assert_int_equal(store_put_item(e->s, "f", "d", 1, b[3], &seq[1]), 1);
	assert_true(seq[1] == seq[3] + 1);
	for (i = 0; i < 4; i++)
		briefing_free(b[i]);
}

static void
test_a_version_1_database_is_migrated_keeping_its_items(void **state)
{
	struct env *e = *state;
	struct briefing *b = small("https://example.int/v1", "Old", "Ann Lee",
				   "Kept.");
	struct store *s2 = NULL;
	char *err = NULL;
	sqlite3 *db;
	uint64_t fp = 1;
	int64_t id = 0;

	put(e->s, "nato", "old-1", b, STORE_NEW);
	store_close(e->s);
	e->s = NULL;
	/* Make the file look like a version 1 database. */
	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	/* the schema names the tokenizer: ALTER TABLE re-reads it */
	assert_int_equal(tok_register(db, NULL), 0);
	assert_int_equal(sqlite3_exec(db,
		SCHEMA_UNDO_V8
		"ALTER TABLE items DROP COLUMN fingerprint;"
		"DROP TABLE pages;"
		"DROP TABLE fts_langs;"
		"DROP TABLE meta;"
		"DROP TABLE feed_sched;"
		"DROP TABLE outputs;"
		"DROP TABLE output_items;"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(e->path, 0, &s2, &err), 0);
	e->s = s2;
	db = inspector(e);
	assert_int_equal(q1(db, "PRAGMA user_version"), 8);
	sqlite3_close(db);
	assert_int_equal(store_item_lookup_fp(e->s, "nato", "old-1", NULL,
					      &id, &fp), 0);
	assert_int_equal(id, b->id);
	assert_true(fp == 0);
	briefing_free(b);
}

static void
test_new_database_is_migrated_to_current_version_in_wal_mode(void **state)
{
	struct env *e = *state;
	sqlite3 *db = inspector(e);

	assert_int_equal(q1(db, "PRAGMA user_version"), 8);
	assert_int_equal(q1(db, "SELECT count(*) FROM sqlite_master WHERE name"
			     " IN ('feeds','items','briefings','revisions',"
			     "'speakers','turns','events','turns_fts',"
			     "'heads_fts','pages','feed_sched')"), 11);
	sqlite3_close(db);
	/* WAL is a property of the file: a second connection sees it */
	db = inspector(e);
	{
		sqlite3_stmt *st;

		sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0),
				    "wal");
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

static void
test_reopening_a_current_database_keeps_its_data(void **state)
{
	struct env *e = *state;
	struct briefing *b = fixture(), *got = NULL;
	char *err = NULL;

	put(e->s, "nato", "guid-1", b, STORE_NEW);
	store_close(e->s);
	assert_int_equal(store_open(e->path, 0, &e->s, &err), 0);
	assert_int_equal(store_get_briefing(e->s, b->id, &got), 0);
	assert_string_equal(got->title, b->title);
	assert_int_equal(head(e->s), 1);
	briefing_free(got);
	briefing_free(b);
}

static void
test_a_newer_schema_is_refused_with_a_clear_message(void **state)
{
	struct env *e = *state;
	struct store *s = NULL;
	sqlite3 *db;
	char *err = NULL;

	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
				      NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(e->path, 0, &s, &err), -EPROTO);
	assert_null(s);
	assert_non_null(err);
	assert_non_null(strstr(err, "newer"));
	free(err);
	err = NULL;
	assert_int_equal(store_open(e->path, STORE_READONLY, &s, &err),
			 -EPROTO);
	free(err);
}

static void
test_readonly_open_of_a_missing_file_is_enoent_and_creates_nothing(void **state)
{
	struct env *e = *state;
	struct store *s = NULL;
	char path[128], *err = NULL;

	snprintf(path, sizeof(path), "%s/missing.db", e->dir);
	assert_int_equal(store_open(path, STORE_READONLY, &s, &err), -ENOENT);
	assert_non_null(err);
	free(err);
	assert_int_equal(access(path, F_OK), -1);
}

static void
test_readonly_store_refuses_writes(void **state)
{
	struct env *e = *state;
	struct briefing *b = fixture();
	struct store *ro = NULL;
	char *err = NULL;

	assert_int_equal(store_open(e->path, STORE_READONLY, &ro, &err), 0);
	assert_int_equal(store_put_briefing(ro, "nato", "g", b, NULL), -EROFS);
	assert_int_equal(store_begin(ro), -EROFS);
	store_close(ro);
	briefing_free(b);
}

/* ---- put, dedupe, revisions ---------------------------------------------------- */

static void
test_new_briefing_is_stored_with_an_event_that_carries_it(void **state)
{
	struct env *e = *state;
	struct briefing *b = fixture(), *got = NULL;
	struct events ev = {0};
	json_t *o, *bj;
	char prefix[64];

	assert_int_equal(put(e->s, "nato", "guid-1", b, STORE_NEW), 1);
	assert_true(b->id > 0);
	assert_int_equal(store_events_after(e->s, 0, 0, on_event, &ev), 0);
	assert_int_equal(ev.n, 1);
	snprintf(prefix, sizeof(prefix),
		 "{\"seq\":1,\"type\":\"briefing.new\",\"stored\":\"");
	assert_memory_equal(ev.json[0], prefix, strlen(prefix));
	snprintf(prefix, sizeof(prefix), "Z\",\"briefing\":{\"id\":%lld,",
		 (long long)b->id);
	assert_non_null(strstr(ev.json[0], prefix));
	o = json_loads(ev.json[0], 0, NULL);
	assert_non_null(o);
	{
		/* "stored" is the write time, UTC with microseconds. */
		const char *st = json_string_value(json_object_get(o,
								   "stored"));
		struct tm tm = {0};
		int us = -1, n = 0;
		time_t t;

		assert_non_null(st);
		assert_int_equal(strlen(st), 27);
		assert_int_equal(sscanf(st, "%4d-%2d-%2dT%2d:%2d:%2d.%6dZ%n",
					&tm.tm_year, &tm.tm_mon, &tm.tm_mday,
					&tm.tm_hour, &tm.tm_min, &tm.tm_sec,
					&us, &n), 7);
		assert_int_equal(n, 27);
		assert_true(us >= 0 && us < 1000000);
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		t = timegm(&tm);
		assert_true(t != (time_t)-1);
		assert_true(llabs((long long)(t - time(NULL))) < 86400);
	}
	{
		/* The briefing member is briefing_dump(b, 0), byte for byte. */
		struct buf want = BUF_INIT;

		assert_int_equal(briefing_dump(b, 0, &want), 0);
		size_t n = strlen(ev.json[0]);

		assert_true(n > want.len + 1);
		assert_memory_equal(ev.json[0] + n - want.len - 1, want.data,
				    want.len);
		assert_string_equal(ev.json[0] + n - 1, "}");
		buf_free(&want);
	}
	bj = json_object_get(o, "briefing");
	assert_string_equal(json_string_value(json_object_get(bj, "feed")),
			    "nato");
	assert_null(json_object_get(bj, "turns"));
	json_decref(o);
	events_free(&ev);

	assert_int_equal(store_get_briefing(e->s, b->id, &got), 0);
	assert_int_equal(got->nturns, 8);
	assert_string_equal(got->turns[3].asker, "Kadri Tamm");
	assert_string_equal(got->feed, "nato");
	assert_int_equal(count_rows(e, "SELECT count(*) FROM turns"), 8);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM speakers"), 3);
	/* labels other than the canonical name become aliases */
	assert_int_equal(count_rows(e, "SELECT count(*) FROM speaker_aliases"
				    " WHERE alias = 'MR. KASK'"), 1);
	briefing_free(got);
	briefing_free(b);
}

static void
test_unchanged_refetch_writes_nothing(void **state)
{
	struct env *e = *state;
	struct briefing *b = fixture(), *again = fixture();
	sqlite3 *db;
	int64_t v1, v2;

	put(e->s, "nato", "guid-1", b, STORE_NEW);
	db = inspector(e);
	v1 = q1(db, "PRAGMA data_version");
	assert_int_equal(put(e->s, "nato", "guid-1", again, STORE_UNCHANGED),
			 0);
	assert_int_equal(again->id, b->id);
	/* data_version changes when another connection commits anything */
	v2 = q1(db, "PRAGMA data_version");
	assert_int_equal(v1, v2);
	sqlite3_close(db);
	assert_int_equal(head(e->s), 1);
	briefing_free(b);
	briefing_free(again);
}

static void
test_same_page_through_two_feeds_is_one_briefing(void **state)
{
	struct env *e = *state;
	struct briefing *a = fixture(), *b = fixture();
	int64_t id = 0;

	put(e->s, "nato-news", "n-1", a, STORE_NEW);
	put(e->s, "nato-transcripts", "t-77", b, STORE_UNCHANGED);
	assert_int_equal(a->id, b->id);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM briefings"), 1);
	assert_int_equal(head(e->s), 1);
	/* the second feed's item now resolves directly */
	assert_int_equal(store_item_lookup(e->s, "nato-transcripts", "t-77",
					   NULL, &id), 0);
	assert_int_equal(id, a->id);
	briefing_free(a);
	briefing_free(b);
}

static void
test_tracking_parameters_and_fragment_do_not_make_a_new_briefing(void **state)
{
	struct env *e = *state;
	struct briefing *a = small("https://gov.example/news/brief?id=5&lang=en",
				   "Briefing", "A B", "text");
	struct briefing *b = small("HTTPS://Gov.Example:443/news/brief?utm_source=rss"
				   "&id=5&fbclid=XyZ&lang=en&utm_medium=feed"
				   "#comments",
				   "Briefing", "A B", "text");
	int64_t id = 0;

	put(e->s, "f1", "1", a, STORE_NEW);
	put(e->s, "f2", "2", b, STORE_UPDATED); /* url text differs */
	assert_int_equal(a->id, b->id);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM briefings"), 1);
	assert_int_equal(store_item_lookup(e->s, "other", "x",
					   "http://gov.example/news/brief?id=5"
					   "&gclid=1&lang=en", &id), 0);
	assert_int_equal(id, a->id);
	/* a different query parameter is a different page */
	assert_int_equal(store_item_lookup(e->s, "other", "x",
					   "https://gov.example/news/brief?id=6"
					   "&lang=en", &id), 0);
	assert_int_equal(id, 0);
	briefing_free(a);
	briefing_free(b);
}

/* #22 item 10: a feed that starts tagging its links (?utm_source=rss)
 * changes neither the briefing's URL nor its revision; a URL stored
 * first with tracking parameters is stored without them. */
static void
test_tracking_parameters_are_dropped_from_the_stored_url(void **state)
{
	struct env *e = *state;
	struct briefing *a = small("https://gov.example/b?id=5", "Briefing",
				   "A B", "text");
	struct briefing *b = small("https://gov.example/b?utm_source=rss&id=5"
				   "&utm_medium=feed&fbclid=Z", "Briefing",
				   "A B", "text");
	struct briefing *c = small("https://gov.example/c?mc_cid=1&mc_eid=2"
				   "#top", "Other", "A B", "text");
	char *rec;

	put(e->s, "f", "1", a, STORE_NEW);
	assert_int_equal(put(e->s, "f", "1", b, STORE_UNCHANGED), 0);
	assert_int_equal(a->id, b->id);
	assert_string_equal(b->url, "https://gov.example/b?id=5");
	assert_int_equal(count_rows(e, "SELECT count(*) FROM revisions"), 1);
	put(e->s, "f", "2", c, STORE_NEW);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM briefings WHERE"
				    " url = 'https://gov.example/c#top'"), 1);
	rec = stored_record(e, c->id);
	assert_non_null(strstr(rec, "\"url\":\"https://gov.example/c#top\""));
	free(rec);
	briefing_free(a);
	briefing_free(b);
	briefing_free(c);
}

static void
test_republished_guid_with_a_new_link_stays_one_briefing(void **state)
{
	struct env *e = *state;
	struct briefing *a = fixture(), *b = fixture();

	put(e->s, "nato", "guid-9", a, STORE_NEW);
	free(b->url);
	b->url = strdup("https://www.example-alliance.int/cps/en/natohq/"
			"opinions_201455.htm?selectedLocale=fr");
	put(e->s, "nato", "guid-9", b, STORE_UPDATED);
	assert_int_equal(a->id, b->id);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM briefings"), 1);
	/* both links now lead to it */
	assert_int_equal(count_rows(e, "SELECT count(*) FROM urls"), 2);
	briefing_free(a);
	briefing_free(b);
}

static void
test_edited_and_added_turns_make_a_revision_that_says_what_changed(void **state)
{
	struct env *e = *state;
	struct briefing *a = fixture(), *b = fixture(), *got = NULL;
	struct events ev = {0};
	json_t *o, *ch;
	int64_t seq;

	put(e->s, "nato", "guid-1", a, STORE_NEW);
	b->updated = strdup("2024-03-13T09:00:00Z");
	free(b->turns[4].text);
	b->turns[4].text = strdup("We have already tripled the number of "
				  "jets, and we will add more.");
	assert_int_equal(briefing_add_turn(b, TURN_QUESTION, NULL, "Q", NULL,
					   NULL, "One more on drones?"), 0);
	seq = put(e->s, "nato", "guid-1", b, STORE_UPDATED);
	assert_int_equal(seq, 2);
	assert_int_equal(b->id, a->id);
	assert_int_equal(store_events_after(e->s, 1, 10, on_event, &ev), 0);
	assert_int_equal(ev.n, 1);
	assert_memory_equal(ev.json[0], "{\"seq\":2,\"type\":\"briefing.updated\"", 34);
	o = json_loads(ev.json[0], 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(o, "revision")), 2);
	ch = json_object_get(o, "changes");
	{
		char *f = json_dumps(json_object_get(ch, "fields"), JSON_COMPACT);
		char *t = json_dumps(json_object_get(ch, "turns"), JSON_COMPACT);

		assert_string_equal(f, "[\"updated\"]");
		assert_string_equal(t, "{\"added\":[8],\"edited\":[4],"
				       "\"removed\":[]}");
		free(f);
		free(t);
	}
	json_decref(o);
	events_free(&ev);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM revisions"), 2);
	/* only the edited and the added turn carry revision 2 */
	assert_int_equal(count_rows(e, "SELECT count(*) FROM turns WHERE"
				    " revision = 2"), 2);
	assert_int_equal(store_get_briefing(e->s, a->id, &got), 0);
	assert_int_equal(got->nturns, 9);
	assert_string_equal(got->updated, "2024-03-13T09:00:00Z");
	briefing_free(got);
	assert_int_equal(store_check(e->s), 0);
	briefing_free(a);
	briefing_free(b);
}

static void
test_removed_turns_leave_the_index_consistent(void **state)
{
	struct env *e = *state;
	struct briefing *a = fixture(), *b = fixture();
	struct store_query q = {.query = "insurance"};
	struct hits h;
	size_t i;

	put(e->s, "nato", "g", a, STORE_NEW);
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	hits_free(&h);
	for (i = 5; i < b->nturns; i++) {
		free(b->turns[i].speaker);
		free(b->turns[i].label);
		free(b->turns[i].asker);
		free(b->turns[i].outlet);
		free(b->turns[i].text);
	}
	b->nturns = 5;
	put(e->s, "nato", "g", b, STORE_UPDATED);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM turns"), 5);
	assert_int_equal(store_check(e->s), 0);
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 0); /* the removed turn's words are gone */
	briefing_free(a);
	briefing_free(b);
}

static void
test_changed_title_is_reindexed(void **state)
{
	struct env *e = *state;
	struct briefing *a = small("https://x.example/1", "Press conference on "
				   "fisheries", "A B", "hello");
	struct briefing *b = small("https://x.example/1", "Press conference on "
				   "agriculture", "A B", "hello");
	struct store_query q = {.query = "fisheries"};
	struct hits h;

	put(e->s, "f", "1", a, STORE_NEW);
	put(e->s, "f", "1", b, STORE_UPDATED);
	assert_int_equal(store_check(e->s), 0);
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 0);
	q.query = "agriculture";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	assert_null(h.speaker[0]); /* a title hit */
	hits_free(&h);
	briefing_free(a);
	briefing_free(b);
}

static void
test_put_without_url_or_item_is_einval(void **state)
{
	struct env *e = *state;
	struct briefing *b = briefing_new();

	assert_int_equal(store_put_briefing(e->s, "f", NULL, b, NULL), -EINVAL);
	assert_int_equal(store_put_briefing(e->s, NULL, "x", b, NULL), -EINVAL);
	/* an item without a link is kept by its id */
	b->title = strdup("Notice");
	assert_int_equal(store_put_briefing(e->s, "f", "x", b, NULL), STORE_NEW);
	briefing_free(b);
}

/* ---- events and transactions ------------------------------------------------- */

static void
test_event_seq_is_strictly_increasing_and_never_reused(void **state)
{
	struct env *e = *state;
	struct events ev = {0};
	char url[64];
	int64_t deleted = 0, seq;
	size_t i;

	for (i = 0; i < 5; i++) {
		struct briefing *b;

		snprintf(url, sizeof(url), "https://x.example/%zu", i);
		b = small(url, "t", "A B", "words");
		assert_int_equal(put(e->s, "f", NULL, b, STORE_NEW),
				 (int64_t)i + 1);
		briefing_free(b);
	}
	assert_int_equal(store_events_after(e->s, 2, 2, on_event, &ev), 0);
	assert_int_equal(ev.n, 2);
	assert_int_equal(ev.seq[0], 3);
	assert_int_equal(ev.seq[1], 4);
	events_free(&ev);
	/* expire everything: briefings stay, head stays, seq continues */
	assert_int_equal(store_events_expire(e->s, (int64_t)time(NULL) + 10, &deleted), 0);
	assert_int_equal(deleted, 5);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM briefings"), 5);
	assert_int_equal(head(e->s), 5);
	{
		struct briefing *b = small("https://x.example/new", "t", "A B",
					   "words");

		seq = put(e->s, "f", NULL, b, STORE_NEW);
		briefing_free(b);
	}
	assert_int_equal(seq, 6);
}

static void
test_rolled_back_batch_leaves_neither_briefing_nor_event(void **state)
{
	struct env *e = *state;
	struct briefing *a = fixture(), *b = small("https://x.example/2", "t",
						   "A B", "w");
	struct briefing *got = NULL;

	assert_int_equal(store_begin(e->s), 0);
	put(e->s, "nato", "g1", a, STORE_NEW);
	put(e->s, "nato", "g2", b, STORE_NEW);
	assert_int_equal(store_rollback(e->s), 0);
	assert_int_equal(head(e->s), 0);
	assert_int_equal(store_get_briefing(e->s, a->id, &got), -ENOENT);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM turns"), 0);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM events"), 0);
	assert_int_equal(store_check(e->s), 0);
	/* and the same batch committed has both */
	a->id = 0;
	b->id = 0;
	assert_int_equal(store_begin(e->s), 0);
	assert_int_equal(put(e->s, "nato", "g1", a, STORE_NEW), 1);
	assert_int_equal(put(e->s, "nato", "g2", b, STORE_NEW), 2);
	assert_int_equal(store_commit(e->s), 0);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM events"), 2);
	briefing_free(a);
	briefing_free(b);
}

/* Disk full at every possible point of a put: each attempt either stores
 * everything or nothing, and a later put succeeds once there is room. */
static void
test_disk_full_leaves_nothing_half_written(void **state)
{
	struct env *e = *state;
	struct briefing *first = small("https://x.example/first", "t", "A B",
				       "w"), *b;
	struct store_stats st;
	uint64_t base;
	int failures = 0, r = -1;
	int64_t seq;

	put(e->s, "f", "first", first, STORE_NEW);
	assert_int_equal(store_stats(e->s, &st), 0);
	base = st.db_bytes;
	for (uint64_t extra = 0; extra < 64 * 4096; extra += 4096) {
		b = fixture();
		assert_int_equal(store_set_size_limit(e->s, base + extra), 0);
		seq = -1;
		r = store_put_briefing(e->s, "nato", "g", b, &seq);
		briefing_free(b);
		if (r == STORE_NEW)
			break;
		assert_int_equal(r, -ENOSPC);
		assert_int_equal(seq, 0);
		failures++;
		assert_int_equal(count_rows(e, "SELECT count(*) FROM briefings"), 1);
		assert_int_equal(count_rows(e, "SELECT count(*) FROM turns"), 1);
		assert_int_equal(count_rows(e, "SELECT count(*) FROM events"), 1);
		assert_int_equal(count_rows(e, "SELECT count(*) FROM revisions"), 1);
		assert_int_equal(store_check(e->s), 0);
	}
	assert_true(failures > 0);
	assert_int_equal(r, STORE_NEW);
	assert_int_equal(head(e->s), 2);
	assert_int_equal(store_check(e->s), 0);
	briefing_free(first);
}

static void
test_disk_full_inside_a_batch_aborts_the_whole_batch(void **state)
{
	struct env *e = *state;
	struct briefing *a = small("https://x.example/a", "t", "A B", "w");
	struct briefing *b = fixture();
	struct store_stats st;

	assert_int_equal(store_stats(e->s, &st), 0);
	assert_int_equal(store_begin(e->s), 0);
	put(e->s, "f", "a", a, STORE_NEW);
	assert_int_equal(store_set_size_limit(e->s, st.db_bytes), 0);
	assert_int_equal(store_put_briefing(e->s, "nato", "g", b, NULL),
			 -ENOSPC);
	assert_int_equal(store_commit(e->s), -ENOSPC);
	assert_int_equal(store_rollback(e->s), 0);
	assert_int_equal(head(e->s), 0);
	assert_int_equal(count_rows(e, "SELECT count(*) FROM briefings"), 0);
	assert_int_equal(store_set_size_limit(e->s, 0), 0);
	assert_int_equal(store_begin(e->s), 0);
	a->id = 0;
	put(e->s, "f", "a", a, STORE_NEW);
	put(e->s, "nato", "g", b, STORE_NEW);
	assert_int_equal(store_commit(e->s), 0);
	assert_int_equal(head(e->s), 2);
	briefing_free(a);
	briefing_free(b);
}

/* ---- readers and writers --------------------------------------------------- */

static void
test_reader_works_while_the_writer_holds_a_transaction(void **state)
{
	struct env *e = *state;
	struct briefing *a = fixture();
	struct briefing *b = small("https://x.example/2", "Second", "A B",
				   "sanctions again");
	struct store *ro = NULL;
	struct store_query q = {.query = "sanctions"};
	struct hits h;
	char *err = NULL;

	put(e->s, "nato", "g1", a, STORE_NEW);
	assert_int_equal(store_open(e->path, STORE_READONLY, &ro, &err), 0);
	assert_int_equal(store_begin(e->s), 0);
	put(e->s, "f", "g2", b, STORE_NEW);
	/* uncommitted: the reader sees the old state, without waiting */
	assert_int_equal(head(ro), 1);
	assert_int_equal(search(ro, &q, &h), 0);
	assert_int_equal(h.n, 1);
	hits_free(&h);
	assert_int_equal(store_commit(e->s), 0);
	assert_int_equal(head(ro), 2);
	assert_int_equal(search(ro, &q, &h), 0);
	assert_int_equal(h.n, 2);
	hits_free(&h);
	store_close(ro);
	briefing_free(a);
	briefing_free(b);
}

static void
test_an_open_read_transaction_does_not_block_the_writer(void **state)
{
	struct env *e = *state;
	struct briefing *a = fixture();
	sqlite3 *db = inspector(e);

	/* a reader in the middle of a long read */
	assert_int_equal(sqlite3_exec(db, "BEGIN; SELECT count(*) FROM turns;",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(q1(db, "SELECT count(*) FROM briefings"), 0);
	assert_int_equal(store_begin(e->s), 0);
	put(e->s, "nato", "g1", a, STORE_NEW);
	assert_int_equal(store_commit(e->s), 0);
	/* its snapshot is unchanged; after it ends it sees the write */
	assert_int_equal(q1(db, "SELECT count(*) FROM briefings"), 0);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(q1(db, "SELECT count(*) FROM briefings"), 1);
	sqlite3_close(db);
	briefing_free(a);
}

/* ---- search ------------------------------------------------------------------ */

static void
load_corpus(struct env *e)
{
	struct briefing *a = fixture();
	struct briefing *b = small("https://state.example/briefing/2024-02-01",
				   "Department Press Briefing", "Matthew Lee",
				   "We will announce new sanctions on the "
				   "shipping companies tomorrow.");
	struct briefing *c = small("https://state.example/speech/9",
				   "Remarks on fisheries", "Anna Lindqvist",
				   "Sanctions are not the topic today; "
				   "fisheries are.");

	b->published[3] = '3'; /* 2023-01-10 */
	c->kind = BRIEFING_SPEECH;
	put(e->s, "nato", "g1", a, STORE_NEW);
	put(e->s, "state", "s1", b, STORE_NEW);
	put(e->s, "state", "s2", c, STORE_NEW);
	briefing_free(a);
	briefing_free(b);
	briefing_free(c);
}

static void
test_search_ranks_and_names_the_speaker_in_the_snippet(void **state)
{
	struct env *e = *state;
	struct store_query q = {.query = "\"air policing\""};
	struct hits h;

	load_corpus(e);
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	assert_non_null(h.snippet[0]);
	assert_non_null(strstr(h.snippet[0], "[air policing]"));
	assert_non_null(h.speaker[0]);
	hits_free(&h);
	/* a question: the asker is named */
	q.query = "fighter jets";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.speaker[0], "Kadri Tamm");
	hits_free(&h);
}

static void
test_search_filters_by_speaker_feed_kind_and_date(void **state)
{
	struct env *e = *state;
	struct store_query q = {.query = "sanctions"};
	struct hits h;

	load_corpus(e);
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 3);
	hits_free(&h);

	q.speaker = "Lindqvist";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 2); /* the press point and the speech */
	assert_string_equal(h.speaker[0], "Anna Lindqvist");
	assert_string_equal(h.speaker[1], "Anna Lindqvist");
	hits_free(&h);

	q.speaker = "NA LINDQ"; /* a substring, any case */
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 2);
	hits_free(&h);
	q.speaker = "Anna Kask";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 0);
	q.speaker = "Tamm"; /* an asker is not a speaker */
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 0);
	q.speaker = "%";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 0);

	q.speaker = "kask";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.speaker[0], "Mart Kask");
	hits_free(&h);

	q.speaker = NULL;
	q.feed = "state";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 2);
	hits_free(&h);

	q.kind = "speech";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	hits_free(&h);

	q.feed = NULL;
	q.kind = NULL;
	q.since = "2024-01-01";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 2);
	hits_free(&h);
	q.since = NULL;
	q.until = "2023-12";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	hits_free(&h);
}

static void
test_search_supports_phrases_near_columns_and_punctuated_words(void **state)
{
	struct env *e = *state;
	struct store_query q = {0};
	struct hits h;

	load_corpus(e);
	q.query = "NEAR(sanctions shipping, 3)";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1); /* Matthew Lee; Kask's are too far apart */
	assert_string_equal(h.speaker[0], "Matthew Lee");
	hits_free(&h);
	q.query = "NEAR(sanctions shipping, 12)";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 2);
	hits_free(&h);
	q.query = "speaker:kask sanctions";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	hits_free(&h);
	q.query = "co-operation"; /* would be FTS5 syntax without quoting */
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	hits_free(&h);
	q.query = "polic*";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	hits_free(&h);
	q.query = "Tallinn NOT jets";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	hits_free(&h);
}

static void
test_malformed_query_is_einval_with_a_message_for_the_user(void **state)
{
	struct env *e = *state;
	static const char *const bad[] = {
		"sanctions AND", "\"unterminated", "NEAR(a b", "nosuch:x",
		"((", "-", "AND OR",
	};
	struct store_query q = {0};
	struct hits h;
	size_t i;

	load_corpus(e);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		q.query = bad[i];
		assert_int_equal(search(e->s, &q, &h), -EINVAL);
		assert_non_null(strstr(store_errmsg(e->s), "search query"));
		assert_null(strchr(store_errmsg(e->s), '\n'));
		assert_int_equal(store_briefing_matches(e->s, 1, bad[i]),
				 -EINVAL);
	}
}

/* A query matching 1500 turns or more is answered newest first (bm25
 * would cost a score per match); a narrower one is ranked. */
static void
test_very_broad_query_comes_newest_first(void **state)
{
	struct env *e = *state;
	struct store_query q = {.query = "minister", .limit = 3};
	struct hits h;
	char url[64];
	size_t i, j;

	assert_int_equal(store_begin(e->s), 0);
	for (i = 0; i < 101; i++) {
		struct briefing *b;

		snprintf(url, sizeof(url), "https://x.example/%zu", i);
		/* briefing 1 is the densest match, the best by bm25 */
		b = small(url, "t", "A B", i == 0 ? "minister minister "
			  "minister minister" : "the minister said no");
		for (j = 0; j < 39; j++)
			assert_int_equal(briefing_add_turn(b, TURN_STATEMENT,
				"A B", NULL, NULL, NULL, "a minister again "
				"and other words to dilute it"), 0);
		put(e->s, i < 10 ? "old" : "f", NULL, b, STORE_NEW);
		briefing_free(b);
	}
	assert_int_equal(store_commit(e->s), 0);
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.id[0], 101);
	assert_int_equal(h.id[1], 100);
	assert_int_equal(h.id[2], 99);
	hits_free(&h);
	/* filters apply while streaming */
	q.feed = "old";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.id[0], 10);
	hits_free(&h);
	/* a narrower query is ranked */
	q.feed = NULL;
	q.query = "\"minister minister minister\"";
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.id[0], 1);
	hits_free(&h);
}

/* A broad query without filters is answered from the walks that find it
 * broad (one FTS5 set-up per index): the same hits, snippets and
 * speakers as the filtered path gives when its filter keeps everything,
 * whether the titles or the turns are the broad side, and a briefing
 * matched in both is one hit. */
static void
test_broad_query_without_filters_answers_as_the_filtered_path(void **state)
{
	static const char *const queries[] = {"ceasefire", "truce*",
					       "ceasefire OR truce"};
	struct env *e = *state;
	struct store_query q = {.limit = 12};
	struct hits a, b;
	char url[64];
	size_t i, k, n;

	assert_int_equal(store_begin(e->s), 0);
	for (i = 0; i < 1600; i++) {
		struct briefing *br;

		snprintf(url, sizeof(url), "https://z.example/%zu", i);
		/* "ceasefire": every title (broad), every 7th turn;
		 * "truce": two turns of the others (broad), no title */
		br = small(url, "Ceasefire talks", i % 2 ? "Anna Lindqvist"
			   : "Mart Kask", i % 7 == 0 ? "the ceasefire holds"
			   : "the truce holds");
		assert_int_equal(briefing_add_turn(br, TURN_STATEMENT,
			"Mart Kask", NULL, NULL, NULL, i % 7 == 0 ?
			"nothing of the kind" : "a truce, they said"), 0);
		put(e->s, "f", NULL, br, STORE_NEW);
		briefing_free(br);
	}
	assert_int_equal(store_commit(e->s), 0);
	for (k = 0; k < sizeof(queries) / sizeof(queries[0]); k++) {
		q.query = queries[k];
		q.kind = NULL;
		assert_int_equal(search(e->s, &q, &a), 0);
		q.kind = "transcript"; /* every briefing: the filtered path */
		assert_int_equal(search(e->s, &q, &b), 0);
		assert_int_equal(a.n, 12);
		assert_int_equal(a.n, b.n);
		for (n = 0; n < a.n; n++) {
			assert_int_equal(a.id[n], b.id[n]);
			/* newest first; truce*: not the 7th briefings */
			assert_true(n == 0 || a.id[n] < a.id[n - 1]);
			if (k == 1)
				assert_true((a.id[n] - 1) % 7 != 0);
			else
				assert_int_equal(a.id[n], 1600 - (int64_t)n);
			assert_string_equal(a.snippet[n], b.snippet[n]);
			if (a.speaker[n] || b.speaker[n])
				assert_string_equal(a.speaker[n], b.speaker[n]);
		}
		hits_free(&a);
		hits_free(&b);
	}
}

/* Snippets are fetched for all hits at once: each hit must still get the
 * snippet and speaker of its own best turn, or of its own title. */
static void
test_every_hit_gets_its_own_snippet_and_speaker(void **state)
{
	static const char *const who[] = {"Anna Lindqvist", "Mart Kask",
					  "Matthew Lee"};
	struct env *e = *state;
	struct store_query q = {.query = "deterr*", .limit = 10};
	struct hits h;
	char url[64], text[128], want[64];
	struct briefing *b;
	size_t i, n, broad;

	assert_int_equal(store_begin(e->s), 0);
	for (i = 0; i < 6; i++) {
		snprintf(url, sizeof(url), "https://x.example/%zu", i);
		snprintf(text, sizeof(text), "point%zu is that deterrence "
			 "works", i);
		/* even: a turn matches; odd: only the title does */
		b = small(url, i % 2 ? "Deterrent posture" : "Other news",
			  who[i % 3], i % 2 ? "nothing to see" : text);
		put(e->s, "f", NULL, b, STORE_NEW);
		briefing_free(b);
	}
	assert_int_equal(store_commit(e->s), 0);
	for (broad = 0; broad < 2; broad++) {
		if (broad) { /* past 1500 matching turns: newest first */
			assert_int_equal(store_begin(e->s), 0);
			for (i = 0; i < 1500; i++) {
				snprintf(url, sizeof(url),
					 "https://y.example/%zu", i);
				b = small(url, "t", "Jane Roe", "deterred");
				put(e->s, "g", NULL, b, STORE_NEW);
				briefing_free(b);
			}
			assert_int_equal(store_commit(e->s), 0);
			q.feed = "f";
		}
		assert_int_equal(search(e->s, &q, &h), 0);
		assert_int_equal(h.n, 6);
		for (n = 0; n < h.n; n++) {
			i = (size_t)h.id[n] - 1;
			assert_non_null(h.snippet[n]);
			if (i % 2) {
				assert_null(h.speaker[n]);
				assert_non_null(strstr(h.snippet[n],
						       "[Deterrent]"));
				continue;
			}
			assert_string_equal(h.speaker[n], who[i % 3]);
			snprintf(want, sizeof(want), "point%zu is that "
				 "[deterrence]", i);
			assert_non_null(strstr(h.snippet[n], want));
		}
		hits_free(&h);
	}
}

static void
test_search_without_query_lists_newest_first(void **state)
{
	struct env *e = *state;
	struct store_query q = {0};
	struct hits h;

	load_corpus(e);
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.id[0], 1); /* 2024-03-12 */
	assert_int_equal(h.id[2], 2); /* 2023-01-10 */
	hits_free(&h);
	q.speaker = "Lee";
	q.limit = 1;
	assert_int_equal(search(e->s, &q, &h), 0);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.id[0], 2);
	hits_free(&h);
}

static void
test_standing_query_matches_one_briefing(void **state)
{
	struct env *e = *state;

	load_corpus(e);
	assert_int_equal(store_briefing_matches(e->s, 1, "cyber OR drones"), 1);
	assert_int_equal(store_briefing_matches(e->s, 2, "cyber OR drones"), 0);
	assert_int_equal(store_briefing_matches(e->s, 3, "fisheries"), 1);
	assert_int_equal(store_briefing_matches(e->s, 2, "title:fisheries"), 0);
	assert_int_equal(store_briefing_matches(e->s, 1, "speaker:saar"), 1);
	assert_int_equal(store_briefing_matches(e->s, 99, "sanctions"), 0);
}

struct ids {
	size_t n;
	int64_t id[16];
	int with_turns;
};

static int
on_briefing(void *arg, const struct briefing *b)
{
	struct ids *v = arg;

	v->id[v->n++] = b->id;
	if (b->nturns)
		v->with_turns = 1;
	assert_non_null(b->feed);
	return 0;
}

static void
test_foreach_walks_every_briefing_in_id_order_with_filters(void **state)
{
	struct env *e = *state;
	struct store_query q = {0};
	struct ids v = {0};

	load_corpus(e);
	assert_int_equal(store_foreach_briefing(e->s, NULL, on_briefing, &v), 0);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.id[0], 1);
	assert_int_equal(v.id[2], 3);
	assert_true(v.with_turns);
	memset(&v, 0, sizeof(v));
	q.feed = "state";
	q.since = "2024";
	assert_int_equal(store_foreach_briefing(e->s, &q, on_briefing, &v), 0);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.id[0], 3);
}

/* ---- feeds, backup, stats ---------------------------------------------------- */

static int
on_feed(void *arg, const struct store_feed *f)
{
	int *n = arg;

	assert_non_null(f->name);
	(*n)++;
	return 0;
}

static void
test_feed_state_round_trips(void **state)
{
	struct env *e = *state;
	struct store_feed f = {
		.name = "nato", .url = "https://example.int/rss.xml",
		.etag = "\"abc\"", .last_modified = "Tue, 12 Mar 2024 10:00:00 GMT",
		.last_attempt = 1710237600, .last_success = 1710237500,
		.next_due = 1710238200, .failures = 3,
		.last_error = "HTTP 503", .redirect_url = "https://example.int/new.xml",
	};
	struct store_feed g;
	int n = 0;

	assert_int_equal(store_feed_get(e->s, "nato", &g), -ENOENT);
	assert_int_equal(store_feed_put(e->s, &f), 0);
	assert_int_equal(store_feed_get(e->s, "nato", &g), 0);
	assert_string_equal(g.url, f.url);
	assert_string_equal(g.etag, f.etag);
	assert_string_equal(g.last_modified, f.last_modified);
	assert_int_equal(g.last_attempt, f.last_attempt);
	assert_int_equal(g.last_success, f.last_success);
	assert_int_equal(g.next_due, f.next_due);
	assert_int_equal(g.failures, 3);
	assert_string_equal(g.last_error, "HTTP 503");
	assert_string_equal(g.redirect_url, f.redirect_url);
	store_feed_clear(&g);
	f.failures = 0;
	f.last_error = NULL;
	f.etag = NULL;
	assert_int_equal(store_feed_put(e->s, &f), 0);
	assert_int_equal(store_feed_get(e->s, "nato", &g), 0);
	assert_int_equal(g.failures, 0);
	assert_null(g.last_error);
	assert_null(g.etag);
	store_feed_clear(&g);
	f.name = "state";
	assert_int_equal(store_feed_put(e->s, &f), 0);
	assert_int_equal(store_feed_list(e->s, on_feed, &n), 0);
	assert_int_equal(n, 2);
}

static void
test_backup_is_a_consistent_standalone_copy(void **state)
{
	struct env *e = *state;
	struct store *bk = NULL;
	struct briefing *got = NULL, *late = small("https://x.example/late",
						   "t", "A B", "w");
	char path[128], *err = NULL;
	struct store_stats st;

	load_corpus(e);
	snprintf(path, sizeof(path), "%s/backup.db", e->dir);
	if (store_backup(e->s, path) < 0)
		fail_msg("backup: %s", store_errmsg(e->s));
	/* the writer goes on; the copy keeps its moment */
	put(e->s, "f", "late", late, STORE_NEW);
	assert_int_equal(store_open(path, STORE_READONLY, &bk, &err), 0);
	assert_int_equal(store_stats(bk, &st), 0);
	assert_int_equal(st.briefings, 3);
	assert_int_equal(st.head, 3);
	assert_int_equal(store_get_briefing(bk, 1, &got), 0);
	assert_int_equal(got->nturns, 8);
	assert_int_equal(store_check(bk), -EROFS); /* the check writes */
	store_close(bk);
	assert_int_equal(store_open(path, 0, &bk, &err), 0);
	assert_int_equal(store_check(bk), 0);
	briefing_free(got);
	store_close(bk);
	briefing_free(late);
}

static void
test_stats_count_rows_and_bytes(void **state)
{
	struct env *e = *state;
	struct store_stats st;

	load_corpus(e);
	assert_int_equal(store_optimize(e->s), 0);
	assert_int_equal(store_stats(e->s, &st), 0);
	assert_int_equal(st.briefings, 3);
	assert_int_equal(st.revisions, 3);
	assert_int_equal(st.turns, 10);
	assert_int_equal(st.events, 3);
	assert_int_equal(st.head, 3);
	assert_true(st.db_bytes >= 4096);
	assert_int_equal(store_check(e->s), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_new_database_is_migrated_to_current_version_in_wal_mode),
		T(test_reopening_a_current_database_keeps_its_data),
		T(test_item_fingerprint_is_recorded_and_read_back),
		T(test_record_text_is_exactly_janssons_compact_dump),
		T(test_a_version_1_database_is_migrated_keeping_its_items),
		T(test_a_newer_schema_is_refused_with_a_clear_message),
		T(test_readonly_open_of_a_missing_file_is_enoent_and_creates_nothing),
		T(test_readonly_store_refuses_writes),
		T(test_new_briefing_is_stored_with_an_event_that_carries_it),
		T(test_unchanged_refetch_writes_nothing),
		T(test_same_page_through_two_feeds_is_one_briefing),
		T(test_tracking_parameters_and_fragment_do_not_make_a_new_briefing),
		T(test_tracking_parameters_are_dropped_from_the_stored_url),
		T(test_republished_guid_with_a_new_link_stays_one_briefing),
		T(test_edited_and_added_turns_make_a_revision_that_says_what_changed),
		T(test_removed_turns_leave_the_index_consistent),
		T(test_changed_title_is_reindexed),
		T(test_put_without_url_or_item_is_einval),
		T(test_event_seq_is_strictly_increasing_and_never_reused),
		T(test_put_item_records_the_fingerprint_on_every_path),
		T(test_event_seqs_run_on_within_a_batch_and_after_a_rollback),
		T(test_rolled_back_batch_leaves_neither_briefing_nor_event),
		T(test_disk_full_leaves_nothing_half_written),
		T(test_disk_full_inside_a_batch_aborts_the_whole_batch),
		T(test_reader_works_while_the_writer_holds_a_transaction),
		T(test_an_open_read_transaction_does_not_block_the_writer),
		T(test_search_ranks_and_names_the_speaker_in_the_snippet),
		T(test_every_hit_gets_its_own_snippet_and_speaker),
		T(test_broad_query_without_filters_answers_as_the_filtered_path),
		T(test_search_filters_by_speaker_feed_kind_and_date),
		T(test_search_supports_phrases_near_columns_and_punctuated_words),
		T(test_malformed_query_is_einval_with_a_message_for_the_user),
		T(test_very_broad_query_comes_newest_first),
		T(test_search_without_query_lists_newest_first),
		T(test_standing_query_matches_one_briefing),
		T(test_foreach_walks_every_briefing_in_id_order_with_filters),
		T(test_feed_state_round_trips),
		T(test_backup_is_a_consistent_standalone_copy),
		T(test_stats_count_rows_and_bytes),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
