/* Unit tests for opml.c: OPML 1.x/2.0 feed lists in, OPML 2.0 out, names
 * fit for [feed NAME], and the refusals (non-http, entities, bounds). */
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
#include "opml.h"

static void
load(const char *name, struct buf *out)
{
	char path[512], chunk[8192];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/opml/%s", BW_SRCDIR,
		 name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(out, chunk, n), 0);
	fclose(f);
}

static void
parse_file_ok(const char *name, const struct opml_opts *o,
	      struct opml_list *l)
{
	struct buf b = BUF_INIT;
	char *err = NULL;
	int r;

	load(name, &b);
	r = opml_parse(b.data, b.len, o, l, &err);
	if (r != 0)
		fail_msg("%s: %s", name, err ? err : "?");
	assert_null(err);
	buf_free(&b);
}

static char *
parse_text_err(const char *text, size_t len, int want)
{
	struct opml_list l;
	char *err = NULL;

	assert_int_equal(opml_parse(text, len, NULL, &l, &err), want);
	assert_int_equal(l.n, 0);
	assert_null(l.feeds);
	assert_non_null(err);
	return err;
}

static char *
parse_file_err(const char *name, int want)
{
	struct buf b = BUF_INIT;
	char *err;

	load(name, &b);
	err = parse_text_err(b.data, b.len, want);
	buf_free(&b);
	return err;
}

static void
test_opml1_categories_are_walked_and_feeds_named_from_titles(void **state)
{
	struct opml_list l;

	(void)state;
	parse_file_ok("opml1-categories.opml", NULL, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.feeds[0].name, "nato-news");
	assert_string_equal(l.feeds[0].title, "NATO - News");
	assert_string_equal(l.feeds[0].url,
			    "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml");
	assert_string_equal(l.feeds[0].category, "Government");
	assert_string_equal(l.feeds[1].name,
			    "briefings-statements-the-white-house");
	assert_string_equal(l.feeds[1].title,
			    "Briefings & Statements | The White House");
	assert_string_equal(l.feeds[2].name, "press-releases");
	assert_string_equal(l.feeds[2].category, "Departments");
	assert_int_equal(l.skipped_nourl, 0);
	opml_list_free(&l);
}

static void
test_escaped_ampersands_in_xmlurl_are_decoded_once(void **state)
{
	struct opml_list l;

	(void)state;
	parse_file_ok("opml1-categories.opml", NULL, &l);
	assert_string_equal(l.feeds[2].url,
			    "https://www.defense.gov/DesktopModules/ArticleCS/RSS.ashx?ContentType=9&Site=945&max=10");
	opml_list_free(&l);
}

static void
test_opml2_nested_outlines_at_any_depth_are_feeds(void **state)
{
	struct opml_list l;

	(void)state;
	parse_file_ok("opml2-nested.opml", NULL, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.feeds[0].name, "nato-press-releases");
	assert_string_equal(l.feeds[0].category, "Europe/Security/Alliance");
	/* Whitespace around the attribute value is not part of the URL. */
	assert_string_equal(l.feeds[0].url,
			    "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml?type=press_release");
	assert_string_equal(l.feeds[1].name, "gov.uk-ministry-of-defence");
	assert_string_equal(l.feeds[1].category, "Europe");
	assert_string_equal(l.feeds[1].url,
			    "https://www.gov.uk/search/news-and-communications.atom?organisations%5B%5D=ministry-of-defence&content_store_document_type=speeches");
	assert_null(l.feeds[2].category);
	opml_list_free(&l);
}

static void
test_text_is_used_when_title_is_missing_or_empty(void **state)
{
	struct opml_list l;

	(void)state;
	parse_file_ok("opml2-nested.opml", NULL, &l);
	assert_string_equal(l.feeds[2].title, "UN Press");
	assert_string_equal(l.feeds[2].name, "un-press");
	opml_list_free(&l);
}

