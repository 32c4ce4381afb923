/* dbpath — what is wrong with a database path, in words an admin can act
 * on. SQLite says "unable to open database file" for a missing directory,
 * an unwritable one and a path that is a directory alike; this names the
 * file and the cause (issue #22 item 13).
 */
#ifndef BW_DBPATH_H
#define BW_DBPATH_H

/* A malloc'd message "database PATH: CAUSE" for a failed open of path
 * (for writing unless readonly), from what the file system says now;
 * detail (the store's message, may be NULL) is kept when no better cause
 * is found. NULL only on ENOMEM. */
char *dbpath_explain(const char *path, int readonly, const char *detail);

#endif
