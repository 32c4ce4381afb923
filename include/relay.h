/* relay — copies the event log into a NATS JetStream stream, so that
 * subscribers on other hosts read the same NDJSON lines as the socket's
 * (docs/operations.md "Running with NATS", docs/protocol.md "Subscribing
 * from another host").
 *
 * The relay runs on a thread of its own (worker.h) with its own read-only
 * store connection and its own NATS connection, so neither the client's
 * blocking calls nor a slow server ever delay ingest or local
 * subscribers. It resumes from the stream's own last message, never from
 * a local cursor, and fences every publish with the stream sequence it
 * expects (Nats-Expected-Last-Sequence): the stream holds each event once,
 * in order, whatever fails. A stream whose last message is another
 * origin's, or ahead of the database, stops the relay until an admin runs
 * `briefwatch relay-takeover`.
 */
#ifndef BW_RELAY_H
#define BW_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <nats/nats.h>

/* The [relay] section (docs/configuration.md). Absent: no relay. */
struct relay_conf {
	char **servers;        /* nats://host:port, several for a cluster */
	size_t nservers;
	char *creds;           /* credentials file (JWT + seed), or NULL */
	char *nkey;            /* user nkey seed file, or NULL */
	char *user, *password; /* or NULL */
	char *tls_ca, *tls_cert, *tls_key; /* or NULL */
	char *stream;          /* "BRIEFWATCH" */
	char *prefix;          /* subject prefix: "briefwatch" */
	int create_stream;     /* create the stream when missing: 1 */
	long replicas;         /* when created: 1 */
	long window;           /* publishes awaiting their ack: 256 */
	int64_t ack_wait_ms;   /* for one ack, and JetStream API calls: 5 s */
};

/* A [relay] with every default (no servers yet); NULL on ENOMEM. The
 * section's keys are read by config.c (its relay_keys[] table). */
struct relay_conf *relay_conf_new(void);
/* Replace rc's servers with list: URLs separated by blanks or commas.
 * 0, -EINVAL (empty, or a control character), -ENOMEM. */
int relay_conf_set_servers(struct relay_conf *rc, const char *list);
/* Is s a stream name (dots = 0) or a subject prefix (dots = 1: tokens
 * separated by single dots)? No blanks, '*', '>', '/', '\\'. */
int relay_name_ok(const char *s, int dots);
/* Is the configuration complete? 0, or -EINVAL with msg. */
int relay_conf_check(const struct relay_conf *rc, char *msg, size_t msglen);
void relay_conf_free(struct relay_conf *rc);
/* relay_conf_check, then the client's options made and dropped (the TLS
 * files read): 0, or -EINVAL and a malloc'd *err. rc NULL: 0. For a
 * reload, before it stops the running relay. */
int relay_conf_validate(const struct relay_conf *rc, char **err);
/* Do a and b (either may be NULL: no relay) say the same? */
int relay_conf_equal(const struct relay_conf *a, const struct relay_conf *b);

/* The subject of an event: <prefix>.ev.<new|updated>.<feed>, the feed
 * name with every byte other than [A-Za-z0-9_-] written as %XX (so no
 * '.', '*', '>' or blank reaches the subject); an empty or NULL feed is
 * "_". 0, or -ENOSPC when it does not fit in out. */
int relay_subject(char *out, size_t outlen, const char *prefix,
		  const char *type, const char *feed);

/* Client options for rc's servers (or url instead, when not NULL) with
 * its credentials and TLS; reconnect: let the client reconnect by itself
 * (the CLI; the daemon's relay reconnects on its own terms). 0 and *out
 * (natsOptions_Destroy), or -EINVAL with msg. */
int relay_nats_options(const struct relay_conf *rc, const char *url,
		       int reconnect, natsOptions **out, char *msg,
		       size_t msglen);

struct relay;

/* The client's last error text for s, or s's own text. */
const char *relay_nats_err(natsStatus s);
/* A message's Briefwatch-Seq header: the event number, -1 when absent or
 * malformed. */
int64_t relay_msg_seq(natsMsg *m);

/* Start relaying the database at db_path (borrowed until relay_stop; rc
 * is copied). 0 and *out, or a negative errno with a malloc'd reason in
 * *err. Connection failures are not errors here: the relay retries. */
int relay_start(const struct relay_conf *rc, const char *db_path,
		struct relay **out, char **err);
/* New events are committed (called by the store's writer after COMMIT).
 * Never blocks on the network. NULL: nothing. */
void relay_kick(struct relay *r);
/* The highest seq the stream has acknowledged: what event retention may
 * delete up to. INT64_MAX when r is NULL (no relay), 0 until the stream
 * has been read. */
int64_t relay_expire_limit(struct relay *r);
/* {"state", "origin", "stream", "acked", "lag", "published", "last_error",
 * "fence"} as a new object; head is the store's current head. */
json_t *relay_status(struct relay *r, int64_t head);
/* One short phrase for systemd's STATUS= line ("relay ok, lag 0"). */
void relay_status_line(struct relay *r, int64_t head, char *out,
		       size_t outlen);
/* End the thread (waiting up to ack_wait for outstanding acks) and free
 * r. NULL: nothing. */
void relay_stop(struct relay *r);

/* --- the command line (daemon/relay_cli.c) ------------------------------ */

/* Does this `tail` command line ask for --nats? */
int relay_tail_wanted(int argc, char **argv);
/* briefwatch tail --nats URL [--durable NAME] [--feed F] [--since N]
 * [--json] [--count N] [--idle-exit MS]: exit status. */
int relay_tail_main(int argc, char **argv);
/* briefwatch relay-takeover [--from SEQ]: exit status. rc and db_path
 * from the configuration (rc NULL: no [relay] section). */
int relay_takeover_main(const struct relay_conf *rc, const char *db_path,
			int argc, char **argv);

#endif
