// SPDX-License-Identifier: MIT
/*
 * Stale-translation checker (DESIGN.md principle 6). After a request that a
 * cache served (context cache, PASID cache, IOTLB or a paging-structure
 * cache hit), a shadow walk of memory gives the reference result. If the
 * two differ, software changed a structure without the invalidation the
 * spec requires; the report names the cache and the missing descriptor.
 *
 * The stale cache is found by comparing the cached context entry and PASID
 * entry with memory first; otherwise the IOTLB (if it served the request)
 * or a paging-structure cache is blamed.
 *
 * An endpoint's device-TLB hit is checked the same way against a
 * translation request walked from memory: the cached translation must still
 * be what the tables give, with no permission the tables no longer grant.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "translate.h"

static const char *const inv_ctx =
	"context-cache invalidation (device-selective)";
static const char *const inv_pasid =
	"PASID-cache invalidation (PASID-selective)";
static const char *const inv_iotlb =
	"IOTLB invalidation (page-selective-within-domain)";
static const char *const inv_piotlb =
	"PASID-based IOTLB invalidation (page-selective-within-PASID)";
static const char *const inv_iotlb_np =
	"IOTLB invalidation (page-selective-within-domain) after the entry "
	"became present: flush on map (CAP.CM=1 caches not-present entries)";
static const char *const inv_devtlb = "device-TLB invalidation";
static const char *const inv_pdevtlb = "PASID-based device-TLB invalidation";

static bool same_result(const struct vtd_result *a, const struct vtd_result *b)
{
	if (a->ok != b->ok)
		return false;
	if (!a->ok)
		return a->fault == b->fault;
	return a->addr == b->addr && a->perm == b->perm;
}

static bool ctx_changed(struct vtd *v, const struct vtd_xlate *x)
{
	uint64_t ce[4];
	bool saved = v->shadow;
	int rc;

	v->shadow = true;
	rc = vtd_context_read_raw(v, x->req->sid, ce);
	v->shadow = saved;
	return rc || memcmp(ce, x->ce, sizeof(ce)) != 0;
}

static bool pasid_changed(struct vtd *v, const struct vtd_xlate *x)
{
	uint64_t pe[8];
	bool saved = v->shadow;
	int rc;

	v->shadow = true;
	rc = vtd_pasid_read_raw(v, x->ce, x->pasid, pe);
	v->shadow = saved;
	return rc || memcmp(pe, x->pe, sizeof(pe)) != 0;
}

static bool first_level(const struct vtd_xlate *x)
{
	return x->scalable &&
	       (x->pgtt == VTD_PGTT_FL || x->pgtt == VTD_PGTT_NESTED);
}

static void blame(struct vtd *v, const struct vtd_xlate *x,
		  struct vtd_stale_report *r)
{
	if (x && x->ctx_hit && ctx_changed(v, x)) {
		r->cache = VTD_CACHE_CONTEXT;
		r->missing_invalidation = inv_ctx;
	} else if (x && x->pasid_hit && pasid_changed(v, x)) {
		r->cache = VTD_CACHE_PASID;
		r->missing_invalidation = inv_pasid;
	} else if (x && !x->iotlb_hit && x->fl_psc_hit) {
		r->cache = VTD_CACHE_FL_PSC;
		r->missing_invalidation = inv_piotlb;
	} else if (x && !x->iotlb_hit && x->sl_psc_hit) {
		r->cache = VTD_CACHE_SL_PSC;
		r->missing_invalidation = inv_iotlb;
	} else {
		r->cache = VTD_CACHE_IOTLB;
		r->missing_invalidation =
			x && first_level(x) ? inv_piotlb : inv_iotlb;
	}
}

/* A report of what the cache gave (cached) against memory (mem). */
static void report_init(struct vtd_stale_report *r,
			const struct vtd_request *req,
			const struct vtd_result *cached,
			const struct vtd_result *mem)
{
	memset(r, 0, sizeof(*r));
	r->sid = req->sid;
	r->has_pasid = req->has_pasid;
	r->pasid = req->pasid;
	r->addr = req->addr;
	r->cached_ok = cached->ok;
	r->memory_ok = mem->ok;
	r->cached_addr = cached->addr;
	r->memory_addr = mem->addr;
	r->cached_perm = cached->perm;
	r->memory_perm = mem->perm;
	r->memory_fault = mem->ok ? 0 : mem->fault;
}

