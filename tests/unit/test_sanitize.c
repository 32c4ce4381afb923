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

/* sanitize_fold() and sanitize_escape() read 8 bytes at a time: held to
 * the byte-at-a-time definitions on random strings of every length up to
 * 40 (so every alignment of a space run, control byte or special byte
 * against the 8-byte lanes), from an alphabet rich in what they treat
 * apart. */
static unsigned long rnd_state = 12345;

static unsigned
rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rnd_state >> 33) % n;
}

static void
fold_ref(const char *s, size_t len, struct buf *out)
{
	size_t i;
	int space = 0, any = 0;

	for (i = 0; i < len; i++) {
		if (strchr(" \t\n\r\f", s[i]) && s[i]) {
			space = 1;
			continue;
		}
		if (space && any)
			buf_putc(out, ' ');
		space = 0;
		any = 1;
		buf_putc(out, s[i]);
	}
}

static void
escape_ref(const char *s, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf_puts(out, s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" :
			 s[i] == '>' ? "&gt;" : s[i] == '"' ? "&quot;" :
			 (char[]){s[i], 0});
}

static void
test_fold_and_escape_match_a_byte_at_a_time(void **state)
{
	static const char alpha[] = "    \t\n\r\fab<>&\"\x01\x7f\x80\xc3\xff";
	struct buf got = BUF_INIT, want = BUF_INIT;
	char in[41];
	size_t len, i;
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		len = rnd(41);
		/* odd rounds: mostly special bytes; even ones: mostly
		 * letters, so that whole 8- and 16-byte blocks pass too */
		for (i = 0; i < len; i++)
			in[i] = (round & 1 ? rnd(3) != 0 : rnd(8) == 0) ?
				alpha[rnd(sizeof(alpha) - 1)] :
				(char)('a' + rnd(26));
		buf_reset(&got);
		buf_reset(&want);
		buf_puts(&got, "x"); /* appends after what out holds */
		buf_puts(&want, "x");
		assert_int_equal(sanitize_fold(in, len, &got), 0);
		fold_ref(in, len, &want);
		assert_memory_equal(got.data, want.data, want.len + 1);
		assert_int_equal(got.len, want.len);
		buf_reset(&got);
		buf_reset(&want);
		assert_int_equal(sanitize_escape(in, len, &got), 0);
		escape_ref(in, len, &want);
		assert_int_equal(got.len, want.len);
		if (want.len)
			assert_memory_equal(got.data, want.data, want.len);
	}
	buf_free(&got);
	buf_free(&want);
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

/* Random runs of text, space, line breaks, references and paragraphs:
 * wherever the fast path (8 bytes at a time over text) takes one, it
 * must give libxml2's bytes. */
static void
test_fast_path_matches_libxml2_on_random_text(void **state)
{
	static const char *const piece[] = {
		"word", "longerwords", " ", "  ", "\n", " \n ", "\t", "&amp;",
		"&lt;", "<b>bold</b>", "<em> x </em>", "caf\xc3\xa9",
		"\xe2\x80\x94", "a", "        ", "x y z ", "\"q\"", ">",
	};
	char in[512];
	size_t n, k;
	int round, taken = 0;

	(void)state;
	for (round = 0; round < 1500; round++) {
		n = 0;
		while (n < 280) {
			const char *p = "<p>";

			for (k = rnd(12); ; k--) {
				memcpy(in + n, p, strlen(p));
				n += strlen(p);
				if (!k)
					break;
				p = piece[rnd(sizeof(piece) /
					      sizeof(piece[0]))];
			}
			p = rnd(2) ? "</p>\n" : "</p>";
			memcpy(in + n, p, strlen(p));
			n += strlen(p);
		}
		in[n] = '\0';
		taken += fast_agrees(in);
	}
	assert_true(taken > 100); /* the fast path was exercised */
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
		cmocka_unit_test(test_fold_and_escape_match_a_byte_at_a_time),
		cmocka_unit_test(test_fast_path_matches_libxml2_on_random_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
