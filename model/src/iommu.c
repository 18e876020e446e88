// SPDX-License-Identifier: MIT
/*
 * A remapping hardware unit: configuration, life cycle, statistics, names.
 */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vtd_internal.h"

/* Tables read best as tables. */
/* clang-format off */
#define MAX_CACHE_SETS	 (1u << 16)
#define MAX_CACHE_WAYS	 64u
#define MAX_FAULT_REGS	 128u /* the records must fit in the 4 KiB page */

static const char *const cache_names[VTD_CACHE_COUNT] = {
	[VTD_CACHE_CONTEXT] = "context",
	[VTD_CACHE_PASID] = "pasid",
	[VTD_CACHE_IOTLB] = "iotlb",
	[VTD_CACHE_FL_PSC] = "fl_psc",
	[VTD_CACHE_SL_PSC] = "sl_psc",
};

static const size_t cache_data_size[VTD_CACHE_COUNT] = {
	[VTD_CACHE_CONTEXT] = sizeof(struct vtd_context_cache_data),
	[VTD_CACHE_PASID] = sizeof(struct vtd_pasid_cache_data),
	[VTD_CACHE_IOTLB] = sizeof(struct vtd_iotlb_data),
	[VTD_CACHE_FL_PSC] = sizeof(struct vtd_psc_data),
	[VTD_CACHE_SL_PSC] = sizeof(struct vtd_psc_data),
};

static const char *const repl_names[] = {
	[VTD_REPL_LRU] = "lru",
	[VTD_REPL_FIFO] = "fifo",
	[VTD_REPL_RANDOM] = "random",
};

/* ---- configuration keys ------------------------------------------------- */

enum key_kind {
	K_CAP_BITS,  /* a CAP field hi..lo (bias added for MGAW) */
	K_ECAP_BITS, /* an ECAP field hi..lo */
	K_CAP,	     /* the whole CAP register */
	K_ECAP,	     /* the whole ECAP register */
	K_VERSION,
	K_HAW,
	K_FAULT_REGS,
	K_SEED,
	K_CHECK,
	K_FAST,
	K_INV_MODE,
	K_DEVTLB_TIMEOUT,
	K_VCCAP,
	K_CACHE_SETS,
	K_CACHE_WAYS,
	K_CACHE_REPL,
	K_TIMING_U32, /* a uint32_t of struct vtd_timing_config at .off */
	K_TIMING_BOOL, /* a bool of struct vtd_timing_config at .off */
};

struct key_desc {
	const char *key;
	enum key_kind kind;
	uint8_t hi, lo, bias, cache;
	const char *help;
	uint16_t off; /* K_TIMING_*: offset in struct vtd_timing_config */
	uint32_t min, max; /* K_TIMING_U32: allowed range */
};

#define TOFF(f) offsetof(struct vtd_timing_config, f)
#define TKEY(k, f, lo, hi, h) { k, K_TIMING_U32, 0, 0, 0, 0, h, TOFF(f), lo, hi }
#define CAPB(k, b, h)  { k, K_CAP_BITS, b, b, 0, 0, h }
#define ECAPB(k, b, h) { k, K_ECAP_BITS, b, b, 0, 0, h }
#define CACHE_KEYS(id, n)                                                     \
	{ n ".sets", K_CACHE_SETS, 0, 0, 0, id, "sets (power of two, 0 off)" }, \
	{ n ".ways", K_CACHE_WAYS, 0, 0, 0, id, "ways per set" },             \
	{ n ".repl", K_CACHE_REPL, 0, 0, 0, id, "lru, fifo or random" }

