/* daemon.c — process life cycle of briefwatchd: start, feed table and
 * timers, reload, stop, and the daemon's answers to the socket's
 * status/feeds/poll/reload ops. See include/daemon.h.
 */
#include "daemon.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "date.h"
#include "dblock.h"
#include "dbpath.h"
#include "fetch.h"
#include "ingest.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "output.h"
#include "profiles.h"
#include "proto.h"
#include "relay.h"
#include "sched.h"
#include "schedctl.h"
#include "service.h"
#include "store.h"
#include "store_relay.h"

#define STATUS_REFRESH_MS 10000
#define MAINT_FIRST_MS (10 * 60 * 1000)
#define MAINT_EVERY_MS (24 * 3600 * 1000)
#define STARTUP_SPREAD_MS 5000
#define RECHECK_EVERY_MS 1000
#define RECHECK_BATCH 64

int64_t
daemon_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int
feed_cfg_equal(const struct config_feed *a, const struct config_feed *b)
{
	return str_eq(a->url, b->url) && str_eq(a->profile, b->profile) &&
	       str_eq(a->xpath_body, b->xpath_body) &&
	       str_eq(a->xpath_title, b->xpath_title) &&
	       str_eq(a->xpath_date, b->xpath_date) &&
	       a->interval_ms == b->interval_ms &&
	       a->fetch_pages == b->fetch_pages &&
	       a->schedule == b->schedule &&
	       memcmp(&a->recheck, &b->recheck, sizeof(a->recheck)) == 0;
}

/* The profile a feed's config asks for, or NULL (choose by URL). */
static int
feed_profile(struct profile_set *set, const struct config_feed *c,
	     struct profile **out, char **err)
{
	const struct profile *base = NULL;
	struct buf msg = BUF_INIT;

	*out = NULL;
	if (!c->profile && !c->xpath_body && !c->xpath_title && !c->xpath_date)
		return 0;
	if (c->profile) {
		base = profile_set_find(set, c->profile);
		if (!base) {
			buf_printf(&msg, "feed \"%s\": unknown profile \"%s\"",
				   c->name, c->profile);
			*err = buf_detach(&msg);
			return -EINVAL;
		}
	}
	return profile_derive(base, c->xpath_body, c->xpath_title,
			      c->xpath_date, out);
}

/* ---- feed timers ------------------------------------------------------------ */

static void on_feed_timer(uv_timer_t *t);
static void feed_done(struct daemon *d, struct feedctl *f, int ok,
		      int new_items, int64_t retry_after_s,
		      const char *result);

/* issue #26: schedule = fixed for this feed (its own, or the daemon's). */
static int
feed_fixed(const struct daemon *d, const struct feedctl *f)
{
	return f->cfg.schedule ? f->cfg.schedule == CONFIG_SCHEDULE_FIXED
			       : d->cfg->schedule_fixed;
}

static struct sched_policy
feed_policy(const struct daemon *d, const struct feedctl *f)
{
	struct sched_policy p;

	p.interval_ms = f->cfg.interval_ms ? f->cfg.interval_ms
					   : d->cfg->interval_ms;
	p.min_interval_ms = d->cfg->min_interval_ms;
	p.max_interval_ms = d->cfg->max_interval_ms;
	p.fixed = feed_fixed(d, f);
	p.respect_hints = d->cfg->respect_hints;
	return p;
}

/* The longest wait a restart honours: a Retry-After's cap (sched.c). */
#define RESTART_WAIT_CAP_MS ((int64_t)24 * 3600 * 1000)

static void
feed_schedule(struct feedctl *f, int64_t delay_ms)
{
	if (f->d->stopping || f->removed)
		return;
	f->next_due = daemon_now_ms() + delay_ms;
	uv_timer_start(&f->timer, on_feed_timer, (uint64_t)delay_ms, 0);
}

static void
feed_closed(uv_handle_t *h)
{
	struct feedctl *f = h->data;
	struct daemon *d = f->d;

	config_feed_clear(&f->cfg);
	profile_free(f->profile);
	ingest_feed_clear(&f->feed);
	schedctl_free(f->feed.sched); /* issue #26 */
	free(f);
	d->closing_handles--;
}

static void
feed_destroy(struct feedctl *f)
{
	uv_timer_stop(&f->timer);
	f->d->closing_handles++;
	uv_close((uv_handle_t *)&f->timer, feed_closed);
}

static void
feed_start_poll(struct feedctl *f)
{
	struct daemon *d = f->d;
	int r;

	if (f->polling) {
		f->poll_again = 1;
		return;
	}
	uv_timer_stop(&f->timer);
	f->next_due = 0;
	f->polling = 1;
	snprintf(f->state, sizeof(f->state), "polling");
	r = ingest_poll(d->ingest, &f->feed);
	if (r < 0) {
		f->polling = 0;
		feed_done(d, f, 0, 0, -1, strerror(-r));
	}
}

static void
on_feed_timer(uv_timer_t *t)
{
	feed_start_poll(t->data);
}

static int
feed_add(struct daemon *d, const struct config_feed *c,
	 struct profile *profile, int64_t first_delay)
{
	struct feedctl *f = calloc(1, sizeof(*f));

	if (!f || config_feed_copy(&f->cfg, c) < 0) {
		free(f);
		profile_free(profile);
		return -ENOMEM;
	}
	f->d = d;
	f->profile = profile;
	f->feed.name = f->cfg.name;
	f->feed.url = f->cfg.url;
	f->feed.profile = profile;
	f->feed.fetch_pages = f->cfg.fetch_pages;
	f->feed.recheck = f->cfg.recheck;
	/* issue #26: the feed's learned pattern (none: a plain interval
	 * until it has learned one). */
	f->feed.sched = schedctl_new();
	schedctl_load(f->feed.sched, d->store, f->cfg.name);
	snprintf(f->state, sizeof(f->state), "new");
	snprintf(f->last_result, sizeof(f->last_result), "not polled yet");
	uv_timer_init(d->loop, &f->timer);
	f->timer.data = f;
	f->next = d->feeds;
	d->feeds = f;
	if (!d->opts.once) {
		struct store_feed sf;

		/* A backoff or Retry-After from before a restart still
		 * holds. */
		if (store_feed_get(d->store, c->name, &sf) == 0) {
			int64_t wait = sf.next_due * 1000 - daemon_now_ms();
			struct sched_policy pol = feed_policy(d, f);
			/* No backoff (jitter included) nor Retry-After waits
			 * longer: a later time was stored while the clock was
			 * ahead, and waiting for it (a monotonic timer) would
			 * not poll the feed for as long as the clock was
			 * wrong. */
			int64_t cap = pol.interval_ms > pol.max_interval_ms ?
				pol.interval_ms : pol.max_interval_ms;

			cap += cap / 5;
			if (cap < RESTART_WAIT_CAP_MS)
				cap = RESTART_WAIT_CAP_MS;
			if (sf.url && strcmp(sf.url, c->url) == 0 &&
			    wait > cap) {
				log_warn("feed \"%s\": stored next poll is "
					 "%lld s away, longer than any backoff "
					 "(%lld s): the clock was ahead when it "
					 "was stored; ignored",
					 c->name, (long long)(wait / 1000),
					 (long long)(cap / 1000));
			} else if (sf.url && strcmp(sf.url, c->url) == 0 &&
				   wait > first_delay) {
				first_delay = wait;
			}
			store_feed_clear(&sf);
		}
	}
	feed_schedule(f, first_delay);
	return 0;
}

