/* evfilter: the subscription filters shared by the socket (notify.c) and
 * the outputs. Speakers fold as the search index folds (case, diacritics,
 * ß), and a standing query's result handed in by the caller is used
 * instead of asking the store. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "evfilter.h"
#include "store.h"

static const char *const line =
	"{\"seq\":7,\"type\":\"briefing.new\",\"briefing\":{\"id\":3,"
	"\"kind\":\"transcript\",\"speakers\":[{\"name\":\"Ana Muñoz\"},"
	"{\"name\":\"Jörg Straße\"}]}}";

static int
match_line(const struct evfilter *f, const int *qrc, const char *l)
{
	struct store_event ev = {7, "briefing.new", 3, "nato", l};
	json_t *parsed = NULL;
	int r = evfilter_match(f, NULL, &ev, strlen(l), &parsed, qrc,
			       "test:query");

	json_decref(parsed);
	return r;
}

static int
match(const struct evfilter *f, const int *qrc)
{
	return match_line(f, qrc, line);
}

static void
test_speakers_fold_case_diacritics_and_sharp_s(void **state)
{
	char *munoz[] = {"munoz"}, *strasse[] = {"STRASSE"},
	     *ana[] = {"ANA MUÑOZ"}, *nobody[] = {"brandt"},
	     *either[] = {"brandt", "jorg"};
	struct evfilter f = {0};

	(void)state;
	f.nspeakers = 1;
	f.speakers = munoz;
	assert_int_equal(match(&f, NULL), 1);
	f.speakers = strasse;
	assert_int_equal(match(&f, NULL), 1);
	f.speakers = ana;
	assert_int_equal(match(&f, NULL), 1);
	f.speakers = nobody;
	assert_int_equal(match(&f, NULL), 0);
	f.speakers = either;
	f.nspeakers = 2;
	assert_int_equal(match(&f, NULL), 1);
}

static void
test_fields_combine_with_and(void **state)
{
	char *feeds[] = {"nato"}, *other[] = {"un"}, *kinds[] = {"speech"},
	     *types[] = {"briefing.updated"}, *sp[] = {"munoz"};
	struct evfilter f = {0};

	(void)state;
	assert_true(evfilter_empty(&f));
	assert_int_equal(match(&f, NULL), 1);
	f.feeds = feeds;
	f.nfeeds = 1;
	f.speakers = sp;
	f.nspeakers = 1;
	assert_false(evfilter_empty(&f));
	assert_int_equal(match(&f, NULL), 1);
	f.feeds = other;
	assert_int_equal(match(&f, NULL), 0);
	f.feeds = feeds;
	f.kinds = kinds;
	f.nkinds = 1;
	assert_int_equal(match(&f, NULL), 0);
	f.nkinds = 0;
	f.types = types;
	f.ntypes = 1;
	assert_int_equal(match(&f, NULL), 0);
}

/* "lang": the briefing's declared language is one of the codes or a
 * variant of one ("en" takes "en-GB"); a briefing that declares none
 * passes no lang filter. */
static void
test_lang_matches_the_code_and_its_variants(void **state)
{
	static const char *const en =
		"{\"seq\":8,\"briefing\":{\"kind\":\"speech\","
		"\"lang\":\"en\"}}";
	static const char *const en_gb =
		"{\"seq\":9,\"briefing\":{\"kind\":\"speech\","
		"\"lang\":\"EN_gb\"}}";
	static const char *const eng =
		"{\"seq\":9,\"briefing\":{\"kind\":\"speech\","
		"\"lang\":\"eng\"}}";
	char *l_en[] = {"en"}, *l_fr[] = {"fr"}, *l_both[] = {"fr", "en"},
	     *kinds[] = {"speech"}, *other[] = {"release"};
	struct evfilter f = {0};

	(void)state;
	f.langs = l_en;
	f.nlangs = 1;
	assert_false(evfilter_empty(&f));
	assert_int_equal(match_line(&f, NULL, en), 1);
	assert_int_equal(match_line(&f, NULL, en_gb), 1);
	assert_int_equal(match_line(&f, NULL, eng), 0);
	assert_int_equal(match(&f, NULL), 0); /* declares no language */
	f.langs = l_fr;
	assert_int_equal(match_line(&f, NULL, en), 0);
	f.langs = l_both;
	f.nlangs = 2;
	assert_int_equal(match_line(&f, NULL, en_gb), 1);
	/* AND with the other fields */
	f.kinds = kinds;
	f.nkinds = 1;
	assert_int_equal(match_line(&f, NULL, en), 1);
	f.kinds = other;
	assert_int_equal(match_line(&f, NULL, en), 0);
}

/* notify.c evaluates a page's standing queries at once: the result it
 * hands in decides, and the store (NULL here) is not asked. */
static void
test_a_precomputed_query_result_decides(void **state)
{
	struct evfilter f = {0};
	int yes = 1, no = 0, failed = -EIO;

	(void)state;
	f.query = "sanctions";
	assert_int_equal(match(&f, &yes), 1);
	assert_int_equal(match(&f, &no), 0);
	/* A failed evaluation is neither a match nor a miss: the caller
	 * must not skip the event as if it did not match. */
	assert_int_equal(match(&f, &failed), -EIO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_speakers_fold_case_diacritics_and_sharp_s),
		cmocka_unit_test(test_fields_combine_with_and),
		cmocka_unit_test(test_a_precomputed_query_result_decides),
		cmocka_unit_test(test_lang_matches_the_code_and_its_variants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
