// SPDX-License-Identifier: MIT
/* Latency statistics of a replay (latency.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latency.h"

typedef uint64_t u64x2 __attribute__((vector_size(16)));

static unsigned int bucket_of(uint64_t v)
{
	unsigned int e;

	if (v < LAT_SUB)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v); /* >= LAT_SUB_BITS */
	return LAT_SUB + (e - LAT_SUB_BITS) * LAT_SUB +
	       (unsigned int)((v >> (e - LAT_SUB_BITS)) - LAT_SUB);
}

/* [lo, lo + width) of bucket i */
static void bucket_range(unsigned int i, uint64_t *lo, uint64_t *width)
{
	unsigned int e, m;

	if (i < LAT_SUB) {
		*lo = i;
		*width = 1;
		return;
	}
	e = (i - LAT_SUB) / LAT_SUB + LAT_SUB_BITS;
	m = (i - LAT_SUB) % LAT_SUB;
	*lo = (uint64_t)(LAT_SUB + m) << (e - LAT_SUB_BITS);
	*width = 1ull << (e - LAT_SUB_BITS);
}

/* n requests of ps each */
static void hist_add_n(struct lat_hist *h, uint64_t ps, uint64_t n)
{
	if (!h->count || ps < h->min)
		h->min = ps;
	if (ps > h->max)
		h->max = ps;
	h->count += n;
	h->sum += ps * n;
	h->bucket[bucket_of(ps)] += n;
}

void lat_hist_add(struct lat_hist *h, uint64_t ps)
{
	hist_add_n(h, ps, 1);
}

uint64_t lat_hist_quantile(const struct lat_hist *h, double q)
{
	uint64_t rank, seen = 0, lo, width, v;
	unsigned int i;

	if (!h->count)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	/* the smallest value with at least q of the requests at or below */
	rank = (uint64_t)(q * (double)h->count);
	if ((double)rank < q * (double)h->count)
		rank++;
	if (!rank)
		rank = 1;
	for (i = 0; i < LAT_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			break;
	}
	bucket_range(i < LAT_BUCKETS ? i : LAT_BUCKETS - 1, &lo, &width);
	v = lo + width / 2;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

double lat_hist_mean(const struct lat_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

struct lat_stats *lat_stats_create(void)
{
	return calloc(1, sizeof(struct lat_stats));
}

void lat_stats_destroy(struct lat_stats *s)
{
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->ngroups; i++)
		free(s->groups[i]);
	free(s->groups);
	free(s);
}

static uint64_t group_key(uint16_t sid, bool has_pasid, uint32_t pasid)
{
	return (uint64_t)sid | (uint64_t)has_pasid << 16 |
	       (uint64_t)(has_pasid ? pasid : 0) << 17;
}

static uint32_t *index_slot(struct lat_stats *s, uint64_t key)
{
	uint32_t n = 2 * LAT_MAX_GROUPS, i;
	uint32_t *e;

	i = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 40) & (n - 1);
	for (;; i = (i + 1) & (n - 1)) {
		e = &s->index[i];
		if (!*e)
			return e;
		if (group_key(s->groups[*e - 1]->sid,
			      s->groups[*e - 1]->has_pasid,
			      s->groups[*e - 1]->pasid) == key)
			return e;
	}
}

