/* proto — decoding one client line, encoding server lines. Pure: no I/O,
 * no globals, no logging. See docs/protocol.md for the wire format.
 */
#include "proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "briefing.h"
#include "buf.h"
#include "config.h"
#include "qdate.h"

/* add_feed takes the URLs a [feed NAME] section takes, no longer. */
_Static_assert(PROTO_MAX_URL == CONFIG_MAX_URL,
	       "add_feed's URL limit is the configuration's");

/* Op names, indexed by enum proto_op; a table instead of an if-chain. */
static const struct {
	const char *name;
	enum proto_op op;
	int privileged;
} ops[] = {
	{"subscribe", PROTO_SUBSCRIBE, 0},
	{"unsubscribe", PROTO_UNSUBSCRIBE, 0},
	{"search", PROTO_SEARCH, 0},
	{"get", PROTO_GET, 0},
	{"status", PROTO_STATUS, 0},
	{"feeds", PROTO_FEEDS, 0},
	{"poll", PROTO_POLL, 1},
	{"reload", PROTO_RELOAD, 1},
	{"ping", PROTO_PING, 0},
	{"add_feed", PROTO_ADD_FEED, 1},
	{"remove_feed", PROTO_REMOVE_FEED, 1},
	{"output_retry", PROTO_OUTPUT_RETRY, 1},
	{"add_output", PROTO_ADD_OUTPUT, 1},
	{"remove_output", PROTO_REMOVE_OUTPUT, 1},
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

const char *
proto_op_name(enum proto_op op)
{
	size_t i;

	for (i = 0; i < NOPS; i++)
		if (ops[i].op == op)
			return ops[i].name;
	return "?";
}

int
proto_is_privileged(enum proto_op op)
{
	size_t i;

	for (i = 0; i < NOPS; i++)
		if (ops[i].op == op)
			return ops[i].privileged;
	return 0;
}

void
proto_req_clear(struct proto_req *req)
{
	size_t i;

	if (!req)
		return;
	json_decref(req->id);
	for (i = 0; i < req->nfeeds; i++)
		free(req->feeds[i]);
	for (i = 0; i < req->nspeakers; i++)
		free(req->speakers[i]);
	for (i = 0; i < req->nkinds; i++)
		free(req->kinds[i]);
	for (i = 0; i < req->nlangs; i++)
		free(req->langs[i]);
	free(req->langs);
	free(req->feeds);
	free(req->speakers);
	free(req->kinds);
	free(req->query);
	free(req->speaker);
	free(req->feed);
	free(req->kind);
	free(req->date_since);
	free(req->date_until);
	free(req->lang);
	free(req->poll_feed);
	free(req->feed_url);
	free(req->feed_profile);
	free(req->feed_interval);
	json_decref(req->output_conf);
	memset(req, 0, sizeof(*req));
	req->since = -1;
	req->feed_fetch_pages = -1;
}

/* Decoding state: the first failure wins; later helpers do nothing. */
struct dec {
	const json_t *obj;
	const char *code, *why;
	int err;
};

static void
fail(struct dec *d, int err, const char *code, const char *why)
{
	if (d->err)
		return;
	d->err = err;
	d->code = code;
	d->why = why;
}

/* An optional string member of at most max bytes, without NUL bytes. */
static void
get_string(struct dec *d, const char *key, size_t max, char **dst,
	   const char *why)
{
	const json_t *v = json_object_get(d->obj, key);

	if (d->err || !v || json_is_null(v))
		return;
	if (!json_is_string(v) || json_string_length(v) > max ||
	    json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		fail(d, -EINVAL, "bad_request", why);
		return;
	}
	*dst = strdup(json_string_value(v));
	if (!*dst)
		fail(d, -ENOMEM, "internal", "out of memory");
}

/* An optional array of non-empty strings: the value v. */
static void
get_list_value(struct dec *d, const json_t *v, char ***dst, size_t *n,
	       const char *why)
{
	const json_t *e;
	size_t i, len;

	if (d->err || !v || json_is_null(v))
		return;
	if (!json_is_array(v) || json_array_size(v) > PROTO_MAX_ITEMS) {
		fail(d, -EINVAL, "bad_request", why);
		return;
	}
	len = json_array_size(v);
	if (len == 0)
		return;
	*dst = calloc(len, sizeof(**dst));
	if (!*dst) {
		fail(d, -ENOMEM, "internal", "out of memory");
		return;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || json_string_length(e) == 0 ||
		    json_string_length(e) > PROTO_MAX_NAME ||
		    strlen(json_string_value(e)) != json_string_length(e)) {
			fail(d, -EINVAL, "bad_request", why);
			return;
		}
		(*dst)[i] = strdup(json_string_value(e));
		if (!(*dst)[i]) {
			fail(d, -ENOMEM, "internal", "out of memory");
			return;
		}
		*n = i + 1;
	}
}

