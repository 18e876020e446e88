// SPDX-License-Identifier: MIT
/*
 * vtdsim import ftrace|qemu FILE (docs/importers.md): traces from the tools
 * people already have, as vtdsim traces.
 *
 *   ftrace: Linux's `trace` / `trace-cmd report` text with the iommu events
 *           (map, unmap, io_page_fault, attach_device_to_domain,
 *           add_device_to_group, remove_device_from_group) and the
 *           intel_iommu events of Linux 6.12 (qi_submit, prq_report,
 *           cache_tag_*), whose formats are those of
 *           include/trace/events/iommu.h and drivers/iommu/intel/trace.h
 *           (checked against the kernel tree by a test);
 *   qemu:   QEMU's `-trace 'vtd_*'` log (the input of HyperSIO's replayer
 *           too): the IOTLB and context-cache events become second-level
 *           tables that give the traced translations, and the requests.
 *
 * Malformed input is "FILE:LINE: message", exit 2, and no output file.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "trace_reader.h"
#include "trace_writer.h"

#define WHO	  "vtdsim import"
#define LINE_MAX_ 8192
#define PAGE	  ((uint64_t)4096)
#define MAX_DEVS  1024
#define MAX_DOMS  1024
#define MAP_MAX	  ((uint64_t)4 << 30) /* bytes one (un)map event may cover */

/* ---- qemu: a set of 4 KiB pages, the translations the log traced ---------
 */

struct page_ent {
	uint64_t key; /* domain << 52 | page number, + 1 (0: empty) */
	uint64_t pa;
	uint8_t perm;
};

struct pages {
	struct page_ent *t;
	size_t cap, n;
};

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	return x ^ (x >> 33);
}

static struct page_ent *page_find(struct pages *p, uint64_t key)
{
	size_t i;

	if (!p->cap)
		return NULL;
	for (i = hash64(key) & (p->cap - 1); p->t[i].key;
	     i = (i + 1) & (p->cap - 1))
		if (p->t[i].key == key)
			return &p->t[i];
	return NULL;
}

static int page_put(struct pages *p, uint64_t key, uint64_t pa, uint8_t perm);

static int page_grow(struct pages *p)
{
	struct pages n = {calloc(p->cap ? 2 * p->cap : 1024, sizeof(*n.t)),
			  p->cap ? 2 * p->cap : 1024, 0};
	size_t i;

	if (!n.t)
		return -1;
	for (i = 0; i < p->cap; i++)
		if (p->t[i].key)
			page_put(&n, p->t[i].key, p->t[i].pa, p->t[i].perm);
	free(p->t);
	*p = n;
	return 0;
}

static int page_put(struct pages *p, uint64_t key, uint64_t pa, uint8_t perm)
{
	size_t i;

	if ((p->n + 1) * 2 > p->cap && page_grow(p))
		return -1;
	for (i = hash64(key) & (p->cap - 1); p->t[i].key && p->t[i].key != key;
	     i = (i + 1) & (p->cap - 1))
		;
	if (!p->t[i].key)
		p->n++;
	p->t[i].key = key;
	p->t[i].pa = pa;
	p->t[i].perm = perm;
	return 0;
}

static uint64_t page_key(unsigned int dom, uint64_t iova)
{
	return ((uint64_t)dom << 52 | iova >> 12) + 1;
}

/* ---- ftrace: the IOVA ranges the imported trace has mapped ---------------
 *
 * Sorted, disjoint and coalesced [start, end) ranges: memory and time grow
 * with the number of separate mappings, not with their size (a VM's
 * mappings of many GiB would otherwise take a table entry per 4 KiB page).
 */

struct range {
	uint64_t start, end;
};

struct ranges {
	struct range *t;
	size_t n, cap;
};

/* The first range that ends after x (n if none). */
static size_t range_after(const struct ranges *r, uint64_t x)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->t[mid].end > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool range_overlaps(const struct ranges *r, uint64_t start, uint64_t end)
{
	size_t i = range_after(r, start);

	return i < r->n && r->t[i].start < end;
}

static int range_insert_at(struct ranges *r, size_t i, uint64_t start,
			   uint64_t end)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct range *t = realloc(r->t, cap * sizeof(*t));

		if (!t)
			return -1;
		r->t = t;
		r->cap = cap;
	}
	memmove(&r->t[i + 1], &r->t[i], (r->n - i) * sizeof(*r->t));
	r->t[i].start = start;
	r->t[i].end = end;
	r->n++;
	return 0;
}

static void range_remove_at(struct ranges *r, size_t i)
{
	memmove(&r->t[i], &r->t[i + 1], (r->n - i - 1) * sizeof(*r->t));
	r->n--;
}

