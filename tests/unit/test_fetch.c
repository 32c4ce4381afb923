/* test_fetch — the fetcher against tests/fixtures/server.py, a real local
 * HTTP server that misbehaves on demand. Each test runs its own uv loop,
 * counts callbacks and ends with uv_loop_close() == 0.
 */
#include "fetch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>

#ifndef BW_SRCDIR
#define BW_SRCDIR "."
#endif

#define ROOT BW_SRCDIR "/tests/fixtures/http"
#define MAXJOBS 64

static pid_t server_pid;
static int server_port;
static char tmpdir[64];
static char log_path[128];

/* A deep copy of a fetch_result (the callback's is borrowed). */
struct res {
	int called;
	int error;
	char *error_msg;
	long status;
	char *body;
	size_t len;
	char *content_type;
	char *etag;
	char *last_modified;
	char *effective_url;
	char *permanent_url;
	int64_t retry_after;
};

struct ctx {
	uv_loop_t loop;
	struct fetcher *f;
	int ncb;
	int want;             /* close the fetcher after this many callbacks */
	int closed;           /* done callbacks of fetch_close */
	struct res res[MAXJOBS];
};

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
res_free(struct res *r)
{
	free(r->error_msg);
	free(r->body);
	free(r->content_type);
	free(r->etag);
	free(r->last_modified);
	free(r->effective_url);
	free(r->permanent_url);
	memset(r, 0, sizeof(*r));
}

static void
ctx_free(struct ctx *c)
{
	int i;

	for (i = 0; i < MAXJOBS; i++)
		res_free(&c->res[i]);
}

static void
on_closed(void *arg)
{
	struct ctx *c = arg;

	c->closed++;
}

static void
on_done(void *arg, const struct fetch_result *r)
{
	struct ctx *c = arg;
	struct res *o;

	assert_true(c->ncb < MAXJOBS);
	o = &c->res[c->ncb++];
	o->called = 1;
	o->error = r->error;
	o->error_msg = dup_or_null(r->error_msg);
	o->status = r->status;
	assert_non_null(r->body);
	assert_int_equal(r->body[r->len], '\0');
	o->body = malloc(r->len + 1);
	assert_non_null(o->body);
	memcpy(o->body, r->body, r->len + 1);
	o->len = r->len;
	o->content_type = dup_or_null(r->content_type);
	o->etag = dup_or_null(r->etag);
	o->last_modified = dup_or_null(r->last_modified);
	o->effective_url = dup_or_null(r->effective_url);
	o->permanent_url = dup_or_null(r->permanent_url);
	o->retry_after = r->retry_after;
	if (r->error)
		assert_non_null(r->error_msg);
	if (c->ncb == c->want)
		fetch_close(c->f, on_closed, c);
}

static void
url_of(char *out, size_t size, const char *path)
{
	if (path[0] != '/')
		snprintf(out, size, "%s", path);
	else
		snprintf(out, size, "http://127.0.0.1:%d%s", server_port, path);
}

/* Options for talking to the fixture server on loopback. */
static void
test_opts(struct fetch_opts *o)
{
	fetch_opts_default(o);
	o->allow_private = 1;
	o->connect_timeout_ms = 5000;
	o->total_timeout_ms = 30000;
}

static void
ctx_init(struct ctx *c, const struct fetch_opts *o, int want)
{
	memset(c, 0, sizeof(*c));
	c->want = want;
	assert_int_equal(uv_loop_init(&c->loop), 0);
	assert_int_equal(fetch_new(&c->loop, o, &c->f), 0);
}

static void
start(struct ctx *c, const char *path, const char *etag, const char *lm,
      struct fetch_job **job)
{
	struct fetch_req req = { 0 };
	char url[1024];

	url_of(url, sizeof(url), path);
	req.url = url;
	req.etag = etag;
	req.last_modified = lm;
	assert_int_equal(fetch_start(c->f, &req, on_done, c, job), 0);
}