/* An optional array of non-empty strings: the member key. */
static void
get_list(struct dec *d, const char *key, char ***dst, size_t *n,
	 const char *why)
{
	get_list_value(d, json_object_get(d->obj, key), dst, n, why);
}

/* subscribe's "lang": language subtags ("en", "fra"), an array or one
 * string, lower-cased. A region ("en-GB") is refused rather than read as
 * "en": records keep the primary subtag only (docs/record.md), so it
 * could never narrow the filter, and widening it silently would not be
 * what was asked. "und", "mul", "zxx" name no language: no record has
 * them. */
static void
get_langs(struct dec *d, struct proto_req *req)
{
	static const char why[] =
		"\"lang\" must be a language code or an array of at most 64: "
		"2- or 3-letter primary subtags such as \"en\" or \"fr\" "
		"(records keep no region: \"en\" matches every English page)";
	const json_t *v = json_object_get(d->obj, "lang");
	json_t *one = NULL;
	size_t i, k;
	char *c;

	if (json_is_string(v) && !(v = one = json_pack("[O]", v))) {
		fail(d, -ENOMEM, "internal", "out of memory");
		return;
	}
	get_list_value(d, v, &req->langs, &req->nlangs, why);
	json_decref(one);
	for (i = 0; !d->err && i < req->nlangs; i++) {
		c = req->langs[i];
		for (k = 0; c[k]; k++) {
			if ((c[k] | 0x20) < 'a' || (c[k] | 0x20) > 'z')
				break;
			c[k] = (char)(c[k] | 0x20);
		}
		if (c[k] || k < 2 || k > 3 || !strcmp(c, "und") ||
		    !strcmp(c, "mul") || !strcmp(c, "zxx"))
			fail(d, -EINVAL, "bad_request", why);
	}
}

static void
decode_subscribe(struct dec *d, struct proto_req *req)
{
	const json_t *since = json_object_get(d->obj, "since");
	size_t i;

	if (since && !json_is_null(since)) {
		/* 2^53 - 1: the largest integer every JSON peer holds
		 * exactly, and far from int64_t's overflow in seq sums. */
		if (!json_is_integer(since) || json_integer_value(since) < 0 ||
		    json_integer_value(since) > PROTO_MAX_SEQ) {
			fail(d, -EINVAL, "bad_request",
			     "\"since\" must be an integer from 0 to "
			     "9007199254740991");
			return;
		}
		req->since = json_integer_value(since);
	}
	get_list(d, "feeds", &req->feeds, &req->nfeeds,
		 "\"feeds\" must be an array of at most 64 non-empty strings");
	get_list(d, "speakers", &req->speakers, &req->nspeakers,
		 "\"speakers\" must be an array of at most 64 non-empty "
		 "strings");
	get_list(d, "kinds", &req->kinds, &req->nkinds,
		 "\"kinds\" must be an array of at most 64 kind names");
	for (i = 0; !d->err && i < req->nkinds; i++)
		if (briefing_kind_parse(req->kinds[i]) < 0)
			fail(d, -EINVAL, "bad_request",
			     "unknown kind in \"kinds\" (transcript, speech, "
			     "release, other)");
	get_langs(d, req);
	get_string(d, "query", PROTO_MAX_QUERY, &req->query,
		   "\"query\" must be a non-empty string of at most 1024 "
		   "bytes");
}

