/* schedctl.c — the scheduler on the daemon's feeds (include/schedctl.h). */
#include "schedctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "feed.h"
#include "fetch.h"
#include "log.h"
#include "sched.h"
#include "store.h"

/* An item dated further ahead than this is a publisher's clock or typo,
 * not a publication time: it would hold the newest-seen mark in the
 * future and hide the items after it. */
#define FUTURE_SLACK_S 600
/* Items read from one document (a feed's first poll may show hundreds). */
#define LEARN_MAX 5000

const int64_t schedctl_bucket_le[SCHEDCTL_BUCKETS] = {
	60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400,
};

struct schedctl {
	struct sched_model model;
	struct sched_hints hints;
	uint64_t delay_count[SCHEDCTL_BUCKETS + 1]; /* last: +Inf */
	uint64_t delay_n;
	int64_t delay_sum_s;
};

struct schedctl *
schedctl_new(void)
{
	struct schedctl *sc = calloc(1, sizeof(*sc));

	if (sc)
		sched_model_init(&sc->model);
	return sc;
}

void
schedctl_load(struct schedctl *sc, struct store *s, const char *name)
{
	char *text = NULL;

	if (!sc || !s || store_sched_get(s, name, &text) < 0)
		return;
	if (sched_model_load(&sc->model, text) < 0)
		log_warn("schedule \"%s\": the stored pattern does not parse; "
			 "learning it again", name);
	free(text);
}

void
schedctl_response(struct schedctl *sc, const struct fetch_result *res,
		  int64_t now)
{
	struct sched_hints h = {0};

	if (!sc || res->error)
		return;
	sched_hints_from_http(&h, res->cache_control, res->expires, now);
	if (res->status == 200) {
		sched_hints_from_body(&h, res->body, res->len);
		sc->hints = h;
	} else if (res->status == 304) {
		/* The document (and its ttl, skipHours) has not changed. */
		sc->hints.min_s = h.min_s;
	}
}

static int
item_time(const struct feed_entry *e, int64_t *t)
{
	const char *s = e->published ? e->published : e->updated;
	struct date_value dv;

	/* A date without a time or zone says nothing about the hour. */
	if (!s || date_parse(s, strlen(s), &dv) < 0 || !dv.has_time ||
	    !dv.has_zone)
		return -1;
	*t = dv.epoch;
	return 0;
}

static int
cmp_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y) - (x > y);
}

void
schedctl_items(struct schedctl *sc, const struct feed_doc *doc,
	       int new_items, struct store_feed *sf, int64_t now)
{
	int64_t *t;
	size_t i, n = 0;
	int first;

	if (!sc || !doc || !doc->nentries)
		return;
	t = malloc((doc->nentries < LEARN_MAX ? doc->nentries : LEARN_MAX) *
		   sizeof(*t));
	if (!t)
		return;
	for (i = 0; i < doc->nentries && n < LEARN_MAX; i++)
		if (item_time(&doc->entries[i], &t[n]) == 0 &&
		    t[n] <= now + FUTURE_SLACK_S)
			n++;
	/* The first document of a feed shows its history: learned, but its
	 * items were not waiting for us, so no detection delay. */
	first = sc->model.n == 0 && sc->model.last == 0;
	/* After that, only as many items as the store found new: a feed that
	 * re-dates its items on every request must not teach us that
	 * everything is published whenever we look. */
	if (!first) {
		qsort(t, n, sizeof(*t), cmp_desc);
		if (n > (size_t)(new_items > 0 ? new_items : 0))
			n = (size_t)(new_items > 0 ? new_items : 0);
	}
	for (i = 0; !first && i < n; i++) {
		int64_t delay = now - t[i];
		int k;

		if (t[i] <= sc->model.last)
			continue;
		if (delay < 0)
			delay = 0;
		for (k = 0; k < SCHEDCTL_BUCKETS &&
			    delay > schedctl_bucket_le[k]; k++)
			;
		sc->delay_count[k]++;
		sc->delay_n++;
		sc->delay_sum_s += delay;
	}
	if (sched_model_learn(&sc->model, t, n) && sf) {
		free(sf->sched);
		sf->sched = sched_model_dump(&sc->model);
	}
	free(t);
}

const struct sched_model *
schedctl_model(const struct schedctl *sc)
{
	return sc ? &sc->model : NULL;
}

const struct sched_hints *
schedctl_hints(const struct schedctl *sc)
{
	return sc ? &sc->hints : NULL;
}

void
schedctl_json(const struct schedctl *sc, int fixed, json_t *o)
{
	char busy[96];
	json_t *h, *le, *cnt, *booked;
	int32_t at[SCHED_APPTS];
	uint64_t cum = 0;
	int k, nb;

	if (!o)
		return;
	sched_model_busy(sc ? &sc->model : NULL, busy, sizeof(busy));
	json_object_set_new(o, "schedule", json_string(
		fixed ? "fixed" :
		sc && sched_model_ready(&sc->model) ? "learned" : "interval"));
	json_object_set_new(o, "busy_hours", json_string(busy));
	booked = json_array();
	nb = sc && !fixed ? sched_model_booked(&sc->model, at) : 0;
	for (k = 0; booked && k < nb; k++) {
		char hms[16];

		snprintf(hms, sizeof(hms), "%02d:%02d:%02d",
			 (int)(at[k] / 3600), (int)(at[k] / 60 % 60),
			 (int)(at[k] % 60));
		json_array_append_new(booked, json_string(hms));
	}
	json_object_set_new(o, "booked_polls_utc", booked);
	json_object_set_new(o, "items_learned",
			    json_integer(sc ? sc->model.n : 0));
	h = json_object();
	if (h && sc) {
		if (sc->hints.min_s)
			json_object_set_new(h, "min_interval_s",
					    json_integer(sc->hints.min_s));
		if (sc->hints.skip_hours)
			json_object_set_new(h, "skip_hours_mask",
					    json_integer(sc->hints.skip_hours));
		if (sc->hints.skip_days)
			json_object_set_new(h, "skip_days_mask",
					    json_integer(sc->hints.skip_days));
	}
	json_object_set_new(o, "hints", h);
	le = json_array();
	cnt = json_array();
	for (k = 0; le && cnt && k <= SCHEDCTL_BUCKETS; k++) {
		cum += sc ? sc->delay_count[k] : 0;
		if (k < SCHEDCTL_BUCKETS)
			json_array_append_new(le,
				json_integer(schedctl_bucket_le[k]));
		json_array_append_new(cnt, json_integer((json_int_t)cum));
	}
	json_object_set_new(o, "detection_delay", json_pack("{s:o s:o sI sI}",
		"le_s", le, "cumulative", cnt,
		"count", (json_int_t)(sc ? sc->delay_n : 0),
		"sum_s", (json_int_t)(sc ? sc->delay_sum_s : 0)));
}

void
schedctl_free(struct schedctl *sc)
{
	free(sc);
}
