// SPDX-License-Identifier: MIT
/*
 * Fault recording (VT-d 7.1-7.3, 11.4.9, 11.4.14): primary fault logging in
 * the fault recording registers, the fault status register and the fault
 * event.
 *
 * Primary fault logging: hardware keeps an internal index of the record the
 * next fault goes to. If that record still holds a fault (F set) the new
 * fault is lost and FSTS.PFO is set; while PFO is set no fault is recorded.
 * Otherwise the fault is written there, F is set and the index advances,
 * wrapping at the number of records. FSTS.PPF is the OR of every F; FSTS.FRI
 * is the index of the record that set PPF (the first pending fault), which
 * is where the driver starts scanning. The spec allows hardware to collapse
 * further faults of a SID while its record is pending ("may"); the model
 * does not, so every fault is visible.
 *
 * Fault event (the conditions listed under FECTL.IP): recording a fault
 * that sets PPF, or setting IQE, ICE or ITE, is an interrupt condition only
 * if no FSTS status field was set already. The event's IP clears when
 * software has cleared every status field (F of every record, PFO, IQE,
 * ICE, ITE, PRO).
 */
#include <string.h>

#include "event.h"

/*
 * The records start at VTD_REG_FRCD_DEFAULT and must end before the
 * virtual command registers: at most 128 of them (vtd_config_validate
 * allows no more; larger counts are clamped here).
 */
#define FRCD_LIMIT VTD_REG_VCMD
#define FRCD_MAX   ((FRCD_LIMIT - VTD_REG_FRCD_DEFAULT) / 16)

#define FSTS_STATUS                                                            \
	(VTD_FSTS_PFO | VTD_FSTS_PPF | VTD_FSTS_IQE | VTD_FSTS_ICE |           \
	 VTD_FSTS_ITE | VTD_FSTS_PRO)
#define FSTS_SETTABLE                                                          \
	(VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE | VTD_FSTS_PRO)
#define FSTS_FRI_MASK VTD_GENMASK(15, 8)

static uint32_t *next_index(struct vtd *v)
{
	return &v->regs.frcd_next;
}

static unsigned int nr_records(const struct vtd *v)
{
	return (unsigned int)VTD_CAP_NFR(v->regs.cap);
}

static bool any_pending_record(const struct vtd *v)
{
	unsigned int i, n = nr_records(v);

	for (i = 0; i < n; i++)
		if (v->regs.frcd[i][1] & VTD_FRCD_HI_F)
			return true;
	return false;
}

static uint32_t fsts_value(const struct vtd *v)
{
	uint32_t fsts = v->regs.fsts & ~(uint32_t)VTD_FSTS_PPF;

	if (any_pending_record(v))
		fsts |= VTD_FSTS_PPF;
	return fsts;
}

/* Software serviced a condition: drop IP once nothing is left pending. */
static void update_pending(struct vtd *v)
{
	v->regs.fsts = fsts_value(v);
	if (!(v->regs.fsts & FSTS_STATUS))
		vtd_event_clear_pending(v, VTD_IRQ_FAULT);
}

static uint64_t frcd_hi(const struct vtd_fault_info *f)
{
	uint64_t hi = f->sid | VTD_FRCD_HI_F;

	hi |= (uint64_t)f->reason << VTD_FRCD_HI_FR_SHIFT;
	hi |= (uint64_t)(f->at & 3) << VTD_FRCD_HI_AT_SHIFT;
	/* T1 T2: 00 write, 10 read, 11 AtomicOp (01 is a page request). */
	if (f->access != VTD_ACCESS_WRITE)
		hi |= VTD_FRCD_HI_T1;
	if (f->access == VTD_ACCESS_ATOMIC)
		hi |= VTD_FRCD_HI_T2;
	/* PV, PRIV and EXE are meaningful only with a PASID (PP). */
	if (f->has_pasid) {
		hi |= VTD_FRCD_HI_PP;
		hi |= (uint64_t)(f->pasid & 0xfffff) << VTD_FRCD_HI_PV_SHIFT;
		if (f->priv)
			hi |= VTD_FRCD_HI_PRIV;
		if (f->exec)
			hi |= VTD_FRCD_HI_EXE;
	}
	return hi;
}

