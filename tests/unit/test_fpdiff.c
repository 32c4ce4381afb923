/* test_fpdiff — the rules found by the differential test against
 * feedparser (tests/differential/): each test is one general rule, in the
 * smallest document that shows it. */
#include <errno.h>
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

/* An entry whose first alternate link is a PDF and a later one HTML:
 * the HTML page is the link; the links list keeps both in order. An
 * entry with only a PDF alternate keeps it. */
static void
test_html_alternate_is_the_link(void **state)
{
	struct feed_doc *d = parse(
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>"
		"<link rel=\"alternate\" type=\"application/pdf\""
		" href=\"http://e.com/f.pdf\"/>"
		"<link href=\"http://e.com/\"/>"
		"<entry><title>a</title><id>1</id>"
		"<link rel=\"alternate\" type=\"application/pdf\""
		" href=\"http://e.com/1.pdf\"/>"
		"<link rel=\"alternate\" type=\"text/html\""
		" href=\"http://e.com/1.html\"/></entry>"
		"<entry><title>b</title><id>2</id>"
		"<link rel=\"alternate\" type=\"application/pdf\""
		" href=\"http://e.com/2.pdf\"/></entry>"
		"</feed>");

	(void)state;
	assert_string_equal(d->feed.link, "http://e.com/");
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[0].link, "http://e.com/1.html");
	assert_int_equal(d->entries[0].nlinks, 2);
	assert_string_equal(d->entries[0].links[0].href, "http://e.com/1.pdf");
	assert_string_equal(d->entries[1].link, "http://e.com/2.pdf");
	feed_doc_free(d);
}

/* RSS whose <channel> start tag is missing: the channel's fields stand
 * directly in <rss>; they are the feed's, and the items are found. */
static void
test_rss_without_channel_start_tag(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><title>T &amp; U</title>"
		"<link>http://e.com/</link><language>en</language>"
		"<lastBuildDate>Thu, 06 Dec 2018 17:51:50 +0000</lastBuildDate>"
		"<item><title>a</title><guid>1</guid></item>"
		"<item><title>b</title><guid>2</guid></item>"
		"</channel></rss>");

	(void)state;
	assert_int_equal(d->bozo, 1);
	assert_non_null(d->feed.title);
	assert_string_equal(d->feed.title, "T & U");
	assert_string_equal(d->feed.link, "http://e.com/");
	assert_string_equal(d->feed.language, "en");
	assert_string_equal(d->feed.updated, "2018-12-06T17:51:50Z");
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[1].title, "b");
	feed_doc_free(d);
}

/* RSS 1.0: the items are siblings of the channel, not its children; an
 * item's fields are still the item's. */
static void
test_rdf_fields_stay_in_their_items(void **state)
{
	struct feed_doc *d = parse(
		"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
		" xmlns=\"http://purl.org/rss/1.0/\">"
		"<channel rdf:about=\"http://e.com/\"><title>C</title>"
		"<link>http://e.com/</link></channel>"
		"<item rdf:about=\"http://e.com/1\"><title>I</title>"
		"<link>http://e.com/1</link></item></rdf:RDF>");

	(void)state;
	assert_string_equal(d->feed.title, "C");
	assert_int_equal(d->nentries, 1);
	assert_string_equal(d->entries[0].title, "I");
	feed_doc_free(d);
}

/* Media RSS: a YouTube entry's media:group/media:description is its
 * summary (plain text, escaped in summary_html); an item that has a
 * description keeps it, an image caption does not replace it. */
