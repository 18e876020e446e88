// SPDX-License-Identifier: MIT
/*
 * Replay engine: one model instance over sparse memory, records carried
 * out in order, expectations checked, the checker's reports accounted.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "replay.h"
#include "report.h"

#define STALE_KEEP 16 /* pending report texts kept for printing */
#define MSG_MAX	   768

struct replay {
	struct replay_options opt;
	FILE *out, *err;
	char *name;
	struct vtd_config cfg;
	uint64_t mem_size, alloc_base;
	struct vtd *v;
	struct sparse_mem *mem;
	struct refdrv *drv;
	struct devices *devs;
	bool created, malformed;
	unsigned long line; /* of the record being carried out */
	struct replay_result res;
	uint64_t stale_pending;
	char stale_msg[STALE_KEEP][MSG_MAX];
};

/* ---- messages ------------------------------------------------------------ */

#define REPLAY_MAX_DRAIN_ROUNDS 1000000u

static void vmsg(struct replay *r, const char *fmt, va_list ap)
{
	fprintf(r->err, "%s:%lu: ", r->name, r->line);
	vfprintf(r->err, fmt, ap);
	fputc('\n', r->err);
}

/* A failed expectation: exit code 1, keep going. */
static void expect_failed(struct replay *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(r, fmt, ap);
	va_end(ap);
	r->res.expect_fail++;
	r->res.failures++;
}

static void other_failure(struct replay *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(r, fmt, ap);
	va_end(ap);
	r->res.failures++;
}

/* Malformed input: exit code 2, stop. */
static int malformed(struct replay *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(r, fmt, ap);
	va_end(ap);
	r->malformed = true;
	return -1;
}

/* ---- host callbacks ------------------------------------------------------ */

static int host_read(void *o, uint64_t pa, void *buf, size_t len)
{
	return sparse_mem_read(((struct replay *)o)->mem, pa, buf, len);
}

static int host_write(void *o, uint64_t pa, const void *buf, size_t len)
{
	return sparse_mem_write(((struct replay *)o)->mem, pa, buf, len);
}

static int host_cmpxchg64(void *o, uint64_t pa, uint64_t expected,
			  uint64_t desired, uint64_t *found)
{
	return sparse_mem_cmpxchg64(((struct replay *)o)->mem, pa, expected,
				    desired, found);
}

static void host_stale(void *o, const struct vtd_stale_report *rep)
{
	struct replay *r = o;
	char text[MSG_MAX - 128];

	vtd_stale_report_format(rep, text, sizeof(text));
	if (r->stale_pending < STALE_KEEP)
		snprintf(r->stale_msg[r->stale_pending], MSG_MAX,
			 "%s:%lu: stale translation: %s", r->name, r->line,
			 text);
	r->stale_pending++;
	r->res.stale_reports++;
}

/* Print the pending reports as failures (none was expected for them). */
static void flush_stale(struct replay *r, bool count_failures)
{
	uint64_t i;

	for (i = 0; i < r->stale_pending && i < STALE_KEEP; i++)
		fprintf(r->err, "%s\n", r->stale_msg[i]);
	if (r->stale_pending > STALE_KEEP)
		fprintf(r->err, "%s: ... and %" PRIu64 " more stale reports\n",
			r->name, r->stale_pending - STALE_KEEP);
	if (count_failures) {
		r->res.failures += r->stale_pending;
		r->res.stale_unaccounted += r->stale_pending;
	}
	r->stale_pending = 0;
}

/* ---- configuration and the instance -------------------------------------- */

/* Harness keys first, then the model's. 0 or -1 with a message. */
static int set_key(struct replay *r, struct vtd_config *cfg, const char *key,
		   const char *val, char *err, size_t errlen)
{
	uint64_t v;

	if (!strcmp(key, "mem.size") || !strcmp(key, "alloc.base")) {
		if (trace_parse_u64(val, &v) || (key[0] == 'm' && !v)) {
			snprintf(err, errlen, "bad value '%s' for %s", val,
				 key);
			return -1;
		}
		if (key[0] == 'm')
			r->mem_size = v;
		else
			r->alloc_base = v;
		return 0;
	}
	return vtd_config_set(cfg, key, val, err, errlen);
}

