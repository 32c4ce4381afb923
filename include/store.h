/* store — the SQLite archive: feeds and their HTTP validators, briefings,
 * speakers, turns, revisions, an FTS5 index, and the event log (outbox)
 * that the subscriber socket reads. See docs/store.md for the schema.
 *
 * Settings: WAL, synchronous=FULL (an announced event survives power
 * loss), busy_timeout, foreign_keys, BEGIN IMMEDIATE for writes. Schema
 * migrations by PRAGMA user_version, one transaction per step; a database
 * newer than this binary is refused.
 *
 * sqlite3 objects never leave store.c. Not thread-safe: one struct store
 * per thread.
 */
#ifndef BW_STORE_H
#define BW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "briefing.h"

struct store;

enum store_flags {
	STORE_READONLY = 1 << 0, /* CLI readers: never write, never migrate */
	STORE_WRITER = 1 << 1,   /* the batch writer: a larger page cache for
				  * FTS5 merges (docs/store.md); other
				  * connections keep SQLite's 2 MiB */
};

/* Open (creating and migrating unless READONLY). 0 and *out, or a negative
 * errno and a malloc'd reason in *err (-ENOENT, -EACCES, -EPROTO for a
 * newer schema, -EIO). */
int store_open(const char *path, int flags, struct store **out, char **err);
void store_close(struct store *s);
/* The last SQLite error message (borrowed until the next call). */
const char *store_errmsg(const struct store *s);

/* --- feeds: validators and schedule state, kept across restarts --------- */

struct store_feed {
	char *name;
	char *url;           /* current URL (after permanent redirects) */
	char *etag, *last_modified;
	int64_t last_attempt, last_success, next_due; /* unix seconds, 0 */
	int failures;        /* consecutive */
	char *last_error;    /* NULL when the last poll succeeded */
	char *redirect_url;  /* permanent redirect seen on the last poll */
	char *sched;         /* learned schedule to write with the state
			      * (sched_model_dump), or NULL to leave the
			      * stored one; never filled by store_feed_get */
};

/* Load a feed's state; -ENOENT when unknown. Free with store_feed_clear. */
int store_feed_get(struct store *s, const char *name, struct store_feed *out);
/* Insert or replace the feed's state (all fields). */
int store_feed_put(struct store *s, const struct store_feed *f);
void store_feed_clear(struct store_feed *f);
/* Call cb for every stored feed, by name. The feeds are copied first, so
 * cb may write to the store; fields are borrowed for the call. A non-zero
 * return from cb stops the walk and is returned. */
int store_feed_list(struct store *s,
		    int (*cb)(void *arg, const struct store_feed *f),
		    void *arg);

/* The feed's learned schedule as stored by store_feed_put (malloc'd text
 * in *text, free()); -ENOENT when none. */
int store_sched_get(struct store *s, const char *feed, char **text);

/* --- items and briefings ----------------------------------------------- */

/* Transactions: one per batch. store_put_briefing outside a transaction
 * opens and commits its own. */
int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);
/* Inside a batch, a write that fails after it started writing (-ENOSPC,
 * -EIO, -EBUSY, -ENOMEM, ...) rolls the whole batch back (SQLite may
 * already have done so for some of them): the batch's earlier puts are
 * gone too, store_commit then returns that error and store_rollback clears
 * it. Arguments rejected before writing (-EINVAL) leave the batch alone.
 * No event of a rolled-back put exists, so none may be published. */

/* Has this feed item (feed name + item id) been stored? *briefing_id is
 * set when yes (else 0). Also true when the item's URL (normalised:
 * tracking parameters and fragments removed) is already stored under any
 * feed. */
int store_item_lookup(struct store *s, const char *feed, const char *item_id,
		      const char *url, int64_t *briefing_id);

/* Like store_item_lookup, and *fingerprint gets the fingerprint recorded
 * for (feed, item_id) by store_item_mark, 0 when none (or when the item
 * was found by URL only). */
int store_item_lookup_fp(struct store *s, const char *feed,
			 const char *item_id, const char *url,
			 int64_t *briefing_id, uint64_t *fingerprint);
/* Record that feed's item item_id is briefing briefing_id, as last seen
 * with the given fingerprint (of the feed item's own fields). Inside the
 * current transaction. */
int store_item_mark(struct store *s, const char *feed, const char *item_id,
		    int64_t briefing_id, uint64_t fingerprint);

enum store_put_result {
	STORE_UNCHANGED = 0, /* nothing written, no event */
	STORE_NEW,           /* new briefing + briefing.new event */
	STORE_UPDATED,       /* new revision + briefing.updated event */
};

