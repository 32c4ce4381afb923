/* Unit tests for config.c: INI parsing, defaults, validation messages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "config.h"

static struct config *
parse_ok(const char *text)
{
	struct config *c = NULL;
	char *err = NULL;
	int r = config_parse(text, strlen(text), &c, &err);

	if (r != 0)
		print_error("unexpected error: %s\n", err ? err : "?");
	assert_int_equal(r, 0);
	assert_null(err);
	return c;
}

static char *
parse_err(const char *text)
{
	struct config *c = NULL;
	char *err = NULL;

	assert_int_equal(config_parse(text, strlen(text), &c, &err), -EINVAL);
	assert_null(c);
	assert_non_null(err);
	return err;
}

static void
test_empty_config_gives_documented_defaults(void **state)
{
	struct config *c = parse_ok("");

	(void)state;
	assert_string_equal(c->database, "/var/lib/briefwatch/briefwatch.db");
	assert_string_equal(c->socket, "/run/briefwatch/briefwatch.sock");
	assert_int_equal(c->interval_ms, 15 * 60 * 1000);
	assert_int_equal(c->max_connections, 32);
	assert_int_equal(c->max_per_host, 2);
	assert_int_equal(c->allow_private, 0);
	assert_int_equal(c->fetch_pages, 1);
	assert_int_equal(c->socket_mode, 0660);
	assert_int_equal(c->nfeeds, 0);
	config_free(c);
}

static void
test_design_example_parses_with_inline_comments(void **state)
{
	struct config *c = parse_ok(
		"[daemon]\n"
		"database = /tmp/x.db\n"
		"socket   = /tmp/x.sock\n"
		"interval = 15m\n"
		"max_connections = 32\n"
		"max_per_host = 2\n"
		"user_agent = briefwatch/VERSION\n"
		"allow_private = no      ; yes lets feeds resolve to loopback\n"
		"fetch_pages = yes       ; no: store feed items only\n"
		"admin_group = briefwatch-admin\n"
		"\n"
		"[feed nato]\n"
		"url = https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml\n"
		"interval = 10m\n"
		"profile = nato          ; publisher rules\n");
	const struct config_feed *f;

	(void)state;
	assert_string_equal(c->database, "/tmp/x.db");
	assert_string_equal(c->admin_group, "briefwatch-admin");
	assert_int_equal(c->fetch_pages, 1);
	assert_int_equal(c->nfeeds, 1);
	f = config_find_feed(c, "nato");
	assert_non_null(f);
	assert_string_equal(f->profile, "nato");
	assert_int_equal(f->interval_ms, 10 * 60 * 1000);
	assert_int_equal(f->fetch_pages, -1);
	assert_null(config_find_feed(c, "un"));
	config_free(c);
}

static void
test_unknown_key_is_reported_with_its_line(void **state)
{
	char *err = parse_err("[daemon]\ninterval = 5m\nintreval = 5m\n");

	(void)state;
	assert_non_null(strstr(err, "line 3"));
	assert_non_null(strstr(err, "intreval"));
	free(err);
}

static void
test_bad_values_are_rejected_with_the_value_named(void **state)
{
	static const char *const bad[] = {
		"[daemon]\ninterval = soon\n",
		"[daemon]\ninterval = 0s\n",
		/* out of int64_t's range once in milliseconds (found by
		 * fuzzing: undefined behaviour in the conversion) */
		"[daemon]\nmin_interval = 150077772777\n",
		"[daemon]\ninterval = 999999999999d\n",
		"[daemon]\nmax_per_host = 0\n",
		"[daemon]\nallow_private = maybe\n",
		"[daemon]\nsocket_mode = 999\n",
		"[daemon]\nmax_page_size = 12\n",
		"[daemon]\nlog_level = loud\n",
		"[feed x]\nurl = ftp://example.org/feed\n",
		"[feed bad name!]\nurl = https://example.org/\n",
		"[feed x]\ninterval = 10m\n",
		"[elsewhere]\nkey = 1\n",
		"stray = 1\n",
		"[daemon]\nmin_interval = 2h\nmax_interval = 1h\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		free(parse_err(bad[i]));
}

