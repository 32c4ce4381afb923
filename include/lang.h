/* lang — per-language word tables for the transcript rules and dates, and
 * the small amount of Unicode case handling they need. Pure data and pure
 * functions; no globals are written.
 *
 * Each language is one table (daemon/lang.c): floor labels, honorifics,
 * office words, field names, "as delivered" boilerplate, month and weekday
 * names and the filler words of written dates. Adding a language is adding
 * a table there, not code. Words are stored folded (lower case, as
 * utf8_fold() writes them).
 */
#ifndef BW_LANG_H
#define BW_LANG_H

#include <stddef.h>

enum lang_cat {
	LANG_FLOOR,      /* questions from the floor: "pregunta", "вопрос" */
	LANG_HONORIFIC,  /* before a name: "sr", "herr", "г-н", "m" */
	LANG_OFFICE,     /* office words: "presidente", "regierungssprecher" */
	LANG_CONNECT,    /* inside office phrases: "de", "des", "für" */
	LANG_FIELD,      /* field names that are not speakers: "subjects" */
	LANG_NOT_NAME,   /* scripts without spaces: characters that make a
			  * run before a colon a sentence ("说", "的") */
	LANG_OUTLET,     /* news organisations asking: "afp", "reuters" */
	LANG_OUTLET_WORD, /* last words of outlet names: "news", "tv" */
	LANG_CAT_N,
};

/* A bit per language of the tables (LANG_ALL: every table). */
#define LANG_ALL 0xffffffffu

/* The bit of a language code ("es", "es-MX", "ru_RU", "de"), 0 if none. */
unsigned lang_bit(const char *code, size_t n);
/* The code of the first language in mask, or NULL. */
const char *lang_code(unsigned mask);
/* Guess the language of UTF-8 text from its script and common words:
 * a lang_bit(), 0 when unsure. Looks at most at the first 4 KiB. */
unsigned lang_guess(const char *s, size_t n);

/* Is the folded key in category cat of a language in mask? */
int lang_has(unsigned mask, enum lang_cat cat, const char *key);
/* Is the folded key (8 bytes or more) a word of cat with two adjacent
 * letters swapped ("journalsit")? Typed in a hurry, printed as is. */
int lang_has_typo(unsigned mask, enum lang_cat cat, const char *key);
/* The office a folded abbreviation stands for ("pm" -> "Prime
 * Minister"), or NULL. */
const char *lang_expand(const char *key);
/* Does the folded label end in a floor word of a language that writes
 * the outlet before it ("法新社记者": an AFP reporter)? */
int lang_floor_suffix(const char *key);
/* Does the folded key hold a word of cat of some language anywhere? */
int lang_has_part(unsigned mask, enum lang_cat cat, const char *key);
/* The words of dates are the one source of month and weekday names for
 * every date the program reads: feed dates (date.c, RFC 822 and free
 * form) and the dates of transcripts go through the same lookups. They
 * compare without Latin accents ("decembre" is "décembre", "MARZ" folds
 * to "marz", which is "märz"); Cyrillic and Greek are compared as folded.
 * Besides the transcript languages, two tables hold only the Hungarian
 * and Greek feed dates feedparser reads (lang_bit() does not know them). */

/* Month 1-12 for a folded word of any table ("agosto", "февраля",
 * "mars", "märz", "mei", "dez"), else 0 (also for a word two tables
 * would read as two different months: there is none, see
 * lang_date_check()). A trailing '.' must be removed first. */
int lang_month(const char *key);
/* Is the folded word a weekday in some table ("mer", "di", "seg", "ср")? */
int lang_weekday(const char *key);
/* Is the folded word a filler of written dates ("de", "года", "le")? */
int lang_date_filler(const char *key);
/* Everything a folded word is in written dates, in one lookup: the tables
 * (a bit each, the date-only ones included) in which it is a month, a
 * weekday, a filler. A written date keeps to one language's months and
 * fillers: "out of 16 2022" (Portuguese "out", English "of") is not one. */
struct lang_date_word {
	int month;              /* 1-12, else 0 */
	unsigned month_langs;   /* 0 when month is 0 */
	unsigned weekday_langs;
	unsigned filler_langs;
};
void lang_date_word(const char *key, struct lang_date_word *w);
/* For the tests: the number of words that are different months in two
 * tables (0 expected), or -1 when the date words did not fit the index. */
int lang_date_check(void);
/* Is the folded paragraph an "as delivered"-style line of some table? */
int lang_boilerplate(const char *key);

/* ---- Unicode case (Latin-1, Latin Extended-A, Greek, Cyrillic) ---- */

/* The length of the UTF-8 sequence at s[0..n) (1 for a bad byte). */
size_t utf8_len(const char *s, size_t n);
/* Upper/lower-case letter at s (NUL-terminated or at least 2 bytes). */
int utf8_is_upper(const char *s, size_t n);
int utf8_is_lower(const char *s, size_t n);
/* A letter of any script (every non-ASCII sequence counts). */
int utf8_is_letter(const char *s, size_t n);
/* Lower-case s[0..n) into out[0..cap) (NUL-terminated, truncated at a
 * character boundary). Returns the length written. */
size_t utf8_fold(const char *s, size_t n, char *out, size_t cap);
/* Title-case in place: the first letter of each word (after a space,
 * '-', '\'' or '.') stays, the rest is lowered. */
void utf8_titlecase(char *s, size_t n);

#endif
