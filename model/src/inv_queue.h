/* SPDX-License-Identifier: MIT */
/*
 * Queued invalidation (inv_queue.c): interfaces private to the model that
 * are not in vtd_internal.h.
 */
#ifndef VTDSIM_INV_QUEUE_H
#define VTDSIM_INV_QUEUE_H

#include "vtd_internal.h"

/*
 * IQERCD.IQEI encodings as spec rev 5.10, 11.4.9.9 lists them. Values 2..5
 * match vtd_regs.h (VTD_IQEI_FETCH/TYPE/RSVD/DW). vtd_regs.h names 1 and 6
 * the other way round and gives 7 a different meaning:
 *   1  invalid tail pointer (the model: IQT beyond the queue size)
 *   6  IQT not aligned to the descriptor width (DW=1 and IQT[4] set)
 *   7  reserved value (10b) in RTADDR_REG.TTM
 * A descriptor type that Table 26 does not allow in the current TTM is an
 * invalid descriptor type (3).
 */
#define VTD_IQ_IQEI_TAIL       1
#define VTD_IQ_IQEI_TAIL_ALIGN 6
#define VTD_IQ_IQEI_TTM	       7

/* ECAP.ADMS (abort-DMA mode support, bit 52), not in vtd_regs.h. */
#define VTD_IQ_ECAP_ADMS VTD_BIT(52)
/* RTADDR_REG.TTM value 10b is reserved. */
#define VTD_IQ_TTM_RESERVED 2

/*
 * Device-TLB invalidation errors as registers show them. The queue sends
 * each dev_tlb_inv_dsc / p_dev_tlb_inv_dsc to the endpoint and tracks it
 * (see the top of inv_queue.c); it calls these itself.
 *
 * vtd_inv_queue_devtlb_timeout: no completion arrived for an invalidation
 * request sent to sid. Records sid in IQERCD.ITESID if FSTS.ITE was clear,
 * sets FSTS.ITE (fault event). The queue stops: no descriptor is fetched
 * until software clears ITE; then fetching resumes at IQH. (Aborting the
 * pending wait and forgetting the request is done by the time-out itself,
 * before it calls this.)
 *
 * vtd_inv_queue_devtlb_completion_error: an invalid or unexpected
 * invalidation completion from sid (bad ITag or source-id; the model: a
 * completion for a request that already timed out). Records sid in
 * IQERCD.ICESID if FSTS.ICE was clear, sets FSTS.ICE (fault event). The
 * queue continues as normal. An endpoint model that injects malformed
 * completions may call it too.
 */
void vtd_inv_queue_devtlb_timeout(struct vtd *v, uint16_t sid);
void vtd_inv_queue_devtlb_completion_error(struct vtd *v, uint16_t sid);

/*
 * Decode the ATS Invalidate Request a dev_tlb_inv_dsc (type 3) or
 * p_dev_tlb_inv_dsc (type 8) carries (qw0, qw1; 6.5.2.5, 6.5.2.6): the
 * target source ID in *sid and the request in *inv. With S=1 the lowest
 * 0 bit of ADDR at or above bit 12, bit b, gives a 2^(b+1)-byte range; b
 * = 63 (bits 62:12 all ones) is the whole address space, reported as
 * addr 0, size 2^63 because vtd_devtlb_inv.size cannot hold 2^64 (ADDR
 * all ones, with no 0 bit, is treated the same way). false for another
 * descriptor type.
 */
bool vtd_inv_queue_devtlb_decode(uint64_t qw0, uint64_t qw1, uint16_t *sid,
				 struct vtd_devtlb_inv *inv);

/*
 * Test hooks (unit tests only): the device-TLB invalidations the queue has
 * sent and not yet seen completed or timed out, oldest first. Returns how
 * many there are and copies up to max of their tokens (and source IDs
 * when sids is not NULL).
 */
size_t vtd_inv_queue_devtlb_outstanding(const struct vtd *v, uint64_t *tokens,
					uint16_t *sids, size_t max);

#endif /* VTDSIM_INV_QUEUE_H */