static int apply_sets(struct replay *r, struct vtd_config *cfg, char *err,
		      size_t errlen)
{
	unsigned int i;

	for (i = 0; i < r->opt.nset; i++) {
		const char *s = r->opt.set[i], *eq = strchr(s, '=');
		char key[128];
		int n;

		if (!eq || eq == s || (size_t)(eq - s) >= sizeof(key)) {
			snprintf(err, errlen, "--set %s: expected KEY=VALUE",
				 s);
			return -1;
		}
		memcpy(key, s, (size_t)(eq - s));
		key[eq - s] = '\0';
		n = snprintf(err, errlen, "--set %s: ", s);
		if (n < 0 || (size_t)n >= errlen)
			n = 0;
		if (set_key(r, cfg, key, eq + 1, err + n, errlen - (size_t)n))
			return -1;
	}
	err[0] = '\0';
	return 0;
}

static void sink_pass(void *o)
{
	((struct replay *)o)->res.expect_pass++;
}

static void sink_fail(void *o, const char *msg)
{
	expect_failed(o, "%s", msg);
}

static int sink_malformed(void *o, const char *msg)
{
	return malformed(o, "%s", msg);
}

static int sink_read(void *o, uint64_t pa, void *buf, size_t len)
{
	return sparse_mem_read(((struct replay *)o)->mem, pa, buf, len);
}

static const struct devices_sink sink = {
	.pass = sink_pass,
	.fail = sink_fail,
	.malformed = sink_malformed,
	.read = sink_read,
};

static int create_instance(struct replay *r)
{
	struct vtd_host_ops ops;
	char err[256] = "";

	if (r->created)
		return 0;
	r->created = true;
	if (apply_sets(r, &r->cfg, err, sizeof(err)))
		return malformed(r, "%s", err);
	memset(&ops, 0, sizeof(ops));
	ops.read = host_read;
	ops.write = host_write;
	ops.cmpxchg64 = host_cmpxchg64;
	ops.stale = host_stale;
	r->mem = sparse_mem_create(r->mem_size);
	if (!r->mem)
		return malformed(r, "out of memory");
	r->v = vtd_create(&r->cfg, &ops, r, err, sizeof(err));
	if (!r->v)
		return malformed(r, "configuration: %s", err);
	r->drv = refdrv_create(r->v, r->mem, r->alloc_base);
	r->devs = devices_create(r->v, &sink, r);
	if (!r->drv || !r->devs)
		return malformed(r, "out of memory");
	return 0;
}

/* ---- low-level records --------------------------------------------------- */

static int mem_write(struct replay *r, const struct trace_record *rec)
{
	uint8_t b[8];
	unsigned int i;

	for (i = 0; i < rec->size; i++)
		b[i] = (uint8_t)(rec->value >> (8 * i));
	if (sparse_mem_write(r->mem, rec->addr, b, rec->size))
		return malformed(r,
				 "PA 0x%" PRIx64 " beyond mem.size 0x%" PRIx64,
				 rec->addr, r->mem_size);
	return 0;
}

static void check_value(struct replay *r, const struct trace_record *rec,
			uint64_t got)
{
	uint64_t mask = rec->has_mask ? rec->mask : UINT64_MAX;

	if (!rec->has_expect)
		return;
	if ((got & mask) == (rec->expect & mask)) {
		r->res.expect_pass++;
		return;
	}
	if (rec->has_mask)
		expect_failed(r,
			      "expected 0x%" PRIx64 " (mask 0x%" PRIx64
			      "), got 0x%" PRIx64,
			      rec->expect & mask, mask, got & mask);
	else
		expect_failed(r, "expected 0x%" PRIx64 ", got 0x%" PRIx64,
			      rec->expect, got);
}

