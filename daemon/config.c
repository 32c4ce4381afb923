/* config.c — INI configuration (see include/config.h and
 * docs/configuration.md). The text is tokenized by inifile.c, in memory,
 * so that config_parse() is a pure function of its input, reports the line
 * of each error and takes lines of any length (long feed URLs).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <grp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libxml/xpath.h>

#include "buf.h"
#include "fileio.h"
#include "inifile.h"
#include "log.h"
#include "output.h"
#include "profiles.h"
#include "relay.h"
#include "sanitize.h"

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
	const char *feed_name; /* the [feed NAME] being set, for messages */
	int env;             /* config_load: also check against this host
			      * (groups, directories, profiles) */
	char *section;       /* the section of the keys seen last */
	struct buf keys;     /* its keys so far, "\nkey\n" each */
	int group_line, admin_line, socket_line; /* where they were set */
	struct buf warn;     /* warnings, one "line N: ..." line each */
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

	/* digits first: strtod also reads "0x1p4", "nan" and "inf" */
	if (!s || !((*s >= '0' && *s <= '9') || *s == '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0 || v > 1e12 ||
	    strspn(s, "0123456789.eE+-") < (size_t)(end - s))
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

/* ---- the key tables ------------------------------------------------------
 *
 * Every key of [daemon], [feed NAME] and [relay] is one row of
 * daemon_keys[], feed_keys[] or relay_keys[] below: its name, how its value is read, where it goes
 * (offsetof into struct config or struct config_feed), the accepted range,
 * and the words that finish the error "KEY: "VALUE" is not ...". The
 * tables are the whole dispatch: on_pair() looks the name up and
 * set_key() does the rest, so a key is never matched by peeking at its
 * characters. config_keys() hands the tables to tests, which check them
 * against docs/configuration.md (every key documented, every documented
 * key here).
 *
 * To add a key:
 *   1. add its field to struct config (or struct config_feed) and its
 *      default to config_defaults();
 *   2. add one row: a plain type (KEY_STR, KEY_DURATION, KEY_SIZE,
 *      KEY_LONG, KEY_COUNT, KEY_BOOL) needs only the offset, the range
 *      and the error's words; anything else is KEY_FN with a setter of
 *      the key_setter type (see set_event_retention() for the shape);
 *   3. document it in the table of docs/configuration.md (test_config
 *      fails otherwise).
 */

enum key_type {
	KEY_STR,      /* char *, a copy of the value */
	KEY_DURATION, /* int64_t milliseconds, within [min, max] */
	KEY_SIZE,     /* size_t bytes, within [min, max] */
	KEY_LONG,     /* long, within [min, max] */
	KEY_COUNT,    /* size_t, within [min, max] */
	KEY_BOOL,     /* int, 0 or 1 */
	KEY_FN,       /* the row's own setter */
};

struct key;
/* Set the key from value into base (the config or the feed): 1, or the
 * result of fail() (0), with st->oom set on allocation failure. */
typedef int (*key_setter)(struct parse_state *st, const struct key *k,
			  void *base, const char *value);

struct key {
	const char *name;
	enum key_type type;
	size_t offset;   /* of the field in struct config / config_feed */
	int64_t min, max;
	const char *what; /* "is not ..." in the error; NULL for KEY_STR */
	key_setter set;   /* KEY_FN only */
};

#define FIELD(member) offsetof(struct config, member)
#define FFIELD(member) offsetof(struct config_feed, member)
#define RFIELD(member) offsetof(struct relay_conf, member)
#define AT(base, k, type) ((type *)(void *)((char *)(base) + (k)->offset))

static int set_socket_mode(struct parse_state *, const struct key *, void *,
			   const char *);
static int set_event_retention(struct parse_state *, const struct key *,
			       void *, const char *);
static int set_max_database_size(struct parse_state *, const struct key *,
				 void *, const char *);
static int set_feeds_file(struct parse_state *, const struct key *, void *,
			  const char *);
static int set_log_level(struct parse_state *, const struct key *, void *,
			 const char *);
static int set_feed_url(struct parse_state *, const struct key *, void *,
			const char *);
static int set_xpath(struct parse_state *, const struct key *, void *,
		     const char *);
static int set_profile(struct parse_state *, const struct key *, void *,
		       const char *);
static int set_allow_addrs(struct parse_state *, const struct key *, void *,
			   const char *);
static int set_socket(struct parse_state *, const struct key *, void *,
		      const char *);
static int set_group(struct parse_state *, const struct key *, void *,
		     const char *);
static int set_recheck(struct parse_state *, const struct key *, void *,
		       const char *);
static int set_relay_servers(struct parse_state *, const struct key *,
			     void *, const char *);
static int set_relay_name(struct parse_state *, const struct key *, void *,
			  const char *);
static int set_schedule(struct parse_state *, const struct key *, void *,
			const char *);
static int set_feed_schedule(struct parse_state *, const struct key *,
			     void *, const char *);

#define HOUR_MS ((int64_t)3600 * 1000)
#define NO_MAX INT64_MAX

static const struct key daemon_keys[] = {
	{"database", KEY_STR, FIELD(database), 0, 0, NULL, NULL},
	{"socket", KEY_FN, FIELD(socket), 0, 0, NULL, set_socket},
	{"socket_mode", KEY_FN, FIELD(socket_mode), 0, 0777,
	 "an octal mode", set_socket_mode},
	{"socket_group", KEY_FN, FIELD(socket_group), 0, 0, NULL, set_group},
	{"admin_group", KEY_FN, FIELD(admin_group), 0, 0, NULL, set_group},
	{"interval", KEY_DURATION, FIELD(interval_ms), 1000, NO_MAX,
	 "a duration of at least 1 s (e.g. 90s, 15m, 2h)", NULL},
	{"min_interval", KEY_DURATION, FIELD(min_interval_ms), 1000, NO_MAX,
	 "a duration of at least 1 s (e.g. 90s, 15m, 2h)", NULL},
	{"max_interval", KEY_DURATION, FIELD(max_interval_ms), 1000, NO_MAX,
	 "a duration of at least 1 s (e.g. 90s, 15m, 2h)", NULL},
	/* issue #26: the scheduler (docs/scheduling.md) */
	{"schedule", KEY_FN, FIELD(schedule_fixed), 0, 0, "adaptive or fixed",
	 set_schedule},
	{"respect_hints", KEY_BOOL, FIELD(respect_hints), 0, 1, "yes or no",
	 NULL},
	{"max_connections", KEY_LONG, FIELD(max_connections), 1, 10000,
	 "a number from 1 to 10000", NULL},
	{"max_per_host", KEY_LONG, FIELD(max_per_host), 1, 10000,
	 "a number from 1 to 10000", NULL},
	{"max_clients", KEY_COUNT, FIELD(max_clients), 1, 100000,
	 "a number from 1 to 100000", NULL},
	{"max_client_queue", KEY_SIZE, FIELD(max_client_queue), 4096, NO_MAX,
	 "a size of at least 4k", NULL},
	{"max_feed_size", KEY_SIZE, FIELD(max_feed_bytes), 1024, NO_MAX,
	 "a size of at least 1k (e.g. 16M)", NULL},
	{"max_page_size", KEY_SIZE, FIELD(max_page_bytes), 1024, NO_MAX,
	 "a size of at least 1k (e.g. 16M)", NULL},
	{"max_feed_items", KEY_COUNT, FIELD(max_feed_items), 1, 1000000,
	 "a number from 1 to 1000000", NULL},
	{"max_field_size", KEY_SIZE, FIELD(max_field_bytes), 1024, NO_MAX,
	 "a size of at least 1k", NULL},
	{"user_agent", KEY_STR, FIELD(user_agent), 0, 0, NULL, NULL},
	{"allow_private", KEY_BOOL, FIELD(allow_private), 0, 1,
	 "yes or no", NULL},
	{"allow_addrs", KEY_FN, FIELD(allow_addrs), 0, 0, NULL,
	 set_allow_addrs},
	{"connect_timeout", KEY_DURATION, FIELD(connect_timeout_ms), 1000,
	 HOUR_MS, "a duration from 1 s to 1 h", NULL},
	{"total_timeout", KEY_DURATION, FIELD(total_timeout_ms), 1000,
	 HOUR_MS, "a duration from 1 s to 1 h", NULL},
	{"low_speed_time", KEY_DURATION, FIELD(low_speed_time_ms), 1000,
	 HOUR_MS, "a duration from 1 s to 1 h", NULL},
	{"fetch_pages", KEY_BOOL, FIELD(fetch_pages), 0, 1, "yes or no", NULL},
	{"recheck", KEY_FN, FIELD(recheck), 0, 0, NULL, set_recheck},
	{"log_level", KEY_FN, FIELD(log_level), 0, 0,
	 "err, warning, info or debug", set_log_level},
	{"event_retention", KEY_FN, FIELD(event_retention_ms), HOUR_MS,
	 NO_MAX, "\"forever\" or a duration of at least 1 h",
	 set_event_retention},
	{"max_database_size", KEY_FN, FIELD(max_database_bytes), 1 << 20,
	 NO_MAX, "0 or a size of at least 1M", set_max_database_size},
	{"metrics_file", KEY_STR, FIELD(metrics_file), 0, 0, NULL, NULL},
	{"feeds_file", KEY_FN, FIELD(feeds_file), 0, 0, NULL, set_feeds_file},
	{"profiles", KEY_STR, FIELD(profiles_dir), 0, 0, NULL, NULL},
};

static const struct key feed_keys[] = {
	{"url", KEY_FN, FFIELD(url), 0, 0, "http:// or https://",
	 set_feed_url},
	{"interval", KEY_DURATION, FFIELD(interval_ms), 1000, NO_MAX,
	 "a duration of at least 1 s", NULL},
	{"profile", KEY_FN, FFIELD(profile), 0, 0, NULL, set_profile},
	{"recheck", KEY_FN, FFIELD(recheck), 0, 0, NULL, set_recheck},
	{"fetch_pages", KEY_BOOL, FFIELD(fetch_pages), 0, 1, "yes or no",
	 NULL},
	{"schedule", KEY_FN, FFIELD(schedule), 0, 0, "adaptive or fixed",
	 set_feed_schedule},
	{"xpath_body", KEY_FN, FFIELD(xpath_body), 0, 0, NULL, set_xpath},
	{"xpath_title", KEY_FN, FFIELD(xpath_title), 0, 0, NULL, set_xpath},
	{"xpath_date", KEY_FN, FFIELD(xpath_date), 0, 0, NULL, set_xpath},
};

/* [relay] (include/relay.h: struct relay_conf, made with its defaults by
 * relay_conf_new on the section's first key). max of a name: 1 where
 * dots are allowed. */
static const struct key relay_keys[] = {
	{"servers", KEY_FN, RFIELD(servers), 0, 0,
	 "a list of nats://host:port URLs", set_relay_servers},
	{"user", KEY_STR, RFIELD(user), 0, 0, NULL, NULL},
	{"password", KEY_STR, RFIELD(password), 0, 0, NULL, NULL},
	{"credentials", KEY_STR, RFIELD(creds), 0, 0, NULL, NULL},
	{"nkey", KEY_STR, RFIELD(nkey), 0, 0, NULL, NULL},
	{"tls_ca", KEY_STR, RFIELD(tls_ca), 0, 0, NULL, NULL},
	{"tls_cert", KEY_STR, RFIELD(tls_cert), 0, 0, NULL, NULL},
	{"tls_key", KEY_STR, RFIELD(tls_key), 0, 0, NULL, NULL},
	{"stream", KEY_FN, RFIELD(stream), 0, 0,
	 "a stream name (no blanks, '.', '*', '>', '/')", set_relay_name},
	{"subject_prefix", KEY_FN, RFIELD(prefix), 0, 1,
	 "a subject prefix (tokens separated by single dots, no blanks, '*', '>')",
	 set_relay_name},
	{"create_stream", KEY_BOOL, RFIELD(create_stream), 0, 1, "yes or no",
	 NULL},
	{"replicas", KEY_LONG, RFIELD(replicas), 1, 5, "a number from 1 to 5",
	 NULL},
	{"window", KEY_LONG, RFIELD(window), 1, 65536,
	 "a number from 1 to 65536", NULL},
	{"ack_wait", KEY_DURATION, RFIELD(ack_wait_ms), 100, 600000,
	 "a duration from 100ms to 10m", NULL},
};

#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))

static const struct key *
find_key(const struct key *t, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

size_t
config_keys(int section, const char **names, size_t max)
{
	const struct key *t = daemon_keys;
	size_t i, n = NKEYS(daemon_keys);

	if (section == CONFIG_KEYS_FEED) {
		t = feed_keys;
		n = NKEYS(feed_keys);
	} else if (section == CONFIG_KEYS_RELAY) {
		t = relay_keys;
		n = NKEYS(relay_keys);
	}

	for (i = 0; i < n && i < max; i++)
		names[i] = t[i].name;
	return n;
}

/* The feed section being read, for messages ("feed "x": "); "" in
 * [daemon]. */
static const char *
key_prefix(struct parse_state *st, struct buf *b)
{
	if (st->feed_name && buf_printf(b, "feed \"%s\": ", st->feed_name) < 0)
		st->oom = 1;
	return buf_str(b);
}

/* The error for a value the key does not accept. */
static int
bad_value(struct parse_state *st, const struct key *k, const char *value)
{
	struct buf pre = BUF_INIT;

	fail(st, "%s%s%s\"%s\" is not %s", key_prefix(st, &pre), k->name,
	     st->feed_name ? " " : ": ", value, k->what);
	buf_free(&pre);
	return 0;
}

static int
set_key(struct parse_state *st, const struct key *k, void *base,
	const char *value)
{
	int64_t ms;
	size_t sz;
	long l;
	int b;

	switch (k->type) {
	case KEY_STR:
		return put_str(st, AT(base, k, char *), value);
	case KEY_DURATION:
		if (config_parse_duration(value, &ms) < 0 || ms < k->min ||
		    ms > k->max)
			return bad_value(st, k, value);
		*AT(base, k, int64_t) = ms;
		return 1;
	case KEY_SIZE:
		if (config_parse_size(value, &sz) < 0 ||
		    (uint64_t)sz < (uint64_t)k->min ||
		    (uint64_t)sz > (uint64_t)k->max)
			return bad_value(st, k, value);
		*AT(base, k, size_t) = sz;
		return 1;
	case KEY_LONG:
	case KEY_COUNT:
		if (parse_long(value, (long)k->min, (long)k->max, &l) < 0)
			return bad_value(st, k, value);
		if (k->type == KEY_LONG)
			*AT(base, k, long) = l;
		else
			*AT(base, k, size_t) = (size_t)l;
		return 1;
	case KEY_BOOL:
		if (parse_bool(value, &b) < 0)
			return bad_value(st, k, value);
		*AT(base, k, int) = b;
		return 1;
	case KEY_FN:
		return k->set(st, k, base, value);
	}
	return bad_value(st, k, value);
}

static int
set_socket_mode(struct parse_state *st, const struct key *k, void *base,
		const char *value)
{
	char *end;
	unsigned long m = strtoul(value, &end, 8);

	if (*end || end == value || *value == '-' || m > (unsigned long)k->max)
		return bad_value(st, k, value);
	if ((m & 0002) &&
	    buf_printf(&st->warn, "line %d: socket_mode %s makes the socket world-writable: any local user may subscribe and read every briefing\n",
		       st->line, value) < 0)
		st->oom = 1;
	*AT(base, k, mode_t) = (mode_t)m;
	return 1;
}

static int
set_event_retention(struct parse_state *st, const struct key *k, void *base,
		    const char *value)
{
	int64_t ms;

	if (strcmp(value, "forever") == 0)
		ms = 0;
	else if (config_parse_duration(value, &ms) < 0 || ms < k->min)
		return bad_value(st, k, value);
	*AT(base, k, int64_t) = ms;
	return 1;
}

static int
set_max_database_size(struct parse_state *st, const struct key *k,
		      void *base, const char *value)
{
	size_t sz;

	if (strcmp(value, "0") == 0)
		sz = 0;
	else if (config_parse_size(value, &sz) < 0 ||
		 (uint64_t)sz < (uint64_t)k->min)
		return bad_value(st, k, value);
	*AT(base, k, uint64_t) = sz;
	return 1;
}

static int
set_feeds_file(struct parse_state *st, const struct key *k, void *base,
	       const char *value)
{
	char **dst = AT(base, k, char *);

	st->feeds_file_set = 1;
	if (strcmp(value, "none") == 0 || !*value) {
		free(*dst);
		*dst = NULL;
		return 1;
	}
	return put_str(st, dst, value);
}

static int
set_log_level(struct parse_state *st, const struct key *k, void *base,
	      const char *value)
{
	int lv = log_parse_level(value);

	if (lv < 0)
		return bad_value(st, k, value);
	*AT(base, k, int) = lv;
	return 1;
}

/* "adaptive" 0, "fixed" 1, anything else -1. */
static int
schedule_word(const char *value)
{
	if (strcmp(value, "adaptive") == 0)
		return 0;
	if (strcmp(value, "fixed") == 0)
		return 1;
	return -1;
}

/* [daemon] schedule: the int is 1 for fixed. */
static int
set_schedule(struct parse_state *st, const struct key *k, void *base,
	     const char *value)
{
	int w = schedule_word(value);

	if (w < 0)
		return bad_value(st, k, value);
	*AT(base, k, int) = w;
	return 1;
}

/* [feed] schedule: CONFIG_SCHEDULE_ADAPTIVE or _FIXED (0 stays "the
 * daemon's"). */
static int
set_feed_schedule(struct parse_state *st, const struct key *k, void *base,
		  const char *value)
{
	int w = schedule_word(value);

	if (w < 0)
		return bad_value(st, k, value);
	*AT(base, k, int) = w ? CONFIG_SCHEDULE_FIXED : CONFIG_SCHEDULE_ADAPTIVE;
	return 1;
}

int
config_check_url(const char *url, const char **why)
{
	const char *p, *host, *end;
	size_t n = strlen(url), i;

	if (n > CONFIG_MAX_URL)
		return *why = "is longer than 4096 bytes", -EINVAL;
	if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else
		return *why = "is not http:// or https://", -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c == ' ')
			return *why = "has a space (write it as %20)", -EINVAL;
		if (c < 0x20 || c == 0x7f)
			return *why = "has a control character", -EINVAL;
		if (c >= 0x80)
			return *why = "has a raw non-ASCII byte (percent-encode it)",
			       -EINVAL;
	}
	end = host + strcspn(host, "/?#");
	for (p = host; p < end; p++)
		if (*p == '@')
			host = p + 1;
	if (*host == '[') {
		p = memchr(host, ']', (size_t)(end - host));
		if (!p || p == host + 1)
			return *why = "has no host", -EINVAL;
		p++;
		if (p < end && *p != ':')
			return *why = "has text after the ]", -EINVAL;
	} else {
		p = memchr(host, ':', (size_t)(end - host));
		if ((p ? p : end) == host)
			return *why = "has no host", -EINVAL;
	}
	/* the port: digits, 1-65535 (curl refused it at the first poll) */
	if (p && p < end && *p == ':' && p + 1 < end) {
		unsigned long port = 0;

		for (p++; p < end; p++) {
			if (*p < '0' || *p > '9' || port > 65535)
				return *why = "has a port that is not a number "
					      "from 1 to 65535", -EINVAL;
			port = port * 10 + (unsigned long)(*p - '0');
		}
		if (port < 1 || port > 65535)
			return *why = "has a port that is not a number from 1 "
				      "to 65535", -EINVAL;
	}
	return 0;
}

