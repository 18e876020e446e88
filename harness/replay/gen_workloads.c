// SPDX-License-Identifier: MIT
/*
 * `vtdsim gen nic|nvme|sva|tenants` (docs/generators.md): the DMA of real
 * device classes, written as traces that check themselves (every request
 * states the address it must translate to, unless --no-expect).
 *
 *   nic:     receive and transmit rings: descriptor reads and write-backs,
 *            packet buffers mapped and unmapped per packet the way Linux's
 *            DMA API does (strict: every unmap invalidated; lazy: a flush
 *            queue flushed when full, IOVAs reused only after the flush);
 *   nvme:    submission and completion queues, scatter-gather data pages
 *            with PRP lists for transfers beyond two pages;
 *   sva:     an accelerator on a process's address space (first-level
 *            translation, PASID, ATS, device-TLB), first touches of pages
 *            not mapped yet going through PRI to a page group response;
 *   tenants: N nested tenants, each a VF with one PASID and a guest
 *            stage 1 over its VM's stage 2, their requests interleaved in
 *            bursts (HyperSIO's workload).
 *
 * Deterministic per seed.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "trace_writer.h"

#define PAGE ((uint64_t)4096)

/* ---- options --------------------------------------------------------------
 */

enum opt_type { OPT_NUM, OPT_SIZE, OPT_WORD, OPT_FLAG };

struct opt {
	const char *name;
	enum opt_type type;
	uint64_t *num; /* OPT_NUM, OPT_SIZE */
	uint64_t min, max;
	const char *const *words; /* OPT_WORD: NULL-terminated */
	unsigned int *word;
	bool *flag;
	const char *help;
};

struct gen_common {
	const char *kind;
	uint64_t seed, gap;
	bool no_expect;
	const char *out;
	struct trace_out_opts fmt;
};

static int gen_err(const char *kind, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vtdsim gen %s: ", kind);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static int size_value(const char *s, uint64_t *v)
{
	return gen_parse_size(s, v);
}

static int set_opt(const struct opt *o, const char *kind, const char *val)
{
	unsigned int i;

	switch (o->type) {
	case OPT_NUM:
	case OPT_SIZE:
		if ((o->type == OPT_SIZE ? size_value(val, o->num)
					 : (strpbrk(val, "kKmMgG") ||
					    size_value(val, o->num))) ||
		    *o->num < o->min || *o->num > o->max)
			return gen_err(kind,
				       "bad %s '%s' (%" PRIu64 "..%" PRIu64 ")",
				       o->name, val, o->min, o->max);
		return 0;
	case OPT_WORD:
		for (i = 0; o->words[i]; i++)
			if (!strcmp(o->words[i], val)) {
				*o->word = i;
				return 0;
			}
		return gen_err(kind, "bad %s '%s'", o->name, val);
	default:
		return 0;
	}
}

static void opts_usage(FILE *f, const char *kind, const struct opt *opts)
{
	const struct opt *o;

	fprintf(f,
		"usage: vtdsim gen %s [options] [-o FILE] [--format "
		"text|binary] [--zstd]\n",
		kind);
	for (o = opts; o->name; o++)
		fprintf(f, "  %-14s %s\n", o->name, o->help);
	fputs("  --seed N       seed (default 1)\n"
	      "  --gap NS       ns between requests (0: all ready at once, a "
	      "closed loop)\n"
	      "  --no-expect    no expected address on each request\n",
	      f);
}

static int parse_opts(struct gen_common *c, const struct opt *opts, int argc,
		      char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const struct opt *o;
		int k = trace_out_option("vtdsim gen", argc, argv, &i, &c->fmt);

		if (k < 0)
			return 2;
		if (k)
			continue;
		if (!strcmp(a, "--help")) {
			opts_usage(stdout, c->kind, opts);
			return -1;
		}
		if (!strcmp(a, "--no-expect")) {
			c->no_expect = true;
			continue;
		}
		for (o = opts; o->name && strcmp(o->name, a); o++)
			;
		if (o->name && o->type == OPT_FLAG) {
			*o->flag = true;
			continue;
		}
		if (i + 1 >= argc)
			return gen_err(c->kind, "missing value for '%s'", a);
		if (!strcmp(a, "-o")) {
			c->out = argv[++i];
		} else if (!strcmp(a, "--seed")) {
			if (size_value(argv[++i], &c->seed))
				return gen_err(c->kind, "bad --seed '%s'",
					       argv[i]);
		} else if (!strcmp(a, "--gap")) {
			if (size_value(argv[++i], &c->gap) ||
			    c->gap > 1000000000ull)
				return gen_err(c->kind, "bad --gap '%s'",
					       argv[i]);
		} else if (o->name) {
			if (set_opt(o, c->kind, argv[++i]))
				return 2;
		} else {
			opts_usage(stderr, c->kind, opts);
			return gen_err(c->kind, "bad option '%s'", a);
		}
	}
	return 0;
}

