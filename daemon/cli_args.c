/* cli_args.c — the CLI's argument errors (see include/cli_args.h). */
#include "cli_args.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
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

int
bad_option(const char *cmd, int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return bad_usage(cmd, "option %s needs a value", opt);
	if (optopt && (strncmp(opt, "--", 2) != 0))
		return bad_usage(cmd, "unknown option -%c", optopt);
	return bad_usage(cmd, "unknown option %s", opt);
}

int
arg_seq(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}
