/* test_transcript_real.c — rules learned from real publishers' pages
 * (tests/fixtures/transcripts-own, the second dozen): label separators,
 * answer labels, where the principal speaker is named, boilerplate around
 * the transcript. Each case fails without its rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transcript.h"
#include "transcript_test.h"

/* La Moncloa ends labels with ".-"; French ministries print "Q - " and
 * "R - "; the answer is the principal's. */
static void
test_dash_ended_labels_and_answer_letters(void **state)
{
	const char *es = "<html lang=es><body><h1>Rueda de prensa del presidente del "
			 "Gobierno, Mario Ferrán</h1><div>"
			 "<p><strong>Presidente del Gobierno.-</strong> Buenas tardes.</p>"
			 "<p><strong>P.-</strong> ¿Habrá presupuestos?</p>"
			 "<p>Presidente del Gobierno.- Sí.</p>"
			 "<p>The U.S.-Thai alliance matters.</p></div></body></html>";
	const char *fr = "<html lang=fr><body><h1>Entretien de M. Laurent Dufresne, "
			 "ministre de l'Europe et des affaires étrangères, avec "
			 "« Radio Atlantique »</h1><div>"
			 "<p>Q - Bonjour. Le cessez-le-feu tient-il ?</p>"
			 "<p>R - Il tient.</p><p>Q - Merci.</p></div></body></html>";
	struct briefing *b = parse_str(es);

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[0].speaker, "Mario Ferrán");
	assert_string_equal(b->turns[0].label, "Presidente del Gobierno");
	assert_string_equal(b->turns[0].text, "Buenas tardes.");
	assert_int_equal(b->turns[1].type, TURN_QUESTION);
	assert_string_equal(b->turns[1].text, "¿Habrá presupuestos?");
	assert_string_equal(b->turns[2].text,
			    "Sí.\n\nThe U.S.-Thai alliance matters.");
	briefing_free(b);
	b = parse_str(fr);
	assert_int_equal(b->nturns, 3);
	assert_int_equal(b->turns[0].type, TURN_QUESTION);
	assert_string_equal(b->turns[1].speaker, "Laurent Dufresne");
	assert_string_equal(b->turns[1].label, "R");
	assert_string_equal(b->turns[1].text, "Il tient.");
	assert_string_equal(b->speakers[0].role,
			    "ministre de l'Europe et des affaires étrangères");
	briefing_free(b);
}

/* "A :" (Korean MOFA) and "Ответ:" (MID) answer for the principal, who is
 * named only in a header line before the first label. */
static void
test_answer_labels_speak_for_the_principal_of_the_header(void **state)
{
	const char *html = "<html><body><h1>Spokesperson's Press Briefing</h1><div>"
			   "<p>Spokesperson Lim Jae-won</p>"
			   "<p>Good afternoon. One announcement.</p>"
			   "<p>Q&nbsp;:&nbsp;Will she go?</p>"
			   "<p>A&nbsp;:&nbsp;The schedule is open.</p>"
			   "<p>Ответ: Да.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 4);
	assert_string_equal(b->turns[0].speaker, "Lim Jae-won");
	assert_string_equal(b->turns[0].text, "Good afternoon. One announcement.");
	assert_int_equal(b->turns[1].type, TURN_QUESTION);
	assert_string_equal(b->turns[2].speaker, "Lim Jae-won");
	assert_string_equal(b->turns[2].label, "A");
	assert_string_equal(b->turns[3].speaker, "Lim Jae-won");
	assert_int_equal(b->nspeakers, 1);
	briefing_free(b);
}

/* "Prime Minister Leclerc's remarks at ...": the speaker is Leclerc. */
static void
test_possessive_is_not_part_of_the_principal(void **state)
{
	const char *html = "<html><body><h1>Prime Minister Leclerc\xe2\x80\x99s remarks "
			   "at the National Housing Summit</h1><div>"
			   "<p>Hello, everyone. Thank you for coming today.</p>"
			   "</div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 1);
	assert_string_equal(b->turns[0].speaker, "Leclerc");
	briefing_free(b);
}

/* Dates as ministries print them: a place before the date, numeric
 * day-first dates with a time in "18h40" form, a date only in the title's
 * closing brackets. */