static void
test_outlines_without_xmlurl_are_skipped_and_counted(void **state)
{
	struct opml_list l;

	(void)state;
	parse_file_ok("opml2-nested.opml", NULL, &l);
	/* The note leaf and the empty xmlUrl; categories are not counted. */
	assert_int_equal(l.skipped_nourl, 2);
	opml_list_free(&l);
}

static void
test_a_url_repeated_in_the_document_is_kept_once(void **state)
{
	struct opml_list l;

	(void)state;
	parse_file_ok("opml2-nested.opml", NULL, &l);
	assert_int_equal(l.skipped_dup, 1);
	assert_string_equal(l.feeds[2].url, "https://press.un.org/en/rss.xml");
	opml_list_free(&l);
}

static void
test_non_http_url_rejects_the_document_naming_the_outline(void **state)
{
	char *err = parse_file_err("non-http.opml", -EINVAL);

	(void)state;
	assert_non_null(strstr(err, "\"Local archive\""));
	assert_non_null(strstr(err, "line 6"));
	assert_non_null(strstr(err, "file:///home/desk/feeds/archive.xml"));
	assert_non_null(strstr(err, "http:// or https://"));
	free(err);
}

static void
test_a_url_with_a_control_character_is_rejected(void **state)
{
	static const char doc[] =
		"<opml version=\"2.0\"><body><outline text=\"Tab\" "
		"xmlUrl=\"https://example.org/a&#9;b\"/></body></opml>";
	char *err = parse_text_err(doc, sizeof(doc) - 1, -EINVAL);

	(void)state;
	assert_non_null(strstr(err, "\"Tab\""));
	free(err);
}

static void
test_an_entity_declaration_is_refused(void **state)
{
	char *err = parse_file_err("entity.opml", -EINVAL);

	(void)state;
	assert_non_null(strstr(err, "entit"));
	assert_non_null(strstr(err, "line 3"));
	free(err);
}

static void
test_an_external_entity_is_refused_without_fetching(void **state)
{
	static const char doc[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE opml [\n"
		"<!ENTITY x SYSTEM \"http://127.0.0.1:9/secret\">]>\n"
		"<opml version=\"2.0\"><body><outline text=\"&x;\" "
		"xmlUrl=\"https://example.org/feed\"/></body></opml>";
	char *err = parse_text_err(doc, sizeof(doc) - 1, -EINVAL);

	(void)state;
	assert_non_null(strstr(err, "\"x\""));
	free(err);
}

static void
test_slug_collisions_get_numbered_suffixes(void **state)
{
	struct opml_list l;

	(void)state;
	parse_file_ok("collisions.opml", NULL, &l);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.feeds[0].name, "press-releases");
	assert_string_equal(l.feeds[1].name, "press-releases-2");
	assert_string_equal(l.feeds[2].name, "press-releases-3");
	/* A title that already is a valid name is kept as it is. */
	assert_string_equal(l.feeds[3].name, "nato");
	/* Nothing left of the title: the host names the feed. */
	assert_string_equal(l.feeds[4].name, "whitehouse.gov");
	opml_list_free(&l);
}

static void
test_names_avoid_configured_feeds_without_regard_to_case(void **state)
{
	static const char *const taken[] = {"NATO", "press-releases"};
	struct opml_opts o = {taken, 2, NULL, 0};
	struct opml_list l;

	(void)state;
	parse_file_ok("collisions.opml", &o, &l);
	assert_string_equal(l.feeds[0].name, "press-releases-2");
	assert_string_equal(l.feeds[1].name, "press-releases-3");
	assert_string_equal(l.feeds[2].name, "press-releases-4");
	assert_string_equal(l.feeds[3].name, "nato-2");
	opml_list_free(&l);
}

static void
test_configured_urls_are_skipped_without_taking_a_name(void **state)
{
	static const char *const known[] = {
		"https://www.state.gov/rss-feed/press-releases/feed/",
	};
	struct opml_opts o = {NULL, 0, known, 1};
	struct opml_list l;

	(void)state;
	parse_file_ok("collisions.opml", &o, &l);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.skipped_known, 1);
	assert_string_equal(l.feeds[0].url,
			    "https://www.defense.gov/News/Releases/rss/");
	assert_string_equal(l.feeds[0].name, "press-releases");
	opml_list_free(&l);
}

