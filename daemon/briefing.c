/* briefing.c — the briefing record and its JSON form. */
#include "briefing.h"

#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
	[BRIEFING_OTHER] = "other",
	[BRIEFING_TRANSCRIPT] = "transcript",
	[BRIEFING_SPEECH] = "speech",
	[BRIEFING_RELEASE] = "release",
};

struct briefing *
briefing_new(void)
{
	return calloc(1, sizeof(struct briefing));
}

static void
turn_clear(struct turn *t)
{
	free(t->speaker);
	free(t->label);
	free(t->asker);
	free(t->outlet);
	free(t->text);
	free(t->time);
}

void
briefing_free(struct briefing *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->nspeakers; i++) {
		free(b->speakers[i].name);
		free(b->speakers[i].role);
	}
	free(b->speakers);
	for (i = 0; i < b->nturns; i++)
		turn_clear(&b->turns[i]);
	free(b->turns);
	free(b->feed);
	free(b->url);
	free(b->title);
	free(b->subtitle);
	free(b->published);
	free(b->updated);
	free(b->location);
	free(b->summary);
	free(b->lang);
	free(b);
}

int
briefing_lang_norm(const char *tag, char out[4])
{
	size_t n = 0;

	if (!tag)
		return 0;
	while (*tag == ' ' || *tag == '\t')
		tag++;
	while (n < 4 && ((tag[n] | 0x20) >= 'a' && (tag[n] | 0x20) <= 'z'))
		n++;
	/* "fr", "fra"; then the end or a subtag separator */
	if (n < 2 || n > 3 || (tag[n] && !strchr("-_ ,;.", tag[n])))
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(tag[i] | 0x20);
	out[n] = '\0';
	/* undetermined, multiple, no linguistic content */
	if (!strcmp(out, "und") || !strcmp(out, "mul") || !strcmp(out, "zxx"))
		return 0;
	return 1;
}

int
briefing_set_lang(struct briefing *b, const char *tag)
{
	char code[4], *d;

	if (!briefing_lang_norm(tag, code))
		return 0;
	if (!(d = strdup(code)))
		return -ENOMEM;
	free(b->lang);
	b->lang = d;
	return 1;
}

/* strdup that maps NULL to NULL and reports failure through *err. */
static char *
dup_or_null(const char *s, int *err)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		*err = -ENOMEM;
	return p;
}

int
briefing_add_speaker(struct briefing *b, const char *name, const char *role)
{
	struct speaker *v, s = {0};
	int err = 0;

	s.name = dup_or_null(name, &err);
	s.role = dup_or_null(role, &err);
	v = err ? NULL : realloc(b->speakers,
				 (b->nspeakers + 1) * sizeof(*v));
	if (!v) {
		free(s.name);
		free(s.role);
		return -ENOMEM;
	}
	v[b->nspeakers++] = s;
	b->speakers = v;
	return 0;
}

int
briefing_add_turn(struct briefing *b, enum turn_type type,
		  const char *speaker, const char *label, const char *asker,
		  const char *outlet, const char *text)
{
	struct turn *v, t = {0};
	int err = 0;

	t.type = type;
	t.speaker = dup_or_null(speaker, &err);
	t.label = dup_or_null(label, &err);
	t.asker = dup_or_null(asker, &err);
	t.outlet = dup_or_null(outlet, &err);
	t.text = dup_or_null(text ? text : "", &err);
	v = err ? NULL : realloc(b->turns, (b->nturns + 1) * sizeof(*v));
	if (!v) {
		turn_clear(&t);
		return -ENOMEM;
	}
	v[b->nturns++] = t;
	b->turns = v;
	return 0;
}

int
briefing_set_turn_time(struct briefing *b, const char *time)
{
	struct turn *t;
	char *d = NULL;

	if (!b->nturns)
		return -EINVAL;
	if (time && !(d = strdup(time)))
		return -ENOMEM;
	t = &b->turns[b->nturns - 1];
	free(t->time);
	t->time = d;
	return 0;
}

