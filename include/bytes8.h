/* bytes8 — tests on 8 bytes at once (one uint64_t, "SWAR") for the
 * scanners of the feed path (sanitize.c, feed_xml.c, feed_enc.c): each
 * returns 0x80 in the lanes that match, 0 in the others, exactly, whatever
 * the other lanes hold (every sum works on the low 7 bits of a lane, so no
 * carry crosses into the next lane).
 */
#ifndef BW_BYTES8_H
#define BW_BYTES8_H

#include <stdint.h>
#include <string.h>

#define B8_ONES 0x0101010101010101ULL
#define B8_HIGHS 0x8080808080808080ULL

static inline uint64_t
b8_load(const void *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Lanes >= 0x80. */
static inline uint64_t
b8_high(uint64_t v)
{
	return v & B8_HIGHS;
}

/* Lanes equal to c (c < 0x80). */
static inline uint64_t
b8_eq(uint64_t v, unsigned char c)
{
	uint64_t x = (v & ~B8_HIGHS) ^ (c * B8_ONES);

	return ~(x + 0x7f * B8_ONES) & ~v & B8_HIGHS;
}

/* Lanes below c (0 < c <= 0x80). */
static inline uint64_t
b8_lt(uint64_t v, unsigned char c)
{
	return ~((v & ~B8_HIGHS) + (0x80 - c) * B8_ONES) & ~v & B8_HIGHS;
}

#endif
