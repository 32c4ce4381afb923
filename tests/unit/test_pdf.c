/* test_pdf.c — PDF pages: sniffing, layout to paragraphs, running heads
 * and feet, the transcript rules through transcript_parse, and the errors
 * (damaged, encrypted, too many pages, no text). The PDFs are drawn here
 * with cairo (poppler-glib's own dependency); none is checked in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include "briefing.h"
#include "buf.h"
#include "pdf.h"
#include "transcript.h"

/* fontconfig leaks a little while it first reads its configuration
 * (Debian 12, 2.14), which cairo makes it do to draw our test PDFs: not
 * ours, and not in the daemon (poppler reads text without fontconfig). */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

static cairo_status_t
sink(void *arg, const unsigned char *data, unsigned int len)
{
	return buf_append(arg, data, len) < 0 ? CAIRO_STATUS_NO_MEMORY
					      : CAIRO_STATUS_SUCCESS;
}

/* A page of an A4 document being drawn. */
struct pen {
	cairo_t *cr;
	double y;
	int page, pages;
};

static void
running(struct pen *p)
{
	char foot[32];

	cairo_select_font_face(p->cr, "DejaVu Sans", CAIRO_FONT_SLANT_ITALIC,
			       CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(p->cr, 8);
	cairo_move_to(p->cr, 72, 40);
	cairo_show_text(p->cr, "Ministry of Foreign Affairs - Press Office");
	snprintf(foot, sizeof(foot), "%d", p->page);
	cairo_move_to(p->cr, 290, 815);
	cairo_show_text(p->cr, foot);
	p->y = 90;
}

static void
line(struct pen *p, double x, double size, int bold, const char *s)
{
	if (p->y + size * 1.45 > 770) {
		cairo_show_page(p->cr);
		p->page++;
		running(p);
	}
	cairo_select_font_face(p->cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD
				    : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(p->cr, size);
	cairo_move_to(p->cr, x, p->y + size);
	cairo_show_text(p->cr, s);
	p->y += size * 1.45;
}

/* Body lines run to the measure (about 80 characters at 11 pt); a
 * paragraph ends with a short line, then space. */
static const char *const transcript[] = {
	"#Press Briefing on the Northern Corridor",
	"Brussels, 14 March 2025",
	"",
	"SPOKESPERSON ANNA KOWALSKI: Good afternoon. The talks on the northern",
	"corridor resumed this morning after a pause of three weeks, and the",
	"working groups on customs and energy each agreed a timetable for the",
	"coming month, with the technical teams reporting back on the negotia-",
	"tions at the end of April.",
	"",
	"Q: Is the sanctions package still on the table?",
	"",
	"SPOKESPERSON ANNA KOWALSKI: It is. Ministers return to it on the",
	"twentieth of the month, after the legal review of the list of entities",
	"that the working group proposed in February and revised in March.",
	NULL,
};

/* transcript, repeated so that it runs over pages when reps > 1. */
static void
draw_transcript(struct buf *out, int reps)
{
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(sink, out,
								 595, 842);
	struct pen p = {cairo_create(s), 0, 1, 0};
	int k, i;

	running(&p);
	for (k = 0; k < reps; k++) {
		for (i = 0; transcript[i]; i++) {
			const char *t = transcript[i];

			if (k && i < 3)
				continue;
			if (!*t)
				p.y += 8;
			else if (*t == '#')
				line(&p, 72, 18, 1, t + 1);
			else
				line(&p, 72, 11, 0, t);
		}
	}
	cairo_destroy(p.cr);
	cairo_surface_finish(s);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);
}

static char *
html_of(const struct buf *pdf)
{
	char *html = NULL, *err = NULL;
	size_t n;
	int r = pdf_to_html(pdf->data, pdf->len, &html, &n, &err);

	if (r < 0)
		fail_msg("pdf_to_html: %d %s", r, err ? err : "");
	assert_int_equal(strlen(html), n);
	return html;
}

/* ---- tests --------------------------------------------------------------- */

static void
test_sniffing_looks_at_the_bytes(void **state)
{
	static const char html[] = "<html><body>%PDF-1.4 is a version</body>";

	(void)state;
	assert_true(pdf_sniff("%PDF-1.7\n", 9));
	assert_true(pdf_sniff("\xEF\xBB\xBF  %PDF-1.4", 13));
	assert_true(pdf_sniff("junk junk\r\n%PDF-1.4", 19));
	assert_false(pdf_sniff(html, sizeof(html) - 1));
	assert_false(pdf_sniff("%PDF", 4));
	assert_false(pdf_sniff("", 0));
}

static void
test_layout_becomes_paragraphs_without_heads_feet_or_page_numbers(void **state)
{
	struct buf pdf = BUF_INIT;
	char *html;

	(void)state;
	draw_transcript(&pdf, 1);
	html = html_of(&pdf);
	assert_non_null(strstr(html, "<title>Press Briefing on the Northern "
				     "Corridor</title>"));
	assert_non_null(strstr(html, "<h1>Press Briefing on the Northern "
				     "Corridor</h1>"));
	assert_non_null(strstr(html, "<time datetime=\"2025-03-14\">"));
	/* lines joined into one paragraph, the broken word mended */
	assert_non_null(strstr(html, "<p>SPOKESPERSON ANNA KOWALSKI: Good "
				     "afternoon. The talks on the northern "
				     "corridor resumed"));
	assert_non_null(strstr(html, "on the negotiations at the end of "
				     "April.</p>"));
	assert_non_null(strstr(html, "<p>Q: Is the sanctions package still "
				     "on the table?</p>"));
	assert_null(strstr(html, "Press Office"));
	assert_null(strstr(html, "<p>1</p>"));
	free(html);
	buf_free(&pdf);
}

static void
test_running_heads_go_on_every_page(void **state)
{
	struct buf pdf = BUF_INIT;
	char *html;

	(void)state;
	draw_transcript(&pdf, 12); /* several pages */
	html = html_of(&pdf);
	assert_null(strstr(html, "Press Office"));
	assert_null(strstr(html, "<p>2</p>"));
	assert_null(strstr(html, " 3 "));
	/* a paragraph running over a page break stays one */
	assert_null(strstr(html, "<p>twentieth"));
	assert_null(strstr(html, "<p>that the working"));
	free(html);
	buf_free(&pdf);
}

static void
test_a_pdf_transcript_gets_title_date_and_turns(void **state)
{
	struct transcript_opts o = {0};
	struct briefing *b = NULL;
	struct buf pdf = BUF_INIT;
	char *err = NULL;

	(void)state;
	draw_transcript(&pdf, 1);
	o.url = "https://example.int/briefing.pdf";
	assert_int_equal(transcript_parse(pdf.data, pdf.len, &o, &b, &err), 0);
	assert_string_equal(b->title, "Press Briefing on the Northern Corridor");
	assert_string_equal(b->published, "2025-03-14");
	assert_int_equal(b->kind, BRIEFING_TRANSCRIPT);
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[0].speaker, "Anna Kowalski");
	assert_int_equal(b->turns[1].type, TURN_QUESTION);
	assert_string_equal(b->turns[1].text,
			    "Is the sanctions package still on the table?");
	assert_string_equal(b->turns[2].speaker, "Anna Kowalski");
	assert_non_null(strstr(b->turns[0].text, "negotiations at the end"));
	briefing_free(b);
	buf_free(&pdf);
}

