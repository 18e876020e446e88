/* SPDX-License-Identifier: MIT */
/*
 * vtdsim: public API of the VT-d remapping hardware model.
 *
 * A model instance is one DMA-remapping hardware unit (one DRHD). It holds no
 * global state: any number of instances can live in one process. Physical
 * memory, interrupts and observers are callbacks given at creation.
 */
#ifndef VTDSIM_VTDSIM_H
#define VTDSIM_VTDSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtd_regs.h"
#include "vtd_entries.h"
#include "vtd_qi.h"
#include "vtd_fault.h"
#include "vtd_prq.h"
#include "timing.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vtd; /* opaque model instance */

/* ---- configuration ---------------------------------------------------- */

enum vtd_replacement {
	VTD_REPL_LRU,
	VTD_REPL_FIFO,
	VTD_REPL_RANDOM, /* deterministic: seeded from vtd_config.seed */
};

struct vtd_cache_geometry {
	uint32_t sets; /* power of two, >= 1; 0 disables the cache */
	uint32_t ways; /* >= 1 */
	enum vtd_replacement repl;
};

enum vtd_cache_id {
	VTD_CACHE_CONTEXT, /* context cache */
	VTD_CACHE_PASID,   /* PASID cache (PASID-table entries) */
	VTD_CACHE_IOTLB,   /* IOTLB */
	VTD_CACHE_FL_PSC,  /* first-level paging-structure cache */
	VTD_CACHE_SL_PSC,  /* second-level paging-structure cache */
	VTD_CACHE_COUNT,
	/* Not a cache of the unit: an endpoint's device-TLB, named only in
	 * checker reports. */
	VTD_CACHE_DEVTLB = VTD_CACHE_COUNT
};

enum vtd_inv_mode {
	VTD_INV_STRICT,	  /* what each descriptor must invalidate, no more */
	VTD_INV_GENEROUS, /* everything of the domain(s) it names */
};

struct vtd_config {
	/*
	 * CAP and ECAP as software reads them. The layout fields (CAP.NFR,
	 * CAP.FRO, ECAP.IRO) are filled in by the model from num_fault_regs
	 * and its register map; whatever is passed there is ignored.
	 */
	uint64_t cap;
	uint64_t ecap;
	uint32_t version;	 /* VER: major in 7:4, minor in 3:0 */
	unsigned int haw;	 /* host address width: output PA bits */
	unsigned int num_fault_regs; /* 1..256 fault recording registers */
	struct vtd_cache_geometry cache[VTD_CACHE_COUNT];
	uint64_t seed;		 /* for random replacement */
	bool check_stale;	 /* shadow-walk every cache hit (checker) */
	/* The fast lane (docs/performance.md): single-page DMA that hit the
	 * caches before is answered from a memo, and one that runs alone in
	 * the timing model runs to completion at once. Same results. */
	bool fast;
	/* A device-TLB invalidation not completed by its endpoint within
	 * this many ns is an invalidation time-out error (ITE). */
	uint64_t devtlb_inv_timeout_ns;
	/* How much an invalidation descriptor removes (docs/conformance.md
	 * "Invalidation scope"): exactly what the specification requires
	 * (strict, the default), or as much as hardware may (generous). */
	enum vtd_inv_mode inv_mode;
	/* VCCAP: the virtual command interface (needs ECAP.VCS) */
	uint64_t vccap;
	/* the timing model (vtdsim/timing.h, docs/timing.md) */
	struct vtd_timing_config timing;
};

/* Fill *cfg with the defaults documented in docs/configuration.md. */
void vtd_config_init(struct vtd_config *cfg);

/*
 * Set one configuration key from text ("iotlb.sets", "cap.psi", "haw", ...;
 * the list is in docs/configuration.md). Returns 0, or -1 with a message in
 * err (size errlen) for an unknown key or a bad value.
 */
int vtd_config_set(struct vtd_config *cfg, const char *key, const char *value,
		   char *err, size_t errlen);

/*
 * Enumerate configuration keys: for i < vtd_config_key_count(), *key and
 * *help name key i and value gets its current value in cfg as text.
 */
