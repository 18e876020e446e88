// SPDX-License-Identifier: MIT
// The virtual command interface: PASID allocation and free through VCMD,
// results and status codes in VCRSP.
#include "fixture.h"

using vtdtest::Model;

namespace
{

struct Vcmd : Model {
	explicit Vcmd(unsigned pss = 19, uint64_t vccap = VTD_VCCAP_PAS)
	    : Model([=](vtd_config &c) {
		      c.ecap |= VTD_ECAP_VCS;
		      c.ecap &= ~(0x1fULL << VTD_ECAP_PSS_SHIFT);
		      c.ecap |= (uint64_t)pss << VTD_ECAP_PSS_SHIFT;
		      c.vccap = vccap;
	      })
	{
	}
	uint64_t cmd(uint64_t c, uint64_t operand = 0)
	{
		wr64(VTD_REG_VCMD, c | operand << VTD_VCMD_OPERAND_SHIFT);
		return rd64(VTD_REG_VCRSP);
	}
	static unsigned sc(uint64_t r)
	{
		return (unsigned)VTD_VCRSP_SC(r);
	}
};

} // namespace

TEST(VirtualCommand, AllocateReturnsLowestFreePasidAndSuccess)
{
	Vcmd m;
	EXPECT_EQ(m.rd64(VTD_REG_VCCAP), VTD_VCCAP_PAS);
	uint64_t r = m.cmd(VTD_VCMD_ALLOC_PASID);
	EXPECT_FALSE(r & VTD_VCRSP_IP);
	EXPECT_EQ(Vcmd::sc(r), VTD_VCRSP_SC_SUCCESS);
	EXPECT_EQ(VTD_VCRSP_RESULT(r), 1u) << "PASID 0 is never handed out";
	EXPECT_EQ(VTD_VCRSP_RESULT(m.cmd(VTD_VCMD_ALLOC_PASID)), 2u);
	EXPECT_EQ(m.stats().vcmds, 2u);
}

TEST(VirtualCommand, FreeThenAllocateReusesThePasid)
{
	Vcmd m;
	m.cmd(VTD_VCMD_ALLOC_PASID);
	m.cmd(VTD_VCMD_ALLOC_PASID);
	m.cmd(VTD_VCMD_ALLOC_PASID);
	EXPECT_EQ(Vcmd::sc(m.cmd(VTD_VCMD_FREE_PASID, 2)),
		  VTD_VCRSP_SC_SUCCESS);
	EXPECT_EQ(VTD_VCRSP_RESULT(m.cmd(VTD_VCMD_ALLOC_PASID)), 2u);
	EXPECT_EQ(VTD_VCRSP_RESULT(m.cmd(VTD_VCMD_ALLOC_PASID)), 4u);
}

TEST(VirtualCommand, FreeOfUnallocatedOrOutOfRangePasidIsInvalidPasid)
{
	Vcmd m(4); // 5-bit PASIDs: 1..31
	EXPECT_EQ(Vcmd::sc(m.cmd(VTD_VCMD_FREE_PASID, 3)),
		  VTD_VCRSP_SC_INVALID_PASID);
	EXPECT_EQ(Vcmd::sc(m.cmd(VTD_VCMD_FREE_PASID, 0)),
		  VTD_VCRSP_SC_INVALID_PASID);
	EXPECT_EQ(Vcmd::sc(m.cmd(VTD_VCMD_FREE_PASID, 32)),
		  VTD_VCRSP_SC_INVALID_PASID);
	m.cmd(VTD_VCMD_ALLOC_PASID);
	EXPECT_EQ(Vcmd::sc(m.cmd(VTD_VCMD_FREE_PASID, 1)),
		  VTD_VCRSP_SC_SUCCESS);
	EXPECT_EQ(Vcmd::sc(m.cmd(VTD_VCMD_FREE_PASID, 1)),
		  VTD_VCRSP_SC_INVALID_PASID)
		<< "double free";
}

TEST(VirtualCommand, AllocateWhenEveryPasidIsTakenReportsNoPasid)
{
	Vcmd m(0); // 1-bit PASIDs: only PASID 1
	EXPECT_EQ(VTD_VCRSP_RESULT(m.cmd(VTD_VCMD_ALLOC_PASID)), 1u);
	uint64_t r = m.cmd(VTD_VCMD_ALLOC_PASID);
	EXPECT_EQ(Vcmd::sc(r), VTD_VCRSP_SC_NO_PASID);
	EXPECT_EQ(VTD_VCRSP_RESULT(r), 0u);
}

TEST(VirtualCommand, UnknownCommandIsUndefined)
{
	Vcmd m;
	EXPECT_EQ(Vcmd::sc(m.cmd(0)), VTD_VCRSP_SC_UNDEFINED);
	EXPECT_EQ(Vcmd::sc(m.cmd(0x7f)), VTD_VCRSP_SC_UNDEFINED);
}

TEST(VirtualCommand, AllocateWithoutVccapPasIsUndefined)
{
	Vcmd m(19, 0);
	EXPECT_EQ(m.rd64(VTD_REG_VCCAP), 0u);
	EXPECT_EQ(Vcmd::sc(m.cmd(VTD_VCMD_ALLOC_PASID)),
		  VTD_VCRSP_SC_UNDEFINED);
}

TEST(VirtualCommand, RegistersAbsentWithoutEcapVcs)
{
	Model m([](vtd_config &c) { c.vccap = VTD_VCCAP_PAS; });
	m.wr64(VTD_REG_VCMD, VTD_VCMD_ALLOC_PASID);
	EXPECT_EQ(m.rd64(VTD_REG_VCCAP), 0u);
	EXPECT_EQ(m.rd64(VTD_REG_VCRSP), 0u);
	EXPECT_EQ(m.stats().vcmds, 0u);
}

TEST(VirtualCommand, ResetFreesEveryPasid)
{
	Vcmd m;
	m.cmd(VTD_VCMD_ALLOC_PASID);
	m.cmd(VTD_VCMD_ALLOC_PASID);
	vtd_reset(m.v);
	EXPECT_EQ(m.rd64(VTD_REG_VCRSP), 0u);
	EXPECT_EQ(VTD_VCRSP_RESULT(m.cmd(VTD_VCMD_ALLOC_PASID)), 1u);
}