static void
test_latin1_document_titles_fold_to_ascii_slugs(void **state)
{
	struct opml_list l;

	(void)state;
	parse_file_ok("latin1.opml", NULL, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.feeds[0].name, "ministere-des-armees-actualites");
	/* The title itself is kept, as UTF-8. */
	assert_string_equal(l.feeds[0].title,
			    "Minist\xc3\xa8re des Arm\xc3\xa9""es \xc2\xab Actualit\xc3\xa9s \xc2\xbb");
	opml_list_free(&l);
}

static void
test_long_titles_are_cut_to_valid_names(void **state)
{
	struct buf doc = BUF_INIT;
	struct opml_list l;
	char *err = NULL;
	int i;

	(void)state;
	assert_int_equal(buf_puts(&doc, "<opml version=\"2.0\"><body>"), 0);
	for (i = 0; i < 12; i++)
		assert_int_equal(buf_printf(&doc,
			"<outline text=\"Statements and releases of the"
			" Permanent Mission to the United Nations in Geneva\""
			" xmlUrl=\"https://example.org/%d\"/>", i), 0);
	assert_int_equal(buf_puts(&doc, "</body></opml>"), 0);
	assert_int_equal(opml_parse(doc.data, doc.len, NULL, &l, &err), 0);
	assert_int_equal(l.n, 12);
	for (i = 0; i < 12; i++) {
		assert_true(opml_valid_name(l.feeds[i].name));
		assert_true(l.feeds[i].name[strlen(l.feeds[i].name) - 1] != '-');
	}
	assert_string_equal(l.feeds[11].name,
			    "statements-and-releases-of-the-permanent-mission-to-the-12");
	opml_list_free(&l);
	buf_free(&doc);
}

static void
test_a_document_that_is_not_opml_is_refused(void **state)
{
	char *err = parse_file_err("not-opml.xml", -EINVAL);

	(void)state;
	assert_non_null(strstr(err, "<rss>"));
	free(err);
}

static void
test_malformed_xml_is_refused_with_its_line(void **state)
{
	char *err = parse_file_err("malformed.opml", -EINVAL);

	(void)state;
	assert_non_null(strstr(err, "not well-formed"));
	assert_non_null(strstr(err, "line 5"));
	free(err);
}

static void
test_empty_input_is_refused(void **state)
{
	char *err = parse_text_err("", 0, -EINVAL);

	(void)state;
	free(err);
}

static void
test_more_feeds_than_the_bound_are_refused(void **state)
{
	struct buf doc = BUF_INIT;
	char *err;
	int i;

	(void)state;
	assert_int_equal(buf_puts(&doc, "<opml version=\"2.0\"><body>"), 0);
	for (i = 0; i <= OPML_MAX_FEEDS; i++)
		assert_int_equal(buf_printf(&doc,
			"<outline xmlUrl=\"https://e.org/%d\"/>", i), 0);
	assert_int_equal(buf_puts(&doc, "</body></opml>"), 0);
	err = parse_text_err(doc.data, doc.len, -EFBIG);
	assert_non_null(strstr(err, "more than"));
	free(err);
	buf_free(&doc);
}

static void
test_input_over_the_size_bound_is_refused_unread(void **state)
{
	size_t n = OPML_MAX_BYTES + 1;
	char *big = malloc(n);
	char *err;

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "<opml>", 6);
	err = parse_text_err(big, n, -EFBIG);
	free(err);
	free(big);
}

