// SPDX-License-Identifier: MIT
/*
 * Streaming reader of the text trace format v1. Each line is read into a
 * bounded buffer (comments are skipped without being stored), split into
 * fields and checked against a table of record descriptions; every
 * malformed line gives "FILE:LINE: message".
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <vtdsim/vtdsim.h>

#include "trace_binary.h"
#include "trace_input.h"
#include "trace_reader.h"

struct trace_reader {
	struct trace_input in;
	char *name;
	unsigned long line; /* text: line; binary: record number */
	uint64_t time;
	char *buf;
	size_t cap;
	bool failed, binary;
	bool keep_text, keep_comments;
	char *text; /* keep_text: the record's text (or comment) */
	size_t text_cap;
	/* the record last filled from a binary dma record: only its dma
	 * fields change for the next one */
	const struct trace_record *dma_rec;
	char err[TRACE_ERR_MAX];
};

struct parse;
typedef int (*conv_fn)(struct parse *p, struct trace_record *rec);

struct rec_desc {
	const char *name;
	enum trace_op op;
	unsigned int size;    /* access size of mem.* / reg.* */
	const char *pos[5];   /* positional fields, for messages */
	unsigned int nmin;    /* required positional fields */
	const char *keys[12]; /* allowed keys; NULL keys[0]: none */
	bool any_key;	      /* config: every field is KEY=VALUE */
	uint32_t flags;	      /* allowed TRF_* */
	conv_fn conv;
};

struct parse {
	struct trace_reader *r;
	const struct rec_desc *d;
	char *pos[TRACE_MAX_TOKENS];
	unsigned int npos;
	char *key[TRACE_MAX_TOKENS];
	char *val[TRACE_MAX_TOKENS];
	unsigned int nkeys;
	uint32_t flags;
};

static const struct {
	const char *name;
	uint32_t bit;
} flag_names[] = {
	{"priv", TRF_PRIV},	{"exec", TRF_EXEC},	{"user", TRF_USER},
	{"nx", TRF_NX},		{"global", TRF_GLOBAL}, {"fpd", TRF_FPD},
	{"sre", TRF_SRE},	{"ere", TRF_ERE},	{"wpe", TRF_WPE},
	{"eafe", TRF_EAFE},	{"slade", TRF_SLADE},	{"pre", TRF_PRE},
	{"dte", TRF_DTE},	{"ih", TRF_IH},		{"nowait", TRF_NOWAIT},
	{"silent", TRF_SILENT}, {"lpig", TRF_LPIG},
};

#define NFLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

/* ---- errors and numbers -------------------------------------------------- */

