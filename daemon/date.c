/* date.c — parse feed and page dates (see include/date.h).
 *
 * Two parsers share one validation step:
 *   iso_parse()  a strict, anchored reader for ISO 8601 / RFC 3339 / W3CDTF
 *                (extended and basic format, ordinal and week dates, the
 *                two-digit-year forms feedparser accepts);
 *   tok_parse()  a tokenizer plus slot filler for everything written with
 *                words: RFC 822/1123/2822, RFC 850, asctime, and the human
 *                forms printed on briefing pages.
 * Every byte of the input must be accounted for, so junk is rejected rather
 * than half-read. Nothing here touches libc time functions: the calendar
 * arithmetic is Howard Hinnant's days-from-civil, pure and thread-safe.
 */
#include "date.h"
#include "lang.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define YEAR_MIN 1
#define YEAR_MAX 9999
#define TOK_MAX 64
#define ZONE_NONE 0
#define ZONE_NAMED 1
#define ZONE_NUMERIC 2
#define ZONE_UNKNOWN 3

/* Broken-down fields while parsing; -1 means "not seen". */
struct fields {
	int year, year_digits, mon, day;
	int yday;          /* ordinal date, instead of mon/day */
	int week, wday_iso; /* ISO week date, instead of mon/day */
	int hour, min, sec;
	int has_time;
	int zone;          /* ZONE_* */
	int zone_off;      /* minutes east of UTC */
	int ampm;          /* 0 none, 1 am, 2 pm */
	int korean;        /* Korean markers seen: the zone defaults to KST */
	unsigned langs;    /* the tables every month and filler word is in */
};

static void
fields_init(struct fields *f)
{
	f->year = f->mon = f->day = -1;
	f->year_digits = 0;
	f->yday = f->week = f->wday_iso = -1;
	f->hour = f->min = f->sec = -1;
	f->has_time = 0;
	f->zone = ZONE_NONE;
	f->zone_off = 0;
	f->ampm = 0;
	f->korean = 0;
	f->langs = ~0u;
}

/* ---- calendar arithmetic ------------------------------------------------ */

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

int
date_days_in_month(int y, int m)
{
	return m >= 1 && m <= 12 ? days_in_month(y, m) : 0;
}

/* ISO weekday (1 = Monday .. 7 = Sunday) of a day count since the epoch. */
static int
iso_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday. */
	return (int)(days + 3 - floor_div(days + 3, 7) * 7) + 1;
}

/* Two-digit years follow feedparser's RFC 822 rule: 00-89 are 2000-2089,
 * 90-99 are 1990-1999. Used for every form so a result never depends on the
 * clock. */
static int
pivot_year(int yy)
{
	return yy + (yy < 90 ? 2000 : 1900);
}

/* Check the fields and turn them into *out. */
static int
fields_finish(struct fields *f, struct date_value *out)
{
	int64_t days;
	int year = f->year;

	if (year < 0)
		return -EINVAL;
	if (f->year_digits > 0 && f->year_digits <= 2)
		year = pivot_year(year);
	if (year < YEAR_MIN || year > YEAR_MAX)
		return -EINVAL;

	if (f->yday >= 0) {
		if (f->yday < 1 || f->yday > (is_leap(year) ? 366 : 365))
			return -EINVAL;
		days = days_from_civil(year, 1, 1) + f->yday - 1;
	} else if (f->week >= 0) {
		int64_t jan4 = days_from_civil(year, 1, 4);
		int jan1 = iso_weekday(days_from_civil(year, 1, 1));
		int weeks = (jan1 == 4 || (jan1 == 3 && is_leap(year))) ? 53
									 : 52;
		int wd = f->wday_iso < 0 ? 1 : f->wday_iso;

		if (f->week < 1 || f->week > weeks || wd < 1 || wd > 7)
			return -EINVAL;
		days = jan4 - (iso_weekday(jan4) - 1) +
		       (int64_t)(f->week - 1) * 7 + wd - 1;
	} else {
		int mon = f->mon < 0 ? 1 : f->mon;
		int day = f->day < 0 ? 1 : f->day;

		if (f->day >= 0 && f->mon < 0)
			return -EINVAL;
		if (mon < 1 || mon > 12 || day < 1 ||
		    day > days_in_month(year, mon))
			return -EINVAL;
		days = days_from_civil(year, mon, day);
	}

	out->epoch = days * 86400;
	out->has_time = f->has_time;
	out->has_zone = 0;
	if (!f->has_time)
		return 0;

	if (f->ampm) {
		if (f->hour < 1 || f->hour > 12)
			return -EINVAL;
		f->hour = f->hour % 12 + (f->ampm == 2 ? 12 : 0);
	}
	if (f->hour < 0 || f->hour > 23 || f->min < 0 || f->min > 59)
		return -EINVAL;
	if (f->sec < 0)
		f->sec = 0;
	/* 60 is a leap second; it lands on the next minute's :00. */
	if (f->sec > 60)
		return -EINVAL;
	if (f->korean && f->zone == ZONE_NONE) {
		f->zone = ZONE_NAMED;
		f->zone_off = 9 * 60;
	}
	out->epoch += f->hour * 3600 + f->min * 60 + f->sec;
	if (f->zone == ZONE_NAMED || f->zone == ZONE_NUMERIC) {
		out->epoch -= (int64_t)f->zone_off * 60;
		out->has_zone = 1;
	}
	return 0;
}

