// SPDX-License-Identifier: MIT
/*
 * Interrupt events (VT-d 5.1.6, 7.4, 11.4.9.2-5, 11.4.10.5-8, 11.4.11.5-8):
 * the fault event, the invalidation completion event and the page request
 * event. Each has a control register (IM, IP), a data register and an
 * address pair; a message is a DWORD write of data to uaddr:addr.
 *
 * When an interrupt condition arises: if IM is clear the message is sent
 * and IP stays clear; if IM is set, IP is set and the message is held. When
 * software clears IM with IP set, the held message is sent and IP clears.
 * IP also clears, without a message, when software services the condition
 * (vtd_event_clear_pending, called by the owner of the status bits).
 */
#include "event.h"

#define ECTL_RW_MASK	VTD_ECTL_IM /* IP is read-only */
#define EDATA_IMD_MASK	0x0000ffffu /* interrupt message data */
#define EDATA_EIMD_MASK 0xffff0000u /* extended data, ECAP.EIM */
#define EADDR_MASK	0xfffffffcu /* 31:2, 1:0 reserved */

static struct vtd_event *event_of(struct vtd *v, enum vtd_irq_source src)
{
	switch (src) {
	case VTD_IRQ_FAULT:
		return &v->regs.fault_ev;
	case VTD_IRQ_INV_COMPLETE:
		return &v->regs.inv_ev;
	case VTD_IRQ_PAGE_REQUEST:
		return &v->regs.prq_ev;
	}
	return NULL;
}

static void send_message(struct vtd *v, enum vtd_irq_source src,
			 const struct vtd_event *e)
{
	uint64_t addr = (uint64_t)e->uaddr << 32 | e->addr;

	if (v->ops.interrupt)
		v->ops.interrupt(v->opaque, src, addr, e->data);
}

void vtd_event_raise(struct vtd *v, enum vtd_irq_source src)
{
	struct vtd_event *e = event_of(v, src);

	if (!e || v->shadow)
		return;
	if (e->ctl & VTD_ECTL_IM) {
		e->ctl |= VTD_ECTL_IP;
		return;
	}
	e->ctl &= ~(uint32_t)VTD_ECTL_IP;
	send_message(v, src, e);
}

void vtd_event_ctl_write(struct vtd *v, enum vtd_irq_source src, uint32_t val)
{
	struct vtd_event *e = event_of(v, src);

	if (!e)
		return;
	e->ctl = (e->ctl & ~(uint32_t)ECTL_RW_MASK) | (val & ECTL_RW_MASK);
	if (!(e->ctl & VTD_ECTL_IM) && (e->ctl & VTD_ECTL_IP)) {
		e->ctl &= ~(uint32_t)VTD_ECTL_IP;
		send_message(v, src, e);
	}
}

void vtd_event_clear_pending(struct vtd *v, enum vtd_irq_source src)
{
	struct vtd_event *e = event_of(v, src);

	if (e)
		e->ctl &= ~(uint32_t)VTD_ECTL_IP;
}

uint32_t vtd_event_reg_read(struct vtd *v, enum vtd_irq_source src,
			    enum vtd_event_reg reg)
{
	struct vtd_event *e = event_of(v, src);

	if (!e)
		return 0;
	switch (reg) {
	case VTD_EVREG_CTL:
		return e->ctl;
	case VTD_EVREG_DATA:
		return e->data;
	case VTD_EVREG_ADDR:
		return e->addr;
	case VTD_EVREG_UADDR:
		return e->uaddr;
	}
	return 0;
}

void vtd_event_reg_write(struct vtd *v, enum vtd_irq_source src,
			 enum vtd_event_reg reg, uint32_t val)
{
	struct vtd_event *e = event_of(v, src);
	uint32_t data_mask = EDATA_IMD_MASK;

	if (!e)
		return;
	/* The extended (32-bit) message data exists only with EIM. */
	if (v->regs.ecap & VTD_ECAP_EIM)
		data_mask |= EDATA_EIMD_MASK;
	switch (reg) {
	case VTD_EVREG_CTL:
		vtd_event_ctl_write(v, src, val);
		break;
	case VTD_EVREG_DATA:
		e->data = val & data_mask;
		break;
	case VTD_EVREG_ADDR:
		e->addr = val & EADDR_MASK;
		break;
	case VTD_EVREG_UADDR:
		/*
		 * The spec lets implementations without EIM treat the upper
		 * address as reserved; the model always implements it.
		 */
		e->uaddr = val;
		break;
	}
}

void vtd_event_reset(struct vtd *v)
{
	static const struct vtd_event reset = {.ctl = VTD_ECTL_IM};

	v->regs.fault_ev = reset;
	v->regs.inv_ev = reset;
	v->regs.prq_ev = reset;
}
