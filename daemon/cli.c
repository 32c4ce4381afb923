/* cli.c — the briefwatch command-line client.
 *
 * parse: run the daemon's own parsers on one input (debugging publishers,
 *        conformance);
 * search, show, list, export: read the database directly (read-only; safe
 *        while the daemon writes);
 * tail, status, feeds, poll, reload: talk to the daemon's socket.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "briefing.h"
#include "buf.h"
#include "config.h"
#include "feed.h"
#include "metrics.h"
#include "store.h"
#include "transcript.h"

#define DEFAULT_CONFIG BW_SYSCONFDIR "/briefwatch/briefwatch.conf"
#define CLI_MAX_INPUT (64u << 20)

struct cli {
	const char *config_path;
	const char *socket_path;
	const char *db_path;
	struct config *cfg;
	int json;
};

static void
usage(FILE *to)
{
	fputs("usage: briefwatch [--config FILE] [--socket PATH] [--db PATH] COMMAND ...\n"
	      "\n"
	      "  tail [--since N] [--feed F] [--speaker S] [--kind K] [--query Q] [--json]\n"
	      "  search QUERY [--speaker S] [--feed F] [--kind K] [--since DATE] [--until DATE] [--limit N] [--json]\n"
	      "  show ID [--json]\n"
	      "  list [--feed F] [--since DATE] [--json]\n"
	      "  export [--format jsonl]\n"
	      "  status | feeds | poll FEED | reload   [--json]\n"
	      "  metrics                  (Prometheus text format)\n"
	      "  parse feed FILE [--url URL] [--content-type CT]\n"
	      "  parse transcript FILE --url URL [--charset CS]\n"
	      "  version\n",
	      to);
}

static int
read_file(const char *path, struct buf *out)
{
	char chunk[65536];
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "briefwatch: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > CLI_MAX_INPUT) {
			fprintf(stderr, "briefwatch: %s: larger than %u bytes\n",
				path, CLI_MAX_INPUT);
			goto fail;
		}
		if (buf_append(out, chunk, n) < 0) {
			fprintf(stderr, "briefwatch: out of memory\n");
			goto fail;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "briefwatch: %s: read error\n", path);
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	return 0;
fail:
	if (f != stdin)
		fclose(f);
	return -1;
}

static int
print_json(json_t *v, int compact)
{
	char *s;

	if (!v) {
		fprintf(stderr, "briefwatch: out of memory\n");
		return 1;
	}
	s = json_dumps(v, (compact ? JSON_COMPACT : JSON_INDENT(2)) |
			       JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII * 0);
	if (!s) {
		fprintf(stderr, "briefwatch: cannot encode JSON\n");
		return 1;
	}
	puts(s);
	free(s);
	return 0;
}

/* ---- parse ------------------------------------------------------------- */

static int
cmd_parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{"url", required_argument, NULL, 'u'},
		{"content-type", required_argument, NULL, 'c'},
		{"charset", required_argument, NULL, 'C'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL, *ct = NULL, *charset = NULL, *what, *file;
	struct buf data = BUF_INIT;
	char *err = NULL;
	int c, r, rc = 1;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': url = optarg; break;
		case 'c': ct = optarg; break;
		case 'C': charset = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	what = argv[optind];
	file = argv[optind + 1];
	if (read_file(file, &data) < 0)
		return 1;
	if (strcmp(what, "feed") == 0) {
		struct feed_doc *doc = NULL;

		r = feed_parse(data.data ? data.data : "", data.len, ct, url,
			       NULL, &doc, &err);
		if (r < 0) {
			fprintf(stderr, "briefwatch: %s: %s\n", file,
				err ? err : strerror(-r));
		} else {
			json_t *j = feed_doc_to_json(doc);

			rc = print_json(j, 0);
			json_decref(j);
			feed_doc_free(doc);
		}
	} else if (strcmp(what, "transcript") == 0) {
		struct transcript_opts o = {0};
		struct briefing *b = NULL;

		if (!url) {
			fprintf(stderr, "briefwatch: parse transcript needs --url URL\n");
			buf_free(&data);
			return 2;
		}
		o.url = url;
		o.charset = charset;
		r = transcript_parse(data.data ? data.data : "", data.len, &o,
				     &b, &err);
		if (r < 0) {
			fprintf(stderr, "briefwatch: %s: %s\n", file,
				err ? err : strerror(-r));
		} else {
			json_t *j = briefing_to_json(b, 1);

			rc = print_json(j, 0);
			json_decref(j);
			briefing_free(b);
		}
	} else {
		usage(stderr);
		rc = 2;
	}
	free(err);
	buf_free(&data);
	return rc;
}

