/* lang.c — per-language word tables and Unicode case (see include/lang.h).
 *
 * One struct lang_table per language. Every word is folded (lower case as
 * utf8_fold() writes it); lists end with NULL. To add a language, add a
 * table and put it in langs[]: no code changes.
 */
#include "lang.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct lang_table {
	const char *code;                   /* ISO 639-1 */
	const char *const *cat[LANG_CAT_N]; /* enum lang_cat */
	const char *const *months[12];
	const char *const *weekdays;
	const char *const *date_fillers;
	const char *const *boilerplate;     /* whole folded lines */
	const char *const *common;          /* frequent words, for guessing */
	const char *const *abbrev;          /* pairs: "pm", "Prime Minister" */
	const char *const *floor_suffix;    /* "法新社记者": a reporter */
	int inflected; /* words take case endings: "президента" is
			* "президент" (up to two letters more) */
	int dates_only; /* only month and weekday names (feed dates): not a
			 * language the transcript rules know */
};

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- English (beyond the core tables of transcript_label.c) ---- */
static const struct lang_table lang_en = {
	.code = "en",
	.cat = {
		[LANG_FLOOR] = L("q", "question", "questions", "questioner",
				 "journalist", "journalists", "journo", "reporter", "reporters",
				 "correspondent", "audience", "audience member",
				 "participant", "media", "press", "voice",
				 "follow-up", "followup", "off mic", "off-mic",
				 "unidentified journalist",
				 "unidentified reporter", "unidentified speaker",
				 "unknown speaker", "male reporter",
				 "female reporter", "male voice", "female voice",
				 "crosstalk", "interjection", "caller",
				 "host question"),
		[LANG_HONORIFIC] = L("mr", "mrs", "ms", "miss", "mx", "dr", "sir",
				     "dame", "hon", "rt", "the", "prof", "lord",
				     "lady", "his", "her", "excellency",
				     /* India */
				     "shri", "smt", "shrimati", "sri"),
		[LANG_OFFICE] = L("president", "minister", "secretary",
				  "spokesperson", "spokesman", "spokeswoman",
				  "treasurer", "premier", "chancellor",
				  "ambassador", "governor", "senator", "mayor",
				  "leader", "chair", "chairman", "director",
				  "commissioner", "general", "admiral",
				  "moderator", "host", "pm", "dpm", "attorney",
				  "official", "officer", "coordinator", "envoy",
				  "adviser", "advisor", "deputy", "assistant",
				  "operator", "interpreter", "translator",
				  "king", "queen", "prince", "speaker",
				  /* the nouns of office names */
				  "communications", "affairs", "security",
				  "policy", "operations", "staff", "relations",
				  "services", "council", "department",
				  "ministry", "office", "bureau", "strategic",
				  "national", "public", "international",
				  "economic", "homeland", "intelligence",
				  "treasury", "commerce", "defence", "defense",
				  "immigration", "agency", "administration",
				  "nsc", "hhs", "dhs", "dod", "usaid", "republic",
				  "government", "federation", "kingdom",
				  "commonwealth", "union", "commission", "border",
				  "protection", "foreign", "trade", "health",
				  "finance", "education", "environment",
				  "energy", "agriculture", "transport",
				  "infrastructure", "employment", "industry",
				  "innovation", "veterans", "citizenship",
				  /* Ireland's heads of government */
				  "taoiseach", "t\xc3\xa1naiste", "tanaiste"),
		[LANG_CONNECT] = L("of", "the", "for", "and", "on", "to", "&"),
		[LANG_FIELD] = L("subjects", "subject", "subject(s)", "topics",
				 "topic", "note", "notes", "update", "updated",
				 "location", "date", "time", "venue", "place",
				 "source", "sources", "contact", "media contact",
				 "phone", "tel", "email", "fax", "web", "website",
				 "release", "release date", "embargo",
				 "embargoed", "issued", "keywords", "tags",
				 "category", "categories", "attachments",
				 "related", "editor's note", "editors note",
				 "background", "transcript", "summary", "via",
				 "watch", "listen", "read more", "see also",
				 "copyright", "photo", "image", "video", "audio",
				 "e&oe", "caution", "warning", "agenda", "re",
				 "speakers", "participants", "panelists",
				 "panellists", "attendees", "present", "guests",
				 "cc", "from", "to", "by",
				 /* heading words next to names in titles */
				 "joint", "aboard", "remarks", "statement",
				 "interview", "briefing", "conference",
				 "availability", "meeting", "gaggle", "readout",
				 "roundtable", "discussion", "speech", "address",
				 "visit", "trip", "upcoming", "en", "route",
				 "ahead", "following", "during", "announcement",
				 "doorstop",
				 /* events a speech is given at */
				 "symposium", "summit", "forum", "congress",
				 "convention", "dinner", "luncheon", "gala",
				 "ceremony", "seminar", "workshop", "webinar",
				 "reception", "launch", "awards", "festival",
				 "expo", "lecture", "keynote",
				 /* "Speaker: Ms. Dana Whitcombe, Director" */
				 "speaker"),
		[LANG_OUTLET] = L("afp", "ap", "associated press", "reuters",
				  "bloomberg", "xinhua", "cctv", "cgtn", "dpa",
				  "efe", "ansa", "kyodo", "kyodo news", "nhk",
				  "tass", "ria novosti", "bbc", "cnn", "nbc",
				  "abc", "cbs", "npr", "nikkei",
				  "yonhap", "al jazeera", "sputnik", "anadolu",
				  "prensa latina", "bernama", "antara", "pti",
				  "apa", "aap", "the paper", "caixin",
				  "cnr", "sbs", "rte", "ard", "zdf", "rtl"),
		[LANG_OUTLET_WORD] = L("news", "tv", "daily", "times",
				       "radio", "agency", "network", "channel",
				       "journal", "herald", "gazette",
				       "tribune", "telegraph", "broadcasting",
				       "corporation", "wire", "magazine",
				       "newspaper", "television"),
	},
	.months = {
		L("jan", "january"), L("feb", "february"),
		L("mar", "march"), L("apr", "april"), L("may"),
		L("jun", "june"), L("jul", "july"), L("aug", "august"),
		L("sep", "sept", "september"), L("oct", "october"),
		L("nov", "november"), L("dec", "december"),
	},
	.weekdays = L("mon", "monday", "tue", "tues", "tuesday", "wed",
		      "wednesday", "thu", "thur", "thurs", "thursday", "fri",
		      "friday", "sat", "saturday", "sun", "sunday"),
	.date_fillers = L("of", "the", "on"),
	.boilerplate = L("as delivered", "as prepared for delivery",
			 "check against delivery", "as prepared",
			 "(as delivered)", "(as prepared for delivery)",
			 "(check against delivery)", "e&oe", "e & oe",
			 "e&oe - proof only", "e & o e - proof only",
			 "ends", "-ends-", "— ends —", "end", "###"),
	.common = L("the", "and", "of", "to", "is", "that", "we", "you",
		    "with", "this", "have", "are", "for", "it", "was"),
	.abbrev = L("pm", "Prime Minister", "dpm", "Deputy Prime Minister",
		    "fm", "Foreign Minister", "sg", "Secretary General",
		    "sec", "Secretary", "potus", "President",
		    "vpotus", "Vice President"),
};

