/* proto — the subscriber socket's line protocol (docs/protocol.md):
 * decoding one client line into a request, encoding server lines. Pure
 * functions, fuzzable.
 */
#ifndef BW_PROTO_H
#define BW_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct buf;

/* Limits on one request (docs/protocol.md "Limits"). Longer arrays or
 * strings are refused with "bad_request". */
#define PROTO_MAX_ITEMS 64     /* entries in feeds/speakers/kinds/lang */
#define PROTO_MAX_NAME 256     /* bytes of one feed/speaker/kind/field */
#define PROTO_MAX_QUERY 1024   /* bytes of a full-text query */
#define PROTO_MAX_LIMIT 1000   /* search "limit" */
#define PROTO_MAX_URL 4096     /* add_feed "url" */
#define PROTO_MAX_SEQ 9007199254740991LL /* subscribe "since": 2^53 - 1 */

enum proto_op {
	PROTO_SUBSCRIBE = 1,
	PROTO_UNSUBSCRIBE,
	PROTO_SEARCH,
	PROTO_GET,
	PROTO_STATUS,
	PROTO_FEEDS,
	PROTO_POLL,   /* privileged */
	PROTO_RELOAD, /* privileged */
	PROTO_PING,
	PROTO_ADD_FEED,    /* privileged */
	PROTO_REMOVE_FEED, /* privileged */
	PROTO_OUTPUT_RETRY, /* privileged; "output": its name (poll_feed) */
	PROTO_ADD_OUTPUT,   /* privileged; "output" and "conf" */
	PROTO_REMOVE_OUTPUT, /* privileged; "output" */
};

/* Every string and array below is owned by the request (malloc'd, NUL-
 * terminated) and freed by proto_req_clear; absent ones are NULL/0. */
struct proto_req {
	enum proto_op op;
	json_t *id;          /* optional client "id" (a string or an integer),
			      * echoed in replies; or NULL. For "get" it is
			      * also the briefing id. Own reference. */
	/* subscribe */
	int64_t since;       /* -1: live only (no replay) */
	char **feeds;   size_t nfeeds;
	char **speakers; size_t nspeakers;
	char **kinds;   size_t nkinds;
	char **langs;   size_t nlangs; /* "lang": subtags, lower case */
	char *query;         /* FTS5 standing search, or NULL */
	/* search */
	char *speaker, *feed, *kind, *date_since, *date_until;
	char *lang;          /* stem the query in this language, or NULL */
	size_t limit;
	/* get */
	int64_t get_id;
	/* poll, add_feed, remove_feed: the feed name, required */
	char *poll_feed;
	/* add_feed */
	char *feed_url;      /* required */
	char *feed_profile;
	char *feed_interval; /* a duration as in the configuration ("15m") */
	int feed_fetch_pages; /* -1: absent, else 0/1 */
	/* add_output: the section's keys, an object of strings (own ref) */
	json_t *output_conf;
};

/* Decode one line (without its newline). 0 and *req filled (free with
 * proto_req_clear), or -EINVAL with a static message in *why and the
 * error code for the reply ("bad_json", "bad_request", "unknown_op") in
 * *code. */
int proto_decode(const char *line, size_t len, struct proto_req *req,
		 const char **code, const char **why);
void proto_req_clear(struct proto_req *req);
int proto_is_privileged(enum proto_op op);
/* "subscribe", "poll", ...: the op's wire name (static). */
const char *proto_op_name(enum proto_op op);

/* Encode {"type":"error","code":code,"message":msg} plus "id" if given, as
 * one line ending in '\n'. Returns malloc'd text or NULL on ENOMEM. */
char *proto_error_line(const char *code, const char *msg, const json_t *id);
/* Encode any JSON object as one line ending in '\n' (compact). Returns
 * malloc'd text or NULL on ENOMEM. */
char *proto_line(const json_t *obj);
/* Append obj as one compact line ending in '\n' to b (buf.h).
 * 0 or -ENOMEM (b unchanged). */
int proto_append_line(struct buf *b, const json_t *obj);

#endif