static void
test_media_description_is_the_text_of_last_resort(void **state)
{
	struct feed_doc *d = parse(
		"<feed xmlns=\"http://www.w3.org/2005/Atom\""
		" xmlns:media=\"http://search.yahoo.com/mrss/\"><title>t</title>"
		"<entry><title>v</title><id>yt:video:1</id>"
		"<media:group><media:title>v</media:title>"
		"<media:description>Line &lt;1&gt;\n\nLine 2</media:description>"
		"</media:group></entry>"
		"<entry><title>w</title><id>2</id><summary>Own</summary>"
		"<media:group><media:description>Other</media:description>"
		"</media:group></entry>"
		"<entry><title>x</title><id>3</id>"
		"<media:description type=\"plain\">Direct</media:description>"
		"</entry></feed>");

	(void)state;
	assert_int_equal(d->nentries, 3);
	assert_non_null(d->entries[0].summary);
	assert_string_equal(d->entries[0].summary, "Line <1> Line 2");
	assert_non_null(d->entries[0].summary_html);
	assert_non_null(strstr(d->entries[0].summary_html, "Line &lt;1&gt;"));
	assert_string_equal(d->entries[1].summary, "Own");
	assert_null(d->entries[1].content);
	assert_non_null(d->entries[2].summary);
	assert_string_equal(d->entries[2].summary, "Direct");
	feed_doc_free(d);

	d = parse("<rss version=\"2.0\""
		  " xmlns:media=\"http://search.yahoo.com/mrss/\"><channel>"
		  "<title>t</title><item><title>a</title>"
		  "<media:description type=\"html\">Caption</media:description>"
		  "<description>Story</description></item></channel></rss>");
	assert_string_equal(d->entries[0].summary, "Story");
	assert_null(d->entries[0].content);
	feed_doc_free(d);
}

/* Attribute names are read in any case, as feedparser reads them:
 * isPermalink="false" is a guid that is no permalink (the entry gets no
 * link from it), Href is the link's href. */
static void
test_attribute_names_in_any_case(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><channel><title>t</title>"
		"<item><title>a</title>"
		"<guid isPermalink=\"false\">http://x/a.mp3</guid></item>"
		"<item><title>b</title>"
		"<guid ISPERMALINK=\"true\">http://x/b</guid></item>"
		"</channel></rss>");

	(void)state;
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[0].id, "http://x/a.mp3");
	assert_null(d->entries[0].link);
	assert_non_null(d->entries[1].link);
	assert_string_equal(d->entries[1].link, "http://x/b");
	feed_doc_free(d);

	d = parse("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>"
		  "<entry><title>a</title><id>1</id>"
		  "<link Rel=\"alternate\" Href=\"http://x/1\"/></entry></feed>");
	assert_non_null(d->entries[0].link);
	assert_string_equal(d->entries[0].link, "http://x/1");
	feed_doc_free(d);
}

/* A guid or id is an identifier, not a text construct: what the XML
 * gives is kept, an entity left in it is not read as HTML
 * ("Q&amp;amp;A" is "Q&amp;A"; feedparser agrees). A link still is. */
static void
test_identifier_is_not_html(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><channel><title>t</title>"
		"<item><title>a</title>"
		"<guid isPermaLink=\"false\">http://x/Q&amp;amp;A.mp3</guid>"
		"<link>http://x/?a=1&amp;amp;b=2</link></item>"
		"</channel></rss>");

	(void)state;
	assert_int_equal(d->nentries, 1);
	assert_string_equal(d->entries[0].id, "http://x/Q&amp;A.mp3");
	assert_string_equal(d->entries[0].link, "http://x/?a=1&b=2");
	feed_doc_free(d);

	d = parse("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>"
		  "<entry><title>a</title><id>tag:x,2020:a&amp;lt;b</id>"
		  "</entry></feed>");
	assert_string_equal(d->entries[0].id, "tag:x,2020:a&lt;b");
	feed_doc_free(d);
}

/* A feed that uses a conventional prefix without declaring it (no
 * xmlns:itunes, no xmlns:media) still means that namespace, as
 * feedparser reads it; the missing declaration is the bozo reason. */
static void
test_undeclared_conventional_prefix(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><channel><title>t</title>"
		"<item><title>a</title>"
		"<itunes:author>Jo Doe</itunes:author>"
		"<itunes:summary>Episode notes</itunes:summary></item>"
		"<item><title>b</title>"
		"<media:group><media:description>Video text</media:description>"
		"</media:group></item>"
		"</channel></rss>");

	(void)state;
	assert_int_equal(d->nentries, 2);
	assert_true(d->bozo);
	assert_non_null(d->entries[0].author.name);
	assert_string_equal(d->entries[0].author.name, "Jo Doe");
	assert_non_null(d->entries[0].summary);
	assert_string_equal(d->entries[0].summary, "Episode notes");
	assert_non_null(d->entries[1].summary);
	assert_string_equal(d->entries[1].summary, "Video text");
	feed_doc_free(d);
}

