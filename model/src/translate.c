// SPDX-License-Identifier: MIT
/*
 * The request pipeline for untranslated requests (spec chapter 3, 7.1.3):
 * root/context (context cache), PASID entry (PASID cache), IOTLB, page
 * walks (first level, second level, nested, pass-through), the interrupt
 * range check, fault recording with FPD, statistics and the hand-off to
 * the stale-translation checker.
 *
 * Decisions where the spec leaves room:
 * - Abort-DMA mode (RTADDR.TTM=11b): every request is blocked, no fault is
 *   recorded (res->fault stays 0). TTM=10b (reserved) blocks with 30h.
 * - A request-with-PASID in legacy mode (TTM=00b) faults with 31h.
 * - Output addresses in 0xFEE00000-0xFEEFFFFF are blocked: 87h (SGN.8) in
 *   scalable mode, 0Eh (LGN.4, spec 3.14+) in legacy mode. This covers
 *   pass-through too.
 * - Untranslated requests without PASID whose input address is in
 *   0xFEE00000-0xFEEFFFFF are interrupt requests, never DMA-translated
 *   (3.14): a write goes on as an interrupt (mode "interrupt", address as
 *   is: the unit has no interrupt remapping, ECAP.IR=0, so it is a
 *   compatibility-format interrupt); a read cannot be an interrupt and is
 *   blocked with the interrupt-range fault of the mode (0Eh legacy, 87h
 *   scalable), as QEMU blocks it with 0Eh. Requests with PASID to the range
 *   are translated as any other.
 * - Pass-through: output = input; an input at or above 2^HAW faults with
 *   04h (legacy) or 84h (scalable, output beyond HAW). PT results are not
 *   kept in the IOTLB.
 * - Nested: a GPA of a first-level structure or of the final page beyond
 *   the second level's input width (min(MGAW, AW)) faults with 74h; the
 *   second-level translation of a first-level table that denies read
 *   faults with 75h (table referenced by FLPTPTR) or 76h (other tables),
 *   one that denies the write an A/D update needs faults with 77h.
 * - Qualified faults (suppressed by FPD): everything except the root-table
 *   and root-entry faults, context/PASID-directory/PASID-table access
 *   errors and reserved-field faults in those entries, and the TTM faults.
 * - An IOTLB hit whose permissions do not allow the access, or a write
 *   hitting an entry without D where A/D tracking applies, walks again.
 */
#include <string.h>

#include "translate.h"

static bool qualified(unsigned int fr)
{
	switch (fr) {
	case VTD_FR_ROOT_NOT_PRESENT:
	case VTD_FR_ROOT_ADDR_INVALID:
	case VTD_FR_CTX_PTR_INVALID:
	case VTD_FR_ROOT_RSVD:
	case VTD_FR_CTX_RSVD:
	case VTD_FR_SM_RTADDR_INVALID:
	case VTD_FR_SM_TTM_PASID:
	case VTD_FR_SM_TTM_PGREQ:
	case VTD_FR_SM_ROOT_ACCESS:
	case VTD_FR_SM_ROOT_NOT_PRESENT:
	case VTD_FR_SM_ROOT_RSVD:
	case VTD_FR_SM_CTX_ACCESS:
	case VTD_FR_SM_CTX_RSVD:
	case VTD_FR_SM_PDE_ACCESS:
	case VTD_FR_SM_PDE_RSVD:
	case VTD_FR_SM_PTE_ACCESS:
	case VTD_FR_SM_PTE_RSVD:
		return false;
	default:
		return true;
	}
}

static bool in_intr_range(uint64_t pa)
{
	return pa >= VTD_INTR_ADDR_FIRST && pa <= VTD_INTR_ADDR_LAST;
}

static int intr_check(const struct vtd_xlate *x, uint64_t pa)
{
	if (!in_intr_range(pa))
		return 0;
	return x->scalable ? VTD_FR_SM_INTR_ADDR : VTD_FR_INTR_ADDR;
}

/* ---- walk parameters ----------------------------------------------------- */

