/* profiles — publisher profiles for the transcript extractor, as data.
 *
 * A profile names where a publisher puts a briefing's parts (XPath 1.0
 * expressions) and which extra labels it uses. Every XPath value may hold
 * alternatives separated by "||": they are tried in order and the first
 * that matches wins (XPath's own "|" would merge them in document order).
 * An empty value means "this publisher has none" (no generic guess).
 * A NULL value means "not set": the generic rules decide.
 *
 * The built-in set (NATO, White House, State Department, Defense, UN press,
 * GOV.UK) is static data; profile_set_new() copies it so that INI files
 * (etc/profiles/ *.conf, format in docs/transcripts.md) can add profiles or
 * override keys of existing ones.
 *
 * Ownership: a profile_set owns its profiles and their strings. Pointers
 * returned by the lookup functions are borrowed from the set and stay valid
 * until the set is changed or freed. Pure code: no I/O except
 * profile_set_load_dir(), no logging.
 */
#ifndef BW_PROFILES_H
#define BW_PROFILES_H

#include <stddef.h>

struct profile {
	const char *name;
	const char *hosts;    /* space-separated host suffixes ("nato.int"
			       * matches www.nato.int), or NULL */
	const char *detect;   /* XPath; a page it matches uses this profile
			       * when no host matched */
	const char *xpath_body;
	const char *xpath_title;
	const char *xpath_subtitle;
	const char *xpath_published;
	const char *xpath_updated;
	const char *xpath_location;
	const char *xpath_summary;
	const char *xpath_speaker;      /* the principal speaker's name */
	const char *xpath_speaker_role; /* ... and role */
	const char *xpath_kind;  /* text naming the kind ("speech", ...) */
	const char *xpath_drop;  /* nodes inside the body that are not turns */
	const char *kind;        /* fixed kind name, or NULL: guess */
	const char *question_labels; /* extra floor labels, '|'-separated */
};

struct profile_set;

/* The built-in set: static, never freed, never NULL. */
const struct profile_set *profiles_builtin(void);

/* A new set holding copies of the built-in profiles. 0 or -ENOMEM.
 * Free with profile_set_free. */
int profile_set_new(struct profile_set **out);
void profile_set_free(struct profile_set *s);

size_t profile_set_count(const struct profile_set *s);
const struct profile *profile_set_at(const struct profile_set *s, size_t i);
/* The profile called name (case-insensitive), or NULL. */
const struct profile *profile_set_find(const struct profile_set *s,
				       const char *name);
/* The profile whose hosts match the URL's host, or NULL. */
const struct profile *profile_set_match_url(const struct profile_set *s,
					    const char *url);

/* Parse INI text: each section "[profile NAME]" (or "[NAME]") adds a
 * profile or overrides keys of the existing one of that name. 0, or
 * -EINVAL with a malloc'd "source:line: reason" in *err (the set keeps the
 * sections read before the error), or -ENOMEM. */
int profile_set_load_string(struct profile_set *s, const char *text,
			    const char *source, char **err);
/* Load every *.conf in dir, in name order. Same errors, plus -errno from
 * opendir/reading (a missing directory is -ENOENT). */
int profile_set_load_dir(struct profile_set *s, const char *dir, char **err);

/* A standalone copy of base (or of an empty profile when base is NULL)
 * with the given keys overridden when non-NULL — what a feed's
 * "profile = / xpath_body = / xpath_title = / xpath_date =" lines make.
 * 0 or -ENOMEM; free with profile_free. */
int profile_derive(const struct profile *base, const char *xpath_body,
		   const char *xpath_title, const char *xpath_date,
		   struct profile **out);
/* Set one key ("xpath_body", "hosts", ...; "xpath_date" is an alias of
 * "xpath_published"). 0, -EINVAL for an unknown key, -ENOMEM. */
int profile_set_key(struct profile *p, const char *key, const char *value);
void profile_free(struct profile *p);

#endif
