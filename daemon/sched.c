/* sched.c — polling policy (see include/sched.h and docs/scheduling.md). */
#include "sched.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "date.h"

#define BACKOFF_BASE_MS (30 * 1000)
#define RETRY_AFTER_CAP_MS ((int64_t)24 * 3600 * 1000)
/* A publisher's hint never asks us to wait longer than this. */
#define HINT_CAP_S (24 * 3600)
#define BINS_PER_DAY (86400 / SCHED_BIN_S)
/* Share of the density from the week's own shape (the rest from the
 * product of day-of-week and time-of-day profiles, which needs fewer items
 * to be right), and of a uniform floor (a publisher may surprise us). */
#define MIX_WEEK 0.5
#define MIX_UNIFORM 0.02
/* Half-width of the smoothing kernel, in bins (+-1 h). */
#define KERNEL_BINS 2
/* Plan this share of the budget: jitter and the min_interval floor make
 * the polls actually spent come out slightly above the plan. */
#define BUDGET_SHARE 0.975
/* A minute pair of the day with at least SPIKE_MIN recency-weighted items
 * and SPIKE_SHARE of the two hours around it is a release by the clock. */
#define SPIKE_MIN 2.5
#define SPIKE_SHARE 0.4
/* What a booked poll costs of the budget: itself, and a little more
 * because it cuts the placed polls' spacing short. */
#define APPT_COST 1.5

