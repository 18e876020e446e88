// SPDX-License-Identifier: MIT
/*
 * Queued invalidation (spec rev 5.10, 6.5.2; registers 11.4.9).
 *
 * The invalidation queue is a ring of 2^QS 4 KiB pages at IQA_REG.IQA
 * holding 128-bit (IQA_REG.DW=0) or 256-bit (DW=1) descriptors. IQH and IQT
 * hold byte offsets (bits 18:4). Hardware fetches descriptors from IQH while
 * GSTS.QIES is set, the queue is not empty and neither FSTS.IQE nor
 * FSTS.ITE is set. The model executes each descriptor completely before it
 * fetches the next, except device-TLB invalidations (below), so every
 * descriptor ahead of an invalidation wait descriptor is complete when the
 * wait completes and the fence (FN) is always satisfied.
 * With timing.qi.async the fetches are spread over model time, one
 * descriptor after another (see qi_schedule below); the order is the same.
 *
 * IQH moves past a descriptor once it has been fetched and found valid
 * (6.5.2: "incremented ... after verifying the fetched descriptor to be
 * valid"), before its effects; a wait that is held (below) keeps IQH on
 * it. A descriptor in error leaves IQH on it, records IQERCD.IQEI and sets
 * FSTS.IQE (6.5.2.11).
 *
 * Everything is re-read from the registers at each step, so a host that
 * writes IQT from inside a callback (an interrupt handler) re-enters
 * safely, and the loop is bounded by the number of queue entries.
 *
 * Device-TLB invalidation (6.5.2.5, 6.5.2.6) is the exception: the ATS
 * Invalidate Request goes to the endpoint at the descriptor's SID and
 * completes when the endpoint answers (vtd_inv_queue_devtlb_complete),
 * possibly much later on the unit's clock. The rules the model follows:
 *
 *  - Device-TLB invalidations are posted: the descriptors after one are
 *    processed at once, IOTLB, context-cache and further device-TLB
 *    invalidations included. Only an invalidation wait orders them
 *    (6.5.2.8: the wait completes after every descriptor before it).
 *  - An invalidation wait with device-TLB invalidations outstanding is
 *    held: no status write, no IWC, no interrupt. IQH stays on it and
 *    nothing behind it is fetched (the model fences every such wait; FN=0
 *    would allow more, so this is a permitted, stricter order). When the
 *    last outstanding request completes, the wait completes, IQH moves
 *    past it and the queue runs on to IQT.
 *  - Each request has a deadline, now + cfg.devtlb_inv_timeout_ns. A
 *    completion due at the deadline itself is in time. At the deadline
 *    the unit reports ITE (IQERCD.ITESID = the request's SID if ITE was
 *    clear, FSTS.ITE, fault event) and forgets the request. Pending
 *    invalidation waits are aborted: the held wait is consumed without its
 *    status write or interrupt and IQH moves past it, so software that
 *    looks for unfinished waits behind IQH (Linux qi_check_fault marks
 *    every QI_IN_USE slot in [IQT, IQH) as aborted and resubmits) sees it
 *    aborted. Fetching stops until software clears ITE and then resumes at
 *    IQH. Requests to other endpoints still outstanding stay outstanding:
 *    only the waits are aborted, their completions remain valid.
 *  - No endpoint at the SID: the request is never answered, so it times
 *    out at its deadline (ITE), as a message to an absent function would.
 *  - A completion for a request that already timed out is an unexpected
 *    completion (its ITag was retired): ICE, IQERCD.ICESID = its SID
 *    (FSTS.ICE description, 11.4.9.x). The unit remembers the last
 *    IQ_LATE_RECORDS timed-out requests for this; a completion matching
 *    nothing (older, or from before a reset) is discarded.
 *  - At most one outstanding request per queue entry: a device-TLB
 *    descriptor that would exceed that waits at IQH until one retires.
 *  - MIP (a throttling hint) and PFSID (for ECAP.DIT throttling) are
 *    decoded by the checks but do not change the model's behaviour.
 */
#include <stdlib.h>
#include <string.h>

#include <vtdsim/endpoint.h>

#include "inv_queue.h"

#define IQ_PAGE_SIZE 4096ULL
#define IQERCD_IQEI  VTD_GENMASK(3, 0)

/* Reserved fields: descriptor types 1..9, qw0..qw3 (qw2/qw3 only with
 * DW=1). Figures 6-1..6-9 and 7-2. Fields reserved only without a
 * capability (PFSID, PD) are added in desc_rsvd(). */
