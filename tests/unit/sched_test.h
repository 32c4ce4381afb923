/* What test_sched.c and test_sched_clock.c share: the virtual clock's
 * units, a Monday to start weeks on, the adaptive policy, and a
 * deterministic stream for the tests' own randomness. */
#ifndef BW_SCHED_TEST_H
#define BW_SCHED_TEST_H

#include <stdint.h>

#include "sched.h"

#define MIN_MS (60 * 1000)
#define H_S 3600
#define DAY_S 86400
/* Monday 2024-01-01T00:00:00Z. */
#define MONDAY ((int64_t)1704067200)

static const struct sched_policy adaptive = {
	15 * MIN_MS, MIN_MS, 60 * MIN_MS, 0, 0,
};

static inline double
rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) / (double)(1ULL << 53);
}

static inline int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

#endif
