/* ingest — the pipeline that carries a feed poll to stored, announced
 * briefings:
 *
 *   fetch feed (conditional GET) → feed_parse → for each item not yet
 *   stored: fetch its page → transcript_parse (fall back to the feed
 *   item's own fields) → queue → one transaction per batch, written by
 *   the writer (writer.h) with its own connection: briefings, event rows
 *   and the feed's new validators → COMMIT → ops->committed.
 *
 * A feed's ETag/Last-Modified advance only in the transaction that stores
 * every item of that poll, so an item whose page failed, or a failed
 * commit (disk full), is retried by the next poll: nothing is lost.
 *
 * ingest knows nothing of its owner: it is given an environment (loop,
 * fetcher, store, profiles, limits) and reports through ingest_ops. The
 * ops are fired on the loop thread once ingest has finished its own step
 * (they are queued and delivered when the entry point that produced them
 * returns), so an op may call any ingest_* function, ingest_close
 * included. After ingest_close only `committed` still fires (for the
 * last synchronous write).
 */
#ifndef BW_INGEST_H
#define BW_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"

struct fetcher;
struct ingest;
struct ingest_attempt;
struct profile;
struct profile_set;
struct schedctl;
struct store;
struct store_page;
struct writer;

/* Limits that a reload may change (ingest_set_limits). */
struct ingest_limits {
	size_t max_feed_bytes;
	size_t max_feed_items;
	size_t max_field_bytes;
	size_t max_page_bytes;
	int fetch_pages;          /* default for feeds with fetch_pages < 0 */
	struct recheck_sched recheck; /* for feeds whose recheck.set is 0 */
};

/* Everything ingest uses; borrowed for its life. */
struct ingest_env {
	uv_loop_t *loop;
	struct fetcher *fetcher;
	struct store *store;      /* loop thread's connection (lookups) */
	const char *database;     /* the writer opens its own connection */
	const struct profile_set *profiles; /* see ingest_set_profiles */
	struct ingest_limits limits;
};

/* One feed as ingest sees it. The owner fills name..fetch_pages (borrowed
 * until ingest_forget) and zeroes the rest; ingest keeps its own state in
 * the rest, freed by ingest_feed_clear. */
struct ingest_feed {
	const char *name;
	const char *url;
	const struct profile *profile; /* NULL: chosen by page URL */
	int fetch_pages;               /* -1: the limits' default */
	struct recheck_sched recheck;  /* .set 0: the limits' */
	struct schedctl *sched;        /* the feed's poll scheduler (issue
					* #26, schedctl.h), the owner's:
					* ingest tells it each response and
					* parsed document; NULL: none */
	/* ingest's */
	char *pending_redirect;  /* permanent redirect seen once, adopted
				  * when the next poll sees it again */
	struct ingest_attempt *attempts; /* failed page attempts per item */
};

/* How a poll ended. */
struct ingest_result {
	int ok;                   /* the poll worked (including 304) */
	int new_items;            /* briefings it produced */
	int changed_items;        /* stored items it fetched again */
	int64_t retry_after_s;    /* from the server, or -1 */
	const char *msg;          /* one line, for `status` */
};

struct ingest_ops {
	/* f's poll is over. */
	void (*poll_done)(void *arg, struct ingest_feed *f,
			  const struct ingest_result *r);
	/* A COMMIT stored `stored` briefings, events up to maxseq (0: no
	 * event). */
	void (*committed)(void *arg, size_t stored, int64_t maxseq);
	/* Nothing in progress: no poll, nothing queued. */
	void (*idle)(void *arg);
	void *arg;
};

/* Counters since start (status/metrics). */
struct ingest_stats {
	uint64_t rechecks;          /* page re-checks answered */
	uint64_t rechecks_304;      /* ... not modified */
	uint64_t rechecks_gone;     /* ... 404/410: the page is gone */
	uint64_t rechecks_revised;  /* ... that made a new revision */
};

/* 0 and *out, or a negative errno (logged). env and ops are copied. */
int ingest_new(const struct ingest_env *env, const struct ingest_ops *ops,
	       struct ingest **out);
/* Start polling feed f. Completion is reported with ops->poll_done. */
int ingest_poll(struct ingest *in, struct ingest_feed *f);
/* Forget f: its in-flight work is cancelled (called before f is freed);
 * no op fires for it afterwards. */
void ingest_forget(struct ingest *in, struct ingest_feed *f);
/* Re-check the stored page pg (copied) of a briefing: a conditional GET
 * with its validators, when there is spare capacity (no feed poll or page
 * waits); 304 → the schedule moves on; 200 → parsed and put (the store
 * decides: unchanged, or a revision and briefing.updated); 404/410 → the
 * page is marked gone. f: the feed whose profile and schedule apply, or
 * NULL (feed no longer configured). 0 (queued) or -ENOMEM. */
int ingest_recheck(struct ingest *in, struct ingest_feed *f,
		   const struct store_page *pg);
/* Re-checks queued, in flight or not yet committed. */
size_t ingest_rechecks(const struct ingest *in);
void ingest_stats(const struct ingest *in, struct ingest_stats *out);
/* Free what ingest keeps in f (after ingest_forget or ingest_close). */
void ingest_feed_clear(struct ingest_feed *f);
/* Polls, page fetches and queued writes still in progress. */
size_t ingest_busy(const struct ingest *in);
/* 1 while the store refuses writes (disk full, I/O error): queued work is
 * kept and retried. */
int ingest_degraded(const struct ingest *in);
/* A reload replaced the limits. */
void ingest_set_limits(struct ingest *in, const struct ingest_limits *lim);
/* A reload replaced the profile set: polls started from now on use set
 * (borrowed); old (owned from now on) is freed once no parse that may be
 * using it is in flight. */
void ingest_set_profiles(struct ingest *in, const struct profile_set *set,
			 struct profile_set *old);
/* Record, after everything queued before it, when a failing feed may be
 * polled again (survives a restart). */
void ingest_next_due(struct ingest *in, const char *feed, int64_t next_due);
/* max_database_size for the writer's connection (0: no cap). */
void ingest_set_size_limit(struct ingest *in, uint64_t bytes);
/* The writer, for writer_hook_add (after-COMMIT signals of other
 * modules: a relay, an output). Valid until ingest_close. */
struct writer *ingest_writer(struct ingest *in);
/* Stop: cancel fetches, flush what can be flushed; done(arg) after the
 * handles are closed. */
void ingest_close(struct ingest *in, void (*done)(void *arg), void *arg);

#endif
