/* output_int.h — private to daemon/output*.c: one running output and the
 * interface of its type (webhook, feed, mail).
 */
#ifndef BW_OUTPUT_INT_H
#define BW_OUTPUT_INT_H

#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "evfilter.h"
#include "output.h"
#include "writer.h"

struct output;
struct store_event;

enum out_state {
	OUT_IDLE = 0, /* nothing in flight: the pump may run */
	OUT_BUSY,     /* one delivery in flight */
	OUT_WAIT,     /* a retry is due when the timer fires */
	OUT_FAILING,  /* max_attempts spent: tries every max_backoff */
	OUT_STOPPED,  /* refused for good (4xx): waits for `output retry` */
};

struct output_type_ops {
	/* Once, at start: read secret files etc. 0 or -errno and *err. */
	int (*init)(struct output *o, char **err);
	/* Deliver ev (parsed: its JSON): later output_done or
	 * output_failed, exactly once. A negative return: nothing started
	 * (counted as a failed attempt by the caller). */
	int (*deliver)(struct output *o, const struct store_event *ev,
		       json_t *parsed);
	/* Nothing left to deliver for now (optional). */
	void (*idle)(struct output *o);
	/* Cancel what is in flight (closing; no callback follows). */
	void (*cancel)(struct output *o);
	/* Free the type's state. */
	void (*clear)(struct output *o);
};

struct output {
	struct outputs *os;
	struct output *next;
	struct output_conf c;         /* own copy */
	const struct output_type_ops *ops;
	struct evfilter ef;           /* views into c */
	enum out_state state;
	int64_t cursor;               /* last seq delivered or passed over */
	int64_t saved;                /* the cursor as stored */
	int64_t inflight;             /* seq being delivered, 0: none */
	int attempts;                 /* consecutive failed attempts */
	uint64_t delivered, failures;
	char *last_error;
	uint64_t next_attempt_ms;     /* uv_now of the next attempt */
	uv_timer_t timer;
	int done_later;               /* output_done from the timer */
	int hold_cursor;              /* 1: the cursor moves in memory only
				       * (a digest not yet sent) */
	void *type;                   /* the type's state */
};

struct outputs {
	uv_loop_t *loop;
	struct fetcher *fetcher;
	struct store *store;
	struct writer *writer;
	struct writer_hook hook;
	int hooked;
	struct output *list;
	int nopen;                    /* timers not yet closed */
	int closing;
	char host[256];               /* default origin */
	void (*done)(void *arg);
	void *done_arg;
};

/* The delivery of o->inflight worked: the cursor moves (durably). */
void output_done(struct output *o);
/* The same from the loop's next turn (a type that delivers at once). */
void output_done_later(struct output *o);
/* Pump again in ms (a digest that falls due). */
void output_wake_in(struct output *o, uint64_t ms);
/* Store seq as the durable cursor (hold_cursor aside). */
void output_save_cursor(struct output *o, int64_t seq);
/* It did not: fatal → stopped; else a retry after backoff (or
 * retry_after_s when >= 0, capped at 1 h), failing after max_attempts. */
void output_failed(struct output *o, int fatal, int64_t retry_after_s,
		   const char *why);
const char *output_state_name(const struct output *o);
/* Deliver what is next after the cursor, if the output is idle. */
void output_pump(struct output *o);

extern const struct output_type_ops output_webhook_ops;
extern const struct output_type_ops output_feed_ops;
extern const struct output_type_ops output_mail_ops;

#endif
