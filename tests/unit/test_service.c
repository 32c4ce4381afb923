/* test_service — sd_notify datagrams, socket activation and the watchdog,
 * observed from a datagram socket this test binds (as systemd would). */
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

struct receiver {
	int fd;
	char path[108]; /* "" for an abstract socket */
};

/* Bind a datagram socket and point NOTIFY_SOCKET at it. abstract: use a
 * Linux abstract name ("@..."), as systemd does for user managers. */
static void
receiver_open(struct receiver *r, int abstract)
{
	static unsigned counter;
	struct sockaddr_un sa;
	socklen_t salen;
	char name[100], env[110];

	memset(r, 0, sizeof(*r));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(r->fd >= 0);
	if (abstract) {
		snprintf(name, sizeof(name), "briefwatch-test-%ld-%u",
		         (long)getpid(), counter++);
		memcpy(sa.sun_path + 1, name, strlen(name));
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
		                    strlen(name));
		snprintf(env, sizeof(env), "@%s", name);
	} else {
		const char *tmp = getenv("TMPDIR");

		snprintf(r->path, sizeof(r->path), "%s/bw-notify-%ld-%u",
		         tmp && *tmp ? tmp : "/tmp", (long)getpid(), counter++);
		unlink(r->path);
		memcpy(sa.sun_path, r->path, strlen(r->path) + 1);
		salen = sizeof(sa);
		snprintf(env, sizeof(env), "%s", r->path);
	}
	assert_int_equal(bind(r->fd, (struct sockaddr *)&sa, salen), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", env, 1), 0);
}

static void
receiver_close(struct receiver *r)
{
	unsetenv("NOTIFY_SOCKET");
	close(r->fd);
	if (r->path[0])
		unlink(r->path);
}

/* The next datagram, NUL-terminated, or -1 when none is queued. sendto()
 * on a local datagram socket queues synchronously, so "nothing queued"
 * right after the call under test means "nothing was sent". */
static ssize_t
receiver_next(struct receiver *r, char *out, size_t outsz)
{
	ssize_t n = recv(r->fd, out, outsz - 1, MSG_DONTWAIT);

	if (n >= 0)
		out[n] = '\0';
	return n;
}

static int
receiver_count(struct receiver *r, const char *want)
{
	char msg[1024];
	int n = 0;

	while (receiver_next(r, msg, sizeof(msg)) >= 0) {
		assert_string_equal(msg, want);
		n++;
	}
	return n;
}

static void
test_ready_without_notify_socket_sends_nothing_and_returns_zero(void **st)
{
	(void)st;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(service_ready("up"), 0);
	assert_int_equal(service_status("%d feeds", 3), 0);
	assert_int_equal(service_reloading(), 0);
	assert_int_equal(service_stopping(), 0);
}

static void
test_ready_sends_ready_and_status_in_one_datagram(void **st)
{
	struct receiver r;
	char msg[1024];

	(void)st;
	receiver_open(&r, 0);
	assert_true(service_ready("serving 6 feeds, 0 failing") > 0);
	assert_true(receiver_next(&r, msg, sizeof(msg)) > 0);
	assert_string_equal(msg, "READY=1\nSTATUS=serving 6 feeds, 0 failing");
	assert_true(service_ready(NULL) > 0);
	assert_true(receiver_next(&r, msg, sizeof(msg)) > 0);
	assert_string_equal(msg, "READY=1");
	assert_int_equal(receiver_next(&r, msg, sizeof(msg)), -1);
	receiver_close(&r);
}

static void
test_ready_reaches_an_abstract_namespace_socket(void **st)
{
	struct receiver r;
	char msg[1024];

	(void)st;
	receiver_open(&r, 1);
	assert_true(service_ready("up") > 0);
	assert_true(receiver_next(&r, msg, sizeof(msg)) > 0);
	assert_string_equal(msg, "READY=1\nSTATUS=up");
	assert_true(service_stopping() > 0);
	assert_true(receiver_next(&r, msg, sizeof(msg)) > 0);
	assert_string_equal(msg, "STOPPING=1");
	receiver_close(&r);
}

