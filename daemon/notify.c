/* notify — the subscriber socket (docs/protocol.md).
 *
 * One uv_pipe server; per client a uv_pipe_t and a uv_timer_t (idle
 * timeout before subscribe, then the drain deadline when closing with a
 * final line). Events come from the store's event log, never from memory:
 * replay reads pages after the client's cursor; live delivery reads once
 * from the server's own cursor at each notify_publish and fans out.
 *
 * Output: lines collect in c->out and are handed to libuv in batches
 * (at the end of a publish, a replay page or a request, or when the batch
 * grows past a chunk). A new uv_write is only issued while libuv's queue
 * for the client is empty, i.e. the kernel took everything before; so at
 * most one write is ever partly unwritten ("stuck"). queued = libuv's
 * unwritten bytes + out.len is bounded by max_queue; past it the client
 * gets an overflow line carrying the cursor of what it was actually
 * handed, and is closed.
 *
 * Cursors per client: last_seq is the last event considered (sent or
 * filtered out); fly_cursor the last_seq when the stuck write was
 * submitted; done_cursor the same for everything the kernel has taken.
 */
#include "notify.h"

#include <errno.h>
#include <grp.h>
#include <linux/sockios.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "briefing.h"
#include "buf.h"
#include "evfilter.h"
#include "log.h"
#include "proto.h"
#include "store.h"
#include "store_standing.h"
#include "tokenizer.h"
#include "worker.h"

/* Distinct standing queries the daemon holds at once; a subscription with
 * one more is refused as too costly (each costs one evaluation per page
 * of new events). */
#define NOTIFY_MAX_QUERIES 64

enum client_state {
	CL_IDLE = 0, /* connected, not subscribed */
	CL_REPLAY,   /* subscribed, reading the log after its cursor */
	CL_LIVE,     /* subscribed, fed by notify_publish */
	CL_DRAIN,    /* sending a final line, then closed */
};

/* Clients beyond max_clients that may still connect when privileged. */
#define NOTIFY_ADMIN_RESERVE 8

struct client;
static int client_privileged(const struct client *c);

struct client {
	struct notify *n;
	struct client *prev, *next;
	uv_pipe_t pipe;
	uv_timer_t timer;
	int nopen;            /* handles not yet through their close cb */
	int closing;
	int counted;          /* counts towards max_clients */
	int eof;              /* the peer shut down its writing side */
	enum client_state state;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	struct buf in;        /* a partial request line */
	int discarding;       /* dropping the rest of an over-long line */
	struct buf out;       /* pending output, not yet handed to libuv */
	/* Input read while the client's events wait for the matcher, kept
	 * (and reading stopped) so that a reply never overtakes events
	 * that were due before its request: see client_waiting. */
	struct buf held;
	int held_eof;
	int paused;           /* not subscribed and its replies are over
			       * max_queue: its requests wait (see
			       * client_queue) */
	int stopped;          /* reading is stopped (held or paused) */
	struct wreq *stuck;   /* the write libuv could not finish at once */
	int cut;              /* what the kernel has ends mid-line (the
			       * rest is at the head of the stuck write) */
	int want_replay;
	int64_t last_seq, fly_cursor, done_cursor;
	struct proto_req sub; /* the subscribe request: its filters */
	/* A fan-out's direct write (see fan_write): its socket, the first
	 * new event of the page, and what send(2) returned (-errno). */
	int fan_direct;
	int fan_fd;
	size_t fan_first;
	ssize_t fan_r;
};

/* One page of new events as the fan-out hands it to every client: each
 * event's type and feed (for the filters), and the lines back to back,
 * newline-terminated, in one buffer, so that a client that takes every
 * event gets them in one write of shared bytes instead of a copy of its
 * own; the line-by-line path reads the same bytes. */
struct fanev {
	struct store_event ev;  /* type, feed: the copies below; json: its
				 * line in fanpage.lines, once the page is
				 * read (fanpage_seal) */
	char *type, *feed;
	size_t off, len;        /* the line in fanpage.lines, without '\n' */
	json_t *parsed;         /* for the filters, made once */
};

struct fanpage {
	struct fanev *v;
	size_t n, cap;
	struct buf lines;
	int oom;
	/* The standing queries evaluated for this page (matcher below):
	 * hit[k * n + i] says whether event i's briefing matches q[k];
	 * qrc[k] < 0 when evaluating q[k] failed. */
	char **q;
	int *qrc;
	size_t nq, qcap;
	unsigned char *hit;
	int64_t *ids;
};

struct wreq {
	uv_write_t req;
	struct client *c;
	char *data;
	size_t len;
};

/* Bytes libuv holds for c that the kernel has not taken yet. */
static size_t
unwritten(const struct client *c)
{
	return uv_stream_get_write_queue_size((const uv_stream_t *)&c->pipe);
}

struct notify {
	uv_loop_t *loop;
	struct store *store;
	struct notify_opts o;
	struct notify_ops ops;
	char *path;           /* owned copy of o.path, or NULL */
	int bound;            /* we created the path: unlink it at close */
	int rebinding;        /* server closing, to listen again on rebind_fd */
	int rebind_fd;
	dev_t dev;
	ino_t ino;
	uv_pipe_t server;
	uv_timer_t heartbeat;
	uv_idle_t pump;       /* runs replay steps between I/O */
	int nopen;
	struct client *clients;
	size_t nclients;
	int64_t cursor;       /* every event <= cursor has been fanned out */
	int publishing;       /* notify_publish on the stack */
	int64_t publish_again;
	uid_t self_uid;
	/* The fan-out's direct writes, and the helper thread that makes the
	 * first part of them while the loop thread makes the rest. */
	struct client **fv;
	size_t fn, fcap, fsplit;
	const struct fanpage *fpg; /* the page they write from */
	struct worker fan;    /* the helper; its mu guards fjob */
	int fjob;             /* fv[0..fsplit) posted to the helper */
	/* Standing queries are evaluated a page at a time, each distinct
	 * query once, on the matcher thread with a read-only connection of
	 * its own (store_standing.h), so the loop keeps serving while they
	 * run. One job at a time: mpg is the page being matched, for the
	 * fan-out (pg, mclient NULL) or for one replaying client (rpg).
	 * A replay without a standing query reads into ppg, never into
	 * rpg, which may be out to the matcher for another client. */
	struct fanpage pg, rpg, ppg;
	struct store *twin;   /* the matcher's connection */
	struct worker match;  /* its mu guards mjob */
	uv_async_t match_done;
	int mjob;             /* under match.mu: 1 posted, 2 done */
	int mbusy;            /* loop side: a job is out */
	int mfailed;          /* no matcher: evaluate on the loop thread */
	int masync;           /* match_done is initialized */
	struct fanpage *mpg;
	size_t mfirst;        /* mpg->q[mfirst..nq) are to be evaluated */
	struct client *mclient;
	size_t fdirect, flinewise; /* for the debug line of a publish */
	int closing;
	void (*done)(void *arg);
	void *done_arg;
	char rbuf[65536];     /* read buffer, used synchronously per read */
};

static void client_close(struct client *c);
static void client_flush(struct client *c);
static void fanpage_free(struct fanpage *pg);
static void client_release(struct client *c);
static void pump_start(struct notify *n);

void
notify_opts_default(struct notify_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen_fd = -1;
	o->mode = 0660;
	o->group = (gid_t)-1;
	o->admin_gid = (gid_t)-1;
	o->max_clients = 256;
	o->max_line = 64 * 1024;
	o->max_queue = 4 * 1024 * 1024;
	o->idle_timeout_ms = 60 * 1000;
	o->heartbeat_ms = 30 * 1000;
	o->replay_page = 256;
	o->drain_timeout_ms = 5000;
}

size_t
notify_clients(const struct notify *n)
{
	return n->nclients;
}

size_t
notify_subscribers(const struct notify *n)
{
	const struct client *c;
	size_t k = 0;

	for (c = n->clients; c; c = c->next)
		k += !c->closing && (c->state == CL_REPLAY ||
				     c->state == CL_LIVE);
	return k;
}

static size_t
queued(const struct client *c)
{
	return unwritten(c) + c->out.len;
}

/* ---- closing ------------------------------------------------------------ */

static void
maybe_done(struct notify *n)
{
	void (*done)(void *);
	void *arg;

	if (!n->closing || n->nopen > 0 || n->clients)
		return;
	done = n->done;
	arg = n->done_arg;
	worker_stop(&n->fan);
	store_close(n->twin);
	fanpage_free(&n->pg);
	fanpage_free(&n->rpg);
	fanpage_free(&n->ppg);
	free(n->fv);
	free(n->path);
	free(n);
	if (done)
		done(arg);
}

static void
on_client_closed(uv_handle_t *h)
{
	struct client *c = h->data;
	struct notify *n = c->n;

	if (--c->nopen > 0)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		n->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->held);
	proto_req_clear(&c->sub);
	free(c);
	maybe_done(n);
}

/* Every line a client receives is whole (docs/protocol.md), even when
 * we close on it while the kernel holds half a line and the rest waits in
 * the stuck write: a client that never reads, closed at the drain
 * deadline, would read that half and then EOF. So hand the kernel the
 * rest of that line (and no more; libuv drops the rest of the write with
 * the handle). The peer is not reading, so the send buffer is full: grow
 * it for these bytes (the kernel takes a buffer while what it holds is
 * below SO_SNDBUF, and sets twice the value asked). */
