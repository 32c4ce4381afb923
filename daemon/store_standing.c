/* store_standing.c — standing queries, store side (include/store_standing.h).
 */
#include "store_standing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store_impl.h"

/* Count the terms and prefix terms of an FTS5 query as store_fts_query
 * wrote it: words and "phrases", a '*' right after one making it a
 * prefix; operators (AND OR NOT NEAR) and column names are not terms. */
static void
count_terms(const char *q, size_t *terms, size_t *prefixes)
{
	const char *p = q, *e;

	*terms = *prefixes = 0;
	while (*p) {
		if (*p == '"') {
			e = p + 1;
			while (*e && !(e[0] == '"' && e[1] != '"'))
				e += e[0] == '"' ? 2 : 1;
			if (*e)
				e++;
		} else if (strchr(" \t\r\n()+,*^", *p)) {
			p++;
			continue;
		} else {
			e = p + strcspn(p, " \t\r\n()\",+*^:");
			if (*e == ':') { /* a column filter */
				p = e + 1;
				continue;
			}
			if ((e - p == 3 && (!strncmp(p, "AND", 3) ||
					    !strncmp(p, "NOT", 3))) ||
			    (e - p == 2 && !strncmp(p, "OR", 2)) ||
			    !strncmp(p, "NEAR", 4)) {
				p = e;
				continue;
			}
		}
		(*terms)++;
		if (*e == '*')
			(*prefixes)++;
		p = e;
	}
}

int
store_query_check(const char *query, char **err)
{
	struct store tmp;
	struct buf msg = BUF_INIT;
	sqlite3_stmt *st = NULL;
	size_t terms, prefixes;
	char *q;
	int rc, r = 0;

	*err = NULL;
	q = store_fts_query(query ? query : "");
	if (!q)
		return -ENOMEM;
	memset(&tmp, 0, sizeof(tmp));
	if (!*q) {
		*err = strdup("bad search query: empty");
		free(q);
		return *err ? -EINVAL : -ENOMEM;
	}
	count_terms(q, &terms, &prefixes);
	if (terms > STORE_QUERY_MAX_TERMS || prefixes > STORE_QUERY_MAX_PREFIXES) {
		buf_printf(&msg, "standing query too costly: %zu terms of which %zu prefix terms (word*); "
			   "at most %d terms and %d prefix terms (use longer words, "
			   "or filter with feed, kind or speaker)",
			   terms, prefixes, STORE_QUERY_MAX_TERMS,
			   STORE_QUERY_MAX_PREFIXES);
		*err = buf_detach(&msg);
		free(q);
		return *err ? -E2BIG : -ENOMEM;
	}
	/* The same columns as the archive's index; FTS5 parses the query
	 * when the statement runs, so an empty table finds every syntax
	 * error at no cost. */
	rc = sqlite3_open_v2(":memory:", &tmp.db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(tmp.db, "CREATE VIRTUAL TABLE f USING "
				  "fts5(speaker, title, text)", NULL, NULL,
				  NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(tmp.db, "SELECT 1 FROM f WHERE f MATCH ?1",
					-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE || rc == SQLITE_ROW)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		r = store_query_error(&tmp, rc);
		*err = strdup(tmp.err);
		if (!*err)
			r = -ENOMEM;
	}
	sqlite3_finalize(st);
	sqlite3_close(tmp.db);
	free(q);
	return r;
}

int
store_open_twin(struct store *s, struct store **out, char **err)
{
	const char *path = sqlite3_db_filename(s->db, "main");

	if (!path || !*path) {
		*err = strdup("the database has no file");
		return -EINVAL;
	}
	return store_open(path, STORE_READONLY, out, err);
}

static int
prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc);
}

/* Mark hit[i] for every i whose id is id. */
static void
mark(const int64_t *ids, size_t n, unsigned char *hit, int64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			hit[i] = 1;
}

int
store_match_batch(struct store *s, const char *query, const int64_t *ids,
		  size_t n, unsigned char *hit)
{
	sqlite3_stmt *st = NULL;
	int64_t lo = INT64_MAX, hi = 0, tlo = INT64_MAX, thi = 0;
	size_t i;
	int rc, r = 0, todo = 0;
	char *q;

	memset(hit, 0, n);
	for (i = 0; i < n; i++) {
		if (ids[i] <= 0)
			continue;
		lo = ids[i] < lo ? ids[i] : lo;
		hi = ids[i] > hi ? ids[i] : hi;
	}
	if (!hi)
		return 0;
	q = store_fts_query(query ? query : "");
	if (!q)
		return store_failf(s, -ENOMEM, "out of memory");
	if (!*q) {
		r = store_failf(s, -EINVAL, "bad search query: empty");
		goto done;
	}
	/* Titles and summaries: one pass over the batch's id range. */
	if ((r = prepare(s, "SELECT rowid FROM heads_fts WHERE heads_fts "
			 "MATCH ?1 AND rowid BETWEEN ?2 AND ?3", &st)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		mark(ids, n, hit, sqlite3_column_int64(st, 0));
	if (rc != SQLITE_DONE) {
		r = store_query_error(s, rc);
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* Turns of the briefings not matched yet: their turn id range. */
	if ((r = prepare(s, "SELECT min(id), max(id) FROM turns "
			 "WHERE briefing_id = ?1", &st)) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		if (hit[i] || ids[i] <= 0)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids[i]);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			r = store_fail(s, rc);
			goto done;
		}
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			continue;
		todo = 1;
		if (sqlite3_column_int64(st, 0) < tlo)
			tlo = sqlite3_column_int64(st, 0);
		if (sqlite3_column_int64(st, 1) > thi)
			thi = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!todo)
		goto done;
	if ((r = prepare(s, "SELECT DISTINCT t.briefing_id FROM turns_fts "
			 "JOIN turns t ON t.id = turns_fts.rowid "
			 "WHERE turns_fts MATCH ?1 "
			 "AND turns_fts.rowid BETWEEN ?2 AND ?3", &st)) < 0)
		goto done;
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, tlo);
	sqlite3_bind_int64(st, 3, thi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		mark(ids, n, hit, sqlite3_column_int64(st, 0));
	if (rc != SQLITE_DONE)
		r = store_query_error(s, rc);
done:
	sqlite3_finalize(st);
	free(q);
	return r;
}