/* ---- database commands --------------------------------------------------- */

static const char *
db_path(struct cli *cli)
{
	if (cli->db_path)
		return cli->db_path;
	if (cli->cfg)
		return cli->cfg->database;
	return "/var/lib/briefwatch/briefwatch.db";
}

static struct store *
open_db(struct cli *cli)
{
	struct store *s = NULL;
	char *err = NULL;

	if (store_open(db_path(cli), STORE_READONLY, &s, &err) < 0) {
		fprintf(stderr, "briefwatch: database %s: %s\n", db_path(cli),
			err ? err : "cannot open");
		free(err);
		return NULL;
	}
	return s;
}

static int
print_hit(void *arg, const struct store_hit *h)
{
	struct cli *cli = arg;

	if (cli->json) {
		json_t *o = json_pack("{sI ss? ss? ss? ss? ss? ss? ss? sf}", "id",
				      (json_int_t)h->id, "feed", h->feed, "url",
				      h->url, "title", h->title, "published",
				      h->published, "kind", h->kind, "speaker",
				      h->speaker, "snippet", h->snippet,
				      "rank", h->rank);

		print_json(o, 1);
		json_decref(o);
		return 0;
	}
	printf("#%lld  %s  %s  [%s]\n", (long long)h->id,
	       h->published ? h->published : "----------",
	       h->title ? h->title : "(untitled)", h->feed ? h->feed : "");
	if (h->snippet)
		printf("      %s%s%s\n", h->speaker ? h->speaker : "",
		       h->speaker ? ": " : "", h->snippet);
	return 0;
}

static int
cmd_search(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"speaker", required_argument, NULL, 's'},
		{"feed", required_argument, NULL, 'f'},
		{"kind", required_argument, NULL, 'k'},
		{"since", required_argument, NULL, 'S'},
		{"until", required_argument, NULL, 'U'},
		{"limit", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct store_query q = {0};
	struct store *s;
	int c, r;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': q.speaker = optarg; break;
		case 'f': q.feed = optarg; break;
		case 'k': q.kind = optarg; break;
		case 'S': q.since = optarg; break;
		case 'U': q.until = optarg; break;
		case 'n': q.limit = (size_t)strtoul(optarg, NULL, 10); break;
		case 'j': cli->json = 1; break;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind > 1) {
		usage(stderr);
		return 2;
	}
	if (argc - optind == 1)
		q.query = argv[optind];
	s = open_db(cli);
	if (!s)
		return 1;
	r = store_search(s, &q, print_hit, cli);
	if (r < 0)
		fprintf(stderr, "briefwatch: search: %s\n", store_errmsg(s));
	store_close(s);
	return r < 0 ? 1 : 0;
}

