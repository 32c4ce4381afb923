/* metrics.c — status to Prometheus text (see include/metrics.h). */
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

/* Gauges and counters taken from top-level integer members. */
static const struct {
	const char *key, *name, *type, *help;
} scalars[] = {
	{"feeds_total", "briefwatch_feeds", "gauge", "Configured feeds."},
	{"feeds_failing", "briefwatch_feeds_failing", "gauge",
	 "Feeds whose last poll failed."},
	{"subscribers", "briefwatch_subscribers", "gauge",
	 "Connected socket clients."},
	{"head", "briefwatch_event_head", "gauge",
	 "Highest event sequence number in the log."},
	{"briefings", "briefwatch_briefings", "gauge",
	 "Briefings in the archive."},
	{"briefings_stored", "briefwatch_briefings_stored_total", "counter",
	 "Briefings stored or updated since the daemon started."},
	{"db_bytes", "briefwatch_database_bytes", "gauge",
	 "Size of the database file."},
	{"started_unix", "briefwatch_start_time_seconds", "gauge",
	 "Start time of the daemon, seconds since the epoch."},
	{"last_ingest_unix", "briefwatch_last_ingest_time_seconds", "gauge",
	 "When the last briefing was stored, seconds since the epoch."},
	{"rechecks", "briefwatch_page_rechecks_total", "counter",
	 "Page re-checks answered since the daemon started."},
	{"rechecks_not_modified", "briefwatch_page_rechecks_not_modified_total",
	 "counter", "Page re-checks answered 304 Not Modified."},
	{"rechecks_gone", "briefwatch_page_rechecks_gone_total", "counter",
	 "Page re-checks that found the page gone (404/410)."},
	{"rechecks_revised", "briefwatch_page_rechecks_revised_total",
	 "counter", "Page re-checks that stored a new revision."},
};

/* Label values escape backslash, quote and newline. */
static int
label(struct buf *out, const char *v)
{
	int r = 0;

	for (; v && *v && !r; v++) {
		if (*v == '\\' || *v == '"')
			r = buf_putc(out, '\\') || buf_putc(out, *v);
		else if (*v == '\n')
			r = buf_puts(out, "\\n");
		else
			r = buf_putc(out, *v);
	}
	return r ? -ENOMEM : 0;
}

static int
feed_metric(struct buf *out, const json_t *feeds, const char *key,
	    const char *name, const char *type, const char *help)
{
	const json_t *f;
	size_t i;
	int r;

	r = buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		       type);
	json_array_foreach(feeds, i, f) {
		const json_t *v = json_object_get(f, key);

		if (!json_is_integer(v))
			continue;
		r |= buf_printf(out, "%s{feed=\"", name);
		r |= label(out, json_string_value(json_object_get(f, "name")));
		r |= buf_printf(out, "\"} %lld\n",
				(long long)json_integer_value(v));
	}
	return r ? -ENOMEM : 0;
}

/* One gauge or counter per output (status "outputs", docs/outputs.md). */
static int
output_metric(struct buf *out, const json_t *outputs, const char *key,
	      const char *name, const char *type, const char *help)
{
	const json_t *o;
	size_t i;
	int r;

	r = buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		       type);
	json_array_foreach(outputs, i, o) {
		const json_t *v = json_object_get(o, key);

		if (!json_is_integer(v))
			continue;
		r |= buf_printf(out, "%s{output=\"", name);
		r |= label(out, json_string_value(json_object_get(o, "name")));
		r |= buf_printf(out, "\"} %lld\n",
				(long long)json_integer_value(v));
	}
	return r ? -ENOMEM : 0;
}

int
metrics_from_status(const json_t *status, struct buf *out)
{
	const json_t *outputs = json_object_get(status, "outputs");
	const json_t *feeds = json_object_get(status, "feeds");
	const char *state = json_string_value(json_object_get(status, "state"));
	size_t i;
	int r = 0;

	r |= buf_puts(out, "# HELP briefwatch_up 1 when the daemon answered.\n"
			   "# TYPE briefwatch_up gauge\nbriefwatch_up 1\n");
	r |= buf_printf(out, "# HELP briefwatch_degraded 1 while the store "
			     "refuses writes (disk full, I/O error).\n"
			     "# TYPE briefwatch_degraded gauge\n"
			     "briefwatch_degraded %d\n",
			state && strcmp(state, "degraded") == 0);
	for (i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		const json_t *v = json_object_get(status, scalars[i].key);

		if (!json_is_integer(v))
			continue;
		r |= buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %lld\n",
				scalars[i].name, scalars[i].help,
				scalars[i].name, scalars[i].type,
				scalars[i].name,
				(long long)json_integer_value(v));
	}
	if (json_array_size(feeds)) {
		r |= feed_metric(out, feeds, "failures",
				 "briefwatch_feed_consecutive_failures", "gauge",
				 "Consecutive failed polls of the feed.");
		r |= feed_metric(out, feeds, "polls", "briefwatch_feed_polls_total",
				 "counter", "Completed polls since start.");
		r |= feed_metric(out, feeds, "last_poll_unix",
				 "briefwatch_feed_last_poll_time_seconds",
				 "gauge", "End of the last poll.");
		r |= feed_metric(out, feeds, "next_poll_unix",
				 "briefwatch_feed_next_poll_time_seconds",
				 "gauge", "When the next poll is due.");
	}
	if (json_array_size(outputs)) {
		r |= output_metric(out, outputs, "delivered",
				   "briefwatch_output_delivered_total",
				   "counter", "Events delivered since start.");
		r |= output_metric(out, outputs, "failures",
				   "briefwatch_output_failed_attempts_total",
				   "counter", "Failed delivery attempts since start.");
		r |= output_metric(out, outputs, "cursor",
				   "briefwatch_output_cursor", "gauge",
				   "Last seq delivered or passed over.");
		r |= output_metric(out, outputs, "failing",
				   "briefwatch_output_failing", "gauge",
				   "1 when max_attempts were spent on one event.");
		r |= output_metric(out, outputs, "stopped",
				   "briefwatch_output_stopped", "gauge",
				   "1 when the receiver refused an event (4xx).");
	}
	return r ? -ENOMEM : 0;
}

int
metrics_write_file(const char *path, const char *text, size_t len)
{
	struct fileio_replace o = {.mode = 0644};

	return fileio_replace(path, text, len, &o);
}
