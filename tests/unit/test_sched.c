/* Unit tests for sched.c and schedsim.c: the polling policy, with a
 * virtual clock (every function under test is pure: time is an argument). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "sched.h"
#include "schedsim.h"
#include "sched_test.h"


static const struct sched_policy pol = {
	15 * MIN_MS, 5 * MIN_MS, 6 * 3600 * 1000, 0, 0,
};

/* Weeks of a publisher that posts on weekdays between 14:00 and 22:00 UTC
 * only (shift_h moves the hours), 6 items a day at random minutes. */
static size_t
office(int64_t start, int weeks, int shift_h, int64_t *out, size_t max)
{
	uint64_t s = 42;
	size_t n = 0;
	int d, k;

	for (d = 0; d < weeks * 7; d++) {
		if (d % 7 >= 5)
			continue;
		for (k = 0; k < 6 && n < max; k++)
			out[n++] = start + (int64_t)d * DAY_S +
				   (14 + shift_h) * H_S +
				   (int64_t)(rnd(&s) * 8 * H_S);
	}
	qsort(out, n, sizeof(*out), cmp64);
	return n;
}

static void
learned_model(struct sched_model *m, int shift_h)
{
	int64_t t[400];
	size_t n = office(MONDAY, 8, shift_h, t, 400);

	sched_model_init(m);
	assert_int_equal(sched_model_learn(m, t, n), n);
}

/* ---- plain interval, failures -------------------------------------------- */

static void
test_without_history_the_interval_is_kept_within_jitter(void **state)
{
	struct sched_model m;
	int64_t t[5] = {MONDAY, MONDAY + 60, MONDAY + 120, MONDAY + 180,
			MONDAY + 240};

	(void)state;
	assert_int_equal(sched_delay_next(&pol, NULL, NULL, MONDAY * 1000,
					  0.5), pol.interval_ms);
	assert_int_equal(sched_delay_next(&pol, NULL, NULL, MONDAY * 1000,
					  0.0), pol.interval_ms * 9 / 10);
	assert_true(sched_delay_next(&pol, NULL, NULL, MONDAY * 1000,
				     0.999) <= pol.interval_ms * 11 / 10);
	/* A few items are not enough history. */
	sched_model_init(&m);
	sched_model_learn(&m, t, 5);
	assert_false(sched_model_ready(&m));
	assert_int_equal(sched_delay_next(&pol, &m, NULL, MONDAY * 1000, 0.5),
			 pol.interval_ms);
}

static void
test_items_all_stamped_alike_are_not_a_pattern(void **state)
{
	struct sched_model m;
	int64_t t[30];
	int i;

	(void)state;
	/* A feed that dates every item with the moment it was generated. */
	for (i = 0; i < 30; i++)
		t[i] = MONDAY + 3 * H_S + i;
	sched_model_init(&m);
	assert_int_equal(sched_model_learn(&m, t, 30), 30);
	assert_false(sched_model_ready(&m));
	assert_int_equal(sched_delay_next(&adaptive, &m, NULL,
					  MONDAY * 1000, 0.5),
			 adaptive.interval_ms);
}

static void
test_fixed_schedule_ignores_the_learned_pattern(void **state)
{
	struct sched_policy fixed = adaptive;
	struct sched_model m;
	int64_t night = (MONDAY + DAY_S + 3 * H_S) * 1000; /* Tue 03:00 */

	(void)state;
	learned_model(&m, 0);
	assert_true(sched_model_ready(&m));
	fixed.fixed = 1;
	assert_int_equal(sched_delay_next(&fixed, &m, NULL, night, 0.5),
			 fixed.interval_ms);
	assert_true(sched_delay_next(&adaptive, &m, NULL, night, 0.5) >
		    adaptive.interval_ms);
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
			 (int64_t)24 * 3600 * 1000);
}

/* ---- the learned pattern --------------------------------------------------- */