/* ---- word tables -------------------------------------------------------- */

struct word {
	const char *name;
	int value;
};

/* Month and weekday names, and the filler words of written dates, are not
 * here: every language's names are in one table per language in
 * daemon/lang.c, shared with the transcript rules (include/lang.h). */

/* Zone names, minutes east of UTC. Where an abbreviation is ambiguous the
 * reading most likely in government press feeds wins: IST is India. */
static const struct word zones[] = {
	{"ut", 0}, {"utc", 0}, {"gmt", 0}, {"z", 0}, {"wet", 0},
	{"west", 60}, {"bst", 60}, {"cet", 60}, {"met", 60}, {"mez", 60},
	{"cest", 120}, {"mest", 120}, {"mesz", 120}, {"eet", 120},
	{"eest", 180}, {"msk", 180}, {"ist", 330}, {"sgt", 480},
	{"hkt", 480}, {"awst", 480}, {"jst", 540}, {"kst", 540},
	{"acst", 570}, {"aest", 600}, {"aedt", 660}, {"nzst", 720},
	{"nzdt", 780},
	{"ndt", -150}, {"nst", -210}, {"adt", -180}, {"ast", -240},
	{"at", -240}, {"edt", -240}, {"est", -300}, {"et", -300},
	{"cdt", -300}, {"cst", -360}, {"ct", -360}, {"mdt", -360},
	{"mst", -420}, {"mt", -420}, {"pdt", -420}, {"pst", -480},
	{"pt", -480}, {"akdt", -480}, {"akst", -540}, {"hst", -600},
	{NULL, 0},
};

#define ZH_YEAR "\u5e74"
#define ZH_MONTH "\u6708"
#define ZH_DAY "\u65e5"
#define ZH_DAY2 "\u53f7"
#define KO_YEAR "\ub144"
#define KO_MONTH "\uc6d4"
#define KO_DAY "\uc77c"
#define KO_AM "\uc624\uc804"
#define KO_PM "\uc624\ud6c4"

/* The words of a date, looked up in the language tables (include/lang.h):
 * folded first, so "DÉC", "Дек" and "ΚΥΡ" are found. */
#define WORD_KEY_MAX 48

static int
word_key(const char *s, size_t len, char key[WORD_KEY_MAX])
{
	if (len == 0 || len >= WORD_KEY_MAX - 4)
		return 0;
	utf8_fold(s, len, key, WORD_KEY_MAX);
	return 1;
}

/* What a word is in dates (struct lang_date_word), zero when nothing. */
static void
word_date(const char *s, size_t len, struct lang_date_word *w)
{
	char key[WORD_KEY_MAX];

	if (word_key(s, len, key))
		lang_date_word(key, w);
	else
		memset(w, 0, sizeof(*w));
}

/* The month (1-12) a word names in some language, else 0. */
static int
word_month(const char *s, size_t len)
{
	char key[WORD_KEY_MAX];

	return word_key(s, len, key) ? lang_month(key) : 0;
}

/* Case-insensitive for ASCII letters, exact for other bytes. */
static int
word_eq(const char *s, size_t len, const char *name)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (name[i] == '\0')
			return 0;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)name[i])
			return 0;
	}
	return name[len] == '\0';
}

static int
word_find(const struct word *tab, const char *s, size_t len, int *value)
{
	for (; tab->name; tab++) {
		if (word_eq(s, len, tab->name)) {
			*value = tab->value;
			return 1;
		}
	}
	return 0;
}

/* RFC 822 military zones, with the signs RFC 822 printed (A = -1 hour,
 * N = +1 hour), as feedparser reads them. J is not a zone. */
static int
military_zone(const char *s, size_t len, int *off)
{
	char c;

	if (len != 1)
		return 0;
	c = s[0];
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c >= 'A' && c <= 'I')
		*off = -(c - 'A' + 1) * 60;
	else if (c >= 'K' && c <= 'M')
		*off = -(c - 'K' + 10) * 60;
	else if (c >= 'N' && c <= 'Y')
		*off = (c - 'N' + 1) * 60;
	else if (c == 'Z')
		*off = 0;
	else
		return 0;
	return 1;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of the whitespace at s[i..len): ASCII blanks or U+00A0 (pages
 * carry &nbsp; between date parts). 0 when none. */
static size_t
space_at(const char *s, size_t i, size_t len)
{
	if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
		return 1;
	if (s[i] == '\xc2' && i + 1 < len && s[i + 1] == '\xa0')
		return 2;
	return 0;
}

/* Length of an en or em dash (U+2013, U+2014) at s[i..len), else 0. */
static size_t
dash_at(const char *s, size_t i, size_t len)
{
	if (s[i] == '\xe2' && i + 2 < len && s[i + 1] == '\x80' &&
	    (s[i + 2] == '\x93' || s[i + 2] == '\x94'))
		return 3;
	return 0;
}

/* Parse exactly n digits at s[*i..len) into *v; 0 or -EINVAL. */
static int
digits(const char *s, size_t len, size_t *i, int n, int *v)
{
	int k, x = 0;

	if (len - *i < (size_t)n)
		return -EINVAL;
	for (k = 0; k < n; k++) {
		if (!is_digit(s[*i + k]))
			return -EINVAL;
		x = x * 10 + (s[*i + k] - '0');
	}
	*i += n;
	*v = x;
	return 0;
}