/* Run the loop to the end: the fetcher must have closed itself. */
static void
ctx_run(struct ctx *c)
{
	assert_int_equal(uv_run(&c->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(c->closed, 1);
	assert_int_equal(uv_loop_close(&c->loop), 0);
}

/* One GET; the result in *out (free with res_free). */
static void
fetch_one(const struct fetch_opts *o, const char *path, const char *etag,
	  const char *lm, struct res *out)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	ctx_init(c, o, 1);
	start(c, path, etag, lm, NULL);
	assert_int_equal(fetch_active(c->f), 1);
	ctx_run(c);
	assert_int_equal(c->ncb, 1);
	*out = c->res[0];
	memset(&c->res[0], 0, sizeof(c->res[0]));
	ctx_free(c);
	free(c);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *s;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return s;
}

/* The last server log line whose path field equals path (query included),
 * split into its tab-separated fields; 0 if there is none. */
static int
log_last(const char *path, char fields[6][512])
{
	char *log = read_file(log_path, NULL), *line, *save = NULL, *p, *tab;
	int found = 0, i;

	for (line = strtok_r(log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char f[6][512];

		memset(f, 0, sizeof(f));
		p = line;
		for (i = 0; i < 6 && p; i++) {
			tab = strchr(p, '\t');
			snprintf(f[i], sizeof(f[i]), "%.*s",
				 tab ? (int)(tab - p) : (int)strlen(p), p);
			p = tab ? tab + 1 : NULL;
		}
		if (!strcmp(f[1], path)) {
			memcpy(fields, f, sizeof(f));
			found = 1;
		}
	}
	free(log);
	return found;
}

/* The server's counter key: requests for a path (query not included),
 * "_connections" or "_peak_connections". reset: zero them all after. */
static long
server_stat(const char *key, int reset)
{
	struct fetch_opts o;
	struct res r;
	json_t *j, *v;
	long n;

	test_opts(&o);
	fetch_one(&o, reset ? "/_stats?reset=1" : "/_stats", NULL, NULL, &r);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.status, 200);
	j = json_loads(r.body, 0, NULL);
	assert_non_null(j);
	v = json_object_get(j, key);
	n = v ? (long)json_integer_value(v) : 0;
	json_decref(j);
	res_free(&r);
	return n;
}

static long
server_count(const char *path)
{
	return server_stat(path, 0);
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
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bw-test-fetch-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(port_file, sizeof(port_file), "%s/port", tmpdir);
	snprintf(log_path, sizeof(log_path), "%s/server.log", tmpdir);
	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0) {
		execlp("python3", "python3",
		       BW_SRCDIR "/tests/fixtures/server.py", "--root", ROOT,
		       "--port", "0", "--port-file", port_file, "--log",
		       log_path, (char *)NULL);
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
	char path[160];

	(void)state;
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	snprintf(path, sizeof(path), "%s/port", tmpdir);
	unlink(path);
	unlink(log_path);
	rmdir(tmpdir);
	return 0;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_get_returns_body_and_validators_of_the_final_response(void **state)
{
	struct fetch_opts o;
	struct res r;
	char url[256];
	size_t len;
	char *want = read_file(ROOT "/feed.xml", &len);

	(void)state;
	test_opts(&o);
	fetch_one(&o, "/feed.xml", NULL, NULL, &r);
	assert_int_equal(r.error, 0);
	assert_null(r.error_msg);
	assert_int_equal(r.status, 200);
	/* served gzip-encoded (Accept-Encoding), delivered decoded */
	assert_int_equal(r.len, len);
	assert_memory_equal(r.body, want, len);
	assert_string_equal(r.content_type, "application/rss+xml; charset=utf-8");
	assert_non_null(r.etag);
	assert_int_equal(r.etag[0], '"');
	assert_non_null(strstr(r.etag, "-gz\""));
	assert_non_null(r.last_modified);
	assert_non_null(strstr(r.last_modified, " GMT"));
	url_of(url, sizeof(url), "/feed.xml");
	assert_string_equal(r.effective_url, url);
	assert_null(r.permanent_url);
	assert_int_equal(r.retry_after, -1);
	res_free(&r);
	free(want);
}

static void
test_default_user_agent_names_project_version_and_url(void **state)
{
	struct fetch_opts o;
	struct res r;
	char f[6][512];

	(void)state;
	test_opts(&o);
	fetch_one(&o, "/feed.json?ua", NULL, NULL, &r);
	assert_int_equal(r.error, 0);
	assert_string_equal(r.content_type,
			    "application/feed+json; charset=utf-8");
	assert_true(log_last("/feed.json?ua", f));
	assert_string_equal(f[5], "briefwatch/" BW_VERSION
			    " (+https://github.com/briefwatch)");
	res_free(&r);
}

static void
test_directory_url_and_atom_content_types(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	test_opts(&o);
	fetch_one(&o, "/atom.xml", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type,
			    "application/atom+xml; charset=utf-8");
	res_free(&r);
	fetch_one(&o, "/briefings/", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	assert_non_null(strstr(r.body, "Anna Kova\xc4\x8d:"));
	res_free(&r);
}

static void
test_conditional_request_with_etag_is_answered_304(void **state)
{
	struct fetch_opts o;
	struct res first, second;
	char f[6][512];

	(void)state;
	test_opts(&o);
	fetch_one(&o, "/atom.xml?cond", NULL, NULL, &first);
	assert_int_equal(first.status, 200);
	assert_non_null(first.etag);
	fetch_one(&o, "/atom.xml?cond", first.etag, first.last_modified,
		  &second);
	assert_int_equal(second.error, 0);
	assert_int_equal(second.status, 304);
	assert_int_equal(second.len, 0);
	assert_string_equal(second.etag, first.etag);
	/* the server saw a conditional request and answered 304 */
	assert_true(log_last("/atom.xml?cond", f));
	assert_string_equal(f[2], "304");
	assert_string_equal(f[3], first.etag);
	assert_string_equal(f[4], first.last_modified);
	res_free(&first);
	res_free(&second);
}

static void
test_conditional_request_with_last_modified_only_is_answered_304(void **state)
{
	struct fetch_opts o;
	struct res first, second;

	(void)state;
	test_opts(&o);
	fetch_one(&o, "/feed.xml", NULL, NULL, &first);
	assert_non_null(first.last_modified);
	fetch_one(&o, "/feed.xml", NULL, first.last_modified, &second);
	assert_int_equal(second.status, 304);
	res_free(&first);
	res_free(&second);
}

static void
test_permanent_redirect_chain_sets_permanent_url(void **state)
{
	struct fetch_opts o;
	struct res r;
	char url[256];

	(void)state;
	test_opts(&o);
	fetch_one(&o, "/_bad/redirect/3?codes=301,308,301", NULL, NULL, &r);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.status, 200);
	url_of(url, sizeof(url), "/_bad/feed.xml");
	assert_string_equal(r.effective_url, url);
	assert_non_null(r.permanent_url);
	assert_string_equal(r.permanent_url, url);
	assert_non_null(strstr(r.body, "fixture-redirect-target-1"));
	res_free(&r);
}

static void
test_one_temporary_hop_leaves_permanent_url_unset(void **state)
{
	struct fetch_opts o;
	struct res r;
	char url[256];

	(void)state;
	test_opts(&o);
	url_of(url, sizeof(url), "/_bad/feed.xml");
	fetch_one(&o, "/_bad/redirect/3?codes=301,302,308", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.effective_url, url);
	assert_null(r.permanent_url);
	res_free(&r);
	fetch_one(&o, "/_bad/redirect/1?code=302", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(r.permanent_url);
	res_free(&r);
	fetch_one(&o, "/_bad/redirect/1?code=307", NULL, NULL, &r);
	assert_null(r.permanent_url);
	res_free(&r);
}

static void
test_validators_come_from_the_final_response_not_a_hop(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	test_opts(&o);
	/* the 301 carries text/plain; the final answer is the RSS target */
	fetch_one(&o, "/_bad/redirect/1?code=301&to=/feed.xml", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/rss+xml; charset=utf-8");
	assert_non_null(r.etag);
	assert_string_not_equal(r.etag, "\"redirect-hop\"");
	res_free(&r);
	/* the hop had ETag, Last-Modified, Retry-After; the target has none */
	fetch_one(&o, "/_bad/redirect/2?code=308", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(r.etag);
	assert_null(r.last_modified);
	assert_int_equal(r.retry_after, -1);
	res_free(&r);
}

static void
test_redirect_loop_fails_with_eloop_after_max_redirs(void **state)
{
	struct fetch_opts o;
	struct res r;
	long before = server_count("/_bad/loop");

	(void)state;
	test_opts(&o);
	fetch_one(&o, "/_bad/loop", NULL, NULL, &r);
	assert_int_equal(r.error, -ELOOP);
	assert_string_equal(r.error_msg, "too many redirects (5)");
	/* the request and exactly five redirects, then curl stopped */
	assert_int_equal(server_count("/_bad/loop") - before, 6);
	res_free(&r);
}

static void
test_redirect_to_file_and_gopher_is_refused(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	test_opts(&o);
	fetch_one(&o, "/_bad/to?url=file:///etc/passwd", NULL, NULL, &r);
	assert_int_equal(r.error, -EPROTONOSUPPORT);
	assert_null(strstr(r.body, "root:"));
	res_free(&r);
	fetch_one(&o, "/_bad/to?url=gopher://127.0.0.1:70/1", NULL, NULL, &r);
	assert_int_equal(r.error, -EPROTONOSUPPORT);
	res_free(&r);
	fetch_one(&o, "file:///etc/passwd", NULL, NULL, &r);
	assert_int_equal(r.error, -EPROTONOSUPPORT);
	assert_int_equal(r.len, 0);
	res_free(&r);
}

static void
test_loopback_is_refused_unless_private_peers_are_allowed(void **state)
{
	struct fetch_opts o;
	struct res r;
	char url[128];

	(void)state;
	fetch_opts_default(&o);
	fetch_one(&o, "/denied-probe.xml", NULL, NULL, &r);
	assert_int_equal(r.error, -EACCES);
	assert_string_equal(r.error_msg,
			    "connect to 127.0.0.1 refused by address policy");
	assert_int_equal(r.status, 0);
	res_free(&r);
	/* the server never saw it */
	assert_int_equal(server_count("/denied-probe.xml"), 0);

	snprintf(url, sizeof(url), "http://[::ffff:127.0.0.1]:%d/", server_port);
	fetch_one(&o, url, NULL, NULL, &r);
	assert_int_equal(r.error, -EACCES);
	res_free(&r);
	snprintf(url, sizeof(url), "http://[::1]:%d/", server_port);
	fetch_one(&o, url, NULL, NULL, &r);
	assert_int_equal(r.error, -EACCES);
	res_free(&r);
	fetch_one(&o, "http://169.254.169.254/latest/meta-data/", NULL, NULL,
		  &r);
	assert_int_equal(r.error, -EACCES);
	assert_string_equal(r.error_msg,
			    "connect to 169.254.169.254 refused by address policy");
	res_free(&r);
}

static void
test_redirect_to_metadata_address_is_refused(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	/* policy on; only the fixture server's exact address is exempt */
	fetch_opts_default(&o);
	o.allow_addrs = "127.0.0.1";
	fetch_one(&o, "/_bad/to?url=http://169.254.169.254/latest/meta-data/",
		  NULL, NULL, &r);
	assert_int_equal(r.error, -EACCES);
	assert_string_equal(r.error_msg,
			    "connect to 169.254.169.254 refused by address policy");
	res_free(&r);
	fetch_one(&o, "/_bad/to?url=http://10.0.0.1/", NULL, NULL, &r);
	assert_int_equal(r.error, -EACCES);
	res_free(&r);
	/* and the exemption itself works */
	fetch_one(&o, "/feed.xml", NULL, NULL, &r);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.status, 200);
	res_free(&r);
}

static void
test_malformed_allowlist_is_rejected(void **state)
{
	struct fetch_opts o;
	struct fetcher *f = NULL;
	uv_loop_t loop;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	fetch_opts_default(&o);
	o.allow_addrs = "127.0.0.1,intranet.example";
	assert_int_equal(fetch_new(&loop, &o, &f), -EINVAL);
	assert_null(f);
	assert_int_equal(uv_loop_close(&loop), 0);
}

/* allow_private does not open these (issue #22 item 3). */
static void
test_link_local_is_classified_apart_from_private(void **state)
{
	static const struct { const char *a; int ll; } cases[] = {
		{ "169.254.169.254", 1 }, { "169.254.0.1", 1 },
		{ "169.255.0.1", 0 }, { "10.0.0.1", 0 }, { "127.0.0.1", 0 },
		{ "fe80::1", 1 }, { "febf::1", 1 }, { "fec0::1", 0 },
		{ "fd00::1", 0 }, { "::ffff:169.254.169.254", 1 },
		{ "64:ff9b::a9fe:a9fe", 1 }, { "2002:a9fe:a9fe::1", 1 },
		{ "::1", 0 }, { "2001:db8::1", 0 },
	};
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sockaddr *sa;

		memset(&in4, 0, sizeof(in4));
		memset(&in6, 0, sizeof(in6));
		if (inet_pton(AF_INET, cases[i].a, &in4.sin_addr) == 1) {
			in4.sin_family = AF_INET;
			sa = (struct sockaddr *)&in4;
		} else {
			assert_int_equal(inet_pton(AF_INET6, cases[i].a,
						   &in6.sin6_addr), 1);
			in6.sin6_family = AF_INET6;
			sa = (struct sockaddr *)&in6;
		}
		if (fetch_addr_link_local(sa) != cases[i].ll)
			fail_msg("%s: expected %d", cases[i].a, cases[i].ll);
	}
}

static void
test_address_policy_classifies_v4_and_v6(void **state)
{
	static const struct { const char *a; int denied; } cases[] = {
		{ "127.0.0.1", 1 }, { "127.255.1.2", 1 }, { "10.1.2.3", 1 },
		{ "172.16.0.1", 1 }, { "172.31.255.255", 1 },
		{ "172.32.0.1", 0 }, { "192.168.1.1", 1 },
		{ "169.254.169.254", 1 }, { "100.64.0.1", 1 },
		{ "100.128.0.1", 0 }, { "0.0.0.0", 1 }, { "224.0.0.1", 1 },
		{ "255.255.255.255", 1 }, { "8.8.8.8", 0 },
		{ "93.184.216.34", 0 }, { "::", 1 }, { "::1", 1 },
		{ "::ffff:127.0.0.1", 1 }, { "::ffff:10.0.0.1", 1 },
		{ "::ffff:8.8.8.8", 0 }, { "fe80::1", 1 }, { "fc00::1", 1 },
		{ "fd12:3456::1", 1 }, { "ff02::1", 1 },
		{ "64:ff9b::a9fe:a9fe", 1 }, { "2002:7f00:1::1", 1 },
		{ "2001:4860:4860::8888", 0 }, { "2a00:1450:4001::1", 0 },
	};
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&in4, 0, sizeof(in4));
		memset(&in6, 0, sizeof(in6));
		if (inet_pton(AF_INET, cases[i].a, &in4.sin_addr) == 1) {
			in4.sin_family = AF_INET;
			if (fetch_addr_denied((struct sockaddr *)&in4) !=
			    cases[i].denied)
				fail_msg("%s: expected %d", cases[i].a,
					 cases[i].denied);
		} else {
			assert_int_equal(inet_pton(AF_INET6, cases[i].a,
						   &in6.sin6_addr), 1);
			in6.sin6_family = AF_INET6;
			if (fetch_addr_denied((struct sockaddr *)&in6) !=
			    cases[i].denied)
				fail_msg("%s: expected %d", cases[i].a,
					 cases[i].denied);
		}
	}
}

static void
test_429_retry_after_seconds_is_reported(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	test_opts(&o);
	fetch_one(&o, "/_bad/status/429?retry_after=120", NULL, NULL, &r);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.retry_after, 120);
	res_free(&r);
	fetch_one(&o, "/_bad/status/503", NULL, NULL, &r);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.retry_after, -1);
	res_free(&r);
}

