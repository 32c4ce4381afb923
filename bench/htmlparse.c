/* htmlparse — the baseline for bench/run's transcript section: libxml2's
 * htmlReadMemory() on the same bytes briefwatch extracts from, and nothing
 * else (no XPath, no text walk, no output).
 *
 *   htmlparse [-r REPEAT] FILE...
 *
 * Every file is read into memory first; then the parse loop (REPEAT passes
 * over all files) is timed with CLOCK_MONOTONIC and one line is printed:
 *   pages=N bytes=B seconds=S
 * With one FILE and no -r it is the process-per-file driver; with many it
 * is the in-process driver.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

struct input {
	char *data;
	size_t len;
};

static int htmlparse_slurp(const char *path, struct input *in)
{
	FILE *f = fopen(path, "rb");
	long n;
	int rc = -1;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	in->data = malloc((size_t)n + 1);
	if (!in->data)
		goto out;
	in->len = fread(in->data, 1, (size_t)n, f);
	in->data[in->len] = '\0';
	rc = in->len == (size_t)n ? 0 : -1;
out:
	fclose(f);
	return rc;
}

static double htmlparse_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NONET |
			 HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
			 HTML_PARSE_COMPACT;
	struct input *in;
	long repeat = 1, pages = 0, failed = 0;
	size_t bytes = 0;
	int first = 1, n, i;
	double t0, t1;

	if (argc > 2 && strcmp(argv[1], "-r") == 0) {
		repeat = strtol(argv[2], NULL, 10);
		first = 3;
	}
	n = argc - first;
	if (n <= 0 || repeat <= 0) {
		fprintf(stderr, "usage: htmlparse [-r REPEAT] FILE...\n");
		return 2;
	}
	in = calloc((size_t)n, sizeof(*in));
	if (!in)
		return 1;
	for (i = 0; i < n; i++) {
		if (htmlparse_slurp(argv[first + i], &in[i]) != 0) {
			fprintf(stderr, "htmlparse: cannot read %s\n",
				argv[first + i]);
			return 1;
		}
	}
	xmlInitParser();
	t0 = htmlparse_now();
	for (long r = 0; r < repeat; r++) {
		for (i = 0; i < n; i++) {
			htmlDocPtr doc = htmlReadMemory(in[i].data,
							(int)in[i].len,
							"http://bench/", "UTF-8",
							opts);
			if (!doc)
				failed++;
			xmlFreeDoc(doc);
			pages++;
			bytes += in[i].len;
		}
	}
	t1 = htmlparse_now();
	printf("pages=%ld bytes=%zu seconds=%.6f failed=%ld\n", pages, bytes,
	       t1 - t0, failed);
	for (i = 0; i < n; i++)
		free(in[i].data);
	free(in);
	xmlCleanupParser();
	return failed ? 1 : 0;
}
