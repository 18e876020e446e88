/* SPDX-License-Identifier: MIT */
/*
 * vtdsim: the timing model's configuration and results (docs/timing.md).
 *
 * The timing model charges the steps the functional model reports (each
 * cache lookup, each memory access of a walk, each descriptor) to finite
 * resources: the link in each direction, translation slots, page walkers,
 * the memory interface and the invalidation queue engine. It never changes
 * a functional result. Times are in picoseconds (ps) unless a name says
 * otherwise; the unit's clock (vtd_now) stays in ns.
 */
#ifndef VTDSIM_TIMING_H
#define VTDSIM_TIMING_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every parameter is a configuration key "timing.<name>" (iommu.c, listed
 * by `vtdsim config`); defaults and their sources: docs/timing.md. */
struct vtd_timing_config {
	bool enabled;	    /* timing: 0 makes every latency 0 */
	uint32_t clock_mhz; /* unit clock for the cycle counts below */
	/* the PCIe link, each direction */
	uint32_t link_latency_ns; /* one crossing, PHY to PHY */
	uint32_t link_mbps;	  /* bandwidth, MB/s (10^6 bytes) */
	uint32_t tlp_overhead;	  /* bytes per TLP: header, framing, CRC */
	uint32_t mps;		  /* max payload size of a write TLP */
	uint32_t mrrs;		  /* max read request size */
	uint32_t rcb;		  /* read completions split at this size */
	/* the unit */
	uint32_t slots;		   /* requests the unit translates at once */
	uint32_t walkers;	   /* page walks in flight at once */
	uint32_t lookup_cycles[5]; /* per cache, enum vtd_cache_id order */
	/* the memory interface (table reads, A/D updates, descriptors) */
	uint32_t mem_latency_ns; /* a read that misses the LLC */
	uint32_t llc_latency_ns; /* a read that hits the LLC */
	uint32_t llc_hit_pct;	 /* table reads that hit the LLC, 0..100 */
	uint32_t mem_mbps;	 /* bandwidth of the interface, MB/s */
	/* the DMA data access after translation */
	uint32_t dma_latency_ns; /* root complex to memory and back */
	/* queued invalidation */
	uint32_t qi_desc_cycles; /* decode of any descriptor */
	uint32_t qi_inv_cycles;	 /* a cache invalidation (cc, iotlb, pc...) */
	uint32_t qi_wait_cycles; /* an invalidation wait */
	/* the queue runs over model time: each descriptor takes effect after
	 * its cost (fetch, decode, its work), one at a time; 0: all at the IQT
	 * write */
	bool qi_async;
	uint32_t irq_ns;	 /* interrupt message to the CPU */
	/* endpoints */
	uint32_t devtlb_ns;   /* device-TLB lookup in the endpoint */
	uint32_t retry_ns;    /* page group response to retry */
	uint32_t outstanding; /* requests a device has in flight */
	bool in_order;	      /* completions in order per device */
};

/* Where a request's time went. The parts of one request add up to its
 * latency exactly. */
enum vtd_lat_part {
	VTD_LAT_DEVICE,	    /* waiting for one of the device's credits */
	VTD_LAT_LINK,	    /* link crossings: queueing, serialization,
			     * latency, both directions */
	VTD_LAT_SLOT,	    /* waiting for a translation slot */
	VTD_LAT_CONTEXT,    /* lookups: context cache */
	VTD_LAT_PASID,	    /*          PASID cache */
	VTD_LAT_IOTLB,	    /*          IOTLB */
	VTD_LAT_FL_PSC,	    /*          first-level PSC */
	VTD_LAT_SL_PSC,	    /*          second-level PSC */
	VTD_LAT_WALKER,	    /* waiting for a page walker */
	VTD_LAT_MERGED,	    /* waiting for another request's walk */
	VTD_LAT_WALK_CTX,   /* memory reads: root and context entries */
	VTD_LAT_WALK_PASID, /*               PASID directory/table entries */
	VTD_LAT_WALK_FL,    /*               first-level paging entries */
	VTD_LAT_WALK_SL,    /*               second-level paging entries */
	VTD_LAT_AD,	    /* A/D flag updates */
	VTD_LAT_DATA,	    /* the DMA data access in memory */
	VTD_LAT_DEVTLB,	    /* device-TLB lookups in the endpoint */
	VTD_LAT_PRQ,	    /* page request until the device retries */
	VTD_LAT_ORDER,	    /* in-order completion behind earlier requests */
	VTD_LAT_COUNT
};

