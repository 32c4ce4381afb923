/* test_transcript_lang.c — the language tables (daemon/lang.c) and the
 * transcript rules built on them: floor labels, label grammar, canonical
 * speakers, time codes, dates in other languages, titles. Short texts of
 * our own, one publisher style per case. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "briefing.h"
#include "date.h"
#include "lang.h"
#include "transcript.h"
#include "../../daemon/transcript_int.h"
#include "transcript_test.h"

static void
assert_date(const char *s, const char *want)
{
	struct date_value d;
	char out[DATE_ISO_MAX];

	assert_int_equal(date_parse(s, strlen(s), &d), 0);
	date_format(&d, out);
	assert_string_equal(out, want);
}

static enum tx_label_kind
label(const char *t, struct tx_label *l)
{
	return tx_label_parse(t, strlen(t), 0, NULL, l);
}

/* ---- tables and case ---------------------------------------------------- */

static void
test_case_folding_covers_latin_greek_and_cyrillic(void **state)
{
	char out[64];

	(void)state;
	utf8_fold("ÉLYSÉE ВОПРОС ΑΘΉΝΑ Łódź", strlen("ÉLYSÉE ВОПРОС ΑΘΉΝΑ Łódź"),
		  out, sizeof(out));
	assert_string_equal(out, "élysée вопрос αθήνα łódź");
	assert_true(utf8_is_upper("Ж", 2));
	assert_true(utf8_is_lower("ж", 2));
	assert_false(utf8_is_upper("毛", 3));
	assert_false(utf8_is_lower("毛", 3));
	/* a buffer too small cuts at a character boundary */
	assert_int_equal(utf8_fold("ЖЖЖ", 6, out, 4), 2);
	assert_string_equal(out, "ж");
}

static void
test_tables_know_floor_labels_months_and_offices_of_each_language(void **state)
{
	(void)state;
	assert_true(lang_has(LANG_ALL, LANG_FLOOR, "pregunta"));
	assert_true(lang_has(LANG_ALL, LANG_FLOOR, "interlocutor(a)"));
	assert_true(lang_has(LANG_ALL, LANG_FLOOR, "вопрос"));
	assert_true(lang_has(LANG_ALL, LANG_FLOOR, "реплика"));
	assert_true(lang_has(LANG_ALL, LANG_FLOOR, "zusatzfrage"));
	assert_true(lang_has(LANG_ALL, LANG_FLOOR, "journaliste"));
	assert_true(lang_has(LANG_ALL, LANG_FLOOR, "domanda"));
	assert_true(lang_has(LANG_ALL, LANG_FLOOR, "pergunta"));
	assert_true(lang_floor_suffix("法新社记者"));
	assert_false(lang_floor_suffix("记者"));
	assert_true(lang_has_typo(LANG_ALL, LANG_FLOOR, "journalsit"));
	assert_false(lang_has_typo(LANG_ALL, LANG_FLOOR, "journalism"));
	assert_true(lang_has(LANG_ALL, LANG_OFFICE, "regierungssprecher"));
	assert_true(lang_has(LANG_ALL, LANG_FIELD, "subjects"));
	assert_int_equal(lang_month("agosto"), 8);
	assert_int_equal(lang_month("февраля"), 2);
	assert_int_equal(lang_month("märz"), 3);
	assert_int_equal(lang_month("août"), 8);
	assert_int_equal(lang_month("março"), 3);
	assert_int_equal(lang_month("dicembre"), 12);
	assert_int_equal(lang_month("tuesday"), 0);
	assert_string_equal(lang_expand("dpm"), "Deputy Prime Minister");
	assert_null(lang_expand("pmo"));
	/* the tables only pick from what they hold */
	assert_false(lang_has(lang_bit("en", 2), LANG_FLOOR, "pregunta"));
	assert_true(lang_has(lang_bit("es-MX", 5), LANG_FLOOR, "pregunta"));
	assert_int_equal(lang_bit("xx", 2), 0);
	assert_string_equal(lang_code(lang_bit("ru_RU", 5)), "ru");
}

