/* test_ingest — the pipeline through its own interface: a real fetcher
 * against tests/fixtures/server.py on 127.0.0.1 (feeds and pages written
 * by each test into the server's root), a real store in a temp dir, and
 * every op counted. libuv style: every callback counted, every handle
 * closed, uv_loop_close() == 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "briefing.h"
#include "fetch.h"
#include "history.h"
#include "ingest.h"
#include "profiles.h"
#include "store.h"
#include "writer.h"

static char tmpdir[64], www[96];
static pid_t server_pid;
static int server_port;

#define MAX_POLLS 8

struct fx {
	uv_loop_t loop;
	char db[128];
	struct store *st;
	struct fetcher *fetcher;
	struct profile_set *profiles;
	struct ingest *in;
	struct ingest_feed feed, feed2;
	char url[160], url2[160];
	/* counted ops */
	int poll_done_calls, committed_calls, idle_calls, hook_calls;
	int closed_calls, fetch_closed_calls;
	struct ingest_result last;
	char last_msg[256];
	struct ingest_feed *last_feed;
	size_t stored;
	int64_t maxseq, hook_maxseq;
	int in_poll_done;        /* re-entry check */
	/* what a poll_done does */
	int close_in_poll_done;  /* ingest_close from inside the op */
	int repoll_in_poll_done; /* ingest_poll again from inside the op */
	int polls_wanted;        /* stop the loop after this many */
	struct writer_hook hook;
};

/* ---- files for the fixture server ------------------------------------ */

static void
put_file(const char *rel, const char *fmt, ...)
{
	char path[256], tmp[272];
	va_list ap;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", www, rel);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	assert_non_null(fp);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(rename(tmp, path), 0);
}

/* An RSS feed with n items i0..; item k links to page pk.html. */
static void
put_feed(const char *rel, int n, const char *prefix)
{
	char items[4096] = "";
	size_t len = 0;
	int k;

	for (k = 0; k < n; k++)
		len += (size_t)snprintf(items + len, sizeof(items) - len,
			"<item><title>Briefing %s%d</title>"
			"<link>http://127.0.0.1:%d/%s%d.html</link>"
			"<guid>%s-%d</guid>"
			"<pubDate>Mon, 0%d Jan 2024 10:00:00 GMT</pubDate>"
			"<description>Summary %d</description></item>",
			prefix, k, server_port, prefix, k, prefix, k, k + 1, k);
	put_file(rel, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
		 "<title>T</title><link>http://127.0.0.1/</link>%s"
		 "</channel></rss>", items);
}

static void
put_page(const char *rel, const char *text)
{
	put_file(rel, "<html><head><title>Page</title></head><body>"
		 "<h1>Press briefing</h1><p>MR. SMITH: %s</p>"
		 "<p>QUESTION: And then?</p><p>MR. SMITH: Thank you.</p>"
		 "</body></html>", text);
}

/* An RSS feed of n items with the given links (guid = prefix-k), in
 * French (<language>fr-CA</language>). */
static void
put_feed_links(const char *rel, int n, const char *prefix,
	       const char *const *links)
{
	char items[4096] = "";
	size_t len = 0;
	int k;

	for (k = 0; k < n; k++)
		len += (size_t)snprintf(items + len, sizeof(items) - len,
			"<item><title>Item %s%d</title><link>%s</link>"
			"<guid>%s-%d</guid>"
			"<pubDate>Mon, 0%d Jan 2024 10:00:00 GMT</pubDate>"
			"<description>Summary %d</description></item>",
			prefix, k, links[k], prefix, k, k + 1, k);
	put_file(rel, "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
		 "<title>T</title><link>http://127.0.0.1/</link>"
		 "<language>fr-CA</language>%s</channel></rss>", items);
}

