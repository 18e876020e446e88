// SPDX-License-Identifier: MIT
/*
 * The timing model (docs/timing.md): the steps the functional model
 * reports, charged to finite resources. It never changes a result: it only
 * reads what the functional model did and keeps its own clocks.
 *
 * A request has a cursor (its own time, in ps). Each resource is a server
 * with a next-free time (the link in each direction, the memory interface,
 * the invalidation queue engine) or a pool of them (translation slots, page
 * walkers; a request takes the member free first). Taking a resource at
 * time t starts at max(t, free): the difference is queueing, counted as a
 * wait. Nothing steps through time, so the host's cost follows the number
 * of steps, not the simulated nanoseconds.
 *
 * Requests are timed in the order the host issues them (the trace's
 * order); a request issued later that is ready earlier queues behind what
 * earlier ones booked on a shared server. Pools let it pass.
 *
 * Miss merging: a walk publishes its result's page and the time the walk
 * ends in a small table (VTD_TM_INFLIGHT entries, direct mapped on the
 * IOTLB tag). The functional model filled the IOTLB at once, so a later
 * request to that page hits; when it hits before the walk's end it waits
 * for it (VTD_LAT_MERGED) instead of walking again. A table entry that
 * another walk overwrote is forgotten: that request does not wait (a
 * bounded, rare under-estimate).
 */
#include <stdlib.h>
#include <string.h>

#include "translate.h"
#include "vtd_internal.h"

#define PS_PER_NS 1000ull
#define LINE	  64u /* memory transfers are whole cache lines */

/* ---- names ----------------------------------------------------------------
 */

const char *vtd_lat_part_name(enum vtd_lat_part p)
{
	static const char *const names[VTD_LAT_COUNT] = {
		[VTD_LAT_DEVICE] = "device_wait",
		[VTD_LAT_LINK] = "link",
		[VTD_LAT_SLOT] = "slot_wait",
		[VTD_LAT_CONTEXT] = "context_lookup",
		[VTD_LAT_PASID] = "pasid_lookup",
		[VTD_LAT_IOTLB] = "iotlb_lookup",
		[VTD_LAT_FL_PSC] = "fl_psc_lookup",
		[VTD_LAT_SL_PSC] = "sl_psc_lookup",
		[VTD_LAT_WALKER] = "walker_wait",
		[VTD_LAT_MERGED] = "merged_wait",
		[VTD_LAT_WALK_CTX] = "walk_context",
		[VTD_LAT_WALK_PASID] = "walk_pasid",
		[VTD_LAT_WALK_FL] = "walk_fl",
		[VTD_LAT_WALK_SL] = "walk_sl",
		[VTD_LAT_AD] = "ad_update",
		[VTD_LAT_DATA] = "data",
		[VTD_LAT_DEVTLB] = "devtlb_lookup",
		[VTD_LAT_PRQ] = "page_request",
		[VTD_LAT_ORDER] = "order_wait",
	};

	return (unsigned int)p < VTD_LAT_COUNT ? names[p] : "?";
}

const char *vtd_resource_name(enum vtd_resource r)
{
	static const char *const names[VTD_RES_COUNT] = {
		[VTD_RES_LINK_UP] = "link_up",
		[VTD_RES_LINK_DOWN] = "link_down",
		[VTD_RES_SLOTS] = "slots",
		[VTD_RES_WALKERS] = "walkers",
		[VTD_RES_MEMORY] = "memory",
		[VTD_RES_QI] = "inv_queue",
	};

	return (unsigned int)r < VTD_RES_COUNT ? names[r] : "?";
}

/* ---- life cycle -------------------------------------------------------------
 */

static uint64_t cycles_ps(const struct vtd_timing_config *c, uint64_t n)
{
	return n * 1000000ull / c->clock_mhz;
}

/* ps per byte in 2^-16 units at mbps MB/s (10^6 bytes/s). */
static uint64_t q16_per_byte(uint32_t mbps)
{
	return (1000000ull << 16) / mbps;
}

