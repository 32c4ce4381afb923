/* fuzz_feed — libFuzzer target: feed_parse() on arbitrary bytes, with and
 * without a Content-Type and base URL, then the JSON rendering. Small
 * limits keep each run fast and exercise the limit paths. */
#include <stdint.h>
#include <stdlib.h>

#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cts[] = {
		NULL, "application/rss+xml", "text/xml",
		"text/xml; charset=iso-8859-1", "application/xml; charset=utf-16",
	};
	struct feed_limits lim;
	struct feed_doc *doc = NULL;
	char *err = NULL;
	json_t *j;
	const char *ct;

	feed_limits_default(&lim);
	lim.max_entries = 50;
	lim.max_field = 4096;
	ct = cts[size ? data[0] % 5 : 0];
	if (feed_parse((const char *)data, size, ct,
		       size & 1 ? "http://example.org/a/b/feed.xml" : NULL,
		       &lim, &doc, &err) == 0) {
		j = feed_doc_to_json(doc);
		if (j) {
			char *s = json_dumps(j, 0);
			free(s);
			json_decref(j);
		}
		feed_doc_free(doc);
	}
	free(err);
	return 0;
}