/* Only the timing keys fill .off/.min/.max: the rest leave them zero. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct key_desc keys[] = {
	{ "version", K_VERSION, 0, 0, 0, 0, "VER: major<<4 | minor" },
	{ "haw", K_HAW, 0, 0, 0, 0, "host address width (output bits)" },
	{ "fault_regs", K_FAULT_REGS, 0, 0, 0, 0, "fault recording registers" },
	{ "seed", K_SEED, 0, 0, 0, 0, "seed of random replacement" },
	{ "check", K_CHECK, 0, 0, 0, 0, "stale-translation checker (0/1)" },
	{ "fast", K_FAST, 0, 0, 0, 0,
	  "fast lane: translation memo, lone hits run at once (0/1; same "
	  "results)" },
	{ "inv_mode", K_INV_MODE, 0, 0, 0, 0,
	  "invalidation scope: strict (what the spec requires) or generous "
	  "(everything of the domain)" },
	{ "devtlb_timeout", K_DEVTLB_TIMEOUT, 0, 0, 0, 0,
	  "ns before a device-TLB invalidation is an ITE" },
	{ "vccap", K_VCCAP, 0, 0, 0, 0, "VCCAP: bit 0 PASID allocation" },
	{ "cap", K_CAP, 0, 0, 0, 0, "CAP register (layout fields ignored)" },
	{ "ecap", K_ECAP, 0, 0, 0, 0, "ECAP register (layout fields ignored)" },
	{ "cap.nd", K_CAP_BITS, 2, 0, 0, 0, "number of domains: 2^(4+2*ND)" },
	CAPB("cap.rwbf", 4, "required write-buffer flushing"),
	CAPB("cap.plmr", 5, "protected low-memory region"),
	CAPB("cap.phmr", 6, "protected high-memory region"),
	CAPB("cap.cm", 7, "caching mode"),
	{ "cap.sagaw", K_CAP_BITS, 12, 8, 0, 0,
	  "second-level AGAWs: 0x2 3-level, 0x4 4-level, 0x8 5-level" },
	{ "cap.mgaw", K_CAP_BITS, 21, 16, 1, 0, "max guest address width" },
	CAPB("cap.zlr", 22, "zero-length read"),
	{ "cap.sllps", K_CAP_BITS, 37, 34, 0, 0,
	  "second-level large pages: bit0 2M, bit1 1G" },
	CAPB("cap.psi", 39, "page-selective invalidation"),
	{ "cap.mamv", K_CAP_BITS, 53, 48, 0, 0, "max address mask value" },
	CAPB("cap.dwd", 54, "write draining"),
	CAPB("cap.drd", 55, "read draining"),
	CAPB("cap.fl1gp", 56, "first-level 1 GiB pages"),
	CAPB("cap.pi", 59, "posted interrupts"),
	CAPB("cap.fl5lp", 60, "first-level 5-level paging"),
	CAPB("cap.esirtps", 62, "SIRTP invalidates interrupt caches"),
	CAPB("cap.esrtps", 63, "SRTP invalidates translation caches"),
	ECAPB("ecap.c", 0, "page-walk coherency"),
	ECAPB("ecap.qi", 1, "queued invalidation"),
	ECAPB("ecap.dt", 2, "device-TLB"),
	ECAPB("ecap.ir", 3, "interrupt remapping"),
	ECAPB("ecap.eim", 4, "extended interrupt mode"),
	ECAPB("ecap.pt", 6, "pass-through"),
	ECAPB("ecap.sc", 7, "snoop control"),
	{ "ecap.mhmv", K_ECAP_BITS, 23, 20, 0, 0, "max handle mask value" },
	ECAPB("ecap.mts", 25, "memory type"),
	ECAPB("ecap.nest", 26, "nested translation"),
	ECAPB("ecap.prs", 29, "page requests"),
	ECAPB("ecap.ers", 30, "execute requests"),
	ECAPB("ecap.srs", 31, "supervisor requests"),
	ECAPB("ecap.nwfs", 33, "no write flag"),
	ECAPB("ecap.eafs", 34, "extended accessed flag"),
	{ "ecap.pss", K_ECAP_BITS, 39, 35, 0, 0, "PASID bits - 1" },
	ECAPB("ecap.pasid", 40, "PASID support"),
	ECAPB("ecap.dit", 41, "device-TLB invalidation throttling"),
	ECAPB("ecap.pds", 42, "page-request drain"),
	ECAPB("ecap.smts", 43, "scalable-mode translation"),
	ECAPB("ecap.vcs", 44, "virtual command"),
	ECAPB("ecap.slads", 45, "second-level A/D"),
	ECAPB("ecap.slts", 46, "second-level translation"),
	ECAPB("ecap.flts", 47, "first-level translation"),
	ECAPB("ecap.smpwcs", 48, "scalable-mode page-walk coherency"),
	ECAPB("ecap.rps", 49, "RID_PASID"),
	ECAPB("ecap.pms", 51, "performance monitoring"),
	CACHE_KEYS(VTD_CACHE_CONTEXT, "context"),
	CACHE_KEYS(VTD_CACHE_PASID, "pasid"),
	CACHE_KEYS(VTD_CACHE_IOTLB, "iotlb"),
	CACHE_KEYS(VTD_CACHE_FL_PSC, "fl_psc"),
	CACHE_KEYS(VTD_CACHE_SL_PSC, "sl_psc"),
	{ "timing", K_TIMING_BOOL, 0, 0, 0, 0,
	  "timing model on (1) or off (0: every latency is 0)", TOFF(enabled) },
	TKEY("timing.clock_mhz", clock_mhz, 1, 100000, "unit clock, MHz"),
	TKEY("timing.link.latency_ns", link_latency_ns, 0, 1000000,
	     "link crossing, ns, each direction"),
	TKEY("timing.link.mbps", link_mbps, 1, 1000000,
	     "link bandwidth per direction, MB/s"),
	TKEY("timing.link.tlp_overhead", tlp_overhead, 0, 256,
	     "bytes per TLP (header, framing, CRC)"),
	TKEY("timing.link.mps", mps, 64, 4096, "max payload size, bytes"),
	TKEY("timing.link.mrrs", mrrs, 64, 4096, "max read request size, bytes"),
	TKEY("timing.link.rcb", rcb, 64, 4096, "read completion boundary, bytes"),
	TKEY("timing.slots", slots, 1, 4096, "translation slots"),
	TKEY("timing.walkers", walkers, 1, 4096, "page walkers"),
	TKEY("timing.context.cycles", lookup_cycles[VTD_CACHE_CONTEXT], 0,
	     1000000, "context-cache lookup, cycles"),
	TKEY("timing.pasid.cycles", lookup_cycles[VTD_CACHE_PASID], 0, 1000000,
	     "PASID-cache lookup, cycles"),
	TKEY("timing.iotlb.cycles", lookup_cycles[VTD_CACHE_IOTLB], 0, 1000000,
	     "IOTLB lookup, cycles"),
	TKEY("timing.fl_psc.cycles", lookup_cycles[VTD_CACHE_FL_PSC], 0,
	     1000000, "first-level PSC lookup, cycles"),
	TKEY("timing.sl_psc.cycles", lookup_cycles[VTD_CACHE_SL_PSC], 0,
	     1000000, "second-level PSC lookup, cycles"),
	TKEY("timing.mem.latency_ns", mem_latency_ns, 0, 1000000,
	     "table read from DRAM, ns"),
	TKEY("timing.mem.llc_latency_ns", llc_latency_ns, 0, 1000000,
	     "table read hitting the LLC, ns"),
	TKEY("timing.mem.llc_hit_pct", llc_hit_pct, 0, 100,
	     "table reads hitting the LLC, percent"),
	TKEY("timing.mem.mbps", mem_mbps, 1, 10000000,
	     "memory interface bandwidth, MB/s"),
	TKEY("timing.dma.latency_ns", dma_latency_ns, 0, 1000000,
	     "DMA data access in memory, ns"),
	TKEY("timing.qi.desc_cycles", qi_desc_cycles, 0, 1000000,
	     "invalidation descriptor decode, cycles"),
	TKEY("timing.qi.inv_cycles", qi_inv_cycles, 0, 1000000,
	     "a cache invalidation, cycles"),
	TKEY("timing.qi.wait_cycles", qi_wait_cycles, 0, 1000000,
	     "an invalidation wait, cycles"),
	TKEY("timing.irq_ns", irq_ns, 0, 100000000,
	     "interrupt message to the CPU, ns"),
	TKEY("timing.devtlb_ns", devtlb_ns, 0, 1000000,
	     "device-TLB lookup in the endpoint, ns"),
	TKEY("timing.retry_ns", retry_ns, 0, 100000000,
	     "page group response to the device's retry, ns"),
	TKEY("timing.outstanding", outstanding, 1, 4096,
	     "requests a device has in flight"),
	{ "timing.in_order", K_TIMING_BOOL, 0, 0, 0, 0,
	  "completions in order per device (0/1)", TOFF(in_order) },
	{ "timing.qi.async", K_TIMING_BOOL, 0, 0, 0, 0,
	  "invalidations take effect over model time, one descriptor at a "
	  "time (1), or at the IQT write (0)", TOFF(qi_async) },
};
#pragma GCC diagnostic pop

/* clang-format on */

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* Defaults and their sources: docs/timing.md. */
static void vtd_timing_config_init(struct vtd_timing_config *t)
{
	static const uint32_t lookup[VTD_CACHE_COUNT] = {4, 4, 4, 4, 4};

	t->enabled = true;
	t->clock_mhz = 2000;
	t->link_latency_ns = 200;
	t->link_mbps = 7877; /* Gen3 x8: 8 GT/s * 8 * 128/130 / 8 */
	t->tlp_overhead = 24;
	t->mps = 256;
	t->mrrs = 512;
	t->rcb = 64;
	t->slots = 64;
	t->walkers = 4;
	memcpy(t->lookup_cycles, lookup, sizeof(lookup));
	t->mem_latency_ns = 220;
	t->llc_latency_ns = 40;
	t->llc_hit_pct = 0;
	t->mem_mbps = 30000;
	t->dma_latency_ns = 130;
	t->qi_desc_cycles = 20;
	t->qi_inv_cycles = 50;
	t->qi_wait_cycles = 10;
	t->irq_ns = 1000;
	t->devtlb_ns = 10;
	t->retry_ns = 100;
	t->outstanding = 32;
	t->in_order = false;
	t->qi_async = false;
}

