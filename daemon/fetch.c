/* fetch.c — libcurl multi-socket transfers on the libuv loop (see
 * include/fetch.h and docs/fetching.md).
 *
 * One uv_timer for curl's timeout, one uv_poll per socket curl asks us to
 * watch (attached with curl_multi_assign), drain() after every
 * socket_action. curl's socket and timer callbacks only (re)arm libuv
 * watchers; every completion and teardown happens in drain(), outside curl.
 */
#include "fetch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "date.h"

#ifndef BW_VERSION
#define BW_VERSION "0"
#endif

#define FETCH_UA "briefwatch/" BW_VERSION " (+https://github.com/briefwatch)"
#define FETCH_MAX_HEADER_DEFAULT ((size_t)64 * 1024)
#define FETCH_MAX_ALLOW 16

/* A literal address exempt from the policy; IPv4 kept as 4 bytes. */
struct fetch_allow {
	int family;
	unsigned char addr[16];
};

struct fetch_allowlist {
	size_t n;
	struct fetch_allow a[FETCH_MAX_ALLOW];
};

struct fetch_sock {
	uv_poll_t poll;              /* poll.data = this */
	curl_socket_t fd;
	struct fetcher *f;
	struct fetch_sock *prev, *next;
};

struct fetch_job {
	struct fetcher *f;
	CURL *easy;
	struct fetch_job *prev, *next;
	fetch_cb cb;
	void *arg;
	struct curl_slist *hdrs;
	char *url;
	struct curl_slist *rcpt;     /* SMTP recipients */
	char *up;                    /* SMTP: the message being uploaded */
	size_t up_len, up_off;

	/* limits copied from the options at start */
	size_t max_body;
	size_t max_header;
	long total_timeout_ms;
	long connect_timeout_ms;
	long low_speed_limit;
	long low_speed_time;
	long max_redirs;

	struct buf body;
	size_t header_bytes;         /* of the current response */
	int body_too_big;
	int headers_too_big;
	int connected;               /* a connection was established */
	int nomem;

	/* the current response (reset at every status line) */
	long cur_status;
	int temp_hop;                /* a followed hop was not 301/308 */
	char *etag;
	char *last_modified;
	char *content_type;
	char *retry_after;
	char *cache_control, *expires; /* publisher hints (sched.h) */

	/* address policy */
	int allow_private;
	struct fetch_allowlist allow;
	int denied;
	char denied_addr[INET6_ADDRSTRLEN];

	char errbuf[CURL_ERROR_SIZE];
};

struct fetcher {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;            /* timer.data = this */
	struct fetch_opts opts;
	char *user_agent;            /* opts.user_agent points here */
	struct fetch_allowlist allow; /* parsed opts.allow_addrs */
	struct fetch_job *jobs;
	size_t active;
	struct fetch_sock *socks;
	size_t nsocks;               /* poll handles not yet closed */
	int closing;
	int cleaning;                /* inside curl_multi_cleanup */
	int timer_closed;
	void (*done)(void *arg);
	void *done_arg;
};

static void drain(struct fetcher *f);

/* ---- options -------------------------------------------------------- */

void
fetch_opts_default(struct fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->user_agent = FETCH_UA;
	o->max_total_conns = 32;
	o->max_host_conns = 2;
	o->max_body = (size_t)16 * 1024 * 1024;
	o->connect_timeout_ms = 10 * 1000;
	o->total_timeout_ms = 60 * 1000;
	o->low_speed_limit = 100;
	o->low_speed_time = 20;
	o->max_redirs = 5;
	o->allow_private = 0;
	o->max_header_bytes = FETCH_MAX_HEADER_DEFAULT;
}

/* ---- address policy ------------------------------------------------- */

static int
v4_denied(uint32_t a)
{
	static const struct { uint32_t net, mask; } deny[] = {
		{ 0x00000000, 0xff000000 },  /* 0/8 "this network" */
		{ 0x0a000000, 0xff000000 },  /* 10/8 */
		{ 0x64400000, 0xffc00000 },  /* 100.64/10 CGNAT */
		{ 0x7f000000, 0xff000000 },  /* 127/8 loopback */
		{ 0xa9fe0000, 0xffff0000 },  /* 169.254/16 link-local */
		{ 0xac100000, 0xfff00000 },  /* 172.16/12 */
		{ 0xc0000000, 0xffffff00 },  /* 192.0.0/24 IETF protocol */
		{ 0xc0a80000, 0xffff0000 },  /* 192.168/16 */
		{ 0xc6120000, 0xfffe0000 },  /* 198.18/15 benchmarking */
		{ 0xe0000000, 0xf0000000 },  /* 224/4 multicast */
		{ 0xf0000000, 0xf0000000 },  /* 240/4 reserved, broadcast */
	};
	size_t i;

	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if ((a & deny[i].mask) == deny[i].net)
			return 1;
	return 0;
}

