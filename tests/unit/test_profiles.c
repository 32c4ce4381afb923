/* test_profiles.c — publisher profiles: built-ins, URL matching, INI. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "profiles.h"

static void
test_builtin_set_has_every_publisher(void **state)
{
	const struct profile_set *s = profiles_builtin();
	const char *names[] = {"nato", "whitehouse", "state", "defense", "un",
			       "govuk"};
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++)
		assert_non_null(profile_set_find(s, names[i]));
	assert_null(profile_set_find(s, "nope"));
}

static void
test_url_host_matches_on_label_boundaries_only(void **state)
{
	const struct profile_set *s = profiles_builtin();

	(void)state;
	assert_string_equal(
		profile_set_match_url(s, "https://www.nato.int/cps/x.htm")->name,
		"nato");
	assert_string_equal(
		profile_set_match_url(s, "https://press.un.org:443/en/a")->name,
		"un");
	assert_null(profile_set_match_url(s, "https://notnato.int/x"));
	assert_null(profile_set_match_url(s, "https://evil.example/nato.int"));
	assert_null(profile_set_match_url(s, "not a url"));
}

static void
test_ini_adds_a_profile_and_overrides_a_builtin_key(void **state)
{
	struct profile_set *s = NULL;
	char *err = NULL;
	const char *ini = "[profile eeas]\nhosts = eeas.europa.eu\n"
			  "xpath_body = //main\n[profile nato]\n"
			  "xpath_date = //time/@datetime\n";

	(void)state;
	assert_int_equal(profile_set_new(&s), 0);
	assert_int_equal(profile_set_load_string(s, ini, "t.conf", &err), 0);
	assert_string_equal(profile_set_find(s, "eeas")->xpath_body, "//main");
	assert_string_equal(profile_set_find(s, "nato")->xpath_published,
			    "//time/@datetime");
	assert_string_equal(
		profile_set_match_url(s, "https://www.eeas.europa.eu/a")->name,
		"eeas");
	profile_set_free(s);
}

static void
test_unknown_key_is_an_error_naming_the_file(void **state)
{
	struct profile_set *s = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(profile_set_new(&s), 0);
	assert_int_equal(profile_set_load_string(s, "[profile x]\nxpath_bdy = a\n",
						 "bad.conf", &err),
			 -EINVAL);
	assert_non_null(err);
	assert_non_null(strstr(err, "bad.conf"));
	free(err);
	profile_set_free(s);
}

static void
test_shipped_profile_directory_loads(void **state)
{
	struct profile_set *s = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(profile_set_new(&s), 0);
	assert_int_equal(profile_set_load_dir(s, BW_SRCDIR "/etc/profiles", &err),
			 0);
	assert_true(profile_set_count(s) >= 6);
	assert_int_equal(profile_set_load_dir(s, "/nonexistent-dir", &err),
			 -ENOENT);
	profile_set_free(s);
}

static void
test_derive_overrides_only_the_given_xpaths(void **state)
{
	const struct profile *base = profile_set_find(profiles_builtin(), "un");
	struct profile *p = NULL;

	(void)state;
	assert_int_equal(profile_derive(base, NULL, "//h2", NULL, &p), 0);
	assert_string_equal(p->xpath_title, "//h2");
	assert_string_equal(p->xpath_body, base->xpath_body);
	assert_string_equal(p->name, "un");
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_set_has_every_publisher),
		cmocka_unit_test(test_url_host_matches_on_label_boundaries_only),
		cmocka_unit_test(test_ini_adds_a_profile_and_overrides_a_builtin_key),
		cmocka_unit_test(test_unknown_key_is_an_error_naming_the_file),
		cmocka_unit_test(test_shipped_profile_directory_loads),
		cmocka_unit_test(test_derive_overrides_only_the_given_xpaths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
