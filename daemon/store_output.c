/* store_output.c — the outputs table: one durable cursor per output
 * (include/store.h, docs/outputs.md). Statements are prepared per call:
 * a cursor moves at most once per delivery.
 */
#include <errno.h>
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

static int
write_one(struct store *s, const char *sql, const char *name, int64_t cursor,
	  int with_cursor)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	if (!name || !*name)
		return store_failf(s, -EINVAL, "output without a name");
	if ((r = store_write_begin(s)) < 0)
		return r;
	r = prepare(s, sql, &st);
	if (r < 0)
		return store_write_end(s, r);
	store_bind_str(st, 1, name);
	if (with_cursor) {
		sqlite3_bind_int64(st, 2, cursor);
		sqlite3_bind_int64(st, 3, store_now());
	}
	rc = sqlite3_step(st);
	r = rc == SQLITE_DONE ? 0 : store_fail(s, rc);
	sqlite3_finalize(st);
	return store_write_end(s, r);
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
	return write_one(s, "DELETE FROM outputs WHERE name = ?1", name, 0,
			 0);
}
