/* config.c — INI configuration (see include/config.h and
 * docs/configuration.md). The text is tokenized by inifile.c, in memory,
 * so that config_parse() is a pure function of its input, reports the line
 * of each error and takes lines of any length (long feed URLs).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "inifile.h"
#include "log.h"
#include "output.h"

#define CONFIG_MAX_BYTES (1024 * 1024)
#define CONFIG_MAX_FEEDS 100000

struct parse_state {
	const char *p, *end; /* remaining input */
	int line;            /* line being read, for messages */
	struct config *cfg;
	struct buf err;      /* first error */
	int oom;             /* an allocation failed: -ENOMEM */
	int feeds_only;      /* the feeds file: [feed NAME] sections only */
	int feeds_file_set;  /* feeds_file was given */
};

static int
fail(struct parse_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
fail(struct parse_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->err.len)
		return 0;
	if (buf_printf(&st->err, "line %d: ", st->line) < 0)
		st->oom = 1;
	va_start(ap, fmt);
	if (buf_vprintf(&st->err, fmt, ap) < 0)
		st->oom = 1;
	va_end(ap);
	return 0;
}

int
config_parse_duration(const char *s, int64_t *ms)
{
	static const struct {
		const char *suffix;
		int64_t mult;
	} units[] = {
		{"ms", 1}, {"s", 1000}, {"", 1000}, {"m", 60000},
		{"min", 60000}, {"h", 3600000}, {"d", 86400000},
	};
	char *end;
	double v;
	size_t i;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0 || v > 1e12)
		return -EINVAL;
	while (*end == ' ')
		end++;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix) == 0) {
			double m = v * (double)units[i].mult;

			/* Past about a century, and out of int64_t's range
			 * long before that overflows: refused. */
			if (m > 4e12)
				return -EINVAL;
			*ms = (int64_t)m;
			return 0;
		}
	}
	return -EINVAL;
}

int
config_parse_size(const char *s, size_t *bytes)
{
	char *end;
	unsigned long long v;
	unsigned long long mult = 1;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': mult = 1024ULL; end++; break;
	case 'm': case 'M': mult = 1024ULL * 1024; end++; break;
	case 'g': case 'G': mult = 1024ULL * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v > SIZE_MAX / mult)
		return -EINVAL;
	*bytes = (size_t)(v * mult);
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -EINVAL;
}

static int
parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Replace *dst with a copy of s. */
static int
set_str(char **dst, const char *s)
{
	char *p = strdup(s);

	if (!p)
		return -ENOMEM;
	free(*dst);
	*dst = p;
	return 0;
}

/* set_str() for a key handler: 1, or 0 with st->oom set. */
static int
put_str(struct parse_state *st, char **dst, const char *s)
{
	if (set_str(dst, s) < 0) {
		st->oom = 1;
		return 0;
	}
	return 1;
}