static void
test_feed_without_url_is_an_error(void **state)
{
	char *err = parse_err("[feed nato]\nprofile = nato\n");

	(void)state;
	assert_non_null(strstr(err, "nato"));
	assert_non_null(strstr(err, "no url"));
	free(err);
}

static void
test_durations_and_sizes_parse_with_units(void **state)
{
	int64_t ms;
	size_t sz;

	(void)state;
	assert_int_equal(config_parse_duration("90", &ms), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(config_parse_duration("1.5h", &ms), 0);
	assert_int_equal(ms, 5400000);
	assert_int_equal(config_parse_duration("500ms", &ms), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(config_parse_duration("2d", &ms), 0);
	assert_int_equal(ms, 172800000);
	assert_int_equal(config_parse_duration("-5m", &ms), -EINVAL);
	assert_int_equal(config_parse_duration("5 parsecs", &ms), -EINVAL);
	assert_int_equal(config_parse_size("16M", &sz), 0);
	assert_int_equal(sz, 16u << 20);
	assert_int_equal(config_parse_size("512k", &sz), 0);
	assert_int_equal(sz, 512u << 10);
	assert_int_equal(config_parse_size("-1", &sz), -EINVAL);
	assert_int_equal(config_parse_size("99999999999999999999G", &sz), -EINVAL);
}

/* Second red-team pass: strtod's other spellings are not durations, and
 * a URL's port must be one (curl refused both only at the first poll). */
static void
test_hex_durations_and_bad_ports_are_refused(void **state)
{
	const char *why = NULL;
	int64_t ms = 0;

	(void)state;
	assert_int_equal(config_parse_duration("0x1p4m", &ms), -EINVAL);
	assert_int_equal(config_parse_duration("0x10", &ms), -EINVAL);
	assert_int_equal(config_parse_duration("nan", &ms), -EINVAL);
	assert_int_equal(config_parse_duration("infinity", &ms), -EINVAL);
	assert_int_equal(config_parse_duration(".5h", &ms), 0);
	assert_int_equal(ms, 1800000);
	assert_int_equal(config_parse_duration("1e3s", &ms), 0);
	assert_int_equal(ms, 1000000);
	assert_int_equal(config_check_url("http://example.com:99999/f", &why),
			 -EINVAL);
	assert_non_null(strstr(why, "port"));
	assert_int_equal(config_check_url("http://example.com:0/", &why),
			 -EINVAL);
	assert_int_equal(config_check_url("http://example.com:80a/", &why),
			 -EINVAL);
	assert_int_equal(config_check_url("http://[::1]x/f", &why), -EINVAL);
	assert_int_equal(config_check_url("http://example.com:8080/f", &why),
			 0);
	assert_int_equal(config_check_url("https://u:p@example.com:65535?x",
					  &why), 0);
	assert_int_equal(config_check_url("http://[::1]:443/f", &why), 0);
	assert_int_equal(config_check_url("http://example.com:/f", &why), 0);
}

static void
test_embedded_nul_and_huge_input_do_not_crash(void **state)
{
	static const char text[] = "[daemon]\ninterval\0 = 5m\n";
	struct config *c = NULL;
	char *err = NULL;
	char *big = malloc(2u << 20);

	/* found by fuzz_config: a section name starting with NUL read
	 * before the buffer of seen sections */
	static const char nulsec[] = "[daemon]\nlog_level = debug\n[\0url]\n"
				     "[\0url]\nurl = x\n";

	(void)state;
	config_parse(text, sizeof(text) - 1, &c, &err);
	config_free(c);
	free(err);
	c = NULL;
	err = NULL;
	assert_int_equal(config_parse(nulsec, sizeof(nulsec) - 1, &c, &err),
			 -EINVAL);
	free(err);
	c = NULL;
	err = NULL;
	memset(big, 'a', 2u << 20);
	assert_int_equal(config_parse(big, 2u << 20, &c, &err), -EINVAL);
	free(err);
	free(big);
}

static void
test_fetch_knobs_parse_and_default(void **state)
{
	struct config *c = parse_ok("");

	(void)state;
	assert_int_equal(c->total_timeout_ms, 60000);
	assert_int_equal(c->low_speed_time_ms, 20000);
	assert_null(c->allow_addrs);
	config_free(c);
	c = parse_ok("[daemon]\nconnect_timeout = 3s\ntotal_timeout = 2m\n"
		     "low_speed_time = 5s\nallow_addrs = 10.1.2.3, fd00::5\n");
	assert_int_equal(c->connect_timeout_ms, 3000);
	assert_int_equal(c->total_timeout_ms, 120000);
	assert_int_equal(c->low_speed_time_ms, 5000);
	assert_string_equal(c->allow_addrs, "10.1.2.3, fd00::5");
	config_free(c);
	free(parse_err("[daemon]\ntotal_timeout = 2d\n"));
}

static void
test_retention_and_database_cap_parse(void **state)
{
	struct config *c = parse_ok("");

	(void)state;
	assert_int_equal(c->event_retention_ms, (int64_t)90 * 86400 * 1000);
	assert_int_equal(c->max_database_bytes, 0);
	assert_int_equal(c->max_feed_items, 5000);
	assert_int_equal(c->max_field_bytes, 1u << 20);
	config_free(c);
	c = parse_ok("[daemon]\nmax_feed_items = 20\nmax_field_size = 64k\n");
	assert_int_equal(c->max_feed_items, 20);
	assert_int_equal(c->max_field_bytes, 64u << 10);
	config_free(c);
	free(parse_err("[daemon]\nmax_feed_items = 0\n"));
	c = parse_ok("[daemon]\nevent_retention = forever\n"
		     "max_database_size = 2G\n");
	assert_int_equal(c->event_retention_ms, 0);
	assert_true(c->max_database_bytes == (uint64_t)2 << 30);
	config_free(c);
	free(parse_err("[daemon]\nevent_retention = 5m\n"));
	free(parse_err("[daemon]\nmax_database_size = 10k\n"));
}

static void
test_a_feed_url_longer_than_a_screen_is_accepted(void **state)
{
	struct buf text = BUF_INIT;
	struct config *c;
	size_t i;

	(void)state;
	buf_puts(&text, "[feed long]\nurl = https://www.example.org/rss.ashx?");
	for (i = 0; i < 400; i++)
		buf_puts(&text, "x=1&");
	buf_puts(&text, "end=1\n");
	c = parse_ok(text.data);
	assert_true(strlen(config_find_feed(c, "long")->url) > 1600);
	config_free(c);
	buf_free(&text);
}

/* issue #22 item 12: each of these was accepted (the second [feed a]
 * silently won); now each is an error naming its line. */
static void
test_bad_files_are_errors_with_their_line(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{"[feed a]\nurl = http://a.example/\n[feed b]\n"
		 "url = http://b.example/\n[feed a]\nfetch_pages = no\n",
		 "line 5: [feed a] appears again (first on line 1)"},
		{"[feed a]\nurl = http://a.example/\n[feed  a]\n",
		 "line 3: [feed a] appears again"},
		{"[daemon]\ninterval = 1h\n[feed a]\nurl = http://a.example/\n"
		 "[daemon]\nlog_level = debug\n",
		 "line 5: [daemon] appears again (first on line 1)"},
		{"[daemon]\ninterval = 1h\ninterval = 2h\n",
		 "line 3: \"interval\" is set twice in [daemon]"},
		{"[feed a]\nurl = http://a.example/\nurl = http://b.example/\n",
		 "line 3: \"url\" is set twice in [feed a]"},
		{"[feed a]\nurl = http://\n", "line 2: feed \"a\": url \"http://\" has no host"},
		{"[feed a]\nurl = https://:8080/x\n", "has no host"},
		{"[feed a]\nurl = http://a.example/two words\n", "has a space"},
		{"[feed a]\nurl = http://a.example/caf\xc3\xa9\n", "raw non-ASCII byte"},
		{"[feed a]\nurl = http://a.example/\nxpath_body = //div[\n",
		 "line 3: feed \"a\": xpath_body \"//div[\" is not a valid XPath"},
		{"[daemon]\nallow_addrs = 10.1.2.3, notanip\n",
		 "line 2: allow_addrs: \"notanip\" is not an IP address"},
		{"[daemon]\nsocket = /tmp/0123456789012345678901234567890123456789"
		 "0123456789012345678901234567890123456789012345678901234567890123"
		 "456789.sock\n", "line 2: socket: \"/tmp/"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err = parse_err(cases[i].text);

		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err,
				 cases[i].want);
		free(err);
	}
}

/* What only the host can judge: config_load. */
static void
test_load_checks_groups_socket_directory_and_profiles(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{"[daemon]\nsocket_group = nosuchgroup-bw\n",
		 "line 2: socket_group: no group \"nosuchgroup-bw\""},
		{"[daemon]\nsocket = /nonexistent-bw/dir/bw.sock\n",
		 "line 2: socket: the directory /nonexistent-bw/dir does not exist"},
		{"[feed a]\nurl = http://a.example/\n\nprofile = nosuch\n",
		 "line 4: feed \"a\": no profile \"nosuch\""},
	};
	char path[] = "/tmp/bw-config-XXXXXX";
	struct config *c = NULL;
	char *err = NULL;
	size_t i;
	int fd;

	(void)state;
	unsetenv("LISTEN_FDS");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, cases[i].text, strlen(cases[i].text)),
				 (ssize_t)strlen(cases[i].text));
		close(fd);
		assert_int_equal(config_load(path, &c, &err), -EINVAL);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err,
				 cases[i].want);
		free(err);
		err = NULL;
		unlink(path);
		strcpy(path, "/tmp/bw-config-XXXXXX");
	}
	/* Legal but dangerous: loads, with a warning naming the line. */
	c = parse_ok("[daemon]\n\nsocket_mode = 0777\n");
	assert_non_null(c->warnings);
	assert_non_null(strstr(c->warnings, "line 3: socket_mode 0777 makes the socket world-writable"));
	config_free(c);
	c = parse_ok("[daemon]\nsocket_mode = 0660\n");
	assert_null(c->warnings);
	config_free(c);
}