static void
print_briefing_text(const struct briefing *b)
{
	size_t i;

	printf("%s\n", b->title ? b->title : "(untitled)");
	if (b->subtitle)
		printf("%s\n", b->subtitle);
	printf("\n  id:        %lld\n  feed:      %s\n  url:       %s\n"
	       "  kind:      %s\n  published: %s\n",
	       (long long)b->id, b->feed ? b->feed : "-", b->url ? b->url : "-",
	       briefing_kind_name(b->kind), b->published ? b->published : "-");
	if (b->updated)
		printf("  updated:   %s\n", b->updated);
	if (b->location)
		printf("  location:  %s\n", b->location);
	for (i = 0; i < b->nspeakers; i++)
		printf("  %s %s%s%s%s\n", i ? "          " : "speakers: ",
		       b->speakers[i].name,
		       b->speakers[i].role ? " (" : "",
		       b->speakers[i].role ? b->speakers[i].role : "",
		       b->speakers[i].role ? ")" : "");
	if (b->summary)
		printf("\n%s\n", b->summary);
	for (i = 0; i < b->nturns; i++) {
		const struct turn *t = &b->turns[i];
		const char *who = t->speaker ? t->speaker
				  : t->label ? t->label
				  : t->type == TURN_QUESTION ? "Q" : "?";

		printf("\n%s", who);
		if (t->type == TURN_QUESTION && (t->asker || t->outlet))
			printf(" (%s%s%s)", t->asker ? t->asker : "",
			       t->asker && t->outlet ? ", " : "",
			       t->outlet ? t->outlet : "");
		printf(":\n%s\n", t->text ? t->text : "");
	}
}

static int
cmd_show(struct cli *cli, int argc, char **argv)
{
	struct briefing *b = NULL;
	struct store *s;
	long long id;
	char *end;
	int i, r, rc = 0;
	const char *ids = NULL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			cli->json = 1;
		else if (!ids)
			ids = argv[i];
		else
			return usage(stderr), 2;
	}
	if (!ids)
		return usage(stderr), 2;
	id = strtoll(ids, &end, 10);
	if (*end || id <= 0) {
		fprintf(stderr, "briefwatch: show: \"%s\" is not a briefing id\n", ids);
		return 2;
	}
	s = open_db(cli);
	if (!s)
		return 1;
	r = store_get_briefing(s, id, &b);
	if (r == -ENOENT) {
		fprintf(stderr, "briefwatch: no briefing %lld\n", id);
		rc = 1;
	} else if (r < 0) {
		fprintf(stderr, "briefwatch: show: %s\n", store_errmsg(s));
		rc = 1;
	} else if (cli->json) {
		json_t *j = briefing_to_json(b, 1);

		rc = print_json(j, 0);
		json_decref(j);
	} else {
		print_briefing_text(b);
	}
	briefing_free(b);
	store_close(s);
	return rc;
}

struct list_ctx {
	struct cli *cli;
	int jsonl;
};

static int
list_one(void *arg, const struct briefing *b)
{
	struct list_ctx *lc = arg;

	if (lc->jsonl || lc->cli->json) {
		json_t *j = briefing_to_json(b, lc->jsonl);
		int r = print_json(j, 1);

		json_decref(j);
		return r ? -EIO : 0;
	}
	printf("#%lld  %s  %-40.40s  %s\n", (long long)b->id,
	       b->published ? b->published : "----------",
	       b->title ? b->title : "(untitled)", b->feed ? b->feed : "");
	return 0;
}

static int
cmd_list(struct cli *cli, int argc, char **argv, int export)
{
	static const struct option opts[] = {
		{"feed", required_argument, NULL, 'f'},
		{"since", required_argument, NULL, 'S'},
		{"format", required_argument, NULL, 'F'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct store_query q = {0};
	struct list_ctx lc = {cli, export};
	struct store *s;
	int c, r;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': q.feed = optarg; break;
		case 'S': q.since = optarg; break;
		case 'j': cli->json = 1; break;
		case 'F':
			if (strcmp(optarg, "jsonl") != 0) {
				fprintf(stderr, "briefwatch: export: unknown format \"%s\" (jsonl)\n", optarg);
				return 2;
			}
			break;
		default: usage(stderr); return 2;
		}
	}
	s = open_db(cli);
	if (!s)
		return 1;
	r = store_foreach_briefing(s, &q, list_one, &lc);
	if (r < 0)
		fprintf(stderr, "briefwatch: %s: %s\n", export ? "export" : "list",
			store_errmsg(s));
	store_close(s);
	return r < 0 ? 1 : 0;
}

