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
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "briefing.h"
#include "buf.h"
#include "config.h"
#include "feed.h"
#include "fileio.h"
#include "history.h"
#include "metrics.h"
#include "sanitize.h"
#include "opml.h"
#include "store.h"
#include "transcript.h"

#define DEFAULT_CONFIG BW_SYSCONFDIR "/briefwatch/briefwatch.conf"
#define CLI_MAX_INPUT (64u << 20)
/* A sanity bound on imported feed URLs (the configuration reader itself
 * has no line limit). */
#define CLI_CONFIG_MAX_URL 8192

struct cli {
	const char *config_path;
	const char *socket_path;
	const char *db_path;
	struct config *cfg;
	int json;
	int width;   /* wrap text output at this many columns; 0: do not */
};

/* ---- usage ----------------------------------------------------------------- */

struct command_help {
	const char *name;
	const char *usage;
};

static const struct command_help commands[] = {
	{"tail", "tail [--since SEQ] [--feed F] [--speaker S] [--kind K] [--query Q] [--count N] [--json]"},
	{"search", "search QUERY [--speaker S] [--feed F] [--kind K] [--since DATE] [--until DATE] [--limit N] [--json]"},
	{"show", "show ID [--json] [--width N]"},
	{"list", "list [--feed F] [--speaker S] [--kind K] [--since DATE] [--until DATE] [--limit N] [--json]"},
	{"export", "export [--format jsonl] [--feed F] [--speaker S] [--kind K] [--since DATE] [--until DATE] [--limit N]"},
	{"backup", "backup FILE"},
	{"import-opml", "import-opml FILE [--config FILE] [--write]"},
	{"export-opml", "export-opml [--config FILE]"},
	{"status", "status [--json]"},
	{"feeds", "feeds [--json]"},
	{"poll", "poll FEED [--json]"},
	{"reload", "reload [--json]"},
	{"add-feed", "add-feed NAME URL [--interval DURATION] [--profile P] [--fetch-pages yes|no] [--json]"},
	{"remove-feed", "remove-feed NAME [--json]"},
	{"output", "output retry NAME [--json]   (a failing or stopped output tries again)"},
	{"add-output", "add-output NAME KEY=VALUE... [--json]   (e.g. type=webhook url=https://...)"},
	{"remove-output", "remove-output NAME [--json]"},
	{"metrics", "metrics                  (Prometheus text format)"},
	{"parse", "parse feed FILE [--url URL] [--content-type CT]\n"
		  "  parse transcript FILE --url URL [--charset CS]"},
	{"version", "version"},
};

static void
usage(FILE *to)
{
	size_t i;

	fputs("usage: briefwatch [--config FILE] [--socket PATH] [--db PATH] COMMAND ...\n\n",
	      to);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(to, "  %s\n", commands[i].usage);
	fputs("\nDATE: 2026, 2026-11, 2026-11-18 or an ISO 8601 time; KIND: transcript,\n"
	      "speech, release or other. briefwatch COMMAND --help: one command.\n",
	      to);
}

static int
command_help(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			printf("usage: briefwatch %s\n", commands[i].usage);
	return 0;
}

/* One line for a usage error, then exit status 2. */
static int
bad_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
bad_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "briefwatch: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see briefwatch %s --help)\n", cmd);
	return 2;
}

/* getopt_long returned '?' or ':' (the option strings start with ':'). */
static int
bad_option(const char *cmd, int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return bad_usage(cmd, "option %s needs a value", opt);
	if (optopt && (strncmp(opt, "--", 2) != 0))
		return bad_usage(cmd, "unknown option -%c", optopt);
	return bad_usage(cmd, "unknown option %s", opt);
}

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
	static const char shape[] = "dddd-dd-dd";
	size_t i, n = strlen(s);

	for (i = 0; i < n && i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != '-')
			break;
	if (!((i == 4 && n == 4) || (i == 7 && n == 7) ||
	      (i == 10 && (n == 10 || ((s[10] == 'T' || s[10] == ' ') &&
				       n > 11 && isdigit((unsigned char)s[11]))))))
		return bad_usage(cmd, "%s \"%s\" is not a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm...)",
				 opt, s);
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

/* Write s[0..n) to stdout with terminal control characters (C0 except
 * newline, DEL, C1) replaced by spaces: published text must not be able
 * to drive the terminal. */
