/* schedsim — replay a publication timeline against the daemon's own
 * scheduler (sched_delay_next) with a virtual clock: a poll at time t sees
 * every item published at or before t, and the scheduler learns only from
 * what it has seen. `briefwatch schedule-sim` is its command line.
 */
#ifndef BW_SCHEDSIM_H
#define BW_SCHEDSIM_H

#include <stddef.h>
#include <stdint.h>

#include "sched.h"

struct config;

struct schedsim_result {
	int64_t *delay_s;  /* per scored item, in timeline order (malloc'd) */
	size_t *item;      /* its index in the sorted input (malloc'd) */
	size_t nscored;    /* items published after the first poll */
	size_t nhistory;   /* items seen by the first poll (learned, not
			    * scored) */
	uint64_t polls;
	int64_t first_ms, last_ms; /* first and last poll, unix ms */
	int64_t median_s, p90_s, max_s;
	double polls_per_day;
};

/* Replay: pub[0..n) are unix seconds in ascending order; the first poll
 * is at from (unix s) or, when from is 0, at pub[0]. Polls continue until
 * every item has been seen. seed makes the jitter reproducible. 0 and
 * *out (free with schedsim_result_free), -EINVAL (no item after from),
 * -ENOMEM. Pure apart from memory. */
int schedsim_run(const struct sched_policy *p, const int64_t *pub, size_t n,
		 int64_t from, uint64_t seed, struct schedsim_result *out);
void schedsim_result_free(struct schedsim_result *r);

/* `briefwatch schedule-sim TIMELINE.json [options]`: argv[0] is the
 * command's name. cfg (may be NULL) supplies the [daemon] interval bounds
 * and schedule. Returns the exit status (0, 1 runtime, 2 usage). */
int schedsim_main(const struct config *cfg, int argc, char **argv);

#endif