/* UTF-8 text that went through Latin-1 once more ("CafÃ©") is read as
 * the UTF-8 it was, value by value, as feedparser does; a value with a
 * character above U+00FF is left alone ("â€™" keeps its euro sign).
 * C1 controls are windows-1252's characters (U+0093 is a quote). */
static void
test_double_encoded_utf8_repaired(void **state)
{
	struct feed_doc *d = parse(
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		"<rss version=\"2.0\"><channel>"
		"<title>Caf\xc3\x83\xc2\xa9 \xc3\xa2\xe2\x82\xac\xe2\x84\xa2</title>"
		"<item><title>Caf\xc3\x83\xc2\xa9 na\xc3\x83\xc2\xafve</title>"
		"<description>\xc2\x93Hi\xc2\x94</description></item>"
		"<item><title>Plain caf\xc3\xa9 \xc2\xa9</title></item>"
		"</channel></rss>");

	(void)state;
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->feed.title,
			    "Caf\xc3\x83\xc2\xa9 \xc3\xa2\xe2\x82\xac\xe2\x84\xa2");
	assert_string_equal(d->entries[0].title, "Caf\xc3\xa9 na\xc3\xafve");
	assert_string_equal(d->entries[0].summary,
			    "\xe2\x80\x9cHi\xe2\x80\x9d");
	assert_string_equal(d->entries[1].title, "Plain caf\xc3\xa9 \xc2\xa9");
	feed_doc_free(d);
}

/* A named reference without its semicolon in the XML ("Tom &amp Jerry",
 * "&copy 2024") is read as a browser reads it; followed by '=' or a name
 * character it is left as written ("?a=1&copy=2", "&ampx"). */
static void
test_named_reference_without_semicolon(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><channel><title>T</title>"
		"<link>http://x/?a=1&copy=2</link>"
		"<item><title>Tom &amp Jerry &copy 2024 &lt b &ampx</title></item>"
		"</channel></rss>");

	(void)state;
	assert_true(d->bozo);
	assert_string_equal(d->feed.link, "http://x/?a=1&copy=2");
	assert_string_equal(d->entries[0].title,
			    "Tom & Jerry \xc2\xa9 2024 < b &ampx");
	feed_doc_free(d);
}

/* An RSS author naming several addresses is no one address: the text is
 * the name ("a@x, b@y"); a separator beside the one address is not part
 * of the name ("jo@x - Jo Doe" is Jo Doe). */
static void
test_author_text_with_several_addresses(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><channel><title>t</title>"
		"<item><title>a</title><author>a@x.org, b@y.org</author></item>"
		"<item><title>b</title><author>jo@x.org - Jo Doe</author></item>"
		"</channel></rss>");

	(void)state;
	assert_int_equal(d->nentries, 2);
	assert_non_null(d->entries[0].author.name);
	assert_string_equal(d->entries[0].author.name, "a@x.org, b@y.org");
	assert_null(d->entries[0].author.email);
	assert_string_equal(d->entries[1].author.name, "Jo Doe");
	assert_string_equal(d->entries[1].author.email, "jo@x.org");
	feed_doc_free(d);
}

/* An Atom link's rel and type are read in any case: rel="ALTERNATE" is
 * the entry's link, type="TEXT/HTML" is HTML. */
static void
test_link_rel_in_any_case(void **state)
{
	struct feed_doc *d = parse(
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>"
		"<entry><title>a</title><id>1</id>"
		"<link rel=\"ALTERNATE\" type=\"TEXT/HTML\" href=\"http://x/1\"/>"
		"</entry></feed>");

	(void)state;
	assert_non_null(d->entries[0].link);
	assert_string_equal(d->entries[0].link, "http://x/1");
	assert_string_equal(d->entries[0].links[0].rel, "alternate");
	assert_string_equal(d->entries[0].links[0].type, "text/html");
	feed_doc_free(d);
}