void vtd_config_init(struct vtd_config *cfg)
{
	static const struct vtd_cache_geometry geom[VTD_CACHE_COUNT] = {
		[VTD_CACHE_CONTEXT] = {16, 4, VTD_REPL_LRU},
		[VTD_CACHE_PASID] = {16, 4, VTD_REPL_LRU},
		[VTD_CACHE_IOTLB] = {8, 16, VTD_REPL_LRU},
		[VTD_CACHE_FL_PSC] = {16, 4, VTD_REPL_LRU},
		[VTD_CACHE_SL_PSC] = {16, 4, VTD_REPL_LRU},
	};

	memset(cfg, 0, sizeof(*cfg));
	cfg->version = 0x40; /* rev 4.x layouts (docs/configuration.md) */
	cfg->haw = 46;
	cfg->num_fault_regs = 8;
	cfg->cap = (6ULL << VTD_CAP_ND_SHIFT) |
		   ((uint64_t)(VTD_CAP_SAGAW_3LVL | VTD_CAP_SAGAW_4LVL |
			       VTD_CAP_SAGAW_5LVL)
		    << VTD_CAP_SAGAW_SHIFT) |
		   (56ULL << VTD_CAP_MGAW_SHIFT) | VTD_CAP_ZLR |
		   (3ULL << VTD_CAP_SLLPS_SHIFT) | VTD_CAP_PSI |
		   (18ULL << VTD_CAP_MAMV_SHIFT) | VTD_CAP_DWD | VTD_CAP_DRD |
		   VTD_CAP_FL1GP | VTD_CAP_FL5LP;
	cfg->ecap = VTD_ECAP_C | VTD_ECAP_QI | VTD_ECAP_DT | VTD_ECAP_PT |
		    (15ULL << VTD_ECAP_MHMV_SHIFT) | VTD_ECAP_NEST |
		    VTD_ECAP_PRS | VTD_ECAP_ERS | VTD_ECAP_SRS | VTD_ECAP_EAFS |
		    (19ULL << VTD_ECAP_PSS_SHIFT) | VTD_ECAP_PASID |
		    VTD_ECAP_PDS | VTD_ECAP_SMTS | VTD_ECAP_SLADS |
		    VTD_ECAP_SLTS | VTD_ECAP_FLTS | VTD_ECAP_SMPWCS |
		    VTD_ECAP_RPS;
	memcpy(cfg->cache, geom, sizeof(geom));
	cfg->seed = 1;
	cfg->check_stale = false;
	cfg->fast = true;
	cfg->devtlb_inv_timeout_ns = 100000; /* 100 us */
	cfg->vccap = 0;
	vtd_timing_config_init(&cfg->timing);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return (errno || *end) ? -1 : 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "on", "true", "yes"};
	static const char *const no[] = {"0", "off", "false", "no"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			*out = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	return -1;
}

