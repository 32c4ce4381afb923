/* tokenizer.c — the FTS5 tokenizer "bw" and bw_fold(): words in every
 * script, full case folding, diacritics, Snowball stems by language.
 * See include/tokenizer.h and docs/store.md.
 */
#include "tokenizer.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

/* ---- languages ------------------------------------------------------------ */

enum script { SC_OTHER, SC_LATIN, SC_CYRILLIC, SC_GREEK, SC_ARABIC, SC_DICT };

/* stop: the commonest words, " "-separated and -surrounded, for telling
 * Latin-script languages apart (case folded, accents kept). */
static const struct lang {
	const char *code, *snowball;
	enum script sc;
	const char *stop;
} langs[] = {
	{"en", "english", SC_LATIN, " the and of to is that for with was are"
	 " this have from not be it on we our they will has which would "},
	{"fr", "french", SC_LATIN, " le la les des et est une dans pour que"
	 " qui pas sur du au avec nous sont cette il elle ce aux "},
	{"de", "german", SC_LATIN, " der die das und ist nicht ein eine mit"
	 " den dem sich auf für von zu wir sie es auch im des "},
	{"es", "spanish", SC_LATIN, " el los las del y que es una por con"
	 " para se su al como lo más sus este esta "},
	{"pt", "portuguese", SC_LATIN, " os do da dos das não uma com para"
	 " que em ao no na um é se mais pelo pela "},
	{"it", "italian", SC_LATIN, " il di che è della per una sono con non"
	 " gli del le al alla nel anche questo "},
	{"nl", "dutch", SC_LATIN, " het een van en is dat niet op te zijn"
	 " met voor ook wij zij aan "},
	{"sv", "swedish", SC_LATIN, " och att det som är på för med inte av"
	 " till har vi jag om ett "},
	{"ru", "russian", SC_CYRILLIC, NULL},
	{"el", "greek", SC_GREEK, NULL},
	{"ar", "arabic", SC_ARABIC, NULL},
};

#define NLANG ((int)(sizeof(langs) / sizeof(langs[0])))

/* The language used for a script's words when the text's language is of
 * another script (or unknown). */
static int
script_default(enum script sc)
{
	switch (sc) {
	case SC_LATIN: return 0;
	case SC_CYRILLIC: return 8;
	case SC_GREEK: return 9;
	case SC_ARABIC: return 10;
	default: return -1;
	}
}

static int
lang_index(const char *code)
{
	int i;

	for (i = 0; code && i < NLANG; i++)
		if (strcmp(langs[i].code, code) == 0)
			return i;
	return -1;
}

int
tok_lang_known(const char *lang)
{
	return lang_index(lang) >= 0;
}

const char *
tok_langs(void)
{
	return "en fr de es pt it nl sv ru el ar";
}

/* ---- characters ------------------------------------------------------------- */

static enum script
script_of(UChar32 c)
{
	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? SC_LATIN
							     : SC_OTHER;
	if (c < 0x250 || (c >= 0x1E00 && c < 0x1F00))
		return SC_LATIN;
	if ((c >= 0x370 && c < 0x400) || (c >= 0x1F00 && c < 0x2000))
		return SC_GREEK;
	if (c >= 0x400 && c < 0x530)
		return SC_CYRILLIC;
	if ((c >= 0x600 && c < 0x700) || (c >= 0x750 && c < 0x780) ||
	    (c >= 0x8A0 && c < 0x900) || (c >= 0xFB50 && c < 0xFE00) ||
	    (c >= 0xFE70 && c < 0xFF00))
		return SC_ARABIC;
	/* written without spaces: Thai, Lao, Myanmar, Khmer, CJK
	 * radicals, iteration marks, Kana, Han, half-width Kana */
	if ((c >= 0xE00 && c < 0xF00) || (c >= 0x1000 && c < 0x10A0) ||
	    (c >= 0x1780 && c < 0x1800) || (c >= 0x2E80 && c < 0x2FE0) ||
	    (c >= 0x3005 && c <= 0x3007) || (c >= 0x3021 && c < 0x302A) ||
	    (c >= 0x3031 && c < 0x3036) || (c >= 0x3040 && c < 0x3100) ||
	    (c >= 0x31F0 && c < 0x3200) || (c >= 0x3400 && c < 0x4DC0) ||
	    (c >= 0x4E00 && c < 0xA000) || (c >= 0xF900 && c < 0xFB00) ||
	    (c >= 0xFF66 && c < 0xFFA0) || (c >= 0x20000 && c < 0x40000))
		return SC_DICT;
	return SC_OTHER;
}

