/* cli.c — the briefwatch command-line client.
 *
 * parse: run the daemon's own parsers on one input (debugging publishers,
 *        conformance);
 * search, show, list, export, backup: read the database directly
 *        (read-only; safe while the daemon writes);
 * import-opml, export-opml: the feed list of the configuration file;
 * tail, status, feeds, poll, reload, metrics: talk to the daemon's socket.
 *
 * Exit status: 0 done, 1 a runtime failure, 2 a usage error; either way
 * one line on stderr says what went wrong. docs/cli.md is the reference.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "briefing.h"
#include "buf.h"
#include "cli_args.h"
#include "config.h"
#include "dbpath.h"
#include "feed.h"
#include "fileio.h"
#include "history.h"
#include "metrics.h"
#include "sanitize.h"
#include "termtext.h"
#include "schedsim.h"
#include "opml.h"
#include "qdate.h"
#include "relay.h"
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
	int width;   /* wrap text output at this many columns; 0: do not */
};

/* Set by SIGINT/SIGTERM during tail (a signal handler may only set a
 * flag): the one global, read by tail's loops and read_line. */
static volatile sig_atomic_t tail_stop;

/* ---- usage ----------------------------------------------------------------- */

/* The command table (near main) also produces these. */
struct command;
static void usage(FILE *to);
static int command_help(const char *name);
static const struct command *find_command(const char *name);

/* ---- argument checks ----------------------------------------------------- */

/* A positive count. 0, or the usage error's exit status. */
static int
arg_count(const char *cmd, const char *opt, const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno || v == 0 ||
	    v > 1000000000ull)
		return bad_usage(cmd, "%s \"%s\" is not a count from 1 to 1000000000",
				 opt, s);
	*out = (size_t)v;
	return 0;
}

/* DATE: YYYY, YYYY-MM, YYYY-MM-DD, optionally followed by a time ("T..."
 * or " ..."), as the store compares ISO 8601 text. */
static int
arg_date(const char *cmd, const char *opt, const char *s)
{
	if (qdate_check(s) < 0)
		return bad_usage(cmd, "%s \"%s\" " QDATE_SHAPES, opt, s);
	return 0;
}

static int
arg_kind(const char *cmd, const char *s)
{
	if (briefing_kind_parse(s) < 0)
		return bad_usage(cmd, "--kind \"%s\" is not one of transcript, speech, release, other",
				 s);
	return 0;
}

/* ---- output helpers -------------------------------------------------------- */

static int
read_file(const char *cmd, const char *path, struct buf *out)
{
	char chunk[65536];
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "briefwatch: %s: %s: %s\n", cmd, path,
			strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > CLI_MAX_INPUT) {
			fprintf(stderr, "briefwatch: %s: %s: larger than %u bytes\n",
				cmd, path, CLI_MAX_INPUT);
			goto fail;
		}
		if (buf_append(out, chunk, n) < 0) {
			fprintf(stderr, "briefwatch: %s: out of memory\n", cmd);
			goto fail;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "briefwatch: %s: %s: %s\n", cmd, path,
			strerror(errno ? errno : EIO));
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
			       JSON_PRESERVE_ORDER);
	if (!s) {
		fprintf(stderr, "briefwatch: cannot encode JSON\n");
		return 1;
	}
	puts(s);
	free(s);
	return 0;
}

/* stdout could not be written (a full disk, a closed pipe): say so. */
static int
flush_stdout(const char *cmd)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* The reader stopped reading (briefwatch export | head -1):
		 * it has what it wanted; not a failure of ours. */
		if (errno == EPIPE)
			return 0;
		fprintf(stderr, "briefwatch: %s: writing the output: %s\n", cmd,
			strerror(errno ? errno : EIO));
		return 1;
	}
	return 0;
}

/* Columns of the terminal on stdout, 0 when stdout is not a terminal. */
static int
tty_width(void)
{
	struct winsize ws;
	const char *cols;

	if (!isatty(STDOUT_FILENO))
		return 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	cols = getenv("COLUMNS");
	if (cols && atoi(cols) > 0)
		return atoi(cols);
	return 80;
}

/* Display columns of s[0..n): one per code point (wide scripts are rare
 * in these archives; a line then wraps a little late, never wrongly). */
static size_t
columns(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, b, c = 0;

	for (i = 0; i < n; i++) {
		if ((b = term_bidi_len(u + i, n - i))) {
			i += b - 1;
			continue;
		}
		if ((u[i] & 0xc0) != 0x80)
			c++;
	}
	return c;
}

/* Print text with every line indented by indent spaces and, when width
 * > 0, its paragraphs' words wrapped to fit in width columns (a longer
 * word gets a line of its own). Newlines in text are kept. hang: the
 * caller already printed indent columns of the first line (a label). */
static void
wrap_text(const char *text, int indent, int width, int hang)
{
	const char *p = text;
	int room = width - indent;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *w = p, *end = p + len;
		size_t col = 0;
		int pad = hang ? 0 : indent;

		hang = 0;
		if (width <= 0 || room < 20) {
			printf("%*s", len ? pad : 0, "");
			term_put_clean(p, len);
			putchar('\n');
			p = eol ? eol + 1 : end;
			continue;
		}
		while (w < end) {
			const char *we;
			size_t wc;

			while (w < end && *w == ' ')
				w++;
			if (w == end)
				break;
			we = w;
			while (we < end && *we != ' ')
				we++;
			wc = columns(w, (size_t)(we - w));
			if (col && col + 1 + wc > (size_t)room) {
				putchar('\n');
				col = 0;
				pad = indent;
			}
			if (col) {
				putchar(' ');
				col++;
			} else {
				printf("%*s", pad, "");
			}
			term_put_clean(w, (size_t)(we - w));
			col += wc;
			w = we;
		}
		putchar('\n');
		p = eol ? eol + 1 : end;
	}
}

static void
print_wrapped(const char *text, int indent, int width)
{
	wrap_text(text, indent, width, 0);
}

/* Print at most cols columns of s (cut on a character boundary). */
static void
print_cut(const char *s, size_t cols)
{
	size_t i = 0, c = 0;

	while (s[i] && c < cols) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		c++;
	}
	term_put_clean(s, i);
}

/* ---- parse ------------------------------------------------------------- */

static int
cmd_parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{"url", required_argument, NULL, 'u'},
		{"content-type", required_argument, NULL, 'c'},
		{"charset", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL, *ct = NULL, *charset = NULL, *what, *file;
	struct buf data = BUF_INIT;
	char *err = NULL;
	int c, r, rc = 1;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'u': url = optarg; break;
		case 'c': ct = optarg; break;
		case 'C': charset = optarg; break;
		case 'h': return command_help("parse");
		default: return bad_option("parse", c, argv);
		}
	}
	if (argc - optind != 2)
		return bad_usage("parse", "needs what to parse (feed or transcript) and a FILE");
	what = argv[optind];
	file = argv[optind + 1];
	if (strcmp(what, "feed") != 0 && strcmp(what, "transcript") != 0)
		return bad_usage("parse", "\"%s\" is neither feed nor transcript", what);
	if (strcmp(what, "transcript") == 0 && !url)
		return bad_usage("parse", "parse transcript needs --url URL");
	if (read_file("parse", file, &data) < 0)
		return 1;
	if (strcmp(what, "feed") == 0) {
		struct feed_doc *doc = NULL;

		r = feed_parse(data.data ? data.data : "", data.len, ct, url,
			       NULL, &doc, &err);
		if (r < 0) {
			fprintf(stderr, "briefwatch: parse: %s: %s\n", file,
				err ? err : strerror(-r));
		} else {
			char *s = feed_doc_dump(doc, JSON_INDENT(2) |
						     JSON_PRESERVE_ORDER);

			rc = s ? 0 : 1;
			if (s) {
				puts(s);
				free(s);
			} else {
				fprintf(stderr, "briefwatch: out of memory\n");
			}
			feed_doc_free(doc);
		}
	} else {
		struct transcript_opts o = {0};
		struct briefing *b = NULL;

		o.url = url;
		o.charset = charset;
		r = transcript_parse(data.data ? data.data : "", data.len, &o,
				     &b, &err);
		if (r < 0) {
			fprintf(stderr, "briefwatch: parse: %s: %s\n", file,
				err ? err : strerror(-r));
		} else {
			json_t *j = briefing_to_json(b, 1);

			rc = print_json(j, 0);
			json_decref(j);
			briefing_free(b);
		}
	}
	free(err);
	buf_free(&data);
	return rc ? rc : flush_stdout("parse");
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