static void
client_end_line(struct client *c)
{
	struct wreq *w = c->stuck;
	size_t at, rest;
	const char *nl;
	int fd, outq, size;
	ssize_t r = 0;

	if (!w || uv_fileno((uv_handle_t *)&c->pipe, &fd) != 0)
		return;
	at = w->len - unwritten(c);
	if (at > 0 ? w->data[at - 1] == '\n' : !c->cut)
		return;
	nl = memchr(w->data + at, '\n', w->len - at);
	rest = nl ? (size_t)(nl - w->data) + 1 - at : w->len - at;
	if (ioctl(fd, SIOCOUTQ, &outq) == 0 && rest < (1u << 28)) {
		size = (int)(((size_t)outq + 2 * rest + 65536) / 2);
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
			       sizeof(size)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size,
				   sizeof(size));
	}
	while (rest > 0) {
		r = send(fd, w->data + at, rest, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		at += (size_t)r;
		rest -= (size_t)r;
	}
	/* (A peer that has gone, EPIPE, does not mind.) */
	if (rest > 0 && r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		log_warn("notify: client pid %ld: closing with %zu bytes of "
			 "a line unsent, the send buffer cannot grow for them",
			 (long)c->pid, rest);
}

/* Close now, dropping any output not yet written (but the rest of a line
 * the client has half of). */
static void
client_close(struct client *c)
{
	if (c->closing)
		return;
	client_end_line(c);
	c->closing = 1;
	if (c->n->mclient == c)
		c->n->mclient = NULL;
	if (c->counted) {
		c->counted = 0;
		c->n->nclients--;
	}
	uv_close((uv_handle_t *)&c->pipe, on_client_closed);
	uv_close((uv_handle_t *)&c->timer, on_client_closed);
}

/* Closing a Unix socket with unread input makes the peer's next read fail
 * with ECONNRESET, possibly before it has read our last line; so after a
 * final line, swallow what the peer sent (bounded) before closing. */
static void
client_close_gently(struct client *c)
{
	int fd, i;

	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) == 0)
		for (i = 0; i < 16; i++)
			if (recv(fd, c->n->rbuf, sizeof(c->n->rbuf),
				 MSG_DONTWAIT) <= 0)
				break;
	client_close(c);
}

static void
on_drain_deadline(uv_timer_t *t)
{
	client_close(t->data);
}

/* Send line as the last thing this client gets, then close: after the
 * write completes, or at the drain deadline if the client never reads.
 * Pending output not yet handed to libuv is dropped. */
static void
client_finish(struct client *c, const char *line)
{
	size_t len = line ? strlen(line) : 0;

	if (c->closing || c->state == CL_DRAIN)
		return;
	/* Input is still read (and ignored): closing a socket with unread
	 * input would make the peer's read fail with ECONNRESET instead of
	 * giving it our last line and EOF. */
	c->state = CL_DRAIN;
	buf_reset(&c->out);
	uv_timer_stop(&c->timer);
	uv_timer_start(&c->timer, on_drain_deadline, c->n->o.drain_timeout_ms,
		       0);
	if (len == 0 || buf_append(&c->out, line, len) < 0) {
		if (!c->stuck)
			client_close(c);
		return;
	}
	client_flush(c);
}

/* ---- output --------------------------------------------------------------- */

static void
on_write(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct client *c = w->c;
	struct notify *n = c->n;

	if (c->stuck == w) {
		c->stuck = NULL;
		c->cut = 0; /* written whole, or the client is closing */
		if (status == 0)
			c->done_cursor = c->fly_cursor;
	}
	free(w->data);
	free(w);
	if (c->closing)
		return;
	if (status < 0) {
		log_debug("notify: client pid %ld: write: %s", (long)c->pid,
			  uv_strerror(status));
		client_close(c);
		return;
	}
	if (c->state == CL_DRAIN && c->out.len == 0 && !c->stuck) {
		client_close_gently(c);
		return;
	}
	client_flush(c);
	if (c->state == CL_REPLAY && c->want_replay &&
	    queued(c) < n->o.max_queue / 4)
		pump_start(n);
	if (c->paused && queued(c) <= n->o.max_queue / 2) {
		c->paused = 0;
		client_release(c);
	}
}

/* Hand c->out to libuv unless the kernel is still behind. */
static void
client_flush(struct client *c)
{
	struct wreq *w;
	uv_buf_t b;
	size_t len = c->out.len;
	int r;

	if (c->closing || c->stuck || len == 0)
		return;
	/* Usually the kernel takes it all at once: no request, no copy,
	 * and the buffer keeps its allocation for the next batch. */
	b = uv_buf_init(c->out.data, (unsigned)len);
	r = uv_try_write((uv_stream_t *)&c->pipe, &b, 1);
	if (r == (int)len) {
		buf_reset(&c->out);
		c->cut = 0;
		c->done_cursor = c->last_seq;
		if (c->state == CL_DRAIN)
			client_close_gently(c);
		return;
	}
	if (r < 0 && r != UV_EAGAIN) {
		client_close(c);
		return;
	}
	if (r > 0) {
		c->cut = c->out.data[r - 1] != '\n';
		buf_consume(&c->out, (size_t)r);
	}
	len = c->out.len;
	w = malloc(sizeof(*w));
	if (!w) {
		client_close(c);
		return;
	}
	w->c = c;
	w->data = buf_detach(&c->out);
	if (!w->data) {
		free(w);
		client_close(c);
		return;
	}
	w->len = len;
	b = uv_buf_init(w->data, (unsigned)len);
	r = uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1, on_write);
	if (r < 0) {
		free(w->data);
		free(w);
		client_close(c);
		return;
	}
	if (unwritten(c) > 0) {
		c->stuck = w;
		c->fly_cursor = c->last_seq;
	} else {
		c->cut = 0;
		c->done_cursor = c->last_seq;
	}
}

/* Flush when the batch is big enough to be worth a write by itself. */
static void
client_maybe_flush(struct client *c)
{
	size_t chunk = c->n->o.max_queue / 4;

	if (chunk > 65536)
		chunk = 65536;
	if (c->out.len >= chunk)
		client_flush(c);
}

static void
client_overflow(struct client *c)
{
	int64_t resume = c->stuck ? c->fly_cursor : c->done_cursor;
	char line[96];

	log_limited("notify:overflow", 10, LOG_LVL_WARN,
		    "notify: client uid %lu pid %ld: output queue over %zu "
		    "bytes, disconnecting (resume %lld)", (unsigned long)c->uid,
		    (long)c->pid, c->n->o.max_queue, (long long)resume);
	snprintf(line, sizeof(line), "{\"type\":\"overflow\",\"resume\":%lld}\n",
		 (long long)resume);
	client_finish(c, line);
}

/* Queue len bytes (whole lines). A line is always accepted into an empty
 * queue, so one event bigger than max_queue still goes through.
 * 0, or -EPIPE when the client is going away (nothing queued). */
static int
client_queue(struct client *c, const char *data, size_t len)
{
	if (c->closing || c->state == CL_DRAIN)
		return -EPIPE;
	if (queued(c) > 0 && queued(c) + len > c->n->o.max_queue) {
		if (c->state != CL_IDLE) {
			client_overflow(c);
			return -EPIPE;
		}
		/* A request/reply client is never cut off with overflow (it
		 * has no cursor to resume from): its reply is queued and its
		 * further requests wait until it has read enough
		 * (on_write). Output stays bounded by one reply. */
		if (!c->paused) {
			c->paused = 1;
			c->stopped = 1;
			uv_read_stop((uv_stream_t *)&c->pipe);
		}
	}
	if (buf_append(&c->out, data, len) < 0) {
		log_warn("notify: client pid %ld: out of memory, closing",
			 (long)c->pid);
		client_close(c);
		return -EPIPE;
	}
	client_flush(c);
	return 0;
}

static int
client_queue_json(struct client *c, const json_t *obj)
{
	struct buf b = BUF_INIT;
	int r;

	if (proto_append_line(&b, obj) < 0) {
		client_close(c);
		return -EPIPE;
	}
	r = client_queue(c, b.data, b.len);
	buf_free(&b);
	return r;
}

static void
send_error(struct client *c, const char *code, const char *msg,
	   const json_t *id)
{
	char *line = proto_error_line(code, msg, id);

	if (!line)
		line = proto_error_line(code, "(unprintable message)", id);
	if (!line) {
		client_close(c);
		return;
	}
	client_queue(c, line, strlen(line));
	free(line);
}

/* Reply {"type":type, ...fields of body..., "id":id}. Takes body. */
static void
send_reply(struct client *c, const char *type, json_t *body,
	   const json_t *id)
{
	json_t *o = json_pack("{s:s}", "type", type);

	if (!o || (body && json_object_update(o, body) < 0) ||
	    json_object_set_new(o, "type", json_string(type)) < 0 ||
	    (id && json_object_set(o, "id", (json_t *)id) < 0)) {
		send_error(c, "internal", "out of memory", id);
		goto out;
	}
	client_queue_json(c, o);
out:
	json_decref(o);
	json_decref(body);
}

