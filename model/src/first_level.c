// SPDX-License-Identifier: MIT
/*
 * First-level (IA-32e) page walk (spec 3.6, 9.7): 4- and 5-level paging,
 * 4K/2M/1G pages (1G only with CAP.FL1GP).
 *
 * Fault codes: 80h (input not canonical for the paging mode), 73h (access
 * to the top-level entry referenced by FLPTPTR failed, or FLPTPTR beyond
 * HAW), 70h (access to another entry failed), 71h (P clear), 72h (reserved
 * bits: PS in PML5E/PML4E, PS in PDPE without FL1GP, reserved bits of large
 * leaves, address bits at or above HAW), 81h (user request, U/S clear at
 * some level), 82h (execute request and XD set at some level, or SMEP=1
 * and a supervisor execute of a user page), 85h (write to a read-only page
 * by a user request, or by a supervisor request with WPE=1).
 *
 * Read permission is implicit. A is set on every entry used (and EA, bit
 * 10, when EAFE=1), D on the leaf of a permitted write, each by an atomic
 * compare-exchange that re-evaluates the entry if software changed it.
 * In nested mode every table address is a GPA translated by translate.c
 * (vtd_nested_table), which also checks the second-level write permission
 * an A/D update needs (77h), and the leaf's flags wait until the output
 * address has passed the second level (vtd_fl_leaf_ad): a write the second
 * level denies leaves the guest page clean.
 */
#include "translate.h"

#define FL_ADDR VTD_GENMASK(51, 12)

struct psc_pending {
	unsigned int level;
	uint64_t next;
	uint8_t perm;
};

int vtd_fl_perm_check(const struct vtd_fl_cfg *c, enum vtd_access acc,
		      uint8_t perm)
{
	bool user = !c->priv;

	if (user && !(perm & VTD_PERM_U))
		return VTD_FR_SM_US;
	if (c->exec && !(perm & VTD_PERM_X))
		return VTD_FR_SM_XD;
	if (c->exec && !user && c->smep && (perm & VTD_PERM_U))
		return VTD_FR_SM_XD;
	if (vtd_access_writes(acc) && !(perm & VTD_PERM_W) && (user || c->wpe))
		return VTD_FR_SM_WRITE;
	return 0;
}

static bool canonical(uint64_t in, unsigned int width)
{
	int64_t s = (int64_t)(in << (64 - width)) >> (64 - width);

	return (uint64_t)s == in;
}

static uint8_t fl_entry_perm(uint64_t e)
{
	uint8_t p = VTD_PERM_R;

	if (e & VTD_FL_RW)
		p |= VTD_PERM_W;
	if (e & VTD_FL_US)
		p |= VTD_PERM_U;
	if (!(e & VTD_FL_XD))
		p |= VTD_PERM_X;
	return p;
}

static bool fl_leaf(struct vtd *v, uint64_t e, unsigned int level, bool *bad_ps)
{
	*bad_ps = false;
	if (level == 1)
		return true;
	if (!(e & VTD_FL_PS))
		return false;
	if (level == 2 || (level == 3 && (v->cfg.cap & VTD_CAP_FL1GP)))
		return true;
	*bad_ps = true;
	return false;
}

static bool fl_rsvd(struct vtd *v, const struct vtd_fl_cfg *c, uint64_t e,
		    unsigned int level, bool leaf, bool bad_ps)
{
	uint64_t rsvd = 0;

	if (bad_ps)
		return true;
	if (leaf && level == 2)
		rsvd |= VTD_GENMASK(20, 13);
	else if (leaf && level == 3)
		rsvd |= VTD_GENMASK(29, 13);
	/* In nested mode addresses are GPAs, checked against the second
	 * level's width when translated (74h). */
	if (!c->nested)
		rsvd |= FL_ADDR & ~vtd_haw_mask(v);
	return (e & rsvd) != 0;
}

struct fl_step {
	uint64_t table; /* GPA in nested mode */
	unsigned int level;
	bool top;
	enum vtd_access acc;
};

static int fl_table_pa(struct vtd_xlate *x, const struct vtd_fl_cfg *c,
		       const struct fl_step *s, bool write, uint64_t *pa)
{
	if (!c->nested) {
		*pa = s->table;
		return 0;
	}
	return vtd_nested_table(x, s->table, s->top, write, pa);
}

/* Set A (EA) and D as needed; 0, or a fault code. *e is updated. */
static int fl_update(struct vtd_xlate *x, const struct vtd_fl_cfg *c,
		     const struct fl_step *s, uint64_t pa, uint64_t *e,
		     bool leaf, bool *changed)
{
	uint64_t set = 0, found, wpa;
	int fr;

	*changed = false;
	if (!(*e & VTD_FL_A))
		set |= VTD_FL_A;
	if (c->eafe && !(*e & VTD_FL_EA))
		set |= VTD_FL_EA;
	if (leaf && vtd_access_writes(s->acc) && !(*e & VTD_FL_D))
		set |= VTD_FL_D;
	if (!set)
		return 0;
	if (c->nested) {
		fr = fl_table_pa(x, c, s, true, &wpa);
		if (fr)
			return fr;
	}
	if (vtd_mem_cmpxchg64(x->v, pa, *e, *e | set, &found, VTD_ST_FL_ENTRY,
			      s->level))
		return s->top ? VTD_FR_SM_FL_PML_ACCESS : VTD_FR_SM_FL_ACCESS;
	if (found == *e) {
		*e |= set;
		return 0;
	}
	*e = found;
	*changed = true;
	return 0;
}

