// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: the driver on units that report Caching Mode
 * (CAP.CM=1) and second-level translation only, the way a guest sees QEMU's
 * scalable-mode vIOMMU. Such a unit may cache not-present entries, so the
 * driver must invalidate after it makes an entry present ("flush on map");
 * the model caches every not-present second-level entry a walk finds, and a
 * map without its flush leaves the device faulting on the cached entry
 * while memory holds the new one: the checker names the missing flush.
 * Each address is touched while it is not mapped first, so the unit holds
 * the not-present entry when the driver maps it.
 */
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include "iommu.h"
#include "ks_scenario.h"

struct sc_cm_range {
	unsigned long iova;
	size_t size;
};

/* 4 KiB pages next to each other and apart, a 2 MiB page (its page
 * directory entry was not present), a 2 MiB range in a region whose page
 * directory pointer entry was not present, a page of a 1 GiB region the
 * device never reached. */
static const struct sc_cm_range sc_cm_ranges[] = {
	{0x100000, SZ_4K},     {0x101000, SZ_4K},   {0x105000, SZ_4K},
	{0x180000, 3 * SZ_4K}, {0x40000000, SZ_2M}, {0x80200000, SZ_2M},
	{0xc0000000, SZ_4K},
};

static void sc_cm_touch_unmapped(u16 bdf, unsigned long iova,
				 unsigned int *faults)
{
	sc_expect_fail(bdf, false, 0, false, iova, VK_DMA_FAULT);
	sc_expect_fail(bdf, false, 0, true, iova + 8, VK_DMA_FAULT);
	*faults += 2;
}

/* The IOMMU API on a paging domain: touch, map, reach; unmap, touch,
 * map elsewhere, reach the new page. */
static void sc_cm_paging(u16 bdf, unsigned int *faults)
{
	struct device *dev = sc_dev(bdf);
	struct iommu_domain *dom = iommu_paging_domain_alloc(dev);
	phys_addr_t pa[ARRAY_SIZE(sc_cm_ranges)];
	unsigned int i;
	int ret;

	KCHECK(!IS_ERR(dom), "iommu_paging_domain_alloc: %ld", PTR_ERR(dom));
	if (IS_ERR(dom))
		return;
	KCHECK(!to_dmar_domain(dom)->use_first_level,
	       "a unit without first-level translation got a first-level "
	       "domain");
	ret = iommu_attach_device(dom, dev);
	KCHECK(ret == 0, "iommu_attach_device: %d", ret);
	for (i = 0; i < ARRAY_SIZE(sc_cm_ranges); i++)
		sc_cm_touch_unmapped(bdf, sc_cm_ranges[i].iova, faults);
	/* a second touch hits the cached not-present entry: still a fault */
	sc_cm_touch_unmapped(bdf, sc_cm_ranges[0].iova, faults);
	for (i = 0; i < ARRAY_SIZE(sc_cm_ranges); i++) {
		const struct sc_cm_range *r = &sc_cm_ranges[i];
		struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO,
					      get_order(r->size));

		KCHECK(pg, "out of arena memory");
		if (!pg)
			return;
		pa[i] = page_to_phys(pg);
		vh_op_begin(VK_OP_MAP);
		ret = iommu_map(dom, r->iova, pa[i], r->size,
				IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
		vh_op_end();
		KCHECK(ret == 0, "iommu_map %#lx: %d", r->iova, ret);
		sc_expect_ok(bdf, false, 0, false, r->iova, pa[i]);
		sc_expect_ok(bdf, false, 0, true, r->iova + r->size - 8,
			     pa[i] + r->size - 8);
	}
	/* unmap, touch (the unit caches the hole), map another page there */
	for (i = 0; i < 3; i++) {
		const struct sc_cm_range *r = &sc_cm_ranges[i];
		struct page *pg = alloc_pages(GFP_KERNEL, get_order(r->size));

		KCHECK(pg, "out of arena memory");
		if (!pg)
			return;
		KCHECK(iommu_unmap(dom, r->iova, r->size) == r->size,
		       "iommu_unmap %#lx", r->iova);
		sc_cm_touch_unmapped(bdf, r->iova, faults);
		ret = iommu_map(dom, r->iova, page_to_phys(pg), r->size,
				IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
		KCHECK(ret == 0, "iommu_map %#lx again: %d", r->iova, ret);
		sc_expect_ok(bdf, false, 0, false, r->iova, page_to_phys(pg));
	}
	iommu_detach_device(dom, dev);
	iommu_domain_free(dom);
}

/* The DMA API (strict, as caching mode makes it): a buffer is unmapped,
 * the device touches its old address, the next buffer gets the same IOVA
 * back from the allocator and must be reached. */
static void sc_cm_dma_api(u16 bdf, bool ats, unsigned int *faults)
{
	struct device *dev = sc_dev(bdf);
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);
	const int miss = ats ? VK_DMA_ATS_FAIL : VK_DMA_FAULT;
	void *a = kmalloc(SZ_4K, GFP_KERNEL), *b = kmalloc(SZ_4K, GFP_KERNEL);
	dma_addr_t da, db;
	unsigned int i;

	KCHECK(dom && dom->type == IOMMU_DOMAIN_DMA,
	       "%s: caching mode must make DMA domains strict (type %#x)",
	       dev_name(dev), dom ? dom->type : 0);
	if (!a || !b)
		return;
	for (i = 0; i < 8; i++) {
		da = dma_map_single(dev, a, SZ_4K, DMA_BIDIRECTIONAL);
		sc_expect_ok(bdf, false, 0, true, da + 16,
			     virt_to_phys(a) + 16);
		dma_unmap_single(dev, da, SZ_4K, DMA_BIDIRECTIONAL);
		sc_expect_fail(bdf, false, 0, false, da, miss);
		*faults += !ats;
		db = dma_map_single(dev, b, SZ_4K, DMA_TO_DEVICE);
		KCHECK(db == da,
		       "%s: the IOVA allocator did not hand %#llx out again "
		       "(got %#llx): the scenario would not test the flush on "
		       "map",
		       dev_name(dev), (u64)da, (u64)db);
		sc_expect_ok(bdf, false, 0, false, db + 16,
			     virt_to_phys(b) + 16);
		dma_unmap_single(dev, db, SZ_4K, DMA_TO_DEVICE);
	}
	kfree(a);
	kfree(b);
}

int sc_caching_mode(void)
{
	struct dmar_drhd_unit *drhd;
	struct intel_iommu *iommu;
	unsigned int faults = 0;

	if (sc_up())
		return 0;
	for_each_active_iommu(iommu, drhd)
	{
		KCHECK(cap_caching_mode(iommu->cap), "%s: CAP.CM clear",
		       iommu->name);
		KCHECK(!ecap_flts(iommu->ecap), "%s: ECAP.FLTS set",
		       iommu->name);
	}
	sc_cm_paging(BDF_PLAIN, &faults);
	sc_cm_dma_api(BDF_PLAIN, false, &faults);
	sc_cm_dma_api(BDF_ATS, true, &faults);
	KCHECK(vh_stat("faults_recorded") == faults,
	       "%llu faults recorded, %u expected", vh_stat("faults_recorded"),
	       faults);
	return 0;
}
