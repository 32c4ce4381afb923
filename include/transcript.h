/* transcript — turn a briefing page (HTML bytes) into the briefing record
 * of docs/record.md: title, subtitle, dates, location, summary, kind,
 * speakers and every speaker turn. A pure function: no I/O, no globals;
 * libxml2's HTML parser with XML_PARSE_NONET, explicit charset.
 *
 * Publisher conventions come from a profile (include/profiles.h); with no
 * profile the one matching the URL is used, else the generic fallback.
 */
#ifndef BW_TRANSCRIPT_H
#define BW_TRANSCRIPT_H

#include <stddef.h>

#include "briefing.h"

struct profile;
struct profile_set;

struct transcript_opts {
	const char *url;     /* the page's address (required: links, profile
			      * choice, the record's "url") */
	const char *charset; /* from the HTTP Content-Type, or NULL: then the
			      * page's meta charset, else UTF-8 */
	const struct profile *profile;   /* NULL: choose from profiles by URL */
	const struct profile_set *profiles; /* NULL: the built-in set */
	size_t max_bytes;    /* 0: default 8 MiB; larger input: -EFBIG */
};

/* Parse html[0..len). 0 and *out (free with briefing_free), or a negative
 * errno with a malloc'd reason in *err:
 *   -EFBIG input too large, -EINVAL not an HTML document / no content,
 *   -ENOMEM. */
int transcript_parse(const char *html, size_t len,
		     const struct transcript_opts *o, struct briefing **out,
		     char **err);

#endif
