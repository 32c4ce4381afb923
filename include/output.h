/* output — newsroom outputs (docs/outputs.md): [output NAME] sections
 * that deliver the events of the outbox to a webhook, an Atom/JSON feed
 * file or mail, each from a durable cursor of its own in the database.
 *
 * Each output runs on the loop: it reads the events after its cursor from
 * the store (never from memory), passes them through its filters
 * (evfilter.h: the socket's), delivers one at a time, in order, and moves
 * its cursor only once the receiver has taken the event: at least once,
 * in order, a repeat only of the event in flight at a crash. It is woken
 * after each COMMIT by a writer hook; ingest and the socket never wait for
 * it, and one output's slow or dead receiver affects only that output.
 */
#ifndef BW_OUTPUT_H
#define BW_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

struct fetcher;
struct store;
struct writer;

enum output_type { OUTPUT_WEBHOOK = 1, OUTPUT_FEED, OUTPUT_MAIL };
enum output_format { OUTFMT_JSON = 0, OUTFMT_SLACK, OUTFMT_TEAMS };

/* One [output NAME] section (docs/configuration.md). */
struct output_conf {
	char *name;
	enum output_type type;
	int runtime;                 /* added with add-output */
	/* filters, as in a subscribe request */
	char **feeds;    size_t nfeeds;
	char **speakers; size_t nspeakers;
	char **kinds;    size_t nkinds;
	char **types;    size_t ntypes; /* key "events" */
	char *query;
	int start_beginning;         /* start = beginning (else head) */
	/* webhook */
	char *url;
	enum output_format format;
	char *secret_file;
	char *origin;                /* Idempotency-Key prefix; NULL: host */
	int64_t timeout_ms;          /* per attempt: 10 s */
	int max_attempts;            /* before `failing`: 8 */
	int64_t backoff_ms;          /* first retry: 1 s, doubling ... */
	int64_t max_backoff_ms;      /* ... up to 5 min; also the pace of
				      * attempts while failing */
	/* feed */
	char *atom_file, *json_file, *title, *link;
	int items;                   /* last N briefings: 50 */
	/* mail */
	char *from;
	char **to;       size_t nto;
	char *auth_file;             /* "user:password" on one line */
	int starttls;                /* 1: required (default for smtp://) */
	int64_t digest_ms;           /* 0: one message per briefing */
	char *ca_file;               /* CAs to trust for TLS, or NULL */
	char *raw;                   /* runtime: its section as saved */
};

struct output_confs {
	struct output_conf *v;
	size_t n;
};

/* The configuration's side (output_conf.c), called by config.c. */
/* Key `key` = value of section [output name] into *set (created on first
 * use). 0, or -EINVAL / -ENOMEM and a malloc'd message in *err. */
int output_conf_key(struct output_confs **set, const char *name,
		    const char *key, const char *value, char **err);
/* Whole-section checks (url present, ...) once the file is read. */
int output_conf_check(const struct output_confs *set, char **err);
void output_confs_free(struct output_confs *set);
void output_conf_clear(struct output_conf *c);
/* A deep copy of src into *dst; 0 or -ENOMEM. */
int output_conf_copy(struct output_conf *dst, const struct output_conf *src);

/* The running side (output.c). */
struct outputs;

/* Start every output of set on loop: read their cursors (a new output
 * starts at the head of the log, or at 0 with start = beginning), read
 * secret files, check queries. store is the loop thread's connection;
 * after-COMMIT wake-ups come through a hook on w (may be NULL: then call
 * outputs_kick). 0 and *out, or a negative errno and a malloc'd reason. */
int outputs_start(uv_loop_t *loop, struct fetcher *fetcher,
		  struct store *store, struct writer *w,
		  const struct output_confs *set, struct outputs **out,
		  char **err);
/* Events up to maxseq are committed. */
void outputs_kick(struct outputs *os);
/* `output retry NAME`: a failing or stopped output tries again now.
 * -ENOENT when there is no such output. */
int outputs_retry(struct outputs *os, const char *name, char **err);
/* Add one output at run time (c copied); -EEXIST when the name is
 * taken. */
int outputs_add(struct outputs *os, const struct output_conf *c, char **err);
/* Remove it and its cursor. -ENOENT when unknown. */
int outputs_remove(struct outputs *os, const char *name, char **err);
/* -1: no output name; 0: one of the configuration file; 1: one added at
 * run time (outputs_add with c->runtime). */
int outputs_source(struct outputs *os, const char *name);
/* The sections (c->raw) of the outputs added at run time, in order. */
char *outputs_runtime_text(struct outputs *os);

/* Outputs added at run time (output_runtime.c), kept in the file path
 * (outputs.conf beside the database): [output NAME] sections only. */
/* Start the outputs of path (a missing file is none); a name the
 * configuration file has is skipped with a warning. 0 or -errno, *err. */
int outputs_load_file(struct outputs *os, const char *path, char **err);
/* add_output: conf's keys (strings) checked as an [output NAME] section
 * of the file, started, then path rewritten atomically; on a write
 * failure nothing changes. -EEXIST, -EINVAL, -EIO and *err. */
int outputs_add_runtime(struct outputs *os, const char *path,
			const char *name, const json_t *conf, char **err);
/* remove_output: only one added at run time (-EEXIST for one of the
 * configuration file, -ENOENT unknown); its cursor goes too. */
int outputs_remove_runtime(struct outputs *os, const char *path,
			   const char *name, char **err);

/* The "outputs" array of `status`. */
json_t *outputs_status(struct outputs *os);
/* Stop: cancel what is in flight (its event is sent again on the next
 * start), close the handles; done(arg) once closed, os freed then. */
void outputs_close(struct outputs *os, void (*done)(void *arg), void *arg);

#endif
