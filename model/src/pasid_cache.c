// SPDX-License-Identifier: MIT
/*
 * PASID cache: scalable-mode PASID-table entries, looked up by source ID and
 * PASID, invalidated by the DID programmed in the entry and the PASID.
 */
#include "vtd_internal.h"

static struct vtd_cache *pc(struct vtd *v)
{
	return v->cache[VTD_CACHE_PASID];
}

const struct vtd_pasid_cache_data *
vtd_pasid_cache_lookup(struct vtd *v, uint16_t sid, uint32_t pasid)
{
	struct vtd_cache_key k = {.sid = sid, .pasid = pasid};
	const struct vtd_pasid_cache_data *d = vtd_cache_lookup(pc(v), &k);

	vtd_emit_cache_step(v, VTD_CACHE_PASID, VTD_STEP_CACHE_LOOKUP,
			    d != NULL, 0);
	return d;
}

void vtd_pasid_cache_fill(struct vtd *v, uint16_t sid, uint32_t pasid,
			  const struct vtd_pasid_cache_data *d)
{
	struct vtd_cache_key k = {.sid = sid, .pasid = pasid};

	vtd_cache_fill(pc(v), &k, d);
	vtd_emit_cache_step(v, VTD_CACHE_PASID, VTD_STEP_CACHE_FILL, false, 0);
}

struct pc_match {
	unsigned int gran;
	uint16_t did;
	uint32_t pasid;
};

static bool pc_match(const struct vtd_cache_key *k, const void *data,
		     const void *arg)
{
	const struct vtd_pasid_cache_data *d = data;
	const struct pc_match *m = arg;

	switch (m->gran) {
	case VTD_QI_PC_G_DOMAIN:
		return d->did == m->did;
	case VTD_QI_PC_G_PASID:
		return d->did == m->did && k->pasid == m->pasid;
	default:
		return true;
	}
}

void vtd_pasid_cache_invalidate(struct vtd *v, unsigned int gran, uint16_t did,
				uint32_t pasid)
{
	struct pc_match m = {.gran = gran, .did = did, .pasid = pasid};

	vtd_cache_invalidate(pc(v), pc_match, &m);
	/* Generous mode only: the translations of the domain too. */
	vtd_iotlb_generous_drop(v, gran == VTD_QI_PC_G_GLOBAL, did);
}
