/* service — the daemon's side of systemd: sd_notify messages, socket
 * activation and the watchdog (libsystemd's sd-daemon underneath).
 *
 * Every function is harmless when the daemon is not run by systemd: the
 * notify calls return 0, service_listen_fd() returns -1 and the watchdog
 * does not start. Failures are returned (negative errno) and logged at
 * debug level only; callers may ignore them, since losing a STATUS= line
 * must never stop the daemon.
 *
 * Notify messages go to $NOTIFY_SOCKET (a path, or "@name" for the
 * abstract namespace). The variable is left set: the daemon never executes
 * other programs, and reading it on each call keeps tests simple.
 */
#ifndef BW_SERVICE_H
#define BW_SERVICE_H

#include <stdint.h>
#include <uv.h>

/* Longest STATUS= text sent; longer text is cut at a UTF-8 boundary. */
#define SERVICE_STATUS_MAX 512

/* All notify calls: 0 not supervised, >0 sent, <0 -errno.
 * Status text is borrowed. Control characters (newlines included) are
 * replaced with spaces, so text built from feed names or error messages can
 * neither split the line nor smuggle in another assignment. */

/* READY=1, plus STATUS=status when status is not NULL. Send it once the
 * database is open and the socket listens, and again after each reload
 * (successful or not; a failed reload says so in status). */
int service_ready(const char *status);
/* STATUS=<printf text>, one line. */
int service_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* RELOADING=1 + MONOTONIC_USEC=<CLOCK_MONOTONIC now, in µs>, one datagram.
 * Send it when SIGHUP arrives, before re-reading the configuration. */
int service_reloading(void);
/* STOPPING=1. Send it when shutdown begins. */
int service_stopping(void);

/* The listening socket passed by socket activation: the first passed fd
 * that is an AF_UNIX SOCK_STREAM socket in the listening state, preferring
 * one whose FileDescriptorName= equals name (name may be NULL).
 * Returns the fd (>= 3, FD_CLOEXEC set, owned by the caller), -1 when the
 * process was not socket-activated (no LISTEN_PID, or it names another
 * process), or another negative errno when the environment is inconsistent
 * (-EINVAL: bad LISTEN_FDS or LISTEN_FDNAMES; -ENOTSOCK: fds passed but
 * none is a listening AF_UNIX stream socket).
 * LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES are unset whatever the result,
 * so this works once per process. Other passed fds are left open (with
 * FD_CLOEXEC). The socket's path belongs to systemd: never unlink it. */
int service_listen_fd(const char *name);

/* Watchdog. When $WATCHDOG_USEC is set (and $WATCHDOG_PID is unset or is
 * this process), a repeating timer on the loop fires every WATCHDOG_USEC/2
 * and sends WATCHDOG=1 only if progress was reported since the previous
 * ping. A wedged loop therefore stops pinging because the timer cannot
 * fire; a loop that runs but stops reporting progress stops pinging too.
 *
 * Progress: service_watchdog_start() starts a uv_check handle that reports
 * progress after every loop iteration, i.e. "the loop came back from a
 * poll and ran its callbacks to completion". That is what the daemon uses.
 * service_watchdog_start_manual() leaves reporting to the caller, who calls
 * service_watchdog_progress() from work that proves health (a scheduler
 * tick, a committed batch).
 *
 * Both handles are unreferenced: the watchdog never keeps uv_run() alive.
 * The caller embeds the struct (zeroed is "never started") and keeps it
 * valid until the loop has run the close callbacks after
 * service_watchdog_stop(). The fields are read-only for callers. */
struct service_watchdog {
	uv_timer_t timer;
	uv_check_t check;
	uint64_t usec;  /* WATCHDOG_USEC; 0 when not started */
	int progressed; /* progress reported since the last ping */
	int active;     /* handles initialised, not yet closed */
	uint64_t ticks; /* timer expirations */
	uint64_t pings; /* WATCHDOG=1 sent successfully */
};

/* 0 watchdog not requested (nothing started), 1 started, <0 -errno
 * (-EINVAL for a malformed WATCHDOG_USEC, -EALREADY when w is running).
 * w must be zeroed or stopped. */
int service_watchdog_start(uv_loop_t *loop, struct service_watchdog *w);
int service_watchdog_start_manual(uv_loop_t *loop, struct service_watchdog *w);
/* Report progress; the next timer expiration will ping. No-op when the
 * watchdog is not running. */
void service_watchdog_progress(struct service_watchdog *w);
/* uv_close() both handles. Safe on a zeroed struct, after a start that
 * returned 0 or failed, and when called twice. */
void service_watchdog_stop(struct service_watchdog *w);

#endif
