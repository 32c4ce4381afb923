/* buf — a growable byte buffer that is always NUL-terminated.
 *
 * Ownership: a struct buf owns its data. buf_free() releases it and leaves
 * an empty buffer; buf_detach() hands the data to the caller (free with
 * free()). A zeroed struct buf ({0}) is a valid empty buffer.
 * Errors are sticky ("append, check once"): the first append that fails
 * (-ENOMEM; -EINVAL for a format buf_vprintf cannot expand) is remembered,
 * leaves the buffer as it was (still valid, still terminated), and makes
 * every later append return that error without appending. So a writer may
 * append a whole section and check buf_error() (or buf_detach()) once, and
 * never take a text with a hole in it for a whole one. buf_reset() and
 * buf_free() clear the error; -EILSEQ from buf_json_string() is not one
 * (nothing was appended, and nothing was lost).
 */
#ifndef BW_BUF_H
#define BW_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NULL or NUL-terminated */
	size_t len;
	size_t cap;
	int err;    /* the first failed append's error, or 0 */
};

#define BUF_INIT {NULL, 0, 0, 0}

/* Make room for at least extra more bytes plus the terminator. */
int buf_grow(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *data, size_t len);
/* Append s[0..n) without its NUL bytes (a stray NUL ends the text for
 * libxml2: the feed and page parsers drop them first). 0 or -ENOMEM. */
int buf_append_no_nuls(struct buf *b, const char *s, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
/* v in decimal, as printf's %lld writes it. */
int buf_put_int(struct buf *b, long long v);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Append s as UTF-8 with the JSON escapes of RFC 8259 (no quotes added). */
int buf_json_escape(struct buf *b, const char *s, size_t len);
/* Append str as a quoted JSON string, byte for byte as jansson's
 * json_dumps(JSON_COMPACT) writes it. 0, -EILSEQ (nothing appended) when
 * str is not UTF-8 as jansson checks it, or -ENOMEM. */
int buf_json_string(struct buf *b, const char *str);
/* 0, or the error of the first append that failed since the buffer was
 * made, reset or freed. */
int buf_error(const struct buf *b);
/* Empty the buffer, keeping its allocation; clears the error. */
void buf_reset(struct buf *b);
/* Remove the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* The contents as a string: "" for an empty buffer, never NULL. */
const char *buf_str(const struct buf *b);
/* Hand the data to the caller (free with free()); the buffer becomes empty.
 * Returns an allocated "" for an empty buffer; NULL on ENOMEM and when an
 * append had failed (buf_error(): the data is freed, not handed out). */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

#endif
