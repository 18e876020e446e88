// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness, host side: the simulated platform.
 *
 * Two VT-d units (register pages at 0xfed90000 and 0xfed91000), each a model
 * instance with the stale-translation checker on, sharing one physical
 * arena. Endpoints sit behind them as the DMAR table's device scopes say:
 *
 *   00:02.0 behind unit 0: a plain DMA device (no PASID, ATS or PRI)
 *   00:03.0 behind unit 0: an SVA device (PASID 20 bits, ATS, PRI)
 *   00:04.0 behind unit 0: PASID only
 *   00:05.0 behind unit 1: ATS only
 *
 * The kernel side reaches this file only through ../vksim.h.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, memfd_create */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vtdsim/endpoint.h>
#include <vtdsim/vtdsim.h>

#include "../vksim.h"
#include "optime.h"
#include "platform.h"
#include "report.h"

#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(VK_DMA_OK, VTD_DEV_OK) &&
		       SAME(VK_DMA_PENDING, VTD_DEV_PENDING) &&
		       SAME(VK_DMA_FAULT, VTD_DEV_FAULT) &&
		       SAME(VK_DMA_ATS_FAIL, VTD_DEV_ATS_FAIL) &&
		       SAME(VK_DMA_PRQ_FAIL, VTD_DEV_PRQ_FAIL) &&
		       SAME(VK_DMA_TRANSLATED_BLOCKED,
			    VTD_DEV_TRANSLATED_BLOCKED) &&
		       SAME(VK_DMA_NOT_ENABLED, VTD_DEV_NOT_ENABLED),
	       "vksim.h's DMA status values follow the endpoint model");

#define ARENA_SIZE     (128ULL << 20)
#define UNIT_BASE0     0xfed90000ULL
#define UNIT_REG_SIZE  0x1000ULL
#define MSI_BASE       0xfee00000ULL
#define MMIO_ACCESS_NS 50
#define MAX_UNITS      2
#define MAX_DEVS       8
#define IRQ_QUEUE      256

struct dev_spec {
	uint16_t bdf;
	unsigned int unit;
	bool pasid, ats, pri;
};

static const struct dev_spec dev_specs[] = {
	{0x0010, 0, false, false, false},
	{0x0018, 0, true, true, true},
	{0x0020, 0, true, false, false},
	{0x0028, 1, false, true, false},
};

struct vh_dev {
	struct dev_spec spec;
	struct vtd_endpoint *ep;
	bool pending;
	struct vtd_dev_result last;
};

static struct {
	uint8_t *arena;
	int arena_fd;
	struct vtd *unit[MAX_UNITS];
	unsigned int nunits;
	struct vh_dev dev[MAX_DEVS];
	unsigned int ndevs;
	int irq[IRQ_QUEUE];
	unsigned int irq_head, irq_tail;
	uint8_t dmar[512];
	uint8_t dsm_drhd[64]; /* a hot-pluggable unit's DRHD (_DSM) */
	size_t dsm_drhd_len;
	size_t dmar_len;
	struct vl_result *res;
	const struct vl_options *opt;
	bool ran;
} P;

static void note_problem(const char *what)
{
	if (P.res && !P.res->first_problem[0])
		snprintf(P.res->first_problem, sizeof(P.res->first_problem),
			 "%s", what);
}

static FILE *log_file(void)
{
	return P.opt && P.opt->log ? P.opt->log : stderr;
}

/* ---- model callbacks ------------------------------------------------------
 */

static int arena_read(void *o, uint64_t pa, void *buf, size_t len)
{
	(void)o;
	if (pa >= ARENA_SIZE || len > ARENA_SIZE - pa)
		return -1;
	memcpy(buf, P.arena + pa, len);
	return 0;
}

static int arena_write(void *o, uint64_t pa, const void *buf, size_t len)
{
	(void)o;
	if (pa >= ARENA_SIZE || len > ARENA_SIZE - pa)
		return -1;
	memcpy(P.arena + pa, buf, len);
	return 0;
}

static int arena_cmpxchg(void *o, uint64_t pa, uint64_t expected,
			 uint64_t desired, uint64_t *found)
{
	uint64_t cur;

	(void)o;
	if (pa >= ARENA_SIZE || 8 > ARENA_SIZE - pa)
		return -1;
	memcpy(&cur, P.arena + pa, 8);
	*found = cur;
	if (cur == expected)
		memcpy(P.arena + pa, &desired, 8);
	return 0;
}

