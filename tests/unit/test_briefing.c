/* Unit tests for briefing.c (the record and its JSON) and buf.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_serialises_in_contract_order_with_nulls),
		cmocka_unit_test(test_record_survives_a_json_round_trip),
		cmocka_unit_test(test_from_json_rejects_wrong_types),
		cmocka_unit_test(test_kind_names_round_trip),
		cmocka_unit_test(test_buf_appends_formats_and_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
