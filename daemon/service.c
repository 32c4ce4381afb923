/* service.c — sd_notify, socket activation and the watchdog (service.h). */
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "utf8.h"

/* Copy text into out (size outsz) as one clean line: control characters
 * become spaces, invalid UTF-8 bytes become '?' (systemd drops a STATUS=
 * that is not UTF-8), and a cut never splits a character. */
static void
service_clean_line(char *out, size_t outsz, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), i = 0, o = 0, len;

	while (i < n) {
		len = s[i] < 0x80 ? 1 : utf8_seq_len(s + i, n - i);
		if (len == 0) {
			if (o + 1 >= outsz)
				break;
			out[o++] = '?';
			i++;
			continue;
		}
		if (o + len >= outsz)
			break;
		if (len == 1 && (s[i] < 0x20 || s[i] == 0x7f)) {
			out[o++] = ' ';
		} else {
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
	}
	out[o] = '\0';
}

static int
service_notify(const char *msg)
{
	int r;

	r = sd_notify(0, msg);
	if (r < 0)
		log_debug("sd_notify: %s", strerror(-r));
	return r;
}

static int
service_notify_status(const char *prefix, const char *status)
{
	char line[SERVICE_STATUS_MAX + 1];
	char msg[sizeof(line) + 64];

	if (!status)
		return service_notify(prefix);
	service_clean_line(line, sizeof(line), status);
	snprintf(msg, sizeof(msg), "%s%sSTATUS=%s", prefix, *prefix ? "\n" : "",
	         line);
	return service_notify(msg);
}

int
service_ready(const char *status)
{
	return service_notify_status("READY=1", status);
}

int
service_status(const char *fmt, ...)
{
	/* Formatted one byte longer than sent, so the cut is made by
	 * service_clean_line, which knows character boundaries. */
	char raw[SERVICE_STATUS_MAX + 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	return service_notify_status("", raw);
}

int
service_reloading(void)
{
	struct timespec ts;
	char msg[64];

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return -errno;
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	         (unsigned long long)ts.tv_sec * 1000000ULL +
	                 (unsigned long long)ts.tv_nsec / 1000ULL);
	return service_notify(msg);
}

int
service_stopping(void)
{
	return service_notify("STOPPING=1");
}

int
service_listen_fd(const char *name)
{
	char **names = NULL;
	int n, i, fd = -ENOTSOCK;

	/* Unsets LISTEN_* in every case and sets FD_CLOEXEC on each fd. */
	n = sd_listen_fds_with_names(1, &names);
	if (n == 0)
		return -1;
	if (n < 0) {
		log_debug("socket activation: %s", strerror(-n));
		/* -1 is reserved for "not activated". */
		return n == -1 ? -EINVAL : n;
	}
	for (i = 0; i < n; i++) {
		int cand = SD_LISTEN_FDS_START + i;

		if (sd_is_socket_unix(cand, SOCK_STREAM, 1, NULL, 0) <= 0)
			continue;
		if (fd < 0)
			fd = cand;
		if (name && names && names[i] && strcmp(names[i], name) == 0) {
			fd = cand;
			break;
		}
	}
	if (fd < 0)
		log_debug("socket activation: %d fds, none is a listening "
		          "AF_UNIX stream socket",
		          n);
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return fd;
}

static void
service_watchdog_on_timer(uv_timer_t *t)
{
	struct service_watchdog *w = t->data;
	int r;

	w->ticks++;
	if (!w->progressed)
		return;
	w->progressed = 0;
	r = service_notify("WATCHDOG=1");
	if (r > 0)
		w->pings++;
}

static void
service_watchdog_on_check(uv_check_t *c)
{
	service_watchdog_progress(c->data);
}

static int
service_watchdog_init(uv_loop_t *loop, struct service_watchdog *w, int autop)
{
	uint64_t usec = 0, ms;
	int r;

	if (w->active)
		return -EALREADY;
	memset(w, 0, sizeof(*w));
	/* Keeps WATCHDOG_USEC set: nothing is executed that could inherit it
	 * and a restart of the watchdog (tests) reads it again. */
	r = sd_watchdog_enabled(0, &usec);
	if (r < 0) {
		log_debug("watchdog: %s", strerror(-r));
		return r;
	}
	if (r == 0 || usec == 0)
		return 0;
	ms = usec / 2000;
	if (ms == 0)
		ms = 1;
	r = uv_timer_init(loop, &w->timer);
	if (r < 0)
		return r;
	r = uv_check_init(loop, &w->check);
	if (r < 0) {
		/* The timer is initialised: it has to be closed. */
		w->timer.data = w;
		uv_close((uv_handle_t *)&w->timer, NULL);
		return r;
	}
	w->timer.data = w;
	w->check.data = w;
	w->usec = usec;
	w->active = 1;
	uv_unref((uv_handle_t *)&w->timer);
	uv_unref((uv_handle_t *)&w->check);
	if (autop)
		uv_check_start(&w->check, service_watchdog_on_check);
	uv_timer_start(&w->timer, service_watchdog_on_timer, ms, ms);
	return 1;
}

int
service_watchdog_start(uv_loop_t *loop, struct service_watchdog *w)
{
	return service_watchdog_init(loop, w, 1);
}

int
service_watchdog_start_manual(uv_loop_t *loop, struct service_watchdog *w)
{
	return service_watchdog_init(loop, w, 0);
}

void
service_watchdog_progress(struct service_watchdog *w)
{
	if (w && w->active)
		w->progressed = 1;
}

void
service_watchdog_stop(struct service_watchdog *w)
{
	if (!w || !w->active)
		return;
	w->active = 0;
	w->progressed = 0;
	uv_close((uv_handle_t *)&w->timer, NULL);
	uv_close((uv_handle_t *)&w->check, NULL);
}
