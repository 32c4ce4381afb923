/* writer.c — batches of units written in one transaction each, on a
 * thread of its own (see include/writer.h).
 *
 * The writer thread is not the libuv pool, where a batch would queue
 * behind every pending parse; it has its own SQLite connection (w->ws),
 * and writes batches detached from the queue while the loop keeps
 * fetching, parsing and serving subscribers.
 */
#include "writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "briefing.h"
#include "log.h"
#include "store.h"
#include "worker.h"

/* One batch: at most this many units or about this much record text. */
#define FLUSH_MAX_UNITS 500
#define FLUSH_MAX_BYTES (8u << 20)
/* Batches handed to the writer at once: the one it writes and the next,
 * so that it starts that one the moment it commits instead of waiting
 * for the loop to hear of the commit and post more. */
#define WRITER_DEPTH 2
#define RETRY_MIN_MS 2000
#define RETRY_MAX_MS 60000

/* A batch handed to the writer, and what became of it. The loop fills
 * units..limit_set before posting; the writer fills the rest; neither
 * touches the batch while the other owns it. */
struct batch {
	struct writer_unit *units; /* detached from the queue */
	size_t n;
	size_t bytes;           /* the units' bytes */
	uint64_t limit;         /* a new size cap, set first if limit_set */
	int limit_set;
	int skipped;            /* not attempted: an earlier batch failed */
	int rc;                 /* 0 or a negative errno */
	char err[256];          /* the store's message when rc < 0 */
	size_t stored;          /* briefings new or changed */
	int64_t maxseq;         /* highest event seq written */
	struct timespec began;     /* COMMIT asked for, with log_level debug */
	struct timespec committed; /* COMMIT returned, with log_level debug */
	size_t refused;         /* records the store refused (dropped) */
	char refused_err[256];  /* the first refusal's reason */
	char *refused_feed, *refused_item;
};

struct writer {
	uv_loop_t *loop;
	struct writer_ops ops;
	struct writer_hook *hooks;
	struct writer_unit *head, *tail;
	size_t nunits;          /* queued and in the batches being written */
	size_t qbytes;          /* unit bytes in the queue (not the batch) */
	uv_idle_t flush;        /* flushes the queue once per loop turn; an
				 * idle handle (not a check handle) so the
				 * loop does not block in poll while work is
				 * queued */
	uv_timer_t retry;       /* while degraded */
	int64_t retry_ms;
	int degraded;
	struct store *ws;       /* the thread's alone while it runs */
	struct worker th;       /* its mu guards wposted, wdone, wskip */
	uv_async_t wasync;      /* the thread says a batch is done */
	/* wb is a ring: the loop posts at wfirst + nout, the thread takes
	 * them in order (wtake is its own), the loop finishes them in order
	 * from wfirst. */
	struct batch wb[WRITER_DEPTH];
	unsigned wfirst;        /* oldest batch not finished (loop side) */
	unsigned nout;          /* batches posted and not finished */
	unsigned wtake;         /* next batch the thread takes */
	unsigned wposted;       /* posted and not yet taken */
	unsigned wdone;         /* written and not yet finished */
	int wskip;              /* a batch failed: skip those after it until
				 * the loop has them all back */
	struct writer_unit *back; /* units of failed or skipped batches, in
				   * order, until every batch is finished */
	struct writer_unit *back_tail;
	int back_failed;        /* ... and one of them failed */
	uint64_t size_limit;    /* max_database_size for ws (loop side) */
	int size_limit_dirty;
	char *dbpath;           /* the file ws opened, and its identity then */
	dev_t dbdev;            /* (dbino 0: not checked) */
	ino_t dbino;
	ino_t walino, shmino;   /* DATABASE-wal, -shm, once seen */
	int closing;
	int handles_open;
	void (*done)(void *);
	void *done_arg;
};

static void flush_queue(struct writer *w);

/* ---- units -------------------------------------------------------------- */

void
writer_unit_free(struct writer_unit *u)
{
	if (!u)
		return;
	free(u->feed);
	free(u->item_id);
	briefing_free(u->b);
	store_record_clear(&u->rec);
	store_feed_clear(&u->sf);
	store_page_clear(&u->page);
	free(u);
}

