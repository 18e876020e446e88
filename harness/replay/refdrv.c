// SPDX-License-Identifier: MIT
/*
 * Reference driver of the trace replayer. It programs the model the way
 * the VT-d specification's software guidance (6.5, "Caching Mode" and the
 * invalidation tables) and the Linux driver do: tables in memory, registers
 * through vtd_reg_write(), invalidations through the invalidation queue
 * (or the CCMD/IOTLB registers in legacy mode without QI), each batch
 * followed by an invalidation wait whose status write it checks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refdrv.h"

#define POLL_LIMIT 1000
#define NO_PASID   UINT32_MAX
#define QI_MAX	   8 /* descriptors in one batch, wait included */
#define SPIN_LIMIT 1000000UL /* scheduled events a wait spins through */

struct rd_domain {
	char name[TRACE_NAME_MAX];
	bool fl;
	unsigned int levels;
	uint16_t did;
	uint64_t root;
	int parent; /* index of the SL parent (nested FL), or -1 */
};

struct rd_attach {
	uint16_t sid;
	uint32_t pasid; /* NO_PASID in legacy mode */
	int dom;	/* -1 for pass-through without a domain */
	uint16_t did;
	enum trace_pgtt pgtt;
};

/* A page group response due at time t. */
struct rd_action {
	uint64_t t, seq;
	uint64_t qw0, qw1;
};

struct refdrv {
	struct vtd *v;
	struct sparse_mem *m;
	struct refdrv_bus bus;
	uint64_t alloc_next;
	bool inited, scalable, qi;
	unsigned int dw;
	uint64_t cap, ecap;
	uint32_t gcmd; /* persistent GCMD bits (TE, QIE) */
	uint32_t iro;
	uint64_t root, iq_base, status_addr;
	uint32_t wait_seq;
	uint64_t ite_seen;
	/* page request queue (software side) */
	uint64_t prq_base, prq_size;
	int prq_auto; /* response code, -1: off */
	uint64_t prq_delay;
	struct rd_action *acts;
	size_t nacts, cap_acts;
	uint64_t act_seq;
	unsigned int pdts;
	struct rd_domain *doms;
	size_t ndoms;
	struct rd_attach *atts;
	size_t natts;
	uint16_t next_did;
	uint64_t desc_count[VTD_QI_TYPE_COUNT];
	char err[TRACE_ERR_MAX];
};

static int usage(struct refdrv *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	return REFDRV_USAGE;
}

