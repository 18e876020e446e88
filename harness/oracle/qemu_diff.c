// SPDX-License-Identifier: MIT
/*
 * vtdsim-qemu-diff: the model against QEMU's intel-iommu on random cases
 * (docs/fidelity.md). Each case is a random legacy or scalable-mode
 * second-level setup (random mappings of 4 KiB, 2 MiB and 1 GiB pages with
 * random permissions, holes between them) and random requests. The
 * replayer's reference driver builds the tables once, into the model's
 * memory and, mirrored over qtest, into a QEMU q35 machine's memory; the
 * model translates each request, QEMU's edu device DMAs it through its
 * intel-iommu. They agree when QEMU moved the data at the address the
 * model translated to (a signature unique to the request, read back over
 * qtest) and recorded no fault, or recorded the fault reason the model
 * gave. QEMU's documented deviations are excluded by rule, never by case;
 * each exclusion is counted by rule.
 *
 *   vtdsim-qemu-diff [--qemu PATH] [--seed N] [--requests N]
 *                    [--per-case N] [--keep DIR] [-v]
 *
 * A disagreement prints the request and writes the case as a trace
 * (DIR/case-SEED-N.trace) that `vtdsim replay` runs with the model's
 * expectations. Exit 0 when every request agreed (or was excluded), 1 on
 * a disagreement, 2 on bad options or when QEMU cannot be run.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vtdsim/vtd_fault.h>
#include <vtdsim/vtd_regs.h>
#include <vtdsim/vtdsim.h>

#include "refdrv.h"
#include "sparse_mem.h"
#include "trace_reader.h"

#define IOMMU_BASE   0xfed90000ULL
#define EDU_BDF	     0x0020 /* 00:04.0 */
#define EDU_BUF	     0x40000ULL
#define RAM_SIZE     (2ULL << 30)
#define TABLES	     0x01000000ULL /* the reference driver's tables */
#define SCRATCH	     0x00800000ULL /* a page the edu device moves data through */
#define SCRATCH_IOVA 0x7ffffff000ULL
#define OUT_LO	     0x10000000ULL /* translated pages land in [OUT_LO, RAM) */
#define IOVA_SPAN    (1ULL << 38)

/* ---- QEMU over qtest ------------------------------------------------------
 */

struct qemu {
	pid_t pid;
	int to, from; /* its stdin, stdout */
	char buf[8192];
	size_t have;
	uint64_t fro; /* fault recording registers' offset */
	uint64_t edu; /* the edu device's BAR 0, as SeaBIOS placed it */
};

static const char *qemu_path = "qemu-system-x86_64";
static char boot_img[64]; /* a boot sector that marks 0x7e00 and halts */
static int verbose;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vtdsim-qemu-diff: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/*
 * Debian's QEMU has no qtest accelerator (no clock_step), so the machine
 * runs: SeaBIOS boots a sector that writes 0xbeef at 0x7e00 and halts with
 * interrupts off, and -icount with sleep=off lets virtual time leap to
 * each timer (the edu device's DMA fires 100 virtual ms after its start)
 * while the CPU is halted.
 */
static void make_boot_image(void)
{
	static const uint8_t code[] = {
		0x31, 0xc0,			    /* xor ax, ax */
		0x8e, 0xd8,			    /* mov ds, ax */
		0xc7, 0x06, 0x00, 0x7e, 0xef, 0xbe, /* mov [0x7e00], 0xbeef */
		0xfa,				    /* cli */
		0xf4,				    /* hlt */
		0xeb, 0xfd,			    /* jmp hlt */
	};
	static uint8_t sector[512];
	int fd, i;

	snprintf(boot_img, sizeof(boot_img), "/tmp/vtdsim-qemu-diff-XXXXXX");
	fd = mkstemp(boot_img);
	if (fd < 0)
		die("cannot create a boot image in /tmp");
	memcpy(sector, code, sizeof(code));
	sector[510] = 0x55;
	sector[511] = 0xaa;
	if (write(fd, sector, sizeof(sector)) != sizeof(sector))
		die("cannot write the boot image");
	memset(sector, 0, sizeof(sector));
	for (i = 1; i < 2048; i++) /* 1 MiB: SeaBIOS wants a real disk */
		if (write(fd, sector, sizeof(sector)) != sizeof(sector))
			die("cannot write the boot image");
	close(fd);
}

