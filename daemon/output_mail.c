/* output_mail.c — type = mail (docs/outputs.md): SMTP through the
 * daemon's fetcher (libcurl; STARTTLS required for smtp:// unless
 * starttls = no, smtps:// is TLS from the start; user and password from
 * auth_file). One plain-text message per briefing, or, with `digest`, one
 * message for every briefing that matched during that interval. Each
 * carries the briefing's title, link, speakers, summary and the speaker
 * turns that matched (the query's, or the `speakers` filter's).
 *
 * A digest is collected in memory while the cursor stays where the last
 * sent message left it (hold_cursor): a crash before it is sent builds
 * it again from the outbox.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"
#include "fetch.h"
#include "log.h"
#include "output_int.h"
#include "store.h"

#define TURNS_MAX 20
#define TURN_MAX 2000
#define DIGEST_MAX 200     /* briefings in one digest */
#define PROTO_RCPT_MAX 64  /* recipients */

struct mail {
	char *user, *pass;
	struct fetch_job *job;
	struct buf digest;     /* the text of the briefings collected */
	size_t ndigest;
	int64_t digest_last;   /* seq of the last one collected */
	uint64_t digest_due;   /* uv_now when it is sent */
	int sending_digest;
};

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int
ml_init(struct output *o, char **err)
{
	struct mail *m = calloc(1, sizeof(*m));
	char buf[1024], *colon;
	ssize_t n;
	int fd;

	if (!m)
		return -ENOMEM;
	o->type = m;
	if (o->c.starttls < 0)
		o->c.starttls = 1;
	if (!o->c.auth_file)
		return 0;
	fd = open(o->c.auth_file, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		if (asprintf(err, "output \"%s\": auth_file \"%s\": %s",
			     o->c.name, o->c.auth_file, strerror(errno)) < 0)
			*err = NULL;
		return -EINVAL;
	}
	buf[n] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	colon = strchr(buf, ':');
	if (!colon || colon == buf) {
		explicit_bzero(buf, sizeof(buf));
		if (asprintf(err, "output \"%s\": auth_file \"%s\" must hold "
			     "USER:PASSWORD on its first line", o->c.name,
			     o->c.auth_file) < 0)
			*err = NULL;
		return -EINVAL;
	}
	*colon = 0;
	m->user = strdup(buf);
	m->pass = strdup(colon + 1);
	explicit_bzero(buf, sizeof(buf));
	if (!m->user || !m->pass)
		return -ENOMEM;
	return 0;
}

static void
ml_clear(struct output *o)
{
	struct mail *m = o->type;

	if (!m)
		return;
	free(m->user);
	if (m->pass) {
		explicit_bzero(m->pass, strlen(m->pass));
		free(m->pass);
	}
	buf_free(&m->digest);
	free(m);
	o->type = NULL;
}

static void
ml_cancel(struct output *o)
{
	struct mail *m = o->type;

	if (m && m->job) {
		fetch_cancel(o->os->fetcher, m->job);
		m->job = NULL;
	}
}

/* Text wrapped at 76 columns on spaces, each line CRLF-terminated, so that
 * no line passes SMTP's 998 bytes. */
static void
put_wrapped(struct buf *b, const char *s, const char *indent)
{
	while (*s) {
		size_t len = strcspn(s, "\n"), take;

		while (len > 0) {
			take = len;
			if (take > 76) {
				size_t k = 76;

				while (k > 20 && s[k] != ' ')
					k--;
				take = k > 20 ? k : 76;
				while (take < len &&
				       ((unsigned char)s[take] & 0xC0) == 0x80)
					take++;
			}
			buf_puts(b, indent);
			buf_append(b, s, take);
			buf_puts(b, "\r\n");
			s += take;
			len -= take;
			while (len > 0 && *s == ' ') {
				s++;
				len--;
			}
		}
		if (*s == '\n') {
			if (s[1] == '\n')
				buf_puts(b, "\r\n");
			s++;
		} else if (!len && !*s) {
			break;
		}
	}
}

struct turns {
	struct buf *b;
	size_t n;
};