static int failure(struct refdrv *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	return REFDRV_FAIL;
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* ---- memory and registers ------------------------------------------------ */

static int mem_rd(void *o, uint64_t pa, void *buf, size_t len)
{
	return sparse_mem_read(((struct refdrv *)o)->m, pa, buf, len);
}

static int mem_wr(void *o, uint64_t pa, const void *buf, size_t len)
{
	return sparse_mem_write(((struct refdrv *)o)->m, pa, buf, len);
}

static uint64_t unit_reg_rd(void *o, uint32_t off, unsigned int size)
{
	return vtd_reg_read(((struct refdrv *)o)->v, off, size);
}

static void unit_reg_wr(void *o, uint32_t off, unsigned int size,
			uint64_t val)
{
	vtd_reg_write(((struct refdrv *)o)->v, off, size, val);
}

void refdrv_set_bus(struct refdrv *d, const struct refdrv_bus *bus)
{
	if (bus) {
		d->bus = *bus;
		return;
	}
	d->bus.read = mem_rd;
	d->bus.write = mem_wr;
	d->bus.reg_read = unit_reg_rd;
	d->bus.reg_write = unit_reg_wr;
	d->bus.opaque = d;
}

static uint64_t rd64(struct refdrv *d, uint64_t pa)
{
	uint64_t v = 0;

	d->bus.read(d->bus.opaque, pa, &v, sizeof(v)); /* little-endian */
	return v;
}

static int wr64(struct refdrv *d, uint64_t pa, uint64_t val)
{
	if (d->bus.write(d->bus.opaque, pa, &val, sizeof(val)))
		return failure(d, "cannot write memory at 0x%llx", ull(pa));
	return 0;
}

static int zero(struct refdrv *d, uint64_t pa, size_t len)
{
	static const uint8_t z[4096]; /* a page a call: tables are pages */

	while (len) {
		size_t n = len < sizeof(z) ? len : sizeof(z);

		if (d->bus.write(d->bus.opaque, pa, z, n))
			return failure(d, "cannot write memory at 0x%llx",
				       ull(pa));
		pa += n;
		len -= n;
	}
	return 0;
}

static uint64_t reg_rd(struct refdrv *d, uint32_t off, unsigned int size)
{
	return d->bus.reg_read(d->bus.opaque, off, size);
}

static void reg_wr(struct refdrv *d, uint32_t off, unsigned int size,
		   uint64_t val)
{
	d->bus.reg_write(d->bus.opaque, off, size, val);
}

/* Allocate n zeroed, naturally aligned 4 KiB pages. */
static int alloc_pages(struct refdrv *d, unsigned int n, uint64_t *pa)
{
	uint64_t size = (uint64_t)n * VTD_PAGE_SIZE;
	uint64_t base = (d->alloc_next + size - 1) & ~(size - 1);

	if (n & (n - 1))
		base = d->alloc_next;
	if (base + size < base || !sparse_mem_backed(d->m, base, size))
		return failure(d,
			       "table memory exhausted at 0x%llx "
			       "(config alloc.base / mem.size)",
			       ull(base));
	if (zero(d, base, size))
		return REFDRV_FAIL;
	d->alloc_next = base + size;
	*pa = base;
	return 0;
}

/* GCMD: one-shot command bit (SRTP, WBF) or persistent bit (TE, QIE). */
static int gcmd(struct refdrv *d, uint32_t bit, bool persistent,
		uint32_t status, const char *what)
{
	int i;

	if (persistent)
		d->gcmd |= bit;
	reg_wr(d, VTD_REG_GCMD, 4, d->gcmd | bit);
	for (i = 0; i < POLL_LIMIT; i++) {
		uint32_t sts = (uint32_t)reg_rd(d, VTD_REG_GSTS, 4);

		if (status == VTD_GSTS_WBFS ? !(sts & status) : (sts & status))
			return 0;
	}
	return failure(d, "GCMD.%s: GSTS did not report it (GSTS 0x%llx)", what,
		       ull(reg_rd(d, VTD_REG_GSTS, 4)));
}

static int flush_write_buffer(struct refdrv *d)
{
	if (!(d->cap & VTD_CAP_RWBF))
		return 0;
	return gcmd(d, VTD_GCMD_WBF, false, VTD_GSTS_WBFS, "WBF");
}

/* ---- invalidation -------------------------------------------------------- */

struct qi_batch {
	uint64_t desc[QI_MAX][2];
	unsigned int n;
};

static void batch_add(struct qi_batch *b, uint64_t qw0, uint64_t qw1)
{
	if (b->n < QI_MAX - 1) {
		b->desc[b->n][0] = qw0;
		b->desc[b->n][1] = qw1;
		b->n++;
	}
}

static int qi_check_errors(struct refdrv *d)
{
	uint32_t fsts = (uint32_t)reg_rd(d, VTD_REG_FSTS, 4);
	uint32_t bad = fsts & (VTD_FSTS_IQE | VTD_FSTS_ITE | VTD_FSTS_ICE);
	uint64_t ercd;

	if (!bad)
		return 0;
	ercd = reg_rd(d, VTD_REG_IQERCD, 8);
	/* recover as a driver does: clear the error, drop what is queued */
	reg_wr(d, VTD_REG_FSTS, 4, bad);
	reg_wr(d, VTD_REG_IQT, 8, reg_rd(d, VTD_REG_IQH, 8));
	return failure(d, "invalidation queue error: FSTS 0x%x, IQERCD 0x%llx",
		       fsts, ull(ercd));
}

/* State of the last invalidation wait submitted. */
enum wait_state { WAIT_DONE, WAIT_PENDING, WAIT_ITE };

static enum wait_state wait_state(struct refdrv *d)
{
	uint32_t st = 0;

	d->bus.read(d->bus.opaque, d->status_addr, &st, 4);
	if (st == d->wait_seq)
		return WAIT_DONE;
	if (reg_rd(d, VTD_REG_FSTS, 4) & VTD_FSTS_ITE)
		return WAIT_ITE;
	return WAIT_PENDING;
}

/* ITE: the unit aborted the held waits; clear ITE and the queue runs on
 * from IQH, as Linux's qi_check_fault does before resubmitting. */
static void ite_recover(struct refdrv *d)
{
	d->ite_seen++;
	reg_wr(d, VTD_REG_FSTS, 4, VTD_FSTS_ITE);
}

/*
 * Spin on the last wait as a driver polls its status: the model's clock
 * runs on to each scheduled event (device-TLB completions, time-outs).
 * Returns the final state; never WAIT_PENDING unless nothing is scheduled.
 */
static enum wait_state spin_wait(struct refdrv *d)
{
	enum wait_state ws;
	unsigned long n;
	uint64_t t;

	for (n = 0; n < SPIN_LIMIT; n++) {
		ws = wait_state(d);
		if (ws != WAIT_PENDING)
			return ws;
		if (!vtd_next_event(d->v, &t))
			return WAIT_PENDING;
		vtd_advance(d->v, t);
	}
	return WAIT_PENDING;
}

static int wait_result(struct refdrv *d, enum wait_state ws)
{
	if (ws == WAIT_DONE)
		return 0;
	if (ws == WAIT_ITE) {
		ite_recover(d);
		return failure(d, "invalidation time-out error (ITE): a "
				  "device-TLB invalidation was not completed");
	}
	return failure(d, "invalidation wait status never written (0x%x at "
			  "0x%llx)",
		       d->wait_seq, ull(d->status_addr));
}

/* Before reusing the queue: let an earlier wait finish. */
static int qi_drain(struct refdrv *d)
{
	uint64_t head = reg_rd(d, VTD_REG_IQH, 8) & VTD_IQ_PTR_MASK;
	uint64_t tail = reg_rd(d, VTD_REG_IQT, 8) & VTD_IQ_PTR_MASK;
	int rc;

	if (head == tail)
		return 0;
	rc = wait_result(d, spin_wait(d));
	head = reg_rd(d, VTD_REG_IQH, 8) & VTD_IQ_PTR_MASK;
	if (!rc && head != tail)
		return failure(d,
			       "invalidation queue not drained (IQH 0x%llx, "
			       "IQT 0x%llx)",
			       ull(head), ull(tail));
	return rc;
}

/* Submit a batch to the queue, with a wait descriptor when wait; spin
 * on the wait unless nospin. */
static int qi_post(struct refdrv *d, struct qi_batch *b, bool wait,
		   bool nospin)
{
	uint64_t stride = d->dw == 256 ? 32 : 16, qsize = VTD_PAGE_SIZE;
	uint64_t tail;
	unsigned int i;
	int rc = qi_drain(d);

	if (rc)
		return rc;
	tail = reg_rd(d, VTD_REG_IQT, 8) & VTD_IQ_PTR_MASK;
	if (wait) {
		b->desc[b->n][0] = VTD_QI_IWD | VTD_QI_IWD_SW |
				   (uint64_t)++d->wait_seq
					   << VTD_QI_IWD_SDATA_SHIFT;
		b->desc[b->n][1] = d->status_addr;
		b->n++;
	}
	for (i = 0; i < b->n; i++) {
		uint64_t at = d->iq_base + tail;

		d->desc_count[VTD_QI_TYPE(b->desc[i][0])]++;
		if (wr64(d, at, b->desc[i][0]) ||
		    wr64(d, at + 8, b->desc[i][1]) ||
		    (stride == 32 && zero(d, at + 16, 16)))
			return REFDRV_FAIL;
		tail = (tail + stride) % qsize;
	}
	reg_wr(d, VTD_REG_IQT, 8, tail);
	if (!(reg_rd(d, VTD_REG_FSTS, 4) & VTD_FSTS_ITE) && qi_check_errors(d))
		return REFDRV_FAIL;
	if (!wait || nospin)
		return 0;
	return wait_result(d, spin_wait(d));
}

static int qi_submit(struct refdrv *d, struct qi_batch *b, bool wait)
{
	return qi_post(d, b, wait, false);
}

/* Register-based invalidation (legacy mode with QI off). */
static int reg_poll(struct refdrv *d, uint32_t off, uint64_t bit,
		    const char *what)
{
	int i;

	for (i = 0; i < POLL_LIMIT; i++) {
		if (!(reg_rd(d, off, 8) & bit))
			return 0;
	}
	return failure(d, "%s did not complete", what);
}

static int reg_inv(struct refdrv *d, uint64_t qw0, uint64_t qw1)
{
	unsigned int g = (unsigned int)VTD_QI_G(qw0);
	uint64_t did = VTD_QI_DID(qw0), v;

	switch (VTD_QI_TYPE(qw0)) {
	case VTD_QI_CC:
		d->desc_count[VTD_QI_CC]++; /* counted as its equivalent */
		v = VTD_CCMD_ICC | (uint64_t)g << VTD_CCMD_CIRG_SHIFT |
		    VTD_QI_CC_FM(qw0) << 32 | VTD_QI_CC_SID(qw0) << 16 | did;
		reg_wr(d, VTD_REG_CCMD, 8, v);
		return reg_poll(d, VTD_REG_CCMD, VTD_CCMD_ICC, "CCMD.ICC");
	case VTD_QI_IOTLB:
		d->desc_count[VTD_QI_IOTLB]++;
		if (g == VTD_INV_PAGE)
			reg_wr(d, d->iro, 8, qw1);
		v = VTD_IOTLB_IVT | (uint64_t)g << VTD_IOTLB_IIRG_SHIFT |
		    did << 32;
		if (qw0 & VTD_QI_IOTLB_DR)
			v |= VTD_IOTLB_DR;
		if (qw0 & VTD_QI_IOTLB_DW)
			v |= VTD_IOTLB_DW;
		reg_wr(d, d->iro + 8, 8, v);
		return reg_poll(d, d->iro + 8, VTD_IOTLB_IVT, "IOTLB.IVT");
	case VTD_QI_IWD:
		return 0;
	default:
		return usage(d, "this invalidation needs queued invalidation "
				"(iommu.init qi=on)");
	}
}

static int flush(struct refdrv *d, struct qi_batch *b, bool wait)
{
	unsigned int i;
	int rc;

	if (d->qi)
		return qi_submit(d, b, wait);
	for (i = 0; i < b->n; i++) {
		rc = reg_inv(d, b->desc[i][0], b->desc[i][1]);
		if (rc)
			return rc;
	}
	return 0;
}

static uint64_t desc_cc(unsigned int g, uint16_t did, uint16_t sid,
			unsigned int fm)
{
	return VTD_QI_CC | (uint64_t)g << VTD_QI_G_SHIFT |
	       (uint64_t)did << VTD_QI_DID_SHIFT |
	       (uint64_t)sid << VTD_QI_CC_SID_SHIFT |
	       (uint64_t)fm << VTD_QI_CC_FM_SHIFT;
}

static uint64_t desc_iotlb(const struct refdrv *d, unsigned int g, uint16_t did)
{
	uint64_t qw0 = VTD_QI_IOTLB | (uint64_t)g << VTD_QI_G_SHIFT |
		       (uint64_t)did << VTD_QI_DID_SHIFT;

	/* drain as the Linux driver does when the hardware offers it */
	if (d->cap & VTD_CAP_DRD)
		qw0 |= VTD_QI_IOTLB_DR;
	if (d->cap & VTD_CAP_DWD)
		qw0 |= VTD_QI_IOTLB_DW;
	return qw0;
}

static uint64_t desc_piotlb(unsigned int g, uint16_t did, uint32_t pasid)
{
	return VTD_QI_PIOTLB | (uint64_t)g << VTD_QI_G_SHIFT |
	       (uint64_t)did << VTD_QI_DID_SHIFT |
	       (uint64_t)pasid << VTD_QI_PASID_SHIFT;
}

static uint64_t desc_pc(unsigned int g, uint16_t did, uint32_t pasid)
{
	return VTD_QI_PC | (uint64_t)g << VTD_QI_G_SHIFT |
	       (uint64_t)did << VTD_QI_DID_SHIFT |
	       (uint64_t)pasid << VTD_QI_PASID_SHIFT;
}

static uint64_t addr_qw1(uint64_t addr, unsigned int am, bool ih)
{
	return (addr & VTD_QI_ADDR_MASK) | (ih ? VTD_QI_IH : 0) | am;
}

/* ---- domains and page tables --------------------------------------------- */

static int find_domain(const struct refdrv *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->ndoms; i++) {
		if (!strcmp(d->doms[i].name, name))
			return (int)i;
	}
	return -1;
}

