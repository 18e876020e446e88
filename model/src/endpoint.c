// SPDX-License-Identifier: MIT
/*
 * PCIe endpoint model: an SVA-capable function behind the unit.
 *
 * Configuration space: the type 0 header, the PCI Express capability at
 * 0x40 and, from 0x100, the extended capabilities the function has, in the
 * order PASID (0x100), ATS (0x110), PRI (0x120), linked through their next
 * pointers. Software enables them as a driver does (Linux pci_enable_pasid,
 * pci_enable_ats, pci_enable_pri).
 *
 * An access (vtd_endpoint_access):
 * - ATS disabled (or absent): one untranslated request (vtd_translate).
 * - ATS enabled: a device-TLB lookup; on a miss a translation request
 *   (vtd_ats_translate); a completion with the needed permission fills the
 *   device-TLB and is followed by a translated request (AT=10b) at the
 *   translated address; U=1 means untranslated access only, so an
 *   untranslated request follows and nothing is cached.
 * - A completion without the needed permission with PRI enabled and room
 *   in the outstanding page request allocation: a page request (last in its
 *   group, a fresh PRG index) and the access waits. The page group response
 *   retries it on Success (at most VTD_EP_MAX_PAGE_REQUESTS page requests
 *   per access), or ends it with VTD_DEV_PRQ_FAIL; Response Failure also
 *   sets PRI Status.RF and stops PRI until software resets it.
 * - A request with PASID needs the PASID capability enabled; execute and
 *   privileged requests need their enables too (else VTD_DEV_NOT_ENABLED).
 *
 * Invalidation: an ATS Invalidate Request removes the matching device-TLB
 * entries at once and its completion is sent inv_latency_ns later (never
 * when inv_silent). Without PASID it covers the range for every PASID;
 * with PASID the range for that PASID, plus global entries when G is set.
 * Size 0 is the whole address space.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vtdsim/endpoint.h>

#include "translate.h"
#include "vtd_internal.h"

#define PASID_OFF		 0x100
#define ATS_OFF			 0x110
#define PRI_OFF			 0x120
#define VTD_EP_MAX_PAGE_REQUESTS 4
#define VTD_EP_MAX_PENDING	 512 /* PRG indices are 9 bits */

/* One device-TLB entry; key .pasid, .addr (page), .level. */
struct devtlb_entry {
	uint64_t pa;
	bool r, w, exe, priv, global;
};

struct pending_access {
	bool used;
	bool raw; /* a page request of the trace's, no access waits for it */
	uint16_t prgi;
	struct vtd_dev_request req;
	struct vtd_dev_result res; /* counts carried across retries */
	struct vtd_tm_req *tm;	   /* its timing script, while it waits */
};

struct vtd_endpoint {
	struct vtd *v;
	struct vtd_endpoint_config cfg;
	struct vtd_endpoint_ops ops;
	void *opaque;
	uint8_t space[PCIE_CFG_SIZE];
	uint8_t wmask[PCIE_CFG_SIZE];	/* read-write bits */
	uint8_t w1cmask[PCIE_CFG_SIZE]; /* write-1-to-clear bits */
	struct vtd_cache *devtlb;
	struct vtd_endpoint_stats stats;
	struct pending_access pending[VTD_EP_MAX_PENDING];
	unsigned int outstanding; /* page requests awaiting a response */
	uint16_t next_prgi;
};

/* ---- configuration space ------------------------------------------------ */

static void put16(uint8_t *p, uint16_t off, uint16_t val)
{
	p[off] = (uint8_t)val;
	p[off + 1] = (uint8_t)(val >> 8);
}

static void put32(uint8_t *p, uint16_t off, uint32_t val)
{
	put16(p, off, (uint16_t)val);
	put16(p, off + 2, (uint16_t)(val >> 16));
}