static int fl_entry(struct vtd_xlate *x, const struct vtd_fl_cfg *c,
		    const struct fl_step *s, uint64_t in, uint8_t *perm,
		    uint64_t *ep, bool *leaf, struct vtd_fl_leaf *defer)
{
	struct vtd *v = x->v;
	int rd_err = s->top ? VTD_FR_SM_FL_PML_ACCESS : VTD_FR_SM_FL_ACCESS;
	unsigned int tries = 0;
	uint64_t tpa, pa, e;
	bool bad_ps, changed;
	uint8_t p;
	int fr;

	fr = fl_table_pa(x, c, s, false, &tpa);
	if (fr)
		return fr;
	pa = tpa + VTD_LEVEL_INDEX(in, s->level) * 8;
	if (vtd_mem_read64(v, pa, &e, VTD_ST_FL_ENTRY, s->level))
		return rd_err;
	for (;;) {
		if (!(e & VTD_FL_P))
			return VTD_FR_SM_FL_NOT_PRESENT;
		*leaf = fl_leaf(v, e, s->level, &bad_ps);
		if (fl_rsvd(v, c, e, s->level, *leaf, bad_ps))
			return VTD_FR_SM_FL_RSVD;
		p = *perm & fl_entry_perm(e);
		if (*leaf) {
			fr = vtd_fl_perm_check(c, s->acc, p);
			if (fr)
				return fr;
		}
		if (*leaf && defer) {
			defer->table = s->table;
			defer->pa = pa;
			defer->e = e;
			defer->level = s->level;
			defer->top = s->top;
			break;
		}
		fr = fl_update(x, c, s, pa, &e, *leaf, &changed);
		if (fr)
			return fr;
		if (!changed)
			break;
		if (++tries >= VTD_AD_RETRIES)
			return rd_err;
	}
	*perm = p;
	*ep = e;
	return 0;
}

int vtd_fl_leaf_ad(struct vtd_xlate *x, const struct vtd_fl_cfg *c,
		   struct vtd_fl_leaf *leaf)
{
	struct fl_step s = {
		.table = leaf->table,
		.level = leaf->level,
		.top = leaf->top,
		.acc = x->req->access,
	};
	bool changed;
	int fr;

	fr = fl_update(x, c, &s, leaf->pa, &leaf->e, true, &changed);
	if (fr)
		return fr;
	return changed ? -1 : 0;
}

int vtd_fl_walk(struct vtd_xlate *x, const struct vtd_fl_cfg *c, uint64_t in,
		struct vtd_walk *w, struct vtd_fl_leaf *leaf_out)
{
	struct vtd *v = x->v;
	struct psc_pending psc[5];
	struct fl_step s = {
		.table = c->root & VTD_GENMASK(63, 12),
		.level = c->levels,
		.top = true,
		.acc = x->req->access,
	};
	uint8_t perm = VTD_PERM_R | VTD_PERM_W | VTD_PERM_U | VTD_PERM_X;
	unsigned int hit, n = 0, i;
	const struct vtd_psc_data *d;
	uint64_t e = 0, size;
	bool leaf = false;
	int fr;

	if (c->levels != 4 && c->levels != 5)
		return VTD_FR_SM_PTE_INVALID;
	if (!canonical(in, c->levels == 5 ? 57 : 48))
		return VTD_FR_SM_NONCANONICAL;
	if (!c->nested && (s.table & ~vtd_haw_mask(v)))
		return VTD_FR_SM_FL_PML_ACCESS;
	if (x->cached) {
		d = vtd_psc_lookup(v, VTD_CACHE_FL_PSC, c->did, c->pasid, in, 2,
				   c->levels, &hit);
		if (d) {
			s.table = d->next;
			perm = d->perm;
			s.level = hit - 1;
			s.top = false;
			x->fl_psc_hit = true;
		}
	}
	for (;;) {
		fr = fl_entry(x, c, &s, in, &perm, &e, &leaf, leaf_out);
		if (fr)
			return fr;
		if (leaf)
			break;
		s.table = e & FL_ADDR;
		psc[n].level = s.level;
		psc[n].next = s.table;
		psc[n++].perm = perm;
		s.level--;
		s.top = false;
	}
	size = 1ULL << VTD_LEVEL_SHIFT(s.level);
	w->pa = (e & FL_ADDR & ~(size - 1)) | (in & (size - 1));
	w->level = s.level;
	w->perm = perm;
	w->dirty = (e & VTD_FL_D) != 0;
	w->global = (e & VTD_FL_G) != 0;
	for (i = 0; x->cached && i < n; i++) {
		struct vtd_psc_data pd = {.next = psc[i].next,
					  .perm = psc[i].perm,
					  .nested = c->nested};

		vtd_psc_fill(v, VTD_CACHE_FL_PSC, c->did, c->pasid, in,
			     psc[i].level, &pd);
	}
	return 0;
}
