/* store.c — opening, settings, migrations, transactions, feeds, events,
 * maintenance. Briefings are written in store_put.c and searched in
 * store_search.c; docs/store.md describes the schema.
 */
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "store_impl.h"
#include "tokenizer.h"

#define BUSY_TIMEOUT_MS 5000
#define JOURNAL_SIZE_LIMIT (64 * 1024 * 1024)

/* ---- schema --------------------------------------------------------------
 * migrations[i] (NULL-terminated SQL strings) takes the database from
 * user_version i to i + 1. Append, never edit: a released step is history.
 */
static const char *const v1[] = {
	"CREATE TABLE feeds ("
	" name TEXT PRIMARY KEY,"
	" url TEXT NOT NULL,"
	" etag TEXT, last_modified TEXT,"
	" last_attempt INTEGER NOT NULL DEFAULT 0,"
	" last_success INTEGER NOT NULL DEFAULT 0,"
	" next_due INTEGER NOT NULL DEFAULT 0,"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT, redirect_url TEXT);"
	"CREATE TABLE briefings ("
	" id INTEGER PRIMARY KEY,"
	" feed TEXT NOT NULL,"            /* the feed it first came from */
	" url TEXT,"
	" kind TEXT NOT NULL,"
	" title TEXT, subtitle TEXT, published TEXT, updated TEXT,"
	" location TEXT, summary TEXT,"
	" revision INTEGER NOT NULL,"     /* latest */
	" hash INTEGER NOT NULL,"         /* of the latest record */
	" created INTEGER NOT NULL, changed INTEGER NOT NULL);"
	"CREATE INDEX briefings_published ON briefings(published);"
	"CREATE TABLE urls ("
	" key TEXT PRIMARY KEY,"
	" briefing_id INTEGER NOT NULL REFERENCES briefings(id)"
	"  ON DELETE CASCADE) WITHOUT ROWID;"
	"CREATE INDEX urls_briefing ON urls(briefing_id);"
	"CREATE TABLE items ("
	" feed TEXT NOT NULL, item_id TEXT NOT NULL,"
	" briefing_id INTEGER NOT NULL REFERENCES briefings(id)"
	"  ON DELETE CASCADE,"
	" created INTEGER NOT NULL,"
	" PRIMARY KEY (feed, item_id)) WITHOUT ROWID;"
	"CREATE INDEX items_briefing ON items(briefing_id);"
	"CREATE TABLE revisions ("
	" briefing_id INTEGER NOT NULL REFERENCES briefings(id)"
	"  ON DELETE CASCADE,"
	" n INTEGER NOT NULL,"
	" record TEXT NOT NULL,"          /* briefing_to_json without id/feed */
	" hash INTEGER NOT NULL,"
	" created INTEGER NOT NULL,"
	" PRIMARY KEY (briefing_id, n)) WITHOUT ROWID;",
	"CREATE TABLE speakers ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"     /* canonical, never renamed */
	" role TEXT);"                    /* as last seen */
	"CREATE TABLE speaker_aliases ("
	" alias TEXT PRIMARY KEY,"        /* a label as printed */
	" speaker_id INTEGER NOT NULL REFERENCES speakers(id)) WITHOUT ROWID;"
	"CREATE TABLE turns ("
	" id INTEGER PRIMARY KEY,"
	" briefing_id INTEGER NOT NULL REFERENCES briefings(id)"
	"  ON DELETE CASCADE,"
	" revision INTEGER NOT NULL,"     /* the revision that last changed it */
	" idx INTEGER NOT NULL,"
	" speaker_id INTEGER REFERENCES speakers(id),"
	" type INTEGER NOT NULL,"         /* enum turn_type */
	" label TEXT, asker TEXT, outlet TEXT,"
	" text TEXT NOT NULL,"
	" UNIQUE (briefing_id, idx));"
	"CREATE INDEX turns_speaker ON turns(speaker_id);",
	/* FTS: two external-content tables with the same columns so that one
	 * query runs on both. Their content is a view whose rowid lookup is
	 * a primary-key search. The update and delete triggers recompute the
	 * speaker name from speakers, whose names never change, so 'delete'
	 * gets the values that were indexed. Inserts are done by store_put.c
	 * (ST_*_FTS_INS): an FTS5 write inside a trigger runs under a
	 * statement savepoint, and FTS5 (3.40) flushes its pending terms at
	 * every savepoint, which halved the indexing rate. */
	"CREATE VIEW turns_src AS"
	" SELECT t.id AS id, coalesce(s.name, t.asker) AS speaker,"
	"  NULL AS title, t.text AS text"
	" FROM turns t LEFT JOIN speakers s ON s.id = t.speaker_id;"
	"CREATE VIEW heads_src AS"
	" SELECT id, NULL AS speaker, title, summary AS text FROM briefings;"
	"CREATE VIRTUAL TABLE turns_fts USING fts5(speaker, title, text,"
	" content='turns_src', content_rowid='id',"
	" tokenize='porter unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE heads_fts USING fts5(speaker, title, text,"
	" content='heads_src', content_rowid='id',"
	" tokenize='porter unicode61 remove_diacritics 2');",
	"CREATE TRIGGER turns_ad AFTER DELETE ON turns BEGIN"
	" INSERT INTO turns_fts(turns_fts, rowid, speaker, title, text)"
	"  VALUES ('delete', old.id,"
	"  coalesce((SELECT name FROM speakers WHERE id = old.speaker_id),"
	"   old.asker), NULL, old.text);"
	" END;"
	"CREATE TRIGGER turns_au AFTER UPDATE ON turns BEGIN"
	" INSERT INTO turns_fts(turns_fts, rowid, speaker, title, text)"
	"  VALUES ('delete', old.id,"
	"  coalesce((SELECT name FROM speakers WHERE id = old.speaker_id),"
	"   old.asker), NULL, old.text);"
	" INSERT INTO turns_fts(rowid, speaker, title, text) VALUES (new.id,"
	"  coalesce((SELECT name FROM speakers WHERE id = new.speaker_id),"
	"   new.asker), NULL, new.text);"
	" END;",
	"CREATE TRIGGER briefings_ad AFTER DELETE ON briefings BEGIN"
	" INSERT INTO heads_fts(heads_fts, rowid, speaker, title, text)"
	"  VALUES ('delete', old.id, NULL, old.title, old.summary);"
	" END;"
	"CREATE TRIGGER briefings_au AFTER UPDATE OF title, summary"
	" ON briefings BEGIN"
	" INSERT INTO heads_fts(heads_fts, rowid, speaker, title, text)"
	"  VALUES ('delete', old.id, NULL, old.title, old.summary);"
	" INSERT INTO heads_fts(rowid, speaker, title, text)"
	"  VALUES (new.id, NULL, new.title, new.summary);"
	" END;",
	"CREATE TABLE events ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" type TEXT NOT NULL,"
	" briefing_id INTEGER REFERENCES briefings(id) ON DELETE SET NULL,"
	" feed TEXT,"
	" json TEXT NOT NULL,"            /* the line exactly as sent */
	" created INTEGER NOT NULL);"
	"CREATE INDEX events_created ON events(created);",
	NULL,
};