static void convert(struct vtd_tm *tm, const struct vtd_timing_config *c)
{
	int i;

	for (i = 0; i < VTD_CACHE_COUNT; i++)
		tm->lookup_ps[i] = cycles_ps(c, c->lookup_cycles[i]);
	tm->link_ps = c->link_latency_ns * PS_PER_NS;
	tm->mem_ps = c->mem_latency_ns * PS_PER_NS;
	tm->llc_ps = c->llc_latency_ns * PS_PER_NS;
	tm->dma_ps = c->dma_latency_ns * PS_PER_NS;
	tm->irq_ps = c->irq_ns * PS_PER_NS;
	tm->devtlb_ps = c->devtlb_ns * PS_PER_NS;
	tm->retry_ps = c->retry_ns * PS_PER_NS;
	tm->link_q16 = q16_per_byte(c->link_mbps);
	tm->mem_q16 = q16_per_byte(c->mem_mbps);
	tm->qi_desc_ps = cycles_ps(c, c->qi_desc_cycles);
	tm->qi_inv_ps = cycles_ps(c, c->qi_inv_cycles);
	tm->qi_wait_ps = cycles_ps(c, c->qi_wait_cycles);
}

int vtd_tm_create(struct vtd *v)
{
	const struct vtd_timing_config *c = &v->cfg.timing;
	struct vtd_tm *tm = &v->tm;

	memset(tm, 0, sizeof(*tm));
	if (!c->enabled)
		return 0;
	tm->nslots = c->slots;
	tm->nwalkers = c->walkers;
	tm->slot_free = calloc(c->slots, sizeof(uint64_t));
	tm->walker_free = calloc(c->walkers, sizeof(uint64_t));
	tm->inflight = calloc(VTD_TM_INFLIGHT, sizeof(*tm->inflight));
	tm->port_of_sid = calloc(65536, sizeof(uint32_t));
	if (!tm->slot_free || !tm->walker_free || !tm->inflight ||
	    !tm->port_of_sid)
		return -1;
	convert(tm, c);
	tm->on = true;
	vtd_tm_reset(v);
	return 0;
}

void vtd_tm_reset(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	uint32_t i;

	if (!tm->on)
		return;
	tm->link_free[0] = tm->link_free[1] = tm->mem_free = 0;
	memset(tm->slot_free, 0, tm->nslots * sizeof(uint64_t));
	memset(tm->walker_free, 0, tm->nwalkers * sizeof(uint64_t));
	memset(tm->inflight, 0, VTD_TM_INFLIGHT * sizeof(*tm->inflight));
	for (i = 0; i < tm->nports; i++) {
		memset(tm->ports[i].credit_free, 0,
		       tm->ports[i].ncredits * sizeof(uint64_t));
		tm->ports[i].last_done = 0;
	}
	tm->cur = NULL;
	tm->qi_active = false;
	tm->qi_batch_ps = 0;
	tm->qi_batch_n = 0;
	tm->max_done = 0;
	tm->rng = v->cfg.seed ^ 0x9e3779b97f4a7c15ull;
}

void vtd_tm_destroy(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	uint32_t i;

	for (i = 0; i < tm->nports; i++)
		free(tm->ports[i].credit_free);
	free(tm->ports);
	free(tm->slot_free);
	free(tm->walker_free);
	free(tm->inflight);
	free(tm->port_of_sid);
	memset(tm, 0, sizeof(*tm));
}

const struct vtd_timing_stats *vtd_get_timing_stats(const struct vtd *v)
{
	return &v->tm.stats;
}

uint64_t vtd_tm_now_ps(const struct vtd *v)
{
	if (v->tm.cur)
		return v->tm.cur->t;
	return vtd_now(v) * PS_PER_NS;
}

/* ---- resources ----------------------------------------------------------------
 */

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static void charge(struct vtd_tm_cursor *c, enum vtd_lat_part part,
		   uint64_t ps)
{
	c->t += ps;
	if (c->out)
		c->out->part_ps[part] += ps;
}

static void count_wait(struct vtd_tm *tm, enum vtd_resource r, uint64_t ps)
{
	if (!ps)
		return;
	tm->stats.waits[r]++;
	tm->stats.wait_ps[r] += ps;
}

/* A server: occupy it for busy ps from the cursor's time on. Returns the
 * queueing delay. */
static uint64_t serve(struct vtd_tm *tm, uint64_t *free, enum vtd_resource r,
		      uint64_t t, uint64_t busy)
{
	uint64_t start = max64(t, *free);

	*free = start + busy;
	tm->stats.busy_ps[r] += busy;
	count_wait(tm, r, start - t);
	return start - t;
}