/* Add [start, end), which overlaps no range, joining its neighbours. */
static int range_add(struct ranges *r, uint64_t start, uint64_t end)
{
	size_t i = range_after(r, start);
	bool left = i > 0 && r->t[i - 1].end == start;
	bool right = i < r->n && r->t[i].start == end;

	if (left && right) {
		r->t[i - 1].end = r->t[i].end;
		range_remove_at(r, i);
	} else if (left) {
		r->t[i - 1].end = end;
	} else if (right) {
		r->t[i].start = start;
	} else {
		return range_insert_at(r, i, start, end);
	}
	return 0;
}

/*
 * Take [start, end) out; each maximal mapped run inside it, in address
 * order, goes to run(). -1 when memory runs out (splitting a range).
 */
static int range_take(struct ranges *r, uint64_t start, uint64_t end,
		      void (*run)(void *o, uint64_t start, uint64_t end),
		      void *o)
{
	size_t i = range_after(r, start);

	while (i < r->n && r->t[i].start < end) {
		struct range *t = &r->t[i];
		uint64_t s = t->start > start ? t->start : start;
		uint64_t e = t->end < end ? t->end : end;

		run(o, s, e);
		if (t->start < start && t->end > end) {
			uint64_t tail = t->end;

			t->end = start;
			return range_insert_at(r, i + 1, end, tail);
		}
		if (t->start < start) {
			t->end = start;
			i++;
		} else if (t->end > end) {
			t->start = end;
			break;
		} else {
			range_remove_at(r, i);
		}
	}
	return 0;
}

/* ---- the importer's state --------------------------------------------------
 */

enum src { SRC_FTRACE, SRC_QEMU };
enum imode { IM_AUTO, IM_LEGACY, IM_SL, IM_FL };

struct imp {
	const char *path;
	unsigned long line;
	struct trace_writer *w;
	enum src src;
	enum imode mode;
	bool mode_given;  /* --mode */
	bool seek_failed; /* ftrace reads its input twice */
	bool touch;	  /* ftrace: an access after each map */
	bool qi, flush;	  /* ftrace: descriptors, flush ranges traced */
	uint16_t device;  /* ftrace: the default device */
	bool started, have_t0;
	uint64_t t0_ns, t;
	/* devices attached (sid + 1 -> domain index + 1) */
	uint16_t dev_dom[65536];
	/* qemu: domains by DID (index + 1), their levels */
	uint16_t dom_of_did[65536];
	unsigned int ndoms;
	unsigned int levels[MAX_DOMS];
	uint16_t did[MAX_DOMS];
	uint16_t first_sid; /* ftrace: the device accesses go from */
	bool have_first;
	struct pages pages;   /* qemu: the traced translations */
	struct ranges mapped; /* ftrace: what the trace mapped */
	uint64_t requests, maps, unmaps, skipped;
	char buf[LINE_MAX_ + 2];
	int rc;
};

static int bad(struct imp *im, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%lu: ", im->path, im->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static void emit(struct imp *im, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void emit(struct imp *im, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (trace_writer_vlinef(im->w, im->t, fmt, ap))
		im->rc = 1;
	va_end(ap);
}

static void note(struct imp *im, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct imp *im, const char *fmt, ...)
{
	char text[LINE_MAX_ + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (trace_writer_comment(im->w, text))
		im->rc = 1;
}

/* A request of 4 bytes at iova, or fewer: it stays in iova's page */
static unsigned int in_page(uint64_t iova)
{
	uint64_t left = PAGE - (iova & (PAGE - 1));

	return left < 4 ? (unsigned int)left : 4;
}

static const char *perm_word(uint8_t perm)
{
	return perm == 3 ? "rw" : perm == 2 ? "w" : "r";
}

static void start(struct imp *im)
{
	if (im->started)
		return;
	im->started = true;
	emit(im, "iommu.init mode=%s",
	     im->mode == IM_LEGACY ? "legacy" : "scalable");
	if (im->src == SRC_FTRACE)
		emit(im, "domain dma type=%s levels=4",
		     im->mode == IM_FL ? "fl" : "sl");
}

/* "0000:00:02.0" or "00:02.0" into a source id; -1 if not one */
static int parse_pci(const char *s, uint16_t *sid)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	if (sscanf(s, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) == 4 ||
	    (dom = 0, sscanf(s, "%x:%x.%x%c", &bus, &dev, &fn, &tail) == 3)) {
		if (bus > 0xff || dev > 0x1f || fn > 7)
			return -1;
		*sid = (uint16_t)(bus << 8 | dev << 3 | fn);
		return 0;
	}
	return -1;
}