static void
test_polls_crowd_into_the_publishing_hours(void **state)
{
	struct sched_model m;
	int64_t tue = MONDAY + 7 * 8 * DAY_S + DAY_S; /* a Tuesday, later */
	int64_t busy, night, weekend;

	(void)state;
	learned_model(&m, 0);
	busy = sched_delay_next(&adaptive, &m, NULL, (tue + 16 * H_S) * 1000,
				0.5);
	night = sched_delay_next(&adaptive, &m, NULL, (tue + 3 * H_S) * 1000,
				 0.5);
	weekend = sched_delay_next(&adaptive, &m, NULL,
				   (tue + 4 * DAY_S + 12 * H_S) * 1000, 0.5);
	/* Busy hours get more than the plain interval's share, the night and
	 * the weekend only max_interval's. */
	assert_true(busy < adaptive.interval_ms / 2);
	assert_true(busy >= adaptive.min_interval_ms);
	assert_int_equal(night, adaptive.max_interval_ms);
	assert_int_equal(weekend, adaptive.max_interval_ms);
	/* The last quiet poll before the busy hours lands in them early:
	 * from 13:30 the next poll comes before 14:15. */
	assert_true(sched_delay_next(&adaptive, &m, NULL,
				     (tue + 13 * H_S + 1800) * 1000, 0.5) <
		    45 * MIN_MS);
}

static void
test_a_week_of_polls_stays_within_the_budget_and_the_bounds(void **state)
{
	struct sched_model m;
	int64_t t = (MONDAY + 7 * 8 * DAY_S) * 1000, end, d;
	uint64_t s = 7, polls = 0;

	(void)state;
	learned_model(&m, 0);
	end = t + (int64_t)4 * 7 * DAY_S * 1000;
	while (t < end) {
		d = sched_delay_next(&adaptive, &m, NULL, t, rnd(&s));
		assert_true(d >= adaptive.min_interval_ms);
		assert_true(d <= adaptive.max_interval_ms);
		t += d;
		polls++;
	}
	/* 96 a day is the budget of a 15 min interval. */
	assert_true(polls <= 4 * 7 * 96);
	assert_true(polls >= 4 * 7 * 96 * 9 / 10);
}

static void
test_the_scheduler_is_a_pure_function_of_history_and_time(void **state)
{
	struct sched_model a, b;
	char *text;
	int i;

	(void)state;
	learned_model(&a, 0);
	learned_model(&b, 0);
	assert_memory_equal(&a, &b, sizeof(a));
	for (i = 0; i < 48; i++) {
		int64_t now = (MONDAY + 60 * DAY_S + i * 1800) * 1000;

		assert_int_equal(sched_delay_next(&adaptive, &a, NULL, now, 0.3),
				 sched_delay_next(&adaptive, &b, NULL, now, 0.3));
	}
	/* Stored and loaded, it schedules the same (to the dump's
	 * precision: within a second). */
	text = sched_model_dump(&a);
	assert_non_null(text);
	assert_int_equal(sched_model_load(&b, text), 0);
	free(text);
	assert_int_equal(b.n, a.n);
	assert_int_equal(b.last, a.last);
	for (i = 0; i < 48; i++) {
		int64_t now = (MONDAY + 60 * DAY_S + i * 1800) * 1000;
		int64_t x = sched_delay_next(&adaptive, &a, NULL, now, 0.3);
		int64_t y = sched_delay_next(&adaptive, &b, NULL, now, 0.3);

		assert_true(llabs(x - y) <= 1000);
	}
}

static void
test_items_already_learned_are_not_counted_twice(void **state)
{
	struct sched_model m;
	int64_t t[400];
	size_t n = office(MONDAY, 4, 0, t, 400);

	(void)state;
	sched_model_init(&m);
	/* Newest first, as feeds list them: all still learned. */
	for (size_t i = 0; i < n / 2; i++) {
		int64_t x = t[i];

		t[i] = t[n - 1 - i];
		t[n - 1 - i] = x;
	}
	assert_int_equal(sched_model_learn(&m, t, n), n);
	assert_int_equal(sched_model_learn(&m, t, n), 0);
	assert_int_equal(m.n, (int64_t)n);
}

