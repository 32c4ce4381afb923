/* test_tokenizer.c — the "bw" tokenizer through the store: search in
 * eight languages on a real database file, speaker folding, language
 * detection, the migration from the porter indexes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "briefing.h"
#include "store.h"
#include "tokenizer.h"
#include "schema_v7.h"

struct env {
	char dir[64];
	char path[96];
	struct store *s;
	int64_t id[16]; /* by doc index */
};

/* One short text per language; the title is the language code. */
static const struct doc {
	const char *lang, *speaker, *text;
} docs[] = {
	{"en", "Jens Lindqvist", "The ministers discussed the sanctions "
	 "against the regime and the running negotiations."},
	{"fr", "Élise Dupré", "Les ministres ont examiné les nouvelles "
	 "sanctions économiques contre le régime et les négociations."},
	{"de", "Jürgen Weiß", "Die Straße vor dem Ministerium wurde wegen "
	 "der Verhandlungen über die Abkommen gesperrt."},
	{"es", "José Núñez", "El gobierno anunció nuevas medidas económicas "
	 "para las regiones afectadas por la sequía."},
	{"ru", "Мария Захарова", "Мы осуждаем новые санкции против нашей "
	 "страны и требуем их отмены."},
	{"zh", "毛宁", "中方坚决反对单边制裁。"},
	{"ja", "林芳正", "日本政府は新たな経済対策を発表した。"},
	{"ar", "أحمد الصحاف", "أعلنت الحكومة عن عقوبات جديدة على الشركات."},
	{"el", "Νίκος Δένδιας", "Ο υπουργός ΜΙΛΗΣΕ για τις ΚΥΡΩΣΕΙΣ."},
};

#define NDOCS (sizeof(docs) / sizeof(docs[0]))

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char *err = NULL, url[64];
	size_t i;

	assert_non_null(e);
	strcpy(e->dir, "/tmp/bw-tok-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/bw.db", e->dir);
	assert_int_equal(store_open(e->path, 0, &e->s, &err), 0);
	for (i = 0; i < NDOCS; i++) {
		struct briefing *b = briefing_new();
		int64_t seq;

		assert_non_null(b);
		snprintf(url, sizeof(url), "https://example.int/%s",
			 docs[i].lang);
		b->url = strdup(url);
		b->title = strdup(docs[i].lang);
		b->kind = BRIEFING_TRANSCRIPT;
		assert_int_equal(briefing_add_speaker(b, docs[i].speaker,
						      NULL), 0);
		assert_int_equal(briefing_add_turn(b, TURN_STATEMENT,
						   docs[i].speaker, NULL, NULL,
						   NULL, docs[i].text), 0);
		assert_int_equal(store_put_briefing(e->s, "f", url, b, &seq),
				 STORE_NEW);
		e->id[i] = b->id;
		briefing_free(b);
	}
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];

	store_close(e->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

struct found {
	unsigned mask; /* bit i: docs[i] */
	char snippet[256], speaker[64];
};

static int
on_hit(void *arg, const struct store_hit *h)
{
	struct env *e = ((void **)arg)[0];
	struct found *f = ((void **)arg)[1];
	size_t i;

	for (i = 0; i < NDOCS; i++)
		if (e->id[i] == h->id)
			f->mask |= 1u << i;
	if (h->snippet)
		snprintf(f->snippet, sizeof(f->snippet), "%s", h->snippet);
	if (h->speaker)
		snprintf(f->speaker, sizeof(f->speaker), "%s", h->speaker);
	return 0;
}

static unsigned
found(struct env *e, const char *query, const char *speaker,
      const char *lang)
{
	struct store_query q = {0};
	struct found f = {0};
	void *arg[2] = {e, &f};

	q.query = query;
	q.speaker = speaker;
	q.lang = lang;
	assert_int_equal(store_search(e->s, &q, on_hit, arg), 0);
	return f.mask;
}

/* The docs of langs, a space-separated list of codes. */
static unsigned
bit(const char *langs)
{
	char buf[64], *w, *save = NULL;
	unsigned m = 0;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", langs);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		for (i = 0; i < NDOCS && strcmp(docs[i].lang, w) != 0; i++)
			;
		if (i == NDOCS)
			fail_msg("no doc %s", w);
		m |= 1u << i;
	}
	return m;
}

