/* schedsim.c — replay a timeline against the scheduler (include/schedsim.h,
 * docs/scheduling.md). */
#include "schedsim.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "date.h"

/* The virtual clock stops after this many polls: a policy that never
 * reaches the last item is a bug, not a reason to spin for ever. */
#define SIM_MAX_POLLS 100000000ULL

static double
sim_random(uint64_t *s)
{
	/* Same generator as sched_random, with the caller's state, so a
	 * replay is reproducible. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (double)((*s * 2685821657736338717ULL) >> 11) /
	       (double)(1ULL << 53);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n), n > 0. */
static int64_t
pct(const int64_t *v, size_t n, double q)
{
	size_t k = (size_t)((double)n * q + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

void
schedsim_result_free(struct schedsim_result *r)
{
	if (!r)
		return;
	free(r->delay_s);
	free(r->item);
	memset(r, 0, sizeof(*r));
}

int
schedsim_run(const struct sched_policy *p, const int64_t *pub, size_t n,
	     int64_t from, uint64_t seed, struct schedsim_result *out)
{
	struct sched_model m;
	struct sched_plan plan;
	int64_t t, *sorted = NULL;
	size_t i = 0, j;
	double days;

	memset(out, 0, sizeof(*out));
	sched_model_init(&m);
	if (!from && n)
		from = pub[0];
	if (!n || pub[n - 1] <= from)
		return -EINVAL;
	out->delay_s = malloc(n * sizeof(*out->delay_s));
	out->item = malloc(n * sizeof(*out->item));
	if (!out->delay_s || !out->item) {
		schedsim_result_free(out);
		return -ENOMEM;
	}
	seed = seed ? seed : 0x9e3779b97f4a7c15ULL;
	t = from * 1000;
	out->first_ms = t;
	while (i < n && out->polls < SIM_MAX_POLLS) {
		out->polls++;
		out->last_ms = t;
		for (j = i; j < n && pub[j] * 1000 <= t; j++) {
			if (pub[j] <= from) {
				out->nhistory++;
				continue;
			}
			out->delay_s[out->nscored] = t / 1000 - pub[j];
			out->item[out->nscored++] = j;
		}
		/* The plan changes only when the model does. */
		if (sched_model_learn(&m, pub + i, j - i) || out->polls == 1)
			sched_plan_make(p, &m, NULL, &plan);
		i = j;
		if (i < n)
			t += sched_plan_delay(&plan, t, sim_random(&seed));
	}
	if (!out->nscored) {
		schedsim_result_free(out);
		return -EINVAL;
	}
	sorted = malloc(out->nscored * sizeof(*sorted));
	if (!sorted) {
		schedsim_result_free(out);
		return -ENOMEM;
	}
	memcpy(sorted, out->delay_s, out->nscored * sizeof(*sorted));
	qsort(sorted, out->nscored, sizeof(*sorted), cmp_i64);
	out->median_s = pct(sorted, out->nscored, 0.5);
	out->p90_s = pct(sorted, out->nscored, 0.9);
	out->max_s = sorted[out->nscored - 1];
	free(sorted);
	days = (double)(out->last_ms - out->first_ms) / 86400000.0;
	out->polls_per_day = days > 0 ? (double)out->polls / days
				      : (double)out->polls;
	return 0;
}

/* ---- the command ------------------------------------------------------------ */

struct sim_item {
	int64_t t;
	const char *title; /* borrowed from the JSON document */
};

static int
cmp_item(const void *a, const void *b)
{
	const struct sim_item *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

static int usage_err(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int
usage_err(const char *fmt, ...)
{
	va_list ap;

	fputs("briefwatch: schedule-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* A duration, also compound: "90s", "15m", "7m30s", "1h30m". */
static int
sim_duration(const char *s, int64_t *ms)
{
	char part[64];
	int64_t sum = 0, v;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	while (*p) {
		size_t k = 0;

		while (p[k] && ((p[k] >= '0' && p[k] <= '9') || p[k] == '.'))
			k++;
		while (p[k] && !(p[k] >= '0' && p[k] <= '9') && p[k] != '.')
			k++;
		if (k == 0 || k >= sizeof(part))
			return -EINVAL;
		memcpy(part, p, k);
		part[k] = '\0';
		if (config_parse_duration(part, &v) < 0)
			return -EINVAL;
		sum += v;
		p += k;
	}
	*ms = sum;
	return 0;
}

/* A timeline item's date: with a time (its hour is what is learned). */
static int
sim_date(const char *s, int64_t *t)
{
	struct date_value dv;

	if (!s || date_parse(s, strlen(s), &dv) < 0 || !dv.has_time)
		return -EINVAL;
	*t = dv.epoch;
	return 0;
}

/* --from: a date with a time, or a day (its 00:00 UTC), as DATE is
 * everywhere else in the CLI; a time without a zone is UTC. */
static int
sim_from(const char *s, int64_t *t)
{
	struct date_value dv;

	if (!s || date_parse(s, strlen(s), &dv) < 0)
		return -EINVAL;
	*t = dv.epoch;
	return 0;
}

/* Load the timeline: 0 and *items sorted by date, or 1 after saying why. */
static int
load_timeline(const char *path, json_t **doc, struct sim_item **items,
	      size_t *n)
{
	json_error_t je;
	size_t i;

	*doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!*doc) {
		if (je.line > 0)
			fprintf(stderr, "briefwatch: schedule-sim: %s: line %d: %s\n",
				path, je.line, je.text);
		else
			fprintf(stderr, "briefwatch: schedule-sim: %s\n",
				je.text);
		return 1;
	}
	if (!json_is_array(*doc) || json_array_size(*doc) == 0) {
		fprintf(stderr, "briefwatch: schedule-sim: %s: not a non-empty JSON list of {\"published\": DATE, ...}\n",
			path);
		return 1;
	}
	*n = json_array_size(*doc);
	*items = calloc(*n, sizeof(**items));
	if (!*items) {
		fprintf(stderr, "briefwatch: schedule-sim: out of memory\n");
		return 1;
	}
	for (i = 0; i < *n; i++) {
		json_t *o = json_array_get(*doc, i);
		const char *pubs = json_string_value(json_object_get(o,
								"published"));

		if (sim_date(pubs, &(*items)[i].t) < 0) {
			fprintf(stderr, "briefwatch: schedule-sim: %s: item %zu: \"published\" is missing or not a date with a time\n",
				path, i);
			return 1;
		}
		(*items)[i].title = json_string_value(json_object_get(o,
								      "title"));
	}
	qsort(*items, *n, sizeof(**items), cmp_item);
	return 0;
}

static void
fmt_dur(int64_t ms, char *out, size_t n)
{
	if (ms % 3600000 == 0)
		snprintf(out, n, "%lldh", (long long)(ms / 3600000));
	else if (ms % 60000 == 0)
		snprintf(out, n, "%lldm", (long long)(ms / 60000));
	else
		snprintf(out, n, "%llds", (long long)(ms / 1000));
}

static void
print_text(const struct schedsim_result *r, const struct sim_item *it,
	   size_t n, const struct sched_policy *p, const char *path,
	   int items)
{
	static const int64_t edges[] = {60, 120, 300, 600, 900, 1800, 3600};
	size_t counts[8] = {0}, i, k;
	char a[DATE_ISO_MAX], b[DATE_ISO_MAX], iv[32], lo[32], hi[32];

	date_format_utc(it[0].t, a);
	date_format_utc(it[n - 1].t, b);
	printf("timeline: %s: %zu items, %s to %s\n", path, n, a, b);
	date_format_utc(r->first_ms / 1000, a);
	printf("first poll: %s, saw %zu items (learned, not scored)\n", a,
	       r->nhistory);
	fmt_dur(p->interval_ms, iv, sizeof(iv));
	fmt_dur(p->min_interval_ms, lo, sizeof(lo));
	fmt_dur(p->max_interval_ms, hi, sizeof(hi));
	printf("schedule: %s, interval %s, min_interval %s, max_interval %s\n",
	       p->fixed ? "fixed" : "adaptive", iv, lo, hi);
	for (i = 0; i < r->nscored; i++) {
		for (k = 0; k < 7 && r->delay_s[i] > edges[k]; k++)
			;
		counts[k]++;
		if (items) {
			date_format_utc(it[r->item[i]].t, a);
			printf("item %s delay_s=%lld %s\n", a,
			       (long long)r->delay_s[i],
			       it[r->item[i]].title ? it[r->item[i]].title
						    : "");
		}
	}
	printf("detection delay (%zu items):\n", r->nscored);
	for (k = 0; k < 8; k++) {
		if (k < 7)
			printf("  <= %3lld min %6zu %5.1f %%\n",
			       (long long)edges[k] / 60, counts[k],
			       100.0 * (double)counts[k] / (double)r->nscored);
		else
			printf("  >  %3d min %6zu %5.1f %%\n", 60, counts[k],
			       100.0 * (double)counts[k] / (double)r->nscored);
	}
	printf("polls: %llu over %.1f days\n", (unsigned long long)r->polls,
	       (double)(r->last_ms - r->first_ms) / 86400000.0);
	printf("freshness: median_s=%lld p90_s=%lld max_s=%lld polls_per_day=%.1f\n",
	       (long long)r->median_s, (long long)r->p90_s,
	       (long long)r->max_s, r->polls_per_day);
}

static int
print_json(const struct schedsim_result *r, const struct sim_item *it,
	   const struct sched_policy *p)
{
	json_t *o = json_object(), *a = json_array();
	char d[DATE_ISO_MAX];
	size_t i;
	int err = !o || !a;

	for (i = 0; !err && i < r->nscored; i++) {
		date_format_utc(it[r->item[i]].t, d);
		err = json_array_append_new(a, json_pack("{s:s,s:I}",
			"published", d, "delay_s", (json_int_t)r->delay_s[i]));
	}
	if (!err)
		err = json_object_set_new(o, "schedule",
			json_string(p->fixed ? "fixed" : "adaptive")) ||
		      json_object_set_new(o, "interval_s",
			json_integer(p->interval_ms / 1000)) ||
		      json_object_set_new(o, "items", a) ||
		      json_object_set_new(o, "history",
			json_integer((json_int_t)r->nhistory)) ||
		      json_object_set_new(o, "polls",
			json_integer((json_int_t)r->polls)) ||
		      json_object_set_new(o, "days",
			json_real((double)(r->last_ms - r->first_ms) /
				  86400000.0)) ||
		      json_object_set_new(o, "median_s",
			json_integer(r->median_s)) ||
		      json_object_set_new(o, "p90_s", json_integer(r->p90_s)) ||
		      json_object_set_new(o, "max_s", json_integer(r->max_s)) ||
		      json_object_set_new(o, "polls_per_day",
			json_real(r->polls_per_day));
	else
		json_decref(a);
	if (!err && json_dumpf(o, stdout, JSON_INDENT(1) |
					      JSON_PRESERVE_ORDER) == 0)
		fputc('\n', stdout);
	else
		err = 1;
	json_decref(o);
	if (err)
		fprintf(stderr, "briefwatch: schedule-sim: out of memory\n");
	return err ? 1 : 0;
}

int
schedsim_main(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{"interval", required_argument, NULL, 'i'},
		{"min-interval", required_argument, NULL, 'm'},
		{"max-interval", required_argument, NULL, 'M'},
		{"schedule", required_argument, NULL, 's'},
		{"from", required_argument, NULL, 'f'},
		{"seed", required_argument, NULL, 'S'},
		{"items", no_argument, NULL, 'I'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sched_policy p = {15 * 60000, 60000, 3600000, 0, 0};
	struct schedsim_result r;
	struct sim_item *items = NULL;
	int64_t *pub = NULL, from = 0;
	uint64_t seed = 1;
	json_t *doc = NULL;
	size_t n = 0, i;
	int c, json = 0, list = 0, rc;
	char *end;

	if (cfg) {
		p.interval_ms = cfg->interval_ms;
		p.min_interval_ms = cfg->min_interval_ms;
		p.max_interval_ms = cfg->max_interval_ms;
		p.fixed = cfg->schedule_fixed;
	}
	optind = 0; /* a full reset: main() ran getopt first */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
		case 'm':
		case 'M': {
			int64_t ms;

			if (sim_duration(optarg, &ms) < 0 || ms < 1000)
				return usage_err("\"%s\" is not a duration of at least 1 s (e.g. 90s, 15m, 7m30s)",
						 optarg);
			*(c == 'i' ? &p.interval_ms : c == 'm' ?
			  &p.min_interval_ms : &p.max_interval_ms) = ms;
			break;
		}
		case 's':
			if (strcmp(optarg, "fixed") && strcmp(optarg, "adaptive"))
				return usage_err("--schedule \"%s\" is neither adaptive nor fixed",
						 optarg);
			p.fixed = strcmp(optarg, "fixed") == 0;
			break;
		case 'f':
			if (sim_from(optarg, &from) < 0)
				return usage_err("--from \"%s\" is not a date (e.g. 2021-11-01 or 2021-11-01T12:00:00Z)",
						 optarg);
			break;
		case 'S':
			seed = strtoull(optarg, &end, 10);
			if (*end || !*optarg)
				return usage_err("--seed \"%s\" is not a number",
						 optarg);
			break;
		case 'I': list = 1; break;
		case 'j': json = 1; break;
		case 'h':
			puts("usage: briefwatch schedule-sim TIMELINE.json [--interval D] [--min-interval D] [--max-interval D] [--schedule adaptive|fixed] [--from DATE] [--seed N] [--items] [--json]");
			return 0;
		case ':':
			return usage_err("option %s needs a value",
					 argv[optind - 1]);
		default:
			return usage_err("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return usage_err("needs one TIMELINE.json");
	if (p.min_interval_ms > p.max_interval_ms)
		return usage_err("--min-interval is larger than --max-interval");
	rc = load_timeline(argv[optind], &doc, &items, &n);
	if (rc == 0 && !(pub = malloc(n * sizeof(*pub)))) {
		fprintf(stderr, "briefwatch: schedule-sim: out of memory\n");
		rc = 1;
	}
	for (i = 0; rc == 0 && i < n; i++)
		pub[i] = items[i].t;
	if (rc == 0) {
		int r2 = schedsim_run(&p, pub, n, from, seed, &r);

		if (r2 == -EINVAL) {
			fprintf(stderr, "briefwatch: schedule-sim: %s: no item published after the first poll (--from)\n",
				argv[optind]);
			rc = 1;
		} else if (r2 < 0) {
			fprintf(stderr, "briefwatch: schedule-sim: out of memory\n");
			rc = 1;
		} else {
			if (json)
				rc = print_json(&r, items, &p);
			else
				print_text(&r, items, n, &p, argv[optind],
					   list);
			schedsim_result_free(&r);
		}
	}
	free(pub);
	free(items);
	json_decref(doc);
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "briefwatch: schedule-sim: cannot write the output\n");
		rc = 1;
	}
	return rc;
}
