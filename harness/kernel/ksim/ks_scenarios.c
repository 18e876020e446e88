// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: the scenarios. Each drives the real driver through
 * the kernel's own entry points and checks, through the host, what the
 * simulated hardware saw.
 */
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/dmar.h>
#include <linux/iommufd.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <uapi/linux/iommufd.h>
#include "iommu.h"
#include "pasid.h"
#include "ks_scenario.h"

struct device *sc_dev(u16 bdf)
{
	struct pci_dev *pdev = ks_pci_find(bdf);

	return pdev ? &pdev->dev : NULL;
}

struct device_domain_info *sc_info(struct device *dev)
{
	return dev_iommu_priv_get(dev);
}

int sc_up(void)
{
	int r = ks_iommu_bringup();

	KCHECK(r == 0, "intel_iommu_init() returned %d", r);
	return r;
}

/* One device access; a page request is carried through the driver (PRQ
 * interrupt, IRQ thread, io-pgfault work, page group response) until the
 * endpoint has its answer. */
/* A fault the unit recorded for an access: the driver's report of it (and
 * of the fault status it handles) is an error message the scenario caused. */
void sc_allow_fault_report(u16 bdf, bool has_pasid, u32 pasid, bool write,
			   u64 addr, u8 reason)
{
	char msg[160], ps[24] = "NO_PASID";

	if (has_pasid)
		snprintf(ps, sizeof(ps), "PASID %#x", pasid);
	snprintf(msg, sizeof(msg),
		 "DMAR: [DMA %s %s] Request device [%02x:%02x.%d] fault addr "
		 "%#llx [fault reason 0x%02x] ",
		 write ? "Write" : "Read", ps, bdf >> 8, PCI_SLOT(bdf & 0xff),
		 PCI_FUNC(bdf & 0xff), addr & PAGE_MASK, reason);
	ks_allow_err(msg);
	ks_allow_err("DMAR: DRHD: handling fault status reg ");
}

int sc_dma(u16 bdf, bool has_pasid, u32 pasid, bool write, u64 addr, u64 *pa,
	   u8 *code)
{
	u8 fault = 0;
	int st = vh_dma(bdf, has_pasid, pasid, write, addr, pa, &fault);
	int i;

	if (fault)
		sc_allow_fault_report(bdf, has_pasid, pasid, write, addr,
				      fault);
	*code = fault;
	for (i = 0; st == VK_DMA_PENDING && i < 10000; i++) {
		ks_run_pending();
		st = vh_dma_result(bdf, pa, code);
		if (st < 0) {
			st = VK_DMA_PENDING;
			vh_delay_ns(1000);
		}
	}
	if (!fault && vh_dma_fault(bdf))
		sc_allow_fault_report(bdf, has_pasid, pasid, write, addr,
				      vh_dma_fault(bdf));
	/* let the driver see any fault event the access raised */
	ks_run_pending();
	return st;
}

void sc_expect_ok(u16 bdf, bool has_pasid, u32 pasid, bool write, u64 addr,
		  u64 want)
{
	u64 pa = 0;
	u8 code;
	int st = sc_dma(bdf, has_pasid, pasid, write, addr, &pa, &code);

	KCHECK(st == VK_DMA_OK && pa == want,
	       "%02x:%02x.%d pasid %u %s %#llx: status %d pa %#llx, want %#llx",
	       bdf >> 8, PCI_SLOT(bdf & 0xff), PCI_FUNC(bdf & 0xff),
	       has_pasid ? pasid : 0, write ? "write" : "read", addr, st, pa,
	       want);
}

void sc_expect_fail(u16 bdf, bool has_pasid, u32 pasid, bool write, u64 addr,
		    int want_status)
{
	u64 pa = 0;
	u8 code;
	int st = sc_dma(bdf, has_pasid, pasid, write, addr, &pa, &code);

	KCHECK(st == want_status,
	       "%02x:%02x.%d pasid %u %s %#llx: status %d (pa %#llx), want %d",
	       bdf >> 8, PCI_SLOT(bdf & 0xff), PCI_FUNC(bdf & 0xff),
	       has_pasid ? pasid : 0, write ? "write" : "read", addr, st, pa,
	       want_status);
}

/* A new unmanaged domain attached to bdf with one page mapped read-write at
 * iova, reached once by the device; NULL (the failure checked) if not. */
struct iommu_domain *sc_one_page_domain(u16 bdf, unsigned long iova,
					phys_addr_t *pa)
{
	struct device *dev = sc_dev(bdf);
	struct iommu_domain *d = iommu_paging_domain_alloc(dev);
	struct page *pg = alloc_page(GFP_KERNEL);

	KCHECK(!IS_ERR(d) && pg, "%s: domain or page", dev_name(dev));
	if (IS_ERR(d) || !pg)
		return NULL;
	KCHECK(!iommu_attach_device(d, dev), "%s: attach", dev_name(dev));
	KCHECK(!iommu_map(d, iova, page_to_phys(pg), PAGE_SIZE,
			  IOMMU_READ | IOMMU_WRITE, GFP_KERNEL),
	       "%s: map %#lx", dev_name(dev), iova);
	*pa = page_to_phys(pg);
	sc_expect_ok(bdf, false, 0, true, iova + 8, *pa + 8);
	return d;
}

/* The PASID-table entry of dev for pasid as the hardware reads it. */
struct pasid_entry *sc_pasid_entry(struct device *dev, u32 pasid)
{
	struct device_domain_info *info = sc_info(dev);
	struct pasid_dir_entry *dir;
	struct pasid_entry *table;

	if (!info || !info->pasid_table)
		return NULL;
	dir = info->pasid_table->table;
	table = get_pasid_table_from_pde(&dir[pasid >> PASID_PDE_SHIFT]);
	return table ? &table[pasid & PASID_PTE_MASK] : NULL;
}

bool sc_cfg_enabled(struct pci_dev *pdev, int cap, int ctrl, u16 bit)
{
	u16 pos = pci_find_ext_capability(pdev, cap), v = 0;

	if (!pos)
		return false;
	pci_read_config_word(pdev, pos + ctrl, &v);
	return v & bit;
}

/* ---- bring-up -------------------------------------------------------------
 */

static int sc_bringup(void)
{
	struct dmar_drhd_unit *drhd;
	struct intel_iommu *iommu;
	int units = 0;

	if (sc_up())
		return 0;
	KCHECK(intel_iommu_enabled, "intel_iommu_enabled is 0");
	for_each_active_iommu(iommu, drhd)
	{
		u32 gsts = readl(iommu->reg + DMAR_GSTS_REG);
		u64 rta = dmar_readq(iommu->reg + DMAR_RTADDR_REG);

		units++;
		KCHECK(drhd->reg_base_addr ==
			       0xfed90000 + iommu->seq_id * 0x1000,
		       "%s: register base %#llx", iommu->name,
		       drhd->reg_base_addr);
		KCHECK(iommu->cap == vh_unit_reg(iommu->seq_id, DMAR_CAP_REG) &&
			       iommu->ecap == vh_unit_reg(iommu->seq_id,
							  DMAR_ECAP_REG),
		       "%s: the driver's CAP/ECAP differ from the unit's",
		       iommu->name);
		KCHECK(sm_supported(iommu), "%s: not in scalable mode",
		       iommu->name);
		KCHECK(gsts & DMA_GSTS_TES,
		       "%s: translation not enabled (GSTS %#x)", iommu->name,
		       gsts);
		KCHECK(gsts & DMA_GSTS_QIES, "%s: queued invalidation off",
		       iommu->name);
		KCHECK(gsts & DMA_GSTS_RTPS, "%s: root table not set",
		       iommu->name);
		KCHECK(rta == (virt_to_phys(iommu->root_entry) |
			       DMA_RTADDR_SMT),
		       "%s: RTADDR %#llx is not the driver's scalable-mode "
		       "root table",
		       iommu->name, rta);
		KCHECK(iommu->pr_irq > 0 && iommu->prq,
		       "%s: page request queue not set up", iommu->name);
		KCHECK(dmar_readq(iommu->reg + DMAR_PQA_REG) ==
			       (virt_to_phys(iommu->prq) | PRQ_ORDER),
		       "%s: PQA is not the driver's page request queue",
		       iommu->name);
	}
	KCHECK(units == 2, "%d units came up, the DMAR table has 2", units);
	return 0;
}