size_t vtd_config_key_count(void);
void vtd_config_key(const struct vtd_config *cfg, size_t i, const char **key,
		    const char **help, char *value, size_t len);

/* Check a whole configuration; 0 or -1 with a message in err. */
int vtd_config_validate(const struct vtd_config *cfg, char *err,
			size_t errlen);

/* ---- host interface ----------------------------------------------------- */

enum vtd_irq_source {
	VTD_IRQ_FAULT,	      /* fault event (FEDATA/FEADDR) */
	VTD_IRQ_INV_COMPLETE, /* invalidation completion event (IEDATA/IEADDR) */
	VTD_IRQ_PAGE_REQUEST, /* page request event (PEDATA/PEADDR) */
};

/* What a step of a request touched, for timing models and traces. */
enum vtd_step_kind {
	VTD_STEP_CACHE_LOOKUP, /* .cache, .hit, .level */
	VTD_STEP_CACHE_FILL,   /* .cache, .level */
	VTD_STEP_MEM_READ,     /* .structure, .addr, .size, .level */
	VTD_STEP_MEM_WRITE,    /* .structure, .addr, .size (A/D, status) */
	VTD_STEP_MEM_ATOMIC,   /* .structure, .addr (A/D compare-exchange) */
};

enum vtd_structure {
	VTD_ST_NONE,
	VTD_ST_ROOT_ENTRY,
	VTD_ST_CONTEXT_ENTRY,
	VTD_ST_PASID_DIR_ENTRY,
	VTD_ST_PASID_TABLE_ENTRY,
	VTD_ST_FL_ENTRY,   /* first-level paging entry, .level 5..1 */
	VTD_ST_SL_ENTRY,   /* second-level paging entry, .level 5..1 */
	VTD_ST_INV_DESC,   /* invalidation queue descriptor */
	VTD_ST_INV_STATUS, /* invalidation wait status write */
	VTD_ST_PRQ_DESC,   /* page request descriptor write */
	VTD_ST_COUNT
};

struct vtd_step {
	enum vtd_step_kind kind;
	enum vtd_cache_id cache;     /* for cache steps */
	enum vtd_structure structure; /* for memory steps */
	bool hit;		     /* for lookups */
	bool nested;		     /* a second-level step of a nested walk */
	uint8_t level;		     /* paging level, 0 if none */
	uint8_t size;		     /* bytes, for memory steps */
	uint64_t addr;		     /* physical address, for memory steps */
};

struct vtd_stale_report; /* below */

/*
 * A message the unit sends to a PCIe function that has no endpoint model
 * behind it (vtd_endpoint_create): a device-TLB invalidation request,
 * answered by vtd_devtlb_inv_done(token) when the function completes it
 * (never: the unit's time-out), or a page group response.
 */
enum vtd_ep_message_type {
	VTD_EP_MSG_DEVTLB_INV,
	VTD_EP_MSG_PAGE_RESPONSE,
};

struct vtd_ep_message {
	enum vtd_ep_message_type type;
	uint16_t sid; /* the function it goes to */
	bool has_pasid;
	uint32_t pasid;
	/* VTD_EP_MSG_DEVTLB_INV */
	bool global;   /* all PASIDs */
	uint64_t addr; /* aligned to size */
	uint64_t size; /* bytes, power of two >= 4 KiB; 0: everything */
	uint64_t token;
	/* VTD_EP_MSG_PAGE_RESPONSE */
	uint16_t prgi;
	uint8_t code; /* response code */
};

