// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness: the page request path over every field's range.
 * The SVA device sends page requests none of its accesses waits for (as a
 * device with many outstanding faults does): all 512 page request group
 * indices outstanding at once, a group of several requests, PASIDs up to
 * the largest 20-bit value, a request without PASID, the largest canonical
 * address, and the requests the driver must refuse (a non-canonical
 * address, a privileged read, an execute read) and drop (a stop marker).
 * The endpoint checks every page group response against its group (index,
 * PASID, code), so a response with a wrong field fails the scenario; here
 * the number of Success and Invalid responses is checked too.
 */
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/dmar.h>
#include "iommu.h"
#include "ks_scenario.h"

#define PR_VA	 0x6600000000UL
#define PR_PAGES 64
#define PR_RW	 (VH_PR_READ | VH_PR_WRITE)

struct sc_resp {
	u64 ok, invalid;
};

static struct sc_resp sc_resp_now(void)
{
	return (struct sc_resp){vh_dev_responses(BDF_SVA, 0),
				vh_dev_responses(BDF_SVA, 1)};
}

/* Run the PRQ thread and io-pgfault until the device has want more
 * responses than at r0 (or time runs out), then check how they ended. */
static void sc_wait_responses(struct sc_resp r0, u64 ok, u64 invalid,
			      const char *what)
{
	struct sc_resp r = sc_resp_now();
	unsigned int i;

	for (i = 0;
	     i < 1000 && r.ok + r.invalid < r0.ok + r0.invalid + ok + invalid;
	     i++) {
		ks_run_pending();
		vh_delay_ns(1000);
		r = sc_resp_now();
	}
	ks_run_pending();
	r = sc_resp_now();
	KCHECK(r.ok - r0.ok == ok && r.invalid - r0.invalid == invalid,
	       "%s: %llu Success and %llu Invalid responses, want %llu and "
	       "%llu",
	       what, r.ok - r0.ok, r.invalid - r0.invalid, ok, invalid);
}

static void sc_pr(bool has_pasid, u32 pasid, u16 prgi, u64 addr,
		  unsigned int flags)
{
	KCHECK(vh_page_request(BDF_SVA, has_pasid, pasid, prgi, addr, flags) ==
		       0,
	       "no endpoint to send a page request");
}

/* Every PRG index outstanding at once, each answered Success with its own
 * index and PASID, the pages faulted in by the process's handler. */
static void sc_all_indices(struct mm_struct *mm, u32 pasid)
{
	struct sc_resp r0 = sc_resp_now();
	unsigned int i;

	for (i = 0; i < 512; i++)
		sc_pr(true, pasid, i, PR_VA + (i % PR_PAGES) * PAGE_SIZE,
		      (i & 1 ? PR_RW : VH_PR_READ) | VH_PR_LPIG);
	sc_wait_responses(r0, 512, 0, "512 groups");
	for (i = 0; i < PR_PAGES; i++)
		KCHECK(ks_proc_lookup(mm, PR_VA + i * PAGE_SIZE),
		       "page %u not faulted in", i);
}

/* Three requests of one group: one response, after the last. */
static void sc_group(u32 pasid)
{
	struct sc_resp r0 = sc_resp_now();

	sc_pr(true, pasid, 0x1ff, PR_VA + 70 * PAGE_SIZE, VH_PR_READ);
	sc_pr(true, pasid, 0x1ff, PR_VA + 71 * PAGE_SIZE, PR_RW);
	ks_run_pending();
	KCHECK(sc_resp_now().ok == r0.ok && sc_resp_now().invalid == r0.invalid,
	       "a group was answered before its last request");
	sc_pr(true, pasid, 0x1ff, PR_VA + 72 * PAGE_SIZE,
	      VH_PR_READ | VH_PR_LPIG);
	sc_wait_responses(r0, 1, 0, "a group of three");
}

/* PASIDs nothing is bound to, up to the largest 20-bit value; a request
 * without PASID (the RID's identity domain has no fault handler); the
 * largest canonical address, outside the process's mappings. */
static void sc_ranges(u32 pasid)
{
	static const u32 pasids[] = {1, 0x80000, 0xffffe, 0xfffff};
	struct sc_resp r0 = sc_resp_now();
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(pasids); i++) {
		if (pasids[i] == pasid)
			continue;
		sc_pr(true, pasids[i], 0x100 + i, PR_VA,
		      VH_PR_READ | VH_PR_LPIG);
		n++;
	}
	sc_pr(false, 0, 0x1fe, PR_VA, VH_PR_READ | VH_PR_LPIG);
	sc_pr(true, pasid, 0x1fd, 0x00007ffffffff000UL,
	      VH_PR_WRITE | VH_PR_LPIG);
	/* execute (with write: execute with read is refused): the process's
	 * mapping is not executable */
	sc_pr(true, pasid, 0x1fc, PR_VA, VH_PR_WRITE | VH_PR_EXEC | VH_PR_LPIG);
	sc_wait_responses(r0, 0, n + 3, "unbound PASIDs, no PASID, top, exec");
}