static uint32_t
v4_at(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int
v6_denied(const unsigned char *b)
{
	static const unsigned char zero[16];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
						  0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };

	if (!memcmp(b, zero, 15))                /* :: and ::1 */
		return b[15] <= 1;
	if (!memcmp(b, mapped, 12) || !memcmp(b, nat64, 12) ||
	    !memcmp(b, zero, 12))                /* mapped, NAT64, compat */
		return v4_denied(v4_at(b + 12));
	if (b[0] == 0x20 && b[1] == 0x02)        /* 2002::/16 6to4 */
		return v4_denied(v4_at(b + 2));
	if ((b[0] & 0xfe) == 0xfc)               /* fc00::/7 ULA */
		return 1;
	if (b[0] == 0xfe && (b[1] & 0x80) == 0x80)  /* fe80::/10, fec0::/10 */
		return 1;
	if (b[0] == 0xff)                        /* multicast */
		return 1;
	return 0;
}

int
fetch_addr_denied(const struct sockaddr *sa)
{
	const struct sockaddr_in *in4;
	const struct sockaddr_in6 *in6;

	switch (sa->sa_family) {
	case AF_INET:
		in4 = (const struct sockaddr_in *)(const void *)sa;
		return v4_denied(ntohl(in4->sin_addr.s_addr));
	case AF_INET6:
		in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return v6_denied(in6->sin6_addr.s6_addr);
	default:
		return -1;
	}
}

static int
v4_link_local(uint32_t a)
{
	return (a & 0xffff0000) == 0xa9fe0000; /* 169.254/16 */
}

int
fetch_addr_link_local(const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
						  0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	static const unsigned char zero[12];
	const unsigned char *b;

	switch (sa->sa_family) {
	case AF_INET:
		return v4_link_local(ntohl(((const struct sockaddr_in *)
					    (const void *)sa)->sin_addr.s_addr));
	case AF_INET6:
		b = ((const struct sockaddr_in6 *)(const void *)sa)
			->sin6_addr.s6_addr;
		if (!memcmp(b, mapped, 12) || !memcmp(b, nat64, 12) ||
		    !memcmp(b, zero, 12))
			return v4_link_local(v4_at(b + 12));
		if (b[0] == 0x20 && b[1] == 0x02)   /* 6to4 */
			return v4_link_local(v4_at(b + 2));
		return b[0] == 0xfe && (b[1] & 0xc0) == 0x80; /* fe80::/10 */
	default:
		return -1;
	}
}

static void
addr_string(const struct sockaddr *sa, char *out, size_t size)
{
	const void *src = NULL;

	if (sa->sa_family == AF_INET)
		src = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (!src || !inet_ntop(sa->sa_family, src, out, (socklen_t)size))
		snprintf(out, size, "(family %d)", sa->sa_family);
}

/* Normalise an address (v4-mapped IPv6 becomes IPv4) for comparison. */
static void
allow_key(const struct sockaddr *sa, struct fetch_allow *k)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
						  0, 0, 0xff, 0xff };
	const unsigned char *b;

	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		k->family = AF_INET;
		memcpy(k->addr, &((const struct sockaddr_in *)(const void *)sa)
		       ->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		b = ((const struct sockaddr_in6 *)(const void *)sa)
			->sin6_addr.s6_addr;
		if (!memcmp(b, mapped, 12)) {
			k->family = AF_INET;
			memcpy(k->addr, b + 12, 4);
		} else {
			k->family = AF_INET6;
			memcpy(k->addr, b, 16);
		}
	}
}

static int
allowlisted(const struct fetch_allowlist *l, const struct sockaddr *sa)
{
	struct fetch_allow k;
	size_t i;

	allow_key(sa, &k);
	for (i = 0; i < l->n; i++)
		if (l->a[i].family == k.family &&
		    !memcmp(l->a[i].addr, k.addr, sizeof(k.addr)))
			return 1;
	return 0;
}

/* Parse "a,b,c" of literal IPv4/IPv6 addresses. -EINVAL on a bad one. */
static int
allowlist_parse(const char *s, struct fetch_allowlist *l)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	char tok[INET6_ADDRSTRLEN];
	size_t len;

	memset(l, 0, sizeof(*l));
	while (s && *s) {
		len = strcspn(s, ", \t");
		if (len >= sizeof(tok))
			return -EINVAL;
		if (len) {
			if (l->n == FETCH_MAX_ALLOW)
				return -EINVAL;
			memcpy(tok, s, len);
			tok[len] = '\0';
			memset(&in4, 0, sizeof(in4));
			memset(&in6, 0, sizeof(in6));
			if (inet_pton(AF_INET, tok, &in4.sin_addr) == 1) {
				in4.sin_family = AF_INET;
				allow_key((struct sockaddr *)&in4, &l->a[l->n]);
			} else if (inet_pton(AF_INET6, tok, &in6.sin6_addr) == 1) {
				in6.sin6_family = AF_INET6;
				allow_key((struct sockaddr *)&in6, &l->a[l->n]);
			} else {
				return -EINVAL;
			}
			l->n++;
		}
		s += len;
		s += strspn(s, ", \t");
	}
	return 0;
}

