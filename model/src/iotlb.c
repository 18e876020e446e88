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

/*
 * What each descriptor removes (docs/conformance.md "Invalidation scope").
 * Strict (the default) is what the specification requires (6.5.2.3 IOTLB
 * invalidate, 6.5.2.4 PASID-based IOTLB invalidate, rev 4.x tables):
 *
 *   IOTLB global           everything in the IOTLB and the PSCs
 *   IOTLB domain           IOTLB and PSC entries of the DID, every PGTT
 *   IOTLB page             IOTLB: second-level, pass-through and legacy
 *                          entries of the DID in range; first-level and
 *                          nested entries of the DID at any address.
 *                          IH=0: second-level PSC entries of the DID in
 *                          range and first-level PSC entries of nested
 *                          translations of the DID (a second-level change
 *                          may move any of their tables). First-level-only
 *                          PSC entries need a PASID-based invalidation.
 *   P_IOTLB PASID          IOTLB entries of the DID and PASID, every PGTT,
 *                          except first-level global (G) ones; first-level
 *                          PSC entries of the DID and PASID. Second-level
 *                          PSC entries stay (an IOTLB invalidation is the
 *                          one for a second-level table).
 *   P_IOTLB page           first-level and nested IOTLB entries of the DID
 *                          and PASID in range, global ones too; IH=0:
 *                          first-level PSC entries of the DID and PASID
 *                          over the range.
 *
 * Generous: any IOTLB or PASID-based IOTLB descriptor removes every IOTLB
 * and PSC entry of its DID (global: everything), as hardware that
 * invalidates more than it must may; a driver correct under strict is
 * correct under both, one that passes only under generous relies on
 * generosity.
 */
static bool generous(const struct vtd *v)
{
	return v->cfg.inv_mode == VTD_INV_GENEROUS;
}

static bool first_level_pgtt(uint8_t pgtt)
{
	return pgtt == VTD_PGTT_FL || pgtt == VTD_PGTT_NESTED;
}

static bool iotlb_match(const struct vtd_cache_key *k, const void *data,
			const void *arg)
{
	const struct vtd_iotlb_data *d = data;
	const struct inv_range *r = arg;

	if (r->gran == VTD_QI_IOTLB_G_GLOBAL)
		return true;
	if (k->did != r->did)
		return false;
	if (r->gran == VTD_QI_IOTLB_G_DOMAIN || first_level_pgtt(d->pgtt))
		return true;
	return overlaps(k->addr, k->level, r);
}

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

/* First-level PSC under an IOTLB invalidate: domain-selective all of the
 * DID, page-selective those of nested translations of the DID. */
static bool fl_psc_iotlb_match(const struct vtd_cache_key *k, const void *data,
			       const void *arg)
{
	const struct vtd_psc_data *d = data;
	const struct inv_range *r = arg;

	if (r->gran == VTD_QI_IOTLB_G_GLOBAL)
		return true;
	if (k->did != r->did)
		return false;
	return r->gran == VTD_QI_IOTLB_G_DOMAIN || d->nested;
}

static bool did_match(const struct vtd_cache_key *k, const void *data,
		      const void *arg)
{
	const struct inv_range *r = arg;

	(void)data;
	return r->gran == VTD_QI_IOTLB_G_GLOBAL || k->did == r->did;
}

/* Generous: every IOTLB and PSC entry of the DID (global: all). */
static void drop_domain(struct vtd *v, unsigned int gran, uint16_t did)
{
	struct inv_range r = {.gran = gran, .did = did};

	vtd_cache_invalidate(tlb(v), did_match, &r);
	vtd_cache_invalidate(v->cache[VTD_CACHE_SL_PSC], did_match, &r);
	vtd_cache_invalidate(v->cache[VTD_CACHE_FL_PSC], did_match, &r);
}

void vtd_iotlb_invalidate(struct vtd *v, unsigned int gran, uint16_t did,
			  uint64_t addr, unsigned int am, bool ih)
{
	struct inv_range r = make_range(gran, did, VTD_NO_PASID, addr, am);

	if (generous(v)) {
		drop_domain(v,
			    gran == VTD_QI_IOTLB_G_GLOBAL
				    ? VTD_QI_IOTLB_G_GLOBAL
				    : VTD_QI_IOTLB_G_DOMAIN,
			    did);
		return;
	}
	vtd_cache_invalidate(tlb(v), iotlb_match, &r);
	if (gran == VTD_QI_IOTLB_G_PAGE && ih)
		return;
	vtd_cache_invalidate(v->cache[VTD_CACHE_SL_PSC], sl_psc_match, &r);
	vtd_cache_invalidate(v->cache[VTD_CACHE_FL_PSC], fl_psc_iotlb_match,
			     &r);
}

static bool piotlb_match(const struct vtd_cache_key *k, const void *data,
			 const void *arg)
{
	const struct vtd_iotlb_data *d = data;
	const struct inv_range *r = arg;

	if (k->did != r->did || k->pasid != r->pasid)
		return false;
	if (r->gran == VTD_QI_PIOTLB_G_PASID)
		return !(first_level_pgtt(d->pgtt) && d->global);
	return first_level_pgtt(d->pgtt) && overlaps(k->addr, k->level, r);
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

	if (generous(v)) {
		drop_domain(v, VTD_QI_IOTLB_G_DOMAIN, did);
		return;
	}
	vtd_cache_invalidate(tlb(v), piotlb_match, &r);
	if (gran == VTD_QI_PIOTLB_G_PAGE && ih)
		return;
	vtd_cache_invalidate(v->cache[VTD_CACHE_FL_PSC], fl_psc_match, &r);
}

/* Generous mode: a context-cache or PASID-cache invalidation also drops
 * the IOTLB and PSC entries of the domain it names (global: all). */
void vtd_iotlb_generous_drop(struct vtd *v, bool global, uint16_t did)
{
	if (generous(v))
		drop_domain(v,
			    global ? VTD_QI_IOTLB_G_GLOBAL
				   : VTD_QI_IOTLB_G_DOMAIN,
			    did);
}
