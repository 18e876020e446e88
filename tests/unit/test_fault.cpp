// SPDX-License-Identifier: MIT
// Primary fault logging: fault recording registers, FSTS, the fault event.

// vtd_fault.h has no extern "C" guard of its own (and vtdsim.h includes it
// outside its own): give vtd_fault_reason_name C linkage before fixture.h.
extern "C" {
#include <vtdsim/vtd_fault.h>
}

#include "fixture.h"

#include <string>

extern "C" {
#include "vtd_internal.h"
}

namespace
{

using vtdtest::Model;

struct FaultModel : Model {
	uint32_t fro, nfr;

	explicit FaultModel(unsigned int records = 8)
	    : Model([records](vtd_config &c) { c.num_fault_regs = records; })
	{
		uint64_t cap = rd64(VTD_REG_CAP);
		fro = (uint32_t)((cap >> 24) & 0x3ff) * 16;
		nfr = (uint32_t)((cap >> 40) & 0xff) + 1;
	}
	uint64_t lo(unsigned int i)
	{
		return rd64(fro + i * 16);
	}
	uint64_t hi(unsigned int i)
	{
		return rd64(fro + i * 16 + 8);
	}
	// Linux's dmar_fault(): writel(DMA_FRCD_F, record + 12)
	void clear(unsigned int i)
	{
		wr32(fro + i * 16 + 12, 0x80000000u);
	}
	uint32_t fsts()
	{
		return rd32(VTD_REG_FSTS);
	}
	void record(uint16_t sid, uint64_t addr, uint8_t reason,
		    vtd_access access = VTD_ACCESS_READ)
	{
		vtd_fault_info f{};
		f.sid = sid;
		f.addr = addr;
		f.reason = reason;
		f.access = access;
		vtd_fault_record(v, &f);
	}
	void unmask()
	{
		wr32(VTD_REG_FEDATA, 0x45);
		wr32(VTD_REG_FEADDR, 0xfee01000);
		wr32(VTD_REG_FEUADDR, 0);
		wr32(VTD_REG_FECTL, 0);
	}
};

TEST(FaultRecording, ReadFaultWithPasidFillsEveryField)
{
	FaultModel m;
	vtd_fault_info f{};
	f.sid = 0x0108;
	f.has_pasid = true;
	f.pasid = 0x12345;
	f.addr = 0xdeadbeef123ULL;
	f.reason = VTD_FR_SM_FL_NOT_PRESENT;
	f.access = VTD_ACCESS_READ;
	f.priv = true;
	f.exec = false;
	vtd_fault_record(m.v, &f);

	EXPECT_EQ(m.lo(0), 0xdeadbeef000ULL);
	uint64_t hi = m.hi(0);
	EXPECT_TRUE(hi & VTD_FRCD_HI_F);
	EXPECT_EQ(VTD_FRCD_HI_SID(hi), 0x0108u);
	EXPECT_EQ(VTD_FRCD_HI_FR(hi), 0x71u);
	EXPECT_TRUE(hi & VTD_FRCD_HI_T1); // read
	EXPECT_FALSE(hi & VTD_FRCD_HI_T2);
	EXPECT_TRUE(hi & VTD_FRCD_HI_PP);
	EXPECT_EQ(VTD_FRCD_HI_PV(hi), 0x12345u);
	EXPECT_TRUE(hi & VTD_FRCD_HI_PRIV);
	EXPECT_FALSE(hi & VTD_FRCD_HI_EXE);
	EXPECT_EQ(VTD_FRCD_HI_AT(hi), 0u);

	// The same record as Linux's dmar_fault() decodes it with readl().
	uint32_t d3 = m.rd32(m.fro + 12), d2 = m.rd32(m.fro + 8);
	EXPECT_TRUE(d3 & 0x80000000u);		  // DMA_FRCD_F
	EXPECT_EQ(d3 & 0xff, 0x71u);		  // fault reason
	EXPECT_EQ((d3 >> 30) & 1, 1u);		  // type: read
	EXPECT_EQ((d3 >> 8) & 0xfffff, 0x12345u); // PASID value
	EXPECT_EQ(d2 & 0xffff, 0x0108u);	  // source id
	EXPECT_EQ((d2 >> 31) & 1, 1u);		  // PASID present
	EXPECT_EQ(m.rd32(m.fro), 0xdbeef000u);
	EXPECT_EQ(m.rd32(m.fro + 4), 0xdeau);
	EXPECT_EQ(m.stats().faults_recorded, 1u);
}

TEST(FaultRecording, WriteFaultWithoutPasidHasNoPasidFields)
{
	FaultModel m;
	vtd_fault_info f{};
	f.sid = 0x0010;
	f.addr = 0x7000;
	f.reason = VTD_FR_PTE_WRITE;
	f.access = VTD_ACCESS_WRITE;
	f.priv = true; // meaningless without a PASID: not recorded
	f.exec = true;
	f.pasid = 0x55;
	vtd_fault_record(m.v, &f);
	uint64_t hi = m.hi(0);
	EXPECT_EQ(hi,
		  VTD_FRCD_HI_F | (0x05ULL << VTD_FRCD_HI_FR_SHIFT) | 0x0010);
	EXPECT_EQ(m.lo(0), 0x7000u);
}

TEST(FaultRecording, AtomicFaultSetsBothTypeBits)
{
	FaultModel m;
	m.record(1, 0x1000, VTD_FR_SM_WRITE, VTD_ACCESS_ATOMIC);
	EXPECT_TRUE(m.hi(0) & VTD_FRCD_HI_T1);
	EXPECT_TRUE(m.hi(0) & VTD_FRCD_HI_T2);
}

TEST(FaultRecording, FriPointsAtTheFirstPendingFaultAndRecordsAdvance)
{
	FaultModel m;
	m.record(1, 0x1000, 0x06);
	m.record(2, 0x2000, 0x06);
	m.record(3, 0x3000, 0x06);
	EXPECT_EQ(m.fsts(), (uint32_t)VTD_FSTS_PPF | 0u << 8);
	EXPECT_EQ(VTD_FRCD_HI_SID(m.hi(1)), 2u);
	EXPECT_EQ(VTD_FRCD_HI_SID(m.hi(2)), 3u);
	for (unsigned int i = 0; i < 3; i++)
		m.clear(i);
	EXPECT_EQ(m.fsts() & VTD_FSTS_PPF, 0u);
	// The next fault goes to record 3 and FRI says so.
	m.record(4, 0x4000, 0x06);
	EXPECT_EQ(m.fsts(), (uint32_t)VTD_FSTS_PPF | 3u << 8);
	EXPECT_EQ(VTD_FRCD_HI_SID(m.hi(3)), 4u);
}

TEST(FaultRecording, RecordsWrapAroundToIndexZero)
{
	FaultModel m(2);
	m.record(1, 0x1000, 0x06);
	m.record(2, 0x2000, 0x06);
	m.clear(0);
	m.clear(1);
	m.record(3, 0x3000, 0x06);
	EXPECT_EQ(VTD_FRCD_HI_SID(m.hi(0)), 3u);
	EXPECT_EQ(VTD_FSTS_FRI(m.fsts()), 0u);
}

TEST(FaultRecording, SecondFaultWhileFirstPendingSetsPfoWhenRecordsAreFull)
{
	FaultModel m(2);
	m.record(1, 0x1000, 0x06);
	m.record(2, 0x2000, 0x06);
	EXPECT_FALSE(m.fsts() & VTD_FSTS_PFO);
	m.record(3, 0x3000, 0x06);
	EXPECT_TRUE(m.fsts() & VTD_FSTS_PFO);
	EXPECT_EQ(VTD_FRCD_HI_SID(m.hi(0)), 1u);
	EXPECT_EQ(VTD_FRCD_HI_SID(m.hi(1)), 2u);
	EXPECT_EQ(m.stats().faults_recorded, 2u);
	EXPECT_EQ(m.stats().faults_overflowed, 1u);
	// While PFO is set no fault is recorded, even into a free record.
	m.clear(0);
	m.record(4, 0x4000, 0x06);
	EXPECT_FALSE(m.hi(0) & VTD_FRCD_HI_F);
	EXPECT_EQ(m.stats().faults_overflowed, 2u);
	// Clearing PFO (RW1C) lets the next fault in.
	m.wr32(VTD_REG_FSTS, VTD_FSTS_PFO);
	EXPECT_FALSE(m.fsts() & VTD_FSTS_PFO);
	m.record(5, 0x5000, 0x06);
	EXPECT_EQ(VTD_FRCD_HI_SID(m.hi(0)), 5u);
	EXPECT_TRUE(m.hi(0) & VTD_FRCD_HI_F);
}

TEST(FaultRecording, PpfFollowsTheFaultBitsAndFIsRw1c)
{
	FaultModel m;
	m.record(1, 0x1000, 0x06);
	m.record(2, 0x2000, 0x06);
	EXPECT_TRUE(m.fsts() & VTD_FSTS_PPF);
	// Writing 0 to F, or writing the low qword, changes nothing.
	m.wr32(m.fro + 12, 0);
	m.wr64(m.fro, 0);
	m.wr32(m.fro + 8, 0xffffffff);
	EXPECT_TRUE(m.hi(0) & VTD_FRCD_HI_F);
	EXPECT_EQ(m.lo(0), 0x1000u);
	// 8-byte RW1C write of the upper qword.
	m.wr64(m.fro + 8, VTD_FRCD_HI_F);
	EXPECT_FALSE(m.hi(0) & VTD_FRCD_HI_F);
	EXPECT_EQ(VTD_FRCD_HI_SID(m.hi(0)), 1u); // other fields stay
	EXPECT_TRUE(m.fsts() & VTD_FSTS_PPF);
	m.clear(1);
	EXPECT_FALSE(m.fsts() & VTD_FSTS_PPF);
}

TEST(FaultStatus, PpfAndFriAreReadOnlyAndErrorBitsAreRw1c)
{
	FaultModel m;
	m.record(1, 0x1000, 0x06);
	m.wr32(VTD_REG_FSTS, 0xffffffff & ~(uint32_t)VTD_FSTS_RW1C);
	EXPECT_EQ(m.fsts(), (uint32_t)VTD_FSTS_PPF);
	vtd_fault_set_status(m.v, VTD_FSTS_ICE);
	EXPECT_TRUE(m.fsts() & VTD_FSTS_ICE);
	m.wr32(VTD_REG_FSTS, VTD_FSTS_ICE);
	EXPECT_EQ(m.fsts(), (uint32_t)VTD_FSTS_PPF);
	// Only the error bits can be set by the other blocks.
	vtd_fault_set_status(m.v, VTD_FSTS_PPF | VTD_FSTS_PFO);
	EXPECT_EQ(m.fsts(), (uint32_t)VTD_FSTS_PPF);
	// 8-byte access to the 32-bit FSTS is ignored.
	EXPECT_EQ(m.rd64(VTD_REG_FSTS - 4), 0u);
}

TEST(FaultEvent, UnmaskedFaultSendsTheMessageOnce)
{
	FaultModel m;
	m.wr32(VTD_REG_FEUADDR, 0x2);
	m.wr32(VTD_REG_FEDATA, 0x4021);
	m.wr32(VTD_REG_FEADDR, 0xfee00000);
	m.wr32(VTD_REG_FECTL, 0);
	m.record(1, 0x1000, 0x06);
	ASSERT_EQ(m.irqs.size(), 1u);
	EXPECT_EQ(m.irqs[0].src, VTD_IRQ_FAULT);
	EXPECT_EQ(m.irqs[0].addr, 0x2fee00000ULL);
	EXPECT_EQ(m.irqs[0].data, 0x4021u);
	EXPECT_EQ(m.rd32(VTD_REG_FECTL), 0u); // IP not left set
	// PPF already set: a second fault is no new interrupt condition.
	m.record(2, 0x2000, 0x06);
	EXPECT_EQ(m.irqs.size(), 1u);
	// Once serviced, the next fault interrupts again.
	m.clear(0);
	m.clear(1);
	m.record(3, 0x3000, 0x06);
	EXPECT_EQ(m.irqs.size(), 2u);
}

TEST(FaultEvent, MaskedFaultSetsIpAndUnmaskSendsIt)
{
	FaultModel m;
	m.wr32(VTD_REG_FEDATA, 0x45);
	m.wr32(VTD_REG_FEADDR, 0xfee01000);
	m.record(1, 0x1000, 0x06);
	EXPECT_TRUE(m.irqs.empty());
	EXPECT_EQ(m.rd32(VTD_REG_FECTL), 0xc0000000u);
	m.wr32(VTD_REG_FECTL, 0);
	ASSERT_EQ(m.irqs.size(), 1u);
	EXPECT_EQ(m.irqs[0].addr, 0xfee01000u);
	EXPECT_EQ(m.irqs[0].data, 0x45u);
	EXPECT_EQ(m.rd32(VTD_REG_FECTL), 0u);
}

TEST(FaultEvent, ServicingTheFaultWhileMaskedClearsIpWithoutAMessage)
{
	FaultModel m;
	m.record(1, 0x1000, 0x06);
	vtd_fault_set_status(m.v, VTD_FSTS_IQE);
	ASSERT_TRUE(m.rd32(VTD_REG_FECTL) & VTD_ECTL_IP);
	m.clear(0);
	EXPECT_TRUE(m.rd32(VTD_REG_FECTL) & VTD_ECTL_IP); // IQE still set
	m.wr32(VTD_REG_FSTS, VTD_FSTS_IQE);
	EXPECT_EQ(m.rd32(VTD_REG_FECTL), 0x80000000u);
	m.wr32(VTD_REG_FECTL, 0);
	EXPECT_TRUE(m.irqs.empty());
}

TEST(FaultEvent, InvalidationQueueErrorRaisesTheFaultEvent)
{
	FaultModel m;
	m.unmask();
	vtd_fault_set_status(m.v, VTD_FSTS_IQE);
	EXPECT_TRUE(m.fsts() & VTD_FSTS_IQE);
	ASSERT_EQ(m.irqs.size(), 1u);
	EXPECT_EQ(m.irqs[0].src, VTD_IRQ_FAULT);
	EXPECT_EQ(m.irqs[0].data, 0x45u);
	// IQE pending: a recorded fault is no new condition.
	m.record(1, 0x1000, 0x06);
	EXPECT_EQ(m.irqs.size(), 1u);
	m.wr32(VTD_REG_FSTS, VTD_FSTS_IQE);
	m.clear(0);
	vtd_fault_set_status(m.v, VTD_FSTS_ITE);
	EXPECT_EQ(m.irqs.size(), 2u);
}

TEST(FaultEvent, OverflowAloneIsNoNewInterruptCondition)
{
	FaultModel m(1);
	m.unmask();
	m.record(1, 0x1000, 0x06);
	m.record(2, 0x2000, 0x06);
	EXPECT_TRUE(m.fsts() & VTD_FSTS_PFO);
	EXPECT_EQ(m.irqs.size(), 1u);
}

TEST(FaultEvent, DataAndAddressReservedBitsReadZero)
{
	FaultModel m;
	m.wr32(VTD_REG_FEDATA, 0xffffffff);
	m.wr32(VTD_REG_FEADDR, 0xffffffff);
	EXPECT_EQ(m.rd32(VTD_REG_FEDATA), 0xffffu); // no ECAP.EIM
	EXPECT_EQ(m.rd32(VTD_REG_FEADDR), 0xfffffffcu);
	Model eim([](vtd_config &c) { c.ecap |= VTD_ECAP_EIM; });
	eim.wr32(VTD_REG_FEDATA, 0xffffffff);
	EXPECT_EQ(eim.rd32(VTD_REG_FEDATA), 0xffffffffu);
}

TEST(FaultRecording, ResetClearsRecordsAndStatus)
{
	FaultModel m;
	m.record(1, 0x1000, 0x06);
	m.record(2, 0x2000, 0x06);
	vtd_reset(m.v);
	EXPECT_EQ(m.hi(0), 0u);
	EXPECT_EQ(m.fsts(), 0u);
	m.record(3, 0x3000, 0x06);
	EXPECT_EQ(VTD_FRCD_HI_SID(m.hi(0)), 3u);
}

TEST(FaultRecording, NoSideEffectsInsideAShadowWalk)
{
	FaultModel m;
	m.v->shadow = true;
	m.record(1, 0x1000, 0x06);
	m.v->shadow = false;
	EXPECT_EQ(m.hi(0), 0u);
	EXPECT_EQ(m.stats().faults_recorded, 0u);
}

TEST(FaultReasonNames, EveryDefinedCodeHasANameAndOthersAreUnknown)
{
	const unsigned int codes[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
		0x0b, 0x0c, 0x0d, 0x0e, 0x30, 0x31, 0x32, 0x38, 0x39, 0x3a,
		0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x50,
		0x51, 0x52, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x70, 0x71,
		0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b,
		0x7c, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x90,
	};
	for (unsigned int c : codes)
		EXPECT_NE(std::string(vtd_fault_reason_name(c)), "unknown")
			<< std::hex << c;
	EXPECT_EQ(std::string(vtd_fault_reason_name(0x01)),
		  "root entry not present");
	EXPECT_EQ(std::string(vtd_fault_reason_name(0x20)), "unknown");
	EXPECT_EQ(std::string(vtd_fault_reason_name(0xff)), "unknown");
	EXPECT_EQ(std::string(vtd_fault_reason_name(0x1234)), "unknown");
}

} // namespace