static int
daemon_key(struct parse_state *st, const char *name, const char *value)
{
	struct config *c = st->cfg;
	long l;
	int b;

	if (strcmp(name, "database") == 0)
		return put_str(st, &c->database, value);
	if (strcmp(name, "socket") == 0)
		return put_str(st, &c->socket, value);
	if (strcmp(name, "socket_group") == 0)
		return put_str(st, &c->socket_group, value);
	if (strcmp(name, "admin_group") == 0)
		return put_str(st, &c->admin_group, value);
	if (strcmp(name, "profiles") == 0)
		return put_str(st, &c->profiles_dir, value);
	if (strcmp(name, "allow_addrs") == 0)
		return put_str(st, &c->allow_addrs, value);
	if (strcmp(name, "connect_timeout") == 0 ||
	    strcmp(name, "total_timeout") == 0 ||
	    strcmp(name, "low_speed_time") == 0) {
		int64_t ms;

		if (config_parse_duration(value, &ms) < 0 || ms < 1000 ||
		    ms > 3600 * 1000)
			return fail(st, "%s: \"%s\" is not a duration from 1 s to 1 h", name, value);
		if (name[0] == 'c')
			c->connect_timeout_ms = ms;
		else if (name[0] == 't')
			c->total_timeout_ms = ms;
		else
			c->low_speed_time_ms = ms;
		return 1;
	}
	if (strcmp(name, "event_retention") == 0) {
		int64_t ms;

		if (strcmp(value, "forever") == 0)
			ms = 0;
		else if (config_parse_duration(value, &ms) < 0 ||
			 ms < 3600 * 1000)
			return fail(st, "event_retention: \"%s\" is not \"forever\" or a duration of at least 1 h", value);
		c->event_retention_ms = ms;
		return 1;
	}
	if (strcmp(name, "max_database_size") == 0) {
		size_t sz;

		if (strcmp(value, "0") == 0)
			sz = 0;
		else if (config_parse_size(value, &sz) < 0 || sz < (1u << 20))
			return fail(st, "max_database_size: \"%s\" is not 0 or a size of at least 1M", value);
		c->max_database_bytes = sz;
		return 1;
	}
	if (strcmp(name, "metrics_file") == 0)
		return put_str(st, &c->metrics_file, value);
	if (strcmp(name, "feeds_file") == 0) {
		st->feeds_file_set = 1;
		if (strcmp(value, "none") == 0 || !*value) {
			free(c->feeds_file);
			c->feeds_file = NULL;
			return 1;
		}
		return put_str(st, &c->feeds_file, value);
	}
	if (strcmp(name, "user_agent") == 0)
		return put_str(st, &c->user_agent, value);
	if (strcmp(name, "socket_mode") == 0) {
		char *end;
		unsigned long m = strtoul(value, &end, 8);

		if (*end || end == value || m > 0777)
			return fail(st, "socket_mode: \"%s\" is not an octal mode", value);
		c->socket_mode = (mode_t)m;
		return 1;
	}
	if (strcmp(name, "interval") == 0 ||
	    strcmp(name, "min_interval") == 0 ||
	    strcmp(name, "max_interval") == 0) {
		int64_t ms;

		if (config_parse_duration(value, &ms) < 0 || ms < 1000)
			return fail(st, "%s: \"%s\" is not a duration of at least 1 s (e.g. 90s, 15m, 2h)",
				    name, value);
		if (name[1] == 'n')
			c->interval_ms = ms;
		else if (name[1] == 'i')
			c->min_interval_ms = ms;
		else
			c->max_interval_ms = ms;
		return 1;
	}
	if (strcmp(name, "max_connections") == 0 ||
	    strcmp(name, "max_per_host") == 0) {
		if (parse_long(value, 1, 10000, &l) < 0)
			return fail(st, "%s: \"%s\" is not a number from 1 to 10000", name, value);
		if (name[4] == 'c')
			c->max_connections = l;
		else
			c->max_per_host = l;
		return 1;
	}
	if (strcmp(name, "max_clients") == 0) {
		if (parse_long(value, 1, 100000, &l) < 0)
			return fail(st, "max_clients: \"%s\" is not a number from 1 to 100000", value);
		c->max_clients = (size_t)l;
		return 1;
	}
	if (strcmp(name, "allow_private") == 0 ||
	    strcmp(name, "fetch_pages") == 0) {
		if (parse_bool(value, &b) < 0)
			return fail(st, "%s: \"%s\" is not yes or no", name, value);
		if (name[0] == 'a')
			c->allow_private = b;
		else
			c->fetch_pages = b;
		return 1;
	}
	if (strcmp(name, "recheck") == 0) {
		if (config_parse_recheck(value, &c->recheck) < 0)
			return fail(st, "recheck: \"%s\" is not \"no\" or a list of ascending durations of at least 1 s (at most %d)", value, RECHECK_MAX);
		return 1;
	}
	if (strcmp(name, "max_feed_items") == 0) {
		if (parse_long(value, 1, 1000000, &l) < 0)
			return fail(st, "max_feed_items: \"%s\" is not a number from 1 to 1000000", value);
		c->max_feed_items = (size_t)l;
		return 1;
	}
	if (strcmp(name, "max_field_size") == 0) {
		size_t sz;

		if (config_parse_size(value, &sz) < 0 || sz < 1024)
			return fail(st, "max_field_size: \"%s\" is not a size of at least 1k", value);
		c->max_field_bytes = sz;
		return 1;
	}
	if (strcmp(name, "max_client_queue") == 0) {
		size_t sz;

		if (config_parse_size(value, &sz) < 0 || sz < 4096)
			return fail(st, "max_client_queue: \"%s\" is not a size of at least 4k", value);
		c->max_client_queue = sz;
		return 1;
	}
	if (strcmp(name, "max_feed_size") == 0 ||
	    strcmp(name, "max_page_size") == 0) {
		size_t sz;

		if (config_parse_size(value, &sz) < 0 || sz < 1024)
			return fail(st, "%s: \"%s\" is not a size of at least 1k (e.g. 16M)", name, value);
		if (name[4] == 'f')
			c->max_feed_bytes = sz;
		else
			c->max_page_bytes = sz;
		return 1;
	}
	if (strcmp(name, "log_level") == 0) {
		int lv = log_parse_level(value);

		if (lv < 0)
			return fail(st, "log_level: \"%s\" is not err, warning, info or debug", value);
		c->log_level = lv;
		return 1;
	}
	return fail(st, "unknown key \"%s\" in [daemon]", name);
}