static int
set_feed_url(struct parse_state *st, const struct key *k, void *base,
	     const char *value)
{
	const char *why;

	if (config_check_url(value, &why) < 0)
		return fail(st, "feed \"%s\": url \"%.200s\" %s", st->feed_name,
			    value, why);
	return put_str(st, AT(base, k, char *), value);
}

/* "no", or ascending durations of at least 1 s: the re-check ages. In a
 * feed section it overrides the daemon's list (.set). */
static int
set_recheck(struct parse_state *st, const struct key *k, void *base,
	    const char *value)
{
	struct recheck_sched *r = AT(base, k, struct recheck_sched);
	struct buf pre = BUF_INIT;
	int rc = 1;

	if (config_parse_recheck(value, r) < 0)
		rc = fail(st, "%srecheck \"%s\" is not \"no\" or a list of ascending durations of at least 1 s (at most %d)",
			  key_prefix(st, &pre), value, RECHECK_MAX);
	else
		r->set = st->feed_name != NULL;
	buf_free(&pre);
	return rc;
}

/* An XPath that libxml2 compiles. */
static int
set_xpath(struct parse_state *st, const struct key *k, void *base,
	  const char *value)
{
	xmlXPathCompExprPtr e;

	sanitize_libxml_init(); /* its errors are ours to word, not stderr's */
	e = xmlXPathCompile((const xmlChar *)value);
	if (!e)
		return fail(st, "feed \"%s\": %s \"%.200s\" is not a valid XPath expression",
			    st->feed_name, k->name, value);
	xmlXPathFreeCompExpr(e);
	return put_str(st, AT(base, k, char *), value);
}

