/* feed_int.h — what the feed*.c files share and nothing else includes:
 * the decoding pass (feed_enc.c) used by the parsers (feed.c). Not part of
 * the public API (include/feed.h). */
#ifndef BW_FEED_INT_H
#define BW_FEED_INT_H

#include <stddef.h>

#include <libxml/parser.h>

#include "buf.h"
#include "feed.h"

/* The longest bozo_reason (bytes, without the NUL); the first reason is
 * kept whole whatever its length (each is far shorter). */
#define FEED_BOZO_MAX 512

/* Add a recovery's reason to *reason (malloc'd or NULL): the reasons in
 * the order they happened, joined with "; ", each once; past
 * FEED_BOZO_MAX bytes the rest are left out and "..." says so. The first
 * stays first: the log and feed_out.c's JSON lead with it. 0 or -ENOMEM
 * (*reason unchanged). */
int feed_bozo_add(char **reason, const char *add);

/* Decide the charset and decode data to UTF-8. On return *start, *outlen
 * is the UTF-8 text: either inside data (no copy was needed) or out's
 * buffer. enc receives the charset name reported; *bozo a reason when the
 * bytes were not what they claimed (malloc'd, may stay NULL; several are
 * joined by feed_bozo_add). */
int feed_enc_decode(const char *data, size_t len, const char *content_type,
		    struct buf *out, const char **start, size_t *outlen,
		    char enc[40], char **bozo);

/* Copy s to out (only when something needs fixing: *fixed says so) with
 * every entity reference as a character reference, bare '&' and '<'
 * escaped and end tags that close nothing dropped; comments, CDATA and
 * PIs are left alone. *fixed: 1 a copy was made, 2 '&' repaired, 4 '<'
 * escaped, 8 an end tag dropped, 16 a DOCTYPE whose internal subset
 * declares only plain entities (text and character references) dropped
 * and its entities replaced, 32 unquoted or valueless attribute values
 * quoted, 64 an HTML void element left open (<br>) closed, 128 the end
 * tags of elements left open above the one an end tag closes inserted, or
 * of a field, description or item left open when the next one starts.
 * Also reports a DOCTYPE that declares other
 * entities (external, or referring to entities: refused) and an
 * unterminated CDATA section. */
int feed_enc_repair(const char *s, size_t len, struct buf *out, int *fixed,
		    int *has_entity_decl, int *unclosed_cdata);

/* ---- the parsers' shared state (feed.c, feed_xml.c, feed_json.c) ------ */

/* The elements the XML parser knows (feed_xml.c's keyword table). */
enum el {
	E_NONE, E_RSS, E_RDF, E_CHANNEL, E_FEED, E_ITEM, E_ENTRY, E_SKIP,
	E_TITLE, E_LINK, E_DESC, E_SUBTITLE, E_ID, E_GUID, E_LANG, E_RIGHTS,
	E_UPDATED, E_PUBLISHED, E_AUTHOR, E_CATEGORY, E_SUMMARY, E_CONTENT,
	E_BODY, E_NAME, E_EMAIL, E_URI,
	E_MGROUP, E_MDESC, /* Media RSS media:group, media:description */
	E_MCONTENT, E_MTITLE, /* media:content, media:title */
};

enum ctx { C_ROOT, C_WRAP, C_FEED, C_ENTRY, C_PERSON, C_FIELD, C_SKIP,
	   C_MGROUP /* media:group in an entry */ };

struct frame {
	enum ctx ctx;
	char *base;      /* xml:base in effect (owned when base_owned) */
	int base_owned;
};

enum mode { M_TEXT, M_HTML, M_XHTML, M_AUTO };

struct capture {
	int active;
	size_t depth;       /* stack depth of the field element */
	enum ctx parent;    /* C_FEED, C_ENTRY or C_PERSON */
	enum el el;
	enum mode mode;
	int base64;
	int markup;         /* child elements were serialised */
	int is_atom_id;
	int permalink;      /* guid isPermaLink (default true) */
	int rel_alt;        /* a text <link> without rel or rel=alternate */
	int itunes;         /* in the iTunes namespace */
	int skip_div;       /* depth of an xhtml wrapper div not copied */
	int truncated;
	struct buf src;
	char *base;         /* borrowed from the frame */
};

struct fp {
	struct feed_doc *doc;
	const char *base_url; /* the document's address, borrowed */
	struct feed_limits lim;
	xmlParserCtxtPtr ctxt;
	int err;
	char *errmsg;
	int xml_error;      /* first libxml2 error recorded as bozo */
	struct frame *stack;
	size_t depth, cap;
	int root;           /* root element seen and recognised */
	int atom;
	int netscape;       /* DOCTYPE names Netscape's RSS 0.91 */
	struct capture c;
	struct feed_person person;
	struct buf person_text;
	int person_parent;  /* C_FEED or C_ENTRY */
	int person_has_child;
	size_t entries_cap;
	int entry_open;
	int entry_dropped;
	int guid_permalink;
	int summary_itunes; /* the entry's summary is an itunes:summary */
	int entry_has_guid;
	struct feed_entry *e; /* current entry, NULL outside one */
	char *feed_published;
	char *root_ns;      /* an unknown namespace the root element used */
	char *lang;         /* xml:lang of the root or feed element */
	char *about;        /* rdf:about of the current item */
	/* the current item's media:description (text, sanitized HTML): its
	 * summary when it has no other summary or content */
	char *media_text, *media_html;
	char *media_title;  /* an entry's first media:title */
};


/* Shared helpers (feed.c). Every one that fails records the first error in
 * p (fp_fail: p->err, p->errmsg, and the XML parser stopped); the callers
 * go on and check p->err where it matters. */
void fp_fail(struct fp *p, int err, const char *msg);
/* Mark the document bozo and add reason to its bozo_reason
 * (feed_bozo_add). */
void fp_bozo(struct fp *p, const char *reason);
char *fp_strdup(struct fp *p, const char *s);
/* Truncate b at max bytes, backing up to a UTF-8 boundary. */
void fp_truncate(struct buf *b, size_t max);
/* b's text cut at the field limit, handed over (b left empty). */
char *fp_detach(struct fp *p, struct buf *b);
/* Add a link (takes href, rel, type, title; rel NULL: "alternate"). */
void fp_add_link(struct fp *p, struct feed_link **links, size_t *n,
		 char *href, char *rel, char *type, char *title);
void fp_person_free(struct feed_person *a);
int fp_person_copy(struct feed_person *dst, const struct feed_person *src);
/* Add a tag to the current entry (takes tag). */
void fp_add_tag(struct fp *p, char *tag);
/* Give a to the feed (parent C_FEED, when it has none) or the current
 * entry; a is emptied. */
void fp_add_author(struct fp *p, enum ctx parent, struct feed_person *a);
/* Open a new entry (p->e) / close it, giving it its identity. */
void fp_entry_begin(struct fp *p);
void fp_entry_end(struct fp *p);
/* an HTML alternate rather than a PDF/audio one as *link (feed.c) */
void fp_prefer_html_link(char **link, const struct feed_link *l, size_t n);
/* s as an ISO 8601 UTC date (malloc'd), NULL when it is not a date. */
char *fp_date(struct fp *p, const char *s);
void fp_set_version(struct fp *p, const char *v);

/* The two parsers: fill p->doc from the document; errors in p->err. */
void feed_xml_parse(struct fp *p, const char *data, size_t len,
		    const char *content_type);
int feed_json_parse(struct fp *p, const char *s, size_t n, const char *base);
/* Free what the XML parser keeps in p (safe after either parser). */
void feed_xml_release(struct fp *p);

#endif
