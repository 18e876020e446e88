// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: invalidation queue errors and the driver's
 * recovery from them. A descriptor the unit refuses (an IOTLB invalidation
 * with granularity 0: Invalidation Queue Error, IQH left on it) makes
 * qi_submit_sync() report it, replace it with its wait descriptor and
 * return -EINVAL; a device-TLB invalidation to a requester ID nobody
 * answers (Invalidation Time-out Error after the unit's timeout) makes it
 * abort the waits behind it and give up on the absent device. Afterwards the
 * queue works: maps, unmaps and their invalidations as usual.
 */
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/dmar.h>
#include <linux/sizes.h>
#include "iommu.h"
#include "ks_scenario.h"

#define QE_IOVA	  0x700000UL
#define QE_NO_SID 0x0100 /* 01:00.0: no such device */

int sc_inv_queue_errors(void)
{
	struct device *dev = sc_dev(BDF_PLAIN);
	struct intel_iommu *iommu;
	struct qi_desc bad = {.qw0 = QI_IOTLB_TYPE}; /* G = 0: invalid */
	struct iommu_domain *d;
	phys_addr_t pa;
	u64 inv0;
	int r;

	if (sc_up())
		return 0;
	iommu = sc_info(dev)->iommu;
	/* the driver's dump: the reason (IQEI 4, a reserved field), the
	 * refused descriptor, the one before it (the last wait) */
	ks_expect_err("DMAR: VT-d detected Invalidation Queue Error: Reason 4");
	ks_expect_err("DMAR: QI HEAD: IOTLB Invalidation qw0 = 0x2, qw1 = 0x0");
	ks_allow_err("DMAR: QI PRIOR: Invalidation Wait qw0 = ");
	ks_expect_inv_error();
	r = qi_submit_sync(iommu, &bad, 1, 0);
	KCHECK(r == -EINVAL, "an invalid descriptor: %d, want %d", r, -EINVAL);
	KCHECK(!(vh_unit_reg32(0, DMAR_FSTS_REG) & DMA_FSTS_IQE),
	       "IQE left set");
	/* a device-TLB invalidation nobody completes (no PFSID: the unit
	 * does not report DIT); the dump names the requester ID */
	ks_expect_err(
		"DMAR: VT-d detected Invalidation Time-out Error: SID 100");
	ks_allow_err("DMAR: QI HEAD: ");
	ks_allow_err("DMAR: QI PRIOR: ");
	ks_expect_inv_error();
	qi_flush_dev_iotlb(iommu, QE_NO_SID, 0, 32, 0, MAX_AGAW_PFN_WIDTH);
	KCHECK(!(vh_unit_reg32(0, DMAR_FSTS_REG) & DMA_FSTS_ITE),
	       "ITE left set");
	/* the queue works on: a domain's map, DMA, unmap and its flush */
	d = sc_one_page_domain(BDF_PLAIN, QE_IOVA, &pa);
	if (!d)
		return 0;
	inv0 = vh_stat("iotlb_inv");
	KCHECK(iommu_unmap(d, QE_IOVA, SZ_4K) == SZ_4K, "unmap");
	KCHECK(vh_stat("iotlb_inv") > inv0, "no invalidation after the errors");
	sc_expect_fail(BDF_PLAIN, false, 0, false, QE_IOVA + 8, VK_DMA_FAULT);
	iommu_detach_device(d, dev);
	iommu_domain_free(d);
	return 0;
}
