/* bytes8 — the scanners of the feed path (sanitize.c, feed_xml.c) read
 * text in blocks: 16 bytes with SSE2 where the compiler targets it (every
 * x86-64), else 8 at once in one uint64_t ("SWAR"). The b8_ tests return
 * 0x80 in the lanes that match, 0 in the others, exactly, whatever the
 * other lanes hold (every sum works on the low 7 bits of a lane, so no
 * carry crosses into the next lane). test_sanitize.c holds the spans to
 * byte-at-a-time definitions on random text.
 */
#ifndef BW_BYTES8_H
#define BW_BYTES8_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>


#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* The spans below: how many bytes at s (of n) pass a test, counted in
 * whole blocks of 16 (SSE2, every x86-64) and then 8, so a multiple of 8;
 * the caller reads what follows one byte at a time. */

#ifdef __SSE2__
static inline __m128i
b16_load(const unsigned char *s)
{
	return _mm_loadu_si128((const __m128i *)(const void *)s);
}

static inline __m128i
b16_eq(__m128i v, char c)
{
	return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

/* Bytes below 0x20 (unsigned). */
static inline __m128i
b16_ctl(__m128i v)
{
	return _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
}
#endif

/* No byte >= 0x80. */
static inline size_t
b8_span_ascii(const unsigned char *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	for (; i + 16 <= n; i += 16)
		if (_mm_movemask_epi8(b16_load(s + i)))
			break;
#endif
	for (; i + 8 <= n; i += 8)
		if (b8_high(b8_load(s + i)))
			break;
	return i;
}

/* No '&', '<', '>' or '"' (what HTML escaping replaces). */
static inline size_t
b8_span_noesc(const unsigned char *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	for (; i + 16 <= n; i += 16) {
		__m128i v = b16_load(s + i);

		if (_mm_movemask_epi8(_mm_or_si128(
			    _mm_or_si128(b16_eq(v, '&'), b16_eq(v, '<')),
			    _mm_or_si128(b16_eq(v, '>'), b16_eq(v, '"')))))
			break;
	}
#endif
	for (; i + 8 <= n; i += 8) {
		uint64_t v = b8_load(s + i);

		if (b8_eq(v, '&') | b8_eq(v, '<') | b8_eq(v, '>') |
		    b8_eq(v, '"'))
			break;
	}
	return i;
}

/* Printable ASCII other than '<' and '&' (HTML text with nothing to
 * decode); *blank is cleared when one of them is not a space. */
static inline size_t
b8_span_text(const unsigned char *s, size_t n, int *blank)
{
	size_t i = 0;

#ifdef __SSE2__
	for (; i + 16 <= n; i += 16) {
		__m128i v = b16_load(s + i);

		/* as signed bytes, those >= 0x80 are below 0x20 too */
		if (_mm_movemask_epi8(_mm_or_si128(
			    _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
			    _mm_or_si128(b16_eq(v, '<'), b16_eq(v, '&')))))
			break;
		if (_mm_movemask_epi8(b16_eq(v, ' ')) != 0xffff)
			*blank = 0;
	}
#endif
	for (; i + 8 <= n; i += 8) {
		uint64_t v = b8_load(s + i);

		if (b8_high(v) | b8_lt(v, 0x20) | b8_eq(v, '<') |
		    b8_eq(v, '&'))
			break;
		if (v != ' ' * B8_ONES)
			*blank = 0;
	}
	return i;
}

/* Text that folding white space leaves as it is, after a character that
 * is not white space: no byte below 0x20, no two spaces in a row, no
 * space last in a block (it might start a run). */
static inline size_t
b8_span_folded(const unsigned char *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	for (; i + 16 <= n; i += 16) {
		__m128i v = b16_load(s + i);
		unsigned sp = (unsigned)_mm_movemask_epi8(b16_eq(v, ' '));

		if (_mm_movemask_epi8(b16_ctl(v)) || (sp & (sp >> 1)) ||
		    (sp & 0x8000))
			break;
	}
#endif
	for (; i + 8 <= n; i += 8) {
		uint64_t v = b8_load(s + i), sp = b8_eq(v, ' ');

		if (b8_lt(v, 0x20) | (sp & (sp >> 8)) | (sp >> 63))
			break;
	}
	return i;
}

#endif
