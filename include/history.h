/* history — what `briefwatch show` prints after a briefing: where its page
 * is (status, why the record is the feed item's, the next re-check) and
 * its revisions with what each changed. Reads the store only.
 */
#ifndef BW_HISTORY_H
#define BW_HISTORY_H

#include <stdint.h>
#include <stdio.h>

struct store;

/* What changed from record text a to b (revision records): the top-level
 * fields that differ and the turns added, edited, removed (by index), as
 * one line ("title, summary; turns: 1 edited, 2 added") into out. */
void history_diff(const char *a, const char *b, char *out, size_t size);

/* Print the page and revisions of briefing id to fp, wrapped at width
 * columns (0: never; the URL line never is). 0 or a negative errno
 * (message in store_errmsg). */
int history_print(struct store *s, int64_t id, int width, FILE *fp);

#endif