/* Requests the fixture server answered for path (its /_stats). */
static long
server_count(const char *path)
{
	struct sockaddr_in sa = {0};
	char req[128], resp[65536], *body;
	size_t got = 0;
	ssize_t n;
	json_t *j;
	long v;
	int fd;

	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)server_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(req, sizeof(req), "GET /_stats HTTP/1.0\r\n"
		 "Host: 127.0.0.1\r\nConnection: close\r\n\r\n");
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while ((n = read(fd, resp + got, sizeof(resp) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	resp[got] = '\0';
	body = strstr(resp, "\r\n\r\n");
	assert_non_null(body);
	j = json_loads(body + 4, 0, NULL);
	assert_non_null(j);
	v = (long)json_integer_value(json_object_get(j, path));
	json_decref(j);
	return v;
}

/* ---- ops ------------------------------------------------------------------ */

static void on_closed(void *arg);

static void
op_poll_done(void *arg, struct ingest_feed *f, const struct ingest_result *r)
{
	struct fx *fx = arg;

	assert_false(fx->in_poll_done);
	fx->in_poll_done = 1;
	fx->poll_done_calls++;
	fx->last = *r;
	snprintf(fx->last_msg, sizeof(fx->last_msg), "%s", r->msg);
	fx->last.msg = fx->last_msg;
	fx->last_feed = f;
	if (fx->repoll_in_poll_done) {
		fx->repoll_in_poll_done--;
		assert_int_equal(ingest_poll(fx->in, f), 0);
	} else if (fx->close_in_poll_done) {
		ingest_close(fx->in, on_closed, fx);
		fx->in = NULL;
	}
	fx->in_poll_done = 0;
}

static void
op_committed(void *arg, size_t stored, int64_t maxseq)
{
	struct fx *fx = arg;

	fx->committed_calls++;
	fx->stored += stored;
	if (maxseq > fx->maxseq)
		fx->maxseq = maxseq;
}

static void
op_idle(void *arg)
{
	struct fx *fx = arg;

	fx->idle_calls++;
}

static void
hook_fn(void *arg, const struct writer_commit *c)
{
	struct fx *fx = arg;

	fx->hook_calls++;
	if (c->maxseq > fx->hook_maxseq)
		fx->hook_maxseq = c->maxseq;
}

static void
on_closed(void *arg)
{
	struct fx *fx = arg;

	fx->closed_calls++;
}

static void
on_fetch_closed(void *arg)
{
	struct fx *fx = arg;

	fx->fetch_closed_calls++;
}

/* ---- fixture ------------------------------------------------------------- */

static int
fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct fetch_opts fo;
	struct ingest_env env = {0};
	struct ingest_ops ops = {
		.poll_done = op_poll_done, .committed = op_committed,
		.idle = op_idle};
	char *err = NULL;

	assert_non_null(fx);
	assert_int_equal(uv_loop_init(&fx->loop), 0);
	snprintf(fx->db, sizeof(fx->db), "%s/test-%d.db", tmpdir,
		 (int)getpid());
	unlink(fx->db);
	assert_int_equal(store_open(fx->db, 0, &fx->st, &err), 0);
	fetch_opts_default(&fo);
	fo.allow_private = 1;
	fo.connect_timeout_ms = 5000;
	fo.total_timeout_ms = 30000;
	assert_int_equal(fetch_new(&fx->loop, &fo, &fx->fetcher), 0);
	assert_int_equal(profile_set_new(&fx->profiles), 0);
	env.loop = &fx->loop;
	env.fetcher = fx->fetcher;
	env.store = fx->st;
	env.database = fx->db;
	env.profiles = fx->profiles;
	env.limits.max_feed_bytes = 1 << 20;
	env.limits.max_feed_items = 1000;
	env.limits.max_field_bytes = 1 << 16;
	env.limits.max_page_bytes = 1 << 20;
	env.limits.fetch_pages = 1;
	assert_int_equal(config_parse_recheck("10m 1h 6h 1d 3d",
					      &env.limits.recheck), 0);
	ops.arg = fx;
	assert_int_equal(ingest_new(&env, &ops, &fx->in), 0);
	fx->hook.fn = hook_fn;
	fx->hook.arg = fx;
	writer_hook_add(ingest_writer(fx->in), &fx->hook);
	snprintf(fx->url, sizeof(fx->url), "http://127.0.0.1:%d/feed.xml",
		 server_port);
	snprintf(fx->url2, sizeof(fx->url2), "http://127.0.0.1:%d/feed2.xml",
		 server_port);
	fx->feed.name = "one";
	fx->feed.url = fx->url;
	fx->feed.fetch_pages = -1;
	fx->feed2.name = "two";
	fx->feed2.url = fx->url2;
	fx->feed2.fetch_pages = -1;
	*state = fx;
	return 0;
}

/* Close whatever is open, run the loop dry, check every handle closed. */
static int
fx_teardown(void **state)
{
	struct fx *fx = *state;

	if (fx->in) {
		ingest_close(fx->in, on_closed, fx);
		fx->in = NULL;
	}
	fetch_close(fx->fetcher, on_fetch_closed, fx);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->closed_calls, 1);
	assert_int_equal(fx->fetch_closed_calls, 1);
	assert_int_equal(uv_loop_close(&fx->loop), 0);
	ingest_feed_clear(&fx->feed);
	ingest_feed_clear(&fx->feed2);
	profile_set_free(fx->profiles);
	store_close(fx->st);
	unlink(fx->db);
	{
		char p[160];

		snprintf(p, sizeof(p), "%s-wal", fx->db);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", fx->db);
		unlink(p);
	}
	free(fx);
	return 0;
}

