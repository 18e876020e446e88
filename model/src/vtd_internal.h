/* SPDX-License-Identifier: MIT */
/*
 * Internal interfaces between the hardware blocks of one model instance.
 * Each block lives in its own file, named as the spec names it:
 *
 *   iommu.c                   instance life cycle, configuration, stats
 *   regfile.c                 register file: decode, widths, RW1C, GCMD/GSTS
 *   event.c                   interrupt events (fault, inv. completion, PRQ)
 *   fault.c                   fault recording registers, FSTS, fault event
 *   cache.c                   the one set-associative cache implementation
 *   context_cache.c           context cache (tag: source ID)
 *   pasid_cache.c             PASID cache (tag: source ID, PASID; DID)
 *   iotlb.c                   IOTLB (tag: DID, PASID, page, page size)
 *   paging_structure_cache.c  first-/second-level paging-structure caches
 *   root_table.c              root and context entry fetch and checks
 *   pasid_table.c             PASID directory / table entry fetch and checks
 *   first_level.c             first-level (IA-32e) page walk
 *   second_level.c            second-level page walk
 *   translate.c               the request pipeline, nested, pass-through
 *   checker.c                 stale-translation checker (shadow walk)
 *   inv_queue.c               queued invalidation
 *   mem.c                     physical memory access through host callbacks
 *   sched.c                   the unit's clock and event scheduler
 *   timing.c                  the timing model: resources, request timelines
 *   dma.c                     a device's untranslated DMA, timed
 */
#ifndef VTDSIM_VTD_INTERNAL_H
#define VTDSIM_VTD_INTERNAL_H

#include <vtdsim/vtdsim.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VTD_NO_PASID		0xffffffffu
#define VTD_MAX_FAULT_REGS	256

/* ---- the generic set-associative cache (cache.c) ------------------------ */

/* Lookup key. Fields a cache does not use stay zero. */
struct vtd_cache_key {
	uint64_t addr;	/* page / prefix address, aligned as the cache needs */
	uint32_t pasid; /* VTD_NO_PASID when not PASID-tagged */
	uint16_t did;
	uint16_t sid;
	uint8_t level;	/* page-size level (IOTLB) or paging level (PSC) */
};

struct vtd_cache;

/* The key of the naturally aligned 2^VTD_LEVEL_SHIFT(level)-byte region
 * holding addr (IOTLB pages, paging-structure-cache prefixes). */
struct vtd_cache_key vtd_cache_key_region(uint16_t did, uint32_t pasid,
					  uint64_t addr, unsigned int level);

/* Entry predicate for invalidation: key and the entry's data. */
typedef bool (*vtd_cache_match_fn)(const struct vtd_cache_key *key,
				   const void *data, const void *arg);

/* sets == 0 makes a cache that never hits (disabled). */
struct vtd_cache *vtd_cache_create(const struct vtd_cache_geometry *g,
				   size_t data_size, uint64_t seed,
				   struct vtd_cache_stats *stats);
void vtd_cache_destroy(struct vtd_cache *c);
/* Find without counting a lookup; updates replacement state on a hit. */
void *vtd_cache_find(struct vtd_cache *c, const struct vtd_cache_key *k);
/* The first of the regions containing addr at min_level .. max_level
 * (vtd_cache_key_region keys) the cache holds, its level in *level. */
void *vtd_cache_find_region(struct vtd_cache *c, uint16_t did, uint32_t pasid,
			    uint64_t addr, unsigned int min_level,
			    unsigned int max_level, unsigned int *level);
/* Count one lookup (one hardware probe, possibly of several keys). */
void vtd_cache_count(struct vtd_cache *c, bool hit);
/* The line the last successful find returned (NULL after a fill, an
 * invalidation or a clear), and its key. */
void *vtd_cache_last_hit(const struct vtd_cache *c,
			 const struct vtd_cache_key **key);
/* For a caller that repeats hits itself: the replacement stamp of a line
 * (from vtd_cache_last_hit) and the clock an LRU cache stamps it from
 * (NULL: hits leave the stamp alone). */
