/* SPDX-License-Identifier: MIT */
/*
 * VT-d remapping hardware registers: offsets and bit fields.
 *
 * Written from the Intel VT-d specification (rev 4.x/5.0, chapter 11,
 * "Register Descriptions") and cross-checked against the Linux driver's
 * definitions in drivers/iommu/intel/iommu.h (DMAR_*_REG, cap_*, ecap_*,
 * DMA_GCMD_*, DMA_GSTS_*, DMA_FSTS_*, DMA_CCMD_*, DMA_TLB_*).
 */
#ifndef VTDSIM_VTD_REGS_H
#define VTDSIM_VTD_REGS_H

#include <stdint.h>

#define VTD_BIT(n)		(1ULL << (n))
/* Bits hi..lo inclusive, as the specification writes fields. */
#define VTD_GENMASK(hi, lo)	((~0ULL >> (63 - (hi))) & (~0ULL << (lo)))
#define VTD_FIELD(v, hi, lo)	(((uint64_t)(v) & VTD_GENMASK(hi, lo)) >> (lo))

/* Register offsets (11.4) */
#define VTD_REG_VER		0x000 /* 32: version */
#define VTD_REG_CAP		0x008 /* 64: capability */
#define VTD_REG_ECAP		0x010 /* 64: extended capability */
#define VTD_REG_GCMD		0x018 /* 32: global command */
#define VTD_REG_GSTS		0x01c /* 32: global status */
#define VTD_REG_RTADDR		0x020 /* 64: root table address */
#define VTD_REG_CCMD		0x028 /* 64: context command */
#define VTD_REG_FSTS		0x034 /* 32: fault status */
#define VTD_REG_FECTL		0x038 /* 32: fault event control */
#define VTD_REG_FEDATA		0x03c /* 32: fault event data */
#define VTD_REG_FEADDR		0x040 /* 32: fault event address */
#define VTD_REG_FEUADDR		0x044 /* 32: fault event upper address */
#define VTD_REG_AFLOG		0x058 /* 64: advanced fault log (deprecated) */
#define VTD_REG_PMEN		0x064 /* 32: protected memory enable */
#define VTD_REG_PLMBASE		0x068 /* 32 */
#define VTD_REG_PLMLIMIT	0x06c /* 32 */
#define VTD_REG_PHMBASE		0x070 /* 64 */
#define VTD_REG_PHMLIMIT	0x078 /* 64 */
#define VTD_REG_IQH		0x080 /* 64: invalidation queue head */
#define VTD_REG_IQT		0x088 /* 64: invalidation queue tail */
#define VTD_REG_IQA		0x090 /* 64: invalidation queue address */
#define VTD_REG_ICS		0x09c /* 32: invalidation completion status */
#define VTD_REG_IECTL		0x0a0 /* 32: invalidation event control */
#define VTD_REG_IEDATA		0x0a4 /* 32 */
#define VTD_REG_IEADDR		0x0a8 /* 32 */
#define VTD_REG_IEUADDR		0x0ac /* 32 */
#define VTD_REG_IQERCD		0x0b0 /* 64: invalidation queue error record */
#define VTD_REG_IRTA		0x0b8 /* 64: interrupt remapping table address */
#define VTD_REG_PQH		0x0c0 /* 64: page request queue head */
#define VTD_REG_PQT		0x0c8 /* 64: page request queue tail */
#define VTD_REG_PQA		0x0d0 /* 64: page request queue address */
#define VTD_REG_PRS		0x0dc /* 32: page request status */
#define VTD_REG_PECTL		0x0e0 /* 32: page request event control */
#define VTD_REG_PEDATA		0x0e4 /* 32 */
#define VTD_REG_PEADDR		0x0e8 /* 32 */
#define VTD_REG_PEUADDR		0x0ec /* 32 */
#define VTD_REG_MTRRCAP		0x100 /* 64 */
#define VTD_REG_MTRRDEF		0x108 /* 64 */
#define VTD_REG_VCMD		0xe00 /* 64: virtual command (VT-d 3.x) */
#define VTD_REG_VCRSP		0xe10 /* 64: virtual command response */
#define VTD_REG_VCCAP		0xe30 /* 64: virtual command capability */