/* ---- probe ------------------------------------------------------------------
 */

static void sc_probe_one(u16 bdf, bool pasid, bool ats, bool pri,
			 unsigned int unit)
{
	struct device *dev = sc_dev(bdf);
	struct pci_dev *pdev = to_pci_dev(dev);
	struct device_domain_info *info = sc_info(dev);
	struct iommu_domain *dom;
	u64 pa;
	u8 code;

	KCHECK(dev->iommu_group, "%s: no IOMMU group", dev_name(dev));
	KCHECK(info, "%s: the driver did not probe it", dev_name(dev));
	if (!info)
		return;
	KCHECK(info->iommu->seq_id == unit,
	       "%s: behind %s, the DMAR table says dmar%u", dev_name(dev),
	       info->iommu->name, unit);
	KCHECK(!!info->pasid_supported == pasid, "%s: pasid_supported %d",
	       dev_name(dev), info->pasid_supported);
	KCHECK(info->ats_supported == ats, "%s: ats_supported %d",
	       dev_name(dev), info->ats_supported);
	KCHECK(info->pri_supported == pri, "%s: pri_supported %d",
	       dev_name(dev), info->pri_supported);
	/* what the driver enabled is what the endpoint's config space says */
	KCHECK(info->ats_enabled == sc_cfg_enabled(pdev, PCI_EXT_CAP_ID_ATS,
						   PCI_ATS_CTRL,
						   PCI_ATS_CTRL_ENABLE),
	       "%s: ATS enable in config space disagrees with the driver",
	       dev_name(dev));
	KCHECK(info->pasid_enabled == sc_cfg_enabled(pdev, PCI_EXT_CAP_ID_PASID,
						     PCI_PASID_CTRL,
						     PCI_PASID_CTRL_ENABLE),
	       "%s: PASID enable in config space disagrees with the driver",
	       dev_name(dev));
	KCHECK(info->ats_enabled == ats, "%s: ATS %sabled", dev_name(dev),
	       info->ats_enabled ? "en" : "dis");
	KCHECK(info->pasid_enabled == pasid, "%s: PASID %sabled", dev_name(dev),
	       info->pasid_enabled ? "en" : "dis");
	/* the default domain: identity (passthrough), DMA addresses are
	 * physical */
	dom = iommu_get_domain_for_dev(dev);
	KCHECK(dom && dom->type == IOMMU_DOMAIN_IDENTITY,
	       "%s: default domain type %d", dev_name(dev),
	       dom ? dom->type : -1);
	KCHECK(sc_dma(bdf, false, 0, true, 0x123000, &pa, &code) == VK_DMA_OK &&
		       pa == 0x123000,
	       "%s: pass-through DMA to %#llx", dev_name(dev), pa);
}

static int sc_probe(void)
{
	if (sc_up())
		return 0;
	sc_probe_one(BDF_PLAIN, false, false, false, 0);
	sc_probe_one(BDF_SVA, true, true, true, 0);
	sc_probe_one(BDF_PASID, true, false, false, 0);
	sc_probe_one(BDF_ATS, false, true, false, 1);
	return 0;
}

/* ---- DMA domain ------------------------------------------------------------
 */

struct sc_range {
	unsigned long iova;
	size_t size;
	int prot;
	phys_addr_t pa;
	bool unmapped;
};

/* Over ATS a missing permission is a translation completion without it
 * (no fault recorded) and, without PRI, a failed access; without ATS it is a
 * recorded fault. */
static void sc_range_dma(u16 bdf, bool ats, struct sc_range *r,
			 unsigned int *faults)
{
	const int miss = ats ? VK_DMA_ATS_FAIL : VK_DMA_FAULT;
	size_t offs[3] = {0, r->size / 2 + 8, r->size - 8};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		unsigned long a = r->iova + offs[i];

		if (r->unmapped) {
			sc_expect_fail(bdf, false, 0, false, a, miss);
			*faults += !ats;
			continue;
		}
		sc_expect_ok(bdf, false, 0, false, a, r->pa + offs[i]);
		if (r->prot & IOMMU_WRITE) {
			sc_expect_ok(bdf, false, 0, true, a, r->pa + offs[i]);
		} else {
			sc_expect_fail(bdf, false, 0, true, a, miss);
			*faults += !ats;
		}
	}
}

/* 4 KiB pages with gaps, read-only every third; 64 KiB ranges; 2 MiB ranges
 * the driver maps with superpages. Returns how many. */
static unsigned int sc_ranges(struct sc_range *r)
{
	unsigned int n = 0, i;

	for (i = 0; i < 40; i++)
		r[n++] = (struct sc_range){0x100000 + i * 0x3000, SZ_4K,
					   i % 3 ? IOMMU_READ | IOMMU_WRITE
						 : IOMMU_READ};
	for (i = 0; i < 6; i++)
		r[n++] = (struct sc_range){0x1000000 + i * 0x40000, SZ_64K,
					   IOMMU_READ | IOMMU_WRITE};
	for (i = 0; i < 2; i++)
		r[n++] = (struct sc_range){0x40000000 + i * 0x400000, SZ_2M,
					   IOMMU_READ | IOMMU_WRITE};
	return n;
}

static int sc_map_ranges(u16 bdf, struct iommu_domain *dom, struct sc_range *r,
			 unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO,
					      get_order(r[i].size));

		KCHECK(pg, "out of arena memory");
		if (!pg)
			return -ENOMEM;
		r[i].pa = page_to_phys(pg);
		vh_op_begin(VK_OP_MAP);
		ret = iommu_map(dom, r[i].iova, r[i].pa, r[i].size, r[i].prot,
				GFP_KERNEL);
		vh_op_end();
		KCHECK(ret == 0, "iommu_map %#lx: %d", r[i].iova, ret);
		KCHECK(iommu_iova_to_phys(dom, r[i].iova + r[i].size - 1) ==
			       r[i].pa + r[i].size - 1,
		       "iova_to_phys %#lx", r[i].iova);
	}
	/* the driver used 2 MiB pages where size and alignment allow;
	 * VT-d has no 64 KiB page, so those are 4 KiB pages */
	for (i = 0; i < n; i++) {
		u64 want = r[i].size == SZ_2M ? SZ_2M : SZ_4K;
		u64 got = vh_page_size(bdf, false, 0, r[i].iova);

		KCHECK(got == want,
		       "%#lx (%zu bytes) mapped with %llu-byte pages",
		       r[i].iova, r[i].size, got);
	}
	return 0;
}

/* Unmap every other range: half one by one (iommu_unmap syncs), half
 * gathered and synced together. Each is one operation for the model-time
 * report (vh_op_begin). */
static void sc_unmap_half(struct iommu_domain *dom, struct sc_range *r,
			  unsigned int n)
{
	struct iommu_iotlb_gather gather;
	unsigned int i;
	size_t done;

	for (i = 0; i < n; i += 4) {
		vh_op_begin(VK_OP_UNMAP);
		done = iommu_unmap(dom, r[i].iova, r[i].size);
		vh_op_end();
		KCHECK(done == r[i].size, "unmap %#lx: %zu", r[i].iova, done);
		r[i].unmapped = true;
	}
	iommu_iotlb_gather_init(&gather);
	vh_op_begin(VK_OP_UNMAP_GATHERED);
	for (i = 2; i < n; i += 4) {
		done = iommu_unmap_fast(dom, r[i].iova, r[i].size, &gather);
		KCHECK(done == r[i].size, "unmap %#lx: %zu", r[i].iova, done);
		r[i].unmapped = true;
	}
	iommu_iotlb_sync(dom, &gather);
	vh_op_end();
}

