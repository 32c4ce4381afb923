/* libFuzzer target: the configuration parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c = NULL;
	char *err = NULL;

	if (config_parse((const char *)data, size, &c, &err) == 0)
		config_free(c);
	free(err);
	return 0;
}
