/* test_feed — feed_parse() on fixture feeds in the shapes publishers use:
 * every dialect, encodings, ill-formed input, limits and item identity. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed.h"
#include "../../daemon/feed_int.h"

static char *
slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *d;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/feeds/%s", BW_SRCDIR,
		 name);
	f = fopen(path, "rb");
	assert_non_null(f);
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
parse_ct(const char *name, const char *ct, const char *url,
	 const struct feed_limits *lim)
{
	size_t len;
	char *data = slurp(name, &len), *err = NULL;
	struct feed_doc *d = NULL;
	int rc = feed_parse(data, len, ct, url, lim, &d, &err);

	if (rc)
		fail_msg("%s: %d %s", name, rc, err ? err : "");
	free(data);
	assert_null(err);
	return d;
}

static struct feed_doc *
parse(const char *name)
{
	return parse_ct(name, NULL, NULL, NULL);
}

static int
parse_mem(const char *s, const struct feed_limits *lim, struct feed_doc **d)
{
	char *err = NULL;
	int rc = feed_parse(s, strlen(s), NULL, NULL, lim, d, &err);

	if (rc)
		assert_non_null(err);
	free(err);
	return rc;
}

static void
test_rss20_channel_fields_come_from_channel_not_image(void **state)
{
	struct feed_doc *d = parse("rss20_press.xml");

	(void)state;
	assert_string_equal(d->version, "rss20");
	assert_string_equal(d->encoding, "utf-8");
	assert_int_equal(d->bozo, 0);
	assert_string_equal(d->feed.title,
			    "Ministry of Foreign Affairs - Press briefings");
	assert_string_equal(d->feed.link, "https://mfa.example.gov/en/press/");
	assert_string_equal(d->feed.language, "en-gb");
	assert_string_equal(d->feed.rights, "Crown copyright");
	assert_string_equal(d->feed.updated, "2014-11-20T15:45:00Z");
	assert_string_equal(d->feed.author.name, "Press Office");
	assert_string_equal(d->feed.author.email, "press@mfa.example.gov");
	assert_int_equal(d->feed.nlinks, 2);
	assert_string_equal(d->feed.links[1].rel, "self");
	assert_int_equal(d->nentries, 2);
	feed_doc_free(d);
}

static void
test_rss20_item_html_is_sanitized_and_text_is_plain(void **state)
{
	struct feed_doc *d = parse("rss20_press.xml");
	struct feed_entry *e = &d->entries[0];

	(void)state;
	assert_string_equal(e->summary,
			    "The Spokesperson answered questions on Ukraine. x");
	assert_null(strstr(e->summary_html, "script"));
	assert_null(strstr(e->summary_html, "onclick"));
	assert_null(strstr(e->summary_html, "style"));
	assert_null(strstr(e->summary_html, "iframe"));
	assert_null(strstr(e->summary_html, "javascript"));
	assert_non_null(strstr(e->summary_html, "<b>questions</b>"));
	assert_string_equal(e->content, "Opening statement Good afternoon.");
	assert_null(strstr(e->content_html, "onerror"));
	assert_non_null(strstr(e->content_html, "<h2>"));
	feed_doc_free(d);
}

static void
test_rss20_item_guid_dates_authors_and_tags(void **state)
{
	struct feed_doc *d = parse("rss20_press.xml");
	struct feed_entry *e = &d->entries[0], *e2 = &d->entries[1];

	(void)state;
	assert_string_equal(e->id, "mfa-briefing-8812");
	assert_string_equal(e->published, "2014-11-20T15:30:00Z");
	assert_null(e->updated);
	assert_string_equal(e->author.name, "Maria Example");
	assert_int_equal(e->ntags, 2);
	assert_string_equal(e->tags[1], "Ukraine");
	/* "09:00 EST" has no seconds and a named zone */
	assert_string_equal(e2->published, "2014-11-19T14:00:00Z");
	assert_string_equal(e2->author.email, "spokesperson@mfa.example.gov");
	assert_string_equal(e2->author.name, "Maria Example");
	assert_string_equal(e2->summary,
			    "Talks will resume on Monday & continue all week.");
	feed_doc_free(d);
}