/* media:title is the title of an item that has no other, and a
 * media:description inside media:content is the text of an item that
 * has no other, as in media:group (feedparser reads both). An item's own
 * title and description still come first. */
static void
test_media_title_and_content_description(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\">"
		"<channel><title>t</title>"
		"<item><media:title>Only here</media:title>"
		"<link>http://x/1</link></item>"
		"<item><title>Own</title><link>http://x/2</link>"
		"<media:content url=\"http://x/v.mp4\"><media:title>Inner</media:title>"
		"<media:description>Inner text</media:description>"
		"</media:content></item>"
		"<item><title>Told</title><description>Story</description>"
		"<media:content url=\"http://x/i.jpg\">"
		"<media:description>Caption</media:description></media:content>"
		"</item></channel></rss>");

	(void)state;
	assert_int_equal(d->nentries, 3);
	assert_non_null(d->entries[0].title);
	assert_string_equal(d->entries[0].title, "Only here");
	assert_string_equal(d->entries[1].title, "Own");
	assert_non_null(d->entries[1].summary);
	assert_string_equal(d->entries[1].summary, "Inner text");
	assert_string_equal(d->entries[2].summary, "Story");
	assert_null(d->entries[2].content);
	feed_doc_free(d);
}

/* A DOCTYPE whose internal subset declares plain entities (text and
 * character references: "&nbsp;", a company name) is read: the subset is
 * dropped, each declared entity replaced by its text, nothing expanded
 * twice, nothing fetched (a parameter entity naming an external file is
 * ignored). External entities and entities made of entities are still
 * refused. */
static void
test_doctype_with_plain_entities(void **state)
{
	const char *bomb =
		"<!DOCTYPE rss [<!ENTITY a \"ha\"><!ENTITY b \"&a;&a;\">]>"
		"<rss version=\"2.0\"><channel><title>&b;</title></channel></rss>";
	const char *xxe =
		"<!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<rss version=\"2.0\"><channel><title>&x;</title></channel></rss>";
	struct feed_doc *d = parse(
		"<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
		"<!ENTITY nbsp \"&#160;\">\n"
		"<!ENTITY corp 'ACME &#38; \"Co\"'>\n"
		"<!ENTITY % HTMLlat1 PUBLIC \"-//W3C//ENTITIES Latin 1 for XHTML//EN\""
		" \"http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent\">\n"
		"%HTMLlat1;\n]>\n"
		"<rss version=\"2.0\"><channel><title>News&nbsp;from &corp;</title>"
		"<item><title>Caf&eacute;</title>"
		"<link>http://x/?a=&corp;</link></item></channel></rss>");
	char *err = NULL;
	struct feed_doc *r = NULL;

	(void)state;
	assert_true(d->bozo);
	assert_string_equal(d->feed.title,
			    "News\xc2\xa0" "from ACME & \"Co\"");
	assert_string_equal(d->entries[0].title, "Caf\xc3\xa9");
	feed_doc_free(d);

	assert_int_equal(feed_parse(bomb, strlen(bomb), NULL, NULL, NULL, &r,
				    &err), -EPERM);
	assert_null(r);
	free(err);
	err = NULL;
	assert_int_equal(feed_parse(xxe, strlen(xxe), NULL, NULL, NULL, &r,
				    &err), -EPERM);
	assert_null(r);
	free(err);
}

/* HTML's unquoted and valueless attributes in a feed's markup are quoted
 * as HTML reads them: the value does not leak into the text
 * ("_blank>y"), the element's text is kept. */
static void
test_unquoted_attributes(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=2.0><channel><title>t</title>"
		"<item><title>a</title><description>x <a href=http://y/?a=1&b=2"
		" target=_blank>y</a> <input disabled>z</description></item>"
		"<item><title lang=en>Two</title></item>"
		"</channel></rss>");

	(void)state;
	assert_true(d->bozo);
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[0].summary, "x y z");
	assert_non_null(strstr(d->entries[0].summary_html,
			       "href=\"http://y/?a=1&amp;b=2\""));
	assert_string_equal(d->entries[1].title, "Two");
	feed_doc_free(d);
}