static json_t *request(struct cli *cli, json_t *req);
static int reply_is_error(json_t *reply);

/* May we read the database file? 0 when we may not for want of
 * permission (a 0600 archive read by a member of the socket's group):
 * search, show and list then ask the daemon (its search and get ops),
 * which any socket user may. */
static int
db_readable(struct cli *cli)
{
	return !(access(db_path(cli), R_OK) < 0 && errno == EACCES);
}

/* A search or get request through the socket: the reply, or NULL with
 * the error printed (rc 1). */
static json_t *
ask_daemon(struct cli *cli, json_t *req)
{
	json_t *reply = req ? request(cli, req) : NULL;

	json_decref(req);
	if (reply && reply_is_error(reply)) {
		json_decref(reply);
		return NULL;
	}
	return reply;
}

/* The search op's request for q (fields left out when unset). */
static json_t *
search_request(const struct store_query *q, size_t limit)
{
	json_t *r = json_pack("{ss}", "op", "search");

	if (!r)
		return NULL;
	if (q->query)
		json_object_set_new(r, "query", json_string(q->query));
	if (q->speaker)
		json_object_set_new(r, "speaker", json_string(q->speaker));
	if (q->feed)
		json_object_set_new(r, "feed", json_string(q->feed));
	if (q->kind)
		json_object_set_new(r, "kind", json_string(q->kind));
	if (q->since)
		json_object_set_new(r, "since", json_string(q->since));
	if (q->until)
		json_object_set_new(r, "until", json_string(q->until));
	if (limit)
		json_object_set_new(r, "limit", json_integer((json_int_t)limit));
	return r;
}

/* A hit of the search op's reply as a struct store_hit (borrowed). */
static void
hit_from_json(json_t *o, struct store_hit *h)
{
	memset(h, 0, sizeof(*h));
	h->id = json_integer_value(json_object_get(o, "id"));
	h->feed = json_string_value(json_object_get(o, "feed"));
	h->url = json_string_value(json_object_get(o, "url"));
	h->title = json_string_value(json_object_get(o, "title"));
	h->published = json_string_value(json_object_get(o, "published"));
	h->kind = json_string_value(json_object_get(o, "kind"));
	h->speaker = json_string_value(json_object_get(o, "speaker"));
	h->snippet = json_string_value(json_object_get(o, "snippet"));
	h->rank = json_real_value(json_object_get(o, "rank"));
}

/* A database on read-only media (a mounted backup, a CD): SQLite cannot
 * make the -shm a WAL database needs, so it is opened as immutable
 * (nothing can change it there). 0 and *out, or -1 when path is not on a
 * read-only file system or does not open that way either. */
static int
open_db_immutable(const char *path, struct store **out)
{
	struct statvfs vfs;
	struct buf uri = BUF_INIT;
	char *err = NULL;
	const char *p;
	int r;

	if (statvfs(path, &vfs) < 0 || !(vfs.f_flag & ST_RDONLY))
		return -1;
	buf_puts(&uri, "file:");
	for (p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			buf_printf(&uri, "%%%02X", (unsigned char)*p);
		else
			buf_putc(&uri, *p);
	}
	buf_puts(&uri, "?immutable=1");
	r = !buf_error(&uri) ? store_open(buf_str(&uri), STORE_READONLY, out,
					  &err) : -ENOMEM;
	free(err);
	buf_free(&uri);
	return r < 0 ? -1 : 0;
}

static struct store *
open_db(struct cli *cli, const char *cmd)
{
	struct store *s = NULL;
	char *err = NULL;

	if (store_open(db_path(cli), STORE_READONLY, &s, &err) < 0 &&
	    open_db_immutable(db_path(cli), &s) < 0) {
		char *why = dbpath_explain(db_path(cli), 1, err);

		fprintf(stderr, "briefwatch: %s: %s\n", cmd,
			why ? why : "out of memory");
		free(why);
		free(err);
		return NULL;
	}
	free(err);
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
		int r = print_json(o, 1);

		json_decref(o);
		return r ? -EIO : 0;
	}
	printf("#%lld  %.10s  ", (long long)h->id,
	       h->published ? h->published : "----------");
	term_puts_clean(h->title ? h->title : "(untitled)");
	printf("  [%s]\n", h->feed ? h->feed : "");
	if (h->snippet) {
		struct buf line = BUF_INIT;

		buf_printf(&line, "%s%s%s", h->speaker ? h->speaker : "",
			   h->speaker ? ": " : "", h->snippet);
		print_wrapped(buf_str(&line), 6, cli->width);
		buf_free(&line);
	}
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
		{"lang", required_argument, NULL, 'L'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct store_query q = {0};
	struct store *s;
	int c, r;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 's': q.speaker = optarg; break;
		case 'L': q.lang = optarg; break;
		case 'f': q.feed = optarg; break;
		case 'k':
			if ((r = arg_kind("search", optarg)))
				return r;
			q.kind = optarg;
			break;
		case 'S':
			if ((r = arg_date("search", "--since", optarg)))
				return r;
			q.since = optarg;
			break;
		case 'U':
			if ((r = arg_date("search", "--until", optarg)))
				return r;
			q.until = optarg;
			break;
		case 'n':
			if ((r = arg_count("search", "--limit", optarg, &q.limit)))
				return r;
			break;
		case 'j': cli->json = 1; break;
		case 'h': return command_help("search");
		default: return bad_option("search", c, argv);
		}
	}
	if (argc - optind > 1)
		return bad_usage("search", "one QUERY only (quote a query of several words)");
	if (argc - optind == 1) {
		q.query = argv[optind];
		if (!*q.query)
			return bad_usage("search", "the query is empty");
	}
	cli->width = tty_width();
	if (!db_readable(cli)) {
		json_t *reply = ask_daemon(cli, search_request(&q, q.limit)), *o;
		struct store_hit h;
		size_t i;

		if (!reply)
			return 1;
		json_array_foreach(json_object_get(reply, "hits"), i, o) {
			hit_from_json(o, &h);
			print_hit(cli, &h);
		}
		json_decref(reply);
		return flush_stdout("search");
	}
	s = open_db(cli, "search");
	if (!s)
		return 1;
	r = store_search(s, &q, print_hit, cli);
	if (r < 0)
		fprintf(stderr, "briefwatch: search: %s\n", store_errmsg(s));
	store_close(s);
	return r < 0 ? 1 : flush_stdout("search");
}

/* "  label:    value", the value wrapped under itself. */
static void
field(const char *name, const char *value, int width)
{
	if (!value)
		return;
	printf("  %-11s", name);
	wrap_text(*value ? value : "-", 13, width, 1);
}

static void
print_briefing_text(const struct briefing *b, int width)
{
	char id[32];
	size_t i;

	print_wrapped(b->title ? b->title : "(untitled)", 0, width);
	if (b->subtitle)
		print_wrapped(b->subtitle, 0, width);
	putchar('\n');
	snprintf(id, sizeof(id), "%lld", (long long)b->id);
	field("id:", id, width);
	field("feed:", b->feed ? b->feed : "-", width);
	field("url:", b->url ? b->url : "-", 0);
	field("kind:", briefing_kind_name(b->kind), width);
	field("published:", b->published ? b->published : "-", width);
	field("updated:", b->updated, width);
	field("location:", b->location, width);
	for (i = 0; i < b->nspeakers; i++) {
		struct buf sp = BUF_INIT;

		buf_printf(&sp, "%s%s%s%s", b->speakers[i].name,
			   b->speakers[i].role ? " (" : "",
			   b->speakers[i].role ? b->speakers[i].role : "",
			   b->speakers[i].role ? ")" : "");
		field(i ? "" : "speakers:", buf_str(&sp), width);
		buf_free(&sp);
	}
	if (b->summary) {
		putchar('\n');
		print_wrapped(b->summary, 0, width);
	}
	for (i = 0; i < b->nturns; i++) {
		const struct turn *t = &b->turns[i];
		const char *who = t->speaker ? t->speaker
				  : t->label ? t->label
				  : t->type == TURN_QUESTION ? "Q" : "(unattributed)";
		struct buf head = BUF_INIT;

		buf_puts(&head, who);
		if (t->type == TURN_QUESTION && (t->asker || t->outlet))
			buf_printf(&head, " (%s%s%s)", t->asker ? t->asker : "",
				   t->asker && t->outlet ? ", " : "",
				   t->outlet ? t->outlet : "");
		buf_putc(&head, ':');
		putchar('\n');
		print_wrapped(buf_str(&head), 0, width);
		print_wrapped(t->text ? t->text : "", width ? 2 : 0, width);
		buf_free(&head);
	}
}