static bool did_used(const struct refdrv *d, uint16_t did)
{
	size_t i;

	for (i = 0; i < d->ndoms; i++) {
		if (d->doms[i].did == did)
			return true;
	}
	for (i = 0; i < d->natts; i++) {
		if (d->atts[i].did == did)
			return true;
	}
	return false;
}

static uint16_t new_did(struct refdrv *d)
{
	while (did_used(d, d->next_did) || !d->next_did)
		d->next_did++;
	return d->next_did++;
}

static uint64_t pte_present(const struct rd_domain *dom, uint64_t e)
{
	return dom->fl ? e & VTD_FL_P : e & (VTD_SL_R | VTD_SL_W | VTD_SL_X);
}

static bool pte_leaf(const struct rd_domain *dom, unsigned int level,
		     uint64_t e)
{
	(void)dom;
	return level == 1 || (e & VTD_SL_PS); /* PS is bit 7 in both */
}

static uint64_t pte_table(const struct rd_domain *dom, uint64_t table)
{
	if (dom->fl)
		return table | VTD_FL_P | VTD_FL_RW | VTD_FL_US;
	return table | VTD_SL_R | VTD_SL_W;
}

static uint64_t pte_perm_bits(const struct rd_domain *dom, unsigned int perm)
{
	if (dom->fl)
		return VTD_FL_P | ((perm & VTD_PERM_W) ? VTD_FL_RW : 0);
	return ((perm & VTD_PERM_R) ? VTD_SL_R : 0) |
	       ((perm & VTD_PERM_W) ? VTD_SL_W : 0);
}

static uint64_t pte_leaf_val(const struct rd_domain *dom, uint64_t pa,
			     unsigned int level, unsigned int perm,
			     uint32_t flags)
{
	uint64_t e = pa | pte_perm_bits(dom, perm);

	if (level > 1)
		e |= VTD_SL_PS;
	if (dom->fl) {
		e |= (flags & TRF_USER) ? VTD_FL_US : 0;
		e |= (flags & TRF_NX) ? VTD_FL_XD : 0;
		e |= (flags & TRF_GLOBAL) ? VTD_FL_G : 0;
	} else {
		e |= (flags & TRF_EXEC) ? VTD_SL_X : 0;
	}
	return e;
}

static int sl_map_identity(struct refdrv *d, int dom, uint64_t pa);

/* A page for a domain's tables. The tables of a nested FL domain live in
 * guest-physical space: each page is identity-mapped (GPA == HPA) in the
 * parent SL domain, so FL pointers can hold its address as a GPA. */
static int alloc_table(struct refdrv *d, int dom, uint64_t *pa)
{
	int rc = alloc_pages(d, 1, pa);

	if (rc || d->doms[dom].parent < 0)
		return rc;
	return sl_map_identity(d, d->doms[dom].parent, *pa);
}

static int check_iova(struct refdrv *d, const struct rd_domain *dom,
		      uint64_t iova)
{
	unsigned int w = VTD_LEVEL_SHIFT(dom->levels) + VTD_LEVEL_STRIDE;
	uint64_t top = w >= 64 ? 0 : iova >> (w - 1);

	if (!dom->fl && (w < 64 && iova >> w))
		return usage(d,
			     "IOVA 0x%llx beyond the %u-bit width of "
			     "domain %s",
			     ull(iova), w, dom->name);
	if (dom->fl && top && top != (~0ULL >> (w - 1)))
		return usage(d,
			     "IOVA 0x%llx not canonical for the %u-level "
			     "domain %s",
			     ull(iova), dom->levels, dom->name);
	return 0;
}

/* Address of the entry at level for iova, creating tables on the way. */
static int walk_alloc(struct refdrv *d, int di, uint64_t iova,
		      unsigned int level, uint64_t *slot)
{
	uint64_t table = d->doms[di].root, e, t;
	unsigned int l;
	int rc;

	for (l = d->doms[di].levels; l > level; l--) {
		uint64_t at = table + VTD_LEVEL_INDEX(iova, l) * 8;
		const struct rd_domain *dom = &d->doms[di];

		e = rd64(d, at);
		if (!pte_present(dom, e)) {
			rc = alloc_table(d, di, &t);
			if (rc)
				return rc;
			if (wr64(d, at, pte_table(&d->doms[di], t)))
				return REFDRV_FAIL;
			table = t;
		} else if (pte_leaf(dom, l, e)) {
			return usage(d,
				     "IOVA 0x%llx already mapped by a "
				     "larger page in domain %s",
				     ull(iova), dom->name);
		} else {
			table = e & VTD_SL_ADDR_MASK;
		}
	}
	*slot = table + VTD_LEVEL_INDEX(iova, level) * 8;
	return 0;
}

/* The leaf mapping iova: 0 with its slot and level, or 1 when unmapped. */
static int find_leaf(struct refdrv *d, const struct rd_domain *dom,
		     uint64_t iova, uint64_t *slot, unsigned int *level)
{
	uint64_t table = dom->root, e;
	unsigned int l;

	for (l = dom->levels; l >= 1; l--) {
		uint64_t at = table + VTD_LEVEL_INDEX(iova, l) * 8;

		e = rd64(d, at);
		if (!pte_present(dom, e))
			return 1;
		if (pte_leaf(dom, l, e)) {
			*slot = at;
			*level = l;
			return 0;
		}
		table = e & VTD_SL_ADDR_MASK;
	}
	return 1;
}

static int map_one(struct refdrv *d, int di, uint64_t iova, uint64_t pa,
		   unsigned int level, unsigned int perm, uint32_t flags)
{
	uint64_t slot = 0;
	int rc = walk_alloc(d, di, iova, level, &slot);

	if (rc)
		return rc;
	if (pte_present(&d->doms[di], rd64(d, slot)))
		return usage(d, "IOVA 0x%llx already mapped in domain %s",
			     ull(iova), d->doms[di].name);
	return wr64(d, slot,
		    pte_leaf_val(&d->doms[di], pa, level, perm, flags));
}

static int sl_map_identity(struct refdrv *d, int dom, uint64_t pa)
{
	uint64_t slot;
	unsigned int level;

	if (!find_leaf(d, &d->doms[dom], pa, &slot, &level)) {
		uint64_t e = rd64(d, slot);
		uint64_t size = 1ULL << VTD_LEVEL_SHIFT(level);

		if ((e & VTD_SL_ADDR_MASK & ~(size - 1)) == (pa & ~(size - 1)))
			return 0; /* already identity-mapped */
		return usage(d,
			     "GPA 0x%llx of a nested table page is mapped "
			     "elsewhere in parent %s (keep guest mappings "
			     "out of the table region)",
			     ull(pa), d->doms[dom].name);
	}
	return map_one(d, dom, pa, pa, 1, VTD_PERM_R | VTD_PERM_W, 0);
}

static unsigned int size_level(uint64_t page)
{
	return page == (1ULL << 30) ? 3 : page == (1ULL << 21) ? 2 : 1;
}

/* Address mask covering [iova, iova + size): the smallest am with the
 * naturally aligned 2^am pages around iova. */
static unsigned int range_am(uint64_t iova, uint64_t size)
{
	uint64_t last = iova + size - 1;
	unsigned int am = 0;

	while (am < 52 && (iova >> (12 + am)) != (last >> (12 + am)))
		am++;
	return am;
}

static bool is_attached_nested_child(const struct refdrv *d, size_t i,
				     int parent)
{
	const struct rd_attach *a = &d->atts[i];

	return a->pgtt == TR_PGTT_NESTED && a->dom >= 0 &&
	       d->doms[a->dom].parent == parent;
}

/* The invalidations a change of [iova, iova + size) in domain di needs
 * (spec 6.5.x guidance, as Linux cache_tag_flush_range() issues them):
 * second-level domains by IOTLB invalidation of their DID and of the DIDs
 * nesting on them; first-level domains by PASID-based IOTLB invalidation
 * of every PASID they are attached to. */