/* Store b (from feed, for the feed item item_id): dedupe by item and by
 * normalised URL, compare with the latest revision, and write the
 * briefing, speakers, turns, FTS rows and the event row in the current
 * transaction (or its own). Sets b->id, and b->feed to feed when it was
 * NULL. *seq gets the event's seq (0 when unchanged). item_id may be NULL
 * (dedupe by URL only). Returns a store_put_result >= 0 or a negative
 * errno. Rules in docs/store.md. */
int store_put_briefing(struct store *s, const char *feed, const char *item_id,
		       struct briefing *b, int64_t *seq);
/* store_put_briefing, and (when item_id and fingerprint are set) the
 * item's fingerprint as store_item_mark records it, in the same write:
 * what the ingest pipeline stores for a feed item. */
int store_put_item(struct store *s, const char *feed, const char *item_id,
		   uint64_t fingerprint, struct briefing *b, int64_t *seq);

/* What a put computes from the record alone, made beforehand by
 * store_record_make (on any thread, no connection needed) so that the
 * writer's thread spends its time in SQLite. */
struct store_record {
	char *text;    /* the revision text (briefing_dump_record) */
	size_t head;   /* the length of its part an event line repeats */
	uint64_t hash; /* of text */
	char *key;     /* the dedupe key: normalised URL, or feed and item */
};
/* Make *out for storing b from feed's item item_id (as store_put_item
 * would be called). b->url loses its tracking parameters first
 * (url_strip_tracking): the URL stored and published is the clean one.
 * 0 or -ENOMEM; clear with store_record_clear. */
int store_record_make(struct briefing *b, const char *feed,
		      const char *item_id, struct store_record *out);
void store_record_clear(struct store_record *r);
/* store_put_item with rec made from this b, feed and item_id (b unchanged
 * since); rec NULL: made here. */
int store_put_record(struct store *s, const char *feed, const char *item_id,
		     uint64_t fingerprint, struct briefing *b,
		     const struct store_record *rec, int64_t *seq);

/* --- pages: where a briefing was read from (store_page.c) --------------- */

struct store_page {
	int64_t briefing_id;
	char *feed;          /* the feed whose schedule applies */
	char *url;
	char *etag, *last_modified; /* of the last 200 */
	int status;          /* last HTTP status of the page; 0: none */
	char *note;          /* why the record is the feed item's, or NULL */
	int64_t stored;      /* unix s, when first stored (kept by put) */
	int64_t checked;     /* unix s, last fetched or re-checked */
	int checks;          /* re-checks done */
	int64_t next_check;  /* unix s of the next re-check; 0: none */
};

/* Insert or replace the page of p->briefing_id (p->stored is kept from an
 * existing row). Inside the current transaction, or its own. */
int store_page_put(struct store *s, const struct store_page *p);
/* Load it; -ENOENT when the briefing has no page row. */
int store_page_get(struct store *s, int64_t briefing_id,
		   struct store_page *out);
void store_page_clear(struct store_page *p);
/* Call cb for pages with 0 < next_check <= now, earliest first, at most
 * limit (copied first: cb may write). Fields borrowed for the call; a
 * non-zero return from cb stops the walk and is returned. */
int store_pages_due(struct store *s, int64_t now, size_t limit,
		    int (*cb)(void *arg, const struct store_page *p),
		    void *arg);
/* The earliest next_check > 0, or 0 when none. */
int store_pages_next(struct store *s, int64_t *when);

/* One revision of a briefing: n, when, and how many turns it changed
 * relative to the one before (its record against the previous one). */
struct store_revision {
	int n;
	int64_t created;     /* unix s */
	const char *record;  /* the revision's record text */
};
/* Call cb for each revision of briefing id, oldest first. */
int store_revisions(struct store *s, int64_t id,
		    int (*cb)(void *arg, const struct store_revision *r),
		    void *arg);

/* Load briefing id with its turns. -ENOENT when absent. */
int store_get_briefing(struct store *s, int64_t id, struct briefing **out);

/* --- events (the outbox) ------------------------------------------------ */

struct store_event {
	int64_t seq;
	const char *type;     /* "briefing.new" | "briefing.updated" */
	int64_t briefing_id;
	const char *feed;
	const char *json;     /* the full event line without its trailing
			       * newline: {"seq":N,"type":...,"briefing":{...}} */
};

/* The highest seq, 0 when the log is empty. */
int store_head(struct store *s, int64_t *head);
/* Call cb for events with seq > since, ascending, at most limit of them
 * (0: 256; at most 4096 per call, page with the last seq). The page is
 * copied first, so no read transaction is open during cb and cb may use
 * the store. Fields are borrowed for the call. A non-zero return from cb stops the
 * walk and is returned. */
int store_events_after(struct store *s, int64_t since, size_t limit,
		       int (*cb)(void *arg, const struct store_event *ev),
		       void *arg);
/* Delete events created before the unix time before (briefings stay).
 * seq keeps counting from the old head. *deleted may be NULL. */