static int
cmd_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"width", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct briefing *b = NULL;
	struct store *s;
	long long id;
	char *end;
	int c, r, rc = 0, width = tty_width();

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'j': cli->json = 1; break;
		case 'w':
			width = (int)strtol(optarg, &end, 10);
			if (!isdigit((unsigned char)*optarg) || *end ||
			    width > 10000)
				return bad_usage("show", "--width \"%s\" is not a number of columns (0: no wrapping)",
						 optarg);
			break;
		case 'h': return command_help("show");
		default: return bad_option("show", c, argv);
		}
	}
	if (argc - optind != 1)
		return bad_usage("show", "needs one briefing ID");
	errno = 0;
	id = strtoll(argv[optind], &end, 10);
	if (!isdigit((unsigned char)*argv[optind]) || *end || errno || id <= 0)
		return bad_usage("show", "\"%s\" is not a briefing id", argv[optind]);
	if (!db_readable(cli)) {
		json_t *reply = ask_daemon(cli, json_pack("{ss sI}", "op", "get",
							  "id", (json_int_t)id));

		if (!reply)
			return 1;
		s = NULL;
		r = briefing_from_json(json_object_get(reply, "briefing"), &b);
		json_decref(reply);
		if (r < 0) {
			fprintf(stderr, "briefwatch: show: the daemon's reply is not a briefing\n");
			return 1;
		}
	} else {
		s = open_db(cli, "show");
		if (!s)
			return 1;
		r = store_get_briefing(s, id, &b);
	}
	if (r == -ENOENT) {
		fprintf(stderr, "briefwatch: show: no briefing %lld\n", id);
		rc = 1;
	} else if (r < 0) {
		fprintf(stderr, "briefwatch: show: %s\n", store_errmsg(s));
		rc = 1;
	} else if (cli->json) {
		json_t *j = briefing_to_json(b, 1);

		rc = print_json(j, 0);
		json_decref(j);
	} else {
		print_briefing_text(b, width);
		/* its page and revisions (issue #19), where the archive is
		 * readable (not through the daemon's get) */
		if (s && history_print(s, b->id, width, stdout) < 0)
			fprintf(stderr, "briefwatch: show: %s\n",
				store_errmsg(s));
	}
	briefing_free(b);
	store_close(s);
	return rc ? rc : flush_stdout("show");
}

struct list_ctx {
	struct cli *cli;
	int jsonl;
	int width;
	int werr;    /* errno of the first failed write */
};

/* The result of one record's output: 0, or -EIO with the write's errno
 * kept (the store's work after it may change errno). */
static int
list_wrote(struct list_ctx *lc, int failed)
{
	if (!failed && !ferror(stdout))
		return 0;
	if (!lc->werr)
		lc->werr = errno ? errno : EIO;
	return -EIO;
}

static int
list_one(void *arg, const struct briefing *b)
{
	struct list_ctx *lc = arg;
	char head[96];
	int n;

	if (lc->jsonl || lc->cli->json) {
		json_t *j = briefing_to_json(b, lc->jsonl);
		int r = print_json(j, 1);

		json_decref(j);
		return list_wrote(lc, r);
	}
	n = snprintf(head, sizeof(head), "%6lld  %-10.10s  %-12s  ",
		     (long long)b->id, b->published ? b->published : "-",
		     b->feed ? b->feed : "-");
	fputs(head, stdout);
	if (lc->width > n + 10)
		print_cut(b->title ? b->title : "(untitled)",
			  (size_t)(lc->width - n - 1));
	else
		term_puts_clean(b->title ? b->title : "(untitled)");
	putchar('\n');
	return list_wrote(lc, 0);
}

static int
hit_by_id(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "id"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "id"));

	return x < y ? -1 : x > y;
}

/* list for a user who may not read the database: the daemon's search op
 * without a query (at most 1000 briefings, its limit), in id order; the
 * same lines, or the hits as JSON with --json. */
static int
list_via_daemon(struct cli *cli, const struct store_query *q,
		struct list_ctx *lc)
{
	json_t *reply = ask_daemon(cli, search_request(q, q->limit ? q->limit
								 : 1000));
	json_t *hits, **v;
	size_t i, n;

