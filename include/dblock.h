/* dblock — one daemon per database: an exclusive flock(2) on DATABASE.lock,
 * beside the database, holding the holder's pid as text.
 *
 * Taken before anything else is created (the database, its -wal/-shm, the
 * socket), so a second briefwatchd on the same database is refused with
 * the first one's pid and leaves nothing behind but, at most, the lock
 * file. The lock ends with the process (close or exit, even kill -9); the
 * file stays, and is reused by the next daemon.
 */
#ifndef BW_DBLOCK_H
#define BW_DBLOCK_H

/* Lock database. 0 and *fd (keep it open while running), or a negative
 * errno and a malloc'd message in *err: -EBUSY when another process holds
 * the lock (its pid named when known). */
int dblock_take(const char *database, int *fd, char **err);
/* Lock the database file itself too (flock, which SQLite's fcntl locks
 * do not see), once it exists: a lock file removed while the first daemon
 * ran (a cleanup of "stale" files) let a second one in. Same contract as
 * dblock_take; release the fd only after every connection to the database
 * is closed (closing any fd of the file drops the process's fcntl locks). */
int dblock_take_db(const char *database, int *fd, char **err);
/* 1 if a process accepts connections on the Unix socket path (a live
 * daemon), 0 if not (absent, stale, not a socket). */
int dblock_socket_live(const char *path);
/* Give the lock up (fd < 0: nothing). */
void dblock_release(int fd);

#endif
