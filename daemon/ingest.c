/* ingest.c — from a feed poll to stored, announced briefings (see
 * include/ingest.h for the guarantees).
 *
 * Threads: everything here runs on the loop thread except the two parsers,
 * which run on libuv's thread pool (uv_queue_work) on private copies of
 * their input, so a 16 MB feed or a slow page never stalls the socket, and
 * the writer, a thread of its own (not the pool, where a batch would queue
 * behind every pending parse) with its own SQLite connection (in->ws): it
 * writes batches of units detached from the queue while the loop keeps
 * fetching, parsing and serving subscribers. One batch is written at a time; a unit in it holds everything
 * the writer reads (feed name, item id, record, feed state), and its poll
 * pointer is touched only on the loop thread. A poll or page whose parse
 * is in flight cannot be freed: it is marked orphaned and freed by the
 * after-work callback. Profile sets replaced by a reload are kept until no
 * parse is in flight.
 */
#include "ingest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "briefing.h"
#include "buf.h"
#include "daemon.h"
#include "feed.h"
#include "fetch.h"
#include "log.h"
#include "profiles.h"
#include "schedctl.h"
#include "notify.h"
#include "store.h"
#include "transcript.h"
#include "worker.h"

/* One batch: at most this many units or about this much record text. */
#define FLUSH_MAX_UNITS 500
#define FLUSH_MAX_BYTES (8u << 20)
/* While this much record text waits for the writer, no new page fetch
 * starts: the writer sets the pace, and memory stays bounded (the
 * batches with the writer, the queue, and the pages in flight). */
#define QUEUE_MAX_BYTES (8u << 20)
/* Pages fetching or parsing at once, over all feeds: bounds the memory
 * held in page bodies when fetching outpaces parsing. The rest wait. */
#define PAGES_ACTIVE_MAX 32
/* Feed polls in progress at once; the rest wait their turn. Bounds the
 * documents and queued records held in memory when thousands of feeds
 * come due together (start-up, --once). */
#define POLLS_ACTIVE_MAX 64
/* Batches handed to the writer at once: the one it writes and the next,
 * so that it starts that one the moment it commits instead of waiting
 * for the loop to hear of the commit and post more. */
#define WRITER_DEPTH 2
#define RETRY_MIN_MS 2000
#define RETRY_MAX_MS 60000

struct poll;

/* A fetched item page waiting for its body. */
struct page {
	struct poll *p;
	struct fetch_job *job;   /* while fetching */
	size_t entry;            /* index into p->doc->entries */
	uint64_t fp;             /* fingerprint of the feed item */
	int active;              /* holds one of the PAGES_ACTIVE_MAX slots */
	int waiting;             /* in the ingest's wait queue */
	struct page *wnext;
	uv_work_t work;          /* while parsing */
	char *body;              /* private copies for the worker */
	size_t len;
	char *url, *charset;
	struct briefing *b;      /* worker's result */
	int rc;
	char *err;
	struct page *next;
};

/* One feed poll in progress. */
struct poll {
	struct ingest *in;
	struct feedctl *f;
	struct fetch_job *job;   /* the feed fetch, while in flight */
	struct store_feed sf;    /* state to write when the poll completes */
	struct feed_doc *doc;
	struct page *pages;
	size_t pages_pending;
	size_t pages_waiting;    /* of which in the ingest's wait queue */
	int pages_failed;
	char first_page_error[160];
	int new_items;
	int changed_items;       /* stored items whose feed entry changed */
	int64_t retry_after;
	int queued;              /* its state unit is in the write queue */
	struct profile *profile; /* private copy of the feed's profile */
	const struct profile_set *profiles; /* borrowed; kept alive by
					     * ingest_retire_profiles */
	char *name;              /* the feed's name, private copy */
	char *new_etag, *new_lm; /* validators of this response: they replace
				  * the stored ones only when every item of
				  * the poll is stored */
	size_t max_page;
	/* feed parse on the thread pool */
	uv_work_t work;
	char *body, *ct, *url;
	size_t len, max_feed, max_items, max_field;
	int rc;
	char *err;
	unsigned inflight;       /* parses in flight (feed + pages) */
	int orphaned;            /* forgotten: free when inflight drops to 0 */
	int active;              /* holds one of the POLLS_ACTIVE_MAX slots */
	int waiting;             /* in the ingest's poll wait queue */
	struct poll *wnext;
	struct poll *next;
	struct poll **pprev;     /* the pointer that points at us in the list */
};

enum unit_kind {
	UNIT_BRIEFING,   /* a record of poll p */
	UNIT_FEED_DONE,  /* poll p is complete: its feed state, after its
			  * records, in the same transaction */
	UNIT_FEED_STATE, /* a failed poll's feed state (sf) */
	UNIT_NEXT_DUE,   /* when a failing feed may be polled again */
};

/* One thing to write in the next transaction. The writer thread reads only
 * feed, item_id, fp, b, rec, sf and next_due; p belongs to the loop thread
 * (NULL once the poll was forgotten). */
struct unit {
	enum unit_kind kind;
	struct poll *p;
	char *feed;              /* the feed's name, own copy */
	char *item_id;
	uint64_t fp;             /* fingerprint of the feed item */
	struct briefing *b;
	struct store_record rec; /* b's record text, made on the loop */
	struct store_feed sf;    /* FEED_DONE once prepared, FEED_STATE */
	int prepared;            /* FEED_DONE: sf taken from the poll */
	int64_t next_due;        /* NEXT_DUE: unix seconds */
	size_t bytes;            /* about how much memory b holds */
	struct unit *next;
};

/* A batch handed to the writer, and what became of it. The loop fills
 * units..limit_set before posting; the writer fills the rest; neither
 * touches the batch while the other owns it. */
struct batch {
	struct unit *units;     /* detached from the queue */
	size_t n;
	size_t bytes;           /* the units' bytes */
	uint64_t limit;         /* a new size cap, set first if limit_set */
	int limit_set;
	int skipped;            /* not attempted: an earlier batch failed */
	int rc;                 /* 0 or a negative errno */
	char err[256];          /* the store's message when rc < 0 */
	size_t stored;          /* briefings new or changed */
	int64_t maxseq;         /* highest event seq written */
	struct timespec committed; /* when, with log_level debug */
	size_t refused;         /* records the store refused (dropped) */
	char refused_err[256];  /* the first refusal's reason */
	char *refused_feed, *refused_item;
};