void vtd_fault_record(struct vtd *v, const struct vtd_fault_info *f)
{
	unsigned int n = nr_records(v);
	uint32_t old = fsts_value(v);
	unsigned int i = (unsigned int)(*next_index(v) % n);

	if (v->shadow)
		return;
	if (old & VTD_FSTS_PFO) {
		v->stats.faults_overflowed++;
		return;
	}
	if (v->regs.frcd[i][1] & VTD_FRCD_HI_F) {
		/* PFO alone is not an interrupt condition (PPF is set). */
		v->regs.fsts = old | VTD_FSTS_PFO;
		v->stats.faults_overflowed++;
		return;
	}
	v->regs.frcd[i][0] = f->addr & VTD_FRCD_LO_FI_MASK;
	v->regs.frcd[i][1] = frcd_hi(f);
	*next_index(v) = (i + 1) % n;
	v->stats.faults_recorded++;
	if (old & VTD_FSTS_PPF) {
		v->regs.fsts = old;
		return;
	}
	v->regs.fsts = (old & ~(uint32_t)FSTS_FRI_MASK) | VTD_FSTS_PPF |
		       (uint32_t)i << VTD_FSTS_FRI_SHIFT;
	if (!(old & FSTS_STATUS))
		vtd_event_raise(v, VTD_IRQ_FAULT);
}

void vtd_fault_set_status(struct vtd *v, uint32_t fsts_bit)
{
	uint32_t old = fsts_value(v);

	fsts_bit &= FSTS_SETTABLE;
	if (!fsts_bit || v->shadow)
		return;
	v->regs.fsts = old | fsts_bit;
	if (!(old & FSTS_STATUS))
		vtd_event_raise(v, VTD_IRQ_FAULT);
}

/* ---- registers ---------------------------------------------------------- */

static bool in_frcd(const struct vtd *v, uint32_t off, unsigned int *rec,
		    unsigned int *byte)
{
	uint32_t base = v->regs.fro, len = nr_records(v) * 16;

	if (off < base || off - base >= len)
		return false;
	*rec = (off - base) / 16;
	*byte = (off - base) % 16;
	return true;
}

static int event_reg(uint32_t off)
{
	switch (off) {
	case VTD_REG_FECTL:
		return VTD_EVREG_CTL;
	case VTD_REG_FEDATA:
		return VTD_EVREG_DATA;
	case VTD_REG_FEADDR:
		return VTD_EVREG_ADDR;
	case VTD_REG_FEUADDR:
		return VTD_EVREG_UADDR;
	}
	return -1;
}

static uint64_t frcd_read(struct vtd *v, unsigned int rec, unsigned int byte,
			  unsigned int size)
{
	uint64_t q = v->regs.frcd[rec][byte / 8];

	if (size == 8)
		return byte % 8 ? 0 : q;
	return (byte % 8) ? q >> 32 : q & 0xffffffffu;
}

bool vtd_fault_reg_read(struct vtd *v, uint32_t off, unsigned int size,
			uint64_t *val)
{
	unsigned int rec, byte;
	int ev = event_reg(off);

	*val = 0;
	if (in_frcd(v, off, &rec, &byte)) {
		*val = frcd_read(v, rec, byte, size);
		return true;
	}
	if (off == VTD_REG_FSTS) {
		if (size == 4)
			*val = fsts_value(v);
		return true;
	}
	if (ev >= 0) {
		if (size == 4)
			*val = vtd_event_reg_read(v, VTD_IRQ_FAULT,
						  (enum vtd_event_reg)ev);
		return true;
	}
	return false;
}

/* F (bit 127) is the only writable field of a record: RW1C. */
static void frcd_write(struct vtd *v, unsigned int rec, unsigned int byte,
		       unsigned int size, uint64_t val)
{
	bool clear = false;

	if (size == 8 && byte == 8)
		clear = val & VTD_FRCD_HI_F;
	else if (size == 4 && byte == 12)
		clear = val & VTD_BIT(31);
	if (!clear)
		return;
	v->regs.frcd[rec][1] &= ~VTD_FRCD_HI_F;
	update_pending(v);
}

