/* fuzz_pdf.c — libFuzzer target for pdf_to_html and the transcript rules
 * behind it. Inputs that do not start as a PDF get the header prepended,
 * so the fuzzer spends its time inside poppler's parser and our layout
 * code rather than in the sniffer. Seeds: PDFs tests/fuzz/run draws with
 * tests/fixtures/pdf/mkpdf.py (none is checked in). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdf.h"
#include "transcript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct transcript_opts o = {.url = "https://www.example.org/a.pdf",
				    .max_bytes = 1 << 20};
	struct briefing *b = NULL;
	char *in, *html = NULL, *err = NULL;
	size_t n = size, hlen;

	if (!(in = malloc(size + 9)))
		return 0;
	if (size >= 5 && memcmp(data, "%PDF-", 5) == 0) {
		memcpy(in, data, size);
	} else {
		memcpy(in, "%PDF-1.4\n", 9);
		memcpy(in + 9, data, size);
		n += 9;
	}
	if (pdf_to_html(in, n, &html, &hlen, &err) == 0)
		free(html);
	free(err);
	err = NULL;
	if (transcript_parse(in, n, &o, &b, &err) == 0)
		briefing_free(b);
	free(err);
	free(in);
	return 0;
}