static struct feedctl *
feed_find(struct daemon *d, const char *name)
{
	struct feedctl *f;

	for (f = d->feeds; f; f = f->next)
		if (!f->removed && strcmp(f->cfg.name, name) == 0)
			return f;
	return NULL;
}

/* Unlink f from the list and free it (once its work is cancelled). */
static void
feed_remove(struct daemon *d, struct feedctl *f)
{
	struct feedctl **pp;

	for (pp = &d->feeds; *pp; pp = &(*pp)->next) {
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	}
	ingest_forget(d->ingest, &f->feed);
	feed_destroy(f);
}

static int
all_polled_once(const struct daemon *d)
{
	const struct feedctl *f;

	for (f = d->feeds; f; f = f->next)
		if (!f->polls)
			return 0;
	return 1;
}

static void update_status(struct daemon *d);
static int op_status(void *arg, json_t **out, char **err);

struct dispatch {
	struct daemon *d;
	size_t n;
};

static int
dispatch_one(void *arg, const struct store_page *pg)
{
	struct dispatch *x = arg;
	struct feedctl *f;

	if (!x->d->ingest || x->d->stopping)
		return 1;
	f = feed_find(x->d, pg->feed);

	/* --once re-checks what earlier runs stored, not what it just
	 * fetched itself */
	if (x->d->opts.once && pg->stored >= x->d->started / 1000)
		return 0;
	if (ingest_recheck(x->d->ingest, f ? &f->feed : NULL, pg) == 0)
		x->n++;
	return 0;
}

/* Hand the page re-checks now due to ingest: at most limit (0: all).
 * Returns how many. */
static size_t
rechecks_dispatch(struct daemon *d, size_t limit)
{
	struct dispatch x = {d, 0};

	if (!d->ingest || d->stopping)
		return 0;
	if (store_pages_due(d->store, daemon_now_ms() / 1000,
			    limit ? limit : (size_t)1 << 30, dispatch_one,
			    &x) < 0 && !d->stopping)
		log_limited("store", 5, LOG_LVL_WARN,
			    "store: cannot list the pages to re-check: %s",
			    store_errmsg(d->store));
	return x.n;
}

/* Once a second: when the previous re-checks are all written, hand over
 * the next ones that are due. Ingest starts them only in spare capacity. */
static void
on_recheck_timer(uv_timer_t *t)
{
	struct daemon *d = t->data;

	if (d->ingest && !ingest_rechecks(d->ingest))
		rechecks_dispatch(d, RECHECK_BATCH);
}

/* --once has polled every feed and stored what it found: stop, with exit
 * status 1 and a summary naming the failed feeds when any failed. */
static void
once_done(struct daemon *d)
{
	const struct feedctl *f;
	struct buf names = BUF_INIT, msg = BUF_INIT;
	int total = 0, failed = 0;

	if (d->stopping)
		return;
	/* Every re-check that is due, then stop when ingest is idle again. */
	if (!d->once_rechecked) {
		d->once_rechecked = 1;
		if (rechecks_dispatch(d, 0) > 0)
			return;
	}
	for (f = d->feeds; f; f = f->next) {
		total++;
		if (!f->failures)
			continue;
		buf_printf(&names, "%s%s (%s)", failed ? ", " : "",
			   f->cfg.name, f->last_result);
		failed++;
	}
	if (failed) {
		buf_printf(&msg, "--once: %d of %d feed%s failed: %s", failed,
			   total, total == 1 ? "" : "s", buf_str(&names));
		free(d->once_failed);
		d->once_failed = buf_detach(&msg);
	}
	buf_free(&names);
	daemon_stop(d, failed ? 1 : 0);
}

/* A feed's poll has finished. ok: the poll worked (including 304);
 * new_items: briefings it produced; retry_after_s: from the server, or
 * -1; result: one line for `status`. */
static void
feed_done(struct daemon *d, struct feedctl *f, int ok, int new_items,
	  int64_t retry_after_s, const char *result)
{
	struct sched_policy pol = feed_policy(d, f);
	int64_t delay;

	f->polling = 0;
	f->polls++;
	f->last_poll = daemon_now_ms();
	snprintf(f->last_result, sizeof(f->last_result), "%s", result);
	if (ok) {
		f->failures = 0;
		f->quiet_polls = new_items ? 0 : f->quiet_polls + 1;
		snprintf(f->state, sizeof(f->state), "ok");
		/* issue #26: placed by the feed's learned pattern. */
		delay = sched_delay_next(&pol, schedctl_model(f->feed.sched),
					 schedctl_hints(f->feed.sched),
					 daemon_now_ms(),
					 sched_random());
		log_debug("poll \"%s\": %s; next in %lld s", f->cfg.name,
			  result, (long long)(delay / 1000));
	} else {
		f->failures++;
		snprintf(f->state, sizeof(f->state), "failing");
		delay = sched_delay_fail(&pol, f->failures, retry_after_s,
					 sched_random());
		/* Remember when we may ask again, so a restart honours a
		 * server's Retry-After and our backoff. */
		if (d->ingest)
			ingest_next_due(d->ingest, f->cfg.name,
					(daemon_now_ms() + delay) / 1000);
		if (d->opts.once) /* never retries */
			log_limited(f->cfg.name, 5, LOG_LVL_WARN,
				    "poll \"%s\": %s", f->cfg.name, result);
		else
			log_limited(f->cfg.name, 5, LOG_LVL_WARN,
				    "poll \"%s\": %s; retrying in %lld s%s",
				    f->cfg.name, result,
				    (long long)(delay / 1000),
				    retry_after_s > 0 ? " (Retry-After)" : "");
	}
	if (f->removed) {
		feed_remove(d, f);
	} else if (f->poll_again) {
		f->poll_again = 0;
		feed_start_poll(f);
	} else if (!d->opts.once) {
		feed_schedule(f, delay);
	}
	/* The cheap test first: with thousands of feeds, walking them on
	 * every completed poll would be quadratic. */
	if (d->opts.once && !ingest_busy(d->ingest) && all_polled_once(d))
		once_done(d);
	/* STATUS= at most once a second from here; the status timer
	 * refreshes it anyway. */
	if (daemon_now_ms() - d->status_sent >= 1000) {
		d->status_sent = daemon_now_ms();
		update_status(d);
	}
}

