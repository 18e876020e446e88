// SPDX-License-Identifier: MIT
/*
 * IOTLB: leaf translations tagged by DID, PASID (VTD_NO_PASID in legacy
 * mode), input page and page size (level 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB).
 * Also the IOTLB and PASID-based IOTLB invalidation semantics, which reach
 * the paging-structure caches too (6.5.2.3, 6.5.2.4).
 */
#include "vtd_internal.h"

#define IOTLB_MAX_LEVEL 3

static struct vtd_cache *tlb(struct vtd *v)
{
	return v->cache[VTD_CACHE_IOTLB];
}

const struct vtd_iotlb_data *vtd_iotlb_lookup(struct vtd *v, uint16_t did,
					      uint32_t pasid, uint64_t addr,
					      unsigned int *level)
{
	/* One probe of every page size, as hardware does in parallel. */
	const struct vtd_iotlb_data *d = vtd_cache_find_region(
		tlb(v), did, pasid, addr, 1, IOTLB_MAX_LEVEL, level);

	vtd_cache_count(tlb(v), d != NULL);
	vtd_emit_cache_step(v, VTD_CACHE_IOTLB, VTD_STEP_CACHE_LOOKUP,
			    d != NULL, d ? *level : 0);
	return d;
}

void vtd_iotlb_fill(struct vtd *v, uint16_t did, uint32_t pasid, uint64_t addr,
		    unsigned int level, const struct vtd_iotlb_data *d)
{
	struct vtd_cache_key k = vtd_cache_key_region(did, pasid, addr, level);

	vtd_cache_fill(tlb(v), &k, d);
	vtd_emit_cache_step(v, VTD_CACHE_IOTLB, VTD_STEP_CACHE_FILL, false,
			    level);
}

struct inv_range {
	unsigned int gran;
	uint16_t did;
	uint32_t pasid;
	uint64_t lo, hi; /* [lo, hi) */
};

static bool overlaps(uint64_t base, unsigned int level,
		     const struct inv_range *r)
{
	uint64_t end = base + (1ULL << VTD_LEVEL_SHIFT(level));

	return base < r->hi && end > r->lo;
}

static struct inv_range make_range(unsigned int gran, uint16_t did,
				   uint32_t pasid, uint64_t addr,
				   unsigned int am)
{
	struct inv_range r = {
		.gran = gran,
		.did = did,
		.pasid = pasid,
	};
	uint64_t size;

	/* AM 52 and above cover the whole 64-bit input space (Linux asks
	 * for that with AM 52 when a range flush is rounded up). */
	if (am >= 64 - VTD_PAGE_SHIFT) {
		r.lo = 0;
		r.hi = UINT64_MAX;
		return r;
	}
	size = 1ULL << (VTD_PAGE_SHIFT + am);
	r.lo = addr & ~(size - 1);
	r.hi = r.lo + size;
	return r;
}

/* IOTLB invalidate: second-level-only, pass-through and nested entries. */
static bool iotlb_match(const struct vtd_cache_key *k, const void *data,
			const void *arg)
{
	const struct vtd_iotlb_data *d = data;
	const struct inv_range *r = arg;

	if (r->gran == VTD_QI_IOTLB_G_GLOBAL)
		return true;
	if (k->did != r->did)
		return false;
	/* First-level-only entries need a PASID-based IOTLB invalidation,
	 * domain-selective as well as page-selective (6.5.2.3, 6.5.2.4). */
	if (d->pgtt == VTD_PGTT_FL)
		return false;
	if (r->gran == VTD_QI_IOTLB_G_DOMAIN)
		return true;
	/* Nested entries are tagged by first-level input address: a change
	 * to the second level can affect any of them. */
	if (d->pgtt == VTD_PGTT_NESTED)
		return true;
	return overlaps(k->addr, k->level, r);
}

/* Paging-structure caches under an IOTLB invalidate: every second-level
 * entry in range, and first-level entries of the DID (in nested mode their
 * table pointers went through the second level). */
static bool sl_psc_match(const struct vtd_cache_key *k, const void *data,
			 const void *arg)
{
	const struct inv_range *r = arg;

	(void)data;
	if (r->gran == VTD_QI_IOTLB_G_GLOBAL)
		return true;
	if (k->did != r->did)
		return false;
	return r->gran == VTD_QI_IOTLB_G_DOMAIN ||
	       overlaps(k->addr, k->level, r);
}

static bool did_match(const struct vtd_cache_key *k, const void *data,
		      const void *arg)
{
	const struct inv_range *r = arg;

	(void)data;
	return r->gran == VTD_QI_IOTLB_G_GLOBAL || k->did == r->did;
}

void vtd_iotlb_invalidate(struct vtd *v, unsigned int gran, uint16_t did,
			  uint64_t addr, unsigned int am, bool ih)
{
	struct inv_range r = make_range(gran, did, VTD_NO_PASID, addr, am);

	vtd_cache_invalidate(tlb(v), iotlb_match, &r);
	if (gran == VTD_QI_IOTLB_G_PAGE && ih)
		return;
	vtd_cache_invalidate(v->cache[VTD_CACHE_SL_PSC], sl_psc_match, &r);
	vtd_cache_invalidate(v->cache[VTD_CACHE_FL_PSC], did_match, &r);
}

/* PASID-based IOTLB invalidate: first-level-only and nested entries. */
static bool piotlb_match(const struct vtd_cache_key *k, const void *data,
			 const void *arg)
{
	const struct vtd_iotlb_data *d = data;
	const struct inv_range *r = arg;

	if (d->pgtt != VTD_PGTT_FL && d->pgtt != VTD_PGTT_NESTED)
		return false;
	if (k->did != r->did || k->pasid != r->pasid)
		return false;
	if (r->gran == VTD_QI_PIOTLB_G_PASID)
		return !d->global;
	return overlaps(k->addr, k->level, r);
}

static bool fl_psc_match(const struct vtd_cache_key *k, const void *data,
			 const void *arg)
{
	const struct inv_range *r = arg;

	(void)data;
	if (k->did != r->did || k->pasid != r->pasid)
		return false;
	return r->gran == VTD_QI_PIOTLB_G_PASID ||
	       overlaps(k->addr, k->level, r);
}

void vtd_piotlb_invalidate(struct vtd *v, unsigned int gran, uint16_t did,
			   uint32_t pasid, uint64_t addr, unsigned int am,
			   bool ih)
{
	struct inv_range r = make_range(gran, did, pasid, addr, am);

	vtd_cache_invalidate(tlb(v), piotlb_match, &r);
	if (gran == VTD_QI_PIOTLB_G_PAGE && ih)
		return;
	vtd_cache_invalidate(v->cache[VTD_CACHE_FL_PSC], fl_psc_match, &r);
}