/* ftrace: attach a device to the one domain when it first appears */
static void ftrace_device(struct imp *im, uint16_t sid)
{
	char b[16];

	start(im);
	if (im->dev_dom[sid])
		return;
	im->dev_dom[sid] = 1;
	if (!im->have_first) {
		im->first_sid = sid;
		im->have_first = true;
	}
	emit(im, "attach %s dma", trace_format_bdf(sid, b));
}

/* ---- ftrace ----------------------------------------------------------------
 */

/* The event of a trace line: its time (s, from "SECONDS.FRACTION:") and
 * name, and where its message starts; false if the line has none. */
static bool ftrace_split(char *l, double *secs, char **name, char **msg)
{
	char *p = l, *colon;

	for (;;) {
		char *tok = p + strspn(p, " \t");
		char *end = tok + strcspn(tok, " \t");
		char *dot = memchr(tok, '.', (size_t)(end - tok));

		if (!*tok)
			return false;
		if (end > tok + 2 && end[-1] == ':' && dot && tok[0] >= '0' &&
		    tok[0] <= '9' &&
		    strspn(tok, "0123456789.") == (size_t)(end - tok - 1)) {
			*secs = strtod(tok, NULL);
			/* "EVENT:" or "SYSTEM:EVENT:" */
			p = end + strspn(end, " \t");
			end = p + strcspn(p, " \t");
			if (end == p || end[-1] != ':')
				return false;
			end[-1] = '\0';
			colon = strrchr(p, ':');
			*name = colon ? colon + 1 : p;
			*msg = *end ? end + 1 + strspn(end + 1, " \t") : end;
			return true;
		}
		p = end;
	}
}

static void ftrace_touch(struct imp *im, uint64_t iova, uint64_t pa)
{
	char b[16];

	if (!im->touch)
		return;
	if (!im->have_first)
		ftrace_device(im, im->device);
	emit(im, "dma %s 0x%" PRIx64 " 4 r expect=0x%" PRIx64,
	     trace_format_bdf(im->first_sid, b), iova, pa);
	im->requests++;
}

static int ftrace_map(struct imp *im, const char *msg)
{
	uint64_t iova, end, pa, size, pages;

	if (sscanf(msg,
		   "IOMMU: iova=%" SCNx64 " - %" SCNx64 " paddr=%" SCNx64
		   " size=%" SCNu64,
		   &iova, &end, &pa, &size) != 4)
		return bad(im, "map: expected 'IOMMU: iova=A - B paddr=P "
			       "size=N'");
	if ((iova | pa) & (PAGE - 1) || !size)
		return bad(im, "map: iova and paddr must be 4 KiB aligned, "
			       "size not 0");
	/* the kernel maps at most a few GiB at once; more is not a map */
	if (size > MAP_MAX || iova > UINT64_MAX - size ||
	    pa > UINT64_MAX - size)
		return bad(im,
			   "map: size 0x%" PRIx64 " at 0x%" PRIx64
			   " is beyond what one map does (%u GiB)",
			   size, iova, (unsigned int)(MAP_MAX >> 30));
	start(im);
	pages = (size + PAGE - 1) / PAGE;
	if (range_overlaps(&im->mapped, iova, iova + pages * PAGE)) {
		note(im, " line %lu: map over a mapping left out", im->line);
		im->skipped++;
		return 0;
	}
	if (range_add(&im->mapped, iova, iova + pages * PAGE))
		return bad(im, "out of memory");
	emit(im, "map dma 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 "%s", iova,
	     pa, pages * PAGE, im->mode == IM_FL ? " user" : "");
	im->maps++;
	ftrace_touch(im, iova, pa);
	return 0;
}

/* A run of mapped pages inside an unmapped range; the traced invalidations
 * follow, if traced. */
static void unmap_run(void *o, uint64_t start, uint64_t end)
{
	struct imp *im = o;

	emit(im, "unmap dma 0x%" PRIx64 " 0x%" PRIx64 "%s", start, end - start,
	     im->qi || im->flush ? " inv=none" : "");
	im->unmaps++;
}

/* Unmap the runs of the range the trace mapped. */
static int ftrace_unmap(struct imp *im, const char *msg)
{
	uint64_t iova, end, size, unmapped, pages;

	if (sscanf(msg,
		   "IOMMU: iova=%" SCNx64 " - %" SCNx64 " size=%" SCNu64
		   " unmapped_size=%" SCNu64,
		   &iova, &end, &size, &unmapped) != 4)
		return bad(im, "unmap: expected 'IOMMU: iova=A - B size=N "
			       "unmapped_size=M'");
	if (iova & (PAGE - 1))
		return bad(im, "unmap: iova must be 4 KiB aligned");
	if (unmapped > MAP_MAX || iova > UINT64_MAX - unmapped)
		return bad(im,
			   "unmap: size 0x%" PRIx64 " at 0x%" PRIx64
			   " is beyond what one unmap does (%u GiB)",
			   unmapped, iova, (unsigned int)(MAP_MAX >> 30));
	start(im);
	pages = (unmapped + PAGE - 1) / PAGE;
	if (range_take(&im->mapped, iova, iova + pages * PAGE, unmap_run, im))
		return bad(im, "out of memory");
	return 0;
}

