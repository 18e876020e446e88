// SPDX-License-Identifier: MIT
/*
 * Paging-structure caches: non-leaf first-level entries (tagged by DID and
 * PASID) and second-level entries (tagged by DID). An entry at level L holds
 * the table it points to for the 2^VTD_LEVEL_SHIFT(L)-byte region it maps,
 * so a walk can resume below the deepest hit.
 */
#include "vtd_internal.h"

const struct vtd_psc_data *vtd_psc_lookup(struct vtd *v, enum vtd_cache_id id,
					  uint16_t did, uint32_t pasid,
					  uint64_t addr, unsigned int min_level,
					  unsigned int max_level,
					  unsigned int *level)
{
	struct vtd_cache *c = v->cache[id];
	const struct vtd_psc_data *d;

	if (id == VTD_CACHE_SL_PSC)
		pasid = VTD_NO_PASID;
	d = vtd_cache_find_region(c, did, pasid, addr, min_level, max_level,
				  level);
	vtd_cache_count(c, d != NULL);
	vtd_emit_cache_step(v, id, VTD_STEP_CACHE_LOOKUP, d != NULL,
			    d ? *level : 0);
	return d;
}

void vtd_psc_fill(struct vtd *v, enum vtd_cache_id id, uint16_t did,
		  uint32_t pasid, uint64_t addr, unsigned int level,
		  const struct vtd_psc_data *d)
{
	struct vtd_cache_key k;

	if (id == VTD_CACHE_SL_PSC)
		pasid = VTD_NO_PASID;
	k = vtd_cache_key_region(did, pasid, addr, level);
	vtd_cache_fill(v->cache[id], &k, d);
	vtd_emit_cache_step(v, id, VTD_STEP_CACHE_FILL, false, level);
}
