/* config — the INI configuration of docs/configuration.md (tokenized by
 * inifile.c). config_parse() is a pure function of the text (fuzzable);
 * config_load() reads a file.
 */
#ifndef BW_CONFIG_H
#define BW_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct output_confs;

/* Page re-checks: ages after a briefing was first stored at which its
 * page is fetched again (docs/fetching.md "Page re-checks"). */
#define RECHECK_MAX 16
struct recheck_sched {
	int set;                 /* per feed: 0 = the [daemon] schedule */
	int n;                   /* ages; 0: no re-checks */
	int64_t ages_ms[RECHECK_MAX]; /* ascending */
};

/* "10m 1h 6h 1d 3d" (durations of at least 1 s, ascending, separated by
 * blanks or commas, at most RECHECK_MAX) or "no". 0, or -EINVAL. */
int config_parse_recheck(const char *s, struct recheck_sched *out);
/* The value text of s ("no" or "600s 3600s ..."), in buf (>= 512). */
void config_format_recheck(const struct recheck_sched *s, char *buf,
			   size_t size);

/* struct config_feed's schedule (issue #26). */
#define CONFIG_SCHEDULE_ADAPTIVE 1
#define CONFIG_SCHEDULE_FIXED 2

struct config_feed {
	char *name;
	char *url;
	char *profile;         /* NULL: chosen by page URL */
	int64_t interval_ms;   /* 0: the daemon's */
	int fetch_pages;       /* -1: the daemon's */
	char *xpath_body;      /* profile overrides, or NULL */
	char *xpath_title;
	char *xpath_date;
	int runtime;           /* from feeds_file: added over the socket */
	struct recheck_sched recheck; /* .set 0: the daemon's */
	int profile_line;      /* where profile was set, for messages */
	int schedule;          /* 0: the daemon's, or CONFIG_SCHEDULE_* */
};

struct config {
	char *database;
	char *socket;
	mode_t socket_mode;
	char *socket_group;     /* NULL: leave as is */
	char *admin_group;      /* NULL: none */
	char *profiles_dir;     /* extra profiles; NULL: none */
	char *metrics_file;     /* Prometheus textfile; NULL: none */
	char *feeds_file;       /* feeds added at run time; NULL: none
				 * (default: feeds.conf beside the database) */
	size_t shadowed_feeds;  /* feeds_file entries ignored because the
				 * configuration file has a feed of that
				 * name (config_load) */
	int64_t interval_ms;    /* default poll interval */
	int64_t min_interval_ms, max_interval_ms; /* adaptive bounds */
	int schedule_fixed;     /* schedule = fixed: always the interval */
	int respect_hints;      /* publishers' ttl, max-age, skipHours... */
	long max_connections;
	long max_per_host;
	char *user_agent;
	char *allow_addrs;      /* literal IPs exempt from the address policy */
	int64_t connect_timeout_ms, total_timeout_ms, low_speed_time_ms;
	int allow_private;
	int fetch_pages;
	struct recheck_sched recheck; /* default 10m 1h 6h 1d 3d */
	size_t max_feed_bytes, max_page_bytes;
	size_t max_feed_items;  /* entries read from one feed */
	size_t max_field_bytes; /* one text field of a feed entry */
	size_t max_clients;
	size_t max_client_queue;   /* unsent bytes per subscriber */
	int64_t event_retention_ms; /* 0: keep every event */
	uint64_t max_database_bytes; /* 0: no cap */
	int log_level;
	char *warnings;         /* NULL, or "line N: ..." lines, each ending
				 * in '\n': legal but dangerous settings
				 * (socket_mode world-writable) for the
				 * caller to show or log */
	struct relay_conf *relay; /* [relay]; NULL: no relay */
	struct config_feed *feeds;
	size_t nfeeds;
	struct output_confs *outputs; /* [output NAME] sections (output.h),
				       * NULL: none */
};

/* Parse INI text. 0 and *out (free with config_free), or -EINVAL with a
 * malloc'd message naming the line in *err. */
int config_parse(const char *text, size_t len, struct config **out,
		 char **err);
/* Read and parse path, then the feeds file it names (a missing feeds file
 * is empty). Beyond config_parse, checks what only this host can say: that
 * socket_group and admin_group exist, that an explicit socket's directory
 * does (unless socket-activated), that each feed's profile is built in or
 * in the profiles directory. -ENOENT/-EACCES/... or -EINVAL with *err
 * set. */
int config_load(const char *path, struct config **out, char **err);

/* The feeds file (docs/configuration.md "Feeds added at run time") holds
 * only [feed NAME] sections. Parse text and append its feeds to c with
 * runtime = 1; a name c already has is skipped (the configuration file
 * wins) and counted in *shadowed. 0, -EINVAL with *err, -ENOMEM. */
int config_merge_feeds(struct config *c, const char *text, size_t len,
		       size_t *shadowed, char **err);
/* Append a copy of f (runtime as given). -EEXIST if c has that name,
 * -ENOSPC past the feed limit, -ENOMEM. */
int config_add_feed(struct config *c, const struct config_feed *f,
		    int runtime);
/* A deep copy of src into dst (dst's old contents are not freed); 0, or
 * -ENOMEM with dst cleared. */
int config_feed_copy(struct config_feed *dst, const struct config_feed *src);
/* Free f's strings and zero it. */
void config_feed_clear(struct config_feed *f);
/* Remove the feed called name. -ENOENT. */
int config_remove_feed(struct config *c, const char *name);
/* Append f as an INI [feed NAME] section to out (struct buf). -EINVAL if
 * the name is invalid, the url is missing, or a value would not read back
 * unchanged (control characters, inline comments, edge blanks). */
struct buf;
int config_feed_format(const struct config_feed *f, struct buf *out);
/* Write c's runtime feeds to c->feeds_file atomically (a temporary file,
 * fsync, rename, fsync of the directory). 0, -EOPNOTSUPP when
 * feeds_file is none, or -errno with a malloc'd message in *err. */
int config_write_feeds(const struct config *c, char **err);
/* Log c->warnings, one log_warn line each, prefixed with path. */
void config_log_warnings(const struct config *c, const char *path);
void config_free(struct config *c);
const struct config_feed *config_find_feed(const struct config *c,
					   const char *name);

/* The key names of [daemon] (CONFIG_KEYS_DAEMON), [feed NAME]
 * (CONFIG_KEYS_FEED) or [relay] (CONFIG_KEYS_RELAY), in table order: up
 * to max of them are stored in names (static strings); returns how many
 * there are. For tests and help texts. */
#define CONFIG_KEYS_DAEMON 0
#define CONFIG_KEYS_FEED 1
#define CONFIG_KEYS_RELAY 2
size_t config_keys(int section, const char **names, size_t max);

/* The longest feed URL, the same for the configuration file, import-opml
 * and the add_feed op (docs/configuration.md). */
#define CONFIG_MAX_URL 4096

/* Is url a feed URL the configuration accepts: http:// or https://, a
 * host, no spaces, control characters or raw non-ASCII bytes, at most
 * CONFIG_MAX_URL bytes? 0, or -EINVAL with *why (static words to put
 * after the quoted URL). */
int config_check_url(const char *url, const char **why);

/* "90", "90s", "15m", "2h", "1d", "500ms" → milliseconds. -EINVAL. */
int config_parse_duration(const char *s, int64_t *ms);
/* "16M", "512k", "1G", "4096" → bytes. -EINVAL. */
int config_parse_size(const char *s, size_t *bytes);

#endif