static void remove_boot_image(void)
{
	if (boot_img[0])
		unlink(boot_img);
}

static int qemu_start(struct qemu *q, bool scalable)
{
	int in[2], out[2];
	char iommu[160], drive[128];

	snprintf(iommu, sizeof(iommu),
		 "intel-iommu,intremap=off,aw-bits=48,caching-mode=off,"
		 "x-scalable-mode=%s",
		 scalable ? "on" : "off");
	snprintf(drive, sizeof(drive),
		 "file=%s,format=raw,if=ide,index=0,snapshot=on", boot_img);
	if (pipe(in) || pipe(out))
		return -1;
	q->pid = fork();
	if (q->pid < 0)
		return -1;
	if (!q->pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(in[0], 0);
		dup2(out[1], 1);
		if (null >= 0)
			dup2(null, 2);
		close(in[1]);
		close(out[0]);
		execlp(qemu_path, qemu_path, "-machine", "q35", "-icount",
		       "shift=0,sleep=off", "-qtest", "stdio", "-qtest-log",
		       "/dev/null", "-display", "none", "-nodefaults", "-m",
		       "2G", "-drive", drive, "-device", iommu, "-device",
		       "edu,addr=04.0,dma_mask=0xffffffffffffffff",
		       (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	q->to = in[1];
	q->from = out[0];
	q->have = 0;
	return 0;
}

static void qemu_stop(struct qemu *q)
{
	int st;

	close(q->to);
	close(q->from);
	kill(q->pid, SIGKILL);
	waitpid(q->pid, &st, 0);
}

/* One command, its "OK ..." answer's value (asynchronous IRQ lines are
 * skipped). */
static uint64_t qcmd(struct qemu *q, const char *fmt, ...)
{
	char cmd[9000], *nl;
	va_list ap;
	size_t len;
	ssize_t n;

	va_start(ap, fmt);
	len = (size_t)vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	cmd[len++] = '\n';
	if (write(q->to, cmd, len) != (ssize_t)len)
		die("QEMU went away (writing '%.40s')", cmd);
	for (;;) {
		nl = memchr(q->buf, '\n', q->have);
		if (nl) {
			uint64_t v = 0;

			*nl = '\0';
			if (!strncmp(q->buf, "OK", 2)) {
				v = strtoull(q->buf + 2, NULL, 0);
				len = (size_t)(nl + 1 - q->buf);
				memmove(q->buf, nl + 1, q->have - len);
				q->have -= len;
				return v;
			}
			if (strncmp(q->buf, "IRQ", 3))
				die("QEMU answered '%s' to '%.40s'", q->buf,
				    cmd);
			len = (size_t)(nl + 1 - q->buf);
			memmove(q->buf, nl + 1, q->have - len);
			q->have -= len;
			continue;
		}
		struct pollfd p = {.fd = q->from, .events = POLLIN};

		if (poll(&p, 1, 20000) <= 0)
			die("QEMU does not answer '%.40s'", cmd);
		n = read(q->from, q->buf + q->have,
			 sizeof(q->buf) - 1 - q->have);
		if (n <= 0)
			die("QEMU went away (after '%.40s')", cmd);
		q->have += (size_t)n;
	}
}

static void pci_cfg(struct qemu *q, unsigned int reg, unsigned int size,
		    uint32_t val)
{
	qcmd(q, "outl 0xcf8 0x%x", 0x80000000u | (EDU_BDF << 8) | (reg & 0xfc));
	if (size == 4)
		qcmd(q, "outl 0xcfc 0x%x", val);
	else
		qcmd(q, "outw 0x%x 0x%x", 0xcfc + (reg & 2), val);
}

/* Until (readq addr & mask) == val: the machine runs meanwhile. */
static void wait_for(struct qemu *q, uint64_t addr, uint64_t mask, uint64_t val,
		     const char *what)
{
	unsigned int i;

	for (i = 0; i < 30000; i++) {
		if ((qcmd(q, "readq 0x%" PRIx64, addr) & mask) == val)
			return;
		struct timespec ts = {0, i < 100 ? 100000 : 1000000};

		nanosleep(&ts, NULL);
	}
	die("%s did not finish in QEMU", what);
}

/* One DMA of the edu device (8 bytes): RAM -> its buffer (to_pci false)
 * or its buffer -> RAM, at iova, run by stepping QEMU's clock. */
static void edu_dma(struct qemu *q, uint64_t iova, bool to_ram)
{
	qcmd(q, "writeq 0x%" PRIx64 " 0x%" PRIx64, q->edu + 0x80,
	     to_ram ? EDU_BUF : iova);
	qcmd(q, "writeq 0x%" PRIx64 " 0x%" PRIx64, q->edu + 0x88,
	     to_ram ? iova : EDU_BUF);
	qcmd(q, "writeq 0x%" PRIx64 " 8", q->edu + 0x90);
	qcmd(q, "writeq 0x%" PRIx64 " 0x%x", q->edu + 0x98, to_ram ? 3 : 1);
	wait_for(q, q->edu + 0x98, 1, 0, "the edu device's DMA");
}

/* ---- the model -------------------------------------------------------------
 */

struct side {
	struct vtd *v;
	struct sparse_mem *mem;
	struct qemu *q; /* writes mirrored to QEMU while set */
};

static int m_read(void *o, uint64_t pa, void *buf, size_t len)
{
	return sparse_mem_read(((struct side *)o)->mem, pa, buf, len);
}

static int m_write(void *o, uint64_t pa, const void *buf, size_t len)
{
	return sparse_mem_write(((struct side *)o)->mem, pa, buf, len);
}

/* The reference driver's memory writes go to both machines. */
static int bus_write(void *o, uint64_t pa, const void *buf, size_t len)
{
	struct side *s = o;
	const uint8_t *b = buf;
	char hex[2 * 4096 + 1];
	size_t i, n;

	if (sparse_mem_write(s->mem, pa, buf, len))
		return -1;
	while (len) {
		n = len > 4096 ? 4096 : len;
		for (i = 0; i < n && !b[i]; i++)
			;
		if (i < n || pa < RAM_SIZE) { /* zeros are QEMU's default */
			for (i = 0; i < n; i++)
				snprintf(hex + 2 * i, 3, "%02x", b[i]);
			if (pa + n <= RAM_SIZE)
				qcmd(s->q, "write 0x%" PRIx64 " %zu 0x%s", pa,
				     n, hex);
		}
		pa += n;
		b += n;
		len -= n;
	}
	return 0;
}

static uint64_t bus_reg_read(void *o, uint32_t off, unsigned int size)
{
	return vtd_reg_read(((struct side *)o)->v, off, size);
}

static void bus_reg_write(void *o, uint32_t off, unsigned int size,
			  uint64_t val)
{
	vtd_reg_write(((struct side *)o)->v, off, size, val);
}

/* ---- random cases ---------------------------------------------------------
 */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

struct mapping {
	uint64_t iova, pa, size;
	const char *perm;
};

#define MAX_MAPS 24

struct kase {
	bool scalable;
	unsigned int levels;
	struct mapping map[MAX_MAPS];
	unsigned int n;
	char text[16384]; /* the setup as trace records */
	size_t len;
};

static void add(struct kase *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	k->len += (size_t)vsnprintf(k->text + k->len, sizeof(k->text) - k->len,
				    fmt, ap);
	va_end(ap);
}

static bool overlaps(const struct kase *k, uint64_t iova, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < k->n; i++) {
		/* keep large pages apart from each other's tables too */
		uint64_t span = 1ULL << 30;
		uint64_t a = k->map[i].iova & ~(span - 1);
		uint64_t b = (k->map[i].iova + k->map[i].size + span - 1) &
			     ~(span - 1);

		if (iova < b && iova + size > a &&
		    (size > (2ULL << 20) || k->map[i].size > (2ULL << 20) ||
		     (iova < k->map[i].iova + k->map[i].size &&
		      iova + size > k->map[i].iova)))
			return true;
	}
	return false;
}

static void make_case(struct kase *k)
{
	static const uint64_t sizes[] = {1ULL << 12, 1ULL << 21, 1ULL << 30};
	static const char *const pages[] = {"4k", "2m", "1g"};
	static const char *const perms[] = {"r", "w", "rw", "rw"};
	unsigned int tries, s;

	memset(k, 0, sizeof(*k));
	k->scalable = rnd() & 1;
	k->levels = rnd() & 1 ? 4 : 3;
	add(k, "iommu.init mode=%s qi=on%s\n",
	    k->scalable ? "scalable" : "legacy", k->scalable ? " dw=256" : "");
	add(k, "domain d type=sl levels=%u\n", k->levels);
	for (tries = 0; k->n < MAX_MAPS - 1 && tries < 200; tries++) {
		struct mapping *m = &k->map[k->n];
		uint64_t count;

		s = (unsigned int)rnd_below(10);
		s = s < 6 ? 0 : s < 9 || k->levels == 3 ? 1 : 2;
		count = s == 0 ? 1 + rnd_below(4) : 1;
		m->size = sizes[s] * count;
		m->iova = rnd_below(IOVA_SPAN / sizes[s]) * sizes[s];
		m->pa = OUT_LO +
			rnd_below((RAM_SIZE - OUT_LO - m->size) / sizes[s]) *
				sizes[s];
		if (s == 2)
			m->pa = 1ULL << 30; /* the one 1 GiB page of RAM */
		m->perm = perms[rnd_below(4)];
		if (overlaps(k, m->iova, m->size))
			continue;
		add(k,
		    "map d 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64
		    " page=%s perm=%s\n",
		    m->iova, m->pa, m->size, pages[s], m->perm);
		k->n++;
	}
	add(k, "map d 0x%llx 0x%llx 0x1000\n", (unsigned long long)SCRATCH_IOVA,
	    (unsigned long long)SCRATCH);
	add(k, "attach 00:04.0 d\n");
}

/* A request: mostly inside a mapping, sometimes anywhere. */
static void make_request(const struct kase *k, uint64_t *iova, bool *write)
{
	const struct mapping *m;

	*write = rnd() & 1;
	if (!k->n || rnd_below(10) < 3) {
		*iova = rnd_below(rnd() & 1 ? IOVA_SPAN : 1ULL << 48) & ~7ULL;
		if (*iova >= (SCRATCH_IOVA & ~((1ULL << 30) - 1)) &&
		    *iova < SCRATCH_IOVA + 4096)
			*iova = 0;
		return;
	}
	m = &k->map[rnd_below(k->n)];
	*iova = m->iova + (rnd_below(m->size) & ~7ULL);
}

/* ---- one case ----------------------------------------------------------- */

/* QEMU's deviations, excluded by rule (docs/fidelity.md). */
enum rule {
	R_CACHED_DENIED,    /* an access the permissions deny, to a page
			     * whose translation QEMU cached for another
			     * access: dropped without a fault */
	R_SM_LEGACY_REASON, /* scalable mode, a second-level fault with
			     * the legacy mode's reason code */
	R_COUNT
};

static const char *const rule_names[R_COUNT] = {
	[R_CACHED_DENIED] = "denied-access-to-a-cached-page",
	[R_SM_LEGACY_REASON] = "scalable-second-level-fault-as-legacy-code",
};

/* The legacy reason QEMU 7.2 gives for a scalable-mode second-level fault
 * (its scalable mode walks the second level with the legacy code); 0 when
 * the model's reason is not a second-level one. */
static uint8_t legacy_reason(uint8_t sm, bool write)
{
	switch (sm) {
	case VTD_FR_SM_SL_PERM: /* R=W=0 */
		return write ? VTD_FR_PTE_WRITE : VTD_FR_PTE_READ;
	case VTD_FR_SM_WRITE:
		return VTD_FR_PTE_WRITE;
	case VTD_FR_SM_READ:
		return VTD_FR_PTE_READ;
	case VTD_FR_SM_ADDR_BEYOND_MGAW:
		return VTD_FR_ADDR_BEYOND_MGAW;
	case VTD_FR_SM_SL_RSVD:
		return VTD_FR_PTE_RSVD;
	default:
		return 0;
	}
}

struct totals {
	uint64_t requests, agreed, translated, faulted, disagreed;
	uint64_t excluded[R_COUNT];
};

struct qresult {
	bool moved; /* the signature arrived where the model said */
	bool fault;
	uint8_t reason;
	uint16_t sid;
	uint64_t addr;
	bool is_read;
};

/* QEMU's first fault record, then cleared. */
static void qemu_fault(struct qemu *q, struct qresult *r)
{
	uint64_t hi = qcmd(q, "readq 0x%" PRIx64, IOMMU_BASE + q->fro + 8);
	uint64_t lo = qcmd(q, "readq 0x%" PRIx64, IOMMU_BASE + q->fro);

	r->fault = hi >> 63;
	if (!r->fault)
		return;
	r->reason = (uint8_t)(hi >> 32);
	r->sid = (uint16_t)hi;
	r->is_read = (hi >> 62) & 1;
	r->addr = lo & ~0xfffULL;
	qcmd(q, "writeq 0x%" PRIx64 " 0x%" PRIx64, IOMMU_BASE + q->fro + 8,
	     1ULL << 63);
	qcmd(q, "writel 0x%" PRIx64 " 0x3", IOMMU_BASE + VTD_REG_FSTS);
}

/*
 * The request on QEMU. at: where its data should go (the model's
 * translation), or, when the model blocks it, where QEMU would put it if
 * it used a translation it cached (0: nowhere known). r->moved: the
 * request's signature arrived there.
 */
static void qemu_request(struct qemu *q, uint64_t iova, bool write, uint64_t at,
			 uint64_t sig, struct qresult *r)
{
	memset(r, 0, sizeof(*r));
	if (write) {
		/* the signature into the device's buffer, then out */
		qcmd(q, "writeq 0x%llx 0x%" PRIx64, (unsigned long long)SCRATCH,
		     sig);
		edu_dma(q, SCRATCH_IOVA, false);
		if (at)
			qcmd(q, "writeq 0x%" PRIx64 " 0", at);
		edu_dma(q, iova, true);
		r->moved = at && qcmd(q, "readq 0x%" PRIx64, at) == sig;
	} else {
		if (at)
			qcmd(q, "writeq 0x%" PRIx64 " 0x%" PRIx64, at, sig);
		edu_dma(q, iova, false);
		qcmd(q, "writeq 0x%llx 0", (unsigned long long)SCRATCH);
		edu_dma(q, SCRATCH_IOVA, true);
		r->moved = at && qcmd(q, "readq 0x%llx",
				      (unsigned long long)SCRATCH) == sig;
	}
	qemu_fault(q, r);
}

/* A page an earlier request of the case translated (QEMU's IOTLB). */
struct seen {
	uint64_t page, size, pa;
};

/* Where that page's translation puts iova, or 0. */
static uint64_t cached_at(const struct seen *seen, unsigned int n,
			  uint64_t iova)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if ((iova & ~(seen[i].size - 1)) == seen[i].page)
			return seen[i].pa + (iova & (seen[i].size - 1));
	return 0;
}

static int exclusion(const struct vtd_result *res, const struct qresult *r,
		     bool write, const struct seen *seen, unsigned int nseen,
		     uint64_t iova)
{
	bool denied = res->fault == VTD_FR_PTE_WRITE ||
		      res->fault == VTD_FR_SM_WRITE ||
		      res->fault == VTD_FR_PTE_READ ||
		      res->fault == VTD_FR_SM_READ;
	uint8_t legacy = res->ok ? 0 : legacy_reason(res->fault, write);

	if (legacy && r->fault && r->reason == legacy && !r->moved &&
	    r->sid == EDU_BDF && r->is_read == !write &&
	    r->addr == (iova & ~0xfffULL))
		return R_SM_LEGACY_REASON;
	if (!res->ok && denied && !r->fault && !r->moved &&
	    cached_at(seen, nseen, iova))
		return R_CACHED_DENIED;
	return -1;
}

static void keep_case(const char *dir, uint64_t seed, unsigned int idx,
		      const struct kase *k, const struct vtd_config *cfg,
		      const char *extra)
{
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/case-%" PRIu64 "-%u.trace", dir, seed,
		 idx);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f,
		"# vtdsim-qemu-diff seed %" PRIu64 " case %u: the unit as QEMU "
		"reports it\nconfig cap=0x%" PRIx64 " ecap=0x%" PRIx64
		" haw=%u fault_regs=%u check=off\n%s%s",
		seed, idx, cfg->cap, cfg->ecap, cfg->haw, cfg->num_fault_regs,
		k->text, extra);
	fclose(f);
	fprintf(stderr, "  case written to %s\n", path);
}