static uint16_t get16(const uint8_t *p, uint16_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t ext_header(uint16_t id, uint16_t next)
{
	return id | 1u << 16 | (uint32_t)next << 20;
}

static void build_header(struct vtd_endpoint *ep)
{
	uint8_t *s = ep->space;

	put16(s, PCIE_VENDOR_ID, ep->cfg.vendor_id);
	put16(s, PCIE_DEVICE_ID, ep->cfg.device_id);
	put16(s, PCIE_STATUS, PCIE_STATUS_CAP_LIST);
	put16(ep->wmask, PCIE_COMMAND,
	      PCIE_COMMAND_MEMORY | PCIE_COMMAND_MASTER);
	put32(s, PCIE_CLASS_REVISION, 0x0b4000u << 8); /* co-processor */
	s[PCIE_CAPABILITY_LIST] = PCIE_EXP_OFFSET;
	s[PCIE_EXP_OFFSET] = PCIE_CAP_ID_EXP;
	put16(s, PCIE_EXP_OFFSET + PCIE_EXP_FLAGS,
	      2 | PCIE_EXP_TYPE_ENDPOINT << 4);
}

static void build_pasid(struct vtd_endpoint *ep, uint16_t next)
{
	uint16_t cap = (uint16_t)(ep->cfg.pasid_width << 8);
	uint16_t ctl = PCIE_PASID_CTRL_ENABLE;

	if (ep->cfg.exec_cap) {
		cap |= PCIE_PASID_CAP_EXEC;
		ctl |= PCIE_PASID_CTRL_EXEC;
	}
	if (ep->cfg.priv_cap) {
		cap |= PCIE_PASID_CAP_PRIV;
		ctl |= PCIE_PASID_CTRL_PRIV;
	}
	put32(ep->space, PASID_OFF, ext_header(PCIE_EXT_CAP_ID_PASID, next));
	put16(ep->space, PASID_OFF + PCIE_PASID_CAP, cap);
	put16(ep->wmask, PASID_OFF + PCIE_PASID_CTRL, ctl);
}

static void build_ats(struct vtd_endpoint *ep, uint16_t next)
{
	/* Page Aligned Request: translation requests carry page addresses
	 * (Linux enables ATS only on functions that set it) */
	uint16_t cap = (uint16_t)PCIE_ATS_CAP_QDEP(ep->cfg.inv_queue_depth) |
		       PCIE_ATS_CAP_PAGE_ALIGNED;

	if (ep->cfg.pasid_cap)
		cap |= PCIE_ATS_CAP_GLOBAL_INV;
	put32(ep->space, ATS_OFF, ext_header(PCIE_EXT_CAP_ID_ATS, next));
	put16(ep->space, ATS_OFF + PCIE_ATS_CAP, cap);
	put16(ep->wmask, ATS_OFF + PCIE_ATS_CTRL,
	      PCIE_ATS_CTRL_ENABLE | PCIE_ATS_CTRL_STU(0x1f));
}

static void build_pri(struct vtd_endpoint *ep)
{
	put32(ep->space, PRI_OFF, ext_header(PCIE_EXT_CAP_ID_PRI, 0));
	put16(ep->wmask, PRI_OFF + PCIE_PRI_CTRL,
	      PCIE_PRI_CTRL_ENABLE | PCIE_PRI_CTRL_RESET);
	put16(ep->w1cmask, PRI_OFF + PCIE_PRI_STATUS,
	      PCIE_PRI_STATUS_RF | PCIE_PRI_STATUS_UPRGI);
	put32(ep->space, PRI_OFF + PCIE_PRI_MAX_REQ, ep->cfg.prq_capacity);
	put32(ep->wmask, PRI_OFF + PCIE_PRI_ALLOC_REQ, 0xffffffffu);
}

static void build_config_space(struct vtd_endpoint *ep)
{
	uint16_t next = 0;

	build_header(ep);
	if (ep->cfg.pri_cap) {
		build_pri(ep);
		next = PRI_OFF;
	}
	if (ep->cfg.ats_cap) {
		build_ats(ep, next);
		next = ATS_OFF;
	}
	if (ep->cfg.pasid_cap) {
		build_pasid(ep, next);
		next = PASID_OFF;
	}
	/* The list starts at 0x100: move the first capability there. */
	if (next && next != PCIE_EXT_CAP_START) {
		memmove(ep->space + PCIE_EXT_CAP_START, ep->space + next, 0x10);
		memmove(ep->wmask + PCIE_EXT_CAP_START, ep->wmask + next, 0x10);
		memmove(ep->w1cmask + PCIE_EXT_CAP_START, ep->w1cmask + next,
			0x10);
		memset(ep->space + next, 0, 0x10);
		memset(ep->wmask + next, 0, 0x10);
		memset(ep->w1cmask + next, 0, 0x10);
	}
}

/* Where capability id lives now (0 if absent). */
static uint16_t cap_offset(const struct vtd_endpoint *ep, uint16_t id)
{
	uint16_t off = PCIE_EXT_CAP_START;
	uint32_t h;
	int n;

	for (n = 0; off && n < 16; n++) {
		h = get16(ep->space, off) | (uint32_t)get16(ep->space, off + 2)
						    << 16;
		if (!h)
			return 0;
		if (PCIE_EXT_CAP_ID(h) == id)
			return off;
		off = (uint16_t)PCIE_EXT_CAP_NEXT(h);
	}
	return 0;
}

static uint16_t cap_reg(const struct vtd_endpoint *ep, uint16_t id,
			uint16_t reg)
{
	uint16_t off = cap_offset(ep, id);

	return off ? get16(ep->space, off + reg) : 0;
}

static bool pasid_enabled(const struct vtd_endpoint *ep)
{
	return cap_reg(ep, PCIE_EXT_CAP_ID_PASID, PCIE_PASID_CTRL) &
	       PCIE_PASID_CTRL_ENABLE;
}

static bool ats_enabled(const struct vtd_endpoint *ep)
{
	return cap_reg(ep, PCIE_EXT_CAP_ID_ATS, PCIE_ATS_CTRL) &
	       PCIE_ATS_CTRL_ENABLE;
}

static uint16_t pri_status(const struct vtd_endpoint *ep)
{
	uint16_t off = cap_offset(ep, PCIE_EXT_CAP_ID_PRI);
	uint16_t st;

	if (!off)
		return 0;
	st = get16(ep->space, off + PCIE_PRI_STATUS);
	if (!(get16(ep->space, off + PCIE_PRI_CTRL) & PCIE_PRI_CTRL_ENABLE) &&
	    !ep->outstanding)
		st |= PCIE_PRI_STATUS_STOPPED;
	if (ep->cfg.pasid_cap)
		st |= PCIE_PRI_STATUS_PASID;
	return st;
}

static bool pri_usable(const struct vtd_endpoint *ep)
{
	uint16_t off = cap_offset(ep, PCIE_EXT_CAP_ID_PRI);
	uint32_t alloc;

	if (!off || !ats_enabled(ep))
		return false;
	if (!(get16(ep->space, off + PCIE_PRI_CTRL) & PCIE_PRI_CTRL_ENABLE))
		return false;
	if (get16(ep->space, off + PCIE_PRI_STATUS) & PCIE_PRI_STATUS_RF)
		return false;
	alloc = get16(ep->space, off + PCIE_PRI_ALLOC_REQ) |
		(uint32_t)get16(ep->space, off + PCIE_PRI_ALLOC_REQ + 2) << 16;
	return ep->outstanding < alloc;
}

uint32_t vtd_endpoint_cfg_read(struct vtd_endpoint *ep, uint16_t off,
			       unsigned int size)
{
	uint16_t pri = cap_offset(ep, PCIE_EXT_CAP_ID_PRI);
	uint32_t val = 0;
	unsigned int i;
	uint8_t b;

	if (size != 1 && size != 2 && size != 4)
		return 0xffffffffu;
	for (i = 0; i < size; i++) {
		uint16_t o = (uint16_t)(off + i);

		if (o >= PCIE_CFG_SIZE)
			return 0xffffffffu;
		b = ep->space[o];
		if (pri && (o == pri + PCIE_PRI_STATUS ||
			    o == pri + PCIE_PRI_STATUS + 1))
			b = (uint8_t)(pri_status(ep) >>
				      (8 * (o - pri - PCIE_PRI_STATUS)));
		val |= (uint32_t)b << (8 * i);
	}
	return val;
}

static void pending_clear_all(struct vtd_endpoint *ep);

static void pri_reset(struct vtd_endpoint *ep, uint16_t pri)
{
	uint16_t ctl = get16(ep->space, pri + PCIE_PRI_CTRL);

	/* Reset clears the outstanding page request state; it reads 0. */
	put16(ep->space, pri + PCIE_PRI_CTRL,
	      (uint16_t)(ctl & ~PCIE_PRI_CTRL_RESET));
	if (!(ctl & PCIE_PRI_CTRL_RESET) || (ctl & PCIE_PRI_CTRL_ENABLE))
		return;
	put16(ep->space, pri + PCIE_PRI_STATUS, 0);
	pending_clear_all(ep);
}

void vtd_endpoint_cfg_write(struct vtd_endpoint *ep, uint16_t off,
			    unsigned int size, uint32_t val)
{
	uint16_t pri = cap_offset(ep, PCIE_EXT_CAP_ID_PRI);
	unsigned int i;

	if (size != 1 && size != 2 && size != 4)
		return;
	for (i = 0; i < size && off + i < PCIE_CFG_SIZE; i++) {
		unsigned int o = off + i;
		uint8_t b = (uint8_t)(val >> (8 * i));

		ep->space[o] = (uint8_t)((ep->space[o] & ~ep->wmask[o]) |
					 (b & ep->wmask[o]));
		ep->space[o] &= (uint8_t) ~(b & ep->w1cmask[o]);
	}
	if (pri && off <= pri + PCIE_PRI_CTRL &&
	    off + size > (unsigned int)(pri + PCIE_PRI_CTRL))
		pri_reset(ep, pri);
}

/* ---- life cycle ------------------------------------------------------- */

void vtd_endpoint_config_init(struct vtd_endpoint_config *cfg, uint16_t sid)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->sid = sid;
	cfg->vendor_id = 0x8086;
	cfg->device_id = 0x0b25;
	cfg->pasid_cap = true;
	cfg->pasid_width = 20;
	cfg->ats_cap = true;
	cfg->inv_queue_depth = 32;
	cfg->pri_cap = true;
	cfg->prq_capacity = 512;
	cfg->devtlb.sets = 16;
	cfg->devtlb.ways = 4;
	cfg->devtlb.repl = VTD_REPL_LRU;
	cfg->inv_latency_ns = 1000;
}