static void unit_interrupt(void *o, enum vtd_irq_source src, uint64_t addr,
			   uint32_t data)
{
	(void)o;
	(void)src;
	if ((addr & ~0xfffffULL) != MSI_BASE) {
		note_problem("interrupt message to an address that is not the "
			     "MSI window");
		return;
	}
	if (P.irq_tail - P.irq_head >= IRQ_QUEUE)
		return;
	P.irq[P.irq_tail++ % IRQ_QUEUE] = (int)data;
}

static void unit_stale(void *o, const struct vtd_stale_report *r)
{
	char buf[400], line[480];

	vtd_stale_report_format(r, buf, sizeof(buf));
	snprintf(line, sizeof(line), "checker (unit %u): %s",
		 (unsigned int)(uintptr_t)o, buf);
	fprintf(log_file(), "vtdsim-linux: %s\n", line);
	if (P.res)
		P.res->stale_reports++;
	note_problem(line);
}

static void dev_done(void *o, struct vtd_endpoint *ep,
		     const struct vtd_dev_result *res)
{
	struct vh_dev *d = o;

	(void)ep;
	d->pending = false;
	d->last = *res;
}

/* The endpoint refused a page group response: a driver problem. */
static void dev_bad_response(void *o, struct vtd_endpoint *ep, const char *why)
{
	uint16_t sid = vtd_endpoint_sid(ep);
	char buf[300];

	(void)o;
	snprintf(buf, sizeof(buf), "endpoint %02x:%02x.%x: %s", sid >> 8,
		 (sid >> 3) & 0x1f, sid & 7, why);
	vh_check_failed(__FILE__, __LINE__, buf);
}

/* ---- platform ---------------------------------------------------------------
 */

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ACPI DMAR: header, one DRHD per unit with a PCI endpoint device scope
 * for each device behind it. */
/* One PCI endpoint device scope for bdf at s: 8 bytes. */
static size_t put_scope(uint8_t *s, uint16_t bdf)
{
	s[0] = 1; /* PCI endpoint device */
	s[1] = 8;
	s[5] = (uint8_t)(bdf >> 8); /* start bus */
	s[6] = (uint8_t)((bdf >> 3) & 0x1f);
	s[7] = (uint8_t)(bdf & 7);
	return 8;
}

/* The firmware structures a scenario asks for (vk_scenario_firmware),
 * after the DRHDs: "rmrr" reserves FW_RMRR_BASE..+1 MiB for 00:02.0,
 * "atsr" allows ATS on all root ports, "rhsa" puts dmar0 in proximity
 * domain 0, "satc" lists 00:05.0 with ATC required. */
#define FW_RMRR_BASE 0x7f00000ULL
static size_t build_firmware(uint8_t *t, const char *fw)
{
	size_t n = 0;

	if (strstr(fw, "rmrr")) {
		uint8_t *d = t + n;

		put_le(d, 1, 2); /* type: RMRR */
		put_le(d + 6, 0, 2);
		put_le(d + 8, FW_RMRR_BASE, 8);
		put_le(d + 16, FW_RMRR_BASE + 0xfffff, 8);
		put_le(d + 2, 24 + put_scope(d + 24, 0x0010), 2);
		n += 32;
	}
	if (strstr(fw, "atsr")) {
		uint8_t *d = t + n;

		put_le(d, 2, 2); /* type: ATSR */
		put_le(d + 2, 8, 2);
		d[4] = 1; /* ALL_PORTS */
		n += 8;
	}
	if (strstr(fw, "rhsa")) {
		uint8_t *d = t + n;

		put_le(d, 3, 2); /* type: RHSA */
		put_le(d + 2, 20, 2);
		put_le(d + 8, UNIT_BASE0, 8);
		put_le(d + 16, 0, 4);
		n += 20;
	}
	if (strstr(fw, "satc")) {
		uint8_t *d = t + n;

		put_le(d, 5, 2); /* type: SATC */
		d[4] = 1;	 /* ATC required */
		put_le(d + 6, 0, 2);
		put_le(d + 2, 8 + put_scope(d + 8, 0x0028), 2);
		n += 16;
	}
	return n;
}

