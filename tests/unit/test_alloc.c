/* test_alloc.c — allocation-failure torture for the parsers (issue 9,
 * RELIABILITY.md "OOM testing", as SQLite does it): for feed_parse,
 * transcript_parse, proto_decode and config_parse on the fixture inputs,
 * fail the Nth allocation for N = 1, 2, ... until the call no longer
 * reaches an Nth allocation. Each run must not crash, must leave exactly
 * as many live allocations as before it (mallocs minus frees), and when it
 * still reports success it must give the same result as an undisturbed run
 * (a parser may not silently drop data it could not allocate for).
 *
 * The allocator is replaced in this executable: malloc, calloc, realloc,
 * free and the aligned variants delegate to glibc's __libc_* entry points
 * with a counter and a countdown. glibc, libxml2, jansson and iconv all
 * call them through the dynamic symbol, so everything the parsers do is
 * counted; libxml2 and jansson are also pointed at the wrappers explicitly
 * (xmlMemSetup, json_set_alloc_funcs) in case they were built with their
 * own allocator hooks.
 *
 * ASan replaces malloc itself, so under ASan the test is skipped.
 *
 * Runs are capped: inputs needing more than SAMPLE_FULL allocations are
 * tested exhaustively up to SAMPLE_HEAD and then at SAMPLE_SPREAD points
 * spread over the rest. BW_ALLOC_FULL=1 tests every N.
 */
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xmlmemory.h>

#include "briefing.h"
#include "buf.h"
#include "config.h"
#include "feed.h"
#include "proto.h"
#include "transcript.h"

#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOC_UNDER_ASAN 1
#endif
#endif

#define FIXTURES BW_SRCDIR "/tests/fixtures/"
#define SEEDS BW_SRCDIR "/tests/fuzz/seeds/"

enum {
	SAMPLE_FULL = 3000,   /* at most this many allocations: every N */
	SAMPLE_HEAD = 1500,   /* else every N up to here ... */
	SAMPLE_SPREAD = 1000, /* ... and this many points over the rest */
	ALLOC_CAP = 20000,    /* a parse needing more is itself a finding */
};

/* ---- the counting, failing allocator ---------------------------------- */

static volatile long alloc_live;   /* blocks handed out and not freed (always) */
static volatile long alloc_seq;    /* allocations seen while injecting */
static long alloc_fail_at; /* fail allocation number N (1-based); 0: never */
static int alloc_injecting;
static volatile int alloc_hit;     /* the countdown fired during this run */
static int alloc_trap;     /* raise SIGTRAP at the failing allocation */
static volatile int alloc_in_xml; /* inside libxml2's or jansson's hooks */
static int alloc_xml_fail; /* 1: fail the libraries' allocations too */
/* For the reference run: which allocation numbers the libraries made. */
static unsigned char alloc_xml_map[ALLOC_CAP + 1];
static int alloc_recording;
/* Where the failed allocation was made (for BW_ALLOC_WHERE=1). */
static void *alloc_where[24];
static int alloc_nwhere;

#ifndef ALLOC_UNDER_ASAN
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *__libc_memalign(size_t align, size_t n);

void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void free(void *p);
int posix_memalign(void **out, size_t align, size_t n);
void *aligned_alloc(size_t align, size_t n);
void *memalign(size_t align, size_t n);

/* 1 when this allocation is the one to fail. */
static int
alloc_should_fail(void)
{
	if (!alloc_injecting)
		return 0;
	alloc_seq++;
	if (alloc_recording && alloc_seq <= ALLOC_CAP)
		alloc_xml_map[alloc_seq] = (unsigned char)alloc_in_xml;
	if (alloc_in_xml && !alloc_xml_fail)
		return 0;
	if (alloc_fail_at && alloc_seq == alloc_fail_at) {
		alloc_hit = 1;
		alloc_nwhere = backtrace(alloc_where, 24);
		if (alloc_trap)
			raise(SIGTRAP);
		return 1;
	}
	return 0;
}

