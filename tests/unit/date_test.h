/* What test_date.c and test_date_lang.c share. */
#ifndef BW_DATE_TEST_H
#define BW_DATE_TEST_H

#include <stdlib.h>
#include <string.h>

#include "date.h"

/* Parse s from an exact-size heap copy, so that any read past len is a
 * heap overflow under ASan. */
static inline int
parse_exact(const char *s, struct date_value *v)
{
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, s, len);
	rc = date_parse(copy, len, v);
	free(copy);
	return rc;
}

#endif