static void sc_dma_domain_on(u16 bdf, bool ats)
{
	struct device *dev = sc_dev(bdf);
	struct sc_range *r = kcalloc(64, sizeof(*r), GFP_KERNEL);
	const int miss = ats ? VK_DMA_ATS_FAIL : VK_DMA_FAULT;
	struct iommu_domain *dom;
	unsigned int n, i, faults = 0;
	u64 faults0;
	int ret;

	if (!r)
		return;
	dom = iommu_paging_domain_alloc(dev);
	KCHECK(!IS_ERR(dom), "iommu_paging_domain_alloc: %ld", PTR_ERR(dom));
	if (IS_ERR(dom))
		return;
	vh_op_begin(VK_OP_ATTACH);
	ret = iommu_attach_device(dom, dev);
	vh_op_end();
	KCHECK(ret == 0, "iommu_attach_device: %d", ret);
	KCHECK(sc_info(dev)->ats_enabled == ats, "%s: ATS %d", dev_name(dev),
	       sc_info(dev)->ats_enabled);
	n = sc_ranges(r);
	if (sc_map_ranges(bdf, dom, r, n))
		return;
	faults0 = vh_stat("faults_recorded");
	for (i = 0; i < n; i++)
		sc_range_dma(bdf, ats, &r[i], &faults);
	/* the gaps between mapped pages */
	for (i = 0; i < 8; i++) {
		sc_expect_fail(bdf, false, 0, false, 0x101000 + i * 0x3000,
			       miss);
		faults += !ats;
	}
	sc_unmap_half(dom, r, n);
	for (i = 0; i < n; i++)
		sc_range_dma(bdf, ats, &r[i], &faults);
	KCHECK(vh_stat("faults_recorded") - faults0 == faults,
	       "%s: %llu faults recorded, %u expected", dev_name(dev),
	       vh_stat("faults_recorded") - faults0, faults);
	vh_op_begin(VK_OP_DETACH);
	iommu_detach_device(dom, dev);
	vh_op_end();
	iommu_domain_free(dom);
	/* back on the identity default domain */
	sc_expect_ok(bdf, false, 0, false, 0x100000, 0x100000);
	kfree(r);
}

static int sc_dma_domain(void)
{
	u64 dinv0;

	if (sc_up())
		return 0;
	sc_dma_domain_on(BDF_PLAIN, false);
	/* dmar1's ATS device: the device-TLB caches the domain's
	 * translations, and unmapping must reach it */
	dinv0 = vh_stat("devtlb_inv");
	sc_dma_domain_on(BDF_ATS, true);
	KCHECK(vh_stat("devtlb_inv") > dinv0,
	       "no device-TLB invalidation for the ATS device's unmaps");
	return 0;
}

/* Units without queued invalidation (so without device-TLBs): the driver
 * invalidates through the context and IOTLB command registers. */
static int sc_dma_domain_register_inv(void)
{
	struct dmar_drhd_unit *drhd;
	struct intel_iommu *iommu;

	if (sc_up())
		return 0;
	for_each_active_iommu(iommu, drhd)
	{
		u32 gsts = vh_unit_reg32(iommu->seq_id, DMAR_GSTS_REG);

		KCHECK(!iommu->qi && !(gsts & DMA_GSTS_QIES) &&
			       (gsts & DMA_GSTS_TES),
		       "%s: queued invalidation on a unit without it (GSTS "
		       "%#x)",
		       iommu->name, gsts);
	}
	sc_dma_domain_on(BDF_PLAIN, false);
	sc_dma_domain_on(BDF_ATS, false);
	return 0;
}

/* ---- SVA -------------------------------------------------------------------
 */

#define SVA_VA	  0x7f1234560000UL
#define SVA_PAGES 16

struct iommu_sva *sc_sva_bind(struct device *dev, struct mm_struct *mm,
			      u32 *pasid)
{
	struct iommu_sva *h;
	int r;

	r = iommu_dev_enable_feature(dev, IOMMU_DEV_FEAT_IOPF);
	KCHECK(r == 0, "enable IOMMU_DEV_FEAT_IOPF: %d", r);
	r = iommu_dev_enable_feature(dev, IOMMU_DEV_FEAT_SVA);
	KCHECK(r == 0, "enable IOMMU_DEV_FEAT_SVA: %d", r);
	vh_op_begin(VK_OP_SVA_BIND);
	h = iommu_sva_bind_device(dev, mm);
	vh_op_end();
	KCHECK(!IS_ERR(h), "iommu_sva_bind_device: %ld", PTR_ERR(h));
	if (IS_ERR(h))
		return NULL;
	*pasid = iommu_sva_get_pasid(h);
	KCHECK(*pasid != IOMMU_PASID_INVALID && *pasid, "PASID %u", *pasid);
	return h;
}

void sc_sva_unbind(struct device *dev, struct iommu_sva *h, u32 pasid)
{
	struct pasid_entry *pe;

	vh_op_begin(VK_OP_SVA_UNBIND);
	iommu_sva_unbind_device(h);
	vh_op_end();
	pe = sc_pasid_entry(dev, pasid);
	KCHECK(!pe || !pasid_pte_is_present(pe),
	       "PASID %u still present after unbind", pasid);
	sc_expect_fail(BDF_SVA, true, pasid, false, SVA_VA, VK_DMA_ATS_FAIL);
	iommu_dev_disable_feature(dev, IOMMU_DEV_FEAT_SVA);
	iommu_dev_disable_feature(dev, IOMMU_DEV_FEAT_IOPF);
}

/* A process that exits while bound: its address space is gone before
 * the unbind, and the driver stops the device's use of the PASID at once
 * (its release clears the PASID entry); the unbind after it is clean. */
static void sc_sva_exit(struct device *dev)
{
	struct mm_struct *mm = ks_proc_create();
	struct iommu_sva *h;
	u32 pasid = 0;
	u64 got;
	u8 code;

	if (!mm)
		return;
	ks_proc_add_vma(mm, SVA_VA, SVA_VA + SVA_PAGES * PAGE_SIZE,
			VM_READ | VM_WRITE);
	ks_proc_map(mm, SVA_VA, page_to_phys(alloc_page(GFP_KERNEL)), true);
	h = sc_sva_bind(dev, mm, &pasid);
	if (!h)
		return;
	KCHECK(sc_dma(BDF_SVA, true, pasid, false, SVA_VA + 8, &got, &code) ==
			       VK_DMA_OK &&
		       got == ks_proc_lookup(mm, SVA_VA) + 8,
	       "DMA before exit");
	ks_proc_exit(mm);
	/* the PASID's entry does not translate: a failed translation
	 * (recorded fault), no page request into a dead address space */
	sc_expect_fail(BDF_SVA, true, pasid, false, SVA_VA + 8,
		       VK_DMA_ATS_FAIL);
	sc_sva_unbind(dev, h, pasid);
}

/* The driver refuses SVA on units whose first level lacks what the CPU's
 * page tables use (1 GiB pages), and says so. */
