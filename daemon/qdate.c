/* qdate.c — filter dates (include/qdate.h). A strict check of the
 * query syntax; the calendar is date.c's. */
#include "qdate.h"
#include "date.h"

#include <errno.h>
#include <string.h>

/* n digits at s as a number, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* hh:mm[:ss[.f+]][Z|+hh:mm|-hh:mm] */
static int
time_ok(const char *s)
{
	int h = digits(s, 2), mi;

	if (h < 0 || h > 23 || s[2] != ':')
		return 0;
	mi = digits(s + 3, 2);
	if (mi < 0 || mi > 59)
		return 0;
	s += 5;
	if (*s == ':') {
		int sec = digits(s + 1, 2);

		if (sec < 0 || sec > 60)
			return 0;
		s += 3;
		if (*s == '.') {
			if (s[1] < '0' || s[1] > '9')
				return 0;
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
		}
	}
	if (*s == 'Z')
		return s[1] == '\0';
	if (*s == '+' || *s == '-') {
		int oh = digits(s + 1, 2), om;

		if (oh < 0 || oh > 23 || s[3] != ':')
			return 0;
		om = digits(s + 4, 2);
		return om >= 0 && om <= 59 && s[6] == '\0';
	}
	return *s == '\0';
}

int
qdate_check(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	int y, m, d;

	if (n < 4 || (y = digits(s, 4)) < 0)
		return -EINVAL;
	if (n == 4)
		return 0;
	if (s[4] != '-' || n < 7 || (m = digits(s + 5, 2)) < 1 || m > 12)
		return -EINVAL;
	if (n == 7)
		return 0;
	if (s[7] != '-' || n < 10 || (d = digits(s + 8, 2)) < 1 ||
	    d > date_days_in_month(y, m))
		return -EINVAL;
	if (n == 10)
		return 0;
	if ((s[10] != 'T' && s[10] != ' ') || !time_ok(s + 11))
		return -EINVAL;
	return 0;
}
