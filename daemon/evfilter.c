/* evfilter.c — the subscription filters (include/evfilter.h). */
#include "evfilter.h"

#include <string.h>
#include <strings.h>

#include "log.h"
#include "store.h"
#include "tokenizer.h"

static int
in_list(char **list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* Is the briefing's language tag (records hold the primary subtag, "en";
 * a line from elsewhere may hold "en-GB", "en_GB" or "EN") code or one of
 * its variants? Case-insensitive; "en" is not "eng" nor "enm". */
static int
lang_in_list(char **list, size_t n, const char *tag)
{
	size_t i, k;

	for (i = 0; tag && i < n; i++) {
		k = strlen(list[i]);
		if (!strncasecmp(tag, list[i], k) &&
		    (tag[k] == '\0' || tag[k] == '-' || tag[k] == '_'))
			return 1;
	}
	return 0;
}

int
evfilter_empty(const struct evfilter *f)
{
	return !f->nfeeds && !f->nkinds && !f->nspeakers && !f->ntypes &&
	       !f->nlangs && !f->query;
}

int
evfilter_match(const struct evfilter *f, struct store *st,
	       const struct store_event *ev, size_t len, json_t **parsed,
	       const int *query_rc, const char *who)
{
	json_t *b, *sp;
	size_t i, j;
	int r;

	if (f->nfeeds && !in_list(f->feeds, f->nfeeds, ev->feed))
		return 0;
	if (f->ntypes && !in_list(f->types, f->ntypes, ev->type))
		return 0;
	if (f->nkinds || f->nspeakers || f->nlangs) {
		if (!*parsed)
			*parsed = json_loadb(ev->json, len, 0, NULL);
		b = json_object_get(*parsed, "briefing");
		/* no "lang": the page declared none; no code names it */
		if (f->nlangs && !lang_in_list(f->langs, f->nlangs,
				json_string_value(json_object_get(b, "lang"))))
			return 0;
		if (f->nkinds && !in_list(f->kinds, f->nkinds,
				json_string_value(json_object_get(b, "kind"))))
			return 0;
		if (f->nspeakers) {
			r = 0;
			json_array_foreach(json_object_get(b, "speakers"), i,
					   sp) {
				const char *name = json_string_value(
					json_object_get(sp, "name"));

				/* folded as the index folds words:
				 * "munoz" finds "Muñoz", "STRASSE"
				 * "Straße" */
				for (j = 0; name && !r && j < f->nspeakers; j++)
					r = tok_fold_contains(name,
							      f->speakers[j]) > 0;
			}
			if (!r)
				return 0;
		}
	}
	if (f->query) {
		r = query_rc ? *query_rc
			     : store_briefing_matches(st, ev->briefing_id,
						      f->query);
		if (r < 0)
			log_limited(who, 5, LOG_LVL_WARN,
				    "%.*s: standing query on briefing %lld: %s",
				    (int)strcspn(who, ":"), who,
				    (long long)ev->briefing_id,
				    query_rc ? strerror(-r) : store_errmsg(st));
		return r < 0 ? r : r > 0;
	}
	return 1;
}
