// SPDX-License-Identifier: MIT
// Device-TLB invalidation through the invalidation queue (spec 6.5.2.5,
// 6.5.2.6, 6.5.2.8, FSTS.ITE/ICE and IQERCD.ITESID/ICESID): requests reach
// the endpoint at the descriptor's SID, an invalidation wait behind them
// completes only when they have completed, and a request nobody answers
// times out with ITE at cfg.devtlb_inv_timeout_ns. The queue is driven
// through the registers; completions are given with the queue's tokens
// (the endpoint's side of vtd_inv_queue_devtlb_complete) and the clock is
// moved with vtd_advance.
#include <algorithm>

#include "fixture.h"

extern "C" {
#include "vtd_internal.h"
#include "inv_queue.h"
}

namespace
{

constexpr uint64_t kQueue = 0x100000;
constexpr uint64_t kStatus = 0x200000;
constexpr uint64_t kRoot = 0x300000;
constexpr uint64_t kTimeout = 10000; // ns
constexpr uint32_t kPersistentGsts =
	VTD_GSTS_TES | VTD_GSTS_QIES | VTD_GSTS_IRES | VTD_GSTS_CFIS;

uint64_t wait_sw(uint32_t data)
{
	return VTD_QI_IWD | VTD_QI_IWD_SW |
	       (uint64_t)data << VTD_QI_IWD_SDATA_SHIFT;
}

// dev_tlb_inv_dsc for sid (qw0); qw1 is the address (and S).
uint64_t devtlb(uint16_t sid)
{
	return VTD_QI_DIOTLB | (uint64_t)sid << 32;
}

// p_dev_tlb_inv_dsc for sid and pasid (qw0).
uint64_t pdevtlb(uint16_t sid, uint32_t pasid)
{
	return VTD_QI_PDIOTLB | (uint64_t)sid << 16 |
	       (uint64_t)pasid << VTD_QI_PASID_SHIFT;
}

struct Dq : vtdtest::Model {
	bool wide = false;

	Dq() : Model([](vtd_config &c) { c.devtlb_inv_timeout_ns = kTimeout; })
	{
	}