static const uint64_t rsvd_mask[][4] = {
	[VTD_QI_CC] = {VTD_QI_CC_RSVD0, ~0ULL, ~0ULL, ~0ULL},
	[VTD_QI_IOTLB] = {VTD_QI_IOTLB_RSVD0, VTD_QI_ADDR_RSVD1, ~0ULL, ~0ULL},
	/* 8:4, 31:21 and 51:48; qw1 11:1 */
	[VTD_QI_DIOTLB] = {VTD_GENMASK(8, 4) | VTD_GENMASK(31, 21) |
				   VTD_GENMASK(51, 48),
			   VTD_GENMASK(11, 1), ~0ULL, ~0ULL},
	/* 8:5, 26:12 and 63:48; qw1 all */
	[VTD_QI_IEC] = {VTD_GENMASK(8, 5) | VTD_GENMASK(26, 12) |
				VTD_GENMASK(63, 48),
			~0ULL, ~0ULL, ~0ULL},
	/* qw1 bits above HAW are ignored, not reserved */
	[VTD_QI_IWD] = {VTD_QI_IWD_RSVD0, VTD_QI_IWD_RSVD1, ~0ULL, ~0ULL},
	[VTD_QI_PIOTLB] = {VTD_QI_PIOTLB_RSVD0, VTD_QI_ADDR_RSVD1, ~0ULL,
			   ~0ULL},
	[VTD_QI_PC] = {VTD_QI_PC_RSVD0, ~0ULL, ~0ULL, ~0ULL},
	/* qw0 has no reserved bit; qw1 10:1 */
	[VTD_QI_PDIOTLB] = {0, VTD_GENMASK(10, 1), ~0ULL, ~0ULL},
	/* 8:5 and 63:52; qw1 1:0 and 63:12 (bit 2, once LPIG, is ignored);
	 * rev 4.0 removed Private Data: bit 5 (PDP) and qw2/qw3 are reserved
	 * unless VER reports 3.x or earlier (desc_rsvd) */
	[VTD_QI_PGRP_RESP] = {VTD_GENMASK(8, 5) | VTD_GENMASK(63, 52),
			      VTD_GENMASK(1, 0) | VTD_GENMASK(63, 12), ~0ULL,
			      ~0ULL},
};

#define PFSID_MASK (VTD_GENMASK(15, 12) | VTD_GENMASK(63, 52))

struct inv_desc {
	uint64_t qw[4];
	unsigned int type;
	bool wide; /* 256-bit descriptor */
};

/* ---- device-TLB invalidation state (v->inv_queue_state) */

/* An ATS Invalidate Request sent and not yet completed or timed out. */
struct devtlb_pending {
	struct devtlb_pending *prev, *next;
	uint64_t token;
	uint16_t sid;
};

#define IQ_LATE_RECORDS 32

enum iq_block {
	IQ_RUNNING,
	IQ_HOLD_WAIT, /* a wait at IQH waits for outstanding requests */
	IQ_HOLD_FULL, /* a device-TLB descriptor at IQH waits for room */
};

struct iq_state {
	struct devtlb_pending *head, *tail; /* outstanding, oldest first */
	struct devtlb_pending *free;	    /* allocated, not in use */
	size_t n;			    /* outstanding */
	uint64_t next_token;		    /* never 0 */
	enum iq_block block;
	struct inv_desc held; /* the wait, while IQ_HOLD_WAIT */
	uint64_t held_head;   /* its offset in the queue */
	struct {
		uint64_t token; /* 0: empty */
		uint16_t sid;
	} late[IQ_LATE_RECORDS];
	unsigned int late_next;
	bool step_due; /* timing.qi.async: the next step is scheduled */
};

/* ---- queue geometry */

static bool iq_wide(const struct vtd *v)
{
	return v->regs.iqa & VTD_IQA_DW;
}

static uint64_t iq_desc_size(const struct vtd *v)
{
	return iq_wide(v) ? 32 : 16;
}

static uint64_t iq_bytes(const struct vtd *v)
{
	return IQ_PAGE_SIZE << VTD_IQA_QS(v->regs.iqa);
}

static uint64_t iq_tail(const struct vtd *v)
{
	return v->regs.iqt & VTD_IQ_PTR_MASK;
}

/* IQH as an aligned offset inside the queue (IQA may have been rewritten
 * under an enabled queue; hardware behaviour is then undefined, the model
 * stays inside the ring). */
static uint64_t iq_head(const struct vtd *v)
{
	uint64_t h = v->regs.iqh & VTD_IQ_PTR_MASK;

	return h & (iq_bytes(v) - 1) & ~(iq_desc_size(v) - 1);
}

static unsigned int ttm(const struct vtd *v)
{
	return (unsigned int)VTD_RTADDR_TTM(v->regs.rtaddr_active);
}

static uint16_t did_of(const struct vtd *v, uint64_t qw0)
{
	/* Hardware ignores DID bits beyond the CAP.ND domain-id width. */
	unsigned int nd = (unsigned int)VTD_CAP_ND(v->regs.cap);
	unsigned int bits = nd >= 6 ? 16 : 4 + 2 * nd;

	return (uint16_t)(VTD_QI_DID(qw0) & ((1u << bits) - 1));
}