static struct lat_group *group(struct lat_stats *s, uint16_t sid,
			       bool has_pasid, uint32_t pasid)
{
	uint64_t key = group_key(sid, has_pasid, pasid);
	uint32_t *e;
	struct lat_group *g;

	if (s->last && s->last_key == key)
		return s->last; /* a run of one device's requests */
	e = index_slot(s, key);
	if (*e) {
		s->last_key = key;
		return s->last = s->groups[*e - 1];
	}
	if (s->ngroups >= LAT_MAX_GROUPS)
		return NULL;
	if (s->ngroups == s->cap) {
		uint32_t cap = s->cap ? 2 * s->cap : 16;
		void *p = realloc(s->groups, cap * sizeof(*s->groups));

		if (!p)
			return NULL;
		s->groups = p;
		s->cap = cap;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->sid = sid;
	g->has_pasid = has_pasid;
	g->pasid = has_pasid ? pasid : 0;
	s->groups[s->ngroups++] = g;
	*e = s->ngroups;
	return g;
}

static void group_add(struct lat_stats *s, uint16_t sid, bool has_pasid,
		      uint32_t pasid, uint64_t ps, uint64_t n)
{
	struct lat_group *g = group(s, sid, has_pasid, pasid);

	if (g)
		hist_add_n(&g->h, ps, n);
	else
		s->ungrouped += n;
}

/* The run of equal latencies of one device and PASID, counted at once. */
static void run_flush(struct lat_stats *s)
{
	struct lat_run *u = &s->run;

	if (!u->n)
		return;
	hist_add_n(&s->all, u->ps, u->n);
	group_add(s, u->sid, false, 0, u->ps, u->n);
	if (u->has_pasid)
		group_add(s, u->sid, true, u->pasid, u->ps, u->n);
	u->n = 0;
}

static void run_add(struct lat_stats *s, uint16_t sid, bool has_pasid,
		    uint32_t pasid, uint64_t ps)
{
	struct lat_run *u = &s->run;

	pasid = has_pasid ? pasid : 0;
	if (u->n && u->ps == ps && u->sid == sid && u->has_pasid == has_pasid &&
	    u->pasid == pasid) {
		u->n++;
		return;
	}
	run_flush(s);
	u->ps = ps;
	u->sid = sid;
	u->has_pasid = has_pasid;
	u->pasid = pasid;
	u->n = 1;
}

void lat_stats_add(struct lat_stats *s, uint16_t sid, bool has_pasid,
		   uint32_t pasid, uint64_t bytes, const struct vtd_timing *t)
{
	uint64_t issued = vtd_timing_issued_ps(t);
	uint64_t ps = vtd_timing_latency_ps(t);
	unsigned int i;

	if (!s->counted++ || issued < s->first_issue)
		s->first_issue = issued;
	if (t->done_ps > s->last_done)
		s->last_done = t->done_ps;
		/* two parts at a time (the model's fast lane stores them so) */
#pragma GCC unroll 16
	for (i = 0; i + 2 <= VTD_LAT_COUNT; i += 2) {
		u64x2 a, b;

		memcpy(&a, &s->part_sum[i], sizeof(a));
		memcpy(&b, &t->part_ps[i], sizeof(b));
		a += b;
		memcpy(&s->part_sum[i], &a, sizeof(a));
	}
	for (; i < VTD_LAT_COUNT; i++)
		s->part_sum[i] += t->part_ps[i];
	s->bytes += bytes;
	s->merged += t->merged;
	if (t->ats_ps)
		lat_hist_add(&s->ats, t->ats_ps);
	if (t->part_ps[VTD_LAT_PRQ])
		lat_hist_add(&s->prq, t->part_ps[VTD_LAT_PRQ]);
	run_add(s, sid, has_pasid, pasid, ps);
}

void lat_stats_event(struct lat_stats *s, const struct vtd_timing_event *e)
{
	uint64_t ps = e->done_ps - e->start_ps;

	if (e->kind == VTD_TEV_INV_WAIT)
		lat_hist_add(&s->inv_wait, ps);
	else if (e->kind == VTD_TEV_PAGE_REQUEST)
		lat_hist_add(&s->prq_deliver, ps);
}

static int cmp_group(const void *a, const void *b)
{
	const struct lat_group *x = *(const struct lat_group *const *)a;
	const struct lat_group *y = *(const struct lat_group *const *)b;

	if (x->sid != y->sid)
		return x->sid < y->sid ? -1 : 1;
	if (x->has_pasid != y->has_pasid)
		return x->has_pasid ? 1 : -1;
	if (x->pasid != y->pasid)
		return x->pasid < y->pasid ? -1 : 1;
	return 0;
}

/* For reports at the end: the index is rebuilt, so adding goes on. */
void lat_stats_sort(struct lat_stats *s)
{
	uint32_t i;

	run_flush(s);
	if (s->ngroups > 1)
		qsort(s->groups, s->ngroups, sizeof(*s->groups), cmp_group);
	memset(s->index, 0, sizeof(s->index));
	for (i = 0; i < s->ngroups; i++)
		*index_slot(s, group_key(s->groups[i]->sid,
					 s->groups[i]->has_pasid,
					 s->groups[i]->pasid)) = i + 1;
}

int lat_check(const struct trace_record *rec, const struct vtd_timing *t,
	      char *msg, size_t len)
{
	uint64_t got = vtd_timing_latency_ps(t);
	uint64_t want = rec->lat_ps;
	uint64_t tol = rec->tol_ppm
			       ? want / 1000000 * rec->tol_ppm +
					 want % 1000000 * rec->tol_ppm / 1000000
			       : rec->tol_ps;
	uint64_t diff = got > want ? got - want : want - got;

	if (!rec->has_lat)
		return -1;
	if (diff <= tol)
		return 1;
	if (rec->tol_ppm)
		snprintf(msg, len,
			 "expected latency %" PRIu64 ".%03" PRIu64
			 " ns (tolerance %u.%04u%%), got %" PRIu64 ".%03" PRIu64
			 " ns",
			 want / 1000, want % 1000, rec->tol_ppm / 10000,
			 rec->tol_ppm % 10000, got / 1000, got % 1000);
	else
		snprintf(msg, len,
			 "expected latency %" PRIu64 ".%03" PRIu64
			 " ns (tolerance %" PRIu64 ".%03" PRIu64
			 " ns), got %" PRIu64 ".%03" PRIu64 " ns",
			 want / 1000, want % 1000, tol / 1000, tol % 1000,
			 got / 1000, got % 1000);
	return 0;
}