/* ---- socket commands ------------------------------------------------------ */

static const char *
sock_path(struct cli *cli)
{
	if (cli->socket_path)
		return cli->socket_path;
	if (cli->cfg)
		return cli->cfg->socket;
	return "/run/briefwatch/briefwatch.sock";
}

static int
sock_connect(struct cli *cli)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = sock_path(cli);
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "briefwatch: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "briefwatch: cannot connect to %s: %s (is briefwatchd running?)\n",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
send_line(int fd, json_t *req)
{
	char *s = json_dumps(req, JSON_COMPACT);
	size_t len, off = 0;
	int r = 0;

	if (!s)
		return -ENOMEM;
	len = strlen(s);
	s[len++] = '\n'; /* json_dumps leaves room: replace the NUL */
	while (off < len) {
		ssize_t n = send(fd, s + off, len - off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		off += (size_t)n;
	}
	free(s);
	return r;
}

/* Read one line into line (reset first). 0, or -1 on EOF/error. */
static int
read_line(int fd, struct buf *in, struct buf *line)
{
	for (;;) {
		char *nl = in->data ? memchr(in->data, '\n', in->len) : NULL;
		char chunk[65536];
		ssize_t n;

		if (nl) {
			buf_reset(line);
			buf_append(line, in->data, (size_t)(nl - in->data));
			buf_consume(in, (size_t)(nl - in->data) + 1);
			return 0;
		}
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		if (buf_append(in, chunk, (size_t)n) < 0)
			return -1;
	}
}

/* Send req and return the first reply line parsed (new reference). */
static json_t *
request(struct cli *cli, json_t *req)
{
	struct buf in = BUF_INIT, line = BUF_INIT;
	json_t *reply = NULL;
	int fd = sock_connect(cli);

	if (fd < 0)
		return NULL;
	if (send_line(fd, req) < 0) {
		fprintf(stderr, "briefwatch: send: %s\n", strerror(errno));
	} else {
		while (read_line(fd, &in, &line) == 0) {
			const char *t;

			reply = json_loads(buf_str(&line), 0, NULL);
			t = json_string_value(json_object_get(reply, "type"));
			if (t && strcmp(t, "heartbeat") == 0) {
				json_decref(reply);
				reply = NULL;
				continue;
			}
			break;
		}
		if (!reply)
			fprintf(stderr, "briefwatch: no reply from %s\n",
				sock_path(cli));
	}
	buf_free(&in);
	buf_free(&line);
	close(fd);
	return reply;
}

static int
reply_is_error(json_t *reply)
{
	const char *t = json_string_value(json_object_get(reply, "type"));

	if (t && strcmp(t, "error") == 0) {
		fprintf(stderr, "briefwatch: %s: %s\n",
			json_string_value(json_object_get(reply, "code")),
			json_string_value(json_object_get(reply, "message")));
		return 1;
	}
	return 0;
}

static const char *
or_else(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

static void
print_status_text(json_t *r)
{
	json_t *feeds = json_object_get(r, "feeds"), *f;
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(r, k, v) {
		size_t kl = strlen(k);

		if (strcmp(k, "type") == 0 || json_is_array(v) ||
		    json_is_object(v) ||
		    (kl > 5 && strcmp(k + kl - 5, "_unix") == 0))
			continue;
		if (json_is_string(v))
			printf("%-14s %s\n", k, json_string_value(v));
		else if (json_is_integer(v))
			printf("%-14s %lld\n", k, (long long)json_integer_value(v));
		else if (json_is_real(v))
			printf("%-14s %.3f\n", k, json_real_value(v));
		else if (json_is_boolean(v))
			printf("%-14s %s\n", k, json_is_true(v) ? "yes" : "no");
	}
	if (json_array_size(feeds))
		printf("\n%-16s %-8s %-21s %s\n", "FEED", "STATE", "NEXT POLL",
		       "LAST RESULT");
	json_array_foreach(feeds, i, f) {
		printf("%-16s %-8s %-21s %s\n",
		       json_string_value(json_object_get(f, "name")),
		       or_else(json_string_value(json_object_get(f, "state")), "-"),
		       or_else(json_string_value(json_object_get(f, "next_poll")), "-"),
		       or_else(json_string_value(json_object_get(f, "last_result")), "-"));
	}
}

static int
cmd_simple(struct cli *cli, int argc, char **argv)
{
	const char *op = argv[0], *feed = NULL;
	json_t *req, *reply;
	int i, rc, metrics = 0;

	if (strcmp(op, "metrics") == 0) {
		metrics = 1;
		op = "status";
	}

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			cli->json = 1;
		else if (strcmp(op, "poll") == 0 && !feed)
			feed = argv[i];
		else
			return usage(stderr), 2;
	}
	if (strcmp(op, "poll") == 0 && !feed)
		return usage(stderr), 2;
	req = feed ? json_pack("{ss ss}", "op", op, "feed", feed)
		   : json_pack("{ss}", "op", op);
	reply = request(cli, req);
	json_decref(req);
	if (!reply)
		return 1;
	rc = reply_is_error(reply);
	if (!rc) {
		if (metrics) {
			struct buf text = BUF_INIT;

			rc = metrics_from_status(reply, &text) < 0;
			fputs(buf_str(&text), stdout);
			buf_free(&text);
		} else if (cli->json || strcmp(op, "status") != 0) {
			print_json(reply, 0);
		} else {
			print_status_text(reply);
		}
	}
	json_decref(reply);
	return rc;
}

static volatile sig_atomic_t tail_stop;

static void
on_tail_signal(int sig)
{
	(void)sig;
	tail_stop = 1;
}

static void
print_event_text(json_t *ev)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *b = json_object_get(ev, "briefing"), *sp;
	size_t i;

	if (!type)
		return;
	if (strcmp(type, "heartbeat") == 0 || strcmp(type, "subscribed") == 0)
		return;
	if (!b) {
		print_json(ev, 1);
		return;
	}
	printf("[%lld] %s #%lld %s  %s\n",
	       (long long)json_integer_value(json_object_get(ev, "seq")),
	       strcmp(type, "briefing.new") == 0 ? "NEW" : "UPDATED",
	       (long long)json_integer_value(json_object_get(b, "id")),
	       or_else(json_string_value(json_object_get(b, "published")), ""),
	       or_else(json_string_value(json_object_get(b, "title")), "(untitled)"));
	json_array_foreach(json_object_get(b, "speakers"), i, sp) {
		const char *role = json_string_value(json_object_get(sp, "role"));

		printf("      %s%s%s%s\n",
		       or_else(json_string_value(json_object_get(sp, "name")), "?"),
		       role ? " (" : "", role ? role : "", role ? ")" : "");
	}
	fflush(stdout);
}