/* ---- errors */

static bool iq_error(struct vtd *v, unsigned int iqei)
{
	v->regs.iqercd = (v->regs.iqercd & ~IQERCD_IQEI) | iqei;
	v->stats.inv_errors++;
	vtd_fault_set_status(v, VTD_FSTS_IQE);
	return false;
}

void vtd_inv_queue_devtlb_timeout(struct vtd *v, uint16_t sid)
{
	if (!(v->regs.fsts & VTD_FSTS_ITE))
		v->regs.iqercd = (v->regs.iqercd & ~VTD_GENMASK(47, 32)) |
				 ((uint64_t)sid << VTD_IQERCD_ITESID_SHIFT);
	v->stats.inv_errors++;
	vtd_fault_set_status(v, VTD_FSTS_ITE);
}

void vtd_inv_queue_devtlb_completion_error(struct vtd *v, uint16_t sid)
{
	if (!(v->regs.fsts & VTD_FSTS_ICE))
		v->regs.iqercd = (v->regs.iqercd & ~VTD_GENMASK(63, 48)) |
				 ((uint64_t)sid << VTD_IQERCD_ICESID_SHIFT);
	v->stats.inv_errors++;
	vtd_fault_set_status(v, VTD_FSTS_ICE);
}

/* ---- validation */

/* Table 26: descriptor types valid in the current TTM (DW already
 * checked), and the capabilities some types need. */
static bool type_valid(const struct vtd *v, unsigned int type)
{
	uint64_t ecap = v->regs.ecap;

	if (type < VTD_QI_CC || type > VTD_QI_PGRP_RESP)
		return false; /* includes HPT (Ah): HPT not supported */
	if (ttm(v) == VTD_RTADDR_TTM_LEGACY && type > VTD_QI_IWD)
		return false;
	if ((type == VTD_QI_DIOTLB || type == VTD_QI_PDIOTLB) &&
	    !(ecap & VTD_ECAP_DT))
		return false;
	if (type == VTD_QI_PGRP_RESP && !(ecap & VTD_ECAP_PRS))
		return false;
	return true;
}

static uint64_t desc_rsvd(const struct vtd *v, unsigned int type,
			  unsigned int i)
{
	uint64_t m = rsvd_mask[type][i];

	if (i == 0 && (type == VTD_QI_DIOTLB || type == VTD_QI_PDIOTLB) &&
	    !(v->regs.ecap & VTD_ECAP_DIT))
		m |= PFSID_MASK;
	if (i == 0 && type == VTD_QI_IWD && !(v->regs.ecap & VTD_ECAP_PDS))
		m |= VTD_QI_IWD_PD;
	if (type == VTD_QI_PGRP_RESP && vtd_prq_private_data(v)) {
		/* 3.x: PDP (qw0 bit 5) and Private Data (qw2, qw3) */
		if (i == 0)
			m &= ~VTD_QI_PGRP_PDP;
		else if (i >= 2)
			m = 0;
	}
	return m;
}

/* Granularity and address-mask values the descriptor may not use. */
static bool fields_valid(const struct vtd *v, const struct inv_desc *d)
{
	unsigned int g = (unsigned int)VTD_QI_G(d->qw[0]);

	switch (d->type) {
	case VTD_QI_CC:
		return g != 0;
	case VTD_QI_IOTLB:
		if (g == 0)
			return false;
		/*
		 * Page-selective needs CAP.PSI (6.5.2.3). An AM above
		 * CAP.MAMV is not supported by the hardware; the spec gives
		 * no rule for the descriptor, the model reports it as a
		 * reserved-field violation (like IAIG=00b for IVA_REG).
		 */
		if (g == VTD_QI_IOTLB_G_PAGE &&
		    (!(v->regs.cap & VTD_CAP_PSI) ||
		     VTD_QI_AM(d->qw[1]) > VTD_CAP_MAMV(v->regs.cap)))
			return false;
		return true;
	case VTD_QI_PIOTLB:
		return g == VTD_QI_PIOTLB_G_PASID || g == VTD_QI_PIOTLB_G_PAGE;
	case VTD_QI_PC:
		return g != 2;
	default:
		return true;
	}
}

/* 0 if the descriptor may be executed, else the IQEI value. */
static unsigned int desc_check(const struct vtd *v, const struct inv_desc *d)
{
	unsigned int i, n = d->wide ? 4 : 2;

	if (!type_valid(v, d->type))
		return VTD_IQEI_TYPE;
	for (i = 0; i < n; i++)
		if (d->qw[i] & desc_rsvd(v, d->type, i))
			return VTD_IQEI_RSVD;
	if (!fields_valid(v, d))
		return VTD_IQEI_RSVD;
	return 0;
}

