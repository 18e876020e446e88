/* SPDX-License-Identifier: MIT */
/*
 * VT-d translation structure layouts: root, context, PASID directory, PASID
 * table and paging entries.
 *
 * Written from the Intel VT-d specification (rev 4.x/5.0, chapter 9,
 * "Translation Structure Formats") and cross-checked against the Linux
 * driver (drivers/iommu/intel/iommu.h context_* helpers, pasid.h pasid_set_*
 * helpers, DMA_PTE_* and DMA_FL_PTE_* bits).
 *
 * Entries are little-endian in memory; multi-qword entries are arrays of
 * uint64_t indexed as the spec indexes 64-bit chunks (val[0] = bits 63:0).
 */
#ifndef VTDSIM_VTD_ENTRIES_H
#define VTDSIM_VTD_ENTRIES_H

#include "vtd_regs.h"

#define VTD_PAGE_SHIFT		12
#define VTD_PAGE_SIZE		(1ULL << VTD_PAGE_SHIFT)
#define VTD_PAGE_MASK		(~(VTD_PAGE_SIZE - 1))
#define VTD_LEVEL_STRIDE	9
#define VTD_ENTRIES_PER_TABLE	512
/* Address bits translated by a paging entry at level 1..5 (4K..256T). */
#define VTD_LEVEL_SHIFT(l)	(VTD_PAGE_SHIFT + VTD_LEVEL_STRIDE * ((l) - 1))
#define VTD_LEVEL_INDEX(a, l)	(((a) >> VTD_LEVEL_SHIFT(l)) & 0x1ff)

/* Root entry, 128 bits (9.1 legacy, 9.2 scalable) */
#define VTD_ROOT_SIZE		16
#define VTD_ROOT_LO_P		VTD_BIT(0)	/* legacy P, scalable LP */
#define VTD_ROOT_LO_CTP_MASK	VTD_GENMASK(63, 12) /* CTP / LCTP */
#define VTD_ROOT_HI_UP		VTD_BIT(0)	/* scalable: upper present */
#define VTD_ROOT_HI_UCTP_MASK	VTD_GENMASK(63, 12)
#define VTD_ROOT_RSVD_LO	VTD_GENMASK(11, 1)
#define VTD_ROOT_LEGACY_RSVD_HI	(~0ULL)
#define VTD_ROOT_SM_RSVD_HI	VTD_GENMASK(11, 1)

/* Legacy context entry, 128 bits (9.3) */
#define VTD_CTX_SIZE		16
#define VTD_CTX_LO_P		VTD_BIT(0)
#define VTD_CTX_LO_FPD		VTD_BIT(1)
#define VTD_CTX_LO_TT(lo)	VTD_FIELD(lo, 3, 2)
#define VTD_CTX_LO_TT_SHIFT	2
#define VTD_CTX_TT_SL		0 /* untranslated requests: second level */
#define VTD_CTX_TT_SL_DT	1 /* as 0, device-TLB (ATS) allowed */
#define VTD_CTX_TT_PT		2 /* pass-through */
#define VTD_CTX_LO_SLPTPTR_MASK	VTD_GENMASK(63, 12)
#define VTD_CTX_LO_RSVD		VTD_GENMASK(11, 4)
#define VTD_CTX_HI_AW(hi)	VTD_FIELD(hi, 2, 0)
#define VTD_CTX_HI_DID(hi)	VTD_FIELD(hi, 23, 8)
#define VTD_CTX_HI_DID_SHIFT	8
#define VTD_CTX_HI_RSVD		(VTD_BIT(7) | VTD_GENMASK(63, 24))
/* AW encodes the second-level depth: 1 = 39-bit/3-level ... 3 = 57-bit */
#define VTD_AW_TO_LEVELS(aw)	((aw) + 2)
#define VTD_AW_TO_WIDTH(aw)	(30 + 9 * (aw))

/* Scalable-mode context entry, 256 bits (9.4) */
#define VTD_SM_CTX_SIZE		32
#define VTD_SM_CTX_LO_P		VTD_BIT(0)
#define VTD_SM_CTX_LO_FPD	VTD_BIT(1)
#define VTD_SM_CTX_LO_DTE	VTD_BIT(2)
#define VTD_SM_CTX_LO_PASIDE	VTD_BIT(3)
#define VTD_SM_CTX_LO_PRE	VTD_BIT(4)
#define VTD_SM_CTX_LO_PDTS(lo)	VTD_FIELD(lo, 11, 9) /* 2^(PDTS+7) entries */
#define VTD_SM_CTX_LO_PDTS_SHIFT 9
#define VTD_SM_CTX_LO_PASIDDIRPTR_MASK VTD_GENMASK(63, 12)
#define VTD_SM_CTX_LO_RSVD	VTD_GENMASK(8, 5)
#define VTD_SM_CTX_HI_RID_PASID(hi) VTD_FIELD(hi, 19, 0)
#define VTD_SM_CTX_HI_RID_PRIV	VTD_BIT(20)
#define VTD_SM_CTX_HI_RSVD	VTD_GENMASK(63, 21)
/* qwords 2 and 3 are reserved */

