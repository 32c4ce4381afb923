/* store_output.c — the outputs table: one durable cursor per output
 * (include/store.h, docs/outputs.md). Statements are prepared per call:
 * a cursor moves at most once per delivery.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

static int
prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	if (rc != SQLITE_OK) {
		*st = NULL;
		return store_fail(s, rc);
	}
	return 0;
}

int
store_output_get(struct store *s, const char *name, int64_t *cursor)
{
	sqlite3_stmt *st;
	int rc, r;

	r = prepare(s, "SELECT cursor FROM outputs WHERE name = ?1", &st);
	if (r < 0)
		return r;
	store_bind_str(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*cursor = sqlite3_column_int64(st, 0);
		r = 0;
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = store_fail(s, rc);
	}
	sqlite3_finalize(st);
	return r;
}

/* The loop thread must never wait for the writer thread's batch: the
 * outputs' writes give up at once (-EBUSY) when another connection holds
 * the write lock, and the caller tries again a moment later. 5000: the
 * busy timeout store.c gives every connection. */
static void
no_wait(struct store *s, int on)
{
	if (!s->in_txn)
		sqlite3_busy_timeout(s->db, on ? 0 : 5000);
}

static int
write_one(struct store *s, const char *sql, const char *name, int64_t cursor,
	  int with_cursor)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	if (!name || !*name)
		return store_failf(s, -EINVAL, "output without a name");
	no_wait(s, 1);
	if ((r = store_write_begin(s)) < 0) {
		no_wait(s, 0);
		return r;
	}
	r = prepare(s, sql, &st);
	if (r < 0) {
		r = store_write_end(s, r);
		no_wait(s, 0);
		return r;
	}
	store_bind_str(st, 1, name);
	if (with_cursor) {
		sqlite3_bind_int64(st, 2, cursor);
		sqlite3_bind_int64(st, 3, store_now());
	}
	rc = sqlite3_step(st);
	r = rc == SQLITE_DONE ? 0 : store_fail(s, rc);
	sqlite3_finalize(st);
	r = store_write_end(s, r);
	no_wait(s, 0);
	return r;
}

/* Written with synchronous = NORMAL (no fsync; WAL mode): a cursor
 * survives the process being killed, and a power loss can only take it
 * back to an earlier value, which sends events again but never loses one.
 * An fsync per delivered event would cost more than the delivery. Outside
 * a batch only: inside one, the batch's own setting applies. */
int
store_output_put(struct store *s, const char *name, int64_t cursor)
{
	int r, relax = !s->in_txn;

	if (relax && (r = store_exec(s, "PRAGMA synchronous = NORMAL")) < 0)
		return r;
	r = write_one(s, "INSERT INTO outputs (name, cursor, updated)"
		      " VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE"
		      " SET cursor = ?2, updated = ?3", name, cursor, 1);
	if (relax && store_exec(s, "PRAGMA synchronous = FULL") < 0 && !r)
		r = -EIO;
	return r;
}

int
store_output_delete(struct store *s, const char *name)
{
	int r = write_one(s, "DELETE FROM output_items WHERE output = ?1",
			  name, 0, 0);

	return r < 0 ? r : write_one(s, "DELETE FROM outputs WHERE name = ?1",
				     name, 0, 0);
}

int
store_output_item_add(struct store *s, const char *name, int64_t seq,
		      int64_t briefing_id, const char *entry, size_t keep)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	no_wait(s, 1);
	if ((r = store_write_begin(s)) < 0) {
		no_wait(s, 0);
		return r;
	}
	r = prepare(s, "INSERT OR REPLACE INTO output_items (output, seq,"
		    " briefing_id, entry) VALUES (?1, ?2, ?3, ?4)", &st);
	if (r < 0) {
		r = store_write_end(s, r);
		no_wait(s, 0);
		return r;
	}
	store_bind_str(st, 1, name);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, briefing_id);
	store_bind_str(st, 4, entry);
	rc = sqlite3_step(st);
	r = rc == SQLITE_DONE ? 0 : store_fail(s, rc);
	sqlite3_finalize(st);
	if (r == 0) {
		r = prepare(s, "DELETE FROM output_items WHERE output = ?1 AND"
			    " (seq < ?2 AND briefing_id = ?3 OR seq <"
			    " coalesce((SELECT seq FROM output_items WHERE"
			    " output = ?1 ORDER BY seq DESC LIMIT 1 OFFSET"
			    " ?4), -1) OR seq < 0)", &st);
		if (r == 0) {
			store_bind_str(st, 1, name);
			sqlite3_bind_int64(st, 2, seq);
			sqlite3_bind_int64(st, 3, briefing_id);
			sqlite3_bind_int64(st, 4, (sqlite3_int64)keep - 1);
			rc = sqlite3_step(st);
			r = rc == SQLITE_DONE ? 0 : store_fail(s, rc);
			sqlite3_finalize(st);
		}
	}
	if (r == 0) {
		r = prepare(s, "INSERT INTO outputs (name, cursor, updated)"
			    " VALUES (?1, ?2, ?3) ON CONFLICT (name) DO"
			    " UPDATE SET cursor = ?2, updated = ?3", &st);
		if (r == 0) {
			store_bind_str(st, 1, name);
			sqlite3_bind_int64(st, 2, seq);
			sqlite3_bind_int64(st, 3, store_now());
			rc = sqlite3_step(st);
			r = rc == SQLITE_DONE ? 0 : store_fail(s, rc);
			sqlite3_finalize(st);
		}
	}
	r = store_write_end(s, r);
	no_wait(s, 0);
	return r;
}

