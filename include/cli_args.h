/* cli_args — what every command of the `briefwatch` CLI says about its
 * arguments, shared by daemon/cli.c and daemon/relay_cli.c: one line for
 * a usage error (exit status 2), an unknown option or a missing value, an
 * event number.
 */
#ifndef BW_CLI_ARGS_H
#define BW_CLI_ARGS_H

#include <stdint.h>

/* "briefwatch CMD: <message> (see briefwatch CMD --help)" on stderr;
 * returns 2, the exit status of a usage error. */
int bad_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* getopt_long returned '?' or ':' (the option strings start with ':'):
 * the usage error that says which option. */
int bad_option(const char *cmd, int c, char **argv);
/* An event number (seq): digits only. 0 and *out, or -1. */
int arg_seq(const char *s, int64_t *out);

#endif
