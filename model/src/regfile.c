// SPDX-License-Identifier: MIT
/*
 * The register file (VT-d chapter 11): decode, access widths, read-only,
 * reserved and RW1C bits, GCMD/GSTS, register-based invalidation.
 *
 * Accesses: 32-bit registers take 4-byte accesses; 64-bit registers take
 * one 8-byte access or 4-byte accesses to either half. Misaligned accesses,
 * sizes other than 4 and 8, 8-byte accesses to a 32-bit register and
 * offsets outside the register page read 0 and ignore writes. A half write
 * is merged with the register's current value. Where a write has a side
 * effect, it happens on the write of the half holding the trigger:
 *   CCMD (ICC, bit 63) and IOTLB (IVT, bit 63): the upper half (or 8 bytes);
 *   IQT (QT in 18:4): the lower half (or 8 bytes). Drivers using writeq
 *   split on 32-bit hosts write the lower half first, and the upper half
 *   of IQT is reserved.
 * Reserved bits read 0 and ignore writes; read-only fields ignore writes;
 * registers of features CAP/ECAP do not report are reserved as a whole.
 */
#include <string.h>

#include "event.h"

#define HALF_LO 0x00000000ffffffffULL
#define HALF_HI 0xffffffff00000000ULL

/* Writable fields */
#define RTADDR_RW      (VTD_RTADDR_RTA_MASK | VTD_GENMASK(11, 10))
#define CCMD_RW	       (VTD_CCMD_ICC | VTD_GENMASK(62, 61) | VTD_GENMASK(33, 0))
#define CCMD_CAIG_MASK VTD_GENMASK(60, 59)
#define IOTLB_RW                                                               \
	(VTD_IOTLB_IVT | VTD_GENMASK(61, 60) | VTD_IOTLB_DR | VTD_IOTLB_DW |   \
	 VTD_GENMASK(47, 32))
#define IOTLB_IAIG_MASK VTD_GENMASK(58, 57)
#define IVA_RW		(VTD_IVA_ADDR_MASK | VTD_IVA_IH | VTD_GENMASK(5, 0))
#define IQA_RW		(VTD_IQA_IQA_MASK | VTD_GENMASK(2, 0))
#define IRTA_RW		(VTD_GENMASK(63, 12) | VTD_GENMASK(3, 0))
#define IRTA_EIME	VTD_BIT(11)
#define PQA_RW		(VTD_PQA_PQA_MASK | VTD_GENMASK(2, 0))
#define PMEN_EPM	VTD_BIT(31)
#define PMEN_PRS	VTD_BIT(0)
/* Protected memory base/limit: 2 MiB granular (N = 21). */
#define PLM_RW	    VTD_GENMASK(31, 21)
#define PHM_LOW_BIT 21

/* GCMD bits that act once when written as 1 (their status is transient
 * or latched by hardware); the others are enables compared to GSTS. */
#define GCMD_ONE_SHOT                                                          \
	(VTD_GCMD_SRTP | VTD_GCMD_SFL | VTD_GCMD_WBF | VTD_GCMD_SIRTP)

struct reg_desc;
typedef uint64_t (*reg_read_fn)(struct vtd *v, const struct reg_desc *d);
/* val: the new value (halves not written hold the current value);
 * mask: the bytes written. */
typedef void (*reg_write_fn)(struct vtd *v, const struct reg_desc *d,
			     uint64_t val, uint64_t mask);

struct reg_desc {
	uint32_t off;
	uint8_t width;	    /* 4 or 8 */
	uint8_t arg;	    /* event source / register index */
	uint64_t need_cap;  /* present if any of these CAP bits, or */
	uint64_t need_ecap; /* any of these ECAP bits (0: always) */
	reg_read_fn read;
	reg_write_fn write; /* NULL: read-only */
};

/* ---- simple registers --------------------------------------------------- */

static uint64_t rd_ver(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.ver;
}

static uint64_t rd_cap(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.cap;
}

static uint64_t rd_ecap(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.ecap;
}

static uint64_t rd_zero(struct vtd *v, const struct reg_desc *d)
{
	(void)v;
	(void)d;
	return 0;
}