static size_t
count_digits(const char *s, size_t i, size_t len)
{
	size_t n = 0;

	while (i + n < len && is_digit(s[i + n]))
		n++;
	return n;
}

/* ---- ISO 8601 / RFC 3339 / W3CDTF --------------------------------------- */

/* The date part of an ISO string. */
static int
iso_date(const char *s, size_t len, size_t *i, struct fields *f)
{
	size_t n;
	int v = 0;

	if (s[*i] == '-') {
		/* feedparser's truncated forms: -YYMM and -YY-MM */
		(*i)++;
		f->year_digits = 2;
		if (digits(s, len, i, 2, &f->year) < 0)
			return -EINVAL;
		if (*i < len && s[*i] == '-')
			(*i)++;
		return digits(s, len, i, 2, &f->mon);
	}
	n = count_digits(s, *i, len);
	switch (n) {
	case 8: /* YYYYMMDD */
		f->year_digits = 4;
		digits(s, len, i, 4, &f->year);
		digits(s, len, i, 2, &f->mon);
		return digits(s, len, i, 2, &f->day);
	case 7: /* YYYYDDD */
		f->year_digits = 4;
		digits(s, len, i, 4, &f->year);
		return digits(s, len, i, 3, &f->yday);
	case 6: /* YYMMDD */
		f->year_digits = 2;
		digits(s, len, i, 2, &f->year);
		digits(s, len, i, 2, &f->mon);
		return digits(s, len, i, 2, &f->day);
	case 5: /* YYDDD */
		f->year_digits = 2;
		digits(s, len, i, 2, &f->year);
		return digits(s, len, i, 3, &f->yday);
	case 4:
	case 2:
		f->year_digits = (int)n;
		digits(s, len, i, (int)n, &f->year);
		break;
	default:
		return -EINVAL;
	}
	if (*i >= len)
		return n == 4 ? 0 : -EINVAL;
	if (n == 4 && (s[*i] == 'W' || s[*i] == 'w')) {
		/* YYYYWww[D] */
		(*i)++;
		if (digits(s, len, i, 2, &f->week) < 0)
			return -EINVAL;
		if (*i < len && is_digit(s[*i]))
			return digits(s, len, i, 1, &f->wday_iso);
		return 0;
	}
	if (s[*i] != '-')
		return n == 4 ? 0 : -EINVAL;
	(*i)++;
	if (*i >= len)
		return -EINVAL;
	if (n == 4 && (s[*i] == 'W' || s[*i] == 'w')) {
		/* YYYY-Www[-D] */
		(*i)++;
		if (digits(s, len, i, 2, &f->week) < 0)
			return -EINVAL;
		if (*i + 1 < len && s[*i] == '-' && is_digit(s[*i + 1])) {
			(*i)++;
			return digits(s, len, i, 1, &f->wday_iso);
		}
		return 0;
	}
	n = count_digits(s, *i, len);
	if (n == 0 && f->year_digits == 4) {
		/* Hungarian feeds: 2004-július-13 */
		size_t w = *i;

		while (w < len && s[w] != '-' && !is_digit(s[w]) &&
		       (is_alpha(s[w]) || (unsigned char)s[w] >= 0x80))
			w++;
		if ((f->mon = word_month(s + *i, w - *i)) == 0)
			return -EINVAL;
		*i = w;
	} else if (n == 2) {
		digits(s, len, i, 2, &f->mon);
	} else if (n == 3) {
		/* YYYY-DDD ordinal, or feedparser's YYYY-0MM-DD */
		digits(s, len, i, 3, &v);
		if (!(*i < len && s[*i] == '-') || v >= 100) {
			if (f->year_digits != 4)
				return -EINVAL;
			f->yday = v;
			return 0;
		}
		f->mon = v;
	} else {
		return -EINVAL;
	}
	if (*i >= len || s[*i] != '-')
		return f->year_digits == 4 ? 0 : -EINVAL;
	(*i)++;
	n = count_digits(s, *i, len);
	if (n < 1 || n > 2)
		return -EINVAL;
	return digits(s, len, i, (int)n, &f->day);
}

/* A zone after an ISO time: Z, +HH, +HHMM, +HH:MM, or (after a space) a
 * zone name. */
static int
iso_zone(const char *s, size_t len, size_t *i, struct fields *f)
{
	int hh, mm = 0, sign;
	size_t w;

	if (s[*i] == 'Z' || s[*i] == 'z') {
		(*i)++;
		f->zone = ZONE_NUMERIC;
		f->zone_off = 0;
		return 0;
	}
	if (s[*i] == '+' || s[*i] == '-') {
		sign = s[*i] == '-' ? -1 : 1;
		(*i)++;
		if (digits(s, len, i, 2, &hh) < 0)
			return -EINVAL;
		if (*i < len && s[*i] == ':') {
			(*i)++;
			if (digits(s, len, i, 2, &mm) < 0)
				return -EINVAL;
		} else if (*i < len && is_digit(s[*i])) {
			if (digits(s, len, i, 2, &mm) < 0)
				return -EINVAL;
		}
		if (hh > 23 || mm > 59)
			return -EINVAL;
		f->zone = ZONE_NUMERIC;
		f->zone_off = sign * (hh * 60 + mm);
		return 0;
	}
	for (w = *i; w < len && is_alpha(s[w]); w++)
		;
	if (w > *i && word_find(zones, s + *i, w - *i, &f->zone_off)) {
		f->zone = ZONE_NAMED;
		*i = w;
		return 0;
	}
	return -EINVAL;
}