const struct speaker *
briefing_find_speaker(const struct briefing *b, const char *name)
{
	size_t i;

	for (i = 0; name && i < b->nspeakers; i++)
		if (b->speakers[i].name && strcmp(b->speakers[i].name, name) == 0)
			return &b->speakers[i];
	return NULL;
}

const char *
briefing_kind_name(enum briefing_kind k)
{
	if ((unsigned)k >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "other";
	return kind_names[k];
}

int
briefing_kind_parse(const char *s)
{
	size_t i;

	for (i = 0; s && i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcmp(s, kind_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

/* json_string_nocheck is fine: our strings are UTF-8 by construction, but
 * a stray invalid byte must not drop the whole field, so we validate. */
static json_t *
jstr(const char *s)
{
	json_t *v;

	if (!s)
		return json_null();
	v = json_string(s);
	return v ? v : json_string("");
}

static int
set(json_t *o, const char *k, json_t *v)
{
	return v ? json_object_set_new(o, k, v) : -1;
}

json_t *
briefing_to_json(const struct briefing *b, int with_turns)
{
	json_t *o = json_object(), *arr, *e;
	size_t i;
	int r = 0;

	if (!o)
		return NULL;
	if (b->id)
		r |= set(o, "id", json_integer(b->id));
	if (b->feed)
		r |= set(o, "feed", jstr(b->feed));
	r |= set(o, "url", jstr(b->url));
	r |= set(o, "kind", json_string(briefing_kind_name(b->kind)));
	r |= set(o, "title", jstr(b->title));
	r |= set(o, "subtitle", jstr(b->subtitle));
	r |= set(o, "published", jstr(b->published));
	r |= set(o, "updated", jstr(b->updated));
	r |= set(o, "location", jstr(b->location));
	r |= set(o, "summary", jstr(b->summary));
	if (b->lang)
		r |= set(o, "lang", jstr(b->lang));
	arr = json_array();
	for (i = 0; arr && i < b->nspeakers; i++) {
		e = json_object();
		if (!e)
			break;
		r |= set(e, "name", jstr(b->speakers[i].name));
		r |= set(e, "role", jstr(b->speakers[i].role));
		r |= json_array_append_new(arr, e);
	}
	r |= set(o, "speakers", arr);
	if (with_turns) {
		arr = json_array();
		for (i = 0; arr && i < b->nturns; i++) {
			const struct turn *t = &b->turns[i];

			e = json_object();
			if (!e)
				break;
			r |= set(e, "speaker", jstr(t->speaker));
			r |= set(e, "label", jstr(t->label));
			r |= set(e, "type", json_string(t->type == TURN_QUESTION
							? "question"
							: "statement"));
			if (t->type == TURN_QUESTION) {
				r |= set(e, "asker", jstr(t->asker));
				r |= set(e, "outlet", jstr(t->outlet));
			}
			r |= set(e, "text", jstr(t->text));
			if (t->time)
				r |= set(e, "time", jstr(t->time));
			r |= json_array_append_new(arr, e);
		}
		r |= set(o, "turns", arr);
	}
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- direct JSON text ---------------------------------------------------
 *
 * briefing_dump() writes the bytes json_dumps(briefing_to_json(b, t),
 * JSON_COMPACT) writes, without the jansson tree: the store writes two
 * such texts per briefing (the revision record and the event line), and
 * the tree cost more than the text. What it buys: json_dumps() of an 83 KB
 * transcript record took 6.2M instructions, a quarter of a put, and
 * store_put_briefing() went from 21.6M to 17.2M instructions a briefing
 * (callgrind, 300 transcripts; commit 55c7d95). Stored revision texts are
 * compared byte for byte, so the two must agree exactly: test_briefing.c's
 * test_direct_dump_writes_the_bytes_jansson_writes and test_store.c's
 * test_record_text_is_exactly_janssons_compact_dump check it. */

/* A member "key":value where value is a string as jstr() makes it: null,
 * the string, or "" when it is not UTF-8. */
static int
dump_member(struct buf *o, const char *key, const char *v, int first)
{
	int r = 0;

	if (!first)
		r |= buf_putc(o, ',');
	r |= buf_putc(o, '"');
	r |= buf_puts(o, key);
	r |= buf_puts(o, "\":");
	if (r)
		return -ENOMEM;
	if (!v)
		return buf_puts(o, "null");
	r = buf_json_string(o, v);
	return r == -EILSEQ ? buf_puts(o, "\"\"") : r;
}

/* A failed dump leaves o as it was: -ENOMEM. */
static int
truncate_to(struct buf *o, size_t mark)
{
	o->len = mark;
	if (o->data)
		o->data[mark] = '\0';
	return -ENOMEM;
}

/* The opening brace and the id and feed members, those that are set.
 * *first: no member was written. */
static int
dump_open(const struct briefing *b, struct buf *o, int *first)
{
	int r = buf_putc(o, '{');

	*first = 1;
	if (r == 0 && b->id) {
		r = buf_puts(o, "\"id\":");
		if (r == 0)
			r = buf_put_int(o, b->id);
		*first = 0;
	}
	if (r == 0 && b->feed) {
		r = dump_member(o, "feed", b->feed, *first);
		*first = 0;
	}
	return r;
}

/* briefing_dump; *head (when head is set) gets the length of the object's
 * text up to the end of "speakers", before any "turns". */
static int
dump(const struct briefing *b, int with_turns, struct buf *o, size_t *head)
{
	size_t i, mark = o->len;
	int first, r = dump_open(b, o, &first);

	if (r == 0)
		r = dump_member(o, "url", b->url, first);
	if (r == 0)
		r = dump_member(o, "kind", briefing_kind_name(b->kind), 0);
	if (r == 0)
		r = dump_member(o, "title", b->title, 0);
	if (r == 0)
		r = dump_member(o, "subtitle", b->subtitle, 0);
	if (r == 0)
		r = dump_member(o, "published", b->published, 0);
	if (r == 0)
		r = dump_member(o, "updated", b->updated, 0);
	if (r == 0)
		r = dump_member(o, "location", b->location, 0);
	if (r == 0)
		r = dump_member(o, "summary", b->summary, 0);
	if (r == 0 && b->lang)
		r = dump_member(o, "lang", b->lang, 0);
	if (r == 0)
		r = buf_puts(o, ",\"speakers\":[");
	for (i = 0; r == 0 && i < b->nspeakers; i++) {
		if (i && (r = buf_putc(o, ',')) < 0)
			break;
		r = buf_putc(o, '{');
		if (r == 0)
			r = dump_member(o, "name", b->speakers[i].name, 1);
		if (r == 0)
			r = dump_member(o, "role", b->speakers[i].role, 0);
		if (r == 0)
			r = buf_putc(o, '}');
	}
	if (r == 0)
		r = buf_putc(o, ']');
	if (head)
		*head = o->len - mark;
	if (r == 0 && with_turns)
		r = buf_puts(o, ",\"turns\":[");
	for (i = 0; r == 0 && with_turns && i < b->nturns; i++) {
		const struct turn *t = &b->turns[i];
		int q = t->type == TURN_QUESTION;

		if (i && (r = buf_putc(o, ',')) < 0)
			break;
		r = buf_putc(o, '{');
		if (r == 0)
			r = dump_member(o, "speaker", t->speaker, 1);
		if (r == 0)
			r = dump_member(o, "label", t->label, 0);
		if (r == 0)
			r = dump_member(o, "type", q ? "question" : "statement",
					0);
		if (r == 0 && q)
			r = dump_member(o, "asker", t->asker, 0);
		if (r == 0 && q)
			r = dump_member(o, "outlet", t->outlet, 0);
		if (r == 0)
			r = dump_member(o, "text", t->text, 0);
		if (r == 0 && t->time)
			r = dump_member(o, "time", t->time, 0);
		if (r == 0)
			r = buf_putc(o, '}');
	}
	if (r == 0 && with_turns)
		r = buf_putc(o, ']');
	if (r == 0)
		r = buf_putc(o, '}');
	return r < 0 ? truncate_to(o, mark) : 0;
}

int
briefing_dump(const struct briefing *b, int with_turns, struct buf *o)
{
	return dump(b, with_turns, o, NULL);
}

int
briefing_dump_record(const struct briefing *b, struct buf *o, size_t *head)
{
	struct briefing t = *b;

	t.id = 0;
	t.feed = NULL;
	return dump(&t, 1, o, head);
}

int
briefing_dump_from_record(const struct briefing *b, const char *rec,
			  size_t head, struct buf *o)
{
	size_t mark = o->len;
	int first, r;

	if (head < 2 || rec[0] != '{' || rec[1] != '"')
		return -EINVAL;
	r = dump_open(b, o, &first);
	if (r == 0 && !first)
		r = buf_putc(o, ',');
	if (r == 0)
		r = buf_append(o, rec + 1, head - 1);
	if (r == 0)
		r = buf_putc(o, '}');
	return r < 0 ? truncate_to(o, mark) : 0;
}

/* Copy an optional string member into *dst. */
static int
get_str(const json_t *o, const char *key, char **dst)
{
	const json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	*dst = strdup(json_string_value(v));
	return *dst ? 0 : -ENOMEM;
}

int
briefing_from_json(const json_t *obj, struct briefing **out)
{
	struct briefing *b;
	const json_t *arr, *e, *v;
	size_t i;
	int r = 0, k;

	if (!json_is_object(obj))
		return -EINVAL;
	b = briefing_new();
	if (!b)
		return -ENOMEM;
	v = json_object_get(obj, "id");
	if (json_is_integer(v))
		b->id = json_integer_value(v);
	v = json_object_get(obj, "kind");
	if (json_is_string(v) && (k = briefing_kind_parse(json_string_value(v))) >= 0)
		b->kind = (enum briefing_kind)k;
	if ((r = get_str(obj, "feed", &b->feed)) ||
	    (r = get_str(obj, "url", &b->url)) ||
	    (r = get_str(obj, "title", &b->title)) ||
	    (r = get_str(obj, "subtitle", &b->subtitle)) ||
	    (r = get_str(obj, "published", &b->published)) ||
	    (r = get_str(obj, "updated", &b->updated)) ||
	    (r = get_str(obj, "location", &b->location)) ||
	    (r = get_str(obj, "summary", &b->summary)))
		goto fail;
	v = json_object_get(obj, "lang");
	if (v && !json_is_null(v) && !json_is_string(v)) {
		r = -EINVAL;
		goto fail;
	}
	if (json_is_string(v) &&
	    (r = briefing_set_lang(b, json_string_value(v))) < 0)
		goto fail;
	r = 0;
	arr = json_object_get(obj, "speakers");
	json_array_foreach(arr, i, e) {
		char *name = NULL, *role = NULL;

		if ((r = get_str(e, "name", &name)) == 0 &&
		    (r = get_str(e, "role", &role)) == 0)
			r = briefing_add_speaker(b, name, role);
		free(name);
		free(role);
		if (r)
			goto fail;
	}
	arr = json_object_get(obj, "turns");
	json_array_foreach(arr, i, e) {
		char *s[6] = {0};
		const json_t *ty = json_object_get(e, "type");
		enum turn_type t = TURN_STATEMENT;
		int j;

		if (json_is_string(ty) &&
		    strcmp(json_string_value(ty), "question") == 0)
			t = TURN_QUESTION;
		if ((r = get_str(e, "speaker", &s[0])) == 0 &&
		    (r = get_str(e, "label", &s[1])) == 0 &&
		    (r = get_str(e, "asker", &s[2])) == 0 &&
		    (r = get_str(e, "outlet", &s[3])) == 0 &&
		    (r = get_str(e, "text", &s[4])) == 0)
			r = briefing_add_turn(b, t, s[0], s[1], s[2], s[3],
					      s[4]);
		if (r == 0 && (r = get_str(e, "time", &s[5])) == 0 && s[5])
			r = briefing_set_turn_time(b, s[5]);
		for (j = 0; j < 6; j++)
			free(s[j]);
		if (r)
			goto fail;
	}
	*out = b;
	return 0;
fail:
	briefing_free(b);
	return r;
}
