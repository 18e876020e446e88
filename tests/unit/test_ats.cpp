// SPDX-License-Identifier: MIT
// ATS in the remapping unit: translation requests and completions, and
// translated requests, as the context and PASID entries govern them.
#include "xlate_util.h"

#include <vtdsim/pcie_caps.h>

using namespace xlt;

namespace
{

constexpr uint16_t kSid = 0x0308;
constexpr uint32_t kPasid = 5;

vtd_request tr(uint64_t addr, vtd_access acc = VTD_ACCESS_READ,
	       bool has_pasid = true, uint32_t pasid = kPasid)
{
	vtd_request r{};
	r.sid = kSid;
	r.has_pasid = has_pasid;
	r.pasid = pasid;
	r.access = acc;
	r.addr = addr;
	return r;
}

// Scalable mode with DTE and PRE set, PASID kPasid first-level.
struct SmAts : Xlate {
	Scalable s{*this, kSid};
	SmAts()
	{
		mem.w64(s.ce_addr(), mem.r64(s.ce_addr()) | VTD_SM_CTX_LO_DTE |
					     VTD_SM_CTX_LO_PRE);
		s.first_level(kPasid, 7);
	}
	vtd_ats_completion ats(const vtd_request &r)
	{
		vtd_ats_completion c{};
		vtd_ats_translate(v, &r, &c);
		return c;
	}
};

} // namespace

TEST(AtsTranslation, ReadRequestGetsReadOnlyCompletionAndNoDirtyFlag)
{
	SmAts m;
	m.s.flmap(0x400000, 0x7000000, 1, kFlNonLeaf);
	auto c = m.ats(tr(0x400123));
	ASSERT_EQ(c.status, VTD_ATS_SUCCESS);
	EXPECT_EQ(c.addr, 0x7000000u);
	EXPECT_EQ(c.size, 4096u);
	EXPECT_TRUE(c.r);
	EXPECT_FALSE(c.w) << "no write asked (No-Write hint)";
	EXPECT_FALSE(c.u);
	EXPECT_EQ(c.data, 0x7000000u | PCIE_ATS_CPL_R);
	uint64_t leaf = m.entry_addr(m.s.flpt, 4, 0x400000, 1);
	EXPECT_FALSE(m.mem.r64(leaf) & VTD_FL_D);
	EXPECT_TRUE(m.mem.r64(leaf) & VTD_FL_A);
	EXPECT_EQ(m.stats().ats_requests, 1u);
}

TEST(AtsTranslation, WriteRequestGetsWritePermissionAndSetsDirty)
{
	SmAts m;
	m.s.flmap(0x400000, 0x7000000, 1, kFlNonLeaf);
	auto c = m.ats(tr(0x400000, VTD_ACCESS_WRITE));
	ASSERT_EQ(c.status, VTD_ATS_SUCCESS);
	EXPECT_TRUE(c.r);
	EXPECT_TRUE(c.w);
	EXPECT_EQ(c.data, 0x7000000u | PCIE_ATS_CPL_R | PCIE_ATS_CPL_W);
	uint64_t leaf = m.entry_addr(m.s.flpt, 4, 0x400000, 1);
	EXPECT_TRUE(m.mem.r64(leaf) & VTD_FL_D);
}

TEST(AtsTranslation, WriteToReadOnlyPageGivesReadOnlyWithoutFault)
{
	SmAts m;
	m.s.flmap(0x400000, 0x7000000, 1, VTD_FL_P | VTD_FL_US);
	auto c = m.ats(tr(0x400000, VTD_ACCESS_WRITE));
	ASSERT_EQ(c.status, VTD_ATS_SUCCESS);
	EXPECT_TRUE(c.r);
	EXPECT_FALSE(c.w);
	EXPECT_EQ(m.stats().faults_recorded, 0u);
}

TEST(AtsTranslation, NonPresentPageGivesRWZeroWithoutRecordingAFault)
{
	SmAts m;
	auto c = m.ats(tr(0x900000, VTD_ACCESS_WRITE));
	ASSERT_EQ(c.status, VTD_ATS_SUCCESS);
	EXPECT_FALSE(c.r);
	EXPECT_FALSE(c.w);
	EXPECT_EQ(c.fault, VTD_FR_SM_FL_NOT_PRESENT);
	EXPECT_EQ(c.data & (PCIE_ATS_CPL_R | PCIE_ATS_CPL_W), 0u);
	EXPECT_EQ(m.stats().faults_recorded, 0u);
	EXPECT_FALSE(m.rd32(VTD_REG_FSTS) & VTD_FSTS_PPF);
}