/* ---- Spanish ---- */
static const struct lang_table lang_es = {
	.code = "es",
	.cat = {
		[LANG_FLOOR] = L("pregunta", "preguntas", "interlocutor",
				 "interlocutora", "interlocutor(a)",
				 "interlocutores", "intervención",
				 "intervencion", "periodista", "reportero",
				 "reportera", "asistente", "participante",
				 "voz", "voces", "público", "publico",
				 "pregunta de la prensa", "prensa"),
		[LANG_HONORIFIC] = L("sr", "sra", "srta", "señor", "señora",
				     "señorita", "don", "doña", "lic", "licenciado",
				     "licenciada", "dr", "dra", "doctor",
				     "doctora", "ing", "ingeniero", "ingeniera",
				     "mtro", "mtra", "maestro", "maestra", "gral",
				     "excelentísimo", "excelentísima"),
		[LANG_OFFICE] = L("presidente", "presidenta", "secretario",
				  "secretaria", "subsecretario", "subsecretaria",
				  "ministro", "ministra", "director", "directora",
				  "titular", "gobernador", "gobernadora",
				  "canciller", "vocero", "vocera", "portavoz",
				  "jefe", "jefa", "coordinador", "coordinadora",
				  "comisionado", "comisionada", "embajador",
				  "embajadora", "alcalde", "alcaldesa",
				  "general", "almirante", "procurador",
				  "fiscal", "senador", "senadora", "diputado",
				  "diputada", "moderador", "moderadora",
				  "conductor", "conductora", "presentador",
				  "presentadora", "encargado", "encargada",
				  "rector", "rectora", "consejero", "consejera",
				  "república", "gobierno", "secretaría",
				  "nación", "estado",
				  /* the nouns of ministries and agencies */
				  "salud", "hacienda", "gobernación",
				  "seguridad", "economía", "educación",
				  "bienestar", "defensa", "energía",
				  "comunicaciones", "relaciones", "exteriores",
				  "trabajo", "turismo", "agricultura",
				  "pública", "público", "protección",
				  "ciudadana", "nacional", "federal",
				  "prevención", "promoción", "comercio",
				  "exterior", "infraestructura", "transportes",
				  "desarrollo", "social", "medio", "ambiente",
				  "unidad", "programa", "instituto", "comisión",
				  "administrador", "administradora",
				  "comandante", "viceministro", "viceministra"),
		[LANG_CONNECT] = L("de", "del", "la", "las", "el", "los", "y",
				   "e", "para", "en"),
		[LANG_FIELD] = L("asunto", "asuntos", "tema", "temas", "nota",
				 "notas", "lugar", "fecha", "hora", "fuente",
				 "actualización", "actualizacion", "contacto",
				 "resumen", "etiquetas", "categoría",
				 "categoria", "versión estenográfica",
				 "version estenografica", "transcripción",
				 "transcripcion", "participantes", "discurso",
				 "mensaje", "palabras", "conferencia",
				 "declaración", "declaracion", "versión",
				 "entrevista"),
	},
	.months = {
		L("enero", "ene"), L("febrero", "feb"), L("marzo", "mar"),
		L("abril", "abr"), L("mayo", "may"), L("junio", "jun"),
		L("julio", "jul"), L("agosto", "ago"),
		L("septiembre", "setiembre", "sep", "sept", "set"),
		L("octubre", "oct"), L("noviembre", "nov"),
		L("diciembre", "dic"),
	},
	.weekdays = L("lunes", "martes", "miércoles", "jueves", "viernes",
		      "sábado", "domingo",
		      "lun", "mar", "mié", "miérc", "jue", "vie", "sáb", "dom"),
	.date_fillers = L("de", "del", "el", "a", "las"),
	.boilerplate = L("versión estenográfica", "version estenografica",
			 "sólo el texto pronunciado es válido",
			 "cotejar con la versión pronunciada",
			 "--00--", "—00—", "-00-", "–00–", "---",
			 "--ooo--", "-o0o-", "--o0o--"),
	.common = L("el", "la", "de", "que", "y", "los", "las", "en",
		    "del", "por", "una", "para", "con", "es", "se"),
};