static void
test_language_is_guessed_from_script_and_common_words(void **state)
{
	const char *es = "El presidente dijo que la economía de los estados "
			 "crece y que el gobierno para las familias";
	const char *ru = "Президент провёл встречу с губернатором";

	(void)state;
	assert_int_equal(lang_guess(es, strlen(es)), lang_bit("es", 2));
	assert_int_equal(lang_guess(ru, strlen(ru)), lang_bit("ru", 2));
	assert_int_equal(lang_guess("Hi", 2), 0);
}

/* ---- dates ------------------------------------------------------------------ */

static void
test_dates_in_other_languages(void **state)
{
	(void)state;
	assert_date("01 de agosto de 2019", "2019-08-01");
	assert_date("Jueves 29 de agosto, 2019", "2019-08-29");
	assert_date("19 февраля 2025 года", "2025-02-19");
	assert_date("4 février 2025", "2025-02-04");
	assert_date("le 1er mars 2024", "2024-03-01");
	assert_date("Mittwoch, 19. Februar 2025", "2025-02-19");
	assert_date("19.02.2025", "2025-02-19");
	assert_date("4 de março de 2025", "2025-03-04");
	assert_date("Martedì 4 marzo 2025", "2025-03-04");
	assert_date("2025年2月19日", "2025-02-19");
	assert_date("2025年2月19日 10:00", "2025-02-19T10:00");
	assert_date("March 06, 2014", "2014-03-06");
}

static void
test_non_dates_in_those_languages_are_refused(void **state)
{
	struct date_value d;

	(void)state;
	assert_int_equal(date_parse("de agosto", 9, &d), -EINVAL);
	assert_int_equal(date_parse("32 de agosto de 2019", 20, &d), -EINVAL);
	assert_int_equal(date_parse("2025年13月1日", strlen("2025年13月1日"), &d),
			 -EINVAL);
	assert_int_equal(date_parse("Agosto es caluroso", 18, &d), -EINVAL);
}

/* ---- labels ------------------------------------------------------------------- */

static void
test_floor_labels_of_every_language_are_questions(void **state)
{
	static const char *const q[] = {
		"PREGUNTA: ¿Y el acero?", "INTERLOCUTOR(A): Gracias.",
		"INTERVENCIÓN: Oiga.", "Вопрос: Когда?", "Реплика: Да.",
		"Question : Et alors ?", "Frage (Keller): Wann?",
		"JOURNALSIT: Typed in a hurry?", "法新社记者：中方能否证实？",
		"Domanda: Quando?", NULL,
	};
	struct tx_label l;
	size_t i;

	(void)state;
	for (i = 0; q[i]; i++) {
		assert_int_equal(label(q[i], &l), TXL_QUESTION);
		assert_true(l.rest > 0);
	}
}

static void
test_long_office_labels_with_commas_are_labels(void **state)
{
	static const char *const s[] = {
		"SECRETARY OF DEFENSE LLOYD J. AUSTIN III: Good morning.",
		"CHAIRMAN OF THE JOINT CHIEFS OF STAFF ARMY GENERAL MARK A. "
		"MILLEY: Thanks.",
		"PRESIDENTA DE MÉXICO, CLAUDIA SHEINBAUM PARDO: Buenos días.",
		"JOSÉ LUIS ALOMÍA ZEGARRA, DIRECTOR GENERAL DE EPIDEMIOLOGÍA: "
		"Gracias.",
		"В.Путин: Добрый день!", "Regierungssprecher Hebestreit: Guten Tag.",
		"Emmanuel MACRON : Bonsoir.", "毛宁：今天没有消息。", "PM: Morning.",
		"Speaker 1 (00:00): Welcome.", "SPEAKER 2: Thanks.",
		"Vors. Sommer: Guten Tag.", "Guest 2: Hi.",
		"Press Secretary: Hello.", "MR. A: One.", NULL,
	};
	struct tx_label l;
	size_t i;

	(void)state;
	for (i = 0; s[i]; i++)
		assert_int_equal(label(s[i], &l), TXL_STATEMENT);
}

