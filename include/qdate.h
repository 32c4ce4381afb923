/* qdate — the dates a reader may filter by (`--since`/`--until` of the CLI,
 * `since`/`until` of the socket's `search`), checked by one function so
 * that every entry point accepts and refuses the same text.
 */
#ifndef BW_QDATE_H
#define BW_QDATE_H

/* Is s a filter date: YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DD followed by
 * 'T' or ' ' and a time hh:mm[:ss[.fff]][Z|±hh:mm]? Months 01-12, days
 * that exist in their month (leap years counted), hours 00-23, minutes
 * and seconds 00-59 (60: a leap second). 0, or -EINVAL. */
int qdate_check(const char *s);

/* The words for an error about a refused date, after its quoted text. */
#define QDATE_SHAPES "is not a date (YYYY, YYYY-MM, YYYY-MM-DD or " \
		     "YYYY-MM-DDThh:mm...)"

#endif
