/* test_feed_shapes — feed_parse() on the ways real feeds break (issue
 * #18): our own fixtures under tests/fixtures/feeds/shapes/, several per
 * shape and dialect, then every file of ../shared/samples/realfeeds-repro/
 * against the reading its README gives (skipped when that directory is
 * not there, as in CI). docs/feeds.md "Recovery" has the rules. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "feed.h"

static char *
slurp_path(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *d;
	long n;

	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc((size_t)n + 1);
	assert_non_null(d);
	assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return d;
}

static struct feed_doc *
parse_path(const char *path, const char *ct)
{
	size_t len;
	char *data = slurp_path(path, &len), *err = NULL;
	struct feed_doc *d = NULL;
	int rc = feed_parse(data, len, ct, NULL, NULL, &d, &err);

	if (rc)
		fail_msg("%s: %d %s", path, rc, err ? err : "");
	free(data);
	assert_null(err);
	return d;
}

static struct feed_doc *
parse_ct(const char *name, const char *ct)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/fixtures/feeds/shapes/%s",
		 BW_SRCDIR, name);
	return parse_path(path, ct);
}

static struct feed_doc *
parse(const char *name)
{
	return parse_ct(name, NULL);
}

static void
bozo_says(const struct feed_doc *d, const char *what)
{
	assert_int_equal(d->bozo, 1);
	assert_non_null(d->bozo_reason);
	if (!strstr(d->bozo_reason, what))
		fail_msg("bozo_reason \"%s\" does not say \"%s\"",
			 d->bozo_reason, what);
}

/* ---- white space before the XML declaration ------------------------------ */

static void
test_blank_lines_before_declaration_keep_entities_rss20(void **state)
{
	struct feed_doc *d = parse("lead_ws_rss20.xml");

	(void)state;
	bozo_says(d, "whitespace before the XML declaration");
	assert_string_equal(d->feed.title, "Desk & Field");
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[0].title, "Q&A: rates > 5%");
	assert_string_equal(d->entries[0].link,
			    "https://news.example.org/story?id=7&ref=rss");
	assert_string_equal(d->entries[0].summary, "Fish & chips");
	assert_string_equal(d->entries[1].title, "\"Quoted\" 'too'");
	feed_doc_free(d);
}

/* The declaration after the blank is still read: its charset counts. */
static void
test_blank_before_declaration_keeps_its_charset_rss10(void **state)
{
	struct feed_doc *d = parse("lead_ws_rss10_latin1.xml");

	(void)state;
	assert_string_equal(d->version, "rss10");
	assert_string_equal(d->encoding, "iso-8859-1");
	assert_string_equal(d->feed.title, "Caf\xc3\xa9 & Bar");
	assert_int_equal(d->nentries, 1);
	assert_string_equal(d->entries[0].title, "Men\xc3\xbc <neu>");
	assert_string_equal(d->entries[0].link,
			    "https://r.example.net/a?x=1&y=2");
	feed_doc_free(d);
}

static void
test_bom_and_newline_before_declaration_atom(void **state)
{
	struct feed_doc *d = parse("lead_ws_atom_bom.xml");

	(void)state;
	assert_string_equal(d->version, "atom10");
	assert_int_equal(d->nentries, 1);
	assert_string_equal(d->entries[0].title, "Build & deploy <3");
	assert_string_equal(d->entries[0].link,
			    "https://ops.example.com/e?a=1&b=2");
	feed_doc_free(d);
}

/* Without a declaration, leading white space is well-formed XML. */
static void
test_blank_before_root_without_declaration_is_not_bozo(void **state)
{
	struct feed_doc *d = parse("lead_ws_nodecl.xml");

	(void)state;
	assert_int_equal(d->bozo, 0);
	assert_string_equal(d->entries[0].title, "Salt & Pepper");
	feed_doc_free(d);
}

/* ---- entities after a recoverable error ----------------------------------- */

