// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: what each driver operation costs the hardware
 * (docs/driver-harness.md, "Model time of driver operations").
 *
 * A scenario brackets each driver operation (vh_op_begin/vh_op_end: a map,
 * an unmap and its flush, a PASID bind, ...). The units' timing models
 * report every invalidation wait (submitted at the IQT write, done at the
 * status write) and every timed device access. At the end of the run each
 * wait is charged to the operation whose model-time window holds its
 * submission: the operation's invalidation time is the sum of its waits
 * (each submission to its completion), its span the time from the call to
 * the completion of its last wait. Device accesses that went through a
 * page request give the page-fault round trip (the request leaving the
 * device to the retry's completion).
 */
#include <stdlib.h>
#include <string.h>

#include <vtdsim/vtdsim.h>

#include "../vksim.h"
#include "latency.h"
#include "optime.h"

struct op_rec {
	uint8_t kind;
	uint64_t begin_ps, end_ps;
	uint32_t waits;
	uint64_t inv_ps, last_done_ps;
};

struct ev_rec {
	uint64_t start_ps, done_ps;
};

static const char *const op_names[VK_OP_COUNT] = {
	[VK_OP_MAP] = "map",
	[VK_OP_UNMAP] = "unmap",
	[VK_OP_UNMAP_GATHERED] = "unmap_gathered_sync",
	[VK_OP_ATTACH] = "attach",
	[VK_OP_DETACH] = "detach",
	[VK_OP_SVA_BIND] = "sva_bind",
	[VK_OP_SVA_UNBIND] = "sva_unbind",
	[VK_OP_MM_INVALIDATE] = "mm_invalidate",
	[VK_OP_GUEST_INVALIDATE] = "guest_invalidate",
};

static struct {
	struct op_rec *ops;
	size_t nops, cap_ops;
	struct ev_rec *evs;
	size_t nevs, cap_evs;
	bool open;
	size_t op_first_ev; /* the open operation's first event */
	uint64_t (*now_ps)(void);
	void (*flush)(void);
	struct lat_hist inv_wait, access, fault_rtt, prq_deliver;
	struct lat_hist op_inv[VK_OP_COUNT], op_span[VK_OP_COUNT];
	uint64_t op_count[VK_OP_COUNT], op_with_inv[VK_OP_COUNT];
	uint64_t op_waits[VK_OP_COUNT], unattributed;
	bool done;
} T;

static bool grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *q;

	if (n < *cap)
		return true;
	c = *cap ? 2 * *cap : 64;
	q = realloc(*p, c * size);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

void optime_init(uint64_t (*now_ps)(void), void (*flush)(void))
{
	T.now_ps = now_ps;
	T.flush = flush;
}

const char *optime_name(unsigned int kind)
{
	return kind < VK_OP_COUNT ? op_names[kind] : "?";
}

void vh_op_begin(int kind)
{
	struct op_rec *o;

	if (kind < 0 || kind >= VK_OP_COUNT) {
		vh_check_failed(__FILE__, __LINE__, "unknown operation kind");
		return;
	}
	if (T.open) {
		vh_check_failed(__FILE__, __LINE__,
				"vh_op_begin inside an operation");
		return;
	}
	if (!grow((void **)&T.ops, &T.cap_ops, T.nops, sizeof(*T.ops)))
		return;
	o = &T.ops[T.nops++];
	memset(o, 0, sizeof(*o));
	o->kind = (uint8_t)kind;
	o->begin_ps = T.now_ps();
	o->end_ps = UINT64_MAX;
	T.op_first_ev = T.nevs;
	T.open = true;
}

/* The driver spun on each wait's status until it saw it written; the
 * functional model writes it at once, so the operation ends when the
 * timing model says its last wait completed: the CPU's clock catches up
 * (the next operation does not queue behind work the driver waited for). */
void vh_op_end(void)
{
	uint64_t now, last = 0;
	size_t i;

	if (!T.open) {
		vh_check_failed(__FILE__, __LINE__,
				"vh_op_end outside an operation");
		return;
	}
	T.flush();
	for (i = T.op_first_ev; i < T.nevs; i++)
		if (T.evs[i].done_ps > last)
			last = T.evs[i].done_ps;
	now = T.now_ps();
	if (last > now)
		vh_delay_ns((last - now + 999) / 1000);
	T.ops[T.nops - 1].end_ps = T.now_ps();
	T.open = false;
}

void optime_event(const struct vtd_timing_event *ev)
{
	if (ev->kind == VTD_TEV_PAGE_REQUEST) {
		lat_hist_add(&T.prq_deliver, ev->done_ps - ev->start_ps);
		return;
	}
	lat_hist_add(&T.inv_wait, ev->done_ps - ev->start_ps);
	if (!grow((void **)&T.evs, &T.cap_evs, T.nevs, sizeof(*T.evs)))
		return;
	T.evs[T.nevs].start_ps = ev->start_ps;
	T.evs[T.nevs].done_ps = ev->done_ps;
	T.nevs++;
}

void optime_timed(const struct vtd_timing *t)
{
	if (!t->endpoint)
		return;
	lat_hist_add(&T.access, vtd_timing_latency_ps(t));
	if (t->part_ps[VTD_LAT_PRQ])
		lat_hist_add(&T.fault_rtt, vtd_timing_latency_ps(t));
}

/* The operation whose window [begin, end] holds t: the last that began at
 * or before t (operations do not nest), if it had not ended before t. */
static struct op_rec *op_at(uint64_t t)
{
	size_t lo = 0, hi = T.nops;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (T.ops[mid].begin_ps <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || T.ops[lo - 1].end_ps < t)
		return NULL;
	return &T.ops[lo - 1];
}

void optime_finish(void)
{
	size_t i;

	if (T.done)
		return;
	T.done = true;
	if (T.open)
		vh_op_end();
	for (i = 0; i < T.nevs; i++) {
		struct op_rec *o = op_at(T.evs[i].start_ps);

		if (!o) {
			T.unattributed++;
			continue;
		}
		o->waits++;
		o->inv_ps += T.evs[i].done_ps - T.evs[i].start_ps;
		if (T.evs[i].done_ps > o->last_done_ps)
			o->last_done_ps = T.evs[i].done_ps;
	}
	for (i = 0; i < T.nops; i++) {
		const struct op_rec *o = &T.ops[i];

		T.op_count[o->kind]++;
		if (!o->waits)
			continue;
		T.op_with_inv[o->kind]++;
		T.op_waits[o->kind] += o->waits;
		lat_hist_add(&T.op_inv[o->kind], o->inv_ps);
		lat_hist_add(&T.op_span[o->kind],
			     o->last_done_ps - o->begin_ps);
	}
}

/* ---- reports ----------------------------------------------------------------
 */

static double ns(uint64_t ps)
{
	return (double)ps / 1000.0;
}

/* n: calls (operations) or 0 (events: the histogram's count only) */
static void text_hist(FILE *out, const char *name, uint64_t n,
		      const struct lat_hist *h)
{
	char calls[24] = "";

	if (n)
		snprintf(calls, sizeof(calls), "%llu", (unsigned long long)n);
	fprintf(out, "  %-22s %7s %7llu %10.1f %10.1f %10.1f %10.1f\n", name,
		calls, (unsigned long long)h->count, lat_hist_mean(h) / 1000.0,
		ns(lat_hist_quantile(h, 0.5)), ns(lat_hist_quantile(h, 0.99)),
		ns(h->max));
}

void optime_print(FILE *out)
{
	unsigned int k;
	size_t i, n = 0;

	fputs("driver operations, model time of their invalidations (ns):\n"
	      "  operation                calls   w/inv       mean        p50"
	      "        p99        max\n",
	      out);
	for (k = 0; k < VK_OP_COUNT; k++)
		if (T.op_count[k])
			text_hist(out, op_names[k], T.op_count[k],
				  &T.op_inv[k]);
	fputs("hardware events (ns):              count       mean        p50"
	      "        p99        max\n",
	      out);
	text_hist(out, "invalidation wait", 0, &T.inv_wait);
	text_hist(out, "device access", 0, &T.access);
	text_hist(out, "page fault round trip", 0, &T.fault_rtt);
	text_hist(out, "page request to IRQ", 0, &T.prq_deliver);
	fputs("each operation with invalidations (model time of the call; "
	      "waits; their sum; call to the last completion):\n",
	      out);
	for (i = 0; i < T.nops; i++) {
		const struct op_rec *o = &T.ops[i];

		if (!o->waits)
			continue;
		fprintf(out,
			"  %-20s #%-4zu at %12.1f ns: %u wait%s, "
			"invalidation %.1f ns, done %.1f ns after the call\n",
			op_names[o->kind], ++n, ns(o->begin_ps), o->waits,
			o->waits == 1 ? "" : "s", ns(o->inv_ps),
			ns(o->last_done_ps - o->begin_ps));
	}
	if (T.unattributed)
		fprintf(out,
			"  (%llu invalidation waits outside the bracketed "
			"operations: bring-up, probe, teardown)\n",
			(unsigned long long)T.unattributed);
}

static void json_hist(FILE *f, const struct lat_hist *h)
{
	fprintf(f,
		"{\"count\": %llu, \"mean_ns\": %.3f, \"p50_ns\": %.3f, "
		"\"p99_ns\": %.3f, \"max_ns\": %.3f}",
		(unsigned long long)h->count, lat_hist_mean(h) / 1000.0,
		ns(lat_hist_quantile(h, 0.5)), ns(lat_hist_quantile(h, 0.99)),
		ns(h->max));
}

void optime_json(FILE *f)
{
	unsigned int k;
	size_t i;
	bool first = true;

	fputs("  \"timing\": {\n    \"operations\": {", f);
	for (k = 0; k < VK_OP_COUNT; k++) {
		if (!T.op_count[k])
			continue;
		fprintf(f,
			"%s\n      \"%s\": {\"calls\": %llu, "
			"\"with_invalidation\": %llu, \"waits\": %llu, "
			"\"invalidation_ns\": ",
			first ? "" : ",", op_names[k],
			(unsigned long long)T.op_count[k],
			(unsigned long long)T.op_with_inv[k],
			(unsigned long long)T.op_waits[k]);
		json_hist(f, &T.op_inv[k]);
		fputs(", \"span_ns\": ", f);
		json_hist(f, &T.op_span[k]);
		fputc('}', f);
		first = false;
	}
	fputs("},\n    \"operation_list\": [", f);
	first = true;
	for (i = 0; i < T.nops; i++) {
		const struct op_rec *o = &T.ops[i];

		fprintf(f,
			"%s\n      {\"op\": \"%s\", \"at_ns\": %.3f, "
			"\"waits\": %u, \"invalidation_ns\": %.3f, "
			"\"span_ns\": %.3f}",
			first ? "" : ",", op_names[o->kind], ns(o->begin_ps),
			o->waits, ns(o->inv_ps),
			o->waits ? ns(o->last_done_ps - o->begin_ps) : 0.0);
		first = false;
	}
	fputs("],\n    \"invalidation_wait\": ", f);
	json_hist(f, &T.inv_wait);
	fprintf(f, ",\n    \"unattributed_waits\": %llu",
		(unsigned long long)T.unattributed);
	fputs(",\n    \"device_access\": ", f);
	json_hist(f, &T.access);
	fputs(",\n    \"page_fault_round_trip\": ", f);
	json_hist(f, &T.fault_rtt);
	fputs(",\n    \"page_request_delivery\": ", f);
	json_hist(f, &T.prq_deliver);
	fputs("},\n", f);
}