	if (!reply)
		return 1;
	hits = json_object_get(reply, "hits");
	n = json_array_size(hits);
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		json_decref(reply);
		fprintf(stderr, "briefwatch: list: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		v[i] = json_array_get(hits, i);
	qsort(v, n, sizeof(*v), hit_by_id);
	for (i = 0; i < n; i++) {
		struct briefing b = {0};

		if (cli->json) {
			print_json(v[i], 1);
			continue;
		}
		b.id = json_integer_value(json_object_get(v[i], "id"));
		b.published = (char *)json_string_value(json_object_get(v[i], "published"));
		b.feed = (char *)json_string_value(json_object_get(v[i], "feed"));
		b.title = (char *)json_string_value(json_object_get(v[i], "title"));
		list_one(lc, &b);
	}
	free(v);
	json_decref(reply);
	return flush_stdout("list");
}

static int
cmd_list(struct cli *cli, int argc, char **argv, int export)
{
	static const struct option opts[] = {
		{"feed", required_argument, NULL, 'f'},
		{"speaker", required_argument, NULL, 's'},
		{"kind", required_argument, NULL, 'k'},
		{"since", required_argument, NULL, 'S'},
		{"until", required_argument, NULL, 'U'},
		{"limit", required_argument, NULL, 'n'},
		{"format", required_argument, NULL, 'F'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = export ? "export" : "list";
	struct store_query q = {0};
	struct list_ctx lc = {cli, export, 0, 0};
	struct store *s;
	int c, r;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'f': q.feed = optarg; break;
		case 's': q.speaker = optarg; break;
		case 'k':
			if ((r = arg_kind(cmd, optarg)))
				return r;
			q.kind = optarg;
			break;
		case 'S':
			if ((r = arg_date(cmd, "--since", optarg)))
				return r;
			q.since = optarg;
			break;
		case 'U':
			if ((r = arg_date(cmd, "--until", optarg)))
				return r;
			q.until = optarg;
			break;
		case 'n':
			if ((r = arg_count(cmd, "--limit", optarg, &q.limit)))
				return r;
			break;
		case 'j':
			if (export)
				return bad_option(cmd, '?', argv);
			cli->json = 1;
			break;
		case 'F':
			if (!export)
				return bad_option(cmd, '?', argv);
			if (strcmp(optarg, "jsonl") != 0)
				return bad_usage(cmd, "unknown format \"%s\" (jsonl is the one)",
						 optarg);
			break;
		case 'h': return command_help(cmd);
		default: return bad_option(cmd, c, argv);
		}
	}
	if (optind < argc)
		return bad_usage(cmd, "unexpected argument \"%s\"", argv[optind]);
	lc.width = export ? 0 : tty_width();
	if (!export && !db_readable(cli))
		return list_via_daemon(cli, &q, &lc);
	s = open_db(cli, cmd);
	if (!s)
		return 1;
	/* Ascending id; q.limit 0 is every briefing (store.h). */
	r = store_foreach_briefing(s, &q, list_one, &lc);
	if (r == -EIO && lc.werr == EPIPE) {
		/* the reader has what it wanted: see flush_stdout */
		store_close(s);
		return 0;
	} else if (r == -EIO && lc.werr)
		fprintf(stderr, "briefwatch: %s: writing the output: %s\n", cmd,
			strerror(lc.werr));
	else if (r < 0)
		fprintf(stderr, "briefwatch: %s: %s\n", cmd, store_errmsg(s));
	store_close(s);
	return r < 0 ? 1 : flush_stdout(cmd);
}

/* ---- backup ----------------------------------------------------------------- */

static void
human_size(uint64_t n, char *out, size_t len)
{
	if (n >= (1u << 30))
		snprintf(out, len, "%.1f GiB", (double)n / (1u << 30));
	else if (n >= (1u << 20))
		snprintf(out, len, "%.1f MiB", (double)n / (1u << 20));
	else if (n >= 1024)
		snprintf(out, len, "%.1f KiB", (double)n / 1024);
	else
		snprintf(out, len, "%llu bytes", (unsigned long long)n);
}

/* Where backup writes FILE: a path that does not exist yet is written as
 * given; an existing one must be a regular file, and a symbolic link is
 * followed to it (as import-opml --write does: the link stays a link and
 * its target gets the copy). The path in real (PATH_MAX); *exists. 0, or
 * -1 with the error printed. */
static int
backup_target(const char *file, char *real, int *exists)
{
	struct stat st;

	*exists = 0;
	if (lstat(file, &st) < 0) {
		if (errno != ENOENT) {
			fprintf(stderr, "briefwatch: backup: %s: %s\n", file,
				strerror(errno));
			return -1;
		}
		if (strlen(file) >= PATH_MAX) {
			fprintf(stderr, "briefwatch: backup: %s: path too long\n",
				file);
			return -1;
		}
		strcpy(real, file);
		return 0;
	}
	if (S_ISLNK(st.st_mode) && !realpath(file, real)) {
		fprintf(stderr, "briefwatch: backup: %s is a symbolic link to a missing file (%s)\n",
			file, strerror(errno));
		return -1;
	}
	if (!S_ISLNK(st.st_mode)) {
		if (strlen(file) >= PATH_MAX)
			return -1;
		strcpy(real, file);
	}
	if (stat(real, &st) < 0) {
		fprintf(stderr, "briefwatch: backup: %s: %s\n", real,
			strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "briefwatch: backup: %s exists and is not a regular file (%s); refusing to replace it\n",
			file, S_ISDIR(st.st_mode) ? "a directory" :
			S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
			S_ISFIFO(st.st_mode) ? "a FIFO" :
			S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
		return -1;
	}
	*exists = 1;
	return 0;
}

static int
cmd_backup(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct store *s, *copy = NULL;
	struct store_stats st;
	struct stat db, to;
	const char *file;
	char size[32], real[PATH_MAX], *err = NULL;
	mode_t old_mask = (mode_t)-1;
	int c, r, to_exists;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'h': return command_help("backup");
		default: return bad_option("backup", c, argv);
		}
	}
	if (argc - optind != 1)
		return bad_usage("backup", "needs the FILE to write");
	file = argv[optind];
	if (backup_target(file, real, &to_exists) < 0)
		return 1;
	/* The copy is renamed over FILE: never let that be the archive. */
	if (stat(db_path(cli), &db) == 0 && to_exists &&
	    stat(real, &to) == 0 &&
	    db.st_dev == to.st_dev && db.st_ino == to.st_ino) {
		fprintf(stderr, "briefwatch: backup: %s is the database itself\n",
			file);
		return 1;
	}
	s = open_db(cli, "backup");
	if (!s)
		return 1;
	/* The copy gets the database's mode: created under a umask that
	 * allows no more than it (no window where a 0600 archive's copy is
	 * world-readable), then set exactly. */
	if (stat(db_path(cli), &db) == 0)
		old_mask = umask(~db.st_mode & 0777);
	r = store_backup(s, real);
	if (old_mask != (mode_t)-1)
		umask(old_mask);
	if (r == 0 && old_mask != (mode_t)-1 &&
	    chmod(real, db.st_mode & 0777) < 0) {
		fprintf(stderr, "briefwatch: backup: %s: %s\n", real,
			strerror(errno));
		store_close(s);
		return 1;
	}
	if (r < 0) {
		fprintf(stderr, "briefwatch: backup: %s\n", store_errmsg(s));
		store_close(s);
		return 1;
	}
	store_close(s);
	/* Count what the copy holds (not the live database, which has
	 * moved on): this also proves the copy opens. */
	r = store_open(real, STORE_READONLY, &copy, &err);
	if (r == 0)
		r = store_stats(copy, &st);
	if (r < 0) {
		fprintf(stderr, "briefwatch: backup: the copy %s does not open: %s\n",
			file, err ? err : copy ? store_errmsg(copy) : strerror(-r));
		free(err);
		store_close(copy);
		return 1;
	}
	human_size(st.db_bytes, size, sizeof(size));
	printf("%s: %s (%llu bytes): %lld briefings, %lld revisions, %lld turns,"
	       " %lld speakers, %lld feeds, %lld events (head %lld)\n",
	       file, size, (unsigned long long)st.db_bytes,
	       (long long)st.briefings, (long long)st.revisions,
	       (long long)st.turns, (long long)st.speakers,
	       (long long)st.feeds, (long long)st.events, (long long)st.head);
	store_close(copy);
	return flush_stdout("backup");
}

/* ---- OPML ----------------------------------------------------------------------- */

/* The configuration file an OPML command works on: its own --config, the
 * global one, or the default when it exists. NULL when there is none. */
static const char *
opml_config_path(struct cli *cli, const char *own)
{
	if (own)
		return own;
	if (cli->config_path)
		return cli->config_path;
	return access(DEFAULT_CONFIG, F_OK) == 0 ? DEFAULT_CONFIG : NULL;
}

/* Append s to b as a one-line INI comment body: control characters
 * become spaces, and it is kept short for readability. */
static void
comment_text(struct buf *b, const char *s)
{
	size_t start = b->len;

	for (; *s && b->len - start < 150; s++) {
		unsigned char u = (unsigned char)*s;

		buf_putc(b, u < 0x20 || u == 0x7f ? ' ' : (char)u);
	}
	/* Cut on a character boundary. */
	if (*s) {
		while (b->len > start &&
		       ((unsigned char)b->data[b->len - 1] & 0xc0) == 0x80)
			b->len--;
		if (b->len > start &&
		    ((unsigned char)b->data[b->len - 1] & 0xc0) == 0xc0)
			b->len--;
		b->data[b->len] = '\0';
		buf_puts(b, "...");
	}
}

/* Write data to path atomically (fileio_replace): same mode and owner as
 * before, a symlink followed, nothing written when the file changed since
 * it was read. 0 or -1 (reported). */
static int
write_atomic(const char *cmd, const char *path, const char *data, size_t len,
	     const struct stat *before)
{
	struct fileio_replace o = {.like = before, .unchanged = before,
				   .follow = 1};
	int r = fileio_replace(path, data, len, &o);

	if (r == -ESTALE)
		fprintf(stderr, "briefwatch: %s: %s changed while importing; nothing written, try again\n",
			cmd, path);
	else if (r < 0)
		fprintf(stderr, "briefwatch: %s: %s %s: %s\n", cmd, o.failed,
			path, strerror(-r));
	return r < 0 ? -1 : 0;
}

/* import-opml in phases: read the configuration (what is known), read the
 * OPML (what is new), format the new sections, then show or write them.
 * Each phase prints its own one-line error and returns -1. */
struct import {
	const char *cmd, *file, *cpath;
	struct buf ctext;   /* the configuration file as read */
	struct stat before; /* its stat then, to detect a concurrent edit */
	struct config *cfg; /* and parsed; NULL without a configuration */
	const char **names, **urls; /* cfg's feeds, for opml_parse */
	struct opml_list l;
	struct buf add;     /* the new [feed NAME] sections */
};

static void
import_release(struct import *im)
{
	config_free(im->cfg);
	opml_list_free(&im->l);
	free(im->names);
	free(im->urls);
	buf_free(&im->add);
	buf_free(&im->ctext);
}

/* The configured feeds, which the OPML's names and URLs must not repeat. */
static int
import_read_config(struct import *im, struct opml_opts *oo)
{
	char *err = NULL;
	size_t i;
	int r;

	if (stat(im->cpath, &im->before) < 0) {
		fprintf(stderr, "briefwatch: %s: %s: %s\n", im->cmd, im->cpath,
			strerror(errno));
		return -1;
	}
	if (read_file(im->cmd, im->cpath, &im->ctext) < 0)
		return -1;
	r = config_parse(buf_str(&im->ctext), im->ctext.len, &im->cfg, &err);
	if (r < 0) {
		fprintf(stderr, "briefwatch: %s: %s: %s\n", im->cmd, im->cpath,
			err ? err : strerror(-r));
		free(err);
		return -1;
	}
	im->names = calloc(im->cfg->nfeeds + 1, sizeof(*im->names));
	im->urls = calloc(im->cfg->nfeeds + 1, sizeof(*im->urls));
	if (!im->names || !im->urls) {
		fprintf(stderr, "briefwatch: %s: out of memory\n", im->cmd);
		return -1;
	}
	for (i = 0; i < im->cfg->nfeeds; i++) {
		im->names[i] = im->cfg->feeds[i].name;
		im->urls[i] = im->cfg->feeds[i].url;
	}
	*oo = (struct opml_opts){im->names, im->cfg->nfeeds, im->urls,
				 im->cfg->nfeeds};
	return 0;
}