/* ---- writing ---------------------------------------------------------------
 */

struct gw {
	struct trace_writer *w;
	uint64_t t; /* now: the time of the records written */
	bool expect;
	uint64_t rng;
	int rc;
	char line[512];
};

static uint64_t rnd(struct gw *g)
{
	uint64_t x = g->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	g->rng = x;
	return x;
}

static uint64_t below(struct gw *g, uint64_t n)
{
	return n ? rnd(g) % n : 0;
}

static void line(struct gw *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void line(struct gw *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (trace_writer_vlinef(g->w, g->t, fmt, ap))
		g->rc = 1;
	va_end(ap);
}

static void comment(struct gw *g, const char *text)
{
	if (trace_writer_comment(g->w, text))
		g->rc = 1;
}

/* One untranslated request; pa: the address it must translate to. */
static void dma(struct gw *g, uint16_t sid, int64_t pasid, uint64_t iova,
		uint64_t len, bool write, uint64_t pa)
{
	struct trace_record r;

	memset(&r, 0, sizeof(r));
	r.op = TR_DMA;
	r.time = g->t;
	r.sid = sid;
	r.has_pasid = pasid >= 0;
	r.pasid = pasid >= 0 ? (uint32_t)pasid : 0;
	r.addr = iova;
	r.len = len;
	r.write = write;
	r.has_expect = g->expect;
	r.expect = pa;
	if (trace_writer_dma(g->w, &r))
		g->rc = 1;
}

static void init_gw(struct gw *g, struct trace_writer *w,
		    const struct gen_common *c)
{
	memset(g, 0, sizeof(*g));
	g->w = w;
	g->expect = !c->no_expect;
	g->rng = c->seed * 0x9e3779b97f4a7c15ull + 1;
}

/* The command line that made the trace, as its first line. */
static void provenance(struct gw *g, int argc, char **argv, const char *kind)
{
	size_t n;
	int i;

	n = (size_t)snprintf(g->line, sizeof(g->line), " vtdsim gen %s", kind);
	for (i = 0; i < argc && n < sizeof(g->line); i++)
		if (strcmp(argv[i], "-o") || i + 1 >= argc)
			n += (size_t)snprintf(g->line + n, sizeof(g->line) - n,
					      " %s", argv[i]);
		else
			i++; /* the output's name is not the trace's */
	comment(g, g->line);
}

/* ---- translation modes of a DMA domain ------------------------------------
 */

static const char *const modes[] = {"legacy", "sl", "fl", NULL};
enum { MODE_LEGACY, MODE_SL, MODE_FL };

static void dma_domain(struct gw *g, unsigned int mode, const char *name)
{
	line(g, "iommu.init mode=%s",
	     mode == MODE_LEGACY ? "legacy" : "scalable");
	line(g, "domain %s type=%s levels=4", name,
	     mode == MODE_FL ? "fl" : "sl");
}

/* The attributes of a DMA API mapping. Linux: DMA_FROM_DEVICE maps
 * write-only, DMA_TO_DEVICE read-only; first level has no write-only pages
 * (read is implied), and Linux sets U/S in first-level DMA entries
 * (requests without PASID are user requests). */
static const char *perm(unsigned int mode, bool device_writes)
{
	if (mode == MODE_FL)
		return device_writes ? "rw user" : "r user";
	return device_writes ? "w" : "r";
}

static const char *coherent(unsigned int mode)
{
	return mode == MODE_FL ? " user" : "";
}

/* Invalidate a lazily unmapped domain: what Linux's flush queue does when
 * it fills (a whole-domain flush). */
static void flush_domain(struct gw *g, unsigned int mode, const char *name)
{
	if (mode == MODE_FL)
		line(g, "inv.piotlb pasid domain=%s pasid=0", name);
	else
		line(g, "inv.iotlb domain domain=%s", name);
}

/* ---- nic -------------------------------------------------------------------
 */

#define NIC_SID	      0x0020 /* 00:04.0 */
#define NIC_RING_IOVA ((uint64_t)0xf0000000)
#define NIC_RING_PA   ((uint64_t)0x10000000)
#define NIC_BUF_IOVA  ((uint64_t)0x100000000)
#define POOL_PA	      ((uint64_t)0x4000000000)
#define POOL_PAGES    ((uint64_t)65536)
#define HEADROOM      64u

struct nic {
	uint64_t packets, rx, ring, size, fq, inflight;
	unsigned int inv, mode;
};

static const char *const nic_inv[] = {"strict", "lazy", NULL};
static struct nic nic_v = {10000, 50, 256, 1500, 256, 8, 0, MODE_SL};

static void nic_setup(struct gw *g, const struct nic *n)
{
	uint64_t ring_bytes = (n->ring * 16 + PAGE - 1) / PAGE * PAGE;

	line(g, "config timing.outstanding=%" PRIu64, n->inflight);
	dma_domain(g, n->mode, "nic");
	/* the descriptor rings: coherent memory, mapped once */
	line(g, "map nic 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 "%s",
	     NIC_RING_IOVA, NIC_RING_PA, 2 * ring_bytes, coherent(n->mode));
	line(g, "attach 00:04.0 nic");
}

static void nic_packet(struct gw *g, const struct nic *n, uint64_t k,
		       uint64_t *queued, uint64_t *rxk, uint64_t *txk)
{
	uint64_t nslots = n->ring + (n->inv ? n->fq : 0);
	uint64_t iova = NIC_BUF_IOVA + (k % nslots) * PAGE;
	uint64_t pa = POOL_PA + below(g, POOL_PAGES) * PAGE;
	uint64_t ring_bytes = (n->ring * 16 + PAGE - 1) / PAGE * PAGE;
	bool rx = below(g, 100) < n->rx;
	uint64_t d = rx ? (*rxk)++ % n->ring : (*txk)++ % n->ring;
	uint64_t desc = NIC_RING_IOVA + (rx ? 0 : ring_bytes) + d * 16;
	uint64_t desc_pa = desc - NIC_RING_IOVA + NIC_RING_PA;

	line(g, "map nic 0x%" PRIx64 " 0x%" PRIx64 " 0x1000 perm=%s", iova, pa,
	     perm(n->mode, rx));
	dma(g, NIC_SID, -1, desc, 16, false, desc_pa);
	dma(g, NIC_SID, -1, iova + HEADROOM, n->size, rx, pa + HEADROOM);
	dma(g, NIC_SID, -1, desc, 16, true, desc_pa);
	if (!n->inv) {
		line(g, "unmap nic 0x%" PRIx64 " 0x1000", iova);
		return;
	}
	line(g, "unmap nic 0x%" PRIx64 " 0x1000 inv=none", iova);
	if (++*queued == n->fq) {
		flush_domain(g, n->mode, "nic");
		*queued = 0;
	}
}

static int gen_nic(struct gen_common *c, int argc, char **argv,
		   struct trace_writer *w)
{
	const struct nic *n = &nic_v;
	struct gw g;
	uint64_t k, queued = 0, rxk = 0, txk = 0;

	init_gw(&g, w, c);
	provenance(&g, argc, argv, "nic");
	nic_setup(&g, n);
	for (k = 0; k < n->packets && !g.rc; k++) {
		g.t = k * c->gap;
		nic_packet(&g, n, k, &queued, &rxk, &txk);
	}
	if (n->inv && queued)
		flush_domain(&g, n->mode, "nic");
	return g.rc;
}

static const struct opt nic_opts[] = {
	{"--packets", OPT_NUM, &nic_v.packets, 1, 1ull << 32, NULL, NULL, NULL,
	 "packets (10000), each a map, 3 requests and an unmap"},
	{"--rx", OPT_NUM, &nic_v.rx, 0, 100, NULL, NULL, NULL,
	 "per cent of them received (50), the rest transmitted"},
	{"--ring", OPT_NUM, &nic_v.ring, 1, 65536, NULL, NULL, NULL,
	 "descriptors per ring (256)"},
	{"--size", OPT_SIZE, &nic_v.size, 1, PAGE - HEADROOM, NULL, NULL, NULL,
	 "packet bytes (1500)"},
	{"--inv", OPT_WORD, NULL, 0, 0, nic_inv, &nic_v.inv, NULL,
	 "strict (every unmap invalidated) or lazy (a flush queue)"},
	{"--fq", OPT_NUM, &nic_v.fq, 1, 65536, NULL, NULL, NULL,
	 "lazy: unmaps per flush (256, Linux's IOVA_FQ_SIZE)"},
	{"--inflight", OPT_NUM, &nic_v.inflight, 1, 4096, NULL, NULL, NULL,
	 "requests the NIC has in flight (8)"},
	{"--mode", OPT_WORD, NULL, 0, 0, modes, &nic_v.mode, NULL,
	 "legacy, sl or fl (sl): the DMA domain's translation"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

/* ---- nvme ------------------------------------------------------------------
 */

#define NVME_SID     0x0028 /* 00:05.0 */
#define NVME_SQ_IOVA ((uint64_t)0xe0000000)
#define NVME_SQ_PA   ((uint64_t)0x20000000)
#define NVME_BUF     ((uint64_t)0x200000000)

struct nvme {
	uint64_t ios, qdepth, block;
	unsigned int rw, mode;
};

static const char *const nvme_rw[] = {"r", "w", "mix", NULL};
static struct nvme nvme_v = {10000, 32, 4096, 0, MODE_SL};

/* SQ, CQ and one PRP list page per slot, contiguous from NVME_SQ_IOVA */
static uint64_t nvme_cq(const struct nvme *n)
{
	return NVME_SQ_IOVA + (n->qdepth * 64 + PAGE - 1) / PAGE * PAGE;
}

static uint64_t nvme_prp(const struct nvme *n)
{
	return nvme_cq(n) + (n->qdepth * 16 + PAGE - 1) / PAGE * PAGE;
}

static uint64_t nvme_pa(uint64_t iova)
{
	return iova - NVME_SQ_IOVA + NVME_SQ_PA;
}

static void nvme_io(struct gw *g, const struct nvme *n, uint64_t k)
{
	uint64_t slot = k % n->qdepth, pages = n->block / PAGE, i;
	uint64_t iova = NVME_BUF + (k % (4 * n->qdepth)) * n->block;
	bool read = n->rw == 0 || (n->rw == 2 && below(g, 100) < 70);
	uint64_t pa[256];

	for (i = 0; i < pages; i++) {
		pa[i] = POOL_PA + below(g, POOL_PAGES) * PAGE;
		line(g, "map nvme 0x%" PRIx64 " 0x%" PRIx64 " 0x1000 perm=%s",
		     iova + i * PAGE, pa[i], perm(n->mode, read));
	}
	dma(g, NVME_SID, -1, NVME_SQ_IOVA + slot * 64, 64, false,
	    nvme_pa(NVME_SQ_IOVA + slot * 64));
	if (pages > 2) /* PRP2 points at a list of the other pages */
		dma(g, NVME_SID, -1, nvme_prp(n) + slot * PAGE, (pages - 1) * 8,
		    false, nvme_pa(nvme_prp(n) + slot * PAGE));
	for (i = 0; i < pages; i++) /* a read writes memory */
		dma(g, NVME_SID, -1, iova + i * PAGE, PAGE, read, pa[i]);
	dma(g, NVME_SID, -1, nvme_cq(n) + slot * 16, 16, true,
	    nvme_pa(nvme_cq(n) + slot * 16));
	line(g, "unmap nvme 0x%" PRIx64 " 0x%" PRIx64, iova, n->block);
}

static int gen_nvme(struct gen_common *c, int argc, char **argv,
		    struct trace_writer *w)
{
	const struct nvme *n = &nvme_v;
	struct gw g;
	uint64_t k;

	if (n->block % PAGE || n->block / PAGE > 256)
		return gen_err("nvme",
			       "bad --block %" PRIu64
			       " (4k multiples up to 1m)",
			       n->block);
	init_gw(&g, w, c);
	provenance(&g, argc, argv, "nvme");
	line(&g, "config timing.outstanding=%" PRIu64, n->qdepth);
	dma_domain(&g, n->mode, "nvme");
	line(&g, "map nvme 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 "%s",
	     NVME_SQ_IOVA, NVME_SQ_PA,
	     nvme_prp(n) + n->qdepth * PAGE - NVME_SQ_IOVA, coherent(n->mode));
	line(&g, "attach 00:05.0 nvme");
	for (k = 0; k < n->ios && !g.rc; k++) {
		g.t = k * c->gap;
		nvme_io(&g, n, k);
	}
	return g.rc;
}

static const struct opt nvme_opts[] = {
	{"--ios", OPT_NUM, &nvme_v.ios, 1, 1ull << 32, NULL, NULL, NULL,
	 "commands (10000)"},
	{"--qdepth", OPT_NUM, &nvme_v.qdepth, 1, 4096, NULL, NULL, NULL,
	 "queue entries, also the requests in flight (32)"},
	{"--block", OPT_SIZE, &nvme_v.block, PAGE, 1ull << 20, NULL, NULL, NULL,
	 "bytes per command, 4k multiples (4k); PRP lists beyond 8k"},
	{"--rw", OPT_WORD, NULL, 0, 0, nvme_rw, &nvme_v.rw, NULL,
	 "r, w or mix (70% reads)"},
	{"--mode", OPT_WORD, NULL, 0, 0, modes, &nvme_v.mode, NULL,
	 "legacy, sl or fl (sl)"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

/* ---- sva -------------------------------------------------------------------
 */

#define SVA_VA	((uint64_t)0x7f0000000000)
#define SVA_PA	((uint64_t)0x80000000)
#define SVA_SID 0x0030 /* 00:06.0 */

struct sva {
	uint64_t pages, touches, prefault, writes, pasid, handler;
};

static struct sva sva_v = {512, 20000, 50, 30, 1, 2000};

static void sva_line(struct gw *g, const struct sva *s, uint8_t *mapped,
		     uint64_t k)
{
	uint64_t p = below(g, s->pages), off = below(g, PAGE / 64) * 64;
	uint64_t va = SVA_VA + p * PAGE + off, pa = SVA_PA + p * PAGE + off;
	bool write = below(g, 100) < s->writes;
	char dev[16], want[64] = "";

	trace_format_bdf(SVA_SID, dev);
	if (mapped[p]) {
		if (g->expect)
			snprintf(want, sizeof(want), " expect=ok pa=0x%" PRIx64,
				 pa);
		line(g, "dev.dma %s 0x%" PRIx64 " %c pasid=%" PRIu64 "%s", dev,
		     va, write ? 'w' : 'r', s->pasid, want);
		return;
	}
	/* first touch: a page request; software maps the page and answers
	 * Success; the device retries when the response arrives */
	line(g,
	     "dev.dma %s 0x%" PRIx64 " %c pasid=%" PRIu64 " tag=%" PRIu64
	     " expect=pending",
	     dev, va, write ? 'w' : 'r', s->pasid, k);
	g->t += s->handler / 2;
	line(g, "map proc 0x%" PRIx64 " 0x%" PRIx64 " 0x1000 user",
	     SVA_VA + p * PAGE, SVA_PA + p * PAGE);
	line(g, "prq.respond success delay=%" PRIu64,
	     s->handler - s->handler / 2);
	g->t += s->handler - s->handler / 2;
	line(g, "dev.done %s tag=%" PRIu64 " expect=ok pa=0x%" PRIx64 " prq=1",
	     dev, k, pa);
	mapped[p] = 1;
}

static int gen_sva(struct gen_common *c, int argc, char **argv,
		   struct trace_writer *w)
{
	const struct sva *s = &sva_v;
	uint8_t *mapped = calloc(s->pages, 1);
	uint64_t k, p, next = 0;
	struct gw g;

	if (!mapped)
		return gen_err("sva", "out of memory");
	init_gw(&g, w, c);
	provenance(&g, argc, argv, "sva");
	line(&g, "iommu.init mode=scalable qi=on dw=256");
	line(&g, "prq.init qs=2");
	line(&g, "device 00:06.0 pasid=20 ats=32 pri=512 devtlb=16x4");
	line(&g, "domain proc type=fl levels=4");
	for (p = 0; p < s->pages; p++) {
		if (below(&g, 100) >= s->prefault)
			continue;
		mapped[p] = 1;
		line(&g, "map proc 0x%" PRIx64 " 0x%" PRIx64 " 0x1000 user",
		     SVA_VA + p * PAGE, SVA_PA + p * PAGE);
	}
	line(&g, "attach 00:06.0 proc pasid=%" PRIu64 " pre dte", s->pasid);
	for (k = 0; k < s->touches && !g.rc; k++) {
		/* every touch at least --gap after the one before; a fault's
		 * handling pushes the next ones back */
		if (g.t < next)
			g.t = next;
		sva_line(&g, s, mapped, k);
		next = g.t + (c->gap ? c->gap : 1);
	}
	free(mapped);
	return g.rc;
}

static const struct opt sva_opts[] = {
	{"--pages", OPT_NUM, &sva_v.pages, 1, 1u << 20, NULL, NULL, NULL,
	 "the process's working set in 4 KiB pages (512)"},
	{"--touches", OPT_NUM, &sva_v.touches, 1, 1ull << 32, NULL, NULL, NULL,
	 "device accesses (20000)"},
	{"--prefault", OPT_NUM, &sva_v.prefault, 0, 100, NULL, NULL, NULL,
	 "per cent of the pages mapped before the device starts (50)"},
	{"--writes", OPT_NUM, &sva_v.writes, 0, 100, NULL, NULL, NULL,
	 "per cent of accesses that write (30)"},
	{"--pasid", OPT_NUM, &sva_v.pasid, 1, 0xfffff, NULL, NULL, NULL,
	 "the process's PASID (1)"},
	{"--handler", OPT_NUM, &sva_v.handler, 2, 1000000000, NULL, NULL, NULL,
	 "ns from a page request to its response (2000): half mapping, "
	 "half the response's delay"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

/* ---- tenants ---------------------------------------------------------------
 */

#define TEN_IOVA ((uint64_t)0x100000000)
#define TEN_GPA	 ((uint64_t)0x40000000)
#define TEN_PA	 ((uint64_t)0x2000000000) /* tenant i's memory at + i * 1 GiB */

struct tenants {
	uint64_t n, pages, requests, burst, size, inflight;
	unsigned int rw;
};

static const char *const ten_rw[] = {"r", "w", NULL};
static struct tenants ten_v = {16, 64, 100000, 4, 64, 8, 0};

static uint16_t tenant_sid(uint64_t i)
{
	return (uint16_t)(0x100 + i); /* VFs from 01:00.0 */
}

static void tenant_setup(struct gw *g, const struct tenants *t, uint64_t i)
{
	uint64_t len = t->pages * PAGE, pa = TEN_PA + (i << 30);
	char dev[16];

	line(g, "domain vm%" PRIu64 " type=sl levels=4", i);
	line(g, "map vm%" PRIu64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64, i,
	     TEN_GPA, pa, len);
	line(g, "domain g%" PRIu64 " type=fl levels=4 parent=vm%" PRIu64, i, i);
	line(g,
	     "map g%" PRIu64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " user",
	     i, TEN_IOVA, TEN_GPA, len);
	line(g, "attach %s g%" PRIu64 " pasid=%" PRIu64,
	     trace_format_bdf(tenant_sid(i), dev), i, i + 1);
}

static int gen_tenants(struct gen_common *c, int argc, char **argv,
		       struct trace_writer *w)
{
	const struct tenants *t = &ten_v;
	uint64_t k, i;
	struct gw g;

	init_gw(&g, w, c);
	provenance(&g, argc, argv, "tenants");
	line(&g, "config timing.outstanding=%" PRIu64, t->inflight);
	line(&g, "iommu.init mode=scalable");
	for (i = 0; i < t->n; i++)
		tenant_setup(&g, t, i);
	for (k = 0; k < t->requests && !g.rc; k++) {
		uint64_t who = (k / t->burst) % t->n;
		uint64_t off = below(&g, t->pages * PAGE / t->size) * t->size;

		g.t = k * c->gap;
		dma(&g, tenant_sid(who), (int64_t)(who + 1), TEN_IOVA + off,
		    t->size, t->rw == 1, TEN_PA + (who << 30) + off);
	}
	return g.rc;
}

static const struct opt ten_opts[] = {
	{"--tenants", OPT_NUM, &ten_v.n, 1, 256, NULL, NULL, NULL,
	 "tenants, each a VF 01:00.0, 01:00.1, ... with PASID i+1 (16)"},
	{"--pages", OPT_NUM, &ten_v.pages, 1, 1u << 18, NULL, NULL, NULL,
	 "each tenant's working set in 4 KiB pages (64)"},
	{"--requests", OPT_NUM, &ten_v.requests, 1, 1ull << 32, NULL, NULL,
	 NULL, "requests in all (100000)"},
	{"--burst", OPT_NUM, &ten_v.burst, 1, 1u << 20, NULL, NULL, NULL,
	 "consecutive requests of one tenant before the next one's (4)"},
	{"--size", OPT_NUM, &ten_v.size, 1, PAGE, NULL, NULL, NULL,
	 "bytes per request, within a page (64)"},
	{"--inflight", OPT_NUM, &ten_v.inflight, 1, 4096, NULL, NULL, NULL,
	 "requests each VF has in flight (8)"},
	{"--rw", OPT_WORD, NULL, 0, 0, ten_rw, &ten_v.rw, NULL, "r or w (r)"},
	{NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL},
};

/* ---- dispatch --------------------------------------------------------------
 */

struct workload {
	const char *kind;
	const struct opt *opts;
	int (*run)(struct gen_common *c, int argc, char **argv,
		   struct trace_writer *w);
};

static const struct workload workloads[] = {
	{"nic", nic_opts, gen_nic},
	{"nvme", nvme_opts, gen_nvme},
	{"sva", sva_opts, gen_sva},
	{"tenants", ten_opts, gen_tenants},
};

bool gen_workload_known(const char *kind)
{
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (!strcmp(workloads[i].kind, kind))
			return true;
	return false;
}

int gen_workload_main(const char *kind, int argc, char **argv)
{
	const struct workload *wl = NULL;
	struct gen_common c = {.kind = kind, .seed = 1};
	struct trace_file out;
	int rc;

	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (!strcmp(workloads[i].kind, kind))
			wl = &workloads[i];
	if (!wl)
		return gen_err(kind, "unknown generator");
	rc = parse_opts(&c, wl->opts, argc, argv);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (trace_file_open(&out, c.out, &c.fmt, "vtdsim gen"))
		return 2;
	rc = wl->run(&c, argc, argv, out.w);
	if (trace_file_close(&out, !rc, "vtdsim gen") && !rc)
		rc = 1;
	return rc;
}