static int
set_profile(struct parse_state *st, const struct key *k, void *base,
	    const char *value)
{
	struct config_feed *f = base;

	f->profile_line = st->line;
	return put_str(st, AT(base, k, char *), value);
}

/* Comma- or blank-separated literal IPv4/IPv6 addresses. */
static int
set_allow_addrs(struct parse_state *st, const struct key *k, void *base,
		const char *value)
{
	const char *p = value;
	unsigned char addr[16];
	char tok[64];
	size_t len;

	while (*p) {
		len = strcspn(p, ", \t");
		if (len) {
			if (len >= sizeof(tok))
				return fail(st, "allow_addrs: \"%.*s\" is not an IP address",
					    (int)(len > 64 ? 64 : len), p);
			memcpy(tok, p, len);
			tok[len] = '\0';
			if (inet_pton(AF_INET, tok, addr) != 1 &&
			    inet_pton(AF_INET6, tok, addr) != 1)
				return fail(st, "allow_addrs: \"%s\" is not an IP address (literal addresses only, e.g. 10.1.2.3, fd00::5)",
					    tok);
		}
		p += len;
		p += strspn(p, ", \t");
	}
	return put_str(st, AT(base, k, char *), value);
}

/* A path bind(2) can take: shorter than sun_path. */
static int
set_socket(struct parse_state *st, const struct key *k, void *base,
	   const char *value)
{
	struct sockaddr_un sa;

	if (strlen(value) >= sizeof(sa.sun_path))
		return fail(st, "socket: \"%.200s\" is %zu bytes; a socket path must be shorter than %zu",
			    value, strlen(value), sizeof(sa.sun_path));
	if (!*value)
		return fail(st, "socket: empty path");
	st->socket_line = st->line;
	return put_str(st, AT(base, k, char *), value);
}