struct vtd_host_ops {
	/*
	 * Physical memory. read/write return 0 on success, non-zero when the
	 * address is not backed: the model turns that into the access fault
	 * of the structure it was reading (for example 38h for a root entry).
	 */
	int (*read)(void *opaque, uint64_t pa, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t pa, const void *buf, size_t len);
	/*
	 * Optional atomic compare-exchange of a 64-bit word for A/D updates:
	 * if *pa == expected, store desired. Always return the value found in
	 * *found. Returns non-zero if the address is not backed. When NULL,
	 * the model does a read followed by a write.
	 */
	int (*cmpxchg64)(void *opaque, uint64_t pa, uint64_t expected,
			 uint64_t desired, uint64_t *found);
	/* An interrupt message: a DWORD write of data to addr. Optional. */
	void (*interrupt)(void *opaque, enum vtd_irq_source src, uint64_t addr,
			  uint32_t data);
	/* Observer of every step of every request. Optional; costs nothing
	 * when NULL. */
	void (*step)(void *opaque, const struct vtd_step *step);
	/* The checker found a stale cached translation. Optional. */
	void (*stale)(void *opaque, const struct vtd_stale_report *report);
	/* A timed happening that is not a request: an invalidation wait
	 * done, a page request signalled. Optional. */
	void (*timing)(void *opaque, const struct vtd_timing_event *ev);
	/* A timed request (vtd_dma, endpoint access) completed in the
	 * timing model. Optional. */
	void (*timed)(void *opaque, const struct vtd_timing *t);
	/* A resource's use by a request or the unit (timelines). Optional;
	 * costs one test per use when NULL. */
	void (*busy)(void *opaque, const struct vtd_resource_use *u);
	/* A message to a function without an endpoint model. Optional:
	 * without it such messages go nowhere. */
	void (*ep_message)(void *opaque, const struct vtd_ep_message *m);
};

/* ---- instances ---------------------------------------------------------- */

/* Create an instance; NULL (and a message in err) on a bad config. */
struct vtd *vtd_create(const struct vtd_config *cfg,
		       const struct vtd_host_ops *ops, void *opaque, char *err,
		       size_t errlen);
void vtd_destroy(struct vtd *v);
/* Back to the power-on state: registers at reset values, caches empty. */
void vtd_reset(struct vtd *v);
const struct vtd_config *vtd_get_config(const struct vtd *v);

/* ---- registers ---------------------------------------------------------- */

/* size is 4 or 8; off must be aligned to size. Unimplemented offsets read
 * as 0 and ignore writes, as reserved registers do. */
uint64_t vtd_reg_read(struct vtd *v, uint32_t off, unsigned int size);
void vtd_reg_write(struct vtd *v, uint32_t off, unsigned int size,
		   uint64_t val);

/* ---- requests ----------------------------------------------------------- */

enum vtd_access {
	VTD_ACCESS_READ,
	VTD_ACCESS_WRITE,
	VTD_ACCESS_ATOMIC, /* needs read and write permission */
};

struct vtd_request {
	uint16_t sid;	   /* source ID: bus << 8 | dev << 3 | fn */
	bool has_pasid;	   /* request-with-PASID */
	uint32_t pasid;	   /* 20 bits */
	bool priv;	   /* privileged-mode-requested (with PASID) */
	bool exec;	   /* execute-requested (with PASID) */
	enum vtd_access access;
	uint64_t addr;	   /* input address (IOVA / GVA / GPA) */
};

/* How the request was translated: the mode of the entry that governed it. */
enum vtd_mode {
	VTD_MODE_BLOCKED,     /* no translation: translation disabled + fault */
	VTD_MODE_UNTRANSLATED_OFF, /* GSTS.TES=0: address used as is */
	VTD_MODE_LEGACY_SL,   /* legacy context, second-level */
	VTD_MODE_LEGACY_PT,   /* legacy context, pass-through */
	VTD_MODE_SM_FL,	      /* scalable, PGTT first-level */
	VTD_MODE_SM_SL,	      /* scalable, PGTT second-level */
	VTD_MODE_SM_NESTED,   /* scalable, PGTT nested */
	VTD_MODE_SM_PT,	      /* scalable, PGTT pass-through */
	VTD_MODE_INTERRUPT,   /* a write without PASID to 0xFEEx_xxxx: an
			       * interrupt request, not DMA (spec 3.14) */
	VTD_MODE_COUNT
};

