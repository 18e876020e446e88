// SPDX-License-Identifier: MIT
/*
 * The timing model (docs/timing.md): what the functional model did,
 * charged to finite resources in the order of simulated time. It never
 * changes a result: it reads the functional model's steps and keeps its
 * own clocks.
 *
 * Scripts. As the functional model decides a request it writes down what
 * the request does, in order: a fixed delay (a cache lookup, the endpoint's
 * device-TLB), a link crossing, taking and giving back a translation slot
 * or a page walker, a memory access, waiting for a walk of the same page
 * already in flight, publishing its own walk, waiting until a time (a page
 * group response). The engine runs the scripts of all requests by
 * simulated time: it always advances the request whose next operation is
 * earliest, so every resource serves its users first come, first served,
 * whatever order the host issued them in.
 *
 * Resources. The link in each direction and the memory interface are
 * servers with a next-free time (bandwidth: bytes at a rate, then the
 * latency). Translation slots, page walkers and each device's credits
 * (its outstanding requests) are pools; a request that finds none free
 * waits in a FIFO until one is given back. Nothing steps through time: the
 * host's cost follows the number of operations, not simulated ns.
 *
 * Miss merging. A walk publishes its page (DID, PASID, page, size) in a
 * direct-mapped table of VTD_TM_INFLIGHT entries. The functional model
 * filled the IOTLB at once, so a later request to that page hits; if the
 * walk has not finished when it looks, it waits for it (VTD_LAT_MERGED)
 * instead of walking again. An entry another walk takes over releases its
 * waiters then (a bounded, rare under-estimate).
 */
#include <stdlib.h>
#include <string.h>

#include "translate.h"
#include "vtd_internal.h"

#define PS_PER_NS      1000ull
#define LINE	       64u	  /* memory transfers are whole lines */
#define OPS_INITIAL    16u	  /* grown by doubling */
#define OPS_MAX	       (1u << 16) /* beyond: delays only (docs/timing.md) */
#define TM_MAX_WAITING 256u /* scripts a device keeps waiting for a credit */

enum op_kind {
	OP_DELAY, /* part, v ps */
	OP_LINK,  /* part = direction, v wire bytes */
	OP_MEM,	  /* part, n bytes, v latency ps */
	OP_SLOT_ACQ,
	OP_SLOT_REL,
	OP_WALKER_ACQ,
	OP_WALKER_REL,
	OP_CREDIT,    /* wait for a credit of the device */
	OP_MERGE,     /* n entry, v walk number: wait for that walk */
	OP_WALK_DONE, /* n entry, v walk number: this walk is done */
	OP_AT,	      /* part, v: wait until v ps */
	OP_ATS,	      /* n 1 start, 0 end of an ATS round trip */
	OP_SPAWN,     /* start the script at ptr */
	OP_DRAIN,     /* wait for the requests in flight */
	OP_EVENT,     /* part: event kind, v start (UINT64_MAX: script's, - 1:
		       * its batch's) */
	OP_BATCH,     /* the QI engine starts a batch of descriptors */
	OP_JOIN,      /* v: wait for the page request's delivery, then v ps */
	OP_END,
};

/* 16 bytes: a script of a request that hits takes a cache line or two */
struct tm_op {
	uint8_t kind, part;
	uint32_t n;
	union {
		uint64_t v;
		struct vtd_tm_req *ptr; /* OP_SPAWN */
	};
};

enum req_kind { RK_DEVICE, RK_QI, RK_PRQ };

struct vtd_tm_req {
	struct vtd_timing info;
	enum req_kind kind;
	uint64_t t;	   /* where its script has got to */
	uint64_t start;	   /* its script started */
	uint64_t hseq;	   /* heap order among equal times */
	uint64_t seq;	   /* device requests: begun as the nth */
	uint64_t park_t;   /* waiting since */
	uint8_t park_part; /* what the wait is charged to */
	struct tm_op *ops;
	uint32_t nops, cap, pc;
	uint32_t port, port_seq;
	uint64_t slot_t, walker_t, ats_t, batch_t;
	/* page requests: the device request a PRQ script answers to; the
	 * device's functional time of sending it, the timed delivery (0: not
	 * yet), waiting for it */
	struct vtd_tm_req *parent;
	uint64_t pr_func_ps, pr_done_t;
	bool pr_sent, join_wait;
	bool in_heap, idle, ended, walker_held, drain_tracked;
	bool held;		 /* a page request not yet sent: not runnable */
	struct vtd_tm_req *next; /* a wait list or the free list */
	struct vtd_tm_req *anext, *aprev; /* active device requests */
	struct vtd_tm_req *all;		  /* every allocated script */
};

struct vtd_tm_inflight {
	uint64_t key;  /* the page */
	uint64_t wseq; /* the walk of it last published (its number) */
	bool pending;
	struct vtd_tm_req *waiters;
};

struct vtd_tm_port {
	uint32_t credits_free, ncredits;
	struct vtd_tm_req *wait, *wait_tail; /* for a credit */
	uint32_t issued;		     /* requests that had a credit */
	uint32_t issue_seq, done_seq;	     /* in-order completion */
	struct vtd_tm_req *order_wait;	     /* ended, waiting their turn */
};

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

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* ---- scripts: allocation ----------------------------------------------------
 */

static struct vtd_tm_req *req_new(struct vtd *v, enum req_kind kind)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_req *r = tm->free_reqs;
	struct tm_op *ops;
	uint32_t cap;

	if (r) {
		tm->free_reqs = r->next;
		ops = r->ops;
		cap = r->cap;
	} else {
		r = calloc(1, sizeof(*r));
		ops = r ? malloc(OPS_INITIAL * sizeof(*ops)) : NULL;
		if (!ops) {
			free(r);
			return NULL;
		}
		cap = OPS_INITIAL;
		r->all = v->tm.all;
		v->tm.all = r;
		tm->nreqs++;
	}
	{
		struct vtd_tm_req *all = r->all;

		memset(r, 0, sizeof(*r));
		r->all = all;
	}
	r->ops = ops;
	r->cap = cap;
	r->kind = kind;
	return r;
}

static void req_free(struct vtd *v, struct vtd_tm_req *r)
{
	r->next = v->tm.free_reqs;
	v->tm.free_reqs = r;
}

/* ---- the engine's heap ------------------------------------------------------
 */

static bool earlier(const struct vtd_tm_req *a, const struct vtd_tm_req *b)
{
	return a->t < b->t || (a->t == b->t && a->hseq < b->hseq);
}

static void heap_swap(struct vtd_tm_req **h, size_t i, size_t j)
{
	struct vtd_tm_req *x = h[i];

	h[i] = h[j];
	h[j] = x;
}

