/* Unit tests for sched.c: releases by the clock (booked polls), the
 * pooled day profile, and the stored pattern's new fields — with a
 * virtual clock (every function under test is pure: time is an argument). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sched.h"
#include "schedsim.h"
#include "sched_test.h"


static const struct sched_policy fixed = {
	15 * MIN_MS, MIN_MS, 60 * MIN_MS, 1, 0,
};

/* weeks of an office publisher (weekdays 14:00-22:00 UTC, 5 items a day
 * at random minutes) that also releases a statement at 04:01:xx UTC on
 * every second day (clock = 0: not), sorted. */
static size_t
publisher(int weeks, int clock, int64_t *out, size_t max)
{
	uint64_t s = 7;
	size_t n = 0;
	int d, k;

	for (d = 0; d < weeks * 7; d++) {
		int64_t day = MONDAY + (int64_t)d * DAY_S;

		if (clock && d % 2 == 0 && n < max)
			out[n++] = day + 4 * H_S + 60 +
				   (int64_t)(rnd(&s) * 59);
		if (d % 7 >= 5)
			continue;
		for (k = 0; k < 5 && n < max; k++)
			out[n++] = day + 14 * H_S +
				   (int64_t)(rnd(&s) * 8 * H_S);
	}
	qsort(out, n, sizeof(*out), cmp64);
	return n;
}

static void
model_of(struct sched_model *m, int weeks, int clock)
{
	int64_t t[800];
	size_t n = publisher(weeks, clock, t, 800);

	sched_model_init(m);
	assert_int_equal(sched_model_learn(m, t, n), n);
}

static void
test_a_release_by_the_clock_books_a_poll_just_after_it(void **state)
{
	struct sched_model m;
	struct sched_plan pl;
	/* A Tuesday night long after the learned weeks. */
	int64_t night = MONDAY + 8 * 7 * DAY_S + DAY_S + 2 * H_S;
	int64_t at = night * 1000, d;
	int seen = 0;

	(void)state;
	model_of(&m, 8, 1);
	sched_plan_make(&adaptive, &m, NULL, &pl);
	assert_true(pl.learned);
	assert_int_equal(pl.nappt, 1);
	assert_int_equal(pl.appt[0], 4 * H_S + 2 * 60 + 30);
	/* From 02:00 the night's polls (an hour apart) meet 04:02:30. */
	while (at < (night + 4 * H_S) * 1000) {
		d = sched_delay_next(&adaptive, &m, NULL, at, 0.5);
		assert_true(d >= adaptive.min_interval_ms);
		assert_true(d <= adaptive.max_interval_ms);
		at += d;
		seen |= at == (night + 2 * H_S + 150) * 1000;
	}
	assert_true(seen);
	/* Without the releases at 04:01 nothing is booked, and the night
	 * gets max_interval. */
	model_of(&m, 8, 0);
	sched_plan_make(&adaptive, &m, NULL, &pl);
	assert_int_equal(pl.nappt, 0);
	assert_int_equal(sched_delay_next(&adaptive, &m, NULL,
					  (night + 1800) * 1000, 0.5),
			 adaptive.max_interval_ms);
}

static void
test_booked_polls_stay_within_the_budget_and_the_bounds(void **state)
{
	struct sched_model m;
	int64_t t = (MONDAY + 8 * 7 * DAY_S) * 1000, end, d;
	uint64_t s = 11, polls = 0;

	(void)state;
	model_of(&m, 8, 1);
	end = t + (int64_t)4 * 7 * DAY_S * 1000;
	while (t < end) {
		d = sched_delay_next(&adaptive, &m, NULL, t, rnd(&s));
		assert_true(d >= adaptive.min_interval_ms);
		assert_true(d <= adaptive.max_interval_ms);
		t += d;
		polls++;
	}
	assert_true(polls <= 4 * 7 * 96);
	assert_true(polls >= 4 * 7 * 96 * 9 / 10);
}

static void
test_fixed_schedule_and_hints_are_kept_with_a_booked_poll(void **state)
{
	struct sched_model m;
	struct sched_hints h = {0};
	struct sched_policy hinted = adaptive;
	int64_t before = (MONDAY + 8 * 7 * DAY_S + 4 * H_S) * 1000;

	(void)state;
	model_of(&m, 8, 1);
	/* 04:00: the booked poll is 150 s away. */
	assert_int_equal(sched_delay_next(&adaptive, &m, NULL, before, 0.5),
			 150 * 1000);
	assert_int_equal(sched_delay_next(&fixed, &m, NULL, before, 0.5),
			 fixed.interval_ms);
	/* A publisher's ttl of 30 min is a lower bound, booked poll or not. */
	hinted.respect_hints = 1;
	h.min_s = 1800;
	assert_true(sched_delay_next(&hinted, &m, &h, before, 0.5) >=
		    1800 * 1000);
	/* Failures back off as before. */
	assert_int_equal(sched_delay_fail(&adaptive, 2, -1, 0.5), 60000);
	assert_int_equal(sched_delay_fail(&adaptive, 1, 300, 0.5), 300000);
}

