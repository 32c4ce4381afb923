/* output_runtime.c — outputs added and removed over the socket
 * (add_output, remove_output; docs/outputs.md "Outputs added at run
 * time"), kept in outputs.conf beside the database: [output NAME]
 * sections only, the daemon's to write, replaced atomically.
 */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fileio.h"
#include "inifile.h"
#include "log.h"

struct parse {
	struct output_confs *set;
	char *err;
	int line;
};

/* Keep the section's text as read, to write it back unchanged. */
static int
append_raw(struct output_confs *set, const char *name, const char *key,
	   const char *value)
{
	size_t i;

	for (i = 0; set && i < set->n; i++) {
		struct output_conf *c = &set->v[i];
		char *s;

		if (strcmp(c->name, name))
			continue;
		if ((c->raw ? asprintf(&s, "%s%s = %s\n", c->raw, key, value)
			    : asprintf(&s, "[output %s]\n%s = %s\n", name, key,
				       value)) < 0)
			return -ENOMEM;
		free(c->raw);
		c->raw = s;
		return 0;
	}
	return 0;
}

static int
on_pair(void *arg, const char *section, const char *key, const char *value,
	int line)
{
	struct parse *p = arg;

	p->line = line;
	if (strncmp(section, "output ", 7) != 0) {
		if (asprintf(&p->err, "line %d: only [output NAME] sections "
			     "belong here, not [%s]", line, section) < 0)
			p->err = NULL;
		return 0;
	}
	section += 7;
	while (*section == ' ')
		section++;
	if (output_conf_key(&p->set, section, key, value, &p->err) < 0) {
		char *e = p->err;

		if (asprintf(&p->err, "line %d: %s", line,
			     e ? e : "out of memory") < 0)
			p->err = NULL;
		free(e);
		return 0;
	}
	return append_raw(p->set, section, key, value) < 0 ? 0 : 1;
}

/* Parse text into *set (sections marked runtime, each with its raw
 * text). */
static int
parse(const char *text, size_t len, struct output_confs **set, char **err)
{
	struct parse p = {NULL, NULL, 0};
	size_t i;
	int r, bad = 0;

	r = inifile_parse(text, len, on_pair, &p, &bad);
	if (r == 0 && output_conf_check(p.set, &p.err) < 0)
		r = -EINVAL;
	if (r != 0) {
		if (!p.err && asprintf(&p.err, "line %d: syntax error", r) < 0)
			p.err = NULL;
		*err = p.err;
		output_confs_free(p.set);
		return r == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	for (i = 0; p.set && i < p.set->n; i++)
		p.set->v[i].runtime = 1;
	*set = p.set;
	return 0;
}

/* The section text of one output from a JSON object of strings. */
static int
section_text(const char *name, const json_t *conf, struct buf *b)
{
	const char *k;
	json_t *v;

	buf_printf(b, "[output %s]\n", name);
	json_object_foreach((json_t *)conf, k, v)
		buf_printf(b, "%s = %s\n", k, json_string_value(v));
	return buf_error(b);
}

static int
save(struct outputs *os, const char *path, char **err)
{
	struct fileio_replace fr = {.mode = 0600};
	char *text = outputs_runtime_text(os);
	int r;

	if (!text)
		return -ENOMEM;
	r = fileio_replace(path, text, strlen(text), &fr);
	free(text);
	if (r < 0 && asprintf(err, "%s %s: %s", fr.failed ? fr.failed :
			      "writing", path, strerror(-r)) < 0)
		*err = NULL;
	return r;
}

int
outputs_load_file(struct outputs *os, const char *path, char **err)
{
	struct output_confs *set = NULL;
	struct buf text = BUF_INIT;
	char chunk[4096];
	FILE *f = fopen(path, "re");
	size_t n, i;
	int r;

	*err = NULL;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&text, chunk, n);
	fclose(f);
	if (buf_error(&text)) {
		buf_free(&text);
		return -ENOMEM;
	}
	r = parse(text.data ? text.data : "", text.len, &set, err);
	if (r < 0) {
		char *e = *err;

		if (asprintf(err, "%s: %s", path, e ? e : "bad file") < 0)
			*err = NULL;
		free(e);
		buf_free(&text);
		return r;
	}
	buf_free(&text);
	for (i = 0; set && i < set->n && r == 0; i++) {
		struct output_conf *c = &set->v[i];
		char *e = NULL;

		if (outputs_source(os, c->name) >= 0) {
			log_warn("%s: output \"%s\" is also in the "
				 "configuration file, which wins", path,
				 c->name);
			continue;
		}
		r = outputs_add(os, c, &e);
		if (r < 0) {
			*err = e;
			break;
		}
	}
	output_confs_free(set);
	return r;
}

int
outputs_add_runtime(struct outputs *os, const char *path, const char *name,
		    const json_t *conf, char **err)
{
	struct output_confs *set = NULL;
	struct buf text = BUF_INIT;
	int r;

	*err = NULL;
	if (outputs_source(os, name) >= 0) {
		if (asprintf(err, "an output called \"%s\" exists already",
			     name) < 0)
			*err = NULL;
		return -EEXIST;
	}
	if (section_text(name, conf, &text) < 0) {
		buf_free(&text);
		return -ENOMEM;
	}
	r = parse(buf_str(&text), text.len, &set, err);
	if (r == 0 && (!set || set->n != 1)) {
		r = -EINVAL;
		*err = strdup("one [output NAME] section expected");
	}
	if (r == 0)
		r = outputs_add(os, &set->v[0], err);
	if (r == 0 && (r = save(os, path, err)) < 0) {
		char *e = NULL;

		outputs_remove(os, name, &e);
		free(e);
	}
	if (r == 0)
		log_info("output \"%s\" added, saved in %s", name, path);
	buf_free(&text);
	output_confs_free(set);
	return r;
}

int
outputs_remove_runtime(struct outputs *os, const char *path,
		       const char *name, char **err)
{
	int src = outputs_source(os, name);
	int r;

	*err = NULL;
	if (src < 0) {
		if (asprintf(err, "no output \"%s\"", name) < 0)
			*err = NULL;
		return -ENOENT;
	}
	if (src == 0) {
		if (asprintf(err, "output \"%s\" belongs to the configuration "
			     "file: edit it there and restart", name) < 0)
			*err = NULL;
		return -EEXIST;
	}
	if ((r = outputs_remove(os, name, err)) < 0)
		return r;
	if ((r = save(os, path, err)) < 0)
		return r;
	log_info("output \"%s\" removed from %s", name, path);
	return 0;
}