/* An HTML element that never has content, left open in the channel or
 * in an item's raw markup (<br>, <img>), is closed where it stands: the
 * channel's link, description and language after it are still the
 * channel's; "<br></br>" is left as written. */
static void
test_open_void_element_swallows_nothing(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><channel><title>T</title><br>"
		"<link>http://x/</link><description>D</description>"
		"<language>en</language>"
		"<item><title>a</title><description><p>one<br>two"
		"<img src=\"i.png\"></p></description><link>http://x/1</link>"
		"</item><item><title>b</title><description>x<br></br>y"
		"</description></item></channel></rss>");

	(void)state;
	assert_true(d->bozo);
	assert_non_null(d->feed.link);
	assert_string_equal(d->feed.link, "http://x/");
	assert_string_equal(d->feed.subtitle, "D");
	assert_string_equal(d->feed.language, "en");
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[0].link, "http://x/1");
	assert_string_equal(d->entries[1].summary, "x y");
	feed_doc_free(d);
}

/* W3CDTF with one-digit seconds, as a generator printing %d writes them
 * ("12:35:9+01:00"): the date is read, not dropped. */
static void
test_one_digit_seconds(void **state)
{
	struct feed_doc *d = parse(
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>"
		"<entry><id>tag:x,2006:1</id><title>a</title>"
		"<updated>2006-01-17T12:35:9+01:00</updated></entry></feed>");

	(void)state;
	assert_int_equal(d->nentries, 1);
	assert_non_null(d->entries[0].updated);
	assert_string_equal(d->entries[0].updated, "2006-01-17T11:35:09Z");
	feed_doc_free(d);
}

/* An entry without id takes its link as id: the link it ends up with
 * (the HTML alternate), not the first alternate of another type. */
static void
test_id_from_the_chosen_link(void **state)
{
	struct feed_doc *d = parse(
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>"
		"<entry><title>a</title>"
		"<link rel=\"alternate\" type=\"text/gemini\""
		" href=\"gemini://g.example/a\"/>"
		"<link rel=\"alternate\" type=\"text/html\""
		" href=\"http://www.example/a\"/>"
		"</entry></feed>");

	(void)state;
	assert_int_equal(d->nentries, 1);
	assert_string_equal(d->entries[0].link, "http://www.example/a");
	assert_string_equal(d->entries[0].id, "http://www.example/a");
	feed_doc_free(d);
}

/* A server's warning printed before the feed ("<br />\n<b>Warning</b>:
 * ... <?xml ..."): the text before the declaration is skipped, the feed
 * is read (it was refused: "not a feed: root element <br>"). */
static void
test_text_before_xml_declaration(void **state)
{
	struct feed_doc *d = parse(
		"<br />\n<b>Warning</b>:  Cannot modify header information in "
		"<b>/var/www/feed.php</b> on line <b>12</b><br />\n"
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<rss version=\"2.0\"><channel><title>T &amp; U</title>"
		"<item><title>a</title><link>http://x/1?a=1&amp;b=2</link>"
		"</item></channel></rss>");

	(void)state;
	assert_true(d->bozo);
	assert_string_equal(d->feed.title, "T & U");
	assert_int_equal(d->nentries, 1);
	assert_string_equal(d->entries[0].link, "http://x/1?a=1&b=2");
	feed_doc_free(d);
}

/* UTF-8 with bytes pasted from a windows-1252 source ("Caf\xe9",
 * "\x93quoted\x94"): each stray byte is read as its windows-1252
 * character, the valid UTF-8 around it stays as it is (was U+FFFD). */
static void
test_stray_bytes_in_utf8_read_as_windows1252(void **state)
{
	struct feed_doc *d = parse(
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		"<rss version=\"2.0\"><channel><title>Caf\xe9 \x93q\x94</title>"
		"<item><title>Thr\xc3\xa9\xc3\xa9 na\xc3\xafve</title></item>"
		"</channel></rss>");

	(void)state;
	assert_true(d->bozo);
	assert_non_null(strstr(d->bozo_reason, "windows-1252"));
	assert_string_equal(d->encoding, "utf-8");
	assert_string_equal(d->feed.title,
			    "Caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d");
	assert_string_equal(d->entries[0].title,
			    "Thr\xc3\xa9\xc3\xa9 na\xc3\xafve");
	feed_doc_free(d);
}