static int mem_read(struct replay *r, const struct trace_record *rec)
{
	uint8_t b[8];
	uint64_t v = 0;
	int i;

	if (sparse_mem_read(r->mem, rec->addr, b, rec->size))
		return malformed(r,
				 "PA 0x%" PRIx64 " beyond mem.size 0x%" PRIx64,
				 rec->addr, r->mem_size);
	for (i = (int)rec->size - 1; i >= 0; i--)
		v = v << 8 | b[i];
	check_value(r, rec, v);
	return 0;
}

static void describe(char *buf, size_t len, bool ok, uint64_t addr,
		     uint8_t fault)
{
	if (ok)
		snprintf(buf, len, "0x%" PRIx64, addr);
	else
		snprintf(buf, len, "fault 0x%02x (%s)", fault,
			 vtd_fault_reason_name(fault));
}

static void dma(struct replay *r, const struct trace_record *rec)
{
	struct vtd_request req;
	struct vtd_result res, first;
	uint64_t page = rec->addr & VTD_PAGE_MASK;
	uint64_t last = (rec->addr + rec->len - 1) & VTD_PAGE_MASK;
	uint64_t at = rec->addr;
	char want[96], got[96];
	bool ok = true;

	memset(&req, 0, sizeof(req));
	req.sid = rec->sid;
	req.has_pasid = rec->has_pasid;
	req.pasid = rec->pasid;
	req.priv = rec->flags & TRF_PRIV;
	req.exec = rec->flags & TRF_EXEC;
	req.access = rec->write ? VTD_ACCESS_WRITE : VTD_ACCESS_READ;
	memset(&first, 0, sizeof(first));
	r->res.requests++;
	for (;;) {
		req.addr = at;
		memset(&res, 0, sizeof(res));
		vtd_translate(r->v, &req, &res);
		if (at == rec->addr)
			first = res;
		if (!res.ok) {
			ok = false;
			break; /* the request is blocked with the first fault */
		}
		if (page == last)
			break;
		page += VTD_PAGE_SIZE;
		at = page;
	}
	if (!rec->has_expect)
		return;
	if (rec->expect_fault) {
		describe(want, sizeof(want), false, 0, rec->fault);
		if (!ok && res.fault == rec->fault) {
			r->res.expect_pass++;
			return;
		}
	} else {
		describe(want, sizeof(want), true, rec->expect, 0);
		if (ok && first.addr == rec->expect) {
			r->res.expect_pass++;
			return;
		}
	}
	if (ok)
		describe(got, sizeof(got), true, first.addr, 0);
	else
		describe(got, sizeof(got), false, 0, res.fault);
	if (!ok && at != rec->addr)
		expect_failed(r, "expected %s, got %s at IOVA 0x%" PRIx64, want,
			      got, at);
	else
		expect_failed(r, "expected %s, got %s", want, got);
}

/* ---- records ------------------------------------------------------------- */

static int config_record(struct replay *r, const struct trace_record *rec)
{
	char err[256];
	unsigned int i;

	if (r->created)
		return malformed(r, "config after the first non-config record");
	for (i = 0; i < rec->nkv; i++) {
		if (set_key(r, &r->cfg, rec->keys[i], rec->vals[i], err,
			    sizeof(err)))
			return malformed(r, "%s", err);
	}
	return 0;
}

static void expect_stale(struct replay *r, const struct trace_record *rec)
{
	if (r->stale_pending == rec->count) {
		r->res.expect_pass++;
		r->stale_pending = 0;
		return;
	}
	expect_failed(r, "expected %" PRIu64 " stale reports, got %" PRIu64,
		      rec->count, r->stale_pending);
	flush_stale(r, false);
}