/* Conditions of the queue itself, checked before a fetch. */
static unsigned int queue_check(const struct vtd *v)
{
	uint64_t tail = iq_tail(v);
	bool wide_ok = v->regs.ecap & (VTD_ECAP_SMTS | VTD_IQ_ECAP_ADMS);

	if (iq_wide(v) && (tail & VTD_BIT(4)))
		return VTD_IQ_IQEI_TAIL_ALIGN;
	if (tail >= iq_bytes(v))
		return VTD_IQ_IQEI_TAIL;
	if (ttm(v) == VTD_IQ_TTM_RESERVED)
		return VTD_IQ_IQEI_TTM;
	/* 128-bit descriptors are invalid in scalable and abort-DMA mode;
	 * 256-bit ones need SMTS or ADMS (11.4.9.9, IQEI 5). */
	if (iq_wide(v) ? !wide_ok : ttm(v) != VTD_RTADDR_TTM_LEGACY)
		return VTD_IQEI_DW;
	return 0;
}

/* ---- descriptor execution */

static void exec_cc(struct vtd *v, const struct inv_desc *d)
{
	uint64_t q = d->qw[0];

	vtd_context_cache_invalidate(v, (unsigned int)VTD_QI_G(q), did_of(v, q),
				     (uint16_t)VTD_QI_CC_SID(q),
				     (unsigned int)VTD_QI_CC_FM(q));
}

/* Address of a page-selective invalidation, size-aligned to 2^AM pages:
 * AM masks the low-order address bits (Table 22). */
static uint64_t inv_addr(uint64_t qw1, uint64_t limit_mask)
{
	unsigned int am = (unsigned int)VTD_QI_AM(qw1);
	uint64_t addr = qw1 & VTD_QI_ADDR_MASK & limit_mask;

	if (am >= 52)
		return 0;
	return addr & ~((VTD_PAGE_SIZE << am) - 1);
}

static void exec_iotlb(struct vtd *v, const struct inv_desc *d)
{
	unsigned int g = (unsigned int)VTD_QI_G(d->qw[0]);
	unsigned int mgaw = (unsigned int)VTD_CAP_MGAW(v->regs.cap);
	uint64_t lim = mgaw >= 64 ? ~0ULL : (1ULL << mgaw) - 1;
	bool page = g == VTD_QI_IOTLB_G_PAGE;

	/* DR/DW: the model has no posted requests to drain. Hardware
	 * ignores ADDR bits above MGAW. IH only for page-selective. */
	vtd_iotlb_invalidate(v, g, did_of(v, d->qw[0]),
			     page ? inv_addr(d->qw[1], lim) : 0,
			     page ? (unsigned int)VTD_QI_AM(d->qw[1]) : 0,
			     page && (d->qw[1] & VTD_QI_IH));
}

static void exec_piotlb(struct vtd *v, const struct inv_desc *d)
{
	unsigned int g = (unsigned int)VTD_QI_G(d->qw[0]);
	bool page = g == VTD_QI_PIOTLB_G_PAGE;

	vtd_piotlb_invalidate(v, g, did_of(v, d->qw[0]),
			      (uint32_t)VTD_QI_PASID(d->qw[0]),
			      page ? inv_addr(d->qw[1], ~0ULL) : 0,
			      page ? (unsigned int)VTD_QI_AM(d->qw[1]) : 0,
			      page && (d->qw[1] & VTD_QI_IH));
}

static void exec_pc(struct vtd *v, const struct inv_desc *d)
{
	uint64_t q = d->qw[0];

	vtd_pasid_cache_invalidate(v, (unsigned int)VTD_QI_G(q), did_of(v, q),
				   (uint32_t)VTD_QI_PASID(q));
}

/* ---- device-TLB invalidation */

static uint64_t iq_entries(const struct vtd *v)
{
	return iq_bytes(v) / iq_desc_size(v);
}

static struct iq_state *iq_state(struct vtd *v)
{
	struct iq_state *s = v->inv_queue_state;

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		s->next_token = 1;
		v->inv_queue_state = s;
	}
	return s;
}

static struct devtlb_pending *pending_find(struct iq_state *s, uint64_t token)
{
	struct devtlb_pending *p;

	for (p = s->head; p; p = p->next)
		if (p->token == token)
			return p;
	return NULL;
}

/* A new outstanding request at the tail, or NULL without memory. */
static struct devtlb_pending *pending_new(struct iq_state *s, uint16_t sid)
{
	struct devtlb_pending *p = s->free;

	if (p)
		s->free = p->next;
	else if (!(p = malloc(sizeof(*p))))
		return NULL;
	p->token = s->next_token++;
	p->sid = sid;
	p->next = NULL;
	p->prev = s->tail;
	if (s->tail)
		s->tail->next = p;
	else
		s->head = p;
	s->tail = p;
	s->n++;
	return p;
}

