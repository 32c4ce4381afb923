/* termtext.c — published text made safe for a terminal; include/termtext.h. */
#include "termtext.h"

#include <stdio.h>
#include <string.h>

size_t
term_bidi_len(const unsigned char *u, size_t n)
{
	if (n >= 2 && u[0] == 0xd8 && u[1] == 0x9c)
		return 2;
	if (n < 3 || u[0] != 0xe2)
		return 0;
	if (u[1] == 0x80 && (u[2] == 0x8e || u[2] == 0x8f ||
			     (u[2] >= 0xaa && u[2] <= 0xae)))
		return 3;
	if (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9)
		return 3;
	return 0;
}

void
term_put_clean(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++) {
		size_t b = term_bidi_len(u + i, n - i);

		if (b) {
			i += b - 1; /* dropped: they are invisible anyway */
		} else if ((u[i] < 0x20 && u[i] != '\n') || u[i] == 0x7f) {
			putchar(' ');
		} else if (u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 &&
			   u[i + 1] <= 0x9f) {
			putchar(' ');
			i++;
		} else {
			putchar(u[i]);
		}
	}
}

void
term_puts_clean(const char *s)
{
	term_put_clean(s, strlen(s));
}