/* ---- French ---- */
static const struct lang_table lang_fr = {
	.code = "fr",
	.cat = {
		[LANG_FLOOR] = L("question", "questions", "journaliste",
				 "journalistes", "intervenant", "intervenante",
				 "participant", "participante", "public",
				 "auditeur", "auditrice", "voix", "presse"),
		[LANG_HONORIFIC] = L("m", "mme", "mlle", "monsieur", "madame",
				     "mademoiselle", "maître", "dr", "pr",
				     "professeur"),
		[LANG_OFFICE] = L("président", "présidente", "president",
				  "ministre", "premier", "première",
				  "secrétaire", "porte-parole", "directeur",
				  "directrice", "ambassadeur", "ambassadrice",
				  "maire", "préfet", "préfète", "général",
				  "amiral", "commissaire", "sénateur",
				  "sénatrice", "député", "députée",
				  "modérateur", "modératrice", "animateur",
				  "animatrice", "chef", "haut-commissaire",
				  "chancelier", "chancelière", "gouverneur",
				  "conseiller", "conseillère", "délégué",
				  "déléguée", "roi", "reine", "interprète",
				  "république", "gouvernement", "ministère",
				  "assemblée", "sénat", "conseil"),
		[LANG_CONNECT] = L("de", "du", "des", "la", "le", "les", "l",
				   "et", "pour", "chargé", "chargée", "à", "aux",
				   "d"),
		[LANG_FIELD] = L("sujet", "sujets", "thème", "thèmes", "note",
				 "lieu", "date", "heure", "source",
				 "mise à jour", "contact", "résumé", "mots-clés",
				 "catégorie", "seul le prononcé fait foi",
				 "intervenants", "participants", "discours",
				 "allocution", "déclaration", "conférence",
				 "entretien", "interview"),
	},
	.months = {
		L("janvier", "janv", "jan"), L("février", "févr", "fév"),
		L("mars"), L("avril", "avr"), L("mai"), L("juin"),
		L("juillet", "juil"), L("août", "aoû"),
		L("septembre", "sept", "sep"), L("octobre", "oct"),
		L("novembre", "nov"), L("décembre", "déc", "dec"),
	},
	.weekdays = L("lundi", "mardi", "mercredi", "jeudi", "vendredi",
		      "samedi", "dimanche",
		      "lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
	.date_fillers = L("le", "du", "er", "1er", "à"),
	.boilerplate = L("seul le prononcé fait foi",
			 "(seul le prononcé fait foi)",
			 "seul le texte prononcé fait foi",
			 "discours prononcé", "fin", "– fin –", "- fin -"),
	.common = L("le", "la", "les", "de", "des", "et", "est", "que",
		    "une", "pour", "nous", "dans", "qui", "pas", "du"),
};

/* ---- German ---- */
static const struct lang_table lang_de = {
	.code = "de",
	.cat = {
		[LANG_FLOOR] = L("frage", "fragen", "zusatzfrage", "nachfrage",
				 "journalist", "journalistin", "journalisten",
				 "reporter", "reporterin", "teilnehmer",
				 "teilnehmerin", "zuruf", "zwischenfrage", "zusatz",
				 "publikum", "stimme", "presse"),
		[LANG_HONORIFIC] = L("herr", "frau", "hr", "fr", "dr", "prof", "vors",
				     "sehr", "geehrte", "geehrter"),
		[LANG_OFFICE] = L("bundeskanzler", "bundeskanzlerin",
				  "kanzler", "kanzlerin", "bundespräsident",
				  "bundespräsidentin", "präsident",
				  "präsidentin", "minister", "ministerin",
				  "bundesminister", "bundesministerin",
				  "staatssekretär", "staatssekretärin",
				  "staatsminister", "staatsministerin",
				  "regierungssprecher", "regierungssprecherin",
				  "sprecher", "sprecherin", "pressesprecher",
				  "pressesprecherin", "stellvertretender",
				  "stellvertretende", "vorsitzender",
				  "vorsitzende", "botschafter",
				  "botschafterin", "bürgermeister",
				  "bürgermeisterin", "ministerpräsident",
				  "ministerpräsidentin", "moderator",
				  "moderatorin", "direktor", "direktorin",
				  "leiter", "leiterin", "general",
				  "dolmetscher", "dolmetscherin",
				  "vizekanzler", "vizekanzlerin", "senator",
				  "senatorin", "abgeordneter", "abgeordnete",
				  "chef", "chefin", "sts", "srs", "srsin", "stv",
				  "bk", "bkin", "stellv", "bundesrepublik",
				  "bundestag", "bundesrat", "auswärtigen",
				  "bundesministerium", "ministerium", "amt",
				  "auswärtige", "finanzen", "innern",
				  "gesundheit", "wirtschaft", "verteidigung",
				  "bundesregierung"),
		[LANG_CONNECT] = L("der", "des", "die", "für", "und", "im",
				   "von", "vom", "beim"),
		[LANG_FIELD] = L("thema", "themen", "betreff", "hinweis",
				 "anmerkung", "ort", "datum", "zeit", "uhrzeit",
				 "quelle", "aktualisiert", "stand", "kontakt",
				 "zusammenfassung", "schlagworte", "kategorie",
				 "es gilt das gesprochene wort", "mitschrift",
				 "achtung", "sperrfrist", "sprecher",
				 "sprecherin", "sprecherinnen und sprecher",
				 "teilnehmende", "gäste", "rede",
				 "pressekonferenz", "pressestatement",
				 "interview", "grußwort", "regierungserklärung",
				 "statement", "mitschrift"),
	},
	.months = {
		L("januar", "jänner", "jan"), L("februar", "feber", "feb"),
		L("märz", "maerz", "mär", "mrz"), L("april", "apr"),
		L("mai"), L("juni", "jun"), L("juli", "jul"),
		L("august", "aug"), L("september", "sep", "sept"),
		L("oktober", "okt"), L("november", "nov"),
		L("dezember", "dez"),
	},
	.weekdays = L("montag", "dienstag", "mittwoch", "donnerstag",
		      "freitag", "samstag", "sonnabend", "sonntag",
		      "mo", "di", "mi", "do", "fr", "sa", "so"),
	.date_fillers = L("den", "am", "vom", "um", "uhr"),
	.boilerplate = L("es gilt das gesprochene wort",
			 "(es gilt das gesprochene wort)",
			 "– es gilt das gesprochene wort –",
			 "- es gilt das gesprochene wort -", "ende"),
	.abbrev = L("bk", "Bundeskanzler", "bkin", "Bundeskanzlerin",
		    "brk", "Bundeskanzler", "srs", "Regierungssprecher",
		    "srsin", "Regierungssprecherin",
		    "stv srs", "Stellvertretender Regierungssprecher"),
	.common = L("der", "die", "und", "das", "ist", "nicht", "wir",
		    "ich", "sie", "zu", "den", "mit", "auch", "auf", "es"),
};

/* ---- Portuguese ---- */
static const struct lang_table lang_pt = {
	.code = "pt",
	.cat = {
		[LANG_FLOOR] = L("pergunta", "perguntas", "jornalista",
				 "jornalistas", "repórter", "reporter",
				 "interlocutor", "interlocutora",
				 "participante", "intervenção", "intervencao",
				 "plateia", "voz"),
		[LANG_HONORIFIC] = L("sr", "sra", "srª", "senhor", "senhora",
				     "dom", "dona", "dr", "dra", "drª", "doutor",
				     "doutora", "exmo", "exma", "excelentíssimo",
				     "excelentíssima"),
		[LANG_OFFICE] = L("presidente", "presidenta", "ministro",
				  "ministra", "secretário", "secretária",
				  "porta-voz", "diretor", "diretora",
				  "governador", "governadora", "embaixador",
				  "embaixadora", "prefeito", "prefeita",
				  "senador", "senadora", "deputado", "deputada",
				  "chanceler", "primeiro-ministro",
				  "primeira-ministra", "vice-presidente",
				  "república", "governo",
				  "mediador", "mediadora", "apresentador",
				  "apresentadora", "general", "comandante"),
		[LANG_CONNECT] = L("de", "da", "do", "das", "dos", "e", "para"),
		[LANG_FIELD] = L("assunto", "assuntos", "tema", "temas", "nota",
				 "local", "data", "hora", "fonte",
				 "atualização", "atualizado", "contato",
				 "contacto", "resumo", "categoria", "discurso",
				 "pronunciamento", "declaração", "entrevista"),
	},
	.months = {
		L("janeiro", "jan"), L("fevereiro", "fev"),
		L("março", "mar"), L("abril", "abr"),
		L("maio", "mai"), L("junho", "jun"), L("julho", "jul"),
		L("agosto", "ago"), L("setembro", "set"),
		L("outubro", "out"), L("novembro", "nov"),
		L("dezembro", "dez"),
	},
	.weekdays = L("segunda-feira", "terça-feira", "quarta-feira",
		      "quinta-feira", "sexta-feira", "sábado", "domingo",
		      "segunda", "terça", "quarta", "quinta", "sexta",
		      "seg", "ter", "qua", "qui", "sex", "sáb", "dom"),
	.date_fillers = L("de", "do", "às"),
	.boilerplate = L("confira a versão proferida",
			 "faz fé a versão proferida"),
	.common = L("o", "a", "de", "que", "e", "do", "da", "em", "um",
		    "para", "não", "uma", "os", "com", "no"),
};

/* ---- Italian ---- */
static const struct lang_table lang_it = {
	.code = "it",
	.cat = {
		[LANG_FLOOR] = L("domanda", "domande", "giornalista",
				 "giornalisti", "cronista", "intervento",
				 "partecipante", "pubblico", "voce"),
		[LANG_HONORIFIC] = L("sig", "sigra", "sig.ra", "signor",
				     "signore", "signora", "dott", "dottor",
				     "dottore", "dottoressa", "onorevole",
				     "prof", "avv", "ing"),
		[LANG_OFFICE] = L("presidente", "ministro", "ministra",
				  "sottosegretario", "sottosegretaria",
				  "segretario", "segretaria", "portavoce",
				  "direttore", "direttrice", "sindaco",
				  "ambasciatore", "ambasciatrice", "senatore",
				  "senatrice", "deputato", "deputata",
				  "moderatore", "moderatrice", "generale",
				  "commissario", "premier", "vicepresidente",
				  "repubblica", "consiglio", "governo"),
		[LANG_CONNECT] = L("del", "della", "dello", "dei", "degli",
				   "delle", "di", "e", "per", "al"),
		[LANG_FIELD] = L("argomento", "argomenti", "tema", "temi",
				 "nota", "luogo", "data", "ora", "fonte",
				 "aggiornamento", "aggiornato", "contatti",
				 "sommario", "categoria", "intervento",
				 "discorso", "dichiarazioni", "conferenza",
				 "intervista"),
	},
	.months = {
		L("gennaio", "gen"), L("febbraio", "feb"), L("marzo", "mar"),
		L("aprile", "apr"), L("maggio", "mag"), L("giugno", "giu"),
		L("luglio", "lug"), L("agosto", "ago"),
		L("settembre", "set", "sett"), L("ottobre", "ott"),
		L("novembre", "nov"), L("dicembre", "dic"),
	},
	.weekdays = L("lunedì", "martedì", "mercoledì", "giovedì", "venerdì",
		      "sabato", "domenica",
		      "lun", "mar", "mer", "gio", "ven", "sab", "dom"),
	.date_fillers = L("il", "di", "alle", "ore"),
	.boilerplate = L("fa fede il testo pronunciato",
			 "fa fede solo il testo pronunciato"),
	.common = L("il", "di", "che", "e", "la", "per", "un", "non",
		    "della", "del", "una", "sono", "gli", "le", "con"),
};

/* ---- Russian ---- */
static const struct lang_table lang_ru = {
	.code = "ru",
	.inflected = 1,
	.cat = {
		[LANG_FLOOR] = L("вопрос", "вопросы", "реплика", "реплики",
				 "журналист", "журналистка", "журналисты",
				 "корреспондент", "корреспондентка",
				 "голос", "голоса", "голос из зала",
				 "из зала", "участник", "участница",
				 "слушатель", "ведущий вопрос"),
		[LANG_HONORIFIC] = L("г-н", "г-жа", "господин", "госпожа",
				     "гн", "гжа"),
		[LANG_OFFICE] = L("президент", "председатель", "министр",
				  "премьер-министр", "губернатор", "глава",
				  "пресс-секретарь", "пресс-секретарь президента",
				  "помощник", "советник", "заместитель",
				  "директор", "руководитель", "посол", "мэр",
				  "ведущий", "ведущая", "модератор", "генерал",
				  "официальный", "представитель", "секретарь",
				  "спикер", "переводчик", "росси", "федераци",
				  "правительств", "республик"),
		[LANG_CONNECT] = L("по", "и", "при", "в", "на", "с"),
		[LANG_FIELD] = L("тема", "темы", "примечание", "место",
				 "дата", "время", "источник", "обновлено",
				 "контакты", "статус", "персоны", "ссылки",
				 "опубликован", "москва", "кремль", "участники",
				 "выступление", "заявление", "интервью",
				 "встреча", "совещание", "пресс-конференция"),
	},
	.months = {
		L("января", "январь", "янв"),
		L("февраля", "февраль", "фев", "февр"),
		L("марта", "март", "мар"), L("апреля", "апрель", "апр"),
		L("мая", "май"), L("июня", "июнь", "июн"),
		L("июля", "июль", "июл"), L("августа", "август", "авг"),
		L("сентября", "сентябрь", "сен", "сент"),
		L("октября", "октябрь", "окт"),
		L("ноября", "ноябрь", "ноя", "нояб"),
		L("декабря", "декабрь", "дек"),
	},
	.weekdays = L("понедельник", "вторник", "среда", "четверг",
		      "пятница", "суббота", "воскресенье",
		      "пн", "вт", "ср", "чт", "пт", "сб", "вс",
		      "пнд", "втр", "срд", "чтв", "птн", "сбт", "вск"),
	.date_fillers = L("года", "год", "г", "в"),
	.boilerplate = L("<…>", "<...>"),
	.common = L("и", "в", "не", "на", "что", "с", "мы", "это", "по",
		    "как", "у", "я", "вы", "но", "для"),
};

/* ---- Ukrainian ---- */
static const struct lang_table lang_uk = {
	.code = "uk",
	.inflected = 1,
	.cat = {
		[LANG_FLOOR] = L("питання", "запитання", "журналіст",
				 "журналістка", "журналісти", "кореспондент",
				 "кореспондентка", "репліка", "голос із зали",
				 "із зали", "учасник", "учасниця"),
		[LANG_HONORIFIC] = L("пан", "пані"),
		[LANG_OFFICE] = L("президент", "прем'єр-міністр",
				  "прем’єр-міністр", "міністр", "речник",
				  "речниця", "голова", "заступник", "заступниця",
				  "посол", "радник", "радниця", "секретар",
				  "ведучий", "ведуча", "модератор", "керівник",
				  "директор", "генерал", "україн", "уряд"),
		[LANG_CONNECT] = L("з", "і", "та", "у", "в", "на", "по"),
		[LANG_FIELD] = L("тема", "теми", "дата", "час", "місце",
				 "джерело", "оновлено", "учасники",
				 "пресконференція", "звернення", "заява",
				 "інтерв'ю", "інтерв’ю", "зустріч", "виступ"),
	},
	.months = {
		L("січня", "січень", "січ"), L("лютого", "лютий", "лют"),
		L("березня", "березень", "бер"),
		L("квітня", "квітень", "квіт"),
		L("травня", "травень", "трав"),
		L("червня", "червень", "черв"),
		L("липня", "липень", "лип"),
		L("серпня", "серпень", "серп"),
		L("вересня", "вересень", "вер"),
		L("жовтня", "жовтень", "жовт"),
		L("листопада", "листопад", "лист"),
		L("грудня", "грудень", "груд"),
	},
	.weekdays = L("понеділок", "вівторок", "середа", "четвер",
		      "п'ятниця", "п’ятниця", "субота", "неділя", "нд"),
	.date_fillers = L("року", "рік", "р"),
	.common = L("і", "та", "що", "це", "ми", "але", "як", "для", "він",
		    "вона", "які", "також", "було", "буде", "україни"),
};

/* ---- Dutch ---- */
static const struct lang_table lang_nl = {
	.code = "nl",
	.cat = {
		[LANG_FLOOR] = L("vraag", "vragen", "vervolgvraag",
				 "verslaggever", "verslaggeefster",
				 "journaliste", "deelnemer", "deelneemster",
				 "publiek", "stem", "pers"),
		[LANG_HONORIFIC] = L("dhr", "mevr", "mw", "meneer", "mevrouw",
				     "drs", "ir", "mr"),
		[LANG_OFFICE] = L("minister-president", "staatssecretaris",
				  "woordvoerder", "woordvoerster",
				  "burgemeester", "voorzitter", "premier",
				  "minister", "ambassadeur", "koning",
				  "koningin", "directeur", "commissaris",
				  "gedeputeerde", "wethouder"),
		[LANG_CONNECT] = L("van", "voor", "en"),
		[LANG_FIELD] = L("onderwerp", "onderwerpen", "datum", "tijd",
				 "plaats", "bron", "toespraak",
				 "persconferentie", "verklaring"),
	},
	.months = {
		L("januari", "jan"), L("februari", "feb"),
		L("maart", "mrt"), L("april", "apr"), L("mei"),
		L("juni", "jun"), L("juli", "jul"), L("augustus", "aug"),
		L("september", "sep", "sept"), L("oktober", "okt"),
		L("november", "nov"), L("december", "dec"),
	},
	.weekdays = L("maandag", "dinsdag", "woensdag", "donderdag",
		      "vrijdag", "zaterdag", "zondag",
		      "ma", "di", "wo", "do", "vr", "za", "zo"),
	.date_fillers = L("om", "uur"),
	.boilerplate = L("het gesproken woord geldt",
			 "alleen het gesproken woord geldt"),
	.common = L("het", "een", "van", "niet", "zijn", "voor", "wij",
		    "maar", "ook", "dat", "deze", "wordt", "naar", "hebben",
		    "worden"),
};

/* ---- Hungarian and Greek: the feed date names feedparser reads ---- */
static const struct lang_table lang_hu = {
	.code = "hu",
	.dates_only = 1,
	.months = {
		L("január"), L("február"), L("március"), L("április"),
		L("május"), L("június"), L("július"), L("augusztus"),
		L("szeptember"), L("október"), L("november"), L("december"),
	},
};

/* Greek: the abbreviations of feedparser's table, with its variants
 * ("μάώ" and "μαώ" for March), folded. */
static const struct lang_table lang_el = {
	.code = "el",
	.dates_only = 1,
	.months = {
		L("ιαν"), L("φεβ"), L("μάώ", "μαώ"), L("απρ"),
		L("μάι", "μαϊ", "μαι"), L("ιούν", "ιον"), L("ιούλ", "ιολ"),
		L("αύγ", "αυγ"), L("σεπ"), L("οκτ"), L("νοέ", "νοε"),
		L("δεκ"),
	},
	.weekdays = L("δευ", "τρι", "τετ", "πεμ", "παρ", "σαβ", "κυρ"),
};

/* ---- Chinese (labels end in a full-width colon: "毛宁：") ---- */
static const struct lang_table lang_zh = {
	.code = "zh",
	.cat = {
		[LANG_FLOOR] = L("问", "记者", "記者", "提问", "提問", "问题",
				 "問題", "听众", "观众"),
		[LANG_OFFICE] = L("发言人", "發言人", "主持人", "部长", "部長",
				  "主席", "总理", "總理", "大使"),
		[LANG_FIELD] = L("来源", "來源", "日期", "时间", "時間", "地点",
				 "地點", "主题", "主題", "责任编辑", "責任編輯",
				 "编辑", "編輯", "附件"),
		[LANG_NOT_NAME] = L("的", "是", "说", "說", "我", "你", "他", "她",
				    "们", "們", "了", "在", "这", "這", "那", "和",
				    "也", "就", "都", "要", "会", "會", "对", "對",
				    "请", "請", "如下", "指出", "表示", "强调"),
	},
	.floor_suffix = L("记者", "記者"),
	.boilerplate = L("（完）", "(完)"),
	.common = L("的", "是", "在", "了", "和", "我们", "中方"),
};

static const struct lang_table *const langs[] = {
	&lang_en, &lang_es, &lang_fr, &lang_de, &lang_pt, &lang_it, &lang_ru,
	&lang_zh, &lang_nl, &lang_hu, &lang_el, &lang_uk,
};
#define NLANGS (sizeof(langs) / sizeof(langs[0]))

static int
in_words(const char *const *v, const char *key)
{
	if (!v)
		return 0;
	for (; *v; v++)
		if ((*v)[0] == key[0] && !strcmp(*v, key))
			return 1;
	return 0;
}

static size_t unmark(const char *key, char *out, size_t cap);

/* in_words() of the unmarked key against the unmarked words of v. */
static int
in_words_unmarked(const char *const *v, const char *key)
{
	char w[64];

	if (!v)
		return 0;
	for (; *v; v++) {
		unmark(*v, w, sizeof(w));
		if (!strcmp(w, key))
			return 1;
	}
	return 0;
}

/* ---- the index -------------------------------------------------------------
 * Every word of every table, per kind, sorted once (pthread_once) for a
 * binary search; the tables stay the only source. Read-only after it is
 * built, so the lookups stay pure and thread-safe. Should a table outgrow
 * IDX_MAX, that kind falls back to scanning the tables.
 *
 * The words of dates (months, weekdays, fillers) are indexed and looked up
 * without their Latin accents (unmark()): "decembre", "aout", "mie" and
 * "MARZ" are written as often as "décembre", "août", "mié", "März". A word
 * that is two different months in two tables would be read as neither
 * (K_AMBIGUOUS); lang_date_check() tells the tests there is none. */

enum { K_MONTH = LANG_CAT_N, K_WEEKDAY, K_FILLER, K_BOILER, K_N };

#define IDX_MAX 1024
#define K_AMBIGUOUS (-1)
#define UNMARK_POOL 8192

static int
date_kind(int k)
{
	return k == K_MONTH || k == K_WEEKDAY || k == K_FILLER;
}

/* The ASCII letter a folded Latin letter with a diacritic stands for
 * (U+00E0..U+00FF, the a/e/i/o/u/c/n/y of Latin Extended-A), else 0. */
static char
base_letter(unsigned cp)
{
	static const char l1[] = "aaaaaa" "\0" "ceeeeiiii" "\0" "nooooo" "\0"
				 "\0" "uuuuy" "\0" "y";

	if (cp >= 0xE0 && cp <= 0xFF)
		return l1[cp - 0xE0];
	if (cp >= 0x100 && cp <= 0x105)
		return 'a';
	if (cp >= 0x106 && cp <= 0x10D)
		return 'c';
	if (cp >= 0x112 && cp <= 0x11B)
		return 'e';
	if (cp >= 0x128 && cp <= 0x131)
		return 'i';
	if (cp >= 0x143 && cp <= 0x148)
		return 'n';
	if (cp >= 0x14C && cp <= 0x151)
		return 'o';
	if (cp >= 0x168 && cp <= 0x173)
		return 'u';
	return 0;
}

/* key without the accents of Latin letters, into out[0..cap). Other
 * scripts are kept as they are (Cyrillic "й" is not "и"). */
static size_t
unmark(const char *key, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)key;
	size_t o = 0;
	char b;

	if (!cap)
		return 0;
	while (*p && o + 1 < cap) {
		unsigned cp = 0;

		if ((p[0] == 0xC3 || p[0] == 0xC4 || p[0] == 0xC5) &&
		    (p[1] & 0xC0) == 0x80)
			cp = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
		if (cp && (b = base_letter(cp)) != 0) {
			out[o++] = b;
			p += 2;
		} else {
			out[o++] = (char)*p++;
		}
	}
	out[o] = 0;
	return o;
}