static void
test_entities_after_a_control_character_rss20(void **state)
{
	struct feed_doc *d = parse("err_ctrl_rss20.xml");

	(void)state;
	assert_int_equal(d->bozo, 1);
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[1].title, "Tom & Jerry");
	assert_string_equal(d->entries[1].link,
			    "https://c.example.org/?p=1&q=2");
	assert_string_equal(d->entries[1].summary, "1 < 2 && 3 > 2");
	feed_doc_free(d);
}

/* A stray end tag used to close the entry, then the feed: the second
 * entry was "extra content". */
static void
test_stray_end_tag_is_dropped_atom(void **state)
{
	struct feed_doc *d = parse("err_mismatch_atom.xml");

	(void)state;
	bozo_says(d, "end tag that closes no open element");
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[0].summary, "stray");
	assert_string_equal(d->entries[1].title, "Black & White <2>");
	assert_string_equal(d->entries[1].link,
			    "https://m.example.com/?a=1&b=2");
	feed_doc_free(d);
}

static void
test_bare_less_than_is_text_rss10(void **state)
{
	struct feed_doc *d = parse("err_lt_rss10.xml");

	(void)state;
	bozo_says(d, "'<' that starts no markup");
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[0].title, "a < b");
	assert_string_equal(d->entries[1].title, "Rock & Roll \"live\"");
	feed_doc_free(d);
}

/* The same text, well-formed and broken, reads the same. */
static void
test_error_does_not_change_later_text(void **state)
{
	static const char good[] =
		"<rss version=\"2.0\"><channel><title>T</title>"
		"<item><title>x</title></item>"
		"<item><title>A &amp; B &lt; c &gt; &quot;d&quot; &apos;e&apos;"
		" &#38; &#x3C;</title><link>http://e.example/?a=1&amp;b=2"
		"</link></item></channel></rss>";
	static const char bad[] =
		"<rss version=\"2.0\"><channel><title>T</title>"
		"<item><title>x\x01</title></item>"
		"<item><title>A &amp; B &lt; c &gt; &quot;d&quot; &apos;e&apos;"
		" &#38; &#x3C;</title><link>http://e.example/?a=1&amp;b=2"
		"</link></item></channel></rss>";
	struct feed_doc *g = NULL, *b = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(feed_parse(good, strlen(good), NULL, NULL, NULL, &g,
				    &err), 0);
	assert_int_equal(feed_parse(bad, strlen(bad), NULL, NULL, NULL, &b,
				    &err), 0);
	assert_int_equal(g->bozo, 0);
	assert_int_equal(b->bozo, 1);
	assert_string_equal(g->entries[1].title, "A & B < c > \"d\" 'e' & <");
	assert_string_equal(b->entries[1].title, g->entries[1].title);
	assert_string_equal(b->entries[1].link, g->entries[1].link);
	feed_doc_free(g);
	feed_doc_free(b);
}

/* A '<' as the very last byte (found by fuzzing: read past the end). */
static void
test_lone_less_than_at_the_end(void **state)
{
	static const char doc[] = "<rss version=\"2.0\"><channel><title>T"
				  "</title><item><title>A &amp; B</title>"
				  "</item></channel></rss><";
	struct feed_doc *d = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(feed_parse(doc, strlen(doc), NULL, NULL, NULL, &d,
				    &err), 0);
	assert_int_equal(d->nentries, 1);
	assert_string_equal(d->entries[0].title, "A & B");
	feed_doc_free(d);
	assert_int_equal(feed_parse("<<", 2, NULL, NULL, NULL, &d, &err),
			 -EINVAL);
	free(err);
}

/* ---- an element left open before the items --------------------------------- */

static void
expect_titles(const struct feed_doc *d, const char *const *titles, size_t n)
{
	size_t i;

	assert_int_equal(d->nentries, n);
	for (i = 0; i < n; i++)
		assert_string_equal(d->entries[i].title, titles[i]);
}