static int driver_record(struct replay *r, const struct trace_record *rec)
{
	int rc = refdrv_exec(r->drv, rec);

	if (rc == REFDRV_USAGE)
		return malformed(r, "%s", refdrv_error(r->drv));
	if (rc)
		other_failure(r, "%s: %s", trace_op_name(rec->op),
			      refdrv_error(r->drv));
	return 0;
}

static void driver_status(struct replay *r, int rc)
{
	if (rc)
		other_failure(r, "driver: %s", refdrv_error(r->drv));
}

static int record_at(struct replay *r, const struct trace_record *rec);

static int record(struct replay *r, const struct trace_record *rec)
{
	int rc;

	r->line = rec->line;
	r->res.records++;
	r->res.last_time = rec->time;
	if (rec->op == TR_CONFIG)
		return config_record(r, rec);
	if (create_instance(r))
		return -1;
	/* Everything the model and the driver scheduled up to the record's
	 * time happens before the record. */
	driver_status(r, refdrv_advance(r->drv, rec->time));
	rc = record_at(r, rec);
	if (!rc)
		driver_status(r, refdrv_poll(r->drv));
	return rc;
}

static int record_at(struct replay *r, const struct trace_record *rec)
{
	if (devices_handles(rec->op))
		return devices_record(r->devs, rec);
	switch (rec->op) {
	case TR_MEM_W:
		return mem_write(r, rec);
	case TR_MEM_R:
		return mem_read(r, rec);
	case TR_REG_W:
		vtd_reg_write(r->v, (uint32_t)rec->addr, rec->size, rec->value);
		return 0;
	case TR_REG_R:
		check_value(r, rec,
			    vtd_reg_read(r->v, (uint32_t)rec->addr, rec->size));
		return 0;
	case TR_DMA:
		dma(r, rec);
		return 0;
	case TR_EXPECT_STALE:
		expect_stale(r, rec);
		return 0;
	default:
		return driver_record(r, rec);
	}
}

/* ---- public -------------------------------------------------------------- */

struct replay *replay_create(const struct replay_options *opt)
{
	struct replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (opt)
		r->opt = *opt;
	r->out = r->opt.out ? r->opt.out : stdout;
	r->err = r->opt.err ? r->opt.err : stderr;
	return r;
}

static void teardown(struct replay *r)
{
	devices_destroy(r->devs);
	r->devs = NULL;
	refdrv_destroy(r->drv);
	vtd_destroy(r->v);
	sparse_mem_destroy(r->mem);
	free(r->name);
	r->drv = NULL;
	r->v = NULL;
	r->mem = NULL;
	r->name = NULL;
}

void replay_destroy(struct replay *r)
{
	if (!r)
		return;
	teardown(r);
	free(r);
}

static int prepare(struct replay *r, const char *name)
{
	struct vtd_config scratch;
	char err[256];

	teardown(r);
	memset(&r->res, 0, sizeof(r->res));
	r->created = r->malformed = false;
	r->line = 0;
	r->stale_pending = 0;
	r->name = strdup(name ? name : "-");
	r->mem_size = SPARSE_MEM_DEFAULT_SIZE;
	r->alloc_base = REFDRV_DEFAULT_ALLOC_BASE;
	vtd_config_init(&r->cfg);
	r->cfg.check_stale = true; /* the replayer checks by default */
	/* check --set before reading anything */
	scratch = r->cfg;
	if (!r->name || apply_sets(r, &scratch, err, sizeof(err))) {
		fprintf(r->err, "%s\n", r->name ? err : "out of memory");
		return -1;
	}
	r->mem_size = SPARSE_MEM_DEFAULT_SIZE;
	r->alloc_base = REFDRV_DEFAULT_ALLOC_BASE;
	return 0;
}

/* After the last record: let every scheduled event run. Bounded, so a model
 * that keeps rescheduling cannot hang a replay. */
