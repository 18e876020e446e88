// SPDX-License-Identifier: MIT
/*
 * Second-level page walk (spec 3.7, 9.8), legacy and scalable mode.
 *
 * Fault codes: legacy 04h (input beyond AGAW), 05h/06h (write/read not
 * permitted, including R=W=0 entries), 07h (entry access), 0Ch (reserved
 * bits, address bits at or above HAW). Scalable 83h (input beyond AW), 78h
 * (access), 79h (R=W=0), 7Ah (reserved), 7Bh (SLPTPTR beyond HAW), 84h
 * (address in an entry beyond HAW), 85h/86h (write/read not permitted),
 * 82h (execute request, SLEE=1, X clear).
 *
 * Permissions are checked at every level as the entry is used, so the walk
 * stops at the first entry that denies the access. Bits 63 and 61:52 are
 * ignored; bit 62 is reserved (rev 3.0 dropped TM). SNP (bit 11) is
 * reserved in leaves without ECAP.SC and always in non-leaf entries, whose
 * bits 6:3 and 10:9 are ignored (9.8).
 * A/D flags are tracked only in scalable mode with PASID-entry SLADE=1.
 */
#include "translate.h"

struct psc_pending {
	unsigned int level;
	uint64_t next;
	uint8_t perm;
};

unsigned int vtd_sl_width(struct vtd *v, unsigned int levels)
{
	unsigned int w = 12 + 9 * levels;
	unsigned int mgaw = (unsigned int)VTD_CAP_MGAW(v->cfg.cap);

	return w < mgaw ? w : mgaw;
}

static int fr_sel(const struct vtd_sl_cfg *c, int legacy, int sm)
{
	return c->scalable ? sm : legacy;
}

static bool sl_leaf(struct vtd *v, uint64_t e, unsigned int level, bool *bad_ps)
{
	unsigned int sllps = (unsigned int)VTD_CAP_SLLPS(v->cfg.cap);

	*bad_ps = false;
	if (level == 1)
		return true;
	if (!(e & VTD_SL_PS))
		return false;
	if ((level == 2 && (sllps & 1)) || (level == 3 && (sllps & 2)))
		return true;
	*bad_ps = true;
	return false;
}

static int sl_rsvd(struct vtd *v, const struct vtd_sl_cfg *c, uint64_t e,
		   unsigned int level, bool leaf, bool bad_ps)
{
	uint64_t rsvd = VTD_BIT(62);

	if (!leaf) {
		rsvd |= VTD_SL_NONLEAF_RSVD;
	} else {
		if (!(v->cfg.ecap & VTD_ECAP_SC))
			rsvd |= VTD_SL_SNP;
		if (level == 2)
			rsvd |= VTD_GENMASK(20, 12);
		else if (level == 3)
			rsvd |= VTD_GENMASK(29, 12);
	}
	if (bad_ps || (e & rsvd))
		return fr_sel(c, VTD_FR_PTE_RSVD, VTD_FR_SM_SL_RSVD);
	if (e & VTD_SL_ADDR_MASK & ~vtd_haw_mask(v))
		return fr_sel(c, VTD_FR_PTE_RSVD, VTD_FR_SM_OUT_BEYOND_HAW);
	return 0;
}

static uint8_t sl_entry_perm(const struct vtd_sl_cfg *c, uint64_t e)
{
	uint8_t p = 0;

	if (e & VTD_SL_R)
		p |= VTD_PERM_R;
	if (e & VTD_SL_W)
		p |= VTD_PERM_W;
	if (c->scalable && (c->slee ? (e & VTD_SL_X) : (e & VTD_SL_R)))
		p |= VTD_PERM_X;
	return p;
}

static int sl_perm_check(const struct vtd_sl_cfg *c, enum vtd_access acc,
			 bool exec, uint8_t perm)
{
	if (vtd_access_reads(acc) && !(perm & VTD_PERM_R))
		return fr_sel(c, VTD_FR_PTE_READ, VTD_FR_SM_READ);
	if (vtd_access_writes(acc) && !(perm & VTD_PERM_W))
		return fr_sel(c, VTD_FR_PTE_WRITE, VTD_FR_SM_WRITE);
	if (exec && c->scalable && !(perm & VTD_PERM_X))
		return VTD_FR_SM_XD;
	return 0;
}

