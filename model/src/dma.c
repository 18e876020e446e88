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
			    uint32_t len, struct vtd_dma_result *out)
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

bool vtd_dma(struct vtd *v, const struct vtd_request *req, uint32_t len,
	     uint64_t ready_ps, struct vtd_dma_result *res,
	     struct vtd_timing *t)
{
	struct vtd_timing scratch;
	struct vtd_tm_cursor c, *prev;
	bool write = req->access != VTD_ACCESS_READ;

	memset(res, 0, sizeof(*res));
	if (!len)
		len = 1;
	if (!v->tm.on) {
		translate_pages(v, req, len, res);
		if (t)
			memset(t, 0, sizeof(*t));
		return res->ok;
	}
	prev = vtd_tm_begin(v, &c, t ? t : &scratch, req->sid, ready_ps);
	vtd_tm_request_tlps(v, len, write);
	vtd_tm_slot_acquire(v);
	translate_pages(v, req, len, res);
	vtd_tm_slot_release(v);
	vtd_tm_data_and_completion(v, len, write, res->ok);
	vtd_tm_end(v, prev);
	return res->ok;
}