/* A pool: the member free first (the lowest index among equals). */
static uint32_t pool_pick(const uint64_t *free, uint32_t n)
{
	uint32_t i, best = 0;

	for (i = 1; i < n; i++)
		if (free[i] < free[best])
			best = i;
	return best;
}

static void link_cross(struct vtd *v, int dir, uint64_t bytes,
		       uint32_t tlps)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_cursor *c = tm->cur;
	uint64_t wire = bytes + (uint64_t)tlps * v->cfg.timing.tlp_overhead;
	uint64_t ser = (wire * tm->link_q16) >> 16;
	uint64_t q;

	if (!c)
		return;
	q = serve(tm, &tm->link_free[dir],
		  dir ? VTD_RES_LINK_DOWN : VTD_RES_LINK_UP, c->t, ser);
	charge(c, VTD_LAT_LINK, q + ser + tm->link_ps);
}

void vtd_tm_link_up(struct vtd *v, uint64_t bytes, uint32_t tlps)
{
	link_cross(v, 0, bytes, tlps);
}

void vtd_tm_link_down(struct vtd *v, uint64_t bytes, uint32_t tlps)
{
	link_cross(v, 1, bytes, tlps);
}

static uint32_t tlps_for(uint64_t len, uint32_t max)
{
	return (uint32_t)((len + max - 1) / max);
}

void vtd_tm_request_tlps(struct vtd *v, uint32_t len, bool write)
{
	const struct vtd_timing_config *c = &v->cfg.timing;

	if (!v->tm.cur)
		return;
	if (write)
		vtd_tm_link_up(v, len, tlps_for(len ? len : 1, c->mps));
	else
		vtd_tm_link_up(v, 0, tlps_for(len ? len : 1, c->mrrs));
}

/* An access to memory through the unit's interface: queueing, the
 * transfer, the latency (LLC or DRAM for table reads, DMA latency for
 * data). */
static void mem_access(struct vtd *v, enum vtd_lat_part part, uint64_t bytes,
		       uint64_t latency)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_cursor *c = tm->cur;
	uint64_t lines = (bytes + LINE - 1) / LINE;
	uint64_t occ = ((lines ? lines : 1) * LINE * tm->mem_q16) >> 16;
	uint64_t q = serve(tm, &tm->mem_free, VTD_RES_MEMORY, c->t, occ);

	charge(c, part, q + occ + latency);
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* A table read: from the LLC (llc_hit_pct of reads) or from DRAM. */
static uint64_t table_latency(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	uint32_t pct = v->cfg.timing.llc_hit_pct;

	if (pct >= 100)
		return tm->llc_ps;
	if (!pct)
		return tm->mem_ps;
	return xorshift(&tm->rng) % 100 < pct ? tm->llc_ps : tm->mem_ps;
}

void vtd_tm_data_and_completion(struct vtd *v, uint32_t len, bool write,
				bool ok)
{
	const struct vtd_timing_config *c = &v->cfg.timing;

	if (!v->tm.cur)
		return;
	if (ok)
		mem_access(v, VTD_LAT_DATA, len ? len : 1, v->tm.dma_ps);
	if (write)
		return; /* posted: done when the data is in memory */
	if (ok)
		vtd_tm_link_down(v, len, tlps_for(len ? len : 1, c->rcb));
	else
		vtd_tm_link_down(v, 0, 1); /* UR or CA, no data */
}

void vtd_tm_slot_acquire(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_cursor *c = tm->cur;
	uint32_t i;
	uint64_t start;

	if (!c || c->slot >= 0)
		return;
	i = pool_pick(tm->slot_free, tm->nslots);
	start = max64(c->t, tm->slot_free[i]);
	count_wait(tm, VTD_RES_SLOTS, start - c->t);
	charge(c, VTD_LAT_SLOT, start - c->t);
	c->slot = (int)i;
	c->slot_start = start;
	tm->slot_free[i] = UINT64_MAX; /* held */
}

void vtd_tm_slot_release(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_cursor *c = tm->cur;

	if (!c || c->slot < 0)
		return;
	tm->slot_free[c->slot] = c->t;
	tm->stats.busy_ps[VTD_RES_SLOTS] += c->t - c->slot_start;
	c->slot = -1;
}