static int heap_push(struct vtd *v, struct vtd_tm_req *r)
{
	struct vtd_tm *tm = &v->tm;
	size_t i;

	if (tm->nheap == tm->cap_heap) {
		size_t cap = tm->cap_heap ? 2 * tm->cap_heap : 64;
		void *p = realloc(tm->heap, cap * sizeof(*tm->heap));

		if (!p)
			return -1;
		tm->heap = p;
		tm->cap_heap = cap;
	}
	r->hseq = tm->seq++;
	r->in_heap = true;
	i = tm->nheap++;
	tm->heap[i] = r;
	while (i && earlier(tm->heap[i], tm->heap[(i - 1) / 2])) {
		heap_swap(tm->heap, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

static struct vtd_tm_req *heap_pop(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_req *top = tm->heap[0];
	size_t i = 0;

	tm->heap[0] = tm->heap[--tm->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < tm->nheap && earlier(tm->heap[l], tm->heap[m]))
			m = l;
		if (r < tm->nheap && earlier(tm->heap[r], tm->heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(tm->heap, i, m);
		i = m;
	}
	top->in_heap = false;
	return top;
}

/* Make r runnable at time t (never before what has already run). */
static void wake(struct vtd *v, struct vtd_tm_req *r, uint64_t t)
{
	t = max64(t, v->tm.now);
	if (t > r->t) {
		if (r->park_part < VTD_LAT_COUNT && r->kind == RK_DEVICE)
			r->info.part_ps[r->park_part] += t - r->t;
		r->t = t;
	}
	r->park_part = VTD_LAT_COUNT;
	r->idle = false;
	if (heap_push(v, r))
		r->idle = true; /* out of memory: it stops here */
}

static void park(struct vtd_tm_req *r, enum vtd_lat_part part)
{
	r->park_t = r->t;
	r->park_part = (uint8_t)part;
}

/* ---- life cycle -------------------------------------------------------------
 */

static uint64_t cycles_ps(const struct vtd_timing_config *c, uint64_t n)
{
	return n * 1000000ull / c->clock_mhz;
}

static uint64_t q16_per_byte(uint32_t mbps)
{
	return (1000000ull << 16) / mbps;
}

static void convert(struct vtd_tm *tm, const struct vtd_timing_config *c)
{
	int i;

	for (i = 0; i < VTD_CACHE_COUNT; i++)
		tm->lookup_ps[i] = cycles_ps(c, c->lookup_cycles[i]);
	for (i = 0; i < (int)(1u << (VTD_CACHE_IOTLB + 1)); i++) {
		int k;

		tm->lookups_ps[i] = 0;
		for (k = 0; k <= VTD_CACHE_IOTLB; k++)
			if (i & (1 << k))
				tm->lookups_ps[i] += tm->lookup_ps[k];
	}
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
	tm->inflight = calloc(VTD_TM_INFLIGHT, sizeof(*tm->inflight));
	tm->port_of_sid = calloc(65536, sizeof(uint32_t));
	if (!tm->inflight || !tm->port_of_sid)
		return -1;
	tm->scratch = calloc(1, sizeof(*tm->scratch));
	if (!tm->scratch)
		return -1;
	convert(tm, c);
	tm->on = true;
	vtd_tm_reset(v);
	return tm->qi ? 0 : -1;
}

/* Back to time 0 with nothing in flight; scripts kept for reuse. */
void vtd_tm_reset(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_req *r;
	uint32_t i;

	if (!tm->on)
		return;
	tm->free_reqs = NULL;
	for (r = tm->all; r; r = r->all)
		req_free(v, r);
	tm->pending = false;
	tm->drain_waiter = NULL;
	tm->drain_count = 0;
	tm->begin_seq = 0;
	tm->walk_seq = 0;
	tm->nheap = 0;
	tm->now = 0;
	tm->link_free[0] = tm->link_free[1] = tm->mem_free = 0;
	tm->slots_free = v->cfg.timing.slots;
	tm->walkers_free = v->cfg.timing.walkers;
	tm->slot_wait = tm->walker_wait = NULL;
	tm->slot_wait_tail = tm->walker_wait_tail = NULL;
	tm->active = 0;
	tm->active_head = NULL;
	tm->cur = NULL;
	memset(tm->inflight, 0, VTD_TM_INFLIGHT * sizeof(*tm->inflight));
	for (i = 0; i < tm->nports; i++) {
		struct vtd_tm_port *p = &tm->ports[i];

		p->credits_free = p->ncredits;
		p->wait = p->wait_tail = p->order_wait = NULL;
		p->issued = 0;
		p->issue_seq = p->done_seq = 0;
	}
	tm->qi_batch_n = 0;
	tm->rng = v->cfg.seed ^ 0x9e3779b97f4a7c15ull;
	tm->qi = req_new(v, RK_QI);
	if (tm->qi)
		tm->qi->idle = true;
}

void vtd_tm_destroy(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_req *r, *n;

	for (r = tm->all; r; r = n) {
		n = r->all;
		free(r->ops);
		free(r);
	}
	free(tm->ports);
	free(tm->heap);
	free(tm->inflight);
	free(tm->port_of_sid);
	free(tm->scratch);
	memset(tm, 0, sizeof(*tm));
}

const struct vtd_timing_stats *vtd_get_timing_stats(const struct vtd *v)
{
	return &v->tm.stats;
}

/* ---- writing scripts --------------------------------------------------------
 */

static bool grow_ops(struct vtd_tm_req *r)
{
	uint32_t cap = r->cap * 2;
	struct tm_op *ops;

	if (r->cap >= OPS_MAX)
		return false;
	ops = realloc(r->ops, cap * sizeof(*ops));
	if (!ops)
		return false;
	r->ops = ops;
	r->cap = cap;
	return true;
}

/* Append an operation to r the slow way: grow its script (or, with no
 * room, let the request pay a delay without the resource; the operations
 * that keep the engine consistent still go), wake r if its script had run
 * dry. */
static void __attribute__((noinline))
append_slow(struct vtd *v, struct vtd_tm_req *r, uint8_t kind, uint8_t part,
	    uint32_t n, uint64_t val, struct vtd_tm_req *ptr)
{
	struct tm_op *last = r->nops > r->pc ? &r->ops[r->nops - 1] : NULL;
	struct tm_op *o;

	if (r->nops == r->cap && !grow_ops(r)) {
		if (kind == OP_DELAY && last && last->kind == OP_DELAY)
			last->v += val;
		return;
	}
	o = &r->ops[r->nops++];
	o->kind = kind;
	o->part = part;
	o->n = n;
	if (ptr)
		o->ptr = ptr;
	else
		o->v = val;
	if (r->idle && !r->in_heap && !r->held)
		wake(v, r, r->t);
}

/* Append an operation to r, written in place (a copy through the stack
 * costs a store-forwarding stall per operation). */
static inline __attribute__((always_inline)) void
append(struct vtd *v, struct vtd_tm_req *r, uint8_t kind, uint8_t part,
       uint32_t n, uint64_t val)
{
	struct tm_op *o;

	/* consecutive delays of one part are one delay */
	if (kind == OP_DELAY && r->nops > r->pc) {
		o = &r->ops[r->nops - 1];
		if (o->kind == OP_DELAY && o->part == part) {
			o->v += val;
			return;
		}
	}
	if (r->nops == r->cap || r->idle) {
		append_slow(v, r, kind, part, n, val, NULL);
		return;
	}
	o = &r->ops[r->nops++];
	o->kind = kind;
	o->part = part;
	o->n = n;
	o->v = val;
}

static inline void add(struct vtd *v, uint8_t kind, uint8_t part, uint32_t n,
		       uint64_t val)
{
	if (v->tm.cur)
		append(v, v->tm.cur, kind, part, n, val);
}

void vtd_tm_charge(struct vtd *v, enum vtd_lat_part part, uint64_t ps)
{
	if (ps)
		add(v, OP_DELAY, (uint8_t)part, 0, ps);
}

static void link_cross(struct vtd *v, int dir, uint64_t bytes, uint32_t tlps)
{
	add(v, OP_LINK, (uint8_t)dir, 0,
	    bytes + (uint64_t)tlps * v->cfg.timing.tlp_overhead);
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

	if (!len)
		len = 1;
	if (write)
		vtd_tm_link_up(v, len, tlps_for(len, c->mps));
	else
		vtd_tm_link_up(v, 0, tlps_for(len, c->mrrs));
}

static void mem(struct vtd *v, enum vtd_lat_part part, uint64_t bytes,
		uint64_t latency)
{
	add(v, OP_MEM, (uint8_t)part,
	    (uint32_t)(bytes > UINT32_MAX ? UINT32_MAX : bytes), latency);
}

void vtd_tm_data_and_completion(struct vtd *v, uint32_t len, bool write,
				bool ok)
{
	const struct vtd_timing_config *c = &v->cfg.timing;

	if (!v->tm.cur)
		return;
	if (!len)
		len = 1;
	if (ok)
		mem(v, VTD_LAT_DATA, len, v->tm.dma_ps);
	if (write)
		return; /* posted: done when the data is in memory */
	if (ok)
		vtd_tm_link_down(v, len, tlps_for(len, c->rcb));
	else
		vtd_tm_link_down(v, 0, 1); /* UR or CA, no data */
}

void vtd_tm_slot_acquire(struct vtd *v)
{
	add(v, OP_SLOT_ACQ, 0, 0, 0);
}

void vtd_tm_slot_release(struct vtd *v)
{
	add(v, OP_SLOT_REL, 0, 0, 0);
}

void vtd_tm_ats_mark(struct vtd *v, bool start)
{
	add(v, OP_ATS, 0, start, 0);
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

/* A table read: from the LLC (llc_hit_pct of reads) or from DRAM. Drawn
 * as the script is written, in the functional order: deterministic. */
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

void vtd_tm_cache_lookup(struct vtd *v, enum vtd_cache_id id)
{
	vtd_tm_charge(v, (enum vtd_lat_part)(VTD_LAT_CONTEXT + id),
		      v->tm.lookup_ps[id]);
}

void vtd_tm_mem_step(struct vtd *v, enum vtd_step_kind kind,
		     enum vtd_structure st, unsigned int size)
{
	struct vtd_tm_req *r = v->tm.cur;
	bool dev = r && r->kind == RK_DEVICE;

	if (!r)
		return;
	switch (kind) {
	case VTD_STEP_MEM_READ:
		if (dev && !r->walker_held && table_structure(st)) {
			add(v, OP_WALKER_ACQ, 0, 0, 0);
			r->walker_held = true;
		}
		mem(v, dev ? walk_part(st) : VTD_LAT_DATA, size,
		    table_latency(v));
		return;
	case VTD_STEP_MEM_ATOMIC:
		/* A/D: a locked read-modify-write of the entry's line */
		mem(v, VTD_LAT_AD, size, table_latency(v));
		return;
	case VTD_STEP_MEM_WRITE:
		/* posted: the interface is busy, the request goes on */
		mem(v, dev ? VTD_LAT_AD : VTD_LAT_DATA, size, 0);
		return;
	default:
		return;
	}
}

void vtd_tm_step(struct vtd *v, const struct vtd_step *s)
{
	if (!v->tm.cur)
		return;
	switch (s->kind) {
	case VTD_STEP_CACHE_LOOKUP:
		vtd_tm_cache_lookup(v, s->cache);
		return;
	case VTD_STEP_CACHE_FILL:
		return; /* off the request's path */
	default:
		vtd_tm_mem_step(v, s->kind, s->structure, s->size);
		return;
	}
}

/* ---- merging
 * ------------------------------------------------------------------
 */

static uint64_t inflight_key(uint64_t addr, uint64_t page_size, uint16_t did,
			     uint32_t pasid)
{
	uint64_t page = addr & ~(page_size - 1);

	return (page ^ ((uint64_t)did << 48) ^
		((uint64_t)(pasid & 0xfffff) << 24) ^ page_size) |
	       1;
}

static uint32_t inflight_index(uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 40) &
	       (VTD_TM_INFLIGHT - 1);
}

static void release_waiters(struct vtd *v, struct vtd_tm_inflight *e,
			    uint64_t t)
{
	struct vtd_tm_req *w = e->waiters, *n;

	e->waiters = NULL;
	for (; w; w = n) {
		n = w->next;
		w->pc++;
		wake(v, w, t);
	}
}

static bool paged(enum vtd_mode m)
{
	return m == VTD_MODE_LEGACY_SL || m == VTD_MODE_SM_FL ||
	       m == VTD_MODE_SM_SL || m == VTD_MODE_SM_NESTED;
}

void vtd_tm_translated(struct vtd *v, const struct vtd_xlate *x,
		       const struct vtd_result *res)
{
	struct vtd_tm_req *r = v->tm.cur;
	struct vtd_tm_inflight *e;
	uint64_t key;
	uint32_t i;

	if (!r || r->kind != RK_DEVICE)
		return;
	if (res->ok && paged(res->mode)) {
		key = inflight_key(x->req->addr, res->page_size, x->did,
				   x->pasid);
		i = inflight_index(key);
		e = &v->tm.inflight[i];
		/* a merge names the walk it waits for: a later walk of
		 * the same page (the functional model runs ahead and may
		 * have evicted and refilled it) is not one to wait for */
		if (x->iotlb_hit && e->key == key) {
			add(v, OP_MERGE, 0, i, e->wseq);
		} else if (!x->iotlb_hit && r->walker_held) {
			release_waiters(v, e, v->tm.now);
			e->key = key;
			e->wseq = ++v->tm.walk_seq;
			e->pending = true;
			add(v, OP_WALK_DONE, 0, i, e->wseq);
		}
	}
	if (r->walker_held) {
		add(v, OP_WALKER_REL, 0, 0, 0);
		r->walker_held = false;
	}
}

/* ---- device requests --------------------------------------------------------
 */

static void materialize(struct vtd *v);

static struct vtd_tm_port *port_get(struct vtd *v, uint16_t sid)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_port *p;

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
	p = &tm->ports[tm->nports];
	memset(p, 0, sizeof(*p));
	p->ncredits = p->credits_free = v->cfg.timing.outstanding;
	tm->port_of_sid[sid] = ++tm->nports;
	return p;
}

int vtd_timing_set_outstanding(struct vtd *v, uint16_t sid, unsigned int n)
{
	struct vtd_tm_port *p;
	uint32_t i;

	if (!v->tm.on)
		return 0;
	if (n < 1 || n > VTD_TM_MAX_CREDITS)
		return -1;
	materialize(v);
	p = port_get(v, sid);
	if (!p)
		return -1;
	i = p->ncredits - p->credits_free; /* in use */
	p->credits_free = n > i ? n - i : 0;
	p->ncredits = n;
	return 0;
}

static void run_req(struct vtd *v, struct vtd_tm_req *r, uint64_t until);

/* A device whose requests come faster than it can issue them (a closed
 * loop: all ready at once) would keep a script for every request of the
 * trace. Past TM_MAX_WAITING of them, run the engine ahead of the
 * functional clock until one issues: memory stays bounded, and the new
 * request queues behind the others as it would have. */
static void throttle(struct vtd *v, struct vtd_tm_port *p)
{
	struct vtd_tm *tm = &v->tm;

	if (tm->running || tm->cur)
		return;
	tm->running = true;
	while (p->issue_seq - p->issued >= TM_MAX_WAITING && tm->nheap) {
		struct vtd_tm_req *r = heap_pop(v);

		tm->now = max64(tm->now, r->t);
		run_req(v, r, UINT64_MAX);
	}
	tm->running = false;
}

static void active_add(struct vtd_tm *tm, struct vtd_tm_req *r)
{
	r->aprev = NULL;
	r->anext = tm->active_head;
	if (r->anext)
		r->anext->aprev = r;
	tm->active_head = r;
	tm->active++;
}

static void first_ready(struct vtd_tm *tm, uint64_t t)
{
	if (!tm->stats.requests && !tm->stats.first_ready_ps)
		tm->stats.first_ready_ps = t;
}

/* A device request begun at t (its ready time, not before the unit's
 * clock) as the port's port_seq-th and the unit's seq-th: it becomes the
 * current script, waiting for a credit first. */
static void begin_script(struct vtd *v, struct vtd_tm_req *r,
			 const struct vtd_tm_port *p, uint16_t sid, uint64_t t,
			 uint64_t cookie, uint32_t port_seq, uint64_t seq)
{
	struct vtd_tm *tm = &v->tm;

	r->port = (uint32_t)(p - tm->ports);
	r->port_seq = port_seq;
	r->seq = seq;
	r->t = r->start = t;
	r->info.ready_ps = r->t;
	r->info.cookie = cookie;
	r->info.sid = sid;
	r->park_part = VTD_LAT_COUNT;
	active_add(tm, r); /* for draining */
	tm->cur = r;
	add(v, OP_CREDIT, 0, 0, 0);
	first_ready(tm, r->t);
	heap_push(v, r);
}

struct vtd_tm_req *vtd_tm_begin(struct vtd *v, uint16_t sid, uint64_t ready_ps,
				uint64_t cookie, struct vtd_tm_req **prev)
{
	struct vtd_tm *tm = &v->tm;
	uint64_t now = vtd_now(v) * PS_PER_NS;
	struct vtd_tm_port *p;
	struct vtd_tm_req *r;

	materialize(v);
	*prev = tm->cur;
	if (!tm->on)
		return NULL;
	p = port_get(v, sid);
	if (p)
		throttle(v, p);
	r = p ? req_new(v, RK_DEVICE) : NULL;
	if (!r)
		return NULL; /* out of memory: untimed */
	begin_script(v, r, p, sid, max64(ready_ps, now), cookie, p->issue_seq++,
		     ++tm->begin_seq);
	return r;
}

struct vtd_timing *vtd_tm_info(struct vtd_tm_req *r)
{
	return &r->info;
}

void vtd_tm_end(struct vtd *v, struct vtd_tm_req *prev)
{
	struct vtd_tm_req *r = v->tm.cur;

	if (r) {
		add(v, OP_END, 0, 0, 0);
		r->ended = true;
	}
	v->tm.cur = prev;
}

void vtd_tm_suspend(struct vtd *v, struct vtd_tm_req *prev)
{
	if (v->tm.cur)
		v->tm.cur->park_part = VTD_LAT_PRQ; /* until it resumes */
	v->tm.cur = prev;
}

struct vtd_tm_req *vtd_tm_resume(struct vtd *v, struct vtd_tm_req *r)
{
	struct vtd_tm_req *prev = v->tm.cur;

	uint64_t now = vtd_now(v) * PS_PER_NS;

	materialize(v);
	v->tm.cur = r; /* NULL: untimed (timing off, out of memory) */
	if (!r)
		return prev;
	/* software took now - pr_func_ps to answer, after the request had
	 * reached it: that long after its timed delivery */
	if (r->pr_sent)
		add(v, OP_JOIN, VTD_LAT_PRQ, 0,
		    now > r->pr_func_ps ? now - r->pr_func_ps : 0);
	else
		add(v, OP_AT, VTD_LAT_PRQ, 0, now);
	r->pr_sent = false;
	return prev;
}

/* ---- the invalidation queue engine and page requests ------------------------
 */

void vtd_tm_qi_begin(struct vtd *v, struct vtd_tm_req **prev)
{
	struct vtd_tm *tm = &v->tm;

	materialize(v);
	*prev = tm->cur;
	if (!tm->on || !tm->qi)
		return;
	tm->cur = tm->qi;
	add(v, OP_AT, VTD_LAT_COUNT, 0, vtd_now(v) * PS_PER_NS);
	if (!tm->qi_batch_n)
		add(v, OP_BATCH, 0, 0, 0); /* its descriptors start a batch */
}

void vtd_tm_qi_end(struct vtd *v, struct vtd_tm_req *prev)
{
	v->tm.cur = prev;
}

void vtd_tm_qi_desc(struct vtd *v, unsigned int type, bool drain)
{
	struct vtd_tm *tm = &v->tm;
	uint64_t ps = tm->qi_desc_ps;

	if (!tm->cur || tm->cur != tm->qi)
		return;
	tm->qi_batch_n++;
	if (type == VTD_QI_IWD)
		ps += tm->qi_wait_ps;
	else if (type != VTD_QI_PGRP_RESP && type != VTD_QI_IEC)
		ps += tm->qi_inv_ps;
	add(v, OP_DELAY, VTD_LAT_COUNT, 0, ps);
	if (drain)
		add(v, OP_DRAIN, 0, 0, tm->begin_seq);
}

void vtd_tm_qi_wait_done(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;

	if (!tm->on || !tm->qi_batch_n)
		return;
	if (tm->cur == tm->qi)
		add(v, OP_EVENT, VTD_TEV_INV_WAIT, tm->qi_batch_n,
		    UINT64_MAX - 1);
	tm->qi_batch_n = 0;
}

void vtd_tm_prq_begin(struct vtd *v, struct vtd_tm_req **prev)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_req *r;

	materialize(v);
	*prev = tm->cur;
	if (!tm->on || !(r = req_new(v, RK_PRQ)))
		return;
	r->park_part = VTD_LAT_COUNT;
	if (*prev && (*prev)->kind == RK_DEVICE) {
		r->parent = *prev;
		(*prev)->pr_sent = true;
		(*prev)->pr_func_ps = vtd_now(v) * PS_PER_NS;
		(*prev)->pr_done_t = 0;
	}
	if (*prev) {
		r->held = r->idle = true; /* sent where *prev has got to */
		append_slow(v, *prev, OP_SPAWN, 0, 0, 0, r);
	} else {
		r->t = r->start = vtd_now(v) * PS_PER_NS;
		heap_push(v, r);
	}
	tm->cur = r;
	vtd_tm_link_up(v, 0, 1); /* the message: a header, no data */
}

void vtd_tm_prq_end(struct vtd *v, struct vtd_tm_req *prev, bool queued)
{
	struct vtd_tm *tm = &v->tm;

	if (tm->on && tm->cur && tm->cur != prev) {
		if (queued) {
			vtd_tm_charge(v, VTD_LAT_COUNT, tm->irq_ps);
			add(v, OP_EVENT, VTD_TEV_PAGE_REQUEST, 0, UINT64_MAX);
		}
		add(v, OP_END, 0, 0, 0);
		tm->cur->ended = true;
	}
	tm->cur = prev;
}

/* ---- running scripts
 * ----------------------------------------------------------
 */

static void account_wait(struct vtd_tm *tm, enum vtd_resource res, uint64_t ps)
{
	if (!ps)
		return;
	tm->stats.waits[res]++;
	tm->stats.wait_ps[res] += ps;
}

static void charge(struct vtd_tm_req *r, unsigned int part, uint64_t ps)
{
	r->t += ps;
	if (part < VTD_LAT_COUNT)
		r->info.part_ps[part] += ps;
}

/* Tell the host (timelines) that res served r (or, wait, that r queued for
 * it) from start to end. */
static void __attribute__((noinline))
tell_use(struct vtd *v, const struct vtd_tm_req *r, enum vtd_resource res,
	 uint64_t start, uint64_t end, bool wait)
{
	struct vtd_resource_use u;

	u.res = res;
	u.wait = wait;
	u.start_ps = start;
	u.end_ps = end;
	u.device = r->kind == RK_DEVICE;
	u.cookie = u.device ? r->info.cookie : 0;
	v->ops.busy(v->opaque, &u);
}

static inline void use(struct vtd *v, const struct vtd_tm_req *r,
		       enum vtd_resource res, uint64_t start, uint64_t end,
		       bool wait)
{
	if (v->ops.busy && end > start)
		tell_use(v, r, res, start, end, wait);
}

static void used(struct vtd *v, const struct vtd_tm_req *r,
		 enum vtd_resource res, uint64_t start, uint64_t end)
{
	use(v, r, res, start, end, false);
}

static inline __attribute__((always_inline)) uint64_t
serve(struct vtd *v, const struct vtd_tm_req *r, uint64_t *free,
      enum vtd_resource res, uint64_t busy)
{
	struct vtd_tm *tm = &v->tm;
	uint64_t t = r->t, start = max64(t, *free);

	*free = start + busy;
	tm->stats.busy_ps[res] += busy;
	account_wait(tm, res, start - t);
	if (v->ops.busy) {
		use(v, r, res, t, start, true);
		used(v, r, res, start, start + busy);
	}
	return start - t;
}

static void op_link(struct vtd *v, struct vtd_tm_req *r, const struct tm_op *o)
{
	struct vtd_tm *tm = &v->tm;
	uint64_t ser = (o->v * tm->link_q16) >> 16;
	uint64_t q = serve(v, r, &tm->link_free[o->part],
			   o->part ? VTD_RES_LINK_DOWN : VTD_RES_LINK_UP, ser);

	charge(r, r->kind == RK_DEVICE ? VTD_LAT_LINK : VTD_LAT_COUNT,
	       q + ser + tm->link_ps);
}

static void op_mem(struct vtd *v, struct vtd_tm_req *r, const struct tm_op *o)
{
	struct vtd_tm *tm = &v->tm;
	uint64_t lines = ((uint64_t)o->n + LINE - 1) / LINE;
	uint64_t occ = ((lines ? lines : 1) * LINE * tm->mem_q16) >> 16;
	uint64_t q = serve(v, r, &tm->mem_free, VTD_RES_MEMORY, occ);

	charge(r, r->kind == RK_DEVICE ? o->part : VTD_LAT_COUNT,
	       q + occ + o->v);
}

static void fifo_add(struct vtd_tm_req **head, struct vtd_tm_req **tail,
		     struct vtd_tm_req *r)
{
	r->next = NULL;
	if (*tail)
		(*tail)->next = r;
	else
		*head = r;
	*tail = r;
}

static struct vtd_tm_req *fifo_take(struct vtd_tm_req **head,
				    struct vtd_tm_req **tail)
{
	struct vtd_tm_req *r = *head;

	if (r) {
		*head = r->next;
		if (!*head)
			*tail = NULL;
	}
	return r;
}

/* Take one of a pool, or wait for it (false). */
static bool pool_take(struct vtd *v, struct vtd_tm_req *r, uint32_t *free,
		      struct vtd_tm_req **head, struct vtd_tm_req **tail,
		      enum vtd_lat_part part)
{
	(void)v;
	if (*free) {
		(*free)--;
		return true;
	}
	park(r, part);
	fifo_add(head, tail, r);
	return false;
}

/* Give one back: to the first waiter (it goes on from now), or the pool. */
static void pool_give(struct vtd *v, uint64_t t, uint32_t *free,
		      struct vtd_tm_req **head, struct vtd_tm_req **tail,
		      enum vtd_resource res)
{
	struct vtd_tm_req *w = fifo_take(head, tail);

	if (!w) {
		(*free)++;
		return;
	}
	account_wait(&v->tm, res, t - w->park_t);
	use(v, w, res, w->park_t, t, true);
	if (res == VTD_RES_SLOTS)
		w->slot_t = t;
	else if (res == VTD_RES_WALKERS)
		w->walker_t = t;
	w->pc++; /* its acquire is done */
	wake(v, w, t);
}

static void active_remove(struct vtd *v, struct vtd_tm_req *r)
{
	struct vtd_tm *tm = &v->tm;

	if (r->aprev)
		r->aprev->anext = r->anext;
	else
		tm->active_head = r->anext;
	if (r->anext)
		r->anext->aprev = r->aprev;
	tm->active--;
}

static void emit_event(struct vtd *v, struct vtd_tm_req *r,
		       const struct tm_op *o)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_timing_event ev;

	ev.kind = (enum vtd_timing_event_kind)o->part;
	if (o->v == UINT64_MAX)
		ev.start_ps = r->start;
	else if (o->v == UINT64_MAX - 1)
		ev.start_ps = r->batch_t;
	else
		ev.start_ps = o->v;
	ev.done_ps = max64(r->t, ev.start_ps);
	ev.descriptors = o->n;
	if (ev.kind == VTD_TEV_INV_WAIT) {
		uint64_t lat = ev.done_ps - ev.start_ps;

		tm->stats.inv_waits++;
		tm->stats.inv_wait_ps += lat;
		tm->stats.inv_wait_max_ps =
			max64(tm->stats.inv_wait_max_ps, lat);
	} else {
		tm->stats.page_requests++;
		tm->stats.prq_deliver_ps += ev.done_ps - ev.start_ps;
	}
	if (v->ops.timing)
		v->ops.timing(v->opaque, &ev);
}

static void drain_done(struct vtd *v, struct vtd_tm_req *r)
{
	struct vtd_tm *x = &v->tm;

	if (!r->drain_tracked)
		return;
	r->drain_tracked = false;
	if (x->drain_count && !--x->drain_count && x->drain_waiter) {
		struct vtd_tm_req *w = x->drain_waiter;

		x->drain_waiter = NULL;
		w->pc++;
		wake(v, w, r->t);
	}
}

/* Wait for every device request in flight that the functional model
 * translated before the descriptor (IOTLB invalidation with DR/DW): begun
 * as the o->v-th or earlier. false: waiting. */
static bool op_drain(struct vtd *v, struct vtd_tm_req *r, const struct tm_op *o)
{
	struct vtd_tm *x = &v->tm;
	struct vtd_tm_req *a;

	if (!v->tm.active || x->drain_waiter)
		return true;
	x->drain_count = 0;
	for (a = v->tm.active_head; a; a = a->anext) {
		if (a->seq > o->v)
			continue;
		a->drain_tracked = true;
		x->drain_count++;
	}
	if (!x->drain_count)
		return true;
	x->drain_waiter = r;
	park(r, VTD_LAT_COUNT);
	return false;
}

static void end_device(struct vtd *v, struct vtd_tm_req *r);

/* The device request completes: in order behind earlier ones if asked. */
static bool op_end(struct vtd *v, struct vtd_tm_req *r)
{
	struct vtd_tm_port *p;

	if (r->kind != RK_DEVICE) {
		struct vtd_tm_req *d = r->parent;

		if (d) { /* delivered: the device's retry may follow */
			d->pr_done_t = max64(r->t, 1);
			if (d->join_wait) {
				d->join_wait = false;
				wake(v, d, r->t);
			}
		}
		req_free(v, r);
		return false;
	}
	/* only device requests have a port (a page request's may not) */
	p = &v->tm.ports[r->port];
	if (v->cfg.timing.in_order && r->port_seq != p->done_seq) {
		park(r, VTD_LAT_ORDER);
		r->next = p->order_wait;
		p->order_wait = r;
		return false;
	}
	end_device(v, r);
	req_free(v, r);
	return false;
}

/* A device request completes at r->t: the host hears of it, its credit
 * goes to the next waiting (or back to the pool), then whoever is next in
 * order goes on. */
static void end_device(struct vtd *v, struct vtd_tm_req *r)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_port *p = &tm->ports[r->port];
	struct vtd_tm_req **w, *next;

	p->done_seq++;
	r->info.done_ps = r->t;
	tm->stats.requests++;
	tm->stats.last_done_ps = max64(tm->stats.last_done_ps, r->t);
	active_remove(v, r);
	drain_done(v, r);
	if (v->ops.timed)
		v->ops.timed(v->opaque, &r->info);
	/* its credit, then whoever is next in order */
	next = fifo_take(&p->wait, &p->wait_tail);
	if (next) {
		p->issued++;
		tm->stats.device_waits++;
		next->pc++;
		wake(v, next, r->t);
	} else {
		p->credits_free++;
	}
	for (w = &p->order_wait; *w; w = &(*w)->next) {
		if ((*w)->port_seq == p->done_seq) {
			struct vtd_tm_req *o = *w;

			*w = o->next;
			wake(v, o, r->t);
			break;
		}
	}
}

