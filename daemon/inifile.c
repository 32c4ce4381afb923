/* inifile.c — INI tokenizer (see include/inifile.h). */
#include "inifile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trim s[0..*n) in place: returns the new start, updates *n. */
static char *
trim(char *s, size_t *n)
{
	while (*n && is_blank(*s)) {
		s++;
		(*n)--;
	}
	while (*n && is_blank(s[*n - 1]))
		(*n)--;
	s[*n] = '\0';
	return s;
}

/* Cut an inline comment: ';' or '#' preceded by whitespace. */
static void
cut_comment(char *s, size_t *n)
{
	size_t i;

	for (i = 1; i < *n; i++) {
		if ((s[i] == ';' || s[i] == '#') && is_blank(s[i - 1])) {
			*n = i;
			return;
		}
	}
}

int
inifile_parse(const char *text, size_t len, inifile_cb cb, void *arg,
	      int *bad_syntax)
{
	struct buf section = BUF_INIT, line = BUF_INIT;
	size_t pos = 0;
	int lineno = 0, r = 0;

	if (bad_syntax)
		*bad_syntax = 0;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	if (buf_puts(&section, "") < 0)
		return -ENOMEM;
	while (pos < len && r == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, n, i;
		char *s, *sep;

		lineno++;
		buf_reset(&line);
		if (buf_append(&line, text + pos, end - pos) < 0) {
			r = -ENOMEM;
			break;
		}
		pos = end + 1;
		for (i = 0; i < line.len; i++)
			if (!line.data[i])
				line.data[i] = ' ';
		n = line.len;
		s = trim(line.data, &n);
		if (!n || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			char *close = memchr(s, ']', n);
			size_t sn;

			if (!close) {
				r = lineno;
				if (bad_syntax)
					*bad_syntax = 1;
				break;
			}
			sn = (size_t)(close - s - 1);
			s = trim(s + 1, &sn);
			buf_reset(&section);
			if (buf_append(&section, s, sn) < 0)
				r = -ENOMEM;
			continue;
		}
		sep = strpbrk(s, "=:");
		if (!sep || sep == s) {
			r = lineno;
			if (bad_syntax)
				*bad_syntax = 1;
			break;
		}
		{
			size_t kn = (size_t)(sep - s);
			size_t vn = n - kn - 1;
			char *key = trim(s, &kn);
			char *val = sep + 1;

			cut_comment(val, &vn);
			val = trim(val, &vn);
			if (!cb(arg, buf_str(&section), key, val, lineno))
				r = lineno;
		}
	}
	buf_free(&section);
	buf_free(&line);
	return r;
}