static void
test_unclosed_hr_in_channel_rss20(void **state)
{
	static const char *const t[] = {"First", "Second", "Third"};
	struct feed_doc *d = parse("open_rss20_hr.xml");

	(void)state;
	assert_int_equal(d->bozo, 1);
	expect_titles(d, t, 3);
	assert_string_equal(d->entries[2].id, "h3");
	feed_doc_free(d);
}

static void
test_unclosed_field_in_channel_rss20(void **state)
{
	static const char *const t[] = {"First", "Second"};
	struct feed_doc *d = parse("open_rss20_field.xml");

	(void)state;
	expect_titles(d, t, 2);
	assert_non_null(d->feed.subtitle);
	assert_non_null(strstr(d->feed.subtitle, "never closed"));
	feed_doc_free(d);
}

static void
test_unclosed_element_in_item_rss20(void **state)
{
	static const char *const t[] = {"First", "Second", "Third"};
	struct feed_doc *d = parse("open_rss20_in_item.xml");

	(void)state;
	expect_titles(d, t, 3);
	assert_string_equal(d->entries[0].id, "i1");
	assert_string_equal(d->entries[1].id, "i2");
	feed_doc_free(d);
}

static void
test_unclosed_image_in_channel_rss10(void **state)
{
	static const char *const t[] = {"First", "Second"};
	struct feed_doc *d = parse("open_rss10_image.xml");

	(void)state;
	assert_string_equal(d->version, "rss10");
	expect_titles(d, t, 2);
	assert_string_equal(d->entries[1].id, "https://o.example.com/2");
	feed_doc_free(d);
}

static void
test_unclosed_author_in_feed_atom(void **state)
{
	static const char *const t[] = {"First", "Second"};
	struct feed_doc *d = parse("open_atom_author.xml");

	(void)state;
	expect_titles(d, t, 2);
	assert_string_equal(d->feed.author.name, "Desk");
	feed_doc_free(d);
}

/* ---- JSON Feed version URLs ------------------------------------------------ */

static void
test_jsonfeed_version_in_either_scheme(void **state)
{
	struct feed_doc *d = parse("jsonfeed_http_11.json");
	char *err = NULL;
	size_t len;
	char path[512], *data;

	(void)state;
	assert_string_equal(d->version, "json11");
	assert_int_equal(d->nentries, 1);
	feed_doc_free(d);
	d = parse("jsonfeed_https_1.json");
	assert_string_equal(d->version, "json10");
	feed_doc_free(d);
	/* Another site's "version" is still not a JSON Feed. */
	snprintf(path, sizeof(path), "%s/tests/fixtures/feeds/shapes/"
		 "jsonfeed_other.json", BW_SRCDIR);
	data = slurp_path(path, &len);
	d = NULL;
	assert_int_equal(feed_parse(data, len, NULL, NULL, NULL, &d, &err),
			 -EINVAL);
	assert_non_null(strstr(err, "JSON Feed version"));
	free(err);
	free(data);
}

/* ---- charsets --------------------------------------------------------------- */

static void
test_undeclared_legacy_text_is_windows1252_throughout(void **state)
{
	struct feed_doc *d = parse("legacy_accident_rss20.xml");

	(void)state;
	assert_string_equal(d->encoding, "windows-1252");
	bozo_says(d, "windows-1252");
	assert_string_equal(d->entries[0].title,
			    "R\xc3\xa9sum\xc3\xa9 \xc2\xab\xc2\xa0vite\xc2\xa0"
			    "\xc2\xbb \xe2\x80\x9cok\xe2\x80\x9d");
	/* "\xe0\xa0\xa9" is valid UTF-8 (U+0829), here "à ©". */
	assert_string_equal(d->entries[0].summary,
			    "na\xc3\xafve \xc3\xa0\xc2\xa0\xc2\xa9 fin");
	feed_doc_free(d);
}