static bool op_credit(struct vtd *v, struct vtd_tm_req *r)
{
	struct vtd_tm_port *p = &v->tm.ports[r->port];

	if (p->credits_free && !p->wait) {
		p->credits_free--;
		p->issued++;
		return true;
	}
	park(r, VTD_LAT_DEVICE);
	fifo_add(&p->wait, &p->wait_tail, r);
	return false;
}

static bool op_merge(struct vtd *v, struct vtd_tm_req *r, const struct tm_op *o)
{
	struct vtd_tm_inflight *e = &v->tm.inflight[o->n];

	if (e->wseq != o->v || !e->pending)
		return true;
	v->tm.stats.merged++;
	r->info.merged = true;
	park(r, VTD_LAT_MERGED);
	r->next = e->waiters;
	e->waiters = r;
	return false;
}

static void op_walk_done(struct vtd *v, struct vtd_tm_req *r,
			 const struct tm_op *o)
{
	struct vtd_tm_inflight *e = &v->tm.inflight[o->n];

	if (e->wseq != o->v)
		return;
	e->pending = false;
	release_waiters(v, e, r->t);
}

/* Run one operation at r->t. true: done (pc moves on); false: r waits
 * (whoever wakes it moves its pc) or has ended. */
static bool exec_op(struct vtd *v, struct vtd_tm_req *r, const struct tm_op *o)
{
	struct vtd_tm *tm = &v->tm;

	switch (o->kind) {
	case OP_DELAY:
		charge(r, r->kind == RK_DEVICE ? o->part : VTD_LAT_COUNT, o->v);
		if (r->kind == RK_QI) {
			tm->stats.busy_ps[VTD_RES_QI] += o->v;
			used(v, r, VTD_RES_QI, r->t - o->v, r->t);
		}
		return true;
	case OP_LINK:
		op_link(v, r, o);
		return true;
	case OP_MEM:
		op_mem(v, r, o);
		return true;
	case OP_SLOT_ACQ:
		if (!pool_take(v, r, &tm->slots_free, &tm->slot_wait,
			       &tm->slot_wait_tail, VTD_LAT_SLOT))
			return false;
		r->slot_t = r->t;
		return true;
	case OP_SLOT_REL:
		tm->stats.busy_ps[VTD_RES_SLOTS] += r->t - r->slot_t;
		used(v, r, VTD_RES_SLOTS, r->slot_t, r->t);
		pool_give(v, r->t, &tm->slots_free, &tm->slot_wait,
			  &tm->slot_wait_tail, VTD_RES_SLOTS);
		return true;
	case OP_WALKER_ACQ:
		tm->stats.walks++;
		if (!pool_take(v, r, &tm->walkers_free, &tm->walker_wait,
			       &tm->walker_wait_tail, VTD_LAT_WALKER))
			return false;
		r->walker_t = r->t;
		return true;
	case OP_WALKER_REL:
		tm->stats.busy_ps[VTD_RES_WALKERS] += r->t - r->walker_t;
		used(v, r, VTD_RES_WALKERS, r->walker_t, r->t);
		pool_give(v, r->t, &tm->walkers_free, &tm->walker_wait,
			  &tm->walker_wait_tail, VTD_RES_WALKERS);
		return true;
	case OP_CREDIT:
		return op_credit(v, r);
	case OP_MERGE:
		return op_merge(v, r, o);
	case OP_WALK_DONE:
		op_walk_done(v, r, o);
		return true;
	case OP_AT:
		if (o->v > r->t)
			charge(r,
			       r->kind == RK_DEVICE ? o->part : VTD_LAT_COUNT,
			       o->v - r->t);
		return true;
	case OP_ATS:
		if (o->n)
			r->ats_t = r->t;
		else
			r->info.ats_ps += r->t - r->ats_t;
		return true;
	case OP_SPAWN:
		o->ptr->t = o->ptr->start = r->t;
		o->ptr->held = false;
		wake(v, o->ptr, r->t);
		return true;
	case OP_DRAIN:
		return op_drain(v, r, o);
	case OP_EVENT:
		emit_event(v, r, o);
		return true;
	case OP_BATCH:
		r->batch_t = r->t;
		return true;
	case OP_JOIN:
		if (!r->pr_done_t) {
			park(r, VTD_LAT_PRQ);
			r->join_wait = true;
			return false; /* op_end of the page request wakes it */
		}
		if (r->pr_done_t + o->v > r->t)
			charge(r, VTD_LAT_PRQ, r->pr_done_t + o->v - r->t);
		return true;
	default:
		return op_end(v, r);
	}
}