static void
decode_search(struct dec *d, struct proto_req *req)
{
	const json_t *limit = json_object_get(d->obj, "limit");
	static const char why[] = "search fields must be non-empty strings "
				  "of at most 256 bytes";

	get_string(d, "query", PROTO_MAX_QUERY, &req->query,
		   "\"query\" must be a non-empty string of at most 1024 "
		   "bytes");
	get_string(d, "speaker", PROTO_MAX_NAME, &req->speaker, why);
	get_string(d, "feed", PROTO_MAX_NAME, &req->feed, why);
	get_string(d, "kind", PROTO_MAX_NAME, &req->kind, why);
	get_string(d, "since", PROTO_MAX_NAME, &req->date_since, why);
	get_string(d, "until", PROTO_MAX_NAME, &req->date_until, why);
	get_string(d, "lang", PROTO_MAX_NAME, &req->lang, why);
	if (!d->err && req->kind && briefing_kind_parse(req->kind) < 0)
		fail(d, -EINVAL, "bad_request", "unknown \"kind\"");
	if (!d->err && req->date_since && qdate_check(req->date_since) < 0)
		fail(d, -EINVAL, "bad_request", "\"since\" " QDATE_SHAPES);
	if (!d->err && req->date_until && qdate_check(req->date_until) < 0)
		fail(d, -EINVAL, "bad_request", "\"until\" " QDATE_SHAPES);
	if (d->err || !limit || json_is_null(limit))
		return;
	if (!json_is_integer(limit) || json_integer_value(limit) < 1 ||
	    json_integer_value(limit) > PROTO_MAX_LIMIT) {
		fail(d, -EINVAL, "bad_request",
		     "\"limit\" must be an integer from 1 to 1000");
		return;
	}
	req->limit = (size_t)json_integer_value(limit);
}

/* add_feed: the same fields as a [feed NAME] section; the daemon checks
 * the values as the configuration parser does. */
static void
decode_add_feed(struct dec *d, struct proto_req *req)
{
	const json_t *fp = json_object_get(d->obj, "fetch_pages");
	static const char why[] = "add_feed fields must be non-empty strings "
				  "of at most 256 bytes (url: 4096)";

	get_string(d, "url", PROTO_MAX_URL, &req->feed_url, why);
	get_string(d, "profile", PROTO_MAX_NAME, &req->feed_profile, why);
	get_string(d, "interval", PROTO_MAX_NAME, &req->feed_interval, why);
	if (!d->err && !req->feed_url)
		fail(d, -EINVAL, "bad_request",
		     "\"add_feed\" needs \"url\": the feed's http(s) URL");
	if (d->err || !fp || json_is_null(fp))
		return;
	if (!json_is_boolean(fp)) {
		fail(d, -EINVAL, "bad_request",
		     "\"fetch_pages\" must be true or false");
		return;
	}
	req->feed_fetch_pages = json_is_true(fp);
}

/* add_output: "conf", the [output NAME] section's keys as an object of
 * strings without control characters (checked again by the daemon as the
 * configuration parser checks them). */
static void
decode_add_output(struct dec *d, struct proto_req *req)
{
	json_t *c = json_object_get(d->obj, "conf"), *v;
	const char *k, *s;

	if (d->err)
		return;
	if (!json_is_object(c) || json_object_size(c) == 0 ||
	    json_object_size(c) > PROTO_MAX_ITEMS) {
		fail(d, -EINVAL, "bad_request", "\"add_output\" needs "
		     "\"conf\": an object of at most 64 keys (the [output] "
		     "section's, e.g. {\"type\":\"webhook\",\"url\":...})");
		return;
	}
	json_object_foreach(c, k, v) {
		if (!json_is_string(v) || strlen(k) > PROTO_MAX_NAME ||
		    json_string_length(v) > PROTO_MAX_URL) {
			fail(d, -EINVAL, "bad_request", "\"conf\" values must "
			     "be strings of at most 4096 bytes");
			return;
		}
		for (s = k; *s; s++)
			if ((unsigned char)*s < 0x20 || *s == '=' ||
			    *s == '[')
				goto bad;
		for (s = json_string_value(v); *s; s++)
			if ((unsigned char)*s < 0x20)
				goto bad;
		if (strlen(json_string_value(v)) != json_string_length(v))
			goto bad;
	}
	req->output_conf = json_incref(c);
	return;
bad:
	fail(d, -EINVAL, "bad_request", "\"conf\" keys and values must not "
	     "hold control characters, keys no '=' or '['");
}

static void
decode_get(struct dec *d, struct proto_req *req)
{
	if (!req->id || !json_is_integer(req->id) ||
	    json_integer_value(req->id) < 1) {
		fail(d, -EINVAL, "bad_request",
		     "\"get\" needs \"id\": a briefing id (integer >= 1)");
		return;
	}
	req->get_id = json_integer_value(req->id);
}