static int
turn_cb(void *arg, const char *speaker, const char *text,
	const char *snippet)
{
	struct turns *t = arg;
	char *cut = NULL;

	(void)snippet;
	if (!text)
		return 0;
	if (strlen(text) > TURN_MAX) {
		size_t n = TURN_MAX;

		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
		if ((cut = malloc(n + 4))) {
			memcpy(cut, text, n);
			memcpy(cut + n, "\u2026", 4);
			text = cut;
		}
	}
	if (t->n++ == 0)
		buf_puts(t->b, "\r\nWhat was said:\r\n");
	buf_puts(t->b, "\r\n");
	buf_printf(t->b, "%s:\r\n", speaker ? speaker : "(unattributed)");
	put_wrapped(t->b, text, "  ");
	free(cut);
	return 0;
}

/* One briefing as text. */
static void
briefing_text(struct output *o, struct buf *b, const struct store_event *ev,
	      json_t *parsed)
{
	json_t *br = json_object_get(parsed, "briefing"), *sp;
	struct turns t = {b, 0};
	size_t i;

	put_wrapped(b, *jstr(br, "title") ? jstr(br, "title") : "(untitled)",
		    "");
	if (ev->type && !strcmp(ev->type, "briefing.updated"))
		buf_puts(b, "(updated)\r\n");
	if (*jstr(br, "url"))
		buf_printf(b, "%s\r\n", jstr(br, "url"));
	if (json_array_size(json_object_get(br, "speakers"))) {
		struct buf l = BUF_INIT;

		buf_puts(&l, "Speakers: ");
		json_array_foreach(json_object_get(br, "speakers"), i, sp) {
			if (i)
				buf_puts(&l, ", ");
			buf_puts(&l, jstr(sp, "name"));
			if (*jstr(sp, "role"))
				buf_printf(&l, " (%s)", jstr(sp, "role"));
		}
		if (!buf_error(&l))
			put_wrapped(b, buf_str(&l), "");
		buf_free(&l);
	}
	if (*jstr(br, "published"))
		buf_printf(b, "Published: %s\r\n", jstr(br, "published"));
	buf_printf(b, "Feed: %s\r\n", jstr(br, "feed"));
	if (*jstr(br, "summary")) {
		buf_puts(b, "\r\n");
		put_wrapped(b, jstr(br, "summary"), "");
	}
	if (o->c.query || o->c.nspeakers)
		store_output_turns(o->os->store, ev->briefing_id, o->c.query,
				   o->c.speakers, o->c.nspeakers, TURNS_MAX,
				   turn_cb, &t);
}

/* RFC 2047 for a header value with non-ASCII bytes. */
static void
put_header_text(struct buf *b, const char *s)
{
	const unsigned char *p;
	size_t n = strlen(s), i;
	unsigned char enc[4 * 48 / 3 + 4];

	for (p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80 || *p < 0x20)
			break;
	if (!*p) {
		buf_puts(b, s);
		return;
	}
	/* encoded words of 45 input bytes, not splitting a character */
	for (i = 0; i < n;) {
		size_t take = n - i > 45 ? 45 : n - i;

		while (take > 1 && i + take < n &&
		       ((unsigned char)s[i + take] & 0xC0) == 0x80)
			take--;
		EVP_EncodeBlock(enc, (const unsigned char *)s + i, (int)take);
		buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
		i += take;
	}
}

