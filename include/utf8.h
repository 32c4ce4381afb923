/* utf8 — the one home of UTF-8 checking, repair and encoding, and of the
 * windows-1252 table, for every module that decodes text (feed_enc.c,
 * transcript.c, sanitize.c, buf.c, service.c).
 *
 * "Valid" everywhere means what RFC 3629 says: shortest form, no UTF-16
 * surrogates, nothing above U+10FFFF. Pure functions: no I/O, no globals
 * but a constant table, safe on any thread.
 *
 * Ownership: output goes into a caller-owned struct buf (appended to).
 */
#ifndef BW_UTF8_H
#define BW_UTF8_H

#include <stddef.h>

#include "buf.h"

/* Length (2 to 4) of the valid multi-byte sequence at s, of which avail
 * bytes may be read, or 0 when s[0] does not start one (ASCII included).
 * Inline: the JSON writer and the HTML tokenizer call it per character. */
static inline size_t
utf8_seq_len(const unsigned char *s, size_t avail)
{
	unsigned c = s[0], cp;
	size_t n, i;

	if (c < 0xc2 || c > 0xf4)
		return 0;
	n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (avail < n)
		return 0;
	cp = c & (0x7fu >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* The number of invalid sequences in s[0..len) (0: valid UTF-8); when
 * valid_mb is not NULL, *valid_mb gets the number of valid multi-byte
 * sequences (0 with invalid ones: the bytes are some 8-bit charset). */
size_t utf8_scan(const unsigned char *s, size_t len, size_t *valid_mb);

/* 1 when s[0..len) is valid UTF-8, else 0. */
int utf8_valid(const unsigned char *s, size_t len);

/* Append s[0..len) with each byte that does not start a valid sequence
 * replaced by U+FFFD. 0 or -ENOMEM. */
int utf8_repair(const unsigned char *s, size_t len, struct buf *out);
/* The same, each stray byte read as the windows-1252 character it is
 * (text pasted from a windows-1252 source into a UTF-8 feed: "Caf\xe9"). */
int utf8_repair_cp1252(const unsigned char *s, size_t len, struct buf *out);

/* Make b valid UTF-8 in place (utf8_repair); untouched when it already is.
 * 0 or -ENOMEM (b unchanged). */
int utf8_fix(struct buf *b);

/* Write code point cp (at most U+10FFFF) as UTF-8 into u; returns the
 * number of bytes (1 to 4). */
size_t utf8_put(unsigned long cp, char u[4]);

/* What windows-1252 means by byte c in 0x80-0x9f (and what "&#146;" meant
 * on the pages that wrote it): a code point, or 0 for the five bytes it
 * leaves undefined and for any c outside that range. */
unsigned utf8_cp1252_c1(unsigned c);

/* Append windows-1252 text s[0..len) as UTF-8, the five undefined bytes
 * as U+FFFD. Done here rather than with iconv, whose errors for those
 * bytes would cut the text short. 0 or -ENOMEM. */
int utf8_from_cp1252(const unsigned char *s, size_t len, struct buf *out);

#endif