static void
test_sentences_headings_and_field_names_are_not_labels(void **state)
{
	static const char *const n[] = {
		"Subjects: Care workers; refugees", "Subject(s): Health",
		"Note: the call was on background.", "Update: times changed.",
		"Location: Canberra", "Date: 3 March 2025",
		"Themen: Haushalt", "Sprecher: StS Fellner, Kall (BMI)",
		"He said three things: jobs, growth and trade.",
		"Thanks. Next question: yes.", "COVID-19: the numbers",
		"他说：我们会考虑。", "我们的立场是：坚决反对。",
		"The President said: we will act.", "Point 3: the budget.",
		"THE FOLLOWING IS A TRANSCRIPT OF THE PRESIDENT'S REMARKS: x",
		NULL,
	};
	struct tx_label l;
	size_t i;

	(void)state;
	for (i = 0; n[i]; i++)
		assert_int_equal(label(n[i], &l), TXL_NONE);
}

static void
test_time_codes_are_kept_apart_from_the_label_and_text(void **state)
{
	struct tx_label l;
	const char *a = "[00:01:23] Maria Olsen: From the reserve.";
	const char *b = "Speaker 1 (00:14): Thank you.";

	(void)state;
	assert_int_equal(label(a, &l), TXL_STATEMENT);
	assert_int_equal(l.time_len, 8);
	assert_memory_equal(a + l.time_off, "00:01:23", 8);
	assert_int_equal(l.label_len, strlen("Maria Olsen"));
	assert_memory_equal(a + l.label_off, "Maria Olsen", l.label_len);
	assert_string_equal(a + l.rest, "From the reserve.");
	assert_int_equal(label(b, &l), TXL_STATEMENT);
	assert_memory_equal(b + l.time_off, "00:14", 5);
	assert_int_equal(l.name_len, strlen("Speaker 1"));
	assert_string_equal(b + l.rest, "Thank you.");
	/* "Q" and the question, whose text holds a colon */
	assert_int_equal(label("Q  The first: the bill.", &l), TXL_QUESTION);
	assert_int_equal(l.label_len, 1);
}

/* ---- pages ---------------------------------------------------------------------- */

static void
test_role_only_labels_bind_to_the_people_the_page_names(void **state)
{
	struct briefing *b = parse_str(
		"<html><body><h1>Press conference - Hobart</h1><div>"
		"<p>TRANSCRIPT OF THE PRIME MINISTER</p>"
		"<p>THE HON PETER LAWSON MP</p>"
		"<p>Subjects: hospitals; energy</p>"
		"<p>PM: Good morning. I am here with the Deputy Prime Minister "
		"Sarah Quinn.</p>"
		"<p>DPM: Thanks, PM.</p><p>JOURNALIST: When?</p>"
		"<p>PRIME MINISTER: In July.</p></div></body></html>");

	(void)state;
	assert_int_equal(b->nturns, 4);
	assert_string_equal(b->turns[0].speaker, "Peter Lawson");
	assert_string_equal(b->turns[0].label, "PM");
	assert_string_equal(b->turns[1].speaker, "Sarah Quinn");
	assert_int_equal(b->turns[2].type, TURN_QUESTION);
	assert_null(b->turns[2].speaker);
	assert_string_equal(b->turns[3].speaker, "Peter Lawson");
	assert_int_equal(b->nspeakers, 2);
	assert_string_equal(b->speakers[0].role, "Prime Minister");
	briefing_free(b);
}

