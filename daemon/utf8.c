/* utf8.c — UTF-8 checking, repair and encoding; windows-1252 (utf8.h). */
#include "utf8.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "bytes8.h"

size_t
utf8_scan(const unsigned char *s, size_t len, size_t *valid_mb)
{
	size_t i = 0, bad = 0, mb = 0, n;

	while (i < len) {
		if (s[i] < 0x80) {
			/* ASCII runs in blocks (16 bytes with SSE2, else 8):
			 * most feeds and pages are mostly ASCII. */
			i++;
			i += b8_span_ascii(s + i, len - i);
			continue;
		}
		n = utf8_seq_len(s + i, len - i);
		if (n) {
			mb++;
			i += n;
		} else {
			bad++;
			i++;
		}
	}
	if (valid_mb)
		*valid_mb = mb;
	return bad;
}

int
utf8_valid(const unsigned char *s, size_t len)
{
	return utf8_scan(s, len, NULL) == 0;
}

/* One repair for both readings of a stray byte: U+FFFD, or the
 * windows-1252 character it is (U+FFFD for the five it leaves undefined). */
static int
repair(const unsigned char *s, size_t len, struct buf *out, int cp1252)
{
	size_t i = 0, from = 0, n;
	unsigned cp;
	char u[4];

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq_len(s + i, len - i);
		if (n) {
			i += n;
			continue;
		}
		cp = !cp1252 ? 0 : s[i] < 0xa0 ? utf8_cp1252_c1(s[i]) : s[i];
		if (!cp)
			cp = 0xfffd;
		if (buf_append(out, s + from, i - from) < 0 ||
		    buf_append(out, u, utf8_put(cp, u)) < 0)
			return -ENOMEM;
		from = ++i;
	}
	return buf_append(out, s + from, len - from);
}

int
utf8_repair(const unsigned char *s, size_t len, struct buf *out)
{
	return repair(s, len, out, 0);
}

int
utf8_repair_cp1252(const unsigned char *s, size_t len, struct buf *out)
{
	return repair(s, len, out, 1);
}

int
utf8_fix(struct buf *b)
{
	struct buf tmp = BUF_INIT;

	if (!b->len || utf8_valid((unsigned char *)b->data, b->len))
		return 0;
	if (utf8_repair((unsigned char *)b->data, b->len, &tmp) < 0) {
		buf_free(&tmp);
		return -ENOMEM;
	}
	buf_free(b);
	*b = tmp;
	return 0;
}

size_t
utf8_put(unsigned long cp, char u[4])
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (char)(0xf0 | cp >> 18);
	u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	u[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* 0x80-0x9f as windows-1252 means them (0: undefined). */
static const unsigned short cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

unsigned
utf8_cp1252_c1(unsigned c)
{
	return c >= 0x80 && c <= 0x9f ? cp1252_c1[c - 0x80] : 0;
}

int
utf8_from_cp1252(const unsigned char *s, size_t len, struct buf *out)
{
	size_t i, from = 0;
	unsigned cp;
	char u[4];

	for (i = 0; i < len; i++) {
		if (s[i] < 0x80)
			continue;
		cp = s[i] < 0xa0 ? utf8_cp1252_c1(s[i]) : s[i];
		if (!cp)
			cp = 0xfffd;
		if (buf_append(out, s + from, i - from) < 0 ||
		    buf_append(out, u, utf8_put(cp, u)) < 0)
			return -ENOMEM;
		from = i + 1;
	}
	return buf_append(out, s + from, len - from);
}