static uint64_t rd_gsts(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.gsts;
}

/* ---- GCMD / GSTS (11.4.4, 11.4.5) --------------------------------------- */

static void set_status(struct vtd *v, uint32_t bit, bool on)
{
	vtd_memo_invalidate(v);
	if (on)
		v->regs.gsts |= bit;
	else
		v->regs.gsts &= ~bit;
}

/*
 * SRTP: latch RTADDR. With CAP.ESRTPS the operation also invalidates every
 * translation cache (context, PASID, IOTLB, paging-structure caches);
 * without it software must do so itself.
 */
static void set_root_table_pointer(struct vtd *v)
{
	vtd_memo_invalidate(v);
	v->regs.rtaddr_active = v->regs.rtaddr;
	v->regs.gsts |= VTD_GSTS_RTPS;
	if (!(v->regs.cap & VTD_CAP_ESRTPS))
		return;
	vtd_context_cache_invalidate(v, VTD_QI_CC_G_GLOBAL, 0, 0, 0);
	vtd_pasid_cache_invalidate(v, VTD_QI_PC_G_GLOBAL, 0, 0);
	vtd_iotlb_invalidate(v, VTD_QI_IOTLB_G_GLOBAL, 0, 0, 0, false);
}

/*
 * QIE. Enabling needs ECAP.QI; IQH is 0 whenever QI is disabled (11.4.10.1)
 * so the queue starts at its base, and descriptors software placed before
 * enabling (IQT != 0) are fetched at once. Disabling: software must first
 * let the queue drain (IQH == IQT, 6.5.2); the model has no descriptors in
 * flight (they are processed synchronously), so disabling always completes,
 * abandoning any descriptors left behind a queue error, and IQH returns to 0.
 */
static void set_queued_invalidation(struct vtd *v, bool on)
{
	if (on && !(v->regs.ecap & VTD_ECAP_QI))
		return;
	set_status(v, VTD_GSTS_QIES, on);
	v->regs.iqh = 0;
	if (on)
		vtd_inv_queue_run(v);
}

static void gcmd_enables(struct vtd *v, uint32_t cmd)
{
	uint32_t changed = (cmd ^ v->regs.gsts) & ~GCMD_ONE_SHOT;
	bool ir = v->regs.ecap & VTD_ECAP_IR;

	if (changed & VTD_GCMD_TE)
		set_status(v, VTD_GSTS_TES, cmd & VTD_GCMD_TE);
	if (changed & VTD_GCMD_QIE)
		set_queued_invalidation(v, cmd & VTD_GCMD_QIE);
	/* Interrupt remapping is not modelled: IRE and CFI only report. */
	if ((changed & VTD_GCMD_IRE) && ir)
		set_status(v, VTD_GSTS_IRES, cmd & VTD_GCMD_IRE);
	/* CFI exists only without x2APIC mode (ECAP.EIM) */
	if ((changed & VTD_GCMD_CFI) && ir && !(v->regs.ecap & VTD_ECAP_EIM))
		set_status(v, VTD_GSTS_CFIS, cmd & VTD_GCMD_CFI);
	/* EAFL: advanced fault logging (CAP.AFL) is not supported. */
}

/*
 * Software writes the current GSTS with one command changed (Linux's
 * "gsts | cmd" after masking the one-shot status bits): enables act only
 * when they differ from their status, one-shot commands whenever they are
 * written as 1. WBF completes at once (the model has no write buffer) so
 * WBFS reads 0; SFL is not supported (no advanced fault logging).
 */
static void wr_gcmd(struct vtd *v, const struct reg_desc *d, uint64_t val,
		    uint64_t mask)
{
	uint32_t cmd = (uint32_t)val;

	(void)d;
	(void)mask;
	if (cmd & VTD_GCMD_SRTP)
		set_root_table_pointer(v);
	gcmd_enables(v, cmd);
	if ((cmd & VTD_GCMD_SIRTP) && (v->regs.ecap & VTD_ECAP_IR))
		v->regs.gsts |= VTD_GSTS_IRTPS;
}

/* ---- RTADDR (11.4.6) ---------------------------------------------------- */

static uint64_t rd_rtaddr(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.rtaddr;
}