static int
set_group(struct parse_state *st, const struct key *k, void *base,
	  const char *value)
{
	if (strcmp(k->name, "socket_group") == 0)
		st->group_line = st->line;
	else
		st->admin_line = st->line;
	return put_str(st, AT(base, k, char *), value);
}

static int
set_relay_servers(struct parse_state *st, const struct key *k, void *base,
		  const char *value)
{
	int r = relay_conf_set_servers(base, value);

	if (r == -ENOMEM)
		return st->oom = 1, 0;
	return r < 0 ? bad_value(st, k, value) : 1;
}

static int
set_relay_name(struct parse_state *st, const struct key *k, void *base,
	       const char *value)
{
	if (!relay_name_ok(value, (int)k->max))
		return bad_value(st, k, value);
	return put_str(st, AT(base, k, char *), value);
}

/* A key of [relay]: the section's settings exist from its first key. */
static int
relay_key(struct parse_state *st, const char *name, const char *value)
{
	const struct key *k = find_key(relay_keys, NKEYS(relay_keys), name);

	if (!k)
		return fail(st, "unknown key \"%s\" in [relay]", name);
	if (!st->cfg->relay && !(st->cfg->relay = relay_conf_new()))
		return st->oom = 1, 0;
	return set_key(st, k, st->cfg->relay, value);
}

