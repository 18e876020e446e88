// SPDX-License-Identifier: MIT
/*
 * Address Translation Services in the remapping unit (spec 4.2, 7.1.3):
 * translation requests (AT=01b) answered with translation completions, and
 * translated requests (AT=10b) allowed or blocked by the context entry.
 *
 * A translation request runs the same pipeline as an untranslated request
 * (context and PASID caches, IOTLB, walks, nested), with these rules:
 * - The context entry must allow a device-TLB: legacy TT=01b, else 0Dh;
 *   scalable DTE=1, else 44h. Both are recorded and answered with UR.
 * - Conditions that page-request software can fix (a non-present or
 *   non-permitting paging entry: 05h, 06h, 71h, 79h, 81h, 82h, 85h, 86h)
 *   are not faults: the completion is Success with R=W=0 and nothing is
 *   recorded, so the device can issue a page request.
 * - Errors reading a structure (07h-09h, 38h, 40h, 50h, 58h, 70h, 73h, 78h)
 *   give CA; every other condition gives UR. Both record the fault, with
 *   address type "translation request", unless FPD suppresses it.
 * - Permissions: R from a walk as a read; W only when the request asked
 *   for write (No-Write hint clear) and a walk as a write succeeds, which
 *   also sets the Dirty flag the device will rely on. Exe only when the
 *   request asked for it and the translation allows execution; Priv echoes
 *   a privileged request. Global is not reported (always 0).
 * - Size: the page that maps the address (4 KiB, 2 MiB or 1 GiB; nested:
 *   the smaller of both stages), in the S-bit encoding.
 * - Pass-through (scalable PGTT=100b) and translation disabled (TES=0)
 *   answer with U=1 (untranslated access only), R=W=1 and the input
 *   address: the device keeps using untranslated requests. Abort-DMA mode
 *   answers UR without recording.
 * A translated request needs only the context entry (TT=01b / DTE=1); the
 * address is used as is, subject to the host address width (04h/84h).
 */
#include <string.h>

#include <vtdsim/pcie_caps.h>

#include "translate.h"

static bool recoverable(unsigned int fr)
{
	switch (fr) {
	case VTD_FR_PTE_WRITE:
	case VTD_FR_PTE_READ:
	case VTD_FR_SM_FL_NOT_PRESENT:
	case VTD_FR_SM_SL_PERM:
	case VTD_FR_SM_US:
	case VTD_FR_SM_XD:
	case VTD_FR_SM_WRITE:
	case VTD_FR_SM_READ:
		return true;
	default:
		return false;
	}
}

static bool access_error(unsigned int fr)
{
	switch (fr) {
	case VTD_FR_NEXT_PTR_INVALID:
	case VTD_FR_ROOT_ADDR_INVALID:
	case VTD_FR_CTX_PTR_INVALID:
	case VTD_FR_SM_ROOT_ACCESS:
	case VTD_FR_SM_CTX_ACCESS:
	case VTD_FR_SM_PDE_ACCESS:
	case VTD_FR_SM_PTE_ACCESS:
	case VTD_FR_SM_FL_ACCESS:
	case VTD_FR_SM_FL_PML_ACCESS:
	case VTD_FR_SM_SL_ACCESS:
		return true;
	default:
		return false;
	}
}

/* The translated-address field with the S-bit size encoding (10.2.3.2):
 * for 2^k bytes (k > 12) bits 12..k-2 are 1 and bit k-1 is 0. */
static uint64_t encode_addr(uint64_t addr, uint64_t size, bool *s)
{
	uint64_t base = addr & ~(size - 1);

	*s = size > VTD_PAGE_SIZE;
	if (!*s)
		return base;
	return base | ((size >> 1) - 1 - (VTD_PAGE_SIZE - 1));
}

static void encode(struct vtd_ats_completion *c)
{
	bool s = false;
	uint64_t d = 0;

	if (c->status != VTD_ATS_SUCCESS) {
		c->data = 0;
		return;
	}
	if (c->r || c->w || c->u)
		d = encode_addr(c->addr, c->size, &s);
	d |= (c->r ? PCIE_ATS_CPL_R : 0) | (c->w ? PCIE_ATS_CPL_W : 0) |
	     (c->u ? PCIE_ATS_CPL_U : 0) | (c->exe ? PCIE_ATS_CPL_EXE : 0) |
	     (c->priv ? PCIE_ATS_CPL_PRIV : 0) |
	     (c->global ? PCIE_ATS_CPL_GLOBAL : 0) | (s ? PCIE_ATS_CPL_S : 0);
	c->data = d;
}