/* ---- events and filters ----------------------------------------------------- */

/* The index of query in pg->q, or pg->nq. */
static size_t
page_query(const struct fanpage *pg, const char *query)
{
	size_t k;

	for (k = 0; k < pg->nq; k++)
		if (strcmp(pg->q[k], query) == 0)
			break;
	return k;
}

/* Does event i of pg pass c's filters? The rules are evfilter.c's, shared
 * with the outputs. Its standing query was evaluated for the whole page
 * beforehand (match_post); the parsed JSON is cached in the page for the
 * other clients. */
static int
event_matches(struct client *c, struct fanpage *pg, size_t i)
{
	const struct proto_req *f = &c->sub;
	const struct store_event *ev = &pg->v[i].ev;
	struct evfilter ef = {
		.feeds = f->feeds, .nfeeds = f->nfeeds,
		.speakers = f->speakers, .nspeakers = f->nspeakers,
		.kinds = f->kinds, .nkinds = f->nkinds,
		.langs = f->langs, .nlangs = f->nlangs, .query = f->query};
	int qrc, r, *have = NULL;
	size_t k;

	/* A query not evaluated for this page (match_post makes sure it
	 * is) is left to evfilter, which asks the store on this thread. */
	if (f->query && (k = page_query(pg, f->query)) < pg->nq) {
		qrc = pg->qrc[k] < 0 ? pg->qrc[k] : pg->hit[k * pg->n + i];
		have = &qrc;
	}
	r = evfilter_match(&ef, c->n->store, ev, pg->v[i].len,
			   &pg->v[i].parsed, have, "notify:query");
	if (r < 0 && have)
		/* The matcher's batch failed: ask once more, here. */
		r = evfilter_match(&ef, c->n->store, ev, pg->v[i].len,
				   &pg->v[i].parsed, NULL, "notify:query");
	return r;
}

/* c's standing query could not be evaluated for an event, even asked
 * again: skipping the event would lose it without a word, so c is let go
 * as on overflow, with the cursor to subscribe again from. */
static void
client_query_failed(struct client *c, int64_t seq)
{
	int64_t resume = c->stuck ? c->fly_cursor : c->done_cursor;
	char line[224];

	log_limited("notify:queryfail", 10, LOG_LVL_WARN,
		    "notify: client uid %lu pid %ld: standing query could not "
		    "be evaluated for seq %lld, disconnecting (resume %lld)",
		    (unsigned long)c->uid, (long)c->pid, (long long)seq,
		    (long long)resume);
	snprintf(line, sizeof(line),
		 "{\"type\":\"error\",\"code\":\"query_failed\","
		 "\"message\":\"the standing query could not be evaluated "
		 "for seq %lld; subscribe again from resume\","
		 "\"resume\":%lld}\n", (long long)seq, (long long)resume);
	client_finish(c, line);
}

/* Offer event i of pg to c: advance its cursor, queue the line if it
 * matches. 0, or -EPIPE when c went away (overflow). */
static int
client_event(struct client *c, struct fanpage *pg, size_t i)
{
	const struct store_event *ev = &pg->v[i].ev;
	size_t len = pg->v[i].len;
	int m = event_matches(c, pg, i);

	if (m < 0) {
		client_query_failed(c, ev->seq);
		return -EPIPE;
	}
	if (!m) {
		c->last_seq = ev->seq;
		/* A filtered event rides along with the latest output. */
		if (c->out.len == 0) {
			if (c->stuck)
				c->fly_cursor = ev->seq;
			else
				c->done_cursor = ev->seq;
		}
		return 0;
	}
	if (queued(c) > 0 && queued(c) + len + 1 > c->n->o.max_queue) {
		client_overflow(c);
		return -EPIPE;
	}
	c->last_seq = ev->seq;
	if (buf_append(&c->out, ev->json, len) < 0 ||
	    buf_putc(&c->out, '\n') < 0) {
		client_close(c);
		return -EPIPE;
	}
	client_maybe_flush(c);
	return 0;
}

static int
fanout_cb(void *arg, const struct store_event *ev)
{
	struct fanpage *pg = arg;
	struct fanev *e;

	if (pg->n == pg->cap) {
		size_t cap = pg->cap ? 2 * pg->cap : 16;
		struct fanev *v = realloc(pg->v, cap * sizeof(*v));

		if (!v)
			goto oom;
		pg->v = v;
		pg->cap = cap;
	}
	e = &pg->v[pg->n];
	memset(e, 0, sizeof(*e));
	e->ev = *ev;
	e->ev.json = NULL;
	e->off = pg->lines.len;
	e->len = strlen(ev->json);
	if (!(e->type = strdup(ev->type ? ev->type : "")) ||
	    (ev->feed && !(e->feed = strdup(ev->feed))) ||
	    buf_append(&pg->lines, ev->json, e->len) < 0 ||
	    buf_putc(&pg->lines, '\n') < 0) {
		free(e->type);
		free(e->feed);
		goto oom;
	}
	e->ev.type = e->type;
	e->ev.feed = e->feed;
	pg->n++;
	return 0;
oom:
	pg->oom = 1;
	return 1;
}

/* The page is read: its lines stay where they are now. */
static void
fanpage_seal(struct fanpage *pg)
{
	size_t i;

	for (i = 0; i < pg->n; i++)
		pg->v[i].ev.json = pg->lines.data + pg->v[i].off;
}

static void
fanpage_reset(struct fanpage *pg)
{
	size_t i;

	for (i = 0; i < pg->n; i++) {
		free(pg->v[i].type);
		free(pg->v[i].feed);
		json_decref(pg->v[i].parsed);
	}
	for (i = 0; i < pg->nq; i++)
		free(pg->q[i]);
	pg->n = 0;
	pg->nq = 0;
	pg->oom = 0;
	buf_reset(&pg->lines);
}

static void
fanpage_free(struct fanpage *pg)
{
	fanpage_reset(pg);
	free(pg->v);
	free(pg->q);
	free(pg->qrc);
	free(pg->hit);
	free(pg->ids);
	buf_free(&pg->lines);
	memset(pg, 0, sizeof(*pg));
}

/* Read the events after since into pg (reset first). */
static int
fanpage_read(struct notify *n, struct fanpage *pg, int64_t since)
{
	int r;

	fanpage_reset(pg);
	r = store_events_after(n->store, since, n->o.replay_page, fanout_cb,
			       pg);
	if (pg->oom)
		return -ENOMEM;
	if (r >= 0)
		fanpage_seal(pg);
	return r < 0 ? r : 0;
}

/* The first event of pg after c's cursor (pg->n: none). */
static size_t
first_new(const struct client *c, const struct fanpage *pg)
{
	size_t i = 0;

	while (i < pg->n && pg->v[i].ev.seq <= c->last_seq)
		i++;
	return i;
}

/* ---- the matcher: standing queries, a page at a time ------------------------- */

/* Are some of c's events waiting for the matcher (the fan-out page it is
 * matching, or c's own replay page)? Its requests wait too, so that a
 * `pong` still means "every event due before the ping has been sent". */
static int
client_waiting(const struct client *c)
{
	const struct notify *n = c->n;

	if (!n->mbusy || !c->sub.query)
		return 0;
	if (c->state == CL_REPLAY)
		return c->want_replay || n->mclient == c;
	return c->state == CL_LIVE && n->mpg == &n->pg &&
	       first_new(c, &n->pg) < n->pg.n;
}

/* Evaluate pg->q[from..nq) for the page's briefings with store s. */
static void
match_run(struct store *s, struct fanpage *pg, size_t from)
{
	size_t k;

	for (k = from; k < pg->nq; k++)
		pg->qrc[k] = store_match_batch(s, pg->q[k], pg->ids, pg->n,
					       pg->hit + k * pg->n);
}

static void
match_main(void *arg)
{
	struct notify *n = arg;

	uv_mutex_lock(&n->match.mu);
	for (;;) {
		while (n->mjob != 1 && !n->match.quit)
			uv_cond_wait(&n->match.cv, &n->match.mu);
		if (n->match.quit)
			break;
		uv_mutex_unlock(&n->match.mu);
		match_run(n->twin, n->mpg, n->mfirst);
		uv_mutex_lock(&n->match.mu);
		n->mjob = 2;
		/* notify_close stops this thread before it closes the
		 * handle, so the handle is open here. */
		uv_async_send(&n->match_done);
	}
	uv_mutex_unlock(&n->match.mu);
}

/* Add query to pg->q unless it is there. 0, -ENOMEM. */
static int
page_add_query(struct fanpage *pg, const char *query)
{
	if (page_query(pg, query) < pg->nq)
		return 0;
	if (pg->nq == pg->qcap) {
		size_t cap = pg->qcap ? 2 * pg->qcap : 8;
		char **q = realloc(pg->q, cap * sizeof(*q));
		int *rc;

		if (!q)
			return -ENOMEM;
		pg->q = q;
		rc = realloc(pg->qrc, cap * sizeof(*rc));
		if (!rc)
			return -ENOMEM;
		pg->qrc = rc;
		pg->qcap = cap;
	}
	if (!(pg->q[pg->nq] = strdup(query)))
		return -ENOMEM;
	pg->qrc[pg->nq++] = 0;
	return 0;
}

