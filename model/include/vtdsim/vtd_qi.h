/* SPDX-License-Identifier: MIT */
/*
 * VT-d invalidation queue descriptors (spec rev 4.x/5.0, 6.5.2).
 *
 * Descriptors are 128 bits (qw0, qw1) or, with IQA.DW=1, 256 bits
 * (qw0..qw3, where qw2/qw3 are reserved except where noted). Cross-checked
 * against the Linux driver's QI_* definitions in drivers/iommu/intel/iommu.h.
 */
#ifndef VTDSIM_VTD_QI_H
#define VTDSIM_VTD_QI_H

#include "vtd_regs.h"

/* Descriptor type: bits 3:0 with bits 11:9 as type[6:4]. */
#define VTD_QI_TYPE(qw0)	(VTD_FIELD(qw0, 3, 0) | (VTD_FIELD(qw0, 11, 9) << 4))
#define VTD_QI_CC		0x1 /* context-cache invalidate */
#define VTD_QI_IOTLB		0x2 /* IOTLB invalidate */
#define VTD_QI_DIOTLB		0x3 /* device-TLB invalidate */
#define VTD_QI_IEC		0x4 /* interrupt entry cache invalidate */
#define VTD_QI_IWD		0x5 /* invalidation wait */
#define VTD_QI_PIOTLB		0x6 /* PASID-based IOTLB invalidate */
#define VTD_QI_PC		0x7 /* PASID-cache invalidate */
#define VTD_QI_PDIOTLB		0x8 /* PASID-based device-TLB invalidate */
#define VTD_QI_PGRP_RESP	0x9 /* page group response */
#define VTD_QI_TYPE_COUNT	0x10

/* Granularity, qw0 bits 5:4 (meaning depends on the type). */
#define VTD_QI_G(qw0)		VTD_FIELD(qw0, 5, 4)
#define VTD_QI_G_SHIFT		4
#define VTD_QI_DID(qw0)		VTD_FIELD(qw0, 31, 16)
#define VTD_QI_DID_SHIFT	16
#define VTD_QI_PASID(qw0)	VTD_FIELD(qw0, 51, 32)
#define VTD_QI_PASID_SHIFT	32

/* Context-cache invalidate */
#define VTD_QI_CC_G_GLOBAL	1
#define VTD_QI_CC_G_DOMAIN	2
#define VTD_QI_CC_G_DEVICE	3
#define VTD_QI_CC_SID(qw0)	VTD_FIELD(qw0, 47, 32)
#define VTD_QI_CC_SID_SHIFT	32
#define VTD_QI_CC_FM(qw0)	VTD_FIELD(qw0, 49, 48)
#define VTD_QI_CC_FM_SHIFT	48
#define VTD_QI_CC_RSVD0		(VTD_GENMASK(8, 6) | VTD_GENMASK(15, 12) | \
				 VTD_GENMASK(63, 50))

/* IOTLB invalidate */
#define VTD_QI_IOTLB_G_GLOBAL	1
#define VTD_QI_IOTLB_G_DOMAIN	2
#define VTD_QI_IOTLB_G_PAGE	3
#define VTD_QI_IOTLB_DW		VTD_BIT(6)
#define VTD_QI_IOTLB_DR		VTD_BIT(7)
#define VTD_QI_IOTLB_RSVD0	(VTD_BIT(8) | VTD_GENMASK(15, 12) | \
				 VTD_GENMASK(63, 32))
/* qw1 of IOTLB and PASID-based IOTLB invalidate */
#define VTD_QI_ADDR_MASK	VTD_GENMASK(63, 12)
#define VTD_QI_IH		VTD_BIT(6)
#define VTD_QI_AM(qw1)		VTD_FIELD(qw1, 5, 0)
#define VTD_QI_ADDR_RSVD1	VTD_GENMASK(11, 7)

/* Device-TLB invalidate */
#define VTD_QI_DIOTLB_PFSID(qw0) (VTD_FIELD(qw0, 15, 12) | \
				  (VTD_FIELD(qw0, 63, 52) << 4))