static const struct key_desc *find_key(const char *key)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].key, key))
			return &keys[i];
	return NULL;
}

static int set_repl(struct vtd_cache_geometry *g, const char *value)
{
	size_t i;

	for (i = 0; i < sizeof(repl_names) / sizeof(repl_names[0]); i++) {
		if (!strcasecmp(value, repl_names[i])) {
			g->repl = (enum vtd_replacement)i;
			return 0;
		}
	}
	return -1;
}

static const char *const inv_mode_names[] = {
	[VTD_INV_STRICT] = "strict",
	[VTD_INV_GENEROUS] = "generous",
};

static int set_inv_mode(struct vtd_config *cfg, const char *value)
{
	size_t i;

	for (i = 0; i < sizeof(inv_mode_names) / sizeof(inv_mode_names[0]);
	     i++) {
		if (!strcasecmp(value, inv_mode_names[i])) {
			cfg->inv_mode = (enum vtd_inv_mode)i;
			return 0;
		}
	}
	return -1;
}

static int set_bits(uint64_t *reg, const struct key_desc *k, uint64_t n)
{
	uint64_t mask = VTD_GENMASK(k->hi, k->lo);
	uint64_t max = mask >> k->lo;

	if (n < k->bias || n - k->bias > max)
		return -1;
	*reg = (*reg & ~mask) | ((n - k->bias) << k->lo);
	return 0;
}