/* Permissions of a translation */
#define VTD_PERM_R	0x1
#define VTD_PERM_W	0x2
#define VTD_PERM_X	0x4
#define VTD_PERM_U	0x8 /* user-accessible (first level U/S) */

struct vtd_result {
	bool ok;		/* translated; else blocked with .fault */
	uint8_t fault;		/* enum vtd_fault_reason when !ok */
	bool fault_recorded;	/* false when FPD suppressed recording */
	enum vtd_mode mode;
	uint64_t addr;		/* output physical address of req.addr */
	uint64_t page_size;	/* size of the page that mapped it */
	uint8_t perm;		/* VTD_PERM_* granted by the translation */
	uint16_t did;		/* domain the translation belonged to */
	bool iotlb_hit;		/* served from the IOTLB */
};

/*
 * Translate one untranslated request. Faults are recorded in the fault
 * recording registers (unless FPD) and raise the fault event as the spec
 * says. Returns res->ok.
 */
bool vtd_translate(struct vtd *v, const struct vtd_request *req,
		   struct vtd_result *res);

/*
 * A device's DMA of len bytes (1 .. 2^32) at req->addr, ready at ready_ps
 * (not before the unit's clock) on the device: one untranslated request
 * per 4 KiB page, in order, blocked by the first fault; then the data
 * access and, for a read, the completion. Functionally the same as
 * vtd_translate on each page, decided now. With timing on, the timing
 * model completes it later (ops->timed, with cookie) as simulated time
 * passes (vtd_advance, vtd_timing_flush). res may be NULL: the result
 * is not wanted (the return value is res->ok).
 */
struct vtd_dma_result {
	bool ok;
	struct vtd_result first; /* the first page's translation */
	struct vtd_result last;	 /* the last page translated (the fault) */
	uint64_t fault_addr;	 /* input address of the blocked page */
};

bool vtd_dma(struct vtd *v, const struct vtd_request *req, uint64_t len,
	     uint64_t ready_ps, uint64_t cookie, struct vtd_dma_result *res);
/* vtd_dma, and where the data goes: pa[i] the output address of the i-th
 * page's part (the first at req->addr, then each page's start), for the
 * first max pages that translated. */
bool vtd_dma_pages(struct vtd *v, const struct vtd_request *req, uint64_t len,
		   uint64_t ready_ps, uint64_t cookie,
		   struct vtd_dma_result *res, uint64_t *pa, size_t max);

/* The function a VTD_EP_MSG_DEVTLB_INV went to completes it (its
 * invalidation completion message) delay_ns from now; unknown tokens are
 * ignored. */
void vtd_devtlb_inv_done(struct vtd *v, uint64_t token, uint64_t delay_ns);

/* Run the timing model to the end of everything it was given (requests
 * still waiting for a page group response stay). */
void vtd_timing_flush(struct vtd *v);
/* When the timing model has its next operation to carry out (ps): false
 * when it has none (or timing is off). vtd_advance to a later time runs
 * it; a caller that waits for a request's completion wakes there. */
bool vtd_timing_next(struct vtd *v, uint64_t *ps);

/* Requests source sid may have in flight (default timing.outstanding);
 * 0, or -1 for n outside 1..4096. */
int vtd_timing_set_outstanding(struct vtd *v, uint16_t sid, unsigned int n);

/* ---- time ----------------------------------------------------------------- */

/*
 * The model's clock, in ns. Register accesses and requests happen at the
 * current time; what the model schedules (endpoint invalidation completions,
 * time-outs, page group responses reaching devices, retries) runs when the
 * clock passes it. Events at the same time run in the order scheduled.
 */
uint64_t vtd_now(const struct vtd *v);
/* Move the clock to t (never backwards), running every event due by t. */
void vtd_advance(struct vtd *v, uint64_t t);
/* When the next event is due; false when nothing is scheduled. */
bool vtd_next_event(const struct vtd *v, uint64_t *t);

/* ---- ATS and translated requests ----------------------------------------- */

enum vtd_ats_status {
	VTD_ATS_SUCCESS,     /* a translation (possibly without permission) */
	VTD_ATS_UR,	     /* unsupported request */
	VTD_ATS_CA,	     /* completer abort */
};

