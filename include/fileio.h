/* fileio — the one home of "write all of it" and "replace a file
 * atomically", for every module that writes a file (config.c's feeds file,
 * metrics.c's textfile, cli.c's import-opml --write, store.c's backup) or a
 * whole request to a socket (cli.c).
 *
 * Leaf module: returns -errno, never logs. No globals; safe on any thread.
 */
#ifndef BW_FILEIO_H
#define BW_FILEIO_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Write data[0..len) to fd, across short writes and EINTR. 0 or -errno. */
int fileio_write_all(int fd, const void *data, size_t len);

/* The same over a connected socket with send(MSG_NOSIGNAL): a peer gone
 * is -EPIPE, not SIGPIPE. */
int fileio_send_all(int fd, const void *data, size_t len);

/* fsync the directory holding path, which makes a rename or a new file
 * in it durable. 0 or -errno. */
int fileio_sync_dir(const char *path);

/* rename(from, to), then fileio_sync_dir(to). 0 or -errno. */
int fileio_rename(const char *from, const char *to);

/* How fileio_replace() makes the new file. */
struct fileio_replace {
	mode_t mode;  /* its mode, less the umask (as open(2) does) */
	/* Not NULL: instead, exactly this file's mode, and its owner where
	 * the process may set it (root editing another user's file). */
	const struct stat *like;
	/* Not NULL: replace path only while it still has this size and
	 * modification time, else -ESTALE and nothing is written (someone
	 * else edited it since it was read). */
	const struct stat *unchanged;
	int follow;   /* 1: a symlink at path is followed and its target
		       * replaced, so the link stays a link */
	/* Set on failure, for the caller's message: "resolving",
	 * "creating a file beside", "writing", "replacing" or "syncing the
	 * directory of". */
	const char *failed;
};

/* Replace the file at path with data[0..len) so that a reader (or a crash)
 * sees the old file or the new one, never a part: a new file beside it,
 * written and fsynced, renamed over path, the directory fsynced. Nothing is
 * left behind on failure. 0 or -errno (o->failed says at which step). */
int fileio_replace(const char *path, const void *data, size_t len,
		   struct fileio_replace *o);

#endif
