/* url.c — URL resolution, link safety, tracking parameters and the dedupe
 * key (url.h). */
#include "url.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Sorted for bsearch. */
static const char *const safe_schemes[] = {
	"feed", "ftp", "ftps", "gopher", "http", "https", "irc", "ircs",
	"magnet", "mailto", "news", "nntp", "sftp", "sip", "sips", "ssh",
	"tag", "tel", "urn", "xmpp",
};

static int
cmp_str(const void *k, const void *e)
{
	return strcasecmp(k, *(const char *const *)e);
}

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* ---- resolution (RFC 3986) and safety ---------------------------------- */

struct uri {
	const char *scheme, *auth, *path, *query, *frag;
	size_t nscheme, nauth, npath, nquery, nfrag;
	int has_auth, has_query, has_frag;
};

static void
uri_split(const char *s, size_t len, struct uri *u)
{
	size_t i = 0, j;

	memset(u, 0, sizeof(*u));
	/* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	for (j = 0; j < len; j++) {
		unsigned char c = (unsigned char)s[j];
		if (c == ':' && j > 0) {
			u->scheme = s;
			u->nscheme = j;
			i = j + 1;
			break;
		}
		if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
		    !(j > 0 && ((c >= '0' && c <= '9') || c == '+' ||
				c == '-' || c == '.')))
			break;
	}
	if (len - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
		u->has_auth = 1;
		u->auth = s + i;
		while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
			i++;
		u->nauth = (size_t)(s + i - u->auth);
	}
	u->path = s + i;
	while (i < len && s[i] != '?' && s[i] != '#')
		i++;
	u->npath = (size_t)(s + i - u->path);
	if (i < len && s[i] == '?') {
		u->has_query = 1;
		u->query = s + ++i;
		while (i < len && s[i] != '#')
			i++;
		u->nquery = (size_t)(s + i - u->query);
	}
	if (i < len && s[i] == '#') {
		u->has_frag = 1;
		u->frag = s + i + 1;
		u->nfrag = len - i - 1;
	}
}

/* Append path p with "." and ".." segments removed (RFC 3986 5.2.4). */
static int
remove_dots(struct buf *out, const char *p, size_t n)
{
	size_t start = out->len, i = 0, seg;

	while (i < n) {
		if (n - i >= 3 && !memcmp(p + i, "../", 3)) {
			i += 3;
		} else if (n - i >= 2 && !memcmp(p + i, "./", 2)) {
			i += 2;
		} else if (n - i >= 3 && !memcmp(p + i, "/./", 3)) {
			i += 2;
		} else if (n - i == 2 && !memcmp(p + i, "/.", 2)) {
			if (buf_putc(out, '/') < 0)
				return -ENOMEM;
			i += 2;
		} else if ((n - i >= 4 && !memcmp(p + i, "/../", 4)) ||
			   (n - i == 3 && !memcmp(p + i, "/..", 3))) {
			while (out->len > start && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > start)
				out->len--;
			if (out->data) /* still unallocated when empty */
				out->data[out->len] = '\0';
			if (n - i == 3) {
				if (buf_putc(out, '/') < 0)
					return -ENOMEM;
				i += 3;
			} else {
				i += 3;
			}
		} else if ((n - i == 1 && p[i] == '.') ||
			   (n - i == 2 && !memcmp(p + i, "..", 2))) {
			i = n;
		} else {
			seg = i + (p[i] == '/');
			while (seg < n && p[seg] != '/')
				seg++;
			if (buf_append(out, p + i, seg - i) < 0)
				return -ENOMEM;
			i = seg;
		}
	}
	return 0;
}

char *
url_resolve(const char *base, const char *ref)
{
	struct buf out = BUF_INIT, path = BUF_INIT;
	struct uri b, r;
	const char *q;
	size_t rlen;
	int rc = 0;

	while (is_ws((unsigned char)*ref))
		ref++;
	rlen = strlen(ref);
	while (rlen && is_ws((unsigned char)ref[rlen - 1]))
		rlen--;
	uri_split(ref, rlen, &r);
	if (!base || !*base || r.nscheme) {
		if (buf_append(&out, ref, rlen) < 0)
			goto fail;
		return buf_detach(&out);
	}
	uri_split(base, strlen(base), &b);
	if (b.nscheme)
		rc |= buf_append(&out, b.scheme, b.nscheme + 1);
	if (r.has_auth) {
		rc |= buf_puts(&out, "//");
		rc |= buf_append(&out, r.auth, r.nauth);
		rc |= remove_dots(&out, r.path, r.npath);
		q = r.has_query ? r.query - 1 : NULL;
		rc |= q ? buf_append(&out, q, r.nquery + 1) : 0;
	} else {
		if (b.has_auth) {
			rc |= buf_puts(&out, "//");
			rc |= buf_append(&out, b.auth, b.nauth);
		}
		if (r.npath == 0) {
			rc |= buf_append(&out, b.path, b.npath);
			if (r.has_query)
				rc |= buf_append(&out, r.query - 1,
						 r.nquery + 1);
			else if (b.has_query)
				rc |= buf_append(&out, b.query - 1,
						 b.nquery + 1);
		} else {
			if (r.path[0] == '/') {
				rc |= buf_append(&path, r.path, r.npath);
			} else {
				size_t k = b.npath;

				while (k && b.path[k - 1] != '/')
					k--;
				if (b.has_auth && b.npath == 0)
					rc |= buf_putc(&path, '/');
				rc |= buf_append(&path, b.path, k);
				rc |= buf_append(&path, r.path, r.npath);
			}
			if (rc)
				goto fail;
			rc |= remove_dots(&out, path.data, path.len);
			if (r.has_query)
				rc |= buf_append(&out, r.query - 1,
						 r.nquery + 1);
		}
	}
	if (r.has_frag)
		rc |= buf_append(&out, r.frag - 1, r.nfrag + 1);
	if (rc)
		goto fail;
	buf_free(&path);
	return buf_detach(&out);
fail:
	buf_free(&path);
	buf_free(&out);
	return NULL;
}

int
url_is_safe(const char *url)
{
	char scheme[16];
	size_t i, n = 0;

	/* Browsers ignore control characters and spaces inside a scheme
	 * ("java\tscript:"), so we look at the URL the way they do. */
	for (i = 0; url[i] && n < sizeof(scheme) - 1; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= ' ')
			continue;
		if (c == ':' || c == '/' || c == '?' || c == '#')
			break;
		scheme[n++] = (char)c;
	}
	scheme[n] = '\0';
	if (url[i] != ':')
		return 1; /* no scheme: relative reference */
	return bsearch(scheme, safe_schemes, NELEM(safe_schemes),
		       sizeof(*safe_schemes), cmp_str) != NULL;
}

