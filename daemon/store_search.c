/* store_search.c — full-text search, standing-query matching, reading
 * briefings back. Query syntax in docs/store.md.
 */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store_impl.h"
#include "tokenizer.h"

/* ---- query text ------------------------------------------------------------ */

static int
bare_char(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

/* One unquoted word of the query, [w, e): copied as is when FTS5 takes it
 * as a bareword, quoted as a phrase when it has inner punctuation. */
static int
put_word(struct buf *o, const char *w, const char *e)
{
	const char *c, *p;
	int star = 0, caret = 0, plain = 1, any = 0;

	c = memchr(w, ':', (size_t)(e - w));
	if (c) { /* column filter: speaker:Name, -title:x */
		for (p = w; p < c; p++)
			if (!bare_char((unsigned char)*p) && *p != '-')
				break;
		if (p == c) {
			if (buf_append(o, w, (size_t)(c + 1 - w)) < 0)
				return -ENOMEM;
			w = c + 1;
		}
	}
	if (w < e && *w == '^')
		caret = 1, w++;
	if (w < e && e[-1] == '*')
		star = 1, e--;
	for (p = w; p < e; p++) {
		if (bare_char((unsigned char)*p))
			any = 1;
		else
			plain = 0;
	}
	if (!any) /* bare punctuation: FTS5 would match everything or fail */
		return 0;
	if (caret && buf_putc(o, '^') < 0)
		return -ENOMEM;
	if (plain) {
		if (buf_append(o, w, (size_t)(e - w)) < 0)
			return -ENOMEM;
	} else if (buf_putc(o, '"') < 0 || buf_append(o, w, (size_t)(e - w)) < 0 ||
		   buf_putc(o, '"') < 0) {
		return -ENOMEM;
	}
	if (star && buf_putc(o, '*') < 0)
		return -ENOMEM;
	return 0;
}

char *
store_fts_query(const char *q)
{
	struct buf o = BUF_INIT;
	const char *p = q, *e;
	int r = 0;

	while (r == 0 && *p) {
		if (*p == '"') { /* a phrase, "" inside escapes a quote */
			e = p + 1;
			while (*e && !(e[0] == '"' && e[1] != '"'))
				e += e[0] == '"' ? 2 : 1;
			if (*e)
				e++;
			r = buf_append(&o, p, (size_t)(e - p));
			p = e;
		} else if (strchr(" \t\r\n()+,", *p)) {
			r = buf_putc(&o, *p++);
		} else {
			e = p + strcspn(p, " \t\r\n()\",+");
			if (strncmp(p, "NEAR/", 5) == 0 ||
			    (e - p == 4 && strncmp(p, "NEAR", 4) == 0))
				r = buf_append(&o, p, (size_t)(e - p));
			else
				r = put_word(&o, p, e);
			p = e;
		}
	}
	if (r < 0) {
		buf_free(&o);
		return NULL;
	}
	return buf_detach(&o);
}

int
store_query_error(struct store *s, int rc)
{
	const char *m = sqlite3_errmsg(s->db);

	if ((rc & 0xff) != SQLITE_ERROR)
		return store_fail(s, rc);
	if (strncmp(m, "fts5: ", 6) == 0)
		m += 6;
	if (strcmp(m, "syntax error near \"\"") == 0)
		m = "the query ends too early";
	return store_failf(s, -EINVAL,
			   "bad search query: %s (put phrases in \"double "
			   "quotes\", use NEAR(a b, 10) for words near each "
			   "other, AND OR NOT in capitals, and the columns "
			   "speaker:, title:, text:)", m);
}

/* Prepare sql with the user's query bound to ?1 (after store_fts_query). */
static int
prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	if (rc != SQLITE_OK)
		return store_fail(s, rc);
	return 0;
}

/* ---- standing queries ----------------------------------------------------------- */

