// SPDX-License-Identifier: MIT
// Scalable-mode translation: context/PASID structures, PGTT first-level,
// second-level, nested and pass-through, fault codes 30h-87h, FPD, caches.
#include "xlate_util.h"

using namespace xlt;

namespace
{

const uint16_t kSid = sid(0, 3, 0);
constexpr uint64_t kUser = kFlNonLeaf;				// P RW US
constexpr uint64_t kSup = VTD_FL_P | VTD_FL_RW;			// supervisor
constexpr uint64_t kFlA = VTD_FL_A;

TEST(FirstLevel, FourLevel4KWithRidPasidSetsAccessedFlags)
{
	Xlate m;
	Scalable s(m, kSid, 0);
	s.first_level(0, 4);
	s.flmap(0x7000, 0x9000);
	auto r = m.tr(kSid, 0x7123);
	ASSERT_TRUE(r.ok) << std::hex << (int)r.fault;
	EXPECT_EQ(r.mode, VTD_MODE_SM_FL);
	EXPECT_EQ(r.addr, 0x9123u);
	EXPECT_EQ(r.did, 4);
	for (unsigned l = 4; l >= 1; l--)
		EXPECT_TRUE(m.mem.r64(m.entry_addr(s.flpt, 4, 0x7000, l)) &
			    kFlA)
			<< l;
	uint64_t leaf = m.entry_addr(s.flpt, 4, 0x7000, 1);
	EXPECT_FALSE(m.mem.r64(leaf) & VTD_FL_D);
	// A write hits the clean IOTLB entry, walks again and sets D.
	auto w = m.tr(kSid, 0x7123, VTD_ACCESS_WRITE);
	ASSERT_TRUE(w.ok);
	EXPECT_FALSE(w.iotlb_hit);
	EXPECT_TRUE(m.mem.r64(leaf) & VTD_FL_D);
	auto w2 = m.tr(kSid, 0x7000, VTD_ACCESS_WRITE);
	EXPECT_TRUE(w2.iotlb_hit);
}

TEST(FirstLevel, FiveLevelWithPasid2MAnd1G)
{
	Xlate m;
	Scalable s(m, kSid);
	s.first_level(77, 2, true);
	uint64_t va = 0xff00000000000000ULL | (1ULL << 56) | 0x40000000;
	s.flmap(va, 0x80000000, 3, kUser, 5);
	s.flmap(0x200000, 0x600000, 2, kUser, 5);
	auto g = m.trp(kSid, 77, va + 0x1234);
	ASSERT_TRUE(g.ok) << std::hex << (int)g.fault;
	EXPECT_EQ(g.addr, 0x80001234u);
	EXPECT_EQ(g.page_size, 1ULL << 30);
	auto mb = m.trp(kSid, 77, 0x3fffff);
	ASSERT_TRUE(mb.ok);
	EXPECT_EQ(mb.addr, 0x7fffffu);
	EXPECT_EQ(mb.page_size, 2ULL << 20);
	// 1G pages need CAP.FL1GP.
	Xlate n([](vtd_config &c) { c.cap &= ~VTD_CAP_FL1GP; });
	Scalable s2(n, kSid);
	s2.first_level(1, 2);
	s2.flmap(0x40000000, 0x80000000, 3);
	EXPECT_EQ(n.trp(kSid, 1, 0x40000000).fault, VTD_FR_SM_FL_RSVD);
}

TEST(FirstLevel, UserRequestNeedsUsAtEveryLevel)
{
	Xlate m;
	Scalable s(m, kSid);
	s.first_level(1, 2, false, VTD_PTE2_SRE);
	s.flmap(0x1000, 0x2000, 1, kSup);
	auto u = m.trp(kSid, 1, 0x1000);
	EXPECT_EQ(u.fault, VTD_FR_SM_US);
	auto p = m.trp(kSid, 1, 0x1000, VTD_ACCESS_READ, true);
	EXPECT_TRUE(p.ok);
	EXPECT_FALSE(p.perm & VTD_PERM_U);
}

TEST(FirstLevel, PrivilegedRequestNeedsSre)
{
	Xlate m;
	Scalable s(m, kSid);
	s.first_level(1, 2);
	s.flmap(0x1000, 0x2000);
	EXPECT_EQ(m.trp(kSid, 1, 0x1000, VTD_ACCESS_READ, true).fault,
		  VTD_FR_SM_PTE_SRE);
}

TEST(FirstLevel, ExecuteRequestNeedsEreAndNoXd)
{
	Xlate m;
	Scalable s(m, kSid);
	s.first_level(1, 2, false, VTD_PTE2_ERE | VTD_PTE2_SRE);
	s.flmap(0x1000, 0x2000);
	s.flmap(0x3000, 0x4000, 1, kUser | VTD_FL_XD);
	EXPECT_TRUE(m.trp(kSid, 1, 0x1000, VTD_ACCESS_READ, false, true).ok);
	EXPECT_EQ(m.trp(kSid, 1, 0x3000, VTD_ACCESS_READ, false, true).fault,
		  VTD_FR_SM_XD);
	EXPECT_TRUE(m.trp(kSid, 1, 0x3000).ok);
	s.first_level(2, 2);
	EXPECT_EQ(m.trp(kSid, 2, 0x1000, VTD_ACCESS_READ, false, true).fault,
		  VTD_FR_SM_PTE_ERE);
	// SMEP: supervisor execute of a user page.
	s.first_level(3, 2, false,
		      VTD_PTE2_ERE | VTD_PTE2_SRE | VTD_PTE2_SMEP);
	EXPECT_EQ(m.trp(kSid, 3, 0x1000, VTD_ACCESS_READ, true, true).fault,
		  VTD_FR_SM_XD);
}

TEST(FirstLevel, SupervisorWriteToReadOnlyPageFaultsOnlyWithWpe)
{
	Xlate m;
	Scalable s(m, kSid);
	s.first_level(1, 2, false, VTD_PTE2_SRE);
	s.first_level(2, 3, false, VTD_PTE2_SRE | VTD_PTE2_WPE);
	s.flmap(0x1000, 0x2000, 1, VTD_FL_P | VTD_FL_US);
	EXPECT_TRUE(m.trp(kSid, 1, 0x1000, VTD_ACCESS_WRITE, true).ok);
	EXPECT_EQ(m.trp(kSid, 1, 0x1000, VTD_ACCESS_WRITE).fault,
		  VTD_FR_SM_WRITE);
	EXPECT_EQ(m.trp(kSid, 2, 0x1000, VTD_ACCESS_WRITE, true).fault,
		  VTD_FR_SM_WRITE);
}

TEST(FirstLevel, ExtendedAccessedFlagWithEafe)
{
	Xlate m;
	Scalable s(m, kSid);
	s.first_level(1, 2, false, VTD_PTE2_EAFE);
	s.flmap(0x1000, 0x2000);
	ASSERT_TRUE(m.trp(kSid, 1, 0x1000).ok);
	EXPECT_TRUE(m.mem.r64(m.entry_addr(s.flpt, 4, 0x1000, 1)) &
		    VTD_FL_EA);
}

TEST(FirstLevel, PscResumesWalkAtDeepestHit)
{
	Xlate m;
	Scalable s(m, kSid);
	s.first_level(1, 2);
	s.flmap(0x1000, 0x2000);
	s.flmap(0x3000, 0x4000);
	ASSERT_TRUE(m.trp(kSid, 1, 0x1000).ok);
	uint64_t reads = m.mem.reads;
	auto r = m.trp(kSid, 1, 0x3000);
	ASSERT_TRUE(r.ok);
	EXPECT_EQ(r.addr, 0x4000u);
	EXPECT_EQ(m.mem.reads - reads, 1u);
	EXPECT_EQ(m.stats().cache[VTD_CACHE_FL_PSC].hits, 1u);
	EXPECT_EQ(m.stats().cache[VTD_CACHE_PASID].hits, 1u);
}

TEST(SecondLevelScalable, WalkWithSladeSetsAccessedAndDirty)
{
	Xlate m;
	Scalable s(m, kSid);
	s.second_level(1, 5, 4, VTD_PTE0_SLADE);
	s.slmap(0x1000, 0x2000);
	auto r = m.trp(kSid, 1, 0x1010, VTD_ACCESS_WRITE);
	ASSERT_TRUE(r.ok) << std::hex << (int)r.fault;
	EXPECT_EQ(r.mode, VTD_MODE_SM_SL);
	EXPECT_EQ(r.addr, 0x2010u);
	uint64_t leaf = m.mem.r64(m.entry_addr(s.slpt, 4, 0x1000, 1));
	EXPECT_TRUE(leaf & VTD_SL_A);
	EXPECT_TRUE(leaf & VTD_SL_D);
	EXPECT_TRUE(m.mem.r64(m.entry_addr(s.slpt, 4, 0x1000, 4)) & VTD_SL_A);
	// Without SLADE nothing is written.
	Xlate n;
	Scalable s2(n, kSid);
	s2.second_level(1, 5, 3);
	s2.slmap(0x1000, 0x2000, 1, kSlRW, 3);
	ASSERT_TRUE(n.trp(kSid, 1, 0x1000, VTD_ACCESS_WRITE).ok);
	EXPECT_EQ(n.mem.writes, 0u);
}

TEST(SecondLevelScalable, PermissionCodes)
{
	Xlate m;
	Scalable s(m, kSid);
	s.second_level(1, 5, 4, VTD_PTE0_SLEE);
	s.slmap(0x1000, 0x2000, 1, VTD_SL_R);
	s.slmap(0x3000, 0x4000, 1, VTD_SL_W);
	s.slmap(0x5000, 0x6000, 1, VTD_SL_R | VTD_SL_X);
	EXPECT_EQ(m.trp(kSid, 1, 0x1000, VTD_ACCESS_WRITE).fault,
		  VTD_FR_SM_WRITE);
	EXPECT_EQ(m.trp(kSid, 1, 0x3000).fault, VTD_FR_SM_READ);
	EXPECT_EQ(m.trp(kSid, 1, 0x9000).fault, VTD_FR_SM_SL_PERM);
	EXPECT_EQ(m.trp(kSid, 1, 0x1000, VTD_ACCESS_READ, false, true).fault,
		  VTD_FR_SM_XD);
	// With SLEE=1 execute needs X at every level, non-leaf ones too.
	for (unsigned l = 4; l >= 2; l--) {
		uint64_t a = m.entry_addr(s.slpt, 4, 0x5000, l);
		m.mem.w64(a, m.mem.r64(a) | VTD_SL_X);
	}
	vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_GLOBAL, 0, 0, 0, false);
	EXPECT_TRUE(m.trp(kSid, 1, 0x5000, VTD_ACCESS_READ, false, true).ok);
}