/* PASID directory entry, 64 bits (9.5) */
#define VTD_PASID_DIR_SIZE	8
#define VTD_PDE_P		VTD_BIT(0)
#define VTD_PDE_FPD		VTD_BIT(1)
#define VTD_PDE_SMPTBLPTR_MASK	VTD_GENMASK(63, 12)
#define VTD_PDE_RSVD		VTD_GENMASK(11, 2)
/* A PASID indexes the directory with bits 19:6, the table with bits 5:0. */
#define VTD_PASID_DIR_INDEX(p)	((p) >> 6)
#define VTD_PASID_TBL_INDEX(p)	((p) & 0x3f)
#define VTD_PASID_MAX		(1U << 20)

/* Scalable-mode PASID table entry, 512 bits (9.6) */
#define VTD_PASID_ENTRY_SIZE	64
/* val[0] */
#define VTD_PTE0_P		VTD_BIT(0)
#define VTD_PTE0_FPD		VTD_BIT(1)
#define VTD_PTE0_AW(v)		VTD_FIELD(v, 4, 2)
#define VTD_PTE0_AW_SHIFT	2
#define VTD_PTE0_SLEE		VTD_BIT(5)
#define VTD_PTE0_PGTT(v)	VTD_FIELD(v, 8, 6)
#define VTD_PTE0_PGTT_SHIFT	6
#define VTD_PTE0_SLADE		VTD_BIT(9)
#define VTD_PTE0_SLPTPTR_MASK	VTD_GENMASK(63, 12)
#define VTD_PTE0_RSVD		VTD_GENMASK(11, 10)
#define VTD_PGTT_FL		1 /* first-level only */
#define VTD_PGTT_SL		2 /* second-level only */
#define VTD_PGTT_NESTED		3
#define VTD_PGTT_PT		4 /* pass-through */
/* val[1] */
#define VTD_PTE1_DID(v)		VTD_FIELD(v, 15, 0)
#define VTD_PTE1_PWSNP		VTD_BIT(23)
#define VTD_PTE1_PGSNP		VTD_BIT(24)
#define VTD_PTE1_CD		VTD_BIT(25)
#define VTD_PTE1_EMTE		VTD_BIT(26)
#define VTD_PTE1_RSVD		VTD_GENMASK(22, 16)
/* val[2] */
#define VTD_PTE2_SRE		VTD_BIT(0)
#define VTD_PTE2_ERE		VTD_BIT(1)
#define VTD_PTE2_FLPM(v)	VTD_FIELD(v, 3, 2) /* 0: 4-level, 1: 5-level */
#define VTD_PTE2_FLPM_SHIFT	2
#define VTD_PTE2_WPE		VTD_BIT(4)
#define VTD_PTE2_SMEP		VTD_BIT(6)
#define VTD_PTE2_EAFE		VTD_BIT(7)
#define VTD_PTE2_FLPTPTR_MASK	VTD_GENMASK(63, 12)
#define VTD_PTE2_RSVD		(VTD_BIT(5) | VTD_GENMASK(11, 8))
/* val[3..7] are reserved */

/* First-level (IA-32e) paging entry (9.7) */
#define VTD_FL_P		VTD_BIT(0)
#define VTD_FL_RW		VTD_BIT(1)
#define VTD_FL_US		VTD_BIT(2)
#define VTD_FL_PWT		VTD_BIT(3)
#define VTD_FL_PCD		VTD_BIT(4)
#define VTD_FL_A		VTD_BIT(5)
#define VTD_FL_D		VTD_BIT(6) /* leaf only */
#define VTD_FL_PS		VTD_BIT(7)
#define VTD_FL_G		VTD_BIT(8)
#define VTD_FL_XD		VTD_BIT(63)
#define VTD_FL_ADDR_MASK	VTD_GENMASK(51, 12)
/* Large leaf: bit 12 is PAT; bits 20:13 (2M) / 29:13 (1G) are reserved. */
#define VTD_FL_LARGE_PAT	VTD_BIT(12)

/* Second-level paging entry (9.8) */
#define VTD_SL_R		VTD_BIT(0)
#define VTD_SL_W		VTD_BIT(1)
#define VTD_SL_X		VTD_BIT(2)
#define VTD_SL_EMT(v)		VTD_FIELD(v, 5, 3) /* leaf only */
#define VTD_SL_IPAT		VTD_BIT(6) /* leaf only */
#define VTD_SL_PS		VTD_BIT(7)
#define VTD_SL_A		VTD_BIT(8)
#define VTD_SL_D		VTD_BIT(9) /* leaf only */
#define VTD_SL_SNP		VTD_BIT(11)
#define VTD_SL_ADDR_MASK	VTD_GENMASK(51, 12)
/*
 * Reserved in non-leaf entries: PS (a non-leaf entry has PS=0; PS=1 where
 * no large page is supported is caught as such) and bit 11; bits 6:3 and
 * 10:9 are ignored. Address bits 51:HAW are reserved too.
 */
#define VTD_SL_NONLEAF_RSVD	(VTD_BIT(7) | VTD_BIT(11))
#define VTD_SL_HI_RSVD		VTD_BIT(62) /* 63 and 61:52 are ignored */

#endif /* VTDSIM_VTD_ENTRIES_H */