int
store_briefing_matches(struct store *s, int64_t id, const char *query)
{
	sqlite3_stmt *st;
	char *q = store_fts_query(query ? query : "");
	int64_t lo = 0, hi = 0;
	int rc, r = 0;

	if (!q)
		return store_failf(s, -ENOMEM, "out of memory");
	if (!*q) {
		r = store_failf(s, -EINVAL, "bad search query: empty");
		goto done;
	}
	if ((r = store_langs_load(s)) < 0)
		goto done;
	if (!(st = store_stmt(s, ST_MATCH_HEAD))) {
		r = -EIO;
		goto done;
	}
	store_bind_str(st, 1, q);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = 1;
	else if (rc != SQLITE_DONE)
		r = store_query_error(s, rc);
	sqlite3_reset(st);
	if (r)
		goto done;
	if (!(st = store_stmt(s, ST_TURN_RANGE))) {
		r = -EIO;
		goto done;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		lo = sqlite3_column_int64(st, 0);
		hi = sqlite3_column_int64(st, 1);
	} else {
		r = store_fail(s, rc);
	}
	sqlite3_reset(st);
	if (r || hi == 0)
		goto done;
	if (!(st = store_stmt(s, ST_MATCH_TURNS))) {
		r = -EIO;
		goto done;
	}
	store_bind_str(st, 1, q);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	sqlite3_bind_int64(st, 4, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = 1;
	else if (rc != SQLITE_DONE)
		r = store_query_error(s, rc);
	sqlite3_reset(st);
done:
	free(q);
	return r;
}

/* ---- search -------------------------------------------------------------------- */

struct cand {
	int64_t id, rowid; /* rowid: the turn, or 0 for a title/summary hit */
	double rank;
};

struct hit {
	struct cand c;
	char *feed, *url, *title, *published, *kind, *speaker, *snippet;
};

/* The filter clauses shared by every query, on briefings b; parameters
 * ?2 speaker, ?3 feed, ?4 kind, ?5 since, ?6 until. */
static const char filters_sql[] =
	" AND (?3 IS NULL OR b.feed = ?3 OR EXISTS (SELECT 1 FROM items i"
	"  WHERE i.briefing_id = b.id AND i.feed = ?3))"
	" AND (?4 IS NULL OR b.kind = ?4)"
	" AND (?5 IS NULL OR b.published >= ?5)"
	" AND (?6 IS NULL OR substr(b.published, 1, length(?6)) <= ?6)";

static void
bind_filters(sqlite3_stmt *st, const struct store_query *q, const char *fq,
	     const char *spk)
{
	store_bind_str(st, 1, fq);
	store_bind_str(st, 2, spk);
	store_bind_str(st, 3, q->feed);
	store_bind_str(st, 4, q->kind);
	store_bind_str(st, 5, q->since);
	store_bind_str(st, 6, q->until);
}

/* Step a ranked candidate query, keeping the best row per briefing, until
 * limit briefings are known. */
static int
collect(struct store *s, sqlite3_stmt *st, struct cand *v, size_t *n,
	size_t limit)
{
	size_t i, found = 0;
	int rc;

	while (found < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct cand c = {
			sqlite3_column_int64(st, 0),
			sqlite3_column_int64(st, 1),
			sqlite3_column_double(st, 2),
		};

		for (i = 0; i < *n && v[i].id != c.id; i++)
			;
		if (i == *n) {
			v[(*n)++] = c;
			found++;
		} else if (c.rank < v[i].rank) {
			v[i] = c;
		}
		/* a turn hit and a title hit of one briefing: found counts
		 * only new briefings of this query, which is enough. */
	}
	if (found < limit && rc != SQLITE_DONE)
		return store_query_error(s, rc);
	return 0;
}

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* bm25 costs a score per matching row, and its IDF term walks the whole
 * doclist of every phrase, so ranking a common word over the archive
 * costs O(matches) before the first result. Past RANK_MAX matching rows
 * the hits come newest first instead: FTS5 streams rowid DESC and the walk
 * stops at limit briefings (docs/store.md). */
#define RANK_MAX 1500

/* The newest rows of table matching fq, rowid DESC, at most stop of them
 * into rows[] (*nrows). 1 when there are at least RANK_MAX (too many to
 * rank: the answer is newest first), 0 when fewer, or an error. The
 * same walk is the answer of a broad query without filters, so that its
 * FTS5 expression is set up once (a prefix term merges the doclists of
 * every word it covers at each set-up). */
static int
walk_newest(struct store *s, const char *table, const char *fq,
	    int64_t *rows, size_t *nrows, size_t stop)
{
	char sql[160];
	sqlite3_stmt *st = NULL;
	size_t k = 0;
	int rc, r;

	*nrows = 0;
	snprintf(sql, sizeof(sql), "SELECT rowid FROM %s WHERE %s MATCH ?1"
		 " ORDER BY rowid DESC LIMIT ?2", table, table);
	if ((r = prepare(s, sql, &st)) < 0)
		return r;
	store_bind_str(st, 1, fq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)stop);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rows[k++] = sqlite3_column_int64(st, 0);
	*nrows = k;
	if (rc == SQLITE_DONE)
		r = k >= RANK_MAX;
	else
		r = store_query_error(s, rc);
	sqlite3_finalize(st);
	return r;
}

