/* bwloop — briefwatch's own parsers in one process, for bench/run: the
 * in-process counterpart of htmlparse.c (and of sfeed/feedparser for
 * feeds), so process start-up does not dominate the comparison.
 *
 *   bwloop transcript [-r REPEAT] MANIFEST DIR
 *       MANIFEST: lines "file<TAB>url[<TAB>...]" (bench/corpus.py writes
 *       it); each DIR/file goes through transcript_parse() with its URL.
 *   bwloop feed [-r REPEAT] FILE...
 *       each file goes through feed_parse() and is serialised with
 *       feed_doc_dump() (the bytes json_dumps(feed_doc_to_json()) would
 *       give), as `briefwatch parse feed` does.
 *   bwloop fill DB feeds FILE...
 *       feed_parse() every FILE and store each entry as an item-only
 *       briefing (title, link, dates, summary; what fetch_pages = no
 *       stores) with store_put_briefing(), 1000 per transaction.
 *   bwloop fill DB pages MANIFEST DIR [COUNT]
 *       transcript_parse() every page and store it, 100 per transaction.
 *       With COUNT (more than the pages), the parsed pages are stored
 *       again in turn until COUNT briefings are stored: copy k >= 1 of a
 *       page gets "copy=k" appended to its URL's query (and that URL as
 *       its item id), so each is a new briefing with the page's text.
 *       Both print briefings=N seconds=S cpu_seconds=C (the store part
 *       only). Feed items get the feed's <language> as their lang, as
 *       the daemon gives them.
 *   bwloop search DB ROUNDS QUERY...
 *       opens DB read-only and runs every QUERY (limit 10) ROUNDS times
 *       through store_search(); prints latency percentiles, wall clock
 *       and CPU time (the process's: the loop is its one thread), and
 *       with BWLOOP_PER_QUERY=1 the same per query on stderr.
 *       With BWLOOP_PLAIN=1, the same QUERYs also run on a plain FTS5
 *       index (unicode61 remove_diacritics 2, no stems) of the same
 *       titles and summaries, built in DB.plain on first use: bm25
 *       ranking, LIMIT 10, then snippet() of those rows, in one
 *       statement, as the floor a tokenizer-free search costs; printed
 *       as plain_p50_ms=... on the same line.
 *
 * bench/run compiles this file once per mode (-DBWLOOP_FEED,
 * -DBWLOOP_TRANSCRIPT, -DBWLOOP_SEARCH, -DBWLOOP_FILL) so that a function missing from
 * the archive only disables its own mode.
 *
 * Files are read into memory first; only the parse loop is timed. Prints
 *   pages=N bytes=B seconds=S failed=F
 * Built by bench/run against build/libbriefwatch.a when the archive has
 * these functions; not part of the project's build.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "briefing.h"
#include "feed.h"
#include "store.h"
#include "transcript.h"

struct input {
	char *data;
	size_t len;
	char *url;
};

static int bwloop_slurp(const char *path, struct input *in)
{
	FILE *f = fopen(path, "rb");
	long n;
	int rc = -1;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	in->data = malloc((size_t)n + 1);
	if (!in->data)
		goto out;
	in->len = fread(in->data, 1, (size_t)n, f);
	in->data[in->len] = '\0';
	rc = in->len == (size_t)n ? 0 : -1;
out:
	fclose(f);
	return rc;
}

static double bwloop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#if defined(BWLOOP_SEARCH) || defined(BWLOOP_FILL)
/* CPU time of the process (user + system), s. */
static double bwloop_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
#endif

/* Read MANIFEST into in[] (grown as needed); returns the count or -1. */
static long bwloop_manifest(const char *manifest, const char *dir,
			    struct input **out)
{
	FILE *f = fopen(manifest, "r");
	char line[4096], path[8200];
	struct input *in = NULL;
	long n = 0, cap = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), *end;

		if (!tab)
			continue;
		*tab++ = '\0';
		end = strpbrk(tab, "\t\n");
		if (end)
			*end = '\0';
		if (n == cap) {
			struct input *p;

			cap = cap ? cap * 2 : 64;
			p = realloc(in, (size_t)cap * sizeof(*in));
			if (!p)
				goto fail;
			in = p;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, line);
		memset(&in[n], 0, sizeof(in[n]));
		if (bwloop_slurp(path, &in[n]) != 0) {
			fprintf(stderr, "bwloop: cannot read %s\n", path);
			goto fail;
		}
		in[n].url = strdup(tab);
		n++;
	}
	fclose(f);
	*out = in;
	return n;