static int64_t
jitter(int64_t ms, double rnd)
{
	/* +-10 %: spreads feeds that share an interval apart over time. */
	return ms + (int64_t)((double)ms * 0.2 * (rnd - 0.5));
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* ---- the learned pattern --------------------------------------------------- */

/* Bin of unix time t: 1970-01-01 was a Thursday, Monday 00:00 is 3 days
 * earlier. */
static int
week_bin(int64_t t)
{
	int64_t s = (t + 3 * 86400) % SCHED_WEEK_S;

	if (s < 0)
		s += SCHED_WEEK_S;
	return (int)(s / SCHED_BIN_S);
}

static double
decay(int64_t dt)
{
	return exp(-(double)dt * M_LN2 / (double)SCHED_HALF_LIFE_S);
}

void
sched_model_init(struct sched_model *m)
{
	memset(m, 0, sizeof(*m));
}

static void
model_add(struct sched_model *m, int64_t t)
{
	int i;

	if (m->n == 0 && m->ref == 0)
		m->ref = t;
	if (t > m->ref) {
		double k = decay(t - m->ref);

		for (i = 0; i < SCHED_BINS; i++)
			m->w[i] *= k;
		for (i = 0; i < SCHED_MDAY; i++)
			m->mday[i] = (float)(m->mday[i] * k);
		m->ref = t;
	}
	m->w[week_bin(t)] += decay(m->ref - t);
	m->mday[(t % 86400 + 86400) % 86400 / 60] += (float)decay(m->ref - t);
	m->n++;
}

size_t
sched_model_learn(struct sched_model *m, const int64_t *t, size_t n)
{
	int64_t newest = m->last;
	size_t i, learned = 0;

	for (i = 0; i < n; i++) {
		if (t[i] <= m->last)
			continue;
		model_add(m, t[i]);
		learned++;
		newest = max64(newest, t[i]);
	}
	m->last = newest;
	return learned;
}

static double
model_total(const struct sched_model *m)
{
	double s = 0;
	int i;

	for (i = 0; i < SCHED_BINS; i++)
		s += m->w[i];
	return s;
}

int
sched_model_ready(const struct sched_model *m)
{
	int b, used = 0;

	if (!m || m->n < SCHED_MIN_ITEMS)
		return 0;
	/* Items all in one or two half-hours are not a pattern: a feed that
	 * stamps every item with the time it was generated looks like that. */
	for (b = 0; b < SCHED_BINS; b++)
		used += m->w[b] > 0;
	return used >= SCHED_MIN_BINS;
}

/* s[b]: w smoothed over +-1 h (a triangular kernel): an item at 14:10
 * says little about 14:00-14:30 that it does not say about 13:30-15:00. */
static void
smooth(const double w[SCHED_BINS], double s[SCHED_BINS])
{
	int b, k;

	for (b = 0; b < SCHED_BINS; b++) {
		double v = 0, ks = 0;

		for (k = -KERNEL_BINS; k <= KERNEL_BINS; k++) {
			double kk = KERNEL_BINS + 1 - abs(k);

			ks += kk;
			v += kk * w[(b + k + SCHED_BINS) % SCHED_BINS];
		}
		s[b] = v / ks;
	}
}

/* p[b]: probability that an item falls into bin b, sums to 1.
 *  - s: the pattern smoothed over +-1 h;
 *  - pooled: days are cut at the quietest hour of the day (not at UTC
 *    midnight: a publisher's evening is the next UTC day in America), and
 *    the days with at least half an average day's items share one
 *    time-of-day profile, the others another: five weekdays teach the
 *    shape of a weekday five times faster than each its own;
 *  - mixed MIX_WEEK of s with the pooled product, and MIX_UNIFORM of a
 *    uniform floor (a publisher may surprise us).
 */
static void
model_density(const struct sched_model *m, double p[SCHED_BINS])
{
	double s[SCHED_BINS], day[7] = {0}, tod[2][BINS_PER_DAY] = {{0}};
	double all[BINS_PER_DAY] = {0}, ts[2] = {0};
	double tot = model_total(m), best = -1;
	int b, off = 0, k, busy[7];

	smooth(m->w, s);
	for (b = 0; b < SCHED_BINS; b++)
		all[b % BINS_PER_DAY] += s[b];
	/* The quietest 3 h of the day start the day. */
	for (b = 0; b < BINS_PER_DAY; b++) {
		double v = 0;

		for (k = 0; k < 6; k++)
			v += all[(b + k) % BINS_PER_DAY];
		if (best < 0 || v < best) {
			best = v;
			off = b;
		}
	}
	for (b = 0; b < SCHED_BINS; b++)
		day[((b - off + SCHED_BINS) % SCHED_BINS) / BINS_PER_DAY] +=
			m->w[b];
	for (k = 0; k < 7; k++)
		busy[k] = day[k] >= tot / 14;
	for (b = 0; b < SCHED_BINS; b++) {
		int d = ((b - off + SCHED_BINS) % SCHED_BINS) / BINS_PER_DAY;

		tod[busy[d]][b % BINS_PER_DAY] += s[b];
		ts[busy[d]] += s[b];
	}
	for (b = 0; b < SCHED_BINS; b++) {
		int d = ((b - off + SCHED_BINS) % SCHED_BINS) / BINS_PER_DAY;
		double prod = ts[busy[d]] > 0 ? day[d] * tod[busy[d]][b %
				BINS_PER_DAY] / ts[busy[d]] : s[b];
		double v = tot > 0 ? (MIX_WEEK * s[b] + (1 - MIX_WEEK) * prod) /
					     tot
				   : 1.0 / SCHED_BINS;

		p[b] = (1 - MIX_UNIFORM) * v + MIX_UNIFORM / SCHED_BINS;
	}
}

char *
sched_model_dump(const struct sched_model *m)
{
	json_t *o = json_object(), *w = json_array(), *md = json_array();
	char *s = NULL;
	int i, err = !o || !w;

	for (i = 0; !err && i < SCHED_BINS; i++)
		err = json_array_append_new(w, json_real(m->w[i]));
	/* The minutes of the day, sparse: [minute, weight] pairs. */
	for (i = 0; !err && i < SCHED_MDAY; i++)
		if (m->mday[i] > 1e-4)
			err = !md || json_array_append_new(md,
				json_pack("[if]", i, (double)m->mday[i]));
	if (!err && json_object_set_new(o, "v", json_integer(1)) == 0 &&
	    json_object_set_new(o, "ref", json_integer(m->ref)) == 0 &&
	    json_object_set_new(o, "last", json_integer(m->last)) == 0 &&
	    json_object_set_new(o, "n", json_integer(m->n)) == 0 &&
	    json_object_set(o, "w", w) == 0 &&
	    json_object_set(o, "m", md) == 0)
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
				      JSON_REAL_PRECISION(6));
	json_decref(w);
	json_decref(md);
	json_decref(o);
	return s;
}