/* query finds exactly the texts of langs */
static void
hits(struct env *e, const char *query, const char *langs)
{
	unsigned m = found(e, query, NULL, NULL);

	if (m != bit(langs))
		fail_msg("query \"%s\": found 0x%x, want the %s texts "
			 "(0x%x)", query, m, langs, bit(langs));
}

static void
misses(struct env *e, const char *query)
{
	unsigned m = found(e, query, NULL, NULL);

	if (m)
		fail_msg("query \"%s\" must find nothing, found 0x%x", query, m);
}

/* ---- tests --------------------------------------------------------------- */

static void
test_inflected_forms_find_each_language(void **state)
{
	struct env *e = *state;

	hits(e, "sanction", "en fr");        /* sanctions */
	hits(e, "negotiation", "en");        /* negotiations */
	hits(e, "économique", "fr es");      /* économiques, económicas */
	hits(e, "négociation", "fr");
	hits(e, "Verhandlung", "de");        /* Verhandlungen */
	hits(e, "Abkommens", "de");
	hits(e, "medida", "es");             /* medidas */
	hits(e, "región", "es");             /* regiones */
	hits(e, "санкций", "ru");            /* санкции */
	hits(e, "страна", "ru");             /* страны */
	hits(e, "حكومة", "ar");              /* الحكومة: the article */
	hits(e, "عقوبات", "ar");
	hits(e, "الشركة", "ar");             /* الشركات */
	hits(e, "κυρώσεις", "el");           /* ΚΥΡΩΣΕΙΣ */
}

static void
test_case_diacritics_and_sharp_s_are_folded(void **state)
{
	struct env *e = *state;

	hits(e, "strasse", "de");
	hits(e, "STRASSE", "de");
	hits(e, "Straße", "de");
	hits(e, "REGIME", "en fr");          /* regime, régime */
	hits(e, "régimes", "en fr");
	hits(e, "economicas", "fr es");      /* económicas */
	hits(e, "СТРАНЫ", "ru");
	hits(e, "μίλησε", "el");             /* ΜΙΛΗΣΕ: Σ → σ, accent */
}

static void
test_words_inside_cjk_runs_are_found(void **state)
{
	struct env *e = *state;

	hits(e, "制裁", "zh");
	hits(e, "反对", "zh");
	hits(e, "日本", "ja");
	hits(e, "経済", "ja");
	hits(e, "発表", "ja");
	misses(e, "中国");
	misses(e, "中方坚决反对单边制裁的");
}

static void
test_unrelated_words_find_nothing(void **state)
{
	struct env *e = *state;

	misses(e, "sanctuary");
	misses(e, "Strauss");
	misses(e, "musique");
	misses(e, "gato");
	misses(e, "газ");
	misses(e, "نفط");
	misses(e, "gobernador OR ministerio");
	/* a phrase must keep its order across the languages too */
	misses(e, "\"sanctions the discussed\"");
}

static void
test_explicit_language_stems_only_in_it(void **state)
{
	struct env *e = *state;
	struct store_query q = {0};

	/* French and Spanish share the stem "econom" */
	assert_int_equal(found(e, "économique", NULL, "fr"), bit("fr es"));
	assert_int_equal(found(e, "negociations", NULL, "fr"), bit("fr"));
	/* "medidas" stemmed as English is not the Spanish stem "medid" */
	assert_int_equal(found(e, "medida", NULL, "en"), 0);
	assert_int_equal(found(e, "medida", NULL, "es"), bit("es"));
	assert_int_equal(found(e, "medida", NULL, NULL), bit("es"));
	q.query = "x";
	q.lang = "xx";
	assert_int_equal(store_search(e->s, &q, on_hit, NULL), -EINVAL);
	assert_non_null(strstr(store_errmsg(e->s), "unknown language"));
}

static void
test_speaker_filter_folds_case_and_diacritics(void **state)
{
	struct env *e = *state;

	assert_int_equal(found(e, NULL, "захарова", NULL), bit("ru"));
	assert_int_equal(found(e, NULL, "ЗАХАРОВА", NULL), bit("ru"));
	assert_int_equal(found(e, NULL, "weiss", NULL), bit("de"));
	assert_int_equal(found(e, NULL, "dupre", NULL), bit("fr"));
	assert_int_equal(found(e, NULL, "ΔΈΝΔΙΑΣ", NULL), bit("el"));
	assert_int_equal(found(e, "санкции", "захарова", NULL), bit("ru"));
	assert_int_equal(found(e, NULL, "Sachs", NULL), 0);
	/* speaker: inside the query folds the same way */
	assert_int_equal(found(e, "speaker:захарова", NULL, NULL), bit("ru"));
}

