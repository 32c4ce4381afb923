/* output.c — running the outputs (include/output.h, docs/outputs.md).
 *
 * Per output: a cursor (the last seq delivered or passed over, durable in
 * the outputs table), a state, one uv_timer_t (backoff, and the pump's
 * next step) and at most one delivery in flight. The pump reads a page of
 * events after the cursor from the store, passes over those the filters
 * refuse, and hands the first one that passes to the output's type
 * (output_webhook.c etc.); the cursor moves, durably, only once the
 * receiver took it. A failed attempt leaves the cursor alone and the
 * timer brings the same event again.
 */
#include "output.h"
#include "output_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "evfilter.h"
#include "log.h"
#include "store.h"
#include "store_standing.h"
#include "writer.h"

/* ---- set up ----------------------------------------------------------- */

static const struct output_type_ops *
type_ops(enum output_type t)
{
	switch (t) {
	case OUTPUT_WEBHOOK:
		return &output_webhook_ops;
	case OUTPUT_FEED:
		return &output_feed_ops;
	case OUTPUT_MAIL:
		return &output_mail_ops;
	default:
		return NULL;
	}
}

static void
output_free(struct output *o)
{
	if (o->ops && o->ops->clear)
		o->ops->clear(o);
	free(o->last_error);
	output_conf_clear(&o->c);
	free(o);
}

static void
on_closed(uv_handle_t *h)
{
	struct output *o = h->data;
	struct outputs *os = o->os;

	output_free(o);
	if (--os->nopen == 0 && os->closing) {
		void (*done)(void *) = os->done;
		void *arg = os->done_arg;

		free(os);
		if (done)
			done(arg);
	}
}

static void
output_close(struct output *o)
{
	uv_timer_stop(&o->timer);
	if (o->ops->cancel)
		o->ops->cancel(o);
	uv_close((uv_handle_t *)&o->timer, on_closed);
}

static int
output_make(struct outputs *os, const struct output_conf *c,
	    struct output **out, char **err)
{
	struct output *o = calloc(1, sizeof(*o));
	int64_t head = 0;
	int r;

	*out = NULL;
	if (!o)
		return -ENOMEM;
	o->os = os;
	if (output_conf_copy(&o->c, c) < 0) {
		free(o);
		return -ENOMEM;
	}
	o->ops = type_ops(c->type);
	if (!o->ops) {
		r = asprintf(err, "output \"%s\": this type is not supported "
			     "by this build", c->name);
		if (r < 0)
			*err = NULL;
		output_free(o);
		return -EINVAL;
	}
	o->ef.feeds = o->c.feeds;
	o->ef.nfeeds = o->c.nfeeds;
	o->ef.speakers = o->c.speakers;
	o->ef.nspeakers = o->c.nspeakers;
	o->ef.kinds = o->c.kinds;
	o->ef.nkinds = o->c.nkinds;
	o->ef.types = o->c.types;
	o->ef.ntypes = o->c.ntypes;
	o->ef.query = o->c.query;
	if (o->c.query) {
		/* As a subscription's: it must parse and stay within the
		 * term limits (too costly to run for every event otherwise). */
		char *qe = NULL;

		r = store_query_check(o->c.query, &qe);
		if (r < 0) {
			if (r == -ENOMEM)
				*err = NULL;
			else if (asprintf(err, "output \"%s\": query: %s",
					  c->name, qe ? qe : "invalid") < 0)
				*err = NULL;
			free(qe);
			output_free(o);
			return r == -ENOMEM ? r : -EINVAL;
		}
	}
	if ((r = o->ops->init(o, err)) < 0) {
		output_free(o);
		return r;
	}
	r = store_output_get(os->store, c->name, &o->cursor);
	if (r == -ENOENT) {
		if (!c->start_beginning && store_head(os->store, &head) < 0)
			head = 0;
		o->cursor = c->start_beginning ? 0 : head;
		o->saved = -1;
		output_save_cursor(o, o->cursor);
		r = 0;
	} else {
		o->saved = o->cursor;
	}
	if (r < 0) {
		if (asprintf(err, "output \"%s\": cannot read its cursor: %s",
			     c->name, store_errmsg(os->store)) < 0)
			*err = NULL;
		output_free(o);
		return r;
	}
	uv_timer_init(os->loop, &o->timer);
	o->timer.data = o;
	os->nopen++;
	*out = o;
	return 0;
}

static void
after_commit(void *arg, const struct writer_commit *c)
{
	if (c->maxseq)
		outputs_kick(arg);
}

int
outputs_start(uv_loop_t *loop, struct fetcher *fetcher, struct store *store,
	      struct writer *w, const struct output_confs *set,
	      struct outputs **out, char **err)
{
	struct outputs *os = calloc(1, sizeof(*os));
	char host[256];
	size_t i;
	int r;

	*err = NULL;
	*out = NULL;
	if (!os)
		return -ENOMEM;
	os->loop = loop;
	os->fetcher = fetcher;
	os->store = store;
	os->writer = w;
	if (gethostname(host, sizeof(host)) < 0 || !*host)
		strcpy(host, "briefwatch");
	host[sizeof(host) - 1] = 0;
	snprintf(os->host, sizeof(os->host), "%s", host);
	for (i = 0; set && i < set->n; i++) {
		struct output *o;

		if ((r = output_make(os, &set->v[i], &o, err)) < 0) {
			os->closing = 1;
			if (!os->nopen) {
				free(os);
				return r;
			}
			outputs_close(os, NULL, NULL);
			return r;
		}
		o->next = os->list;
		os->list = o;
	}
	if (w) {
		os->hook.fn = after_commit;
		os->hook.arg = os;
		writer_hook_add(w, &os->hook);
		os->hooked = 1;
	}
	*out = os;
	outputs_kick(os);
	return 0;
}