int
sched_model_load(struct sched_model *m, const char *text)
{
	json_t *o = json_loads(text, 0, NULL), *w, *v;
	int i, r = -EINVAL;

	sched_model_init(m);
	if (!json_is_object(o) ||
	    json_integer_value(json_object_get(o, "v")) != 1)
		goto out;
	w = json_object_get(o, "w");
	if (!json_is_array(w) || json_array_size(w) != SCHED_BINS ||
	    !json_is_integer(json_object_get(o, "ref")) ||
	    !json_is_integer(json_object_get(o, "last")) ||
	    !json_is_integer(json_object_get(o, "n")))
		goto out;
	m->ref = json_integer_value(json_object_get(o, "ref"));
	m->last = json_integer_value(json_object_get(o, "last"));
	m->n = json_integer_value(json_object_get(o, "n"));
	if (m->n < 0)
		goto out;
	for (i = 0; i < SCHED_BINS; i++) {
		v = json_array_get(w, (size_t)i);
		if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
		    json_number_value(v) < 0)
			goto out;
		m->w[i] = json_number_value(v);
	}
	/* "m" is absent from patterns stored before it was kept. */
	w = json_object_get(o, "m");
	if (w && !json_is_array(w))
		goto out;
	for (i = 0; w && i < (int)json_array_size(w); i++) {
		json_t *k, *x;

		v = json_array_get(w, (size_t)i);
		k = json_array_get(v, 0);
		x = json_array_get(v, 1);
		if (!json_is_array(v) || json_array_size(v) != 2 ||
		    !json_is_integer(k) || json_integer_value(k) < 0 ||
		    json_integer_value(k) >= SCHED_MDAY || !json_is_number(x) ||
		    !isfinite(json_number_value(x)) || json_number_value(x) < 0)
			goto out;
		m->mday[json_integer_value(k)] = (float)json_number_value(x);
	}
	r = 0;
out:
	if (r < 0)
		sched_model_init(m);
	json_decref(o);
	return r;
}

static void
append_days(char *out, size_t n, const int *on)
{
	static const char *const names[7] = {"Mon", "Tue", "Wed", "Thu",
					     "Fri", "Sat", "Sun"};
	size_t len = strlen(out);
	int d = 0, e, first = 1;

	while (d < 7) {
		if (!on[d]) {
			d++;
			continue;
		}
		for (e = d; e + 1 < 7 && on[e + 1]; e++)
			;
		if (e - d >= 2)
			snprintf(out + len, n - len, "%s%s-%s", first ? "" : ",",
				 names[d], names[e]);
		else if (e == d + 1)
			snprintf(out + len, n - len, "%s%s,%s",
				 first ? "" : ",", names[d], names[e]);
		else
			snprintf(out + len, n - len, "%s%s", first ? "" : ",",
				 names[d]);
		len = strlen(out);
		first = 0;
		d = e + 1;
	}
}

