/* SPDX-License-Identifier: MIT */
/* vtdsim driver harness: what the scenario files share (ks_scenarios.c has
 * the helpers and the table of scenarios). */
#ifndef VTDSIM_KS_SCENARIO_H
#define VTDSIM_KS_SCENARIO_H

#include <linux/types.h>
#include "ksim.h"

struct device;
struct pci_dev;
struct device_domain_info;
struct pasid_entry;

#define KCHECK(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond))                                                   \
			vk_fail(__FILE__, __LINE__, __VA_ARGS__);              \
	} while (0)

/* The platform's endpoints (host/platform.c) */
#define BDF_PLAIN 0x0010 /* 00:02.0: no PASID, ATS or PRI */
#define BDF_SVA	  0x0018 /* 00:03.0: PASID, ATS, PRI */
#define BDF_PASID 0x0020 /* 00:04.0: PASID only */
#define BDF_ATS	  0x0028 /* 00:05.0: ATS only, behind unit 1 */

struct device *sc_dev(u16 bdf);
struct device_domain_info *sc_info(struct device *dev);
/* Bring the IOMMU up; a failure is the scenario's. */
int sc_up(void);
/* One device access carried through the driver until the endpoint has its
 * answer (page requests included). */
/* The driver's report of a fault the scenario caused is allowed. */
void sc_allow_fault_report(u16 bdf, bool has_pasid, u32 pasid, bool write,
			   u64 addr, u8 reason);
int sc_dma(u16 bdf, bool has_pasid, u32 pasid, bool write, u64 addr, u64 *pa,
	   u8 *code);
void sc_expect_ok(u16 bdf, bool has_pasid, u32 pasid, bool write, u64 addr,
		  u64 want);
void sc_expect_fail(u16 bdf, bool has_pasid, u32 pasid, bool write, u64 addr,
		    int want_status);
/* A new unmanaged domain on bdf with one page at iova, reached once. */
struct iommu_domain;
struct iommu_domain *sc_one_page_domain(u16 bdf, unsigned long iova,
					phys_addr_t *pa);
/* The PASID-table entry of dev for pasid as the hardware reads it. */
struct pasid_entry *sc_pasid_entry(struct device *dev, u32 pasid);
bool sc_cfg_enabled(struct pci_dev *pdev, int cap, int ctrl, u16 bit);

/* SVA bind with IOPF and SVA enabled; unbind checks the PASID entry is gone
 * and that an access to 0x7f1234560000 is refused. */
struct iommu_sva;
struct mm_struct;
struct iommu_sva *sc_sva_bind(struct device *dev, struct mm_struct *mm,
			      u32 *pasid);
void sc_sva_unbind(struct device *dev, struct iommu_sva *h, u32 pasid);

/* ks_hotplug.c: devices removed and added again */
int sc_hotplug(void);
int sc_drhd_hotplug(void);

/* ks_suspend.c: a system sleep */
int sc_suspend_resume(void);

/* ks_firmware.c: the DMAR table's RMRR, ATSR, RHSA and SATC */
int sc_firmware_tables(void);

/* ks_qierr.c: invalidation queue errors and the driver's recovery */
int sc_inv_queue_errors(void);

/* ks_prq.c: page requests over every field's range */
int sc_page_requests(void);

/* ks_vmm.c: a VMM driving the kernel through iommufd */
int sc_iommufd(void);
int sc_guest_fault(void);
int sc_dirty_tracking(void);

/* ks_dmaapi.c: the DMA API on translated default domains */
int sc_dma_api_strict(void);
int sc_dma_api_lazy(void);

/* ks_ranges.c: flushes of every shape of range */
int sc_flush_ranges(void);
int sc_flush_ranges_first_level(void);

/* ks_domains.c: domains shared, reused, moved, on a PASID */
int sc_domains(void);

/* ks_cm.c: units with caching mode (CAP.CM=1) */
int sc_caching_mode(void);

#endif
