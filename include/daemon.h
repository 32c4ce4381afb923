/* daemon — the process state of briefwatchd and its life cycle: start,
 * reload, stop. One struct daemon per process, passed down explicitly.
 *
 * The pipeline itself (feed poll → items → pages → store → notify) lives in
 * ingest.c; this module owns the feed table and its timers, the
 * subscriber socket, systemd notification and signals.
 */
#ifndef BW_DAEMON_H
#define BW_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"
#include "ingest.h"
#include "service.h"
#include "writer.h"

struct fetcher;
struct store;
struct notify;
struct relay;
struct ingest;
struct profile_set;
struct profile;

/* One configured feed at run time. */
struct feedctl {
	struct daemon *d;
	struct config_feed cfg;  /* deep copy, owned */
	struct profile *profile; /* derived from cfg (profile + overrides),
				  * owned; NULL: chosen by page URL */
	uv_timer_t timer;        /* next poll; freed in its close callback */
	int polling;             /* a poll is in flight */
	int poll_again;          /* poll requested while one was in flight */
	int removed;             /* dropped by a reload; free once idle */
	int polls;               /* completed polls since start */
	int failures;            /* consecutive */
	int quiet_polls;         /* consecutive polls without new items */
	int64_t next_due;        /* unix ms of the next poll, 0 if none */
	int64_t last_poll;       /* unix ms of the last completed poll */
	char state[16];          /* "new", "polling", "ok", "failing" */
	char last_result[192];   /* one line, for `status` */
	struct ingest_feed feed; /* what ingest sees: points into cfg;
				  * feed.sched (issue #26) is owned here */
	struct feedctl *next;
};

struct daemon_opts {
	const char *config_path;
	int once;        /* poll every feed once, ingest, exit */
	int foreground;  /* accepted for compatibility: we never fork */
};

struct daemon {
	uv_loop_t *loop;
	struct daemon_opts opts;
	struct config *cfg;
	struct store *store;
	struct fetcher *fetcher;
	struct notify *notify;
	struct relay *relay;      /* NULL: no [relay] section */
	struct writer_hook relay_hook; /* the writer wakes the relay after
					 * each COMMIT */
	struct ingest *ingest;
	struct outputs *outputs;  /* [output NAME] sections (output.h) */
	struct profile_set *profiles;
	struct feedctl *feeds;
	uv_signal_t sig_hup, sig_term, sig_int;
	uv_timer_t status_timer;  /* refreshes STATUS= for systemd */
	uv_timer_t maint_timer;   /* daily: event retention, FTS optimize */
	uv_timer_t recheck_timer; /* hands due page re-checks to ingest */
	struct service_watchdog watchdog;
	int64_t started;          /* unix ms */
	int64_t last_ingest;      /* unix ms of the last stored briefing */
	uint64_t briefings_stored;
	int64_t status_sent;      /* unix ms of the last STATUS= from a poll */
	int stopping;
	int exit_code;
	int closing_handles;      /* close callbacks still to come */
	int lock_fd;              /* dblock on the database, -1 if none */
	int dblock_fd;            /* dblock_take_db's fd, -1 if none */
	int once_rechecked;       /* --once: the due re-checks were started */
	char *once_failed;        /* --once: which feeds failed, for the
				   * last line; the caller frees it */
	int64_t reload_at;        /* unix ms of the last reload, 0: none */
	char *reload_error;       /* why it failed; NULL: it worked */
};

/* Load the config, open the store and the socket, start polling. On
 * failure returns a negative errno with a malloc'd reason in *err and
 * leaves nothing running. */
int daemon_start(struct daemon *d, uv_loop_t *loop,
		 const struct daemon_opts *o, char **err);
/* Re-read the config: feeds added start, removed ones stop, changed ones
 * take their new settings; on error the old config stays. */
int daemon_reload(struct daemon *d, char **err);
/* Begin an orderly shutdown (idempotent). uv_run returns once every
 * handle is closed. */
void daemon_stop(struct daemon *d, int exit_code);

/* After uv_run has returned from a stop: close the store and free the
 * configuration (everything that is not a libuv handle). */
void daemon_release(struct daemon *d);

/* Poll feed now (the `poll` op). -ENOENT for an unknown feed. */
int daemon_poll_now(struct daemon *d, const char *name);

/* Wall-clock milliseconds. */
int64_t daemon_now_ms(void);

#endif
