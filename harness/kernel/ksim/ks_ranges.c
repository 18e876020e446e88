// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: the driver's flush of every shape of range. A
 * paging domain maps 4 KiB pages and 2 MiB pages; each unmap (synchronous,
 * or gathered and synced) is of a shape a flush can get wrong: one page,
 * a few pages from an unaligned start, a count that is not a power of two,
 * a range across a 64 KiB and a 2 MiB boundary, whole superpages, the last
 * page of a page table (the driver frees the table) followed by a remap of
 * the same range with the other page size. Before every unmap the device
 * touches every page of the range and its neighbours, so a flush that is
 * short, misaligned or misses the paging-structure caches leaves a cached
 * translation the checker reports; after it, every page of the range is
 * refused and the neighbours still reach their pages. In scalable mode an
 * unmanaged domain is second-level; first-level-flush-ranges runs the same
 * unmaps on the devices' DMA-API default domains, which are first-level.
 */
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include "ks_scenario.h"

#define R_SMALL 0x1000000UL /* 4 KiB pages */
#define R_NPAGE 64
#define R_TABLE 0x2000000UL  /* one page table's worth of 4 KiB pages */
#define R_HUGE	0x40000000UL /* 2 MiB pages */

struct sc_rdev {
	u16 bdf;
	bool ats;
	struct device *dev;
	struct iommu_domain *dom;
	unsigned int faults;
};

/* where each mapped IOVA page goes: an identity-like offset into a block
 * allocated per region */
struct sc_region {
	unsigned long iova;
	size_t size;
	phys_addr_t pa;
};

static int sc_rmiss(const struct sc_rdev *d)
{
	return d->ats ? VK_DMA_ATS_FAIL : VK_DMA_FAULT;
}

static void sc_rgone(struct sc_rdev *d, unsigned long iova)
{
	sc_expect_fail(d->bdf, false, 0, false, iova, sc_rmiss(d));
	d->faults += !d->ats;
}

static int sc_rmap(struct sc_rdev *d, struct sc_region *r)
{
	int ret = iommu_map(d->dom, r->iova, r->pa, r->size,
			    IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);

	KCHECK(ret == 0, "iommu_map %#lx+%#zx: %d", r->iova, r->size, ret);
	return ret;
}

/* The page size that maps iova (mapped, as the unit walks it). */
static size_t sc_rpage(struct sc_rdev *d, unsigned long iova)
{
	return vh_page_size(d->bdf, false, 0, iova) ?: SZ_4K;
}

/* Touch every page of [iova, iova + size), its first and last bytes,
 * expecting region r's memory. */
static void sc_rtouch(struct sc_rdev *d, const struct sc_region *r,
		      unsigned long iova, size_t size)
{
	unsigned long a, end;

	for (a = iova; a < iova + size; a = end) {
		end = min(ALIGN_DOWN(a, sc_rpage(d, a)) + sc_rpage(d, a),
			  iova + size);
		sc_expect_ok(d->bdf, false, 0, false, a + 8,
			     r->pa + (a - r->iova) + 8);
		sc_expect_ok(d->bdf, false, 0, true, end - 8,
			     r->pa + (end - r->iova) - 8);
	}
}

/* Unmap [iova, iova + size) of region r: touched first with one page of
 * each neighbour, refused after, the neighbours intact. */
static void sc_runmap(struct sc_rdev *d, const struct sc_region *r,
		      unsigned long iova, size_t size, bool gathered)
{
	bool below = iova > r->iova, above = iova + size < r->iova + r->size;
	struct iommu_iotlb_gather g;
	size_t done, step = sc_rpage(d, iova);
	unsigned long a;

	sc_rtouch(d, r, iova, size);
	if (below)
		sc_rtouch(d, r, iova - step, step);
	if (above)
		sc_rtouch(d, r, iova + size, step);
	if (gathered) {
		iommu_iotlb_gather_init(&g);
		vh_op_begin(VK_OP_UNMAP_GATHERED);
		done = iommu_unmap_fast(d->dom, iova, size, &g);
		iommu_iotlb_sync(d->dom, &g);
		vh_op_end();
	} else {
		vh_op_begin(VK_OP_UNMAP);
		done = iommu_unmap(d->dom, iova, size);
		vh_op_end();
	}
	KCHECK(done == size, "%s: unmap %#lx+%#zx: %zu", dev_name(d->dev), iova,
	       size, done);
	for (a = iova; a < iova + size; a += step)
		sc_rgone(d, a);
	if (size > step)
		sc_rgone(d, iova + size - SZ_4K);
	if (below)
		sc_rtouch(d, r, iova - step, step);
	if (above)
		sc_rtouch(d, r, iova + size, step);
}

static bool sc_ralloc(struct sc_region *r, unsigned long iova, size_t size)
{
	struct page *pg = alloc_pages(GFP_KERNEL, get_order(size));

	KCHECK(pg, "out of arena memory");
	*r = (struct sc_region){iova, size, pg ? page_to_phys(pg) : 0};
	return pg != NULL;
}

/* Unmaps of awkward shapes among 4 KiB pages. */
static void sc_rsmall(struct sc_rdev *d)
{
	static const struct {
		unsigned int first, n;
		bool gathered;
	} shape[] = {
		{3, 1, false},	 /* one page */
		{5, 3, false},	 /* three pages from an odd page */
		{13, 5, true},	 /* across the 64 KiB boundary at page 16 */
		{21, 17, false}, /* seventeen pages */
		{40, 7, true},	 /* seven pages, gathered */
		{63, 1, true},	 /* the last page of the range */
	};
	struct sc_region r;
	unsigned int i;

	if (!sc_ralloc(&r, R_SMALL, R_NPAGE * SZ_4K) || sc_rmap(d, &r))
		return;
	for (i = 0; i < ARRAY_SIZE(shape); i++)
		sc_runmap(d, &r, R_SMALL + shape[i].first * SZ_4K,
			  shape[i].n * SZ_4K, shape[i].gathered);
	/* what is left, in one unmap across the holes */
	iommu_unmap(d->dom, R_SMALL, R_NPAGE * SZ_4K);
	sc_rgone(d, R_SMALL);
	sc_rgone(d, R_SMALL + 30 * SZ_4K);
}