struct writer_unit *
writer_unit_new(enum writer_kind k, const char *feed)
{
	struct writer_unit *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->kind = k;
	if (!(u->feed = strdup(feed))) {
		free(u);
		return NULL;
	}
	return u;
}

static void
on_flush_idle(uv_idle_t *h)
{
	flush_queue(h->data);
}

static void
on_retry(uv_timer_t *t)
{
	flush_queue(t->data);
}

void
writer_push(struct writer *w, struct writer_unit *u)
{
	u->next = NULL;
	if (w->tail)
		w->tail->next = u;
	else
		w->head = u;
	w->tail = u;
	w->nunits++;
	w->qbytes += u->bytes;
	if (!w->degraded && !w->closing)
		uv_idle_start(&w->flush, on_flush_idle);
}

/* ---- the thread ------------------------------------------------------- */

static void
note_refused(struct batch *bt, const struct writer_unit *u, const char *why)
{
	if (bt->refused++)
		return;
	snprintf(bt->refused_err, sizeof(bt->refused_err), "%s", why);
	bt->refused_feed = u->feed;
	bt->refused_item = u->item_id;
}

/* DATABASE-wal or -shm deleted or replaced while we have them open (an
 * admin taking them for temporary files): the commits only in the WAL
 * live in an unlinked file, lost at a crash, and a new process (the CLI)
 * makes a new WAL and index of its own. Copy what the WAL holds into the
 * database file (from here, on the writer's connection) and write no
 * more until a restart. */
static int
side_file_moved(struct writer *w, const char *ext, ino_t *ino, char *err,
		size_t size)
{
	char path[4096];
	struct stat st;
	int left = -1;

	if (snprintf(path, sizeof(path), "%s%s", w->dbpath, ext) >=
	    (int)sizeof(path))
		return 0;
	if (stat(path, &st) == 0 && (!*ino || st.st_ino == *ino)) {
		*ino = st.st_ino;
		return 0;
	}
	if (!*ino)
		return 0;
	(void)store_checkpoint(w->ws, &left);
	snprintf(err, size, "%s%s was %s while briefwatchd ran; the WAL's "
		 "commits were copied into the database file (%d frames "
		 "left); not writing any more (restart briefwatchd)",
		 w->dbpath, ext, access(path, F_OK) == 0 ? "replaced" :
		 "deleted", left);
	return 1;
}

/* Is the database path no longer the file w->ws has open (deleted, or
 * replaced by a rename: an admin restoring a backup)? SQLite would go on
 * writing into the unlinked file, announcing briefings that vanish at the
 * next start; so refuse to write (the batch is kept and retried, like a
 * full disk) and say why. */
static int
db_file_moved(struct writer *w, char *err, size_t size)
{
	struct stat st;

	if (!w->dbino)
		return 0;
	if (stat(w->dbpath, &st) < 0) {
		snprintf(err, size, "database %s was %s while briefwatchd "
			 "ran; not writing into the old file (restart "
			 "briefwatchd)", w->dbpath, errno == ENOENT ?
			 "deleted" : "made unreadable");
		return 1;
	}
	if (st.st_dev != w->dbdev || st.st_ino != w->dbino) {
		snprintf(err, size, "database %s was replaced by another "
			 "file while briefwatchd ran; not writing into the "
			 "old one (restart briefwatchd to use the new one)",
			 w->dbpath);
		return 1;
	}
	return side_file_moved(w, "-wal", &w->walino, err, size) ||
	       side_file_moved(w, "-shm", &w->shmino, err, size);
}

/* Write batch bt in one transaction on w->ws: on the writer thread, or
 * on the loop thread when there is none or it has ended. Reads only the
 * units' own data and bt's loop-side fields. */
