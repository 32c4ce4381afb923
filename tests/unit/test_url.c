/* test_url — resolution, link safety, tracking parameters, dedupe keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "url.h"

#define EXPECT(call, want) do { char *s_ = (call); \
	assert_non_null(s_); assert_string_equal(s_, want); free(s_); } while (0)

static void
test_resolve_follows_rfc3986_examples(void **state)
{
	static const char *const cases[][2] = {
		{"g", "http://a/b/c/g"}, {"./g", "http://a/b/c/g"},
		{"g/", "http://a/b/c/g/"}, {"/g", "http://a/g"},
		{"//g", "http://g"}, {"?y", "http://a/b/c/d;p?y"},
		{"g?y", "http://a/b/c/g?y"}, {"#s", "http://a/b/c/d;p?q#s"},
		{"", "http://a/b/c/d;p?q"}, {".", "http://a/b/c/"},
		{"..", "http://a/b/"}, {"../g", "http://a/b/g"},
		{"../../g", "http://a/g"}, {"../../../g", "http://a/g"},
		{"/./g", "http://a/g"}, {"g/../h", "http://a/b/c/h"},
		{"g;x=1/../y", "http://a/b/c/y"}, {"g:h", "g:h"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *r = url_resolve("http://a/b/c/d;p?q", cases[i][0]);
		assert_non_null(r);
		assert_string_equal(r, cases[i][1]);
		free(r);
	}
}

static void
test_resolve_without_base_keeps_the_reference(void **state)
{
	(void)state;
	EXPECT(url_resolve(NULL, "  /x/y  "), "/x/y");
}

/* Found by fuzzing: ".." as the very first output segment, against a base
 * without scheme or authority, wrote through a NULL buffer. */
static void
test_resolve_dot_dot_first_against_bare_base(void **state)
{
	(void)state;
	EXPECT(url_resolve("x", "/../g"), "/g");
	EXPECT(url_resolve("x", ".."), "");
}

static void
test_url_safety_by_scheme(void **state)
{
	(void)state;
	assert_true(url_is_safe("https://x"));
	assert_true(url_is_safe("mailto:a@b"));
	assert_true(url_is_safe("relative/path:colon-later"));
	assert_false(url_is_safe("javascript:x"));
	assert_false(url_is_safe("vbscript:x"));
	assert_false(url_is_safe("data:text/html,x"));
}

static void
test_tracking_parameters_are_known_case_insensitively(void **state)
{
	(void)state;
	assert_true(url_is_tracking_param("utm_source", 10));
	assert_true(url_is_tracking_param("UTM_Medium", 10));
	assert_true(url_is_tracking_param("fbclid", 6));
	assert_true(url_is_tracking_param("gclid", 5));
	assert_true(url_is_tracking_param("mc_cid", 6));
	assert_true(url_is_tracking_param("mc_eid", 6));
	assert_false(url_is_tracking_param("utm", 3));
	assert_false(url_is_tracking_param("id", 2));
	assert_false(url_is_tracking_param("page", 4));
	/* only the name counts, not what follows it */
	assert_false(url_is_tracking_param("fbclidx", 7));
}

static void
test_strip_tracking_keeps_everything_else(void **state)
{
	(void)state;
	EXPECT(url_strip_tracking("https://x/a?utm_source=rss"), "https://x/a");
	EXPECT(url_strip_tracking("https://x/a?utm_source=rss&utm_medium=feed"
				  "&id=7#top"),
	       "https://x/a?id=7#top");
	EXPECT(url_strip_tracking("https://X/a?p=1;fbclid=Z;q=2&gclid=y&r"),
	       "https://X/a?p=1;q=2&r");
	EXPECT(url_strip_tracking("https://x/a?b=1&mc_cid=2&mc_eid=3"),
	       "https://x/a?b=1");
	/* No tracking parameter: the URL as it was, odd or not. */
	EXPECT(url_strip_tracking("https://x/a?b=1&&c=2#utm_source=x"),
	       "https://x/a?b=1&&c=2#utm_source=x");
	EXPECT(url_strip_tracking("https://x/a"), "https://x/a");
	/* A '?' after the fragment mark is the fragment's. */
	EXPECT(url_strip_tracking("https://x/a#f?utm_source=x"),
	       "https://x/a#f?utm_source=x");
}

static void
test_key_drops_scheme_port_fragment_and_tracking(void **state)
{
	(void)state;
	EXPECT(url_key("https://Example.COM:443/A?utm_source=rss&x=1#f"),
	       "example.com/A?x=1");
	EXPECT(url_key("http://example.com:80"), "example.com/");
	EXPECT(url_key("http://example.com:8080/a;b?fbclid=1;c=2"),
	       "example.com:8080/a;b?c=2");
	EXPECT(url_key("/relative?gclid=1"), "/relative");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_follows_rfc3986_examples),
		cmocka_unit_test(test_resolve_without_base_keeps_the_reference),
		cmocka_unit_test(test_resolve_dot_dot_first_against_bare_base),
		cmocka_unit_test(test_url_safety_by_scheme),
		cmocka_unit_test(test_tracking_parameters_are_known_case_insensitively),
		cmocka_unit_test(test_strip_tracking_keeps_everything_else),
		cmocka_unit_test(test_key_drops_scheme_port_fragment_and_tracking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
