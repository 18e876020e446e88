// SPDX-License-Identifier: MIT
/*
 * Virtual command interface (VT-d 3.x, 10.4.43-45): VCCAP, VCMD and VCRSP,
 * with which a guest driver asks the (virtual) unit for PASIDs, so that a
 * VMM can keep guest PASIDs in the host's PASID space (the seed's "PASID
 * allocation" in a guest).
 *
 * - VCCAP.PAS (bit 0) comes from cfg.vccap; the registers exist only with
 *   ECAP.VCS.
 * - VCMD: command in bits 7:0 (1 allocate, 2 free), operand in 63:16 (the
 *   PASID to free).
 * - VCRSP: IP (bit 0), status code in 7:1 (0 success, 1 undefined command,
 *   16 no PASID available / invalid PASID), result in 63:16 (the PASID).
 * - A command completes at once: after the VCMD write VCRSP already shows
 *   IP=0 and the result, so software's poll for IP=0 ends at the first
 *   read (IP can never be seen set, and a second command cannot overlap).
 * - PASIDs handed out: 1 .. 2^(ECAP.PSS+1)-1, lowest free first; PASID 0
 *   stays reserved for requests without PASID (RID_PASID).
 */
#include <stdlib.h>

#include "vtd_internal.h"

/* 2^(PSS+1) PASIDs, 20 bits at most (the configuration allows PSS 19;
 * found by fuzz_tables: PSS 31 shifted by 32 and sized a 512 MiB map) */
static uint32_t pasid_limit(const struct vtd *v)
{
	unsigned int bits = (unsigned int)VTD_ECAP_PSS(v->regs.ecap) + 1;

	return 1u << (bits < 20 ? bits : 20);
}

static bool alloc_map(struct vtd *v)
{
	size_t words = (pasid_limit(v) + 63) / 64;

	if (!v->vcmd_pasids)
		v->vcmd_pasids = calloc(words, sizeof(uint64_t));
	return v->vcmd_pasids != NULL;
}

static bool test_bit(const struct vtd *v, uint32_t p)
{
	return v->vcmd_pasids && (v->vcmd_pasids[p / 64] >> (p % 64)) & 1;
}

static void respond(struct vtd *v, unsigned int sc, uint64_t result)
{
	v->regs.vcrsp = (uint64_t)sc << VTD_VCRSP_SC_SHIFT |
			result << VTD_VCRSP_RESULT_SHIFT;
}

static void allocate(struct vtd *v)
{
	uint32_t p, n = pasid_limit(v);

	if (!(v->regs.vccap & VTD_VCCAP_PAS)) {
		respond(v, VTD_VCRSP_SC_UNDEFINED, 0);
		return;
	}
	if (!alloc_map(v)) {
		respond(v, VTD_VCRSP_SC_NO_PASID, 0);
		return;
	}
	for (p = 1; p < n && test_bit(v, p); p++)
		;
	if (p == n) {
		respond(v, VTD_VCRSP_SC_NO_PASID, 0);
		return;
	}
	v->vcmd_pasids[p / 64] |= 1ULL << (p % 64);
	respond(v, VTD_VCRSP_SC_SUCCESS, p);
}

static void release(struct vtd *v, uint64_t operand)
{
	if (!(v->regs.vccap & VTD_VCCAP_PAS)) {
		respond(v, VTD_VCRSP_SC_UNDEFINED, 0);
		return;
	}
	if (!operand || operand >= pasid_limit(v) ||
	    !test_bit(v, (uint32_t)operand)) {
		respond(v, VTD_VCRSP_SC_INVALID_PASID, 0);
		return;
	}
	v->vcmd_pasids[operand / 64] &= ~(1ULL << (operand % 64));
	respond(v, VTD_VCRSP_SC_SUCCESS, 0);
}

void vtd_vcmd_write(struct vtd *v, uint64_t val)
{
	v->stats.vcmds++;
	switch (VTD_VCMD_CMD(val)) {
	case VTD_VCMD_ALLOC_PASID:
		allocate(v);
		break;
	case VTD_VCMD_FREE_PASID:
		release(v, VTD_VCMD_OPERAND(val));
		break;
	default:
		respond(v, VTD_VCRSP_SC_UNDEFINED, 0);
		break;
	}
}

void vtd_vcmd_reset(struct vtd *v)
{
	free(v->vcmd_pasids);
	v->vcmd_pasids = NULL;
	v->regs.vcmd = 0;
	v->regs.vcrsp = 0;
	v->regs.vccap = (v->regs.ecap & VTD_ECAP_VCS) ? v->cfg.vccap : 0;
}

void vtd_vcmd_destroy(struct vtd *v)
{
	free(v->vcmd_pasids);
	v->vcmd_pasids = NULL;
}
