/* profiles.c — publisher profiles: the built-in table and INI loading. */
#include "profiles.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "buf.h"
#include "inifile.h"

struct profile_set {
	struct profile *v;
	size_t n;
	int owned; /* 0: the static built-in table */
};

#define CLS(c) "contains(concat(' ',normalize-space(@class),' '),' " c " ')"

static const struct profile builtin[] = {
	{
		.name = "nato",
		.hosts = "nato.int",
		.detect = "//ul[contains(@class,'event-date')] | "
			  "//meta[@property='og:site_name'][@content='NATO']",
		.xpath_body = "//section[@id='content']//div[" CLS("content-main")
			      "] || //div[" CLS("content-main") "]",
		.xpath_title = "//header[contains(@class,'content-header')]/h1"
			       " || //section[@id='content']//h1",
		.xpath_subtitle = "//header[contains(@class,'content-header')]/h2",
		.xpath_published = "//ul[contains(@class,'event-date')]/li[1]",
		.xpath_updated = "//ul[contains(@class,'event-date')]"
				 "/li[contains(.,'updated')]",
		.xpath_summary = "//div[" CLS("content-main") "]//figcaption || "
				 "//meta[@name='description']/@content",
		.xpath_drop = ".//figure",
	},
	{
		.name = "whitehouse",
		.hosts = "whitehouse.gov",
		.detect = "//section[" CLS("body-content") "] | "
			  "//meta[@property='og:site_name']"
			  "[@content='The White House']",
		.xpath_body = "//section[" CLS("body-content") "] || "
			      "//div[" CLS("entry-content") "]",
		.xpath_title = "//h1[" CLS("page-title") "] || //h1",
		.xpath_published = "//time[contains(@class,'posted-on')]/@datetime"
				   " || //meta[@property='article:published_time']"
				   "/@content",
		.xpath_summary = "",
	},
	{
		.name = "state",
		.hosts = "state.gov",
		.detect = "//div[@id='templateFields'] | //div[@id='date_long']",
		.xpath_body = "//div[@id='tier3-landing-content-wide'] || "
			      "//div[" CLS("entry-content") "] || "
			      "//div[@id='centerblock']",
		.xpath_title = "//h1[contains(@class,'headline')] || //title",
		.xpath_published = "//div[@id='date_long'] || "
				   "//meta[@name='dc.date']/@content || "
				   "//p[contains(@class,'publish-date')]",
		.xpath_location = "//span[contains(@class,'location')]",
		.xpath_speaker = "//span[contains(@class,'official_s_name')]",
		.xpath_speaker_role = "//span[contains(@class,'official_s_title')]",
		.xpath_drop = ".//div[contains(@class,'dpb-index')]",
		.xpath_summary = "",
	},
	{
		.name = "defense",
		.hosts = "defense.gov",
		.detect = "//h1[" CLS("maintitle") "] | //div[" CLS("adetail") "]",
		.xpath_body = "//div[" CLS("adetail") "]//div[" CLS("body") "]",
		.xpath_title = "//h1[" CLS("maintitle") "]",
		.xpath_published = "//div[" CLS("adetail") "]//span[" CLS("date")
				   "] || //meta[@property='article:published_time']"
				   "/@content",
		.xpath_subtitle = "",
		.xpath_summary = "",
	},
	{
		.name = "un",
		.hosts = "press.un.org",
		.detect = "//div[contains(@class,'field--name-body')]"
			  "[ancestor::article]",
		.xpath_body = "//article//div[contains(@class,'field--name-body')]",
		.xpath_title = "//h1[contains(@class,'page-header')] || //h1",
		.xpath_published = "//div[contains(@class,'display-date')]"
				   "//time/@datetime || //article//time/@datetime",
		.xpath_summary = "//meta[@name='description']/@content",
		.xpath_location = "",
		.question_labels = "Correspondent",
	},
	{
		.name = "govuk",
		.hosts = "gov.uk",
		.detect = "//meta[@name='govuk:format'] | //div[" CLS("govspeak")
			  "]",
		.xpath_body = "//div[" CLS("govspeak") "]",
		.xpath_title = "//h1",
		.xpath_published = "//dt[contains(.,'Delivered on')]/following-"
				   "sibling::dd[1]//time/@datetime || "
				   "//meta[@name='govuk:first-published-at']/@content",
		.xpath_location = "//dt[contains(.,'Location')]/following-"
				  "sibling::dd[1]",
		.xpath_summary = "//p[contains(@class,'lead-paragraph')] || "
				 "//meta[@name='description']/@content",
		.xpath_speaker = "//dd//a[contains(@href,'/government/people/')]",
		.xpath_kind = "//meta[@name='govuk:format']/@content",
	},
};

