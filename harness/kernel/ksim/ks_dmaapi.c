// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: the DMA API, the way nearly every device driver
 * uses the IOMMU. The kernel boots with a translated default domain
 * (iommu.passthrough=0), strict (iommu.strict=1: every unmap invalidates
 * before it returns) or lazy (iommu.strict=0: dma-iommu's flush queue
 * defers the invalidation until its timer, 10 ms of model time, or until
 * the queue is full). A driver's stream of buffers is mapped with
 * dma_map_single(), dma_map_page(), dma_map_sg() and dma_alloc_coherent()
 * (sizes that are not powers of two, offsets that are not aligned, segments
 * dma-iommu merges), every byte range is read and written by the device where
 * its direction allows and refused where it does not, and after each unmap
 * the device is refused once the invalidation is due. The device touches
 * every buffer before it is unmapped, so a missing or late invalidation
 * leaves a cached translation for the checker to find.
 */
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/delay.h>
#include "ks_scenario.h"

/* dma-iommu.c's IOVA_DEFAULT_FQ_TIMEOUT (ms) and IOVA_DEFAULT_FQ_SIZE */
#define FQ_TIMEOUT_MS 10
#define FQ_SIZE	      256

struct sc_dev {
	u16 bdf;
	bool ats, strict;
	struct device *dev;
	unsigned int faults; /* the faults this scenario's accesses record */
};

static int sc_miss(struct sc_dev *d)
{
	return d->ats ? VK_DMA_ATS_FAIL : VK_DMA_FAULT;
}

static void sc_refused(struct sc_dev *d, bool write, dma_addr_t dma)
{
	sc_expect_fail(d->bdf, false, 0, write, dma, sc_miss(d));
	d->faults += !d->ats;
}

/* One byte of a mapping: reachable as its direction says. */
static void sc_byte(struct sc_dev *d, dma_addr_t dma, phys_addr_t pa,
		    enum dma_data_direction dir)
{
	/* a write-only mapping may still be readable: first-level tables
	 * cannot refuse a read of a present page */
	if (dir != DMA_FROM_DEVICE)
		sc_expect_ok(d->bdf, false, 0, false, dma, pa);
	if (dir == DMA_TO_DEVICE)
		sc_refused(d, true, dma);
	else
		sc_expect_ok(d->bdf, false, 0, true, dma, pa);
}

/* A linear mapping: its first, middle and last bytes, the offset in the
 * page kept. */
static void sc_linear(struct sc_dev *d, dma_addr_t dma, phys_addr_t pa,
		      size_t len, enum dma_data_direction dir)
{
	size_t offs[3] = {0, len / 2, len - 1};
	unsigned int i;

	KCHECK(offset_in_page(dma) == offset_in_page(pa),
	       "%s: DMA address %#llx for %#llx: page offset lost",
	       dev_name(d->dev), (u64)dma, (u64)pa);
	for (i = 0; i < ARRAY_SIZE(offs); i++)
		sc_byte(d, dma + offs[i], pa + offs[i], dir);
}

struct sc_inv {
	u64 iotlb, devtlb;
};

static struct sc_inv sc_inv_now(void)
{
	return (struct sc_inv){vh_stat("iotlb_inv"), vh_stat("devtlb_inv")};
}

/* An unmap's invalidation: strict, before the unmap returns (the
 * device-TLB's too); lazy, not yet (the flush queue holds it). */
static void sc_unmapped(struct sc_dev *d, struct sc_inv inv0, dma_addr_t dma)
{
	struct sc_inv now = sc_inv_now();

	if (d->strict) {
		KCHECK(now.iotlb > inv0.iotlb,
		       "%s: strict unmap of %#llx returned without an IOTLB "
		       "invalidation",
		       dev_name(d->dev), (u64)dma);
		KCHECK(!d->ats || now.devtlb > inv0.devtlb,
		       "%s: strict unmap of %#llx left the device-TLB",
		       dev_name(d->dev), (u64)dma);
		sc_refused(d, false, dma);
	} else {
		KCHECK(now.iotlb == inv0.iotlb && now.devtlb == inv0.devtlb,
		       "%s: lazy unmap of %#llx invalidated at once",
		       dev_name(d->dev), (u64)dma);
	}
}