/* Where the model places the blocks located by CAP.FRO and ECAP.IRO. */
#define VTD_REG_IVA_DEFAULT	0x500 /* ECAP.IRO * 16: IVA, IOTLB at +8 */
#define VTD_REG_FRCD_DEFAULT	0x600 /* CAP.FRO * 16: 16 bytes per record */
#define VTD_REG_SPACE_SIZE	0x1000

/* VER */
#define VTD_VER_MAX(v)		VTD_FIELD(v, 7, 4)
#define VTD_VER_MIN(v)		VTD_FIELD(v, 3, 0)

/* CAP (11.4.2) */
#define VTD_CAP_ND(c)		VTD_FIELD(c, 2, 0)
#define VTD_CAP_AFL		VTD_BIT(3)
#define VTD_CAP_RWBF		VTD_BIT(4)
#define VTD_CAP_PLMR		VTD_BIT(5)
#define VTD_CAP_PHMR		VTD_BIT(6)
#define VTD_CAP_CM		VTD_BIT(7)
#define VTD_CAP_SAGAW(c)	VTD_FIELD(c, 12, 8)
#define VTD_CAP_SAGAW_3LVL	0x2 /* 39-bit, 3-level */
#define VTD_CAP_SAGAW_4LVL	0x4 /* 48-bit, 4-level */
#define VTD_CAP_SAGAW_5LVL	0x8 /* 57-bit, 5-level */
#define VTD_CAP_MGAW(c)		(VTD_FIELD(c, 21, 16) + 1)
#define VTD_CAP_ZLR		VTD_BIT(22)
#define VTD_CAP_FRO(c)		VTD_FIELD(c, 33, 24)
#define VTD_CAP_SLLPS(c)	VTD_FIELD(c, 37, 34) /* bit0 2M, bit1 1G */
#define VTD_CAP_PSI		VTD_BIT(39)
#define VTD_CAP_NFR(c)		(VTD_FIELD(c, 47, 40) + 1)
#define VTD_CAP_MAMV(c)		VTD_FIELD(c, 53, 48)
#define VTD_CAP_DWD		VTD_BIT(54)
#define VTD_CAP_DRD		VTD_BIT(55)
#define VTD_CAP_FL1GP		VTD_BIT(56)
#define VTD_CAP_PI		VTD_BIT(59)
#define VTD_CAP_FL5LP		VTD_BIT(60)
#define VTD_CAP_ECMDS		VTD_BIT(61)
#define VTD_CAP_ESIRTPS		VTD_BIT(62)
#define VTD_CAP_ESRTPS		VTD_BIT(63)
#define VTD_CAP_ND_SHIFT	0
#define VTD_CAP_SAGAW_SHIFT	8
#define VTD_CAP_MGAW_SHIFT	16
#define VTD_CAP_FRO_SHIFT	24
#define VTD_CAP_SLLPS_SHIFT	34
#define VTD_CAP_NFR_SHIFT	40
#define VTD_CAP_MAMV_SHIFT	48
#define VTD_CAP_LAYOUT_MASK	(VTD_GENMASK(33, 24) | VTD_GENMASK(47, 40))