static void pending_retire(struct iq_state *s, struct devtlb_pending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		s->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		s->tail = p->prev;
	s->n--;
	p->next = s->free;
	s->free = p;
}

static void devtlb_timeout_event(struct vtd *v, void *obj, uint64_t arg);

static int count_trailing_zeros(uint64_t x)
{
	int n = 0;

	while (!(x & 1)) {
		x >>= 1;
		n++;
	}
	return n;
}

bool vtd_inv_queue_devtlb_decode(uint64_t qw0, uint64_t qw1, uint16_t *sid,
				 struct vtd_devtlb_inv *inv)
{
	unsigned int type = (unsigned int)VTD_QI_TYPE(qw0);
	uint64_t addr = qw1 & VTD_QI_ADDR_MASK, zeros;
	bool s;
	int b;

	memset(inv, 0, sizeof(*inv));
	if (type == VTD_QI_DIOTLB) {
		*sid = (uint16_t)VTD_QI_DIOTLB_SID(qw0);
		s = qw1 & VTD_QI_DIOTLB_S;
	} else if (type == VTD_QI_PDIOTLB) {
		*sid = (uint16_t)VTD_QI_PDIOTLB_SID(qw0);
		inv->has_pasid = true;
		inv->pasid = (uint32_t)VTD_QI_PASID(qw0);
		inv->global = qw1 & VTD_QI_PDIOTLB_G;
		s = qw1 & VTD_QI_PDIOTLB_S;
	} else {
		return false;
	}
	if (!s) {
		inv->addr = addr;
		inv->size = VTD_PAGE_SIZE;
		return true;
	}
	zeros = ~addr & VTD_QI_ADDR_MASK;
	b = zeros ? count_trailing_zeros(zeros) : 63;
	if (b >= 63) {
		inv->addr = 0;
		inv->size = 0; /* the whole address space */
		return true;
	}
	inv->size = 1ULL << (b + 1);
	inv->addr = addr & ~(inv->size - 1);
	return true;
}

/* A function without an endpoint model: the request goes to the host. */
static void devtlb_message(struct vtd *v, uint16_t sid,
			   const struct vtd_devtlb_inv *inv, uint64_t token)
{
	struct vtd_ep_message m;

	if (!v->ops.ep_message)
		return;
	memset(&m, 0, sizeof(m));
	m.type = VTD_EP_MSG_DEVTLB_INV;
	m.sid = sid;
	m.has_pasid = inv->has_pasid;
	m.pasid = inv->pasid;
	m.global = inv->global;
	m.addr = inv->addr;
	m.size = inv->size;
	m.token = token;
	v->ops.ep_message(v->opaque, &m);
}

static void inv_done_event(struct vtd *v, void *obj, uint64_t token)
{
	(void)obj;
	vtd_inv_queue_devtlb_complete(v, token);
}

void vtd_devtlb_inv_done(struct vtd *v, uint64_t token, uint64_t delay_ns)
{
	uint64_t due = vtd_now(v) + delay_ns;

	if (!delay_ns || due < delay_ns ||
	    vtd_sched_at(v, due, inv_done_event, NULL, token))
		vtd_inv_queue_devtlb_complete(v, token); /* now: no room */
}

/*
 * dev_tlb_inv_dsc / p_dev_tlb_inv_dsc: send the ATS Invalidate Request to
 * the endpoint and arm its time-out. The endpoint may complete it from
 * inside vtd_endpoint_invalidate(); the time-out is armed after that call,
 * so a completion the endpoint schedules for the deadline itself runs
 * first.
 */
static void exec_devtlb(struct vtd *v, const struct inv_desc *d)
{
	struct iq_state *s = iq_state(v);
	struct vtd_devtlb_inv inv;
	struct devtlb_pending *p;
	struct vtd_endpoint *ep;
	uint64_t token, due;
	uint16_t sid;

	if (!vtd_inv_queue_devtlb_decode(d->qw[0], d->qw[1], &sid, &inv))
		return;
	p = s ? pending_new(s, sid) : NULL;
	if (!p) {
		/* Out of memory: the request cannot be tracked, so it can
		 * never be seen complete. Report it as timed out. */
		vtd_inv_queue_devtlb_timeout(v, sid);
		return;
	}
	token = p->token;
	ep = vtd_endpoint_find(v, sid);
	if (ep)
		vtd_endpoint_invalidate(ep, &inv, token);
	else
		devtlb_message(v, sid, &inv, token);
	if (pending_find(s, token) != p)
		return; /* completed already */
	due = vtd_now(v) + v->cfg.devtlb_inv_timeout_ns;
	if (due < vtd_now(v))
		due = UINT64_MAX;
	if (vtd_sched_at(v, due, devtlb_timeout_event, p, 0)) {
		/* No room for the time-out: as if it had expired. */
		pending_retire(s, p);
		vtd_inv_queue_devtlb_timeout(v, sid);
	}
}