/* The OPML's new feeds into im->l. */
static int
import_read_opml(struct import *im, const struct opml_opts *oo)
{
	struct buf otext = BUF_INIT;
	char *err = NULL;
	int r = -1;

	if (read_file(im->cmd, im->file, &otext) < 0)
		return -1;
	r = opml_parse(buf_str(&otext), otext.len, oo, &im->l, &err);
	if (r < 0)
		fprintf(stderr, "briefwatch: %s: %s: %s\n", im->cmd, im->file,
			err ? err : strerror(-r));
	free(err);
	buf_free(&otext);
	return r < 0 ? -1 : 0;
}

/* im->l as [feed NAME] sections in im->add, each after a blank line and
 * its title (and category) as a comment. */
static int
import_format(struct import *im)
{
	size_t i;

	for (i = 0; i < im->l.n; i++) {
		const struct opml_feed *f = &im->l.feeds[i];
		struct buf *add = &im->add;

		if (strlen(f->url) > CONFIG_MAX_URL) {
			fprintf(stderr, "briefwatch: %s: %s: outline \"%.60s\" (line %d): its xmlUrl is longer than %d bytes\n",
				im->cmd, im->file, f->title ? f->title : f->name,
				f->line, CONFIG_MAX_URL);
			return -1;
		}
		buf_puts(add, "\n");
		if ((f->title && strcmp(f->title, f->name) != 0) ||
		    f->category) {
			buf_puts(add, "; ");
			comment_text(add, f->title ? f->title : "");
			if (f->category) {
				buf_puts(add, f->title ? " (in " : "(in ");
				comment_text(add, f->category);
				buf_puts(add, ")");
			}
			buf_puts(add, "\n");
		}
		if (buf_printf(add, "[feed %s]\nurl = %s\n", f->name,
			       f->url) < 0) {
			fprintf(stderr, "briefwatch: %s: out of memory\n",
				im->cmd);
			return -1;
		}
	}
	return 0;
}

/* The configuration with im->add appended, checked to load with the
 * daemon's parser, replacing the file atomically. */
static int
import_write(struct import *im)
{
	struct buf out = BUF_INIT;
	struct config *check = NULL;
	char date[32], *err = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int r = -1;

	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S",
		 localtime_r(&now, &tm));
	buf_append(&out, im->ctext.data ? im->ctext.data : "", im->ctext.len);
	if (out.len && out.data[out.len - 1] != '\n')
		buf_putc(&out, '\n');
	buf_puts(&out, "\n; imported by briefwatch import-opml on ");
	buf_puts(&out, date);
	buf_puts(&out, " from ");
	comment_text(&out, im->file);
	buf_putc(&out, '\n');
	if (buf_append(&out, im->add.data, im->add.len) < 0) {
		fprintf(stderr, "briefwatch: %s: out of memory\n", im->cmd);
		goto done;
	}
	/* What we write must be what the daemon reads back. */
	if (config_parse(out.data, out.len, &check, &err) < 0 ||
	    check->nfeeds != im->cfg->nfeeds + im->l.n) {
		fprintf(stderr, "briefwatch: %s: the new configuration would not load (%s); %s unchanged\n",
			im->cmd, err ? err : "feeds missing", im->cpath);
		goto done;
	}
	r = write_atomic(im->cmd, im->cpath, out.data, out.len, &im->before);
done:
	config_free(check);
	free(err);
	buf_free(&out);
	return r;
}

static int
cmd_import_opml(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"write", no_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct import im = {.cmd = "import-opml", .ctext = BUF_INIT,
			    .add = BUF_INIT};
	struct opml_opts oo = {0};
	const char *own = NULL;
	int c, do_write = 0, rc = 1;
	size_t n;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'c': own = optarg; break;
		case 'w': do_write = 1; break;
		case 'h': return command_help(im.cmd);
		default: return bad_option(im.cmd, c, argv);
		}
	}
	if (argc - optind != 1)
		return bad_usage(im.cmd, "needs one OPML FILE (- for stdin)");
	im.file = argv[optind];
	im.cpath = opml_config_path(cli, own);
	if (do_write && !im.cpath)
		return bad_usage(im.cmd, "--write needs a configuration file (--config FILE); %s does not exist",
				 DEFAULT_CONFIG);
	if ((im.cpath && import_read_config(&im, &oo) < 0) ||
	    import_read_opml(&im, &oo) < 0 || import_format(&im) < 0)
		goto done;
	n = im.l.n;
	if (im.l.skipped_known || im.l.skipped_dup || im.l.skipped_nourl)
		fprintf(stderr, "briefwatch: %s: %s: skipped %zu already configured, %zu repeated, %zu without xmlUrl\n",
			im.cmd, im.file, im.l.skipped_known, im.l.skipped_dup,
			im.l.skipped_nourl);
	if (!do_write) {
		/* The sections on stdout; the rest of the story on stderr. */
		fputs(im.add.len ? im.add.data + 1 : "", stdout);
		rc = flush_stdout(im.cmd);
		if (rc == 0)
			fprintf(stderr, "briefwatch: %s: %zu new feed%s%s\n",
				im.cmd, n, n == 1 ? "" : "s",
				n && im.cpath ? " (--write adds them to the configuration)" : "");
	} else if (n == 0) {
		printf("%s: no new feeds; %s unchanged\n", im.file, im.cpath);
		rc = flush_stdout(im.cmd);
	} else if (import_write(&im) == 0) {
		printf("added %zu feed%s to %s; run \"briefwatch reload\" to start polling %s\n",
		       n, n == 1 ? "" : "s", im.cpath, n == 1 ? "it" : "them");
		rc = flush_stdout(im.cmd);
	}
done:
	import_release(&im);
	return rc;
}

static int
cmd_export_opml(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = "export-opml", *own = NULL, *cpath;
	struct opml_feed *feeds = NULL;
	struct config *cfg = NULL;
	struct buf out = BUF_INIT;
	char *err = NULL;
	size_t i;
	int c, r, rc = 1;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'c': own = optarg; break;
		case 'h': return command_help(cmd);
		default: return bad_option(cmd, c, argv);
		}
	}
	if (optind < argc)
		return bad_usage(cmd, "unexpected argument \"%s\"", argv[optind]);
	cpath = opml_config_path(cli, own);
	if (!cpath)
		return bad_usage(cmd, "needs a configuration file (--config FILE); %s does not exist",
				 DEFAULT_CONFIG);
	r = config_load(cpath, &cfg, &err);
	if (r < 0) {
		/* config_load's message starts with the path. */
		fprintf(stderr, "briefwatch: %s: %s\n", cmd,
			err ? err : strerror(-r));
		goto done;
	}
	feeds = calloc(cfg->nfeeds + 1, sizeof(*feeds));
	if (!feeds)
		goto nomem;
	for (i = 0; i < cfg->nfeeds; i++) {
		feeds[i].name = cfg->feeds[i].name;
		feeds[i].url = cfg->feeds[i].url;
	}
	if (opml_write(feeds, cfg->nfeeds, "briefwatch feeds", &out) < 0)
		goto nomem;
	fputs(buf_str(&out), stdout);
	rc = flush_stdout(cmd);
	goto done;
nomem:
	fprintf(stderr, "briefwatch: %s: out of memory\n", cmd);
done:
	buf_free(&out);
	free(feeds);
	free(err);
	config_free(cfg);
	return rc;
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

/* sock_connect without the message: -1 on any failure. */
static int
sock_connect_quiet(struct cli *cli)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = sock_path(cli);
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
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
		int e = errno;
		struct stat st;

		if (e == EACCES && stat(path, &st) == 0) {
			/* The daemon runs; we may not talk to it. */
			struct group *g = getgrgid(st.st_gid);

			fprintf(stderr, "briefwatch: cannot connect to %s: permission denied: the socket is for group %s (mode %04o) and uid %u is not in it (add the user to the group, then log in again)\n",
				path, g ? g->gr_name : "?",
				(unsigned)(st.st_mode & 07777),
				(unsigned)geteuid());
		} else {
			fprintf(stderr, "briefwatch: cannot connect to %s: %s%s\n",
				path, strerror(e),
				e == ENOENT || e == ECONNREFUSED
				? " (is briefwatchd running?)" : "");
		}
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
	size_t len;
	int r;

	if (!s)
		return -ENOMEM;
	len = strlen(s);
	s[len++] = '\n'; /* json_dumps leaves room: replace the NUL */
	r = fileio_send_all(fd, s, len);
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
		if (n < 0 && errno == EINTR && !tail_stop)
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