struct ingest {
	struct daemon *d;
	struct poll *polls;
	struct unit *head, *tail;
	size_t nunits;          /* queued and in the batch being written */
	size_t qbytes;          /* unit bytes in the queue (not the batch) */
	uv_idle_t flush;        /* flushes the queue once per loop turn; an
				 * idle handle (not a check handle) so the
				 * loop does not block in poll while work is
				 * queued */
	uv_timer_t retry;       /* while degraded */
	int64_t retry_ms;
	int degraded;
	/* the writer */
	struct store *ws;       /* its connection: the writer thread's alone
				 * while it runs */
	struct worker writer;   /* its mu guards wposted, wdone, wskip */
	uv_async_t wasync;      /* the writer says a batch is done */
	/* wb is a ring: the loop posts at wfirst + nout, the writer takes
	 * them in order (wtake is its own), the loop finishes them in order
	 * from wfirst. */
	struct batch wb[WRITER_DEPTH];
	unsigned wfirst;        /* oldest batch not finished (loop side) */
	unsigned nout;          /* batches posted and not finished */
	unsigned wtake;         /* next batch the writer takes (writer side) */
	unsigned wposted;       /* posted and not yet taken */
	unsigned wdone;         /* written and not yet finished */
	int wskip;              /* a batch failed: skip those after it until
				 * the loop has them all back */
	struct unit *back;      /* units of failed or skipped batches, in
				 * order, until every batch is finished */
	struct unit *back_tail;
	int back_failed;        /* ... and one of them failed */
	uint64_t size_limit;    /* max_database_size for ws (loop side) */
	int size_limit_dirty;
	int closing;
	int handles_open;
	unsigned inflight;      /* parses on the thread pool */
	size_t pages_active;    /* pages fetching or parsing */
	size_t polls_active;    /* polls started and not finished */
	size_t npolls;          /* polls in the list (active or waiting) */
	struct poll *pwait_head, *pwait_tail; /* polls waiting for a slot */
	int pumping;            /* polls_pump is running (no re-entry) */
	struct page *wait_head, *wait_tail; /* pages waiting for a slot */
	struct retired {
		struct profile_set *set;
		struct retired *next;
	} *retired;
	void (*done)(void *);
	void *done_arg;
};

static void flush_queue(struct ingest *in);
static void pages_pump(struct ingest *in);
static void polls_pump(struct ingest *in);
static void page_release(struct page *pg);
static void maybe_free(struct ingest *in);
static void on_flush_idle(uv_idle_t *h);

/* ---- queue ------------------------------------------------------------ */

static void
unit_free(struct unit *u)
{
	if (!u)
		return;
	free(u->feed);
	free(u->item_id);
	briefing_free(u->b);
	store_record_clear(&u->rec);
	store_feed_clear(&u->sf);
	free(u);
}