/* The time part: HH:MM[:SS[.f]] or HHMM[SS[.f]], one-digit hours and
 * seconds allowed in the extended form. */
static int
iso_time(const char *s, size_t len, size_t *i, struct fields *f)
{
	size_t n = count_digits(s, *i, len);

	if ((n == 1 || n == 2) && *i + n < len && s[*i + n] == ':') {
		digits(s, len, i, (int)n, &f->hour);
		(*i)++;
		if (digits(s, len, i, 2, &f->min) < 0)
			return -EINVAL;
		if (*i < len && s[*i] == ':') {
			(*i)++;
			/* one-digit seconds too ("12:35:9+01:00"), as
			 * generators that print %d write them */
			n = count_digits(s, *i, len);
			if ((n != 1 && n != 2) ||
			    digits(s, len, i, (int)n, &f->sec) < 0)
				return -EINVAL;
		}
	} else if (n == 4 || n == 6) {
		digits(s, len, i, 2, &f->hour);
		digits(s, len, i, 2, &f->min);
		if (n == 6)
			digits(s, len, i, 2, &f->sec);
	} else {
		return -EINVAL;
	}
	if (*i < len && (s[*i] == '.' || s[*i] == ',') && f->sec >= 0) {
		/* Fractions are dropped: the contract has whole seconds. */
		(*i)++;
		n = count_digits(s, *i, len);
		if (n == 0)
			return -EINVAL;
		*i += n;
	}
	f->has_time = 1;
	return 0;
}

static int
iso_parse(const char *s, size_t len, struct date_value *out)
{
	struct fields f;
	size_t i = 0, sp;

	fields_init(&f);
	if (len == 0 || !(is_digit(s[0]) || s[0] == '-'))
		return -EINVAL;
	if (iso_date(s, len, &i, &f) < 0)
		return -EINVAL;
	if (i < len) {
		if (s[i] == 'T' || s[i] == 't') {
			i++;
		} else {
			while (i < len && (sp = space_at(s, i, len)) > 0)
				i += sp;
		}
		/* A time needs a whole date before it. */
		if (f.day < 0 && f.yday < 0 && f.week < 0)
			return -EINVAL;
		if (i >= len || iso_time(s, len, &i, &f) < 0)
			return -EINVAL;
		while (i < len && (sp = space_at(s, i, len)) > 0)
			i += sp;
		if (i < len && iso_zone(s, len, &i, &f) < 0)
			return -EINVAL;
		if (i != len)
			return -EINVAL;
	}
	return fields_finish(&f, out);
}

/* ---- word-based forms ----------------------------------------------------- */

enum tok_type { T_NUM, T_WORD, T_PUNCT };

struct tok {
	enum tok_type type;
	const char *s;
	size_t len;
	int value;    /* T_NUM: the number; T_PUNCT: the character */
	int spaced;   /* whitespace (or a comment) came before it */
	struct lang_date_word dw; /* T_WORD: its month, weekday, filler */
};

/* Split s[0..len) into tokens. -EINVAL on bytes no date contains or on
 * too many tokens. Parenthesised comments (RFC 2822 CFWS) are dropped. */
static int
tokenize(const char *s, size_t len, struct tok *t, int *ntok)
{
	size_t i = 0, sp, j;
	int n = 0, spaced = 1, depth;

	while (i < len) {
		if ((sp = space_at(s, i, len)) > 0) {
			i += sp;
			spaced = 1;
			continue;
		}
		if (s[i] == '(') {
			for (depth = 0; i < len; i++) {
				depth += s[i] == '(';
				depth -= s[i] == ')';
				if (depth == 0)
					break;
			}
			if (i >= len)
				return -EINVAL;
			i++;
			spaced = 1;
			continue;
		}
		if (n == TOK_MAX)
			return -EINVAL;
		t[n].s = s + i;
		t[n].spaced = spaced;
		spaced = 0;
		if (is_digit(s[i])) {
			j = count_digits(s, i, len);
			if (j > 9)
				return -EINVAL;
			t[n].type = T_NUM;
			t[n].value = 0;
			for (sp = 0; sp < j; sp++)
				t[n].value = t[n].value * 10 + (s[i + sp] - '0');
			t[n].len = j;
			i += j;
		} else if ((sp = dash_at(s, i, len)) > 0) {
			t[n].type = T_PUNCT;
			t[n].value = '-';
			t[n].len = sp;
			i += sp;
		} else if (is_alpha(s[i]) || (unsigned char)s[i] >= 0x80) {
			j = i;
			while (j < len && (is_alpha(s[j]) ||
					   ((unsigned char)s[j] >= 0x80 &&
					    !space_at(s, j, len) &&
					    !dash_at(s, j, len)) ||
					   /* "terça-feira": one word */
					   (s[j] == '-' && j > i &&
					    j + 1 < len &&
					    (is_alpha(s[j + 1]) ||
					     (unsigned char)s[j + 1] >= 0x80) &&
					    !dash_at(s, j + 1, len) &&
					    !space_at(s, j + 1, len))))
				j++;
			if (j == i)
				return -EINVAL;
			t[n].type = T_WORD;
			t[n].len = j - i;
			word_date(t[n].s, t[n].len, &t[n].dw);
			i = j;
		} else if (strchr(",.:-+/|", s[i]) && s[i] != '\0') {
			t[n].type = T_PUNCT;
			t[n].value = s[i];
			t[n].len = 1;
			i++;
		} else {
			return -EINVAL;
		}
		n++;
	}
	*ntok = n;
	return 0;
}

