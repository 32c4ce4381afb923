/* output_webhook.c — type = webhook (docs/outputs.md): one HTTP POST per
 * event through the daemon's fetcher (its libcurl multi and address
 * policy), signed with HMAC-SHA256 over "TIMESTAMP.BODY" when a
 * secret_file is set, with an Idempotency-Key of ORIGIN/SEQ.
 *
 * Answers: 2xx delivered; 408, 429, 5xx, a timeout or a connection
 * failure are retried (Retry-After honoured); any other status (a 3xx is
 * not followed) stops the output with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "fetch.h"
#include "log.h"
#include "output_int.h"
#include "store.h"

#define SECRET_MAX 4096

struct webhook {
	unsigned char *secret;
	size_t secret_len;
	struct fetch_job *job;
};

static int
read_secret(const char *path, unsigned char **out, size_t *len, char **err)
{
	char buf[SECRET_MAX + 2];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (asprintf(err, "secret_file \"%s\": %s", path,
			     strerror(errno)) < 0)
			*err = NULL;
		return -errno;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || n > SECRET_MAX) {
		if (asprintf(err, "secret_file \"%s\": %s", path,
			     n < 0 ? strerror(errno)
				   : "longer than 4096 bytes") < 0)
			*err = NULL;
		return -EINVAL;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n == 0) {
		if (asprintf(err, "secret_file \"%s\" is empty", path) < 0)
			*err = NULL;
		return -EINVAL;
	}
	if (!(*out = malloc((size_t)n)))
		return -ENOMEM;
	memcpy(*out, buf, (size_t)n);
	*len = (size_t)n;
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int
wh_init(struct output *o, char **err)
{
	struct webhook *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	o->type = w;
	if (o->c.secret_file &&
	    (r = read_secret(o->c.secret_file, &w->secret, &w->secret_len,
			     err)) < 0) {
		char *e = *err;

		if (e && asprintf(err, "output \"%s\": %s", o->c.name, e) < 0)
			*err = NULL;
		free(e);
		return r;
	}
	return 0;
}

static void
wh_clear(struct output *o)
{
	struct webhook *w = o->type;

	if (!w)
		return;
	if (w->secret) {
		explicit_bzero(w->secret, w->secret_len);
		free(w->secret);
	}
	free(w);
	o->type = NULL;
}

static void
wh_cancel(struct output *o)
{
	struct webhook *w = o->type;

	if (w && w->job) {
		fetch_cancel(o->os->fetcher, w->job);
		w->job = NULL;
	}
}

/* Slack's mrkdwn: &, < and > are escaped. */
static void
slack_esc(struct buf *b, const char *s)
{
	for (; s && *s; s++)
		if (*s == '&')
			buf_puts(b, "&amp;");
		else if (*s == '<')
			buf_puts(b, "&lt;");
		else if (*s == '>')
			buf_puts(b, "&gt;");
		else
			buf_putc(b, *s);
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void
speakers_line(struct buf *b, json_t *br, int slack)
{
	json_t *sp;
	size_t i;

	json_array_foreach(json_object_get(br, "speakers"), i, sp) {
		if (i)
			buf_puts(b, ", ");
		if (slack)
			slack_esc(b, jstr(sp, "name"));
		else
			buf_puts(b, jstr(sp, "name"));
	}
}

/* A summary cut at about max bytes, on a UTF-8 boundary. */
static void
put_cut(struct buf *b, const char *s, size_t max, int slack)
{
	size_t n = strlen(s);
	char *t;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if (!(t = strndup(s, n)))
		return;
	if (slack)
		slack_esc(b, t);
	else
		buf_puts(b, t);
	if (n < strlen(s))
		buf_puts(b, "…");
	free(t);
}

/* The body for o's format: malloc'd text, or NULL on ENOMEM. */
static char *
make_body(struct output *o, const struct store_event *ev, json_t *ev_json)
{
	json_t *br = json_object_get(ev_json, "briefing"), *j = NULL;
	int updated = ev->type && !strcmp(ev->type, "briefing.updated");
	struct buf t = BUF_INIT;
	char *out = NULL;

	if (o->c.format == OUTFMT_JSON)
		return strdup(ev->json);
	if (o->c.format == OUTFMT_SLACK) {
		buf_puts(&t, updated ? "Updated: *<" : "*<");
		slack_esc(&t, jstr(br, "url"));
		buf_putc(&t, '|');
		slack_esc(&t, *jstr(br, "title") ? jstr(br, "title")
						 : "(untitled)");
		buf_puts(&t, ">*");
		if (json_array_size(json_object_get(br, "speakers"))) {
			buf_puts(&t, "\nSpeakers: ");
			speakers_line(&t, br, 1);
		}
		if (*jstr(br, "summary")) {
			buf_putc(&t, '\n');
			put_cut(&t, jstr(br, "summary"), 600, 1);
		}
		if (buf_error(&t))
			goto out;
		j = json_pack("{s:s, s:b}", "text", buf_str(&t),
			      "unfurl_links", 0);
	} else {
		struct buf sp = BUF_INIT;

		speakers_line(&sp, br, 0);
		put_cut(&t, jstr(br, "summary"), 1000, 0);
		if (buf_error(&t) || buf_error(&sp)) {
			buf_free(&sp);
			goto out;
		}
		j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:[{s:s, s:s}]}]}",
			"@type", "MessageCard",
			"@context", "https://schema.org/extensions",
			"summary", *jstr(br, "title") ? jstr(br, "title")
						      : "briefing",
			"title", *jstr(br, "title") ? jstr(br, "title")
						    : "(untitled)",
			"text", sp.len ? buf_str(&sp) : " ",
			"potentialAction", "@type", "OpenUri", "name",
			updated ? "Open (updated)" : "Open", "targets",
			"os", "default", "uri", jstr(br, "url"));
		if (j && (t).len)
			json_object_set_new(j, "sections", json_pack(
				"[{s:s}]", "text", buf_str(&t)));
		buf_free(&sp);
	}
	if (j)
		out = json_dumps(j, JSON_COMPACT);