static curl_socket_t
open_socket(struct curl_sockaddr *a)
{
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* OPENSOCKETFUNCTION with the deny policy. clientp is the job (to record
 * which address was refused) or NULL for a bare easy handle. */
static curl_socket_t
open_filtered(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch_job *job = clientp;

	(void)purpose;
	if (a->family != AF_INET && a->family != AF_INET6)
		return CURL_SOCKET_BAD;
	if (fetch_addr_denied(&a->addr) != 0 &&
	    !(job && allowlisted(&job->allow, &a->addr))) {
		if (job) {
			job->denied = 1;
			addr_string(&a->addr, job->denied_addr,
				    sizeof(job->denied_addr));
		}
		return CURL_SOCKET_BAD;
	}
	return open_socket(a);
}

/* OPENSOCKETFUNCTION when private peers are allowed: loopback and private
 * networks pass, link-local (169.254/16, fe80::/10: cloud metadata
 * services, the router's own services) still does not unless allowlisted.
 * A test of this policy with a real link-local peer needs a network
 * namespace: tests/integration/test_linklocal.sh. */
static curl_socket_t
open_private(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch_job *job = clientp;

	(void)purpose;
	if (a->family != AF_INET && a->family != AF_INET6)
		return CURL_SOCKET_BAD;
	if (fetch_addr_link_local(&a->addr) != 0 &&
	    !(job && allowlisted(&job->allow, &a->addr))) {
		if (job) {
			job->denied = 1;
			addr_string(&a->addr, job->denied_addr,
				    sizeof(job->denied_addr));
		}
		return CURL_SOCKET_BAD;
	}
	return open_socket(a);
}

#define SETOPT(easy, opt, val) do { \
	CURLcode rc_ = curl_easy_setopt((easy), (opt), (val)); \
	if (rc_ != CURLE_OK) \
		return rc_; \
} while (0)