static void
write_batch(struct writer *w, struct batch *bt)
{
	struct store *s = w->ws;
	struct writer_unit *u;
	int64_t seq;
	int r = 0;

	bt->rc = 0;
	bt->stored = 0;
	bt->maxseq = 0;
	bt->refused = 0;
	bt->err[0] = '\0';
	if (bt->limit_set) {
		bt->limit_set = 0;
		if (store_set_size_limit(s, bt->limit) < 0)
			r = -EIO;
	}
	if (r == 0 && db_file_moved(w, bt->err, sizeof(bt->err)))
		r = -ESTALE;
	else if (r == 0)
		r = store_begin(s);
	for (u = bt->units; r >= 0 && u; u = u->next) {
		switch (u->kind) {
		case WRITER_BRIEFING:
			seq = 0;
			r = store_put_record(s, u->feed, u->item_id, u->fp,
					     u->b, &u->rec, &seq);
			if (r == -EINVAL) {
				/* A record the store refuses will be refused
				 * on every retry: drop it, not the batch. */
				note_refused(bt, u, store_errmsg(s));
				u->result = -1;
				r = 0;
				break;
			}
			if (r < 0)
				break;
			u->result = r;
			if (r > 0)
				bt->stored++;
			if (u->has_page && u->b->id > 0) {
				u->page.briefing_id = u->b->id;
				r = store_page_put(s, &u->page);
				if (r < 0)
					break;
			}
			if (seq > bt->maxseq)
				bt->maxseq = seq;
			break;
		case WRITER_FEED_STATE:
			if (u->sf.name)
				r = store_feed_put(s, &u->sf);
			break;
		case WRITER_PAGE:
			r = store_page_put(s, &u->page);
			if (r == -EINVAL) { /* no such briefing any more */
				r = 0;
			}
			break;
		case WRITER_NEXT_DUE: {
			struct store_feed sf;

			r = store_feed_get(s, u->feed, &sf);
			if (r == -ENOENT) {
				r = 0;
				break;
			}
			if (r < 0)
				break;
			sf.next_due = u->next_due;
			r = store_feed_put(s, &sf);
			store_feed_clear(&sf);
			break;
		}
		}
	}
	if (r >= 0 && log_level >= LOG_LVL_DEBUG)
		clock_gettime(CLOCK_REALTIME, &bt->began);
	if (r >= 0)
		r = store_commit(s);
	if (r >= 0 && log_level >= LOG_LVL_DEBUG)
		clock_gettime(CLOCK_REALTIME, &bt->committed);
	if (r < 0 && r != -ESTALE) {
		snprintf(bt->err, sizeof(bt->err), "%s", store_errmsg(s));
		store_rollback(s);
	}
	bt->rc = r < 0 ? r : 0;
}

/* The writer thread: write each posted batch in turn and say so, until
 * told to end (after the batch in hand, if any). After a failure the
 * batches already posted behind it are skipped, not written: a feed's
 * state must never commit before records of it that were refused. */
static void
writer_main(void *arg)
{
	struct writer *w = arg;
	struct batch *bt;
	int skip;

	uv_mutex_lock(&w->th.mu);
	for (;;) {
		while (!w->wposted && !w->th.quit)
			uv_cond_wait(&w->th.cv, &w->th.mu);
		if (w->th.quit)
			break;
		w->wposted--;
		bt = &w->wb[w->wtake++ % WRITER_DEPTH];
		skip = w->wskip;
		uv_mutex_unlock(&w->th.mu);
		bt->skipped = skip;
		if (!skip)
			write_batch(w, bt);
		/* bt is the loop's again once wdone counts it */
		int rc = bt->rc;
		int64_t maxseq = skip ? 0 : bt->maxseq;
		size_t stored = bt->stored;
		struct timespec at = bt->committed, began = bt->began;

		uv_mutex_lock(&w->th.mu);
		if (!skip && rc < 0)
			w->wskip = 1;
		w->wdone++;
		uv_async_send(&w->wasync);
		if (rc == 0 && maxseq && log_level >= LOG_LVL_DEBUG) {
			/* For latency work (bench/sublat.c joins it with
			 * what subscribers read): when the events became
			 * durable, "at" the time COMMIT returned. Other
			 * connections can read the rows a little earlier:
			 * they are durable (synchronous = FULL) once
			 * visible, but COMMIT may go on to checkpoint the
			 * WAL, and this thread may be preempted before it
			 * reads the clock. So the time COMMIT was asked for
			 * is logged too, the earliest moment the events can
			 * have been seen. Logged once the loop has been
			 * told. */
			uv_mutex_unlock(&w->th.mu);
			log_debug("store: committed %zu briefings, events up "
				  "to seq %lld, at %lld.%06ld (commit began "
				  "%lld.%06ld)", stored, (long long)maxseq,
				  (long long)at.tv_sec, at.tv_nsec / 1000,
				  (long long)began.tv_sec,
				  began.tv_nsec / 1000);
			uv_mutex_lock(&w->th.mu);
		}
	}
	uv_mutex_unlock(&w->th.mu);
}

