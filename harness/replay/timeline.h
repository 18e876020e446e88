/* SPDX-License-Identifier: MIT */
/*
 * `vtdsim replay --timeline FILE [--window T0:T1]` (docs/timeline.md): the
 * timed run as Chrome trace-event JSON, which the Perfetto UI and
 * chrome://tracing open. What happens in the window is kept (up to a bound
 * of events), then sorted and written at the end: a track per device
 * (requests as slices, their latency components inside), per resource
 * (links, memory, slots, walkers, the invalidation queue), invalidation
 * waits and page requests as slices, and counters of what is in use.
 */
#ifndef VTDSIM_TIMELINE_H
#define VTDSIM_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vtdsim/vtdsim.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TIMELINE_MAX_EVENTS 2000000u

struct timeline;

/* Events overlapping [t0_ps, t1_ps] are kept, at most max_events. */
struct timeline *timeline_create(uint64_t t0_ps, uint64_t t1_ps,
				 size_t max_events);
void timeline_destroy(struct timeline *tl);

void timeline_request(struct timeline *tl, const struct vtd_timing *t);
void timeline_event(struct timeline *tl, const struct vtd_timing_event *e);
void timeline_busy(struct timeline *tl, const struct vtd_resource_use *u);

/* Events dropped past max_events (0: none), and the first one's start. */
size_t timeline_dropped(const struct timeline *tl, uint64_t *first_ps);

struct timeline_meta {
	const char *trace;
	const struct vtd_config *cfg;
	bool partial; /* the replay was interrupted */
};

/* Write the JSON through a temporary file renamed over path: 0, or -1
 * with a message in err. */
int timeline_write(struct timeline *tl, const char *path,
		   const struct timeline_meta *meta, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_TIMELINE_H */