uint64_t *vtd_cache_stamp(void *data);
uint64_t *vtd_cache_lru_clock(struct vtd_cache *c);
/* *gen is incremented whenever a line is filled or dropped. */
void vtd_cache_set_gen(struct vtd_cache *c, uint64_t *gen);
/* find + count */
void *vtd_cache_lookup(struct vtd_cache *c, const struct vtd_cache_key *k);
/* Insert (or overwrite the entry with the same key); returns the copy. */
void *vtd_cache_fill(struct vtd_cache *c, const struct vtd_cache_key *k,
		     const void *data);
/* Invalidate every entry match() accepts (all when match is NULL). */
unsigned int vtd_cache_invalidate(struct vtd_cache *c, vtd_cache_match_fn match,
				  const void *arg);
/* Reset to empty without counting invalidations (reset, reconfiguration) */
void vtd_cache_clear(struct vtd_cache *c);

/* ---- what the specific caches hold ------------------------------------- */

/* Context cache: key .sid. Holds the context entry as read from memory. */
struct vtd_context_cache_data {
	uint64_t ce[4];	  /* 2 qwords legacy, 4 qwords scalable */
	bool scalable;
	uint16_t did;	  /* legacy: DID of the entry (domain-selective inv) */
};

/* PASID cache: key .sid, .pasid. Holds the PASID-table entry. */
struct vtd_pasid_cache_data {
	uint64_t pe[8];
	uint16_t did;	  /* PASID entry DID, for DID-tagged invalidation */
	bool fpd;	  /* FPD accumulated from the directory/table entries */
};

/* IOTLB: key .did, .pasid, .addr (page aligned), .level (1 4K, 2 2M, 3 1G). */
struct vtd_iotlb_data {
	uint64_t pa;	  /* output page address */
	uint8_t perm;	  /* VTD_PERM_* */
	uint8_t pgtt;	  /* VTD_PGTT_* (scalable) or 0 (legacy) */
	enum vtd_mode mode;
	bool global;	  /* first-level G bit: survives non-global P_IOTLB */
	bool dirty;	  /* D was set by the walk: a write may hit this entry;
			   * a write to a clean entry walks again to set D */
	bool np;	  /* CAP.CM=1: a not-present second-level entry;
			   * .perm is the levels' above it */
};

/* Paging-structure caches: key .did, .pasid (first level), .addr = input
 * address with bits below VTD_LEVEL_SHIFT(level) cleared, .level = level of
 * the cached non-leaf entry (5..2). */
struct vtd_psc_data {
	uint64_t next;	  /* physical address of the next-level table */
	uint8_t perm;	  /* permissions accumulated down to this entry */
	bool nested;	  /* first level: an entry of a nested translation */
};

/* ---- instance state ----------------------------------------------------- */

struct vtd_event {
	uint32_t ctl;	  /* *ECTL: IM, IP */
	uint32_t data;
	uint32_t addr;
	uint32_t uaddr;
};

struct vtd_regs {
	uint32_t ver;
	uint64_t cap, ecap;
	uint32_t gsts;
	uint64_t rtaddr;	/* as written by software */
	uint64_t rtaddr_active; /* latched by GCMD.SRTP */
	uint64_t ccmd;
	uint32_t fsts;
	struct vtd_event fault_ev, inv_ev, prq_ev;
	uint64_t frcd[VTD_MAX_FAULT_REGS][2]; /* [i][0] bits 63:0, [1] 127:64 */
	uint32_t frcd_next;	/* internal: the record the next fault uses */
	uint64_t iqh, iqt, iqa, iqercd;
	uint32_t ics;
	uint64_t irta;
	uint64_t pqh, pqt, pqa;
	uint32_t prs;
	uint64_t iva, iotlb;
	uint32_t pmen, plmbase, plmlimit;
	uint64_t phmbase, phmlimit;
	uint64_t vcmd, vcrsp, vccap;
	uint32_t fro;		/* byte offset of the fault recording regs */
	uint32_t iro;		/* byte offset of IVA (IOTLB reg at +8) */
};

/* ---- the event scheduler (sched.c) ------------------------------------ */

typedef void (*vtd_event_fn)(struct vtd *v, void *obj, uint64_t arg);

struct vtd_sched_event {
	uint64_t t, seq; /* due time; order of scheduling among equal times */
	vtd_event_fn fn;
	void *obj;
	uint64_t arg;
};

struct vtd_sched {
	struct vtd_sched_event *heap; /* binary min-heap on (t, seq) */
	size_t n, cap;
	uint64_t now, seq;
	bool running;	/* inside vtd_advance */
};

