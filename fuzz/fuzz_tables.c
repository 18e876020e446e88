// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: random table contents under random requests
 * (docs/robustness.md). The input writes root, context, PASID directory
 * and table entries and paging entries anywhere below 32 GiB (reserved
 * bits, loops, pointers outside backed memory, every PGTT and nested
 * loops through the second level come from mutating the seeds, the
 * conformance traces' own tables), programs registers and sends requests.
 * Software invalidates everything after each change, so besides the
 * shared invariants the checker must never report a stale entry.
 */
#include "fuzz_machine.h"

static void dma(struct fm *m)
{
	struct vtd_stats before = *vtd_get_stats(m->v);
	struct vtd_request req;
	struct vtd_dma_result res;
	uint32_t len = fm_u16(m) + 1u;

	fm_read_request(m, &req);
	fm_software_sync(m, &req);
	vtd_dma(m->v, &req, len, 0, 0, &res);
	fm_trace("dma sid 0x%x pasid %d:%u acc %d 0x%llx len %u -> %s fault "
		 "0x%x",
		 req.sid, req.has_pasid, req.pasid, req.access,
		 (unsigned long long)req.addr, len, res.ok ? "ok" : "blocked",
		 res.last.fault);
	if (!res.ok && res.last.fault &&
	    vtd_get_stats(m->v)->faults[res.last.fault] ==
		    before.faults[res.last.fault])
		fm_fail("a blocked DMA's fault was not counted");
	vtd_timing_flush(m->v);
}

static void op(struct fm *m, uint8_t code)
{
	switch (code % 8) {
	case 0:
	case 1:
	case 2:
		fm_op_mem_write(m);
		break;
	case 3:
		fm_op_reg_write(m);
		break;
	case 4:
		fm_op_reg_read(m);
		break;
	case 5:
		fm_op_request(m);
		break;
	case 6:
		dma(m);
		break;
	default:
		fm_op_advance(m);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fm m;

	if (!fm_init(&m, data, size, true))
		return 0;
	m.expect_no_stale = true;
	fm_run(&m, op);
	return 0;
}
