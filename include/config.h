/* config — the INI configuration of docs/configuration.md (tokenized by
 * inifile.c). config_parse() is a pure function of the text (fuzzable);
 * config_load() reads a file.
 */
#ifndef BW_CONFIG_H
#define BW_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct config_feed {
	char *name;
	char *url;
	char *profile;         /* NULL: chosen by page URL */
	int64_t interval_ms;   /* 0: the daemon's */
	int fetch_pages;       /* -1: the daemon's */
	char *xpath_body;      /* profile overrides, or NULL */
	char *xpath_title;
	char *xpath_date;
};

struct config {
	char *database;
	char *socket;
	mode_t socket_mode;
	char *socket_group;     /* NULL: leave as is */
	char *admin_group;      /* NULL: none */
	char *profiles_dir;     /* extra profiles; NULL: none */
	char *metrics_file;     /* Prometheus textfile; NULL: none */
	int64_t interval_ms;    /* default poll interval */
	int64_t min_interval_ms, max_interval_ms; /* adaptive bounds */
	long max_connections;
	long max_per_host;
	char *user_agent;
	char *allow_addrs;      /* literal IPs exempt from the address policy */
	int64_t connect_timeout_ms, total_timeout_ms, low_speed_time_ms;
	int allow_private;
	int fetch_pages;
	size_t max_feed_bytes, max_page_bytes;
	size_t max_feed_items;  /* entries read from one feed */
	size_t max_field_bytes; /* one text field of a feed entry */
	size_t max_clients;
	size_t max_client_queue;   /* unsent bytes per subscriber */
	int64_t event_retention_ms; /* 0: keep every event */
	uint64_t max_database_bytes; /* 0: no cap */
	int log_level;
	struct config_feed *feeds;
	size_t nfeeds;
};

/* Parse INI text. 0 and *out (free with config_free), or -EINVAL with a
 * malloc'd message naming the line in *err. */
int config_parse(const char *text, size_t len, struct config **out,
		 char **err);
/* Read and parse path. -ENOENT/-EACCES/... or -EINVAL with *err set. */
int config_load(const char *path, struct config **out, char **err);
void config_free(struct config *c);
const struct config_feed *config_find_feed(const struct config *c,
					   const char *name);

/* "90", "90s", "15m", "2h", "1d", "500ms" → milliseconds. -EINVAL. */
int config_parse_duration(const char *s, int64_t *ms);
/* "16M", "512k", "1G", "4096" → bytes. -EINVAL. */
int config_parse_size(const char *s, size_t *bytes);

#endif
