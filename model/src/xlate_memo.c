// SPDX-License-Identifier: MIT
/*
 * The translation memo (docs/performance.md): not a block of the unit but
 * the simulator's shortcut for its commonest case. A single-page DMA that
 * the pipeline served entirely from the caches (context cache, PASID cache
 * in scalable mode, IOTLB; no walk, no fault) is remembered by request
 * (source ID, PASID, privileged, execute, access, input page) together with
 * the cache lines it hit. The next identical request is answered from the
 * memo with one probe: the same result, the same statistics and the same
 * replacement state in each cache (the lines are touched as the lookups
 * would touch them), the same lookups for the timing model.
 *
 * The memo is exact because everything a cached hit depends on is in its
 * key or in the cache lines, and it is dropped as a whole (a generation
 * number) when any cache fills or drops a line or software writes a
 * register. It is off when anything would see the difference: the checker
 * (which re-walks every hit), a host step callback, a checker walk.
 */
#include <stdlib.h>
#include <string.h>

#include "vtd_internal.h"

#define MEMO_ENTRIES 1024u /* a power of two */

struct memo_entry {
	uint64_t gen; /* valid while it is the unit's memo_gen */
	uint64_t page;
	uint32_t pasid;
	uint16_t sid;
	uint8_t flags;
	uint64_t out; /* output address of the input page */
	struct vtd_result res;
	struct vtd_memo_hit hit;
	/* the lookups again: each line's LRU stamp and its cache's clock
	 * (NULL clock: not LRU), its cache's counters */
	uint8_t ntouch;
	struct {
		uint64_t *stamp, *clock;
		struct vtd_cache_stats *stats;
	} touch[VTD_CACHE_IOTLB + 1];
};

struct vtd_memo {
	struct memo_entry e[MEMO_ENTRIES];
	uint64_t *clock[VTD_CACHE_IOTLB + 1]; /* LRU caches' (else NULL) */
	bool on; /* the fast lane is on and nothing would see it */
};

int vtd_memo_create(struct vtd *v)
{
	int i;

	v->memo = calloc(1, sizeof(*v->memo));
	if (!v->memo)
		return -1;
	v->memo_gen = 1; /* entries start at generation 0: invalid */
	for (i = 0; i < VTD_CACHE_COUNT; i++)
		vtd_cache_set_gen(v->cache[i], &v->memo_gen);
	for (i = 0; i <= VTD_CACHE_IOTLB; i++)
		v->memo->clock[i] = vtd_cache_lru_clock(v->cache[i]);
	v->memo->on = v->cfg.fast && !v->cfg.check_stale && !v->ops.step;
	return 0;
}

void vtd_memo_destroy(struct vtd *v)
{
	free(v->memo);
	v->memo = NULL;
}

void vtd_memo_invalidate(struct vtd *v)
{
	v->memo_gen++;
}

static uint8_t flags_of(const struct vtd_request *req)
{
	return (uint8_t)(1u | (unsigned int)req->has_pasid << 1 |
			 (unsigned int)req->priv << 2 |
			 (unsigned int)req->exec << 3 |
			 (unsigned int)req->access << 4);
}

static struct memo_entry *slot(struct vtd *v, const struct vtd_request *req)
{
	/* consecutive pages of one device and PASID never collide */
	uint64_t h = (req->addr >> VTD_PAGE_SHIFT) +
		     (((uint64_t)req->sid << 20 | req->pasid) *
			      0x9e3779b97f4a7c15ull >>
		      44);

	return &v->memo->e[h & (MEMO_ENTRIES - 1)];
}

/* Field by field: a caller copying the result as a whole then reads what
 * was stored the same way (no store-to-load forwarding stall). */
static void result(struct vtd_result *res, const struct memo_entry *e,
		   uint64_t addr)
{
	res->ok = true;
	res->fault = 0;
	res->fault_recorded = false;
	res->mode = e->res.mode;
	res->addr = e->out | (addr & (VTD_PAGE_SIZE - 1));
	res->page_size = e->res.page_size;
	res->perm = e->res.perm;
	res->did = e->res.did;
	res->iotlb_hit = true;
}

