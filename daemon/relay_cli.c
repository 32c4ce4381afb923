/* relay_cli.c — the command line's side of the NATS relay (see
 * include/relay.h): `briefwatch tail --nats URL`, which reads the stream
 * through a pull consumer and prints the socket's NDJSON, and
 * `briefwatch relay-takeover`, which lets a fenced relay go on.
 */
#include "relay.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_args.h"
#include "config.h"
#include "store.h"
#include "store_relay.h"
#include "termtext.h"

/* Set by SIGINT/SIGTERM: the fetch loop ends after its current batch. */
static volatile sig_atomic_t tail_stop;

static void
on_stop(int sig)
{
	(void)sig;
	tail_stop = 1;
}

int
relay_tail_wanted(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--nats") == 0 ||
		    strncmp(argv[i], "--nats=", 7) == 0)
			return 1;
	}
	return 0;
}

/* The feed token at the end of an event subject, unescaped, is feed? */
static int
subject_feed_is(const char *subj, const char *feed)
{
	char want[512];

	if (relay_subject(want, sizeof(want), "", "", feed) < 0)
		return 0;
	/* want is ".ev.new.<token>": compare the last token. */
	{
		const char *a = strrchr(want, '.'), *b = strrchr(subj, '.');

		return a && b && strcmp(a, b) == 0;
	}
}

static void
print_text(const char *subj, const char *data, int len, int64_t seq)
{
	json_t *ev = json_loadb(data, (size_t)len, 0, NULL);
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *b = json_object_get(ev, "briefing");

	if (type && strcmp(type, "gap") == 0)
		printf("-- events %lld to %lld expired before they reached the stream\n",
		       (long long)json_integer_value(json_object_get(ev, "from")),
		       (long long)json_integer_value(json_object_get(ev, "to")));
	else if (type && strcmp(type, "takeover") == 0)
		printf("-- origin %s took the stream over after its event %lld\n",
		       json_string_value(json_object_get(ev, "origin")),
		       (long long)json_integer_value(json_object_get(ev, "from")));
	else if (b) {
		const char *t = json_string_value(json_object_get(b, "title"));
		const char *p = json_string_value(json_object_get(b, "published"));

		/* published text through termtext, as the socket's tail */
		printf("[%lld] %s #%lld ", (long long)seq,
		       type && strcmp(type, "briefing.updated") == 0
			       ? "UPDATED" : "NEW",
		       (long long)json_integer_value(json_object_get(b, "id")));
		term_puts_clean(p ? p : "");
		fputs("  ", stdout);
		term_puts_clean(t ? t : "(untitled)");
		putchar('\n');
	} else {
		printf("[%lld] ", (long long)seq);
		term_puts_clean(subj);
		putchar('\n');
	}
	json_decref(ev);
}

