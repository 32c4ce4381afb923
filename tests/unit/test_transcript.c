/* test_transcript.c — the transcript extractor on fixture pages written
 * in the markup shapes of each publisher (tests/fixtures/pages). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "profiles.h"
#include "transcript.h"

#define PAGES BW_SRCDIR "/tests/fixtures/pages/"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return s;
}

static struct briefing *
parse_str(const char *html, const char *url, const char *charset)
{
	struct transcript_opts o = {.url = url, .charset = charset};
	struct briefing *b = NULL;
	char *err = NULL;

	assert_int_equal(transcript_parse(html, strlen(html), &o, &b, &err), 0);
	assert_null(err);
	return b;
}

/* Every page in the manifest gives exactly its expected record. */
static void
test_fixture_pages_match_their_expected_records(void **state)
{
	size_t mlen, n = 0;
	char *man = slurp(PAGES "manifest.tsv", &mlen), *line, *save = NULL;

	(void)state;
	line = strtok_r(man, "\n", &save); /* header */
	while ((line = strtok_r(NULL, "\n", &save))) {
		char path[512], url[512], gold[512];
		char *page, *gtext, *err = NULL;
		size_t plen, glen;
		struct transcript_opts o = {0};
		struct briefing *b = NULL;
		json_t *want, *got;

		assert_int_equal(sscanf(line, "%255[^\t]\t%255[^\t]\t%255s",
					path, url, gold), 3);
		char full[1024];
		snprintf(full, sizeof(full), PAGES "%s", path);
		page = slurp(full, &plen);
		snprintf(full, sizeof(full), PAGES "%s", gold);
		gtext = slurp(full, &glen);
		o.url = url;
		assert_int_equal(transcript_parse(page, plen, &o, &b, &err), 0);
		want = json_loads(gtext, 0, NULL);
		got = briefing_to_json(b, 1);
		assert_non_null(want);
		if (!json_equal(want, got)) {
			char *s = json_dumps(got, JSON_INDENT(1));
			fprintf(stderr, "%s differs:\n%s\n", path, s);
			free(s);
		}
		assert_true(json_equal(want, got));
		json_decref(want);
		json_decref(got);
		briefing_free(b);
		free(page);
		free(gtext);
		n++;
	}
	assert_true(n >= 7);
	free(man);
}

static void
test_windows_1252_page_is_decoded_from_its_meta_charset(void **state)
{
	size_t len;
	char *page = slurp(PAGES "state_dpb.htm", &len);
	struct transcript_opts o = {.url = "http://x/r/pa/prs/dpb/1.htm"};
	struct briefing *b = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(transcript_parse(page, len, &o, &b, &err), 0);
	assert_string_equal(b->turns[0].text,
			    "Good afternoon. The Secretary travels to Lisbon "
			    "tomorrow \xe2\x80\x93 his first visit this year "
			    "\xe2\x80\x93 for talks on ocean policy.");
	assert_string_equal(b->turns[3].asker, "Jo\xc3\xa3o Pires");
	briefing_free(b);
	free(page);
}

static void
test_http_charset_overrides_the_meta_charset(void **state)
{
	/* bytes are Latin-1 although the meta claims UTF-8 */
	const char *html = "<html><head><meta charset=\"utf-8\"><title>T</title>"
			   "</head><body><p>MR. BOND: caf\xe9 au lait.</p></body></html>";
	struct briefing *b = parse_str(html, "http://x/", "iso-8859-1");

	(void)state;
	assert_string_equal(b->turns[0].text, "caf\xc3\xa9 au lait.");
	briefing_free(b);
}

static void
test_nbsp_and_unicode_spaces_are_folded(void **state)
{
	const char *html = "<html><body><h1>T</h1><div><p>MS. RIVA:&nbsp;&nbsp;One"
			   "\xe2\x80\x83two&#8203;three\xe2\x80\xaf four</p></div>"
			   "</body></html>";
	struct briefing *b = parse_str(html, "http://x/", NULL);

	(void)state;
	assert_string_equal(b->turns[0].text, "One twothree four");
	assert_string_equal(b->turns[0].label, "MS. RIVA");
	briefing_free(b);
}

