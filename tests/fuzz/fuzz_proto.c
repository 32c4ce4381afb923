/* libFuzzer target: proto_decode on arbitrary bytes, then re-encode what
 * it accepted. Build: clang -fsanitize=fuzzer,address,undefined ... */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_req req;
	const char *code = NULL, *why = NULL;
	char *line;
	int r;

	r = proto_decode((const char *)data, size, &req, &code, &why);
	if (r < 0) {
		if (!code || !why)
			abort();
		line = proto_error_line(code, why, NULL);
		if (!line || line[strlen(line) - 1] != '\n' ||
		    strchr(line, '\n') != line + strlen(line) - 1)
			abort();
		free(line);
		return 0;
	}
	if (req.since < -1 || req.nfeeds > PROTO_MAX_ITEMS ||
	    (req.query && strlen(req.query) > PROTO_MAX_QUERY))
		abort();
	line = proto_error_line("bad_request", "echo", req.id);
	free(line);
	proto_req_clear(&req);
	return 0;
}
