/* What the transcript unit tests share. */
#ifndef BW_TRANSCRIPT_TEST_H
#define BW_TRANSCRIPT_TEST_H

#include <string.h>

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

#endif
