/* history.c — a briefing's page and revisions (see include/history.h). */
#include "history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "store.h"

static const char *const fields[] = {
	"url", "kind", "title", "subtitle", "published", "updated",
	"location", "summary", "speakers",
};

void
history_diff(const char *a, const char *b, char *out, size_t size)
{
	json_t *ja = a ? json_loads(a, 0, NULL) : NULL;
	json_t *jb = b ? json_loads(b, 0, NULL) : NULL;
	const json_t *ta, *tb;
	size_t i, na, nb, edited = 0, len = 0;

	out[0] = '\0';
	if (!ja || !jb) {
		snprintf(out, size, "%s", ja || jb ? "?" : "first stored");
		json_decref(ja);
		json_decref(jb);
		return;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]) && len < size; i++)
		if (!json_equal(json_object_get(ja, fields[i]),
				json_object_get(jb, fields[i])))
			len += (size_t)snprintf(out + len, size - len, "%s%s",
						len ? ", " : "", fields[i]);
	ta = json_object_get(ja, "turns");
	tb = json_object_get(jb, "turns");
	na = json_array_size(ta);
	nb = json_array_size(tb);
	for (i = 0; i < na && i < nb; i++)
		if (!json_equal(json_array_get(ta, i), json_array_get(tb, i)))
			edited++;
	if ((edited || na != nb) && len < size) {
		len += (size_t)snprintf(out + len, size - len, "%sturns:",
					len ? "; " : "");
		if (edited && len < size)
			len += (size_t)snprintf(out + len, size - len,
						" %zu edited", edited);
		if (nb > na && len < size)
			len += (size_t)snprintf(out + len, size - len,
						"%s %zu added", edited ? "," : "",
						nb - na);
		if (na > nb && len < size)
			len += (size_t)snprintf(out + len, size - len,
						"%s %zu removed",
						edited ? "," : "", na - nb);
	}
	if (!out[0])
		snprintf(out, size, "no visible change");
	json_decref(ja);
	json_decref(jb);
}

struct walk {
	char *prev;       /* the previous revision's record */
	FILE *fp;
	int width;
	int err;
};

/* Print head then text, words wrapped at width (0: never) with lines
 * after the first indented by indent columns. Words are kept whole and
 * in order; only the blanks between them change. */
static void
put_wrapped(FILE *fp, int width, const char *head, int indent,
	    const char *text)
{
	int col = (int)strlen(head), fresh = 1; /* nothing on the line yet */
	const char *w = text;

	fputs(head, fp);
	for (;;) {
		size_t n;

		while (*w == ' ')
			w++;
		if (!*w)
			break;
		n = strcspn(w, " ");
		if (!fresh && width > 0 && col + 1 + (int)n > width) {
			fprintf(fp, "\n%*s", indent, "");
			col = indent;
			fresh = 1;
		}
		if (!fresh) {
			fputc(' ', fp);
			col++;
		}
		fwrite(w, 1, n, fp);
		col += (int)n;
		w += n;
		fresh = 0;
	}
	fputc('\n', fp);
}

static int
on_revision(void *arg, const struct store_revision *r)
{
	struct walk *w = arg;
	char when[DATE_ISO_MAX], what[256];

	date_format_utc(r->created, when);
	if (r->n <= 1 && !w->prev)
		snprintf(what, sizeof(what), "first stored");
	else
		history_diff(w->prev, r->record, what, sizeof(what));
	free(w->prev);
	w->prev = strdup(r->record ? r->record : "");
	if (!w->prev)
		w->err = -ENOMEM;
	{
		char head[64];

		snprintf(head, sizeof(head), "  %d  %s  ", r->n, when);
		put_wrapped(w->fp, w->width, head, 6, what);
	}
	return w->err;
}

int
history_print(struct store *s, int64_t id, int width, FILE *fp)
{
	struct store_page pg;
	struct walk w = {0};
	char when[DATE_ISO_MAX], text[256];
	int r;

	r = store_page_get(s, id, &pg);
	if (r == 0) {
		fprintf(fp, "\nPage:\n  url:       %s\n", pg.url);
		if (pg.status == 404 || pg.status == 410)
			fprintf(fp, "  status:    gone (HTTP %d)\n", pg.status);
		else if (pg.status)
			fprintf(fp, "  status:    HTTP %d\n", pg.status);
		if (pg.note)
			put_wrapped(fp, width, "  note:      ", 13, pg.note);
		if (pg.checked) {
			date_format_utc(pg.checked, when);
			snprintf(text, sizeof(text), "%s, %d re-check%s", when,
				 pg.checks, pg.checks == 1 ? "" : "s");
			put_wrapped(fp, width, "  fetched:   ", 13, text);
		}
		if (pg.next_check) {
			date_format_utc(pg.next_check, when);
			fprintf(fp, "  re-check:  %s\n", when);
		}
		store_page_clear(&pg);
	} else if (r != -ENOENT) {
		return r;
	}
	fprintf(fp, "\nRevisions:\n");
	w.fp = fp;
	w.width = width;
	r = store_revisions(s, id, on_revision, &w);
	free(w.prev);
	return r < 0 ? r : w.err;
}
