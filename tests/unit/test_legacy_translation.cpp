// SPDX-License-Identifier: MIT
// Legacy-mode translation: root/context entries, second-level walks,
// pass-through, fault codes 01h-0Ch, FPD, IOTLB.
#include "xlate_util.h"

using namespace xlt;

namespace
{

const uint16_t kSid = sid(3, 2, 1);

TEST(LegacyTranslation, TranslationDisabledPassesAddressThrough)
{
	Xlate m;
	auto r = m.tr(kSid, 0x12345678);
	EXPECT_TRUE(r.ok);
	EXPECT_EQ(r.mode, VTD_MODE_UNTRANSLATED_OFF);
	EXPECT_EQ(r.addr, 0x12345678u);
	EXPECT_EQ(m.stats().requests, 1u);
}

TEST(LegacyTranslation, ThreeLevel4KPage)
{
	Xlate m;
	Legacy l(m, kSid, 3, 7);
	l.map(0x7654000, 0xabcd000);
	auto r = m.tr(kSid, 0x7654321);
	ASSERT_TRUE(r.ok) << std::hex << (int)r.fault;
	EXPECT_EQ(r.mode, VTD_MODE_LEGACY_SL);
	EXPECT_EQ(r.addr, 0xabcd321u);
	EXPECT_EQ(r.page_size, 4096u);
	EXPECT_EQ(r.perm, VTD_PERM_R | VTD_PERM_W);
	EXPECT_EQ(r.did, 7);
	EXPECT_EQ(m.stats().translations[VTD_MODE_LEGACY_SL], 1u);
}

TEST(LegacyTranslation, FourLevel2MAnd1GPages)
{
	Xlate m;
	Legacy l(m, kSid, 4);
	l.map(0x40000000, 0x80000000, 3);
	l.map(0x200000, 0x1600000, 2);
	auto g = m.tr(kSid, 0x40012345);
	ASSERT_TRUE(g.ok);
	EXPECT_EQ(g.addr, 0x80012345u);
	EXPECT_EQ(g.page_size, 1ULL << 30);
	auto mb = m.tr(kSid, 0x2fffff);
	ASSERT_TRUE(mb.ok);
	EXPECT_EQ(mb.addr, 0x16fffffu);
	EXPECT_EQ(mb.page_size, 2ULL << 20);
}

TEST(LegacyTranslation, FiveLevelWalk)
{
	Xlate m;
	Legacy l(m, kSid, 5);
	l.map(0x100000000000000ULL, 0x5000, 1);
	auto r = m.tr(kSid, 0x100000000000010ULL);
	ASSERT_TRUE(r.ok) << std::hex << (int)r.fault;
	EXPECT_EQ(r.addr, 0x5010u);
}

TEST(LegacyTranslation, PassThroughNeedsEcapPt)
{
	Xlate m;
	Legacy l(m, kSid);
	l.set_context(VTD_CTX_LO_P | (uint64_t)VTD_CTX_TT_PT << 2,
		      2 | 5ULL << 8);
	auto r = m.tr(kSid, 0x123456789);
	ASSERT_TRUE(r.ok);
	EXPECT_EQ(r.mode, VTD_MODE_LEGACY_PT);
	EXPECT_EQ(r.addr, 0x123456789u);

	Xlate n([](vtd_config &c) { c.ecap &= ~VTD_ECAP_PT; });
	Legacy l2(n, kSid);
	l2.set_context(VTD_CTX_LO_P | (uint64_t)VTD_CTX_TT_PT << 2,
		       2 | 5ULL << 8);
	r = n.tr(kSid, 0x1000);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.fault, VTD_FR_CTX_INVALID);
}

TEST(LegacyTranslation, PermissionFaults)
{
	Xlate m;
	Legacy l(m, kSid);
	l.map(0x1000, 0x2000, 1, VTD_SL_R);
	l.map(0x3000, 0x4000, 1, VTD_SL_W);
	EXPECT_TRUE(m.tr(kSid, 0x1000).ok);
	auto w = m.tr(kSid, 0x1000, VTD_ACCESS_WRITE);
	EXPECT_EQ(w.fault, VTD_FR_PTE_WRITE);
	EXPECT_EQ(m.frcd0_reason(), VTD_FR_PTE_WRITE);
	auto rd = m.tr(kSid, 0x3008);
	EXPECT_EQ(rd.fault, VTD_FR_PTE_READ);
	EXPECT_TRUE(m.tr(kSid, 0x3008, VTD_ACCESS_WRITE).ok);
	EXPECT_EQ(m.tr(kSid, 0x3008, VTD_ACCESS_ATOMIC).fault,
		  VTD_FR_PTE_READ);
	// Not present (R=W=0) reports by access type.
	EXPECT_EQ(m.tr(kSid, 0x9000).fault, VTD_FR_PTE_READ);
	EXPECT_EQ(m.tr(kSid, 0x9000, VTD_ACCESS_WRITE).fault,
		  VTD_FR_PTE_WRITE);
	EXPECT_EQ(m.stats().faults[VTD_FR_PTE_WRITE], 2u);
}

