// SPDX-License-Identifier: MIT
/*
 * Physical memory access through the host's callbacks. Every access is
 * counted and reported as a step, so a timing model can charge it. Inside a
 * checker's shadow walk (v->shadow) nothing is written, counted or reported.
 */
#include <string.h>

#include "vtd_internal.h"

void vtd_emit_step(struct vtd *v, const struct vtd_step *s)
{
	if (v->shadow)
		return;
	if (v->tm.cur)
		vtd_tm_step(v, s);
	if (v->ops.step)
		v->ops.step(v->opaque, s);
}

static void emit_cache_step_full(struct vtd *v, enum vtd_cache_id id,
				 enum vtd_step_kind kind, bool hit,
				 unsigned int level)
{
	struct vtd_step s = {
		.kind = kind,
		.cache = id,
		.hit = hit,
		.level = (uint8_t)level,
		.nested = v->nested_step,
	};

	vtd_emit_step(v, &s);
}

void vtd_emit_cache_step(struct vtd *v, enum vtd_cache_id id,
			 enum vtd_step_kind kind, bool hit, unsigned int level)
{
	if (v->ops.step) {
		emit_cache_step_full(v, id, kind, hit, level);
		return;
	}
	/* the timing model alone: what it looks at */
	if (!v->shadow && v->tm.cur && kind == VTD_STEP_CACHE_LOOKUP)
		vtd_tm_cache_lookup(v, id);
}

static void emit_mem_step_full(struct vtd *v, enum vtd_step_kind kind,
			       enum vtd_structure st, uint64_t pa, size_t len,
			       unsigned int level)
{
	struct vtd_step s = {
		.kind = kind,
		.structure = st,
		.level = (uint8_t)level,
		.size = (uint8_t)len,
		.addr = pa,
		.nested = v->nested_step,
	};

	vtd_emit_step(v, &s);
}

static void emit_mem_step(struct vtd *v, enum vtd_step_kind kind,
			  enum vtd_structure st, uint64_t pa, size_t len,
			  unsigned int level)
{
	if (v->ops.step) {
		emit_mem_step_full(v, kind, st, pa, len, level);
		return;
	}
	/* the timing model alone: what it looks at */
	if (!v->shadow && v->tm.cur)
		vtd_tm_mem_step(v, kind, st, (uint8_t)len);
}

int vtd_mem_read(struct vtd *v, uint64_t pa, void *buf, size_t len,
		 enum vtd_structure st, unsigned int level)
{
	if (!v->shadow) {
		v->stats.mem_reads++;
		emit_mem_step(v, VTD_STEP_MEM_READ, st, pa, len, level);
	}
	if (!v->ops.read || v->ops.read(v->opaque, pa, buf, len)) {
		memset(buf, 0, len);
		return -1;
	}
	return 0;
}

int vtd_mem_read64(struct vtd *v, uint64_t pa, uint64_t *val,
		   enum vtd_structure st, unsigned int level)
{
	return vtd_mem_read(v, pa, val, sizeof(*val), st, level);
}

int vtd_mem_write(struct vtd *v, uint64_t pa, const void *buf, size_t len,
		  enum vtd_structure st)
{
	if (v->shadow)
		return 0;
	v->stats.mem_writes++;
	emit_mem_step(v, VTD_STEP_MEM_WRITE, st, pa, len, 0);
	if (!v->ops.write || v->ops.write(v->opaque, pa, buf, len))
		return -1;
	return 0;
}

int vtd_mem_cmpxchg64(struct vtd *v, uint64_t pa, uint64_t expected,
		      uint64_t desired, uint64_t *found, enum vtd_structure st,
		      unsigned int level)
{
	if (v->shadow) {
		*found = expected;
		return 0;
	}
	v->stats.mem_atomics++;
	emit_mem_step(v, VTD_STEP_MEM_ATOMIC, st, pa, 8, level);
	if (v->ops.cmpxchg64)
		return v->ops.cmpxchg64(v->opaque, pa, expected, desired, found)
			       ? -1
			       : 0;
	/* No atomic from the host: read, compare, write. */
	if (!v->ops.read || v->ops.read(v->opaque, pa, found, 8))
		return -1;
	if (*found != expected)
		return 0;
	if (!v->ops.write || v->ops.write(v->opaque, pa, &desired, 8))
		return -1;
	return 0;
}