fail:
	fclose(f);
	free(in);
	return -1;
}

#ifdef BWLOOP_TRANSCRIPT
static int bwloop_one_transcript(const struct input *in)
{
	struct transcript_opts o;
	struct briefing *b = NULL;
	char *err = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.url = in->url;
	rc = transcript_parse(in->data, in->len, &o, &b, &err);
	free(err);
	briefing_free(b);
	return rc;
}
#else
static int bwloop_one_transcript(const struct input *in)
{
	(void)in;
	return -ENOSYS;
}
#endif

#ifdef BWLOOP_FEED
static int bwloop_one_feed(const struct input *in)
{
	struct feed_doc *d = NULL;
	char *err = NULL, *s;
	int rc;

	rc = feed_parse(in->data, in->len, NULL, NULL, NULL, &d, &err);
	free(err);
	if (rc != 0)
		return rc;
	s = feed_doc_dump(d, JSON_COMPACT);
	rc = s ? 0 : -ENOMEM;
	free(s);
	feed_doc_free(d);
	return rc;
}
#else
static int bwloop_one_feed(const struct input *in)
{
	(void)in;
	return -ENOSYS;
}
#endif

#ifdef BWLOOP_SEARCH
static int bwloop_hit(void *arg, const struct store_hit *h)
{
	(void)h;
	++*(long *)arg;
	return 0;
}

static int bwloop_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double bwloop_pct(double *v, size_t n, double p)
{
	return n ? v[(size_t)(p * (double)(n - 1))] : 0;
}

/* The plain FTS5 floor: DB.plain holds title and summary of every
 * briefing under unicode61 (no stems, no language); built once. */
