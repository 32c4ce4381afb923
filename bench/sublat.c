/* sublat — subscriber latency driver for bench/run (section 5).
 *
 *   sublat SOCKET FEEDFILE FEEDNAME NSUBS ITERATIONS [ITEMS PER_S]
 *
 * Connects NSUBS subscribers to the daemon's socket (one process; each
 * reading thread has its own edge-triggered epoll).
 *
 * Without ITEMS/PER_S (one event at a time): ITERATIONS times, rewrites
 * FEEDFILE (served by nginx) with one new item, sends
 * {"op":"poll","feed":FEEDNAME} on a control connection, and waits until
 * every subscriber has read the "briefing.new" line.
 *
 * With ITEMS and PER_S (a sustained stream): ITERATIONS polls paced at
 * PER_S polls a second, each after rewriting FEEDFILE with ITEMS new items,
 * so the daemon is offered ITEMS × PER_S events a second; a poll is sent
 * only once the first subscriber has the previous poll's events, so the
 * rate achieved (events_per_s) is capped by what the daemon sustains.
 * Subscribers are read all along; the run ends when every subscriber has
 * every event.
 *
 * Stream mode reads the subscribers from SUBLAT_THREADS threads (default
 * 2; the main thread keeps the first slice): with 1,000 subscribers one
 * reader would measure itself, and NSUBS threads model as many separate
 * client processes, each asleep in a blocking read(2) until its line
 * comes. The readers share the cores with the daemon, so they are kept
 * cheap: one hot read buffer per thread, reads until drained, and sample
 * arrays allocated and touched before the run.
 *
 * Latencies per delivery, all on CLOCK_REALTIME of this host, to the
 * moment the subscriber's read(2) of the line returned:
 *   commit: from when the COMMIT of the event's write batch returned,
 *           taken from the daemon's log (SUBLAT_COMMIT_LOG: a
 *           briefwatchd log at log_level debug, whose writer logs "store:
 *           committed N briefings, events up to seq S, at SEC.USEC" for
 *           each batch), joined by the event's seq — commit→delivery;
 *   stored: from the event's "stored" time (stamped as the event row is
 *           written), which adds the rest of the batch and the commit's
 *           fsync;
 *   poll:   (one-at-a-time mode) from sending the poll request — which
 *           adds the fetch from nginx and the parse.
 * A delivery missing after 5 s counts as missing (exit status 1).
 * Prints: samples=N missing=M p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
 *         (from "stored") commit_samples=N commit_p50_ms=.. commit_p90_ms=..
 *         commit_p99_ms=.. commit_max_ms=.. (0 samples without the log)
 *         poll_p50_ms=.. poll_p99_ms=.. events_per_s=..
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct sub {
	int fd;
	long got;       /* deliveries seen (this iteration, or in all) */
	size_t len;     /* bytes of a partial line kept in buf */
	int block;      /* a blocking socket: one read per call */
	char buf[65536];
};

static double sublat_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Every delivery, in the order read: each reader thread has its own,
 * merged at the end. */
struct sample {
	long long seq;  /* the event's "seq" */
	double recv;    /* read, ms since the epoch */
	double stored;  /* its "stored" time, ms since the epoch */
};
static __thread struct sample *smp;
static __thread size_t nsmp, capsmp;

/* "stored":"YYYY-MM-DDTHH:MM:SS.uuuuuuZ" → ms since the epoch, or -1.
 * The seconds part is converted once per distinct second. */
static double sublat_stored_ms(const char *line)
{
	static __thread char last[20];
	static __thread double last_s;
	const char *p = strstr(line, "\"stored\":\"");
	struct tm tm;

	if (!p || strnlen(p += 10, 27) < 27)
		return -1;
	if (memcmp(p, last, 19) != 0) {
		memset(&tm, 0, sizeof(tm));
		if (sscanf(p, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year,
			   &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			   &tm.tm_sec) != 6)
			return -1;
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		last_s = (double)timegm(&tm);
		memcpy(last, p, 19);
	}
	/* ".uuuuuuZ": by hand, strtod was a tenth of this reader's time */
	if (p[19] != '.')
		return -1;
	long us = 0;
	for (int i = 20; i < 26; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		us = us * 10 + (p[i] - '0');
	}
	return last_s * 1e3 + (double)us / 1e3;
}