static int
is_punct(const struct tok *t, int n, int i, char c)
{
	return i < n && t[i].type == T_PUNCT && t[i].value == c;
}

static int
is_num(const struct tok *t, int n, int i)
{
	return i < n && t[i].type == T_NUM;
}

static int
is_word(const struct tok *t, int n, int i, const char *w)
{
	return i < n && t[i].type == T_WORD && word_eq(t[i].s, t[i].len, w);
}

/* H[H]:MM[:SS[.f]] starting at token *i. */
static int
tok_time(const struct tok *t, int n, int *i, struct fields *f)
{
	int k = *i;

	if (f->has_time || t[k].len > 2)
		return -EINVAL;
	f->hour = t[k].value;
	/* one-digit minutes and seconds too ("10:1:1", printed with %d),
	 * in the H:M:S form only ("10:1" alone stays malformed) */
	if (!is_num(t, n, k + 2) || t[k + 2].len > 2 ||
	    (t[k + 2].len == 1 && !is_punct(t, n, k + 3, ':')))
		return -EINVAL;
	f->min = t[k + 2].value;
	k += 3;
	if (is_punct(t, n, k, ':')) {
		if (!is_num(t, n, k + 1) || t[k + 1].len > 2)
			return -EINVAL;
		f->sec = t[k + 1].value;
		k += 2;
		if (is_punct(t, n, k, '.') && is_num(t, n, k + 1) &&
		    !t[k].spaced && !t[k + 1].spaced)
			k += 2;
	}
	if (is_punct(t, n, k, ':'))
		return -EINVAL;
	f->has_time = 1;
	*i = k;
	return 0;
}

/* +HHMM, +HH:MM, +H or +HH at token *i (the sign). */
static int
tok_offset(const struct tok *t, int n, int *i, struct fields *f)
{
	int k = *i, sign = t[k].value == '-' ? -1 : 1, hh, mm = 0;

	k++;
	if (t[k].len == 4) {
		hh = t[k].value / 100;
		mm = t[k].value % 100;
		k++;
	} else if (t[k].len <= 2) {
		hh = t[k].value;
		k++;
		if (is_punct(t, n, k, ':')) {
			if (!is_num(t, n, k + 1) || t[k + 1].len != 2)
				return -EINVAL;
			mm = t[k + 1].value;
			k += 2;
		}
	} else {
		return -EINVAL;
	}
	if (hh > 23 || mm > 59)
		return -EINVAL;
	f->zone = ZONE_NUMERIC;
	f->zone_off = sign * (hh * 60 + mm);
	*i = k;
	return 0;
}

/* 2025年2月19日 (Chinese, Japanese): the unit after a number. */
static int
cjk_unit(const struct tok *w, const struct tok *a, struct fields *f,
	 int **slot)
{
	if (w->len != 3)
		return 0;
	if (!memcmp(w->s, ZH_YEAR, 3) && a->len == 4)
		*slot = &f->year;
	else if (!memcmp(w->s, ZH_MONTH, 3) && a->len <= 2)
		*slot = &f->mon;
	else if ((!memcmp(w->s, ZH_DAY, 3) || !memcmp(w->s, ZH_DAY2, 3)) &&
		 a->len <= 2)
		*slot = &f->day;
	else
		return 0;
	if (*slot == &f->year)
		f->year_digits = 4;
	return 1;
}

static int month_tok(const struct tok *t);
static int month_after(const struct tok *t, int n, int k);

