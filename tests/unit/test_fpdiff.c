/* test_fpdiff — the rules found by the differential test against
 * feedparser (tests/differential/): each test is one general rule, in the
 * smallest document that shows it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed.h"

static struct feed_doc *
parse(const char *s)
{
	char *err = NULL;
	struct feed_doc *d = NULL;
	int rc = feed_parse(s, strlen(s), NULL, NULL, NULL, &d, &err);

	if (rc)
		fail_msg("feed_parse: %d %s", rc, err ? err : "");
	assert_null(err);
	assert_non_null(d);
	return d;
}

/* Namespace URIs as real feeds spell them: no trailing slash, another
 * case. dc:creator and content:encoded are still read. */
static void
test_namespace_uri_without_trailing_slash(void **state)
{
	struct feed_doc *d = parse(
		"<?xml version=\"1.0\"?>"
		"<rss version=\"2.0\""
		" xmlns:content=\"http://purl.org/rss/1.0/modules/content\""
		" xmlns:dc=\"HTTP://purl.org/dc/elements/1.1\">"
		"<channel><title>t</title><item><title>a</title>"
		"<dc:creator>Jo Doe</dc:creator>"
		"<content:encoded><![CDATA[<p>Body</p>]]></content:encoded>"
		"<description>Short</description>"
		"</item></channel></rss>");

	(void)state;
	assert_int_equal(d->nentries, 1);
	assert_non_null(d->entries[0].author.name);
	assert_string_equal(d->entries[0].author.name, "Jo Doe");
	assert_non_null(d->entries[0].content);
	assert_string_equal(d->entries[0].content, "Body");
	assert_string_equal(d->entries[0].summary, "Short");
	feed_doc_free(d);
}

/* An unrelated namespace that merely shares a prefix of a known URI is
 * not read as that namespace. */
static void
test_namespace_uri_prefix_is_not_enough(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\""
		" xmlns:x=\"http://purl.org/dc/elements/1.1/extra\">"
		"<channel><title>t</title><item><title>a</title>"
		"<x:creator>Not An Author</x:creator>"
		"</item></channel></rss>");

	(void)state;
	assert_int_equal(d->nentries, 1);
	assert_null(d->entries[0].author.name);
	feed_doc_free(d);
}

/* Podcast feeds: itunes:author is the episode's author when it has no
 * other; itunes:summary is a summary like RSS <summary> (after a
 * description it is the content), as feedparser reads them. */
static void
test_itunes_author_and_summary(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\" xmlns:itunes="
		"\"http://www.itunes.com/dtds/podcast-1.0.dtd\">"
		"<channel><title>t</title>"
		"<item><title>a</title><itunes:author>Gimlet</itunes:author>"
		"<itunes:summary>Only text</itunes:summary></item>"
		"<item><title>b</title><description>Desc</description>"
		"<itunes:summary><![CDATA[Longer &amp; more]]></itunes:summary>"
		"</item></channel></rss>");

	(void)state;
	assert_int_equal(d->nentries, 2);
	assert_non_null(d->entries[0].author.name);
	assert_string_equal(d->entries[0].author.name, "Gimlet");
	assert_non_null(d->entries[0].summary);
	assert_string_equal(d->entries[0].summary, "Only text");
	assert_string_equal(d->entries[1].summary, "Desc");
	assert_non_null(d->entries[1].content);
	assert_string_equal(d->entries[1].content, "Longer & more");
	feed_doc_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_namespace_uri_without_trailing_slash),
		cmocka_unit_test(test_namespace_uri_prefix_is_not_enough),
		cmocka_unit_test(test_itunes_author_and_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
