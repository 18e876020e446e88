// SPDX-License-Identifier: MIT
/*
 * A device's DMA without ATS: the request crosses the link, takes a
 * translation slot, each 4 KiB page it touches is translated in order (the
 * first fault blocks it), then the data access and, for a read, the
 * completion back to the device. The functional part is vtd_translate's;
 * the timing model charges each piece on the request's cursor.
 */
#include <string.h>

#include "vtd_internal.h"

static void translate_pages(struct vtd *v, const struct vtd_request *req,
			    uint64_t len, struct vtd_dma_result *out,
			    uint64_t *pa, size_t max)
{
	struct vtd_request r = *req;
	uint64_t page = req->addr & VTD_PAGE_MASK;
	uint64_t last = (req->addr + len - 1) & VTD_PAGE_MASK;
	size_t n = 0;

	out->ok = true;
	for (;;) {
		vtd_translate(v, &r, &out->last);
		if (r.addr == req->addr)
			out->first = out->last;
		if (out->last.ok && n < max)
			pa[n++] = out->last.addr;
		if (!out->last.ok) {
			out->ok = false;
			out->fault_addr = r.addr;
			return;
		}
		if (page == last)
			return;
		page += VTD_PAGE_SIZE;
		r.addr = page;
	}
}

static void fill(struct vtd_timing *t, const struct vtd_request *req,
		 uint64_t len, const struct vtd_dma_result *res)
{
	t->has_pasid = req->has_pasid;
	t->pasid = req->has_pasid ? req->pasid : 0;
	t->write = req->access != VTD_ACCESS_READ;
	t->addr = req->addr;
	t->bytes = len;
	t->ok = res->ok;
	t->status = res->ok ? 0 : res->last.fault;
}

static bool single_page(const struct vtd_request *req, uint64_t len)
{
	return (req->addr & VTD_PAGE_MASK) ==
	       ((req->addr + len - 1) & VTD_PAGE_MASK);
}

/* A request the translation memo knows: the caches served it again. */
static bool dma_hit(struct vtd *v, const struct vtd_request *req, uint64_t len,
		    uint64_t ready_ps, uint64_t cookie,
		    struct vtd_dma_result *res)
{
	const struct vtd_memo_hit *m;
	struct vtd_tm_hit *h;

	/* what vtd_tm_begin would do before the translation (the engine may
	 * run ahead and the host read the unit's counters): first */
	vtd_tm_prepare(v, req->sid);
	m = vtd_memo_translate(v, req, res ? &res->last : NULL,
			       res ? &res->first : NULL);
	if (!m)
		return false;
	if (res) {
		res->ok = true;
		res->fault_addr = 0;
	}
	h = vtd_tm_hit_slot(v);
	if (!h)
		return true; /* timing off */
	h->ready_ps = ready_ps;
	h->cookie = cookie;
	h->addr = req->addr;
	h->len = len;
	h->page_size = m->page_size;
	h->pasid = req->pasid;
	h->tag_pasid = m->pasid;
	h->sid = req->sid;
	h->did = m->did;
	h->has_pasid = req->has_pasid;
	h->write = req->access != VTD_ACCESS_READ;
	h->lookups = m->lookups;
	vtd_tm_dma_hit(v);
	return true;
}

bool vtd_dma(struct vtd *v, const struct vtd_request *req, uint64_t len,
	     uint64_t ready_ps, uint64_t cookie, struct vtd_dma_result *out)
{
	return vtd_dma_pages(v, req, len, ready_ps, cookie, out, NULL, 0);
}

bool vtd_dma_pages(struct vtd *v, const struct vtd_request *req, uint64_t len,
		   uint64_t ready_ps, uint64_t cookie,
		   struct vtd_dma_result *out, uint64_t *pa, size_t max)
{
	bool write = req->access != VTD_ACCESS_READ;
	struct vtd_tm_req *r, *prev;
	struct vtd_dma_result local, *res = out ? out : &local;
	struct vtd_memo_mark mark;
	bool one = false;
	uint32_t bytes;

	if (!len)
		len = 1;
	if (len <= VTD_PAGE_SIZE && single_page(req, len)) {
		if (dma_hit(v, req, len, ready_ps, cookie, max ? res : out)) {
			if (max)
				pa[0] = res->first.addr;
			return true;
		}
		vtd_memo_mark(v, &mark);
		one = true;
	}
	memset(res, 0, sizeof(*res));
	bytes = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	r = vtd_tm_begin(v, req->sid, ready_ps, cookie, &prev);
	if (r) {
		vtd_tm_request_tlps(v, bytes, write);
		vtd_tm_slot_acquire(v);
	}
	translate_pages(v, req, len, res, pa, max);
	if (one)
		vtd_memo_fill(v, req, &res->last, &mark);
	if (!r)
		return res->ok;
	vtd_tm_slot_release(v);
	vtd_tm_data_and_completion(v, bytes, write, res->ok);
	fill(vtd_tm_info(r), req, len, res);
	vtd_tm_end(v, prev);
	return res->ok;
}