static sqlite3 *bwloop_plain_open(const char *db)
{
	char path[4200], sql[4400];
	sqlite3 *p = NULL;
	int have = 0;
	sqlite3_stmt *st;

	snprintf(path, sizeof(path), "%s.plain", db);
	if (sqlite3_open(path, &p) != SQLITE_OK)
		return NULL;
	if (sqlite3_prepare_v2(p, "SELECT count(*) FROM sqlite_master WHERE "
			       "name = 't'", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			have = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (have)
		return p;
	snprintf(sql, sizeof(sql),
		 "ATTACH '%s' AS src;"
		 "CREATE VIRTUAL TABLE t USING fts5(title, text,"
		 " tokenize='unicode61 remove_diacritics 2');"
		 "INSERT INTO t(rowid, title, text)"
		 " SELECT id, title, summary FROM src.briefings;"
		 "DETACH src;", db);
	if (sqlite3_exec(p, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "bwloop: plain index: %s\n",
			sqlite3_errmsg(p));
		sqlite3_close(p);
		return NULL;
	}
	return p;
}

static int bwloop_search(int argc, char **argv)
{
	struct store *s = NULL;
	sqlite3 *plain = NULL;
	sqlite3_stmt *pst = NULL;
	char *err = NULL;
	long rounds, hits = 0, failed = 0;
	size_t n = 0, nq;
	double *lat, *cpu, *plat, *pcpu, *qs;
	int per = getenv("BWLOOP_PER_QUERY") &&
		  strcmp(getenv("BWLOOP_PER_QUERY"), "1") == 0;

	if (argc < 5)
		return 2;
	rounds = strtol(argv[3], NULL, 10);
	nq = (size_t)(argc - 4);
	if (rounds < 1)
		return 2;
	if (store_open(argv[2], STORE_READONLY, &s, &err) != 0) {
		fprintf(stderr, "bwloop: %s: %s\n", argv[2], err ? err : "?");
		free(err);
		return 1;
	}
	if (getenv("BWLOOP_PLAIN") && strcmp(getenv("BWLOOP_PLAIN"), "1") == 0) {
		if (!(plain = bwloop_plain_open(argv[2])) ||
		    sqlite3_prepare_v2(plain,
				       "SELECT rowid, snippet(t, -1, '[', ']',"
				       " '...', 24) FROM t WHERE t MATCH ?1"
				       " ORDER BY rank LIMIT 10", -1, &pst,
				       NULL) != SQLITE_OK)
			return 1;
	}
	lat = calloc((size_t)rounds * nq, sizeof(*lat));
	cpu = calloc((size_t)rounds * nq, sizeof(*cpu));
	plat = calloc((size_t)rounds * nq, sizeof(*plat));
	pcpu = calloc((size_t)rounds * nq, sizeof(*pcpu));
	qs = calloc((size_t)rounds * 2, sizeof(*qs));
	if (!lat || !cpu || !plat || !pcpu || !qs)
		return 1;
	for (long r = 0; r < rounds; r++) {
		for (size_t i = 0; i < nq; i++) {
			struct store_query q;
			double t0, c0;

			memset(&q, 0, sizeof(q));
			q.query = argv[4 + i];
			q.limit = 10;
			t0 = bwloop_now();
			c0 = bwloop_cpu();
			if (store_search(s, &q, bwloop_hit, &hits) != 0)
				failed++;
			cpu[n] = (bwloop_cpu() - c0) * 1e3;
			lat[n] = (bwloop_now() - t0) * 1e3;
			if (pst) {
				t0 = bwloop_now();
				c0 = bwloop_cpu();
				sqlite3_bind_text(pst, 1, q.query, -1,
						  SQLITE_STATIC);
				while (sqlite3_step(pst) == SQLITE_ROW)
					;
				sqlite3_reset(pst);
				pcpu[n] = (bwloop_cpu() - c0) * 1e3;
				plat[n] = (bwloop_now() - t0) * 1e3;
			}
			n++;
		}
	}
	if (per) {
		for (size_t i = 0; i < nq; i++) {
			for (long r = 0; r < rounds; r++) {
				qs[r] = lat[(size_t)r * nq + i];
				qs[rounds + r] = cpu[(size_t)r * nq + i];
			}
			qsort(qs, (size_t)rounds, sizeof(*qs), bwloop_cmp);
			qsort(qs + rounds, (size_t)rounds, sizeof(*qs),
			      bwloop_cmp);
			fprintf(stderr, "query=%-32s wall_p50_ms=%.3f "
				"wall_max_ms=%.3f cpu_p50_ms=%.3f "
				"cpu_max_ms=%.3f\n", argv[4 + i],
				bwloop_pct(qs, (size_t)rounds, .5),
				qs[rounds - 1],
				bwloop_pct(qs + rounds, (size_t)rounds, .5),
				qs[2 * rounds - 1]);
		}
	}
	qsort(lat, n, sizeof(*lat), bwloop_cmp);
	qsort(cpu, n, sizeof(*cpu), bwloop_cmp);
	printf("queries=%zu hits=%ld failed=%ld p50_ms=%.3f p90_ms=%.3f "
	       "p99_ms=%.3f max_ms=%.3f cpu_p50_ms=%.3f cpu_p99_ms=%.3f",
	       n, hits, failed, bwloop_pct(lat, n, .5), bwloop_pct(lat, n, .9),
	       bwloop_pct(lat, n, .99), n ? lat[n - 1] : 0, bwloop_pct(cpu, n, .5),
	       bwloop_pct(cpu, n, .99));
	if (pst) {
		qsort(plat, n, sizeof(*plat), bwloop_cmp);
		qsort(pcpu, n, sizeof(*pcpu), bwloop_cmp);
		printf(" plain_p50_ms=%.3f plain_p99_ms=%.3f "
		       "plain_cpu_p50_ms=%.3f plain_cpu_p99_ms=%.3f",
		       bwloop_pct(plat, n, .5), bwloop_pct(plat, n, .99),
		       bwloop_pct(pcpu, n, .5), bwloop_pct(pcpu, n, .99));
	}
	printf("\n");
	sqlite3_finalize(pst);
	sqlite3_close(plain);
	free(lat);
	free(cpu);
	free(plat);
	free(pcpu);
	free(qs);
	store_close(s);
	return failed ? 1 : 0;
}
#else
static int bwloop_search(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "bwloop: built without BWLOOP_SEARCH\n");
	return 2;
}
#endif

#ifdef BWLOOP_FILL
static char *bwloop_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Store total records, cycling through recs[0..n) (copy k >= 1 of a
 * record under URL "url?copy=k" or "url&copy=k"), in batches; time only
 * the store. */
static int bwloop_store_all(const char *db, struct briefing **recs,
			    char **feeds, char **ids, size_t n, size_t total,
			    size_t batch)
{
	struct store *s = NULL;
	char *err = NULL, url[4200];
	size_t stored = 0, failed = 0;
	double t0, t1, c0, c1;
	int64_t seq;

	if (store_open(db, STORE_WRITER, &s, &err) != 0) {
		fprintf(stderr, "bwloop: %s: %s\n", db, err ? err : "?");
		free(err);
		return 1;
	}
	t0 = bwloop_now();
	c0 = bwloop_cpu();
	for (size_t i = 0; i < total; i += batch) {
		if (store_begin(s) != 0)
			return 1;
		for (size_t j = i; j < total && j < i + batch; j++) {
			struct briefing *b = recs[j % n];
			char *own = b->url, *id = ids[j % n];
			int r;

			if (j >= n) {
				snprintf(url, sizeof(url), "%s%ccopy=%zu",
					 own ? own : "", own && strchr(own, '?')
					 ? '&' : '?', j / n);
				id = url;
				b->id = 0;
			}
			/* The store owns b->url while it puts (it may replace
			 * it with the URL without tracking parameters): give
			 * it a copy, and keep the record's own. */
			b->url = j >= n ? strdup(url) : own ? strdup(own) : NULL;
			if ((j >= n || own) && !b->url) {
				b->url = own;
				return 1;
			}
			r = store_put_briefing(s, feeds[j % n], id, b, &seq);
			free(b->url);
			b->url = own;
			if (r > 0)
				stored++;
			else if (r < 0 && failed++ == 0)
				fprintf(stderr, "bwloop: put: %s\n",
					store_errmsg(s));
		}
		if (store_commit(s) != 0) {
			fprintf(stderr, "bwloop: commit: %s\n",
				store_errmsg(s));
			return 1;
		}
	}
	t1 = bwloop_now();
	c1 = bwloop_cpu();
	printf("briefings=%zu failed=%zu seconds=%.6f cpu_seconds=%.6f\n",
	       stored, failed, t1 - t0, c1 - c0);
	store_close(s);
	return failed ? 1 : 0;
}

static int bwloop_fill(int argc, char **argv)
{
	struct briefing **recs = NULL;
	char **feeds = NULL, **ids = NULL;
	size_t n = 0, cap = 0, total;
	int pages;

	if (argc < 5)
		return 2;
	pages = strcmp(argv[3], "pages") == 0;
	if (pages) {
		struct input *in = NULL;
		long np;

		if (argc != 6 && argc != 7)
			return 2;
		np = bwloop_manifest(argv[4], argv[5], &in);
		if (np < 0)
			return 1;
		cap = (size_t)np;
		recs = calloc(cap + 1, sizeof(*recs));
		feeds = calloc(cap + 1, sizeof(*feeds));
		ids = calloc(cap + 1, sizeof(*ids));
		if (!recs || !feeds || !ids)
			return 1;
		for (long i = 0; i < np; i++) {
			struct transcript_opts o;
			char *err = NULL;

			memset(&o, 0, sizeof(o));
			o.url = in[i].url;
			if (transcript_parse(in[i].data, in[i].len, &o,
					     &recs[n], &err) != 0) {
				fprintf(stderr, "bwloop: %s: %s\n",
					in[i].url, err ? err : "?");
				free(err);
				continue;
			}
			feeds[n] = "pages";
			ids[n] = in[i].url;
			n++;
		}
		total = argc == 7 ? strtoul(argv[6], NULL, 10) : 0;
		if (n == 0)
			return 1;
		return bwloop_store_all(argv[2], recs, feeds, ids, n,
					total > n ? total : n, 100);
	}
	for (int a = 4; a < argc; a++) {
		struct input in;
		struct feed_doc *d = NULL;
		char *err = NULL;
		const char *base = strrchr(argv[a], '/');

		memset(&in, 0, sizeof(in));
		if (bwloop_slurp(argv[a], &in) != 0 ||
		    feed_parse(in.data, in.len, NULL, NULL, NULL, &d,
			       &err) != 0) {
			fprintf(stderr, "bwloop: %s: %s\n", argv[a],
				err ? err : "unreadable");
			return 1;
		}
		base = base ? base + 1 : argv[a];
		for (size_t e = 0; e < d->nentries; e++) {
			const struct feed_entry *fe = &d->entries[e];
			struct briefing *b;

			if (n == cap) {
				cap = cap ? cap * 2 : 4096;
				recs = realloc(recs, cap * sizeof(*recs));
				feeds = realloc(feeds, cap * sizeof(*feeds));
				ids = realloc(ids, cap * sizeof(*ids));
				if (!recs || !feeds || !ids)
					return 1;
			}
			b = briefing_new();
			if (!b)
				return 1;
			b->kind = BRIEFING_OTHER;
			b->url = bwloop_dup(fe->link);
			b->title = bwloop_dup(fe->title);
			b->published = bwloop_dup(fe->published);
			b->updated = bwloop_dup(fe->updated);
			b->summary = bwloop_dup(fe->summary);
#ifndef BWLOOP_NO_LANG /* an archive from before the record's lang */
			if (briefing_set_lang(b, d->feed.language) < 0)
				return 1;
#endif
			recs[n] = b;
			feeds[n] = strdup(base);
			ids[n] = strdup(fe->id);
			n++;
		}
		feed_doc_free(d);
		free(in.data);
	}
	return bwloop_store_all(argv[2], recs, feeds, ids, n, n, 1000);
}
#else
static int bwloop_fill(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "bwloop: built without BWLOOP_FILL\n");
	return 2;
}
#endif