/* Run r while it is the earliest and before until. */
static void run_req(struct vtd *v, struct vtd_tm_req *r, uint64_t until)
{
	struct vtd_tm *tm = &v->tm;

	for (;;) {
		if (r->pc == r->nops) {
			r->idle = true; /* more script may come */
			return;
		}
		/* another is due strictly before r goes on (at r's time r
		 * goes first: it was running) */
		if (r->t >= until || (tm->nheap && tm->heap[0]->t < r->t)) {
			heap_push(v, r);
			return;
		}
		if (!exec_op(v, r, &r->ops[r->pc]))
			return;
		r->pc++;
	}
}

/* ---- the fast lane
 * -----------------------------------------------------------
 *
 * A DMA that hits the caches (the translation memo's) begun while the
 * engine holds nothing at all has a script the engine would run alone: a
 * credit, the link, a slot, the lookups, the data, the completion, each
 * resource free or queued only behind what has already run. It waits as
 * it is (pending) until the next vtd_tm_run(t). If it would be done before
 * t, nothing else can have come between its operations and it runs to
 * completion at once, as the engine would have run it; otherwise, or if
 * anything else reaches the engine first, it gets its script, as if it had
 * been begun with one, and the engine runs it. Either way the results are
 * the engine's (the fast=0 runs of tests/unit/test_fast_lane.cpp
 * check it).
 */

