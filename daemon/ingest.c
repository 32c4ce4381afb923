/* ingest.c — from a feed poll to stored, announced briefings (see
 * include/ingest.h for the guarantees).
 *
 * Threads: everything here runs on the loop thread except the two parsers,
 * which run on libuv's thread pool (uv_queue_work) on private copies of
 * their input, so a 16 MB feed or a slow page never stalls the socket, and
 * the writer (writer.c), a thread of its own with its own SQLite
 * connection. A unit handed to the writer holds everything the writer
 * reads (feed name, item id, record, feed state); its tag, the poll, is
 * touched only on the loop thread. A poll or page whose parse
 * is in flight cannot be freed: it is marked orphaned and freed by the
 * after-work callback. Profile sets replaced by a reload are kept until no
 * parse is in flight.
 *
 * Reports to the owner (ingest_ops) are queued as events and delivered by
 * emit() when the entry point that produced them returns: every loop
 * callback of this file and the public functions end with it, and the
 * writer's callbacks, which run inside the writer's own step, leave theirs
 * to the `fire` idle handle. So an op never runs while ingest is half way
 * through a list walk, and it may call back into ingest.
 */
#include "ingest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "briefing.h"
#include "buf.h"
#include "feed.h"
#include "fetch.h"
#include "log.h"
#include "profiles.h"
#include "sched.h"
#include "schedctl.h"
#include "store.h"
#include "transcript.h"
#include "writer.h"

/* While this much record text waits for the writer, no new page fetch
 * starts: the writer sets the pace, and memory stays bounded (the
 * batches with the writer, the queue, and the pages in flight). */
#define QUEUE_MAX_BYTES (8u << 20)
/* Pages fetching or parsing at once, over all feeds: bounds the memory
 * held in page bodies when fetching outpaces parsing. The rest wait. */
#define PAGES_ACTIVE_MAX 32
/* Slots one poll may hold: a feed whose pages hang (or wait inside curl
 * for its host's max_per_host) filled all 32 and every other feed's pages
 * waited behind them, timeout after timeout (60 hanging pages: 17 s with
 * total_timeout = 5s; 5000 of them: hours at the default 60 s). */
#define PAGES_PER_POLL_MAX (PAGES_ACTIVE_MAX / 4)
/* Feed polls in progress at once; the rest wait their turn. Bounds the
 * documents and queued records held in memory when thousands of feeds
 * come due together (start-up, --once). */
#define POLLS_ACTIVE_MAX 64
/* A page that fails in a way that may pass (5xx, 408, 429, timeouts,
 * connection and TLS errors) is tried by this many polls in all; then its
 * item is stored from the feed alone, like a page that can never work
 * (4xx, a link that is not http(s), too large, refused address). */
#define PAGE_ATTEMPTS_MAX 3

/* One item's failed page attempts, on its feed (ingest_feed.attempts). */
struct ingest_attempt {
	char *item;
	int n;
	struct ingest_attempt *next;
};

/* What the page row of a briefing gets (NULL: no page row). */
struct page_meta {
	const char *url;
	const char *etag, *last_modified;
	int status;
	const char *note;
};

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
	char *etag, *lm;         /* the page's validators */
	struct briefing *b;      /* worker's result */
	int rc;
	char *err;
	struct page *next;
};

