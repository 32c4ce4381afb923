/* notify — the subscriber socket: a libuv pipe server speaking the
 * newline-delimited JSON protocol of docs/protocol.md. It reads events from
 * the store (the outbox) and fans them out to subscribers, with replay from
 * `since`, filters, heartbeats and per-client output bounds.
 */
#ifndef BW_NOTIFY_H
#define BW_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <uv.h>

struct store;
struct notify;
struct proto_req;

/* Hooks into the daemon for the non-event ops. Each returns 0 and a new
 * JSON object in *out (the reply; "type" is filled in by notify), or a
 * negative errno and a malloc'd message in *err. */
struct notify_ops {
	int (*status)(void *arg, json_t **out, char **err);
	int (*feeds)(void *arg, json_t **out, char **err);
	int (*poll)(void *arg, const char *feed, json_t **out, char **err);
	int (*reload)(void *arg, json_t **out, char **err);
	/* -EEXIST (reply "conflict"): the name is taken, or the feed belongs
	 * to the configuration file. */
	int (*add_feed)(void *arg, const struct proto_req *req, json_t **out,
			char **err);
	int (*remove_feed)(void *arg, const char *feed, json_t **out,
			   char **err);
	/* output_retry: -ENOENT (reply "not_found") for an unknown output. */
	int (*output_retry)(void *arg, const char *name, json_t **out,
			    char **err);
	/* add_output / remove_output: -EEXIST ("conflict") for a name taken
	 * or an output of the configuration file. */
	int (*add_output)(void *arg, const char *name, const json_t *conf,
			  json_t **out, char **err);
	int (*remove_output)(void *arg, const char *name, json_t **out,
			     char **err);
	void *arg;
};

struct notify_opts {
	const char *path;        /* socket path (bound unless listen_fd >= 0) */
	int listen_fd;           /* socket-activated listening fd, or -1;
				  * notify_start takes it over (closed by
				  * notify_close, or on failure) */
	mode_t mode;             /* 0660 */
	gid_t group;             /* (gid_t)-1: leave as is */
	gid_t admin_gid;         /* privileged ops also for this group;
				  * (gid_t)-1: root and our uid only */
	size_t max_clients;      /* 256 */
	size_t max_line;         /* 64 KiB */
	size_t max_queue;        /* bytes of unsent output per client: 4 MiB */
	uint64_t idle_timeout_ms;   /* before subscribe: 60 s */
	uint64_t heartbeat_ms;      /* 30 s */
	size_t replay_page;      /* events per replay page: 256 */
	uint64_t drain_timeout_ms;  /* a client being closed with a final
				     * line (overflow, timeout, too many
				     * clients) is dropped after this even
				     * if it never reads it: 5 s (0: 5 s) */
};

void notify_opts_default(struct notify_opts *o);

/* Start listening. store is borrowed until notify_close's callback.
 * 0 and *out, or a negative errno and a malloc'd reason in *err
 * (-EADDRINUSE: a live daemon already answers on the path). */
int notify_start(uv_loop_t *loop, struct store *store,
		 const struct notify_opts *o, const struct notify_ops *ops,
		 struct notify **out, char **err);
/* Events up to seq are committed: deliver them to live subscribers. */
void notify_publish(struct notify *n, int64_t seq);
/* Connected clients (not counting ones refused for max_clients). */
size_t notify_clients(const struct notify *n);
/* Subscribed clients: the `subscribers` of status. A connection asking
 * for the status without subscribing is not one. */
size_t notify_subscribers(const struct notify *n);
/* Close the server and every client; unlink the path only if we bound it.
 * done(arg) runs once every handle is closed; n is freed then. */
/* The socket path removed or replaced (a careless cleanup of /run) while
 * we run: bind it again (not a path systemd passed us). 1 if rebinding, 0
 * if nothing to do, or a negative errno (logged). Call it now and then. */
int notify_check_path(struct notify *n);
void notify_close(struct notify *n, void (*done)(void *arg), void *arg);

#endif