static int sc_sva_unsupported(void)
{
	struct device *dev = sc_dev(BDF_SVA);
	int r;

	ks_expect_err("dmar0 SVM disabled, incompatible 1GB page "
		      "capability");
	ks_expect_err("dmar1 SVM disabled, incompatible 1GB page "
		      "capability");
	if (sc_up())
		return 0;
	r = iommu_dev_enable_feature(dev, IOMMU_DEV_FEAT_IOPF);
	KCHECK(r == 0, "enable IOMMU_DEV_FEAT_IOPF: %d", r);
	r = iommu_dev_enable_feature(dev, IOMMU_DEV_FEAT_SVA);
	KCHECK(r == -ENODEV, "enable IOMMU_DEV_FEAT_SVA without SVM: %d", r);
	iommu_dev_disable_feature(dev, IOMMU_DEV_FEAT_IOPF);
	return 0;
}

static int sc_sva(void)
{
	struct device *dev = sc_dev(BDF_SVA);
	phys_addr_t pa[SVA_PAGES];
	struct mm_struct *mm;
	struct iommu_sva *h;
	struct pasid_entry *pe;
	u64 inv0, dinv0, got;
	u32 pasid = 0;
	unsigned int i;
	u8 code;

	if (sc_up())
		return 0;
	mm = ks_proc_create();
	KCHECK(mm, "no process");
	if (!mm)
		return 0;
	ks_proc_add_vma(mm, SVA_VA, SVA_VA + SVA_PAGES * PAGE_SIZE,
			VM_READ | VM_WRITE);
	for (i = 0; i < SVA_PAGES; i++) {
		pa[i] = __pa(get_zeroed_page(GFP_KERNEL));
		ks_proc_map(mm, SVA_VA + i * PAGE_SIZE, pa[i], true);
	}
	h = sc_sva_bind(dev, mm, &pasid);
	if (!h)
		return 0;
	pe = sc_pasid_entry(dev, pasid);
	KCHECK(pe && pasid_pte_is_present(pe) &&
		       pasid_pte_get_pgtt(pe) == PASID_ENTRY_PGTT_FL_ONLY &&
		       (pe->val[2] & VTD_PAGE_MASK) == __pa(mm->pgd),
	       "PASID %u entry does not point at the process page tables",
	       pasid);
	/* DMA through the first-level tables, over ATS (the device-TLB) */
	for (i = 0; i < SVA_PAGES; i++) {
		sc_expect_ok(BDF_SVA, true, pasid, false,
			     SVA_VA + i * PAGE_SIZE + 0x40, pa[i] + 0x40);
		sc_expect_ok(BDF_SVA, true, pasid, true,
			     SVA_VA + i * PAGE_SIZE + 0x80, pa[i] + 0x80);
	}
	/* munmap: the MMU notifier makes the driver invalidate the IOTLB and
	 * the device-TLB for the PASID */
	inv0 = vh_stat("iotlb_inv");
	dinv0 = vh_stat("devtlb_inv");
	vh_op_begin(VK_OP_MM_INVALIDATE);
	ks_proc_unmap(mm, SVA_VA + 3 * PAGE_SIZE);
	vh_op_end();
	KCHECK(vh_stat("iotlb_inv") > inv0,
	       "no IOTLB invalidation after munmap");
	KCHECK(vh_stat("devtlb_inv") > dinv0,
	       "no device-TLB invalidation after munmap");
	/* the device now faults the page back in through PRI */
	KCHECK(sc_dma(BDF_SVA, true, pasid, false, SVA_VA + 3 * PAGE_SIZE, &got,
		      &code) == VK_DMA_OK,
	       "access after munmap did not complete");
	KCHECK(got != pa[3] &&
		       got == ks_proc_lookup(mm, SVA_VA + 3 * PAGE_SIZE),
	       "access after munmap used %#llx: stale translation", got);
	sc_expect_ok(BDF_SVA, true, pasid, false, SVA_VA + 4 * PAGE_SIZE,
		     pa[4]);
	/* a flush of the whole address space: every PASID translation goes */
	inv0 = vh_stat("iotlb_inv");
	dinv0 = vh_stat("devtlb_inv");
	ks_proc_flush_all(mm);
	KCHECK(vh_stat("iotlb_inv") > inv0 && vh_stat("devtlb_inv") > dinv0,
	       "a whole-mm flush did not reach the IOTLB and the device-TLB");
	sc_expect_ok(BDF_SVA, true, pasid, false, SVA_VA + 4 * PAGE_SIZE,
		     pa[4]);
	sc_sva_unbind(dev, h, pasid);
	sc_sva_exit(dev);
	return 0;
}

/* ---- page faults ------------------------------------------------------------
 */

#define PF_VA	 0x5500000000UL
#define PF_PAGES 32

static int sc_page_fault(void)
{
	struct device *dev = sc_dev(BDF_SVA);
	struct mm_struct *mm;
	struct iommu_sva *h;
	u64 prq0, resp0, got;
	u32 pasid = 0;
	unsigned int i;
	u8 code;
	int st;

	if (sc_up())
		return 0;
	mm = ks_proc_create();
	if (!mm)
		return 0;
	/* nothing mapped yet: every first touch is a page fault */
	ks_proc_add_vma(mm, PF_VA, PF_VA + PF_PAGES * PAGE_SIZE,
			VM_READ | VM_WRITE);
	h = sc_sva_bind(dev, mm, &pasid);
	if (!h)
		return 0;
	prq0 = vh_stat("page_requests");
	resp0 = vh_stat("page_responses");
	for (i = 0; i < 4; i++) {
		unsigned long va = PF_VA + i * 5 * PAGE_SIZE + 0x123;

		st = sc_dma(BDF_SVA, true, pasid, i & 1, va, &got, &code);
		KCHECK(st == VK_DMA_OK, "faulting access %#lx: status %d", va,
		       st);
		KCHECK(ks_proc_lookup(mm, va) &&
			       got == ks_proc_lookup(mm, va) +
					       (va & ~PAGE_MASK),
		       "access %#lx completed at %#llx, the fault handler "
		       "mapped %#llx",
		       va, got, ks_proc_lookup(mm, va));
	}
	KCHECK(ks_proc_faults(mm) == 4, "%lu faults handled, 4 expected",
	       ks_proc_faults(mm));
	KCHECK(vh_stat("page_requests") - prq0 == 4, "%llu page requests",
	       vh_stat("page_requests") - prq0);
	KCHECK(vh_stat("page_responses") - resp0 == 4, "%llu page responses",
	       vh_stat("page_responses") - resp0);
	/* a second touch of a faulted-in page needs no page request */
	sc_expect_ok(BDF_SVA, true, pasid, false, PF_VA + 0x10,
		     ks_proc_lookup(mm, PF_VA) + 0x10);
	KCHECK(vh_stat("page_requests") - prq0 == 4,
	       "a mapped page was requested again");
	/* outside every VMA: io-pgfault answers Invalid Request, and the
	 * device sees the failure */
	st = sc_dma(BDF_SVA, true, pasid, true, PF_VA + (1UL << 30), &got,
		    &code);
	KCHECK(st == VK_DMA_PRQ_FAIL && code == IOMMU_PAGE_RESP_INVALID,
	       "access outside the address space: status %d response %u", st,
	       code);
	KCHECK(ks_proc_faults(mm) == 4, "the bad access was mapped");
	/* unbind with a page request still in the queue: the driver drains
	 * the PASID's requests (waiting for its PRQ thread) before the PASID
	 * can be reused, and the device gets its answer */
	st = vh_dma(BDF_SVA, true, pasid, false, PF_VA + 20 * PAGE_SIZE, &got,
		    &code);
	KCHECK(st == VK_DMA_PENDING, "access to an unmapped page: status %d",
	       st);
	resp0 = vh_stat("page_responses");
	sc_sva_unbind(dev, h, pasid);
	st = vh_dma_result(BDF_SVA, &got, &code);
	/* its retry finds the PASID entry gone: the fault it reports */
	if (vh_dma_fault(BDF_SVA))
		sc_allow_fault_report(BDF_SVA, true, pasid, false,
				      PF_VA + 20 * PAGE_SIZE,
				      vh_dma_fault(BDF_SVA));
	KCHECK(st >= 0 && st != VK_DMA_PENDING &&
		       vh_stat("page_responses") == resp0 + 1,
	       "the page request in flight at unbind was not answered by the "
	       "driver (status %d, %llu responses)",
	       st, vh_stat("page_responses") - resp0);
	return 0;
}