/* The DRHD of unit u with a device scope per device behind it. */
static size_t put_drhd(uint8_t *d, unsigned int u)
{
	size_t len = 16;

	put_le(d, 0, 2);     /* type: DRHD */
	d[4] = 0;	     /* flags: explicit device scopes */
	put_le(d + 6, 0, 2); /* segment */
	put_le(d + 8, UNIT_BASE0 + u * UNIT_REG_SIZE, 8);
	for (unsigned int i = 0; i < P.ndevs; i++)
		if (P.dev[i].spec.unit == u)
			len += put_scope(d + len, P.dev[i].spec.bdf);
	put_le(d + 2, len, 2);
	return len;
}

static void build_dmar(const char *fw)
{
	uint8_t *t = P.dmar;
	size_t n = 48;
	uint8_t sum = 0;

	memset(P.dmar, 0, sizeof(P.dmar));
	memcpy(t, "DMAR", 4);
	t[8] = 1;		       /* revision */
	memcpy(t + 10, "VTDSIM", 6);   /* OEM ID */
	memcpy(t + 16, "VTDSIMPL", 8); /* OEM table ID */
	t[36] = 46 - 1;		       /* host address width - 1 */
	for (unsigned int u = 0; u < P.nunits; u++) {
		/* "hotplug": dmar1 is not there at boot; its DRHD is what
		 * the _DSM of its ACPI device returns (vh_acpi_dsm) */
		if (u == 1 && strstr(fw, "hotplug")) {
			P.dsm_drhd_len = put_drhd(P.dsm_drhd, u);
			continue;
		}
		n += put_drhd(t + n, u);
	}
	n += build_firmware(t + n, fw);
	put_le(t + 4, n, 4);
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)(0 - sum);
	P.dmar_len = n;
}

/* The user's KEY=VALUE overrides; a bad one is reported and stops the run. */
/* One KEY=VALUE setting of the model's configuration; what names the
 * setting's origin in a message. */
static int apply_set(struct vtd_config *cfg, const char *what, const char *kv,
		     size_t len)
{
	const char *eq = memchr(kv, '=', len);
	size_t n = eq ? (size_t)(eq - kv) : 0;
	char key[64], val[64], err[200], msg[400];

	if (!eq || !n || n >= sizeof(key) || len - n - 1 >= sizeof(val)) {
		snprintf(msg, sizeof(msg), "%s %.*s: expected KEY=VALUE", what,
			 (int)len, kv);
		note_problem(msg);
		return -1;
	}
	memcpy(key, kv, n);
	key[n] = '\0';
	memcpy(val, eq + 1, len - n - 1);
	val[len - n - 1] = '\0';
	if (vtd_config_set(cfg, key, val, err, sizeof(err))) {
		snprintf(msg, sizeof(msg), "%s %.*s: %s", what, (int)len, kv,
			 err);
		note_problem(msg);
		return -1;
	}
	return 0;
}

/* The scenario's unit settings (vk_scenario_units), then the user's --set. */
static int apply_sets(struct vtd_config *cfg, const char *units)
{
	const struct vl_options *o = P.opt;
	char err[200], msg[320];

	while (*units) {
		size_t len = strcspn(units, " ");

		if (len &&
		    apply_set(cfg, "the scenario's unit setting", units, len))
			return -1;
		units += len + (units[len] == ' ');
	}
	for (unsigned int i = 0; o && i < o->nset; i++)
		if (apply_set(cfg, "--set", o->set[i], strlen(o->set[i])))
			return -1;
	if (vtd_config_validate(cfg, err, sizeof(err))) {
		snprintf(msg, sizeof(msg), "--set: %s", err);
		note_problem(msg);
		return -1;
	}
	return 0;
}

static void unit_timing(void *o, const struct vtd_timing_event *ev)
{
	(void)o;
	optime_event(ev);
}

static void unit_timed(void *o, const struct vtd_timing *t)
{
	(void)o;
	optime_timed(t);
}

/* Model time: the units' clocks advance together (vh_delay_ns). */
static uint64_t now_ps(void)
{
	return vtd_now(P.unit[0]) * 1000;
}

static void flush_timing(void)
{
	for (unsigned int u = 0; u < P.nunits; u++)
		vtd_timing_flush(P.unit[u]);
}

