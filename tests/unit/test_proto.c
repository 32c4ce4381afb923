/* Unit tests for proto: decoding client lines, encoding server lines. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "proto.h"

struct bad_case {
	const char *line;
	const char *code;
};

/* Lines a client could send that must be refused, with the error code. */
static const struct bad_case bad_cases[] = {
	{"", "bad_json"},
	{"not json", "bad_json"},
	{"{\"op\":\"ping\"", "bad_json"},
	{"[1,2,3]", "bad_json"},
	{"\"subscribe\"", "bad_json"},
	{"42", "bad_json"},
	{"null", "bad_json"},
	{"{\"op\":\"ping\"} trailing", "bad_json"},
	{"{\"op\":\"ping\",\"op\":\"status\"}", "bad_json"},
	{"{\"op\":\"p\\u0000ng\"}", "bad_json"},
	{"{}", "bad_request"},
	{"{\"op\":7}", "bad_request"},
	{"{\"op\":null}", "bad_request"},
	{"{\"op\":\"SUBSCRIBE\"}", "unknown_op"},
	{"{\"op\":\"drop_tables\"}", "unknown_op"},
	{"{\"op\":\"subscribe\",\"since\":-5}", "bad_request"},
	{"{\"op\":\"subscribe\",\"since\":\"10\"}", "bad_request"},
	{"{\"op\":\"subscribe\",\"since\":1.5}", "bad_request"},
	/* issue #22 item 5: answered "expired":-9223372036854775808 */
	{"{\"op\":\"subscribe\",\"since\":9223372036854775807}",
	 "bad_request"},
	{"{\"op\":\"subscribe\",\"since\":9007199254740992}", "bad_request"},
	/* issue #22 item 15: gave an empty result instead */
	{"{\"op\":\"search\",\"since\":\"yesterday\"}", "bad_request"},
	{"{\"op\":\"search\",\"until\":\"2026-13\"}", "bad_request"},
	{"{\"op\":\"search\",\"until\":\"2026-02-30\"}", "bad_request"},
	{"{\"op\":\"subscribe\",\"feeds\":\"nato\"}", "bad_request"},
	{"{\"op\":\"subscribe\",\"feeds\":[\"nato\",3]}", "bad_request"},
	{"{\"op\":\"subscribe\",\"feeds\":[\"\"]}", "bad_request"},
	{"{\"op\":\"subscribe\",\"speakers\":[{\"name\":\"x\"}]}",
	 "bad_request"},
	{"{\"op\":\"subscribe\",\"kinds\":[\"podcast\"]}", "bad_request"},
	{"{\"op\":\"subscribe\",\"query\":42}", "bad_request"},
	/* red-team pass 2: "lang" was ignored; now a filter, checked */
	{"{\"op\":\"subscribe\",\"lang\":\"english\"}", "bad_request"},
	{"{\"op\":\"subscribe\",\"lang\":[\"en-GB\"]}", "bad_request"},
	{"{\"op\":\"subscribe\",\"lang\":[\"e\"]}", "bad_request"},
	{"{\"op\":\"subscribe\",\"lang\":[\"und\"]}", "bad_request"},
	{"{\"op\":\"subscribe\",\"lang\":[\"fr\",7]}", "bad_request"},
	{"{\"op\":\"subscribe\",\"lang\":{\"en\":1}}", "bad_request"},
	{"{\"op\":\"subscribe\",\"lang\":[\"\u00e9n\"]}", "bad_request"},
	{"{\"op\":\"subscribe\",\"query\":\"\"}", "bad_request"},
	{"{\"op\":\"search\",\"limit\":0}", "bad_request"},
	{"{\"op\":\"search\",\"limit\":1001}", "bad_request"},
	{"{\"op\":\"search\",\"limit\":\"5\"}", "bad_request"},
	{"{\"op\":\"search\",\"kind\":\"novel\"}", "bad_request"},
	{"{\"op\":\"search\",\"speaker\":[\"x\"]}", "bad_request"},
	{"{\"op\":\"get\"}", "bad_request"},
	{"{\"op\":\"get\",\"id\":\"17\"}", "bad_request"},
	{"{\"op\":\"get\",\"id\":0}", "bad_request"},
	{"{\"op\":\"poll\",\"feed\":1}", "bad_request"},
	{"{\"op\":\"status\",\"id\":{\"a\":1}}", "bad_request"},
	{"{\"op\":\"status\",\"id\":[1]}", "bad_request"},
	{"{\"op\":\"add_feed\",\"url\":\"https://a.example/f\"}",
	 "bad_request"},
	{"{\"op\":\"add_feed\",\"feed\":\"a\"}", "bad_request"},
	{"{\"op\":\"add_feed\",\"feed\":\"a\",\"url\":\"https://a/\","
	 "\"fetch_pages\":\"yes\"}", "bad_request"},
	{"{\"op\":\"add_feed\",\"feed\":\"a\",\"url\":\"https://a/\","
	 "\"interval\":900}", "bad_request"},
	{"{\"op\":\"remove_feed\"}", "bad_request"},
	{"{\"op\":\"remove_feed\",\"feed\":[\"a\"]}", "bad_request"},
};