static int fail(struct trace_reader *r, const char *fmt, ...)
{
	char msg[TRACE_ERR_MAX - 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, sizeof(r->err), "%s:%s%lu: %s", r->name,
		 r->binary ? "record " : "", r->line, msg);
	r->failed = true;
	return -1;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int trace_parse_u64(const char *s, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -1;
	}
	for (; *s; s++) {
		int d = hex_digit((unsigned char)*s);

		if (d < 0 || (unsigned int)d >= base)
			return -1;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -1;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* Hex field of at most ndig digits, value at most max. */
static int parse_hex_field(const char *s, size_t n, unsigned int max,
			   unsigned int *out)
{
	unsigned int v = 0;
	size_t i;

	if (n < 1 || n > 2)
		return -1;
	for (i = 0; i < n; i++) {
		int d = hex_digit((unsigned char)s[i]);

		if (d < 0)
			return -1;
		v = v * 16 + (unsigned int)d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* BB:DD.F in hex: bus 00-ff, device 00-1f, function 0-7. */
int trace_parse_bdf(const char *s, uint16_t *sid)
{
	const char *colon = strchr(s, ':'), *dot;
	unsigned int b, d, f;

	if (!colon)
		return -1;
	dot = strchr(colon, '.');
	if (!dot || strchr(dot + 1, '.') || strchr(colon + 1, ':'))
		return -1;
	if (parse_hex_field(s, (size_t)(colon - s), 0xff, &b) ||
	    parse_hex_field(colon + 1, (size_t)(dot - colon - 1), 0x1f, &d) ||
	    parse_hex_field(dot + 1, strlen(dot + 1), 7, &f) ||
	    strlen(dot + 1) != 1)
		return -1;
	*sid = (uint16_t)(b << 8 | d << 3 | f);
	return 0;
}

static int num(struct parse *p, const char *s, const char *what, uint64_t max,
	       uint64_t *out)
{
	if (trace_parse_u64(s, out))
		return fail(p->r, "bad number '%s' for %s", s, what);
	if (*out > max)
		return fail(p->r, "%s %s out of range (max 0x%llx)", what, s,
			    (unsigned long long)max);
	return 0;
}

static const char *kv(struct parse *p, const char *key)
{
	unsigned int i;

	for (i = 0; i < p->nkeys; i++) {
		if (!strcmp(p->key[i], key))
			return p->val[i];
	}
	return NULL;
}

/* Index of s in the NULL-terminated list words, or -1 with a message. */
static int choice(struct parse *p, const char *s, const char *what,
		  const char *const *words)
{
	int i;

	for (i = 0; words[i]; i++) {
		if (!strcmp(s, words[i]))
			return i;
	}
	return fail(p->r, "bad %s '%s'", what, s);
}

static int key_num(struct parse *p, const char *key, uint64_t max, bool *has,
		   uint64_t *out)
{
	const char *s = kv(p, key);

	if (has)
		*has = s != NULL;
	if (!s)
		return 0;
	return num(p, s, key, max, out);
}

static int copy_name(struct parse *p, const char *s, char *dst,
		     const char *what)
{
	size_t i, n = strlen(s);

	if (n >= TRACE_NAME_MAX)
		return fail(p->r, "%s '%.20s...' longer than %d characters",
			    what, s, TRACE_NAME_MAX - 1);
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool ok =
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			c == '_' ||
			(i && ((c >= '0' && c <= '9') || c == '-' || c == '.'));

		if (!ok)
			return fail(p->r, "bad %s '%s'", what, s);
	}
	memcpy(dst, s, n + 1);
	return 0;
}

static int bdf(struct parse *p, const char *s, uint16_t *sid)
{
	if (trace_parse_bdf(s, sid))
		return fail(p->r, "bad BDF '%s' (expected BB:DD.F in hex)", s);
	return 0;
}

static int pasid_key(struct parse *p, const char *key, bool *has,
		     uint32_t *pasid)
{
	uint64_t v = 0;

	if (key_num(p, key, VTD_PASID_MAX - 1, has, &v))
		return -1;
	*pasid = (uint32_t)v;
	return 0;
}

/* ---- record converters --------------------------------------------------- */

static uint64_t size_max(unsigned int size)
{
	return size == 4 ? 0xffffffffULL : UINT64_MAX;
}

static int conv_mem_w(struct parse *p, struct trace_record *rec)
{
	if (num(p, p->pos[0], "PA", UINT64_MAX - rec->size + 1, &rec->addr) ||
	    num(p, p->pos[1], "VALUE", size_max(rec->size), &rec->value))
		return -1;
	return 0;
}

static int conv_mem_r(struct parse *p, struct trace_record *rec)
{
	if (num(p, p->pos[0], "PA", UINT64_MAX - rec->size + 1, &rec->addr))
		return -1;
	return key_num(p, "expect", size_max(rec->size), &rec->has_expect,
		       &rec->expect);
}

static int reg_off(struct parse *p, struct trace_record *rec)
{
	if (num(p, p->pos[0], "OFF", VTD_REG_SPACE_SIZE - rec->size,
		&rec->addr))
		return -1;
	if (rec->addr % rec->size)
		return fail(p->r, "register offset %s not aligned to %u bytes",
			    p->pos[0], rec->size);
	return 0;
}

static int conv_reg_w(struct parse *p, struct trace_record *rec)
{
	if (reg_off(p, rec) ||
	    num(p, p->pos[1], "VALUE", size_max(rec->size), &rec->value))
		return -1;
	return 0;
}

static int conv_reg_r(struct parse *p, struct trace_record *rec)
{
	if (reg_off(p, rec) ||
	    key_num(p, "expect", size_max(rec->size), &rec->has_expect,
		    &rec->expect) ||
	    key_num(p, "mask", size_max(rec->size), &rec->has_mask, &rec->mask))
		return -1;
	return 0;
}

static int dma_expect(struct parse *p, struct trace_record *rec)
{
	const char *s = kv(p, "expect");
	uint64_t v;

	rec->has_expect = s != NULL;
	if (!s)
		return 0;
	if (!strncmp(s, "fault:", 6)) {
		if (num(p, s + 6, "fault reason", 0xff, &v))
			return -1;
		if (!v)
			return fail(p->r, "fault reason 0 is not a fault");
		rec->expect_fault = true;
		rec->fault = (uint8_t)v;
		return 0;
	}
	return num(p, s, "expected PA", UINT64_MAX, &rec->expect);
}

/* "551", "551.25" (ns, up to three decimals) into ps. */
static int parse_ns(const char *s, uint64_t *ps)
{
	uint64_t whole = 0, frac = 0;
	unsigned int digits = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (whole > UINT64_MAX / 10000)
			return -1;
		whole = whole * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (++digits > 3)
				return -1;
			frac = frac * 10 + (uint64_t)(*s - '0');
		}
		if (!digits)
			return -1;
	}
	if (*s)
		return -1;
	while (digits++ < 3)
		frac *= 10;
	*ps = whole * 1000 + frac;
	return 0;
}

/* latency=NS [tolerance=NS|P%]: the request's latency, timing on. */
static int key_latency(struct parse *p, struct trace_record *rec)
{
	const char *l = kv(p, "latency"), *t = kv(p, "tolerance");
	size_t n;
	uint64_t v;

	rec->has_lat = l != NULL;
	if (!l) {
		if (t)
			return fail(p->r, "tolerance= needs latency=");
		return 0;
	}
	if (parse_ns(l, &rec->lat_ps))
		return fail(p->r, "bad latency '%s' (ns, e.g. 551 or 551.5)",
			    l);
	if (!t)
		return 0;
	n = strlen(t);
	if (n && t[n - 1] == '%') {
		char buf[32];

		if (n >= sizeof(buf))
			return fail(p->r, "bad tolerance '%s'", t);
		memcpy(buf, t, n - 1);
		buf[n - 1] = '\0';
		/* P with up to three decimals, as P * 1000 */
		if (parse_ns(buf, &v) || v > 100000)
			return fail(p->r, "bad tolerance '%s' (0..100%%)", t);
		rec->tol_ppm = (uint32_t)(v * 10); /* P*1000 -> ppm */
		return 0;
	}
	if (parse_ns(t, &rec->tol_ps) || rec->tol_ps >= 1ull << 63)
		return fail(p->r, "bad tolerance '%s' (NS or P%%)", t);
	return 0;
}

static int conv_dma(struct parse *p, struct trace_record *rec)
{
	static const char *const rw[] = {"r", "w", NULL};
	int i;

	if (bdf(p, p->pos[0], &rec->sid) ||
	    num(p, p->pos[1], "IOVA", UINT64_MAX, &rec->addr) ||
	    num(p, p->pos[2], "LEN", 1ULL << 32, &rec->len))
		return -1;
	if (!rec->len)
		return fail(p->r, "LEN must be at least 1");
	if (rec->addr + (rec->len - 1) < rec->addr)
		return fail(p->r, "IOVA + LEN beyond the 64-bit address space");
	i = choice(p, p->pos[3], "access (r or w)", rw);
	if (i < 0)
		return -1;
	rec->write = i == 1;
	if (pasid_key(p, "pasid", &rec->has_pasid, &rec->pasid))
		return -1;
	if ((p->flags & (TRF_PRIV | TRF_EXEC)) && !rec->has_pasid)
		return fail(p->r, "priv/exec need a request with pasid=");
	if (key_latency(p, rec))
		return -1;
	return dma_expect(p, rec);
}

static int conv_config(struct parse *p, struct trace_record *rec)
{
	unsigned int i;

	if (!p->nkeys)
		return fail(p->r, "config needs KEY=VALUE fields");
	if (p->nkeys > TRACE_MAX_KV)
		return fail(p->r, "more than %d keys in one config record",
			    TRACE_MAX_KV);
	for (i = 0; i < p->nkeys; i++) {
		rec->keys[i] = p->key[i];
		rec->vals[i] = p->val[i];
	}
	rec->nkv = p->nkeys;
	return 0;
}

static int conv_iommu_init(struct parse *p, struct trace_record *rec)
{
	static const char *const modes[] = {"legacy", "scalable", NULL};
	static const char *const onoff[] = {"off", "on", NULL};
	static const char *const dws[] = {"128", "256", NULL};
	const char *s = kv(p, "mode");
	int i;

	if (!s)
		return fail(p->r, "iommu.init needs mode=legacy|scalable");
	i = choice(p, s, "mode", modes);
	if (i < 0)
		return -1;
	rec->mode = i ? TR_MODE_SCALABLE : TR_MODE_LEGACY;
	rec->qi = true;
	if ((s = kv(p, "qi"))) {
		if ((i = choice(p, s, "qi (on or off)", onoff)) < 0)
			return -1;
		rec->qi = i == 1;
	}
	rec->dw = 0; /* default: 256 in scalable mode, else 128 */
	if ((s = kv(p, "dw"))) {
		if ((i = choice(p, s, "dw (128 or 256)", dws)) < 0)
			return -1;
		rec->dw = i ? 256 : 128;
	}
	if (rec->dw && !rec->qi)
		return fail(p->r, "dw= needs qi=on");
	return 0;
}

static int did_key(struct parse *p, struct trace_record *rec)
{
	uint64_t v = 0;

	if (key_num(p, "did", 0xffff, &rec->has_did, &v))
		return -1;
	rec->did = (uint16_t)v;
	return 0;
}

static int conv_domain(struct parse *p, struct trace_record *rec)
{
	static const char *const types[] = {"sl", "fl", NULL};
	const char *s = kv(p, "type");
	uint64_t v = 0;
	bool has;
	int i;

	if (copy_name(p, p->pos[0], rec->name, "domain name"))
		return -1;
	if (!s)
		return fail(p->r, "domain needs type=sl|fl");
	if ((i = choice(p, s, "domain type", types)) < 0)
		return -1;
	rec->type = i ? TR_DOM_FL : TR_DOM_SL;
	if (key_num(p, "levels", 5, &has, &v))
		return -1;
	if (has && (v < 3 || (rec->type == TR_DOM_FL && v < 4)))
		return fail(p->r, "levels=%llu not valid for a %s domain",
			    (unsigned long long)v, s);
	rec->levels = has ? (unsigned int)v : 4;
	if (did_key(p, rec))
		return -1;
	if ((s = kv(p, "parent"))) {
		if (rec->type != TR_DOM_FL)
			return fail(p->r, "parent= is for type=fl domains");
		if (copy_name(p, s, rec->parent, "parent domain name"))
			return -1;
	}
	return 0;
}

static int perm_key(struct parse *p, struct trace_record *rec)
{
	static const char *const perms[] = {"r", "w", "rw", NULL};
	const char *s = kv(p, "perm");
	int i;

	rec->perm = 0;
	if (!s)
		return 0;
	if ((i = choice(p, s, "perm (r, w or rw)", perms)) < 0)
		return -1;
	rec->perm = (unsigned int)i + 1; /* VTD_PERM_R, _W, _R|_W */
	return 0;
}

static int inv_key(struct parse *p, struct trace_record *rec)
{
	static const char *const modes[] = {"auto", "none", NULL};
	const char *s = kv(p, "inv");
	int i;

	rec->inv = TR_INV_AUTO;
	if (!s)
		return 0;
	if ((i = choice(p, s, "inv (auto or none)", modes)) < 0)
		return -1;
	rec->inv = i ? TR_INV_NONE : TR_INV_AUTO;
	return 0;
}

static int range(struct parse *p, struct trace_record *rec, const char *iova,
		 const char *size, uint64_t align)
{
	if (num(p, iova, "IOVA", UINT64_MAX, &rec->addr) ||
	    num(p, size, "SIZE", UINT64_MAX, &rec->len))
		return -1;
	if (!rec->len)
		return fail(p->r, "SIZE must not be 0");
	if ((rec->addr | rec->len) & (align - 1))
		return fail(p->r, "IOVA and SIZE must be multiples of 0x%llx",
			    (unsigned long long)align);
	if (rec->addr + (rec->len - 1) < rec->addr)
		return fail(p->r,
			    "IOVA + SIZE beyond the 64-bit address space");
	return 0;
}

static int conv_map(struct parse *p, struct trace_record *rec)
{
	static const char *const pages[] = {"4k", "2m", "1g", NULL};
	const char *s = kv(p, "page");
	int i = 0;

	if (copy_name(p, p->pos[0], rec->name, "domain name"))
		return -1;
	if (s && (i = choice(p, s, "page size (4k, 2m or 1g)", pages)) < 0)
		return -1;
	rec->page = 1ULL << (12 + 9 * i);
	if (range(p, rec, p->pos[1], p->pos[3], rec->page) ||
	    num(p, p->pos[2], "PA", UINT64_MAX, &rec->value) ||
	    perm_key(p, rec))
		return -1;
	if (rec->value & (rec->page - 1))
		return fail(p->r, "PA %s not aligned to the page size",
			    p->pos[2]);
	if (rec->value + (rec->len - 1) < rec->value)
		return fail(p->r, "PA + SIZE beyond the 64-bit address space");
	if ((p->flags & TRF_EXEC) && (p->flags & TRF_NX))
		return fail(p->r, "exec and nx exclude each other");
	if (!rec->perm)
		rec->perm = VTD_PERM_R | VTD_PERM_W;
	return 0;
}

static int conv_unmap(struct parse *p, struct trace_record *rec)
{
	if (copy_name(p, p->pos[0], rec->name, "domain name") ||
	    range(p, rec, p->pos[1], p->pos[2], VTD_PAGE_SIZE))
		return -1;
	return inv_key(p, rec);
}

static int conv_remap(struct parse *p, struct trace_record *rec)
{
	if (copy_name(p, p->pos[0], rec->name, "domain name") ||
	    num(p, p->pos[1], "IOVA", UINT64_MAX, &rec->addr) ||
	    num(p, p->pos[2], "PA", UINT64_MAX, &rec->value) ||
	    perm_key(p, rec) || inv_key(p, rec))
		return -1;
	if (rec->value & (VTD_PAGE_SIZE - 1))
		return fail(p->r, "PA %s not 4 KiB aligned", p->pos[2]);
	return 0;
}

static int conv_attach(struct parse *p, struct trace_record *rec)
{
	static const char *const pgtts[] = {"fl", "sl", "nested", "pt", NULL};
	static const char *const tts[] = {"sl", "dt", "pt", NULL};
	const char *s;
	int i;

	if (bdf(p, p->pos[0], &rec->sid))
		return -1;
	if (p->npos > 1 && copy_name(p, p->pos[1], rec->name, "domain name"))
		return -1;
	if (pasid_key(p, "pasid", &rec->has_pasid, &rec->pasid) ||
	    pasid_key(p, "rid_pasid", &rec->has_rid_pasid, &rec->rid_pasid) ||
	    did_key(p, rec))
		return -1;
	if ((s = kv(p, "pgtt"))) {
		if ((i = choice(p, s, "pgtt", pgtts)) < 0)
			return -1;
		rec->pgtt = (enum trace_pgtt)(i + 1);
	}
	if ((s = kv(p, "tt"))) {
		if ((i = choice(p, s, "tt", tts)) < 0)
			return -1;
		rec->tt = (enum trace_tt)(i + 1);
	}
	if ((s = kv(p, "parent")) &&
	    copy_name(p, s, rec->parent, "parent domain name"))
		return -1;
	if (rec->pgtt == TR_PGTT_NESTED && !p->pos[1])
		return fail(p->r, "pgtt=nested needs an fl domain NAME");
	if (!p->pos[1] && rec->pgtt != TR_PGTT_PT && rec->tt != TR_TT_PT)
		return fail(p->r, "missing domain NAME (only pgtt=pt or tt=pt "
				  "attach without a domain)");
	return 0;
}

static int conv_detach(struct parse *p, struct trace_record *rec)
{
	if (bdf(p, p->pos[0], &rec->sid))
		return -1;
	return pasid_key(p, "pasid", &rec->has_pasid, &rec->pasid);
}

/* Granularity word, did=/domain=, and what the granularity needs. */
static int inv_common(struct parse *p, struct trace_record *rec,
		      const char *const *words, const enum trace_gran *grans)
{
	const char *s = kv(p, "domain");
	int i = choice(p, p->pos[0], "granularity", words);

	if (i < 0)
		return -1;
	rec->gran = grans[i];
	if (did_key(p, rec))
		return -1;
	if (s && rec->has_did)
		return fail(p->r, "did= and domain= exclude each other");
	if (s && copy_name(p, s, rec->parent, "domain name"))
		return -1;
	if (rec->gran != TR_GRAN_GLOBAL && !s && !rec->has_did)
		return fail(p->r, "%s invalidation needs did=N or domain=NAME",
			    p->pos[0]);
	return 0;
}

static int addr_am(struct parse *p, struct trace_record *rec)
{
	uint64_t v = 0;

	if (key_num(p, "addr", UINT64_MAX, &rec->has_addr, &rec->addr) ||
	    key_num(p, "am", 63, &rec->has_am, &v))
		return -1;
	rec->am = (unsigned int)v;
	if (rec->gran == TR_GRAN_PAGE && !rec->has_addr)
		return fail(p->r, "page invalidation needs addr=");
	if (rec->gran != TR_GRAN_PAGE && (rec->has_addr || rec->has_am))
		return fail(p->r, "addr=/am= only with page granularity");
	if (rec->addr & ((VTD_PAGE_SIZE << rec->am) - 1))
		return fail(p->r, "addr not aligned to 4 KiB << am");
	return 0;
}

static int conv_inv_cc(struct parse *p, struct trace_record *rec)
{
	static const char *const w[] = {"global", "domain", "device", NULL};
	static const enum trace_gran g[] = {TR_GRAN_GLOBAL, TR_GRAN_DOMAIN,
					    TR_GRAN_DEVICE};
	const char *s = kv(p, "sid");
	uint64_t v = 0;

	if (inv_common(p, rec, w, g) || key_num(p, "fm", 3, NULL, &v))
		return -1;
	rec->fm = (unsigned int)v;
	rec->has_sid2 = s != NULL;
	if (s && bdf(p, s, &rec->sid2))
		return -1;
	if ((rec->gran == TR_GRAN_DEVICE) != rec->has_sid2)
		return fail(p->r, "sid=BB:DD.F goes with device granularity");
	return 0;
}

static int conv_inv_iotlb(struct parse *p, struct trace_record *rec)
{
	static const char *const w[] = {"global", "domain", "page", NULL};
	static const enum trace_gran g[] = {TR_GRAN_GLOBAL, TR_GRAN_DOMAIN,
					    TR_GRAN_PAGE};

	if (inv_common(p, rec, w, g))
		return -1;
	return addr_am(p, rec);
}

static int conv_inv_piotlb(struct parse *p, struct trace_record *rec)
{
	static const char *const w[] = {"pasid", "page", NULL};
	static const enum trace_gran g[] = {TR_GRAN_PASID, TR_GRAN_PAGE};

	if (inv_common(p, rec, w, g) ||
	    pasid_key(p, "pasid", &rec->has_pasid, &rec->pasid))
		return -1;
	if (!rec->has_pasid)
		return fail(p->r, "inv.piotlb needs pasid=N");
	return addr_am(p, rec);
}

static int conv_inv_pc(struct parse *p, struct trace_record *rec)
{
	static const char *const w[] = {"global", "domain", "pasid", NULL};
	static const enum trace_gran g[] = {TR_GRAN_GLOBAL, TR_GRAN_DOMAIN,
					    TR_GRAN_PASID};

	if (inv_common(p, rec, w, g) ||
	    pasid_key(p, "pasid", &rec->has_pasid, &rec->pasid))
		return -1;
	if ((rec->gran == TR_GRAN_PASID) != rec->has_pasid)
		return fail(p->r, "pasid=N goes with pasid granularity");
	return 0;
}

static int conv_expect_stale(struct parse *p, struct trace_record *rec)
{
	return num(p, p->pos[0], "count", UINT32_MAX, &rec->count);
}

/* ---- devices, ATS, page requests ------------------------------------------
 */

/* key=WORD from words, into *out (TRACE_WANT_NONE when absent). */
static int key_word(struct parse *p, const char *key, const char *const *words,
		    int *out)
{
	const char *s = kv(p, key);

	*out = TRACE_WANT_NONE;
	if (!s)
		return 0;
	*out = choice(p, s, key, words);
	return *out < 0 ? -1 : 0;
}

static int key_fault(struct parse *p, struct trace_record *rec)
{
	uint64_t v = 0;

	if (key_num(p, "fault", 0xff, &rec->has_fcode, &v))
		return -1;
	rec->fcode = (uint8_t)v;
	return 0;
}

static int key_onoff_num(struct parse *p, const char *key, uint64_t min,
			 uint64_t max, bool *present, uint64_t *v)
{
	const char *s = kv(p, key);

	if (!s)
		return 0;
	if (!strcmp(s, "off")) {
		*present = false;
		return 0;
	}
	if (num(p, s, key, max, v))
		return -1;
	if (*v < min)
		return fail(p->r, "%s %s below %llu", key, s,
			    (unsigned long long)min);
	return 0;
}

static int devtlb_geometry(struct parse *p, struct trace_device *d)
{
	const char *s = kv(p, "devtlb");
	char buf[64], *x;
	uint64_t sets, ways;

	if (!s)
		return 0;
	if (!strcmp(s, "off")) {
		d->devtlb_sets = 0;
		return 0;
	}
	if (strlen(s) >= sizeof(buf) || !(x = strchr(strcpy(buf, s), 'x')))
		return fail(p->r, "bad devtlb '%s' (SETSxWAYS or off)", s);
	*x = '\0';
	if (num(p, buf, "devtlb sets", 1u << 20, &sets) ||
	    num(p, x + 1, "devtlb ways", 64, &ways))
		return -1;
	if (!sets || (sets & (sets - 1)) || !ways)
		return fail(p->r, "devtlb sets must be a power of two and "
				  "ways at least 1");
	d->devtlb_sets = (uint32_t)sets;
	d->devtlb_ways = (uint32_t)ways;
	return 0;
}

static int conv_device(struct parse *p, struct trace_record *rec)
{
	static const char *const onoff[] = {"off", "on", NULL};
	struct trace_device *d = &rec->dev;
	uint64_t w = 20, q = 32, c = 512, o = 0;
	int en;

	memset(d, 0, sizeof(*d));
	d->pasid = d->ats = d->pri = true;
	d->devtlb_sets = 16;
	d->devtlb_ways = 4;
	if (bdf(p, p->pos[0], &rec->sid) ||
	    key_onoff_num(p, "pasid", 1, 20, &d->pasid, &w) ||
	    key_onoff_num(p, "ats", 1, 32, &d->ats, &q) ||
	    key_onoff_num(p, "pri", 1, UINT32_MAX, &d->pri, &c) ||
	    devtlb_geometry(p, d) ||
	    key_num(p, "inv_latency", UINT64_MAX / 2, &d->has_latency,
		    &d->inv_latency) ||
	    key_word(p, "enable", onoff, &en) ||
	    key_num(p, "outstanding", 4096, NULL, &o))
		return -1;
	if (kv(p, "outstanding") && !o)
		return fail(p->r, "outstanding must be 1..4096");
	d->outstanding = (uint32_t)o;
	d->pasid_width = (unsigned int)w;
	d->qdepth = (unsigned int)q;
	d->pri_capacity = (uint32_t)c;
	d->enable = en != 0;
	if (d->pri && !d->ats)
		return fail(p->r, "pri needs ats");
	if ((p->flags & (TRF_PRIV | TRF_EXEC)) && !d->pasid)
		return fail(p->r, "priv/exec need the pasid capability");
	return 0;
}

static int dev_request(struct parse *p, struct trace_record *rec)
{
	static const char *const rw[] = {"r", "w", NULL};
	int i;

	if (bdf(p, p->pos[0], &rec->sid) ||
	    num(p, p->pos[1], "ADDR", UINT64_MAX, &rec->addr))
		return -1;
	i = choice(p, p->pos[2], "access (r or w)", rw);
	if (i < 0 || pasid_key(p, "pasid", &rec->has_pasid, &rec->pasid))
		return -1;
	rec->write = i == 1;
	if ((p->flags & (TRF_PRIV | TRF_EXEC)) && !rec->has_pasid)
		return fail(p->r, "priv/exec need a request with pasid=");
	return 0;
}

static const char *const dev_status_words[] = {
	"ok",	       "pending",  "fault",
	"ats-fail",    "prq-fail", "translated-blocked",
	"not-enabled", NULL};

static int dev_outcome(struct parse *p, struct trace_record *rec)
{
	static const char *const hm[] = {"miss", "hit", NULL};

	if (key_word(p, "expect", dev_status_words, &rec->want) ||
	    key_num(p, "pa", UINT64_MAX, &rec->has_pa, &rec->pa) ||
	    key_fault(p, rec) || key_word(p, "devtlb", hm, &rec->want_devtlb))
		return -1;
	return key_num(p, "tag", UINT64_MAX, &rec->has_tag, &rec->tag);
}

static int conv_dev_dma(struct parse *p, struct trace_record *rec)
{
	uint64_t len = 0;

	if (dev_request(p, rec) || key_latency(p, rec) ||
	    key_num(p, "len", 1ull << 32, NULL, &len))
		return -1;
	if (kv(p, "len") && !len)
		return fail(p->r, "len must be at least 1");
	rec->dev_len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
	return dev_outcome(p, rec);
}

static int conv_dev_done(struct parse *p, struct trace_record *rec)
{
	uint64_t v = 0;

	if (bdf(p, p->pos[0], &rec->sid) || dev_outcome(p, rec) ||
	    key_num(p, "prq", 0xffff, &rec->has_prq, &v))
		return -1;
	rec->prq = (uint32_t)v;
	if (!rec->has_tag)
		return fail(p->r, "dev.done needs tag=N");
	return 0;
}

static int conv_ats(struct parse *p, struct trace_record *rec)
{
	static const char *const st[] = {"ok", "ur", "ca", NULL};
	static const char *const perms[] = {"none", "r", "w", "rw", NULL};
	static const char *const u[] = {"0", "1", NULL};

	if (dev_request(p, rec) || key_word(p, "expect", st, &rec->want) ||
	    key_num(p, "pa", UINT64_MAX, &rec->has_pa, &rec->pa) ||
	    key_num(p, "size", UINT64_MAX, &rec->has_xsize, &rec->xsize) ||
	    key_word(p, "perm", perms, &rec->want_perm) ||
	    key_word(p, "u", u, &rec->want_u) || key_fault(p, rec))
		return -1;
	return 0;
}

static int conv_devtlb(struct parse *p, struct trace_record *rec)
{
	static const char *const hm[] = {"miss", "hit", NULL};

	if (bdf(p, p->pos[0], &rec->sid) ||
	    num(p, p->pos[1], "ADDR", UINT64_MAX, &rec->addr) ||
	    pasid_key(p, "pasid", &rec->has_pasid, &rec->pasid) ||
	    key_word(p, "expect", hm, &rec->want) ||
	    key_num(p, "pa", UINT64_MAX, &rec->has_pa, &rec->pa))
		return -1;
	if (rec->want == TRACE_WANT_NONE)
		return fail(p->r, "devtlb needs expect=hit|miss");
	return 0;
}

static int conv_inv_devtlb(struct parse *p, struct trace_record *rec)
{
	const char *s = kv(p, "size");

	if (bdf(p, p->pos[0], &rec->sid) ||
	    pasid_key(p, "pasid", &rec->has_pasid, &rec->pasid) ||
	    key_num(p, "addr", UINT64_MAX, &rec->has_addr, &rec->addr))
		return -1;
	rec->xsize = VTD_PAGE_SIZE;
	if (s && !strcmp(s, "all"))
		rec->xsize = 0;
	else if (s && num(p, s, "size", 1ULL << 62, &rec->xsize))
		return -1;
	if (rec->xsize &&
	    (rec->xsize < VTD_PAGE_SIZE || (rec->xsize & (rec->xsize - 1))))
		return fail(p->r,
			    "size must be a power of two >= 4096, or all");
	if (rec->xsize && !rec->has_addr)
		return fail(p->r, "inv.devtlb needs addr= (or size=all)");
	if (rec->xsize && (rec->addr & (rec->xsize - 1)))
		return fail(p->r, "addr not aligned to size");
	if ((p->flags & TRF_GLOBAL) && !rec->has_pasid)
		return fail(p->r, "global goes with pasid=");
	return 0;
}

static int conv_inv_wait(struct parse *p, struct trace_record *rec)
{
	static const char *const w[] = {"done", "ite", NULL};

	return key_word(p, "expect", w, &rec->want);
}

static int conv_inv_status(struct parse *p, struct trace_record *rec)
{
	static const char *const w[] = {"pending", "done", "ite", NULL};

	if (key_word(p, "expect", w, &rec->want))
		return -1;
	if (rec->want == TRACE_WANT_NONE)
		return fail(p->r, "inv.status needs expect=pending|done|ite");
	return 0;
}

static int conv_prq_init(struct parse *p, struct trace_record *rec)
{
	uint64_t v = 0;

	if (key_num(p, "qs", 7, NULL, &v))
		return -1;
	rec->qs = (unsigned int)v;
	return 0;
}

/* BB:DD.F ADDR r|w|rw [pasid=] [prgi=] [lpig] [priv] [exec] */
static int prq_fields(struct parse *p, struct trace_record *rec)
{
	static const char *const rw[] = {"r", "w", "rw", NULL};
	uint64_t v = 0;
	int i;

	if (bdf(p, p->pos[0], &rec->sid) ||
	    num(p, p->pos[1], "ADDR", UINT64_MAX, &rec->addr))
		return -1;
	i = choice(p, p->pos[2], "access (r, w or rw)", rw);
	if (i < 0 || pasid_key(p, "pasid", &rec->has_pasid, &rec->pasid) ||
	    key_num(p, "prgi", 0x1ff, &rec->has_prgi, &v))
		return -1;
	rec->prgi = (uint16_t)v;
	rec->read = i != 1;
	rec->write = i != 0;
	if (rec->addr & (VTD_PAGE_SIZE - 1))
		return fail(p->r, "ADDR must be page aligned");
	if ((p->flags & (TRF_PRIV | TRF_EXEC)) && !rec->has_pasid)
		return fail(p->r, "priv/exec need pasid=");
	return 0;
}

static int conv_prq_req(struct parse *p, struct trace_record *rec)
{
	bool h0 = false, h1 = false;

	if (prq_fields(p, rec) ||
	    key_num(p, "data0", UINT64_MAX, &h0, &rec->private_data[0]) ||
	    key_num(p, "data1", UINT64_MAX, &h1, &rec->private_data[1]))
		return -1;
	rec->has_private = h0 || h1;
	return 0;
}

static int conv_prq_expect(struct parse *p, struct trace_record *rec)
{
	static const char *const b[] = {"0", "1", NULL};

	if (key_num(p, "count", 1u << 20, &rec->has_count, &rec->count) ||
	    key_word(p, "pro", b, &rec->want_pro) ||
	    key_word(p, "ppr", b, &rec->want_ppr))
		return -1;
	if (!rec->has_count && rec->want_pro < 0 && rec->want_ppr < 0)
		return fail(p->r, "prq.expect needs count=, pro= or ppr=");
	return 0;
}

static int prq_code(struct parse *p, struct trace_record *rec, bool off)
{
	static const char *const w[] = {"success", "invalid", "failure", "off",
					NULL};
	static const int codes[] = {0, 1, 15, -1};
	int i = 0;

	if (key_num(p, "delay", UINT64_MAX / 4, NULL, &rec->delay))
		return -1;
	if (p->npos) {
		i = choice(p, p->pos[0], "response", w);
		if (i < 0)
			return -1;
		if (i == 3 && !off)
			return fail(p->r, "off only for prq.auto");
	}
	rec->resp = codes[i];
	return 0;
}

static int conv_prq_respond(struct parse *p, struct trace_record *rec)
{
	return prq_code(p, rec, false);
}

static int conv_prq_auto(struct parse *p, struct trace_record *rec)
{
	if (!p->npos)
		return fail(p->r, "prq.auto needs success|invalid|failure|off");
	return prq_code(p, rec, true);
}

#define INV_KEYS "did", "domain"

static const struct rec_desc descs[] = {
	{"mem.w32",
	 TR_MEM_W,
	 4,
	 {"PA", "VALUE"},
	 2,
	 {NULL},
	 false,
	 0,
	 conv_mem_w},
	{"mem.w64",
	 TR_MEM_W,
	 8,
	 {"PA", "VALUE"},
	 2,
	 {NULL},
	 false,
	 0,
	 conv_mem_w},
	{"mem.r32", TR_MEM_R, 4, {"PA"}, 1, {"expect"}, false, 0, conv_mem_r},
	{"mem.r64", TR_MEM_R, 8, {"PA"}, 1, {"expect"}, false, 0, conv_mem_r},
	{"reg.w32",
	 TR_REG_W,
	 4,
	 {"OFF", "VALUE"},
	 2,
	 {NULL},
	 false,
	 0,
	 conv_reg_w},
	{"reg.w64",
	 TR_REG_W,
	 8,
	 {"OFF", "VALUE"},
	 2,
	 {NULL},
	 false,
	 0,
	 conv_reg_w},
	{"reg.r32",
	 TR_REG_R,
	 4,
	 {"OFF"},
	 1,
	 {"expect", "mask"},
	 false,
	 0,
	 conv_reg_r},
	{"reg.r64",
	 TR_REG_R,
	 8,
	 {"OFF"},
	 1,
	 {"expect", "mask"},
	 false,
	 0,
	 conv_reg_r},
	{"dma",
	 TR_DMA,
	 0,
	 {"BB:DD.F", "IOVA", "LEN", "r|w"},
	 4,
	 {"pasid", "expect", "latency", "tolerance"},
	 false,
	 TRF_PRIV | TRF_EXEC,
	 conv_dma},
	{"config", TR_CONFIG, 0, {NULL}, 0, {NULL}, true, 0, conv_config},
	{"iommu.init",
	 TR_IOMMU_INIT,
	 0,
	 {NULL},
	 0,
	 {"mode", "qi", "dw"},
	 false,
	 0,
	 conv_iommu_init},
	{"domain",
	 TR_DOMAIN,
	 0,
	 {"NAME"},
	 1,
	 {"type", "levels", "did", "parent"},
	 false,
	 0,
	 conv_domain},
	{"map",
	 TR_MAP,
	 0,
	 {"NAME", "IOVA", "PA", "SIZE"},
	 4,
	 {"page", "perm"},
	 false,
	 TRF_USER | TRF_EXEC | TRF_NX | TRF_GLOBAL,
	 conv_map},
	{"unmap",
	 TR_UNMAP,
	 0,
	 {"NAME", "IOVA", "SIZE"},
	 3,
	 {"inv"},
	 false,
	 0,
	 conv_unmap},
	{"remap",
	 TR_REMAP,
	 0,
	 {"NAME", "IOVA", "PA"},
	 3,
	 {"perm", "inv"},
	 false,
	 0,
	 conv_remap},
	{"attach",
	 TR_ATTACH,
	 0,
	 {"BB:DD.F", "NAME"},
	 1,
	 {"pasid", "pgtt", "parent", "did", "rid_pasid", "tt"},
	 false,
	 TRF_FPD | TRF_SRE | TRF_ERE | TRF_WPE | TRF_EAFE | TRF_SLADE |
		 TRF_PRE | TRF_DTE,
	 conv_attach},
	{"detach",
	 TR_DETACH,
	 0,
	 {"BB:DD.F"},
	 1,
	 {"pasid"},
	 false,
	 0,
	 conv_detach},
	{"inv.cc",
	 TR_INV_CC,
	 0,
	 {"global|domain|device"},
	 1,
	 {INV_KEYS, "sid", "fm"},
	 false,
	 TRF_NOWAIT,
	 conv_inv_cc},
	{"inv.iotlb",
	 TR_INV_IOTLB,
	 0,
	 {"global|domain|page"},
	 1,
	 {INV_KEYS, "addr", "am"},
	 false,
	 TRF_IH | TRF_NOWAIT,
	 conv_inv_iotlb},
	{"inv.piotlb",
	 TR_INV_PIOTLB,
	 0,
	 {"pasid|page"},
	 1,
	 {INV_KEYS, "pasid", "addr", "am"},
	 false,
	 TRF_IH | TRF_NOWAIT,
	 conv_inv_piotlb},
	{"inv.pc",
	 TR_INV_PC,
	 0,
	 {"global|domain|pasid"},
	 1,
	 {INV_KEYS, "pasid"},
	 false,
	 TRF_NOWAIT,
	 conv_inv_pc},
	{"inv.wait",
	 TR_INV_WAIT,
	 0,
	 {NULL},
	 0,
	 {"expect"},
	 false,
	 TRF_NOWAIT,
	 conv_inv_wait},
	{"inv.status",
	 TR_INV_STATUS,
	 0,
	 {NULL},
	 0,
	 {"expect"},
	 false,
	 0,
	 conv_inv_status},
	{"inv.devtlb",
	 TR_INV_DEVTLB,
	 0,
	 {"BB:DD.F"},
	 1,
	 {"pasid", "addr", "size"},
	 false,
	 TRF_GLOBAL | TRF_NOWAIT,
	 conv_inv_devtlb},
	{"device",
	 TR_DEVICE,
	 0,
	 {"BB:DD.F"},
	 1,
	 {"pasid", "ats", "pri", "devtlb", "inv_latency", "enable",
	  "outstanding"},
	 false,
	 TRF_PRIV | TRF_EXEC | TRF_SILENT,
	 conv_device},
	{"dev.dma",
	 TR_DEV_DMA,
	 0,
	 {"BB:DD.F", "ADDR", "r|w"},
	 3,
	 {"pasid", "expect", "pa", "fault", "devtlb", "tag", "latency",
	  "tolerance", "len"},
	 false,
	 TRF_PRIV | TRF_EXEC,
	 conv_dev_dma},
	{"dev.done",
	 TR_DEV_DONE,
	 0,
	 {"BB:DD.F"},
	 1,
	 {"tag", "expect", "pa", "fault", "devtlb", "prq"},
	 false,
	 0,
	 conv_dev_done},
	{"ats",
	 TR_ATS,
	 0,
	 {"BB:DD.F", "ADDR", "r|w"},
	 3,
	 {"pasid", "expect", "pa", "size", "perm", "u", "fault"},
	 false,
	 TRF_PRIV | TRF_EXEC,
	 conv_ats},
	{"devtlb",
	 TR_DEVTLB,
	 0,
	 {"BB:DD.F", "ADDR"},
	 2,
	 {"pasid", "expect", "pa"},
	 false,
	 0,
	 conv_devtlb},
	{"prq.init",
	 TR_PRQ_INIT,
	 0,
	 {NULL},
	 0,
	 {"qs"},
	 false,
	 0,
	 conv_prq_init},
	{"prq.req",
	 TR_PRQ_REQ,
	 0,
	 {"BB:DD.F", "ADDR", "r|w|rw"},
	 3,
	 {"pasid", "prgi", "data0", "data1"},
	 false,
	 TRF_LPIG | TRF_PRIV | TRF_EXEC,
	 conv_prq_req},
	{"prq.expect",
	 TR_PRQ_EXPECT,
	 0,
	 {NULL},
	 0,
	 {"count", "pro", "ppr"},
	 false,
	 0,
	 conv_prq_expect},
	{"prq.next",
	 TR_PRQ_NEXT,
	 0,
	 {"BB:DD.F", "ADDR", "r|w|rw"},
	 3,
	 {"pasid", "prgi"},
	 false,
	 TRF_LPIG | TRF_PRIV | TRF_EXEC,
	 prq_fields},
	{"prq.respond",
	 TR_PRQ_RESPOND,
	 0,
	 {"success|invalid|failure"},
	 0,
	 {"delay"},
	 false,
	 0,
	 conv_prq_respond},
	{"prq.auto",
	 TR_PRQ_AUTO,
	 0,
	 {"success|invalid|failure|off"},
	 0,
	 {"delay"},
	 false,
	 0,
	 conv_prq_auto},
	{"expect.stale",
	 TR_EXPECT_STALE,
	 0,
	 {"N"},
	 1,
	 {NULL},
	 false,
	 0,
	 conv_expect_stale},
};

#define NDESCS (sizeof(descs) / sizeof(descs[0]))

const char *trace_op_name(enum trace_op op)
{
	size_t i;

	for (i = 0; i < NDESCS; i++) {
		if (descs[i].op == op)
			return descs[i].name;
	}
	return "none";
}

/* ---- line handling ------------------------------------------------------- */

/* A binary trace's header, when the stream starts with its magic. */
static void binary_header(struct trace_reader *r)
{
	struct trace_input *in = &r->in;
	const char *e;

	if (trace_input_want(in, TB_MAGIC_LEN) < TB_MAGIC_LEN ||
	    memcmp(in->buf + in->pos, TB_MAGIC, TB_MAGIC_LEN))
		return;
	r->binary = true;
	if (trace_input_want(in, TB_HEADER_LEN) < TB_HEADER_LEN) {
		fail(r, "truncated binary trace header");
		return;
	}
	e = tb_check_header(in->buf + in->pos);
	if (e)
		fail(r, "%s", e);
	in->pos += TB_HEADER_LEN;
}

struct trace_reader *trace_reader_open(FILE *f, const char *name)
{
	struct trace_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->name = strdup(name ? name : "-");
	r->cap = 256;
	r->buf = malloc(r->cap);
	if (!r->name || !r->buf || trace_input_open(&r->in, f)) {
		trace_reader_close(r);
		return NULL;
	}
	binary_header(r);
	return r;
}

void trace_reader_close(struct trace_reader *r)
{
	if (!r)
		return;
	trace_input_close(&r->in);
	free(r->name);
	free(r->buf);
	free(r->text);
	free(r);
}

void trace_reader_keep(struct trace_reader *r, bool text, bool comments)
{
	r->keep_text = text;
	r->keep_comments = comments;
}

const char *trace_reader_text(const struct trace_reader *r)
{
	return r->text ? r->text : "";
}

bool trace_reader_binary(const struct trace_reader *r)
{
	return r->binary;
}

bool trace_reader_compressed(const struct trace_reader *r)
{
	return trace_input_compressed(&r->in);
}

long trace_reader_offset(const struct trace_reader *r)
{
	return trace_input_offset(&r->in);
}

const char *trace_reader_error(const struct trace_reader *r)
{
	return r->err;
}

const char *trace_reader_name(const struct trace_reader *r)
{
	return r->name;
}

unsigned long trace_reader_line(const struct trace_reader *r)
{
	return r->line;
}

static int put_char(struct trace_reader *r, size_t n, char c)
{
	if (n + 1 >= r->cap) {
		char *nb;

		/* a kept comment may follow a record of the whole limit */
		if (r->cap >= 4 * TRACE_LINE_MAX)
			return -1;
		nb = realloc(r->buf, r->cap * 2);
		if (!nb)
			return -1;
		r->buf = nb;
		r->cap *= 2;
	}
	r->buf[n] = c;
	return 0;
}

static int keep(struct trace_reader *r, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > r->text_cap) {
		char *t = realloc(r->text, n);

		if (!t)
			return fail(r, "out of memory");
		r->text = t;
		r->text_cap = n;
	}
	memcpy(r->text, s, n);
	return 0;
}