void *
malloc(size_t n)
{
	void *p;

	if (alloc_should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	p = __libc_malloc(n);
	if (p)
		alloc_live++;
	return p;
}

void *
calloc(size_t n, size_t m)
{
	void *p;

	if (alloc_should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	p = __libc_calloc(n, m);
	if (p)
		alloc_live++;
	return p;
}

void *
realloc(void *old, size_t n)
{
	void *p;

	if (!old)
		return malloc(n);
	if (n == 0) {
		free(old);
		return NULL;
	}
	if (alloc_should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	p = __libc_realloc(old, n);
	return p;
}

void
free(void *p)
{
	if (!p)
		return;
	alloc_live--;
	__libc_free(p);
}

void *
memalign(size_t align, size_t n)
{
	void *p;

	if (alloc_should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	p = __libc_memalign(align, n);
	if (p)
		alloc_live++;
	return p;
}

void *
aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p = memalign(align, n);

	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

/* libxml2's hooks mark what they allocate: libxml2 2.9.14 itself does
 * not survive every failed allocation (it leaks in htmlCreatePushParser-
 * Ctxt and can loop forever in the HTML push parser; see
 * docs/reliability-hostile.md), so by default only the allocations of our
 * code and glibc are failed. BW_ALLOC_LIBS=1 fails libxml2's and
 * jansson's too. */
static void *
alloc_malloc(size_t n)
{
	void *p;

	alloc_in_xml++;
	p = malloc(n);
	alloc_in_xml--;
	return p;
}

static void *
alloc_realloc(void *p, size_t n)
{
	alloc_in_xml++;
	p = realloc(p, n);
	alloc_in_xml--;
	return p;
}

static void
alloc_free(void *p)
{
	free(p);
}

/* jansson 2.14's lexer ignores a failed buffer growth and silently drops
 * the character (see docs/reliability-hostile.md): its allocations are
 * marked like libxml2's. */
static void *
alloc_json_malloc(size_t n)
{
	void *p;

	alloc_in_xml++;
	p = malloc(n);
	alloc_in_xml--;
	return p;
}

static char *
alloc_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = alloc_malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}
#endif /* !ALLOC_UNDER_ASAN */

/* ---- inputs ----------------------------------------------------------- */

struct input {
	const char *name; /* for messages */
	char *data;
	size_t len;
	const char *url;  /* transcript: the page URL; feed: the base URL */
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		print_error("cannot open %s\n", path);
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return s;
}

/* ---- one call under test ---------------------------------------------- */

/* A target runs its parser on in with injection armed, then (disarmed)
 * turns a successful result into a canonical string in *out and frees
 * everything. Returns the parser's return value. */
typedef int (*target_fn)(const struct input *in, char **out);

static void
arm(long fail_at)
{
	alloc_seq = 0;
	alloc_hit = 0;
	alloc_fail_at = fail_at;
	alloc_injecting = 1;
}

static void
disarm(void)
{
	alloc_injecting = 0;
	/* libxml2 keeps the last error (with a malloc'd message) in a
	 * global until the next error; it is not the parser's leak. */
	xmlResetLastError();
}

/* The outcome of a failed call, comparable like a result. */
static char *
dump_error(int r)
{
	char *s = malloc(32);

	assert_non_null(s);
	snprintf(s, 32, "error %d", r);
	return s;
}

static char *
dump_json(json_t *j)
{
	char *s;

	assert_non_null(j);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_non_null(s);
	json_decref(j);
	return s;
}

static int
run_feed(const struct input *in, char **out)
{
	struct feed_limits lim;
	struct feed_doc *doc = NULL;
	char *err = NULL;
	int r;

	feed_limits_default(&lim);
	arm(alloc_fail_at);
	r = feed_parse(in->data, in->len, NULL, in->url, &lim, &doc, &err);
	disarm();
	*out = NULL;
	if (r == 0) {
		assert_non_null(doc);
		*out = dump_json(feed_doc_to_json(doc));
		feed_doc_free(doc);
	} else {
		assert_null(doc);
		*out = dump_error(r);
	}
	free(err);
	return r;
}

/* feed_doc_dump() alone under failing allocations: NULL (-ENOMEM) or
 * exactly the text it writes when nothing fails. */
static int
run_feed_dump(const struct input *in, char **out)
{
	struct feed_limits lim;
	struct feed_doc *doc = NULL;
	char *err = NULL, *text;
	int r;

	feed_limits_default(&lim);
	r = feed_parse(in->data, in->len, NULL, in->url, &lim, &doc, &err);
	free(err);
	if (r < 0) { /* a refused feed: nothing to dump */
		*out = dump_error(r);
		return r;
	}
	arm(alloc_fail_at);
	text = feed_doc_dump(doc, JSON_COMPACT);
	disarm();
	feed_doc_free(doc);
	if (!text) {
		*out = dump_error(-ENOMEM);
		return -ENOMEM;
	}
	*out = text;
	return 0;
}

static int
run_transcript(const struct input *in, char **out)
{
	struct transcript_opts o = {.url = in->url};
	struct briefing *b = NULL;
	char *err = NULL;
	int r;

	arm(alloc_fail_at);
	r = transcript_parse(in->data, in->len, &o, &b, &err);
	disarm();
	*out = NULL;
	if (r == 0) {
		assert_non_null(b);
		*out = dump_json(briefing_to_json(b, 1));
		briefing_free(b);
	} else {
		assert_null(b);
		*out = dump_error(r);
	}
	free(err);
	return r;
}

static void
strv_json(json_t *o, const char *key, char **v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	json_object_set_new(o, key, a);
}

static void
str_json(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, v ? json_string(v) : json_null());
}

static int
run_proto(const struct input *in, char **out)
{
	struct proto_req req;
	const char *code = NULL, *why = NULL;
	json_t *j;
	int r;

	arm(alloc_fail_at);
	r = proto_decode(in->data, in->len, &req, &code, &why);
	disarm();
	*out = NULL;
	if (r < 0) {
		/* A refusal names its cause; nothing to free. */
		assert_non_null(code);
		assert_non_null(why);
		*out = dump_error(r);
		return r;
	}
	j = json_object();
	json_object_set_new(j, "op", json_integer(req.op));
	json_object_set_new(j, "id", req.id ? json_copy(req.id) : json_null());
	json_object_set_new(j, "since", json_integer(req.since));
	strv_json(j, "feeds", req.feeds, req.nfeeds);
	strv_json(j, "speakers", req.speakers, req.nspeakers);
	strv_json(j, "kinds", req.kinds, req.nkinds);
	str_json(j, "query", req.query);
	str_json(j, "speaker", req.speaker);
	str_json(j, "feed", req.feed);
	str_json(j, "kind", req.kind);
	str_json(j, "date_since", req.date_since);
	str_json(j, "date_until", req.date_until);
	json_object_set_new(j, "limit", json_integer((json_int_t)req.limit));
	json_object_set_new(j, "get_id", json_integer(req.get_id));
	str_json(j, "poll_feed", req.poll_feed);
	*out = dump_json(j);
	proto_req_clear(&req);
	return r;
}

static int
run_config(const struct input *in, char **out)
{
	struct config *c = NULL;
	char *err = NULL;
	json_t *j, *feeds;
	size_t i;
	int r;

	arm(alloc_fail_at);
	r = config_parse(in->data, in->len, &c, &err);
	disarm();
	*out = NULL;
	if (r < 0) {
		assert_null(c);
		free(err);
		*out = dump_error(r);
		return r;
	}
	assert_non_null(c);
	j = json_object();
	str_json(j, "database", c->database);
	str_json(j, "socket", c->socket);
	str_json(j, "socket_group", c->socket_group);
	str_json(j, "admin_group", c->admin_group);
	str_json(j, "profiles_dir", c->profiles_dir);
	str_json(j, "user_agent", c->user_agent);
	json_object_set_new(j, "interval", json_integer(c->interval_ms));
	json_object_set_new(j, "max_feed", json_integer((json_int_t)c->max_feed_bytes));
	feeds = json_array();
	for (i = 0; i < c->nfeeds; i++) {
		const struct config_feed *f = &c->feeds[i];
		json_t *fj = json_object();

		str_json(fj, "name", f->name);
		str_json(fj, "url", f->url);
		str_json(fj, "profile", f->profile);
		str_json(fj, "xpath_body", f->xpath_body);
		str_json(fj, "xpath_title", f->xpath_title);
		str_json(fj, "xpath_date", f->xpath_date);
		json_object_set_new(fj, "interval", json_integer(f->interval_ms));
		json_array_append_new(feeds, fj);
	}
	json_object_set_new(j, "feeds", feeds);
	*out = dump_json(j);
	config_free(c);
	free(err);
	return r;
}

/* config_feed_format() alone under failing allocations: every feed of
 * the parsed config formatted into one buffer. A section written short
 * (an append that failed unseen) must not come back as success. */
static int
run_config_format(const struct input *in, char **out)
{
	struct config *c = NULL;
	struct buf b = BUF_INIT;
	char *err = NULL;
	size_t i;
	int r;

	r = config_parse(in->data, in->len, &c, &err);
	free(err);
	assert_int_equal(r, 0);
	arm(alloc_fail_at);
	for (i = 0; r == 0 && i < c->nfeeds; i++)
		r = config_feed_format(&c->feeds[i], &b);
	disarm();
	config_free(c);
	if (r < 0) {
		buf_free(&b);
		*out = dump_error(r);
		return r;
	}
	*out = strdup(buf_str(&b));
	assert_non_null(*out);
	buf_free(&b);
	return 0;
}

/* ---- the torture loop ------------------------------------------------- */

struct report {
	unsigned runs, leaks, mismatches, errors, succeeded_anyway;
};

/* Fail allocation n of one call; check the outcome against the undisturbed
 * reference. Returns 1 when the countdown fired (there was an nth
 * allocation), 0 when the call finished before reaching it. */
static int
torture_one(target_fn fn, const struct input *in, const char *ref,
	    int ref_r, long n, struct report *rep)
{
	long before = alloc_live;
	char *out = NULL, *trap;
	int r, hit, bad = 0;

	alloc_fail_at = n;
	/* Debugging aid: BW_ALLOC_TRAP=NAME:N under gdb stops at the failing
	 * allocation N of input NAME. */
	trap = getenv("BW_ALLOC_TRAP");
	alloc_trap = trap && !strncmp(trap, in->name, strlen(in->name)) &&
		     trap[strlen(in->name)] == ':' &&
		     atol(trap + strlen(in->name) + 1) == n;
	r = fn(in, &out);
	alloc_trap = 0;
	hit = alloc_hit;
	rep->runs++;
	if (hit && r == ref_r) {
		/* The failure was absorbed: the result must be complete. */
		if (r == 0)
			rep->succeeded_anyway++;
		if (strcmp(out, ref) != 0) {
			bad = 1;
			if (rep->mismatches++ < 10)
				print_message("MISMATCH %s: failing allocation"
					      " %ld still returned %d with a "
					      "different result\n", in->name,
					      n, r);
			if (getenv("BW_ALLOC_WHERE"))
				print_message("  expected %.300s\n  got      "
					      "%.300s\n", ref, out);
		}
	} else if (hit && r == 0) {
		bad = 1;
		if (rep->mismatches++ < 10)
			print_message("MISMATCH %s: failing allocation %ld "
				      "turned error %d into success\n",
				      in->name, n, ref_r);
	} else if (hit && r != -ENOMEM) {
		/* Another error for an allocation failure misleads the
		 * caller; noted, not failed. */
		if (rep->errors++ < 3)
			print_message("NOTE %s: failing allocation %ld "
				      "returned %d (%s), not -ENOMEM\n",
				      in->name, n, r, strerror(-r));
	}
	free(out);
	if (alloc_live != before) {
		if (rep->leaks++ < 10)
			print_message("LEAK %s: failing allocation %ld left "
				      "%ld block(s) (returned %d)\n",
				      in->name, n, alloc_live - before, r);
		bad = 1;
	}
	if (bad && hit && getenv("BW_ALLOC_WHERE")) {
		fflush(stdout);
		backtrace_symbols_fd(alloc_where + 3, alloc_nwhere - 3, 1);
	}
	return hit;
}

static void
torture(target_fn fn, const struct input *in, struct report *total)
{
	struct report rep = {0};
	char *ref = NULL, *again = NULL;
	long before, count, n, step, last = 0, xml = 0, unreached = 0;
	int ref_r;
	int full = getenv("BW_ALLOC_FULL") != NULL, r;

	/* Warm-up: lazy global state (libxml2's dictionaries and globals,
	 * iconv's converters) is created once outside the counted runs. */
	alloc_fail_at = 0;
	ref_r = fn(in, &ref);
	free(ref);

	before = alloc_live;
	alloc_fail_at = 0;
	assert_int_equal(fn(in, &again), ref_r);
	free(again);
	assert_int_equal(alloc_live, before);
	alloc_recording = 1;
	r = fn(in, &ref);
	alloc_recording = 0;
	assert_int_equal(r, ref_r);
	count = alloc_seq;
	assert_int_equal(fn(in, &again), ref_r);
	/* The result must be deterministic, or mismatches mean nothing (the
	 * allocation count may move by a cached item). */
	assert_string_equal(ref, again);
	free(again);

	if (count > ALLOC_CAP) {
		print_message("NOTE %s: %ld allocations for one parse; "
			      "testing the first %d\n", in->name, count,
			      (int)ALLOC_CAP);
		count = ALLOC_CAP;
	}
	for (n = 1; n <= count; n++) {
		if (alloc_xml_map[n] && !alloc_xml_fail) {
			xml++;
			continue;
		}
		if (!full && count > SAMPLE_FULL && n > SAMPLE_HEAD) {
			step = (count - SAMPLE_HEAD) / SAMPLE_SPREAD;
			if (n - last < step)
				continue;
		}
		last = n;
		if (torture_one(fn, in, ref, ref_r, n, &rep))
			continue;
		/* A failure can leave a lazily filled cache (compiled
		 * XPath, profiles) empty, so the next run allocates in a
		 * different order. Refill it undisturbed and retry. */
		alloc_fail_at = 0;
		fn(in, &again);
		free(again);
		if (!torture_one(fn, in, ref, ref_r, n, &rep))
			unreached++;
	}
	if (unreached)
		print_message("NOTE %s: %ld allocation numbers were not "
			      "reached (their allocation moved)\n", in->name,
			      unreached);
	print_message("%-24s %6ld allocs (%ld in libs), %5u failed, "
		      "%u survived, %u leaks, %u mismatches\n",
		      in->name, count, xml, rep.runs, rep.succeeded_anyway,
		      rep.leaks, rep.mismatches);
	free(ref);
	total->runs += rep.runs;
	total->leaks += rep.leaks;
	total->mismatches += rep.mismatches;
	total->errors += rep.errors;
}

static void
check_total(const struct report *t)
{
	assert_true(t->runs > 0);
	assert_int_equal(t->leaks, 0);
	assert_int_equal(t->mismatches, 0);
}

/* ---- tests ------------------------------------------------------------ */

static const char *const feed_files[] = {
	"atom03_base64.xml", "atom10_briefings.xml", "bad_byte.xml",
	"broken_amp.xml", "cp1252_as_utf8.xml", "entity_decl.xml",
	"identity.xml", "jsonfeed11.json", "latin1.xml",
	"rss091_netscape.xml", "rss10_rdf.xml", "rss20_press.xml",
	"utf16be_nobom.xml", "utf16le_bom.xml",
};

/* Torture fn over every feed fixture. */
static void
torture_feed_files(target_fn fn)
{
	struct report total = {0};
	char path[512];
	size_t i;

	for (i = 0; i < sizeof(feed_files) / sizeof(feed_files[0]); i++) {
		struct input in = {feed_files[i], NULL, 0,
				   "https://www.example.org/news/feed.xml"};

		snprintf(path, sizeof(path), FIXTURES "feeds/%s", feed_files[i]);
		in.data = slurp(path, &in.len);
		torture(fn, &in, &total);
		free(in.data);
	}
	check_total(&total);
}

static void
test_feed_dump_survives_every_failed_allocation_without_leaking(void **state)
{
	(void)state;
	torture_feed_files(run_feed_dump);
}

static void
test_feed_parse_survives_every_failed_allocation_without_leaking(void **state)
{
	(void)state;
	torture_feed_files(run_feed);
}

static void
test_transcript_parse_survives_every_failed_allocation_without_leaking(
	void **state)
{
	struct report total = {0};
	size_t mlen;
	char *man = slurp(FIXTURES "pages/manifest.tsv", &mlen);
	char *line, *save = NULL;
	unsigned pages = 0;

	(void)state;
	line = strtok_r(man, "\n", &save); /* header */
	while ((line = strtok_r(NULL, "\n", &save))) {
		char file[256], url[512], path[512];
		struct input in;

		if (sscanf(line, "%255[^\t]\t%511[^\t]", file, url) != 2)
			continue;
		snprintf(path, sizeof(path), FIXTURES "pages/%s", file);
		in.name = file;
		in.url = url;
		in.data = slurp(path, &in.len);
		torture(run_transcript, &in, &total);
		free(in.data);
		pages++;
	}
	free(man);
	assert_true(pages >= 5);
	check_total(&total);
}

static void
test_proto_decode_survives_every_failed_allocation_without_leaking(
	void **state)
{
	struct report total = {0};
	char path[512];
	int i;

	(void)state;
	for (i = 1; i <= 11; i++) { /* req12 is a bad_json seed */
		char name[32];
		struct input in = {name, NULL, 0, NULL};

		snprintf(name, sizeof(name), "proto/req%d.json", i);
		snprintf(path, sizeof(path), SEEDS "%s", name);
		in.data = slurp(path, &in.len);
		torture(run_proto, &in, &total);
		free(in.data);
	}
	check_total(&total);
}

static void
test_config_parse_survives_every_failed_allocation_without_leaking(
	void **state)
{
	static const char *const files[] = {
		BW_SRCDIR "/etc/briefwatch.conf",
		SEEDS "config/small.conf",
	};
	struct report total = {0};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct input in = {strrchr(files[i], '/') + 1, NULL, 0, NULL};

		in.data = slurp(files[i], &in.len);
		torture(run_config, &in, &total);
		free(in.data);
	}
	check_total(&total);
}

static void
test_config_feed_format_survives_every_failed_allocation_without_leaking(
	void **state)
{
	static const char text[] =
		"[feed nato]\n"
		"url = https://www.example-alliance.int/cps/en/natohq/"
		"news.xml?section=press-conferences&lang=en\n"
		"profile = nato\n"
		"xpath_body = //div[@class='transcript']//p[not(@class)]\n"
		"xpath_title = //h1[@class='page-title']/span\n"
		"xpath_date = //div[@class='date']/time/@datetime\n"
		"interval = 90s\n"
		"fetch_pages = yes\n"
		"[feed un]\nurl = https://press.example.org/un.xml\n";
	struct report total = {0};
	struct input in = {"format.conf", NULL, sizeof(text) - 1, NULL};

	(void)state;
	in.data = strdup(text);
	assert_non_null(in.data);
	torture(run_config_format, &in, &total);
	free(in.data);
	check_total(&total);
}

/* The wrapper itself: a failed allocation is reported and counted, and the
 * live count follows malloc/free (so a leak check can fail at all). */
static void
test_the_wrapper_fails_the_chosen_allocation_and_counts_live_blocks(
	void **state)
{
	/* Through volatile pointers: the compiler knows malloc and may
	 * otherwise fold a malloc whose result is only compared. */
	void *(*volatile m)(size_t) = malloc;
	void *(*volatile ca)(size_t, size_t) = calloc;
	void *(*volatile re)(void *, size_t) = realloc;
	void (*volatile fr)(void *) = free;
	long before = alloc_live;
	void *a, *b, *c;

	(void)state;
	arm(2);
	a = m(16);
	b = m(16);
	c = ca(2, 8);
	disarm();
	assert_non_null(a);
	assert_null(b);
	assert_non_null(c);
	assert_true(alloc_hit);
	assert_int_equal(alloc_live, before + 2);
	a = re(a, 4096);
	assert_non_null(a);
	assert_int_equal(alloc_live, before + 2);
	fr(a);
	fr(c);
	assert_int_equal(alloc_live, before);
	/* libxml2 and strdup go through the same counter. */
	arm(0);
	a = xmlMalloc(8);
	c = strdup("x");
	disarm();
	assert_int_equal(alloc_seq, 2);
	xmlFree(a);
	free(c);
	assert_int_equal(alloc_live, before);
}

#ifndef ALLOC_UNDER_ASAN
static void
xml_quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_wrapper_fails_the_chosen_allocation_and_counts_live_blocks),
		cmocka_unit_test(test_proto_decode_survives_every_failed_allocation_without_leaking),
		cmocka_unit_test(test_config_parse_survives_every_failed_allocation_without_leaking),
		cmocka_unit_test(test_config_feed_format_survives_every_failed_allocation_without_leaking),
		cmocka_unit_test(test_feed_parse_survives_every_failed_allocation_without_leaking),
		cmocka_unit_test(test_feed_dump_survives_every_failed_allocation_without_leaking),
		cmocka_unit_test(test_transcript_parse_survives_every_failed_allocation_without_leaking),
	};

#ifdef ALLOC_UNDER_ASAN
	/* ASan owns malloc; an allocator of our own cannot be interposed. */
	(void)tests;
	printf("test_alloc: skipped under AddressSanitizer (it replaces "
	       "malloc); run the plain build\n");
	return 0;
#else
	xmlMemSetup(alloc_free, alloc_malloc, alloc_realloc, alloc_strdup);
	json_set_alloc_funcs(alloc_json_malloc, alloc_free);
	alloc_xml_fail = getenv("BW_ALLOC_LIBS") != NULL;
	/* backtrace() loads libgcc on its first call: do it now. */
	alloc_nwhere = backtrace(alloc_where, 24);
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, xml_quiet);
	return cmocka_run_group_tests(tests, NULL, NULL);
#endif
}