/* v2: a fingerprint of the feed item as last seen, so that a changed item
 * (new title, date or summary) has its page fetched again. 0: unknown. */
static const char *const v2[] = {
	"ALTER TABLE items ADD COLUMN fingerprint INTEGER NOT NULL DEFAULT 0;",
	NULL,
};

/* v3: the page a briefing was read from: its validators for conditional
 * re-checks, its last status (404/410: gone, kept), why the record came
 * from the feed item instead, and the re-check schedule's position. */
static const char *const v3[] = {
	"CREATE TABLE pages ("
	" briefing_id INTEGER PRIMARY KEY REFERENCES briefings(id)"
	"  ON DELETE CASCADE,"
	" feed TEXT NOT NULL,"
	" url TEXT NOT NULL,"
	" etag TEXT, last_modified TEXT,"
	" status INTEGER NOT NULL DEFAULT 0,"   /* last HTTP status, 0: none */
	" note TEXT,"                           /* why not from the page */
	" stored INTEGER NOT NULL,"             /* first stored, unix s */
	" checked INTEGER NOT NULL DEFAULT 0,"  /* last fetched, unix s */
	" checks INTEGER NOT NULL DEFAULT 0,"   /* re-checks done */
	" next_check INTEGER NOT NULL DEFAULT 0);" /* unix s, 0: none */
	"CREATE INDEX pages_due ON pages(next_check) WHERE next_check > 0;",
	NULL,
};

/* v4: both indexes on the "bw" tokenizer (tokenizer.h: words in every
 * script, full case folding, stems by language), rebuilt from their
 * content. The triggers name the tables, not the tokenizer: they stay. */
static const char *const v4[] = {
	"DROP TABLE turns_fts;"
	"DROP TABLE heads_fts;"
	"CREATE VIRTUAL TABLE turns_fts USING fts5(speaker, title, text,"
	" content='turns_src', content_rowid='id', tokenize='bw');"
	"CREATE VIRTUAL TABLE heads_fts USING fts5(speaker, title, text,"
	" content='heads_src', content_rowid='id', tokenize='bw');",
	"INSERT INTO turns_fts(turns_fts) VALUES('rebuild');"
	"INSERT INTO heads_fts(heads_fts) VALUES('rebuild');",
	/* the languages the indexes hold stems of (a bit per tok_langs
	 * code): a query looks up only those stems */
	"CREATE TABLE fts_langs (id INTEGER PRIMARY KEY CHECK (id = 1),"
	" mask INTEGER NOT NULL);"
	"INSERT INTO fts_langs VALUES (1, bw_langs_seen());",
	NULL,
};

/* v5: facts about the database itself. "origin": a UUID made once, which
 * names this event log to the NATS relay (include/relay.h); a copy of the
 * file (a backup) keeps it. */
static const char *const v5_meta[] = {
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
	" WITHOUT ROWID;",
	"INSERT INTO meta (key, value) SELECT 'origin',"
	" lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||"
	" substr(hex(randomblob(2)), 2) || '-' ||"
	" substr('89ab', 1 + (abs(random()) % 4), 1) ||"
	" substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));",
	NULL,
};

/* v6: each feed's learned publishing pattern (issue #26, sched.h), kept
 * apart from the feeds table so that nothing else reads or rewrites it. */
static const char *const v6_sched[] = {
	"CREATE TABLE feed_sched ("
	" feed TEXT PRIMARY KEY,"
	" state TEXT NOT NULL,"           /* sched_model_dump() */
	" updated INTEGER NOT NULL);",
	NULL,
};

/* v7: each output's cursor (docs/outputs.md): the last seq it has
 * delivered or passed over, so it resumes from the first event it has
 * not delivered after a restart, a crash or a receiver outage. */