static void
test_a_corrupt_stored_pattern_is_refused(void **state)
{
	struct sched_model m;
	char *text, *bad;

	(void)state;
	assert_int_equal(sched_model_load(&m, "not json"), -EINVAL);
	assert_int_equal(sched_model_load(&m, "{\"v\":1}"), -EINVAL);
	assert_int_equal(sched_model_load(&m,
		"{\"v\":2,\"ref\":0,\"last\":0,\"n\":0,\"w\":[]}"), -EINVAL);
	learned_model(&m, 0);
	text = sched_model_dump(&m);
	assert_non_null(text);
	/* A negative weight. */
	bad = strdup(text);
	assert_non_null(strstr(bad, "\"w\":["));
	memcpy(strstr(bad, "\"w\":[") + 5, "-", 1);
	assert_int_equal(sched_model_load(&m, bad), -EINVAL);
	assert_int_equal(m.n, 0);
	free(bad);
	free(text);
}

static void
test_busy_hours_are_described_in_utc(void **state)
{
	struct sched_model m;
	char out[96];

	(void)state;
	learned_model(&m, 0);
	assert_string_equal(sched_model_busy(&m, out, sizeof(out)),
			    "Mon-Fri 14-22 UTC");
	/* Across midnight: most of Monday's evening shift falls on
	 * Tuesday's date, and Saturday gets Friday's night. */
	learned_model(&m, 8);
	assert_string_equal(sched_model_busy(&m, out, sizeof(out)),
			    "Tue-Sat 22-06 UTC");
	sched_model_init(&m);
	assert_string_equal(sched_model_busy(&m, out, sizeof(out)), "");
}

static void
test_a_new_pattern_takes_over_from_an_old_one(void **state)
{
	struct sched_model m;
	int64_t t[800];
	size_t n;
	char out[96];

	(void)state;
	/* Eight weeks at 14-22 UTC, then the publisher moves one hour earlier
	 * (daylight saving time) for twelve weeks. */
	sched_model_init(&m);
	n = office(MONDAY, 8, 0, t, 800);
	sched_model_learn(&m, t, n);
	n = office(MONDAY + 8 * 7 * DAY_S, 12, -1, t, 800);
	sched_model_learn(&m, t, n);
	assert_string_equal(sched_model_busy(&m, out, sizeof(out)),
			    "Mon-Fri 13-21 UTC");
}

/* ---- publisher hints ------------------------------------------------------- */

static void
test_hints_are_read_from_the_feed_and_the_headers(void **state)
{
	static const char rss[] =
		"<rss xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\">"
		"<channel><title>x</title><ttl> 30 </ttl>"
		"<skipHours><hour>1</hour><hour>2</hour><hour>24</hour>"
		"</skipHours><skipDays><day>Sunday</day><day>Funday</day>"
		"</skipDays><sy:updatePeriod>daily</sy:updatePeriod>"
		"<sy:updateFrequency>48</sy:updateFrequency>"
		"<item><title>ttl</title></item></channel></rss>";
	struct sched_hints h = {0};

	(void)state;
	sched_hints_from_body(&h, rss, sizeof(rss) - 1);
	assert_int_equal(h.min_s, 1800); /* ttl 30 min = 86400 / 48 */
	assert_int_equal(h.skip_hours, (1u << 0) | (1u << 1) | (1u << 2));
	assert_int_equal(h.skip_days, 1u << 6);
	memset(&h, 0, sizeof(h));
	sched_hints_from_http(&h, "public, max-age=600", NULL, 0);
	assert_int_equal(h.min_s, 600);
	memset(&h, 0, sizeof(h));
	sched_hints_from_http(&h, "no-cache, max-age=600",
			      "Thu, 01 Jan 1970 00:20:00 GMT", 0);
	assert_int_equal(h.min_s, 1200);
	memset(&h, 0, sizeof(h));
	sched_hints_from_http(&h, NULL, "not a date", 0);
	sched_hints_from_body(&h, "<rss><ttl>soon</ttl></rss>", 26);
	assert_int_equal(h.min_s, 0);
	/* A hint never asks for more than a day. */
	sched_hints_from_http(&h, "max-age=999999999", NULL, 0);
	assert_int_equal(h.min_s, 86400);
}