void vtd_xlate_sl_cfg(const struct vtd_xlate *x, struct vtd_sl_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->did = x->did;
	c->scalable = x->scalable;
	if (!x->scalable) {
		c->root = x->ce[0] & VTD_CTX_LO_SLPTPTR_MASK;
		c->levels = VTD_AW_TO_LEVELS(VTD_CTX_HI_AW(x->ce[1]));
		return;
	}
	c->root = x->pe[0] & VTD_PTE0_SLPTPTR_MASK;
	c->levels = VTD_AW_TO_LEVELS(VTD_PTE0_AW(x->pe[0]));
	c->slade = (x->pe[0] & VTD_PTE0_SLADE) != 0;
	c->slee = (x->pe[0] & VTD_PTE0_SLEE) != 0;
}

void vtd_xlate_fl_cfg(const struct vtd_xlate *x, struct vtd_fl_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->root = x->pe[2] & VTD_PTE2_FLPTPTR_MASK;
	c->levels = VTD_PTE2_FLPM(x->pe[2]) == 1 ? 5 : 4;
	c->did = x->did;
	c->pasid = x->pasid;
	c->priv = x->priv;
	c->exec = x->exec;
	c->wpe = (x->pe[2] & VTD_PTE2_WPE) != 0;
	c->smep = (x->pe[2] & VTD_PTE2_SMEP) != 0;
	c->eafe = (x->pe[2] & VTD_PTE2_EAFE) != 0;
	c->nested = x->pgtt == VTD_PGTT_NESTED;
}

int vtd_nested_table(struct vtd_xlate *x, uint64_t gpa, bool top, bool write,
		     uint64_t *hpa)
{
	struct vtd_sl_cfg c;
	struct vtd_walk w;
	unsigned int width;
	int fr;

	vtd_xlate_sl_cfg(x, &c);
	width = vtd_sl_width(x->v, c.levels);
	if (gpa >> width)
		return VTD_FR_SM_FL_NESTED_MGAW;
	x->v->nested_step = true;
	fr = vtd_sl_walk(x, &c, gpa, write ? VTD_ACCESS_WRITE : VTD_ACCESS_READ,
			 false, &w);
	x->v->nested_step = false;
	if (fr == VTD_FR_SM_READ)
		return top ? VTD_FR_SM_FL_NESTED_PML_READ
			   : VTD_FR_SM_FL_NESTED_READ;
	if (fr == VTD_FR_SM_WRITE)
		return VTD_FR_SM_FL_NESTED_WRITE;
	if (fr)
		return fr;
	*hpa = w.pa;
	return 0;
}

/* ---- context and PASID entries ----------------------------------------- */

static int get_context(struct vtd_xlate *x)
{
	struct vtd *v = x->v;
	const struct vtd_context_cache_data *d;
	struct vtd_context_cache_data nd;
	int fr;

	if (x->cached) {
		d = vtd_context_cache_lookup(v, x->req->sid);
		if (d && d->scalable == x->scalable) {
			memcpy(x->ce, d->ce, sizeof(x->ce));
			x->fpd = (x->ce[0] & VTD_CTX_LO_FPD) != 0;
			x->ctx_hit = true;
			return 0;
		}
	}
	fr = vtd_context_fetch(x);
	if (fr || !x->cached)
		return fr;
	memset(&nd, 0, sizeof(nd));
	memcpy(nd.ce, x->ce, sizeof(nd.ce));
	nd.scalable = x->scalable;
	nd.did = x->scalable ? 0 : (uint16_t)VTD_CTX_HI_DID(x->ce[1]);
	vtd_context_cache_fill(v, x->req->sid, &nd);
	return 0;
}

static int get_pasid_entry(struct vtd_xlate *x)
{
	struct vtd *v = x->v;
	const struct vtd_pasid_cache_data *d;
	struct vtd_pasid_cache_data nd;
	bool ctx_fpd = x->fpd;
	int fr;

	if (x->cached) {
		d = vtd_pasid_cache_lookup(v, x->req->sid, x->pasid);
		if (d) {
			memcpy(x->pe, d->pe, sizeof(x->pe));
			x->fpd |= d->fpd;
			x->pasid_hit = true;
			return 0;
		}
	}
	x->fpd = false;
	fr = vtd_pasid_fetch(x);
	nd.fpd = x->fpd;
	x->fpd |= ctx_fpd;
	if (fr || !x->cached)
		return fr;
	memcpy(nd.pe, x->pe, sizeof(nd.pe));
	nd.did = (uint16_t)VTD_PTE1_DID(x->pe[1]);
	vtd_pasid_cache_fill(v, x->req->sid, x->pasid, &nd);
	return 0;
}