static void
test_names_come_from_labels_with_commas_initials_and_offices(void **state)
{
	struct briefing *b = parse_str(
		"<html lang=\"es\"><body><h1>Conferencia</h1><div>"
		"<p>SECRETARIA DE ECONOMÍA, LUCÍA MENDOZA ORTIZ: Buenos días.</p>"
		"<p>RAÚL CASTAÑEDA PIÑA, SUBSECRETARIO DE COMERCIO: Gracias.</p>"
		"<p>В.Путин: Добрый день!</p>"
		"<p>SECRETARY OF DEFENSE LLOYD J. AUSTIN III: Thanks.</p>"
		"<p>Julien MARCHAND : Bonsoir.</p>"
		"<p>SECRETARIO DE SALUD JORGE ALCOCER VARELA: Buenos días.</p>"
		"</div></body></html>");

	(void)state;
	assert_int_equal(b->nturns, 6);
	assert_string_equal(b->turns[5].speaker, "Jorge Alcocer Varela");
	assert_string_equal(b->turns[0].speaker, "Lucía Mendoza Ortiz");
	assert_string_equal(b->turns[0].label,
			    "SECRETARIA DE ECONOMÍA, LUCÍA MENDOZA ORTIZ");
	assert_string_equal(b->turns[1].speaker, "Raúl Castañeda Piña");
	assert_string_equal(b->turns[2].speaker, "В. Путин");
	assert_string_equal(b->turns[3].speaker, "Lloyd J. Austin III");
	assert_string_equal(b->turns[4].speaker, "Julien Marchand");
	briefing_free(b);
}

static void
test_initial_and_surname_resolve_to_the_full_name_the_page_gives(void **state)
{
	struct briefing *b = parse_str(
		"<html><body><h1>Встреча</h1><div>"
		"<p>Участники: Сергей Ларин, Пётр Соколов</p>"
		"<p>С.Ларин: Добрый день!</p><p>П.Соколов: Здравствуйте.</p>"
		"</div></body></html>");

	(void)state;
	assert_int_equal(b->nturns, 2);
	assert_string_equal(b->turns[0].speaker, "Сергей Ларин");
	assert_string_equal(b->turns[1].speaker, "Пётр Соколов");
	briefing_free(b);
}

static void
test_single_speech_gets_the_speaker_the_title_names(void **state)
{
	struct briefing *b = parse_str(
		"<html><head><title>x</title></head><body>"
		"<h1>Opening remarks by President van der Meer at the joint press "
		"conference</h1><div><p>For Immediate Release</p>"
		"<p>March 06, 2014</p><p>Check against delivery</p>"
		"<p>Good afternoon, and thank you for welcoming me.</p>"
		"<p>Our partnership has never been stronger.</p></div>"
		"</body></html>");

	(void)state;
	assert_string_equal(b->published, "2014-03-06");
	assert_int_equal(b->nturns, 1);
	assert_string_equal(b->turns[0].speaker, "van der Meer");
	assert_string_equal(b->turns[0].text,
			    "Good afternoon, and thank you for welcoming me."
			    "\n\nOur partnership has never been stronger.");
	briefing_free(b);
}

static void
test_title_words_are_not_names(void **state)
{
	struct briefing *b = parse_str(
		"<html><body><h1>Press Gaggle by President Trump Aboard Air Force "
		"One and NSC Coordinator for Strategic Communications John "
		"Kirby</h1><div><p>THE PRESIDENT: Hello.</p>"
		"<p>MR. KIRBY: Thanks.</p></div></body></html>");

	(void)state;
	assert_int_equal(b->nturns, 2);
	assert_string_equal(b->turns[0].speaker, "Trump");
	assert_string_equal(b->turns[1].speaker, "John Kirby");
	briefing_free(b);
}