/* ---- the loop's side -------------------------------------------------- */

/* The oldest outstanding batch is over (on the loop thread): report it,
 * or set its units aside to go back to the head of the queue once every
 * outstanding batch is over (written == 0: the thread never took it). */
static void
finish_batch(struct writer *w, int written)
{
	struct batch *bt = &w->wb[w->wfirst % WRITER_DEPTH];
	struct writer_unit *units = bt->units, *last, *u, *n;
	struct writer_commit c;
	struct writer_hook *h;

	bt->units = NULL;
	w->wfirst++;
	w->nout--;
	if (!written)
		bt->skipped = 1;
	if (!bt->skipped && bt->refused)
		log_limited(bt->refused_feed, 5, LOG_LVL_ERR,
			    "store \"%s\": item %s refused: %s%s",
			    bt->refused_feed, bt->refused_item,
			    bt->refused_err,
			    bt->refused > 1 ? " (and others)" : "");
	if (bt->skipped || bt->rc < 0) {
		bt->n = 0;
		for (last = units; last->next; last = last->next)
			;
		for (u = units; u; u = u->next)
			w->qbytes += u->bytes;
		if (w->back_tail)
			w->back_tail->next = units;
		else
			w->back = units;
		w->back_tail = last;
		if (!bt->skipped && bt->rc < 0) {
			w->retry_ms = w->retry_ms ? w->retry_ms * 2
						  : RETRY_MIN_MS;
			if (w->retry_ms > RETRY_MAX_MS)
				w->retry_ms = RETRY_MAX_MS;
			if (!w->degraded)
				log_err("store: write of %zu queued items "
					"failed: %s; keeping them and retrying",
					w->nunits, bt->err);
			w->degraded = 1;
			w->back_failed = 1;
		}
		return;
	}
	if (w->degraded)
		log_info("store: writes work again; %zu queued items stored",
			 bt->n);
	w->degraded = 0;
	w->retry_ms = 0;
	w->nunits -= bt->n;
	bt->n = 0;
	c.stored = bt->stored;
	c.maxseq = bt->maxseq;
	if (w->ops.committed)
		w->ops.committed(w->ops.arg, units, &c);
	for (h = w->hooks; h; h = h->next)
		h->fn(h->arg, &c);
	for (u = units; u; u = n) {
		n = u->next;
		writer_unit_free(u);
	}
}

/* Every outstanding batch is over: what came back goes to the head of
 * the queue, in order, and the thread may write again. Then the next
 * step: the retry timer, more batches, or "settled". */
static void
batches_settled(struct writer *w)
{
	if (w->back) {
		w->back_tail->next = w->head;
		w->head = w->back;
		if (!w->tail)
			w->tail = w->back_tail;
		w->back = w->back_tail = NULL;
	}
	if (w->th.started) {
		uv_mutex_lock(&w->th.mu);
		w->wskip = 0;
		uv_mutex_unlock(&w->th.mu);
	}
	if (w->back_failed) {
		w->back_failed = 0;
		if (!w->closing)
			uv_timer_start(&w->retry, on_retry,
				       (uint64_t)w->retry_ms, 0);
		return;
	}
	if (w->closing)
		return;
	if (w->head && !w->degraded)
		uv_idle_start(&w->flush, on_flush_idle);
	else if (w->ops.settled)
		w->ops.settled(w->ops.arg);
}

/* The loop's side of finished batches. */
static void
on_written(uv_async_t *h)
{
	struct writer *w = h->data;
	unsigned done;

	uv_mutex_lock(&w->th.mu);
	done = w->wdone;
	w->wdone = 0;
	uv_mutex_unlock(&w->th.mu);
	while (done-- && w->nout)
		finish_batch(w, 1);
	if (!w->nout)
		batches_settled(w);
	else if (w->head && !w->degraded && !w->closing)
		uv_idle_start(&w->flush, on_flush_idle);
}