/*
 * TTM: 00 legacy, 01 scalable (only with ECAP.SMTS), 11 abort-DMA (only
 * with ECAP.ADMS), 10 reserved. The reserved encoding is kept, so that
 * requests fault with 30h (SRTA.1.1) and the invalidation queue reports
 * IQEI 7, as the spec defines. A mode the unit does not support is not
 * stored: the field then reads 00 (legacy mode).
 */
static void wr_rtaddr(struct vtd *v, const struct reg_desc *d, uint64_t val,
		      uint64_t mask)
{
	uint64_t ttm = VTD_RTADDR_TTM(val);
	bool ok;

	(void)d;
	(void)mask;
	switch (ttm) {
	case VTD_RTADDR_TTM_SCALABLE:
		ok = v->regs.ecap & VTD_ECAP_SMTS;
		break;
	case VTD_RTADDR_TTM_ABORT:
		ok = v->regs.ecap & VTD_ECAP_ADMS;
		break;
	case VTD_RTADDR_TTM_LEGACY:
		ok = true;
		break;
	default:
		ok = true; /* 10b: reserved, reported when used */
		break;
	}
	val &= RTADDR_RW;
	if (!ok)
		val &= ~VTD_GENMASK(11, 10);
	v->regs.rtaddr = val;
}

/* ---- register-based invalidation (6.5.1, 11.4.7, 11.4.8) --------------- */

/*
 * Register-based invalidation is a legacy-mode interface: with queued
 * invalidation enabled software must use the queue (6.5.2), and in
 * scalable mode (TTM=01) only queued invalidation exists. Such a request
 * completes at once, reporting granularity 00 ("incorrect request,
 * ignored"), and leaves the caches alone.
 */
static bool reg_inv_allowed(const struct vtd *v)
{
	return !(v->regs.gsts & VTD_GSTS_QIES) && !vtd_scalable(v);
}

static uint64_t rd_ccmd(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.ccmd;
}

static unsigned int context_invalidate(struct vtd *v, uint64_t cmd)
{
	unsigned int gran = (unsigned int)VTD_CCMD_CIRG(cmd);

	if (!reg_inv_allowed(v) || gran == 0)
		return 0;
	vtd_context_cache_invalidate(v, gran, (uint16_t)VTD_CCMD_DID(cmd),
				     (uint16_t)VTD_CCMD_SID(cmd),
				     (unsigned int)VTD_CCMD_FM(cmd));
	return gran;
}

static void wr_ccmd(struct vtd *v, const struct reg_desc *d, uint64_t val,
		    uint64_t mask)
{
	unsigned int caig;

	(void)d;
	v->regs.ccmd = (v->regs.ccmd & CCMD_CAIG_MASK) | (val & CCMD_RW);
	if (!(mask & VTD_CCMD_ICC) || !(val & VTD_CCMD_ICC))
		return;
	caig = context_invalidate(v, v->regs.ccmd);
	v->regs.ccmd &= ~(VTD_CCMD_ICC | CCMD_CAIG_MASK);
	v->regs.ccmd |= (uint64_t)caig << VTD_CCMD_CAIG_SHIFT;
}

static uint64_t rd_iva(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.iva;
}

static void wr_iva(struct vtd *v, const struct reg_desc *d, uint64_t val,
		   uint64_t mask)
{
	(void)d;
	(void)mask;
	v->regs.iva = val & IVA_RW;
}

static uint64_t rd_iotlb(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.iotlb;
}

/*
 * IIRG 00 is reserved and an AM above CAP.MAMV unsupported: both are
 * incorrect requests, ignored with IAIG=00. Without CAP.PSI a
 * page-selective request is performed domain-selective, reported in IAIG.
 */
