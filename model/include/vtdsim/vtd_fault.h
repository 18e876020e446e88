/* SPDX-License-Identifier: MIT */
/*
 * VT-d DMA-remapping fault reasons (spec rev 4.x/5.0, 7.1.3 and
 * appendix "Non-Recoverable Fault Reason Encodings"). Legacy-mode codes are
 * 01h-0Dh; scalable-mode codes are 30h-90h. The identifiers carry the spec's
 * condition labels (LRT/LCT/LSL for legacy root/context/second-level,
 * SRTA/SCT/SPD/SPT/SFL/SSL/SGN for scalable mode). Cross-checked against
 * dma_remap_fault_reasons[] and dma_remap_sm_fault_reasons[] in the Linux
 * driver's dmar.c.
 */
#ifndef VTDSIM_VTD_FAULT_H
#define VTDSIM_VTD_FAULT_H

enum vtd_fault_reason {
	VTD_FR_NONE = 0x00,
	/* legacy mode */
	VTD_FR_ROOT_NOT_PRESENT = 0x01,	   /* LRT.2: root entry P clear */
	VTD_FR_CTX_NOT_PRESENT = 0x02,	   /* LCT.2: context entry P clear */
	VTD_FR_CTX_INVALID = 0x03,	   /* LCT.4.x: bad TT/AW/SLPTPTR */
	VTD_FR_ADDR_BEYOND_MGAW = 0x04,	   /* LGN.1: input beyond MGAW/AGAW */
	VTD_FR_PTE_WRITE = 0x05,	   /* LGN.3: write to non-writable */
	VTD_FR_PTE_READ = 0x06,		   /* LGN.2: read of non-readable */
	VTD_FR_NEXT_PTR_INVALID = 0x07,	   /* LSL.1: error reading a PTE */
	VTD_FR_ROOT_ADDR_INVALID = 0x08,   /* LRT.1: error reading root */
	VTD_FR_CTX_PTR_INVALID = 0x09,	   /* LCT.1: error reading context */
	VTD_FR_ROOT_RSVD = 0x0a,	   /* LRT.3: reserved bit in root */
	VTD_FR_CTX_RSVD = 0x0b,		   /* LCT.3: reserved bit in context */
	VTD_FR_PTE_RSVD = 0x0c,		   /* LSL.2: reserved bit in PTE */
	VTD_FR_TT_BLOCKED = 0x0d,	   /* LCT.5: TR with TT=00/10 */
	VTD_FR_INTR_ADDR = 0x0e,	   /* LGN.4: output in interrupt range */
	/* scalable mode: root (SRTA) */
	VTD_FR_SM_RTADDR_INVALID = 0x30,   /* SRTA.1.1 */
	VTD_FR_SM_TTM_PASID = 0x31,	   /* SRTA.1.2: legacy TTM, PASID req */
	VTD_FR_SM_TTM_PGREQ = 0x32,	   /* SRTA.1.3: legacy TTM, page req */
	VTD_FR_SM_ROOT_ACCESS = 0x38,	   /* SRTA.2 */
	VTD_FR_SM_ROOT_NOT_PRESENT = 0x39, /* SRTA.3 */
	VTD_FR_SM_ROOT_RSVD = 0x3a,	   /* SRTA.4 */
	/* scalable mode: context (SCT) */
	VTD_FR_SM_CTX_ACCESS = 0x40,	   /* SCT.1 */
	VTD_FR_SM_CTX_NOT_PRESENT = 0x41,  /* SCT.2 */
	VTD_FR_SM_CTX_RSVD = 0x42,	   /* SCT.3 */
	VTD_FR_SM_CTX_INVALID = 0x43,	   /* SCT.4 */
	VTD_FR_SM_CTX_DTE = 0x44,	   /* SCT.5: TR/translated, DTE=0 */
	VTD_FR_SM_CTX_PASIDE = 0x45,	   /* SCT.6: PASID req, PASIDE=0 */
	VTD_FR_SM_CTX_PASID_RANGE = 0x46,  /* SCT.7: PASID beyond PDTS */
	VTD_FR_SM_CTX_PRE = 0x47,	   /* SCT.8: page req, PRE=0 */
	VTD_FR_SM_CTX_RID_PASID = 0x48,	   /* SCT.9: RID_PASID beyond PDTS */
	/* scalable mode: PASID directory (SPD) */
	VTD_FR_SM_PDE_ACCESS = 0x50,	   /* SPD.1 */
	VTD_FR_SM_PDE_NOT_PRESENT = 0x51,  /* SPD.2 */
	VTD_FR_SM_PDE_RSVD = 0x52,	   /* SPD.3 */
	/* scalable mode: PASID table (SPT) */
	VTD_FR_SM_PTE_ACCESS = 0x58,	   /* SPT.1 */
	VTD_FR_SM_PTE_NOT_PRESENT = 0x59,  /* SPT.2 */
	VTD_FR_SM_PTE_RSVD = 0x5a,	   /* SPT.3 */
	VTD_FR_SM_PTE_INVALID = 0x5b,	   /* SPT.4: bad PGTT/AW/FLPM */
	VTD_FR_SM_PTE_ERE = 0x5c,	   /* SPT.5: exec req, ERE=0 */
	VTD_FR_SM_PTE_SRE = 0x5d,	   /* SPT.6: priv req, SRE=0 */
	/* scalable mode: first level (SFL) */
	VTD_FR_SM_FL_ACCESS = 0x70,	   /* SFL.1 */
	VTD_FR_SM_FL_NOT_PRESENT = 0x71,   /* SFL.2 */
	VTD_FR_SM_FL_RSVD = 0x72,	   /* SFL.3 */
	VTD_FR_SM_FL_PML_ACCESS = 0x73,	   /* SFL.4: top-level FL entry access */
	VTD_FR_SM_FL_NESTED_MGAW = 0x74,   /* SFL.5: nested, FL ptr > MGAW */
	VTD_FR_SM_FL_NESTED_PML_READ = 0x75, /* SFL.6: nested, FLPTPTR !R */
	VTD_FR_SM_FL_NESTED_READ = 0x76,   /* SFL.7: nested, FL table !R */
	VTD_FR_SM_FL_NESTED_WRITE = 0x77,  /* SFL.8: nested, A/D update !W */
	/* scalable mode: second level (SSL) */
	VTD_FR_SM_SL_ACCESS = 0x78,	   /* SSL.1 */
	VTD_FR_SM_SL_PERM = 0x79,	   /* SSL.2: R=W=0 (not present) */
	VTD_FR_SM_SL_RSVD = 0x7a,	   /* SSL.3 */
	VTD_FR_SM_SL_PTR_INVALID = 0x7b,   /* SSL.4: SLPTPTR beyond HAW */
	VTD_FR_SM_SL_AD_NOSNOOP = 0x7c,	   /* SSL.5 */
	/* scalable mode: general (SGN) */
	VTD_FR_SM_NONCANONICAL = 0x80,	   /* SGN.1 */
	VTD_FR_SM_US = 0x81,		   /* SGN.2: user req, U/S=0 */
	VTD_FR_SM_XD = 0x82,		   /* SGN.3: exec req, XD/X denies */
	VTD_FR_SM_ADDR_BEYOND_MGAW = 0x83, /* SGN.4: input beyond AW */
	VTD_FR_SM_OUT_BEYOND_HAW = 0x84,   /* SGN.5: SL entry address > HAW */
	VTD_FR_SM_WRITE = 0x85,		   /* SGN.6: no write permission */
	VTD_FR_SM_READ = 0x86,		   /* SGN.7: no read permission */
	VTD_FR_SM_INTR_ADDR = 0x87,	   /* SGN.8: output in interrupt range */
	VTD_FR_SM_FL_AD_NOSNOOP = 0x90,	   /* SFL.9 */
};

#ifdef __cplusplus
extern "C" {
#endif

/* Short description of a fault reason, "unknown" for undefined codes. */
const char *vtd_fault_reason_name(unsigned int reason);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_VTD_FAULT_H */