static int ftrace_fault(struct imp *im, const char *msg)
{
	char drv[128], dev[128], b[16];
	uint64_t iova;
	unsigned int flags;
	uint16_t sid;

	if (sscanf(msg, "IOMMU:%127s %127s iova=%" SCNx64 " flags=%x", drv, dev,
		   &iova, &flags) != 4)
		return bad(im, "io_page_fault: expected 'IOMMU:DRIVER DEVICE "
			       "iova=A flags=F'");
	if (parse_pci(dev, &sid))
		sid = im->device;
	ftrace_device(im, sid);
	emit(im, "dma %s 0x%" PRIx64 " %u %c", trace_format_bdf(sid, b), iova,
	     in_page(iova), flags & 1 ? 'w' : 'r');
	im->requests++;
	return 0;
}

static int ftrace_devname(struct imp *im, const char *msg)
{
	const char *d = strstr(msg, "device=");
	uint16_t sid;

	if (!d)
		return bad(im, "expected 'device=NAME'");
	if (!parse_pci(d + 7, &sid))
		ftrace_device(im, sid);
	return 0;
}

/* "dmar0/0000:00:02.0 type iotlb did 5 pasid 0 ref 1" */
static int ftrace_cache_tag(struct imp *im, const char *name, const char *msg)
{
	char who[160], type[32], *slash;
	int did, pasid, ref;
	uint16_t sid;

	if (sscanf(msg, "%159s type %31s did %d pasid %d ref %d", who, type,
		   &did, &pasid, &ref) != 5)
		return bad(im,
			   "%s: expected 'IOMMU/DEVICE type T did N pasid "
			   "P ref R'",
			   name);
	slash = strchr(who, '/');
	if (slash && !parse_pci(slash + 1, &sid) &&
	    !strcmp(name, "cache_tag_assign"))
		ftrace_device(im, sid);
	return 0;
}

/* "dmar0 0000:00:02.0[0] type iotlb did 5 [0x..-0x..] addr 0x.. pages
 * 0x.. mask 0x..": the driver's flush when its descriptors are not traced */
static int ftrace_flush_range(struct imp *im, const char *name, const char *msg)
{
	char unit[64], dev[128], type[32];
	int did;
	uint64_t lo, hi, addr, pages, mask;

	if (sscanf(msg,
		   "%63s %127s type %31s did %d [%" SCNx64 "-%" SCNx64
		   "] addr %" SCNx64 " pages %" SCNx64 " mask %" SCNx64,
		   unit, dev, type, &did, &lo, &hi, &addr, &pages, &mask) != 9)
		return bad(im,
			   "%s: expected 'IOMMU DEVICE[PASID] type T did N "
			   "[A-B] addr A pages N mask M'",
			   name);
	if (im->qi || strcmp(type, "iotlb") || mask > 63)
		return 0;
	start(im);
	if (im->mode == IM_FL)
		emit(im,
		     "inv.piotlb page domain=dma pasid=0 addr=0x%" PRIx64
		     " am=%" PRIu64,
		     addr & ~((PAGE << mask) - 1), mask);
	else
		emit(im,
		     "inv.iotlb page domain=dma addr=0x%" PRIx64 " am=%" PRIu64,
		     addr & ~((PAGE << mask) - 1), mask);
	return 0;
}

