/* feed_int.h — what the feed*.c files share and nothing else includes:
 * the decoding pass (feed_enc.c) used by the parsers (feed.c). Not part of
 * the public API (include/feed.h). */
#ifndef BW_FEED_INT_H
#define BW_FEED_INT_H

#include <stddef.h>

#include "buf.h"

/* Decide the charset and decode data to UTF-8. On return *start, *outlen
 * is the UTF-8 text: either inside data (no copy was needed) or out's
 * buffer. enc receives the charset name reported; *bozo a reason when the
 * bytes were not what they claimed (malloc'd, may stay NULL). */
int feed_enc_decode(const char *data, size_t len, const char *content_type,
		    struct buf *out, const char **start, size_t *outlen,
		    char enc[40], char **bozo);

/* Copy s to out (only when something needs fixing: *fixed says so) with
 * bare '&' escaped and HTML entity references turned into character
 * references; comments, CDATA and PIs are left alone. Also reports a
 * DOCTYPE that declares entities and an unterminated CDATA section. */
int feed_enc_repair(const char *s, size_t len, struct buf *out, int *fixed,
		    int *has_entity_decl, int *unclosed_cdata);

#endif