out:
	json_decref(j);
	buf_free(&t);
	return out;
}

static void
on_answer(void *arg, const struct fetch_result *res)
{
	struct output *o = arg;
	struct webhook *w = o->type;
	char why[256];

	w->job = NULL;
	if (res->error) {
		int fatal = res->error == -EACCES ||
			    res->error == -EPROTONOSUPPORT;

		snprintf(why, sizeof(why), "%s%s", res->error_msg ?
			 res->error_msg : strerror(-res->error),
			 res->error == -EACCES ? " (see allow_private / "
			 "allow_addrs)" : "");
		output_failed(o, fatal, -1, why);
		return;
	}
	if (res->status >= 200 && res->status < 300) {
		output_done(o);
		return;
	}
	snprintf(why, sizeof(why), "HTTP %ld from the receiver", res->status);
	if (res->status == 408 || res->status == 429 || res->status >= 500) {
		output_failed(o, 0, res->retry_after, why);
		return;
	}
	if (res->status >= 300 && res->status < 400)
		snprintf(why, sizeof(why), "HTTP %ld: the receiver redirects "
			 "(not followed for a POST): set url to the new "
			 "address", res->status);
	else
		snprintf(why, sizeof(why), "HTTP %ld from the receiver: it "
			 "refuses the request", res->status);
	output_failed(o, 1, -1, why);
}

static int
wh_deliver(struct output *o, const struct store_event *ev, json_t *parsed)
{
	struct webhook *w = o->type;
	struct buf h[6] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT,
			   BUF_INIT};
	const char *hv[8];
	struct fetch_req req;
	char *body = make_body(o, ev, parsed);
	long long ts = (long long)time(NULL);
	size_t i, nh = 0;
	int r = -ENOMEM;

	if (!body)
		return -ENOMEM;
	buf_puts(&h[0], "Content-Type: application/json");
	buf_printf(&h[1], "Idempotency-Key: %s/%lld",
		   o->c.origin ? o->c.origin : o->os->host,
		   (long long)ev->seq);
	buf_printf(&h[2], "X-Briefwatch-Seq: %lld", (long long)ev->seq);
	buf_printf(&h[3], "X-Briefwatch-Event: %s", ev->type ? ev->type : "");
	buf_printf(&h[4], "X-Briefwatch-Timestamp: %lld", ts);
	if (w->secret) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		struct buf msg = BUF_INIT;

		buf_printf(&msg, "%lld.", ts);
		buf_puts(&msg, body);
		if (buf_error(&msg) ||
		    !HMAC(EVP_sha256(), w->secret, (int)w->secret_len,
			  (const unsigned char *)buf_str(&msg), msg.len,
			  md, &mdlen)) {
			buf_free(&msg);
			goto out;
		}
		buf_free(&msg);
		buf_puts(&h[5], "X-Briefwatch-Signature: sha256=");
		for (i = 0; i < mdlen; i++)
			buf_printf(&h[5], "%02x", md[i]);
	}
	for (i = 0; i < 6; i++) {
		if (buf_error(&h[i]))
			goto out;
		if (h[i].len)
			hv[nh++] = buf_str(&h[i]);
	}
	hv[nh] = NULL;
	memset(&req, 0, sizeof(req));
	req.url = o->c.url;
	req.method = "POST";
	req.body = body;
	req.body_len = strlen(body);
	req.headers = hv;
	req.timeout_ms = (long)o->c.timeout_ms;
	req.no_redirects = 1;
	req.max_body = 64 * 1024;
	r = fetch_start(o->os->fetcher, &req, on_answer, o, &w->job);
out:
	for (i = 0; i < 6; i++)
		buf_free(&h[i]);
	free(body);
	return r;
}

const struct output_type_ops output_webhook_ops = {
	.init = wh_init,
	.deliver = wh_deliver,
	.cancel = wh_cancel,
	.clear = wh_clear,
};