void
outputs_kick(struct outputs *os)
{
	struct output *o;

	if (!os || os->closing)
		return;
	for (o = os->list; o; o = o->next)
		if (o->state == OUT_IDLE && !uv_is_active((uv_handle_t *)&o->timer))
			output_pump(o);
}

static struct output *
find(struct outputs *os, const char *name, struct output ***link)
{
	struct output **p;

	for (p = &os->list; *p; p = &(*p)->next)
		if (!strcmp((*p)->c.name, name)) {
			if (link)
				*link = p;
			return *p;
		}
	return NULL;
}

int
outputs_retry(struct outputs *os, const char *name, char **err)
{
	struct output *o = find(os, name, NULL);

	if (!o) {
		if (asprintf(err, "no output \"%s\"", name) < 0)
			*err = NULL;
		return -ENOENT;
	}
	if (o->state == OUT_BUSY)
		return 0;
	uv_timer_stop(&o->timer);
	o->attempts = 0;
	o->state = OUT_IDLE;
	log_info("output \"%s\": retrying from seq %lld", o->c.name,
		 (long long)o->cursor + 1);
	output_pump(o);
	return 0;
}

int
outputs_add(struct outputs *os, const struct output_conf *c, char **err)
{
	struct output *o;
	int r;

	if (find(os, c->name, NULL)) {
		if (asprintf(err, "output \"%s\" exists", c->name) < 0)
			*err = NULL;
		return -EEXIST;
	}
	if ((r = output_make(os, c, &o, err)) < 0)
		return r;
	o->next = os->list;
	os->list = o;
	output_pump(o);
	return 0;
}

int
outputs_remove(struct outputs *os, const char *name, char **err)
{
	struct output **link, *o = find(os, name, &link);

	if (!o) {
		if (asprintf(err, "no output \"%s\"", name) < 0)
			*err = NULL;
		return -ENOENT;
	}
	*link = o->next;
	if (store_output_delete(os->store, name) < 0)
		log_warn("output \"%s\": cannot delete its cursor: %s", name,
			 store_errmsg(os->store));
	output_close(o);
	return 0;
}

int
outputs_source(struct outputs *os, const char *name)
{
	struct output *o = find(os, name, NULL);

	return o ? o->c.runtime != 0 : -1;
}

char *
outputs_runtime_text(struct outputs *os)
{
	struct output *o;
	size_t n = 0, i = 0;
	struct output **v;
	struct buf b = BUF_INIT;

	for (o = os->list; o; o = o->next)
		n++;
	/* the list is newest first: write oldest first */
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return NULL;
	for (o = os->list; o; o = o->next)
		v[i++] = o;
	buf_puts(&b, "# Outputs added with `briefwatch add-output` (the "
		 "daemon writes this file).\n");
	while (i-- > 0)
		if (v[i]->c.runtime && v[i]->c.raw)
			buf_printf(&b, "\n%s", v[i]->c.raw);
	free(v);
	return buf_detach(&b);
}

json_t *
outputs_status(struct outputs *os)
{
	json_t *a = json_array();
	struct output *o;
	static const char *const types[] = {
		[OUTPUT_WEBHOOK] = "webhook", [OUTPUT_FEED] = "feed",
		[OUTPUT_MAIL] = "mail"};

	for (o = os ? os->list : NULL; a && o; o = o->next) {
		json_t *j = json_pack("{ss ss ss sI sI sI si}",
			"name", o->c.name, "type", types[o->c.type],
			"state", output_state_name(o),
			"cursor", (json_int_t)o->cursor,
			"delivered", (json_int_t)o->delivered,
			"failures", (json_int_t)o->failures,
			"attempts", o->attempts);

		if (!j)
			continue;
		json_object_set_new(j, "source", json_string(o->c.runtime ?
				    "outputs_file" : "config"));
		json_object_set_new(j, "failing",
				    json_integer(o->state == OUT_FAILING));
		json_object_set_new(j, "stopped",
				    json_integer(o->state == OUT_STOPPED));
		if (o->last_error)
			json_object_set_new(j, "last_error",
					    json_string(o->last_error));
		if (o->state == OUT_WAIT || o->state == OUT_FAILING)
			json_object_set_new(j, "next_attempt_in_ms",
				json_integer((json_int_t)(o->next_attempt_ms >
					uv_now(os->loop) ? o->next_attempt_ms -
					uv_now(os->loop) : 0)));
		json_array_append_new(a, j);
	}
	return a;
}

void
outputs_close(struct outputs *os, void (*done)(void *arg), void *arg)
{
	struct output *o, *next;

	os->closing = 1;
	os->done = done;
	os->done_arg = arg;
	if (os->hooked) {
		writer_hook_remove(os->writer, &os->hook);
		os->hooked = 0;
	}
	if (!os->list && !os->nopen) {
		free(os);
		if (done)
			done(arg);
		return;
	}
	for (o = os->list; o; o = next) {
		next = o->next;
		output_close(o);
	}
	os->list = NULL;
}
