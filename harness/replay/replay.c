// SPDX-License-Identifier: MIT
/*
 * Replay engine: one model instance over sparse memory, records carried
 * out in order, expectations checked, the checker's reports accounted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config_file.h"
#include "devices.h"
#include "latency.h"
#include "out_file.h"
#include "replay.h"
#include "report.h"
#include "timeline.h"

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
	struct refdrv_bus bus; /* software's memory and registers */
	bool created, malformed;
	unsigned long line; /* of the record being carried out */
	bool records;	    /* binary input: line is a record number */
	struct replay_result res;
	uint64_t stale_pending;
	char stale_msg[STALE_KEEP][MSG_MAX];
	/* timing */
	struct lat_stats *lat;
	uint64_t timed;	       /* timed requests seen */
	bool warm;	       /* warm-up over: statistics count */
	struct vtd_stats base; /* the unit's at the end of warm-up */
	struct vtd_timing_stats tbase;
	FILE *csv;
	struct out_file csv_file; /* csv's, put in place at the end */
	struct config_file *cfile;
	uint64_t cookies;	   /* the last one given */
	struct timeline *tl;	   /* --timeline */
	struct lat_expect *expect; /* latency= waiting for completion */
	size_t nexpect, cap_expect;
	/* progress bar */
	FILE *in;
	const struct trace_reader *rd; /* the input being replayed */
	long in_size;
	int progress_shown;
	double t_start, t_shown;
};

/* ---- messages ------------------------------------------------------------ */

#define REPLAY_MAX_DRAIN_ROUNDS 1000000u

static void vmsg(struct replay *r, const char *fmt, va_list ap)
{
	fprintf(r->err, "%s:%s%lu: ", r->name, r->records ? "record " : "",
		r->line);
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
			 "%s:%s%lu: stale translation: %s", r->name,
			 r->records ? "record " : "", r->line, text);
	r->stale_pending++;
	r->res.stale_reports++;
}

static void host_busy(void *o, const struct vtd_resource_use *u)
{
	timeline_busy(((struct replay *)o)->tl, u);
}