/* The wire bytes of a request of len bytes and of its completion, as
 * vtd_tm_request_tlps and vtd_tm_data_and_completion count them; kept for
 * the last length (three divisions otherwise). */
static void wires(struct vtd *v, uint32_t len)
{
	const struct vtd_timing_config *c = &v->cfg.timing;
	struct vtd_tm *tm = &v->tm;

	if (tm->wire_len == len)
		return;
	tm->wire_len = len;
	tm->wire_up[1] =
		len + (uint64_t)tlps_for(len, c->mps) * c->tlp_overhead;
	tm->wire_up[0] = (uint64_t)tlps_for(len, c->mrrs) * c->tlp_overhead;
	tm->wire_down = len + (uint64_t)tlps_for(len, c->rcb) * c->tlp_overhead;
}

static uint32_t hit_bytes(const struct vtd_tm_hit *h)
{
	return h->len ? (uint32_t)h->len : 1; /* a single page */
}

/* The script of a hit after its credit, as vtd_dma writes it. */
static void hit_ops(struct vtd *v, const struct vtd_tm_hit *h)
{
	struct vtd_tm *tm = &v->tm;
	uint32_t bytes = hit_bytes(h);
	uint64_t key =
		inflight_key(h->addr, h->page_size, h->did, h->tag_pasid);
	uint32_t i = inflight_index(key);
	unsigned int c;

	vtd_tm_request_tlps(v, bytes, h->write);
	vtd_tm_slot_acquire(v);
	for (c = 0; c <= VTD_CACHE_IOTLB; c++)
		if (h->lookups & (1u << c))
			vtd_tm_charge(v,
				      (enum vtd_lat_part)(VTD_LAT_CONTEXT + c),
				      tm->lookup_ps[c]);
	if (tm->inflight[i].key == key)
		add(v, OP_MERGE, 0, i, tm->inflight[i].wseq);
	vtd_tm_slot_release(v);
	vtd_tm_data_and_completion(v, bytes, h->write, true);
}