/* A traced invalidation descriptor, submitted without its own wait. */
static void qi_descriptor(struct imp *im, uint64_t q0, uint64_t q1)
{
	unsigned int g = (unsigned int)(q0 >> 4) & 3;
	uint64_t addr = q1 & ~(PAGE - 1), am = q1 & 0x3f;
	const char *ih = q1 & 0x40 ? " ih" : "";
	uint32_t pasid = (uint32_t)(q0 >> 32) & 0xfffff;
	char b[16];

	switch (q0 & 0xf) {
	case 1: /* context cache */
		if (g == 3)
			emit(im, "inv.cc device domain=dma sid=%s nowait",
			     trace_format_bdf((uint16_t)(q0 >> 32), b));
		else
			emit(im, "inv.cc %s nowait",
			     g == 1 ? "global" : "domain domain=dma");
		return;
	case 2: /* IOTLB */
		if (g == 3)
			emit(im,
			     "inv.iotlb page domain=dma addr=0x%" PRIx64
			     " am=%" PRIu64 "%s nowait",
			     addr, am, ih);
		else
			emit(im, "inv.iotlb %s nowait",
			     g == 1 ? "global" : "domain domain=dma");
		return;
	case 5:
		emit(im, "inv.wait");
		return;
	case 6: /* PASID-based IOTLB */
		if (g == 3)
			emit(im,
			     "inv.piotlb page domain=dma pasid=%u "
			     "addr=0x%" PRIx64 " am=%" PRIu64 "%s nowait",
			     pasid, addr, am, ih);
		else
			emit(im, "inv.piotlb pasid domain=dma pasid=%u nowait",
			     pasid);
		return;
	case 7: /* PASID cache */
		if (g == 3)
			emit(im, "inv.pc global nowait");
		else if (g == 1)
			emit(im, "inv.pc pasid domain=dma pasid=%u nowait",
			     pasid);
		else
			emit(im, "inv.pc domain domain=dma nowait");
		return;
	default: /* device-TLB, IEC, page responses: no device model here */
		note(im, " line %lu: qi_submit type %u left out", im->line,
		     (unsigned int)(q0 & 0xf));
		im->skipped++;
	}
}

/* "iotlb_inv dmar0: 0x.. 0x.. 0x.. 0x..": the type, then the unit */
static int ftrace_qi(struct imp *im, const char *msg)
{
	char type[64], unit[64];
	uint64_t q[4];

	if (sscanf(msg,
		   "%63s %63[^:]: %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64,
		   type, unit, &q[0], &q[1], &q[2], &q[3]) != 6)
		return bad(im, "qi_submit: expected 'TYPE IOMMU: QW0 QW1 QW2 "
			       "QW3'");
	if (im->mode == IM_LEGACY && ((q[0] & 0xf) == 6 || (q[0] & 0xf) == 7))
		return bad(im, "qi_submit: a PASID descriptor in a legacy-mode "
			       "import (--mode sl or fl)");
	start(im);
	qi_descriptor(im, q[0], q[1]);
	return 0;
}

static int ftrace_event(struct imp *im, const char *name, const char *msg)
{
	if (!strcmp(name, "map"))
		return ftrace_map(im, msg);
	if (!strcmp(name, "unmap"))
		return ftrace_unmap(im, msg);
	if (!strcmp(name, "io_page_fault"))
		return ftrace_fault(im, msg);
	if (!strcmp(name, "attach_device_to_domain") ||
	    !strcmp(name, "add_device_to_group") ||
	    !strcmp(name, "remove_device_from_group"))
		return ftrace_devname(im, msg);
	if (!strncmp(name, "cache_tag_flush_range", 21))
		return ftrace_flush_range(im, name, msg);
	if (!strncmp(name, "cache_tag_", 10))
		return ftrace_cache_tag(im, name, msg);
	if (!strcmp(name, "qi_submit"))
		return ftrace_qi(im, msg);
	if (!strcmp(name, "prq_report")) {
		note(im, " line %lu: prq_report %s", im->line, msg);
		return 0;
	}
	im->skipped++; /* an event of another subsystem */
	return 0;
}

/* A time stamp in seconds; 2 and a message beyond 2^64 ns (or not a
 * number), which no trace holds. */
static int set_time(struct imp *im, double secs)
{
	uint64_t ns;

	if (!(secs >= 0 && secs < 1.8e10))
		return bad(im, "time stamp %g s out of range", secs);
	ns = (uint64_t)(secs * 1e9 + 0.5);

	if (!im->have_t0) {
		im->t0_ns = ns;
		im->have_t0 = true;
	}
	ns = ns > im->t0_ns ? ns - im->t0_ns : 0;
	if (ns > im->t)
		im->t = ns;
	return 0;
}

static int ftrace_line(struct imp *im, char *l)
{
	double secs;
	char *name, *msg;

	if (l[strspn(l, " \t")] == '#' || !l[strspn(l, " \t\r")])
		return 0;
	if (!ftrace_split(l, &secs, &name, &msg)) {
		/* trace-cmd's header lines ("cpus=2", "version = 6") */
		if (!strncmp(l, "cpus=", 5) || strstr(l, "version"))
			return 0;
		return bad(im, "not a trace event line (TASK-PID [CPU] ... "
			       "SECONDS: EVENT: ...)");
	}
	if (set_time(im, secs))
		return 2;
	return ftrace_event(im, name, msg);
}