/* One line into r->buf, its comment cut off (kept from *comment on when
 * keep_comments, else -1): 1, 0 at end of file, -1. */
static int read_line(struct trace_reader *r, long *comment)
{
	bool any = false, bad_nul = false, too_long = false;
	size_t n = 0;
	int c;

	*comment = -1;
	while ((c = trace_input_getc(&r->in)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if ((*comment >= 0 && !r->keep_comments) || too_long || bad_nul)
			continue;
		if (c == '#' && *comment < 0) {
			*comment = (long)n;
			if (!r->keep_comments)
				continue;
		}
		/* a kept comment does not count either: NULs are dropped
		 * and it is cut at the record limit (trace_writer) */
		if (*comment >= 0 &&
		    (c == '\0' || n - (size_t)*comment >= TB_COMMENT_MAX))
			continue;
		if (c == '\0') {
			bad_nul = true;
		} else if ((*comment < 0 && n >= TRACE_LINE_MAX) ||
			   put_char(r, n, (char)c)) {
			too_long = true;
		} else {
			n++;
		}
	}
	if (r->in.error) {
		r->line++;
		return fail(r, "%s", r->in.error);
	}
	if (!any)
		return 0;
	r->line++;
	r->buf[n] = '\0';
	if (*comment >= 0)
		r->buf[*comment] = '\0';
	if (bad_nul)
		return fail(r, "NUL byte in line");
	if (too_long)
		return fail(r, "line longer than %d bytes", TRACE_LINE_MAX);
	return 1;
}

static unsigned int split(char *s, char **tok, unsigned int max, bool *over)
{
	unsigned int n = 0;

	*over = false;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' ||
		       *s == '\f')
			s++;
		if (!*s)
			return n;
		if (n == max) {
			*over = true;
			return n;
		}
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r' &&
		       *s != '\v' && *s != '\f')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