static int check_config(const struct vtd_endpoint_config *c, char *err,
			size_t len)
{
	const struct vtd_cache_geometry *g = &c->devtlb;

	if (c->pasid_cap && (c->pasid_width < 1 || c->pasid_width > 20))
		return snprintf(err, len, "pasid width %u not in 1..20",
				c->pasid_width),
		       -1;
	if (c->ats_cap && (c->inv_queue_depth < 1 || c->inv_queue_depth > 32))
		return snprintf(err, len,
				"invalidate queue depth %u not in 1..32",
				c->inv_queue_depth),
		       -1;
	if (c->pri_cap && !c->ats_cap)
		return snprintf(err, len, "PRI needs ATS"), -1;
	if ((c->exec_cap || c->priv_cap) && !c->pasid_cap)
		return snprintf(err, len, "execute/privileged need PASID"), -1;
	if (g->sets && ((g->sets & (g->sets - 1)) || !g->ways))
		return snprintf(err, len,
				"device-TLB sets must be a power of two and "
				"ways >= 1"),
		       -1;
	if (c->outstanding > VTD_TM_MAX_CREDITS)
		return snprintf(err, len, "outstanding %u not in 1..%u",
				c->outstanding, VTD_TM_MAX_CREDITS),
		       -1;
	return 0;
}

