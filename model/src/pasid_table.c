// SPDX-License-Identifier: MIT
/*
 * Scalable-mode PASID directory and PASID table (spec 3.4.3, 9.5, 9.6):
 * fetch of the entry for a PASID and the SPD/SPT fault conditions.
 *
 * Decisions where the spec leaves room:
 * - SMPTBLPTR bits at or above HAW are reserved bits (52h).
 * - Capability-dependent fields without the capability (PGTT types without
 *   ECAP.FLTS/SLTS/NEST/PT, SLADE without ECAP.SLADS, EAFE without
 *   ECAP.EAFS, SRE without ECAP.SRS, ERE without ECAP.ERS, FLPM=5-level
 *   without CAP.FL5LP) and AW outside CAP.SAGAW for PGTT 2/3 make the entry
 *   invalid (5Bh, SPT.4).
 * - The pointer that a PGTT does not use is not checked.
 */
#include <string.h>

#include "translate.h"

static uint64_t did_rsvd_mask(const struct vtd *v)
{
	unsigned int bits = 4 + 2 * (unsigned int)VTD_CAP_ND(v->cfg.cap);

	return bits >= 16 ? 0 : ~((1ULL << bits) - 1) & 0xffff;
}

static int pde_read(struct vtd *v, const uint64_t ce[4], uint32_t pasid,
		    uint64_t *pde)
{
	uint64_t dir = ce[0] & VTD_SM_CTX_LO_PASIDDIRPTR_MASK;

	return vtd_mem_read64(v,
			      dir + (uint64_t)VTD_PASID_DIR_INDEX(pasid) *
					      VTD_PASID_DIR_SIZE,
			      pde, VTD_ST_PASID_DIR_ENTRY, 0);
}

static int pte_read(struct vtd *v, uint64_t pde, uint32_t pasid, uint64_t pe[8])
{
	uint64_t tbl = pde & VTD_PDE_SMPTBLPTR_MASK;

	return vtd_mem_read(v,
			    tbl + (uint64_t)VTD_PASID_TBL_INDEX(pasid) *
					    VTD_PASID_ENTRY_SIZE,
			    pe, VTD_PASID_ENTRY_SIZE, VTD_ST_PASID_TABLE_ENTRY,
			    0);
}

int vtd_pasid_read_raw(struct vtd *v, const uint64_t ce[4], uint32_t pasid,
		       uint64_t pe[8])
{
	uint64_t pde;

	memset(pe, 0, VTD_PASID_ENTRY_SIZE);
	if (pde_read(v, ce, pasid, &pde) || !(pde & VTD_PDE_P))
		return -1;
	return pte_read(v, pde, pasid, pe);
}

static bool pgtt_supported(const struct vtd *v, unsigned int pgtt)
{
	switch (pgtt) {
	case VTD_PGTT_FL:
		return v->cfg.ecap & VTD_ECAP_FLTS;
	case VTD_PGTT_SL:
		return v->cfg.ecap & VTD_ECAP_SLTS;
	case VTD_PGTT_NESTED:
		return v->cfg.ecap & VTD_ECAP_NEST;
	case VTD_PGTT_PT:
		return v->cfg.ecap & VTD_ECAP_PT;
	default:
		return false;
	}
}

static bool pe_reserved(const struct vtd *v, const uint64_t pe[8])
{
	int i;

	if ((pe[0] & VTD_PTE0_RSVD) || (pe[1] & VTD_PTE1_RSVD) ||
	    (pe[2] & VTD_PTE2_RSVD) || (VTD_PTE1_DID(pe[1]) & did_rsvd_mask(v)))
		return true;
	for (i = 3; i < 8; i++)
		if (pe[i])
			return true;
	return false;
}

static bool pe_valid(const struct vtd *v, const uint64_t pe[8])
{
	unsigned int pgtt = (unsigned int)VTD_PTE0_PGTT(pe[0]);
	unsigned int aw = (unsigned int)VTD_PTE0_AW(pe[0]);
	unsigned int flpm = (unsigned int)VTD_PTE2_FLPM(pe[2]);
	uint64_t cap = v->cfg.cap, ecap = v->cfg.ecap;
	bool fl = pgtt == VTD_PGTT_FL || pgtt == VTD_PGTT_NESTED;
	bool sl = pgtt == VTD_PGTT_SL || pgtt == VTD_PGTT_NESTED;

	if (!pgtt_supported(v, pgtt))
		return false;
	if (sl && (aw < 1 || aw > 3 || !(VTD_CAP_SAGAW(cap) & (1u << aw))))
		return false;
	if ((pe[0] & VTD_PTE0_SLADE) && !(ecap & VTD_ECAP_SLADS))
		return false;
	if ((pe[2] & VTD_PTE2_EAFE) && !(ecap & VTD_ECAP_EAFS))
		return false;
	if ((pe[2] & VTD_PTE2_SRE) && !(ecap & VTD_ECAP_SRS))
		return false;
	if ((pe[2] & VTD_PTE2_ERE) && !(ecap & VTD_ECAP_ERS))
		return false;
	if (fl && (flpm > 1 || (flpm == 1 && !(cap & VTD_CAP_FL5LP))))
		return false;
	return true;
}

/*
 * Fetch and check the PASID-table entry for x->pasid into x->pe; FPD of
 * the directory and table entries accumulates into x->fpd (evaluated
 * irrespective of P).
 */
int vtd_pasid_fetch(struct vtd_xlate *x)
{
	struct vtd *v = x->v;
	uint64_t pde;

	if (pde_read(v, x->ce, x->pasid, &pde))
		return VTD_FR_SM_PDE_ACCESS;
	x->fpd |= (pde & VTD_PDE_FPD) != 0;
	if (!(pde & VTD_PDE_P))
		return VTD_FR_SM_PDE_NOT_PRESENT;
	if ((pde & VTD_PDE_RSVD) ||
	    ((pde & VTD_PDE_SMPTBLPTR_MASK) & ~vtd_haw_mask(v)))
		return VTD_FR_SM_PDE_RSVD;
	if (pte_read(v, pde, x->pasid, x->pe))
		return VTD_FR_SM_PTE_ACCESS;
	x->fpd |= (x->pe[0] & VTD_PTE0_FPD) != 0;
	if (!(x->pe[0] & VTD_PTE0_P))
		return VTD_FR_SM_PTE_NOT_PRESENT;
	if (pe_reserved(v, x->pe))
		return VTD_FR_SM_PTE_RSVD;
	if (!pe_valid(v, x->pe))
		return VTD_FR_SM_PTE_INVALID;
	return 0;
}
