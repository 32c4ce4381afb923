/* Unit tests for sched.c: the polling policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sched.h"

static const struct sched_policy pol = {
	15 * 60 * 1000, 5 * 60 * 1000, 6 * 3600 * 1000,
};

static void
test_success_without_news_keeps_the_interval_within_jitter(void **state)
{
	int64_t d = sched_delay_ok(&pol, 0, 1, 0.5);

	(void)state;
	assert_int_equal(d, pol.interval_ms);
	assert_true(sched_delay_ok(&pol, 0, 1, 0.0) >= pol.interval_ms * 9 / 10);
	assert_true(sched_delay_ok(&pol, 0, 1, 0.999) <= pol.interval_ms * 11 / 10);
}

static void
test_busy_feed_is_polled_sooner_but_not_below_min(void **state)
{
	struct sched_policy fast = {60000, 50000, 3600000};

	(void)state;
	assert_true(sched_delay_ok(&pol, 5, 0, 0.5) < pol.interval_ms);
	assert_int_equal(sched_delay_ok(&fast, 10, 0, 0.5), 50000);
}

static void
test_quiet_feed_backs_off_up_to_max(void **state)
{
	int64_t prev = sched_delay_ok(&pol, 0, 3, 0.5), d;
	int q;

	(void)state;
	for (q = 4; q < 40; q++) {
		d = sched_delay_ok(&pol, 0, q, 0.5);
		assert_true(d >= prev);
		prev = d;
	}
	assert_int_equal(prev, pol.max_interval_ms);
}

static void
test_failures_double_the_backoff_until_max(void **state)
{
	(void)state;
	assert_int_equal(sched_delay_fail(&pol, 1, -1, 0.5), 30000);
	assert_int_equal(sched_delay_fail(&pol, 2, -1, 0.5), 60000);
	assert_int_equal(sched_delay_fail(&pol, 3, -1, 0.5), 120000);
	assert_int_equal(sched_delay_fail(&pol, 60, -1, 0.5), pol.max_interval_ms);
}

static void
test_retry_after_is_honoured_when_longer_and_capped_at_a_day(void **state)
{
	(void)state;
	assert_int_equal(sched_delay_fail(&pol, 1, 240, 0.5), 240000);
	assert_int_equal(sched_delay_fail(&pol, 1, 5, 0.5), 30000);
	assert_int_equal(sched_delay_fail(&pol, 1, 10 * 86400, 0.5),
			 (int64_t)86400 * 1000);
}

static void
test_random_numbers_stay_in_the_unit_interval(void **state)
{
	double lo = 1, hi = 0, r;
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		r = sched_random();
		assert_true(r >= 0.0 && r < 1.0);
		lo = r < lo ? r : lo;
		hi = r > hi ? r : hi;
	}
	assert_true(lo < 0.01 && hi > 0.99);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success_without_news_keeps_the_interval_within_jitter),
		cmocka_unit_test(test_busy_feed_is_polled_sooner_but_not_below_min),
		cmocka_unit_test(test_quiet_feed_backs_off_up_to_max),
		cmocka_unit_test(test_failures_double_the_backoff_until_max),
		cmocka_unit_test(test_retry_after_is_honoured_when_longer_and_capped_at_a_day),
		cmocka_unit_test(test_random_numbers_stay_in_the_unit_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
