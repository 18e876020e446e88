/* SPDX-License-Identifier: MIT */
/*
 * Latency statistics of a replay: a log-linear histogram (HDR style: 128
 * sub-buckets per power of two, so a percentile is within 0.8% of the
 * true value; exact below 128 ps), count, sum, minimum and maximum.
 * Constant memory per histogram; groups (per device, per device and PASID)
 * are created as they appear, up to LAT_MAX_GROUPS.
 */
#ifndef VTDSIM_LATENCY_H
#define VTDSIM_LATENCY_H

#include <stdbool.h>
#include <stdint.h>

#include <vtdsim/vtdsim.h>

#include "trace_reader.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LAT_SUB_BITS   7
#define LAT_SUB	       (1u << LAT_SUB_BITS)
#define LAT_BUCKETS    (LAT_SUB + (64 - LAT_SUB_BITS) * LAT_SUB)
#define LAT_MAX_GROUPS 4096

struct lat_hist {
	uint64_t count, sum, min, max; /* ps */
	uint64_t bucket[LAT_BUCKETS];
};

void lat_hist_add(struct lat_hist *h, uint64_t ps);
/* The value at quantile q (0..1), in ps: the midpoint of its bucket,
 * clamped to [min, max]; 0 when empty. */
uint64_t lat_hist_quantile(const struct lat_hist *h, double q);
double lat_hist_mean(const struct lat_hist *h);

/* A group of requests: one device, or one device and PASID. */
struct lat_group {
	uint16_t sid;
	bool has_pasid;
	uint32_t pasid;
	struct lat_hist h;
};

/* Requests of one device (and PASID) with one latency in a row: added to
 * the histograms together (lat_stats_sort adds the last run). */
struct lat_run {
	uint64_t ps, n;
	uint16_t sid;
	bool has_pasid;
	uint32_t pasid;
};

struct lat_stats {
	struct lat_hist all;
	uint64_t counted; /* requests added */
	uint64_t part_sum[VTD_LAT_COUNT]; /* ps, over the counted requests */
	uint64_t bytes;			  /* of the counted requests */
	uint64_t first_issue, last_done;  /* ps, of the counted requests */
	uint64_t merged;
	struct lat_hist ats;	   /* ATS translation round trips */
	struct lat_hist prq;	   /* page request to retry */
	struct lat_hist inv_wait;  /* invalidation submit to status write */
	struct lat_hist prq_deliver; /* page request to its interrupt */
	struct lat_group **groups; /* devices first seen first; sorted on
				    * output */
	uint32_t ngroups, cap;
	uint32_t index[2 * LAT_MAX_GROUPS]; /* open addressing: group + 1 */
	struct lat_group *last;		    /* the group last found, */
	uint64_t last_key;		    /* and its key */
	uint64_t ungrouped;	   /* requests beyond LAT_MAX_GROUPS groups */
	struct lat_run run;
};

struct lat_stats *lat_stats_create(void);
void lat_stats_destroy(struct lat_stats *s);
/* Count one completed request of bytes by (sid, pasid). Its latency is
 * from its issue (the device had a credit) to its completion: the time it
 * waited for a credit is VTD_LAT_DEVICE, kept apart. */
void lat_stats_add(struct lat_stats *s, uint16_t sid, bool has_pasid,
		   uint32_t pasid, uint64_t bytes, const struct vtd_timing *t);
void lat_stats_event(struct lat_stats *s, const struct vtd_timing_event *e);
/* A record's latency= tolerance= against a request's timing: 1 holds,
 * 0 does not (message in msg), -1 the record has none. */
int lat_check(const struct trace_record *rec, const struct vtd_timing *t,
	      char *msg, size_t len);

/* Before reports: the last run of equal latencies added, groups sorted by
 * (sid, has_pasid, pasid). */
void lat_stats_sort(struct lat_stats *s);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_LATENCY_H */