static void
test_malformed_and_invalid_lines_are_refused_with_their_code(void **state)
{
	struct proto_req req;
	const char *code, *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const char *l = bad_cases[i].line;

		code = why = NULL;
		if (proto_decode(l, strlen(l), &req, &code, &why) != -EINVAL)
			fail_msg("accepted: %s", l);
		if (!code || strcmp(code, bad_cases[i].code) != 0)
			fail_msg("%s: code %s, want %s", l,
				 code ? code : "(null)", bad_cases[i].code);
		assert_non_null(why);
		assert_null(req.id);
		assert_null(req.feeds);
	}
}

static void
test_subscribe_with_all_filters_decodes_every_field(void **state)
{
	const char *l = "{\"op\":\"subscribe\",\"since\":1041,\"id\":\"a1\","
			"\"feeds\":[\"nato\",\"un\"],\"speakers\":"
			"[\"Stoltenberg\"],\"kinds\":[\"transcript\","
			"\"speech\"],\"query\":\"cyber OR sanctions\","
			"\"future_field\":true}";
	struct proto_req req;
	const char *code, *why;

	(void)state;
	assert_int_equal(proto_decode(l, strlen(l), &req, &code, &why), 0);
	assert_int_equal(req.op, PROTO_SUBSCRIBE);
	assert_int_equal(req.since, 1041);
	assert_string_equal(json_string_value(req.id), "a1");
	assert_int_equal(req.nfeeds, 2);
	assert_string_equal(req.feeds[0], "nato");
	assert_string_equal(req.feeds[1], "un");
	assert_int_equal(req.nspeakers, 1);
	assert_string_equal(req.speakers[0], "Stoltenberg");
	assert_int_equal(req.nkinds, 2);
	assert_string_equal(req.kinds[1], "speech");
	assert_string_equal(req.query, "cyber OR sanctions");
	proto_req_clear(&req);
	assert_null(req.feeds);
	assert_int_equal(req.since, -1);
}

/* subscribe's "lang" (red-team pass 2: it was silently ignored): one
 * code or an array, lower-cased; other unknown keys stay ignored, as
 * docs/protocol.md promises newer clients. */
static void
test_subscribe_lang_is_a_filter_list(void **state)
{
	const char *one = "{\"op\":\"subscribe\",\"lang\":\"EN\"}",
		   *two = "{\"op\":\"subscribe\",\"lang\":[\"fr\",\"Deu\"],"
			  "\"langs_v9\":[1]}";
	struct proto_req req;
	const char *code, *why;

	(void)state;
	assert_int_equal(proto_decode(one, strlen(one), &req, &code, &why), 0);
	assert_int_equal(req.nlangs, 1);
	assert_string_equal(req.langs[0], "en");
	assert_null(req.lang);
	proto_req_clear(&req);
	assert_null(req.langs);
	assert_int_equal(req.nlangs, 0);
	assert_int_equal(proto_decode(two, strlen(two), &req, &code, &why), 0);
	assert_int_equal(req.nlangs, 2);
	assert_string_equal(req.langs[0], "fr");
	assert_string_equal(req.langs[1], "deu");
	proto_req_clear(&req);
}