enum { CL_SEP, CL_WORD, CL_DICT, CL_MARK };

static int
class_of(UChar32 c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
						  (c | 0x20) <= 'z')
		       ? CL_WORD : CL_SEP;
	if (c < 0)
		return CL_SEP;
	if (U_GET_GC_MASK(c) & U_GC_M_MASK)
		return CL_MARK;
	if (!(U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK)))
		return CL_SEP;
	return script_of(c) == SC_DICT ? CL_DICT : CL_WORD;
}

/* Is the mark m on base removed? Latin, Greek and Arabic lose every
 * mark; Cyrillic only the diaeresis (ё → е; й keeps its breve, which
 * Russian stems depend on). */
static int
strip_mark(UChar32 base, UChar32 m)
{
	if (base < 0x250 || (base >= 0x370 && base < 0x400) ||
	    (base >= 0x1E00 && base < 0x2000) ||
	    (base >= 0x600 && base < 0x700) || (base >= 0x750 && base < 0x780) ||
	    (base >= 0x8A0 && base < 0x900) || (base >= 0xFB50 && base < 0xFF00))
		return 1;
	return base >= 0x400 && base < 0x530 && m == 0x308;
}

/* ---- folding ---------------------------------------------------------------- */

/* Full case folding of in[0..n) into out (cap units); length, or -1 when
 * it does not fit or ICU fails. */
static int32_t
fold16(const UChar *in, int32_t n, UChar *out, int32_t cap)
{
	UErrorCode e = U_ZERO_ERROR;
	int32_t m = u_strFoldCase(out, cap, in, n, U_FOLD_CASE_DEFAULT, &e);

	return U_FAILURE(e) || m >= cap ? -1 : m;
}

/* Remove the diacritics of u[0..n) in place (strip_mark), using tmp
 * (cap units); new length or -1. */
static int32_t
strip16(UChar *u, int32_t n, int32_t ucap, UChar *tmp, int32_t cap)
{
	UErrorCode e = U_ZERO_ERROR;
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&e);
	const UNormalizer2 *nfc = unorm2_getNFCInstance(&e);
	int32_t m, i = 0, k = 0, i0;
	UChar32 c, base = 0;
	int any = 0;

	for (i = 0; i < n && !any; i++)
		any = u[i] >= 0x80;
	if (!any || U_FAILURE(e))
		return U_FAILURE(e) ? -1 : n;
	m = unorm2_normalize(nfd, u, n, tmp, cap, &e);
	if (U_FAILURE(e) || m >= cap)
		return -1;
	for (i = 0; i < m;) {
		i0 = i;
		U16_NEXT(tmp, i, m, c);
		if (U_GET_GC_MASK(c) & U_GC_MN_MASK) {
			if (strip_mark(base, c))
				continue;
		} else {
			base = c;
		}
		while (i0 < i)
			tmp[k++] = tmp[i0++];
	}
	m = unorm2_normalize(nfc, tmp, k, u, ucap, &e);
	return U_FAILURE(e) || m >= ucap ? -1 : m;
}

/* ---- the tokenizer ------------------------------------------------------------ */

#define WORD_MAX 255 /* longer words are not indexed */
#define U_CAP 1024
#define B_CAP 4096

struct tok_conn {
	int qlang;      /* langs index, -1: every language of the script */
	uint32_t qmask; /* languages query words may be stemmed in */
	uint32_t seen;  /* languages indexed through this connection */
};

/* Recent stems: words repeat (Zipf), and a Snowball stem costs more than
 * the rest of a word's indexing. Direct-mapped by a hash of word and
 * language. */
#define CACHE_SLOTS 4096
#define CACHE_WORD 27

struct stem_slot {
	uint32_t hash;
	signed char lang;
	unsigned char klen, vlen;
	char k[CACHE_WORD], v[CACHE_WORD];
};