struct lent {
	const char *w;
	unsigned mask;   /* languages holding the word */
	int value;       /* K_MONTH: 1-12 */
};

struct lidx {
	struct lent v[IDX_MAX];
	size_t n;
	int ok;
};

static struct lidx idx[K_N];
static pthread_once_t idx_once = PTHREAD_ONCE_INIT;
static pthread_once_t idx_date_once = PTHREAD_ONCE_INIT;
static char unmark_pool[UNMARK_POOL];
static size_t unmark_used;
static int month_conflicts;

static int
lent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lent *)a)->w, ((const struct lent *)b)->w);
}

static void
idx_put(int k, const char *const *v, unsigned bit, int value)
{
	struct lidx *x = &idx[k];
	const char *w;
	size_t n;

	for (; v && *v; v++) {
		if (x->n == IDX_MAX) {
			x->ok = -1;
			return;
		}
		w = *v;
		if (date_kind(k)) {
			n = unmark(w, unmark_pool + unmark_used,
				   UNMARK_POOL - unmark_used);
			if (n >= strlen(w)) {
				/* nothing removed: the table's own string */
			} else if (unmark_used + n + 1 < UNMARK_POOL) {
				w = unmark_pool + unmark_used;
				unmark_used += n + 1;
			} else {
				x->ok = -1;
				return;
			}
		}
		x->v[x->n].w = w;
		x->v[x->n].mask = bit;
		x->v[x->n].value = value;
		x->n++;
	}
}