static unsigned int iotlb_invalidate(struct vtd *v, uint64_t cmd)
{
	unsigned int gran = (unsigned int)VTD_IOTLB_IIRG(cmd);
	uint16_t did = (uint16_t)VTD_IOTLB_DID(cmd);
	uint64_t iva = v->regs.iva;
	unsigned int am = (unsigned int)VTD_IVA_AM(iva);

	if (!reg_inv_allowed(v) || gran == 0)
		return 0;
	if (gran == VTD_QI_IOTLB_G_PAGE && !(v->regs.cap & VTD_CAP_PSI))
		gran = VTD_QI_IOTLB_G_DOMAIN;
	if (gran == VTD_QI_IOTLB_G_PAGE) {
		if (am > VTD_CAP_MAMV(v->regs.cap))
			return 0;
		vtd_iotlb_invalidate(v, gran, did, iva & VTD_IVA_ADDR_MASK, am,
				     iva & VTD_IVA_IH);
		return gran;
	}
	vtd_iotlb_invalidate(v, gran, did, 0, 0, false);
	return gran;
}

static void wr_iotlb(struct vtd *v, const struct reg_desc *d, uint64_t val,
		     uint64_t mask)
{
	unsigned int iaig;

	(void)d;
	v->regs.iotlb = (v->regs.iotlb & IOTLB_IAIG_MASK) | (val & IOTLB_RW);
	if (!(mask & VTD_IOTLB_IVT) || !(val & VTD_IOTLB_IVT))
		return;
	iaig = iotlb_invalidate(v, v->regs.iotlb);
	v->regs.iotlb &= ~(VTD_IOTLB_IVT | IOTLB_IAIG_MASK);
	v->regs.iotlb |= (uint64_t)iaig << VTD_IOTLB_IAIG_SHIFT;
}

/* ---- protected memory regions (11.4.13) --------------------------------- */

static uint64_t rd_pmen(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.pmen;
}

/* EPM enables the regions; PRS (read-only) reports their status. */
static void wr_pmen(struct vtd *v, const struct reg_desc *d, uint64_t val,
		    uint64_t mask)
{
	(void)d;
	(void)mask;
	v->regs.pmen = (val & PMEN_EPM) ? (uint32_t)(PMEN_EPM | PMEN_PRS) : 0;
}

static uint64_t rd_plm(struct vtd *v, const struct reg_desc *d)
{
	return d->arg ? v->regs.plmlimit : v->regs.plmbase;
}

static void wr_plm(struct vtd *v, const struct reg_desc *d, uint64_t val,
		   uint64_t mask)
{
	(void)mask;
	if (d->arg)
		v->regs.plmlimit = (uint32_t)(val & PLM_RW);
	else
		v->regs.plmbase = (uint32_t)(val & PLM_RW);
}

static uint64_t rd_phm(struct vtd *v, const struct reg_desc *d)
{
	return d->arg ? v->regs.phmlimit : v->regs.phmbase;
}

static void wr_phm(struct vtd *v, const struct reg_desc *d, uint64_t val,
		   uint64_t mask)
{
	uint64_t rw = vtd_haw_mask(v) & ~((1ULL << PHM_LOW_BIT) - 1);

	(void)mask;
	if (d->arg)
		v->regs.phmlimit = val & rw;
	else
		v->regs.phmbase = val & rw;
}

/* ---- invalidation queue (11.4.10) --------------------------------------- */

static uint64_t rd_iqh(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.iqh;
}

static uint64_t rd_iqt(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.iqt;
}

/* Store QT; the queue engine checks it (alignment, IQE) and runs. */
static void wr_iqt(struct vtd *v, const struct reg_desc *d, uint64_t val,
		   uint64_t mask)
{
	(void)d;
	v->regs.iqt = val & VTD_IQ_PTR_MASK;
	if ((mask & HALF_LO) && (v->regs.gsts & VTD_GSTS_QIES))
		vtd_inv_queue_run(v);
}

static uint64_t rd_iqa(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.iqa;
}

/* DW (256-bit descriptors) exists only with scalable mode support. The
 * queue is programmed before it is enabled: a write while QIES=1 (which
 * would move, resize or re-width a running queue under IQH) is ignored
 * (docs/conformance.md). */
static void wr_iqa(struct vtd *v, const struct reg_desc *d, uint64_t val,
		   uint64_t mask)
{
	uint64_t rw = IQA_RW;

	(void)d;
	(void)mask;
	if (v->regs.gsts & VTD_GSTS_QIES)
		return;
	if (v->regs.ecap & VTD_ECAP_SMTS)
		rw |= VTD_IQA_DW;
	v->regs.iqa = val & rw;
}