static void
test_dates_after_a_place_with_slashes_and_in_title_brackets(void **state)
{
	const char *es = "<html lang=es><body><h1>Rueda de prensa</h1>"
			 "<p class=d>Santander, miércoles 3 de diciembre de 2026</p>"
			 "<div><p>Presidente.- Hola.</p></div></body></html>";
	const char *pt = "<html lang=pt-br><body><h1>Entrevista</h1>"
			 "<span>Publicado em</span> <span>03/12/2026 18h40</span>"
			 "<div><p>JORNALISTA: Oi?</p></div></body></html>";
	const char *us = "<html lang=en-US><body><h1>Briefing</h1>"
			 "<span>03/12/2026</span>"
			 "<div><p>MS. KO: Hi.</p></div></body></html>";
	const char *fr = "<html lang=fr><body><h1>Entretien de M. Paul Roy "
			 "avec « Radio » (Paris, 3 décembre 2026)</h1>"
			 "<div><p>Q - Bonjour ?</p></div></body></html>";

	(void)state;
	assert_published(es, "2026-12-03");
	assert_published(pt, "2026-12-03");
	assert_published(us, "2026-03-12");
	assert_published(fr, "2026-12-03");
}

/* WHO: initials as labels, resolved through the speaker key; an
 * office abbreviation ("PM") is not initials. */
static void
test_initials_labels_resolve_through_the_speaker_key(void **state)
{
	const char *html = "<html><body><h1>WHO media briefing</h1><div>"
			   "<p><strong>Speaker key:</strong></p>"
			   "<p>TJ Tomas Jerabek<br>IA Dr Ines Abara</p>"
			   "<p>TJ: Welcome. Dr Abara, please.</p>"
			   "<p>IA: Thank you, Tomas.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 2);
	assert_string_equal(b->turns[0].speaker, "Tomas Jerabek");
	assert_string_equal(b->turns[1].speaker, "Ines Abara");
	briefing_free(b);
}

/* MID: the spokeswoman named in the genitive with two glued initials in
 * the title, her prepared part unlabelled, answers as "Ответ:", a table
 * of contents of in-page links that is not text. */
static void
test_mid_briefing_genitive_initials_and_contents_links(void **state)
{
	const char *html = "<html lang=ru><body><h1>Брифинг официального "
			   "представителя МИД России Е.А.Волковой, Москва, "
			   "3 декабря 2026 года</h1><div>"
			   "<p><a href=\"#1\">О переговорах</a><br>"
			   "<a href=\"#2\">О поставках</a></p>"
			   "<p>Добрый день.</p>"
			   "<p><strong>О переговорах</strong></p>"
			   "<p>8 декабря в Москве состоятся переговоры.</p>"
			   "<p><strong>Вопрос:</strong> Когда?</p>"
			   "<p><strong>Ответ:</strong> Скоро.</p>"
			   "</div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[0].speaker, "Е. А. Волкова");
	assert_string_equal(b->turns[0].text, "Добрый день.\n\nО переговорах\n\n"
			    "8 декабря в Москве состоятся переговоры.");
	assert_int_equal(b->turns[1].type, TURN_QUESTION);
	assert_string_equal(b->turns[2].speaker, "Е. А. Волкова");
	briefing_free(b);
}

/* gov.ie: "Taoiseach:" / "Tánaiste:" are offices, resolved from a
 * participants line ("Taoiseach Niamh Gallagher TD"). */
static void
test_irish_offices_resolve_from_the_speakers_line(void **state)
{
	const char *html = "<html><body><h1>Press conference</h1><div>"
			   "<p>Speakers: Taoiseach Niamh Gallagher TD; "
			   "Tánaiste Conor Walsh TD</p>"
			   "<p><strong>Taoiseach:</strong></p><p>Good afternoon.</p>"
			   "<p><strong>Tánaiste:</strong></p><p>Thank you.</p>"
			   "</div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 2);
	assert_string_equal(b->turns[0].speaker, "Niamh Gallagher");
	assert_string_equal(b->turns[1].speaker, "Conor Walsh");
	briefing_free(b);
}

/* Beehive: an event's name in the title is nobody ("Infrastructure New
 * Zealand Symposium"); the minister is in the byline. */
static void
test_event_names_are_not_people_and_the_byline_speaks(void **state)
{
	const char *html = "<html><body><article><header>"
			   "<h1>Speech to the Infrastructure New Zealand Symposium</h1>"
			   "<div class=\"article__meta\"><div class=\"minister\">"
			   "<a href=\"/m\">Hon Rachel Tane</a></div></div></header>"
			   "<div class=body><p>Kia ora koutou katoa. Thank you for "
			   "having me this morning.</p></div></article>"
			   "<aside><a href=\"/m2\">Hon James Whitu</a></aside>"
			   "</body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 1);
	assert_string_equal(b->turns[0].speaker, "Rachel Tane");
	assert_int_equal(b->nspeakers, 1);
	briefing_free(b);
}