static void
test_the_minutes_of_the_day_are_stored_and_old_patterns_still_load(void **state)
{
	struct sched_model a, b;
	struct sched_plan pa, pb;
	char *text, *bad, *p;

	(void)state;
	model_of(&a, 8, 1);
	text = sched_model_dump(&a);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"m\":[["));
	assert_int_equal(sched_model_load(&b, text), 0);
	assert_int_equal(b.n, a.n);
	sched_plan_make(&adaptive, &a, NULL, &pa);
	sched_plan_make(&adaptive, &b, NULL, &pb);
	assert_int_equal(pb.nappt, pa.nappt);
	assert_int_equal(pb.appt[0], pa.appt[0]);
	/* A pattern stored before the minutes were kept: loads, books
	 * nothing. */
	bad = strdup(text);
	assert_non_null(bad);
	p = strstr(bad, ",\"m\":");
	assert_non_null(p);
	strcpy(p, "}");
	assert_int_equal(sched_model_load(&b, bad), 0);
	assert_int_equal(b.n, a.n);
	sched_plan_make(&adaptive, &b, NULL, &pb);
	assert_int_equal(pb.nappt, 0);
	/* A minute out of the day is refused. */
	strcpy(p, ",\"m\":[[1440,1.0]]}");
	assert_int_equal(sched_model_load(&b, bad), -EINVAL);
	strcpy(p, ",\"m\":[[3,-1.0]]}");
	assert_int_equal(sched_model_load(&b, bad), -EINVAL);
	strcpy(p, ",\"m\":{}}");
	assert_int_equal(sched_model_load(&b, bad), -EINVAL);
	free(bad);
	free(text);
}

static void
test_replay_finds_releases_by_the_clock_within_minutes(void **state)
{
	int64_t t[800];
	size_t n = publisher(8, 1, t, 800), i, k, clock = 0, fast = 0;
	struct schedsim_result a, b;

	(void)state;
	assert_int_equal(schedsim_run(&adaptive, t, n, 0, 1, &a), 0);
	assert_int_equal(schedsim_run(&fixed, t, n, 0, 1, &b), 0);
	assert_true(a.polls_per_day <= 96);
	assert_true(a.max_s <= 3600);
	/* After the first two weeks, the 04:01 releases are found within
	 * 2 minutes. */
	for (i = 0; i < a.nscored; i++) {
		k = a.item[i];
		if (t[k] < MONDAY + 14 * DAY_S || t[k] % DAY_S / H_S != 4)
			continue;
		clock++;
		fast += a.delay_s[i] <= 120;
	}
	assert_true(clock >= 15);
	assert_int_equal(fast, clock);
	assert_true(a.median_s < b.median_s);
	schedsim_result_free(&a);
	schedsim_result_free(&b);
}

static void
test_a_replay_moved_by_whole_half_hours_is_the_same_replay(void **state)
{
	int64_t t[800], u[800];
	size_t n = publisher(8, 1, t, 800), i;
	int shifts[] = {5 * 2, 9 * 2 + 1, 3 * 48 + 7}, k;
	struct schedsim_result a, b;

	(void)state;
	/* Days are cut at the publisher's quiet hours, not at UTC midnight,
	 * and nothing else depends on where UTC puts the day: the same
	 * publisher in another time zone gets the same schedule, moved. */
	assert_int_equal(schedsim_run(&adaptive, t, n, 0, 1, &a), 0);
	for (k = 0; k < 3; k++) {
		for (i = 0; i < n; i++)
			u[i] = t[i] + (int64_t)shifts[k] * 1800;
		assert_int_equal(schedsim_run(&adaptive, u, n, 0, 1, &b), 0);
		assert_int_equal(b.polls, a.polls);
		assert_int_equal(b.median_s, a.median_s);
		assert_int_equal(b.p90_s, a.p90_s);
		assert_int_equal(b.max_s, a.max_s);
		schedsim_result_free(&b);
	}
	schedsim_result_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_release_by_the_clock_books_a_poll_just_after_it),
		cmocka_unit_test(test_booked_polls_stay_within_the_budget_and_the_bounds),
		cmocka_unit_test(test_fixed_schedule_and_hints_are_kept_with_a_booked_poll),
		cmocka_unit_test(test_the_minutes_of_the_day_are_stored_and_old_patterns_still_load),
		cmocka_unit_test(test_replay_finds_releases_by_the_clock_within_minutes),
		cmocka_unit_test(test_a_replay_moved_by_whole_half_hours_is_the_same_replay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