static void
test_document_info_title_wins_unless_it_is_a_file_name(void **state)
{
	cairo_surface_t *s;
	cairo_t *cr;
	struct buf pdf = BUF_INIT;
	char *html;
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		s = cairo_pdf_surface_create_for_stream(sink, &pdf, 595, 842);
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE,
					       k ? "Microsoft Word - brief.docx"
						 : "Remarks to the Press");
		cr = cairo_create(s);
		cairo_set_font_size(cr, 18);
		cairo_move_to(cr, 72, 120);
		cairo_show_text(cr, "Heading on the page");
		cairo_set_font_size(cr, 11);
		cairo_move_to(cr, 72, 160);
		cairo_show_text(cr, "Some text of the remarks, long enough.");
		cairo_destroy(cr);
		cairo_surface_destroy(s);
		html = html_of(&pdf);
		assert_non_null(strstr(html, k ? "<title>Heading on the page<"
					       : "<title>Remarks to the Press<"));
		free(html);
		buf_reset(&pdf);
	}
	buf_free(&pdf);
}

static void
test_broken_pdfs_are_clear_errors(void **state)
{
	struct buf pdf = BUF_INIT;
	char *html = (char *)1, *err = NULL;
	size_t n;

	(void)state;
	/* truncated */
	draw_transcript(&pdf, 1);
	assert_int_equal(pdf_to_html(pdf.data, 200, &html, &n, &err),
			 -EINVAL);
	assert_null(html);
	assert_non_null(strstr(err, "damaged or unreadable PDF"));
	free(err);
	/* only a header */
	assert_int_equal(pdf_to_html("%PDF-1.4\n%%EOF\n", 15, &html, &n, &err),
			 -EINVAL);
	free(err);
	/* not a PDF at all */
	assert_int_equal(pdf_to_html("<html>", 6, &html, &n, &err), -EINVAL);
	assert_string_equal(err, "not a PDF");
	free(err);
	buf_free(&pdf);
}