static void
test_hints_bind_only_when_respected(void **state)
{
	struct sched_hints h = {0};
	struct sched_policy p = adaptive;
	int64_t mon = MONDAY * 1000;
	int64_t d;

	(void)state;
	h.min_s = 3600;
	h.skip_days = 1u << 1; /* Tuesday */
	assert_int_equal(sched_delay_next(&p, NULL, &h, mon, 0.5),
			 p.interval_ms);
	p.respect_hints = 1;
	assert_int_equal(sched_delay_next(&p, NULL, &h, mon, 0.5),
			 3600 * 1000);
	/* Monday 23:30: the next poll waits for Wednesday. */
	d = sched_delay_next(&p, NULL, &h, mon + (23 * H_S + 1800) * 1000,
			     0.5);
	assert_int_equal(mon + (23 * H_S + 1800) * 1000 + d,
			 (MONDAY + 2 * DAY_S) * 1000);
}

/* ---- the replay ------------------------------------------------------------ */

static void
test_replay_beats_a_plain_interval_at_the_same_cost(void **state)
{
	struct sched_policy fixed = adaptive;
	struct schedsim_result a, b, c;
	static int64_t t[2000];
	size_t n = office(MONDAY, 20, 0, t, 2000);

	(void)state;
	fixed.fixed = 1;
	assert_int_equal(schedsim_run(&fixed, t, n, 0, 1, &a), 0);
	assert_int_equal(schedsim_run(&adaptive, t, n, 0, 1, &b), 0);
	assert_int_equal(a.nscored, n - 1);
	assert_int_equal(a.nhistory, 1);
	/* A plain 15 min poll: delays up to its jittered interval. */
	assert_true(a.max_s <= 990);
	assert_true(a.polls_per_day > 94 && a.polls_per_day < 98);
	/* Learned: at most the same requests, items found sooner. */
	assert_true(b.polls_per_day <= 96);
	assert_true(b.median_s * 2 < a.median_s);
	assert_true(b.p90_s < a.p90_s);
	assert_true(b.max_s <= 3600);
	/* Reproducible. */
	assert_int_equal(schedsim_run(&adaptive, t, n, 0, 1, &c), 0);
	assert_int_equal(c.polls, b.polls);
	assert_int_equal(c.median_s, b.median_s);
	schedsim_result_free(&a);
	schedsim_result_free(&b);
	schedsim_result_free(&c);
}

static void
test_replay_does_not_depend_on_the_time_zone(void **state)
{
	struct schedsim_result a, b;
	static int64_t t[2000], u[2000];
	size_t n = office(MONDAY, 20, 0, t, 2000);

	(void)state;
	assert_int_equal(office(MONDAY, 20, 7, u, 2000), n);
	assert_int_equal(schedsim_run(&adaptive, t, n, 0, 1, &a), 0);
	assert_int_equal(schedsim_run(&adaptive, u, n, 0, 1, &b), 0);
	assert_true(llabs(a.median_s - b.median_s) <= a.median_s / 4 + 10);
	assert_true(b.polls_per_day <= 96);
	schedsim_result_free(&a);
	schedsim_result_free(&b);
}

static void
test_replay_learns_from_the_history_before_from(void **state)
{
	struct schedsim_result r;
	static int64_t t[2000];
	size_t n = office(MONDAY, 20, 0, t, 2000);
	int64_t from = MONDAY + 10 * 7 * DAY_S;

	(void)state;
	assert_int_equal(schedsim_run(&adaptive, t, n, from, 1, &r), 0);
	assert_int_equal(r.nhistory + r.nscored, n);
	assert_int_equal(r.nhistory, n / 2);
	assert_int_equal(r.first_ms, from * 1000);
	schedsim_result_free(&r);
	assert_int_equal(schedsim_run(&adaptive, t, n, t[n - 1], 1, &r),
			 -EINVAL);
}