/* ---- nested (guest SVA)
 * ------------------------------------------------------ */

#define GPA_BASE 0x80000000UL
#define GVA_BASE 0x7f0000000000UL
#define G_PAGES	 16
#define G_PTE	 (0x1ULL | 0x2ULL | 0x4ULL | 0x20ULL | 0x40ULL) /* P RW US A D */

struct sc_guest {
	phys_addr_t hpa[G_PAGES]; /* host page behind GPA_BASE + i pages */
	struct iommu_domain *parent, *s1;
};

static u64 *sc_gpage(struct sc_guest *g, unsigned int i)
{
	return __va(g->hpa[i]);
}

static unsigned long sc_gpa(unsigned int i)
{
	return GPA_BASE + i * PAGE_SIZE;
}

/* The guest's own page table at GPA page 0..3 (PML4, PDPT, PD, PT), mapping
 * GVA page j to GPA page 8 + j, written as the guest kernel would. */
static void sc_guest_tables(struct sc_guest *g)
{
	unsigned long va = GVA_BASE;
	unsigned int j;

	sc_gpage(g, 0)[(va >> 39) & 511] = sc_gpa(1) | G_PTE;
	sc_gpage(g, 1)[(va >> 30) & 511] = sc_gpa(2) | G_PTE;
	sc_gpage(g, 2)[(va >> 21) & 511] = sc_gpa(3) | G_PTE;
	for (j = 0; j < 6; j++)
		sc_gpage(g, 3)[((va >> 12) & 511) + j] = sc_gpa(8 + j) | G_PTE;
}

static struct iommu_domain *sc_alloc_user(struct device *dev, u32 flags,
					  struct iommu_domain *parent,
					  const struct iommu_user_data *ud)
{
	const struct iommu_ops *ops = dev->iommu->iommu_dev->ops;
	struct iommu_domain *d = ops->domain_alloc_user(dev, flags, parent, ud);

	/* what iommufd does with a domain it allocated */
	if (!IS_ERR(d))
		d->owner = ops;
	return d;
}