static void
test_time_codes_become_turn_time_in_the_record(void **state)
{
	struct briefing *b = parse_str(
		"<html><body><h1>Hearing</h1><div>"
		"<p>Speaker 1 (00:00):</p><p>Welcome.</p>"
		"<p>[00:01:23] Maria Olsen: Thanks.</p>"
		"<p>SPEAKER 1: Go ahead.</p></div></body></html>");
	struct buf o = {0};

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[0].speaker, "Speaker 1");
	assert_string_equal(b->turns[0].time, "00:00");
	assert_string_equal(b->turns[0].text, "Welcome.");
	assert_string_equal(b->turns[1].time, "00:01:23");
	assert_string_equal(b->turns[1].text, "Thanks.");
	assert_null(b->turns[2].time);
	assert_string_equal(b->turns[2].speaker, "Speaker 1");
	assert_int_equal(briefing_dump(b, 1, &o), 0);
	assert_non_null(strstr(o.data, "\"time\":\"00:01:23\""));
	buf_free(&o);
	briefing_free(b);
}

static void
test_zh_labels_with_full_width_colons(void **state)
{
	struct briefing *b = parse_str(
		"<html lang=\"zh-CN\"><body><h1>例行记者会</h1><div>"
		"<p>\xe3\x80\x80\xe3\x80\x80林海：今天没有要发布的消息。</p>"
		"<p>彭博社记者：双方会举行磋商吗？</p>"
		"<p>林海：我没有可以发布的消息。</p></div></body></html>");

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[0].speaker, "林海");
	assert_string_equal(b->turns[0].text, "今天没有要发布的消息。");
	assert_int_equal(b->turns[1].type, TURN_QUESTION);
	assert_string_equal(b->turns[1].label, "彭博社记者");
	briefing_free(b);
}

static void
test_titles_keep_a_suffix_that_is_not_the_site(void **state)
{
	struct briefing *b = parse_str(
		"<html><head><title>Conferencia matutina | Jueves 29 de agosto, "
		"2019</title></head><body><p>PREGUNTA: ¿Sí?</p></body></html>");

	(void)state;
	assert_string_equal(b->title,
			    "Conferencia matutina | Jueves 29 de agosto, 2019");
	briefing_free(b);
	b = parse_str("<html><head><title>Press Gaggle | Ramstein Air Base, "
		      "Germany</title></head><body><p>Q: Yes?</p></body></html>");
	assert_string_equal(b->title, "Press Gaggle | Ramstein Air Base, Germany");
	briefing_free(b);
	b = parse_str("<html><head><title>Regierungspressekonferenz | "
		      "Bundesregierung</title></head><body><p>Frage: Wann?</p>"
		      "</body></html>");
	assert_string_equal(b->title, "Regierungspressekonferenz");
	briefing_free(b);
}

static void
test_page_language_picks_the_field_tables(void **state)
{
	struct briefing *b = parse_str(
		"<html lang=\"en\"><body><h1>Hearing</h1><div>"
		"<p>Ora Lewis: Thank you.</p><p>Q: Why?</p></div></body></html>");

	(void)state;
	assert_int_equal(b->nturns, 2);
	assert_string_equal(b->turns[0].speaker, "Ora Lewis");
	briefing_free(b);
	/* Italian "Ora" (time) is a field name on an Italian page */
	b = parse_str("<html lang=\"it\"><body><h1>Conferenza</h1><div>"
		      "<p>Presidente Bianchi: Buongiorno.</p>"
		      "<p>Ora Lewis: dieci.</p></div></body></html>");
	assert_int_equal(b->nturns, 1);
	assert_string_equal(b->turns[0].text, "Buongiorno.\n\nOra Lewis: dieci.");
	briefing_free(b);
	/* no lang attribute: guessed from the text */
	b = parse_str("<html><body><h1>Conferenza</h1><div>"
		      "<p>Presidente Bianchi: Il governo ha approvato il decreto "
		      "che per la prima volta non è solo una misura, e della "
		      "legge di bilancio con le regioni.</p>"
		      "<p>Ora Lewis: dieci.</p></div></body></html>");
	assert_int_equal(b->nturns, 1);
	briefing_free(b);
}

