/* relay.c — the event log copied into a NATS JetStream stream (see
 * include/relay.h and docs/operations.md "Running with NATS").
 *
 * One thread (worker.h) does everything: open its own read-only store,
 * connect, read the stream's last message (the only cursor), publish the
 * events after it with async publishes, at most `window` awaiting their
 * ack, each carrying the stream sequence it must follow. The client's
 * callbacks (acks, a closed connection) only record what happened under
 * the worker's mutex and wake the thread; any failure leads back to
 * reading the stream's last message. Since a publish lands only right
 * after the message it was built to follow, no event is stored twice and
 * none is skipped: a gap exists only where retention deleted events
 * before the stream had them, and is announced on <prefix>.ctl.gap.
 */
#include "relay.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "store_relay.h"
#include "worker.h"

#define PAGE 1024         /* events read from the store at once */
#define ACK_EVERY 64      /* one publish in this many asks for an ack */
#define RETRY_MS 1000    /* after an error: reconnect, read the stream */
#define FENCED_MS 2000   /* while fenced: look at the stream again */
#define IDLE_MS 1000     /* nothing to do: look at the store anyway
			  * (BW_RELAY_IDLE_MS: tests that only the
			  * writer's after-COMMIT kick wakes the relay) */

enum relay_state {
	RS_STARTING,
	RS_CONNECTING,
	RS_RELAYING,
	RS_FENCED,
	RS_ERROR,
};

static const char *const state_names[] = {
	[RS_STARTING] = "starting", [RS_CONNECTING] = "connecting",
	[RS_RELAYING] = "relaying", [RS_FENCED] = "fenced",
	[RS_ERROR] = "error",
};

struct relay {
	struct worker w;
	natsOptions *opts;
	char *db_path;
	char *stream, *prefix;
	int create_stream, replicas, window;
	int64_t ack_wait_ms;
	int64_t idle_ms;        /* IDLE_MS, or BW_RELAY_IDLE_MS */

	/* under w.mu: shared with the loop thread and the client's threads */
	int kicked;             /* new events committed */
	int conns;              /* connections made, and the closed */
	int closed_cbs;         /* callbacks (on_closed) run for them: the
				 * thread waits for every one before it ends,
				 * since the client runs them on its own
				 * thread, later, with r */
	int resync;             /* an ack failed or the connection closed */
	enum relay_state state;
	int64_t acked;          /* highest seq the stream acknowledged */
	int64_t head;           /* the store's head as the thread last saw it */
	int synced;             /* acked is known (the stream was read) */
	uint64_t published;     /* events acknowledged since start */
	uint64_t gaps;          /* gaps announced since start */
	char origin[40];
	char error[320];        /* the last error, "" when none */
	char logged[320];       /* the error last logged: each is logged
				 * once until the relay works again */
	char fence[320];        /* why fenced, "" when not */
	/* a burst: events published after the relay was caught up, timed
	 * from the page that started it to the ack of its last event (the
	 * debug line "relay: caught up ...", read by bench/relay.py) */
	uint64_t burst_t0;      /* uv_hrtime() at its start, 0: none */
	int64_t burst_from;     /* its first seq */
	int64_t burst_to;       /* its last seq once read, 0: still read */
	double burst_pub_ms;    /* from its start to its last publish */
	double burst_cpu0, burst_cpu_ms; /* the thread's CPU time */

	/* the thread's own */
	struct store *store;
	natsConnection *nc;
	jsCtx *js;
	uint64_t expect;        /* the stream sequence our next publish
				 * follows */
	int64_t next;           /* the seq of the next event to publish */
	int need_sync;
	/* messages published without an ack, destroyed together after the
	 * page: libnats hands each destroyed message to its collector
	 * thread and wakes it, a switch per message if done one by one */
	natsMsg *dead[PAGE + 1];
	size_t ndead;
	struct store_relay_page page; /* the events read last (reused) */
	/* the subject of the event published last, and what it was made
	 * of: events come in runs of one feed */
	char subj[512];
	char subj_type[32];
	char *subj_feed;
	int subj_ok;
	int js_used;            /* js has published: its table of pending
				 * publishes exists (libnats 3.4.1's
				 * js_PublishAsyncGetPendingList crashes on
				 * a context that never published) */
};

/* ---- shared state ------------------------------------------------------ */

static void
set_state(struct relay *r, enum relay_state st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record the state and, for errors and fences, why (logged once per
 * change of reason, at error level). */
static void
set_state(struct relay *r, enum relay_state st, const char *fmt, ...)
{
	char msg[320] = "";
	int changed;

	if (fmt) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	uv_mutex_lock(&r->w.mu);
	r->state = st;
	changed = 0;
	if (st == RS_FENCED) {
		changed = strcmp(r->fence, msg) != 0;
		snprintf(r->fence, sizeof(r->fence), "%s", msg);
	} else {
		r->fence[0] = '\0';
		if (st == RS_ERROR) {
			changed = strcmp(r->logged, msg) != 0;
			snprintf(r->error, sizeof(r->error), "%s", msg);
			snprintf(r->logged, sizeof(r->logged), "%s", msg);
		}
	}
	uv_mutex_unlock(&r->w.mu);
	if (changed && st == RS_FENCED)
		log_err("relay: stopped, stream %s fenced: %s; after checking, run `briefwatch relay-takeover`",
			r->stream, msg);
	else if (changed)
		log_err("relay: %s", msg);
}

/* Sleep up to ms, or until quit (or, when kick_wakes, a kick or a
 * resync request). Returns quit. */
static int
relay_wait(struct relay *r, int64_t ms, int kick_wakes)
{
	uint64_t until = uv_hrtime() + (uint64_t)ms * 1000000u;
	int quit;

	uv_mutex_lock(&r->w.mu);
	while (!r->w.quit && !(kick_wakes && (r->kicked || r->resync))) {
		uint64_t now = uv_hrtime();

		if (now >= until)
			break;
		uv_cond_timedwait(&r->w.cv, &r->w.mu, until - now);
	}
	r->kicked = 0;
	quit = r->w.quit;
	uv_mutex_unlock(&r->w.mu);
	return quit;
}

static int
take_resync(struct relay *r)
{
	int v;

	uv_mutex_lock(&r->w.mu);
	v = r->resync;
	r->resync = 0;
	uv_mutex_unlock(&r->w.mu);
	return v;
}

static double
thread_cpu_ms(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* The end of a burst (under w.mu): every event of it acknowledged. */
static void
burst_done(struct relay *r)
{
	double ms = (double)(uv_hrtime() - r->burst_t0) / 1e6;
	struct timespec now;
	int64_t n = r->burst_to - r->burst_from + 1;

	clock_gettime(CLOCK_REALTIME, &now);
	log_debug("relay: caught up: events %lld to %lld (%lld) acknowledged in %.1f ms (published in %.1f, the relay thread's CPU %.1f), %.0f events/s, at %lld.%06ld",
		  (long long)r->burst_from, (long long)r->burst_to,
		  (long long)n, ms, r->burst_pub_ms, r->burst_cpu_ms, ms > 0 ? (double)n * 1000.0 / ms : 0.0,
		  (long long)now.tv_sec, now.tv_nsec / 1000);
	r->burst_t0 = 0;
	r->burst_to = 0;
}

/* ---- the client's callbacks (its threads) ------------------------------ */

static void
on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *arg)
{
	struct relay *r = arg;
	int64_t seq = relay_msg_seq(msg);

	(void)js;
	uv_mutex_lock(&r->w.mu);
	if (pa && !pae) {
		/* fenced publishes land in order: an ack of seq means the
		 * stream holds every event up to it */
		if (seq > r->acked) {
			if (!pa->Duplicate && r->synced)
				r->published += (uint64_t)(seq - r->acked);
			r->acked = seq;
		}
		if (r->burst_t0 && r->burst_to && r->acked >= r->burst_to)
			burst_done(r);
	} else if (!r->resync) {
		/* The first failure says why; the ones after it are its
		 * consequence (their expected sequence is gone). */
		snprintf(r->error, sizeof(r->error),
			 "publish of event %lld not acknowledged: %s",
			 (long long)seq,
			 pae && pae->ErrText ? pae->ErrText
			 : natsStatus_GetText(pae ? pae->Err : NATS_ERR));
		r->resync = 1;
		uv_cond_broadcast(&r->w.cv);
	}
	uv_mutex_unlock(&r->w.mu);
	natsMsg_Destroy(msg);
}

static void
on_closed(natsConnection *nc, void *arg)
{
	struct relay *r = arg;

	(void)nc;
	uv_mutex_lock(&r->w.mu);
	r->resync = 1;
	r->closed_cbs++;
	uv_cond_broadcast(&r->w.cv);
	uv_mutex_unlock(&r->w.mu);
}

/* ---- the connection ---------------------------------------------------- */

/* Give up on what is in flight and drop the connection. */
static void
disconnect(struct relay *r)
{
	if (r->js) {
		natsMsgList pending = {0};

		if (r->js_used &&
		    js_PublishAsyncGetPendingList(&pending, r->js) == NATS_OK)
			natsMsgList_Destroy(&pending);
		jsCtx_Destroy(r->js);
		r->js = NULL;
		r->js_used = 0;
	}
	if (r->nc) {
		natsConnection_Close(r->nc);
		natsConnection_Destroy(r->nc);
		r->nc = NULL;
	}
}

static int
connect_nats(struct relay *r)
{
	jsOptions jo;
	natsStatus s;

	s = natsConnection_Connect(&r->nc, r->opts);
	if (s != NATS_OK) {
		const char *why = relay_nats_err(s);

		/* A server that refuses the TLS client (no certificate, or
		 * one it does not trust) closes the connection right after
		 * the handshake: the client only sees no PONG. */
		set_state(r, RS_ERROR, "cannot connect to NATS: %s%s", why,
			  strstr(why, "PONG")
				  ? " (the server closed the connection at the handshake: does it require a client certificate, tls_cert and tls_key, that it trusts? its log says why)"
				  : "");
		r->nc = NULL;
		return -1;
	}
	uv_mutex_lock(&r->w.mu);
	r->conns++;
	uv_mutex_unlock(&r->w.mu);
	jsOptions_Init(&jo);
	jo.Wait = r->ack_wait_ms;
	/* window = events in flight; one in ACK_EVERY of them (and the
	 * last of each page) awaits an ack, the others go without reply */
	jo.PublishAsync.MaxPending = r->window / ACK_EVERY > 0
					     ? r->window / ACK_EVERY : 1;
	jo.PublishAsync.AckHandler = on_ack;
	jo.PublishAsync.AckHandlerClosure = r;
	jo.PublishAsync.StallWait = r->ack_wait_ms;
	s = natsConnection_JetStream(&r->js, r->nc, &jo);
	if (s != NATS_OK) {
		set_state(r, RS_ERROR, "JetStream context: %s", relay_nats_err(s));
		disconnect(r);
		return -1;
	}
	r->need_sync = 1;
	return 0;
}

/* Wait for the acks of what is in flight (they move `acked`), then drop
 * whatever is left: the stream's last message says where to go on. */
static void
settle(struct relay *r, int64_t wait_ms)
{
	jsPubOptions po;
	natsMsgList pending = {0};

	if (!r->js || !r->js_used)
		return;
	jsPubOptions_Init(&po);
	po.MaxWait = wait_ms;
	if (js_PublishAsyncComplete(r->js, &po) != NATS_OK &&
	    js_PublishAsyncGetPendingList(&pending, r->js) == NATS_OK)
		natsMsgList_Destroy(&pending);
}

/* ---- reading the stream ----------------------------------------------- */

static int
ensure_stream(struct relay *r, jsStreamInfo **si)
{
	jsErrCode jerr = 0;
	natsStatus s;
	jsStreamConfig sc;
	char subj[256];
	const char *subjects[1] = {subj};

	s = js_GetStreamInfo(si, r->js, r->stream, NULL, &jerr);
	if (s == NATS_OK)
		return 0;
	if (s != NATS_NOT_FOUND && jerr != JSStreamNotFoundErr) {
		set_state(r, RS_ERROR, "stream %s: %s", r->stream,
			  relay_nats_err(s));
		return -1;
	}
	if (!r->create_stream) {
		set_state(r, RS_ERROR, "stream %s does not exist (create_stream = no)",
			  r->stream);
		return -1;
	}
	snprintf(subj, sizeof(subj), "%s.>", r->prefix);
	jsStreamConfig_Init(&sc);
	sc.Name = r->stream;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Replicas = r->replicas;
	s = js_AddStream(si, r->js, &sc, NULL, &jerr);
	if (s != NATS_OK) {
		set_state(r, RS_ERROR, "cannot create stream %s: %s", r->stream,
			  relay_nats_err(s));
		return -1;
	}
	log_info("relay: created stream %s (subjects %s, %d replica%s)",
		 r->stream, subj, r->replicas, r->replicas == 1 ? "" : "s");
	return 0;
}

/* Read the stream's last message and decide where to go on: 0 (set
 * expect, next, acked), 1 fenced, -1 error. */
static int
sync_stream(struct relay *r)
{
	jsStreamInfo *si = NULL;
	natsMsg *m = NULL;
	jsErrCode jerr = 0;
	natsStatus s;
	uint64_t last;
	int64_t head = 0, seq;
	const char *origin = NULL, *subj;
	int rc = -1;

	if (ensure_stream(r, &si) < 0)
		return -1;
	last = si->State.LastSeq;
	jsStreamInfo_Destroy(si);
	if (store_head(r->store, &head) < 0) {
		set_state(r, RS_ERROR, "store: %s", store_errmsg(r->store));
		return -1;
	}
	uv_mutex_lock(&r->w.mu);
	r->head = head;
	uv_mutex_unlock(&r->w.mu);
	if (last == 0) {
		seq = 0; /* an empty stream: from the first event we have */
		goto go_on;
	}
	s = js_GetMsg(&m, r->js, r->stream, last, NULL, &jerr);
	if (s != NATS_OK) {
		set_state(r, RS_ERROR, "stream %s: cannot read its last message (%" PRIu64 "): %s",
			  r->stream, last, relay_nats_err(s));
		return -1;
	}
	seq = relay_msg_seq(m);
	if (natsMsgHeader_Get(m, "Briefwatch-Origin", &origin) != NATS_OK ||
	    !origin || seq < 0) {
		set_state(r, RS_FENCED, "its last message (stream sequence %" PRIu64 ", subject %s) is not one of ours",
			  last, natsMsg_GetSubject(m));
		rc = 1;
		goto out;
	}
	if (strcmp(origin, r->origin) != 0) {
		set_state(r, RS_FENCED, "its last message (stream sequence %" PRIu64 ") comes from origin %s, not ours (%s): another database relays to this stream",
			  last, origin, r->origin);
		rc = 1;
		goto out;
	}
	if (seq > head) {
		set_state(r, RS_FENCED, "its last event (seq %lld) is ahead of our database (head %lld): was the database restored from an older copy?",
			  (long long)seq, (long long)head);
		rc = 1;
		goto out;
	}
	subj = natsMsg_GetSubject(m);
	if (subj && strncmp(subj, r->prefix, strlen(r->prefix)) == 0 &&
	    strncmp(subj + strlen(r->prefix), ".ev.", 4) == 0) {
		char *ours = NULL;
		int e = store_event_json(r->store, seq, &ours);

		if (e == 0 &&
		    ((size_t)natsMsg_GetDataLength(m) != strlen(ours) ||
		     memcmp(natsMsg_GetData(m), ours, strlen(ours)) != 0)) {
			free(ours);
			set_state(r, RS_FENCED, "its event %lld differs from ours: was the database restored from an older copy?",
				  (long long)seq);
			rc = 1;
			goto out;
		}
		free(ours);
		if (e < 0 && e != -ENOENT) {
			set_state(r, RS_ERROR, "store: %s",
				  store_errmsg(r->store));
			goto out;
		}
	}
go_on:
	r->expect = last;
	r->next = seq + 1;
	uv_mutex_lock(&r->w.mu);
	r->acked = seq;
	r->burst_t0 = 0; /* a burst cut by a resync is not timed */
	r->synced = 1;
	r->state = RS_RELAYING;
	r->fence[0] = '\0';
	r->logged[0] = '\0';
	uv_mutex_unlock(&r->w.mu);
	rc = 0;
out:
	natsMsg_Destroy(m);
	return rc;
}

/* ---- publishing --------------------------------------------------------- */

/* Write v in decimal at out (room for 20 digits); returns the end. */
static char *
put_u64(char *out, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*out++ = tmp[--n];
	*out = '\0';
	return out;
}

/* Publish one message fenced on r->expect; 0 or -1 (resync). Takes the
 * body as is; seq goes in the headers. With want_ack, the publish waits
 * for its ack in the window (on_ack); without, it goes without a reply
 * subject: the server stores it or, fenced, drops it, and then refuses
 * every publish after it too, the next acknowledged one included, which
 * leads to a resync. So an ack of seq vouches for all before it, and the
 * costly part of an async publish (the inbox, the table of pending
 * publishes, the ack message and its JSON) is paid once per ACK_EVERY. */
static int
publish(struct relay *r, const char *subj, const char *body, size_t len,
	int64_t seq, int want_ack)
{
	natsMsg *m = NULL;
	jsPubOptions po;
	char v[24], id[64], *p;
	natsStatus s;

	/* the values by hand: snprintf was a tenth of the thread's time */
	p = id + strlen(r->origin);
	memcpy(id, r->origin, (size_t)(p - id));
	*p++ = ':';
	put_u64(v, (uint64_t)seq);
	memcpy(p, v, strlen(v) + 1);
	s = natsMsg_Create(&m, subj, NULL, body, (int)len);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Nats-Msg-Id", id);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Briefwatch-Seq", v);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Briefwatch-Origin", r->origin);
	/* Set here rather than through jsPubOptions.ExpectLastSeq, which
	 * the client leaves out when it is 0: the first message of an empty
	 * stream is fenced too. */
	put_u64(v, r->expect);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Nats-Expected-Last-Sequence", v);
	if (s == NATS_OK && !want_ack)
		s = natsConnection_PublishMsg(r->nc, m);
	else if (s == NATS_OK) {
		jsPubOptions_Init(&po);
		po.MaxWait = r->ack_wait_ms;
		s = js_PublishMsgAsync(r->js, &m, &po);
		r->js_used = 1;
	}
	if (m && r->ndead < sizeof(r->dead) / sizeof(r->dead[0]))
		r->dead[r->ndead++] = m;
	else
		natsMsg_Destroy(m);
	if (s != NATS_OK) {
		set_state(r, RS_ERROR, "publish of seq %lld: %s",
			  (long long)seq, relay_nats_err(s));
		return -1;
	}
	r->expect++;
	return 0;
}

static void
bury(struct relay *r)
{
	size_t i;

	for (i = 0; i < r->ndead; i++)
		natsMsg_Destroy(r->dead[i]);
	r->ndead = 0;
}

/* Announce that the stream will not hold events from..to (expired from
 * the database before the stream had them). */
static int
publish_gap(struct relay *r, int64_t from, int64_t to)
{
	char subj[256], body[160];
	int n;

	snprintf(subj, sizeof(subj), "%s.ctl.gap", r->prefix);
	n = snprintf(body, sizeof(body),
		     "{\"type\":\"gap\",\"from\":%lld,\"to\":%lld}",
		     (long long)from, (long long)to);
	log_warn("relay: events %lld to %lld expired before the stream had them; announced on %s",
		 (long long)from, (long long)to, subj);
	uv_mutex_lock(&r->w.mu);
	r->gaps++;
	uv_mutex_unlock(&r->w.mu);
	return publish(r, subj, body, (size_t)n, to, 1);
}

/* The subject of ev, from the last one when the type and the feed are
 * the same. 0, or -1 when it does not fit. */
static int
subject_of(struct relay *r, const struct store_relay_ev *ev,
	   const char **subj)
{
	const char *feed = ev->feed ? ev->feed : "";

	if (r->subj_ok && strcmp(r->subj_type, ev->type) == 0 &&
	    strcmp(r->subj_feed, feed) == 0) {
		*subj = r->subj;
		return 0;
	}
	r->subj_ok = 0;
	if (relay_subject(r->subj, sizeof(r->subj), r->prefix, ev->type,
			  ev->feed) < 0)
		return -1;
	*subj = r->subj;
	if (strlen(ev->type) >= sizeof(r->subj_type))
		return 0; /* not kept */
	free(r->subj_feed);
	if (!(r->subj_feed = strdup(feed)))
		return 0;
	memcpy(r->subj_type, ev->type, strlen(ev->type) + 1);
	r->subj_ok = 1;
	return 0;
}

static int
publish_event(struct relay *r, const struct store_relay_ev *ev, int want_ack)
{
	const char *subj;

	if (subject_of(r, ev, &subj) < 0) {
		set_state(r, RS_ERROR, "event %lld: subject too long",
			  (long long)ev->seq);
		return -1;
	}
	if (publish(r, subj, ev->json, ev->json_len, ev->seq, want_ack) < 0)
		return -1;
	r->next = ev->seq + 1;
	return 0;
}

/* Publish the page read: each event without an ack but one in
 * ACK_EVERY, the last of the page, and the last before a gap (the gap's
 * announcement is acknowledged too). 0 or -1. */
static int
pump_page(struct relay *r)
{
	const struct store_relay_page *pg = &r->page;
	size_t i;

	for (i = 0; i < pg->n; i++) {
		const struct store_relay_ev *ev = &pg->ev[i];
		int last = i + 1 == pg->n || pg->ev[i + 1].seq != ev->seq + 1;

		if (ev->seq > r->next &&
		    publish_gap(r, r->next, ev->seq - 1) < 0)
			return -1;
		if (publish_event(r, ev, last || ev->seq % ACK_EVERY == 0) < 0)
			return -1;
	}
	return 0;
}

/* Publish the next page: the number of events read (PAGE: there may be
 * more), or -1 to resync. */
static int
pump(struct relay *r)
{
	int64_t head = 0, first = r->next;
	uint64_t t0 = uv_hrtime();
	double cpu0 = thread_cpu_ms();
	size_t n;
	int e;

	e = store_relay_page(r->store, r->next - 1, PAGE, &r->page);
	if (e < 0) {
		set_state(r, RS_ERROR, "store: %s", store_errmsg(r->store));
		return -1;
	}
	n = r->page.n;
	e = pump_page(r);
	bury(r);
	if (e < 0)
		return -1;
	if (n == 0 && store_head(r->store, &head) == 0) {
		/* Expired events with nothing after them yet: the log's
		 * head is past them, the stream keeps its place. */
		uv_mutex_lock(&r->w.mu);
		r->head = head;
		uv_mutex_unlock(&r->w.mu);
	}
	uv_mutex_lock(&r->w.mu);
	if (r->next - 1 > r->head)
		r->head = r->next - 1;
	if (n > 0 && !r->burst_t0) {
		r->burst_t0 = t0;
		r->burst_cpu0 = cpu0;
		r->burst_from = first;
		r->burst_to = 0;
	}
	if (n == PAGE)
		r->burst_to = 0; /* more to read */
	else if (r->burst_t0 && (n > 0 || !r->burst_to)) {
		/* read up to the head: the burst ends with the ack of its
		 * last event (perhaps in already) */
		r->burst_to = r->next - 1;
		r->burst_pub_ms = (double)(uv_hrtime() - r->burst_t0) / 1e6;
		r->burst_cpu_ms = thread_cpu_ms() - r->burst_cpu0;
		if (r->acked >= r->burst_to)
			burst_done(r);
	}
	uv_mutex_unlock(&r->w.mu);
	return (int)n;
}

/* ---- the thread --------------------------------------------------------- */

/* Wait (up to 2 s) until the client has run on_closed for every
 * connection made: it runs it on its own thread after the close, and r
 * (its mutex included) is gone once relay_stop returns. */
static void
wait_closed_cbs(struct relay *r)
{
	uint64_t until = uv_hrtime() + 2000000000u;

	uv_mutex_lock(&r->w.mu);
	while (r->closed_cbs < r->conns) {
		uint64_t now = uv_hrtime();

		if (now >= until) {
			log_warn("relay: the NATS client did not report its connection closed within 2 s");
			break;
		}
		uv_cond_timedwait(&r->w.cv, &r->w.mu, until - now);
	}
	uv_mutex_unlock(&r->w.mu);
}

static void
relay_main(void *arg)
{
	struct relay *r = arg;
	char *err = NULL;
	int n;

	/* its id, for bench/relay.py's CPU time per thread */
	log_debug("relay: thread %ld", (long)syscall(SYS_gettid));
	for (;;) {
		if (!r->store) {
			if (store_open(r->db_path, STORE_READONLY, &r->store,
				       &err) < 0) {
				set_state(r, RS_ERROR, "store: %s",
					  err ? err : "cannot open");
				free(err);
				err = NULL;
				r->store = NULL;
				if (relay_wait(r, RETRY_MS, 0))
					break;
				continue;
			}
			store_relay_tune(r->store);
		}
		if (!r->nc || natsConnection_IsClosed(r->nc)) {
			disconnect(r);
			uv_mutex_lock(&r->w.mu);
			if (r->state != RS_ERROR && r->state != RS_FENCED)
				r->state = RS_CONNECTING;
			uv_mutex_unlock(&r->w.mu);
			take_resync(r);
			if (connect_nats(r) < 0) {
				if (relay_wait(r, RETRY_MS, 0))
					break;
				continue;
			}
		}
		if (take_resync(r)) {
			settle(r, r->ack_wait_ms);
			take_resync(r);
			r->need_sync = 1;
			if (natsConnection_IsClosed(r->nc))
				continue;
		}
		if (r->need_sync) {
			n = sync_stream(r);
			if (n != 0) {
				if (relay_wait(r, n > 0 ? FENCED_MS : RETRY_MS,
					       0))
					break;
				continue;
			}
			r->need_sync = 0;
			log_info("relay: stream %s holds our events up to seq %lld; relaying from there",
				 r->stream, (long long)(r->next - 1));
		}
		n = pump(r);
		if (n < 0) {
			r->need_sync = 1;
			settle(r, r->ack_wait_ms);
			take_resync(r);
			if (relay_wait(r, RETRY_MS, 0))
				break;
			continue;
		}
		if (n < PAGE && relay_wait(r, r->idle_ms, 1))
			break;
		if (n == PAGE) {
			uv_mutex_lock(&r->w.mu);
			n = r->w.quit;
			uv_mutex_unlock(&r->w.mu);
			if (n)
				break;
		}
	}
	/* stopping: what is acknowledged within a second counts, the
	 * rest is sent again at the next start (fenced: never twice) */
	settle(r, r->ack_wait_ms < 1000 ? r->ack_wait_ms : 1000);
	disconnect(r);
	wait_closed_cbs(r);
	store_close(r->store);
	r->store = NULL;
	store_relay_page_free(&r->page);
	free(r->subj_feed);
	r->subj_feed = NULL;
	r->subj_ok = 0;
}

/* ---- the loop thread's side ------------------------------------------- */

/* How long the thread, caught up, waits for a kick before it looks at the
 * store anyway: IDLE_MS, or BW_RELAY_IDLE_MS from the environment. */
static int64_t
idle_ms(void)
{
	const char *v = getenv("BW_RELAY_IDLE_MS");
	char *end;
	long long ms;

	if (!v || !*v)
		return IDLE_MS;
	ms = strtoll(v, &end, 10);
	return *end || ms <= 0 ? IDLE_MS : (int64_t)ms;
}

int
relay_start(const struct relay_conf *rc, const char *db_path,
	    struct relay **out, char **err)
{
	struct relay *r;
	struct store *s = NULL;
	char msg[320];
	int e;

	*out = NULL;
	*err = NULL;
	if (relay_conf_check(rc, msg, sizeof(msg)) < 0) {
		*err = strdup(msg);
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->db_path = strdup(db_path);
	r->stream = strdup(rc->stream);
	r->prefix = strdup(rc->prefix);
	r->create_stream = rc->create_stream;
	r->replicas = (int)rc->replicas;
	r->window = (int)rc->window;
	r->ack_wait_ms = rc->ack_wait_ms;
	r->idle_ms = idle_ms();
	if (!r->db_path || !r->stream || !r->prefix) {
		e = -ENOMEM;
		goto fail;
	}
	/* The origin now, so that a database without one is an error at
	 * start rather than a relay that never runs. */
	e = store_open(db_path, STORE_READONLY, &s, err);
	if (e == 0 && (e = store_origin(s, r->origin, sizeof(r->origin))) < 0)
		*err = strdup(store_errmsg(s));
	store_close(s);
	if (e < 0)
		goto fail;
	if ((e = relay_nats_options(rc, NULL, 0, &r->opts, msg,
				    sizeof(msg))) < 0) {
		*err = strdup(msg);
		goto fail;
	}
	natsOptions_SetName(r->opts, "briefwatchd relay");
	natsOptions_SetClosedCB(r->opts, on_closed, r);
	r->state = RS_STARTING;
	if ((e = worker_start(&r->w, relay_main, r)) != 0) {
		*err = strdup("cannot start the relay's thread");
		e = -ENOMEM;
		goto fail;
	}
	log_info("relay: origin %s, stream %s, subjects %s.>", r->origin,
		 r->stream, r->prefix);
	*out = r;
	return 0;
fail:
	natsOptions_Destroy(r->opts);
	free(r->db_path);
	free(r->stream);
	free(r->prefix);
	free(r);
	return e;
}

void
relay_kick(struct relay *r)
{
	if (!r)
		return;
	uv_mutex_lock(&r->w.mu);
	r->kicked = 1;
	uv_cond_signal(&r->w.cv);
	uv_mutex_unlock(&r->w.mu);
}

int64_t
relay_expire_limit(struct relay *r)
{
	int64_t v;

	if (!r)
		return INT64_MAX;
	uv_mutex_lock(&r->w.mu);
	v = r->synced ? r->acked : 0;
	uv_mutex_unlock(&r->w.mu);
	return v;
}

json_t *
relay_status(struct relay *r, int64_t head)
{
	json_t *o;

	if (!r)
		return json_pack("{ss}", "state", "off");
	uv_mutex_lock(&r->w.mu);
	if (r->head > head)
		head = r->head;
	o = json_pack("{ss ss ss sI sI sI sI sI ss ss}", "state",
		      state_names[r->state], "origin", r->origin, "stream",
		      r->stream, "acked", (json_int_t)r->acked, "lag",
		      (json_int_t)(head - r->acked > 0 ? head - r->acked : 0),
		      "published", (json_int_t)r->published, "gaps",
		      (json_int_t)r->gaps, "synced", (json_int_t)r->synced,
		      "last_error", r->error, "fence", r->fence);
	uv_mutex_unlock(&r->w.mu);
	return o;
}

void
relay_status_line(struct relay *r, int64_t head, char *out, size_t outlen)
{
	if (!r) {
		*out = '\0';
		return;
	}
	uv_mutex_lock(&r->w.mu);
	if (r->head > head)
		head = r->head;
	if (r->state == RS_FENCED)
		snprintf(out, outlen, "relay FENCED (see status)");
	else
		snprintf(out, outlen, "relay %s, lag %lld",
			 state_names[r->state],
			 (long long)(head - r->acked > 0 ? head - r->acked
							 : 0));
	uv_mutex_unlock(&r->w.mu);
}

void
relay_stop(struct relay *r)
{
	if (!r)
		return;
	worker_stop(&r->w);
	natsOptions_Destroy(r->opts);
	/* No nats_Close: the library stays open for the next relay (a
	 * reload) and ends with the process. Closing it after it had read
	 * TLS files, in a process where libcurl set OpenSSL up too, made
	 * the exit handlers free OpenSSL's compression methods twice (a
	 * crash at exit under ASan, an invalid read under valgrind). */
	free(r->db_path);
	free(r->stream);
	free(r->prefix);
	free(r);
}
