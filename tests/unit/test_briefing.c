/* Unit tests for briefing.c (the record and its JSON) and buf.c. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "briefing.h"
#include "buf.h"

static struct briefing *
sample(void)
{
	struct briefing *b = briefing_new();

	assert_non_null(b);
	b->url = strdup("https://www.example.int/cps/en/opinions_1.htm");
	b->kind = BRIEFING_TRANSCRIPT;
	b->title = strdup("Joint press point");
	b->published = strdup("2014-11-20");
	b->location = strdup("Tallinn");
	assert_int_equal(briefing_add_speaker(b, "Sven Mikser",
					      "Defence Minister of Estonia"), 0);
	assert_int_equal(briefing_add_speaker(b, "Oana Lungescu", NULL), 0);
	assert_int_equal(briefing_add_turn(b, TURN_STATEMENT, "Sven Mikser",
					   "Sven Mikser (Defence Minister of Estonia)",
					   NULL, NULL, "(...) Over to you."), 0);
	assert_int_equal(briefing_add_turn(b, TURN_QUESTION, NULL, "Q",
					   "Alistair Bunkall", "Sky News",
					   "Thank you.\n\nA second \"part\"."), 0);
	return b;
}

static void
test_record_serialises_in_contract_order_with_nulls(void **state)
{
	struct briefing *b = sample();
	json_t *j = briefing_to_json(b, 1);
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	(void)state;
	assert_non_null(s);
	assert_true(strncmp(s, "{\"url\":", 7) == 0);
	assert_non_null(strstr(s, "\"kind\":\"transcript\",\"title\":\"Joint press point\",\"subtitle\":null"));
	assert_non_null(strstr(s, "\"updated\":null"));
	assert_non_null(strstr(s, "{\"name\":\"Oana Lungescu\",\"role\":null}"));
	assert_non_null(strstr(s, "\"type\":\"question\",\"asker\":\"Alistair Bunkall\",\"outlet\":\"Sky News\""));
	/* statements carry no asker/outlet keys */
	assert_null(strstr(s, "\"type\":\"statement\",\"asker\""));
	assert_null(strstr(s, "\"id\""));
	free(s);
	json_decref(j);
	j = briefing_to_json(b, 0);
	assert_null(json_object_get(j, "turns"));
	json_decref(j);
	briefing_free(b);
}

static void
test_record_survives_a_json_round_trip(void **state)
{
	struct briefing *b = sample(), *c = NULL;
	json_t *j, *k;

	(void)state;
	b->id = 17;
	b->feed = strdup("nato");
	j = briefing_to_json(b, 1);
	assert_int_equal(briefing_from_json(j, &c), 0);
	assert_int_equal(c->id, 17);
	assert_string_equal(c->feed, "nato");
	assert_int_equal(c->nturns, 2);
	assert_int_equal(c->turns[1].type, TURN_QUESTION);
	assert_string_equal(c->turns[1].outlet, "Sky News");
	assert_null(c->turns[0].asker);
	assert_non_null(briefing_find_speaker(c, "Sven Mikser"));
	assert_null(briefing_find_speaker(c, "Nobody"));
	k = briefing_to_json(c, 1);
	assert_true(json_equal(j, k));
	json_decref(j);
	json_decref(k);
	briefing_free(b);
	briefing_free(c);
}

static void
test_from_json_rejects_wrong_types(void **state)
{
	json_t *j = json_pack("{si}", "title", 5);
	struct briefing *b = NULL;

	(void)state;
	assert_int_equal(briefing_from_json(j, &b), -EINVAL);
	assert_null(b);
	json_decref(j);
	j = json_array();
	assert_int_equal(briefing_from_json(j, &b), -EINVAL);
	json_decref(j);
}

static void
test_kind_names_round_trip(void **state)
{
	(void)state;
	assert_int_equal(briefing_kind_parse("speech"), BRIEFING_SPEECH);
	assert_string_equal(briefing_kind_name(BRIEFING_RELEASE), "release");
	assert_int_equal(briefing_kind_parse("poem"), -EINVAL);
	assert_string_equal(briefing_kind_name((enum briefing_kind)42), "other");
}

static void
test_buf_appends_formats_and_escapes(void **state)
{
	struct buf b = BUF_INIT;
	char *s;

	(void)state;
	assert_string_equal(buf_str(&b), "");
	{
		static const long long v[] = {
			0, 1, -1, 9, 10, -10, 1234567890123LL, LLONG_MAX,
			LLONG_MIN, LLONG_MIN + 1,
		};
		char want[32];
		size_t i;

		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			buf_reset(&b);
			assert_int_equal(buf_put_int(&b, v[i]), 0);
			snprintf(want, sizeof(want), "%lld", v[i]);
			assert_string_equal(buf_str(&b), want);
		}
		buf_reset(&b);
	}
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "x"), 0);
	assert_int_equal(buf_json_escape(&b, "a\"b\\c\n\x01", 7), 0);
	assert_string_equal(buf_str(&b), "42-xa\\\"b\\\\c\\n\\u0001");
	buf_consume(&b, 3);
	assert_string_equal(buf_str(&b), "xa\\\"b\\\\c\\n\\u0001");
	s = buf_detach(&b);
	assert_null(b.data);
	free(s);
	s = buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
}

/* The store's path: the record text is briefing_dump of b without id and
 * feed, with turns; the event's briefing, made from that text and its
 * head, is briefing_dump(b, 0) byte for byte. */