static void host_timing(void *o, const struct vtd_timing_event *ev)
{
	struct replay *r = o;

	if (r->tl)
		timeline_event(r->tl, ev);
	if (r->warm && r->lat)
		lat_stats_event(r->lat, ev);
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

int replay_check_set(const char *kv, char *err, size_t errlen)
{
	struct replay r;
	struct vtd_config cfg;
	const char *set[1] = {kv};

	memset(&r, 0, sizeof(r));
	r.opt.nset = 1;
	r.opt.set = set;
	vtd_config_init(&cfg);
	if (apply_sets(&r, &cfg, err, errlen))
		return -1;
	return vtd_config_validate(&cfg, err, errlen);
}

/* --config FILE: "FILE:LINE: message" for a bad key or value. */
static int apply_file(struct replay *r, struct vtd_config *cfg, char *err,
		      size_t errlen)
{
	struct config_file *f = r->cfile;
	size_t i;
	int n;

	for (i = 0; f && i < f->n; i++) {
		n = snprintf(err, errlen, "%s:%lu: ", f->path,
			     f->pairs[i].line);
		if (n < 0 || (size_t)n >= errlen)
			n = 0;
		if (set_key(r, cfg, f->pairs[i].key, f->pairs[i].value, err + n,
			    errlen - (size_t)n))
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
	struct replay *r = o;

	return r->bus.read(r->bus.opaque, pa, buf, len);
}

static uint64_t sink_reg_read(void *o, uint32_t off, unsigned int size)
{
	struct replay *r = o;

	return r->bus.reg_read(r->bus.opaque, off, size);
}

static int own_write(void *o, uint64_t pa, const void *buf, size_t len)
{
	return sparse_mem_write(((struct replay *)o)->mem, pa, buf, len);
}

static uint64_t own_reg_read(void *o, uint32_t off, unsigned int size)
{
	return vtd_reg_read(((struct replay *)o)->v, off, size);
}

static void own_reg_write(void *o, uint32_t off, unsigned int size,
			  uint64_t val)
{
	vtd_reg_write(((struct replay *)o)->v, off, size, val);
}

static int sink_read_own(void *o, uint64_t pa, void *buf, size_t len)
{
	return sparse_mem_read(((struct replay *)o)->mem, pa, buf, len);
}

static uint64_t next_cookie(struct replay *r, const struct trace_record *rec);
static void host_timed(void *o, const struct vtd_timing *t);

static uint64_t sink_cookie(void *o, const struct trace_record *rec)
{
	return next_cookie(o, rec);
}

static const struct devices_sink sink = {
	.pass = sink_pass,
	.fail = sink_fail,
	.malformed = sink_malformed,
	.read = sink_read,
	.reg_read = sink_reg_read,
	.cookie = sink_cookie,
};

static const char *csv_header(void)
{
	static char h[1024];
	size_t n;
	unsigned int i;

	n = (size_t)snprintf(h, sizeof(h),
			     "ready_ns,issued_ns,completed_ns,device,pasid,"
			     "addr,bytes,access,result,latency_ns");
	for (i = 0; i < VTD_LAT_COUNT && n < sizeof(h); i++)
		n += (size_t)snprintf(h + n, sizeof(h) - n, ",%s_ns",
				      vtd_lat_part_name((enum vtd_lat_part)i));
	return h;
}

/* Rows go to an unnamed file put in place at the end (out_file.h). */
static int csv_open(struct replay *r)
{
	if (out_file_open(&r->csv_file, r->opt.csv_path))
		return malformed(r, "%s: cannot write", r->opt.csv_path);
	r->csv = r->csv_file.f;
	fprintf(r->csv, "%s\n", csv_header());
	return 0;
}

/* keep: put it in place; else discard it. 0 or -1. */
static int csv_close(struct replay *r, bool keep)
{
	if (!r->csv)
		return 0;
	r->csv = NULL;
	return out_file_close(&r->csv_file, keep);
}

/* The platform's unit and memory; software goes through its bus. */
static int platform_instance(struct replay *r, const struct vtd_host_ops *ops)
{
	const struct replay_platform *p = r->opt.platform;
	char err[256] = "";

	r->v = p->unit(p->opaque, &r->cfg, ops, r, err, sizeof(err));
	if (!r->v)
		return malformed(r, "platform: %s", err);
	r->mem = p->memory(p->opaque);
	if (sparse_mem_size(r->mem) != r->mem_size)
		return malformed(r,
				 "platform: memory of 0x%" PRIx64
				 " bytes, mem.size 0x%" PRIx64,
				 sparse_mem_size(r->mem), r->mem_size);
	r->bus = p->bus;
	return 0;
}

static int create_instance(struct replay *r)
{
	struct vtd_host_ops ops;
	char err[256] = "";

	if (r->created)
		return 0;
	r->created = true;
	if (apply_file(r, &r->cfg, err, sizeof(err)) ||
	    apply_sets(r, &r->cfg, err, sizeof(err))) {
		fprintf(r->err, "%s\n", err);
		r->malformed = true;
		return -1;
	}
	if (r->opt.timeline_path &&
	    !(r->tl = timeline_create(r->opt.window_t0_ns * 1000,
				      r->opt.window_t1_ns >= UINT64_MAX / 1000
					      ? UINT64_MAX
					      : r->opt.window_t1_ns * 1000,
				      TIMELINE_MAX_EVENTS)))
		return malformed(r, "out of memory");
	memset(&ops, 0, sizeof(ops));
	ops.stale = host_stale;
	ops.timing = host_timing;
	ops.timed = host_timed;
	if (r->tl)
		ops.busy = host_busy;
	if (r->opt.platform) {
		if (platform_instance(r, &ops))
			return -1;
	} else {
		ops.read = host_read;
		ops.write = host_write;
		ops.cmpxchg64 = host_cmpxchg64;
		r->mem = sparse_mem_create(r->mem_size);
		if (!r->mem)
			return malformed(r, "out of memory");
		r->v = vtd_create(&r->cfg, &ops, r, err, sizeof(err));
		if (!r->v)
			return malformed(r, "configuration: %s", err);
		r->bus.read = sink_read_own;
		r->bus.write = own_write;
		r->bus.reg_read = own_reg_read;
		r->bus.reg_write = own_reg_write;
		r->bus.opaque = r;
	}
	r->drv = refdrv_create(r->v, r->mem, r->alloc_base);
	r->devs = devices_create(r->v, &sink, r);
	if (!r->drv || !r->devs)
		return malformed(r, "out of memory");
	if (r->opt.platform)
		refdrv_set_bus(r->drv, &r->bus);
	if (r->cfg.timing.enabled && !(r->lat = lat_stats_create()))
		return malformed(r, "out of memory");
	r->warm = !r->opt.warmup_requests && !r->opt.warmup_at;
	if (r->opt.csv_path && csv_open(r))
		return -1;
	return 0;
}

/* ---- low-level records --------------------------------------------------- */

static int mem_write(struct replay *r, const struct trace_record *rec)
{
	uint8_t b[8];
	unsigned int i;

	for (i = 0; i < rec->size; i++)
		b[i] = (uint8_t)(rec->value >> (8 * i));
	if (r->bus.write(r->bus.opaque, rec->addr, b, rec->size))
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

	if (r->bus.read(r->bus.opaque, rec->addr, b, rec->size))
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

/* ---- timing -------------------------------------------------------------- */

/* A latency= expectation, checked when its request completes. */
struct lat_expect {
	uint64_t cookie;
	unsigned long line;
	struct trace_record rec; /* its latency, tolerance */
};

static uint64_t expect_cookie(struct replay *r, const struct trace_record *rec,
			      uint64_t c);

static inline uint64_t next_cookie(struct replay *r,
				   const struct trace_record *rec)
{
	uint64_t c = ++r->cookies;

	if (!rec->has_lat || !r->lat)
		return c;
	return expect_cookie(r, rec, c);
}

/* A request with latency=: kept until it completes. */
static uint64_t expect_cookie(struct replay *r, const struct trace_record *rec,
			      uint64_t c)
{
	struct lat_expect *e;

	if (r->nexpect == r->cap_expect) {
		size_t cap = r->cap_expect ? 2 * r->cap_expect : 16;
		void *p = realloc(r->expect, cap * sizeof(*r->expect));

		if (!p) {
			other_failure(r, "out of memory for latency=");
			return c;
		}
		r->expect = p;
		r->cap_expect = cap;
	}
	e = &r->expect[r->nexpect++];
	e->cookie = c;
	e->line = rec->line;
	e->rec = *rec;
	return c;
}

static void check_latency(struct replay *r, const struct vtd_timing *t)
{
	unsigned long line = r->line;
	char msg[MSG_MAX];
	size_t i;

	for (i = 0; i < r->nexpect; i++) {
		struct lat_expect *e = &r->expect[i];

		if (e->cookie != t->cookie)
			continue;
		r->line = e->line;
		if (lat_check(&e->rec, t, msg, sizeof(msg)) > 0)
			r->res.latency_pass++;
		else
			expect_failed(r, "%s", msg);
		r->line = line;
		r->expect[i] = r->expect[--r->nexpect];
		return;
	}
}

static void warm_up(struct replay *r, const struct vtd_timing *t)
{
	if (r->warm)
		return;
	if (r->timed <= r->opt.warmup_requests ||
	    (r->opt.warmup_at && t->ready_ps < r->opt.warmup_ns * 1000))
		return;
	r->warm = true;
	r->base = *vtd_get_stats(r->v);
	r->tbase = *vtd_get_timing_stats(r->v);
}

static const char *result_name(const struct vtd_timing *t, char *buf,
			       size_t len)
{
	if (t->endpoint)
		return vtd_dev_status_name((enum vtd_dev_status)t->status);
	if (t->ok)
		return "ok";
	snprintf(buf, len, "fault:0x%02x", t->status);
	return buf;
}

static void csv_row(struct replay *r, const struct vtd_timing *t)
{
	uint64_t issued = vtd_timing_issued_ps(t);
	uint64_t lat = vtd_timing_latency_ps(t);
	char buf[16];
	unsigned int i;

	fprintf(r->csv,
		"%" PRIu64 ".%03u,%" PRIu64 ".%03u,%" PRIu64
		".%03u,%02x:%02x.%x,",
		t->ready_ps / 1000, (unsigned int)(t->ready_ps % 1000),
		issued / 1000, (unsigned int)(issued % 1000), t->done_ps / 1000,
		(unsigned int)(t->done_ps % 1000), t->sid >> 8,
		(t->sid >> 3) & 0x1f, t->sid & 7);
	if (t->has_pasid)
		fprintf(r->csv, "%u", t->pasid);
	fprintf(r->csv, ",0x%" PRIx64 ",%" PRIu64 ",%c,%s,%" PRIu64 ".%03u",
		t->addr, t->bytes, t->write ? 'w' : 'r',
		result_name(t, buf, sizeof(buf)), lat / 1000,
		(unsigned int)(lat % 1000));
	for (i = 0; i < VTD_LAT_COUNT; i++)
		fprintf(r->csv, ",%" PRIu64 ".%03u", t->part_ps[i] / 1000,
			(unsigned int)(t->part_ps[i] % 1000));
	fputc('\n', r->csv);
}

/* A timed request completed (host op): its latency= expectation, the
 * warm-up, statistics, its CSV row. */
static void host_timed(void *o, const struct vtd_timing *t)
{
	struct replay *r = o;

	if (r->tl)
		timeline_request(r->tl, t);
	if (!r->lat)
		return;
	if (r->nexpect)
		check_latency(r, t);
	r->timed++;
	warm_up(r, t);
	if (!r->warm)
		return;
	lat_stats_add(r->lat, t->sid, t->has_pasid, t->pasid, t->bytes, t);
	if (r->csv)
		csv_row(r, t);
}

static void dma(struct replay *r, const struct trace_record *rec)
{
	struct vtd_request req;
	struct vtd_dma_result d;
	char want[96], got[96];
	bool ok;

	memset(&req, 0, sizeof(req));
	req.sid = rec->sid;
	req.has_pasid = rec->has_pasid;
	req.pasid = rec->pasid;
	req.priv = rec->flags & TRF_PRIV;
	req.exec = rec->flags & TRF_EXEC;
	req.access = rec->write ? VTD_ACCESS_WRITE : VTD_ACCESS_READ;
	req.addr = rec->addr;
	r->res.requests++;
	if (r->opt.platform)
		ok = r->opt.platform->dma(r->opt.platform->opaque, &req,
					  rec->len, rec->time * 1000,
					  next_cookie(r, rec), &d);
	else
		ok = vtd_dma(r->v, &req, rec->len, rec->time * 1000,
			     next_cookie(r, rec), rec->has_expect ? &d : NULL);
	if (!rec->has_expect)
		return;
	if (rec->expect_fault) {
		describe(want, sizeof(want), false, 0, rec->fault);
		if (!ok && d.last.fault == rec->fault) {
			r->res.expect_pass++;
			return;
		}
	} else {
		describe(want, sizeof(want), true, rec->expect, 0);
		if (ok && d.first.addr == rec->expect) {
			r->res.expect_pass++;
			return;
		}
	}
	if (ok)
		describe(got, sizeof(got), true, d.first.addr, 0);
	else
		describe(got, sizeof(got), false, 0, d.last.fault);
	if (!ok && d.fault_addr != rec->addr)
		expect_failed(r, "expected %s, got %s at IOVA 0x%" PRIx64, want,
			      got, d.fault_addr);
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

/* A plain request with the driver quiet: what record() does with a dma
 * record without expectations. */
static void plain_dma(struct replay *r, const struct trace_dma *d)
{
	struct vtd_request req;

	r->line = d->line;
	r->res.records++;
	r->res.last_time = d->time;
	vtd_advance(r->v, d->time);
	req.sid = d->sid;
	req.has_pasid = d->has_pasid;
	req.pasid = d->pasid;
	req.priv = d->priv;
	req.exec = d->exec;
	req.access = d->write ? VTD_ACCESS_WRITE : VTD_ACCESS_READ;
	req.addr = d->addr;
	r->res.requests++;
	vtd_dma(r->v, &req, d->len, d->time * 1000, ++r->cookies, NULL);
}

/* The platform's clock to t, stopping at each time the unit or the driver
 * has something to do, so they happen in the order record() gives them. */
static void platform_time(struct replay *r, uint64_t t)
{
	const struct replay_platform *p = r->opt.platform;
	unsigned long n;
	uint64_t next;

	for (n = 0; n < REPLAY_MAX_DRAIN_ROUNDS; n++) {
		if (!refdrv_next_time(r->drv, &next) || next >= t)
			break;
		p->wait_until(p->opaque, next);
		driver_status(r, refdrv_advance(r->drv, next));
	}
	p->wait_until(p->opaque, t);
}

static int record(struct replay *r, const struct trace_record *rec)
{
	int rc;

	r->line = rec->line;
	r->res.records++;
	r->res.last_time = rec->time;
	if (rec->op == TR_CONFIG)
		return config_record(r, rec);
	if (!r->created && create_instance(r))
		return -1;
	if (r->opt.platform)
		platform_time(r, rec->time);
	if (rec->op == TR_DMA && refdrv_quiet(r->drv)) {
		/* the commonest record, as below without the driver */
		vtd_advance(r->v, rec->time);
		dma(r, rec);
		return 0;
	}
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
		r->bus.reg_write(r->bus.opaque, (uint32_t)rec->addr, rec->size,
				 rec->value);
		return 0;
	case TR_REG_R:
		check_value(r, rec,
			    r->bus.reg_read(r->bus.opaque, (uint32_t)rec->addr,
					    rec->size));
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
	csv_close(r, false);
	lat_stats_destroy(r->lat);
	r->lat = NULL;
	free(r->expect);
	r->expect = NULL;
	r->nexpect = r->cap_expect = 0;
	r->cookies = 0;
	devices_destroy(r->devs);
	r->devs = NULL;
	timeline_destroy(r->tl);
	r->tl = NULL;
	refdrv_destroy(r->drv);
	if (!r->opt.platform) {
		vtd_destroy(r->v);
		sparse_mem_destroy(r->mem);
	}
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
	config_file_free(r->cfile);
	free(r);
}

static int prepare(struct replay *r, const char *name)
{
	struct vtd_config scratch;
	char err[256];

	teardown(r);
	memset(&r->res, 0, sizeof(r->res));
	r->created = r->malformed = r->records = false;
	r->line = 0;
	r->stale_pending = 0;
	r->name = strdup(name ? name : "-");
	r->mem_size = SPARSE_MEM_DEFAULT_SIZE;
	r->alloc_base = REFDRV_DEFAULT_ALLOC_BASE;
	vtd_config_init(&r->cfg);
	r->cfg.check_stale = true; /* the replayer checks by default */
	r->timed = 0;
	r->progress_shown = -1;
	memset(&r->base, 0, sizeof(r->base));
	memset(&r->tbase, 0, sizeof(r->tbase));
	if (!r->name) {
		fprintf(r->err, "out of memory\n");
		return -1;
	}
	if (r->opt.config_path && !r->cfile &&
	    !(r->cfile =
		      config_file_load(r->opt.config_path, err, sizeof(err)))) {
		fprintf(r->err, "%s\n", err);
		return -1;
	}
	/* check --config and --set before reading anything */
	scratch = r->cfg;
	if (apply_file(r, &scratch, err, sizeof(err)) ||
	    apply_sets(r, &scratch, err, sizeof(err))) {
		fprintf(r->err, "%s\n", err);
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
			other_failure(r,
				      "events still scheduled at the end "
				      "after %u rounds",
				      REPLAY_MAX_DRAIN_ROUNDS);
			return;
		}
		driver_status(r, refdrv_advance(r->drv, t));
	}
	if (devices_pending(r->devs))
		other_failure(r,
			      "%zu device accesses still wait for a page "
			      "group response at the end",
			      devices_pending(r->devs));
}

/* after - before, member by member: both hold only uint64_t counters */
static void diff_u64(void *after, const void *before, size_t size)
{
	uint64_t *a = after;
	const uint64_t *b = before;
	size_t i;

	for (i = 0; i < size / sizeof(uint64_t); i++)
		a[i] -= b[i];
}

_Static_assert(sizeof(struct vtd_stats) % sizeof(uint64_t) == 0,
	       "vtd_stats holds only uint64_t counters");

static int write_timeline(struct replay *r, char *err, size_t errlen)
{
	struct timeline_meta m = {r->name, vtd_get_config(r->v),
				  r->res.partial};
	uint64_t first;
	size_t dropped = timeline_dropped(r->tl, &first);

	if (!r->cfg.timing.enabled)
		fprintf(r->err,
			"%s: timing is off (timing=0): the timeline is "
			"empty\n",
			r->opt.timeline_path);
	if (dropped)
		fprintf(r->err,
			"%s: %zu events from %" PRIu64
			" ns on left out (more than %u); narrow --window\n",
			r->opt.timeline_path, dropped, first / 1000,
			TIMELINE_MAX_EVENTS);
	return timeline_write(r->tl, r->opt.timeline_path, &m, err, errlen);
}

static int finish(struct replay *r)
{
	struct report_input in;
	struct vtd_stats stats;
	struct vtd_timing_stats ts;
	char err[512];

	drain_events(r);
	vtd_timing_flush(r->v);
	for (; r->nexpect; r->nexpect--) {
		r->line = r->expect[r->nexpect - 1].line;
		expect_failed(r, "expected a latency, the request never "
				 "completed");
	}
	r->line = 0;
	stats = *vtd_get_stats(r->v);
	ts = *vtd_get_timing_stats(r->v);
	if (r->stale_pending)
		flush_stale(r, true);
	r->res.exit_code = r->res.failures ? REPLAY_FAILED : REPLAY_OK;
	if (r->res.partial)
		r->res.exit_code = REPLAY_INTERRUPTED;
	if (r->warm) {
		diff_u64(&stats, &r->base, sizeof(stats));
		report_timing_stats_since(&ts, &r->tbase);
	}
	memset(&in, 0, sizeof(in));
	in.trace = r->name;
	in.res = &r->res;
	in.stats = &stats;
	in.mem_pages = sparse_mem_pages(r->mem);
	in.cfg = vtd_get_config(r->v);
	in.tstats = &ts;
	in.lat = r->lat;
	in.warmup = r->opt.warmup_requests || r->opt.warmup_at;
	in.warm = r->warm;
	if (r->lat)
		lat_stats_sort(r->lat);
	if (r->csv && csv_close(r, true)) {
		fprintf(r->err, "%s: cannot write\n", r->opt.csv_path);
		r->res.exit_code = REPLAY_MALFORMED;
	}
	if (!r->opt.quiet)
		report_text(r->out, &in);
	if (r->opt.json_path &&
	    report_json(r->opt.json_path, &in, err, sizeof(err))) {
		fprintf(r->err, "%s\n", err);
		r->res.exit_code = REPLAY_MALFORMED;
	}
	if (r->opt.metrics_path &&
	    report_metrics(r->opt.metrics_path, &in, err, sizeof(err))) {
		fprintf(r->err, "%s\n", err);
		r->res.exit_code = REPLAY_MALFORMED;
	}
	if (r->tl && write_timeline(r, err, sizeof(err))) {
		fprintf(r->err, "%s\n", err);
		r->res.exit_code = REPLAY_MALFORMED;
	}
	return r->res.exit_code;
}

/* ---- progress (stderr, a terminal) ---------------------------------------
 * A bar for a regular file (by the bytes read), a count for a pipe; both
 * with the records per second, redrawn at most every 0.2 s. */

static double wall_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void progress_start(struct replay *r, FILE *in)
{
	struct stat st;

	r->in = NULL;
	r->in_size = 0;
	if (!r->opt.progress || !isatty(fileno(r->err)))
		return;
	r->in = in;
	r->t_start = r->t_shown = wall_s();
	if (!fstat(fileno(in), &st) && S_ISREG(st.st_mode) && st.st_size)
		r->in_size = (long)st.st_size;
}

static void progress(struct replay *r)
{
	double now, rate;
	long pos;
	int pct, i;

	if (!r->in || (now = wall_s()) - r->t_shown < 0.2)
		return;
	r->t_shown = now;
	rate = (double)r->res.records / (now - r->t_start) / 1e6;
	r->progress_shown = 1;
	if (!r->in_size || !r->rd || (pos = trace_reader_offset(r->rd)) < 0) {
		fprintf(r->err, "\r%" PRIu64 " records, %.2f M/s   ",
			r->res.records, rate);
		fflush(r->err);
		return;
	}
	pct = (int)(100.0 * (double)pos / (double)r->in_size);
	if (pct > 100)
		pct = 100;
	fputs("\r[", r->err);
	for (i = 0; i < 40; i++)
		fputc(i < pct * 40 / 100 ? '#' : ' ', r->err);
	fprintf(r->err, "] %3d%% %" PRIu64 " records, %.2f M/s   ", pct,
		r->res.records, rate);
	fflush(r->err);
}

static void progress_end(struct replay *r)
{
	if (r->in && r->progress_shown >= 0)
		fprintf(r->err, "\r%78s\r", "");
	r->in = NULL;
}

int replay_run(struct replay *r, FILE *in, const char *name)
{
	struct trace_reader *rd;
	struct trace_record rec;
	int rc = 0;

	if (prepare(r, name))
		return r->res.exit_code = REPLAY_MALFORMED;
	rd = trace_reader_open(in, r->name);
	if (!rd) {
		fprintf(r->err, "%s: out of memory\n", r->name);
		return r->res.exit_code = REPLAY_MALFORMED;
	}
	r->records = trace_reader_binary(rd);
	r->rd = rd;
	progress_start(r, in);
	for (;;) {
		struct trace_dma d;

		if (r->created && !r->opt.platform && refdrv_quiet(r->drv) &&
		    trace_reader_next_dma(rd, &d)) {
			plain_dma(r, &d);
		} else {
			rc = trace_reader_next(rd, &rec);
			if (rc <= 0 || record(r, &rec))
				break;
		}
		if (r->opt.stop && *r->opt.stop) {
			r->res.partial = true;
			break;
		}
		if (!(r->res.records & 0xfff))
			progress(r);
	}
	progress_end(r);
	if (rc < 0)
		fprintf(r->err, "%s\n", trace_reader_error(rd));
	r->rd = NULL;
	trace_reader_close(rd);
	if (rc < 0 || r->malformed)
		return r->res.exit_code = REPLAY_MALFORMED;
	r->line = 0;
	if (create_instance(r))
		return r->res.exit_code = REPLAY_MALFORMED;
	return finish(r);
}

/* The trace's config records (up to the first other record), then
 * --config and --set, as create_instance applies them. */
static int resolve(struct replay *r, FILE *in, const char *path)
{
	struct trace_reader *rd;
	struct trace_record rec;
	char err[256] = "";
	int rc;

	if (prepare(r, path))
		return -1;
	rd = trace_reader_open(in, r->name);
	if (!rd) {
		fprintf(r->err, "%s: out of memory\n", r->name);
		return -1;
	}
	while ((rc = trace_reader_next(rd, &rec)) > 0 && rec.op == TR_CONFIG) {
		r->line = rec.line;
		if (config_record(r, &rec))
			break;
	}
	if (rc < 0)
		fprintf(r->err, "%s\n", trace_reader_error(rd));
	trace_reader_close(rd);
	if (rc < 0 || r->malformed)
		return -1;
	if (apply_file(r, &r->cfg, err, sizeof(err)) ||
	    apply_sets(r, &r->cfg, err, sizeof(err))) {
		fprintf(r->err, "%s\n", err);
		return -1;
	}
	return 0;
}

int replay_resolve_config(const char *path, const struct replay_options *opt,
			  struct vtd_config *cfg, uint64_t *mem_size)
{
	struct replay *r = replay_create(opt);
	FILE *in;
	int rc = REPLAY_MALFORMED;

	if (!r)
		return REPLAY_MALFORMED;
	r->opt.platform = NULL;
	in = strcmp(path, "-") ? fopen(path, "rb") : NULL;
	if (!in)
		fprintf(r->err, "%s: %s\n", path,
			strcmp(path, "-")
				? strerror(errno)
				: "a platform cannot read stdin twice");
	else if (!resolve(r, in, path)) {
		*cfg = r->cfg;
		*mem_size = r->mem_size;
		rc = REPLAY_OK;
	}
	if (in)
		fclose(in);
	replay_destroy(r);
	return rc;
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
	fprintf(out, "%-26s %-20s %s\n", "key", "default", "meaning");
	fprintf(out, "%-26s 0x%-18llx %s\n", "mem.size",
		(unsigned long long)SPARSE_MEM_DEFAULT_SIZE,
		"simulated memory size (harness)");
	fprintf(out, "%-26s 0x%-18llx %s\n", "alloc.base",
		(unsigned long long)REFDRV_DEFAULT_ALLOC_BASE,
		"reference-driver table memory (harness)");
	for (i = 0; i < n; i++) {
		const char *key, *help;
		char val[64];

		vtd_config_key(&cfg, i, &key, &help, val, sizeof(val));
		fprintf(out, "%-26s %-20s %s\n", key, val, help);
	}
}