/* Markup left open inside an element (a description in naked HTML,
 * "<p>Hello <b>world</description>"): the end tag closes what is open
 * inside it first, so the item's next elements stay the item's (the
 * link fell into the description). */
static void
test_end_tag_closes_what_is_open_inside(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><channel><title>T</title>"
		"<item><title>a</title><description><p>Hello <b>world"
		"</description><link>http://x/a</link></item>"
		"<item><title>b</title><link>http://x/b</link></item>"
		"</channel></rss>");

	(void)state;
	assert_true(d->bozo);
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[0].summary, "Hello world");
	assert_non_null(d->entries[0].link);
	assert_string_equal(d->entries[0].link, "http://x/a");
	assert_string_equal(d->entries[1].link, "http://x/b");
	feed_doc_free(d);
}

/* Element names in another case ("<Title>", "<PubDate>", "</title>" for
 * "<Title>"): the same elements, as feedparser reads them (the title
 * and date were lost). */
static void
test_element_names_in_any_case(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><channel><Title>T</Title>"
		"<item><Title>A</title><Link>http://x/a</Link>"
		"<PubDate>Tue, 16 Dec 2008 10:01:01 +0000</PubDate></item>"
		"<item><title>b</title><link>http://x/b</link></item>"
		"</channel></rss>");

	(void)state;
	assert_string_equal(d->feed.title, "T");
	assert_int_equal(d->nentries, 2);
	assert_non_null(d->entries[0].title);
	assert_string_equal(d->entries[0].title, "A");
	assert_string_equal(d->entries[0].link, "http://x/a");
	assert_non_null(d->entries[0].published);
	assert_string_equal(d->entries[0].published, "2008-12-16T10:01:01Z");
	assert_string_equal(d->entries[1].title, "b");
	feed_doc_free(d);
}

/* An Atom feed or entry without alternate link whose <id> is a web
 * address: that address is its link, as feedparser reads it (a tag: or
 * urn: id is not a link). */
static void
test_web_address_id_is_the_missing_link(void **state)
{
	struct feed_doc *d = parse(
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>"
		"<id>https://x.example/all.atom</id>"
		"<link rel=\"self\" href=\"https://x.example/all.atom\"/>"
		"<entry><id>https://x.example/e/1</id><title>a</title></entry>"
		"<entry><id>tag:x.example,2024:2</id><title>b</title></entry>"
		"</feed>");

	(void)state;
	assert_non_null(d->feed.link);
	assert_string_equal(d->feed.link, "https://x.example/all.atom");
	assert_int_equal(d->nentries, 2);
	assert_non_null(d->entries[0].link);
	assert_string_equal(d->entries[0].link, "https://x.example/e/1");
	assert_null(d->entries[1].link);
	feed_doc_free(d);
}

/* An itunes:summary before the RSS description: the description is the
 * item's summary (it was the summary only when it came first; after an
 * itunes:summary it became a duplicate content). */
static void
test_description_after_itunes_summary(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\" xmlns:itunes="
		"\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>"
		"<title>T</title><item><title>a</title>"
		"<itunes:summary>Blurb</itunes:summary>"
		"<description><![CDATA[<div>The episode</div>]]></description>"
		"</item><item><title>b</title>"
		"<itunes:summary>Only blurb</itunes:summary></item>"
		"</channel></rss>");

	(void)state;
	assert_int_equal(d->nentries, 2);
	assert_string_equal(d->entries[0].summary, "The episode");
	assert_null(d->entries[0].content);
	assert_string_equal(d->entries[1].summary, "Only blurb");
	feed_doc_free(d);
}

/* An RFC 822 date whose minutes and seconds were printed with %d
 * ("10:1:1"): read, as feedparser reads it (the entry was undated). */
static void
test_rfc822_one_digit_minutes_seconds(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><channel><title>T</title>"
		"<item><title>a</title>"
		"<pubDate>Tue, 16 Dec 2008 10:1:1 GMT</pubDate></item>"
		"</channel></rss>");

	(void)state;
	assert_non_null(d->entries[0].published);
	assert_string_equal(d->entries[0].published, "2008-12-16T10:01:01Z");
	feed_doc_free(d);
}