static uint64_t rd_ics(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.ics;
}

/* IWC is RW1C; clearing it services the invalidation completion event. */
static void wr_ics(struct vtd *v, const struct reg_desc *d, uint64_t val,
		   uint64_t mask)
{
	(void)d;
	(void)mask;
	if (!(val & VTD_ICS_IWC) || !(v->regs.ics & VTD_ICS_IWC))
		return;
	v->regs.ics &= ~(uint32_t)VTD_ICS_IWC;
	vtd_event_clear_pending(v, VTD_IRQ_INV_COMPLETE);
}

static uint64_t rd_iqercd(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.iqercd;
}

static uint64_t rd_irta(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.irta;
}

static void wr_irta(struct vtd *v, const struct reg_desc *d, uint64_t val,
		    uint64_t mask)
{
	uint64_t rw = IRTA_RW;

	(void)d;
	(void)mask;
	if (v->regs.ecap & VTD_ECAP_EIM)
		rw |= IRTA_EIME;
	v->regs.irta = val & rw;
}

/* ---- events: IECTL.., PECTL.. (FECTL.. belong to fault.c) --------------- */

static uint64_t rd_event(struct vtd *v, const struct reg_desc *d)
{
	return vtd_event_reg_read(v, (enum vtd_irq_source)(d->arg >> 2),
				  (enum vtd_event_reg)(d->arg & 3));
}

static void wr_event(struct vtd *v, const struct reg_desc *d, uint64_t val,
		     uint64_t mask)
{
	(void)mask;
	vtd_event_reg_write(v, (enum vtd_irq_source)(d->arg >> 2),
			    (enum vtd_event_reg)(d->arg & 3), (uint32_t)val);
}

#define EV_ARG(src, reg) ((uint8_t)((src) << 2 | (reg)))

/* ---- page request queue (11.4.11) --------------------------------------- */

static uint64_t rd_pqh(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.pqh;
}

static void wr_pqh(struct vtd *v, const struct reg_desc *d, uint64_t val,
		   uint64_t mask)
{
	(void)d;
	(void)mask;
	v->regs.pqh = val & VTD_PQ_PTR_MASK;
}

static uint64_t rd_pqt(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.pqt;
}

static uint64_t rd_pqa(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.pqa;
}

static void wr_pqa(struct vtd *v, const struct reg_desc *d, uint64_t val,
		   uint64_t mask)
{
	(void)d;
	(void)mask;
	v->regs.pqa = val & PQA_RW;
}

static uint64_t rd_prs(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.prs;
}

/*
 * PPR and PRO are RW1C. The page request event's IP clears when software
 * has serviced both (the conditions PECTL.IP stands for).
 */
static void wr_prs(struct vtd *v, const struct reg_desc *d, uint64_t val,
		   uint64_t mask)
{
	uint32_t clear = (uint32_t)val & (VTD_PRS_PPR | VTD_PRS_PRO);

	(void)d;
	(void)mask;
	clear &= v->regs.prs;
	if (!clear)
		return;
	v->regs.prs &= ~clear;
	if (!(v->regs.prs & (VTD_PRS_PPR | VTD_PRS_PRO)))
		vtd_event_clear_pending(v, VTD_IRQ_PAGE_REQUEST);
}

/* ---- virtual command (VT-d 3.x): the engine is vcmd.c -------------------- */

static uint64_t rd_vcmd(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.vcmd;
}

static void wr_vcmd(struct vtd *v, const struct reg_desc *d, uint64_t val,
		    uint64_t mask)
{
	(void)d;
	(void)mask;
	v->regs.vcmd = val;
	vtd_vcmd_write(v, val);
}

static uint64_t rd_vcrsp(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.vcrsp;
}

static uint64_t rd_vccap(struct vtd *v, const struct reg_desc *d)
{
	(void)d;
	return v->regs.vccap;
}

/* ---- decode ------------------------------------------------------------- */

#define QI  VTD_ECAP_QI
#define PRS VTD_ECAP_PRS
#define IR  VTD_ECAP_IR
#define VCS VTD_ECAP_VCS
#define PMR (VTD_CAP_PLMR | VTD_CAP_PHMR)

