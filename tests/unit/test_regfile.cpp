// SPDX-License-Identifier: MIT
// Register file: reset values, layout, widths, GCMD/GSTS, RTADDR,
// register-based invalidation, RW1C and read-only fields.
#include "fixture.h"

extern "C" {
#include "vtd_internal.h"
}

namespace
{

using vtdtest::Model;

constexpr uint32_t kOneShot =
	VTD_GCMD_SRTP | VTD_GCMD_SFL | VTD_GCMD_WBF | VTD_GCMD_SIRTP;

// A legacy-only unit: no scalable mode, PASID or page requests.
void legacy(vtd_config &c)
{
	c.ecap &= ~(VTD_ECAP_SMTS | VTD_ECAP_PASID | VTD_ECAP_PRS |
		    VTD_ECAP_NEST | VTD_ECAP_FLTS);
}

// Driver-style command: current status minus one-shot bits, plus cmd.
void gcmd(Model &m, uint32_t cmd)
{
	m.wr32(VTD_REG_GCMD, (m.rd32(VTD_REG_GSTS) & ~kOneShot) | cmd);
}

TEST(RegisterReset, VersionCapAndEcapComeFromTheConfiguration)
{
	Model m;
	EXPECT_EQ(m.rd32(VTD_REG_VER), m.cfg.version);
	EXPECT_EQ(m.rd64(VTD_REG_CAP) & ~VTD_CAP_LAYOUT_MASK,
		  m.cfg.cap & ~VTD_CAP_LAYOUT_MASK);
	EXPECT_EQ(m.rd64(VTD_REG_ECAP) & ~VTD_ECAP_LAYOUT_MASK,
		  m.cfg.ecap & ~VTD_ECAP_LAYOUT_MASK);
	EXPECT_EQ(m.rd32(VTD_REG_GSTS), 0u);
	EXPECT_EQ(m.rd64(VTD_REG_RTADDR), 0u);
	EXPECT_EQ(m.rd32(VTD_REG_FSTS), 0u);
	// Event control registers reset with the interrupt masked.
	EXPECT_EQ(m.rd32(VTD_REG_FECTL), 0x80000000u);
	EXPECT_EQ(m.rd32(VTD_REG_IECTL), 0x80000000u);
	EXPECT_EQ(m.rd32(VTD_REG_PECTL), 0x80000000u);
}

TEST(RegisterReset, CapLayoutFieldsLocateTheFaultRecordsAndIotlbRegister)
{
	Model m([](vtd_config &c) {
		c.num_fault_regs = 5;
		// Layout fields passed in the configuration are ignored.
		c.cap |= VTD_CAP_LAYOUT_MASK;
		c.ecap |= VTD_ECAP_LAYOUT_MASK;
	});
	uint64_t cap = m.rd64(VTD_REG_CAP), ecap = m.rd64(VTD_REG_ECAP);
	// Linux: cap_fault_reg_offset, cap_num_fault_regs, ecap_iotlb_offset
	uint32_t fro = (uint32_t)((cap >> 24) & 0x3ff) * 16;
	uint32_t nfr = (uint32_t)((cap >> 40) & 0xff) + 1;
	uint32_t iro = (uint32_t)((ecap >> 8) & 0x3ff) * 16;
	EXPECT_EQ(fro, (uint32_t)VTD_REG_FRCD_DEFAULT);
	EXPECT_EQ(nfr, 5u);
	EXPECT_EQ(iro, (uint32_t)VTD_REG_IVA_DEFAULT);
	// The IOTLB register is at IRO + 8: DID written there reads back.
	m.wr64(iro + 8, 0x42ULL << 32);
	EXPECT_EQ(m.rd64(iro + 8), 0x42ULL << 32);
	// The last record is there, one past it is not.
	vtd_fault_info f{};
	for (int i = 0; i < 5; i++)
		vtd_fault_record(m.v, &f);
	EXPECT_TRUE(m.rd64(fro + (nfr - 1) * 16 + 8) & VTD_FRCD_HI_F);
	EXPECT_EQ(m.rd64(fro + nfr * 16 + 8), 0u);
}

TEST(RegisterReset, MaximumFaultRecordsFitBelowTheVirtualCommandRegisters)
{
	Model m([](vtd_config &c) { c.num_fault_regs = 128; });
	uint64_t cap = m.rd64(VTD_REG_CAP);
	EXPECT_EQ(VTD_CAP_NFR(cap), 128u);
	EXPECT_LE(VTD_CAP_FRO(cap) * 16 + 128 * 16, (uint64_t)VTD_REG_VCMD);
}

TEST(RegisterReset, ResetRestoresPowerOnValues)
{
	Model m;
	m.wr64(VTD_REG_RTADDR, 0x123000);
	gcmd(m, VTD_GCMD_SRTP);
	gcmd(m, VTD_GCMD_TE);
	m.wr32(VTD_REG_FECTL, 0);
	vtd_reset(m.v);
	EXPECT_EQ(m.rd32(VTD_REG_GSTS), 0u);
	EXPECT_EQ(m.rd64(VTD_REG_RTADDR), 0u);
	EXPECT_EQ(m.rd32(VTD_REG_FECTL), 0x80000000u);
	EXPECT_EQ(VTD_CAP_FRO(m.rd64(VTD_REG_CAP)) * 16,
		  (uint64_t)VTD_REG_FRCD_DEFAULT);
}

TEST(ReadOnlyRegisters, WritesToVerCapEcapGstsAreIgnored)
{
	Model m;
	uint64_t cap = m.rd64(VTD_REG_CAP), ecap = m.rd64(VTD_REG_ECAP);
	m.wr32(VTD_REG_VER, 0xff);
	m.wr64(VTD_REG_CAP, 0);
	m.wr32(VTD_REG_CAP + 4, 0);
	m.wr64(VTD_REG_ECAP, ~0ULL);
	m.wr32(VTD_REG_GSTS, 0xffffffff);
	EXPECT_EQ(m.rd32(VTD_REG_VER), m.cfg.version);
	EXPECT_EQ(m.rd64(VTD_REG_CAP), cap);
	EXPECT_EQ(m.rd64(VTD_REG_ECAP), ecap);
	EXPECT_EQ(m.rd32(VTD_REG_GSTS), 0u);
}

TEST(GlobalCommand, ReadsZeroAndTranslationEnableSetsTes)
{
	Model m;
	gcmd(m, VTD_GCMD_TE);
	EXPECT_EQ(m.rd32(VTD_REG_GCMD), 0u);
	EXPECT_EQ(m.rd32(VTD_REG_GSTS), (uint32_t)VTD_GSTS_TES);
	// Disable: write the status without TE.
	m.wr32(VTD_REG_GCMD, m.rd32(VTD_REG_GSTS) & ~(uint32_t)VTD_GCMD_TE);
	EXPECT_EQ(m.rd32(VTD_REG_GSTS), 0u);
}

TEST(GlobalCommand, SrtpLatchesRootTableAddressAndSetsRtps)
{
	Model m;
	m.wr64(VTD_REG_RTADDR, 0x5000ULL | (1ULL << 10));
	EXPECT_EQ(m.v->regs.rtaddr_active, 0u);
	EXPECT_FALSE(m.rd32(VTD_REG_GSTS) & VTD_GSTS_RTPS);
	gcmd(m, VTD_GCMD_SRTP);
	EXPECT_TRUE(m.rd32(VTD_REG_GSTS) & VTD_GSTS_RTPS);
	EXPECT_EQ(m.v->regs.rtaddr_active, 0x5000ULL | (1ULL << 10));
	EXPECT_TRUE(vtd_scalable(m.v));
	// A new RTADDR takes effect only with the next SRTP.
	m.wr64(VTD_REG_RTADDR, 0x9000);
	EXPECT_EQ(m.v->regs.rtaddr_active, 0x5000ULL | (1ULL << 10));
	gcmd(m, VTD_GCMD_SRTP);
	EXPECT_EQ(m.v->regs.rtaddr_active, 0x9000u);
	EXPECT_FALSE(vtd_scalable(m.v));
}

TEST(GlobalCommand, GstsOrCmdPatternActsOnlyOnTheChangedBit)
{
	Model m;
	m.wr64(VTD_REG_RTADDR, 0x5000);
	gcmd(m, VTD_GCMD_SRTP);
	gcmd(m, VTD_GCMD_TE);
	m.wr64(VTD_REG_RTADDR, 0x7000);
	// Enabling QI with "gsts | QIE" (one-shot bits masked) keeps TE on
	// and does not latch the new root table.
	gcmd(m, VTD_GCMD_QIE);
	uint32_t sts = m.rd32(VTD_REG_GSTS);
	EXPECT_EQ(sts,
		  (uint32_t)(VTD_GSTS_TES | VTD_GSTS_RTPS | VTD_GSTS_QIES));
	EXPECT_EQ(m.v->regs.rtaddr_active, 0x5000u);
	// Writing the status back unchanged changes nothing.
	gcmd(m, 0);
	EXPECT_EQ(m.rd32(VTD_REG_GSTS), sts);
	// Disabling TE the same way leaves QI enabled.
	m.wr32(VTD_REG_GCMD, (sts & ~kOneShot) & ~(uint32_t)VTD_GCMD_TE);
	EXPECT_EQ(m.rd32(VTD_REG_GSTS),
		  (uint32_t)(VTD_GSTS_RTPS | VTD_GSTS_QIES));
}

TEST(GlobalCommand, WriteBufferFlushCompletesWithWbfsClear)
{
	Model m([](vtd_config &c) { c.cap |= VTD_CAP_RWBF; });
	gcmd(m, VTD_GCMD_WBF);
	EXPECT_FALSE(m.rd32(VTD_REG_GSTS) & VTD_GSTS_WBFS);
}

TEST(GlobalCommand, QueuedInvalidationNeedsEcapQi)
{
	Model m([](vtd_config &c) {
		legacy(c);
		c.ecap &= ~(VTD_ECAP_QI | VTD_ECAP_DT);
	});
	gcmd(m, VTD_GCMD_QIE);
	EXPECT_FALSE(m.rd32(VTD_REG_GSTS) & VTD_GSTS_QIES);
	// Without QI its registers are reserved.
	m.wr64(VTD_REG_IQA, 0x10000);
	EXPECT_EQ(m.rd64(VTD_REG_IQA), 0u);
}

TEST(GlobalCommand, DisablingQueuedInvalidationResetsIqh)
{
	Model m;
	gcmd(m, VTD_GCMD_QIE);
	ASSERT_TRUE(m.rd32(VTD_REG_GSTS) & VTD_GSTS_QIES);
	m.v->regs.iqh = 0x40; // as if the queue had advanced
	m.wr32(VTD_REG_GCMD, 0);
	EXPECT_FALSE(m.rd32(VTD_REG_GSTS) & VTD_GSTS_QIES);
	EXPECT_EQ(m.rd64(VTD_REG_IQH), 0u);
}

TEST(GlobalCommand, InterruptRemappingCommandsNeedEcapIr)
{
	Model m; // default: no ECAP.IR
	gcmd(m, VTD_GCMD_IRE);
	gcmd(m, VTD_GCMD_SIRTP);
	EXPECT_EQ(m.rd32(VTD_REG_GSTS), 0u);
	Model ir([](vtd_config &c) { c.ecap |= VTD_ECAP_IR; });
	ir.wr64(VTD_REG_IRTA, 0x8000f);
	EXPECT_EQ(ir.rd64(VTD_REG_IRTA), 0x8000fu);
	gcmd(ir, VTD_GCMD_SIRTP);
	gcmd(ir, VTD_GCMD_IRE);
	EXPECT_EQ(ir.rd32(VTD_REG_GSTS),
		  (uint32_t)(VTD_GSTS_IRTPS | VTD_GSTS_IRES));
}

TEST(GlobalCommand, SrtpWithEsrtpsInvalidatesTheContextCache)
{
	Model m([](vtd_config &c) {
		legacy(c);
		c.cap |= VTD_CAP_ESRTPS;
	});
	vtd_context_cache_data d{};
	vtd_context_cache_fill(m.v, 0x10, &d);
	gcmd(m, VTD_GCMD_SRTP);
	EXPECT_EQ(vtd_context_cache_lookup(m.v, 0x10), nullptr);
}

TEST(RootTableAddress, ReservedBitsReadZeroAndTtmNeedsScalableSupport)
{
	Model m;
	m.wr64(VTD_REG_RTADDR, ~0ULL & ~(3ULL << 10));
	EXPECT_EQ(m.rd64(VTD_REG_RTADDR), VTD_RTADDR_RTA_MASK);
	m.wr64(VTD_REG_RTADDR, 0x1000 | (1ULL << 10) | 0x3ff);
	EXPECT_EQ(m.rd64(VTD_REG_RTADDR), 0x1000u | (1ULL << 10));
	// The reserved encoding 10b is kept (requests then fault with 30h);
	// abort-DMA 11b without ECAP.ADMS reads as legacy.
	m.wr64(VTD_REG_RTADDR, 0x1000 | (2ULL << 10));
	EXPECT_EQ(m.rd64(VTD_REG_RTADDR), 0x1000u | (2ULL << 10));
	m.wr64(VTD_REG_RTADDR, 0x1000 | (3ULL << 10));
	EXPECT_EQ(m.rd64(VTD_REG_RTADDR), 0x1000u);

	Model l(legacy);
	l.wr64(VTD_REG_RTADDR, 0x2000 | (1ULL << 10));
	EXPECT_EQ(l.rd64(VTD_REG_RTADDR), 0x2000u);
}

TEST(RegisterWidths, SixtyFourBitRegistersTakeTwoHalfAccesses)
{
	Model m;
	m.wr32(VTD_REG_RTADDR, 0x12345000 | (1u << 10));
	m.wr32(VTD_REG_RTADDR + 4, 0xabc);
	EXPECT_EQ(m.rd64(VTD_REG_RTADDR), 0xabc12345000ULL | (1ULL << 10));
	EXPECT_EQ(m.rd32(VTD_REG_RTADDR), 0x12345000u | (1u << 10));
	EXPECT_EQ(m.rd32(VTD_REG_RTADDR + 4), 0xabcu);
	// Changing the upper half keeps the lower one.
	m.wr32(VTD_REG_RTADDR + 4, 0x1);
	EXPECT_EQ(m.rd64(VTD_REG_RTADDR), 0x112345000ULL | (1ULL << 10));
	// CAP read as two halves.
	uint64_t cap = m.rd64(VTD_REG_CAP);
	EXPECT_EQ(m.rd32(VTD_REG_CAP), (uint32_t)cap);
	EXPECT_EQ(m.rd32(VTD_REG_CAP + 4), (uint32_t)(cap >> 32));
}

TEST(RegisterWidths, BadSizesMisalignmentAndOutOfRangeAreIgnored)
{
	Model m;
	// 8-byte access to a pair of 32-bit registers (GCMD/GSTS).
	m.wr64(VTD_REG_GCMD, VTD_GCMD_TE);
	EXPECT_EQ(m.rd32(VTD_REG_GSTS), 0u);
	gcmd(m, VTD_GCMD_TE);
	EXPECT_EQ(m.rd64(VTD_REG_GCMD), 0u);
	// Misaligned and odd sizes.
	EXPECT_EQ(vtd_reg_read(m.v, VTD_REG_CAP + 2, 4), 0u);
	EXPECT_EQ(vtd_reg_read(m.v, VTD_REG_CAP + 4, 8), 0u);
	EXPECT_EQ(vtd_reg_read(m.v, VTD_REG_VER, 2), 0u);
	EXPECT_EQ(vtd_reg_read(m.v, VTD_REG_VER, 1), 0u);
	EXPECT_EQ(vtd_reg_read(m.v, VTD_REG_CAP, 16), 0u);
	vtd_reg_write(m.v, VTD_REG_RTADDR + 1, 4, 0xffffffff);
	vtd_reg_write(m.v, VTD_REG_RTADDR, 2, 0xffff);
	EXPECT_EQ(m.rd64(VTD_REG_RTADDR), 0u);
	// Outside the register page, and an unimplemented offset.
	EXPECT_EQ(vtd_reg_read(m.v, VTD_REG_SPACE_SIZE, 4), 0u);
	EXPECT_EQ(vtd_reg_read(m.v, 0xfffffff8u, 8), 0u);
	vtd_reg_write(m.v, 0xfffffffcu, 4, 1);
	m.wr32(0x30, 0xffffffff);
	EXPECT_EQ(m.rd32(0x30), 0u);
	EXPECT_EQ(m.rd64(VTD_REG_MTRRCAP), 0u);
}

TEST(RegisterWidths, FeatureRegistersAreReservedWithoutTheirCapability)
{
	Model m(legacy); // no ECAP.PRS, no CAP.PLMR/PHMR, no ECAP.VCS
	m.wr64(VTD_REG_PQA, 0x10000);
	m.wr32(VTD_REG_PECTL, 0);
	m.wr32(VTD_REG_PMEN, 0x80000000u);
	m.wr64(VTD_REG_VCMD, 0x1);
	EXPECT_EQ(m.rd64(VTD_REG_PQA), 0u);
	EXPECT_EQ(m.rd32(VTD_REG_PECTL), 0u);
	EXPECT_EQ(m.rd32(VTD_REG_PMEN), 0u);
	EXPECT_EQ(m.rd64(VTD_REG_VCMD), 0u);
}

TEST(ProtectedMemory, PmenStatusMirrorsEpm)
{
	Model m([](vtd_config &c) { c.cap |= VTD_CAP_PLMR | VTD_CAP_PHMR; });
	m.wr32(VTD_REG_PMEN, 0xffffffff);
	EXPECT_EQ(m.rd32(VTD_REG_PMEN), 0x80000001u);
	m.wr32(VTD_REG_PMEN, 0);
	EXPECT_EQ(m.rd32(VTD_REG_PMEN), 0u);
	m.wr32(VTD_REG_PLMBASE, 0xffffffff);
	EXPECT_EQ(m.rd32(VTD_REG_PLMBASE), 0xffe00000u);
	m.wr64(VTD_REG_PHMLIMIT, ~0ULL);
	EXPECT_EQ(m.rd64(VTD_REG_PHMLIMIT), ((1ULL << 46) - 1) & ~0x1fffffULL);
}

TEST(ContextCommand, GlobalInvalidationCompletesAndReportsCaig)
{
	Model m(legacy);
	vtd_context_cache_data d{};
	vtd_context_cache_fill(m.v, 0x100, &d);
	m.wr64(VTD_REG_CCMD, VTD_CCMD_ICC | (1ULL << VTD_CCMD_CIRG_SHIFT));
	uint64_t ccmd = m.rd64(VTD_REG_CCMD);
	EXPECT_FALSE(ccmd & VTD_CCMD_ICC);
	EXPECT_EQ(VTD_CCMD_CAIG(ccmd), 1u);
	EXPECT_EQ(vtd_context_cache_lookup(m.v, 0x100), nullptr);
}

TEST(ContextCommand, DeviceSelectiveBySplitWritesHitsOnlyThatSource)
{
	Model m(legacy);
	vtd_context_cache_data d{};
	vtd_context_cache_fill(m.v, 0x100, &d);
	vtd_context_cache_fill(m.v, 0x200, &d);
	// Lower half: SID 0x100, DID 7; upper half: ICC, CIRG=device.
	m.wr32(VTD_REG_CCMD, 0x100u << 16 | 7);
	EXPECT_NE(vtd_context_cache_lookup(m.v, 0x100), nullptr);
	m.wr32(VTD_REG_CCMD + 4,
	       (uint32_t)((VTD_CCMD_ICC | (3ULL << VTD_CCMD_CIRG_SHIFT)) >>
			  32));
	uint64_t ccmd = m.rd64(VTD_REG_CCMD);
	EXPECT_FALSE(ccmd & VTD_CCMD_ICC);
	EXPECT_EQ(VTD_CCMD_CAIG(ccmd), 3u);
	EXPECT_EQ(VTD_CCMD_SID(ccmd), 0x100u);
	EXPECT_EQ(vtd_context_cache_lookup(m.v, 0x100), nullptr);
	EXPECT_NE(vtd_context_cache_lookup(m.v, 0x200), nullptr);
}

TEST(ContextCommand, IgnoredWithCaigZeroWhenQueuedInvalidationIsEnabled)
{
	Model m(legacy);
	gcmd(m, VTD_GCMD_QIE);
	vtd_context_cache_data d{};
	vtd_context_cache_fill(m.v, 0x100, &d);
	m.wr64(VTD_REG_CCMD, VTD_CCMD_ICC | (1ULL << VTD_CCMD_CIRG_SHIFT));
	uint64_t ccmd = m.rd64(VTD_REG_CCMD);
	EXPECT_FALSE(ccmd & VTD_CCMD_ICC);
	EXPECT_EQ(VTD_CCMD_CAIG(ccmd), 0u);
	EXPECT_NE(vtd_context_cache_lookup(m.v, 0x100), nullptr);
}

TEST(ContextCommand, IgnoredInScalableMode)
{
	Model m;
	m.wr64(VTD_REG_RTADDR, 0x1000 | (1ULL << 10));
	gcmd(m, VTD_GCMD_SRTP);
	vtd_context_cache_data d{};
	vtd_context_cache_fill(m.v, 0x100, &d);
	m.wr64(VTD_REG_CCMD, VTD_CCMD_ICC | (1ULL << VTD_CCMD_CIRG_SHIFT));
	EXPECT_EQ(VTD_CCMD_CAIG(m.rd64(VTD_REG_CCMD)), 0u);
	EXPECT_NE(vtd_context_cache_lookup(m.v, 0x100), nullptr);
}

class IotlbRegister : public ::testing::Test
{
      protected:
	uint32_t iro(Model &m)
	{
		return (uint32_t)VTD_ECAP_IRO(m.rd64(VTD_REG_ECAP)) * 16;
	}
	void fill(Model &m, uint16_t did, uint64_t addr)
	{
		vtd_iotlb_data d{};
		d.pa = 0x80000000;
		d.perm = VTD_PERM_R | VTD_PERM_W;
		d.mode = VTD_MODE_LEGACY_SL;
		vtd_iotlb_fill(m.v, did, VTD_NO_PASID, addr, 1, &d);
	}
	bool cached(Model &m, uint16_t did, uint64_t addr)
	{
		unsigned int level;
		return vtd_iotlb_lookup(m.v, did, VTD_NO_PASID, addr, &level);
	}
	uint64_t cmd(unsigned int gran, uint16_t did)
	{
		return VTD_IOTLB_IVT | (uint64_t)gran << VTD_IOTLB_IIRG_SHIFT |
		       (uint64_t)did << 32;
	}
};

TEST_F(IotlbRegister, PageSelectiveInvalidationDropsThePageAndReportsIaig)
{
	Model m(legacy);
	fill(m, 5, 0x1000);
	fill(m, 5, 0x3000);
	fill(m, 6, 0x1000);
	m.wr64(iro(m), 0x1000 | 0); // IVA: address, AM=0
	m.wr64(iro(m) + 8, cmd(VTD_INV_PAGE, 5));
	uint64_t r = m.rd64(iro(m) + 8);
	EXPECT_FALSE(r & VTD_IOTLB_IVT);
	EXPECT_EQ(VTD_IOTLB_IAIG(r), (uint64_t)VTD_INV_PAGE);
	EXPECT_FALSE(cached(m, 5, 0x1000));
	EXPECT_TRUE(cached(m, 5, 0x3000));
	EXPECT_TRUE(cached(m, 6, 0x1000));
}

TEST_F(IotlbRegister, DomainSelectiveBySplitWriteDropsOnlyThatDomain)
{
	Model m(legacy);
	fill(m, 5, 0x1000);
	fill(m, 6, 0x1000);
	uint64_t c = cmd(VTD_INV_DOMAIN, 5);
	m.wr32(iro(m) + 8, (uint32_t)c);
	EXPECT_TRUE(cached(m, 5, 0x1000));
	m.wr32(iro(m) + 12, (uint32_t)(c >> 32));
	EXPECT_EQ(VTD_IOTLB_IAIG(m.rd64(iro(m) + 8)), (uint64_t)VTD_INV_DOMAIN);
	EXPECT_FALSE(cached(m, 5, 0x1000));
	EXPECT_TRUE(cached(m, 6, 0x1000));
}

TEST_F(IotlbRegister, AddressMaskBeyondMamvIsIgnoredWithIaigZero)
{
	Model m(legacy);
	fill(m, 5, 0x1000);
	unsigned int mamv = (unsigned int)VTD_CAP_MAMV(m.rd64(VTD_REG_CAP));
	m.wr64(iro(m), 0 | (mamv + 1));
	m.wr64(iro(m) + 8, cmd(VTD_INV_PAGE, 5));
	uint64_t r = m.rd64(iro(m) + 8);
	EXPECT_FALSE(r & VTD_IOTLB_IVT);
	EXPECT_EQ(VTD_IOTLB_IAIG(r), 0u);
	EXPECT_TRUE(cached(m, 5, 0x1000));
}

TEST_F(IotlbRegister, PageSelectiveWithoutPsiIsDoneDomainSelective)
{
	Model m([](vtd_config &c) {
		legacy(c);
		c.cap &= ~VTD_CAP_PSI;
	});
	fill(m, 5, 0x1000);
	fill(m, 5, 0x3000);
	m.wr64(iro(m), 0x1000);
	m.wr64(iro(m) + 8, cmd(VTD_INV_PAGE, 5));
	EXPECT_EQ(VTD_IOTLB_IAIG(m.rd64(iro(m) + 8)), (uint64_t)VTD_INV_DOMAIN);
	EXPECT_FALSE(cached(m, 5, 0x3000));
}

TEST_F(IotlbRegister, ReservedGranularityIsIgnored)
{
	Model m(legacy);
	fill(m, 5, 0x1000);
	m.wr64(iro(m) + 8, cmd(0, 5));
	uint64_t r = m.rd64(iro(m) + 8);
	EXPECT_FALSE(r & VTD_IOTLB_IVT);
	EXPECT_EQ(VTD_IOTLB_IAIG(r), 0u);
	EXPECT_TRUE(cached(m, 5, 0x1000));
}

TEST_F(IotlbRegister, IvaReservedBitsReadZero)
{
	Model m;
	m.wr64(iro(m), ~0ULL);
	EXPECT_EQ(m.rd64(iro(m)), VTD_IVA_ADDR_MASK | VTD_IVA_IH | 0x3f);
}

TEST(InvalidationQueueRegisters, IqtStoresTheTailAndIqhIsReadOnly)
{
	Model m;
	m.wr64(VTD_REG_IQT, ~0ULL);
	EXPECT_EQ(m.rd64(VTD_REG_IQT), VTD_IQ_PTR_MASK);
	m.wr32(VTD_REG_IQT, 0); // Linux: writel(0, IQT) before enabling
	EXPECT_EQ(m.rd64(VTD_REG_IQT), 0u);
	m.wr64(VTD_REG_IQH, 0x40);
	EXPECT_EQ(m.rd64(VTD_REG_IQH), 0u);
	m.wr64(VTD_REG_IQA, ~0ULL);
	EXPECT_EQ(m.rd64(VTD_REG_IQA),
		  VTD_IQA_IQA_MASK | VTD_IQA_DW | 0x7); // DW: ECAP.SMTS
	Model l(legacy);
	l.wr64(VTD_REG_IQA, ~0ULL);
	EXPECT_EQ(l.rd64(VTD_REG_IQA), VTD_IQA_IQA_MASK | 0x7);
	m.wr64(VTD_REG_IQERCD, ~0ULL);
	EXPECT_EQ(m.rd64(VTD_REG_IQERCD), 0u);
}

TEST(InvalidationQueueRegisters, IqtWriteRunsTheQueueOnlyWhenEnabled)
{
	Model m;
	const uint64_t q = 0x100000, status = 0x200000;
	// One 128-bit wait descriptor with a status write (IQA.DW=0).
	m.mem.w64(q, VTD_QI_IWD | VTD_QI_IWD_SW |
			     (0x1234ULL << VTD_QI_IWD_SDATA_SHIFT));
	m.mem.w64(q + 8, status);
	m.wr64(VTD_REG_IQA, q);
	m.wr64(VTD_REG_IQT, 0x10);
	EXPECT_EQ(m.mem.r32(status), 0u);
	EXPECT_EQ(m.rd64(VTD_REG_IQH), 0u);
	m.wr32(VTD_REG_IQT, 0);
	gcmd(m, VTD_GCMD_QIE);
	// The lower-half write of IQT is the trigger.
	m.wr32(VTD_REG_IQT, 0x10);
	EXPECT_EQ(m.mem.r32(status), 0x1234u);
	EXPECT_EQ(m.rd64(VTD_REG_IQH), 0x10u);
}

// Found by fuzz_regs: IQA changed under a running queue left IQH off a
// descriptor of the new width. The queue is programmed before QIE; a write
// while QIES=1 is ignored (docs/conformance.md).
TEST(InvalidationQueueRegisters, IqaIsIgnoredWhileTheQueueIsEnabled)
{
	Model m;
	m.wr64(VTD_REG_IQA, 0x100000);
	gcmd(m, VTD_GCMD_QIE);
	m.wr64(VTD_REG_IQA, 0x300000 | VTD_IQA_DW | 3);
	EXPECT_EQ(m.rd64(VTD_REG_IQA), 0x100000u);
	m.wr32(VTD_REG_GCMD, m.rd32(VTD_REG_GSTS) & ~kOneShot & ~VTD_GCMD_QIE);
	m.wr64(VTD_REG_IQA, 0x300000 | VTD_IQA_DW | 3);
	EXPECT_EQ(m.rd64(VTD_REG_IQA), 0x300000u | VTD_IQA_DW | 3);
}

TEST(InvalidationQueueRegisters, ClearingIqeResumesTheQueueAtIqh)
{
	Model m;
	const uint64_t q = 0x100000, status = 0x200000;
	m.mem.w64(q, 0); // type 0: invalid descriptor
	m.wr64(VTD_REG_IQA, q);
	gcmd(m, VTD_GCMD_QIE);
	m.wr64(VTD_REG_IQT, 0x10);
	ASSERT_TRUE(m.rd32(VTD_REG_FSTS) & VTD_FSTS_IQE);
	EXPECT_EQ(m.rd64(VTD_REG_IQH), 0u);
	// Linux's qi_check_fault(): replace the bad descriptor, clear IQE.
	m.mem.w64(q, VTD_QI_IWD | VTD_QI_IWD_SW |
			     (0x77ULL << VTD_QI_IWD_SDATA_SHIFT));
	m.mem.w64(q + 8, status);
	m.wr32(VTD_REG_FSTS, VTD_FSTS_IQE);
	EXPECT_FALSE(m.rd32(VTD_REG_FSTS) & VTD_FSTS_IQE);
	EXPECT_EQ(m.mem.r32(status), 0x77u);
	EXPECT_EQ(m.rd64(VTD_REG_IQH), 0x10u);
}

TEST(InvalidationQueueRegisters, ClearingIwcServicesTheCompletionEvent)
{
	Model m;
	m.v->regs.ics = VTD_ICS_IWC;
	vtd_event_raise(m.v, VTD_IRQ_INV_COMPLETE); // masked: IP set
	ASSERT_EQ(m.rd32(VTD_REG_IECTL), 0xc0000000u);
	m.wr32(VTD_REG_ICS, 0);
	EXPECT_EQ(m.rd32(VTD_REG_ICS), 1u);
	m.wr32(VTD_REG_ICS, 0xffffffff);
	EXPECT_EQ(m.rd32(VTD_REG_ICS), 0u);
	EXPECT_EQ(m.rd32(VTD_REG_IECTL), 0x80000000u);
	m.wr32(VTD_REG_IECTL, 0);
	EXPECT_TRUE(m.irqs.empty());
}

TEST(InvalidationQueueRegisters, CompletionEventUsesIedataAndIeaddr)
{
	Model m;
	m.wr32(VTD_REG_IEDATA, 0xffff0041); // EIMD reserved without EIM
	m.wr32(VTD_REG_IEADDR, 0xfee00003); // 1:0 reserved
	m.wr32(VTD_REG_IEUADDR, 0x1);
	m.wr32(VTD_REG_IECTL, 0);
	EXPECT_EQ(m.rd32(VTD_REG_IEDATA), 0x41u);
	EXPECT_EQ(m.rd32(VTD_REG_IEADDR), 0xfee00000u);
	vtd_event_raise(m.v, VTD_IRQ_INV_COMPLETE);
	ASSERT_EQ(m.irqs.size(), 1u);
	EXPECT_EQ(m.irqs[0].src, VTD_IRQ_INV_COMPLETE);
	EXPECT_EQ(m.irqs[0].addr, 0x1fee00000ULL);
	EXPECT_EQ(m.irqs[0].data, 0x41u);
	EXPECT_EQ(m.rd32(VTD_REG_IECTL), 0u);
}

TEST(PageRequestRegisters, PqtIsReadOnlyPqhIsWritableAndPrsIsRw1c)
{
	Model m;
	m.wr64(VTD_REG_PQT, 0x40);
	EXPECT_EQ(m.rd64(VTD_REG_PQT), 0u);
	m.wr64(VTD_REG_PQH, ~0ULL);
	EXPECT_EQ(m.rd64(VTD_REG_PQH), VTD_PQ_PTR_MASK);
	m.wr64(VTD_REG_PQA, ~0ULL);
	EXPECT_EQ(m.rd64(VTD_REG_PQA), VTD_PQA_PQA_MASK | 0x7);
	m.v->regs.prs = VTD_PRS_PPR | VTD_PRS_PRO;
	vtd_event_raise(m.v, VTD_IRQ_PAGE_REQUEST);
	m.wr32(VTD_REG_PRS, VTD_PRS_PPR);
	EXPECT_EQ(m.rd32(VTD_REG_PRS), (uint32_t)VTD_PRS_PRO);
	EXPECT_TRUE(m.rd32(VTD_REG_PECTL) & VTD_ECTL_IP);
	m.wr32(VTD_REG_PRS, VTD_PRS_PRO);
	EXPECT_EQ(m.rd32(VTD_REG_PRS), 0u);
	EXPECT_FALSE(m.rd32(VTD_REG_PECTL) & VTD_ECTL_IP);
}

TEST(EventControl, IpIsReadOnlyAndReservedBitsReadZero)
{
	Model m;
	m.wr32(VTD_REG_FECTL, 0xffffffff);
	EXPECT_EQ(m.rd32(VTD_REG_FECTL), 0x80000000u);
	m.wr32(VTD_REG_FECTL, 0x40000000);
	EXPECT_EQ(m.rd32(VTD_REG_FECTL), 0u);
	EXPECT_TRUE(m.irqs.empty());
}

} // namespace