static bool key_allowed(const struct rec_desc *d, const char *key)
{
	unsigned int i;

	if (d->any_key)
		return true;
	for (i = 0; i < 12 && d->keys[i]; i++) {
		if (!strcmp(d->keys[i], key))
			return true;
	}
	return false;
}

/* Numbers and BDFs (most fields) are never flags: one test, no strcmp. */
static uint32_t flag_bit(const char *s)
{
	size_t i;

	if (s[0] >= '0' && s[0] <= '9')
		return 0;
	for (i = 0; i < NFLAGS; i++) {
		if (flag_names[i].name[0] == s[0] &&
		    !strcmp(flag_names[i].name, s))
			return flag_names[i].bit;
	}
	return 0;
}

static unsigned int npos_max(const struct rec_desc *d)
{
	unsigned int n = 0;

	while (n < 5 && d->pos[n])
		n++;
	return n;
}

static int classify(struct parse *p, char **tok, unsigned int ntok)
{
	const struct rec_desc *d = p->d;
	unsigned int i, j;

	for (i = 0; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		uint32_t bit;

		if (eq) {
			*eq = '\0';
			if (eq == tok[i])
				return fail(p->r, "field '=%s' has no key",
					    eq + 1);
			if (!key_allowed(d, tok[i]))
				return fail(p->r, "unknown key '%s' for %s",
					    tok[i], d->name);
			for (j = 0; j < p->nkeys; j++) {
				if (!strcmp(p->key[j], tok[i]))
					return fail(p->r, "duplicate key '%s'",
						    tok[i]);
			}
			p->key[p->nkeys] = tok[i];
			p->val[p->nkeys++] = eq + 1;
			continue;
		}
		bit = flag_bit(tok[i]) & d->flags;
		if (bit) {
			if (p->flags & bit)
				return fail(p->r, "duplicate flag '%s'",
					    tok[i]);
			p->flags |= bit;
			continue;
		}
		if (p->npos == npos_max(d))
			return fail(p->r, "unexpected field '%s' in %s", tok[i],
				    d->name);
		p->pos[p->npos++] = tok[i];
	}
	if (p->npos < d->nmin)
		return fail(p->r, "%s: missing %s", d->name, d->pos[p->npos]);
	return 0;
}

