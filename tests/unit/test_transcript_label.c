/* test_transcript_label.c — the text rules of the transcript extractor
 * (daemon/transcript_label.c) on their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "../../daemon/transcript_int.h"

/* Whitespace folding as docs/transcripts.md states it, one character at a
 * time: the model tx_fold() must agree with. */
static void
model_fold(char *out, size_t *olen, const unsigned char *t, size_t len,
	   int *space)
{
	size_t i = 0, k;

	while (i < len) {
		int sp = -1;

		k = 1;
		if (t[i] == ' ' || (t[i] >= '\t' && t[i] <= '\r')) {
			sp = 1;
		} else if (i + 1 < len && t[i] == 0xC2 &&
			   (t[i + 1] == 0xA0 || t[i + 1] == 0x85)) {
			sp = 1, k = 2; /* NBSP, NEL */
		} else if (i + 1 < len && t[i] == 0xC2 && t[i + 1] == 0xAD) {
			sp = 0, k = 2; /* soft hyphen */
		} else if (i + 2 < len && t[i] == 0xE2 && t[i + 1] == 0x80) {
			k = 3;
			if (t[i + 2] <= 0x8A || t[i + 2] == 0xA8 ||
			    t[i + 2] == 0xA9 || t[i + 2] == 0xAF)
				sp = 1;
			else if (t[i + 2] >= 0x8B && t[i + 2] <= 0x8D)
				sp = 0;
		} else if (i + 2 < len && t[i] == 0xE2 && t[i + 1] == 0x81) {
			k = 3;
			if (t[i + 2] == 0x9F)
				sp = 1;
			else if (t[i + 2] == 0xA0)
				sp = 0;
		} else if (i + 2 < len && t[i] == 0xE3 && t[i + 1] == 0x80 &&
			   t[i + 2] == 0x80) {
			sp = 1, k = 3;
		} else if (i + 2 < len && t[i] == 0xEF && t[i + 1] == 0xBB &&
			   t[i + 2] == 0xBF) {
			sp = 0, k = 3;
		}
		if (sp >= 0) {
			if (sp)
				*space = 1;
			i += k;
			continue;
		}
		if (*space && *olen && out[*olen - 1] != ' ')
			out[(*olen)++] = ' ';
		*space = 0;
		out[(*olen)++] = (char)t[i++];
	}
	out[*olen] = 0;
}

/* Random text from pieces that exercise every branch of the folding. */
static size_t
random_text(unsigned char *t, size_t cap, unsigned *seed)
{
	static const char *const piece[] = {
		" ", " ", " ", "  ", "\t", "\n", "\r\n", "\xc2\xa0", "\xc2\x85",
		"\xc2\xad", "\xe2\x80\x83", "\xe2\x80\x8b", "\xe2\x80\xaf",
		"\xe2\x81\x9f", "\xe2\x81\xa0", "\xe3\x80\x80", "\xef\xbb\xbf",
		"\xc3\xa9", "\xe2\x80\x94", "\x01", "\x7f", "a", "Bb", "word",
		"longerwords", "MR. SMITH:", "x", "12", "\xc2", "\xe2\x80",
	};
	size_t n = 0, want = (size_t)(rand_r(seed) % 90);

	while (n < want) {
		const char *p = piece[rand_r(seed) %
				      (sizeof(piece) / sizeof(piece[0]))];
		size_t k = strlen(p);

		if (n + k >= cap)
			break;
		memcpy(t + n, p, k);
		n += k;
	}
	return n;
}

static void
test_fold_agrees_with_the_character_model_on_random_text(void **state)
{
	unsigned seed = 12345;
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		unsigned char t[256];
		char want[1024];
		size_t n = random_text(t, sizeof(t), &seed), wlen = 0;
		struct buf got = BUF_INIT;
		int gsp = rand_r(&seed) % 2, wsp = gsp;
		const char *prefix = (const char *[]){"", "x", "x ", "ab"}
			[rand_r(&seed) % 4];

		assert_int_equal(buf_puts(&got, prefix), 0);
		strcpy(want, prefix);
		wlen = strlen(prefix);
		/* two calls: the pending space crosses from one to the next */
		model_fold(want, &wlen, t, n / 2, &wsp);
		model_fold(want, &wlen, t + n / 2, n - n / 2, &wsp);
		assert_int_equal(tx_fold(&got, (const char *)t, n / 2, &gsp),
				 0);
		assert_int_equal(tx_fold(&got, (const char *)t + n / 2,
					 n - n / 2, &gsp), 0);
		assert_string_equal(buf_str(&got), want);
		assert_int_equal(got.len, wlen);
		assert_int_equal(gsp, wsp);
		buf_free(&got);
	}
}

static void
test_fold_keeps_single_spaces_and_folds_runs(void **state)
{
	struct buf b = BUF_INIT;
	int sp = 0;
	const char *in = "  The quick  brown\tfox\xc2\xa0jumps over the lazy "
			 "dog, and the dog did\xe2\x80\x8bnot mind at all.  ";

	(void)state;
	assert_int_equal(tx_fold(&b, in, strlen(in), &sp), 0);
	assert_string_equal(buf_str(&b), "The quick brown fox jumps over the "
					 "lazy dog, and the dog didnot mind "
					 "at all.");
	assert_int_equal(sp, 1);
	buf_free(&b);
}

static void
test_word_tables_are_in_search_order(void **state)
{
	(void)state;
	assert_true(tx_word_tables_sorted());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_agrees_with_the_character_model_on_random_text),
		cmocka_unit_test(test_fold_keeps_single_spaces_and_folds_runs),
		cmocka_unit_test(test_word_tables_are_in_search_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