static const char *const v7_outputs[] = {
	"CREATE TABLE outputs ("
	" name TEXT PRIMARY KEY,"
	" cursor INTEGER NOT NULL DEFAULT 0,"   /* last seq done */
	" updated INTEGER NOT NULL DEFAULT 0);", /* unix s */
	/* type = feed: the last N entries written to its files */
	"CREATE TABLE output_items ("
	" output TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" briefing_id INTEGER NOT NULL,"
	" entry TEXT NOT NULL,"                 /* JSON, output_feed.c */
	" PRIMARY KEY (output, seq)) WITHOUT ROWID;",
	NULL,
};

/* v8: the language the page or feed declares (briefing.lang), kept on
 * the briefing and on each turn as it was when the turn was indexed, and
 * given to the tokenizer as the first column of both indexes: char(31)
 * and the code (tokenizer.h TOK_LANG_MARK), which it reads as the row's
 * language and indexes no words of. A turn keeps its own copy so that
 * 'delete' always gets the value the turn was indexed with, even after
 * the briefing's language changed. The indexes are rebuilt: rows stored
 * before have no language, and are indexed as before (detected). */
static const char *const v8_lang[] = {
	"ALTER TABLE briefings ADD COLUMN lang TEXT;"
	"ALTER TABLE turns ADD COLUMN lang TEXT;"
	"DROP TRIGGER turns_ad;"
	"DROP TRIGGER turns_au;"
	"DROP TRIGGER briefings_ad;"
	"DROP TRIGGER briefings_au;"
	"DROP TABLE turns_fts;"
	"DROP TABLE heads_fts;"
	"DROP VIEW turns_src;"
	"DROP VIEW heads_src;",
	"CREATE VIEW turns_src AS"
	" SELECT t.id AS id, char(31) || coalesce(t.lang, '') AS lang,"
	"  coalesce(s.name, t.asker) AS speaker, NULL AS title, t.text AS text"
	" FROM turns t LEFT JOIN speakers s ON s.id = t.speaker_id;"
	"CREATE VIEW heads_src AS"
	" SELECT id, char(31) || coalesce(lang, '') AS lang, NULL AS speaker,"
	"  title, summary AS text FROM briefings;"
	"CREATE VIRTUAL TABLE turns_fts USING fts5(lang, speaker, title, text,"
	" content='turns_src', content_rowid='id', tokenize='bw');"
	"CREATE VIRTUAL TABLE heads_fts USING fts5(lang, speaker, title, text,"
	" content='heads_src', content_rowid='id', tokenize='bw');",
	"CREATE TRIGGER turns_ad AFTER DELETE ON turns BEGIN"
	" INSERT INTO turns_fts(turns_fts, rowid, lang, speaker, title, text)"
	"  VALUES ('delete', old.id, char(31) || coalesce(old.lang, ''),"
	"  coalesce((SELECT name FROM speakers WHERE id = old.speaker_id),"
	"   old.asker), NULL, old.text);"
	" END;"
	"CREATE TRIGGER turns_au AFTER UPDATE ON turns BEGIN"
	" INSERT INTO turns_fts(turns_fts, rowid, lang, speaker, title, text)"
	"  VALUES ('delete', old.id, char(31) || coalesce(old.lang, ''),"
	"  coalesce((SELECT name FROM speakers WHERE id = old.speaker_id),"
	"   old.asker), NULL, old.text);"
	" INSERT INTO turns_fts(rowid, lang, speaker, title, text) VALUES"
	"  (new.id, char(31) || coalesce(new.lang, ''),"
	"  coalesce((SELECT name FROM speakers WHERE id = new.speaker_id),"
	"   new.asker), NULL, new.text);"
	" END;"
	"CREATE TRIGGER briefings_ad AFTER DELETE ON briefings BEGIN"
	" INSERT INTO heads_fts(heads_fts, rowid, lang, speaker, title, text)"
	"  VALUES ('delete', old.id, char(31) || coalesce(old.lang, ''), NULL,"
	"  old.title, old.summary);"
	" END;"
	"CREATE TRIGGER briefings_au AFTER UPDATE OF title, summary, lang"
	" ON briefings BEGIN"
	" INSERT INTO heads_fts(heads_fts, rowid, lang, speaker, title, text)"
	"  VALUES ('delete', old.id, char(31) || coalesce(old.lang, ''), NULL,"
	"  old.title, old.summary);"
	" INSERT INTO heads_fts(rowid, lang, speaker, title, text)"
	"  VALUES (new.id, char(31) || coalesce(new.lang, ''), NULL,"
	"  new.title, new.summary);"
	" END;",
	"INSERT INTO turns_fts(turns_fts) VALUES('rebuild');"
	"INSERT INTO heads_fts(heads_fts) VALUES('rebuild');"
	"UPDATE fts_langs SET mask = mask | bw_langs_seen();",
	NULL,
};

static const char *const *const migrations[] = {
	v1, /* 0 → 1 */
	v2, /* 1 → 2 */
	v3, /* 2 → 3 */
	v4, /* 3 → 4 */
	v5_meta, /* 4 → 5 */
	v6_sched, /* 5 → 6 */
	v7_outputs, /* 6 → 7 */
	v8_lang, /* 7 → 8 */
};

#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