static int parse_time(struct trace_reader *r, const char *s,
		      struct trace_record *rec)
{
	uint64_t t;

	if (trace_parse_u64(s + 1, &t))
		return fail(r, "bad time '%s'", s);
	if (t < r->time)
		return fail(r, "time %s goes backwards (previous @%llu)", s,
			    (unsigned long long)r->time);
	r->time = t;
	rec->time = t;
	return 0;
}

/* The record named s: the first character picks out the few candidates,
 * so a line costs a string compare or two, not a scan of the table with
 * strcmp. */
static const struct rec_desc *find_desc(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < NDESCS; i++) {
		const char *d = descs[i].name;

		if (d[0] == s[0] && !strncmp(d, s, n) && d[n] == '\0')
			return &descs[i];
	}
	return NULL;
}

static int parse_line(struct trace_reader *r, char **tok, unsigned int ntok,
		      struct trace_record *rec)
{
	struct parse p;

	memset(&p, 0, sizeof(p));
	p.r = r;
	if (tok[0][0] == '@') {
		if (parse_time(r, tok[0], rec))
			return -1;
		tok++;
		if (!--ntok)
			return fail(r, "time without a record");
	}
	p.d = find_desc(tok[0]);
	if (!p.d)
		return fail(r, "unknown record '%s'", tok[0]);
	rec->op = p.d->op;
	rec->size = p.d->size;
	if (classify(&p, tok + 1, ntok - 1))
		return -1;
	rec->flags = p.flags;
	return p.d->conv(&p, rec);
}

