/* SPDX-License-Identifier: MIT */
/*
 * Private interface of the interrupt event block (event.c), shared by the
 * register file (regfile.c) and fault recording (fault.c): the four
 * registers of each event source (*ECTL, *EDATA, *EADDR, *EUADDR).
 */
#ifndef VTDSIM_EVENT_H
#define VTDSIM_EVENT_H

#include "vtd_internal.h"

/* Register index within an event source's block of four 32-bit registers */
enum vtd_event_reg {
	VTD_EVREG_CTL,	 /* FECTL / IECTL / PECTL */
	VTD_EVREG_DATA,	 /* FEDATA / IEDATA / PEDATA */
	VTD_EVREG_ADDR,	 /* FEADDR / IEADDR / PEADDR */
	VTD_EVREG_UADDR, /* FEUADDR / IEUADDR / PEUADDR */
};

uint32_t vtd_event_reg_read(struct vtd *v, enum vtd_irq_source src,
			    enum vtd_event_reg reg);
void vtd_event_reg_write(struct vtd *v, enum vtd_irq_source src,
			 enum vtd_event_reg reg, uint32_t val);
/* Reset value of all three sources: IM set, nothing pending. */
void vtd_event_reset(struct vtd *v);

#endif /* VTDSIM_EVENT_H */