static void walker_acquire(struct vtd *v, struct vtd_tm_cursor *c)
{
	struct vtd_tm *tm = &v->tm;
	uint32_t i = pool_pick(tm->walker_free, tm->nwalkers);
	uint64_t start = max64(c->t, tm->walker_free[i]);

	count_wait(tm, VTD_RES_WALKERS, start - c->t);
	charge(c, VTD_LAT_WALKER, start - c->t);
	c->walker = (int)i;
	c->walker_start = start;
	tm->walker_free[i] = UINT64_MAX;
	tm->stats.walks++;
}

static void walker_release(struct vtd *v, struct vtd_tm_cursor *c)
{
	struct vtd_tm *tm = &v->tm;

	if (c->walker < 0)
		return;
	tm->walker_free[c->walker] = c->t;
	tm->stats.busy_ps[VTD_RES_WALKERS] += c->t - c->walker_start;
	c->walker = -1;
}

/* ---- steps ----------------------------------------------------------------
 */

static enum vtd_lat_part walk_part(enum vtd_structure st)
{
	switch (st) {
	case VTD_ST_ROOT_ENTRY:
	case VTD_ST_CONTEXT_ENTRY:
		return VTD_LAT_WALK_CTX;
	case VTD_ST_PASID_DIR_ENTRY:
	case VTD_ST_PASID_TABLE_ENTRY:
		return VTD_LAT_WALK_PASID;
	case VTD_ST_FL_ENTRY:
		return VTD_LAT_WALK_FL;
	default:
		return VTD_LAT_WALK_SL;
	}
}

static bool table_structure(enum vtd_structure st)
{
	return st >= VTD_ST_ROOT_ENTRY && st <= VTD_ST_SL_ENTRY;
}

void vtd_tm_step(struct vtd *v, const struct vtd_step *s)
{
	struct vtd_tm_cursor *c = v->tm.cur;

	if (!c)
		return;
	switch (s->kind) {
	case VTD_STEP_CACHE_LOOKUP:
		charge(c, (enum vtd_lat_part)(VTD_LAT_CONTEXT + s->cache),
		       v->tm.lookup_ps[s->cache]);
		return;
	case VTD_STEP_CACHE_FILL:
		return; /* off the request's path */
	case VTD_STEP_MEM_READ:
		if (c->request && c->walker < 0 && table_structure(s->structure))
			walker_acquire(v, c);
		mem_access(v, c->request ? walk_part(s->structure) : VTD_LAT_DATA,
			   s->size, table_latency(v));
		return;
	case VTD_STEP_MEM_ATOMIC:
		/* A/D: a locked read-modify-write of the entry's line */
		mem_access(v, VTD_LAT_AD, s->size, table_latency(v));
		return;
	case VTD_STEP_MEM_WRITE:
		/* posted: the interface is busy, the request goes on */
		mem_access(v, c->request ? VTD_LAT_AD : VTD_LAT_DATA, s->size,
			   0);
		return;
	}
}

/* ---- merging --------------------------------------------------------------
 */

static uint64_t inflight_key(const struct vtd_xlate *x,
			     const struct vtd_result *res)
{
	uint64_t page = x->req->addr & ~(res->page_size - 1);

	/* page | size level | DID | PASID, folded; 0 is never a key */
	return (page ^ ((uint64_t)x->did << 48) ^
		((uint64_t)(x->pasid & 0xfffff) << 24) ^ res->page_size) |
	       1;
}

static struct vtd_tm_inflight *inflight_slot(struct vtd_tm *tm, uint64_t key)
{
	uint64_t h = key * 0x9e3779b97f4a7c15ull;

	return &tm->inflight[(h >> 40) & (VTD_TM_INFLIGHT - 1)];
}

static bool paged(enum vtd_mode m)
{
	return m == VTD_MODE_LEGACY_SL || m == VTD_MODE_SM_FL ||
	       m == VTD_MODE_SM_SL || m == VTD_MODE_SM_NESTED;
}

