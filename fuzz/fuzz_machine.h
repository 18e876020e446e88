/* SPDX-License-Identifier: MIT */
/*
 * The fuzz harnesses' shared machine (docs/robustness.md): one unit over
 * bounded sparse memory, built from the input's header, and the decoder of
 * the input's operations. Every harness checks the same invariants after
 * each operation; a violation aborts (libFuzzer reports it as a crash).
 *
 * Input: a header, then operations until the input ends.
 *   header: n (1 byte, taken mod 5), then n times { key index (1 byte, mod
 *           the number of configuration keys), value (8 bytes LE) }
 *   op:     one byte (the harness maps it to an operation), then the
 *           operation's fields, little-endian, as fm_u8/fm_u16/... read
 *           them; a short field reads as 0.
 */
#ifndef VTDSIM_FUZZ_MACHINE_H
#define VTDSIM_FUZZ_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vtdsim/vtdsim.h>

#include "sparse_mem.h"

/* Memory beyond this many written pages refuses writes: the harness's
 * memory stays bounded whatever the input (the model sees "not backed"). */
#define FM_MAX_PAGES 2048

struct fm {
	struct vtd *v;
	struct sparse_mem *mem;
	const uint8_t *p, *end; /* the input not yet read */
	bool dirty;		/* memory or registers changed since the last
				 * full invalidation */
	bool model_wrote;	/* the unit wrote memory (status, PRQ, A/D)
				 * since software last invalidated */
	uint64_t stale;		/* checker reports */
	bool expect_no_stale;	/* a report is a bug (software invalidated) */
	uint64_t last_source;	/* sid, PASID of the previous request */
};

/* The unit and memory from the input's header; false: an input whose
 * configuration the model refuses (not interesting, not a bug). */
bool fm_init(struct fm *m, const uint8_t *data, size_t size, bool check);
/* The same, the harness changing the configuration after the header. */
bool fm_init_tweak(struct fm *m, const uint8_t *data, size_t size, bool check,
		   void (*tweak)(struct vtd_config *cfg));
void fm_fini(struct fm *m);

bool fm_more(const struct fm *m);
uint8_t fm_u8(struct fm *m);
uint16_t fm_u16(struct fm *m);
uint32_t fm_u32(struct fm *m);
uint64_t fm_u64(struct fm *m);

/* Software writes a word of memory (refused beyond FM_MAX_PAGES). */
void fm_poke(struct fm *m, uint64_t pa, uint64_t val);

/* Operations several harnesses share. */
void fm_op_mem_write(struct fm *m); /* u32 qword index, u64 value */
void fm_op_reg_write(struct fm *m); /* u8 size, u16 offset, u64 value */
void fm_op_reg_read(struct fm *m);  /* u8 size, u16 offset */
void fm_op_request(struct fm *m);   /* u16 sid, u8 flags, u32 pasid, u64 addr */
void fm_op_advance(struct fm *m);   /* u16 ns * 16 */

/* A request as fm_op_request reads it (ATS and page requests too). */
void fm_read_request(struct fm *m, struct vtd_request *req);

/*
 * Software that invalidates correctly: before a request, when memory or
 * registers changed, every cache of the unit is invalidated (context,
 * PASID, IOTLB and paging-structure caches, globally), so from then on
 * the checker must stay silent. Also when the request comes from another
 * source ID or PASID than the previous one: random tables may give two
 * of them the same DID over different tables, which software must not do
 * (the IOTLB is tagged by DID, and the checker rightly reports the other's
 * translation as stale).
 */
void fm_software_sync(struct fm *m, const struct vtd_request *req);

/* The harness's operations until the input ends, the invariants after
 * each; then the machine is gone. op gets the operation byte. */
void fm_run(struct fm *m, void (*op)(struct fm *m, uint8_t code));

/* The invariants, after every operation (abort on a violation):
 * IQH within the queue and aligned to its descriptors, PQH/PQT within the
 * page request queue, fault recording index within the registers. */
void fm_check(struct fm *m);
/* A blocked request has a fault reason that was recorded, suppressed by
 * FPD or lost to overflow, or was blocked without one in abort-DMA mode. */
void fm_check_blocked(struct fm *m, const struct vtd_result *res,
		      const struct vtd_stats *before);

/* A line on stderr when FUZZ_TRACE is set (printf format). */
void fm_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Abort with a message: an invariant does not hold. */
_Noreturn void fm_fail(const char *what);

#endif /* VTDSIM_FUZZ_MACHINE_H */