static int flush_range(struct refdrv *d, int di, uint64_t iova, uint64_t size)
{
	const struct rd_domain *dom = &d->doms[di];
	unsigned int am = range_am(iova, size);
	bool psi = (d->cap & VTD_CAP_PSI) && am <= VTD_CAP_MAMV(d->cap);
	uint64_t base = iova & ~((VTD_PAGE_SIZE << am) - 1);
	struct qi_batch b = {.n = 0};
	size_t i;
	int rc;

	if (!d->inited)
		return 0;
	for (i = 0; i <= d->natts && b.n < QI_MAX - 1; i++) {
		bool self = i == d->natts; /* the domain's own DID last */
		const struct rd_attach *a = self ? NULL : &d->atts[i];

		if (dom->fl && !self && a->dom == di) {
			batch_add(&b,
				  desc_piotlb(psi ? VTD_QI_PIOTLB_G_PAGE
						  : VTD_QI_PIOTLB_G_PASID,
					      a->did, a->pasid),
				  psi ? addr_qw1(base, am, false) : 0);
		} else if (!dom->fl &&
			   (self || is_attached_nested_child(d, i, di) ||
			    (a->dom == di && a->did != dom->did))) {
			uint16_t did = self ? dom->did : a->did;

			batch_add(&b,
				  desc_iotlb(d,
					     psi ? VTD_QI_IOTLB_G_PAGE
						 : VTD_QI_IOTLB_G_DOMAIN,
					     did),
				  psi ? addr_qw1(base, am, false) : 0);
		}
	}
	if (!b.n)
		return 0;
	rc = flush(d, &b, true);
	return rc;
}

static int do_domain(struct refdrv *d, const struct trace_record *rec)
{
	struct rd_domain *nd, dom;
	int parent = -1, rc;

	if (find_domain(d, rec->name) >= 0)
		return usage(d, "domain %s already exists", rec->name);
	if (rec->parent[0]) {
		parent = find_domain(d, rec->parent);
		if (parent < 0 || d->doms[parent].fl)
			return usage(d, "parent %s is not an sl domain",
				     rec->parent);
	}
	if (rec->has_did && did_used(d, rec->did))
		return usage(d, "did=%u already in use", rec->did);
	memset(&dom, 0, sizeof(dom));
	memcpy(dom.name, rec->name, sizeof(dom.name));
	dom.fl = rec->type == TR_DOM_FL;
	dom.levels = rec->levels;
	dom.did = rec->has_did ? rec->did : new_did(d);
	dom.parent = parent;
	nd = realloc(d->doms, (d->ndoms + 1) * sizeof(*nd));
	if (!nd)
		return failure(d, "out of memory");
	d->doms = nd;
	d->doms[d->ndoms++] = dom;
	rc = alloc_table(d, (int)d->ndoms - 1, &d->doms[d->ndoms - 1].root);
	if (rc)
		d->ndoms--;
	return rc;
}

static int get_domain(struct refdrv *d, const char *name, int *di)
{
	*di = find_domain(d, name);
	if (*di < 0)
		return usage(d, "unknown domain %s", name);
	return 0;
}

static int do_map(struct refdrv *d, const struct trace_record *rec)
{
	unsigned int level = size_level(rec->page);
	uint64_t off;
	int di, rc;

	if (get_domain(d, rec->name, &di) ||
	    check_iova(d, &d->doms[di], rec->addr) ||
	    check_iova(d, &d->doms[di], rec->addr + rec->len - 1))
		return REFDRV_USAGE;
	if (level > d->doms[di].levels - 1)
		return usage(d, "page too large for domain %s", rec->name);
	for (off = 0; off < rec->len; off += rec->page) {
		rc = map_one(d, di, rec->addr + off, rec->value + off, level,
			     rec->perm, rec->flags);
		if (rc)
			return rc;
	}
	/* caching mode: not-present entries may be cached (6.1) */
	if (d->cap & VTD_CAP_CM)
		return flush_range(d, di, rec->addr, rec->len);
	return flush_write_buffer(d);
}

static int do_unmap(struct refdrv *d, const struct trace_record *rec)
{
	uint64_t iova = rec->addr, end = rec->addr + rec->len - 1, slot;
	unsigned int level;
	int di;

	if (get_domain(d, rec->name, &di))
		return REFDRV_USAGE;
	while (iova <= end) {
		uint64_t size;

		if (find_leaf(d, &d->doms[di], iova, &slot, &level))
			return usage(d, "IOVA 0x%llx not mapped in domain %s",
				     ull(iova), rec->name);
		size = 1ULL << VTD_LEVEL_SHIFT(level);
		if ((iova & (size - 1)) || end - iova < size - 1)
			return usage(d,
				     "unmap would split the 0x%llx-byte "
				     "page at IOVA 0x%llx",
				     ull(size), ull(iova & ~(size - 1)));
		if (wr64(d, slot, 0))
			return REFDRV_FAIL;
		if (iova + size < iova)
			break;
		iova += size;
	}
	if (rec->inv == TR_INV_NONE)
		return 0;
	return flush_range(d, di, rec->addr, rec->len);
}

static int do_remap(struct refdrv *d, const struct trace_record *rec)
{
	const struct rd_domain *dom;
	uint64_t slot, e, size, keep;
	unsigned int level;
	int di;

	if (get_domain(d, rec->name, &di))
		return REFDRV_USAGE;
	dom = &d->doms[di];
	if (find_leaf(d, dom, rec->addr, &slot, &level))
		return usage(d, "IOVA 0x%llx not mapped in domain %s",
			     ull(rec->addr), rec->name);
	size = 1ULL << VTD_LEVEL_SHIFT(level);
	if (rec->value & (size - 1))
		return usage(d, "PA 0x%llx not aligned to the 0x%llx-byte page",
			     ull(rec->value), ull(size));
	e = rd64(d, slot);
	/* a fresh entry: keep the attributes, drop address and A/D */
	keep = e & ~VTD_SL_ADDR_MASK;
	keep &= dom->fl ? ~(VTD_FL_A | VTD_FL_D) : ~(VTD_SL_A | VTD_SL_D);
	if (rec->perm) {
		keep &= dom->fl ? ~VTD_FL_RW : ~(VTD_SL_R | VTD_SL_W);
		keep |= pte_perm_bits(dom, rec->perm);
	}
	if (wr64(d, slot, keep | rec->value))
		return REFDRV_FAIL;
	if (rec->inv == TR_INV_NONE)
		return 0;
	return flush_range(d, di, rec->addr & ~(size - 1), size);
}

/* ---- iommu.init ---------------------------------------------------------- */

static unsigned int max_agaw(const struct refdrv *d)
{
	uint64_t sagaw = VTD_CAP_SAGAW(d->cap);

	return sagaw & VTD_CAP_SAGAW_5LVL   ? 3
	       : sagaw & VTD_CAP_SAGAW_4LVL ? 2
					    : 1;
}

static int init_qi(struct refdrv *d)
{
	int rc = alloc_pages(d, 1, &d->iq_base);

	if (!rc)
		rc = alloc_pages(d, 1, &d->status_addr);
	if (rc)
		return rc;
	reg_wr(d, VTD_REG_IQT, 8, 0);
	reg_wr(d, VTD_REG_IQA, 8,
	       d->iq_base | (d->dw == 256 ? VTD_IQA_DW : 0)); /* QS 0: 4K */
	return gcmd(d, VTD_GCMD_QIE, true, VTD_GSTS_QIES, "QIE");
}