static int
valid_feed_name(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		      *s == '.'))
			return 0;
	return n > 0 && n <= 64;
}

static struct config_feed *
feed_section(struct parse_state *st, const char *name)
{
	struct config *c = st->cfg;
	struct config_feed *v;
	size_t i;

	for (i = 0; i < c->nfeeds; i++)
		if (strcmp(c->feeds[i].name, name) == 0)
			return &c->feeds[i];
	if (c->nfeeds >= CONFIG_MAX_FEEDS)
		return NULL;
	v = realloc(c->feeds, (c->nfeeds + 1) * sizeof(*v));
	if (!v) {
		st->oom = 1;
		return NULL;
	}
	c->feeds = v;
	memset(&v[c->nfeeds], 0, sizeof(*v));
	v[c->nfeeds].fetch_pages = -1;
	v[c->nfeeds].name = strdup(name);
	if (!v[c->nfeeds].name) {
		st->oom = 1;
		return NULL;
	}
	return &v[c->nfeeds++];
}

static int
feed_key(struct parse_state *st, const char *fname, const char *name,
	 const char *value)
{
	struct config_feed *f;

	if (!valid_feed_name(fname))
		return fail(st, "feed name \"%s\": use 1-64 letters, digits, '-', '_' or '.'", fname);
	f = feed_section(st, fname);
	if (!f && st->oom)
		return 0;
	if (!f)
		return fail(st, "too many feeds");
	if (strcmp(name, "url") == 0) {
		if (strncasecmp(value, "http://", 7) != 0 &&
		    strncasecmp(value, "https://", 8) != 0)
			return fail(st, "feed \"%s\": url \"%s\" is not http:// or https://", fname, value);
		return put_str(st, &f->url, value);
	}
	if (strcmp(name, "profile") == 0)
		return put_str(st, &f->profile, value);
	if (strcmp(name, "xpath_body") == 0)
		return put_str(st, &f->xpath_body, value);
	if (strcmp(name, "xpath_title") == 0)
		return put_str(st, &f->xpath_title, value);
	if (strcmp(name, "xpath_date") == 0)
		return put_str(st, &f->xpath_date, value);
	if (strcmp(name, "interval") == 0) {
		if (config_parse_duration(value, &f->interval_ms) < 0 ||
		    f->interval_ms < 1000)
			return fail(st, "feed \"%s\": interval \"%s\" is not a duration of at least 1 s", fname, value);
		return 1;
	}
	if (strcmp(name, "recheck") == 0) {
		if (config_parse_recheck(value, &f->recheck) < 0)
			return fail(st, "feed \"%s\": recheck \"%s\" is not \"no\" or a list of ascending durations of at least 1 s (at most %d)", fname, value, RECHECK_MAX);
		f->recheck.set = 1;
		return 1;
	}
	if (strcmp(name, "fetch_pages") == 0) {
		if (parse_bool(value, &f->fetch_pages) < 0)
			return fail(st, "feed \"%s\": fetch_pages \"%s\" is not yes or no", fname, value);
		return 1;
	}
	return fail(st, "unknown key \"%s\" in [feed %s]", name, fname);
}