CURLcode
fetch_setup_easy(CURL *easy, const struct fetch_opts *o)
{
	curl_off_t max_body = o->max_body > (size_t)INT64_MAX ?
		(curl_off_t)INT64_MAX : (curl_off_t)o->max_body;

	SETOPT(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(easy, CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(easy, CURLOPT_MAXREDIRS, o->max_redirs);
	SETOPT(easy, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	SETOPT(easy, CURLOPT_TIMEOUT_MS, o->total_timeout_ms);
	SETOPT(easy, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_limit);
	SETOPT(easy, CURLOPT_LOW_SPEED_TIME, o->low_speed_time);
	/* Only stops bodies with a known length early (7.88.1 ignores it
	 * for chunked ones); the write callback enforces the real cap. */
	SETOPT(easy, CURLOPT_MAXFILESIZE_LARGE, max_body);
	SETOPT(easy, CURLOPT_ACCEPT_ENCODING, "");
	SETOPT(easy, CURLOPT_NOSIGNAL, 1L);
	SETOPT(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* An environment proxy would make the address filter judge the
	 * proxy instead of the publisher. */
	SETOPT(easy, CURLOPT_PROXY, "");
	SETOPT(easy, CURLOPT_USERAGENT,
	       o->user_agent ? o->user_agent : FETCH_UA);
	SETOPT(easy, CURLOPT_OPENSOCKETFUNCTION,
	       o->allow_private ? open_private : open_filtered);
	SETOPT(easy, CURLOPT_OPENSOCKETDATA, (void *)NULL);
	return CURLE_OK;
}

/* ---- per-transfer callbacks (run inside curl: never call curl) ------- */

static size_t
on_body(char *data, size_t size, size_t n, void *userp)
{
	struct fetch_job *job = userp;
	size_t len = size * n;

	if (len > job->max_body || job->body.len > job->max_body - len) {
		job->body_too_big = 1;
		return 0;
	}
	if (buf_append(&job->body, data, len) < 0) {
		job->nomem = 1;
		return 0;
	}
	return len;
}

static void
reset_captured(struct fetch_job *job)
{
	free(job->etag);
	free(job->last_modified);
	free(job->content_type);
	free(job->retry_after);
	free(job->cache_control);
	free(job->expires);
	job->etag = job->last_modified = job->content_type = NULL;
	job->retry_after = job->cache_control = job->expires = NULL;
}

/* Replace *dst by the trimmed value v[0..len). */
static int
capture(char **dst, const char *v, size_t len)
{
	char *s;

	while (len && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
		       v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	s = strndup(v, len);
	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static void
status_line(struct fetch_job *job, const char *line, size_t len)
{
	const char *sp = memchr(line, ' ', len);
	long code = 0;
	size_t i;

	if (sp)
		for (i = (size_t)(sp - line) + 1;
		     i < len && isdigit((unsigned char)line[i]); i++)
			code = code * 10 + (line[i] - '0');
	if (code >= 100 && code < 200)
		return;              /* interim response: headers follow */
	/* A new final response after a 3xx means curl followed that hop. */
	if (job->cur_status >= 300 && job->cur_status < 400 &&
	    job->cur_status != 301 && job->cur_status != 308)
		job->temp_hop = 1;
	job->cur_status = code;
	reset_captured(job);
}

static size_t
on_header(char *line, size_t size, size_t n, void *userp)
{
	static const struct { const char *name; size_t off; } keep[] = {
		{ "etag", offsetof(struct fetch_job, etag) },
		{ "last-modified", offsetof(struct fetch_job, last_modified) },
		{ "content-type", offsetof(struct fetch_job, content_type) },
		{ "retry-after", offsetof(struct fetch_job, retry_after) },
		{ "cache-control", offsetof(struct fetch_job, cache_control) },
		{ "expires", offsetof(struct fetch_job, expires) },
	};
	struct fetch_job *job = userp;
	size_t len = size * n, i, nl;
	const char *colon;

	if (len >= 5 && !memcmp(line, "HTTP/", 5)) {
		status_line(job, line, len);
		job->header_bytes = 0;
	}
	job->header_bytes += len;
	if (job->header_bytes > job->max_header) {
		job->headers_too_big = 1;
		return 0;
	}
	colon = memchr(line, ':', len);
	if (!colon)
		return len;
	nl = (size_t)(colon - line);
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		if (strlen(keep[i].name) != nl ||
		    strncasecmp(line, keep[i].name, nl))
			continue;
		if (capture((char **)(void *)((char *)job + keep[i].off),
			    colon + 1, len - nl - 1) < 0) {
			job->nomem = 1;
			return 0;
		}
		break;
	}
	return len;
}

/* ---- jobs ----------------------------------------------------------- */

static void
job_free(struct fetch_job *job)
{
	if (!job)
		return;
	if (job->easy)
		curl_easy_cleanup(job->easy);
	curl_slist_free_all(job->hdrs);
	curl_slist_free_all(job->rcpt);
	free(job->up);
	reset_captured(job);
	buf_free(&job->body);
	free(job->url);
	free(job);
}

static void
job_unlink(struct fetcher *f, struct fetch_job *job)
{
	if (job->prev)
		job->prev->next = job->next;
	else
		f->jobs = job->next;
	if (job->next)
		job->next->prev = job->prev;
	job->prev = job->next = NULL;
	f->active--;
}

/* Header values must not smuggle extra header lines. */
static int
header_value_ok(const char *s)
{
	return !s || !strpbrk(s, "\r\n");
}

static int
add_header(struct curl_slist **list, const char *name, const char *value)
{
	struct curl_slist *l;
	struct buf b = BUF_INIT;

	if (buf_printf(&b, "%s: %s", name, value) < 0)
		return -ENOMEM;
	l = curl_slist_append(*list, buf_str(&b));
	buf_free(&b);
	if (!l)
		return -ENOMEM;
	*list = l;
	return 0;
}

static size_t
on_upload(char *data, size_t size, size_t n, void *userp)
{
	struct fetch_job *job = userp;
	size_t want = size * n, left = job->up_len - job->up_off;

	if (want > left)
		want = left;
	memcpy(data, job->up + job->up_off, want);
	job->up_off += want;
	return want;
}

/* The SMTP half of a request (fetch_req's mail_*): -EINVAL, -ENOMEM. */
static int
job_setup_smtp(struct fetch_job *job, const struct fetch_req *r)
{
	CURL *e = job->easy;
	size_t i;

	for (i = 0; r->mail_rcpt && r->mail_rcpt[i]; i++) {
		struct curl_slist *l;

		if (!header_value_ok(r->mail_rcpt[i]))
			return -EINVAL;
		if (!(l = curl_slist_append(job->rcpt, r->mail_rcpt[i])))
			return -ENOMEM;
		job->rcpt = l;
	}
	if (!job->rcpt || !header_value_ok(r->mail_from) || !r->body)
		return -EINVAL;
	if (!(job->up = malloc(r->body_len ? r->body_len : 1)))
		return -ENOMEM;
	memcpy(job->up, r->body, r->body_len);
	job->up_len = r->body_len;
	if (curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps") ||
	    curl_easy_setopt(e, CURLOPT_MAIL_FROM, r->mail_from) ||
	    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, job->rcpt) ||
	    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L) ||
	    curl_easy_setopt(e, CURLOPT_READFUNCTION, on_upload) ||
	    curl_easy_setopt(e, CURLOPT_READDATA, job) ||
	    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
			     (curl_off_t)r->body_len) ||
	    curl_easy_setopt(e, CURLOPT_USE_SSL, r->require_tls ?
			     (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE) ||
	    (r->username &&
	     curl_easy_setopt(e, CURLOPT_USERNAME, r->username)) ||
	    (r->password &&
	     curl_easy_setopt(e, CURLOPT_PASSWORD, r->password)) ||
	    (r->ca_file && curl_easy_setopt(e, CURLOPT_CAINFO, r->ca_file)) ||
	    (r->timeout_ms > 0 &&
	     curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms)))
		return -EINVAL;
	return 0;
}

/* The sending half of a request (fetch_req's method, body, headers,
 * timeout_ms, no_redirects): -EINVAL for a header line with CR/LF or an
 * option curl refuses, -ENOMEM. */
static int
job_setup_send(struct fetch_job *job, const struct fetch_req *r)
{
	CURL *e = job->easy;
	size_t i;

	if (r->mail_from)
		return job_setup_smtp(job, r);
	for (i = 0; r->headers && r->headers[i]; i++) {
		struct curl_slist *l;

		if (!header_value_ok(r->headers[i]))
			return -EINVAL;
		l = curl_slist_append(job->hdrs, r->headers[i]);
		if (!l)
			return -ENOMEM;
		job->hdrs = l;
	}
	if (r->body) {
		struct curl_slist *l = curl_slist_append(job->hdrs, "Expect:");

		if (!l)
			return -ENOMEM;
		job->hdrs = l;
		if (curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
				     (curl_off_t)r->body_len) != CURLE_OK ||
		    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, r->body) !=
		    CURLE_OK)
			return -EINVAL;
	}
	if (r->method && strcmp(r->method, r->body ? "POST" : "GET") != 0 &&
	    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method) != CURLE_OK)
		return -EINVAL;
	if (r->timeout_ms > 0 &&
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms) != CURLE_OK)
		return -EINVAL;
	if (r->no_redirects &&
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK)
		return -EINVAL;
	return 0;
}