static int do_init(struct refdrv *d, const struct trace_record *rec)
{
	struct qi_batch b = {.n = 0};
	unsigned int pss;
	int rc;

	if (d->inited)
		return usage(d, "iommu.init twice");
	d->cap = reg_rd(d, VTD_REG_CAP, 8);
	d->ecap = reg_rd(d, VTD_REG_ECAP, 8);
	d->iro = (uint32_t)VTD_ECAP_IRO(d->ecap) * 16;
	d->scalable = rec->mode == TR_MODE_SCALABLE;
	d->qi = rec->qi;
	/* scalable mode takes 256-bit descriptors (IQA.DW=1), as Linux
	 * programs it whenever ECAP.SMTS is set */
	d->dw = rec->dw ? rec->dw : d->scalable ? 256 : 128;
	if (d->scalable && !(d->ecap & VTD_ECAP_SMTS))
		return usage(d, "scalable mode needs ECAP.SMTS");
	if (d->qi && !(d->ecap & VTD_ECAP_QI))
		return usage(d, "qi=on needs ECAP.QI");
	if (d->scalable && !d->qi)
		return usage(d, "scalable mode needs qi=on");
	pss = (unsigned int)VTD_ECAP_PSS(d->ecap) + 1;
	d->pdts = pss > 13 ? pss - 13 : 0; /* 2^(PDTS+7) directory entries */
	rc = alloc_pages(d, 1, &d->root);
	if (rc)
		return rc;
	reg_wr(d, VTD_REG_RTADDR, 8,
	       d->root | (uint64_t)(d->scalable ? VTD_RTADDR_TTM_SCALABLE
						: VTD_RTADDR_TTM_LEGACY)
				 << VTD_RTADDR_TTM_SHIFT);
	rc = gcmd(d, VTD_GCMD_SRTP, false, VTD_GSTS_RTPS, "SRTP");
	if (!rc && d->qi)
		rc = init_qi(d);
	if (rc)
		return rc;
	d->inited = true;
	/* caches may hold entries of the previous root table */
	batch_add(&b, desc_cc(VTD_QI_CC_G_GLOBAL, 0, 0, 0), 0);
	if (d->scalable)
		batch_add(&b, desc_pc(VTD_QI_PC_G_GLOBAL, 0, 0), 0);
	batch_add(&b, desc_iotlb(d, VTD_QI_IOTLB_G_GLOBAL, 0), 0);
	rc = flush(d, &b, true);
	if (!rc)
		rc = flush_write_buffer(d);
	if (!rc)
		rc = gcmd(d, VTD_GCMD_TE, true, VTD_GSTS_TES, "TE");
	return rc;
}

/* ---- attach / detach ----------------------------------------------------- */

static int record_attach(struct refdrv *d, const struct rd_attach *a)
{
	struct rd_attach *na;
	size_t i;

	for (i = 0; i < d->natts; i++) {
		if (d->atts[i].sid == a->sid && d->atts[i].pasid == a->pasid) {
			d->atts[i] = *a;
			return 0;
		}
	}
	na = realloc(d->atts, (d->natts + 1) * sizeof(*na));
	if (!na)
		return failure(d, "out of memory");
	d->atts = na;
	d->atts[d->natts++] = *a;
	return 0;
}

static void forget_attach(struct refdrv *d, uint16_t sid, uint32_t pasid)
{
	size_t i;

	for (i = 0; i < d->natts; i++) {
		if (d->atts[i].sid == sid && d->atts[i].pasid == pasid) {
			d->atts[i] = d->atts[--d->natts];
			return;
		}
	}
}

/* Context table for the bus (legacy: 256 x 16 bytes; scalable: the lower
 * or upper half, 128 x 32 bytes), allocated when absent. */
static int context_table(struct refdrv *d, uint16_t sid, uint64_t *ct)
{
	uint64_t at = d->root + (uint64_t)(sid >> 8) * VTD_ROOT_SIZE;
	int rc;

	if (d->scalable && (sid & 0x80))
		at += 8; /* UCTP / UP in the high qword */
	*ct = rd64(d, at);
	if (*ct & VTD_ROOT_LO_P) {
		*ct &= VTD_ROOT_LO_CTP_MASK;
		return 0;
	}
	rc = alloc_pages(d, 1, ct);
	if (rc)
		return rc;
	return wr64(d, at, *ct | VTD_ROOT_LO_P);
}

static int legacy_attach(struct refdrv *d, const struct trace_record *rec,
			 int di)
{
	const struct rd_domain *dom = di >= 0 ? &d->doms[di] : NULL;
	struct rd_attach a = {rec->sid, NO_PASID, di, 0, TR_PGTT_DEFAULT};
	struct qi_batch b = {.n = 0};
	unsigned int tt = VTD_CTX_TT_SL, aw;
	uint64_t ct, at, old_lo, old_hi, lo, hi;
	int rc;

	if (rec->has_pasid || rec->pgtt || rec->has_rid_pasid)
		return usage(d, "pasid=/pgtt=/rid_pasid= need scalable mode");
	if (dom && dom->fl)
		return usage(d, "legacy mode attaches sl domains only");
	if (rec->tt == TR_TT_DT)
		tt = VTD_CTX_TT_SL_DT;
	if (rec->tt == TR_TT_PT)
		tt = VTD_CTX_TT_PT;
	if (!dom && tt != VTD_CTX_TT_PT)
		return usage(d, "missing domain NAME");
	a.did = rec->has_did ? rec->did : dom ? dom->did : new_did(d);
	a.pgtt = tt == VTD_CTX_TT_PT ? TR_PGTT_PT : TR_PGTT_SL;
	aw = dom ? dom->levels - 2 : max_agaw(d);
	rc = context_table(d, rec->sid, &ct);
	if (rc)
		return rc;
	at = ct + (rec->sid & 0xff) * VTD_CTX_SIZE;
	old_lo = rd64(d, at);
	old_hi = rd64(d, at + 8);
	lo = VTD_CTX_LO_P | ((rec->flags & TRF_FPD) ? VTD_CTX_LO_FPD : 0) |
	     (uint64_t)tt << VTD_CTX_LO_TT_SHIFT | (dom ? dom->root : 0);
	hi = aw | (uint64_t)a.did << VTD_CTX_HI_DID_SHIFT;
	if (wr64(d, at + 8, hi) || wr64(d, at, lo))
		return REFDRV_FAIL;
	rc = record_attach(d, &a);
	if (rc)
		return rc;
	if (old_lo & VTD_CTX_LO_P) {
		uint16_t odid = (uint16_t)VTD_CTX_HI_DID(old_hi);

		batch_add(&b, desc_cc(VTD_QI_CC_G_DEVICE, odid, rec->sid, 0),
			  0);
		batch_add(&b, desc_iotlb(d, VTD_QI_IOTLB_G_DOMAIN, odid), 0);
	} else if (d->cap & VTD_CAP_CM) {
		batch_add(&b, desc_cc(VTD_QI_CC_G_DEVICE, 0, rec->sid, 0), 0);
		batch_add(&b, desc_iotlb(d, VTD_QI_IOTLB_G_DOMAIN, a.did), 0);
	} else {
		return flush_write_buffer(d);
	}
	return flush(d, &b, true);
}

/* Scalable-mode context entry: present with a PASID directory. */
static int sm_context(struct refdrv *d, const struct trace_record *rec,
		      uint64_t *dir, uint32_t *rid_pasid)
{
	uint64_t ct, at, lo, hi, want;
	int rc = context_table(d, rec->sid, &ct);

	if (rc)
		return rc;
	at = ct + (rec->sid & 0x7f) * VTD_SM_CTX_SIZE;
	lo = rd64(d, at);
	hi = rd64(d, at + 8);
	want = ((rec->flags & TRF_DTE) ? VTD_SM_CTX_LO_DTE : 0) |
	       ((rec->flags & TRF_PRE) ? VTD_SM_CTX_LO_PRE : 0);
	if (lo & VTD_SM_CTX_LO_P) {
		if ((lo & (VTD_SM_CTX_LO_DTE | VTD_SM_CTX_LO_PRE)) != want ||
		    (rec->has_rid_pasid &&
		     VTD_SM_CTX_HI_RID_PASID(hi) != rec->rid_pasid))
			return usage(d, "context entry of the device already "
					"set up with other dte/pre/rid_pasid");
		*dir = lo & VTD_SM_CTX_LO_PASIDDIRPTR_MASK;
		*rid_pasid = (uint32_t)VTD_SM_CTX_HI_RID_PASID(hi);
		return 0;
	}
	rc = alloc_pages(d, 1u << d->pdts, dir);
	if (rc)
		return rc;
	*rid_pasid = rec->has_rid_pasid ? rec->rid_pasid : 0;
	lo = VTD_SM_CTX_LO_P | want |
	     ((d->ecap & VTD_ECAP_PASID) ? VTD_SM_CTX_LO_PASIDE : 0) |
	     (uint64_t)d->pdts << VTD_SM_CTX_LO_PDTS_SHIFT | *dir;
	if (zero(d, at + 16, 16) || wr64(d, at + 8, *rid_pasid) ||
	    wr64(d, at, lo))
		return REFDRV_FAIL;
	if (!(d->cap & VTD_CAP_CM))
		return flush_write_buffer(d);
	{
		struct qi_batch b = {.n = 0};

		batch_add(&b, desc_cc(VTD_QI_CC_G_DEVICE, 0, rec->sid, 0), 0);
		return flush(d, &b, true);
	}
}

/* The PASID-table entry of (sid, pasid); 1 when a level is not present
 * and create is false. */