/* IMF: the contacts box after "* * * * *" is not the last turn's text;
 * MEA: nor the place and date after "(Concludes)". */
static void
test_text_after_an_end_line_is_dropped(void **state)
{
	const char *html = "<html><body><h1>Transcript of IMF Press Briefing</h1><div>"
			   "<p>MS. WHITCOMBE: Good morning.</p><p>* * * * *</p>"
			   "<p><strong>IMF Communications Department</strong></p>"
			   "<p>PRESS OFFICER: Ian Greer</p></div></body></html>";
	const char *mea = "<html><body><h1>Briefing</h1><div>"
			  "<p><strong>Official Spokesperson, Shri Arvind Menon:</strong> "
			  "Namaskar.</p><p><strong>(Concludes)</strong></p>"
			  "<p>New Delhi</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 1);
	assert_string_equal(b->turns[0].text, "Good morning.");
	assert_int_equal(b->nspeakers, 1);
	briefing_free(b);
	b = parse_str(mea);
	assert_int_equal(b->nturns, 1);
	assert_string_equal(b->turns[0].text, "Namaskar.");
	assert_string_equal(b->turns[0].speaker, "Arvind Menon");
	briefing_free(b);
}

/* A logo in an h1 (a link to the home page) is not the title. */
static void
test_logo_heading_is_not_the_title(void **state)
{
	const char *html = "<html><head><title>Spokesperson's Press Briefing "
			   "(December 3, 2026) | Ministry</title></head><body>"
			   "<div id=header><h1 class=x><a href=\"/eng/index.do\">"
			   "Ministry of Foreign Affairs</a></h1></div>"
			   "<div><h2>Spokesperson's Press Briefing (December 3, 2026)</h2>"
			   "<p>Q: Hello?</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_string_equal(b->title, "Spokesperson's Press Briefing (December 3, 2026)");
	briefing_free(b);
}

/* Ukrainian: its floor labels and dates ("3 грудня 2026 року"), also
 * when the page does not declare its language. */
static void
test_ukrainian_floor_labels_and_dates(void **state)
{
	const char *html = "<html><body><h1>Пресконференція</h1>"
			   "<p class=date>3 грудня 2026 року - 18:20</p><div>"
			   "<p><b>Дмитро Коваль:</b> Добрий день. Дякую, що прийшли.</p>"
			   "<p><b>Журналіст:</b> Коли будуть поставки?</p>"
			   "<p><b>Питання:</b> А членство?</p>"
			   "</div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_int_equal(b->turns[1].type, TURN_QUESTION);
	assert_int_equal(b->turns[2].type, TURN_QUESTION);
	assert_non_null(b->published);
	assert_memory_equal(b->published, "2026-12-03", 10);
	briefing_free(b);
}

/* RegPK in capitals: "FRAGE JUNG:", "FRAGE DR. RINKE:" ask. */
static void
test_floor_word_and_name_in_capitals_is_a_question(void **state)
{
	const char *html = "<html lang=de><body><h1>Regierungspressekonferenz</h1><div>"
			   "<p>SRS'IN HARTMANN: Guten Tag.</p>"
			   "<p>FRAGE JUNG: Wann?</p>"
			   "<p>FRAGE DR. RINKE: Wo?</p>"
			   "<p>BURGER (AA): Dort.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 4);
	assert_int_equal(b->turns[1].type, TURN_QUESTION);
	assert_int_equal(b->turns[2].type, TURN_QUESTION);
	assert_int_equal(b->nspeakers, 2);
	briefing_free(b);
}

/* Kantei: "[Prime Minister Sato]" and "[Reporter]" in square brackets;
 * "[Laughter]" is a note in the text. EEAS: "Check against delivery!" is
 * not text. */
static void
test_square_bracket_labels_and_exclaimed_boilerplate(void **state)
{
	const char *html = "<html><body><h1>Press Conference by Prime Minister "
			   "SATO Haruki</h1><div>"
			   "<p>Check against delivery!</p>"
			   "<p>[Prime Minister Sato]<br>Today we decided.</p>"
			   "<p>[Laughter] It was a long day.</p>"
			   "<p>[Reporter] How is it funded?</p>"
			   "<p>[Prime Minister Sato] By a budget.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[0].label, "Prime Minister Sato");
	assert_string_equal(b->turns[0].text,
			    "Today we decided.\n\n[Laughter] It was a long day.");
	assert_int_equal(b->turns[1].type, TURN_QUESTION);
	assert_string_equal(b->turns[1].text, "How is it funded?");
	assert_string_equal(b->turns[2].text, "By a budget.");
	briefing_free(b);
}

