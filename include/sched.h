/* sched — when each feed is polled next. The policy functions are pure
 * (tested without a loop); struct sched_feed carries one feed's timer and
 * schedule state on the libuv loop.
 *
 * Policy (docs/fetching.md):
 *  - success: the feed's interval, adapted to its publishing rhythm within
 *    [min_interval, max_interval], with +-10 % jitter;
 *  - failure: exponential backoff from 30 s doubling per consecutive
 *    failure up to max_interval, with jitter; a Retry-After from the server
 *    is honoured when it asks for longer (capped at 24 h);
 *  - start-up: first polls spread over min(interval, spread) so a restart
 *    does not hit every publisher at once.
 */
#ifndef BW_SCHED_H
#define BW_SCHED_H

#include <stdint.h>

#include <uv.h>

struct sched_policy {
	int64_t interval_ms;     /* configured interval */
	int64_t min_interval_ms; /* adaptive bounds */
	int64_t max_interval_ms;
};

/* Delay before the next poll after a successful one. new_items is how many
 * new items this poll found; quiet_polls how many polls in a row found
 * none (including this one). The interval shrinks towards min while a feed
 * is busy and grows towards max while it is quiet, never below
 * min(interval, min_interval) or above max(interval, max_interval).
 * rnd is a uniform random number in [0, 1) for jitter. */
int64_t sched_delay_ok(const struct sched_policy *p, int new_items,
		       int quiet_polls, double rnd);
/* Delay after the failures-th consecutive failure (failures >= 1);
 * retry_after_s is the server's Retry-After in seconds, or -1. */
int64_t sched_delay_fail(const struct sched_policy *p, int failures,
			 int64_t retry_after_s, double rnd);

/* A uniform random number in [0, 1) from a per-process PRNG seeded from
 * the clock and pid (jitter does not need cryptographic quality). */
double sched_random(void);

#endif
