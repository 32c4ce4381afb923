/* tokenizer — the one tokenizer of every full-text index and filter
 * (docs/store.md "Words, languages and folding").
 *
 * Words: runs of letters, marks and digits (ICU character properties);
 * runs in scripts written without spaces (Han, Kana, Thai, Lao, Khmer,
 * Myanmar) are cut by ICU's dictionary-based word break iterator.
 * Folding: full Unicode case folding (ß → ss, Σ/ς → σ), then diacritics
 * removed in Latin, Greek and Arabic script (and ё → е).
 * Stemming: Snowball, in the language of the indexed text (detected from
 * its script and, for Latin script, its commonest words; English when
 * unsure). A query word is looked up under every stem its script allows
 * (Latin: each Latin-script language of tok_langs) plus its unstemmed
 * form, or only under the language the search names.
 *
 * tok_register() installs it on one SQLite connection as the FTS5
 * tokenizer "bw" and the SQL function bw_fold(text).
 */
#ifndef BW_TOKENIZER_H
#define BW_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* Per-connection state of the tokenizer: what a search asks of it. Owned
 * by the connection (freed when it closes). */
struct tok_conn;

/* Register "bw" and bw_fold() on db. *out (may be NULL) gets the
 * connection's state for tok_set_query_lang. 0, -ENOMEM or -EIO. */
int tok_register(sqlite3 *db, struct tok_conn **out);

/* Entry point of the loadable extension build/bwtok.so. */
int sqlite3_bwtok_init(sqlite3 *db, char **err, const void *api);

/* The language query words are stemmed in from now on, on this
 * connection: an ISO 639-1 code from tok_lang_known, or NULL for every
 * language of the word's script. */
void tok_set_query_lang(struct tok_conn *c, const char *lang);

/* The languages (a bit per tok_langs code, in order) that text indexed
 * through this connection was stemmed in; SQL: bw_langs_seen(). */
uint32_t tok_langs_seen(const struct tok_conn *c);
/* Query words are stemmed only in the languages of mask (and in their
 * script's default, English for Latin): those the archive holds, so
 * that a query does not look up stems that cannot be there. ~0: all. */
void tok_set_query_mask(struct tok_conn *c, uint32_t mask);

/* 1 when lang ("fr", "de"...) has a stemmer here, else 0. */
int tok_lang_known(const char *lang);
/* The codes tok_lang_known accepts, space-separated (for messages). */
const char *tok_langs(void);

/* The language tok would index text[0..len) in: a code of tok_langs, or
 * NULL for text it does not stem (Chinese, Japanese, Thai...). Pure. */
const char *tok_detect_lang(const char *text, size_t len);

/* The row language column (docs/store.md "The language of a row"): a
 * document text that is this byte followed by a language code ("\x1f"
 * "fr"; "\x1f" alone: none) is no words, and makes the code the
 * declared language of the columns that follow it in the same row. An
 * index puts it first: fts5(lang, ...), fed char(31) || lang. */
#define TOK_LANG_MARK '\x1f'

/* The language the tokenizer indexes text[0..len) in when its row
 * declares declared (NULL: none): the declaration unless the text
 * clearly contradicts it (another script; in Latin script, many more
 * stop words of another language), else tok_detect_lang. Pure. */
const char *tok_index_lang(const char *declared, const char *text,
			   size_t len);

/* s folded as words are (case folded, diacritics removed), not stemmed;
 * malloc'd, NULL on ENOMEM. Invalid UTF-8 becomes U+FFFD. */
char *tok_fold(const char *s);
/* 1 when fold(hay) contains fold(needle) (an empty needle: always), 0
 * when not, -ENOMEM. */
int tok_fold_contains(const char *hay, const char *needle);

#endif