#define VTD_SCHED_MAX_EVENTS (1u << 20)

/* Run fn(v, obj, arg) at time t (>= now; earlier times run at now).
 * Returns 0, or -1 when the queue is full (VTD_SCHED_MAX_EVENTS). */
int vtd_sched_at(struct vtd *v, uint64_t t, vtd_event_fn fn, void *obj,
		 uint64_t arg);
/* Drop every scheduled event with this fn and obj (obj NULL: any obj). */
void vtd_sched_cancel(struct vtd *v, vtd_event_fn fn, const void *obj);
void vtd_sched_clear(struct vtd *v);
void vtd_sched_destroy(struct vtd *v);

/* ---- timing (timing.c) ------------------------------------------------- */

/*
 * The functional model decides a request at once; as it goes, the timing
 * model writes down what the request does as a script of operations (a
 * delay, a link crossing, taking a slot or a walker, a memory access,
 * waiting for a walk in flight...). The timing engine runs the scripts of
 * all requests in the order of simulated time, so every resource serves
 * its users first come, first served. v->tm.cur is the script being
 * written: blocks that start a request (dma.c, endpoint.c) make theirs
 * current around the calls that build it and restore the one before.
 */
struct vtd_tm_req; /* a request's script and its state (timing.c) */
struct vtd_tm_inflight;
struct vtd_tm_port;

/* A single-page DMA the caches served (the translation memo's), for the
 * timing model: what its script would hold. */
struct vtd_tm_hit {
	uint64_t ready_ps, cookie;
	uint64_t addr, len, page_size;
	uint32_t pasid;		     /* the request's (has_pasid) */
	uint32_t tag_pasid;	     /* the IOTLB entry's */
	uint16_t sid, did;
	bool has_pasid, write;
	uint8_t lookups; /* bit per enum vtd_cache_id */
};

struct vtd_tm {
	bool on;
	/* parameters converted to ps (per byte: 2^-16 ps fixed point) */
	uint64_t lookup_ps[VTD_CACHE_COUNT];
	/* by a mask of context, PASID and IOTLB lookups: their sum */
	uint64_t lookups_ps[1u << (VTD_CACHE_IOTLB + 1)];
	uint64_t link_ps, mem_ps, llc_ps, dma_ps, irq_ps, devtlb_ps, retry_ps;
	uint64_t link_q16, mem_q16;
	uint64_t qi_desc_ps, qi_inv_ps, qi_wait_ps;
	/* resources */
	uint64_t link_free[2], mem_free;
	uint32_t slots_free, walkers_free;
	struct vtd_tm_req *slot_wait, *walker_wait; /* FIFO heads */
	struct vtd_tm_req *slot_wait_tail, *walker_wait_tail;
	/* the engine */
	struct vtd_tm_req **heap;
	size_t nheap, cap_heap;
	uint64_t seq;
	uint64_t now;		/* ps: everything before it has run */
	bool running;
	struct vtd_tm_req *free_reqs;
	struct vtd_tm_req *all;	/* every script allocated */
	size_t nreqs;
	struct vtd_tm_req *drain_waiter; /* the QI engine, draining */
	uint64_t drain_count;	/* requests it still waits for */
	uint64_t begin_seq;	/* device requests begun so far */
	uint64_t walk_seq;	/* walks published so far */
	uint64_t active;	/* device requests begun, not ended */
	struct vtd_tm_req *active_head; /* list of them, for draining */
	/* the script being written */
	struct vtd_tm_req *cur;
	struct vtd_tm_req *qi;	/* the invalidation queue engine's script */
	unsigned int qi_batch_n; /* descriptors not yet behind a wait */
	uint64_t rng;		/* LLC hit draws, not v->rng */
	struct vtd_tm_inflight *inflight; /* VTD_TM_INFLIGHT entries */
	uint32_t *port_of_sid;	/* 65536: index + 1, 0 none */
	struct vtd_tm_port *ports;
	uint32_t nports, cap_ports;
	struct vtd_timing_stats stats;
	/* the fast lane: a hit begun while the engine was empty, run at the
	 * next vtd_tm_run if it is done by then, else given a script */
	bool pending;
	struct vtd_tm_hit fast;
	uint64_t fast_t0, fast_seq;
	uint32_t fast_port, fast_port_seq;
	struct vtd_tm_req *scratch; /* the fast lane's request */
	uint32_t wire_len;	    /* wire bytes of requests of wire_len */
	uint64_t wire_up[2], wire_down; /* [write] */
};