struct LegacyFaultCase {
	const char *name;
	std::function<void(Xlate &, Legacy &)> mutate;
	uint64_t addr;
	uint8_t fault;
};

class LegacyFaults : public ::testing::TestWithParam<LegacyFaultCase>
{
};

TEST_P(LegacyFaults, BlockedWithSpecFaultCodeAndRecorded)
{
	const auto &c = GetParam();
	Xlate m;
	Legacy l(m, kSid, 3);
	l.map(0x1000, 0x2000);
	c.mutate(m, l);
	auto r = m.tr(kSid, c.addr);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.mode, VTD_MODE_BLOCKED);
	EXPECT_EQ(r.fault, c.fault) << c.name;
	EXPECT_TRUE(r.fault_recorded);
	EXPECT_EQ(m.frcd0_reason(), c.fault);
	EXPECT_EQ(m.stats().faults[c.fault], 1u);
}

const uint64_t kFar = 1ULL << 41; // below HAW, above test memory

INSTANTIATE_TEST_SUITE_P(
	AllCodes, LegacyFaults,
	::testing::Values(
		LegacyFaultCase{ "root not present",
				 [](Xlate &m, Legacy &l) {
					 m.mem.w64(l.root + 3 * 16, 0);
				 },
				 0x1000, VTD_FR_ROOT_NOT_PRESENT },
		LegacyFaultCase{ "context not present",
				 [](Xlate &, Legacy &l) {
					 l.set_context(0, 0);
				 },
				 0x1000, VTD_FR_CTX_NOT_PRESENT },
		LegacyFaultCase{ "TT reserved",
				 [](Xlate &, Legacy &l) {
					 l.set_context(l.slpt | 3 << 2 | 1, 1);
				 },
				 0x1000, VTD_FR_CTX_INVALID },
		LegacyFaultCase{ "AW not in SAGAW",
				 [](Xlate &, Legacy &l) {
					 l.set_context(l.slpt | 1, 4);
				 },
				 0x1000, VTD_FR_CTX_INVALID },
		LegacyFaultCase{ "SLPTPTR beyond HAW",
				 [](Xlate &, Legacy &l) {
					 l.set_context((1ULL << 47) | 1, 1);
				 },
				 0x1000, VTD_FR_CTX_INVALID },
		LegacyFaultCase{ "input beyond AGAW", [](Xlate &, Legacy &) {},
				 1ULL << 39, VTD_FR_ADDR_BEYOND_MGAW },
		LegacyFaultCase{ "paging entry unreadable",
				 [](Xlate &, Legacy &l) {
					 l.set_context(kFar | 1, 1);
				 },
				 0x1000, VTD_FR_NEXT_PTR_INVALID },
		LegacyFaultCase{ "root table unreadable",
				 [](Xlate &m, Legacy &) { m.enable(kFar, 0); },
				 0x1000, VTD_FR_ROOT_ADDR_INVALID },
		LegacyFaultCase{ "context table unreadable",
				 [](Xlate &m, Legacy &l) {
					 m.mem.w64(l.root + 3 * 16, kFar | 1);
				 },
				 0x1000, VTD_FR_CTX_PTR_INVALID },
		LegacyFaultCase{ "root reserved bit",
				 [](Xlate &m, Legacy &l) {
					 m.mem.w64(l.root + 3 * 16,
						   l.ctx | 1 | 1 << 4);
				 },
				 0x1000, VTD_FR_ROOT_RSVD },
		LegacyFaultCase{ "context reserved bit",
				 [](Xlate &, Legacy &l) {
					 l.set_context(l.slpt | 1 | 1 << 5, 1);
				 },
				 0x1000, VTD_FR_CTX_RSVD },
		LegacyFaultCase{ "PTE reserved bit 62",
				 [](Xlate &m, Legacy &l) {
					 uint64_t a = m.entry_addr(l.slpt, 3,
								   0x1000, 1);
					 m.mem.w64(a, m.mem.r64(a) |
							      VTD_BIT(62));
				 },
				 0x1000, VTD_FR_PTE_RSVD },
		LegacyFaultCase{ "PTE address beyond HAW",
				 [](Xlate &m, Legacy &l) {
					 uint64_t a = m.entry_addr(l.slpt, 3,
								   0x1000, 1);
					 m.mem.w64(a, (1ULL << 47) | 3);
				 },
				 0x1000, VTD_FR_PTE_RSVD },
		LegacyFaultCase{ "SNP without ECAP.SC",
				 [](Xlate &m, Legacy &l) {
					 uint64_t a = m.entry_addr(l.slpt, 3,
								   0x1000, 1);
					 m.mem.w64(a, m.mem.r64(a) | VTD_SL_SNP);
				 },
				 0x1000, VTD_FR_PTE_RSVD },
		LegacyFaultCase{ "interrupt range output",
				 [](Xlate &, Legacy &l) {
					 l.map(0x5000, 0xfee00000);
				 },
				 0x5004, VTD_FR_INTR_ADDR }));