static void
test_relative_item_link_resolves_against_feed_url(void **state)
{
	struct feed_doc *d = parse_ct("rss20_press.xml", "application/rss+xml",
				      "https://mfa.example.gov/en/press/rss.xml",
				      NULL);

	(void)state;
	assert_string_equal(d->entries[0].link,
			    "https://mfa.example.gov/en/press/briefing-2014-11-20");
	assert_non_null(strstr(d->entries[0].summary_html,
			       "href=\"https://mfa.example.gov/en/ukraine\""));
	assert_non_null(strstr(d->entries[0].content_html,
		"src=\"https://mfa.example.gov/en/press/img/podium.jpg\""));
	feed_doc_free(d);
}

static void
test_atom10_xml_base_applies_at_every_level(void **state)
{
	struct feed_doc *d = parse_ct("atom10_briefings.xml", NULL,
				      "https://ignored.example/", NULL);
	struct feed_entry *e = &d->entries[0];

	(void)state;
	assert_string_equal(d->version, "atom10");
	assert_string_equal(d->feed.link,
			    "https://www.example.int/cps/en/natohq/press.htm");
	assert_string_equal(d->feed.author.url,
			    "https://www.example.int/contact");
	assert_string_equal(e->link, "https://www.example.int/cps/en/natohq/"
			    "opinions_115098.htm");
	assert_non_null(strstr(e->content_html,
		"href=\"https://www.example.int/cps/en/natohq/who.htm\""));
	feed_doc_free(d);
}

static void
test_atom10_links_keep_rel_type_and_title(void **state)
{
	struct feed_doc *d = parse("atom10_briefings.xml");
	struct feed_entry *e = &d->entries[0];

	(void)state;
	assert_int_equal(e->nlinks, 2);
	assert_string_equal(e->links[0].rel, "alternate");
	assert_string_equal(e->links[0].title, "HTML version");
	assert_string_equal(e->links[1].rel, "enclosure");
	assert_string_equal(e->links[1].type, "audio/mpeg");
	/* a link without rel is an alternate */
	assert_string_equal(d->entries[1].links[0].rel, "alternate");
	assert_string_equal(d->entries[1].link,
			    "https://www.example.int/doorstep.htm");
	feed_doc_free(d);
}

static void
test_atom10_text_constructs_by_type(void **state)
{
	struct feed_doc *d = parse("atom10_briefings.xml");
	struct feed_entry *e = &d->entries[0];

	(void)state;
	assert_string_equal(d->feed.title, "Press conferences & briefings");
	assert_string_equal(d->feed.subtitle, "Latest transcripts");
	assert_string_equal(d->feed.language, "fr");
	assert_string_equal(d->feed.updated, "2014-11-21T10:11:00Z");
	assert_string_equal(e->title, "Joint press point with the Minister");
	/* type="text": markup-looking text is text */
	assert_string_equal(e->summary, "Secretary General and Minister of "
			    "Defence <answered>");
	assert_string_equal(e->summary_html, "Secretary General and Minister "
			    "of Defence &lt;answered&gt;");
	/* type="xhtml": the wrapper div is dropped, script removed */
	assert_string_equal(e->content, "Thank you, Minister.");
	assert_null(strstr(e->content_html, "evil"));
	assert_int_equal(strncmp(e->content_html, "<p>", 3), 0);
	assert_int_equal(e->nauthors, 2);
	assert_string_equal(e->author.name, "Jens Example");
	assert_string_equal(e->authors[1].url, "https://mod.example.ee/");
	assert_string_equal(e->tags[0], "press-point");
	assert_string_equal(e->published, "2014-11-20T10:00:00Z");
	feed_doc_free(d);
}