static void
test_outlets_and_named_askers_label_questions(void **state)
{
	struct briefing *b = parse_str(
		"<html><body><h1>Regular Press Conference</h1><div>"
		"<p>Lin Hai: Good afternoon.</p>"
		"<p>AFP: Can you confirm the talks?</p>"
		"<p>Phoenix TV: And the date?</p>"
		"<p>Frage Jung: Wann?</p>"
		"<p>Frage (Keller): Und?</p>"
		"<p>Kate Winter: Thanks.</p></div></body></html>");

	(void)state;
	assert_int_equal(b->nturns, 6);
	assert_int_equal(b->turns[1].type, TURN_QUESTION);
	assert_string_equal(b->turns[1].outlet, "AFP");
	assert_int_equal(b->turns[2].type, TURN_QUESTION);
	assert_string_equal(b->turns[2].outlet, "Phoenix TV");
	assert_int_equal(b->turns[3].type, TURN_QUESTION);
	assert_int_equal(b->turns[4].type, TURN_QUESTION);
	assert_string_equal(b->turns[4].asker, "Keller");
	assert_int_equal(b->turns[5].type, TURN_STATEMENT);
	assert_string_equal(b->turns[5].speaker, "Kate Winter");
	briefing_free(b);
}

static void
test_a_title_date_and_a_cjk_site_suffix(void **state)
{
	struct briefing *b = parse_str(
		"<html><head><title>2025年2月19日外交部发言人毛宁主持例行记者会_"
		"中华人民共和国外交部</title></head><body><div>"
		"<p>毛宁：今天没有消息。</p></div></body></html>");

	(void)state;
	assert_string_equal(b->title, "2025年2月19日外交部发言人毛宁主持例行记者会");
	assert_string_equal(b->published, "2025-02-19");
	briefing_free(b);
	b = parse_str("<html><head><title>Conferencia de prensa del presidente "
		      "del 31 de mayo de 2021</title></head><body><div>"
		      "<p>PREGUNTA: ¿Sí?</p></div></body></html>");
	assert_string_equal(b->published, "2021-05-31");
	briefing_free(b);
	/* a date printed on the page wins over the title's */
	b = parse_str("<html><head><title>Briefing, May 3, 2021</title></head>"
		      "<body><p class=\"date\">4 May 2021</p><div>"
		      "<p>Q: Yes?</p></div></body></html>");
	assert_string_equal(b->published, "2021-05-04");
	briefing_free(b);
}

static void
test_speech_titles_in_several_languages_name_the_speaker(void **state)
{
	static const char *const t[][2] = {
		{"Discours du Président de la République Emmanuel Macron au "
		 "Congrès", "Emmanuel Macron"},
		{"Rede von Bundeskanzler Olaf Scholz beim Tag der Industrie",
		 "Olaf Scholz"},
		{"Remarks by President Biden on the Economy", "Biden"},
		{"Intervento del Presidente Mattarella alla cerimonia",
		 "Mattarella"},
		{"Opening remarks by President von der Leyen at the joint press "
		 "conference", "von der Leyen"},
	};
	char html[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct briefing *b;

		snprintf(html, sizeof(html),
			 "<html><head><title>%s</title></head><body><div>"
			 "<p>Good morning, thank you.</p><p>We act now.</p>"
			 "</div></body></html>", t[i][0]);
		b = parse_str(html);
		assert_int_equal(b->nturns, 1);
		assert_non_null(b->turns[0].speaker);
		assert_string_equal(b->turns[0].speaker, t[i][1]);
		briefing_free(b);
	}
}

/* ---- the record's lang -------------------------------------------------- */

/* The page's declared language reaches the record as a primary subtag,
 * from each place a page declares it; nothing declared: no lang (the
 * index detects it from the text, not the record). */