/* A translation completion (one entry). */
struct vtd_ats_completion {
	enum vtd_ats_status status;
	uint64_t addr;	     /* translated address, aligned to size */
	uint64_t size;	     /* bytes covered: 4 KiB << n */
	bool r, w, exe, priv, global;
	bool u;		     /* untranslated access only (pass-through) */
	uint8_t fault;	     /* the fault condition behind R=W=0, UR or CA */
	uint64_t data;	     /* the PCIe completion data entry, encoded */
};

/* An ATS translation request (req->addr untranslated; req->access says
 * whether write permission was asked, as the no-write hint does not). */
void vtd_ats_translate(struct vtd *v, const struct vtd_request *req,
		       struct vtd_ats_completion *cpl);
/* A translated request (AT=10b) at physical address req->addr: allowed
 * (true) or blocked with res->fault as the context/PASID entry says. */
bool vtd_translated_request(struct vtd *v, const struct vtd_request *req,
			    struct vtd_result *res);

/* ---- page requests ------------------------------------------------------- */

struct vtd_page_request {
	uint16_t sid;
	bool has_pasid;
	uint32_t pasid;
	bool priv, exec, read, write;
	uint64_t addr;	      /* page address */
	uint16_t prgi;	      /* page request group index, 9 bits */
	bool lpig;	      /* last page request in group */
	bool has_private;
	uint64_t private_data[2];
};

/* A PCIe page request message reaching the unit: checked against the
 * context/PASID entries, written into the page request queue, or answered
 * automatically on overflow or error. */
void vtd_page_request(struct vtd *v, const struct vtd_page_request *pr);

/* ---- checker ------------------------------------------------------------ */

struct vtd_stale_report {
	uint16_t sid;
	bool has_pasid;
	uint32_t pasid;
	uint64_t addr;		    /* input address of the request */
	enum vtd_cache_id cache;    /* the cache whose entry was stale */
	uint16_t did;
	/* what the cache returned and what a walk of memory gives now */
	bool cached_ok, memory_ok;
	uint64_t cached_addr, memory_addr;
	uint8_t cached_perm, memory_perm;
	uint8_t memory_fault;	    /* when !memory_ok */
	/* the invalidation that would have removed the stale entry */
	const char *missing_invalidation;
};

/* Human-readable one-line description of a report into buf. */
int vtd_stale_report_format(const struct vtd_stale_report *r, char *buf,
			    size_t len);

/* ---- statistics --------------------------------------------------------- */

struct vtd_cache_stats {
	uint64_t lookups, hits, misses, fills, evictions, invalidations;
};

struct vtd_stats {
	uint64_t requests;
	uint64_t translations[VTD_MODE_COUNT];
	uint64_t faults[256];	   /* by fault reason, recorded or not */
	uint64_t faults_recorded;
	uint64_t faults_suppressed; /* FPD */
	uint64_t faults_overflowed; /* lost to primary fault overflow */
	uint64_t mem_reads, mem_writes, mem_atomics;
	uint64_t inv_descriptors[VTD_QI_TYPE_COUNT];
	uint64_t inv_errors;	   /* IQE + ITE + ICE */
	uint64_t ats_requests, ats_failures, translated_requests,
		translated_blocked;
	uint64_t page_requests, page_requests_queued,
		page_requests_auto_responded, page_responses;
	uint64_t vcmds;
	uint64_t stale_reports;
	struct vtd_cache_stats cache[VTD_CACHE_COUNT];
};

const struct vtd_stats *vtd_get_stats(const struct vtd *v);
/* The timing model's statistics (all zero with timing off). */
const struct vtd_timing_stats *vtd_get_timing_stats(const struct vtd *v);
/* Clears both. */
void vtd_clear_stats(struct vtd *v);

const char *vtd_cache_name(enum vtd_cache_id id);
const char *vtd_mode_name(enum vtd_mode mode);
const char *vtd_structure_name(enum vtd_structure st);

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_VTDSIM_H */