/* The index of the kinds of one group: the date words (date_kind(),
 * the only users of unmark_pool and month_conflicts) or all the others.
 * Two groups, each built on its first use: a feed's dates need only the
 * small date tables, and sorting every table cost each `briefwatch parse
 * feed` 2.3M instructions. The groups share no state, so their two
 * pthread_once() may run at the same time on two threads. */
static void
idx_build_group(int date)
{
	size_t i, j, o;
	int k, m;

	for (i = 0; i < NLANGS; i++) {
		unsigned bit = 1u << i;

		if (date) {
			for (m = 0; m < 12; m++)
				idx_put(K_MONTH, langs[i]->months[m], bit,
					m + 1);
			idx_put(K_WEEKDAY, langs[i]->weekdays, bit, 0);
			idx_put(K_FILLER, langs[i]->date_fillers, bit, 0);
			continue;
		}
		for (k = 0; k < LANG_CAT_N; k++)
			idx_put(k, langs[i]->cat[k], bit, 0);
		idx_put(K_BOILER, langs[i]->boilerplate, bit, 0);
	}
	for (k = 0; k < K_N; k++) {
		struct lidx *x = &idx[k];

		if (date_kind(k) != date || x->ok < 0)
			continue;
		qsort(x->v, x->n, sizeof(x->v[0]), lent_cmp);
		/* one entry per word, its languages merged ("mar" is a
		 * month in four tables, the same month) */
		for (i = 0, o = 0; i < x->n; i = j) {
			x->v[o] = x->v[i];
			for (j = i + 1; j < x->n && !strcmp(x->v[j].w, x->v[i].w);
			     j++) {
				x->v[o].mask |= x->v[j].mask;
				if (k == K_MONTH && x->v[o].value != x->v[j].value &&
				    x->v[o].value != K_AMBIGUOUS) {
					x->v[o].value = K_AMBIGUOUS;
					month_conflicts++;
				}
			}
			o++;
		}
		x->n = o;
		x->ok = 1;
	}
}