#define VTD_TM_INFLIGHT	   1024u
#define VTD_TM_MAX_CREDITS 4096u

int vtd_tm_create(struct vtd *v);
void vtd_tm_reset(struct vtd *v);
void vtd_tm_destroy(struct vtd *v);
/* Run every script operation due before t ps (vtd_advance). */
void vtd_tm_run(struct vtd *v, uint64_t t);

/* Start the script of a device request ready at ready_ps (not before the
 * unit's clock): it first waits for one of the device's credits. It
 * becomes current; returns the script it replaced. NULL with timing off. */
struct vtd_tm_req *vtd_tm_begin(struct vtd *v, uint16_t sid,
				uint64_t ready_ps, uint64_t cookie,
				struct vtd_tm_req **prev);
/* What vtd_tm_begin does first for a device's request: a pending hit gets
 * its script, a device with too many waiting runs the engine ahead. */
void vtd_tm_prepare(struct vtd *v, uint16_t sid);
/* Where a DMA that hit (no walk, no fault) is described for
 * vtd_tm_dma_hit; a hit still pending gets its script first. NULL with
 * timing off. */
struct vtd_tm_hit *vtd_tm_hit_slot(struct vtd *v);
/* The hit in the slot: its whole script, or, when nothing else is in
 * flight, run to completion by the next vtd_tm_run. */
void vtd_tm_dma_hit(struct vtd *v);
/* The request ends here: fill in what the host gets, then restore prev. */
void vtd_tm_end(struct vtd *v, struct vtd_tm_req *prev);
/* What the host gets with the request's timing (see struct vtd_timing). */
struct vtd_timing *vtd_tm_info(struct vtd_tm_req *r);
/* The request waits (a page request): no more script for now. */
void vtd_tm_suspend(struct vtd *v, struct vtd_tm_req *prev);
/* Its page group response arrived at the unit's clock: the script goes on
 * from there (current; returns the one it replaced). */
struct vtd_tm_req *vtd_tm_resume(struct vtd *v, struct vtd_tm_req *r);
/* Pieces of the current script (no-ops without one). */
void vtd_tm_charge(struct vtd *v, enum vtd_lat_part part, uint64_t ps);
void vtd_tm_link_up(struct vtd *v, uint64_t bytes, uint32_t tlps);
void vtd_tm_link_down(struct vtd *v, uint64_t bytes, uint32_t tlps);
/* A request's TLPs from the device (read request, or write with data). */
void vtd_tm_request_tlps(struct vtd *v, uint32_t len, bool write);
/* The data access in memory and, for a read, its completions (data, or
 * one without data when blocked). */
void vtd_tm_data_and_completion(struct vtd *v, uint32_t len, bool write,
				bool ok);
void vtd_tm_slot_acquire(struct vtd *v);
void vtd_tm_slot_release(struct vtd *v);
/* An ATS translation round trip starts / ends here (ats_ps). */
void vtd_tm_ats_mark(struct vtd *v, bool start);
/* Every step of the model (mem.c). */
void vtd_tm_step(struct vtd *v, const struct vtd_step *s);
/* The same for the steps the timing model looks at, without a step. */
void vtd_tm_cache_lookup(struct vtd *v, enum vtd_cache_id id);
void vtd_tm_mem_step(struct vtd *v, enum vtd_step_kind kind,
		     enum vtd_structure st, unsigned int size);
/* A pass of the translation pipeline ended (translate.c): wait for a
 * walk in flight of the same page, or publish this one's; the walker is
 * free again. */
struct vtd_xlate;
void vtd_tm_translated(struct vtd *v, const struct vtd_xlate *x,
		       const struct vtd_result *res);
/* The invalidation queue engine (inv_queue.c): a run starts at the
 * unit's clock, each descriptor is charged, a wait's status write reports
 * the wait's latency. Functional effects stay synchronous: the engine's
 * time is what the hardware would take, never waited for. */
void vtd_tm_qi_begin(struct vtd *v, struct vtd_tm_req **prev);
void vtd_tm_qi_end(struct vtd *v, struct vtd_tm_req *prev);
void vtd_tm_qi_desc(struct vtd *v, unsigned int type, bool drain);
void vtd_tm_qi_wait_done(struct vtd *v);
/* A page request message (prq.c): the message, the descriptor write and
 * the interrupt, in a script of its own started where the current request
 * sends it. */