TEST(Nested, FirstLevelTablesAndOutputGoThroughSecondLevel)
{
	Xlate m;
	Scalable s(m, kSid);
	s.nested(1, 6, VTD_PTE0_SLADE);
	// GPA 0..1G (where the FL tables live) identity-mapped read-write.
	s.slmap(0, 0, 3);
	// GPA 0x40000000 -> HPA 0x90000000, read-only 4K.
	s.slmap(0x40000000, 0x90000000, 1, VTD_SL_R);
	s.flmap(0x1000, 0x40000000);
	auto r = m.trp(kSid, 1, 0x1234);
	ASSERT_TRUE(r.ok) << std::hex << (int)r.fault;
	EXPECT_EQ(r.mode, VTD_MODE_SM_NESTED);
	EXPECT_EQ(r.addr, 0x90000234u);
	EXPECT_EQ(r.perm & (VTD_PERM_R | VTD_PERM_W), VTD_PERM_R);
	EXPECT_TRUE(m.mem.r64(m.entry_addr(s.flpt, 4, 0x1000, 1)) & kFlA);
	// Second level denies the write although first level allows it.
	EXPECT_EQ(m.trp(kSid, 1, 0x1234, VTD_ACCESS_WRITE).fault,
		  VTD_FR_SM_WRITE);
}