static void
put_clean(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((u[i] < 0x20 && u[i] != '\n') || u[i] == 0x7f) {
			putchar(' ');
		} else if (u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 &&
			   u[i + 1] <= 0x9f) {
			putchar(' ');
			i++;
		} else {
			putchar(u[i]);
		}
	}
}

static void
puts_clean(const char *s)
{
	put_clean(s, strlen(s));
}

/* Display columns of s[0..n): one per code point (wide scripts are rare
 * in these archives; a line then wraps a little late, never wrongly). */
static size_t
columns(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
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
			put_clean(p, len);
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
			put_clean(w, (size_t)(we - w));
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
	put_clean(s, i);
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

static struct store *
open_db(struct cli *cli, const char *cmd)
{
	struct store *s = NULL;
	char *err = NULL;

	if (store_open(db_path(cli), STORE_READONLY, &s, &err) < 0) {
		fprintf(stderr, "briefwatch: %s: database %s: %s\n", cmd,
			db_path(cli), err ? err : "cannot open");
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
		int r = print_json(o, 1);

		json_decref(o);
		return r ? -EIO : 0;
	}
	printf("#%lld  %.10s  ", (long long)h->id,
	       h->published ? h->published : "----------");
	puts_clean(h->title ? h->title : "(untitled)");
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
				  : t->type == TURN_QUESTION ? "Q" : "?";
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
	s = open_db(cli, "show");
	if (!s)
		return 1;
	r = store_get_briefing(s, id, &b);
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
		/* its page and revisions (issue #19) */
		if (history_print(s, b->id, stdout) < 0)
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
};

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
		return r || ferror(stdout) ? -EIO : 0;
	}
	n = snprintf(head, sizeof(head), "%6lld  %-10.10s  %-12s  ",
		     (long long)b->id, b->published ? b->published : "-",
		     b->feed ? b->feed : "-");
	fputs(head, stdout);
	if (lc->width > n + 10)
		print_cut(b->title ? b->title : "(untitled)",
			  (size_t)(lc->width - n - 1));
	else
		puts_clean(b->title ? b->title : "(untitled)");
	putchar('\n');
	return ferror(stdout) ? -EIO : 0;
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
	struct list_ctx lc = {cli, export, 0};
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
	s = open_db(cli, cmd);
	if (!s)
		return 1;
	/* Ascending id; q.limit 0 is every briefing (store.h). */
	r = store_foreach_briefing(s, &q, list_one, &lc);
	if (r == -EIO && ferror(stdout))
		fprintf(stderr, "briefwatch: %s: writing the output: %s\n", cmd,
			strerror(errno ? errno : EIO));
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
	char size[32], *err = NULL;
	int c, r;

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
	/* The copy is renamed over FILE: never let that be the archive. */
	if (stat(db_path(cli), &db) == 0 && stat(file, &to) == 0 &&
	    db.st_dev == to.st_dev && db.st_ino == to.st_ino) {
		fprintf(stderr, "briefwatch: backup: %s is the database itself\n",
			file);
		return 1;
	}
	s = open_db(cli, "backup");
	if (!s)
		return 1;
	r = store_backup(s, file);
	if (r < 0) {
		fprintf(stderr, "briefwatch: backup: %s\n", store_errmsg(s));
		store_close(s);
		return 1;
	}
	store_close(s);
	/* Count what the copy holds (not the live database, which has
	 * moved on): this also proves the copy opens. */
	r = store_open(file, STORE_READONLY, &copy, &err);
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

