/* pdf_lib — poppler-glib loaded on the first PDF page instead of at every
 * program start. Linked directly, poppler-glib brings some fifty shared
 * libraries (poppler, cairo, fontconfig, freetype, GLib...) whose symbol
 * relocations cost every process about 20 million instructions before
 * main(): two thirds of the start-up of `briefwatch parse feed`, which
 * never reads a PDF. Only pdf.c includes this header, after <poppler.h>:
 * its calls stay written as poppler's and GLib's names, which the macros
 * below send through the table that pdf_lib_load() fills with dlsym().
 */
#ifndef BW_PDF_LIB_H
#define BW_PDF_LIB_H

#include <poppler.h>

/* Every poppler/GLib function pdf.c calls. */
#define PDF_LIB_FUNCS(X) \
	X(g_bytes_new_static) X(g_bytes_unref) X(g_error_free) X(g_free) \
	X(g_log_remove_handler) X(g_log_set_handler) X(g_object_unref) \
	X(g_utf8_strlen) X(poppler_document_get_n_pages) \
	X(poppler_document_get_page) X(poppler_document_get_title) \
	X(poppler_document_new_from_bytes) X(poppler_error_quark) \
	X(poppler_page_free_text_attributes) X(poppler_page_get_size) \
	X(poppler_page_get_text) X(poppler_page_get_text_attributes) \
	X(poppler_page_get_text_layout)

struct pdf_lib {
#define PDF_LIB_FIELD(f) __typeof__(f) *f;
	PDF_LIB_FUNCS(PDF_LIB_FIELD)
#undef PDF_LIB_FIELD
};

/* Loads poppler-glib once per process (thread-safe). 0, or -ENOENT with
 * *why (static text) naming the library or symbol that is missing. */
int pdf_lib_load(const char **why);

/* The table; only after pdf_lib_load() returned 0. */
const struct pdf_lib *pdf_lib_get(void);

#ifndef PDF_LIB_IMPL
#undef g_bytes_new_static
#undef g_bytes_unref
#undef g_error_free
#undef g_free
#undef g_log_remove_handler
#undef g_log_set_handler
#undef g_object_unref
#undef g_utf8_strlen
#define g_bytes_new_static (pdf_lib_get()->g_bytes_new_static)
#define g_bytes_unref (pdf_lib_get()->g_bytes_unref)
#define g_error_free (pdf_lib_get()->g_error_free)
#define g_free (pdf_lib_get()->g_free)
#define g_log_remove_handler (pdf_lib_get()->g_log_remove_handler)
#define g_log_set_handler (pdf_lib_get()->g_log_set_handler)
#define g_object_unref (pdf_lib_get()->g_object_unref)
#define g_utf8_strlen (pdf_lib_get()->g_utf8_strlen)
#define poppler_document_get_n_pages \
	(pdf_lib_get()->poppler_document_get_n_pages)
#define poppler_document_get_page (pdf_lib_get()->poppler_document_get_page)
#define poppler_document_get_title (pdf_lib_get()->poppler_document_get_title)
#define poppler_document_new_from_bytes \
	(pdf_lib_get()->poppler_document_new_from_bytes)
#define poppler_error_quark (pdf_lib_get()->poppler_error_quark)
#define poppler_page_free_text_attributes \
	(pdf_lib_get()->poppler_page_free_text_attributes)
#define poppler_page_get_size (pdf_lib_get()->poppler_page_get_size)
#define poppler_page_get_text (pdf_lib_get()->poppler_page_get_text)
#define poppler_page_get_text_attributes \
	(pdf_lib_get()->poppler_page_get_text_attributes)
#define poppler_page_get_text_layout \
	(pdf_lib_get()->poppler_page_get_text_layout)
#endif

#endif