static void
test_snippets_still_name_the_speaker(void **state)
{
	struct env *e = *state;
	struct store_query q = {0};
	struct found f = {0};
	void *arg[2] = {e, &f};

	q.query = "санкций";
	assert_int_equal(store_search(e->s, &q, on_hit, arg), 0);
	assert_string_equal(f.speaker, "Мария Захарова");
	assert_non_null(strstr(f.snippet, "[санкции]"));
	memset(&f, 0, sizeof(f));
	q.query = "制裁";
	assert_int_equal(store_search(e->s, &q, on_hit, arg), 0);
	assert_non_null(strstr(f.snippet, "[制裁]"));
}

static void
test_standing_queries_use_the_same_words(void **state)
{
	struct env *e = *state;
	size_t ru = 4, zh = 5;

	assert_string_equal(docs[ru].lang, "ru");
	assert_int_equal(store_briefing_matches(e->s, e->id[ru], "санкций"), 1);
	assert_int_equal(store_briefing_matches(e->s, e->id[zh], "制裁"), 1);
	assert_int_equal(store_briefing_matches(e->s, e->id[zh], "日本"), 0);
}

/* ---- the declared language (briefing.lang) ------------------------------ */

/* Store a briefing declaring lang (NULL: none) with text as its one turn
 * (turn != 0) or as its summary; its id. */
static int64_t
put_lang(struct env *e, const char *url, const char *lang, const char *text,
	 int turn)
{
	struct briefing *b = briefing_new();
	int64_t seq, id;

	assert_non_null(b);
	b->url = strdup(url);
	b->title = strdup("Note");
	b->lang = lang ? strdup(lang) : NULL;
	b->kind = BRIEFING_TRANSCRIPT;
	if (turn)
		assert_int_equal(briefing_add_turn(b, TURN_STATEMENT, NULL,
						   NULL, NULL, NULL, text), 0);
	else
		b->summary = strdup(text);
	assert_int_equal(store_put_briefing(e->s, "f", url, b, &seq),
			 STORE_NEW);
	id = b->id;
	briefing_free(b);
	return id;
}

static char last_snippet[256]; /* of the briefing finds() looked for */

static int
on_id(void *arg, const struct store_hit *h)
{
	int64_t *want = arg;

	if (h->id == want[0]) {
		want[1] = 1;
		snprintf(last_snippet, sizeof(last_snippet), "%s",
			 h->snippet ? h->snippet : "");
	}
	return 0;
}

/* 1 when query finds briefing id */
static int
finds(struct env *e, const char *query, int64_t id)
{
	struct store_query q = {0};
	int64_t arg[2] = {id, 0};

	q.query = query;
	q.limit = 100;
	assert_int_equal(store_search(e->s, &q, on_id, arg), 0);
	return (int)arg[1];
}

/* A text too short to tell its language is stemmed in the language its
 * page declares: the same words without a declaration are taken for
 * English, whose stems do not join the inflected forms. */
static void
test_declared_language_stems_a_short_text(void **state)
{
	struct env *e = *state;
	int64_t fr = put_lang(e, "https://x.int/fr", "fr",
			      "Dérogations négociées.", 1);
	int64_t fr0 = put_lang(e, "https://x.int/fr0", NULL,
			       "Dérogations négociées.", 1);
	int64_t es = put_lang(e, "https://x.int/es", "es",
			      "Anunciaron medidas.", 0);
	int64_t es0 = put_lang(e, "https://x.int/es0", NULL,
			       "Anunciaron medidas.", 0);

	assert_true(finds(e, "négocier", fr));
	/* the snippet marks the word the stem matched */
	assert_string_equal(last_snippet, "Dérogations [négociées].");
	assert_false(finds(e, "négocier", fr0));
	assert_true(finds(e, "anunciar", es));
	assert_false(finds(e, "anunciar", es0));
	/* the forms as written find both */
	assert_true(finds(e, "négociées", fr) && finds(e, "négociées", fr0));
	assert_true(finds(e, "anunciaron", es) && finds(e, "anunciaron", es0));
	assert_int_equal(store_check(e->s), 0);
}

