/* relay_nkey.h — the public key of a NATS user nkey seed, for `[relay]
 * nkey = SEEDFILE` and `briefwatch tail --nats --nkey` (relay_nkey.c).
 */
#ifndef BW_RELAY_NKEY_H
#define BW_RELAY_NKEY_H

#include <stddef.h>

/* The public key ("U..." : 56 letters and a NUL, so publen >= 57) of the
 * user nkey seed in the file seedfile: its first token of 58 base32
 * letters starting with 'S' (a bare seed, or a .creds file's seed block).
 * Reads the file, keeps nothing and wipes its copy of the seed. 0, or
 * < 0 (-errno when the file cannot be opened, -EINVAL) with msg naming
 * the file and what is wrong. */
int relay_nkey_public(const char *seedfile, char *pub, size_t publen,
		      char *msg, size_t msglen);

#endif