static void sublat_sample(const struct sample *x)
{
	if (nsmp == capsmp) {
		capsmp = capsmp ? capsmp * 2 : 4096;
		smp = realloc(smp, capsmp * sizeof(*smp));
		if (!smp)
			exit(1);
	}
	smp[nsmp++] = *x;
}

/* Room for n samples in this thread, allocated and touched before the
 * run, so that growing the array (a copy, page faults) is not part of
 * the readers' work while they are measured. */
static void sublat_reserve(size_t n)
{
	if (n <= capsmp)
		return;
	smp = realloc(smp, n * sizeof(*smp));
	if (!smp)
		exit(1);
	memset(smp + capsmp, 0, (n - capsmp) * sizeof(*smp));
	capsmp = n;
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

/* One line: an event counts (and is sampled unless this is the wait for
 * "subscribed"); a "subscribed" reply is noted; errors are shown. Event
 * lines begin {"seq":N,"type":"briefing.new","stored":"..." (the daemon
 * writes them so), which is read in place; anything else is searched. */
static void sublat_line(struct sub *s, const char *p, double now,
			int *subscribed)
{
	static const char ty[] = ",\"type\":\"briefing.";
	struct sample x = { -1, now, -1 };
	const char *q = p + 7;

	if (strncmp(p, "{\"seq\":", 7) == 0 && *q >= '0' && *q <= '9') {
		x.seq = 0;
		while (*q >= '0' && *q <= '9')
			x.seq = x.seq * 10 + (*q++ - '0');
	}
	if (x.seq >= 0 && strncmp(q, ty, sizeof(ty) - 1) == 0) {
		q += sizeof(ty) - 1;
		if (strncmp(q, "new\"", 4) != 0 &&
		    strncmp(q, "updated\"", 8) != 0)
			return;
		x.stored = sublat_stored_ms(q);
	} else if (strstr(p, "\"briefing.new\"") ||
		   strstr(p, "\"briefing.updated\"")) {
		x.stored = sublat_stored_ms(p);
	} else {
		if (strstr(p, "\"subscribed\"") && subscribed)
			*subscribed = 1;
		else if (strstr(p, "\"overflow\"") || strstr(p, "\"error\""))
			fprintf(stderr, "sublat: %.200s\n", p);
		return;
	}
	s->got++;
	if (x.stored > 0 && subscribed == NULL)
		sublat_sample(&x);
}

/* Reads what the subscriber has, then handles its complete lines. The
 * reads go to one buffer per reading thread, which stays in cache; only
 * the tail of a line cut by the kernel is kept in the subscriber's own
 * buffer until the rest comes. The epolls are edge-triggered: a read
 * shorter than the room given means the socket was drained, and anything
 * sent after that is a new edge. On a blocking socket (a thread of its
 * own), one read. 1 if it read, 0 if there was nothing (EAGAIN, or the
 * blocking read's time-out), -1 on EOF or error. */
static int sublat_read(struct sub *s, int *subscribed)
{
	static __thread char rb[sizeof(s->buf)];
	size_t room;
	ssize_t r;
	char *p, *nl, *end;

	do {
		memcpy(rb, s->buf, s->len);
		room = sizeof(rb) - 1 - s->len;
		do
			r = read(s->fd, rb + s->len, room);
		while (r < 0 && errno == EINTR);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r <= 0)
			return -1;
		end = rb + s->len + r;
		*end = '\0';
		/* Every line of one read arrived by the time read returned:
		 * one clock reading serves them all. */
		double now = sublat_now();

		p = rb;
		while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
			*nl = '\0';
			sublat_line(s, p, now, subscribed);
			p = nl + 1;
		}
		s->len = (size_t)(end - p);
		if (s->len >= sizeof(s->buf) - 1)
			s->len = 0; /* a giant line: drop it */
		memcpy(s->buf, p, s->len);
	} while ((size_t)r == room && !s->block);
	return 1;
}

/* FEEDFILE with the n new items of poll k, plus those of the 4 polls
 * before it, so that polls the daemon coalesces lose nothing (ids unique
 * to this process). */