static void
test_status_is_formatted_on_one_line(void **st)
{
	struct receiver r;
	char msg[1024];

	(void)st;
	receiver_open(&r, 0);
	assert_true(service_status("%d feeds ok, %d failing; last ingest %s", 5,
	                           1, "nato") > 0);
	assert_true(receiver_next(&r, msg, sizeof(msg)) > 0);
	assert_string_equal(msg,
	                    "STATUS=5 feeds ok, 1 failing; last ingest nato");
	receiver_close(&r);
}

static void
test_status_newline_cannot_inject_another_assignment(void **st)
{
	struct receiver r;
	char msg[1024];

	(void)st;
	receiver_open(&r, 0);
	/* A feed name from the config file is not trusted to be one line. */
	assert_true(service_status("feed %s failing", "x\nREADY=1\r\t") > 0);
	assert_true(receiver_next(&r, msg, sizeof(msg)) > 0);
	assert_string_equal(msg, "STATUS=feed x READY=1   failing");
	assert_null(strchr(msg + 7, '\n'));
	receiver_close(&r);
}

static void
test_status_replaces_invalid_utf8_and_keeps_valid_utf8(void **st)
{
	struct receiver r;
	char msg[1024];

	(void)st;
	receiver_open(&r, 0);
	assert_true(service_status("Genève \xff\xc3(%s)", "Zürich") > 0);
	assert_true(receiver_next(&r, msg, sizeof(msg)) > 0);
	assert_string_equal(msg, "STATUS=Genève ??"
	                         "(Zürich)");
	receiver_close(&r);
}

static void
test_long_status_is_cut_at_a_character_boundary(void **st)
{
	struct receiver r;
	char msg[2048], text[SERVICE_STATUS_MAX * 2 + 1];
	size_t i, len;

	(void)st;
	/* "é" is two bytes; an odd prefix puts a cut between them unless
	 * the code knows where characters end. */
	text[0] = 'a';
	for (i = 1; i + 2 <= sizeof(text) - 1; i += 2)
		memcpy(text + i, "\xc3\xa9", 2);
	text[i] = '\0';
	receiver_open(&r, 0);
	assert_true(service_status("%s", text) > 0);
	assert_true(receiver_next(&r, msg, sizeof(msg)) > 0);
	len = strlen(msg + 7);
	assert_true(len <= SERVICE_STATUS_MAX);
	assert_true(len >= SERVICE_STATUS_MAX - 1);
	assert_int_equal(len % 2, 1); /* 'a' + whole two-byte characters */
	assert_memory_equal(msg + 7 + len - 2, "\xc3\xa9", 2);
	receiver_close(&r);
}

