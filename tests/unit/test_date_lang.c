/* test_date_lang.c — dates written in French, German, Spanish, Portuguese,
 * Italian, Dutch and Russian (include/date.h), read through the one table
 * per language of daemon/lang.c (include/lang.h) that the transcript rules
 * use too. Each row is an input and what date_format() must print for it,
 * or NULL when it must be refused. */
#include "date.h"
#include "feed.h"
#include "lang.h"
#include "transcript.h"
#include "briefing.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date_test.h"

struct vec {
	const char *in;
	const char *want;
};

/* Check every row; print each mismatch, then fail once if any. */
static void
check(const struct vec *v, size_t n)
{
	struct date_value d;
	char out[DATE_ISO_MAX];
	size_t i, bad = 0;
	int rc;

	for (i = 0; i < n; i++) {
		rc = parse_exact(v[i].in, &d);
		if (!v[i].want) {
			if (rc != -EINVAL) {
				date_format(&d, out);
				printf("  %s: want refused, got %s\n", v[i].in,
				       rc == 0 ? out : "?");
				bad++;
			}
			continue;
		}
		if (rc != 0) {
			printf("  %s: want %s, got %d\n", v[i].in, v[i].want, rc);
			bad++;
			continue;
		}
		date_format(&d, out);
		if (strcmp(out, v[i].want) != 0) {
			printf("  %s: want %s, got %s\n", v[i].in, v[i].want, out);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

#define CHECK(v) check(v, sizeof(v) / sizeof(v[0]))

static void
test_french_rfc822_and_written_dates(void **state)
{
	static const struct vec v[] = {
		{"mer, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Mer., 16 Nov. 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"MER, 16 NOV 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"lun., 05 déc. 2023 09:05:00 +0100", "2023-12-05T08:05:00Z"},
		{"Lun, 05 Dec 2023 09:05:00 +0100", "2023-12-05T08:05:00Z"},
		{"sam., 1 avr. 2023 12:00:00 +0200", "2023-04-01T10:00:00Z"},
		{"dim, 02 avril 2023 12:00 +0200", "2023-04-02T10:00:00Z"},
		{"jeu., 10 août 2023 08:00:00 +0200", "2023-08-10T06:00:00Z"},
		{"jeu., 10 aout 2023 08:00:00 +0200", "2023-08-10T06:00:00Z"},
		{"JEU., 10 AOÛT 2023 08:00:00 +0200", "2023-08-10T06:00:00Z"},
		{"Ven, 17 févr. 2023 18:30:00 +0100", "2023-02-17T17:30:00Z"},
		{"ven, 17 fevr 2023 18:30:00 +0100", "2023-02-17T17:30:00Z"},
		{"mar., 4 juil. 2023 09:00:00 +0200", "2023-07-04T07:00:00Z"},
		{"5 décembre 2023", "2023-12-05"},
		{"5 DÉCEMBRE 2023", "2023-12-05"},
		{"5 decembre 2023", "2023-12-05"},
		{"le 5 déc. 2023", "2023-12-05"},
		{"mercredi 16 novembre 2022", "2022-11-16"},
		{"Mercredi 16 Novembre 2022 à 14:30", "2022-11-16T14:30"},
		{"le 16 novembre 2022 a 14h30", NULL},
		{"1er janvier 2024", "2024-01-01"},
		{"12 janv. 2024", "2024-01-12"},
		{"30 sept. 2023", "2023-09-30"},
		{"31 juin 2023", NULL}, /* June has 30 days */
		{"16 novembres 2022", NULL},
	};

	(void)state;
	CHECK(v);
}

static void
test_german_rfc822_and_written_dates(void **state)
{
	static const struct vec v[] = {
		{"Di, 05 Dez 2023 09:05:00 +0100", "2023-12-05T08:05:00Z"},
		{"Di., 05. Dez. 2023 09:05:00 +0100", "2023-12-05T08:05:00Z"},
		{"DI, 05 DEZ 2023 09:05:00 +0100", "2023-12-05T08:05:00Z"},
		{"Mo, 06 Mär 2023 07:00:00 +0100", "2023-03-06T06:00:00Z"},
		{"Mo, 06 Mrz 2023 07:00:00 +0100", "2023-03-06T06:00:00Z"},
		{"Mo, 06 Marz 2023 07:00:00 +0100", "2023-03-06T06:00:00Z"},
		{"Mi, 16 Nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Mi., 16. Nov. 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Do, 16 Mai 2024 10:00:00 +0200", "2024-05-16T08:00:00Z"},
		{"Fr, 13 Okt 2023 10:00:00 +0200", "2023-10-13T08:00:00Z"},
		{"Sa, 30 Sep 2023 23:59:59 +0200", "2023-09-30T21:59:59Z"},
		{"So, 01 Okt 2023 00:00:00 +0200", "2023-09-30T22:00:00Z"},
		{"Freitag, 3. März 2023", "2023-03-03"},
		{"3. MÄRZ 2023", "2023-03-03"},
		{"3. Maerz 2023", "2023-03-03"},
		{"den 3. Jänner 2023", "2023-01-03"},
		{"am 24. Dezember 2023", "2023-12-24"},
		{"Dienstag, 5. Dezember 2023 09:05", "2023-12-05T09:05"},
		{"am 24. Dezember 2023 um 10:00 Uhr", "2023-12-24T10:00"},
		{"30. Februar 2024", NULL},
		{"Di, 05 Dezembers 2023 09:05:00 +0100", NULL},
	};

	(void)state;
	CHECK(v);
}

static void
test_spanish_rfc822_and_written_dates(void **state)
{
	static const struct vec v[] = {
		{"Mié, 16 Nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"mié., 16 nov. 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"mie, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"MIÉ, 16 NOV 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Mar, 15 Nov 2022 10:00:00 +0100", "2022-11-15T09:00:00Z"},
		{"Sáb, 31 Dic 2022 23:00:00 -0500", "2023-01-01T04:00:00Z"},
		{"sab, 31 dic 2022 23:00:00 -0500", "2023-01-01T04:00:00Z"},
		{"Jue, 12 Ene 2023 08:00:00 -0600", "2023-01-12T14:00:00Z"},
		{"Vie, 04 Ago 2023 08:00:00 -0600", "2023-08-04T14:00:00Z"},
		{"Dom, 03 Sept 2023 08:00:00 -0600", "2023-09-03T14:00:00Z"},
		{"miércoles 16 de noviembre de 2022", "2022-11-16"},
		{"miercoles, 16 de noviembre del 2022", "2022-11-16"},
		{"16 de setiembre de 2021", "2021-09-16"},
		{"el 1 de abril de 2024", "2024-04-01"},
		{"16 de nov. de 2022 10:30", "2022-11-16T10:30"},
		{"16 de noviembre de 2022 a las 10:00", "2022-11-16T10:00"},
		{"de noviembre de 2022", NULL},
		{"Mié, 16 Noviembro 2022 00:38:15 +0100", NULL},
	};

	(void)state;
	CHECK(v);
}

static void
test_portuguese_rfc822_and_written_dates(void **state)
{
	static const struct vec v[] = {
		{"Seg, 24 Set 2018 19:18:49 -0300", "2018-09-24T22:18:49Z"},
		{"seg., 24 set. 2018 19:18:49 -0300", "2018-09-24T22:18:49Z"},
		{"Ter, 05 Dez 2023 09:05:00 -0300", "2023-12-05T12:05:00Z"},
		{"Qua, 16 Nov 2022 00:38:15 -0300", "2022-11-16T03:38:15Z"},
		{"Qui, 17 Nov 2022 00:38:15 -0300", "2022-11-17T03:38:15Z"},
		{"Sex, 10 Fev 2023 17:00:00 -0300", "2023-02-10T20:00:00Z"},
		{"Sáb, 11 Fev 2023 17:00:00 -0300", "2023-02-11T20:00:00Z"},
		{"Dom, 01 Out 2023 09:00:00 -0300", "2023-10-01T12:00:00Z"},
		{"terça-feira, 5 de dezembro de 2023", "2023-12-05"},
		{"Terca-Feira, 5 de Dezembro de 2023", "2023-12-05"},
		{"quarta, 6 de dezembro de 2023", "2023-12-06"},
		{"5 de março de 2025", "2025-03-05"},
		{"5 de marco de 2025", "2025-03-05"},
		{"16 de novembro de 2022 às 10:00", "2022-11-16T10:00"},
		{"1º de maio de 2024", NULL}, /* "º" is not a date word */
		{"5 de dezembros de 2023", NULL},
	};

	(void)state;
	CHECK(v);
}

static void
test_italian_rfc822_and_written_dates(void **state)
{
	static const struct vec v[] = {
		{"Gio, 16 Mar 2023 10:00:00 +0100", "2023-03-16T09:00:00Z"},
		{"gio., 16 mag. 2023 10:00:00 +0200", "2023-05-16T08:00:00Z"},
		{"Ven, 06 Ott 2023 10:00:00 +0200", "2023-10-06T08:00:00Z"},
		{"Sab, 30 Dic 2023 10:00:00 +0100", "2023-12-30T09:00:00Z"},
		{"Lun, 08 Gen 2024 10:00:00 +0100", "2024-01-08T09:00:00Z"},
		{"mer, 19 giu 2024 10:00:00 +0200", "2024-06-19T08:00:00Z"},
		{"mercoledì 16 novembre 2022", "2022-11-16"},
		{"mercoledi 16 novembre 2022", "2022-11-16"},
		{"MERCOLEDÌ 16 NOVEMBRE 2022", "2022-11-16"},
		{"16 settembre 2023", "2023-09-16"},
		{"il 25 aprile 2024", "2024-04-25"},
		{"16 novembre 2022 alle ore 10:00", "2022-11-16T10:00"},
		{"Martedì 4 marzo 2025", "2025-03-04"},
		{"16 novembrè 2022", "2022-11-16"}, /* accents are optional */
		{"16 novembri 2022", NULL},
	};

	(void)state;
	CHECK(v);
}

static void
test_dutch_rfc822_and_written_dates(void **state)
{
	static const struct vec v[] = {
		{"wo, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Wo, 16 Mrt 2022 00:38:15 +0100", "2022-03-15T23:38:15Z"},
		{"ma, 16 okt 2023 10:00:00 +0200", "2023-10-16T08:00:00Z"},
		{"di, 17 okt 2023 10:00:00 +0200", "2023-10-17T08:00:00Z"},
		{"do, 12 okt 2023 10:00:00 +0200", "2023-10-12T08:00:00Z"},
		{"vr, 13 okt 2023 10:00:00 +0200", "2023-10-13T08:00:00Z"},
		{"za, 14 okt 2023 10:00:00 +0200", "2023-10-14T08:00:00Z"},
		{"zo, 15 okt 2023 10:00:00 +0200", "2023-10-15T08:00:00Z"},
		{"woensdag 16 november 2022", "2022-11-16"},
		{"Donderdag 1 februari 2024", "2024-02-01"},
		{"16 maart 2023", "2023-03-16"},
		{"16 mrt. 2023", "2023-03-16"},
		{"1 juli 2023 14:00", "2023-07-01T14:00"},
		{"woensdag 16 november 2022 om 14:00 uur", "2022-11-16T14:00"},
		{"31 augustus 2023", "2023-08-31"},
		{"maart 2023", NULL}, /* no day */
		{"16 maarts 2023", NULL},
	};

	(void)state;
	CHECK(v);
}

static void
test_russian_rfc822_and_genitive_dates(void **state)
{
	static const struct vec v[] = {
		{"Ср, 16 ноя 2022 00:38:15 +0300", "2022-11-15T21:38:15Z"},
		{"ср, 16 нояб. 2022 00:38:15 +0300", "2022-11-15T21:38:15Z"},
		{"Пт, 01 Сен 2023 12:00:00 +0300", "2023-09-01T09:00:00Z"},
		{"Пн, 05 февр. 2024 12:00:00 +0300", "2024-02-05T09:00:00Z"},
		{"5 декабря 2023", "2023-12-05"},
		{"5 дек. 2023", "2023-12-05"},
		{"5 Декабря 2023 г.", "2023-12-05"},
		{"5 ДЕКАБРЯ 2023 года", "2023-12-05"},
		{"среда, 16 ноября 2022", "2022-11-16"},
		{"1 сентября 2023 г. 10:00", "2023-09-01T10:00"},
		{"16 ноября 2022 г. в 10:00", "2022-11-16T10:00"},
		{"19 февраля 2025 года", "2025-02-19"},
		{"9 мая 2024", "2024-05-09"},
		{"ср, 16 ноябрище 2022 10:00 +0300", NULL},
		{"31 ноября 2022", NULL},
	};

	(void)state;
	CHECK(v);
}

/* "mei" (Dutch) and "Mai" (German, French) are both May; "mar" is March in
 * English, Spanish, Portuguese and Italian and Tuesday in French, Spanish
 * and Italian: a weekday only before the day with a month after it. */
static void
test_words_shared_by_languages_read_one_way(void **state)
{
	static const struct vec v[] = {
		{"16 mei 2023", "2023-05-16"},
		{"16 Mai 2023", "2023-05-16"},
		{"16 mai 2023", "2023-05-16"},
		{"16 mar 2023", "2023-03-16"},
		{"Mar 16, 2023", "2023-03-16"},
		{"mar., 15 mar. 2022 10:00:00 +0100", "2022-03-15T09:00:00Z"},
		{"mar 16 mar 2023", "2023-03-16"},
		{"mar, 16 nov 2022 10:00:00 +0100", "2022-11-16T09:00:00Z"},
		{"16 mar mai 2023", NULL}, /* two months */
		{"mei mai", NULL},
		{"dec 16 décembre 2023", NULL},
		{"16 set 2023", "2023-09-16"}, /* es, pt, it: September */
		{"16 dez 2023", "2023-12-16"}, /* de, pt */
		{"16 ago 2023", "2023-08-16"}, /* es, pt, it */
		{"16 out 2023", "2023-10-16"}, /* pt */
		/* "am" is German's "am" before a time, the meridiem after */
		{"am 16 Nov 2022 12:30 am", "2022-11-16T00:30"},
		{"16 Nov 2022 12:30 am", "2022-11-16T00:30"},
		{"16 Nov 2022 12:30 pm", "2022-11-16T12:30"},
		/* "a" is Spanish, but a final letter after a time is a zone */
		{"Tue, 10 Jun 2003 12:00:00 A", "2003-06-10T13:00:00Z"},
		/* the words of two languages do not make one date */
		{"16 de November de 2022", NULL},
		{"le 16 noviembre 2022", NULL},
		{"16 ноября of 2022", NULL},
	};

	(void)state;
	CHECK(v);
	assert_int_equal(lang_month("mei"), 5);
	assert_int_equal(lang_month("mai"), 5);
	assert_int_equal(lang_month("mar"), 3);
	assert_true(lang_weekday("mar"));
	/* no word is two different months in two tables */
	assert_int_equal(lang_date_check(), 0);
}

/* A weekday that does not match the date, or that no table knows, or
 * garbled, never loses the date: the weekday is only skipped. */
static void
test_wrong_or_unknown_weekday_keeps_the_date(void **state)
{
	static const struct vec v[] = {
		/* 16 Nov 2022 was a Wednesday */
		{"Mon, 16 Nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Sun, 16 Nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"dim, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Fr, 16 Nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Foo, 16 Nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Xyzzy, 16 Nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Wedn., 16 Nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Κυρ, 16 Nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"MiÃ©, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		{"Tor, 16-Nov-2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},
		/* not a weekday: a dateline without a time, left alone */
		{"Brussels, 14 March 2025", NULL},
		/* the rest must still be a whole date */
		{"Foo, 16 Bar 2022 10:00:00 +0100", NULL},
		{"Foo, 32 Nov 2022 10:00:00 +0100", NULL},
		{"Foo, Nov 2022 10:00:00 +0100", NULL},
		{"Foo1, 16 Nov 2022 10:00:00 +0100", NULL},
		{"Foo Bar, 16 Nov 2022 10:00:00 +0100", NULL},
	};

	(void)state;
	CHECK(v);
}

/* Words of the tables alone, and ordinary words, are not dates. */
static void
test_random_words_are_not_dates(void **state)
{
	static const struct vec v[] = {
		{"16 banana 2022", NULL},
		{"hello world 2022", NULL},
		{"mardi", NULL},
		{"Mi, Do, Fr", NULL},
		{"Di 05 2023", NULL},
		{"décembre", NULL},
		{"декабря 2023", NULL},
		{"le mer est calme", NULL},
		{"Die Sonne, 16 Uhr", NULL},
		{"so do 2023", NULL},
		{"out of 16 2022", NULL},
		{"terça-feira", NULL},
		{"3 Tage 2023", NULL},
		{"16 дней 2022", NULL},
	};

	(void)state;
	CHECK(v);
}

/* The tables are the transcript rules' too: one lookup for both. */
static void
test_tables_are_shared_with_the_transcript_rules(void **state)
{
	struct transcript_opts o = {.url = "http://x/"};
	struct briefing *b = NULL;
	char *err = NULL;
	static const char html[] =
		"<html><head><title>Persconferentie na de ministerraad van "
		"16 mei 2023</title></head><body><div>"
		"<p>Vraag: Goedemiddag.</p></div></body></html>";

	(void)state;
	assert_int_equal(lang_month("décembre"), 12);
	assert_int_equal(lang_month("decembre"), 12);
	assert_int_equal(lang_month("maart"), 3);
	assert_int_equal(lang_month("mrt"), 3);
	assert_int_equal(lang_month("нояб"), 11);
	assert_int_equal(lang_month("november"), 11);
	assert_int_equal(lang_month("augustus"), 8);
	assert_int_equal(lang_month("monday"), 0);
	assert_true(lang_weekday("seg"));
	assert_true(lang_weekday("woensdag"));
	assert_true(lang_weekday("ср"));
	assert_true(lang_weekday("mie"));
	assert_false(lang_weekday("banana"));
	/* Hungarian and Greek hold feed dates only: not a transcript language */
	assert_int_equal(lang_bit("hu", 2), 0u);
	assert_int_equal(lang_bit("el", 2), 0u);
	assert_true(lang_bit("nl", 2) != 0u);
	/* a Dutch title's date reaches the transcript's record */
	assert_int_equal(transcript_parse(html, strlen(html), &o, &b, &err), 0);
	assert_null(err);
	assert_non_null(b->published);
	assert_string_equal(b->published, "2023-05-16");
	briefing_free(b);
}

/* An RSS feed whose dates are French, German, Portuguese, Russian and
 * garbled: every item keeps its date (feed_parse() -> date_parse()). */
static void
test_feed_items_keep_their_foreign_dates(void **state)
{
	static const char xml[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>"
		"<rss version=\"2.0\"><channel><title>t</title>"
		"<lastBuildDate>Di, 05 Dez 2023 09:05:00 +0100</lastBuildDate>"
		"<item><title>a</title><guid>a</guid>"
		"<pubDate>mer, 16 nov 2022 00:38:15 +0100</pubDate></item>"
		"<item><title>b</title><guid>b</guid>"
		"<pubDate>Seg, 24 Set 2018 19:18:49 -0300</pubDate></item>"
		"<item><title>c</title><guid>c</guid>"
		"<pubDate>ср, 16 нояб. 2022 00:38:15 +0300</pubDate></item>"
		"<item><title>d</title><guid>d</guid>"
		"<pubDate>Xyz, 16 Nov 2022 00:38:15 +0100</pubDate></item>"
		"<item><title>e</title><guid>e</guid>"
		"<pubDate>5 décembre 2023</pubDate></item>"
		"<item><title>f</title><guid>f</guid>"
		"<pubDate>16 banana 2022</pubDate></item>"
		"</channel></rss>";
	static const char *const want[] = {
		"2022-11-15T23:38:15Z", "2018-09-24T22:18:49Z",
		"2022-11-15T21:38:15Z", "2022-11-15T23:38:15Z",
		"2023-12-05T00:00:00Z", NULL,
	};
	struct feed_doc *d = NULL;
	char *err = NULL;
	size_t i;

	(void)state;
	assert_int_equal(feed_parse(xml, sizeof(xml) - 1, NULL, NULL, NULL, &d,
				    &err), 0);
	assert_null(err);
	assert_int_equal(d->nentries, 6);
	for (i = 0; i < 6; i++) {
		if (want[i])
			assert_string_equal(d->entries[i].published, want[i]);
		else
			assert_null(d->entries[i].published);
	}
	assert_string_equal(d->feed.updated, "2023-12-05T08:05:00Z");
	feed_doc_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_french_rfc822_and_written_dates),
		cmocka_unit_test(test_german_rfc822_and_written_dates),
		cmocka_unit_test(test_spanish_rfc822_and_written_dates),
		cmocka_unit_test(test_portuguese_rfc822_and_written_dates),
		cmocka_unit_test(test_italian_rfc822_and_written_dates),
		cmocka_unit_test(test_dutch_rfc822_and_written_dates),
		cmocka_unit_test(test_russian_rfc822_and_genitive_dates),
		cmocka_unit_test(test_words_shared_by_languages_read_one_way),
		cmocka_unit_test(test_wrong_or_unknown_weekday_keeps_the_date),
		cmocka_unit_test(test_random_words_are_not_dates),
		cmocka_unit_test(test_tables_are_shared_with_the_transcript_rules),
		cmocka_unit_test(test_feed_items_keep_their_foreign_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