static void
test_shipped_config_is_valid_and_lists_real_feeds(void **state)
{
	struct config *c = NULL;
	char *err = NULL;
	size_t i;

	(void)state;
	assert_int_equal(config_load(BW_SRCDIR "/etc/briefwatch.conf", &c, &err), 0);
	assert_true(c->nfeeds >= 6);
	for (i = 0; i < c->nfeeds; i++) {
		assert_true(strncmp(c->feeds[i].url, "https://", 8) == 0);
		assert_non_null(c->feeds[i].profile);
	}
	assert_int_equal(c->allow_private, 0);
	config_free(c);
}

static void
test_missing_file_names_the_path(void **state)
{
	struct config *c = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_load("/nonexistent/bw.conf", &c, &err), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/bw.conf"));
	free(err);
}

static void
test_feeds_file_defaults_beside_the_database_and_can_be_off(void **state)
{
	struct config *c;

	(void)state;
	c = parse_ok("[daemon]\ndatabase = /srv/bw/archive.db\n");
	assert_string_equal(c->feeds_file, "/srv/bw/feeds.conf");
	config_free(c);
	c = parse_ok("[daemon]\ndatabase = bw.db\n");
	assert_string_equal(c->feeds_file, "feeds.conf");
	config_free(c);
	c = parse_ok("[daemon]\nfeeds_file = /etc/bw/extra.conf\n");
	assert_string_equal(c->feeds_file, "/etc/bw/extra.conf");
	config_free(c);
	c = parse_ok("[daemon]\nfeeds_file = none\n");
	assert_null(c->feeds_file);
	config_free(c);
}

