/* sched.c — polling policy (see include/sched.h). */
#include "sched.h"

#include <stdint.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_BASE_MS (30 * 1000)
#define RETRY_AFTER_CAP_MS ((int64_t)24 * 3600 * 1000)

static int64_t
jitter(int64_t ms, double rnd)
{
	/* +-10 %: spreads feeds that share an interval apart over time. */
	return ms + (int64_t)((double)ms * 0.2 * (rnd - 0.5));
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

int64_t
sched_delay_ok(const struct sched_policy *p, int new_items, int quiet_polls,
	       double rnd)
{
	int64_t lo = min64(p->interval_ms, p->min_interval_ms);
	int64_t hi = max64(p->interval_ms, p->max_interval_ms);
	int64_t d = p->interval_ms;
	int i;

	if (new_items > 0) {
		/* Busy: poll sooner, by half for a burst of items. */
		d = new_items >= 3 ? d / 2 : d * 3 / 4;
	} else {
		/* Quiet: stretch by 25 % per quiet poll beyond the third. */
		for (i = 3; i < quiet_polls && d < hi; i++)
			d += d / 4;
	}
	d = max64(lo, min64(hi, d));
	return max64(1000, jitter(d, rnd));
}

int64_t
sched_delay_fail(const struct sched_policy *p, int failures,
		 int64_t retry_after_s, double rnd)
{
	int64_t hi = max64(p->interval_ms, p->max_interval_ms);
	int64_t d = BACKOFF_BASE_MS;
	int i;

	for (i = 1; i < failures && d < hi; i++)
		d *= 2;
	d = jitter(min64(d, hi), rnd);
	if (retry_after_s > 0)
		d = max64(d, min64(retry_after_s * 1000, RETRY_AFTER_CAP_MS));
	return max64(1000, d);
}

double
sched_random(void)
{
	/* xorshift64*; the state is process-global on purpose: only the loop
	 * thread draws jitter and a shared sequence is all it needs. */
	static uint64_t s;

	if (!s) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
		    ((uint64_t)getpid() << 40) ^ 0x9e3779b97f4a7c15ULL;
	}
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return (double)((s * 2685821657736338717ULL) >> 11) /
	       (double)(1ULL << 53);
}
