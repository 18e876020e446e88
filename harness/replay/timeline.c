// SPDX-License-Identifier: MIT
/*
 * Timelines (timeline.h, docs/timeline.md). Events arrive as the timing
 * model completes them, not in start order; they are kept, sorted at the
 * end, laid out on lanes (a device with eight requests in flight gets
 * eight tracks, so slices never overlap on one), and written with the
 * counters derived from them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vtdsim/endpoint.h>

#include "report.h"
#include "timeline.h"
#include "version.h"

enum tl_kind { TL_REQUEST, TL_BUSY, TL_WAIT, TL_INV_WAIT, TL_PAGE_REQUEST };

struct tl_ev {
	uint64_t start, end; /* ps */
	uint64_t ready;	     /* requests: ready (start: issued) */
	uint64_t addr;	     /* requests; busy: the request's cookie */
	uint64_t bytes;	     /* requests; busy: 0 */
	uint64_t cookie;     /* requests: the request's number */
	uint32_t pasid;
	uint32_t parts; /* requests: index into tl->parts */
	uint32_t lane, seq;
	uint16_t sid;
	uint8_t kind, res; /* res: busy's resource */
	uint8_t status;	   /* requests: fault reason or endpoint status */
	bool has_pasid, write, ok, endpoint, device;
	uint32_t n; /* INV_WAIT: descriptors */
};

struct timeline {
	uint64_t t0, t1;
	size_t max;
	struct tl_ev *ev;
	size_t n, cap;
	uint64_t (*parts)[VTD_LAT_COUNT];
	size_t nparts, cap_parts;
	size_t dropped;
	uint64_t first_dropped;
	bool oom;
};

struct timeline *timeline_create(uint64_t t0_ps, uint64_t t1_ps,
				 size_t max_events)
{
	struct timeline *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	tl->t0 = t0_ps;
	tl->t1 = t1_ps;
	tl->max = max_events;
	return tl;
}

void timeline_destroy(struct timeline *tl)
{
	if (!tl)
		return;
	free(tl->ev);
	free(tl->parts);
	free(tl);
}

size_t timeline_dropped(const struct timeline *tl, uint64_t *first_ps)
{
	*first_ps = tl->first_dropped;
	return tl->dropped;
}

static bool grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n < *cap)
		return true;
	c = *cap ? 2 * *cap : 4096;
	q = realloc(*p, c * size);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

/* A slot for an event overlapping the window, or NULL (outside it, over
 * the bound, out of memory). */
static struct tl_ev *add(struct timeline *tl, uint64_t start, uint64_t end)
{
	struct tl_ev *e;

	if (end < tl->t0 || start > tl->t1)
		return NULL;
	if (tl->n == tl->max || tl->oom ||
	    !grow((void **)&tl->ev, &tl->cap, tl->n, sizeof(*tl->ev))) {
		if (!tl->dropped++ || start < tl->first_dropped)
			tl->first_dropped = start;
		tl->oom = tl->n != tl->max;
		return NULL;
	}
	e = &tl->ev[tl->n];
	memset(e, 0, sizeof(*e));
	e->start = start;
	e->end = end;
	e->seq = (uint32_t)tl->n++;
	return e;
}

void timeline_request(struct timeline *tl, const struct vtd_timing *t)
{
	uint64_t issued = vtd_timing_issued_ps(t);
	struct tl_ev *e = add(tl, issued, t->done_ps);

	if (!e)
		return;
	if (!grow((void **)&tl->parts, &tl->cap_parts, tl->nparts,
		  sizeof(*tl->parts))) {
		tl->n--;
		tl->oom = true;
		if (!tl->dropped++ || issued < tl->first_dropped)
			tl->first_dropped = issued;
		return;
	}
	e->kind = TL_REQUEST;
	e->ready = t->ready_ps;
	e->cookie = t->cookie;
	e->addr = t->addr;
	e->bytes = t->bytes;
	e->sid = t->sid;
	e->has_pasid = t->has_pasid;
	e->pasid = t->pasid;
	e->write = t->write;
	e->ok = t->ok;
	e->endpoint = t->endpoint;
	e->status = t->status;
	e->parts = (uint32_t)tl->nparts;
	memcpy(tl->parts[tl->nparts++], t->part_ps, sizeof(t->part_ps));
}

void timeline_event(struct timeline *tl, const struct vtd_timing_event *ev)
{
	struct tl_ev *e = add(tl, ev->start_ps, ev->done_ps);

	if (!e)
		return;
	e->kind = ev->kind == VTD_TEV_INV_WAIT ? TL_INV_WAIT : TL_PAGE_REQUEST;
	e->n = ev->descriptors;
}

