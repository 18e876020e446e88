// SPDX-License-Identifier: MIT
/*
 * A remapping hardware unit: configuration, life cycle, statistics, names.
 */
#include <errno.h>
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
	K_DEVTLB_TIMEOUT,
	K_VCCAP,
	K_CACHE_SETS,
	K_CACHE_WAYS,
	K_CACHE_REPL,
};

struct key_desc {
	const char *key;
	enum key_kind kind;
	uint8_t hi, lo, bias, cache;
	const char *help;
};

#define CAPB(k, b, h)  { k, K_CAP_BITS, b, b, 0, 0, h }
#define ECAPB(k, b, h) { k, K_ECAP_BITS, b, b, 0, 0, h }
#define CACHE_KEYS(id, n)                                                     \
	{ n ".sets", K_CACHE_SETS, 0, 0, 0, id, "sets (power of two, 0 off)" }, \
	{ n ".ways", K_CACHE_WAYS, 0, 0, 0, id, "ways per set" },             \
	{ n ".repl", K_CACHE_REPL, 0, 0, 0, id, "lru, fifo or random" }

static const struct key_desc keys[] = {
	{ "version", K_VERSION, 0, 0, 0, 0, "VER: major<<4 | minor" },
	{ "haw", K_HAW, 0, 0, 0, 0, "host address width (output bits)" },
	{ "fault_regs", K_FAULT_REGS, 0, 0, 0, 0, "fault recording registers" },
	{ "seed", K_SEED, 0, 0, 0, 0, "seed of random replacement" },
	{ "check", K_CHECK, 0, 0, 0, 0, "stale-translation checker (0/1)" },
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
};

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

void vtd_config_init(struct vtd_config *cfg)
{
	static const struct vtd_cache_geometry geom[VTD_CACHE_COUNT] = {
		[VTD_CACHE_CONTEXT] = {16, 4, VTD_REPL_LRU},
		[VTD_CACHE_PASID] = {16, 4, VTD_REPL_LRU},
		[VTD_CACHE_IOTLB] = {64, 8, VTD_REPL_LRU},
		[VTD_CACHE_FL_PSC] = {16, 4, VTD_REPL_LRU},
		[VTD_CACHE_SL_PSC] = {16, 4, VTD_REPL_LRU},
	};

	memset(cfg, 0, sizeof(*cfg));
	cfg->version = 0x10;
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
	cfg->devtlb_inv_timeout_ns = 100000; /* 100 us */
	cfg->vccap = 0;
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
	if (k->kind == K_CHECK) {
		if (parse_bool(value, &b))
			goto bad;
		cfg->check_stale = b;
		return 0;
	}
	if (k->kind == K_CACHE_REPL) {
		if (set_repl(&cfg->cache[k->cache], value))
			goto bad;
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
	case K_DEVTLB_TIMEOUT:
		return cfg->devtlb_inv_timeout_ns;
	case K_VCCAP:
		return cfg->vccap;
	case K_CACHE_SETS:
		return g->sets;
	case K_CACHE_WAYS:
		return g->ways;
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
	for (i = 0; i < VTD_CACHE_COUNT; i++)
		if (validate_cache(&cfg->cache[i], i, err, errlen))
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