void vtd_tm_translated(struct vtd *v, const struct vtd_xlate *x,
		       const struct vtd_result *res)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_cursor *c = tm->cur;
	struct vtd_tm_inflight *e;
	uint64_t key;

	if (!c || !c->request)
		return;
	if (res->ok && paged(res->mode)) {
		key = inflight_key(x, res);
		e = inflight_slot(tm, key);
		if (x->iotlb_hit && e->key == key && e->ready > c->t) {
			charge(c, VTD_LAT_MERGED, e->ready - c->t);
			tm->stats.merged++;
			if (c->out)
				c->out->merged = true;
		} else if (!x->iotlb_hit && c->walker >= 0) {
			e->key = key;
			e->ready = c->t;
		}
	}
	walker_release(v, c);
}

/* ---- requests -------------------------------------------------------------
 */

static struct vtd_tm_port *port_get(struct vtd *v, uint16_t sid)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_port *p;
	uint32_t n;

	if (tm->port_of_sid[sid])
		return &tm->ports[tm->port_of_sid[sid] - 1];
	if (tm->nports == tm->cap_ports) {
		uint32_t cap = tm->cap_ports ? 2 * tm->cap_ports : 16;

		p = realloc(tm->ports, cap * sizeof(*p));
		if (!p)
			return NULL;
		tm->ports = p;
		tm->cap_ports = cap;
	}
	n = v->cfg.timing.outstanding;
	p = &tm->ports[tm->nports];
	p->credit_free = calloc(n, sizeof(uint64_t));
	if (!p->credit_free)
		return NULL;
	p->ncredits = n;
	p->last_done = 0;
	tm->port_of_sid[sid] = ++tm->nports;
	return p;
}

int vtd_timing_set_outstanding(struct vtd *v, uint16_t sid, unsigned int n)
{
	struct vtd_tm_port *p;
	uint64_t *f;

	if (!v->tm.on)
		return 0;
	if (n < 1 || n > VTD_TM_MAX_CREDITS)
		return -1;
	p = port_get(v, sid);
	if (!p)
		return -1;
	f = calloc(n, sizeof(uint64_t));
	if (!f)
		return -1;
	free(p->credit_free);
	p->credit_free = f;
	p->ncredits = n;
	return 0;
}

struct vtd_tm_cursor *vtd_tm_switch(struct vtd *v, struct vtd_tm_cursor *c)
{
	struct vtd_tm_cursor *prev = v->tm.cur;

	v->tm.cur = c;
	return prev;
}

struct vtd_tm_cursor *vtd_tm_begin(struct vtd *v, struct vtd_tm_cursor *c,
				   struct vtd_timing *out, uint16_t sid,
				   uint64_t ready_ps)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_port *p;
	uint32_t i;
	uint64_t start;

	memset(c, 0, sizeof(*c));
	memset(out, 0, sizeof(*out));
	c->out = out;
	c->slot = c->walker = -1;
	c->request = true;
	c->t = ready_ps;
	out->ready_ps = ready_ps;
	if (!tm->on)
		return tm->cur;
	p = port_get(v, sid);
	if (!p) {
		c->port = UINT32_MAX; /* out of memory: no credits */
		return vtd_tm_switch(v, c);
	}
	c->port = (uint32_t)(p - tm->ports);
	i = pool_pick(p->credit_free, p->ncredits);
	start = max64(ready_ps, p->credit_free[i]);
	if (start > ready_ps)
		tm->stats.device_waits++;
	charge(c, VTD_LAT_DEVICE, start - ready_ps);
	c->credit = i;
	p->credit_free[i] = UINT64_MAX;
	if (!tm->stats.requests && !tm->stats.first_ready_ps)
		tm->stats.first_ready_ps = ready_ps;
	return vtd_tm_switch(v, c);
}

void vtd_tm_end(struct vtd *v, struct vtd_tm_cursor *prev)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_cursor *c = tm->cur;
	struct vtd_tm_port *p;

	if (!c) {
		tm->cur = prev;
		return;
	}
	vtd_tm_slot_release(v);
	walker_release(v, c);
	if (c->port != UINT32_MAX) {
		p = &tm->ports[c->port];
		if (v->cfg.timing.in_order && p->last_done > c->t)
			charge(c, VTD_LAT_ORDER, p->last_done - c->t);
		p->last_done = max64(p->last_done, c->t);
		p->credit_free[c->credit] = c->t;
	}
	c->out->done_ps = c->t;
	tm->stats.requests++;
	tm->stats.last_done_ps = max64(tm->stats.last_done_ps, c->t);
	tm->max_done = max64(tm->max_done, c->t);
	tm->cur = prev;
}