static void hit_info(struct vtd_timing *t, const struct vtd_tm_hit *h)
{
	t->has_pasid = h->has_pasid;
	t->pasid = h->has_pasid ? h->pasid : 0;
	t->write = h->write;
	t->addr = h->addr;
	t->bytes = h->len ? h->len : 1;
	t->ok = true;
	t->status = 0;
}

/* The pending hit gets the script it would have had. */
static void materialize(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_req *r, *prev = tm->cur;

	if (!tm->pending)
		return;
	tm->pending = false;
	r = req_new(v, RK_DEVICE);
	if (!r)
		return; /* out of memory: untimed */
	begin_script(v, r, &tm->ports[tm->fast_port], tm->fast.sid, tm->fast_t0,
		     tm->fast.cookie, tm->fast_port_seq, tm->fast_seq);
	hit_ops(v, &tm->fast);
	hit_info(&r->info, &tm->fast);
	vtd_tm_end(v, prev);
}

static uint64_t ser_ps(const struct vtd_tm *tm, uint64_t wire)
{
	return (wire * tm->link_q16) >> 16;
}

/* The pending hit's operations run alone from now, as exec_op runs them:
 * each server's start (its queueing), the slot held from t1 to t2. */
struct fast_times {
	uint64_t t0, s1, ser1, t1, t2, s3, occ, t3, s4, ser2, t4;
};