static void
test_add_and_remove_feed_decode_and_are_privileged(void **state)
{
	const char *add = "{\"op\":\"add_feed\",\"feed\":\"nato\","
			  "\"url\":\"https://www.nato.int/rss.xml\","
			  "\"profile\":\"nato\",\"interval\":\"15m\","
			  "\"fetch_pages\":false}";
	const char *min = "{\"op\":\"add_feed\",\"feed\":\"x\","
			  "\"url\":\"https://x.example/\"}";
	const char *rm = "{\"op\":\"remove_feed\",\"feed\":\"nato\"}";
	struct proto_req req;
	const char *code, *why;

	(void)state;
	assert_int_equal(proto_decode(add, strlen(add), &req, &code, &why), 0);
	assert_int_equal(req.op, PROTO_ADD_FEED);
	assert_true(proto_is_privileged(req.op));
	assert_string_equal(req.poll_feed, "nato");
	assert_string_equal(req.feed_url, "https://www.nato.int/rss.xml");
	assert_string_equal(req.feed_profile, "nato");
	assert_string_equal(req.feed_interval, "15m");
	assert_int_equal(req.feed_fetch_pages, 0);
	proto_req_clear(&req);
	assert_int_equal(proto_decode(min, strlen(min), &req, &code, &why), 0);
	assert_null(req.feed_profile);
	assert_null(req.feed_interval);
	assert_int_equal(req.feed_fetch_pages, -1);
	proto_req_clear(&req);
	assert_int_equal(proto_decode(rm, strlen(rm), &req, &code, &why), 0);
	assert_int_equal(req.op, PROTO_REMOVE_FEED);
	assert_true(proto_is_privileged(req.op));
	assert_string_equal(req.poll_feed, "nato");
	assert_string_equal(proto_op_name(req.op), "remove_feed");
	proto_req_clear(&req);
}

static void
test_subscribe_without_since_means_live_only(void **state)
{
	const char *l1 = "{\"op\":\"subscribe\"}";
	const char *l2 = "{\"op\":\"subscribe\",\"since\":null,\"feeds\":[]}";
	const char *l3 = "{\"op\":\"subscribe\",\"since\":0}";
	struct proto_req req;
	const char *code, *why;

	(void)state;
	assert_int_equal(proto_decode(l1, strlen(l1), &req, &code, &why), 0);
	assert_int_equal(req.since, -1);
	assert_int_equal(req.nfeeds, 0);
	proto_req_clear(&req);
	assert_int_equal(proto_decode(l2, strlen(l2), &req, &code, &why), 0);
	assert_int_equal(req.since, -1);
	assert_null(req.feeds);
	proto_req_clear(&req);
	assert_int_equal(proto_decode(l3, strlen(l3), &req, &code, &why), 0);
	assert_int_equal(req.since, 0);
	proto_req_clear(&req);
}

static void
test_search_get_and_poll_decode_their_arguments(void **state)
{
	const char *s = "{\"op\":\"search\",\"query\":\"sanctions NEAR/5 "
			"Russia\",\"speaker\":\"Mikser\",\"limit\":10,"
			"\"since\":\"2014-01-01\",\"kind\":\"transcript\"}";
	const char *g = "{\"op\":\"get\",\"id\":17}";
	const char *p = "{\"op\":\"poll\",\"feed\":\"nato\"}";
	const char *p2 = "{\"op\":\"poll\"}";
	struct proto_req req;
	const char *code, *why;

	(void)state;
	assert_int_equal(proto_decode(s, strlen(s), &req, &code, &why), 0);
	assert_int_equal(req.op, PROTO_SEARCH);
	assert_string_equal(req.query, "sanctions NEAR/5 Russia");
	assert_string_equal(req.speaker, "Mikser");
	assert_string_equal(req.date_since, "2014-01-01");
	assert_string_equal(req.kind, "transcript");
	assert_null(req.feed);
	assert_int_equal(req.limit, 10);
	proto_req_clear(&req);

	assert_int_equal(proto_decode(g, strlen(g), &req, &code, &why), 0);
	assert_int_equal(req.op, PROTO_GET);
	assert_int_equal(req.get_id, 17);
	proto_req_clear(&req);

	assert_int_equal(proto_decode(p, strlen(p), &req, &code, &why), 0);
	assert_int_equal(req.op, PROTO_POLL);
	assert_true(proto_is_privileged(req.op));
	assert_string_equal(req.poll_feed, "nato");
	proto_req_clear(&req);
	assert_int_equal(proto_decode(p2, strlen(p2), &req, &code, &why),
			 -EINVAL);
	assert_string_equal(code, "bad_request");
}

