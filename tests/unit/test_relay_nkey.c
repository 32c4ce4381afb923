/* test_relay_nkey.c — `[relay] nkey = SEEDFILE`: the public key of a user
 * nkey seed (relay_nkey.c) and the files it refuses and what it says
 * (the [relay] key itself is tested in test_relay.c). The vector's seed is the 32 bytes 0..31;
 * its encodings come from tests/fixtures/natsauth.py, whose encoding
 * reproduces the operator seed/public key pair published in the nkeys.net
 * README. Against a real nats-server: tests/integration/test_relay_creds.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relay_nkey.h"

#define SEED "SUAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776Y"
#define PUB "UAB2CB576PHBBPQ5ODORRZ2LYCMWPZGWGCN2KDK7DXOIMZASKUY3RLKK"
#define ACCOUNT_SEED "SAAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4HYMHI"

static char path[64];

static const char *
write_tmp(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/bw-nkey-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
public_of(const char *text, int want_rc, const char *want)
{
	char pub[64] = "", msg[256] = "";
	int rc = relay_nkey_public(write_tmp(text), pub, sizeof(pub), msg,
				   sizeof(msg));

	unlink(path);
	if ((rc == 0) != (want_rc == 0))
		fail_msg("%s: rc %d (%s), wanted %d", text, rc, msg, want_rc);
	if (rc == 0)
		assert_string_equal(pub, want);
	else if (!strstr(msg, want) || !strstr(msg, path))
		fail_msg("%s: \"%s\", wanted \"%s\" and the path", text, msg, want);
}

static void
test_public_key_of_a_seed(void **state)
{
	(void)state;
	public_of(SEED "\n", 0, PUB);
	public_of(SEED, 0, PUB);
	/* the seed block of a .creds file, after its JWT */
	public_of("-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.AAAA\n"
		  "------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n"
		  SEED "\n------END USER NKEY SEED------\n", 0, PUB);
}

static void
test_bad_seed_files_say_why(void **state)
{
	char msg[256], pub[64];
	char typo[] = SEED "\n";

	(void)state;
	typo[30] = typo[30] == 'A' ? 'B' : 'A';
	public_of(typo, -1, "checksum is wrong");
	public_of(ACCOUNT_SEED "\n", -1, "not a user's");
	public_of("UAB2CB576PHBBPQ5ODORRZ2LYCMWPZGWGCN2KDK7DXOIMZASKUY3RLKK\n", -1,
		  "no nkey seed");
	public_of("", -1, "no nkey seed");
	/* one letter short, one too many: not a seed */
	public_of("SUAAAAICAMCAKBQHBAEQUCYMBUHA6EARCIJRIFIWC4MBSGQ3DQOR4H776\n", -1,
		  "no nkey seed");
	public_of(SEED "A\n", -1, "no nkey seed");
	assert_true(relay_nkey_public("/nonexistent/seed", pub, sizeof(pub), msg,
				      sizeof(msg)) < 0);
	assert_non_null(strstr(msg, "/nonexistent/seed: No such file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_key_of_a_seed),
		cmocka_unit_test(test_bad_seed_files_say_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