static int
daemon_key(struct parse_state *st, const char *name, const char *value)
{
	const struct key *k = find_key(daemon_keys, NKEYS(daemon_keys), name);

	if (!k)
		return fail(st, "unknown key \"%s\" in [daemon]", name);
	return set_key(st, k, st->cfg, value);
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
	const struct key *k;
	struct config_feed *f;
	int r;

	if (!valid_feed_name(fname))
		return fail(st, "feed name \"%s\": use 1-64 letters, digits, '-', '_' or '.'", fname);
	f = feed_section(st, fname);
	if (!f && st->oom)
		return 0;
	if (!f)
		return fail(st, "too many feeds");
	k = find_key(feed_keys, NKEYS(feed_keys), name);
	if (!k)
		return fail(st, "unknown key \"%s\" in [feed %s]", name, fname);
	st->feed_name = fname;
	r = set_key(st, k, f, value);
	st->feed_name = NULL;
	return r;
}

/* Has the current section set name already? Records it if not. */
static int
key_seen(struct parse_state *st, const char *name)
{
	struct buf want = BUF_INIT;
	int seen;

	if (buf_printf(&want, "\n%s\n", name) < 0) {
		st->oom = 1;
		return 0;
	}
	seen = st->keys.len && !buf_error(&st->keys) &&
	       strstr(buf_str(&st->keys), buf_str(&want)) != NULL;
	if (!seen && buf_printf(&st->keys, "%s%s\n", st->keys.len ? "" : "\n",
				name) < 0)
		st->oom = 1;
	buf_free(&want);
	return seen;
}