static int run_case(uint64_t seed, unsigned int idx, unsigned int nreq,
		    const char *keep, struct totals *t)
{
	struct kase k;
	struct qemu q;
	struct side s = {0};
	struct vtd_config cfg;
	struct vtd_host_ops ops = {0};
	struct refdrv *drv;
	struct refdrv_bus bus;
	struct trace_reader *rd;
	struct trace_record rec;
	char err[256], extra[512];
	struct seen seen[256];
	uint64_t cap, ecap;
	unsigned int i, nseen = 0;
	int rc = 0;
	FILE *in;

	make_case(&k);
	if (qemu_start(&q, k.scalable))
		die("cannot start %s", qemu_path);
	/* SeaBIOS done (it writes low memory and places BARs): the marker */
	wait_for(&q, 0x7e00, 0xffff, 0xbeef, "booting");
	qcmd(&q, "outl 0xcf8 0x%x", 0x80000000u | (EDU_BDF << 8) | 0x10);
	q.edu = qcmd(&q, "inl 0xcfc") & ~0xfULL;
	cap = qcmd(&q, "readq 0x%" PRIx64, IOMMU_BASE + VTD_REG_CAP);
	ecap = qcmd(&q, "readq 0x%" PRIx64, IOMMU_BASE + VTD_REG_ECAP);
	q.fro = VTD_CAP_FRO(cap) * 16;
	/* the model reports what QEMU's unit reports */
	vtd_config_init(&cfg);
	cfg.cap = cap;
	cfg.ecap = ecap;
	cfg.haw = 48;
	cfg.num_fault_regs = (unsigned int)VTD_CAP_NFR(cap);
	cfg.check_stale = false;
	s.mem = sparse_mem_create(RAM_SIZE * 2);
	ops.read = m_read;
	ops.write = m_write;
	s.v = vtd_create(&cfg, &ops, &s, err, sizeof(err));
	if (!s.v)
		die("QEMU's CAP 0x%" PRIx64 " / ECAP 0x%" PRIx64
		    ": the model refuses them: %s",
		    cap, ecap, err);
	s.q = &q;
	drv = refdrv_create(s.v, s.mem, TABLES);
	bus = (struct refdrv_bus){.read = m_read,
				  .write = bus_write,
				  .reg_read = bus_reg_read,
				  .reg_write = bus_reg_write,
				  .opaque = &s};
	refdrv_set_bus(drv, &bus);
	in = fmemopen(k.text, k.len, "r");
	rd = trace_reader_open(in, "case");
	while (trace_reader_next(rd, &rec) > 0) {
		if (refdrv_exec(drv, &rec) != REFDRV_OK)
			die("case %u: the reference driver: %s", idx,
			    refdrv_error(drv));
	}
	trace_reader_close(rd);
	fclose(in);
	/* QEMU: the edu device, then the tables the driver built */
	pci_cfg(&q, 0x04, 2, 0x6); /* memory, bus master */
	qcmd(&q, "writeq 0x%" PRIx64 " 0x%" PRIx64, IOMMU_BASE + VTD_REG_RTADDR,
	     refdrv_root_table(drv) | (k.scalable ? 1ULL << 10 : 0));
	qcmd(&q, "writel 0x%" PRIx64 " 0x%x", IOMMU_BASE + VTD_REG_GCMD,
	     VTD_GCMD_SRTP);
	qcmd(&q, "writel 0x%" PRIx64 " 0x%x", IOMMU_BASE + VTD_REG_GCMD,
	     VTD_GCMD_TE);
	if (!(qcmd(&q, "readl 0x%" PRIx64, IOMMU_BASE + VTD_REG_GSTS) &
	      VTD_GSTS_TES))
		die("QEMU did not enable translation");
	for (i = 0; i < nreq; i++) {
		struct vtd_request req = {.sid = EDU_BDF};
		struct vtd_result res;
		struct qresult r;
		uint64_t iova, sig = 0xd1ff000000000000ULL | (seed << 24) | i;
		bool write, agree;
		int rule;

		make_request(&k, &iova, &write);
		req.addr = iova;
		req.access = write ? VTD_ACCESS_WRITE : VTD_ACCESS_READ;
		vtd_translate(s.v, &req, &res);
		qemu_request(&q, iova, write,
			     res.ok ? res.addr : cached_at(seen, nseen, iova),
			     sig, &r);
		t->requests++;
		if (res.ok)
			agree = r.moved && !r.fault;
		else if (r.moved) /* QEMU let through what the model blocks */
			agree = false;
		else
			agree = !r.moved && r.fault && r.reason == res.fault &&
				r.sid == EDU_BDF && r.is_read == !write &&
				r.addr == (iova & ~0xfffULL);
		rule = agree ? -1
			     : exclusion(&res, &r, write, seen, nseen, iova);
		if (res.ok && nseen < 256) {
			seen[nseen].size = res.page_size;
			seen[nseen].page = iova & ~(res.page_size - 1);
			seen[nseen++].pa = res.addr & ~(res.page_size - 1);
		}
		if (agree) {
			t->agreed++;
			res.ok ? t->translated++ : t->faulted++;
			continue;
		}
		if (rule >= 0) {
			t->excluded[rule]++;
			continue;
		}
		t->disagreed++;
		fprintf(stderr,
			"disagreement: seed %" PRIu64 " case %u request %u: %s "
			"0x%" PRIx64
			" (%s mode, %u levels): model %s 0x%" PRIx64
			" fault 0x%02x; QEMU %s, fault %s 0x%02x at 0x%" PRIx64
			"\n",
			seed, idx, i, write ? "write" : "read", iova,
			k.scalable ? "scalable" : "legacy", k.levels,
			res.ok ? "translates to" : "blocks", res.addr,
			res.fault, r.moved ? "moved the data there" : "did not",
			r.fault ? "recorded" : "none", r.reason, r.addr);
		snprintf(extra, sizeof(extra),
			 "# QEMU: %s, fault %s 0x%02x\n"
			 "dma 00:04.0 0x%" PRIx64 " 8 %s expect=%s0x%" PRIx64
			 "\n",
			 r.moved ? "moved" : "not moved",
			 r.fault ? "recorded" : "none", r.reason, iova,
			 write ? "w" : "r", res.ok ? "" : "fault:",
			 res.ok ? res.addr : (uint64_t)res.fault);
		keep_case(keep, seed, idx, &k, &cfg, extra);
		rc = 1;
	}
	if (verbose)
		fprintf(stderr, "case %u: %s, %u levels, %u mappings\n", idx,
			k.scalable ? "scalable" : "legacy", k.levels, k.n);
	refdrv_destroy(drv);
	vtd_destroy(s.v);
	sparse_mem_destroy(s.mem);
	qemu_stop(&q);
	return rc;
}

