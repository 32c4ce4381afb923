/* [output NAME] sections through config_parse: accepted keys, defaults,
 * and a clear, specific error for each kind of bad input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "output.h"

static struct config *
parse_ok(const char *text)
{
	struct config *c = NULL;
	char *err = NULL;
	int r = config_parse(text, strlen(text), &c, &err);

	if (r != 0)
		fail_msg("config_parse: %s", err ? err : "?");
	free(err);
	return c;
}

static void
parse_err(const char *text, const char *want)
{
	struct config *c = NULL;
	char *err = NULL;
	int r = config_parse(text, strlen(text), &c, &err);

	assert_int_equal(r, -EINVAL);
	assert_null(c);
	assert_non_null(err);
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	free(err);
}

static void
test_webhook_section_with_filters_and_defaults(void **state)
{
	struct config *c;
	const struct output_conf *o;

	(void)state;
	c = parse_ok("[output cms]\ntype = webhook\n"
		     "url = https://cms.example.org/in\nformat = slack\n"
		     "feeds = nato, un\nspeakers = Stoltenberg\n"
		     "kinds = transcript,speech\nevents = briefing.new\n"
		     "query = sanctions OR embargo\nstart = beginning\n"
		     "secret_file = /etc/s\nbackoff = 500ms\n");
	assert_non_null(c->outputs);
	assert_int_equal(c->outputs->n, 1);
	o = &c->outputs->v[0];
	assert_string_equal(o->name, "cms");
	assert_int_equal(o->type, OUTPUT_WEBHOOK);
	assert_int_equal(o->format, OUTFMT_SLACK);
	assert_int_equal(o->nfeeds, 2);
	assert_string_equal(o->feeds[1], "un");
	assert_int_equal(o->nkinds, 2);
	assert_string_equal(o->kinds[1], "speech");
	assert_int_equal(o->ntypes, 1);
	assert_string_equal(o->query, "sanctions OR embargo");
	assert_int_equal(o->start_beginning, 1);
	assert_int_equal(o->backoff_ms, 500);
	assert_int_equal(o->max_backoff_ms, 5 * 60 * 1000);
	assert_int_equal(o->max_attempts, 8);
	assert_int_equal(o->timeout_ms, 10000);
	config_free(c);
}

static void
test_copy_is_deep(void **state)
{
	struct config *c;
	struct output_conf d;

	(void)state;
	c = parse_ok("[output m]\ntype = mail\nurl = smtp://127.0.0.1:25\n"
		     "from = a@b\nto = c@d, e@f\ndigest = 1h\n");
	assert_int_equal(output_conf_copy(&d, &c->outputs->v[0]), 0);
	config_free(c);
	assert_string_equal(d.name, "m");
	assert_int_equal(d.nto, 2);
	assert_string_equal(d.to[1], "e@f");
	assert_int_equal(d.digest_ms, 3600 * 1000);
	output_conf_clear(&d);
}

static void
test_bad_sections_say_what_is_wrong(void **state)
{
	(void)state;
	parse_err("[output x]\nurl = https://a/\n", "has no type");
	parse_err("[output x]\ntype = pigeon\n", "type \"pigeon\"");
	parse_err("[output x]\ntype = webhook\n", "needs url");
	parse_err("[output x]\ntype = webhook\nurl = ftp://a/\n",
		  "is not http(s)://");
	parse_err("[output x]\ntype = webhook\nurl = http://a/\ncolour = red\n",
		  "unknown key \"colour\" in [output x]");
	parse_err("[output x]\ntype = webhook\nurl = http://a/\nkinds = memo\n",
		  "kinds: unknown \"memo\"");
	parse_err("[output x]\ntype = webhook\nurl = http://a/\n"
		  "events = briefing.deleted\n", "unknown \"briefing.deleted\"");
	parse_err("[output x]\ntype = webhook\nurl = http://a/\nfeeds = a,,b\n",
		  "comma-separated list");
	parse_err("[output x]\ntype = webhook\nurl = http://a/\ntimeout = soon\n",
		  "timeout \"soon\" is not a duration");
	parse_err("[output x]\ntype = webhook\nurl = http://a/\n"
		  "backoff = 10s\nmax_backoff = 1s\n", "max_backoff is shorter");
	parse_err("[output x]\ntype = webhook\nurl = http://a/\n"
		  "format = xml\n", "format \"xml\"");
	parse_err("[output bad/name]\ntype = webhook\nurl = http://a/\n",
		  "output name \"bad/name\"");
	parse_err("[output f]\ntype = feed\n", "atom_file or json_file");
	parse_err("[output m]\ntype = mail\nurl = smtp://h\nfrom = a@b\n",
		  "mail needs");
	parse_err("[output m]\ntype = mail\nurl = smtp://h\nfrom = a@b\n"
		  "to = c@d\nstarttls = maybe\n", "starttls \"maybe\"");
	parse_err("[output f]\ntype = feed\natom_file = /x\nitems = 0\n",
		  "items \"0\"");
	/* each section once, as [feed NAME]; blanks do not make another */
	parse_err("[output x]\ntype = webhook\nurl = http://a/\n"
		  "[output  x]\nformat = slack\n",
		  "[output x] appears again (first on line 1)");
	parse_err("[output x]\ntype = webhook\nurl = http://a/\n"
		  "type = feed\n", "\"type\" is set twice in [output x]");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webhook_section_with_filters_and_defaults),
		cmocka_unit_test(test_copy_is_deep),
		cmocka_unit_test(test_bad_sections_say_what_is_wrong),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