/* [output NAME]: parsed by output_conf.c. */
static int
output_key(struct parse_state *st, const char *oname, const char *name,
	   const char *value)
{
	char *e = NULL;
	int r;

	while (*oname == ' ')
		oname++;
	r = output_conf_key(&st->cfg->outputs, oname, name, value, &e);
	if (r == -ENOMEM)
		st->oom = 1;
	else if (r < 0)
		fail(st, "%s", e ? e : "bad [output] key");
	free(e);
	return r < 0 ? 0 : 1;
}

static int
on_pair(void *user, const char *section, const char *name, const char *value,
	int line)
{
	struct parse_state *st = user;

	st->line = line;

	if (st->err.len || st->oom)
		return 1;
	if (st->feeds_only && strncmp(section, "feed ", 5) != 0)
		return fail(st, "the feeds file holds only [feed NAME] sections, not [%s]", section);
	if (strcmp(section, "daemon") == 0)
		return daemon_key(st, name, value);
	if (strncmp(section, "feed ", 5) == 0) {
		const char *fname = section + 5;

		while (*fname == ' ')
			fname++;
		return feed_key(st, fname, name, value);
	}
	if (strncmp(section, "output ", 7) == 0)
		return output_key(st, section + 7, name, value);
	if (!*section)
		return fail(st, "\"%s\" is outside any section", name);
	return fail(st, "unknown section [%s]", section);
}

static struct config *
config_defaults(void)
{
	struct config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->socket_mode = 0660;
	c->interval_ms = 15 * 60 * 1000;
	c->min_interval_ms = 60 * 1000;
	c->max_interval_ms = 6 * 3600 * 1000;
	c->max_connections = 32;
	c->max_per_host = 2;
	c->fetch_pages = 1;
	config_parse_recheck("10m 1h 6h 1d 3d", &c->recheck);
	c->max_feed_bytes = 16u << 20;
	c->max_feed_items = 5000;
	c->max_field_bytes = 1u << 20;
	c->max_page_bytes = 8u << 20;
	c->max_clients = 256;
	c->max_client_queue = 4u << 20;
	c->event_retention_ms = (int64_t)90 * 86400 * 1000;
	c->connect_timeout_ms = 10 * 1000;
	c->total_timeout_ms = 60 * 1000;
	c->low_speed_time_ms = 20 * 1000;
	c->log_level = LOG_LVL_INFO;
	if (set_str(&c->database, "/var/lib/briefwatch/briefwatch.db") ||
	    set_str(&c->socket, "/run/briefwatch/briefwatch.sock") ||
	    set_str(&c->user_agent, "briefwatch/" BW_VERSION
		    " (+https://github.com/briefwatch/briefwatch)")) {
		config_free(c);
		return NULL;
	}
	return c;
}

/* Tokenize and check text into a fresh config. feeds_only: the feeds
 * file, where only [feed NAME] sections are allowed. */