struct sc_single {
	void *buf;
	size_t len, off;
	enum dma_data_direction dir;
	dma_addr_t dma;
};

/* kmalloc'd buffers of every awkward length and offset, in all three
 * directions; unmapped in the order a ring completes them. */
static void sc_singles(struct sc_dev *d, struct sc_single *s, unsigned int n)
{
	static const size_t lens[] = {1,    100,   4096,     4097,
				      5000, 12345, 3 * 4096, 65536 + 17};
	static const size_t offs[] = {0, 8, 100, 2048, 4095};
	static const enum dma_data_direction dirs[] = {
		DMA_BIDIRECTIONAL, DMA_TO_DEVICE, DMA_FROM_DEVICE};
	unsigned int i;

	for (i = 0; i < n; i++) {
		size_t off = offs[i % ARRAY_SIZE(offs)];

		s[i].off = off;
		s[i].len = lens[i % ARRAY_SIZE(lens)];
		s[i].dir = dirs[i % ARRAY_SIZE(dirs)];
		s[i].buf = kmalloc(s[i].len + off, GFP_KERNEL);
		KCHECK(s[i].buf, "out of arena memory");
		if (!s[i].buf)
			return;
		s[i].dma = dma_map_single(d->dev, s[i].buf + off, s[i].len,
					  s[i].dir);
		KCHECK(!dma_mapping_error(d->dev, s[i].dma),
		       "%s: dma_map_single of %zu bytes failed",
		       dev_name(d->dev), s[i].len);
		s[i].buf += off;
		sc_linear(d, s[i].dma, virt_to_phys(s[i].buf), s[i].len,
			  s[i].dir);
	}
	for (i = 0; i < n; i++) {
		struct sc_inv inv0 = sc_inv_now();

		dma_unmap_single(d->dev, s[i].dma, s[i].len, s[i].dir);
		sc_unmapped(d, inv0, s[i].dma);
	}
}

/* dma_map_page() of part of a two-page block, from an odd offset. */
static void sc_page(struct sc_dev *d, dma_addr_t *dma)
{
	struct page *pg = alloc_pages(GFP_KERNEL, 1);
	struct sc_inv inv0;

	KCHECK(pg, "out of arena memory");
	if (!pg)
		return;
	*dma = dma_map_page(d->dev, pg, 300, 7000, DMA_BIDIRECTIONAL);
	KCHECK(!dma_mapping_error(d->dev, *dma), "%s: dma_map_page failed",
	       dev_name(d->dev));
	sc_linear(d, *dma, page_to_phys(pg) + 300, 7000, DMA_BIDIRECTIONAL);
	inv0 = sc_inv_now();
	dma_unmap_page(d->dev, *dma, 7000, DMA_BIDIRECTIONAL);
	sc_unmapped(d, inv0, *dma);
}

/* The DMA address of byte pos of an sg list's data stream, by the mapped
 * segments. */
static dma_addr_t sc_sg_dma(struct scatterlist *sgl, int nents, size_t pos)
{
	struct scatterlist *s;
	int i;

	for_each_sg(sgl, s, nents, i)
	{
		if (pos < sg_dma_len(s))
			return sg_dma_address(s) + pos;
		pos -= sg_dma_len(s);
	}
	return DMA_MAPPING_ERROR;
}

/* A scatter-gather list: whole pages that are physically adjacent (one
 * segment for the device), a short piece in the middle of a page, a
 * two-page block, a piece ending at its page's end, a single byte. The
 * device sees the same data stream through the mapped segments. */
