/* output_core.c — one output's delivery loop (include/output.h): the
 * pump over the outbox after the cursor, the outcome of a delivery
 * (output_done, output_failed: backoff, failing, stopped), the durable
 * cursor. Called by output.c and by the types (output_webhook.c,
 * output_feed.c, output_mail.c), which it knows only through their ops.
 */
#include "output_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evfilter.h"
#include "log.h"
#include "store.h"

#define PUMP_PAGE 64
#define BUSY_RETRY_MS 5  /* the writer holds the write lock */

static const char *const state_names[] = {
	[OUT_IDLE] = "ok", [OUT_BUSY] = "ok", [OUT_WAIT] = "retrying",
	[OUT_FAILING] = "failing", [OUT_STOPPED] = "stopped",
};

const char *
output_state_name(const struct output *o)
{
	return state_names[o->state];
}


static void
on_timer(uv_timer_t *t)
{
	struct output *o = t->data;

	if (o->done_later) {
		o->done_later = 0;
		output_done(o);
		return;
	}
	if (o->state == OUT_WAIT || o->state == OUT_FAILING)
		o->state = OUT_IDLE;
	if (o->state == OUT_IDLE)
		output_pump(o);
}

/* Persist the cursor if it moved. 0, or -EBUSY when the writer holds
 * the write lock (the caller tries again shortly), or another error
 * (logged; the cursor stays in memory and is saved with the next one). */
static int
save_cursor(struct output *o)
{
	int r;

	if (o->cursor == o->saved || o->hold_cursor)
		return 0;
	r = store_output_put(o->os->store, o->c.name, o->cursor);
	if (r == -EBUSY)
		return r;
	if (r < 0) {
		log_limited("output:cursor", 5, LOG_LVL_WARN,
			    "output \"%s\": cannot save its cursor %lld: %s",
			    o->c.name, (long long)o->cursor,
			    store_errmsg(o->os->store));
		return r;
	}
	o->saved = o->cursor;
	return 0;
}

struct walk {
	struct output *o;
	size_t count;
	int started;
};

static int
walk_cb(void *arg, const struct store_event *ev)
{
	struct walk *w = arg;
	struct output *o = w->o;
	json_t *parsed = NULL;
	size_t len = strlen(ev->json);
	int m, r;

	w->count++;
	m = evfilter_match(&o->ef, o->os->store, ev, len, &parsed, NULL,
			   "output:query");
	if (m < 0) {
		/* The standing query could not be evaluated: the cursor
		 * stays before the event, which is tried again after the
		 * backoff like a failed delivery (skipping it would lose
		 * it for good). */
		json_decref(parsed);
		output_failed(o, 0, -1, "standing query could not be "
			      "evaluated");
		w->started = 1;
		return 1;
	}
	if (!m) {
		json_decref(parsed);
		o->cursor = ev->seq;
		return 0;
	}
	if (!parsed)
		parsed = json_loadb(ev->json, len, 0, NULL);
	o->inflight = ev->seq;
	o->state = OUT_BUSY;
	r = o->ops->deliver(o, ev, parsed);
	json_decref(parsed);
	if (r < 0) {
		/* Could not even start: counts as a failed attempt. */
		o->state = OUT_IDLE;
		output_failed(o, 0, -1, strerror(-r));
	}
	w->started = 1;
	return 1;
}

void
output_pump(struct output *o)
{
	struct walk w;
	int r;

	if (o->state != OUT_IDLE || o->os->closing)
		return;
	/* The next event goes out only once the cursor of the last one is
	 * durable: a crash then repeats at most the event in flight. */
	if (save_cursor(o) == -EBUSY) {
		uv_timer_start(&o->timer, on_timer, BUSY_RETRY_MS, 0);
		return;
	}
	w.o = o;
	w.count = 0;
	w.started = 0;
	r = store_events_after(o->os->store, o->cursor, PUMP_PAGE, walk_cb,
			       &w);
	if (r < 0) {
		log_limited("output:read", 5, LOG_LVL_WARN,
			    "output \"%s\": cannot read the event log: %s",
			    o->c.name, store_errmsg(o->os->store));
		uv_timer_start(&o->timer, on_timer, 1000, 0);
		return;
	}
	if (w.started)
		return;
	if (save_cursor(o) == -EBUSY) {
		uv_timer_start(&o->timer, on_timer, BUSY_RETRY_MS, 0);
		return;
	}
	if (w.count == PUMP_PAGE)
		/* More to pass over: go on from the loop's next turn. */
		uv_timer_start(&o->timer, on_timer, 0, 0);
	else if (o->ops->idle)
		o->ops->idle(o);
}

void
output_done(struct output *o)
{
	o->cursor = o->inflight;
	o->inflight = 0;
	o->delivered++;
	o->attempts = 0;
	free(o->last_error);
	o->last_error = NULL;
	o->state = OUT_IDLE;
	save_cursor(o);
	if (!o->os->closing)
		output_pump(o);
}

void
output_wake_in(struct output *o, uint64_t ms)
{
	if (!o->os->closing)
		uv_timer_start(&o->timer, on_timer, ms, 0);
}

void
output_save_cursor(struct output *o, int64_t seq)
{
	int r;

	if (seq == o->saved)
		return;
	r = store_output_put(o->os->store, o->c.name, seq);
	if (r == -EBUSY)
		return; /* saved by the next pump */
	if (r < 0) {
		log_limited("output:cursor", 5, LOG_LVL_WARN,
			    "output \"%s\": cannot save its cursor %lld: %s",
			    o->c.name, (long long)seq,
			    store_errmsg(o->os->store));
		return;
	}
	o->saved = seq;
}

void
output_done_later(struct output *o)
{
	o->done_later = 1;
	uv_timer_start(&o->timer, on_timer, 0, 0);
}

void
output_failed(struct output *o, int fatal, int64_t retry_after_s,
	      const char *why)
{
	int64_t delay;
	char *msg = strdup(why ? why : "failed");

	o->inflight = 0;
	o->failures++;
	o->attempts++;
	if (msg) {
		free(o->last_error);
		o->last_error = msg;
	}
	if (o->os->closing)
		return;
	if (fatal) {
		o->state = OUT_STOPPED;
		log_err("output \"%s\": stopped at seq %lld: %s (fix it, then "
			"`briefwatch output retry %s`)", o->c.name,
			(long long)o->cursor + 1, o->last_error, o->c.name);
		return;
	}
	if (o->attempts >= o->c.max_attempts) {
		if (o->state != OUT_FAILING)
			log_warn("output \"%s\": failing after %d attempts "
				 "at seq %lld: %s", o->c.name, o->attempts,
				 (long long)o->cursor + 1, o->last_error);
		o->state = OUT_FAILING;
		delay = o->c.max_backoff_ms;
	} else {
		int i;

		o->state = OUT_WAIT;
		delay = o->c.backoff_ms;
		for (i = 1; i < o->attempts && delay < o->c.max_backoff_ms; i++)
			delay *= 2;
		if (delay > o->c.max_backoff_ms)
			delay = o->c.max_backoff_ms;
		/* ±20 % so that outputs failing together spread out */
		delay += (delay / 5) * ((rand() % 201) - 100) / 100;
	}
	if (retry_after_s >= 0) {
		int64_t ra = retry_after_s * 1000;

		if (ra > 3600 * 1000)
			ra = 3600 * 1000;
		if (ra > delay)
			delay = ra;
	}
	if (delay < 0)
		delay = 0;
	o->next_attempt_ms = uv_now(o->os->loop) + (uint64_t)delay;
	uv_timer_start(&o->timer, on_timer, (uint64_t)delay, 0);
}