	void gcmd(uint32_t bit)
	{
		wr32(VTD_REG_GCMD,
		     (rd32(VTD_REG_GSTS) & kPersistentGsts) | bit);
	}
	void scalable()
	{
		wr64(VTD_REG_RTADDR, kRoot | (uint64_t)VTD_RTADDR_TTM_SCALABLE
						     << VTD_RTADDR_TTM_SHIFT);
		gcmd(VTD_GCMD_SRTP);
	}
	void enable(bool dw = false, unsigned int qs = 0)
	{
		wide = dw;
		wr64(VTD_REG_IQT, 0);
		wr64(VTD_REG_IQA, kQueue | (dw ? VTD_IQA_DW : 0) | qs);
		gcmd(VTD_GCMD_QIE);
	}
	uint64_t dsz() const
	{
		return wide ? 32 : 16;
	}
	void put(unsigned int idx, uint64_t q0, uint64_t q1 = 0)
	{
		uint64_t a = kQueue + idx * dsz();

		mem.w64(a, q0);
		mem.w64(a + 8, q1);
		if (wide) {
			mem.w64(a + 16, 0);
			mem.w64(a + 24, 0);
		}
	}
	void tail(unsigned int idx)
	{
		wr64(VTD_REG_IQT, idx * dsz());
	}
	uint64_t head()
	{
		return rd64(VTD_REG_IQH);
	}
	bool fsts(uint32_t bit)
	{
		return rd32(VTD_REG_FSTS) & bit;
	}
	std::vector<uint64_t> tokens()
	{
		uint64_t t[64];
		size_t n = vtd_inv_queue_devtlb_outstanding(v, t, nullptr, 64);

		return std::vector<uint64_t>(t, t + std::min<size_t>(n, 64));
	}
	std::vector<uint16_t> sids()
	{
		uint16_t s[64];
		size_t n = vtd_inv_queue_devtlb_outstanding(v, nullptr, s, 64);

		return std::vector<uint16_t>(s, s + std::min<size_t>(n, 64));
	}
	void unmask_inv_event()
	{
		wr32(VTD_REG_IEDATA, 0x42);
		wr32(VTD_REG_IEADDR, 0xfee00000);
		wr32(VTD_REG_IECTL, 0);
	}
};

// ---- an invalidation wait waits for device-TLB completions -----------------

TEST(DeviceTlbInvalidation, WaitCompletesOnlyAfterTheEndpointCompletes)
{
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0100), 0x5000);
	m.put(1, wait_sw(0xd0e), kStatus);
	m.tail(2);

	// The request is outstanding; the wait is held at IQH.
	auto t = m.tokens();
	ASSERT_EQ(t.size(), 1u);
	EXPECT_EQ(m.sids(), std::vector<uint16_t>{0x0100});
	EXPECT_EQ(m.mem.r32(kStatus), 0u);
	EXPECT_EQ(m.head(), 16u);
	EXPECT_EQ(m.stats().inv_descriptors[VTD_QI_DIOTLB], 1u);

	vtd_advance(m.v, kTimeout / 2);
	EXPECT_EQ(m.mem.r32(kStatus), 0u);
	EXPECT_EQ(m.head(), 16u);

	vtd_inv_queue_devtlb_complete(m.v, t[0]);
	EXPECT_EQ(m.mem.r32(kStatus), 0xd0eu);
	EXPECT_EQ(m.head(), 32u);
	EXPECT_TRUE(m.tokens().empty());
	EXPECT_EQ(m.stats().inv_descriptors[VTD_QI_IWD], 1u);

	// Its time-out was cancelled: no ITE later.
	uint64_t next;
	EXPECT_FALSE(vtd_next_event(m.v, &next));
	vtd_advance(m.v, 10 * kTimeout);
	EXPECT_FALSE(m.fsts(VTD_FSTS_ITE));
	EXPECT_EQ(m.stats().inv_errors, 0u);
}

TEST(DeviceTlbInvalidation, WaitInterruptIsSentOnlyAfterCompletion)
{
	Dq m;
	m.unmask_inv_event();
	m.enable();
	m.put(0, devtlb(0x0100));
	m.put(1, VTD_QI_IWD | VTD_QI_IWD_IF);
	m.tail(2);

	EXPECT_FALSE(m.rd32(VTD_REG_ICS) & VTD_ICS_IWC);
	EXPECT_EQ(m.irq_count(VTD_IRQ_INV_COMPLETE), 0u);

	vtd_inv_queue_devtlb_complete(m.v, m.tokens().at(0));
	EXPECT_TRUE(m.rd32(VTD_REG_ICS) & VTD_ICS_IWC);
	ASSERT_EQ(m.irq_count(VTD_IRQ_INV_COMPLETE), 1u);
	EXPECT_EQ(m.irqs.back().data, 0x42u);
}

TEST(DeviceTlbInvalidation, DescriptorsAfterAnInvalidationAreNotOrderedByIt)
{
	// Device-TLB invalidations are posted: an IOTLB invalidation and a
	// second device-TLB invalidation behind one run at once.
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0100));
	m.put(1, VTD_QI_IOTLB | (uint64_t)VTD_QI_IOTLB_G_GLOBAL << 4);
	m.put(2, devtlb(0x0200));
	m.tail(3);

	EXPECT_EQ(m.head(), 48u);
	EXPECT_EQ(m.stats().inv_descriptors[VTD_QI_IOTLB], 1u);
	EXPECT_EQ(m.stats().inv_descriptors[VTD_QI_DIOTLB], 2u);
	EXPECT_EQ(m.sids(), (std::vector<uint16_t>{0x0100, 0x0200}));
}