static void
test_rss10_rdf_item_uses_rdf_about_and_dc_date(void **state)
{
	struct feed_doc *d = parse("rss10_rdf.xml");

	(void)state;
	assert_string_equal(d->version, "rss10");
	assert_string_equal(d->feed.language, "de");
	assert_int_equal(d->nentries, 1);
	assert_string_equal(d->entries[0].id, "https://gov.example.de/press/1");
	assert_string_equal(d->entries[0].updated, "2014-11-21T12:30:00Z");
	assert_string_equal(d->entries[0].tags[0], "Regierungspressekonferenz");
	feed_doc_free(d);
}

static void
test_rss091_netscape_doctype_and_html_entities(void **state)
{
	struct feed_doc *d = parse("rss091_netscape.xml");

	(void)state;
	assert_string_equal(d->version, "rss091n");
	assert_string_equal(d->encoding, "iso-8859-1");
	/* &nbsp; is not XML: repaired, noted */
	assert_int_equal(d->bozo, 1);
	assert_non_null(d->bozo_reason);
	assert_string_equal(d->feed.title, "Old\xc2\xa0Ministry feed");
	assert_string_equal(d->entries[0].title, "Briefing & Q&A");
	feed_doc_free(d);
}

static void
test_atom03_base64_content_is_decoded(void **state)
{
	struct feed_doc *d = parse("atom03_base64.xml");

	(void)state;
	assert_string_equal(d->version, "atom03");
	assert_string_equal(d->feed.title, "Atom 0.3 feed");
	assert_string_equal(d->feed.updated, "2004-01-02T03:04:05Z");
	assert_string_equal(d->entries[0].content, "Hello world");
	assert_string_equal(d->entries[0].content_html,
			    "<p>Hello <b>world</b></p>");
	assert_string_equal(d->entries[0].published, "2004-01-01T05:00:00Z");
	feed_doc_free(d);
}

static void
test_json_feed_11_maps_to_the_same_record(void **state)
{
	struct feed_doc *d = parse_ct("jsonfeed11.json", "application/feed+json",
				      NULL, NULL);
	struct feed_entry *e = &d->entries[0];

	(void)state;
	assert_string_equal(d->version, "json11");
	assert_string_equal(d->feed.title, "Spokesperson's Office");
	assert_string_equal(d->feed.link, "https://spox.example.org/");
	assert_string_equal(d->feed.author.name, "Spokesperson's Office");
	assert_int_equal(d->nentries, 2);
	assert_string_equal(e->link, "https://spox.example.org/briefings/"
			    "2014-11-20");
	assert_string_equal(e->content, "Good afternoon.");
	assert_null(strstr(e->content_html, "script"));
	assert_string_equal(e->published, "2014-11-20T11:00:00Z");
	assert_string_equal(e->author.name, "St\xc3\xa9phane Example");
	assert_int_equal(e->ntags, 2);
	assert_string_equal(d->entries[1].id, "42");
	assert_string_equal(d->entries[1].content, "Plain text only");
	feed_doc_free(d);
}

static void
test_latin1_declaration_is_decoded(void **state)
{
	struct feed_doc *d = parse("latin1.xml");

	(void)state;
	assert_string_equal(d->encoding, "iso-8859-1");
	assert_int_equal(d->bozo, 0);
	assert_string_equal(d->feed.title,
			    "Minist\xc3\xa8re des Affaires \xc3\xa9trang\xc3\xa8res");
	feed_doc_free(d);
}

static void
test_http_charset_overrides_xml_declaration(void **state)
{
	/* latin1.xml declares iso-8859-1; the header says windows-1252,
	 * which RFC 7303 makes authoritative. */
	struct feed_doc *d = parse_ct("latin1.xml",
				      "application/rss+xml; charset=windows-1252",
				      NULL, NULL);

	(void)state;
	assert_string_equal(d->encoding, "windows-1252");
	assert_int_equal(d->bozo, 0);
	feed_doc_free(d);
}

