/* transcript_label.c — the text rules of the transcript extractor:
 * speaker labels, canonical names, lines that are not turn text, askers.
 * Pure functions over UTF-8 strings (see transcript_int.h).
 */
#include "transcript_int.h"

#include "lang.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- characters and words -------------------------------------------- */

static int
is_upper(const char *s)
{
	return utf8_is_upper(s, 4);
}

static int
is_lower(const char *s)
{
	return utf8_is_lower(s, 4);
}

static int
is_letter(const char *s)
{
	return utf8_is_letter(s, 4);
}

static int
has_lower_n(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (utf8_is_lower(s + i, n - i))
			return 1;
	return 0;
}

/* Lower-case s[0..n) into out (size cap): ASCII, Latin, Greek, Cyrillic. */
static size_t
fold(const char *s, size_t n, char *out, size_t cap)
{
	return utf8_fold(s, n, out, cap);
}

/* A word's key: folded, dots and a trailing possessive or punctuation
 * removed ("Secretary's," -> "secretary", "MR." -> "mr"). */
static void
word_key(const char *w, size_t n, char *out, size_t cap)
{
	char tmp[64];
	size_t i, o = 0, m;

	while (n && strchr(",;:!?\"", w[n - 1]))
		n--;
	if (n >= 2 && (w[n - 2] == '\'') && (w[n - 1] == 's' || w[n - 1] == 'S'))
		n -= 2;
	if (n >= 4 && !memcmp(w + n - 4, "\xe2\x80\x99s", 4))
		n -= 4;
	m = fold(w, n, tmp, sizeof(tmp));
	for (i = 0; i < m && o + 1 < cap; i++)
		if (tmp[i] != '.')
			out[o++] = tmp[i];
	out[o] = 0;
}

/* A word table for binary search: the tables below are kept in strcmp
 * (byte) order, each word once; tx_word_tables_sorted() checks that. */
struct wordset {
	const char *const *v;
	size_t n;
};

