/* store_relay.c — the store's side of the NATS relay (see
 * include/store_relay.h). Statements are prepared per call: these run
 * rarely (at each resync, daily); the page reader uses the store's own
 * prepared statement.
 */
#include "store_relay.h"

#include <errno.h>
#include <stdint.h>
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

/* Room for need more bytes in pg->buf past used. 0 or -ENOMEM. */
static int
page_room(struct store_relay_page *pg, size_t used, size_t need)
{
	size_t cap = pg->buf_cap ? pg->buf_cap : 65536;
	char *b;

	if (used + need <= pg->buf_cap)
		return 0;
	while (cap < used + need) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	if (!(b = realloc(pg->buf, cap)))
		return -ENOMEM;
	pg->buf = b;
	pg->buf_cap = cap;
	return 0;
}

/* Append column col (text, or NULL) to pg->buf at *used, NUL-terminated;
 * its offset in *off, (size_t)-1 for NULL. 0 or -ENOMEM. */
static int
page_put(struct store_relay_page *pg, sqlite3_stmt *st, int col,
	 size_t *used, size_t *off, size_t *len)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n;

	if (!t) {
		*off = (size_t)-1;
		if (len)
			*len = 0;
		/* NULL, or no memory to convert the value to text */
		return sqlite3_column_type(st, col) == SQLITE_NULL ? 0
								  : -ENOMEM;
	}
	n = (size_t)sqlite3_column_bytes(st, col);
	if (page_room(pg, *used, n + 1) < 0)
		return -ENOMEM;
	memcpy(pg->buf + *used, t, n);
	pg->buf[*used + n] = '\0';
	*off = *used;
	if (len)
		*len = n;
	*used += n + 1;
	return 0;
}

int
store_relay_page(struct store *s, int64_t since, size_t limit,
		 struct store_relay_page *pg)
{
	sqlite3_stmt *st = store_stmt(s, ST_EVENTS_AFTER);
	size_t used = 0, i, off[3];
	int rc = SQLITE_DONE, r = 0;

	pg->n = 0;
	if (!st)
		return -EIO;
	if (limit > pg->ev_cap) {
		struct store_relay_ev *v = realloc(pg->ev, limit * sizeof(*v));

		if (!v)
			return store_failf(s, -ENOMEM, "out of memory");
		pg->ev = v;
		pg->ev_cap = limit;
	}
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	/* The strings go in as offsets (the buffer may move while it
	 * grows) and become pointers once the page is read. Copied, then
	 * the statement reset: the publishing that follows holds no read
	 * transaction open (RELIABILITY.md). */
	while (pg->n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_relay_ev *e = &pg->ev[pg->n];

		e->seq = sqlite3_column_int64(st, 0);
		if (page_put(pg, st, 1, &used, &off[0], NULL) < 0 ||
		    page_put(pg, st, 3, &used, &off[1], NULL) < 0 ||
		    page_put(pg, st, 4, &used, &off[2], &e->json_len) < 0) {
			r = store_failf(s, -ENOMEM, "out of memory");
			break;
		}
		if (off[0] == (size_t)-1 || off[2] == (size_t)-1) {
			r = store_failf(s, -EINVAL, "event %lld has no type or no line",
					(long long)e->seq);
			break;
		}
		/* parked in the pointers until the buffer stops moving */
		e->type = (const char *)(uintptr_t)off[0];
		e->feed = (const char *)(uintptr_t)off[1];
		e->json = (const char *)(uintptr_t)off[2];
		pg->n++;
	}
	if (r == 0 && pg->n < limit && rc != SQLITE_DONE)
		r = store_fail(s, rc);
	sqlite3_reset(st);
	if (r < 0) {
		pg->n = 0;
		return r;
	}
	for (i = 0; i < pg->n; i++) {
		struct store_relay_ev *e = &pg->ev[i];
		size_t ft = (size_t)(uintptr_t)e->feed;

		e->type = pg->buf + (size_t)(uintptr_t)e->type;
		e->feed = ft == (size_t)-1 ? NULL : pg->buf + ft;
		e->json = pg->buf + (size_t)(uintptr_t)e->json;
	}
	return 0;
}

void
store_relay_page_free(struct store_relay_page *pg)
{
	free(pg->ev);
	free(pg->buf);
	memset(pg, 0, sizeof(*pg));
}