static const char *const stmt_sql[ST__MAX] = {
	[ST_FEED_GET] =
	"SELECT name, url, etag, last_modified, last_attempt, last_success,"
	" next_due, failures, last_error, redirect_url FROM feeds"
	" WHERE name = ?1",
	[ST_FEED_PUT] =
	"INSERT INTO feeds (name, url, etag, last_modified, last_attempt,"
	" last_success, next_due, failures, last_error, redirect_url)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	" ON CONFLICT (name) DO UPDATE SET url = ?2, etag = ?3,"
	" last_modified = ?4, last_attempt = ?5, last_success = ?6,"
	" next_due = ?7, failures = ?8, last_error = ?9, redirect_url = ?10",
	[ST_FEED_LIST] =
	"SELECT name, url, etag, last_modified, last_attempt, last_success,"
	" next_due, failures, last_error, redirect_url FROM feeds"
	" ORDER BY name",
	[ST_ITEM_GET] =
	"SELECT briefing_id, fingerprint FROM items"
	" WHERE feed = ?1 AND item_id = ?2",
	[ST_ITEM_MARK] =
	"INSERT INTO items (feed, item_id, briefing_id, created, fingerprint)"
	" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (feed, item_id)"
	" DO UPDATE SET fingerprint = ?5",
	[ST_ITEM_PUT] =
	"INSERT OR IGNORE INTO items (feed, item_id, briefing_id, created)"
	" VALUES (?1, ?2, ?3, ?4)",
	[ST_URL_GET] = "SELECT briefing_id FROM urls WHERE key = ?1",
	[ST_URL_PUT] =
	"INSERT OR IGNORE INTO urls (key, briefing_id) VALUES (?1, ?2)",
	[ST_LATEST_REV] =
	"SELECT r.n, r.hash, r.record FROM briefings b"
	" JOIN revisions r ON r.briefing_id = b.id AND r.n = b.revision"
	" WHERE b.id = ?1",
	[ST_BRIEFING_INS] =
	"INSERT INTO briefings (feed, url, kind, title, subtitle, published,"
	" updated, location, summary, revision, hash, created, changed, lang)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?11, ?11, ?13)",
	[ST_BRIEFING_UPD] =
	"UPDATE briefings SET url = ?2, kind = ?3, title = ?4, subtitle = ?5,"
	" published = ?6, updated = ?7, location = ?8, summary = ?9,"
	" revision = ?10, hash = ?11, changed = ?12, lang = ?13 WHERE id = ?1",
	[ST_REV_INS] =
	"INSERT INTO revisions (briefing_id, n, record, hash, created)"
	" VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_SPEAKER_UPSERT] =
	"INSERT INTO speakers (name, role) VALUES (?1, ?2)"
	" ON CONFLICT (name) DO UPDATE SET role = coalesce(?2, role)"
	" WHERE role IS NOT ?2 AND ?2 IS NOT NULL",
	[ST_SPEAKER_ID] = "SELECT id FROM speakers WHERE name = ?1",
	[ST_ALIAS_PUT] =
	"INSERT OR IGNORE INTO speaker_aliases (alias, speaker_id)"
	" VALUES (?1, ?2)",
	[ST_TURN_INS] =
	"INSERT INTO turns (briefing_id, revision, idx, speaker_id, type,"
	" label, asker, outlet, text, lang) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	" ?7, ?8, ?9, ?10)",
	[ST_TURN_UPD] =
	"UPDATE turns SET revision = ?2, speaker_id = ?4, type = ?5,"
	" label = ?6, asker = ?7, outlet = ?8, text = ?9, lang = ?10"
	" WHERE briefing_id = ?1 AND idx = ?3",
	[ST_TURN_FTS_INS] =
	"INSERT INTO turns_fts (rowid, lang, speaker, title, text)"
	" VALUES (?1, char(31) || coalesce(?4, ''), ?2, NULL, ?3)",
	[ST_HEAD_FTS_INS] =
	"INSERT INTO heads_fts (rowid, lang, speaker, title, text)"
	" VALUES (?1, char(31) || coalesce(?4, ''), NULL, ?2, ?3)",
	[ST_TURN_DEL_FROM] =
	"DELETE FROM turns WHERE briefing_id = ?1 AND idx >= ?2",
	[ST_EVENT_NEXT] =
	"SELECT max(coalesce((SELECT seq FROM sqlite_sequence"
	" WHERE name = 'events'), 0),"
	" coalesce((SELECT max(seq) FROM events), 0)) + 1",
	[ST_EVENT_INS] =
	"INSERT INTO events (seq, type, briefing_id, feed, json, created)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_EVENTS_AFTER] =
	"SELECT seq, type, briefing_id, feed, json FROM events"
	" WHERE seq > ?1 ORDER BY seq LIMIT ?2",
	[ST_HEAD] =
	"SELECT max(coalesce((SELECT seq FROM sqlite_sequence"
	" WHERE name = 'events'), 0),"
	" coalesce((SELECT max(seq) FROM events), 0))",
	[ST_TURN_RANGE] =
	"SELECT min(id), max(id) FROM turns WHERE briefing_id = ?1",
	[ST_MATCH_TURNS] =
	"SELECT 1 FROM turns_fts JOIN turns t ON t.id = turns_fts.rowid"
	" WHERE turns_fts MATCH ?1 AND turns_fts.rowid BETWEEN ?2 AND ?3"
	" AND t.briefing_id = ?4 LIMIT 1",
	[ST_LANGS_GET] = "SELECT mask FROM fts_langs WHERE id = 1",
	[ST_LANGS_ADD] = "UPDATE fts_langs SET mask = mask | ?1 WHERE id = 1",
	[ST_MATCH_HEAD] =
	"SELECT 1 FROM heads_fts WHERE heads_fts MATCH ?1 AND rowid = ?2",
	[ST_DESC_BRIEF] =
	"SELECT feed, url, title, published, kind FROM briefings"
	" WHERE id = ?1",
	/* The snippets of the chosen hits in one statement per index: an
	 * FTS5 expression is set up once (a prefix query merges every
	 * matching term's doclist at set-up), the rowid range bounds the
	 * walk, and "+rowid IN" (not offered to FTS5, so no xFilter per
	 * value) keeps snippet() to the chosen rows. ?4: JSON array. */
	[ST_SNIP_TURNS] =
	"SELECT turns_fts.rowid,"
	" snippet(turns_fts, 3, '[', ']', '\u2026', 24),"
	" coalesce(sp.name, t.asker, t.label)"
	" FROM turns_fts JOIN turns t ON t.id = turns_fts.rowid"
	" LEFT JOIN speakers sp ON sp.id = t.speaker_id"
	" WHERE turns_fts MATCH ?1 AND turns_fts.rowid BETWEEN ?2 AND ?3"
	" AND +turns_fts.rowid IN (SELECT value FROM json_each(?4))",
	[ST_SNIP_HEADS] =
	"SELECT rowid, snippet(heads_fts, -1, '[', ']', '\u2026', 24), NULL"
	" FROM heads_fts WHERE heads_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3"
	" AND +rowid IN (SELECT value FROM json_each(?4))",
	[ST_BRIEFING_FEED] =
	"SELECT b.feed, r.record FROM briefings b"
	" JOIN revisions r ON r.briefing_id = b.id AND r.n = b.revision"
	" WHERE b.id = ?1",
};