/* Detach up to FLUSH_MAX_UNITS units as the next batch and write it: by
 * the thread, or synchronously while closing. A second batch is posted
 * while one is written only if it is full by count and both fit in
 * FLUSH_MAX_BYTES: a trickle waits and goes in one batch, a burst of
 * small records keeps the thread busy, and big records (transcripts,
 * whose batches take long to write anyway) do not hold twice the memory
 * in the writer. */
static void
flush_queue(struct writer *w)
{
	struct batch *bt;
	struct writer_unit *u, *last = NULL;
	size_t n = 0, bytes = 0, cap = FLUSH_MAX_BYTES;

	uv_idle_stop(&w->flush);
	if (!w->head || w->nout >= WRITER_DEPTH || w->back)
		return;
	if (w->nout) {
		size_t k = 0, held = 0, b = 0;
		unsigned i;

		for (i = 0; i < w->nout; i++)
			held += w->wb[(w->wfirst + i) % WRITER_DEPTH].bytes;
		if (held >= FLUSH_MAX_BYTES)
			return; /* posted when the batch in hand is done */
		cap = FLUSH_MAX_BYTES - held;
		for (u = w->head; u && k < FLUSH_MAX_UNITS &&
		     b + u->bytes <= cap; u = u->next, k++)
			b += u->bytes;
		if (k < FLUSH_MAX_UNITS)
			return; /* likewise */
	}
	for (u = w->head; u && n < FLUSH_MAX_UNITS &&
	     (n == 0 || bytes + u->bytes <= cap);
	     u = u->next, n++) {
		if (u->tag && w->ops.prepare)
			w->ops.prepare(w->ops.arg, u);
		bytes += u->bytes;
		last = u;
	}
	bt = &w->wb[(w->wfirst + w->nout) % WRITER_DEPTH];
	bt->units = w->head;
	bt->n = n;
	bt->bytes = bytes;
	bt->skipped = 0;
	w->head = last->next;
	if (!w->head)
		w->tail = NULL;
	last->next = NULL;
	w->qbytes -= bytes;
	w->nout++;
	/* A new size cap travels with the batch: the thread's fields are
	 * set before it is posted, never while it writes. */
	bt->limit_set = 0;
	if (w->size_limit_dirty) {
		w->size_limit_dirty = 0;
		bt->limit = w->size_limit;
		bt->limit_set = 1;
	}
	/* Room in the queue again: the owner may produce more. */
	if (w->ops.room && !w->closing)
		w->ops.room(w->ops.arg);
	if (!w->closing && w->th.started) {
		uv_mutex_lock(&w->th.mu);
		w->wposted++;
		uv_cond_signal(&w->th.cv);
		uv_mutex_unlock(&w->th.mu);
		if (w->head && w->nout < WRITER_DEPTH)
			uv_idle_start(&w->flush, on_flush_idle);
		return;
	}
	write_batch(w, bt);
	finish_batch(w, 1);
	batches_settled(w);
	if (w->closing && w->head && !w->degraded)
		flush_queue(w);
}

/* ---- the interface ------------------------------------------------------- */

void
writer_drop(struct writer *w,
	    int (*match)(void *arg, const struct writer_unit *u), void *arg)
{
	struct writer_unit **uu, *u;

	/* Queued units go: they were not committed. */
	for (uu = &w->head; (u = *uu);) {
		if (match(arg, u)) {
			*uu = u->next;
			w->nunits--;
			w->qbytes -= u->bytes;
			writer_unit_free(u);
		} else {
			uu = &u->next;
		}
	}
	w->tail = NULL;
	for (u = w->head; u; u = u->next)
		w->tail = u;
	/* Units with the thread stay there, and those set aside from a
	 * failed batch stay in order; their tags go. */
	for (unsigned i = 0; i < w->nout; i++)
		for (u = w->wb[(w->wfirst + i) % WRITER_DEPTH].units; u;
		     u = u->next)
			if (match(arg, u))
				u->tag = NULL;
	for (u = w->back; u; u = u->next)
		if (match(arg, u))
			u->tag = NULL;
}

size_t
writer_units(const struct writer *w)
{
	return w->nunits;
}