/* Status write: a DWORD, little-endian, to Status Address[HAW-1:2]. */
static void wait_status_write(struct vtd *v, const struct inv_desc *d)
{
	uint32_t data = (uint32_t)VTD_QI_IWD_SDATA(d->qw[0]);
	uint64_t addr = d->qw[1] & VTD_QI_IWD_SADDR_MASK & vtd_haw_mask(v);
	uint8_t buf[4];
	unsigned int i;

	for (i = 0; i < 4; i++)
		buf[i] = (uint8_t)(data >> (8 * i));
	/* A status address not routable to memory: behaviour undefined
	 * (6.5.2.9). The model drops the write and completes the wait. */
	(void)vtd_mem_write(v, addr, buf, sizeof(buf), VTD_ST_INV_STATUS);
}

static void exec_wait(struct vtd *v, const struct inv_desc *d)
{
	/* FN: every earlier descriptor is already complete (a wait behind
	 * outstanding device-TLB invalidations is held, not executed). PD: page
	 * requests are written to the PRQ synchronously, so they are
	 * already visible. The status write comes before the interrupt. */
	if (d->qw[0] & VTD_QI_IWD_SW)
		wait_status_write(v, d);
	if (!(d->qw[0] & VTD_QI_IWD_IF))
		return;
	/* 6.5.2.10: IWC already set means an interrupt condition not yet
	 * serviced: no new event. */
	if (v->regs.ics & VTD_ICS_IWC)
		return;
	v->regs.ics |= VTD_ICS_IWC;
	vtd_event_raise(v, VTD_IRQ_INV_COMPLETE);
}

/* The wait's work is done: status write, interrupt, its latency. */
static void complete_wait(struct vtd *v, const struct inv_desc *d)
{
	exec_wait(v, d);
	vtd_tm_qi_wait_done(v);
}

static void desc_exec(struct vtd *v, const struct inv_desc *d)
{
	switch (d->type) {
	case VTD_QI_CC:
		exec_cc(v, d);
		break;
	case VTD_QI_IOTLB:
		exec_iotlb(v, d);
		break;
	case VTD_QI_DIOTLB:
	case VTD_QI_PDIOTLB:
		exec_devtlb(v, d);
		break;
	case VTD_QI_IWD:
		complete_wait(v, d);
		break;
	case VTD_QI_PIOTLB:
		exec_piotlb(v, d);
		break;
	case VTD_QI_PC:
		exec_pc(v, d);
		break;
	case VTD_QI_PGRP_RESP:
		/* The page request engine routes it to the endpoint. */
		vtd_prq_page_group_response(v, d->qw);
		break;
	default:
		/* IEC: no interrupt remapping model, nothing cached. */
		break;
	}
}

/* ---- the fetch loop */

/* A hold is stale once the queue it was taken in is gone: QI disabled
 * (IQH back to 0 and any held descriptor abandoned, as regfile.c does). */
static bool hold_valid(const struct vtd *v, const struct iq_state *s)
{
	if (!(v->regs.gsts & VTD_GSTS_QIES))
		return false;
	if (s->block == IQ_HOLD_WAIT)
		return (v->regs.iqh & VTD_IQ_PTR_MASK) == s->held_head;
	return true;
}

static bool can_fetch(const struct vtd *v)
{
	const struct iq_state *s = v->inv_queue_state;

	if (!(v->regs.gsts & VTD_GSTS_QIES))
		return false;
	if (v->regs.fsts & (VTD_FSTS_IQE | VTD_FSTS_ITE))
		return false;
	if (s && s->block != IQ_RUNNING)
		return false;
	return (v->regs.iqh & VTD_IQ_PTR_MASK) != iq_tail(v);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t x = 0;
	int i;

	for (i = 7; i >= 0; i--)
		x = (x << 8) | p[i];
	return x;
}

static bool fetch(struct vtd *v, uint64_t head, struct inv_desc *d)
{
	uint64_t base = v->regs.iqa & VTD_IQA_IQA_MASK & vtd_haw_mask(v);
	size_t len = (size_t)iq_desc_size(v);
	uint8_t buf[32];
	unsigned int i;

	if (vtd_mem_read(v, base + head, buf, len, VTD_ST_INV_DESC, 0))
		return false;
	d->wide = iq_wide(v);
	for (i = 0; i < 4; i++)
		d->qw[i] = i < len / 8 ? le64(buf + 8 * i) : 0;
	d->type = (unsigned int)VTD_QI_TYPE(d->qw[0]);
	return true;
}

/*
 * A valid descriptor at IQH that must wait: an invalidation wait behind
 * outstanding device-TLB invalidations (held, counted as fetched), or a
 * device-TLB invalidation with no room for one more request (fetched again
 * when room appears). true: the queue stops here.
 */
