/* sanitize — turn untrusted HTML fragments into plain text and into
 * allowlist-sanitized HTML (links resolved and checked with url.h). Pure
 * functions: no I/O, no globals, safe on any thread.
 *
 * Input is UTF-8 (callers decode first). The HTML parser is libxml2's, fed
 * "UTF-8" explicitly, so one bad byte never switches it to Latin-1.
 *
 * Ownership: output goes into caller-owned struct buf (appended to);
 * functions returning char * give the caller a malloc'd string (free()).
 */
#ifndef BW_SANITIZE_H
#define BW_SANITIZE_H

#include <stddef.h>

#include "buf.h"

/* Parse html[0..len) once and append:
 *   to text (if not NULL): the plain text — tags stripped, script/style
 *     content dropped, entities decoded, ASCII whitespace folded to single
 *     spaces, a space at block-element boundaries, trimmed;
 *   to html (if not NULL): markup from the allowlist only (no script,
 *     style, event handlers, style attributes, javascript:/data: URLs,
 *     iframes, objects, forms), URL attributes resolved against base_url
 *     (may be NULL: relative URLs are then kept as they are).
 * Returns 0 or -ENOMEM. */
int sanitize_html(const char *html, size_t len, const char *base_url,
		  struct buf *text, struct buf *html_out);

/* The two ways sanitize_html() works, for tests and fuzzers that compare
 * them. sanitize_html_fast() handles simple, well-formed fragments with a
 * hand-written tokenizer; on anything else it appends nothing and returns
 * SANITIZE_DECLINED. sanitize_html_libxml() runs libxml2's HTML parser on
 * anything. Where the fast path does not decline, both append the same
 * bytes. Same arguments and results as sanitize_html() otherwise. */
#define SANITIZE_DECLINED 1
int sanitize_html_fast(const char *html, size_t len, const char *base_url,
		       struct buf *text, struct buf *html_out);
int sanitize_html_libxml(const char *html, size_t len, const char *base_url,
			 struct buf *text, struct buf *html_out);

/* Append s[0..len) with ASCII whitespace runs folded to one space and the
 * ends trimmed. Returns 0 or -ENOMEM. */
int sanitize_fold(const char *s, size_t len, struct buf *out);

/* Append s[0..len) escaped for HTML text and attribute values
 * (& < > "). Returns 0 or -ENOMEM. */
int sanitize_escape(const char *s, size_t len, struct buf *out);

/* Process set-up for every program that runs our parsers: initialise
 * libxml2 (so the parsers may run on several threads) and silence its
 * global error output, which libxml2 and iconv use for some problems
 * whatever the parser options say; the parsers return their own errors.
 * Call once from main() before any parse. */
void sanitize_libxml_init(void);

#endif
