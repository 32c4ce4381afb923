/* relay_conf.c — the [relay] settings (read by config.c's relay_keys[]
 * table, which calls the helpers here), the subject of an event and the
 * client options (see include/relay.h and docs/configuration.md).
 */
#include "relay.h"
#include "relay_nkey.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct relay_conf *
relay_conf_new(void)
{
	struct relay_conf *rc = calloc(1, sizeof(*rc));

	if (!rc)
		return NULL;
	rc->stream = strdup("BRIEFWATCH");
	rc->prefix = strdup("briefwatch");
	rc->create_stream = 1;
	rc->replicas = 1;
	rc->window = 256;
	rc->ack_wait_ms = 5000;
	if (!rc->stream || !rc->prefix) {
		relay_conf_free(rc);
		return NULL;
	}
	return rc;
}

void
relay_conf_free(struct relay_conf *rc)
{
	size_t i;

	if (!rc)
		return;
	for (i = 0; i < rc->nservers; i++)
		free(rc->servers[i]);
	free(rc->servers);
	free(rc->creds);
	free(rc->nkey);
	free(rc->user);
	free(rc->password);
	free(rc->tls_ca);
	free(rc->tls_cert);
	free(rc->tls_key);
	free(rc->stream);
	free(rc->prefix);
	free(rc);
}

static int
str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

int
relay_conf_equal(const struct relay_conf *a, const struct relay_conf *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->nservers != b->nservers || a->create_stream != b->create_stream ||
	    a->replicas != b->replicas || a->window != b->window ||
	    a->ack_wait_ms != b->ack_wait_ms || !str_eq(a->creds, b->creds) || !str_eq(a->nkey, b->nkey) ||
	    !str_eq(a->user, b->user) || !str_eq(a->password, b->password) ||
	    !str_eq(a->tls_ca, b->tls_ca) || !str_eq(a->tls_cert, b->tls_cert) ||
	    !str_eq(a->tls_key, b->tls_key) || !str_eq(a->stream, b->stream) ||
	    !str_eq(a->prefix, b->prefix))
		return 0;
	for (i = 0; i < a->nservers; i++)
		if (strcmp(a->servers[i], b->servers[i]) != 0)
			return 0;
	return 1;
}

/* A stream name or subject token: printable ASCII without blanks, '.',
 * '*', '>' (and for a prefix, dots between non-empty tokens). */
int
relay_name_ok(const char *s, int dots)
{
	const char *p;

	if (!*s || *s == '.')
		return 0;
	for (p = s; *p; p++) {
		if (*p <= ' ' || *p >= 127 || *p == '*' || *p == '>' ||
		    *p == '/' || *p == '\\')
			return 0;
		if (*p == '.' && (!dots || p[1] == '.' || p[1] == '\0'))
			return 0;
	}
	return 1;
}

