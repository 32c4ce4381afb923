/* termtext — published text on a terminal: C0 controls (except newline),
 * DEL and C1 controls become spaces, and bidirectional controls are
 * dropped, so a title cannot drive the terminal or reverse what it shows
 * (issue #22 item 6). Used by every text output of the CLI, `tail --nats`
 * included.
 */
#ifndef BW_TERMTEXT_H
#define BW_TERMTEXT_H

#include <stddef.h>

/* The length of the bidirectional control at u (UTF-8), or 0: U+061C,
 * U+200E, U+200F, U+202A-U+202E, U+2066-U+2069. */
size_t term_bidi_len(const unsigned char *u, size_t n);
/* Write s[0..n) (or the string s) to stdout, cleaned as above. */
void term_put_clean(const char *s, size_t n);
void term_puts_clean(const char *s);

#endif