/* What closes a page is not the last turn's text: a link line, a
 * closing note in brackets in any language, an editor's note in italics;
 * a bracketed "(Laughter.)" in italics stays. */
static void
test_closing_links_notes_and_italic_editor_notes_are_dropped(void **state)
{
	const char *html = "<html lang=pt><body><h1>Entrevista</h1><div>"
			   "<p>JORNALISTA: Oi?</p>"
			   "<p>PRESIDENTE TAVARES: Muito obrigado.</p>"
			   "<p><em>(risos)</em></p>"
			   "<p>(Please also refer to the Chinese portion of the "
			   "transcript.)</p>"
			   "<p>Link to the video: https://example.org/v/1</p>"
			   "<p>(Fin de la rueda de prensa)</p>"
			   "<p><em>Ouça a íntegra da entrevista no canal.</em></p>"
			   "</div></body></html>";
	const char *eu = "<html lang=en><body><h1>Doorstep</h1>"
			 "<div><span>Brussels, 01.12.2026</span></div><div>"
			 "<p>Q. Will it pass?</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 2);
	assert_string_equal(b->turns[1].text, "Muito obrigado.\n\n(risos)");
	briefing_free(b);
	b = parse_str(eu);
	assert_string_equal(b->published, "2026-12-01");
	briefing_free(b);
}

/* "The following is a near-verbatim transcript of ... by NAME, Deputy
 * Spokesman": it names the speaker but is not his text. */
static void
test_note_on_the_transcript_is_not_text(void **state)
{
	const char *html = "<html><body><h1>Daily Press Briefing</h1><div>"
			   "<p>The following is a near-verbatim transcript of "
			   "today's noon briefing by Rafael Ortiz, Deputy Spokesman "
			   "for the Secretary-General.</p>"
			   "<p>Good afternoon.</p><p>Question: Why?</p>"
			   "<p>Deputy Spokesman: Because.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[0].speaker, "Rafael Ortiz");
	assert_string_equal(b->turns[0].text, "Good afternoon.");
	assert_string_equal(b->turns[2].speaker, "Rafael Ortiz");
	briefing_free(b);
}

/* Singapore MFA: no h1, the h2 the <title> holds is the title; a long
 * header line in capitals and the ". . . . ." closing are not text. */
static void
test_h2_title_capitals_header_and_dotted_end(void **state)
{
	const char *html = "<html><head><title>MFA Press Statement: Transcript of "
			   "Minister Dr Lim Wei Ming's Doorstop, 3 December 2026"
			   "</title></head><body><h2>Latest</h2>"
			   "<h2>Transcript of Minister Dr Lim Wei Ming's Doorstop, "
			   "3 December 2026</h2><div>"
			   "<b>TRANSCRIPT OF MINISTER FOR FOREIGN AFFAIRS DR LIM WEI "
			   "MING'S DOORSTOP INTERVIEW WITH THE SINGAPORE MEDIA, "
			   "3 DECEMBER 2026</b><br><br>"
			   "<span>Question</span>:<br>What was discussed?<br><br>"
			   "<span>Minister</span>:<br>Trade.<br><br>. . . . .<br><br>"
			   "MINISTRY OF FOREIGN AFFAIRS<br>SINGAPORE</div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_string_equal(b->title, "Transcript of Minister Dr Lim Wei Ming's "
			    "Doorstop, 3 December 2026");
	assert_string_equal(b->speakers[0].name, "Lim Wei Ming");
	assert_string_equal(b->speakers[0].role, "Minister");
	assert_int_equal(b->nturns, 2);
	assert_int_equal(b->turns[0].type, TURN_QUESTION);
	assert_string_equal(b->turns[1].text, "Trade.");
	briefing_free(b);
}

/* A transcript split in two text blocks around an image is read whole;
 * the article's date line wins over a "latest" strip above the article;
 * JSON-LD's datePublished counts as a meta date. */
