/* SPDX-License-Identifier: MIT */
/*
 * vtdsim driver harness: the one interface between the kernel side (the Linux
 * driver and the shim, compiled with the kernel's headers) and the host side
 * (the model, glibc, the scenarios' checks). Only plain integer and pointer
 * types cross it.
 *
 *   vh_*  the host provides, the kernel side calls
 *   vk_*  the kernel side provides, the host calls
 */
#ifndef VTDSIM_VKSIM_H
#define VTDSIM_VKSIM_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef u8 vk_u8;
typedef u16 vk_u16;
typedef u32 vk_u32;
typedef u64 vk_u64;
typedef size_t vk_size;
#else
#include <stddef.h>
#include <stdint.h>
typedef uint8_t vk_u8;
typedef uint16_t vk_u16;
typedef uint32_t vk_u32;
typedef uint64_t vk_u64;
typedef size_t vk_size;
#ifdef __cplusplus
extern "C" {
#endif
#endif

/* ---- the host side ---------------------------------------------------- */

/* The simulated physical arena: physical address p is at base + p. */
void *vh_arena(vk_u64 *size);
/* Zeroed host memory that the hardware never sees (struct page array). */
void *vh_zalloc(vk_size size);

/* MMIO at a physical address (a unit's register page). */
vk_u64 vh_mmio_read(vk_u64 pa, unsigned int size);
void vh_mmio_write(vk_u64 pa, unsigned int size, vk_u64 val);

/* PCI configuration space of segment 0; all ones when no device. */
vk_u32 vh_pci_cfg_read(vk_u16 bdf, unsigned int off, unsigned int size);
void vh_pci_cfg_write(vk_u16 bdf, unsigned int off, unsigned int size,
		      vk_u32 val);
/* The i-th simulated PCI device's requester ID; -1 past the last. */
int vh_pci_device(unsigned int i);

/* The synthesized ACPI DMAR table. */
const void *vh_acpi_dmar(vk_size *len);
/* The DRHD the _DSM of a hot-pluggable unit's ACPI device returns (the
 * scenario's firmware has "hotplug": dmar1 is not in the boot table);
 * NULL when there is none. */
const void *vh_acpi_dsm_drhd(vk_size *len);

/* Time: the CPU spins (cpu_relax, udelay) or sleeps; the model's clock
 * advances and its due events run. */
void vh_delay_ns(vk_u64 ns);
/* A second, virtually contiguous mapping of count arena pages (their
 * physical addresses), as vmap() makes; NULL when it cannot. */
void *vh_alias(const vk_u64 *pa, unsigned int count);
void vh_unalias(void *va, unsigned int count);
/* The model clock in nanoseconds. */
vk_u64 vh_now_ns(void);
/* The next interrupt message the model raised (its data: the Linux IRQ
 * number the shim programmed), or -1. */
int vh_next_irq(void);

/* Logging and scenario results. */
void vh_log(int level, const char *msg);
void vh_check_failed(const char *file, int line, const char *msg);

/* The result of a device access; the values of the model's
 * enum vtd_dev_status (the host checks they agree). */
enum vk_dma_status {
	VK_DMA_OK,
	VK_DMA_PENDING,
	VK_DMA_FAULT,
	VK_DMA_ATS_FAIL,
	VK_DMA_PRQ_FAIL,
	VK_DMA_TRANSLATED_BLOCKED,
	VK_DMA_NOT_ENABLED,
};

/* Device side, for scenarios: one access by endpoint bdf. Returns the
 * endpoint's status (enum vtd_dev_status); *pa is the physical address on
 * success, *fault the fault reason. Pending accesses (page requests) are
 * resolved by vh_dma_wait. */
int vh_dma(vk_u16 bdf, int has_pasid, vk_u32 pasid, int write, vk_u64 addr,
	   vk_u64 *pa, vk_u8 *fault);
/* The status of the last access that went pending; -1 while still pending. */
int vh_dma_result(vk_u16 bdf, vk_u64 *pa, vk_u8 *resp_code);
/* The fault reason of the last pending access that completed (0: none). */
vk_u8 vh_dma_fault(vk_u16 bdf);
/* A page request message endpoint bdf sends that none of its accesses waits
 * for (the endpoint accepts its group's response and checks it). */
#define VH_PR_READ  1u
#define VH_PR_WRITE 2u
#define VH_PR_EXEC  4u
#define VH_PR_PRIV  8u
#define VH_PR_LPIG  16u
int vh_page_request(vk_u16 bdf, int has_pasid, vk_u32 pasid, vk_u16 prgi,
		    vk_u64 addr, unsigned int flags);
/* Page group responses endpoint bdf accepted with response code code. */
vk_u64 vh_dev_responses(vk_u16 bdf, unsigned int code);
/* The page size that maps addr for an untranslated read by bdf (0 when the
 * read would be blocked; a blocked read records its fault as any would). */
vk_u64 vh_page_size(vk_u16 bdf, int has_pasid, vk_u32 pasid, vk_u64 addr);
/* Unit i loses its state as in a system sleep: registers back to their
 * reset values, caches empty (memory keeps its contents). */
void vh_unit_power_cycle(unsigned int unit);
/* A 64-bit register of unit i as the model holds it (CAP, ECAP, IQT...). */
vk_u64 vh_unit_reg(unsigned int unit, vk_u32 off);
/* A 32-bit register of unit i (GSTS, FECTL, FEDATA...). */
vk_u32 vh_unit_reg32(unsigned int unit, vk_u32 off);
/* A counter summed over the units: faults_recorded, faults_overflowed,
 * page_requests, page_responses, inv_errors, iotlb_inv (IOTLB and
 * PASID-based IOTLB descriptors), devtlb_inv, inv_descriptors. An unknown
 * name fails the scenario. */
vk_u64 vh_stat(const char *name);

/* Model time of driver operations: a scenario brackets each operation it
 * performs (not nested); the units' invalidation waits submitted inside
 * are charged to it (-s, --json "timing"). */
enum vk_op {
	VK_OP_MAP,		/* iommu_map */
	VK_OP_UNMAP,		/* iommu_unmap, its flush included */
	VK_OP_UNMAP_GATHERED,	/* iommu_unmap_fast..., iommu_iotlb_sync */
	VK_OP_ATTACH,		/* iommu_attach_device */
	VK_OP_DETACH,		/* iommu_detach_device */
	VK_OP_SVA_BIND,		/* iommu_sva_bind_device */
	VK_OP_SVA_UNBIND,	/* iommu_sva_unbind_device */
	VK_OP_MM_INVALIDATE,	/* a munmap's MMU-notifier invalidation */
	VK_OP_GUEST_INVALIDATE, /* cache_invalidate_user */
	VK_OP_COUNT,
};
void vh_op_begin(int kind);
void vh_op_end(void);

/* ---- the kernel side ---------------------------------------------------- */

/* Set up the shim's memory, tasks and initcalls (levels before the IOMMU's),
 * with the kernel command line cmdline (space-separated parameters). */
int vk_boot(const char *cmdline);
/* Invalidation queue errors (IQE, ITE, ICE) the scenario provoked on
 * purpose (ks_expect_inv_error); any other fails it. */
unsigned int vk_inv_errors_expected(void);
/* The kernel command line scenario name boots with ("" for none). */
const char *vk_scenario_cmdline(const char *name);
/* The model settings scenario name gives every unit before the user's
 * (space-separated KEY=VALUE, as `vtdsim config` lists them; "" for none). */
const char *vk_scenario_units(const char *name);
/* The firmware structures scenario name's DMAR table adds to the DRHDs:
 * any of "rmrr atsr rhsa satc" ("" for none; host/platform.c says what
 * each describes). */
const char *vk_scenario_firmware(const char *name);
/* Run one named scenario; returns the number of failed checks, or -1 for
 * an unknown name. */
int vk_scenario_run(const char *name);
/* Names of the scenarios, NULL past the last. */
const char *vk_scenario_name(unsigned int i);
/* Number of WARN()s the driver hit. */
unsigned int vk_warnings(void);

#if !defined(__KERNEL__) && defined(__cplusplus)
}
#endif

#endif /* VTDSIM_VKSIM_H */
