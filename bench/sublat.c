/* sublat — subscriber latency driver for bench/run (section 5).
 *
 *   sublat SOCKET FEEDFILE FEEDNAME NSUBS ITERATIONS
 *
 * Connects NSUBS subscribers to the daemon's socket (one process, epoll),
 * then ITERATIONS times: rewrites FEEDFILE (served by nginx) with one new
 * item, sends {"op":"poll","feed":FEEDNAME} on a control connection, and
 * waits until every subscriber has read a "briefing.new" line. Each
 * delivery's latency is measured from the poll request on one clock
 * (CLOCK_MONOTONIC), so it is an upper bound on commit→delivery: it also
 * holds the fetch from nginx, the parse and the store transaction.
 * A delivery missing after 2 s counts as missing (exit status 1).
 * Prints: samples=N missing=M p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct sub {
	int fd;
	int got;        /* deliveries seen in this iteration */
	size_t len;     /* bytes of a partial line kept in buf */
	char buf[65536];
};

static double sublat_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int sublat_connect(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int sublat_send(int fd, const char *line)
{
	size_t n = strlen(line), off = 0;

	while (off < n) {
		ssize_t w = write(fd, line + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* Read what is there; count complete lines that announce a briefing, and
 * note whether a "subscribed" reply was seen. -1 on EOF/error. */
static int sublat_read(struct sub *s, int *subscribed)
{
	for (;;) {
		ssize_t r = read(s->fd, s->buf + s->len,
				 sizeof(s->buf) - 1 - s->len);
		char *p, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r <= 0)
			return -1;
		s->len += (size_t)r;
		s->buf[s->len] = '\0';
		p = s->buf;
		while ((nl = strchr(p, '\n'))) {
			*nl = '\0';
			if (strstr(p, "\"briefing.new\"") ||
			    strstr(p, "\"briefing.updated\""))
				s->got++;
			else if (strstr(p, "\"subscribed\"") && subscribed)
				*subscribed = 1;
			else if (strstr(p, "\"overflow\"") ||
				 strstr(p, "\"error\""))
				fprintf(stderr, "sublat: %.200s\n", p);
			p = nl + 1;
		}
		s->len -= (size_t)(p - s->buf);
		memmove(s->buf, p, s->len);
		if (s->len >= sizeof(s->buf) - 1)
			s->len = 0; /* a giant line: drop it */
	}
}

static int sublat_write_feed(const char *path, int k)
{
	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<rss version=\"2.0\"><channel><title>Live</title>"
		"<link>https://live.example.org/</link>"
		"<description>latency probe</description>\n"
		"<item><title>Live statement %d-%ld</title>"
		"<link>https://live.example.org/b/%d-%ld.htm</link>"
		"<guid isPermaLink=\"false\">live-%d-%ld</guid>"
		"<pubDate>Mon, 02 Jan 2023 10:00:00 +0000</pubDate>"
		"<description>Probe %d of run %ld for the subscriber latency "
		"bench.</description></item>\n</channel></rss>\n",
		k, (long)getpid(), k, (long)getpid(), k, (long)getpid(), k,
		(long)getpid());
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

static int sublat_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double sublat_pct(const double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return n ? v[i < n ? i : n - 1] : 0;
}

int main(int argc, char **argv)
{
	struct epoll_event ev, evs[256];
	struct sub *subs, ctl;
	double *lat, t0;
	size_t nlat = 0;
	long nsubs, iters, missing = 0;
	char line[512];
	int ep;

	if (argc != 6) {
		fprintf(stderr, "usage: sublat SOCKET FEEDFILE FEEDNAME "
				"NSUBS ITERATIONS\n");
		return 2;
	}
	nsubs = strtol(argv[4], NULL, 10);
	iters = strtol(argv[5], NULL, 10);
	if (nsubs <= 0 || iters <= 0)
		return 2;
	subs = calloc((size_t)nsubs, sizeof(*subs));
	lat = calloc((size_t)(nsubs * iters), sizeof(*lat));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!subs || !lat || ep < 0)
		return 1;
	for (long i = 0; i < nsubs; i++) {
		int ok = 0;

		subs[i].fd = sublat_connect(argv[1]);
		if (subs[i].fd < 0 ||
		    sublat_send(subs[i].fd, "{\"op\":\"subscribe\"}\n") != 0) {
			fprintf(stderr, "sublat: subscriber %ld: %s\n", i,
				strerror(errno));
			return 1;
		}
		/* wait for the reply, at most 10 s */
		fcntl(subs[i].fd, F_SETFL, O_NONBLOCK);
		while (!ok) {
			struct pollfd pfd = { subs[i].fd, POLLIN, 0 };

			if (poll(&pfd, 1, 10000) <= 0 ||
			    sublat_read(&subs[i], &ok) < 0) {
				fprintf(stderr, "sublat: subscriber %ld got "
					"no \"subscribed\" reply\n", i);
				return 1;
			}
		}
		subs[i].got = 0;
		ev.events = EPOLLIN;
		ev.data.ptr = &subs[i];
		epoll_ctl(ep, EPOLL_CTL_ADD, subs[i].fd, &ev);
	}
	memset(&ctl, 0, sizeof(ctl));
	ctl.fd = sublat_connect(argv[1]);
	if (ctl.fd < 0)
		return 1;
	fcntl(ctl.fd, F_SETFL, O_NONBLOCK);
	for (long k = 0; k < iters; k++) {
		long done = 0;

		for (long i = 0; i < nsubs; i++)
			subs[i].got = 0;
		if (sublat_write_feed(argv[2], (int)k) != 0)
			return 1;
		snprintf(line, sizeof(line),
			 "{\"op\":\"poll\",\"feed\":\"%s\"}\n", argv[3]);
		t0 = sublat_now();
		if (sublat_send(ctl.fd, line) != 0)
			return 1;
		while (done < nsubs) {
			int n = epoll_wait(ep, evs, 256, 2000);

			if (n <= 0) {
				missing += nsubs - done;
				break;
			}
			for (int e = 0; e < n; e++) {
				struct sub *s = evs[e].data.ptr;
				int before = s->got;
				double t;

				if (sublat_read(s, NULL) < 0) {
					fprintf(stderr, "sublat: a subscriber "
						"was disconnected\n");
					return 1;
				}
				t = sublat_now();
				if (before == 0 && s->got > 0) {
					lat[nlat++] = t - t0;
					done++;
				}
			}
		}
		sublat_read(&ctl, NULL); /* drop the poll replies */
	}
	qsort(lat, nlat, sizeof(*lat), sublat_cmp);
	printf("samples=%zu missing=%ld p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
	       "max_ms=%.3f\n", nlat, missing, sublat_pct(lat, nlat, .50),
	       sublat_pct(lat, nlat, .90), sublat_pct(lat, nlat, .99),
	       nlat ? lat[nlat - 1] : 0);
	return missing ? 1 : 0;
}
