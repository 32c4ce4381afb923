/* sched — when each feed is polled next. The policy functions are pure
 * (tested without a loop, with a virtual clock): the next poll is a
 * function of the policy, the feed's learned publishing pattern, its
 * publisher's hints, the time and a random number for jitter.
 *
 * Policy (docs/scheduling.md, docs/fetching.md):
 *  - success, feed with enough dated history (schedule = adaptive): polls
 *    are placed where the feed's items are likely to appear, spending the
 *    request budget of polling every interval (7 × 86400 / interval polls a
 *    week), never closer than min_interval, never further apart than
 *    max_interval, with +-10 % jitter; minutes of the day where the
 *    feed releases by the clock get a booked poll just after them;
 *  - success otherwise (schedule = fixed, or too little history): the
 *    interval, with +-10 % jitter;
 *  - publisher hints (respect_hints = yes): ttl / max-age / sy:update*
 *    raise the shortest delay; skipHours / skipDays are not polled;
 *  - failure: exponential backoff from 30 s doubling per consecutive
 *    failure up to max_interval, with jitter; a Retry-After from the server
 *    is honoured when it asks for longer (capped at 24 h);
 *  - start-up: first polls spread over min(interval, spread) so a restart
 *    does not hit every publisher at once.
 */
#ifndef BW_SCHED_H
#define BW_SCHED_H

#include <stddef.h>
#include <stdint.h>

/* The learned pattern: half-hours of the UTC week, Monday 00:00 first. */
#define SCHED_BIN_S 1800
#define SCHED_WEEK_S (7 * 86400)
#define SCHED_BINS (SCHED_WEEK_S / SCHED_BIN_S)
/* Items learned before the pattern is used (fewer: plain interval). */
#define SCHED_MIN_ITEMS 10
/* ... spread over at least this many half-hours of the week. */
#define SCHED_MIN_BINS 4
/* Half-life of an item's weight in the pattern: old habits fade, so a
 * publisher's new hours (or a daylight-saving shift) take over in weeks. */
#define SCHED_HALF_LIFE_S (28 * 86400)
/* Minutes of a day (the fine-grained pattern). */
#define SCHED_MDAY 1440
/* Fixed minutes of the day at which polls are booked, at most. */
#define SCHED_APPTS 3

struct sched_policy {
	int64_t interval_ms;     /* configured interval: the request budget */
	int64_t min_interval_ms; /* bounds of the adaptive placement */
	int64_t max_interval_ms;
	int fixed;               /* schedule = fixed: always the interval */
	int respect_hints;       /* honour the publisher's hints */
};

/* One feed's publishing pattern, learned from its items' dates. A plain
 * value: copy it, compare it, free nothing. */
struct sched_model {
	double w[SCHED_BINS]; /* recency-weighted item counts, decayed to ref */
	int64_t ref;          /* unix seconds the weights are decayed to */
	int64_t last;         /* newest item date learned (unix s), 0: none */
	/* recency-weighted item counts by minute of the UTC day, decayed to
	 * ref like w: a publisher that releases at a fixed minute (embargoed
	 * statements at 00:01) shows as a spike */
	float mday[SCHED_MDAY];
	int64_t n;            /* items learned, ever */
};

/* What a publisher says about polling it (all optional). */
struct sched_hints {
	int64_t min_s;       /* don't poll more often: the largest of ttl,
			      * Cache-Control max-age / Expires and
			      * sy:updatePeriod/Frequency; 0 none */
	uint32_t skip_hours; /* bit h: skip UTC hour h (RSS skipHours) */
	uint8_t skip_days;   /* bit d: skip day d, 0 = Monday (skipDays) */
};

void sched_model_init(struct sched_model *m);
/* Learn the items published at unix times t[0..n) (seconds, any order)
 * that are newer than m->last (older ones were learned before, or are
 * back-dated); m->last becomes the newest. Returns how many were learned. */
size_t sched_model_learn(struct sched_model *m, const int64_t *t, size_t n);
/* Enough history to place polls by it: SCHED_MIN_ITEMS items in at
 * least SCHED_MIN_BINS half-hours. */
int sched_model_ready(const struct sched_model *m);
/* The pattern as compact JSON text (malloc'd, free()); NULL on ENOMEM. */
char *sched_model_dump(const struct sched_model *m);
/* Parse sched_model_dump's text into *m: 0, or -EINVAL (m reset). */
int sched_model_load(struct sched_model *m, const char *text);
/* The days with at least half an average day's items and the hours with
 * at least a third of the busiest hour's, e.g. "Mon-Fri 13-02 UTC"; "" without enough history. Writes at most n bytes
 * (NUL included); returns out. */
char *sched_model_busy(const struct sched_model *m, char *out, size_t n);

/* The seconds of the UTC day at which polls are booked for releases by
 * the clock (docs/scheduling.md) into out; how many (0 without enough
 * history). */
int sched_model_booked(const struct sched_model *m,
		       int32_t out[SCHED_APPTS]);

/* Delay before the next poll after a successful one that ended at unix ms
 * now. m may be NULL (no history), h NULL (no hints). rnd is a uniform
 * random number in [0, 1) for jitter. Pure. */
int64_t sched_delay_next(const struct sched_policy *p,
			 const struct sched_model *m,
			 const struct sched_hints *h, int64_t now_ms,
			 double rnd);
/* sched_delay_next in two steps, for a caller that asks often with the
 * same model (schedule-sim): the plan depends on the policy, model and
 * hints only; the delay on the plan, the time and rnd. */
struct sched_plan {
	double rate[SCHED_BINS];  /* polls per second in each bin */
	struct sched_hints hints; /* as honoured (none unless respect_hints) */
	int64_t lo_ms, hi_ms, interval_ms;
	int learned;              /* 0: plain interval */
	int nappt;                /* booked polls: seconds of the UTC day */
	int32_t appt[SCHED_APPTS];
};
void sched_plan_make(const struct sched_policy *p,
		     const struct sched_model *m,
		     const struct sched_hints *h, struct sched_plan *out);
int64_t sched_plan_delay(const struct sched_plan *pl, int64_t now_ms,
			 double rnd);

/* Delay after the failures-th consecutive failure (failures >= 1);
 * retry_after_s is the server's Retry-After in seconds, or -1. */
int64_t sched_delay_fail(const struct sched_policy *p, int failures,
			 int64_t retry_after_s, double rnd);

/* Publisher hints from a feed document's bytes (RSS ttl, skipHours,
 * skipDays, sy:updatePeriod / sy:updateFrequency) merged into *h. A cheap
 * scan of the channel's elements, not a parse: the feed parser proper
 * has already accepted or refused the document. */
void sched_hints_from_body(struct sched_hints *h, const char *body,
			   size_t len);
/* Cache-Control max-age and Expires (against the response's now, unix
 * seconds) merged into *h; either may be NULL. */
void sched_hints_from_http(struct sched_hints *h, const char *cache_control,
			   const char *expires, int64_t now_s);

/* A uniform random number in [0, 1) from a per-process PRNG seeded from
 * the clock and pid (jitter does not need cryptographic quality). */
double sched_random(void);

#endif