/* ---- tracking parameters and the dedupe key ---------------------------- */

int
url_is_tracking_param(const char *p, size_t n)
{
	/* Parameters that only say how a reader got to the page: campaign
	 * tags and ad or mail click ids. Keep in step with docs/store.md. */
	static const char *const prefixes[] = {"utm_", "mtm_"};
	static const char *const names[] = {
		"__hsfp", "__hssc", "__hstc", "_ga", "_gl", "_hsenc", "_hsmi",
		"_openstat", "ck_subscriber_id", "dclid", "fbclid", "gbraid",
		"gclid", "igshid", "li_fat_id", "mc_cid", "mc_eid", "mkt_tok",
		"msclkid", "oly_anon_id", "oly_enc_id", "pk_campaign",
		"pk_content", "pk_kwd", "pk_medium", "pk_source", "srsltid",
		"ttclid", "twclid", "vero_id", "wbraid", "yclid",
	};
	size_t i;

	for (i = 0; i < NELEM(prefixes); i++)
		if (n >= 4 && strncasecmp(p, prefixes[i], 4) == 0)
			return 1;
	for (i = 0; i < NELEM(names); i++)
		if (strlen(names[i]) == n && strncasecmp(p, names[i], n) == 0)
			return 1;
	return 0;
}

/* Append the query at q ('?') up to end without its tracking parameters:
 * the first kept one after '?', the others after '&' or, with keep_sep,
 * after the separator they had ('&' or ';'). Empty parameters are dropped.
 * *dropped counts the tracking parameters left out. 0 or -ENOMEM. */
static int
query_put(struct buf *b, const char *q, const char *end, int keep_sep,
	  size_t *dropped)
{
	int r = 0, first = 1;
	size_t n;

	*dropped = 0;
	while (r == 0 && q < end) {
		const char *a = q + 1, *e = a;

		while (e < end && *e != '&' && *e != ';')
			e++;
		n = strcspn(a, "=&;#");
		if (n > (size_t)(e - a))
			n = (size_t)(e - a);
		if (e > a && url_is_tracking_param(a, n)) {
			(*dropped)++;
		} else if (e > a) {
			r = buf_putc(b, first ? '?' : keep_sep ? *q : '&');
			if (r == 0)
				r = buf_append(b, a, (size_t)(e - a));
			first = 0;
		}
		q = e;
	}
	return r;
}

char *
url_strip_tracking(const char *url)
{
	struct buf b = BUF_INIT;
	const char *end = url + strcspn(url, "#"), *q;
	size_t dropped = 0;
	int r;

	q = memchr(url, '?', (size_t)(end - url));
	if (!q)
		return strdup(url);
	r = buf_append(&b, url, (size_t)(q - url));
	if (r == 0)
		r = query_put(&b, q, end, 1, &dropped);
	if (r == 0 && dropped == 0) {
		buf_free(&b);
		return strdup(url);
	}
	if (r == 0)
		r = buf_puts(&b, end);
	if (r < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

char *
url_key(const char *url)
{
	struct buf b = BUF_INIT;
	const char *p = url, *host, *hend, *q, *end;
	int r = 0, https = 0;
	size_t n;

	end = url + strcspn(url, "#");
	host = strstr(url, "://");
	if (host && host < end) {
		https = (size_t)(host - url) == 5 &&
			strncasecmp(url, "https", 5) == 0;
		host += 3;
		hend = host + strcspn(host, "/?#");
		if (hend > end)
			hend = end;
		/* host[:port], lowercased, default port dropped */
		n = (size_t)(hend - host);
		q = memchr(host, ':', n);
		if (q && ((https && hend - q == 4 && !memcmp(q, ":443", 4)) ||
			  (!https && hend - q == 3 && !memcmp(q, ":80", 3))))
			n = (size_t)(q - host);
		for (size_t i = 0; r == 0 && i < n; i++)
			r = buf_putc(&b, (char)tolower((unsigned char)host[i]));
		p = hend;
		if (r == 0 && (p == end || *p != '/'))
			r = buf_putc(&b, '/');
	}
	q = memchr(p, '?', (size_t)(end - p));
	if (!q)
		q = end;
	if (r == 0)
		r = buf_append(&b, p, (size_t)(q - p));
	if (r == 0)
		r = query_put(&b, q, end, 0, &n);
	if (r < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}
