// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: domains as they move between devices. One paging
 * domain serves three devices on two units; unmapping must reach every
 * unit and device-TLB. A domain detached with translations still cached
 * and freed gives its domain ID to the next domain, which maps the same
 * address elsewhere: the old translations must be gone. A device detaches
 * and reattaches while its domain changes under it. A domain is attached
 * to a PASID of a device (set_dev_pasid) beside the device's default
 * domain, and detached from it again.
 */
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include "iommu.h"
#include "ks_scenario.h"

#define D_IOVA	0x300000UL
#define D_PASID 5

struct sc_dom {
	unsigned int faults;
};

static phys_addr_t sc_dpages(unsigned int order)
{
	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);

	KCHECK(pg, "out of arena memory");
	return pg ? page_to_phys(pg) : 0;
}

static struct iommu_domain *sc_dalloc(u16 bdf)
{
	struct iommu_domain *d = iommu_paging_domain_alloc(sc_dev(bdf));

	KCHECK(!IS_ERR(d), "iommu_paging_domain_alloc: %ld", PTR_ERR(d));
	return IS_ERR(d) ? NULL : d;
}

static void sc_dattach(struct iommu_domain *d, u16 bdf)
{
	int r = iommu_attach_device(d, sc_dev(bdf));

	KCHECK(r == 0, "%s: attach: %d", dev_name(sc_dev(bdf)), r);
}

static void sc_dmap(struct iommu_domain *d, unsigned long iova, phys_addr_t pa)
{
	int r = iommu_map(d, iova, pa, SZ_4K, IOMMU_READ | IOMMU_WRITE,
			  GFP_KERNEL);

	KCHECK(r == 0, "iommu_map %#lx: %d", iova, r);
}

static void sc_drefused(struct sc_dom *s, u16 bdf, bool ats, bool has_pasid,
			u32 pasid, unsigned long iova)
{
	sc_expect_fail(bdf, has_pasid, pasid, false, iova,
		       ats ? VK_DMA_ATS_FAIL : VK_DMA_FAULT);
	s->faults += !ats;
}

static u16 sc_did(struct iommu_domain *d, u16 bdf)
{
	return domain_id_iommu(to_dmar_domain(d), sc_info(sc_dev(bdf))->iommu);
}

/* One domain on 00:02.0 and 00:04.0 (dmar0) and the ATS device 00:05.0
 * (dmar1): one translation for all, one unmap refuses all. Left attached
 * with its page cached everywhere. */
static struct iommu_domain *sc_shared(struct sc_dom *s, phys_addr_t p)
{
	struct iommu_domain *d = sc_dalloc(BDF_PLAIN);

	if (!d)
		return NULL;
	sc_dattach(d, BDF_PLAIN);
	sc_dattach(d, BDF_PASID);
	sc_dattach(d, BDF_ATS);
	KCHECK(sc_did(d, BDF_PLAIN) == sc_did(d, BDF_PASID),
	       "one domain, two domain IDs on one unit");
	sc_dmap(d, D_IOVA, p);
	sc_dmap(d, D_IOVA + SZ_4K, p + SZ_4K);
	sc_expect_ok(BDF_PLAIN, false, 0, true, D_IOVA + 8, p + 8);
	sc_expect_ok(BDF_PASID, false, 0, false, D_IOVA + 16, p + 16);
	sc_expect_ok(BDF_ATS, false, 0, false, D_IOVA + 24, p + 24);
	sc_expect_ok(BDF_PLAIN, false, 0, false, D_IOVA + SZ_4K, p + SZ_4K);
	sc_expect_ok(BDF_PASID, false, 0, false, D_IOVA + SZ_4K, p + SZ_4K);
	sc_expect_ok(BDF_ATS, false, 0, false, D_IOVA + SZ_4K, p + SZ_4K);
	KCHECK(iommu_unmap(d, D_IOVA + SZ_4K, SZ_4K) == SZ_4K, "unmap");
	sc_drefused(s, BDF_PLAIN, false, false, 0, D_IOVA + SZ_4K);
	sc_drefused(s, BDF_PASID, false, false, 0, D_IOVA + SZ_4K);
	sc_drefused(s, BDF_ATS, true, false, 0, D_IOVA + SZ_4K);
	return d;
}

/* The shared domain leaves every device with its page still cached and is
 * freed; the next domain gets its domain ID and maps the same address to
 * another page. */
