/* Unit tests for metrics.c: status JSON to Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics.h"

static void
test_status_becomes_prometheus_text(void **state)
{
	json_t *st = json_loads(
		"{\"type\":\"status\",\"state\":\"degraded\",\"feeds_total\":2,"
		"\"feeds_failing\":1,\"subscribers\":3,\"head\":42,"
		"\"feeds\":[{\"name\":\"nato\",\"failures\":0,\"polls\":7},"
		"{\"name\":\"we\\\"ird\",\"failures\":4,\"polls\":1}]}",
		0, NULL);
	struct buf out = BUF_INIT;
	const char *t;

	(void)state;
	assert_non_null(st);
	assert_int_equal(metrics_from_status(st, &out), 0);
	t = buf_str(&out);
	assert_non_null(strstr(t, "\nbriefwatch_up 1\n"));
	assert_non_null(strstr(t, "\nbriefwatch_degraded 1\n"));
	assert_non_null(strstr(t, "# TYPE briefwatch_feeds gauge\nbriefwatch_feeds 2\n"));
	assert_non_null(strstr(t, "\nbriefwatch_event_head 42\n"));
	assert_non_null(strstr(t, "briefwatch_feed_polls_total{feed=\"nato\"} 7\n"));
	assert_non_null(strstr(t, "briefwatch_feed_consecutive_failures{feed=\"we\\\"ird\"} 4\n"));
	/* members that are absent produce no sample */
	assert_null(strstr(t, "briefwatch_database_bytes "));
	buf_free(&out);
	json_decref(st);
}

static void
test_metrics_file_is_replaced_atomically(void **state)
{
	char dir[] = "/tmp/bw-metrics-XXXXXX", path[256], tmp[300], got[64];
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bw.prom", dir);
	assert_int_equal(metrics_write_file(path, "a 1\n", 4), 0);
	assert_int_equal(metrics_write_file(path, "b 2\n", 4), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	assert_string_equal(got, "b 2\n");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_not_equal(access(tmp, F_OK), 0);
	assert_true(metrics_write_file("/nonexistent/dir/x.prom", "x", 1) < 0);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_becomes_prometheus_text),
		cmocka_unit_test(test_metrics_file_is_replaced_atomically),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