static void clear(struct trace_reader *r, struct trace_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->want = rec->want_perm = rec->want_u = TRACE_WANT_NONE;
	rec->want_devtlb = rec->want_pro = rec->want_ppr = TRACE_WANT_NONE;
	rec->line = r->line;
	rec->time = r->time;
	r->dma_rec = NULL;
}

static bool blank(const char *s)
{
	return !s[strspn(s, " \t\r\v\f")];
}

/* r->buf holds one record line: 1 with the record, 0 when blank, -1. */
static int text_record(struct trace_reader *r, struct trace_record *rec)
{
	char *tok[TRACE_MAX_TOKENS];
	unsigned int ntok;
	bool over;

	if (r->keep_text && !blank(r->buf) && keep(r, r->buf))
		return -1;
	ntok = split(r->buf, tok, TRACE_MAX_TOKENS, &over);
	if (over)
		return fail(r, "more than %d fields", TRACE_MAX_TOKENS);
	if (!ntok)
		return 0;
	clear(r, rec);
	if (parse_line(r, tok, ntok, rec))
		return -1;
	return 1;
}

/* A whole-line comment as a TR_NONE record (keep_comments). */
static int comment_record(struct trace_reader *r, const char *text,
			  struct trace_record *rec)
{
	if (keep(r, text))
		return -1;
	clear(r, rec);
	rec->op = TR_NONE;
	return 1;
}

