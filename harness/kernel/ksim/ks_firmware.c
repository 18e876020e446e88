// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: the DMAR table's structures beyond the DRHDs, as
 * firmware gives them: an RMRR (memory 00:02.0 uses behind the OS's back,
 * which its default domain maps one to one), an ATSR that
 * allows ATS below every root port, an RHSA and a SATC that lists the ATS
 * device 00:05.0 as requiring its ATC. Booted with DMA-API default domains.
 */
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/dmar.h>
#include <linux/sizes.h>
#include "iommu.h"
#include "ks_scenario.h"

#define FW_RMRR_BASE 0x7f00000UL /* host/platform.c's */
#define FW_RMRR_SIZE SZ_1M

/* The RMRR is a direct region of 00:02.0 and nobody else's. */
static void sc_fw_resv(u16 bdf, bool want)
{
	struct device *dev = sc_dev(bdf);
	struct iommu_resv_region *r;
	LIST_HEAD(list);
	bool found = false;

	iommu_get_resv_regions(dev, &list);
	list_for_each_entry(
		r, &list, list) if ((r->type == IOMMU_RESV_DIRECT ||
				     r->type == IOMMU_RESV_DIRECT_RELAXABLE) &&
				    r->start == FW_RMRR_BASE &&
				    r->length == FW_RMRR_SIZE) found = true;
	iommu_put_resv_regions(dev, &list);
	KCHECK(found == want, "%s: the RMRR is %sa direct region",
	       dev_name(dev), found ? "" : "not ");
}

int sc_firmware_tables(void)
{
	struct device *dev = sc_dev(BDF_PLAIN);
	struct iommu_domain *d;
	unsigned int faults = 0;
	int r;

	if (sc_up())
		return 0;
	sc_fw_resv(BDF_PLAIN, true);
	sc_fw_resv(BDF_PASID, false);
	/* the default DMA domain maps the RMRR one to one for its device */
	KCHECK(iommu_is_dma_domain(iommu_get_domain_for_dev(dev)),
	       "default domain type %#x, not DMA",
	       iommu_get_domain_for_dev(dev)->type);
	sc_expect_ok(BDF_PLAIN, false, 0, true, FW_RMRR_BASE + 0x1008,
		     FW_RMRR_BASE + 0x1008);
	sc_expect_ok(BDF_PLAIN, false, 0, false,
		     FW_RMRR_BASE + FW_RMRR_SIZE - 8,
		     FW_RMRR_BASE + FW_RMRR_SIZE - 8);
	sc_expect_fail(BDF_PASID, false, 0, false, FW_RMRR_BASE + 0x1008,
		       VK_DMA_FAULT);
	faults++;
	/* an unmanaged domain is not given it (its owner, VFIO say, reads
	 * the reserved regions): there the RMRR faults */
	d = iommu_paging_domain_alloc(dev);
	KCHECK(!IS_ERR(d), "iommu_paging_domain_alloc");
	if (!IS_ERR(d)) {
		r = iommu_attach_device(d, dev);
		KCHECK(r == 0, "attach: %d", r);
		sc_expect_fail(BDF_PLAIN, false, 0, false,
			       FW_RMRR_BASE + 0x1008, VK_DMA_FAULT);
		faults++;
		iommu_detach_device(d, dev);
		iommu_domain_free(d);
	}
	/* the SATC's device: ATS supported and on */
	KCHECK(sc_info(sc_dev(BDF_ATS))->ats_supported &&
		       sc_info(sc_dev(BDF_ATS))->ats_enabled,
	       "00:05.0: ATS off although the SATC lists it");
	KCHECK(vh_stat("faults_recorded") == faults,
	       "%llu faults recorded, %u expected", vh_stat("faults_recorded"),
	       faults);
	return 0;
}