static int pasid_entry(struct refdrv *d, uint64_t dir, uint32_t pasid,
		       bool create, uint64_t *pe)
{
	uint64_t at = dir + VTD_PASID_DIR_INDEX(pasid) * 8, e, t;
	int rc;

	if (VTD_PASID_DIR_INDEX(pasid) >= (128u << d->pdts))
		return usage(d, "PASID 0x%x beyond the PASID directory", pasid);
	e = rd64(d, at);
	if (!(e & VTD_PDE_P)) {
		if (!create)
			return 1;
		rc = alloc_pages(d, 1, &t);
		if (rc)
			return rc;
		if (wr64(d, at, t | VTD_PDE_P))
			return REFDRV_FAIL;
		e = t | VTD_PDE_P;
	}
	*pe = (e & VTD_PDE_SMPTBLPTR_MASK) +
	      VTD_PASID_TBL_INDEX(pasid) * VTD_PASID_ENTRY_SIZE;
	return 0;
}

/* PC + (P_)IOTLB for a PASID entry that was present (6.5.3.x guidance,
 * Linux intel_pasid_tear_down_entry()). */
static void pasid_teardown_batch(struct refdrv *d, struct qi_batch *b,
				 uint64_t pe0, uint64_t pe1, uint32_t pasid)
{
	uint16_t did = (uint16_t)VTD_PTE1_DID(pe1);
	unsigned int pgtt = (unsigned int)VTD_PTE0_PGTT(pe0);

	batch_add(b, desc_pc(VTD_QI_PC_G_PASID, did, pasid), 0);
	if (pgtt == VTD_PGTT_FL || pgtt == VTD_PGTT_NESTED)
		batch_add(b, desc_piotlb(VTD_QI_PIOTLB_G_PASID, did, pasid), 0);
	else
		batch_add(b, desc_iotlb(d, VTD_QI_IOTLB_G_DOMAIN, did), 0);
}

static int sm_pgtt(struct refdrv *d, const struct trace_record *rec, int di,
		   enum trace_pgtt *pgtt)
{
	const struct rd_domain *dom = di >= 0 ? &d->doms[di] : NULL;

	*pgtt = rec->pgtt;
	if (!*pgtt)
		*pgtt = !dom		   ? TR_PGTT_PT
			: !dom->fl	   ? TR_PGTT_SL
			: dom->parent >= 0 ? TR_PGTT_NESTED
					   : TR_PGTT_FL;
	if (rec->tt)
		return usage(d, "tt= is for legacy mode (use pgtt=)");
	if (*pgtt == TR_PGTT_SL && (!dom || dom->fl))
		return usage(d, "pgtt=sl needs an sl domain");
	if (*pgtt == TR_PGTT_FL && (!dom || !dom->fl || dom->parent >= 0))
		return usage(d, "pgtt=fl needs an fl domain without parent=");
	if (*pgtt == TR_PGTT_NESTED) {
		if (!dom || !dom->fl || dom->parent < 0)
			return usage(d, "pgtt=nested needs an fl domain "
					"created with parent=");
		if (rec->parent[0] &&
		    strcmp(rec->parent, d->doms[dom->parent].name))
			return usage(d, "domain %s nests on %s, not %s",
				     dom->name, d->doms[dom->parent].name,
				     rec->parent);
	}
	return 0;
}

static void sm_entry(const struct refdrv *d, const struct trace_record *rec,
		     int di, enum trace_pgtt pgtt, uint16_t did, uint64_t pe[8])
{
	static const unsigned int codes[] = {0, VTD_PGTT_FL, VTD_PGTT_SL,
					     VTD_PGTT_NESTED, VTD_PGTT_PT};
	const struct rd_domain *dom = di >= 0 ? &d->doms[di] : NULL;
	const struct rd_domain *sl = NULL;
	uint32_t f = rec->flags;

	if (pgtt == TR_PGTT_SL)
		sl = dom;
	else if (pgtt == TR_PGTT_NESTED)
		sl = &d->doms[dom->parent];
	memset(pe, 0, 8 * sizeof(pe[0]));
	pe[0] = VTD_PTE0_P | ((f & TRF_FPD) ? VTD_PTE0_FPD : 0) |
		(uint64_t)(sl ? sl->levels - 2 : max_agaw(d))
			<< VTD_PTE0_AW_SHIFT |
		(uint64_t)codes[pgtt] << VTD_PTE0_PGTT_SHIFT |
		((f & TRF_SLADE) ? VTD_PTE0_SLADE : 0) | (sl ? sl->root : 0);
	pe[1] = did;
	pe[2] = ((f & TRF_SRE) ? VTD_PTE2_SRE : 0) |
		((f & TRF_ERE) ? VTD_PTE2_ERE : 0) |
		((f & TRF_WPE) ? VTD_PTE2_WPE : 0) |
		((f & TRF_EAFE) ? VTD_PTE2_EAFE : 0);
	if (pgtt == TR_PGTT_FL || pgtt == TR_PGTT_NESTED)
		pe[2] |= (uint64_t)(dom->levels == 5) << VTD_PTE2_FLPM_SHIFT |
			 dom->root;
}

static int sm_attach(struct refdrv *d, const struct trace_record *rec, int di)
{
	struct rd_attach a = {rec->sid, 0, di, 0, TR_PGTT_DEFAULT};
	struct qi_batch b = {.n = 0};
	uint64_t dir = 0, at = 0, old0, old1, pe[8];
	uint32_t rid_pasid = 0;
	int rc, i;

	rc = sm_pgtt(d, rec, di, &a.pgtt);
	if (!rc)
		rc = sm_context(d, rec, &dir, &rid_pasid);
	if (rc)
		return rc;
	a.pasid = rec->has_pasid ? rec->pasid : rid_pasid;
	rc = pasid_entry(d, dir, a.pasid, true, &at);
	if (rc)
		return rc;
	a.did = rec->has_did ? rec->did
		: di >= 0    ? d->doms[di].did
			     : new_did(d);
	sm_entry(d, rec, di, a.pgtt, a.did, pe);
	old0 = rd64(d, at);
	old1 = rd64(d, at + 8);
	for (i = 7; i >= 0; i--) { /* P (qword 0) last */
		if (wr64(d, at + 8 * (uint64_t)i, pe[i]))
			return REFDRV_FAIL;
	}
	rc = record_attach(d, &a);
	if (rc)
		return rc;
	if (old0 & VTD_PTE0_P)
		pasid_teardown_batch(d, &b, old0, old1, a.pasid);
	else if (d->cap & VTD_CAP_CM)
		pasid_teardown_batch(d, &b, pe[0], pe[1], a.pasid);
	else
		return flush_write_buffer(d);
	return flush(d, &b, true);
}

static int do_attach(struct refdrv *d, const struct trace_record *rec)
{
	int di = -1;

	if (!d->inited)
		return usage(d, "attach before iommu.init");
	if (rec->name[0] && get_domain(d, rec->name, &di))
		return REFDRV_USAGE;
	if (d->scalable)
		return sm_attach(d, rec, di);
	return legacy_attach(d, rec, di);
}

static int legacy_detach(struct refdrv *d, const struct trace_record *rec)
{
	uint64_t ct = rd64(d, d->root + (uint64_t)(rec->sid >> 8) * 16);
	uint64_t at =
		(ct & VTD_ROOT_LO_CTP_MASK) + (rec->sid & 0xff) * VTD_CTX_SIZE;
	struct qi_batch b = {.n = 0};
	uint16_t did;

	if (rec->has_pasid)
		return usage(d, "pasid= needs scalable mode");
	if (!(ct & VTD_ROOT_LO_P) || !(rd64(d, at) & VTD_CTX_LO_P))
		return usage(d, "device not attached");
	did = (uint16_t)VTD_CTX_HI_DID(rd64(d, at + 8));
	if (wr64(d, at, 0) || wr64(d, at + 8, 0))
		return REFDRV_FAIL;
	forget_attach(d, rec->sid, NO_PASID);
	batch_add(&b, desc_cc(VTD_QI_CC_G_DEVICE, did, rec->sid, 0), 0);
	batch_add(&b, desc_iotlb(d, VTD_QI_IOTLB_G_DOMAIN, did), 0);
	return flush(d, &b, true);
}

