/* SPDX-License-Identifier: MIT */
/*
 * PCI Express configuration space of a simulated endpoint: the type 0
 * header, the PCI Express capability and the PASID, ATS and PRI extended
 * capabilities. Written from the PCI Express Base Specification (chapters 7
 * and 10) and cross-checked against include/uapi/linux/pci_regs.h.
 */
#ifndef VTDSIM_PCIE_CAPS_H
#define VTDSIM_PCIE_CAPS_H

#define PCIE_CFG_SIZE		4096

/* Type 0 header */
#define PCIE_VENDOR_ID		0x00 /* 16 */
#define PCIE_DEVICE_ID		0x02 /* 16 */
#define PCIE_COMMAND		0x04 /* 16 */
#define  PCIE_COMMAND_MEMORY	0x0002
#define  PCIE_COMMAND_MASTER	0x0004
#define PCIE_STATUS		0x06 /* 16 */
#define  PCIE_STATUS_CAP_LIST	0x0010
#define PCIE_CLASS_REVISION	0x08 /* 32: class << 8 | revision */
#define PCIE_HEADER_TYPE	0x0e /* 8 */
#define PCIE_CAPABILITY_LIST	0x34 /* 8 */

/* Capability list (PCI Express capability at the model's fixed place) */
#define PCIE_CAP_ID_EXP		0x10
#define PCIE_EXP_OFFSET		0x40
#define PCIE_EXP_FLAGS		0x02 /* 16: version in 3:0, type in 7:4 */
#define  PCIE_EXP_TYPE_ENDPOINT	0x0
#define  PCIE_EXP_TYPE_RC_END	0x9 /* root complex integrated endpoint */

/* Extended capability header: ID 15:0, version 19:16, next 31:20 */
#define PCIE_EXT_CAP_START	0x100
#define PCIE_EXT_CAP_ID(h)	((h) & 0xffff)
#define PCIE_EXT_CAP_VER(h)	(((h) >> 16) & 0xf)
#define PCIE_EXT_CAP_NEXT(h)	(((h) >> 20) & 0xffc)
#define PCIE_EXT_CAP_ID_ATS	0x0f
#define PCIE_EXT_CAP_ID_PRI	0x13
#define PCIE_EXT_CAP_ID_PASID	0x1b

/* ATS extended capability (10.5.1) */
#define PCIE_ATS_CAP		0x04 /* 16 */
#define  PCIE_ATS_CAP_QDEP(x)	((x) & 0x1f) /* invalidate queue depth, 0=32 */
#define  PCIE_ATS_CAP_PAGE_ALIGNED 0x0020
#define  PCIE_ATS_CAP_GLOBAL_INV 0x0040
#define PCIE_ATS_CTRL		0x06 /* 16 */
#define  PCIE_ATS_CTRL_ENABLE	0x8000
#define  PCIE_ATS_CTRL_STU(x)	((x) & 0x1f) /* 2^(12+STU) bytes */

/* PRI extended capability (10.5.2) */
#define PCIE_PRI_CTRL		0x04 /* 16 */
#define  PCIE_PRI_CTRL_ENABLE	0x0001
#define  PCIE_PRI_CTRL_RESET	0x0002
#define PCIE_PRI_STATUS		0x06 /* 16 */
#define  PCIE_PRI_STATUS_RF	0x0001 /* response failure (RW1C) */
#define  PCIE_PRI_STATUS_UPRGI	0x0002 /* unexpected PRG index (RW1C) */
#define  PCIE_PRI_STATUS_STOPPED 0x0100
#define  PCIE_PRI_STATUS_PASID	0x8000 /* PRG response PASID required */
#define PCIE_PRI_MAX_REQ	0x08 /* 32: outstanding page request capacity */
#define PCIE_PRI_ALLOC_REQ	0x0c /* 32: outstanding page request allocation */

/* PASID extended capability (7.8.9) */
#define PCIE_PASID_CAP		0x04 /* 16 */
#define  PCIE_PASID_CAP_EXEC	0x0002
#define  PCIE_PASID_CAP_PRIV	0x0004
#define  PCIE_PASID_CAP_WIDTH(c) (((c) >> 8) & 0x1f)
#define PCIE_PASID_CTRL		0x06 /* 16 */
#define  PCIE_PASID_CTRL_ENABLE	0x0001
#define  PCIE_PASID_CTRL_EXEC	0x0002
#define  PCIE_PASID_CTRL_PRIV	0x0004

/* ATS translation completion data entry (10.2.3) */
#define PCIE_ATS_CPL_R		(1ULL << 0)
#define PCIE_ATS_CPL_W		(1ULL << 1)
#define PCIE_ATS_CPL_U		(1ULL << 2)  /* untranslated access only */
#define PCIE_ATS_CPL_EXE	(1ULL << 3)
#define PCIE_ATS_CPL_PRIV	(1ULL << 4)
#define PCIE_ATS_CPL_GLOBAL	(1ULL << 5)
#define PCIE_ATS_CPL_N		(1ULL << 10) /* non-snooped */
#define PCIE_ATS_CPL_S		(1ULL << 11) /* size: see address bits */
#define PCIE_ATS_CPL_ADDR_MASK	(~0xfffULL)

/* PRG response codes (10.4.2.1) */
#define PCIE_PRG_RESP_SUCCESS	0x0
#define PCIE_PRG_RESP_INVALID	0x1
#define PCIE_PRG_RESP_FAILURE	0xf

#endif /* VTDSIM_PCIE_CAPS_H */
