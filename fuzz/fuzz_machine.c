// SPDX-License-Identifier: MIT
/*
 * The fuzz harnesses' shared machine: see fuzz_machine.h and
 * docs/robustness.md.
 */
#include "fuzz_machine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vtdsim/vtd_qi.h>
#include <vtdsim/vtd_regs.h>

/* The harnesses link the model's sources: its internal invalidation
 * entry points stand in for a driver that invalidates everything. */
#include "vtd_internal.h"

#define FM_MEM_SIZE (1ULL << 40)

/* FUZZ_TRACE=1: each operation on stderr, to read a finding's input. */
static int tracing = -1;

void fm_trace(const char *fmt, ...)
{
	va_list ap;

	if (tracing < 0)
		tracing = getenv("FUZZ_TRACE") != NULL;
	if (!tracing)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

_Noreturn void fm_fail(const char *what)
{
	fprintf(stderr, "fuzz invariant: %s\n", what);
	abort();
}

/* ---- memory: the replayer's sparse memory, bounded -------------------- */

static int mem_read(void *o, uint64_t pa, void *buf, size_t len)
{
	struct fm *m = o;

	return sparse_mem_read(m->mem, pa, buf, len);
}

static int mem_write(void *o, uint64_t pa, const void *buf, size_t len)
{
	struct fm *m = o;

	if (sparse_mem_pages(m->mem) >= FM_MAX_PAGES)
		return -1;
	m->model_wrote = true;
	m->dirty = true;
	return sparse_mem_write(m->mem, pa, buf, len);
}

static int mem_cmpxchg(void *o, uint64_t pa, uint64_t expected,
		       uint64_t desired, uint64_t *found)
{
	struct fm *m = o;

	if (sparse_mem_pages(m->mem) >= FM_MAX_PAGES)
		return -1;
	if (expected != desired) {
		/* an A/D update may alias another structure's entry */
		m->model_wrote = true;
		m->dirty = true;
	}
	return sparse_mem_cmpxchg64(m->mem, pa, expected, desired, found);
}

static void on_stale(void *o, const struct vtd_stale_report *r)
{
	struct fm *m = o;
	char buf[256];

	m->stale++;
	/* Not a bug when the unit itself wrote memory since software last
	 * invalidated: random tables may alias one structure's entry with
	 * another's (a first-level table in the PASID directory's page), and
	 * an A/D update or a status write then changes a cached entry, as it
	 * would in hardware. */
	if (!m->expect_no_stale || m->model_wrote)
		return;
	vtd_stale_report_format(r, buf, sizeof(buf));
	fprintf(stderr, "%s\n", buf);
	fm_fail("the checker reported a stale entry although software "
		"invalidated everything after its last change");
}

/* ---- input ----------------------------------------------------------------
 */

bool fm_more(const struct fm *m)
{
	return m->p < m->end;
}

static uint64_t take(struct fm *m, unsigned int n)
{
	uint64_t x = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		x |= (uint64_t)(m->p < m->end ? *m->p++ : 0) << (8 * i);
	return x;
}

uint8_t fm_u8(struct fm *m)
{
	return (uint8_t)take(m, 1);
}

uint16_t fm_u16(struct fm *m)
{
	return (uint16_t)take(m, 2);
}

uint32_t fm_u32(struct fm *m)
{
	return (uint32_t)take(m, 4);
}

uint64_t fm_u64(struct fm *m)
{
	return take(m, 8);
}

/* ---- the machine ----------------------------------------------------------
 */

/* Up to four configuration keys from the header; false when the model
 * refuses the result. */
static bool configure(struct fm *m, struct vtd_config *cfg)
{
	size_t nkeys = vtd_config_key_count();
	unsigned int n = fm_u8(m) % 5, i;
	char val[32], err[160], cur[64];
	const char *key, *help;

	for (i = 0; i < n; i++) {
		size_t k = fm_u8(m) % nkeys;
		uint64_t x = fm_u64(m);

		vtd_config_key(cfg, k, &key, &help, cur, sizeof(cur));
		if (!strcmp(key, "check"))
			continue; /* the harness decides */
		if (!strcmp(key, "inv_mode")) {
			snprintf(val, sizeof(val), "%s",
				 x & 1 ? "generous" : "strict");
		} else if (strstr(key, ".repl")) {
			static const char *const r[] = {"lru", "fifo",
							"random"};

			snprintf(val, sizeof(val), "%s", r[x % 3]);
		} else {
			snprintf(val, sizeof(val), "%llu",
				 (unsigned long long)x);
		}
		if (vtd_config_set(cfg, key, val, err, sizeof(err)))
			continue;
	}
	return vtd_config_validate(cfg, err, sizeof(err)) == 0;
}

bool fm_init(struct fm *m, const uint8_t *data, size_t size, bool check)
{
	return fm_init_tweak(m, data, size, check, NULL);
}

bool fm_init_tweak(struct fm *m, const uint8_t *data, size_t size, bool check,
		   void (*tweak)(struct vtd_config *cfg))
{
	struct vtd_host_ops ops;
	struct vtd_config cfg;
	char err[160];

	memset(m, 0, sizeof(*m));
	m->p = data;
	m->end = data + size;
	vtd_config_init(&cfg);
	if (!configure(m, &cfg))
		return false;
	if (tweak)
		tweak(&cfg);
	/* bounded work per input: small caches stay possible, huge ones
	 * would only cost time */
	cfg.check_stale = check;
	m->mem = sparse_mem_create(FM_MEM_SIZE);
	if (!m->mem)
		fm_fail("out of memory for the harness");
	memset(&ops, 0, sizeof(ops));
	ops.read = mem_read;
	ops.write = mem_write;
	ops.cmpxchg64 = mem_cmpxchg;
	ops.stale = on_stale;
	m->v = vtd_create(&cfg, &ops, m, err, sizeof(err));
	if (!m->v) {
		sparse_mem_destroy(m->mem);
		m->mem = NULL;
		return false;
	}
	return true;
}

void fm_fini(struct fm *m)
{
	if (m->v)
		vtd_destroy(m->v);
	if (m->mem)
		sparse_mem_destroy(m->mem);
	m->v = NULL;
	m->mem = NULL;
}

/* ---- operations -----------------------------------------------------------
 */

void fm_poke(struct fm *m, uint64_t pa, uint64_t val)
{
	fm_trace("mem.w64 0x%llx 0x%llx", (unsigned long long)pa,
		 (unsigned long long)val);
	if (sparse_mem_pages(m->mem) < FM_MAX_PAGES)
		sparse_mem_write64(m->mem, pa, val);
	m->dirty = true;
}

void fm_op_mem_write(struct fm *m)
{
	/* any 8-byte word below 32 GiB: tables, queues, holes */
	uint64_t pa = (uint64_t)fm_u32(m) << 3;

	fm_poke(m, pa, fm_u64(m));
}

void fm_op_reg_write(struct fm *m)
{
	unsigned int size = fm_u8(m) & 1 ? 8 : 4;
	uint32_t off = fm_u16(m) & 0x1fff & ~(size - 1);
	uint64_t val = fm_u64(m);

	fm_trace("reg.w%u 0x%x 0x%llx", size * 8, off,
		 (unsigned long long)(size == 4 ? (uint32_t)val : val));
	vtd_reg_write(m->v, off, size, size == 4 ? (uint32_t)val : val);
	m->dirty = true;
}

void fm_op_reg_read(struct fm *m)
{
	unsigned int size = fm_u8(m) & 1 ? 8 : 4;
	uint32_t off = fm_u16(m) & 0x1fff & ~(size - 1);

	(void)vtd_reg_read(m->v, off, size);
}

void fm_read_request(struct fm *m, struct vtd_request *req)
{
	uint8_t f;

	memset(req, 0, sizeof(*req));
	req->sid = fm_u16(m);
	f = fm_u8(m);
	req->has_pasid = f & 1;
	req->access = (enum vtd_access)((f >> 1) % 3);
	req->priv = f & 8;
	req->exec = f & 16;
	req->pasid = fm_u32(m) & 0xfffff;
	req->addr = fm_u64(m);
}

void fm_op_request(struct fm *m)
{
	struct vtd_stats before = *vtd_get_stats(m->v);
	struct vtd_request req;
	struct vtd_result res;

	fm_read_request(m, &req);
	fm_software_sync(m, &req);
	vtd_translate(m->v, &req, &res);
	fm_trace("translate sid 0x%x pasid %d:%u acc %d 0x%llx -> %s 0x%llx "
		 "fault 0x%x",
		 req.sid, req.has_pasid, req.pasid, req.access,
		 (unsigned long long)req.addr, res.ok ? "ok" : "blocked",
		 (unsigned long long)res.addr, res.fault);
	fm_check_blocked(m, &res, &before);
}

void fm_op_advance(struct fm *m)
{
	vtd_advance(m->v, vtd_now(m->v) + 16ULL * fm_u16(m));
}

void fm_software_sync(struct fm *m, const struct vtd_request *req)
{
	uint64_t source = (uint64_t)req->sid << 32 |
			  (req->has_pasid ? 1ULL << 31 | req->pasid : 0) | 1;

	if (source != m->last_source)
		m->dirty = true;
	m->last_source = source;
	if (!m->dirty)
		return;
	fm_trace("software: invalidate everything");
	m->model_wrote = false;
	vtd_context_cache_invalidate(m->v, VTD_QI_CC_G_GLOBAL, 0, 0, 0);
	vtd_pasid_cache_invalidate(m->v, VTD_QI_PC_G_GLOBAL, 0, 0);
	vtd_iotlb_invalidate(m->v, VTD_QI_IOTLB_G_GLOBAL, 0, 0, 0, false);
	m->dirty = false;
}

void fm_run(struct fm *m, void (*op)(struct fm *m, uint8_t code))
{
	while (fm_more(m)) {
		op(m, fm_u8(m));
		fm_check(m);
	}
	fm_fini(m);
}

/* ---- invariants -----------------------------------------------------------
 */

static uint64_t iq_bytes(struct vtd *v)
{
	uint64_t iqa = vtd_reg_read(v, VTD_REG_IQA, 8);

	return 4096ULL << VTD_IQA_QS(iqa);
}

void fm_check(struct fm *m)
{
	uint64_t iqh = vtd_reg_read(m->v, VTD_REG_IQH, 8);
	uint64_t iqa = vtd_reg_read(m->v, VTD_REG_IQA, 8);
	uint64_t pqh = vtd_reg_read(m->v, VTD_REG_PQH, 8);
	uint64_t pqt = vtd_reg_read(m->v, VTD_REG_PQT, 8);
	uint64_t pqa = vtd_reg_read(m->v, VTD_REG_PQA, 8);
	uint64_t prq_bytes = 4096ULL << VTD_PQA_PQS(pqa);
	unsigned int desc = iqa & VTD_IQA_DW ? 32 : 16;

	if (vtd_reg_read(m->v, VTD_REG_GSTS, 4) & VTD_GSTS_QIES) {
		if (iqh >= iq_bytes(m->v))
			fm_fail("IQH beyond the invalidation queue");
		if (iqh % desc)
			fm_fail("IQH not at a descriptor");
	}
	if (pqt >= prq_bytes || pqt % 32)
		fm_fail("PQT beyond the page request queue or unaligned");
	(void)pqh; /* software's own */
}

void fm_check_blocked(struct fm *m, const struct vtd_result *res,
		      const struct vtd_stats *before)
{
	const struct vtd_stats *s = vtd_get_stats(m->v);
	uint64_t seen = (s->faults_recorded - before->faults_recorded) +
			(s->faults_suppressed - before->faults_suppressed) +
			(s->faults_overflowed - before->faults_overflowed);
	uint64_t ttm = VTD_RTADDR_TTM(m->v->regs.rtaddr_active);

	if (res->ok)
		return;
	if (res->fault) {
		if (seen != 1)
			fm_fail("a blocked request's fault was neither "
				"recorded, suppressed (FPD) nor overflowed");
		return;
	}
	if (ttm != VTD_RTADDR_TTM_ABORT)
		fm_fail("a request blocked without a fault reason outside "
			"abort-DMA mode");
}