/* Would the memo see everything a lookup would? */
static bool usable(const struct vtd *v)
{
	return v->memo && v->memo->on && !v->shadow;
}

const struct vtd_memo_hit *vtd_memo_translate(struct vtd *v,
					      const struct vtd_request *req,
					      struct vtd_result *res,
					      struct vtd_result *res2)
{
	struct memo_entry *e;
	unsigned int i;

	if (!usable(v))
		return NULL;
	e = slot(v, req);
	if (e->gen != v->memo_gen || e->page != req->addr >> VTD_PAGE_SHIFT ||
	    e->sid != req->sid || e->pasid != req->pasid ||
	    e->flags != flags_of(req))
		return NULL;
	/* each lookup again: its line's LRU stamp, its counts */
	for (i = 0; i < e->ntouch; i++) {
		if (e->touch[i].clock)
			*e->touch[i].stamp = ++*e->touch[i].clock;
		e->touch[i].stats->lookups++;
		e->touch[i].stats->hits++;
	}
	if (res)
		result(res, e, req->addr);
	if (res2)
		result(res2, e, req->addr);
	v->stats.requests++;
	v->stats.translations[e->res.mode]++;
	return &e->hit;
}

/* The counters a lookup of each cache moves, before a translation. */
void vtd_memo_mark(const struct vtd *v, struct vtd_memo_mark *m)
{
	unsigned int i;

	m->gen = v->memo_gen;
	for (i = 0; i < VTD_CACHE_COUNT; i++) {
		m->lookups[i] = v->stats.cache[i].lookups;
		m->hits[i] = v->stats.cache[i].hits;
	}
	m->mem =
		v->stats.mem_reads + v->stats.mem_writes + v->stats.mem_atomics;
}

void vtd_memo_fill(struct vtd *v, const struct vtd_request *req,
		   const struct vtd_result *res, const struct vtd_memo_mark *m)
{
	const struct vtd_cache_key *key = NULL;
	struct memo_entry *e;
	unsigned int i;
	uint8_t lookups = 0;

	if (!usable(v) || m->gen != v->memo_gen || !res->ok ||
	    !res->iotlb_hit ||
	    m->mem != v->stats.mem_reads + v->stats.mem_writes +
			      v->stats.mem_atomics)
		return;
	/* every lookup was one hit: context, PASID (scalable), IOTLB */
	for (i = 0; i < VTD_CACHE_COUNT; i++) {
		uint64_t n = v->stats.cache[i].lookups - m->lookups[i];

		if (n != v->stats.cache[i].hits - m->hits[i] || n > 1 ||
		    (n && i > VTD_CACHE_IOTLB))
			return;
		if (n)
			lookups |= (uint8_t)(1u << i);
	}
	if (!(lookups & (1u << VTD_CACHE_CONTEXT)) ||
	    !(lookups & (1u << VTD_CACHE_IOTLB)))
		return;
	e = slot(v, req);
	e->gen = 0; /* until it is whole */
	e->ntouch = 0;
	for (i = 0; i <= VTD_CACHE_IOTLB; i++) {
		void *line;

		if (!(lookups & (1u << i)))
			continue;
		line = vtd_cache_last_hit(v->cache[i], &key);
		if (!line)
			return;
		e->touch[e->ntouch].stamp = vtd_cache_stamp(line);
		e->touch[e->ntouch].clock = v->memo->clock[i];
		e->touch[e->ntouch++].stats = &v->stats.cache[i];
	}
	/* key: the IOTLB line's, the last one taken */
	e->hit.lookups = lookups;
	e->hit.page_size = res->page_size;
	e->hit.did = key->did;
	e->hit.pasid = key->pasid;
	e->gen = v->memo_gen;
	e->page = req->addr >> VTD_PAGE_SHIFT;
	e->sid = req->sid;
	e->pasid = req->pasid;
	e->flags = flags_of(req);
	e->res = *res;
	e->out = res->addr & ~(uint64_t)(VTD_PAGE_SIZE - 1);
}