static const char usage[] =
	"usage: vtdsim-qemu-diff [--qemu PATH] [--seed N] [--requests N]\n"
	"                        [--per-case N] [--keep DIR] [-v]\n"
	"The model against QEMU's intel-iommu on random legacy and scalable\n"
	"second-level cases (docs/fidelity.md). Exit 0 all agree, 1 a\n"
	"disagreement, 2 bad options or no QEMU.\n";

static uint64_t num_arg(const char *opt, const char *s)
{
	char *end;
	uint64_t v;

	if (!s)
		die("%s needs a value\n%s", opt, usage);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s)
		die("%s: '%s' is not a number", opt, s);
	return v;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, requests = 2000, per_case = 100, done = 0;
	const char *keep = NULL;
	struct totals t = {0};
	unsigned int idx = 0, r;
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--qemu") && i + 1 < argc)
			qemu_path = argv[++i];
		else if (!strcmp(argv[i], "--seed"))
			seed = num_arg(argv[i], argv[i + 1]), i++;
		else if (!strcmp(argv[i], "--requests"))
			requests = num_arg(argv[i], argv[i + 1]), i++;
		else if (!strcmp(argv[i], "--per-case"))
			per_case = num_arg(argv[i], argv[i + 1]), i++;
		else if (!strcmp(argv[i], "--keep") && i + 1 < argc)
			keep = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		} else
			die("unknown option '%s'\n%s", argv[i], usage);
	}
	if (!per_case || per_case > 100000)
		die("--per-case must be 1..100000");
	signal(SIGPIPE, SIG_IGN);
	make_boot_image();
	atexit(remove_boot_image);
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	while (done < requests) {
		uint64_t n =
			requests - done < per_case ? requests - done : per_case;

		rc |= run_case(seed, idx++, (unsigned int)n, keep, &t);
		done += n;
	}
	printf("qemu-diff seed %" PRIu64 ": %" PRIu64 " requests in %u cases, "
	       "%" PRIu64 " agreed (%" PRIu64 " translated, %" PRIu64
	       " faulted), %" PRIu64 " disagreed",
	       seed, t.requests, idx, t.agreed, t.translated, t.faulted,
	       t.disagreed);
	for (r = 0; r < R_COUNT; r++)
		printf(", excluded by %s: %" PRIu64, rule_names[r],
		       t.excluded[r]);
	printf("\n");
	return rc;
}