struct tok {
	struct tok_conn *conn;
	int row_lang; /* the row's declared language (TOK_LANG_MARK), -1 */
	struct stem_slot cache[CACHE_SLOTS];
	struct sb_stemmer *sb[NLANG];
	UBreakIterator *bi;
	UChar u[U_CAP], v[2 * U_CAP];
	char f[B_CAP], g[B_CAP];
	/* query variants: offsets into q */
	char q[(NLANG + 1) * B_CAP / 4];
	int qoff[NLANG + 1], qlen[NLANG + 1];
};

static int index_lang(int declared, const char *text, size_t len);

struct run {
	struct tok *t;
	void *ctx;
	int (*cb)(void *, int, const char *, int, int, int);
	int flags;
	int lang; /* of the text, -1: none */
};

static struct sb_stemmer *
stemmer(struct tok *t, int li)
{
	if (!t->sb[li])
		t->sb[li] = sb_stemmer_new(langs[li].snowball, "UTF_8");
	return t->sb[li];
}

/* Fold s[0..n) into t->f; length, or -1 (not a word we index). */
static int
fold_word(struct tok *t, const char *s, int n)
{
	UErrorCode e = U_ZERO_ERROR;
	int32_t un, m, k;
	int i, ascii = 1;

	for (i = 0; i < n && ascii; i++)
		ascii = (unsigned char)s[i] < 0x80;
	if (ascii) {
		for (i = 0; i < n; i++)
			t->f[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] | 0x20
							       : s[i];
		return n;
	}
	u_strFromUTF8WithSub(t->u, U_CAP, &un, s, n, 0xFFFD, NULL, &e);
	if (U_FAILURE(e) || un >= U_CAP)
		return -1;
	if ((m = fold16(t->u, un, t->v, 2 * U_CAP)) < 0)
		return -1;
	u_strToUTF8(t->f, B_CAP, &k, t->v, m, &e);
	return U_FAILURE(e) || k >= B_CAP ? -1 : k;
}

/* The stem of t->f[0..n) in language li (-1: none), diacritics removed,
 * into out (B_CAP bytes); its length or -1. */
static int
stem_strip(struct tok *t, int n, int li, char *out)
{
	UErrorCode e = U_ZERO_ERROR;
	const char *p = t->f;
	struct sb_stemmer *sb;
	int32_t un, k;
	int i, ascii = 1;

	if (li >= 0 && (sb = stemmer(t, li))) {
		const sb_symbol *r = sb_stemmer_stem(sb, (const sb_symbol *)
						     t->f, n);

		if (r) {
			p = (const char *)r;
			n = sb_stemmer_length(sb);
		}
	}
	if (n >= B_CAP)
		return -1;
	for (i = 0; i < n && ascii; i++)
		ascii = (unsigned char)p[i] < 0x80;
	if (ascii) {
		memcpy(out, p, (size_t)n);
		return n;
	}
	u_strFromUTF8WithSub(t->u, U_CAP, &un, p, n, 0xFFFD, NULL, &e);
	if (U_FAILURE(e) || un >= U_CAP)
		return -1;
	if ((un = strip16(t->u, un, U_CAP, t->v, 2 * U_CAP)) < 0)
		return -1;
	u_strToUTF8(out, B_CAP, &k, t->u, un, &e);
	return U_FAILURE(e) || k >= B_CAP ? -1 : k;
}