/* ---- errors and helpers ---------------------------------------------------- */

int
store_failf(struct store *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return err;
}

static int
errno_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
		return -EINVAL;
	default: /* IOERR, CORRUPT, NOTADB, ERROR, ... */
		return -EIO;
	}
}

int
store_fail(struct store *s, int rc)
{
	int e = errno_of(rc);

	if (e == 0)
		e = -EIO;
	store_failf(s, e, "%s", s->db ? sqlite3_errmsg(s->db)
				      : sqlite3_errstr(rc));
	return e;
}

int
store_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int e = errno_of(rc);

		store_failf(s, e ? e : -EIO, "%s",
			    msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return e ? e : -EIO;
	}
	return 0;
}

sqlite3_stmt *
store_stmt(struct store *s, enum store_st id)
{
	sqlite3_stmt *st = s->st[id];
	int rc;

	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
				SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		store_fail(s, rc);
		return NULL;
	}
	s->st[id] = st;
	return st;
}

int
store_bind_str(sqlite3_stmt *st, int i, const char *v)
{
	if (!v)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

char *
store_col_dup(sqlite3_stmt *st, int i, int *err)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	char *p;

	if (!v)
		return NULL;
	p = strdup((const char *)v);
	if (!p)
		*err = -ENOMEM;
	return p;
}

int64_t
store_now(void)
{
	return (int64_t)time(NULL);
}

const char *
store_errmsg(const struct store *s)
{
	return s->err[0] ? s->err : "no error";
}

/* ---- open, settings, migrations -------------------------------------------- */

static int
pragma_int(struct store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		int e = store_fail(s, rc);

		sqlite3_finalize(st);
		return e;
	}
	sqlite3_finalize(st);
	return 0;
}

/* One transaction per step, so a crash leaves a valid older version that
 * the next start continues from. */
static int
migrate(struct store *s, int from)
{
	const char *const *step;
	char sql[64];
	int v, r;

	for (v = from; v < SCHEMA_VERSION; v++) {
		if ((r = store_exec(s, "BEGIN IMMEDIATE")) < 0)
			return r;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		for (step = migrations[v], r = 0; r == 0 && *step; step++)
			r = store_exec(s, *step);
		if (r < 0 || (r = store_exec(s, sql)) < 0 ||
		    (r = store_exec(s, "COMMIT")) < 0) {
			char keep[sizeof(s->err)];

			memcpy(keep, s->err, sizeof(keep));
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			store_failf(s, r, "schema migration %d to %d: %s", v,
				    v + 1, keep);
			return r;
		}
	}
	return 0;
}

static int
configure(struct store *s)
{
	static const char rw[] =
		"PRAGMA journal_mode = WAL;"
		/* FULL: an event is announced only after COMMIT, and an
		 * announced event must survive power loss (docs/store.md). */
		"PRAGMA synchronous = FULL;"
		"PRAGMA foreign_keys = ON;"
		"PRAGMA temp_store = MEMORY;";
	char sql[80];
	int r;

	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	if (s->flags & STORE_READONLY)
		return store_exec(s, "PRAGMA temp_store = MEMORY;"
				  "PRAGMA query_only = ON;");
	if ((r = store_exec(s, rw)) < 0)
		return r;
	/* FTS5 segment merges re-read recent pages: with the 2 MiB default a
	 * transcript costs about 12% more CPU; from 4 MiB up the cache only
	 * adds to the daemon's RSS, not to the indexing rate
	 * (docs/store.md). */
	if ((s->flags & STORE_WRITER) &&
	    (r = store_exec(s, "PRAGMA cache_size = -4096;")) < 0)
		return r;
	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %d",
		 JOURNAL_SIZE_LIMIT);
	return store_exec(s, sql);
}

