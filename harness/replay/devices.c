// SPDX-License-Identifier: MIT
/*
 * The device side of a replay (docs/trace-format.md, "Devices, ATS and page
 * requests"). Endpoints are model objects (vtdsim/endpoint.h) owned by the
 * model instance; this file keeps the completed results of accesses that
 * waited for a page group response until a `dev.done` record checks them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vtdsim/endpoint.h>
#include <vtdsim/pcie_caps.h>

#include "devices.h"

#define MSG_MAX 512

struct done_entry {
	uint16_t sid;
	struct vtd_dev_result res;
};

struct devices {
	struct vtd *v;
	struct devices_sink sink;
	void *o;
	struct done_entry *done;
	size_t ndone, cap;
	size_t pending;
};

static void pass(struct devices *d)
{
	d->sink.pass(d->o);
}

static void fail(struct devices *d, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->sink.fail(d->o, msg);
}

static int malformed(struct devices *d, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return d->sink.malformed(d->o, msg);
}

static void check_u64(struct devices *d, const char *what, uint64_t want,
		      uint64_t got)
{
	if (want == got)
		pass(d);
	else
		fail(d, "expected %s 0x%" PRIx64 ", got 0x%" PRIx64, what, want,
		     got);
}

static void check_word(struct devices *d, const char *what,
		       const char *const *names, int want, int got)
{
	if (want == got)
		pass(d);
	else
		fail(d, "expected %s %s, got %s", what, names[want],
		     names[got]);
}

/* ---- life cycle ------------------------------------------------------------
 */

struct devices *devices_create(struct vtd *v, const struct devices_sink *s,
			       void *o)
{
	struct devices *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->v = v;
	d->sink = *s;
	d->o = o;
	return d;
}

void devices_destroy(struct devices *d)
{
	if (!d)
		return;
	free(d->done);
	free(d);
}

size_t devices_pending(const struct devices *d)
{
	return d ? d->pending : 0;
}

bool devices_handles(enum trace_op op)
{
	switch (op) {
	case TR_DEVICE:
	case TR_DEV_DMA:
	case TR_DEV_DONE:
	case TR_ATS:
	case TR_DEVTLB:
	case TR_PRQ_REQ:
	case TR_PRQ_EXPECT:
	case TR_PRQ_NEXT:
		return true;
	default:
		return false;
	}
}

static void on_done(void *o, struct vtd_endpoint *ep,
		    const struct vtd_dev_result *res)
{
	struct devices *d = o;
	struct done_entry *e;

	if (d->pending)
		d->pending--;
	if (d->ndone == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		void *p = realloc(d->done, cap * sizeof(*d->done));

		if (!p)
			return; /* dev.done will report it missing */
		d->done = p;
		d->cap = cap;
	}
	e = &d->done[d->ndone++];
	e->sid = vtd_endpoint_sid(ep);
	e->res = *res;
}

/* ---- device ----------------------------------------------------------------
 */

static uint16_t find_cap(struct vtd_endpoint *ep, uint16_t id)
{
	uint16_t off = PCIE_EXT_CAP_START;
	int n;

	for (n = 0; off && n < 16; n++) {
		uint32_t h = vtd_endpoint_cfg_read(ep, off, 4);

		if (!h)
			return 0;
		if (PCIE_EXT_CAP_ID(h) == id)
			return off;
		off = (uint16_t)PCIE_EXT_CAP_NEXT(h);
	}
	return 0;
}

void devices_enable(struct vtd_endpoint *ep,
		    const struct vtd_endpoint_config *c)
{
	uint16_t off = find_cap(ep, PCIE_EXT_CAP_ID_PASID);
	uint16_t ctl = PCIE_PASID_CTRL_ENABLE;

	vtd_endpoint_cfg_write(ep, PCIE_COMMAND, 2,
			       PCIE_COMMAND_MEMORY | PCIE_COMMAND_MASTER);
	if (off) {
		ctl |= c->exec_cap ? PCIE_PASID_CTRL_EXEC : 0;
		ctl |= c->priv_cap ? PCIE_PASID_CTRL_PRIV : 0;
		vtd_endpoint_cfg_write(ep, off + PCIE_PASID_CTRL, 2, ctl);
	}
	off = find_cap(ep, PCIE_EXT_CAP_ID_ATS);
	if (off)
		vtd_endpoint_cfg_write(ep, off + PCIE_ATS_CTRL, 2,
				       PCIE_ATS_CTRL_ENABLE);
	off = find_cap(ep, PCIE_EXT_CAP_ID_PRI);
	if (off) {
		vtd_endpoint_cfg_write(ep, off + PCIE_PRI_ALLOC_REQ, 4,
				       c->prq_capacity);
		vtd_endpoint_cfg_write(ep, off + PCIE_PRI_CTRL, 2,
				       PCIE_PRI_CTRL_ENABLE);
	}
}