static void
test_feeds_file_merges_runtime_feeds_and_the_config_file_wins(void **state)
{
	const char *rt = "[feed un]\nurl = https://press.un.org/en/rss.xml\n"
			 "[feed nato]\nurl = https://evil.example/\n";
	struct config *c;
	size_t shadowed = 9;
	char *err = NULL;

	(void)state;
	c = parse_ok("[feed nato]\nurl = https://www.nato.int/rss.xml\n");
	assert_int_equal(config_merge_feeds(c, rt, strlen(rt), &shadowed,
					    &err), 0);
	assert_int_equal(shadowed, 1);
	assert_int_equal(c->nfeeds, 2);
	assert_string_equal(config_find_feed(c, "nato")->url,
			    "https://www.nato.int/rss.xml");
	assert_int_equal(config_find_feed(c, "nato")->runtime, 0);
	assert_int_equal(config_find_feed(c, "un")->runtime, 1);
	assert_int_equal(config_remove_feed(c, "un"), 0);
	assert_int_equal(config_remove_feed(c, "un"), -ENOENT);
	assert_int_equal(c->nfeeds, 1);
	config_free(c);
}

static void
test_feeds_file_refuses_daemon_settings(void **state)
{
	const char *rt = "[feed un]\nurl = https://press.un.org/\n"
			 "[daemon]\ndatabase = /tmp/evil.db\n";
	struct config *c = parse_ok("");
	size_t shadowed;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_merge_feeds(c, rt, strlen(rt), &shadowed,
					    &err), -EINVAL);
	assert_non_null(strstr(err, "line 4"));
	assert_non_null(strstr(err, "only [feed NAME] sections"));
	assert_int_equal(c->nfeeds, 0);
	free(err);
	config_free(c);
}