/* Process-wide SQLite settings, before the first connection. Memory
 * statistics (which nothing here reads) take a global mutex on every
 * allocation, one the writer thread and the loop would contend on. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void
global_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
store_open(const char *path, int flags, struct store **out, char **err)
{
	struct store *s;
	int64_t ver = 0;
	int r, rc, oflags;

	*out = NULL;
	if (err)
		*err = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		if (err)
			*err = strdup("out of memory");
		return -ENOMEM;
	}
	s->flags = flags;
	pthread_once(&global_once, global_init);
	oflags = (flags & STORE_READONLY)
			 ? SQLITE_OPEN_READONLY
			 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/* A "file:" URI (the CLI's immutable open of a database on
	 * read-only media) is SQLite's to resolve. */
	if ((flags & STORE_READONLY) && strncmp(path, "file:", 5) != 0 &&
	    access(path, F_OK) < 0) {
		r = store_failf(s, -errno, "%s", strerror(errno));
		goto fail;
	}
	rc = sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		r = store_fail(s, rc);
		if (access(path, R_OK) < 0 && errno == EACCES)
			r = -EACCES;
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	if ((r = tok_register(s->db, &s->tok)) < 0) {
		r = store_failf(s, r, "cannot set up the full-text tokenizer");
		goto fail;
	}
	if ((r = configure(s)) < 0 ||
	    (r = pragma_int(s, "PRAGMA user_version", &ver)) < 0)
		goto fail;
	if (ver > SCHEMA_VERSION) {
		r = store_failf(s, -EPROTO,
				"database schema version %lld is newer than "
				"this briefwatch understands (%d); upgrade "
				"briefwatch or restore a backup",
				(long long)ver, SCHEMA_VERSION);
		goto fail;
	}
	if (ver < SCHEMA_VERSION) {
		if (flags & STORE_READONLY) {
			r = store_failf(s, -EPROTO,
					"database schema version %lld, this "
					"briefwatch needs %d: start briefwatchd "
					"once to migrate it",
					(long long)ver, SCHEMA_VERSION);
			goto fail;
		}
		if ((r = migrate(s, (int)ver)) < 0)
			goto fail;
	}
	*out = s;
	return 0;
fail:
	if (err)
		*err = strdup(s->err[0] ? s->err : strerror(-r));
	store_close(s);
	return r;
}

void
store_close(struct store *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < ST__MAX; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db) {
		if (s->in_txn)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close_v2(s->db);
	}
	free(s);
}

/* ---- transactions ---------------------------------------------------------- */

int
store_begin(struct store *s)
{
	int r;

	if (s->flags & STORE_READONLY)
		return store_failf(s, -EROFS, "store opened read-only");
	if (s->in_txn)
		return store_failf(s, -EINVAL, "transaction already open");
	if ((r = store_exec(s, "BEGIN IMMEDIATE")) < 0)
		return r;
	s->in_txn = 1;
	s->aborted = 0;
	s->seq_next = 0;
	return 0;
}

int
store_commit(struct store *s)
{
	int r;

	if (!s->in_txn) {
		r = s->aborted;
		s->aborted = 0;
		if (r)
			return store_failf(s, r, "batch was rolled back: %s",
					   strerror(-r));
		return store_failf(s, -EINVAL, "no transaction open");
	}
	r = store_exec(s, "COMMIT");
	if (r < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		s->in_txn = 0;
		return r;
	}
	s->in_txn = 0;
	return 0;
}

int
store_rollback(struct store *s)
{
	s->aborted = 0;
	if (!s->in_txn)
		return 0;
	s->in_txn = 0;
	if (sqlite3_get_autocommit(s->db))
		return 0;
	return store_exec(s, "ROLLBACK");
}

int
store_write_begin(struct store *s)
{
	if (s->flags & STORE_READONLY)
		return store_failf(s, -EROFS, "store opened read-only");
	if (s->in_txn)
		return 0;
	if (s->aborted)
		return store_failf(s, s->aborted, "batch was rolled back; call "
				   "store_rollback first");
	s->seq_next = 0;
	return store_exec(s, "BEGIN IMMEDIATE");
}

int
store_write_end(struct store *s, int r)
{
	char keep[sizeof(s->err)];
	int e;

	if (r >= 0) {
		if (s->in_txn)
			return r;
		e = store_exec(s, "COMMIT");
		if (e == 0)
			return r;
		r = e;
	}
	/* No savepoint per put (an FTS5 savepoint flushes its pending
	 * terms): a failed write inside a batch takes the batch with it. */
	memcpy(keep, s->err, sizeof(keep));
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (s->in_txn) {
		s->in_txn = 0;
		s->aborted = r;
	}
	memcpy(s->err, keep, sizeof(keep));
	return r;
}

/* ---- feeds ----------------------------------------------------------------- */

void
store_feed_clear(struct store_feed *f)
{
	if (!f)
		return;
	free(f->name);
	free(f->url);
	free(f->etag);
	free(f->last_modified);
	free(f->last_error);
	free(f->redirect_url);
	free(f->sched);
	memset(f, 0, sizeof(*f));
}

static int
feed_from_row(sqlite3_stmt *st, struct store_feed *f)
{
	int err = 0;

	memset(f, 0, sizeof(*f));
	f->name = store_col_dup(st, 0, &err);
	f->url = store_col_dup(st, 1, &err);
	f->etag = store_col_dup(st, 2, &err);
	f->last_modified = store_col_dup(st, 3, &err);
	f->last_attempt = sqlite3_column_int64(st, 4);
	f->last_success = sqlite3_column_int64(st, 5);
	f->next_due = sqlite3_column_int64(st, 6);
	f->failures = sqlite3_column_int(st, 7);
	f->last_error = store_col_dup(st, 8, &err);
	f->redirect_url = store_col_dup(st, 9, &err);
	if (err)
		store_feed_clear(f);
	return err;
}