const char *vtd_lat_part_name(enum vtd_lat_part p);

/* One timed request as its device sees it, reported to the host (host op
 * `timed`) when the timing model completes it: after the functional
 * result, once simulated time has passed its completion. */
struct vtd_timing {
	uint64_t cookie; /* the host's, from the request */
	uint16_t sid;
	bool has_pasid, write;
	bool ok;	/* translated and accessed (else blocked) */
	uint8_t status; /* endpoint accesses: enum vtd_dev_status */
	uint32_t pasid;
	uint64_t addr;
	uint64_t bytes;
	uint64_t ready_ps; /* the device wants to issue it (trace time) */
	uint64_t done_ps;  /* its completion reaches the device */
	uint64_t part_ps[VTD_LAT_COUNT]; /* add up to done - ready */
	uint64_t ats_ps; /* of the latency: ATS translation round trips */
	bool merged;	 /* waited for a walk in flight */
	bool endpoint;	 /* an endpoint access (status is meaningful) */
};

/* When the request was issued (it had a device credit), and its latency:
 * issue to completion at the device. */
static inline uint64_t vtd_timing_issued_ps(const struct vtd_timing *t)
{
	return t->ready_ps + t->part_ps[VTD_LAT_DEVICE];
}

static inline uint64_t vtd_timing_latency_ps(const struct vtd_timing *t)
{
	return t->done_ps - vtd_timing_issued_ps(t);
}

/* Shared resources, for utilisation. */
enum vtd_resource {
	VTD_RES_LINK_UP,
	VTD_RES_LINK_DOWN,
	VTD_RES_SLOTS,
	VTD_RES_WALKERS,
	VTD_RES_MEMORY,
	VTD_RES_QI,
	VTD_RES_COUNT
};

const char *vtd_resource_name(enum vtd_resource r);

struct vtd_timing_stats {
	uint64_t requests;		 /* timed requests completed */
	uint64_t first_ready_ps;	 /* of the first timed request */
	uint64_t last_done_ps;		 /* the latest completion */
	uint64_t busy_ps[VTD_RES_COUNT]; /* summed over a pool's members */
	uint64_t waits[VTD_RES_COUNT];	 /* requests that queued for it */
	uint64_t wait_ps[VTD_RES_COUNT];
	uint64_t walks, merged; /* walks started; misses merged */
	uint64_t device_waits;	/* requests held for a device credit */
	uint64_t inv_waits;	/* invalidation waits completed */
	uint64_t inv_wait_ps, inv_wait_max_ps; /* submit to status write */
	uint64_t page_requests;	 /* page requests written to the PRQ */
	uint64_t prq_deliver_ps; /* arrival to the interrupt, summed */
};

/* A timed happening that is not a request, for the host (optional host
 * op `timing`). */
enum vtd_timing_event_kind {
	VTD_TEV_INV_WAIT,     /* an invalidation wait's status write/IWC */
	VTD_TEV_PAGE_REQUEST, /* a page request written and signalled */
};

struct vtd_timing_event {
	enum vtd_timing_event_kind kind;
	uint64_t start_ps; /* the unit starts its batch (the IQT write that
			    * submitted it, or the batch ahead done); PR
			    * arrival */
	uint64_t done_ps;  /* status write; page request interrupt */
	unsigned int descriptors; /* INV_WAIT: descriptors since the last */
};

/* A resource served someone from start to end (optional host op `busy`,
 * for timelines): a link or memory transfer, a slot or walker held, the
 * invalidation queue engine working; or, with wait, someone queued for it
 * from start to end. */
struct vtd_resource_use {
	enum vtd_resource res;
	uint64_t start_ps, end_ps;
	bool wait;	 /* queued for the resource, not using it */
	bool device;	 /* for a device's request (else the unit's own) */
	uint64_t cookie; /* that request's */
};

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_TIMING_H */
