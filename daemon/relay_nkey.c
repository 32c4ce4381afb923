/* relay_nkey.c — `[relay] nkey = SEEDFILE` (and `tail --nats --nkey`):
 * the public key of a NATS user nkey seed, which the client must announce
 * beside the seed it signs the server's nonce with (include/relay_nkey.h).
 *
 * An nkey seed is base32 (RFC 4648, no padding) of two prefix bytes ('S'
 * and the key's kind packed: 18 << 3 | kind >> 5, (kind & 31) << 3), the
 * 32-byte Ed25519 seed and a CRC-16 (polynomial 0x1021, initial 0) of all
 * that, little-endian; a public key is the same with one prefix byte, the
 * kind's (user: 20 << 3, 'U'), and the 32-byte public key.
 */
#include "relay_nkey.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define NKEY_SEED_PREFIX (18 << 3)
#define NKEY_USER_PREFIX (20 << 3)
#define NKEY_SEED_LEN 58   /* base32 of 2 + 32 + 2 bytes */
#define NKEY_FILE_MAX 65536

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static unsigned
crc16(const unsigned char *p, size_t n)
{
	unsigned crc = 0;
	int bit;

	while (n--) {
		crc ^= (unsigned)*p++ << 8;
		for (bit = 0; bit < 8; bit++)
			crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
		crc &= 0xFFFF;
	}
	return crc;
}

/* n base32 letters into out (which holds n * 5 / 8 bytes); -1 on a
 * letter outside the alphabet. */
static int
b32_decode(const char *s, size_t n, unsigned char *out)
{
	unsigned acc = 0;
	int bits = 0;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		const char *c = s[i] ? strchr(b32_alphabet, s[i]) : NULL;

		if (!c)
			return -1;
		acc = (acc << 5) | (unsigned)(c - b32_alphabet);
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (unsigned char)(acc >> bits);
		}
	}
	return (int)k;
}

static void
b32_encode(const unsigned char *p, size_t n, char *out)
{
	unsigned acc = 0;
	int bits = 0;

	while (n--) {
		acc = (acc << 8) | *p++;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			*out++ = b32_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits)
		*out++ = b32_alphabet[(acc << (5 - bits)) & 31];
	*out = '\0';
}

/* The first token of 58 base32 letters starting with 'S' in text. */
static const char *
find_seed(const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strspn(p, b32_alphabet);

		if (n == NKEY_SEED_LEN && *p == 'S' &&
		    (p == text || !strchr(b32_alphabet, p[-1])))
			return p;
		p += n ? n : 1;
	}
	return NULL;
}

int
relay_nkey_public(const char *seedfile, char *pub, size_t publen, char *msg,
		  size_t msglen)
{
	unsigned char raw[40], key[35];
	size_t n = 0, klen = 32;
	char *text;
	const char *seed;
	EVP_PKEY *pk = NULL;
	FILE *f;
	int rc = -EINVAL;

	f = fopen(seedfile, "r");
	if (!f) {
		int e = errno;

		snprintf(msg, msglen, "nkey %s: %s", seedfile, strerror(e));
		return -e;
	}
	text = malloc(NKEY_FILE_MAX + 1);
	if (!text) {
		fclose(f);
		snprintf(msg, msglen, "nkey %s: out of memory", seedfile);
		return -ENOMEM;
	}
	n = fread(text, 1, NKEY_FILE_MAX + 1, f);
	fclose(f);
	if (n > NKEY_FILE_MAX) {
		snprintf(msg, msglen, "nkey %s: larger than %d bytes: not a seed file",
			 seedfile, NKEY_FILE_MAX);
		goto out;
	}
	text[n] = '\0';
	seed = find_seed(text);
	if (!seed) {
		snprintf(msg, msglen, "nkey %s: no nkey seed (SU followed by 56 letters A-Z, 2-7) in it",
			 seedfile);
		goto out;
	}
	if (b32_decode(seed, NKEY_SEED_LEN, raw) != 36 ||
	    crc16(raw, 34) != (unsigned)(raw[34] | raw[35] << 8)) {
		snprintf(msg, msglen, "nkey %s: the seed's checksum is wrong (a typo, or a truncated seed?)",
			 seedfile);
		goto out;
	}
	if (raw[0] != (NKEY_SEED_PREFIX | NKEY_USER_PREFIX >> 5) ||
	    raw[1] != ((NKEY_USER_PREFIX & 31) << 3)) {
		snprintf(msg, msglen, "nkey %s: the seed is not a user's (it starts \"%.2s\", a user's \"SU\")",
			 seedfile, seed);
		goto out;
	}
	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw + 2, 32);
	key[0] = NKEY_USER_PREFIX;
	if (!pk || EVP_PKEY_get_raw_public_key(pk, key + 1, &klen) != 1 ||
	    klen != 32) {
		snprintf(msg, msglen, "nkey %s: OpenSSL cannot derive the public key",
			 seedfile);
		goto out;
	}
	key[33] = (unsigned char)(crc16(key, 33) & 0xFF);
	key[34] = (unsigned char)(crc16(key, 33) >> 8);
	if (publen < 57) {
		snprintf(msg, msglen, "nkey %s: no room for the public key", seedfile);
		goto out;
	}
	b32_encode(key, sizeof(key), pub);
	rc = 0;
out:
	EVP_PKEY_free(pk);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(text, n <= NKEY_FILE_MAX ? n : NKEY_FILE_MAX);
	free(text);
	return rc;
}
