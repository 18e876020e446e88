/* SPDX-License-Identifier: MIT */
/* Replay report: text on a stream, JSON into a file (atomically). */
#ifndef VTDSIM_REPORT_H
#define VTDSIM_REPORT_H

#include <stdio.h>

#include "latency.h"
#include "replay.h"

#ifdef __cplusplus
extern "C" {
#endif

struct report_input {
	const char *trace;
	const struct replay_result *res;
	const struct vtd_stats *stats;
	size_t mem_pages;
	/* timing (report_timing.c); lat NULL with timing off */
	const struct vtd_config *cfg;
	const struct vtd_timing_stats *tstats;
	const struct lat_stats *lat;
	bool warmup, warm; /* --warmup given; it ended */
};

/* The JSON report's schema version (docs/report.md). */
#define REPORT_VERSION 2

/* Timing statistics since base (the end of the warm-up): counters
 * subtracted, extremes kept. */
void report_timing_stats_since(struct vtd_timing_stats *ts,
			       const struct vtd_timing_stats *base);
/* Latency, breakdown, throughput, utilisation, invalidation, ATS and
 * page request latencies: text, and JSON members (no braces, no trailing
 * comma). */
void report_timing_text(FILE *out, const struct report_input *in);
void report_timing_json(FILE *f, const struct report_input *in);

const char *report_qi_type_name(unsigned int type);
void report_text(FILE *out, const struct report_input *in);
/* The unit's statistics: translations, faults, caches, invalidation
 * descriptors, ATS and page requests (a part of report_text). */
void report_unit_stats(FILE *out, const struct vtd_stats *s);
/* JSON pieces for other reports: a string literal, and the unit's
 * statistics as members of an object (no braces, no trailing comma). */
void report_json_string(FILE *f, const char *s);
void report_json_unit(FILE *f, const struct vtd_stats *s);
/* Write body(f, arg) to a temporary file renamed over path: a reader
 * never sees half a file. 0 or -1 (message in err). */
int report_write_atomic(const char *path, void (*body)(FILE *, const void *),
			const void *arg, char *err, size_t errlen);
/* Write through a temporary file renamed over path. 0 or -1 (message
 * in err). */
int report_json(const char *path, const struct report_input *in, char *err,
		size_t errlen);

/* The replay's metrics, one "NAME VALUE" line each in a fixed order
 * (docs/sweep.md), through a temporary file: what a sweep tabulates. */
int report_metrics(const char *path, const struct report_input *in, char *err,
		   size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_REPORT_H */