static int
cmd_import_opml(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"write", no_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = "import-opml", *own = NULL, *cpath, *file;
	struct buf ctext = BUF_INIT, otext = BUF_INIT, add = BUF_INIT;
	struct opml_list l = {0};
	struct opml_opts oo = {0};
	struct config *cfg = NULL, *check = NULL;
	const char **names = NULL, **urls = NULL;
	struct stat before;
	char *err = NULL;
	int c, r, do_write = 0, rc = 1;
	size_t i;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'c': own = optarg; break;
		case 'w': do_write = 1; break;
		case 'h': return command_help(cmd);
		default: return bad_option(cmd, c, argv);
		}
	}
	if (argc - optind != 1)
		return bad_usage(cmd, "needs one OPML FILE (- for stdin)");
	file = argv[optind];
	cpath = opml_config_path(cli, own);
	if (do_write && !cpath)
		return bad_usage(cmd, "--write needs a configuration file (--config FILE); %s does not exist",
				 DEFAULT_CONFIG);
	if (cpath) {
		if (stat(cpath, &before) < 0) {
			fprintf(stderr, "briefwatch: %s: %s: %s\n", cmd, cpath,
				strerror(errno));
			goto done;
		}
		if (read_file(cmd, cpath, &ctext) < 0)
			goto done;
		r = config_parse(buf_str(&ctext), ctext.len, &cfg, &err);
		if (r < 0) {
			fprintf(stderr, "briefwatch: %s: %s: %s\n", cmd, cpath,
				err ? err : strerror(-r));
			goto done;
		}
		names = calloc(cfg->nfeeds + 1, sizeof(*names));
		urls = calloc(cfg->nfeeds + 1, sizeof(*urls));
		if (!names || !urls) {
			fprintf(stderr, "briefwatch: %s: out of memory\n", cmd);
			goto done;
		}
		for (i = 0; i < cfg->nfeeds; i++) {
			names[i] = cfg->feeds[i].name;
			urls[i] = cfg->feeds[i].url;
		}
		oo = (struct opml_opts){names, cfg->nfeeds, urls, cfg->nfeeds};
	}
	if (read_file(cmd, file, &otext) < 0)
		goto done;
	r = opml_parse(buf_str(&otext), otext.len, &oo, &l, &err);
	if (r < 0) {
		fprintf(stderr, "briefwatch: %s: %s: %s\n", cmd, file,
			err ? err : strerror(-r));
		goto done;
	}
	for (i = 0; i < l.n; i++) {
		const struct opml_feed *f = &l.feeds[i];

		if (strlen(f->url) > CLI_CONFIG_MAX_URL) {
			fprintf(stderr, "briefwatch: %s: %s: outline \"%.60s\" (line %d): its xmlUrl is longer than %d bytes\n",
				cmd, file, f->title ? f->title : f->name,
				f->line, CLI_CONFIG_MAX_URL);
			goto done;
		}
		buf_puts(&add, "\n");
		if ((f->title && strcmp(f->title, f->name) != 0) ||
		    f->category) {
			buf_puts(&add, "; ");
			comment_text(&add, f->title ? f->title : "");
			if (f->category) {
				buf_puts(&add, f->title ? " (in " : "(in ");
				comment_text(&add, f->category);
				buf_puts(&add, ")");
			}
			buf_puts(&add, "\n");
		}
		if (buf_printf(&add, "[feed %s]\nurl = %s\n", f->name,
			       f->url) < 0) {
			fprintf(stderr, "briefwatch: %s: out of memory\n", cmd);
			goto done;
		}
	}
	if (l.skipped_known || l.skipped_dup || l.skipped_nourl)
		fprintf(stderr, "briefwatch: %s: %s: skipped %zu already configured, %zu repeated, %zu without xmlUrl\n",
			cmd, file, l.skipped_known, l.skipped_dup,
			l.skipped_nourl);
	if (!do_write) {
		/* The sections on stdout; the rest of the story on stderr. */
		fputs(add.len ? add.data + 1 : "", stdout);
		rc = flush_stdout(cmd);
		if (rc == 0)
			fprintf(stderr, "briefwatch: %s: %zu new feed%s%s\n", cmd,
				l.n, l.n == 1 ? "" : "s",
				l.n && cpath ? " (--write adds them to the configuration)" : "");
		goto done;
	}
	if (l.n == 0) {
		printf("%s: no new feeds; %s unchanged\n", file, cpath);
		rc = flush_stdout(cmd);
		goto done;
	}
	{
		struct buf out = BUF_INIT;
		char date[32];
		time_t now = time(NULL);
		struct tm tm;

		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S",
			 localtime_r(&now, &tm));
		buf_append(&out, ctext.data ? ctext.data : "", ctext.len);
		if (out.len && out.data[out.len - 1] != '\n')
			buf_putc(&out, '\n');
		buf_puts(&out, "\n; imported by briefwatch import-opml on ");
		buf_puts(&out, date);
		buf_puts(&out, " from ");
		comment_text(&out, file);
		buf_putc(&out, '\n');
		if (buf_append(&out, add.data, add.len) < 0) {
			fprintf(stderr, "briefwatch: %s: out of memory\n", cmd);
			buf_free(&out);
			goto done;
		}
		/* What we write must be what the daemon reads back. */
		free(err);
		err = NULL;
		r = config_parse(out.data, out.len, &check, &err);
		if (r < 0 || check->nfeeds != cfg->nfeeds + l.n) {
			fprintf(stderr, "briefwatch: %s: the new configuration would not load (%s); %s unchanged\n",
				cmd, err ? err : "feeds missing", cpath);
			buf_free(&out);
			goto done;
		}
		r = write_atomic(cmd, cpath, out.data, out.len, &before);
		buf_free(&out);
		if (r < 0)
			goto done;
	}
	printf("added %zu feed%s to %s; run \"briefwatch reload\" to start polling %s\n",
	       l.n, l.n == 1 ? "" : "s", cpath, l.n == 1 ? "it" : "them");
	rc = flush_stdout(cmd);