static const struct reg_desc regs[] = {
	{VTD_REG_VER, 4, 0, 0, 0, rd_ver, NULL},
	{VTD_REG_CAP, 8, 0, 0, 0, rd_cap, NULL},
	{VTD_REG_ECAP, 8, 0, 0, 0, rd_ecap, NULL},
	{VTD_REG_GCMD, 4, 0, 0, 0, rd_zero, wr_gcmd},
	{VTD_REG_GSTS, 4, 0, 0, 0, rd_gsts, NULL},
	{VTD_REG_RTADDR, 8, 0, 0, 0, rd_rtaddr, wr_rtaddr},
	{VTD_REG_CCMD, 8, 0, 0, 0, rd_ccmd, wr_ccmd},
	{VTD_REG_PMEN, 4, 0, PMR, 0, rd_pmen, wr_pmen},
	{VTD_REG_PLMBASE, 4, 0, VTD_CAP_PLMR, 0, rd_plm, wr_plm},
	{VTD_REG_PLMLIMIT, 4, 1, VTD_CAP_PLMR, 0, rd_plm, wr_plm},
	{VTD_REG_PHMBASE, 8, 0, VTD_CAP_PHMR, 0, rd_phm, wr_phm},
	{VTD_REG_PHMLIMIT, 8, 1, VTD_CAP_PHMR, 0, rd_phm, wr_phm},
	{VTD_REG_IQH, 8, 0, 0, QI, rd_iqh, NULL},
	{VTD_REG_IQT, 8, 0, 0, QI, rd_iqt, wr_iqt},
	{VTD_REG_IQA, 8, 0, 0, QI, rd_iqa, wr_iqa},
	{VTD_REG_ICS, 4, 0, 0, QI, rd_ics, wr_ics},
	{VTD_REG_IECTL, 4, EV_ARG(VTD_IRQ_INV_COMPLETE, VTD_EVREG_CTL), 0, QI,
	 rd_event, wr_event},
	{VTD_REG_IEDATA, 4, EV_ARG(VTD_IRQ_INV_COMPLETE, VTD_EVREG_DATA), 0, QI,
	 rd_event, wr_event},
	{VTD_REG_IEADDR, 4, EV_ARG(VTD_IRQ_INV_COMPLETE, VTD_EVREG_ADDR), 0, QI,
	 rd_event, wr_event},
	{VTD_REG_IEUADDR, 4, EV_ARG(VTD_IRQ_INV_COMPLETE, VTD_EVREG_UADDR), 0,
	 QI, rd_event, wr_event},
	{VTD_REG_IQERCD, 8, 0, 0, QI, rd_iqercd, NULL},
	{VTD_REG_IRTA, 8, 0, 0, IR, rd_irta, wr_irta},
	{VTD_REG_PQH, 8, 0, 0, PRS, rd_pqh, wr_pqh},
	{VTD_REG_PQT, 8, 0, 0, PRS, rd_pqt, NULL},
	{VTD_REG_PQA, 8, 0, 0, PRS, rd_pqa, wr_pqa},
	{VTD_REG_PRS, 4, 0, 0, PRS, rd_prs, wr_prs},
	{VTD_REG_PECTL, 4, EV_ARG(VTD_IRQ_PAGE_REQUEST, VTD_EVREG_CTL), 0, PRS,
	 rd_event, wr_event},
	{VTD_REG_PEDATA, 4, EV_ARG(VTD_IRQ_PAGE_REQUEST, VTD_EVREG_DATA), 0,
	 PRS, rd_event, wr_event},
	{VTD_REG_PEADDR, 4, EV_ARG(VTD_IRQ_PAGE_REQUEST, VTD_EVREG_ADDR), 0,
	 PRS, rd_event, wr_event},
	{VTD_REG_PEUADDR, 4, EV_ARG(VTD_IRQ_PAGE_REQUEST, VTD_EVREG_UADDR), 0,
	 PRS, rd_event, wr_event},
	{VTD_REG_MTRRCAP, 8, 0, 0, 0, rd_zero, NULL},
	{VTD_REG_MTRRDEF, 8, 0, 0, 0, rd_zero, NULL},
	{VTD_REG_VCMD, 8, 0, 0, VCS, rd_vcmd, wr_vcmd},
	{VTD_REG_VCRSP, 8, 0, 0, VCS, rd_vcrsp, NULL},
	{VTD_REG_VCCAP, 8, 0, 0, VCS, rd_vccap, NULL},
};