static void
test_bare_q_paragraph_labels_the_next_paragraph(void **state)
{
	const char *html = "<html><body><h1>T</h1><div>"
			   "<p>Ann Lee (Minister): Opening words here.</p>"
			   "<p>Q</p><p>Is it true?</p>"
			   "<p>Ann Lee: It is.</p><p>It really is.</p>"
			   "</div></body></html>";
	struct briefing *b = parse_str(html, "http://x/", NULL);

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_int_equal(b->turns[1].type, TURN_QUESTION);
	assert_string_equal(b->turns[1].text, "Is it true?");
	assert_string_equal(b->turns[2].text, "It is.\n\nIt really is.");
	assert_string_equal(b->speakers[0].role, "Minister");
	briefing_free(b);
}

static void
test_timestamps_end_markers_and_closing_notes_are_not_turn_text(void **state)
{
	const char *html = "<html><body><h1>T</h1><div><p>10:02 a.m. EDT</p>"
			   "<p>MR. ODA: Hello. (Laughter.)</p><p>###</p>"
			   "<p>(The briefing was concluded at 10:40 a.m.)</p>"
			   "<p>END</p><p>10:41 A.M. EDT</p></div></body></html>";
	struct briefing *b = parse_str(html, "http://x/", NULL);

	(void)state;
	assert_int_equal(b->nturns, 1);
	assert_string_equal(b->turns[0].text, "Hello. (Laughter.)");
	briefing_free(b);
}

static void
test_plain_sentences_with_colons_are_not_labels(void **state)
{
	const char *html = "<html><body><h1>T</h1><div>"
			   "<p>MS. KO: We have three goals: peace, trade and climate.</p>"
			   "<p>On Sudan: the talks continue today.</p>"
			   "</div></body></html>";
	struct briefing *b = parse_str(html, "http://x/", NULL);

	(void)state;
	assert_int_equal(b->nturns, 1);
	assert_string_equal(b->turns[0].text,
			    "We have three goals: peace, trade and climate."
			    "\n\nOn Sudan: the talks continue today.");
	briefing_free(b);
}

static void
test_non_html_input_is_rejected(void **state)
{
	struct transcript_opts o = {.url = "http://x/"};
	struct briefing *b = NULL;
	char *err = NULL;
	const char *pdf = "%PDF-1.4 binary";

	(void)state;
	assert_int_equal(transcript_parse(pdf, strlen(pdf), &o, &b, &err),
			 -EINVAL);
	assert_non_null(err);
	assert_null(b);
	free(err);
}

/* Red-team pass 2: one NUL byte in the first 2 KiB made the page "not an
 * HTML document". Stray NULs are dropped (buf_append_no_nuls, as for
 * feeds), wherever they are. */
static void
test_stray_nul_bytes_in_a_page_are_dropped(void **state)
{
	static const char html[] =
		"<!DOCTYPE html>\0<html lang=\"en\"><head><title>Press\0 "
		"briefing</title></head><body><h1>Press briefing\0</h1><div>"
		"<p>MS. KO: We have three\0 goals: peace, trade and "
		"climate.</p><p>Q: And\0\0 Sudan?</p>"
		"<p>MS. KO: The talks continue today.</p></div></body></html>";
	struct transcript_opts o = {.url = "http://x/"};
	struct briefing *b = NULL;
	char *err = NULL;
	size_t i, found = 0;

	(void)state;
	assert_int_equal(transcript_parse(html, sizeof(html) - 1, &o, &b,
					  &err), 0);
	assert_null(err);
	assert_string_equal(b->title, "Press briefing");
	assert_string_equal(b->lang, "en");
	assert_true(b->nturns >= 2);
	assert_string_equal(b->turns[0].text,
			    "We have three goals: peace, trade and climate.");
	/* the text after the two NULs is there, whole */
	for (i = 0; i < b->nturns; i++)
		found += strstr(b->turns[i].text, "And Sudan?") != NULL;
	assert_int_equal(found, 1);
	briefing_free(b);
}

/* ... but binary data stays refused: an image whose bytes happen to hold
 * "<html><p>" and a page in UTF-16 (a NUL every other byte). */
