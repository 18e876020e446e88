// SPDX-License-Identifier: MIT
/*
 * Sparse simulated physical memory: 4 KiB pages in an open-addressing hash
 * table keyed by page frame number. Pages are only allocated when a write
 * stores something; reads of missing pages return zeros.
 */
#include <stdlib.h>
#include <string.h>

#include "sparse_mem.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ULL << PAGE_SHIFT)
#define EMPTY	   UINT64_MAX

struct slot {
	uint64_t pfn; /* EMPTY when unused */
	uint8_t *data;
};

#define RECENT 1024 /* pages looked up lately, direct-mapped by PFN */

struct sparse_mem {
	uint64_t size;
	struct slot *slots;
	size_t cap; /* power of two */
	size_t used;
	/* a page's data never moves once allocated: the table walks of a
	 * replay read a few hundred pages over and over */
	struct slot recent[RECENT];
};

static size_t hash_pfn(uint64_t pfn, size_t cap)
{
	pfn ^= pfn >> 33;
	pfn *= 0xff51afd7ed558ccdULL;
	pfn ^= pfn >> 33;
	return (size_t)pfn & (cap - 1);
}

static struct slot *alloc_slots(size_t cap)
{
	struct slot *s = calloc(cap, sizeof(*s));
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < cap; i++)
		s[i].pfn = EMPTY;
	return s;
}

struct sparse_mem *sparse_mem_create(uint64_t size)
{
	struct sparse_mem *m = calloc(1, sizeof(*m));
	size_t i;

	if (!m)
		return NULL;
	m->size = size;
	m->cap = 64;
	for (i = 0; i < RECENT; i++)
		m->recent[i].pfn = EMPTY;
	m->slots = alloc_slots(m->cap);
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void sparse_mem_destroy(struct sparse_mem *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->cap; i++)
		free(m->slots[i].data);
	free(m->slots);
	free(m);
}

uint64_t sparse_mem_size(const struct sparse_mem *m)
{
	return m->size;
}

size_t sparse_mem_pages(const struct sparse_mem *m)
{
	return m->used;
}

int sparse_mem_backed(const struct sparse_mem *m, uint64_t pa, size_t len)
{
	return pa < m->size && len <= m->size - pa;
}

static struct slot *find_slot(const struct sparse_mem *m, uint64_t pfn)
{
	size_t i = hash_pfn(pfn, m->cap);

	while (m->slots[i].pfn != EMPTY) {
		if (m->slots[i].pfn == pfn)
			return &m->slots[i];
		i = (i + 1) & (m->cap - 1);
	}
	return &m->slots[i];
}

static int grow(struct sparse_mem *m)
{
	struct slot *old = m->slots;
	size_t old_cap = m->cap, i;

	m->slots = alloc_slots(old_cap * 2);
	if (!m->slots) {
		m->slots = old;
		return -1;
	}
	m->cap = old_cap * 2;
	for (i = 0; i < old_cap; i++) {
		if (old[i].pfn != EMPTY)
			*find_slot(m, old[i].pfn) = old[i];
	}
	free(old);
	return 0;
}

static uint8_t *get_page_slow(struct sparse_mem *m, uint64_t pfn, int create)
{
	struct slot *r = &m->recent[pfn & (RECENT - 1)];
	struct slot *s;

	s = find_slot(m, pfn);
	if (s->pfn != EMPTY) {
		*r = *s;
		return s->data;
	}
	if (!create)
		return NULL;
	if ((m->used + 1) * 2 > m->cap) {
		if (grow(m))
			return NULL;
		s = find_slot(m, pfn);
	}
	s->data = calloc(1, PAGE_SIZE);
	if (!s->data)
		return NULL;
	s->pfn = pfn;
	m->used++;
	return s->data;
}

static inline uint8_t *get_page(struct sparse_mem *m, uint64_t pfn, int create)
{
	const struct slot *r = &m->recent[pfn & (RECENT - 1)];

	if (r->pfn == pfn)
		return r->data;
	return get_page_slow(m, pfn, create);
}

int sparse_mem_read(struct sparse_mem *m, uint64_t pa, void *buf, size_t len)
{
	uint8_t *out = buf;

	if (!sparse_mem_backed(m, pa, len))
		return -1;
	if (len == 8 && !(pa & 7)) { /* a table entry */
		const uint8_t *p = get_page(m, pa >> PAGE_SHIFT, 0);

		if (p)
			memcpy(out, p + (pa & (PAGE_SIZE - 1)), 8);
		else
			memset(out, 0, 8);
		return 0;
	}
	while (len) {
		size_t off = pa & (PAGE_SIZE - 1);
		size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		const uint8_t *p = get_page(m, pa >> PAGE_SHIFT, 0);

		if (p)
			memcpy(out, p + off, n);
		else
			memset(out, 0, n);
		pa += n;
		out += n;
		len -= n;
	}
	return 0;
}

/* memcmp of the buffer against itself one byte on: zero iff all equal to
 * the first, which is zero (a library loop, not a byte loop). */
static int all_zero(const uint8_t *p, size_t n)
{
	return !n || (!p[0] && !memcmp(p, p + 1, n - 1));
}

int sparse_mem_write(struct sparse_mem *m, uint64_t pa, const void *buf,
		     size_t len)
{
	const uint8_t *in = buf;

	if (!sparse_mem_backed(m, pa, len))
		return -1;
	while (len) {
		size_t off = pa & (PAGE_SIZE - 1);
		size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		/* zeros into a missing page need no page */
		uint8_t *p = get_page(m, pa >> PAGE_SHIFT, !all_zero(in, n));

		if (p)
			memcpy(p + off, in, n);
		else if (!all_zero(in, n))
			return -1;
		pa += n;
		in += n;
		len -= n;
	}
	return 0;
}

uint8_t *sparse_mem_page(struct sparse_mem *m, uint64_t pa)
{
	if (!sparse_mem_backed(m, pa & ~(uint64_t)(PAGE_SIZE - 1), PAGE_SIZE))
		return NULL;
	return get_page(m, pa >> PAGE_SHIFT, 1);
}

int sparse_mem_read64(struct sparse_mem *m, uint64_t pa, uint64_t *val)
{
	uint8_t b[8];
	int i;

	*val = 0;
	if (sparse_mem_read(m, pa, b, 8))
		return -1;
	for (i = 7; i >= 0; i--) /* little-endian, on any host */
		*val = *val << 8 | b[i];
	return 0;
}

int sparse_mem_write64(struct sparse_mem *m, uint64_t pa, uint64_t val)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	return sparse_mem_write(m, pa, b, 8);
}

int sparse_mem_cmpxchg64(struct sparse_mem *m, uint64_t pa, uint64_t expected,
			 uint64_t desired, uint64_t *found)
{
	if (sparse_mem_read64(m, pa, found))
		return -1;
	if (*found == expected)
		return sparse_mem_write64(m, pa, desired);
	return 0;
}
