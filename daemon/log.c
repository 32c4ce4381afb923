/* log.c — journald-friendly stderr logging (see include/log.h). */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"

_Atomic int log_level = LOG_LVL_INFO;

static void log_write(int level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void
log_write(int level, const char *fmt, va_list ap)
{
	char raw[2048];
	char out[4096];
	size_t i, o = 0;
	int n;

	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	if (n < 0)
		return;
	o = (size_t)snprintf(out, sizeof(out), "<%d>", level);
	/* Escape control characters so a hostile string cannot forge lines. */
	for (i = 0; raw[i] && o + 5 < sizeof(out); i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, sizeof(out) - o,
					      "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if ((size_t)n >= sizeof(raw) && o + 4 < sizeof(out)) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '\n';
	fwrite(out, 1, o, stderr);
}

void
log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	log_write(level, fmt, ap);
	va_end(ap);
}

/* A small fixed table: keys beyond it share the last slot, which only
 * makes limiting stricter. */
#define LOG_RL_SLOTS 64
static struct {
	char key[64];
	time_t window;
	int count;
	int dropped;
} rl[LOG_RL_SLOTS];

void
log_limited(const char *key, int burst, int level, const char *fmt, ...)
{
	time_t now = time(NULL);
	va_list ap;
	int i, slot = LOG_RL_SLOTS - 1;

	if (level > log_level)
		return;
	for (i = 0; i < LOG_RL_SLOTS; i++) {
		if (!rl[i].key[0] || strncmp(rl[i].key, key,
					     sizeof(rl[i].key) - 1) == 0) {
			slot = i;
			break;
		}
	}
	if (!rl[slot].key[0])
		snprintf(rl[slot].key, sizeof(rl[slot].key), "%s", key);
	if (now - rl[slot].window >= 60) {
		if (rl[slot].dropped)
			log_msg(level, "%d similar messages suppressed (%s)",
				rl[slot].dropped, rl[slot].key);
		rl[slot].window = now;
		rl[slot].count = 0;
		rl[slot].dropped = 0;
	}
	if (rl[slot].count >= burst) {
		rl[slot].dropped++;
		return;
	}
	rl[slot].count++;
	va_start(ap, fmt);
	log_write(level, fmt, ap);
	va_end(ap);
}

int
log_parse_level(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
		{"err", LOG_LVL_ERR},   {"error", LOG_LVL_ERR},
		{"warning", LOG_LVL_WARN}, {"warn", LOG_LVL_WARN},
		{"notice", 5},          {"info", LOG_LVL_INFO},
		{"debug", LOG_LVL_DEBUG},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].level;
	if (s[0] >= '0' && s[0] <= '7' && !s[1])
		return s[0] - '0';
	return -EINVAL;
}