TEST(Nested, SecondLevelFaultsOnFirstLevelStructures)
{
	{ // FLPTPTR beyond the second level's width
		Xlate m;
		Scalable s(m, kSid);
		s.nested(1, 6);
		s.set_pasid(1, m.mem.r64(s.pte_addr(1)), 6, 1ULL << 50);
		EXPECT_EQ(m.trp(kSid, 1, 0x1000).fault,
			  VTD_FR_SM_FL_NESTED_MGAW);
	}
	{ // FLPTPTR page not readable through second level
		Xlate m;
		Scalable s(m, kSid);
		s.nested(1, 6);
		s.slmap(s.flpt, s.flpt, 1, VTD_SL_W);
		EXPECT_EQ(m.trp(kSid, 1, 0x1000).fault,
			  VTD_FR_SM_FL_NESTED_PML_READ);
	}
	{ // a lower FL table not readable; then not writable for A/D
		Xlate m;
		Scalable s(m, kSid);
		s.nested(1, 6);
		s.flmap(0x1000, 0x40000000);
		uint64_t pt = m.entry_addr(s.flpt, 4, 0x1000, 1) & ~0xfffULL;
		s.slmap(0, 0, 3);
		s.slmap(0x40000000, 0x40000000, 1);
		// carve the leaf table out of the 1G identity map: use 2M
		// pages with one 4K page table for it.
		uint64_t l3 = m.entry_addr(s.slpt, 4, 0, 3);
		m.mem.w64(l3, 0);
		for (uint64_t a = 0; a < 0x2000000; a += 0x200000)
			if (a != (pt & ~0x1fffffULL))
				s.slmap(a, a, 2);
		for (uint64_t a = pt & ~0x1fffffULL;
		     a < (pt & ~0x1fffffULL) + 0x200000; a += 0x1000)
			s.slmap(a, a, 1, a == pt ? VTD_SL_W : kSlRW);
		EXPECT_EQ(m.trp(kSid, 1, 0x1000).fault,
			  VTD_FR_SM_FL_NESTED_READ);
		s.slmap(pt, pt, 1, VTD_SL_R);
		vtd_iotlb_invalidate(m.v, VTD_QI_IOTLB_G_GLOBAL, 0, 0, 0, false);
		EXPECT_EQ(m.trp(kSid, 1, 0x1000).fault,
			  VTD_FR_SM_FL_NESTED_WRITE);
	}
}