static int platform_create(const char *units, const char *fw)
{
	static const struct vtd_host_ops ops = {
		.read = arena_read,
		.write = arena_write,
		.cmpxchg64 = arena_cmpxchg,
		.interrupt = unit_interrupt,
		.stale = unit_stale,
		.timing = unit_timing,
		.timed = unit_timed,
	};
	static const struct vtd_endpoint_ops ep_ops = {
		.done = dev_done,
		.bad_response = dev_bad_response,
	};
	char err[256];

	/* a memory file, so that the kernel side can map its pages a second
	 * time (vmap) */
	P.arena_fd = memfd_create("vtdsim-arena", MFD_CLOEXEC);
	if (P.arena_fd < 0 || ftruncate(P.arena_fd, ARENA_SIZE))
		return -1;
	P.arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_NORESERVE, P.arena_fd, 0);
	if (P.arena == MAP_FAILED)
		return -1;
	P.nunits = MAX_UNITS;
	for (unsigned int u = 0; u < P.nunits; u++) {
		struct vtd_config cfg;

		vtd_config_init(&cfg);
		/* invalidations take model time: a driver must wait for them */
		cfg.timing.qi_async = true;
		if (apply_sets(&cfg, units))
			return 2;
		cfg.check_stale = true;
		P.unit[u] = vtd_create(&cfg, &ops, (void *)(uintptr_t)u, err,
				       sizeof(err));
		if (!P.unit[u]) {
			fprintf(log_file(), "vtdsim-linux: %s\n", err);
			return -1;
		}
	}
	optime_init(now_ps, flush_timing);
	P.ndevs = sizeof(dev_specs) / sizeof(dev_specs[0]);
	for (unsigned int i = 0; i < P.ndevs; i++) {
		struct vh_dev *d = &P.dev[i];
		struct vtd_endpoint_config ec;

		d->spec = dev_specs[i];
		vtd_endpoint_config_init(&ec, d->spec.bdf);
		ec.vendor_id = 0x1af4;
		ec.device_id = (uint16_t)(0x1000 + i);
		ec.pasid_cap = d->spec.pasid;
		ec.ats_cap = d->spec.ats;
		ec.pri_cap = d->spec.pri;
		if (!d->spec.ats)
			ec.devtlb.sets = 0;
		d->ep = vtd_endpoint_create(P.unit[d->spec.unit], &ec, &ep_ops,
					    d, err, sizeof(err));
		if (!d->ep) {
			fprintf(log_file(), "vtdsim-linux: %s\n", err);
			return -1;
		}
	}
	build_dmar(fw);
	return 0;
}

static struct vh_dev *find_dev(uint16_t bdf)
{
	for (unsigned int i = 0; i < P.ndevs; i++)
		if (P.dev[i].spec.bdf == bdf)
			return &P.dev[i];
	return NULL;
}

static struct vtd *find_unit(uint64_t pa, uint32_t *off)
{
	if (pa < UNIT_BASE0)
		return NULL;
	uint64_t u = (pa - UNIT_BASE0) / UNIT_REG_SIZE;

	if (u >= P.nunits)
		return NULL;
	*off = (uint32_t)(pa - UNIT_BASE0 - u * UNIT_REG_SIZE);
	return P.unit[u];
}

/* ---- the host side of vksim.h
 * ------------------------------------------------ */

void *vh_arena(vk_u64 *size)
{
	*size = ARENA_SIZE;
	return P.arena;
}

void *vh_zalloc(vk_size size)
{
	return calloc(1, size);
}

void vh_delay_ns(vk_u64 ns)
{
	for (unsigned int u = 0; u < P.nunits; u++)
		vtd_advance(P.unit[u], vtd_now(P.unit[u]) + ns);
}

void *vh_alias(const vk_u64 *pa, unsigned int count)
{
	size_t len = (size_t)count << 12;
	uint8_t *va =
		mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (va == MAP_FAILED)
		return NULL;
	for (unsigned int i = 0; i < count; i++) {
		if (pa[i] >= ARENA_SIZE || (pa[i] & 0xfff) ||
		    mmap(va + ((size_t)i << 12), 1 << 12,
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 P.arena_fd, (off_t)pa[i]) == MAP_FAILED) {
			munmap(va, len);
			return NULL;
		}
	}
	return va;
}

void vh_unalias(void *va, unsigned int count)
{
	munmap(va, (size_t)count << 12);
}

vk_u64 vh_now_ns(void)
{
	return vtd_now(P.unit[0]);
}

vk_u64 vh_mmio_read(vk_u64 pa, unsigned int size)
{
	uint32_t off;
	struct vtd *v = find_unit(pa, &off);
	uint64_t val;

	if (!v || (size != 4 && size != 8) || (off & (size - 1))) {
		vh_check_failed(__FILE__, __LINE__,
				"MMIO read outside a unit's registers");
		return ~0ULL;
	}
	val = vtd_reg_read(v, off, size);
	vh_delay_ns(MMIO_ACCESS_NS);
	return val;
}

