// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: a system sleep. The driver's syscore suspend
 * flushes everything, turns translation off and saves the fault event
 * registers; the units then lose their state (registers at reset, caches
 * empty; memory and so the tables survive); resume programs the hardware
 * again (queued invalidation, root table, translation) and restores the
 * fault event registers. After it, DMA goes through the domains it went
 * through before and faults are reported as before.
 */
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/dmar.h>
#include <linux/sizes.h>
#include "iommu.h"
#include "ks_scenario.h"

#define SR_IOVA 0x500000UL

struct sc_unit_regs {
	u64 rtaddr, iqa;
	u32 fedata, feaddr, fectl;
};

static struct sc_unit_regs sc_regs(unsigned int u)
{
	return (struct sc_unit_regs){
		.rtaddr = vh_unit_reg(u, DMAR_RTADDR_REG),
		.iqa = vh_unit_reg(u, DMAR_IQA_REG),
		.fedata = vh_unit_reg32(u, DMAR_FEDATA_REG),
		.feaddr = vh_unit_reg32(u, DMAR_FEADDR_REG),
		.fectl = vh_unit_reg32(u, DMAR_FECTL_REG),
	};
}

int sc_suspend_resume(void)
{
	struct device *dev = sc_dev(BDF_PLAIN);
	struct sc_unit_regs before[2], after;
	struct iommu_domain *d;
	phys_addr_t pa;
	unsigned int u, faults = 0;
	int r;

	if (sc_up())
		return 0;
	d = sc_one_page_domain(BDF_PLAIN, SR_IOVA, &pa);
	if (!d)
		return 0;
	for (u = 0; u < 2; u++)
		before[u] = sc_regs(u);
	r = ks_syscore_suspend();
	KCHECK(r == 0, "syscore suspend: %d", r);
	for (u = 0; u < 2; u++) {
		KCHECK(!(vh_unit_reg32(u, DMAR_GSTS_REG) & DMA_GSTS_TES),
		       "dmar%u: translation still on at suspend", u);
		vh_unit_power_cycle(u);
		KCHECK(!vh_unit_reg(u, DMAR_RTADDR_REG),
		       "dmar%u: kept its root table over a power cycle", u);
	}
	ks_syscore_resume();
	ks_run_pending();
	for (u = 0; u < 2; u++) {
		u32 gsts = vh_unit_reg32(u, DMAR_GSTS_REG);

		after = sc_regs(u);
		KCHECK((gsts & DMA_GSTS_TES) && (gsts & DMA_GSTS_QIES),
		       "dmar%u: GSTS %#x after resume", u, gsts);
		KCHECK(after.rtaddr == before[u].rtaddr &&
			       after.iqa == before[u].iqa,
		       "dmar%u: root table %#llx, queue %#llx after resume "
		       "(before %#llx, %#llx)",
		       u, after.rtaddr, after.iqa, before[u].rtaddr,
		       before[u].iqa);
		KCHECK(after.fedata == before[u].fedata &&
			       after.feaddr == before[u].feaddr &&
			       after.fectl == before[u].fectl,
		       "dmar%u: fault event registers not restored", u);
	}
	/* the domain's mapping, a fault reported, pass-through elsewhere */
	sc_expect_ok(BDF_PLAIN, false, 0, true, SR_IOVA + 16, pa + 16);
	sc_expect_fail(BDF_PLAIN, false, 0, false, SR_IOVA + SZ_4K,
		       VK_DMA_FAULT);
	faults++;
	sc_expect_ok(BDF_ATS, false, 0, false, 0x123000, 0x123000);
	KCHECK(iommu_unmap(d, SR_IOVA, SZ_4K) == SZ_4K, "unmap");
	sc_expect_fail(BDF_PLAIN, false, 0, false, SR_IOVA, VK_DMA_FAULT);
	faults++;
	iommu_detach_device(d, dev);
	iommu_domain_free(d);
	KCHECK(vh_stat("faults_recorded") == faults,
	       "%llu faults recorded, %u expected", vh_stat("faults_recorded"),
	       faults);
	return 0;
}
