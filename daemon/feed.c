/* feed.c — RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.x into struct
 * feed_doc (see include/feed.h and docs/feeds.md): the driver and the
 * document's cleanup. The XML parser is feed_xml.c, the JSON Feed parser
 * feed_json.c, what both share while parsing feed_fp.c, the output
 * writers feed_out.c, the decoding pass feed_enc.c; they share
 * daemon/feed_int.h.
 */
#include "feed.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "date.h"
#include "feed_int.h"

void
feed_limits_default(struct feed_limits *l)
{
	l->max_bytes = 16u << 20;
	l->max_entries = 5000;
	l->max_field = 1u << 20;
}


/* ---- the driver ----------------------------------------------------------- */

int
feed_parse(const char *data, size_t len, const char *content_type,
	   const char *base_url, const struct feed_limits *limits,
	   struct feed_doc **out, char **err)
{
	struct fp p;
	size_t i;
	char msg[96];
	int rc;

	memset(&p, 0, sizeof(p));
	if (limits)
		p.lim = *limits;
	else
		feed_limits_default(&p.lim);
	*err = NULL;
	p.base_url = base_url;
	if (len > p.lim.max_bytes) {
		snprintf(msg, sizeof(msg), "input of %zu bytes is over the "
			 "limit of %zu", len, p.lim.max_bytes);
		*err = strdup(msg);
		return -EFBIG;
	}
	p.doc = calloc(1, sizeof(*p.doc));
	if (!p.doc) {
		fp_fail(&p, -ENOMEM, "out of memory");
		goto done;
	}
	/* JSON Feed: the first non-blank byte (after a BOM) is '{'. */
	i = (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) ? 3 : 0;
	while (i < len && strchr(" \t\r\n", data[i]))
		i++;
	if (i < len && data[i] == '{')
		feed_json_parse(&p, data + i, len - i, base_url);
	else
		feed_xml_parse(&p, data, len, content_type);
	if (p.doc && !p.err) {
		fp_prefer_html_link(&p.doc->feed.link, p.doc->feed.links,
				 p.doc->feed.nlinks);
		for (i = 0; i < p.doc->nentries; i++)
			fp_prefer_html_link(&p.doc->entries[i].link,
					 p.doc->entries[i].links,
					 p.doc->entries[i].nlinks);
	}
done:
	rc = p.err;
	feed_xml_release(&p);
	if (rc) {
		feed_doc_free(p.doc);
		*err = p.errmsg;
		return rc;
	}
	free(p.errmsg);
	*out = p.doc;
	return 0;
}

/* ---- cleanup ------------------------------------------------------------ */

static void
links_free(struct feed_link *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(l[i].href);
		free(l[i].rel);
		free(l[i].type);
		free(l[i].title);
	}
	free(l);
}

void
feed_doc_free(struct feed_doc *d)
{
	size_t i, k;

	if (!d)
		return;
	for (i = 0; i < d->nentries; i++) {
		struct feed_entry *e = &d->entries[i];

		free(e->id);
		free(e->title);
		free(e->link);
		links_free(e->links, e->nlinks);
		free(e->published);
		free(e->updated);
		fp_person_free(&e->author);
		for (k = 0; k < e->nauthors; k++)
			fp_person_free(&e->authors[k]);
		free(e->authors);
		for (k = 0; k < e->ntags; k++)
			free(e->tags[k]);
		free(e->tags);
		free(e->summary);
		free(e->content);
		free(e->summary_html);
		free(e->content_html);
	}
	free(d->entries);
	free(d->encoding);
	free(d->bozo_reason);
	free(d->feed.title);
	free(d->feed.subtitle);
	free(d->feed.link);
	free(d->feed.id);
	free(d->feed.language);
	free(d->feed.rights);
	free(d->feed.updated);
	fp_person_free(&d->feed.author);
	links_free(d->feed.links, d->feed.nlinks);
	free(d);
}