static void
test_legacy_text_labelled_utf8_is_windows1252_atom(void **state)
{
	struct feed_doc *d = parse("legacy_accident_atom_utf8decl.xml");

	(void)state;
	assert_string_equal(d->encoding, "windows-1252");
	assert_string_equal(d->entries[0].title,
			    "\xc3\xa9t\xc3\xa9 dou\xc3\xa9\xc2\xa0\xc2\xbb "
			    "f\xc3\xaate");
	feed_doc_free(d);
}

/* UTF-8 text with one damaged byte stays UTF-8. */
static void
test_utf8_with_a_damaged_byte_stays_utf8(void **state)
{
	struct feed_doc *d = parse("utf8_damaged.xml");

	(void)state;
	assert_string_equal(d->encoding, "utf-8");
	bozo_says(d, "invalid utf-8");
	assert_string_equal(d->entries[0].title,
			    "na\xc3\xafve caf\xc3\xa9 cr\xc3\xa8me "
			    "br\xc3\xbbl\xc3\xa9" "e fa\xc3\xa7" "ade");
	assert_string_equal(d->entries[0].summary, "bad \xc3\xbf byte");
	feed_doc_free(d);
}

static void
test_utf8_labelled_latin1_is_read_as_utf8_rss20(void **state)
{
	struct feed_doc *d = parse("mislabel_rss20_latin1.xml");

	(void)state;
	assert_string_equal(d->encoding, "utf-8");
	bozo_says(d, "declared iso-8859-1, but the bytes are valid UTF-8");
	assert_string_equal(d->feed.title,
			    "K\xc3\xb6ln \xe2\x80\x93 D\xc3\xbcsseldorf");
	assert_string_equal(d->entries[0].title,
			    "\xe2\x82\xac" "5 \xe2\x80\x9c" "deal\xe2\x80\x9d");
	feed_doc_free(d);
}

static void
test_utf8_labelled_windows1252_by_http_is_utf8_atom(void **state)
{
	struct feed_doc *d = parse_ct("mislabel_atom_http.xml",
				      "application/atom+xml; "
				      "charset=windows-1252");

	(void)state;
	assert_string_equal(d->encoding, "utf-8");
	bozo_says(d, "declared windows-1252");
	assert_string_equal(d->entries[0].title,
			    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
	feed_doc_free(d);
}

static void
test_utf8_labelled_koi8r_is_utf8_rss10(void **state)
{
	struct feed_doc *d = parse("mislabel_rss10_koi8.xml");

	(void)state;
	assert_string_equal(d->encoding, "utf-8");
	bozo_says(d, "declared koi8-r");
	assert_string_equal(d->entries[0].title, "\xd0\x81\xd0\xbb\xd0\xba"
			    "\xd0\xb0");
	feed_doc_free(d);
}

/* Real Latin-1 is not second-guessed. */
static void
test_real_latin1_stays_latin1(void **state)
{
	struct feed_doc *d = parse("latin1_real.xml");

	(void)state;
	assert_int_equal(d->bozo, 0);
	assert_string_equal(d->encoding, "iso-8859-1");
	assert_string_equal(d->entries[0].title, "Gr\xc3\xbc\xc3\x9f" "e");
	feed_doc_free(d);
}

/* ---- Atom 0.3 mode ------------------------------------------------------------ */

static void
test_atom03_mode_xml_wins_over_an_odd_type(void **state)
{
	struct feed_doc *d = parse("atom03_mode_xml.xml");

	(void)state;
	assert_string_equal(d->version, "atom03");
	assert_string_equal(d->entries[0].content, "Some text here");
	feed_doc_free(d);
}

static void
test_atom03_mode_escaped_wins_over_an_odd_type(void **state)
{
	struct feed_doc *d = parse("atom03_mode_escaped.xml");

	(void)state;
	assert_string_equal(d->entries[0].summary, "Hello there");
	feed_doc_free(d);
}

/* A non-text type implies base64 only when the content is base64. */
static void
test_atom03_implied_base64_only_when_it_decodes(void **state)
{
	struct feed_doc *d = parse("atom03_implied_b64.xml");

	(void)state;
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[0].summary, "Hello world");
	assert_string_equal(d->entries[1].summary, "Just words");
	feed_doc_free(d);
}