/* A cell padded to cols columns (UTF-8 counted as columns, control and
 * bidi characters dropped as everywhere in text output). */
static void
put_cell(const char *s, size_t cols)
{
	size_t n = columns(s, strlen(s));

	term_puts_clean(s);
	for (; n < cols; n++)
		putchar(' ');
}

/* A feed's learned busy hours, on a line of their own below its row in
 * the feeds table (only once learned, so the table stays one line per feed
 * until then); indent: the width of the table's first column. */
static void
print_schedule_text(json_t *f, size_t indent)
{
	const char *busy = json_string_value(json_object_get(f, "busy_hours"));

	if (!busy || !*busy)
		return;
	put_cell("", indent);
	fputs("busy ", stdout);
	term_puts_clean(busy);
	fputs(" (", stdout);
	term_puts_clean(or_else(json_string_value(json_object_get(f, "schedule")), "-"));
	fputs(")\n", stdout);
}

/* The feeds of a status or feeds reply as a table whose first column is
 * as wide as the longest name (names may be 64 characters). */
static void
print_feed_table(json_t *feeds)
{
	size_t i, w = 4, n;
	json_t *f;

	if (!json_array_size(feeds))
		return;
	json_array_foreach(feeds, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));

		n = name ? columns(name, strlen(name)) : 1;
		if (n > w)
			w = n;
	}
	put_cell("FEED", w + 1);
	printf("%-8s %-21s %s\n", "STATE", "NEXT POLL", "LAST RESULT");
	json_array_foreach(feeds, i, f) {
		put_cell(or_else(json_string_value(json_object_get(f, "name")), "-"),
			 w + 1);
		put_cell(or_else(json_string_value(json_object_get(f, "state")), "-"), 9);
		put_cell(or_else(json_string_value(json_object_get(f, "next_poll")), "-"), 22);
		term_puts_clean(or_else(json_string_value(json_object_get(f, "last_result")), "-"));
		putchar('\n');
		print_schedule_text(f, w + 1); /* issue #26 */
	}
}

static void
print_status_text(json_t *r)
{
	json_t *feeds = json_object_get(r, "feeds");
	const char *k;
	json_t *v;

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
		putchar('\n');
	print_feed_table(feeds);
}

static int
cmd_simple(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0], *op = argv[0], *feed = NULL;
	json_t *req, *reply;
	int c, rc, metrics = 0;

	if (strcmp(op, "metrics") == 0) {
		metrics = 1;
		op = "status";
	}
	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'j': cli->json = 1; break;
		case 'h': return command_help(cmd);
		default: return bad_option(cmd, c, argv);
		}
	}
	if (strcmp(op, "poll") == 0) {
		if (argc - optind != 1)
			return bad_usage(cmd, "needs one FEED name");
		feed = argv[optind++];
	}
	if (optind < argc)
		return bad_usage(cmd, "unexpected argument \"%s\"", argv[optind]);
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
		} else if (cli->json) {
			print_json(reply, 0);
		} else if (strcmp(op, "status") == 0) {
			print_status_text(reply);
		} else if (strcmp(op, "feeds") == 0) {
			print_feed_table(json_object_get(reply, "feeds"));
		} else if (strcmp(op, "poll") == 0) {
			printf("polling \"%s\" now (briefwatch feeds shows the result)\n",
			       or_else(json_string_value(json_object_get(reply, "feed")), feed));
		} else {
			printf("reloaded: %lld feeds\n",
			       (long long)json_integer_value(json_object_get(reply, "feeds")));
		}
	}
	json_decref(reply);
	return rc ? rc : flush_stdout(cmd);
}

/* add-feed / remove-feed: the add_feed and remove_feed ops. */
static int
cmd_feed_edit(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"interval", required_argument, NULL, 'i'},
		{"profile", required_argument, NULL, 'p'},
		{"fetch-pages", required_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0];
	int add = strcmp(cmd, "add-feed") == 0;
	json_t *req, *reply;
	int c, rc;

	req = json_pack("{ss}", "op", add ? "add_feed" : "remove_feed");
	if (!req)
		return 1;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
		case 'p':
			if (!add)
				goto bad;
			json_object_set_new(req, c == 'i' ? "interval"
					    : "profile", json_string(optarg));
			break;
		case 'f':
			if (!add)
				goto bad;
			if (strcmp(optarg, "yes") != 0 &&
			    strcmp(optarg, "no") != 0) {
				json_decref(req);
				return bad_usage(cmd, "--fetch-pages is yes or no");
			}
			json_object_set_new(req, "fetch_pages",
					    json_boolean(optarg[0] == 'y'));
			break;
		case 'j': cli->json = 1; break;
		case 'h':
			json_decref(req);
			return command_help(cmd);
		default:
			json_decref(req);
			return bad_option(cmd, c, argv);
		bad:
			json_decref(req);
			return bad_usage(cmd, "takes no option but --json");
		}
	}
	if (argc - optind != (add ? 2 : 1)) {
		json_decref(req);
		return bad_usage(cmd, add ? "needs NAME and URL"
					  : "needs one feed NAME");
	}
	json_object_set_new(req, "feed", json_string(argv[optind]));
	if (add)
		json_object_set_new(req, "url", json_string(argv[optind + 1]));
	reply = request(cli, req);
	json_decref(req);
	if (!reply)
		return 1;
	rc = reply_is_error(reply);
	if (!rc && cli->json)
		print_json(reply, 0);
	else if (!rc)
		printf("%s \"%s\"\n", add ? "added" : "removed",
		       json_string_value(json_object_get(reply, "feed")));
	json_decref(reply);
	return rc ? rc : flush_stdout(cmd);
}