char *
sched_model_busy(const struct sched_model *m, char *out, size_t n)
{
	double day[7] = {0}, hour[24] = {0}, s[SCHED_BINS], tot, best;
	int on[7], pick[24], d, h, b, k, first = 1;
	size_t len;

	if (n)
		out[0] = '\0';
	if (n < 8 || !sched_model_ready(m))
		return out;
	tot = model_total(m);
	for (b = 0; b < SCHED_BINS; b++)
		day[b / BINS_PER_DAY] += m->w[b];
	/* Busy days: at least half an average day's share. */
	for (d = 0; d < 7; d++)
		on[d] = day[d] >= tot / 14;
	smooth(m->w, s);
	for (b = 0; b < SCHED_BINS; b++)
		if (on[b / BINS_PER_DAY])
			hour[(b % BINS_PER_DAY) * SCHED_BIN_S / 3600] += s[b];
	/* Busy hours: at least a third of the busiest hour's items. */
	for (h = 0, best = 0; h < 24; h++)
		best = hour[h] > best ? hour[h] : best;
	for (h = 0; h < 24; h++)
		pick[h] = hour[h] > 0 && hour[h] >= best / 3;
	append_days(out, n, on);
	len = strlen(out);
	snprintf(out + len, n - len, " ");
	/* Ranges of picked hours, starting after an unpicked one so that a
	 * range across midnight prints once ("22-03"). */
	for (k = 0; k < 24 && pick[k]; k++)
		;
	if (k == 24) {
		len = strlen(out);
		snprintf(out + len, n - len, "00-24 UTC");
		return out;
	}
	for (h = 0; h < 24; h++) {
		int a = (k + h) % 24, e;

		if (!pick[a] || pick[(a + 23) % 24])
			continue;
		for (e = a; pick[(e + 1) % 24]; e = (e + 1) % 24)
			;
		len = strlen(out);
		snprintf(out + len, n - len, "%s%02d-%02d", first ? "" : ",", a,
			 (e + 1) % 24 ? (e + 1) % 24 : 24);
		first = 0;
	}
	len = strlen(out);
	snprintf(out + len, n - len, " UTC");
	return out;
}

/* ---- placing the next poll ------------------------------------------------- */

static int
skipped(const struct sched_hints *h, int64_t t)
{
	int64_t s = (t + 3 * 86400) % SCHED_WEEK_S;

	if (s < 0)
		s += SCHED_WEEK_S;
	return (h->skip_days >> (s / 86400) & 1) ||
	       (h->skip_hours >> (s % 86400 / 3600) & 1);
}

/* The first moment at or after t (unix s) that the hints allow. */
static int64_t
after_skips(const struct sched_hints *h, int64_t t)
{
	int i;

	/* Skipping every hour or every day means nothing: ignore it. */
	if (h->skip_hours == 0xffffff || (h->skip_days & 0x7f) == 0x7f)
		return t;
	for (i = 0; i < 7 * 24 + 1 && skipped(h, t); i++)
		t = (t / 3600 + 1) * 3600;
	return t;
}

/* Poll rate of each bin (polls per second): proportional to the square
 * root of the bin's share of items (what minimises the mean delay for a
 * fixed number of polls), within [rmin, rmax], spending budget polls a
 * week; 0 in bins the publisher asks us to skip. */
static void
place_rates(const double p[SCHED_BINS], const int skip[SCHED_BINS],
	    double rmin, double rmax, double budget, double r[SCHED_BINS])
{
	double lo = 0, hi = 0, c, got;
	int b, it;

	for (b = 0; b < SCHED_BINS; b++)
		if (!skip[b])
			hi = fmax(hi, rmax / sqrt(p[b]));
	for (it = 0; it < 60; it++) {
		c = (lo + hi) / 2;
		for (b = 0, got = 0; b < SCHED_BINS; b++) {
			r[b] = skip[b] ? 0 : fmin(rmax, fmax(rmin,
							     c * sqrt(p[b])));
			got += r[b] * SCHED_BIN_S;
		}
		if (got > budget)
			hi = c;
		else
			lo = c;
	}
	for (b = 0; b < SCHED_BINS; b++)
		r[b] = skip[b] ? 0 : fmin(rmax, fmax(rmin, lo * sqrt(p[b])));
}

/* Seconds from now (unix s) until rates r have accumulated mass polls;
 * -1 if they never do within two weeks. */
static double
walk(const double r[SCHED_BINS], int64_t now, double mass)
{
	double t = 0, acc = 0;
	int64_t pos = now;
	int i;

	for (i = 0; i < 2 * SCHED_BINS + 1; i++) {
		int b = week_bin(pos);
		int64_t end = (pos / SCHED_BIN_S + 1) * SCHED_BIN_S;
		double span = (double)(end - pos), m = r[b] * span;

		if (acc + m >= mass && r[b] > 0)
			return t + (mass - acc) / r[b];
		acc += m;
		t += span;
		pos = end;
	}
	return -1;
}