/* A page group response the endpoint could not accept fails the trace. */
static void on_bad_response(void *o, struct vtd_endpoint *ep, const char *why)
{
	uint16_t sid = vtd_endpoint_sid(ep);

	fail(o, "device %02x:%02x.%x: %s", sid >> 8, (sid >> 3) & 0x1f, sid & 7,
	     why);
}

static int device(struct devices *d, const struct trace_record *rec)
{
	static const struct vtd_endpoint_ops ops = {
		.done = on_done, .bad_response = on_bad_response};
	const struct trace_device *t = &rec->dev;
	struct vtd_endpoint_config c;
	struct vtd_endpoint *ep;
	char err[256];

	vtd_endpoint_config_init(&c, rec->sid);
	c.pasid_cap = t->pasid;
	c.pasid_width = t->pasid_width;
	c.exec_cap = rec->flags & TRF_EXEC;
	c.priv_cap = rec->flags & TRF_PRIV;
	c.ats_cap = t->ats;
	c.inv_queue_depth = t->qdepth;
	c.pri_cap = t->pri;
	c.prq_capacity = t->pri_capacity;
	c.devtlb.sets = t->devtlb_sets;
	c.devtlb.ways = t->devtlb_ways;
	if (t->has_latency)
		c.inv_latency_ns = t->inv_latency;
	c.inv_silent = rec->flags & TRF_SILENT;
	c.outstanding = t->outstanding;
	ep = vtd_endpoint_create(d->v, &c, &ops, d, err, sizeof(err));
	if (!ep)
		return malformed(d, "device: %s", err);
	if (t->enable)
		devices_enable(ep, &c);
	return 0;
}

/* ---- accesses
 * ---------------------------------------------------------------- */

static const char *const status_names[] = {"ok",	 "pending",
					   "fault",	 "ats-fail",
					   "prq-fail",	 "translated-blocked",
					   "not-enabled"};

static struct vtd_endpoint *endpoint(struct devices *d,
				     const struct trace_record *rec)
{
	struct vtd_endpoint *ep = vtd_endpoint_find(d->v, rec->sid);

	if (!ep)
		malformed(d, "no device %02x:%02x.%x (declare it with device)",
			  rec->sid >> 8, (rec->sid >> 3) & 0x1f, rec->sid & 7);
	return ep;
}

static void check_result(struct devices *d, const struct trace_record *rec,
			 const struct vtd_dev_result *res)
{
	static const char *const hm[] = {"miss", "hit"};

	if (rec->want != TRACE_WANT_NONE)
		check_word(d, "status", status_names, rec->want,
			   (int)res->status);
	if (rec->has_pa) {
		if (res->status == VTD_DEV_OK)
			check_u64(d, "PA", rec->pa, res->addr);
		else
			fail(d, "expected PA 0x%" PRIx64 ", got status %s",
			     rec->pa, status_names[res->status]);
	}
	if (rec->has_fcode)
		check_u64(d, "fault", rec->fcode, res->fault);
	if (rec->want_devtlb != TRACE_WANT_NONE)
		check_word(d, "device-TLB", hm, rec->want_devtlb,
			   res->devtlb_hit);
	if (rec->has_prq)
		check_u64(d, "page requests", rec->prq, res->page_requests);
}

