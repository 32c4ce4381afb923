/* test_relay.c — the NATS relay's pure parts and its store side: event
 * subjects, the [relay] section, the database's origin, one event's line,
 * and retention that spares what the stream has not acknowledged. The
 * relay against a real nats-server is tests/integration/test_relay*.py.
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
#include <time.h>

#include "briefing.h"
#include "config.h"
#include "relay.h"
#include "store.h"
#include "store_relay.h"

/* ---- subjects ------------------------------------------------------------ */

static void
test_subject_names_type_and_feed(void **state)
{
	char s[128];

	(void)state;
	assert_int_equal(relay_subject(s, sizeof(s), "bw", "briefing.new",
				       "nato"), 0);
	assert_string_equal(s, "bw.ev.new.nato");
	assert_int_equal(relay_subject(s, sizeof(s), "a.b", "briefing.updated",
				       "State-Dept_2"), 0);
	assert_string_equal(s, "a.b.ev.updated.State-Dept_2");
}

static void
test_subject_escapes_what_a_subject_cannot_hold(void **state)
{
	char s[128];

	(void)state;
	assert_int_equal(relay_subject(s, sizeof(s), "bw", "briefing.new",
				       "un.org *>x%"), 0);
	assert_string_equal(s, "bw.ev.new.un%2Eorg%20%2A%3Ex%25");
	assert_int_equal(relay_subject(s, sizeof(s), "bw", "briefing.new",
				       NULL), 0);
	assert_string_equal(s, "bw.ev.new._");
	assert_int_equal(relay_subject(s, sizeof(s), "bw", "briefing.new", ""),
			 0);
	assert_string_equal(s, "bw.ev.new._");
}

static void
test_subject_too_long_is_enospc(void **state)
{
	char s[16];

	(void)state;
	assert_int_equal(relay_subject(s, sizeof(s), "bw", "briefing.new",
				       "abcdefgh"), -ENOSPC);
	assert_int_equal(relay_subject(s, sizeof(s), "bw", "briefing.new",
				       "abcd...."), -ENOSPC);
	assert_int_equal(relay_subject(s, sizeof(s), "bw", "briefing.new",
				       "abc"), 0);
	assert_string_equal(s, "bw.ev.new.abc");
}

/* ---- [relay] -------------------------------------------------------------- */

static struct config *
parse(const char *text, char **err)
{
	struct config *c = NULL;

	*err = NULL;
	if (config_parse(text, strlen(text), &c, err) < 0)
		return NULL;
	return c;
}

static void
test_relay_section_defaults_and_values(void **state)
{
	char *err;
	struct config *c;

	(void)state;
	c = parse("[daemon]\ndatabase = /tmp/x.db\n", &err);
	assert_non_null(c);
	assert_null(c->relay);
	config_free(c);
	c = parse("[relay]\nservers = nats://a:4222, nats://b:4222 nats://c:4222\n",
		  &err);
	assert_non_null(c);
	assert_non_null(c->relay);
	assert_int_equal(c->relay->nservers, 3);
	assert_string_equal(c->relay->servers[1], "nats://b:4222");
	assert_string_equal(c->relay->stream, "BRIEFWATCH");
	assert_string_equal(c->relay->prefix, "briefwatch");
	assert_int_equal(c->relay->create_stream, 1);
	assert_int_equal(c->relay->replicas, 1);
	assert_int_equal(c->relay->window, 256);
	assert_int_equal(c->relay->ack_wait_ms, 5000);
	config_free(c);
	c = parse("[relay]\nservers = nats://a:1\nstream = NEWS\n"
		  "subject_prefix = org.news\ncreate_stream = no\nreplicas = 3\n"
		  "window = 64\nack_wait = 500ms\nuser = u\npassword = p\n",
		  &err);
	assert_non_null(c);
	assert_string_equal(c->relay->stream, "NEWS");
	assert_string_equal(c->relay->prefix, "org.news");
	assert_int_equal(c->relay->create_stream, 0);
	assert_int_equal(c->relay->replicas, 3);
	assert_int_equal(c->relay->window, 64);
	assert_int_equal(c->relay->ack_wait_ms, 500);
	assert_string_equal(c->relay->user, "u");
	config_free(c);
}