struct item_row {
	int64_t seq, bid;
	char *entry;
};

int
store_output_items(struct store *s, const char *name,
		   int (*cb)(void *arg, int64_t seq, int64_t briefing_id,
			     const char *entry),
		   void *arg)
{
	sqlite3_stmt *st;
	struct item_row *v = NULL;
	size_t n = 0, i;
	int rc, r;

	r = prepare(s, "SELECT seq, briefing_id, entry FROM output_items"
		    " WHERE output = ?1 ORDER BY seq DESC", &st);
	if (r < 0)
		return r;
	store_bind_str(st, 1, name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct item_row *nv = realloc(v, (n + 1) * sizeof(*v));

		if (!nv) {
			r = -ENOMEM;
			break;
		}
		v = nv;
		v[n].seq = sqlite3_column_int64(st, 0);
		v[n].bid = sqlite3_column_int64(st, 1);
		v[n].entry = store_col_dup(st, 2, &r);
		if (r < 0)
			break;
		n++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_fail(s, rc);
	sqlite3_finalize(st);
	for (i = 0; r == 0 && i < n; i++)
		r = cb(arg, v[i].seq, v[i].bid, v[i].entry ? v[i].entry : "");
	for (i = 0; i < n; i++)
		free(v[i].entry);
	free(v);
	return r;
}

int
store_output_turns(struct store *s, int64_t id, const char *query,
		   char *const *speakers, size_t nspeakers, size_t limit,
		   int (*cb)(void *arg, const char *speaker, const char *text,
			     const char *snippet),
		   void *arg)
{
	sqlite3_stmt *st = NULL;
	char *q = NULL;
	size_t got = 0, j;
	int rc, r;

	if (query) {
		if (!(q = store_fts_query(query)))
			return -ENOMEM;
		r = prepare(s, "SELECT coalesce(sp.name, t.asker, t.label),"
			    " t.text, snippet(turns_fts, 3, '[', ']',"
			    " '\u2026', 24) FROM turns_fts JOIN turns t ON"
			    " t.id = turns_fts.rowid LEFT JOIN speakers sp"
			    " ON sp.id = t.speaker_id WHERE turns_fts MATCH"
			    " ?1 AND t.briefing_id = ?2 ORDER BY t.idx", &st);
		if (r == 0) {
			store_bind_str(st, 1, q);
			sqlite3_bind_int64(st, 2, id);
		}
	} else {
		r = prepare(s, "SELECT coalesce(sp.name, t.asker, t.label),"
			    " t.text, NULL FROM turns t LEFT JOIN speakers sp"
			    " ON sp.id = t.speaker_id WHERE t.briefing_id ="
			    " ?1 ORDER BY t.idx", &st);
		if (r == 0)
			sqlite3_bind_int64(st, 1, id);
	}
	while (r == 0 && got < limit &&
	       (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *who = (const char *)sqlite3_column_text(st, 0);
		int keep = query || !nspeakers;

		for (j = 0; !keep && who && j < nspeakers; j++)
			keep = strcasestr(who, speakers[j]) != NULL;
		if (!keep)
			continue;
		got++;
		r = cb(arg, who, (const char *)sqlite3_column_text(st, 1),
		       (const char *)sqlite3_column_text(st, 2));
		if (r)
			break;
	}
	if (r == 0 && got < limit && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = store_query_error(s, rc);
	sqlite3_finalize(st);
	st = NULL;
	if (r == 0 && query && got == 0) {
		r = prepare(s, "SELECT snippet(heads_fts, -1, '[', ']',"
			    " '\u2026', 24) FROM heads_fts WHERE heads_fts"
			    " MATCH ?1 AND rowid = ?2", &st);
		if (r == 0) {
			store_bind_str(st, 1, q);
			sqlite3_bind_int64(st, 2, id);
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW)
				r = cb(arg, NULL, NULL, (const char *)
				       sqlite3_column_text(st, 0));
			else if (rc != SQLITE_DONE)
				r = store_query_error(s, rc);
			sqlite3_finalize(st);
		}
	}
	free(q);
	return r;
}
