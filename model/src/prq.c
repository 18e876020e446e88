// SPDX-License-Identifier: MIT
/*
 * Page request queue engine (spec 7.5): page requests from endpoints are
 * checked against the context entry, written as 256-bit descriptors at PQT
 * into the ring at PQA, and signalled with PRS.PPR and the page request
 * event (PECTL/PEDATA/PEADDR). Page group responses from the invalidation
 * queue (type 9) are delivered to the endpoint at their RID.
 *
 * Decisions where the spec leaves room (docs/prq.md):
 * - Checks, in order: legacy mode (RTADDR.TTM=00b) 32h; root/context fetch
 *   faults as for translation; PRE=0 47h; a request with PASID in a context
 *   with PASIDE=0 45h. The fault is recorded (FPD in the context entry
 *   suppresses 45h/47h) and a request with LPIG gets an automatic response
 *   Invalid Request. Translation disabled (GSTS.TES=0): automatic Invalid
 *   Request, nothing recorded.
 * - The queue is full when PQT + 32 == PQH (mod size). A full queue, a
 *   descriptor write that fails, or PRS.PRO already set (queueing stays
 *   stopped until software clears PRO) is an overflow: PRO is set and a
 *   request with LPIG gets an automatic response Success, so the device
 *   retries and asks again.
 * - PPR going from 0 to 1 (or PRO from 0 to 1) raises the page request
 *   event; while either is set no new event is raised. Linux clears PPR
 *   before reading PQH/PQT so that a later request interrupts again.
 * - Stop markers (LPIG with R=W=0) never get an automatic response.
 * - Automatic responses reach the endpoint through the scheduler at the
 *   current time, never from inside vtd_page_request, because an endpoint
 *   calls vtd_page_request from inside its own access.
 */
#include <string.h>

#include <vtdsim/endpoint.h>

#include "translate.h"

static bool prs_enabled(const struct vtd *v)
{
	return (v->regs.ecap & VTD_ECAP_PRS) != 0;
}

/* arg: sid 15:0, prgi 24:16, code 28:25, has_pasid 29, pasid 51:32 */
static uint64_t pack(const struct vtd_page_request *pr, unsigned int code)
{
	return pr->sid | (uint64_t)(pr->prgi & 0x1ff) << 16 |
	       (uint64_t)(code & 0xf) << 25 | (uint64_t)pr->has_pasid << 29 |
	       (uint64_t)(pr->pasid & 0xfffff) << 32;
}

/* A page group response to a function without an endpoint model. */
static void response_message(struct vtd *v, uint16_t sid, bool has_pasid,
			     uint32_t pasid, uint16_t prgi, unsigned int code)
{
	struct vtd_ep_message m;

	if (!v->ops.ep_message)
		return;
	memset(&m, 0, sizeof(m));
	m.type = VTD_EP_MSG_PAGE_RESPONSE;
	m.sid = sid;
	m.has_pasid = has_pasid;
	m.pasid = pasid;
	m.prgi = prgi;
	m.code = (uint8_t)code;
	v->ops.ep_message(v->opaque, &m);
}

static void auto_response_event(struct vtd *v, void *obj, uint64_t arg)
{
	struct vtd_endpoint *ep = vtd_endpoint_find(v, (uint16_t)arg);
	bool has_pasid = (arg >> 29) & 1;
	uint32_t pasid = (uint32_t)(arg >> 32) & 0xfffff;
	uint16_t prgi = (uint16_t)((arg >> 16) & 0x1ff);
	unsigned int code = (unsigned int)(arg >> 25) & 0xf;

	(void)obj;
	if (ep)
		vtd_endpoint_page_response(ep, has_pasid, pasid, prgi, code);
	else
		response_message(v, (uint16_t)arg, has_pasid, pasid, prgi,
				 code);
}

static void auto_respond(struct vtd *v, const struct vtd_page_request *pr,
			 unsigned int code)
{
	if (!pr->lpig || (!pr->read && !pr->write))
		return; /* no response: not the last of a group, stop marker */
	v->stats.page_requests_auto_responded++;
	vtd_sched_at(v, vtd_now(v), auto_response_event, NULL, pack(pr, code));
}

static void record(struct vtd *v, const struct vtd_page_request *pr,
		   unsigned int reason, bool fpd)
{
	struct vtd_fault_info f = {
		.sid = pr->sid,
		.has_pasid = pr->has_pasid,
		.pasid = pr->pasid,
		.addr = pr->addr,
		.reason = (uint8_t)reason,
		.access = pr->write ? VTD_ACCESS_WRITE : VTD_ACCESS_READ,
		.priv = pr->has_pasid && pr->priv,
		.exec = pr->has_pasid && pr->exec,
		.at = 0,
	};

	v->stats.faults[reason]++;
	if (fpd) {
		v->stats.faults_suppressed++;
		return;
	}
	vtd_fault_record(v, &f);
}

/* Context checks: 0, or the fault reason (with *fpd for 45h/47h). */
static int check(struct vtd *v, const struct vtd_page_request *pr, bool *fpd)
{
	struct vtd_request req = {
		.sid = pr->sid,
		.has_pasid = pr->has_pasid,
		.pasid = pr->pasid,
		.addr = pr->addr,
	};
	struct vtd_xlate x = {
		.v = v,
		.req = &req,
		.scalable = true,
		.cached = !v->shadow,
	};
	int fr;

	*fpd = false;
	if (!vtd_scalable(v))
		return VTD_FR_SM_TTM_PGREQ;
	fr = vtd_context_fetch(&x);
	if (fr)
		return fr;
	*fpd = (x.ce[0] & VTD_SM_CTX_LO_FPD) != 0;
	if (!(x.ce[0] & VTD_SM_CTX_LO_PRE))
		return VTD_FR_SM_CTX_PRE;
	if (pr->has_pasid && !(x.ce[0] & VTD_SM_CTX_LO_PASIDE))
		return VTD_FR_SM_CTX_PASIDE;
	return 0;
}