static void
test_relay_section_rejects_bad_values_by_line(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"[relay]\nstream = a.b\n", "line 2: stream"},
		{"[relay]\nstream = a b\n", "line 2: stream"},
		{"[relay]\nsubject_prefix = a..b\n", "line 2: subject_prefix"},
		{"[relay]\nsubject_prefix = a.*\n", "line 2: subject_prefix"},
		{"[relay]\nsubject_prefix = a.\n", "line 2: subject_prefix"},
		{"[relay]\nreplicas = 0\n", "line 2: replicas"},
		{"[relay]\nreplicas = 6\n", "line 2: replicas"},
		{"[relay]\nwindow = lots\n", "line 2: window"},
		{"[relay]\nack_wait = 10ms\n", "line 2: ack_wait"},
		{"[relay]\ncreate_stream = maybe\n", "line 2: create_stream"},
		{"[relay]\nserver = nats://a:1\n", "unknown key \"server\" in [relay]"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *err = NULL;
		struct config *c = parse(bad[i].text, &err);

		assert_null(c);
		assert_non_null(err);
		if (!strstr(err, bad[i].want))
			fail_msg("%s: got \"%s\", wanted \"%s\"", bad[i].text,
				 err, bad[i].want);
		free(err);
	}
}

static void
test_relay_conf_equal_compares_every_key(void **state)
{
	struct config *a, *b;
	char *err;

	(void)state;
	assert_true(relay_conf_equal(NULL, NULL));
	a = parse("[relay]\nservers = nats://x:1 nats://y:2\n", &err);
	assert_non_null(a);
	assert_false(relay_conf_equal(a->relay, NULL));
	b = parse("[relay]\nservers = nats://x:1, nats://y:2\n", &err);
	assert_non_null(b);
	assert_true(relay_conf_equal(a->relay, b->relay));
	config_free(b);
	b = parse("[relay]\nservers = nats://x:1, nats://y:2\nwindow = 9\n",
		  &err);
	assert_non_null(b);
	assert_false(relay_conf_equal(a->relay, b->relay));
	config_free(a);
	a = parse("[relay]\nservers = nats://x:1 nats://y:2\nwindow = 9\n"
		  "user = u\npassword = p\n", &err);
	assert_non_null(a);
	assert_false(relay_conf_equal(a->relay, b->relay));
	config_free(a);
	config_free(b);
}

/* A [relay] section that cannot work is refused when the configuration
 * is read (briefwatchd fails to start, a reload keeps the old one). */
static void
test_relay_conf_check_needs_servers_and_pairs(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"[relay]\nstream = S\n", "[relay] needs servers"},
		{"[relay]\nservers = nats://127.0.0.1:1\nuser = u\n",
		 "password"},
		{"[relay]\nservers = nats://127.0.0.1:1\ntls_key = /k\n",
		 "tls_cert"},
		{"[relay]\nservers = ,\n", "line 2: servers"},
	};
	struct config *c;
	char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = parse(bad[i].text, &err);
		assert_null(c);
		assert_non_null(err);
		if (!strstr(err, bad[i].want))
			fail_msg("%s: got \"%s\", wanted \"%s\"", bad[i].text,
				 err, bad[i].want);
		free(err);
	}
	c = parse("[relay]\nservers = nats://127.0.0.1:1\nuser = u\n"
		  "password = p\ntls_cert = /c\ntls_key = /k\n", &err);
	assert_non_null(c);
	assert_int_equal(relay_conf_check(c->relay, (char[64]){0}, 64), 0);
	config_free(c);
	/* one [relay], each key once */
	c = parse("[relay]\nservers = nats://a:1\n[relay]\nwindow = 2\n",
		  &err);
	assert_null(c);
	assert_non_null(strstr(err, "[relay] appears again"));
	free(err);
	c = parse("[relay]\nservers = nats://a:1\nservers = nats://b:1\n",
		  &err);
	assert_null(c);
	assert_non_null(strstr(err, "\"servers\" is set twice in [relay]"));
	free(err);
}

/* ---- the store's side --------------------------------------------------- */

struct env {
	char dir[64];
	char path[96];
	struct store *s;
};

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char *err = NULL;

	assert_non_null(e);
	strcpy(e->dir, "/tmp/bw-relay-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/bw.db", e->dir);
	assert_int_equal(store_open(e->path, 0, &e->s, &err), 0);
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

