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
			    uint64_t len, struct vtd_dma_result *out)
{
	struct vtd_request r = *req;
	uint64_t page = req->addr & VTD_PAGE_MASK;
	uint64_t last = (req->addr + len - 1) & VTD_PAGE_MASK;

	out->ok = true;
	for (;;) {
		vtd_translate(v, &r, &out->last);
		if (r.addr == req->addr)
			out->first = out->last;
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

bool vtd_dma(struct vtd *v, const struct vtd_request *req, uint64_t len,
	     uint64_t ready_ps, uint64_t cookie, struct vtd_dma_result *res)
{
	bool write = req->access != VTD_ACCESS_READ;
	struct vtd_tm_req *r, *prev;
	uint32_t bytes;

	memset(res, 0, sizeof(*res));
	if (!len)
		len = 1;
	bytes = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	r = vtd_tm_begin(v, req->sid, ready_ps, cookie, &prev);
	if (!r) {
		translate_pages(v, req, len, res);
		return res->ok;
	}
	vtd_tm_request_tlps(v, bytes, write);
	vtd_tm_slot_acquire(v);
	translate_pages(v, req, len, res);
	vtd_tm_slot_release(v);
	vtd_tm_data_and_completion(v, bytes, write, res->ok);
	fill(vtd_tm_info(r), req, len, res);
	vtd_tm_end(v, prev);
	return res->ok;
}