static void fsts_write(struct vtd *v, uint32_t val)
{
	uint32_t clear = val & VTD_FSTS_RW1C & v->regs.fsts;

	v->regs.fsts &= ~clear;
	update_pending(v);
	/*
	 * The invalidation queue stops at IQE (and ITE) and resumes at IQH
	 * once software clears it.
	 */
	if ((clear & (VTD_FSTS_IQE | VTD_FSTS_ITE)) &&
	    (v->regs.gsts & VTD_GSTS_QIES))
		vtd_inv_queue_run(v);
}

bool vtd_fault_reg_write(struct vtd *v, uint32_t off, unsigned int size,
			 uint64_t val)
{
	unsigned int rec, byte;
	int ev = event_reg(off);

	if (in_frcd(v, off, &rec, &byte)) {
		frcd_write(v, rec, byte, size, val);
		return true;
	}
	if (off == VTD_REG_FSTS) {
		if (size == 4)
			fsts_write(v, (uint32_t)val);
		return true;
	}
	if (ev >= 0) {
		if (size == 4)
			vtd_event_reg_write(v, VTD_IRQ_FAULT,
					    (enum vtd_event_reg)ev,
					    (uint32_t)val);
		return true;
	}
	return false;
}

void vtd_fault_reset(struct vtd *v)
{
	unsigned int n = v->cfg.num_fault_regs;

	if (n < 1)
		n = 1;
	if (n > FRCD_MAX)
		n = FRCD_MAX;
	v->regs.fro = VTD_REG_FRCD_DEFAULT;
	v->regs.cap &= ~VTD_CAP_LAYOUT_MASK;
	v->regs.cap |= (uint64_t)(v->regs.fro / 16) << VTD_CAP_FRO_SHIFT;
	v->regs.cap |= (uint64_t)(n - 1) << VTD_CAP_NFR_SHIFT;
	memset(v->regs.frcd, 0, sizeof(v->regs.frcd));
	v->regs.fsts = 0;
	v->regs.fault_ev = (struct vtd_event){.ctl = VTD_ECTL_IM};
}

/* ---- names -------------------------------------------------------------- */