static int next_text(struct trace_reader *r, struct trace_record *rec)
{
	for (;;) {
		long comment;
		int rc = read_line(r, &comment);

		if (rc <= 0)
			return rc;
		rc = text_record(r, rec);
		if (rc)
			return rc;
		if (comment >= 0 && r->keep_comments && blank(r->buf))
			return comment_record(r, r->buf + comment + 1, rec);
	}
}

static int binary_dma(struct trace_reader *r, const uint8_t *p,
		      struct trace_record *rec)
{
	const char *e;

	if (r->dma_rec != rec)
		clear(r, rec);
	rec->line = r->line;
	e = tb_decode_dma(p, rec);
	if (e)
		return fail(r, "%s", e);
	if (rec->time < r->time)
		return fail(r, "time %llu goes backwards (previous @%llu)",
			    (unsigned long long)rec->time,
			    (unsigned long long)r->time);
	r->time = rec->time;
	r->dma_rec = rec;
	return 1;
}

/* A text or comment record's bytes into r->buf. */
static int binary_text(struct trace_reader *r, const uint8_t *p)
{
	struct trace_input *in = &r->in;
	uint32_t n = tb_get32(p + 4);

	if (p[1] || p[2] || p[3])
		return fail(r, "reserved text record field set");
	if (n >= TRACE_LINE_MAX)
		return fail(r, "text record longer than %d bytes",
			    TRACE_LINE_MAX - 1);
	if (trace_input_want(in, TB_TEXT_HDR_LEN + n) < TB_TEXT_HDR_LEN + n)
		return fail(r, "truncated text record");
	while (r->cap <= n) {
		char *b = realloc(r->buf, r->cap * 2);

		if (!b)
			return fail(r, "out of memory");
		r->buf = b;
		r->cap *= 2;
	}
	memcpy(r->buf, in->buf + in->pos + TB_TEXT_HDR_LEN, n);
	r->buf[n] = '\0';
	in->pos += TB_TEXT_HDR_LEN + n;
	if (strlen(r->buf) != n || strchr(r->buf, '\n'))
		return fail(r, "NUL or newline in a text record");
	return 0;
}

