/* test_buf — the sticky error: append, check once. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

static void
test_a_failed_append_sticks_until_reset(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_puts(&b, "[feed a]\n"), 0);
	assert_int_equal(buf_error(&b), 0);
	/* more than can ever be allocated */
	assert_int_equal(buf_grow(&b, SIZE_MAX), -ENOMEM);
	assert_int_equal(buf_error(&b), -ENOMEM);
	/* later appends fit, but must not make the text look whole */
	assert_int_equal(buf_puts(&b, "url = x\n"), -ENOMEM);
	assert_int_equal(buf_printf(&b, "%d", 1), -ENOMEM);
	assert_int_equal(buf_putc(&b, 'x'), -ENOMEM);
	assert_int_equal(buf_put_int(&b, 5), -ENOMEM);
	assert_int_equal(buf_json_string(&b, "s"), -ENOMEM);
	assert_string_equal(buf_str(&b), "[feed a]\n");
	/* detach hands out no text with a hole in it */
	assert_null(buf_detach(&b));
	assert_int_equal(buf_error(&b), 0);
	assert_int_equal(buf_puts(&b, "ok"), 0);
	assert_int_equal(buf_grow(&b, SIZE_MAX), -ENOMEM);
	buf_reset(&b);
	assert_int_equal(buf_error(&b), 0);
	assert_int_equal(buf_puts(&b, "again"), 0);
	assert_string_equal(buf_str(&b), "again");
	buf_free(&b);
}

static void
test_ilseq_from_the_json_writer_is_not_sticky(void **state)
{
	struct buf b = BUF_INIT;
	char *s;

	(void)state;
	assert_int_equal(buf_json_string(&b, "\xff"), -EILSEQ);
	assert_int_equal(buf_error(&b), 0);
	assert_int_equal(buf_json_string(&b, "ok"), 0);
	s = buf_detach(&b);
	assert_string_equal(s, "\"ok\"");
	free(s);
}

/* The feed and page parsers' NUL dropping (feed_xml.c, transcript.c). */
static void
test_append_no_nuls_drops_every_nul(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_append_no_nuls(&b, "\0a\0\0bc\0", 7), 0);
	assert_int_equal(b.len, 3);
	assert_string_equal(buf_str(&b), "abc");
	assert_int_equal(buf_append_no_nuls(&b, "\0", 1), 0);
	assert_int_equal(buf_append_no_nuls(&b, "de", 2), 0);
	assert_string_equal(buf_str(&b), "abcde");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_failed_append_sticks_until_reset),
		cmocka_unit_test(test_ilseq_from_the_json_writer_is_not_sticky),
		cmocka_unit_test(test_append_no_nuls_drops_every_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