/* Run the loop until n poll_done ops (or idle with none expected). The
 * turn limit is a guard against a hang, not a timing assertion. */
static void
run_until_polls(struct fx *fx, int n)
{
	int turns = 0;

	while (fx->poll_done_calls < n && turns++ < 1000000)
		uv_run(&fx->loop, UV_RUN_ONCE);
	assert_int_equal(fx->poll_done_calls, n);
}

/* ... and until the writer is done with what the polls queued. */
static void
run_until_idle(struct fx *fx, int idles)
{
	int turns = 0;

	while (fx->idle_calls < idles && turns++ < 1000000)
		uv_run(&fx->loop, UV_RUN_ONCE);
	assert_int_equal(fx->idle_calls, idles);
	assert_int_equal(ingest_busy(fx->in), 0);
}

static int
count_cb(void *arg, const struct briefing *b)
{
	(void)b;
	(*(int *)arg)++;
	return 0;
}

static int
stored_briefings(struct fx *fx)
{
	struct store_query q = {0};
	int n = 0;

	assert_int_equal(store_foreach_briefing(fx->st, &q, count_cb, &n), 0);
	return n;
}

static int
events_cb(void *arg, const struct store_event *ev)
{
	(void)ev;
	(*(int *)arg)++;
	return 0;
}

static int
stored_events(struct fx *fx)
{
	int n = 0;

	assert_int_equal(store_events_after(fx->st, 0, 0, events_cb, &n), 0);
	return n;
}

/* ---- tests ------------------------------------------------------------------ */

static void
test_new_items_are_stored_reported_and_announced(void **state)
{
	struct fx *fx = *state;

	put_page("a0.html", "First.");
	put_page("a1.html", "Second.");
	put_feed("feed.xml", 2, "a");
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	run_until_polls(fx, 1);
	assert_ptr_equal(fx->last_feed, &fx->feed);
	assert_int_equal(fx->last.ok, 1);
	assert_int_equal(fx->last.new_items, 2);
	assert_int_equal(fx->last.retry_after_s, -1);
	assert_string_equal(fx->last.msg, "ok, 2 new of 2 items");
	run_until_idle(fx, 1);
	/* the commit was reported before the poll, and to the hook too */
	assert_true(fx->committed_calls >= 1);
	assert_int_equal(fx->stored, 2);
	assert_int_equal(fx->maxseq, 2);
	assert_int_equal(fx->hook_calls, fx->committed_calls);
	assert_int_equal(fx->hook_maxseq, 2);
	assert_int_equal(stored_briefings(fx), 2);
	assert_int_equal(stored_events(fx), 2);

	/* the same feed again: a conditional GET, nothing new */
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	run_until_polls(fx, 2);
	assert_int_equal(fx->last.ok, 1);
	assert_int_equal(fx->last.new_items, 0);
	assert_string_equal(fx->last.msg, "not modified (304)");
	run_until_idle(fx, 2);
	assert_int_equal(fx->stored, 2);
	assert_int_equal(stored_events(fx), 2);
}