int store_events_expire(struct store *s, int64_t before, int64_t *deleted);
/* Does briefing id match the FTS5 query? 1 yes, 0 no, -EINVAL bad query
 * (message in store_errmsg). */
int store_briefing_matches(struct store *s, int64_t id, const char *query);

/* --- outputs' cursors (store_output.c) ------------------------------- */

/* The last seq output name has delivered or passed over; -ENOENT when
 * the output has no row yet. */
int store_output_get(struct store *s, const char *name, int64_t *cursor);
/* Insert or replace it (its own transaction, or the current one). These
 * output writes never wait for another connection's write lock (the
 * writer thread's batch): -EBUSY at once, try again shortly. */
int store_output_put(struct store *s, const char *name, int64_t cursor);
/* Forget it and its items (an output removed at run time). */
int store_output_delete(struct store *s, const char *name);
/* type = feed: add entry (JSON text) for seq/briefing_id, drop the
 * output's older entries of the same briefing and all but the newest
 * keep, and set the cursor to seq: one transaction. */
int store_output_item_add(struct store *s, const char *name, int64_t seq,
			  int64_t briefing_id, const char *entry,
			  size_t keep);
/* The output's entries, newest first (copied first: cb may use the
 * store); a non-zero return from cb stops the walk and is returned. */
int store_output_items(struct store *s, const char *name,
		       int (*cb)(void *arg, int64_t seq,
				 int64_t briefing_id, const char *entry),
		       void *arg);
/* The turns of briefing id that matter to an output, in order, at most
 * limit: with query, those matching it (snippet: the match marked with
 * [ ]; when only the title or summary matches, one call with speaker and
 * text NULL and that snippet); else, with speakers, those of a speaker
 * whose name contains one of them (ASCII case folded); else the first
 * ones. -EINVAL for a bad query. */
int store_output_turns(struct store *s, int64_t id, const char *query,
		       char *const *speakers, size_t nspeakers, size_t limit,
		       int (*cb)(void *arg, const char *speaker,
				 const char *text, const char *snippet),
		       void *arg);

/* --- search and listing --------------------------------------------------- */

struct store_query {
	const char *query;   /* FTS5 syntax; NULL: everything */
	const char *speaker; /* substring of the canonical name (case and
			      * diacritics folded as tok_fold does), or
			      * NULL; at most 64 people may match (-EINVAL) */
	const char *feed;
	const char *kind;
	const char *since, *until; /* ISO dates on published, or NULL */
	size_t limit;        /* 0: 20 */
	const char *lang;    /* stem query words in this language only
			      * (tok_lang_known), or NULL: in every
			      * language of their script; -EINVAL when
			      * unknown */
};

struct store_hit {
	int64_t id;
	const char *feed, *url, *title, *published, *kind;
	const char *speaker; /* who said the best-matching turn, or NULL */
	const char *snippet; /* with [ ] around matched terms */
	double rank;
};

/* Run q; cb per hit, best first. -EINVAL for a malformed query (message in
 * store_errmsg, meant for the user). */
int store_search(struct store *s, const struct store_query *q,
		 int (*cb)(void *arg, const struct store_hit *h), void *arg);

/* Every stored briefing (latest revision, with turns), ascending id. */
int store_foreach_briefing(struct store *s, const struct store_query *filter,
			   int (*cb)(void *arg, const struct briefing *b),
			   void *arg);

/* --- maintenance and status -------------------------------------------- */

/* Merge the FTS segments and run PRAGMA optimize (periodic, e.g. daily). */
int store_optimize(struct store *s);
/* Copy the WAL's frames into the database file, as far as no reader holds
 * them (a passive checkpoint); *left: frames not copied. */
int store_checkpoint(struct store *s, int *left);
/* FTS integrity-check on both indexes plus PRAGMA quick_check; -EIO with
 * the finding in store_errmsg. Needs a writable store (FTS5 runs the check
 * as an INSERT): -EROFS on a READONLY one. */
int store_check(struct store *s);
/* Cap the database file at about bytes (PRAGMA max_page_count); writes past
 * it fail with -ENOSPC like a full disk. 0: no cap. */
int store_set_size_limit(struct store *s, uint64_t bytes);
/* A consistent snapshot of the database, written to path.tmp and renamed
 * to path, while the store stays usable (SQLite backup API). The copy is
 * a standalone rollback-journal database. */
int store_backup(struct store *s, const char *path);

struct store_stats {
	int64_t feeds, briefings, revisions, turns, speakers, events;
	int64_t head;         /* highest event seq */
	uint64_t db_bytes;    /* page_count * page_size */
	uint64_t free_bytes;  /* of which on the freelist */
	uint64_t wal_bytes;   /* size of the -wal file, 0 when none */
};

int store_stats(struct store *s, struct store_stats *st);

#endif
