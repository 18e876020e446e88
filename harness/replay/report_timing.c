// SPDX-License-Identifier: MIT
/*
 * The timing part of the replay report (docs/report.md): latency over all
 * requests, per device and per device and PASID, the mean latency by
 * component, throughput, utilisation of each resource, and the latencies
 * of invalidation waits, ATS translations and page requests.
 */
#include <inttypes.h>
#include <string.h>

#include "report.h"

#define TEXT_GROUPS 16 /* groups listed in the text report */

void report_timing_stats_since(struct vtd_timing_stats *ts,
			       const struct vtd_timing_stats *base)
{
	struct vtd_timing_stats keep = *ts;
	const uint64_t *b = (const uint64_t *)base;
	uint64_t *a = (uint64_t *)ts;
	size_t i;

	for (i = 0; i < sizeof(*ts) / sizeof(uint64_t); i++)
		a[i] -= b[i];
	ts->first_ready_ps = keep.first_ready_ps;
	ts->last_done_ps = keep.last_done_ps;
	ts->inv_wait_max_ps = keep.inv_wait_max_ps;
}

_Static_assert(sizeof(struct vtd_timing_stats) % sizeof(uint64_t) == 0,
	       "vtd_timing_stats holds only uint64_t values");

static double ns(uint64_t ps)
{
	return (double)ps / 1000.0;
}

static uint64_t span_ps(const struct lat_stats *l)
{
	return l && l->all.count ? l->last_done - l->first_issue : 0;
}

static double per_s(uint64_t n, uint64_t ps)
{
	return ps ? (double)n * 1e12 / (double)ps : 0.0;
}

static uint32_t servers(const struct vtd_config *c, enum vtd_resource r)
{
	if (r == VTD_RES_SLOTS)
		return c->timing.slots;
	if (r == VTD_RES_WALKERS)
		return c->timing.walkers;
	return 1;
}

static double busy(const struct report_input *in, enum vtd_resource r)
{
	uint64_t span = span_ps(in->lat);

	if (!span)
		return 0.0;
	return (double)in->tstats->busy_ps[r] /
	       ((double)span * servers(in->cfg, r));
}

static void bdf(char *buf, size_t len, uint16_t sid)
{
	snprintf(buf, len, "%02x:%02x.%x", sid >> 8, (sid >> 3) & 0x1f,
		 sid & 7);
}

/* ---- text -------------------------------------------------------------------
 */

static void text_hist(FILE *out, const char *name, const struct lat_hist *h)
{
	fprintf(out,
		"  %-22s %10" PRIu64 " %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n",
		name, h->count, lat_hist_mean(h) / 1000.0,
		ns(lat_hist_quantile(h, 0.5)), ns(lat_hist_quantile(h, 0.9)),
		ns(lat_hist_quantile(h, 0.99)), ns(lat_hist_quantile(h, 0.999)),
		ns(h->max));
}

static void text_groups(FILE *out, const struct lat_stats *l)
{
	char name[48], dev[16];
	uint32_t i, shown = 0;

	for (i = 0; i < l->ngroups; i++) {
		const struct lat_group *g = l->groups[i];

		if (shown++ == TEXT_GROUPS) {
			fprintf(out, "  ... %u more groups (--json has all)\n",
				l->ngroups - TEXT_GROUPS);
			break;
		}
		bdf(dev, sizeof(dev), g->sid);
		if (g->has_pasid)
			snprintf(name, sizeof(name), "%s pasid %u", dev,
				 g->pasid);
		else
			snprintf(name, sizeof(name), "%s", dev);
		text_hist(out, name, &g->h);
	}
}

static void text_breakdown(FILE *out, const struct lat_stats *l)
{
	unsigned int i, n = 0;

	fputs("mean latency by component (ns):", out);
	for (i = 0; i < VTD_LAT_COUNT; i++) {
		if (!l->part_sum[i] || i == VTD_LAT_DEVICE)
			continue;
		fprintf(out, "%s %s %.1f", n++ % 4 ? "," : "\n ",
			vtd_lat_part_name((enum vtd_lat_part)i),
			(double)l->part_sum[i] / 1000.0 / (double)l->all.count);
	}
	fputc('\n', out);
	if (l->part_sum[VTD_LAT_DEVICE])
		fprintf(out,
			"mean wait for a device credit before issue (ns): "
			"%.1f\n",
			(double)l->part_sum[VTD_LAT_DEVICE] / 1000.0 /
				(double)l->all.count);
}