/* ---- Name (mailto:addr) -------------------------------------------------------- */

static void
test_mailto_author_rss20(void **state)
{
	struct feed_doc *d = parse("mailto_rss20.xml");

	(void)state;
	assert_string_equal(d->feed.author.name, "Ed Itor");
	assert_string_equal(d->feed.author.email, "ed@news.example.com");
	assert_string_equal(d->entries[0].author.name, "Jo Doe");
	assert_string_equal(d->entries[0].author.email, "jo@news.example.com");
	feed_doc_free(d);
}

static void
test_mailto_author_in_brackets_rss10(void **state)
{
	struct feed_doc *d = parse("mailto_rss10.xml");

	(void)state;
	assert_string_equal(d->entries[0].author.name, "Ann Bee");
	assert_string_equal(d->entries[0].author.email, "ann@e.example.com");
	feed_doc_free(d);
}

static void
test_mailto_author_atom03(void **state)
{
	struct feed_doc *d = parse("mailto_atom03.xml");

	(void)state;
	assert_string_equal(d->entries[0].author.name, "Cy Dee");
	assert_string_equal(d->entries[0].author.email, "cy@e.example.com");
	feed_doc_free(d);
}

/* ---- legacy entities without ';' in escaped HTML ---------------------------- */

static void
test_legacy_entities_rss20(void **state)
{
	struct feed_doc *d = parse("legacy_ent_rss20.xml");

	(void)state;
	assert_string_equal(d->entries[0].summary,
			    "Caf\xc3\xa9 \xc2\xa9 2024 &co <b>");
	feed_doc_free(d);
}

static void
test_legacy_entities_atom_text_and_attributes(void **state)
{
	struct feed_doc *d = parse("legacy_ent_atom.xml");

	(void)state;
	/* "&notit;" is "&not" + "it;" as in a browser. */
	assert_string_equal(d->entries[0].content,
			    "\"Q\" link \xc2\xacit;");
	/* In an attribute, "&copy=" is a query parameter; "&reg" at the
	 * end of the value is a reference. */
	assert_non_null(strstr(d->entries[0].content_html,
			       "?a=1&amp;copy=2\xc2\xae\""));
	feed_doc_free(d);
}

static void
test_legacy_entities_rss10(void **state)
{
	struct feed_doc *d = parse("legacy_ent_rss10.xml");

	(void)state;
	assert_string_equal(d->entries[0].summary,
			    "Fa\xc3\xa7" "ade \xc2\xbd \xc2\xa0ok "
			    "\xe2\x88\x89 &");
	feed_doc_free(d);
}

/* ---- the shared repro files --------------------------------------------------- */

/* What ../shared/samples/realfeeds-repro/README.md says each file reads
 * as: one row per entry checked (NULL: not checked). */