#define VTD_QI_DIOTLB_MIP(qw0)	VTD_FIELD(qw0, 20, 16)
#define VTD_QI_DIOTLB_SID(qw0)	VTD_FIELD(qw0, 47, 32)
#define VTD_QI_DIOTLB_S		VTD_BIT(0) /* qw1: size field present */

/* Interrupt entry cache invalidate */
#define VTD_QI_IEC_G		VTD_BIT(4) /* 1: index-selective */
#define VTD_QI_IEC_IM(qw0)	VTD_FIELD(qw0, 31, 27)
#define VTD_QI_IEC_IIDX(qw0)	VTD_FIELD(qw0, 47, 32)

/* Invalidation wait */
#define VTD_QI_IWD_IF		VTD_BIT(4) /* interrupt flag */
#define VTD_QI_IWD_SW		VTD_BIT(5) /* status write */
#define VTD_QI_IWD_FN		VTD_BIT(6) /* fence */
#define VTD_QI_IWD_PD		VTD_BIT(7) /* page request drain */
#define VTD_QI_IWD_SDATA(qw0)	VTD_FIELD(qw0, 63, 32)
#define VTD_QI_IWD_SDATA_SHIFT	32
#define VTD_QI_IWD_SADDR_MASK	VTD_GENMASK(63, 2) /* qw1 */
#define VTD_QI_IWD_RSVD0	(VTD_BIT(8) | VTD_GENMASK(31, 12))
#define VTD_QI_IWD_RSVD1	VTD_GENMASK(1, 0)

/* PASID-based IOTLB invalidate */
#define VTD_QI_PIOTLB_G_PASID	2 /* non-globals within PASID */
#define VTD_QI_PIOTLB_G_PAGE	3 /* page-selective within PASID */
#define VTD_QI_PIOTLB_RSVD0	(VTD_GENMASK(8, 6) | VTD_GENMASK(15, 12) | \
				 VTD_GENMASK(63, 52))

/* PASID-cache invalidate */
#define VTD_QI_PC_G_DOMAIN	0 /* all PASIDs of a DID */
#define VTD_QI_PC_G_PASID	1 /* one PASID of a DID */
#define VTD_QI_PC_G_GLOBAL	3
#define VTD_QI_PC_RSVD0		(VTD_GENMASK(8, 6) | VTD_GENMASK(15, 12) | \
				 VTD_GENMASK(63, 52))

/* PASID-based device-TLB invalidate */
#define VTD_QI_PDIOTLB_MIP(qw0)	VTD_FIELD(qw0, 8, 4)
#define VTD_QI_PDIOTLB_PFSID(qw0) (VTD_FIELD(qw0, 15, 12) | \
				   (VTD_FIELD(qw0, 63, 52) << 4))
#define VTD_QI_PDIOTLB_SID(qw0)	VTD_FIELD(qw0, 31, 16)
#define VTD_QI_PDIOTLB_G	VTD_BIT(0) /* qw1: all PASIDs */
#define VTD_QI_PDIOTLB_S	VTD_BIT(11) /* qw1: size field present */

/* Page group response */
#define VTD_QI_PGRP_PASID_P	VTD_BIT(4)
#define VTD_QI_PGRP_PDP		VTD_BIT(5) /* rev 3.x only: private data */
#define VTD_QI_PGRP_RESP_CODE(qw0) VTD_FIELD(qw0, 15, 12)
#define VTD_QI_PGRP_RID(qw0)	VTD_FIELD(qw0, 31, 16)
#define VTD_QI_PGRP_LPIG	VTD_BIT(2) /* qw1 */
#define VTD_QI_PGRP_PRGI(qw1)	VTD_FIELD(qw1, 11, 3)
#define VTD_QI_RESP_SUCCESS	0x0
#define VTD_QI_RESP_INVALID	0x1
#define VTD_QI_RESP_FAILURE	0xf

#endif /* VTDSIM_VTD_QI_H */