/* Superpages: one, then two in one unmap, then the remap of a superpage's
 * range with 4 KiB pages (the directory entry becomes a table pointer). */
static void sc_rhuge(struct sc_rdev *d)
{
	struct sc_region r, r2, small;

	if (!sc_ralloc(&r, R_HUGE, 2 * SZ_2M) || sc_rmap(d, &r) ||
	    !sc_ralloc(&r2, R_HUGE + 2 * SZ_2M, 2 * SZ_2M) || sc_rmap(d, &r2))
		return;
	KCHECK(sc_rpage(d, R_HUGE) == SZ_2M,
	       "%s: %#lx not mapped with a 2 MiB page", dev_name(d->dev),
	       R_HUGE);
	sc_runmap(d, &r, R_HUGE + SZ_2M, SZ_2M, false);
	sc_runmap(d, &r2, r2.iova, 2 * SZ_2M, true);
	if (!sc_ralloc(&small, R_HUGE + SZ_2M, 8 * SZ_4K) || sc_rmap(d, &small))
		return;
	sc_rtouch(d, &small, small.iova, small.size);
	KCHECK(sc_rpage(d, small.iova) == SZ_4K,
	       "%s: %#lx not remapped with 4 KiB pages", dev_name(d->dev),
	       small.iova);
	sc_runmap(d, &small, small.iova + SZ_4K, 2 * SZ_4K, false);
	iommu_unmap(d->dom, R_HUGE, SZ_2M);
	iommu_unmap(d->dom, small.iova, small.size);
	sc_rgone(d, R_HUGE);
	sc_rgone(d, small.iova);
}

/* A whole page table of 4 KiB pages unmapped (the driver frees the table
 * page), the range mapped again as one 2 MiB page: the paging-structure
 * caches must not lead to the freed table. */
static void sc_rtable(struct sc_rdev *d)
{
	struct sc_region r, huge;

	if (!sc_ralloc(&r, R_TABLE, SZ_2M))
		return;
	r.size = SZ_4K; /* map page by page: no superpage */
	for (r.iova = R_TABLE; r.iova < R_TABLE + SZ_2M; r.iova += SZ_4K) {
		if (sc_rmap(d, &r))
			return;
		r.pa += SZ_4K;
	}
	r = (struct sc_region){R_TABLE, SZ_2M, r.pa - SZ_2M};
	KCHECK(sc_rpage(d, R_TABLE) == SZ_4K,
	       "%s: page by page became a superpage", dev_name(d->dev));
	sc_runmap(d, &r, R_TABLE, SZ_2M, true);
	if (!sc_ralloc(&huge, R_TABLE, SZ_2M) || sc_rmap(d, &huge))
		return;
	KCHECK(sc_rpage(d, R_TABLE) == SZ_2M,
	       "%s: the freed table's range is not a 2 MiB page now",
	       dev_name(d->dev));
	sc_rtouch(d, &huge, R_TABLE, SZ_2M);
	sc_rtouch(d, &huge, R_TABLE + 0x1ff000, SZ_4K);
	sc_runmap(d, &huge, R_TABLE, SZ_2M, false);
}

/* On a new unmanaged domain, or (dflt) on the device's default domain,
 * away from the addresses dma-iommu hands out (below 4 GiB, top down). */
static void sc_ranges_on(u16 bdf, bool ats, bool dflt)
{
	struct sc_rdev d = {.bdf = bdf, .ats = ats, .dev = sc_dev(bdf)};
	u64 f0 = vh_stat("faults_recorded");
	int ret;

	if (dflt) {
		d.dom = iommu_get_domain_for_dev(d.dev);
		KCHECK(d.dom && d.dom->type == IOMMU_DOMAIN_DMA,
		       "%s: no DMA-API default domain", dev_name(d.dev));
		if (!d.dom || d.dom->type != IOMMU_DOMAIN_DMA)
			return;
	} else {
		d.dom = iommu_paging_domain_alloc(d.dev);
		KCHECK(!IS_ERR(d.dom), "iommu_paging_domain_alloc: %ld",
		       PTR_ERR(d.dom));
		if (IS_ERR(d.dom))
			return;
		ret = iommu_attach_device(d.dom, d.dev);
		KCHECK(ret == 0, "iommu_attach_device: %d", ret);
	}
	sc_rsmall(&d);
	sc_rhuge(&d);
	sc_rtable(&d);
	KCHECK(vh_stat("faults_recorded") - f0 == d.faults,
	       "%s: %llu faults recorded, %u expected", dev_name(d.dev),
	       vh_stat("faults_recorded") - f0, d.faults);
	if (dflt)
		return;
	iommu_detach_device(d.dom, d.dev);
	iommu_domain_free(d.dom);
}

int sc_flush_ranges(void)
{
	if (sc_up())
		return 0;
	sc_ranges_on(BDF_PLAIN, false, false);
	sc_ranges_on(BDF_ATS, true, false);
	return 0;
}

int sc_flush_ranges_first_level(void)
{
	if (sc_up())
		return 0;
	sc_ranges_on(BDF_PLAIN, false, true);
	sc_ranges_on(BDF_ATS, true, true);
	return 0;
}