static int
parse_text(const char *text, size_t len, int feeds_only, struct config **out,
	   int *feeds_file_set, char **err)
{
	struct parse_state st = {text, text + len, 0, NULL, BUF_INIT, 0,
				 feeds_only, 0};
	size_t i;
	int r, bad = 0;

	*err = NULL;
	if (len > CONFIG_MAX_BYTES) {
		*err = strdup(feeds_only ? "feeds file larger than 1 MiB"
				       : "configuration larger than 1 MiB");
		return -EINVAL;
	}
	st.cfg = config_defaults();
	if (!st.cfg)
		return -ENOMEM;
	r = inifile_parse(text, len, on_pair, &st, &bad);
	if (r == -ENOMEM)
		st.oom = 1;
	if (r > 0 && bad && !st.err.len && !st.oom &&
	    buf_printf(&st.err, "line %d: syntax error (expected [section] or key = value)", r) < 0)
		st.oom = 1;
	if (r > 0 && !st.err.len && !st.oom &&
	    buf_printf(&st.err, "line %d: not accepted", r) < 0)
		st.oom = 1;
	for (i = 0; !st.err.len && !st.oom && i < st.cfg->nfeeds; i++)
		if (!st.cfg->feeds[i].url &&
		    buf_printf(&st.err, "feed \"%s\" has no url", st.cfg->feeds[i].name) < 0)
			st.oom = 1;
	if (!st.err.len && !st.oom &&
	    st.cfg->min_interval_ms > st.cfg->max_interval_ms &&
	    buf_printf(&st.err, "min_interval is larger than max_interval") < 0)
		st.oom = 1;
	if (!st.err.len && !st.oom) {
		char *e = NULL;

		if (output_conf_check(st.cfg->outputs, &e) < 0 &&
		    buf_puts(&st.err, e ? e : "bad [output] section") < 0)
			st.oom = 1;
		free(e);
	}
	if (st.oom) {
		buf_free(&st.err);
		config_free(st.cfg);
		return -ENOMEM;
	}
	if (st.err.len) {
		*err = buf_detach(&st.err);
		config_free(st.cfg);
		return -EINVAL;
	}
	buf_free(&st.err);
	*feeds_file_set = st.feeds_file_set;
	*out = st.cfg;
	return 0;
}

/* feeds_file's default: feeds.conf beside the database. */
static int
default_feeds_file(struct config *c)
{
	struct buf b = BUF_INIT;
	const char *slash = strrchr(c->database, '/');

	if (slash)
		buf_append(&b, c->database, (size_t)(slash - c->database) + 1);
	if (buf_puts(&b, "feeds.conf") < 0) {
		buf_free(&b);
		return -ENOMEM;
	}
	free(c->feeds_file);
	c->feeds_file = buf_detach(&b);
	return 0;
}

int
config_parse(const char *text, size_t len, struct config **out, char **err)
{
	int set = 0, r;

	r = parse_text(text, len, 0, out, &set, err);
	if (r == 0 && !set && default_feeds_file(*out) < 0) {
		config_free(*out);
		*out = NULL;
		r = -ENOMEM;
	}
	return r;
}