TEST(DeviceTlbInvalidation, NothingBehindAHeldWaitIsFetched)
{
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0100));
	m.put(1, wait_sw(1), kStatus);
	m.put(2, VTD_QI_IOTLB | (uint64_t)VTD_QI_IOTLB_G_GLOBAL << 4);
	m.put(3, wait_sw(2), kStatus + 4);
	m.tail(4);
	m.record_steps = true;
	m.tail(4); // a second tail write fetches nothing new

	EXPECT_EQ(m.head(), 16u);
	EXPECT_EQ(m.stats().inv_descriptors[VTD_QI_IOTLB], 0u);
	EXPECT_EQ(m.stats().inv_descriptors[VTD_QI_IWD], 1u);
	for (const auto &s : m.steps)
		EXPECT_NE(s.structure, VTD_ST_INV_DESC) << "fetch while held";

	vtd_inv_queue_devtlb_complete(m.v, m.tokens().at(0));
	EXPECT_EQ(m.head(), 64u);
	EXPECT_EQ(m.mem.r32(kStatus), 1u);
	EXPECT_EQ(m.mem.r32(kStatus + 4), 2u);
	EXPECT_EQ(m.stats().inv_descriptors[VTD_QI_IOTLB], 1u);
	EXPECT_EQ(m.stats().inv_descriptors[VTD_QI_IWD], 2u);
}

TEST(DeviceTlbInvalidation, WaitWaitsForTheLastOfSeveralRequests)
{
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0100));
	m.put(1, devtlb(0x0208));
	m.put(2, wait_sw(5), kStatus);
	m.tail(3);
	auto t = m.tokens();
	ASSERT_EQ(t.size(), 2u);

	vtd_inv_queue_devtlb_complete(m.v, t[1]);
	EXPECT_EQ(m.mem.r32(kStatus), 0u);
	EXPECT_EQ(m.head(), 32u);
	EXPECT_EQ(m.sids(), std::vector<uint16_t>{0x0100});

	vtd_inv_queue_devtlb_complete(m.v, t[0]);
	EXPECT_EQ(m.mem.r32(kStatus), 5u);
	EXPECT_EQ(m.head(), 48u);
}

// ---- time-out: ITE
// -----------------------------------------------------------

TEST(DeviceTlbTimeout, NoEndpointGivesIteExactlyAtTheDeadline)
{
	Dq m;
	m.unmask_fault_event();
	m.enable();
	vtd_advance(m.v, 1000);
	m.put(0, devtlb(0x0310), 0x7000);
	m.put(1, wait_sw(1), kStatus);
	m.tail(2);

	vtd_advance(m.v, 1000 + kTimeout - 1);
	EXPECT_FALSE(m.fsts(VTD_FSTS_ITE));
	EXPECT_EQ(m.irq_count(VTD_IRQ_FAULT), 0u);
	EXPECT_EQ(m.head(), 16u);

	vtd_advance(m.v, 1000 + kTimeout);
	EXPECT_TRUE(m.fsts(VTD_FSTS_ITE));
	EXPECT_EQ(VTD_IQERCD_ITESID(m.rd64(VTD_REG_IQERCD)), 0x0310u);
	ASSERT_EQ(m.irq_count(VTD_IRQ_FAULT), 1u);
	EXPECT_EQ(m.irqs.back().data, 0x41u);
	EXPECT_EQ(m.stats().inv_errors, 1u);
	// The pending wait is aborted: consumed without its status write.
	EXPECT_EQ(m.mem.r32(kStatus), 0u);
	EXPECT_EQ(m.head(), 32u);
	EXPECT_FALSE(m.rd32(VTD_REG_ICS) & VTD_ICS_IWC);
	EXPECT_TRUE(m.tokens().empty());
}

TEST(DeviceTlbTimeout, QueueStopsUntilIteIsClearedThenResumesAtHead)
{
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0310));
	m.put(1, wait_sw(1), kStatus);
	m.tail(2);
	vtd_advance(m.v, kTimeout);
	ASSERT_TRUE(m.fsts(VTD_FSTS_ITE));

	// Software resubmits (as Linux does after an aborted wait): nothing
	// is fetched while ITE is set.
	m.put(2, wait_sw(2), kStatus + 4);
	m.tail(3);
	EXPECT_EQ(m.head(), 32u);
	EXPECT_EQ(m.mem.r32(kStatus + 4), 0u);

	m.wr32(VTD_REG_FSTS, VTD_FSTS_ITE);
	EXPECT_FALSE(m.fsts(VTD_FSTS_ITE));
	EXPECT_EQ(m.head(), 48u);
	EXPECT_EQ(m.mem.r32(kStatus + 4), 2u);
	EXPECT_EQ(m.mem.r32(kStatus), 0u); // the aborted wait stays aborted
}