/* 1 when table has at least RANK_MAX rows matching fq. */
static int
too_broad(struct store *s, const char *table, const char *fq)
{
	char sql[160];
	sqlite3_stmt *st = NULL;
	int rc, r;

	snprintf(sql, sizeof(sql), "SELECT rowid FROM %s WHERE %s MATCH ?1"
		 " ORDER BY rowid DESC LIMIT 1 OFFSET ?2", table, table);
	if ((r = prepare(s, sql, &st)) < 0)
		return r;
	store_bind_str(st, 1, fq);
	sqlite3_bind_int(st, 2, RANK_MAX - 1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = 1;
	else if (rc == SQLITE_DONE)
		r = 0;
	else
		r = store_query_error(s, rc);
	sqlite3_finalize(st);
	return r;
}

/* Add c unless its briefing is there; 1 when added. */
static int
add_cand(struct cand *v, size_t *n, struct cand c)
{
	size_t i;

	for (i = 0; i < *n && v[i].id != c.id; i++)
		;
	if (i < *n)
		return 0;
	v[(*n)++] = c;
	return 1;
}

/* A query without filters: the walks that tell whether it is too broad
 * to rank give its answer when it is, newest first (turns, then titles
 * and summaries, at most limit briefings of each). *done = 0 when it is
 * not broad: the caller ranks. */
static int
newest_unfiltered(struct store *s, const char *fq, const char *spk,
		  struct cand *v, size_t *n, size_t limit, int *done)
{
	int64_t *rows = malloc((2 * RANK_MAX + limit) * sizeof(*rows)), id;
	sqlite3_stmt *st = NULL;
	size_t nt = 0, nh = 0, i, found;
	int bt, bh = 0, r = 0, rc;

	*done = 0;
	if (!rows)
		return store_failf(s, -ENOMEM, "out of memory");
	if ((bt = walk_newest(s, "turns_fts", fq, rows, &nt, RANK_MAX)) < 0) {
		r = bt;
		goto out;
	}
	/* with a speaker, only turns answer (as in candidates) */
	if (!spk && (bh = walk_newest(s, "heads_fts", fq, rows + nt, &nh,
				      bt ? limit : RANK_MAX)) < 0) {
		r = bh;
		goto out;
	}
	if (!bt && !bh)
		goto out;
	*done = 1;
	if (nt && (r = prepare(s, "SELECT briefing_id FROM turns WHERE"
			       " id = ?1", &st)) < 0)
		goto out;
	for (i = 0, found = 0; i < nt && found < limit; i++) {
		sqlite3_bind_int64(st, 1, rows[i]);
		rc = sqlite3_step(st);
		id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			r = store_fail(s, rc);
			goto out;
		}
		if (id)
			found += (size_t)add_cand(v, n, (struct cand){id,
						  rows[i], 0.0});
	}
	for (i = 0, found = 0; i < nh && found < limit; i++)
		found += (size_t)add_cand(v, n, (struct cand){rows[nt + i], 0,
					  0.0});
out:
	sqlite3_finalize(st);
	free(rows);
	return r;
}