static void
test_deep_nesting_is_refused(void **state)
{
	struct buf doc = BUF_INIT;
	char *err;
	int i;

	(void)state;
	assert_int_equal(buf_puts(&doc, "<opml><body>"), 0);
	for (i = 0; i < 300; i++)
		assert_int_equal(buf_puts(&doc, "<outline text=\"c\">"), 0);
	err = parse_text_err(doc.data, doc.len, -EFBIG);
	assert_non_null(strstr(err, "nested"));
	free(err);
	buf_free(&doc);
}

static void
test_written_opml_escapes_and_parses_back(void **state)
{
	static const struct opml_feed in[] = {
		{(char *)"nato", (char *)"https://www.nato.int/rss.xml?a=1&b=<2>\"", NULL, NULL, 0},
		{(char *)"state.gov_press", (char *)"http://www.state.gov/feed/", NULL, NULL, 0},
	};
	struct buf out = BUF_INIT;
	struct opml_list l;
	char *err = NULL;

	(void)state;
	assert_int_equal(opml_write(in, 2, "briefwatch feeds & more", &out), 0);
	assert_non_null(strstr(out.data, "<opml version=\"2.0\">"));
	assert_non_null(strstr(out.data, "<title>briefwatch feeds &amp; more</title>"));
	assert_non_null(strstr(out.data,
		"xmlUrl=\"https://www.nato.int/rss.xml?a=1&amp;b=&lt;2&gt;&quot;\""));
	assert_int_equal(opml_parse(out.data, out.len, NULL, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.feeds[0].name, "nato");
	assert_string_equal(l.feeds[0].url, in[0].url);
	assert_string_equal(l.feeds[1].name, "state.gov_press");
	assert_string_equal(l.feeds[1].url, in[1].url);
	opml_list_free(&l);
	buf_free(&out);
}

static void
test_written_opml_replaces_bytes_xml_cannot_carry(void **state)
{
	static const struct opml_feed in[] = {
		{(char *)"x", (char *)"https://e.org/\x01\xff\xc3\xa9", NULL, NULL, 0},
	};
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(opml_write(in, 1, NULL, &out), 0);
	assert_non_null(strstr(out.data,
		"xmlUrl=\"https://e.org/\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\""));
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opml1_categories_are_walked_and_feeds_named_from_titles),
		cmocka_unit_test(test_escaped_ampersands_in_xmlurl_are_decoded_once),
		cmocka_unit_test(test_opml2_nested_outlines_at_any_depth_are_feeds),
		cmocka_unit_test(test_text_is_used_when_title_is_missing_or_empty),
		cmocka_unit_test(test_outlines_without_xmlurl_are_skipped_and_counted),
		cmocka_unit_test(test_a_url_repeated_in_the_document_is_kept_once),
		cmocka_unit_test(test_non_http_url_rejects_the_document_naming_the_outline),
		cmocka_unit_test(test_a_url_with_a_control_character_is_rejected),
		cmocka_unit_test(test_an_entity_declaration_is_refused),
		cmocka_unit_test(test_an_external_entity_is_refused_without_fetching),
		cmocka_unit_test(test_slug_collisions_get_numbered_suffixes),
		cmocka_unit_test(test_names_avoid_configured_feeds_without_regard_to_case),
		cmocka_unit_test(test_configured_urls_are_skipped_without_taking_a_name),
		cmocka_unit_test(test_latin1_document_titles_fold_to_ascii_slugs),
		cmocka_unit_test(test_long_titles_are_cut_to_valid_names),
		cmocka_unit_test(test_a_document_that_is_not_opml_is_refused),
		cmocka_unit_test(test_malformed_xml_is_refused_with_its_line),
		cmocka_unit_test(test_empty_input_is_refused),
		cmocka_unit_test(test_more_feeds_than_the_bound_are_refused),
		cmocka_unit_test(test_input_over_the_size_bound_is_refused_unread),
		cmocka_unit_test(test_deep_nesting_is_refused),
		cmocka_unit_test(test_written_opml_escapes_and_parses_back),
		cmocka_unit_test(test_written_opml_replaces_bytes_xml_cannot_carry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