TEST(LegacyTranslation, LargePageNotInSllpsIsReserved)
{
	Xlate m([](vtd_config &c) {
		c.cap &= ~(0xfULL << VTD_CAP_SLLPS_SHIFT);
		c.cap |= 1ULL << VTD_CAP_SLLPS_SHIFT; // 2M only
	});
	Legacy l(m, kSid, 4);
	l.map(0x40000000, 0x80000000, 3);
	l.map(0x200000, 0x400000, 2);
	EXPECT_EQ(m.tr(kSid, 0x40000000).fault, VTD_FR_PTE_RSVD);
	EXPECT_TRUE(m.tr(kSid, 0x200000).ok);
}

TEST(LegacyTranslation, RequestWithPasidFaults31h)
{
	Xlate m;
	Legacy l(m, kSid);
	l.map(0x1000, 0x2000);
	auto r = m.trp(kSid, 5, 0x1000);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.fault, VTD_FR_SM_TTM_PASID);
}

TEST(LegacyTranslation, FpdSuppressesQualifiedFaultButStillBlocks)
{
	Xlate m;
	Legacy l(m, kSid);
	l.set_context(VTD_CTX_LO_FPD, 0); // not present, FPD=1
	auto r = m.tr(kSid, 0x1000);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.fault, VTD_FR_CTX_NOT_PRESENT);
	EXPECT_FALSE(r.fault_recorded);
	EXPECT_EQ(m.stats().faults_suppressed, 1u);
	EXPECT_EQ(m.stats().faults_recorded, 0u);
	EXPECT_FALSE(m.rd32(VTD_REG_FSTS) & VTD_FSTS_PPF);

	// A permission fault under FPD is suppressed too.
	l.set_context(l.slpt | VTD_CTX_LO_FPD | VTD_CTX_LO_P, 2 | 1 << 8);
	vtd_context_cache_invalidate(m.v, VTD_QI_CC_G_GLOBAL, 0, 0, 0);
	r = m.tr(kSid, 0x1000);
	EXPECT_EQ(r.fault, VTD_FR_PTE_READ);
	EXPECT_FALSE(r.fault_recorded);

	// Reserved bits in the context entry are not qualified: recorded.
	l.set_context(VTD_CTX_LO_FPD | VTD_CTX_LO_P | 1 << 6, 2);
	vtd_context_cache_invalidate(m.v, VTD_QI_CC_G_GLOBAL, 0, 0, 0);
	r = m.tr(kSid, 0x1000);
	EXPECT_EQ(r.fault, VTD_FR_CTX_RSVD);
	EXPECT_TRUE(r.fault_recorded);
	EXPECT_TRUE(m.rd32(VTD_REG_FSTS) & VTD_FSTS_PPF);
}

TEST(LegacyTranslation, SecondAccessHitsIotlbAndContextCache)
{
	Xlate m;
	Legacy l(m, kSid, 4, 9);
	l.map(0x1000, 0x2000);
	auto a = m.tr(kSid, 0x1000);
	ASSERT_TRUE(a.ok);
	EXPECT_FALSE(a.iotlb_hit);
	uint64_t reads = m.mem.reads;
	auto b = m.tr(kSid, 0x1abc, VTD_ACCESS_WRITE);
	ASSERT_TRUE(b.ok);
	EXPECT_TRUE(b.iotlb_hit);
	EXPECT_EQ(b.addr, 0x2abcu);
	EXPECT_EQ(m.mem.reads, reads); // no memory access at all
	EXPECT_EQ(m.stats().cache[VTD_CACHE_IOTLB].hits, 1u);
	EXPECT_EQ(m.stats().cache[VTD_CACHE_CONTEXT].hits, 1u);
}

TEST(LegacyTranslation, SecondLevelPscResumesWalkBelowDeepestHit)
{
	Xlate m;
	Legacy l(m, kSid, 4);
	l.map(0x1000, 0x2000);
	l.map(0x5000, 0x6000);
	ASSERT_TRUE(m.tr(kSid, 0x1000).ok);
	uint64_t reads = m.mem.reads;
	auto r = m.tr(kSid, 0x5000);
	ASSERT_TRUE(r.ok);
	EXPECT_EQ(r.addr, 0x6000u);
	EXPECT_EQ(m.mem.reads - reads, 1u); // only the leaf PTE
	EXPECT_GE(m.stats().cache[VTD_CACHE_SL_PSC].hits, 1u);
}

TEST(LegacyTranslation, StepsReportEveryMemoryRead)
{
	Xlate m;
	Legacy l(m, kSid, 3);
	l.map(0x1000, 0x2000);
	m.record_steps = true;
	ASSERT_TRUE(m.tr(kSid, 0x1000).ok);
	std::vector<vtd_structure> st;
	for (auto &s : m.steps)
		if (s.kind == VTD_STEP_MEM_READ)
			st.push_back(s.structure);
	std::vector<vtd_structure> want = { VTD_ST_ROOT_ENTRY,
					    VTD_ST_CONTEXT_ENTRY,
					    VTD_ST_SL_ENTRY, VTD_ST_SL_ENTRY,
					    VTD_ST_SL_ENTRY };
	EXPECT_EQ(st, want);
}

} // namespace