static void
test_split_body_and_the_date_nearest_the_title(void **state)
{
	const char *html = "<html lang=en-AU><body>"
			   "<div class=strip><span>28 November 2026</span> <a href=/r>Other</a></div>"
			   "<article><h1>Doorstop interview, Suva</h1>"
			   "<div class=d>2 December 2026</div>"
			   "<div class=part><div class=txt>"
			   "<p>PENNY MORGAN: Good morning. I am pleased to be in Suva for my fourth visit.</p>"
			   "<p>JOURNALIST: Minister, how much is the new package worth to the region?</p>"
			   "<p>PENNY MORGAN: It is $120 million over four years, delivered with partners.</p>"
			   "</div></div><div class=part><img src=x.jpg></div>"
			   "<div class=part><div class=txt>"
			   "<p>JOURNALIST: Is this a response to the offers of other countries?</p>"
			   "<p>PENNY MORGAN: It is a response to what the Pacific has asked of us.</p>"
			   "</div></div></article></body></html>";
	const char *ld = "<html><head><script type=\"application/ld+json\">"
			 "{\"@type\":\"NewsArticle\",\"datePublished\": "
			 "\"2026-12-02T10:15:00+11:00\"}</script></head><body>"
			 "<div><span>28 November 2026</span></div><h1>T</h1>"
			 "<div><p>MS. KO: Hello there.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 5);
	assert_string_equal(b->published, "2026-12-02");
	briefing_free(b);
	b = parse_str(ld);
	assert_memory_equal(b->published, "2026-12-02", 10);
	briefing_free(b);
}

/* info.gov.hk: the text straight in a <div> between <br>s is the body
 * (not the whole page); "Ends/Tuesday, ..." closes it. */
static void
test_br_separated_div_text_is_the_body(void **state)
{
	const char *html = "<html><body><div id=nav><a href=/>Home</a> | <a href=/tc>TC</a></div>"
			   "<h1>Transcript of remarks by CE</h1><div id=pr>"
			   "Following is the transcript of remarks by the Chief Executive, "
			   "Mr Michael Chan, at a media session today:<br><br>"
			   "Reporter: Chief Executive, the Legislative Council will vote on the "
			   "bill next week. Are you confident?<br><br>"
			   "Chief Executive: The bill is about speeding up the supply of public "
			   "housing, which is what people want.<br><br></div>"
			   "<p class=d>Ends/Tuesday, December 2, 2026<br>Issued at HKT 12:45</p>"
			   "<div class=f>Important notices | Privacy Policy</div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 2);
	assert_string_equal(b->turns[1].speaker, "Michael Chan");
	assert_string_equal(b->turns[1].text, "The bill is about speeding up the "
			    "supply of public housing, which is what people want.");
	briefing_free(b);
}

/* Ministère des Armées: "QUESTION — " and "M. LE MINISTRE — " (spaced
 * dash, capitals); the minister named after "Entretien de" in the title
 * is not "de Paul Girard"; "LE MINISTRE" is his office. */
static void
test_spaced_dash_labels_and_office_with_article(void **state)
{
	const char *html = "<html lang=fr><body><h1>Entretien de Paul Girard, "
			   "ministre des Armées, au journal « L'Écho »</h1><div>"
			   "<p>QUESTION — Les stocks sont-ils suffisants ?</p>"
			   "<p>M. LE MINISTRE — Nous avons triplé la production.</p>"
			   "</div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 2);
	assert_int_equal(b->turns[0].type, TURN_QUESTION);
	assert_string_equal(b->turns[0].text, "Les stocks sont-ils suffisants ?");
	assert_string_equal(b->turns[1].speaker, "Paul Girard");
	assert_string_equal(b->turns[1].label, "M. LE MINISTRE");
	assert_int_equal(b->nspeakers, 1);
	briefing_free(b);
}

/* Kremlin: the lede names the guest of the title in the third person
 * and is narration; "Москва, Кремль" is a header line. */
static void
test_third_person_lede_and_cyrillic_header_line(void **state)
{
	const char *html = "<html lang=ru><body><h1>Встреча с председателем "
			   "Центрального духовного управления мусульман России "
			   "Рашидом Галиевым</h1><div>"
			   "<p>Владимир Путин встретился с председателем "
			   "Центрального духовного управления мусульман России "
			   "Рашидом Галиевым.</p><p>Москва, Кремль</p>"
			   "<p>В.Путин: Очень рад Вас видеть.</p>"
			   "<p>Р.Галиев: Спасибо.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 2);
	assert_string_equal(b->turns[0].label, "В.Путин");
	assert_int_equal(b->nspeakers, 2);
	briefing_free(b);
}