static void
test_503_retry_after_http_date_is_converted_to_seconds(void **state)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
					   "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct fetch_opts o;
	struct res r;
	char path[256];
	time_t when = time(NULL) + 3600;
	struct tm tm;

	(void)state;
	gmtime_r(&when, &tm);
	/* IMF-fixdate, spaces and comma percent-encoded in the query */
	snprintf(path, sizeof(path),
		 "/_bad/status/503?retry_after=%s%%2C%%20%02d%%20%s%%20%d"
		 "%%20%02d:%02d:%02d%%20GMT", wd[tm.tm_wday], tm.tm_mday,
		 mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
	test_opts(&o);
	fetch_one(&o, path, NULL, NULL, &r);
	assert_int_equal(r.status, 503);
	/* an hour from the moment the URL was built, minus the time since */
	assert_true(r.retry_after > 0);
	assert_true(r.retry_after <= 3600);
	assert_true(r.retry_after > 3000);
	res_free(&r);
	/* a date in the past means "now" */
	fetch_one(&o, "/_bad/status/429?retry_after=Wed%2C%2021%20Oct%202015"
		  "%2007%3A28%3A00%20GMT", NULL, NULL, &r);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.retry_after, 0);
	res_free(&r);
}

static void
test_endless_body_stops_at_the_size_cap(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	test_opts(&o);
	o.max_body = 64 * 1024;
	fetch_one(&o, "/_bad/endless", NULL, NULL, &r);
	assert_int_equal(r.error, -EFBIG);
	assert_string_equal(r.error_msg, "body exceeds 65536 bytes");
	assert_true(r.len <= 64 * 1024);
	res_free(&r);
}

