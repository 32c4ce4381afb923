/* Unit tests for inifile.c: the INI tokenizer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "inifile.h"

/* Records "section|key|value|line\n" per call; refuses key "stop". */
static int
record(void *arg, const char *section, const char *key, const char *value,
       int line)
{
	struct buf *b = arg;

	if (strcmp(key, "stop") == 0)
		return 0;
	buf_printf(b, "%s|%s|%s|%d\n", section, key, value, line);
	return 1;
}

static char *
run(const char *text, size_t len, int expect, int expect_bad)
{
	struct buf b = BUF_INIT;
	int bad = -1;

	assert_int_equal(inifile_parse(text, len, record, &b, &bad), expect);
	assert_int_equal(bad, expect_bad);
	return buf_detach(&b);
}

static void
test_sections_keys_and_comments_are_read(void **state)
{
	static const char text[] =
		"; a comment\n"
		"# another\n"
		"top = 1\n"
		"\n"
		"[daemon]\n"
		"  interval = 15m   ; inline comment\n"
		"user_agent = a;b#c\n"
		"url: http://x.example/a?b=c\n"
		"[ feed nato ]\n"
		"empty =\n";
	char *got = run(text, sizeof(text) - 1, 0, 0);

	(void)state;
	assert_string_equal(got,
		"|top|1|3\n"
		"daemon|interval|15m|6\n"
		"daemon|user_agent|a;b#c|7\n"
		"daemon|url|http://x.example/a?b=c|8\n"
		"feed nato|empty||10\n");
	free(got);
}

static void
test_lines_have_no_length_limit(void **state)
{
	struct buf text = BUF_INIT;
	char *got;
	size_t i;

	(void)state;
	buf_puts(&text, "[feed long]\nurl = https://example.org/feed?");
	for (i = 0; i < 5000; i++)
		buf_putc(&text, (char)('a' + i % 26));
	buf_puts(&text, "\n");
	got = run(text.data, text.len, 0, 0);
	assert_true(strlen(got) > 5000);
	assert_non_null(strstr(got, "feed long|url|https://example.org/feed?abc"));
	free(got);
	buf_free(&text);
}

static void
test_crlf_bom_and_nul_are_tolerated(void **state)
{
	static const char text[] = "\xef\xbb\xbf[a]\r\nk = v\r\nn = x\0y\r\nlast = z";
	char *got = run(text, sizeof(text) - 1, 0, 0);

	(void)state;
	assert_string_equal(got, "a|k|v|2\na|n|x y|3\na|last|z|4\n");
	free(got);
}

static void
test_syntax_errors_report_their_line(void **state)
{
	static const char no_eq[] = "[a]\nk = v\njust words\nk2 = v\n";
	static const char no_close[] = "[a]\n[unclosed\n";
	static const char no_key[] = "= v\n";
	char *got;

	(void)state;
	got = run(no_eq, sizeof(no_eq) - 1, 3, 1);
	assert_string_equal(got, "a|k|v|2\n");
	free(got);
	free(run(no_close, sizeof(no_close) - 1, 2, 1));
	free(run(no_key, sizeof(no_key) - 1, 1, 1));
}

static void
test_a_refusing_handler_stops_the_parse_at_its_line(void **state)
{
	static const char text[] = "a = 1\n\nstop = now\nb = 2\n";
	char *got = run(text, sizeof(text) - 1, 3, 0);

	(void)state;
	assert_string_equal(got, "|a|1|1\n");
	free(got);
}

static void
test_empty_input_is_fine(void **state)
{
	char *got = run("", 0, 0, 0);

	(void)state;
	assert_string_equal(got, "");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections_keys_and_comments_are_read),
		cmocka_unit_test(test_lines_have_no_length_limit),
		cmocka_unit_test(test_crlf_bom_and_nul_are_tolerated),
		cmocka_unit_test(test_syntax_errors_report_their_line),
		cmocka_unit_test(test_a_refusing_handler_stops_the_parse_at_its_line),
		cmocka_unit_test(test_empty_input_is_fine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