/* The descriptors a trace holds say how the kernel drove the unit: unmaps
 * flushed by page-selective PASID-based IOTLB invalidations mean first-level
 * DMA domains, by IOTLB ones second level; any PASID descriptor means
 * scalable mode. Traced descriptors (or else traced flush ranges) are the
 * invalidations: unmaps then invalidate nothing themselves. */
static void ftrace_prescan(struct imp *im, FILE *f)
{
	uint64_t sl_pages = 0, fl_pages = 0, scalable = 0;

	while (fgets(im->buf, sizeof(im->buf), f)) {
		const char *q = strstr(im->buf, "qi_submit:"), *c;
		uint64_t q0;

		im->flush |= strstr(im->buf, "cache_tag_flush_range") != NULL;
		if (!q || !(c = strchr(q + 10, ':')) ||
		    sscanf(c + 1, "%" SCNx64, &q0) != 1)
			continue;
		im->qi = true;
		switch (q0 & 0xf) {
		case 2: /* IOTLB: page-selective flushes unmaps */
			sl_pages += ((q0 >> 4) & 3) == 3;
			break;
		case 6: /* PASID-based IOTLB: first-level unmaps */
			fl_pages += ((q0 >> 4) & 3) == 3;
			scalable++;
			break;
		case 7: /* PASID cache: scalable mode */
			scalable++;
			break;
		}
	}
	if (fseek(f, 0, SEEK_SET)) {
		im->seek_failed = true;
		return;
	}
	if (im->mode == IM_AUTO)
		im->mode = fl_pages > sl_pages ? IM_FL
			   : scalable	       ? IM_SL
					       : IM_LEGACY;
}

/* ---- qemu ------------------------------------------------------------------
 */

/* " NAME 0xVALUE" (or decimal) in msg */
static bool field(const char *msg, const char *name, uint64_t *v)
{
	size_t n = strlen(name);
	const char *p = msg;

	while ((p = strstr(p, name))) {
		bool start_ok = p == msg || p[-1] == ' ' || p[-1] == ',' ||
				p[-1] == '(';
		const char *q = p + n;

		p += n;
		if (!start_ok || (*q != ' ' && *q != '='))
			continue;
		q++;
		if (*q < '0' || *q > '9')
			continue;
		*v = strtoull(q, NULL, 0);
		return true;
	}
	return false;
}

static int qemu_domain(struct imp *im, uint16_t did, unsigned int levels)
{
	unsigned int i;

	start(im);
	if (im->dom_of_did[did])
		return (int)im->dom_of_did[did] - 1;
	if (im->ndoms == MAX_DOMS)
		return bad(im, "more than %d domains", MAX_DOMS), -1;
	i = im->ndoms++;
	im->did[i] = did;
	im->levels[i] = levels ? levels : 4;
	im->dom_of_did[did] = (uint16_t)(i + 1);
	emit(im, "domain d%u type=sl levels=%u did=%u", did, im->levels[i],
	     did);
	return (int)i;
}

static void qemu_attach(struct imp *im, uint16_t sid, int dom)
{
	char b[16];

	if (im->dev_dom[sid] == dom + 1)
		return;
	if (im->dev_dom[sid]) {
		note(im, " line %lu: %s moves to domain %u", im->line,
		     trace_format_bdf(sid, b), im->did[dom]);
		emit(im, "detach %s", trace_format_bdf(sid, b));
	}
	im->dev_dom[sid] = (uint16_t)(dom + 1);
	emit(im, "attach %s d%u%s", trace_format_bdf(sid, b), im->did[dom],
	     im->mode == IM_SL ? " pgtt=sl" : "");
}

/* A context entry traced: its device's domain and depth. Legacy entry:
 * low bits 63:12 SLPTPTR, high 23:8 DID, 2:0 AW. */
static int qemu_context(struct imp *im, const char *msg)
{
	uint64_t bus, devfn, high, low;
	int dom;

	if (!field(msg, "bus", &bus) || !field(msg, "devfn", &devfn) ||
	    !field(msg, "high", &high) || !field(msg, "low", &low))
		return bad(im, "expected bus, devfn, high and low");
	if (!(low & 1) || im->mode == IM_SL)
		return 0; /* not present; scalable: the PASID entry has them */
	if ((high & 7) < 1 || (high & 7) > 3)
		return bad(im, "context entry AW %u: not 3, 4 or 5 levels",
			   (unsigned int)(high & 7));
	dom = qemu_domain(im, (uint16_t)(high >> 8), 2 + (high & 7));
	if (dom < 0)
		return 2;
	qemu_attach(im, (uint16_t)(bus << 8 | (devfn & 0xff)), dom);
	return 0;
}

