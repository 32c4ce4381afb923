/* schedctl — the scheduler (sched.h) on the daemon's feeds: what each poll
 * teaches it, the learned pattern kept in the store across restarts, the
 * next delay, the fields `status` and `feeds` show, and the detection
 * delay histogram the metrics export. Loop thread only.
 *
 * Hooks: ingest.c calls schedctl_response() when a feed's response
 * arrives and schedctl_items() when its document is parsed; daemon.c calls
 * schedctl_load() when a feed starts, schedctl_model()/schedctl_hints()
 * for the next delay, schedctl_json() for status, schedctl_free() when the
 * feed goes.
 */
#ifndef BW_SCHEDCTL_H
#define BW_SCHEDCTL_H

#include <stdint.h>

#include <jansson.h>

struct daemon;
struct feedctl;
struct feed_doc;
struct fetch_result;
struct store_feed;
struct sched_model;
struct sched_hints;

/* Upper bounds (seconds) of the detection delay histogram's buckets. */
#define SCHEDCTL_BUCKETS 10
extern const int64_t schedctl_bucket_le[SCHEDCTL_BUCKETS];

/* Load f's learned pattern from the store (nothing stored, or stored text
 * that does not parse: start from nothing). */
void schedctl_load(struct daemon *d, struct feedctl *f);
/* The publisher's hints in a response (headers, and the body of a 200). */
void schedctl_response(struct feedctl *f, const struct fetch_result *res);
/* Learn from the dated items of a parsed document that are newer than
 * any seen before — all of them the first time (the feed's history),
 * afterwards at most the new_items newest (how many the store did not
 * have); record their detection delays (first seen - item date) unless
 * this is the first the feed ever showed us; attach the pattern to sf
 * (when it changed) for the writer to store with the feed's state. */
void schedctl_items(struct daemon *d, struct feedctl *f,
		    const struct feed_doc *doc, int new_items,
		    struct store_feed *sf);
/* f's pattern and hints (NULL: none yet); borrowed until schedctl_free. */
const struct sched_model *schedctl_model(const struct feedctl *f);
const struct sched_hints *schedctl_hints(const struct feedctl *f);
/* Add "schedule", "busy_hours", "items_learned", "hints" and
 * "detection_delay" to f's status object o. */
void schedctl_json(const struct daemon *d, const struct feedctl *f,
		   json_t *o);
void schedctl_free(struct feedctl *f);

#endif