/* ---- IOTLB ----------------------------------------------------------------
 */

static bool ad_tracked(const struct vtd_xlate *x)
{
	if (!x->scalable)
		return false;
	if (x->pgtt == VTD_PGTT_FL || x->pgtt == VTD_PGTT_NESTED)
		return true;
	return (x->pe[0] & VTD_PTE0_SLADE) != 0;
}

/* Would a translation with these permissions serve the request? */
static bool perm_allows(const struct vtd_xlate *x, uint8_t perm)
{
	enum vtd_access acc = x->req->access;
	struct vtd_fl_cfg fc;

	if (vtd_access_reads(acc) && !(perm & VTD_PERM_R))
		return false;
	if (x->pgtt == VTD_PGTT_FL || x->pgtt == VTD_PGTT_NESTED) {
		vtd_xlate_fl_cfg(x, &fc);
		if (vtd_fl_perm_check(&fc, acc, perm))
			return false;
		return x->pgtt == VTD_PGTT_FL || !vtd_access_writes(acc) ||
		       (perm & VTD_PERM_W);
	}
	if (vtd_access_writes(acc) && !(perm & VTD_PERM_W))
		return false;
	return !x->exec || (perm & VTD_PERM_X);
}

/* The fault a cached not-present second-level entry gives (CAP.CM=1): what
 * the walk gave when it found the entry (second_level.c). */
static int np_fault(const struct vtd_xlate *x)
{
	if (x->scalable)
		return VTD_FR_SM_SL_PERM;
	return vtd_access_reads(x->req->access) ? VTD_FR_PTE_READ
						: VTD_FR_PTE_WRITE;
}

/* An IOTLB lookup: -1 on a miss (walk), else 0 or the fault of a cached
 * not-present entry. */
static int iotlb_hit(struct vtd_xlate *x, enum vtd_mode mode,
		     struct vtd_result *res)
{
	const struct vtd_iotlb_data *d;
	unsigned int level;
	uint64_t size;

	if (!x->cached)
		return -1;
	d = vtd_iotlb_lookup(x->v, x->did, x->pasid, x->req->addr, &level);
	if (!d || d->mode != mode)
		return -1;
	if (d->np) {
		/* levels above the entry that deny this access: the walk
		 * from the root names the first of them (found by fuzz_tables:
		 * an atomic request under a read-only PML4E hit a not-present
		 * entry a read had cached and gave 06h, the walk 05h) */
		if (!perm_allows(x, d->perm))
			return -1;
		x->iotlb_hit = true;
		return np_fault(x);
	}
	if (!perm_allows(x, d->perm))
		return -1;
	if (vtd_access_writes(x->req->access) && !d->dirty && ad_tracked(x))
		return -1;
	size = 1ULL << VTD_LEVEL_SHIFT(level);
	res->addr = d->pa | (x->req->addr & (size - 1));
	res->page_size = size;
	res->perm = d->perm;
	res->iotlb_hit = true;
	x->iotlb_hit = true;
	return 0;
}

static void iotlb_fill(struct vtd_xlate *x, enum vtd_mode mode,
		       const struct vtd_walk *w)
{
	uint64_t size = 1ULL << VTD_LEVEL_SHIFT(w->level);
	struct vtd_iotlb_data d = {
		.pa = w->pa & ~(size - 1),
		.perm = w->perm,
		.pgtt = x->scalable ? x->pgtt : 0,
		.mode = mode,
		.global = w->global,
		.dirty = w->dirty || !ad_tracked(x),
	};

	if (x->cached)
		vtd_iotlb_fill(x->v, x->did, x->pasid, x->req->addr, w->level,
			       &d);
}

/* CAP.CM=1: a second-level walk that stopped at a not-present entry leaves
 * it in the IOTLB, tagged as a translation of its whole region (spec 6.1:
 * not-present entries may be cached; software invalidates after making an
 * entry present). First-level entries are never cached not present. */