static int
job_setup(struct fetcher *f, struct fetch_job *job, const struct fetch_req *r)
{
	const struct fetch_opts *o = &f->opts;
	CURL *e = job->easy;

	if (fetch_setup_easy(e, o) != CURLE_OK)
		return -EINVAL;
	if (r->etag && *r->etag && add_header(&job->hdrs, "If-None-Match",
					      r->etag) < 0)
		return -ENOMEM;
	if (r->last_modified && *r->last_modified &&
	    add_header(&job->hdrs, "If-Modified-Since", r->last_modified) < 0)
		return -ENOMEM;
	if (job_setup_send(job, r) < 0)
		return -EINVAL;
	if (curl_easy_setopt(e, CURLOPT_URL, job->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, job->hdrs) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, job) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, job) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, job) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERDATA, job) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, job->errbuf) != CURLE_OK)
		return -ENOMEM;
	job->max_body = r->max_body ? r->max_body : o->max_body;
	if (r->max_body) {
		curl_off_t cap = r->max_body > (size_t)INT64_MAX ?
			(curl_off_t)INT64_MAX : (curl_off_t)r->max_body;

		if (curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, cap) !=
		    CURLE_OK)
			return -EINVAL;
	}
	job->max_header = o->max_header_bytes ? o->max_header_bytes :
		FETCH_MAX_HEADER_DEFAULT;
	job->total_timeout_ms = r->timeout_ms > 0 ? r->timeout_ms
						  : o->total_timeout_ms;
	job->connect_timeout_ms = o->connect_timeout_ms;
	job->low_speed_limit = o->low_speed_limit;
	job->low_speed_time = o->low_speed_time;
	job->max_redirs = o->max_redirs;
	job->allow_private = o->allow_private;
	job->allow = f->allow;
	return 0;
}

