/* output_conf.c — parsing the [output NAME] sections of the
 * configuration (docs/configuration.md "Outputs"), self-contained so that
 * config.c only hands it the section's keys.
 */
#include "output.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto.h"

static int
failf(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
failf(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return -EINVAL;
}

static void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
output_conf_clear(struct output_conf *c)
{
	free(c->name);
	strv_free(c->feeds, c->nfeeds);
	strv_free(c->speakers, c->nspeakers);
	strv_free(c->kinds, c->nkinds);
	strv_free(c->types, c->ntypes);
	free(c->query);
	free(c->url);
	free(c->secret_file);
	free(c->origin);
	free(c->atom_file);
	free(c->json_file);
	free(c->title);
	free(c->link);
	free(c->from);
	strv_free(c->to, c->nto);
	free(c->auth_file);
	free(c->ca_file);
	free(c->raw);
	memset(c, 0, sizeof(*c));
}

void
output_confs_free(struct output_confs *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++)
		output_conf_clear(&set->v[i]);
	free(set->v);
	free(set);
}

static void
conf_defaults(struct output_conf *c)
{
	c->timeout_ms = 10 * 1000;
	c->max_attempts = 8;
	c->backoff_ms = 1000;
	c->max_backoff_ms = 5 * 60 * 1000;
	c->items = 50;
	c->starttls = -1;
}

static int
dup_str(char **dst, const char *src)
{
	char *s = NULL;

	if (src && !(s = strdup(src)))
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int
dup_strv(char ***dst, size_t *dn, char *const *src, size_t n)
{
	size_t i;

	*dst = NULL;
	*dn = 0;
	if (!n)
		return 0;
	if (!(*dst = calloc(n, sizeof(**dst))))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!((*dst)[i] = strdup(src[i])))
			return -ENOMEM;
		(*dn)++;
	}
	return 0;
}

int
output_conf_copy(struct output_conf *d, const struct output_conf *s)
{
	*d = *s;
	d->name = d->query = d->url = d->secret_file = d->origin = NULL;
	d->atom_file = d->json_file = d->title = d->link = NULL;
	d->from = d->auth_file = d->ca_file = d->raw = NULL;
	d->feeds = d->speakers = d->kinds = d->types = d->to = NULL;
	d->nfeeds = d->nspeakers = d->nkinds = d->ntypes = d->nto = 0;
	if (dup_str(&d->name, s->name) || dup_str(&d->query, s->query) ||
	    dup_str(&d->url, s->url) ||
	    dup_str(&d->secret_file, s->secret_file) ||
	    dup_str(&d->origin, s->origin) ||
	    dup_str(&d->atom_file, s->atom_file) ||
	    dup_str(&d->json_file, s->json_file) ||
	    dup_str(&d->title, s->title) || dup_str(&d->link, s->link) ||
	    dup_str(&d->from, s->from) ||
	    dup_str(&d->auth_file, s->auth_file) ||
	    dup_str(&d->ca_file, s->ca_file) ||
	    dup_str(&d->raw, s->raw) ||
	    dup_strv(&d->feeds, &d->nfeeds, s->feeds, s->nfeeds) ||
	    dup_strv(&d->speakers, &d->nspeakers, s->speakers, s->nspeakers) ||
	    dup_strv(&d->kinds, &d->nkinds, s->kinds, s->nkinds) ||
	    dup_strv(&d->types, &d->ntypes, s->types, s->ntypes) ||
	    dup_strv(&d->to, &d->nto, s->to, s->nto)) {
		output_conf_clear(d);
		return -ENOMEM;
	}
	return 0;
}

/* "a, b ,c" → {"a","b","c"}; empty entries refused. */
static int
parse_list(const char *value, char ***out, size_t *n, char **err,
	   const char *oname, const char *key)
{
	const char *p = value;
	char **v = NULL;
	size_t k = 0;

	while (*p) {
		const char *a, *b;
		char **nv;

		while (isspace((unsigned char)*p))
			p++;
		a = p;
		while (*p && *p != ',')
			p++;
		b = p;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (b == a || (size_t)(b - a) > PROTO_MAX_NAME ||
		    k >= PROTO_MAX_ITEMS) {
			strv_free(v, k);
			return failf(err, "output \"%s\": %s \"%s\" is not a "
				     "comma-separated list of at most %d "
				     "non-empty names", oname, key, value,
				     PROTO_MAX_ITEMS);
		}
		nv = realloc(v, (k + 1) * sizeof(*v));
		if (!nv || !(nv[k] = strndup(a, (size_t)(b - a)))) {
			strv_free(nv ? nv : v, k);
			return -ENOMEM;
		}
		v = nv;
		k++;
		if (*p == ',')
			p++;
	}
	if (!k)
		return failf(err, "output \"%s\": %s is empty", oname, key);
	strv_free(*out, *n);
	*out = v;
	*n = k;
	return 0;
}