int
config_feed_copy(struct config_feed *dst, const struct config_feed *src)
{
	*dst = *src;
	dst->name = dst->url = dst->profile = NULL;
	dst->xpath_body = dst->xpath_title = dst->xpath_date = NULL;
	if ((src->name && set_str(&dst->name, src->name)) ||
	    (src->url && set_str(&dst->url, src->url)) ||
	    (src->profile && set_str(&dst->profile, src->profile)) ||
	    (src->xpath_body && set_str(&dst->xpath_body, src->xpath_body)) ||
	    (src->xpath_title &&
	     set_str(&dst->xpath_title, src->xpath_title)) ||
	    (src->xpath_date && set_str(&dst->xpath_date, src->xpath_date))) {
		config_feed_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

void
config_feed_clear(struct config_feed *f)
{
	free(f->name);
	free(f->url);
	free(f->profile);
	free(f->xpath_body);
	free(f->xpath_title);
	free(f->xpath_date);
	memset(f, 0, sizeof(*f));
}

int
config_add_feed(struct config *c, const struct config_feed *f, int runtime)
{
	struct config_feed *v;

	if (config_find_feed(c, f->name))
		return -EEXIST;
	if (c->nfeeds >= CONFIG_MAX_FEEDS)
		return -ENOSPC;
	v = realloc(c->feeds, (c->nfeeds + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->feeds = v;
	if (config_feed_copy(&v[c->nfeeds], f) < 0)
		return -ENOMEM;
	v[c->nfeeds].runtime = runtime;
	c->nfeeds++;
	return 0;
}

int
config_remove_feed(struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nfeeds; i++) {
		if (strcmp(c->feeds[i].name, name) != 0)
			continue;
		config_feed_clear(&c->feeds[i]);
		memmove(&c->feeds[i], &c->feeds[i + 1],
			(c->nfeeds - i - 1) * sizeof(c->feeds[0]));
		c->nfeeds--;
		return 0;
	}
	return -ENOENT;
}

int
config_merge_feeds(struct config *c, const char *text, size_t len,
		   size_t *shadowed, char **err)
{
	struct config *rt = NULL;
	size_t i;
	int set, r;

	*shadowed = 0;
	r = parse_text(text, len, 1, &rt, &set, err);
	if (r < 0)
		return r;
	for (i = 0; i < rt->nfeeds; i++) {
		r = config_add_feed(c, &rt->feeds[i], 1);
		if (r == -EEXIST) {
			(*shadowed)++;
			r = 0;
		}
		if (r < 0) {
			*err = strdup(r == -ENOSPC ? "too many feeds"
						   : "out of memory");
			break;
		}
	}
	config_free(rt);
	return r;
}

/* A value the INI tokenizer gives back unchanged: no control characters,
 * no leading or trailing blanks, no " ;" or " #" (inline comments). */
static int
ini_safe(const char *v)
{
	size_t i, n = strlen(v);

	if (!n || v[0] == ' ' || v[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return 0;
		if ((v[i] == ';' || v[i] == '#') && i && v[i - 1] == ' ')
			return 0;
	}
	return 1;
}

static void
put_pair(struct buf *b, const char *key, const char *v, int *bad)
{
	if (!v)
		return;
	if (!ini_safe(v))
		*bad = 1;
	buf_printf(b, "%s = %s\n", key, v);
}

int
config_feed_format(const struct config_feed *f, struct buf *out)
{
	struct buf b = BUF_INIT;
	int bad = !f->name || !valid_feed_name(f->name) || !f->url;

	if (bad)
		return -EINVAL;
	buf_printf(&b, "[feed %s]\n", f->name);
	put_pair(&b, "url", f->url, &bad);
	put_pair(&b, "profile", f->profile, &bad);
	put_pair(&b, "xpath_body", f->xpath_body, &bad);
	put_pair(&b, "xpath_title", f->xpath_title, &bad);
	put_pair(&b, "xpath_date", f->xpath_date, &bad);
	if (f->interval_ms)
		buf_printf(&b, "interval = %lldms\n",
			   (long long)f->interval_ms);
	if (f->fetch_pages >= 0)
		buf_printf(&b, "fetch_pages = %s\n",
			   f->fetch_pages ? "yes" : "no");
	if (f->recheck.set) {
		char rc[512];

		config_format_recheck(&f->recheck, rc, sizeof(rc));
		buf_printf(&b, "recheck = %s\n", rc);
	}
	if (bad || buf_error(&b)) {
		buf_free(&b);
		return bad ? -EINVAL : -ENOMEM;
	}
	if (buf_append(out, b.data, b.len) < 0) {
		buf_free(&b);
		return -ENOMEM;
	}
	buf_free(&b);
	return 0;
}

/* Read a whole file of at most CONFIG_MAX_BYTES into text. */
static int
read_text(const char *path, struct buf *text, char **err)
{
	struct buf msg = BUF_INIT;
	char chunk[8192];
	FILE *f;
	size_t n;
	int r;

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		buf_printf(&msg, "%s: %s", path, strerror(errno));
		*err = buf_detach(&msg);
		return r;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (text->len + n > CONFIG_MAX_BYTES ||
		    buf_append(text, chunk, n)) {
			fclose(f);
			buf_printf(&msg, "%s: too large or out of memory", path);
			*err = buf_detach(&msg);
			return -EINVAL;
		}
	}
	r = ferror(f) ? -EIO : 0;
	fclose(f);
	if (r < 0) {
		buf_printf(&msg, "%s: read error", path);
		*err = buf_detach(&msg);
	}
	return r;
}

int
config_load(const char *path, struct config **out, char **err)
{
	struct buf text = BUF_INIT;
	struct buf msg = BUF_INIT;
	struct config *c = NULL;
	const char *where = path;
	size_t shadowed = 0;
	int r;

	*err = NULL;
	*out = NULL;
	r = read_text(path, &text, err);
	if (r == 0)
		r = config_parse(buf_str(&text), text.len, &c, err);
	if (r == 0 && c->feeds_file) {
		char *ferr = NULL;

		where = c->feeds_file;
		buf_reset(&text);
		r = read_text(c->feeds_file, &text, &ferr);
		if (r == -ENOENT) {
			free(ferr);
			r = 0;
		} else if (r < 0) {
			*err = ferr;
			where = NULL;
		} else {
			r = config_merge_feeds(c, buf_str(&text), text.len,
					       &shadowed, err);
		}
		c->shadowed_feeds = shadowed;
	}
	buf_free(&text);
	if (r < 0) {
		if (*err && where && r == -EINVAL) {
			buf_printf(&msg, "%s: %s", where, *err);
			free(*err);
			*err = buf_detach(&msg);
		}
		config_free(c);
		return r;
	}
	*out = c;
	return 0;
}

int
config_write_feeds(const struct config *c, char **err)
{
	struct buf text = BUF_INIT, msg = BUF_INIT;
	struct fileio_replace o = {.mode = 0640};
	const char *path = c->feeds_file;
	size_t i;
	int r = 0;

	*err = NULL;
	if (!path)
		return -EOPNOTSUPP;
	buf_puts(&text, "; Feeds added at run time (briefwatch add-feed, the "
		 "add_feed op).\n; Written by briefwatchd; "
		 "[feed NAME] sections only.\n");
	for (i = 0; r == 0 && i < c->nfeeds; i++) {
		if (!c->feeds[i].runtime)
			continue;
		buf_puts(&text, "\n");
		r = config_feed_format(&c->feeds[i], &text);
	}
	if (r == 0 && buf_error(&text))
		r = buf_error(&text);
	if (r == 0)
		r = fileio_replace(path, text.data, text.len, &o);
	if (r < 0) {
		buf_printf(&msg, "cannot write %s: %s", path, strerror(-r));
		*err = buf_detach(&msg);
	}
	buf_free(&text);
	return r;
}

void
config_free(struct config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nfeeds; i++)
		config_feed_clear(&c->feeds[i]);
	free(c->feeds);
	output_confs_free(c->outputs);
	free(c->database);
	free(c->socket);
	free(c->socket_group);
	free(c->admin_group);
	free(c->profiles_dir);
	free(c->metrics_file);
	free(c->feeds_file);
	free(c->allow_addrs);
	free(c->user_agent);
	free(c);
}

const struct config_feed *
config_find_feed(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nfeeds; i++)
		if (strcmp(c->feeds[i].name, name) == 0)
			return &c->feeds[i];
	return NULL;
}

/* ---- recheck: a list of durations, the only value of its kind ---- */

int
config_parse_recheck(const char *s, struct recheck_sched *out)
{
	struct recheck_sched r = {0};
	char tok[64];
	size_t n;

	if (!s)
		return -EINVAL;
	s += strspn(s, " \t,");
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "none") == 0 ||
	    strcasecmp(s, "off") == 0) {
		*out = r;
		return 0;
	}
	while (*s) {
		n = strcspn(s, " \t,");
		if (n >= sizeof(tok) || r.n == RECHECK_MAX)
			return -EINVAL;
		memcpy(tok, s, n);
		tok[n] = '\0';
		if (config_parse_duration(tok, &r.ages_ms[r.n]) < 0 ||
		    r.ages_ms[r.n] < 1000 ||
		    (r.n && r.ages_ms[r.n] <= r.ages_ms[r.n - 1]))
			return -EINVAL;
		r.n++;
		s += n;
		s += strspn(s, " \t,");
	}
	if (!r.n)
		return -EINVAL;
	*out = r;
	return 0;
}

void
config_format_recheck(const struct recheck_sched *s, char *buf, size_t size)
{
	size_t len = 0;
	int i;

	if (!s->n) {
		snprintf(buf, size, "no");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < s->n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%llds",
					i ? " " : "",
					(long long)(s->ages_ms[i] / 1000));
}
