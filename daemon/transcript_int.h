/* transcript_int.h — private interface between transcript.c (the DOM
 * side) and transcript_label.c (pure text rules: labels, names, skipped
 * lines, askers). Not part of the public API; see docs/transcripts.md.
 */
#ifndef BW_TRANSCRIPT_INT_H
#define BW_TRANSCRIPT_INT_H

#include <stddef.h>

#include "buf.h"

enum tx_label_kind {
	TXL_NONE = 0,
	TXL_STATEMENT,
	TXL_QUESTION,
};

/* A speaker label at the start of a paragraph; offsets into the text. */
struct tx_label {
	enum tx_label_kind kind;
	size_t label_off; /* where the label starts (after a time code) */
	size_t label_len; /* the label as printed: text[label_off..+label_len) */
	size_t rest;      /* where the turn text starts */
	size_t name_len;  /* the label without its role, from label_off */
	size_t role_off, role_len; /* "(Role)" / "[Role]" contents, or 0;
				    * role_off counts from label_off */
	size_t time_off, time_len; /* a time code ("00:01:23") in the
				    * paragraph, from its start; or 0 */
	int outlet;       /* a question labelled with its outlet ("AFP") */
	int answer;       /* an answer label ("A", "R", "Ответ"): the page's
			   * principal speaker */
};

/* Recognise a label at the start of t[0..len). lead is the length of a
 * leading bold run (<strong>/<b>) or 0. extra_q: '|'-separated floor
 * labels of the profile, or NULL. Returns kind (TXL_NONE: no label). */
enum tx_label_kind tx_label_parse(const char *t, size_t len, size_t lead,
				  const char *extra_q, struct tx_label *l);

/* The same with the field names of the languages in lang only (lang_bit()
 * mask, include/lang.h); tx_label_parse() uses every table. */
enum tx_label_kind tx_label_parse_lang(const char *t, size_t len, size_t lead,
				       const char *extra_q, unsigned lang,
				       struct tx_label *l);

/* 1 when the word tables are in strcmp order, as their binary search
 * needs (for the unit tests). */
int tx_word_tables_sorted(void);

/* Paragraphs that are never turn text: time stamps, "###", END, "(As
 * delivered)", "(The briefing was concluded at ...)". */
int tx_is_skip_line(const char *t, size_t len);
/* A line that ends the transcript ("END", "(Concludes)", "###",
 * "* * * * *"): what follows it (contacts, a place and date) is not turn
 * text. */
int tx_is_end_line(const char *t, size_t len);
/* A line of a header block before the first turn, not turn text: a
 * field ("Subjects: ...", "Themen: ..."), a line in capitals
 * ("TRANSCRIPT OF THE PRIME MINISTER"). */
int tx_is_header_line(const char *t, size_t len);
/* A leading interpreter note ("(As interpreted)", "(Through an
 * interpreter)"): its length including trailing space, else 0. */
size_t tx_interpreter_note(const char *t, size_t len);
int tx_is_interpreter_note(const char *t, size_t len);

/* Append t[0..len) to out with whitespace folded (ASCII and Unicode
 * spaces, NBSP; zero-width characters dropped). *space carries "a space
 * is pending" across calls; start with 0 for a new paragraph. */
int tx_fold(struct buf *out, const char *t, size_t len, int *space);
/* Trim trailing spaces in place. */
void tx_rtrim(struct buf *b);

struct tx_person {
	char *name;
	char *role;
};

struct tx_people {
	struct tx_person *v;
	size_t n;
	const char *corpus; /* title, subtitle, summary, ... (borrowed) */
	const char *body;   /* the opening of the body text, or NULL */
	const char *principal; /* index into v as name, or NULL (borrowed) */
};

/* Add a person (copies); an existing surname keeps its entry but gains a
 * missing role. Returns the index or -ENOMEM. */
int tx_people_add(struct tx_people *pp, const char *name, const char *role);
void tx_people_free(struct tx_people *pp);

/* Resolve a label's name part (and role, may be NULL) to the canonical
 * person: *name and *role are borrowed from pp. 0 or -ENOMEM. */
int tx_resolve(struct tx_people *pp, const char *nm, size_t nlen,
	       const char *role, size_t rlen, const char **name,
	       const char **rolep);

/* A byline's text as a person's name ("Hon Rachel Tane" -> "Rachel
 * Tane"): two to four capitalised name words once honorifics are gone,
 * else NULL (an office, "Prime Minister's Office", a date). malloc'd. */
char *tx_byline_name(const char *s);

/* A Russian feminine surname in the genitive, as titles print it
 * ("Волковой"), back to the nominative ("Волкова"), in place. */
void tx_nominative(char *name);

/* Strip honorifics ("The Rt Hon", "MP") from a byline name; malloc'd. */
char *tx_clean_name(const char *s);
/* The first person named in text with a role next to them ("Foreign
 * Secretary James Cleverly", "Jen Psaki, Spokesperson"); malloc'd name and
 * role (role may be NULL). 0 found, -ENOENT, -ENOMEM. */
int tx_find_named_person(const char *text, char **name, char **role);

/* Asker and outlet stated at the start of a question ("Alistair Bunkall
 * from Sky News", "Hélène Marchand, Le Monde."). malloc'd, or NULL. */
int tx_find_asker(const char *t, char **asker, char **outlet);

#endif
