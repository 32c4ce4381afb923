/* fuzz_sanitize — sanitize_html() on arbitrary bytes, and the fast path
 * against libxml2: wherever sanitize_html_fast() does not decline, both
 * must append the same text and the same HTML. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf t1 = BUF_INIT, h1 = BUF_INIT, t2 = BUF_INIT, h2 = BUF_INIT;
	const char *s = (const char *)data;
	const char *base = size & 1 ? "http://example.org/a/b/feed.xml" : NULL;
	int rc;

	rc = sanitize_html_fast(s, size, base, &t1, &h1);
	if (rc == 0 && sanitize_html_libxml(s, size, base, &t2, &h2) == 0 &&
	    (strcmp(buf_str(&t1), buf_str(&t2)) ||
	     strcmp(buf_str(&h1), buf_str(&h2))))
		abort();
	if (rc == SANITIZE_DECLINED && (t1.len || h1.len))
		abort();
	buf_free(&t1);
	buf_free(&h1);
	buf_free(&t2);
	buf_free(&h2);
	return 0;
}