static int64_t
put(struct store *s, int i)
{
	struct briefing *b = briefing_new();
	char url[64], title[32];
	int64_t seq = 0;

	assert_non_null(b);
	snprintf(url, sizeof(url), "https://example.org/b/%d", i);
	snprintf(title, sizeof(title), "Briefing %d", i);
	b->url = strdup(url);
	b->title = strdup(title);
	b->published = strdup("2026-11-02");
	b->kind = BRIEFING_RELEASE;
	assert_int_equal(store_put_briefing(s, "f", NULL, b, &seq), STORE_NEW);
	briefing_free(b);
	return seq;
}

static void
test_origin_is_a_uuid_kept_across_opens(void **state)
{
	struct env *e = *state;
	char a[40], b[40], *err = NULL;
	struct store *ro = NULL;
	size_t i;

	assert_int_equal(store_origin(e->s, a, sizeof(a)), 0);
	assert_int_equal(strlen(a), 36);
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", a[i]));
	}
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
	store_close(e->s);
	assert_int_equal(store_open(e->path, STORE_READONLY, &ro, &err), 0);
	assert_int_equal(store_origin(ro, b, sizeof(b)), 0);
	assert_string_equal(a, b);
	assert_int_equal(store_origin(ro, b, 10), -EINVAL);
	e->s = ro;
}

