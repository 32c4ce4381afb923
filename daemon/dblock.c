/* dblock.c — exclusive lock on the database (see include/dblock.h). */
#include "dblock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"

/* The pid written in the lock file, or 0. */
static long
holder_pid(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	char *end;
	long pid;

	if (n <= 0)
		return 0;
	text[n] = '\0';
	pid = strtol(text, &end, 10);
	return pid > 0 && (*end == '\n' || *end == '\0') ? pid : 0;
}

int
dblock_take(const char *database, int *fd, char **err)
{
	struct buf path = BUF_INIT, msg = BUF_INIT;
	char text[32];
	int r, n, lfd;

	*fd = -1;
	buf_printf(&path, "%s.lock", database);
	if (buf_error(&path)) {
		*err = strdup("out of memory");
		return -ENOMEM;
	}
	lfd = open(buf_str(&path), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		   0644);
	if (lfd < 0) {
		r = -errno;
		buf_printf(&msg, "cannot lock database %s: %s: %s", database,
			   buf_str(&path), strerror(-r));
		goto out;
	}
	if (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
		long pid;

		r = -errno;
		if (r == -EWOULDBLOCK) {
			r = -EBUSY;
			pid = holder_pid(lfd);
			if (pid)
				buf_printf(&msg, "database %s is in use by "
					   "another briefwatchd (pid %ld; "
					   "lock %s)", database, pid,
					   buf_str(&path));
			else
				buf_printf(&msg, "database %s is in use by "
					   "another briefwatchd (lock %s)",
					   database, buf_str(&path));
		} else {
			buf_printf(&msg, "cannot lock database %s: %s: %s",
				   database, buf_str(&path), strerror(-r));
		}
		close(lfd);
		goto out;
	}
	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(lfd, 0) < 0 || pwrite(lfd, text, (size_t)n, 0) != n) {
		/* The lock holds without the pid: only the message of a
		 * refused second daemon is poorer. */
	}
	*fd = lfd;
	r = 0;
out:
	buf_free(&path);
	if (r < 0)
		*err = buf_detach(&msg);
	else
		buf_free(&msg);
	return r;
}

int
dblock_take_db(const char *database, int *fd, char **err)
{
	struct buf msg = BUF_INIT;
	int r, dfd;

	*fd = -1;
	dfd = open(database, O_RDONLY | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		buf_printf(&msg, "cannot lock database %s: %s", database,
			   strerror(-r));
		*err = buf_detach(&msg);
		return r;
	}
	if (flock(dfd, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		if (r == -EWOULDBLOCK) {
			r = -EBUSY;
			buf_printf(&msg, "database %s is in use by another "
				   "briefwatchd (its lock file %s.lock was "
				   "removed while it ran; stop that daemon "
				   "first)", database, database);
		} else {
			buf_printf(&msg, "cannot lock database %s: %s",
				   database, strerror(-r));
		}
		close(dfd);
		*err = buf_detach(&msg);
		return r;
	}
	*fd = dfd;
	return 0;
}

int
dblock_socket_live(const char *path)
{
	struct sockaddr_un sa = {0};
	int fd, live;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return 0;
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return live;
}

void
dblock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