int
store_feed_get(struct store *s, const char *name, struct store_feed *out)
{
	sqlite3_stmt *st = store_stmt(s, ST_FEED_GET);
	int rc, r;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -EIO;
	store_bind_str(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		r = store_failf(s, -ENOENT, "no feed \"%s\"", name);
	else if (rc != SQLITE_ROW)
		r = store_fail(s, rc);
	else
		r = feed_from_row(st, out);
	sqlite3_reset(st);
	return r;
}

/* issue #26: the feed's learned schedule, inside store_feed_put's write
 * scope (prepared per call: at most once per poll that learned items). */
static int
store_sched_put(struct store *s, const char *feed, const char *text)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	rc = sqlite3_prepare_v2(s->db,
				"INSERT INTO feed_sched(feed, state, updated)"
				" VALUES (?1, ?2, ?3) ON CONFLICT(feed) DO"
				" UPDATE SET state = ?2, updated = ?3",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc);
	store_bind_str(st, 1, feed);
	store_bind_str(st, 2, text);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(st);
	r = rc == SQLITE_DONE ? 0 : store_fail(s, rc);
	sqlite3_finalize(st);
	return r;
}

int
store_feed_put(struct store *s, const struct store_feed *f)
{
	sqlite3_stmt *st;
	int rc, r;

	if (!f->name || !f->url)
		return store_failf(s, -EINVAL, "feed without name or url");
	if ((r = store_write_begin(s)) < 0)
		return r;
	st = store_stmt(s, ST_FEED_PUT);
	if (!st)
		return store_write_end(s, -EIO);
	store_bind_str(st, 1, f->name);
	store_bind_str(st, 2, f->url);
	store_bind_str(st, 3, f->etag);
	store_bind_str(st, 4, f->last_modified);
	sqlite3_bind_int64(st, 5, f->last_attempt);
	sqlite3_bind_int64(st, 6, f->last_success);
	sqlite3_bind_int64(st, 7, f->next_due);
	sqlite3_bind_int(st, 8, f->failures);
	store_bind_str(st, 9, f->last_error);
	store_bind_str(st, 10, f->redirect_url);
	rc = sqlite3_step(st);
	r = rc == SQLITE_DONE ? 0 : store_fail(s, rc);
	sqlite3_reset(st);
	if (r == 0 && f->sched)
		r = store_sched_put(s, f->name, f->sched);
	return store_write_end(s, r);
}

int
store_feed_list(struct store *s,
		int (*cb)(void *arg, const struct store_feed *f), void *arg)
{
	sqlite3_stmt *st = store_stmt(s, ST_FEED_LIST);
	struct store_feed *v = NULL, *nv;
	size_t n = 0, i;
	int rc, r = 0;

	if (!st)
		return -EIO;
	/* Copy first: the callback may write (no read transaction held). */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			r = -ENOMEM;
			break;
		}
		v = nv;
		if ((r = feed_from_row(st, &v[n])) < 0)
			break;
		n++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_fail(s, rc);
	sqlite3_reset(st);
	for (i = 0; r == 0 && i < n; i++)
		r = cb(arg, &v[i]);
	for (i = 0; i < n; i++)
		store_feed_clear(&v[i]);
	free(v);
	return r;
}

/* ---- events ------------------------------------------------------------------ */

int
store_head(struct store *s, int64_t *head)
{
	sqlite3_stmt *st = store_stmt(s, ST_HEAD);
	int rc;

	*head = 0;
	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		int e = store_fail(s, rc);

		sqlite3_reset(st);
		return e;
	}
	*head = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

struct ev_copy {
	int64_t seq, briefing_id;
	char *type, *feed, *json;
};

int
store_events_after(struct store *s, int64_t since, size_t limit,
		   int (*cb)(void *arg, const struct store_event *ev),
		   void *arg)
{
	sqlite3_stmt *st = store_stmt(s, ST_EVENTS_AFTER);
	struct ev_copy *v = NULL;
	size_t n = 0, i;
	int rc = SQLITE_DONE, r = 0, err = 0;

	if (!st)
		return -EIO;
	if (limit == 0)
		limit = 256;
	if (limit > 4096) /* a page, copied into memory */
		limit = 4096;
	v = calloc(limit, sizeof(*v));
	if (!v)
		return store_failf(s, -ENOMEM, "out of memory");
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	/* Copy the page, then call back with no read transaction open: a
	 * slow callback must not pin the WAL (RELIABILITY.md). */
	while (n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		v[n].seq = sqlite3_column_int64(st, 0);
		v[n].type = store_col_dup(st, 1, &err);
		v[n].briefing_id = sqlite3_column_int64(st, 2);
		v[n].feed = store_col_dup(st, 3, &err);
		v[n].json = store_col_dup(st, 4, &err);
		n++;
		if (err) {
			r = store_failf(s, err, "out of memory");
			break;
		}
	}
	if (r == 0 && n < limit && rc != SQLITE_DONE)
		r = store_fail(s, rc);
	sqlite3_reset(st);
	for (i = 0; r == 0 && i < n; i++) {
		struct store_event ev = {
			v[i].seq, v[i].type, v[i].briefing_id, v[i].feed,
			v[i].json,
		};

		r = cb(arg, &ev);
	}
	for (i = 0; i < n; i++) {
		free(v[i].type);
		free(v[i].feed);
		free(v[i].json);
	}
	free(v);
	return r;
}

int
store_events_expire(struct store *s, int64_t before, int64_t *deleted)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	if (deleted)
		*deleted = 0;
	if ((r = store_write_begin(s)) < 0)
		return r;
	rc = sqlite3_prepare_v2(s->db,
				"DELETE FROM events WHERE created < ?1", -1,
				&st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, before);
		rc = sqlite3_step(st);
	}
	r = rc == SQLITE_DONE ? 0 : store_fail(s, rc);
	if (r == 0 && deleted)
		*deleted = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return store_write_end(s, r);
}

/* ---- maintenance ------------------------------------------------------------- */