void vtd_tm_prq_begin(struct vtd *v, struct vtd_tm_req **prev);
void vtd_tm_prq_end(struct vtd *v, struct vtd_tm_req *prev, bool queued);

/* ---- endpoints (endpoint.c) --------------------------------------------- */

struct vtd_endpoint;

struct vtd_endpoint_list {
	struct vtd_endpoint **items; /* sorted by source ID */
	size_t n, cap;
};

/* A device-TLB invalidation (ATS Invalidate Request) for one endpoint. */
struct vtd_devtlb_inv {
	bool has_pasid;
	uint32_t pasid;
	bool global;	/* PASID-based: all PASIDs (G bit) */
	uint64_t addr;	/* aligned to size */
	uint64_t size;	/* bytes, power of two >= 4 KiB; 0: everything */
};

/* The unit sends an invalidation request; the endpoint answers with
 * vtd_inv_queue_devtlb_complete(v, token) once done (never if silent). */
void vtd_endpoint_invalidate(struct vtd_endpoint *ep,
			     const struct vtd_devtlb_inv *inv, uint64_t token);
/* A page group response reaches the endpoint. */
void vtd_endpoint_page_response(struct vtd_endpoint *ep, bool has_pasid,
				uint32_t pasid, uint16_t prgi,
				unsigned int resp_code);
/* vtd_destroy: destroy every endpoint of the unit. */
void vtd_endpoints_destroy_all(struct vtd *v);

struct vtd {
	struct vtd_config cfg;
	struct vtd_host_ops ops;
	void *opaque;
	struct vtd_regs regs;
	struct vtd_cache *cache[VTD_CACHE_COUNT];
	struct vtd_stats stats;
	uint64_t rng;		/* deterministic, seeded from cfg.seed */
	struct vtd_sched sched;
	struct vtd_endpoint_list endpoints;
	void *inv_queue_state;	/* private to inv_queue.c */
	void *prq_state;	/* private to prq.c */
	uint64_t *vcmd_pasids;	/* vcmd.c: bitmap of allocated PASIDs */
	struct vtd_tm tm;	/* timing.c */
	bool shadow;		/* inside a checker walk: no side effects */
	bool nested_step;	/* second-level steps of a nested walk */
	uint64_t memo_gen;	/* xlate_memo.c: entries of another are stale */
	struct vtd_memo *memo;
};

/* ---- the translation memo (xlate_memo.c) -------------------------------- */

/* What a memoized hit looked up, for the timing model. */
struct vtd_memo_hit {
	uint8_t lookups; /* bit per enum vtd_cache_id, in that order */
	uint16_t did;	 /* the IOTLB entry's tag */
	uint32_t pasid;
	uint64_t page_size; /* of the translation */
};

/* The unit's counters before a translation the memo may learn from. */
struct vtd_memo_mark {
	uint64_t gen;
	uint64_t lookups[VTD_CACHE_COUNT], hits[VTD_CACHE_COUNT];
	uint64_t mem;
};

int vtd_memo_create(struct vtd *v);
void vtd_memo_destroy(struct vtd *v);
/* Something a cached translation depends on changed (a register). */
void vtd_memo_invalidate(struct vtd *v);
/* A single-page request the memo knows: its result in *res and *res2
 * (each unless NULL), the caches touched and counted as the pipeline
 * would; else NULL. */
const struct vtd_memo_hit *vtd_memo_translate(struct vtd *v,
					      const struct vtd_request *req,
					      struct vtd_result *res,
					      struct vtd_result *res2);
void vtd_memo_mark(const struct vtd *v, struct vtd_memo_mark *m);
/* After vtd_translate of a single-page request: remember it if every
 * lookup since the mark hit and nothing was filled, dropped or read. */
void vtd_memo_fill(struct vtd *v, const struct vtd_request *req,
		   const struct vtd_result *res, const struct vtd_memo_mark *m);

/* ---- memory (mem.c): counted, observed, shadow-aware -------------------- */

/* Read len bytes; 0 or -1 when not backed. Emits a VTD_STEP_MEM_READ. */
int vtd_mem_read(struct vtd *v, uint64_t pa, void *buf, size_t len,
		 enum vtd_structure st, unsigned int level);