int
daemon_poll_now(struct daemon *d, const char *name)
{
	struct feedctl *f = feed_find(d, name);

	if (!f)
		return -ENOENT;
	feed_start_poll(f);
	return 0;
}

/* ---- status ------------------------------------------------------------------- */

static void
fmt_time(int64_t ms, char out[DATE_ISO_MAX])
{
	if (ms <= 0) {
		snprintf(out, DATE_ISO_MAX, "-");
		return;
	}
	date_format_utc(ms / 1000, out);
}

static json_t *
feeds_json(const struct daemon *d)
{
	const struct feedctl *f;
	json_t *arr = json_array();
	char next[DATE_ISO_MAX], last[DATE_ISO_MAX];

	for (f = d->feeds; arr && f; f = f->next) {
		json_t *o;

		if (f->removed)
			continue;
		fmt_time(f->next_due, next);
		fmt_time(f->last_poll, last);
		o = json_pack(
			"{ss ss ss ss ss ss si si sI sI ss}", "name", f->cfg.name,
			"url", f->cfg.url, "state", f->state, "next_poll",
			f->polling ? "now" : next, "last_poll", last,
			"last_result", f->last_result, "failures", f->failures,
			"polls", f->polls, "last_poll_unix",
			(json_int_t)(f->last_poll / 1000), "next_poll_unix",
			(json_int_t)(f->next_due / 1000), "source",
			f->cfg.runtime ? "feeds_file" : "config");

		schedctl_json(f->feed.sched, feed_fixed(d, f), o); /* #26 */
		json_array_append_new(arr, o);
	}
	return arr;
}

static void
count_feeds(const struct daemon *d, int *total, int *failing)
{
	const struct feedctl *f;

	*total = *failing = 0;
	for (f = d->feeds; f; f = f->next) {
		if (f->removed)
			continue;
		(*total)++;
		if (f->failures)
			(*failing)++;
	}
}

static void
update_status(struct daemon *d)
{
	int total, failing;
	char relay[96] = "";
	int64_t head = 0;

	if (d->relay) {
		relay[0] = ',';
		relay[1] = ' ';
		store_head(d->store, &head);
		relay_status_line(d->relay, head, relay + 2, sizeof(relay) - 2);
	}
	count_feeds(d, &total, &failing);
	service_status("%d feeds (%d failing), %llu briefings stored, %zu subscribers%s%s",
		       total, failing, (unsigned long long)d->briefings_stored,
		       d->notify ? notify_subscribers(d->notify) : 0,
		       d->ingest && ingest_degraded(d->ingest)
			       ? ", DEGRADED: store refuses writes" : "", relay);
}

/* The node exporter's textfile collector reads this file. */
static void
write_metrics(struct daemon *d)
{
	struct buf text = BUF_INIT;
	json_t *st = NULL;
	char *err = NULL;
	int r;

	if (!d->cfg->metrics_file)
		return;
	if (op_status(d, &st, &err) < 0 || metrics_from_status(st, &text) < 0)
		r = -ENOMEM;
	else
		r = metrics_write_file(d->cfg->metrics_file, buf_str(&text),
				       text.len);
	if (r < 0)
		log_limited("metrics", 1, LOG_LVL_WARN,
			    "metrics: cannot write %s: %s",
			    d->cfg->metrics_file, strerror(-r));
	json_decref(st);
	free(err);
	buf_free(&text);
}

static void
on_status_timer(uv_timer_t *t)
{
	struct daemon *d = t->data;

	update_status(d);
	write_metrics(d);
	if (d->notify)
		notify_check_path(d->notify);
}

static int
op_status(void *arg, json_t **out, char **err)
{
	struct daemon *d = arg;
	char started[DATE_ISO_MAX], last[DATE_ISO_MAX];
	struct store_stats st = {0};
	int64_t head = 0;
	int total, failing;

	(void)err;
	store_head(d->store, &head);
	store_stats(d->store, &st);
	count_feeds(d, &total, &failing);
	fmt_time(d->started, started);
	fmt_time(d->last_ingest, last);
	*out = json_pack("{ss ss ss sI si si sI ss ss sI s:o}", "version",
			 BW_VERSION, "state",
			 ingest_degraded(d->ingest) ? "degraded" : "running",
			 "started", started, "pid", (json_int_t)getpid(),
			 "feeds_total", total, "feeds_failing", failing,
			 "subscribers",
			 (json_int_t)(d->notify ? notify_subscribers(d->notify) : 0),
			 "last_ingest", last, "database", d->cfg->database,
			 "head", (json_int_t)head, "feeds", feeds_json(d));
	if (!*out)
		return -ENOMEM;
	json_object_set_new(*out, "started_unix",
			    json_integer(d->started / 1000));
	if (d->reload_at) {
		char at[DATE_ISO_MAX];
		struct buf lr = BUF_INIT;

		fmt_time(d->reload_at, at);
		if (d->reload_error)
			buf_printf(&lr, "failed at %s: %s", at, d->reload_error);
		else
			buf_printf(&lr, "ok at %s", at);
		json_object_set_new(*out, "last_reload",
				    json_string(buf_str(&lr)));
		json_object_set_new(*out, "last_reload_unix",
				    json_integer(d->reload_at / 1000));
		json_object_set_new(*out, "last_reload_error",
				    d->reload_error
					    ? json_string(d->reload_error)
					    : json_null());
		buf_free(&lr);
	}
	json_object_set_new(*out, "last_ingest_unix",
			    json_integer(d->last_ingest / 1000));
	json_object_set_new(*out, "briefings_stored",
			    json_integer((json_int_t)d->briefings_stored));
	json_object_set_new(*out, "briefings", json_integer(st.briefings));
	json_object_set_new(*out, "db_bytes",
			    json_integer((json_int_t)st.db_bytes));
	{
		struct ingest_stats is;

		ingest_stats(d->ingest, &is);
		json_object_set_new(*out, "rechecks",
				    json_integer((json_int_t)is.rechecks));
		json_object_set_new(*out, "rechecks_not_modified",
				    json_integer((json_int_t)is.rechecks_304));
		json_object_set_new(*out, "rechecks_gone",
				    json_integer((json_int_t)is.rechecks_gone));
		json_object_set_new(*out, "rechecks_revised",
				    json_integer((json_int_t)is.rechecks_revised));
	}
	json_object_set_new(*out, "relay", relay_status(d->relay, head));
	if (d->outputs)
		json_object_set_new(*out, "outputs",
				    outputs_status(d->outputs));
	return 0;
}

