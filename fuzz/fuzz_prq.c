// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: page requests and responses (docs/robustness.md). Two
 * ATS/PRI endpoints behind a unit the reference driver set up (scalable
 * mode, queued invalidation, a page request queue, a first-level and a
 * second-level domain) issue accesses (device-TLB, ATS, page requests and
 * retries) and raw ATS, translated and page requests with random fields;
 * software answers with page group responses, random or to the request at
 * PQH, drains the queue and pokes the endpoints' configuration space.
 * The tables never change, so the checker (unit and device-TLBs) must
 * stay silent; plus the shared invariants.
 */
#include "fuzz_machine.h"

#include <stdio.h>
#include <string.h>

#include <vtdsim/endpoint.h>
#include <vtdsim/vtd_prq.h>
#include <vtdsim/vtd_qi.h>
#include <vtdsim/vtd_regs.h>

#include "devices.h"
#include "refdrv.h"
#include "trace_reader.h"

static const char setup_text[] = "iommu.init mode=scalable qi=on dw=256\n"
				 "prq.init qs=0\n"
				 "domain proc type=fl levels=4\n"
				 "map proc 0x100000 0x80100000 0x10000 user\n"
				 "domain io type=sl levels=4\n"
				 "map io 0x200000 0x90200000 0x10000\n"
				 "attach 00:04.0 proc pasid=7 pre dte\n"
				 "attach 00:04.0 io pre dte\n"
				 "attach 00:05.0 proc pasid=7 pre dte\n";

static const uint64_t bases[] = {0x100000, 0x200000, 0x7f0000000000};

struct prq_fuzz {
	struct fm m;
	struct vtd_endpoint *ep[2];
};

static bool setup(struct prq_fuzz *f)
{
	FILE *in = fmemopen((void *)setup_text, sizeof(setup_text) - 1, "r");
	struct refdrv *drv =
		refdrv_create(f->m.v, f->m.mem, REFDRV_DEFAULT_ALLOC_BASE);
	struct trace_reader *rd = trace_reader_open(in, "setup");
	struct trace_record rec;
	struct vtd_endpoint_config c;
	char err[128];
	int rc = REFDRV_OK, i;

	while (rc == REFDRV_OK && trace_reader_next(rd, &rec) > 0)
		rc = refdrv_exec(drv, &rec);
	trace_reader_close(rd);
	fclose(in);
	refdrv_destroy(drv);
	if (rc != REFDRV_OK)
		return false; /* the header's configuration cannot do SVA */
	for (i = 0; i < 2; i++) {
		vtd_endpoint_config_init(&c, (uint16_t)(0x20 + 8 * i));
		c.devtlb.sets = 4;
		c.devtlb.ways = 2;
		c.inv_latency_ns = 500;
		f->ep[i] = vtd_endpoint_create(f->m.v, &c, NULL, NULL, err,
					       sizeof(err));
		if (!f->ep[i])
			return false;
		devices_enable(f->ep[i], &c);
	}
	f->m.dirty = true;
	return true;
}

static uint64_t address(struct fm *m)
{
	uint8_t sel = fm_u8(m);

	if (sel % 4 == 3)
		return fm_u64(m);
	return bases[sel % 3] + ((uint64_t)fm_u8(m) << 12) + (fm_u8(m) & 0xf8);
}

static void access(struct prq_fuzz *f)
{
	struct vtd_endpoint *ep = f->ep[fm_u8(&f->m) & 1];
	struct vtd_dev_request r = {0};
	struct vtd_dev_result res;
	uint8_t fl = fm_u8(&f->m);

	r.has_pasid = fl & 1;
	r.pasid = fl & 2 ? 7 : fm_u32(&f->m) & 0xfffff;
	r.priv = fl & 4;
	r.exec = fl & 8;
	r.access = (enum vtd_access)((fl >> 4) % 3);
	r.addr = address(&f->m);
	struct vtd_request src = {.sid = vtd_endpoint_sid(ep),
				  .has_pasid = r.has_pasid,
				  .pasid = r.pasid};
	fm_software_sync(&f->m, &src);
	vtd_endpoint_access(ep, &r, &res);
}

static void page_request(struct prq_fuzz *f)
{
	struct vtd_page_request pr = {0};
	uint8_t fl = fm_u8(&f->m);

	pr.sid = fl & 1 ? fm_u16(&f->m) : (uint16_t)(0x20 + 8 * (fl >> 1 & 1));
	pr.has_pasid = fl & 4;
	pr.pasid = fl & 8 ? 7 : fm_u32(&f->m) & 0xfffff;
	pr.priv = fl & 16;
	pr.exec = fl & 32;
	pr.read = fl & 64;
	pr.write = fl & 128;
	pr.addr = address(&f->m) & ~0xfffULL;
	pr.prgi = fm_u16(&f->m) & 0x1ff;
	pr.lpig = pr.prgi & 1;
	if (fm_u8(&f->m) & 1 && vtd_endpoint_find(f->m.v, pr.sid))
		vtd_endpoint_send_page_request(
			vtd_endpoint_find(f->m.v, pr.sid), &pr);
	else
		vtd_page_request(f->m.v, &pr);
}