static int sm_detach(struct refdrv *d, const struct trace_record *rec)
{
	uint64_t root = d->root + (uint64_t)(rec->sid >> 8) * 16, ct, at, lo;
	struct qi_batch b = {.n = 0};
	uint64_t pe0, pe1;
	uint32_t pasid;
	int rc;

	ct = rd64(d, root + ((rec->sid & 0x80) ? 8 : 0));
	if (!(ct & VTD_ROOT_LO_P))
		return usage(d, "device not attached");
	at = (ct & VTD_ROOT_LO_CTP_MASK) + (rec->sid & 0x7f) * 32;
	lo = rd64(d, at);
	if (!(lo & VTD_SM_CTX_LO_P))
		return usage(d, "device not attached");
	pasid = rec->has_pasid
			? rec->pasid
			: (uint32_t)VTD_SM_CTX_HI_RID_PASID(rd64(d, at + 8));
	rc = pasid_entry(d, lo & VTD_SM_CTX_LO_PASIDDIRPTR_MASK, pasid, false,
			 &at);
	if (rc > 0 || (!rc && !(rd64(d, at) & VTD_PTE0_P)))
		return usage(d, "PASID 0x%x of the device not attached", pasid);
	if (rc)
		return rc;
	pe0 = rd64(d, at);
	pe1 = rd64(d, at + 8);
	if (zero(d, at, VTD_PASID_ENTRY_SIZE))
		return REFDRV_FAIL;
	forget_attach(d, rec->sid, pasid);
	pasid_teardown_batch(d, &b, pe0, pe1, pasid);
	return flush(d, &b, true);
}

static int do_detach(struct refdrv *d, const struct trace_record *rec)
{
	if (!d->inited)
		return usage(d, "detach before iommu.init");
	return d->scalable ? sm_detach(d, rec) : legacy_detach(d, rec);
}

/* ---- explicit invalidations ---------------------------------------------- */

static int inv_did(struct refdrv *d, const struct trace_record *rec,
		   uint16_t *did)
{
	int di;

	*did = rec->did;
	if (!rec->parent[0])
		return 0;
	if (get_domain(d, rec->parent, &di))
		return REFDRV_USAGE;
	*did = d->doms[di].did;
	return 0;
}

static int do_inv_wait(struct refdrv *d, const struct trace_record *rec,
		       struct qi_batch *b);

static int do_inv(struct refdrv *d, const struct trace_record *rec)
{
	static const unsigned int cc_g[] = {
		VTD_QI_CC_G_GLOBAL, VTD_QI_CC_G_DOMAIN, VTD_QI_CC_G_DEVICE};
	static const unsigned int iotlb_g[] = {
		[TR_GRAN_GLOBAL] = 1, [TR_GRAN_DOMAIN] = 2, [TR_GRAN_PAGE] = 3};
	static const unsigned int pc_g[] = {
		[TR_GRAN_GLOBAL] = VTD_QI_PC_G_GLOBAL,
		[TR_GRAN_DOMAIN] = VTD_QI_PC_G_DOMAIN,
		[TR_GRAN_PASID] = VTD_QI_PC_G_PASID};
	struct qi_batch b = {.n = 0};
	uint64_t qw1 = addr_qw1(rec->addr, rec->am, rec->flags & TRF_IH);
	uint16_t did;

	if (!d->inited)
		return usage(d, "%s before iommu.init", trace_op_name(rec->op));
	if (inv_did(d, rec, &did))
		return REFDRV_USAGE;
	switch (rec->op) {
	case TR_INV_CC:
		batch_add(&b, desc_cc(cc_g[rec->gran], did, rec->sid2, rec->fm),
			  0);
		break;
	case TR_INV_IOTLB:
		batch_add(&b, desc_iotlb(d, iotlb_g[rec->gran], did),
			  rec->gran == TR_GRAN_PAGE ? qw1 : 0);
		break;
	case TR_INV_PIOTLB:
		batch_add(&b,
			  desc_piotlb(rec->gran == TR_GRAN_PAGE
					      ? VTD_QI_PIOTLB_G_PAGE
					      : VTD_QI_PIOTLB_G_PASID,
				      did, rec->pasid),
			  rec->gran == TR_GRAN_PAGE ? qw1 : 0);
		break;
	case TR_INV_PC:
		batch_add(&b, desc_pc(pc_g[rec->gran], did, rec->pasid), 0);
		break;
	default: /* inv.wait */
		if (!d->qi)
			return 0; /* register invalidation is synchronous */
		return do_inv_wait(d, rec, &b);
	}
	return flush(d, &b, !(rec->flags & TRF_NOWAIT));
}

/* ---- device-TLB invalidation and waits ------------------------------------ */

static const char *const wait_names[] = {"done", "pending", "ite"};

/* inv.wait: nowait submits and returns; expect=ite wants a time-out. */
static int do_inv_wait(struct refdrv *d, const struct trace_record *rec,
		       struct qi_batch *b)
{
	enum wait_state ws;
	int rc;

	if (rec->flags & TRF_NOWAIT)
		return qi_post(d, b, true, true);
	if (rec->want != 1)
		return qi_submit(d, b, true);
	rc = qi_post(d, b, true, true);
	if (rc)
		return rc;
	ws = spin_wait(d);
	if (ws != WAIT_ITE)
		return failure(d, "expected the wait to end with ITE, got %s",
			       wait_names[ws]);
	ite_recover(d);
	return 0;
}

/* inv.status expect=pending|done|ite: the last wait, now. */
static int do_inv_status(struct refdrv *d, const struct trace_record *rec)
{
	static const enum wait_state want[] = {WAIT_PENDING, WAIT_DONE,
					       WAIT_ITE};
	enum wait_state ws;

	if (!d->qi)
		return usage(d, "inv.status needs queued invalidation");
	ws = wait_state(d);
	if (ws == WAIT_ITE)
		ite_recover(d);
	if (ws != want[rec->want])
		return failure(d, "expected the last wait %s, got %s",
			       wait_names[want[rec->want]], wait_names[ws]);
	return 0;
}

/* Address field with the S-bit size encoding (size 0: everything). */
static uint64_t devtlb_qw1(uint64_t addr, uint64_t size, uint64_t s_bit)
{
	if (size == VTD_PAGE_SIZE)
		return addr;
	if (!size)
		return ((~0ULL >> 1) & VTD_QI_ADDR_MASK) | s_bit;
	return addr | ((size >> 1) - 1 - (VTD_PAGE_SIZE - 1)) | s_bit;
}

static int do_inv_devtlb(struct refdrv *d, const struct trace_record *rec)
{
	struct qi_batch b = {.n = 0};
	uint64_t qw0, qw1;

	if (!d->inited || !d->qi)
		return usage(d, "inv.devtlb needs iommu.init qi=on");
	if (rec->has_pasid) {
		if (d->dw != 256)
			return usage(d, "inv.devtlb pasid= needs dw=256");
		qw0 = VTD_QI_PDIOTLB | (uint64_t)rec->sid << 16 |
		      (uint64_t)rec->pasid << VTD_QI_PASID_SHIFT;
		qw1 = devtlb_qw1(rec->addr, rec->xsize, VTD_QI_PDIOTLB_S) |
		      ((rec->flags & TRF_GLOBAL) ? VTD_QI_PDIOTLB_G : 0);
	} else {
		qw0 = VTD_QI_DIOTLB | (uint64_t)rec->sid << 32;
		qw1 = devtlb_qw1(rec->addr, rec->xsize, VTD_QI_DIOTLB_S);
	}
	batch_add(&b, qw0, qw1);
	return qi_submit(d, &b, !(rec->flags & TRF_NOWAIT));
}

/* ---- page request queue: the software side -------------------------------- */

static int do_prq_init(struct refdrv *d, const struct trace_record *rec)
{
	unsigned int n = 1u << rec->qs;
	int rc;

	if (!d->inited)
		return usage(d, "prq.init before iommu.init");
	if (!(d->ecap & VTD_ECAP_PRS))
		return usage(d, "prq.init needs ECAP.PRS (ecap.prs=1)");
	if (d->prq_base)
		return usage(d, "prq.init twice");
	rc = alloc_pages(d, n, &d->prq_base);
	if (rc)
		return rc;
	d->prq_size = (uint64_t)n * VTD_PAGE_SIZE;
	reg_wr(d, VTD_REG_PQH, 8, 0);
	reg_wr(d, VTD_REG_PQA, 8, d->prq_base | rec->qs);
	reg_wr(d, VTD_REG_PECTL, 4, 0);
	return 0;
}

