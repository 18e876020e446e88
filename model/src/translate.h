/* SPDX-License-Identifier: MIT */
/*
 * Private interface of the translation blocks: root_table.c, pasid_table.c,
 * first_level.c, second_level.c, translate.c and checker.c.
 *
 * A request is processed with a struct vtd_xlate that carries what the
 * pipeline learned so far (context entry, PASID entry, FPD, DID) and which
 * caches served it, so the checker can name the stale one.
 */
#ifndef VTDSIM_TRANSLATE_H
#define VTDSIM_TRANSLATE_H

#include "vtd_internal.h"

/*
 * Legacy-mode LGN.4 (spec 3.14 onwards): untranslated request whose output
 * falls in the interrupt address range. Not in vtd_fault.h.
 */

#define VTD_INTR_ADDR_FIRST 0xfee00000ULL
#define VTD_INTR_ADDR_LAST  0xfeefffffULL

/* Second-level entry bits the spec leaves to software (ignored). */
#define VTD_SL_IGNORED (VTD_BIT(63) | VTD_GENMASK(61, 52) | VTD_BIT(10))
/* First-level entry bits 62:52 are ignored (protection keys unused). */
#define VTD_FL_HI_IGNORED VTD_GENMASK(62, 52)
/* First-level EA (extended accessed) flag, used when PASID entry EAFE=1 */
#define VTD_FL_EA VTD_BIT(10)

/* Bound on A/D compare-exchange retries against a racing writer. */
#define VTD_AD_RETRIES 64

/* What kind of PCIe request is being processed (the AT field). */
enum vtd_req_kind {
	VTD_REQ_UNTRANSLATED, /* AT=00b */
	VTD_REQ_TRANSLATION,  /* AT=01b: ATS translation request */
	VTD_REQ_TRANSLATED,   /* AT=10b: translated request */
};

struct vtd_xlate {
	struct vtd *v;
	const struct vtd_request *req;
	enum vtd_req_kind kind;
	bool scalable;
	bool cached; /* may use caches (not a shadow walk) */
	/* context */
	uint64_t ce[4];
	bool fpd; /* FPD of the entries read so far */
	uint16_t did;
	uint32_t pasid; /* PASID used (request or RID_PASID); VTD_NO_PASID */
	bool priv, exec;
	/* PASID-table entry (scalable) */
	uint64_t pe[8];
	uint8_t pgtt;
	/* caches that served the request */
	bool ctx_hit, pasid_hit, iotlb_hit, fl_psc_hit, sl_psc_hit;
};

/* Outcome of a page walk. */
struct vtd_walk {
	uint64_t pa;	    /* output address of the input address */
	unsigned int level; /* leaf level: 1 4K, 2 2M, 3 1G */
	uint8_t perm;	    /* VTD_PERM_* accumulated over all levels */
	bool dirty;	    /* D set in the leaf (or no A/D tracking) */
	bool global;	    /* first-level G */
	/* a second-level walk that stopped at a not-present (R=W=0) entry: its
	 * level, which CAP.CM=1 lets the IOTLB cache; 0 otherwise */
	unsigned int np_level;
};

/* Second-level walk parameters. */
struct vtd_sl_cfg {
	uint64_t root;	     /* SLPTPTR */
	unsigned int levels; /* 3, 4 or 5 */
	uint16_t did;
	bool scalable;
	bool slade; /* A/D tracking */
	bool slee;  /* execute permission from X */
};

/* First-level walk parameters. */
struct vtd_fl_cfg {
	uint64_t root;	     /* FLPTPTR (GPA in nested mode) */
	unsigned int levels; /* 4 or 5 */
	uint16_t did;
	uint32_t pasid;
	bool priv, exec, wpe, smep, eafe;
	bool nested;
};

/* root_table.c: root + context entry fetch and checks. 0 or a fault. */
int vtd_context_fetch(struct vtd_xlate *x);
/* Request-dependent checks of a scalable context entry (PASIDE, PDTS). */
int vtd_context_sm_request_check(struct vtd_xlate *x);
/* Read the context entry of sid from memory, no checks; 0 or -1. */
int vtd_context_read_raw(struct vtd *v, uint16_t sid, uint64_t ce[4]);

