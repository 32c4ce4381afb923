/* ingest.c — from a feed poll to stored, announced briefings (see
 * include/ingest.h for the guarantees). Runs on the loop thread.
 */
#include "ingest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "briefing.h"
#include "buf.h"
#include "daemon.h"
#include "feed.h"
#include "fetch.h"
#include "log.h"
#include "notify.h"
#include "store.h"
#include "transcript.h"

#define FLUSH_MAX_UNITS 500
#define RETRY_MIN_MS 2000
#define RETRY_MAX_MS 60000

struct poll;

/* A fetched item page waiting for its body. */
struct page {
	struct poll *p;
	struct fetch_job *job;
	size_t entry;            /* index into p->doc->entries */
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
	int pages_failed;
	char first_page_error[160];
	int new_items;
	int64_t retry_after;
	int queued;              /* its state unit is in the write queue */
	struct poll *next;
};

enum unit_kind { UNIT_BRIEFING, UNIT_FEED_DONE };

/* One thing to write in the next transaction. */
struct unit {
	enum unit_kind kind;
	struct poll *p;
	char *item_id;
	struct briefing *b;
	struct unit *next;
};

struct ingest {
	struct daemon *d;
	struct poll *polls;
	struct unit *head, *tail;
	size_t nunits;
	uv_check_t flush;       /* flushes the queue once per loop turn */
	uv_timer_t retry;       /* while degraded */
	int64_t retry_ms;
	int degraded;
	int closing;
	int handles_open;
	void (*done)(void *);
	void *done_arg;
};

static void flush_queue(struct ingest *in);
static void on_flush_check(uv_check_t *c);

/* ---- queue ------------------------------------------------------------ */

static void
unit_free(struct unit *u)
{
	if (!u)
		return;
	free(u->item_id);
	briefing_free(u->b);
	free(u);
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
	if (!in->degraded && !in->closing)
		uv_check_start(&in->flush, on_flush_check);
}

/* ---- polls --------------------------------------------------------------- */

static void
poll_free(struct poll *p)
{
	struct page *pg, *n;

	for (pg = p->pages; pg; pg = n) {
		n = pg->next;
		if (pg->job)
			fetch_cancel(p->in->d->fetcher, pg->job);
		free(pg);
	}
	if (p->job)
		fetch_cancel(p->in->d->fetcher, p->job);
	feed_doc_free(p->doc);
	store_feed_clear(&p->sf);
	free(p);
}

static void
poll_unlink(struct poll *p)
{
	struct poll **pp;

	for (pp = &p->in->polls; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			return;
		}
	}
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
	/* Validators stay as they were; only the failure is recorded. */
	p->sf.failures++;
	p->sf.last_attempt = daemon_now_ms() / 1000;
	set_str(&p->sf.last_error, buf_str(&msg));
	if (store_feed_put(in->d->store, &p->sf) < 0)
		log_limited("store", 5, LOG_LVL_WARN,
			    "store: cannot record state of feed \"%s\": %s",
			    f->cfg.name, store_errmsg(in->d->store));
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
	u = calloc(1, sizeof(*u));
	if (!u) {
		poll_fail(p, -1, "out of memory");
		return;
	}
	u->kind = UNIT_FEED_DONE;
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

static int
queue_briefing(struct poll *p, size_t idx, struct briefing *b)
{
	struct unit *u = calloc(1, sizeof(*u));

	if (!u || !(u->item_id = strdup(p->doc->entries[idx].id))) {
		free(u);
		briefing_free(b);
		return -ENOMEM;
	}
	u->kind = UNIT_BRIEFING;
	u->p = p;
	u->b = b;
	queue_push(p->in, u);
	return 0;
}

static void
on_page(void *arg, const struct fetch_result *res)
{
	struct page *pg = arg, **pp;
	struct poll *p = pg->p;
	struct daemon *d = p->in->d;
	const struct feed_entry *e = &p->doc->entries[pg->entry];
	struct briefing *b = NULL;
	char *err = NULL;
	int r;

	pg->job = NULL;
	for (pp = &p->pages; *pp; pp = &(*pp)->next)
		if (*pp == pg) {
			*pp = pg->next;
			break;
		}
	p->pages_pending--;
	if (res->error || res->status != 200) {
		char why[160];

		if (res->error)
			snprintf(why, sizeof(why), "%s", res->error_msg);
		else
			snprintf(why, sizeof(why), "HTTP %ld", res->status);
		log_limited(p->f->cfg.name, 5, LOG_LVL_WARN,
			    "fetch \"%s\": page %s: %s, retrying on the next poll",
			    p->f->cfg.name, e->link, why);
		if (!p->pages_failed++)
			snprintf(p->first_page_error,
				 sizeof(p->first_page_error), "%s", why);
		goto out;
	}
	{
		struct transcript_opts o = {0};

		o.url = res->effective_url ? res->effective_url : e->link;
		o.profiles = d->profiles;
		o.profile = p->f->profile;
		o.max_bytes = d->cfg->max_page_bytes;
		r = transcript_parse(res->body, res->len, &o, &b, &err);
	}
	if (r < 0) {
		/* Not a transcript we can read (a PDF, an empty page): the
		 * item still becomes a briefing, from the feed alone. */
		log_limited(p->f->cfg.name, 5, LOG_LVL_INFO,
			    "extract \"%s\": %s: %s; storing the feed item only",
			    p->f->cfg.name, e->link, err ? err : "no content");
		free(err);
		b = briefing_from_entry(e, p->f->cfg.name);
	} else if (briefing_complete(b, e, p->f->cfg.name) < 0) {
		briefing_free(b);
		b = NULL;
	}
	if (!b || queue_briefing(p, pg->entry, b) < 0) {
		if (!p->pages_failed++)
			snprintf(p->first_page_error,
				 sizeof(p->first_page_error), "out of memory");
	}
out:
	free(pg);
	poll_settle(p);
}