/* A number token at *i that is not a time or an offset. */
static int
tok_number(const struct tok *t, int n, int *i, struct fields *f)
{
	const struct tok *a = &t[*i];
	int k = *i;

	/* YYYY-MM-DD or YYYY/MM/DD (perforce, Korean "nate" feeds) */
	if (a->len == 4 && k + 4 < n && t[k + 1].type == T_PUNCT &&
	    (t[k + 1].value == '-' || t[k + 1].value == '/') &&
	    is_num(t, n, k + 2) && is_punct(t, n, k + 3, t[k + 1].value) &&
	    is_num(t, n, k + 4) && !t[k + 1].spaced && !t[k + 2].spaced &&
	    !t[k + 3].spaced && !t[k + 4].spaced) {
		if (t[k + 2].len > 2 || t[k + 4].len > 2 || f->year >= 0 ||
		    f->mon >= 0 || f->day >= 0)
			return -EINVAL;
		f->year = a->value;
		f->year_digits = 4;
		f->mon = t[k + 2].value;
		f->day = t[k + 4].value;
		*i = k + 5;
		return 0;
	}
	/* 19.02.2025 (German, Russian, ...) */
	if (a->len <= 2 && k + 4 < n && is_punct(t, n, k + 1, '.') &&
	    is_num(t, n, k + 2) && t[k + 2].len <= 2 &&
	    is_punct(t, n, k + 3, '.') && is_num(t, n, k + 4) &&
	    t[k + 4].len == 4 && !t[k + 1].spaced && !t[k + 2].spaced &&
	    !t[k + 3].spaced && !t[k + 4].spaced) {
		if (f->year >= 0 || f->mon >= 0 || f->day >= 0)
			return -EINVAL;
		f->day = a->value;
		f->mon = t[k + 2].value;
		f->year = t[k + 4].value;
		f->year_digits = 4;
		*i = k + 5;
		return 0;
	}
	/* "19. Februar 2025": the dot of a German ordinal day */
	if (a->len <= 2 && f->day < 0 && k + 2 < n &&
	    is_punct(t, n, k + 1, '.') && !t[k + 1].spaced &&
	    month_tok(&t[k + 2])) {
		f->day = a->value;
		*i = k + 2;
		return 0;
	}
	/* 2004년 05월 28일 */
	if (k + 1 < n && t[k + 1].type == T_WORD && !t[k + 1].spaced) {
		const struct tok *w = &t[k + 1];
		int *slot = NULL, korean = 1;

		if (word_eq(w->s, w->len, KO_YEAR) && a->len == 4)
			slot = &f->year;
		else if (word_eq(w->s, w->len, KO_MONTH) && a->len <= 2)
			slot = &f->mon;
		else if (word_eq(w->s, w->len, KO_DAY) && a->len <= 2)
			slot = &f->day;
		else if (cjk_unit(w, a, f, &slot))
			korean = 0;
		if (!slot) {
			/* 17th, 1st */
			korean = 0;
			if ((word_eq(w->s, w->len, "st") ||
			     word_eq(w->s, w->len, "nd") ||
			     word_eq(w->s, w->len, "rd") ||
			     word_eq(w->s, w->len, "th")) && a->len <= 2)
				slot = &f->day;
		}
		if (slot) {
			if (*slot >= 0)
				return -EINVAL;
			*slot = a->value;
			if (slot == &f->year)
				f->year_digits = 4;
			f->korean |= korean;
			*i = k + 2;
			return 0;
		}
	}
	if (a->len == 4 && f->year < 0) {
		f->year = a->value;
		f->year_digits = 4;
	} else if (a->len <= 2 && f->day < 0) {
		f->day = a->value;
	} else if (a->len == 2 && f->year < 0) {
		f->year = a->value;
		f->year_digits = 2;
	} else {
		return -EINVAL;
	}
	*i = k + 1;
	return 0;
}

/* A word token at *i. */
static int
tok_word(const struct tok *t, int n, int *i, struct fields *f)
{
	const struct tok *w = &t[*i];
	int k = *i, v;

	/* 2004-07-08T10:00 written loosely */
	if (word_eq(w->s, w->len, "t") && !f->has_time && is_num(t, n, k + 1) &&
	    !w->spaced && !t[k + 1].spaced) {
		*i = k + 1;
		return 0;
	}
	/* "at 2:05 PM", "on 10 May 2023" */
	if ((word_eq(w->s, w->len, "at") || word_eq(w->s, w->len, "on")) &&
	    is_num(t, n, k + 1)) {
		*i = k + 1;
		return 0;
	}
	v = w->dw.month;
	if (f->has_time && f->zone == ZONE_NONE && k + 1 == n &&
	    military_zone(w->s, w->len, &v)) {
		/* "... 12:00:00 A": a zone, not Spanish's "a" */
		f->zone = ZONE_NAMED;
		f->zone_off = v;
		k++;
	} else if (f->has_time && !f->ampm &&
	    (word_eq(w->s, w->len, "am") || word_eq(w->s, w->len, "pm"))) {
		/* after a time, "am" is the meridiem, not German's "am" */
		f->ampm = word_eq(w->s, w->len, "am") ? 1 : 2;
		k++;
	} else if ((word_eq(w->s, w->len, "a") ||
		    word_eq(w->s, w->len, "p")) &&
		   is_punct(t, n, k + 1, '.') && is_word(t, n, k + 2, "m")) {
		/* a.m. / P.M. (before the fillers: "a" is Spanish's) */
		if (f->ampm || !f->has_time)
			return -EINVAL;
		f->ampm = word_eq(w->s, w->len, "a") ? 1 : 2;
		k += 3;
	} else if (w->dw.weekday_langs &&
	    (v == 0 || f->mon >= 0 || (f->day < 0 && month_after(t, n, k)))) {
		/* A weekday is only skipped: a wrong one loses nothing.
		 * "mar" is Tuesday in French, Spanish and Italian and March
		 * in four tables: a weekday when it comes before the day and
		 * a month comes later ("mar, 16 nov 2022"), else the month
		 * ("Mar 16, 2023", "16 mar 2023"). */
		k++;
	} else if (v > 0) {
		if (f->mon >= 0)
			return -EINVAL;
		f->mon = v;
		f->langs &= w->dw.month_langs;
		k++;
	} else if (w->dw.filler_langs) {
		/* "de", "года": of the month's language */
		f->langs &= w->dw.filler_langs;
		k++;
	} else if (word_eq(w->s, w->len, "am") || word_eq(w->s, w->len, "pm")) {
		if (f->ampm || !f->has_time)
			return -EINVAL;
		f->ampm = word_eq(w->s, w->len, "am") ? 1 : 2;
		k++;
	} else if (word_eq(w->s, w->len, KO_AM) ||
		   word_eq(w->s, w->len, KO_PM)) {
		if (f->ampm)
			return -EINVAL;
		f->ampm = word_eq(w->s, w->len, KO_AM) ? 1 : 2;
		f->korean = 1;
		k++;
	} else if (word_eq(w->s, w->len, "etc") && is_punct(t, n, k + 1, '/') &&
		   k + 2 < n && t[k + 2].type == T_WORD) {
		/* Etc/GMT */
		k += 2;
	} else if (f->has_time && f->zone == ZONE_NONE &&
		   (word_find(zones, w->s, w->len, &v) ||
		    military_zone(w->s, w->len, &v))) {
		f->zone = ZONE_NAMED;
		f->zone_off = v;
		k++;
	} else if (f->has_time && f->zone == ZONE_NONE && k + 3 == n &&
		   is_punct(t, n, k + 1, '/') && t[k + 2].type == T_WORD &&
		   !t[k + 1].spaced && !t[k + 2].spaced) {
		/* A tz database name ("Europe/Paris"): the wall-clock
		 * time, as for an abbreviation we do not know. */
		f->zone = ZONE_UNKNOWN;
		k += 3;
	} else if (f->has_time && f->zone == ZONE_NONE && k + 1 == n &&
		   w->len >= 2 && w->len <= 5) {
		/* An abbreviation we do not know: keep the wall-clock time
		 * rather than guess an offset. */
		for (v = 0; v < (int)w->len; v++)
			if (!is_alpha(w->s[v]))
				return -EINVAL;
		f->zone = ZONE_UNKNOWN;
		k++;
	} else {
		return -EINVAL;
	}
	/* "Nov.", "Wed." */
	if (is_punct(t, n, k, '.') && !t[k].spaced)
		k++;
	*i = k;
	return 0;
}