static int sublat_write_feed(const char *path, long k, long n)
{
	long first = (k >= 4 ? k - 4 : 0) * n;

	char tmp[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<rss version=\"2.0\"><channel><title>Live</title>"
		"<link>https://live.example.org/</link>"
		"<description>latency probe</description>\n");
	for (long i = first; i < k * n + n; i++)
		fprintf(f, "<item><title>Live statement %ld-%ld</title>"
			"<link>https://live.example.org/b/%ld-%ld.htm</link>"
			"<guid isPermaLink=\"false\">live-%ld-%ld</guid>"
			"<pubDate>Mon, 02 Jan 2023 10:00:00 +0000</pubDate>"
			"<description>Probe %ld of run %ld for the subscriber "
			"latency bench.</description></item>\n",
			i, (long)getpid(), i, (long)getpid(), i,
			(long)getpid(), i, (long)getpid());
	fputs("</channel></rss>\n", f);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

/* The daemon's commits, from its debug log (SUBLAT_COMMIT_LOG): lines
 * "store: committed N briefings, events up to seq S, at SEC.USEC", in
 * the order written, so S ascends. */
struct commit {
	long long seq;
	double ms;
};

static struct commit *sublat_commits(const char *path, size_t *n)
{
	static const char key[] = "events up to seq ";
	struct commit *v = NULL;
	size_t cap = 0;
	char line[4096];
	FILE *f = fopen(path, "r");

	*n = 0;
	if (!f) {
		fprintf(stderr, "sublat: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, key);
		long long seq, sec;
		long usec;

		if (!p || sscanf(p + sizeof(key) - 1, "%lld, at %lld.%ld",
				 &seq, &sec, &usec) != 3)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				exit(1);
		}
		v[*n].seq = seq;
		v[(*n)++].ms = (double)sec * 1e3 + (double)usec / 1e3;
	}
	fclose(f);
	if (!*n) {
		fprintf(stderr, "sublat: %s has no commit lines (is "
			"log_level debug?)\n", path);
		free(v);
		return NULL;
	}
	return v;
}

/* The commit that made event seq durable: the first with S >= seq. */
static const struct commit *sublat_commit_of(const struct commit *v,
					     size_t n, long long seq)
{
	size_t lo = 0, hi = n;

	if (seq < 0)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? &v[lo] : NULL;
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

/* Read every ready subscriber until timeout_ms passes without data or
 * every subscriber has want events. Returns subscribers short of want. */
static long sublat_drain(int ep, struct sub *subs, long nsubs, long want,
			 int timeout_ms)
{
	struct epoll_event evs[256];
	long short_of = 0;

	for (;;) {
		short_of = 0;
		for (long i = 0; i < nsubs; i++)
			short_of += subs[i].got < want;
		if (!short_of)
			return 0;
		int n = epoll_wait(ep, evs, 256, timeout_ms);

		if (n <= 0)
			return short_of;
		for (int e = 0; e < n; e++)
			if (sublat_read(evs[e].data.ptr, NULL) < 0) {
				fprintf(stderr, "sublat: a subscriber was "
					"disconnected\n");
				exit(1);
			}
	}
}

/* A reader thread of the stream mode: its own slice of the subscribers
 * on its own epoll, read until each has want events or 5 s pass without
 * data; then its latencies and how many fell short. */
struct reader {
	pthread_t th;
	struct sub *subs;
	long n, want, short_of;
	struct sample *smp;
	size_t nsmp;
	pthread_barrier_t *ready; /* all readers set up: the run may start */
};

static void *sublat_reader(void *arg)
{
	struct reader *r = arg;
	struct epoll_event ev;
	int ep;

	sublat_reserve((size_t)(r->n * r->want) + 1);
	pthread_barrier_wait(r->ready);
	if (r->n == 1) {
		/* A thread of its own, as a client process would be: asleep
		 * in a blocking read(2) until its line comes. */
		struct sub *s = r->subs;
		struct timeval tv = { 5, 0 };
		int rc = 1;

		s->block = 1;
		if (fcntl(s->fd, F_SETFL, 0) != 0 ||
		    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
			       sizeof(tv)) != 0)
			exit(1);
		while (s->got < r->want && (rc = sublat_read(s, NULL)) > 0)
			;
		if (rc < 0) {
			fprintf(stderr, "sublat: a subscriber was "
				"disconnected\n");
			exit(1);
		}
		r->short_of = s->got < r->want;
		r->smp = smp;
		r->nsmp = nsmp;
		return NULL;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		exit(1);
	for (long i = 0; i < r->n; i++) {
		ev.events = EPOLLIN | EPOLLET;
		ev.data.ptr = &r->subs[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, r->subs[i].fd, &ev) != 0)
			exit(1);
	}
	r->short_of = sublat_drain(ep, r->subs, r->n, r->want, 5000);
	r->smp = smp;
	r->nsmp = nsmp;
	close(ep);
	return NULL;
}

int main(int argc, char **argv)
{
	struct epoll_event ev, evs[256];
	struct sub *subs, ctl;
	double *plat, t0, start;
	size_t nplat = 0;
	long nsubs, iters, items = 0, per_s = 0, missing = 0;
	char line[512];
	int ep;

	if (argc != 6 && argc != 8) {
		fprintf(stderr, "usage: sublat SOCKET FEEDFILE FEEDNAME "
				"NSUBS ITERATIONS [ITEMS PER_S]\n");
		return 2;
	}
	nsubs = strtol(argv[4], NULL, 10);
	iters = strtol(argv[5], NULL, 10);
	if (argc == 8) {
		items = strtol(argv[6], NULL, 10);
		per_s = strtol(argv[7], NULL, 10);
		if (items <= 0 || per_s <= 0)
			return 2;
	}
	if (nsubs <= 0 || iters <= 0)
		return 2;
	/* Stream mode: SUBLAT_THREADS reading threads (see the top). */
	long nthreads = 1;
	if (per_s) {
		const char *t = getenv("SUBLAT_THREADS");

		nthreads = t ? strtol(t, NULL, 10) : 2;
		if (nthreads < 1)
			nthreads = 1;
		if (nthreads > nsubs)
			nthreads = nsubs;
	}
	long nmain = nsubs / nthreads;
	struct reader *readers = calloc((size_t)nthreads, sizeof(*readers));

	if (!readers)
		return 1;
	subs = calloc((size_t)nsubs, sizeof(*subs));
	plat = calloc((size_t)(nsubs * iters), sizeof(*plat));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!subs || !plat || ep < 0)
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
		if (i >= nmain)
			continue; /* a reader thread's */
		ev.events = EPOLLIN | EPOLLET;
		ev.data.ptr = &subs[i];
		epoll_ctl(ep, EPOLL_CTL_ADD, subs[i].fd, &ev);
	}
	for (long t = 1; t < nthreads; t++) {
		long from = nmain + (t - 1) * ((nsubs - nmain) / (nthreads - 1));
		long to = t == nthreads - 1
			      ? nsubs
			      : from + (nsubs - nmain) / (nthreads - 1);

		readers[t].subs = subs + from;
		readers[t].n = to - from;
		readers[t].want = iters * items;
	}
	memset(&ctl, 0, sizeof(ctl));
	ctl.fd = sublat_connect(argv[1]);
	if (ctl.fd < 0)
		return 1;
	fcntl(ctl.fd, F_SETFL, O_NONBLOCK);
	snprintf(line, sizeof(line), "{\"op\":\"poll\",\"feed\":\"%s\"}\n",
		 argv[3]);
	sublat_reserve((size_t)(per_s ? nmain * iters * items
				       : nsubs * iters) + 1);
	/* Every reader is started and has reserved its samples before the
	 * first poll and the clock, so the first events do not wait for
	 * threads still being created. */
	pthread_barrier_t ready;

	if (pthread_barrier_init(&ready, NULL, (unsigned)nthreads) != 0)
		return 1;
	for (long t = 1; t < nthreads; t++) {
		readers[t].ready = &ready;
		if (pthread_create(&readers[t].th, NULL, sublat_reader,
				   &readers[t]) != 0)
			return 1;
	}
	pthread_barrier_wait(&ready);
	start = sublat_now();
	if (per_s) {
		/* The stream: pace the polls, read subscribers in between. */
		for (long k = 0; k < iters; k++) {
			double due = start + (double)k * 1e3 / (double)per_s;
			double wait;

			/* Closed loop: the next poll waits for its time and
			 * for subscriber 0 to have the previous poll's events,
			 * so the rate is capped by what the daemon sustains
			 * and polls are never coalesced. */
			while ((wait = due - sublat_now()) > 0 ||
			       subs[0].got < k * items) {
				int n = epoll_wait(ep, evs, 256,
						   wait > 0 ? (int)wait + 1
							    : 5000);

				if (n == 0 && wait <= 0) {
					fprintf(stderr, "sublat: poll %ld's "
						"events never came\n", k - 1);
					return 1;
				}

				for (int e = 0; e < n; e++)
					if (sublat_read(evs[e].data.ptr,
							NULL) < 0)
						return 1;
			}
			if (sublat_write_feed(argv[2], k, items) != 0 ||
			    sublat_send(ctl.fd, line) != 0)
				return 1;
			sublat_read(&ctl, NULL);
		}
		missing = sublat_drain(ep, subs, nmain, iters * items, 5000);
		for (long t = 1; t < nthreads; t++) {
			pthread_join(readers[t].th, NULL);
			missing += readers[t].short_of;
			for (size_t i = 0; i < readers[t].nsmp; i++)
				sublat_sample(&readers[t].smp[i]);
			free(readers[t].smp);
		}
	} else {
		for (long k = 0; k < iters; k++) {
			long done = 0;

			for (long i = 0; i < nsubs; i++)
				subs[i].got = 0;
			if (sublat_write_feed(argv[2], k, 1) != 0)
				return 1;
			t0 = sublat_now();
			if (sublat_send(ctl.fd, line) != 0)
				return 1;
			while (done < nsubs) {
				int n = epoll_wait(ep, evs, 256, 5000);

				if (n <= 0) {
					missing += nsubs - done;
					break;
				}
				for (int e = 0; e < n; e++) {
					struct sub *s = evs[e].data.ptr;
					long before = s->got;

					if (sublat_read(s, NULL) < 0) {
						fprintf(stderr, "sublat: a "
							"subscriber was "
							"disconnected\n");
						return 1;
					}
					if (before == 0 && s->got > 0) {
						plat[nplat++] =
							sublat_now() - t0;
						done++;
					}
				}
			}
			sublat_read(&ctl, NULL); /* drop the poll replies */
		}
	}
	double el = (sublat_now() - start) / 1e3;

	pthread_barrier_destroy(&ready); /* the readers are joined */

	/* From "stored", and from the commit when the daemon's log says
	 * when each batch committed. */
	double *lat = calloc(nsmp + 1, sizeof(*lat));
	double *clat = calloc(nsmp + 1, sizeof(*clat));
	size_t nlat = 0, nclat = 0, ncommits = 0;
	const char *logpath = getenv("SUBLAT_COMMIT_LOG");
	struct commit *commits = NULL;

	if (!lat || !clat)
		return 1;
	long long maxseq = -1;

	for (size_t i = 0; i < nsmp; i++)
		if (smp[i].seq > maxseq)
			maxseq = smp[i].seq;
	/* The writer logs a batch's commit just after announcing it, so
	 * the last batch's line can still be on its way when the last
	 * subscriber has read: wait for it, up to 2 s. */
	for (int tries = 0; logpath; tries++) {
		free(commits);
		if (!(commits = sublat_commits(logpath, &ncommits)))
			return 1;
		if ((ncommits && commits[ncommits - 1].seq >= maxseq) ||
		    tries == 200)
			break;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	for (size_t i = 0; i < nsmp; i++) {
		const struct commit *c = sublat_commit_of(commits, ncommits,
							  smp[i].seq);

		lat[nlat++] = smp[i].recv - smp[i].stored;
		if (c)
			clat[nclat++] = smp[i].recv - c->ms;
	}
	qsort(lat, nlat, sizeof(*lat), sublat_cmp);
	qsort(clat, nclat, sizeof(*clat), sublat_cmp);
	qsort(plat, nplat, sizeof(*plat), sublat_cmp);
	printf("samples=%zu missing=%ld p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
	       "max_ms=%.3f commit_samples=%zu commit_p50_ms=%.3f "
	       "commit_p90_ms=%.3f commit_p99_ms=%.3f commit_max_ms=%.3f "
	       "poll_p50_ms=%.3f poll_p99_ms=%.3f "
	       "events_per_s=%.1f\n", nlat, missing,
	       sublat_pct(lat, nlat, .50), sublat_pct(lat, nlat, .90),
	       sublat_pct(lat, nlat, .99), nlat ? lat[nlat - 1] : 0,
	       nclat, sublat_pct(clat, nclat, .50),
	       sublat_pct(clat, nclat, .90), sublat_pct(clat, nclat, .99),
	       nclat ? clat[nclat - 1] : 0,
	       sublat_pct(plat, nplat, .50), sublat_pct(plat, nplat, .99),
	       (double)(per_s ? iters * items : iters) / el);
	return missing ? 1 : 0;
}