int
proto_decode(const char *line, size_t len, struct proto_req *req,
	     const char **code, const char **why)
{
	struct dec d = {0};
	json_error_t jerr;
	json_t *root, *id;
	const char *opname;
	size_t i;

	memset(req, 0, sizeof(*req));
	req->since = -1;
	req->feed_fetch_pages = -1;
	/* Duplicate keys would make "which one counts" ambiguous. */
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		*code = "bad_json";
		*why = "not a JSON text";
		return -EINVAL;
	}
	d.obj = root;
	if (!json_is_object(root)) {
		fail(&d, -EINVAL, "bad_json", "a request is a JSON object");
		goto out;
	}
	id = json_object_get(root, "id");
	if (id && !json_is_null(id)) {
		if (!json_is_integer(id) &&
		    !(json_is_string(id) &&
		      json_string_length(id) <= PROTO_MAX_NAME)) {
			fail(&d, -EINVAL, "bad_request",
			     "\"id\" must be an integer or a short string");
			goto out;
		}
		req->id = json_incref(id);
	}
	if (!json_is_string(json_object_get(root, "op"))) {
		fail(&d, -EINVAL, "bad_request", "\"op\" (a string) is missing");
		goto out;
	}
	opname = json_string_value(json_object_get(root, "op"));
	for (i = 0; i < NOPS; i++)
		if (strcmp(opname, ops[i].name) == 0)
			break;
	if (i == NOPS) {
		fail(&d, -EINVAL, "unknown_op", "unknown \"op\"");
		goto out;
	}
	req->op = ops[i].op;
	switch (req->op) {
	case PROTO_SUBSCRIBE:
		decode_subscribe(&d, req);
		break;
	case PROTO_SEARCH:
		decode_search(&d, req);
		break;
	case PROTO_GET:
		decode_get(&d, req);
		break;
	case PROTO_POLL:
	case PROTO_ADD_FEED:
	case PROTO_REMOVE_FEED:
		get_string(&d, "feed", PROTO_MAX_NAME, &req->poll_feed,
			   "\"feed\" must be a non-empty string of at most "
			   "256 bytes");
		if (!d.err && !req->poll_feed)
			fail(&d, -EINVAL, "bad_request",
			     req->op == PROTO_POLL
			     ? "\"poll\" needs \"feed\": a feed name"
			     : "this op needs \"feed\": a feed name");
		if (req->op == PROTO_ADD_FEED)
			decode_add_feed(&d, req);
		break;
	case PROTO_OUTPUT_RETRY:
	case PROTO_ADD_OUTPUT:
	case PROTO_REMOVE_OUTPUT:
		get_string(&d, "output", PROTO_MAX_NAME, &req->poll_feed,
			   "\"output\" must be a non-empty string of at most "
			   "256 bytes");
		if (!d.err && !req->poll_feed)
			fail(&d, -EINVAL, "bad_request",
			     "this op needs \"output\": an output name");
		if (req->op == PROTO_ADD_OUTPUT)
			decode_add_output(&d, req);
		break;
	case PROTO_UNSUBSCRIBE:
	case PROTO_STATUS:
	case PROTO_FEEDS:
	case PROTO_RELOAD:
	case PROTO_PING:
		break;
	}
out:
	json_decref(root);
	if (d.err) {
		proto_req_clear(req);
		*code = d.code;
		*why = d.why;
		return d.err;
	}
	return 0;
}

int
proto_append_line(struct buf *b, const json_t *obj)
{
	size_t n;

	/* JSON_COMPACT escapes control characters inside strings, so the
	 * text holds no raw newline; JSON_ENSURE_ASCII is not needed. */
	n = json_dumpb(obj, NULL, 0, JSON_COMPACT);
	if (n == 0 || buf_grow(b, n + 1) < 0)
		return -ENOMEM;
	if (json_dumpb(obj, b->data + b->len, n, JSON_COMPACT) != n)
		return -ENOMEM;
	b->len += n;
	b->data[b->len++] = '\n';
	b->data[b->len] = '\0';
	return 0;
}

char *
proto_line(const json_t *obj)
{
	struct buf b = BUF_INIT;

	if (proto_append_line(&b, obj) < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

char *
proto_error_line(const char *code, const char *msg, const json_t *id)
{
	json_t *o;
	char *line = NULL;

	o = json_pack("{s:s, s:s, s:s}", "type", "error", "code", code,
		      "message", msg ? msg : "");
	if (!o)
		return NULL;
	if (id && json_object_set(o, "id", (json_t *)id) < 0)
		goto out;
	line = proto_line(o);
out:
	json_decref(o);
	return line;
}