static bool must_hold(struct vtd *v, const struct inv_desc *d, uint64_t head)
{
	struct iq_state *s = v->inv_queue_state;

	if (!s || !s->n)
		return false;
	if (d->type == VTD_QI_IWD) {
		s->block = IQ_HOLD_WAIT;
		s->held = *d;
		s->held_head = head;
		v->stats.inv_descriptors[d->type]++;
		return true;
	}
	if ((d->type == VTD_QI_DIOTLB || d->type == VTD_QI_PDIOTLB) &&
	    s->n >= iq_entries(v)) {
		s->block = IQ_HOLD_FULL;
		return true;
	}
	return false;
}

static bool drains(const struct inv_desc *d)
{
	return d->type == VTD_QI_IOTLB &&
	       (d->qw[0] & (VTD_QI_IOTLB_DR | VTD_QI_IOTLB_DW));
}

/* Fetch, check and execute the descriptor at IQH. false: stop. */
static bool process_one(struct vtd *v)
{
	struct inv_desc d;
	uint64_t head;
	unsigned int iqei = queue_check(v);

	if (iqei)
		return iq_error(v, iqei);
	head = iq_head(v);
	if (!fetch(v, head, &d))
		return iq_error(v, VTD_IQEI_FETCH);
	iqei = desc_check(v, &d);
	if (iqei)
		return iq_error(v, iqei);
	if (must_hold(v, &d, head))
		return false;
	vtd_tm_qi_desc(v, d.type, drains(&d));
	v->regs.iqh = (head + iq_desc_size(v)) & (iq_bytes(v) - 1);
	v->stats.inv_descriptors[d.type]++;
	desc_exec(v, &d);
	return true;
}

/*
 * timing.qi.async: the unit works through the queue over model time, one
 * descriptor at a time. The descriptor at IQH takes effect (IQH moves, its
 * caches are invalidated, a wait writes its status) when its cost has
 * passed: its fetch (a memory read), decode, and its work (a cache
 * invalidation or a wait), the timing model's costs (all 0 with timing
 * off). Then the next one is costed, until IQH reaches IQT. A wait's
 * status is therefore written only after every descriptor before it took
 * effect, and software that does not wait for it can see the old cached
 * translations.
 */
static uint64_t desc_cost_ns(const struct vtd *v, unsigned int type)
{
	const struct vtd_tm *tm = &v->tm;
	uint64_t ps = tm->mem_ps + tm->qi_desc_ps;

	if (type == VTD_QI_IWD)
		ps += tm->qi_wait_ps;
	else if (type != VTD_QI_PGRP_RESP && type != VTD_QI_IEC)
		ps += tm->qi_inv_ps;
	return (ps + 999) / 1000;
}

/* The type of the descriptor at IQH, read without side effects (its real
 * fetch comes when it is processed). */
static unsigned int peek_type(const struct vtd *v)
{
	uint64_t base = v->regs.iqa & VTD_IQA_IQA_MASK & vtd_haw_mask(v);
	uint8_t b[8];

	if (!v->ops.read || v->ops.read(v->opaque, base + iq_head(v), b, 8))
		return 0;
	return (unsigned int)VTD_QI_TYPE(le64(b));
}

/* The whole queue at once, up to IQT. */
static void run_now(struct vtd *v)
{
	/* At most one pass over the ring: the tail is inside it, so the
	 * head reaches it in fewer steps than the ring has entries. */
	uint64_t n = iq_bytes(v) / 16;
	struct vtd_tm_req *prev;

	vtd_tm_qi_begin(v, &prev);
	while (n-- && can_fetch(v))
		if (!process_one(v))
			break;
	vtd_tm_qi_end(v, prev);
}

static void qi_step_event(struct vtd *v, void *obj, uint64_t arg);

static void qi_schedule(struct vtd *v)
{
	struct iq_state *s = iq_state(v);
	uint64_t due;

	if (!s || s->step_due || !can_fetch(v))
		return;
	due = vtd_now(v) + desc_cost_ns(v, peek_type(v));
	if (vtd_sched_at(v, due, qi_step_event, s, 0)) {
		/* no room for the event: the unit cannot defer the work */
		run_now(v);
		return;
	}
	s->step_due = true;
}

static void qi_step_event(struct vtd *v, void *obj, uint64_t arg)
{
	struct iq_state *s = obj;
	struct vtd_tm_req *prev;

	(void)arg;
	s->step_due = false;
	vtd_tm_qi_begin(v, &prev);
	if (can_fetch(v))
		process_one(v);
	vtd_tm_qi_end(v, prev);
	qi_schedule(v);
}

void vtd_inv_queue_run(struct vtd *v)
{
	struct iq_state *s = v->inv_queue_state;

	if (s && s->block != IQ_RUNNING && !hold_valid(v, s))
		s->block = IQ_RUNNING;
	if (s && s->block == IQ_HOLD_FULL && s->n < iq_entries(v))
		s->block = IQ_RUNNING;
	if (v->cfg.timing.qi_async)
		qi_schedule(v);
	else
		run_now(v);
}