static void sc_sg(struct sc_dev *d, dma_addr_t *first)
{
	static const struct {
		unsigned int order, len, off;
	} seg[] = {{1, 8192, 0},    {0, 100, 50}, {1, 8192, 0},
		   {0, 3000, 1096}, {0, 1, 0},	  {0, 4096, 0}};
	struct sg_table t;
	struct scatterlist *s;
	size_t pos = 0, total = 0;
	int n, i;
	struct sc_inv inv0;

	if (sg_alloc_table(&t, ARRAY_SIZE(seg), GFP_KERNEL)) {
		KCHECK(0, "sg_alloc_table failed");
		return;
	}
	for_each_sg(t.sgl, s, t.orig_nents, i)
	{
		struct page *pg = alloc_pages(GFP_KERNEL, seg[i].order);

		KCHECK(pg, "out of arena memory");
		if (!pg)
			return;
		sg_set_page(s, pg, seg[i].len, seg[i].off);
		total += seg[i].len;
	}
	n = dma_map_sg(d->dev, t.sgl, t.orig_nents, DMA_BIDIRECTIONAL);
	KCHECK(n > 0 && n <= (int)t.orig_nents, "%s: dma_map_sg: %d",
	       dev_name(d->dev), n);
	if (n <= 0)
		return;
	/* each segment's first, middle and last bytes, through the DMA
	 * segments the device was given */
	for_each_sg(t.sgl, s, t.orig_nents, i)
	{
		size_t offs[3] = {0, s->length / 2, s->length - 1};
		unsigned int k;

		for (k = 0; k < ARRAY_SIZE(offs); k++)
			sc_byte(d, sc_sg_dma(t.sgl, n, pos + offs[k]),
				sg_phys(s) + offs[k], DMA_BIDIRECTIONAL);
		pos += s->length;
	}
	KCHECK(sc_sg_dma(t.sgl, n, total - 1) != DMA_MAPPING_ERROR &&
		       sc_sg_dma(t.sgl, n, total) == DMA_MAPPING_ERROR,
	       "%s: the mapped segments do not add up to %zu bytes",
	       dev_name(d->dev), total);
	*first = sg_dma_address(t.sgl);
	inv0 = sc_inv_now();
	dma_unmap_sg(d->dev, t.sgl, t.orig_nents, DMA_BIDIRECTIONAL);
	sc_unmapped(d, inv0, *first);
	for_each_sg(t.sgl, s, t.orig_nents, i)
		__free_pages(sg_page(s), seg[i].order);
	sg_free_table(&t);
}

/* dma_alloc_coherent() of 3 pages and 100 bytes: dma-iommu allocates pages
 * that need not be adjacent and maps them contiguously for the CPU (vmap)
 * and the device. The device reaches each page the CPU wrote. */
static void sc_coherent(struct sc_dev *d, dma_addr_t *dma)
{
	const size_t len = 3 * PAGE_SIZE + 100;
	u8 *cpu = dma_alloc_coherent(d->dev, len, dma, GFP_KERNEL);
	unsigned int i;
	struct sc_inv inv0;

	KCHECK(cpu, "%s: dma_alloc_coherent failed", dev_name(d->dev));
	if (!cpu)
		return;
	KCHECK(offset_in_page(*dma) == 0, "%s: coherent DMA address %#llx",
	       dev_name(d->dev), (u64)*dma);
	for (i = 0; i < 4; i++) {
		u8 *p = cpu + i * PAGE_SIZE + 5;
		phys_addr_t pa = is_vmalloc_addr(p)
					 ? page_to_phys(vmalloc_to_page(p)) + 5
					 : virt_to_phys(p);

		*p = 0xa0 + i;
		KCHECK(*(u8 *)phys_to_virt(pa) == 0xa0 + i,
		       "coherent buffer page %u: the CPU's view is not the "
		       "memory's",
		       i);
		sc_byte(d, *dma + i * PAGE_SIZE + 5, pa, DMA_BIDIRECTIONAL);
	}
	inv0 = sc_inv_now();
	dma_free_coherent(d->dev, len, cpu, *dma);
	sc_unmapped(d, inv0, *dma);
}

/* Lazy mode: nothing is invalidated until the flush queue's timer; after
 * it the device is refused everywhere. */