// The slots Linux's qi_check_fault marks QI_ABORT on ITE: from IQH - 1 back
// to IQT, in a ring of n entries.
std::vector<unsigned int> linux_abort_scan(uint64_t iqh, uint64_t iqt,
					   unsigned int n)
{
	std::vector<unsigned int> slots;
	unsigned int head = (unsigned int)((iqh / 16 + n - 1) % n);
	unsigned int tail = (unsigned int)((iqt / 16 + n - 1) % n);

	do {
		slots.push_back(head);
		head = (head + n - 1) % n;
	} while (head != tail);
	return slots;
}

TEST(DeviceTlbTimeout, LinuxAbortScanFindsTheTimedOutWait)
{
	Dq m;
	m.enable();
	m.put(0, VTD_QI_IOTLB | (uint64_t)VTD_QI_IOTLB_G_GLOBAL << 4);
	m.put(1, wait_sw(1), kStatus);
	m.tail(2); // an earlier batch, done
	m.put(2, devtlb(0x0310));
	m.put(3, wait_sw(2), kStatus + 4); // Linux's wait_index
	m.put(4, devtlb(0x0318));	   // a later batch
	m.put(5, wait_sw(3), kStatus + 8);
	m.tail(6);
	vtd_advance(m.v, kTimeout);
	ASSERT_TRUE(m.fsts(VTD_FSTS_ITE));

	auto s = linux_abort_scan(m.head(), m.rd64(VTD_REG_IQT), 256);
	EXPECT_NE(std::find(s.begin(), s.end(), 3u), s.end());
	// the later batch is not fetched yet, so not aborted
	EXPECT_EQ(std::find(s.begin(), s.end(), 5u), s.end());
	EXPECT_EQ(m.head(), 4u * 16);
}

TEST(DeviceTlbTimeout, CompletionDueAtTheDeadlineIsInTime)
{
	struct Hook {
		static void complete(vtd *v, void *, uint64_t token)
		{
			vtd_inv_queue_devtlb_complete(v, token);
		}
	};
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0100));
	m.put(1, wait_sw(3), kStatus);
	m.tail(2);
	// Scheduled after the time-out: still runs before it.
	vtd_sched_at(m.v, kTimeout, Hook::complete, nullptr, m.tokens().at(0));
	vtd_advance(m.v, kTimeout);

	EXPECT_FALSE(m.fsts(VTD_FSTS_ITE));
	EXPECT_EQ(m.mem.r32(kStatus), 3u);
	EXPECT_EQ(m.stats().inv_errors, 0u);
}

TEST(DeviceTlbTimeout, EachRequestHasItsOwnDeadline)
{
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0100));
	m.tail(1);
	vtd_advance(m.v, 4000);
	m.put(1, devtlb(0x0200));
	m.put(2, wait_sw(4), kStatus);
	m.tail(3);
	auto t = m.tokens();
	ASSERT_EQ(t.size(), 2u);

	vtd_inv_queue_devtlb_complete(m.v, t[0]);
	vtd_advance(m.v, kTimeout); // the first deadline: already completed
	EXPECT_FALSE(m.fsts(VTD_FSTS_ITE));
	vtd_advance(m.v, 4000 + kTimeout - 1);
	EXPECT_FALSE(m.fsts(VTD_FSTS_ITE));
	vtd_advance(m.v, 4000 + kTimeout);
	EXPECT_TRUE(m.fsts(VTD_FSTS_ITE));
	EXPECT_EQ(VTD_IQERCD_ITESID(m.rd64(VTD_REG_IQERCD)), 0x0200u);
}

