/* opml — the feed list as OPML 1.0/2.0: a pure parser (bytes → feeds with
 * names fit for a [feed NAME] section) and a writer (feeds → OPML 2.0).
 * No I/O, no globals, no logging; libxml2 stays inside opml.c.
 *
 * Parsing: every <outline> with a non-empty xmlUrl attribute is a feed, at
 * any depth (outlines without xmlUrl are categories and are walked into).
 * The network is never used (XML_PARSE_NONET) and a document that declares
 * an entity is refused, so nothing is expanded. Input is bounded by
 * OPML_MAX_BYTES and OPML_MAX_FEEDS.
 */
#ifndef BW_OPML_H
#define BW_OPML_H

#include <stddef.h>

#include "buf.h"

#define OPML_MAX_BYTES (8u << 20)
#define OPML_MAX_FEEDS 10000
#define OPML_NAME_MAX 64

struct opml_feed {
	char *name;     /* 1-64 of [A-Za-z0-9._-], unique (see opml_parse) */
	char *url;      /* http:// or https://, trimmed */
	char *title;    /* title or text attribute, or NULL */
	char *category; /* enclosing outlines' titles joined by '/', or NULL */
	int line;       /* of the outline element in the input */
};

struct opml_list {
	struct opml_feed *feeds;
	size_t n;
	size_t skipped_nourl;    /* outlines with neither xmlUrl nor children */
	size_t skipped_dup;      /* xmlUrl repeated in the document */
	size_t skipped_known;    /* xmlUrl in opts->known_urls */
};

struct opml_opts {
	/* Names already taken (the configured feeds): new names avoid them,
	 * compared without regard to case. Borrowed for the call. */
	const char *const *taken_names;
	size_t ntaken;
	/* URLs already configured: such outlines are skipped (and counted
	 * in skipped_known) without taking a name. Exact comparison after
	 * trimming. Borrowed for the call. */
	const char *const *known_urls;
	size_t nknown;
};

/* Parse an OPML document. 0 and *out filled (free with opml_list_free),
 * or a negative errno and a malloc'd message in *err for the user:
 * -EINVAL (not OPML, not well-formed, an entity declaration, a feed URL
 * that is not http(s) — the message names the outline and its line),
 * -EFBIG (over the bounds), -ENOMEM. opts may be NULL.
 *
 * Names: the title (else text) when it already is a valid name; else a
 * lower-case slug of it ("Défense — Press" → "defense-press"); else the
 * URL's host without "www."; else "feed". A name already taken gets
 * "-2", "-3", ... */
int opml_parse(const char *data, size_t len, const struct opml_opts *opts,
	       struct opml_list *out, char **err);
void opml_list_free(struct opml_list *l);

/* Append an OPML 2.0 document listing feeds (name as text and title, url
 * as xmlUrl, category ignored) to out, escaped for XML; bytes that are not
 * valid UTF-8 or not allowed in XML become U+FFFD. title may be NULL.
 * 0 or -ENOMEM. */
int opml_write(const struct opml_feed *feeds, size_t n, const char *title,
	       struct buf *out);

/* Is s a valid feed name (1-64 of [A-Za-z0-9._-])? */
int opml_valid_name(const char *s);

#endif