static void
test_feed_failure_is_reported_with_its_reason(void **state)
{
	struct fx *fx = *state;
	struct store_feed sf;

	snprintf(fx->url, sizeof(fx->url), "http://127.0.0.1:%d/nosuch.xml",
		 server_port);
	fx->feed.url = fx->url;
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	run_until_polls(fx, 1);
	assert_int_equal(fx->last.ok, 0);
	assert_int_equal(fx->last.new_items, 0);
	assert_string_equal(fx->last.msg, "HTTP 404");
	run_until_idle(fx, 1);
	/* the failure is recorded in the feed's state */
	assert_int_equal(store_feed_get(fx->st, "one", &sf), 0);
	assert_int_equal(sf.failures, 1);
	assert_string_equal(sf.last_error, "HTTP 404");
	store_feed_clear(&sf);
	assert_int_equal(fx->committed_calls, 1);
	assert_int_equal(fx->stored, 0);
}

/* An op may close the ingest: it runs after ingest's own step. */
static void
test_poll_done_may_close_the_ingest(void **state)
{
	struct fx *fx = *state;

	put_page("b0.html", "Only.");
	put_feed("feed.xml", 1, "b");
	fx->close_in_poll_done = 1;
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	run_until_polls(fx, 1);
	assert_null(fx->in);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(fx->closed_calls, 1);
	/* nothing but poll_done and the commits: no idle after a close */
	assert_int_equal(fx->idle_calls, 0);
	assert_int_equal(stored_briefings(fx), 1);
}

/* An op may start the next poll of the same feed. */
static void
test_poll_done_may_poll_again(void **state)
{
	struct fx *fx = *state;

	put_page("c0.html", "Again.");
	put_feed("feed.xml", 1, "c");
	fx->repoll_in_poll_done = 1;
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	run_until_polls(fx, 2);
	assert_string_equal(fx->last.msg, "not modified (304)");
	run_until_idle(fx, 1);
	assert_int_equal(stored_briefings(fx), 1);
}

/* A forgotten feed is never reported again, even with a report queued. */
static void
test_forget_drops_polls_and_reports(void **state)
{
	struct fx *fx = *state;

	put_page("d0.html", "Gone.");
	put_feed("feed.xml", 1, "d");
	put_page("e0.html", "Kept.");
	put_feed("feed2.xml", 1, "e");
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	assert_int_equal(ingest_poll(fx->in, &fx->feed2), 0);
	ingest_forget(fx->in, &fx->feed);
	run_until_polls(fx, 1);
	assert_ptr_equal(fx->last_feed, &fx->feed2);
	run_until_idle(fx, 1);
	assert_int_equal(fx->poll_done_calls, 1);
	assert_int_equal(stored_briefings(fx), 1);
}

static int64_t
briefing_of(struct fx *fx, const char *feed, const char *item)
{
	int64_t id = 0;

	assert_int_equal(store_item_lookup(fx->st, feed, item, NULL, &id), 0);
	assert_true(id > 0);
	return id;
}

/* #22 item 7: a dead item link does not fail the poll or back off the
 * feed; its item is stored from the feed, noting why, and its page is not
 * asked for again. */