/* A declaration the text clearly contradicts is not followed: a page
 * marked English whose text is French is stemmed as French. */
static void
test_a_wrong_declaration_yields_to_the_text(void **state)
{
	struct env *e = *state;
	static const char fr[] = "Les accords sont négociées par les "
		"ministres et le gouvernement pour que la paix soit dans la "
		"région, avec les partenaires qui sont dans le conseil.";
	int64_t id = put_lang(e, "https://x.int/fr-en", "en", fr, 1);

	assert_string_equal(tok_index_lang("en", fr, strlen(fr)), "fr");
	assert_true(finds(e, "négocier", id));
	/* a short text follows its declaration; none: detection */
	assert_string_equal(tok_index_lang("fr", "Dérogations négociées.",
					   22), "fr");
	assert_string_equal(tok_index_lang(NULL, "Dérogations négociées.",
					   22), "en");
	/* another script: the text's */
	assert_string_equal(tok_index_lang("en", docs[4].text,
					   strlen(docs[4].text)), "ru");
	assert_null(tok_index_lang("fr", docs[5].text, strlen(docs[5].text)));
	/* a language we do not stem, or no letters: as undeclared */
	assert_string_equal(tok_index_lang("pl", "Sanctions", 9), "en");
	assert_string_equal(tok_index_lang("de", "2024", 4), "de");
}

/* A turn keeps the language it was indexed with: when the page's
 * declaration changes, the turns that are not rewritten are still
 * deleted from the index with the values they were indexed with (the
 * full-text check compares the index with its content). */
static void
test_changed_declaration_keeps_the_index_consistent(void **state)
{
	struct env *e = *state;
	struct briefing *b = briefing_new();
	int64_t seq;

	assert_non_null(b);
	b->url = strdup("https://x.int/chg");
	b->title = strdup("Conférence");
	b->lang = strdup("fr");
	assert_int_equal(briefing_add_turn(b, TURN_STATEMENT, NULL, NULL,
					   NULL, NULL, "Dérogations négociées."),
			 0);
	assert_int_equal(briefing_add_turn(b, TURN_STATEMENT, NULL, NULL,
					   NULL, NULL, "Accords signés."), 0);
	assert_int_equal(store_put_briefing(e->s, "f", "item", b, &seq),
			 STORE_NEW);
	free(b->lang);
	b->lang = strdup("es");
	free(b->turns[1].text);
	b->turns[1].text = strdup("Anunciaron medidas.");
	assert_int_equal(store_put_briefing(e->s, "f", "item", b, &seq),
			 STORE_UPDATED);
	assert_true(finds(e, "négocier", b->id)); /* turn 0: still French */
	assert_true(finds(e, "anunciar", b->id)); /* turn 1: Spanish now */
	assert_int_equal(store_check(e->s), 0);
	/* the whole briefing goes: every row deleted as indexed */
	{
		sqlite3 *db;
		char sql[96];

		assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
		assert_int_equal(tok_register(db, NULL), 0);
		snprintf(sql, sizeof(sql), "PRAGMA foreign_keys = ON;"
			 "DELETE FROM briefings WHERE id = %lld",
			 (long long)b->id);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_changes(db), 1);
		sqlite3_close(db);
	}
	assert_false(finds(e, "négocier", b->id));
	assert_int_equal(store_check(e->s), 0);
	briefing_free(b);
}

/* A record stored without a lang (before schema 8) is not a new
 * revision when the same page now declares one; a real change is, and
 * then carries it. */
static void
test_a_declared_lang_alone_is_no_new_revision(void **state)
{
	struct env *e = *state;
	struct briefing *b = briefing_new();
	int64_t seq;

	assert_non_null(b);
	b->url = strdup("https://x.int/old");
	b->title = strdup("Point de presse");
	assert_int_equal(store_put_briefing(e->s, "f", "item", b, &seq),
			 STORE_NEW);
	b->lang = strdup("fr");
	assert_int_equal(store_put_briefing(e->s, "f", "item", b, &seq),
			 STORE_UNCHANGED);
	b->summary = strdup("Dérogations négociées.");
	assert_int_equal(store_put_briefing(e->s, "f", "item", b, &seq),
			 STORE_UPDATED);
	assert_true(finds(e, "négocier", b->id));
	briefing_free(b);
}