static int
op_feeds(void *arg, json_t **out, char **err)
{
	(void)err;
	*out = json_pack("{s:o}", "feeds", feeds_json(arg));
	return *out ? 0 : -ENOMEM;
}

/* outputs.conf beside the database: outputs added at run time. */
static char *
outputs_file(const struct daemon *d)
{
	const char *db = d->cfg->database, *slash = strrchr(db, '/');
	struct buf b = BUF_INIT;

	if (slash)
		buf_append(&b, db, (size_t)(slash - db) + 1);
	buf_puts(&b, "outputs.conf");
	return buf_detach(&b);
}

static int
op_add_output(void *arg, const char *name, const json_t *conf, json_t **out,
	      char **err)
{
	struct daemon *d = arg;
	char *path;
	int r;

	if (!d->outputs || !(path = outputs_file(d)))
		return -ENOMEM;
	r = outputs_add_runtime(d->outputs, path, name, conf, err);
	free(path);
	if (r == 0 && !(*out = json_pack("{ss}", "output", name)))
		r = -ENOMEM;
	return r;
}

static int
op_remove_output(void *arg, const char *name, json_t **out, char **err)
{
	struct daemon *d = arg;
	char *path;
	int r;

	if (!d->outputs || !(path = outputs_file(d)))
		return -ENOMEM;
	r = outputs_remove_runtime(d->outputs, path, name, err);
	free(path);
	if (r == 0 && !(*out = json_pack("{ss}", "output", name)))
		r = -ENOMEM;
	return r;
}

static int
op_output_retry(void *arg, const char *name, json_t **out, char **err)
{
	struct daemon *d = arg;
	int r;

	if (!d->outputs) {
		*err = strdup("no outputs are running");
		return -ENOENT;
	}
	r = outputs_retry(d->outputs, name, err);
	if (r < 0)
		return r;
	*out = json_pack("{ss}", "output", name);
	return *out ? 0 : -ENOMEM;
}

static int
op_poll(void *arg, const char *feed, json_t **out, char **err)
{
	struct daemon *d = arg;
	struct buf msg = BUF_INIT;

	if (daemon_poll_now(d, feed) < 0) {
		buf_printf(&msg, "no feed called \"%s\"", feed);
		*err = buf_detach(&msg);
		return -ENOENT;
	}
	*out = json_pack("{ss}", "feed", feed);
	return *out ? 0 : -ENOMEM;
}

static int
op_reload(void *arg, json_t **out, char **err)
{
	struct daemon *d = arg;
	int r = daemon_reload(d, err);

	if (r < 0)
		return r;
	*out = json_pack("{si}", "feeds", (int)d->cfg->nfeeds);
	return *out ? 0 : -ENOMEM;
}

/* add_feed: check the request as a [feed NAME] section (by writing it out
 * and reading it back), write the feeds file, then start the feed now. */
static int
op_add_feed(void *arg, const struct proto_req *req, json_t **out,
	    char **err)
{
	struct daemon *d = arg;
	struct config_feed nf = {0};
	struct config *tmp = NULL;
	struct profile *p = NULL;
	struct buf text = BUF_INIT, msg = BUF_INIT;
	size_t shadowed;
	int r;

	if (!d->cfg->feeds_file) {
		*err = strdup("feeds_file = none: feeds are added in the "
			      "configuration file only");
		return -EOPNOTSUPP;
	}
	if (config_find_feed(d->cfg, req->poll_feed)) {
		buf_printf(&msg, "a feed called \"%s\" exists already",
			   req->poll_feed);
		*err = buf_detach(&msg);
		return -EEXIST;
	}
	nf.name = req->poll_feed;
	nf.url = req->feed_url;
	nf.profile = req->feed_profile;
	nf.fetch_pages = req->feed_fetch_pages;
	if (req->feed_interval &&
	    (config_parse_duration(req->feed_interval, &nf.interval_ms) < 0 ||
	     nf.interval_ms < 1000)) {
		buf_printf(&msg, "interval \"%s\" is not a duration of at "
			   "least 1 s", req->feed_interval);
		*err = buf_detach(&msg);
		return -EINVAL;
	}
	r = config_feed_format(&nf, &text);
	if (r == -EINVAL) {
		*err = strdup("feed names are 1-64 letters, digits, '-', '_' "
			      "or '.'; values must not hold control "
			      "characters");
		goto out;
	}
	if (r == 0 && (r = config_parse("", 0, &tmp, err)) == 0)
		r = config_merge_feeds(tmp, buf_str(&text), text.len,
				       &shadowed, err);
	if (r == 0 && tmp->nfeeds != 1)
		r = -EINVAL;
	if (r < 0)
		goto out;
	r = feed_profile(d->profiles, &tmp->feeds[0], &p, err);
	if (r < 0)
		goto out;
	r = config_add_feed(d->cfg, &tmp->feeds[0], 1);
	if (r == 0) {
		r = config_write_feeds(d->cfg, err);
		if (r < 0)
			config_remove_feed(d->cfg, tmp->feeds[0].name);
	}
	if (r < 0) {
		profile_free(p);
		goto out;
	}
	if (feed_add(d, &tmp->feeds[0], p, 0) < 0) {
		r = -ENOMEM;
		goto out;
	}
	log_info("feed \"%s\" added (%s), saved in %s", tmp->feeds[0].name,
		 tmp->feeds[0].url, d->cfg->feeds_file);
	*out = json_pack("{ss ss}", "feed", tmp->feeds[0].name, "url",
			 tmp->feeds[0].url);
	if (!*out)
		r = -ENOMEM;
out:
	config_free(tmp);
	buf_free(&text);
	return r;
}

static int
op_remove_feed(void *arg, const char *name, json_t **out, char **err)
{
	struct daemon *d = arg;
	const struct config_feed *c = config_find_feed(d->cfg, name);
	struct config_feed saved = {0};
	struct buf msg = BUF_INIT;
	struct feedctl *f;
	int r;

	if (!c) {
		buf_printf(&msg, "no feed called \"%s\"", name);
		*err = buf_detach(&msg);
		return -ENOENT;
	}
	if (!c->runtime) {
		buf_printf(&msg, "feed \"%s\" is defined in %s: remove it "
			   "there and reload", name, d->opts.config_path);
		*err = buf_detach(&msg);
		return -EEXIST;
	}
	if (config_feed_copy(&saved, c) < 0)
		return -ENOMEM;
	config_remove_feed(d->cfg, name);
	r = config_write_feeds(d->cfg, err);
	if (r < 0) {
		/* Nothing changed on disk: keep the feed. */
		if (config_add_feed(d->cfg, &saved, 1) < 0)
			log_err("out of memory restoring feed \"%s\"", name);
		config_feed_clear(&saved);
		return r;
	}
	config_feed_clear(&saved);
	f = feed_find(d, name);
	if (f) {
		/* As in a reload: an in-flight poll is dropped uncommitted. */
		f->removed = 1;
		f->polling = 0;
		feed_remove(d, f);
	}
	log_info("feed \"%s\" removed from %s; its briefings stay", name,
		 d->cfg->feeds_file);
	*out = json_pack("{ss}", "feed", name);
	return *out ? 0 : -ENOMEM;
}