static void
test_gzip_bomb_stops_at_the_decoded_size_cap(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	test_opts(&o);
	o.max_body = 1024 * 1024;
	/* about 64 KB on the wire, 64 MiB decoded */
	fetch_one(&o, "/_bad/gzipbomb?mb=64", NULL, NULL, &r);
	assert_int_equal(r.error, -EFBIG);
	assert_string_equal(r.error_msg, "body exceeds 1048576 bytes");
	assert_true(r.len <= 1024 * 1024);
	res_free(&r);
	/* the same body under a cap it fits in is delivered whole */
	o.max_body = 2 * 1024 * 1024;
	fetch_one(&o, "/_bad/gzipbomb?mb=1", NULL, NULL, &r);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.len, 1024 * 1024);
	res_free(&r);
}

static void
test_drip_feed_times_out_on_low_speed(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	test_opts(&o);
	o.low_speed_limit = 100;
	o.low_speed_time = 1;
	fetch_one(&o, "/_bad/drip?bytes=1000&delay=0.5", NULL, NULL, &r);
	assert_int_equal(r.error, -ETIMEDOUT);
	assert_string_equal(r.error_msg, "slower than 100 B/s for 1 s");
	res_free(&r);
}

static void
test_server_that_never_answers_hits_the_total_timeout(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	test_opts(&o);
	o.total_timeout_ms = 1000;
	o.low_speed_time = 60;
	fetch_one(&o, "/_bad/hang", NULL, NULL, &r);
	assert_int_equal(r.error, -ETIMEDOUT);
	assert_string_equal(r.error_msg, "timed out after 1 s");
	assert_int_equal(r.status, 0);
	res_free(&r);
	fetch_one(&o, "/_bad/slowheaders?delay=0.1", NULL, NULL, &r);
	assert_int_equal(r.error, -ETIMEDOUT);
	res_free(&r);
}