/* output retry NAME: the output_retry op. */
static int
cmd_output(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0];
	json_t *req, *reply;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 'j')
			cli->json = 1;
		else if (c == 'h')
			return command_help(cmd);
		else
			return bad_option(cmd, c, argv);
	}
	if (!strcmp(cmd, "add-output") || !strcmp(cmd, "remove-output")) {
		int add = cmd[0] == 'a', i;
		json_t *conf = json_object();

		if (argc - optind < (add ? 2 : 1) || (!add && argc - optind != 1)) {
			json_decref(conf);
			return bad_usage(cmd, add ? "needs NAME and KEY=VALUE..."
					      : "needs one output NAME");
		}
		for (i = optind + 1; add && i < argc; i++) {
			char *eq = strchr(argv[i], '=');

			if (!eq || eq == argv[i]) {
				json_decref(conf);
				return bad_usage(cmd, "settings are KEY=VALUE");
			}
			*eq = 0;
			json_object_set_new(conf, argv[i], json_string(eq + 1));
			*eq = '=';
		}
		req = add ? json_pack("{ss ss so}", "op", "add_output",
				      "output", argv[optind], "conf", conf)
			  : json_pack("{ss ss}", "op", "remove_output",
				      "output", argv[optind]);
		if (!add)
			json_decref(conf);
		if (!req)
			return 1;
		optind--; /* the name is argv[optind + 1] below */
	} else {
		if (argc - optind != 2 || strcmp(argv[optind], "retry") != 0)
			return bad_usage(cmd, "is: output retry NAME");
		req = json_pack("{ss ss}", "op", "output_retry", "output",
				argv[optind + 1]);
		if (!req)
			return 1;
	}
	reply = request(cli, req);
	json_decref(req);
	if (!reply)
		return 1;
	rc = reply_is_error(reply);
	if (!rc && cli->json)
		print_json(reply, 0);
	else if (!rc)
		printf("%s \"%s\"\n", cmd[0] == 'a' ? "added" : cmd[0] == 'r'
		       ? "removed" : "retrying", argv[optind + 1]);
	json_decref(reply);
	return rc ? rc : flush_stdout(cmd);
}

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
	/* Published text goes through term_puts_clean: no control or bidi
	 * character of a publisher's reaches the terminal. */
	printf("[%lld] %s #%lld ",
	       (long long)json_integer_value(json_object_get(ev, "seq")),
	       strcmp(type, "briefing.new") == 0 ? "NEW" : "UPDATED",
	       (long long)json_integer_value(json_object_get(b, "id")));
	term_puts_clean(or_else(json_string_value(json_object_get(b, "published")), ""));
	fputs("  ", stdout);
	term_puts_clean(or_else(json_string_value(json_object_get(b, "title")), "(untitled)"));
	putchar('\n');
	json_array_foreach(json_object_get(b, "speakers"), i, sp) {
		const char *role = json_string_value(json_object_get(sp, "role"));

		fputs("      ", stdout);
		term_puts_clean(or_else(json_string_value(json_object_get(sp, "name")),
				   "(unnamed)"));
		if (role) {
			fputs(" (", stdout);
			term_puts_clean(role);
			putchar(')');
		}
		putchar('\n');
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

/* What ended one tail connection. */
enum tail_end {
	TAIL_DONE,     /* --count reached, or interrupted */
	TAIL_LOST,     /* the daemon closed the connection or went away */
	TAIL_OVERFLOW, /* the daemon cut us off for falling behind */
	TAIL_FAILED,   /* an error reply: *rc says which exit status */
};

/* One connection: subscribe with req (since = *last once known), print
 * events until the connection ends. *last follows every cursor the
 * daemon reports (events, heartbeats, the subscribed reply, overflow's
 * resume), so a reconnect resumes exactly after what was printed or
 * filtered out. *connected: the subscribe was answered. */
static enum tail_end
tail_session(struct cli *cli, int fd, json_t *req, int64_t *last,
	     long *count, int *rc, int *connected)
{
	struct buf in = BUF_INIT, line = BUF_INIT;
	enum tail_end end = TAIL_LOST;

	*connected = 0;
	if (*last >= 0)
		json_object_set_new(req, "since", json_integer(*last));
	if (send_line(fd, req) < 0)
		return TAIL_LOST;
	while (!tail_stop && *count != 0) {
		json_t *ev, *seq;
		const char *t;

		if (read_line(fd, &in, &line) < 0) {
			end = tail_stop ? TAIL_DONE : TAIL_LOST;
			goto out;
		}
		ev = json_loads(buf_str(&line), 0, NULL);
		if (!ev) {
			fprintf(stderr, "briefwatch: tail: bad line from the daemon\n");
			continue;
		}
		t = json_string_value(json_object_get(ev, "type"));
		if (t && strcmp(t, "error") == 0) {
			*rc = reply_is_error(ev);
			json_decref(ev);
			end = TAIL_FAILED;
			goto out;
		}
		if (t && strcmp(t, "subscribed") == 0)
			*connected = 1;
		seq = json_object_get(ev, strcmp(t ? t : "", "heartbeat") == 0
				      ? "head" : strcmp(t ? t : "", "overflow")
				      == 0 ? "resume" : "seq");
		if (json_is_integer(seq) && json_integer_value(seq) > *last)
			*last = json_integer_value(seq);
		if (t && strcmp(t, "overflow") == 0) {
			json_decref(ev);
			end = TAIL_OVERFLOW;
			goto out;
		}
		if (cli->json)
			puts(buf_str(&line));
		else
			print_event_text(ev);
		if (t && strncmp(t, "briefing.", 9) == 0 && *count > 0)
			(*count)--;
		json_decref(ev);
	}
	end = TAIL_DONE;
out:
	buf_free(&in);
	buf_free(&line);
	return end;
}

/* Sleep ms, or less when interrupted. */
static void
tail_sleep(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (!tail_stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
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
		{"lang", required_argument, NULL, 'l'},
		{"count", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{"no-reconnect", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	json_t *req = json_pack("{ss}", "op", "subscribe");
	json_t *feeds = NULL, *speakers = NULL, *kinds = NULL, *langs = NULL;
	struct sigaction sa = {0};
	enum tail_end end;
	long long since;
	int64_t last = -1;
	size_t n;
	long count = -1, backoff = 0;
	char *end_p;
	int c, fd, rc = 0, reconnect = 1, connected;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while (rc == 0 && (c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			errno = 0;
			since = strtoll(optarg, &end_p, 10);
			if (!isdigit((unsigned char)*optarg) || *end_p || errno)
				rc = bad_usage("tail", "--since \"%s\" is not an event number (seq)",
					       optarg);
			else
				last = since;
			break;
		case 'f': feeds = str_array(feeds, optarg); break;
		case 'S': speakers = str_array(speakers, optarg); break;
		case 'k':
			rc = arg_kind("tail", optarg);
			kinds = str_array(kinds, optarg);
			break;
		case 'q': json_object_set_new(req, "query", json_string(optarg)); break;
		case 'l': langs = str_array(langs, optarg); break;
		case 'n':
			rc = arg_count("tail", "--count", optarg, &n);
			count = (long)n;
			break;
		case 'j': cli->json = 1; break;
		case 'R': reconnect = 0; break;
		case 'h': command_help("tail"); rc = -1; break;
		default: rc = bad_option("tail", c, argv); break;
		}
	}
	if (rc == 0 && optind < argc)
		rc = bad_usage("tail", "unexpected argument \"%s\"", argv[optind]);
	if (feeds)
		json_object_set_new(req, "feeds", feeds);
	if (speakers)
		json_object_set_new(req, "speakers", speakers);
	if (kinds)
		json_object_set_new(req, "kinds", kinds);
	if (langs) /* checked by the daemon: a bad code is its bad_request */
		json_object_set_new(req, "lang", langs);
	if (rc) {
		json_decref(req);
		return rc < 0 ? 0 : rc;
	}
	sa.sa_handler = on_tail_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = sock_connect(cli);
	if (fd < 0) {
		json_decref(req);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		end = tail_session(cli, fd, req, &last, &count, &rc,
				   &connected);
		close(fd);
		fd = -1;
		if (end == TAIL_DONE || end == TAIL_FAILED)
			break;
		if (!reconnect) {
			if (end == TAIL_OVERFLOW)
				fprintf(stderr, "briefwatch: tail: fell behind the daemon; resume with --since %lld\n",
					(long long)last);
			else
				fprintf(stderr, "briefwatch: tail: the daemon closed the connection; resume with --since %lld\n",
					(long long)(last < 0 ? 0 : last));
			rc = 1;
			break;
		}
		/* Reconnect after what we printed: at once after an
		 * overflow, else with a backoff from 0.5 s to 30 s that
		 * restarts once a subscription is answered. */
		if (connected)
			backoff = 0;
		for (;;) {
			backoff = end == TAIL_OVERFLOW && !backoff ? 0
				  : backoff ? (backoff * 2 > 30000 ? 30000
								   : backoff * 2)
					    : 500;
			fprintf(stderr, "briefwatch: tail: %s; reconnecting in %.1f s with --since %lld\n",
				end == TAIL_OVERFLOW ? "fell behind the daemon"
				: "lost the daemon", backoff / 1000.0,
				(long long)(last < 0 ? 0 : last));
			tail_sleep(backoff);
			if (tail_stop)
				break;
			fd = sock_connect_quiet(cli);
			if (fd >= 0)
				break;
			end = TAIL_LOST;
		}
		if (fd < 0)
			break;
		fprintf(stderr, "briefwatch: tail: reconnected\n");
	}
	json_decref(req);
	return rc ? rc : flush_stdout("tail");
}

/* ---- the command table ----------------------------------------------------
 *
 * One row per command: its name, its arguments as usage() and --help print
 * them (one line per form), a summary, whether it needs the configuration
 * loaded first, and the function that runs it with argv[0] = the command.
 * main() dispatches through the table alone; usage() and command_help()
 * print from it; tests/integration/test_cli_docs.sh checks it against
 * docs/cli.md (every usage line documented, every documented command
 * here). To add a command: write cmd_NAME(cli, argc, argv), add its row,
 * and document its usage line in docs/cli.md.
 */

static int
run_parse(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	return cmd_parse(argc, argv);
}

static int
run_list(struct cli *cli, int argc, char **argv)
{
	return cmd_list(cli, argc, argv, 0);
}

static int
run_export(struct cli *cli, int argc, char **argv)
{
	return cmd_list(cli, argc, argv, 1);
}

static int
run_version(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return command_help("version");
	if (argc > 1)
		return bad_usage("version", "unexpected argument \"%s\"", argv[1]);
	puts("briefwatch " BW_VERSION);
	return 0;
}

/* issue #26: the scheduler against a timeline (schedsim.h); the
 * configuration, when there is one, gives the default interval and
 * bounds. */
static int
run_schedule_sim(struct cli *cli, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return command_help("schedule-sim");
	return schedsim_main(cli->cfg, argc, argv);
}

static int
run_help(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	if (argc > 2)
		return bad_usage("help", "takes at most one COMMAND");
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return command_help("help");
	if (argc == 2 && !find_command(argv[1]))
		return bad_usage("help", "no command \"%s\"", argv[1]);
	if (argc == 2)
		return command_help(argv[1]);
	usage(stdout);
	return 0;
}

/* tail --nats reads the relay's NATS stream instead of the socket
 * (relay_cli.c). */
static int
run_tail(struct cli *cli, int argc, char **argv)
{
	if (relay_tail_wanted(argc, argv))
		return relay_tail_main(argc, argv);
	return cmd_tail(cli, argc, argv);
}

static int
run_relay_takeover(struct cli *cli, int argc, char **argv)
{
	return relay_takeover_main(cli->cfg ? cli->cfg->relay : NULL,
				   db_path(cli), argc, argv);
}

enum {
	CMD_CONFIG = 1, /* load the configuration before running */
};

struct command {
	const char *name;
	const char *args;    /* after the name; '\n' separates forms */
	const char *summary;
	int flags;
	int (*run)(struct cli *cli, int argc, char **argv);
};

static const struct command commands[] = {
	{"tail", "[--since SEQ] [--feed F] [--speaker S] [--kind K] [--query Q] [--lang L] [--count N] [--json] [--no-reconnect]\n"
		 "--nats URL [--durable NAME] [--feed F] [--since SEQ] [--count N] [--json] [--stream NAME] [--subject-prefix P] [--idle-exit DURATION] [--creds FILE | --nkey SEEDFILE]",
	 "print briefings as the daemon (or its NATS stream) announces them",
	 CMD_CONFIG, run_tail},
	{"relay-takeover", "[--from SEQ]",
	 "let a fenced NATS relay go on from this database", CMD_CONFIG,
	 run_relay_takeover},
	{"search", "QUERY [--speaker S] [--feed F] [--kind K] [--since DATE] [--until DATE] [--limit N] [--lang L] [--json]",
	 "full-text search of the archive", CMD_CONFIG, cmd_search},
	{"show", "ID [--json] [--width N]", "one briefing in full", CMD_CONFIG,
	 cmd_show},
	{"list", "[--feed F] [--speaker S] [--kind K] [--since DATE] [--until DATE] [--limit N] [--json]",
	 "the archive's briefings, newest first", CMD_CONFIG, run_list},
	{"export", "[--format jsonl] [--feed F] [--speaker S] [--kind K] [--since DATE] [--until DATE] [--limit N]",
	 "whole briefings as JSON lines", CMD_CONFIG, run_export},
	{"backup", "FILE", "a consistent copy of the database", CMD_CONFIG,
	 cmd_backup},
	{"import-opml", "FILE [--config FILE] [--write]",
	 "feeds from an OPML file into the configuration", 0,
	 cmd_import_opml},
	{"export-opml", "[--config FILE]",
	 "the configured feeds as OPML", 0, cmd_export_opml},
	{"status", "[--json]", "daemon state, counts, each feed's state",
	 CMD_CONFIG, cmd_simple},
	{"feeds", "[--json]", "the feeds with their schedule and last result",
	 CMD_CONFIG, cmd_simple},
	{"poll", "FEED [--json]", "poll FEED now (privileged)", CMD_CONFIG,
	 cmd_simple},
	{"reload", "[--json]", "re-read the configuration (privileged)",
	 CMD_CONFIG, cmd_simple},
	{"add-feed", "NAME URL [--interval D] [--profile P] [--fetch-pages yes|no] [--json]",
	 "add a feed at run time (privileged)", CMD_CONFIG, cmd_feed_edit},
	{"remove-feed", "NAME [--json]",
	 "remove a feed added with add-feed (privileged)", CMD_CONFIG,
	 cmd_feed_edit},
	{"output", "retry NAME [--json]",
	 "a failing or stopped output tries again (privileged)", CMD_CONFIG,
	 cmd_output},
	{"add-output", "NAME KEY=VALUE... [--json]",
	 "add an output at run time, e.g. type=webhook url=https://... (privileged)",
	 CMD_CONFIG, cmd_output},
	{"remove-output", "NAME [--json]",
	 "remove an output added with add-output (privileged)", CMD_CONFIG,
	 cmd_output},
	{"metrics", "", "the status in Prometheus text format", CMD_CONFIG,
	 cmd_simple},
	{"schedule-sim", "TIMELINE.json [--interval D] [--min-interval D] [--max-interval D] [--schedule adaptive|fixed] [--from DATE] [--seed N] [--items] [--json]",
	 "replay a publication timeline against the scheduler", CMD_CONFIG,
	 run_schedule_sim},
	{"parse", "feed FILE [--url URL] [--content-type CT]\n"
		  "transcript FILE --url URL [--charset CS]",
	 "run a parser on one saved input", 0, run_parse},
	{"version", "", "print the version", 0, run_version},
	{"help", "[COMMAND]", "this list, or one command's usage", 0,
	 run_help},
};

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Each form of c's usage, "NAME ARGS", on its own line after lead. */
static void
print_forms(FILE *to, const char *lead, const struct command *c)
{
	const char *p = c->args, *nl;

	do {
		nl = strchr(p, '\n');
		fprintf(to, "%s%s%s%.*s\n", lead, c->name, *p ? " " : "",
			nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl + 1;
	} while (nl);
}

static void
usage(FILE *to)
{
	size_t i;

	fputs("usage: briefwatch [--config FILE] [--socket PATH] [--db PATH] COMMAND ...\n\n",
	      to);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		print_forms(to, "  ", &commands[i]);
		fprintf(to, "        %s\n", commands[i].summary);
	}
	fputs("\nDATE: 2026, 2026-11, 2026-11-18 or an ISO 8601 time; KIND: transcript,\n"
	      "speech, release or other. briefwatch COMMAND --help: one command.\n",
	      to);
}

/* Print name's usage (a command of the table): exit status 0. */
static int
command_help(const char *name)
{
	const struct command *c = find_command(name);

	if (c)
		print_forms(stdout, "usage: briefwatch ", c);
	return 0;
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
	const struct command *cmd;
	const char *name;
	int c, rc;

	/* Global options come before the command; the command parses the
	 * rest with its own getopt run. */
	opterr = 0; /* every command words its own one-line errors */
	while ((c = getopt_long(argc, argv, "+:c:s:d:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli.config_path = optarg; break;
		case 's': cli.socket_path = optarg; break;
		case 'd': cli.db_path = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': puts("briefwatch " BW_VERSION); return 0;
		default:
			if (c == ':')
				fprintf(stderr, "briefwatch: option %s needs a value (see briefwatch --help)\n",
					argv[optind - 1]);
			else
				fprintf(stderr, "briefwatch: unknown option %s (see briefwatch --help)\n",
					argv[optind - 1]);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "briefwatch: no command given (see briefwatch --help)\n");
		return 2;
	}
	name = argv[optind];
	argc -= optind;
	argv += optind;
	/* A closed pipe is an EPIPE from write, handled where the output is
	 * flushed, instead of a death by signal (exit status 141). */
	signal(SIGPIPE, SIG_IGN);
	cmd = find_command(name);
	if (!cmd) {
		fprintf(stderr, "briefwatch: unknown command \"%s\" (see briefwatch --help)\n",
			name);
		return 2;
	}
	sanitize_libxml_init();
	/* reload --socket: the daemon reads its own file (which may not be
	 * DEFAULT_CONFIG) and its answer says whether it was good. */
	if ((cmd->flags & CMD_CONFIG) &&
	    !(cli.socket_path && strcmp(name, "reload") == 0) &&
	    (cli.config_path || access(DEFAULT_CONFIG, R_OK) == 0)) {
		char *err = NULL;
		const char *path = cli.config_path ? cli.config_path
						   : DEFAULT_CONFIG;

		if (config_load(path, &cli.cfg, &err) < 0) {
			fprintf(stderr, "briefwatch: %s\n", err ? err : path);
			free(err);
			return 1;
		}
	}
	rc = cmd->run(&cli, argc, argv);
	config_free(cli.cfg);
	return rc;
}
