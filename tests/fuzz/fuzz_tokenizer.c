/* fuzz_tokenizer.c — libFuzzer target for the "bw" tokenizer: any bytes
 * (as page text reaches it) indexed in an in-memory FTS5 table, then
 * looked up as a query, a snippet and a speaker fold; and indexed again
 * behind a row language column (TOK_LANG_MARK) made of its first bytes,
 * then deleted as indexed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sqlite3 *db;
	sqlite3_stmt *st;
	char *s, *f;

	if (!db) {
		if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
		    tok_register(db, NULL) < 0 ||
		    sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x,"
				 " tokenize='bw');"
				 "CREATE VIRTUAL TABLE u USING fts5(lang, x,"
				 " tokenize='bw')", NULL, NULL, NULL))
			abort();
	}
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	(void)tok_detect_lang(s, size);
	free(tok_fold(s));
	(void)tok_fold_contains(s, "σ");
	sqlite3_exec(db, "DELETE FROM t", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?1)", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, s, (int)size, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	/* the same bytes as a phrase query, with a snippet */
	f = sqlite3_mprintf("\"%w\"", s);
	if (f && sqlite3_prepare_v2(db, "SELECT snippet(t, 0, '[', ']', '.',"
				    " 8) FROM t WHERE t MATCH ?1", -1, &st,
				    NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, f, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW)
			;
		sqlite3_finalize(st);
	}
	sqlite3_free(f);
	/* a row language of the first bytes (any length, any bytes) */
	{
		char mark[24] = {TOK_LANG_MARK};
		size_t k = size < 20 ? size : 20;

		memcpy(mark + 1, s, k);
		mark[k + 1] = 0;
		(void)tok_index_lang(mark + 1, s, size);
		sqlite3_exec(db, "DELETE FROM u", NULL, NULL, NULL);
		if (sqlite3_prepare_v2(db, "INSERT INTO u(rowid, lang, x)"
				       " VALUES (1, ?1, ?2)", -1, &st,
				       NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, mark, (int)(k + 1),
					  SQLITE_STATIC);
			sqlite3_bind_text(st, 2, s, (int)size, SQLITE_STATIC);
			sqlite3_step(st);
			sqlite3_finalize(st);
		}
		if (sqlite3_exec(db, "INSERT INTO u(u) VALUES"
				 "('integrity-check')", NULL, NULL, NULL) !=
		    SQLITE_OK)
			abort();
	}
	free(s);
	return 0;
}
