/* schedctl — the scheduler (sched.h) on the daemon's feeds: what each poll
 * teaches it, the learned pattern kept in the store across restarts, the
 * next delay, the fields `status` and `feeds` show, and the detection
 * delay histogram the metrics export. Loop thread only.
 *
 * It knows nothing of the daemon: daemon.c owns one per feed (in the
 * feed's struct ingest_feed, .sched) and calls schedctl_new/_load when the
 * feed starts, schedctl_model()/schedctl_hints() for the next delay,
 * schedctl_json() for status, schedctl_free() when the feed goes; ingest.c
 * calls schedctl_response() when a feed's response arrives and
 * schedctl_items() when its document is parsed, through the pointer in
 * struct ingest_feed.
 */
#ifndef BW_SCHEDCTL_H
#define BW_SCHEDCTL_H

#include <stdint.h>

#include <jansson.h>

struct feed_doc;
struct fetch_result;
struct schedctl;
struct store;
struct store_feed;
struct sched_model;
struct sched_hints;

/* Upper bounds (seconds) of the detection delay histogram's buckets. */
#define SCHEDCTL_BUCKETS 10
extern const int64_t schedctl_bucket_le[SCHEDCTL_BUCKETS];

/* A scheduler that knows nothing yet (NULL: out of memory). */
struct schedctl *schedctl_new(void);
/* Load the learned pattern of feed `name` from s (nothing stored, or
 * stored text that does not parse: start from nothing). */
void schedctl_load(struct schedctl *sc, struct store *s, const char *name);
/* The publisher's hints in a response (headers, and the body of a 200);
 * now: unix seconds. */
void schedctl_response(struct schedctl *sc, const struct fetch_result *res,
		       int64_t now);
/* Learn from the dated items of a parsed document that are newer than
 * any seen before — all of them the first time (the feed's history),
 * afterwards at most the new_items newest (how many the store did not
 * have); record their detection delays (now - item date) unless this is
 * the first the feed ever showed us; attach the pattern to sf (when it
 * changed) for the writer to store with the feed's state. */
void schedctl_items(struct schedctl *sc, const struct feed_doc *doc,
		    int new_items, struct store_feed *sf, int64_t now);
/* sc's pattern and hints (NULL when sc is NULL); borrowed. */
const struct sched_model *schedctl_model(const struct schedctl *sc);
const struct sched_hints *schedctl_hints(const struct schedctl *sc);
/* Add "schedule", "busy_hours", "items_learned", "hints" and
 * "detection_delay" to a feed's status object o (sc may be NULL; fixed:
 * the feed is on schedule = fixed). */
void schedctl_json(const struct schedctl *sc, int fixed, json_t *o);
void schedctl_free(struct schedctl *sc);

#endif