/* Book polls at the minutes of the day where a publisher releases by the
 * clock: a minute pair (k-1, k) holding at least SPIKE_MIN recency-weighted
 * items and SPIKE_SHARE of the items of the two hours around it (a
 * spread-out publisher never has that) gets a poll 30 s after minute k
 * ends, every day. The strongest SCHED_APPTS, at least an hour apart. */
static int
find_appts(const struct sched_model *m, int32_t appt[SCHED_APPTS])
{
	double pair[SCHED_MDAY], around[SCHED_MDAY], win = 0;
	int used[SCHED_MDAY] = {0}, k, n = 0, j;

	for (k = -60; k <= 60; k++)
		win += m->mday[(k + SCHED_MDAY) % SCHED_MDAY];
	for (k = 0; k < SCHED_MDAY; k++) {
		pair[k] = m->mday[k] + m->mday[(k + SCHED_MDAY - 1) % SCHED_MDAY];
		around[k] = win;
		win += m->mday[(k + 61) % SCHED_MDAY] -
		       m->mday[(k + SCHED_MDAY - 60) % SCHED_MDAY];
	}
	while (n < SCHED_APPTS) {
		int best = -1;

		for (k = 0; k < SCHED_MDAY; k++)
			if (!used[k] && pair[k] >= SPIKE_MIN &&
			    pair[k] >= SPIKE_SHARE * around[k] &&
			    (best < 0 || pair[k] > pair[best]))
				best = k;
		if (best < 0)
			break;
		for (j = -60; j <= 60; j++)
			used[(best + j + SCHED_MDAY) % SCHED_MDAY] = 1;
		appt[n++] = ((best + 1) % SCHED_MDAY) * 60 + 30;
	}
	return n;
}

int
sched_model_booked(const struct sched_model *m, int32_t out[SCHED_APPTS])
{
	return sched_model_ready(m) ? find_appts(m, out) : 0;
}

/* Seconds from now (unix s) to the next booked poll, or -1. */
static int64_t
next_appt(const struct sched_plan *pl, int64_t now)
{
	int64_t best = -1, sod = (now % 86400 + 86400) % 86400, d;
	int i;

	for (i = 0; i < pl->nappt; i++) {
		d = pl->appt[i] - sod;
		if (d <= 0)
			d += 86400;
		if (best < 0 || d < best)
			best = d;
	}
	return best;
}

void
sched_plan_make(const struct sched_policy *p, const struct sched_model *m,
		const struct sched_hints *h, struct sched_plan *out)
{
	static const struct sched_hints none;
	int64_t lo = min64(p->interval_ms, p->min_interval_ms);
	int64_t hi = max64(p->interval_ms, p->max_interval_ms);
	double pr[SCHED_BINS];
	int skip[SCHED_BINS], b;

	if (!h || !p->respect_hints)
		h = &none;
	memset(out, 0, sizeof(*out));
	if (h->min_s > 0)
		lo = max64(lo, min64(h->min_s, HINT_CAP_S) * 1000);
	out->hints = *h;
	/* Skipping every hour or every day means nothing: ignored. */
	if (h->skip_hours == 0xffffff || (h->skip_days & 0x7f) == 0x7f)
		out->hints.skip_hours = out->hints.skip_days = 0;
	out->lo_ms = lo;
	out->hi_ms = max64(hi, lo);
	out->interval_ms = max64(p->interval_ms, lo);
	out->learned = !p->fixed && sched_model_ready(m);
	if (!out->learned)
		return;
	model_density(m, pr);
	out->nappt = find_appts(m, out->appt);
	for (b = 0; b < SCHED_BINS; b++)
		skip[b] = skipped(&out->hints,
				  (int64_t)b * SCHED_BIN_S - 3 * 86400);
	place_rates(pr, skip, 1000.0 / (double)out->hi_ms,
		    1000.0 / (double)out->lo_ms,
		    BUDGET_SHARE * (double)SCHED_WEEK_S * 1000 /
				    (double)p->interval_ms -
			    7 * APPT_COST * out->nappt,
		    out->rate);
}