static int
in_set(const char *key, const struct wordset *s)
{
	size_t lo = 0, hi = s->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(key, s->v[mid]);
		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int
in_list(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (key[0] == (*list)[0] && !strcmp(key, *list))
			return 1;
	return 0;
}

/* Titles and office words that precede or replace a name. */
static const char *const title_words_v[] = {
	"acting", "adm", "admiral", "adviser", "advisor", "air", "amb",
	"ambassador", "and", "assistant", "attorney", "brigadier", "cabinet",
	"capt", "captain", "chair", "chairman", "chairperson", "chairwoman",
	"chancellor", "chief", "cmdr", "col", "colonel", "commander",
	"commissioner", "coordinator", "counselor", "dame", "defence",
	"defense", "deputy", "director", "dr", "envoy", "eu", "excellency",
	"executive", "federal", "first", "for", "foreign", "gen", "general",
	"gov", "governor", "he", "her", "high", "his", "hon", "honorable",
	"honourable", "host", "house", "hrh", "interpreter", "king", "lady",
	"lieutenant", "lieutenant-general", "lord", "lt", "ltc", "maj",
	"major", "major-general", "marshal", "mayor", "minister", "miss",
	"moderator", "mp", "mr", "mrs", "ms", "mx", "national", "nato", "of",
	"officer", "pentagon", "premier", "president", "press", "prime",
	"prince", "principal", "prof", "professor", "queen", "rep",
	"representative", "right", "rt", "secretary", "secretary-general",
	"security", "sen", "senator", "senior", "sergeant", "sgt", "sir",
	"speaker", "special", "spokesman", "spokesperson", "spokesperson's",
	"spokeswoman", "state", "the", "to", "uk", "un", "under",
	"undersecretary", "us", "vice", "vice-president", "white",
};
static const struct wordset title_words = {
	title_words_v, sizeof(title_words_v) / sizeof(title_words_v[0]),
};

/* Title words that are honorifics, not offices ("Mr. Speaker" names the
 * Speaker; "Mr. Smith" is not an office). */
static const char *const title_words_honorific_v[] = {
	"dame", "dr", "hon", "honorable", "honourable", "lady", "lord", "miss",
	"mr", "mrs", "ms", "mx", "prof", "professor", "rt", "sir", "the",
};
static const struct wordset title_words_honorific = {
	title_words_honorific_v,
	sizeof(title_words_honorific_v) / sizeof(title_words_honorific_v[0]),
};

/* Words that make a phrase an office ("Press Secretary"). */
static const char *const office_words_v[] = {
	"admiral", "adviser", "advisor", "ambassador", "attorney", "captain",
	"chair", "chairman", "chairwoman", "chancellor", "chief", "colonel",
	"commander", "commissioner", "coordinator", "counselor", "director",
	"envoy", "general", "governor", "king", "mayor", "minister",
	"moderator", "officer", "premier", "president", "prince", "queen",
	"representative", "secretary", "secretary-general", "senator",
	"speaker", "spokesman", "spokesperson", "spokeswoman",
};
static const struct wordset office_words = {
	office_words_v, sizeof(office_words_v) / sizeof(office_words_v[0]),
};

static const char *const suffix_words_v[] = {
	"cbe", "cmg", "dbe", "gcmg", "kbe", "kc", "kcmg", "mbe", "mep", "mla",
	"mp", "ms", "msp", "obe", "qc", "td",
};
static const struct wordset suffix_words = {
	suffix_words_v, sizeof(suffix_words_v) / sizeof(suffix_words_v[0]),
};

static const char *const name_suffixes_v[] = {
	"ii", "iii", "iv", "jr", "sr",
};
static const struct wordset name_suffixes = {
	name_suffixes_v, sizeof(name_suffixes_v) / sizeof(name_suffixes_v[0]),
};

static const char *const particles_v[] = {
	"al", "bin", "da", "das", "de", "del", "della", "den", "der", "di",
	"dos", "du", "el", "ibn", "la", "le", "ter", "van", "von", "y",
};
static const struct wordset particles = {
	particles_v, sizeof(particles_v) / sizeof(particles_v[0]),
};

/* Words a paragraph can start with that make "X Y:" a heading or a
 * sentence rather than a speaker label. */
static const char *const label_stop_v[] = {
	"a", "about", "after", "again", "agenda", "all", "also", "an", "and",
	"annex", "answer", "are", "article", "as", "at", "attachment",
	"attachments", "background", "before", "breaking", "but", "by", "can",
	"categories", "category", "caution", "chapter", "contact",
	"copyright", "could", "date", "dates", "delivered", "did", "do",
	"document", "documents", "does", "download", "editor", "editors",
	"email", "event", "example", "examples", "fax", "figure", "filed",
	"finally", "first", "follow", "for", "from", "further", "her", "here",
	"his", "how", "however", "i", "if", "image", "important", "in", "is",
	"it", "its", "just", "key", "keywords", "language", "languages",
	"last", "latest", "let", "lets", "link", "links", "listen",
	"location", "main", "may", "meanwhile", "might", "more", "must", "my",
	"next", "no", "not", "note", "notes", "now", "ok", "okay", "on",
	"one", "other", "others", "our", "over", "paragraph", "part", "phone",
	"photo", "photos", "please", "posted", "previous", "print",
	"published", "re", "read", "related", "second", "section", "see",
	"share", "she", "should", "sign", "so", "some", "source", "sources",
	"step", "subject", "subscribe", "summary", "table", "tags", "tel",
	"thank", "thanks", "that", "their", "then", "there", "these", "they",
	"third", "this", "three", "time", "title", "to", "today", "tomorrow",
	"topic", "topics", "transcript", "two", "under", "update", "updated",
	"venue", "very", "video", "warning", "was", "watch", "we", "well",
	"were", "what", "when", "where", "who", "why", "will", "with",
	"would", "yes", "yesterday", "you", "your",
};
static const struct wordset label_stop = {
	label_stop_v, sizeof(label_stop_v) / sizeof(label_stop_v[0]),
};

static const char *const floor_labels_v[] = {
	"audience", "audience member", "correspondent", "follow-up",
	"followup", "journalist", "media", "off mic", "off-mic",
	"participant", "press", "q", "question", "questioner", "questions",
	"reporter", "unidentified journalist", "unidentified reporter",
	"voice",
};
static const struct wordset floor_labels = {
	floor_labels_v, sizeof(floor_labels_v) / sizeof(floor_labels_v[0]),
};

int
tx_word_tables_sorted(void)
{
	static const struct wordset *const all[] = {
		&title_words, &office_words, &suffix_words, &name_suffixes,
		&particles, &label_stop, &floor_labels, &title_words_honorific,
	};
	size_t i, j;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		for (j = 1; j < all[i]->n; j++)
			if (strcmp(all[i]->v[j - 1], all[i]->v[j]) >= 0)
				return 0;
	return 1;
}

/* ---- whitespace ------------------------------------------------------- */

/* The length of a space or zero-width character at t[0..rem), or 0 when
 * t[0] starts anything else; *sp: it is a space (not zero-width). */
static size_t
fold_skip(const unsigned char *p, size_t rem, int *sp)
{
	*sp = 1;
	if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		return 1;
	if (rem >= 2 && p[0] == 0xC2 && (p[1] == 0xA0 || p[1] == 0x85))
		return 2;
	if (rem >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
	    (p[2] <= 0x8A || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
		return 3;
	if (rem >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	if (rem >= 3 && p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
		return 3;
	*sp = 0;
	if (rem >= 2 && p[0] == 0xC2 && p[1] == 0xAD)
		return 2;
	if (rem >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x8B &&
	    p[2] <= 0x8D)
		return 3;
	if (rem >= 3 && p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0xA0)
		return 3;
	if (rem >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		return 3;
	return 0;
}

/* Are p[0..8) printable ASCII, with no space first or last and no two
 * spaces together? Then tx_fold() copies them unchanged. */
static int
fold_plain8(const unsigned char *p)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t high = UINT64_C(0x8080808080808080);
	const uint64_t low7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
	uint64_t x, t, sp;

	memcpy(&x, p, 8);
	if (x & high)
		return 0; /* not ASCII */
	if ((x - ones * 0x20) & ~x & high)
		return 0; /* a control character */
	t = x ^ (ones * 0x20);
	sp = ~(((t & low7) + low7) | t) & high; /* 0x80 in each space */
	return !(sp & (sp << 8)) && !(sp & UINT64_C(0x8000000000000080));
}

/* One pass, writing straight into the buffer: the output is never longer
 * than the input plus one pending space, so it is grown once. */
int
tx_fold(struct buf *out, const char *t, size_t len, int *space)
{
	const unsigned char *u = (const unsigned char *)t;
	size_t i = 0, skip;
	char *o, *o0;
	int sp;

	if (len == 0)
		return 0;
	if (buf_grow(out, len + 1) < 0)
		return -ENOMEM;
	o0 = out->data;
	o = o0 + out->len;
	while (i < len) {
		if (u[i] <= ' ' || u[i] >= 0xC2) {
			skip = fold_skip(u + i, len - i, &sp);
			if (skip) {
				if (sp)
					*space = 1;
				i += skip;
				continue;
			}
		}
		if (*space && o > o0 && o[-1] != ' ')
			*o++ = ' ';
		*space = 0;
		*o++ = (char)u[i++];
		/* o[-1] is not a space here: what follows is copied as it is
		 * while it is plain bytes and single ASCII spaces between
		 * them, eight bytes at a time where it can be */
		for (;;) {
			while (i + 8 <= len && fold_plain8(u + i)) {
				memcpy(o, u + i, 8);
				o += 8;
				i += 8;
			}
			while (i < len && u[i] > ' ' && u[i] < 0xC2)
				*o++ = (char)u[i++];
			if (i + 1 < len && u[i] == ' ' && u[i + 1] > ' ' &&
			    u[i + 1] < 0xC2) {
				*o++ = ' ';
				i++;
				continue;
			}
			break;
		}
	}
	out->len = (size_t)(o - o0);
	o0[out->len] = '\0';
	return 0;
}

void
tx_rtrim(struct buf *b)
{
	while (b->len && b->data[b->len - 1] == ' ')
		b->data[--b->len] = 0;
}

/* ---- lines that are not turn text ------------------------------------- */

static int
is_timestamp(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, d++;
	if (d < 1 || d > 2 || i >= n || (s[i] != ':' && s[i] != '.'))
		return 0;
	i++;
	for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		d++;
	if (d != 2)
		return 0;
	/* the rest: am/pm and a zone, letters, dots and spaces only */
	for (d = 0; i < n; i++, d++)
		if (!(s[i] == ' ' || s[i] == '.' || s[i] == '(' ||
		      s[i] == ')' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return d <= 16;
}

/* A cookie notice that landed in the text ("This website uses cookies
 * ... Accept"). */
static int
cookie_notice(const char *t, size_t len)
{
	char key[400];

	fold(t, len, key, sizeof(key));
	return strstr(key, "cookie") &&
	       (strstr(key, "accept") || strstr(key, "this site") ||
		strstr(key, "this website") || strstr(key, "our website") ||
		strstr(key, "we use") || strstr(key, "privacy policy") ||
		strstr(key, "utilise des cookies") ||
		strstr(key, "utiliza cookies") || strstr(key, "verwendet cookies") ||
		strstr(key, "verwenden cookies"));
}

/* A photo caption or credit line: "Photo: ...", "(Photo: ...)",
 * "Foto: ...", "Фото: ...", "Image: ...", "Credit: ...". */
static int
caption_line(const char *t, size_t len)
{
	static const char *const v[] = {
		"photo:", "photo :", "photos:", "foto:", "fotos:", "image:",
		"credit:", "photo credit:", "crédit photo", "pie de foto",
		"\xd1\x84\xd0\xbe\xd1\x82\xd0\xbe:", /* фото: */
		"video:", "vídeo:", "vidéo :", "vidéo:", NULL,
	};
	char key[32];
	size_t i, a = t[0] == '(' || t[0] == '[';

	if (len < 8 || len > 160)
		return 0;
	fold(t + a, len - a < 24 ? len - a : 24, key, sizeof(key));
	for (i = 0; v[i]; i++)
		if (!strncmp(key, v[i], strlen(v[i])))
			return 1;
	return 0;
}

/* "Link to the video: https://...", "https://..." alone: a link line. */
static int
url_line(const char *t, size_t len)
{
	const char *u = NULL, *p;
	size_t i;

	for (p = t; p + 8 <= t + len; p++)
		if (!strncmp(p, "http://", 7) || !strncmp(p, "https://", 8)) {
			u = p;
			break;
		}
	if (!u || len > 300)
		return 0;
	for (i = (size_t)(u - t); i < len; i++)
		if (t[i] == ' ')
			return 0; /* text after the address */
	if (u == t)
		return 1;
	for (p = u; p > t && p[-1] == ' '; p--)
		;
	return p > t && p[-1] == ':' && p - t <= 48;
}

int
tx_is_skip_line(const char *t, size_t len)
{
	static const char *const exact[] = {
		"###", "# # #", "end", "ends", "end transcript",
		"as delivered", "as prepared for delivery", "as prepared",
		"check against delivery", "as written", "***", "* * *",
		"\xe2\x80\x94", "-", "", "transcript", "begin transcript",
		"as delivered on", "check against delivery", "end of transcript",
		"the briefing was concluded",
		/* page controls that land in the text as a line of their
		 * own: a print or share link, "back to top" */
		"print", "print this page", "print page", "share",
		"share this page", "share this article", "back to top",
		"top of page", "page top", "to top", "download pdf",
		"download", "copy link", "read more",
		"imprimir", "imprimer", "drucken", "compartir", "partager",
		"teilen", "stampa", "condividi", NULL,
	};
	char key[96];
	size_t a = 0, b = len, n;
	int paren;

	paren = len > 2 && t[0] == '(' && t[len - 1] == ')';
	if (len < 400 && cookie_notice(t, len))
		return 1;
	if (len > 160)
		return 0;
	if (caption_line(t, len))
		return 1;
	if (len >= 3 && len <= 16) {
		n = fold(t, len, key, sizeof(key));
		if (strspn(key, "-=~_*#. o0\xe2\x80\x93\x94") == n &&
		    strspn(key, "-=~_*#\xe2\x80\x93\x94") >= 2)
			return 1; /* "--ooOoo--", "-0-" */
	}
	while (a < b && strchr("([*- \xe2\x80\x94", t[a]))
		a++;
	for (;;) {
		if (b > a && strchr(")]*-.! ", t[b - 1]))
			b--;
		else if (b >= a + 3 && !memcmp(t + b - 3, "\xe2\x80\xa6", 3))
			b -= 3; /* "E&OE……………" */
		else
			break;
	}
	if (is_timestamp(t + a, b - a))
		return 1;
	n = fold(t + a, b - a, key, sizeof(key));
	if (n + 3 >= sizeof(key))
		return 0;
	if (in_list(key, exact) || lang_boilerplate(key))
		return 1;
	if (url_line(t, len))
		return 1;
	/* "(Please also refer to the Chinese portion of the transcript.)" */
	if (paren && (!strncmp(key, "please refer", 12) ||
		      !strncmp(key, "please also refer", 17) ||
		      !strncmp(key, "see also", 8) ||
		      !strncmp(key, "with video", 10) ||
		      !strncmp(key, "with photo", 10)))
		return 1;
	/* "(Fin de la rueda de prensa)", "(End of the briefing)" */
	if (paren && (!strncmp(key, "fin ", 4) || !strncmp(key, "end of ", 7) ||
		      !strncmp(key, "fine ", 5) ||
		      !strncmp(key, "\xd0\xba\xd0\xbe\xd0\xbd\xd0\xb5\xd1\x86", 10) ||
		      !strncmp(key, "encerra", 7) || !strncmp(key, "ende ", 5)))
		return 1;
	if (paren && (strstr(key, "conclud") || strstr(key, "adjourn") ||
		      strstr(key, " ended at") || strstr(key, "began at") ||
		      strstr(key, "briefing ended") ||
		      strstr(key, "whereupon")))
		return 1;
	return !strncmp(key, "the briefing was concluded", 26) ||
	       !strncmp(key, "the briefing concluded", 22);
}

int
tx_is_end_line(const char *t, size_t len)
{
	static const char *const v[] = {
		"end", "ends", "end transcript", "end of transcript",
		"concludes", "###", "# # #", "-30-", "/end/", "fin", NULL,
	};
	char key[64];
	size_t a = 0, b = len, stars = 0, i;

	if (len == 0 || len > 48)
		return 0;
	for (i = 0; i < len; i++)
		stars += t[i] == '*';
	if (stars >= 4 && strspn(t, "* ") == len)
		return 1; /* "* * * * *" (three stars part sections) */
	for (i = stars = 0; i < len; i++)
		stars += t[i] == '.';
	if (stars >= 4 && strspn(t, ". ") == len)
		return 1; /* ". . . . ." (Singapore MFA) */
	while (a < b && strchr("([- ", t[a]))
		a++;
	while (b > a && strchr(")]-. ", t[b - 1]))
		b--;
	if (b - a >= sizeof(key) - 4)
		return 0;
	fold(t + a, b - a, key, sizeof(key));
	if (!strncmp(key, "ends/", 5) || !strncmp(key, "end/", 4))
		return 1; /* "Ends/Tuesday, December 2, 2026" */
	return in_list(key, v) || !strcmp(key, "###") ||
	       (len <= 8 && !strncmp(t, "-30-", 4));
}

int
tx_is_header_line(const char *t, size_t len)
{
	char key[64];
	size_t i, n, up = 0;
	const char *colon = memchr(t, ':', len < 48 ? len : 48);

	if (colon && colon > t) {
		n = (size_t)(colon - t);
		while (n && t[n - 1] == ' ')
			n--;
		fold(t, n, key, sizeof(key));
		if (n < sizeof(key) - 4 &&
		    (lang_has(LANG_ALL, LANG_FIELD, key) ||
		     in_set(key, &label_stop)))
			return 1;
	}
	{
		/* "The following is a near-verbatim transcript of ...": the
		 * page's note on the text, not the text */
		static const char *const note[] = {
			"the following is a", "the following is the",
			"following is a transcript", "below is a transcript",
			"below is the transcript", "this is a transcript",
			"this is an edited transcript", "this is a rush transcript",
			"this transcript has been", NULL,
		};
		size_t j;

		fold(t, len < 40 ? len : 40, key, sizeof(key));
		for (j = 0; note[j]; j++)
			if (!strncmp(key, note[j], strlen(note[j])))
				return 1;
	}
	if (len > 120) {
		/* a long line in capitals: "TRANSCRIPT OF MINISTER FOR
		 * FOREIGN AFFAIRS DR LIM WEI MING'S DOORSTOP INTERVIEW ..." */
		if (len > 300)
			return 0;
		for (i = 0; i < len; i++)
			if (is_lower(t + i))
				return 0;
		return 1;
	}
	/* "Prime Minister, the Hon Peter Lawson MP": a short line that
	 * ends without punctuation names, it does not speak */
	if (len < 100 && len > 0 && !strchr(".!?:;\")", t[len - 1]) &&
	    !(len >= 3 && (unsigned char)t[len - 3] == 0xE2) &&
	    (!((unsigned char)t[len - 1] >= 0x80) ||
	     /* a letter of two bytes (Cyrillic, accented Latin): "Москва,
	      * Кремль"; not CJK, whose sentences end in ideographs */
	     (len >= 2 && (unsigned char)t[len - 2] >= 0xC3 &&
	      (unsigned char)t[len - 2] <= 0xDF)))
		return 1;
	for (i = 0; i < len; i++) {
		if (is_lower(t + i))
			return 0;
		up += is_upper(t + i);
	}
	return up >= 4;
}

int
tx_is_interpreter_note(const char *t, size_t len)
{
	char key[96];

	if (len < 3 || len > 90)
		return 0;
	fold(t, len, key, sizeof(key));
	return strstr(key, "interpret") || strstr(key, "translat") ||
	       strstr(key, "spoke in ") || strstr(key, "speaks in ");
}

size_t
tx_interpreter_note(const char *t, size_t len)
{
	const char *e;
	size_t n;

	if (len < 3 || (t[0] != '(' && t[0] != '['))
		return 0;
	e = memchr(t, t[0] == '(' ? ')' : ']', len < 90 ? len : 90);
	if (!e)
		return 0;
	n = (size_t)(e - t) + 1;
	if (!tx_is_interpreter_note(t + 1, n - 2))
		return 0;
	while (n < len && (t[n] == ' ' || t[n] == '.' || t[n] == ':'))
		n++;
	return n;
}

/* ---- labels ------------------------------------------------------------ */

static int
is_floor(const char *s, size_t n, const char *extra_q)
{
	char key[64];
	const char *p;

	if (n == 0 || n >= 48)
		return 0;
	fold(s, n, key, sizeof(key));
	while (strlen(key) && key[strlen(key) - 1] == '.')
		key[strlen(key) - 1] = 0;
	if (in_set(key, &floor_labels) || lang_has(LANG_ALL, LANG_FLOOR, key) ||
	    lang_floor_suffix(key))
		return 1;
	if (!memchr(key, ' ', strlen(key)) &&
	    lang_has_typo(LANG_ALL, LANG_FLOOR, key))
		return 1;
	for (p = extra_q; p && *p;) {
		size_t m = strcspn(p, "|");

		if (m == n && !strncasecmp(p, s, n))
			return 1;
		p += m + (p[m] == '|');
	}
	return 0;
}

/* Answer labels: the reply of the page's principal speaker ("A:",
 * "R - ", "Ответ:"). Folded. */
static int
is_answer(const char *s, size_t n)
{
	static const char *const v[] = {
		"a", "r", "answer", "antwort", "reponse", "r\xc3\xa9ponse",
		"respuesta", "resposta", "risposta",
		"\xd0\xbe\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82", /* ответ */
		"\xd0\xbe", /* о */
		"\xe7\xad\x94", /* 答 */
		NULL,
	};
	char key[64];

	if (n == 0 || n >= 24)
		return 0;
	fold(s, n, key, sizeof(key));
	return in_list(key, v);
}

/* One-letter labels: "Q", "P" (pregunta), "В" (вопрос) ask; "A", "R",
 * "О" answer. Only with a separator after them (see letter_label). */
static enum tx_label_kind
letter_kind(const char *s, size_t n)
{
	static const char *const q[] = {"q", "p", "\xd0\xb2", NULL};
	char key[8];

	if (n == 0 || n > 2 || utf8_len(s, n) != n || !is_upper(s))
		return TXL_NONE;
	fold(s, n, key, sizeof(key));
	if (in_list(key, q))
		return TXL_QUESTION;
	return is_answer(s, n) ? TXL_STATEMENT : TXL_NONE;
}

/* A dash that ends a label: "-", "–", "—"; its width, else 0. */
static size_t
dash_at(const char *t, size_t len, size_t i)
{
	if (i < len && t[i] == '-')
		return 1;
	if (i + 2 < len && (unsigned char)t[i] == 0xE2 &&
	    (unsigned char)t[i + 1] == 0x80 &&
	    ((unsigned char)t[i + 2] == 0x93 || (unsigned char)t[i + 2] == 0x94))
		return 3;
	return 0;
}

/* A time code: [H]H:MM[:SS] (optionally ".f"), nothing else. */
static int
is_time_code(const char *s, size_t n)
{
	size_t i = 0, d, parts = 0;

	while (i < n) {
		for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			d++;
		if (d == 0 || d > 2 + (parts == 0))
			return 0;
		parts++;
		if (i < n && s[i] == '.' && parts >= 2) {
			for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				;
			break;
		}
		if (i < n && s[i] != ':')
			return 0;
		if (i < n)
			i++;
	}
	return i == n && parts >= 2 && parts <= 3;
}

/* Words of any table that may stand inside an office phrase or before a
 * name: titles, offices, honorifics, connectors, particles. */
static int
is_office_key(const char *key)
{
	return in_set(key, &office_words) ||
	       lang_has(LANG_ALL, LANG_OFFICE, key);
}

static int
is_title_key(const char *key)
{
	return in_set(key, &title_words) || is_office_key(key) ||
	       lang_has(LANG_ALL, LANG_HONORIFIC, key);
}

static int
is_joiner_key(const char *key)
{
	return in_set(key, &particles) || lang_has(LANG_ALL, LANG_CONNECT, key);
}

/* "В.Путин", "J.Smith": an initial, a dot and a capitalised name in one
 * word. Returns the length of "В." (the split point), else 0. */
static size_t
glued_initial(const char *w, size_t n)
{
	size_t k = utf8_len(w, n);

	if (k + 2 < n && is_upper(w) && w[k] == '.' && is_upper(w + k + 1) &&
	    has_lower_n(w + k + 1, n - k - 1))
		return k + 1;
	return 0;
}

/* A news organisation as the label of a question ("AFP", "Bloomberg",
 * "China Daily", "Phoenix TV"): one of the table's outlets, or a label
 * ending in an outlet word (News, TV, Daily, Times, Agency, ...). */
static int
is_outlet_label(const char *c, size_t n)
{
	char key[64];
	size_t b;

	if (n == 0 || n >= sizeof(key) - 4)
		return 0;
	fold(c, n, key, sizeof(key));
	if (lang_has(LANG_ALL, LANG_OUTLET, key))
		return 1;
	for (b = n; b > 0 && c[b - 1] != ' '; b--)
		;
	if (b == 0)
		return 0;
	fold(c + b, n - b, key, sizeof(key));
	return lang_has(LANG_ALL, LANG_OUTLET_WORD, key) && is_upper(c);
}

/* Words that take a number to name a person: "Speaker 1", "Guest 2". */
static int
is_person_word(const char *key)
{
	static const char *const v[] = {
		"speaker", "person", "guest", "panelist", "panellist",
		"interviewer", "interviewee", "respondent", "caller", "voice",
		"participant", "man", "woman", "male", "female", "unknown",
		"unidentified", "sprecher", "sprecherin", "teilnehmer",
		"teilnehmerin", "orador", "oradora", "participante",
		"intervenant", "intervenante", "участник", "спикер",
		"interlocutor", "interlocutora", NULL,
	};

	return in_list(key, v) || lang_has(LANG_ALL, LANG_FLOOR, key);
}

/* "Frage Jung", "Zusatzfrage Keller", "Journalist Smith": a floor word
 * of four letters or more and the asker's name (one or two capitalised
 * words). */
static int
floor_and_name(const char *c, size_t n)
{
	char key[64];
	size_t e, words = 1, i;

	for (e = 0; e < n && c[e] != ' '; e++)
		;
	if (e == n || e < 4 || e >= sizeof(key))
		return 0;
	fold(c, e, key, sizeof(key));
	if (!lang_has(LANG_ALL, LANG_FLOOR, key) &&
	    !in_set(key, &floor_labels))
		return 0;
	for (i = e + 1; i < n; i++)
		if (c[i] == ' ') {
			words++;
			if (!is_upper(c + i + 1))
				return 0;
		}
	for (i = e + 1; i < n && c[i] != ' '; i++)
		;
	fold(c + e + 1, i - e - 1, key, sizeof(key));
	if (key[0] && key[strlen(key) - 1] == '.')
		key[strlen(key) - 1] = 0;
	if (is_title_key(key) && !lang_has(LANG_ALL, LANG_HONORIFIC, key))
		return 0; /* "Press Secretary"; "Frage Dr. Rinke" asks */
	/* "FRAGE JUNG": all in capitals, as the floor word is */
	return words <= 3 && is_upper(c + e + 1) &&
	       (has_lower_n(c + e + 1, n - e - 1) || !has_lower_n(c, n));
}

/* "JEAN MANGALUZ/PHILIPPINE STAR": a reporter's name (two words or more),
 * a slash and the outlet, capitalised: a question from the floor ("HR/VP"
 * is an office). */
static int
name_slash_outlet(const char *c, size_t n)
{
	const char *sl = memchr(c, '/', n);
	size_t a, i, words;

	if (!sl || memchr(sl + 1, '/', n - (size_t)(sl + 1 - c)) || n > 80)
		return 0;
	a = (size_t)(sl - c);
	if (a < 3 || a + 2 >= n || c[a - 1] == ' ' || !is_upper(c) ||
	    !is_upper(sl + 1))
		return 0;
	for (i = 0, words = 1; i < a; i++) {
		if (c[i] == ' ') {
			words++;
			if (i + 1 < a && !is_upper(c + i + 1))
				return 0;
		} else if (strchr(";:!?\"()[]", c[i]) ||
			   (c[i] >= '0' && c[i] <= '9')) {
			return 0;
		}
	}
	return words >= 2 && words <= 4;
}

/* Is c[0..n) a speaker label? Accepted: a name ("Jen Psaki", "MS. PSAKI",
 * "В.Путин", "毛宁"), a name with a role in brackets or after a comma, an
 * office phrase of any length before a name ("SECRETARY OF DEFENSE LLOYD
 * J. AUSTIN III", "PRESIDENTA DE MÉXICO, CLAUDIA SHEINBAUM PARDO"), a bare
 * role ("PRIME MINISTER", "PM"), "Speaker 1". Refused: sentences (a
 * lower-case word that is not a connector, sentence punctuation), field
 * names and headings ("Subjects", "Note", "Update", "Location"), and
 * unmarked runs of more than six words. A time code in brackets after the
 * name ("Speaker 1 (00:00)") is not a role: l->time_* get it. Fills l's
 * name and role parts (offsets relative to c). */
static enum tx_label_kind
label_ok(const char *c, size_t n, int bold, const char *extra_q,
	 unsigned lang, struct tx_label *l)
{
	size_t nl = n, i, w, words = 0, kl;
	int lower = 0, letters = 0, office = 0, commas = 0, digits = 0;
	int numbered_ok = 0;
	char key[64];

	if (n == 0 || n > 200)
		return TXL_NONE;
	l->role_off = l->role_len = 0;
	if (c[n - 1] == ')' || c[n - 1] == ']') {
		char open = c[n - 1] == ')' ? '(' : '[';

		for (i = n - 1; i > 0 && c[i] != open; i--)
			;
		if (c[i] != open || i == 0)
			return TXL_NONE;
		if (is_time_code(c + i + 1, n - 1 - (i + 1))) {
			l->time_off = i + 1;
			l->time_len = n - 1 - (i + 1);
		} else {
			l->role_off = i + 1;
			l->role_len = n - 1 - (i + 1);
		}
		nl = i;
		while (nl && c[nl - 1] == ' ')
			nl--;
	}
	l->name_len = nl;
	if (nl == 0)
		return TXL_NONE;
	if (is_floor(c, nl, extra_q))
		return TXL_QUESTION;
	if (is_answer(c, nl) && (l->answer = 1))
		return TXL_STATEMENT;
	if (name_slash_outlet(c, nl))
		return TXL_QUESTION;
	if (floor_and_name(c, nl) || is_outlet_label(c, nl)) {
		l->outlet = is_outlet_label(c, nl);
		return TXL_QUESTION;
	}
	fold(c, nl, key, sizeof(key));
	if (nl < sizeof(key) - 4 && lang_has(lang, LANG_FIELD, key))
		return TXL_NONE;
	for (i = 0; i < nl; i++) {
		unsigned char ch = (unsigned char)c[i];

		/* CJK and full-width punctuation: a sentence */
		if ((ch == 0xEF && i + 1 < nl && (unsigned char)c[i + 1] == 0xBC) ||
		    (ch == 0xE3 && i + 1 < nl && (unsigned char)c[i + 1] == 0x80))
			return TXL_NONE;
		if (ch >= '0' && ch <= '9')
			digits++;
		else if (strchr(";!?\"()[]/|*#@<>=+", ch))
			return TXL_NONE;
		commas += ch == ',';
		if (is_lower(c + i))
			lower = 1;
		if (is_letter(c + i))
			letters++;
	}
	if (letters < 2 && !(letters == 1 && (unsigned char)c[0] >= 0xE0))
		return TXL_NONE;
	if ((unsigned char)c[0] >= 0xE0) {
		/* a name in a script without spaces: short ("毛宁"), or an
		 * office and a name ("外交部发言人毛宁"); never a clause */
		fold(c, nl, key, sizeof(key));
		if (nl > 36 || lang_has_part(LANG_ALL, LANG_NOT_NAME, key) ||
		    (nl > 12 && !lang_has_part(LANG_ALL, LANG_OFFICE, key)))
			return TXL_NONE;
	}
	for (i = 0; i < nl; i = w) {
		size_t e;

		while (i < nl && c[i] == ' ')
			i++;
		if (i >= nl)
			break;
		for (e = i; e < nl && c[e] != ' '; e++)
			;
		w = e;
		words++;
		word_key(c + i, e - i, key, sizeof(key));
		kl = strlen(key);
		if (words == 1 && (in_set(key, &label_stop) ||
				   lang_has(lang, LANG_FIELD, key)) &&
		    !is_title_key(key))
			return TXL_NONE;
		if (key[0] >= '0' && key[0] <= '9') {
			/* "Speaker 1", "SPEAKER 2": a number after a word for
			 * a person ("Point 3", "Phase 2" are headings) */
			if (words == 1 || kl > 3 || strspn(key, "0123456789") != kl ||
			    !numbered_ok)
				return TXL_NONE;
			continue;
		}
		numbered_ok = is_title_key(key) || is_person_word(key);
		/* "THE FOLLOWING IS A TRANSCRIPT": a clause, whatever its case */
		if (words > 1 && kl > 1 && in_set(key, &label_stop) &&
		    !is_joiner_key(key) &&
		    !is_title_key(key))
			return TXL_NONE;
		if (strpbrk(key, "0123456789"))
			return TXL_NONE;
		if (is_title_key(key))
			office = 1;
		if (lower && !is_upper(c + i) && !is_joiner_key(key) &&
		    !is_title_key(key) && is_lower(c + i))
			return TXL_NONE;
		if (words == 1 && lower && is_lower(c + i))
			return TXL_NONE;
		/* "Thanks." inside: a sentence, not "Mr." or "J." */
		if (e - i >= 6 && c[e - 1] == '.' && !is_title_key(key) &&
		    e < nl)
			return TXL_NONE;
	}
	if (digits > 3)
		return TXL_NONE;
	if (commas) {
		/* "Preguntarle, presidente", "Gracias, señor": one word, a
		 * comma, a lower-case word is an address in a sentence */
		const char *cm = memchr(c, ',', nl);
		size_t k2 = (size_t)(cm - c) + 1;

		while (k2 < nl && c[k2] == ' ')
			k2++;
		if (!memchr(c, ' ', (size_t)(cm - c)) && k2 < nl &&
		    is_lower(c + k2))
			return TXL_NONE;
	}
	if (words == 0 || words > ((office || commas) ? 24u : bold ? 8u : 6u))
		return TXL_NONE;
	if (commas > 3)
		return TXL_NONE;
	return TXL_STATEMENT;
}

static size_t
skip_spaces(const char *t, size_t len, size_t i)
{
	while (i < len && t[i] == ' ')
		i++;
	return i;
}

/* A leading time code: "[00:01:23] ", "(00:01) ", "00:01:23 " before a
 * label. Returns the length to skip, the code in t[*off..*off+*len). */
static size_t
lead_time_code(const char *t, size_t len, size_t *off, size_t *tlen)
{
	size_t i = 0, e;

	if (len && (t[0] == '[' || t[0] == '('))
		i = 1;
	for (e = i; e < len && e < i + 12 &&
		    ((t[e] >= '0' && t[e] <= '9') || t[e] == ':' || t[e] == '.');
	     e++)
		;
	if (e == i || !is_time_code(t + i, e - i))
		return 0;
	*off = i;
	*tlen = e - i;
	if (i) {
		if (e >= len || t[e] != (t[0] == '[' ? ']' : ')'))
			return 0;
		e++;
	} else if (e < len && t[e] != ' ') {
		return 0;
	}
	return skip_spaces(t, len, e);
}

/* The first ':' or full-width '：' in t[0..lim): its offset, and in *w
 * its width; lim when there is none. */
static size_t
find_colon(const char *t, size_t lim, size_t *w)
{
	const char *p = t, *e = t + lim, *c, *f;

	for (;;) {
		c = memchr(p, ':', (size_t)(e - p));
		/* a full-width colon (EF BC 9A) before it? */
		for (f = p; (f = memchr(f, 0xEF, (size_t)((c ? c : e) - f)));
		     f++)
			if (f + 2 < e && (unsigned char)f[1] == 0xBC &&
			    (unsigned char)f[2] == 0x9A) {
				*w = 3;
				return (size_t)(f - t);
			}
		if (!c)
			return lim;
		/* a time code: "(00:14)" */
		if (c > t && c + 1 < e && c[-1] >= '0' && c[-1] <= '9' &&
		    c[1] >= '0' && c[1] <= '9') {
			p = c + 1;
			continue;
		}
		*w = 1;
		return (size_t)(c - t);
	}
}

/* A label in capitals ended by a dash must hold an office, a title or be
 * a floor label: "NEW YORK — The United Nations ..." and "<b>WASHINGTON</b>
 * — ..." are datelines. */
static int
caps_dash_ok(const char *t, size_t n, const struct tx_label *l)
{
	size_t i, w;
	char key[64];

	if (has_lower_n(t, n) || l->kind == TXL_QUESTION || l->answer)
		return 1;
	for (i = 0; i < n; i = w) {
		while (i < n && t[i] == ' ')
			i++;
		for (w = i; w < n && t[w] != ' '; w++)
			;
		if (w == i)
			break;
		word_key(t + i, w - i, key, sizeof(key));
		if (is_title_key(key))
			return 1;
	}
	return 0;
}

/* Numbered questions and answers: "Q1:", "A1:", "Q3.", "Question 2:",
 * "Answer 2:", "Frage 4:". */
static enum tx_label_kind
numbered_qa(const char *t, size_t len, const char *extra_q,
	    struct tx_label *l)
{
	size_t w = 0, d, e, sep;
	enum tx_label_kind k;

	while (w < len && w < 24 && (is_letter(t + w) || t[w] == ' ') &&
	       !(t[w] >= '0' && t[w] <= '9'))
		w += utf8_len(t + w, len - w);
	for (d = w; d < len && d - w < 3 && t[d] >= '0' && t[d] <= '9'; d++)
		;
	if (d == w || d >= len || w == 0)
		return TXL_NONE;
	e = w;
	while (e && t[e - 1] == ' ')
		e--;
	if (e == 0)
		return TXL_NONE;
	if (is_floor(t, e, extra_q))
		k = TXL_QUESTION;
	else if (is_answer(t, e))
		k = TXL_STATEMENT;
	else
		return TXL_NONE;
	if (t[d] == ':' || t[d] == '.' || t[d] == ')')
		sep = 1;
	else if ((sep = dash_at(t, len, d)) == 0)
		return TXL_NONE;
	if (d + sep < len && t[d + sep] != ' ')
		return TXL_NONE;
	l->kind = k;
	l->answer = k == TXL_STATEMENT;
	l->label_len = l->name_len = d;
	l->rest = skip_spaces(t, len, d + sep);
	return k;
}

/* Labels ended by a dash instead of a colon: "Presidente del Gobierno.-"
 * and "P.-" (La Moncloa), "Q - " / "R - " (French ministries), "A :"
 * after one letter, "M. LE MINISTRE — " (a label in capitals before a
 * spaced dash). */
static enum tx_label_kind
dash_label(const char *t, size_t len, const char *extra_q, unsigned lang,
	   struct tx_label *l)
{
	size_t i, n, d, lim = len < 120 ? len : 120;

	/* one letter, spaces, then ':' / '-' / '–' / '—' / ".-" */
	for (n = 1; n < len && n < 3 && ((unsigned char)t[n] & 0xC0) == 0x80;
	     n++)
		;
	if (n < len && letter_kind(t, n) != TXL_NONE) {
		i = skip_spaces(t, len, n);
		if (i < len && t[i] == ':')
			d = 1;
		else if (i < len && t[i] == '.')
			d = dash_at(t, len, i + 1) ? 1 + dash_at(t, len, i + 1) : 0;
		else
			d = dash_at(t, len, i);
		if (d && (i + d == len || t[i + d] == ' ')) {
			l->kind = letter_kind(t, n);
			l->answer = l->kind == TXL_STATEMENT;
			l->label_len = l->name_len = n;
			l->rest = skip_spaces(t, len, i + d);
			return l->kind;
		}
	}
	for (i = 1; i + 1 < lim; i++) {
		size_t e = i;

		if (t[i] == ':')
			return TXL_NONE;
		if (t[i] == '.' && (d = dash_at(t, len, i + 1)) &&
		    (i + 1 + d == len || t[i + 1 + d] == ' '))
			d++; /* "Gobierno.- Buenas", not "U.S.-Thai" */
		else if (t[i] == ' ' && (d = dash_at(t, len, i + 1)) &&
			 i + 1 + d < len && t[i + 1 + d] == ' ' &&
			 !has_lower_n(t, i) &&
			 (memchr(t, ' ', i) || is_floor(t, i, extra_q)))
			d++;
		else
			continue;
		while (e && t[e - 1] == ' ')
			e--;
		if ((l->kind = label_ok(t, e, 0, extra_q, lang, l)) == TXL_NONE ||
		    !caps_dash_ok(t, e, l))
			return l->kind = TXL_NONE;
		l->label_len = e;
		l->rest = skip_spaces(t, len, i + d);
		return l->kind;
	}
	return TXL_NONE;
}

/* "[Prime Minister Sato] text", "[Reporter]" (Kantei), "【Reporter】": a
 * label in square brackets, no colon. Only offices, titles and floor
 * labels: "[Laughter]", "[Provisional Translation]" are notes. */
static enum tx_label_kind
bracket_label(const char *t, size_t len, const char *extra_q, unsigned lang,
	      struct tx_label *l)
{
	size_t o, e, i, w;
	const char *close;
	enum tx_label_kind k;
	char key[64];
	int titled = 0;

	if (len > 3 && t[0] == '[')
		o = 1, close = "]";
	else if (len > 6 && !memcmp(t, "\xe3\x80\x90", 3))
		o = 3, close = "\xe3\x80\x91";
	else
		return TXL_NONE;
	for (e = o; e < len && e < o + 80 && t[e] != close[0]; e++)
		;
	if (e >= len || e == o || strncmp(t + e, close, strlen(close)))
		return TXL_NONE;
	if ((k = label_ok(t + o, e - o, 0, extra_q, lang, l)) == TXL_NONE)
		return TXL_NONE;
	for (i = o; k == TXL_STATEMENT && !l->answer && i < e && !titled; i = w) {
		while (i < e && t[i] == ' ')
			i++;
		for (w = i; w < e && t[w] != ' '; w++)
			;
		word_key(t + i, w - i, key, sizeof(key));
		titled = key[0] && is_title_key(key);
	}
	if (k == TXL_STATEMENT && !l->answer && !titled)
		return TXL_NONE;
	l->kind = k;
	l->label_off = o;
	l->label_len = e - o;
	e += strlen(close);
	e = skip_spaces(t, len, e);
	if (e < len && t[e] == ':')
		e = skip_spaces(t, len, e + 1);
	l->rest = e;
	return k;
}

static enum tx_label_kind label_at(const char *t, size_t len, size_t lead,
				   const char *extra_q, unsigned lang,
				   struct tx_label *l);

enum tx_label_kind
tx_label_parse(const char *t, size_t len, size_t lead, const char *extra_q,
	       struct tx_label *l)
{
	return tx_label_parse_lang(t, len, lead, extra_q, LANG_ALL, l);
}

enum tx_label_kind
tx_label_parse_lang(const char *t, size_t len, size_t lead,
		    const char *extra_q, unsigned lang, struct tx_label *l)
{
	size_t off = 0, tlen = 0, k;
	enum tx_label_kind kind;

	k = lead_time_code(t, len, &off, &tlen);
	if (k == 0 || k >= len)
		return label_at(t, len, lead, extra_q, lang, l);
	kind = label_at(t + k, len - k, lead > k ? lead - k : 0, extra_q, lang,
			l);
	if (kind == TXL_NONE)
		return kind;
	l->label_off += k;
	l->rest += k;
	if (l->time_len)
		l->time_off += k;
	else {
		l->time_off = off;
		l->time_len = tlen;
	}
	return kind;
}

static enum tx_label_kind
label_at(const char *t, size_t len, size_t lead, const char *extra_q,
	 unsigned lang, struct tx_label *l)
{
	size_t n, lim, colon, cw = 1;
	int t_dash = 0;

	memset(l, 0, sizeof(*l));
	if (lead > len)
		lead = len;
	if (lead) {
		n = lead;
		while (n && t[n - 1] == ' ')
			n--;
		if (n && t[n - 1] == ':') {
			l->rest = lead;
			n--;
		} else if (skip_spaces(t, len, lead) < len &&
			   t[skip_spaces(t, len, lead)] == ':') {
			l->rest = skip_spaces(t, len, lead) + 1;
		} else if (n > 4 && dash_at(t, n, n - 1 - (t[n - 1] & 0x80 ? 2 : 0)) &&
			   t[n - 1 - (t[n - 1] & 0x80 ? 3 : 1)] == ' ') {
			/* "<b>Anna Berg —</b> text": a bold label, a dash */
			l->rest = lead;
			n -= (t[n - 1] & 0x80) ? 3 : 1;
			t_dash = 1;
		} else if (skip_spaces(t, len, lead) + 1 < len &&
			   dash_at(t, len, skip_spaces(t, len, lead)) &&
			   t[skip_spaces(t, len, lead) +
			     dash_at(t, len, skip_spaces(t, len, lead))] == ' ') {
			/* "<b>Anna Berg</b> — text" */
			l->rest = skip_spaces(t, len, lead) +
				  dash_at(t, len, skip_spaces(t, len, lead));
			t_dash = 1;
		} else if (skip_spaces(t, len, lead) >= len ||
			   is_floor(t, n, extra_q)) {
			/* a bold line alone: a label only if it looks like one */
			l->rest = lead;
		} else {
			goto text;
		}
		while (n && t[n - 1] == ' ')
			n--;
		l->kind = label_ok(t, n, 1, extra_q, lang, l);
		if (l->kind != TXL_NONE && t_dash && !caps_dash_ok(t, n, l))
			l->kind = TXL_NONE;
		if (l->kind != TXL_NONE) {
			if (l->rest == lead && t[n] != ':' && lead < len &&
			    !t_dash && !is_floor(t, n, extra_q)) {
				l->kind = TXL_NONE; /* bold run-in text */
				goto text;
			}
			l->label_len = n;
			l->rest = skip_spaces(t, len, l->rest);
			return l->kind;
		}
	}
text:
	memset(l, 0, sizeof(*l));
	if (bracket_label(t, len, extra_q, lang, l) != TXL_NONE)
		return l->kind;
	memset(l, 0, sizeof(*l));
	if (numbered_qa(t, len, extra_q, l) != TXL_NONE)
		return l->kind;
	memset(l, 0, sizeof(*l));
	lim = len < 200 ? len : 200;
	colon = find_colon(t, lim, &cw);
	/* "Q  The first: ..." is a question whose text holds a colon */
	if (colon < lim && !(colon > 2 && t[0] == 'Q' && t[1] == ' ')) {
		n = colon;
		while (n && t[n - 1] == ' ')
			n--;
		l->kind = label_ok(t, n, 0, extra_q, lang, l);
		if (l->kind != TXL_NONE) {
			l->label_len = n;
			l->rest = skip_spaces(t, len, colon + cw);
			return l->kind;
		}
	}
	memset(l, 0, sizeof(*l));
	if (dash_label(t, len, extra_q, lang, l) != TXL_NONE)
		return l->kind;
	memset(l, 0, sizeof(*l));
	/* "Q  text" (no colon), "Q." and a bare "Q" / "QUESTION" line */
	if (len >= 1 && t[0] == 'Q' &&
	    (len == 1 || t[1] == ' ' || (t[1] == '.' && (len == 2 ||
							  t[2] == ' ')))) {
		l->kind = TXL_QUESTION;
		l->label_len = l->name_len = 1;
		l->rest = skip_spaces(t, len, t[1] == '.' ? 2 : 1);
		return l->kind;
	}
	if (is_floor(t, len, extra_q) && len > 1) {
		l->kind = TXL_QUESTION;
		l->label_len = l->name_len = len;
		l->rest = len;
	}
	return l->kind;
}

/* ---- people ------------------------------------------------------------ */

struct word {
	const char *s;
	size_t n;
};

#define MAXW 64

static size_t
split_words(const char *s, size_t n, struct word *w, size_t max)
{
	size_t i = 0, k = 0;

	while (i < n && k < max) {
		while (i < n && (s[i] == ' ' || s[i] == '\n'))
			i++;
		if (i >= n)
			break;
		w[k].s = s + i;
		while (i < n && s[i] != ' ' && s[i] != '\n')
			i++;
		w[k].n = (size_t)(s + i - w[k].s);
		k++;
	}
	return k;
}

static int
wkey_in(const struct word *w, const char *const *list)
{
	char key[64];

	word_key(w->s, w->n, key, sizeof(key));
	return in_list(key, list);
}

static int
wkey_in_set(const struct word *w, const struct wordset *set)
{
	char key[64];

	word_key(w->s, w->n, key, sizeof(key));
	return in_set(key, set);
}

static int
wkey_title(const struct word *w)
{
	char key[64];

	word_key(w->s, w->n, key, sizeof(key));
	return lang_has(LANG_ALL, LANG_HONORIFIC, key) ||
	       lang_has(LANG_ALL, LANG_OFFICE, key);
}

static int
wkey_honorific(const struct word *w)
{
	char key[64];

	word_key(w->s, w->n, key, sizeof(key));
	return lang_has(LANG_ALL, LANG_HONORIFIC, key);
}

static int
wkey_office(const struct word *w)
{
	char key[64];

	word_key(w->s, w->n, key, sizeof(key));
	return lang_has(LANG_ALL, LANG_OFFICE, key);
}

static int
wkey_field(const struct word *w)
{
	char key[64];

	word_key(w->s, w->n, key, sizeof(key));
	return lang_has(LANG_ALL, LANG_FIELD, key);
}

static int
wkey_joiner(const struct word *w)
{
	char key[64];

	word_key(w->s, w->n, key, sizeof(key));
	return lang_has(LANG_ALL, LANG_CONNECT, key);
}

/* The surname key of a name: its last word that is not a suffix. */
static void
surname_key(const char *name, char *out, size_t cap)
{
	struct word w[MAXW];
	size_t k = split_words(name, strlen(name), w, MAXW);

	while (k > 1 && wkey_in_set(&w[k - 1], &name_suffixes))
		k--;
	out[0] = 0;
	if (k)
		word_key(w[k - 1].s, w[k - 1].n, out, cap);
}

/* Title-case an ALL-CAPS word run: "JEAN-PIERRE" -> "Jean-Pierre". */
static char *
titlecase(const char *s, size_t n)
{
	char *o = strndup(s, n);
	size_t i, e;

	if (!o)
		return NULL;
	utf8_titlecase(o, n);
	/* "III", "IV": a numeral after a name stays in capitals */
	for (i = 0; i < n; i = e + 1) {
		for (e = i; e < n && o[e] != ' '; e++)
			;
		if (i > 0 && e - i >= 2 && e - i <= 4 &&
		    strspn(o + i, "IiVvXx") >= e - i - (o[e - 1] == '.'))
			for (; i < e; i++)
				if (o[i] >= 'a' && o[i] <= 'z')
					o[i] = (char)(o[i] - 32);
	}
	return o;
}

/* "Emmanuel MACRON" -> "Emmanuel Macron": in a mixed-case name, a word
 * in capitals (two letters or more) is a surname written the French way. */
static void
caps_words_titlecase(char *s)
{
	size_t i = 0, e, n = strlen(s), letters;

	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		for (e = i, letters = 0; e < n && s[e] != ' '; e++)
			letters += utf8_is_upper(s + e, n - e);
		if (letters >= 2 && !has_lower_n(s + i, e - i) &&
		    !(e - i == 2 && s[e - 1] == '.') &&
		    strspn(s + i, "IVX") < e - i)
			utf8_titlecase(s + i, e - i);
		i = e;
	}
}

static int
has_lower(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (is_lower(s + i))
			return 1;
	return 0;
}

int
tx_people_add(struct tx_people *pp, const char *name, const char *role)
{
	char a[64], b[64];
	struct tx_person *v;
	size_t i;

	surname_key(name, a, sizeof(a));
	for (i = 0; i < pp->n; i++) {
		surname_key(pp->v[i].name, b, sizeof(b));
		if (!strcmp(a, b)) {
			if (!pp->v[i].role && role && *role &&
			    !(pp->v[i].role = strdup(role)))
				return -ENOMEM;
			return (int)i;
		}
	}
	v = realloc(pp->v, (pp->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	pp->v = v;
	v[pp->n].name = strdup(name);
	v[pp->n].role = role && *role ? strdup(role) : NULL;
	if (!v[pp->n].name || (role && *role && !v[pp->n].role)) {
		free(v[pp->n].name);
		free(v[pp->n].role);
		return -ENOMEM;
	}
	return (int)pp->n++;
}

void
tx_people_free(struct tx_people *pp)
{
	size_t i;

	for (i = 0; i < pp->n; i++) {
		free(pp->v[i].name);
		free(pp->v[i].role);
	}
	free(pp->v);
	pp->v = NULL;
	pp->n = 0;
}

static int
is_name_word(const struct word *w)
{
	char key[64];

	if (!is_upper(w->s))
		return 0;
	word_key(w->s, w->n, key, sizeof(key));
	if (in_set(key, &title_words) || in_set(key, &label_stop) ||
	    lang_has(LANG_ALL, LANG_OFFICE, key) ||
	    lang_has(LANG_ALL, LANG_FIELD, key))
		return 0;
	if (w->n > 1 && !has_lower(w->s, w->n) && w->s[w->n - 1] != '.')
		return 0; /* acronyms: NATO, UN */
	return 1;
}

static int
is_role_word(const struct word *w)
{
	return is_upper(w->s) || wkey_in_set(w, &title_words);
}

/* Join words [a, b) of w into a malloc'd string, trailing punctuation of
 * the last word dropped. */
static char *
join(const struct word *w, size_t a, size_t b)
{
	size_t n;
	char *s;

	if (a >= b)
		return NULL;
	n = (size_t)(w[b - 1].s + w[b - 1].n - w[a].s);
	while (n && strchr(",;:.", w[a].s[n - 1]) &&
	       !(w[b - 1].n == 2 && w[a].s[n - 1] == '.'))
		n--;
	/* "Prime Minister Leclerc's remarks": the possessive goes */
	if (w[b - 1].n > 3 && n >= 2 && w[a].s[n - 2] == '\'' &&
	    (w[a].s[n - 1] == 's' || w[a].s[n - 1] == 'S'))
		n -= 2;
	else if (w[b - 1].n > 5 && n >= 4 &&
		 !memcmp(w[a].s + n - 4, "\xe2\x80\x99s", 4))
		n -= 4;
	s = malloc(n + 1);
	if (s) {
		memcpy(s, w[a].s, n);
		s[n] = 0;
	}
	return s;
}

static int
has_office(const struct word *w, size_t a, size_t b)
{
	for (; a < b; a++)
		if (wkey_in_set(&w[a], &office_words) || wkey_office(&w[a]))
			return 1;
	return 0;
}

static int
ends_clause(const struct word *w)
{
	char c = w->s[w->n - 1];

	return c == ',' || c == ';' || c == ':' || (c == '.' && w->n > 2);
}

/* Role after "Name, ": words to the end of the clause, holding an office.
 * *role: malloc'd, or NULL when there is none. 0 or -ENOMEM. */
static int
role_after(const struct word *w, size_t i, size_t k, char **role)
{
	size_t e;

	*role = NULL;
	if (i < k && wkey_office(&w[i]) && !is_upper(w[i].s)) {
		/* "Laurent Dufresne, ministre de l'Europe et des affaires
		 * étrangères, avec ...": an office in lower case (as French,
		 * Spanish, Italian write them) runs to the end of the clause */
		for (e = i; e < k && e < i + 10; e++)
			if (ends_clause(&w[e]) || e + 1 == k)
				break;
		if (e < k && e < i + 10) {
			*role = join(w, i, e + 1);
			return *role ? 0 : -ENOMEM;
		}
	}
	for (e = i; e < k && e < i + 10; e++) {
		if (!is_role_word(&w[e]))
			return 0;
		if (ends_clause(&w[e]) || e + 1 == k) {
			e++;
			break;
		}
	}
	if (!has_office(w, i, e))
		return 0;
	*role = join(w, i, e);
	return *role ? 0 : -ENOMEM;
}

/* Role before a name: capitalised/office words, at least one office.
 * *role: malloc'd, or NULL when there is none. 0 or -ENOMEM. */
static int
role_before(const struct word *w, size_t a, char **role)
{
	size_t s = a;

	*role = NULL;

	for (;;) {
		size_t j = s;

		/* "Président de la République": connectors between
		 * capitalised office words */
		while (j > 0 && s - j < 3 && wkey_joiner(&w[j - 1]) &&
		       !is_upper(w[j - 1].s) &&
		       !wkey_in(&w[j - 1], (const char *const[]){
			       "and", "y", "e", "et", "und", "и", "&", NULL}))
			j--;
		if (j == 0 || a - j >= 8 || !is_role_word(&w[j - 1]) ||
		    ends_clause(&w[j - 1]) ||
		    wkey_in(&w[j - 1], (const char *const[]){"and", "iii", "ii",
							     "jr", NULL}))
			break;
		s = j - 1;
	}
	/* "Rede von Bundeskanzler": heading words ("Rede", "Discours") are
	 * not part of the role */
	while (s < a && (wkey_in_set(&w[s], &label_stop) || !is_upper(w[s].s) ||
			 wkey_field(&w[s])))
		s++;
	if (s >= a || !has_office(w, s, a))
		return 0;
	/* "Minister for Foreign Affairs Dr Lim Wei Ming": the honorific is
	 * not part of the role */
	while (a > s + 1 && wkey_honorific(&w[a - 1]))
		a--;
	*role = join(w, s, a);
	return *role ? 0 : -ENOMEM;
}

/* The end of a person search that allocated *name and maybe *role (rc:
 * how finding the role went): 0, or -ENOMEM with both freed. */
static int
found(char **name, char **role, int rc)
{
	if (*name && rc == 0)
		return 0;
	free(*name);
	free(*role);
	*name = *role = NULL;
	return -ENOMEM;
}

/* Find "Given [Middle] Surname" in text for a surname key. */
static int
find_by_surname(const char *text, const char *skey, char **name, char **role)
{
	struct word w[512];
	size_t k, i, a;
	char key[64];
	int rc;

	if (!text)
		return -ENOENT;
	k = split_words(text, strlen(text), w, 512);
	for (i = 0; i < k; i++) {
		word_key(w[i].s, w[i].n, key, sizeof(key));
		if (strcmp(key, skey) || !is_upper(w[i].s))
			continue;
		a = i;
		while (a > 0 && i - a < 3 && is_name_word(&w[a - 1]) &&
		       !ends_clause(&w[a - 1]))
			a--;
		if (a == i && i > 0 && (wkey_in_set(&w[i - 1], &office_words) ||
					wkey_office(&w[i - 1])) &&
		    !ends_clause(&w[i]) && i + 1 < k && is_name_word(&w[i + 1])) {
			/* "Foreign Minister Chung Eui-yong": the family name
			 * first, the given name after it */
			size_t e = i + 1;

			while (e < k && e - i < 3 && is_name_word(&w[e])) {
				e++;
				if (ends_clause(&w[e - 1]))
					break;
			}
			*name = join(w, i, e);
			return found(name, role, role_before(w, i, role));
		}
		if (a == i)
			continue;
		*name = join(w, a, i + 1);
		if (!*name)
			return -ENOMEM;
		rc = role_before(w, a, role);
		if (!rc && !*role && ends_clause(&w[i]) &&
		    w[i].s[w[i].n - 1] == ',')
			rc = role_after(w, i + 1, k, role);
		return found(name, role, rc);
	}
	return -ENOENT;
}

/* The office phrase w[a..b) as a role: "PRIME MINISTER" -> "Prime
 * Minister". 0 or -ENOMEM. */
static int
office_role(const struct word *w, size_t a, size_t b, char **role)
{
	size_t n = (size_t)(w[b - 1].s + w[b - 1].n - w[a].s);

	while (n && strchr(",;:", w[a].s[n - 1]))
		n--;
	*role = has_lower(w[a].s, n) ? strndup(w[a].s, n) : titlecase(w[a].s, n);
	return *role ? 0 : -ENOMEM;
}

/* "Deputy" in "Deputy Prime Minister": the office after it is another. */
static int
is_modifier(const struct word *w)
{
	return wkey_in(w, (const char *const[]){
		"deputy", "vice", "assistant", "under", "acting", "former",
		"shadow", "associate", "junior", "stellvertretende",
		"stellvertretender", "vize", "adjoint", "adjointe", "sub",
		"заместитель", "вице", NULL});
}

/* A name word, also in ALL CAPS ("JOHN", "HOWARD"), but no suffix
 * ("MP"), title or office word. */
static int
caps_name_word(const struct word *w)
{
	char key[64];

	if (is_name_word(w))
		return 1;
	if (!is_upper(w->s) || w->n < 2)
		return 0;
	word_key(w->s, w->n, key, sizeof(key));
	return !in_set(key, &suffix_words) && !is_title_key(key) &&
	       !in_set(key, &label_stop) && !lang_has(LANG_ALL, LANG_FIELD, key) &&
	       !strpbrk(key, "0123456789") && strlen(key) > 1;
}

/* Find the person holding an office phrase ("Secretary General",
 * "Spokesman") in text: "Office Given Surname" or "Given Surname, Office". */
static int
find_by_office(const char *text, const char *body, const struct word *ow,
	       size_t on, char **name, char **role)
{
	struct word w[512];
	size_t k, i, j, e, s;
	char a[64], b[64];

	if (!text || on == 0)
		return -ENOENT;
	k = split_words(text, strlen(text), w, 512);
	for (i = 0; i + on <= k; i++) {
		for (j = 0; j < on; j++) {
			word_key(w[i + j].s, w[i + j].n, a, sizeof(a));
			word_key(ow[j].s, ow[j].n, b, sizeof(b));
			if (strcmp(a, b))
				break;
		}
		if (j < on || (i > 0 && is_modifier(&w[i - 1])))
			continue;
		e = i + on;
		if (ends_clause(&w[e - 1]) && w[e - 1].s[w[e - 1].n - 1] != ',')
			continue;
		/* "PRIME MINISTER THE HON. JOHN HOWARD MP",
		 * "Prime Minister, the Hon Peter Lawson MP" */
		while (e < k && e - (i + on) < 3 &&
		       (!ends_clause(&w[e - 1]) || e == i + on) &&
		       wkey_in(&w[e], (const char *const[]){
			       "the", "hon", "rt", "mr", "mrs", "ms", "dr",
			       "he", "hrh", "sir", "dame", "honourable",
			       "honorable", "professor", "prof", NULL}))
			e++;
		s = e;
		while (e < k && e - s < 4 && caps_name_word(&w[e]) &&
		       (e == s || !ends_clause(&w[e - 1])))
			e++;
		if (e - s == 1 && is_name_word(&w[s]) &&
		    (e == k || !caps_name_word(&w[e]))) {
			/* "President Biden": the full name elsewhere, else the
			 * surname alone */
			char sk[64];
			int rc;

			word_key(w[s].s, w[s].n, sk, sizeof(sk));
			rc = find_by_surname(text, sk, name, role);
			if (rc == -ENOENT && body)
				rc = find_by_surname(body, sk, name, role);
			if (rc != -ENOENT)
				return rc;
			*name = join(w, s, e);
			return found(name, role, office_role(w, i, i + on, role));
		}
		if (e - s >= 2) {
			*name = has_lower(w[s].s, w[e - 1].s + w[e - 1].n - w[s].s)
					? join(w, s, e)
					: titlecase(w[s].s, (size_t)(w[e - 1].s +
								   w[e - 1].n -
								   w[s].s));
			if (*name) {
				size_t nn = strlen(*name);

				while (nn && strchr(",;:", (*name)[nn - 1]))
					(*name)[--nn] = 0;
			}
			return found(name, role, office_role(w, i, i + on, role));
		}
		if (i >= 2 && w[i - 1].s[w[i - 1].n - 1] == ',') {
			s = i;
			while (s > 0 && i - s < 4 && is_name_word(&w[s - 1]) &&
			       (s == i || !ends_clause(&w[s - 1])))
				s--;
			if (i - s >= 2) {
				*name = join(w, s, i);
				return found(name, role,
					     role_after(w, i, k, role));
			}
		}
	}
	return -ENOENT;
}

int
tx_find_named_person(const char *text, char **name, char **role)
{
	struct word w[512];
	size_t k, i, e, names;

	*name = *role = NULL;
	if (!text)
		return -ENOENT;
	k = split_words(text, strlen(text), w, 512);
	for (i = 0; i < k; i++) {
		/* "van der Meer": particles may open the run */
		for (e = i; e < k && wkey_in_set(&w[e], &particles) &&
			    !is_upper(w[e].s);
		     e++)
			;
		if (e == k || !is_name_word(&w[e]) || (e > i && i > 0 &&
						       is_name_word(&w[i - 1])))
			continue;
		for (names = 0; e < k && e - i < 5 &&
				(is_name_word(&w[e]) ||
				 (wkey_in_set(&w[e], &particles) && e + 1 < k &&
				  !ends_clause(&w[e])));
		     e++) {
			names += is_name_word(&w[e]);
			if (ends_clause(&w[e])) {
				e++;
				break;
			}
		}
		while (e > i && !is_name_word(&w[e - 1]))
			e--;
		if (e > i && wkey_in_set(&w[i], &particles) && !is_upper(w[i].s) &&
		    names > 2)
			continue; /* "de la République Emmanuel Macron" */
		if (names >= 2 && wkey_in_set(&w[i], &particles) &&
		    !is_upper(w[i].s)) {
			/* "Entretien de Paul Girard": "de" is the preposition
			 * ("van der Meer" keeps its particles: one name) */
			while (i < e && wkey_in_set(&w[i], &particles) &&
			       !is_upper(w[i].s))
				i++;
		}
		if (e - i < 2 && !(e - i == 1 && i > 0 &&
				   (wkey_in_set(&w[i - 1], &office_words) ||
				    wkey_title(&w[i - 1])) &&
				   !wkey_in(&w[i - 1], (const char *const[]){
					   "the", "mr", "mrs", "ms", "dr",
					   NULL}))) {
			i = e > i ? e - 1 : i;
			continue;
		}
		/* "Infrastructure New Zealand Symposium": a name that runs
		 * into an event noun is the event's */
		if (e < k && is_upper(w[e].s) &&
		    wkey_in(&w[e], (const char *const[]){
			    "symposium", "summit", "forum", "congress",
			    "convention", "conference", "dinner", "luncheon",
			    "gala", "ceremony", "seminar", "workshop",
			    "webinar", "reception", "awards", "festival",
			    "expo", "lecture", "week", "day", "dialogue",
			    NULL})) {
			i = e;
			continue;
		}
		if (role_before(w, i, role) < 0)
			return -ENOMEM;
		if (!*role && w[e - 1].s[w[e - 1].n - 1] == ',' &&
		    role_after(w, e, k, role) < 0)
			return -ENOMEM;
		if (*role) {
			/* "M. Laurent Dufresne, ministre ...": no honorific */
			while (i + 2 < e && wkey_honorific(&w[i]))
				i++;
			*name = join(w, i, e);
			return found(name, role, 0);
		}
		i = e - 1;
	}
	return -ENOENT;
}

char *
tx_byline_name(const char *s)
{
	struct word w[MAXW];
	char *c = tx_clean_name(s);
	size_t k, i;

	if (!c)
		return NULL;
	k = split_words(c, strlen(c), w, MAXW);
	if (k < 2 || k > 4 || strlen(c) > 60)
		goto no;
	for (i = 0; i < k; i++)
		if (!is_name_word(&w[i]) || !has_lower(w[i].s, w[i].n) ||
		    (i + 1 < k && ends_clause(&w[i])))
			goto no;
	return c;
no:
	free(c);
	return NULL;
}

void
tx_nominative(char *name)
{
	/* a title names people in the genitive ("Брифинг официального
	 * представителя ... Е.А.Волковой"): feminine surnames in -овой,
	 * -евой, -ёвой, -иной go back to -ова, ..., -ина; -ской to -ская */
	static const char *const gen[] = {
		"\xd0\xbe\xd0\xb2\xd0\xbe\xd0\xb9",           /* овой */
		"\xd0\xb5\xd0\xb2\xd0\xbe\xd0\xb9",           /* евой */
		"\xd1\x91\xd0\xb2\xd0\xbe\xd0\xb9",           /* ёвой */
		"\xd0\xb8\xd0\xbd\xd0\xbe\xd0\xb9",           /* иной */
		"\xd1\x81\xd0\xba\xd0\xbe\xd0\xb9",           /* ской */
		NULL,
	};
	size_t n = strlen(name), i;
	const char *w = strrchr(name, ' ');

	w = w ? w + 1 : name;
	if ((size_t)(name + n - w) < 12) /* a stem of two letters at least */
		return;
	for (i = 0; gen[i]; i++) {
		if (memcmp(name + n - 8, gen[i], 8))
			continue;
		if (i == 4) /* ая */
			memcpy(name + n - 4, "\xd0\xb0\xd1\x8f", 4);
		else {
			memcpy(name + n - 4, "\xd0\xb0", 2); /* а */
			name[n - 2] = 0;
		}
		return;
	}
}

char *
tx_clean_name(const char *s)
{
	struct word w[MAXW];
	size_t k = split_words(s, strlen(s), w, MAXW), a = 0;

	while (a + 1 < k && wkey_in_set(&w[a], &title_words))
		a++;
	while (k > a + 1 && wkey_in_set(&w[k - 1], &suffix_words))
		k--;
	return k > a ? join(w, a, k) : strdup(s);
}

/* The index of the person with the same surname, or -1. */
static int
people_find(const struct tx_people *pp, const char *skey)
{
	char b[64];
	size_t i;

	for (i = 0; i < pp->n; i++) {
		surname_key(pp->v[i].name, b, sizeof(b));
		if (!strcmp(skey, b))
			return (int)i;
	}
	return -1;
}

/* Is the office at p in the folded role rk preceded by a modifier
 * ("deputy prime minister" is not "prime minister")? */
static int
role_modified(const char *rk, const char *p)
{
	struct word w;
	const char *q = p - 1;

	while (q > rk && q[-1] != ' ')
		q--;
	w.s = q;
	w.n = (size_t)(p - 1 - q);
	return w.n && is_modifier(&w);
}

/* A person whose role contains the office words. */
static int
people_find_office(const struct tx_people *pp, const struct word *ow,
		   size_t on)
{
	char key[128], rk[256], *p;
	size_t i, j, o = 0;

	for (j = 0; j < on && o + 66 < sizeof(key); j++) {
		word_key(ow[j].s, ow[j].n, key + o, sizeof(key) - o);
		o += strlen(key + o);
		key[o++] = ' ';
	}
	if (!o)
		return -1;
	key[--o] = 0;
	for (p = key; *p; p++)
		if (*p == '-')
			*p = ' ';
	for (i = 0; i < pp->n; i++) {
		if (!pp->v[i].role)
			continue;
		fold(pp->v[i].role, strlen(pp->v[i].role), rk, sizeof(rk));
		for (p = rk; *p; p++)
			if (*p == '-')
				*p = ' ';
		p = strstr(rk, key);
		if (p && (p == rk || !role_modified(rk, p)))
			return (int)i;
	}
	return -1;
}

static int
resolve_office(struct tx_people *pp, const char *nm, size_t nlen,
	       const char *role, size_t rlen, int *idx)
{
	struct word w[MAXW];
	size_t k = split_words(nm, nlen, w, MAXW), a = 0;
	char *name = NULL, *r = NULL, *lbl = NULL;
	int i, rc;

	/* "M. LE MINISTRE": honorifics and articles before the office */
	while (a + 1 < k && (wkey_in(&w[a], (const char *const[]){
				     "the", "le", "la", "les", "l", "el", "los",
				     "las", "il", "lo", "o", "a", "os", "as",
				     "der", "die", "das", "het", "de", NULL}) ||
			     wkey_honorific(&w[a]) || wkey_joiner(&w[a])))
		a++;
	i = people_find_office(pp, w + a, k - a);
	if (i >= 0) {
		*idx = i;
		return 0;
	}
	rc = find_by_office(pp->corpus, pp->body, w + a, k - a, &name, &r);
	if (rc == -ENOENT && pp->body)
		rc = find_by_office(pp->body, NULL, w + a, k - a, &name, &r);
	if (rc == -ENOMEM)
		return rc;
	if (rc == 0) {
		rc = tx_people_add(pp, name, r ? r : NULL);
		if (rc >= 0 && !r) {
			char *o = join(w, a, k);

			if (!o)
				rc = -ENOMEM;
			else if (!pp->v[rc].role)
				pp->v[rc].role = o;
			else
				free(o);
		}
		free(name);
		free(r);
		if (rc < 0)
			return rc;
		*idx = rc;
		return 0;
	}
	if (pp->principal && (wkey_in(&w[k - 1], (const char *const[]){
				      "spokesman", "spokesperson",
				      "spokeswoman", NULL}))) {
		char sk[64];

		surname_key(pp->principal, sk, sizeof(sk));
		if ((i = people_find(pp, sk)) >= 0) {
			*idx = i;
			return 0;
		}
	}
	if (!pp->principal && pp->n > 0 &&
	    wkey_in(&w[k - 1], (const char *const[]){"spokesman",
						     "spokesperson",
						     "spokeswoman", NULL})) {
		/* nobody named in the title: the spokesman is the first
		 * person who spoke under a name and no other office */
		for (i = 0; i < (int)pp->n; i++)
			if (!pp->v[i].role || strstr(pp->v[i].role, "pokes")) {
				*idx = i;
				return 0;
			}
	}
	lbl = has_lower(nm, nlen) ? strndup(nm, nlen) : titlecase(nm, nlen);
	if (!lbl)
		return -ENOMEM;
	r = rlen ? strndup(role, rlen) : NULL;
	if (rlen && !r) {
		free(lbl);
		return -ENOMEM;
	}
	rc = tx_people_add(pp, lbl, r);
	free(lbl);
	free(r);
	if (rc < 0)
		return rc;
	*idx = rc;
	return 0;
}

/* Are the words before the last of w[a..e) initials ("С.", "J.")? */
static int
initials_before(const struct word *w, size_t a, size_t e)
{
	size_t i;

	if (e - a < 2)
		return 0;
	for (i = a; i + 1 < e; i++)
		if (w[i].s[w[i].n - 1] != '.' ||
		    utf8_len(w[i].s, w[i].n) + 1 != w[i].n)
			return 0;
	return 1;
}

static int
resolve_name(struct tx_people *pp, const char *nm, size_t nlen,
	     const char *role, size_t rlen, const char **name,
	     const char **rolep)
{
	struct word w[MAXW];
	size_t k = split_words(nm, nlen, w, MAXW), a = 0, e, j;
	char skey[64], *full = NULL, *frole = NULL, *r = NULL;
	int idx = -1, rc = 0;

	/* "Speaker 1", "SPEAKER 2": the whole label is the name */
	if (k >= 2 && strspn(w[k - 1].s, "0123456789") == w[k - 1].n) {
		full = has_lower(nm, nlen) ? strndup(nm, nlen)
					   : titlecase(nm, nlen);
		if (!full)
			return -ENOMEM;
		idx = rc = tx_people_add(pp, full, NULL);
		goto out;
	}
	/* "O PRESIDENTE", "EL PRESIDENTE", "LE MINISTRE": an article
	 * before an office */
	if (k >= 2 && wkey_in(&w[0], (const char *const[]){
			     "le", "la", "les", "el", "los", "las", "il", "lo",
			     "o", "a", "os", "as", "der", "die", "het", NULL}) &&
	    (wkey_in_set(&w[1], &title_words) || wkey_title(&w[1])))
		a = 1;
	while (a < k && (wkey_in_set(&w[a], &title_words) ||
			 wkey_title(&w[a]) ||
			 (a > 0 && wkey_joiner(&w[a]))))
		a++;
	e = k;
	while (e > a + 1 && wkey_in_set(&w[e - 1], &suffix_words))
		e--;
	/* "JOINT CHIEFS OF STAFF ARMY GENERAL MARK A. MILLEY": the name is
	 * what follows the last office word */
	for (j = e; j > a + 1; j--)
		if (wkey_title(&w[j - 2]) && !wkey_joiner(&w[j - 1])) {
			a = j - 1;
			break;
		}
	/* "Chief Scientific Adviser", "Chief Medical Officer": a title,
	 * then words ending in an office, is an office phrase */
	if (a > 0 && e > a && e - a <= 3 &&
	    (wkey_in_set(&w[e - 1], &office_words) || wkey_office(&w[e - 1])) &&
	    !wkey_in_set(&w[0], &title_words_honorific) &&
	    !wkey_honorific(&w[0])) {
		rc = resolve_office(pp, nm, nlen, role, rlen, &idx);
		goto out;
	}
	if (a == e || (e == a + 1 && a > 0 &&
		       (wkey_in_set(&w[a], &office_words) ||
			wkey_title(&w[a])) &&
		       !is_name_word(&w[a]))) {
		rc = resolve_office(pp, nm, nlen, role, rlen, &idx);
		goto out;
	}
	{
		size_t last = e;

		while (last > a + 1 &&
		       wkey_in_set(&w[last - 1], &name_suffixes))
			last--;
		word_key(w[last - 1].s, w[last - 1].n, skey, sizeof(skey));
	}
	r = rlen ? strndup(role, rlen) : NULL;
	if (rlen && !r)
		return -ENOMEM;
	if (r && tx_is_interpreter_note(r, rlen)) {
		free(r);
		r = NULL;
	}
	idx = people_find(pp, skey);
	if (idx >= 0) {
		if (r && !pp->v[idx].role)
			rc = tx_people_add(pp, pp->v[idx].name, r);
		goto out;
	}
	if (e - a == 1 || !has_lower(nm, nlen) || initials_before(w, a, e)) {
		rc = find_by_surname(pp->corpus, skey, &full, &frole);
		if (rc == 0 && initials_before(w, a, e) &&
		    strncmp(full, w[a].s, utf8_len(w[a].s, w[a].n))) {
			free(full);
			free(frole);
			full = frole = NULL;
			rc = -ENOENT; /* "С. Ларин" is not "Иван Ларин" */
		}
		if (rc == 0 || rc == -ENOMEM) {
			if (rc == 0)
				rc = tx_people_add(pp, full, r ? r : frole);
			idx = rc;
			goto out;
		}
		rc = 0;
	}
	full = has_lower(w[a].s, nlen - (size_t)(w[a].s - nm))
		       ? join(w, a, e)
		       : titlecase(w[a].s,
				   (size_t)(w[e - 1].s + w[e - 1].n - w[a].s));
	if (!full) {
		rc = -ENOMEM;
		goto out;
	}
	caps_words_titlecase(full);
	if (!r && a > 0) {
		size_t s = 0;

		while (s < a && wkey_in(&w[s], (const char *const[]){
				       "mr", "mrs", "ms", "miss", "dr", "the",
				       "sir", "dame", NULL}))
			s++;
		if (s < a) {
			size_t rn = (size_t)(w[a - 1].s + w[a - 1].n - w[s].s);

			frole = has_lower(nm, nlen) ? strndup(w[s].s, rn)
						    : titlecase(w[s].s, rn);
			if (!frole) {
				rc = -ENOMEM;
				goto out;
			}
		}
	}
	rc = tx_people_add(pp, full, r ? r : frole);
	idx = rc;
out:
	free(full);
	free(frole);
	free(r);
	if (rc < 0)
		return rc;
	*name = pp->v[idx].name;
	*rolep = pp->v[idx].role;
	return 0;
}

/* "TJ", "TAG": a label of two to four capital letters (ASCII) that is
 * nobody's surname stands for a name whose words start with those
 * letters, as WHO transcripts print them under a speaker key ("TJ Tomas
 * Jerabek", "MK Dr Marta Kovac"). The name written right after the
 * initials wins, else the first name that fits in text; malloc'd, or
 * NULL (*rc -ENOMEM when out of memory). */
static char *
find_by_initials(const char *text, const char *nm, size_t nlen, int *rc)
{
	struct word w[512];
	size_t k, i, j, pass;

	if (!text)
		return NULL;
	k = split_words(text, strlen(text), w, 512);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i + nlen <= k; i++) {
			size_t s = i;

			if (pass == 0) {
				if (w[i].n != nlen || memcmp(w[i].s, nm, nlen))
					continue;
				s = i + 1;
				while (s < k && wkey_honorific(&w[s]))
					s++;
			}
			if (s + nlen > k)
				continue;
			for (j = 0; j < nlen; j++)
				if (w[s + j].s[0] != nm[j] ||
				    !is_name_word(&w[s + j]) ||
				    !has_lower(w[s + j].s, w[s + j].n) ||
				    (j + 1 < nlen && ends_clause(&w[s + j])))
					break;
			if (j == nlen) {
				char *r = join(w, s, s + nlen);

				if (!r)
					*rc = -ENOMEM;
				return r;
			}
		}
	return NULL;
}

static int
initials_label(const char *nm, size_t nlen)
{
	size_t i;

	if (nlen < 2 || nlen > 4)
		return 0;
	for (i = 0; i < nlen; i++)
		if (nm[i] < 'A' || nm[i] > 'Z')
			return 0;
	return 1;
}

/* Every word of s[0..n) an office, title or connector ("Moderator",
 * "Foreign Minister"). */
static int
all_office(const char *s, size_t n)
{
	struct word w[MAXW];
	size_t k = split_words(s, n, w, MAXW), i;

	for (i = 0; i < k; i++)
		if (!wkey_in_set(&w[i], &title_words) && !wkey_title(&w[i]) &&
		    !wkey_in_set(&w[i], &office_words) && !wkey_office(&w[i]) &&
		    !(i > 0 && wkey_joiner(&w[i])))
			return 0;
	return k > 0;
}

/* Two to four capitalised name words ("Jane Doe"). */
static int
all_names(const char *s, size_t n)
{
	struct word w[MAXW];
	size_t k = split_words(s, n, w, MAXW), i;

	if (k < 2 || k > 4)
		return 0;
	for (i = 0; i < k; i++)
		if (!is_name_word(&w[i]) || !has_lower(w[i].s, w[i].n))
			return 0;
	return 1;
}

/* Does the segment start like a name (not with a title or office)? */
static int
seg_is_name(const char *s, size_t n)
{
	struct word w[MAXW];
	size_t k = split_words(s, n, w, MAXW);

	return k > 0 && !wkey_in_set(&w[0], &title_words) && !wkey_title(&w[0]);
}

int
tx_resolve(struct tx_people *pp, const char *nm, size_t nlen,
	   const char *role, size_t rlen, const char **name,
	   const char **rolep)
{
	struct word w[MAXW];
	const char *comma = memchr(nm, ',', nlen), *exp;
	char key[64], *fixed = NULL;
	size_t k, i, g, o;
	int rc;

	/* "Moderator (Jane Doe)", "Minister (Anna Berg)": an office with
	 * the name in brackets */
	if (rlen && rlen < 64 && all_office(nm, nlen) && all_names(role, rlen))
		return tx_resolve(pp, role, rlen, nm, nlen, name, rolep);
	/* "NAME, ROLE" / "ROLE, NAME" */
	if (comma) {
		size_t n1 = (size_t)(comma - nm), o2 = n1 + 1;

		while (o2 < nlen && nm[o2] == ' ')
			o2++;
		if (seg_is_name(nm, n1))
			return tx_resolve(pp, nm, n1, rlen ? role : nm + o2,
					  rlen ? rlen : nlen - o2, name, rolep);
		if (o2 < nlen && seg_is_name(nm + o2, nlen - o2))
			return tx_resolve(pp, nm + o2, nlen - o2,
					  rlen ? role : nm, rlen ? rlen : n1,
					  name, rolep);
	}
	/* "PM", "DPM": an office written short */
	fold(nm, nlen, key, sizeof(key));
	if ((exp = lang_expand(key)))
		return resolve_name(pp, exp, strlen(exp), role, rlen, name,
				    rolep);
	if (initials_label(nm, nlen) && !lang_has(LANG_ALL, LANG_OFFICE, key)) {
		char sk[64], *full;
		int e = 0, i2;

		word_key(nm, nlen, sk, sizeof(sk));
		if (people_find(pp, sk) < 0 &&
		    ((full = find_by_initials(pp->corpus, nm, nlen, &e)) ||
		     (!e && (full = find_by_initials(pp->body, nm, nlen, &e))))) {
			i2 = tx_people_add(pp, full, NULL);
			free(full);
			if (i2 < 0)
				return i2;
			*name = pp->v[i2].name;
			*rolep = pp->v[i2].role;
			return 0;
		}
		if (e)
			return e;
	}
	/* "В.Путин" -> "В. Путин" */
	k = split_words(nm, nlen, w, MAXW);
	for (i = 0; i < k; i++)
		if ((g = glued_initial(w[i].s, w[i].n)))
			break;
	if (i == k)
		return resolve_name(pp, nm, nlen, role, rlen, name, rolep);
	if (!(fixed = malloc(nlen + 2)))
		return -ENOMEM;
	o = (size_t)(w[i].s - nm) + g;
	memcpy(fixed, nm, o);
	fixed[o] = ' ';
	memcpy(fixed + o + 1, nm + o, nlen - o);
	fixed[nlen + 1] = 0;
	/* "Е.А.Волкова": split each initial in turn */
	rc = tx_resolve(pp, fixed, nlen + 1, role, rlen, name, rolep);
	free(fixed);
	return rc;
}

/* ---- askers ------------------------------------------------------------ */

static int
is_outlet_word(const struct word *w)
{
	return is_upper(w->s) || (w->n <= 3 && wkey_in(w, (const char *const[]){
					     "and", "of", "the", "de", "la",
					     "el", "al", "&", NULL}));
}

int
tx_find_asker(const char *t, char **asker, char **outlet)
{
	struct word w[48];
	size_t k, i, a, e;
	size_t n = strlen(t);

	*asker = *outlet = NULL;
	k = split_words(t, n < 300 ? n : 300, w, 48);
	if (k > 0 && k < 48 && n > 300)
		k--; /* the last word may be cut */
	for (i = 1; i + 1 < k && i < 30; i++) {
		int sep = wkey_in(&w[i], (const char *const[]){
			"from", "with", "of", NULL});
		int comma = w[i - 1].s[w[i - 1].n - 1] == ',';

		if (!sep && !(comma && i >= 2))
			continue;
		/* the name ends just before the separator */
		e = i;
		if (sep && ends_clause(&w[i - 1]))
			continue;
		a = e;
		while (a > 0 && e - a < 3 && is_name_word(&w[a - 1]) &&
		       (a == e || !ends_clause(&w[a - 1])))
			a--;
		if (e - a < 2 || (a > 0 && !ends_clause(&w[a - 1])))
			continue;
		if (!sep && a != 0)
			continue; /* "Name, Outlet." only at the start */
		{
			size_t os = sep ? i + 1 : i, oe = os;

			while (oe < k && oe - os < 6 && is_outlet_word(&w[oe])) {
				oe++;
				if (ends_clause(&w[oe - 1]) ||
				    strchr("?!", w[oe - 1].s[w[oe - 1].n - 1]))
					break;
			}
			if (oe == os || !is_upper(w[os].s) ||
			    !(ends_clause(&w[oe - 1]) ||
			      strchr("?!", w[oe - 1].s[w[oe - 1].n - 1])))
				continue;
			*asker = join(w, a, e);
			*outlet = join(w, os, oe);
			if (!*asker || !*outlet) {
				free(*asker);
				free(*outlet);
				*asker = *outlet = NULL;
				return -ENOMEM;
			}
			return 0;
		}
	}
	return -ENOENT;
}