/* A PDF whose /Encrypt dictionary (Standard handler, RC4 40-bit) has a
 * user password we do not know: the /U entry matches no password. Written
 * here by hand; offsets are computed. */
static void
test_encrypted_pdf_is_refused_with_a_clear_error(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
		"<< /Filter /Standard /V 1 /R 2 /P -44"
		" /O <0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef>"
		" /U <fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210>"
		" >>",
	};
	struct buf b = BUF_INIT;
	size_t off[4], x, i;
	char *html = NULL, *err = NULL;
	size_t n;

	(void)state;
	buf_puts(&b, "%PDF-1.4\n");
	for (i = 0; i < 4; i++) {
		off[i] = b.len;
		buf_printf(&b, "%zu 0 obj\n%s\nendobj\n", i + 1, objs[i]);
	}
	x = b.len;
	buf_puts(&b, "xref\n0 5\n0000000000 65535 f \n");
	for (i = 0; i < 4; i++)
		buf_printf(&b, "%010zu 00000 n \n", off[i]);
	buf_printf(&b, "trailer\n<< /Size 5 /Root 1 0 R /Encrypt 4 0 R"
		   " /ID [<00112233445566778899aabbccddeeff>"
		   " <00112233445566778899aabbccddeeff>] >>\n"
		   "startxref\n%zu\n%%%%EOF\n", x);
	assert_int_equal(pdf_to_html(b.data, b.len, &html, &n, &err), -EACCES);
	assert_string_equal(err, "encrypted PDF (it needs a password)");
	free(err);
	buf_free(&b);
}

static void
test_page_cap_and_textless_pdfs(void **state)
{
	cairo_surface_t *s;
	cairo_t *cr;
	struct buf pdf = BUF_INIT;
	char *html = NULL, *err = NULL;
	size_t n;
	int i;

	(void)state;
	s = cairo_pdf_surface_create_for_stream(sink, &pdf, 200, 200);
	cr = cairo_create(s);
	for (i = 0; i <= PDF_MAX_PAGES; i++)
		cairo_show_page(cr);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	assert_int_equal(pdf_to_html(pdf.data, pdf.len, &html, &n, &err),
			 -EFBIG);
	assert_non_null(strstr(err, "more than the limit of 500"));
	free(err);
	buf_reset(&pdf);
	s = cairo_pdf_surface_create_for_stream(sink, &pdf, 200, 200);
	cr = cairo_create(s);
	cairo_rectangle(cr, 10, 10, 50, 50); /* a scan: no text */
	cairo_fill(cr);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	assert_int_equal(pdf_to_html(pdf.data, pdf.len, &html, &n, &err),
			 -EINVAL);
	assert_string_equal(err, "PDF without text (scanned pages?)");
	free(err);
	buf_free(&pdf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniffing_looks_at_the_bytes),
		cmocka_unit_test(test_layout_becomes_paragraphs_without_heads_feet_or_page_numbers),
		cmocka_unit_test(test_running_heads_go_on_every_page),
		cmocka_unit_test(test_a_pdf_transcript_gets_title_date_and_turns),
		cmocka_unit_test(test_document_info_title_wins_unless_it_is_a_file_name),
		cmocka_unit_test(test_broken_pdfs_are_clear_errors),
		cmocka_unit_test(test_encrypted_pdf_is_refused_with_a_clear_error),
		cmocka_unit_test(test_page_cap_and_textless_pdfs),
	};

	int r = cmocka_run_group_tests(tests, NULL, NULL);

	/* cairo's font caches hold fontconfig patterns: give them back so
	 * that LeakSanitizer sees only ours */
	cairo_debug_reset_static_data();
	return r;
}