done:
	config_free(check);
	config_free(cfg);
	opml_list_free(&l);
	free(names);
	free(urls);
	free(err);
	buf_free(&add);
	buf_free(&otext);
	buf_free(&ctext);
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
		} else if (cli->json || strcmp(op, "status") != 0) {
			print_json(reply, 0);
		} else {
			print_status_text(reply);
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	json_t *req = json_pack("{ss}", "op", "subscribe");
	json_t *feeds = NULL, *speakers = NULL, *kinds = NULL;
	struct buf in = BUF_INIT, line = BUF_INIT;
	struct sigaction sa = {0};
	long long since;
	size_t n;
	long count = -1;
	char *end;
	int c, fd, rc = 0;

	optind = 0; /* 0: a full reset of GNU getopt's state */
	while (rc == 0 && (c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			errno = 0;
			since = strtoll(optarg, &end, 10);
			if (!isdigit((unsigned char)*optarg) || *end || errno)
				rc = bad_usage("tail", "--since \"%s\" is not an event number (seq)",
					       optarg);
			else
				json_object_set_new(req, "since",
						    json_integer(since));
			break;
		case 'f': feeds = str_array(feeds, optarg); break;
		case 'S': speakers = str_array(speakers, optarg); break;
		case 'k':
			rc = arg_kind("tail", optarg);
			kinds = str_array(kinds, optarg);
			break;
		case 'q': json_object_set_new(req, "query", json_string(optarg)); break;
		case 'n':
			rc = arg_count("tail", "--count", optarg, &n);
			count = (long)n;
			break;
		case 'j': cli->json = 1; break;
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
	if (rc) {
		json_decref(req);
		return rc < 0 ? 0 : rc;
	}
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
			fprintf(stderr, "briefwatch: tail: bad line from the daemon\n");
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
		if (t && strcmp(t, "overflow") == 0) {
			fprintf(stderr, "briefwatch: tail: fell behind the daemon; resume with --since %lld\n",
				(long long)json_integer_value(json_object_get(ev, "resume")));
			rc = 1;
		}
		json_decref(ev);
	}
	buf_free(&in);
	buf_free(&line);
	close(fd);
	return rc ? rc : flush_stdout("tail");
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
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	sanitize_libxml_init();
	if (strcmp(cmd, "parse") == 0)
		return cmd_parse(argc, argv);
	if (strcmp(cmd, "version") == 0)
		return puts("briefwatch " BW_VERSION), 0;
	if (strcmp(cmd, "help") == 0)
		return usage(stdout), 0;
	/* These read and write the configuration file themselves. */
	if (strcmp(cmd, "import-opml") == 0)
		return cmd_import_opml(&cli, argc, argv);
	if (strcmp(cmd, "export-opml") == 0)
		return cmd_export_opml(&cli, argc, argv);
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
	else if (strcmp(cmd, "backup") == 0)
		rc = cmd_backup(&cli, argc, argv);
	else if (strcmp(cmd, "tail") == 0)
		rc = cmd_tail(&cli, argc, argv);
	else if (strcmp(cmd, "status") == 0 || strcmp(cmd, "feeds") == 0 ||
		 strcmp(cmd, "metrics") == 0 ||
		 strcmp(cmd, "poll") == 0 || strcmp(cmd, "reload") == 0)
		rc = cmd_simple(&cli, argc, argv);
	else if (strcmp(cmd, "add-feed") == 0 ||
		 strcmp(cmd, "remove-feed") == 0)
		rc = cmd_feed_edit(&cli, argc, argv);
	else if (strcmp(cmd, "output") == 0 ||
		 strcmp(cmd, "add-output") == 0 ||
		 strcmp(cmd, "remove-output") == 0)
		rc = cmd_output(&cli, argc, argv);
	else {
		fprintf(stderr, "briefwatch: unknown command \"%s\" (see briefwatch --help)\n",
			cmd);
		rc = 2;
	}
	config_free(cli.cfg);
	return rc;
}