int
relay_tail_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"nats", required_argument, NULL, 'N'},
		{"durable", required_argument, NULL, 'D'},
		{"feed", required_argument, NULL, 'f'},
		{"since", required_argument, NULL, 's'},
		{"count", required_argument, NULL, 'n'},
		{"stream", required_argument, NULL, 'S'},
		{"subject-prefix", required_argument, NULL, 'P'},
		{"idle-exit", required_argument, NULL, 'I'},
		{"creds", required_argument, NULL, 'C'},
		{"nkey", required_argument, NULL, 'K'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL, *durable = NULL, *stream = "BRIEFWATCH";
	const char *prefix = "briefwatch";
	const char **feeds = NULL;
	struct relay_conf auth = {0}; /* --creds only */
	size_t nfeeds = 0;
	int64_t since = -1, count = -1, idle_ms = 0, idle = 0;
	natsOptions *no = NULL;
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	natsSubscription *sub = NULL;
	jsSubOptions so;
	jsErrCode jerr = 0;
	natsStatus s;
	struct sigaction sa = {0};
	char filter[512], msg[320];
	int c, json = 0, rc = 0, warned = 0, full = 1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'N': url = optarg; break;
		case 'D': durable = optarg; break;
		case 'f': {
			const char **nf = realloc(feeds, (nfeeds + 1) *
							 sizeof(*nf));

			if (!nf) {
				free(feeds);
				return 1;
			}
			feeds = nf;
			feeds[nfeeds++] = optarg;
			break;
		}
		case 's':
			if (arg_seq(optarg, &since) < 0)
				rc = bad_usage("tail", "--since \"%s\" is not an event number (seq)", optarg);
			break;
		case 'n':
			if (arg_seq(optarg, &count) < 0 || count == 0)
				rc = bad_usage("tail", "--count \"%s\" is not a positive number", optarg);
			break;
		case 'S': stream = optarg; break;
		case 'P': prefix = optarg; break;
		case 'I':
			if (config_parse_duration(optarg, &idle_ms) < 0)
				rc = bad_usage("tail", "--idle-exit \"%s\" is not a duration", optarg);
			break;
		case 'C': auth.creds = optarg; break;
		case 'K': auth.nkey = optarg; break;
		case 'j': json = 1; break;
		case 'h':
			puts("usage: briefwatch tail --nats URL [--durable NAME] [--feed F] [--since SEQ] [--count N] [--json] [--stream NAME] [--subject-prefix P] [--idle-exit DURATION] [--creds FILE | --nkey SEEDFILE]");
			free(feeds);
			return 0;
		default:
			rc = bad_option("tail", c, argv);
			break;
		}
		if (rc)
			break;
	}
	if (!rc && optind < argc)
		rc = bad_usage("tail", "unexpected argument \"%s\"", argv[optind]);
	if (!rc && durable && !*durable)
		rc = bad_usage("tail", "--durable \"%s\" is empty", durable);
	if (rc) {
		free(feeds);
		return rc;
	}
	if (nfeeds == 1) {
		char one[512];

		if (relay_subject(one, sizeof(one), prefix, "", feeds[0]) < 0) {
			rc = bad_usage("tail", "--feed \"%s\" is too long",
				       feeds[0]);
			free(feeds);
			return rc;
		}
		/* <prefix>.ev.new.<feed> → <prefix>.ev.*.<feed> */
		snprintf(filter, sizeof(filter), "%s.ev.*%s", prefix,
			 strrchr(one, '.'));
	} else
		snprintf(filter, sizeof(filter), "%s.>", prefix);

	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	auth.ack_wait_ms = 5000;
	if (auth.creds && auth.nkey) {
		free(feeds);
		return bad_usage("tail", "--creds and --nkey: one or the other");
	}
	if (relay_nats_options(auth.creds || auth.nkey ? &auth : NULL, url, 1,
			       &no, msg,
			       sizeof(msg)) < 0) {
		fprintf(stderr, "briefwatch: tail: %s\n", msg);
		free(feeds);
		return 1;
	}
	natsOptions_SetName(no, "briefwatch tail");
	s = natsConnection_Connect(&nc, no);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	if (s != NATS_OK) {
		fprintf(stderr, "briefwatch: tail: cannot connect to %s: %s\n",
			url, relay_nats_err(s));
		rc = 1;
		goto out;
	}
	jsSubOptions_Init(&so);
	so.Stream = stream;
	so.Config.AckPolicy = js_AckExplicit;
	so.Config.DeliverPolicy = since >= 0 ? js_DeliverAll : js_DeliverNew;
	so.Config.AckWait = (int64_t)30 * 1000000000;
	so.Config.MaxAckPending = 1024;
	if (durable) {
		jsConsumerInfo *ci = NULL;

		/* An existing durable goes on from its acks, whatever
		 * --since says now: bind to it as it is. */
		if (js_GetConsumerInfo(&ci, js, stream, durable, NULL,
				       &jerr) == NATS_OK) {
			so.Consumer = durable;
			so.Config.DeliverPolicy = ci->Config->DeliverPolicy;
			so.Config.AckWait = ci->Config->AckWait;
			so.Config.MaxAckPending = ci->Config->MaxAckPending;
			jsConsumerInfo_Destroy(ci);
		}
		jerr = 0;
	}
	/* A cluster electing a stream leader answers nothing for a few
	 * seconds: retry a timeout for up to 30 s, as a fetch would. */
	for (int tries = 0; !tail_stop; tries++) {
		s = js_PullSubscribe(&sub, js, filter, durable, NULL, &so,
				     &jerr);
		if ((s != NATS_TIMEOUT && s != NATS_NO_RESPONDERS) ||
		    tries == 30)
			break;
		if (tries == 0)
			fprintf(stderr, "briefwatch: tail: stream %s: %s; retrying\n",
				stream, relay_nats_err(s));
		nanosleep(&(struct timespec){1, 0}, NULL);
	}
	if (s != NATS_OK) {
		fprintf(stderr, "briefwatch: tail: stream %s, subjects %s: %s\n",
			stream, filter, relay_nats_err(s));
		rc = 1;
		goto out;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while (!tail_stop && count != 0) {
		natsMsgList list = {0};
		int i;

		/* A fetch of 256 that finds fewer waits for the rest until
		 * its timeout; so once the stream is drained, wait for one
		 * message (it returns as soon as one comes), then take what
		 * came meanwhile. No more than --count wants: a fetched
		 * message is held for us until acked. */
		int want = full ? 256 : 1;

		if (count > 0 && count < want)
			want = (int)count;
		s = natsSubscription_Fetch(&list, sub, want, 1000, &jerr);
		if (s == NATS_TIMEOUT) {
			full = 0;
			idle += 1000;
			if (idle_ms && idle >= idle_ms)
				break;
			continue;
		}
		if (s != NATS_OK) {
			if (!warned)
				fprintf(stderr, "briefwatch: tail: %s; retrying\n",
					relay_nats_err(s));
			warned = 1;
			if (natsConnection_IsClosed(nc)) {
				rc = 1;
				break;
			}
			natsMsgList_Destroy(&list);
			/* a fetch that fails at once (no responders while
			 * the server restarts) must not spin */
			{
				struct timespec ts = {0, 200 * 1000000};

				nanosleep(&ts, NULL);
			}
			continue;
		}
		if (warned)
			fprintf(stderr, "briefwatch: tail: reading again\n");
		warned = 0;
		idle = 0;
		full = list.Count == want;
		for (i = 0; i < list.Count && count != 0; i++) {
			natsMsg *m = list.Msgs[i];
			const char *subj = natsMsg_GetSubject(m);
			int64_t seq = relay_msg_seq(m);
			int show = 1;
			size_t k;

			if (since >= 0 && seq >= 0 && seq <= since &&
			    strstr(subj, ".ev."))
				show = 0;
			if (show && nfeeds > 1 && strstr(subj, ".ev.")) {
				show = 0;
				for (k = 0; k < nfeeds; k++)
					if (subject_feed_is(subj, feeds[k]))
						show = 1;
			}
			if (show) {
				if (json) {
					fwrite(natsMsg_GetData(m), 1,
					       (size_t)natsMsg_GetDataLength(m),
					       stdout);
					putchar('\n');
				} else
					print_text(subj, natsMsg_GetData(m),
						   natsMsg_GetDataLength(m),
						   seq);
				if (count > 0 && strstr(subj, ".ev."))
					count--;
			}
		}
		/* Acked once printed: flushed to our stdout. */
		if (fflush(stdout) != 0) {
			perror("briefwatch: tail: stdout");
			natsMsgList_Destroy(&list);
			rc = 1;
			break;
		}
		for (int j = 0; j < list.Count; j++) {
			if (j < i)
				natsMsg_Ack(list.Msgs[j], NULL);
			else	/* not shown: to be delivered again at once */
				natsMsg_Nak(list.Msgs[j], NULL);
		}
		natsMsgList_Destroy(&list);
	}
out:
	/* Destroyed, not unsubscribed: unsubscribing would delete a
	 * durable consumer the subscription created, and its place. */
	natsSubscription_Destroy(sub);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(no);
	nats_Close();
	free(feeds);
	return rc;
}