static const char *const reason_names[256] = {
	[VTD_FR_NONE] = "none",
	[VTD_FR_ROOT_NOT_PRESENT] = "root entry not present",
	[VTD_FR_CTX_NOT_PRESENT] = "context entry not present",
	[VTD_FR_CTX_INVALID] = "invalid context entry",
	[VTD_FR_ADDR_BEYOND_MGAW] = "address beyond MGAW",
	[VTD_FR_PTE_WRITE] = "PTE write access denied",
	[VTD_FR_PTE_READ] = "PTE read access denied",
	[VTD_FR_NEXT_PTR_INVALID] = "paging entry access error",
	[VTD_FR_ROOT_ADDR_INVALID] = "root entry access error",
	[VTD_FR_CTX_PTR_INVALID] = "context entry access error",
	[VTD_FR_ROOT_RSVD] = "root entry reserved bit",
	[VTD_FR_CTX_RSVD] = "context entry reserved bit",
	[VTD_FR_PTE_RSVD] = "paging entry reserved bit",
	[VTD_FR_TT_BLOCKED] = "translation type blocked",
	[VTD_FR_INTR_ADDR] = "output address in interrupt range",
	[VTD_FR_SM_RTADDR_INVALID] = "SM: invalid RTADDR",
	[VTD_FR_SM_TTM_PASID] = "SM: legacy TTM, request with PASID",
	[VTD_FR_SM_TTM_PGREQ] = "SM: legacy TTM, page request",
	[VTD_FR_SM_ROOT_ACCESS] = "SM: root entry access error",
	[VTD_FR_SM_ROOT_NOT_PRESENT] = "SM: root entry not present",
	[VTD_FR_SM_ROOT_RSVD] = "SM: root entry reserved bit",
	[VTD_FR_SM_CTX_ACCESS] = "SM: context entry access error",
	[VTD_FR_SM_CTX_NOT_PRESENT] = "SM: context entry not present",
	[VTD_FR_SM_CTX_RSVD] = "SM: context entry reserved bit",
	[VTD_FR_SM_CTX_INVALID] = "SM: invalid context entry",
	[VTD_FR_SM_CTX_DTE] = "SM: translation request, DTE clear",
	[VTD_FR_SM_CTX_PASIDE] = "SM: PASID request, PASIDE clear",
	[VTD_FR_SM_CTX_PASID_RANGE] = "SM: PASID beyond PDTS",
	[VTD_FR_SM_CTX_PRE] = "SM: page request, PRE clear",
	[VTD_FR_SM_CTX_RID_PASID] = "SM: RID_PASID beyond PDTS",
	[VTD_FR_SM_PDE_ACCESS] = "SM: PASID directory access error",
	[VTD_FR_SM_PDE_NOT_PRESENT] = "SM: PASID directory not present",
	[VTD_FR_SM_PDE_RSVD] = "SM: PASID directory reserved bit",
	[VTD_FR_SM_PTE_ACCESS] = "SM: PASID entry access error",
	[VTD_FR_SM_PTE_NOT_PRESENT] = "SM: PASID entry not present",
	[VTD_FR_SM_PTE_RSVD] = "SM: PASID entry reserved bit",
	[VTD_FR_SM_PTE_INVALID] = "SM: invalid PASID entry",
	[VTD_FR_SM_PTE_ERE] = "SM: execute request, ERE clear",
	[VTD_FR_SM_PTE_SRE] = "SM: privileged request, SRE clear",
	[VTD_FR_SM_FL_ACCESS] = "SM: first-level entry access error",
	[VTD_FR_SM_FL_NOT_PRESENT] = "SM: first-level entry not present",
	[VTD_FR_SM_FL_RSVD] = "SM: first-level entry reserved bit",
	[VTD_FR_SM_FL_PML_ACCESS] = "SM: top-level FL entry access error",
	[VTD_FR_SM_FL_NESTED_MGAW] = "SM: nested FL pointer beyond MGAW",
	[VTD_FR_SM_FL_NESTED_PML_READ] = "SM: nested FLPTPTR not readable",
	[VTD_FR_SM_FL_NESTED_READ] = "SM: nested FL table not readable",
	[VTD_FR_SM_FL_NESTED_WRITE] = "SM: nested A/D update not writable",
	[VTD_FR_SM_SL_ACCESS] = "SM: second-level entry access error",
	[VTD_FR_SM_SL_PERM] = "SM: second-level entry not present",
	[VTD_FR_SM_SL_RSVD] = "SM: second-level entry reserved bit",
	[VTD_FR_SM_SL_PTR_INVALID] = "SM: SLPTPTR beyond HAW",
	[VTD_FR_SM_SL_AD_NOSNOOP] = "SM: second-level A/D non-snooped",
	[VTD_FR_SM_NONCANONICAL] = "SM: non-canonical address",
	[VTD_FR_SM_US] = "SM: user request to supervisor page",
	[VTD_FR_SM_XD] = "SM: execute request, execute denied",
	[VTD_FR_SM_ADDR_BEYOND_MGAW] = "SM: input address beyond AW",
	[VTD_FR_SM_OUT_BEYOND_HAW] = "SM: SL entry address beyond HAW",
	[VTD_FR_SM_WRITE] = "SM: write access denied",
	[VTD_FR_SM_READ] = "SM: read access denied",
	[VTD_FR_SM_INTR_ADDR] = "SM: output in interrupt range",
	[VTD_FR_SM_FL_AD_NOSNOOP] = "SM: first-level A/D non-snooped",
};

const char *vtd_fault_reason_name(unsigned int reason)
{
	if (reason >= 256 || !reason_names[reason])
		return "unknown";
	return reason_names[reason];
}