static void publish_pages(struct notify *n);
static void replay_apply(struct client *c, struct fanpage *pg);
static void on_match_done(uv_async_t *h);

/* The matcher's thread and connection, started on first use. 0, or -1
 * when they cannot be had (logged once; matching then runs on the loop
 * thread, as slowly as before but correct). */
static int
match_ready(struct notify *n)
{
	char *err = NULL;
	int r;

	if (n->match.started)
		return 0;
	if (n->mfailed)
		return -1;
	r = store_open_twin(n->store, &n->twin, &err);
	if (r == 0 && (r = uv_async_init(n->loop, &n->match_done,
					 on_match_done)) == 0) {
		n->match_done.data = n;
		n->nopen++;
		n->masync = 1;
		r = worker_start(&n->match, match_main, n);
	}
	if (r < 0) {
		log_warn("notify: standing queries on the loop thread: %s",
			 err ? err : uv_strerror(r));
		free(err);
		store_close(n->twin);
		n->twin = NULL;
		n->mfailed = 1;
		return -1;
	}
	return 0;
}

/* Make sure pg has every standing query it needs evaluated: those of the
 * live clients it still has events for (c NULL), or c's (a replay page).
 * 1 when a job went to the matcher (match_finish carries on), 0 when
 * everything is ready now. */
static int
match_post(struct notify *n, struct fanpage *pg, struct client *c)
{
	size_t old = pg->nq, i;
	struct client *x;
	unsigned char *hit;
	int64_t *ids;

	if (pg->n == 0)
		return 0;
	if (c) {
		if (page_add_query(pg, c->sub.query) < 0)
			goto oom;
	} else {
		for (x = n->clients; x; x = x->next)
			if (!x->closing && x->state == CL_LIVE &&
			    x->sub.query && first_new(x, pg) < pg->n &&
			    page_add_query(pg, x->sub.query) < 0)
				goto oom;
	}
	if (pg->nq == old)
		return 0;
	if (n->mbusy) {
		/* The matcher works on another page: come back when it is
		 * done (on_match_done publishes and restarts the pump). */
		while (pg->nq > old)
			free(pg->q[--pg->nq]);
		return 1;
	}
	hit = realloc(pg->hit, pg->nq * pg->n);
	if (!hit)
		goto oom;
	pg->hit = hit;
	ids = realloc(pg->ids, pg->n * sizeof(*ids));
	if (!ids)
		goto oom;
	pg->ids = ids;
	for (i = 0; i < pg->n; i++)
		pg->ids[i] = pg->v[i].ev.briefing_id;
	if (match_ready(n) < 0) {
		match_run(n->store, pg, old);
		return 0;
	}
	n->mpg = pg;
	n->mfirst = old;
	n->mclient = c;
	n->mbusy = 1;
	uv_mutex_lock(&n->match.mu);
	n->mjob = 1;
	uv_cond_broadcast(&n->match.cv);
	uv_mutex_unlock(&n->match.mu);
	return 1;
oom:
	/* The queries left out are asked per event (event_matches). */
	log_limited("notify:oom", 5, LOG_LVL_ERR,
		    "notify: standing queries: out of memory");
	while (pg->nq > old)
		free(pg->q[--pg->nq]);
	return 0;
}


/* The matcher is done with mpg: carry on with what waited for it. */
static void
on_match_done(uv_async_t *h)
{
	struct notify *n = h->data;
	struct client *c = n->mclient;
	struct fanpage *pg = n->mpg;
	struct client *x;
	int done;

	uv_mutex_lock(&n->match.mu);
	done = n->mjob == 2;
	if (done)
		n->mjob = 0;
	uv_mutex_unlock(&n->match.mu);
	if (!done || n->closing)
		return;
	n->mbusy = 0;
	n->mclient = NULL;
	n->mpg = NULL;
	if (pg == &n->rpg) {
		if (c && !c->closing && c->state == CL_REPLAY)
			replay_apply(c, pg);
	} else {
		n->publish_again = 1;
	}
	publish_pages(n);
	pump_start(n);
	for (x = n->clients; x; x = x->next)
		client_release(x);
}

/* ---- replay ------------------------------------------------------------------ */

/* Hand c the events of its replay page pg, then decide: more pages, or
 * live. At the end of the log c goes live: its last_seq is then >= the
 * server's cursor, so the fan-out neither skips nor repeats an event at
 * the seam. */
static void
replay_apply(struct client *c, struct fanpage *pg)
{
	struct notify *n = c->n;
	size_t i;
	int stopped = 0;

	for (i = 0; i < pg->n && !stopped; i++) {
		if (client_event(c, pg, i) < 0)
			return;
		/* Leave room for live lines; the next page comes when the
		 * queue drains (on_write restarts the pump). */
		if (queued(c) >= n->o.max_queue / 2)
			stopped = 1;
	}
	client_flush(c);
	if (c->closing || c->state != CL_REPLAY)
		return;
	/* Live only once c has every event the fan-out has passed: a page
	 * that waited for the matcher was read before the fan-out moved on
	 * (a stale page), and events the fan-out sent meanwhile skipped c,
	 * which was still replaying; another page reads them. (pg->n == 0:
	 * nothing left to read, whatever the cursor says.) */
	if (!stopped && pg->n < n->o.replay_page &&
	    (c->last_seq >= n->cursor || pg->n == 0)) {
		c->state = CL_LIVE;
		c->want_replay = 0;
		/* Events published while we replayed past the server's
		 * cursor are already ours; nothing was skipped below it. */
		return;
	}
	c->want_replay = 1;
}

/* One replay page for c: read, have its standing query evaluated (on the
 * matcher, which then calls replay_apply), apply. */
static void
client_replay_page(struct client *c)
{
	struct notify *n = c->n;
	struct fanpage *pg = c->sub.query ? &n->rpg : &n->ppg;
	int r;

	if (c->sub.query && n->mbusy)
		return; /* on_match_done restarts the pump */
	r = fanpage_read(n, pg, c->last_seq);
	if (r < 0) {
		log_err("notify: replay after %lld: %s",
			(long long)c->last_seq, r == -ENOMEM ? "out of memory"
			: store_errmsg(n->store));
		client_finish(c, "{\"type\":\"error\",\"code\":\"internal\","
				 "\"message\":\"replay failed\"}\n");
		return;
	}
	if (c->sub.query && match_post(n, pg, c) > 0) {
		c->want_replay = 0;
		return;
	}
	replay_apply(c, pg);
}

static void
on_pump(uv_idle_t *h)
{
	struct notify *n = h->data;
	struct client *c;
	int busy = 0;

	for (c = n->clients; c; c = c->next) {
		if (c->closing || c->state != CL_REPLAY || !c->want_replay ||
		    queued(c) >= n->o.max_queue / 4 ||
		    (c->sub.query && n->mbusy))
			continue;
		client_replay_page(c);
		busy = 1;
	}
	if (!busy)
		uv_idle_stop(h);
}

static void
pump_start(struct notify *n)
{
	if (!n->closing)
		uv_idle_start(&n->pump, on_pump);
}

static int
client_unfiltered(const struct client *c)
{
	const struct proto_req *f = &c->sub;

	return !f->nfeeds && !f->nkinds && !f->nspeakers && !f->nlangs &&
	       !f->query;
}


/* Queue pg's events from i on for c, line by line through its filters
 * and the max_queue bound, until one overflows it. */
static void
client_queue_page(struct client *c, struct fanpage *pg, size_t i)
{
	for (; i < pg->n; i++)
		if (client_event(c, pg, i) < 0 || c->closing)
			return;
}

/* c is live and has nothing pending: if it takes every new event of the
 * page, its lines can be written straight from the page, with no copy of
 * its own and no libuv request (none is in flight, so nothing can
 * overtake them). What the direct writes buy: a fan-out to 1,000
 * subscribers went from p50 7.3 ms to 2.5 ms when they came (commit
 * 781791a); bench/RESULTS.md section 5 now has a stream to 1,000
 * subscribers at commit-to-delivery p50 1.46 ms. Held to the queued path
 * by test_notify.c's test_many_subscribers_each_get_their_events_in_order
 * (cut lines, filtered subscribers, every byte in order). */
static int
direct_ok(const struct client *c)
{
	return !c->closing && c->state == CL_LIVE &&
	       c->out.len == 0 && !c->stuck && unwritten(c) == 0;
}

/* Does c take every event of pg from i on? Unfiltered clients do; so
 * does one whose only filter is a standing query that matched each of
 * them (a broad query: as cheap to serve as no filter). */
static int
takes_all(const struct client *c, const struct fanpage *pg, size_t i)
{
	const struct proto_req *f = &c->sub;
	size_t k;

	if (client_unfiltered(c))
		return 1;
	if (f->nfeeds || f->nkinds || f->nspeakers || f->nlangs || !f->query)
		return 0;
	k = page_query(pg, f->query);
	if (k == pg->nq || pg->qrc[k] < 0)
		return 0;
	for (; i < pg->n; i++)
		if (!pg->hit[k * pg->n + i])
			return 0;
	return 1;
}