int64_t
sched_plan_delay(const struct sched_plan *pl, int64_t now_ms, double rnd)
{
	const struct sched_hints *h = &pl->hints;
	int skips = h->skip_hours || h->skip_days;
	int64_t d;

	if (!pl->learned) {
		d = jitter(pl->interval_ms, rnd);
	} else {
		double t = walk(pl->rate, now_ms / 1000,
				1 + 0.2 * (rnd - 0.5));

		int64_t a = next_appt(pl, now_ms / 1000);

		d = t < 0 ? pl->hi_ms : (int64_t)(t * 1000);
		if (a >= 0)
			d = min64(d, a * 1000 - now_ms % 1000);
		d = max64(pl->lo_ms, d);
		/* A skip span may hold the next poll back past hi. */
		if (!skips)
			d = min64(pl->hi_ms, d);
	}
	d = max64(1000, d);
	if (skips)
		d = max64(d, after_skips(h, (now_ms + d) / 1000) * 1000 -
				     now_ms);
	return d;
}

int64_t
sched_delay_next(const struct sched_policy *p, const struct sched_model *m,
		 const struct sched_hints *h, int64_t now_ms, double rnd)
{
	struct sched_plan pl;

	sched_plan_make(p, m, h, &pl);
	return sched_plan_delay(&pl, now_ms, rnd);
}

int64_t
sched_delay_fail(const struct sched_policy *p, int failures,
		 int64_t retry_after_s, double rnd)
{
	int64_t hi = max64(p->interval_ms, p->max_interval_ms);
	int64_t d = BACKOFF_BASE_MS;
	int i;

	for (i = 1; i < failures && d < hi; i++)
		d *= 2;
	d = jitter(min64(d, hi), rnd);
	if (retry_after_s > 0)
		d = max64(d, min64(retry_after_s * 1000, RETRY_AFTER_CAP_MS));
	return max64(1000, d);
}

/* ---- publisher hints ------------------------------------------------------- */

/* The text of the first element whose name ends in tag (e.g. "ttl",
 * ":updatePeriod") within s[0..len), trimmed, into out. 0 or -1. */
static int
element_text(const char *s, size_t len, const char *tag, char *out,
	     size_t n, const char **after)
{
	size_t tl = strlen(tag);
	const char *p = s, *end = s + len;

	while (p < end && (p = memmem(p, (size_t)(end - p), tag, tl))) {
		const char *q = p + tl, *lt;
		size_t k;

		p = q;
		if (q >= end || *q != '>')
			continue;
		/* The name must start right after '<' or a prefix ':'. */
		if (tag[0] != ':' && (q - tl == s || q[-(long)tl - 1] != '<'))
			continue;
		if (tag[0] == ':') {
			const char *b = q - tl;

			while (b > s && b[-1] != '<' && b[-1] != '/' &&
			       b[-1] != '>' && b[-1] != ' ')
				b--;
			if (b == s || b[-1] != '<')
				continue;
		}
		q++;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' ||
				   *q == '\n'))
			q++;
		lt = memchr(q, '<', (size_t)(end - q));
		if (!lt)
			return -1;
		k = (size_t)(lt - q);
		while (k && (q[k - 1] == ' ' || q[k - 1] == '\t' ||
			     q[k - 1] == '\r' || q[k - 1] == '\n'))
			k--;
		if (k >= n)
			k = n - 1;
		memcpy(out, q, k);
		out[k] = '\0';
		if (after)
			*after = lt;
		return 0;
	}
	return -1;
}

/* Parse a small non-negative decimal; -1 if not one. */
static long
small_num(const char *s)
{
	char *e;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &e, 10);
	return *e || v > 1000000 ? -1 : v;
}

