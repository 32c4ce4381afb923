/* buf.c — growable NUL-terminated byte buffer (see include/buf.h). */
#include "buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Remember the first error. cap drops to len, which the buffer still
 * holds, so that every later append takes buf_grow's slow path and finds
 * the error there: the common path (room enough) stays one compare. */
static int
buf_fail(struct buf *b, int err)
{
	if (!b->err)
		b->err = err;
	b->cap = b->len;
	return b->err;
}

int
buf_grow(struct buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return buf_fail(b, -ENOMEM);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	if (b->err)
		return b->err;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return buf_fail(b, -ENOMEM);
	if (!b->data)
		p[0] = '\0';
	b->data = p;
	b->cap = cap;
	return 0;
}

int
buf_append(struct buf *b, const void *data, size_t len)
{
	if (buf_grow(b, len) < 0)
		return -ENOMEM;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_append_no_nuls(struct buf *b, const char *s, size_t n)
{
	const char *z;

	while (n && (z = memchr(s, '\0', n))) {
		if (buf_append(b, s, (size_t)(z - s)) < 0)
			return -ENOMEM;
		n -= (size_t)(z - s) + 1;
		s = z + 1;
	}
	return buf_append(b, s, n);
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int
buf_put_int(struct buf *b, long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	/* The magnitude as unsigned: -LLONG_MIN does not fit a long long. */
	unsigned long long m = v < 0 ? 0ull - (unsigned long long)v
				     : (unsigned long long)v;

	do {
		*--p = (char)('0' + m % 10);
		m /= 10;
	} while (m);
	if (v < 0)
		*--p = '-';
	return buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->err)
		return b->err;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return buf_fail(b, -EINVAL);
	if (buf_grow(b, (size_t)n) < 0)
		return -ENOMEM;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int
buf_json_escape(struct buf *b, const char *s, size_t len)
{
	size_t i, start = 0;
	char esc[8];

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		switch (c) {
		case '"': rep = "\\\""; break;
		case '\\': rep = "\\\\"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			rep = esc;
		}
		if (buf_append(b, s + start, i - start) < 0 ||
		    buf_puts(b, rep) < 0)
			return -ENOMEM;
		start = i + 1;
	}
	return buf_append(b, s + start, len - start);
}

/* ---- the JSON string writer ---------------------------------------------
 *
 * buf_json_string() is the hand-written JSON writer the store's records
 * and events (briefing.c) and feed_doc_dump() (feed_out.c) share; it must
 * give json_dumps()'s bytes exactly (stored records are compared as text).
 * Its plain-ASCII run, 8 bytes at a time, took feed parse + dump on three
 * bench feeds from 200.6M to 172.6M instructions (commit b3b70c0).
 * 16 bytes at a time with SSE2, and one append per run of plain text and
 * valid UTF-8 instead of one per character, took it from 3.35M to 1.58M
 * instructions on bench/corpus.py's f00000.rss (callgrind, 2026-12-06).
 * test_briefing.c's test_json_string_matches_jansson_on_random_bytes holds
 * it to jansson at every offset of the 8- and 16-byte scans. */

/* Bytes at s (8 at a time) that need no attention: printable ASCII other
 * than '"' and '\\'. The 8-byte test: a lane is flagged when its byte is
 * >= 0x80, < 0x20, '"' or '\\' (exact: each test works on lanes whose top
 * bit is clear, so no borrow crosses lanes). */
static size_t
json_plain_run(const unsigned char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	size_t i = 0;

#ifdef __SSE2__
	/* 16 at a time where SSE2 is (every x86-64): as signed bytes, the
	 * ones >= 0x80 are negative, so one "< 0x20" finds both kinds. */
	{
		const __m128i sp = _mm_set1_epi8(0x20);
		const __m128i qu = _mm_set1_epi8('"');
		const __m128i bs = _mm_set1_epi8('\\');

		for (; i + 16 <= n; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
			int m = _mm_movemask_epi8(_mm_or_si128(
				_mm_cmplt_epi8(v, sp),
				_mm_or_si128(_mm_cmpeq_epi8(v, qu),
					     _mm_cmpeq_epi8(v, bs))));

			if (m)
				return i + (size_t)__builtin_ctz((unsigned)m);
		}
	}
#endif
	for (; i + 8 <= n; i += 8) {
		uint64_t v, low7, lt20, q, bs;

		memcpy(&v, s + i, 8);
		low7 = v & ~highs;
		/* lane < 0x20: (x & 0x7f) + 0x60 has no top bit */
		lt20 = ~(low7 + 0x60 * ones) & ~v & highs;
		q = low7 ^ ('"' * ones);
		q = ~(q + 0x7f * ones) & highs & ~v;   /* lane == '"' */
		bs = low7 ^ ('\\' * ones);
		bs = ~(bs + 0x7f * ones) & highs & ~v; /* lane == '\\' */
		if ((v & highs) | lt20 | q | bs)
			break;
	}
	for (; i < n; i++)
		if (s[i] < 0x20 || s[i] >= 0x80 || s[i] == '"' || s[i] == '\\')
			break;
	return i;
}

int
buf_json_string(struct buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run;
	size_t mark = b->len, left = strlen(str), n;
	char seq[8];

	/* Room for the common case (nothing to escape) in one go. */
	if (buf_grow(b, left + 2) < 0)
		return -ENOMEM;
	b->data[b->len++] = '"';
	/* Plain bytes and valid UTF-8 sequences are copied as one run, up
	 * to the next byte to escape (one append per run, not per
	 * character). */
	run = s;
	while (left) {
		n = json_plain_run(s, left);
		s += n;
		left -= n;
		if (!left)
			break;
		if (*s >= 0x80) {
			n = utf8_seq_len(s, left); /* as jansson checks it */
			if (!n) {
				b->len = mark;
				b->data[mark] = '\0';
				return -EILSEQ;
			}
			s += n;
			left -= n;
			continue;
		}
		if (buf_append(b, run, (size_t)(s - run)) < 0)
			return -ENOMEM;
		seq[0] = '\\';
		n = 2;
		switch (*s) {
		case '"': seq[1] = '"'; break;
		case '\\': seq[1] = '\\'; break;
		case '\b': seq[1] = 'b'; break;
		case '\f': seq[1] = 'f'; break;
		case '\n': seq[1] = 'n'; break;
		case '\r': seq[1] = 'r'; break;
		case '\t': seq[1] = 't'; break;
		default:
			n = (size_t)snprintf(seq, sizeof(seq), "\\u%04X", *s);
		}
		if (buf_append(b, seq, n) < 0)
			return -ENOMEM;
		s++;
		left--;
		run = s;
	}
	if (buf_append(b, run, (size_t)(s - run)) < 0)
		return -ENOMEM;
	return buf_putc(b, '"') < 0 ? -ENOMEM : 0;
}

int
buf_error(const struct buf *b)
{
	return b->err;
}

void
buf_reset(struct buf *b)
{
	b->err = 0;
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

const char *
buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

char *
buf_detach(struct buf *b)
{
	char *p = b->data;

	if (b->err) {
		buf_free(b);
		return NULL;
	}
	if (!p)
		p = strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}
