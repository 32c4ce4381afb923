/* What the transcript unit tests share. */
#ifndef BW_TRANSCRIPT_TEST_H
#define BW_TRANSCRIPT_TEST_H

#include <string.h>

#include "briefing.h"
#include "transcript.h"

/* A page parsed as if served at http://x/, with no error expected. */
static inline struct briefing *
parse_str(const char *html)
{
	struct transcript_opts o = {.url = "http://x/"};
	struct briefing *b = NULL;
	char *err = NULL;

	assert_int_equal(transcript_parse(html, strlen(html), &o, &b, &err), 0);
	assert_null(err);
	return b;
}

/* The page's published date is want. */
static inline void
assert_published(const char *html, const char *want)
{
	struct briefing *b = parse_str(html);

	assert_string_equal(b->published, want);
	briefing_free(b);
}

#endif