static uint64_t
now_usec(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
test_reloading_carries_the_monotonic_time_of_the_call(void **st)
{
	struct receiver r;
	char msg[1024];
	uint64_t before, after, stamp;
	char *end;

	(void)st;
	receiver_open(&r, 0);
	before = now_usec();
	assert_true(service_reloading() > 0);
	after = now_usec();
	assert_true(receiver_next(&r, msg, sizeof(msg)) > 0);
	assert_memory_equal(msg, "RELOADING=1\nMONOTONIC_USEC=", 27);
	errno = 0;
	stamp = strtoull(msg + 27, &end, 10);
	assert_int_equal(errno, 0);
	assert_int_equal(*end, '\0');
	assert_true(end > msg + 27);
	assert_true(stamp >= before);
	assert_true(stamp <= after);
	receiver_close(&r);
}

static void
test_notify_to_a_missing_socket_returns_an_error(void **st)
{
	(void)st;
	setenv("NOTIFY_SOCKET", "/nonexistent-dir/notify", 1);
	assert_true(service_ready("up") < 0);
	unsetenv("NOTIFY_SOCKET");
}

/* ---- watchdog ---------------------------------------------------------- */

struct wd_run {
	struct service_watchdog wd;
	uv_check_t probe;
	uint64_t stop_at_ticks;  /* end the run after this many ticks */
	uint64_t progress_until; /* report progress while ticks < this */
	int manual;
};

static void
wd_probe(uv_check_t *c)
{
	struct wd_run *run = c->data;

	if (run->manual && run->wd.ticks < run->progress_until)
		service_watchdog_progress(&run->wd);
	if (run->wd.ticks >= run->stop_at_ticks) {
		service_watchdog_stop(&run->wd);
		uv_close((uv_handle_t *)&run->probe, NULL);
	}
}

/* Run a loop with the watchdog until it has fired stop_at_ticks times. The
 * probe check handle keeps the loop alive (the watchdog's own handles are
 * unreferenced) and ends it by counting ticks, never by time. */
static void
wd_run(struct wd_run *run)
{
	uv_loop_t loop;

	assert_int_equal(uv_loop_init(&loop), 0);
	if (run->manual)
		assert_int_equal(service_watchdog_start_manual(&loop, &run->wd),
		                 1);
	else
		assert_int_equal(service_watchdog_start(&loop, &run->wd), 1);
	assert_int_equal(run->wd.usec, 200000);
	assert_int_equal(uv_check_init(&loop, &run->probe), 0);
	run->probe.data = run;
	assert_int_equal(uv_check_start(&run->probe, wd_probe), 0);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static void
test_watchdog_pings_on_every_tick_while_the_loop_runs(void **st)
{
	struct receiver r;
	struct wd_run run;

	(void)st;
	memset(&run, 0, sizeof(run));
	run.stop_at_ticks = 4;
	receiver_open(&r, 0);
	setenv("WATCHDOG_USEC", "200000", 1);
	unsetenv("WATCHDOG_PID");
	wd_run(&run);
	assert_int_equal(run.wd.ticks, 4);
	assert_int_equal(run.wd.pings, 4);
	assert_int_equal(receiver_count(&r, "WATCHDOG=1"), 4);
	unsetenv("WATCHDOG_USEC");
	receiver_close(&r);
}

static void
test_watchdog_stops_pinging_when_no_progress_is_reported(void **st)
{
	struct receiver r;
	struct wd_run run;

	(void)st;
	memset(&run, 0, sizeof(run));
	run.manual = 1;
	run.progress_until = 2; /* progress before ticks 1 and 2 only */
	run.stop_at_ticks = 6;
	receiver_open(&r, 0);
	setenv("WATCHDOG_USEC", "200000", 1);
	wd_run(&run);
	assert_int_equal(run.wd.ticks, 6);
	assert_int_equal(run.wd.pings, 2);
	assert_int_equal(receiver_count(&r, "WATCHDOG=1"), 2);
	unsetenv("WATCHDOG_USEC");
	receiver_close(&r);
}

static void
test_watchdog_for_another_pid_does_not_start(void **st)
{
	struct service_watchdog wd;
	uv_loop_t loop;
	char pid[32];

	(void)st;
	snprintf(pid, sizeof(pid), "%ld", (long)getppid());
	setenv("WATCHDOG_USEC", "200000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(uv_loop_init(&loop), 0);
	memset(&wd, 0, sizeof(wd));
	assert_int_equal(service_watchdog_start(&loop, &wd), 0);
	assert_int_equal(wd.active, 0);
	service_watchdog_stop(&wd); /* safe when never started */
	assert_int_equal(uv_run(&loop, UV_RUN_NOWAIT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
}

static void
test_watchdog_started_twice_is_refused_and_keeps_running(void **st)
{
	struct service_watchdog wd = {0};
	uv_loop_t loop;

	(void)st;
	setenv("WATCHDOG_USEC", "200000", 1);
	unsetenv("WATCHDOG_PID");
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(service_watchdog_start(&loop, &wd), 1);
	assert_int_equal(service_watchdog_start(&loop, &wd), -EALREADY);
	assert_int_equal(wd.active, 1);
	service_watchdog_stop(&wd);
	/* Both handles closed: the loop has nothing left. */
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
	unsetenv("WATCHDOG_USEC");
}

static void
test_watchdog_without_watchdog_usec_does_not_start(void **st)
{
	struct service_watchdog wd = {0};
	uv_loop_t loop;

	(void)st;
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(service_watchdog_start(&loop, &wd), 0);
	service_watchdog_progress(&wd);
	assert_int_equal(wd.progressed, 0);
	service_watchdog_stop(&wd);
	service_watchdog_stop(&wd);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static void
test_watchdog_with_malformed_usec_is_an_error(void **st)
{
	struct service_watchdog wd = {0};
	uv_loop_t loop;

	(void)st;
	setenv("WATCHDOG_USEC", "thirty", 1);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_true(service_watchdog_start(&loop, &wd) < 0);
	assert_int_equal(wd.active, 0);
	service_watchdog_stop(&wd);
	assert_int_equal(uv_loop_close(&loop), 0);
	unsetenv("WATCHDOG_USEC");
}

/* ---- socket activation -------------------------------------------------- */

/* What the forked child saw, sent back through a pipe. */
struct activation_result {
	int ret;
	int cloexec;  /* FD_CLOEXEC set on the returned fd */
	int env_left; /* any LISTEN_* variable still set */
	int accepts;  /* a client could connect to the returned fd */
};

enum sock_kind { SK_LISTEN_STREAM, SK_DGRAM, SK_UNLISTENED_STREAM };

/* 0, or -1 when path does not fit in sun_path. */
static int
fill_sun(struct sockaddr_un *sa, const char *path)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (len >= sizeof(sa->sun_path))
		return -1;
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

static int
make_socket(enum sock_kind kind, const char *path)
{
	struct sockaddr_un sa;
	int fd;

	fd = socket(AF_UNIX, kind == SK_DGRAM ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (fill_sun(&sa, path) < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	if (kind == SK_LISTEN_STREAM && listen(fd, 4) < 0)
		return -1;
	return fd;
}

static int
can_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd, ok;

	if (fill_sun(&sa, path) < 0)
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* In a child (the runner's own fds 3.. stay untouched): put sockets of the
 * given kinds at fds 3.., set LISTEN_* as systemd would, call
 * service_listen_fd(name) and report. pid_self: LISTEN_PID is this process
 * (else its parent's). fdnames may be NULL (variable unset). */
static struct activation_result
activate(const enum sock_kind *kinds, int nkinds, int pid_self,
         const char *listen_fds, const char *fdnames, const char *name)
{
	struct activation_result res;
	int pfd[2], status, i, out;
	pid_t pid;

	memset(&res, 0, sizeof(res));
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char paths[4][108], buf[32];
		int fd, flags;

		/* Out of the way of fds 3..3+nkinds. */
		out = fcntl(pfd[1], F_DUPFD_CLOEXEC, 40);
		close(pfd[0]);
		close(pfd[1]);
		for (i = 0; i < nkinds; i++) {
			snprintf(paths[i], sizeof(paths[i]),
			         "/tmp/bw-act-%ld-%d", (long)getpid(), i);
			fd = make_socket(kinds[i], paths[i]);
			if (fd < 0)
				_exit(2);
			if (fd != 3 + i) {
				if (dup2(fd, 3 + i) < 0)
					_exit(3);
				close(fd);
			}
		}
		snprintf(buf, sizeof(buf), "%ld",
		         (long)(pid_self ? getpid() : getppid()));
		setenv("LISTEN_PID", buf, 1);
		setenv("LISTEN_FDS", listen_fds, 1);
		if (fdnames)
			setenv("LISTEN_FDNAMES", fdnames, 1);
		else
			unsetenv("LISTEN_FDNAMES");
		res.ret = service_listen_fd(name);
		if (res.ret >= 0) {
			flags = fcntl(res.ret, F_GETFD);
			res.cloexec = flags >= 0 && (flags & FD_CLOEXEC);
			res.accepts = can_connect(paths[res.ret - 3]);
		}
		res.env_left = getenv("LISTEN_PID") || getenv("LISTEN_FDS") ||
		               getenv("LISTEN_FDNAMES");
		for (i = 0; i < nkinds; i++)
			unlink(paths[i]);
		if (write(out, &res, sizeof(res)) != (ssize_t)sizeof(res))
			_exit(4);
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &res, sizeof(res)), sizeof(res));
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return res;
}

static void
test_activated_listening_socket_is_returned_with_cloexec(void **st)
{
	enum sock_kind k[] = {SK_LISTEN_STREAM};
	struct activation_result res;

	(void)st;
	res = activate(k, 1, 1, "1", "sub", "sub");
	assert_int_equal(res.ret, 3);
	assert_true(res.cloexec);
	assert_true(res.accepts);
	assert_false(res.env_left);
}

static void
test_activation_without_fdnames_still_finds_the_socket(void **st)
{
	enum sock_kind k[] = {SK_LISTEN_STREAM};
	struct activation_result res;

	(void)st;
	res = activate(k, 1, 1, "1", NULL, "sub");
	assert_int_equal(res.ret, 3);
	assert_false(res.env_left);
}

static void
test_activation_prefers_the_named_socket(void **st)
{
	enum sock_kind k[] = {SK_LISTEN_STREAM, SK_LISTEN_STREAM};
	struct activation_result res;

	(void)st;
	res = activate(k, 2, 1, "2", "metrics:sub", "sub");
	assert_int_equal(res.ret, 4);
	assert_true(res.accepts);
	res = activate(k, 2, 1, "2", "metrics:other", "sub");
	assert_int_equal(res.ret, 3);
}

static void
test_activation_skips_datagram_and_unlistened_sockets(void **st)
{
	enum sock_kind k[] = {SK_DGRAM, SK_UNLISTENED_STREAM, SK_LISTEN_STREAM};
	enum sock_kind bad[] = {SK_DGRAM, SK_UNLISTENED_STREAM};
	struct activation_result res;

	(void)st;
	res = activate(k, 3, 1, "3", "sub:sub:x", "sub");
	assert_int_equal(res.ret, 5);
	res = activate(bad, 2, 1, "2", NULL, NULL);
	assert_int_equal(res.ret, -ENOTSOCK);
	assert_false(res.env_left);
}

static void
test_activation_for_another_pid_is_not_activation(void **st)
{
	enum sock_kind k[] = {SK_LISTEN_STREAM};
	struct activation_result res;

	(void)st;
	res = activate(k, 1, 0, "1", "sub", "sub");
	assert_int_equal(res.ret, -1);
	assert_false(res.env_left);
}

static void
test_activation_with_inconsistent_environment_is_an_error(void **st)
{
	enum sock_kind k[] = {SK_LISTEN_STREAM};
	struct activation_result res;

	(void)st;
	res = activate(k, 1, 1, "1", "sub:extra", "sub");
	assert_true(res.ret < -1);
	assert_false(res.env_left);
	res = activate(k, 1, 1, "one", NULL, "sub");
	assert_true(res.ret < -1);
}

static void
test_no_listen_pid_means_not_activated(void **st)
{
	(void)st;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	assert_int_equal(service_listen_fd("sub"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(
	                test_ready_without_notify_socket_sends_nothing_and_returns_zero),
	        cmocka_unit_test(
	                test_ready_sends_ready_and_status_in_one_datagram),
	        cmocka_unit_test(
	                test_ready_reaches_an_abstract_namespace_socket),
	        cmocka_unit_test(test_status_is_formatted_on_one_line),
	        cmocka_unit_test(
	                test_status_newline_cannot_inject_another_assignment),
	        cmocka_unit_test(
	                test_status_replaces_invalid_utf8_and_keeps_valid_utf8),
	        cmocka_unit_test(
	                test_long_status_is_cut_at_a_character_boundary),
	        cmocka_unit_test(
	                test_reloading_carries_the_monotonic_time_of_the_call),
	        cmocka_unit_test(
	                test_notify_to_a_missing_socket_returns_an_error),
	        cmocka_unit_test(
	                test_watchdog_pings_on_every_tick_while_the_loop_runs),
	        cmocka_unit_test(
	                test_watchdog_stops_pinging_when_no_progress_is_reported),
	        cmocka_unit_test(test_watchdog_for_another_pid_does_not_start),
	        cmocka_unit_test(
	                test_watchdog_started_twice_is_refused_and_keeps_running),
	        cmocka_unit_test(
	                test_watchdog_without_watchdog_usec_does_not_start),
	        cmocka_unit_test(test_watchdog_with_malformed_usec_is_an_error),
	        cmocka_unit_test(
	                test_activated_listening_socket_is_returned_with_cloexec),
	        cmocka_unit_test(
	                test_activation_without_fdnames_still_finds_the_socket),
	        cmocka_unit_test(test_activation_prefers_the_named_socket),
	        cmocka_unit_test(
	                test_activation_skips_datagram_and_unlistened_sockets),
	        cmocka_unit_test(
	                test_activation_for_another_pid_is_not_activation),
	        cmocka_unit_test(
	                test_activation_with_inconsistent_environment_is_an_error),
	        cmocka_unit_test(test_no_listen_pid_means_not_activated),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