void vh_mmio_write(vk_u64 pa, unsigned int size, vk_u64 val)
{
	uint32_t off;
	struct vtd *v = find_unit(pa, &off);

	if (!v || (size != 4 && size != 8) || (off & (size - 1))) {
		vh_check_failed(__FILE__, __LINE__,
				"MMIO write outside a unit's registers");
		return;
	}
	vtd_reg_write(v, off, size, val);
	vh_delay_ns(MMIO_ACCESS_NS);
}

vk_u32 vh_pci_cfg_read(vk_u16 bdf, unsigned int off, unsigned int size)
{
	struct vh_dev *d = find_dev(bdf);

	if (!d || off + size > 4096)
		return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	return vtd_endpoint_cfg_read(d->ep, (uint16_t)off, size);
}

void vh_pci_cfg_write(vk_u16 bdf, unsigned int off, unsigned int size,
		      vk_u32 val)
{
	struct vh_dev *d = find_dev(bdf);

	if (d && off + size <= 4096)
		vtd_endpoint_cfg_write(d->ep, (uint16_t)off, size, val);
}

int vh_pci_device(unsigned int i)
{
	return i < P.ndevs ? P.dev[i].spec.bdf : -1;
}

const void *vh_acpi_dsm_drhd(vk_size *len)
{
	*len = P.dsm_drhd_len;
	return P.dsm_drhd_len ? P.dsm_drhd : NULL;
}

const void *vh_acpi_dmar(vk_size *len)
{
	*len = P.dmar_len;
	return P.dmar;
}

int vh_next_irq(void)
{
	if (P.irq_head == P.irq_tail)
		return -1;
	return P.irq[P.irq_head++ % IRQ_QUEUE];
}

void vh_log(int level, const char *msg)
{
	if ((P.opt && P.opt->verbose) || level <= 3)
		fprintf(log_file(), "%s", msg);
}

void vh_check_failed(const char *file, int line, const char *msg)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s:%d: %s", file, line, msg);
	fprintf(log_file(), "vtdsim-linux: check failed: %s\n", buf);
	if (P.res)
		P.res->failed_checks++;
	note_problem(buf);
}

int vh_dma(vk_u16 bdf, int has_pasid, vk_u32 pasid, int write, vk_u64 addr,
	   vk_u64 *pa, vk_u8 *fault)
{
	struct vh_dev *d = find_dev(bdf);
	struct vtd_dev_request req = {
		.has_pasid = has_pasid,
		.pasid = pasid,
		.access = write ? VTD_ACCESS_WRITE : VTD_ACCESS_READ,
		.addr = addr,
	};
	struct vtd_dev_result res;

	if (!d)
		return -1;
	memset(&res, 0, sizeof(res));
	vtd_endpoint_access(d->ep, &req, &res);
	d->last = res;
	d->pending = res.status == VTD_DEV_PENDING;
	*pa = res.addr;
	*fault = res.fault;
	return res.status;
}

int vh_dma_result(vk_u16 bdf, vk_u64 *pa, vk_u8 *resp_code)
{
	struct vh_dev *d = find_dev(bdf);

	if (!d || d->pending)
		return -1;
	*pa = d->last.addr;
	*resp_code = d->last.resp_code;
	return d->last.status;
}

vk_u8 vh_dma_fault(vk_u16 bdf)
{
	struct vh_dev *d = find_dev(bdf);

	return d && !d->pending ? d->last.fault : 0;
}

int vh_page_request(vk_u16 bdf, int has_pasid, vk_u32 pasid, vk_u16 prgi,
		    vk_u64 addr, unsigned int flags)
{
	struct vh_dev *d = find_dev(bdf);
	struct vtd_page_request pr = {
		.sid = bdf,
		.has_pasid = has_pasid,
		.pasid = pasid,
		.read = flags & VH_PR_READ,
		.write = flags & VH_PR_WRITE,
		.exec = flags & VH_PR_EXEC,
		.priv = flags & VH_PR_PRIV,
		.lpig = flags & VH_PR_LPIG,
		.addr = addr & ~0xfffULL,
		.prgi = prgi & 0x1ff,
	};

	if (!d)
		return -1;
	vtd_endpoint_send_page_request(d->ep, &pr);
	return 0;
}

