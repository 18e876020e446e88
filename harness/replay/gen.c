// SPDX-License-Identifier: MIT
/*
 * `vtdsim gen`: trace generators (docs/trace-format.md, "Generated traces").
 *
 * dma-window: the experiment of pcie-bench (Neugebauer et al., SIGCOMM
 * 2018) and its relatives: devices read or write ACCESS bytes at random
 * (or sequential) offsets of a WINDOW of host memory mapped with 4 KiB or
 * 2 MiB pages, each device with N requests in flight (closed loop: every
 * request is ready at time 0 and issues when a credit frees), through
 * legacy second-level, scalable first-level, second-level or nested
 * translation. Deterministic per seed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "trace_reader.h"
#include "trace_writer.h"

#define IOVA_BASE ((uint64_t)0x100000000)  /* 4 GiB */
#define PA_BASE	  ((uint64_t)0x4000000000) /* 256 GiB */
#define GPA_BASE                                                               \
	((uint64_t)0x200000000) /* nested: guest-physical of the window */

struct window_opts {
	uint64_t window, access, count, seed, inflight, devices, page;
	uint64_t interval; /* ns between requests; 0: all ready at once */
	bool write, sequential;
	const char *mode; /* legacy, sl, fl, nested */
	const char *out;
	struct trace_out_opts fmt;
};

static int usage_err(const char *msg, const char *arg)
{
	fprintf(stderr, "vtdsim gen dma-window: %s '%s'\n", msg, arg);
	return 2;
}

int gen_parse_size(const char *s, uint64_t *v)
{
	uint64_t m = 1;
	size_t n = strlen(s);
	char buf[32];

	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	switch (buf[n - 1]) {
	case 'k':
	case 'K':
		m = 1ull << 10;
		break;
	case 'm':
	case 'M':
		m = 1ull << 20;
		break;
	case 'g':
	case 'G':
		m = 1ull << 30;
		break;
	default:
		break;
	}
	if (m != 1)
		buf[n - 1] = '\0';
	if (trace_parse_u64(buf, v))
		return -1;
	if (*v > UINT64_MAX / m)
		return -1;
	*v *= m;
	return 0;
}

static int parse_window_opts(int argc, char **argv, struct window_opts *o)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *k = argv[i],
			   *val = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t *num = NULL;
		int fo =
			trace_out_option("vtdsim gen", argc, argv, &i, &o->fmt);

		if (fo < 0)
			return 2;
		if (fo)
			continue;
		if (!strcmp(k, "--sequential")) {
			o->sequential = true;
			continue;
		}
		if (!val)
			return usage_err("missing value for", k);
		i++;
		if (!strcmp(k, "--window"))
			num = &o->window;
		else if (!strcmp(k, "--access"))
			num = &o->access;
		else if (!strcmp(k, "--count"))
			num = &o->count;
		else if (!strcmp(k, "--seed"))
			num = &o->seed;
		else if (!strcmp(k, "--inflight"))
			num = &o->inflight;
		else if (!strcmp(k, "--devices"))
			num = &o->devices;
		else if (!strcmp(k, "--page"))
			num = &o->page;
		else if (!strcmp(k, "--interval"))
			num = &o->interval;
		if (num) {
			if (gen_parse_size(val, num))
				return usage_err("bad number", val);
			continue;
		}
		if (!strcmp(k, "--rw") &&
		    (!strcmp(val, "r") || !strcmp(val, "w")))
			o->write = val[0] == 'w';
		else if (!strcmp(k, "--mode") &&
			 (!strcmp(val, "legacy") || !strcmp(val, "sl") ||
			  !strcmp(val, "fl") || !strcmp(val, "nested")))
			o->mode = val;
		else if (!strcmp(k, "-o"))
			o->out = val;
		else
			return usage_err("bad option or value", k);
	}
	return 0;
}