static void report(struct vtd *v, const struct vtd_stale_report *r)
{
	v->stats.stale_reports++;
	if (v->ops.stale)
		v->ops.stale(v->opaque, r);
}

void vtd_checker_check_xlate(struct vtd *v, const struct vtd_request *req,
			     const struct vtd_result *cached,
			     const struct vtd_xlate *x)
{
	struct vtd_stale_report r;
	struct vtd_result mem;

	if (v->shadow)
		return;
	vtd_translate_uncached_kind(v, req, x ? x->kind : VTD_REQ_UNTRANSLATED,
				    &mem);
	if (same_result(cached, &mem))
		return;
	report_init(&r, req, cached, &mem);
	r.did = x ? x->did : cached->did;
	blame(v, x, &r);
	if (!cached->ok && r.cache == VTD_CACHE_IOTLB)
		r.missing_invalidation = inv_iotlb_np;
	report(v, &r);
}

void vtd_checker_check_devtlb(struct vtd *v, const struct vtd_request *req,
			      uint64_t cached_addr, uint8_t cached_perm)
{
	struct vtd_result cached = {
		.ok = true,
		.addr = cached_addr,
		.perm = cached_perm,
	};
	struct vtd_stale_report r;
	struct vtd_result mem;

	if (v->shadow || !v->cfg.check_stale)
		return;
	vtd_translate_uncached_kind(v, req, VTD_REQ_TRANSLATION, &mem);
	if (mem.ok && mem.addr == cached_addr &&
	    !(cached_perm & ~mem.perm & (VTD_PERM_R | VTD_PERM_W | VTD_PERM_X)))
		return;
	report_init(&r, req, &cached, &mem);
	r.did = mem.did;
	r.cache = VTD_CACHE_DEVTLB;
	r.missing_invalidation = req->has_pasid ? inv_pdevtlb : inv_devtlb;
	report(v, &r);
}

void vtd_checker_check(struct vtd *v, const struct vtd_request *req,
		       const struct vtd_result *cached)
{
	vtd_checker_check_xlate(v, req, cached, NULL);
}

static void perm_str(uint8_t p, char s[5])
{
	s[0] = (p & VTD_PERM_R) ? 'r' : '-';
	s[1] = (p & VTD_PERM_W) ? 'w' : '-';
	s[2] = (p & VTD_PERM_X) ? 'x' : '-';
	s[3] = (p & VTD_PERM_U) ? 'u' : '-';
	s[4] = '\0';
}

int vtd_stale_report_format(const struct vtd_stale_report *r, char *buf,
			    size_t len)
{
	char pasid[16], cached[48], memory[48], cp[5], mp[5];

	if (r->has_pasid)
		snprintf(pasid, sizeof(pasid), "%" PRIu32, r->pasid);
	else
		snprintf(pasid, sizeof(pasid), "none");
	perm_str(r->cached_perm, cp);
	perm_str(r->memory_perm, mp);
	if (r->cached_ok)
		snprintf(cached, sizeof(cached), "0x%" PRIx64 " %s",
			 r->cached_addr, cp);
	else
		snprintf(cached, sizeof(cached), "blocked");
	if (r->memory_ok)
		snprintf(memory, sizeof(memory), "0x%" PRIx64 " %s",
			 r->memory_addr, mp);
	else
		snprintf(memory, sizeof(memory), "fault 0x%02x",
			 r->memory_fault);
	return snprintf(
		buf, len,
		"stale %s entry: sid %02x:%02x.%x pasid %s addr 0x%" PRIx64
		" did %u: cached %s, memory %s; missing %s",
		vtd_cache_name(r->cache), r->sid >> 8, (r->sid >> 3) & 0x1f,
		r->sid & 7, pasid, r->addr, r->did, cached, memory,
		r->missing_invalidation ? r->missing_invalidation
					: "invalidation");
}