int
store_optimize(struct store *s)
{
	int r;

	if ((r = store_write_begin(s)) < 0)
		return r;
	r = store_exec(s, "INSERT INTO turns_fts(turns_fts) VALUES('optimize');"
			  "INSERT INTO heads_fts(heads_fts) VALUES('optimize');");
	r = store_write_end(s, r);
	if (r == 0)
		r = store_exec(s, "PRAGMA optimize");
	return r;
}

int
store_checkpoint(struct store *s, int *left)
{
	int log = 0, done = 0, r;

	r = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
				      &log, &done);
	if (left)
		*left = log > done ? log - done : 0;
	return r == SQLITE_OK ? 0 : -EIO;
}

int
store_check(struct store *s)
{
	char keep[sizeof(s->err)];
	int64_t ok = 0;
	int r;

	if (s->flags & STORE_READONLY)
		return store_failf(s, -EROFS, "the full-text check needs a "
				   "writable store");
	r = store_exec(s,
		       /* rank 1: compare with the content, not only the
			* index with itself: catches a trigger that deletes
			* with the wrong values. */
		       "INSERT INTO turns_fts(turns_fts, rank)"
		       " VALUES('integrity-check', 1);"
		       "INSERT INTO heads_fts(heads_fts, rank)"
		       " VALUES('integrity-check', 1);");
	if (r < 0) {
		memcpy(keep, s->err, sizeof(keep));
		return store_failf(s, -EIO, "full-text index: %s", keep);
	}
	if ((r = pragma_int(s, "SELECT count(*) FROM pragma_quick_check"
			       " WHERE quick_check <> 'ok'", &ok)) < 0)
		return r;
	if (ok)
		return store_failf(s, -EIO, "quick_check found %lld problems",
				   (long long)ok);
	return 0;
}

int
store_set_size_limit(struct store *s, uint64_t bytes)
{
	int64_t page = 4096, got = 0;
	char sql[80];
	int r;

	if ((r = pragma_int(s, "PRAGMA page_size", &page)) < 0)
		return r;
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %llu",
		 bytes ? (unsigned long long)(bytes / (uint64_t)page)
		       : 4294967294ULL);
	if ((r = pragma_int(s, sql, &got)) < 0)
		return r;
	return 0;
}

int
store_backup(struct store *s, const char *path)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *bk;
	char *tmp;
	size_t n = strlen(path) + 8;
	int rc, r = 0;

	tmp = malloc(n);
	if (!tmp)
		return store_failf(s, -ENOMEM, "out of memory");
	snprintf(tmp, n, "%s.tmp", path);
	unlink(tmp);
	rc = sqlite3_open_v2(tmp, &dst,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		r = store_failf(s, errno_of(rc) ? errno_of(rc) : -EIO,
				"backup \"%s\": %s", tmp,
				dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		goto done;
	}
	/* One step copies everything under one read transaction: a
	 * consistent snapshot; the writer keeps writing meanwhile (WAL). */
	bk = sqlite3_backup_init(dst, "main", s->db, "main");
	if (!bk) {
		r = store_failf(s, -EIO, "backup: %s", sqlite3_errmsg(dst));
		goto done;
	}
	rc = sqlite3_backup_step(bk, -1);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		r = store_failf(s, errno_of(rc) ? errno_of(rc) : -EIO,
				"backup: %s", sqlite3_errstr(rc));
		goto done;
	}
	/* A single self-contained file: no -wal beside it. */
	rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
			  NULL);
	if (rc != SQLITE_OK) {
		r = store_failf(s, -EIO, "backup: %s", sqlite3_errmsg(dst));
		goto done;
	}
done:
	if (dst && sqlite3_close(dst) != SQLITE_OK && r == 0)
		r = store_failf(s, -EIO, "backup: close failed");
	if (r == 0 && (rc = fileio_rename(tmp, path)) < 0)
		r = store_failf(s, rc, "backup: rename to \"%s\": %s",
				path, strerror(-rc));
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

static int
count(struct store *s, const char *sql, int64_t *out)
{
	return pragma_int(s, sql, out);
}

int
store_stats(struct store *s, struct store_stats *st)
{
	const char *file = sqlite3_db_filename(s->db, "main");
	int64_t pages = 0, psize = 0, freep = 0;
	struct stat sb;
	char *wal;
	int r;

	memset(st, 0, sizeof(*st));
	if ((r = count(s, "SELECT count(*) FROM feeds", &st->feeds)) < 0 ||
	    (r = count(s, "SELECT count(*) FROM briefings",
		       &st->briefings)) < 0 ||
	    (r = count(s, "SELECT count(*) FROM revisions",
		       &st->revisions)) < 0 ||
	    (r = count(s, "SELECT count(*) FROM turns", &st->turns)) < 0 ||
	    (r = count(s, "SELECT count(*) FROM speakers",
		       &st->speakers)) < 0 ||
	    (r = count(s, "SELECT count(*) FROM events", &st->events)) < 0 ||
	    (r = store_head(s, &st->head)) < 0 ||
	    (r = pragma_int(s, "PRAGMA page_count", &pages)) < 0 ||
	    (r = pragma_int(s, "PRAGMA page_size", &psize)) < 0 ||
	    (r = pragma_int(s, "PRAGMA freelist_count", &freep)) < 0)
		return r;
	st->db_bytes = (uint64_t)(pages * psize);
	st->free_bytes = (uint64_t)(freep * psize);
	if (file && *file && asprintf(&wal, "%s-wal", file) >= 0) {
		if (stat(wal, &sb) == 0)
			st->wal_bytes = (uint64_t)sb.st_size;
		free(wal);
	}
	return 0;
}