TEST(AtsTranslation, LargePagesUseTheSizeEncoding)
{
	SmAts m;
	m.s.flmap(0x40000000, 0x80000000, 3, kFlNonLeaf | VTD_FL_PS);
	m.s.flmap(0x200000, 0x600000, 2, kFlNonLeaf | VTD_FL_PS);
	auto g = m.ats(tr(0x40012345));
	EXPECT_EQ(g.size, 1ULL << 30);
	EXPECT_EQ(g.addr, 0x80000000u);
	// 1 GiB: bits 12..28 set, bit 29 clear, S=1
	EXPECT_EQ(g.data, 0x80000000ULL | 0x1ffff000ULL | PCIE_ATS_CPL_S |
				  PCIE_ATS_CPL_R);
	auto t = m.ats(tr(0x3ff000));
	EXPECT_EQ(t.size, 2ULL << 20);
	EXPECT_EQ(t.data,
		  0x600000ULL | 0xff000ULL | PCIE_ATS_CPL_S | PCIE_ATS_CPL_R);
}

TEST(AtsTranslation, ExecuteAndPrivilegedVariants)
{
	SmAts m;
	m.s.first_level(kPasid, 7, false, VTD_PTE2_ERE | VTD_PTE2_SRE);
	m.s.flmap(0x400000, 0x7000000, 1, kFlNonLeaf);
	auto r = tr(0x400000);
	r.exec = true;
	r.priv = true;
	auto c = m.ats(r);
	ASSERT_EQ(c.status, VTD_ATS_SUCCESS);
	EXPECT_TRUE(c.exe);
	EXPECT_TRUE(c.priv);
	EXPECT_EQ(c.data & (PCIE_ATS_CPL_EXE | PCIE_ATS_CPL_PRIV),
		  PCIE_ATS_CPL_EXE | PCIE_ATS_CPL_PRIV);
	// XD page: execute not granted, read still is
	m.s.flmap(0x500000, 0x7100000, 1, kFlNonLeaf | VTD_FL_XD);
	r.addr = 0x500000;
	c = m.ats(r);
	EXPECT_TRUE(c.r);
	EXPECT_FALSE(c.exe);
}

TEST(AtsTranslation, ExecuteNotGrantedWithoutEre)
{
	SmAts m;
	m.s.flmap(0x400000, 0x7000000, 1, kFlNonLeaf);
	auto r = tr(0x400000);
	r.exec = true;
	auto c = m.ats(r);
	EXPECT_TRUE(c.r);
	EXPECT_FALSE(c.exe);
}

TEST(AtsTranslation, DteClearIsUnsupportedRequestWithFault44)
{
	SmAts m;
	m.mem.w64(m.s.ce_addr(), m.mem.r64(m.s.ce_addr()) & ~VTD_SM_CTX_LO_DTE);
	m.s.flmap(0x400000, 0x7000000);
	auto c = m.ats(tr(0x400000));
	EXPECT_EQ(c.status, VTD_ATS_UR);
	EXPECT_EQ(c.fault, VTD_FR_SM_CTX_DTE);
	EXPECT_EQ(m.frcd0_reason(), VTD_FR_SM_CTX_DTE);
	EXPECT_EQ(m.stats().ats_failures, 1u);
	// AT field of the record: translation request (01b)
	EXPECT_EQ(((m.v->regs.frcd[0][1] >> VTD_FRCD_HI_AT_SHIFT) & 3), 1u);
}

TEST(AtsTranslation, LegacyContextNeedsTranslationType01)
{
	Xlate m;
	Legacy l(m, kSid);
	l.map(0x1000, 0x5000);
	vtd_ats_completion c{};
	auto r = tr(0x1000, VTD_ACCESS_READ, false);
	vtd_ats_translate(m.v, &r, &c);
	EXPECT_EQ(c.status, VTD_ATS_UR);
	EXPECT_EQ(c.fault, VTD_FR_TT_BLOCKED);
	EXPECT_EQ(m.frcd0_reason(), VTD_FR_TT_BLOCKED);

	l.set_context(l.slpt | VTD_CTX_LO_P |
			      VTD_CTX_TT_SL_DT << VTD_CTX_LO_TT_SHIFT,
		      2 | 1ULL << VTD_CTX_HI_DID_SHIFT);
	m.wr64(VTD_REG_CCMD, VTD_CCMD_ICC | (1ULL << VTD_CCMD_CIRG_SHIFT));
	vtd_ats_translate(m.v, &r, &c);
	ASSERT_EQ(c.status, VTD_ATS_SUCCESS);
	EXPECT_EQ(c.addr, 0x5000u);
	EXPECT_TRUE(c.r);
}

