/* url — the one home of URL handling: resolution (RFC 3986), link safety,
 * the dedupe key and tracking parameters. Used by the parsers (feed*.c,
 * sanitize.c) and the store (store_put.c).
 *
 * Pure functions: no I/O, no globals, safe on any thread. Functions that
 * return char * give the caller a malloc'd string (free()), NULL only on
 * ENOMEM.
 */
#ifndef BW_URL_H
#define BW_URL_H

#include <stddef.h>

/* Resolve ref against base (RFC 3986 section 5.2; base may be NULL, then a
 * copy of ref comes back). Leading/trailing whitespace in ref is ignored. */
char *url_resolve(const char *base, const char *ref);

/* 1 when url (absolute or relative) is safe in a link: relative, or one of
 * the schemes feed ftp ftps gopher http https irc ircs magnet mailto news
 * nntp sftp sip sips ssh tag tel urn xmpp; 0 for javascript:, data:,
 * vbscript: and anything unknown. Control characters and spaces inside the
 * scheme are skipped, as browsers do ("java\tscript:"). */
int url_is_safe(const char *url);

/* 1 when the query parameter named name[0..len) only says how a reader got
 * to the page (utm_*, fbclid, gclid, mc_cid, mc_eid, ...: the list is in
 * docs/store.md), else 0. Case-insensitive. */
int url_is_tracking_param(const char *name, size_t len);

/* A copy of url without its tracking parameters; everything else (the
 * other parameters in their order, the fragment) byte for byte. A query
 * left empty loses its '?'. */
char *url_strip_tracking(const char *url);

/* The dedupe key of a URL: scheme dropped (http and https are one page),
 * host lowercased, default port, fragment and tracking parameters
 * removed. */
char *url_key(const char *url);

#endif