TEST(DeviceTlbTimeout, OtherRequestsStayOutstandingAcrossIte)
{
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0100)); // never answered
	m.tail(1);
	vtd_advance(m.v, 5000);
	m.put(1, devtlb(0x0200)); // answered after the first times out
	m.put(2, wait_sw(1), kStatus);
	m.tail(3);
	uint64_t second = m.tokens().at(1);

	vtd_advance(m.v, kTimeout);
	ASSERT_TRUE(m.fsts(VTD_FSTS_ITE));
	EXPECT_EQ(m.head(), 48u); // wait aborted
	EXPECT_EQ(m.sids(), std::vector<uint16_t>{0x0200});

	// Resubmitted wait after ITE: waits for the second request.
	m.put(3, wait_sw(2), kStatus + 4);
	m.tail(4);
	m.wr32(VTD_REG_FSTS, VTD_FSTS_ITE);
	EXPECT_EQ(m.head(), 48u);
	EXPECT_EQ(m.mem.r32(kStatus + 4), 0u);
	vtd_inv_queue_devtlb_complete(m.v, second);
	EXPECT_EQ(m.mem.r32(kStatus + 4), 2u);
	EXPECT_EQ(m.head(), 64u);
	EXPECT_FALSE(m.fsts(VTD_FSTS_ICE));
}

TEST(DeviceTlbTimeout, SecondTimeOutKeepsTheFirstSid)
{
	Dq m;
	m.unmask_fault_event();
	m.enable();
	m.put(0, devtlb(0x0100));
	m.put(1, devtlb(0x0200));
	m.tail(2);
	vtd_advance(m.v, kTimeout);

	EXPECT_TRUE(m.fsts(VTD_FSTS_ITE));
	EXPECT_EQ(VTD_IQERCD_ITESID(m.rd64(VTD_REG_IQERCD)), 0x0100u);
	EXPECT_EQ(m.stats().inv_errors, 2u);
	EXPECT_EQ(m.irq_count(VTD_IRQ_FAULT), 1u);
}

TEST(DeviceTlbTimeout, LateCompletionIsAnInvalidationCompletionError)
{
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0418));
	m.tail(1);
	uint64_t t = m.tokens().at(0);
	vtd_advance(m.v, kTimeout);
	ASSERT_TRUE(m.fsts(VTD_FSTS_ITE));

	vtd_inv_queue_devtlb_complete(m.v, t);
	EXPECT_TRUE(m.fsts(VTD_FSTS_ICE));
	EXPECT_EQ(VTD_IQERCD_ICESID(m.rd64(VTD_REG_IQERCD)), 0x0418u);
	EXPECT_EQ(m.stats().inv_errors, 2u);

	// Only once.
	m.wr32(VTD_REG_FSTS, VTD_FSTS_ICE);
	vtd_inv_queue_devtlb_complete(m.v, t);
	EXPECT_FALSE(m.fsts(VTD_FSTS_ICE));
}

TEST(DeviceTlbTimeout, UnknownTokenIsDiscarded)
{
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0100));
	m.put(1, wait_sw(1), kStatus);
	m.tail(2);

	vtd_inv_queue_devtlb_complete(m.v, m.tokens().at(0) + 1000);
	vtd_inv_queue_devtlb_complete(m.v, 0);
	EXPECT_EQ(m.mem.r32(kStatus), 0u);
	EXPECT_EQ(m.tokens().size(), 1u);
	EXPECT_EQ(m.rd32(VTD_REG_FSTS), 0u);
	EXPECT_EQ(m.stats().inv_errors, 0u);
}

// ---- decode
// --------------------------------------------------------------------

struct Decoded {
	uint16_t sid = 0;
	vtd_devtlb_inv inv{};
	bool ok = false;
};

Decoded decode(uint64_t qw0, uint64_t qw1)
{
	Decoded d;

	d.ok = vtd_inv_queue_devtlb_decode(qw0, qw1, &d.sid, &d.inv);
	return d;
}