vk_u64 vh_dev_responses(vk_u16 bdf, unsigned int code)
{
	struct vh_dev *d = find_dev(bdf);

	return d && code < 16
		       ? vtd_endpoint_get_stats(d->ep)->page_responses[code]
		       : 0;
}

vk_u64 vh_page_size(vk_u16 bdf, int has_pasid, vk_u32 pasid, vk_u64 addr)
{
	struct vh_dev *d = find_dev(bdf);
	struct vtd_request req = {
		.sid = bdf,
		.has_pasid = has_pasid,
		.pasid = pasid,
		.access = VTD_ACCESS_READ,
		.addr = addr,
	};
	struct vtd_result res;

	if (!d)
		return 0;
	return vtd_translate(P.unit[d->spec.unit], &req, &res) ? res.page_size
							       : 0;
}

void vh_unit_power_cycle(unsigned int unit)
{
	if (unit < P.nunits)
		vtd_reset(P.unit[unit]);
}

vk_u64 vh_unit_reg(unsigned int unit, vk_u32 off)
{
	if (unit >= P.nunits)
		return 0;
	return vtd_reg_read(P.unit[unit], off, 8);
}

vk_u32 vh_unit_reg32(unsigned int unit, vk_u32 off)
{
	if (unit >= P.nunits)
		return 0;
	return (vk_u32)vtd_reg_read(P.unit[unit], off, 4);
}

vk_u64 vh_stat(const char *name)
{
	uint64_t sum = 0;

	for (unsigned int u = 0; u < P.nunits; u++) {
		const struct vtd_stats *s = vtd_get_stats(P.unit[u]);

		if (!strcmp(name, "faults_recorded"))
			sum += s->faults_recorded;
		else if (!strcmp(name, "faults_overflowed"))
			sum += s->faults_overflowed;
		else if (!strcmp(name, "page_requests"))
			sum += s->page_requests;
		else if (!strcmp(name, "page_responses"))
			sum += s->page_responses;
		else if (!strcmp(name, "inv_errors"))
			sum += s->inv_errors;
		else if (!strcmp(name, "iotlb_inv"))
			sum += s->inv_descriptors[VTD_QI_IOTLB] +
			       s->inv_descriptors[VTD_QI_PIOTLB];
		else if (!strcmp(name, "devtlb_inv"))
			sum += s->inv_descriptors[VTD_QI_DIOTLB] +
			       s->inv_descriptors[VTD_QI_PDIOTLB];
		else if (!strcmp(name, "inv_descriptors")) {
			for (unsigned int t = 0; t < VTD_QI_TYPE_COUNT; t++)
				sum += s->inv_descriptors[t];
		} else {
			vh_check_failed(__FILE__, __LINE__, name);
			return 0;
		}
	}
	return sum;
}

void vl_print_stats(FILE *out)
{
	for (unsigned int u = 0; u < P.nunits; u++) {
		fprintf(out, "unit dmar%u (registers at 0x%llx):\n", u,
			UNIT_BASE0 + u * UNIT_REG_SIZE);
		report_unit_stats(out, vtd_get_stats(P.unit[u]));
	}
	for (unsigned int i = 0; i < P.ndevs; i++) {
		const struct vtd_endpoint_stats *e =
			vtd_endpoint_get_stats(P.dev[i].ep);
		uint16_t b = P.dev[i].spec.bdf;

		fprintf(out,
			"device %02x:%02x.%u: accesses %llu, translation "
			"requests "
			"%llu, device-TLB hits %llu, page requests %llu, "
			"invalidation requests %llu\n",
			b >> 8, (b >> 3) & 0x1f, b & 7,
			(unsigned long long)e->accesses,
			(unsigned long long)e->translation_requests,
			(unsigned long long)e->devtlb.hits,
			(unsigned long long)e->page_requests,
			(unsigned long long)e->inv_requests);
	}
	optime_print(out);
}

struct json_arg {
	const char *scenario;
	int rc;
	const struct vl_result *res;
};

