/* test_sanitize — HTML to text, allowlist sanitizing (URLs: test_url.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sanitize.h"

static char *
html(const char *in, const char *base)
{
	struct buf b = BUF_INIT;

	assert_int_equal(sanitize_html(in, strlen(in), base, NULL, &b), 0);
	return buf_detach(&b);
}

static char *
text(const char *in)
{
	struct buf b = BUF_INIT;

	assert_int_equal(sanitize_html(in, strlen(in), NULL, &b, NULL), 0);
	return buf_detach(&b);
}

#define EXPECT(call, want) do { char *s_ = (call); \
	assert_string_equal(s_, want); free(s_); } while (0)

static void
test_text_drops_tags_script_and_style_and_folds_space(void **state)
{
	(void)state;
	EXPECT(text("<p>Good\n  <b>afternoon</b>.</p><script>x()</script>"
		    "<style>p{}</style><p>Q&amp;A &nbsp;now</p>"),
	       "Good afternoon. Q&A \xc2\xa0now");
}

static void
test_text_separates_blocks_but_not_inline_elements(void **state)
{
	(void)state;
	EXPECT(text("<p>one</p><p>two</p>wo<b>rd</b><br>three"),
	       "one two word three");
}

static void
test_html_keeps_allowlisted_markup_only(void **state)
{
	(void)state;
	EXPECT(html("<p class=\"x\" onclick=\"a()\" style=\"color:red\">"
		    "<b>hi</b><iframe src=\"//e\">fallback</iframe>"
		    "<object data=\"x.swf\"></object><form><input></form></p>",
		    NULL),
	       "<p class=\"x\"><b>hi</b>fallback</p>");
}

static void
test_html_removes_javascript_and_data_urls(void **state)
{
	(void)state;
	EXPECT(html("<a href=\"javascript:alert(1)\">a</a>"
		    "<a href=\" JaVa\tScRiPt:alert(1)\">b</a>"
		    "<img src=\"data:image/png;base64,AAAA\">", NULL),
	       "<a>a</a><a>b</a><img />");
}

static void
test_html_resolves_relative_urls_against_base(void **state)
{
	(void)state;
	EXPECT(html("<a href=\"../b/c.htm?q=1#f\">x</a><img src=\"p.jpg\">",
		    "https://ex.org/a/d/feed.xml"),
	       "<a href=\"https://ex.org/a/b/c.htm?q=1#f\">x</a>"
	       "<img src=\"https://ex.org/a/d/p.jpg\" />");
}

static void
test_html_escapes_text_and_attributes(void **state)
{
	(void)state;
	EXPECT(html("<p title='a\"b'>1 &lt; 2 &amp; 3</p>", NULL),
	       "<p title=\"a&quot;b\">1 &lt; 2 &amp; 3</p>");
}

static void
test_windows1252_c1_code_points_become_quotes(void **state)
{
	(void)state;
	EXPECT(text("don&#146;t"), "don\xe2\x80\x99t");
}

static void
test_fold_and_escape(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(sanitize_fold("  a \n\t b  ", 10, &b), 0);
	assert_string_equal(buf_str(&b), "a b");
	buf_reset(&b);
	assert_int_equal(sanitize_escape("<a&\"b\">", 7, &b), 0);
	assert_string_equal(buf_str(&b), "&lt;a&amp;&quot;b&quot;&gt;");
	buf_free(&b);
}

/* Both paths on one input: 1 when the fast path took it, and then the
 * outputs must be libxml2's byte for byte. */
static int
fast_agrees(const char *in)
{
	struct buf t1 = BUF_INIT, h1 = BUF_INIT, t2 = BUF_INIT, h2 = BUF_INIT;
	const char *base = "https://ex.org/a/d/feed.xml";
	int rc = sanitize_html_fast(in, strlen(in), base, &t1, &h1);

	assert_true(rc == 0 || rc == SANITIZE_DECLINED);
	assert_int_equal(sanitize_html_libxml(in, strlen(in), base, &t2, &h2),
			 0);
	if (rc == 0) {
		assert_string_equal(buf_str(&t1), buf_str(&t2));
		assert_string_equal(buf_str(&h1), buf_str(&h2));
	} else {
		assert_int_equal(t1.len + h1.len, 0);
	}
	buf_free(&t1);
	buf_free(&h1);
	buf_free(&t2);
	buf_free(&h2);
	return rc == 0;
}

static void
test_fast_path_takes_common_feed_markup_and_matches_libxml2(void **state)
{
	(void)state;
	assert_true(fast_agrees("<p>Good <b>afternoon</b> &amp; welcome"
				" &mdash; &#8217;s &#x1F600; caf\xc3\xa9.</p>\n"
				"<p><a href=\"../r/1?a=1&amp;b=2\">More</a></p>"));
	assert_true(fast_agrees("<ul>\n<li>one</li><li><p>two</p></li></ul>"
				"<ol><li>x</li></ol>"));
	assert_true(fast_agrees("<DIV><H2 CLASS='t'>T</H2><img src=\"a.png\""
				" alt=\"&quot;x&quot;\" onerror=\"x()\"/>"
				"<br>t<br /><hr></DIV>"));
	assert_true(fast_agrees("<p onclick=\"x()\" style=\"c\">&nbsp;y"
				"<a href=\" JaVaScRiPt:x\">j</a>"
				"<img src=\"data:x\"></p>"));
	assert_true(fast_agrees("&#146; &#150; plain \xe2\x80\x94 text"));
}

static void
test_fast_path_declines_what_libxml2_repairs(void **state)
{
	(void)state;
	assert_false(fast_agrees("<p>one<p>two"));
	assert_false(fast_agrees("<b><p>x</p></b>"));
	assert_false(fast_agrees("<a href=\"a\">x<a href=\"b\">y</a></a>"));
	assert_false(fast_agrees("<li>loose</li>"));
	assert_false(fast_agrees("<p>x</b></p>"));
	assert_false(fast_agrees("<script>x()</script>"));
	assert_false(fast_agrees("<!-- c -->x"));
	assert_false(fast_agrees("<p class=x>y</p>"));
	assert_false(fast_agrees("<p a=\"1\" a=\"2\">y</p>"));
	assert_false(fast_agrees("AT&T &bogus; &#0;"));
	assert_false(fast_agrees("a\r\nb"));
	assert_false(fast_agrees("bad \xff byte"));
	assert_false(fast_agrees("<table><tr><td>t</td></tr></table>"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_path_takes_common_feed_markup_and_matches_libxml2),
		cmocka_unit_test(test_fast_path_declines_what_libxml2_repairs),
		cmocka_unit_test(test_text_drops_tags_script_and_style_and_folds_space),
		cmocka_unit_test(test_text_separates_blocks_but_not_inline_elements),
		cmocka_unit_test(test_html_keeps_allowlisted_markup_only),
		cmocka_unit_test(test_html_removes_javascript_and_data_urls),
		cmocka_unit_test(test_html_resolves_relative_urls_against_base),
		cmocka_unit_test(test_html_escapes_text_and_attributes),
		cmocka_unit_test(test_windows1252_c1_code_points_become_quotes),
		cmocka_unit_test(test_fold_and_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
