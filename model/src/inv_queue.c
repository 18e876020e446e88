// SPDX-License-Identifier: MIT
/*
 * Queued invalidation (spec rev 5.10, 6.5.2; registers 11.4.9).
 *
 * The invalidation queue is a ring of 2^QS 4 KiB pages at IQA_REG.IQA
 * holding 128-bit (IQA_REG.DW=0) or 256-bit (DW=1) descriptors. IQH and IQT
 * hold byte offsets (bits 18:4). Hardware fetches descriptors from IQH while
 * GSTS.QIES is set, the queue is not empty and neither FSTS.IQE nor
 * FSTS.ITE is set. The model executes each descriptor completely before it
 * fetches the next, so every descriptor ahead of an invalidation wait
 * descriptor is complete when the wait completes and the fence (FN) is
 * always satisfied.
 *
 * IQH moves past a descriptor once it has been fetched and found valid
 * (6.5.2: "incremented ... after verifying the fetched descriptor to be
 * valid"), before its effects. A descriptor in error leaves IQH on it,
 * records IQERCD.IQEI and sets FSTS.IQE (6.5.2.11).
 *
 * Everything is re-read from the registers at each step, so a host that
 * writes IQT from inside a callback (an interrupt handler) re-enters
 * safely, and the loop is bounded by the number of queue entries.
 */
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
	/* 8:5 and 63:52; qw1 1:0 and 63:12 (bit 2, once LPIG, is ignored) */
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

/*
 * dev_tlb_inv_dsc / p_dev_tlb_inv_dsc: the ATS Invalidate Request goes to
 * the endpoint. No endpoint model exists yet, so every request completes at
 * once; the endpoint model will be called from here and may report
 * vtd_inv_queue_devtlb_timeout() or ..._completion_error() before it
 * returns. vtd_inv_queue_run() checks FSTS.ITE after every descriptor.
 */
static void exec_devtlb(struct vtd *v, const struct inv_desc *d)
{
	(void)v;
	(void)d;
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
	/* FN: every earlier descriptor is already complete. PD: page
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
		exec_wait(v, d);
		break;
	case VTD_QI_PIOTLB:
		exec_piotlb(v, d);
		break;
	case VTD_QI_PC:
		exec_pc(v, d);
		break;
	default:
		/* IEC: no interrupt remapping model, nothing cached.
		 * Page group response: routing to endpoints is not modelled
		 * yet; the descriptor is accepted and completed. */
		break;
	}
}

/* ---- the fetch loop */

static bool can_fetch(const struct vtd *v)
{
	if (!(v->regs.gsts & VTD_GSTS_QIES))
		return false;
	if (v->regs.fsts & (VTD_FSTS_IQE | VTD_FSTS_ITE))
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
	v->regs.iqh = (head + iq_desc_size(v)) & (iq_bytes(v) - 1);
	v->stats.inv_descriptors[d.type]++;
	desc_exec(v, &d);
	return true;
}

void vtd_inv_queue_run(struct vtd *v)
{
	/* At most one pass over the ring: the tail is inside it, so the
	 * head reaches it in fewer steps than the ring has entries. */
	uint64_t n = iq_bytes(v) / 16;

	while (n-- && can_fetch(v))
		if (!process_one(v))
			break;
}

void vtd_inv_queue_reset(struct vtd *v)
{
	v->regs.iqh = 0;
	v->regs.iqt = 0;
	v->regs.iqa = 0;
	v->regs.iqercd = 0;
	v->regs.ics = 0;
}

void vtd_inv_queue_destroy(struct vtd *v)
{
	(void)v;
}

void vtd_inv_queue_devtlb_complete(struct vtd *v, uint64_t token)
{
	(void)v;
	(void)token;
}