/* "90", "90s", "15m", "2h", "1d", "500ms" → ms. */
static int
parse_duration(const char *s, int64_t *ms)
{
	char *end;
	double v;
	int64_t mul = 1000;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (!strcmp(end, "ms"))
		mul = 1;
	else if (!*end || !strcmp(end, "s"))
		mul = 1000;
	else if (!strcmp(end, "m"))
		mul = 60 * 1000;
	else if (!strcmp(end, "h"))
		mul = 3600 * 1000;
	else if (!strcmp(end, "d"))
		mul = 86400 * 1000;
	else
		return -1;
	if (v * (double)mul > 365.0 * 86400 * 1000)
		return -1;
	*ms = (int64_t)(v * (double)mul);
	return 0;
}

static int
parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int
parse_yesno(const char *s, int *out)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcmp(s, "1"))
		*out = 1;
	else if (!strcasecmp(s, "no") || !strcasecmp(s, "false") ||
		 !strcmp(s, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int
valid_name(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!(isalnum((unsigned char)*s) || *s == '-' || *s == '_' ||
		      *s == '.'))
			return 0;
	return n > 0 && n <= 64;
}

static struct output_conf *
section(struct output_confs **setp, const char *name)
{
	struct output_confs *set = *setp;
	struct output_conf *v;
	size_t i;

	if (!set) {
		if (!(set = calloc(1, sizeof(*set))))
			return NULL;
		*setp = set;
	}
	for (i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].name, name))
			return &set->v[i];
	v = realloc(set->v, (set->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	set->v = v;
	memset(&v[set->n], 0, sizeof(*v));
	conf_defaults(&v[set->n]);
	if (!(v[set->n].name = strdup(name)))
		return NULL;
	return &v[set->n++];
}

static int
check_list(char **v, size_t n, const char *const *ok, char **err,
	   const char *oname, const char *key)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; ok[j] && strcmp(ok[j], v[i]); j++)
			;
		if (!ok[j])
			return failf(err, "output \"%s\": %s: unknown \"%s\"",
				     oname, key, v[i]);
	}
	return 0;
}