/* A unit of kind k for feed name (copied). NULL on ENOMEM. */
static struct unit *
unit_new(enum unit_kind k, const char *feed)
{
	struct unit *u = calloc(1, sizeof(*u));

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
queue_push(struct ingest *in, struct unit *u)
{
	u->next = NULL;
	if (in->tail)
		in->tail->next = u;
	else
		in->head = u;
	in->tail = u;
	in->nunits++;
	in->qbytes += u->bytes;
	if (!in->degraded && !in->closing)
		uv_idle_start(&in->flush, on_flush_idle);
}

/* ---- polls --------------------------------------------------------------- */

static void
page_free(struct page *pg)
{
	free(pg->body);
	free(pg->url);
	free(pg->charset);
	free(pg->err);
	briefing_free(pg->b);
	free(pg);
}

static void
poll_destroy(struct poll *p)
{
	feed_doc_free(p->doc);
	store_feed_clear(&p->sf);
	profile_free(p->profile);
	free(p->name);
	free(p->new_etag);
	free(p->new_lm);
	free(p->body);
	free(p->ct);
	free(p->url);
	free(p->err);
	free(p);
}

/* Release p: cancel its fetches now; free it now, or, while a parse of
 * its is on the thread pool, when the last one comes back. */
static void
poll_free(struct poll *p)
{
	struct ingest *in = p->in;
	struct page *pg, **pp, **wp;

	/* Pages still waiting for a slot leave the queue first, so that the
	 * slots freed below cannot start one of them. */
	for (wp = &in->wait_head; p->pages_waiting && (pg = *wp);) {
		if (pg->p == p) {
			*wp = pg->wnext;
			pg->waiting = 0;
			p->pages_waiting--;
		} else {
			wp = &pg->wnext;
		}
	}
	in->wait_tail = NULL;
	for (pg = in->wait_head; pg; pg = pg->wnext)
		in->wait_tail = pg;
	for (pp = &p->pages; (pg = *pp);) {
		if (pg->body) { /* parsing: the worker still owns it */
			pp = &pg->next;
			continue;
		}
		if (pg->job) { /* fetching */
			fetch_cancel(in->d->fetcher, pg->job);
			pg->job = NULL;
			page_release(pg);
		}
		p->pages_pending--;
		*pp = pg->next;
		page_free(pg);
	}
	if (p->job) {
		fetch_cancel(p->in->d->fetcher, p->job);
		p->job = NULL;
	}
	if (p->waiting) {
		struct poll **qq;

		for (qq = &in->pwait_head; *qq; qq = &(*qq)->wnext)
			if (*qq == p) {
				*qq = p->wnext;
				break;
			}
		in->pwait_tail = NULL;
		for (qq = &in->pwait_head; *qq; qq = &(*qq)->wnext)
			in->pwait_tail = *qq;
		p->waiting = 0;
	}
	if (p->active) {
		p->active = 0;
		in->polls_active--;
	}
	pages_pump(in);
	polls_pump(in);
	if (p->inflight) {
		p->orphaned = 1;
		return;
	}
	poll_destroy(p);
}

static void
profiles_reap(struct ingest *in)
{
	struct retired *r;

	while (!in->inflight && (r = in->retired)) {
		in->retired = r->next;
		profile_set_free(r->set);
		free(r);
	}
}

/* A parse came back: account for it; 1 if its poll was orphaned and is
 * now gone. */
static int
parse_returned(struct poll *p)
{
	struct ingest *in = p->in;

	in->inflight--;
	p->inflight--;
	profiles_reap(in);
	if (!p->orphaned)
		return 0;
	if (!p->inflight)
		poll_destroy(p);
	if (in->closing)
		maybe_free(in);
	return 1;
}

static void
poll_unlink(struct poll *p)
{
	if (!p->pprev)
		return;
	*p->pprev = p->next;
	if (p->next)
		p->next->pprev = p->pprev;
	p->next = NULL;
	p->pprev = NULL;
	p->in->npolls--;
}

static int
set_str(char **dst, const char *s)
{
	char *v = s ? strdup(s) : NULL;

	if (s && !v)
		return -ENOMEM;
	free(*dst);
	*dst = v;
	return 0;
}

/* The poll failed before any item was queued: record it and report. */
static void
poll_fail(struct poll *p, int64_t retry_after, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
poll_fail(struct poll *p, int64_t retry_after, const char *fmt, ...)
{
	struct ingest *in = p->in;
	struct feedctl *f = p->f;
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	/* Validators stay as they were; only the failure is recorded, by
	 * the writer, after whatever is queued before it. */
	p->sf.failures++;
	p->sf.last_attempt = daemon_now_ms() / 1000;
	set_str(&p->sf.last_error, buf_str(&msg));
	if (p->sf.name) {
		struct unit *u = unit_new(UNIT_FEED_STATE, p->sf.name);

		if (u) {
			u->sf = p->sf;
			memset(&p->sf, 0, sizeof(p->sf));
			queue_push(in, u);
		} else {
			log_limited("store", 5, LOG_LVL_WARN,
				    "store: cannot record state of feed "
				    "\"%s\": out of memory", f->cfg.name);
		}
	}
	poll_unlink(p);
	poll_free(p);
	daemon_feed_done(in->d, f, 0, 0, retry_after, buf_str(&msg));
	buf_free(&msg);
}

/* Every page of the poll is settled: queue the feed's new state behind its
 * briefings, so both commit together. */
static void
poll_settle(struct poll *p)
{
	struct unit *u;

	if (p->pages_pending || p->queued)
		return;
	u = unit_new(UNIT_FEED_DONE, p->name);
	if (!u) {
		poll_fail(p, -1, "out of memory");
		return;
	}
	u->p = p;
	p->queued = 1;
	queue_push(p->in, u);
}

/* Make the record for entry e from the feed item alone. */
static struct briefing *
briefing_from_entry(const struct feed_entry *e, const char *feed)
{
	struct briefing *b = briefing_new();
	int err = 0;

	if (!b)
		return NULL;
	b->kind = BRIEFING_OTHER;
	err |= set_str(&b->feed, feed);
	err |= set_str(&b->url, e->link ? e->link : e->id);
	err |= set_str(&b->title, e->title);
	err |= set_str(&b->published, e->published ? e->published : e->updated);
	err |= set_str(&b->updated, e->published ? e->updated : NULL);
	err |= set_str(&b->summary, e->summary ? e->summary : e->content);
	if (err) {
		briefing_free(b);
		return NULL;
	}
	return b;
}

/* Fill what the page did not say from the feed item. */
static int
briefing_complete(struct briefing *b, const struct feed_entry *e,
		  const char *feed)
{
	int err = 0;

	err |= set_str(&b->feed, feed);
	if (e->link)
		err |= set_str(&b->url, e->link);
	if (!b->title || !*b->title)
		err |= set_str(&b->title, e->title);
	if (!b->published)
		err |= set_str(&b->published,
			       e->published ? e->published : e->updated);
	if (!b->summary || !*b->summary)
		err |= set_str(&b->summary, e->summary);
	return err ? -ENOMEM : 0;
}

/* FNV-1a over the fields of a feed item that change when a publisher
 * edits it; never 0 (0 means "not known" in the store). */
static uint64_t
entry_fingerprint(const struct feed_entry *e)
{
	const char *parts[6] = {e->title, e->link, e->published, e->updated,
				e->summary, e->content};
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < 6; i++) {
		const unsigned char *c = (const unsigned char *)parts[i];

		for (; c && *c; c++)
			h = (h ^ *c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL; /* field separator */
	}
	return h ? h : 1;
}

static size_t
slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* About the memory a record holds (its text and per-turn overhead). */
static size_t
briefing_bytes(const struct briefing *b)
{
	size_t n = sizeof(*b) + slen(b->url) + slen(b->title) +
		   slen(b->subtitle) + slen(b->summary) + slen(b->location) +
		   slen(b->published) + slen(b->updated), i;

	for (i = 0; i < b->nspeakers; i++)
		n += sizeof(b->speakers[i]) + slen(b->speakers[i].name) +
		     slen(b->speakers[i].role);
	for (i = 0; i < b->nturns; i++)
		n += sizeof(b->turns[i]) + slen(b->turns[i].speaker) +
		     slen(b->turns[i].label) + slen(b->turns[i].asker) +
		     slen(b->turns[i].outlet) + slen(b->turns[i].text);
	return n;
}

static int
queue_briefing(struct poll *p, size_t idx, struct briefing *b, uint64_t fp)
{
	struct unit *u = unit_new(UNIT_BRIEFING, p->name);

	if (!u || !(u->item_id = strdup(p->doc->entries[idx].id)) ||
	    store_record_make(b, u->feed, u->item_id, &u->rec) < 0) {
		unit_free(u);
		briefing_free(b);
		return -ENOMEM;
	}
	u->p = p;
	u->b = b;
	u->fp = fp;
	u->bytes = briefing_bytes(b) + strlen(u->rec.text);
	queue_push(p->in, u);
	return 0;
}

static void
page_unlink(struct page *pg)
{
	struct page **pp;

	for (pp = &pg->p->pages; *pp; pp = &(*pp)->next)
		if (*pp == pg) {
			*pp = pg->next;
			return;
		}
}

static void
page_failed(struct page *pg, const char *why)
{
	struct poll *p = pg->p;
	const struct feed_entry *e = &p->doc->entries[pg->entry];

	log_limited(p->name, 5, LOG_LVL_WARN,
		    "fetch \"%s\": page %s: %s, retrying on the next poll",
		    p->name, e->link, why);
	if (!p->pages_failed++)
		snprintf(p->first_page_error, sizeof(p->first_page_error),
			 "%s", why);
}

/* Thread pool: the page's bytes to a briefing record. */
static void
work_page(uv_work_t *w)
{
	struct page *pg = w->data;
	struct transcript_opts o = {0};

	o.url = pg->url;
	o.charset = pg->charset;
	o.profile = pg->p->profile;
	o.profiles = pg->p->profiles;
	o.max_bytes = pg->p->max_page;
	pg->rc = transcript_parse(pg->body, pg->len, &o, &pg->b, &pg->err);
}

static void
after_page(uv_work_t *w, int status)
{
	struct page *pg = w->data;
	struct poll *p = pg->p;
	struct ingest *in = p->in;
	const struct feed_entry *e;
	struct briefing *b;

	free(pg->body);
	pg->body = NULL;
	page_release(pg);
	if (in->closing) {
		/* parse_returned may free the ingest itself: touch nothing
		 * of it afterwards (nothing new starts while closing). */
		if (parse_returned(p)) {
			page_free(pg);
			return;
		}
	} else if (parse_returned(p)) {
		page_free(pg);
		pages_pump(in);
		return;
	}
	page_unlink(pg);
	p->pages_pending--;
	e = &p->doc->entries[pg->entry];
	if (status == UV_ECANCELED) {
		page_failed(pg, "cancelled");
		goto out;
	}
	b = pg->b;
	pg->b = NULL;
	if (pg->rc < 0) {
		/* Not a transcript we can read (a PDF, an empty page): the
		 * item still becomes a briefing, from the feed alone. */
		log_limited(p->name, 5, LOG_LVL_INFO,
			    "extract \"%s\": %s: %s; storing the feed item only",
			    p->name, e->link, pg->err ? pg->err : "no content");
		b = briefing_from_entry(e, p->name);
	} else if (briefing_complete(b, e, p->name) < 0) {
		briefing_free(b);
		b = NULL;
	}
	if (!b || queue_briefing(p, pg->entry, b, pg->fp) < 0)
		page_failed(pg, "out of memory");
out:
	page_free(pg);
	poll_settle(p);
	pages_pump(in);
}

/* Copy what the worker needs out of the borrowed fetch result. */
static int
copy_body(const struct fetch_result *res, char **body, size_t *len)
{
	*body = malloc(res->len + 1);
	if (!*body)
		return -ENOMEM;
	memcpy(*body, res->body ? res->body : "", res->len);
	(*body)[res->len] = '\0';
	*len = res->len;
	return 0;
}

/* The charset parameter of a Content-Type header, copied; or NULL. */
static char *
ct_charset(const char *ct)
{
	const char *p = ct ? strcasestr(ct, "charset=") : NULL;
	size_t n;

	if (!p)
		return NULL;
	p += 8;
	if (*p == '"')
		p++;
	n = strcspn(p, "\"; \t");
	return n ? strndup(p, n) : NULL;
}

static void
on_page(void *arg, const struct fetch_result *res)
{
	struct page *pg = arg;
	struct poll *p = pg->p;
	struct ingest *in = p->in;
	const struct feed_entry *e = &p->doc->entries[pg->entry];
	char why[160];

	pg->job = NULL;
	if (res->error || res->status != 200) {
		if (res->error)
			snprintf(why, sizeof(why), "%s", res->error_msg);
		else
			snprintf(why, sizeof(why), "HTTP %ld", res->status);
		goto fail;
	}
	if (copy_body(res, &pg->body, &pg->len) < 0 ||
	    !(pg->url = strdup(res->effective_url ? res->effective_url
						  : e->link))) {
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	pg->charset = ct_charset(res->content_type);
	pg->work.data = pg;
	if (uv_queue_work(in->d->loop, &pg->work, work_page, after_page) < 0) {
		snprintf(why, sizeof(why), "cannot queue the page parse");
		goto fail;
	}
	in->inflight++;
	p->inflight++;
	return;
fail:
	free(pg->body);
	pg->body = NULL;
	page_release(pg);
	page_unlink(pg);
	p->pages_pending--;
	page_failed(pg, why);
	page_free(pg);
	poll_settle(p);
	pages_pump(in);
}

/* Give back pg's slot (a no-op if it holds none). */
static void
page_release(struct page *pg)
{
	if (pg->active) {
		pg->active = 0;
		pg->p->in->pages_active--;
	}
}

static int
page_launch(struct page *pg)
{
	struct poll *p = pg->p;
	struct fetch_req req = {0};
	int r;

	req.url = p->doc->entries[pg->entry].link;
	req.max_body = p->max_page;
	r = fetch_start(p->in->d->fetcher, &req, on_page, pg, &pg->job);
	if (r < 0)
		return r;
	pg->active = 1;
	p->in->pages_active++;
	return 0;
}

/* Start waiting pages while slots are free. */
/* A page may start: a slot is free and the writer is not behind. */
static int
page_admissible(const struct ingest *in)
{
	return in->pages_active < PAGES_ACTIVE_MAX &&
	       in->qbytes < QUEUE_MAX_BYTES;
}

static void
pages_pump(struct ingest *in)
{
	while (!in->closing && page_admissible(in) && in->wait_head) {
		struct page *pg = in->wait_head;
		struct poll *p = pg->p;
		int r;

		in->wait_head = pg->wnext;
		if (!in->wait_head)
			in->wait_tail = NULL;
		pg->wnext = NULL;
		pg->waiting = 0;
		p->pages_waiting--;
		r = page_launch(pg);
		if (r < 0) {
			page_unlink(pg);
			p->pages_pending--;
			page_failed(pg, strerror(-r));
			page_free(pg);
			poll_settle(p);
		}
	}
}

static int
start_page(struct poll *p, size_t idx, uint64_t fp)
{
	struct ingest *in = p->in;
	struct page *pg = calloc(1, sizeof(*pg));
	int r;

	if (!pg)
		return -ENOMEM;
	pg->p = p;
	pg->entry = idx;
	pg->fp = fp;
	if (page_admissible(in) && !in->wait_head) {
		r = page_launch(pg);
		if (r < 0) {
			free(pg);
			return r;
		}
	} else {
		pg->waiting = 1;
		if (in->wait_tail)
			in->wait_tail->wnext = pg;
		else
			in->wait_head = pg;
		in->wait_tail = pg;
		p->pages_waiting++;
	}
	pg->next = p->pages;
	p->pages = pg;
	p->pages_pending++;
	return 0;
}

/* Adopt a permanent redirect once two polls in a row saw it. */
static void
note_redirect(struct poll *p, const char *permanent_url)
{
	struct feedctl *f = p->f;

	if (!permanent_url) {
		free(f->pending_redirect);
		f->pending_redirect = NULL;
		return;
	}
	if (f->pending_redirect &&
	    strcmp(f->pending_redirect, permanent_url) == 0) {
		if (!p->sf.redirect_url ||
		    strcmp(p->sf.redirect_url, permanent_url) != 0) {
			log_info("fetch \"%s\": permanent redirect to %s seen twice; polling it from now on",
				 f->cfg.name, permanent_url);
			set_str(&p->sf.redirect_url, permanent_url);
		}
		return;
	}
	free(f->pending_redirect);
	f->pending_redirect = strdup(permanent_url);
}

/* Thread pool: the feed's bytes to a document. */
static void
work_feed(uv_work_t *w)
{
	struct poll *p = w->data;
	struct feed_limits lim;

	feed_limits_default(&lim);
	lim.max_bytes = p->max_feed;
	lim.max_entries = p->max_items;
	lim.max_field = p->max_field;
	p->rc = feed_parse(p->body, p->len, p->ct, p->url, &lim, &p->doc,
			   &p->err);
}

/* The feed is parsed: queue its new items, start their page fetches. */
static void
after_feed(uv_work_t *w, int status)
{
	struct poll *p = w->data;
	struct daemon *d = p->in->d;
	struct feedctl *f = p->f;
	size_t i;
	int r, fetch_pages;

	free(p->body);
	p->body = NULL;
	if (parse_returned(p))
		return;
	if (status == UV_ECANCELED) {
		poll_fail(p, -1, "cancelled");
		return;
	}
	if (p->rc < 0) {
		poll_fail(p, -1, "not a feed: %s",
			  p->err ? p->err : strerror(-p->rc));
		return;
	}
	if (p->doc->bozo)
		log_limited(p->name, 3, LOG_LVL_INFO,
			    "parse \"%s\": recovered from: %s", p->name,
			    p->doc->bozo_reason ? p->doc->bozo_reason : "?");
	fetch_pages = f->cfg.fetch_pages >= 0 ? f->cfg.fetch_pages
					      : d->cfg->fetch_pages;
	/* Oldest first, so events come in publishing order for feeds that
	 * list the newest item first (nearly all of them). */
	for (i = p->doc->nentries; i-- > 0;) {
		const struct feed_entry *e = &p->doc->entries[i];
		uint64_t fp = entry_fingerprint(e), seen = 0;
		int64_t bid = 0;

		if (store_item_lookup_fp(d->store, p->name, e->id, e->link,
					 &bid, &seen) < 0) {
			log_limited("store", 5, LOG_LVL_WARN,
				    "store: lookup failed: %s",
				    store_errmsg(d->store));
			p->pages_failed++;
			continue;
		}
		/* Stored and unchanged in the feed: nothing to do. A stored
		 * item whose entry changed (or was never seen by this feed)
		 * is fetched again; the store writes a revision only if the
		 * record really changed. */
		if (bid > 0 && seen == fp)
			continue;
		if (bid > 0)
			p->changed_items++;
		else
			p->new_items++;
		if (fetch_pages && e->link) {
			r = start_page(p, i, fp);
		} else {
			struct briefing *b = briefing_from_entry(e, p->name);

			r = b ? queue_briefing(p, i, b, fp) : -ENOMEM;
		}
		if (r < 0 && !p->pages_failed++)
			snprintf(p->first_page_error,
				 sizeof(p->first_page_error), "%s",
				 strerror(-r));
	}
	schedctl_items(d, f, p->doc, p->new_items, &p->sf); /* #26 */
	poll_settle(p);
}

static void
on_feed(void *arg, const struct fetch_result *res)
{
	struct poll *p = arg;
	struct ingest *in = p->in;
	struct daemon *d = in->d;

	p->job = NULL;
	if (res->error) {
		poll_fail(p, -1, "%s", res->error_msg);
		return;
	}
	schedctl_response(p->f, res); /* issue #26: publisher hints */
	if (res->status == 304) {
		note_redirect(p, res->permanent_url);
		poll_settle(p);
		return;
	}
	if (res->status != 200) {
		note_redirect(p, NULL);
		poll_fail(p, res->retry_after, "HTTP %ld%s", res->status,
			  res->retry_after >= 0 ? " (Retry-After)" : "");
		return;
	}
	note_redirect(p, res->permanent_url);
	if (set_str(&p->new_etag, res->etag) < 0 ||
	    set_str(&p->new_lm, res->last_modified) < 0 ||
	    set_str(&p->ct, res->content_type) < 0 ||
	    set_str(&p->url, res->effective_url) < 0 ||
	    copy_body(res, &p->body, &p->len) < 0) {
		poll_fail(p, -1, "out of memory");
		return;
	}
	p->max_feed = d->cfg->max_feed_bytes;
	p->max_items = d->cfg->max_feed_items;
	p->max_field = d->cfg->max_field_bytes;
	p->work.data = p;
	if (uv_queue_work(d->loop, &p->work, work_feed, after_feed) < 0) {
		poll_fail(p, -1, "cannot queue the feed parse");
		return;
	}
	in->inflight++;
	p->inflight++;
}

/* Load the feed's state and start its fetch. 0, or a negative errno with
 * p unchanged apart from its state (the caller reports the failure). */
static int
poll_begin(struct poll *p)
{
	struct ingest *in = p->in;
	struct feedctl *f = p->f;
	struct fetch_req req = {0};
	int r;

	r = store_feed_get(in->d->store, f->cfg.name, &p->sf);
	if (r == -ENOENT || (r == 0 && (!p->sf.url ||
					strcmp(p->sf.url, f->cfg.url) != 0))) {
		/* New feed, or its configured URL changed: start afresh. */
		store_feed_clear(&p->sf);
		memset(&p->sf, 0, sizeof(p->sf));
		if (set_str(&p->sf.name, f->cfg.name) < 0 ||
		    set_str(&p->sf.url, f->cfg.url) < 0)
			return -ENOMEM;
	} else if (r < 0) {
		return r;
	}
	req.url = p->sf.redirect_url ? p->sf.redirect_url : p->sf.url;
	req.etag = p->sf.etag;
	req.last_modified = p->sf.last_modified;
	req.max_body = in->d->cfg->max_feed_bytes;
	r = fetch_start(in->d->fetcher, &req, on_feed, p, &p->job);
	if (r < 0)
		return r;
	p->active = 1;
	in->polls_active++;
	return 0;
}

/* Start waiting polls while slots are free. */
static void
polls_pump(struct ingest *in)
{
	if (in->pumping)
		return;
	in->pumping = 1;
	while (!in->closing && in->polls_active < POLLS_ACTIVE_MAX &&
	       in->pwait_head) {
		struct poll *p = in->pwait_head;
		int r;

		in->pwait_head = p->wnext;
		if (!in->pwait_head)
			in->pwait_tail = NULL;
		p->wnext = NULL;
		p->waiting = 0;
		r = poll_begin(p);
		if (r < 0)
			poll_fail(p, -1, "%s", strerror(-r));
	}
	in->pumping = 0;
}

int
ingest_poll(struct ingest *in, struct feedctl *f)
{
	struct poll *p;
	int r;

	if (in->closing)
		return -ECANCELED;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->in = in;
	p->f = f;
	p->retry_after = -1;
	p->profiles = in->d->profiles;
	p->max_page = in->d->cfg->max_page_bytes;
	if (!(p->name = strdup(f->cfg.name)) ||
	    (f->profile && profile_derive(f->profile, NULL, NULL, NULL,
					  &p->profile) < 0)) {
		poll_destroy(p);
		return -ENOMEM;
	}
	if (in->polls_active < POLLS_ACTIVE_MAX && !in->pwait_head) {
		r = poll_begin(p);
		if (r < 0) {
			poll_destroy(p);
			return r;
		}
	} else {
		p->waiting = 1;
		if (in->pwait_tail)
			in->pwait_tail->wnext = p;
		else
			in->pwait_head = p;
		in->pwait_tail = p;
	}
	p->next = in->polls;
	if (in->polls)
		in->polls->pprev = &p->next;
	in->polls = p;
	p->pprev = &in->polls;
	in->npolls++;
	return 0;
}

/* ---- writing ---------------------------------------------------------------- */

static void
on_flush_idle(uv_idle_t *h)
{
	flush_queue(h->data);
}

static void
on_retry(uv_timer_t *t)
{
	struct ingest *in = t->data;

	flush_queue(in);
}

/* FEED_DONE, on the loop thread as the batch is formed: the poll's final
 * feed state moves into the unit. Its validators advance only if every
 * item of the poll was stored (they commit together). */
static void
prepare_feed_done(struct unit *u)
{
	struct poll *p = u->p;

	if (u->prepared || !p)
		return;
	u->prepared = 1;
	p->sf.last_attempt = daemon_now_ms() / 1000;
	p->sf.last_success = p->sf.last_attempt;
	if (p->pages_failed) {
		/* Keep the old validators: the next poll must fetch the feed
		 * again and find those items. */
		p->sf.failures++;
		set_str(&p->sf.last_error, p->first_page_error);
	} else {
		p->sf.failures = 0;
		p->sf.next_due = 0;
		set_str(&p->sf.last_error, NULL);
		if (p->doc) { /* a 200: adopt its validators */
			free(p->sf.etag);
			free(p->sf.last_modified);
			p->sf.etag = p->new_etag;
			p->sf.last_modified = p->new_lm;
			p->new_etag = p->new_lm = NULL;
		}
	}
	u->sf = p->sf;
	memset(&p->sf, 0, sizeof(p->sf));
}

static void
note_refused(struct batch *bt, const struct unit *u, const char *why)
{
	if (bt->refused++)
		return;
	snprintf(bt->refused_err, sizeof(bt->refused_err), "%s", why);
	bt->refused_feed = u->feed;
	bt->refused_item = u->item_id;
}

/* Write batch bt in one transaction on in->ws: on the writer thread, or
 * on the loop thread when there is none or it has ended. Reads only the
 * units' own data and bt's loop-side fields. */
static void
write_batch(struct ingest *in, struct batch *bt)
{
	struct store *s = in->ws;
	struct unit *u;
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
	if (r == 0)
		r = store_begin(s);
	for (u = bt->units; r >= 0 && u; u = u->next) {
		switch (u->kind) {
		case UNIT_BRIEFING:
			seq = 0;
			r = store_put_record(s, u->feed, u->item_id, u->fp,
					     u->b, &u->rec, &seq);
			if (r == -EINVAL) {
				/* A record the store refuses will be refused
				 * on every retry: drop it, not the batch. */
				note_refused(bt, u, store_errmsg(s));
				r = 0;
				break;
			}
			if (r < 0)
				break;
			if (r > 0)
				bt->stored++;
			if (seq > bt->maxseq)
				bt->maxseq = seq;
			break;
		case UNIT_FEED_DONE:
		case UNIT_FEED_STATE:
			if (u->sf.name)
				r = store_feed_put(s, &u->sf);
			break;
		case UNIT_NEXT_DUE: {
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
	if (r >= 0)
		r = store_commit(s);
	if (r >= 0 && log_level >= LOG_LVL_DEBUG)
		clock_gettime(CLOCK_REALTIME, &bt->committed);
	if (r < 0) {
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
	struct ingest *in = arg;
	struct batch *bt;
	int skip;

	uv_mutex_lock(&in->writer.mu);
	for (;;) {
		while (!in->wposted && !in->writer.quit)
			uv_cond_wait(&in->writer.cv, &in->writer.mu);
		if (in->writer.quit)
			break;
		in->wposted--;
		bt = &in->wb[in->wtake++ % WRITER_DEPTH];
		skip = in->wskip;
		uv_mutex_unlock(&in->writer.mu);
		bt->skipped = skip;
		if (!skip)
			write_batch(in, bt);
		/* bt is the loop's again once wdone counts it */
		int rc = bt->rc;
		int64_t maxseq = skip ? 0 : bt->maxseq;
		size_t stored = bt->stored;
		struct timespec at = bt->committed;

		uv_mutex_lock(&in->writer.mu);
		if (!skip && rc < 0)
			in->wskip = 1;
		in->wdone++;
		uv_async_send(&in->wasync);
		if (rc == 0 && maxseq && log_level >= LOG_LVL_DEBUG) {
			/* For latency work (bench/sublat.c joins it with
			 * what subscribers read): when the events became
			 * durable. Logged once the loop has been told. */
			uv_mutex_unlock(&in->writer.mu);
			log_debug("store: committed %zu briefings, events up "
				  "to seq %lld, at %lld.%06ld", stored,
				  (long long)maxseq, (long long)at.tv_sec,
				  at.tv_nsec / 1000);
			uv_mutex_lock(&in->writer.mu);
		}
	}
	uv_mutex_unlock(&in->writer.mu);
}

/* After COMMIT: report finished polls, free the units. */
static void
after_commit(struct ingest *in, struct unit *first)
{
	struct unit *u, *n;

	for (u = first; u; u = n) {
		n = u->next;
		if (u->kind == UNIT_FEED_DONE && u->p) {
			struct poll *p = u->p;
			struct feedctl *f = p->f;
			char msg[256];
			int ok = !p->pages_failed;
			int newn = p->new_items;

			if (p->pages_failed)
				snprintf(msg, sizeof(msg),
					 "%d new, %d not fetched (%s); retrying",
					 p->new_items - p->pages_failed,
					 p->pages_failed, p->first_page_error);
			else if (!p->doc)
				snprintf(msg, sizeof(msg), "not modified (304)");
			else if (p->changed_items)
				snprintf(msg, sizeof(msg),
					 "ok, %d new, %d changed of %zu items",
					 p->new_items, p->changed_items,
					 p->doc->nentries);
			else
				snprintf(msg, sizeof(msg), "ok, %d new of %zu items",
					 p->new_items, p->doc->nentries);
			poll_unlink(p);
			poll_free(p);
			daemon_feed_done(in->d, f, ok, newn, -1, msg);
		}
		unit_free(u);
	}
}

/* The oldest outstanding batch is over (on the loop thread): publish and
 * report it, or set its units aside to go back to the head of the queue
 * once every outstanding batch is over (written == 0: the writer never
 * took it). */
static void
finish_batch(struct ingest *in, int written)
{
	struct daemon *d = in->d;
	struct batch *bt = &in->wb[in->wfirst % WRITER_DEPTH];
	struct unit *units = bt->units, *last;
	size_t n = bt->n;

	bt->units = NULL;
	bt->n = 0;
	in->wfirst++;
	in->nout--;
	if (!written)
		bt->skipped = 1;
	if (!bt->skipped && bt->refused)
		log_limited(bt->refused_feed, 5, LOG_LVL_ERR,
			    "store \"%s\": item %s refused: %s%s",
			    bt->refused_feed, bt->refused_item,
			    bt->refused_err,
			    bt->refused > 1 ? " (and others)" : "");
	if (bt->skipped || bt->rc < 0) {
		for (last = units; last->next; last = last->next)
			;
		for (struct unit *u = units; u; u = u->next)
			in->qbytes += u->bytes;
		if (in->back_tail)
			in->back_tail->next = units;
		else
			in->back = units;
		in->back_tail = last;
		if (!bt->skipped && bt->rc < 0) {
			in->retry_ms = in->retry_ms ? in->retry_ms * 2
						    : RETRY_MIN_MS;
			if (in->retry_ms > RETRY_MAX_MS)
				in->retry_ms = RETRY_MAX_MS;
			if (!in->degraded)
				log_err("store: write of %zu queued items "
					"failed: %s; keeping them and retrying",
					in->nunits, bt->err);
			in->degraded = 1;
			in->back_failed = 1;
		}
		return;
	}
	if (in->degraded)
		log_info("store: writes work again; %zu queued items stored",
			 n);
	in->degraded = 0;
	in->retry_ms = 0;
	in->nunits -= n;
	d->briefings_stored += bt->stored;
	if (bt->stored)
		d->last_ingest = daemon_now_ms();
	if (bt->maxseq && d->notify)
		notify_publish(d->notify, bt->maxseq);
	after_commit(in, units);
}

/* Every outstanding batch is over: what came back goes to the head of
 * the queue, in order, and the writer may write again. Then the next
 * step: the retry timer, more batches, or "idle". */
static void
batches_settled(struct ingest *in)
{
	if (in->back) {
		in->back_tail->next = in->head;
		in->head = in->back;
		if (!in->tail)
			in->tail = in->back_tail;
		in->back = in->back_tail = NULL;
	}
	if (in->writer.started) {
		uv_mutex_lock(&in->writer.mu);
		in->wskip = 0;
		uv_mutex_unlock(&in->writer.mu);
	}
	if (in->back_failed) {
		in->back_failed = 0;
		if (!in->closing)
			uv_timer_start(&in->retry, on_retry,
				       (uint64_t)in->retry_ms, 0);
		return;
	}
	if (in->closing)
		return;
	if (in->head && !in->degraded)
		uv_idle_start(&in->flush, on_flush_idle);
	else if (!ingest_busy(in))
		daemon_ingest_idle(in->d);
}

/* The loop's side of finished batches. */
static void
on_written(uv_async_t *h)
{
	struct ingest *in = h->data;
	unsigned done;

	uv_mutex_lock(&in->writer.mu);
	done = in->wdone;
	in->wdone = 0;
	uv_mutex_unlock(&in->writer.mu);
	while (done-- && in->nout)
		finish_batch(in, 1);
	if (!in->nout)
		batches_settled(in);
	else if (in->head && !in->degraded && !in->closing)
		uv_idle_start(&in->flush, on_flush_idle);
}

/* Detach up to FLUSH_MAX_UNITS units as the next batch and write it: by
 * the writer thread, or synchronously while closing. A second batch is
 * posted while one is written only if it is full by count and both fit
 * in FLUSH_MAX_BYTES: a trickle waits and goes in one batch, a burst of
 * small records keeps the writer busy, and big records (transcripts,
 * whose batches take long to write anyway) do not hold twice the memory
 * in the writer. */
static void
flush_queue(struct ingest *in)
{
	struct batch *bt;
	struct unit *u, *last = NULL;
	size_t n = 0, bytes = 0, cap = FLUSH_MAX_BYTES;

	uv_idle_stop(&in->flush);
	if (!in->head || in->nout >= WRITER_DEPTH || in->back)
		return;
	if (in->nout) {
		size_t k = 0, held = 0, b = 0;
		unsigned i;

		for (i = 0; i < in->nout; i++)
			held += in->wb[(in->wfirst + i) % WRITER_DEPTH].bytes;
		if (held >= FLUSH_MAX_BYTES)
			return; /* posted when the batch in hand is done */
		cap = FLUSH_MAX_BYTES - held;
		for (u = in->head; u && k < FLUSH_MAX_UNITS &&
		     b + u->bytes <= cap; u = u->next, k++)
			b += u->bytes;
		if (k < FLUSH_MAX_UNITS)
			return; /* likewise */
	}
	for (u = in->head; u && n < FLUSH_MAX_UNITS &&
	     (n == 0 || bytes + u->bytes <= cap);
	     u = u->next, n++) {
		if (u->kind == UNIT_FEED_DONE)
			prepare_feed_done(u);
		bytes += u->bytes;
		last = u;
	}
	bt = &in->wb[(in->wfirst + in->nout) % WRITER_DEPTH];
	bt->units = in->head;
	bt->n = n;
	bt->bytes = bytes;
	bt->skipped = 0;
	in->head = last->next;
	if (!in->head)
		in->tail = NULL;
	last->next = NULL;
	in->qbytes -= bytes;
	in->nout++;
	/* A new size cap travels with the batch: the writer's fields are
	 * set before it is posted, never while it writes. */
	bt->limit_set = 0;
	if (in->size_limit_dirty) {
		in->size_limit_dirty = 0;
		bt->limit = in->size_limit;
		bt->limit_set = 1;
	}
	/* Room in the queue again: pages held back may start. */
	pages_pump(in);
	if (!in->closing && in->writer.started) {
		uv_mutex_lock(&in->writer.mu);
		in->wposted++;
		uv_cond_signal(&in->writer.cv);
		uv_mutex_unlock(&in->writer.mu);
		if (in->head && in->nout < WRITER_DEPTH)
			uv_idle_start(&in->flush, on_flush_idle);
		return;
	}
	write_batch(in, bt);
	finish_batch(in, 1);
	batches_settled(in);
	if (in->closing && in->head && !in->degraded)
		flush_queue(in);
}

void
ingest_next_due(struct ingest *in, const char *feed, int64_t next_due)
{
	struct unit *u = unit_new(UNIT_NEXT_DUE, feed);

	if (!u) {
		log_limited("store", 5, LOG_LVL_WARN,
			    "store: cannot record the next poll of \"%s\": "
			    "out of memory", feed);
		return;
	}
	u->next_due = next_due;
	queue_push(in, u);
}

void
ingest_set_size_limit(struct ingest *in, uint64_t bytes)
{
	/* Handed to the writer with its next batch (the connection is the
	 * writer's alone). */
	in->size_limit = bytes;
	in->size_limit_dirty = 1;
}

/* ---- life cycle -------------------------------------------------------------- */

int
ingest_new(struct daemon *d, struct ingest **out)
{
	struct ingest *in = calloc(1, sizeof(*in));

	if (!in)
		return -ENOMEM;
	in->d = d;
	{
		char *err = NULL;
		int r = store_open(d->cfg->database, STORE_WRITER, &in->ws,
				   &err);

		if (r < 0) {
			log_err("store: cannot open the writer's connection: "
				"%s", err ? err : strerror(-r));
			free(err);
			free(in);
			return r;
		}
	}
	uv_idle_init(d->loop, &in->flush);
	in->flush.data = in;
	uv_timer_init(d->loop, &in->retry);
	in->retry.data = in;
	uv_async_init(d->loop, &in->wasync, on_written);
	in->wasync.data = in;
	in->handles_open = 3;
	if (worker_start(&in->writer, writer_main, in) != 0)
		log_warn("store: no writer thread; writing on the loop "
			 "thread");
	*out = in;
	return 0;
}

void
ingest_forget(struct ingest *in, struct feedctl *f)
{
	struct unit **uu, *u;
	struct poll **pp, *p;

	/* Queued briefings of f are dropped: they were not committed, so
	 * the validators did not advance and a later poll finds them. */
	for (uu = &in->head; (u = *uu);) {
		if (u->p && u->p->f == f) {
			*uu = u->next;
			in->nunits--;
			in->qbytes -= u->bytes;
			unit_free(u);
		} else {
			uu = &u->next;
		}
	}
	in->tail = NULL;
	for (u = in->head; u; u = u->next)
		in->tail = u;
	/* Units with the writer stay there, and those set aside from a
	 * failed batch stay in order; their polls go. */
	for (unsigned i = 0; i < in->nout; i++)
		for (u = in->wb[(in->wfirst + i) % WRITER_DEPTH].units; u;
		     u = u->next)
			if (u->p && u->p->f == f)
				u->p = NULL;
	for (u = in->back; u; u = u->next)
		if (u->p && u->p->f == f)
			u->p = NULL;
	/* No poll may start (and fail, unlinking itself) while we walk the
	 * list; the freed slots are used afterwards. */
	in->pumping = 1;
	for (pp = &in->polls; (p = *pp);) {
		if (p->f == f) {
			poll_unlink(p);
			poll_free(p);
		} else {
			pp = &p->next;
		}
	}
	in->pumping = 0;
	polls_pump(in);
}

size_t
ingest_busy(const struct ingest *in)
{
	return in->nunits + in->npolls;
}

int
ingest_degraded(const struct ingest *in)
{
	return in->degraded;
}

void
ingest_retire_profiles(struct ingest *in, struct profile_set *set)
{
	struct retired *r;

	if (!set)
		return;
	if (!in->inflight) {
		profile_set_free(set);
		return;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		/* A parse may still read it: leaking one set is the only
		 * safe choice left. */
		log_err("out of memory retiring a profile set; leaking it");
		return;
	}
	r->set = set;
	r->next = in->retired;
	in->retired = r;
}

/* The ingest is freed once its handles are closed and no parse is still
 * on the thread pool (the after-work callbacks need it). */
static void
maybe_free(struct ingest *in)
{
	struct unit *u;

	if (in->handles_open || in->inflight)
		return;
	profiles_reap(in);
	while ((u = in->head)) {
		in->head = u->next;
		unit_free(u);
	}
	in->tail = NULL;
	in->nunits = 0;
	in->qbytes = 0;
	store_close(in->ws);
	in->ws = NULL;
	if (in->done)
		in->done(in->done_arg);
	free(in);
}

static void
on_closed(uv_handle_t *h)
{
	struct ingest *in = h->data;

	in->handles_open--;
	maybe_free(in);
}

void
ingest_close(struct ingest *in, void (*done)(void *arg), void *arg)
{
	struct poll *p;
	struct unit *u;

	in->closing = 1;
	/* The feeds are going: completed polls hand their state to their
	 * units now, and nothing is reported back any more. */
	for (u = in->head; u; u = u->next) {
		if (u->kind == UNIT_FEED_DONE)
			prepare_feed_done(u);
		u->p = NULL;
	}
	for (unsigned i = 0; i < in->nout; i++)
		for (u = in->wb[(in->wfirst + i) % WRITER_DEPTH].units; u;
		     u = u->next)
			u->p = NULL;
	for (u = in->back; u; u = u->next)
		u->p = NULL;
	/* The writer ends after the batch in hand; the results are taken
	 * here (the loop waits for at most one batch), and batches it never
	 * took go back to the queue. */
	if (in->writer.started) {
		unsigned written;

		worker_stop(&in->writer);
		written = in->wdone;
		in->wdone = 0;
		for (; in->nout; written -= written > 0)
			finish_batch(in, written > 0);
		batches_settled(in);
	}
	/* Whatever is complete gets one last chance to be written; what is
	 * left is freed with the ingest. */
	if (in->head && !in->degraded)
		flush_queue(in);
	while ((p = in->polls)) {
		struct page *pg;

		poll_unlink(p);
		/* Parses not yet started need not run at all. */
		if (p->body)
			uv_cancel((uv_req_t *)&p->work);
		for (pg = p->pages; pg; pg = pg->next)
			if (pg->body)
				uv_cancel((uv_req_t *)&pg->work);
		poll_free(p);
	}
	in->done = done;
	in->done_arg = arg;
	uv_close((uv_handle_t *)&in->flush, on_closed);
	uv_close((uv_handle_t *)&in->retry, on_closed);
	uv_close((uv_handle_t *)&in->wasync, on_closed);
}