size_t
writer_queued_bytes(const struct writer *w)
{
	return w->qbytes;
}

int
writer_degraded(const struct writer *w)
{
	return w->degraded;
}

void
writer_set_size_limit(struct writer *w, uint64_t bytes)
{
	/* Handed to the thread with its next batch (the connection is the
	 * thread's alone). */
	w->size_limit = bytes;
	w->size_limit_dirty = 1;
}

void
writer_hook_add(struct writer *w, struct writer_hook *h)
{
	struct writer_hook **hh;

	h->next = NULL;
	for (hh = &w->hooks; *hh; hh = &(*hh)->next)
		;
	*hh = h;
}

void
writer_hook_remove(struct writer *w, struct writer_hook *h)
{
	struct writer_hook **hh;

	for (hh = &w->hooks; *hh; hh = &(*hh)->next)
		if (*hh == h) {
			*hh = h->next;
			return;
		}
}

int
writer_new(uv_loop_t *loop, const char *database,
	   const struct writer_ops *ops, struct writer **out)
{
	struct writer *w = calloc(1, sizeof(*w));
	char *err = NULL;
	int r;

	if (!w)
		return -ENOMEM;
	w->loop = loop;
	if (ops)
		w->ops = *ops;
	r = store_open(database, STORE_WRITER, &w->ws, &err);
	if (r < 0) {
		log_err("store: cannot open the writer's connection: %s",
			err ? err : strerror(-r));
		free(err);
		free(w);
		return r;
	}
	{
		struct stat st;

		w->dbpath = strdup(database);
		if (w->dbpath && stat(database, &st) == 0 && st.st_ino &&
		    S_ISREG(st.st_mode)) {
			w->dbdev = st.st_dev;
			w->dbino = st.st_ino;
		}
	}
	uv_idle_init(loop, &w->flush);
	w->flush.data = w;
	uv_timer_init(loop, &w->retry);
	w->retry.data = w;
	uv_async_init(loop, &w->wasync, on_written);
	w->wasync.data = w;
	w->handles_open = 3;
	if (worker_start(&w->th, writer_main, w) != 0)
		log_warn("store: no writer thread; writing on the loop "
			 "thread");
	*out = w;
	return 0;
}

static void
on_closed(uv_handle_t *h)
{
	struct writer *w = h->data;
	struct writer_unit *u;

	if (--w->handles_open)
		return;
	while ((u = w->head)) {
		w->head = u->next;
		writer_unit_free(u);
	}
	store_close(w->ws);
	free(w->dbpath);
	if (w->done)
		w->done(w->done_arg);
	free(w);
}

void
writer_close(struct writer *w, void (*done)(void *arg), void *arg)
{
	struct writer_unit *u;

	w->closing = 1;
	/* The owner's last word on what is queued; nothing is reported back
	 * for any unit any more. */
	for (u = w->head; u; u = u->next) {
		if (u->tag && w->ops.prepare)
			w->ops.prepare(w->ops.arg, u);
		u->tag = NULL;
	}
	for (unsigned i = 0; i < w->nout; i++)
		for (u = w->wb[(w->wfirst + i) % WRITER_DEPTH].units; u;
		     u = u->next)
			u->tag = NULL;
	for (u = w->back; u; u = u->next)
		u->tag = NULL;
	/* The thread ends after the batch in hand; the results are taken
	 * here (the loop waits for at most one batch), and batches it never
	 * took go back to the queue. */
	if (w->th.started) {
		unsigned written;

		worker_stop(&w->th);
		written = w->wdone;
		w->wdone = 0;
		for (; w->nout; written -= written > 0)
			finish_batch(w, written > 0);
		batches_settled(w);
	}
	/* Whatever is complete gets one last chance to be written; what is
	 * left is freed with the writer. */
	if (w->head && !w->degraded)
		flush_queue(w);
	w->nunits = 0;
	w->qbytes = 0;
	memset(&w->ops, 0, sizeof(w->ops));
	w->hooks = NULL;
	w->done = done;
	w->done_arg = arg;
	uv_close((uv_handle_t *)&w->flush, on_closed);
	uv_close((uv_handle_t *)&w->retry, on_closed);
	uv_close((uv_handle_t *)&w->wasync, on_closed);
}
