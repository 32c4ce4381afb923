/* dbpath.c — explaining a database path that does not open
 * (include/dbpath.h). */
#include "dbpath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"

/* The directory part of path, in b. */
static void
dir_of(const char *path, struct buf *b)
{
	const char *slash = strrchr(path, '/');

	if (slash == path)
		buf_puts(b, "/");
	else if (slash)
		buf_append(b, path, (size_t)(slash - path));
	else
		buf_puts(b, ".");
}

char *
dbpath_explain(const char *path, int readonly, const char *detail)
{
	struct buf msg = BUF_INIT, dir = BUF_INIT;
	unsigned uid = (unsigned)geteuid();
	struct stat st;
	char head[16];
	int fd;
	ssize_t n;

	buf_printf(&msg, "database %s: ", path);
	dir_of(path, &dir);
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			buf_puts(&msg, "is a directory (give the database file's path)");
		} else if (!S_ISREG(st.st_mode)) {
			buf_puts(&msg, "is not a regular file");
		} else if (access(path, readonly ? R_OK : R_OK | W_OK) < 0) {
			buf_printf(&msg, "cannot be %s by uid %u (mode %04o, owner uid %u)",
				   readonly ? "read" : "written", uid,
				   (unsigned)(st.st_mode & 07777),
				   (unsigned)st.st_uid);
		} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, head, sizeof(head));
			close(fd);
			if (n >= 0 && (n < (ssize_t)sizeof(head) ||
				       memcmp(head, "SQLite format 3", 16) != 0) &&
			    st.st_size > 0)
				buf_puts(&msg, "is not an SQLite database");
			else
				buf_puts(&msg, detail ? detail : "cannot open");
		} else {
			buf_puts(&msg, detail ? detail : "cannot open");
		}
	} else if (errno == ENOENT && buf_str(&dir) &&
		   stat(buf_str(&dir), &st) < 0) {
		buf_printf(&msg, "the directory %s does not exist", buf_str(&dir));
	} else if (errno == ENOENT && buf_str(&dir) && !S_ISDIR(st.st_mode)) {
		buf_printf(&msg, "%s is not a directory", buf_str(&dir));
	} else if (errno == ENOENT && readonly) {
		buf_puts(&msg, "does not exist (has briefwatchd run with this database?)");
	} else if (errno == ENOENT && buf_str(&dir) &&
		   access(buf_str(&dir), W_OK | X_OK) < 0) {
		buf_printf(&msg, "cannot be created: the directory %s is not writable by uid %u",
			   buf_str(&dir), uid);
	} else if (errno == EACCES) {
		buf_printf(&msg, "uid %u may not reach it (a directory on the way is not searchable)",
			   uid);
	} else {
		buf_puts(&msg, detail ? detail : strerror(errno));
	}
	buf_free(&dir);
	return buf_detach(&msg);
}