static int dev_dma(struct devices *d, const struct trace_record *rec)
{
	struct vtd_endpoint *ep = endpoint(d, rec);
	struct vtd_dev_request req;
	struct vtd_dev_result res;

	if (!ep)
		return -1;
	memset(&req, 0, sizeof(req));
	req.has_pasid = rec->has_pasid;
	req.pasid = rec->pasid;
	req.priv = rec->flags & TRF_PRIV;
	req.exec = rec->flags & TRF_EXEC;
	req.access = rec->write ? VTD_ACCESS_WRITE : VTD_ACCESS_READ;
	req.addr = rec->addr;
	req.tag = rec->tag;
	req.len = rec->dev_len;
	req.ready_ps = rec->time * 1000;
	req.cookie = d->sink.cookie(d->o, rec);
	if (!vtd_endpoint_access(ep, &req, &res))
		d->pending++;
	check_result(d, rec, &res);
	return 0;
}

static int dev_done(struct devices *d, const struct trace_record *rec)
{
	size_t i;

	if (!endpoint(d, rec))
		return -1;
	for (i = 0; i < d->ndone; i++) {
		if (d->done[i].sid == rec->sid &&
		    d->done[i].res.tag == rec->tag)
			break;
	}
	if (i == d->ndone) {
		fail(d, "access tag=%" PRIu64 " has not completed", rec->tag);
		return 0;
	}
	check_result(d, rec, &d->done[i].res);
	d->done[i] = d->done[--d->ndone];
	return 0;
}

/* ---- ATS and the device-TLB
 * --------------------------------------------------- */

static void check_completion(struct devices *d, const struct trace_record *rec,
			     const struct vtd_ats_completion *c)
{
	static const char *const st[] = {"ok", "ur", "ca"};
	static const char *const perms[] = {"none", "r", "w", "rw"};
	static const char *const u[] = {"0", "1"};

	if (rec->want != TRACE_WANT_NONE)
		check_word(d, "completion", st, rec->want, (int)c->status);
	if (rec->has_pa)
		check_u64(d, "translated address", rec->pa, c->addr);
	if (rec->has_xsize)
		check_u64(d, "size", rec->xsize, c->size);
	if (rec->want_perm != TRACE_WANT_NONE)
		check_word(d, "permission", perms, rec->want_perm,
			   (c->r ? 1 : 0) | (c->w ? 2 : 0));
	if (rec->want_u != TRACE_WANT_NONE)
		check_word(d, "U", u, rec->want_u, c->u);
	if (rec->has_fcode)
		check_u64(d, "fault", rec->fcode, c->fault);
}

static int ats(struct devices *d, const struct trace_record *rec)
{
	struct vtd_ats_completion c;
	struct vtd_request req;

	memset(&req, 0, sizeof(req));
	req.sid = rec->sid;
	req.has_pasid = rec->has_pasid;
	req.pasid = rec->pasid;
	req.priv = rec->flags & TRF_PRIV;
	req.exec = rec->flags & TRF_EXEC;
	req.access = rec->write ? VTD_ACCESS_WRITE : VTD_ACCESS_READ;
	req.addr = rec->addr;
	vtd_ats_translate(d->v, &req, &c);
	check_completion(d, rec, &c);
	return 0;
}

static int devtlb(struct devices *d, const struct trace_record *rec)
{
	static const char *const hm[] = {"miss", "hit"};
	struct vtd_endpoint *ep = endpoint(d, rec);
	uint64_t pa = 0;
	bool hit;

	if (!ep)
		return -1;
	hit = vtd_endpoint_devtlb_probe(ep, rec->has_pasid, rec->pasid,
					rec->addr, &pa);
	check_word(d, "device-TLB", hm, rec->want, hit);
	if (rec->has_pa && hit)
		check_u64(d, "device-TLB PA", rec->pa, pa);
	return 0;
}

/* ---- page requests ----------------------------------------------------------
 */

static int prq_req(struct devices *d, const struct trace_record *rec)
{
	struct vtd_page_request pr;
	struct vtd_endpoint *ep;

	memset(&pr, 0, sizeof(pr));
	pr.sid = rec->sid;
	pr.has_pasid = rec->has_pasid;
	pr.pasid = rec->pasid;
	pr.priv = rec->flags & TRF_PRIV;
	pr.exec = rec->flags & TRF_EXEC;
	pr.read = rec->read;
	pr.write = rec->write;
	pr.addr = rec->addr;
	pr.prgi = rec->prgi;
	pr.lpig = rec->flags & TRF_LPIG;
	pr.has_private = rec->has_private;
	pr.private_data[0] = rec->private_data[0];
	pr.private_data[1] = rec->private_data[1];
	if ((ep = vtd_endpoint_find(d->v, rec->sid)))
		vtd_endpoint_send_page_request(ep, &pr);
	else
		vtd_page_request(d->v, &pr);
	return 0;
}

