/* pdf_lib.c — poppler-glib by dlopen() on first use; see include/pdf_lib.h. */
#define PDF_LIB_IMPL
#include "pdf_lib.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

/* poppler-glib's soname on Debian 12 (libpoppler-glib8). */
#define PDF_LIB_SONAME "libpoppler-glib.so.8"

/* A loaded library is process-wide by nature: the table of its functions
 * is filled once (pthread_once) and only read afterwards. The handle is
 * never closed (poppler keeps global state of its own). */
static struct pdf_lib lib;
static const char *lib_why;
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void
load(void)
{
	void *h = dlopen(PDF_LIB_SONAME, RTLD_NOW | RTLD_LOCAL);
	void *p;

	if (!h) {
		lib_why = PDF_LIB_SONAME " cannot be loaded (install "
			  "libpoppler-glib8)";
		return;
	}
#define PDF_LIB_SYM(f) \
	if (!(p = dlsym(h, #f))) { \
		lib_why = PDF_LIB_SONAME " has no " #f; \
		return; \
	} \
	memcpy(&lib.f, &p, sizeof(p));
	PDF_LIB_FUNCS(PDF_LIB_SYM)
#undef PDF_LIB_SYM
}

int
pdf_lib_load(const char **why)
{
	pthread_once(&lib_once, load);
	if (lib_why) {
		if (why)
			*why = lib_why;
		return -ENOENT;
	}
	return 0;
}

const struct pdf_lib *
pdf_lib_get(void)
{
	return &lib;
}
