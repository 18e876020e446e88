// SPDX-License-Identifier: MIT
/*
 * Replay report: the same numbers as text and as JSON. The JSON file is
 * written to a temporary file next to it and renamed, so a reader never
 * sees a half-written report.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out_file.h"
#include "report.h"

static const char *const qi_names[VTD_QI_TYPE_COUNT] = {
	[VTD_QI_CC] = "cc",
	[VTD_QI_IOTLB] = "iotlb",
	[VTD_QI_DIOTLB] = "dev_iotlb",
	[VTD_QI_IEC] = "iec",
	[VTD_QI_IWD] = "wait",
	[VTD_QI_PIOTLB] = "p_iotlb",
	[VTD_QI_PC] = "pc",
	[VTD_QI_PDIOTLB] = "p_dev_iotlb",
	[VTD_QI_PGRP_RESP] = "page_group_resp",
};

const char *report_qi_type_name(unsigned int type)
{
	if (type < VTD_QI_TYPE_COUNT && qi_names[type])
		return qi_names[type];
	return "unknown";
}

static double rate(uint64_t hits, uint64_t lookups)
{
	return lookups ? (double)hits / (double)lookups : 0.0;
}

void report_unit_stats(FILE *out, const struct vtd_stats *s)
{
	unsigned int i;

	fprintf(out, "translations by mode:\n");
	for (i = 0; i < VTD_MODE_COUNT; i++) {
		if (s->translations[i])
			fprintf(out, "  %-20s %" PRIu64 "\n",
				vtd_mode_name((enum vtd_mode)i),
				s->translations[i]);
	}
	fprintf(out,
		"faults: recorded %" PRIu64 ", suppressed (FPD) %" PRIu64
		", overflowed %" PRIu64 "\n",
		s->faults_recorded, s->faults_suppressed, s->faults_overflowed);
	for (i = 0; i < 256; i++) {
		if (s->faults[i])
			fprintf(out, "  0x%02x %-40s %" PRIu64 "\n", i,
				vtd_fault_reason_name(i), s->faults[i]);
	}
	fprintf(out, "caches:   %10s %10s %8s %10s %10s\n", "lookups", "hits",
		"hit rate", "evictions", "invalid.");
	for (i = 0; i < VTD_CACHE_COUNT; i++) {
		const struct vtd_cache_stats *c = &s->cache[i];

		fprintf(out,
			"  %-7s %10" PRIu64 " %10" PRIu64 " %7.1f%% %10" PRIu64
			" %10" PRIu64 "\n",
			vtd_cache_name((enum vtd_cache_id)i), c->lookups,
			c->hits, 100.0 * rate(c->hits, c->lookups),
			c->evictions, c->invalidations);
	}
	fprintf(out, "invalidation descriptors:");
	for (i = 0; i < VTD_QI_TYPE_COUNT; i++) {
		if (s->inv_descriptors[i])
			fprintf(out, " %s %" PRIu64, report_qi_type_name(i),
				s->inv_descriptors[i]);
	}
	fprintf(out, "  (errors %" PRIu64 ")\n", s->inv_errors);
	fprintf(out,
		"ats: translation requests %" PRIu64 " (failed %" PRIu64
		"), translated requests %" PRIu64 " (blocked %" PRIu64 ")\n",
		s->ats_requests, s->ats_failures, s->translated_requests,
		s->translated_blocked);
	fprintf(out,
		"page requests: %" PRIu64 " (queued %" PRIu64
		", answered automatically %" PRIu64
		"), page group responses %" PRIu64 ", virtual commands %" PRIu64
		"\n",
		s->page_requests, s->page_requests_queued,
		s->page_requests_auto_responded, s->page_responses, s->vcmds);
}

void report_text(FILE *out, const struct report_input *in)
{
	const struct vtd_stats *s = in->stats;
	const struct replay_result *r = in->res;

	fprintf(out, "trace: %s\n", in->trace);
	fprintf(out,
		"records: %" PRIu64 "  requests: %" PRIu64
		"  translations: %" PRIu64 "  last time: %" PRIu64 " ns\n",
		r->records, r->requests, s->requests, r->last_time);
	report_unit_stats(out, s);
	fprintf(out,
		"memory: reads %" PRIu64 ", writes %" PRIu64
		", atomics %" PRIu64 ", pages in use %zu\n",
		s->mem_reads, s->mem_writes, s->mem_atomics, in->mem_pages);
	fprintf(out, "stale reports: %" PRIu64 " (unaccounted %" PRIu64 ")\n",
		r->stale_reports, r->stale_unaccounted);
	fprintf(out, "expectations: %" PRIu64 " passed, %" PRIu64 " failed",
		r->expect_pass, r->expect_fail);
	if (r->latency_pass)
		fprintf(out, " (latency: %" PRIu64 " passed)", r->latency_pass);
	fputc('\n', out);
	report_timing_text(out, in);
	if (r->partial)
		fprintf(out,
			"result: PARTIAL (interrupted after %" PRIu64
			" records: the numbers cover what ran)\n",
			r->records);
	else
		fprintf(out, "result: %s\n", r->exit_code ? "FAIL" : "PASS");
}

void report_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_u64(FILE *f, const char *key, uint64_t v, bool comma)
{
	fprintf(f, "\"%s\": %" PRIu64 "%s", key, v, comma ? ", " : "");
}

/* The unit's statistics as JSON members (no braces, no trailing comma). */
void report_json_unit(FILE *f, const struct vtd_stats *s)
{
	const char *sep = "";
	unsigned int i;

	fputs("\"translations_by_mode\": {", f);
	for (i = 0; i < VTD_MODE_COUNT; i++, sep = ", ") {
		fputs(sep, f);
		report_json_string(f, vtd_mode_name((enum vtd_mode)i));
		fprintf(f, ": %" PRIu64, s->translations[i]);
	}
	fputs("},\n  \"faults\": {", f);
	json_u64(f, "recorded", s->faults_recorded, true);
	json_u64(f, "suppressed", s->faults_suppressed, true);
	json_u64(f, "overflowed", s->faults_overflowed, true);
	fputs("\"by_reason\": [", f);
	for (sep = "", i = 0; i < 256; i++) {
		if (!s->faults[i])
			continue;
		fprintf(f, "%s{\"code\": %u, \"name\": ", sep, i);
		report_json_string(f, vtd_fault_reason_name(i));
		fprintf(f, ", \"count\": %" PRIu64 "}", s->faults[i]);
		sep = ", ";
	}
	fputs("]},\n  \"caches\": {", f);
	for (sep = "", i = 0; i < VTD_CACHE_COUNT; i++, sep = ", ") {
		const struct vtd_cache_stats *c = &s->cache[i];

		fprintf(f, "%s\n    ", sep);
		report_json_string(f, vtd_cache_name((enum vtd_cache_id)i));
		fputs(": {", f);
		json_u64(f, "lookups", c->lookups, true);
		json_u64(f, "hits", c->hits, true);
		json_u64(f, "misses", c->misses, true);
		fprintf(f, "\"hit_rate\": %.6f, ", rate(c->hits, c->lookups));
		json_u64(f, "fills", c->fills, true);
		json_u64(f, "evictions", c->evictions, true);
		json_u64(f, "invalidations", c->invalidations, false);
		fputc('}', f);
	}
	fputs("},\n  \"invalidation_descriptors\": {", f);
	for (sep = "", i = 0; i < VTD_QI_TYPE_COUNT; i++) {
		if (!s->inv_descriptors[i])
			continue;
		fputs(sep, f);
		report_json_string(f, report_qi_type_name(i));
		fprintf(f, ": %" PRIu64, s->inv_descriptors[i]);
		sep = ", ";
	}
	fputs("},\n  ", f);
	json_u64(f, "invalidation_errors", s->inv_errors, true);
	fputs("\n  \"ats\": {", f);
	json_u64(f, "translation_requests", s->ats_requests, true);
	json_u64(f, "translation_failures", s->ats_failures, true);
	json_u64(f, "translated_requests", s->translated_requests, true);
	json_u64(f, "translated_blocked", s->translated_blocked, false);
	fputs("},\n  \"page_requests\": {", f);
	json_u64(f, "total", s->page_requests, true);
	json_u64(f, "queued", s->page_requests_queued, true);
	json_u64(f, "auto_responded", s->page_requests_auto_responded, true);
	json_u64(f, "responses", s->page_responses, false);
	fputs("},\n  ", f);
	json_u64(f, "virtual_commands", s->vcmds, false);
}