/* "Preguntarle, presidente: ¿qué le diría ...?" is a sentence that
 * addresses someone, not a name and a role. */
static void
test_one_word_and_a_lower_case_address_is_not_a_label(void **state)
{
	const char *html = "<html lang=es><body><h1>Conferencia</h1><div>"
			   "<p>INTERLOCUTOR: Gracias, presidente.</p>"
			   "<p>Preguntarle, presidente: ¿qué le diría usted?</p>"
			   "<p>PRESIDENTE ANDRÉS MANUEL LÓPEZ OBRADOR: Pues sí.</p>"
			   "</div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 2);
	assert_int_equal(b->turns[0].type, TURN_QUESTION);
	assert_string_equal(b->turns[0].text, "Gracias, presidente.\n\n"
			    "Preguntarle, presidente: ¿qué le diría usted?");
	briefing_free(b);
}

/* GOV.UK: "Chief Scientific Adviser:" is an office (resolved from the
 * summary's "the Chief Scientific Adviser, Professor Sir Ian Crane"), and
 * "Question from Chris Mason, BBC News:" asks, with asker and outlet. */
static void
test_office_phrase_labels_and_question_from(void **state)
{
	const char *html = "<html><head><meta name=description content=\"Prime "
			   "Minister Jane Harlow made remarks, joined by the Chief "
			   "Scientific Adviser, Professor Sir Ian Crane.\"></head>"
			   "<body><h1>PM remarks at press conference</h1><div>"
			   "<p><strong>Prime Minister:</strong></p><p>Good afternoon.</p>"
			   "<p><strong>Chief Scientific Adviser:</strong></p><p>Slide one.</p>"
			   "<p><strong>Question from Chris Mason, BBC News:</strong></p>"
			   "<p>Is it permanent?</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[0].speaker, "Jane Harlow");
	assert_string_equal(b->turns[1].speaker, "Ian Crane");
	assert_int_equal(b->turns[2].type, TURN_QUESTION);
	assert_string_equal(b->turns[2].asker, "Chris Mason");
	assert_string_equal(b->turns[2].outlet, "BBC News");
	briefing_free(b);
}

/* A print or share link, "Back to top" on a line of its own in the
 * body are page controls, not text. */
static void
test_page_control_lines_are_not_text(void **state)
{
	const char *html = "<html><body><h1>Briefing</h1><div>"
			   "<p>MS. KO: Hello.</p><p><a href=#>Print</a></p>"
			   "<p>Share this page</p><p>It is a fine day.</p>"
			   "<p><a href=#top>Back to top</a></p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 1);
	assert_string_equal(b->turns[0].text, "Hello.\n\nIt is a fine day.");
	briefing_free(b);
}

/* Nobody named in the title: "Spokesman:" is the first person who spoke
 * under his name. */
static void
test_spokesman_without_principal_is_the_first_named_speaker(void **state)
{
	const char *html = "<html><body><h1>Daily Press Briefing by the Office of "
			   "the Spokesperson</h1><div>"
			   "<p>STÉPHANE DUJARRIC: Good afternoon.</p>"
			   "<p>Question: Any news?</p>"
			   "<p>Spokesman: None.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[2].speaker, b->turns[0].speaker);
	assert_int_equal(b->nspeakers, 1);
	briefing_free(b);
}

/* Interviews: a bold name and a dash, inside or after the bold; a
 * dateline in capitals before a dash is not a label. */
static void
test_bold_name_and_a_dash_is_a_label(void **state)
{
	const char *html = "<html><body><h1>Interview</h1><div>"
			   "<p>NEW YORK \xe2\x80\x94 The talks go on, the UN said.</p>"
			   "<p><b>WASHINGTON</b> \xe2\x80\x94 The President met them.</p>"
			   "<p><b>Karl Holm \xe2\x80\x94</b> What is the plan?</p>"
			   "<p><b>Anna Berg</b> \xe2\x80\x94 We build.</p>"
			   "<p><b>Important</b> \xe2\x80\x94 this is text.</p>"
			   "</div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 2);
	assert_string_equal(b->turns[0].speaker, "Karl Holm");
	assert_string_equal(b->turns[0].text, "What is the plan?");
	assert_string_equal(b->turns[1].speaker, "Anna Berg");
	assert_string_equal(b->turns[1].text,
			    "We build.\n\nImportant \xe2\x80\x94 this is text.");
	briefing_free(b);
}

/* "Publié le 3 décembre 2026", "Veröffentlicht am 3. Dezember 2026",
 * "2026.12.03" are dates; a title "Briefing – July 5, 2022" is not the
 * date line under it. */
