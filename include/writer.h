/* writer — the store's write side for the pipeline: a queue of units,
 * written in batches of one transaction each by a thread of its own with
 * its own SQLite connection, retried while the store refuses writes.
 *
 * Threads: every function here runs on the loop thread. The writer thread
 * reads only a batch's units (their feed, item_id, fp, b, rec, sf and
 * next_due) while it owns the batch; `tag` and `user` are the owner's and
 * are touched only on the loop thread.
 *
 * Order and atomicity: units are written in the order queued. A batch
 * either commits as a whole or comes back to the head of the queue (with
 * every batch posted behind it) and is retried with backoff: nothing
 * queued is lost while the process lives.
 *
 * After each COMMIT, on the loop thread, once the writer has finished its
 * own step: ops->committed(arg, units, ...) (the owner's reports), then
 * every hook added with writer_hook_add, in the order added. A hook is one
 * call: it may read the store (events up to maxseq are durable) and must
 * not close the writer. That is the place for a relay or an output to
 * learn that new events exist:
 *
 *     static struct writer_hook h = { .fn = my_after_commit, .arg = me };
 *     writer_hook_add(w, &h);      // remove with writer_hook_remove
 */
#ifndef BW_WRITER_H
#define BW_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "store.h"

struct briefing;
struct writer;

enum writer_kind {
	WRITER_BRIEFING,   /* store_put_record(feed, item_id, fp, b, rec) */
	WRITER_FEED_STATE, /* store_feed_put(sf) if sf.name is set */
	WRITER_NEXT_DUE,   /* the stored feed's next_due, if it exists */
	WRITER_PAGE,       /* store_page_put(page) alone */
};

/* One thing to write. Made with writer_unit_new, handed over with
 * writer_push; freed by the writer (writer_unit_free). */
struct writer_unit {
	enum writer_kind kind;
	char *feed;              /* own copy */
	char *item_id;           /* WRITER_BRIEFING */
	uint64_t fp;             /* fingerprint of the feed item */
	struct briefing *b;      /* WRITER_BRIEFING, owned */
	struct store_record rec; /* b's record text */
	struct store_feed sf;    /* WRITER_FEED_STATE, owned */
	int64_t next_due;        /* WRITER_NEXT_DUE: unix seconds */
	struct store_page page;  /* WRITER_PAGE; or with WRITER_BRIEFING when
				  * has_page, for the briefing just put */
	int has_page;
	int result;              /* WRITER_BRIEFING, once written: the
				  * store_put_result (-1: refused) */
	size_t bytes;            /* about how much memory it holds */
	void *tag;               /* the owner's (loop thread only) */
	int user;                /* the owner's (loop thread only) */
	struct writer_unit *next;
};

/* What one COMMIT wrote. */
struct writer_commit {
	size_t stored;    /* briefings new or changed */
	int64_t maxseq;   /* highest event seq written, 0 if none */
};

struct writer_hook {
	void (*fn)(void *arg, const struct writer_commit *c);
	void *arg;
	struct writer_hook *next; /* the writer's */
};

struct writer_ops {
	/* As a unit with a tag joins a batch (and, while closing, for every
	 * queued unit with a tag): the owner's last word on its content. */
	void (*prepare)(void *arg, struct writer_unit *u);
	/* After COMMIT: the batch's units, in order; freed on return. */
	void (*committed)(void *arg, struct writer_unit *units,
			  const struct writer_commit *c);
	/* The queue has room again (see writer_queued_bytes). */
	void (*room)(void *arg);
	/* Nothing is being written and nothing writable is queued. */
	void (*settled)(void *arg);
	void *arg;
};

/* Open the writer's own connection to database and start its thread
 * (without one, batches are written on the loop thread). 0, or a negative
 * errno, logged. ops is copied. */
int writer_new(uv_loop_t *loop, const char *database,
	       const struct writer_ops *ops, struct writer **out);

/* A unit of kind k for feed (copied); NULL on ENOMEM. */
struct writer_unit *writer_unit_new(enum writer_kind k, const char *feed);
void writer_unit_free(struct writer_unit *u);

/* Queue u (owned from now on); it is written within a loop turn or two. */
void writer_push(struct writer *w, struct writer_unit *u);

/* Every unit the writer holds for which match(arg, u) is true: queued
 * ones are freed unwritten, those being written lose their tag. */
void writer_drop(struct writer *w,
		 int (*match)(void *arg, const struct writer_unit *u),
		 void *arg);

/* Units held (queued or being written). */
size_t writer_units(const struct writer *w);
/* Bytes of the units queued and not yet handed to the thread. */
size_t writer_queued_bytes(const struct writer *w);
/* 1 while the store refuses writes: units are kept and retried. */
int writer_degraded(const struct writer *w);
/* max_database_size for the writer's connection (0: no cap), applied
 * with the next batch. */
void writer_set_size_limit(struct writer *w, uint64_t bytes);

void writer_hook_add(struct writer *w, struct writer_hook *h);
void writer_hook_remove(struct writer *w, struct writer_hook *h);

/* Stop: ops->prepare for each queued unit with a tag, then every tag is
 * cleared; the batch in hand is finished, what is complete gets one last
 * synchronous write (ops->committed and the hooks fire for it), the rest
 * is freed. done(arg) once the handles are closed; no op fires after. */
void writer_close(struct writer *w, void (*done)(void *arg), void *arg);

#endif