/* ECAP (11.4.3) */
#define VTD_ECAP_C		VTD_BIT(0)
#define VTD_ECAP_QI		VTD_BIT(1)
#define VTD_ECAP_DT		VTD_BIT(2)
#define VTD_ECAP_IR		VTD_BIT(3)
#define VTD_ECAP_EIM		VTD_BIT(4)
#define VTD_ECAP_PT		VTD_BIT(6)
#define VTD_ECAP_SC		VTD_BIT(7)
#define VTD_ECAP_IRO(e)		VTD_FIELD(e, 17, 8)
#define VTD_ECAP_MHMV(e)	VTD_FIELD(e, 23, 20)
#define VTD_ECAP_MTS		VTD_BIT(25)
#define VTD_ECAP_NEST		VTD_BIT(26)
#define VTD_ECAP_PRS		VTD_BIT(29)
#define VTD_ECAP_ERS		VTD_BIT(30)
#define VTD_ECAP_SRS		VTD_BIT(31)
#define VTD_ECAP_NWFS		VTD_BIT(33)
#define VTD_ECAP_EAFS		VTD_BIT(34)
#define VTD_ECAP_PSS(e)		VTD_FIELD(e, 39, 35) /* PASID bits - 1 */
#define VTD_ECAP_PASID		VTD_BIT(40)
#define VTD_ECAP_DIT		VTD_BIT(41)
#define VTD_ECAP_PDS		VTD_BIT(42)
#define VTD_ECAP_SMTS		VTD_BIT(43)
#define VTD_ECAP_VCS		VTD_BIT(44)
#define VTD_ECAP_SLADS		VTD_BIT(45)
#define VTD_ECAP_SLTS		VTD_BIT(46)
#define VTD_ECAP_FLTS		VTD_BIT(47)
#define VTD_ECAP_SMPWCS		VTD_BIT(48)
#define VTD_ECAP_RPS		VTD_BIT(49)
#define VTD_ECAP_PMS		VTD_BIT(51)
#define VTD_ECAP_ADMS		VTD_BIT(52) /* abort-DMA mode */
#define VTD_ECAP_IRO_SHIFT	8
#define VTD_ECAP_MHMV_SHIFT	20
#define VTD_ECAP_PSS_SHIFT	35
#define VTD_ECAP_LAYOUT_MASK	VTD_GENMASK(17, 8)

/* GCMD / GSTS (11.4.4, 11.4.5): a command bit and its status bit match. */
#define VTD_GCMD_CFI		VTD_BIT(23)
#define VTD_GCMD_SIRTP		VTD_BIT(24)
#define VTD_GCMD_IRE		VTD_BIT(25)
#define VTD_GCMD_QIE		VTD_BIT(26)
#define VTD_GCMD_WBF		VTD_BIT(27)
#define VTD_GCMD_EAFL		VTD_BIT(28)
#define VTD_GCMD_SFL		VTD_BIT(29)
#define VTD_GCMD_SRTP		VTD_BIT(30)
#define VTD_GCMD_TE		VTD_BIT(31)
#define VTD_GSTS_CFIS		VTD_BIT(23)
#define VTD_GSTS_IRTPS		VTD_BIT(24)
#define VTD_GSTS_IRES		VTD_BIT(25)
#define VTD_GSTS_QIES		VTD_BIT(26)
#define VTD_GSTS_WBFS		VTD_BIT(27)
#define VTD_GSTS_AFLS		VTD_BIT(28)
#define VTD_GSTS_FLS		VTD_BIT(29)
#define VTD_GSTS_RTPS		VTD_BIT(30)
#define VTD_GSTS_TES		VTD_BIT(31)

/* RTADDR (11.4.6): TTM 00 legacy, 01 scalable, 11 abort-DMA mode */
#define VTD_RTADDR_RTA_MASK	VTD_GENMASK(63, 12)
#define VTD_RTADDR_TTM(r)	VTD_FIELD(r, 11, 10)
#define VTD_RTADDR_TTM_LEGACY	0
#define VTD_RTADDR_TTM_SCALABLE	1
#define VTD_RTADDR_TTM_ABORT	3
#define VTD_RTADDR_TTM_SHIFT	10

