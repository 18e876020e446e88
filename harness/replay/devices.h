/* SPDX-License-Identifier: MIT */
/*
 * The device side of a replay: endpoints declared by `device` records,
 * their accesses (`dev.dma`, `dev.done`), raw ATS translation requests
 * (`ats`), device-TLB probes (`devtlb`), raw page requests (`prq.req`) and
 * checks of the page request queue (`prq.expect`, `prq.next`).
 */
#ifndef VTDSIM_DEVICES_H
#define VTDSIM_DEVICES_H

#include <vtdsim/endpoint.h>
#include <vtdsim/vtdsim.h>

#include "trace_reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the device side reports to the replayer. */
struct devices_sink {
	void (*pass)(void *o);			    /* an expectation held */
	void (*fail)(void *o, const char *msg);	    /* one did not */
	int (*malformed)(void *o, const char *msg); /* returns -1 */
	int (*read)(void *o, uint64_t pa, void *buf, size_t len); /* memory */
	/* a register, as software reads it */
	uint64_t (*reg_read)(void *o, uint32_t off, unsigned int size);
	/* the cookie of an access, for its timing (latency= of rec) */
	uint64_t (*cookie)(void *o, const struct trace_record *rec);
};

struct devices;

struct devices *devices_create(struct vtd *v, const struct devices_sink *s,
			       void *o);
void devices_destroy(struct devices *d);
/* Carry out one device record. 0, or -1 after sink->malformed. */
int devices_record(struct devices *d, const struct trace_record *rec);
/* Accesses still waiting for a page group response. */
size_t devices_pending(const struct devices *d);
/* True for the records devices_record() handles. */
bool devices_handles(enum trace_op op);
/* What a driver does to an endpoint's configuration space: memory and bus
 * master, PASID (with execute/privileged as capable), ATS, PRI with c's
 * page request allocation. */
void devices_enable(struct vtd_endpoint *ep,
		    const struct vtd_endpoint_config *c);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_DEVICES_H */
