/* worker.c — helper threads' start and end (see include/worker.h). */
#include "worker.h"

int
worker_start(struct worker *w, void (*fn)(void *), void *arg)
{
	int r;

	w->quit = 0;
	if ((r = uv_mutex_init(&w->mu)) != 0)
		return r;
	if ((r = uv_cond_init(&w->cv)) != 0) {
		uv_mutex_destroy(&w->mu);
		return r;
	}
	if ((r = uv_thread_create(&w->th, fn, arg)) != 0) {
		uv_cond_destroy(&w->cv);
		uv_mutex_destroy(&w->mu);
		return r;
	}
	w->started = 1;
	return 0;
}

void
worker_stop(struct worker *w)
{
	if (!w->started)
		return;
	uv_mutex_lock(&w->mu);
	w->quit = 1;
	uv_cond_broadcast(&w->cv);
	uv_mutex_unlock(&w->mu);
	uv_thread_join(&w->th);
	uv_cond_destroy(&w->cv);
	uv_mutex_destroy(&w->mu);
	w->started = 0;
}
