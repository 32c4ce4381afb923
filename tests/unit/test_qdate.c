/* Unit tests for qdate.c: the one check of filter dates. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "qdate.h"

static void
test_dates_of_every_precision_are_accepted(void **state)
{
	static const char *const ok[] = {
		"2026", "2026-11", "2026-11-18", "2024-02-29",
		"2026-11-18T09:00", "2026-11-18 09:00:59",
		"2026-11-18T23:59:60Z", "2026-11-18T09:00:00.123+05:30",
		"2026-11-18T09:00-04:00", "2000-02-29",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (qdate_check(ok[i]) != 0)
			fail_msg("refused \"%s\"", ok[i]);
}

static void
test_impossible_and_malformed_dates_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "yesterday", "26", "2026-13", "2026-00", "2026-1",
		"2026-11-31", "2026-02-29", "1900-02-29", "2026-11-00",
		"2026-11-18T", "2026-11-18T24:00", "2026-11-18T09:60",
		"2026-11-18T09:00:61", "2026-11-18T09:00Zjunk",
		"2026-11-18X09:00", "2026/11/18", "2026-11-18T09:00+5",
		"2026-11-18T09:00:00.", "２０２６",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (qdate_check(bad[i]) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(qdate_check(NULL), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates_of_every_precision_are_accepted),
		cmocka_unit_test(test_impossible_and_malformed_dates_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