/* What became of c's direct write of pg's events from i on: r bytes
 * taken by the kernel, or -errno. Lines wholly taken advance the cursor;
 * the one the kernel cut goes on from c's queue whatever its size (a
 * line is always accepted into an empty queue); the rest are queued
 * line by line, with the usual bound. */
static void
client_took(struct client *c, struct fanpage *pg, size_t i, ssize_t r)
{
	size_t j, done, start = pg->v[i].off;

	if (r < 0 && r != -EAGAIN && r != -EWOULDBLOCK) {
		log_debug("notify: client pid %ld: write: %s", (long)c->pid,
			  strerror((int)-r));
		client_close(c);
		return;
	}
	done = r > 0 ? (size_t)r : 0;
	for (j = i; j < pg->n; j++) {
		size_t end = j + 1 < pg->n ? pg->v[j + 1].off : pg->lines.len;

		if (end - start > done)
			break;
		c->last_seq = c->done_cursor = pg->v[j].ev.seq;
	}
	if (j == pg->n)
		return;
	if (start + done > pg->v[j].off) {
		size_t end = j + 1 < pg->n ? pg->v[j + 1].off : pg->lines.len;

		if (buf_append(&c->out, pg->lines.data + start + done,
			       end - start - done) < 0) {
			client_close(c);
			return;
		}
		c->last_seq = pg->v[j].ev.seq;
		c->cut = 1; /* the kernel has the line's start */
		j++;
		/* Handed to libuv now: an overflow on a later line drops
		 * what is not handed yet (client_finish), which must not
		 * be the rest of a line the client has half of. */
		client_flush(c);
		if (c->closing)
			return;
	}
	client_queue_page(c, pg, j);
}

/* The direct writes fv[from..to). Runs on the loop thread and on the
 * helper, on disjoint clients; touches only their fan_* fields. */
static void
fan_write(struct notify *n, size_t from, size_t to)
{
	size_t k;

	for (k = from; k < to; k++) {
		struct client *c = n->fv[k];
		size_t off = n->fpg->v[c->fan_first].off;
		ssize_t r;

		/* send(MSG_NOSIGNAL): a subscriber gone mid-write is an
		 * EPIPE, whatever the process does with SIGPIPE. */
		do
			r = send(c->fan_fd, n->fpg->lines.data + off,
				 n->fpg->lines.len - off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		while (r < 0 && errno == EINTR);
		c->fan_r = r < 0 ? -errno : r;
	}
}

static void
fan_main(void *arg)
{
	struct notify *n = arg;

	uv_mutex_lock(&n->fan.mu);
	for (;;) {
		while (!n->fjob && !n->fan.quit)
			uv_cond_wait(&n->fan.cv, &n->fan.mu);
		if (n->fan.quit)
			break;
		uv_mutex_unlock(&n->fan.mu);
		fan_write(n, 0, n->fsplit);
		uv_mutex_lock(&n->fan.mu);
		n->fjob = 0;
		uv_cond_broadcast(&n->fan.cv);
	}
	uv_mutex_unlock(&n->fan.mu);
}

/* Below this many direct writes the loop thread makes them alone. */
#define FAN_SPLIT_MIN 64

/* Make the page's direct writes: every client direct_ok takes from its
 * first new event to the end of the page, half of them on the helper
 * thread when there are many (the writes are mostly the kernel copying
 * and waking readers, and a second core halves the time the last
 * subscriber waits). Then hand every client its share; *direct and
 * *linewise count the live clients that took it each way. */
static void
fan_out(struct notify *n, struct fanpage *pg, size_t *direct,
	size_t *linewise)
{
	struct client *c;
	size_t i;

	n->fn = 0;
	for (c = n->clients; c; c = c->next) {
		int fd;

		c->fan_direct = 0;
		if (!direct_ok(c) || (i = first_new(c, pg)) == pg->n ||
		    !takes_all(c, pg, i) ||
		    uv_fileno((uv_handle_t *)&c->pipe, &fd) != 0)
			continue;
		if (n->fn == n->fcap) {
			size_t cap = n->fcap ? 2 * n->fcap : 256;
			struct client **v = realloc(n->fv, cap * sizeof(*v));

			if (!v)
				break; /* the rest go through their queues */
			n->fv = v;
			n->fcap = cap;
		}
		c->fan_fd = fd;
		c->fan_first = i;
		c->fan_direct = 1;
		n->fv[n->fn++] = c;
	}
	n->fpg = pg;
	if (n->fn >= FAN_SPLIT_MIN && !n->fan.started)
		worker_start(&n->fan, fan_main, n); /* else: alone */
	if (n->fn >= FAN_SPLIT_MIN && n->fan.started) {
		n->fsplit = n->fn / 2;
		uv_mutex_lock(&n->fan.mu);
		n->fjob = 1;
		uv_cond_broadcast(&n->fan.cv);
		uv_mutex_unlock(&n->fan.mu);
		fan_write(n, n->fsplit, n->fn);
		uv_mutex_lock(&n->fan.mu);
		while (n->fjob)
			uv_cond_wait(&n->fan.cv, &n->fan.mu);
		uv_mutex_unlock(&n->fan.mu);
	} else {
		fan_write(n, 0, n->fn);
	}
	/* The list is not modified here: closing clients stay linked until
	 * their close callbacks, which run later in the loop. */
	for (c = n->clients; c; c = c->next) {
		if (c->fan_direct) {
			c->fan_direct = 0;
			client_took(c, pg, c->fan_first, c->fan_r);
			(*direct)++;
		} else if (!c->closing && c->state == CL_LIVE) {
			client_queue_page(c, pg, first_new(c, pg));
			(*linewise)++;
		}
	}
}

/* Fan out pages of new events after the server's cursor to the end of the
 * log. A page whose subscribers hold standing queries waits for the
 * matcher; on_match_done calls this again to fan it out and go on.
 *
 * A page shorter than replay_page was the end of the log when it was
 * read, which is "now" only for a page read in this call: a page back
 * from the matcher (or that waited for it behind a replay page) is
 * followed by another read, since the commits announced meanwhile were
 * not read (notify_publish returns at once while the matcher holds the
 * page) and no further announcement may come (the last commit of an
 * ingest: the standing-query stall of docs/reliability.md). */
static void
publish_pages(struct notify *n)
{
	struct client *c;
	int r = 0, waiting = 0, fresh;

	if (n->publishing || n->closing) {
		/* A store callback published again (never expected). */
		n->publish_again = 1;
		return;
	}
	if (n->mbusy && n->mpg == &n->pg)
		return; /* on_match_done comes back */
	n->publishing = 1;
	do {
		n->publish_again = 0;
		for (;;) {
			/* A page the matcher has finished is fanned out
			 * before anything is read. */
			fresh = 0;
			if (n->pg.n == 0 || n->pg.v[n->pg.n - 1].ev.seq <=
			    n->cursor) {
				r = fanpage_read(n, &n->pg, n->cursor);
				if (r < 0 || n->pg.n == 0)
					break;
				fresh = 1;
			}
			if (match_post(n, &n->pg, NULL) > 0) {
				waiting = 1;
				break;
			}
			fan_out(n, &n->pg, &n->fdirect, &n->flinewise);
			n->cursor = n->pg.v[n->pg.n - 1].ev.seq;
			if (fresh && n->pg.n < n->o.replay_page)
				break;
		}
	} while (r == 0 && !waiting && n->publish_again);
	n->publishing = 0;
	for (c = n->clients; c; c = c->next)
		if (c->state == CL_LIVE)
			client_flush(c);
	if (log_level >= LOG_LVL_DEBUG && !waiting &&
	    (n->fdirect || n->flinewise)) {
		/* For latency work, beside the writer's "store: committed"
		 * lines: when every live subscriber's share had been handed
		 * to the kernel (direct) or to its queue (line by line). */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		log_debug("notify: events up to seq %lld out to %zu "
			  "subscribers directly, %zu line by line, at "
			  "%lld.%06ld", (long long)n->cursor, n->fdirect,
			  n->flinewise, (long long)ts.tv_sec,
			  ts.tv_nsec / 1000);
		n->fdirect = n->flinewise = 0;
	}
	if (r == -ENOMEM)
		log_err("notify: reading events after %lld: out of memory",
			(long long)n->cursor);
	else if (r < 0)
		log_err("notify: reading events after %lld: %s",
			(long long)n->cursor, store_errmsg(n->store));
}

void
notify_publish(struct notify *n, int64_t seq)
{
	if (n->closing || seq <= n->cursor)
		return;
	publish_pages(n);
}

static void
on_heartbeat(uv_timer_t *t)
{
	struct notify *n = t->data;
	struct client *c;
	char line[80];

	for (c = n->clients; c; c = c->next) {
		if (c->closing || c->state != CL_LIVE)
			continue;
		snprintf(line, sizeof(line),
			 "{\"type\":\"heartbeat\",\"head\":%lld}\n",
			 (long long)c->last_seq);
		client_queue(c, line, strlen(line));
	}
}

/* ---- requests ----------------------------------------------------------------- */

static void
on_idle_timeout(uv_timer_t *t)
{
	struct client *c = t->data;

	log_debug("notify: client pid %ld idle before subscribing, closing",
		  (long)c->pid);
	client_finish(c, "{\"type\":\"error\",\"code\":\"timeout\",\"message\":"
			 "\"no subscribe within the idle timeout\"}\n");
}

static void
idle_restart(struct client *c)
{
	uv_timer_stop(&c->timer);
	if (c->n->o.idle_timeout_ms)
		uv_timer_start(&c->timer, on_idle_timeout,
			       c->n->o.idle_timeout_ms, 0);
}

/* Root, our own uid, or the admin group: the peer's primary gid, its
 * supplementary groups at connect time (SO_PEERGROUPS), or, where that is
 * unavailable, the uid's groups in the group database. */
static int
client_privileged(const struct client *c)
{
	const struct notify *n = c->n;
	gid_t groups[256];
	socklen_t len = sizeof(groups);
	int fd, i, ng;

	if (c->uid == 0 || c->uid == n->self_uid)
		return 1;
	if (n->o.admin_gid == (gid_t)-1)
		return 0;
	if (c->gid == n->o.admin_gid)
		return 1;
	if (uv_fileno((const uv_handle_t *)&c->pipe, &fd) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0) {
		for (i = 0; i < (int)(len / sizeof(gid_t)); i++)
			if (groups[i] == n->o.admin_gid)
				return 1;
		return 0;
	} else {
		struct passwd pw, *res = NULL;
		char pwbuf[4096];

		if (getpwuid_r(c->uid, &pw, pwbuf, sizeof(pwbuf), &res) != 0 ||
		    !res)
			return 0;
		ng = (int)(sizeof(groups) / sizeof(groups[0]));
		if (getgrouplist(pw.pw_name, c->gid, groups, &ng) < 0)
			return 0;
		for (i = 0; i < ng; i++)
			if (groups[i] == n->o.admin_gid)
				return 1;
	}
	return 0;
}

static int
first_cb(void *arg, const struct store_event *ev)
{
	*(int64_t *)arg = ev->seq;
	return 0;
}

/* May c hold req's standing query? A query some subscriber holds already
 * costs nothing more (each distinct query is evaluated once per page);
 * a new one must parse, stay within store_query_check's term limits, and
 * fit under NOTIFY_MAX_QUERIES. The check never touches the archive, so
 * its cost does not grow with it. 0, or -1 with the error sent. */
static int
query_admit(struct client *c, struct proto_req *req)
{
	struct notify *n = c->n;
	const char *seen[NOTIFY_MAX_QUERIES];
	struct client *x;
	size_t nseen = 0, k;
	char *err = NULL, msg[160];
	int r;

	for (x = n->clients; x; x = x->next) {
		if (x->closing || x->state == CL_IDLE || !x->sub.query)
			continue;
		if (strcmp(x->sub.query, req->query) == 0)
			return 0;
		for (k = 0; k < nseen; k++)
			if (strcmp(seen[k], x->sub.query) == 0)
				break;
		if (k == nseen && nseen < NOTIFY_MAX_QUERIES)
			seen[nseen++] = x->sub.query;
	}
	if (nseen >= NOTIFY_MAX_QUERIES) {
		snprintf(msg, sizeof(msg), "the daemon holds %d distinct "
			 "standing queries already; subscribe with one of "
			 "them, or filter with feed, kind or speaker",
			 NOTIFY_MAX_QUERIES);
		send_error(c, "too_costly", msg, req->id);
		return -1;
	}
	r = store_query_check(req->query, &err);
	if (r < 0)
		send_error(c, r == -E2BIG ? "too_costly"
			   : r == -EINVAL ? "bad_request" : "internal",
			   err ? err : "out of memory", req->id);
	free(err);
	return r < 0 ? -1 : 0;
}

static void
do_subscribe(struct client *c, struct proto_req *req)
{
	struct notify *n = c->n;
	int64_t head = 0, first = 0;
	json_t *body;
	int r;

	if (c->state != CL_IDLE) {
		send_error(c, "bad_request", "already subscribed", req->id);
		return;
	}
	if (req->query && (r = query_admit(c, req)) < 0)
		return;
	if (store_head(n->store, &head) < 0) {
		send_error(c, "internal", "cannot read the event log",
			   req->id);
		return;
	}
	uv_timer_stop(&c->timer);
	c->sub = *req;
	memset(req, 0, sizeof(*req));
	req->since = -1;
	if (c->sub.since < 0) {
		/* Live only: from what has been announced, so an event
		 * committed but not yet published still reaches us. */
		c->last_seq = n->cursor;
		c->state = CL_LIVE;
	} else {
		c->last_seq = c->sub.since;
		c->state = CL_REPLAY;
		c->want_replay = 1;
	}
	c->fly_cursor = c->done_cursor = c->last_seq;
	body = json_pack("{s:I, s:I}", "seq", (json_int_t)c->last_seq,
			 "head", (json_int_t)head);
	if (c->state == CL_REPLAY && body &&
	    store_events_after(n->store, c->last_seq, 1, first_cb, &first) == 0
	    && first - 1 > c->last_seq)
		/* The log only loses a prefix (retention), so a hole right
		 * after since means events the client never saw are gone. */
		json_object_set_new(body, "expired",
				    json_integer(first - c->last_seq - 1));
	send_reply(c, "subscribed", body, c->sub.id);
	if (c->state == CL_REPLAY)
		pump_start(n);
}

static void
do_unsubscribe(struct client *c, struct proto_req *req)
{
	json_t *body;

	if (c->state != CL_REPLAY && c->state != CL_LIVE) {
		send_error(c, "bad_request", "not subscribed", req->id);
		return;
	}
	c->state = CL_IDLE;
	c->want_replay = 0;
	proto_req_clear(&c->sub);
	idle_restart(c);
	body = json_pack("{s:I}", "seq", (json_int_t)c->last_seq);
	send_reply(c, "unsubscribed", body, req->id);
}

struct hits {
	json_t *arr;
	int err;
};

static int
hit_cb(void *arg, const struct store_hit *h)
{
	struct hits *hs = arg;
	json_t *o;

	o = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:f}",
		      "id", (json_int_t)h->id, "feed", h->feed, "url", h->url,
		      "title", h->title, "published", h->published, "kind",
		      h->kind, "speaker", h->speaker, "snippet", h->snippet,
		      "rank", h->rank);
	if (!o || json_array_append_new(hs->arr, o) < 0) {
		hs->err = -ENOMEM;
		return 1;
	}
	return 0;
}