static void
idx_build_date(void)
{
	idx_build_group(1);
}

static void
idx_build_rest(void)
{
	idx_build_group(0);
}

static void
idx_init(int k)
{
	if (date_kind(k))
		pthread_once(&idx_date_once, idx_build_date);
	else
		pthread_once(&idx_once, idx_build_rest);
}

static const struct lent *
idx_find(int k, const char *key)
{
	const struct lidx *x;
	size_t lo = 0, hi, mid;
	int c;

	idx_init(k);
	x = &idx[k];
	hi = x->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(key, x->v[mid].w);
		if (c == 0)
			return &x->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int
idx_ready(int k)
{
	idx_init(k);
	return idx[k].ok > 0;
}

/* Scan the tables: the fallback when an index is not built. */
static unsigned
scan_mask(int k, const char *key, int *value)
{
	unsigned mask = 0;
	size_t i;
	int m;

	for (i = 0; i < NLANGS; i++) {
		const struct lang_table *t = langs[i];

		if (k < LANG_CAT_N && in_words(t->cat[k], key))
			mask |= 1u << i;
		else if (k == K_WEEKDAY && in_words_unmarked(t->weekdays, key))
			mask |= 1u << i;
		else if (k == K_FILLER &&
			 in_words_unmarked(t->date_fillers, key))
			mask |= 1u << i;
		else if (k == K_BOILER && in_words(t->boilerplate, key))
			mask |= 1u << i;
		else if (k == K_MONTH)
			for (m = 0; m < 12; m++)
				if (in_words_unmarked(t->months[m], key)) {
					if (mask && *value != m + 1)
						*value = K_AMBIGUOUS;
					else
						*value = m + 1;
					mask |= 1u << i;
				}
	}
	return mask;
}

/* The languages holding key as a word of kind k (and its value). */
static unsigned
lookup(int k, const char *key, int *value)
{
	const struct lent *e;
	char plain[64];

	*value = 0;
	if (!key[0])
		return 0;
	if (date_kind(k)) {
		if (unmark(key, plain, sizeof(plain)) >= sizeof(plain) - 1)
			return 0;
		key = plain;
	}
	if (!idx_ready(k))
		return scan_mask(k, key, value);
	if (!(e = idx_find(k, key)))
		return 0;
	*value = e->value;
	return e->mask;
}

unsigned
lang_bit(const char *code, size_t n)
{
	size_t i;

	if (!code || n < 2)
		return 0;
	if (n > 2 && code[2] != '-' && code[2] != '_')
		return 0;
	for (i = 0; i < NLANGS; i++)
		if ((code[0] | 0x20) == langs[i]->code[0] &&
		    (code[1] | 0x20) == langs[i]->code[1] &&
		    !langs[i]->dates_only)
			return 1u << i;
	return 0;
}

const char *
lang_code(unsigned mask)
{
	size_t i;

	for (i = 0; i < NLANGS; i++)
		if (mask & (1u << i))
			return langs[i]->code;
	return NULL;
}

/* A word of v followed by at most two two-byte letters (a case ending). */
static int
in_stem(const char *const *v, const char *key)
{
	size_t n = strlen(key), m;

	for (; *v; v++) {
		m = strlen(*v);
		if (m >= 6 && n > m && n <= m + 4 && !memcmp(*v, key, m))
			return 1;
	}
	return 0;
}

int
lang_has(unsigned mask, enum lang_cat cat, const char *key)
{
	size_t i;
	int v;

	if ((unsigned)cat >= LANG_CAT_N || !key[0])
		return 0;
	if (lookup((int)cat, key, &v) & mask)
		return 1;
	if (cat != LANG_OFFICE || ((unsigned char)key[0] != 0xD0 &&
				   (unsigned char)key[0] != 0xD1))
		return 0;
	for (i = 0; i < NLANGS; i++)
		if ((mask & (1u << i)) && langs[i]->inflected &&
		    in_stem(langs[i]->cat[cat], key))
			return 1;
	return 0;
}

int
lang_has_part(unsigned mask, enum lang_cat cat, const char *key)
{
	size_t i;
	const char *const *v;

	if ((unsigned)cat >= LANG_CAT_N)
		return 0;
	for (i = 0; i < NLANGS; i++) {
		if (!(mask & (1u << i)) || !(v = langs[i]->cat[cat]))
			continue;
		for (; *v; v++)
			if (strstr(key, *v))
				return 1;
	}
	return 0;
}

int
lang_floor_suffix(const char *key)
{
	size_t i, n = strlen(key), m;
	const char *const *v;

	if (n < 4 || (unsigned char)key[0] < 0xE0)
		return 0; /* the suffixed forms are CJK */
	for (i = 0; i < NLANGS; i++)
		for (v = langs[i]->floor_suffix; v && *v; v++) {
			m = strlen(*v);
			if (n > m && n <= m + 24 && !strcmp(key + n - m, *v))
				return 1;
		}
	return 0;
}

/* One adjacent transposition away from s ("journalsit")? */
static int
transposed(const char *key, size_t n, const char *s)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n && key[i] == s[i]; i++)
		;
	return i + 1 < n && key[i] == s[i + 1] && key[i + 1] == s[i] &&
	       !strcmp(key + i + 2, s + i + 2);
}