static void sc_lazy_flush(struct sc_dev *d, const dma_addr_t *gone,
			  unsigned int n)
{
	struct sc_inv inv0 = sc_inv_now();
	unsigned int i;

	msleep(FQ_TIMEOUT_MS / 2);
	KCHECK(vh_stat("iotlb_inv") == inv0.iotlb,
	       "%s: the flush queue flushed before its timeout",
	       dev_name(d->dev));
	msleep(FQ_TIMEOUT_MS);
	KCHECK(vh_stat("iotlb_inv") > inv0.iotlb,
	       "%s: the flush queue's timer did not invalidate",
	       dev_name(d->dev));
	KCHECK(!d->ats || vh_stat("devtlb_inv") > inv0.devtlb,
	       "%s: the flush queue's timer left the device-TLB",
	       dev_name(d->dev));
	for (i = 0; i < n; i++)
		sc_refused(d, false, gone[i]);
}

/* Lazy mode: a full flush queue flushes without waiting for its timer;
 * every IOVA is new until then, so none reaches a stale translation. */
static void sc_lazy_full(struct sc_dev *d)
{
	unsigned long j0 = jiffies;
	u64 inv0 = vh_stat("iotlb_inv");
	void *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned int i;

	if (!buf)
		return;
	for (i = 0; i < FQ_SIZE + 8; i++) {
		dma_addr_t dma =
			dma_map_single(d->dev, buf, PAGE_SIZE, DMA_TO_DEVICE);

		sc_expect_ok(d->bdf, false, 0, false, dma + 8,
			     virt_to_phys(buf) + 8);
		dma_unmap_single(d->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	}
	KCHECK(vh_stat("iotlb_inv") > inv0 &&
		       time_before(jiffies,
				   j0 + msecs_to_jiffies(FQ_TIMEOUT_MS)),
	       "%s: %u lazy unmaps in %lu jiffies did not flush a full queue",
	       dev_name(d->dev), FQ_SIZE + 8, jiffies - j0);
	msleep(2 * FQ_TIMEOUT_MS);
	kfree(buf);
}

static void sc_dma_api_on(u16 bdf, bool ats, bool strict)
{
	struct sc_dev d = {.bdf = bdf, .ats = ats, .strict = strict};
	struct iommu_domain *dom;
	struct sc_single s[16] = {};
	dma_addr_t gone[ARRAY_SIZE(s) + 3];
	u64 faults0 = vh_stat("faults_recorded");
	unsigned int i;

	d.dev = sc_dev(bdf);
	dom = iommu_get_domain_for_dev(d.dev);
	KCHECK(dom && dom->type == (strict ? IOMMU_DOMAIN_DMA
					   : IOMMU_DOMAIN_DMA_FQ),
	       "%s: default domain type %#x", dev_name(d.dev),
	       dom ? dom->type : 0);
	KCHECK(d.dev->dma_iommu, "%s: the DMA API does not use the IOMMU",
	       dev_name(d.dev));
	if (!dom || !d.dev->dma_iommu)
		return;
	sc_singles(&d, s, ARRAY_SIZE(s));
	sc_page(&d, &gone[ARRAY_SIZE(s)]);
	sc_sg(&d, &gone[ARRAY_SIZE(s) + 1]);
	sc_coherent(&d, &gone[ARRAY_SIZE(s) + 2]);
	for (i = 0; i < ARRAY_SIZE(s); i++)
		gone[i] = s[i].dma;
	if (!strict) {
		sc_lazy_flush(&d, gone, ARRAY_SIZE(gone));
		sc_lazy_full(&d);
	}
	for (i = 0; i < ARRAY_SIZE(s); i++)
		kfree(s[i].buf - s[i].off);
	KCHECK(vh_stat("faults_recorded") - faults0 == d.faults,
	       "%s: %llu faults recorded, %u expected", dev_name(d.dev),
	       vh_stat("faults_recorded") - faults0, d.faults);
}

static int sc_dma_api(bool strict)
{
	if (sc_up())
		return 0;
	sc_dma_api_on(BDF_PLAIN, false, strict);
	/* dmar1's ATS device: its device-TLB is invalidated too */
	sc_dma_api_on(BDF_ATS, true, strict);
	return 0;
}

int sc_dma_api_strict(void)
{
	return sc_dma_api(true);
}

int sc_dma_api_lazy(void)
{
	return sc_dma_api(false);
}