static void
test_record_lang_is_what_the_page_declares(void **state)
{
	static const struct {
		const char *html, *want;
	} cases[] = {
		{"<html lang=\"fr-FR\"><body><p>Texte.</p></body></html>", "fr"},
		{"<html xml:lang=\"DE\"><body><p>Text.</p></body></html>", "de"},
		{"<html><head><meta http-equiv=\"Content-Language\""
		 " content=\"es, en\"></head><body><p>Texto.</p></body></html>",
		 "es"},
		{"<html><head><meta property=\"og:locale\" content=\"pt_BR\">"
		 "</head><body><p>Texto.</p></body></html>", "pt"},
		{"<html><head><meta name=\"DC.language\" content=\"ru\">"
		 "</head><body><p>Текст.</p></body></html>", "ru"},
		/* <html lang> wins over the meta */
		{"<html lang=\"it\"><head><meta property=\"og:locale\""
		 " content=\"en_GB\"></head><body><p>Testo.</p></body></html>",
		 "it"},
		/* names no language: the meta is used, or nothing */
		{"<html lang=\"und\"><head><meta property=\"og:locale\""
		 " content=\"nl_NL\"></head><body><p>Tekst.</p></body></html>",
		 "nl"},
		{"<html lang=\"x-klingon\"><body><p>Text.</p></body></html>",
		 NULL},
		{"<html><body><p>Les ministres ont parlé.</p></body></html>", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct briefing *b = parse_str(cases[i].html);

		if (cases[i].want)
			assert_string_equal(b->lang, cases[i].want);
		else
			assert_null(b->lang);
		briefing_free(b);
	}
}

/* In JSON only when known: records without one read as before. */
static void
test_record_lang_is_in_json_only_when_set(void **state)
{
	struct briefing *b = parse_str("<html lang=\"sv-SE\"><body><p>Text."
				       "</p></body></html>"), *c = NULL;
	char *js;
	json_t *o;

	(void)state;
	o = briefing_to_json(b, 0);
	js = json_dumps(o, JSON_COMPACT);
	assert_non_null(strstr(js, ",\"lang\":\"sv\",\"speakers\""));
	assert_int_equal(briefing_from_json(o, &c), 0);
	assert_string_equal(c->lang, "sv");
	free(js);
	json_decref(o);
	briefing_free(c);
	free(b->lang);
	b->lang = NULL;
	o = briefing_to_json(b, 0);
	js = json_dumps(o, JSON_COMPACT);
	assert_null(strstr(js, "\"lang\""));
	free(js);
	json_decref(o);
	briefing_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_folding_covers_latin_greek_and_cyrillic),
		cmocka_unit_test(test_record_lang_is_what_the_page_declares),
		cmocka_unit_test(test_record_lang_is_in_json_only_when_set),
		cmocka_unit_test(test_tables_know_floor_labels_months_and_offices_of_each_language),
		cmocka_unit_test(test_language_is_guessed_from_script_and_common_words),
		cmocka_unit_test(test_dates_in_other_languages),
		cmocka_unit_test(test_non_dates_in_those_languages_are_refused),
		cmocka_unit_test(test_floor_labels_of_every_language_are_questions),
		cmocka_unit_test(test_long_office_labels_with_commas_are_labels),
		cmocka_unit_test(test_sentences_headings_and_field_names_are_not_labels),
		cmocka_unit_test(test_time_codes_are_kept_apart_from_the_label_and_text),
		cmocka_unit_test(test_role_only_labels_bind_to_the_people_the_page_names),
		cmocka_unit_test(test_names_come_from_labels_with_commas_initials_and_offices),
		cmocka_unit_test(test_initial_and_surname_resolve_to_the_full_name_the_page_gives),
		cmocka_unit_test(test_single_speech_gets_the_speaker_the_title_names),
		cmocka_unit_test(test_title_words_are_not_names),
		cmocka_unit_test(test_time_codes_become_turn_time_in_the_record),
		cmocka_unit_test(test_zh_labels_with_full_width_colons),
		cmocka_unit_test(test_titles_keep_a_suffix_that_is_not_the_site),
		cmocka_unit_test(test_page_language_picks_the_field_tables),
		cmocka_unit_test(test_outlets_and_named_askers_label_questions),
		cmocka_unit_test(test_a_title_date_and_a_cjk_site_suffix),
		cmocka_unit_test(test_speech_titles_in_several_languages_name_the_speaker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