static int sc_guest_setup(struct device *dev, struct sc_guest *g)
{
	struct iommu_hwpt_vtd_s1 s1 = {.pgtbl_addr = GPA_BASE,
				       .addr_width = 48};
	struct iommu_user_data ud = {.type = IOMMU_HWPT_DATA_VTD_S1,
				     .uptr = (void __user *)&s1,
				     .len = sizeof(s1)};
	unsigned int i;
	int r;

	memset(g, 0, sizeof(*g));
	g->parent =
		sc_alloc_user(dev, IOMMU_HWPT_ALLOC_NEST_PARENT, NULL, NULL);
	KCHECK(!IS_ERR(g->parent), "nest parent: %ld", PTR_ERR(g->parent));
	if (IS_ERR(g->parent))
		return -1;
	/* guest memory: GPA -> HPA in the second stage */
	for (i = 0; i < G_PAGES; i++) {
		g->hpa[i] = __pa(get_zeroed_page(GFP_KERNEL));
		r = iommu_map(g->parent, sc_gpa(i), g->hpa[i], PAGE_SIZE,
			      IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
		KCHECK(r == 0, "stage-2 map of GPA %#lx: %d", sc_gpa(i), r);
	}
	sc_guest_tables(g);
	g->s1 = sc_alloc_user(dev, 0, g->parent, &ud);
	KCHECK(!IS_ERR(g->s1), "IOMMU_HWPT_DATA_VTD_S1 domain: %ld",
	       PTR_ERR(g->s1));
	if (IS_ERR(g->s1))
		return -1;
	KCHECK(g->s1->type == IOMMU_DOMAIN_NESTED, "stage-1 domain type %d",
	       g->s1->type);
	return 0;
}

static int sc_guest_inv(struct iommu_domain *s1, unsigned long addr, u64 npages,
			u32 flags, u32 reserved, size_t entry_len, u32 *done)
{
	struct {
		struct iommu_hwpt_vtd_s1_invalidate e;
		u64 tail;
	} inv = {{addr, npages, flags, reserved}, 0};
	struct iommu_user_data_array arr = {
		.type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.uptr = (void __user *)&inv,
		.entry_len = entry_len,
		.entry_num = 1,
	};
	int r;

	if (entry_len > sizeof(inv.e))
		inv.tail = 0xff;
	vh_op_begin(VK_OP_GUEST_INVALIDATE);
	r = s1->ops->cache_invalidate_user(s1, &arr);
	vh_op_end();
	*done = arr.entry_num;
	return r;
}

/* hw_info: what a VMM reports to its guest about the unit */
static void sc_nested_hw_info(struct device *dev)
{
	const struct iommu_ops *ops = dev->iommu->iommu_dev->ops;
	enum iommu_hw_info_type type = IOMMU_HW_INFO_TYPE_NONE;
	struct iommu_hw_info_vtd *hw;
	u32 len = 0;

	hw = ops->hw_info(dev, &len, &type);
	KCHECK(!IS_ERR(hw) && type == IOMMU_HW_INFO_TYPE_INTEL_VTD &&
		       len == sizeof(*hw),
	       "hw_info: %ld type %d len %u", IS_ERR(hw) ? PTR_ERR(hw) : 0,
	       type, len);
	if (IS_ERR(hw))
		return;
	KCHECK(hw->cap_reg == vh_unit_reg(0, DMAR_CAP_REG) &&
		       hw->ecap_reg == vh_unit_reg(0, DMAR_ECAP_REG),
	       "hw_info CAP %#llx ECAP %#llx differ from the unit's",
	       hw->cap_reg, hw->ecap_reg);
	kfree(hw);
}

/* A guest's stage 1 over the host's stage 2 on device bdf. 6.12 turned ATS
 * off when it attached a nested domain and never back on; with the backport
 * of upstream 5518f239aff1 (kernel-patches/0002) ATS stays on from probe in
 * scalable mode, so an ATS device translates through the nested entry and
 * a miss is a failed translation request, not a recorded fault. */
static void sc_nested_guest(u16 bdf)
{
	struct device *dev = sc_dev(bdf);
	const u64 pt_slot = ((GVA_BASE >> 12) & 511) + 2;
	const bool ats = sc_info(dev)->ats_supported;
	const int miss = ats ? VK_DMA_ATS_FAIL : VK_DMA_FAULT;
	struct pasid_entry *pe;
	struct sc_guest g;
	unsigned int j;
	u32 done;
	int r;

	if (sc_guest_setup(dev, &g))
		return;
	/* 6.12's nested domain attaches to the device, i.e. its RID_PASID */
	vh_op_begin(VK_OP_ATTACH);
	r = iommu_attach_device(g.s1, dev);
	vh_op_end();
	KCHECK(r == 0, "%s: attach nested domain: %d", dev_name(dev), r);
	pe = sc_pasid_entry(dev, IOMMU_NO_PASID);
	KCHECK(pe && pasid_pte_get_pgtt(pe) == PASID_ENTRY_PGTT_NESTED,
	       "%s: RID_PASID entry is not nested", dev_name(dev));
	KCHECK(sc_info(dev)->ats_enabled == ats &&
		       sc_cfg_enabled(to_pci_dev(dev), PCI_EXT_CAP_ID_ATS,
				      PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE) == ats,
	       "%s: ATS %s under a nested domain", dev_name(dev),
	       ats ? "off" : "on");
	/* DMA: GVA -> (guest first stage) GPA -> (second stage) HPA */
	for (j = 0; j < 6; j++)
		sc_expect_ok(bdf, false, 0, j & 1,
			     GVA_BASE + j * PAGE_SIZE + 0x18,
			     g.hpa[8 + j] + 0x18);
	/* the guest remaps GVA page 2 and forwards its invalidation */
	sc_gpage(&g, 3)[pt_slot] = sc_gpa(14) | G_PTE;
	r = sc_guest_inv(g.s1, GVA_BASE + 2 * PAGE_SIZE, 1,
			 IOMMU_VTD_INV_FLAGS_LEAF, 0,
			 sizeof(struct iommu_hwpt_vtd_s1_invalidate), &done);
	KCHECK(r == 0 && done == 1, "cache_invalidate_user: %d, %u done", r,
	       done);
	sc_expect_ok(bdf, false, 0, false, GVA_BASE + 2 * PAGE_SIZE + 8,
		     g.hpa[14] + 8);
	/* the guest unmaps GVA page 3: a whole-domain flush (npages U64_MAX) */
	sc_gpage(&g, 3)[pt_slot + 1] = 0;
	r = sc_guest_inv(g.s1, 0, U64_MAX, 0, 0,
			 sizeof(struct iommu_hwpt_vtd_s1_invalidate), &done);
	KCHECK(r == 0 && done == 1, "full invalidation: %d", r);
	sc_expect_fail(bdf, false, 0, false, GVA_BASE + 3 * PAGE_SIZE, miss);
	/* the guest changes three pages from an odd one (maps page 3 again,
	 * moves 4 and 5, touched first) and forwards one invalidation of
	 * three pages, without the leaf hint */
	sc_expect_ok(bdf, false, 0, false, GVA_BASE + 4 * PAGE_SIZE, g.hpa[12]);
	sc_expect_ok(bdf, false, 0, false, GVA_BASE + 5 * PAGE_SIZE, g.hpa[13]);
	sc_gpage(&g, 3)[pt_slot + 1] = sc_gpa(15) | G_PTE;
	sc_gpage(&g, 3)[pt_slot + 2] = sc_gpa(14) | G_PTE;
	sc_gpage(&g, 3)[pt_slot + 3] = sc_gpa(8) | G_PTE;
	r = sc_guest_inv(g.s1, GVA_BASE + 3 * PAGE_SIZE, 3, 0, 0,
			 sizeof(struct iommu_hwpt_vtd_s1_invalidate), &done);
	KCHECK(r == 0 && done == 1, "three-page invalidation: %d", r);
	sc_expect_ok(bdf, false, 0, true, GVA_BASE + 3 * PAGE_SIZE + 8,
		     g.hpa[15] + 8);
	sc_expect_ok(bdf, false, 0, false, GVA_BASE + 4 * PAGE_SIZE + 8,
		     g.hpa[14] + 8);
	sc_expect_ok(bdf, false, 0, false, GVA_BASE + 5 * PAGE_SIZE + 8,
		     g.hpa[8] + 8);
	/* the host changes the second stage under the guest: unmap GPA page 9
	 * (behind GVA page 1); the driver flushes the nested domain too */
	vh_op_begin(VK_OP_UNMAP);
	done = iommu_unmap(g.parent, sc_gpa(9), PAGE_SIZE);
	vh_op_end();
	KCHECK(done == PAGE_SIZE, "stage-2 unmap");
	sc_expect_fail(bdf, false, 0, false, GVA_BASE + PAGE_SIZE, miss);
	sc_expect_ok(bdf, false, 0, false, GVA_BASE, g.hpa[8]);
	iommu_detach_device(g.s1, dev);
	iommu_domain_free(g.s1);
	iommu_domain_free(g.parent);
}

/* One guest stage-1 configuration: its flags and width reach the PASID
 * entry the driver writes (qw2: SRE bit 0, FLPM 3:2, WPE 4, EAFE 7). */
static void sc_nested_shape(u16 bdf, struct sc_guest *g, u32 flags, u32 aw,
			    u64 want2, const char *what)
{
	struct device *dev = sc_dev(bdf);
	struct iommu_hwpt_vtd_s1 s1 = {
		.flags = flags, .pgtbl_addr = GPA_BASE, .addr_width = aw};
	struct iommu_user_data ud = {.type = IOMMU_HWPT_DATA_VTD_S1,
				     .uptr = (void __user *)&s1,
				     .len = sizeof(s1)};
	const u64 mask =
		BIT_ULL(0) | GENMASK_ULL(3, 2) | BIT_ULL(4) | BIT_ULL(7);
	struct iommu_domain *d = sc_alloc_user(dev, 0, g->parent, &ud);
	struct pasid_entry *pe;
	int r;

	KCHECK(!IS_ERR(d), "%s: stage-1 domain: %ld", what, PTR_ERR(d));
	if (IS_ERR(d))
		return;
	r = iommu_attach_device(d, dev);
	KCHECK(r == 0, "%s: attach: %d", what, r);
	pe = sc_pasid_entry(dev, IOMMU_NO_PASID);
	KCHECK(!r && pe && (READ_ONCE(pe->val[2]) & mask) == want2,
	       "%s: PASID entry qw2 %#llx, want %#llx under %#llx", what,
	       pe ? READ_ONCE(pe->val[2]) & mask : 0, want2, mask);
	/* a 4-level guest table translates as before */
	if (!r && aw == 48)
		sc_expect_ok(bdf, false, 0, false, GVA_BASE + 0x18,
			     g->hpa[8] + 0x18);
	if (!r)
		iommu_detach_device(d, dev);
	iommu_domain_free(d);
}

/* Every stage-1 shape the hardware information allows (SRE, WPE, EAFE,
 * 5-level), and a parent with dirty tracking, switched while a guest
 * domain is attached on it (SSADE, qw0 bit 9, follows). */
static void sc_nested_shapes(u16 bdf)
{
	struct device *dev = sc_dev(bdf);
	struct sc_guest g;
	struct pasid_entry *pe;
	int r;

	if (sc_guest_setup(dev, &g))
		return;
	sc_nested_shape(bdf, &g, IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_WPE, 48,
			BIT_ULL(0) | BIT_ULL(4), "SRE and WPE");
	sc_nested_shape(bdf, &g, IOMMU_VTD_S1_EAFE, 48, BIT_ULL(7), "EAFE");
	sc_nested_shape(bdf, &g, 0, 57, 1ULL << 2, "5-level");
	iommu_domain_free(g.s1);
	iommu_domain_free(g.parent);
	g.parent = sc_alloc_user(dev,
				 IOMMU_HWPT_ALLOC_NEST_PARENT |
					 IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				 NULL, NULL);
	KCHECK(!IS_ERR(g.parent), "dirty-tracking nest parent: %ld",
	       PTR_ERR(g.parent));
	if (IS_ERR(g.parent))
		return;
	r = g.parent->dirty_ops->set_dirty_tracking(g.parent, true);
	KCHECK(r == 0, "dirty tracking on the parent: %d", r);
	{
		struct iommu_hwpt_vtd_s1 s1 = {.pgtbl_addr = GPA_BASE,
					       .addr_width = 48};
		struct iommu_user_data ud = {.type = IOMMU_HWPT_DATA_VTD_S1,
					     .uptr = (void __user *)&s1,
					     .len = sizeof(s1)};

		g.s1 = sc_alloc_user(dev, 0, g.parent, &ud);
	}
	KCHECK(!IS_ERR(g.s1), "guest domain on it: %ld", PTR_ERR(g.s1));
	if (IS_ERR(g.s1))
		return;
	r = iommu_attach_device(g.s1, dev);
	KCHECK(r == 0, "attach: %d", r);
	pe = sc_pasid_entry(dev, IOMMU_NO_PASID);
	KCHECK(pe && (READ_ONCE(pe->val[0]) & BIT_ULL(9)),
	       "nested entry without SSADE under a dirty-tracking parent");
	r = g.parent->dirty_ops->set_dirty_tracking(g.parent, false);
	KCHECK(r == 0 && !(READ_ONCE(pe->val[0]) & BIT_ULL(9)),
	       "dirty tracking off on the parent: %d, SSADE %s", r,
	       READ_ONCE(pe->val[0]) & BIT_ULL(9) ? "kept" : "gone");
	iommu_detach_device(g.s1, dev);
	iommu_domain_free(g.s1);
	iommu_domain_free(g.parent);
}

static int sc_nested(void)
{
	if (sc_up())
		return 0;
	sc_nested_hw_info(sc_dev(BDF_PASID));
	sc_nested_guest(BDF_PASID);
	sc_nested_shapes(BDF_PASID);
	/* the SVA device had ATS on under its identity domain */
	KCHECK(sc_info(sc_dev(BDF_SVA))->ats_enabled, "00:03.0 without ATS");
	sc_nested_guest(BDF_SVA);
	return 0;
}

/* A VMM that drops the guest's invalidation: the guest remaps a page whose
 * translation the IOTLB holds and asks for the flush, the host never calls
 * cache_invalidate_user. The next DMA must be the checker's report (this
 * scenario is expected to fail, with exactly that report). */
static int sc_nested_unforwarded(void)
{
	struct device *dev = sc_dev(BDF_PASID);
	const u64 pt_slot = ((GVA_BASE >> 12) & 511) + 2;
	struct sc_guest g;
	u64 pa;
	u8 code;
	int r;

	if (sc_up() || sc_guest_setup(dev, &g))
		return 0;
	vh_op_begin(VK_OP_ATTACH);
	r = iommu_attach_device(g.s1, dev);
	vh_op_end();
	KCHECK(r == 0, "attach nested domain: %d", r);
	sc_expect_ok(BDF_PASID, false, 0, false, GVA_BASE + 2 * PAGE_SIZE,
		     g.hpa[10]);
	sc_gpage(&g, 3)[pt_slot] = sc_gpa(14) | G_PTE;
	/* no cache_invalidate_user here */
	sc_dma(BDF_PASID, false, 0, false, GVA_BASE + 2 * PAGE_SIZE, &pa,
	       &code);
	iommu_detach_device(g.s1, dev);
	iommu_domain_free(g.s1);
	iommu_domain_free(g.parent);
	return 0;
}

/* ---- bad input at the user boundary -----------------------------------------
 */

static void sc_bad_alloc(struct device *dev, struct iommu_domain *parent,
			 unsigned int type, const void *data, size_t len,
			 long want, const char *what)
{
	struct iommu_user_data ud = {
		.type = type, .uptr = (void __user *)data, .len = len};
	struct iommu_domain *d = sc_alloc_user(dev, 0, parent, &ud);

	KCHECK(IS_ERR(d) && PTR_ERR(d) == want,
	       "%s: got %ld, the kernel's error is %ld", what,
	       IS_ERR(d) ? PTR_ERR(d) : 0L, want);
	if (!IS_ERR(d))
		iommu_domain_free(d);
}

static int sc_bad_input(void)
{
	struct device *dev = sc_dev(BDF_PASID);
	struct {
		struct iommu_hwpt_vtd_s1 s1;
		u64 tail;
	} big;
	struct iommu_hwpt_vtd_s1 s1 = {.pgtbl_addr = GPA_BASE,
				       .addr_width = 48};
	struct pasid_entry *pe, before;
	struct sc_guest g;
	u64 iqt0, ninv0;
	u32 done;
	int r;

	if (sc_up() || sc_guest_setup(dev, &g))
		return 0;
	pe = sc_pasid_entry(dev, IOMMU_NO_PASID);
	if (!pe)
		return 0;
	before = *pe;
	/* IOMMU_HWPT_DATA_VTD_S1 */
	sc_bad_alloc(dev, g.parent, IOMMU_HWPT_DATA_NONE, &s1, sizeof(s1),
		     -EOPNOTSUPP, "wrong data type");
	sc_bad_alloc(dev, g.parent, IOMMU_HWPT_DATA_VTD_S1, &s1, 8, -EINVAL,
		     "data shorter than the first version");
	big.s1 = s1;
	big.tail = 1;
	sc_bad_alloc(dev, g.parent, IOMMU_HWPT_DATA_VTD_S1, &big, sizeof(big),
		     -EINVAL, "data longer than 6.12 knows");
	sc_bad_alloc(dev, NULL, IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
		     -EOPNOTSUPP, "stage-1 data without a parent");
	sc_bad_alloc(dev, g.s1, IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
		     -EINVAL, "a parent that is not a nest parent");
	/* accepted at allocation, refused at attach: an address width the
	 * first stage cannot walk */
	s1.addr_width = 39;
	{
		struct iommu_user_data ud = {.type = IOMMU_HWPT_DATA_VTD_S1,
					     .uptr = (void __user *)&s1,
					     .len = sizeof(s1)};
		struct iommu_domain *d = sc_alloc_user(dev, 0, g.parent, &ud);

		KCHECK(!IS_ERR(d), "alloc with addr_width 39: %ld", PTR_ERR(d));
		if (!IS_ERR(d)) {
			r = iommu_attach_device(d, dev);
			KCHECK(r == -EINVAL,
			       "attach with addr_width 39: %d, want %d", r,
			       -EINVAL);
			ks_expect_err("0000:00:04.0: Invalid stage-1 address "
				      "width 39");
			iommu_domain_free(d);
		}
	}
	/* flags the unit cannot honour (it reports neither SRS nor EAFS):
	 * accepted at allocation, refused at attach with the reason */
	{
		static const struct {
			u32 flag;
			const char *msg;
		} no[] = {
			{IOMMU_VTD_S1_SRE,
			 "DMAR: No supervisor request support on dmar0"},
			{IOMMU_VTD_S1_EAFE,
			 "DMAR: No extended access flag support on dmar0"},
		};
		unsigned int k;

		for (k = 0; k < ARRAY_SIZE(no); k++) {
			struct iommu_hwpt_vtd_s1 f = {.flags = no[k].flag,
						      .pgtbl_addr = GPA_BASE,
						      .addr_width = 48};
			struct iommu_user_data ud = {
				.type = IOMMU_HWPT_DATA_VTD_S1,
				.uptr = (void __user *)&f,
				.len = sizeof(f)};
			struct iommu_domain *d =
				sc_alloc_user(dev, 0, g.parent, &ud);

			KCHECK(!IS_ERR(d), "alloc with flag %#x: %ld",
			       no[k].flag, PTR_ERR(d));
			if (IS_ERR(d))
				continue;
			ks_expect_err(no[k].msg);
			r = iommu_attach_device(d, dev);
			KCHECK(r == -EINVAL, "attach with flag %#x: %d",
			       no[k].flag, r);
			iommu_domain_free(d);
		}
	}
	KCHECK(!memcmp(&before, pe, sizeof(before)),
	       "a refused attach changed the device's RID_PASID entry");
	/* IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 on the (unattached) nested domain:
	 * rejected before any descriptor is built */
	iqt0 = vh_unit_reg(0, DMAR_IQT_REG);
	ninv0 = vh_stat("inv_descriptors");
	{
		const size_t e = sizeof(struct iommu_hwpt_vtd_s1_invalidate);
		static const struct {
			unsigned long addr;
			u64 npages;
			u32 flags, reserved;
			size_t len;
			int want;
			const char *what;
		} bad[] = {
			{0x1000, 1, 0, 0, 8, -EINVAL,
			 "entry shorter than the first version"},
			{0x1000, 1, 1 << 1, 0, e, -EOPNOTSUPP, "unknown flag"},
			{0x1000, 1, 0, 1, e, -EOPNOTSUPP, "reserved field set"},
			{0x1010, 1, 0, 0, e, -EINVAL,
			 "address not 4 KiB aligned"},
			{0x1000, U64_MAX, 0, 0, e, -EINVAL,
			 "all pages from a non-zero address"},
			{0x1000, 1, 0, 0, e + 8, -EINVAL,
			 "entry longer than 6.12 knows"},
		};
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			r = sc_guest_inv(g.s1, bad[i].addr, bad[i].npages,
					 bad[i].flags, bad[i].reserved,
					 bad[i].len, &done);
			KCHECK(r == bad[i].want && done == 0,
			       "invalidation, %s: %d (%u done), the kernel's "
			       "error is %d",
			       bad[i].what, r, done, bad[i].want);
		}
	}
	/* nothing reached the hardware */
	KCHECK(vh_unit_reg(0, DMAR_IQT_REG) == iqt0 &&
		       vh_stat("inv_descriptors") == ninv0,
	       "rejected input submitted invalidation descriptors");
	KCHECK(!memcmp(&before, pe, sizeof(before)),
	       "rejected input changed the device's RID_PASID entry");
	iommu_domain_free(g.s1);
	iommu_domain_free(g.parent);
	return 0;
}