static void json_body(FILE *f, const struct report_input *in)
{
	const struct vtd_stats *s = in->stats;
	const struct replay_result *r = in->res;

	fprintf(f,
		"{\n  \"report_version\": %d,\n  \"trace\": ", REPORT_VERSION);
	report_json_string(f, in->trace);
	fprintf(f, ",\n  \"exit_code\": %d,\n  \"partial\": %s,\n  ",
		r->exit_code, r->partial ? "true" : "false");
	json_u64(f, "records", r->records, true);
	json_u64(f, "requests", r->requests, true);
	json_u64(f, "translations", s->requests, true);
	json_u64(f, "last_time_ns", r->last_time, false);
	fputs(",\n  ", f);
	report_json_unit(f, s);
	fputs(",\n  \"memory\": {", f);
	json_u64(f, "reads", s->mem_reads, true);
	json_u64(f, "writes", s->mem_writes, true);
	json_u64(f, "atomics", s->mem_atomics, true);
	json_u64(f, "pages", in->mem_pages, false);
	fputs("},\n  \"stale_reports\": {", f);
	json_u64(f, "total", r->stale_reports, true);
	json_u64(f, "unaccounted", r->stale_unaccounted, false);
	fputs("},\n  \"expectations\": {", f);
	json_u64(f, "passed", r->expect_pass, true);
	json_u64(f, "failed", r->expect_fail, true);
	json_u64(f, "latency_passed", r->latency_pass, false);
	fputs("},\n  ", f);
	report_timing_json(f, in);
	fputs(",\n  ", f);
	json_u64(f, "failures", r->failures, false);
	fputs("\n}\n", f);
}

int report_write_atomic(const char *path, void (*body)(FILE *, const void *),
			const void *arg, char *err, size_t errlen)
{
	struct out_file o;

	if (out_file_open(&o, path)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	body(o.f, arg);
	if (out_file_close(&o, true)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void json_body_cb(FILE *f, const void *arg)
{
	json_body(f, arg);
}

int report_json(const char *path, const struct report_input *in, char *err,
		size_t errlen)
{
	return report_write_atomic(path, json_body_cb, in, err, errlen);
}