int
lang_has_typo(unsigned mask, enum lang_cat cat, const char *key)
{
	size_t i, n = strlen(key);
	const char *const *v;

	if ((unsigned)cat >= LANG_CAT_N || n < 8)
		return 0;
	for (i = 0; i < NLANGS; i++) {
		if (!(mask & (1u << i)) || !(v = langs[i]->cat[cat]))
			continue;
		for (; *v; v++)
			if ((*v)[0] == key[0] && transposed(key, n, *v))
				return 1;
	}
	return 0;
}

const char *
lang_expand(const char *key)
{
	size_t i;
	const char *const *v;

	for (i = 0; i < NLANGS; i++)
		for (v = langs[i]->abbrev; v && *v && v[1]; v += 2)
			if (!strcmp(*v, key))
				return v[1];
	return NULL;
}

int
lang_month(const char *key)
{
	int v;

	return lookup(K_MONTH, key, &v) && v > 0 ? v : 0;
}

void
lang_date_word(const char *key, struct lang_date_word *w)
{
	char plain[64];
	const struct lent *e;
	int v;

	memset(w, 0, sizeof(*w));
	if (!key[0] || unmark(key, plain, sizeof(plain)) >= sizeof(plain) - 1)
		return;
	if (!idx_ready(K_MONTH) || !idx_ready(K_WEEKDAY) ||
	    !idx_ready(K_FILLER)) {
		w->month_langs = scan_mask(K_MONTH, plain, &v);
		w->month = v > 0 ? v : 0;
		if (!w->month)
			w->month_langs = 0;
		w->weekday_langs = scan_mask(K_WEEKDAY, plain, &v);
		w->filler_langs = scan_mask(K_FILLER, plain, &v);
		return;
	}
	if ((e = idx_find(K_MONTH, plain)) && e->value > 0) {
		w->month = e->value;
		w->month_langs = e->mask;
	}
	if ((e = idx_find(K_WEEKDAY, plain)))
		w->weekday_langs = e->mask;
	if ((e = idx_find(K_FILLER, plain)))
		w->filler_langs = e->mask;
}

int
lang_date_check(void)
{
	idx_init(K_MONTH);
	if (idx[K_MONTH].ok <= 0 || idx[K_WEEKDAY].ok <= 0 ||
	    idx[K_FILLER].ok <= 0)
		return -1;
	return month_conflicts;
}