static uint64_t ring_size(const struct vtd *v)
{
	return VTD_PAGE_SIZE << VTD_PQA_PQS(v->regs.pqa);
}

/* The descriptor (7.5.1); Private Data only in the 3.x layout, else the
 * device's private data is not carried (PDP and qw2/qw3 reserved, 0). */
static void encode(const struct vtd *v, const struct vtd_page_request *pr,
		   uint64_t d[4])
{
	bool priv = pr->has_private && vtd_prq_private_data(v);

	d[0] = VTD_PRQ_TYPE_PAGE_REQ | (uint64_t)pr->sid << VTD_PRQ0_RID_SHIFT;
	if (pr->has_pasid)
		d[0] |= VTD_PRQ0_PASID_P |
			(uint64_t)(pr->pasid & 0xfffff)
				<< VTD_PRQ0_PASID_SHIFT |
			(pr->exec ? VTD_PRQ0_EXE : 0) |
			(pr->priv ? VTD_PRQ0_PM : 0);
	if (priv)
		d[0] |= VTD_PRQ0_PDP;
	d[1] = (pr->read ? VTD_PRQ1_RD : 0) | (pr->write ? VTD_PRQ1_WR : 0) |
	       (pr->lpig ? VTD_PRQ1_LPIG : 0) |
	       (uint64_t)(pr->prgi & 0x1ff) << VTD_PRQ1_PRGI_SHIFT |
	       (pr->addr & VTD_PRQ1_ADDR_MASK);
	d[2] = priv ? pr->private_data[0] : 0;
	d[3] = priv ? pr->private_data[1] : 0;
}

static void set_status(struct vtd *v, uint32_t bit)
{
	bool was_idle = !(v->regs.prs & (VTD_PRS_PPR | VTD_PRS_PRO));

	v->regs.prs |= bit;
	if (was_idle)
		vtd_event_raise(v, VTD_IRQ_PAGE_REQUEST);
}

/* Write the descriptor at PQT: true, or false on overflow. */
static bool enqueue(struct vtd *v, const struct vtd_page_request *pr)
{
	uint64_t size = ring_size(v), tail = v->regs.pqt % size;
	uint64_t head = v->regs.pqh % size;
	uint64_t base = v->regs.pqa & VTD_PQA_PQA_MASK, d[4];

	if (v->regs.prs & VTD_PRS_PRO)
		return false;
	if ((tail + VTD_PRQ_DESC_SIZE) % size == head)
		return false;
	encode(v, pr, d);
	if (vtd_mem_write(v, base + tail, d, sizeof(d), VTD_ST_PRQ_DESC))
		return false;
	v->regs.pqt = (tail + VTD_PRQ_DESC_SIZE) % size;
	v->stats.page_requests_queued++;
	set_status(v, VTD_PRS_PPR);
	return true;
}

static void page_request(struct vtd *v, const struct vtd_page_request *pr,
			 bool *queued)
{
	bool fpd;
	int fr;

	v->stats.page_requests++;
	if (!prs_enabled(v))
		return;
	if (!(v->regs.gsts & VTD_GSTS_TES)) {
		auto_respond(v, pr, PCIE_PRG_RESP_INVALID);
		return;
	}
	fr = check(v, pr, &fpd);
	if (fr) {
		record(v, pr, (unsigned int)fr,
		       fpd && (fr == VTD_FR_SM_CTX_PRE ||
			       fr == VTD_FR_SM_CTX_PASIDE));
		auto_respond(v, pr, PCIE_PRG_RESP_INVALID);
		return;
	}
	if (enqueue(v, pr)) {
		*queued = true;
		return;
	}
	set_status(v, VTD_PRS_PRO);
	auto_respond(v, pr, PCIE_PRG_RESP_SUCCESS);
}

/* Timed on a cursor of its own: the message, the descriptor write, the
 * interrupt (when it was queued). */
void vtd_page_request(struct vtd *v, const struct vtd_page_request *pr)
{
	struct vtd_tm_req *prev;
	bool queued = false;

	vtd_tm_prq_begin(v, &prev);
	page_request(v, pr, &queued);
	vtd_tm_prq_end(v, prev, queued);
}

void vtd_prq_page_group_response(struct vtd *v, const uint64_t desc[4])
{
	uint16_t rid = (uint16_t)VTD_QI_PGRP_RID(desc[0]);
	struct vtd_endpoint *ep;

	v->stats.page_responses++;
	ep = vtd_endpoint_find(v, rid);
	if (!ep) {
		response_message(v, rid, (desc[0] & VTD_QI_PGRP_PASID_P) != 0,
				 (uint32_t)VTD_FIELD(desc[0], 51, 32),
				 (uint16_t)VTD_QI_PGRP_PRGI(desc[1]),
				 (unsigned int)VTD_QI_PGRP_RESP_CODE(desc[0]));
		return;
	}
	vtd_endpoint_page_response(
		ep, (desc[0] & VTD_QI_PGRP_PASID_P) != 0,
		(uint32_t)VTD_FIELD(desc[0], 51, 32),
		(uint16_t)VTD_QI_PGRP_PRGI(desc[1]),
		(unsigned int)VTD_QI_PGRP_RESP_CODE(desc[0]));
}

void vtd_prq_reset(struct vtd *v)
{
	vtd_sched_cancel(v, auto_response_event, NULL);
}

void vtd_prq_destroy(struct vtd *v)
{
	(void)v;
}