static int
candidates(struct store *s, const struct store_query *q, const char *fq,
	   const char *spk, struct cand *v, size_t *n, size_t limit)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int r, broad;

	/* Without filters, one walk per index decides and, when broad,
	 * answers; else it found the query narrow enough to rank. */
	if (!q->feed && !q->kind && !q->since && !q->until) {
		int done;

		if ((r = newest_unfiltered(s, fq, spk, v, n, limit, &done)) < 0
		    || done)
			return r;
		broad = 0;
	/* One order for the whole answer: newest first if either index has
	 * too many matches. */
	} else if ((broad = too_broad(s, "turns_fts", fq)) == 0 && !spk) {
		broad = too_broad(s, "heads_fts", fq);
	}
	if (broad < 0)
		return broad;
	/* bm25 weights by column: lang (no words), speaker, title, text. */
	r = buf_printf(&sql,
		       "SELECT t.briefing_id, turns_fts.rowid, %s AS r"
		       " FROM turns_fts JOIN turns t ON t.id = turns_fts.rowid"
		       " JOIN briefings b ON b.id = t.briefing_id"
		       " WHERE turns_fts MATCH ?1%s ORDER BY %s",
		       broad ? "0.0" : "bm25(turns_fts, 0.0, 4.0, 4.0, 1.0)",
		       filters_sql, broad ? "turns_fts.rowid DESC" : "r");
	if (r < 0)
		goto nomem;
	if ((r = prepare(s, buf_str(&sql), &st)) < 0)
		goto done;
	bind_filters(st, q, fq, spk);
	r = collect(s, st, v, n, limit);
	sqlite3_finalize(st);
	st = NULL;
	if (r < 0 || spk) /* a speaker filter: only what they said */
		goto done;
	buf_reset(&sql);
	r = buf_printf(&sql,
		       "SELECT b.id, 0, %s AS r"
		       " FROM heads_fts JOIN briefings b ON b.id = heads_fts.rowid"
		       " WHERE heads_fts MATCH ?1 AND ?2 IS NULL%s ORDER BY %s",
		       broad ? "0.0" : "bm25(heads_fts, 0.0, 4.0, 4.0, 1.0)",
		       filters_sql, broad ? "heads_fts.rowid DESC" : "r");
	if (r < 0)
		goto nomem;
	if ((r = prepare(s, buf_str(&sql), &st)) < 0)
		goto done;
	bind_filters(st, q, fq, spk);
	r = collect(s, st, v, n, limit);
	goto done;
nomem:
	r = store_failf(s, -ENOMEM, "out of memory");
done:
	sqlite3_finalize(st);
	buf_free(&sql);
	return r;
}

/* Without a query: the newest briefings that pass the filters. */
static int
newest(struct store *s, const struct store_query *q, const char *spk,
       struct cand *v, size_t *n, size_t limit)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc, r;

	r = buf_printf(&sql,
		       "SELECT b.id FROM briefings b WHERE (?1 IS NULL)%s%s"
		       " ORDER BY b.published DESC, b.id DESC LIMIT %zu",
		       spk ? " AND b.id IN (SELECT t.briefing_id FROM"
			      " turns_fts JOIN turns t ON t.id = turns_fts.rowid"
			      " WHERE turns_fts MATCH ?2)" : "",
		       filters_sql, limit);
	if (r < 0) {
		r = store_failf(s, -ENOMEM, "out of memory");
		goto done;
	}
	if ((r = prepare(s, buf_str(&sql), &st)) < 0)
		goto done;
	bind_filters(st, q, NULL, spk);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v[*n].id = sqlite3_column_int64(st, 0);
		v[*n].rowid = 0;
		v[*n].rank = 0;
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		r = store_fail(s, rc);
done:
	sqlite3_finalize(st);
	buf_free(&sql);
	return r;
}

/* Fill in a hit's briefing fields. */
static int
describe(struct store *s, struct hit *h)
{
	sqlite3_stmt *st;
	int rc, r = 0;

	if (!(st = store_stmt(s, ST_DESC_BRIEF)))
		return -EIO;
	sqlite3_bind_int64(st, 1, h->c.id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h->feed = store_col_dup(st, 0, &r);
		h->url = store_col_dup(st, 1, &r);
		h->title = store_col_dup(st, 2, &r);
		h->published = store_col_dup(st, 3, &r);
		h->kind = store_col_dup(st, 4, &r);
	} else if (rc != SQLITE_DONE) {
		r = store_fail(s, rc);
	}
	sqlite3_reset(st);
	if (r == -ENOMEM)
		store_failf(s, r, "out of memory");
	return r;
}

/* The snippets (and speakers) of hits[0..n) found in one index: turns
 * when turns is set (hits with a turn rowid), else titles/summaries. One
 * statement for all of them: every FTS5 query set-up walks doclists (a
 * prefix term's in full), so one per hit made snippets the larger part
 * of a search. */