static void
test_binary_pages_with_nuls_are_still_refused(void **state)
{
	static const char png_head[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	static const char tags[] = "<html><body><p>MR. A: hi there.</p>";
	struct transcript_opts o = {.url = "http://x/"};
	struct briefing *b = NULL;
	char img[4096], u16[512], *err = NULL;
	const char *t = "<html><body><p>MR. A: hi there, all.</p></body></html>";
	uint32_t x = 12345;
	size_t i, n;

	(void)state;
	memcpy(img, png_head, sizeof(png_head) - 1);
	for (i = sizeof(png_head) - 1; i < sizeof(img); i++) {
		x = x * 1103515245u + 12345u; /* compressed-looking bytes */
		img[i] = (char)(x >> 16);
	}
	memcpy(img + 200, tags, sizeof(tags) - 1);
	assert_int_equal(transcript_parse(img, sizeof(img), &o, &b, &err),
			 -EINVAL);
	assert_null(b);
	assert_string_equal(err, "not an HTML document");
	free(err);
	err = NULL;
	for (n = 0; t[n]; n++) {
		u16[2 * n] = t[n];
		u16[2 * n + 1] = '\0';
	}
	assert_int_equal(transcript_parse(u16, 2 * n, &o, &b, &err), -EINVAL);
	assert_null(b);
	assert_string_equal(err, "not an HTML document");
	free(err);
}

static void
test_input_over_the_size_cap_is_rejected(void **state)
{
	struct transcript_opts o = {.url = "http://x/", .max_bytes = 10};
	struct briefing *b = NULL;
	char *err = NULL;
	const char *html = "<html><body><p>too long</p></body></html>";

	(void)state;
	assert_int_equal(transcript_parse(html, strlen(html), &o, &b, &err),
			 -EFBIG);
	free(err);
}

static void
test_feed_override_of_body_xpath_is_used(void **state)
{
	const char *html = "<html><body><h1>T</h1><div id='a'><p>MR. A: one.</p>"
			   "</div><div id='b'><p>MR. B: two two two two two two "
			   "two two two two two two two two.</p></div></body></html>";
	struct profile *p = NULL;
	struct transcript_opts o = {.url = "http://x/"};
	struct briefing *b = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(profile_derive(NULL, "//div[@id='a']", NULL, NULL, &p),
			 0);
	o.profile = p;
	assert_int_equal(transcript_parse(html, strlen(html), &o, &b, &err), 0);
	assert_int_equal(b->nturns, 1);
	assert_string_equal(b->turns[0].text, "one.");
	briefing_free(b);
	profile_free(p);
}

/* The kind a page gets under the profiles of ini (each with a fixed kind),
 * the page served from a host none of them names. */
static enum briefing_kind
kind_under(const char *ini, const char *html)
{
	struct profile_set *ps = NULL;
	struct transcript_opts o = {.url = "https://mirror.example.net/p/1"};
	struct briefing *b = NULL;
	enum briefing_kind k;
	char *err = NULL;

	assert_int_equal(profile_set_new(&ps), 0);
	assert_int_equal(profile_set_load_string(ps, ini, "test", &err), 0);
	o.profiles = ps;
	assert_int_equal(transcript_parse(html, strlen(html), &o, &b, &err),
			 0);
	k = b->kind;
	briefing_free(b);
	profile_set_free(ps);
	return k;
}

#define DETECT_BODY "<h1>T</h1><div><p>Some words of the text.</p></div>"

static void
test_detect_needs_an_element_holding_the_attribute_literal(void **state)
{
	const char *ini = "[profile a]\nkind = speech\n"
			  "detect = //div[contains(@class,'alpha')]\n";

	(void)state;
	assert_int_equal(kind_under(ini, "<html><body><div class='x alphabet'>"
				    DETECT_BODY "</div></body></html>"),
			 BRIEFING_SPEECH);
	/* the literal elsewhere (another element, another attribute) */
	assert_int_equal(kind_under(ini, "<html><body><span class='alpha'>a"
				    "</span><div id='alpha'>" DETECT_BODY
				    "</div></body></html>"),
			 BRIEFING_OTHER);
}

static void
test_detect_class_token_test_allows_spaces_and_decoded_entities(void **state)
{
	const char *ini = "[profile a]\nkind = speech\n"
			  "detect = //section[ contains( concat(' ', "
			  "normalize-space(@class), ' '), ' gov-speak ') ]\n";

	(void)state;
	assert_int_equal(kind_under(ini, "<html><body><section class='a\n"
				    "\tgov&#45;speak  b'>" DETECT_BODY
				    "</section></body></html>"),
			 BRIEFING_SPEECH);
	assert_int_equal(kind_under(ini, "<html><body><section class='"
				    "gov-speaker'>" DETECT_BODY
				    "</section></body></html>"),
			 BRIEFING_OTHER);
}

static void
test_detect_keeps_profile_order_and_alternatives(void **state)
{
	const char *ini = "[profile a]\nkind = speech\n"
			  "detect = //meta[@name='x'][@content='A'] || "
			  "//div[@id='a']\n"
			  "[profile b]\nkind = release\n"
			  "detect = //p[@class='lead'] | //div[@id='b']\n";

	(void)state;
	assert_int_equal(kind_under(ini, "<html><head><meta name='x' content="
				    "'B'></head><body><div id='b'>" DETECT_BODY
				    "</div></body></html>"),
			 BRIEFING_RELEASE);
	assert_int_equal(kind_under(ini, "<html><head><meta name='x' content="
				    "'A'></head><body><div id='b'>" DETECT_BODY
				    "</div></body></html>"),
			 BRIEFING_SPEECH);
	assert_int_equal(kind_under(ini, "<html><body><div id='b'><div "
				    "id='a'>" DETECT_BODY "</div></div></body>"
				    "</html>"),
			 BRIEFING_SPEECH);
}

static void
test_detect_expressions_of_other_shapes_are_still_run(void **state)
{
	const char *wild = "[profile a]\nkind = speech\n"
			   "detect = //*[@data-kind='briefing']\n";
	const char *text = "[profile a]\nkind = speech\n"
			   "detect = //p[starts-with(., 'Transcript')]/..\n";
	const char *nested = "[profile a]\nkind = speech\n"
			     "detect = (//div)[1][contains(@class,'z')]\n";
	const char *parent = "[profile a]\nkind = speech\n"
			     "detect = //../div[@id='z']\n";

	(void)state;
	assert_int_equal(kind_under(wild, "<html><body><article data-kind="
				    "'briefing'>" DETECT_BODY "</article>"
				    "</body></html>"),
			 BRIEFING_SPEECH);
	assert_int_equal(kind_under(text, "<html><body><div><p>Transcript of"
				    " the day</p></div>" DETECT_BODY
				    "</body></html>"),
			 BRIEFING_SPEECH);
	assert_int_equal(kind_under(nested, "<html><body><div class='z'>"
				    DETECT_BODY "</div></body></html>"),
			 BRIEFING_SPEECH);
	assert_int_equal(kind_under(parent, "<html><body><div id='z'>"
				    DETECT_BODY "</div></body></html>"),
			 BRIEFING_SPEECH);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_pages_match_their_expected_records),
		cmocka_unit_test(test_windows_1252_page_is_decoded_from_its_meta_charset),
		cmocka_unit_test(test_http_charset_overrides_the_meta_charset),
		cmocka_unit_test(test_nbsp_and_unicode_spaces_are_folded),
		cmocka_unit_test(test_bare_q_paragraph_labels_the_next_paragraph),
		cmocka_unit_test(test_timestamps_end_markers_and_closing_notes_are_not_turn_text),
		cmocka_unit_test(test_plain_sentences_with_colons_are_not_labels),
		cmocka_unit_test(test_non_html_input_is_rejected),
		cmocka_unit_test(test_stray_nul_bytes_in_a_page_are_dropped),
		cmocka_unit_test(test_binary_pages_with_nuls_are_still_refused),
		cmocka_unit_test(test_input_over_the_size_cap_is_rejected),
		cmocka_unit_test(test_feed_override_of_body_xpath_is_used),
		cmocka_unit_test(test_detect_needs_an_element_holding_the_attribute_literal),
		cmocka_unit_test(test_detect_class_token_test_allows_spaces_and_decoded_entities),
		cmocka_unit_test(test_detect_keeps_profile_order_and_alternatives),
		cmocka_unit_test(test_detect_expressions_of_other_shapes_are_still_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