static int set_number(struct vtd_config *cfg, const struct key_desc *k,
		      uint64_t n)
{
	struct vtd_cache_geometry *g = &cfg->cache[k->cache];

	switch (k->kind) {
	case K_CAP_BITS:
		return set_bits(&cfg->cap, k, n);
	case K_ECAP_BITS:
		return set_bits(&cfg->ecap, k, n);
	case K_CAP:
		cfg->cap = n;
		return 0;
	case K_ECAP:
		cfg->ecap = n;
		return 0;
	case K_VERSION:
		if (n > 0xff)
			return -1;
		cfg->version = (uint32_t)n;
		return 0;
	case K_HAW:
		cfg->haw = (unsigned int)(n > 64 ? 64 : n);
		return n > 64 ? -1 : 0;
	case K_FAULT_REGS:
		cfg->num_fault_regs = (unsigned int)(n > 1024 ? 1024 : n);
		return n > 1024 ? -1 : 0;
	case K_SEED:
		cfg->seed = n;
		return 0;
	case K_DEVTLB_TIMEOUT:
		cfg->devtlb_inv_timeout_ns = n;
		return 0;
	case K_VCCAP:
		cfg->vccap = n;
		return 0;
	case K_CACHE_SETS:
		g->sets = (uint32_t)(n > MAX_CACHE_SETS ? 0 : n);
		return n > MAX_CACHE_SETS ? -1 : 0;
	case K_CACHE_WAYS:
		g->ways = (uint32_t)(n > MAX_CACHE_WAYS ? 0 : n);
		return n > MAX_CACHE_WAYS ? -1 : 0;
	default:
		return -1;
	}
}