static void
test_dead_links_store_the_item_and_keep_the_feed_ok(void **state)
{
	struct fx *fx = *state;
	char ok_url[128], dead_url[128];
	const char *links[3];
	struct store_feed sf;
	struct store_page pg;
	struct briefing *b = NULL;

	snprintf(ok_url, sizeof(ok_url), "http://127.0.0.1:%d/f0.html",
		 server_port);
	snprintf(dead_url, sizeof(dead_url), "http://127.0.0.1:%d/f-gone.html",
		 server_port);
	links[0] = ok_url;
	links[1] = dead_url;
	links[2] = "javascript:alert(1)";
	put_page("f0.html", "Fine.");
	put_feed_links("feed.xml", 3, "f", links);
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	run_until_polls(fx, 1);
	assert_int_equal(fx->last.ok, 1);
	assert_int_equal(fx->last.new_items, 3);
	assert_non_null(strstr(fx->last.msg, "ok, 3 new of 3 items; "
			       "2 pages not fetched, stored from the feed"));
	run_until_idle(fx, 1);
	assert_int_equal(stored_briefings(fx), 3);
	assert_int_equal(store_feed_get(fx->st, "one", &sf), 0);
	assert_int_equal(sf.failures, 0);
	assert_null(sf.last_error);
	assert_non_null(sf.etag); /* validators advanced */
	store_feed_clear(&sf);

	assert_int_equal(store_page_get(fx->st, briefing_of(fx, "one", "f-1"),
					&pg), 0);
	assert_int_equal(pg.status, 404);
	assert_string_equal(pg.note, "page not fetched: HTTP 404");
	store_page_clear(&pg);
	assert_int_equal(store_get_briefing(fx->st,
					    briefing_of(fx, "one", "f-1"), &b),
			 0);
	assert_int_equal(b->kind, BRIEFING_OTHER);
	assert_string_equal(b->title, "Item f1");
	/* the feed's language: the item was not read from a page */
	assert_string_equal(b->lang, "fr");
	briefing_free(b);
	/* a page that declares none gets the feed's too */
	assert_int_equal(store_get_briefing(fx->st,
					    briefing_of(fx, "one", "f-0"), &b),
			 0);
	assert_int_equal(b->kind, BRIEFING_TRANSCRIPT);
	assert_string_equal(b->lang, "fr");
	briefing_free(b);
	assert_int_equal(store_page_get(fx->st, briefing_of(fx, "one", "f-2"),
					&pg), 0);
	assert_string_equal(pg.note,
			    "page not fetched: the link is not http(s)");
	store_page_clear(&pg);
	assert_int_equal(store_page_get(fx->st, briefing_of(fx, "one", "f-0"),
					&pg), 0);
	assert_int_equal(pg.status, 200);
	assert_null(pg.note);
	assert_non_null(pg.etag);
	store_page_clear(&pg);

	/* the next poll is a 304: the dead page is not fetched again */
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	run_until_polls(fx, 2);
	assert_string_equal(fx->last.msg, "not modified (304)");
	assert_int_equal(server_count("/f-gone.html"), 1);
	run_until_idle(fx, 2);
}

/* #22 item 7: a page failing in a way that may pass is retried by the
 * next polls, a bounded number of times, without failing any poll. */
static void
test_transient_page_failure_is_retried_a_bounded_number_of_times(void **state)
{
	struct fx *fx = *state;
	char url[128];
	const char *links[1];
	struct store_page pg;
	int k;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/_bad/status/503",
		 server_port);
	links[0] = url;
	put_feed_links("feed.xml", 1, "g", links);
	for (k = 1; k <= 2; k++) {
		assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
		run_until_polls(fx, k);
		assert_int_equal(fx->last.ok, 1);
		assert_string_equal(fx->last.msg, "ok, 0 new of 1 items; "
				    "1 page to retry (HTTP 503)");
		run_until_idle(fx, k);
		assert_int_equal(stored_briefings(fx), 0);
	}
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	run_until_polls(fx, 3);
	assert_string_equal(fx->last.msg, "ok, 1 new of 1 items; 1 page not "
			    "fetched, stored from the feed (HTTP 503 (3 "
			    "attempts))");
	run_until_idle(fx, 3);
	assert_int_equal(stored_briefings(fx), 1);
	assert_int_equal(store_page_get(fx->st, briefing_of(fx, "one", "g-0"),
					&pg), 0);
	assert_int_equal(pg.status, 503);
	store_page_clear(&pg);
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	run_until_polls(fx, 4);
	assert_string_equal(fx->last.msg, "not modified (304)");
	run_until_idle(fx, 4);
	assert_int_equal(server_count("/_bad/status/503"), 3);
}

/* #22 item 11: a second feed carrying items already stored reports
 * nothing new and nothing changed; the reported count is what was
 * stored. */
