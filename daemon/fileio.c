/* fileio.c — write-all and atomic file replacement (fileio.h). */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int
put_all(int fd, const char *p, size_t len, int sock)
{
	ssize_t n;

	while (len) {
		n = sock ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
fileio_write_all(int fd, const void *data, size_t len)
{
	return put_all(fd, data, len, 0);
}

int
fileio_send_all(int fd, const void *data, size_t len)
{
	return put_all(fd, data, len, 1);
}

int
fileio_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd, r = 0;

	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return -ENAMETOOLONG;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int
fileio_rename(const char *from, const char *to)
{
	if (rename(from, to) < 0)
		return -errno;
	return fileio_sync_dir(to);
}

/* Create a new file named after path ("path.tmp-PID-N") with O_EXCL, so
 * two writers never share one. The name goes into tmp (size cap). */
static int
create_beside(const char *path, char *tmp, size_t cap, mode_t mode)
{
	struct timespec ts;
	unsigned long salt;
	int i, fd;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	salt = (unsigned long)ts.tv_nsec;
	for (i = 0; i < 16; i++) {
		if ((size_t)snprintf(tmp, cap, "%s.tmp-%ld-%lx", path,
				     (long)getpid(), salt + (unsigned)i) >= cap)
			return -ENAMETOOLONG;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

static int
step(struct fileio_replace *o, const char *what, int r)
{
	o->failed = what;
	return r;
}

int
fileio_replace(const char *path, const void *data, size_t len,
	       struct fileio_replace *o)
{
	char real[PATH_MAX], tmp[PATH_MAX + 64];
	const struct stat *like = o->like, *was = o->unchanged;
	struct stat now;
	int fd, r;

	o->failed = NULL;
	if (o->follow && realpath(path, real)) {
		path = real;
	} else if (o->follow && errno != ENOENT) {
		return step(o, "resolving", -errno);
	}
	fd = create_beside(path, tmp, sizeof(tmp),
			   like ? (like->st_mode & 07777) : o->mode);
	if (fd < 0)
		return step(o, "creating a file beside", fd);
	r = 0;
	if (like && fchmod(fd, like->st_mode & 07777) < 0)
		r = step(o, "creating a file beside", -errno);
	/* Root editing another user's file keeps the owner; others cannot
	 * change it and need not. */
	if (!r && like && fchown(fd, like->st_uid, like->st_gid) < 0 &&
	    errno != EPERM)
		r = step(o, "creating a file beside", -errno);
	if (!r && (r = fileio_write_all(fd, data, len)) < 0)
		step(o, "writing", r);
	if (!r && fsync(fd) < 0)
		r = step(o, "writing", -errno);
	if (close(fd) < 0 && !r)
		r = step(o, "writing", -errno);
	if (!r && was &&
	    (stat(path, &now) < 0 || now.st_size != was->st_size ||
	     now.st_mtim.tv_sec != was->st_mtim.tv_sec ||
	     now.st_mtim.tv_nsec != was->st_mtim.tv_nsec))
		r = step(o, "replacing", -ESTALE);
	if (!r && rename(tmp, path) < 0)
		r = step(o, "replacing", -errno);
	if (r) {
		unlink(tmp);
		return r;
	}
	if ((r = fileio_sync_dir(path)) < 0)
		return step(o, "syncing the directory of", r);
	return 0;
}