int vtd_config_set(struct vtd_config *cfg, const char *key, const char *value,
		   char *err, size_t errlen)
{
	const struct key_desc *k = find_key(key);
	uint64_t n;
	bool b;

	if (!k) {
		set_err(err, errlen, "unknown configuration key '%s'", key);
		return -1;
	}
	if (k->kind == K_CHECK || k->kind == K_FAST) {
		if (parse_bool(value, &b))
			goto bad;
		if (k->kind == K_CHECK)
			cfg->check_stale = b;
		else
			cfg->fast = b;
		return 0;
	}
	if (k->kind == K_CACHE_REPL) {
		if (set_repl(&cfg->cache[k->cache], value))
			goto bad;
		return 0;
	}
	if (k->kind == K_INV_MODE) {
		if (set_inv_mode(cfg, value))
			goto bad;
		return 0;
	}
	if (k->kind == K_TIMING_BOOL) {
		if (parse_bool(value, &b))
			goto bad;
		*(bool *)((char *)&cfg->timing + k->off) = b;
		return 0;
	}
	if (k->kind == K_TIMING_U32) {
		if (parse_u64(value, &n) || n < k->min || n > k->max) {
			set_err(err, errlen,
				"bad value '%s' for configuration key '%s' "
				"(%u..%u)",
				value, key, k->min, k->max);
			return -1;
		}
		*(uint32_t *)((char *)&cfg->timing + k->off) = (uint32_t)n;
		return 0;
	}
	if (parse_bool(value, &b) == 0 && strcmp(value, "0") &&
	    strcmp(value, "1"))
		n = b; /* on/off for single bits */
	else if (parse_u64(value, &n))
		goto bad;
	if (set_number(cfg, k, n))
		goto bad;
	return 0;
bad:
	set_err(err, errlen, "bad value '%s' for configuration key '%s'", value,
		key);
	return -1;
}

size_t vtd_config_key_count(void)
{
	return NKEYS;
}

static uint64_t get_number(const struct vtd_config *cfg,
			   const struct key_desc *k)
{
	const struct vtd_cache_geometry *g = &cfg->cache[k->cache];

	switch (k->kind) {
	case K_CAP_BITS:
		return VTD_FIELD(cfg->cap, k->hi, k->lo) + k->bias;
	case K_ECAP_BITS:
		return VTD_FIELD(cfg->ecap, k->hi, k->lo);
	case K_CAP:
		return cfg->cap;
	case K_ECAP:
		return cfg->ecap;
	case K_VERSION:
		return cfg->version;
	case K_HAW:
		return cfg->haw;
	case K_FAULT_REGS:
		return cfg->num_fault_regs;
	case K_SEED:
		return cfg->seed;
	case K_CHECK:
		return cfg->check_stale;
	case K_FAST:
		return cfg->fast;
	case K_DEVTLB_TIMEOUT:
		return cfg->devtlb_inv_timeout_ns;
	case K_VCCAP:
		return cfg->vccap;
	case K_CACHE_SETS:
		return g->sets;
	case K_CACHE_WAYS:
		return g->ways;
	case K_TIMING_U32:
		return *(const uint32_t *)((const char *)&cfg->timing + k->off);
	case K_TIMING_BOOL:
		return *(const bool *)((const char *)&cfg->timing + k->off);
	default:
		return 0;
	}
}

void vtd_config_key(const struct vtd_config *cfg, size_t i, const char **key,
		    const char **help, char *value, size_t len)
{
	const struct key_desc *k = &keys[i < NKEYS ? i : 0];

	*key = k->key;
	*help = k->help;
	if (k->kind == K_CACHE_REPL)
		snprintf(value, len, "%s",
			 repl_names[cfg->cache[k->cache].repl]);
	else if (k->kind == K_INV_MODE)
		snprintf(value, len, "%s",
			 inv_mode_names[cfg->inv_mode == VTD_INV_GENEROUS]);
	else if (k->kind == K_CAP || k->kind == K_ECAP)
		snprintf(value, len, "0x%016" PRIx64, get_number(cfg, k));
	else
		snprintf(value, len, "%" PRIu64, get_number(cfg, k));
}

static int validate_cache(const struct vtd_cache_geometry *g, int id, char *err,
			  size_t errlen)
{
	if (g->sets & (g->sets - 1) || g->sets > MAX_CACHE_SETS) {
		set_err(err, errlen, "%s.sets must be a power of two <= %u",
			cache_names[id], MAX_CACHE_SETS);
		return -1;
	}
	if (g->sets && (g->ways < 1 || g->ways > MAX_CACHE_WAYS)) {
		set_err(err, errlen, "%s.ways must be 1..%u", cache_names[id],
			MAX_CACHE_WAYS);
		return -1;
	}
	if ((unsigned int)g->repl > VTD_REPL_RANDOM) {
		set_err(err, errlen, "%s.repl is not a replacement policy",
			cache_names[id]);
		return -1;
	}
	return 0;
}