static void
test_counts_are_what_was_stored(void **state)
{
	struct fx *fx = *state;

	put_page("h0.html", "One.");
	put_page("h1.html", "Two.");
	put_feed("feed.xml", 2, "h");
	put_feed("feed2.xml", 2, "h");
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	run_until_polls(fx, 1);
	assert_string_equal(fx->last.msg, "ok, 2 new of 2 items");
	run_until_idle(fx, 1);
	assert_int_equal(ingest_poll(fx->in, &fx->feed2), 0);
	run_until_polls(fx, 2);
	assert_int_equal(fx->last.new_items, 0);
	assert_int_equal(fx->last.changed_items, 0);
	assert_string_equal(fx->last.msg, "ok, 0 new of 2 items");
	run_until_idle(fx, 2);
	assert_int_equal(stored_briefings(fx), 2);
	assert_int_equal(stored_events(fx), 2);
}

/* ---- page re-checks (#19) ------------------------------------------- */

static void
run_until_rechecked(struct fx *fx)
{
	int turns = 0;

	while (ingest_rechecks(fx->in) && turns++ < 1000000)
		uv_run(&fx->loop, UV_RUN_ONCE);
	assert_int_equal(ingest_rechecks(fx->in), 0);
}

static int
last_event_cb(void *arg, const struct store_event *ev)
{
	snprintf(arg, 4096, "%s", ev->json);
	return 0;
}

static int
hits_cb(void *arg, const struct store_hit *h)
{
	(void)h;
	(*(int *)arg)++;
	return 0;
}

/* One stored briefing of feed one, from page k0.html; its page row. */
static void
store_one(struct fx *fx, const char *prefix, struct store_page *pg)
{
	char page[32], item[32];

	snprintf(page, sizeof(page), "%s0.html", prefix);
	snprintf(item, sizeof(item), "%s-0", prefix);
	put_page(page, "First version of the answer.");
	put_feed("feed.xml", 1, prefix);
	assert_int_equal(ingest_poll(fx->in, &fx->feed), 0);
	run_until_polls(fx, 1);
	run_until_idle(fx, 1);
	assert_int_equal(store_page_get(fx->st, briefing_of(fx, "one", item),
					pg), 0);
}

