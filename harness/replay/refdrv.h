/* SPDX-License-Identifier: MIT */
/*
 * The replayer's reference driver: carries out the high-level trace
 * records (iommu.init, domain, map, unmap, remap, attach, detach, inv.*) as
 * a VT-d driver would, by writing real tables into simulated memory, real
 * descriptors into the invalidation queue and real register writes. It
 * only uses the public model API (vtd_reg_read/vtd_reg_write).
 */
#ifndef VTDSIM_REFDRV_H
#define VTDSIM_REFDRV_H

#include <stdbool.h>
#include <stdint.h>

#include <vtdsim/vtdsim.h>

#include "sparse_mem.h"
#include "trace_reader.h"

#ifdef __cplusplus
extern "C" {
#endif

#define REFDRV_DEFAULT_ALLOC_BASE 0x7000000000ULL /* 448 GiB */

/* Results of refdrv_exec() */
#define REFDRV_OK    0
#define REFDRV_FAIL  (-1) /* the hardware did not do what was asked */
#define REFDRV_USAGE (-2) /* the trace asked for something impossible */

struct refdrv;

/* Tables come from a bump allocator starting at alloc_base. */
struct refdrv *refdrv_create(struct vtd *v, struct sparse_mem *m,
			     uint64_t alloc_base);
void refdrv_destroy(struct refdrv *d);

/* Carry out one high-level record. REFDRV_* with refdrv_error() set. */
int refdrv_exec(struct refdrv *d, const struct trace_record *rec);
const char *refdrv_error(const struct refdrv *d);

/* Introspection for tests and reports. */
uint64_t refdrv_root_table(const struct refdrv *d);
uint64_t refdrv_queue_base(const struct refdrv *d);
uint64_t refdrv_alloc_next(const struct refdrv *d);
/* 0 and the domain's DID / top-level table, or -1 if unknown. */
int refdrv_domain_info(const struct refdrv *d, const char *name, uint16_t *did,
		       uint64_t *root);
/* Invalidation descriptors the driver submitted, by VTD_QI_* type. */
uint64_t refdrv_descriptors(const struct refdrv *d, unsigned int type);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_REFDRV_H */
