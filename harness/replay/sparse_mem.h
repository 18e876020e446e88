/* SPDX-License-Identifier: MIT */
/*
 * Sparse simulated physical memory for the trace replayer: 4 KiB pages in
 * an open-addressing hash table, zero where never written. Addresses at or
 * beyond the configured size are not backed.
 */
#ifndef VTDSIM_SPARSE_MEM_H
#define VTDSIM_SPARSE_MEM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPARSE_MEM_DEFAULT_SIZE (1ULL << 40) /* 1 TiB */

struct sparse_mem;

struct sparse_mem *sparse_mem_create(uint64_t size);
void sparse_mem_destroy(struct sparse_mem *m);
uint64_t sparse_mem_size(const struct sparse_mem *m);
/* Number of 4 KiB pages that hold data. */
size_t sparse_mem_pages(const struct sparse_mem *m);
/* true when [pa, pa + len) lies below the memory size. */
int sparse_mem_backed(const struct sparse_mem *m, uint64_t pa, size_t len);
/* 0, or -1 when not backed (or out of host memory for a write). */
int sparse_mem_read(struct sparse_mem *m, uint64_t pa, void *buf, size_t len);
int sparse_mem_write(struct sparse_mem *m, uint64_t pa, const void *buf,
		     size_t len);
/* The host memory of the 4 KiB page holding pa (made when absent, for
 * direct access: a SystemC DMI region); NULL when not backed or out of
 * host memory. */
uint8_t *sparse_mem_page(struct sparse_mem *m, uint64_t pa);
int sparse_mem_read64(struct sparse_mem *m, uint64_t pa, uint64_t *val);
int sparse_mem_write64(struct sparse_mem *m, uint64_t pa, uint64_t val);
int sparse_mem_cmpxchg64(struct sparse_mem *m, uint64_t pa, uint64_t expected,
			 uint64_t desired, uint64_t *found);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_SPARSE_MEM_H */
