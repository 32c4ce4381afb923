/* evfilter — does an event of the outbox pass a subscription's filters?
 * The one home of the matching rules of docs/protocol.md ("subscribe"),
 * shared by the subscriber socket (notify.c) and the outputs (output.c).
 */
#ifndef BW_EVFILTER_H
#define BW_EVFILTER_H

#include <stddef.h>

#include <jansson.h>

struct store;
struct store_event;

/* Each list is an OR of its entries, the fields combine with AND, an empty
 * list does not filter. Borrowed. */
struct evfilter {
	char **feeds;    size_t nfeeds;    /* exact feed names */
	char **speakers; size_t nspeakers; /* substrings, folded as the FTS
					    * index folds (tok_fold_contains) */
	char **kinds;    size_t nkinds;    /* briefing kinds */
	char **types;    size_t ntypes;    /* event types ("briefing.new") */
	char **langs;    size_t nlangs;    /* language subtags ("en"): the
					    * briefing's "lang" is the code
					    * or a variant of it ("en-GB") */
	const char *query;                 /* FTS5 standing search, or NULL */
};

/* 1 when ev (its line: len bytes at ev->json) passes f, else 0. *parsed
 * caches the line's JSON across calls for the same event (NULL until
 * needed; the caller frees it). query_rc: f->query's result for this
 * briefing when the caller has it already (notify.c evaluates standing
 * queries once per page: 1, 0 or a negative errno), or NULL to ask st.
 * 1 when the event passes, 0 when it does not, a negative errno when its
 * standing query could not be evaluated (logged once in a while, tagged
 * who): the caller must neither deliver nor skip the event then. */
int evfilter_match(const struct evfilter *f, struct store *st,
		   const struct store_event *ev, size_t len, json_t **parsed,
		   const int *query_rc, const char *who);

/* 1 when f lets every event through. */
int evfilter_empty(const struct evfilter *f);

#endif