static uint64_t reg(struct devices *d, uint32_t off, unsigned int size)
{
	return d->sink.reg_read(d->o, off, size);
}

static uint64_t ring_size(struct devices *d)
{
	return VTD_PAGE_SIZE << VTD_PQA_PQS(reg(d, VTD_REG_PQA, 8));
}

static int prq_expect(struct devices *d, const struct trace_record *rec)
{
	static const char *const b[] = {"0", "1"};
	uint64_t head = reg(d, VTD_REG_PQH, 8);
	uint64_t tail = reg(d, VTD_REG_PQT, 8);
	uint32_t prs = (uint32_t)reg(d, VTD_REG_PRS, 4);
	uint64_t size = ring_size(d);

	if (rec->has_count)
		check_u64(d, "queued page requests", rec->count,
			  ((tail + size - head) % size) / VTD_PRQ_DESC_SIZE);
	if (rec->want_pro != TRACE_WANT_NONE)
		check_word(d, "PRS.PRO", b, rec->want_pro,
			   (prs & VTD_PRS_PRO) != 0);
	if (rec->want_ppr != TRACE_WANT_NONE)
		check_word(d, "PRS.PPR", b, rec->want_ppr,
			   (prs & VTD_PRS_PPR) != 0);
	return 0;
}

static void check_bit(struct devices *d, const char *what, bool want, bool got)
{
	static const char *const b[] = {"0", "1"};

	check_word(d, what, b, want, got);
}

static int prq_next(struct devices *d, const struct trace_record *rec)
{
	uint64_t base = reg(d, VTD_REG_PQA, 8) & VTD_PQA_PQA_MASK;
	uint64_t head = reg(d, VTD_REG_PQH, 8);
	uint64_t q[2] = {0, 0};

	if (head == reg(d, VTD_REG_PQT, 8)) {
		fail(d, "expected a page request at PQH, the queue is empty");
		return 0;
	}
	if (d->sink.read(d->o, base + head, q, sizeof(q)))
		return malformed(d, "page request queue not in memory");
	check_u64(d, "RID", rec->sid, VTD_PRQ0_RID(q[0]));
	check_u64(d, "page address", rec->addr, q[1] & VTD_PRQ1_ADDR_MASK);
	check_bit(d, "RD", rec->read, q[1] & VTD_PRQ1_RD);
	check_bit(d, "WR", rec->write, q[1] & VTD_PRQ1_WR);
	check_bit(d, "PASID present", rec->has_pasid, q[0] & VTD_PRQ0_PASID_P);
	if (rec->has_pasid)
		check_u64(d, "PASID", rec->pasid, VTD_PRQ0_PASID(q[0]));
	if (rec->has_prgi)
		check_u64(d, "PRG index", rec->prgi, VTD_PRQ1_PRGI(q[1]));
	if (rec->flags & TRF_LPIG)
		check_bit(d, "LPIG", true, q[1] & VTD_PRQ1_LPIG);
	if (rec->flags & TRF_PRIV)
		check_bit(d, "PM", true, q[0] & VTD_PRQ0_PM);
	if (rec->flags & TRF_EXEC)
		check_bit(d, "EXE", true, q[0] & VTD_PRQ0_EXE);
	return 0;
}

int devices_record(struct devices *d, const struct trace_record *rec)
{
	switch (rec->op) {
	case TR_DEVICE:
		return device(d, rec);
	case TR_DEV_DMA:
		return dev_dma(d, rec);
	case TR_DEV_DONE:
		return dev_done(d, rec);
	case TR_ATS:
		return ats(d, rec);
	case TR_DEVTLB:
		return devtlb(d, rec);
	case TR_PRQ_REQ:
		return prq_req(d, rec);
	case TR_PRQ_EXPECT:
		return prq_expect(d, rec);
	case TR_PRQ_NEXT:
		return prq_next(d, rec);
	default:
		return malformed(d, "not a device record");
	}
}
