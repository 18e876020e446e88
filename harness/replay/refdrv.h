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

/*
 * How the driver reaches memory and the register file. By default it
 * writes the sparse memory and calls vtd_reg_read/vtd_reg_write; a
 * platform (the SystemC example platform) gives its own: a CPU's loads
 * and stores through its bus. read/write return 0, non-zero when the
 * address is not backed.
 */
struct refdrv_bus {
	int (*read)(void *o, uint64_t pa, void *buf, size_t len);
	int (*write)(void *o, uint64_t pa, const void *buf, size_t len);
	uint64_t (*reg_read)(void *o, uint32_t off, unsigned int size);
	void (*reg_write)(void *o, uint32_t off, unsigned int size,
			  uint64_t val);
	void *opaque;
};

/* Tables come from a bump allocator starting at alloc_base, in memory of
 * the size of m. */
struct refdrv *refdrv_create(struct vtd *v, struct sparse_mem *m,
			     uint64_t alloc_base);
/* Use bus from now on (NULL: back to m and the unit's registers). */
void refdrv_set_bus(struct refdrv *d, const struct refdrv_bus *bus);
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

/*
 * Time, as the driver sees it: run the model's scheduled events and the
 * driver's own due work (page group responses after their delay, the
 * automatic page request service of prq.auto) up to t, in time order.
 * REFDRV_OK or REFDRV_FAIL (refdrv_error) when a response could not be
 * submitted.
 */
int refdrv_advance(struct refdrv *d, uint64_t t);
/* The driver's due work at the current time (after a record). */
int refdrv_poll(struct refdrv *d);
/* Nothing of the driver's can become due (no deferred invalidations, no
 * automatic page request service): refdrv_advance(d, t) is
 * vtd_advance(unit, t) and refdrv_poll does nothing. */
bool refdrv_quiet(const struct refdrv *d);
/* The next time the model or the driver has something to do. */
bool refdrv_next_time(struct refdrv *d, uint64_t *t);
/* Base of the page request queue (0 before prq.init). */
uint64_t refdrv_prq_base(const struct refdrv *d);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_REFDRV_H */
