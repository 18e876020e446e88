// SPDX-License-Identifier: MIT
/*
 * Context cache: context entries tagged by source ID. Legacy entries also
 * carry their DID for domain-selective invalidation.
 */
#include "vtd_internal.h"

static struct vtd_cache *cc(struct vtd *v)
{
	return v->cache[VTD_CACHE_CONTEXT];
}

const struct vtd_context_cache_data *vtd_context_cache_lookup(struct vtd *v,
							      uint16_t sid)
{
	struct vtd_cache_key k = {.sid = sid};
	const struct vtd_context_cache_data *d = vtd_cache_lookup(cc(v), &k);

	vtd_emit_cache_step(v, VTD_CACHE_CONTEXT, VTD_STEP_CACHE_LOOKUP,
			    d != NULL, 0);
	return d;
}

void vtd_context_cache_fill(struct vtd *v, uint16_t sid,
			    const struct vtd_context_cache_data *d)
{
	struct vtd_cache_key k = {.sid = sid};

	vtd_cache_fill(cc(v), &k, d);
	vtd_emit_cache_step(v, VTD_CACHE_CONTEXT, VTD_STEP_CACHE_FILL, false,
			    0);
}

struct cc_match {
	unsigned int gran;
	uint16_t did, sid, sid_mask;
};

static bool cc_match(const struct vtd_cache_key *k, const void *data,
		     const void *arg)
{
	const struct vtd_context_cache_data *d = data;
	const struct cc_match *m = arg;

	switch (m->gran) {
	case VTD_QI_CC_G_DOMAIN:
		/* Scalable-mode context entries carry no DID: drop them all. */
		return d->scalable || d->did == m->did;
	case VTD_QI_CC_G_DEVICE:
		return (k->sid & m->sid_mask) == (m->sid & m->sid_mask);
	default:
		return true;
	}
}

void vtd_context_cache_invalidate(struct vtd *v, unsigned int gran,
				  uint16_t did, uint16_t sid, unsigned int fm)
{
	/* FM masks function-number bits from bit 2 down: none, 2, 2:1, 2:0. */
	static const uint16_t fm_bits[4] = {0, 0x4, 0x6, 0x7};
	struct cc_match m = {
		.gran = gran,
		.did = did,
		.sid = sid,
		.sid_mask = (uint16_t)~fm_bits[fm & 3],
	};

	vtd_cache_invalidate(cc(v), cc_match, &m);
	/* Generous mode only: the translations behind them too (scalable
	 * context entries name no DID: everything). */
	vtd_iotlb_generous_drop(
		v, gran == VTD_QI_CC_G_GLOBAL || vtd_scalable(v), did);
}