static void
test_a_formatted_feed_reads_back_unchanged(void **state)
{
	struct config_feed f = {
		"state", "https://www.state.gov/rss?x=1&y=a#frag", "state",
		90000, 0, "//main", NULL, "//time/@datetime", 1, {0}, 0,
		CONFIG_SCHEDULE_FIXED};
	struct config_feed bad = f;
	struct buf b = BUF_INIT;
	struct config *c = parse_ok("");
	const struct config_feed *g;
	size_t shadowed;
	char *err = NULL;

	(void)state;
	assert_int_equal(config_feed_format(&f, &b), 0);
	/* issue #22 item 14: written as given, not as milliseconds */
	assert_non_null(strstr(buf_str(&b), "\ninterval = 90s\n"));
	assert_int_equal(config_merge_feeds(c, b.data, b.len, &shadowed,
					    &err), 0);
	g = config_find_feed(c, "state");
	assert_non_null(g);
	assert_string_equal(g->url, f.url);
	assert_string_equal(g->profile, "state");
	assert_int_equal(g->interval_ms, 90000);
	assert_int_equal(g->fetch_pages, 0);
	assert_string_equal(g->xpath_body, "//main");
	assert_null(g->xpath_title);
	assert_string_equal(g->xpath_date, "//time/@datetime");
	assert_int_equal(g->schedule, CONFIG_SCHEDULE_FIXED); /* issue #26 */
	/* Values that would not read back are refused. */
	bad.url = "https://a.example/\n[daemon]";
	assert_int_equal(config_feed_format(&bad, &b), -EINVAL);
	bad.url = "https://a.example/ ;comment";
	assert_int_equal(config_feed_format(&bad, &b), -EINVAL);
	bad.url = "https://a.example/";
	bad.name = "two words";
	assert_int_equal(config_feed_format(&bad, &b), -EINVAL);
	buf_free(&b);
	config_free(c);
}

/* The names in the first column of the key table under heading in
 * docs/configuration.md (code spans: "| `a`, `b` | ..."), as
 * "\nname\n" entries of out. */
