/* proto — the subscriber socket's line protocol (docs/protocol.md):
 * decoding one client line into a request, encoding server lines. Pure
 * functions, fuzzable.
 */
#ifndef BW_PROTO_H
#define BW_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

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
};

struct proto_req {
	enum proto_op op;
	json_t *id;          /* optional client "id", echoed in replies; or NULL */
	/* subscribe */
	int64_t since;       /* -1: live only (no replay) */
	char **feeds;   size_t nfeeds;
	char **speakers; size_t nspeakers;
	char **kinds;   size_t nkinds;
	char *query;         /* FTS5 standing search, or NULL */
	/* search */
	char *speaker, *feed, *kind, *date_since, *date_until;
	size_t limit;
	/* get */
	int64_t get_id;
	/* poll */
	char *poll_feed;
};

/* Decode one line (without its newline). 0 and *req filled (free with
 * proto_req_clear), or -EINVAL with a static message in *why and the
 * error code for the reply ("bad_json", "bad_request", "unknown_op") in
 * *code. */
int proto_decode(const char *line, size_t len, struct proto_req *req,
		 const char **code, const char **why);
void proto_req_clear(struct proto_req *req);
int proto_is_privileged(enum proto_op op);

/* Encode {"type":"error","code":code,"message":msg} plus "id" if given, as
 * one line ending in '\n'. Returns malloc'd text or NULL on ENOMEM. */
char *proto_error_line(const char *code, const char *msg, const json_t *id);
/* Encode any JSON object as one line ending in '\n' (compact). */
char *proto_line(const json_t *obj);

#endif