/* One feed poll in progress. */
struct poll {
	struct ingest *in;
	struct ingest_feed *f;
	struct fetch_job *job;   /* the feed fetch, while in flight */
	struct store_feed sf;    /* state to write when the poll completes */
	struct feed_doc *doc;
	struct page *pages;
	size_t pages_pending;
	size_t pages_waiting;    /* of which in the ingest's wait queue */
	size_t pages_active;     /* of which holding a slot */
	int pages_failed;        /* pages to retry on the next poll */
	char first_page_error[160];
	int pages_noted;         /* pages given up: stored from the feed */
	char first_page_note[160];
	int new_items;           /* items not stored before (fetched) */
	int changed_items;       /* stored items fetched again */
	int n_new, n_updated;    /* what the store made of them */
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

/* writer_unit.user: a FEED_STATE unit whose tag is a poll that is
 * complete (its state is taken from the poll as the batch is formed). */
#define UNIT_POLL_DONE 1
#define UNIT_POLL_PREPARED 2 /* ... and its state is in the unit */
/* writer_unit.user: a re-check's write; its tag is the struct recheck. */
#define UNIT_RECHECK 3

/* Page re-checks fetching or parsing at once. One: a re-check never holds
 * more than one of a publisher's connections (max_per_host is 2 by
 * default), so a feed poll to the same host always finds one free. */
#define RECHECK_ACTIVE_MAX 1

/* One page re-check, from its queue to the commit of what it found. */
struct recheck {
	struct ingest *in;
	struct ingest_feed *f;     /* NULL once forgotten, or none */
	struct store_page pg;      /* the stored page (own copy) */
	struct recheck_sched sched;
	struct profile *profile;   /* private copy of f's profile */
	const struct profile_set *profiles;
	struct fetch_job *job;     /* while fetching */
	uv_work_t work;            /* while parsing */
	char *body;                /* private copies for the worker */
	size_t len, max_page;
	char *url, *charset, *etag, *lm;
	struct briefing *b;
	int rc;
	char *err;
	int active;                /* holds the RECHECK_ACTIVE_MAX slot */
	int parsing;
	int orphaned;              /* closed while parsing: freed after */
	struct recheck *qnext;     /* in the queue */
	struct recheck *next, **pprev; /* every live re-check */
};

/* An op to fire once the current entry point is done. */
struct event {
	enum { EV_POLL_DONE, EV_COMMITTED, EV_IDLE } kind;
	struct ingest_feed *f;
	struct ingest_result r;
	char msg[256];
	size_t stored;
	int64_t maxseq;
	struct event *next;
};

struct ingest {
	struct ingest_env env;
	struct ingest_ops ops;
	struct writer *w;
	struct poll *polls;
	struct event *ev_head, *ev_tail; /* ops to fire */
	int firing;             /* events are being delivered */
	uv_idle_t fire;         /* delivers ops queued outside an entry
				 * point (by the writer's callbacks) */
	int fire_open;
	int closing;
	int writer_open;        /* until the writer's done callback */
	unsigned inflight;      /* parses on the thread pool */
	size_t pages_active;    /* pages fetching or parsing */
	size_t polls_active;    /* polls started and not finished */
	size_t npolls;          /* polls in the list (active or waiting) */
	struct poll *pwait_head, *pwait_tail; /* polls waiting for a slot */
	int pumping;            /* polls_pump is running (no re-entry) */
	struct page *wait_head, *wait_tail; /* pages waiting for a slot */
	struct recheck *rc_all;             /* live re-checks */
	struct recheck *rc_qhead, *rc_qtail; /* not started yet */
	size_t rc_count, rc_active;
	struct ingest_stats stats;
	struct retired {
		struct profile_set *set;
		struct retired *next;
	} *retired;
	void (*done)(void *);
	void *done_arg;
};

static void pages_pump(struct ingest *in);
static void polls_pump(struct ingest *in);
static void page_release(struct page *pg);
static void maybe_free(struct ingest *in);
static void on_fire(uv_idle_t *h);
static void rechecks_pump(struct ingest *in);
static int64_t recheck_next(const struct recheck_sched *s, int64_t stored,
			    int64_t now);

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- ops, fired once the entry point is done ---------------------------- */

static struct event *
event_add(struct ingest *in, int kind)
{
	struct event *e = calloc(1, sizeof(*e));

	if (!e) {
		log_limited("ingest", 5, LOG_LVL_ERR,
			    "out of memory reporting a poll");
		return NULL;
	}
	e->kind = kind;
	if (!in->closing)
		uv_idle_start(&in->fire, on_fire);
	if (in->ev_tail)
		in->ev_tail->next = e;
	else
		in->ev_head = e;
	in->ev_tail = e;
	return e;
}

/* Deliver the queued ops, in order: called last by every entry point
 * (a nested one returns at once; the outer delivery picks up what it
 * queued). After ingest_close only `committed` is delivered. Must not be
 * called where the ingest may have been freed. */
static void
emit(struct ingest *in)
{
	struct event *e;

	if (in->firing)
		return;
	if (!in->closing)
		uv_idle_stop(&in->fire);
	in->firing = 1;
	while ((e = in->ev_head)) {
		in->ev_head = e->next;
		if (!in->ev_head)
			in->ev_tail = NULL;
		switch (e->kind) {
		case EV_POLL_DONE:
			if (!in->closing && in->ops.poll_done)
				in->ops.poll_done(in->ops.arg, e->f, &e->r);
			break;
		case EV_COMMITTED:
			if (in->ops.committed)
				in->ops.committed(in->ops.arg, e->stored,
						  e->maxseq);
			break;
		case EV_IDLE:
			/* still idle: an op before it may have started work */
			if (!in->closing && in->ops.idle && !ingest_busy(in))
				in->ops.idle(in->ops.arg);
			break;
		}
		free(e);
	}
	in->firing = 0;
}

static void
report_poll(struct ingest *in, struct ingest_feed *f, int ok, int new_items,
	    int changed_items, int64_t retry_after, const char *msg)
{
	struct event *e = event_add(in, EV_POLL_DONE);

	if (!e)
		return;
	e->f = f;
	e->r.ok = ok;
	e->r.new_items = new_items;
	e->r.changed_items = changed_items;
	e->r.retry_after_s = retry_after;
	snprintf(e->msg, sizeof(e->msg), "%s", msg ? msg : "");
	e->r.msg = e->msg;
}

/* ---- polls --------------------------------------------------------------- */

static void
page_free(struct page *pg)
{
	free(pg->body);
	free(pg->url);
	free(pg->etag);
	free(pg->lm);
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
			fetch_cancel(in->env.fetcher, pg->job);
			pg->job = NULL;
			page_release(pg);
		}
		p->pages_pending--;
		*pp = pg->next;
		page_free(pg);
	}
	if (p->job) {
		fetch_cancel(p->in->env.fetcher, p->job);
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

/* Does a live poll still hold set? It reads it for each of its pages,
 * which may be fetched long after a reload replaced it. */
static int
profiles_held(const struct ingest *in, const struct profile_set *set)
{
	const struct poll *p;

	for (p = in->polls; p; p = p->next)
		if (p->profiles == set)
			return 1;
	return 0;
}

/* Free the retired profile sets no parse and no poll can read any more. */
static void
profiles_reap(struct ingest *in)
{
	struct retired *r, **rp;

	for (rp = &in->retired; !in->inflight && (r = *rp);) {
		if (profiles_held(in, r->set)) {
			rp = &r->next;
			continue;
		}
		*rp = r->next;
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
	profiles_reap(p->in);
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
	struct ingest_feed *f = p->f;
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	/* Validators stay as they were; only the failure is recorded, by
	 * the writer, after whatever is queued before it. */
	p->sf.failures++;
	p->sf.last_attempt = now_ms() / 1000;
	set_str(&p->sf.last_error, buf_str(&msg));
	if (p->sf.name) {
		struct writer_unit *u = writer_unit_new(WRITER_FEED_STATE, p->sf.name);

		if (u) {
			u->sf = p->sf;
			memset(&p->sf, 0, sizeof(p->sf));
			writer_push(in->w, u);
		} else {
			log_limited("store", 5, LOG_LVL_WARN,
				    "store: cannot record state of feed "
				    "\"%s\": out of memory", f->name);
		}
	}
	poll_unlink(p);
	poll_free(p);
	report_poll(in, f, 0, 0, 0, retry_after, buf_str(&msg));
	buf_free(&msg);
}

/* Every page of the poll is settled: queue the feed's new state behind its
 * briefings, so both commit together. */
static void
poll_settle(struct poll *p)
{
	struct writer_unit *u;

	if (p->pages_pending || p->queued)
		return;
	u = writer_unit_new(WRITER_FEED_STATE, p->name);
	if (!u) {
		poll_fail(p, -1, "out of memory");
		return;
	}
	u->tag = p;
	u->user = UNIT_POLL_DONE;
	p->queued = 1;
	writer_push(p->in->w, u);
}

/* Make the record for entry e from the feed item alone; lang: the
 * feed's declared language (or NULL). */
static struct briefing *
briefing_from_entry(const struct feed_entry *e, const char *feed,
		    const char *lang)
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
	err |= briefing_set_lang(b, lang) < 0;
	if (err) {
		briefing_free(b);
		return NULL;
	}
	return b;
}

/* Fill what the page did not say from the feed item. */
static int
briefing_complete(struct briefing *b, const struct feed_entry *e,
		  const char *feed, const char *lang)
{
	int err = 0;

	if (!b->lang)
		err |= briefing_set_lang(b, lang) < 0;
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
queue_briefing(struct poll *p, size_t idx, struct briefing *b, uint64_t fp,
	       const struct page_meta *pm)
{
	struct writer_unit *u = writer_unit_new(WRITER_BRIEFING, p->name);
	int err = 0;

	if (u && pm) {
		u->has_page = 1;
		err |= set_str(&u->page.feed, p->name);
		err |= set_str(&u->page.url, pm->url);
		err |= set_str(&u->page.etag, pm->etag);
		err |= set_str(&u->page.last_modified, pm->last_modified);
		err |= set_str(&u->page.note, pm->note);
		u->page.status = pm->status;
		u->page.checked = pm->status ? now_ms() / 1000 : 0;
		u->page.stored = now_ms() / 1000;
		if (pm->status == 200)
			u->page.next_check = recheck_next(
				p->f->recheck.set ? &p->f->recheck
						  : &p->in->env.limits.recheck,
				u->page.stored, u->page.stored);
	}
	if (!u || err || !(u->item_id = strdup(p->doc->entries[idx].id)) ||
	    store_record_make(b, u->feed, u->item_id, &u->rec) < 0) {
		writer_unit_free(u);
		briefing_free(b);
		return -ENOMEM;
	}
	u->tag = p;
	u->b = b;
	u->fp = fp;
	u->bytes = briefing_bytes(b) + strlen(u->rec.text);
	writer_push(p->in->w, u);
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

/* Attempts so far at item's page, counting this one (1 when out of
 * memory: the page is then retried without a bound). */
static int
attempts_bump(struct ingest_feed *f, const char *item)
{
	struct ingest_attempt *a;

	for (a = f->attempts; a; a = a->next)
		if (strcmp(a->item, item) == 0)
			return ++a->n;
	a = calloc(1, sizeof(*a));
	if (!a || !(a->item = strdup(item))) {
		free(a);
		return 1;
	}
	a->n = 1;
	a->next = f->attempts;
	f->attempts = a;
	return 1;
}

static void
attempts_forget(struct ingest_feed *f, const char *item)
{
	struct ingest_attempt **aa, *a;

	for (aa = &f->attempts; (a = *aa); aa = &a->next)
		if (strcmp(a->item, item) == 0) {
			*aa = a->next;
			free(a->item);
			free(a);
			return;
		}
}

/* Entry idx's page will not be read: store the item from the feed alone,
 * with a page row saying why (status: the page's HTTP status, or 0). */
static void
store_entry_only(struct poll *p, size_t idx, uint64_t fp, int status,
		 const char *why)
{
	const struct feed_entry *e = &p->doc->entries[idx];
	struct briefing *b = briefing_from_entry(e, p->name,
						 p->doc->feed.language);
	struct page_meta pm = {0};
	char note[200];

	log_limited(p->name, 5, LOG_LVL_INFO,
		    "fetch \"%s\": page %s: %s; storing the feed item only",
		    p->name, e->link, why);
	snprintf(note, sizeof(note), "page not fetched: %s", why);
	pm.url = e->link;
	pm.status = status;
	pm.note = note;
	if (!b || queue_briefing(p, idx, b, fp, &pm) < 0) {
		if (!p->pages_failed++)
			snprintf(p->first_page_error,
				 sizeof(p->first_page_error), "out of memory");
		return;
	}
	if (!p->pages_noted++)
		snprintf(p->first_page_note, sizeof(p->first_page_note), "%s",
			 why);
}

/* pg failed: permanent (it cannot work as it is), or not, in which case
 * the next poll tries again, up to PAGE_ATTEMPTS_MAX attempts. Neither
 * backs off the feed. */
static void
page_failed(struct page *pg, const char *why, int permanent, int status)
{
	struct poll *p = pg->p;
	const struct feed_entry *e = &p->doc->entries[pg->entry];
	char msg[200];
	int n = permanent ? 0 : attempts_bump(p->f, e->id);

	if (!permanent && n < PAGE_ATTEMPTS_MAX) {
		log_limited(p->name, 5, LOG_LVL_WARN,
			    "fetch \"%s\": page %s: %s, retrying on the next "
			    "poll (attempt %d of %d)", p->name, e->link, why,
			    n, PAGE_ATTEMPTS_MAX);
		if (!p->pages_failed++)
			snprintf(p->first_page_error,
				 sizeof(p->first_page_error), "%s", why);
		return;
	}
	attempts_forget(p->f, e->id);
	if (!permanent) {
		snprintf(msg, sizeof(msg), "%s (%d attempts)", why, n);
		why = msg;
	}
	store_entry_only(p, pg->entry, pg->fp, status, why);
}

/* Can the fetcher be asked for this link at all? */
static int
link_fetchable(const char *link)
{
	return strncasecmp(link, "http://", 7) == 0 ||
	       strncasecmp(link, "https://", 8) == 0;
}

/* Will a failed page fetch fail the same way every time? */
static int
page_permanent(const struct fetch_result *res)
{
	if (res->error)
		return res->error == -EFBIG ||
		       res->error == -EPROTONOSUPPORT ||
		       res->error == -EACCES || res->error == -ELOOP;
	return res->status < 500 && res->status != 408 &&
	       res->status != 429;
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
after_page_step(uv_work_t *w, int status)
{
	struct page *pg = w->data;
	struct poll *p = pg->p;
	struct ingest *in = p->in;
	const struct feed_entry *e;
	struct briefing *b;
	struct page_meta pm = {0};
	char note[200];

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
		page_failed(pg, "cancelled", 0, 0);
		goto out;
	}
	attempts_forget(p->f, e->id);
	b = pg->b;
	pg->b = NULL;
	pm.url = pg->url;
	pm.etag = pg->etag;
	pm.last_modified = pg->lm;
	pm.status = 200;
	if (pg->rc < 0) {
		/* Not a transcript we can read (a PDF, an empty page): the
		 * item still becomes a briefing, from the feed alone. */
		log_limited(p->name, 5, LOG_LVL_INFO,
			    "extract \"%s\": %s: %s; storing the feed item only",
			    p->name, e->link, pg->err ? pg->err : "no content");
		snprintf(note, sizeof(note), "page not readable: %s",
			 pg->err ? pg->err : "no content");
		pm.note = note;
		b = briefing_from_entry(e, p->name,
					p->doc->feed.language);
	} else if (briefing_complete(b, e, p->name,
				     p->doc->feed.language) < 0) {
		briefing_free(b);
		b = NULL;
	}
	if (!b || queue_briefing(p, pg->entry, b, pg->fp, &pm) < 0)
		page_failed(pg, "out of memory", 0, 0);
out:
	page_free(pg);
	poll_settle(p);
	pages_pump(in);
}

/* Entry point: the step, then the ops it queued (the ingest outlives the
 * step unless it was closing). */
static void
after_page(uv_work_t *w, int status)
{
	struct ingest *in = ((struct page *)w->data)->p->in;
	int closing = in->closing;

	after_page_step(w, status);
	if (!closing)
		emit(in);
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
on_page_step(void *arg, const struct fetch_result *res)
{
	struct page *pg = arg;
	struct poll *p = pg->p;
	struct ingest *in = p->in;
	const struct feed_entry *e = &p->doc->entries[pg->entry];
	char why[160];
	int permanent = 0;

	pg->job = NULL;
	if (res->error || res->status != 200) {
		if (res->error)
			snprintf(why, sizeof(why), "%s", res->error_msg);
		else
			snprintf(why, sizeof(why), "HTTP %ld", res->status);
		permanent = page_permanent(res);
		goto fail;
	}
	if (copy_body(res, &pg->body, &pg->len) < 0 ||
	    set_str(&pg->etag, res->etag) < 0 ||
	    set_str(&pg->lm, res->last_modified) < 0 ||
	    !(pg->url = strdup(res->effective_url ? res->effective_url
						  : e->link))) {
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	pg->charset = ct_charset(res->content_type);
	pg->work.data = pg;
	if (uv_queue_work(in->env.loop, &pg->work, work_page, after_page) < 0) {
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
	page_failed(pg, why, permanent, res->error ? 0 : (int)res->status);
	page_free(pg);
	poll_settle(p);
	pages_pump(in);
}

/* Entry point: the step, then the ops it queued (the ingest outlives the
 * step unless it was closing). */
static void
on_page(void *arg, const struct fetch_result *res)
{
	struct ingest *in = ((struct page *)arg)->p->in;
	int closing = in->closing;

	on_page_step(arg, res);
	if (!closing)
		emit(in);
}

/* Give back pg's slot (a no-op if it holds none). */
static void
page_release(struct page *pg)
{
	if (pg->active) {
		pg->active = 0;
		pg->p->in->pages_active--;
		pg->p->pages_active--;
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
	r = fetch_start(p->in->env.fetcher, &req, on_page, pg, &pg->job);
	if (r < 0)
		return r;
	pg->active = 1;
	p->in->pages_active++;
	p->pages_active++;
	return 0;
}

/* Start waiting pages while slots are free. */
/* A page may start: a slot is free and the writer is not behind. */
static int
page_admissible(const struct ingest *in)
{
	return in->pages_active < PAGES_ACTIVE_MAX &&
	       writer_queued_bytes(in->w) < QUEUE_MAX_BYTES;
}

static void
pages_pump(struct ingest *in)
{
	if (!in->wait_head)
		rechecks_pump(in);
	while (!in->closing && page_admissible(in) && in->wait_head) {
		struct page *pg, **pp, *prev = NULL;
		struct poll *p;
		int r;

		/* the first waiting page whose poll is under its share */
		for (pp = &in->wait_head; (pg = *pp); pp = &pg->wnext) {
			if (pg->p->pages_active < PAGES_PER_POLL_MAX)
				break;
			prev = pg;
		}
		if (!pg)
			break;
		p = pg->p;
		*pp = pg->wnext;
		if (in->wait_tail == pg)
			in->wait_tail = prev;
		pg->wnext = NULL;
		pg->waiting = 0;
		p->pages_waiting--;
		r = page_launch(pg);
		if (r < 0) {
			page_unlink(pg);
			p->pages_pending--;
			page_failed(pg, strerror(-r), 0, 0);
			page_free(pg);
			poll_settle(p);
		}
	}
}

/* Is a waiting page's poll under its share? (Else the pages waiting are
 * all of polls at their share, and a page of another goes first.) */
static int
waiting_admissible(const struct ingest *in)
{
	const struct page *pg;

	for (pg = in->wait_head; pg; pg = pg->wnext)
		if (pg->p->pages_active < PAGES_PER_POLL_MAX)
			return 1;
	return 0;
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
	if (page_admissible(in) && p->pages_active < PAGES_PER_POLL_MAX &&
	    !waiting_admissible(in)) {
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
	struct ingest_feed *f = p->f;

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
				 f->name, permanent_url);
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
after_feed_step(uv_work_t *w, int status)
{
	struct poll *p = w->data;
	struct ingest *in = p->in;
	struct ingest_feed *f = p->f;
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
		const char *e = p->err ? p->err : strerror(-p->rc);

		/* the parsers' messages say "not a feed" already; an empty
		 * body or a document of another type says what it was */
		if (!strncmp(e, "not a feed: ", 12))
			e += 12;
		if (p->len == 0)
			poll_fail(p, -1, "not a feed: the body is empty "
				  "(0 bytes, Content-Type %s)",
				  p->ct ? p->ct : "none");
		else
			poll_fail(p, -1, "not a feed: %s (%zu bytes, "
				  "Content-Type %s)", e, p->len,
				  p->ct ? p->ct : "none");
		return;
	}
	if (p->doc->bozo)
		log_limited(p->name, 3, LOG_LVL_INFO,
			    "parse \"%s\": recovered from: %s", p->name,
			    p->doc->bozo_reason ? p->doc->bozo_reason : "?");
	fetch_pages = f->fetch_pages >= 0 ? f->fetch_pages
					  : in->env.limits.fetch_pages;
	/* Oldest first, so events come in publishing order for feeds that
	 * list the newest item first (nearly all of them). */
	for (i = p->doc->nentries; i-- > 0;) {
		const struct feed_entry *e = &p->doc->entries[i];
		uint64_t fp = entry_fingerprint(e), seen = 0;
		int64_t bid = 0;

		if (store_item_lookup_fp(in->env.store, p->name, e->id, e->link,
					 &bid, &seen) < 0) {
			log_limited("store", 5, LOG_LVL_WARN,
				    "store: lookup failed: %s",
				    store_errmsg(in->env.store));
			if (!p->pages_failed++)
				snprintf(p->first_page_error,
					 sizeof(p->first_page_error),
					 "store lookup failed");
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
		r = 0;
		if (fetch_pages && e->link && !link_fetchable(e->link)) {
			/* javascript:, data:, mailto: ... never a page */
			store_entry_only(p, i, fp, 0,
					 "the link is not http(s)");
		} else if (fetch_pages && e->link) {
			r = start_page(p, i, fp);
		} else {
			struct briefing *b = briefing_from_entry(e, p->name,
						 p->doc->feed.language);

			r = b ? queue_briefing(p, i, b, fp, NULL) : -ENOMEM;
		}
		if (r < 0 && !p->pages_failed++)
			snprintf(p->first_page_error,
				 sizeof(p->first_page_error), "%s",
				 strerror(-r));
	}
	/* issue #26: the feed's scheduler learns from the dated items. */
	if (f->sched)
		schedctl_items(f->sched, p->doc, p->new_items, &p->sf,
			       now_ms() / 1000);
	poll_settle(p);
}

/* Entry point: the step, then the ops it queued (the ingest outlives the
 * step unless it was closing). */
static void
after_feed(uv_work_t *w, int status)
{
	struct ingest *in = ((struct poll *)w->data)->in;
	int closing = in->closing;

	after_feed_step(w, status);
	if (!closing)
		emit(in);
}

static void
on_feed_step(void *arg, const struct fetch_result *res)
{
	struct poll *p = arg;
	struct ingest *in = p->in;

	p->job = NULL;
	if (res->error) {
		poll_fail(p, -1, "%s", res->error_msg);
		return;
	}
	/* issue #26: the publisher's hints (Cache-Control, ttl...). */
	if (p->f && p->f->sched)
		schedctl_response(p->f->sched, res, now_ms() / 1000);
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
	p->max_feed = in->env.limits.max_feed_bytes;
	p->max_items = in->env.limits.max_feed_items;
	p->max_field = in->env.limits.max_field_bytes;
	p->work.data = p;
	if (uv_queue_work(in->env.loop, &p->work, work_feed, after_feed) < 0) {
		poll_fail(p, -1, "cannot queue the feed parse");
		return;
	}
	in->inflight++;
	p->inflight++;
}

/* Entry point: the step, then the ops it queued (the ingest outlives the
 * step unless it was closing). */
static void
on_feed(void *arg, const struct fetch_result *res)
{
	struct ingest *in = ((struct poll *)arg)->in;
	int closing = in->closing;

	on_feed_step(arg, res);
	if (!closing)
		emit(in);
}

/* Load the feed's state and start its fetch. 0, or a negative errno with
 * p unchanged apart from its state (the caller reports the failure). */
static int
poll_begin(struct poll *p)
{
	struct ingest *in = p->in;
	struct ingest_feed *f = p->f;
	struct fetch_req req = {0};
	int r;

	r = store_feed_get(in->env.store, f->name, &p->sf);
	if (r == -ENOENT || (r == 0 && (!p->sf.url ||
					strcmp(p->sf.url, f->url) != 0))) {
		/* New feed, or its configured URL changed: start afresh. */
		store_feed_clear(&p->sf);
		memset(&p->sf, 0, sizeof(p->sf));
		if (set_str(&p->sf.name, f->name) < 0 ||
		    set_str(&p->sf.url, f->url) < 0)
			return -ENOMEM;
	} else if (r < 0) {
		return r;
	}
	req.url = p->sf.redirect_url ? p->sf.redirect_url : p->sf.url;
	req.etag = p->sf.etag;
	req.last_modified = p->sf.last_modified;
	req.max_body = in->env.limits.max_feed_bytes;
	r = fetch_start(in->env.fetcher, &req, on_feed, p, &p->job);
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
ingest_poll(struct ingest *in, struct ingest_feed *f)
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
	p->profiles = in->env.profiles;
	p->max_page = in->env.limits.max_page_bytes;
	if (!(p->name = strdup(f->name)) ||
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
	emit(in);
	return 0;
}

/* ---- page re-checks ------------------------------------------------------ */

/* Unix seconds of the next re-check of a page stored at `stored`: the
 * first age of s not yet reached at now, plus up to 10 % of it (spread:
 * a burst of new briefings does not become a burst of re-checks); 0 when
 * the schedule is over or off. Steps missed while the daemon was down
 * are skipped, not caught up one by one. */
static int64_t
recheck_next(const struct recheck_sched *s, int64_t stored, int64_t now)
{
	int i;

	for (i = 0; i < s->n; i++) {
		int64_t age = s->ages_ms[i];

		if (stored * 1000 + age <= now * 1000)
			continue;
		age += (int64_t)(sched_random() * (double)age / 10);
		/* whole seconds, rounded down: "1s" is due in the second
		 * after the one it was stored in */
		return stored + age / 1000;
	}
	return 0;
}

static void
recheck_free(struct recheck *rc)
{
	struct ingest *in = rc->in;

	if (rc->pprev) {
		*rc->pprev = rc->next;
		if (rc->next)
			rc->next->pprev = rc->pprev;
		rc->pprev = NULL;
		in->rc_count--;
	}
	if (rc->active) {
		rc->active = 0;
		in->rc_active--;
	}
	if (rc->parsing) { /* the worker still owns it: freed after */
		rc->orphaned = 1;
		return;
	}
	store_page_clear(&rc->pg);
	profile_free(rc->profile);
	free(rc->body);
	free(rc->url);
	free(rc->charset);
	free(rc->etag);
	free(rc->lm);
	free(rc->err);
	briefing_free(rc->b);
	free(rc);
}

/* Write what the re-check found: the page row (validators, status, note,
 * schedule), with the new record when b is set. The re-check ends when
 * this commits (wr_committed). */
static void
recheck_write(struct recheck *rc, int status, const char *note,
	      struct briefing *b, int64_t retry_after)
{
	struct ingest *in = rc->in;
	struct writer_unit *u;
	struct store_page *pg;
	int64_t now = now_ms() / 1000;
	int err = 0;

	if (rc->active) {
		rc->active = 0;
		in->rc_active--;
	}
	u = writer_unit_new(b ? WRITER_BRIEFING : WRITER_PAGE, rc->pg.feed);
	if (!u) {
		briefing_free(b);
		goto fail;
	}
	pg = &u->page;
	pg->briefing_id = rc->pg.briefing_id;
	err |= set_str(&pg->feed, rc->pg.feed);
	err |= set_str(&pg->url, rc->pg.url);
	err |= set_str(&pg->etag, rc->etag ? rc->etag : rc->pg.etag);
	err |= set_str(&pg->last_modified, rc->lm ? rc->lm : rc->pg.last_modified);
	err |= set_str(&pg->note, note);
	pg->status = status;
	pg->stored = rc->pg.stored;
	pg->checked = now;
	pg->checks = rc->pg.checks + 1;
	pg->next_check = status == 404 || status == 410
				 ? 0 : recheck_next(&rc->sched, pg->stored, now);
	/* the server asked us to wait (429/503 with Retry-After): this page
	 * is asked again then, at most a day later */
	if (retry_after > 0 && pg->next_check)
		pg->next_check = now + (retry_after < 86400 ? retry_after
							    : 86400);
	if (b) {
		u->b = b;
		u->has_page = 1;
		if (!err && store_record_make(b, u->feed, NULL, &u->rec) < 0)
			err = 1;
		u->bytes = strlen(u->rec.text ? u->rec.text : "");
	}
	if (err) {
		writer_unit_free(u);
		goto fail;
	}
	u->user = UNIT_RECHECK;
	u->tag = rc;
	writer_push(in->w, u);
	return;
fail:
	log_limited("ingest", 5, LOG_LVL_WARN,
		    "re-check of %s: out of memory", rc->pg.url);
	recheck_free(rc);
}

/* Fill what the page did not say from the stored briefing, as the feed
 * item did when it was first stored. */
static int
recheck_complete(struct recheck *rc, struct briefing *b)
{
	struct briefing *old = NULL;
	int err = 0, r;

	r = store_get_briefing(rc->in->env.store, rc->pg.briefing_id, &old);
	if (r < 0)
		return r;
	err |= set_str(&b->feed, old->feed);
	if (old->url)
		err |= set_str(&b->url, old->url);
	if (!b->title || !*b->title)
		err |= set_str(&b->title, old->title);
	if (!b->published)
		err |= set_str(&b->published, old->published);
	if (!b->summary || !*b->summary)
		err |= set_str(&b->summary, old->summary);
	briefing_free(old);
	return err ? -ENOMEM : 0;
}

static void
work_recheck(uv_work_t *w)
{
	struct recheck *rc = w->data;
	struct transcript_opts o = {0};

	o.url = rc->url;
	o.charset = rc->charset;
	o.profile = rc->profile;
	o.profiles = rc->profiles;
	o.max_bytes = rc->max_page;
	rc->rc = transcript_parse(rc->body, rc->len, &o, &rc->b, &rc->err);
}

static void
after_recheck(uv_work_t *w, int status)
{
	struct recheck *rc = w->data;
	struct ingest *in = rc->in;
	struct briefing *b;
	int closing = in->closing;

	rc->parsing = 0;
	in->inflight--;
	profiles_reap(in);
	free(rc->body);
	rc->body = NULL;
	if (rc->orphaned) {
		recheck_free(rc);
		if (closing)
			maybe_free(in);
		return;
	}
	b = rc->b;
	rc->b = NULL;
	if (status == UV_ECANCELED || rc->rc < 0 ||
	    recheck_complete(rc, b) < 0) {
		/* not readable now: keep the stored record, move on */
		briefing_free(b);
		recheck_write(rc, 200, NULL, NULL, 0);
	} else {
		recheck_write(rc, 200, NULL, b, 0);
	}
	rechecks_pump(in);
	emit(in);
}

static void
on_recheck(void *arg, const struct fetch_result *res)
{
	struct recheck *rc = arg;
	struct ingest *in = rc->in;
	char note[64];

	rc->job = NULL;
	if (!res->error)
		in->stats.rechecks++;
	if (res->error) {
		log_limited(rc->pg.feed, 5, LOG_LVL_INFO,
			    "re-check \"%s\": %s: %s; trying again later",
			    rc->pg.feed, rc->pg.url, res->error_msg);
		recheck_write(rc, rc->pg.status, rc->pg.note, NULL, 0);
	} else if (res->status == 304) {
		in->stats.rechecks_304++;
		recheck_write(rc, 200, NULL, NULL, 0);
	} else if (res->status == 404 || res->status == 410) {
		in->stats.rechecks_gone++;
		log_limited(rc->pg.feed, 5, LOG_LVL_INFO,
			    "re-check \"%s\": %s: HTTP %ld; the page is gone, "
			    "the briefing stays", rc->pg.feed, rc->pg.url,
			    res->status);
		snprintf(note, sizeof(note), "page gone: HTTP %ld",
			 res->status);
		recheck_write(rc, (int)res->status, note, NULL, 0);
	} else if (res->status != 200) {
		log_limited(rc->pg.feed, 5, LOG_LVL_INFO,
			    "re-check \"%s\": %s: HTTP %ld; trying again later",
			    rc->pg.feed, rc->pg.url, res->status);
		recheck_write(rc, rc->pg.status, rc->pg.note, NULL,
			      res->retry_after);
	} else if (copy_body(res, &rc->body, &rc->len) < 0 ||
		   set_str(&rc->etag, res->etag) < 0 ||
		   set_str(&rc->lm, res->last_modified) < 0 ||
		   set_str(&rc->url, res->effective_url ? res->effective_url
							: rc->pg.url) < 0) {
		recheck_write(rc, rc->pg.status, rc->pg.note, NULL, 0);
	} else {
		rc->charset = ct_charset(res->content_type);
		rc->profiles = in->env.profiles;
		rc->max_page = in->env.limits.max_page_bytes;
		rc->work.data = rc;
		if (uv_queue_work(in->env.loop, &rc->work, work_recheck,
				  after_recheck) < 0) {
			recheck_write(rc, rc->pg.status, rc->pg.note, NULL, 0);
		} else {
			rc->parsing = 1;
			in->inflight++;
		}
	}
	rechecks_pump(in);
	emit(in);
}

/* Is there spare capacity: no feed poll and no page waiting for a slot,
 * pages well under their cap, the writer not behind? */
static int
recheck_spare(const struct ingest *in)
{
	return !in->pwait_head && !in->wait_head &&
	       in->pages_active < PAGES_ACTIVE_MAX / 2 &&
	       writer_queued_bytes(in->w) < QUEUE_MAX_BYTES / 2;
}

static void
rechecks_pump(struct ingest *in)
{
	while (!in->closing && in->rc_qhead &&
	       in->rc_active < RECHECK_ACTIVE_MAX && recheck_spare(in)) {
		struct recheck *rc = in->rc_qhead;
		struct fetch_req req = {0};
		int r;

		in->rc_qhead = rc->qnext;
		if (!in->rc_qhead)
			in->rc_qtail = NULL;
		rc->qnext = NULL;
		req.url = rc->pg.url;
		req.etag = rc->pg.etag;
		req.last_modified = rc->pg.last_modified;
		req.max_body = in->env.limits.max_page_bytes;
		rc->active = 1;
		in->rc_active++;
		r = fetch_start(in->env.fetcher, &req, on_recheck, rc,
				&rc->job);
		if (r < 0) {
			log_limited(rc->pg.feed, 5, LOG_LVL_INFO,
				    "re-check \"%s\": %s: %s", rc->pg.feed,
				    rc->pg.url, strerror(-r));
			recheck_write(rc, rc->pg.status, rc->pg.note, NULL, 0);
		}
	}
}

static int
page_copy(struct store_page *dst, const struct store_page *src)
{
	int err = 0;

	*dst = *src;
	dst->feed = dst->url = dst->etag = dst->last_modified = NULL;
	dst->note = NULL;
	err |= set_str(&dst->feed, src->feed);
	err |= set_str(&dst->url, src->url);
	err |= set_str(&dst->etag, src->etag);
	err |= set_str(&dst->last_modified, src->last_modified);
	err |= set_str(&dst->note, src->note);
	return err ? -ENOMEM : 0;
}

int
ingest_recheck(struct ingest *in, struct ingest_feed *f,
	       const struct store_page *pg)
{
	struct recheck *rc;

	if (in->closing)
		return -ECANCELED;
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return -ENOMEM;
	rc->in = in;
	rc->f = f;
	rc->sched = f && f->recheck.set ? f->recheck : in->env.limits.recheck;
	if (page_copy(&rc->pg, pg) < 0 ||
	    (f && f->profile &&
	     profile_derive(f->profile, NULL, NULL, NULL, &rc->profile) < 0)) {
		store_page_clear(&rc->pg);
		free(rc);
		return -ENOMEM;
	}
	rc->next = in->rc_all;
	if (in->rc_all)
		in->rc_all->pprev = &rc->next;
	in->rc_all = rc;
	rc->pprev = &in->rc_all;
	in->rc_count++;
	if (in->rc_qtail)
		in->rc_qtail->qnext = rc;
	else
		in->rc_qhead = rc;
	in->rc_qtail = rc;
	/* no emit: starting a re-check reports nothing (the owner may be
	 * walking its own list) */
	rechecks_pump(in);
	return 0;
}

size_t
ingest_rechecks(const struct ingest *in)
{
	return in->rc_count;
}

void
ingest_stats(const struct ingest *in, struct ingest_stats *out)
{
	*out = in->stats;
}

/* ---- the writer's hooks ------------------------------------------------ */

/* A complete poll's unit joins a batch (on the loop thread): the poll's
 * final feed state moves into the unit. Its validators advance only if
 * every item of the poll was stored (they commit together). */
static void
wr_prepare(void *arg, struct writer_unit *u)
{
	struct poll *p = u->tag;

	(void)arg;
	if (u->user != UNIT_POLL_DONE)
		return;
	u->user = UNIT_POLL_PREPARED;
	p->sf.last_attempt = now_ms() / 1000;
	p->sf.last_success = p->sf.last_attempt;
	/* The feed's own fetch worked: no failure, no backoff, whatever
	 * became of the pages. */
	p->sf.failures = 0;
	p->sf.next_due = 0;
	set_str(&p->sf.last_error, NULL);
	if (!p->pages_failed) {
		/* Otherwise keep the old validators: the next poll must
		 * fetch the feed again and find the pages to retry. */
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

/* The line for `status` of a finished poll. */
static void
poll_message(const struct poll *p, char *msg, size_t size)
{
	size_t n;

	if (!p->doc) {
		snprintf(msg, size, "not modified (304)");
		return;
	}
	if (p->n_updated)
		n = (size_t)snprintf(msg, size, "ok, %d new, %d updated of %zu items",
				     p->n_new, p->n_updated,
				     p->doc->nentries);
	else
		n = (size_t)snprintf(msg, size, "ok, %d new of %zu items",
				     p->n_new, p->doc->nentries);
	if (p->pages_noted && n < size)
		n += (size_t)snprintf(msg + n, size - n,
				      "; %d page%s not fetched, stored from "
				      "the feed (%s)", p->pages_noted,
				      p->pages_noted == 1 ? "" : "s",
				      p->first_page_note);
	if (p->pages_failed && n < size)
		snprintf(msg + n, size - n, "; %d page%s to retry (%s)",
			 p->pages_failed, p->pages_failed == 1 ? "" : "s",
			 p->first_page_error);
}

/* After COMMIT: report the commit, then the polls it finished. */
static void
wr_committed(void *arg, struct writer_unit *units,
	     const struct writer_commit *c)
{
	struct ingest *in = arg;
	struct writer_unit *u;
	struct event *e = event_add(in, EV_COMMITTED);

	if (e) {
		e->stored = c->stored;
		e->maxseq = c->maxseq;
	}
	for (u = units; u; u = u->next) {
		struct poll *p = u->tag;
		char msg[256];

		if (!p)
			continue;
		if (u->user == UNIT_RECHECK) {
			struct recheck *rc = u->tag;

			if (u->kind == WRITER_BRIEFING &&
			    u->result == STORE_UPDATED)
				in->stats.rechecks_revised++;
			recheck_free(rc);
			continue;
		}
		if (u->kind == WRITER_BRIEFING) {
			p->n_new += u->result == STORE_NEW;
			p->n_updated += u->result == STORE_UPDATED;
			continue;
		}
		if (!u->user)
			continue;
		poll_message(p, msg, sizeof(msg));
		report_poll(in, p->f, 1, p->n_new, p->n_updated, -1, msg);
		poll_unlink(p);
		poll_free(p);
	}
}

static void
wr_room(void *arg)
{
	pages_pump(arg);
}

static void
wr_settled(void *arg)
{
	struct ingest *in = arg;

	if (!in->closing && !ingest_busy(in))
		event_add(in, EV_IDLE);
}

void
ingest_next_due(struct ingest *in, const char *feed, int64_t next_due)
{
	struct writer_unit *u = writer_unit_new(WRITER_NEXT_DUE, feed);

	if (!u) {
		log_limited("store", 5, LOG_LVL_WARN,
			    "store: cannot record the next poll of \"%s\": "
			    "out of memory", feed);
		return;
	}
	u->next_due = next_due;
	writer_push(in->w, u);
}

void
ingest_set_size_limit(struct ingest *in, uint64_t bytes)
{
	writer_set_size_limit(in->w, bytes);
}

struct writer *
ingest_writer(struct ingest *in)
{
	return in->w;
}

void
ingest_set_limits(struct ingest *in, const struct ingest_limits *lim)
{
	in->env.limits = *lim;
}

/* ---- life cycle -------------------------------------------------------------- */

static void
on_fire(uv_idle_t *h)
{
	emit(h->data);
}

int
ingest_new(const struct ingest_env *env, const struct ingest_ops *ops,
	   struct ingest **out)
{
	struct ingest *in = calloc(1, sizeof(*in));
	struct writer_ops wo = {
		.prepare = wr_prepare, .committed = wr_committed,
		.room = wr_room, .settled = wr_settled, .arg = in};
	int r;

	if (!in)
		return -ENOMEM;
	in->env = *env;
	in->env.database = NULL; /* the writer's alone */
	if (ops)
		in->ops = *ops;
	r = writer_new(env->loop, env->database, &wo, &in->w);
	if (r < 0) {
		free(in);
		return r;
	}
	in->writer_open = 1;
	uv_idle_init(env->loop, &in->fire);
	in->fire.data = in;
	in->fire_open = 1;
	*out = in;
	return 0;
}

static int
unit_of_feed(void *arg, const struct writer_unit *u)
{
	const struct poll *p = u->tag;

	return p && u->user != UNIT_RECHECK && p->f == arg;
}

void
ingest_forget(struct ingest *in, struct ingest_feed *f)
{
	struct poll **pp, *p;
	struct event **ee, *e;

	/* Queued briefings of f are dropped: they were not committed, so
	 * the validators did not advance and a later poll finds them. */
	writer_drop(in->w, unit_of_feed, f);
	/* Reports not yet delivered go too: f is about to be freed. */
	for (ee = &in->ev_head; (e = *ee);) {
		if (e->kind == EV_POLL_DONE && e->f == f) {
			*ee = e->next;
			free(e);
		} else {
			ee = &e->next;
		}
	}
	in->ev_tail = NULL;
	for (e = in->ev_head; e; e = e->next)
		in->ev_tail = e;
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
	{
		struct recheck *rc;

		for (rc = in->rc_all; rc; rc = rc->next)
			if (rc->f == f)
				rc->f = NULL;
	}
	emit(in);
}

void
ingest_feed_clear(struct ingest_feed *f)
{
	struct ingest_attempt *a;

	while ((a = f->attempts)) {
		f->attempts = a->next;
		free(a->item);
		free(a);
	}
	free(f->pending_redirect);
	f->pending_redirect = NULL;
}

size_t
ingest_busy(const struct ingest *in)
{
	return writer_units(in->w) + in->npolls + in->rc_count;
}

int
ingest_degraded(const struct ingest *in)
{
	return writer_degraded(in->w);
}

void
ingest_set_profiles(struct ingest *in, const struct profile_set *set,
		    struct profile_set *old)
{
	struct retired *r;

	in->env.profiles = set;
	if (!old)
		return;
	if (!in->inflight && !profiles_held(in, old)) {
		profile_set_free(old);
		return;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		/* A parse may still read it: leaking one set is the only
		 * safe choice left. */
		log_err("out of memory retiring a profile set; leaking it");
		return;
	}
	r->set = old;
	r->next = in->retired;
	in->retired = r;
}

/* The ingest is freed once the writer and the fire handle are closed and
 * no parse is still on the thread pool (the after-work callbacks need
 * it). */
static void
maybe_free(struct ingest *in)
{
	struct event *e;

	if (in->writer_open || in->fire_open || in->inflight)
		return;
	profiles_reap(in);
	while ((e = in->ev_head)) {
		in->ev_head = e->next;
		free(e);
	}
	if (in->done)
		in->done(in->done_arg);
	free(in);
}

static void
on_writer_closed(void *arg)
{
	struct ingest *in = arg;

	in->writer_open = 0;
	maybe_free(in);
}

static void
on_fire_closed(uv_handle_t *h)
{
	struct ingest *in = h->data;

	in->fire_open = 0;
	maybe_free(in);
}

void
ingest_close(struct ingest *in, void (*done)(void *arg), void *arg)
{
	struct poll *p;

	in->closing = 1;
	in->done = done;
	in->done_arg = arg;
	/* The writer takes the complete polls' state now (their polls are
	 * still here), writes what it can, and reports nothing more but
	 * the commits. */
	writer_close(in->w, on_writer_closed, in);
	in->w = NULL;
	/* Re-checks: cancelled; one parsing is freed when it comes back. */
	while (in->rc_all) {
		struct recheck *rc = in->rc_all;

		if (rc->job) {
			fetch_cancel(in->env.fetcher, rc->job);
			rc->job = NULL;
		}
		if (rc->parsing)
			uv_cancel((uv_req_t *)&rc->work);
		recheck_free(rc);
	}
	in->rc_qhead = in->rc_qtail = NULL;
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
	uv_close((uv_handle_t *)&in->fire, on_fire_closed);
	emit(in);
}
