/* SPDX-License-Identifier: MIT */
/*
 * VT-d page request descriptor, as the page request queue engine writes it
 * into the ring at PQA (spec rev 4.x/5.0, 7.5.1). 256 bits; qw2/qw3 are
 * reserved (zero). Up to rev 3.x, PDP (qw0 bit 9) said qw2/qw3 carried the
 * request's private data; the unit writes that layout when VER reports a
 * major version below 4. Cross-checked against struct page_req_dsc in the
 * Linux 6.12 driver's prq.c (no private data; Linux 5.x had
 * priv_data_present and priv_data[2]).
 */
#ifndef VTDSIM_VTD_PRQ_H
#define VTDSIM_VTD_PRQ_H

#include "vtd_regs.h"

#define VTD_PRQ_DESC_SIZE	32
#define VTD_PRQ_TYPE_PAGE_REQ	0x1

/* qw0 */
#define VTD_PRQ0_TYPE(q)	VTD_FIELD(q, 7, 0)
#define VTD_PRQ0_PASID_P	VTD_BIT(8)
#define VTD_PRQ0_PDP		VTD_BIT(9) /* rev 3.x only: private data present */
#define VTD_PRQ0_RID(q)		VTD_FIELD(q, 31, 16)
#define VTD_PRQ0_RID_SHIFT	16
#define VTD_PRQ0_PASID(q)	VTD_FIELD(q, 51, 32)
#define VTD_PRQ0_PASID_SHIFT	32
#define VTD_PRQ0_EXE		VTD_BIT(52)
#define VTD_PRQ0_PM		VTD_BIT(53) /* privileged mode requested */
/* qw1 */
#define VTD_PRQ1_RD		VTD_BIT(0)
#define VTD_PRQ1_WR		VTD_BIT(1)
#define VTD_PRQ1_LPIG		VTD_BIT(2)
#define VTD_PRQ1_PRGI(q)	VTD_FIELD(q, 11, 3)
#define VTD_PRQ1_PRGI_SHIFT	3
#define VTD_PRQ1_ADDR_MASK	VTD_GENMASK(63, 12)

#endif /* VTDSIM_VTD_PRQ_H */