static void
test_dates_after_words_and_year_first_with_dots(void **state)
{
	const char *fr = "<html lang=fr><body><h1>Entretien</h1>"
			 "<p class=d>Publié le 3 décembre 2026</p>"
			 "<div><p>Q - Bonjour ?</p></div></body></html>";
	const char *de = "<html lang=de><body><h1>Interview</h1>"
			 "<p class=d>Veröffentlicht am 3. Dezember 2026</p>"
			 "<div><p>Frage: Wann?</p></div></body></html>";
	const char *ko = "<html lang=en><body><h1>Briefing</h1>"
			 "<p class=d>2026.12.03</p>"
			 "<div><p>Q: When?</p></div></body></html>";
	const char *st = "<html><body><h1>Department Press Briefing \xe2\x80\x93 "
			 "July 5, 2022</h1><p class=date>2022-07-06</p>"
			 "<div><p>MR PRICE: Hello there everyone.</p></div></body></html>";

	(void)state;
	assert_published(fr, "2026-12-03");
	assert_published(de, "2026-12-03");
	assert_published(ko, "2026-12-03");
	assert_published(st, "2022-07-06");
}

/* A cookie notice and a photo credit inside the text container are not
 * text. */
static void
test_cookie_notice_and_photo_credit_in_the_body(void **state)
{
	const char *html = "<html><body><h1>Briefing</h1><div>"
			   "<p>MS. KO: Hello.</p>"
			   "<p>(Photo: Ministry of Foreign Affairs / Ana Ruiz)</p>"
			   "<p>It is a fine day.</p>"
			   "<div class=cc-window><p>This website uses cookies to "
			   "improve your experience. Accept</p></div>"
			   "</div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 1);
	assert_string_equal(b->turns[0].text, "Hello.\n\nIt is a fine day.");
	briefing_free(b);
}

/* A block of "latest news" teasers that outweighs a short transcript is
 * not the body. */
static void
test_latest_news_teasers_are_not_the_body(void **state)
{
	const char *t = "<div class=views-row><h3><a href=/n>Other news</a></h3>"
			"<p>The Secretary General concluded a five-day visit to the "
			"region on Friday, where he met foreign ministers and civil "
			"society representatives to discuss border management.</p></div>";
	char html[4096];
	struct briefing *b;

	snprintf(html, sizeof(html),
		 "<html><body><h1>Press conference</h1><div class=body>"
		 "<p>Elena Varga: Good afternoon, I am back from Chisinau.</p>"
		 "<p>Question: Is there a date for the talks?</p>"
		 "<p>Elena Varga: Not yet, we are working on it.</p></div>"
		 "<div class=\"block-views-blocknews-latest\"><div class=view-content>"
		 "%s%s%s%s</div></div></body></html>", t, t, t, t);
	b = parse_str(html);
	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[0].speaker, "Elena Varga");
	briefing_free(b);
}

/* PCO: "JEAN MANGALUZ/PHILIPPINE STAR:" asks (asker/outlet); "HR/VP:"
 * is not such a label. */
static void
test_reporter_slash_outlet_label_is_a_question(void **state)
{
	const char *html = "<html><body><h1>Press Briefing of Palace Press "
			   "Officer Usec. Claire Castro</h1><div>"
			   "<p>USEC. CASTRO: Good morning.</p>"
			   "<p>JEAN MANGALUZ/PHILIPPINE STAR: Any update on rice?</p>"
			   "<p>USEC. CASTRO: Prices are down.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_int_equal(b->turns[1].type, TURN_QUESTION);
	assert_string_equal(b->turns[1].asker, "JEAN MANGALUZ");
	assert_string_equal(b->turns[1].outlet, "PHILIPPINE STAR");
	assert_string_equal(b->turns[2].speaker, "Claire Castro");
	briefing_free(b);
}

/* "O PRESIDENTE:" — an article before the office — is the president the
 * title names. */
static void
test_article_before_an_office_label(void **state)
{
	const char *html = "<html lang=pt><body><h1>Entrevista do presidente "
			   "Augusto Tavares</h1><div>"
			   "<p>O PRESIDENTE: Bom dia a todos.</p>"
			   "<p>JORNALISTA: Quando?</p>"
			   "<p>O PRESIDENTE: Amanhã.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[0].speaker, "Augusto Tavares");
	assert_int_equal(b->nspeakers, 1);
	briefing_free(b);
}