/* Every outstanding request retired: a held wait completes now. */
static void release_wait(struct vtd *v, struct iq_state *s)
{
	struct inv_desc d = s->held;
	struct vtd_tm_req *prev;

	s->block = IQ_RUNNING;
	v->regs.iqh = (s->held_head + iq_desc_size(v)) & (iq_bytes(v) - 1);
	vtd_tm_qi_begin(v, &prev);
	complete_wait(v, &d);
	vtd_tm_qi_end(v, prev);
	vtd_inv_queue_run(v);
}

void vtd_inv_queue_devtlb_complete(struct vtd *v, uint64_t token)
{
	struct iq_state *s = v->inv_queue_state;
	struct devtlb_pending *p;
	unsigned int i;

	if (!s || !token)
		return;
	p = pending_find(s, token);
	if (!p) {
		/* Late: the request timed out before. Else discard. */
		for (i = 0; i < IQ_LATE_RECORDS; i++) {
			if (s->late[i].token != token)
				continue;
			s->late[i].token = 0;
			vtd_inv_queue_devtlb_completion_error(v,
							      s->late[i].sid);
			return;
		}
		return;
	}
	vtd_sched_cancel(v, devtlb_timeout_event, p);
	pending_retire(s, p);
	if (s->block == IQ_RUNNING)
		return;
	if (!hold_valid(v, s)) {
		s->block = IQ_RUNNING;
		return;
	}
	if (s->block == IQ_HOLD_WAIT && !s->n)
		release_wait(v, s);
	else if (s->block == IQ_HOLD_FULL)
		vtd_inv_queue_run(v);
}

/*
 * The deadline of request obj passed. arg 0: the deadline has just come;
 * run again after everything else already due at this time (an endpoint
 * completion due at the deadline is in time). arg 1: time out.
 */
static void devtlb_timeout_event(struct vtd *v, void *obj, uint64_t arg)
{
	struct iq_state *s = v->inv_queue_state;
	struct devtlb_pending *p = obj;
	uint16_t sid = p->sid;

	if (!arg && !vtd_sched_at(v, vtd_now(v), devtlb_timeout_event, p, 1))
		return;
	s->late[s->late_next].token = p->token;
	s->late[s->late_next].sid = sid;
	s->late_next = (s->late_next + 1) % IQ_LATE_RECORDS;
	pending_retire(s, p);
	/* Pending invalidation waits are aborted: consumed, no status
	 * write, no interrupt. Done before ITE is visible to software. */
	if (s->block == IQ_HOLD_WAIT && hold_valid(v, s))
		v->regs.iqh =
			(s->held_head + iq_desc_size(v)) & (iq_bytes(v) - 1);
	if (s->block == IQ_HOLD_WAIT)
		s->block = IQ_RUNNING;
	vtd_inv_queue_devtlb_timeout(v, sid);
}

size_t vtd_inv_queue_devtlb_outstanding(const struct vtd *v, uint64_t *tokens,
					uint16_t *sids, size_t max)
{
	const struct iq_state *s = v->inv_queue_state;
	const struct devtlb_pending *p;
	size_t i = 0;

	if (!s)
		return 0;
	for (p = s->head; p; p = p->next, i++) {
		if (i >= max)
			continue;
		if (tokens)
			tokens[i] = p->token;
		if (sids)
			sids[i] = p->sid;
	}
	return i;
}

/* Forget every outstanding request and hold; cancel their time-outs. */
static void devtlb_forget_all(struct vtd *v, struct iq_state *s)
{
	vtd_sched_cancel(v, devtlb_timeout_event, NULL);
	vtd_sched_cancel(v, qi_step_event, NULL);
	s->step_due = false;
	while (s->head)
		pending_retire(s, s->head);
	s->block = IQ_RUNNING;
	memset(s->late, 0, sizeof(s->late));
	s->late_next = 0;
}

void vtd_inv_queue_reset(struct vtd *v)
{
	struct iq_state *s = v->inv_queue_state;

	v->regs.iqh = 0;
	v->regs.iqt = 0;
	v->regs.iqa = 0;
	v->regs.iqercd = 0;
	v->regs.ics = 0;
	/* Tokens keep counting: a request from before the reset never
	 * matches a later one. */
	if (s)
		devtlb_forget_all(v, s);
}

void vtd_inv_queue_destroy(struct vtd *v)
{
	struct iq_state *s = v->inv_queue_state;
	struct devtlb_pending *p;

	if (!s)
		return;
	devtlb_forget_all(v, s);
	while ((p = s->free)) {
		s->free = p->next;
		free(p);
	}
	free(s);
	v->inv_queue_state = NULL;
}