static const struct repro {
	const char *file, *version, *encoding;
	int nentries, idx;
	const char *title, *link, *summary, *author_name, *author_email;
} repro[] = {
	{"lead-nl-link-amp.xml", "rss20", NULL, 1, 0, "x",
	 "http://e.com/?a=1&b=2", "A & B", NULL, NULL},
	{"lead-nl-atom-amp.xml", "atom10", NULL, 1, 0, "Architect & Designer",
	 NULL, NULL, NULL, NULL},
	{"lead-nl-rss-amp.xml", "rss20", NULL, 2, 0, "Red, Whine, & Blue",
	 NULL, NULL, NULL, NULL},
	{"lead-nl-rss-amp.xml", NULL, NULL, 2, 1, "Two", NULL, NULL, NULL,
	 NULL},
	{"lead-nl-no-decl.xml", "rss20", NULL, 1, 0, "A & B", NULL, NULL, NULL,
	 NULL},
	{"lead-space.xml", "rss20", NULL, 1, 0, "A & B", NULL, NULL, NULL,
	 NULL},
	{"lead-nl-charrefs.xml", "rss20", NULL, 1, 0,
	 "A & B \xe2\x84\x97 C < D \"q\" '", NULL, NULL, NULL, NULL},
	{"lead-nl-single-quote.xml", "rss20", NULL, 2, 1, "Two", NULL, NULL,
	 NULL, NULL},
	{"wf-ctrlchar-then-amp.xml", "rss20", NULL, 3, 0, "A & B",
	 "http://e.com/?a=1&b=2", "x < y", NULL, NULL},
	{"wf-ctrlchar-then-amp.xml", NULL, NULL, 3, 2, "D & E", NULL, NULL,
	 NULL, NULL},
	{"no-lead-nl-atom-amp.xml", "atom10", NULL, 1, 0,
	 "Architect & Designer", NULL, NULL, NULL, NULL},
	{"unclosed-itunes-category.xml", "rss20", NULL, 2, 0, "One", NULL,
	 NULL, NULL, NULL},
	{"unclosed-itunes-category.xml", NULL, NULL, 2, 1, "Two", NULL, NULL,
	 NULL, NULL},
	{"unclosed-br-in-channel.xml", "rss20", NULL, 1, 0, "A & B",
	 "http://e.com/?a=1&b=2", NULL, NULL, NULL},
	{"jsonfeed-http-version.json", "json10", NULL, 1, 0, "A",
	 "https://pxlnv.com/a", NULL, NULL, NULL},
	{"latin1-no-decl-accidental-utf8.xml", "rss20", "windows-1252", 1, 0,
	 "L\xc3\xa9ger \xc2\xab\xc2\xa0" "dou\xc3\xa9\xc2\xa0\xc2\xbb, "
	 "tr\xc3\xa8s", NULL, NULL, NULL, NULL},
	{"atom03-mode-xml-bad-type.xml", "atom03", NULL, 1, 0, "E", NULL,
	 "plain words", NULL, NULL},
	{"atom03-mode-xml-odd-type.xml", NULL, NULL, 1, 0, "E", NULL,
	 "plain words", NULL, NULL},
	{"author-mailto.xml", "rss10", NULL, 1, 0, "x", NULL, NULL,
	 "Simon St.Laurent", "simonstl@simonstl.com"},
	{"html-legacy-entity.xml", "rss20", NULL, 1, 0, "x", NULL,
	 "Mom said \"Hi\" to me", NULL, NULL},
};

static int
repro_dir(char *dir, size_t cap)
{
	const char *env = getenv("BW_REPRO_DIR");
	static const char *const rel[] = {
		"/../shared/samples/realfeeds-repro",    /* /work/main */
		"/../../shared/samples/realfeeds-repro", /* a worktree */
	};
	struct stat st;
	size_t i;

	if (env && *env) {
		snprintf(dir, cap, "%s", env);
		return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	}
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(dir, cap, "%s%s", BW_SRCDIR, rel[i]);
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			return 1;
	}
	return 0;
}

static void
check_str(const char *file, const char *what, const char *got,
	  const char *want)
{
	if (!want)
		return;
	if (!got || strcmp(got, want))
		fail_msg("%s: %s is \"%s\", the README says \"%s\"", file, what,
			 got ? got : "(null)", want);
}

