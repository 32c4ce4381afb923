/* test_fileio — write-all and atomic replacement on real files in a temp
 * directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"

struct env {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	strcpy(e->dir, "/tmp/bw-fileio-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/f.conf", e->dir);
	umask(022);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;
	struct dirent *d;
	DIR *dh = opendir(e->dir);
	char p[512];

	while (dh && (d = readdir(dh)))
		if (d->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", e->dir, d->d_name);
			unlink(p);
		}
	if (dh)
		closedir(dh);
	rmdir(e->dir);
	free(e);
	return 0;
}

static void
slurp(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
}

/* Files in the directory: the replace leaves no temporary behind. */
static int
entries(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *d;
	int n = 0;

	assert_non_null(dh);
	while ((d = readdir(dh)))
		n += d->d_name[0] != '.';
	closedir(dh);
	return n;
}

static void
test_replace_writes_the_whole_file_with_the_mode_less_umask(void **state)
{
	struct env *e = *state;
	struct fileio_replace o = {.mode = 0666};
	struct stat st;
	char got[64];

	assert_int_equal(fileio_replace(e->path, "one\n", 4, &o), 0);
	assert_int_equal(fileio_replace(e->path, "two\n", 4, &o), 0);
	assert_null(o.failed);
	slurp(e->path, got, sizeof(got));
	assert_string_equal(got, "two\n");
	assert_int_equal(stat(e->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(entries(e->dir), 1);
}

static void
test_replace_like_keeps_the_old_mode_exactly(void **state)
{
	struct env *e = *state;
	struct fileio_replace o = {.mode = 0644};
	struct stat before, st;

	assert_int_equal(fileio_replace(e->path, "a", 1, &o), 0);
	assert_int_equal(chmod(e->path, 0602), 0);
	assert_int_equal(stat(e->path, &before), 0);
	o.like = &before;
	assert_int_equal(fileio_replace(e->path, "b", 1, &o), 0);
	assert_int_equal(stat(e->path, &st), 0);
	/* 0602 survives a 022 umask: the mode is set, not created */
	assert_int_equal(st.st_mode & 07777, 0602);
}

static void
test_replace_refuses_a_file_changed_since_it_was_read(void **state)
{
	struct env *e = *state;
	struct fileio_replace o = {.mode = 0644};
	struct stat before;
	char got[64];
	FILE *f;

	assert_int_equal(fileio_replace(e->path, "old\n", 4, &o), 0);
	assert_int_equal(stat(e->path, &before), 0);
	f = fopen(e->path, "a");
	assert_non_null(f);
	fputs("someone else's line\n", f);
	fclose(f);
	o.unchanged = &before;
	assert_int_equal(fileio_replace(e->path, "mine\n", 5, &o), -ESTALE);
	assert_string_equal(o.failed, "replacing");
	slurp(e->path, got, sizeof(got));
	assert_string_equal(got, "old\nsomeone else's line\n");
	assert_int_equal(entries(e->dir), 1);
}

static void
test_replace_follows_a_symlink_when_asked(void **state)
{
	struct env *e = *state;
	struct fileio_replace o = {.mode = 0644, .follow = 1};
	char link[160], got[64];
	struct stat st;

	assert_int_equal(fileio_replace(e->path, "t", 1, &o), 0);
	snprintf(link, sizeof(link), "%s/link.conf", e->dir);
	assert_int_equal(symlink(e->path, link), 0);
	assert_int_equal(fileio_replace(link, "new", 3, &o), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	slurp(e->path, got, sizeof(got));
	assert_string_equal(got, "new");
	/* without follow the link itself is replaced */
	o.follow = 0;
	assert_int_equal(fileio_replace(link, "own", 3, &o), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	slurp(e->path, got, sizeof(got));
	assert_string_equal(got, "new");
}

static void
test_replace_in_a_missing_directory_names_the_step(void **state)
{
	struct env *e = *state;
	struct fileio_replace o = {.mode = 0644};
	char path[160];

	snprintf(path, sizeof(path), "%s/missing/x", e->dir);
	assert_int_equal(fileio_replace(path, "x", 1, &o), -ENOENT);
	assert_string_equal(o.failed, "creating a file beside");
}

static void
test_send_all_to_a_closed_peer_is_epipe_not_a_signal(void **state)
{
	int sv[2];
	char big[1 << 16];

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fileio_send_all(sv[0], "hi\n", 3), 0);
	close(sv[1]);
	assert_int_equal(fileio_send_all(sv[0], big, sizeof(big)), -EPIPE);
	close(sv[0]);
}

static void
test_write_all_crosses_short_writes(void **state)
{
	static char big[1 << 20];
	int p[2];
	pid_t pid;
	size_t got = 0;
	ssize_t n;
	char buf[8192];
	int status;

	(void)state;
	memset(big, 'y', sizeof(big));
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(fileio_write_all(p[1], big, sizeof(big)) == 0 ? 0 : 1);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		got += (size_t)n;
	close(p[0]);
	assert_int_equal(got, sizeof(big));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_replace_writes_the_whole_file_with_the_mode_less_umask),
		T(test_replace_like_keeps_the_old_mode_exactly),
		T(test_replace_refuses_a_file_changed_since_it_was_read),
		T(test_replace_follows_a_symlink_when_asked),
		T(test_replace_in_a_missing_directory_names_the_step),
		cmocka_unit_test(test_send_all_to_a_closed_peer_is_epipe_not_a_signal),
		cmocka_unit_test(test_write_all_crosses_short_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