TEST(PassThrough, ScalableOutputEqualsInputWithinHaw)
{
	Xlate m;
	Scalable s(m, kSid);
	s.pass_through(1, 9);
	auto r = m.trp(kSid, 1, 0x123456789);
	ASSERT_TRUE(r.ok);
	EXPECT_EQ(r.mode, VTD_MODE_SM_PT);
	EXPECT_EQ(r.addr, 0x123456789u);
	EXPECT_EQ(m.trp(kSid, 1, 1ULL << 46).fault, VTD_FR_SM_OUT_BEYOND_HAW);
	EXPECT_EQ(m.trp(kSid, 1, 0xfee00000).fault, VTD_FR_SM_INTR_ADDR);
}

TEST(ScalableTranslation, UpperContextTableForDevfnAbove127)
{
	Xlate m;
	const uint16_t hi = sid(2, 17, 3);
	Scalable s(m, hi);
	s.first_level(0, 2);
	s.flmap(0x1000, 0x2000);
	auto r = m.tr(hi, 0x1000);
	ASSERT_TRUE(r.ok) << std::hex << (int)r.fault;
	EXPECT_EQ(r.addr, 0x2000u);
}

TEST(ScalableTranslation, RidPrivMakesRequestsWithoutPasidSupervisor)
{
	Xlate m;
	Scalable s(m, kSid);
	m.mem.w64(s.ce_addr() + 8, VTD_SM_CTX_HI_RID_PRIV);
	s.first_level(0, 2, false, VTD_PTE2_SRE);
	s.flmap(0x1000, 0x2000, 1, kSup);
	EXPECT_TRUE(m.tr(kSid, 0x1000).ok);
}

TEST(ScalableTranslation, FpdInPasidEntrySuppressesQualifiedFault)
{
	Xlate m;
	Scalable s(m, kSid);
	s.set_pasid(1, VTD_PTE0_FPD, 0, 0); // not present, FPD
	auto r = m.trp(kSid, 1, 0x1000);
	EXPECT_EQ(r.fault, VTD_FR_SM_PTE_NOT_PRESENT);
	EXPECT_FALSE(r.fault_recorded);
	EXPECT_EQ(m.stats().faults_suppressed, 1u);
	// Directory FPD covers the first-level faults below it.
	m.mem.w64(s.pde_addr(1), m.mem.r64(s.pde_addr(1)) | VTD_PDE_FPD);
	s.first_level(1, 2);
	r = m.trp(kSid, 1, 0x1000);
	EXPECT_EQ(r.fault, VTD_FR_SM_FL_NOT_PRESENT);
	EXPECT_FALSE(r.fault_recorded);
	EXPECT_EQ(m.stats().faults_recorded, 0u);
}

TEST(ScalableTranslation, AbortDmaModeBlocksWithoutFault)
{
	Xlate m;
	Scalable s(m, kSid);
	// regfile.c accepts TTM=11b only with ECAP.ADMS: latch it directly.
	m.v->regs.rtaddr_active =
		s.root | (uint64_t)VTD_RTADDR_TTM_ABORT << VTD_RTADDR_TTM_SHIFT;
	auto r = m.tr(kSid, 0x1000);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.mode, VTD_MODE_BLOCKED);
	EXPECT_FALSE(r.fault_recorded);
	EXPECT_EQ(m.stats().faults_recorded, 0u);
}