static void np_fill(struct vtd_xlate *x, enum vtd_mode mode,
		    const struct vtd_walk *w)
{
	struct vtd_iotlb_data d = {
		.pgtt = x->scalable ? x->pgtt : 0,
		.mode = mode,
		.np = true,
	};

	if (!x->cached || !(x->v->cfg.cap & VTD_CAP_CM) || !w->np_level ||
	    w->np_level > 3)
		return;
	d.perm = w->perm; /* of the levels above it, set with np_level */
	vtd_iotlb_fill(x->v, x->did, x->pasid, x->req->addr, w->np_level, &d);
}

/* ---- walks -----------------------------------------------------------------
 */

/*
 * Nested (3.8): the first level gives a GPA, the second level translates
 * it; only then, the access allowed, are the first-level leaf's A and D
 * set (a denied write must not dirty the guest's page). Software changing
 * the leaf meanwhile makes the unit walk again.
 */
static int walk_nested_once(struct vtd_xlate *x, struct vtd_walk *w)
{
	struct vtd_fl_cfg fc;
	struct vtd_sl_cfg sc;
	struct vtd_fl_leaf leaf;
	struct vtd_walk w1, w2;
	int fr;

	vtd_xlate_fl_cfg(x, &fc);
	fr = vtd_fl_walk(x, &fc, x->req->addr, &w1, &leaf);
	if (fr)
		return fr;
	vtd_xlate_sl_cfg(x, &sc);
	if (w1.pa >> vtd_sl_width(x->v, sc.levels))
		return VTD_FR_SM_FL_NESTED_MGAW;
	x->v->nested_step = true;
	fr = vtd_sl_walk(x, &sc, w1.pa, x->req->access, x->exec, &w2);
	x->v->nested_step = false;
	if (fr)
		return fr;
	fr = vtd_fl_leaf_ad(x, &fc, &leaf);
	if (fr)
		return fr;
	w->pa = w2.pa;
	w->level = w1.level < w2.level ? w1.level : w2.level;
	w->perm = (w1.perm & w2.perm) | (w1.perm & VTD_PERM_U);
	w->dirty = (leaf.e & VTD_FL_D) && w2.dirty;
	w->global = w1.global;
	return 0;
}

static int walk_nested(struct vtd_xlate *x, struct vtd_walk *w)
{
	unsigned int tries;
	int fr = -1;

	for (tries = 0; fr < 0 && tries < VTD_AD_RETRIES; tries++)
		fr = walk_nested_once(x, w);
	return fr < 0 ? VTD_FR_SM_FL_ACCESS : fr;
}

static int walk(struct vtd_xlate *x, struct vtd_walk *w)
{
	struct vtd_fl_cfg fc;
	struct vtd_sl_cfg sc;

	if (x->scalable && x->pgtt == VTD_PGTT_NESTED)
		return walk_nested(x, w);
	if (x->scalable && x->pgtt == VTD_PGTT_FL) {
		vtd_xlate_fl_cfg(x, &fc);
		return vtd_fl_walk(x, &fc, x->req->addr, w, NULL);
	}
	vtd_xlate_sl_cfg(x, &sc);
	return vtd_sl_walk(x, &sc, x->req->addr, x->req->access, x->exec, w);
}

static int translate_paged(struct vtd_xlate *x, enum vtd_mode mode,
			   struct vtd_result *res)
{
	struct vtd_walk w;
	int fr;

	res->mode = mode;
	fr = iotlb_hit(x, mode, res);
	if (fr >= 0)
		return fr ? fr : intr_check(x, res->addr);
	w.np_level = 0;
	fr = walk(x, &w);
	if (fr) {
		np_fill(x, mode, &w);
		return fr;
	}
	res->addr = w.pa;
	res->page_size = 1ULL << VTD_LEVEL_SHIFT(w.level);
	res->perm = w.perm;
	fr = intr_check(x, res->addr);
	if (!fr)
		iotlb_fill(x, mode, &w);
	return fr;
}

static int translate_pt(struct vtd_xlate *x, enum vtd_mode mode,
			struct vtd_result *res)
{
	uint64_t in = x->req->addr;

	res->mode = mode;
	if (in & ~vtd_haw_mask(x->v))
		return x->scalable ? VTD_FR_SM_OUT_BEYOND_HAW
				   : VTD_FR_ADDR_BEYOND_MGAW;
	res->addr = in;
	res->page_size = VTD_PAGE_SIZE;
	res->perm = VTD_PERM_R | VTD_PERM_W | VTD_PERM_X | VTD_PERM_U;
	return intr_check(x, in);
}