static void text_resources(FILE *out, const struct report_input *in)
{
	const struct vtd_timing_stats *t = in->tstats;
	unsigned int i;

	fprintf(out, "resources:             servers     busy      waits  "
		     "mean wait (ns)\n");
	for (i = 0; i < VTD_RES_COUNT; i++) {
		enum vtd_resource r = (enum vtd_resource)i;

		fprintf(out, "  %-20s %8u %7.1f%% %10" PRIu64 " %14.1f\n",
			vtd_resource_name(r), servers(in->cfg, r),
			100.0 * busy(in, r), t->waits[i],
			t->waits[i] ? ns(t->wait_ps[i]) / (double)t->waits[i]
				    : 0.0);
	}
	fprintf(out,
		"walks: %" PRIu64
		", misses merged into a walk in flight: %" PRIu64
		", requests held for a device credit: %" PRIu64 "\n",
		t->walks, t->merged, t->device_waits);
}

void report_timing_text(FILE *out, const struct report_input *in)
{
	const struct lat_stats *l = in->lat;
	uint64_t span = span_ps(l);

	if (!l) {
		fputs("timing: off\n", out);
		return;
	}
	fprintf(out, "timing: %" PRIu64 " requests timed", l->all.count);
	if (in->warmup)
		fprintf(out, " after the warm-up%s",
			in->warm ? "" : " (which never ended)");
	fprintf(out, "; throughput %.3f M requests/s, %.3f GB/s over %.3f us\n",
		per_s(l->all.count, span) / 1e6, per_s(l->bytes, span) / 1e9,
		ns(span) / 1000.0);
	if (!l->all.count)
		return;
	fprintf(out, "latency (ns):          %10s %9s %9s %9s %9s %9s %9s\n",
		"count", "mean", "p50", "p90", "p99", "p99.9", "max");
	text_hist(out, "all", &l->all);
	text_groups(out, l);
	text_breakdown(out, l);
	text_resources(out, in);
	if (l->inv_wait.count || l->ats.count || l->prq_deliver.count ||
	    l->prq.count)
		fprintf(out,
			"events (ns):           %10s %9s %9s %9s %9s %9s %9s\n",
			"count", "mean", "p50", "p90", "p99", "p99.9", "max");
	if (l->inv_wait.count)
		text_hist(out, "invalidation wait", &l->inv_wait);
	if (l->ats.count)
		text_hist(out, "ATS translation", &l->ats);
	if (l->prq_deliver.count)
		text_hist(out, "page request to IRQ", &l->prq_deliver);
	if (l->prq.count)
		text_hist(out, "page request to retry", &l->prq);
}

/* ---- JSON -------------------------------------------------------------------
 */

static void json_hist(FILE *f, const struct lat_hist *h)
{
	fprintf(f,
		"\"count\": %" PRIu64 ", \"mean_ns\": %.3f, \"min_ns\": %.3f, "
		"\"p50_ns\": %.3f, \"p90_ns\": %.3f, \"p99_ns\": %.3f, "
		"\"p999_ns\": %.3f, \"max_ns\": %.3f",
		h->count, lat_hist_mean(h) / 1000.0, ns(h->min),
		ns(lat_hist_quantile(h, 0.5)), ns(lat_hist_quantile(h, 0.9)),
		ns(lat_hist_quantile(h, 0.99)), ns(lat_hist_quantile(h, 0.999)),
		ns(h->max));
}

static void json_named_hist(FILE *f, const char *name, const struct lat_hist *h,
			    bool comma)
{
	fprintf(f, "\"%s\": {", name);
	json_hist(f, h);
	fprintf(f, "}%s", comma ? ",\n  " : "");
}

static void json_groups(FILE *f, const struct lat_stats *l, bool pasid)
{
	const char *sep = "";
	char dev[16];
	uint32_t i;

	fprintf(f, "\"%s\": [",
		pasid ? "latency_by_pasid" : "latency_by_device");
	for (i = 0; l && i < l->ngroups; i++) {
		const struct lat_group *g = l->groups[i];

		if (g->has_pasid != pasid)
			continue;
		bdf(dev, sizeof(dev), g->sid);
		fprintf(f, "%s\n    {\"device\": \"%s\", ", sep, dev);
		if (pasid)
			fprintf(f, "\"pasid\": %u, ", g->pasid);
		json_hist(f, &g->h);
		fputc('}', f);
		sep = ",";
	}
	fputs("],\n  ", f);
}

static void json_resources(FILE *f, const struct report_input *in)
{
	const struct vtd_timing_stats *t = in->tstats;
	const char *sep = "";
	unsigned int i;

	fputs("\"utilisation\": {", f);
	for (i = 0; i < VTD_RES_COUNT; i++) {
		enum vtd_resource r = (enum vtd_resource)i;

		fprintf(f,
			"%s\n    \"%s\": {\"servers\": %u, \"busy\": %.6f, "
			"\"waits\": %" PRIu64 ", \"wait_ns\": %.3f}",
			sep, vtd_resource_name(r), servers(in->cfg, r),
			busy(in, r), t->waits[i], ns(t->wait_ps[i]));
		sep = ",";
	}
	fprintf(f,
		"},\n  \"walks\": %" PRIu64 ", \"merged_misses\": %" PRIu64
		", \"device_credit_waits\": %" PRIu64 ",\n  ",
		t->walks, t->merged, t->device_waits);
}

