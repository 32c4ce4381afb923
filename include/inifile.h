/* inifile — the INI dialect of briefwatch.conf and the profile files; a
 * pure tokenizer over bytes in memory.
 *
 * Why not inih: Debian's libinih is built with a 200-byte line buffer, and
 * real feed URLs and XPath expressions are longer. This reader has no line
 * limit (the caller bounds the whole text) and reports line numbers.
 *
 * Syntax: "[section]" lines; "key = value" (or "key: value") lines, key
 * and value trimmed; empty lines; comments: a line whose first non-blank
 * character is ';' or '#', and, after a value, ';' or '#' preceded by
 * whitespace to the end of the line. CRLF and a UTF-8 BOM are accepted; a
 * NUL byte reads as a space.
 */
#ifndef BW_INIFILE_H
#define BW_INIFILE_H

#include <stddef.h>

/* Called for each key; section is "" before the first [section]. The
 * strings are borrowed for the call. Return 1 to go on, 0 to stop (the
 * handler has recorded why). */
typedef int (*inifile_cb)(void *arg, const char *section, const char *key,
			  const char *value, int line);

/* Parse text[0..len). 0 when every line was read and accepted; the
 * (positive) number of the first line that is not INI or that cb refused;
 * -ENOMEM. *bad_syntax, when not NULL, is set to 1 when the parse stopped
 * on a syntax error rather than on a refusal from cb. */
int inifile_parse(const char *text, size_t len, inifile_cb cb, void *arg,
		  int *bad_syntax);

#endif
