/* date — parse the dates found in feeds and briefing pages; pure functions.
 *
 * Accepts RFC 822/1123/2822 and their common violations (no seconds, named
 * or military zones, wrong weekday, two-digit years), RFC 3339 / W3CDTF /
 * ISO 8601 variants, HTTP-date (all three forms), and the human forms that
 * publishers print ("20 Nov. 2014", "Oct. 6, 2021", "November 17, 2021",
 * "Last updated: 21 Nov. 2014 11:11", "10 May 2023").
 */
#ifndef BW_DATE_H
#define BW_DATE_H

#include <stddef.h>
#include <stdint.h>

struct date_value {
	int64_t epoch;  /* seconds since 1970-01-01T00:00:00 UTC; when
			 * has_zone == 0, the wall-clock time read as UTC */
	int has_time;   /* 0: only a calendar date was given */
	int has_zone;   /* 0: no zone was given (local wall-clock time) */
};

/* Parse s[0..len). 0 on success, -EINVAL when no date is recognised.
 * s need not be NUL-terminated; s[len] is never read. Pure and thread-safe.
 * Leading/trailing text around a human date is tolerated only where noted
 * above ("Last updated:", "Updated:", "Published:"... prefixes, a trailing
 * " -", " |" or dash, parenthesised RFC 2822 comments).
 * Rules worth knowing:
 *  - two-digit years: 00-89 are 20xx, 90-99 are 19xx (feedparser's rule);
 *  - years 0001-9999; fields out of range (Feb 30, 25:00) are -EINVAL;
 *  - a leap second (:60) lands on the next minute;
 *  - fractional seconds are dropped;
 *  - military zones use RFC 822's printed signs (A = -1 h, N = +1 h);
 *    IST is India (+05:30);
 *  - an unknown final zone abbreviation ("... 04:00:00 XYZ") keeps the
 *    wall-clock time and reports has_zone == 0 rather than guessing;
 *  - Korean feed dates (2004년 05월 28일 ...) default to KST (+09:00);
 *  - a date without a time has has_time == 0 and epoch at 00:00 UTC of
 *    that calendar date, and any zone is ignored. */
int date_parse(const char *s, size_t len, struct date_value *out);

/* Days in month m (1-12) of year y, proleptic Gregorian; 0 for a month
 * out of range. The one calendar of the program (qdate.c uses it). */
int date_days_in_month(int y, int m);

#define DATE_ISO_MAX 32
/* Format for the contract:
 *   no time                -> "2014-11-20"
 *   time, no zone          -> "2014-11-21T11:11"   (":SS" when seconds != 0)
 *   time and zone (UTC)    -> "2014-11-21T10:11:00Z"
 * Returns the length written (always < DATE_ISO_MAX). */
int date_format(const struct date_value *d, char out[DATE_ISO_MAX]);
/* Always the full UTC form "YYYY-MM-DDTHH:MM:SSZ" (feeds use this). */
int date_format_utc(int64_t epoch, char out[DATE_ISO_MAX]);

#endif
