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

/* The NATS relay's part of status (include/relay.h), when configured. */
static int
relay_metrics(struct buf *out, const json_t *relay)
{
	const char *state = json_string_value(json_object_get(relay, "state"));
	int r = 0;

	if (!state || strcmp(state, "off") == 0)
		return 0;
	r |= buf_printf(out, "# HELP briefwatch_relay_up 1 while the relay "
			     "relays (0: connecting, error or fenced).\n"
			     "# TYPE briefwatch_relay_up gauge\n"
			     "briefwatch_relay_up %d\n"
			     "# HELP briefwatch_relay_fenced 1 while the relay "
			     "is fenced off the stream (needs relay-takeover).\n"
			     "# TYPE briefwatch_relay_fenced gauge\n"
			     "briefwatch_relay_fenced %d\n",
			strcmp(state, "relaying") == 0,
			strcmp(state, "fenced") == 0);
	r |= buf_printf(out, "# HELP briefwatch_relay_lag Events not yet "
			     "acknowledged by the stream (head - acked).\n"
			     "# TYPE briefwatch_relay_lag gauge\n"
			     "briefwatch_relay_lag %lld\n"
			     "# HELP briefwatch_relay_acked_seq Highest event "
			     "seq the stream acknowledged.\n"
			     "# TYPE briefwatch_relay_acked_seq gauge\n"
			     "briefwatch_relay_acked_seq %lld\n"
			     "# HELP briefwatch_relay_published_total Events "
			     "acknowledged by the stream since start.\n"
			     "# TYPE briefwatch_relay_published_total counter\n"
			     "briefwatch_relay_published_total %lld\n",
			(long long)json_integer_value(json_object_get(relay, "lag")),
			(long long)json_integer_value(json_object_get(relay, "acked")),
			(long long)json_integer_value(json_object_get(relay, "published")));
	return r ? -ENOMEM : 0;
}

/* The per-feed detection delay histogram of schedctl_json (issue #26). */
static int
delay_histogram(struct buf *out, const json_t *feeds)
{
	const char *name = "briefwatch_feed_detection_delay_seconds";
	const json_t *f;
	size_t i, k;
	int r;

	r = buf_printf(out, "# HELP %s Time from an item's date to the poll "
			    "that first saw it.\n# TYPE %s histogram\n", name,
		       name);
	json_array_foreach(feeds, i, f) {
		const json_t *h = json_object_get(f, "detection_delay");
		const json_t *le = json_object_get(h, "le_s");
		const json_t *cum = json_object_get(h, "cumulative");
		const char *fn = json_string_value(json_object_get(f, "name"));

		if (!json_is_array(le) || !json_is_array(cum) ||
		    json_array_size(cum) != json_array_size(le) + 1)
			continue;
		for (k = 0; k < json_array_size(cum); k++) {
			r |= buf_printf(out, "%s_bucket{feed=\"", name);
			r |= label(out, fn);
			if (k < json_array_size(le))
				r |= buf_printf(out, "\",le=\"%lld\"} %lld\n",
					(long long)json_integer_value(
						json_array_get(le, k)),
					(long long)json_integer_value(
						json_array_get(cum, k)));
			else
				r |= buf_printf(out, "\",le=\"+Inf\"} %lld\n",
					(long long)json_integer_value(
						json_array_get(cum, k)));
		}
		r |= buf_printf(out, "%s_sum{feed=\"", name);
		r |= label(out, fn);
		r |= buf_printf(out, "\"} %lld\n", (long long)json_integer_value(
					json_object_get(h, "sum_s")));
		r |= buf_printf(out, "%s_count{feed=\"", name);
		r |= label(out, fn);
		r |= buf_printf(out, "\"} %lld\n", (long long)json_integer_value(
					json_object_get(h, "count")));
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
	r |= relay_metrics(out, json_object_get(status, "relay"));
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
		r |= delay_histogram(out, feeds);
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