static void
test_bom_overrides_http_charset(void **state)
{
	struct feed_doc *d = parse_ct("utf16le_bom.xml",
				      "application/atom+xml; charset=iso-8859-1",
				      NULL, NULL);

	(void)state;
	assert_string_equal(d->encoding, "utf-16le");
	assert_string_equal(d->feed.title, "\xd0\x9f\xd1\x80\xd0\xb5\xd1\x81"
			    "\xd1\x81-\xd1\x81\xd0\xbb\xd1\x83\xd0\xb6\xd0\xb1"
			    "\xd0\xb0");
	feed_doc_free(d);
}

static void
test_utf16_without_bom_is_sniffed(void **state)
{
	struct feed_doc *d = parse("utf16be_nobom.xml");

	(void)state;
	assert_string_equal(d->encoding, "utf-16be");
	assert_int_equal(d->nentries, 1);
	assert_string_equal(d->entries[0].id, "urn:x:1");
	feed_doc_free(d);
}

static void
test_text_xml_without_charset_reports_us_ascii(void **state)
{
	struct feed_doc *d = parse_ct("rss10_rdf.xml", "text/xml", NULL, NULL);

	(void)state;
	assert_string_equal(d->encoding, "us-ascii");
	assert_int_equal(d->bozo, 0);
	feed_doc_free(d);
}

static void
test_windows1252_bytes_declared_utf8_are_recovered(void **state)
{
	struct feed_doc *d = parse("cp1252_as_utf8.xml");

	(void)state;
	assert_int_equal(d->bozo, 1);
	assert_string_equal(d->encoding, "windows-1252");
	assert_string_equal(d->feed.title, "Don\xe2\x80\x99t panic \xe2\x80\x93"
			    " caf\xc3\xa9");
	feed_doc_free(d);
}

/* Red-team pass 2: bozo_reason kept the first cause only (a NUL removed
 * hid the max_entries cut). Every recovery is named, in the order they
 * happen, the first first, each once. */
static void
test_bozo_reason_names_every_recovery_once_in_order(void **state)
{
	static const char xml[] =
		"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"
		"<rss version=\"2.0\"><channel><title>Caf\xc3\xa9\0 & co"
		"</title><item><title>a &amp; b & c</title></item>"
		"<item><title>2</title></item><item><title>3</title></item>"
		"<item><title>4 & 5</title></item></channel></rss>";
	struct feed_limits lim;
	struct feed_doc *d = NULL;
	char *err = NULL;

	(void)state;
	feed_limits_default(&lim);
	lim.max_entries = 2;
	assert_int_equal(feed_parse(xml, sizeof(xml) - 1,
				    "application/octet-stream", NULL,
				    &lim, &d, &err), 0);
	assert_int_equal(d->bozo, 1);
	assert_string_equal(d->bozo_reason,
			    "Content-Type application/octet-stream is not an "
			    "XML media type; "
			    "declared iso-8859-1, but the bytes are valid "
			    "UTF-8; read as utf-8; "
			    "NUL bytes removed; "
			    "undefined entity or unescaped '&' repaired; "
			    "more than 2 entries; the rest were dropped");
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->feed.title, "Caf\xc3\xa9 & co");
	feed_doc_free(d);
}

/* The joining itself: no repeats (also of a reason that holds "; "), a
 * reason inside another is not a repeat, and past FEED_BOZO_MAX the rest
 * is "...", once. */