static void
test_every_shared_repro_file_reads_as_its_readme_says(void **state)
{
	char dir[600], path[900];
	DIR *dh;
	struct dirent *de;
	size_t i, files = 0;

	(void)state;
	if (!repro_dir(dir, sizeof(dir))) {
		print_message("realfeeds-repro not found (../shared absent; "
			      "set BW_REPRO_DIR): skipped\n");
		skip();
	}
	dh = opendir(dir);
	assert_non_null(dh);
	while ((de = readdir(dh)) != NULL) {
		int known = 0;
		struct feed_doc *d;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "README.md"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		d = parse_path(path, NULL);
		for (i = 0; i < sizeof(repro) / sizeof(repro[0]); i++) {
			const struct repro *r = &repro[i];
			const struct feed_entry *e;

			if (strcmp(r->file, de->d_name))
				continue;
			known = 1;
			check_str(r->file, "version", d->version, r->version);
			check_str(r->file, "encoding", d->encoding,
				  r->encoding);
			if (d->nentries != (size_t)r->nentries)
				fail_msg("%s: %zu entries, the README says "
					 "%d", r->file, d->nentries,
					 r->nentries);
			e = &d->entries[r->idx];
			check_str(r->file, "title", e->title, r->title);
			check_str(r->file, "link", e->link, r->link);
			check_str(r->file, "summary", e->summary, r->summary);
			check_str(r->file, "author name", e->author.name,
				  r->author_name);
			check_str(r->file, "author email", e->author.email,
				  r->author_email);
		}
		feed_doc_free(d);
		if (!known)
			fail_msg("%s: no expected reading in this test (add "
				 "the README's row)", de->d_name);
		files++;
	}
	closedir(dh);
	print_message("%zu repro files read as expected\n", files);
	assert_true(files >= 17);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blank_lines_before_declaration_keep_entities_rss20),
		cmocka_unit_test(test_blank_before_declaration_keeps_its_charset_rss10),
		cmocka_unit_test(test_bom_and_newline_before_declaration_atom),
		cmocka_unit_test(test_blank_before_root_without_declaration_is_not_bozo),
		cmocka_unit_test(test_entities_after_a_control_character_rss20),
		cmocka_unit_test(test_stray_end_tag_is_dropped_atom),
		cmocka_unit_test(test_bare_less_than_is_text_rss10),
		cmocka_unit_test(test_error_does_not_change_later_text),
		cmocka_unit_test(test_lone_less_than_at_the_end),
		cmocka_unit_test(test_unclosed_hr_in_channel_rss20),
		cmocka_unit_test(test_unclosed_field_in_channel_rss20),
		cmocka_unit_test(test_unclosed_element_in_item_rss20),
		cmocka_unit_test(test_unclosed_image_in_channel_rss10),
		cmocka_unit_test(test_unclosed_author_in_feed_atom),
		cmocka_unit_test(test_jsonfeed_version_in_either_scheme),
		cmocka_unit_test(test_undeclared_legacy_text_is_windows1252_throughout),
		cmocka_unit_test(test_legacy_text_labelled_utf8_is_windows1252_atom),
		cmocka_unit_test(test_utf8_with_a_damaged_byte_stays_utf8),
		cmocka_unit_test(test_utf8_labelled_latin1_is_read_as_utf8_rss20),
		cmocka_unit_test(test_utf8_labelled_windows1252_by_http_is_utf8_atom),
		cmocka_unit_test(test_utf8_labelled_koi8r_is_utf8_rss10),
		cmocka_unit_test(test_real_latin1_stays_latin1),
		cmocka_unit_test(test_atom03_mode_xml_wins_over_an_odd_type),
		cmocka_unit_test(test_atom03_mode_escaped_wins_over_an_odd_type),
		cmocka_unit_test(test_atom03_implied_base64_only_when_it_decodes),
		cmocka_unit_test(test_mailto_author_rss20),
		cmocka_unit_test(test_mailto_author_in_brackets_rss10),
		cmocka_unit_test(test_mailto_author_atom03),
		cmocka_unit_test(test_legacy_entities_rss20),
		cmocka_unit_test(test_legacy_entities_atom_text_and_attributes),
		cmocka_unit_test(test_legacy_entities_rss10),
		cmocka_unit_test(test_every_shared_repro_file_reads_as_its_readme_says),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