static int validate_features(const struct vtd_config *cfg, char *err,
			     size_t errlen)
{
	uint64_t e = cfg->ecap;

	if ((e & VTD_ECAP_SMTS) && !(e & VTD_ECAP_QI)) {
		set_err(err, errlen, "ecap.smts needs ecap.qi");
		return -1;
	}
	/* device-TLB invalidations exist only as queued descriptors */
	if ((e & VTD_ECAP_DT) && !(e & VTD_ECAP_QI)) {
		set_err(err, errlen, "ecap.dt needs ecap.qi");
		return -1;
	}
	if ((e & VTD_ECAP_PASID) && !(e & VTD_ECAP_SMTS)) {
		set_err(err, errlen, "ecap.pasid needs ecap.smts");
		return -1;
	}
	if ((e & VTD_ECAP_NEST) &&
	    (!(e & VTD_ECAP_FLTS) || !(e & VTD_ECAP_SLTS))) {
		set_err(err, errlen, "ecap.nest needs ecap.flts and ecap.slts");
		return -1;
	}
	if ((e & VTD_ECAP_PRS) && !(e & VTD_ECAP_PASID)) {
		set_err(err, errlen, "ecap.prs needs ecap.pasid");
		return -1;
	}
	/* PASIDs are 20 bits: PSS 19 at most */
	if (VTD_ECAP_PSS(e) > 19) {
		set_err(err, errlen, "ecap.pss must be 0..19 (PASID bits - 1)");
		return -1;
	}
	return 0;
}

static int validate_timing(const struct vtd_timing_config *t, char *err,
			   size_t errlen)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		const struct key_desc *k = &keys[i];
		uint32_t n;

		if (k->kind != K_TIMING_U32)
			continue;
		n = *(const uint32_t *)((const char *)t + k->off);
		if (n < k->min || n > k->max) {
			set_err(err, errlen, "%s must be %u..%u, not %u",
				k->key, k->min, k->max, n);
			return -1;
		}
	}
	return 0;
}

int vtd_config_validate(const struct vtd_config *cfg, char *err, size_t errlen)
{
	unsigned int mgaw = VTD_CAP_MGAW(cfg->cap);
	uint64_t sagaw = VTD_CAP_SAGAW(cfg->cap);
	int i;

	if (cfg->haw < 32 || cfg->haw > 52) {
		set_err(err, errlen, "haw must be 32..52, not %u", cfg->haw);
		return -1;
	}
	if (mgaw < 39 || mgaw > 57) {
		set_err(err, errlen, "cap.mgaw must be 39..57, not %u", mgaw);
		return -1;
	}
	if (!sagaw || (sagaw & ~0xeULL)) {
		set_err(err, errlen,
			"cap.sagaw must be a non-empty set of 0x2|0x4|0x8");
		return -1;
	}
	if (cfg->num_fault_regs < 1 || cfg->num_fault_regs > MAX_FAULT_REGS) {
		set_err(err, errlen, "fault_regs must be 1..%u",
			MAX_FAULT_REGS);
		return -1;
	}
	if (cfg->inv_mode != VTD_INV_STRICT &&
	    cfg->inv_mode != VTD_INV_GENEROUS) {
		set_err(err, errlen, "inv_mode must be strict or generous");
		return -1;
	}
	for (i = 0; i < VTD_CACHE_COUNT; i++)
		if (validate_cache(&cfg->cache[i], i, err, errlen))
			return -1;
	if (validate_timing(&cfg->timing, err, errlen))
		return -1;
	return validate_features(cfg, err, errlen);
}

/* ---- instances ---------------------------------------------------------- */

