// SPDX-License-Identifier: MIT
// The page request queue engine: checks and faults, descriptors, PPR/PRO,
// the page request event, overflow and automatic responses.
#include "xlate_util.h"

#include <vtdsim/endpoint.h>
#include <vtdsim/pcie_caps.h>

using namespace xlt;

namespace
{

constexpr uint16_t kSid = 0x0520;

struct Prq : Xlate {
	Scalable s{*this, kSid};
	uint64_t q = 0;
	explicit Prq(const std::function<void(vtd_config &)> &tweak = {})
	    : Xlate(tweak)
	{
		mem.w64(s.ce_addr(), mem.r64(s.ce_addr()) | VTD_SM_CTX_LO_PRE |
					     VTD_SM_CTX_LO_DTE);
		q = alloc();
		wr64(VTD_REG_PQA, q); // QS=0: 128 slots
	}
	void req(uint64_t addr, uint16_t prgi, bool lpig = true,
		 bool has_pasid = true, uint16_t sid = kSid)
	{
		struct vtd_page_request pr {
		};
		pr.sid = sid;
		pr.has_pasid = has_pasid;
		pr.pasid = 3;
		pr.write = true;
		pr.addr = addr;
		pr.prgi = prgi;
		pr.lpig = lpig;
		vtd_page_request(v, &pr);
	}
	size_t prq_irqs() const
	{
		size_t n = 0;
		for (auto &i : irqs)
			n += i.src == VTD_IRQ_PAGE_REQUEST;
		return n;
	}
};

} // namespace

// A request with every field set, private data too, as the device sent it.
void full_request(Prq &m)
{
	struct vtd_page_request pr {
	};
	pr.sid = kSid;
	pr.has_pasid = true;
	pr.pasid = 0xabcde;
	pr.priv = pr.exec = pr.read = true;
	pr.addr = 0x7f0000123000;
	pr.prgi = 0x1a5;
	pr.lpig = true;
	pr.has_private = true;
	pr.private_data[0] = 0x1111;
	pr.private_data[1] = 0x2222;
	vtd_page_request(m.v, &pr);
}

// The rev 4.x layout (VER 4.0, the default): no Private Data, so PDP and
// qw2/qw3 stay 0 whatever the device sent.
TEST(PageRequestQueue, DescriptorWrittenAtTailWithEveryField)
{
	Prq m;

	full_request(m);
	EXPECT_EQ(m.rd64(VTD_REG_PQT), 32u);
	uint64_t q0 = m.mem.r64(m.q), q1 = m.mem.r64(m.q + 8);
	EXPECT_EQ(VTD_PRQ0_TYPE(q0), 1u);
	EXPECT_EQ(VTD_PRQ0_RID(q0), kSid);
	EXPECT_EQ(VTD_PRQ0_PASID(q0), 0xabcdeu);
	EXPECT_TRUE(q0 & VTD_PRQ0_PASID_P);
	EXPECT_FALSE(q0 & VTD_PRQ0_PDP);
	EXPECT_TRUE(q0 & VTD_PRQ0_EXE);
	EXPECT_TRUE(q0 & VTD_PRQ0_PM);
	EXPECT_TRUE(q1 & VTD_PRQ1_RD);
	EXPECT_FALSE(q1 & VTD_PRQ1_WR);
	EXPECT_TRUE(q1 & VTD_PRQ1_LPIG);
	EXPECT_EQ(VTD_PRQ1_PRGI(q1), 0x1a5u);
	EXPECT_EQ(q1 & VTD_PRQ1_ADDR_MASK, 0x7f0000123000u);
	EXPECT_EQ(m.mem.r64(m.q + 16), 0u);
	EXPECT_EQ(m.mem.r64(m.q + 24), 0u);
	EXPECT_TRUE(m.rd32(VTD_REG_PRS) & VTD_PRS_PPR);
}

// A unit whose VER reports 3.x writes the 3.x layout: PDP and the private
// data in qw2/qw3.
TEST(PageRequestQueue, PrivateDataIsCarriedOnlyUnderVer3)
{
	Prq m([](vtd_config &c) { c.version = 0x30; });

	full_request(m);
	EXPECT_EQ(m.rd32(VTD_REG_VER), 0x30u);
	EXPECT_TRUE(m.mem.r64(m.q) & VTD_PRQ0_PDP);
	EXPECT_EQ(m.mem.r64(m.q + 16), 0x1111u);
	EXPECT_EQ(m.mem.r64(m.q + 24), 0x2222u);
}

TEST(PageRequestQueue, TailWrapsAroundTheRing)
{
	Prq m;
	m.wr64(VTD_REG_PQH, 4096 - 32);
	// PQT can only move when PQH is ahead: fill up to the slot before
	for (int i = 0; i < 126; i++)
		m.req(0x1000, (uint16_t)i);
	EXPECT_EQ(m.rd64(VTD_REG_PQT), 126u * 32);
	m.wr64(VTD_REG_PQH, 126u * 32);
	m.req(0x1000, 1);
	m.req(0x1000, 2);
	EXPECT_EQ(m.rd64(VTD_REG_PQT), 0u) << "wrapped";
}