static void
test_origins_of_two_databases_differ(void **state)
{
	struct env *e = *state;
	char a[40], b[40], path[128], *err = NULL;
	struct store *other = NULL;

	snprintf(path, sizeof(path), "%s/other.db", e->dir);
	assert_int_equal(store_open(path, 0, &other, &err), 0);
	assert_int_equal(store_origin(e->s, a, sizeof(a)), 0);
	assert_int_equal(store_origin(other, b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	store_close(other);
}

static void
test_event_json_is_the_line_or_enoent(void **state)
{
	struct env *e = *state;
	int64_t seq = put(e->s, 1);
	char *json = NULL;

	assert_int_equal(store_event_json(e->s, seq, &json), 0);
	assert_non_null(strstr(json, "\"type\":\"briefing.new\""));
	assert_non_null(strstr(json, "Briefing 1"));
	free(json);
	assert_int_equal(store_event_json(e->s, seq + 1, &json), -ENOENT);
	assert_null(json);
}

static void
test_expire_upto_spares_events_after_max_seq(void **state)
{
	struct env *e = *state;
	int64_t seqs[10], deleted = -1, head = 0;
	char *json = NULL;
	int i;

	for (i = 0; i < 10; i++)
		seqs[i] = put(e->s, i);
	/* everything is old (before = far future): only seq <= 6 goes */
	assert_int_equal(store_events_expire_upto(e->s, INT64_MAX / 2, seqs[5],
						  &deleted), 0);
	assert_int_equal(deleted, 6);
	assert_int_equal(store_event_json(e->s, seqs[5], &json), -ENOENT);
	assert_int_equal(store_event_json(e->s, seqs[6], &json), 0);
	free(json);
	/* nothing acknowledged: nothing goes */
	assert_int_equal(store_events_expire_upto(e->s, INT64_MAX / 2, 0,
						  &deleted), 0);
	assert_int_equal(deleted, 0);
	/* events newer than `before` stay whatever was acknowledged */
	assert_int_equal(store_events_expire_upto(e->s, 0, INT64_MAX,
						  &deleted), 0);
	assert_int_equal(deleted, 0);
	assert_int_equal(store_head(e->s, &head), 0);
	assert_int_equal(head, seqs[9]);
}

/* The relay's page reader: every event after `since`, in order, each
 * line byte for byte as store_event_json has it, across pages and a
 * buffer that has to grow (a 70 KB line), a NULL feed kept NULL, and
 * events gone from the log skipped, not invented. */
static void
test_relay_page_reads_lines_byte_for_byte(void **state)
{
	struct env *e = *state;
	struct store_relay_page pg = {0};
	struct briefing *b;
	sqlite3 *db = NULL;
	char *big, *json = NULL;
	int64_t seqs[300], since, deleted = 0, want;
	size_t i, total = 0;
	int k;

	for (k = 0; k < 300; k++)
		seqs[k] = put(e->s, k);
	/* one line larger than the buffer's first size */
	big = malloc(70001);
	assert_non_null(big);
	memset(big, 'x', 70000);
	big[70000] = '\0';
	b = briefing_new();
	assert_non_null(b);
	b->url = strdup("https://example.org/big");
	b->title = big;
	b->published = strdup("2026-11-02");
	b->kind = BRIEFING_RELEASE;
	assert_int_equal(store_put_briefing(e->s, "f", NULL, b, &want),
			 STORE_NEW);
	briefing_free(b);
	assert_int_equal(sqlite3_open(e->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE events SET feed = NULL WHERE seq = 7",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	/* the first 5 expire: the page starts after them */
	assert_int_equal(store_events_expire_upto(e->s, INT64_MAX / 2, seqs[4],
						  &deleted), 0);
	assert_int_equal(deleted, 5);
	since = 0;
	want = seqs[5];
	for (;;) {
		assert_int_equal(store_relay_page(e->s, since, 128, &pg), 0);
		if (pg.n == 0)
			break;
		assert_true(pg.n <= 128);
		for (i = 0; i < pg.n; i++) {
			const struct store_relay_ev *ev = &pg.ev[i];

			assert_int_equal(ev->seq, want);
			assert_string_equal(ev->type, "briefing.new");
			if (ev->seq == 7)
				assert_null(ev->feed);
			else
				assert_string_equal(ev->feed, "f");
			assert_int_equal(store_event_json(e->s, ev->seq, &json), 0);
			assert_int_equal(ev->json_len, strlen(json));
			assert_memory_equal(ev->json, json, ev->json_len);
			assert_int_equal(ev->json[ev->json_len], '\0');
			free(json);
			want++;
			total++;
		}
		since = pg.ev[pg.n - 1].seq;
	}
	assert_int_equal(total, 296);
	assert_true(pg.buf_cap > 70000);
	store_relay_page_free(&pg);
	assert_null(pg.buf);
}

static void
test_relay_start_refuses_an_incomplete_section(void **state)
{
	struct env *e = *state;
	struct relay_conf *rc = relay_conf_new();
	struct relay *r = NULL;
	char *err = NULL;

	assert_non_null(rc);
	rc->window = 8;
	assert_int_equal(relay_start(rc, e->path, &r, &err), -EINVAL);
	assert_null(r);
	assert_non_null(err);
	assert_non_null(strstr(err, "servers"));
	free(err);
	relay_conf_free(rc);
}

static void
test_no_relay_limits_nothing_and_reports_off(void **state)
{
	json_t *o;
	char line[64];

	(void)state;
	assert_true(relay_expire_limit(NULL) == INT64_MAX);
	o = relay_status(NULL, 5);
	assert_string_equal(json_string_value(json_object_get(o, "state")),
			    "off");
	json_decref(o);
	relay_status_line(NULL, 5, line, sizeof(line));
	assert_string_equal(line, "");
	relay_kick(NULL);
	relay_stop(NULL);
}

static void
test_nkey_key_in_relay_section(void **state)
{
	struct config *a, *b;
	char *err = NULL;
	(void)state;
	a = parse("[relay]\nservers = nats://x:1\nnkey = /a\n", &err);
	assert_non_null(a);
	assert_string_equal(a->relay->nkey, "/a");
	b = parse("[relay]\nservers = nats://x:1\nnkey = /b\n", &err);
	assert_non_null(b);
	assert_false(relay_conf_equal(a->relay, b->relay));
	config_free(b);
	b = parse("[relay]\nservers = nats://x:1\nnkey = /a\n"
				"credentials = /c\n", &err);
	assert_null(b);
	assert_non_null(err);
	assert_non_null(strstr(err, "credentials or nkey, not both"));
	free(err);
	config_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject_names_type_and_feed),
		cmocka_unit_test(test_subject_escapes_what_a_subject_cannot_hold),
		cmocka_unit_test(test_subject_too_long_is_enospc),
		cmocka_unit_test(test_relay_section_defaults_and_values),
		cmocka_unit_test(test_relay_section_rejects_bad_values_by_line),
		cmocka_unit_test(test_relay_conf_check_needs_servers_and_pairs),
		cmocka_unit_test(test_relay_conf_equal_compares_every_key),
		cmocka_unit_test(test_no_relay_limits_nothing_and_reports_off),
		cmocka_unit_test(test_nkey_key_in_relay_section),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_origin_is_a_uuid_kept_across_opens),
		T(test_origins_of_two_databases_differ),
		T(test_event_json_is_the_line_or_enoent),
		T(test_expire_upto_spares_events_after_max_seq),
		T(test_relay_page_reads_lines_byte_for_byte),
		T(test_relay_start_refuses_an_incomplete_section),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
