/* test_utf8 — the one UTF-8 checker, repair and windows-1252 decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

#define U(s) ((const unsigned char *)(s))

static void
test_sequences_follow_rfc3629(void **state)
{
	(void)state;
	assert_int_equal(utf8_seq_len(U("\xc3\xa9"), 2), 2);
	assert_int_equal(utf8_seq_len(U("\xe2\x80\x99"), 3), 3);
	assert_int_equal(utf8_seq_len(U("\xf0\x9f\x98\x80"), 4), 4);
	assert_int_equal(utf8_seq_len(U("a"), 1), 0);          /* ASCII */
	assert_int_equal(utf8_seq_len(U("\xc3\xa9"), 1), 0);   /* cut */
	assert_int_equal(utf8_seq_len(U("\xc0\xaf"), 2), 0);   /* overlong */
	assert_int_equal(utf8_seq_len(U("\xe0\x80\xaf"), 3), 0);
	assert_int_equal(utf8_seq_len(U("\xed\xa0\x80"), 3), 0); /* surrogate */
	assert_int_equal(utf8_seq_len(U("\xf4\x90\x80\x80"), 4), 0); /* > U+10FFFF */
}

static void
test_scan_counts_bad_and_valid_sequences(void **state)
{
	size_t vm;

	(void)state;
	assert_int_equal(utf8_scan(U("plain ascii text, long enough"), 29, &vm),
			 0);
	assert_int_equal(vm, 0);
	assert_int_equal(utf8_scan(U("caf\xc3\xa9 \x92 \xe9"), 9, &vm), 2);
	assert_int_equal(vm, 1);
	assert_true(utf8_valid(U("\xe2\x80\x99"), 3));
	assert_false(utf8_valid(U("\xed\xa0\x80"), 3));
}

/* utf8_scan() skips ASCII in 16- and 8-byte blocks: held to a byte at a
 * time reading of random, mostly ASCII strings of every length to 70. */
static void
test_scan_matches_a_byte_at_a_time(void **state)
{
	static const unsigned char odd[] = {
		0x80, 0xbf, 0xc3, 0xa9, 0xe2, 0x80, 0x99, 0xf0, 0x9f, 0x98,
		0x80, 0xff, 0xc0, 0xed, 0xa0,
	};
	unsigned long r = 99;
	unsigned char s[70];
	size_t len, i, bad, mb, n, vm;
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		r = r * 6364136223846793005UL + 1442695040888963407UL;
		len = (r >> 33) % sizeof(s);
		for (i = 0; i < len; i++) {
			r = r * 6364136223846793005UL + 1442695040888963407UL;
			s[i] = (r >> 59) == 0 ? odd[(r >> 40) % sizeof(odd)]
					      : (unsigned char)(' ' + (r >> 40) % 95);
		}
		bad = mb = 0;
		for (i = 0; i < len;) {
			if (s[i] < 0x80) {
				i++;
			} else if ((n = utf8_seq_len(s + i, len - i)) != 0) {
				mb++;
				i += n;
			} else {
				bad++;
				i++;
			}
		}
		assert_int_equal(utf8_scan(s, len, &vm), bad);
		assert_int_equal(vm, mb);
	}
}

static void
test_repair_replaces_each_bad_byte(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(utf8_repair(U("a\xffz\xc3\xa9\xe2\x80"), 7, &b), 0);
	assert_string_equal(buf_str(&b),
			    "a\xef\xbf\xbdz\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd");
	buf_reset(&b);
	assert_int_equal(buf_puts(&b, "ok \xc3\xa9"), 0);
	assert_int_equal(utf8_fix(&b), 0);
	assert_string_equal(buf_str(&b), "ok \xc3\xa9");
	buf_free(&b);
}

static void
test_windows1252_decodes_c1_and_marks_the_undefined(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(utf8_cp1252_c1(0x92), 0x2019);
	assert_int_equal(utf8_cp1252_c1(0x81), 0);
	assert_int_equal(utf8_cp1252_c1(0xe9), 0);
	assert_int_equal(utf8_from_cp1252(U("it\x92s \x80 \xe9\x81"), 9, &b), 0);
	assert_string_equal(buf_str(&b), "it\xe2\x80\x99s \xe2\x82\xac "
			    "\xc3\xa9\xef\xbf\xbd");
	buf_free(&b);
}

static void
test_put_encodes_every_length(void **state)
{
	char u[4];

	(void)state;
	assert_int_equal(utf8_put(0x41, u), 1);
	assert_int_equal(utf8_put(0xe9, u), 2);
	assert_memory_equal(u, "\xc3\xa9", 2);
	assert_int_equal(utf8_put(0x20ac, u), 3);
	assert_memory_equal(u, "\xe2\x82\xac", 3);
	assert_int_equal(utf8_put(0x1f600, u), 4);
	assert_memory_equal(u, "\xf0\x9f\x98\x80", 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequences_follow_rfc3629),
		cmocka_unit_test(test_scan_counts_bad_and_valid_sequences),
		cmocka_unit_test(test_scan_matches_a_byte_at_a_time),
		cmocka_unit_test(test_repair_replaces_each_bad_byte),
		cmocka_unit_test(test_windows1252_decodes_c1_and_marks_the_undefined),
		cmocka_unit_test(test_put_encodes_every_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