/* Section headers may not repeat: a second [feed a] used to win over the
 * first in silence, a second [daemon] to mix with it. Checked on the text
 * itself, so a repeated section with no keys is caught too. 0, or the
 * error recorded. */
static int
check_sections(struct parse_state *st, const char *text, size_t len)
{
	struct buf seen = BUF_INIT; /* "\nNAME\tLINE\n" */
	const char *p = text, *end = text + len, *nl, *q, *r;
	int line = 0;

	for (; p < end && !st->err.len && !st->oom; p = nl + 1) {
		struct buf name = BUF_INIT;
		char *hit;

		line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		q = p;
		while (q < nl && (*q == ' ' || *q == '\t' || *q == '\r' ||
				  (unsigned char)*q == 0xef ||
				  (unsigned char)*q == 0xbb ||
				  (unsigned char)*q == 0xbf))
			q++;
		if (q == nl || *q != '[')
			continue;
		r = memchr(q, ']', (size_t)(nl - q));
		if (!r)
			continue; /* inifile reports the syntax */
		for (q++; q < r && (*q == ' ' || *q == '\t'); q++)
			;
		while (r > q && (r[-1] == ' ' || r[-1] == '\t'))
			r--;
		/* "feed  a" and "feed a" are one section, and so are
		 * "output  a" and "output a" */
		if (r - q > 5 && strncmp(q, "feed", 4) == 0 &&
		    (q[4] == ' ' || q[4] == '\t')) {
			const char *f = q + 4;

			while (f < r && (*f == ' ' || *f == '\t'))
				f++;
			buf_puts(&name, "feed ");
			buf_append(&name, f, (size_t)(r - f));
		} else if (r - q > 7 && strncmp(q, "output", 6) == 0 &&
			   (q[6] == ' ' || q[6] == '\t')) {
			const char *f = q + 6;

			while (f < r && (*f == ' ' || *f == '\t'))
				f++;
			buf_puts(&name, "output ");
			buf_append(&name, f, (size_t)(r - f));
		} else {
			buf_append(&name, q, (size_t)(r - q));
		}
		buf_puts(&name, "\t");
		/* A NUL reads as a space, as inifile reads it. */
		for (size_t k = 0; name.data && k < name.len; k++)
			if (name.data[k] == '\0')
				name.data[k] = ' ';
		if (buf_error(&name)) {
			st->oom = 1;
		} else if (seen.len && !buf_error(&seen) &&
			   (hit = strstr(buf_str(&seen), name.data)) &&
			   hit > seen.data && hit[-1] == '\n') {
			st->line = line;
			name.data[name.len - 1] = '\0';
			fail(st, "[%s] appears again (first on line %d); each section once",
			     name.data, atoi(hit + name.len));
		} else if (buf_printf(&seen, "%s%s%d\n", seen.len ? "" : "\n",
				      name.data, line) < 0) {
			st->oom = 1;
		}
		buf_free(&name);
	}
	buf_free(&seen);
	return 0;
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
	if (!st->section || strcmp(st->section, section) != 0) {
		free(st->section);
		if (!(st->section = strdup(section))) {
			st->oom = 1;
			return 0;
		}
		buf_reset(&st->keys);
	}
	if (*section && key_seen(st, name))
		return fail(st, "\"%s\" is set twice in [%s] (each key once per section)",
			    name, section);
	if (st->feeds_only && strncmp(section, "feed ", 5) != 0)
		return fail(st, "the feeds file holds only [feed NAME] sections, not [%s]", section);
	if (strcmp(section, "daemon") == 0)
		return daemon_key(st, name, value);
	if (strcmp(section, "relay") == 0)
		return relay_key(st, name, value);
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
	c->max_interval_ms = 3600 * 1000;
	c->schedule_fixed = 0;
	c->respect_hints = 0;
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

/* What only this host can say: the groups exist, the socket's directory
 * does, each feed's profile is one the daemon will have. */
static void
check_env(struct parse_state *st)
{
	struct config *c = st->cfg;
	struct profile_set *set = NULL;
	char pwbuf[4096], *perr = NULL;
	struct group gr, *res;
	size_t i;
	int r;

	if (c->socket_group && st->group_line &&
	    (getgrnam_r(c->socket_group, &gr, pwbuf, sizeof(pwbuf), &res) != 0 ||
	     !res)) {
		st->line = st->group_line;
		fail(st, "socket_group: no group \"%s\" on this system", c->socket_group);
		return;
	}
	/* The daemon starts without it (root and its own uid keep the
	 * privileged ops): a warning, as it logs one. */
	if (c->admin_group && st->admin_line &&
	    (getgrnam_r(c->admin_group, &gr, pwbuf, sizeof(pwbuf), &res) != 0 ||
	     !res) &&
	    buf_printf(&st->warn, "line %d: admin_group: no group \"%s\" on this system; privileged ops are for root and the daemon's user only\n",
		       st->admin_line, c->admin_group) < 0)
		st->oom = 1;
	/* Under socket activation systemd binds the socket: no path. */
	if (st->socket_line && !getenv("LISTEN_FDS")) {
		struct buf dir = BUF_INIT;
		const char *slash = strrchr(c->socket, '/');
		struct stat sb;

		if (slash == c->socket)
			buf_puts(&dir, "/");
		else if (slash)
			buf_append(&dir, c->socket, (size_t)(slash - c->socket));
		else
			buf_puts(&dir, ".");
		if (buf_str(&dir) && stat(buf_str(&dir), &sb) < 0 &&
		    errno == ENOENT && strncmp(buf_str(&dir), "/run/", 5) == 0 &&
		    !strchr(buf_str(&dir) + 5, '/')) {
			/* /run/NAME: systemd makes it at start
			 * (RuntimeDirectory=), after a check run before. */
			if (buf_printf(&st->warn, "line %d: socket: the directory %s does not exist yet (systemd's RuntimeDirectory= creates it when the service starts; without systemd, create it)\n",
				       st->socket_line, buf_str(&dir)) < 0)
				st->oom = 1;
		} else if (buf_str(&dir) && (stat(buf_str(&dir), &sb) < 0 ||
					     !S_ISDIR(sb.st_mode))) {
			st->line = st->socket_line;
			fail(st, "socket: the directory %s %s", buf_str(&dir),
			     errno == ENOENT ? "does not exist"
					     : "is not a directory");
		}
		buf_free(&dir);
		if (st->err.len)
			return;
	}
	for (i = 0; i < c->nfeeds && !c->feeds[i].profile; i++)
		;
	if (i == c->nfeeds)
		return;
	r = profile_set_new(&set);
	if (r == 0 && c->profiles_dir)
		r = profile_set_load_dir(set, c->profiles_dir, &perr);
	if (r == -ENOENT)
		r = 0; /* no extra profiles: the built-in ones */
	free(perr);
	if (r < 0) {
		/* The daemon reports a bad profiles directory itself. */
		profile_set_free(set);
		if (r == -ENOMEM)
			st->oom = 1;
		return;
	}
	for (; i < c->nfeeds && !st->err.len; i++) {
		const struct config_feed *f = &c->feeds[i];

		if (!f->profile || profile_set_find(set, f->profile))
			continue;
		st->line = f->profile_line;
		fail(st, "feed \"%s\": no profile \"%s\" (built in: nato, whitehouse, state, defense, un, govuk; others come from the profiles directory)",
		     f->name, f->profile);
	}
	profile_set_free(set);
}

/* Tokenize and check text into a fresh config. feeds_only: the feeds
 * file, where only [feed NAME] sections are allowed; env: check against
 * this host too (check_env). */
static int
parse_text(const char *text, size_t len, int feeds_only, int env,
	   struct config **out, int *feeds_file_set, char **err)
{
	struct parse_state st = {text, text + len, 0, NULL, BUF_INIT, 0,
				 feeds_only, 0, NULL, env, NULL, BUF_INIT,
				 0, 0, 0, BUF_INIT};
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
	check_sections(&st, text, len);
	r = st.err.len ? 0 : inifile_parse(text, len, on_pair, &st, &bad);
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
	if (!st.err.len && !st.oom && st.cfg->relay) {
		char msg[128];

		if (relay_conf_check(st.cfg->relay, msg, sizeof(msg)) < 0 &&
		    buf_puts(&st.err, msg) < 0)
			st.oom = 1;
	}
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
	if (env && !st.err.len && !st.oom)
		check_env(&st);
	free(st.section);
	buf_free(&st.keys);
	if (!st.oom && st.warn.len && !(st.cfg->warnings = buf_detach(&st.warn)))
		st.oom = 1;
	buf_free(&st.warn);
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

static int
parse_config(const char *text, size_t len, int env, struct config **out,
	     char **err)
{
	int set = 0, r;

	r = parse_text(text, len, 0, env, out, &set, err);
	if (r == 0 && !set && default_feeds_file(*out) < 0) {
		config_free(*out);
		*out = NULL;
		r = -ENOMEM;
	}
	return r;
}

int
config_parse(const char *text, size_t len, struct config **out, char **err)
{
	return parse_config(text, len, 0, out, err);
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
	r = parse_text(text, len, 1, 0, &rt, &set, err);
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
	if (f->interval_ms) {
		/* In the unit it was most likely given in: 10s, not 10000ms. */
		static const struct { int64_t ms; const char *unit; } u[] = {
			{86400000, "d"}, {3600000, "h"}, {60000, "m"},
			{1000, "s"}, {1, "ms"},
		};
		size_t i = 0;

		while (f->interval_ms % u[i].ms)
			i++;
		buf_printf(&b, "interval = %lld%s\n",
			   (long long)(f->interval_ms / u[i].ms), u[i].unit);
	}
	if (f->fetch_pages >= 0)
		buf_printf(&b, "fetch_pages = %s\n",
			   f->fetch_pages ? "yes" : "no");
	if (f->schedule)
		buf_printf(&b, "schedule = %s\n",
			   f->schedule == CONFIG_SCHEDULE_FIXED ? "fixed"
								: "adaptive");
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
		r = parse_config(buf_str(&text), text.len, 1, &c, err);
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
config_log_warnings(const struct config *c, const char *path)
{
	const char *p = c->warnings, *nl;

	for (; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p) - 1;
		log_warn("%s: %.*s", path, (int)(nl - p + (*nl != '\n')), p);
	}
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
	relay_conf_free(c->relay);
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
	free(c->warnings);
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