/* Queue the page group response for the request (q0, q1): due after
 * delay. Only the last request of a group is answered; stop markers never
 * are. */
static int respond_later(struct refdrv *d, uint64_t q0, uint64_t q1,
			 unsigned int code, uint64_t delay)
{
	struct rd_action *a;

	if (!(q1 & VTD_PRQ1_LPIG) || !(q1 & (VTD_PRQ1_RD | VTD_PRQ1_WR)))
		return 0;
	if (d->nacts == d->cap_acts) {
		size_t cap = d->cap_acts ? 2 * d->cap_acts : 16;
		void *p = realloc(d->acts, cap * sizeof(*d->acts));

		if (!p)
			return failure(d, "out of memory");
		d->acts = p;
		d->cap_acts = cap;
	}
	a = &d->acts[d->nacts++];
	a->t = vtd_now(d->v) + delay;
	a->seq = d->act_seq++;
	a->qw0 = VTD_QI_PGRP_RESP | (q0 & VTD_PRQ0_PASID_P) >> 4 |
		 (uint64_t)code << 12 | (uint64_t)VTD_PRQ0_RID(q0) << 16 |
		 (uint64_t)VTD_PRQ0_PASID(q0) << 32;
	a->qw1 = VTD_QI_PGRP_LPIG | VTD_PRQ1_PRGI(q1) << 3;
	return 0;
}

/* As Linux's prq_event_thread: clear PPR, take what is between PQH and
 * PQT (respond(q0, q1) for each), move PQH, clear PRO once drained. */
static int prq_take(struct refdrv *d, int code, uint64_t delay, bool one)
{
	uint64_t head = reg_rd(d, VTD_REG_PQH, 8) & VTD_PQ_PTR_MASK;
	uint64_t tail = reg_rd(d, VTD_REG_PQT, 8) & VTD_PQ_PTR_MASK;
	int rc = 0;

	reg_wr(d, VTD_REG_PRS, 4, VTD_PRS_PPR);
	if (one && head == tail)
		return failure(d, "no page request in the queue");
	while (head != tail && !rc) {
		rc = respond_later(d, rd64(d, d->prq_base + head),
				   rd64(d, d->prq_base + head + 8),
				   (unsigned int)code, delay);
		head = (head + VTD_PRQ_DESC_SIZE) % d->prq_size;
		if (one)
			break;
	}
	reg_wr(d, VTD_REG_PQH, 8, head);
	if (head == tail && (reg_rd(d, VTD_REG_PRS, 4) & VTD_PRS_PRO))
		reg_wr(d, VTD_REG_PRS, 4, VTD_PRS_PRO);
	return rc;
}

/* Submit every response due by now, in order. */
static int run_actions(struct refdrv *d)
{
	struct qi_batch b;
	size_t i, best;
	int rc;

	while (d->nacts) {
		for (best = 0, i = 1; i < d->nacts; i++) {
			if (d->acts[i].t < d->acts[best].t ||
			    (d->acts[i].t == d->acts[best].t &&
			     d->acts[i].seq < d->acts[best].seq))
				best = i;
		}
		if (d->acts[best].t > vtd_now(d->v))
			return 0;
		b.n = 0;
		batch_add(&b, d->acts[best].qw0, d->acts[best].qw1);
		d->acts[best] = d->acts[--d->nacts];
		rc = qi_submit(d, &b, true);
		if (rc)
			return rc;
	}
	return 0;
}

static int prq_poll(struct refdrv *d)
{
	int rc = 0;

	if (d->prq_base && d->prq_auto >= 0 &&
	    (reg_rd(d, VTD_REG_PRS, 4) & (VTD_PRS_PPR | VTD_PRS_PRO)))
		rc = prq_take(d, d->prq_auto, d->prq_delay, false);
	return rc ? rc : run_actions(d);
}

static int do_prq_respond(struct refdrv *d, const struct trace_record *rec)
{
	int rc;

	if (!d->prq_base)
		return usage(d, "%s before prq.init", trace_op_name(rec->op));
	if (rec->op == TR_PRQ_AUTO) {
		d->prq_auto = rec->resp;
		d->prq_delay = rec->delay;
		return prq_poll(d);
	}
	rc = prq_take(d, rec->resp, rec->delay, true);
	return rc ? rc : run_actions(d);
}

static bool next_time(struct refdrv *d, uint64_t *t)
{
	bool any = vtd_next_event(d->v, t);
	size_t i;

	for (i = 0; i < d->nacts; i++) {
		if (!any || d->acts[i].t < *t) {
			*t = d->acts[i].t;
			any = true;
		}
	}
	return any;
}

bool refdrv_quiet(const struct refdrv *d)
{
	return !d->nacts && !(d->prq_base && d->prq_auto >= 0);
}

int refdrv_advance(struct refdrv *d, uint64_t t)
{
	unsigned long n;
	uint64_t next;
	int rc;

	if (refdrv_quiet(d)) {
		/* nothing of the driver's to do between the unit's events */
		vtd_advance(d->v, t);
		return 0;
	}

	for (n = 0; n < SPIN_LIMIT; n++) {
		rc = prq_poll(d);
		if (rc)
			return rc;
		if (!next_time(d, &next) || next > t)
			break;
		vtd_advance(d->v, next);
	}
	vtd_advance(d->v, t);
	return prq_poll(d);
}

int refdrv_poll(struct refdrv *d)
{
	if (refdrv_quiet(d))
		return 0; /* nothing to poll for */
	return prq_poll(d);
}

bool refdrv_next_time(struct refdrv *d, uint64_t *t)
{
	return next_time(d, t);
}

uint64_t refdrv_prq_base(const struct refdrv *d)
{
	return d->prq_base;
}

/* ---- public -------------------------------------------------------------- */

struct refdrv *refdrv_create(struct vtd *v, struct sparse_mem *m,
			     uint64_t alloc_base)
{
	struct refdrv *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->v = v;
	d->m = m;
	refdrv_set_bus(d, NULL);
	d->alloc_next = (alloc_base + VTD_PAGE_SIZE - 1) & VTD_PAGE_MASK;
	d->next_did = 1;
	d->prq_auto = -1;
	return d;
}

void refdrv_destroy(struct refdrv *d)
{
	if (!d)
		return;
	free(d->doms);
	free(d->acts);
	free(d->atts);
	free(d);
}

int refdrv_exec(struct refdrv *d, const struct trace_record *rec)
{
	d->err[0] = '\0';
	switch (rec->op) {
	case TR_IOMMU_INIT:
		return do_init(d, rec);
	case TR_DOMAIN:
		return do_domain(d, rec);
	case TR_MAP:
		return do_map(d, rec);
	case TR_UNMAP:
		return do_unmap(d, rec);
	case TR_REMAP:
		return do_remap(d, rec);
	case TR_ATTACH:
		return do_attach(d, rec);
	case TR_DETACH:
		return do_detach(d, rec);
	case TR_INV_CC:
	case TR_INV_IOTLB:
	case TR_INV_PIOTLB:
	case TR_INV_PC:
	case TR_INV_WAIT:
		return do_inv(d, rec);
	case TR_INV_STATUS:
		return do_inv_status(d, rec);
	case TR_INV_DEVTLB:
		return do_inv_devtlb(d, rec);
	case TR_PRQ_INIT:
		return do_prq_init(d, rec);
	case TR_PRQ_RESPOND:
	case TR_PRQ_AUTO:
		return do_prq_respond(d, rec);
	default:
		return usage(d, "%s is not a reference-driver record",
			     trace_op_name(rec->op));
	}
}

const char *refdrv_error(const struct refdrv *d)
{
	return d->err;
}

uint64_t refdrv_root_table(const struct refdrv *d)
{
	return d->root;
}

uint64_t refdrv_queue_base(const struct refdrv *d)
{
	return d->iq_base;
}

uint64_t refdrv_alloc_next(const struct refdrv *d)
{
	return d->alloc_next;
}

int refdrv_domain_info(const struct refdrv *d, const char *name, uint16_t *did,
		       uint64_t *root)
{
	int di = find_domain(d, name);

	if (di < 0)
		return -1;
	*did = d->doms[di].did;
	*root = d->doms[di].root;
	return 0;
}

uint64_t refdrv_descriptors(const struct refdrv *d, unsigned int type)
{
	return type < VTD_QI_TYPE_COUNT ? d->desc_count[type] : 0;
}
