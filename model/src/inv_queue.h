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
 * Device-TLB invalidation errors, for the endpoint (ATS) model. The queue
 * hands each dev_tlb_inv_dsc / p_dev_tlb_inv_dsc to the endpoint while it
 * processes the descriptor; the endpoint reports problems through these.
 *
 * vtd_inv_queue_devtlb_timeout: no completion arrived for an invalidation
 * request sent to sid (6.5.2.11). Records sid in IQERCD.ITESID if FSTS.ITE
 * was clear, sets FSTS.ITE (fault event). The queue stops: IQH is not
 * incremented further and no descriptor is fetched (so no invalidation
 * wait descriptor behind the timed-out one completes) until software
 * clears ITE; then fetching resumes at IQH.
 *
 * vtd_inv_queue_devtlb_completion_error: an invalid or unexpected
 * invalidation completion from sid (bad ITag or source-id). Records sid in
 * IQERCD.ICESID if FSTS.ICE was clear, sets FSTS.ICE (fault event). The
 * queue continues as normal.
 */
void vtd_inv_queue_devtlb_timeout(struct vtd *v, uint16_t sid);
void vtd_inv_queue_devtlb_completion_error(struct vtd *v, uint16_t sid);

#endif /* VTDSIM_INV_QUEUE_H */