static struct iommu_domain *sc_reuse(struct iommu_domain *d, phys_addr_t q)
{
	struct device *dev = sc_dev(BDF_PLAIN);
	u16 did = sc_did(d, BDF_PLAIN);
	struct iommu_domain *d2;

	iommu_detach_device(d, sc_dev(BDF_ATS));
	iommu_detach_device(d, sc_dev(BDF_PASID));
	iommu_detach_device(d, dev);
	iommu_domain_free(d);
	/* back in the identity default domain */
	sc_expect_ok(BDF_PLAIN, false, 0, false, D_IOVA, D_IOVA);
	d2 = sc_dalloc(BDF_PLAIN);
	if (!d2)
		return NULL;
	sc_dmap(d2, D_IOVA, q);
	sc_dattach(d2, BDF_PLAIN);
	KCHECK(sc_did(d2, BDF_PLAIN) == did,
	       "the freed domain's ID %u was not reused (got %u): the "
	       "scenario would not test its flush",
	       did, sc_did(d2, BDF_PLAIN));
	sc_expect_ok(BDF_PLAIN, false, 0, false, D_IOVA + 8, q + 8);
	sc_dattach(d2, BDF_PASID);
	sc_expect_ok(BDF_PASID, false, 0, false, D_IOVA + 8, q + 8);
	return d2;
}

/* 00:04.0 leaves the domain, the domain's page moves, 00:04.0 comes back
 * and must see the new page. */
static void sc_reattach(struct iommu_domain *d2, phys_addr_t q, phys_addr_t r)
{
	iommu_detach_device(d2, sc_dev(BDF_PASID));
	sc_expect_ok(BDF_PASID, false, 0, false, D_IOVA + 8, D_IOVA + 8);
	sc_expect_ok(BDF_PLAIN, false, 0, false, D_IOVA + 8, q + 8);
	KCHECK(iommu_unmap(d2, D_IOVA, SZ_4K) == SZ_4K, "unmap");
	sc_dmap(d2, D_IOVA, r);
	sc_dattach(d2, BDF_PASID);
	sc_expect_ok(BDF_PASID, false, 0, false, D_IOVA + 8, r + 8);
	sc_expect_ok(BDF_PLAIN, false, 0, false, D_IOVA + 8, r + 8);
	iommu_detach_device(d2, sc_dev(BDF_PASID));
	iommu_detach_device(d2, sc_dev(BDF_PLAIN));
	iommu_domain_free(d2);
}

/* A domain on PASID 5 of 00:04.0 next to its default domain on the RID. */
static void sc_pasid_domain(struct sc_dom *s, phys_addr_t t)
{
	struct device *dev = sc_dev(BDF_PASID);
	struct iommu_domain *d = sc_dalloc(BDF_PASID);
	int r;

	if (!d)
		return;
	sc_dmap(d, D_IOVA, t);
	sc_drefused(s, BDF_PASID, false, true, D_PASID, D_IOVA);
	r = iommu_attach_device_pasid(d, dev, D_PASID, NULL);
	KCHECK(r == 0, "iommu_attach_device_pasid: %d", r);
	sc_expect_ok(BDF_PASID, true, D_PASID, true, D_IOVA + 8, t + 8);
	sc_expect_ok(BDF_PASID, false, 0, false, D_IOVA + 8, D_IOVA + 8);
	r = iommu_attach_device_pasid(d, dev, D_PASID, NULL);
	KCHECK(r == -EBUSY, "a second attach of the PASID: %d", r);
	iommu_detach_device_pasid(d, dev, D_PASID);
	sc_drefused(s, BDF_PASID, false, true, D_PASID, D_IOVA);
	sc_expect_ok(BDF_PASID, false, 0, false, D_IOVA + 8, D_IOVA + 8);
	iommu_domain_free(d);
}

int sc_domains(void)
{
	struct sc_dom s = {0};
	struct iommu_domain *d;
	phys_addr_t p, q, r, t;

	if (sc_up())
		return 0;
	p = sc_dpages(1); /* two pages: the shared domain maps both */
	q = sc_dpages(0);
	r = sc_dpages(0);
	t = sc_dpages(0);
	d = sc_shared(&s, p);
	if (d)
		d = sc_reuse(d, q);
	if (d)
		sc_reattach(d, q, r);
	sc_pasid_domain(&s, t);
	KCHECK(vh_stat("faults_recorded") == s.faults,
	       "%llu faults recorded, %u expected", vh_stat("faults_recorded"),
	       s.faults);
	return 0;
}