static json_t *
str_array(json_t *arr, const char *s)
{
	if (!arr)
		arr = json_array();
	json_array_append_new(arr, json_string(s));
	return arr;
}

static int
cmd_tail(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"since", required_argument, NULL, 's'},
		{"feed", required_argument, NULL, 'f'},
		{"speaker", required_argument, NULL, 'S'},
		{"kind", required_argument, NULL, 'k'},
		{"query", required_argument, NULL, 'q'},
		{"count", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	json_t *req = json_pack("{ss}", "op", "subscribe");
	json_t *feeds = NULL, *speakers = NULL, *kinds = NULL;
	struct buf in = BUF_INIT, line = BUF_INIT;
	struct sigaction sa = {0};
	long count = -1;
	int c, fd, rc = 0;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			json_object_set_new(req, "since",
					    json_integer(strtoll(optarg, NULL, 10)));
			break;
		case 'f': feeds = str_array(feeds, optarg); break;
		case 'S': speakers = str_array(speakers, optarg); break;
		case 'k': kinds = str_array(kinds, optarg); break;
		case 'q': json_object_set_new(req, "query", json_string(optarg)); break;
		case 'n': count = strtol(optarg, NULL, 10); break;
		case 'j': cli->json = 1; break;
		default: json_decref(req); usage(stderr); return 2;
		}
	}
	if (feeds)
		json_object_set_new(req, "feeds", feeds);
	if (speakers)
		json_object_set_new(req, "speakers", speakers);
	if (kinds)
		json_object_set_new(req, "kinds", kinds);
	sa.sa_handler = on_tail_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = sock_connect(cli);
	if (fd < 0 || send_line(fd, req) < 0) {
		json_decref(req);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	json_decref(req);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!tail_stop && count != 0 && read_line(fd, &in, &line) == 0) {
		json_t *ev = json_loads(buf_str(&line), 0, NULL);
		const char *t = json_string_value(json_object_get(ev, "type"));

		if (!ev) {
			fprintf(stderr, "briefwatch: bad line from daemon\n");
			continue;
		}
		if (t && strcmp(t, "error") == 0) {
			rc = reply_is_error(ev);
			json_decref(ev);
			break;
		}
		if (cli->json)
			puts(buf_str(&line));
		else
			print_event_text(ev);
		if (t && strncmp(t, "briefing.", 9) == 0 && count > 0)
			count--;
		if (t && strcmp(t, "overflow") == 0)
			rc = 1;
		json_decref(ev);
	}
	buf_free(&in);
	buf_free(&line);
	close(fd);
	return rc;
}