static void
test_recheck_config_values(void **state)
{
	struct recheck_sched r;

	(void)state;
	assert_int_equal(config_parse_recheck("10m 1h 6h 1d 3d", &r), 0);
	assert_int_equal(r.n, 5);
	assert_true(r.ages_ms[0] == 600000 && r.ages_ms[4] == 3 * 86400000LL);
	assert_int_equal(config_parse_recheck("1s", &r), 0);
	assert_true(r.n == 1 && r.ages_ms[0] == 1000);
	assert_int_equal(config_parse_recheck("30s, 2m", &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(config_parse_recheck("no", &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(config_parse_recheck("1h 10m", &r), -EINVAL);
	assert_int_equal(config_parse_recheck("500ms", &r), -EINVAL);
	assert_int_equal(config_parse_recheck("soon", &r), -EINVAL);
	assert_int_equal(config_parse_recheck("", &r), -EINVAL);
}

static void
test_new_page_is_scheduled_for_its_first_recheck(void **state)
{
	struct fx *fx = *state;
	struct store_page pg;

	store_one(fx, "k", &pg);
	assert_int_equal(pg.status, 200);
	assert_non_null(pg.etag);
	assert_int_equal(pg.checks, 0);
	/* 10 min after it was stored, plus up to 10 % spread */
	assert_true(pg.next_check >= pg.stored + 600);
	assert_true(pg.next_check <= pg.stored + 661);
	store_page_clear(&pg);
}

/* An unchanged page costs a 304 and writes no briefing and no event. */
static void
test_recheck_not_modified_writes_nothing(void **state)
{
	struct fx *fx = *state;
	struct store_page pg, after;
	struct ingest_stats st;

	store_one(fx, "m", &pg);
	assert_int_equal(ingest_recheck(fx->in, &fx->feed, &pg), 0);
	run_until_rechecked(fx);
	ingest_stats(fx->in, &st);
	assert_int_equal(st.rechecks, 1);
	assert_int_equal(st.rechecks_304, 1);
	assert_int_equal(st.rechecks_revised, 0);
	assert_int_equal(stored_events(fx), 1);
	assert_int_equal(fx->poll_done_calls, 1);
	assert_int_equal(store_page_get(fx->st, pg.briefing_id, &after), 0);
	assert_int_equal(after.checks, 1);
	assert_int_equal(after.status, 200);
	assert_int_equal(after.stored, pg.stored);
	assert_true(after.next_check > 0); /* the schedule goes on */
	store_page_clear(&after);
	store_page_clear(&pg);
}

/* A page edited on the server, its feed untouched: one revision and one
 * briefing.updated naming the edited turn; the new text is searchable. */
static void
test_recheck_of_an_edited_page_makes_one_revision(void **state)
{
	struct fx *fx = *state;
	struct store_page pg;
	struct ingest_stats st;
	struct store_query q = {0};
	char last[4096] = "";
	int hits = 0;

	store_one(fx, "n", &pg);
	put_page("n0.html", "Second version, with a zeppelin.");
	assert_int_equal(ingest_recheck(fx->in, &fx->feed, &pg), 0);
	run_until_rechecked(fx);
	ingest_stats(fx->in, &st);
	assert_int_equal(st.rechecks, 1);
	assert_int_equal(st.rechecks_304, 0);
	assert_int_equal(st.rechecks_revised, 1);
	assert_int_equal(stored_events(fx), 2);
	assert_int_equal(store_events_after(fx->st, 1, 0, last_event_cb, last),
			 0);
	assert_non_null(strstr(last, "\"type\":\"briefing.updated\""));
	assert_non_null(strstr(last, "\"edited\":[0]"));
	assert_int_equal(stored_briefings(fx), 1);
	q.query = "zeppelin";
	assert_int_equal(store_search(fx->st, &q, hits_cb, &hits), 0);
	assert_int_equal(hits, 1);
	/* the same page again: nothing more */
	store_page_clear(&pg);
	assert_int_equal(store_page_get(fx->st, briefing_of(fx, "one", "n-0"),
					&pg), 0);
	assert_int_equal(ingest_recheck(fx->in, &fx->feed, &pg), 0);
	run_until_rechecked(fx);
	ingest_stats(fx->in, &st);
	assert_int_equal(st.rechecks_304, 1);
	assert_int_equal(stored_events(fx), 2);
	store_page_clear(&pg);
}

/* A page that became 404 is kept and marked, and re-checked no more. */
static void
test_recheck_of_a_gone_page_keeps_and_marks_it(void **state)
{
	struct fx *fx = *state;
	struct store_page pg, after;
	struct ingest_stats st;
	char path[160], text[4096];
	FILE *fp;
	size_t n;

	store_one(fx, "p", &pg);
	snprintf(path, sizeof(path), "%s/p0.html", www);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(ingest_recheck(fx->in, &fx->feed, &pg), 0);
	run_until_rechecked(fx);
	ingest_stats(fx->in, &st);
	assert_int_equal(st.rechecks_gone, 1);
	assert_int_equal(stored_briefings(fx), 1);
	assert_int_equal(store_page_get(fx->st, pg.briefing_id, &after), 0);
	assert_int_equal(after.status, 404);
	assert_string_equal(after.note, "page gone: HTTP 404");
	assert_int_equal(after.next_check, 0);
	store_page_clear(&after);
	/* and `show` says so, with the revisions */
	fp = tmpfile();
	assert_non_null(fp);
	assert_int_equal(history_print(fx->st, pg.briefing_id, 0, fp), 0);
	rewind(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	assert_non_null(strstr(text, "status:    gone (HTTP 404)"));
	assert_non_null(strstr(text, "page gone: HTTP 404"));
	assert_non_null(strstr(text, "Revisions:\n  1  "));
	assert_non_null(strstr(text, "first stored"));
	store_page_clear(&pg);
}

/* A re-check answered 429 with Retry-After asks that page again then. */
static void
test_recheck_honours_retry_after(void **state)
{
	struct fx *fx = *state;
	struct store_page pg, after;
	char url[160];
	char *orig;
	int64_t now;

	store_one(fx, "s", &pg);
	orig = pg.url;
	snprintf(url, sizeof(url),
		 "http://127.0.0.1:%d/_bad/status/429?retry_after=7200",
		 server_port);
	pg.url = url;
	now = (int64_t)time(NULL);
	assert_int_equal(ingest_recheck(fx->in, &fx->feed, &pg), 0);
	pg.url = orig;
	run_until_rechecked(fx);
	assert_int_equal(store_page_get(fx->st, pg.briefing_id, &after), 0);
	assert_true(after.next_check >= now + 7200);
	assert_true(after.next_check <= now + 7200 + 60);
	assert_int_equal(after.status, 200); /* the page is not gone */
	store_page_clear(&after);
	store_page_clear(&pg);
}

/* Re-checks fill spare capacity: with 1,000 of them queued and the one
 * running stuck on a server that never answers, a feed poll that falls
 * due meanwhile completes; the re-checks still wait (one at a time, so
 * they hold one of the host's connections at most). */
static void
test_rechecks_do_not_delay_a_poll(void **state)
{
	struct fx *fx = *state;
	struct store_page pg;
	struct ingest_stats st;
	char url[160];
	char *orig;
	int k;

	store_one(fx, "q", &pg);
	orig = pg.url;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/_bad/hang", server_port);
	pg.url = url;
	for (k = 0; k < 1000; k++)
		assert_int_equal(ingest_recheck(fx->in, &fx->feed, &pg), 0);
	pg.url = orig;
	put_page("r0.html", "Another briefing.");
	put_feed("feed2.xml", 1, "r");
	assert_int_equal(ingest_poll(fx->in, &fx->feed2), 0);
	run_until_polls(fx, 2);
	assert_string_equal(fx->last.msg, "ok, 1 new of 1 items");
	ingest_stats(fx->in, &st);
	assert_int_equal(st.rechecks, 0);
	assert_int_equal(ingest_rechecks(fx->in), 1000);
	assert_int_equal(stored_briefings(fx), 2);
	store_page_clear(&pg);
	/* teardown closes the ingest: the stuck re-check is cancelled, the
	 * queued ones are freed */
}

/* ---- group setup: the fixture server ---------------------------------- */

static int
server_start(void **state)
{
	char port_file[128], buf[32];
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i, fd;
	ssize_t n;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bw-test-ingest-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(www, sizeof(www), "%s/www", tmpdir);
	if (mkdir(www, 0755) < 0)
		return -1;
	snprintf(port_file, sizeof(port_file), "%s/port", tmpdir);
	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0) {
		execlp("python3", "python3",
		       BW_SRCDIR "/tests/fixtures/server.py", "--root", www,
		       "--port", "0", "--port-file", port_file, (char *)NULL);
		_exit(127);
	}
	/* The port file appears (atomically) once the server listens. */
	for (i = 0; i < 1500; i++) {
		fd = open(port_file, O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0) {
				buf[n] = '\0';
				server_port = atoi(buf);
				return server_port > 0 ? 0 : -1;
			}
		}
		if (waitpid(server_pid, NULL, WNOHANG) == server_pid)
			return -1;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int
server_stop(void **state)
{
	char cmd[128];

	(void)state;
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_new_items_are_stored_reported_and_announced),
		T(test_feed_failure_is_reported_with_its_reason),
		T(test_poll_done_may_close_the_ingest),
		T(test_poll_done_may_poll_again),
		T(test_forget_drops_polls_and_reports),
		T(test_dead_links_store_the_item_and_keep_the_feed_ok),
		T(test_transient_page_failure_is_retried_a_bounded_number_of_times),
		T(test_counts_are_what_was_stored),
		cmocka_unit_test(test_recheck_config_values),
		T(test_new_page_is_scheduled_for_its_first_recheck),
		T(test_recheck_not_modified_writes_nothing),
		T(test_recheck_of_an_edited_page_makes_one_revision),
		T(test_recheck_of_a_gone_page_keeps_and_marks_it),
		T(test_recheck_honours_retry_after),
		T(test_rechecks_do_not_delay_a_poll),
	};

	return cmocka_run_group_tests(tests, server_start, server_stop);
}