int
fetch_start(struct fetcher *f, const struct fetch_req *req, fetch_cb cb,
	    void *arg, struct fetch_job **out)
{
	struct fetch_job *job;
	int rc;

	if (!req || !req->url || !cb || !header_value_ok(req->etag) ||
	    !header_value_ok(req->last_modified))
		return -EINVAL;
	if (f->closing || !f->multi)
		return -ECANCELED;
	job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	job->f = f;
	job->cb = cb;
	job->arg = arg;
	rc = -ENOMEM;
	job->url = strdup(req->url);
	if (!job->url)
		goto fail;
	job->easy = curl_easy_init();
	if (!job->easy)
		goto fail;
	rc = job_setup(f, job, req);
	if (rc < 0)
		goto fail;
	if (curl_multi_add_handle(f->multi, job->easy) != CURLM_OK) {
		rc = -EIO;
		goto fail;
	}
	job->next = f->jobs;
	if (f->jobs)
		f->jobs->prev = job;
	f->jobs = job;
	f->active++;
	if (out)
		*out = job;
	return 0;
fail:
	job_free(job);
	return rc;
}

size_t
fetch_active(const struct fetcher *f)
{
	return f->active;
}

void
fetch_cancel(struct fetcher *f, struct fetch_job *job)
{
	if (!job)
		return;
	job_unlink(f, job);
	if (f->multi)
		curl_multi_remove_handle(f->multi, job->easy);
	job_free(job);
}

/* ---- completion ------------------------------------------------------ */

static int64_t
parse_retry_after(const char *s)
{
	struct date_value d;
	size_t len = strlen(s), i;
	int64_t v = 0, now;

	if (!len)
		return -1;
	for (i = 0; i < len && isdigit((unsigned char)s[i]); i++)
		if (v < INT64_MAX / 10 - 10)
			v = v * 10 + (s[i] - '0');
	if (i == len)
		return v;
	if (date_parse(s, len, &d) < 0)
		return -1;
	now = (int64_t)time(NULL);
	return d.epoch > now ? d.epoch - now : 0;
}

static const char *
timeout_msg(struct fetch_job *job, struct buf *m)
{
	if (!strncmp(job->errbuf, "Operation too slow", 18))
		buf_printf(m, "slower than %ld B/s for %ld s",
			   job->low_speed_limit, job->low_speed_time);
	else if (!job->connected && job->connect_timeout_ms > 0 &&
		 (job->total_timeout_ms <= 0 ||
		  job->connect_timeout_ms < job->total_timeout_ms))
		buf_printf(m, "connect timed out after %g s",
			   (double)job->connect_timeout_ms / 1000);
	else
		buf_printf(m, "timed out after %g s",
			   (double)job->total_timeout_ms / 1000);
	return buf_str(m);
}

/* Turn a CURLcode into the negative errno and message of fetch.h. */
static int
map_error(struct fetch_job *job, CURLcode rc, struct buf *m)
{
	const char *detail = job->errbuf[0] ? job->errbuf :
		curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_OK:
		return 0;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (job->nomem) {
			buf_puts(m, "out of memory");
			return -ENOMEM;
		}
		if (job->headers_too_big) {
			buf_printf(m, "response headers exceed %zu bytes",
				   job->max_header);
			return -EFBIG;
		}
		if (job->body_too_big || rc == CURLE_FILESIZE_EXCEEDED) {
			buf_printf(m, "body exceeds %zu bytes", job->max_body);
			return -EFBIG;
		}
		buf_printf(m, "write error: %s", detail);
		return -EIO;
	case CURLE_OPERATION_TIMEDOUT:
		timeout_msg(job, m);
		return -ETIMEDOUT;
	case CURLE_TOO_MANY_REDIRECTS:
		buf_printf(m, "too many redirects (%ld)", job->max_redirs);
		return -ELOOP;
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* curl says this too for a peer that answers without an
		 * HTTP status line (HTTP/0.9 is off): another protocol on
		 * that port, not a scheme of the URL. */
		if (strstr(detail, "HTTP/0.9"))
			buf_printf(m, "the server did not answer in HTTP (another service on that port?)");
		else
			buf_printf(m, "scheme not allowed: %s", detail);
		return -EPROTONOSUPPORT;
	case CURLE_COULDNT_CONNECT:
		if (job->denied) {
			buf_printf(m, "connect to %s refused by address policy",
				   job->denied_addr);
			return -EACCES;
		}
		buf_printf(m, "connect failed: %s", detail);
		return -EHOSTUNREACH;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		buf_printf(m, "DNS lookup failed: %s", detail);
		return -EHOSTUNREACH;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		buf_printf(m, "connection reset: %s", detail);
		return -ECONNRESET;
	case CURLE_OUT_OF_MEMORY:
		buf_puts(m, "out of memory");
		return -ENOMEM;
	case CURLE_URL_MALFORMAT:
		buf_printf(m, "malformed URL: %s", detail);
		return -EINVAL;
	default:
		buf_printf(m, "%s (curl %d)", detail, (int)rc);
		return -EPROTO;
	}
}

