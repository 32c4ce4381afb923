/* fetch — HTTP(S) transfers with libcurl's multi-socket API driven by the
 * libuv loop (docs/internals.md; ../shared/PATTERNS.md). Everything runs on
 * the loop thread. One struct fetcher serves the whole daemon.
 *
 * Every easy handle gets the same hardened options (fetch_setup_easy):
 * http/https only, at most max_redirs redirects, connect/total/low-speed
 * timeouts, decoded-size cap counted in the write callback, header-size
 * cap, Accept-Encoding for every decoder libcurl has, TLS verification on,
 * and an address filter (OPENSOCKETFUNCTION) that refuses loopback,
 * private and link-local peers unless allow_private is set; link-local stays
 * refused even then, unless its address is in allow_addrs.
 */
#ifndef BW_FETCH_H
#define BW_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <uv.h>

struct fetcher;
struct fetch_job;

struct fetch_opts {
	const char *user_agent;     /* copied */
	long max_total_conns;       /* CURLMOPT_MAX_TOTAL_CONNECTIONS */
	long max_host_conns;        /* CURLMOPT_MAX_HOST_CONNECTIONS */
	size_t max_body;            /* decoded bytes; past it: -EFBIG */
	long connect_timeout_ms;
	long total_timeout_ms;
	long low_speed_limit;       /* bytes/s ... */
	long low_speed_time;        /* ... for this many seconds: -ETIMEDOUT */
	long max_redirs;
	int allow_private;          /* 1: loopback/private peers allowed
				     * (link-local still needs allow_addrs) */
	size_t max_header_bytes;    /* per response; past it: -EFBIG */
	const char *allow_addrs;    /* NULL, or comma-separated literal IPs
				     * let through although the policy
				     * denies them (one intranet host);
				     * at most 16; copied */
};

/* Defaults: UA "briefwatch/VERSION (+https://github.com/briefwatch)",
 * 32 total, 2 per host, 16 MiB, 10 s connect, 60 s total, 100 B/s for
 * 20 s, 5 redirects, private peers denied, 64 KiB of response headers.
 * A zero max_header_bytes (a struct filled by hand) means the default. */
void fetch_opts_default(struct fetch_opts *o);

struct fetch_req {
	const char *url;           /* copied */
	const char *etag;          /* If-None-Match, or NULL; copied */
	const char *last_modified; /* If-Modified-Since, or NULL; copied */
	size_t max_body;           /* this request's cap on decoded bytes;
				    * 0: the fetcher's max_body */
	/* Sending (the outputs): all optional, absent = a plain GET. */
	const char *method;        /* NULL: GET, or POST when body is set */
	const char *body;          /* request body (copied), or NULL */
	size_t body_len;
	const char *const *headers; /* NULL-terminated "Name: value" lines
				    * (copied); no CR or LF inside */
	long timeout_ms;           /* this request's total timeout; 0: the
				    * fetcher's */
	int no_redirects;          /* 1: a 3xx is the answer, not followed */
	/* SMTP (the mail outputs): with mail_from set, url is smtp:// or
	 * smtps://, body is the whole message (headers, blank line, text)
	 * and headers are not used. status is the last SMTP reply code. */
	const char *mail_from;
	const char *const *mail_rcpt; /* NULL-terminated */
	const char *username, *password; /* or NULL */
	int require_tls;           /* 1: STARTTLS required for smtp:// */
	const char *ca_file;       /* trust these CAs instead, or NULL */
};

struct fetch_result {
	int error;                 /* 0 when an HTTP response was received
				    * (any status); else negative errno:
				    * -ETIMEDOUT, -EFBIG, -EACCES (address
				    * refused), -ELOOP (too many redirects),
				    * -EPROTONOSUPPORT (scheme), -EHOSTUNREACH
				    * (DNS/connect), -ECONNRESET, -EPROTO,
				    * -ECANCELED, -ENOMEM */
	const char *error_msg;     /* human-readable cause when error != 0 */
	long status;               /* HTTP status, 0 without a response */
	const char *body;          /* NUL-terminated; len bytes */
	size_t len;
	const char *content_type;  /* headers of the final response, or NULL */
	const char *etag;
	const char *last_modified;
	const char *effective_url; /* after redirects */
	const char *permanent_url; /* set when the request was redirected and
				    * every hop was 301 or 308: the final URL */
	int64_t retry_after;       /* seconds from now, -1 when absent */
	const char *cache_control; /* raw headers, or NULL (sched hints) */
	const char *expires;
	double total_time;         /* seconds */
};

/* Called once per started job, on the loop thread. res and everything it
 * points to are borrowed for the duration of the call. The callback may
 * start new jobs, cancel other jobs or fetch_close() the fetcher; its own
 * job is already finished (do not cancel it). */
typedef void (*fetch_cb)(void *arg, const struct fetch_result *res);

/* Create the fetcher on loop. 0 and *out, or -ENOMEM / -EIO, or -EINVAL
 * (a malformed allow_addrs; fetch_set_opts too). */
int fetch_new(uv_loop_t *loop, const struct fetch_opts *o,
	      struct fetcher **out);
/* Replace the options used for jobs started from now on. */
int fetch_set_opts(struct fetcher *f, const struct fetch_opts *o);

/* Start a GET. On success cb will be called exactly once (unless the job
 * is cancelled) and, if job is not NULL, *job identifies it until then.
 * On failure cb is never called. */
int fetch_start(struct fetcher *f, const struct fetch_req *req, fetch_cb cb,
		void *arg, struct fetch_job **job);
/* Abort a job that has not completed; its callback is not called. */
void fetch_cancel(struct fetcher *f, struct fetch_job *job);
/* Jobs started and not yet completed. */
size_t fetch_active(const struct fetcher *f);

/* Cancel every job (callbacks not called), release curl, and close the
 * timer and poll handles; done(arg) runs from the close callback once
 * every handle is closed, after which the fetcher is freed. */
void fetch_close(struct fetcher *f, void (*done)(void *arg), void *arg);

/* Apply the hardened option set to an easy handle (exposed so a unit test
 * can assert it). Returns CURLE_OK or the first failing option's code. */
CURLcode fetch_setup_easy(CURL *easy, const struct fetch_opts *o);

/* The address policy behind the filter: 1 when sa (AF_INET or AF_INET6,
 * IPv4 embedded in IPv6 included) is loopback, private (RFC 1918, ULA),
 * link-local, CGNAT, multicast, unspecified, broadcast or reserved; 0 for
 * a public address; -1 for another family. */
struct sockaddr;
int fetch_addr_denied(const struct sockaddr *sa);
/* 1 when sa is link-local (169.254/16, fe80::/10, IPv4 link-local
 * embedded in IPv6), which allow_private does not open; 0 otherwise; -1
 * for another family. */
int fetch_addr_link_local(const struct sockaddr *sa);

#endif