static int translate_legacy(struct vtd_xlate *x, struct vtd_result *res)
{
	x->did = (uint16_t)VTD_CTX_HI_DID(x->ce[1]);
	x->pasid = VTD_NO_PASID;
	res->did = x->did;
	if (VTD_CTX_LO_TT(x->ce[0]) == VTD_CTX_TT_PT)
		return translate_pt(x, VTD_MODE_LEGACY_PT, res);
	return translate_paged(x, VTD_MODE_LEGACY_SL, res);
}

static int translate_scalable(struct vtd_xlate *x, struct vtd_result *res)
{
	bool fl;
	int fr;

	fr = vtd_context_sm_request_check(x);
	if (!fr)
		fr = get_pasid_entry(x);
	if (fr)
		return fr;
	x->pgtt = (uint8_t)VTD_PTE0_PGTT(x->pe[0]);
	x->did = (uint16_t)VTD_PTE1_DID(x->pe[1]);
	res->did = x->did;
	fl = x->pgtt == VTD_PGTT_FL || x->pgtt == VTD_PGTT_NESTED;
	if (fl && x->exec && !(x->pe[2] & VTD_PTE2_ERE))
		return VTD_FR_SM_PTE_ERE;
	if (fl && x->priv && !(x->pe[2] & VTD_PTE2_SRE))
		return VTD_FR_SM_PTE_SRE;
	switch (x->pgtt) {
	case VTD_PGTT_FL:
		return translate_paged(x, VTD_MODE_SM_FL, res);
	case VTD_PGTT_SL:
		return translate_paged(x, VTD_MODE_SM_SL, res);
	case VTD_PGTT_NESTED:
		return translate_paged(x, VTD_MODE_SM_NESTED, res);
	default:
		return translate_pt(x, VTD_MODE_SM_PT, res);
	}
}

/*
 * Translation and translated requests need the device-TLB enabled in the
 * context entry: legacy TT=01b (else 0Dh), scalable DTE=1 (else 44h).
 */
static int check_device_tlb(const struct vtd_xlate *x)
{
	if (x->scalable)
		return (x->ce[0] & VTD_SM_CTX_LO_DTE) ? 0 : VTD_FR_SM_CTX_DTE;
	return VTD_CTX_LO_TT(x->ce[0]) == VTD_CTX_TT_SL_DT ? 0
							   : VTD_FR_TT_BLOCKED;
}

/* A translated request that the context entry allows: address as is. */
static int translated(struct vtd_xlate *x, struct vtd_result *res)
{
	uint64_t in = x->req->addr;

	res->mode = VTD_MODE_UNTRANSLATED_OFF;
	if (in & ~vtd_haw_mask(x->v))
		return x->scalable ? VTD_FR_SM_OUT_BEYOND_HAW
				   : VTD_FR_ADDR_BEYOND_MGAW;
	res->addr = in;
	res->page_size = VTD_PAGE_SIZE;
	res->perm = VTD_PERM_R | VTD_PERM_W;
	return 0;
}

static int run(struct vtd_xlate *x, struct vtd_result *res)
{
	unsigned int ttm =
		(unsigned int)VTD_RTADDR_TTM(x->v->regs.rtaddr_active);
	int fr;

	if (ttm != VTD_RTADDR_TTM_LEGACY && ttm != VTD_RTADDR_TTM_SCALABLE)
		return VTD_FR_SM_RTADDR_INVALID;
	if (!x->scalable && x->req->has_pasid && x->kind != VTD_REQ_TRANSLATED)
		return VTD_FR_SM_TTM_PASID;
	fr = get_context(x);
	if (!fr && x->kind != VTD_REQ_UNTRANSLATED)
		fr = check_device_tlb(x);
	if (fr)
		return fr;
	if (x->kind == VTD_REQ_TRANSLATED)
		return translated(x, res);
	return x->scalable ? translate_scalable(x, res)
			   : translate_legacy(x, res);
}

/* ---- entry points
 * ------------------------------------------------------------ */