static const struct reg_desc iva_desc = {0, 8, 0, 0, 0, rd_iva, wr_iva};
static const struct reg_desc iotlb_desc = {0, 8, 0, 0, 0, rd_iotlb, wr_iotlb};

static bool present(const struct vtd *v, const struct reg_desc *d)
{
	if (!d->need_cap && !d->need_ecap)
		return true;
	return (v->regs.cap & d->need_cap) || (v->regs.ecap & d->need_ecap);
}

/* The register containing off (4-byte aligned), and its base in *base. */
static const struct reg_desc *find_reg(const struct vtd *v, uint32_t off,
				       uint32_t *base)
{
	size_t i;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		const struct reg_desc *d = &regs[i];

		if (off >= d->off && off < d->off + d->width) {
			*base = d->off;
			return present(v, d) ? d : NULL;
		}
	}
	*base = off & ~7u;
	if (*base == v->regs.iro)
		return &iva_desc;
	if (*base == v->regs.iro + 8)
		return &iotlb_desc;
	return NULL;
}

static bool access_ok(uint32_t off, unsigned int size)
{
	if (size != 4 && size != 8)
		return false;
	if (off & (size - 1))
		return false;
	return off < VTD_REG_SPACE_SIZE && size <= VTD_REG_SPACE_SIZE - off;
}

/*
 * The bytes of register d (at base) an access covers, as a mask of its
 * value and the shift of the access within it; false for a width the
 * register does not take.
 */
static bool access_mask(const struct reg_desc *d, uint32_t base, uint32_t off,
			unsigned int size, uint64_t *mask, unsigned int *shift)
{
	if (size > d->width)
		return false;
	*shift = (off - base) * 8;
	*mask = size == 8 ? ~0ULL : HALF_LO << *shift;
	return true;
}

uint64_t vtd_reg_read(struct vtd *v, uint32_t off, unsigned int size)
{
	const struct reg_desc *d;
	uint64_t val, mask;
	unsigned int shift;
	uint32_t base;

	if (!access_ok(off, size))
		return 0;
	if (vtd_fault_reg_read(v, off, size, &val))
		return val;
	d = find_reg(v, off, &base);
	if (!d || !access_mask(d, base, off, size, &mask, &shift))
		return 0;
	return (d->read(v, d) & mask) >> shift;
}

void vtd_reg_write(struct vtd *v, uint32_t off, unsigned int size, uint64_t val)
{
	const struct reg_desc *d;
	uint64_t mask, cur;
	unsigned int shift;
	uint32_t base;

	if (!access_ok(off, size))
		return;
	vtd_memo_invalidate(v);
	if (size == 4)
		val &= HALF_LO;
	if (vtd_fault_reg_write(v, off, size, val))
		return;
	d = find_reg(v, off, &base);
	if (!d || !d->write || !access_mask(d, base, off, size, &mask, &shift))
		return;
	cur = d->width == 8 && size == 4 ? d->read(v, d) : 0;
	d->write(v, d, (cur & ~mask) | (val << shift & mask), mask);
}

/* ---- reset -------------------------------------------------------------- */

void vtd_regs_reset(struct vtd *v)
{
	struct vtd_regs *r = &v->regs;

	memset(r, 0, sizeof(*r));
	r->ver = v->cfg.version & 0xff;
	r->cap = v->cfg.cap & ~VTD_CAP_LAYOUT_MASK;
	r->iro = VTD_REG_IVA_DEFAULT;
	r->ecap = v->cfg.ecap & ~VTD_ECAP_LAYOUT_MASK;
	r->ecap |= (uint64_t)(r->iro / 16) << VTD_ECAP_IRO_SHIFT;
	vtd_event_reset(v);
	vtd_fault_reset(v); /* places the fault records: CAP.FRO, CAP.NFR */
}