static void drain_events(struct replay *r)
{
	unsigned int rounds = 0;
	uint64_t t;

	while (r->drv && refdrv_next_time(r->drv, &t)) {
		if (++rounds > REPLAY_MAX_DRAIN_ROUNDS) {
			other_failure(r, "events still scheduled at the end "
					 "after %u rounds",
				      REPLAY_MAX_DRAIN_ROUNDS);
			return;
		}
		driver_status(r, refdrv_advance(r->drv, t));
	}
	if (devices_pending(r->devs))
		other_failure(r, "%zu device accesses still wait for a page "
				 "group response at the end",
			      devices_pending(r->devs));
}

static int finish(struct replay *r)
{
	struct report_input in;
	char err[512];

	drain_events(r);
	if (r->stale_pending)
		flush_stale(r, true);
	r->res.exit_code = r->res.failures ? REPLAY_FAILED : REPLAY_OK;
	in.trace = r->name;
	in.res = &r->res;
	in.stats = vtd_get_stats(r->v);
	in.mem_pages = sparse_mem_pages(r->mem);
	if (!r->opt.quiet)
		report_text(r->out, &in);
	if (r->opt.json_path &&
	    report_json(r->opt.json_path, &in, err, sizeof(err))) {
		fprintf(r->err, "%s\n", err);
		r->res.exit_code = REPLAY_MALFORMED;
	}
	return r->res.exit_code;
}

int replay_run(struct replay *r, FILE *in, const char *name)
{
	struct trace_reader *rd;
	struct trace_record rec;
	int rc;

	if (prepare(r, name))
		return r->res.exit_code = REPLAY_MALFORMED;
	rd = trace_reader_open(in, r->name);
	if (!rd) {
		fprintf(r->err, "%s: out of memory\n", r->name);
		return r->res.exit_code = REPLAY_MALFORMED;
	}
	while ((rc = trace_reader_next(rd, &rec)) > 0) {
		if (record(r, &rec))
			break;
	}
	if (rc < 0)
		fprintf(r->err, "%s\n", trace_reader_error(rd));
	trace_reader_close(rd);
	if (rc < 0 || r->malformed)
		return r->res.exit_code = REPLAY_MALFORMED;
	r->line = 0;
	if (create_instance(r))
		return r->res.exit_code = REPLAY_MALFORMED;
	return finish(r);
}

const struct replay_result *replay_get_result(const struct replay *r)
{
	return &r->res;
}

struct vtd *replay_model(struct replay *r)
{
	return r->v;
}

struct sparse_mem *replay_memory(struct replay *r)
{
	return r->mem;
}

struct refdrv *replay_driver(struct replay *r)
{
	return r->drv;
}

int replay_file(const char *path, const struct replay_options *opt,
		struct replay_result *res)
{
	struct replay *r = replay_create(opt);
	FILE *f;
	int rc;

	if (!r)
		return REPLAY_MALFORMED;
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		fprintf(r->err, "%s: cannot open\n", path);
		replay_destroy(r);
		return REPLAY_MALFORMED;
	}
	rc = replay_run(r, f, path);
	if (f != stdin)
		fclose(f);
	if (res)
		*res = r->res;
	replay_destroy(r);
	return rc;
}

void replay_print_config(FILE *out)
{
	struct vtd_config cfg;
	size_t i, n = vtd_config_key_count();

	vtd_config_init(&cfg);
	cfg.check_stale = true;
	fprintf(out, "%-16s %-20s %s\n", "key", "default", "meaning");
	fprintf(out, "%-16s 0x%-18llx %s\n", "mem.size",
		(unsigned long long)SPARSE_MEM_DEFAULT_SIZE,
		"simulated memory size (harness)");
	fprintf(out, "%-16s 0x%-18llx %s\n", "alloc.base",
		(unsigned long long)REFDRV_DEFAULT_ALLOC_BASE,
		"reference-driver table memory (harness)");
	for (i = 0; i < n; i++) {
		const char *key, *help;
		char val[64];

		vtd_config_key(&cfg, i, &key, &help, val, sizeof(val));
		fprintf(out, "%-16s %-20s %s\n", key, val, help);
	}
}