static void
test_peer_that_never_completes_the_handshake_hits_connect_timeout(
	void **state)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	struct fetch_opts o;
	struct res r;
	char url[128];
	int lfd, cfd[8], i;

	(void)state;
	/* A listener that never accepts, its backlog filled: further SYNs
	 * are dropped and connect() never completes. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &salen), 0);
	for (i = 0; i < 8; i++) {
		cfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(cfd[i] >= 0);
		connect(cfd[i], (struct sockaddr *)&sa, sizeof(sa));
	}
	test_opts(&o);
	o.connect_timeout_ms = 500;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/feed.xml",
		 ntohs(sa.sin_port));
	fetch_one(&o, url, NULL, NULL, &r);
	assert_int_equal(r.error, -ETIMEDOUT);
	assert_string_equal(r.error_msg, "connect timed out after 0.5 s");
	res_free(&r);
	for (i = 0; i < 8; i++)
		close(cfd[i]);
	close(lfd);
}

static void
test_reset_mid_body_is_an_error(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	test_opts(&o);
	fetch_one(&o, "/_bad/reset", NULL, NULL, &r);
	assert_int_equal(r.error, -ECONNRESET);
	res_free(&r);
	fetch_one(&o, "/_bad/badlength", NULL, NULL, &r);
	assert_int_equal(r.error, -EPROTO);
	assert_non_null(r.error_msg);
	res_free(&r);
}

static void
test_ten_thousand_headers_fail_cleanly(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	test_opts(&o);
	fetch_one(&o, "/_bad/headers?n=10000", NULL, NULL, &r);
	assert_int_equal(r.error, -EFBIG);
	assert_string_equal(r.error_msg, "response headers exceed 65536 bytes");
	res_free(&r);
	/* a merely generous header block is fine */
	fetch_one(&o, "/_bad/headers?n=100", NULL, NULL, &r);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.status, 200);
	res_free(&r);
}