static void
documented_keys(const char *doc, const char *heading, struct buf *out)
{
	const char *p = strstr(doc, heading), *end;

	assert_non_null(p);
	end = strstr(p + strlen(heading), "\n## ");
	if (!end)
		end = p + strlen(p);
	buf_puts(out, "\n");
	while ((p = strstr(p, "\n| `")) && p < end) {
		const char *cell_end = strchr(p + 2, '|');

		p += 3;
		while (p < cell_end && (p = memchr(p, '`', (size_t)(cell_end - p)))) {
			const char *q = memchr(p + 1, '`', (size_t)(cell_end - p - 1));

			assert_non_null(q);
			buf_append(out, p + 1, (size_t)(q - p - 1));
			buf_puts(out, "\n");
			p = q + 1;
		}
		p = cell_end;
	}
}

static void
check_key_table(const char *doc, const char *heading, const char *section,
		int which)
{
	const char *names[128];
	struct buf documented = BUF_INIT, want = BUF_INIT;
	size_t n = config_keys(which, names, 128), i;
	const char *p;
	int missing = 0;

	assert_true(n > 0 && n <= 128);
	documented_keys(doc, heading, &documented);
	for (i = 0; i < n; i++) {
		buf_reset(&want);
		buf_printf(&want, "\n%s\n", names[i]);
		if (!strstr(buf_str(&documented), buf_str(&want))) {
			print_error("key \"%s\" of %s is not documented in docs/configuration.md\n",
				    names[i], section);
			missing++;
		}
	}
	/* Every documented key is a key. */
	for (p = buf_str(&documented) + 1; *p; p = strchr(p, '\n') + 1) {
		size_t len = (size_t)(strchr(p, '\n') - p);

		for (i = 0; i < n; i++)
			if (strlen(names[i]) == len &&
			    memcmp(names[i], p, len) == 0)
				break;
		if (i == n) {
			print_error("docs/configuration.md documents \"%.*s\" under %s, which config.c does not know\n",
				    (int)len, p, section);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
	buf_free(&want);
	buf_free(&documented);
}

static void
test_the_key_tables_match_the_documentation(void **state)
{
	struct buf doc = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(BW_SRCDIR "/docs/configuration.md", "r");

	(void)state;
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&doc, chunk, n);
	fclose(f);
	assert_non_null(buf_str(&doc));
	check_key_table(buf_str(&doc), "\n## [daemon]\n", "[daemon]",
			CONFIG_KEYS_DAEMON);
	check_key_table(buf_str(&doc), "\n## [feed NAME]\n", "[feed NAME]",
			CONFIG_KEYS_FEED);
	check_key_table(buf_str(&doc), "\n## [relay]\n", "[relay]",
			CONFIG_KEYS_RELAY);
	buf_free(&doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_config_gives_documented_defaults),
		cmocka_unit_test(test_design_example_parses_with_inline_comments),
		cmocka_unit_test(test_unknown_key_is_reported_with_its_line),
		cmocka_unit_test(test_bad_values_are_rejected_with_the_value_named),
		cmocka_unit_test(test_feed_without_url_is_an_error),
		cmocka_unit_test(test_durations_and_sizes_parse_with_units),
		cmocka_unit_test(test_embedded_nul_and_huge_input_do_not_crash),
		cmocka_unit_test(test_bad_files_are_errors_with_their_line),
		cmocka_unit_test(
			test_load_checks_groups_socket_directory_and_profiles),
		cmocka_unit_test(test_a_feed_url_longer_than_a_screen_is_accepted),
		cmocka_unit_test(test_fetch_knobs_parse_and_default),
		cmocka_unit_test(test_retention_and_database_cap_parse),
		cmocka_unit_test(test_shipped_config_is_valid_and_lists_real_feeds),
		cmocka_unit_test(test_missing_file_names_the_path),
		cmocka_unit_test(
			test_feeds_file_defaults_beside_the_database_and_can_be_off),
		cmocka_unit_test(
			test_feeds_file_merges_runtime_feeds_and_the_config_file_wins),
		cmocka_unit_test(test_feeds_file_refuses_daemon_settings),
		cmocka_unit_test(test_a_formatted_feed_reads_back_unchanged),
		cmocka_unit_test(test_the_key_tables_match_the_documentation),
		cmocka_unit_test(test_hex_durations_and_bad_ports_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
