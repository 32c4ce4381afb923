/* briefing — the briefing record of docs/record.md (DESIGN "The briefing
 * record"): what the transcript extractor produces, what the store keeps,
 * what `briefwatch parse transcript` prints and what events carry.
 *
 * Ownership: every string is owned by the struct it sits in (malloc'd,
 * UTF-8, NUL-terminated, NULL when absent). briefing_free() frees the
 * whole tree; briefing_free(NULL) is a no-op.
 */
#ifndef BW_BRIEFING_H
#define BW_BRIEFING_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum briefing_kind {
	BRIEFING_OTHER = 0,
	BRIEFING_TRANSCRIPT,
	BRIEFING_SPEECH,
	BRIEFING_RELEASE,
};

enum turn_type {
	TURN_STATEMENT = 0,
	TURN_QUESTION,
};

struct speaker {
	char *name; /* canonical full name */
	char *role; /* NULL when unknown */
};

struct turn {
	enum turn_type type;
	char *speaker; /* canonical name; NULL for questions from the floor */
	char *label;   /* the label as printed, without its colon; or NULL */
	char *asker;   /* questions: the journalist, when stated */
	char *outlet;  /* questions: the outlet, when stated */
	char *text;    /* paragraphs joined with "\n\n" */
	char *time;    /* a time code printed with the label ("00:01:23"),
			* or NULL; in JSON only when set */
};

struct briefing {
	int64_t id;    /* store row id; 0 when not stored */
	char *feed;    /* feed name; NULL outside the daemon */
	char *url;
	enum briefing_kind kind;
	char *title;
	char *subtitle;
	char *published; /* ISO 8601: "2014-11-20" or "2014-11-20T10:11:00Z" */
	char *updated;
	char *location;
	char *summary;
	char *lang;    /* the language the page or feed declares: a BCP 47
			* primary subtag, lower case ("fr"), or NULL; in
			* JSON only when set (briefing_set_lang) */
	struct speaker *speakers;
	size_t nspeakers;
	struct turn *turns;
	size_t nturns;
};

/* Allocate an empty record. NULL on ENOMEM. Free with briefing_free. */
struct briefing *briefing_new(void);
void briefing_free(struct briefing *b);

/* Append a speaker/turn; the strings are copied (NULL allowed).
 * 0 or -ENOMEM (record unchanged). */
int briefing_add_speaker(struct briefing *b, const char *name,
			 const char *role);
int briefing_add_turn(struct briefing *b, enum turn_type type,
		      const char *speaker, const char *label,
		      const char *asker, const char *outlet, const char *text);
/* Set the time code of the last turn (copied; NULL clears). 0, -EINVAL
 * when there is no turn, or -ENOMEM. */
int briefing_set_turn_time(struct briefing *b, const char *time);
/* The speaker named name, or NULL. */
const struct speaker *briefing_find_speaker(const struct briefing *b,
					    const char *name);

/* Set b->lang from a declared language tag ("fr-FR", "pt_BR", "EN",
 * "fr, en"): its primary subtag, lower case; a tag that names no
 * language ("und", "mul", "x-...", "*", not 2-3 letters) leaves b->lang
 * as it was. 1 when set, 0 when not, -ENOMEM. */
int briefing_set_lang(struct briefing *b, const char *tag);
/* The primary subtag of tag written into out[4], or 0 when tag names no
 * language (as briefing_set_lang). Pure. */
int briefing_lang_norm(const char *tag, char out[4]);

const char *briefing_kind_name(enum briefing_kind k);
/* "transcript" etc. → kind; -EINVAL for an unknown name. */
int briefing_kind_parse(const char *s);

/* The record as a JSON object, in the contract's key order. With
 * with_turns == 0 the "turns" key is left out (events, list output).
 * "id" and "feed" are included when set. Returns a new reference (free
 * with json_decref) or NULL on ENOMEM. */
json_t *briefing_to_json(const struct briefing *b, int with_turns);
/* Append the compact JSON text of briefing_to_json(b, with_turns) to o
 * (struct buf), byte for byte what json_dumps(..., JSON_COMPACT) makes of
 * it, without building the tree. 0 or -ENOMEM (o unchanged). */
struct buf;
int briefing_dump(const struct briefing *b, int with_turns, struct buf *o);
/* The store's record text: briefing_dump(b, 1, o) as if b had no id and
 * no feed (so the same page through two feeds reads the same). *head gets
 * the length of its part before "turns": every field an event repeats. */
int briefing_dump_record(const struct briefing *b, struct buf *o,
			 size_t *head);
/* briefing_dump(b, 0, o), made from rec, the text briefing_dump_record
 * wrote for b, and its head: b's id and feed, then rec's fields. Only
 * b->id and b->feed are read. 0, -ENOMEM (o unchanged) or -EINVAL when
 * rec cannot be such a text. */
int briefing_dump_from_record(const struct briefing *b, const char *rec,
			      size_t head, struct buf *o);
/* Build a record from JSON produced by briefing_to_json (or by hand, as
 * long as it follows the contract). Unknown keys are ignored; wrong types
 * give -EINVAL. On success *out owns a new record. */
int briefing_from_json(const json_t *obj, struct briefing **out);

#endif