static void
test_bozo_reasons_are_joined_once_and_bounded(void **state)
{
	char *r = NULL, one[64];
	int i;

	(void)state;
	assert_int_equal(feed_bozo_add(&r, "a; b"), 0);
	assert_int_equal(feed_bozo_add(&r, "c"), 0);
	assert_int_equal(feed_bozo_add(&r, "a; b"), 0);
	assert_int_equal(feed_bozo_add(&r, "b"), 0);
	assert_int_equal(feed_bozo_add(&r, "c"), 0);
	assert_int_equal(feed_bozo_add(&r, "a"), 0);
	assert_int_equal(feed_bozo_add(&r, "cc"), 0);
	assert_string_equal(r, "a; b; c; cc");
	for (i = 0; i < 100; i++) {
		snprintf(one, sizeof(one), "reason number %d", i);
		assert_int_equal(feed_bozo_add(&r, one), 0);
	}
	assert_true(strlen(r) <= FEED_BOZO_MAX);
	assert_string_equal(r + strlen(r) - 5, "; ...");
	assert_non_null(strstr(r, "; reason number 0; reason number 1; "));
	assert_null(strstr(r, "reason number 99"));
	assert_int_equal(feed_bozo_add(&r, "x"), 0);
	assert_string_equal(r + strlen(r) - 5, "; ...");
	assert_ptr_equal(strstr(r, "..."), r + strlen(r) - 3);
	free(r);
}

static void
test_one_invalid_utf8_byte_is_replaced_with_bozo(void **state)
{
	struct feed_doc *d = parse("bad_byte.xml");

	(void)state;
	assert_int_equal(d->bozo, 1);
	assert_non_null(strstr(d->bozo_reason, "invalid"));
	/* the stray byte read as windows-1252 (0xff: U+00FF), not U+FFFD */
	assert_string_equal(d->feed.title, "Caf\xc3\xa9 \xc3\xbf ok");
	feed_doc_free(d);
}

static void
test_unescaped_ampersands_and_unclosed_cdata_are_recovered(void **state)
{
	struct feed_doc *d = parse("broken_amp.xml");

	(void)state;
	assert_int_equal(d->bozo, 1);
	assert_string_equal(d->feed.title, "Trade & Industry\xc2\xa0News");
	assert_string_equal(d->feed.link, "https://trade.example.gov/?a=1&b=2");
	assert_true(d->nentries >= 1);
	assert_string_equal(d->entries[0].title,
			    "Q&A with the Minister \xc2\xa9 2014");
	assert_string_equal(d->entries[0].link,
			    "https://trade.example.gov/qa?id=7&lang=en");
	feed_doc_free(d);
}

static void
test_document_declaring_entities_is_refused(void **state)
{
	size_t len;
	char *data = slurp("entity_decl.xml", &len), *err = NULL;
	struct feed_doc *d = NULL;

	(void)state;
	assert_int_equal(feed_parse(data, len, NULL, NULL, NULL, &d, &err),
			 -EPERM);
	assert_null(d);
	assert_non_null(err);
	free(err);
	free(data);
}

static void
test_non_feed_xml_and_garbage_are_einval(void **state)
{
	struct feed_doc *d = NULL;

	(void)state;
	assert_int_equal(parse_mem("<html><body>hi</body></html>", NULL, &d),
			 -EINVAL);
	assert_int_equal(parse_mem("", NULL, &d), -EINVAL);
	assert_int_equal(parse_mem("{\"not\": \"a feed\"}", NULL, &d), -EINVAL);
	assert_null(d);
}

static void
test_input_over_max_bytes_is_efbig(void **state)
{
	struct feed_limits lim;
	struct feed_doc *d = NULL;

	(void)state;
	feed_limits_default(&lim);
	assert_int_equal(lim.max_bytes, 16u << 20);
	assert_int_equal(lim.max_entries, 5000);
	assert_int_equal(lim.max_field, 1u << 20);
	lim.max_bytes = 20;
	assert_int_equal(parse_mem("<rss version=\"2.0\"><channel/></rss>",
				   &lim, &d), -EFBIG);
}

static void
test_entries_past_max_entries_are_dropped_with_bozo(void **state)
{
	struct feed_limits lim;
	struct feed_doc *d = NULL;

	(void)state;
	feed_limits_default(&lim);
	lim.max_entries = 2;
	assert_int_equal(parse_mem("<rss version=\"2.0\"><channel>"
		"<item><title>a</title></item><item><title>b</title></item>"
		"<item><title>c</title></item></channel></rss>", &lim, &d), 0);
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[1].title, "b");
	assert_int_equal(d->bozo, 1);
	feed_doc_free(d);
}