/* A translation traced (hit or fill): the request, and the mapping that
 * gives it, written (or rewritten) first. */
static int qemu_translation(struct imp *im, const char *msg)
{
	uint64_t sid, iova, slpte, did, pa, base;
	struct page_ent *e;
	uint8_t perm;
	char b[16];
	int dom;

	if (!field(msg, "sid", &sid) || !field(msg, "iova", &iova) ||
	    !field(msg, "slpte", &slpte) || !field(msg, "domain", &did))
		return bad(im, "expected sid, iova, slpte and domain");
	if (sid > 0xffff || did > 0xffff)
		return bad(im, "sid or domain beyond 16 bits");
	perm = (uint8_t)(slpte & 3);
	if (!perm)
		return bad(im,
			   "slpte 0x%" PRIx64 " grants neither read nor "
			   "write",
			   slpte);
	base = slpte & 0x000ffffffffff000ull;
	/* a large page (PS): assumed 2 MiB; its 4 KiB part at iova */
	pa = slpte & 0x80 ? (base & ~((2ull << 20) - 1)) +
				    (iova & ((2ull << 20) - 1) & ~(PAGE - 1))
			  : base;
	dom = qemu_domain(im, (uint16_t)did, 0);
	if (dom < 0)
		return 2;
	qemu_attach(im, (uint16_t)sid, dom);
	e = page_find(&im->pages, page_key((unsigned int)dom, iova));
	if (!e) {
		emit(im, "map d%u 0x%" PRIx64 " 0x%" PRIx64 " 0x1000 perm=%s",
		     (unsigned int)did, iova & ~(PAGE - 1), pa,
		     perm_word(perm));
		im->maps++;
	} else if (e->pa != pa || e->perm != perm) {
		emit(im, "remap d%u 0x%" PRIx64 " 0x%" PRIx64 " perm=%s",
		     (unsigned int)did, iova & ~(PAGE - 1), pa,
		     perm_word(perm));
		im->maps++;
	}
	if (page_put(&im->pages, page_key((unsigned int)dom, iova), pa, perm))
		return bad(im, "out of memory");
	emit(im, "dma %s 0x%" PRIx64 " %u %c expect=0x%" PRIx64,
	     trace_format_bdf((uint16_t)sid, b), iova, in_page(iova),
	     perm & 1 ? 'r' : 'w', pa | (iova & (PAGE - 1)));
	im->requests++;
	return 0;
}

/* "PID@SECONDS.MICROS:" (QEMU's log backend) before the event name; NULL
 * after a message when the time is out of range. */
static char *qemu_time(struct imp *im, char *l)
{
	char *at = strchr(l, '@'), *colon;

	if (!at || at == l || strspn(l, "0123456789") != (size_t)(at - l))
		return l;
	colon = strchr(at, ':');
	if (!colon)
		return l;
	if (set_time(im, strtod(at + 1, NULL)))
		return NULL;
	return colon + 1;
}

static int qemu_line(struct imp *im, char *l)
{
	char *name, *msg;

	l += strspn(l, " \t");
	if (*l == '#' || !*l || *l == '\r' || *l == '\n')
		return 0;
	name = qemu_time(im, l);
	if (!name)
		return 2;
	msg = name + strcspn(name, " \t\r\n");
	if (*msg)
		*msg++ = '\0';
	if (strncmp(name, "vtd_", 4)) {
		im->skipped++; /* not an intel-iommu event */
		return 0;
	}
	if (!strcmp(name, "vtd_iotlb_page_hit") ||
	    !strcmp(name, "vtd_iotlb_page_update"))
		return qemu_translation(im, msg);
	if (!strcmp(name, "vtd_reg_dmar_root")) {
		uint64_t sm;

		/* the root table's mode, before any translation */
		if (!im->started && !im->mode_given &&
		    field(msg, "scalable", &sm))
			im->mode = sm ? IM_SL : IM_LEGACY;
		return 0;
	}
	if (!strcmp(name, "vtd_iotlb_cc_update") ||
	    !strcmp(name, "vtd_iotlb_cc_hit"))
		return qemu_context(im, msg);
	im->skipped++; /* root, walks, invalidations: no request */
	return 0;
}

/* ---- the command -----------------------------------------------------------
 */

static void import_usage(FILE *f)
{
	fputs("usage: vtdsim import ftrace|qemu FILE [-o OUT] [--mode "
	      "legacy|sl|fl]\n"
	      "                     [--device BB:DD.F] [--no-touch] "
	      "[--format text|binary] [--zstd]\n"
	      "ftrace: Linux `trace`/`trace-cmd report` text with the iommu "
	      "and intel_iommu\n"
	      "events; qemu: QEMU's -trace 'vtd_*' log. Writes a vtdsim "
	      "trace (stdout\n"
	      "without -o). docs/importers.md.\n",
	      f);
}