void vtd_xlate_record_fault(struct vtd_xlate *x, struct vtd_result *res)
{
	struct vtd *v = x->v;
	const struct vtd_request *req = x->req;
	struct vtd_fault_info f = {
		.sid = req->sid,
		.has_pasid = req->has_pasid,
		.pasid = req->pasid,
		.addr = req->addr,
		.reason = res->fault,
		.access = req->access,
		.priv = req->has_pasid && req->priv,
		.exec = req->has_pasid && req->exec,
		.at = (unsigned int)x->kind,
	};

	v->stats.faults[res->fault]++;
	if (x->fpd && qualified(res->fault)) {
		v->stats.faults_suppressed++;
		return;
	}
	vtd_fault_record(v, &f);
	res->fault_recorded = true;
}

static void untranslated(const struct vtd_request *req, struct vtd_result *res)
{
	res->ok = true;
	res->mode = VTD_MODE_UNTRANSLATED_OFF;
	res->addr = req->addr;
	res->page_size = VTD_PAGE_SIZE;
	res->perm = VTD_PERM_R | VTD_PERM_W | VTD_PERM_X | VTD_PERM_U;
}

/* An untranslated request without PASID to the interrupt range (3.14). */
static int interrupt_request(struct vtd_xlate *x, struct vtd_result *res)
{
	if (x->req->access != VTD_ACCESS_WRITE)
		return x->scalable ? VTD_FR_SM_INTR_ADDR : VTD_FR_INTR_ADDR;
	res->mode = VTD_MODE_INTERRUPT;
	res->addr = x->req->addr;
	res->page_size = VTD_PAGE_SIZE;
	res->perm = VTD_PERM_W;
	return 0;
}

bool vtd_xlate_run(struct vtd_xlate *x, struct vtd_result *res)
{
	struct vtd *v = x->v;
	int fr;

	memset(res, 0, sizeof(*res));
	if (!(v->regs.gsts & VTD_GSTS_TES)) {
		untranslated(x->req, res);
		return false;
	}
	if (VTD_RTADDR_TTM(v->regs.rtaddr_active) == VTD_RTADDR_TTM_ABORT) {
		res->mode = VTD_MODE_BLOCKED;
		return false;
	}
	x->scalable = vtd_scalable(v);
	if (x->kind == VTD_REQ_UNTRANSLATED && !x->req->has_pasid &&
	    in_intr_range(x->req->addr))
		fr = interrupt_request(x, res);
	else
		fr = run(x, res);
	if (fr) {
		res->ok = false;
		res->fault = (uint8_t)fr;
		res->mode = VTD_MODE_BLOCKED;
		res->addr = 0;
		res->perm = 0;
		res->page_size = 0;
	} else {
		res->ok = true;
	}
	if (v->tm.cur && x->cached)
		vtd_tm_translated(v, x, res);
	return true;
}

bool vtd_translate(struct vtd *v, const struct vtd_request *req,
		   struct vtd_result *res)
{
	struct vtd_xlate x = {
		.v = v,
		.req = req,
		.cached = !v->shadow,
	};
	bool walked = vtd_xlate_run(&x, res);

	if (v->shadow)
		return res->ok;
	v->stats.requests++;
	v->stats.translations[res->mode]++;
	if (walked && !res->ok)
		vtd_xlate_record_fault(&x, res);
	if (walked)
		vtd_xlate_check(&x, res);
	return res->ok;
}

void vtd_xlate_check(struct vtd_xlate *x, const struct vtd_result *res)
{
	if (x->v->cfg.check_stale && !x->v->shadow &&
	    (x->ctx_hit || x->pasid_hit || x->iotlb_hit || x->fl_psc_hit ||
	     x->sl_psc_hit))
		vtd_checker_check_xlate(x->v, x->req, res, x);
}

bool vtd_translate_uncached(struct vtd *v, const struct vtd_request *req,
			    struct vtd_result *res)
{
	return vtd_translate_uncached_kind(v, req, VTD_REQ_UNTRANSLATED, res);
}

bool vtd_translate_uncached_kind(struct vtd *v, const struct vtd_request *req,
				 enum vtd_req_kind kind, struct vtd_result *res)
{
	struct vtd_xlate x = {
		.v = v,
		.req = req,
		.kind = kind,
		.cached = false,
	};
	bool saved = v->shadow;

	v->shadow = true;
	vtd_xlate_run(&x, res);
	v->shadow = saved;
	return res->ok;
}
