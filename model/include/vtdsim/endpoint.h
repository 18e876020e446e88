/* SPDX-License-Identifier: MIT */
/*
 * Simulated PCIe endpoints behind a VT-d unit: SVA-capable devices with the
 * PASID, ATS and PRI capabilities and an optional device-TLB. An endpoint
 * belongs to one model instance (struct vtd) and is reached by its source ID.
 */
#ifndef VTDSIM_ENDPOINT_H
#define VTDSIM_ENDPOINT_H

#include "vtdsim.h"
#include "pcie_caps.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vtd_endpoint; /* opaque */

struct vtd_endpoint_config {
	uint16_t sid;		  /* bus << 8 | dev << 3 | fn */
	uint16_t vendor_id, device_id;
	/* PASID capability */
	bool pasid_cap;
	unsigned int pasid_width; /* 1..20 supported PASID bits */
	bool exec_cap, priv_cap;
	/* ATS capability */
	bool ats_cap;
	unsigned int inv_queue_depth; /* 1..32 */
	/* PRI capability */
	bool pri_cap;
	uint32_t prq_capacity;	  /* outstanding page request capacity */
	/* device-TLB, tagged by PASID; sets = 0: none */
	struct vtd_cache_geometry devtlb;
	/* invalidation requests complete this long after they arrive */
	uint64_t inv_latency_ns;
	/* never complete invalidation requests (to provoke ITE) */
	bool inv_silent;
	/* requests in flight at once (timing); 0: timing.outstanding */
	unsigned int outstanding;
};

/* What happened to one device access. */
enum vtd_dev_status {
	VTD_DEV_OK,	   /* completed at .addr */
	VTD_DEV_PENDING,   /* waiting for a page group response */
	VTD_DEV_FAULT,	   /* untranslated request blocked: .fault */
	VTD_DEV_ATS_FAIL,  /* translation completion UR/CA, or no permission
			    * and no PRI */
	VTD_DEV_PRQ_FAIL,  /* page group response not Success: .resp_code */
	VTD_DEV_TRANSLATED_BLOCKED, /* translated request blocked: .fault */
	VTD_DEV_NOT_ENABLED, /* a request with PASID (or execute/privileged)
			      * while that capability is not enabled, or a
			      * PASID wider than the capability's width */
};

const char *vtd_dev_status_name(enum vtd_dev_status s);

struct vtd_dev_request {
	bool has_pasid;
	uint32_t pasid;
	bool priv, exec;
	enum vtd_access access;
	uint64_t addr;
	uint64_t tag; /* returned with the result */
	uint32_t len; /* bytes accessed, for timing; 0 means 64 */
	uint64_t ready_ps; /* when the device issues it; earlier means now */
	uint64_t cookie; /* returned in its vtd_timing (ops->timed) */
};

struct vtd_dev_result {
	enum vtd_dev_status status;
	uint64_t tag;
	uint64_t addr;		/* physical address on VTD_DEV_OK */
	uint8_t fault;		/* fault reason, when the IOMMU gave one */
	uint8_t resp_code;	/* page group response code */
	bool devtlb_hit;	/* final access hit the device-TLB */
	bool used_ats;		/* went through ATS (translation + translated) */
	unsigned int page_requests; /* page requests this access issued */
};

struct vtd_endpoint_ops {
	/* A pending access (VTD_DEV_PENDING) completed. */
	void (*done)(void *opaque, struct vtd_endpoint *ep,
		     const struct vtd_dev_result *res);
	/* A page group response the function could not accept: why. */
	void (*bad_response)(void *opaque, struct vtd_endpoint *ep,
			     const char *why);
};

struct vtd_endpoint_stats {
	uint64_t accesses;
	uint64_t untranslated_requests, translation_requests,
		translated_requests;
	uint64_t page_requests, page_responses[16]; /* by response code */
	/* responses that match no outstanding group (wrong index or PASID)
	 * or use a reserved code */
	uint64_t bad_page_responses;
	uint64_t inv_requests, inv_completions;
	struct vtd_cache_stats devtlb;
};

void vtd_endpoint_config_init(struct vtd_endpoint_config *cfg, uint16_t sid);

/* Create an endpoint behind unit v (one per source ID). NULL and a message
 * in err for a bad configuration or a duplicate source ID. */
struct vtd_endpoint *vtd_endpoint_create(struct vtd *v,
					 const struct vtd_endpoint_config *cfg,
					 const struct vtd_endpoint_ops *ops,
					 void *opaque, char *err,
					 size_t errlen);
void vtd_endpoint_destroy(struct vtd_endpoint *ep);
struct vtd_endpoint *vtd_endpoint_find(struct vtd *v, uint16_t sid);
uint16_t vtd_endpoint_sid(const struct vtd_endpoint *ep);

/* A page request message the device sends that none of its accesses waits
 * for (a trace's raw page request): the unit gets it as from the device,
 * and the device accepts its group's response. */
struct vtd_page_request;
void vtd_endpoint_send_page_request(struct vtd_endpoint *ep,
				    const struct vtd_page_request *pr);

/* PCI configuration space, 1-, 2- or 4-byte accesses. Enables (ATS, PRI,
 * PASID), STU and the page request allocation are set here, as a driver
 * does. */
uint32_t vtd_endpoint_cfg_read(struct vtd_endpoint *ep, uint16_t off,
			       unsigned int size);
void vtd_endpoint_cfg_write(struct vtd_endpoint *ep, uint16_t off,
			    unsigned int size, uint32_t val);

/*
 * One access by the device. With ATS enabled: device-TLB lookup, on a miss
 * a translation request, then a translated request; a translation without
 * the needed permission issues a page request when PRI is enabled and the
 * access waits (VTD_DEV_PENDING, result later through ops->done) for the
 * page group response, then retries. Without ATS: an untranslated request.
 * Returns false when the access is pending.
 */
bool vtd_endpoint_access(struct vtd_endpoint *ep,
			 const struct vtd_dev_request *req,
			 struct vtd_dev_result *res);

/* Device-TLB contents, for tests and traces: true and the cached address
 * when (pasid, addr) hits. Counts nothing. */
bool vtd_endpoint_devtlb_probe(struct vtd_endpoint *ep, bool has_pasid,
			       uint32_t pasid, uint64_t addr, uint64_t *pa);

const struct vtd_endpoint_stats *
vtd_endpoint_get_stats(const struct vtd_endpoint *ep);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_ENDPOINT_H */