static void json_dev(FILE *f, const struct vh_dev *d)
{
	const struct vtd_endpoint_stats *e = vtd_endpoint_get_stats(d->ep);
	uint16_t b = d->spec.bdf;

	fprintf(f,
		"{\"device\": \"%02x:%02x.%u\", \"unit\": %u, "
		"\"accesses\": %llu, \"translation_requests\": %llu, "
		"\"translated_requests\": %llu, \"untranslated_requests\": "
		"%llu, \"devtlb_hits\": %llu, \"page_requests\": %llu, "
		"\"invalidation_requests\": %llu}",
		b >> 8, (b >> 3) & 0x1f, b & 7, d->spec.unit,
		(unsigned long long)e->accesses,
		(unsigned long long)e->translation_requests,
		(unsigned long long)e->translated_requests,
		(unsigned long long)e->untranslated_requests,
		(unsigned long long)e->devtlb.hits,
		(unsigned long long)e->page_requests,
		(unsigned long long)e->inv_requests);
}

static void json_body(FILE *f, const void *arg)
{
	const struct json_arg *a = arg;
	const struct vl_result *r = a->res;

	fputs("{\n  \"scenario\": ", f);
	report_json_string(f, a->scenario);
	fprintf(f,
		",\n  \"result\": \"%s\",\n  \"exit_code\": %d,\n"
		"  \"failed_checks\": %u,\n  \"driver_warnings\": %u,\n"
		"  \"checker_reports\": %u,\n  \"invalidation_errors\": %u,\n"
		"  \"first_problem\": ",
		a->rc ? "fail" : "pass", a->rc, r->failed_checks, r->warnings,
		r->stale_reports, r->inv_errors);
	report_json_string(f, r->first_problem);
	fputs(",\n  \"units\": [", f);
	for (unsigned int u = 0; u < P.nunits; u++) {
		fprintf(f, "%s\n  {\"name\": \"dmar%u\", \"base\": %llu,\n  ",
			u ? "," : "", u, UNIT_BASE0 + u * UNIT_REG_SIZE);
		report_json_unit(f, vtd_get_stats(P.unit[u]));
		fputs("}", f);
	}
	fputs("],\n", f);
	optime_json(f);
	fputs("  \"devices\": [", f);
	for (unsigned int i = 0; i < P.ndevs; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		json_dev(f, &P.dev[i]);
	}
	fputs("]\n}\n", f);
}

int vl_write_json(const char *path, const char *scenario, int rc,
		  const struct vl_result *res, char *err, size_t errlen)
{
	struct json_arg a = {scenario, rc, res};

	if (!P.arena) {
		snprintf(err, errlen, "no scenario ran");
		return -1;
	}
	return report_write_atomic(path, json_body, &a, err, errlen);
}

/* ---- running a scenario -----------------------------------------------------
 */

const char *vl_scenario_name(unsigned int i)
{
	return vk_scenario_name(i);
}

int vl_run_scenario(const char *name, const struct vl_options *opt,
		    struct vl_result *res)
{
	int n;

	memset(res, 0, sizeof(*res));
	P.res = res;
	P.opt = opt;
	for (unsigned int i = 0;; i++) {
		const char *s = vk_scenario_name(i);

		if (!s)
			return 2;
		if (!strcmp(s, name))
			break;
	}
	/* the kernel a process holds is booted and brought up once */
	if (P.ran) {
		note_problem("a process runs one scenario: its kernel is not "
			     "reset between runs");
		res->failed_checks++;
		return 1;
	}
	P.ran = true;
	if (!P.arena) {
		int r = platform_create(vk_scenario_units(name),
					vk_scenario_firmware(name));

		if (r == 2)
			return 2;
		if (r) {
			note_problem(
				"the simulated platform could not be built");
			res->failed_checks++;
			return 1;
		}
	}
	if (vk_boot(vk_scenario_cmdline(name))) {
		vh_check_failed(__FILE__, __LINE__, "the shim did not boot");
		return 1;
	}
	n = vk_scenario_run(name);
	if (n < 0)
		return 2;
	flush_timing();
	optime_finish();
	res->warnings = vk_warnings();
	/* the errors the scenario provoked on purpose are not problems */
	res->inv_errors = (unsigned int)vh_stat("inv_errors");
	if (res->inv_errors >= vk_inv_errors_expected())
		res->inv_errors -= vk_inv_errors_expected();
	else
		vh_check_failed(__FILE__, __LINE__,
				"fewer invalidation queue errors than the "
				"scenario provoked");
	if (res->warnings)
		note_problem("the driver hit WARN()");
	if (res->inv_errors)
		note_problem("the unit flagged an invalidation queue error");
	return res->failed_checks || res->warnings || res->stale_reports ||
			       res->inv_errors
		       ? 1
		       : 0;
}