/* CCMD (11.4.7) */
#define VTD_CCMD_ICC		VTD_BIT(63)
#define VTD_CCMD_CIRG(c)	VTD_FIELD(c, 62, 61)
#define VTD_CCMD_CAIG(c)	VTD_FIELD(c, 60, 59)
#define VTD_CCMD_FM(c)		VTD_FIELD(c, 33, 32)
#define VTD_CCMD_SID(c)		VTD_FIELD(c, 31, 16)
#define VTD_CCMD_DID(c)		VTD_FIELD(c, 15, 0)
#define VTD_CCMD_CIRG_SHIFT	61
#define VTD_CCMD_CAIG_SHIFT	59
#define VTD_INV_GLOBAL		1 /* granularity codes shared by CCMD/IOTLB */
#define VTD_INV_DOMAIN		2
#define VTD_INV_DEVICE		3 /* CCMD: device-selective */
#define VTD_INV_PAGE		3 /* IOTLB: page-selective-within-domain */

/* IOTLB register (at IRO*16 + 8) and IVA (at IRO*16) (11.4.8) */
#define VTD_IOTLB_IVT		VTD_BIT(63)
#define VTD_IOTLB_IIRG(c)	VTD_FIELD(c, 61, 60)
#define VTD_IOTLB_IAIG(c)	VTD_FIELD(c, 58, 57)
#define VTD_IOTLB_DR		VTD_BIT(49)
#define VTD_IOTLB_DW		VTD_BIT(48)
#define VTD_IOTLB_DID(c)	VTD_FIELD(c, 47, 32)
#define VTD_IOTLB_IIRG_SHIFT	60
#define VTD_IOTLB_IAIG_SHIFT	57
#define VTD_IVA_ADDR_MASK	VTD_GENMASK(63, 12)
#define VTD_IVA_IH		VTD_BIT(6)
#define VTD_IVA_AM(v)		VTD_FIELD(v, 5, 0)

/* FSTS (11.4.9.1) */
#define VTD_FSTS_PFO		VTD_BIT(0)
#define VTD_FSTS_PPF		VTD_BIT(1) /* read-only: OR of all FRCD.F */
#define VTD_FSTS_IQE		VTD_BIT(4)
#define VTD_FSTS_ICE		VTD_BIT(5)
#define VTD_FSTS_ITE		VTD_BIT(6)
#define VTD_FSTS_PRO		VTD_BIT(7) /* deprecated position, kept */
#define VTD_FSTS_FRI(s)		VTD_FIELD(s, 15, 8)
#define VTD_FSTS_FRI_SHIFT	8
#define VTD_FSTS_RW1C		(VTD_FSTS_PFO | VTD_FSTS_IQE | VTD_FSTS_ICE | \
				 VTD_FSTS_ITE | VTD_FSTS_PRO)

/* FECTL / IECTL / PECTL: interrupt mask and pending (11.4.9.2) */
#define VTD_ECTL_IM		VTD_BIT(31)
#define VTD_ECTL_IP		VTD_BIT(30)

/* Fault recording register, 128 bits (11.4.14) */
#define VTD_FRCD_LO_FI_MASK	VTD_GENMASK(63, 12) /* faulting info/address */
#define VTD_FRCD_HI_SID(h)	VTD_FIELD(h, 15, 0)
#define VTD_FRCD_HI_T2		VTD_BIT(28) /* type bit 2 */
#define VTD_FRCD_HI_PRIV	VTD_BIT(29) /* PRIV (privilege mode) */
#define VTD_FRCD_HI_EXE		VTD_BIT(30) /* EXE (execute) */
#define VTD_FRCD_HI_PP		VTD_BIT(31) /* PASID present */
#define VTD_FRCD_HI_FR(h)	VTD_FIELD(h, 39, 32) /* fault reason */
#define VTD_FRCD_HI_PV(h)	VTD_FIELD(h, 59, 40) /* PASID value */
#define VTD_FRCD_HI_AT(h)	VTD_FIELD(h, 61, 60) /* address type */
#define VTD_FRCD_HI_T1		VTD_BIT(62) /* type: 0 write, 1 read */
#define VTD_FRCD_HI_F		VTD_BIT(63) /* fault */
#define VTD_FRCD_HI_FR_SHIFT	32
#define VTD_FRCD_HI_PV_SHIFT	40
#define VTD_FRCD_HI_AT_SHIFT	60