static void fast_times(const struct vtd_tm *tm, struct fast_times *f)
{
	const struct vtd_tm_hit *h = &tm->fast;
	uint64_t lines = ((uint64_t)hit_bytes(h) + LINE - 1) / LINE;

	f->t0 = tm->fast_t0;
	f->s1 = max64(f->t0, tm->link_free[0]); /* OP_LINK up */
	f->ser1 = ser_ps(tm, tm->wire_up[h->write]);
	f->t1 = f->s1 + f->ser1 + tm->link_ps;
	/* OP_SLOT_ACQ, lookups, OP_SLOT_REL */
	f->t2 = f->t1 + tm->lookups_ps[h->lookups];
	f->s3 = max64(f->t2, tm->mem_free); /* OP_MEM */
	f->occ = (lines * LINE * tm->mem_q16) >> 16;
	f->t3 = f->s3 + f->occ + tm->dma_ps;
	f->t4 = f->s4 = f->t3;
	f->ser2 = 0;
	if (!h->write) { /* OP_LINK down */
		f->s4 = max64(f->t3, tm->link_free[1]);
		f->ser2 = ser_ps(tm, tm->wire_down);
		f->t4 = f->s4 + f->ser2 + tm->link_ps;
	}
}

/* serve() of a server at t that starts at start for busy */
static inline __attribute__((always_inline)) void
fast_serve(struct vtd *v, enum vtd_resource res, uint64_t *free, uint64_t t,
	   uint64_t start, uint64_t busy)
{
	struct vtd_tm *tm = &v->tm;

	*free = start + busy;
	tm->stats.busy_ps[res] += busy;
	account_wait(tm, res, start - t);
	if (v->ops.busy) {
		use(v, tm->scratch, res, t, start, true);
		used(v, tm->scratch, res, start, start + busy);
	}
}