int vtd_mem_read64(struct vtd *v, uint64_t pa, uint64_t *val,
		   enum vtd_structure st, unsigned int level);
/* Writes are suppressed (return 0) inside a shadow walk. */
int vtd_mem_write(struct vtd *v, uint64_t pa, const void *buf, size_t len,
		  enum vtd_structure st);
/* Atomically set bits in a 64-bit entry if it still equals expected.
 * Returns 0 and *found; -1 when not backed. Suppressed in a shadow walk. */
int vtd_mem_cmpxchg64(struct vtd *v, uint64_t pa, uint64_t expected,
		      uint64_t desired, uint64_t *found, enum vtd_structure st,
		      unsigned int level);
void vtd_emit_step(struct vtd *v, const struct vtd_step *s);
void vtd_emit_cache_step(struct vtd *v, enum vtd_cache_id id,
			 enum vtd_step_kind kind, bool hit, unsigned int level);

/* ---- events (event.c) --------------------------------------------------- */

/* An interrupt condition arose: set IP, or send the message if IM=0. */
void vtd_event_raise(struct vtd *v, enum vtd_irq_source src);
/* Software wrote *ECTL: a clear of IM with IP set sends the message. */
void vtd_event_ctl_write(struct vtd *v, enum vtd_irq_source src,
			 uint32_t val);
/* The condition was cleared by software: clear IP without a message. */
void vtd_event_clear_pending(struct vtd *v, enum vtd_irq_source src);

/* ---- fault recording (fault.c) ------------------------------------------ */

struct vtd_fault_info {
	uint16_t sid;
	bool has_pasid;
	uint32_t pasid;
	uint64_t addr;	/* faulting address (page granular in FRCD) */
	uint8_t reason;
	enum vtd_access access;
	bool priv, exec;
	unsigned int at; /* address type: 0 untranslated, 1 TR, 2 translated */
};

/* Record a primary fault (FRCD, FSTS.PPF/PFO, fault event). */
void vtd_fault_record(struct vtd *v, const struct vtd_fault_info *f);
/* Set an FSTS error bit (IQE/ICE/ITE/PRO) and raise the fault event. */
void vtd_fault_set_status(struct vtd *v, uint32_t fsts_bit);
/* Fault register accesses, dispatched by regfile.c. Return true if off
 * belongs to the fault block. */
bool vtd_fault_reg_read(struct vtd *v, uint32_t off, unsigned int size,
			uint64_t *val);
bool vtd_fault_reg_write(struct vtd *v, uint32_t off, unsigned int size,
			 uint64_t val);
void vtd_fault_reset(struct vtd *v);

/* ---- registers (regfile.c) ---------------------------------------------- */

void vtd_regs_reset(struct vtd *v);

/* ---- cache invalidation (context_cache.c, pasid_cache.c, iotlb.c) ------- */

/* gran: VTD_QI_CC_G_* (same codes as CCMD.CIRG). fm: function mask. */
void vtd_context_cache_invalidate(struct vtd *v, unsigned int gran,
				  uint16_t did, uint16_t sid, unsigned int fm);
/* gran: VTD_QI_PC_G_* */
void vtd_pasid_cache_invalidate(struct vtd *v, unsigned int gran, uint16_t did,
				uint32_t pasid);
/* IOTLB invalidate (descriptor or register). gran: VTD_QI_IOTLB_G_*.
 * What it removes in each mode: iotlb.c. ih: keep the paging-structure
 * caches (page-selective). */
void vtd_iotlb_invalidate(struct vtd *v, unsigned int gran, uint16_t did,
			  uint64_t addr, unsigned int am, bool ih);
/* PASID-based IOTLB invalidate. gran: VTD_QI_PIOTLB_G_*. */
void vtd_piotlb_invalidate(struct vtd *v, unsigned int gran, uint16_t did,
			   uint32_t pasid, uint64_t addr, unsigned int am,
			   bool ih);
/* inv_mode generous: a context- or PASID-cache invalidation drops the
 * IOTLB and PSC entries of did too (global: all); strict: nothing. */
void vtd_iotlb_generous_drop(struct vtd *v, bool global, uint16_t did);

/* Lookups and fills used by translate.c. */
const struct vtd_context_cache_data *
vtd_context_cache_lookup(struct vtd *v, uint16_t sid);
void vtd_context_cache_fill(struct vtd *v, uint16_t sid,
			    const struct vtd_context_cache_data *d);