static void
test_long_fields_are_truncated_at_a_utf8_boundary(void **state)
{
	struct feed_limits lim;
	struct feed_doc *d = NULL;

	(void)state;
	feed_limits_default(&lim);
	lim.max_field = 6;
	/* "ééééé": 10 bytes; 6 keeps three whole characters */
	assert_int_equal(parse_mem("<rss version=\"2.0\"><channel><title>"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9</title></channel>"
		"</rss>", &lim, &d), 0);
	assert_string_equal(d->feed.title, "\xc3\xa9\xc3\xa9\xc3\xa9");
	feed_doc_free(d);
	lim.max_field = 5;
	assert_int_equal(parse_mem("<rss version=\"2.0\"><channel><title>"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9</title></channel>"
		"</rss>", &lim, &d), 0);
	assert_string_equal(d->feed.title, "\xc3\xa9\xc3\xa9");
	feed_doc_free(d);
}

static void
test_item_identity_guid_then_link_then_hash(void **state)
{
	struct feed_doc *d = parse("identity.xml");

	(void)state;
	assert_int_equal(d->nentries, 6);
	assert_string_equal(d->entries[0].id, "guid-1");
	assert_string_equal(d->entries[1].id, "https://id.example.org/2");
	assert_int_equal(strncmp(d->entries[2].id, "urn:briefwatch:", 15), 0);
	/* same title and date: same id; a different date: another id */
	assert_string_equal(d->entries[2].id, d->entries[3].id);
	assert_string_not_equal(d->entries[2].id, d->entries[4].id);
	/* a permalink guid is also the link */
	assert_string_equal(d->entries[5].link, "https://id.example.org/permalink");
	/* guid isPermaLink="false" never becomes the link */
	assert_string_equal(d->entries[0].link, "https://id.example.org/1");
	feed_doc_free(d);
}

static void
test_hash_id_is_stable_across_parses(void **state)
{
	struct feed_doc *a = parse("identity.xml"), *b = parse("identity.xml");

	(void)state;
	assert_string_equal(a->entries[4].id, b->entries[4].id);
	feed_doc_free(a);
	feed_doc_free(b);
}

static void
test_json_output_follows_the_contract(void **state)
{
	struct feed_doc *d = parse("atom10_briefings.xml");
	json_t *j = feed_doc_to_json(d), *e;

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "version")),
			    "atom10");
	assert_true(json_is_false(json_object_get(j, "bozo")));
	assert_true(json_is_null(json_object_get(j, "bozo_reason")));
	e = json_array_get(json_object_get(j, "entries"), 1);
	assert_true(json_is_null(json_object_get(e, "published")));
	assert_string_equal(json_string_value(json_object_get(e, "updated")),
			    "2014-11-19T08:00:00Z");
	assert_true(json_is_array(json_object_get(e, "links")));
	json_decref(j);
	feed_doc_free(d);
}

/* feed_doc_dump() against json_dumps() of feed_doc_to_json(). */
static void
assert_dump_matches_jansson(const struct feed_doc *d)
{
	static const size_t flags[] = {
		0, JSON_COMPACT, JSON_INDENT(2) | JSON_PRESERVE_ORDER,
		JSON_INDENT(3) | JSON_COMPACT,
	};
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		json_t *j = feed_doc_to_json(d);
		char *want = json_dumps(j, flags[i]);
		char *got = feed_doc_dump(d, flags[i]);

		assert_non_null(want);
		assert_non_null(got);
		assert_string_equal(got, want);
		free(got);
		free(want);
		json_decref(j);
	}
}

static void
test_json_text_is_what_jansson_writes_for_every_fixture(void **state)
{
	static const char *const names[] = {
		"atom03_base64.xml", "atom10_briefings.xml", "bad_byte.xml",
		"broken_amp.xml", "cp1252_as_utf8.xml", "identity.xml",
		"jsonfeed11.json", "latin1.xml", "rss091_netscape.xml",
		"rss10_rdf.xml", "rss20_press.xml", "utf16be_nobom.xml",
		"utf16le_bom.xml",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct feed_doc *d = parse(names[i]);

		assert_dump_matches_jansson(d);
		feed_doc_free(d);
	}
}