static void
test_language_is_detected_from_the_text(void **state)
{
	static const char fr[] = "Le ministre a dit que la France est prête.";
	static const char de[] = "Der Minister sagte, dass die Regierung "
				 "nicht zustimmt.";
	static const char en[] = "Sanctions";

	(void)state;
	assert_string_equal(tok_detect_lang(fr, strlen(fr)), "fr");
	assert_string_equal(tok_detect_lang(de, strlen(de)), "de");
	assert_string_equal(tok_detect_lang(en, strlen(en)), "en");
	assert_string_equal(tok_detect_lang(docs[4].text,
					    strlen(docs[4].text)), "ru");
	assert_string_equal(tok_detect_lang(docs[7].text,
					    strlen(docs[7].text)), "ar");
	assert_null(tok_detect_lang(docs[5].text, strlen(docs[5].text)));
	assert_null(tok_detect_lang(docs[6].text, strlen(docs[6].text)));
}

static void
test_fold_is_full_case_folding_without_diacritics(void **state)
{
	char *f;

	(void)state;
	f = tok_fold("Straße ΣΟΦΌΣ Élise Ёлка Й");
	assert_non_null(f);
	assert_string_equal(f, "strasse σοφοσ elise елка й");
	free(f);
	assert_int_equal(tok_fold_contains("Мария Захарова", "захар"), 1);
	assert_int_equal(tok_fold_contains("Jürgen Weiß", "WEISS"), 1);
	assert_int_equal(tok_fold_contains("Jürgen Weiß", "Weiz"), 0);
	assert_int_equal(tok_fold_contains("anything", ""), 1);
	/* invalid UTF-8 folds, it is not lost */
	f = tok_fold("A\xff\xfe" "B");
	assert_non_null(f);
	assert_int_equal(f[0], 'a');
	free(f);
}

/* A version 3 database (porter indexes; v4 is the tokenizer's migration)
 * opened by this briefwatch is migrated: its indexes are rebuilt on "bw"
 * from their content. Tables of later migrations are dropped too. */
static void
test_porter_indexes_are_rebuilt_by_the_migration(void **state)
{
	struct env *e = *state;
	char *err = NULL;
	sqlite3 *db;

	store_close(e->s);
	e->s = NULL;
	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	assert_int_equal(tok_register(db, NULL), 0);
	assert_int_equal(sqlite3_exec(db,
		SCHEMA_UNDO_V8
		"DROP TABLE turns_fts; DROP TABLE heads_fts; DROP TABLE fts_langs;"
		"DROP TABLE meta;"
		"DROP TABLE feed_sched;"
		"DROP TABLE outputs; DROP TABLE output_items;"
		"CREATE VIRTUAL TABLE turns_fts USING fts5(speaker, title, text,"
		" content='turns_src', content_rowid='id',"
		" tokenize='porter unicode61 remove_diacritics 2');"
		"CREATE VIRTUAL TABLE heads_fts USING fts5(speaker, title, text,"
		" content='heads_src', content_rowid='id',"
		" tokenize='porter unicode61 remove_diacritics 2');"
		"INSERT INTO turns_fts(turns_fts) VALUES('rebuild');"
		"INSERT INTO heads_fts(heads_fts) VALUES('rebuild');"
		"PRAGMA user_version = 3;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(e->path, 0, &e->s, &err), 0);
	hits(e, "制裁", "zh");
	hits(e, "strasse", "de");
	assert_int_equal(store_check(e->s), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inflected_forms_find_each_language, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_diacritics_and_sharp_s_are_folded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_words_inside_cjk_runs_are_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unrelated_words_find_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explicit_language_stems_only_in_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_speaker_filter_folds_case_and_diacritics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snippets_still_name_the_speaker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_standing_queries_use_the_same_words, setup, teardown),
		cmocka_unit_test(test_language_is_detected_from_the_text),
		cmocka_unit_test_setup_teardown(test_declared_language_stems_a_short_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_wrong_declaration_yields_to_the_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_declaration_keeps_the_index_consistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_declared_lang_alone_is_no_new_revision, setup, teardown),
		cmocka_unit_test(test_fold_is_full_case_folding_without_diacritics),
		cmocka_unit_test_setup_teardown(test_porter_indexes_are_rebuilt_by_the_migration, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
