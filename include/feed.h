/* feed — parse RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.x into the
 * feed record of docs/record.md. A pure function of its input: no I/O, no
 * globals, no network (libxml2 runs with XML_PARSE_NONET and entity
 * declarations are refused), so it can be fuzzed and run on any thread.
 *
 * Ownership: feed_parse() gives the caller a struct feed_doc that owns
 * every string in it; free it with feed_doc_free().
 */
#ifndef BW_FEED_H
#define BW_FEED_H

#include <stddef.h>

#include <jansson.h>

struct feed_person {
	char *name, *email, *url; /* each NULL when absent */
};

struct feed_link {
	char *href; /* absolute */
	char *rel;  /* "alternate" when the feed did not say */
	char *type, *title;
};

struct feed_entry {
	char *id;    /* stable identity: guid/id, else link, else a hash of
		      * title and date (see docs/record.md); never NULL */
	char *title; /* plain text */
	char *link;  /* absolute; NULL when absent */
	struct feed_link *links;
	size_t nlinks;
	char *published, *updated; /* "YYYY-MM-DDTHH:MM:SSZ" or NULL */
	struct feed_person author; /* the first author; fields may be NULL */
	struct feed_person *authors;
	size_t nauthors;
	char **tags;
	size_t ntags;
	char *summary, *content;           /* plain text */
	char *summary_html, *content_html; /* sanitized HTML */
};

struct feed_doc {
	char version[8];   /* "rss20", "atom10", "json11", ... or "" */
	char *encoding;    /* charset the bytes were decoded from */
	int bozo;          /* 1: not well-formed, recovered */
	char *bozo_reason; /* why, when bozo */
	struct {
		char *title, *subtitle, *link, *id, *language, *rights;
		char *updated;
		struct feed_person author;
		struct feed_link *links;
		size_t nlinks;
	} feed;
	struct feed_entry *entries;
	size_t nentries;
};

struct feed_limits {
	size_t max_bytes;   /* input larger than this: -EFBIG */
	size_t max_entries; /* entries past this are dropped (bozo noted) */
	size_t max_field;   /* longer text fields are truncated at a UTF-8
			     * boundary */
};

/* Documented defaults: 16 MiB, 5000 entries, 1 MiB per field. */
void feed_limits_default(struct feed_limits *l);

/* Parse data[0..len). content_type is the HTTP Content-Type header (may
 * name the charset) or NULL; base_url the address the bytes came from, for
 * relative links, or NULL; limits NULL means the defaults.
 * Returns 0 and *out, or a negative errno with a reason in *err (malloc'd,
 * free it) and *out untouched:
 *   -EFBIG   input over max_bytes
 *   -EINVAL  not a feed at all (no recognisable root element / JSON)
 *   -EPERM   the document declares external entities or entities made of
 *            entities (refused; plain ones are read, see docs/feeds.md)
 *   -ENOMEM  out of memory
 * A recoverable problem is not an error: the document comes back with
 * bozo = 1 and bozo_reason set. */
int feed_parse(const char *data, size_t len, const char *content_type,
	       const char *base_url, const struct feed_limits *limits,
	       struct feed_doc **out, char **err);
void feed_doc_free(struct feed_doc *d);

/* The document as the contract's JSON object (new reference; NULL on
 * ENOMEM). */
json_t *feed_doc_to_json(const struct feed_doc *d);

/* The same document as JSON text: exactly the bytes
 * json_dumps(feed_doc_to_json(d), flags) gives, for flags made of
 * JSON_COMPACT, JSON_INDENT(n) and JSON_PRESERVE_ORDER (order is always
 * the contract's), without building the jansson tree. Returns a malloc'd
 * string (free()), NULL on ENOMEM. */
char *feed_doc_dump(const struct feed_doc *d, size_t flags);

#endif