static void
test_unresolvable_host_is_host_unreachable(void **state)
{
	struct fetch_opts o;
	struct res r;

	(void)state;
	test_opts(&o);
	fetch_one(&o, "http://briefwatch-test.invalid/feed.xml", NULL, NULL,
		  &r);
	assert_int_equal(r.error, -EHOSTUNREACH);
	res_free(&r);
}

static void
test_many_concurrent_jobs_all_complete(void **state)
{
	static const char *const paths[] = { "/feed.xml", "/atom.xml",
		"/feed.json", "/briefings/" };
	struct fetch_opts o;
	struct ctx *c = calloc(1, sizeof(*c));
	char path[64];
	int i, n = 60;

	(void)state;
	assert_non_null(c);
	test_opts(&o);
	o.max_host_conns = 4;
	o.max_total_conns = 8;
	ctx_init(c, &o, n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s?many=%d", paths[i % 4], i);
		start(c, path, NULL, NULL, NULL);
	}
	assert_int_equal(fetch_active(c->f), (size_t)n);
	ctx_run(c);
	assert_int_equal(c->ncb, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(c->res[i].error, 0);
		assert_int_equal(c->res[i].status, 200);
		assert_true(c->res[i].len > 0);
	}
	ctx_free(c);
	free(c);
}

static void
test_cancelled_job_never_calls_back(void **state)
{
	struct fetch_opts o;
	struct ctx *c = calloc(1, sizeof(*c));
	struct fetch_job *hang = NULL, *ok = NULL;

	(void)state;
	assert_non_null(c);
	test_opts(&o);
	ctx_init(c, &o, 1);
	start(c, "/_bad/hang?cancel", NULL, NULL, &hang);
	start(c, "/feed.xml?cancel", NULL, NULL, &ok);
	assert_non_null(hang);
	assert_int_equal(fetch_active(c->f), 2);
	fetch_cancel(c->f, hang);
	assert_int_equal(fetch_active(c->f), 1);
	ctx_run(c);
	assert_int_equal(c->ncb, 1);
	assert_int_equal(c->res[0].status, 200);
	ctx_free(c);
	free(c);
}

/* Closes the fetcher once the loop has made progress on every transfer:
 * the hanging ones are connected and waiting when this fires. */
static void
on_first_then_close(void *arg, const struct fetch_result *r)
{
	struct ctx *c = arg;

	c->ncb++;
	if (r->error)
		print_message("%s\n", r->error_msg);
	assert_int_equal(r->status, 200);
	fetch_close(c->f, on_closed, c);
}

static void
test_close_with_jobs_in_flight_releases_everything(void **state)
{
	struct fetch_opts o;
	struct ctx *c = calloc(1, sizeof(*c));
	struct fetch_req req = { 0 };
	char url[256];
	int i;

	(void)state;
	assert_non_null(c);
	test_opts(&o);
	o.max_host_conns = 8;
	ctx_init(c, &o, -1);
	for (i = 0; i < 3; i++)
		start(c, "/_bad/hang?close", NULL, NULL, NULL);
	start(c, "/_bad/slowheaders?delay=1", NULL, NULL, NULL);
	start(c, "/_bad/drip?bytes=100&delay=1", NULL, NULL, NULL);
	url_of(url, sizeof(url), "/_bad/status/200?close");
	req.url = url;
	assert_int_equal(fetch_start(c->f, &req, on_first_then_close, c, NULL),
			 0);
	assert_int_equal(fetch_active(c->f), 6);
	ctx_run(c);
	assert_int_equal(c->ncb, 1);       /* only the one that finished */
	ctx_free(c);
	free(c);
}

static void
test_close_before_the_loop_runs(void **state)
{
	struct fetch_opts o;
	struct ctx *c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	test_opts(&o);
	ctx_init(c, &o, -1);
	start(c, "/feed.xml?early", NULL, NULL, NULL);
	fetch_close(c->f, on_closed, c);
	ctx_run(c);
	assert_int_equal(c->ncb, 0);
	ctx_free(c);
	free(c);
}

static void
on_chain(void *arg, const struct fetch_result *r)
{
	struct ctx *c = arg;
	struct fetch_req req = { 0 };
	char url[256];

	assert_int_equal(r->status, 200);
	if (++c->ncb == c->want) {
		fetch_close(c->f, on_closed, c);
		return;
	}
	url_of(url, sizeof(url), "/feed.xml?chain");
	req.url = url;
	assert_int_equal(fetch_start(c->f, &req, on_chain, c, NULL), 0);
}

static void
test_callback_may_start_the_next_job(void **state)
{
	struct fetch_opts o;
	struct ctx *c = calloc(1, sizeof(*c));
	struct fetch_req req = { 0 };
	char url[256];

	(void)state;
	assert_non_null(c);
	test_opts(&o);
	ctx_init(c, &o, 3);
	url_of(url, sizeof(url), "/feed.xml?chain");
	req.url = url;
	assert_int_equal(fetch_start(c->f, &req, on_chain, c, NULL), 0);
	ctx_run(c);
	assert_int_equal(c->ncb, 3);
	ctx_free(c);
	free(c);
}