static void
test_json_text_escapes_and_replaces_like_jansson(void **state)
{
	static char bad_tag[] = "ok\xff";
	static char good_tag[] = "caf\xc3\xa9 \xf0\x9f\x98\x80";
	static char overlong[] = "\xc0\xafx";
	static char surrogate[] = "\xed\xa0\x80";
	char *tags[] = {bad_tag, good_tag};
	char *only_bad[] = {bad_tag};
	struct feed_entry e[2];
	struct feed_doc d;

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(e, 0, sizeof(e));
	strcpy(d.version, "rss20");
	d.bozo = 1;
	d.bozo_reason = (char *)"quote \" back\\slash \x01\x1f\b\f\n\r\t/";
	d.feed.title = overlong;
	d.feed.subtitle = surrogate;
	e[0].id = (char *)"\xe2\x80\x94 \x7f";
	e[0].tags = tags;
	e[0].ntags = 2;
	e[1].id = (char *)"";
	e[1].tags = only_bad;
	e[1].ntags = 1;
	d.entries = e;
	d.nentries = 2;
	assert_dump_matches_jansson(&d);
	d.nentries = 0;
	assert_dump_matches_jansson(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss20_channel_fields_come_from_channel_not_image),
		cmocka_unit_test(test_rss20_item_html_is_sanitized_and_text_is_plain),
		cmocka_unit_test(test_rss20_item_guid_dates_authors_and_tags),
		cmocka_unit_test(test_relative_item_link_resolves_against_feed_url),
		cmocka_unit_test(test_atom10_xml_base_applies_at_every_level),
		cmocka_unit_test(test_atom10_links_keep_rel_type_and_title),
		cmocka_unit_test(test_atom10_text_constructs_by_type),
		cmocka_unit_test(test_rss10_rdf_item_uses_rdf_about_and_dc_date),
		cmocka_unit_test(test_rss091_netscape_doctype_and_html_entities),
		cmocka_unit_test(test_atom03_base64_content_is_decoded),
		cmocka_unit_test(test_json_feed_11_maps_to_the_same_record),
		cmocka_unit_test(test_latin1_declaration_is_decoded),
		cmocka_unit_test(test_http_charset_overrides_xml_declaration),
		cmocka_unit_test(test_bom_overrides_http_charset),
		cmocka_unit_test(test_utf16_without_bom_is_sniffed),
		cmocka_unit_test(test_text_xml_without_charset_reports_us_ascii),
		cmocka_unit_test(test_windows1252_bytes_declared_utf8_are_recovered),
		cmocka_unit_test(test_one_invalid_utf8_byte_is_replaced_with_bozo),
		cmocka_unit_test(
			test_bozo_reason_names_every_recovery_once_in_order),
		cmocka_unit_test(test_bozo_reasons_are_joined_once_and_bounded),
		cmocka_unit_test(test_unescaped_ampersands_and_unclosed_cdata_are_recovered),
		cmocka_unit_test(test_document_declaring_entities_is_refused),
		cmocka_unit_test(test_non_feed_xml_and_garbage_are_einval),
		cmocka_unit_test(test_input_over_max_bytes_is_efbig),
		cmocka_unit_test(test_entries_past_max_entries_are_dropped_with_bozo),
		cmocka_unit_test(test_long_fields_are_truncated_at_a_utf8_boundary),
		cmocka_unit_test(test_item_identity_guid_then_link_then_hash),
		cmocka_unit_test(test_hash_id_is_stable_across_parses),
		cmocka_unit_test(test_json_output_follows_the_contract),
		cmocka_unit_test(test_json_text_is_what_jansson_writes_for_every_fixture),
		cmocka_unit_test(test_json_text_escapes_and_replaces_like_jansson),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
