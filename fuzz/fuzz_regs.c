// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: register writes and invalidation descriptors on a live
 * instance (docs/robustness.md). Any offset, any value, any order;
 * descriptors of every type with random fields written where IQT points
 * (128- or 256-bit as IQA says), tails that wrap around the queue, queue
 * resizing and disabling while descriptors are outstanding. Invariants:
 * the shared ones (IQH within the queue and at a descriptor, PQT within
 * its queue), no crash, hang or growing allocation.
 */
#include "fuzz_machine.h"

#include <vtdsim/vtd_qi.h>
#include <vtdsim/vtd_regs.h>

/* A descriptor of type (byte & 15) with random fields at IQT. */
static void descriptor(struct fm *m)
{
	uint64_t iqa = vtd_reg_read(m->v, VTD_REG_IQA, 8);
	uint64_t iqt = vtd_reg_read(m->v, VTD_REG_IQT, 8) & VTD_GENMASK(18, 4);
	uint64_t base = iqa & VTD_IQA_IQA_MASK;
	unsigned int n = iqa & VTD_IQA_DW ? 4 : 2, i;
	uint64_t qw[4];

	qw[0] = (fm_u64(m) & ~0xfULL) | (fm_u8(m) & 0xf);
	for (i = 1; i < 4; i++)
		qw[i] = fm_u64(m);
	for (i = 0; i < n; i++)
		fm_poke(m, base + iqt + 8 * i, qw[i]);
}

/* IQT forward by k descriptors, wrapping (the unit then runs). */
static void tail(struct fm *m)
{
	uint64_t iqa = vtd_reg_read(m->v, VTD_REG_IQA, 8);
	uint64_t size = 4096ULL << VTD_IQA_QS(iqa);
	uint64_t d = iqa & VTD_IQA_DW ? 32 : 16;
	uint64_t iqt = vtd_reg_read(m->v, VTD_REG_IQT, 8) & VTD_GENMASK(18, 4);
	unsigned int k = fm_u8(m) % 8 + 1;

	vtd_reg_write(m->v, VTD_REG_IQT, 8, (iqt + k * d) % size);
}

/* A queue as a driver sets one up: IQA (width, size), QIE. */
static void setup(struct fm *m)
{
	uint8_t f = fm_u8(m);
	uint32_t gsts = (uint32_t)vtd_reg_read(m->v, VTD_REG_GSTS, 4);

	vtd_reg_write(m->v, VTD_REG_IQA, 8,
		      0x100000 | (f & 1 ? VTD_IQA_DW : 0) | ((f >> 1) & 7));
	vtd_reg_write(m->v, VTD_REG_GCMD, 4,
		      (gsts & (VTD_GSTS_TES | VTD_GSTS_QIES)) |
			      (f & 0x80 ? 0 : VTD_GCMD_QIE));
}

static void op(struct fm *m, uint8_t code)
{
	switch (code % 9) {
	case 0:
	case 1:
		fm_op_reg_write(m);
		break;
	case 2:
		fm_op_reg_read(m);
		break;
	case 3:
	case 4:
		descriptor(m);
		break;
	case 5:
		tail(m);
		break;
	case 6:
		setup(m);
		break;
	case 7:
		fm_op_mem_write(m);
		break;
	default:
		fm_op_advance(m);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fm m;

	if (fm_init(&m, data, size, false))
		fm_run(&m, op);
	return 0;
}