static int check_window_opts(const struct window_opts *o)
{
	if (o->page != 4096 && o->page != (2u << 20))
		return usage_err("page must be 4k or 2m, not", "--page");
	if (!o->window || o->window > (64ull << 30))
		return usage_err("window must be 1..64G:", "--window");
	if (!o->access || o->access > 4096 || o->access > o->window ||
	    (o->access & (o->access - 1)))
		return usage_err("access must be a power of two, 1..4096:",
				 "--access");
	if (!o->inflight || o->inflight > 4096)
		return usage_err("inflight must be 1..4096:", "--inflight");
	if (!o->devices || o->devices > 32)
		return usage_err("devices must be 1..32:", "--devices");
	if (!o->count)
		return usage_err("count must be at least 1:", "--count");
	if (o->interval && o->count - 1 > UINT64_MAX / 1000 / o->interval)
		return usage_err("interval x count beyond 2^64 ps:",
				 "--interval");
	return 0;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static void header(struct trace_writer *f, const struct window_opts *o)
{
	const char *page = o->page == 4096 ? "4k" : "2m";
	bool legacy = !strcmp(o->mode, "legacy");
	bool nested = !strcmp(o->mode, "nested");
	bool fl = !strcmp(o->mode, "fl") || nested;
	uint64_t d, len = (o->window + o->page - 1) / o->page * o->page;
	char cmt[256];

	snprintf(cmt, sizeof(cmt),
		 " vtdsim gen dma-window --window %" PRIu64 " --access %" PRIu64
		 " --rw %c%s --inflight %" PRIu64 " --page %s --count %" PRIu64
		 " --seed %" PRIu64 " --devices %" PRIu64 " --mode %s"
		 " --interval %" PRIu64,
		 o->window, o->access, o->write ? 'w' : 'r',
		 o->sequential ? " --sequential" : "", o->inflight, page,
		 o->count, o->seed, o->devices, o->mode, o->interval);
	trace_writer_comment(f, cmt);
	trace_writer_linef(f, 0, "config timing.outstanding=%" PRIu64 "",
			   o->inflight);
	trace_writer_linef(f, 0, "iommu.init mode=%s",
			   legacy ? "legacy" : "scalable");
	if (nested) {
		trace_writer_linef(f, 0, "domain vm type=sl levels=4");
		trace_writer_linef(f, 0,
				   "map vm 0x%" PRIx64 " 0x%" PRIx64
				   " 0x%" PRIx64 " page=%s",
				   GPA_BASE, PA_BASE, len, page);
		trace_writer_linef(f, 0,
				   "domain buf type=fl levels=4 parent=vm");
		trace_writer_linef(f, 0,
				   "map buf 0x%" PRIx64 " 0x%" PRIx64
				   " 0x%" PRIx64 " page=%s",
				   IOVA_BASE, GPA_BASE, len, page);
	} else {
		trace_writer_linef(f, 0, "domain buf type=%s levels=4",
				   fl ? "fl" : "sl");
		trace_writer_linef(f, 0,
				   "map buf 0x%" PRIx64 " 0x%" PRIx64
				   " 0x%" PRIx64 " page=%s",
				   IOVA_BASE, PA_BASE, len, page);
	}
	for (d = 0; d < o->devices; d++)
		trace_writer_linef(f, 0, "attach 00:%02" PRIx64 ".0 buf",
				   d + 2);
}

static int dma_window(const struct window_opts *o, struct trace_writer *f)
{
	uint64_t rng = o->seed * 0x9e3779b97f4a7c15ull + 1, i, off = 0;
	uint64_t slots = o->window / o->access;
	struct trace_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.op = TR_DMA;
	rec.len = o->access;
	rec.write = o->write;
	header(f, o);
	for (i = 0; i < o->count; i++) {
		uint64_t dev = i % o->devices;

		if (o->sequential)
			off = (off + o->access) % o->window;
		else
			off = (xorshift(&rng) % slots) * o->access;
		rec.sid = (uint16_t)((dev + 2) << 3);
		rec.addr = IOVA_BASE + off;
		rec.time = i * o->interval;
		if (trace_writer_dma(f, &rec))
			return 1;
	}
	return 0;
}

static void gen_usage(FILE *f)
{
	fputs("usage: vtdsim gen KIND [options]: KIND is dma-window, nic, "
	      "nvme, "
	      "sva or tenants\n"
	      "  (vtdsim gen KIND --help lists its options; "
	      "docs/generators.md)\n"
	      "usage: vtdsim gen dma-window [--window SIZE] [--access SIZE] "
	      "[--rw r|w]\n"
	      "           [--sequential] [--inflight N] [--page 4k|2m] "
	      "[--count N]\n"
	      "           [--seed N] [--devices N] "
	      "[--mode legacy|sl|fl|nested] [--interval NS]\n"
	      "           [-o FILE] [--format text|binary] [--zstd[=LEVEL]]\n"
	      "Defaults: --window 64m --access 64 --rw r --inflight 1 --page "
	      "4k\n"
	      "--count 100000 --seed 1 --devices 1 --mode legacy --interval 0 "
	      "(all\nready at once; else request i is ready at i x NS ns); "
	      "SIZE takes k, m, g.\n"
	      "-o FILE: binary when named *.vtb or *.vtb.zst, compressed "
	      "when *.zst.\n",
	      f);
}

int gen_main(int argc, char **argv)
{
	struct window_opts o = {
		.window = 64ull << 20,
		.access = 64,
		.count = 100000,
		.seed = 1,
		.inflight = 1,
		.devices = 1,
		.page = 4096,
		.mode = "legacy",
	};
	struct trace_file out;
	int rc;

	if (argc < 1 || !strcmp(argv[0], "--help")) {
		gen_usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? 2 : 0;
	}
	if (gen_workload_known(argv[0]))
		return gen_workload_main(argv[0], argc - 1, argv + 1);
	if (strcmp(argv[0], "dma-window")) {
		fprintf(stderr, "vtdsim gen: unknown generator '%s'\n",
			argv[0]);
		gen_usage(stderr);
		return 2;
	}
	rc = parse_window_opts(argc - 1, argv + 1, &o);
	if (!rc)
		rc = check_window_opts(&o);
	if (rc)
		return rc;
	if (trace_file_open(&out, o.out, &o.fmt, "vtdsim gen"))
		return 2;
	rc = dma_window(&o, out.w);
	if (trace_file_close(&out, !rc, "vtdsim gen") && !rc)
		rc = 1;
	return rc;
}