/* Numbered questions and answers ("Q1:", "A1:", "Question 2:", "A3.");
 * "A 3-year plan" is text. */
static void
test_numbered_questions_and_answers(void **state)
{
	const char *html = "<html><body><h1>Interview with Foreign Minister "
			   "Anna Berg</h1><div>"
			   "<p>Q1: What is the plan?</p><p>A1: We build.</p>"
			   "<p>A 3-year plan is ready.</p>"
			   "<p>Question 2: When?</p><p>A3. Soon.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 4);
	assert_int_equal(b->turns[0].type, TURN_QUESTION);
	assert_string_equal(b->turns[1].speaker, "Anna Berg");
	assert_string_equal(b->turns[1].text, "We build.\n\nA 3-year plan is ready.");
	assert_int_equal(b->turns[2].type, TURN_QUESTION);
	assert_string_equal(b->turns[3].speaker, "Anna Berg");
	briefing_free(b);
}

/* "Moderator (Jane Doe):" is Jane Doe, moderator; "Jens Stoltenberg (NATO
 * Secretary General):" keeps its order. */
static void
test_office_with_the_name_in_brackets(void **state)
{
	const char *html = "<html><body><h1>Panel</h1><div>"
			   "<p>Moderator (Jane Doe): Welcome.</p>"
			   "<p>Jens Stoltenberg (NATO Secretary General): Good.</p>"
			   "<p>Jane Doe: Next.</p></div></body></html>";
	struct briefing *b = parse_str(html);

	(void)state;
	assert_int_equal(b->nturns, 3);
	assert_string_equal(b->turns[0].speaker, "Jane Doe");
	assert_string_equal(b->turns[1].speaker, "Jens Stoltenberg");
	assert_string_equal(b->turns[2].speaker, "Jane Doe");
	assert_int_equal(b->nspeakers, 2);
	assert_string_equal(b->speakers[0].role, "Moderator");
	briefing_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dash_ended_labels_and_answer_letters),
		cmocka_unit_test(test_answer_labels_speak_for_the_principal_of_the_header),
		cmocka_unit_test(test_possessive_is_not_part_of_the_principal),
		cmocka_unit_test(test_initials_labels_resolve_through_the_speaker_key),
		cmocka_unit_test(test_mid_briefing_genitive_initials_and_contents_links),
		cmocka_unit_test(test_irish_offices_resolve_from_the_speakers_line),
		cmocka_unit_test(test_event_names_are_not_people_and_the_byline_speaks),
		cmocka_unit_test(test_text_after_an_end_line_is_dropped),
		cmocka_unit_test(test_logo_heading_is_not_the_title),
		cmocka_unit_test(test_ukrainian_floor_labels_and_dates),
		cmocka_unit_test(test_floor_word_and_name_in_capitals_is_a_question),
		cmocka_unit_test(test_square_bracket_labels_and_exclaimed_boilerplate),
		cmocka_unit_test(test_closing_links_notes_and_italic_editor_notes_are_dropped),
		cmocka_unit_test(test_note_on_the_transcript_is_not_text),
		cmocka_unit_test(test_h2_title_capitals_header_and_dotted_end),
		cmocka_unit_test(test_split_body_and_the_date_nearest_the_title),
		cmocka_unit_test(test_br_separated_div_text_is_the_body),
		cmocka_unit_test(test_spaced_dash_labels_and_office_with_article),
		cmocka_unit_test(test_third_person_lede_and_cyrillic_header_line),
		cmocka_unit_test(test_one_word_and_a_lower_case_address_is_not_a_label),
		cmocka_unit_test(test_office_phrase_labels_and_question_from),
		cmocka_unit_test(test_page_control_lines_are_not_text),
		cmocka_unit_test(test_spokesman_without_principal_is_the_first_named_speaker),
		cmocka_unit_test(test_bold_name_and_a_dash_is_a_label),
		cmocka_unit_test(test_dates_after_words_and_year_first_with_dots),
		cmocka_unit_test(test_cookie_notice_and_photo_credit_in_the_body),
		cmocka_unit_test(test_latest_news_teasers_are_not_the_body),
		cmocka_unit_test(test_reporter_slash_outlet_label_is_a_question),
		cmocka_unit_test(test_article_before_an_office_label),
		cmocka_unit_test(test_numbered_questions_and_answers),
		cmocka_unit_test(test_office_with_the_name_in_brackets),
		cmocka_unit_test(test_dates_after_a_place_with_slashes_and_in_title_brackets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