TEST(DeviceTlbDecode, WithoutSizeBitOnePageAtTheAddress)
{
	auto d = decode(devtlb(0x1234) | (uint64_t)7 << 16, 0xabcde000);
	ASSERT_TRUE(d.ok);
	EXPECT_EQ(d.sid, 0x1234u);
	EXPECT_FALSE(d.inv.has_pasid);
	EXPECT_EQ(d.inv.addr, 0xabcde000u);
	EXPECT_EQ(d.inv.size, 4096u);
}

TEST(DeviceTlbDecode, LowestZeroAddressBitGivesTheSize)
{
	// bit 12 clear: 8 KiB
	auto d = decode(devtlb(1), 0x10000 | VTD_QI_DIOTLB_S);
	EXPECT_EQ(d.inv.addr, 0x10000u);
	EXPECT_EQ(d.inv.size, 0x2000u);
	// bits 12..19 set, bit 20 clear: 2 MiB at 0x40000000
	d = decode(devtlb(1), 0x400ff000 | VTD_QI_DIOTLB_S);
	EXPECT_EQ(d.inv.addr, 0x40000000u);
	EXPECT_EQ(d.inv.size, 0x200000u);
	// as Linux encodes 2^9 pages at 0x80000000 (qi_desc_dev_iotlb)
	uint64_t a = 0x80000000ULL | ((1ULL << (12 + 9 - 1)) - 1);
	d = decode(devtlb(1), (a & ~0xfffULL) | VTD_QI_DIOTLB_S);
	EXPECT_EQ(d.inv.addr, 0x80000000u);
	EXPECT_EQ(d.inv.size, 1ULL << 21);
	// the descriptor the PASID test uses: bits 30:12 set -> 4 GiB at 0
	d = decode(devtlb(1), 0x7ffff000 | VTD_QI_DIOTLB_S);
	EXPECT_EQ(d.inv.addr, 0u);
	EXPECT_EQ(d.inv.size, 1ULL << 32);
}

TEST(DeviceTlbDecode, AllOnesBelowBit63IsTheWholeAddressSpace)
{
	// Linux's full flush: ADDR bits 62:12 set (MAX_AGAW_PFN_WIDTH)
	auto d = decode(devtlb(1), 0x7ffffffffffff000ULL | VTD_QI_DIOTLB_S);
	EXPECT_EQ(d.inv.addr, 0u);
	EXPECT_EQ(d.inv.size, 0u) << "size 0: everything";
	d = decode(devtlb(1), ~0ULL & ~0xffeULL);
	EXPECT_EQ(d.inv.addr, 0u);
	EXPECT_EQ(d.inv.size, 0u);
}

TEST(DeviceTlbDecode, PasidBasedCarriesSidPasidAndGlobal)
{
	auto d = decode(pdevtlb(0x0a10, 0xfedcb) | (uint64_t)3 << 4,
			0x123000 | VTD_QI_PDIOTLB_G);
	ASSERT_TRUE(d.ok);
	EXPECT_EQ(d.sid, 0x0a10u);
	EXPECT_TRUE(d.inv.has_pasid);
	EXPECT_EQ(d.inv.pasid, 0xfedcbu);
	EXPECT_TRUE(d.inv.global);
	EXPECT_EQ(d.inv.addr, 0x123000u);
	EXPECT_EQ(d.inv.size, 4096u);

	// S is bit 11 in the PASID-based descriptor, not bit 0 (that is G)
	d = decode(pdevtlb(1, 2), 0x5000 | VTD_QI_PDIOTLB_S);
	EXPECT_FALSE(d.inv.global);
	EXPECT_EQ(d.inv.addr, 0x4000u);
	EXPECT_EQ(d.inv.size, 0x4000u);
}

TEST(DeviceTlbDecode, OtherTypesAreNotDeviceTlbRequests)
{
	EXPECT_FALSE(decode(VTD_QI_IOTLB, 0).ok);
	EXPECT_FALSE(decode(VTD_QI_IWD, 0).ok);
}

