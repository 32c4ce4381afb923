/* log — one line per message on stderr, prefixed with the syslog priority
 * ("<3>" err, "<4>" warning, "<6>" info, "<7>" debug) so journald records
 * the right priority. No timestamps: journald adds them.
 *
 * Arguments that come from the outside world (feed titles, URLs, client
 * lines) must be passed through a "%s" and are escaped: control characters
 * and newlines never reach the log verbatim.
 *
 * Leaf modules (parsers, store, fetch) do not log; the code that decides
 * what to do about a failure logs once.
 */
#ifndef BW_LOG_H
#define BW_LOG_H

#include <stddef.h>

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7 };

/* Messages above this level are dropped. Global because every module logs
 * and threading a logger through each call buys nothing. Atomic: a reload
 * sets it on the loop thread while the store's writer thread may log. */
extern _Atomic int log_level;

/* Safe from any thread: each line is one fwrite(3) on stderr. */
void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Like log_msg, but at most burst messages per key per minute; the key is
 * any stable string (e.g. "feed:nato"). Suppressed counts are reported
 * when the window reopens. Loop thread only (the table is not locked). */
void log_limited(const char *key, int burst, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Parse "err", "warning", "info", "debug" (or 3..7). -EINVAL otherwise. */
int log_parse_level(const char *s);

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