int main(int argc, char **argv)
{
	struct input *in = NULL;
	long n, repeat = 1, pages = 0, failed = 0;
	size_t bytes = 0;
	int transcript, a = 2;
	double t0, t1;

	if (argc > 1 && strcmp(argv[1], "search") == 0)
		return bwloop_search(argc, argv);
	if (argc > 1 && strcmp(argv[1], "fill") == 0)
		return bwloop_fill(argc, argv);
	if (argc < 3 || (strcmp(argv[1], "transcript") != 0 &&
			 strcmp(argv[1], "feed") != 0))
		goto usage;
	transcript = strcmp(argv[1], "transcript") == 0;
	if (strcmp(argv[a], "-r") == 0 && argc > a + 1) {
		repeat = strtol(argv[a + 1], NULL, 10);
		a += 2;
	}
	if (transcript) {
		if (argc - a != 2)
			goto usage;
		n = bwloop_manifest(argv[a], argv[a + 1], &in);
		if (n < 0)
			return 1;
	} else {
		n = argc - a;
		in = calloc((size_t)(n ? n : 1), sizeof(*in));
		if (!in)
			return 1;
		for (long i = 0; i < n; i++) {
			if (bwloop_slurp(argv[a + i], &in[i]) != 0) {
				fprintf(stderr, "bwloop: cannot read %s\n",
					argv[a + i]);
				return 1;
			}
		}
	}
	t0 = bwloop_now();
	for (long r = 0; r < repeat; r++) {
		for (long i = 0; i < n; i++) {
			int rc = transcript ? bwloop_one_transcript(&in[i])
					    : bwloop_one_feed(&in[i]);
			if (rc != 0)
				failed++;
			pages++;
			bytes += in[i].len;
		}
	}
	t1 = bwloop_now();
	printf("pages=%ld bytes=%zu seconds=%.6f failed=%ld\n", pages, bytes,
	       t1 - t0, failed);
	for (long i = 0; i < n; i++) {
		free(in[i].data);
		free(in[i].url);
	}
	free(in);
	return 0;
usage:
	fprintf(stderr, "usage: bwloop transcript [-r N] MANIFEST DIR\n"
			"       bwloop feed [-r N] FILE...\n"
			"       bwloop search DB ROUNDS QUERY...\n"
			"       bwloop fill DB feeds FILE...\n"
			"       bwloop fill DB pages MANIFEST DIR [COUNT]\n");
	return 2;
}
