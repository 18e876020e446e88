// SPDX-License-Identifier: MIT
/*
 * The unit's clock and event scheduler: a binary min-heap ordered by due
 * time, then by the order events were scheduled, so runs are deterministic.
 * Bounded: at most VTD_SCHED_MAX_EVENTS events wait at once.
 */
#include <stdlib.h>

#include "vtd_internal.h"

static bool before(const struct vtd_sched_event *a,
		   const struct vtd_sched_event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void swap_ev(struct vtd_sched_event *a, struct vtd_sched_event *b)
{
	struct vtd_sched_event t = *a;

	*a = *b;
	*b = t;
}

static void sift_up(struct vtd_sched *s, size_t i)
{
	while (i && before(&s->heap[i], &s->heap[(i - 1) / 2])) {
		swap_ev(&s->heap[i], &s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

static void sift_down(struct vtd_sched *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->n && before(&s->heap[l], &s->heap[m]))
			m = l;
		if (r < s->n && before(&s->heap[r], &s->heap[m]))
			m = r;
		if (m == i)
			return;
		swap_ev(&s->heap[i], &s->heap[m]);
		i = m;
	}
}

static int grow(struct vtd_sched *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	struct vtd_sched_event *h;

	if (s->cap >= VTD_SCHED_MAX_EVENTS)
		return -1;
	if (cap > VTD_SCHED_MAX_EVENTS)
		cap = VTD_SCHED_MAX_EVENTS;
	h = realloc(s->heap, cap * sizeof(*h));
	if (!h)
		return -1;
	s->heap = h;
	s->cap = cap;
	return 0;
}

int vtd_sched_at(struct vtd *v, uint64_t t, vtd_event_fn fn, void *obj,
		 uint64_t arg)
{
	struct vtd_sched *s = &v->sched;

	if (s->n == s->cap && grow(s))
		return -1;
	s->heap[s->n] = (struct vtd_sched_event){
		.t = t < s->now ? s->now : t,
		.seq = s->seq++,
		.fn = fn,
		.obj = obj,
		.arg = arg,
	};
	sift_up(s, s->n++);
	return 0;
}

void vtd_sched_cancel(struct vtd *v, vtd_event_fn fn, const void *obj)
{
	struct vtd_sched *s = &v->sched;
	size_t i = 0, j;

	for (j = 0; j < s->n; j++) {
		struct vtd_sched_event *e = &s->heap[j];

		if (e->fn == fn && (!obj || e->obj == obj))
			continue;
		s->heap[i++] = *e;
	}
	s->n = i;
	/* re-heapify */
	for (j = s->n / 2 + 1; j-- > 0;)
		sift_down(s, j);
}

void vtd_sched_clear(struct vtd *v)
{
	v->sched.n = 0;
}

void vtd_sched_destroy(struct vtd *v)
{
	free(v->sched.heap);
	v->sched.heap = NULL;
	v->sched.n = v->sched.cap = 0;
}

uint64_t vtd_now(const struct vtd *v)
{
	return v->sched.now;
}

bool vtd_next_event(const struct vtd *v, uint64_t *t)
{
	if (!v->sched.n)
		return false;
	*t = v->sched.heap[0].t;
	return true;
}

void vtd_advance(struct vtd *v, uint64_t t)
{
	struct vtd_sched *s = &v->sched;

	if (t < s->now)
		return;
	/* An event handler that advances the clock itself is ignored: the
	 * outer call keeps the order. */
	if (s->running)
		return;
	s->running = true;
	while (s->n && s->heap[0].t <= t) {
		struct vtd_sched_event e = s->heap[0];

		s->heap[0] = s->heap[--s->n];
		sift_down(s, 0);
		/* the timing model runs everything before the event first */
		vtd_tm_run(v, e.t * 1000);
		s->now = e.t;
		e.fn(v, e.obj, e.arg);
	}
	s->now = t;
	vtd_tm_run(v, t * 1000);
	s->running = false;
}