static void
test_sequential_jobs_reuse_one_connection(void **state)
{
	struct fetch_opts o;
	struct ctx *c = calloc(1, sizeof(*c));
	struct fetch_req req = { 0 };
	char url[256];

	(void)state;
	assert_non_null(c);
	test_opts(&o);
	server_stat("_connections", 1);
	ctx_init(c, &o, 6);
	url_of(url, sizeof(url), "/feed.xml?chain");
	req.url = url;
	assert_int_equal(fetch_start(c->f, &req, on_chain, c, NULL), 0);
	ctx_run(c);
	assert_int_equal(c->ncb, 6);
	assert_int_equal(server_stat("_connections", 0), 1);
	ctx_free(c);
	free(c);
}

/* n slow transfers at once; returns the most the server saw at once. */
static long
peak_for(long host_cap, int n)
{
	struct fetch_opts o;
	struct ctx *c = calloc(1, sizeof(*c));
	int i;
	long peak;

	assert_non_null(c);
	test_opts(&o);
	o.max_host_conns = host_cap;
	server_stat("_peak:/_bad/slow", 1);
	ctx_init(c, &o, n);
	for (i = 0; i < n; i++)
		start(c, "/_bad/slow?delay=0.2", NULL, NULL, NULL);
	ctx_run(c);
	assert_int_equal(c->ncb, n);
	for (i = 0; i < n; i++)
		assert_int_equal(c->res[i].status, 200);
	peak = server_stat("_peak:/_bad/slow", 0);
	ctx_free(c);
	free(c);
	return peak;
}

static void
test_per_host_connection_cap_is_honoured(void **state)
{
	long capped, wider;

	(void)state;
	capped = peak_for(2, 10);
	assert_true(capped >= 1);
	assert_true(capped <= 2);
	/* the cap is what limited it: a wider one is used */
	wider = peak_for(6, 10);
	assert_true(wider > 2);
	assert_true(wider <= 6);
}

static void
test_header_injection_in_validators_is_rejected(void **state)
{
	struct fetch_opts o;
	struct ctx *c = calloc(1, sizeof(*c));
	struct fetch_req req = { 0 };
	char url[256];

	(void)state;
	assert_non_null(c);
	test_opts(&o);
	ctx_init(c, &o, -1);
	url_of(url, sizeof(url), "/feed.xml");
	req.url = url;
	req.etag = "\"abc\"\r\nX-Injected: 1";
	assert_int_equal(fetch_start(c->f, &req, on_done, c, NULL), -EINVAL);
	assert_int_equal(fetch_active(c->f), 0);
	fetch_close(c->f, on_closed, c);
	ctx_run(c);
	assert_int_equal(c->ncb, 0);
	ctx_free(c);
	free(c);
}

/* ---- the hardened option set, on a bare easy handle -------------------- */

static size_t
sink(char *p, size_t size, size_t n, void *u)
{
	(void)p;
	(void)u;
	return size * n;
}

static size_t
grab_encoding(char *p, size_t size, size_t n, void *u)
{
	size_t len = size * n;

	if (len > 17 && !strncasecmp(p, "Content-Encoding:", 17))
		snprintf(u, 64, "%.*s", (int)(len - 17), p + 17);
	return len;
}

/* When set, perform() widens CURLOPT_PROTOCOLS_STR after the setup. */
static const char *extra_protocols;

static CURLcode
perform(const struct fetch_opts *o, const char *path, long *redirects,
	char enc[64])
{
	char url[512];
	CURLcode rc;
	CURL *e = curl_easy_init();

	assert_non_null(e);
	assert_int_equal(fetch_setup_easy(e, o), CURLE_OK);
	url_of(url, sizeof(url), path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
	if (extra_protocols)
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, extra_protocols);
	if (enc) {
		enc[0] = '\0';
		curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, grab_encoding);
		curl_easy_setopt(e, CURLOPT_HEADERDATA, enc);
	}
	rc = curl_easy_perform(e);
	if (redirects)
		curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, redirects);
	curl_easy_cleanup(e);
	return rc;
}