/* A tz database name after the time ("... 10:01:01 Europe/Paris"): the
 * date is read with its wall-clock time, as an unknown abbreviation is
 * (feedparser reads it as UTC; the entry was undated). */
static void
test_tz_database_name_keeps_the_date(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><channel><title>T</title>"
		"<item><title>a</title>"
		"<pubDate>Tue, 16 Dec 2008 10:01:01 Europe/Paris</pubDate>"
		"</item></channel></rss>");

	(void)state;
	assert_non_null(d->entries[0].published);
	assert_string_equal(d->entries[0].published, "2008-12-16T10:01:01Z");
	feed_doc_free(d);
}

/* An end tag left out: a text field (<title>) ends where the next field
 * starts, a description where an element HTML has not (<guid>, a bare
 * <link>) starts, an item where the next item starts. The title held
 * the rest of the item; a second item nested in the first. */
static void
test_missing_end_tags_end_where_the_next_field_starts(void **state)
{
	struct feed_doc *d = parse(
		"<rss version=\"2.0\"><channel><title>T</title>"
		"<item><title>A<link>http://x/a</link>"
		"<guid>http://x/a</guid></item>"
		"<item><title>B</title><description>Text <b>b</b>"
		"<link>http://x/b</link></item>"
		"<item><title>C</title><link>http://x/c</link>"
		"<item><title>D</title><link>http://x/d</link></item>"
		"</channel></rss>");

	(void)state;
	assert_true(d->bozo);
	assert_int_equal(d->nentries, 4);
	assert_string_equal(d->entries[0].title, "A");
	assert_string_equal(d->entries[0].link, "http://x/a");
	assert_string_equal(d->entries[1].summary, "Text b");
	assert_non_null(d->entries[1].link);
	assert_string_equal(d->entries[1].link, "http://x/b");
	assert_string_equal(d->entries[2].title, "C");
	assert_string_equal(d->entries[3].title, "D");
	assert_string_equal(d->entries[3].link, "http://x/d");
	feed_doc_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_namespace_uri_without_trailing_slash),
		cmocka_unit_test(test_namespace_uri_prefix_is_not_enough),
		cmocka_unit_test(test_itunes_author_and_summary),
		cmocka_unit_test(test_html_alternate_is_the_link),
		cmocka_unit_test(test_rss_without_channel_start_tag),
		cmocka_unit_test(test_rdf_fields_stay_in_their_items),
		cmocka_unit_test(test_media_description_is_the_text_of_last_resort),
		cmocka_unit_test(test_attribute_names_in_any_case),
		cmocka_unit_test(test_identifier_is_not_html),
		cmocka_unit_test(test_undeclared_conventional_prefix),
		cmocka_unit_test(test_double_encoded_utf8_repaired),
		cmocka_unit_test(test_named_reference_without_semicolon),
		cmocka_unit_test(test_author_text_with_several_addresses),
		cmocka_unit_test(test_link_rel_in_any_case),
		cmocka_unit_test(test_media_title_and_content_description),
		cmocka_unit_test(test_doctype_with_plain_entities),
		cmocka_unit_test(test_unquoted_attributes),
		cmocka_unit_test(test_open_void_element_swallows_nothing),
		cmocka_unit_test(test_one_digit_seconds),
		cmocka_unit_test(test_id_from_the_chosen_link),
		cmocka_unit_test(test_text_before_xml_declaration),
		cmocka_unit_test(test_stray_bytes_in_utf8_read_as_windows1252),
		cmocka_unit_test(test_end_tag_closes_what_is_open_inside),
		cmocka_unit_test(test_element_names_in_any_case),
		cmocka_unit_test(test_web_address_id_is_the_missing_link),
		cmocka_unit_test(test_description_after_itunes_summary),
		cmocka_unit_test(test_rfc822_one_digit_minutes_seconds),
		cmocka_unit_test(test_tz_database_name_keeps_the_date),
		cmocka_unit_test(test_missing_end_tags_end_where_the_next_field_starts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