void timeline_busy(struct timeline *tl, const struct vtd_resource_use *u)
{
	struct tl_ev *e = add(tl, u->start_ps, u->end_ps);

	if (!e)
		return;
	e->kind = u->wait ? TL_WAIT : TL_BUSY;
	e->res = (uint8_t)u->res;
	e->device = u->device;
	e->addr = u->cookie;
}

/* ---- layout ----------------------------------------------------------------
 */

static int by_start(const void *a, const void *b)
{
	const struct tl_ev *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Tracks: a group (a device, a resource, the unit's events) has lanes;
 * an event goes on the first lane free at its start. */
#define MAX_LANES      256
#define GROUP_DEV(sid) ((uint32_t)(sid))
#define GROUP_RES(r)   (65536u + (uint32_t)(r))
#define GROUP_INV      (65536u + VTD_RES_COUNT)
#define GROUP_PRQ      (GROUP_INV + 1)
/* counters only: queued for a resource, for a device's credit */
#define GROUP_WAIT(r)	 (GROUP_PRQ + 1 + (uint32_t)(r))
#define GROUP_DEVWAIT(s) (GROUP_WAIT(VTD_RES_COUNT) + (uint32_t)(s))
#define NGROUPS		 GROUP_DEVWAIT(65536)

struct lanes {
	uint64_t *end; /* per group: MAX_LANES end times, allocated as used */
	uint16_t used;
};

static uint32_t group_of(const struct tl_ev *e)
{
	switch (e->kind) {
	case TL_REQUEST:
		return GROUP_DEV(e->sid);
	case TL_BUSY:
		return GROUP_RES(e->res);
	case TL_WAIT:
		return GROUP_WAIT(e->res);
	case TL_INV_WAIT:
		return GROUP_INV;
	default:
		return GROUP_PRQ;
	}
}

static int assign_lanes(struct timeline *tl, struct lanes *g)
{
	size_t i;

	for (i = 0; i < tl->n; i++) {
		struct tl_ev *e = &tl->ev[i];
		struct lanes *l = &g[group_of(e)];
		uint32_t k;

		if (e->kind == TL_WAIT)
			continue; /* a counter, not a slice */
		if (!l->end && !(l->end = calloc(MAX_LANES, sizeof(uint64_t))))
			return -1;
		for (k = 0; k < l->used && l->end[k] > e->start; k++)
			;
		if (k == MAX_LANES)
			k = MAX_LANES - 1; /* overlaps: rare, still shown */
		if (k == l->used)
			l->used++;
		l->end[k] = e->end;
		e->lane = k;
	}
	return 0;
}

/* ---- JSON ------------------------------------------------------------------
 */

enum { PID_DEVICES = 1, PID_UNIT = 2, PID_EVENTS = 3 };

static void ts(FILE *f, const char *key, uint64_t ps)
{
	fprintf(f, "\"%s\": %" PRIu64 ".%06" PRIu64, key, ps / 1000000,
		ps % 1000000);
}

static void ns_arg(FILE *f, const char *key, uint64_t ps)
{
	fprintf(f, ", \"%s\": %" PRIu64 ".%03" PRIu64, key, ps / 1000,
		ps % 1000);
}

static uint32_t tid_of(const struct tl_ev *e)
{
	return (group_of(e) & 0xffff) * MAX_LANES + e->lane + 1;
}

static void slice(FILE *f, bool *first, const char *name, const char *cat,
		  int pid, uint32_t tid, uint64_t start, uint64_t dur)
{
	fprintf(f, "%s\n  {\"name\": ", *first ? "" : ",");
	*first = false;
	report_json_string(f, name);
	fprintf(f,
		", \"cat\": \"%s\", \"ph\": \"X\", \"pid\": %d, \"tid\": %u, ",
		cat, pid, tid);
	ts(f, "ts", start);
	fputs(", ", f);
	ts(f, "dur", dur);
}

static const char *result_text(const struct tl_ev *e, char *buf, size_t len)
{
	if (e->endpoint)
		return vtd_dev_status_name((enum vtd_dev_status)e->status);
	if (e->ok)
		return "ok";
	snprintf(buf, len, "fault:0x%02x", e->status);
	return buf;
}

static void write_request(FILE *f, bool *first, const struct timeline *tl,
			  const struct tl_ev *e)
{
	const uint64_t *p = tl->parts[e->parts];
	uint32_t tid = tid_of(e);
	char name[64], res[16];
	uint64_t at = e->start;
	unsigned int i;

	snprintf(name, sizeof(name), "%s 0x%" PRIx64,
		 e->write ? "write" : "read", e->addr);
	slice(f, first, name, "request", PID_DEVICES, tid, e->start,
	      e->end - e->start);
	fprintf(f,
		", \"args\": {\"request\": %" PRIu64 ", \"addr\": \"0x%" PRIx64
		"\", \"bytes\": %" PRIu64,
		e->cookie, e->addr, e->bytes);
	if (e->has_pasid)
		fprintf(f, ", \"pasid\": %u", e->pasid);
	fprintf(f, ", \"result\": \"%s\"", result_text(e, res, sizeof(res)));
	ns_arg(f, "latency_ns", e->end - e->start);
	for (i = 0; i < VTD_LAT_COUNT; i++) {
		char key[40];

		if (!p[i])
			continue;
		snprintf(key, sizeof(key), "%s_ns",
			 vtd_lat_part_name((enum vtd_lat_part)i));
		ns_arg(f, key, p[i]);
	}
	fputs("}}", f);
	/* its components end to end, in pipeline order, inside it */
	for (i = 0; i < VTD_LAT_COUNT; i++) {
		if (!p[i] || i == VTD_LAT_DEVICE)
			continue;
		slice(f, first, vtd_lat_part_name((enum vtd_lat_part)i),
		      "component", PID_DEVICES, tid, at, p[i]);
		fputc('}', f);
		at += p[i];
	}
}

static void write_other(FILE *f, bool *first, const struct tl_ev *e)
{
	char name[64];

	if (e->kind == TL_BUSY) {
		slice(f, first, e->device ? "request" : "unit", "busy",
		      PID_UNIT, tid_of(e), e->start, e->end - e->start);
		if (e->device)
			fprintf(f, ", \"args\": {\"request\": %" PRIu64 "}",
				e->addr);
		fputc('}', f);
		return;
	}
	if (e->kind == TL_INV_WAIT)
		snprintf(name, sizeof(name),
			 "invalidation wait (%u descriptors)", e->n);
	else
		snprintf(name, sizeof(name), "page request");
	slice(f, first, name, e->kind == TL_INV_WAIT ? "invalidation" : "prq",
	      PID_EVENTS, tid_of(e), e->start, e->end - e->start);
	fputc('}', f);
}

static void meta(FILE *f, bool *first, const char *what, int pid, uint32_t tid,
		 const char *name)
{
	fprintf(f, "%s\n  {\"name\": \"%s\", \"ph\": \"M\", \"pid\": %d",
		*first ? "" : ",", what, pid);
	*first = false;
	if (tid)
		fprintf(f, ", \"tid\": %u", tid);
	fputs(", \"args\": {\"name\": ", f);
	report_json_string(f, name);
	fputs("}}", f);
}

static void group_name(uint32_t g, char *buf, size_t len)
{
	if (g >= GROUP_DEVWAIT(0))
		g -= GROUP_DEVWAIT(0);
	else if (g >= GROUP_WAIT(0))
		g = GROUP_RES(g - GROUP_WAIT(0));
	if (g < 65536)
		snprintf(buf, len, "%02x:%02x.%x", g >> 8, (g >> 3) & 0x1f,
			 g & 7);
	else if (g < GROUP_INV)
		snprintf(buf, len, "%s",
			 vtd_resource_name((enum vtd_resource)(g - 65536)));
	else
		snprintf(buf, len, "%s",
			 g == GROUP_INV ? "invalidation waits"
					: "page requests");
}

static int group_pid(uint32_t g)
{
	if (g >= GROUP_DEVWAIT(0))
		return PID_DEVICES;
	if (g >= GROUP_WAIT(0))
		return PID_UNIT;
	if (g < 65536)
		return PID_DEVICES;
	return g < GROUP_INV ? PID_UNIT : PID_EVENTS;
}

static void write_names(FILE *f, bool *first, const struct lanes *g)
{
	uint32_t i, k;

	meta(f, first, "process_name", PID_DEVICES, 0, "devices");
	meta(f, first, "process_name", PID_UNIT, 0, "remapping unit");
	meta(f, first, "process_name", PID_EVENTS, 0, "events");
	for (i = 0; i < NGROUPS; i++) {
		for (k = 0; k < g[i].used; k++) {
			char name[64], lane[80];

			group_name(i, name, sizeof(name));
			if (g[i].used > 1)
				snprintf(lane, sizeof(lane), "%s #%u", name, k);
			else
				snprintf(lane, sizeof(lane), "%s", name);
			meta(f, first, "thread_name", group_pid(i),
			     (i & 0xffff) * MAX_LANES + k + 1, lane);
		}
	}
}

/* ---- counters: what is in use, from the intervals -------------------------
 */

struct edge {
	uint64_t t;
	uint32_t group;
	int32_t d; /* +1 start, -1 end */
};

static int by_time(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->d - y->d; /* ends first: a counter never overshoots */
}

static void counter(FILE *f, bool *first, uint32_t group, uint64_t t,
		    int64_t value)
{
	char name[128], g[64];

	group_name(group, g, sizeof(g));
	if (group >= GROUP_DEVWAIT(0))
		snprintf(name, sizeof(name), "%s waiting for a credit", g);
	else if (group >= GROUP_WAIT(0))
		snprintf(name, sizeof(name), "%s queue", g);
	else if (group < 65536)
		snprintf(name, sizeof(name), "%s in flight", g);
	else
		snprintf(name, sizeof(name), "%s in use", g);
	fprintf(f, "%s\n  {\"name\": ", *first ? "" : ",");
	*first = false;
	report_json_string(f, name);
	fprintf(f, ", \"ph\": \"C\", \"pid\": %d, ", group_pid(group));
	ts(f, "ts", t);
	fprintf(f, ", \"args\": {\"value\": %" PRId64 "}}", value);
}

static int write_counters(FILE *f, bool *first, const struct timeline *tl)
{
	struct edge *e = malloc(4 * tl->n * sizeof(*e) + 1);
	int64_t *level = calloc(NGROUPS, sizeof(*level));
	size_t i, n = 0;

	if (!e || !level) {
		free(e);
		free(level);
		return -1;
	}
	for (i = 0; i < tl->n; i++) {
		const struct tl_ev *v = &tl->ev[i];

		if (v->kind != TL_REQUEST && v->kind != TL_BUSY &&
		    v->kind != TL_WAIT)
			continue;
		e[n++] = (struct edge){v->start, group_of(v), 1};
		e[n++] = (struct edge){v->end, group_of(v), -1};
		if (v->kind == TL_REQUEST && v->ready < v->start) {
			e[n++] = (struct edge){v->ready, GROUP_DEVWAIT(v->sid),
					       1};
			e[n++] = (struct edge){v->start, GROUP_DEVWAIT(v->sid),
					       -1};
		}
	}
	qsort(e, n, sizeof(*e), by_time);
	for (i = 0; i < n; i++) {
		level[e[i].group] += e[i].d;
		/* one value per group and time: the last change wins */
		if (i + 1 < n && e[i + 1].t == e[i].t &&
		    e[i + 1].group == e[i].group)
			continue;
		counter(f, first, e[i].group, e[i].t, level[e[i].group]);
	}
	free(e);
	free(level);
	return 0;
}

struct body_arg {
	struct timeline *tl;
	const struct timeline_meta *m;
	struct lanes *g;
};

static void body(FILE *f, const void *arg)
{
	const struct body_arg *a = arg;
	const struct timeline *tl = a->tl;
	bool first = true;
	size_t i;

	fputs("{\"displayTimeUnit\": \"ns\",\n \"otherData\": {\"tool\": "
	      "\"vtdsim ",
	      f);
	fputs(vtdsim_version(), f);
	fputs("\", \"trace\": ", f);
	report_json_string(f, a->m->trace);
	fprintf(f, ", \"window_ns\": [%" PRIu64 ", ", tl->t0 / 1000);
	if (tl->t1 == UINT64_MAX)
		fputs("null]", f);
	else
		fprintf(f, "%" PRIu64 "]", tl->t1 / 1000);
	fprintf(f, ", \"partial\": %s, \"dropped_events\": %zu},\n",
		a->m->partial ? "true" : "false", tl->dropped);
	fputs(" \"traceEvents\": [", f);
	write_names(f, &first, a->g);
	for (i = 0; i < tl->n; i++) {
		if (tl->ev[i].kind == TL_REQUEST)
			write_request(f, &first, tl, &tl->ev[i]);
		else if (tl->ev[i].kind != TL_WAIT)
			write_other(f, &first, &tl->ev[i]);
	}
	write_counters(f, &first, tl);
	fputs("\n]}\n", f);
}

int timeline_write(struct timeline *tl, const char *path,
		   const struct timeline_meta *meta, char *err, size_t errlen)
{
	struct lanes *g = calloc(NGROUPS, sizeof(*g));
	struct body_arg a = {tl, meta, g};
	int rc = -1;
	uint32_t i;

	if (!g) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (tl->n) /* qsort wants an array, even of nothing */
		qsort(tl->ev, tl->n, sizeof(*tl->ev), by_start);
	if (assign_lanes(tl, g))
		snprintf(err, errlen, "%s: out of memory", path);
	else
		rc = report_write_atomic(path, body, &a, err, errlen);
	for (i = 0; i < NGROUPS; i++)
		free(g[i].end);
	free(g);
	return rc;
}