static void
do_search(struct client *c, struct proto_req *req)
{
	struct store_query q = {0};
	struct hits hs = {json_array(), 0};
	int r;

	q.query = req->query;
	q.speaker = req->speaker;
	q.feed = req->feed;
	q.kind = req->kind;
	q.since = req->date_since;
	q.until = req->date_until;
	q.limit = req->limit;
	q.lang = req->lang;
	if (!hs.arr) {
		send_error(c, "internal", "out of memory", req->id);
		return;
	}
	r = store_search(c->n->store, &q, hit_cb, &hs);
	if (r == -EINVAL) {
		send_error(c, "bad_request", store_errmsg(c->n->store),
			   req->id);
	} else if (r < 0 || hs.err) {
		log_err("notify: search: %s", store_errmsg(c->n->store));
		send_error(c, "internal", "search failed", req->id);
	} else {
		send_reply(c, "results", json_pack("{s:O}", "hits", hs.arr),
			   req->id);
	}
	json_decref(hs.arr);
}

static void
do_get(struct client *c, struct proto_req *req)
{
	struct briefing *b = NULL;
	json_t *j;
	int r;

	r = store_get_briefing(c->n->store, req->get_id, &b);
	if (r == -ENOENT) {
		send_error(c, "not_found", "no briefing with that id", req->id);
		return;
	}
	if (r < 0) {
		log_err("notify: get %lld: %s", (long long)req->get_id,
			store_errmsg(c->n->store));
		send_error(c, "internal", "reading the briefing failed",
			   req->id);
		return;
	}
	j = briefing_to_json(b, 1);
	briefing_free(b);
	if (!j) {
		send_error(c, "internal", "out of memory", req->id);
		return;
	}
	send_reply(c, "briefing", json_pack("{s:o}", "briefing", j), req->id);
}