/* ---- start / reload / stop --------------------------------------------------- */

static int
load_profiles(const struct config *cfg, struct profile_set **out, char **err)
{
	struct profile_set *set = NULL;
	int r = profile_set_new(&set);

	if (r < 0)
		return r;
	if (cfg->profiles_dir) {
		r = profile_set_load_dir(set, cfg->profiles_dir, err);
		if (r == -ENOENT) {
			/* No extra profiles installed: the built-in set is
			 * complete on its own. */
			free(*err);
			*err = NULL;
			r = 0;
		}
		if (r < 0) {
			profile_set_free(set);
			return r;
		}
	}
	*out = set;
	return 0;
}

/* Check every feed's profile before anything changes. */
static int
check_profiles(struct profile_set *set, const struct config *cfg, char **err)
{
	size_t i;

	for (i = 0; i < cfg->nfeeds; i++) {
		struct profile *p = NULL;
		int r = feed_profile(set, &cfg->feeds[i], &p, err);

		profile_free(p);
		if (r < 0)
			return r;
	}
	return 0;
}

static void
fetch_opts_from(const struct config *cfg, struct fetch_opts *o)
{
	fetch_opts_default(o);
	o->user_agent = cfg->user_agent;
	o->max_total_conns = cfg->max_connections;
	o->max_host_conns = cfg->max_per_host;
	o->allow_private = cfg->allow_private;
	o->allow_addrs = cfg->allow_addrs;
	o->connect_timeout_ms = cfg->connect_timeout_ms;
	o->total_timeout_ms = cfg->total_timeout_ms;
	o->low_speed_time = (long)(cfg->low_speed_time_ms / 1000);
	o->max_body = cfg->max_feed_bytes > cfg->max_page_bytes
			      ? cfg->max_feed_bytes : cfg->max_page_bytes;
}

static void on_signal(uv_signal_t *s, int signum);

/* When the first upkeep runs: MAINT_FIRST_MS, or BW_MAINT_FIRST_MS from
 * the environment (tests: retention without waiting ten minutes). */
static uint64_t
maint_first_ms(void)
{
	const char *v = getenv("BW_MAINT_FIRST_MS");
	char *end;
	unsigned long long ms;

	if (!v || !*v)
		return MAINT_FIRST_MS;
	ms = strtoull(v, &end, 10);
	return *end || ms == 0 ? MAINT_FIRST_MS : ms;
}

/* Daily upkeep: expire old events (briefings stay), merge FTS segments. */
static void
on_maint_timer(uv_timer_t *t)
{
	struct daemon *d = t->data;
	int64_t deleted = 0;

	if (d->cfg->event_retention_ms > 0) {
		int64_t before = (daemon_now_ms() - d->cfg->event_retention_ms) /
				 1000;

		if (store_events_expire_upto(d->store, before,
					     relay_expire_limit(d->relay),
					     &deleted) < 0)
			log_warn("maintenance: event retention failed: %s",
				 store_errmsg(d->store));
		else if (deleted)
			log_info("maintenance: %lld events older than %lld days expired",
				 (long long)deleted,
				 (long long)(d->cfg->event_retention_ms / 86400000));
	}
	if (store_optimize(d->store) < 0)
		log_warn("maintenance: FTS optimize failed: %s",
			 store_errmsg(d->store));
}

static void
apply_store_limits(struct daemon *d)
{
	if (store_set_size_limit(d->store, d->cfg->max_database_bytes) < 0)
		log_warn("max_database_size: %s", store_errmsg(d->store));
	if (d->ingest)
		ingest_set_size_limit(d->ingest, d->cfg->max_database_bytes);
}

/* ---- ingest's reports ------------------------------------------------------ */

static void
on_poll_done(void *arg, struct ingest_feed *inf, const struct ingest_result *r)
{
	struct feedctl *f = (struct feedctl *)((char *)inf -
					       offsetof(struct feedctl, feed));

	feed_done(arg, f, r->ok, r->new_items, r->retry_after_s, r->msg);
}

static void
on_committed(void *arg, size_t stored, int64_t maxseq)
{
	struct daemon *d = arg;

	d->briefings_stored += stored;
	if (stored)
		d->last_ingest = daemon_now_ms();
	if (maxseq && d->notify)
		notify_publish(d->notify, maxseq);
}

/* Ingest's queue has drained with no poll left in progress: with --once,
 * the daemon may be done. */
static void
on_ingest_idle(void *arg)
{
	struct daemon *d = arg;

	if (d->opts.once && !d->stopping && all_polled_once(d))
		once_done(d);
}

static void
ingest_limits_from(const struct config *cfg, struct ingest_limits *lim)
{
	lim->max_feed_bytes = cfg->max_feed_bytes;
	lim->max_feed_items = cfg->max_feed_items;
	lim->max_field_bytes = cfg->max_field_bytes;
	lim->max_page_bytes = cfg->max_page_bytes;
	lim->fetch_pages = cfg->fetch_pages;
	lim->recheck = cfg->recheck;
}

static int
start_ingest(struct daemon *d)
{
	struct ingest_env env = {
		.loop = d->loop, .fetcher = d->fetcher, .store = d->store,
		.database = d->cfg->database, .profiles = d->profiles};
	struct ingest_ops ops = {
		.poll_done = on_poll_done, .committed = on_committed,
		.idle = on_ingest_idle, .arg = d};

	ingest_limits_from(d->cfg, &env.limits);
	return ingest_new(&env, &ops, &d->ingest);
}

/* Start phase 1: the configuration and the profile set it names. */
static int
start_config(struct daemon *d, char **err)
{
	int r = config_load(d->opts.config_path, &d->cfg, err);

	if (r < 0)
		return r;
	log_level = d->cfg->log_level;
	config_log_warnings(d->cfg, d->opts.config_path);
	r = load_profiles(d->cfg, &d->profiles, err);
	if (r < 0)
		return r;
	return check_profiles(d->profiles, d->cfg, err);
}