/* A refused request: the driver's reason, then its dump of the page
 * request descriptor (VT-d 7.5.1.1: type 1, PASID present, RID, PASID,
 * execute, privileged; R, W, LPIG, PRG index, page address). */
static void sc_refuse(u32 pasid, u16 prgi, u64 addr, unsigned int flags,
		      const char *why)
{
	char msg[96];
	u64 qw0 = 1 | BIT(8) | (u64)BDF_SVA << 16 | (u64)pasid << 32 |
		  (flags & VH_PR_EXEC ? BIT_ULL(52) : 0) |
		  (flags & VH_PR_PRIV ? BIT_ULL(53) : 0);
	u64 qw1 = addr | (u64)prgi << 3 | 4 | (flags & VH_PR_WRITE ? 2 : 0) |
		  (flags & VH_PR_READ ? 1 : 0);

	snprintf(msg, sizeof(msg), "IOMMU: dmar0: %s", why);
	ks_expect_err(msg);
	snprintf(msg, sizeof(msg), "dmar0: Invalid page request: %08llx %08llx",
		 qw0, qw1);
	ks_expect_err(msg);
	sc_pr(true, pasid, prgi, addr, flags | VH_PR_LPIG);
}

/* Requests the driver refuses before looking for a handler, each with its
 * error messages, and a stop marker it drops without a response. */
static void sc_refused(u32 pasid)
{
	struct sc_resp r0 = sc_resp_now();

	sc_refuse(pasid, 0x10, 0x0000800000000000UL, VH_PR_READ,
		  "Address is not canonical");
	sc_refuse(pasid, 0x11, PR_VA, VH_PR_READ | VH_PR_PRIV,
		  "Page request in Privilege Mode");
	sc_refuse(pasid, 0x12, PR_VA, VH_PR_READ | VH_PR_EXEC,
		  "Execution request not supported");
	sc_pr(true, pasid, 0x13, 0, VH_PR_LPIG); /* stop marker */
	sc_wait_responses(r0, 0, 3, "refused requests");
}

/* More requests than the page request queue holds (2048 in 6.12's 64 KiB
 * queue) before the driver runs: the unit sets PRO, drops requests that do
 * not end a group and answers Success itself to one that does; the driver
 * drains the queue, discards the partial group and clears PRO, and a
 * group sent after that is handled as usual. */
static void sc_overflow(u32 pasid)
{
	struct sc_resp r0 = sc_resp_now();
	unsigned int i;

	for (i = 0; i < 2100; i++)
		sc_pr(true, pasid, 0x50, PR_VA + (i % PR_PAGES) * PAGE_SIZE,
		      VH_PR_READ);
	KCHECK(vh_unit_reg32(0, DMAR_PRS_REG) & DMA_PRS_PRO,
	       "2100 page requests did not overflow the queue");
	sc_pr(true, pasid, 0x51, PR_VA, VH_PR_READ | VH_PR_LPIG);
	sc_wait_responses(r0, 1, 0, "a group ending during overflow");
	KCHECK(!(vh_unit_reg32(0, DMAR_PRS_REG) & DMA_PRS_PRO),
	       "the driver did not clear PRO");
	sc_pr(true, pasid, 0x50, PR_VA + PAGE_SIZE, VH_PR_READ | VH_PR_LPIG);
	sc_wait_responses(r0, 2, 0, "a group after the overflow");
}

int sc_page_requests(void)
{
	struct device *dev = sc_dev(BDF_SVA);
	struct mm_struct *mm;
	struct iommu_sva *h;
	u32 pasid = 0;

	if (sc_up())
		return 0;
	mm = ks_proc_create();
	if (!mm)
		return 0;
	ks_proc_add_vma(mm, PR_VA, PR_VA + 128 * PAGE_SIZE, VM_READ | VM_WRITE);
	h = sc_sva_bind(dev, mm, &pasid);
	if (!h)
		return 0;
	sc_all_indices(mm, pasid);
	sc_group(pasid);
	sc_ranges(pasid);
	sc_refused(pasid);
	sc_overflow(pasid);
	/* unbind with requests of this PASID and another still queued: the
	 * drain waits for its own and passes over the other's */
	sc_pr(true, 0x80000, 0x60, PR_VA, VH_PR_READ | VH_PR_LPIG);
	sc_pr(true, pasid, 0x61, PR_VA, VH_PR_READ | VH_PR_LPIG);
	sc_sva_unbind(dev, h, pasid);
	return 0;
}