int
output_conf_key(struct output_confs **setp, const char *name,
		const char *key, const char *value, char **err)
{
	static const char *const kinds[] = {"transcript", "speech", "release",
					    "other", NULL};
	static const char *const types[] = {"briefing.new",
					    "briefing.updated", NULL};
	struct output_conf *c;
	int r;

	*err = NULL;
	if (!valid_name(name))
		return failf(err, "output name \"%s\": use 1-64 letters, "
			     "digits, '-', '_' or '.'", name);
	if (!(c = section(setp, name)))
		return -ENOMEM;
	if (!strcmp(key, "type")) {
		if (!strcmp(value, "webhook"))
			c->type = OUTPUT_WEBHOOK;
		else if (!strcmp(value, "feed"))
			c->type = OUTPUT_FEED;
		else if (!strcmp(value, "mail"))
			c->type = OUTPUT_MAIL;
		else
			return failf(err, "output \"%s\": type \"%s\" is not "
				     "webhook, feed or mail", name, value);
		return 0;
	}
	if (!strcmp(key, "feeds"))
		return parse_list(value, &c->feeds, &c->nfeeds, err, name, key);
	if (!strcmp(key, "speakers"))
		return parse_list(value, &c->speakers, &c->nspeakers, err,
				  name, key);
	if (!strcmp(key, "kinds")) {
		if ((r = parse_list(value, &c->kinds, &c->nkinds, err, name,
				    key)) < 0)
			return r;
		return check_list(c->kinds, c->nkinds, kinds, err, name, key);
	}
	if (!strcmp(key, "events")) {
		if ((r = parse_list(value, &c->types, &c->ntypes, err, name,
				    key)) < 0)
			return r;
		return check_list(c->types, c->ntypes, types, err, name, key);
	}
	if (!strcmp(key, "query")) {
		if (!*value || strlen(value) > PROTO_MAX_QUERY)
			return failf(err, "output \"%s\": query must be 1-%d "
				     "bytes", name, PROTO_MAX_QUERY);
		return dup_str(&c->query, value);
	}
	if (!strcmp(key, "start")) {
		if (!strcmp(value, "head"))
			c->start_beginning = 0;
		else if (!strcmp(value, "beginning"))
			c->start_beginning = 1;
		else
			return failf(err, "output \"%s\": start \"%s\" is not "
				     "head or beginning", name, value);
		return 0;
	}
	if (!strcmp(key, "url")) {
		if (strncasecmp(value, "http://", 7) &&
		    strncasecmp(value, "https://", 8) &&
		    strncasecmp(value, "smtp://", 7) &&
		    strncasecmp(value, "smtps://", 8))
			return failf(err, "output \"%s\": url \"%s\" is not "
				     "http(s):// or smtp(s)://", name, value);
		return dup_str(&c->url, value);
	}
	if (!strcmp(key, "format")) {
		if (!strcmp(value, "json"))
			c->format = OUTFMT_JSON;
		else if (!strcmp(value, "slack") ||
			 !strcmp(value, "mattermost"))
			c->format = OUTFMT_SLACK;
		else if (!strcmp(value, "teams"))
			c->format = OUTFMT_TEAMS;
		else
			return failf(err, "output \"%s\": format \"%s\" is not "
				     "json, slack, mattermost or teams", name,
				     value);
		return 0;
	}
	if (!strcmp(key, "secret_file"))
		return dup_str(&c->secret_file, value);
	if (!strcmp(key, "origin")) {
		if (strpbrk(value, "\r\n/ ") || !*value)
			return failf(err, "output \"%s\": origin \"%s\" must "
				     "be one word without '/'", name, value);
		return dup_str(&c->origin, value);
	}
	if (!strcmp(key, "timeout") || !strcmp(key, "backoff") ||
	    !strcmp(key, "max_backoff") || !strcmp(key, "digest")) {
		int64_t ms;

		if (parse_duration(value, &ms) < 0 ||
		    (strcmp(key, "digest") && ms < 10))
			return failf(err, "output \"%s\": %s \"%s\" is not a "
				     "duration (\"30s\", \"5m\")", name, key,
				     value);
		if (!strcmp(key, "timeout"))
			c->timeout_ms = ms;
		else if (!strcmp(key, "backoff"))
			c->backoff_ms = ms;
		else if (!strcmp(key, "max_backoff"))
			c->max_backoff_ms = ms;
		else
			c->digest_ms = ms;
		return 0;
	}
	if (!strcmp(key, "max_attempts")) {
		if (parse_int(value, 1, 1000, &c->max_attempts) < 0)
			return failf(err, "output \"%s\": max_attempts \"%s\" "
				     "is not 1-1000", name, value);
		return 0;
	}
	if (!strcmp(key, "items")) {
		if (parse_int(value, 1, 1000, &c->items) < 0)
			return failf(err, "output \"%s\": items \"%s\" is not "
				     "1-1000", name, value);
		return 0;
	}
	if (!strcmp(key, "atom_file"))
		return dup_str(&c->atom_file, value);
	if (!strcmp(key, "json_file"))
		return dup_str(&c->json_file, value);
	if (!strcmp(key, "title"))
		return dup_str(&c->title, value);
	if (!strcmp(key, "link"))
		return dup_str(&c->link, value);
	if (!strcmp(key, "from"))
		return dup_str(&c->from, value);
	if (!strcmp(key, "to"))
		return parse_list(value, &c->to, &c->nto, err, name, key);
	if (!strcmp(key, "auth_file"))
		return dup_str(&c->auth_file, value);
	if (!strcmp(key, "ca_file"))
		return dup_str(&c->ca_file, value);
	if (!strcmp(key, "starttls")) {
		if (parse_yesno(value, &c->starttls) < 0)
			return failf(err, "output \"%s\": starttls \"%s\" is "
				     "not yes or no", name, value);
		return 0;
	}
	return failf(err, "unknown key \"%s\" in [output %s]", key, name);
}

int
output_conf_check(const struct output_confs *set, char **err)
{
	size_t i;

	*err = NULL;
	for (i = 0; set && i < set->n; i++) {
		const struct output_conf *c = &set->v[i];

		if (!c->type)
			return failf(err, "output \"%s\" has no type "
				     "(webhook, feed or mail)", c->name);
		if (c->type == OUTPUT_WEBHOOK &&
		    (!c->url || strncasecmp(c->url, "http", 4)))
			return failf(err, "output \"%s\": a webhook needs url "
				     "= http(s)://...", c->name);
		if (c->type == OUTPUT_FEED && !c->atom_file && !c->json_file)
			return failf(err, "output \"%s\": a feed needs "
				     "atom_file or json_file", c->name);
		if (c->type == OUTPUT_MAIL &&
		    (!c->url || strncasecmp(c->url, "smtp", 4) || !c->from ||
		     !c->nto))
			return failf(err, "output \"%s\": mail needs url = "
				     "smtp(s)://..., from and to", c->name);
		if (c->max_backoff_ms < c->backoff_ms)
			return failf(err, "output \"%s\": max_backoff is "
				     "shorter than backoff", c->name);
	}
	return 0;
}
