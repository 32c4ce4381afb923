/* main.c — briefwatchd: parse the command line, run the daemon on one
 * libuv loop, exit with its status. Everything else is in daemon.c.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <uv.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "sanitize.h"

#define DEFAULT_CONFIG BW_SYSCONFDIR "/briefwatch/briefwatch.conf"

static void
usage(FILE *to)
{
	fputs("usage: briefwatchd [--config FILE] [--foreground] [--once] [--check-config]\n"
	      "                   [--log-level LEVEL] [--version]\n",
	      to);
}

static int
check_config(const char *path)
{
	struct config *cfg = NULL;
	const char *w, *nl;
	char *err = NULL;

	if (config_load(path, &cfg, &err) < 0) {
		fprintf(stderr, "briefwatchd: %s\n", err ? err : path);
		free(err);
		return 1;
	}
	/* Legal but dangerous: say so, still ok. */
	for (w = cfg->warnings; w && *w; w = nl + 1) {
		nl = strchr(w, '\n');
		if (!nl)
			break;
		fprintf(stderr, "briefwatchd: %s: warning: %.*s\n", path,
			(int)(nl - w), w);
	}
	printf("%s: ok, %zu feeds\n", path, cfg->nfeeds);
	config_free(cfg);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"foreground", no_argument, NULL, 'f'},
		{"once", no_argument, NULL, '1'},
		{"check-config", no_argument, NULL, 'C'},
		{"log-level", required_argument, NULL, 'l'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct daemon_opts o = {DEFAULT_CONFIG, 0, 0};
	struct daemon d;
	uv_loop_t loop;
	char *err = NULL;
	int c, check = 0, level = -1, rc;

	while ((c = getopt_long(argc, argv, "c:f1Cl:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config_path = optarg; break;
		case 'f': o.foreground = 1; break;
		case '1': o.once = 1; break;
		case 'C': check = 1; break;
		case 'l':
			level = log_parse_level(optarg);
			if (level < 0) {
				fprintf(stderr, "briefwatchd: bad log level \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'V': puts("briefwatchd " BW_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (check)
		return check_config(o.config_path);
	/* Writes to a vanished subscriber must fail with EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit (RLIMIT_FSIZE) must make writes fail with EFBIG,
	 * which the store treats like a full disk, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("cannot initialise libcurl");
		return 1;
	}
	sanitize_libxml_init();
	uv_loop_init(&loop);
	rc = daemon_start(&d, &loop, &o, &err);
	if (rc < 0) {
		log_err("cannot start: %s", err ? err : strerror(-rc));
		free(err);
		uv_loop_close(&loop);
		curl_global_cleanup();
		return 1;
	}
	if (level >= 0)
		log_level = level;
	uv_run(&loop, UV_RUN_DEFAULT);
	rc = d.exit_code;
	daemon_release(&d);
	if (uv_loop_close(&loop) != 0)
		log_warn("shutdown: handles left open on the loop");
	else
		/* Join the thread pool now, while libxml2's per-thread state
		 * key still exists, so the pool threads free their state. */
		uv_library_shutdown();
	xmlCleanupParser();
	curl_global_cleanup();
	log_info("stopped");
	if (d.once_failed) {
		/* the last line says which feeds failed */
		log_err("%s", d.once_failed);
		free(d.once_failed);
	}
	return rc;
}