static void
assert_record_path_matches(const struct briefing *b)
{
	struct briefing bare = *b;
	struct buf rec = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	size_t head = 0;

	bare.id = 0;
	bare.feed = NULL;
	assert_int_equal(briefing_dump(&bare, 1, &want), 0);
	assert_int_equal(briefing_dump_record(b, &rec, &head), 0);
	assert_string_equal(buf_str(&rec), buf_str(&want));
	assert_true(head > 1 && head < rec.len);
	buf_reset(&want);
	assert_int_equal(briefing_dump(b, 0, &want), 0);
	assert_int_equal(buf_puts(&got, "line:"), 0);
	assert_int_equal(briefing_dump_from_record(b, buf_str(&rec), head,
						   &got), 0);
	if (strcmp(buf_str(&got) + 5, buf_str(&want)) != 0)
		fail_msg("from record\n got: %s\nwant: %s", buf_str(&got) + 5,
			 buf_str(&want));
	/* Not a record text: refused, the buffer as it was. */
	assert_int_equal(briefing_dump_from_record(b, "[]", 2, &got),
			 -EINVAL);
	assert_string_equal(buf_str(&got) + 5, buf_str(&want));
	buf_free(&rec);
	buf_free(&want);
	buf_free(&got);
}

/* briefing_dump() must write exactly what jansson writes for the tree. */
static void
assert_dump_matches_jansson(const struct briefing *b)
{
	int t;

	for (t = 0; t < 2; t++) {
		json_t *j = briefing_to_json(b, t);
		char *want;
		struct buf got = BUF_INIT;

		assert_non_null(j);
		want = json_dumps(j, JSON_COMPACT);
		assert_non_null(want);
		assert_int_equal(buf_puts(&got, "prefix"), 0);
		assert_int_equal(briefing_dump(b, t, &got), 0);
		if (strcmp(buf_str(&got) + 6, want) != 0)
			fail_msg("with_turns=%d\n got: %s\nwant: %s", t,
				 buf_str(&got) + 6, want);
		free(want);
		json_decref(j);
		buf_free(&got);
	}
	assert_record_path_matches(b);
}

static void
test_direct_dump_writes_the_bytes_jansson_writes(void **state)
{
	static const char *const odd[] = {
		"plain", "", "quote \" back\\slash /slash",
		"\b\f\n\r\t\x01\x1f\x7f", "caf\xc3\xa9 \xe2\x80\x94 "
		"\xf0\x9f\x98\x80 \xe2\x80\xa8",
		"bad \xff byte", "overlong \xc0\xaf", "surrogate \xed\xa0\x80",
		"cut \xe2\x80", "too big \xf4\x90\x80\x80",
	};
	struct briefing *b = sample();
	size_t i;

	(void)state;
	assert_dump_matches_jansson(b);
	b->id = 9007199254740993LL;
	assert_dump_matches_jansson(b); /* an id and no feed */
	b->feed = strdup("nato");
	assert_dump_matches_jansson(b);
	b->id = 0;
	assert_dump_matches_jansson(b); /* a feed and no id */
	b->id = 9007199254740993LL;
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		free(b->title);
		b->title = strdup(odd[i]);
		free(b->turns[1].outlet);
		b->turns[1].outlet = strdup(odd[i]);
		free(b->speakers[1].name);
		b->speakers[1].name = strdup(odd[i]);
		assert_dump_matches_jansson(b);
	}
	briefing_free(b);
	b = briefing_new();
	assert_non_null(b);
	assert_dump_matches_jansson(b); /* every field absent */
	b->kind = BRIEFING_RELEASE;
	assert_int_equal(briefing_add_turn(b, TURN_QUESTION, NULL, NULL, NULL,
					   NULL, NULL), 0);
	assert_dump_matches_jansson(b);
	briefing_free(b);
}

/* buf_json_string against jansson on many random strings: the bytes
 * that matter (controls, quotes, backslashes, UTF-8 lead and continuation
 * bytes, invalid ones) at every offset of an 8-byte scan. */
static void
test_json_string_matches_jansson_on_random_bytes(void **state)
{
	static const unsigned char pick[] = {
		'a', 'Z', ' ', '/', '"', '\\', 0x01, 0x1f, '\n', '\t', 0x7f,
		0x80, 0xbf, 0xc2, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xed, 0xa0,
		0xf0, 0x9f, 0x98, 0x80, 0xf4, 0x90, 0xff, 0xc0,
	};
	unsigned long seed = 12345;
	char str[48];
	int i, k;

	(void)state;
	for (i = 0; i < 200000; i++) {
		struct buf got = BUF_INIT;
		json_t *j;
		int len, r;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		len = (int)((seed >> 33) % 40);
		for (k = 0; k < len; k++) {
			seed = seed * 6364136223846793005UL +
			       1442695040888963407UL;
			/* mostly plain text, so runs cross 8-byte lanes */
			str[k] = (seed >> 60) < 10
				? (char)('a' + (seed >> 40) % 26)
				: (char)pick[(seed >> 35) % sizeof(pick)];
		}
		str[len] = '\0';
		j = json_string(str);
		r = buf_json_string(&got, str);
		if (!j) {
			assert_int_equal(r, -EILSEQ);
			assert_int_equal(got.len, 0);
		} else {
			char *want = json_dumps(j, JSON_COMPACT |
						JSON_ENCODE_ANY);

			assert_int_equal(r, 0);
			if (strcmp(buf_str(&got), want) != 0)
				fail_msg("got %s want %s", buf_str(&got),
					 want);
			free(want);
			json_decref(j);
		}
		buf_free(&got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_serialises_in_contract_order_with_nulls),
		cmocka_unit_test(test_record_survives_a_json_round_trip),
		cmocka_unit_test(test_from_json_rejects_wrong_types),
		cmocka_unit_test(test_kind_names_round_trip),
		cmocka_unit_test(test_buf_appends_formats_and_escapes),
		cmocka_unit_test(
			test_direct_dump_writes_the_bytes_jansson_writes),
		cmocka_unit_test(
			test_json_string_matches_jansson_on_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