static void
hint_min(struct sched_hints *h, int64_t s)
{
	if (s > 0)
		h->min_s = max64(h->min_s, min64(s, HINT_CAP_S));
}

/* The extent s[0..len) of the element <name>...</name>, or NULL. */
static const char *
element_span(const char *s, size_t len, const char *name, size_t *out_len)
{
	char open[32], close[32];
	const char *a, *b;

	snprintf(open, sizeof(open), "<%s>", name);
	snprintf(close, sizeof(close), "</%s>", name);
	a = memmem(s, len, open, strlen(open));
	if (!a)
		return NULL;
	b = memmem(a, len - (size_t)(a - s), close, strlen(close));
	if (!b)
		return NULL;
	*out_len = (size_t)(b - a);
	return a;
}

void
sched_hints_from_body(struct sched_hints *h, const char *body, size_t len)
{
	static const struct {
		const char *name;
		int64_t s;
	} periods[] = {
		{"hourly", 3600},        {"daily", 86400},
		{"weekly", 7 * 86400},   {"monthly", 30 * 86400},
		{"yearly", 365 * 86400},
	};
	static const char *const days[7] = {"Monday", "Tuesday", "Wednesday",
					    "Thursday", "Friday", "Saturday",
					    "Sunday"};
	char v[32];
	const char *span, *p, *after;
	size_t sl, i;
	long n;

	if (!body)
		return;
	if (element_text(body, len, "ttl", v, sizeof(v), NULL) == 0 &&
	    (n = small_num(v)) > 0)
		hint_min(h, (int64_t)n * 60);
	if (element_text(body, len, ":updatePeriod", v, sizeof(v), NULL) == 0) {
		long freq = 1;
		char f[32];

		if (element_text(body, len, ":updateFrequency", f, sizeof(f),
				 NULL) == 0 && small_num(f) > 0)
			freq = small_num(f);
		for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
			if (strcmp(v, periods[i].name) == 0)
				hint_min(h, periods[i].s / freq);
	}
	if ((span = element_span(body, len, "skipHours", &sl))) {
		for (p = span; element_text(p, sl - (size_t)(p - span), "hour",
					    v, sizeof(v), &after) == 0;
		     p = after) {
			n = small_num(v);
			/* 24 is how some publishers write midnight. */
			if (n >= 0 && n <= 24)
				h->skip_hours |= 1u << (n % 24);
		}
	}
	if ((span = element_span(body, len, "skipDays", &sl))) {
		for (p = span; element_text(p, sl - (size_t)(p - span), "day",
					    v, sizeof(v), &after) == 0;
		     p = after)
			for (i = 0; i < 7; i++)
				if (strcmp(v, days[i]) == 0)
					h->skip_days |= (uint8_t)(1u << i);
	}
}

void
sched_hints_from_http(struct sched_hints *h, const char *cache_control,
		      const char *expires, int64_t now_s)
{
	const char *p;

	if (cache_control && !strstr(cache_control, "no-cache") &&
	    !strstr(cache_control, "no-store") &&
	    (p = strstr(cache_control, "max-age="))) {
		char *e;
		long long v = strtoll(p + 8, &e, 10);

		if (e != p + 8 && v > 0)
			hint_min(h, (int64_t)min64(v, HINT_CAP_S));
		return; /* max-age overrides Expires (RFC 9111 5.3) */
	}
	if (expires) {
		struct date_value dv;

		if (date_parse(expires, strlen(expires), &dv) == 0 &&
		    dv.has_time && dv.epoch > now_s)
			hint_min(h, dv.epoch - now_s);
	}
}

double
sched_random(void)
{
	/* xorshift64*; the state is process-global on purpose: only the loop
	 * thread draws jitter and a shared sequence is all it needs. */
	static uint64_t s;

	if (!s) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
		    ((uint64_t)getpid() << 40) ^ 0x9e3779b97f4a7c15ULL;
	}
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return (double)((s * 2685821657736338717ULL) >> 11) /
	       (double)(1ULL << 53);
}
