/* store_relay.c — the store's side of the NATS relay (see
 * include/store_relay.h). Statements are prepared per call: these run
 * rarely (at each resync, daily).
 */
#include "store_relay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

int
store_origin(struct store *s, char *out, size_t outlen)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	*out = '\0';
	rc = sqlite3_prepare_v2(s->db,
				"SELECT value FROM meta WHERE key = 'origin'",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc == SQLITE_ERROR
			       ? store_failf(s, -ENOENT, "the database has no origin (schema older than version 5)")
			       : store_fail(s, rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if (v && strlen(v) < outlen) {
			strcpy(out, v);
			r = 0;
		} else
			r = store_failf(s, -EINVAL, "the database's origin is malformed");
	} else if (rc == SQLITE_DONE)
		r = store_failf(s, -ENOENT, "the database has no origin");
	else
		r = store_fail(s, rc);
	sqlite3_finalize(st);
	return r;
}

int
store_event_json(struct store *s, int64_t seq, char **json)
{
	sqlite3_stmt *st = NULL;
	int rc, r, err = 0;

	*json = NULL;
	rc = sqlite3_prepare_v2(s->db, "SELECT json FROM events WHERE seq = ?1",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc);
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*json = store_col_dup(st, 0, &err);
		r = err ? store_failf(s, err, "out of memory")
			: *json ? 0 : -ENOENT;
	} else if (rc == SQLITE_DONE)
		r = -ENOENT;
	else
		r = store_fail(s, rc);
	sqlite3_finalize(st);
	return r;
}

int
store_events_expire_upto(struct store *s, int64_t before, int64_t max_seq,
			 int64_t *deleted)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	if (deleted)
		*deleted = 0;
	if ((r = store_write_begin(s)) < 0)
		return r;
	rc = sqlite3_prepare_v2(s->db,
				"DELETE FROM events WHERE created < ?1"
				" AND seq <= ?2", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, before);
		sqlite3_bind_int64(st, 2, max_seq);
		rc = sqlite3_step(st);
	}
	r = rc == SQLITE_DONE ? 0 : store_fail(s, rc);
	if (r == 0 && deleted)
		*deleted = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return store_write_end(s, r);
}

void
store_relay_tune(struct store *s)
{
	/* 256 MiB of address space, pages shared with the page cache; 8 MiB
	 * of SQLite's own cache (a negative size is in KiB) */
	sqlite3_exec(s->db, "PRAGMA mmap_size = 268435456;"
			    "PRAGMA cache_size = -8192", NULL, NULL, NULL);
}
