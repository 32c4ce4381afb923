/* fuzz_transcript.c — libFuzzer target for transcript_parse. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "transcript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct transcript_opts o = {.url = "https://www.example.org/a",
				    .max_bytes = 1 << 20};
	struct briefing *b = NULL;
	char *err = NULL;

	if (transcript_parse((const char *)data, size, &o, &b, &err) == 0)
		briefing_free(b);
	free(err);
	return 0;
}