static int
snippets(struct store *s, const char *fq, struct hit *hits, size_t n,
	 int turns)
{
	struct buf ids = BUF_INIT;
	sqlite3_stmt *st;
	int64_t lo = INT64_MAX, hi = INT64_MIN, key;
	size_t i, k = 0;
	int rc, r = 0;

	for (i = 0; r == 0 && i < n; i++) {
		if (!hits[i].c.rowid != !turns)
			continue;
		key = turns ? hits[i].c.rowid : hits[i].c.id;
		lo = key < lo ? key : lo;
		hi = key > hi ? key : hi;
		r = buf_printf(&ids, "%c%lld", k++ ? ',' : '[',
			       (long long)key);
	}
	if (r == 0 && k)
		r = buf_putc(&ids, ']');
	if (r < 0) {
		r = store_failf(s, -ENOMEM, "out of memory");
		goto done;
	}
	if (!k)
		goto done;
	if (!(st = store_stmt(s, turns ? ST_SNIP_TURNS : ST_SNIP_HEADS))) {
		r = -EIO;
		goto done;
	}
	store_bind_str(st, 1, fq);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	store_bind_str(st, 4, buf_str(&ids));
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		key = sqlite3_column_int64(st, 0);
		for (i = 0; r == 0 && i < n; i++) {
			if (!hits[i].c.rowid != !turns || hits[i].snippet ||
			    key != (turns ? hits[i].c.rowid : hits[i].c.id))
				continue;
			hits[i].snippet = store_col_dup(st, 1, &r);
			hits[i].speaker = store_col_dup(st, 2, &r);
		}
	}
	if (r == -ENOMEM)
		store_failf(s, r, "out of memory");
	else if (r == 0 && rc != SQLITE_DONE)
		r = store_query_error(s, rc);
	sqlite3_reset(st);
done:
	buf_free(&ids);
	return r;
}

#define SPEAKERS_MAX 64

/* The speaker filter as an FTS5 expression: the speakers whose canonical
 * name contains name (both folded as tok_fold does: case, diacritics), as
 * phrases on the speaker column: 'speaker:("Jens Stoltenberg" OR ...)'.
 * An FTS5 intersection is far cheaper than checking every match's
 * speaker row by row. NULL name gives NULL; no such speaker gives ""
 * (nothing can match); -EINVAL when more than SPEAKERS_MAX people match
 * (message set). */
static int
speaker_query(struct store *s, const char *name, char **out)
{
	static const char sql[] =
		"SELECT name FROM speakers WHERE instr(bw_fold(name), ?1) > 0"
		" ORDER BY name LIMIT ?2";
	struct buf b = BUF_INIT;
	sqlite3_stmt *st = NULL;
	char *folded = NULL;
	int rc, r = 0, n = 0;

	*out = NULL;
	if (!name)
		return 0;
	if (!(folded = tok_fold(name)))
		goto nomem;
	if ((r = prepare(s, sql, &st)) < 0)
		goto done;
	store_bind_str(st, 1, folded);
	sqlite3_bind_int(st, 2, SPEAKERS_MAX + 1);
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if (++n > SPEAKERS_MAX) {
			r = store_failf(s, -EINVAL, "speaker filter \"%s\" "
					"matches more than %d people; give more "
					"of the name", name, SPEAKERS_MAX);
			goto done;
		}
		r = buf_puts(&b, n == 1 ? "speaker:(\"" : " OR \"");
		for (; r == 0 && *v; v++)
			r = *v == '"' ? buf_puts(&b, "\"\"") : buf_putc(&b, *v);
		if (r == 0)
			r = buf_putc(&b, '"');
		if (r < 0)
			goto nomem;
	}
	if (r == 0 && rc != SQLITE_DONE) {
		r = store_fail(s, rc);
		goto done;
	}
	if (n && buf_putc(&b, ')') < 0)
		goto nomem;
	if (!(*out = buf_detach(&b)))
		goto nomem;
	goto done;
nomem:
	r = store_failf(s, -ENOMEM, "out of memory");
done:
	sqlite3_finalize(st);
	free(folded);
	buf_free(&b);
	return r;
}