/* pasid_table.c: PASID directory + table entry fetch and checks. */
int vtd_pasid_fetch(struct vtd_xlate *x);
int vtd_pasid_read_raw(struct vtd *v, const uint64_t ce[4], uint32_t pasid,
		       uint64_t pe[8]);

/* second_level.c */
int vtd_sl_walk(struct vtd_xlate *x, const struct vtd_sl_cfg *c, uint64_t in,
		enum vtd_access acc, bool exec, struct vtd_walk *w);
unsigned int vtd_sl_width(struct vtd *v, unsigned int levels);

/*
 * first_level.c. In nested mode the leaf's A/D flags are set only once the
 * output address has passed the second level (3.8): the walk leaves them
 * to the caller, saying in *leaf where the leaf is, and the caller sets
 * them with vtd_fl_leaf_ad() when the request is allowed.
 */
struct vtd_fl_leaf {
	uint64_t table; /* GPA of the leaf's table */
	uint64_t pa;	/* HPA of the leaf entry */
	uint64_t e;	/* the entry as the walk used it */
	unsigned int level;
	bool top;
};

int vtd_fl_walk(struct vtd_xlate *x, const struct vtd_fl_cfg *c, uint64_t in,
		struct vtd_walk *w, struct vtd_fl_leaf *leaf);
/* Set the leaf's A (EA) and D for the request: 0, a fault, or -1 when
 * software changed the entry since the walk (walk again). */
int vtd_fl_leaf_ad(struct vtd_xlate *x, const struct vtd_fl_cfg *c,
		   struct vtd_fl_leaf *leaf);
/* Permission check of a first-level translation for a request. */
int vtd_fl_perm_check(const struct vtd_fl_cfg *c, enum vtd_access acc,
		      uint8_t perm);

/* translate.c: nested mode, the GPA of a first-level structure to HPA. */
int vtd_nested_table(struct vtd_xlate *x, uint64_t gpa, bool top, bool write,
		     uint64_t *hpa);
/* Build the first-/second-level walk parameters of the request. */
void vtd_xlate_fl_cfg(const struct vtd_xlate *x, struct vtd_fl_cfg *c);
void vtd_xlate_sl_cfg(const struct vtd_xlate *x, struct vtd_sl_cfg *c);

/* translate.c: run x->req through the pipeline into res without recording
 * anything. Returns true when the pipeline ran (translation enabled, not
 * abort mode); then a !res->ok result carries the fault in res->fault. */
bool vtd_xlate_run(struct vtd_xlate *x, struct vtd_result *res);
/* Record res->fault for x (FPD applied; address type from x->kind). */
void vtd_xlate_record_fault(struct vtd_xlate *x, struct vtd_result *res);
/* Hand a request served (partly) from caches to the checker. */
void vtd_xlate_check(struct vtd_xlate *x, const struct vtd_result *res);

/* vtd_translate_uncached for a request of this kind. */
bool vtd_translate_uncached_kind(struct vtd *v, const struct vtd_request *req,
				 enum vtd_req_kind kind,
				 struct vtd_result *res);

/* checker.c: the stale check with what translate.c used. */
void vtd_checker_check_xlate(struct vtd *v, const struct vtd_request *req,
			     const struct vtd_result *cached,
			     const struct vtd_xlate *x);

/* checker.c: a device-TLB hit of an endpoint, against a translation
 * request walked from memory. */
void vtd_checker_check_devtlb(struct vtd *v, const struct vtd_request *req,
			      uint64_t cached_addr, uint8_t cached_perm);

static inline bool vtd_access_reads(enum vtd_access a)
{
	return a != VTD_ACCESS_WRITE;
}

static inline bool vtd_access_writes(enum vtd_access a)
{
	return a != VTD_ACCESS_READ;
}

#endif /* VTDSIM_TRANSLATE_H */
