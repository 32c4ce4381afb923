/* ingest — the pipeline that carries a feed poll to stored, announced
 * briefings:
 *
 *   fetch feed (conditional GET) → feed_parse → for each item not yet
 *   stored: fetch its page → transcript_parse (fall back to the feed
 *   item's own fields) → queue → one transaction per batch, written on
 *   the thread pool with the writer's own connection: briefings, event
 *   rows and the feed's new validators → COMMIT → notify_publish.
 *
 * A feed's ETag/Last-Modified advance only in the transaction that stores
 * every item of that poll, so an item whose page failed, or a failed
 * commit (disk full), is retried by the next poll: nothing is lost.
 */
#ifndef BW_INGEST_H
#define BW_INGEST_H

#include <stddef.h>
#include <stdint.h>

struct daemon;
struct feedctl;
struct ingest;
struct profile_set;

/* 0 and *out, -ENOMEM. d is borrowed for the life of the ingest. */
int ingest_new(struct daemon *d, struct ingest **out);
/* Start polling feed f. Completion is reported with daemon_feed_done(). */
int ingest_poll(struct ingest *in, struct feedctl *f);
/* Forget f: its in-flight work is cancelled (called before f is freed). */
void ingest_forget(struct ingest *in, struct feedctl *f);
/* Polls, page fetches and queued writes still in progress. */
size_t ingest_busy(const struct ingest *in);
/* 1 while the store refuses writes (disk full, I/O error): queued work is
 * kept and retried. */
int ingest_degraded(const struct ingest *in);
/* A reload replaced the profile set: free set once no parse that may be
 * using it is in flight. Takes ownership. */
void ingest_retire_profiles(struct ingest *in, struct profile_set *set);
/* Record, after everything queued before it, when a failing feed may be
 * polled again (survives a restart). */
void ingest_next_due(struct ingest *in, const char *feed, int64_t next_due);
/* max_database_size for the writer's connection (0: no cap). */
void ingest_set_size_limit(struct ingest *in, uint64_t bytes);
/* Stop: cancel timers, flush what can be flushed; done(arg) after the
 * handles are closed. */
void ingest_close(struct ingest *in, void (*done)(void *arg), void *arg);

#endif
