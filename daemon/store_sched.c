/* store_sched.c — the feed_sched table: each feed's learned publishing
 * pattern (include/sched.h), read back when the daemon starts polling the
 * feed (it is written with the feed's state by store_feed_put, in store.c:
 * store.c calls nothing here, so the two stay one-way). The statement is
 * prepared per call: a feed's pattern is read once per start.
 */
#include "store_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
store_sched_get(struct store *s, const char *feed, char **text)
{
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	*text = NULL;
	rc = sqlite3_prepare_v2(s->db,
				"SELECT state FROM feed_sched WHERE feed = ?1",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc);
	store_bind_str(st, 1, feed);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*text = store_col_dup(st, 0, &r);
	else if (rc == SQLITE_DONE)
		r = store_failf(s, -ENOENT, "no schedule for \"%s\"", feed);
	else
		r = store_fail(s, rc);
	if (r == 0 && !*text)
		r = store_failf(s, -ENOENT, "no schedule for \"%s\"", feed);
	sqlite3_finalize(st);
	return r;
}