/* status, feeds, poll, reload, add_feed, remove_feed: answered by the daemon through ops. */
static void
do_hook(struct client *c, struct proto_req *req)
{
	const struct notify_ops *ops = &c->n->ops;
	json_t *out = NULL;
	char *err = NULL;
	const char *code;
	int r = -ENOSYS;

	switch (req->op) {
	case PROTO_STATUS:
		if (ops->status)
			r = ops->status(ops->arg, &out, &err);
		break;
	case PROTO_FEEDS:
		if (ops->feeds)
			r = ops->feeds(ops->arg, &out, &err);
		break;
	case PROTO_POLL:
		if (ops->poll)
			r = ops->poll(ops->arg, req->poll_feed, &out, &err);
		break;
	case PROTO_RELOAD:
		if (ops->reload)
			r = ops->reload(ops->arg, &out, &err);
		break;
	case PROTO_ADD_FEED:
		if (ops->add_feed)
			r = ops->add_feed(ops->arg, req, &out, &err);
		break;
	case PROTO_REMOVE_FEED:
		if (ops->remove_feed)
			r = ops->remove_feed(ops->arg, req->poll_feed, &out,
					     &err);
		break;
	case PROTO_OUTPUT_RETRY:
		if (ops->output_retry)
			r = ops->output_retry(ops->arg, req->poll_feed, &out,
					      &err);
		break;
	case PROTO_ADD_OUTPUT:
		if (ops->add_output)
			r = ops->add_output(ops->arg, req->poll_feed,
					    req->output_conf, &out, &err);
		break;
	case PROTO_REMOVE_OUTPUT:
		if (ops->remove_output)
			r = ops->remove_output(ops->arg, req->poll_feed, &out,
					       &err);
		break;
	default:
		break;
	}
	if (r < 0) {
		code = r == -ENOENT ? "not_found"
		     : r == -EINVAL ? "bad_request"
		     : r == -EEXIST ? "conflict" : "internal";
		send_error(c, code, err ? err : r == -ENOSYS
			   ? "not available in this process" : strerror(-r),
			   req->id);
		free(err);
		json_decref(out);
		return;
	}
	free(err);
	send_reply(c, proto_op_name(req->op), out, req->id);
}

static void
client_line(struct client *c, char *line, size_t len)
{
	struct proto_req req;
	const char *code, *why;
	int allowed;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	if (c->state == CL_IDLE)
		idle_restart(c);
	if (proto_decode(line, len, &req, &code, &why) < 0) {
		log_limited("notify:bad", 10, LOG_LVL_DEBUG,
			    "notify: client pid %ld: %s: %s", (long)c->pid,
			    code, why);
		send_error(c, code, why, NULL);
		return;
	}
	if (proto_is_privileged(req.op)) {
		/* Every accepted request is logged (an audit trail); refused
		 * ones are rate-limited, since any local user can send them. */
		allowed = client_privileged(c);
		if (allowed)
			log_info("notify: accepted \"%s\" from uid %lu gid %lu "
				 "pid %ld", proto_op_name(req.op),
				 (unsigned long)c->uid, (unsigned long)c->gid,
				 (long)c->pid);
		else
			log_limited("notify:refused", 20, LOG_LVL_WARN,
				    "notify: refused \"%s\" from uid %lu gid "
				    "%lu pid %ld", proto_op_name(req.op),
				    (unsigned long)c->uid,
				    (unsigned long)c->gid, (long)c->pid);
		if (!allowed) {
			send_error(c, "forbidden", "this op needs root, the "
				   "daemon's user or the admin group",
				   req.id);
			goto out;
		}
	}
	switch (req.op) {
	case PROTO_SUBSCRIBE:
		do_subscribe(c, &req);
		break;
	case PROTO_UNSUBSCRIBE:
		do_unsubscribe(c, &req);
		break;
	case PROTO_SEARCH:
		do_search(c, &req);
		break;
	case PROTO_GET:
		do_get(c, &req);
		break;
	case PROTO_PING: {
		int64_t head = 0;

		store_head(c->n->store, &head);
		send_reply(c, "pong", json_pack("{s:I}", "head",
						(json_int_t)head), req.id);
		break;
	}
	case PROTO_STATUS:
	case PROTO_FEEDS:
	case PROTO_POLL:
	case PROTO_RELOAD:
	case PROTO_ADD_FEED:
	case PROTO_REMOVE_FEED:
	case PROTO_OUTPUT_RETRY:
	case PROTO_ADD_OUTPUT:
	case PROTO_REMOVE_OUTPUT:
		do_hook(c, &req);
		break;
	}
out:
	proto_req_clear(&req);
}

static void
line_too_long(struct client *c)
{
	char msg[80];

	snprintf(msg, sizeof(msg), "request line longer than %zu bytes "
		 "ignored", c->n->o.max_line);
	send_error(c, "line_too_long", msg, NULL);
}

/* Split input into lines. An over-long line gets one error and is
 * dropped up to its newline; the connection stays open. */
static void
client_input(struct client *c, const char *p, size_t len)
{
	size_t max = c->n->o.max_line;
	const char *nl;
	size_t seg;

	while (len > 0 && !c->closing && c->state != CL_DRAIN) {
		if (c->paused) {
			/* The rest waits with the reading (client_release). */
			if (buf_append(&c->held, p, len) < 0)
				client_close(c);
			return;
		}
		nl = memchr(p, '\n', len);
		seg = nl ? (size_t)(nl - p) : len;
		if (c->discarding) {
			if (nl)
				c->discarding = 0;
		} else if (c->in.len + seg > max) {
			buf_reset(&c->in);
			line_too_long(c);
			c->discarding = nl == NULL;
		} else if (buf_append(&c->in, p, seg) < 0) {
			client_close(c);
			return;
		} else if (nl) {
			client_line(c, c->in.data, c->in.len);
			buf_reset(&c->in);
		}
		if (!nl)
			return;
		p = nl + 1;
		len -= seg + 1;
	}
}

static void
on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct client *c = h->data;

	(void)hint;
	*b = uv_buf_init(c->n->rbuf, sizeof(c->n->rbuf));
}

static void client_eof(struct client *c);

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct client *c = s->data;

	if (c->closing)
		return;
	if (nread == 0)
		return;
	if ((nread > 0 || nread == UV_EOF) && client_waiting(c)) {
		uv_read_stop(s);
		c->stopped = 1;
		if (nread == UV_EOF)
			c->held_eof = 1;
		else if (buf_append(&c->held, b->base, (size_t)nread) < 0)
			client_close(c);
		return;
	}
	if (nread > 0) {
		client_input(c, b->base, (size_t)nread);
		return;
	}
	uv_read_stop(s);
	if (nread != UV_EOF) {
		client_close(c);
		return;
	}
	client_eof(c);
}

/* Input held while c waited for the matcher: handle it now, and read on. */
static void
client_release(struct client *c)
{
	struct buf h = c->held;

	if (c->closing || !c->stopped || c->paused || client_waiting(c))
		return;
	c->held = (struct buf)BUF_INIT;
	client_input(c, h.data ? h.data : "", h.len);
	buf_free(&h);
	if (c->closing || c->paused)
		return;
	c->stopped = 0;
	if (c->held_eof) {
		c->held_eof = 0;
		client_eof(c);
		return;
	}
	uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
}

static void
client_eof(struct client *c)
{
	/* EOF: a last line without its newline still counts; the replies
	 * already queued are sent, then we close. Subscribers too: a peer
	 * that has gone is released now rather than at the next failed
	 * write, and no client of ours half-closes to keep listening. */
	c->eof = 1;
	if (c->in.len > 0 && !c->discarding) {
		client_line(c, c->in.data, c->in.len);
		buf_reset(&c->in);
	}
	if (c->closing || c->state == CL_DRAIN)
		return;
	if (queued(c) == 0) {
		client_close(c);
		return;
	}
	c->state = CL_DRAIN;
	uv_timer_stop(&c->timer);
	uv_timer_start(&c->timer, on_drain_deadline, c->n->o.drain_timeout_ms,
		       0);
}

/* ---- accepting ------------------------------------------------------------------ */

static void
on_connection(uv_stream_t *server, int status)
{
	struct notify *n = server->data;
	struct client *c;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	if (status < 0) {
		log_limited("notify:accept", 5, LOG_LVL_WARN,
			    "notify: accept: %s", uv_strerror(status));
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		log_limited("notify:accept", 5, LOG_LVL_WARN,
			    "notify: accept: out of memory");
		return;
	}
	c->n = n;
	c->sub.since = -1;
	c->uid = (uid_t)-1;
	c->gid = (gid_t)-1;
	uv_pipe_init(n->loop, &c->pipe, 0);
	uv_timer_init(n->loop, &c->timer);
	c->pipe.data = c->timer.data = c;
	c->nopen = 2;
	c->next = n->clients;
	if (n->clients)
		n->clients->prev = c;
	n->clients = c;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0) {
		client_close(c);
		return;
	}
	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
		c->uid = cred.uid;
		c->gid = cred.gid;
		c->pid = cred.pid;
	}
	/* Root, our uid and the admin group get a few slots past the
	 * limit: members of the socket's group holding every slot must not
	 * lock the operator out of status, poll and reload. */
	if (n->nclients >= n->o.max_clients &&
	    (n->nclients >= n->o.max_clients + NOTIFY_ADMIN_RESERVE ||
	     !client_privileged(c))) {
		/* Read (and ignore) its input until closed: see
		 * client_finish. */
		uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
		log_limited("notify:full", 5, LOG_LVL_WARN,
			    "notify: %zu clients already, refusing uid %lu "
			    "pid %ld", n->nclients, (unsigned long)c->uid,
			    (long)c->pid);
		client_finish(c, "{\"type\":\"error\",\"code\":"
				 "\"too_many_clients\",\"message\":"
				 "\"too many clients\"}\n");
		return;
	}
	c->counted = 1;
	n->nclients++;
	idle_restart(c);
	uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
}

/* ---- listening --------------------------------------------------------------------- */