static uint32_t
word_hash(const char *s, int n, int li)
{
	uint32_t h = 2166136261u ^ (uint32_t)(li + 1);
	int i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* stem_strip through the cache. */
static int
stem_cached(struct tok *t, int n, int li, char *out)
{
	struct stem_slot *c;
	uint32_t h;
	int m;

	if (n > CACHE_WORD)
		return stem_strip(t, n, li, out);
	h = word_hash(t->f, n, li);
	c = &t->cache[h % CACHE_SLOTS];
	if (c->klen == n && c->hash == h && c->lang == li &&
	    memcmp(c->k, t->f, (size_t)n) == 0) {
		memcpy(out, c->v, c->vlen);
		return c->vlen;
	}
	m = stem_strip(t, n, li, out);
	if (m > 0 && m <= CACHE_WORD) {
		c->hash = h;
		c->lang = (signed char)li;
		c->klen = (unsigned char)n;
		c->vlen = (unsigned char)m;
		memcpy(c->k, t->f, (size_t)n);
		memcpy(c->v, out, (size_t)m);
	}
	return m;
}

/* One word s[0..n) at bytes [a, b) of the text. */
static int
emit_word(struct run *r, const char *s, int n, int a, int b, enum script sc)
{
	struct tok *t = r->t;
	int fl, m, i, j, li, nq = 0, used = 0, rc;

	if (n > WORD_MAX)
		return SQLITE_OK;
	if ((fl = fold_word(t, s, n)) <= 0)
		return SQLITE_OK;
	if (!(r->flags & FTS5_TOKENIZE_QUERY)) {
		li = r->lang >= 0 && langs[r->lang].sc == sc ? r->lang
							     : script_default(sc);
		if (li >= 0 && t->conn)
			t->conn->seen |= 1u << li;
		if ((m = stem_cached(t, fl, li, t->g)) <= 0)
			return SQLITE_OK;
		return r->cb(r->ctx, 0, t->g, m, a, b);
	}
	/* A prefix ("deterr*") is looked up as typed, folded: the user
	 * gave the part of the word that matters. */
	if (r->flags & FTS5_TOKENIZE_PREFIX) {
		if ((m = stem_cached(t, fl, -1, t->g)) <= 0)
			return SQLITE_OK;
		return r->cb(r->ctx, 0, t->g, m, a, b);
	}
	/* A query word: its stem in every language it may be in that the
	 * archive holds, each once, as synonyms of one another; unstemmed
	 * only in a script the index does not stem (its words of a stemmed
	 * script are all stems). */
	for (li = script_default(sc) < 0 ? -1 : 0; li < NLANG; li++) {
		if (li >= 0) {
			if (langs[li].sc != sc)
				continue;
			if (t->conn && t->conn->qlang >= 0 &&
			    langs[t->conn->qlang].sc == sc) {
				if (li != t->conn->qlang)
					continue;
			} else if (t->conn && !(t->conn->qmask & (1u << li)) &&
				   li != script_default(sc)) {
				continue;
			}
		}
		if ((m = stem_cached(t, fl, li, t->g)) <= 0)
			continue;
		for (j = 0; j < nq; j++)
			if (t->qlen[j] == m &&
			    memcmp(t->q + t->qoff[j], t->g, (size_t)m) == 0)
				break;
		if (j < nq || used + m > (int)sizeof(t->q))
			continue;
		memcpy(t->q + used, t->g, (size_t)m);
		t->qoff[nq] = used;
		t->qlen[nq++] = m;
		used += m;
	}
	for (i = 0; i < nq; i++) {
		rc = r->cb(r->ctx, i ? FTS5_TOKEN_COLOCATED : 0,
			   t->q + t->qoff[i], t->qlen[i], a, b);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* A run of letters in a script written without spaces: ICU's dictionary
 * word break iterator finds its words. */
static int
emit_dict(struct run *r, const char *s, int n, int base)
{
	struct tok *t = r->t;
	UErrorCode e = U_ZERO_ERROR;
	UText ut = UTEXT_INITIALIZER;
	int32_t a, b;
	int rc = SQLITE_OK;

	if (!t->bi) {
		t->bi = ubrk_open(UBRK_WORD, "", NULL, 0, &e);
		if (U_FAILURE(e)) {
			t->bi = NULL;
			return SQLITE_NOMEM;
		}
	}
	utext_openUTF8(&ut, s, n, &e);
	ubrk_setUText(t->bi, &ut, &e);
	if (U_FAILURE(e)) {
		utext_close(&ut);
		return SQLITE_ERROR;
	}
	for (a = ubrk_first(t->bi); rc == SQLITE_OK &&
	     (b = ubrk_next(t->bi)) != UBRK_DONE; a = b) {
		if (ubrk_getRuleStatus(t->bi) < UBRK_WORD_NONE_LIMIT)
			continue;
		rc = emit_word(r, s + a, b - a, base + a, base + b, SC_DICT);
	}
	/* detach the text before it goes */
	e = U_ZERO_ERROR;
	ubrk_setText(t->bi, NULL, 0, &e);
	utext_close(&ut);
	return rc;
}

static int
bw_tokenize(Fts5Tokenizer *tk, void *ctx, int flags, const char *s, int n,
	    int (*cb)(void *, int, const char *, int, int, int))
{
	struct run r = {(struct tok *)tk, ctx, cb, flags, -1};
	int i = 0, start, j, cls, k, rc = SQLITE_OK;
	UChar32 c;
	enum script sc;

	if (!(flags & FTS5_TOKENIZE_QUERY)) {
		/* the row's language column: remembered for the columns
		 * that follow it in the row, itself no words */
		if (n > 0 && n <= 16 && s[0] == TOK_LANG_MARK) {
			char code[16];

			memcpy(code, s + 1, (size_t)n - 1);
			code[n - 1] = '\0';
			r.t->row_lang = lang_index(code);
			return SQLITE_OK;
		}
		/* snippet() and highlight() use the offsets of the tokens,
		 * whose number and places do not depend on the language:
		 * no detection for them */
		r.lang = flags & FTS5_TOKENIZE_AUX
			 ? -1 : index_lang(r.t->row_lang, s, (size_t)n);
	}
	while (rc == SQLITE_OK && i < n) {
		start = i;
		U8_NEXT(s, i, n, c);
		if ((cls = class_of(c)) == CL_SEP)
			continue;
		if (cls == CL_MARK)
			cls = CL_WORD;
		sc = script_of(c);
		while (i < n) {
			j = i;
			U8_NEXT(s, i, n, c);
			k = class_of(c);
			if (k == CL_MARK)
				continue;
			if (k != cls) {
				i = j;
				break;
			}
			if (sc == SC_OTHER)
				sc = script_of(c);
		}
		if (cls == CL_DICT)
			rc = emit_dict(&r, s + start, i - start, start);
		else
			rc = emit_word(&r, s + start, i - start, start, i, sc);
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
bw_create(void *pctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	struct tok *t = calloc(1, sizeof(*t));

	(void)argv;
	if (argc > 0) {
		free(t);
		return SQLITE_ERROR;
	}
	if (!t)
		return SQLITE_NOMEM;
	t->conn = pctx;
	t->row_lang = -1;
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void
bw_delete(Fts5Tokenizer *tk)
{
	struct tok *t = (struct tok *)tk;
	int i;

	if (!t)
		return;
	for (i = 0; i < NLANG; i++)
		if (t->sb[i])
			sb_stemmer_delete(t->sb[i]);
	if (t->bi)
		ubrk_close(t->bi);
	free(t);
}

/* ---- language detection ------------------------------------------------------- */

#define DETECT_BYTES 2048
#define DETECT_WORDS 64 /* Latin words looked up */
#define STOP_SLOTS 1024

/* The stop words of every language in one table: word → bit per langs
 * index. Built once, read-only afterwards (so shared by every thread). */
static struct stop_slot {
	char w[8];
	uint32_t langs;
} stop_table[STOP_SLOTS];
static pthread_once_t stop_once = PTHREAD_ONCE_INIT;

static struct stop_slot *
stop_find(const char *w, int n)
{
	uint32_t h = word_hash(w, n, 0) % STOP_SLOTS;

	while (stop_table[h].w[0] && (strncmp(stop_table[h].w, w, (size_t)n) ||
				       stop_table[h].w[n]))
		h = (h + 1) % STOP_SLOTS;
	return &stop_table[h];
}

static void
stop_build(void)
{
	const char *p, *e;
	struct stop_slot *s;
	int li;

	for (li = 0; li < NLANG; li++) {
		for (p = langs[li].stop; p && *p; p = e) {
			while (*p == ' ')
				p++;
			e = p + strcspn(p, " ");
			if (e == p || e - p >= (int)sizeof(s->w))
				continue;
			s = stop_find(p, (int)(e - p));
			memcpy(s->w, p, (size_t)(e - p));
			s->langs |= 1u << li;
		}
	}
}

/* What the opening of text says of its language: the script most of its
 * letters are in, and for Latin-script text the stop words of each
 * language it holds (votes). */
static enum script
detect(const char *text, size_t len, int votes[NLANG])
{
	int n = len > DETECT_BYTES ? DETECT_BYTES : (int)len;
	int cnt[SC_DICT + 1] = {0};
	int i = 0, start, best = SC_LATIN, li, words = 0;
	char w[8];
	struct stop_slot *s;
	UChar32 c;

	pthread_once(&stop_once, stop_build);
	memset(votes, 0, NLANG * sizeof(*votes));
	while (i < n) {
		start = i;
		U8_NEXT(text, i, n, c);
		if (class_of(c) == CL_SEP)
			continue;
		cnt[script_of(c)]++;
		if (script_of(c) != SC_LATIN)
			continue;
		/* a Latin word: look it up in the stop lists */
		while (i < n) {
			int j = i;

			U8_NEXT(text, i, n, c);
			if (c < 0 || script_of(c) != SC_LATIN) {
				i = j;
				break;
			}
			cnt[SC_LATIN]++;
		}
		if (i - start >= (int)sizeof(w) || ++words > DETECT_WORDS)
			continue;
		for (int k = 0; k < i - start; k++)
			w[k] = (text[start + k] >= 'A' && text[start + k] <= 'Z')
			       ? text[start + k] | 0x20 : text[start + k];
		s = stop_find(w, i - start);
		for (li = 0; s->w[0] && li < NLANG; li++)
			if (s->langs & (1u << li))
				votes[li]++;
	}
	for (i = SC_LATIN; i <= SC_DICT; i++)
		if (cnt[i] > cnt[best])
			best = i;
	/* no letters at all: nothing contradicts a declared language */
	return cnt[best] ? (enum script)best : SC_OTHER;
}

/* The Latin-script language whose stop words clearly lead (English, as
 * before languages, when none does). */
static int
latin_lead(const int votes[NLANG], int *second)
{
	int li, bl = -1;

	*second = 0;
	for (li = 0; li < NLANG; li++) {
		if (bl < 0 || votes[li] > votes[bl]) {
			if (bl >= 0)
				*second = votes[bl];
			bl = li;
		} else if (votes[li] > *second) {
			*second = votes[li];
		}
	}
	return votes[bl] < 2 || votes[bl] == *second ? 0 : bl;
}

static int
detect_index(const char *text, size_t len)
{
	int votes[NLANG], second;
	enum script sc = detect(text, len, votes);

	if (sc == SC_DICT)
		return -1;
	if (sc != SC_LATIN && sc != SC_OTHER)
		return script_default(sc);
	return latin_lead(votes, &second);
}

const char *
tok_detect_lang(const char *text, size_t len)
{
	int li = detect_index(text, len);

	return li < 0 ? NULL : langs[li].code;
}

/* The language text is indexed in when its row declares declared (a
 * langs index, -1: none or one we do not stem). The declaration wins
 * unless the text clearly says otherwise: most of its letters are of
 * another script (a page marked "en" whose text is Russian), or, in
 * Latin script, another language's stop words are many (8 or more) and
 * at least four times the declared one's. */
static int
index_lang(int declared, const char *text, size_t len)
{
	int votes[NLANG], second, lead;
	enum script sc;

	if (declared < 0)
		return detect_index(text, len);
	sc = detect(text, len, votes);
	if (sc == SC_OTHER)
		return declared;
	if (sc != langs[declared].sc)
		return sc == SC_DICT ? -1 : sc == SC_LATIN
			? latin_lead(votes, &second) : script_default(sc);
	if (sc == SC_LATIN) {
		lead = latin_lead(votes, &second);
		if (lead != declared && votes[lead] >= 8 &&
		    votes[lead] >= 4 * votes[declared])
			return lead;
	}
	return declared;
}

const char *
tok_index_lang(const char *declared, const char *text, size_t len)
{
	int li = index_lang(lang_index(declared), text, len);

	return li < 0 ? NULL : langs[li].code;
}

/* ---- folding whole strings -------------------------------------------------------- */

char *
tok_fold(const char *s)
{
	UErrorCode e = U_ZERO_ERROR;
	size_t len = strlen(s), i;
	int32_t un, m, k, cap;
	UChar *u = NULL, *v = NULL;
	char *o;
	int ascii = 1;

	for (i = 0; i < len && ascii; i++)
		ascii = (unsigned char)s[i] < 0x80;
	if (ascii || len > 1 << 20) {
		if (!(o = malloc(len + 1)))
			return NULL;
		for (i = 0; i <= len; i++)
			o[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] | 0x20 : s[i];
		return o;
	}
	/* folding triples a unit at most, NFD of that a few times more */
	cap = (int32_t)len * 12 + 16;
	u = malloc((size_t)cap * sizeof(*u));
	v = malloc((size_t)cap * sizeof(*v));
	o = NULL;
	if (!u || !v)
		goto done;
	u_strFromUTF8WithSub(u, cap, &un, s, (int32_t)len, 0xFFFD, NULL, &e);
	if (U_FAILURE(e) || (m = fold16(u, un, v, cap)) < 0 ||
	    (m = strip16(v, m, cap, u, cap)) < 0)
		goto fail;
	/* strip16 leaves the text in v: make it u */
	{
		UChar *x = u;

		u = v;
		v = x;
	}
	if (!(o = malloc((size_t)m * 3 + 1)))
		goto done;
	u_strToUTF8(o, m * 3 + 1, &k, u, m, &e);
	if (U_FAILURE(e))
		goto fail;
	goto done;
fail:
	/* ICU could not: fall back to ASCII folding, never lose the text */
	free(o);
	if ((o = malloc(len + 1)))
		for (i = 0; i <= len; i++)
			o[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] | 0x20
							    : s[i];
done:
	free(u);
	free(v);
	return o;
}

int
tok_fold_contains(const char *hay, const char *needle)
{
	char *h, *n;
	int r;

	if (!*needle)
		return 1;
	h = tok_fold(hay);
	n = tok_fold(needle);
	r = h && n ? strstr(h, n) != NULL : -ENOMEM;
	free(h);
	free(n);
	return r;
}

/* ---- registration ------------------------------------------------------------ */

static void
sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	char *o;

	(void)argc;
	if (!s) {
		sqlite3_result_null(ctx);
		return;
	}
	if (!(o = tok_fold(s))) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, o, -1, free);
}

/* The SQLite loadable-extension entry point of build/bwtok.so (the sqlite3
 * shell's ".load", Python's load_extension): "bw" and bw_fold() for
 * tools that read a briefwatch database. Linked against the same
 * libsqlite3 as its host, so it calls the library directly. */
int
sqlite3_bwtok_init(sqlite3 *db, char **err, const void *api)
{
	(void)api;
	if (tok_register(db, NULL) < 0) {
		if (err)
			*err = sqlite3_mprintf("cannot register the bw tokenizer");
		return SQLITE_ERROR;
	}
	return SQLITE_OK;
}

void
tok_set_query_lang(struct tok_conn *c, const char *lang)
{
	if (c)
		c->qlang = lang_index(lang);
}

uint32_t
tok_langs_seen(const struct tok_conn *c)
{
	return c ? c->seen : 0;
}

void
tok_set_query_mask(struct tok_conn *c, uint32_t mask)
{
	if (c)
		c->qmask = mask;
}

static void
sql_langs_seen(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc, (void)argv;
	sqlite3_result_int64(ctx, tok_langs_seen(sqlite3_user_data(ctx)));
}

int
tok_register(sqlite3 *db, struct tok_conn **out)
{
	static fts5_tokenizer bw = {bw_create, bw_delete, bw_tokenize};
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	struct tok_conn *c;
	int rc;

	if (out)
		*out = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return -EIO;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (!api || api->iVersion < 2)
		return -EIO;
	if (!(c = calloc(1, sizeof(*c))))
		return -ENOMEM;
	c->qlang = -1;
	c->qmask = ~0u;
	rc = api->xCreateTokenizer(api, "bw", c, &bw, free);
	if (rc != SQLITE_OK) {
		free(c);
		return rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
	}
	rc = sqlite3_create_function(db, "bw_fold", 1, SQLITE_UTF8 |
				     SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
				     NULL, sql_fold, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "bw_langs_seen", 0,
					     SQLITE_UTF8, c, sql_langs_seen,
					     NULL, NULL);
	if (rc != SQLITE_OK)
		return rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
	if (out)
		*out = c;
	return 0;
}