int
store_langs_load(struct store *s)
{
	sqlite3_stmt *st = store_stmt(s, ST_LANGS_GET);
	int rc;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	/* English always: Latin-script words of an unknown language */
	if (rc == SQLITE_ROW)
		tok_set_query_mask(s->tok, (uint32_t)sqlite3_column_int64(st, 0)
					   | 1u);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

int
store_langs_note(struct store *s)
{
	uint32_t seen = tok_langs_seen(s->tok), have = 0;
	sqlite3_stmt *st;
	int rc;

	if (!seen)
		return 0;
	if (!(st = store_stmt(s, ST_LANGS_GET)))
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		have = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, rc);
	if (!(seen & ~have))
		return 0;
	if (!(st = store_stmt(s, ST_LANGS_ADD)))
		return -EIO;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(seen | have));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

/* The language query words are stemmed in, until the search ends. */
static int
set_lang(struct store *s, const char *lang)
{
	if (lang && !tok_lang_known(lang))
		return store_failf(s, -EINVAL, "unknown language \"%s\" (known: "
				   "%s)", lang, tok_langs());
	tok_set_query_lang(s->tok, lang);
	return store_langs_load(s);
}

int
store_search(struct store *s, const struct store_query *q,
	     int (*cb)(void *arg, const struct store_hit *h), void *arg)
{
	size_t limit = q->limit ? q->limit : 20, n = 0, i;
	struct cand *v = NULL;
	struct hit *hits = NULL;
	char *fq = NULL, *spk = NULL;
	int r, began = 0;

	if (limit > 10000)
		limit = 10000;
	if ((r = set_lang(s, q->lang)) < 0)
		return r;
	if ((r = speaker_query(s, q->speaker, &spk)) < 0)
		goto done;
	if (spk && !*spk) /* nobody by that name */
		goto done;
	if (q->query) {
		if (!(fq = store_fts_query(q->query))) {
			r = store_failf(s, -ENOMEM, "out of memory");
			goto done;
		}
		if (!*fq) {
			r = store_failf(s, -EINVAL, "bad search query: it "
					"has no words to look for");
			goto done;
		}
		/* the speaker's turns only: one FTS5 intersection, far
		 * cheaper than filtering the matches row by row */
		if (spk) {
			char *both = NULL;

			if (asprintf(&both, "(%s) AND %s", fq, spk) < 0) {
				r = store_failf(s, -ENOMEM, "out of memory");
				goto done;
			}
			free(fq);
			fq = both;
		}
	}
	v = calloc(2 * limit, sizeof(*v));
	hits = calloc(limit, sizeof(*hits));
	if (!v || !hits) {
		r = store_failf(s, -ENOMEM, "out of memory");
		goto done;
	}
	/* One read transaction: candidates and their details agree. */
	if (sqlite3_get_autocommit(s->db)) {
		if ((r = store_exec(s, "BEGIN")) < 0)
			goto done;
		began = 1;
	}
	r = fq ? candidates(s, q, fq, spk, v, &n, limit)
	       : newest(s, q, spk, v, &n, limit);
	if (r == 0 && fq)
		qsort(v, n, sizeof(*v), cand_cmp);
	if (n > limit)
		n = limit;
	for (i = 0; r == 0 && i < n; i++) {
		hits[i].c = v[i];
		r = describe(s, &hits[i]);
	}
	if (r == 0 && fq && (r = snippets(s, fq, hits, n, 1)) == 0)
		r = snippets(s, fq, hits, n, 0);
	if (began)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	for (i = 0; r == 0 && i < n; i++) {
		struct store_hit h = {
			hits[i].c.id, hits[i].feed, hits[i].url,
			hits[i].title, hits[i].published, hits[i].kind,
			hits[i].speaker, hits[i].snippet, hits[i].c.rank,
		};

		r = cb(arg, &h);
	}
done:
	for (i = 0; hits && i < limit; i++) {
		free(hits[i].feed);
		free(hits[i].url);
		free(hits[i].title);
		free(hits[i].published);
		free(hits[i].kind);
		free(hits[i].speaker);
		free(hits[i].snippet);
	}
	free(hits);
	free(v);
	free(fq);
	free(spk);
	tok_set_query_lang(s->tok, NULL);
	return r;
}

/* ---- reading briefings ------------------------------------------------------------ */

static int
load(struct store *s, int64_t id, const char *feed, const char *record,
     struct briefing **out)
{
	json_error_t je;
	json_t *o = json_loads(record, 0, &je);
	int r;