// ---- every scalable fault code on these paths -------------------------

struct SmCase {
	const char *name;
	std::function<void(Xlate &, Scalable &)> setup;
	std::function<vtd_result(Xlate &)> req;
	uint8_t fault;
};

vtd_result rd(Xlate &m)
{
	return m.trp(kSid, 1, 0x1000);
}

// A working first-level PASID 1 with 0x1000 -> 0x2000.
void fl_ok(Xlate &, Scalable &s)
{
	s.first_level(1, 2);
	s.flmap(0x1000, 0x2000);
}

void sl_ok(Xlate &, Scalable &s)
{
	s.second_level(1, 2);
	s.slmap(0x1000, 0x2000);
}

uint64_t pe0(Xlate &m, Scalable &s)
{
	return m.mem.r64(s.pte_addr(1));
}

const uint64_t kFar = 1ULL << 41;

class ScalableFaults : public ::testing::TestWithParam<SmCase>
{
};

TEST_P(ScalableFaults, BlockedWithSpecFaultCode)
{
	const auto &c = GetParam();
	Xlate m;
	Scalable s(m, kSid);
	c.setup(m, s);
	auto r = c.req(m);
	EXPECT_FALSE(r.ok) << c.name;
	EXPECT_EQ(r.fault, c.fault) << c.name << std::hex << " got 0x"
				    << (int)r.fault;
	EXPECT_EQ(m.stats().faults[c.fault], 1u);
	EXPECT_TRUE(r.fault_recorded);
	EXPECT_EQ(m.frcd0_reason(), c.fault);
}

#define SM(n, body, f)                                                  \
	SmCase{ n,                                                      \
		[](Xlate &m, Scalable &s) {                           \
			(void)m;                                       \
			(void)s;                                       \
			body;                                          \
		},                                                     \
		rd, f }