/* libxml2 and iconv report some problems through libxml2's global error
 * handler whatever the parser options say; our parsers return their own
 * errors, so the global output is silenced. */
static void
xml_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"socket", required_argument, NULL, 's'},
		{"db", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct cli cli = {0};
	const char *cmd;
	int c, rc;

	/* Global options come before the command; the command parses the
	 * rest with its own getopt run. */
	while ((c = getopt_long(argc, argv, "+c:s:d:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli.config_path = optarg; break;
		case 's': cli.socket_path = optarg; break;
		case 'd': cli.db_path = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': puts("briefwatch " BW_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	xmlSetGenericErrorFunc(NULL, xml_quiet);
	if (strcmp(cmd, "parse") == 0)
		return cmd_parse(argc, argv);
	if (strcmp(cmd, "version") == 0)
		return puts("briefwatch " BW_VERSION), 0;
	if (cli.config_path || access(DEFAULT_CONFIG, R_OK) == 0) {
		char *err = NULL;
		const char *path = cli.config_path ? cli.config_path
						   : DEFAULT_CONFIG;

		if (config_load(path, &cli.cfg, &err) < 0) {
			fprintf(stderr, "briefwatch: %s\n", err ? err : path);
			free(err);
			return 1;
		}
	}
	if (strcmp(cmd, "search") == 0)
		rc = cmd_search(&cli, argc, argv);
	else if (strcmp(cmd, "show") == 0)
		rc = cmd_show(&cli, argc, argv);
	else if (strcmp(cmd, "list") == 0)
		rc = cmd_list(&cli, argc, argv, 0);
	else if (strcmp(cmd, "export") == 0)
		rc = cmd_list(&cli, argc, argv, 1);
	else if (strcmp(cmd, "tail") == 0)
		rc = cmd_tail(&cli, argc, argv);
	else if (strcmp(cmd, "status") == 0 || strcmp(cmd, "feeds") == 0 ||
		 strcmp(cmd, "metrics") == 0 ||
		 strcmp(cmd, "poll") == 0 || strcmp(cmd, "reload") == 0)
		rc = cmd_simple(&cli, argc, argv);
	else {
		fprintf(stderr, "briefwatch: unknown command \"%s\"\n", cmd);
		usage(stderr);
		rc = 2;
	}
	config_free(cli.cfg);
	return rc;
}