static int
fail_msg(char **err, int r, const char *what, const char *path)
{
	struct buf b = BUF_INIT;

	if (err) {
		buf_printf(&b, "%s \"%s\": %s", what, path, strerror(-r));
		*err = buf_detach(&b);
	}
	return r;
}

/* Bind path ourselves (OpenSMTPD style): refuse a live socket, remove a
 * stale one, never remove anything that is not a socket. The path appears
 * only once the socket listens, so that whoever sees it can connect (a
 * client or test waiting for the file got ECONNREFUSED between bind and
 * listen): bind a name of our own beside it, listen, then link it into
 * place (link, unlike rename, fails if another daemon took the path
 * meanwhile). A path too long for the extra name is bound directly. */
static int
bind_path(struct notify *n, int *fdp, char **err)
{
	struct sockaddr_un sa = {0}, tmp;
	struct stat st;
	mode_t old;
	int fd = -1, r, own = 0;

	if (strlen(n->path) >= sizeof(sa.sun_path))
		return fail_msg(err, -ENAMETOOLONG, "socket path", n->path);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, n->path, strlen(n->path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail_msg(err, -errno, "socket for", n->path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		r = fail_msg(err, -EADDRINUSE,
			     "a live daemon already answers on", n->path);
		goto fail;
	}
	if (errno == ECONNREFUSED) {
		if (lstat(n->path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			r = fail_msg(err, -EEXIST, "not a socket, not removing",
				     n->path);
			goto fail;
		}
		if (unlink(n->path) < 0 && errno != ENOENT) {
			r = fail_msg(err, -errno, "removing stale socket",
				     n->path);
			goto fail;
		}
	} else if (errno != ENOENT) {
		r = fail_msg(err, -errno, "probing", n->path);
		goto fail;
	}
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail_msg(err, -errno, "socket for", n->path);
	tmp = sa;
	if (snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%ld", n->path,
		     (long)getpid()) >= (int)sizeof(tmp.sun_path))
		tmp = sa;
	/* Nobody may connect between bind and chmod. */
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&tmp, sizeof(tmp));
	umask(old);
	if (r < 0) {
		r = fail_msg(err, -errno, "bind", tmp.sun_path);
		goto fail;
	}
	own = 1;
	if (chmod(tmp.sun_path, n->o.mode & 07777) < 0) {
		r = fail_msg(err, -errno, "chmod", tmp.sun_path);
		goto fail;
	}
	if (n->o.group != (gid_t)-1 &&
	    chown(tmp.sun_path, (uid_t)-1, n->o.group) < 0) {
		r = fail_msg(err, -errno, "chown", tmp.sun_path);
		goto fail;
	}
	if (listen(fd, SOMAXCONN) < 0) {
		r = fail_msg(err, -errno, "listen on", tmp.sun_path);
		goto fail;
	}
	if (strcmp(tmp.sun_path, n->path) != 0) {
		if (link(tmp.sun_path, n->path) < 0) {
			r = errno == EEXIST
			  ? fail_msg(err, -EADDRINUSE, "a live daemon "
				     "already answers on", n->path)
			  : fail_msg(err, -errno, "linking the socket to",
				     n->path);
			goto fail;
		}
		unlink(tmp.sun_path);
	}
	n->bound = 1;
	if (stat(n->path, &st) == 0) {
		n->dev = st.st_dev;
		n->ino = st.st_ino;
	}
	*fdp = fd;
	return 0;
fail:
	if (own)
		unlink(tmp.sun_path);
	close(fd);
	return r;
}

/* Remove the path only if it is still the socket we bound. */
static void
unbind_path(struct notify *n)
{
	struct stat st;

	if (!n->bound || !n->path)
		return;
	if (lstat(n->path, &st) == 0 && st.st_dev == n->dev &&
	    st.st_ino == n->ino)
		unlink(n->path);
	n->bound = 0;
}

static void
on_notify_handle_closed(uv_handle_t *h)
{
	struct notify *n = h->data;

	n->nopen--;
	maybe_done(n);
}

int
notify_start(uv_loop_t *loop, struct store *store,
	     const struct notify_opts *o, const struct notify_ops *ops,
	     struct notify **out, char **err)
{
	struct notify *n;
	int fd = -1, r;

	if (err)
		*err = NULL;
	if (o->listen_fd < 0 && !o->path) {
		if (err)
			*err = strdup("no socket path");
		return -EINVAL;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->loop = loop;
	n->store = store;
	n->o = *o;
	if (!n->o.replay_page)
		n->o.replay_page = 256;
	if (!n->o.max_line)
		n->o.max_line = 64 * 1024;
	if (!n->o.max_queue)
		n->o.max_queue = 4 * 1024 * 1024;
	if (!n->o.drain_timeout_ms)
		n->o.drain_timeout_ms = 5000;
	if (ops)
		n->ops = *ops;
	n->self_uid = geteuid();
	if (o->path && !(n->path = strdup(o->path))) {
		free(n);
		return -ENOMEM;
	}
	n->o.path = n->path;
	r = store_head(store, &n->cursor);
	if (r < 0) {
		fail_msg(err, r, "reading the event log of", "the store");
		if (o->listen_fd >= 0)
			close(o->listen_fd);
		goto fail;
	}
	if (o->listen_fd >= 0) {
		fd = o->listen_fd;
	} else {
		if ((r = bind_path(n, &fd, err)) < 0)
			goto fail; /* it listens too */
	}
	uv_pipe_init(loop, &n->server, 0);
	n->server.data = n;
	r = uv_pipe_open(&n->server, fd);
	if (r == 0)
		r = uv_listen((uv_stream_t *)&n->server, SOMAXCONN,
			      on_connection);
	if (r < 0) {
		/* Not expected once listen() worked. The handle is in the
		 * loop now: it frees n in its close callback. */
		fail_msg(err, -EIO, "listen on",
			 n->path ? n->path : "the activated socket");
		unbind_path(n);
		if (uv_fileno((uv_handle_t *)&n->server, &r) != 0)
			close(fd);
		n->closing = 1;
		n->nopen = 1;
		uv_close((uv_handle_t *)&n->server, on_notify_handle_closed);
		return -EIO;
	}
	uv_timer_init(loop, &n->heartbeat);
	uv_idle_init(loop, &n->pump);
	n->heartbeat.data = n->pump.data = n;
	n->nopen = 3;
	if (n->o.heartbeat_ms)
		uv_timer_start(&n->heartbeat, on_heartbeat, n->o.heartbeat_ms,
			       n->o.heartbeat_ms);
	*out = n;
	return 0;
fail:
	free(n->path);
	free(n);
	return r;
}

/* The old listening handle is closed: listen on the new socket. */
static void
on_server_rebound(uv_handle_t *h)
{
	struct notify *n = h->data;
	int r;

	n->rebinding = 0;
	if (n->closing) {
		close(n->rebind_fd);
		n->rebind_fd = -1;
		on_notify_handle_closed(h);
		return;
	}
	uv_pipe_init(n->loop, &n->server, 0);
	n->server.data = n;
	r = uv_pipe_open(&n->server, n->rebind_fd);
	if (r < 0)
		close(n->rebind_fd);
	else
		r = uv_listen((uv_stream_t *)&n->server, SOMAXCONN,
			      on_connection);
	n->rebind_fd = -1;
	if (r < 0)
		log_err("notify: listening again on %s: %s", n->path,
			uv_strerror(r));
	else
		log_warn("notify: the socket %s had been removed or replaced; "
			 "listening on it again", n->path);
}

int
notify_check_path(struct notify *n)
{
	struct stat st;
	char *err = NULL;
	int fd = -1, r;

	if (!n->bound || n->closing || n->rebinding)
		return 0;
	if (lstat(n->path, &st) == 0 && st.st_dev == n->dev &&
	    st.st_ino == n->ino)
		return 0;
	/* bind_path refuses a live socket of someone else and anything
	 * that is not a socket, and removes a stale one */
	r = bind_path(n, &fd, &err);
	if (r < 0) {
		log_limited("notify:rebind", 1, LOG_LVL_ERR,
			    "notify: the socket %s was removed or replaced "
			    "and cannot be bound again: %s; clients cannot "
			    "connect until briefwatchd restarts", n->path,
			    err ? err : strerror(-r));
		free(err);
		return r;
	}
	n->rebinding = 1;
	n->rebind_fd = fd;
	uv_close((uv_handle_t *)&n->server, on_server_rebound);
	return 1;
}

void
notify_close(struct notify *n, void (*done)(void *arg), void *arg)
{
	struct client *c;

	if (n->closing)
		return;
	n->closing = 1;
	n->done = done;
	n->done_arg = arg;
	unbind_path(n);
	for (c = n->clients; c; c = c->next)
		client_close(c);
	if (!n->rebinding) /* else on_server_rebound finishes it */
		uv_close((uv_handle_t *)&n->server, on_notify_handle_closed);
	uv_close((uv_handle_t *)&n->heartbeat, on_notify_handle_closed);
	uv_close((uv_handle_t *)&n->pump, on_notify_handle_closed);
	/* The matcher first: it may still signal match_done. */
	worker_stop(&n->match);
	if (n->masync)
		uv_close((uv_handle_t *)&n->match_done,
			 on_notify_handle_closed);
}