/* faults: the DMA faults the unit must have recorded by the end: any other
 * fault is a driver (or model) problem. -1: the scenario counts its own. */
struct ks_scenario {
	const char *name;
	int (*run)(void);
	int faults;
	const char *cmdline;  /* the kernel command line it boots with */
	const char *units;    /* model settings of every unit (KEY=VALUE ...) */
	const char *firmware; /* DMAR structures beyond the DRHDs */
};

static const struct ks_scenario ks_scenarios[] = {
	{"bringup", sc_bringup, 0},
	{"probe", sc_probe, 0},
	{"dma-domain", sc_dma_domain, -1},
	/* an access after unbind (twice), an access after the process
	 * exited */
	{"sva", sc_sva, 3},
	/* on 00:04.0 (00:03.0 uses ATS): a guest-unmapped page, a
	 * stage-2-unmapped page */
	{"nested", sc_nested, 2},
	/* an access after unbind, the in-flight request's retry */
	{"page-fault", sc_page_fault, 2},
	/* on units without SRS and EAFS, for the stage-1 flags they refuse */
	{"bad-input", sc_bad_input, 0, NULL, "ecap.srs=0 ecap.eafs=0"},
	{"nested-unforwarded", sc_nested_unforwarded, 0},
	/* a ROM write, a guest-unmapped page, a host-unmapped page */
	{"iommufd", sc_iommufd, 3, NULL, "ecap.sc=1"},
	/* misses go over ATS: failed translations, no recorded fault */
	{"guest-fault", sc_guest_fault, 0},
	/* the DMA API on translated default domains; the scenarios count
	 * their faults */
	{"dma-api-strict", sc_dma_api_strict, -1,
	 "iommu.passthrough=0 iommu.strict=1 "
	 "intel_iommu=on,igfx_off,intgpu_off,sm_on,tboot_noforce"},
	{"dma-api-lazy", sc_dma_api_lazy, -1,
	 "iommu.passthrough=0 iommu.strict=0"},
	/* QEMU's scalable vIOMMU: caching mode, second level only; the
	 * scenario counts its faults */
	{"caching-mode", sc_caching_mode, -1, "iommu.passthrough=0",
	 "cap.cm=1 ecap.flts=0 ecap.nest=0"},
	/* legacy mode (second-level tables, context entries with the domain
	 * ID): the IOMMU API and the DMA API, each counting its faults */
	{"legacy-dma-domain", sc_dma_domain, -1, "intel_iommu=sm_off"},
	{"legacy-dma-api", sc_dma_api_strict, -1,
	 "intel_iommu=sm_off iommu.passthrough=0 iommu.strict=1"},
	/* and without queued invalidation: the CCMD and IOTLB registers */
	{"legacy-register-invalidation", sc_dma_domain_register_inv, -1,
	 "intel_iommu=sm_off",
	 "ecap.qi=0 ecap.dt=0 ecap.smts=0 ecap.pasid=0 ecap.prs=0 ecap.nest=0"},
	/* unmaps of every shape; the scenario counts its faults */
	{"flush-ranges", sc_flush_ranges, -1},
	{"legacy-flush-ranges", sc_flush_ranges, -1, "intel_iommu=sm_off"},
	{"first-level-flush-ranges", sc_flush_ranges_first_level, -1,
	 "iommu.passthrough=0 iommu.strict=1"},
	/* a domain on three devices, domain ID reuse, detach and reattach,
	 * a PASID's domain; the scenario counts its faults */
	{"domains", sc_domains, -1, NULL, "ecap.c=0"},
	/* page requests none of the device's accesses waits for; the
	 * access after unbind */
	{"page-requests", sc_page_requests, 1},
	/* devices removed and added again; the scenario counts its faults */
	{"hotplug", sc_hotplug, -1},
	/* a system sleep; the scenario counts its faults */
	{"suspend-resume", sc_suspend_resume, -1},
	/* RMRR, ATSR, RHSA and SATC in the DMAR table; faults counted */
	{"firmware-tables", sc_firmware_tables, -1, "iommu.passthrough=0", NULL,
	 "rmrr atsr rhsa satc"},
	/* a VMM's dirty tracking for migration */
	{"dirty-tracking", sc_dirty_tracking, 0},
	/* invalidation queue errors provoked, the driver's recovery; the
	 * access after the last unmap */
	{"inv-queue-errors", sc_inv_queue_errors, 1},
	/* units whose first level cannot map the CPU's 1 GiB pages: no SVA */
	{"sva-unsupported", sc_sva_unsupported, 0, NULL, "cap.fl1gp=0"},
	/* dmar1 hot-added and removed through ACPI */
	{"drhd-hotplug", sc_drhd_hotplug, 0, NULL, NULL, "hotplug"},
	{"shim", ks_selftest, 0},
};