TEST(AtsTranslation, PassThroughAnswersUntranslatedAccessOnly)
{
	SmAts m;
	m.s.pass_through(kPasid, 3);
	auto c = m.ats(tr(0x12345000));
	ASSERT_EQ(c.status, VTD_ATS_SUCCESS);
	EXPECT_TRUE(c.u);
	EXPECT_EQ(c.data & PCIE_ATS_CPL_U, PCIE_ATS_CPL_U);
	EXPECT_EQ(c.addr, 0x12345000u);
}

TEST(AtsTranslation, TableAccessErrorIsCompleterAbort)
{
	SmAts m;
	// the PASID directory entry of PASID 70 points at unbacked memory
	m.mem.w64(m.s.pde_addr(70), (1ULL << 41) | VTD_PDE_P);
	vtd_request r = tr(0x400000, VTD_ACCESS_READ, true, 70);
	auto c = m.ats(r);
	EXPECT_EQ(c.status, VTD_ATS_CA);
	EXPECT_EQ(c.fault, VTD_FR_SM_PTE_ACCESS);
}

TEST(AtsTranslation, NestedSizeIsTheSmallerStage)
{
	SmAts m;
	m.s.nested(kPasid, 9);
	// identity second level for the FL tables, 2M GPA page for data
	for (uint64_t p = 0x100000; p < 0x200000; p += 4096)
		m.s.slmap(p, p, 1, kSlRW);
	m.s.slmap(0x40000000, 0x90000000, 2, kSlRW | VTD_SL_PS);
	m.s.flmap(0x800000, 0x40000000, 2, kFlNonLeaf | VTD_FL_PS);
	auto c = m.ats(tr(0x812345));
	ASSERT_EQ(c.status, VTD_ATS_SUCCESS) << int(c.fault);
	EXPECT_EQ(c.size, 2ULL << 20);
	EXPECT_EQ(c.addr, 0x90000000u);
}

TEST(TranslatedRequest, AllowedWithDteAndBlockedWithoutIt)
{
	SmAts m;
	vtd_request r = tr(0x7000000, VTD_ACCESS_WRITE, false);
	vtd_result res{};
	EXPECT_TRUE(vtd_translated_request(m.v, &r, &res));
	EXPECT_EQ(res.addr, 0x7000000u);
	// another function of the device, its context without DTE
	r.sid = kSid + 1;
	m.mem.w64(m.s.ce_addr() + 32,
		  m.mem.r64(m.s.ce_addr()) & ~VTD_SM_CTX_LO_DTE);
	EXPECT_FALSE(vtd_translated_request(m.v, &r, &res));
	EXPECT_EQ(res.fault, VTD_FR_SM_CTX_DTE);
	EXPECT_EQ(((m.v->regs.frcd[0][1] >> VTD_FRCD_HI_AT_SHIFT) & 3), 2u);
	EXPECT_EQ(m.stats().translated_requests, 2u);
	EXPECT_EQ(m.stats().translated_blocked, 1u);
}

TEST(TranslatedRequest, LegacyTranslationTypeBlocksWith0D)
{
	Xlate m;
	Legacy l(m, kSid);
	vtd_request r = tr(0x5000, VTD_ACCESS_READ, false);
	vtd_result res{};
	EXPECT_FALSE(vtd_translated_request(m.v, &r, &res));
	EXPECT_EQ(res.fault, VTD_FR_TT_BLOCKED);
}

TEST(TranslatedRequest, AddressBeyondHostWidthIsBlocked)
{
	SmAts m;
	vtd_request r = tr(1ULL << 50, VTD_ACCESS_READ, false);
	vtd_result res{};
	EXPECT_FALSE(vtd_translated_request(m.v, &r, &res));
	EXPECT_EQ(res.fault, VTD_FR_SM_OUT_BEYOND_HAW);
}
