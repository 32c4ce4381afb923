/* worker — a helper thread that sleeps on a condition until its owner
 * (the event loop) posts work or tells it to end.
 *
 * The owner and the thread share mu and cv for their own protocol (what
 * is posted, what is done); worker_stop adds the end: quit is set under
 * mu, the thread sees it on waking and returns, and is joined. A zeroed
 * struct worker is a valid, not started worker.
 */
#ifndef BW_WORKER_H
#define BW_WORKER_H

#include <uv.h>

struct worker {
	uv_thread_t th;
	uv_mutex_t mu;
	uv_cond_t cv;
	int started;    /* the thread exists: worker_stop joins it */
	int quit;       /* under mu: the thread should return */
};

/* Make mu and cv and start fn(arg) on a new thread. 0, or a libuv error
 * with nothing left to free (the owner then does the work itself). */
int worker_start(struct worker *w, void (*fn)(void *), void *arg);

/* Tell the thread to end, wait for it, free mu and cv. Nothing if it was
 * never started; the worker can be started again afterwards. */
void worker_stop(struct worker *w);

#endif