/* Start phase 2: the store, the HTTP client and the pipeline. */
static int
start_pipeline(struct daemon *d, char **err)
{
	struct fetch_opts fo;
	struct buf msg = BUF_INIT;
	int r;

	r = store_open(d->cfg->database, 0, &d->store, err);
	if (r < 0) {
		char *why = dbpath_explain(d->cfg->database, 0, *err);

		if (why) {
			free(*err);
			*err = why;
		}
		return r;
	}
	if (d->dblock_fd < 0) {
		r = dblock_take_db(d->cfg->database, &d->dblock_fd, err);
		if (r < 0)
			return r;
	}
	fetch_opts_from(d->cfg, &fo);
	r = fetch_new(d->loop, &fo, &d->fetcher);
	if (r < 0) {
		buf_printf(&msg, "cannot start the HTTP client: %s",
			   strerror(-r));
		*err = buf_detach(&msg);
		return r;
	}
	return start_ingest(d);
}

/* The database's lock, or why not: a missing or unwritable directory, or
 * a directory given as the database, is said as store_open would say it
 * (dbpath.h), rather than as a failure to create the lock file. */
static int
take_lock(struct daemon *d, char **err)
{
	int r = dblock_take(d->cfg->database, &d->lock_fd, err);

	/* the database itself too, when it exists (before anything opens
	 * it); a new one is locked once created (start_pipeline) */
	if (r == 0 && access(d->cfg->database, F_OK) == 0)
		r = dblock_take_db(d->cfg->database, &d->dblock_fd, err);
	if (r < 0 && r != -EBUSY && r != -EAGAIN && r != -EWOULDBLOCK) {
		char *why = dbpath_explain(d->cfg->database, 0, *err);

		if (why) {
			free(*err);
			*err = why;
		}
	}
	return r;
}

/* Start phase 2a: one daemon per database, and the socket not live,
 * checked before anything is created. *listen_fd: the socket systemd
 * passed, or -1. */
static int
start_exclusive(struct daemon *d, int *listen_fd, char **err)
{
	struct buf msg = BUF_INIT;

	*listen_fd = -1;
	if (d->opts.once)
		return take_lock(d, err);
	*listen_fd = service_listen_fd("sub");
	if (*listen_fd < -1) {
		buf_printf(&msg, "socket activation: %s",
			   strerror(-*listen_fd));
		*err = buf_detach(&msg);
		return *listen_fd;
	}
	if (*listen_fd == -1 && dblock_socket_live(d->cfg->socket)) {
		buf_printf(&msg, "a live daemon already answers on \"%s\"",
			   d->cfg->socket);
		*err = buf_detach(&msg);
		return -EADDRINUSE;
	}
	return take_lock(d, err);
}

/* Open files the daemon needs besides its clients: the database and its
 * helpers' connections, logs, the loop's own, outputs, the relay. */
#define FD_HEADROOM 64

/* Clients hold one descriptor each, and so do fetches: max_clients past
 * the open-file limit let a socket flood starve every fetch ("connect
 * failed") and the store. Raise the soft limit (up to the hard one) when
 * it is short; when even that is short, serve fewer clients and say so. */
static size_t
fit_clients(size_t max_clients, long max_conns)
{
	struct rlimit rl;
	size_t need, room;

	need = max_clients + 8 + 2 * (size_t)max_conns + FD_HEADROOM;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return max_clients;
	if (rl.rlim_cur < need && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need
			? need : rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= need)
		return max_clients;
	room = rl.rlim_cur > need - max_clients + 1 ?
		rl.rlim_cur - (need - max_clients) : 1;
	log_warn("open-file limit %llu is too low for max_clients = %zu "
		 "and max_connections = %ld (needs %zu): serving at most %zu "
		 "clients (raise LimitNOFILE or ulimit -n)",
		 (unsigned long long)rl.rlim_cur, max_clients, max_conns, need,
		 room);
	return room;
}

/* Start phase 3: the subscriber socket (not with --once). */
static int
start_socket(struct daemon *d, int listen_fd, char **err)
{
	struct notify_opts no;
	struct notify_ops ops = {
		.status = op_status, .feeds = op_feeds, .poll = op_poll,
		.reload = op_reload, .add_feed = op_add_feed,
		.remove_feed = op_remove_feed,
		.output_retry = op_output_retry,
		.add_output = op_add_output, .remove_output = op_remove_output,
		.arg = d};
	struct buf msg = BUF_INIT;

	notify_opts_default(&no);
	no.path = d->cfg->socket;
	no.mode = d->cfg->socket_mode;
	no.max_clients = fit_clients(d->cfg->max_clients,
				     d->cfg->max_connections);
	no.max_queue = d->cfg->max_client_queue;
	if (d->cfg->socket_group) {
		struct group *g = getgrnam(d->cfg->socket_group);

		if (!g) {
			buf_printf(&msg, "socket_group \"%s\" does not exist",
				   d->cfg->socket_group);
			*err = buf_detach(&msg);
			return -EINVAL;
		}
		no.group = g->gr_gid;
	}
	if (d->cfg->admin_group) {
		struct group *g = getgrnam(d->cfg->admin_group);

		if (g)
			no.admin_gid = g->gr_gid;
		else
			log_warn("admin_group \"%s\" does not exist; control ops are for root and uid %u only",
				 d->cfg->admin_group, (unsigned)getuid());
	}
	no.listen_fd = listen_fd;
	return notify_start(d->loop, d->store, &no, &ops, &d->notify, err);
}

/* After each COMMIT that wrote events (a writer hook, loop thread): wake
 * the relay. It reads the events itself, from its own connection. */
static void
on_commit_relay(void *arg, const struct writer_commit *c)
{
	if (c->maxseq)
		relay_kick(arg);
}

/* Start phase 3a: the NATS relay, when [relay] is configured (not with
 * --once). The writer wakes it after each COMMIT; daemon_release stops it
 * once the writer is gone. */
static int
start_relay(struct daemon *d, char **err)
{
	int r;

	if (!d->cfg->relay)
		return 0;
	r = relay_start(d->cfg->relay, d->cfg->database, &d->relay, err);
	if (r < 0)
		return r;
	d->relay_hook.fn = on_commit_relay;
	d->relay_hook.arg = d->relay;
	writer_hook_add(ingest_writer(d->ingest), &d->relay_hook);
	return 0;
}

/* A reload changed [relay]: stop the running relay (what is in flight is
 * settled for up to a second, the rest is sent again from the stream's
 * last message), then start one with the new settings, if any. Blocks
 * the loop while the old thread ends (at most about ack_wait + 1 s).
 * A start that fails is logged and leaves no relay. */
static void
restart_relay(struct daemon *d, const struct config *ncfg)
{
	char *err = NULL;

	if (d->relay) {
		writer_hook_remove(ingest_writer(d->ingest), &d->relay_hook);
		relay_stop(d->relay);
		d->relay = NULL;
	}
	if (!ncfg->relay) {
		log_info("reload: [relay] removed: the relay is off");
		return;
	}
	if (relay_start(ncfg->relay, ncfg->database, &d->relay, &err) < 0) {
		log_err("reload: [relay] changed, but the relay cannot start: %s",
			err ? err : "out of memory");
		free(err);
		d->relay = NULL;
		return;
	}
	d->relay_hook.fn = on_commit_relay;
	d->relay_hook.arg = d->relay;
	writer_hook_add(ingest_writer(d->ingest), &d->relay_hook);
	log_info("reload: [relay] changed: the relay restarted with the new settings");
}