static int list_insert(struct vtd *v, struct vtd_endpoint *ep)
{
	struct vtd_endpoint_list *l = &v->endpoints;
	size_t i;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		void *p = realloc(l->items, cap * sizeof(*l->items));

		if (!p)
			return -1;
		l->items = p;
		l->cap = cap;
	}
	for (i = l->n; i > 0 && l->items[i - 1]->cfg.sid > ep->cfg.sid; i--)
		l->items[i] = l->items[i - 1];
	l->items[i] = ep;
	l->n++;
	return 0;
}

struct vtd_endpoint *vtd_endpoint_create(struct vtd *v,
					 const struct vtd_endpoint_config *cfg,
					 const struct vtd_endpoint_ops *ops,
					 void *opaque, char *err, size_t errlen)
{
	struct vtd_endpoint *ep;

	if (check_config(cfg, err, errlen))
		return NULL;
	if (vtd_endpoint_find(v, cfg->sid)) {
		snprintf(err, errlen, "source ID %04x already has an endpoint",
			 cfg->sid);
		return NULL;
	}
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		goto nomem;
	ep->v = v;
	ep->cfg = *cfg;
	if (ops)
		ep->ops = *ops;
	ep->opaque = opaque;
	ep->devtlb =
		vtd_cache_create(&cfg->devtlb, sizeof(struct devtlb_entry),
				 v->cfg.seed ^ cfg->sid, &ep->stats.devtlb);
	if (!ep->devtlb ||
	    (cfg->outstanding &&
	     vtd_timing_set_outstanding(v, cfg->sid, cfg->outstanding)) ||
	    list_insert(v, ep))
		goto nomem;
	build_config_space(ep);
	return ep;
nomem:
	if (ep)
		vtd_cache_destroy(ep->devtlb);
	free(ep);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

static void inv_complete_event(struct vtd *v, void *obj, uint64_t token);

void vtd_endpoint_destroy(struct vtd_endpoint *ep)
{
	struct vtd_endpoint_list *l;
	size_t i;

	if (!ep)
		return;
	l = &ep->v->endpoints;
	for (i = 0; i < l->n && l->items[i] != ep; i++)
		;
	if (i < l->n) {
		memmove(&l->items[i], &l->items[i + 1],
			(l->n - i - 1) * sizeof(*l->items));
		l->n--;
	}
	vtd_sched_cancel(ep->v, inv_complete_event, ep);
	vtd_cache_destroy(ep->devtlb);
	free(ep);
}

void vtd_endpoints_destroy_all(struct vtd *v)
{
	while (v->endpoints.n)
		vtd_endpoint_destroy(v->endpoints.items[v->endpoints.n - 1]);
	free(v->endpoints.items);
	v->endpoints.items = NULL;
	v->endpoints.cap = 0;
}

struct vtd_endpoint *vtd_endpoint_find(struct vtd *v, uint16_t sid)
{
	const struct vtd_endpoint_list *l = &v->endpoints;
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint16_t s = l->items[mid]->cfg.sid;

		if (s == sid)
			return l->items[mid];
		if (s < sid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint16_t vtd_endpoint_sid(const struct vtd_endpoint *ep)
{
	return ep->cfg.sid;
}

const struct vtd_endpoint_stats *
vtd_endpoint_get_stats(const struct vtd_endpoint *ep)
{
	return &ep->stats;
}

/* ---- device-TLB --------------------------------------------------------- */

static unsigned int size_level(uint64_t size)
{
	if (size >= (1ULL << 30))
		return 3;
	return size >= (1ULL << 21) ? 2 : 1;
}

static uint32_t tag_pasid(bool has_pasid, uint32_t pasid)
{
	return has_pasid ? pasid : VTD_NO_PASID;
}

static struct devtlb_entry *devtlb_find(struct vtd_endpoint *ep, bool has_pasid,
					uint32_t pasid, uint64_t addr,
					unsigned int *level)
{
	struct vtd_cache_key k;
	struct devtlb_entry *e;
	unsigned int l;

	for (l = 1; l <= 3; l++) {
		k = vtd_cache_key_region(0, tag_pasid(has_pasid, pasid), addr,
					 l);
		e = vtd_cache_find(ep->devtlb, &k);
		if (e) {
			*level = l;
			return e;
		}
	}
	return NULL;
}

bool vtd_endpoint_devtlb_probe(struct vtd_endpoint *ep, bool has_pasid,
			       uint32_t pasid, uint64_t addr, uint64_t *pa)
{
	unsigned int level;
	const struct devtlb_entry *e =
		devtlb_find(ep, has_pasid, pasid, addr, &level);

	if (!e)
		return false;
	if (pa)
		*pa = e->pa | (addr & ((1ULL << VTD_LEVEL_SHIFT(level)) - 1));
	return true;
}

static bool entry_allows(const struct devtlb_entry *e,
			 const struct vtd_dev_request *req)
{
	if (req->access != VTD_ACCESS_WRITE && !e->r)
		return false;
	if (req->access != VTD_ACCESS_READ && !e->w)
		return false;
	if (req->exec && !e->exe)
		return false;
	return !req->priv || e->priv;
}

static void devtlb_fill(struct vtd_endpoint *ep,
			const struct vtd_dev_request *req,
			const struct vtd_ats_completion *c)
{
	struct devtlb_entry e = {
		.pa = c->addr,
		.r = c->r,
		.w = c->w,
		.exe = c->exe,
		.priv = c->priv,
		.global = c->global,
	};
	struct vtd_cache_key k =
		vtd_cache_key_region(0, tag_pasid(req->has_pasid, req->pasid),
				     req->addr, size_level(c->size));

	vtd_cache_fill(ep->devtlb, &k, &e);
}

static bool inv_matches(const struct vtd_cache_key *k, const void *data,
			const void *arg)
{
	const struct vtd_devtlb_inv *inv = arg;
	const struct devtlb_entry *e = data;
	uint64_t size = 1ULL << VTD_LEVEL_SHIFT(k->level);

	if (inv->has_pasid && k->pasid != inv->pasid &&
	    !(inv->global && e->global))
		return false;
	if (!inv->size)
		return true;
	return k->addr < inv->addr + inv->size && inv->addr < k->addr + size;
}

/* ---- invalidation ---------------------------------------------------------
 */

static void inv_complete_event(struct vtd *v, void *obj, uint64_t token)
{
	struct vtd_endpoint *ep = obj;

	ep->stats.inv_completions++;
	vtd_inv_queue_devtlb_complete(v, token);
}

void vtd_endpoint_invalidate(struct vtd_endpoint *ep,
			     const struct vtd_devtlb_inv *inv, uint64_t token)
{
	ep->stats.inv_requests++;
	vtd_cache_invalidate(ep->devtlb, inv_matches, inv);
	if (ep->cfg.inv_silent)
		return;
	if (vtd_sched_at(ep->v, vtd_now(ep->v) + ep->cfg.inv_latency_ns,
			 inv_complete_event, ep, token))
		return; /* no room: never completes, the unit times out */
}

/* ---- accesses ------------------------------------------------------------ */

static void to_request(const struct vtd_endpoint *ep,
		       const struct vtd_dev_request *d, struct vtd_request *r)
{
	memset(r, 0, sizeof(*r));
	r->sid = ep->cfg.sid;
	r->has_pasid = d->has_pasid;
	r->pasid = d->pasid;
	r->priv = d->has_pasid && d->priv;
	r->exec = d->has_pasid && d->exec;
	r->access = d->access;
	r->addr = d->addr;
}

static bool enabled_for(const struct vtd_endpoint *ep,
			const struct vtd_dev_request *req)
{
	uint16_t ctl = cap_reg(ep, PCIE_EXT_CAP_ID_PASID, PCIE_PASID_CTRL);

	if (!req->has_pasid)
		return true;
	if (!pasid_enabled(ep) || req->pasid >> ep->cfg.pasid_width)
		return false;
	if (req->exec && !(ctl & PCIE_PASID_CTRL_EXEC))
		return false;
	return !req->priv || (ctl & PCIE_PASID_CTRL_PRIV);
}

static void untranslated(struct vtd_endpoint *ep,
			 const struct vtd_dev_request *req,
			 struct vtd_dev_result *res)
{
	struct vtd_request r;
	struct vtd_result out;

	ep->stats.untranslated_requests++;
	to_request(ep, req, &r);
	vtd_tm_request_tlps(ep->v, req->len, req->access != VTD_ACCESS_READ);
	vtd_tm_slot_acquire(ep->v);
	if (vtd_translate(ep->v, &r, &out)) {
		res->status = VTD_DEV_OK;
		res->addr = out.addr;
	} else {
		res->status = VTD_DEV_FAULT;
		res->fault = out.fault;
	}
	vtd_tm_slot_release(ep->v);
	vtd_tm_data_and_completion(ep->v, req->len,
				   req->access != VTD_ACCESS_READ, out.ok);
}

static void translated(struct vtd_endpoint *ep,
		       const struct vtd_dev_request *req, uint64_t pa,
		       struct vtd_dev_result *res)
{
	struct vtd_request r;
	struct vtd_result out;

	ep->stats.translated_requests++;
	to_request(ep, req, &r);
	r.addr = pa;
	res->used_ats = true;
	vtd_tm_request_tlps(ep->v, req->len, req->access != VTD_ACCESS_READ);
	if (vtd_translated_request(ep->v, &r, &out)) {
		res->status = VTD_DEV_OK;
		res->addr = pa;
	} else {
		res->status = VTD_DEV_TRANSLATED_BLOCKED;
		res->fault = out.fault;
	}
	vtd_tm_data_and_completion(ep->v, req->len,
				   req->access != VTD_ACCESS_READ, out.ok);
}

/* The checker: is what the device-TLB gave still what the tables say? */
static void check_devtlb_hit(struct vtd_endpoint *ep,
			     const struct vtd_dev_request *req,
			     const struct devtlb_entry *e, uint64_t pa)
{
	struct vtd_request r;
	uint8_t perm =
		(uint8_t)((e->r ? VTD_PERM_R : 0) | (e->w ? VTD_PERM_W : 0) |
			  (e->exe ? VTD_PERM_X : 0));

	if (!ep->v->cfg.check_stale)
		return;
	to_request(ep, req, &r);
	vtd_checker_check_devtlb(ep->v, &r, pa, perm);
}

static bool devtlb_hit(struct vtd_endpoint *ep,
		       const struct vtd_dev_request *req,
		       struct vtd_dev_result *res)
{
	const struct devtlb_entry *e;
	unsigned int level;
	uint64_t pa;

	if (!ep->cfg.devtlb.sets)
		return false;
	vtd_tm_charge(ep->v, VTD_LAT_DEVTLB, ep->v->tm.devtlb_ps);
	e = devtlb_find(ep, req->has_pasid, req->pasid, req->addr, &level);
	vtd_cache_count(ep->devtlb, e && entry_allows(e, req));
	if (!e || !entry_allows(e, req))
		return false;
	pa = e->pa | (req->addr & ((1ULL << VTD_LEVEL_SHIFT(level)) - 1));
	res->devtlb_hit = true;
	check_devtlb_hit(ep, req, e, pa);
	translated(ep, req, pa, res);
	return true;
}

static bool cpl_allows(const struct vtd_ats_completion *c,
		       const struct vtd_dev_request *req)
{
	const struct devtlb_entry e = {
		.r = c->r,
		.w = c->w,
		.exe = c->exe,
		.priv = c->priv,
	};

	return entry_allows(&e, req);
}

static bool prgi_busy(const struct vtd_endpoint *ep,
		      const struct vtd_dev_request *req, uint16_t prgi)
{
	unsigned int i;

	for (i = 0; i < VTD_EP_MAX_PENDING; i++) {
		const struct pending_access *p = &ep->pending[i];

		if (p->used && p->prgi == prgi &&
		    p->req.has_pasid == req->has_pasid &&
		    (!req->has_pasid || p->req.pasid == req->pasid))
			return true;
	}
	return false;
}

/* The next PRG index no outstanding group of this PASID uses (a function
 * never has two groups with one index outstanding). */
static uint16_t next_prgi(struct vtd_endpoint *ep,
			  const struct vtd_dev_request *req)
{
	uint16_t prgi = ep->next_prgi;
	unsigned int n;

	for (n = 0; n < 512 && prgi_busy(ep, req, prgi); n++)
		prgi = (uint16_t)((prgi + 1) & 0x1ff);
	ep->next_prgi = (uint16_t)((prgi + 1) & 0x1ff);
	return prgi;
}

static void page_request(struct vtd_endpoint *ep,
			 const struct vtd_dev_request *req, uint16_t prgi)
{
	struct vtd_page_request pr;

	memset(&pr, 0, sizeof(pr));
	pr.sid = ep->cfg.sid;
	pr.has_pasid = req->has_pasid;
	pr.pasid = req->pasid;
	pr.priv = req->has_pasid && req->priv;
	pr.exec = req->has_pasid && req->exec;
	pr.read = req->access != VTD_ACCESS_WRITE;
	pr.write = req->access != VTD_ACCESS_READ;
	pr.addr = req->addr & ~(VTD_PAGE_SIZE - 1);
	pr.prgi = prgi;
	pr.lpig = true;
	ep->stats.page_requests++;
	ep->outstanding++;
	vtd_page_request(ep->v, &pr);
}

static struct pending_access *pending_new(struct vtd_endpoint *ep)
{
	unsigned int i;

	for (i = 0; i < VTD_EP_MAX_PENDING; i++)
		if (!ep->pending[i].used)
			return &ep->pending[i];
	return NULL;
}

/* A translation request and its completion (one 8-byte entry), timed. */
static void ats_translate(struct vtd_endpoint *ep, const struct vtd_request *r,
			  struct vtd_ats_completion *c)
{
	vtd_tm_ats_mark(ep->v, true);
	vtd_tm_link_up(ep->v, 0, 1);
	vtd_tm_slot_acquire(ep->v);
	vtd_ats_translate(ep->v, r, c);
	vtd_tm_slot_release(ep->v);
	vtd_tm_link_down(ep->v, 8, 1);
	vtd_tm_ats_mark(ep->v, false);
}

/* Run one attempt; false when it ended waiting for a page response. */
static bool attempt(struct vtd_endpoint *ep, const struct vtd_dev_request *req,
		    struct vtd_dev_result *res)
{
	struct vtd_ats_completion c;
	struct pending_access *p;
	struct vtd_request r;

	if (!ats_enabled(ep)) {
		untranslated(ep, req, res);
		return true;
	}
	if (devtlb_hit(ep, req, res))
		return true;
	ep->stats.translation_requests++;
	to_request(ep, req, &r);
	r.addr &= ~(uint64_t)(VTD_PAGE_SIZE - 1); /* Page Aligned Request */
	ats_translate(ep, &r, &c);
	res->used_ats = true;
	if (c.status != VTD_ATS_SUCCESS) {
		res->status = VTD_DEV_ATS_FAIL;
		res->fault = c.fault;
		return true;
	}
	if (c.u) {
		untranslated(ep, req, res);
		return true;
	}
	if (cpl_allows(&c, req)) {
		if (ep->cfg.devtlb.sets)
			devtlb_fill(ep, req, &c);
		translated(ep, req, c.addr | (req->addr & (c.size - 1)), res);
		return true;
	}
	res->fault = c.fault;
	p = pri_usable(ep) ? pending_new(ep) : NULL;
	if (!p || res->page_requests >= VTD_EP_MAX_PAGE_REQUESTS) {
		res->status = VTD_DEV_ATS_FAIL;
		return true;
	}
	res->page_requests++;
	res->status = VTD_DEV_PENDING;
	p->prgi = next_prgi(ep, req);
	p->used = true;
	p->req = *req;
	p->res = *res;
	p->tm = ep->v->tm.cur; /* its script goes on with the response */
	page_request(ep, req, p->prgi);
	return false;
}

static void finish_timing(struct vtd_endpoint *ep, struct vtd_tm_req *t,
			  struct vtd_tm_req *prev,
			  const struct vtd_dev_request *req,
			  const struct vtd_dev_result *res, bool done);

bool vtd_endpoint_access(struct vtd_endpoint *ep,
			 const struct vtd_dev_request *req,
			 struct vtd_dev_result *res)
{
	struct vtd_dev_request r = *req;
	struct vtd_tm_req *t, *prev;
	bool done = true;

	memset(res, 0, sizeof(*res));
	res->tag = req->tag;
	ep->stats.accesses++;
	if (!r.len)
		r.len = 64;
	t = vtd_tm_begin(ep->v, ep->cfg.sid, r.ready_ps, r.cookie, &prev);
	if (!enabled_for(ep, &r))
		res->status = VTD_DEV_NOT_ENABLED;
	else
		done = attempt(ep, &r, res);
	finish_timing(ep, t, prev, &r, res, done);
	return done;
}

/* The access's script: what the host gets when it completes, then its
 * end (or, waiting for a page group response, a pause). */
static void finish_timing(struct vtd_endpoint *ep, struct vtd_tm_req *t,
			  struct vtd_tm_req *prev,
			  const struct vtd_dev_request *req,
			  const struct vtd_dev_result *res, bool done)
{
	struct vtd_timing *i;

	if (!t) {
		ep->v->tm.cur = prev;
		return;
	}
	if (!done) {
		vtd_tm_suspend(ep->v, prev);
		return;
	}
	i = vtd_tm_info(t);
	i->endpoint = true;
	i->status = (uint8_t)res->status;
	i->ok = res->status == VTD_DEV_OK;
	i->has_pasid = req->has_pasid;
	i->pasid = req->has_pasid ? req->pasid : 0;
	i->write = req->access != VTD_ACCESS_READ;
	i->addr = req->addr;
	i->bytes = req->len;
	vtd_tm_end(ep->v, prev);
}

/* The response reached the unit now: the message to the device and its
 * retry, charged to the page request. */
static struct vtd_tm_req *resume(struct vtd_endpoint *ep,
				 struct pending_access *p)
{
	struct vtd_tm_req *prev = vtd_tm_resume(ep->v, p->tm);

	vtd_tm_link_down(ep->v, 0, 1);
	vtd_tm_charge(ep->v, VTD_LAT_PRQ, ep->v->tm.retry_ps);
	return prev;
}

/* A page request the device sends on a trace's behalf: when it ends its
 * group, the group is outstanding until its response, which nothing
 * retries. */
void vtd_endpoint_send_page_request(struct vtd_endpoint *ep,
				    const struct vtd_page_request *pr)
{
	unsigned int i;

	for (i = 0; pr->lpig && i < VTD_EP_MAX_PENDING; i++) {
		struct pending_access *p = &ep->pending[i];

		if (p->used)
			continue;
		memset(p, 0, sizeof(*p));
		p->used = p->raw = true;
		p->prgi = pr->prgi & 0x1ff;
		p->req.has_pasid = pr->has_pasid;
		p->req.pasid = pr->pasid;
		break;
	}
	ep->stats.page_requests++;
	vtd_page_request(ep->v, pr);
}

static void pending_clear_all(struct vtd_endpoint *ep)
{
	memset(ep->pending, 0, sizeof(ep->pending));
	ep->outstanding = 0;
}

/*
 * The outstanding group a page group response answers (PCIe 10.4.2). The
 * function advertises "PRG Response PASID Required" when it has a PASID
 * capability: then a response carries the PASID of its group's requests
 * when they had one, and none when they had none, and the function matches
 * on both the PRG index and the PASID. Without it, responses carry no PASID
 * and match on the index alone.
 */
static struct pending_access *pending_find(struct vtd_endpoint *ep,
					   bool has_pasid, uint32_t pasid,
					   uint16_t prgi)
{
	struct pending_access *p;
	unsigned int i;

	for (i = 0; i < VTD_EP_MAX_PENDING; i++) {
		p = &ep->pending[i];
		if (!p->used || p->prgi != prgi)
			continue;
		if (!ep->cfg.pasid_cap)
			return has_pasid ? NULL : p;
		if (has_pasid == p->req.has_pasid &&
		    (!has_pasid || p->req.pasid == pasid))
			return p;
	}
	return NULL;
}

/* Why a response matches no group, for the report. */
static void bad_response(struct vtd_endpoint *ep, bool has_pasid,
			 uint32_t pasid, uint16_t prgi, unsigned int code,
			 const char *what)
{
	const struct pending_access *p = NULL;
	char why[200], req[48] = "";
	unsigned int i;

	ep->stats.bad_page_responses++;
	for (i = 0; i < VTD_EP_MAX_PENDING && !p; i++)
		if (ep->pending[i].used && ep->pending[i].prgi == prgi)
			p = &ep->pending[i];
	if (p && p->req.has_pasid)
		snprintf(req, sizeof(req), "; its request has PASID %u",
			 p->req.pasid);
	else if (p)
		snprintf(req, sizeof(req), "; its request has no PASID");
	if (has_pasid)
		snprintf(why, sizeof(why),
			 "%s: PRG index %u PASID %u code %#x%s", what, prgi,
			 pasid, code, req);
	else
		snprintf(why, sizeof(why),
			 "%s: PRG index %u no PASID code %#x%s", what, prgi,
			 code, req);
	if (ep->ops.bad_response)
		ep->ops.bad_response(ep->opaque, ep, why);
}

static void set_pri_status(struct vtd_endpoint *ep, uint16_t bit)
{
	uint16_t pri = cap_offset(ep, PCIE_EXT_CAP_ID_PRI);

	if (pri)
		put16(ep->space, pri + PCIE_PRI_STATUS,
		      get16(ep->space, pri + PCIE_PRI_STATUS) | bit);
}

void vtd_endpoint_page_response(struct vtd_endpoint *ep, bool has_pasid,
				uint32_t pasid, uint16_t prgi,
				unsigned int resp_code)
{
	struct pending_access *p =
		pending_find(ep, has_pasid, pasid, prgi & 0x1ff);
	struct vtd_tm_req *t, *prev;
	struct vtd_dev_request req;
	struct vtd_dev_result res;

	ep->stats.page_responses[resp_code & 0xf]++;
	if (!p) {
		set_pri_status(ep, PCIE_PRI_STATUS_UPRGI);
		bad_response(ep, has_pasid, pasid, prgi & 0x1ff, resp_code,
			     "page group response for no outstanding group");
		return;
	}
	if (resp_code != PCIE_PRG_RESP_SUCCESS &&
	    resp_code != PCIE_PRG_RESP_INVALID &&
	    resp_code != PCIE_PRG_RESP_FAILURE) {
		/* a reserved code: the group ends as Response Failure */
		bad_response(ep, has_pasid, pasid, prgi & 0x1ff, resp_code,
			     "page group response with a reserved code");
		resp_code = PCIE_PRG_RESP_FAILURE;
	}
	if (p->raw) {
		p->used = false;
		return;
	}
	req = p->req;
	res = p->res;
	p->used = false;
	if (ep->outstanding)
		ep->outstanding--;
	res.resp_code = (uint8_t)resp_code;
	t = p->tm;
	prev = resume(ep, p);
	if (resp_code == PCIE_PRG_RESP_SUCCESS) {
		if (!attempt(ep, &req, &res)) {
			finish_timing(ep, t, prev, &req, &res, false);
			return; /* waiting again */
		}
	} else {
		if (resp_code == PCIE_PRG_RESP_FAILURE)
			set_pri_status(ep, PCIE_PRI_STATUS_RF);
		res.status = VTD_DEV_PRQ_FAIL;
	}
	finish_timing(ep, t, prev, &req, &res, true);
	if (ep->ops.done)
		ep->ops.done(ep->opaque, ep, &res);
}

const char *vtd_dev_status_name(enum vtd_dev_status s)
{
	static const char *const names[] = {
		[VTD_DEV_OK] = "ok",
		[VTD_DEV_PENDING] = "pending",
		[VTD_DEV_FAULT] = "fault",
		[VTD_DEV_ATS_FAIL] = "ats-fail",
		[VTD_DEV_PRQ_FAIL] = "prq-fail",
		[VTD_DEV_TRANSLATED_BLOCKED] = "translated-blocked",
		[VTD_DEV_NOT_ENABLED] = "not-enabled",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s]
								  : "?";
}