typedef uint64_t u64x2 __attribute__((vector_size(16)));

static void put2(uint64_t *p, uint64_t a, uint64_t b)
{
	u64x2 x = {a, b};

	memcpy(p, &x, sizeof(x));
}

/* The parts of a hit that runs alone: the link both ways, its lookups,
 * the data; the others stay 0 in the scratch. Stored two at a time, as
 * the replayer's statistics add them (a wide load of two narrow stores
 * waits for both to retire). */
static void fast_parts(const struct vtd_tm *tm, struct vtd_timing *info,
		       const struct fast_times *f)
{
	const struct vtd_tm_hit *h = &tm->fast;
	uint64_t *p = info->part_ps;

	_Static_assert(VTD_LAT_LINK == 1 && VTD_LAT_CONTEXT == 3 &&
			       VTD_LAT_PASID == 4 && VTD_LAT_IOTLB == 5 &&
			       VTD_LAT_DATA == 15,
		       "the pairs below");
	put2(p, 0, (f->t1 - f->t0) + (f->t4 - f->t3));
	put2(p + 2, 0, tm->lookup_ps[VTD_CACHE_CONTEXT]);
	put2(p + 4,
	     h->lookups & (1u << VTD_CACHE_PASID)
		     ? tm->lookup_ps[VTD_CACHE_PASID]
		     : 0,
	     tm->lookup_ps[VTD_CACHE_IOTLB]);
	put2(p + 14, 0, f->t3 - f->t2);
}

/* Run the pending hit to completion: what the engine does running its
 * script alone (credit, link, slot, lookups, data, completion, END). */
static void fast_commit(struct vtd *v, const struct fast_times *f)
{
	struct vtd_tm *tm = &v->tm;
	const struct vtd_tm_hit *h = &tm->fast;
	struct vtd_tm_port *p = &tm->ports[tm->fast_port];
	struct vtd_timing *info = &tm->scratch->info;

	tm->pending = false;
	tm->now = max64(tm->now, f->t0);
	p->issued++; /* OP_CREDIT; END gives it back, nobody waits */
	info->cookie = h->cookie;
	info->sid = h->sid;
	info->ready_ps = f->t0;
	hit_info(info, h);
	fast_serve(v, VTD_RES_LINK_UP, &tm->link_free[0], f->t0, f->s1,
		   f->ser1);
	tm->stats.busy_ps[VTD_RES_SLOTS] += f->t2 - f->t1;
	if (v->ops.busy)
		used(v, tm->scratch, VTD_RES_SLOTS, f->t1, f->t2);
	fast_serve(v, VTD_RES_MEMORY, &tm->mem_free, f->t2, f->s3, f->occ);
	if (!h->write)
		fast_serve(v, VTD_RES_LINK_DOWN, &tm->link_free[1], f->t3,
			   f->s4, f->ser2);
	fast_parts(tm, info, f);
	/* end_device */
	p->done_seq++;
	info->done_ps = f->t4;
	tm->stats.requests++;
	tm->stats.last_done_ps = max64(tm->stats.last_done_ps, f->t4);
	if (v->ops.timed)
		v->ops.timed(v->opaque, info);
}

static void fast_settle(struct vtd *v, uint64_t t)
{
	struct fast_times f;

	fast_times(&v->tm, &f);
	if (f.t4 < t)
		fast_commit(v, &f);
	else
		materialize(v);
}

/* Nothing at all in the engine: a request begun now runs alone. */
static bool engine_empty(const struct vtd *v)
{
	const struct vtd_tm *tm = &v->tm;

	/* With no device request active and nothing runnable, the rest
	 * follows: every credit and slot is back (only device requests hold
	 * them, and the configuration gives at least one of each), nobody
	 * waits for one, and the invalidation queue is not draining (it
	 * drains only while device requests are active, and is runnable once
	 * they are done). */
	return !tm->nheap && !tm->active && !tm->cur && !tm->running;
}

void vtd_tm_prepare(struct vtd *v, uint16_t sid)
{
	struct vtd_tm *tm = &v->tm;
	struct vtd_tm_port *p;

	if (!tm->on)
		return;
	if (tm->pending)
		materialize(v);
	if (!tm->nheap)
		return; /* nothing the engine could run ahead */
	p = port_get(v, sid);
	if (p)
		throttle(v, p);
}

struct vtd_tm_hit *vtd_tm_hit_slot(struct vtd *v)
{
	if (!v->tm.on)
		return NULL;
	if (v->tm.pending)
		materialize(v);
	return &v->tm.fast;
}

void vtd_tm_dma_hit(struct vtd *v)
{
	struct vtd_tm *tm = &v->tm;
	const struct vtd_tm_hit *h = &tm->fast;
	uint32_t i = tm->port_of_sid[h->sid];
	struct vtd_tm_port *p = i ? &tm->ports[i - 1] : port_get(v, h->sid);
	struct vtd_tm_req *r, *prev;

	if (p && v->cfg.fast && engine_empty(v)) {
		tm->pending = true;
		wires(v, hit_bytes(h));
		tm->fast_t0 = max64(h->ready_ps, v->sched.now * PS_PER_NS);
		tm->fast_port = (uint32_t)(p - tm->ports);
		tm->fast_port_seq = p->issue_seq++;
		tm->fast_seq = ++tm->begin_seq;
		first_ready(tm, tm->fast_t0);
		return;
	}
	r = vtd_tm_begin(v, h->sid, h->ready_ps, h->cookie, &prev);
	if (!r)
		return;
	hit_ops(v, h);
	hit_info(vtd_tm_info(r), h);
	vtd_tm_end(v, prev);
}

void vtd_tm_run(struct vtd *v, uint64_t t)
{
	struct vtd_tm *tm = &v->tm;

	if (!tm->on || tm->running)
		return;
	tm->running = true;
	if (tm->pending)
		fast_settle(v, t);
	while (tm->nheap && tm->heap[0]->t < t) {
		struct vtd_tm_req *r = heap_pop(v);

		tm->now = max64(tm->now, r->t);
		run_req(v, r, t);
	}
	if (t != UINT64_MAX)
		tm->now = max64(tm->now, t);
	tm->running = false;
}

void vtd_timing_flush(struct vtd *v)
{
	vtd_tm_run(v, UINT64_MAX);
}

bool vtd_timing_next(struct vtd *v, uint64_t *ps)
{
	struct vtd_tm *tm = &v->tm;
	uint64_t t = UINT64_MAX;
	bool any = false;

	if (!tm->on)
		return false;
	if (tm->pending) { /* the fast lane's request: settled from here */
		t = tm->fast_t0;
		any = true;
	}
	if (tm->nheap && tm->heap[0]->t < t) {
		t = tm->heap[0]->t;
		any = true;
	}
	*ps = t;
	return any;
}