INSTANTIATE_TEST_SUITE_P(
	AllCodes, ScalableFaults,
	::testing::Values(
		SM("reserved TTM",
		   m.v->regs.rtaddr_active = s.root | 2 << 10,
		   VTD_FR_SM_RTADDR_INVALID),
		SM("root access", m.enable(kFar, 1); (void)s,
		   VTD_FR_SM_ROOT_ACCESS),
		SM("root not present", m.mem.w64(s.root, 0),
		   VTD_FR_SM_ROOT_NOT_PRESENT),
		SM("root reserved", m.mem.w64(s.root, s.ctx | 1 | 4),
		   VTD_FR_SM_ROOT_RSVD),
		SM("context access", m.mem.w64(s.root, kFar | 1),
		   VTD_FR_SM_CTX_ACCESS),
		SM("context not present", m.mem.w64(s.ce_addr(), 0),
		   VTD_FR_SM_CTX_NOT_PRESENT),
		SM("context reserved", m.mem.w64(s.ce_addr() + 16, 1),
		   VTD_FR_SM_CTX_RSVD),
		SM("context PASIDE clear", m.mem.w64(s.ce_addr(), s.pdir | 1),
		   VTD_FR_SM_CTX_PASIDE),
		SM("PASID directory access",
		   m.mem.w64(s.ce_addr(), kFar | 9),
		   VTD_FR_SM_PDE_ACCESS),
		SM("PASID directory not present", (void)s,
		   VTD_FR_SM_PDE_NOT_PRESENT),
		SM("PASID directory reserved", fl_ok(m, s);
		   m.mem.w64(s.pde_addr(1), m.mem.r64(s.pde_addr(1)) | 8),
		   VTD_FR_SM_PDE_RSVD),
		SM("PASID table access", m.mem.w64(s.pde_addr(1), kFar | 1),
		   VTD_FR_SM_PTE_ACCESS),
		SM("PASID table not present", s.set_pasid(1, 0, 0, 0),
		   VTD_FR_SM_PTE_NOT_PRESENT),
		SM("PASID table reserved", fl_ok(m, s);
		   m.mem.w64(s.pte_addr(1) + 40, 1), VTD_FR_SM_PTE_RSVD),
		SM("PGTT reserved", s.set_pasid(1, 5 << 6 | 1, 0, 0),
		   VTD_FR_SM_PTE_INVALID),
		SM("SL AW not in SAGAW", sl_ok(m, s);
		   m.mem.w64(s.pte_addr(1), pe0(m, s) & ~(7ULL << 2)),
		   VTD_FR_SM_PTE_INVALID),
		SM("first-level access", fl_ok(m, s);
		   m.mem.w64(s.flpt, kFar | kUser), VTD_FR_SM_FL_ACCESS),
		SM("first-level not present", s.first_level(1, 2),
		   VTD_FR_SM_FL_NOT_PRESENT),
		SM("first-level PS in PML4E", fl_ok(m, s);
		   m.mem.w64(s.flpt, m.mem.r64(s.flpt) | VTD_FL_PS),
		   VTD_FR_SM_FL_RSVD),
		SM("first-level address beyond HAW", fl_ok(m, s);
		   m.mem.w64(m.entry_addr(s.flpt, 4, 0x1000, 1),
			     (1ULL << 47) | kUser),
		   VTD_FR_SM_FL_RSVD),
		SM("first-level 2M reserved bits", s.first_level(1, 2);
		   s.flmap(0, 0x200000 | 0x2000, 2), VTD_FR_SM_FL_RSVD),
		SM("FLPTPTR unreadable",
		   s.set_pasid(1, 1 << 6 | 1, 2, kFar),
		   VTD_FR_SM_FL_PML_ACCESS),
		SM("second-level access", sl_ok(m, s);
		   m.mem.w64(s.slpt, kFar | 3), VTD_FR_SM_SL_ACCESS),
		SM("second-level not present", s.second_level(1, 2),
		   VTD_FR_SM_SL_PERM),
		SM("second-level reserved", sl_ok(m, s);
		   m.mem.w64(s.slpt, m.mem.r64(s.slpt) | 1 << 11),
		   VTD_FR_SM_SL_RSVD),
		SM("SLPTPTR beyond HAW", sl_ok(m, s);
		   m.mem.w64(s.pte_addr(1), pe0(m, s) | 1ULL << 47),
		   VTD_FR_SM_SL_PTR_INVALID),
		SM("second-level address beyond HAW", sl_ok(m, s);
		   m.mem.w64(m.entry_addr(s.slpt, 4, 0x1000, 1),
			     (1ULL << 47) | 3),
		   VTD_FR_SM_OUT_BEYOND_HAW),
		SM("interrupt range", s.first_level(1, 2);
		   s.flmap(0x1000, 0xfee01000), VTD_FR_SM_INTR_ADDR)));

INSTANTIATE_TEST_SUITE_P(
	RequestDependent, ScalableFaults,
	::testing::Values(
		SmCase{ "non-canonical", fl_ok,
			[](Xlate &m) {
				return m.trp(kSid, 1, 0x0000800000000000ULL);
			},
			VTD_FR_SM_NONCANONICAL },
		SmCase{ "input beyond AW", sl_ok,
			[](Xlate &m) { return m.trp(kSid, 1, 1ULL << 48); },
			VTD_FR_SM_ADDR_BEYOND_MGAW },
		SmCase{ "PASID beyond PDTS", fl_ok,
			[](Xlate &m) { return m.trp(kSid, 0x2000, 0x1000); },
			VTD_FR_SM_CTX_PASID_RANGE },
		SmCase{ "RID_PASID beyond PDTS",
			[](Xlate &m, Scalable &s) {
				m.mem.w64(s.ce_addr() + 8, 0x80000);
			},
			[](Xlate &m) { return m.tr(kSid, 0x1000); },
			VTD_FR_SM_CTX_RID_PASID },
		SmCase{ "PASID entry invalid: 5-level without FL5LP",
			[](Xlate &m, Scalable &s) {
				m.v->cfg.cap &= ~VTD_CAP_FL5LP;
				s.first_level(1, 2, true);
			},
			rd, VTD_FR_SM_PTE_INVALID },
		SmCase{ "PGTT nested without ECAP.NEST",
			[](Xlate &m, Scalable &s) {
				m.v->cfg.ecap &= ~VTD_ECAP_NEST;
				s.nested(1, 2);
			},
			rd, VTD_FR_SM_PTE_INVALID },
		SmCase{ "user request to supervisor page",
			[](Xlate &, Scalable &s) {
				s.first_level(1, 2);
				s.flmap(0x1000, 0x2000, 1, kSup);
			},
			rd, VTD_FR_SM_US }));

#undef SM

} // namespace