static int parse(struct imp *im, struct trace_out_opts *fo, const char **out,
		 int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		int k = trace_out_option(WHO, argc, argv, &i, fo);

		if (k < 0)
			return 2;
		if (k)
			continue;
		if (!strcmp(argv[i], "--no-touch")) {
			im->touch = false;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			*out = argv[++i];
		} else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
			const char *m = argv[++i];

			im->mode_given = true;
			im->mode = !strcmp(m, "legacy") ? IM_LEGACY
				   : !strcmp(m, "sl")	? IM_SL
				   : !strcmp(m, "fl")	? IM_FL
							: IM_AUTO;
			if (im->mode == IM_AUTO ||
			    (im->src == SRC_QEMU && im->mode == IM_FL)) {
				fprintf(stderr, WHO ": bad --mode '%s'\n", m);
				return 2;
			}
		} else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			if (parse_pci(argv[++i], &im->device)) {
				fprintf(stderr, WHO ": bad --device '%s'\n",
					argv[i]);
				return 2;
			}
		} else if (argv[i][0] == '-' || im->path) {
			fprintf(stderr, WHO ": bad argument '%s'\n", argv[i]);
			import_usage(stderr);
			return 2;
		} else {
			im->path = argv[i];
		}
	}
	if (!im->path) {
		import_usage(stderr);
		return 2;
	}
	return 0;
}

static int run(struct imp *im, FILE *f)
{
	int rc = 0;

	if (im->src == SRC_FTRACE) {
		ftrace_prescan(im, f);
		if (im->seek_failed)
			return bad(im, "the input must be a regular file (the "
				       "ftrace importer reads it twice)");
	} else if (im->mode == IM_AUTO)
		im->mode = IM_LEGACY; /* until vtd_reg_dmar_root says */
	note(im, " vtdsim import %s %s",
	     im->src == SRC_FTRACE ? "ftrace" : "qemu", im->path);
	while (!rc && fgets(im->buf, sizeof(im->buf), f)) {
		size_t n = strlen(im->buf);

		im->line++;
		if (n == sizeof(im->buf) - 1 && im->buf[n - 1] != '\n')
			return bad(im, "line longer than %d bytes", LINE_MAX_);
		while (n && (im->buf[n - 1] == '\n' || im->buf[n - 1] == '\r'))
			im->buf[--n] = '\0';
		rc = im->src == SRC_FTRACE ? ftrace_line(im, im->buf)
					   : qemu_line(im, im->buf);
	}
	if (rc)
		return rc;
	if (ferror(f))
		return bad(im, "read error");
	if (!im->requests && !im->maps)
		return bad(im, "no %s events to import",
			   im->src == SRC_FTRACE ? "iommu" : "vtd_iotlb_*");
	note(im,
	     " imported: %" PRIu64 " requests, %" PRIu64 " maps, %" PRIu64
	     " unmaps; %" PRIu64 " events left out",
	     im->requests, im->maps, im->unmaps, im->skipped);
	return im->rc;
}

int import_main(int argc, char **argv)
{
	struct trace_out_opts fo = {0};
	const char *out = NULL;
	struct trace_file tf;
	struct imp *im;
	FILE *f;
	int rc;

	if (argc < 1 || !strcmp(argv[0], "--help")) {
		import_usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? 2 : 0;
	}
	if (strcmp(argv[0], "ftrace") && strcmp(argv[0], "qemu")) {
		fprintf(stderr, WHO ": unknown source '%s' (ftrace or qemu)\n",
			argv[0]);
		return 2;
	}
	im = calloc(1, sizeof(*im));
	if (!im)
		return 2;
	im->src = strcmp(argv[0], "qemu") ? SRC_FTRACE : SRC_QEMU;
	im->touch = true;
	im->device = 0x10; /* 00:02.0 */
	rc = parse(im, &fo, &out, argc - 1, argv + 1);
	if (rc) {
		free(im);
		return rc;
	}
	f = fopen(im->path, "r");
	if (!f) {
		fprintf(stderr, "%s: cannot open\n", im->path);
		free(im);
		return 2;
	}
	if (trace_file_open(&tf, out, &fo, WHO)) {
		fclose(f);
		free(im);
		return 2;
	}
	im->w = tf.w;
	rc = run(im, f);
	if (trace_file_close(&tf, !rc, WHO) && !rc)
		rc = 1;
	fclose(f);
	free(im->pages.t);
	free(im->mapped.t);
	free(im);
	return rc;
}