static int
start_page(struct poll *p, size_t idx)
{
	struct page *pg = calloc(1, sizeof(*pg));
	struct fetch_req req = {0};
	int r;

	if (!pg)
		return -ENOMEM;
	pg->p = p;
	pg->entry = idx;
	req.url = p->doc->entries[idx].link;
	r = fetch_start(p->in->d->fetcher, &req, on_page, pg, &pg->job);
	if (r < 0) {
		free(pg);
		return r;
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

static void
on_feed(void *arg, const struct fetch_result *res)
{
	struct poll *p = arg;
	struct daemon *d = p->in->d;
	struct feedctl *f = p->f;
	char *err = NULL;
	size_t i;
	int r, fetch_pages;

	p->job = NULL;
	if (res->error) {
		poll_fail(p, -1, "%s", res->error_msg);
		return;
	}
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
	r = feed_parse(res->body, res->len, res->content_type,
		       res->effective_url, NULL, &p->doc, &err);
	if (r < 0) {
		poll_fail(p, -1, "not a feed: %s", err ? err : strerror(-r));
		free(err);
		return;
	}
	if (p->doc->bozo)
		log_limited(f->cfg.name, 3, LOG_LVL_INFO,
			    "parse \"%s\": recovered from: %s", f->cfg.name,
			    p->doc->bozo_reason ? p->doc->bozo_reason : "?");
	if (set_str(&p->sf.etag, res->etag) < 0 ||
	    set_str(&p->sf.last_modified, res->last_modified) < 0) {
		poll_fail(p, -1, "out of memory");
		return;
	}
	fetch_pages = f->cfg.fetch_pages >= 0 ? f->cfg.fetch_pages
					      : d->cfg->fetch_pages;
	/* Oldest first, so events come in publishing order for feeds that
	 * list the newest item first (nearly all of them). */
	for (i = p->doc->nentries; i-- > 0;) {
		const struct feed_entry *e = &p->doc->entries[i];
		int64_t bid = 0;

		if (store_item_lookup(d->store, f->cfg.name, e->id, e->link,
				      &bid) < 0) {
			log_limited("store", 5, LOG_LVL_WARN,
				    "store: lookup failed: %s",
				    store_errmsg(d->store));
			p->pages_failed++;
			continue;
		}
		if (bid > 0)
			continue;
		p->new_items++;
		if (fetch_pages && e->link) {
			r = start_page(p, i);
		} else {
			struct briefing *b = briefing_from_entry(e, f->cfg.name);

			r = b ? queue_briefing(p, i, b) : -ENOMEM;
		}
		if (r < 0 && !p->pages_failed++)
			snprintf(p->first_page_error,
				 sizeof(p->first_page_error), "%s",
				 strerror(-r));
	}
	poll_settle(p);
}

int
ingest_poll(struct ingest *in, struct feedctl *f)
{
	struct poll *p;
	struct fetch_req req = {0};
	int r;

	if (in->closing)
		return -ECANCELED;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->in = in;
	p->f = f;
	p->retry_after = -1;
	r = store_feed_get(in->d->store, f->cfg.name, &p->sf);
	if (r == -ENOENT || (r == 0 && (!p->sf.url ||
					strcmp(p->sf.url, f->cfg.url) != 0))) {
		/* New feed, or its configured URL changed: start afresh. */
		store_feed_clear(&p->sf);
		memset(&p->sf, 0, sizeof(p->sf));
		if (set_str(&p->sf.name, f->cfg.name) < 0 ||
		    set_str(&p->sf.url, f->cfg.url) < 0) {
			poll_free(p);
			return -ENOMEM;
		}
	} else if (r < 0) {
		free(p);
		return r;
	}
	req.url = p->sf.redirect_url ? p->sf.redirect_url : p->sf.url;
	req.etag = p->sf.etag;
	req.last_modified = p->sf.last_modified;
	r = fetch_start(in->d->fetcher, &req, on_feed, p, &p->job);
	if (r < 0) {
		poll_free(p);
		return r;
	}
	p->next = in->polls;
	in->polls = p;
	return 0;
}

/* ---- writing ---------------------------------------------------------------- */

static void
on_flush_check(uv_check_t *c)
{
	flush_queue(c->data);
}

static void
on_retry(uv_timer_t *t)
{
	struct ingest *in = t->data;

	flush_queue(in);
}

/* After COMMIT: report finished polls, free their units. */
static void
after_commit(struct ingest *in, struct unit *first, struct unit *stop)
{
	struct unit *u, *n;

	for (u = first; u != stop; u = n) {
		n = u->next;
		if (u->kind == UNIT_FEED_DONE) {
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

static void
flush_queue(struct ingest *in)
{
	struct daemon *d = in->d;
	struct unit *u, *last = NULL;
	int64_t seq, maxseq = 0;
	size_t n = 0, stored = 0;
	int r;

	uv_check_stop(&in->flush);
	if (!in->head)
		return;
	r = store_begin(d->store);
	for (u = in->head; r >= 0 && u && n < FLUSH_MAX_UNITS; u = u->next, n++) {
		last = u;
		if (u->kind == UNIT_BRIEFING) {
			seq = 0;
			r = store_put_briefing(d->store, u->p->f->cfg.name,
					       u->item_id, u->b, &seq);
			if (r > 0) {
				stored++;
				if (seq > maxseq)
					maxseq = seq;
			}
		} else {
			struct poll *p = u->p;

			p->sf.last_attempt = daemon_now_ms() / 1000;
			p->sf.last_success = p->sf.last_attempt;
			if (p->pages_failed) {
				/* Keep the old validators: the next poll must
				 * fetch the feed again and find those items. */
				p->sf.failures++;
				set_str(&p->sf.last_error, p->first_page_error);
				r = store_feed_put(d->store, &p->sf);
			} else {
				p->sf.failures = 0;
				set_str(&p->sf.last_error, NULL);
				r = store_feed_put(d->store, &p->sf);
			}
		}
	}
	if (r >= 0)
		r = store_commit(d->store);
	if (r < 0) {
		const char *why = store_errmsg(d->store);

		store_rollback(d->store);
		in->retry_ms = in->retry_ms ? in->retry_ms * 2 : RETRY_MIN_MS;
		if (in->retry_ms > RETRY_MAX_MS)
			in->retry_ms = RETRY_MAX_MS;
		if (!in->degraded)
			log_err("store: write of %zu queued items failed: %s; keeping them and retrying",
				in->nunits, why);
		in->degraded = 1;
		uv_timer_start(&in->retry, on_retry, (uint64_t)in->retry_ms, 0);
		return;
	}
	if (in->degraded)
		log_info("store: writes work again; %zu queued items stored",
			 n);
	in->degraded = 0;
	in->retry_ms = 0;
	u = in->head;
	in->head = last->next;
	if (!in->head)
		in->tail = NULL;
	in->nunits -= n;
	last->next = NULL;
	d->briefings_stored += stored;
	if (stored)
		d->last_ingest = daemon_now_ms();
	if (maxseq && d->notify)
		notify_publish(d->notify, maxseq);
	after_commit(in, u, NULL);
	if (in->head)
		uv_check_start(&in->flush, on_flush_check);
}

/* ---- life cycle -------------------------------------------------------------- */

int
ingest_new(struct daemon *d, struct ingest **out)
{
	struct ingest *in = calloc(1, sizeof(*in));

	if (!in)
		return -ENOMEM;
	in->d = d;
	uv_check_init(d->loop, &in->flush);
	in->flush.data = in;
	uv_timer_init(d->loop, &in->retry);
	in->retry.data = in;
	in->handles_open = 2;
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
		if (u->p->f == f) {
			*uu = u->next;
			in->nunits--;
			unit_free(u);
		} else {
			uu = &u->next;
		}
	}
	in->tail = NULL;
	for (u = in->head; u; u = u->next)
		in->tail = u;
	for (pp = &in->polls; (p = *pp);) {
		if (p->f == f) {
			*pp = p->next;
			poll_free(p);
		} else {
			pp = &p->next;
		}
	}
}

size_t
ingest_busy(const struct ingest *in)
{
	const struct poll *p;
	size_t n = in->nunits;

	for (p = in->polls; p; p = p->next)
		n++;
	return n;
}

int
ingest_degraded(const struct ingest *in)
{
	return in->degraded;
}

static void
on_closed(uv_handle_t *h)
{
	struct ingest *in = h->data;

	if (--in->handles_open)
		return;
	if (in->done)
		in->done(in->done_arg);
	free(in);
}

void
ingest_close(struct ingest *in, void (*done)(void *arg), void *arg)
{
	struct poll *p;
	struct unit *u;

	in->closing = 1;
	/* Whatever is complete gets one last chance to be written. */
	if (in->head && !in->degraded)
		flush_queue(in);
	while ((u = in->head)) {
		in->head = u->next;
		unit_free(u);
	}
	in->tail = NULL;
	in->nunits = 0;
	while ((p = in->polls)) {
		in->polls = p->next;
		poll_free(p);
	}
	in->done = done;
	in->done_arg = arg;
	uv_close((uv_handle_t *)&in->flush, on_closed);
	uv_close((uv_handle_t *)&in->retry, on_closed);
}