static void
test_only_poll_and_reload_are_privileged(void **state)
{
	(void)state;
	assert_true(proto_is_privileged(PROTO_POLL));
	assert_true(proto_is_privileged(PROTO_RELOAD));
	assert_false(proto_is_privileged(PROTO_SUBSCRIBE));
	assert_false(proto_is_privileged(PROTO_SEARCH));
	assert_false(proto_is_privileged(PROTO_STATUS));
	assert_string_equal(proto_op_name(PROTO_RELOAD), "reload");
}

static void
test_over_long_arrays_and_strings_are_refused(void **state)
{
	struct buf b = BUF_INIT;
	struct proto_req req;
	const char *code, *why;
	int i;

	(void)state;
	assert_int_equal(buf_puts(&b, "{\"op\":\"subscribe\",\"feeds\":["), 0);
	for (i = 0; i < PROTO_MAX_ITEMS; i++)
		assert_int_equal(buf_printf(&b, "%s\"f%d\"", i ? "," : "", i),
				 0);
	assert_int_equal(buf_puts(&b, "]}"), 0);
	assert_int_equal(proto_decode(b.data, b.len, &req, &code, &why), 0);
	assert_int_equal(req.nfeeds, PROTO_MAX_ITEMS);
	proto_req_clear(&req);

	b.len -= 2;
	assert_int_equal(buf_puts(&b, ",\"one-too-many\"]}"), 0);
	assert_int_equal(proto_decode(b.data, b.len, &req, &code, &why),
			 -EINVAL);
	assert_string_equal(code, "bad_request");

	buf_reset(&b);
	assert_int_equal(buf_puts(&b, "{\"op\":\"subscribe\",\"query\":\""), 0);
	for (i = 0; i < PROTO_MAX_QUERY + 1; i++)
		assert_int_equal(buf_putc(&b, 'x'), 0);
	assert_int_equal(buf_puts(&b, "\"}"), 0);
	assert_int_equal(proto_decode(b.data, b.len, &req, &code, &why),
			 -EINVAL);
	assert_string_equal(code, "bad_request");
	buf_free(&b);
}

static void
test_error_line_is_one_compact_line_echoing_the_id(void **state)
{
	json_t *id = json_integer(9);
	char *l;

	(void)state;
	l = proto_error_line("bad_request", "line\nbreak \"quoted\"", id);
	assert_non_null(l);
	assert_string_equal(l, "{\"type\":\"error\",\"code\":\"bad_request\","
			       "\"message\":\"line\\nbreak \\\"quoted\\\"\","
			       "\"id\":9}\n");
	free(l);
	l = proto_error_line("unknown_op", "unknown \"op\"", NULL);
	assert_string_equal(l, "{\"type\":\"error\",\"code\":\"unknown_op\","
			       "\"message\":\"unknown \\\"op\\\"\"}\n");
	free(l);
	json_decref(id);
}

static void
test_append_line_adds_exactly_one_newline(void **state)
{
	struct buf b = BUF_INIT;
	json_t *o = json_pack("{s:s, s:I}", "type", "heartbeat", "head",
			      (json_int_t)1057);

	(void)state;
	assert_int_equal(buf_puts(&b, "x\n"), 0);
	assert_int_equal(proto_append_line(&b, o), 0);
	assert_string_equal(buf_str(&b),
			    "x\n{\"type\":\"heartbeat\",\"head\":1057}\n");
	json_decref(o);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_malformed_and_invalid_lines_are_refused_with_their_code),
		cmocka_unit_test(
			test_subscribe_with_all_filters_decodes_every_field),
		cmocka_unit_test(test_subscribe_without_since_means_live_only),
		cmocka_unit_test(
			test_search_get_and_poll_decode_their_arguments),
		cmocka_unit_test(test_only_poll_and_reload_are_privileged),
		cmocka_unit_test(
			test_over_long_arrays_and_strings_are_refused),
		cmocka_unit_test(
			test_error_line_is_one_compact_line_echoing_the_id),
		cmocka_unit_test(test_append_line_adds_exactly_one_newline),
		cmocka_unit_test(
			test_add_and_remove_feed_decode_and_are_privileged),
		cmocka_unit_test(test_subscribe_lang_is_a_filter_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