static void
complete(struct fetcher *f, CURL *easy, CURLcode rc)
{
	struct fetch_result res;
	struct fetch_job *job = NULL;
	struct buf msg = BUF_INIT;
	char *eff = NULL, *effurl = NULL;
	long status = 0, redirects = 0;
	curl_off_t connect_us = 0;
	double t = 0;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&job);
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &redirects);
	curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &t);
	curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &eff);
	curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect_us);
	curl_multi_remove_handle(f->multi, easy);
	if (!job)
		return;
	job->connected = connect_us > 0;
	job_unlink(f, job);
	effurl = strdup(eff ? eff : job->url);

	memset(&res, 0, sizeof(res));
	res.error = map_error(job, rc, &msg);
	if (res.error == 0 && !effurl)
		res.error = -ENOMEM;
	res.error_msg = res.error ? buf_str(&msg) : NULL;
	if (res.error == -ENOMEM && !msg.len)
		res.error_msg = "out of memory";
	res.status = status;
	res.body = buf_str(&job->body);
	res.len = job->body.len;
	res.content_type = job->content_type;
	res.etag = job->etag;
	res.last_modified = job->last_modified;
	res.effective_url = effurl ? effurl : job->url;
	if (res.error == 0 && redirects > 0 && !job->temp_hop)
		res.permanent_url = res.effective_url;
	res.retry_after = job->retry_after ?
		parse_retry_after(job->retry_after) : -1;
	res.cache_control = job->cache_control;
	res.expires = job->expires;
	res.total_time = t;

	job->cb(job->arg, &res);
	buf_free(&msg);
	free(effurl);
	job_free(job);
}

static void
drain(struct fetcher *f)
{
	CURLMsg *m;
	int left;

	/* A callback may close the fetcher (multi becomes NULL). */
	while (f->multi && (m = curl_multi_info_read(f->multi, &left))) {
		if (m->msg == CURLMSG_DONE)
			complete(f, m->easy_handle, m->data.result);
	}
}

/* ---- libuv glue ------------------------------------------------------ */

static void fail_all(struct fetcher *f, const char *why);

static void
on_timeout(uv_timer_t *t)
{
	struct fetcher *f = t->data;
	int running;

	if (!f->multi)
		return;
	if (curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0,
				     &running) != CURLM_OK) {
		fail_all(f, "curl_multi_socket_action failed");
		return;
	}
	drain(f);
}

static void
on_poll(uv_poll_t *p, int status, int events)
{
	struct fetch_sock *s = p->data;
	struct fetcher *f = s->f;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	if (!f->multi)
		return;
	/* s may be closed by the REMOVE this call triggers: not used after. */
	if (curl_multi_socket_action(f->multi, s->fd, flags, &running) !=
	    CURLM_OK) {
		fail_all(f, "curl_multi_socket_action failed");
		return;
	}
	drain(f);
}

static void
maybe_finish(struct fetcher *f)
{
	if (!f->closing || !f->timer_closed || f->nsocks)
		return;
	if (f->done)
		f->done(f->done_arg);
	free(f->user_agent);
	free(f);
}

static void
on_sock_closed(uv_handle_t *h)
{
	struct fetch_sock *s = h->data;
	struct fetcher *f = s->f;

	free(s);
	f->nsocks--;
	maybe_finish(f);
}

static void
sock_close(struct fetcher *f, struct fetch_sock *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		f->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	uv_poll_stop(&s->poll);
	uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

/* CURLMOPT_SOCKETFUNCTION: called from inside curl, arms libuv only. */
static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct fetcher *f = userp;
	struct fetch_sock *s = sockp;
	int mask = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			/* the multi handle being destroyed forgets it anyway */
			if (!f->cleaning)
				curl_multi_assign(f->multi, fd, NULL);
			sock_close(f, s);
		}
		return 0;
	}
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -1;
		if (uv_poll_init_socket(f->loop, &s->poll, fd) < 0) {
			free(s);
			return -1;
		}
		s->poll.data = s;
		s->fd = fd;
		s->f = f;
		s->next = f->socks;
		if (f->socks)
			f->socks->prev = s;
		f->socks = s;
		f->nsocks++;
		curl_multi_assign(f->multi, fd, s);
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		mask |= UV_READABLE;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		mask |= UV_WRITABLE;
	if (uv_poll_start(&s->poll, mask, on_poll) < 0)
		return -1;
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: never calls curl. */
static int
on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct fetcher *f = userp;

	(void)multi;
	if (f->timer_closed || uv_is_closing((uv_handle_t *)&f->timer))
		return 0;
	if (timeout_ms < 0)
		uv_timer_stop(&f->timer);
	else
		uv_timer_start(&f->timer, on_timeout, (uint64_t)timeout_ms, 0);
	return 0;
}

