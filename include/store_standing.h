/* store_standing — the store's side of standing queries (the `query` of a
 * subscription, docs/protocol.md): a query checked without touching the
 * archive, a read-only twin connection for a helper thread, and one query
 * evaluated for a whole batch of briefings at once.
 *
 * Why a batch: an FTS5 prefix term (`a*`) merges the doclists of every
 * term it covers, whatever rowid the statement is limited to, so its cost
 * grows with the archive, not with the one briefing asked about. Asking
 * once per batch of up to a few hundred events (notify.c) instead of once
 * per event and subscriber took 200 subscribers of `a* OR ... OR z*` from
 * minutes of stalled loop to a fraction of a second (issue #22 item 1,
 * tests/integration/test_standing_queries.py).
 */
#ifndef BW_STORE_STANDING_H
#define BW_STORE_STANDING_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Limits of one standing query, beyond which it is refused as too costly
 * (store_query_check returns -E2BIG): terms in all, and prefix terms
 * (`word*`), each of which may cover thousands of index terms. */
#define STORE_QUERY_MAX_TERMS 64
#define STORE_QUERY_MAX_PREFIXES 32

/* Is query a valid search query within the limits above? Checked on an
 * empty in-memory index, so it costs the same whatever the archive
 * holds. 0; -EINVAL (bad syntax) or -E2BIG (too costly) with a malloc'd
 * message in *err; -ENOMEM. */
int store_query_check(const char *query, char **err);

/* Open the database s has open a second time, read-only, for use on
 * another thread (a connection belongs to one thread at a time). 0 and
 * *out (store_close), or a negative errno and a malloc'd *err. */
int store_open_twin(struct store *s, struct store **out, char **err);

/* For each of the n briefing ids, does the briefing match query (title,
 * summary or a turn, as store_briefing_matches)? hit[i] is set to 1 or
 * 0. Ids may repeat and come in any order; 0 never matches. 0, or -EINVAL
 * (bad query, message in store_errmsg), or another negative errno. */
int store_match_batch(struct store *s, const char *query,
		      const int64_t *ids, size_t n, unsigned char *hit);

#endif