const struct vtd_pasid_cache_data *
vtd_pasid_cache_lookup(struct vtd *v, uint16_t sid, uint32_t pasid);
void vtd_pasid_cache_fill(struct vtd *v, uint16_t sid, uint32_t pasid,
			  const struct vtd_pasid_cache_data *d);
/* Probes every page size the IOTLB holds; *level gets the hit's level. */
const struct vtd_iotlb_data *vtd_iotlb_lookup(struct vtd *v, uint16_t did,
					      uint32_t pasid, uint64_t addr,
					      unsigned int *level);
void vtd_iotlb_fill(struct vtd *v, uint16_t did, uint32_t pasid,
		    uint64_t addr, unsigned int level,
		    const struct vtd_iotlb_data *d);
/* Deepest (lowest-level) cached non-leaf entry covering addr at a level in
 * [min_level, max_level]; *level gets its level. id: VTD_CACHE_FL_PSC or
 * VTD_CACHE_SL_PSC (pasid is VTD_NO_PASID for the second level). */
const struct vtd_psc_data *vtd_psc_lookup(struct vtd *v, enum vtd_cache_id id,
					  uint16_t did, uint32_t pasid,
					  uint64_t addr, unsigned int min_level,
					  unsigned int max_level,
					  unsigned int *level);
void vtd_psc_fill(struct vtd *v, enum vtd_cache_id id, uint16_t did,
		  uint32_t pasid, uint64_t addr, unsigned int level,
		  const struct vtd_psc_data *d);

/* ---- translation (translate.c) ------------------------------------------ */

/* Walk memory only: no cache lookups or fills, no A/D writes, no fault
 * recording. The checker's reference. */
bool vtd_translate_uncached(struct vtd *v, const struct vtd_request *req,
			    struct vtd_result *res);

/* ---- checker (checker.c) ------------------------------------------------ */

/* Called by translate.c after a request served (partly) from caches. */
void vtd_checker_check(struct vtd *v, const struct vtd_request *req,
		       const struct vtd_result *cached);

/* ---- queued invalidation (inv_queue.c) ---------------------------------- */

/* IQT was written (or QIE enabled): process descriptors IQH..IQT. */
void vtd_inv_queue_run(struct vtd *v);
void vtd_inv_queue_reset(struct vtd *v);
void vtd_inv_queue_destroy(struct vtd *v);
/* An endpoint completed the device-TLB invalidation with this token. */
void vtd_inv_queue_devtlb_complete(struct vtd *v, uint64_t token);

/* ---- page request queue (prq.c) ----------------------------------------- */

/* A page group response descriptor (qw0..qw3; qw2/qw3 zero for 128-bit)
 * was processed by the invalidation queue: deliver it. */
void vtd_prq_page_group_response(struct vtd *v, const uint64_t desc[4]);
void vtd_prq_reset(struct vtd *v);
void vtd_prq_destroy(struct vtd *v);

/* ---- virtual command interface (vcmd.c) --------------------------------- */

/* Software wrote VCMD. */
void vtd_vcmd_write(struct vtd *v, uint64_t val);
void vtd_vcmd_reset(struct vtd *v);
void vtd_vcmd_destroy(struct vtd *v);

/* ---- helpers ------------------------------------------------------------ */

static inline bool vtd_scalable(const struct vtd *v)
{
	return VTD_RTADDR_TTM(v->regs.rtaddr_active) ==
	       VTD_RTADDR_TTM_SCALABLE;
}

/*
 * Page requests and page group responses carry Private Data (request PDP,
 * qw2/qw3; response PDP, qw2/qw3) up to revision 3.x of the specification;
 * 4.0 removed it. The unit follows the revision its VER register reports
 * (major version in 7:4): below 4, the 3.x layouts.
 */
static inline bool vtd_prq_private_data(const struct vtd *v)
{
	return ((v->cfg.version >> 4) & 0xf) < 4;
}

static inline uint64_t vtd_haw_mask(const struct vtd *v)
{
	return v->cfg.haw >= 64 ? ~0ULL : (1ULL << v->cfg.haw) - 1;
}

#ifdef __cplusplus
}
#endif

#endif /* VTDSIM_VTD_INTERNAL_H */