/* Start phase 3b: the outputs (docs/outputs.md; not with --once), after
 * the socket: the [output NAME] sections, then outputs.conf. Their hook
 * is on ingest's writer, so daemon_stop closes them before ingest. */
static int
start_outputs(struct daemon *d, char **err)
{
	char *path;
	int r;

	r = outputs_start(d->loop, d->fetcher, d->store,
			  ingest_writer(d->ingest), d->cfg->outputs,
			  &d->outputs, err);
	if (r < 0)
		return r;
	path = outputs_file(d);
	r = path ? outputs_load_file(d->outputs, path, err) : -ENOMEM;
	free(path);
	if (r < 0) {
		outputs_close(d->outputs, NULL, NULL);
		d->outputs = NULL;
	}
	return r;
}

/* Start phase 4: signals and the daemon's own timers. Cannot fail. */
static void
start_handles(struct daemon *d)
{
	uv_loop_t *loop = d->loop;

	uv_signal_init(loop, &d->sig_hup);
	uv_signal_init(loop, &d->sig_term);
	uv_signal_init(loop, &d->sig_int);
	d->sig_hup.data = d->sig_term.data = d->sig_int.data = d;
	uv_signal_start(&d->sig_hup, on_signal, SIGHUP);
	uv_signal_start(&d->sig_term, on_signal, SIGTERM);
	uv_signal_start(&d->sig_int, on_signal, SIGINT);
	uv_timer_init(loop, &d->status_timer);
	d->status_timer.data = d;
	uv_timer_start(&d->status_timer, on_status_timer, STATUS_REFRESH_MS,
		       STATUS_REFRESH_MS);
	uv_unref((uv_handle_t *)&d->status_timer);
	uv_timer_init(loop, &d->maint_timer);
	d->maint_timer.data = d;
	uv_timer_start(&d->maint_timer, on_maint_timer, maint_first_ms(),
		       MAINT_EVERY_MS);
	uv_unref((uv_handle_t *)&d->maint_timer);
	uv_timer_init(loop, &d->recheck_timer);
	d->recheck_timer.data = d;
	if (!d->opts.once)
		uv_timer_start(&d->recheck_timer, on_recheck_timer,
			       RECHECK_EVERY_MS, RECHECK_EVERY_MS);
	uv_unref((uv_handle_t *)&d->recheck_timer);
}

/* Start phase 5: the feed table, each feed's first poll spread over
 * STARTUP_SPREAD_MS. */
static int
start_feeds(struct daemon *d, char **err)
{
	struct buf msg = BUF_INIT;
	size_t i;

	for (i = 0; i < d->cfg->nfeeds; i++) {
		struct profile *p = NULL;
		int64_t spread = 0;

		/* checked by start_config: cannot fail but for ENOMEM, and
		 * then p stays NULL (chosen by URL) */
		feed_profile(d->profiles, &d->cfg->feeds[i], &p, err);
		if (!d->opts.once && d->cfg->nfeeds > 1)
			spread = (int64_t)(sched_random() * STARTUP_SPREAD_MS);
		if (feed_add(d, &d->cfg->feeds[i], p, spread) < 0) {
			buf_printf(&msg, "out of memory adding feed \"%s\"",
				   d->cfg->feeds[i].name);
			*err = buf_detach(&msg);
			return -ENOMEM;
		}
	}
	if (d->cfg->shadowed_feeds)
		log_warn("%zu feed%s in %s ignored: the configuration file "
			 "has feeds of the same name", d->cfg->shadowed_feeds,
			 d->cfg->shadowed_feeds == 1 ? "" : "s",
			 d->cfg->feeds_file);
	return 0;
}

/* Start's last step: say so, to the log and to systemd. */
static void
start_announce(struct daemon *d)
{
	const struct daemon_opts *o = &d->opts;
	int total, failing;
	char st[128];

	service_watchdog_start(d->loop, &d->watchdog);
	log_info("briefwatchd %s: %zu feeds, database %s%s%s", BW_VERSION,
		 d->cfg->nfeeds, d->cfg->database, o->once ? "" : ", socket ",
		 o->once ? " (--once)" : d->cfg->socket);
	if (o->once && d->cfg->nfeeds == 0) {
		daemon_stop(d, 0);
		return;
	}
	count_feeds(d, &total, &failing);
	snprintf(st, sizeof(st), "serving %d feed%s", total,
		 total == 1 ? "" : "s");
	service_ready(st);
}

int
daemon_start(struct daemon *d, uv_loop_t *loop, const struct daemon_opts *o,
	     char **err)
{
	int r, listen_fd = -1;

	memset(d, 0, sizeof(*d));
	d->loop = loop;
	d->opts = *o;
	d->started = daemon_now_ms();
	d->lock_fd = -1;
	d->dblock_fd = -1;
	*err = NULL;
	r = start_config(d, err);
	if (r == 0)
		r = start_exclusive(d, &listen_fd, err);
	if (r == 0)
		r = start_pipeline(d, err);
	if (r == 0 && !o->once)
		r = start_socket(d, listen_fd, err);
	if (r == 0 && !o->once)
		r = start_relay(d, err);
	if (r == 0 && !o->once)
		r = start_outputs(d, err);
	if (r < 0) {
		/* Nothing has been scheduled yet: close what was opened,
		 * let the loop run their close callbacks, free the rest. */
		if (d->notify)
			notify_close(d->notify, NULL, NULL);
		if (d->ingest)
			ingest_close(d->ingest, NULL, NULL);
		if (d->fetcher)
			fetch_close(d->fetcher, NULL, NULL);
		d->notify = NULL;
		d->ingest = NULL;
		d->fetcher = NULL;
		uv_run(loop, UV_RUN_DEFAULT);
		daemon_release(d);
		return r;
	}
	start_handles(d);
	apply_store_limits(d);
	r = start_feeds(d, err);
	if (r < 0) {
		/* Everything runs now: the orderly stop closes it. */
		daemon_stop(d, 1);
		uv_run(loop, UV_RUN_DEFAULT);
		daemon_release(d);
		return r;
	}
	start_announce(d);
	return 0;
}