	if (!o)
		return store_failf(s, -EIO, "briefing %lld: stored record is "
				   "not JSON: %s", (long long)id, je.text);
	r = briefing_from_json(o, out);
	json_decref(o);
	if (r < 0)
		return store_failf(s, r, "briefing %lld: stored record: %s",
				   (long long)id, strerror(-r));
	(*out)->id = id;
	if (feed && !((*out)->feed = strdup(feed))) {
		briefing_free(*out);
		*out = NULL;
		return store_failf(s, -ENOMEM, "out of memory");
	}
	return 0;
}

int
store_get_briefing(struct store *s, int64_t id, struct briefing **out)
{
	sqlite3_stmt *st = store_stmt(s, ST_BRIEFING_FEED);
	int rc, r;

	*out = NULL;
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = load(s, id, (const char *)sqlite3_column_text(st, 0),
			 (const char *)sqlite3_column_text(st, 1), out);
	else if (rc == SQLITE_DONE)
		r = store_failf(s, -ENOENT, "no briefing %lld", (long long)id);
	else
		r = store_fail(s, rc);
	sqlite3_reset(st);
	return r;
}

#define PAGE 256

int
store_foreach_briefing(struct store *s, const struct store_query *filter,
		       int (*cb)(void *arg, const struct briefing *b),
		       void *arg)
{
	static const struct store_query none = {0};
	const struct store_query *q = filter ? filter : &none;
	struct briefing *page[PAGE];
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st = NULL;
	char *fq = NULL, *spk = NULL;
	int64_t last = 0;
	size_t n = 0, i, total = 0;
	int rc, r;

	if ((r = set_lang(s, q->lang)) < 0 ||
	    (r = speaker_query(s, q->speaker, &spk)) < 0 || (spk && !*spk))
		goto done;
	if (q->query && !(fq = store_fts_query(q->query))) {
		r = store_failf(s, -ENOMEM, "out of memory");
		goto done;
	}
	r = buf_printf(&sql,
		       "SELECT b.id, b.feed, r.record FROM briefings b"
		       " JOIN revisions r ON r.briefing_id = b.id"
		       "  AND r.n = b.revision"
		       " WHERE b.id > ?7%s%s%s ORDER BY b.id LIMIT %d",
		       spk ? " AND b.id IN (SELECT t.briefing_id FROM"
			      " turns_fts JOIN turns t ON t.id = turns_fts.rowid"
			      " WHERE turns_fts MATCH ?2)" : "",
		       fq ? " AND (b.id IN (SELECT rowid FROM heads_fts WHERE"
			    " heads_fts MATCH ?1) OR b.id IN (SELECT"
			    " t.briefing_id FROM turns_fts JOIN turns t ON"
			    " t.id = turns_fts.rowid WHERE turns_fts MATCH ?1))"
			  : " AND ?1 IS NULL",
		       filters_sql, PAGE);
	if (r < 0) {
		r = store_failf(s, -ENOMEM, "out of memory");
		goto done;
	}
	if ((r = prepare(s, buf_str(&sql), &st)) < 0)
		goto done;
	/* Page by id, calling back with no read transaction open: an
	 * export of the whole archive must not pin the WAL. */
	do {
		sqlite3_reset(st);
		bind_filters(st, q, fq, spk);
		sqlite3_bind_int64(st, 7, last);
		n = 0;
		while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			last = sqlite3_column_int64(st, 0);
			r = load(s, last,
				 (const char *)sqlite3_column_text(st, 1),
				 (const char *)sqlite3_column_text(st, 2),
				 &page[n]);
			if (r == 0)
				n++;
		}
		if (r == 0 && rc != SQLITE_DONE)
			r = fq ? store_query_error(s, rc) : store_fail(s, rc);
		sqlite3_reset(st);
		for (i = 0; i < n; i++) {
			if (r == 0 && (!q->limit || total < q->limit)) {
				r = cb(arg, page[i]);
				total++;
			}
			briefing_free(page[i]);
		}
	} while (r == 0 && n == PAGE && (!q->limit || total < q->limit));
done:
	sqlite3_finalize(st);
	buf_free(&sql);
	free(fq);
	free(spk);
	tok_set_query_lang(s->tok, NULL);
	return r;
}