/* ---- relay-takeover ---------------------------------------------------- */

int
relay_takeover_main(const struct relay_conf *rc, const char *db_path,
		    int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct store *st = NULL;
	char origin[40], msg[320], subj[300], body[400], v[32], *err = NULL;
	int64_t from = -1, head = 0, theirs = -1;
	const char *their_origin = NULL;
	natsOptions *no = NULL;
	natsConnection *nc = NULL;
	jsCtx *js = NULL;
	jsStreamInfo *si = NULL;
	natsMsg *last = NULL, *m = NULL;
	jsPubAck *pa = NULL;
	jsErrCode jerr = 0;
	natsStatus s;
	uint64_t lseq;
	int c, ret = 1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (arg_seq(optarg, &from) < 0)
				return bad_usage("relay-takeover", "--from \"%s\" is not an event number (seq)", optarg);
			break;
		case 'h':
			puts("usage: briefwatch relay-takeover [--from SEQ]");
			return 0;
		default:
			return bad_option("relay-takeover", c, argv);
		}
	}
	if (optind < argc)
		return bad_usage("relay-takeover", "unexpected argument \"%s\"", argv[optind]);
	if (!rc) {
		fprintf(stderr, "briefwatch: relay-takeover: the configuration has no [relay] section\n");
		return 1;
	}
	if (relay_conf_check(rc, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "briefwatch: relay-takeover: %s\n", msg);
		return 1;
	}
	if (store_open(db_path, STORE_READONLY, &st, &err) < 0 ||
	    store_origin(st, origin, sizeof(origin)) < 0 ||
	    store_head(st, &head) < 0) {
		fprintf(stderr, "briefwatch: relay-takeover: database %s: %s\n",
			db_path, err ? err : store_errmsg(st));
		goto out;
	}
	if (from < 0)
		from = head;
	if (from > head) {
		fprintf(stderr, "briefwatch: relay-takeover: --from %lld is past the database's head (%lld)\n",
			(long long)from, (long long)head);
		goto out;
	}
	if (relay_nats_options(rc, NULL, 0, &no, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "briefwatch: relay-takeover: %s\n", msg);
		goto out;
	}
	s = natsConnection_Connect(&nc, no);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	if (s == NATS_OK)
		s = js_GetStreamInfo(&si, js, rc->stream, NULL, &jerr);
	if (s != NATS_OK) {
		fprintf(stderr, "briefwatch: relay-takeover: stream %s: %s\n",
			rc->stream, relay_nats_err(s));
		goto out;
	}
	lseq = si->State.LastSeq;
	if (lseq && js_GetMsg(&last, js, rc->stream, lseq, NULL, &jerr) ==
			    NATS_OK) {
		theirs = relay_msg_seq(last);
		natsMsgHeader_Get(last, "Briefwatch-Origin", &their_origin);
	}
	printf("stream %s: last message %" PRIu64 " (origin %s, event %lld)\n"
	       "database %s: origin %s, head %lld\n",
	       rc->stream, lseq, their_origin ? their_origin : "-",
	       (long long)theirs, db_path, origin, (long long)head);
	snprintf(subj, sizeof(subj), "%s.ctl.takeover", rc->prefix);
	snprintf(body, sizeof(body),
		 "{\"type\":\"takeover\",\"origin\":\"%s\",\"from\":%lld,"
		 "\"replaces\":{\"origin\":\"%s\",\"seq\":%lld}}", origin,
		 (long long)from, their_origin ? their_origin : "",
		 (long long)theirs);
	s = natsMsg_Create(&m, subj, NULL, body, (int)strlen(body));
	snprintf(v, sizeof(v), "%lld", (long long)from);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Briefwatch-Seq", v);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Briefwatch-Origin", origin);
	snprintf(v, sizeof(v), "%" PRIu64, lseq);
	if (s == NATS_OK)
		s = natsMsgHeader_Set(m, "Nats-Expected-Last-Sequence", v);
	if (s == NATS_OK)
		s = js_PublishMsg(&pa, js, m, NULL, &jerr);
	if (s != NATS_OK) {
		fprintf(stderr, "briefwatch: relay-takeover: %s%s\n",
			relay_nats_err(s),
			jerr == JSStreamWrongLastSequenceErr
				? " (the stream moved on meanwhile: look again, then run it again)"
				: "");
		goto out;
	}
	printf("took over stream %s: the relay goes on after event %lld\n",
	       rc->stream, (long long)from);
	ret = 0;
out:
	jsPubAck_Destroy(pa);
	natsMsg_Destroy(m);
	natsMsg_Destroy(last);
	jsStreamInfo_Destroy(si);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(no);
	store_close(st);
	free(err);
	return ret;
}