struct vtd *vtd_create(const struct vtd_config *cfg,
		       const struct vtd_host_ops *ops, void *opaque, char *err,
		       size_t errlen)
{
	struct vtd *v;
	int i;

	if (vtd_config_validate(cfg, err, errlen))
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		goto nomem;
	v->cfg = *cfg;
	if (ops)
		v->ops = *ops;
	v->opaque = opaque;
	for (i = 0; i < VTD_CACHE_COUNT; i++) {
		v->cache[i] = vtd_cache_create(
			&cfg->cache[i], cache_data_size[i],
			cfg->seed + (uint64_t)i, &v->stats.cache[i]);
		if (!v->cache[i])
			goto nomem;
	}
	if (vtd_tm_create(v) || vtd_memo_create(v))
		goto nomem;
	vtd_reset(v);
	return v;
nomem:
	vtd_destroy(v);
	set_err(err, errlen, "out of memory");
	return NULL;
}

void vtd_destroy(struct vtd *v)
{
	int i;

	if (!v)
		return;
	vtd_endpoints_destroy_all(v);
	vtd_inv_queue_destroy(v);
	vtd_prq_destroy(v);
	vtd_vcmd_destroy(v);
	vtd_sched_destroy(v);
	vtd_tm_destroy(v);
	vtd_memo_destroy(v);
	for (i = 0; i < VTD_CACHE_COUNT; i++)
		vtd_cache_destroy(v->cache[i]);
	free(v);
}

void vtd_reset(struct vtd *v)
{
	int i;

	v->shadow = false;
	v->rng = v->cfg.seed;
	vtd_sched_clear(v);
	vtd_regs_reset(v);
	vtd_inv_queue_reset(v);
	vtd_prq_reset(v);
	vtd_vcmd_reset(v);
	vtd_tm_reset(v);
	for (i = 0; i < VTD_CACHE_COUNT; i++)
		vtd_cache_clear(v->cache[i]);
}

const struct vtd_config *vtd_get_config(const struct vtd *v)
{
	return &v->cfg;
}

const struct vtd_stats *vtd_get_stats(const struct vtd *v)
{
	return &v->stats;
}

void vtd_clear_stats(struct vtd *v)
{
	memset(&v->stats, 0, sizeof(v->stats));
	memset(&v->tm.stats, 0, sizeof(v->tm.stats));
}

/* ---- names -------------------------------------------------------------- */

const char *vtd_cache_name(enum vtd_cache_id id)
{
	if (id == VTD_CACHE_DEVTLB)
		return "device-TLB";
	return (unsigned int)id < VTD_CACHE_COUNT ? cache_names[id] : "?";
}

const char *vtd_mode_name(enum vtd_mode mode)
{
	static const char *const names[VTD_MODE_COUNT] = {
		[VTD_MODE_BLOCKED] = "blocked",
		[VTD_MODE_UNTRANSLATED_OFF] = "translation-disabled",
		[VTD_MODE_LEGACY_SL] = "legacy-second-level",
		[VTD_MODE_LEGACY_PT] = "legacy-pass-through",
		[VTD_MODE_SM_FL] = "scalable-first-level",
		[VTD_MODE_SM_SL] = "scalable-second-level",
		[VTD_MODE_SM_NESTED] = "scalable-nested",
		[VTD_MODE_SM_PT] = "scalable-pass-through",
		[VTD_MODE_INTERRUPT] = "interrupt",
	};

	return (unsigned int)mode < VTD_MODE_COUNT ? names[mode] : "?";
}

const char *vtd_structure_name(enum vtd_structure st)
{
	static const char *const names[VTD_ST_COUNT] = {
		[VTD_ST_NONE] = "none",
		[VTD_ST_ROOT_ENTRY] = "root-entry",
		[VTD_ST_CONTEXT_ENTRY] = "context-entry",
		[VTD_ST_PASID_DIR_ENTRY] = "pasid-directory-entry",
		[VTD_ST_PASID_TABLE_ENTRY] = "pasid-table-entry",
		[VTD_ST_FL_ENTRY] = "first-level-entry",
		[VTD_ST_SL_ENTRY] = "second-level-entry",
		[VTD_ST_INV_DESC] = "invalidation-descriptor",
		[VTD_ST_INV_STATUS] = "invalidation-status",
		[VTD_ST_PRQ_DESC] = "page-request-descriptor",
	};

	return (unsigned int)st < VTD_ST_COUNT ? names[st] : "?";
}