/* Validate one entry, check permissions and set A/D; 0 or a fault. */
static int sl_entry(struct vtd_xlate *x, const struct vtd_sl_cfg *c,
		    uint64_t pa, unsigned int level, enum vtd_access acc,
		    bool exec, uint8_t *perm, uint64_t *ep, bool *leaf)
{
	struct vtd *v = x->v;
	int rd_err = fr_sel(c, VTD_FR_NEXT_PTR_INVALID, VTD_FR_SM_SL_ACCESS);
	unsigned int tries = 0;
	uint64_t e, set, found;
	bool bad_ps;
	uint8_t p;
	int fr;

	if (vtd_mem_read64(v, pa, &e, VTD_ST_SL_ENTRY, level))
		return rd_err;
	for (;;) {
		if (!(e & (VTD_SL_R | VTD_SL_W))) {
			*ep = e; /* the walk sees it was not present */
			if (c->scalable)
				return VTD_FR_SM_SL_PERM;
			return vtd_access_reads(acc) ? VTD_FR_PTE_READ
						     : VTD_FR_PTE_WRITE;
		}
		*leaf = sl_leaf(v, e, level, &bad_ps);
		fr = sl_rsvd(v, c, e, level, *leaf, bad_ps);
		if (fr)
			return fr;
		p = *perm & sl_entry_perm(c, e);
		fr = sl_perm_check(c, acc, exec, p);
		if (fr)
			return fr;
		set = 0;
		if (c->slade && !(e & VTD_SL_A))
			set |= VTD_SL_A;
		if (c->slade && *leaf && vtd_access_writes(acc) &&
		    !(e & VTD_SL_D))
			set |= VTD_SL_D;
		if (!set)
			break;
		if (vtd_mem_cmpxchg64(v, pa, e, e | set, &found,
				      VTD_ST_SL_ENTRY, level))
			return rd_err;
		if (found == e) {
			e |= set;
			break;
		}
		/* Software changed the entry under us: evaluate it again. */
		if (++tries >= VTD_AD_RETRIES)
			return rd_err;
		e = found;
	}
	*perm = p;
	*ep = e;
	return 0;
}

int vtd_sl_walk(struct vtd_xlate *x, const struct vtd_sl_cfg *c, uint64_t in,
		enum vtd_access acc, bool exec, struct vtd_walk *w)
{
	struct vtd *v = x->v;
	struct psc_pending psc[5];
	unsigned int level = c->levels, hit, n = 0, i;
	uint64_t table = c->root & VTD_GENMASK(63, 12), e = 0, size;
	uint8_t perm = VTD_PERM_R | VTD_PERM_W | VTD_PERM_X;
	const struct vtd_psc_data *d;
	bool leaf = false;
	int fr;

	w->np_level = 0;
	if (level < 3 || level > 5)
		return fr_sel(c, VTD_FR_CTX_INVALID, VTD_FR_SM_PTE_INVALID);
	if (vtd_sl_width(v, level) < 64 && (in >> vtd_sl_width(v, level)))
		return fr_sel(c, VTD_FR_ADDR_BEYOND_MGAW,
			      VTD_FR_SM_ADDR_BEYOND_MGAW);
	if (c->scalable && (table & ~vtd_haw_mask(v)))
		return VTD_FR_SM_SL_PTR_INVALID;
	if (x->cached) {
		d = vtd_psc_lookup(v, VTD_CACHE_SL_PSC, c->did, VTD_NO_PASID,
				   in, 2, level, &hit);
		/* Levels above that deny the access: the unit walks from
		 * the root, whose first denying level names the fault (found
		 * by fuzz_tables: a write under a read-only PDPE gave 79h for
		 * an absent PDE when the PDPE was cached; and the cached
		 * permissions, ANDed over the levels, cannot tell which
		 * level denied first). */
		if (d && !sl_perm_check(c, acc, exec, d->perm)) {
			table = d->next;
			perm = d->perm;
			level = hit - 1;
			x->sl_psc_hit = true;
		}
	}
	for (;;) {
		e = VTD_SL_R; /* stays so unless the entry was read */
		fr = sl_entry(x, c, table + VTD_LEVEL_INDEX(in, level) * 8,
			      level, acc, exec, &perm, &e, &leaf);
		if (fr) {
			if (!(e & (VTD_SL_R | VTD_SL_W))) {
				w->np_level = level;
				w->perm = perm; /* the levels above */
			}
			return fr;
		}
		if (leaf)
			break;
		table = e & VTD_SL_ADDR_MASK;
		psc[n].level = level;
		psc[n].next = table;
		psc[n++].perm = perm;
		level--;
	}
	size = 1ULL << VTD_LEVEL_SHIFT(level);
	w->pa = (e & VTD_SL_ADDR_MASK & ~(size - 1)) | (in & (size - 1));
	w->level = level;
	w->perm = c->scalable ? perm : perm & (VTD_PERM_R | VTD_PERM_W);
	w->dirty = !c->slade || (e & VTD_SL_D);
	w->global = false;
	for (i = 0; x->cached && i < n; i++) {
		struct vtd_psc_data pd = {.next = psc[i].next,
					  .perm = psc[i].perm};

		vtd_psc_fill(v, VTD_CACHE_SL_PSC, c->did, VTD_NO_PASID, in,
			     psc[i].level, &pd);
	}
	return 0;
}
