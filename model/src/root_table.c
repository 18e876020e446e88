// SPDX-License-Identifier: MIT
/*
 * Root and context entries (spec 3.4.x, 9.1-9.4): fetch by source ID and the
 * checks of the fault conditions LRT/LCT (legacy) and SRTA/SCT (scalable).
 *
 * Decisions where the spec leaves room:
 * - Pointer fields (CTP, PASIDDIRPTR) with bits at or above HAW are treated
 *   as reserved bits (0Ah/0Bh, 3Ah/42h). A legacy SLPTPTR above HAW is an
 *   invalid context entry (03h, LCT.4).
 * - Capability-dependent fields set without the capability (DTE without
 *   ECAP.DT, PRE without ECAP.PRS, RID_PRIV without ECAP.SRS, PASIDE
 *   without ECAP.PASID, RID_PASID != 0 without ECAP.RPS) make the
 *   scalable-mode context entry invalid (43h, SCT.4).
 * - DID bits beyond the domains CAP.ND reports are reserved.
 */
#include "translate.h"

static uint64_t did_rsvd_mask(const struct vtd *v)
{
	unsigned int nd = (unsigned int)VTD_CAP_ND(v->cfg.cap);
	unsigned int bits = 4 + 2 * nd;

	return bits >= 16 ? 0 : ~((1ULL << bits) - 1) & 0xffff;
}

static uint64_t above_haw(const struct vtd *v, uint64_t ptr)
{
	return ptr & VTD_GENMASK(63, 12) & ~vtd_haw_mask(v);
}

/* Read the root entry of the request's bus; 0 or a fault code. */
static int root_read(struct vtd *v, bool sm, uint8_t bus, uint64_t re[2])
{
	uint64_t rta = v->regs.rtaddr_active & VTD_RTADDR_RTA_MASK;

	if (above_haw(v, rta))
		return sm ? VTD_FR_SM_RTADDR_INVALID : VTD_FR_ROOT_ADDR_INVALID;
	if (vtd_mem_read(v, rta + (uint64_t)bus * VTD_ROOT_SIZE, re,
			 VTD_ROOT_SIZE, VTD_ST_ROOT_ENTRY, 0))
		return sm ? VTD_FR_SM_ROOT_ACCESS : VTD_FR_ROOT_ADDR_INVALID;
	return 0;
}

/* Context table pointer from the root entry; 0 or a fault code. */
static int root_ctp(struct vtd *v, bool sm, uint8_t devfn, const uint64_t re[2],
		    uint64_t *ctp)
{
	if (!sm) {
		if (!(re[0] & VTD_ROOT_LO_P))
			return VTD_FR_ROOT_NOT_PRESENT;
		*ctp = re[0] & VTD_ROOT_LO_CTP_MASK;
		if ((re[0] & VTD_ROOT_RSVD_LO) ||
		    (re[1] & VTD_ROOT_LEGACY_RSVD_HI) || above_haw(v, *ctp))
			return VTD_FR_ROOT_RSVD;
		*ctp += (uint64_t)devfn * VTD_CTX_SIZE;
		return 0;
	}
	if (devfn < 128) {
		if (!(re[0] & VTD_ROOT_LO_P))
			return VTD_FR_SM_ROOT_NOT_PRESENT;
		*ctp = re[0] & VTD_ROOT_LO_CTP_MASK;
	} else {
		if (!(re[1] & VTD_ROOT_HI_UP))
			return VTD_FR_SM_ROOT_NOT_PRESENT;
		*ctp = re[1] & VTD_ROOT_HI_UCTP_MASK;
	}
	if ((re[0] & VTD_ROOT_RSVD_LO) || (re[1] & VTD_ROOT_SM_RSVD_HI) ||
	    above_haw(v, *ctp))
		return VTD_FR_SM_ROOT_RSVD;
	*ctp += (uint64_t)(devfn & 0x7f) * VTD_SM_CTX_SIZE;
	return 0;
}

static int legacy_ctx_check(struct vtd *v, const uint64_t ce[2])
{
	unsigned int tt = (unsigned int)VTD_CTX_LO_TT(ce[0]);
	unsigned int aw = (unsigned int)VTD_CTX_HI_AW(ce[1]);
	uint64_t did_bits = VTD_CTX_HI_DID(ce[1]);

	if (!(ce[0] & VTD_CTX_LO_P))
		return VTD_FR_CTX_NOT_PRESENT;
	if ((ce[0] & VTD_CTX_LO_RSVD) || (ce[1] & VTD_CTX_HI_RSVD) ||
	    (did_bits & did_rsvd_mask(v)))
		return VTD_FR_CTX_RSVD;
	switch (tt) {
	case VTD_CTX_TT_SL_DT:
		if (!(v->cfg.ecap & VTD_ECAP_DT))
			return VTD_FR_CTX_INVALID;
		/* fall through */
	case VTD_CTX_TT_SL:
		if (aw > 4 || !(VTD_CAP_SAGAW(v->cfg.cap) & (1u << aw)))
			return VTD_FR_CTX_INVALID;
		if (above_haw(v, ce[0] & VTD_CTX_LO_SLPTPTR_MASK))
			return VTD_FR_CTX_INVALID;
		return 0;
	case VTD_CTX_TT_PT:
		return (v->cfg.ecap & VTD_ECAP_PT) ? 0 : VTD_FR_CTX_INVALID;
	default:
		return VTD_FR_CTX_INVALID;
	}
}

