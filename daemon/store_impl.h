/* store_impl.h — private to daemon/store*.c: the struct behind struct
 * store, the statement cache and the error helpers. sqlite3 objects never
 * leave these files.
 */
#ifndef BW_STORE_IMPL_H
#define BW_STORE_IMPL_H

#include <sqlite3.h>
#include <stdint.h>

#include "store.h"

/* Cached statements, prepared on first use (SQLITE_PREPARE_PERSISTENT). */
enum store_st {
	ST_FEED_GET,
	ST_FEED_PUT,
	ST_FEED_LIST,
	ST_ITEM_GET,
	ST_ITEM_PUT,
	ST_ITEM_MARK,
	ST_URL_GET,
	ST_URL_PUT,
	ST_LATEST_REV,
	ST_BRIEFING_INS,
	ST_BRIEFING_UPD,
	ST_REV_INS,
	ST_SPEAKER_UPSERT,
	ST_SPEAKER_ID,
	ST_ALIAS_PUT,
	ST_TURN_INS,
	ST_TURN_UPD,
	ST_TURN_FTS_INS,
	ST_HEAD_FTS_INS,
	ST_TURN_DEL_FROM,
	ST_EVENT_NEXT,
	ST_EVENT_INS,
	ST_EVENTS_AFTER,
	ST_HEAD,
	ST_TURN_RANGE,
	ST_MATCH_TURNS,
	ST_MATCH_HEAD,
	ST_BRIEFING_FEED,
	ST_DESC_BRIEF,
	ST_SNIP_TURNS,
	ST_SNIP_HEADS,
	ST__MAX
};

struct store {
	sqlite3 *db;
	int flags;
	int in_txn;   /* inside store_begin .. store_commit/rollback */
	int aborted;  /* negative errno: SQLite rolled the batch back */
	int64_t seq_next; /* the next event seq within the open
			   * transaction; 0: look it up */
	char err[512];
	sqlite3_stmt *st[ST__MAX];
};

/* The cached statement id, reset and unbound; NULL on error (message in
 * s->err). */
sqlite3_stmt *store_stmt(struct store *s, enum store_st id);
/* Map an SQLite result code to a negative errno and record the message. */
int store_fail(struct store *s, int rc);
/* Record a message of our own; returns err. */
int store_failf(struct store *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* sqlite3_exec with error mapping. */
int store_exec(struct store *s, const char *sql);
/* Bind a string or NULL. */
int store_bind_str(sqlite3_stmt *st, int i, const char *v);
/* strdup of column i, NULL for SQL NULL; *err = -ENOMEM on failure. */
char *store_col_dup(sqlite3_stmt *st, int i, int *err);

/* Begin the write scope of one write: BEGIN IMMEDIATE when no batch is
 * open, else nothing. store_write_end commits its own transaction (r >= 0)
 * or rolls back explicitly, inside a batch the whole batch (which
 * store_commit then reports). Returns r, or the commit's error. */
int store_write_begin(struct store *s);
int store_write_end(struct store *s, int r);

/* store_sched.c: write the feed's learned schedule (inside the caller's
 * write scope). */
int store_sched_put(struct store *s, const char *feed, const char *text);

/* Rewrite a user query so that words with inner punctuation
 * (co-operation, U.S., O'Brien) are quoted instead of failing as FTS5
 * syntax. Returns malloc'd text or NULL on ENOMEM. */
char *store_fts_query(const char *q);
/* Turn an FTS5 error into a user-facing message; returns -EINVAL. */
int store_query_error(struct store *s, int rc);

/* The dedupe key of a URL (malloc'd): scheme and host lowercased, scheme
 * dropped (http and https are one page), default port, fragment and
 * tracking parameters removed. NULL on ENOMEM. */
char *store_url_key(const char *url);

int64_t store_now(void);

#endif