int
relay_conf_set_servers(struct relay_conf *rc, const char *list)
{
	const char *p;
	size_t i;

	for (p = list; *p; p++)
		if ((unsigned char)*p < ' ' && *p != '\t')
			return -EINVAL;
	if (!*list)
		return -EINVAL;
	for (i = 0; i < rc->nservers; i++)
		free(rc->servers[i]);
	rc->nservers = 0;
	for (p = list; *p;) {
		size_t n;
		char **ns, *sv;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		n = strcspn(p, " ,\t");
		if (!n)
			break;
		ns = realloc(rc->servers, (rc->nservers + 1) * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		rc->servers = ns;
		sv = strndup(p, n);
		if (!sv)
			return -ENOMEM;
		rc->servers[rc->nservers++] = sv;
		p += n;
	}
	return rc->nservers ? 0 : -EINVAL;
}

int
relay_conf_check(const struct relay_conf *rc, char *msg, size_t msglen)
{
	if (!rc->nservers) {
		snprintf(msg, msglen, "[relay] needs servers = nats://host:port");
		return -EINVAL;
	}
	if ((rc->user != NULL) != (rc->password != NULL)) {
		snprintf(msg, msglen, "[relay] needs both user and password, or neither");
		return -EINVAL;
	}
	if (rc->creds && rc->nkey) {
		snprintf(msg, msglen, "[relay] takes credentials or nkey, not both");
		return -EINVAL;
	}
	if ((rc->tls_cert != NULL) != (rc->tls_key != NULL)) {
		snprintf(msg, msglen, "[relay] needs both tls_cert and tls_key, or neither");
		return -EINVAL;
	}
	return 0;
}

int
relay_subject(char *out, size_t outlen, const char *prefix, const char *type,
	      const char *feed)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *kind = type && strcmp(type, "briefing.updated") == 0
				   ? "updated" : "new";
	size_t n;
	int w;

	w = snprintf(out, outlen, "%s.ev.%s.", prefix, kind);
	if (w < 0 || (size_t)w >= outlen)
		return -ENOSPC;
	n = (size_t)w;
	if (!feed || !*feed)
		feed = "_";
	for (; *feed; feed++) {
		unsigned char c = (unsigned char)*feed;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-') {
			if (n + 1 >= outlen)
				return -ENOSPC;
			out[n++] = (char)c;
		} else {
			if (n + 3 >= outlen)
				return -ENOSPC;
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return 0;
}

int
relay_nats_options(const struct relay_conf *rc, const char *url,
		   int reconnect, natsOptions **out, char *msg, size_t msglen)
{
	natsOptions *o = NULL;
	natsStatus s;
	const char *what = "options";

	*out = NULL;
	s = natsOptions_Create(&o);
	if (s == NATS_OK && url)
		s = natsOptions_SetURL(o, url);
	else if (s == NATS_OK && rc)
		s = natsOptions_SetServers(o, (const char **)rc->servers,
					   (int)rc->nservers);
	if (s != NATS_OK)
		what = url ? url : "servers";
	if (s == NATS_OK && rc && rc->user) {
		what = "user";
		s = natsOptions_SetUserInfo(o, rc->user, rc->password);
	}
	if (s == NATS_OK && rc && rc->creds) {
		what = rc->creds;
		s = natsOptions_SetUserCredentialsFromFiles(o, rc->creds, NULL);
	}
	if (s == NATS_OK && rc && rc->nkey) {
		char pub[64];

		if (relay_nkey_public(rc->nkey, pub, sizeof(pub), msg,
				      msglen) < 0) {
			natsOptions_Destroy(o);
			return -EINVAL;
		}
		what = rc->nkey;
		s = natsOptions_SetNKeyFromSeed(o, pub, rc->nkey);
	}
	if (s == NATS_OK && rc && (rc->tls_ca || rc->tls_cert)) {
		what = "TLS";
		s = natsOptions_SetSecure(o, true);
	}
	if (s == NATS_OK && rc && rc->tls_ca) {
		what = rc->tls_ca;
		s = natsOptions_LoadCATrustedCertificates(o, rc->tls_ca);
	}
	if (s == NATS_OK && rc && rc->tls_cert) {
		what = rc->tls_cert;
		s = natsOptions_LoadCertificatesChain(o, rc->tls_cert,
						      rc->tls_key);
	}
	if (s == NATS_OK) {
		what = "options";
		s = natsOptions_SetTimeout(o, rc ? rc->ack_wait_ms : 5000);
	}
	if (s == NATS_OK)
		s = natsOptions_SetPingInterval(o, 5000);
	if (s == NATS_OK)
		s = natsOptions_SetMaxPingsOut(o, 3);
	if (s == NATS_OK)
		s = natsOptions_SetAllowReconnect(o, reconnect ? true : false);
	if (s == NATS_OK && reconnect)
		s = natsOptions_SetMaxReconnect(o, -1);
	if (s == NATS_OK && reconnect)
		s = natsOptions_SetReconnectWait(o, 500);
	if (s != NATS_OK) {
		const char *detail = nats_GetLastError(NULL);

		snprintf(msg, msglen, "NATS %s: %s", what,
			 detail && *detail ? detail : natsStatus_GetText(s));
		natsOptions_Destroy(o);
		return -EINVAL;
	}
	*out = o;
	return 0;
}

int
relay_conf_validate(const struct relay_conf *rc, char **err)
{
	natsOptions *o = NULL;
	char msg[320];

	*err = NULL;
	if (!rc)
		return 0;
	if (relay_conf_check(rc, msg, sizeof(msg)) < 0 ||
	    relay_nats_options(rc, NULL, 0, &o, msg, sizeof(msg)) < 0) {
		*err = strdup(msg);
		return -EINVAL;
	}
	natsOptions_Destroy(o);
	return 0;
}

const char *
relay_nats_err(natsStatus s)
{
	const char *t = nats_GetLastError(NULL);

	return t && *t ? t : natsStatus_GetText(s);
}

int64_t
relay_msg_seq(natsMsg *m)
{
	const char *v = NULL;
	char *end;
	long long n;

	if (natsMsgHeader_Get(m, "Briefwatch-Seq", &v) != NATS_OK || !v ||
	    *v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < 0)
		return -1;
	return n;
}