static const struct profile_set builtin_set = {
	(struct profile *)builtin, sizeof(builtin) / sizeof(builtin[0]), 0,
};

const struct profile_set *
profiles_builtin(void)
{
	return &builtin_set;
}

/* The string fields of struct profile, for copying and freeing. */
static const char **
field(struct profile *p, const char *key)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
#define K(k) {#k, offsetof(struct profile, k)}
		K(name), K(hosts), K(detect), K(xpath_body), K(xpath_title),
		K(xpath_subtitle), K(xpath_published), K(xpath_updated),
		K(xpath_location), K(xpath_summary), K(xpath_speaker),
		K(xpath_speaker_role), K(xpath_kind), K(xpath_drop), K(kind),
		K(question_labels),
#undef K
		{"xpath_date", offsetof(struct profile, xpath_published)},
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcasecmp(keys[i].key, key))
			return (const char **)(void *)((char *)p + keys[i].off);
	return NULL;
}

#define NFIELDS (sizeof(struct profile) / sizeof(const char *))

static void
profile_clear(struct profile *p)
{
	const char **f = (const char **)(void *)p;
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		free((void *)f[i]);
		f[i] = NULL;
	}
}

static int
profile_copy(struct profile *dst, const struct profile *src)
{
	const char *const *s = (const char *const *)(const void *)src;
	const char **d = (const char **)(void *)dst;
	size_t i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < NFIELDS; i++) {
		if (s[i] && !(d[i] = strdup(s[i]))) {
			profile_clear(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

int
profile_set_key(struct profile *p, const char *key, const char *value)
{
	const char **f = field(p, key);
	char *v = NULL;

	if (!f)
		return -EINVAL;
	if (value && !(v = strdup(value)))
		return -ENOMEM;
	free((void *)*f);
	*f = v;
	return 0;
}

void
profile_free(struct profile *p)
{
	if (!p)
		return;
	profile_clear(p);
	free(p);
}

int
profile_derive(const struct profile *base, const char *xpath_body,
	       const char *xpath_title, const char *xpath_date,
	       struct profile **out)
{
	static const struct profile empty = {.name = "custom"};
	struct profile *p;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	r = profile_copy(p, base ? base : &empty);
	if (r < 0)
		goto fail;
	if ((xpath_body && (r = profile_set_key(p, "xpath_body", xpath_body))) ||
	    (xpath_title &&
	     (r = profile_set_key(p, "xpath_title", xpath_title))) ||
	    (xpath_date &&
	     (r = profile_set_key(p, "xpath_published", xpath_date))))
		goto fail;
	*out = p;
	return 0;
fail:
	profile_free(p);
	return r;
}

int
profile_set_new(struct profile_set **out)
{
	struct profile_set *s;
	size_t i;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->owned = 1;
	s->v = calloc(builtin_set.n, sizeof(*s->v));
	if (!s->v)
		goto fail;
	for (i = 0; i < builtin_set.n; i++) {
		if (profile_copy(&s->v[i], &builtin[i]) < 0)
			goto fail;
		s->n++;
	}
	*out = s;
	return 0;
fail:
	profile_set_free(s);
	return -ENOMEM;
}

void
profile_set_free(struct profile_set *s)
{
	size_t i;

	if (!s || !s->owned)
		return;
	for (i = 0; i < s->n; i++)
		profile_clear(&s->v[i]);
	free(s->v);
	free(s);
}

size_t
profile_set_count(const struct profile_set *s)
{
	return s ? s->n : 0;
}

const struct profile *
profile_set_at(const struct profile_set *s, size_t i)
{
	return s && i < s->n ? &s->v[i] : NULL;
}

const struct profile *
profile_set_find(const struct profile_set *s, const char *name)
{
	size_t i;

	for (i = 0; s && name && i < s->n; i++)
		if (s->v[i].name && !strcasecmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

/* Does host end with suffix on a label boundary? */
static int
host_matches(const char *host, size_t hlen, const char *suf, size_t slen)
{
	if (slen == 0 || slen > hlen)
		return 0;
	if (strncasecmp(host + hlen - slen, suf, slen))
		return 0;
	return slen == hlen || host[hlen - slen - 1] == '.';
}

const struct profile *
profile_set_match_url(const struct profile_set *s, const char *url)
{
	const char *h, *e, *p;
	size_t i, hlen;

	if (!s || !url || !(h = strstr(url, "://")))
		return NULL;
	h += 3;
	e = h + strcspn(h, "/?#");
	p = memchr(h, '@', (size_t)(e - h));
	if (p)
		h = p + 1;
	for (p = h; p < e && *p != ':'; p++)
		;
	hlen = (size_t)(p - h);
	for (i = 0; i < s->n; i++) {
		const char *w = s->v[i].hosts;

		while (w && *w) {
			size_t n;

			w += strspn(w, " \t,");
			n = strcspn(w, " \t,");
			if (host_matches(h, hlen, w, n))
				return &s->v[i];
			w += n;
		}
	}
	return NULL;
}

struct load_ctx {
	struct profile_set *s;
	const char *source;
	char **err;
	int rc;
};

static struct profile *
set_get_or_add(struct profile_set *s, const char *name)
{
	struct profile *v;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcasecmp(s->v[i].name, name))
			return &s->v[i];
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	s->v = v;
	memset(&v[s->n], 0, sizeof(v[0]));
	if (!(v[s->n].name = strdup(name)))
		return NULL;
	return &s->v[s->n++];
}

static int
load_handler(void *user, const char *section, const char *key,
	     const char *value, int lineno)
{
	struct load_ctx *c = user;
	const char *name = section;
	struct profile *p;
	struct buf b = BUF_INIT;
	int r;

	(void)lineno;
	if (!strncasecmp(name, "profile", 7) && (name[7] == ' ' || !name[7]))
		name += 7 + (name[7] == ' ');
	name += strspn(name, " \"");
	if (!*name || !strcasecmp(key, "name")) {
		r = -EINVAL;
		buf_printf(&b, "%s: [%s]: %s", c->source, section,
			   *name ? "\"name\" is set by the section"
				 : "key outside a [profile NAME] section");
		goto fail;
	}
	p = set_get_or_add(c->s, name);
	if (!p) {
		r = -ENOMEM;
		goto fail;
	}
	r = profile_set_key(p, key, value);
	if (r == -EINVAL)
		buf_printf(&b, "%s: [%s]: unknown key \"%s\"", c->source,
			   section, key);
	if (r < 0)
		goto fail;
	return 1;
fail:
	c->rc = r;
	if (c->err && b.len && !*c->err)
		*c->err = buf_detach(&b);
	buf_free(&b);
	return 0;
}

int
profile_set_load_string(struct profile_set *s, const char *text,
			const char *source, char **err)
{
	struct load_ctx c = {s, source ? source : "profile", err, 0};
	int line;

	if (!s || !s->owned)
		return -EINVAL;
	if (err)
		*err = NULL;
	line = inifile_parse(text, strlen(text), load_handler, &c, NULL);
	if (c.rc)
		return c.rc;
	if (line != 0) {
		if (err) {
			struct buf b = BUF_INIT;

			if (buf_printf(&b, "%s:%d: syntax error", c.source,
				       line) == 0)
				*err = buf_detach(&b);
			buf_free(&b);
		}
		return line < 0 ? -ENOMEM : -EINVAL;
	}
	return 0;
}

static int
conf_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	       !strcmp(d->d_name + n - 5, ".conf");
}

static int
read_file(const char *path, struct buf *b)
{
	char chunk[4096];
	FILE *f;
	size_t n;
	int r = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b->len + n > (1u << 20)) {
			r = -EFBIG;
			break;
		}
		if ((r = buf_append(b, chunk, n)) < 0)
			break;
	}
	if (!r && ferror(f))
		r = -EIO;
	fclose(f);
	return r;
}

int
profile_set_load_dir(struct profile_set *s, const char *dir, char **err)
{
	struct dirent **ents = NULL;
	struct buf path = BUF_INIT, text = BUF_INIT;
	int i, n, r = 0;

	if (err)
		*err = NULL;
	n = scandir(dir, &ents, conf_filter, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n && r == 0; i++) {
		buf_reset(&path);
		buf_reset(&text);
		if ((r = buf_printf(&path, "%s/%s", dir, ents[i]->d_name)) < 0)
			break;
		r = read_file(path.data, &text);
		if (r < 0) {
			if (err) {
				struct buf e = BUF_INIT;

				if (!buf_printf(&e, "%s: %s", path.data,
						strerror(-r)))
					*err = buf_detach(&e);
				buf_free(&e);
			}
			break;
		}
		r = profile_set_load_string(s, buf_str(&text), path.data, err);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	buf_free(&path);
	buf_free(&text);
	return r;
}