static void
test_setup_easy_sets_the_hardened_options(void **state)
{
	struct fetch_opts o;
	char f[6][512], enc[64];
	long redirects = -1;

	(void)state;
	test_opts(&o);
	o.user_agent = "bw-options-test/1";
	o.max_redirs = 2;
	o.max_body = 1000;
	/* USERAGENT, ACCEPT_ENCODING "" */
	assert_int_equal(perform(&o, "/feed.xml?opts", NULL, enc), CURLE_OK);
	assert_true(log_last("/feed.xml?opts", f));
	assert_string_equal(f[5], "bw-options-test/1");
	assert_non_null(strstr(enc, "gzip"));
	/* MAXREDIRS */
	assert_int_equal(perform(&o, "/_bad/loop?opts", &redirects, NULL),
			 CURLE_TOO_MANY_REDIRECTS);
	assert_int_equal(redirects, 2);
	/* PROTOCOLS_STR and REDIR_PROTOCOLS_STR */
	assert_int_equal(perform(&o, "/_bad/to?url=file:///etc/passwd", NULL,
				 NULL), CURLE_UNSUPPORTED_PROTOCOL);
	assert_int_equal(perform(&o, "file:///etc/passwd", NULL, NULL),
			 CURLE_UNSUPPORTED_PROTOCOL);
	assert_int_equal(perform(&o, "dict://127.0.0.1:1/", NULL, NULL),
			 CURLE_UNSUPPORTED_PROTOCOL);
	/* REDIR_PROTOCOLS_STR on its own: even with ftp allowed for the
	 * first request, a redirect may not lead there */
	extra_protocols = "http,https,ftp";
	assert_int_equal(perform(&o, "/_bad/to?url=ftp://127.0.0.1:1/", NULL,
				 NULL), CURLE_UNSUPPORTED_PROTOCOL);
	extra_protocols = NULL;
	/* MAXFILESIZE for a body of known length (the write callback covers
	 * the rest, tested above) */
	assert_int_equal(perform(&o, "/_bad/drip?bytes=5000&delay=1", NULL,
				 NULL), CURLE_FILESIZE_EXCEEDED);
	/* LOW_SPEED_LIMIT/TIME */
	o.max_body = 1000000;
	o.low_speed_time = 1;
	assert_int_equal(perform(&o, "/_bad/drip?bytes=50&delay=0.6&opts",
				 NULL, NULL), CURLE_OPERATION_TIMEDOUT);
	/* TIMEOUT_MS */
	o.low_speed_time = 60;
	o.total_timeout_ms = 500;
	assert_int_equal(perform(&o, "/_bad/hang?opts", NULL, NULL),
			 CURLE_OPERATION_TIMEDOUT);
	/* OPENSOCKETFUNCTION with the deny policy */
	o.allow_private = 0;
	assert_int_equal(perform(&o, "/feed.xml?opts-denied", NULL, NULL),
			 CURLE_COULDNT_CONNECT);
	assert_false(log_last("/feed.xml?opts-denied", f));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_returns_body_and_validators_of_the_final_response),
		cmocka_unit_test(test_default_user_agent_names_project_version_and_url),
		cmocka_unit_test(test_directory_url_and_atom_content_types),
		cmocka_unit_test(test_conditional_request_with_etag_is_answered_304),
		cmocka_unit_test(test_conditional_request_with_last_modified_only_is_answered_304),
		cmocka_unit_test(test_permanent_redirect_chain_sets_permanent_url),
		cmocka_unit_test(test_one_temporary_hop_leaves_permanent_url_unset),
		cmocka_unit_test(test_validators_come_from_the_final_response_not_a_hop),
		cmocka_unit_test(test_redirect_loop_fails_with_eloop_after_max_redirs),
		cmocka_unit_test(test_redirect_to_file_and_gopher_is_refused),
		cmocka_unit_test(test_loopback_is_refused_unless_private_peers_are_allowed),
		cmocka_unit_test(test_redirect_to_metadata_address_is_refused),
		cmocka_unit_test(test_malformed_allowlist_is_rejected),
		cmocka_unit_test(test_address_policy_classifies_v4_and_v6),
		cmocka_unit_test(test_link_local_is_classified_apart_from_private),
		cmocka_unit_test(test_429_retry_after_seconds_is_reported),
		cmocka_unit_test(test_503_retry_after_http_date_is_converted_to_seconds),
		cmocka_unit_test(test_endless_body_stops_at_the_size_cap),
		cmocka_unit_test(test_gzip_bomb_stops_at_the_decoded_size_cap),
		cmocka_unit_test(test_drip_feed_times_out_on_low_speed),
		cmocka_unit_test(test_server_that_never_answers_hits_the_total_timeout),
		cmocka_unit_test(test_peer_that_never_completes_the_handshake_hits_connect_timeout),
		cmocka_unit_test(test_reset_mid_body_is_an_error),
		cmocka_unit_test(test_ten_thousand_headers_fail_cleanly),
		cmocka_unit_test(test_unresolvable_host_is_host_unreachable),
		cmocka_unit_test(test_many_concurrent_jobs_all_complete),
		cmocka_unit_test(test_cancelled_job_never_calls_back),
		cmocka_unit_test(test_close_with_jobs_in_flight_releases_everything),
		cmocka_unit_test(test_close_before_the_loop_runs),
		cmocka_unit_test(test_callback_may_start_the_next_job),
		cmocka_unit_test(test_sequential_jobs_reuse_one_connection),
		cmocka_unit_test(test_per_host_connection_cap_is_honoured),
		cmocka_unit_test(test_header_injection_in_validators_is_rejected),
		cmocka_unit_test(test_setup_easy_sets_the_hardened_options),
	};

	/* A hung transfer must not hang the build: the whole program gets
	 * a generous budget, far above any single test. */
	alarm(600);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, server_start, server_stop);
}