int
lang_weekday(const char *key)
{
	int v;

	return lookup(K_WEEKDAY, key, &v) != 0;
}

int
lang_date_filler(const char *key)
{
	int v;

	return lookup(K_FILLER, key, &v) != 0;
}

int
lang_boilerplate(const char *key)
{
	int v;

	return lookup(K_BOILER, key, &v) != 0;
}

/* ---- Unicode case -------------------------------------------------------- */

size_t
utf8_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k, i;

	if (c < 0xC2)
		return 1;
	k = c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 1;
	if (k > n)
		return 1;
	for (i = 1; i < k; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return 1;
	return k;
}

static uint32_t
decode(const char *s, size_t n, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k = n ? utf8_len(s, n) : 0;

	*len = k ? k : 1;
	if (k == 0)
		return 0;
	if (k == 1)
		return p[0] < 0x80 ? p[0] : 0xFFFD;
	if (k == 2)
		return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
	if (k == 3)
		return ((uint32_t)(p[0] & 0x0F) << 12) |
		       ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
	return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
	       ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

/* Lower case of cp for the scripts we handle; cp itself otherwise. Every
 * mapping keeps the UTF-8 length (titlecase works in place). */
static uint32_t
lower_cp(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp < 0xC0)
		return cp;
	if (cp <= 0xDE)
		return cp == 0xD7 ? cp : cp + 32;
	if (cp >= 0x100 && cp <= 0x17F) {
		if ((cp <= 0x137 || (cp >= 0x14A && cp <= 0x177)) && !(cp & 1))
			return cp + 1;
		if (((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) &&
		    (cp & 1))
			return cp + 1;
		if (cp == 0x178)
			return 0xFF;
		return cp;
	}
	if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
		return cp + 32;
	if (cp == 0x386)
		return 0x3AC;
	if (cp >= 0x388 && cp <= 0x38A)
		return cp + 37;
	if (cp == 0x38C)
		return 0x3CC;
	if (cp == 0x38E || cp == 0x38F)
		return cp + 63;
	if (cp >= 0x410 && cp <= 0x42F)
		return cp + 32;
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 80;
	return cp;
}

static int
lower_only_cp(uint32_t cp)
{
	if (cp >= 'a' && cp <= 'z')
		return 1;
	if (cp >= 0xDF && cp <= 0xFF)
		return cp != 0xF7;
	if (cp >= 0x100 && cp <= 0x17F)
		return lower_cp(cp) == cp && cp != 0x138 && cp != 0x149;
	if (cp >= 0x3AC && cp <= 0x3CE)
		return 1;
	if (cp >= 0x430 && cp <= 0x45F)
		return 1;
	return 0;
}

int
utf8_is_upper(const char *s, size_t n)
{
	size_t k;
	uint32_t cp = decode(s, n, &k);

	return lower_cp(cp) != cp;
}

int
utf8_is_lower(const char *s, size_t n)
{
	size_t k;

	return lower_only_cp(decode(s, n, &k));
}

int
utf8_is_letter(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];

	if (!n)
		return 0;
	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	return c >= 0xC3 && !(c == 0xC3 && ((unsigned char)s[1] == 0x97 ||
					    (unsigned char)s[1] == 0xB7));
}

static size_t
encode(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t
utf8_fold(const char *s, size_t n, char *out, size_t cap)
{
	size_t i = 0, o = 0, k;

	if (!cap)
		return 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80) {
			if (o + 1 >= cap)
				break;
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			i++;
			continue;
		}
		k = utf8_len(s + i, n - i);
		if (o + k >= cap)
			break;
		if (k == 1) {
			out[o++] = (char)c;
		} else {
			size_t kk;
			uint32_t cp = decode(s + i, n - i, &kk);

			o += encode(lower_cp(cp), out + o);
		}
		i += k;
	}
	out[o] = 0;
	return o;
}

void
utf8_titlecase(char *s, size_t n)
{
	size_t i = 0, k;
	int start = 1;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		k = utf8_len(s + i, n - i);
		if (!start && k > 1) {
			size_t kk;
			uint32_t cp = decode(s + i, n - i, &kk);

			encode(lower_cp(cp), s + i);
		} else if (!start && c >= 'A' && c <= 'Z') {
			s[i] = (char)(c + 32);
		}
		start = c == ' ' || c == '-' || c == '\'' || c == '.' ||
			(k == 3 && (unsigned char)s[i] == 0xE2 &&
			 (unsigned char)s[i + 1] == 0x80 &&
			 (unsigned char)s[i + 2] == 0x99);
		i += k;
	}
}

/* ---- guessing ------------------------------------------------------------ */

unsigned
lang_guess(const char *s, size_t n)
{
	size_t i = 0, cyr = 0, lat = 0, w, best_n = 0, counts[NLANGS] = {0};
	unsigned best = 0;
	char key[32];

	if (n > 4096)
		n = 4096;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0xD0 || c == 0xD1)
			cyr++;
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			lat++;
		i += utf8_len(s + i, n - i);
	}
	if (cyr > lat) {
		/* і ї є ґ are Ukrainian letters Russian does not write */
		size_t uk = 0;

		for (i = 0; i + 1 < n; i++)
			uk += ((unsigned char)s[i] == 0xD1 &&
			       ((unsigned char)s[i + 1] == 0x96 ||
				(unsigned char)s[i + 1] == 0x97 ||
				(unsigned char)s[i + 1] == 0x94)) ||
			      ((unsigned char)s[i] == 0xD2 &&
			       (unsigned char)s[i + 1] == 0x91) ||
			      ((unsigned char)s[i] == 0xD0 &&
			       ((unsigned char)s[i + 1] == 0x86 ||
				(unsigned char)s[i + 1] == 0x87 ||
				(unsigned char)s[i + 1] == 0x84));
		return lang_bit(uk * 50 > cyr ? "uk" : "ru", 2);
	}
	for (i = 0; i < n;) {
		while (i < n && !utf8_is_letter(s + i, n - i))
			i += utf8_len(s + i, n - i);
		w = i;
		while (i < n && utf8_is_letter(s + i, n - i))
			i += utf8_len(s + i, n - i);
		if (i - w == 0 || i - w >= sizeof(key))
			continue;
		utf8_fold(s + w, i - w, key, sizeof(key));
		for (w = 0; w < NLANGS; w++)
			counts[w] += in_words(langs[w]->common, key);
	}
	for (w = 0; w < NLANGS; w++)
		if (counts[w] > best_n) {
			best_n = counts[w];
			best = 1u << w;
		}
	return best_n >= 3 ? best : 0;
}