static int
multi_configure(struct fetcher *f)
{
	CURLM *m = f->multi;

	if (curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_socket) ||
	    curl_multi_setopt(m, CURLMOPT_SOCKETDATA, f) ||
	    curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, on_curl_timer) ||
	    curl_multi_setopt(m, CURLMOPT_TIMERDATA, f) ||
	    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS,
			      f->opts.max_total_conns) ||
	    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS,
			      f->opts.max_host_conns) ||
	    curl_multi_setopt(m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX))
		return -EIO;
	return 0;
}

/* Close every poll handle still open: curl_multi_cleanup does not always
 * report REMOVE for the sockets of cached connections. */
static void
close_all_socks(struct fetcher *f)
{
	while (f->socks)
		sock_close(f, f->socks);
}

/* curl_multi_cleanup may still call on_socket (REMOVE) and on_curl_timer,
 * so the loop and the contexts must be alive; then close what is left. */
static void
multi_destroy(struct fetcher *f)
{
	if (f->multi) {
		f->cleaning = 1;
		curl_multi_cleanup(f->multi);
		f->cleaning = 0;
		f->multi = NULL;
	}
	close_all_socks(f);
}

/* The multi handle is unusable (PATTERNS.md pitfall 5): fail every job
 * and start over with a fresh one. */
static void
fail_all(struct fetcher *f, const char *why)
{
	struct fetch_result res;
	struct fetch_job *job;

	while ((job = f->jobs)) {
		job_unlink(f, job);
		curl_multi_remove_handle(f->multi, job->easy);
		memset(&res, 0, sizeof(res));
		res.error = -EIO;
		res.error_msg = why;
		res.effective_url = job->url;
		res.retry_after = -1;
		res.body = "";
		job->cb(job->arg, &res);
		job_free(job);
		if (!f->multi)
			return;      /* the callback closed the fetcher */
	}
	multi_destroy(f);
	f->multi = curl_multi_init();
	if (f->multi && multi_configure(f) < 0) {
		curl_multi_cleanup(f->multi);
		f->multi = NULL;
	}
}

/* Copy o into f; the allowlist is parsed, so opts.allow_addrs is not
 * kept (NULL). */
static int
opts_copy(struct fetcher *f, const struct fetch_opts *o)
{
	struct fetch_allowlist allow;
	char *ua;

	if (allowlist_parse(o->allow_addrs, &allow) < 0)
		return -EINVAL;
	ua = strdup(o->user_agent ? o->user_agent : FETCH_UA);
	if (!ua)
		return -ENOMEM;
	free(f->user_agent);
	f->opts = *o;
	f->user_agent = ua;
	f->opts.user_agent = ua;
	f->opts.allow_addrs = NULL;
	f->allow = allow;
	return 0;
}

int
fetch_new(uv_loop_t *loop, const struct fetch_opts *o, struct fetcher **out)
{
	struct fetch_opts def;
	struct fetcher *f;
	int rc;

	if (!o) {
		fetch_opts_default(&def);
		o = &def;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->loop = loop;
	rc = opts_copy(f, o);
	if (rc < 0)
		goto fail;
	rc = -EIO;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		goto fail;
	f->multi = curl_multi_init();
	if (!f->multi || multi_configure(f) < 0)
		goto fail;
	if (uv_timer_init(loop, &f->timer) < 0)
		goto fail;
	f->timer.data = f;
	*out = f;
	return 0;
fail:
	if (f->multi)
		curl_multi_cleanup(f->multi);
	free(f->user_agent);
	free(f);
	return rc;
}

int
fetch_set_opts(struct fetcher *f, const struct fetch_opts *o)
{
	int rc = opts_copy(f, o);

	if (rc < 0)
		return rc;
	if (f->multi && multi_configure(f) < 0)
		return -EIO;
	return 0;
}

static void
on_timer_closed(uv_handle_t *h)
{
	struct fetcher *f = h->data;

	f->timer_closed = 1;
	maybe_finish(f);
}

void
fetch_close(struct fetcher *f, void (*done)(void *arg), void *arg)
{
	struct fetch_job *job;

	if (!f || f->closing)
		return;
	f->closing = 1;
	f->done = done;
	f->done_arg = arg;
	while ((job = f->jobs)) {
		job_unlink(f, job);
		if (f->multi)
			curl_multi_remove_handle(f->multi, job->easy);
		job_free(job);
	}
	multi_destroy(f);
	uv_timer_stop(&f->timer);
	uv_close((uv_handle_t *)&f->timer, on_timer_closed);
}