static int sm_ctx_check(struct vtd *v, const uint64_t ce[4])
{
	uint64_t ecap = v->cfg.ecap;

	if (!(ce[0] & VTD_SM_CTX_LO_P))
		return VTD_FR_SM_CTX_NOT_PRESENT;
	if ((ce[0] & VTD_SM_CTX_LO_RSVD) || (ce[1] & VTD_SM_CTX_HI_RSVD) ||
	    ce[2] || ce[3] ||
	    above_haw(v, ce[0] & VTD_SM_CTX_LO_PASIDDIRPTR_MASK))
		return VTD_FR_SM_CTX_RSVD;
	if (((ce[0] & VTD_SM_CTX_LO_DTE) && !(ecap & VTD_ECAP_DT)) ||
	    ((ce[0] & VTD_SM_CTX_LO_PRE) && !(ecap & VTD_ECAP_PRS)) ||
	    ((ce[0] & VTD_SM_CTX_LO_PASIDE) && !(ecap & VTD_ECAP_PASID)) ||
	    ((ce[1] & VTD_SM_CTX_HI_RID_PRIV) && !(ecap & VTD_ECAP_SRS)) ||
	    (VTD_SM_CTX_HI_RID_PASID(ce[1]) && !(ecap & VTD_ECAP_RPS)))
		return VTD_FR_SM_CTX_INVALID;
	return 0;
}

int vtd_context_read_raw(struct vtd *v, uint16_t sid, uint64_t ce[4])
{
	bool sm = vtd_scalable(v);
	uint64_t re[2], ctp;

	ce[0] = ce[1] = ce[2] = ce[3] = 0;
	if (root_read(v, sm, (uint8_t)(sid >> 8), re) ||
	    root_ctp(v, sm, (uint8_t)sid, re, &ctp))
		return -1;
	return vtd_mem_read(v, ctp, ce, sm ? VTD_SM_CTX_SIZE : VTD_CTX_SIZE,
			    VTD_ST_CONTEXT_ENTRY, 0);
}

/*
 * Fetch and check the context entry of x->req->sid into x->ce. FPD is
 * taken from the entry even when it is not present (the spec evaluates
 * FPD irrespective of P).
 */
int vtd_context_fetch(struct vtd_xlate *x)
{
	struct vtd *v = x->v;
	bool sm = x->scalable;
	uint64_t re[2], ctp;
	int fr;

	fr = root_read(v, sm, (uint8_t)(x->req->sid >> 8), re);
	if (!fr)
		fr = root_ctp(v, sm, (uint8_t)x->req->sid, re, &ctp);
	if (fr)
		return fr;
	x->ce[0] = x->ce[1] = x->ce[2] = x->ce[3] = 0;
	if (vtd_mem_read(v, ctp, x->ce, sm ? VTD_SM_CTX_SIZE : VTD_CTX_SIZE,
			 VTD_ST_CONTEXT_ENTRY, 0))
		return sm ? VTD_FR_SM_CTX_ACCESS : VTD_FR_CTX_PTR_INVALID;
	x->fpd = (x->ce[0] & VTD_CTX_LO_FPD) != 0;
	return sm ? sm_ctx_check(v, x->ce) : legacy_ctx_check(v, x->ce);
}

/*
 * Scalable mode: PASID of the request (or RID_PASID) against PASIDE, the
 * PASID directory size and ECAP.PSS. Sets x->pasid, x->priv, x->exec.
 * Translation requests (DTE, 44h) and page requests (PRE, 47h) are not
 * untranslated requests and never reach this path.
 */
int vtd_context_sm_request_check(struct vtd_xlate *x)
{
	const struct vtd_request *req = x->req;
	uint64_t ecap = x->v->cfg.ecap;
	unsigned int pdts = (unsigned int)VTD_SM_CTX_LO_PDTS(x->ce[0]);
	uint64_t dir_entries = 1ULL << (pdts + 7);
	uint64_t pss_limit = 1ULL << (VTD_ECAP_PSS(ecap) + 1);

	if (req->has_pasid) {
		if (!(x->ce[0] & VTD_SM_CTX_LO_PASIDE) ||
		    !(ecap & VTD_ECAP_PASID))
			return VTD_FR_SM_CTX_PASIDE;
		x->pasid = req->pasid & (VTD_PASID_MAX - 1);
		if (VTD_PASID_DIR_INDEX(x->pasid) >= dir_entries ||
		    x->pasid >= pss_limit)
			return VTD_FR_SM_CTX_PASID_RANGE;
		x->priv = req->priv && (ecap & VTD_ECAP_SRS);
		x->exec = req->exec && (ecap & VTD_ECAP_ERS);
		return 0;
	}
	x->pasid = (uint32_t)VTD_SM_CTX_HI_RID_PASID(x->ce[1]);
	if (VTD_PASID_DIR_INDEX(x->pasid) >= dir_entries)
		return VTD_FR_SM_CTX_RID_PASID;
	/* Requests without PASID take their privilege from RID_PRIV. */
	x->priv = (x->ce[1] & VTD_SM_CTX_HI_RID_PRIV) != 0;
	x->exec = false;
	return 0;
}