static size_t record_len(uint8_t kind)
{
	switch (kind) {
	case TB_DMA:
		return TB_DMA_LEN;
	case TB_DMA_LAT:
		return TB_DMA_LAT_LEN;
	case TB_TEXT:
	case TB_COMMENT:
		return TB_TEXT_HDR_LEN;
	default:
		return 0;
	}
}

static int next_binary(struct trace_reader *r, struct trace_record *rec)
{
	struct trace_input *in = &r->in;

	for (;;) {
		const uint8_t *p;
		uint8_t kind;
		size_t len;
		int rc;

		if (!trace_input_want(in, 1))
			return in->error ? fail(r, "%s", in->error) : 0;
		r->line++;
		p = in->buf + in->pos;
		len = record_len(p[0]);
		if (!len)
			return fail(r, "unknown record kind 0x%02x", p[0]);
		if (trace_input_want(in, len) < len)
			return fail(r, "%s",
				    in->error ? in->error : "truncated record");
		p = in->buf + in->pos;
		kind = p[0];
		if (kind == TB_DMA || kind == TB_DMA_LAT) {
			in->pos += len;
			return binary_dma(r, p, rec);
		}
		if (binary_text(r, p))
			return -1;
		if (kind == TB_COMMENT) {
			if (r->keep_comments)
				return comment_record(r, r->buf, rec);
			continue;
		}
		rc = text_record(r, rec);
		if (rc)
			return rc;
		return fail(r, "empty text record");
	}
}

int trace_reader_next_dma(struct trace_reader *r, struct trace_dma *d)
{
	struct trace_input *in = &r->in;

	if (!r->binary || r->failed ||
	    trace_input_want(in, TB_DMA_LEN) < TB_DMA_LEN ||
	    !tb_decode_plain_dma(in->buf + in->pos, d) || d->time < r->time)
		return 0;
	in->pos += TB_DMA_LEN;
	d->line = ++r->line;
	r->time = d->time;
	return 1;
}

int trace_reader_next(struct trace_reader *r, struct trace_record *rec)
{
	if (r->failed)
		return -1;
	return r->binary ? next_binary(r, rec) : next_text(r, rec);
}
