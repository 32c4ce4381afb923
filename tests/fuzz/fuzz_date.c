/* fuzz_date.c — libFuzzer target for date_parse (include/date.h).
 * The input is handed over without a terminator: libFuzzer's buffer is
 * exactly size bytes, so any read past len is caught by ASan. A date that
 * parses must also format within DATE_ISO_MAX and parse back to itself.
 * The input, as a word, also goes to the date words of the language
 * tables (lang_date_word(): any bytes, not only folded UTF-8). */
#include "date.h"
#include "lang.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct date_value v, w;
	struct lang_date_word dw;
	char out[DATE_ISO_MAX], key[64];
	int n;

	if (size < sizeof(key)) {
		memcpy(key, data, size);
		key[size] = '\0';
		lang_date_word(key, &dw);
		if (dw.month < 0 || dw.month > 12 ||
		    (dw.month == 0) != (dw.month_langs == 0) ||
		    dw.month != lang_month(key))
			abort();
	}
	if (date_parse((const char *)data, size, &v) != 0)
		return 0;
	n = date_format(&v, out);
	if (n < 0 || n >= DATE_ISO_MAX || (size_t)n != strlen(out))
		abort();
	n = date_format_utc(v.epoch, out);
	if (n < 0 || n >= DATE_ISO_MAX || (size_t)n != strlen(out))
		abort();
	/* Years 0 and 10000 (0001-01-01 or 9999-12-31 shifted by a zone)
	 * are printable but not parseable; everything else must round-trip. */
	if (v.epoch >= INT64_C(-62135596800) &&
	    v.epoch < INT64_C(253402300800) &&
	    (date_parse(out, (size_t)n, &w) != 0 || w.epoch != v.epoch))
		abort();
	return 0;
}