static char *
make_message(struct output *o, const char *subject, const char *text,
	     int64_t seq)
{
	struct buf b = BUF_INIT;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_printf(&b, "From: %s\r\nTo: ", o->c.from);
	for (i = 0; i < o->c.nto; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", o->c.to[i]);
	buf_printf(&b, "\r\nDate: %s\r\nMessage-ID: <%lld.%s.%s@briefwatch>"
		   "\r\nSubject: ", date, (long long)seq, o->c.name,
		   o->c.origin ? o->c.origin : o->os->host);
	put_header_text(&b, subject);
	buf_printf(&b, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
		   "charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
		   "X-Briefwatch-Seq: %lld\r\n\r\n", (long long)seq);
	buf_puts(&b, text);
	return buf_detach(&b);
}

static void
on_sent(void *arg, const struct fetch_result *res)
{
	struct output *o = arg;
	struct mail *m = o->type;
	int digest = m->sending_digest;
	char why[300];

	m->job = NULL;
	m->sending_digest = 0;
	if (res->error) {
		/* SMTP 5xx: permanent (auth refused, no such mailbox). */
		int fatal = (res->status >= 500 && res->status < 600) ||
			    res->error == -EACCES ||
			    res->error == -EPROTONOSUPPORT;

		if (res->status >= 400)
			snprintf(why, sizeof(why), "the SMTP server answered "
				 "%ld%s (%s)", res->status, fatal ?
				 ", a permanent refusal" : "",
				 res->error_msg ? res->error_msg : "");
		else
			snprintf(why, sizeof(why), "%s", res->error_msg ?
				 res->error_msg : strerror(-res->error));
		if (digest)
			o->state = OUT_IDLE;
		output_failed(o, fatal, -1, why);
		return;
	}
	if (digest) {
		o->hold_cursor = 0;
		output_save_cursor(o, m->digest_last);
		o->attempts = 0;
		free(o->last_error);
		o->last_error = NULL;
		buf_reset(&m->digest);
		m->ndigest = 0;
		o->state = OUT_IDLE;
		output_wake_in(o, 0);
		return;
	}
	output_done(o);
}

static int
send_message(struct output *o, char *msg)
{
	struct mail *m = o->type;
	struct fetch_req req;
	const char *rcpt[PROTO_RCPT_MAX + 1];
	size_t i, n = 0;
	int r;

	if (!msg)
		return -ENOMEM;
	for (i = 0; i < o->c.nto && n < PROTO_RCPT_MAX; i++)
		rcpt[n++] = o->c.to[i];
	rcpt[n] = NULL;
	memset(&req, 0, sizeof(req));
	req.url = o->c.url;
	req.body = msg;
	req.body_len = strlen(msg);
	req.mail_from = o->c.from;
	req.mail_rcpt = rcpt;
	req.username = m->user;
	req.password = m->pass;
	req.require_tls = o->c.starttls > 0;
	req.ca_file = o->c.ca_file;
	req.timeout_ms = (long)o->c.timeout_ms * 3;
	r = fetch_start(o->os->fetcher, &req, on_sent, o, &m->job);
	free(msg);
	return r;
}

static int
ml_deliver(struct output *o, const struct store_event *ev, json_t *parsed)
{
	struct mail *m = o->type;
	struct buf text = BUF_INIT, subj = BUF_INIT;
	json_t *br = json_object_get(parsed, "briefing");
	char *msg;

	if (o->c.digest_ms > 0) {
		/* Collect; sent when due (ml_idle). */
		if (m->ndigest == 0) {
			m->digest_due = uv_now(o->os->loop) +
					(uint64_t)o->c.digest_ms;
			o->hold_cursor = 1;
		}
		buf_puts(&m->digest, "-----------------------------------------"
			 "-------------------------------\r\n\r\n");
		briefing_text(o, &m->digest, ev, parsed);
		buf_puts(&m->digest, "\r\n");
		m->ndigest++;
		m->digest_last = ev->seq;
		if (buf_error(&m->digest))
			return -ENOMEM;
		output_done_later(o);
		return 0;
	}
	briefing_text(o, &text, ev, parsed);
	buf_printf(&subj, "[briefwatch] %s", *jstr(br, "title") ?
		   jstr(br, "title") : "(untitled)");
	if (buf_error(&text) || buf_error(&subj)) {
		buf_free(&text);
		buf_free(&subj);
		return -ENOMEM;
	}
	msg = make_message(o, buf_str(&subj), buf_str(&text), ev->seq);
	buf_free(&text);
	buf_free(&subj);
	return send_message(o, msg);
}

/* Nothing more to collect for now: send the digest when it is due. */
static void
ml_idle(struct output *o)
{
	struct mail *m = o->type;
	uint64_t now = uv_now(o->os->loop);
	char subj[128];
	int r;

	if (!m->ndigest || o->state != OUT_IDLE)
		return;
	if (now < m->digest_due && m->ndigest < DIGEST_MAX) {
		output_wake_in(o, m->digest_due - now);
		return;
	}
	snprintf(subj, sizeof(subj), "[briefwatch] %zu new briefing%s",
		 m->ndigest, m->ndigest == 1 ? "" : "s");
	o->state = OUT_BUSY;
	m->sending_digest = 1;
	r = send_message(o, make_message(o, subj, buf_str(&m->digest),
					 m->digest_last));
	if (r < 0) {
		m->sending_digest = 0;
		o->state = OUT_IDLE;
		output_failed(o, 0, -1, strerror(-r));
	}
}

const struct output_type_ops output_mail_ops = {
	.init = ml_init,
	.deliver = ml_deliver,
	.idle = ml_idle,
	.cancel = ml_cancel,
	.clear = ml_clear,
};