/* ---- configuration ------------------------------------------------------ */

static void
test_config_keys_and_defaults(void **state)
{
	static const char on[] = "[daemon]\nschedule = fixed\n"
				 "respect_hints = yes\n";
	struct config *c = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_parse("[daemon]\n", 10, &c, &err), 0);
	/* A briefing feed must not go quiet for hours. */
	assert_int_equal(c->max_interval_ms, 3600 * 1000);
	assert_int_equal(c->schedule_fixed, 0);
	assert_int_equal(c->respect_hints, 0);
	config_free(c);
	assert_int_equal(config_parse(on, sizeof(on) - 1, &c, &err), 0);
	assert_int_equal(c->schedule_fixed, 1);
	assert_int_equal(c->respect_hints, 1);
	config_free(c);
	assert_true(config_parse("[daemon]\nschedule = smart\n", 26, &c,
				 &err) < 0);
	assert_non_null(strstr(err, "schedule"));
	free(err);
	/* A feed's own schedule: the daemon's unless it says otherwise. */
	{
		static const char fe[] = "[daemon]\nschedule = fixed\n"
			"[feed a]\nurl = https://a.example/f\n"
			"[feed b]\nurl = https://b.example/f\n"
			"schedule = adaptive\n"
			"[feed c]\nurl = https://c.example/f\n"
			"schedule = fixed\n";

		assert_int_equal(config_parse(fe, sizeof(fe) - 1, &c, &err),
				 0);
		assert_int_equal(c->nfeeds, 3);
		assert_int_equal(config_find_feed(c, "a")->schedule, 0);
		assert_int_equal(config_find_feed(c, "b")->schedule,
				 CONFIG_SCHEDULE_ADAPTIVE);
		assert_int_equal(config_find_feed(c, "c")->schedule,
				 CONFIG_SCHEDULE_FIXED);
		config_free(c);
	}
	assert_true(config_parse("[feed a]\nurl = https://a.example/f\n"
				 "schedule = often\n", 52, &c, &err) < 0);
	assert_non_null(strstr(err, "feed \"a\": schedule \"often\" is not "
			       "adaptive or fixed"));
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_history_the_interval_is_kept_within_jitter),
		cmocka_unit_test(test_items_all_stamped_alike_are_not_a_pattern),
		cmocka_unit_test(test_fixed_schedule_ignores_the_learned_pattern),
		cmocka_unit_test(test_failures_double_the_backoff_until_max),
		cmocka_unit_test(test_retry_after_is_honoured_when_longer_and_capped_at_a_day),
		cmocka_unit_test(test_polls_crowd_into_the_publishing_hours),
		cmocka_unit_test(test_a_week_of_polls_stays_within_the_budget_and_the_bounds),
		cmocka_unit_test(test_the_scheduler_is_a_pure_function_of_history_and_time),
		cmocka_unit_test(test_items_already_learned_are_not_counted_twice),
		cmocka_unit_test(test_a_corrupt_stored_pattern_is_refused),
		cmocka_unit_test(test_busy_hours_are_described_in_utc),
		cmocka_unit_test(test_a_new_pattern_takes_over_from_an_old_one),
		cmocka_unit_test(test_hints_are_read_from_the_feed_and_the_headers),
		cmocka_unit_test(test_hints_bind_only_when_respected),
		cmocka_unit_test(test_replay_beats_a_plain_interval_at_the_same_cost),
		cmocka_unit_test(test_replay_does_not_depend_on_the_time_zone),
		cmocka_unit_test(test_replay_learns_from_the_history_before_from),
		cmocka_unit_test(test_config_keys_and_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