static int
month_tok(const struct tok *t)
{
	return t->type == T_WORD && t->dw.month > 0;
}

/* Is a token after t[k] a month name? */
static int
month_after(const struct tok *t, int n, int k)
{
	for (k++; k < n; k++)
		if (month_tok(&t[k]))
			return 1;
	return 0;
}

/* RFC 822's day of the week in a language no table has, or garbled
 * ("Xyz, 16 Nov 2022 10:00 ...", "MiÃ©, 16 nov. 2022 10:00"): a word of
 * letters, a comma, a day number and a month name. The index of the token
 * after the comma, or 0 when t does not start so (or with a word the
 * tables know). The caller also wants a time: without one, the shape is a
 * dateline ("Brussels, 14 March 2025"), which is not a date. */
static int
unknown_weekday(const struct tok *t, int n)
{
	int k = 1;
	size_t j;

	if (n < 4 || t[0].type != T_WORD || t[0].len > 24 ||
	    t[0].dw.month || t[0].dw.weekday_langs || t[0].dw.filler_langs)
		return 0;
	for (j = 0; j < t[0].len; j++)
		if (!is_alpha(t[0].s[j]) && (unsigned char)t[0].s[j] < 0x80)
			return 0;
	if (is_punct(t, n, k, '.') && !t[k].spaced)
		k++;
	if (!is_punct(t, n, k, ',') || !is_num(t, n, k + 1) ||
	    t[k + 1].len > 2 || k + 2 >= n)
		return 0;
	if (month_tok(&t[k + 2]) ||
	    (k + 3 < n && t[k + 2].type == T_PUNCT &&
	     (t[k + 2].value == '.' || t[k + 2].value == '-') &&
	     month_tok(&t[k + 3])))
		return k + 1;
	return 0;
}

static int
tok_parse(const char *s, size_t len, struct date_value *out)
{
	struct tok t[TOK_MAX];
	struct fields f;
	int n, i = 0, rc, skipped;

	fields_init(&f);
	if (tokenize(s, len, t, &n) < 0 || n == 0)
		return -EINVAL;
	/* a weekday no table knows never loses the date */
	skipped = i = unknown_weekday(t, n);
	while (i < n) {
		if (t[i].type == T_NUM) {
			if (is_punct(t, n, i + 1, ':'))
				rc = tok_time(t, n, &i, &f);
			else
				rc = tok_number(t, n, &i, &f);
		} else if (t[i].type == T_WORD) {
			rc = tok_word(t, n, &i, &f);
		} else if (t[i].value == ',') {
			i++;
			rc = 0;
		} else if ((t[i].value == '+' || t[i].value == '-') &&
			   f.has_time && is_num(t, n, i + 1) &&
			   !t[i + 1].spaced &&
			   (f.zone == ZONE_NONE ||
			    (f.zone == ZONE_NAMED && f.zone_off == 0 &&
			     !t[i].spaced))) {
			/* -0500, +01:00, GMT-01:01 */
			rc = tok_offset(t, n, &i, &f);
		} else if ((t[i].value == '-' || t[i].value == '|') &&
			   i + 1 < n && (t[i].spaced ||
					 (t[i].value == '-' &&
					  ((i > 0 && month_tok(&t[i - 1])) ||
					   month_tok(&t[i + 1]))))) {
			/* "20 Nov. 2014 - 11:11", and 06-Nov-94 (RFC 850) */
			i++;
			rc = 0;
		} else {
			rc = -EINVAL;
		}
		if (rc < 0)
			return rc;
	}
	if (f.mon < 0 || f.day < 0 || (skipped && !f.has_time) || !f.langs)
		return -EINVAL;
	if (f.ampm && !f.has_time)
		return -EINVAL;
	return fields_finish(&f, out);
}

