/* pdf — a transcript published as a PDF, as HTML the transcript rules
 * read (docs/transcripts.md "PDF pages"). Text from poppler's GLib API in
 * reading order; paragraphs rebuilt from the layout (line spacing,
 * indentation, short last lines, font size for headings); running heads,
 * running feet and page numbers dropped. A pure function of the bytes.
 */
#ifndef BW_PDF_H
#define BW_PDF_H

#include <stddef.h>

#include "briefing.h"

struct transcript_opts;

#define PDF_MAX_PAGES 500          /* more: -EFBIG */
#define PDF_MAX_TEXT (8u << 20)    /* bytes of text; more: -EFBIG */

/* 1 when data[0..len) is a PDF: "%PDF-" at its start (after white space
 * or a BOM), or within its first 1024 bytes with no markup before it. */
int pdf_sniff(const char *data, size_t len);

/* The PDF data[0..len) as an HTML document: *html (malloc'd, NUL-
 * terminated, UTF-8) and *hlen. 0, or a negative errno with a malloc'd
 * reason in *err (may be NULL):
 *   -EINVAL damaged or not a PDF, -EACCES encrypted (needs a password),
 *   -EFBIG more than PDF_MAX_PAGES pages or PDF_MAX_TEXT of text,
 *   -ENOENT poppler-glib cannot be loaded (see pdf_lib.h), -ENOMEM. */
int pdf_to_html(const char *data, size_t len, char **html, size_t *hlen,
		char **err);

/* transcript_parse() sniffs a PDF and runs pdf_to_html's HTML through
 * its own rules: pdf.c converts and knows nothing of transcripts (so the
 * two modules do not call each other). */

#endif
