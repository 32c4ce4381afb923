/* store_page.c — the pages table and revision listing (see include/store.h).
 * Statements are prepared per call: pages are written once per stored
 * briefing or re-check, far from the hot path of store_put.c.
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
store_page_put(struct store *s, const struct store_page *p)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	if (p->briefing_id <= 0 || !p->feed || !p->url)
		return store_failf(s, -EINVAL, "page without briefing, feed "
				   "or url");
	if ((r = store_write_begin(s)) < 0)
		return r;
	r = prepare(s,
		"INSERT INTO pages (briefing_id, feed, url, etag,"
		" last_modified, status, note, stored, checked, checks,"
		" next_check) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
		" ?10, ?11) ON CONFLICT (briefing_id) DO UPDATE SET"
		" feed = ?2, url = ?3, etag = ?4, last_modified = ?5,"
		" status = ?6, note = ?7, checked = ?9, checks = ?10,"
		" next_check = ?11", &st);
	if (r < 0)
		return store_write_end(s, r);
	sqlite3_bind_int64(st, 1, p->briefing_id);
	store_bind_str(st, 2, p->feed);
	store_bind_str(st, 3, p->url);
	store_bind_str(st, 4, p->etag);
	store_bind_str(st, 5, p->last_modified);
	sqlite3_bind_int(st, 6, p->status);
	store_bind_str(st, 7, p->note);
	sqlite3_bind_int64(st, 8, p->stored ? p->stored : store_now());
	sqlite3_bind_int64(st, 9, p->checked);
	sqlite3_bind_int(st, 10, p->checks);
	sqlite3_bind_int64(st, 11, p->next_check);
	rc = sqlite3_step(st);
	r = rc == SQLITE_DONE ? 0 : store_fail(s, rc);
	sqlite3_finalize(st);
	return store_write_end(s, r);
}

void
store_page_clear(struct store_page *p)
{
	free(p->feed);
	free(p->url);
	free(p->etag);
	free(p->last_modified);
	free(p->note);
	memset(p, 0, sizeof(*p));
}

#define PAGE_COLS "briefing_id, feed, url, etag, last_modified, status," \
		  " note, stored, checked, checks, next_check"

static int
page_from_row(sqlite3_stmt *st, struct store_page *p)
{
	int err = 0;

	memset(p, 0, sizeof(*p));
	p->briefing_id = sqlite3_column_int64(st, 0);
	p->feed = store_col_dup(st, 1, &err);
	p->url = store_col_dup(st, 2, &err);
	p->etag = store_col_dup(st, 3, &err);
	p->last_modified = store_col_dup(st, 4, &err);
	p->status = sqlite3_column_int(st, 5);
	p->note = store_col_dup(st, 6, &err);
	p->stored = sqlite3_column_int64(st, 7);
	p->checked = sqlite3_column_int64(st, 8);
	p->checks = sqlite3_column_int(st, 9);
	p->next_check = sqlite3_column_int64(st, 10);
	if (err) {
		store_page_clear(p);
		return -ENOMEM;
	}
	return 0;
}

int
store_page_get(struct store *s, int64_t briefing_id, struct store_page *out)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	memset(out, 0, sizeof(*out));
	r = prepare(s, "SELECT " PAGE_COLS " FROM pages WHERE briefing_id = ?",
		    &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, briefing_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = page_from_row(st, out);
	else if (rc == SQLITE_DONE)
		r = store_failf(s, -ENOENT, "no page for briefing %lld",
				(long long)briefing_id);
	else
		r = store_fail(s, rc);
	sqlite3_finalize(st);
	return r;
}

int
store_pages_due(struct store *s, int64_t now, size_t limit,
		int (*cb)(void *arg, const struct store_page *p), void *arg)
{
	sqlite3_stmt *st = NULL;
	struct store_page *rows = NULL;
	size_t n = 0, cap = 0, i;
	int rc, r;

	r = prepare(s, "SELECT " PAGE_COLS " FROM pages WHERE next_check > 0"
		    " AND next_check <= ? ORDER BY next_check LIMIT ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(limit ? limit : 256));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct store_page *nr = realloc(rows,
							ncap * sizeof(*rows));

			if (!nr) {
				r = -ENOMEM;
				break;
			}
			rows = nr;
			cap = ncap;
		}
		if ((r = page_from_row(st, &rows[n])) < 0)
			break;
		n++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_fail(s, rc);
	sqlite3_finalize(st);
	for (i = 0; r == 0 && i < n; i++)
		r = cb(arg, &rows[i]);
	for (i = 0; i < n; i++)
		store_page_clear(&rows[i]);
	free(rows);
	return r;
}

int
store_pages_next(struct store *s, int64_t *when)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	*when = 0;
	r = prepare(s, "SELECT min(next_check) FROM pages WHERE next_check > 0",
		    &st);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*when = sqlite3_column_int64(st, 0);
	else
		r = store_fail(s, rc);
	sqlite3_finalize(st);
	return r;
}

int
store_revisions(struct store *s, int64_t id,
		int (*cb)(void *arg, const struct store_revision *r),
		void *arg)
{
	sqlite3_stmt *st = NULL;
	struct store_revision rev;
	int rc, r;

	r = prepare(s, "SELECT n, created, record FROM revisions"
		    " WHERE briefing_id = ? ORDER BY n", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rev.n = sqlite3_column_int(st, 0);
		rev.created = sqlite3_column_int64(st, 1);
		rev.record = (const char *)sqlite3_column_text(st, 2);
		if ((r = cb(arg, &rev)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_fail(s, rc);
	sqlite3_finalize(st);
	return r;
}
