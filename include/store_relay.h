/* store_relay — what the NATS relay (include/relay.h) asks of the store:
 * the database's origin, one event's line, and event retention that spares
 * what the stream has not acknowledged. Same rules as store.h: one struct
 * store per thread.
 */
#ifndef BW_STORE_RELAY_H
#define BW_STORE_RELAY_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* The database's origin UUID (schema version 5, the meta table) into out (37 bytes).
 * 0, -ENOENT when the database has none, or another negative errno. */
int store_origin(struct store *s, char *out, size_t outlen);
/* The line of event seq: 0 and a malloc'd *json (free it), -ENOENT when
 * there is no such event (never written, or expired). */
int store_event_json(struct store *s, int64_t seq, char **json);
/* Tune a read-only connection for reading the events table in large
 * pages: the database file mapped (no copy per page read), a larger page
 * cache. Best effort: a failure leaves the defaults. */
void store_relay_tune(struct store *s);
/* A page of events as the relay reads them: their strings in one buffer
 * that the next page reuses (no allocation per event once it is large
 * enough). type and json are never NULL, feed may be. */
struct store_relay_ev {
	int64_t seq;
	const char *type, *feed, *json;
	size_t json_len;
};
struct store_relay_page {
	struct store_relay_ev *ev;
	size_t n, ev_cap;
	char *buf;
	size_t buf_cap;
};
/* Read up to limit events after seq since into pg (replacing what it
 * held). The read transaction ends before it returns. 0, or a negative
 * errno (store_errmsg says why). */
int store_relay_page(struct store *s, int64_t since, size_t limit,
		     struct store_relay_page *pg);
void store_relay_page_free(struct store_relay_page *pg);
/* store_events_expire, sparing every event with seq > max_seq. */
int store_events_expire_upto(struct store *s, int64_t before,
			     int64_t max_seq, int64_t *deleted);

#endif
