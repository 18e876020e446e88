// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: the scenarios. Each drives the real driver through
 * the kernel's own entry points and checks, through the host, what the
 * simulated hardware saw.
 */
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/dmar.h>
#include "iommu.h"
#include "ksim.h"

#define KCHECK(cond, ...)                                          \
	do {                                                       \
		if (!(cond))                                       \
			vk_fail(__FILE__, __LINE__, __VA_ARGS__);  \
	} while (0)

static int sc_bringup(void)
{
	struct dmar_drhd_unit *drhd;
	struct intel_iommu *iommu;
	int units = 0;

	KCHECK(ks_iommu_bringup() == 0, "intel_iommu_init failed");
	KCHECK(intel_iommu_enabled, "intel_iommu_enabled is 0");
	for_each_active_iommu(iommu, drhd) {
		u32 gsts = readl(iommu->reg + DMAR_GSTS_REG);

		units++;
		KCHECK(sm_supported(iommu), "%s: not in scalable mode", iommu->name);
		KCHECK(gsts & DMA_GSTS_TES, "%s: translation not enabled (GSTS %#x)",
		       iommu->name, gsts);
		KCHECK(gsts & DMA_GSTS_QIES, "%s: queued invalidation off", iommu->name);
		KCHECK(gsts & DMA_GSTS_RTPS, "%s: root table not set", iommu->name);
	}
	KCHECK(units == 2, "%d units came up, the DMAR table has 2", units);
	return 0;
}

struct ks_scenario {
	const char *name;
	int (*run)(void);
};

static const struct ks_scenario ks_scenarios[] = {
	{ "bringup", sc_bringup },
};

const char *vk_scenario_name(unsigned int i)
{
	return i < ARRAY_SIZE(ks_scenarios) ? ks_scenarios[i].name : NULL;
}

int vk_scenario_run(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ks_scenarios); i++)
		if (!strcmp(ks_scenarios[i].name, name)) {
			ks_scenarios[i].run();
			ks_run_pending();
			return 0;
		}
	return -1;
}