TEST(DeviceTlbInvalidation, PasidBasedRequestIsRoutedToItsSid)
{
	Dq m;
	m.scalable();
	m.enable(true);
	m.put(0, pdevtlb(0x0a10, 77), 0x123000 | VTD_QI_PDIOTLB_G);
	m.put(1, wait_sw(8), kStatus);
	m.tail(2);

	EXPECT_EQ(m.sids(), std::vector<uint16_t>{0x0a10});
	EXPECT_EQ(m.head(), 32u);
	EXPECT_EQ(m.stats().inv_descriptors[VTD_QI_PDIOTLB], 1u);
	vtd_inv_queue_devtlb_complete(m.v, m.tokens().at(0));
	EXPECT_EQ(m.mem.r32(kStatus), 8u);
	EXPECT_EQ(m.head(), 64u);
}

// ---- bounds, reset, disable
// ------------------------------------------------------

TEST(DeviceTlbInvalidation, AtMostOneOutstandingRequestPerQueueEntry)
{
	Dq m; // QS=0: 256 entries
	m.enable();
	for (unsigned int i = 0; i < 255; i++)
		m.put(i, devtlb((uint16_t)i));
	m.tail(255);
	ASSERT_EQ(m.head(), 255u * 16);
	m.put(255, devtlb(0x1000));
	m.put(0, devtlb(0x1001));
	m.tail(1);

	// The 256th is sent, the 257th waits at IQH for room.
	EXPECT_EQ(m.head(), 0u);
	EXPECT_EQ(vtd_inv_queue_devtlb_outstanding(m.v, nullptr, nullptr, 0),
		  256u);
	EXPECT_EQ(m.stats().inv_descriptors[VTD_QI_DIOTLB], 256u);

	vtd_inv_queue_devtlb_complete(m.v, m.tokens().at(3));
	EXPECT_EQ(m.head(), 16u);
	EXPECT_EQ(vtd_inv_queue_devtlb_outstanding(m.v, nullptr, nullptr, 0),
		  256u);
	EXPECT_EQ(m.stats().inv_descriptors[VTD_QI_DIOTLB], 257u);
}

TEST(DeviceTlbInvalidation, ResetForgetsRequestsAndTheirTimeOuts)
{
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0100));
	m.put(1, wait_sw(1), kStatus);
	m.tail(2);
	uint64_t t = m.tokens().at(0);

	vtd_reset(m.v);
	EXPECT_TRUE(m.tokens().empty());
	uint64_t next;
	EXPECT_FALSE(vtd_next_event(m.v, &next));
	vtd_advance(m.v, 2 * kTimeout);
	EXPECT_EQ(m.rd32(VTD_REG_FSTS), 0u);
	vtd_inv_queue_devtlb_complete(m.v, t); // from before the reset
	EXPECT_EQ(m.rd32(VTD_REG_FSTS), 0u);
	EXPECT_EQ(m.mem.r32(kStatus), 0u);

	// A new request after the reset never gets an old token.
	m.enable();
	m.put(0, devtlb(0x0100));
	m.tail(1);
	EXPECT_NE(m.tokens().at(0), t);
}

TEST(DeviceTlbInvalidation, DisablingTheQueueAbandonsTheHeldWait)
{
	Dq m;
	m.enable();
	m.put(0, devtlb(0x0100));
	m.put(1, wait_sw(1), kStatus);
	m.tail(2);
	uint64_t t = m.tokens().at(0);

	m.wr32(VTD_REG_GCMD,
	       m.rd32(VTD_REG_GSTS) & kPersistentGsts & ~VTD_GSTS_QIES);
	ASSERT_FALSE(m.rd32(VTD_REG_GSTS) & VTD_GSTS_QIES);
	vtd_inv_queue_devtlb_complete(m.v, t);
	EXPECT_EQ(m.mem.r32(kStatus), 0u);
	EXPECT_EQ(m.head(), 0u);

	// Re-enabled, the queue starts afresh.
	m.put(0, wait_sw(2), kStatus);
	m.enable();
	m.tail(1);
	EXPECT_EQ(m.mem.r32(kStatus), 2u);
	EXPECT_EQ(m.head(), 16u);
}

} // namespace