static void ats(struct prq_fuzz *f)
{
	struct vtd_request req;
	struct vtd_ats_completion c;
	struct vtd_result res;
	uint8_t kind = fm_u8(&f->m);

	fm_read_request(&f->m, &req);
	if (kind & 2)
		req.addr = address(&f->m);
	fm_software_sync(&f->m, &req);
	if (kind & 1)
		vtd_ats_translate(f->m.v, &req, &c);
	else
		vtd_translated_request(f->m.v, &req, &res);
}

/* Descriptors at IQT, then IQT past them (256-bit queue of the setup). */
static void submit(struct prq_fuzz *f, const uint64_t *qw, unsigned int n)
{
	uint64_t iqa = vtd_reg_read(f->m.v, VTD_REG_IQA, 8);
	uint64_t size = 4096ULL << VTD_IQA_QS(iqa);
	uint64_t iqt =
		vtd_reg_read(f->m.v, VTD_REG_IQT, 8) & VTD_GENMASK(18, 4);
	unsigned int i;

	for (i = 0; i < n; i++)
		fm_poke(&f->m, (iqa & VTD_IQA_IQA_MASK) + iqt + 8 * (i % 4),
			qw[i]);
	f->m.dirty = false; /* a queue entry, not a table */
	vtd_reg_write(f->m.v, VTD_REG_IQT, 8, (iqt + 32) % size);
}

/* A page group response: random fields, or the answer to PQH's request. */
static void response(struct prq_fuzz *f)
{
	uint8_t how = fm_u8(&f->m);
	uint64_t qw[4] = {0}, pqa, pqh, d[2];

	if (how & 1) {
		qw[0] = (fm_u64(&f->m) & ~0xfULL) | VTD_QI_PGRP_RESP;
		qw[1] = fm_u64(&f->m);
	} else {
		pqa = vtd_reg_read(f->m.v, VTD_REG_PQA, 8) & VTD_PQA_PQA_MASK;
		pqh = vtd_reg_read(f->m.v, VTD_REG_PQH, 8);
		if (sparse_mem_read(f->m.mem, pqa + pqh, d, sizeof(d)))
			return;
		qw[0] = VTD_QI_PGRP_RESP |
			(d[0] & VTD_PRQ0_PASID_P ? VTD_QI_PGRP_PASID_P : 0) |
			(uint64_t)(how >> 4) << 12 | VTD_PRQ0_RID(d[0]) << 16 |
			VTD_PRQ0_PASID(d[0]) << 32;
		qw[1] = (d[1] & VTD_PRQ1_LPIG) | (VTD_PRQ1_PRGI(d[1]) << 3);
	}
	submit(f, qw, 4);
}

/* Software takes everything from the page request queue. */
static void drain(struct prq_fuzz *f)
{
	vtd_reg_write(f->m.v, VTD_REG_PRS, 4, VTD_PRS_PPR);
	vtd_reg_write(f->m.v, VTD_REG_PQH, 8,
		      vtd_reg_read(f->m.v, VTD_REG_PQT, 8));
	vtd_reg_write(f->m.v, VTD_REG_PRS, 4, VTD_PRS_PRO);
}

static void config_space(struct prq_fuzz *f)
{
	struct vtd_endpoint *ep = f->ep[fm_u8(&f->m) & 1];
	uint16_t off = fm_u16(&f->m) & 0xfff;
	uint32_t val = fm_u32(&f->m);

	vtd_endpoint_cfg_write(ep, off & ~3, 4, val);
}

static void op(struct fm *m, uint8_t code)
{
	struct prq_fuzz *f = (struct prq_fuzz *)m; /* m is its first member */

	switch (code % 9) {
	case 0:
	case 1:
		access(f);
		break;
	case 2:
		page_request(f);
		break;
	case 3:
		ats(f);
		break;
	case 4:
	case 5:
		response(f);
		break;
	case 6:
		drain(f);
		break;
	case 7:
		config_space(f);
		break;
	default:
		fm_op_advance(m);
		break;
	}
	/* the last operation: everything scheduled runs (time-outs too) */
	if (!fm_more(m))
		vtd_advance(m->v, vtd_now(m->v) + 100000000ULL);
}

/* 8-bit PASIDs: a PASID directory of one page for the driver to clear
 * per input instead of 32 (the harness's speed) */
static void small_pasids(struct vtd_config *cfg)
{
	cfg->ecap = (cfg->ecap & ~VTD_GENMASK(39, 35)) |
		    (7ULL << VTD_ECAP_PSS_SHIFT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prq_fuzz f;

	if (!fm_init_tweak(&f.m, data, size, true, small_pasids))
		return 0;
	if (!setup(&f)) {
		fm_fini(&f.m);
		return 0;
	}
	f.m.expect_no_stale = true;
	fm_run(&f.m, op);
	return 0;
}