static int
reload_apply(struct daemon *d, char **err)
{
	struct config *ncfg = NULL;
	struct profile_set *nprof = NULL;
	struct feedctl *f, *next;
	struct fetch_opts fo;
	size_t i;
	int r, added = 0, removed = 0, changed = 0;

	*err = NULL;
	r = config_load(d->opts.config_path, &ncfg, err);
	if (r == 0)
		config_log_warnings(ncfg, d->opts.config_path);
	if (r == 0)
		r = load_profiles(ncfg, &nprof, err);
	if (r == 0)
		r = check_profiles(nprof, ncfg, err);
	if (r == 0 && strcmp(ncfg->database, d->cfg->database) != 0) {
		*err = strdup("changing the database needs a restart");
		r = -EINVAL;
	}
	if (r == 0 && strcmp(ncfg->socket, d->cfg->socket) != 0) {
		*err = strdup("changing the socket needs a restart");
		r = -EINVAL;
	}
	if (r == 0 && !relay_conf_equal(d->cfg->relay, ncfg->relay))
		r = relay_conf_validate(ncfg->relay, err);
	if (r < 0) {
		profile_set_free(nprof);
		config_free(ncfg);
		return r;
	}
	/* Removed or changed feeds stop; in-flight polls of removed feeds
	 * are dropped uncommitted, which loses nothing (validators did not
	 * advance). */
	for (f = d->feeds; f; f = next) {
		const struct config_feed *nc;

		next = f->next;
		if (f->removed)
			continue;
		nc = config_find_feed(ncfg, f->cfg.name);
		if (nc && feed_cfg_equal(nc, &f->cfg))
			continue;
		if (nc)
			changed++;
		else
			removed++;
		f->removed = 1;
		if (!f->polling)
			feed_remove(d, f);
		else {
			ingest_forget(d->ingest, &f->feed);
			f->polling = 0;
			feed_remove(d, f);
		}
	}
	for (i = 0; i < ncfg->nfeeds; i++) {
		struct profile *p = NULL;

		if (feed_find(d, ncfg->feeds[i].name))
			continue;
		feed_profile(nprof, &ncfg->feeds[i], &p, err);
		if (feed_add(d, &ncfg->feeds[i], p,
			     (int64_t)(sched_random() * STARTUP_SPREAD_MS)) < 0)
			log_err("out of memory adding feed \"%s\"",
				ncfg->feeds[i].name);
		if (!config_find_feed(d->cfg, ncfg->feeds[i].name))
			added++;
	}
	if (!relay_conf_equal(d->cfg->relay, ncfg->relay) && !d->opts.once)
		restart_relay(d, ncfg);
	ingest_set_profiles(d->ingest, nprof, d->profiles);
	d->profiles = nprof;
	config_free(d->cfg);
	d->cfg = ncfg;
	{
		struct ingest_limits lim;

		ingest_limits_from(ncfg, &lim);
		ingest_set_limits(d->ingest, &lim);
	}
	log_level = ncfg->log_level;
	apply_store_limits(d);
	fetch_opts_from(ncfg, &fo);
	fetch_set_opts(d->fetcher, &fo);
	if (ncfg->shadowed_feeds)
		log_warn("%zu feed%s in %s ignored: the configuration file "
			 "has feeds of the same name", ncfg->shadowed_feeds,
			 ncfg->shadowed_feeds == 1 ? "" : "s", ncfg->feeds_file);
	log_info("reload: %d feeds added, %d removed, %d changed; %zu in all",
		 added, removed, changed, ncfg->nfeeds);
	return 0;
}

/* A reload, remembered for `status` (last_reload): when, and why it failed
 * if it did, whether SIGHUP, systemctl reload or the socket asked. */
int
daemon_reload(struct daemon *d, char **err)
{
	int r = reload_apply(d, err);

	if (d->notify) /* a removed socket is bound again at once */
		notify_check_path(d->notify);
	d->reload_at = daemon_now_ms();
	free(d->reload_error);
	d->reload_error = NULL;
	if (r < 0)
		d->reload_error = strdup(*err ? *err : strerror(-r));
	return r;
}

static void
on_signal(uv_signal_t *s, int signum)
{
	struct daemon *d = s->data;
	char *err = NULL;

	if (signum == SIGHUP) {
		service_reloading();
		if (daemon_reload(d, &err) < 0) {
			char st[256];

			log_err("reload failed, keeping the running configuration: %s",
				err ? err : "?");
			snprintf(st, sizeof(st), "reload failed: %s",
				 err ? err : "?");
			service_ready(st);
			free(err);
			return;
		}
		service_ready(NULL);
		update_status(d);
		return;
	}
	log_info("%s: shutting down", signum == SIGTERM ? "SIGTERM" : "SIGINT");
	daemon_stop(d, 0);
}

static void
on_handle_closed(uv_handle_t *h)
{
	struct daemon *d = h->data;

	d->closing_handles--;
}

static void
on_part_closed(void *arg)
{
	struct daemon *d = arg;

	d->closing_handles--;
}

void
daemon_stop(struct daemon *d, int exit_code)
{
	struct feedctl *f;

	if (d->stopping)
		return;
	d->stopping = 1;
	d->exit_code = exit_code;
	service_stopping();
	while ((f = d->feeds)) {
		d->feeds = f->next;
		feed_destroy(f);
	}
	/* Order matters: ingest flushes what is complete and cancels its
	 * fetches while the fetcher and the socket still exist. */
	if (d->outputs) {
		/* First: its hook is on ingest's writer. */
		d->closing_handles++;
		outputs_close(d->outputs, on_part_closed, d);
		d->outputs = NULL;
	}
	d->closing_handles += 2 + 3 + 3; /* ingest, fetcher, signals, timers */
	ingest_close(d->ingest, on_part_closed, d);
	d->ingest = NULL;
	fetch_close(d->fetcher, on_part_closed, d);
	d->fetcher = NULL;
	if (d->notify) {
		d->closing_handles++;
		notify_close(d->notify, on_part_closed, d);
		d->notify = NULL;
	}
	uv_close((uv_handle_t *)&d->sig_hup, on_handle_closed);
	uv_close((uv_handle_t *)&d->sig_term, on_handle_closed);
	uv_close((uv_handle_t *)&d->sig_int, on_handle_closed);
	uv_close((uv_handle_t *)&d->status_timer, on_handle_closed);
	uv_close((uv_handle_t *)&d->maint_timer, on_handle_closed);
	uv_close((uv_handle_t *)&d->recheck_timer, on_handle_closed);
	service_watchdog_stop(&d->watchdog);
}

void
daemon_release(struct daemon *d)
{
	dblock_release(d->lock_fd);
	d->lock_fd = -1;
	relay_stop(d->relay);
	d->relay = NULL;
	store_close(d->store);
	d->store = NULL;
	dblock_release(d->dblock_fd);
	d->dblock_fd = -1;
	profile_set_free(d->profiles);
	d->profiles = NULL;
	config_free(d->cfg);
	d->cfg = NULL;
	free(d->reload_error);
	d->reload_error = NULL;
}