TEST(PageRequestQueue, EventSentOnceWhilePprStaysSet)
{
	Prq m;
	m.wr32(VTD_REG_PECTL, 0);
	m.req(0x1000, 0);
	m.req(0x2000, 1);
	EXPECT_EQ(m.prq_irqs(), 1u);
	m.wr32(VTD_REG_PRS, VTD_PRS_PPR); // software clears PPR
	m.req(0x3000, 2);
	EXPECT_EQ(m.prq_irqs(), 2u);
}

TEST(PageRequestQueue, MaskedEventStaysPendingUntilUnmasked)
{
	Prq m;
	m.req(0x1000, 0); // PECTL.IM is set at reset
	EXPECT_EQ(m.prq_irqs(), 0u);
	EXPECT_EQ(m.rd32(VTD_REG_PECTL), 0xc0000000u);
	m.wr32(VTD_REG_PECTL, 0);
	EXPECT_EQ(m.prq_irqs(), 1u);
	EXPECT_EQ(m.rd32(VTD_REG_PECTL), 0u);
}

TEST(PageRequestQueue, OverflowSetsProStopsQueueingAndAnswersSuccess)
{
	Prq m;
	vtd_endpoint_config c;
	vtd_endpoint_config_init(&c, kSid);
	char err[64];
	vtd_endpoint *ep = vtd_endpoint_create(m.v, &c, nullptr, nullptr, err,
					       sizeof(err));
	ASSERT_NE(ep, nullptr);
	for (int i = 0; i < 127; i++)
		m.req(0x1000, (uint16_t)i);
	EXPECT_FALSE(m.rd32(VTD_REG_PRS) & VTD_PRS_PRO);
	m.req(0x9000, 200);
	EXPECT_TRUE(m.rd32(VTD_REG_PRS) & VTD_PRS_PRO);
	EXPECT_EQ(m.stats().page_requests_auto_responded, 1u);
	// the response is an event: delivered when the clock runs
	EXPECT_EQ(vtd_endpoint_get_stats(ep)->page_responses[0], 0u);
	vtd_advance(m.v, vtd_now(m.v));
	EXPECT_EQ(vtd_endpoint_get_stats(ep)->page_responses[0], 1u);
	// PRO holds queueing even with room
	m.wr64(VTD_REG_PQH, m.rd64(VTD_REG_PQT));
	m.req(0xa000, 201, false); // not last in group: no response
	EXPECT_EQ(m.stats().page_requests_queued, 127u);
	EXPECT_EQ(m.stats().page_requests_auto_responded, 1u);
	m.wr32(VTD_REG_PRS, VTD_PRS_PRO);
	m.req(0xb000, 202);
	EXPECT_EQ(m.stats().page_requests_queued, 128u);
}

TEST(PageRequestQueue, LegacyModeFaults32)
{
	Xlate m;
	Legacy l(m, kSid);
	m.wr64(VTD_REG_PQA, m.alloc());
	struct vtd_page_request pr {
	};
	pr.sid = kSid;
	pr.read = pr.lpig = true;
	vtd_page_request(m.v, &pr);
	EXPECT_EQ(m.frcd0_reason(), VTD_FR_SM_TTM_PGREQ);
	EXPECT_EQ(m.stats().page_requests_queued, 0u);
	EXPECT_EQ(m.stats().page_requests_auto_responded, 1u);
}

TEST(PageRequestQueue, PreClearFaults47AndPasideClearFaults45)
{
	Prq m;
	m.mem.w64(m.s.ce_addr(), m.mem.r64(m.s.ce_addr()) & ~VTD_SM_CTX_LO_PRE);
	m.req(0x1000, 0);
	EXPECT_EQ(m.frcd0_reason(), VTD_FR_SM_CTX_PRE);
	Prq n;
	n.mem.w64(n.s.ce_addr(),
		  n.mem.r64(n.s.ce_addr()) & ~VTD_SM_CTX_LO_PASIDE);
	n.req(0x1000, 0);
	EXPECT_EQ(n.frcd0_reason(), VTD_FR_SM_CTX_PASIDE);
	EXPECT_EQ(n.stats().page_requests_queued, 0u);
}

TEST(PageRequestQueue, IgnoredWithoutEcapPrs)
{
	Xlate m([](vtd_config &c) { c.ecap &= ~VTD_ECAP_PRS; });
	struct vtd_page_request pr {
	};
	pr.sid = kSid;
	pr.read = pr.lpig = true;
	vtd_page_request(m.v, &pr);
	EXPECT_EQ(m.stats().page_requests, 1u);
	EXPECT_EQ(m.stats().page_requests_queued, 0u);
	EXPECT_EQ(m.stats().faults_recorded, 0u);
}