void report_timing_json(FILE *f, const struct report_input *in)
{
	static const struct lat_stats none;
	const struct lat_stats *l = in->lat ? in->lat : &none;
	uint64_t span = span_ps(in->lat);
	const char *sep = "";
	unsigned int i;

	fprintf(f,
		"\"timing\": {\"enabled\": %s, \"warmup\": %s, "
		"\"warmup_ended\": %s},\n  ",
		in->lat ? "true" : "false", in->warmup ? "true" : "false",
		in->warm ? "true" : "false");
	json_named_hist(f, "latency", &l->all, true);
	json_groups(f, in->lat, false);
	json_groups(f, in->lat, true);
	fputs("\"latency_breakdown_ns\": {", f);
	for (i = 0; i < VTD_LAT_COUNT; i++, sep = ", ")
		fprintf(f, "%s\"%s\": %.3f", sep,
			vtd_lat_part_name((enum vtd_lat_part)i),
			l->all.count ? (double)l->part_sum[i] / 1000.0 /
					       (double)l->all.count
				     : 0.0);
	fprintf(f,
		"},\n  \"throughput\": {\"requests\": %" PRIu64
		", \"bytes\": %" PRIu64 ", \"span_ns\": %.3f, "
		"\"requests_per_s\": %.3f, \"bytes_per_s\": %.3f},\n  ",
		l->all.count, l->bytes, ns(span), per_s(l->all.count, span),
		per_s(l->bytes, span));
	json_resources(f, in);
	json_named_hist(f, "invalidation_wait", &l->inv_wait, true);
	json_named_hist(f, "ats_translation", &l->ats, true);
	json_named_hist(f, "page_request_delivery", &l->prq_deliver, true);
	json_named_hist(f, "page_request_round_trip", &l->prq, false);
}

/* ---- metrics: one "name value" line each (sweeps) --------------------------
 */

static double hit_rate(const struct vtd_cache_stats *c)
{
	return c->lookups ? (double)c->hits / (double)c->lookups : 0.0;
}

static uint64_t all_faults(const struct vtd_stats *s)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < 256; i++)
		n += s->faults[i];
	return n;
}

static void metrics_body(FILE *f, const void *arg)
{
	const struct report_input *in = arg;
	static const struct lat_stats none;
	const struct lat_stats *l = in->lat ? in->lat : &none;
	const struct vtd_stats *s = in->stats;
	uint64_t span = span_ps(in->lat);
	unsigned int i;

	fprintf(f, "exit_code %d\n", in->res->exit_code);
	fprintf(f, "requests %" PRIu64 "\n", in->res->requests);
	fprintf(f, "translations %" PRIu64 "\n", s->requests);
	fprintf(f, "faults %" PRIu64 "\n", all_faults(s));
	fprintf(f, "throughput_mrps %.6f\n", per_s(l->all.count, span) / 1e6);
	fprintf(f, "bandwidth_gbps %.6f\n", per_s(l->bytes, span) / 1e9);
	fprintf(f, "latency_mean_ns %.3f\n", lat_hist_mean(&l->all) / 1000.0);
	fprintf(f, "latency_p50_ns %.3f\n",
		ns(lat_hist_quantile(&l->all, 0.5)));
	fprintf(f, "latency_p90_ns %.3f\n",
		ns(lat_hist_quantile(&l->all, 0.9)));
	fprintf(f, "latency_p99_ns %.3f\n",
		ns(lat_hist_quantile(&l->all, 0.99)));
	fprintf(f, "latency_p999_ns %.3f\n",
		ns(lat_hist_quantile(&l->all, 0.999)));
	fprintf(f, "latency_max_ns %.3f\n", ns(l->all.max));
	for (i = 0; i < VTD_CACHE_COUNT; i++)
		fprintf(f, "%s_hit_rate %.6f\n",
			vtd_cache_name((enum vtd_cache_id)i),
			hit_rate(&s->cache[i]));
	fprintf(f, "walks %" PRIu64 "\n", in->tstats->walks);
	fprintf(f, "merged_misses %" PRIu64 "\n", in->tstats->merged);
	for (i = 0; i < VTD_RES_COUNT; i++)
		fprintf(f, "%s_busy %.6f\n",
			vtd_resource_name((enum vtd_resource)i),
			in->lat ? busy(in, (enum vtd_resource)i) : 0.0);
	fprintf(f, "invalidation_wait_mean_ns %.3f\n",
		lat_hist_mean(&l->inv_wait) / 1000.0);
}

int report_metrics(const char *path, const struct report_input *in, char *err,
		   size_t errlen)
{
	return report_write_atomic(path, metrics_body, in, err, errlen);
}