/* ---- entry points -------------------------------------------------------- */

/* Prefixes that pages print before a date, lower case. */
static const char *const prefixes[] = {
	"last updated", "last modified", "updated", "modified",
	"published", "posted", "released", "date", NULL,
};

/* Skip a "Last updated:"-style label at s[*b..e). */
static void
skip_prefix(const char *s, size_t *b, size_t e)
{
	size_t i, k, sp;

	for (k = 0; prefixes[k]; k++) {
		size_t pl = strlen(prefixes[k]);

		if (e - *b < pl || !word_eq(s + *b, pl, prefixes[k]))
			continue;
		i = *b + pl;
		if (i < e && is_alpha(s[i]))
			continue;
		while (i < e && (sp = space_at(s, i, e)) > 0)
			i += sp;
		if (i < e && s[i] == ':')
			i++;
		while (i < e && (sp = space_at(s, i, e)) > 0)
			i += sp;
		*b = i;
		return;
	}
}

/* Is s[i..e) whitespace then one of " -", " |", " –"? Returns the start of
 * the whitespace when it is, else e. */
static size_t
trailing_mark(const char *s, size_t b, size_t e)
{
	size_t m;

	if (e - b >= 2 && (s[e - 1] == '-' || s[e - 1] == '|'))
		m = e - 1;
	else if (e - b >= 4 && dash_at(s, e - 3, e))
		m = e - 3;
	else
		return e;
	if (!space_at(s, m - 1, e) && !(m >= 2 && space_at(s, m - 2, e) == 2))
		return e;
	return m;
}

static size_t
trim_end(const char *s, size_t b, size_t e)
{
	while (e > b) {
		if (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' ||
		    s[e - 1] == '\n')
			e--;
		else if (e - b >= 2 && s[e - 2] == '\xc2' && s[e - 1] == '\xa0')
			e -= 2;
		else
			break;
	}
	return e;
}

int
date_parse(const char *s, size_t len, struct date_value *out)
{
	struct date_value v;
	size_t b = 0, e = len, sp, m;

	if (!s || !out)
		return -EINVAL;
	while (b < e && (sp = space_at(s, b, e)) > 0)
		b += sp;
	e = trim_end(s, b, e);
	m = trailing_mark(s, b, e);
	if (m != e)
		e = trim_end(s, b, m);
	if (b == e)
		return -EINVAL;
	skip_prefix(s, &b, e);
	if (b == e)
		return -EINVAL;
	if (iso_parse(s + b, e - b, &v) < 0 && tok_parse(s + b, e - b, &v) < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* v (< 10^n) as n digits, zero-padded, at o; past them. */
static char *
put_digits(char *o, unsigned v, int n)
{
	int i;

	for (i = n; i-- > 0;) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return o + n;
}

static int
format_parts(int64_t epoch, int what, char out[DATE_ISO_MAX])
{
	int64_t days = epoch / 86400, secs = epoch % 86400, y;
	int m, d, hh, mm, ss, r;

	/* Written so that no intermediate overflows, even for INT64_MIN. */
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	hh = (int)(secs / 3600);
	mm = (int)(secs / 60 % 60);
	ss = (int)(secs % 60);
	civil_from_days(days, &y, &m, &d);
	if (y >= 0 && y <= 9999) {
		/* The usual years by hand: snprintf() was 3,000 instructions
		 * a date, two dates an entry. Same bytes as below. */
		char *o = out;

		o = put_digits(o, (unsigned)y, 4);
		*o++ = '-';
		o = put_digits(o, (unsigned)m, 2);
		*o++ = '-';
		o = put_digits(o, (unsigned)d, 2);
		if (what != 0) {
			*o++ = 'T';
			o = put_digits(o, (unsigned)hh, 2);
			*o++ = ':';
			o = put_digits(o, (unsigned)mm, 2);
			if (what == 2 || ss != 0) {
				*o++ = ':';
				o = put_digits(o, (unsigned)ss, 2);
			}
			if (what == 2)
				*o++ = 'Z';
		}
		*o = '\0';
		return (int)(o - out);
	}
	if (what == 0)
		r = snprintf(out, DATE_ISO_MAX, "%04lld-%02d-%02d",
			     (long long)y, m, d);
	else if (what == 1 && ss == 0)
		r = snprintf(out, DATE_ISO_MAX, "%04lld-%02d-%02dT%02d:%02d",
			     (long long)y, m, d, hh, mm);
	else if (what == 1)
		r = snprintf(out, DATE_ISO_MAX,
			     "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, m,
			     d, hh, mm, ss);
	else
		r = snprintf(out, DATE_ISO_MAX,
			     "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m,
			     d, hh, mm, ss);
	if (r < 0) {
		out[0] = '\0';
		return 0;
	}
	return r < DATE_ISO_MAX ? r : DATE_ISO_MAX - 1;
}

int
date_format(const struct date_value *d, char out[DATE_ISO_MAX])
{
	if (!d->has_time)
		return format_parts(d->epoch, 0, out);
	return format_parts(d->epoch, d->has_zone ? 2 : 1, out);
}

int
date_format_utc(int64_t epoch, char out[DATE_ISO_MAX])
{
	return format_parts(epoch, 2, out);
}
