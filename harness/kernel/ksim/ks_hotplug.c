// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: devices removed and added again, as PCI hot-plug
 * (or a driver core unbind and rescan) does: the PCI bus's notifier chain
 * tells the IOMMU core (iommu_release_device: the driver's release, its
 * PASID table and context entry torn down) and the DMAR code (the device
 * leaves and rejoins its DRHD's scope). A removed device's DMA is refused;
 * the re-added one is probed again, gets its default domain and its PCIe
 * features back, and SVA works on it.
 */
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include "iommu.h"
#include "ks_scenario.h"

#define HP_ADDR 0x123000UL

static void sc_replug(u16 bdf, bool ats, unsigned int *faults)
{
	struct device *dev = sc_dev(bdf);
	struct iommu_domain *dom;
	int r;

	sc_expect_ok(bdf, false, 0, false, HP_ADDR, HP_ADDR);
	r = ks_pci_hotplug(bdf, false);
	KCHECK(r == 0, "removing %s: %d", dev_name(dev), r);
	KCHECK(!device_iommu_mapped(dev) && !dev->iommu,
	       "%s: still in an IOMMU group after removal", dev_name(dev));
	KCHECK(!sc_cfg_enabled(to_pci_dev(dev), PCI_EXT_CAP_ID_ATS,
			       PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE),
	       "%s: ATS left enabled after removal", dev_name(dev));
	/* no context entry any more: untranslated DMA is refused */
	sc_expect_fail(bdf, false, 0, false, HP_ADDR, VK_DMA_FAULT);
	(*faults)++;
	r = ks_pci_hotplug(bdf, true);
	KCHECK(r == 0, "adding %s: %d", dev_name(dev), r);
	KCHECK(device_iommu_mapped(dev) && sc_info(dev), "%s: not probed again",
	       dev_name(dev));
	dom = iommu_get_domain_for_dev(dev);
	KCHECK(dom && dom->type == IOMMU_DOMAIN_IDENTITY,
	       "%s: default domain type %d after re-adding", dev_name(dev),
	       dom ? dom->type : -1);
	if (sc_info(dev))
		KCHECK(sc_info(dev)->ats_enabled == ats,
		       "%s: ATS %d after re-adding", dev_name(dev),
		       sc_info(dev)->ats_enabled);
	sc_expect_ok(bdf, false, 0, false, HP_ADDR, HP_ADDR);
}

int sc_hotplug(void)
{
	struct device *dev = sc_dev(BDF_SVA);
	unsigned int faults = 0;
	struct mm_struct *mm;
	struct iommu_sva *h;
	u32 pasid = 0;
	u64 pa = 0;
	u8 code;
	int st;

	if (sc_up())
		return 0;
	sc_replug(BDF_PLAIN, false, &faults);
	sc_replug(BDF_SVA, true, &faults);
	sc_replug(BDF_ATS, true, &faults);
	/* SVA on the re-added device: a new PASID table */
	mm = ks_proc_create();
	if (!mm)
		return 0;
	ks_proc_add_vma(mm, 0x7f1234560000UL, 0x7f1234570000UL,
			VM_READ | VM_WRITE);
	h = sc_sva_bind(dev, mm, &pasid);
	if (!h)
		return 0;
	/* a page request, the process's fault handler, the retry */
	st = sc_dma(BDF_SVA, true, pasid, true, 0x7f1234560008UL, &pa, &code);
	KCHECK(st == VK_DMA_OK && ks_proc_lookup(mm, 0x7f1234560000UL) &&
		       pa == ks_proc_lookup(mm, 0x7f1234560000UL) + 8,
	       "SVA after re-adding: status %d at %#llx", st, pa);
	sc_sva_unbind(dev, h, pasid);
	faults++; /* sc_sva_unbind's access after unbind */
	KCHECK(vh_stat("faults_recorded") == faults,
	       "%llu faults recorded, %u expected", vh_stat("faults_recorded"),
	       faults);
	return 0;
}

/* ---- a DMAR unit hot-added
 * --------------------------------------------------- dmar1 is not in the boot
 * DMAR table (as a unit in a socket or root complex added later is not):
 * 00:05.0 behind it is used without translation. ACPI then reports the unit:
 * dmar_device_add() with the _DSM of its device giving its DRHD. 6.12 validates
 * and parses the DRHD, maps the unit's registers and audits its capabilities
 * against the boot units (cap_audit.c), and the audit refuses it:
 * MINIMAL_FEATURE_HOTPLUG compares the boot units' field still in place (sanity
 * & MASK) with the new unit's field shifted down (cap_mgaw(),
 * cap_max_amask_val(), ...), so any such field that is not at bit 0 and not 0
 * "is smaller than global", even for a unit identical to the boot ones. The
 * scenario holds 6.12 to that: the add fails with -EFAULT, everything it set up
 * is released, the unit stays off and the device untranslated, and removing the
 * unit that never came is a no-op. (docs/driver-harness.md, "Notes on 6.12
 * behaviour".)
 */

static void sc_unit_absent(void)
{
	u32 gsts = vh_unit_reg32(1, DMAR_GSTS_REG);

	KCHECK(!(gsts & DMA_GSTS_TES), "dmar1: translation on (GSTS %#x)",
	       gsts);
	KCHECK(!device_iommu_mapped(sc_dev(BDF_ATS)), "00:05.0 with an IOMMU");
	/* untranslated: the address is the physical address */
	sc_expect_ok(BDF_ATS, false, 0, false, HP_ADDR + 8, HP_ADDR + 8);
}

int sc_drhd_hotplug(void)
{
	void *h = ks_dmar_hotplug_handle();
	int r;

	if (sc_up())
		return 0;
	sc_unit_absent();
	r = dmar_device_add(h);
	KCHECK(r == -EFAULT, "dmar_device_add: %d, 6.12's audit gives %d", r,
	       -EFAULT);
	sc_unit_absent();
	r = dmar_device_remove(h);
	KCHECK(r == 0, "dmar_device_remove of a unit never added: %d", r);
	sc_unit_absent();
	/* dmar0 is unaffected */
	sc_expect_ok(BDF_PLAIN, false, 0, false, HP_ADDR, HP_ADDR);
	KCHECK(vh_unit_reg32(0, DMAR_GSTS_REG) & DMA_GSTS_TES,
	       "dmar0: translation off");
	return 0;
}