const char *vk_scenario_name(unsigned int i)
{
	return i < ARRAY_SIZE(ks_scenarios) ? ks_scenarios[i].name : NULL;
}

static const struct ks_scenario *ks_scenario(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ks_scenarios); i++)
		if (!strcmp(ks_scenarios[i].name, name))
			return &ks_scenarios[i];
	return NULL;
}

const char *vk_scenario_cmdline(const char *name)
{
	const struct ks_scenario *sc = ks_scenario(name);

	return sc && sc->cmdline ? sc->cmdline : "";
}

const char *vk_scenario_firmware(const char *name)
{
	const struct ks_scenario *sc = ks_scenario(name);

	return sc && sc->firmware ? sc->firmware : "";
}

const char *vk_scenario_units(const char *name)
{
	const struct ks_scenario *sc = ks_scenario(name);

	return sc && sc->units ? sc->units : "";
}

int vk_scenario_run(const char *name)
{
	const struct ks_scenario *sc = ks_scenario(name);

	if (!sc)
		return -1;
	sc->run();
	ks_run_pending();
	ks_err_gate_end();
	KCHECK(sc->faults < 0 || vh_stat("faults_recorded") == sc->faults,
	       "%llu DMA faults recorded, the scenario accounts for %d",
	       vh_stat("faults_recorded"), sc->faults);
	KCHECK(!vh_stat("faults_overflowed"),
	       "%llu faults lost to primary fault overflow",
	       vh_stat("faults_overflowed"));
	return 0;
}