/* One pass of the pipeline for a translation request: 0, or the fault. */
static int probe(struct vtd *v, const struct vtd_request *req,
		 struct vtd_result *res, bool *walked, struct vtd_xlate *x)
{
	memset(x, 0, sizeof(*x));
	x->v = v;
	x->req = req;
	x->kind = VTD_REQ_TRANSLATION;
	x->cached = !v->shadow;
	*walked = vtd_xlate_run(x, res);
	if (*walked)
		vtd_xlate_check(x, res);
	return res->ok ? 0 : res->fault;
}

static void fail(struct vtd_xlate *x, struct vtd_result *res,
		 struct vtd_ats_completion *c)
{
	c->fault = res->fault;
	if (recoverable(res->fault))
		return; /* Success, R=W=0 */
	c->status = access_error(res->fault) ? VTD_ATS_CA : VTD_ATS_UR;
	vtd_xlate_record_fault(x, res);
}

static bool pass_through(const struct vtd_result *res)
{
	return res->mode == VTD_MODE_SM_PT ||
	       res->mode == VTD_MODE_UNTRANSLATED_OFF;
}

static void grant(const struct vtd_request *req, const struct vtd_result *res,
		  struct vtd_ats_completion *c)
{
	c->addr = res->addr & ~(res->page_size - 1);
	c->size = res->page_size;
	if (pass_through(res)) {
		c->u = c->r = c->w = true;
		c->addr = req->addr & ~(VTD_PAGE_SIZE - 1);
		c->size = VTD_PAGE_SIZE;
		return;
	}
	c->r = (res->perm & VTD_PERM_R) != 0;
	c->exe = req->has_pasid && req->exec && (res->perm & VTD_PERM_X);
	c->priv = req->has_pasid && req->priv;
}

/* First-level execute needs ERE in the PASID entry. */
static bool ere(const struct vtd_xlate *x)
{
	if (!x->scalable ||
	    (x->pgtt != VTD_PGTT_FL && x->pgtt != VTD_PGTT_NESTED))
		return true;
	return (x->pe[2] & VTD_PTE2_ERE) != 0;
}

/* Ask for write permission too: a write walk sets D for the device. */
static void grant_write(struct vtd *v, const struct vtd_request *req,
			struct vtd_ats_completion *c, struct vtd_result *first)
{
	struct vtd_request wr = *req;
	struct vtd_result res;
	struct vtd_xlate x;
	bool walked;
	int fr;

	wr.access = VTD_ACCESS_WRITE;
	wr.exec = false;
	fr = probe(v, &wr, &res, &walked, &x);
	if (fr) {
		if (!recoverable((unsigned int)fr) && !first->ok)
			fail(&x, &res, c);
		return;
	}
	if (!first->ok) {
		/* write-only translation */
		grant(req, &res, c);
		c->r = false;
	}
	c->w = true;
}

void vtd_ats_translate(struct vtd *v, const struct vtd_request *req,
		       struct vtd_ats_completion *cpl)
{
	struct vtd_request rd = *req;
	struct vtd_result res;
	struct vtd_xlate x;
	bool walked;
	int fr;

	memset(cpl, 0, sizeof(*cpl));
	v->stats.ats_requests++;
	rd.access = VTD_ACCESS_READ;
	rd.exec = false;
	fr = probe(v, &rd, &res, &walked, &x);
	if (!walked && !res.ok) {
		cpl->status = VTD_ATS_UR; /* abort-DMA mode */
	} else if (fr && !recoverable((unsigned int)fr)) {
		fail(&x, &res, cpl);
	} else {
		if (!fr)
			grant(req, &res, cpl);
		if (!fr && cpl->exe && !ere(&x))
			cpl->exe = false;
		if (fr)
			cpl->fault = (uint8_t)fr;
		if (vtd_access_writes(req->access) && !cpl->u)
			grant_write(v, req, cpl, &res);
	}
	if (cpl->status != VTD_ATS_SUCCESS)
		v->stats.ats_failures++;
	encode(cpl);
}

bool vtd_translated_request(struct vtd *v, const struct vtd_request *req,
			    struct vtd_result *res)
{
	struct vtd_xlate x = {
		.v = v,
		.req = req,
		.kind = VTD_REQ_TRANSLATED,
		.cached = !v->shadow,
	};
	bool walked = vtd_xlate_run(&x, res);

	v->stats.translated_requests++;
	if (res->ok)
		return true;
	v->stats.translated_blocked++;
	if (walked)
		vtd_xlate_record_fault(&x, res);
	return false;
}