/* IQH / IQT (11.4.10): descriptor index in bits 18:4 (128-bit) */
#define VTD_IQ_PTR_MASK		VTD_GENMASK(18, 4)
/* IQA (11.4.10.3) */
#define VTD_IQA_IQA_MASK	VTD_GENMASK(63, 12)
#define VTD_IQA_DW		VTD_BIT(11) /* 1: 256-bit descriptors */
#define VTD_IQA_QS(a)		VTD_FIELD(a, 2, 0)
/* ICS (11.4.10.4) */
#define VTD_ICS_IWC		VTD_BIT(0)
/* IQERCD (11.4.10.8) */
#define VTD_IQERCD_IQEI(r)	VTD_FIELD(r, 3, 0)
#define VTD_IQERCD_ITESID(r)	VTD_FIELD(r, 47, 32)
#define VTD_IQERCD_ICESID(r)	VTD_FIELD(r, 63, 48)
#define VTD_IQERCD_ITESID_SHIFT	32
#define VTD_IQERCD_ICESID_SHIFT	48
/* IQEI values (11.4.9.9) */
#define VTD_IQEI_INFO		0 /* info from IQH descriptor (legacy) */
#define VTD_IQEI_TAIL		1 /* invalid tail pointer (beyond queue) */
#define VTD_IQEI_FETCH		2 /* descriptor fetch error */
#define VTD_IQEI_TYPE		3 /* invalid descriptor type (or not in TTM) */
#define VTD_IQEI_RSVD		4 /* reserved field set */
#define VTD_IQEI_DW		5 /* invalid descriptor width */
#define VTD_IQEI_TAIL_ALIGN	6 /* IQA.DW=1 and IQT[4] set */
#define VTD_IQEI_TTM		7 /* invalid (reserved) RTADDR.TTM */

/* PQH / PQT / PQA / PRS (11.4.11) */
#define VTD_PQ_PTR_MASK		VTD_GENMASK(18, 5)
#define VTD_PQA_PQA_MASK	VTD_GENMASK(63, 12)
#define VTD_PQA_PQS(a)		VTD_FIELD(a, 2, 0)
#define VTD_PRS_PPR		VTD_BIT(0)
#define VTD_PRS_PRO		VTD_BIT(1)

/* VCMD / VCRSP / VCCAP (VT-d 3.x, 10.4.43-45; encoding as Linux 5.x's
 * pasid.h after its VT-d 3.3 update) */
#define VTD_VCCAP_PAS		VTD_BIT(0) /* PASID allocation supported */
#define VTD_VCMD_CMD(c)		VTD_FIELD(c, 7, 0)
#define VTD_VCMD_OPERAND(c)	VTD_FIELD(c, 63, 16)
#define VTD_VCMD_OPERAND_SHIFT	16
#define VTD_VCMD_ALLOC_PASID	1
#define VTD_VCMD_FREE_PASID	2
#define VTD_VCRSP_IP		VTD_BIT(0) /* in progress */
#define VTD_VCRSP_SC(r)		VTD_FIELD(r, 7, 1)
#define VTD_VCRSP_SC_SHIFT	1
#define VTD_VCRSP_RESULT(r)	VTD_FIELD(r, 63, 16)
#define VTD_VCRSP_RESULT_SHIFT	16
#define VTD_VCRSP_SC_SUCCESS	0
#define VTD_VCRSP_SC_UNDEFINED	1  /* undefined / unsupported command */
#define VTD_VCRSP_SC_NO_PASID	16 /* allocate: no PASID available */
#define VTD_VCRSP_SC_INVALID_PASID 16 /* free: PASID not allocated */

#endif /* VTDSIM_VTD_REGS_H */