void vtd_tm_charge(struct vtd *v, enum vtd_lat_part part, uint64_t ps)
{
	if (v->tm.cur)
		charge(v->tm.cur, part, ps);
}

/* ---- the invalidation queue engine -------------------------------------------
 */

void vtd_tm_qi_begin(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	/* the engine goes on from where it stopped, never before now */
	uint64_t t = max64(vtd_now(v) * PS_PER_NS, tm->qi.t);

	if (!tm->on || tm->qi_active)
		return;
	memset(&tm->qi, 0, sizeof(tm->qi));
	tm->qi.slot = tm->qi.walker = -1;
	tm->qi.t = t;
	tm->qi_active = true;
	tm->cur = &tm->qi; /* no request is being timed while QI runs */
}

void vtd_tm_qi_end(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;

	if (!tm->qi_active)
		return;
	tm->qi_active = false;
	tm->cur = NULL;
}

void vtd_tm_qi_desc(struct vtd *v, unsigned int type, bool drain)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_cursor *c = &tm->qi;
	uint64_t busy = tm->qi_desc_ps, start = c->t;

	if (!tm->qi_active)
		return;
	if (!tm->qi_batch_ps)
		tm->qi_batch_ps = vtd_now(v) * PS_PER_NS + 1;
	tm->qi_batch_n++;
	switch (type) {
	case VTD_QI_IWD:
		busy += tm->qi_wait_ps;
		break;
	case VTD_QI_PGRP_RESP:
	case VTD_QI_IEC:
		break;
	default:
		busy += tm->qi_inv_ps;
	}
	c->t += busy;
	/* Draining: the invalidation completes after every request the unit
	 * accepted before it. */
	if (drain && tm->max_done > c->t)
		c->t = tm->max_done;
	tm->stats.busy_ps[VTD_RES_QI] += c->t - start;
}

void vtd_tm_qi_wait_done(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_timing_event ev;
	uint64_t done = vtd_tm_now_ps(v), lat;

	if (!tm->on || !tm->qi_batch_ps)
		return;
	ev.kind = VTD_TEV_INV_WAIT;
	ev.start_ps = tm->qi_batch_ps - 1;
	ev.done_ps = max64(done, ev.start_ps);
	ev.descriptors = tm->qi_batch_n;
	lat = ev.done_ps - ev.start_ps;
	tm->stats.inv_waits++;
	tm->stats.inv_wait_ps += lat;
	tm->stats.inv_wait_max_ps = max64(tm->stats.inv_wait_max_ps, lat);
	tm->qi_batch_ps = 0;
	tm->qi_batch_n = 0;
	if (v->ops.timing)
		v->ops.timing(v->opaque, &ev);
}

/* ---- page requests --------------------------------------------------------
 */

struct vtd_tm_cursor *vtd_tm_prq_begin(struct vtd *v, struct vtd_tm_cursor *c)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_cursor *prev;

	if (!tm->on)
		return tm->cur;
	memset(c, 0, sizeof(*c));
	c->slot = c->walker = -1;
	c->t = vtd_tm_now_ps(v);
	prev = vtd_tm_switch(v, c);
	vtd_tm_link_up(v, 0, 1); /* the message: a header, no data */
	return prev;
}

void vtd_tm_prq_end(struct vtd *v, struct vtd_tm_cursor *prev, bool queued)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_cursor *c = tm->cur;
	struct vtd_timing_event ev;

	if (!tm->on || !c)
		return;
	tm->cur = prev;
	if (!queued)
		return;
	ev.kind = VTD_TEV_PAGE_REQUEST;
	ev.start_ps = prev ? prev->t : vtd_now(v) * PS_PER_NS;
	ev.done_ps = c->t + tm->irq_ps;
	ev.descriptors = 0;
	tm->stats.page_requests++;
	tm->stats.prq_deliver_ps += ev.done_ps - ev.start_ps;
	if (v->ops.timing)
		v->ops.timing(v->opaque, &ev);
}
